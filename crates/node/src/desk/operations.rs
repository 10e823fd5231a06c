//! Cross-border operations between nodes (Titles 3 and 5), starting with hot pursuit (Arts. 21,
//! 55). An operation is the signed events its two parties send each other — the crossing
//! notice, the host's acknowledgement and instructions, a stop order, a detention, the European
//! Arrest Warrant, the release, the end, the report — and both nodes build its record, and its
//! clocks, from those events alone: a node restarted in the middle of a detention computes the
//! same release instant from what it stored. The treaty engine decides whether the pursuit may
//! cross (`operation.pursuit`) and when the detained person must be released (`deadline`,
//! `detention_release`); no rule is written twice.

use jiff::{SignedDuration, Timestamp};
use protocol::{Body, Envelope, NodeAddress, OperationEvent, OperationEventKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Direction, JournalStore, Operation, Record, User};

use super::{legal, party, DecisionView, Desk, DeskError};
use crate::accounts::Role;

/// Registry kind of the release alerts raised (each once).
const ALERTS: &str = "operation.alert";

/// How long before a release deadline the board raises its alert.
pub const ALERT_BEFORE: SignedDuration = SignedDuration::from_mins(60);

/// An officer's start of a hot pursuit into a partner's territory (Art. 21(1)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PursuitStart {
    /// The host party (`BE`).
    pub host: String,
    /// `land`, `water` or `air` (Art. 21(1); 55 for special units).
    #[serde(default = "land")]
    pub medium: String,
    /// The pursuit began on the sending party's own territory.
    pub started_in_own_territory: bool,
    /// The host's competent authorities could be warned before the crossing.
    pub host_could_be_warned_in_advance: bool,
    /// The host's officers could take over in time.
    pub host_could_take_over_in_time: bool,
    /// What is pursued and why; where the border is crossed.
    pub text: String,
}

fn land() -> String {
    "land".into()
}

/// The kinds of operation a node starts, each decided by the engine's `operation.<kind>`.
pub const KINDS: [&str; 8] = [
    "pursuit",
    "own_initiative",
    "observation",
    "investigation",
    "assistance",
    "transport",
    "train_boarding",
    "transit",
];

/// An officer's start of any operation: the facts the engine's `operation.<kind>` reads
/// (`host` and `sending` are filled in), and what it is about.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationStart {
    /// One of [`KINDS`].
    pub kind: String,
    pub host: String,
    /// The engine's fields for this kind (see `grens treaty kinds` and docs/treaty-decisions.md).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub facts: serde_json::Value,
    pub text: String,
}

/// An event an officer records on an operation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventAsk {
    /// `acknowledged`, `instruction`, `stop_order`, `detained`, `eaw_received`, `released`,
    /// `ended`, `report_filed`.
    pub event: String,
    #[serde(default)]
    pub text: String,
    /// When it happened (RFC 3339 with offset); default now. A detention's clock starts here.
    #[serde(default)]
    pub at: Option<String>,
}

/// One event as both boards show it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventView {
    /// Local time.
    pub at: String,
    pub by: String,
    pub event: String,
    pub text: String,
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

/// The article of the treaty an operation kind acts under, for the engine's `powers`.
fn operation_article(kind: &str) -> Option<&'static str> {
    match kind {
        "assistance" => Some("18"),
        "own_initiative" => Some("19"),
        "pursuit" => Some("21"),
        "observation" => Some("22"),
        "investigation" => Some("23"),
        "transport" => Some("25"),
        "train_boarding" => Some("26"),
        _ => None,
    }
}

/// Hours recorded on an operation so far.
fn hours_used(events: &[&(String, OperationEvent)]) -> f64 {
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
    pub kind: String,
    pub sending: String,
    pub host: String,
    /// This node's part: `sending` or `host`.
    pub role: String,
    /// `active` or `ended`.
    pub status: String,
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
    /// The engine's decision on the crossing (sending side).
    pub decisions: Vec<DecisionView>,
}

impl Desk {
    /// Every event of every operation this node is part of, oldest first, with who sent it.
    async fn operation_events(&self) -> Result<Vec<(String, OperationEvent)>, DeskError> {
        let mut out = Vec::new();
        for direction in [Direction::Outgoing, Direction::Incoming] {
            for (_, env) in self.envelopes("operation", direction).await? {
                if let Body::Operation(e) = env.body {
                    out.push((env.from.party.to_string(), e));
                }
            }
        }
        out.sort_by_key(|(_, e)| e.at);
        Ok(out)
    }

