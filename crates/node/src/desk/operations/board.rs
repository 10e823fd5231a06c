//! The operations board: each operation's view built from its stored events — status, the
//! engine's clocks and deadlines, the powers panel, the officers as this side may show them.

use super::*;
use treaty::rules::deadlines::{Deadline, DeadlineRule};
use treaty::rules::{operations, powers};

use super::{party, DecisionView, Desk, DeskError};
use crate::accounts::Role;
use jiff::Timestamp;
use protocol::{Body, OperationEvent, OperationEventKind};
use serde::{Deserialize, Serialize};
use store::{CaseQuery, CaseStore, JournalStore, MessageQuery, User};

/// One event as both boards show it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventView {
    /// Local time.
    pub at: String,
    pub by: String,
    pub event: String,
    pub text: String,
    /// The engine's articles for the event (a use of force: 40; a host's take-over: 45).
    #[serde(default)]
    pub articles: Vec<String>,
}

/// The release clock of a detention (Art. 21(3)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClockView {
    /// Detained at (local time).
    pub started: String,
    /// Release at the latest (RFC 3339, local); absent once the EAW stopped it.
    pub due: Option<String>,
    /// `running`, `alert` (less than an hour left), `overdue`, `stopped` (EAW) or `ended`
    /// (released).
    pub state: String,
    pub articles: Vec<String>,
}

/// One of the engine's deadlines of an operation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineClock {
    /// The decision's field: `deadline` (e.g. the 5 hours of an urgent observation, 22(4)),
    /// `reply_deadline` (an investigation's 48 hours, 24(1)), `execution_deadline` (its 30 days,
    /// 24(2)) …
    pub name: String,
    /// RFC 3339, local.
    pub due: String,
    pub overdue: bool,
    /// Met: the request was answered (a reply clock), the operation authorised or ended.
    #[serde(default)]
    pub met: bool,
    pub articles: Vec<String>,
}

/// An observation's hours budget (Art. 22(6)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HoursView {
    pub authorised: f64,
    pub used: f64,
}

/// What sending officers may do on the host's territory.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PowersView {
    /// `detain`, `establish_identity`, `security_search`, … (Arts. 36–37).
    pub powers: Vec<String>,
    /// The provisions, including what they may never do (e.g. enter dwellings, 21(2)(e)).
    pub articles: Vec<String>,
}

/// Events grouped by operation, each group oldest first (as `events` is).
pub(super) fn by_operation(
    events: &[(String, OperationEvent)],
) -> std::collections::BTreeMap<&str, Vec<&(String, OperationEvent)>> {
    let mut groups: std::collections::BTreeMap<&str, Vec<&(String, OperationEvent)>> = Default::default();
    for event in events {
        groups.entry(event.1.operation.as_str()).or_default().push(event);
    }
    groups
}

/// One operation's events, oldest first.
pub(super) fn events_of<'a>(events: &'a [(String, OperationEvent)], id: &str) -> Vec<&'a (String, OperationEvent)> {
    events.iter().filter(|(_, e)| e.operation == id).collect()
}

/// Hours recorded on an operation so far.
pub(super) fn hours_used(events: &[&(String, OperationEvent)]) -> f64 {
    events
        .iter()
        .filter(|(_, e)| e.event == OperationEventKind::Hours)
        .filter_map(|(_, e)| e.text.trim().parse::<f64>().ok())
        .sum()
}

