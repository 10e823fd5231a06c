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

mod art18;
mod facts;
mod rebuild;

pub use art18::{Art18Line, Art18Report};
pub(crate) use facts::{facts_of, operation_case};
use facts::{search_keys, subjects_of, NOT_CASES};
pub use rebuild::{rebuild_views, views_missing};

/// Cases a page shows.
pub const PAGE: i64 = 50;

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

    /// The party a liaison officer (attaché) of this node is posted in: the region of the
    /// profile's `liaison_officer` contact point that is the user's unit.
    pub(super) fn posted_in(&self, user: &User) -> Option<String> {
        self.profile
            .parties
            .iter()
            .filter(|p| p.code.as_str() == user.party)
            .flat_map(|p| &p.contact_points)
            .find(|c| c.kind == "liaison_officer" && c.id == user.unit && !c.region.is_empty())
            .map(|c| c.region.clone())
    }

    /// Whether `user` sees the cases of `unit`: all of them with a seeing role, else their own
    /// unit's — never the contact point's by being recorded under `NCP` (that needs the role).
    fn sees_unit(user: &User, unit: &str) -> bool {
        Self::sees_all_cases(user) || (unit == user.unit && unit != crate::accounts::CONTACT_POINT_UNIT)
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
        // A liaison officer posted abroad sees every case with the party of posting, whichever
        // unit holds it: both sides of the exchanges the attaché is there for.
        let posted_in = self.posted_in(user);
        if let Some(country) = &posted_in {
            if partner.as_ref().is_some_and(|p| p != country) {
                return Err(DeskError::forbidden(format!(
                    "{} sees the cases with {country}, where the attaché is posted",
                    user.username
                )));
            }
        }
        let partner = partner.or_else(|| posted_in.clone());
        if posted_in.is_none() && !Self::sees_unit(user, &user.unit) {
            // An account under `NCP` without the contact-point role sees no case.
            return Ok(CasePage {
                cases: Vec::new(),
                next: None,
                counts: Default::default(),
            });
        }
        let unit = (!Self::sees_all_cases(user) && posted_in.is_none()).then(|| user.unit.clone());
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
        // The attaché's counts are its own unit's: the node's totals include other partners.
        let counts = self
            .node
            .store
            .case_counts(unit.as_deref().or(posted_in.as_ref().map(|_| user.unit.as_str())), now)
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
        let posted = self.posted_in(user).is_some_and(|country| country == row.partner);
        if !posted && !Self::sees_unit(user, &row.unit) {
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
            let envelope = serde_json::from_str::<Envelope>(&m.bytes).ok();
            if let Some(e) = envelope.as_ref().filter(|_| m.direction == Direction::Incoming) {
                subjects.extend(subjects_of(&e.body).into_iter().cloned());
            }
            messages.push(self.line(m, envelope.as_ref()).await);
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
            if !Self::sees_unit(user, &o.unit) {
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
}
