//! Cases (Directive 2023/977 Art. 16): the contact point's case list, the case view with its
//! cross-check against other cases (16(1)(d)), assignment and closing, the Art. 18 statistics.
//!
//! Each stored message carries [`CaseFacts`] derived here from its signed envelope; the store
//! keeps the case rows in the same transaction as the message's journal entry, so these pages
//! read only what they show.

use std::collections::BTreeMap;

use jiff::Timestamp;
use protocol::{Body, Envelope, Object, ObjectKind, Person, Subject};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{
    CaseChange, CaseFacts, CaseQuery, CaseRow, CaseStep, CaseStore, Direction, JournalStore, MessageQuery, NewEntry,
    Operation, User,
};
use treaty::rules::deadlines::{Deadline, DeadlineRule};
use treaty::{Action, Profile};

use super::{actor, unit_of, Desk, DeskError, MessageSummary};
use crate::accounts::{has_role, Role};

/// Cases a page shows.
pub const PAGE: i64 = 50;

/// The kinds of message that are not case work: delivery receipts, journal checkpoints and ANPR
/// hotlist traffic (Art. 13) have pages of their own. An operation's events (Titles 3–6) are one
/// case, which the operations board lists instead of the inbox.
const NOT_CASES: &[&str] = &[
    "receipt",
    "journal_checkpoint",
    "anpr_entry",
    "anpr_decision",
    "anpr_withdrawal",
    "anpr_hit",
];

/// The case id of an operation's events: `op:` and the operation's id (hashed when long).
pub(crate) fn operation_case(operation: &str) -> String {
    if operation.len() <= 60 {
        format!("op:{operation}")
    } else {
        use sha2::Digest;
        format!("op:{}", &hex::encode(sha2::Sha256::digest(operation.as_bytes()))[..40])
    }
}

