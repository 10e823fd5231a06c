//! The one mapping from the desk's errors to HTTP: a status per kind, the error as JSON, and
//! its schema in the OpenAPI document.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::openapi::{RefOr, Schema};

use crate::desk::{DeskError, ErrorKind};

/// The HTTP status of each kind of failure.
pub fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden | ErrorKind::RefusedByTreaty => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Invalid | ErrorKind::RefusedComposition => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        (status(self.error), Json(self)).into_response()
    }
}

/// Every error the API answers is the documented JSON, also those axum writes as plain text
/// before a handler runs (a body over the limit: 413; a query string that does not parse: 400;
/// a path parameter of the wrong type).
pub async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let kind = match status {
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorKind::Forbidden,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ErrorKind::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::Throttled,
        s if s.is_server_error() => ErrorKind::Unavailable,
        _ => ErrorKind::Invalid,
    };
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    let mut answer = DeskError::new(kind, message).into_response();
    *answer.status_mut() = status;
    answer
}

/// A refused or failed officer action: a stable code, a sentence that names what is wrong, and —
/// when the treaty decided — the decision with its articles.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorBody {
    /// `unauthenticated`, `forbidden`, `not_found`, `invalid`, `refused_by_treaty`, `throttled`,
    /// `unavailable`.
    error: String,
    message: String,
    /// The treaty engine's decision, where it refused.
    #[schema(value_type = Option<Object>)]
    decision: Option<serde_json::Value>,
    /// What the officer can do instead (e.g. ask the provider's consent).
    #[schema(value_type = Option<Object>)]
    offer: Option<serde_json::Value>,
}

impl utoipa::PartialSchema for DeskError {
    fn schema() -> RefOr<Schema> {
        <ErrorBody as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for DeskError {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DeskError")
    }
}
