//! Cases: the contact point's case list (Directive 2023/977 Art. 16), kept as indexed rows in
//! the same transaction as each message's journal entry.
//!
//! The node derives [`CaseFacts`] from a signed envelope; the store applies them to the case row
//! ([`CaseRow::apply`], a pure function), to the match keys, to the status counts and to the
//! Art. 18 counters. Pages read through the indexes of `0006_cases.sql` and never scan history.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Direction;

/// What a message asks of the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CaseStep {
    /// We owe an answer or an action (a request, a consent request).
    OnUs,
    /// We asked; the partner owes the answer.
    OnPartner,
    /// Information arrived that we have to take up (an answer, spontaneous information).
    TakeNote,
    /// We answered: nothing is owed on either side.
    Answered,
    /// Nothing changes (a notice, a feedback).
    #[default]
    Unchanged,
}

/// What the node derives from a message for its case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The other party's code (`BE`).
    pub partner: String,
    pub partner_node: String,
    /// The partner's unit that wrote or was written to (`NCP` for its contact point).
    pub partner_unit: String,
    pub channel: String,
    /// Our unit the case belongs to.
    pub unit: String,
    /// The message's legal basis (`benelux-2018 Art. 4`).
    pub article: String,
    pub urgent: bool,
    /// The subjects in short, for the list.
    pub title: String,
    /// Match keys of the subjects: `(key, label)`.
    pub keys: Vec<(String, String)>,
    pub step: CaseStep,
    /// Our legal deadline set by this message, with its article.
    pub deadline: Option<(Timestamp, String)>,
    /// A refusal's ground (Art. 18 counts refusals by ground).
    pub refusal_ground: Option<String>,
    /// An answer sent late because a judicial authorisation had to be obtained (2023/977 Art. 5(3)).
    pub judicial_delay: bool,
    /// The first retention review this long after the case closes (0: the default).
    pub review_after_ms: i64,
    /// A provider's correction notice (Directive 2016/680 Art. 7(3)): marks the case and puts
    /// it in the review queue at once.
    pub correction: Option<String>,
}

/// The key of a case's status count: `unit/status`, with the operations board's counted apart.
pub(crate) fn count_key(row: &CaseRow) -> String {
    if row.kind == "operation" {
        format!("{}/operation:{}", row.unit, row.status)
    } else {
        format!("{}/{}", row.unit, row.status)
    }
}

/// The stored statuses; `overdue` is not stored but read from the deadline against the clock.
pub const STATUSES: [&str; 6] = [
    "new",
    "assigned",
    "waiting_for_partner",
    "waiting_for_us",
    "overdue",
    "closed",
];

/// One case as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CaseRow {
    pub case_id: String,
    pub opened_at: String,
    pub opened_ms: i64,
    pub updated_ms: i64,
    /// `in` (a partner opened it) or `out`.
    pub opened_by: String,
    pub partner: String,
    pub partner_node: String,
    pub partner_unit: String,
    pub channel: String,
    pub unit: String,
    pub kind: String,
    pub article: String,
    pub urgent: i64,
    pub title: String,
    pub status: String,
    pub assignee: Option<String>,
    pub deadline_ms: Option<i64>,
    pub deadline_article: Option<String>,
    pub sort_key: String,
    pub last_kind: String,
    pub closed_ms: Option<i64>,
    pub review_ms: Option<i64>,
    pub erased: i64,
    pub rectified: Option<String>,
}

/// Columns of [`CaseRow`] in table order.
pub(crate) const CASE_COLUMNS: &str = "case_id, opened_at, opened_ms, updated_ms, opened_by, partner, partner_node, partner_unit, channel, unit, kind, article, urgent, title, status, assignee, deadline_ms, deadline_article, sort_key, last_kind, closed_ms, review_ms, erased, rectified";