/// The case facts of a message `direction` this node stored at `at`, or `None` when it is no
/// case work.
pub(crate) fn facts_of(
    profile: &Profile,
    envelope: &Envelope,
    direction: Direction,
    at: Timestamp,
) -> Option<CaseFacts> {
    let kind = envelope.body.kind();
    if NOT_CASES.contains(&kind) {
        return None;
    }
    let (partner, ours) = match direction {
        Direction::Incoming => (&envelope.from, &envelope.to),
        Direction::Outgoing => (&envelope.to, &envelope.from),
    };
    let mut facts = CaseFacts {
        partner: partner.party.to_string(),
        partner_node: partner.node.clone(),
        partner_unit: unit_of(partner).to_owned(),
        unit: unit_of(ours).to_owned(),
        article: format!(
            "{} Art. {}",
            envelope.legal_basis.instrument, envelope.legal_basis.article
        ),
        review_after_ms: profile.flags.retention_first_review_days.saturating_mul(86_400_000),
        ..CaseFacts::default()
    };
    let incoming = direction == Direction::Incoming;
    let mut subjects: Vec<&Subject> = Vec::new();
    let mut text = "";
    facts.step = match &envelope.body {
        Body::Request {
            subjects: s,
            text: t,
            urgent,
            directly_accessible,
            channel,
            ..
        } => {
            subjects.extend(s);
            text = t;
            facts.urgent = *urgent;
            facts.channel = serde_json::to_value(channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if incoming {
                // Directive 2023/977 Art. 5(1): the reply's time limit, computed by the engine.
                let decision = treaty::evaluate(
                    profile,
                    &Action::Deadline(Deadline {
                        rule: DeadlineRule::InformationRequestReply,
                        party: envelope.to.party.clone(),
                        start: at,
                        eaw_received: false,
                        urgent: *urgent,
                        directly_accessible: *directly_accessible,
                    }),
                );
                facts.deadline = decision.deadline.map(|d| {
                    (
                        d,
                        decision.articles.first().map(ToString::to_string).unwrap_or_default(),
                    )
                });
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::SpontaneousProvision {
            subjects: s,
            text: t,
            channel,
        } => {
            subjects.extend(s);
            text = t;
            facts.channel = serde_json::to_value(channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::Provision {
            subjects: s,
            text: t,
            delayed_for_judicial_authorisation,
        } => {
            subjects.extend(s);
            text = t;
            facts.judicial_delay = *delayed_for_judicial_authorisation;
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::Refusal {
            ground,
            delayed_for_judicial_authorisation,
            ..
        } => {
            facts.refusal_ground = Some(ground.clone());
            // A late refusal because the judicial authorisation was refused (6(c)) waited for it.
            facts.judicial_delay = *delayed_for_judicial_authorisation || ground.ends_with("6(c)");
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::HitQuery { subject, .. } | Body::ConsultQuery { subject, .. } => {
            subjects.push(subject);
            if incoming {
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::ConsultAnswer { records, .. } => {
            subjects.extend(records);
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::HitAnswer { .. } | Body::HitRefusal { .. } | Body::ConsultRefusal { .. } => {
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::ConsentRequest { .. } | Body::FeedbackRequest { .. } => {
            if incoming {
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::ConsentGrant { .. } | Body::ConsentDenial { .. } | Body::FeedbackAnswer { .. } => {
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::OralRecord { at: spoken, summary } => {
            text = summary;
            // Art. 12(2): the written confirmation within 24 hours, computed by the engine.
            let decision = treaty::evaluate(
                profile,
                &Action::Deadline(Deadline {
                    rule: DeadlineRule::OralConfirmation,
                    party: envelope.from.party.clone(),
                    start: *spoken,
                    eaw_received: false,
                    urgent: false,
                    directly_accessible: false,
                }),
            );
            facts.deadline = decision.deadline.map(|d| {
                (
                    d,
                    decision.articles.first().map(ToString::to_string).unwrap_or_default(),
                )
            });
            CaseStep::OnUs
        }
        Body::Operation(e) => {
            facts.title = truncate(&format!("{} {} → {}", e.kind, e.sending, e.host), 200);
            // The operation's kind, where a message has its channel.
            facts.channel = truncate(&e.kind, 40);
            facts.article = format!(
                "{} Art. {}",
                envelope.legal_basis.instrument, envelope.legal_basis.article
            );
            // The board lists an operation until nothing is owed on it: refused, or ended with
            // its report filed (Art. 46).
            return Some(CaseFacts {
                step: match e.event {
                    protocol::OperationEventKind::Refused | protocol::OperationEventKind::ReportFiled => {
                        CaseStep::Answered
                    }
                    _ => CaseStep::TakeNote,
                },
                ..facts
            });
        }
        Body::DataCorrection {
            correction, text: t, ..
        } if incoming => {
            facts.correction = Some(format!(
                "{} by {}: {}",
                match correction {
                    protocol::Correction::Rectified => "rectified",
                    protocol::Correction::Withdrawn => "withdrawn",
                },
                envelope.from.party,
                truncate(t, 300)
            ));
            CaseStep::TakeNote
        }
        Body::DirectExchangeNotice { summary, .. } => {
            text = summary;
            CaseStep::TakeNote
        }
        _ => CaseStep::Unchanged,
    };
    let mut titles = Vec::new();
    for subject in subjects {
        match subject {
            Subject::Person(p) => {
                titles.push(person_title(p));
                facts.keys.extend(person_keys(p));
            }
            Subject::Object(o) => {
                titles.push(format!("{} {}", object_label(o.kind), o.identifier));
                facts.keys.extend(object_key(o));
            }
            _ => {}
        }
    }
    facts.keys.extend(word_keys(text));
    facts.keys.sort();
    facts.keys.dedup();
    facts.title = truncate(&titles.join("; "), 200);
    Some(facts)
}

/// The persons and objects a message is about.
fn subjects_of(body: &Body) -> Vec<&Subject> {
    match body {
        Body::Request { subjects, .. }
        | Body::SpontaneousProvision { subjects, .. }
        | Body::Provision { subjects, .. } => subjects.iter().collect(),
        Body::HitQuery { subject, .. } | Body::ConsultQuery { subject, .. } => vec![subject],
        Body::ConsultAnswer { records, .. } => records.iter().collect(),
        _ => Vec::new(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

fn person_title(p: &Person) -> String {
    let mut t = p.surname.to_uppercase();
    if !p.given_names.is_empty() {
        t.push_str(", ");
        t.push_str(&p.given_names.join(" "));
    }
    if let Some(d) = p.birth_date {
        t.push_str(&format!(" ({d})"));
    }
    t
}

fn object_label(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Vehicle => "vehicle",
        ObjectKind::Document => "document",
        ObjectKind::Firearm => "firearm",
        ObjectKind::Other => "object",
    }
}

/// A phonetic key per name word, and one for the surname with the first given name in either
/// order (a swapped name, a transliterated one and a misspelt one give the same keys).
pub(crate) fn person_keys(p: &Person) -> Vec<(String, String)> {
    let surname = matching::normalize::name_tokens(&p.surname);
    let given = matching::normalize::name_tokens(&p.given_names.join(" "));
    let mut keys: Vec<(String, String)> = surname
        .iter()
        .chain(&given)
        .map(|w| (format!("n:{}", matching::phonetic::key(w)), "name".to_owned()))
        .collect();
    if let (Some(s), Some(g)) = (surname.first(), given.first()) {
        keys.push((pair_key(s, g), "name and given name".to_owned()));
    }
    for alias in &p.aliases {
        for w in matching::normalize::name_tokens(alias) {
            keys.push((format!("n:{}", matching::phonetic::key(&w)), "alias".to_owned()));
        }
    }
    keys
}

fn pair_key(a: &str, b: &str) -> String {
    let mut pair = [matching::phonetic::key(a), matching::phonetic::key(b)];
    pair.sort();
    format!("np:{}+{}", pair[0], pair[1])
}

/// A plate through the ANPR normaliser; other identifiers without spaces, dashes or case.
fn object_key(o: &Object) -> Option<(String, String)> {
    match o.kind {
        ObjectKind::Vehicle => Some(match anpr::Plate::parse(&o.identifier) {
            Ok(plate) => (format!("v:{plate}"), "plate".to_owned()),
            Err(_) => (format!("v:{}", identifier(&o.identifier)), "plate".to_owned()),
        }),
        kind => {
            let id = identifier(&o.identifier);
            (!id.is_empty()).then(|| (format!("o:{id}"), object_label(kind).to_owned()))
        }
    }
}

fn identifier(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Words of a request's text for the full-text search: folded, four letters or more, at most
/// twelve per message.
fn word_keys(text: &str) -> Vec<(String, String)> {
    let folded = matching::normalize::fold(text);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| w.len() >= 4).collect();
    words.sort_unstable();
    words.dedup();
    words
        .into_iter()
        .take(12)
        .map(|w| (format!("w:{w}"), "text".to_owned()))
        .collect()
}

/// The keys a search for `text` looks up: a plate or an identifier, a name (one word: each
/// spelling of it; several: the surname with a given name, either way round), a word of the text.
pub(crate) fn search_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let tokens = matching::normalize::name_tokens(text);
    if tokens.len() >= 2 {
        for (i, a) in tokens.iter().enumerate() {
            for b in tokens.iter().skip(i + 1) {
                keys.push(pair_key(a, b));
            }
        }
    } else if let Some(word) = tokens.first() {
        keys.push(format!("n:{}", matching::phonetic::key(word)));
        keys.push(format!("w:{word}"));
    }
    if let Ok(plate) = anpr::Plate::parse(text) {
        keys.push(format!("v:{plate}"));
    }
    let id = identifier(text);
    if !id.is_empty() {
        keys.push(format!("v:{id}"));
        keys.push(format!("o:{id}"));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// A filter of the case list, as an officer sets it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// `new`, `assigned`, `waiting_for_partner`, `waiting_for_us`, `overdue` or `closed`.
    pub status: Option<String>,
    /// The partner party (`NL`).
    pub partner: Option<String>,
    /// The kind of the message that opened the case (`request`, `hit_query`, …).
    pub kind: Option<String>,
    /// The assignee's user name; `me` for oneself.
    pub assignee: Option<String>,
    pub urgent: Option<bool>,
    /// Only cases whose deadline falls within this many hours from now (overdue included).
    pub due_within_hours: Option<i64>,
    /// A person's name, a plate, a document number or a word of the text.
    pub q: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// One line of the case list.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub id: String,
    /// As the officer sees it now (`overdue` when an owed answer is late).
    pub status: String,
    pub partner: String,
    pub partner_unit: String,
    /// Our unit.
    pub unit: String,
    /// The kind of the message that opened it.
    pub kind: String,
    pub last_kind: String,
    /// `in`: the partner opened it; `out`: we did.
    pub opened_by: String,
    pub article: String,
    pub channel: String,
    pub urgent: bool,
    /// Its subjects, in short (empty once erased).
    pub title: String,
    pub assignee: Option<String>,
    /// Our next deadline, local time.
    pub deadline: Option<String>,
    pub deadline_article: Option<String>,
    pub opened: String,
    pub updated: String,
    pub erased: bool,
    /// The provider's rectification or withdrawal notice.
    pub rectified: Option<String>,
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// Cases per status (all of them, not only this page's).
    pub counts: BTreeMap<String, i64>,
}

/// Another case about the same subject.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RelatedCase {
    pub case: CaseSummary,
    /// Why: the kinds of keys they share (`name and given name`, `plate`, …).
    pub reasons: Vec<String>,
    /// The same request again: received from the same party about the same person or object,
    /// within 30 days, through another channel or from another unit (or the same one twice).
    pub duplicate: bool,
}

/// A case opened by an officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case: CaseSummary,
    /// Its messages in order.
    pub messages: Vec<MessageSummary>,
    /// The cross-check (Directive 2023/977 Art. 16(1)(d)).
    pub related: Vec<RelatedCase>,
    /// A warning when a related case is the same request again.
    pub duplicate_warning: Option<String>,
    /// The case's persons and objects found in this node's own national databases.
    pub national: Vec<NationalMatch>,
}

/// A subject of the case found in one of this node's national databases.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NationalMatch {
    pub database: String,
    /// The record's id there.
    pub record: String,
    /// Why it matched (the matching engine's reasons, or the identifier).
    pub reasons: Vec<String>,
}

/// An officer's change to a case.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    Assign { to: String, reason: String },
    Close { reason: String },
    Reopen { reason: String },
}

/// Directive 2023/977 Art. 18: one year's statistics.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Art18Report {
    pub year: i64,
    /// (a) requests submitted, by addressed party and urgency.
    pub submitted: Vec<Art18Line>,
    /// (b) requests received, by requesting party and urgency.
    pub received: Vec<Art18Line>,
    /// (b) of those, answered.
    pub answered: Vec<Art18Line>,
    /// (c) refusals by requesting party and ground.
    pub refused: Vec<Art18Line>,
    /// (d) answers late because a judicial authorisation had to be obtained (Art. 5(3)).
    pub late_for_judicial_authorisation: Vec<Art18Line>,
}

/// One count of the Art. 18 report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Art18Line {
    pub party: String,
    /// `urgent`/`non_urgent`, or a refusal's ground.
    pub detail: String,
    pub count: i64,
}

const STATUS_VALUES: [&str; 6] = store::cases::STATUSES;

/// Validates a cursor: `<sort key>.<case id>`.
pub(crate) fn parse_cursor(cursor: &str) -> Result<(String, String), DeskError> {
    let bad = || {
        DeskError::invalid(format!(
            "cursor '{cursor}' is not one this node gave (use the page's `next`)"
        ))
    };
    let (key, id) = cursor.split_once('.').ok_or_else(bad)?;
    if key.len() != 14 || !key.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() || id.len() > 64 {
        return Err(bad());
    }
    Ok((key.to_owned(), id.to_owned()))
}

impl Desk {
    /// Sees every case of the node: the contact point, supervisors, the DPO; others their unit's.
    fn sees_all_cases(user: &User) -> bool {
        [Role::ContactPoint, Role::Supervisor, Role::Dpo]
            .iter()
            .any(|r| has_role(user, *r))
    }

    pub(super) fn case_summary(&self, row: &CaseRow) -> CaseSummary {
        let now = self.now();
        let local = |ms: i64| {
            Timestamp::from_millisecond(ms)
                .map(|t| self.local(t))
                .unwrap_or_default()
        };
        CaseSummary {
            id: row.case_id.clone(),
            status: row.shown_status(now).to_owned(),
            partner: row.partner.clone(),
            partner_unit: row.partner_unit.clone(),
            unit: row.unit.clone(),
            kind: row.kind.clone(),
            last_kind: row.last_kind.clone(),
            opened_by: row.opened_by.clone(),
            article: row.article.clone(),
            channel: row.channel.clone(),
            urgent: row.urgent != 0,
            title: row.title.clone(),
            assignee: row.assignee.clone(),
            deadline: row.deadline_ms.map(local),
            deadline_article: row.deadline_article.clone(),
            opened: local(row.opened_ms),
            updated: local(row.updated_ms),
            erased: row.erased != 0,
            rectified: row.rectified.clone(),
        }
    }

    /// A page of the case list: running deadlines first (overdue at the top), 50 a page.
    pub async fn cases(&self, user: &User, filter: &CaseFilter) -> Result<CasePage, DeskError> {
        let status = filter.status.clone().filter(|s| !s.is_empty());
        if let Some(s) = &status {
            if !STATUS_VALUES.contains(&s.as_str()) {
                return Err(DeskError::invalid(format!(
                    "status '{s}' is not one of {}",
                    STATUS_VALUES.join(", ")
                )));
            }
        }
        let partner = match filter.partner.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(super::party(p)?.to_string()),
            None => None,
        };
        let kind = filter.kind.clone().filter(|k| !k.is_empty());
        if let Some(k) = &kind {
            if k.len() > 40 || !k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(DeskError::invalid(format!("kind '{k}' is not a message kind")));
            }
        }
        let assignee = match filter.assignee.as_deref().filter(|a| !a.is_empty()) {
            Some("me") => Some(user.username.clone()),
            Some(a) if a.len() <= 64 => Some(a.to_owned()),
            Some(_) => return Err(DeskError::invalid("assignee: at most 64 characters")),
            None => None,
        };
        let now = self.now();
        let deadline_before = match filter.due_within_hours {
            Some(h) if !(0..=24 * 366).contains(&h) => {
                return Err(DeskError::invalid(format!(
                    "due_within_hours {h} is outside 0…{}",
                    24 * 366
                )))
            }
            Some(h) => Some(now + jiff::SignedDuration::from_hours(h)),
            None => None,
        };
        let keys = match filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) if q.chars().count() > 200 => return Err(DeskError::invalid("q: at most 200 characters")),
            Some(q) => {
                let keys = search_keys(q);
                if keys.is_empty() {
                    return Err(DeskError::invalid(format!(
                        "q '{q}' has no letters or digits to search for"
                    )));
                }
                keys
            }
            None => Vec::new(),
        };
        let after = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(parse_cursor(c)?),
            None => None,
        };
        let unit = (!Self::sees_all_cases(user)).then(|| user.unit.clone());
        let mut rows = self
            .node
            .store
            .cases(CaseQuery {
                status,
                partner,
                kind,
                assignee,
                unit: unit.clone(),
                urgent: filter.urgent,
                deadline_before,
                keys,
                after,
                now: Some(now),
                limit: PAGE + 1,
                ..CaseQuery::default()
            })
            .await?;
        let next = if rows.len() > PAGE as usize {
            rows.truncate(PAGE as usize);
            rows.last().map(|r| format!("{}.{}", r.sort_key, r.case_id))
        } else {
            None
        };
        let counts = self
            .node
            .store
            .case_counts(unit.as_deref(), now)
            .await?
            .into_iter()
            .collect();
        Ok(CasePage {
            cases: rows.iter().map(|r| self.case_summary(r)).collect(),
            next,
            counts,
        })
    }

    pub(super) async fn load_case(&self, user: &User, id: &str) -> Result<CaseRow, DeskError> {
        if id.is_empty() || id.len() > 64 {
            return Err(DeskError::invalid("case id: 1 to 64 characters"));
        }
        let row = self
            .node
            .store
            .case(id)
            .await?
            .ok_or_else(|| DeskError::not_found(format!("no case {id} on this node")))?;
        if !Self::sees_all_cases(user) && row.unit != user.unit {
            return Err(DeskError::forbidden(format!(
                "case {id} belongs to another unit than {}",
                user.unit
            )));
        }
        Ok(row)
    }

    /// Opens a case: its messages, the other cases about the same subjects and a duplicate
    /// warning; the consultation is journaled.
    pub async fn case_view(&self, user: &User, id: &str) -> Result<CaseView, DeskError> {
        let row = self.load_case(user, id).await?;
        let stored = self
            .node
            .store
            .messages(MessageQuery {
                case_id: Some(id.to_owned()),
                limit: Some(500),
                ..MessageQuery::default()
            })
            .await?;
        let mut messages = Vec::new();
        let mut subjects: Vec<Subject> = Vec::new();
        for m in &stored {
            // An erased message's envelope no longer parses as one: shown as erased.
            match serde_json::from_str::<Envelope>(&m.bytes) {
                Ok(e) => {
                    if m.direction == Direction::Incoming {
                        subjects.extend(subjects_of(&e.body).into_iter().cloned());
                    }
                    messages.push(self.summary(m, &e).await?)
                }
                Err(_) => messages.push(MessageSummary {
                    id: m.message_id.clone(),
                    case: m.meta.case_id.clone(),
                    in_reply_to: m.meta.in_reply_to.clone(),
                    direction: m.direction,
                    kind: m.meta.kind.clone(),
                    from: String::new(),
                    to: String::new(),
                    at: self.local(m.at),
                    delivery: m.state.clone(),
                    deadline: None,
                }),
            }
        }
        // 16(1)(d): the other cases sharing a strong key, with the kinds of key they share.
        let mut by_case: Vec<(CaseRow, Vec<String>)> = Vec::new();
        for r in self.node.store.related_cases(id, 200).await? {
            match by_case.iter_mut().find(|(c, _)| c.case_id == r.case.case_id) {
                Some((_, reasons)) if !reasons.contains(&r.label) => reasons.push(r.label),
                Some(_) => {}
                None => by_case.push((r.case, vec![r.label])),
            }
        }
        let mut related = Vec::new();
        let mut duplicate_warning = None;
        for (o, reasons) in by_case {
            if !Self::sees_all_cases(user) && o.unit != user.unit {
                continue;
            }
            let duplicate = row.opened_by == "in"
                && o.opened_by == "in"
                && row.kind == o.kind
                && row.partner == o.partner
                && (row.opened_ms - o.opened_ms).abs() <= 30 * 86_400_000;
            if duplicate && duplicate_warning.is_none() {
                let how = if o.channel != row.channel {
                    format!("through another channel ({} and {})", o.channel, row.channel)
                } else if o.partner_unit != row.partner_unit {
                    format!("from another unit ({} and {})", o.partner_unit, row.partner_unit)
                } else {
                    "twice through the same channel".to_owned()
                };
                duplicate_warning = Some(format!(
                    "{} sent the same {} about the same subject {how}: case {} (Directive 2023/977 Art. 16(1)(d))",
                    o.partner, o.kind, o.case_id
                ));
            }
            related.push(RelatedCase {
                case: self.case_summary(&o),
                reasons,
                duplicate,
            });
            if related.len() >= 20 {
                break;
            }
        }
        related.sort_by_key(|r| !r.duplicate);
        let national = self.national_matches(&subjects);
        self.journal(
            &actor(user),
            if national.is_empty() { Operation::Consultation } else { Operation::Combination },
            &format!("opened case {id}, cross-checked against open cases and the national databases (Directive 2023/977 Art. 16(1)(d))"),
            None,
            json!({ "case": id, "related": related.len(), "duplicate": duplicate_warning.is_some(), "national_matches": national.len() }),
        )
        .await?;
        Ok(CaseView {
            case: self.case_summary(&row),
            messages,
            related,
            duplicate_warning,
            national,
        })
    }

    /// Assigns, closes or reopens a case, with a reason; journaled with the change.
    pub async fn change_case(&self, user: &User, id: &str, action: &CaseAction) -> Result<CaseSummary, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Officer, Role::Supervisor])?;
        self.load_case(user, id).await?;
        let (change, reason, what, details) = match action {
            CaseAction::Assign { to, reason } => {
                let assignee = self
                    .node
                    .store
                    .user(to)
                    .await?
                    .ok_or_else(|| DeskError::invalid(format!("to: no user {to} on this node")))?;
                if assignee.party != self.node.me.party.to_string() {
                    return Err(DeskError::invalid(format!("to: {to} is not of {}", self.node.me.party)));
                }
                let details = json!({ "case_change": "assign", "to": assignee.username });
                (
                    CaseChange::Assign(assignee.username),
                    reason,
                    format!("assigned to {to}"),
                    details,
                )
            }
            CaseAction::Close { reason } => (
                CaseChange::Close,
                reason,
                "closed".to_owned(),
                json!({ "case_change": "close" }),
            ),
            CaseAction::Reopen { reason } => (
                CaseChange::Reopen,
                reason,
                "reopened".to_owned(),
                json!({ "case_change": "reopen" }),
            ),
        };
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(DeskError::invalid("reason: 1 to 500 characters"));
        }
        let row = self
            .node
            .store
            .change_case(
                id,
                change,
                NewEntry {
                    at: self.now(),
                    operation: Operation::Alteration,
                    actor: actor(user),
                    justification: format!("case {what}: {reason} (Directive 2023/977 Art. 16(1)(e))"),
                    recipient: None,
                    message_id: None,
                    case_id: Some(id.to_owned()),
                    details,
                },
            )
            .await?;
        Ok(self.case_summary(&row))
    }

    /// 16(1)(d): the case's subjects in this node's own police databases (not the public
    /// registers), best matches first, at most five per subject and database.
    fn national_matches(&self, subjects: &[Subject]) -> Vec<NationalMatch> {
        let mut found = Vec::new();
        for db in self.node.databases.iter().filter(|d| !d.is_register()) {
            for subject in subjects.iter().take(10) {
                match subject {
                    Subject::Person(p) => {
                        for m in db.persons(&super::hits::query_of(p)).into_iter().take(5) {
                            found.push(NationalMatch {
                                database: db.id().to_owned(),
                                record: m.id,
                                reasons: m.reasons,
                            });
                        }
                    }
                    Subject::Object(o) => {
                        let kind = match o.kind {
                            ObjectKind::Vehicle => crate::national::ObjectKind::Vehicle,
                            ObjectKind::Document => crate::national::ObjectKind::Document,
                            ObjectKind::Firearm => crate::national::ObjectKind::Firearm,
                            ObjectKind::Other => continue,
                        };
                        for record in db.objects(kind, &o.identifier).into_iter().take(5) {
                            found.push(NationalMatch {
                                database: db.id().to_owned(),
                                record,
                                reasons: vec![format!("identifier {}", o.identifier)],
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        found
    }

    /// The messages of a case the list links to: id and kind, oldest first (at most 20).
    pub async fn case_messages(&self, case_id: &str) -> Result<Vec<(String, String)>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                case_id: Some(case_id.to_owned()),
                limit: Some(20),
                ..MessageQuery::default()
            })
            .await?
            .into_iter()
            .filter(|m| !NOT_CASES.contains(&m.meta.kind.as_str()))
            .map(|m| (m.message_id, m.meta.kind))
            .collect())
    }

    /// Directive 2023/977 Art. 18: the statistics of `year`, counted as messages were stored.
    pub async fn art18(&self, user: &User, year: i64) -> Result<Art18Report, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Supervisor, Role::Dpo])?;
        if !(2000..=2100).contains(&year) {
            return Err(DeskError::invalid(format!("year {year} is outside 2000…2100")));
        }
        let mut report = Art18Report {
            year,
            submitted: Vec::new(),
            received: Vec::new(),
            answered: Vec::new(),
            refused: Vec::new(),
            late_for_judicial_authorisation: Vec::new(),
        };
        for s in self.node.store.case_stats(year).await? {
            let line = Art18Line {
                party: s.party,
                detail: s.detail,
                count: s.n,
            };
            match s.metric.as_str() {
                "submitted" => report.submitted.push(line),
                "received" => report.received.push(line),
                "answered" => report.answered.push(line),
                "refused" => report.refused.push(line),
                "late_for_judicial_authorisation" => report.late_for_judicial_authorisation.push(line),
                _ => {}
            }
        }
        Ok(report)
    }
}

impl Art18Report {
    /// The report as CSV: `section,party,detail,count`.
    pub fn csv(&self) -> String {
        let mut out = String::from("section,party,detail,count\n");
        for (section, lines) in [
            ("submitted", &self.submitted),
            ("received", &self.received),
            ("answered", &self.answered),
            ("refused", &self.refused),
            ("late_for_judicial_authorisation", &self.late_for_judicial_authorisation),
        ] {
            for l in lines {
                out.push_str(&format!(
                    "{section},{},{},{}\n",
                    l.party,
                    l.detail.replace(',', ";"),
                    l.count
                ));
            }
        }
        out
    }
}

/// Rebuilds the case views (cases, match keys, status counts, Art. 18 counters) by replaying the
/// journal in order: each message stored (its entry names it), each officer's change to a case
/// (assign, close, reopen, keep) and each erasure — after an upgrade that added the views
/// (`grens store rebuild-views`; a node does it itself when it finds messages and no cases).
/// Returns the messages applied and those left out (unreadable or erased).
pub async fn rebuild_views(store: &store::AnyStore, profile: &Profile) -> Result<(usize, usize), store::StoreError> {
    store.clear_case_views().await?;
    let (length, _) = store.head().await?;
    let (mut rebuilt, mut unreadable) = (0, 0);
    let mut applied = std::collections::HashSet::new();
    let mut from = 1;
    while from <= length {
        let to = (from + 1_999).min(length);
        let entries = store.entries(from, to).await?;
        from = to + 1;
        let mut items = Vec::new();
        for e in entries {
            let entry = &e.entry;
            let stored = matches!(entry.operation, Operation::Collection | Operation::Disclosure)
                && entry.details.get("kind").is_some();
            if let (true, Some(id)) = (stored, entry.message_id.as_deref()) {
                if !applied.insert(id.to_owned()) {
                    continue;
                }
                let found = store
                    .messages(MessageQuery {
                        message_id: Some(id.to_owned()),
                        ..MessageQuery::default()
                    })
                    .await?;
                // A local notice is stored once, as received.
                let Some(m) = found.into_iter().min_by_key(|m| m.direction == Direction::Outgoing) else {
                    continue;
                };
                match serde_json::from_str::<Envelope>(&m.bytes) {
                    Ok(envelope) => {
                        items.push((crate::meta_of(profile, &envelope, m.direction, m.at), m.direction, m.at));
                        rebuilt += 1;
                    }
                    Err(_) => unreadable += 1,
                }
                continue;
            }
            let Some(case) = entry.case_id.as_deref() else { continue };
            let change = match (
                entry.operation,
                entry.details.get("case_change").and_then(|c| c.as_str()),
            ) {
                (Operation::Erasure, _) => Some(CaseChange::Erased),
                (_, Some("assign")) => entry.details["to"].as_str().map(|to| CaseChange::Assign(to.to_owned())),
                (_, Some("close")) => Some(CaseChange::Close),
                (_, Some("reopen")) => Some(CaseChange::Reopen),
                _ => entry.details["until"]
                    .as_str()
                    .filter(|_| entry.details["retention"] == "kept")
                    .and_then(|u| u.parse::<Timestamp>().ok())
                    .map(|u| CaseChange::KeepUntil(u.as_millisecond())),
            };
            if let Some(change) = change {
                // The messages before it first, so the change finds its case as it was.
                store.apply_case_facts(std::mem::take(&mut items)).await?;
                store.replay_case_change(case, change, entry.at).await?;
            }
        }
        store.apply_case_facts(items).await?;
    }
    Ok((rebuilt, unreadable))
}

/// Whether the store holds messages but no case views (a store from before cases existed).
pub async fn views_missing(store: &store::AnyStore) -> Result<bool, store::StoreError> {
    let any_case = !store
        .cases(CaseQuery {
            limit: 1,
            ..CaseQuery::default()
        })
        .await?
        .is_empty()
        || !store
            .cases(CaseQuery {
                limit: 1,
                operations: true,
                ..CaseQuery::default()
            })
            .await?
            .is_empty();
    let any_message = !store
        .messages(MessageQuery {
            limit: Some(1),
            ..MessageQuery::default()
        })
        .await?
        .is_empty();
    Ok(any_message && !any_case)
}