/// An operation as the board shows it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationView {
    pub id: String,
    #[schema(value_type = String)]
    pub kind: OperationKind,
    pub sending: String,
    pub host: String,
    /// This node's part: `sending` or `host`.
    #[schema(value_type = String)]
    pub role: Side,
    /// `requested` (awaiting the host's answer), `planned` (a patrol), `active`, `refused` or
    /// `ended`.
    #[schema(value_type = String)]
    pub status: OperationStatus,
    /// The host's answer to a request: `granted` or `refused`; absent before it and for
    /// notices.
    #[schema(value_type = Option<String>)]
    pub answer: Option<Answer>,
    /// The sending officers as this node may show them: pseudonyms for shielded officers on the
    /// host's side (43(2)), with the name beside it on the sending side.
    pub officers: Vec<String>,
    /// The mutual legal assistance request an authorised observation rests on (22(1)).
    pub mla_reference: Option<String>,
    /// The equipment list (verzamelstaat) that goes with assistance (18(6), 53).
    pub equipment: Vec<String>,
    pub events: Vec<EventView>,
    pub detention: Option<ClockView>,
    /// The engine's deadlines for the operation itself, the same on both sides.
    pub clocks: Vec<DeadlineClock>,
    /// Art. 22(6): an observation's authorised hours on the host's territory and those used.
    pub hours: Option<HoursView>,
    /// The sending side's powers panel: what its officers may do on the host's territory in this
    /// operation (Arts. 35–38, the engine's `powers`); absent on the host's side.
    pub powers: Option<PowersView>,
    /// Art. 46: `due` once ended without a report, `filed` after.
    pub report: Option<String>,
    /// Trains and ships (26(3)): the party competent for an offence on board, when the start
    /// says where it was committed (`committed_in`) or the next scheduled stop
    /// (`next_scheduled_stop_in`).
    pub competent: Option<String>,
    /// The engine's decision on the crossing (sending side).
    pub decisions: Vec<DecisionView>,
}

impl Desk {
    /// The release deadline of a detention that started at `start` in `host` (engine: Art. 21(3)).
    pub(super) fn release_deadline(
        &self,
        host: &str,
        start: Timestamp,
        eaw: bool,
    ) -> Result<(Option<Timestamp>, Vec<String>), DeskError> {
        let (view, decision) = self.decide(Action::Deadline(Deadline {
            rule: DeadlineRule::DetentionRelease,
            party: party(host)?,
            start,
            eaw_received: eaw,
            urgent: false,
            directly_accessible: false,
        }))?;
        Ok((decision.deadline, view.articles))
    }

    /// The facts an operation is decided on: the start's, with the host's grant terms over them.
    pub(super) fn effective_facts(mine: &[&(String, OperationEvent)]) -> serde_json::Value {
        let mut facts = mine.first().map(|(_, e)| e.facts.clone()).unwrap_or_default();
        for (_, e) in mine.iter().filter(|(_, e)| e.event == OperationEventKind::Granted) {
            if let (Some(f), Some(terms)) = (facts.as_object_mut(), e.facts.as_object()) {
                for (k, v) in terms {
                    f.insert(k.clone(), v.clone());
                }
            }
        }
        facts
    }

