//! The data-protection officer's view of the journal (Directive 2016/680 Art. 25): the chain's
//! state, the entries filtered by officer, subject, operation and period in pages of 100, and an
//! export of the filtered entries with their hashes, so they can be checked outside grens.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use store::{JournalQuery, Operation};

use super::Chrome;
use super::{error_page, render, Tr, WebUser};
use crate::desk::DeskError;
use crate::http::api::Api;

const PAGE: i64 = 100;
const EXPORT_LIMIT: i64 = 10_000;
const OPERATIONS: [&str; 6] = [
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
];

pub struct AuditRow {
    seq: i64,
    at: String,
    operation: String,
    actor: String,
    justification: String,
    recipient: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    chrome: Chrome,
    intact: bool,
    status: String,
    filter: AuditFilter,
    operations: [&'static str; 6],
    entries: Vec<AuditRow>,
    /// The query string of the filter, for the export link and the next page.
    query: String,
    next_before: Option<i64>,
}

/// A search of the journal: by actor, operation, data subject and days (the node's zone), paged
/// backwards by sequence number.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub operation: String,
    /// First day, `YYYY-MM-DD`, in the node's zone.
    #[serde(default)]
    pub from: String,
    /// Last day (inclusive).
    #[serde(default)]
    pub to: String,
    #[serde(default, skip_serializing)]
    pub before: Option<i64>,
}

impl AuditFilter {
    /// The journal query, the days read in the node's zone; a bad value is named.
    pub fn query(&self, zone: &jiff::tz::TimeZone, limit: i64) -> Result<JournalQuery, DeskError> {
        let day = |field: &str, text: &str, next: bool| -> Result<Option<jiff::Timestamp>, DeskError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let date: jiff::civil::Date = text
                .parse()
                .map_err(|e| DeskError::invalid(format!("{field}: '{text}' is not a date YYYY-MM-DD ({e})")))?;
            let date = if next {
                date.tomorrow()
                    .map_err(|e| DeskError::invalid(format!("{field}: {e}")))?
            } else {
                date
            };
            date.to_zoned(zone.clone())
                .map(|z| Some(z.timestamp()))
                .map_err(|e| DeskError::invalid(format!("{field}: {e}")))
        };
        let operation = match self.operation.trim() {
            "" => None,
            op => Some(op.parse::<Operation>().map_err(|_| {
                DeskError::invalid(format!("operation: '{op}' is not one of {}", OPERATIONS.join(", ")))
            })?),
        };
        Ok(JournalQuery {
            actor: Some(self.actor.trim().to_owned()).filter(|a| !a.is_empty()),
            operation,
            subject: Some(self.subject.trim().to_owned()).filter(|s| !s.is_empty()),
            since: day("from", &self.from, false)?,
            until: day("to", &self.to, true)?,
            before_seq: self.before,
            details: Vec::new(),
            limit,
        })
    }

    fn describe(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

/// `/audit`: data-protection officer or administrator only.
pub async fn audit(State(api): State<Arc<Api>>, w: WebUser, Query(f): Query<AuditFilter>) -> Response {
    let status = match api.desk.verify_journal(&w.user).await {
        Ok(s) => s,
        Err(e) => return error_page(&w, "/audit", &e),
    };
    let zone = api.desk.profile.zone(&api.desk.node.me.party);
    let found = match f.query(&zone, PAGE + 1) {
        Ok(q) => api.desk.search_journal(&w.user, q).await,
        Err(e) => Err(e),
    };
    let mut found = match found {
        Ok(found) => found,
        Err(e) => return error_page(&w, "/audit", &e),
    };
    let more = found.len() > usize::try_from(PAGE).unwrap_or(100);
    found.truncate(usize::try_from(PAGE).unwrap_or(100));
    let next_before = more.then(|| found.last().map(|e| e.seq)).flatten();
    let entries = found
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: w.t.datetime(e.entry.at, &zone),
            operation: e.entry.operation.to_string(),
            actor: e.entry.actor,
            justification: e.entry.justification,
            recipient: e.entry.recipient.unwrap_or_default(),
        })
        .collect();
    render(
        AuditPage {
            t: w.t,
            chrome: w.chrome("/audit"),
            intact: status.intact,
            status: format!(
                "{} — {} · {} · {}",
                w.t.get(if status.intact { "audit.intact" } else { "audit.broken" }),
                status.node,
                status.length,
                status.problem.unwrap_or(status.head)
            ),
            query: f.describe(),
            filter: f,
            operations: OPERATIONS,
            entries,
            next_before,
        },
        StatusCode::OK,
    )
}

/// RFC 4180 quoting. Fields are exported exactly as hashed (no spreadsheet-formula escaping),
/// so that the chain can be recomputed from the file.
fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `/audit/export`: the filtered entries as CSV with their chain hashes; the export itself is
/// journaled.
pub async fn export(State(api): State<Arc<Api>>, w: WebUser, Query(f): Query<AuditFilter>) -> Response {
    let zone = api.desk.profile.zone(&api.desk.node.me.party);
    let found = match f.query(&zone, EXPORT_LIMIT) {
        Ok(q) => api.desk.search_journal(&w.user, q).await,
        Err(e) => Err(e),
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => return error_page(&w, "/audit", &e),
    };
    if let Err(e) = api.desk.journal_exported(&w.user, &f.describe(), found.len()).await {
        return error_page(&w, "/audit", &e);
    }
    let mut csv =
        String::from("seq,at,operation,actor,justification,recipient,message_id,case_id,details,prev_hash,hash\n");
    for e in found.iter().rev() {
        let n = &e.entry;
        let fields = [
            e.seq.to_string(),
            n.at.to_string(),
            n.operation.to_string(),
            n.actor.clone(),
            n.justification.clone(),
            n.recipient.clone().unwrap_or_default(),
            n.message_id.clone().unwrap_or_default(),
            n.case_id.clone().unwrap_or_default(),
            n.details.to_string(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        csv.push_str(&fields.iter().map(|x| csv_field(x)).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"journal-{}.csv\"", api.desk.node.me.id),
            ),
        ],
        csv,
    )
        .into_response()
}
