//! `/transfers`: the documentation of this node's transfers to third countries (Directive
//! 2016/680 Arts. 37(3), 38(3), 39(4)) for the DPO and supervisors — a page at a time, newest
//! first, filtered by period — and `/transfers.json`, the same records for the supervisory
//! authority.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{error_page, render, Chrome, Tr, WebUser};
use crate::desk::{TransferRecord, TransferRecordsQuery};
use crate::http::api::Api;

/// How many records a page shows.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "transfers.html")]
struct TransfersPage {
    t: Tr,
    chrome: Chrome,
    records: Vec<TransferRecord>,
    since: String,
    until: String,
    /// The next page's `before`, when this one is full.
    older: Option<i64>,
}

fn page_query(q: &TransferRecordsQuery) -> TransferRecordsQuery {
    TransferRecordsQuery {
        limit: Some(q.limit.unwrap_or(PAGE)),
        ..q.clone()
    }
}

pub(super) async fn page(State(api): State<Arc<Api>>, w: WebUser, Query(q): Query<TransferRecordsQuery>) -> Response {
    let q = page_query(&q);
    match api.desk.transfer_records(&w.user, &q).await {
        Ok(records) => {
            let older = (records.len() as i64 == q.limit.unwrap_or(PAGE))
                .then(|| records.last().map(|r| r.seq))
                .flatten();
            render(
                TransfersPage {
                    t: w.t,
                    chrome: w.chrome("/transfers"),
                    records,
                    since: q.since.clone().unwrap_or_default(),
                    until: q.until.clone().unwrap_or_default(),
                    older,
                },
                StatusCode::OK,
            )
        }
        Err(e) => error_page(&w, "/transfers", &e),
    }
}

pub(super) async fn export(State(api): State<Arc<Api>>, w: WebUser, Query(q): Query<TransferRecordsQuery>) -> Response {
    let q = TransferRecordsQuery {
        limit: Some(q.limit.unwrap_or(500)),
        ..q
    };
    match api.desk.transfer_records(&w.user, &q).await {
        Ok(records) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"chapter-v-transfers.json\"".to_owned(),
                ),
            ],
            serde_json::to_string_pretty(&records).unwrap_or_else(|_| "[]".into()),
        )
            .into_response(),
        Err(e) => error_page(&w, "/transfers", &e),
    }
}
