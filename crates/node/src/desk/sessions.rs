//! Log-in, sessions and accounts.

use super::*;

use crate::accounts::{self};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use store::User;

/// How long a log-in lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(8);

impl Desk {
    /// Checks a password and opens a session.
    pub async fn login(&self, username: &str, password: &str) -> Result<(String, Timestamp, User), DeskError> {
        let user = self.node.store.user(username).await?;
        // Verify against a dummy hash when the user is unknown, so timing does not tell. The
        // hash costs ~50 ms of CPU: off the async workers, so log-ins cannot stall the node.
        let hash = user
            .as_ref()
            .map_or(DUMMY_HASH, |u| u.password_hash.as_str())
            .to_owned();
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || accounts::verify_password(&hash, &password))
            .await
            .unwrap_or(false);
        let Some(user) = user.filter(|_| ok) else {
            // Counted, not journaled one by one (crate::refusals).
            crate::refusals::record(
                &self.node,
                crate::refusals::Channel::Login,
                &format!("{}/login", self.node.me.party),
                &format!("account '{username}'"),
            )
            .await;
            return Err(DeskError::unauthenticated("unknown user or wrong password"));
        };
        let (token, digest) = accounts::new_token();
        let expires = self.now() + SESSION_LIFETIME;
        self.node.store.put_session(&digest, &user.username, expires).await?;
        Ok((token, expires, user))
    }

    /// The user of a bearer token.
    pub async fn session(&self, token: &str) -> Result<User, DeskError> {
        self.node
            .store
            .session_user(&accounts::token_digest(token), self.now())
            .await?
            .ok_or_else(|| DeskError::unauthenticated("no session, or it expired: log in again"))
    }

    pub async fn logout(&self, token: &str) -> Result<(), DeskError> {
        Ok(self.node.store.delete_session(&accounts::token_digest(token)).await?)
    }

    /// Creates or replaces an account (administrators; also used to seed the demo).
    pub async fn put_user(&self, user: NewUser) -> Result<(), DeskError> {
        let user = Self::hashed_account(user, self.now()).await?;
        Ok(self.node.store.put_user(user).await?)
    }
}

impl Desk {
    /// [`accounts::account`] off the async workers (argon2 costs ~50 ms of CPU).
    pub(super) async fn hashed_account(user: NewUser, now: Timestamp) -> Result<User, DeskError> {
        tokio::task::spawn_blocking(move || accounts::account(user, now))
            .await
            .map_err(|e| DeskError::unavailable(format!("hashing the password: {e}")))?
            .map_err(DeskError::invalid)
    }
}

/// An account to create.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub party: String,
    pub unit: String,
    pub region: String,
    pub roles: Vec<String>,
    pub language: String,
    pub password: String,
}

/// Verified against when the user is unknown, so a wrong name costs as much as a wrong password.
pub(super) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0G3Qy4W2m1z0c6Jc3b4l5cYVb7y9Kx8mQ5mX3r6pDk0";