    /// One operation's view from its events (oldest first, see [`by_operation`]).
    pub(super) fn operation_view(
        &self,
        mine: &[&(String, OperationEvent)],
        shielded: &std::collections::HashMap<String, String>,
    ) -> Result<Option<OperationView>, DeskError> {
        let Some((_, first)) = mine.first() else {
            return Ok(None);
        };
        let has = |k: OperationEventKind| mine.iter().any(|(_, e)| e.event == k);
        let when = |k: OperationEventKind| mine.iter().find(|(_, e)| e.event == k).map(|(_, e)| e.at);
        let ended = has(OperationEventKind::Ended);
        let kind = kind_of(&first.kind)?;
        let answer = if has(OperationEventKind::Granted) {
            Some(Answer::Granted)
        } else if has(OperationEventKind::Refused) {
            Some(Answer::Refused)
        } else {
            None
        };
        let status = if ended {
            OperationStatus::Ended
        } else if first.event == OperationEventKind::Requested && answer.is_none() {
            OperationStatus::Requested
        } else if first.event == OperationEventKind::Planned && !has(OperationEventKind::Started) {
            OperationStatus::Planned
        } else if answer == Some(Answer::Refused) && !has(OperationEventKind::ExecutesItself) {
            OperationStatus::Refused
        } else {
            OperationStatus::Active
        };
        let facts = Self::effective_facts(mine);
        // Art. 21(3): the release clock runs for a person held after a hot pursuit.
        let detained = mine
            .iter()
            .find(|(_, e)| e.event == OperationEventKind::Detained)
            .filter(|_| kind == OperationKind::Pursuit);
        let detention = match detained {
            None => None,
            Some((_, d)) => {
                let eaw = has(OperationEventKind::EawReceived);
                let (due, articles) = self.release_deadline(&first.host, d.at, eaw)?;
                let now = self.now();
                let state = if has(OperationEventKind::Released) {
                    "ended"
                } else if eaw {
                    "stopped"
                } else {
                    match due {
                        Some(due) if now >= due => "overdue",
                        Some(due) if now >= due - ALERT_BEFORE => "alert",
                        _ => "running",
                    }
                };
                Some(ClockView {
                    started: self.local(d.at),
                    due: due.map(|t| self.local(t)),
                    state: state.into(),
                    articles,
                })
            }
        };
        // Every deadline the engine's decision names (`deadline`, `…_deadline`), and whether
        // what it waits for happened in time: the answer for a reply clock, the authorisation
        // for an urgent observation's 5 hours (22(5)), the end for the others.
        let mut clocks = Vec::new();
        if facts.get("kind").is_some() {
            let (view, _) = self.decide_wire(&facts)?;
            if let Some(fields) = view.decision.as_object() {
                for (name, value) in fields {
                    let due = value.as_str().and_then(|v| v.parse::<Timestamp>().ok());
                    let (true, Some(due)) = (name == "deadline" || name.ends_with("_deadline"), due) else {
                        continue;
                    };
                    let met_at = match name.as_str() {
                        "reply_deadline" => when(OperationEventKind::Granted).or(when(OperationEventKind::Refused)),
                        "deadline" if kind == OperationKind::Observation => {
                            when(OperationEventKind::Granted).or(when(OperationEventKind::Ended))
                        }
                        _ => when(OperationEventKind::Ended),
                    };
                    let met = met_at.is_some_and(|at| at <= due);
                    clocks.push(DeadlineClock {
                        name: name.clone(),
                        due: self.local(due),
                        overdue: !met && met_at.unwrap_or_else(|| self.now()) >= due,
                        met,
                        articles: view.articles.clone(),
                    });
                }
            }
        }
        let hours = facts["authorised_hours"].as_f64().map(|authorised| HoursView {
            authorised,
            used: hours_used(mine),
        });
        let me = self.node.me.party.to_string();
        let powers = match kind.powers_article() {
            Some(article) if first.sending == me => {
                let (view, _) = self.decide(Action::Powers(powers::Powers {
                    operation_article: article,
                    special_units: false,
                }))?;
                Some(PowersView {
                    powers: view.decision["powers"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default(),
                    articles: view.articles,
                })
            }
            _ => None,
        };
        let competent = match (kind, facts.get("next_scheduled_stop_in").and_then(Value::as_str)) {
            (OperationKind::TrainBoarding, Some(stop)) => {
                let committed_in = match facts.get("committed_in").and_then(Value::as_str) {
                    Some(p) if !p.trim().is_empty() => Some(party(p)?),
                    _ => None,
                };
                let (view, _) = self.decide(Action::TrainCompetence(operations::TrainCompetence {
                    committed_in,
                    next_scheduled_stop_in: party(stop)?,
                }))?;
                view.decision["competent"].as_str().map(str::to_owned)
            }
            _ => None,
        };
        let officers = first.facts["officers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.as_str())
                    .map(|o| match shielded.get(o) {
                        Some(name) => format!("{o} ({name})"),
                        None => o.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut shown = Vec::new();
        for (by, e) in mine {
            let articles = match e.event {
                // The engine's reading of a use of force (Art. 40), on both sides.
                OperationEventKind::UseOfForce if e.facts.is_object() => self.decide_force(&e.facts)?.0.articles,
                _ => Vec::new(),
            };
            shown.push(EventView {
                at: self.local(e.at),
                by: by.clone(),
                event: e.event.as_str().into(),
                text: e.text.clone(),
                articles,
            });
        }
        Ok(Some(OperationView {
            id: first.operation.clone(),
            kind,
            sending: first.sending.clone(),
            host: first.host.clone(),
            role: if first.sending == me { Side::Sending } else { Side::Host },
            status,
            answer,
            officers,
            mla_reference: facts["mla_reference"].as_str().map(str::to_owned),
            equipment: facts["equipment_items"]
                .as_array()
                .map(|a| a.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            events: shown,
            detention,
            clocks,
            hours,
            powers,
            report: ended.then(|| {
                if has(OperationEventKind::ReportFiled) {
                    "filed"
                } else {
                    "due"
                }
                .to_owned()
            }),
            competent,
            decisions: Vec::new(),
        }))
    }

    /// The pseudonyms of shielded officers this node sent, with their names (sending side only).
    pub(super) async fn shielded_names(&self) -> Result<std::collections::HashMap<String, String>, DeskError> {
        let mut out = std::collections::HashMap::new();
        for r in self.node.store.records(SHIELDED).await? {
            if let Some(map) = r.value.as_object() {
                for (pseudonym, name) in map {
                    out.insert(pseudonym.clone(), name.as_str().unwrap_or_default().to_owned());
                }
            }
        }
        Ok(out)
    }

    /// The events of the operations of these cases, oldest first, with who sent each.
    pub(super) async fn events_in_cases(&self, cases: &[String]) -> Result<Vec<(String, OperationEvent)>, DeskError> {
        let mut out = Vec::new();
        for case in cases {
            for m in self
                .node
                .store
                // By case only: the case index finds the operation's few messages (a filter on the
                // kind too could lead the planner to the kind's index and its thousands).
                .messages(MessageQuery {
                    case_id: Some(case.clone()),
                    limit: Some(5_000),
                    ..MessageQuery::default()
                })
                .await?
            {
                // A message that no longer parses (erased) leaves its operation's other events.
                if let Ok(env) = serde_json::from_str::<protocol::Envelope>(&m.bytes) {
                    if let Body::Operation(e) = env.body {
                        out.push((env.from.party.to_string(), e));
                    }
                }
            }
        }
        out.sort_by_key(|(_, e)| e.at);
        Ok(out)
    }

    /// One operation's events, oldest first, read through its case.
    pub(super) async fn events_of_operation(&self, id: &str) -> Result<Vec<(String, OperationEvent)>, DeskError> {
        self.events_in_cases(&[crate::desk::cases::operation_case(id)]).await
    }

    /// The case ids of the operations still on the board (not refused, not ended with their
    /// report): the alerts look at these only.
    pub(super) async fn open_operation_cases(&self) -> Result<Vec<String>, DeskError> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let rows = self
                .node
                .store
                .cases(CaseQuery {
                    status: Some("open".into()),
                    operations: true,
                    after: after.clone(),
                    now: Some(self.now()),
                    limit: 500,
                    ..CaseQuery::default()
                })
                .await?;
            after = rows.last().map(|r| (r.sort_key.clone(), r.case_id.clone()));
            let done = rows.len() < 500;
            ids.extend(rows.into_iter().map(|r| r.case_id));
            if done {
                return Ok(ids);
            }
        }
    }

    /// A page of the operations board: 50 operations, those still running first (the earliest
    /// running clock at the top), then by latest activity; filtered by kind, partner and status.
    pub async fn operations_page(&self, user: &User, filter: &BoardFilter) -> Result<OperationPage, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let status = match filter.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some("open") => Some("open".to_owned()),
            Some("closed") => Some("closed".to_owned()),
            Some(other) => return Err(DeskError::invalid(format!("status '{other}': use open or closed"))),
        };
        let kind = match filter.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) if k == "patrol" || OperationKind::STARTED_BY_OFFICERS.iter().any(|x| x.as_str() == k) => {
                Some(k.to_owned())
            }
            Some(k) => return Err(DeskError::invalid(format!("kind '{k}' is not a kind of operation"))),
            None => None,
        };
        let partner = match filter.partner.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(party(p)?.to_string()),
            None => None,
        };
        let after = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(crate::desk::cases::parse_cursor(c)?),
            None => None,
        };
        let mut rows = self
            .node
            .store
            .cases(CaseQuery {
                status,
                partner,
                channel: kind,
                after,
                now: Some(self.now()),
                operations: true,
                limit: crate::desk::cases::PAGE + 1,
                ..CaseQuery::default()
            })
            .await?;
        let next = if rows.len() > crate::desk::cases::PAGE as usize {
            rows.truncate(crate::desk::cases::PAGE as usize);
            rows.last().map(|r| format!("{}.{}", r.sort_key, r.case_id))
        } else {
            None
        };
        let shielded = self.shielded_names().await?;
        let mut out = Vec::new();
        for row in &rows {
            let events = self.events_in_cases(std::slice::from_ref(&row.case_id)).await?;
            let mine: Vec<&(String, OperationEvent)> = events.iter().collect();
            // One operation that cannot be shown (a partner's malformed facts) does not take
            // the board down; it is logged with its id.
            match self.operation_view(&mine, &shielded) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => {}
                Err(e) => tracing::warn!(operation = %row.case_id, error = %e, "operation left off the board"),
            }
        }
        if filter.running == Some(true) {
            out.retain(|v| v.running_clock().is_some());
        }
        // Within the page: running clocks first, the earliest due at the top.
        out.sort_by_key(|v| {
            (
                !matches!(
                    v.status,
                    OperationStatus::Active | OperationStatus::Requested | OperationStatus::Planned
                ),
                v.running_clock().map(|(due, _)| due).unwrap_or_else(|| "~".to_owned()),
            )
        });
        Ok(OperationPage { operations: out, next })
    }

    /// The first page of the operations board, unfiltered.
    pub async fn operations(&self, user: &User) -> Result<Vec<OperationView>, DeskError> {
        Ok(self.operations_page(user, &BoardFilter::default()).await?.operations)
    }

    pub async fn operation(&self, user: &User, id: &str) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let events = self.events_of_operation(id).await?;
        let shielded = self.shielded_names().await?;
        self.operation_view(&events_of(&events, id), &shielded)?
            .ok_or_else(|| DeskError::not_found(format!("no operation '{id}' on this node")))
    }
}

