//! `/api/v1/cases…` (Directive 2023/977 Art. 16), `/api/v1/reviews` (Directive 2016/680 Art. 5)
//! and `/api/v1/reports/art18` (Directive 2023/977 Art. 18).

use super::*;

use crate::desk::{
    Art18Report, CaseAction, CaseFilter, CasePage, CaseSummary, CaseView, CorrectionNotice, DeskError, Erasure,
    RetentionDecision,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(CaseFilter),
    responses((status = 200, body = CasePage), (status = 422, body = DeskError), (status = 401, body = DeskError)))]
pub(super) async fn cases(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(filter): Query<CaseFilter>,
) -> Result<Json<CasePage>, DeskError> {
    Ok(Json(api.desk.cases(&officer.user, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView), (status = 404, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn case(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, DeskError> {
    Ok(Json(api.desk.case_view(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")), request_body = CaseAction,
    responses((status = 200, body = CaseSummary), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn change_case(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<CaseSummary>, DeskError> {
    let action: CaseAction = body(&bytes)?;
    Ok(Json(api.desk.change_case(&officer.user, &id, &action).await?))
}

#[utoipa::path(get, path = "/api/v1/reviews", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<CaseSummary>), (status = 403, body = DeskError)))]
pub(super) async fn reviews(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<CaseSummary>>, DeskError> {
    Ok(Json(api.desk.reviews(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/keep", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")), request_body = RetentionDecision,
    responses((status = 200, body = CaseSummary), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn keep_case(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<CaseSummary>, DeskError> {
    let decision: RetentionDecision = body(&bytes)?;
    Ok(Json(api.desk.keep_case(&officer.user, &id, &decision).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/erase", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")), request_body = RetentionDecision,
    responses((status = 200, body = Erasure), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn erase_case(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Erasure>, DeskError> {
    let decision: RetentionDecision = body(&bytes)?;
    Ok(Json(api.desk.erase_case(&officer.user, &id, &decision).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/correction", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")), request_body = CorrectionNotice,
    responses((status = 200, body = Vec<String>, description = "the notices sent"), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn correct_case(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Vec<String>>, DeskError> {
    let notice: CorrectionNotice = body(&bytes)?;
    Ok(Json(api.desk.correct_case(&officer.user, &id, &notice).await?))
}

/// The year of a report, and `format=csv` for a spreadsheet.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub year: i64,
    /// `json` (default) or `csv`.
    #[serde(default)]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/art18", tag = "cases", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, body = Art18Report), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn art18(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, DeskError> {
    let report = api.desk.art18(&officer.user, q.year).await?;
    Ok(match q.format.as_deref() {
        Some("csv") => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"art18-{}.csv\"", q.year),
                ),
            ],
            report.csv(),
        )
            .into_response(),
        None | Some("json") => Json(report).into_response(),
        Some(other) => return Err(DeskError::invalid(format!("format '{other}': use json or csv"))),
    })
}
