//! `/api/v1/operations…` (Titles 3–6) and `/api/v1/reports/art65` (Art. 65).

use super::*;

use crate::desk::operations::{BoardFilter, EventAsk, OperationStart, OperationView, PursuitStart};
use crate::desk::DeskError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// The period of an Art. 65 evaluation (whole days in the node's zone; default: the year so far).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub until: String,
}

#[utoipa::path(post, path = "/api/v1/operations/pursuits", tag = "operations", security(("bearer" = [])),
    request_body = PursuitStart,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn start_pursuit(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let s: PursuitStart = body(&bytes)?;
    Ok(Json(api.desk.start_pursuit(&officer.user, &s).await?))
}

#[utoipa::path(post, path = "/api/v1/operations", tag = "operations", security(("bearer" = [])),
    request_body = OperationStart,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn start_operation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let s: OperationStart = body(&bytes)?;
    Ok(Json(api.desk.start_operation(&officer.user, &s).await?))
}

#[utoipa::path(get, path = "/api/v1/operations", tag = "operations", security(("bearer" = [])),
    params(BoardFilter),
    responses((status = 200, body = Vec<OperationView>,
        headers(("x-next-cursor" = String, description = "the cursor of the next page, when there is one"))),
        (status = 422, body = DeskError)))]
pub(super) async fn operations(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(filter): Query<BoardFilter>,
) -> Result<Response, DeskError> {
    let page = api.desk.operations_page(&officer.user, &filter).await?;
    let mut response = Json(page.operations).into_response();
    if let Some(next) = page.next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
        response.headers_mut().insert("x-next-cursor", next);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/operations/{id}", tag = "operations", security(("bearer" = [])),
    params(("id" = String, Path, description = "the operation")),
    responses((status = 200, body = OperationView), (status = 404, body = DeskError)))]
pub(super) async fn operation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<OperationView>, DeskError> {
    Ok(Json(api.desk.operation(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/operations/{id}/events", tag = "operations", security(("bearer" = [])),
    params(("id" = String, Path, description = "the operation")), request_body = EventAsk,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn operation_event(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let e: EventAsk = body(&bytes)?;
    Ok(Json(api.desk.operation_event(&officer.user, &id, &e).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/art65", tag = "audit", security(("bearer" = [])),
    params(PeriodQuery),
    responses((status = 200, body = crate::desk::evaluation::Evaluation), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn evaluation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<crate::desk::evaluation::Evaluation>, DeskError> {
    let (from, until) = api.desk.evaluation_period(&q.from, &q.until)?;
    Ok(Json(api.desk.evaluation(&officer.user, from, until).await?))
}