    /// The release deadline of a detention that started at `start` in `host` (engine: Art. 21(3)).
    fn release_deadline(
        &self,
        host: &str,
        start: Timestamp,
        eaw: bool,
    ) -> Result<(Option<Timestamp>, Vec<String>), DeskError> {
        let (view, decision) = self.decide(json!({
            "kind": "deadline", "rule": "detention_release", "party": host,
            "start": start.to_string(), "eaw_received": eaw,
        }))?;
        Ok((decision.deadline, view.articles))
    }

    fn operation_view(
        &self,
        id: &str,
        events: &[(String, OperationEvent)],
    ) -> Result<Option<OperationView>, DeskError> {
        let mine: Vec<&(String, OperationEvent)> = events.iter().filter(|(_, e)| e.operation == id).collect();
        let Some((_, first)) = mine.first() else {
            return Ok(None);
        };
        let has = |k: OperationEventKind| mine.iter().any(|(_, e)| e.event == k);
        let ended = has(OperationEventKind::Ended);
        let detained = mine.iter().find(|(_, e)| e.event == OperationEventKind::Detained);
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
        // Every deadline the engine's decision on the start names (`deadline`, `…_deadline`).
        let mut clocks = Vec::new();
        if first.facts.is_object() {
            let (view, _) = self.decide(first.facts.clone())?;
            if let Some(fields) = view.decision.as_object() {
                for (name, value) in fields {
                    let due = value.as_str().and_then(|v| v.parse::<Timestamp>().ok());
                    if let (true, Some(due)) = (name == "deadline" || name.ends_with("_deadline"), due) {
                        clocks.push(DeadlineClock {
                            name: name.clone(),
                            due: self.local(due),
                            overdue: !ended && self.now() >= due,
                            articles: view.articles.clone(),
                        });
                    }
                }
            }
        }
        let hours = first.facts["authorised_hours"].as_f64().map(|authorised| HoursView {
            authorised,
            used: hours_used(&mine),
        });
        let me = self.node.me.party.to_string();
        let powers = match operation_article(&first.kind) {
            Some(article) if first.sending == me => {
                let (view, _) = self.decide(json!({ "kind": "powers", "operation_article": article }))?;
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
        Ok(Some(OperationView {
            id: id.to_owned(),
            kind: first.kind.clone(),
            sending: first.sending.clone(),
            host: first.host.clone(),
            role: if first.sending == me { "sending" } else { "host" }.into(),
            status: if ended { "ended" } else { "active" }.into(),
            events: mine
                .iter()
                .map(|(by, e)| EventView {
                    at: self.local(e.at),
                    by: by.clone(),
                    event: e.event.as_str().into(),
                    text: e.text.clone(),
                })
                .collect(),
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
            decisions: Vec::new(),
        }))
    }

    /// The operations board: every operation of this node, active first, newest first.
    pub async fn operations(&self, user: &User) -> Result<Vec<OperationView>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let events = self.operation_events().await?;
        let mut ids: Vec<String> = Vec::new();
        for (_, e) in events.iter().rev() {
            if !ids.contains(&e.operation) {
                ids.push(e.operation.clone());
            }
        }
        let mut out = Vec::new();
        for id in ids {
            if let Some(v) = self.operation_view(&id, &events)? {
                out.push(v);
            }
        }
        out.sort_by_key(|v| v.status != "active");
        Ok(out)
    }

    pub async fn operation(&self, user: &User, id: &str) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let events = self.operation_events().await?;
        self.operation_view(id, &events)?
            .ok_or_else(|| DeskError::not_found(format!("no operation '{id}' on this node")))
    }

