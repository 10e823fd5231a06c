//! Local accounts (embedded mode): roles, argon2id passwords and bearer sessions.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The unit name of a node's own contact-point desk (an address without a unit).
pub const CONTACT_POINT_UNIT: &str = "NCP";

/// What a user may do on their node (ARCHITECTURE.md, people and permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sends requests and provisions, uses received data within its handling codes.
    Officer,
    /// Works the contact point's desk: sees and answers everything addressed to the node.
    ContactPoint,
    /// Decides consent requests and grants authorisations.
    Supervisor,
    /// The data-protection officer: reads and verifies the journal.
    Dpo,
    /// Manages users and the directory.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Officer,
        Role::ContactPoint,
        Role::Supervisor,
        Role::Dpo,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::ContactPoint => "contact_point",
            Role::Supervisor => "supervisor",
            Role::Dpo => "dpo",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Checks a name an administrator gives (display name, unit, region): 1 to `max` characters
/// (`0` allowed when `optional`), no control characters and no markup.
fn check_name(field: &str, value: &str, max: usize, optional: bool) -> Result<(), String> {
    let chars = value.chars().count();
    if chars == 0 && !optional {
        return Err(format!("{field}: empty"));
    }
    if chars > max {
        return Err(format!("{field}: at most {max} characters"));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() || matches!(c, '<' | '>' | '"' | '`'))
    {
        return Err(format!("{field}: the character {c:?} is not allowed"));
    }
    if value.trim() != value {
        return Err(format!("{field}: no leading or trailing spaces"));
    }
    Ok(())
}

/// A validated account with its password hashed (argon2id). The one validation of accounts,
/// for the administration page, the API and the demo's seeding alike.
pub fn account(new: crate::desk::NewUser, now: jiff::Timestamp) -> Result<store::User, String> {
    treaty::PartyCode::parse(&new.party).map_err(|e| format!("party '{}': {e}", new.party))?;
    let name = &new.username;
    if name.is_empty() || name.len() > 64 {
        return Err("username: 1 to 64 characters".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(format!(
            "username '{}': only a-z, 0-9, '.', '_' and '-'",
            name.escape_debug()
        ));
    }
    check_name("display_name", &new.display_name, 100, false)?;
    check_name("unit", &new.unit, 64, false)?;
    check_name("region", &new.region, 64, true)?;
    if new.password.chars().count() > 1_024 {
        return Err("password: at most 1024 characters".into());
    }
    if new.password.chars().count() < 8 {
        return Err("password: at least 8 characters".into());
    }
    if new.roles.is_empty() {
        return Err("roles: give at least one (officer, contact_point, supervisor, dpo, admin)".into());
    }
    for role in &new.roles {
        if Role::parse(role).is_none() {
            return Err(format!(
                "unknown role '{role}' (officer, contact_point, supervisor, dpo, admin)"
            ));
        }
    }
    if !["nl", "fr", "en"].contains(&new.language.as_str()) {
        return Err(format!("language '{}': choose nl, fr or en", new.language));
    }
    Ok(store::User {
        password_hash: hash_password(&new.password)?,
        username: new.username,
        display_name: new.display_name,
        party: new.party,
        unit: new.unit,
        region: new.region,
        roles: new.roles,
        language: new.language,
        created_at: now,
    })
}

/// Whether `user` holds `role`.
pub fn has_role(user: &store::User, role: Role) -> bool {
    user.roles.iter().any(|r| r == role.as_str())
}

/// An argon2id hash (PHC string) of `password` with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC `hash`. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A new bearer token and the SHA-256 under which it is stored (the token itself never is).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

/// The stored form of a token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horse "));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn roles_round_trip_and_unknown_roles_are_none() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, da) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_digest(&a), da);
        assert_ne!(a, da);
    }
}
