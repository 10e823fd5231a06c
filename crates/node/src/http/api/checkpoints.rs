//! `/api/v1/journal…`, `/api/v1/checkpoints…`: the journal, its search and the partners' checkpoints.

use super::*;

use crate::desk::{DeskError, JournalStatus, PartnerHistory};
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How many entries a journal search returns.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchLimit {
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A page of the journal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// The first sequence number (1 = the oldest).
    #[serde(default)]
    pub from: Option<i64>,
    /// At most this many entries (≤ 1000).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A journal entry as shown to the data-protection officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub operation: String,
    pub actor: String,
    pub justification: String,
    pub recipient: Option<String>,
    pub message_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<store::Entry> for EntryView {
    fn from(e: store::Entry) -> Self {
        EntryView {
            seq: e.seq,
            at: e.entry.at.to_string(),
            operation: e.entry.operation.to_string(),
            actor: e.entry.actor,
            justification: e.entry.justification,
            recipient: e.entry.recipient,
            message_id: e.entry.message_id,
            details: e.entry.details,
            hash: e.hash,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/journal/search", tag = "audit", security(("bearer" = [])),
    params(crate::http::web::AuditFilter, ("limit" = Option<i64>, Query, description = "at most this many entries (≤ 1000; default 100)")),
    responses((status = 200, body = Vec<EntryView>), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
pub(super) async fn search_journal(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(f): Query<crate::http::web::AuditFilter>,
    Query(page): Query<SearchLimit>,
) -> Result<Json<Vec<EntryView>>, DeskError> {
    let zone = api.desk.profile.zone(&api.desk.node.me.party);
    let query = f.query(&zone, page.limit.unwrap_or(100).clamp(1, 1000))?;
    let entries = api.desk.search_journal(&officer.user, query).await?;
    Ok(Json(entries.into_iter().map(EntryView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/journal", tag = "audit", security(("bearer" = [])),
    params(JournalQuery),
    responses((status = 200, body = Vec<EntryView>), (status = 403, body = DeskError)))]
pub(super) async fn journal(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<JournalQuery>,
) -> Result<Json<Vec<EntryView>>, DeskError> {
    let entries = api
        .desk
        .journal_entries(&officer.user, q.from.unwrap_or(1), q.limit.unwrap_or(100))
        .await?;
    Ok(Json(entries.into_iter().map(EntryView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/journal/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = JournalStatus), (status = 403, body = DeskError)))]
pub(super) async fn verify(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<JournalStatus>, DeskError> {
    Ok(Json(api.desk.verify_journal(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<String>), (status = 403, body = DeskError)))]
pub(super) async fn checkpoints(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<String>>, DeskError> {
    Ok(Json(api.desk.checkpoint_now(&officer.user).await?))
}

#[utoipa::path(get, path = "/api/v1/checkpoints/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<PartnerHistory>), (status = 403, body = DeskError)))]
pub(super) async fn verify_partners(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<PartnerHistory>>, DeskError> {
    Ok(Json(api.desk.verify_partners(&officer.user).await?))
}
