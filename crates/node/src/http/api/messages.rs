//! `/api/v1/inbox`, `/api/v1/messages…`, `/api/v1/oral`, `/api/v1/consents`: the Title 2 exchange.

use super::*;

use crate::desk::{
    Compose, ConsentAnswer, ConsentAsk, DeskError, DirectAnswer, DirectSend, FeedbackText, InboxPage, MessageSummary,
    MessageView, OralExchange, Reply, Sent, SportsSend, ThirdCountryTransfer, TransferRecord, TransferRecordsQuery,
    UseOutcome, UseRequest,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// `?preview=true` decides without sending.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    #[serde(default)]
    pub preview: bool,
}

#[utoipa::path(get, path = "/api/v1/inbox", tag = "exchange", security(("bearer" = [])),
    params(InboxPage),
    responses((status = 200, body = Vec<MessageSummary>), (status = 401, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn inbox(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(page): Query<InboxPage>,
) -> Result<Json<Vec<MessageSummary>>, DeskError> {
    Ok(Json(api.desk.inbox(&officer.user, &page).await?))
}

#[utoipa::path(post, path = "/api/v1/messages", tag = "exchange", security(("bearer" = [])),
    params(PreviewQuery), request_body = Compose,
    responses((status = 200, body = Sent), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn compose(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<PreviewQuery>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let c: Compose = body(&bytes)?;
    Ok(Json(api.desk.compose(&officer.user, &c, q.preview).await?))
}

#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "message id")),
    responses((status = 200, body = MessageView), (status = 404, body = DeskError), (status = 403, body = DeskError)))]
pub(super) async fn view(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<MessageView>, DeskError> {
    Ok(Json(api.desk.view(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/reply", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the request answered")), request_body = Reply,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn reply(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let r: Reply = body(&bytes)?;
    Ok(Json(api.desk.reply(&officer.user, &id, &r).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/use", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision used")), request_body = UseRequest,
    responses((status = 200, body = UseOutcome), (status = 403, body = DeskError)))]
pub(super) async fn use_data(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<UseOutcome>, DeskError> {
    let u: UseRequest = body(&bytes)?;
    Ok(Json(api.desk.use_data(&officer.user, &id, &u).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/consent-request", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision")), request_body = ConsentAsk,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
pub(super) async fn consent_request(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let a: ConsentAsk = body(&bytes)?;
    Ok(Json(api.desk.request_consent(&officer.user, &id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/consent", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the consent request answered")), request_body = ConsentAnswer,
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
pub(super) async fn consent(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let a: ConsentAnswer = body(&bytes)?;
    Ok(Json(api.desk.answer_consent(&officer.user, &id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/feedback-request", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision this node made")),
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
pub(super) async fn feedback_request(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Sent>, DeskError> {
    Ok(Json(api.desk.request_feedback(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/feedback", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the feedback request answered")), request_body = FeedbackText,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
pub(super) async fn feedback(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let t: FeedbackText = body(&bytes)?;
    Ok(Json(api.desk.answer_feedback(&officer.user, &id, &t).await?))
}

#[utoipa::path(post, path = "/api/v1/oral", tag = "exchange", security(("bearer" = [])),
    request_body = OralExchange,
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
pub(super) async fn oral(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<Json<Sent>, DeskError> {
    let o: OralExchange = body(&bytes)?;
    Ok(Json(api.desk.record_oral(&officer.user, &o).await?))
}

#[utoipa::path(get, path = "/api/v1/consents", tag = "messages", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::desk::QueuedConsent>), (status = 403, body = DeskError)))]
pub(super) async fn consent_queue(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<crate::desk::QueuedConsent>>, DeskError> {
    Ok(Json(api.desk.consent_queue(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/third-country-transfer", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision passed on")), request_body = ThirdCountryTransfer,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn third_country_transfer(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let t: ThirdCountryTransfer = body(&bytes)?;
    Ok(Json(api.desk.transfer_to_third_country(&officer.user, &id, &t).await?))
}

#[utoipa::path(get, path = "/api/v1/transfers", tag = "handling", security(("bearer" = [])),
    params(TransferRecordsQuery),
    responses((status = 200, body = Vec<TransferRecord>), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn transfer_records(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<TransferRecordsQuery>,
) -> Result<Json<Vec<TransferRecord>>, DeskError> {
    Ok(Json(api.desk.transfer_records(&officer.user, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/direct-exchanges", tag = "exchange", security(("bearer" = [])),
    request_body = DirectSend,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn send_direct(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let d: DirectSend = body(&bytes)?;
    Ok(Json(api.desk.send_direct(&officer.user, &d).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/direct-answer", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the direct exchange's request answered")), request_body = DirectAnswer,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn answer_direct(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let a: DirectAnswer = body(&bytes)?;
    Ok(Json(api.desk.answer_direct(&officer.user, &id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/sports-events/data", tag = "exchange", security(("bearer" = [])),
    request_body = SportsSend,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn send_event_data(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let s: SportsSend = body(&bytes)?;
    Ok(Json(api.desk.send_event_data(&officer.user, &s).await?))
}
