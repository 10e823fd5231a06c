//! Art. 65: the evaluation of the treaty's application — what this node exchanged and did with
//! its partners in a period, counted from its own stored messages: messages per kind and per
//! party pair, answers to requests against their legal deadlines, hit/no-hit queries, ANPR, and
//! operations per kind and party pair with their detentions, warrants and reports.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Timestamp;
use protocol::{Body, Envelope, OperationEventKind};
use serde::{Deserialize, Serialize};
use store::{Direction, JournalStore, MessageQuery, User};

use super::{Desk, DeskError};
use crate::accounts::Role;

/// A labelled count (one bar of a chart).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

/// Answers to the requests this node received.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerTimes {
    pub received: usize,
    pub answered: usize,
    /// Answered by the legal deadline (Directive 2023/977 Art. 5).
    pub within_deadline: usize,
    /// Not answered and past the deadline.
    pub overdue: usize,
    /// Median hours from receipt to answer.
    pub median_hours: Option<f64>,
}

/// The answers to the requests of one kind of operation (Arts. 18(4), 22(1), 24(1), 25(1),
/// 33, 53(6)): how many were asked, granted, refused, how fast, and — where the treaty sets a
/// fixed limit (an investigation's 48 hours, 24(1)) — how many were answered within it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationAnswers {
    pub kind: String,
    pub requested: usize,
    pub granted: usize,
    pub refused: usize,
    pub unanswered: usize,
    /// Answered within the treaty's fixed limit; absent where it says "without delay".
    pub within_deadline: Option<usize>,
    /// Median minutes from the request to the answer.
    pub median_minutes: Option<f64>,
}

/// An operation that began with a request, and its answer: when, and whether a grant.
struct AskedOperation {
    kind: String,
    asked: Timestamp,
    facts: serde_json::Value,
    answer: Option<(Timestamp, bool)>,
}

/// The evaluation of a period.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub party: String,
    pub from: String,
    pub until: String,
    pub messages_by_kind: Vec<Count>,
    pub messages_by_pair: Vec<Count>,
    pub answers: AnswerTimes,
    pub operations_by_kind: Vec<Count>,
    pub operations_by_pair: Vec<Count>,
    /// Per kind of operation that starts with a request.
    pub operation_answers: Vec<OperationAnswers>,
    pub detentions: usize,
    pub warrants: usize,
    pub reports_filed: usize,
    pub reports_due: usize,
    pub hit_queries_sent: usize,
    pub hit_queries_received: usize,
    pub anpr_entries_provided: usize,
    pub anpr_entries_received: usize,
    pub anpr_hits_returned: usize,
    pub anpr_hits_received: usize,
}

