//! `/api/v1/anpr/…`: Art. 13 hotlists, reads and hits.

use super::*;

use crate::desk::anpr::{
    AnprHitView, EntryDecision, IngestReport, NewHotlistEntry, ProvidedEntry, ReadBatch, ReceivedEntry, Withdrawal,
};
use crate::desk::{DeskError, Sent};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use std::sync::Arc;

#[utoipa::path(post, path = "/api/v1/anpr/entries", tag = "anpr", security(("bearer" = [])),
    request_body = NewHotlistEntry,
    responses((status = 200, body = Vec<Sent>), (status = 422, body = DeskError)))]
pub(super) async fn provide_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Vec<Sent>>, DeskError> {
    let new: NewHotlistEntry = body(&bytes)?;
    Ok(Json(api.desk.provide_hotlist_entry(&officer.user, &new).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/entries", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProvidedEntry>)))]
pub(super) async fn provided_entries(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<ProvidedEntry>>, DeskError> {
    Ok(Json(api.desk.hotlist_provided(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/entries/{id}/withdraw", tag = "anpr", security(("bearer" = [])),
    params(("id" = String, Path, description = "the entry")), request_body = Withdrawal,
    responses((status = 200, body = Vec<Sent>), (status = 404, body = DeskError)))]
pub(super) async fn withdraw_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Vec<Sent>>, DeskError> {
    let w: Withdrawal = body(&bytes)?;
    Ok(Json(api.desk.withdraw_hotlist_entry(&officer.user, &id, &w).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/received", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReceivedEntry>)))]
pub(super) async fn received_entries(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<ReceivedEntry>>, DeskError> {
    Ok(Json(api.desk.hotlist_received(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/received/{message}/decision", tag = "anpr", security(("bearer" = [])),
    params(("message" = String, Path, description = "the message that carried the entry")), request_body = EntryDecision,
    responses((status = 200, body = Sent), (status = 404, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn decide_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(message): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let d: EntryDecision = body(&bytes)?;
    Ok(Json(api.desk.decide_hotlist_entry(&officer.user, &message, &d).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/reads", tag = "anpr", security(("bearer" = [])),
    request_body = ReadBatch,
    responses((status = 200, body = IngestReport), (status = 422, body = DeskError)))]
pub(super) async fn ingest_reads(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<IngestReport>, DeskError> {
    let batch: ReadBatch = body(&bytes)?;
    Ok(Json(api.desk.ingest_reads(&officer.user, &batch.reads).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/hits", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<AnprHitView>)))]
pub(super) async fn anpr_hits(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<AnprHitView>>, DeskError> {
    Ok(Json(api.desk.anpr_hits(&officer.user).await?))
}