    /// Sends one event to the other party of the operation and returns the operation.
    async fn send_event(&self, user: &User, event: OperationEvent, article: &str) -> Result<(), DeskError> {
        let other = if event.sending == self.node.me.party.as_str() {
            &event.host
        } else {
            &event.sending
        };
        let other = party(other)?;
        let node = self.node_of(&other)?;
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            NodeAddress {
                party: other.clone(),
                node: node.id.clone(),
                unit: None,
            },
            self.now(),
            legal(article),
            Body::Operation(event.clone()),
        );
        self.dispatch(
            user,
            &envelope,
            &format!(
                "Art. {article}: {} of {} {}: {}",
                event.event.as_str(),
                event.kind,
                event.operation,
                event.text
            ),
        )
        .await
    }

    /// Starts an operation into `host`, if the engine's `operation.<kind>` allows it: the
    /// start (for a pursuit the crossing notice, 21(1): at the latest at the crossing) goes to
    /// the host's contact point at once, with the facts, so both sides hold the same decision.
    pub async fn start_operation(&self, user: &User, s: &OperationStart) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let kind = s.kind.trim();
        if !KINDS.contains(&kind) {
            return Err(DeskError::invalid(format!(
                "kind: '{kind}' is not one of {}",
                KINDS.join(", ")
            )));
        }
        let host = party(s.host.trim())?;
        let me = self.node.me.party.to_string();
        if s.text.trim().is_empty() {
            return Err(DeskError::invalid(
                "text: say who or what the operation is about, why, and where the border is crossed",
            ));
        }
        let mut facts = match &s.facts {
            serde_json::Value::Object(m) => m.clone(),
            serde_json::Value::Null => serde_json::Map::new(),
            _ => return Err(DeskError::invalid("facts: an object of the engine's fields")),
        };
        facts.insert("kind".into(), json!(format!("operation.{kind}")));
        facts.insert("host".into(), json!(host.as_str()));
        facts.insert("sending".into(), json!(me));
        let facts = serde_json::Value::Object(facts);
        let (view, decision) = self.decide(facts.clone())?;
        self.require(&view, &decision, &format!("this {}", kind.replace('_', " ")))?;
        let id = {
            let mut token = [0u8; 6];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
            format!("OP-{me}-{}", crate::hex(&token))
        };
        let article = view.articles.first().cloned().unwrap_or_else(|| "34(1)".into());
        let event = OperationEvent {
            operation: id.clone(),
            kind: kind.to_owned(),
            sending: me,
            host: host.to_string(),
            event: OperationEventKind::Crossing,
            at: self.now(),
            text: s.text.trim().to_owned(),
            facts,
        };
        self.send_event(user, event, &article).await?;
        let mut v = self.operation(user, &id).await?;
        v.decisions.push(view);
        Ok(v)
    }

    /// Starts a hot pursuit into `host` (Art. 21): [`Desk::start_operation`] with its facts.
    pub async fn start_pursuit(&self, user: &User, s: &PursuitStart) -> Result<OperationView, DeskError> {
        self.start_operation(
            user,
            &OperationStart {
                kind: "pursuit".into(),
                host: s.host.clone(),
                facts: json!({
                    "started_in_own_territory": s.started_in_own_territory,
                    "host_could_be_warned_in_advance": s.host_could_be_warned_in_advance,
                    "host_could_take_over_in_time": s.host_could_take_over_in_time,
                    "enter_dwelling": false, "host_ordered_stop": false,
                    "danger_manifestly_disproportionate": false, "medium": s.medium,
                }),
                text: s.text.clone(),
            },
        )
        .await
    }

    /// Records an event of an operation and sends it to the other party. Who may record what
    /// follows the treaty: the host acknowledges, instructs, orders a stop and receives the
    /// warrant; the sending party files the report (Art. 46); either records a detention, a
    /// release or the end.
    pub async fn operation_event(&self, user: &User, id: &str, ask: &EventAsk) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let current = self.operation(user, id).await?;
        let kind = OperationEventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == ask.event.trim())
            .ok_or_else(|| {
                DeskError::invalid(format!(
                    "event: '{}' is not one of {}",
                    ask.event,
                    OperationEventKind::ALL.map(|k| k.as_str()).join(", ")
                ))
            })?;
        let host_side = current.role == "host";
        let (allowed, article) = match kind {
            OperationEventKind::Crossing => (false, "21(1)"),
            OperationEventKind::Acknowledged | OperationEventKind::Instruction => (host_side, "21(2)"),
            OperationEventKind::StopOrder => (host_side, "21(2)"),
            OperationEventKind::EawReceived => (host_side, "21(3)"),
            OperationEventKind::Detained | OperationEventKind::Released => (true, "21(3)"),
            OperationEventKind::Ended => (true, "45"),
            OperationEventKind::ReportFiled => (!host_side, "46"),
            OperationEventKind::Hours => (!host_side && current.kind == "observation", "22(6)"),
        };
        if !allowed {
            return Err(DeskError::forbidden(format!(
                "Art. {article}: the {} party does not record '{}'",
                current.role,
                kind.as_str()
            )));
        }
        let has = |k: &str| current.events.iter().any(|e| e.event == k);
        let order_problem = match kind {
            OperationEventKind::Detained if has("detained") => Some("the person is already detained"),
            OperationEventKind::EawReceived | OperationEventKind::Released if !has("detained") => {
                Some("no one is detained in this operation")
            }
            OperationEventKind::ReportFiled if current.status != "ended" => {
                Some("the report follows the end (Art. 46)")
            }
            OperationEventKind::ReportFiled if has("report_filed") => Some("the report is filed already"),
            _ if current.status == "ended" && kind != OperationEventKind::ReportFiled => {
                Some("the operation has ended")
            }
            _ => None,
        };
        if let Some(problem) = order_problem {
            return Err(DeskError::invalid(format!("event: {problem}")));
        }
        let at = match ask.at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => self.now(),
            Some(t) => {
                let at: Timestamp = t
                    .parse()
                    .map_err(|e| DeskError::invalid(format!("at: '{t}' is not an instant with offset: {e}")))?;
                if at > self.now() + SignedDuration::from_mins(5) {
                    return Err(DeskError::invalid(format!("at: {t} is in the future")));
                }
                at
            }
        };
        if kind == OperationEventKind::Hours {
            // Art. 22(6): the engine decides with the hours used including these.
            let spent: f64 = ask
                .text
                .trim()
                .parse()
                .ok()
                .filter(|h: &f64| *h > 0.0 && h.is_finite())
                .ok_or_else(|| {
                    DeskError::invalid(format!("text: '{}' is not a number of hours > 0", ask.text.trim()))
                })?;
            let events = self.operation_events().await?;
            let mine: Vec<&(String, OperationEvent)> = events.iter().filter(|(_, e)| e.operation == id).collect();
            let mut facts = mine.first().map(|(_, e)| e.facts.clone()).unwrap_or_default();
            if let Some(f) = facts.as_object_mut() {
                f.insert("hours_used".into(), json!(hours_used(&mine) + spent));
            }
            let (view, decision) = self.decide(facts)?;
            self.require(&view, &decision, "these hours of observation")?;
        }
        if kind == OperationEventKind::ReportFiled && ask.text.trim().is_empty() {
            return Err(DeskError::invalid("text: the report says what was done (Art. 46)"));
        }
        let event = OperationEvent {
            operation: id.to_owned(),
            kind: current.kind.clone(),
            sending: current.sending.clone(),
            host: current.host.clone(),
            event: kind,
            at,
            text: ask.text.trim().to_owned(),
            facts: serde_json::Value::Null,
        };
        self.send_event(user, event, article).await?;
        self.operation(user, id).await
    }

    /// Raises every release alert whose instant has come — an hour before the Art. 21(3)
    /// deadline, and at it — once each, into the registry and the journal, and returns the
    /// alerts raised and the next instant to look again. Everything is computed from the stored
    /// events, so a node restarted in the middle of a detention raises its alerts on time.
    pub async fn raise_alerts(&self) -> Result<(Vec<String>, Option<Timestamp>), DeskError> {
        let events = self.operation_events().await?;
        let raised: std::collections::HashSet<String> = self
            .node
            .store
            .records(ALERTS)
            .await?
            .into_iter()
            .map(|r| r.key)
            .collect();
        let mut ids: Vec<&str> = events.iter().map(|(_, e)| e.operation.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let now = self.now();
        let (mut fired, mut next) = (Vec::new(), None::<Timestamp>);
        for id in ids {
            let Some(view) = self.operation_view(id, &events)? else {
                continue;
            };
            let running = view
                .detention
                .as_ref()
                .is_some_and(|d| ["running", "alert", "overdue"].contains(&d.state.as_str()));
            let Some((_, detained)) = events
                .iter()
                .find(|(_, e)| e.operation == id && e.event == OperationEventKind::Detained)
            else {
                continue;
            };
            if !running {
                continue;
            }
            let (Some(due), _) = self.release_deadline(&view.host, detained.at, false)? else {
                continue;
            };
            for (label, at) in [("one_hour_left", due - ALERT_BEFORE), ("release_due", due)] {
                let key = format!("{id}:{label}");
                if raised.contains(&key) {
                    continue;
                }
                if at > now {
                    next = Some(next.map_or(at, |n: Timestamp| n.min(at)));
                    continue;
                }
                let what = format!(
                    "Art. 21(3): {} — the person held in {id} ({} → {}) must be released by {} unless a European Arrest Warrant is received",
                    if label == "release_due" { "release due now" } else { "one hour left" },
                    view.sending,
                    view.host,
                    self.local(due)
                );
                self.node
                    .store
                    .put_record(Record {
                        kind: ALERTS.into(),
                        key: key.clone(),
                        value: json!({ "operation": id, "due": due.to_string(), "alert": label, "raised_at": now.to_string() }),
                        updated_by: self.node_actor(),
                        updated_at: now,
                    })
                    .await?;
                self.journal(
                    &self.node_actor(),
                    Operation::Alteration,
                    &what,
                    None,
                    json!({ "operation": id, "alert": label, "due": due.to_string() }),
                )
                .await?;
                fired.push(key);
            }
        }
        Ok((fired, next))
    }
}