fn counts(map: BTreeMap<String, usize>) -> Vec<Count> {
    let mut v: Vec<Count> = map.into_iter().map(|(label, count)| Count { label, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    v
}

impl Desk {
    /// The period of an evaluation from the days asked (`YYYY-MM-DD`); empty: the year so far
    /// in this node's zone. A bad day is named.
    pub fn evaluation_period(&self, from: &str, until: &str) -> Result<(Date, Date), DeskError> {
        let today = self.now().to_zoned(self.zone()).date();
        let parse = |field: &str, text: &str, default: Date| match text.trim() {
            "" => Ok(default),
            t => t
                .parse::<Date>()
                .map_err(|e| DeskError::invalid(format!("{field}: '{t}' is not a date (YYYY-MM-DD): {e}"))),
        };
        let first_of_year = jiff::civil::date(today.year(), 1, 1);
        Ok((parse("from", from, first_of_year)?, parse("until", until, today)?))
    }

    /// The Art. 65 evaluation of `from`–`until` (whole days in this node's zone).
    pub async fn evaluation(&self, user: &User, from: Date, until: Date) -> Result<Evaluation, DeskError> {
        self.demand(user, &[Role::Supervisor, Role::Dpo, Role::Admin])?;
        if until < from {
            return Err(DeskError::invalid(format!("until: {until} is before from: {from}")));
        }
        let zone = self.zone();
        let start = from
            .to_zoned(zone.clone())
            .map_err(|e| DeskError::invalid(format!("from: {e}")))?
            .timestamp();
        let end = until
            .tomorrow()
            .and_then(|d| d.to_zoned(zone))
            .map_err(|e| DeskError::invalid(format!("until: {e}")))?
            .timestamp();
        let in_period = |t: Timestamp| t >= start && t < end;
        let all = self.node.store.messages(MessageQuery::default()).await?;
        let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
        let mut by_pair: BTreeMap<String, usize> = BTreeMap::new();
        let mut ops_kind: BTreeMap<String, usize> = BTreeMap::new();
        let mut ops_pair: BTreeMap<String, usize> = BTreeMap::new();
        let mut e = Evaluation {
            party: self.node.me.party.to_string(),
            from: from.to_string(),
            until: until.to_string(),
            messages_by_kind: Vec::new(),
            messages_by_pair: Vec::new(),
            answers: AnswerTimes::default(),
            operations_by_kind: Vec::new(),
            operations_by_pair: Vec::new(),
            operation_answers: Vec::new(),
            detentions: 0,
            warrants: 0,
            reports_filed: 0,
            reports_due: 0,
            hit_queries_sent: 0,
            hit_queries_received: 0,
            anpr_entries_provided: 0,
            anpr_entries_received: 0,
            anpr_hits_returned: 0,
            anpr_hits_received: 0,
        };
        let mut ended = std::collections::HashSet::new();
        let mut reported = std::collections::HashSet::new();
        let mut hours = Vec::new();
        let mut started = std::collections::HashSet::new();
        // Per operation: its kind, the request's instant and facts, the answer's instant and
        // whether it was a grant.
        let mut requests: BTreeMap<String, AskedOperation> = BTreeMap::new();
        for m in all.iter().filter(|m| in_period(m.at)) {
            let Ok(env) = serde_json::from_str::<Envelope>(&m.bytes) else {
                continue;
            };
            let incoming = m.direction == Direction::Incoming;
            if matches!(env.body, Body::Receipt { .. } | Body::JournalCheckpoint { .. }) {
                continue;
            }
            *by_kind.entry(m.meta.kind.clone()).or_default() += 1;
            *by_pair
                .entry(format!("{} → {}", env.from.party, env.to.party))
                .or_default() += 1;
            match (&env.body, incoming) {
                (Body::HitQuery { .. }, false) => e.hit_queries_sent += 1,
                (Body::HitQuery { .. }, true) => e.hit_queries_received += 1,
                (Body::AnprEntry(_), false) => e.anpr_entries_provided += 1,
                (Body::AnprEntry(_), true) => e.anpr_entries_received += 1,
                (Body::AnprHit { .. }, false) => e.anpr_hits_returned += 1,
                (Body::AnprHit { .. }, true) => e.anpr_hits_received += 1,
                (Body::Request { .. }, true) => {
                    e.answers.received += 1;
                    let replies: Vec<&store::StoredMessage> = all
                        .iter()
                        .filter(|r| {
                            r.direction == Direction::Outgoing
                                && r.meta.in_reply_to.as_deref() == Some(m.message_id.as_str())
                                && ["provision", "refusal"].contains(&r.meta.kind.as_str())
                        })
                        .collect();
                    let deadline = self.deadline_of(m, &env, Some(&[])).await?;
                    match replies.iter().map(|r| r.at).min() {
                        Some(answered) => {
                            e.answers.answered += 1;
                            hours.push(answered.duration_since(m.at).as_secs_f64() / 3600.0);
                            let due = deadline.as_ref().and_then(|d| d.due.parse::<Timestamp>().ok());
                            if due.is_none_or(|due| answered <= due) {
                                e.answers.within_deadline += 1;
                            }
                        }
                        None => {
                            if deadline.is_some_and(|d| d.overdue) {
                                e.answers.overdue += 1;
                            }
                        }
                    }
                }
                (Body::Operation(op), _) => match op.event {
                    // An operation is counted once, by its first event: a crossing notice, a
                    // request, or a patrol planned or started.
                    _ if !op.facts.is_null()
                        && matches!(
                            op.event,
                            OperationEventKind::Crossing
                                | OperationEventKind::Requested
                                | OperationEventKind::Planned
                                | OperationEventKind::Started
                        )
                        && started.insert(op.operation.clone()) =>
                    {
                        *ops_kind.entry(op.kind.clone()).or_default() += 1;
                        *ops_pair.entry(format!("{} → {}", op.sending, op.host)).or_default() += 1;
                        if op.event == OperationEventKind::Requested {
                            requests.insert(
                                op.operation.clone(),
                                AskedOperation {
                                    kind: op.kind.clone(),
                                    asked: op.at,
                                    facts: op.facts.clone(),
                                    answer: None,
                                },
                            );
                        }
                    }
                    OperationEventKind::Granted | OperationEventKind::Refused => {
                        if let Some(r) = requests.get_mut(&op.operation) {
                            r.answer.get_or_insert((op.at, op.event == OperationEventKind::Granted));
                        }
                    }
                    OperationEventKind::Detained => e.detentions += 1,
                    OperationEventKind::EawReceived => e.warrants += 1,
                    OperationEventKind::Ended => {
                        ended.insert(op.operation.clone());
                    }
                    OperationEventKind::ReportFiled => {
                        reported.insert(op.operation.clone());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        hours.sort_by(f64::total_cmp);
        e.answers.median_hours = hours.get(hours.len() / 2).map(|h| (h * 10.0).round() / 10.0);
        e.reports_filed = reported.len();
        e.reports_due = ended.difference(&reported).count();
        e.messages_by_kind = counts(by_kind);
        e.messages_by_pair = counts(by_pair);
        e.operations_by_kind = counts(ops_kind);
        e.operations_by_pair = counts(ops_pair);
        e.operation_answers = self.operation_answers(requests)?;
        Ok(e)
    }

    /// [`OperationAnswers`] per kind; the fixed limit is the engine's `reply_deadline` on the
    /// request's facts, as on the operations board.
    fn operation_answers(
        &self,
        requests: BTreeMap<String, AskedOperation>,
    ) -> Result<Vec<OperationAnswers>, DeskError> {
        let mut by_kind: BTreeMap<String, (OperationAnswers, Vec<f64>)> = BTreeMap::new();
        for AskedOperation {
            kind,
            asked,
            facts,
            answer,
        } in requests.into_values()
        {
            let (a, minutes) = by_kind.entry(kind.clone()).or_insert_with(|| {
                (
                    OperationAnswers {
                        kind: kind.clone(),
                        ..Default::default()
                    },
                    Vec::new(),
                )
            });
            a.requested += 1;
            let due = match facts.get("kind") {
                Some(_) => self.decide_wire(&facts)?.0.decision["reply_deadline"]
                    .as_str()
                    .and_then(|d| d.parse::<Timestamp>().ok()),
                None => None,
            };
            match answer {
                Some((at, granted)) => {
                    if granted {
                        a.granted += 1;
                    } else {
                        a.refused += 1;
                    }
                    minutes.push(at.duration_since(asked).as_secs_f64() / 60.0);
                    if let Some(due) = due {
                        *a.within_deadline.get_or_insert(0) += usize::from(at <= due);
                    }
                }
                None => a.unanswered += 1,
            }
            if due.is_some() {
                a.within_deadline.get_or_insert(0);
            }
        }
        Ok(by_kind
            .into_values()
            .map(|(mut a, mut minutes)| {
                minutes.sort_by(f64::total_cmp);
                a.median_minutes = minutes.get(minutes.len() / 2).map(|m| (m * 10.0).round() / 10.0);
                a
            })
            .collect())
    }
}