/// [`CASE_COLUMNS`] of the table aliased `c`, for statements that join it.
pub(crate) fn case_columns_of_c() -> String {
    CASE_COLUMNS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Far enough in the future that `MAX_MS - t` stays positive for any plausible time.
const MAX_MS: i64 = 9_999_999_999_999;

/// First retention review this long after a case closes (Directive 2016/680 Art. 5; the default,
/// overridden by the profile's retention data).
pub const DEFAULT_FIRST_REVIEW_MS: i64 = 183 * 24 * 3_600_000;

/// The list's order: cases with a running deadline first, earliest (so overdue) first; then open
/// cases by latest activity; then closed cases by latest activity. Sorts as text.
pub fn sort_key(status: &str, deadline_ms: Option<i64>, updated_ms: i64) -> String {
    match (status, deadline_ms) {
        ("closed", _) => format!("2{:013}", MAX_MS - updated_ms.clamp(0, MAX_MS)),
        (_, Some(d)) => format!("0{:013}", d.clamp(0, MAX_MS)),
        _ => format!("1{:013}", MAX_MS - updated_ms.clamp(0, MAX_MS)),
    }
}

/// The sort key below which every open case with a deadline is overdue at `now`.
pub fn overdue_bound(now: Timestamp) -> String {
    format!("0{:013}", now.as_millisecond().clamp(0, MAX_MS))
}

/// What one message did to the Art. 18 counters: `(year, metric, party, detail)`.
pub type StatKey = (i64, &'static str, String, String);

/// Most rows one multi-row statement of the case views carries: 24 columns × 500 stays well
/// under SQLite's 32,766 bound variables (bulk loads apply thousands of messages at once).
pub const ROWS_PER_STATEMENT: usize = 500;

impl CaseRow {
    /// The case as it stands after a message `kind` in `direction` at `at` with `facts`; `None`
    /// for a new case. Also returns the Art. 18 counters the message adds.
    pub fn apply(
        before: Option<&CaseRow>,
        case_id: &str,
        direction: Direction,
        kind: &str,
        at: Timestamp,
        facts: &CaseFacts,
        first_review_ms: i64,
    ) -> (CaseRow, Vec<StatKey>) {
        let at_ms = at.as_millisecond();
        let mut stats = Vec::new();
        let mut row = match before {
            Some(row) => row.clone(),
            None => CaseRow {
                case_id: case_id.to_owned(),
                opened_at: at.to_string(),
                opened_ms: at_ms,
                updated_ms: at_ms,
                opened_by: match direction {
                    Direction::Incoming => "in",
                    Direction::Outgoing => "out",
                }
                .to_owned(),
                partner: facts.partner.clone(),
                partner_node: facts.partner_node.clone(),
                partner_unit: facts.partner_unit.clone(),
                channel: facts.channel.clone(),
                unit: facts.unit.clone(),
                kind: kind.to_owned(),
                article: facts.article.clone(),
                urgent: i64::from(facts.urgent),
                title: facts.title.clone(),
                status: "new".into(),
                assignee: None,
                deadline_ms: None,
                deadline_article: None,
                sort_key: String::new(),
                last_kind: kind.to_owned(),
                closed_ms: None,
                review_ms: None,
                erased: 0,
                rectified: None,
            },
        };
        // Art. 18(a)–(b): every request sent or received, whether it opens a case or not.
        if kind == "request" {
            let year = year_of(at);
            let urgency = if facts.urgent { "urgent" } else { "non_urgent" };
            let metric = match direction {
                Direction::Incoming => "received",
                Direction::Outgoing => "submitted",
            };
            stats.push((year, metric, facts.partner.clone(), urgency.to_owned()));
        }
        if row.title.is_empty() && !facts.title.is_empty() {
            row.title = facts.title.clone();
        }
        let was_open = row.status != "closed";
        match facts.step {
            CaseStep::OnUs => {
                row.status = if row.assignee.is_some() { "assigned" } else { "new" }.into();
                row.deadline_ms = facts.deadline.as_ref().map(|(d, _)| d.as_millisecond());
                row.deadline_article = facts.deadline.as_ref().map(|(_, a)| a.clone());
                row.closed_ms = None;
                row.review_ms = None;
            }
            CaseStep::OnPartner => {
                row.status = "waiting_for_partner".into();
                row.deadline_ms = None;
                row.deadline_article = None;
                row.closed_ms = None;
                row.review_ms = None;
            }
            // Information on a case where we still owe an answer leaves the answer owed.
            CaseStep::TakeNote if !(was_open && row.deadline_ms.is_some()) => {
                row.status = "waiting_for_us".into();
                row.closed_ms = None;
                row.review_ms = None;
            }
            CaseStep::Answered => {
                row.status = "closed".into();
                row.deadline_ms = None;
                row.deadline_article = None;
                row.closed_ms = Some(at_ms);
                row.review_ms = Some(at_ms.saturating_add(first_review_ms));
            }
            CaseStep::TakeNote | CaseStep::Unchanged => {}
        }
        if let Some(notice) = &facts.correction {
            row.rectified = Some(notice.clone());
            row.review_ms = Some(at_ms);
        }
        row.updated_ms = row.updated_ms.max(at_ms);
        row.last_kind = kind.to_owned();
        row.sort_key = sort_key(&row.status, row.deadline_ms, row.updated_ms);
        (row, stats)
    }

    /// The status an officer sees: `overdue` when an owed answer's deadline has passed.
    pub fn shown_status(&self, now: Timestamp) -> &str {
        match (self.status.as_str(), self.deadline_ms) {
            ("new" | "assigned", Some(d)) if d < now.as_millisecond() => "overdue",
            (s, _) => s,
        }
    }
}

fn year_of(t: Timestamp) -> i64 {
    i64::from(t.to_zoned(jiff::tz::TimeZone::UTC).year())
}

/// The received request an outgoing answer replies to, as the inbox holds it.
#[derive(Debug, Clone)]
pub struct AnsweredRequest {
    pub received_at: Timestamp,
    /// The signed envelope (its `body.urgent` is read).
    pub bytes: String,
    /// Whether this is the first provision or refusal sent on it.
    pub first_answer: bool,
    /// The request's reply deadline as the case held it, if still running.
    pub deadline_ms: Option<i64>,
}

/// Art. 18(b)–(d): what the first answer to a received request adds to the statistics — counted
/// in the year the request was received, by requesting party, urgency and refusal ground.
pub fn answer_stats(request: &AnsweredRequest, facts: &CaseFacts, at: Timestamp) -> Vec<StatKey> {
    if !request.first_answer {
        return Vec::new();
    }
    let urgent = serde_json::from_str::<serde_json::Value>(&request.bytes)
        .ok()
        .and_then(|v| {
            v.get("body")
                .and_then(|b| b.get("urgent"))
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(false);
    let year = year_of(request.received_at);
    let urgency = if urgent { "urgent" } else { "non_urgent" };
    let mut stats = vec![(year, "answered", facts.partner.clone(), urgency.to_owned())];
    if let Some(ground) = &facts.refusal_ground {
        stats.push((year, "refused", facts.partner.clone(), ground.clone()));
    }
    let late = request.deadline_ms.is_some_and(|d| at.as_millisecond() > d);
    if late && facts.judicial_delay {
        stats.push((
            year,
            "late_for_judicial_authorisation",
            facts.partner.clone(),
            urgency.to_owned(),
        ));
    }
    stats
}

/// A change an officer makes to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChange {
    Assign(String),
    Close,
    Reopen,
    /// The retention review decided to keep the case until the next review.
    KeepUntil(i64),
    /// The provider's rectification or withdrawal notice (Directive 2016/680 Art. 7(3)).
    Rectified(String),
    /// The case's personal data were erased (replayed from the journal by a rebuild).
    Erased,
}

impl CaseRow {
    /// What remains of a case whose messages were all erased: its id, when, and that it was.
    pub fn erased_stub(case_id: &str, at: Timestamp) -> CaseRow {
        let at_ms = at.as_millisecond();
        CaseRow {
            case_id: case_id.to_owned(),
            opened_at: at.to_string(),
            opened_ms: at_ms,
            updated_ms: at_ms,
            opened_by: String::new(),
            partner: String::new(),
            partner_node: String::new(),
            partner_unit: String::new(),
            channel: String::new(),
            unit: String::new(),
            kind: "erased".into(),
            article: String::new(),
            urgent: 0,
            title: String::new(),
            status: "closed".into(),
            assignee: None,
            deadline_ms: None,
            deadline_article: None,
            sort_key: sort_key("closed", None, at_ms),
            last_kind: String::new(),
            closed_ms: Some(at_ms),
            review_ms: None,
            erased: 1,
            rectified: None,
        }
    }
}

impl CaseChange {
    /// The case after the change at `at_ms`, or why it cannot be made.
    pub fn applied(&self, row: &CaseRow, at_ms: i64, first_review_ms: i64) -> Result<CaseRow, String> {
        let mut row = row.clone();
        match self {
            CaseChange::Assign(who) => {
                if row.status == "closed" {
                    return Err(format!("case {} is closed: reopen it first", row.case_id));
                }
                row.assignee = Some(who.clone());
                if row.status == "new" {
                    row.status = "assigned".into();
                }
            }
            CaseChange::Close => {
                if row.status == "closed" {
                    return Err(format!("case {} is already closed", row.case_id));
                }
                row.status = "closed".into();
                row.deadline_ms = None;
                row.deadline_article = None;
                row.closed_ms = Some(at_ms);
                row.review_ms = Some(at_ms.saturating_add(first_review_ms));
            }
            CaseChange::Reopen => {
                if row.status != "closed" {
                    return Err(format!("case {} is not closed", row.case_id));
                }
                if row.erased != 0 {
                    return Err(format!("case {} was erased", row.case_id));
                }
                row.status = if row.assignee.is_some() {
                    "assigned"
                } else {
                    "waiting_for_us"
                }
                .into();
                row.closed_ms = None;
                row.review_ms = None;
            }
            CaseChange::KeepUntil(ms) => row.review_ms = Some(*ms),
            CaseChange::Rectified(notice) => row.rectified = Some(notice.clone()),
            CaseChange::Erased => {
                row.title = String::new();
                row.erased = 1;
                row.review_ms = None;
                if row.status != "closed" {
                    row.status = "closed".into();
                    row.deadline_ms = None;
                    row.deadline_article = None;
                    row.closed_ms = Some(at_ms);
                }
            }
        }
        row.updated_ms = row.updated_ms.max(at_ms);
        row.sort_key = sort_key(&row.status, row.deadline_ms, row.updated_ms);
        Ok(row)
    }
}

/// A page of the case list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// One of [`STATUSES`].
    pub status: Option<String>,
    pub partner: Option<String>,
    pub kind: Option<String>,
    pub assignee: Option<String>,
    /// The channel (an operation: its kind).
    pub channel: Option<String>,
    /// Only this unit's cases (an officer outside the contact point).
    pub unit: Option<String>,
    pub urgent: Option<bool>,
    /// Deadline no later than this.
    pub deadline_before: Option<Timestamp>,
    /// Any of these match keys (a subject search).
    pub keys: Vec<String>,
    /// After this position (`sort_key`, `case_id`): the keyset cursor.
    pub after: Option<(String, String)>,
    /// The clock, for `overdue`.
    pub now: Option<Timestamp>,
    /// The operations board's cases (an operation's events) instead of the inbox's.
    pub operations: bool,
    pub limit: i64,
}

/// Another case sharing a match key with one case: the key's label and the other case.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelatedRow {
    pub label: String,
    #[sqlx(flatten)]
    pub case: CaseRow,
}

/// One Art. 18 counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StatRow {
    pub metric: String,
    pub party: String,
    pub detail: String,
    pub n: i64,
}

