//! Reading: the inbox, a message with its legal clock, and what the treaty allows on it now.

use super::*;
use treaty::rules::deadlines::{Deadline, DeadlineRule};
use treaty::rules::exchange;

use crate::accounts::{has_role, Role, CONTACT_POINT_UNIT};
use jiff::Timestamp;
use protocol::{Body, Envelope};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Direction, JournalStore, MessageQuery, Operation, StoredMessage, User};
use treaty::Verdict;

/// A legal clock on a message.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// What must happen by then.
    pub what: String,
    /// RFC 3339 in this node's local time.
    pub due: String,
    pub article: String,
    /// Done (answered, confirmed).
    pub met: bool,
    /// Not done and past due.
    pub overdue: bool,
}

/// A line of the inbox.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageSummary {
    pub id: String,
    pub case: Option<String>,
    pub in_reply_to: Option<String>,
    /// `incoming` or `outgoing`.
    #[schema(value_type = String)]
    pub direction: Direction,
    pub kind: String,
    pub from: String,
    pub to: String,
    /// Received or queued at, local time.
    pub at: String,
    /// Outgoing: pending, delivered or refused.
    pub delivery: Option<String>,
    pub deadline: Option<DeadlineView>,
    /// Why the line shows less than usual: `erased`, or why the stored record cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Kinds the inbox leaves to their own pages: the operations board's events (Titles 3–6) and the
/// transport's receipts and checkpoints.
const NOT_IN_INBOX: &[&str] = &["operation", "receipt", "journal_checkpoint"];

/// A page of the inbox: `?before=<message id>&limit=N` (default 100, at most 500).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxPage {
    /// The last message id of the previous page.
    pub before: Option<String>,
    pub limit: Option<i64>,
}

/// A message opened by an officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageView {
    pub summary: MessageSummary,
    /// The signed envelope as received or sent.
    #[schema(value_type = Object)]
    pub envelope: Value,
    /// The detached JWS over it.
    pub signature: String,
    /// Art. 8: the classification in this officer's national marking.
    pub marking: Option<String>,
    /// Consent conditions in force for this data (Art. 11(3)).
    pub conditions: Vec<String>,
    /// What the treaty allows now, each with its decision.
    pub actions: Vec<ActionView>,
    /// The other messages of the case, in order.
    pub case_history: Vec<MessageSummary>,
}

/// An action on a message and whether the treaty allows it now.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionView {
    pub action: String,
    pub allowed: bool,
    pub articles: Vec<String>,
    pub reasons: Vec<String>,
}

impl Desk {
    /// A stored message and its envelope, if this user may see it.
    pub(super) async fn load(&self, user: &User, id: &str) -> Result<(StoredMessage, Envelope), DeskError> {
        let found = self
            .node
            .store
            .messages(MessageQuery {
                message_id: Some(id.to_owned()),
                ..MessageQuery::default()
            })
            .await?;
        // A notice stored locally is both sent and received; the incoming copy is the one read.
        let message = found
            .into_iter()
            .min_by_key(|m| m.direction == Direction::Outgoing)
            .ok_or_else(|| DeskError::not_found(format!("no message {id} on this node")))?;
        // An erased message keeps only a stub without its content (Directive 2016/680 Art. 16).
        if message.bytes.starts_with("{\"erased\"") {
            return Err(DeskError::not_found(format!(
                "message {id} was erased; its case's journal says when and why"
            )));
        }
        let envelope: Envelope = serde_json::from_str(&message.bytes)
            .map_err(|e| DeskError::unavailable(format!("stored message {id} is unreadable: {e}")))?;
        if !self.may_see(user, &message, &envelope) {
            return Err(DeskError::forbidden(format!(
                "message {id} belongs to another unit than {}",
                user.unit
            )));
        }
        Ok((message, envelope))
    }