/// A filter of the operations board.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardFilter {
    /// `pursuit`, `observation`, … (the operation's kind).
    pub kind: Option<String>,
    pub partner: Option<String>,
    /// `open` (still on the board) or `closed`.
    pub status: Option<String>,
    /// Only operations with a clock running.
    pub running: Option<bool>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// A page of the operations board.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationPage {
    pub operations: Vec<OperationView>,
    pub next: Option<String>,
}

impl OperationView {
    /// The earliest clock still running (RFC 3339 due, and its articles), for the board's order
    /// and its countdown column.
    pub fn running_clock(&self) -> Option<(String, Vec<String>)> {
        let detention = self
            .detention
            .as_ref()
            .filter(|d| d.state == "running" || d.state == "alert")
            .and_then(|d| d.due.clone().map(|due| (due, d.articles.clone())));
        let deadlines = self
            .clocks
            .iter()
            .filter(|c| !c.met && !c.overdue)
            .map(|c| (c.due.clone(), c.articles.clone()));
        detention.into_iter().chain(deadlines).min_by(|a, b| {
            let at = |s: &str| s.parse::<jiff::Timestamp>().ok();
            at(&a.0).cmp(&at(&b.0))
        })
    }
}

impl Desk {
    /// The engine's reading of a use of force's facts (Art. 40): the fields of `force.use`, as
    /// the officer gave them and as they travel.
    pub(super) fn decide_force(&self, facts: &Value) -> Result<(DecisionView, treaty::Decision), DeskError> {
        let fields = treaty::fields::Fields::new(facts, "facts", &self.profile)
            .map_err(|e| DeskError::invalid(format!("treaty engine: {e}")))?;
        let force = powers::Force::parse(&fields).map_err(|e| DeskError::invalid(format!("treaty engine: {e}")))?;
        self.decide(Action::Force(force))
    }
}