/// The case views of a node's store.
pub trait CaseStore: Send + Sync {
    /// A page of cases in list order.
    fn cases(
        &self,
        query: CaseQuery,
    ) -> impl std::future::Future<Output = Result<Vec<CaseRow>, crate::StoreError>> + Send;
    /// One case.
    fn case(
        &self,
        case_id: &str,
    ) -> impl std::future::Future<Output = Result<Option<CaseRow>, crate::StoreError>> + Send;
    /// How many cases are in each status at `now` (`overdue` read from the deadlines), for one
    /// unit or all.
    fn case_counts(
        &self,
        unit: Option<&str>,
        now: Timestamp,
    ) -> impl std::future::Future<Output = Result<Vec<(String, i64)>, crate::StoreError>> + Send;
    /// Other cases sharing a match key with `case_id`, at most `limit`.
    fn related_cases(
        &self,
        case_id: &str,
        limit: i64,
    ) -> impl std::future::Future<Output = Result<Vec<RelatedRow>, crate::StoreError>> + Send;
    /// Applies an officer's change and journals it in one transaction.
    fn change_case(
        &self,
        case_id: &str,
        change: CaseChange,
        entry: crate::NewEntry,
    ) -> impl std::future::Future<Output = Result<CaseRow, crate::StoreError>> + Send;
    /// The Art. 18 counters of `year`.
    fn case_stats(
        &self,
        year: i64,
    ) -> impl std::future::Future<Output = Result<Vec<StatRow>, crate::StoreError>> + Send;
    /// Cases whose retention review is due at `now`, oldest first.
    fn reviews_due(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> impl std::future::Future<Output = Result<Vec<CaseRow>, crate::StoreError>> + Send;
    /// Erases a case's personal data: each message's bytes are replaced by its redacted form,
    /// the match keys and the title go, and the erasure is journaled — in one transaction; then
    /// the freed pages are overwritten (SQLite `secure_delete` and a WAL checkpoint; PostgreSQL
    /// `VACUUM FULL` of the tables concerned).
    fn erase_case(
        &self,
        case_id: &str,
        redacted: Vec<(String, String)>,
        entry: crate::NewEntry,
    ) -> impl std::future::Future<Output = Result<crate::Entry, crate::StoreError>> + Send;
    /// Applies a message's case facts outside the message's own transaction: the views rebuilt
    /// from the stored messages (`grens store rebuild-views`).
    fn apply_case_facts(
        &self,
        items: Vec<(crate::MessageMeta, Direction, Timestamp)>,
    ) -> impl std::future::Future<Output = Result<(), crate::StoreError>> + Send;
    /// Applies a change replayed from the journal (a rebuild), without journaling it again; an
    /// erasure of a case whose messages are all erased leaves a stub.
    fn replay_case_change(
        &self,
        case_id: &str,
        change: CaseChange,
        at: Timestamp,
    ) -> impl std::future::Future<Output = Result<(), crate::StoreError>> + Send;
    /// Applies the case facts still waiting in the feed (crate::case_feed); returns how many.
    /// Reads and changes of the views do it themselves; a benchmark waits for it.
    fn apply_pending_cases(&self) -> impl std::future::Future<Output = Result<usize, crate::StoreError>> + Send;
    /// Empties the case views and the feed (before a rebuild).
    fn clear_case_views(&self) -> impl std::future::Future<Output = Result<(), crate::StoreError>> + Send;
}

mod query;
pub(crate) use query::{case_list_sql, CaseBind};

#[cfg(test)]
mod tests;