    /// The contact point, the supervisor and the DPO see every message of the node.
    pub(super) fn sees_everything(&self, user: &User) -> bool {
        [Role::ContactPoint, Role::Supervisor, Role::Dpo]
            .iter()
            .any(|r| has_role(user, *r))
    }

    pub(super) fn may_see(&self, user: &User, message: &StoredMessage, envelope: &Envelope) -> bool {
        if self.sees_everything(user) {
            return true;
        }
        let (local, partner) = match message.direction {
            Direction::Incoming => (&envelope.to, &envelope.from),
            Direction::Outgoing => (&envelope.from, &envelope.to),
        };
        // The attaché sees both sides' messages with the party of posting.
        if self
            .posted_in(user)
            .is_some_and(|country| country == partner.party.as_str())
        {
            return true;
        }
        // The contact point's messages need the contact-point role, whatever unit an account
        // was given: an administrator recorded under `NCP` reads nothing by it.
        let unit = unit_of(local);
        unit != CONTACT_POINT_UNIT && unit == user.unit
    }

    /// Received messages of `kind` this node has not answered yet, oldest first: the work
    /// queues of consent decisions and of the automatic answers (Arts. 13–17). Read through the
    /// store's index of unanswered messages (an answer marks what it replies to), so the cost
    /// follows the queue, not the history.
    pub(super) async fn unanswered(&self, kind: &str) -> Result<Vec<StoredMessage>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                kind: Some(kind.into()),
                unanswered: true,
                limit: Some(1_000),
                ..MessageQuery::default()
            })
            .await?)
    }

    /// The stored messages of `kind` in `direction`, oldest first, each with its envelope (a
    /// message whose stored bytes do not parse is left out).
    pub(super) async fn envelopes(
        &self,
        kind: &str,
        direction: Direction,
    ) -> Result<Vec<(StoredMessage, Envelope)>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                kind: Some(kind.into()),
                direction: Some(direction),
                ..MessageQuery::default()
            })
            .await?
            .into_iter()
            .filter_map(|m| serde_json::from_str::<Envelope>(&m.bytes).ok().map(|e| (m, e)))
            .collect())
    }

    pub(super) async fn replies_to(&self, id: &str) -> Result<Vec<StoredMessage>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                in_reply_to: Some(id.to_owned()),
                ..MessageQuery::default()
            })
            .await?)
    }

    /// The legal clock on a message, if it has one: the reply to a received request
    /// (Directive 2023/977 Art. 5) or the written confirmation of an oral exchange (Art. 12(2)).
    pub(super) async fn deadline_of(
        &self,
        message: &StoredMessage,
        envelope: &Envelope,
        known_replies: Option<&[StoredMessage]>,
    ) -> Result<Option<DeadlineView>, DeskError> {
        let (view, what, answered_by): (DecisionView, &str, &[&str]) = match (&envelope.body, message.direction) {
            (
                Body::Request {
                    urgent,
                    directly_accessible,
                    ..
                },
                Direction::Incoming,
            ) => (
                self.decide(Action::Deadline(Deadline {
                    rule: DeadlineRule::InformationRequestReply,
                    party: self.node.me.party.clone(),
                    start: message.at,
                    eaw_received: false,
                    urgent: *urgent,
                    directly_accessible: *directly_accessible,
                }))?
                .0,
                "answer the request",
                &["provision", "refusal"],
            ),
            (Body::OralRecord { at, .. }, _) => (
                self.decide(Action::Deadline(Deadline {
                    rule: DeadlineRule::OralConfirmation,
                    party: self.node.me.party.clone(),
                    start: *at,
                    eaw_received: false,
                    urgent: false,
                    directly_accessible: false,
                }))?
                .0,
                "confirm the oral exchange in writing",
                &["request", "provision", "spontaneous_provision"],
            ),
            _ => return Ok(None),
        };
        let Some(due) = view.decision.get("deadline").and_then(Value::as_str).map(str::to_owned) else {
            return Ok(None);
        };
        let due_at: Timestamp = due
            .parse()
            .map_err(|e| DeskError::unavailable(format!("deadline '{due}': {e}")))?;
        let fetched;
        let replies = match known_replies {
            Some(r) => r,
            None => {
                fetched = self.replies_to(&message.message_id).await?;
                &fetched
            }
        };
        let met = replies
            .iter()
            .any(|r| r.direction == Direction::Outgoing && answered_by.contains(&r.meta.kind.as_str()));
        Ok(Some(DeadlineView {
            what: what.to_owned(),
            due,
            article: view.articles.first().cloned().unwrap_or_default(),
            met,
            overdue: !met && self.now() > due_at,
        }))
    }

    pub(super) async fn summary(
        &self,
        message: &StoredMessage,
        envelope: &Envelope,
    ) -> Result<MessageSummary, DeskError> {
        self.summary_with(message, envelope, None).await
    }

    pub(super) async fn summary_with(
        &self,
        message: &StoredMessage,
        envelope: &Envelope,
        replies: Option<&[StoredMessage]>,
    ) -> Result<MessageSummary, DeskError> {
        Ok(MessageSummary {
            id: message.message_id.clone(),
            case: message.meta.case_id.clone(),
            in_reply_to: message.meta.in_reply_to.clone(),
            direction: message.direction,
            kind: message.meta.kind.clone(),
            from: envelope.from.to_string(),
            to: envelope.to.to_string(),
            at: self.local(message.at),
            delivery: message.state.clone(),
            deadline: self.deadline_of(message, envelope, replies).await?,
            problem: None,
        })
    }

    /// A message's line whatever its record holds: the erased stub or a record that can no
    /// longer be read shows as such (with the reason) instead of failing the whole list.
    pub(super) async fn line(&self, message: &StoredMessage, envelope: Option<&Envelope>) -> MessageSummary {
        let problem = match envelope {
            Some(e) => match self.summary(message, e).await {
                Ok(summary) => return summary,
                Err(e) => e.message,
            },
            None if message.bytes.starts_with("{\"erased\"") => "erased".to_owned(),
            None => match serde_json::from_str::<Envelope>(&message.bytes) {
                Ok(e) => return Box::pin(self.line(message, Some(&e))).await,
                Err(e) => format!("the stored record cannot be read: {e}"),
            },
        };
        if problem != "erased" {
            tracing::warn!(message = %message.message_id, %problem, "message shown without its content");
        }
        MessageSummary {
            id: message.message_id.clone(),
            case: message.meta.case_id.clone(),
            in_reply_to: message.meta.in_reply_to.clone(),
            direction: message.direction,
            kind: message.meta.kind.clone(),
            from: String::new(),
            to: String::new(),
            at: self.local(message.at),
            delivery: message.state.clone(),
            deadline: None,
            problem: Some(problem),
        }
    }

    /// The user's inbox: incoming and outgoing messages they may see, newest first, each with
    /// its legal clock — one page of at most `limit` (≤ 500) before the message `before`. The
    /// operations board's events and ANPR traffic have their own pages and are not listed.
    pub async fn inbox(&self, user: &User, page: &InboxPage) -> Result<Vec<MessageSummary>, DeskError> {
        let limit = page.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(DeskError::invalid(format!("limit {limit} is outside 1…500")));
        }
        if let Some(b) = &page.before {
            if b.is_empty() || b.len() > 64 || !b.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-') {
                return Err(DeskError::invalid(format!("before '{b}' is not a message id")));
            }
        }
        let mut out = Vec::new();
        let mut before = page.before.clone();
        // A unit's officer sees only the unit's messages: read further pages until this one is
        // full, but never more than ten pages' worth.
        for _ in 0..10 {
            let messages = self
                .node
                .store
                .messages(MessageQuery {
                    before: before.clone(),
                    newest_first: true,
                    limit: Some(limit),
                    ..MessageQuery::default()
                })
                .await?;
            let exhausted = messages.len() < limit as usize;
            before = messages.last().map(|m| m.message_id.clone());
            for message in &messages {
                if NOT_IN_INBOX.contains(&message.meta.kind.as_str()) {
                    continue;
                }
                if out.len() >= limit as usize {
                    break;
                }
                match serde_json::from_str::<Envelope>(&message.bytes) {
                    Ok(envelope) => {
                        if self.may_see(user, message, &envelope) {
                            out.push(self.line(message, Some(&envelope)).await);
                        }
                    }
                    // An erased message is the case view's to show.
                    Err(_) if message.bytes.starts_with("{\"erased\"") => {}
                    // A record that cannot be read is shown to those who see every message,
                    // marked, so that it is noticed and never hides the rest.
                    Err(_) if self.sees_everything(user) => out.push(self.line(message, None).await),
                    Err(_) => {}
                }
            }
            if exhausted || out.len() >= limit as usize {
                break;
            }
        }
        Ok(out)
    }

    /// Opens a message: journals the consultation and shows what the treaty allows now.
    pub async fn view(&self, user: &User, id: &str) -> Result<MessageView, DeskError> {
        let (message, envelope) = self.load(user, id).await?;
        let mut marking = None;
        let mut conditions = Vec::new();
        let mut actions = Vec::new();
        if let Some(class) = envelope.handling.as_ref().and_then(|h| h.classification.as_ref()) {
            let engine_class = exchange::Classification {
                from: class.party.clone(),
                marking: class.marking.clone(),
                to: self.node.me.party.clone(),
                on: None,
            }
            .checked(&self.profile)
            .map_err(|e| DeskError::invalid(format!("classification: {e}")))?;
            let (view, decision) = self.decide(Action::Classification(engine_class))?;
            marking = match decision.details.marking {
                Some(Some(m)) => Some(m),
                Some(None) => Some(format!(
                    "{} (no national marking; protected as EU {})",
                    class.marking, class.eu_level
                )),
                None => Some(format!("{} ({})", class.marking, view.reasons.join("; "))),
            };
        }
        let provided = matches!(
            (&envelope.body, message.direction),
            (
                Body::Provision { .. } | Body::SpontaneousProvision { .. },
                Direction::Incoming
            )
        );
        if provided {
            // Loaded once for the five decisions below.
            let consents = self.consents(&envelope).await?;
            for use_ in [
                UseKind::RestrictedPurpose,
                UseKind::OtherPurpose,
                UseKind::Evidence,
                UseKind::Disclosure,
                UseKind::OnwardTransfer,
            ] {
                let (view, decision, c) = self.decide_use(&envelope, &consents, use_)?;
                if decision.verdict != Some(Verdict::Refused) {
                    for condition in c {
                        if !conditions.contains(&condition) {
                            conditions.push(condition);
                        }
                    }
                }
                actions.push(ActionView {
                    action: use_.as_str().to_owned(),
                    allowed: decision.verdict != Some(Verdict::Refused),
                    articles: view.articles,
                    reasons: view.reasons,
                });
            }
        }
        self.journal(
            &actor(user),
            Operation::Consultation,
            &format!("opened {} {id}", envelope.body.kind()),
            None,
            json!({ "kind": envelope.body.kind(), "message": id, "case": envelope.case.map(|c| c.to_string()), "marking": marking }),
        )
        .await?;
        let mut case_history = Vec::new();
        if let Some(case) = &message.meta.case_id {
            let all = self
                .node
                .store
                .messages(MessageQuery {
                    case_id: Some(case.clone()),
                    ..MessageQuery::default()
                })
                .await?;
            for m in all {
                case_history.push(self.line(&m, None).await);
            }
        }
        Ok(MessageView {
            summary: self.summary(&message, &envelope).await?,
            envelope: serde_json::from_str(&message.bytes).unwrap_or(Value::Null),
            signature: message.signature,
            marking,
            conditions,
            actions,
            case_history,
        })
    }
}
