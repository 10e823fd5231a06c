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
