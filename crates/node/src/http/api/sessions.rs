//! `/api/v1/session`, `/api/v1/me`, `/api/v1/users`: log-in, the officer, accounts.

use super::*;

use crate::desk::{DeskError, NewUser};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use store::User;

/// A log-in.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// An open session.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

/// A user as shown (never the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub party: String,
    pub unit: String,
    pub region: String,
    pub roles: Vec<String>,
    pub language: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            party: u.party.clone(),
            unit: u.unit.clone(),
            region: u.region.clone(),
            roles: u.roles.clone(),
            language: u.language.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/session", request_body = Login, tag = "session",
    responses((status = 200, body = SessionView), (status = 401, body = DeskError), (status = 429, body = DeskError)))]
pub(super) async fn login(
    State(api): State<Arc<Api>>,
    client: Option<axum::Extension<crate::http::ClientAddr>>,
    bytes: Bytes,
) -> Result<Json<SessionView>, DeskError> {
    let login: Login = body(&bytes)?;
    let source = client.map(|c| c.0 .0.ip());
    let (token, expires, user) = api.log_in(&login.username, &login.password, source).await?;
    Ok(Json(SessionView {
        token,
        expires_at: expires.to_string(),
        user: UserView::from(&user),
    }))
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = DeskError)))]
pub(super) async fn logout(State(api): State<Arc<Api>>, officer: Officer) -> Result<StatusCode, DeskError> {
    api.desk.logout(&officer.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = DeskError)))]
pub(super) async fn me(officer: Officer) -> Json<UserView> {
    Json(UserView::from(&officer.user))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 204), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn put_user(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<StatusCode, DeskError> {
    let u: NewUser = body(&bytes)?;
    api.desk.administer_user(&officer.user, u).await?;
    Ok(StatusCode::NO_CONTENT)
}
