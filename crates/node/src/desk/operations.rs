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

use super::{actor, legal, party, DecisionView, Desk, DeskError};
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

/// The kinds of operation an officer starts, each decided by the engine (see [`engine_action`]).
/// Mixed patrols (Art. 20) are started by the host through its patrol desk and appear on the
/// board as kind `patrol`.
pub const KINDS: [&str; 10] = [
    "pursuit",
    "own_initiative",
    "observation",
    "investigation",
    "assistance",
    "special_units",
    "transport",
    "train_boarding",
    "transit",
    "urgent_evidence",
];

/// The engine's action for an operation kind.
fn engine_action(kind: &str) -> String {
    match kind {
        "special_units" => "special_units.request".into(),
        "urgent_evidence" => "evidence.urgent_request".into(),
        k => format!("operation.{k}"),
    }
}

/// The article a kind of operation acts under (journal lines, the crossing notice).
fn kind_article(kind: &str) -> &'static str {
    match kind {
        "assistance" => "18(1)",
        "own_initiative" => "19(1)",
        "patrol" => "20",
        "pursuit" => "21(1)",
        "observation" => "22(1)",
        "investigation" => "23(1)",
        "transport" => "25(1)",
        "train_boarding" => "26(1)",
        "transit" => "32",
        "urgent_evidence" => "33(1)",
        "special_units" => "53(1)",
        _ => "34(1)",
    }
}

/// Whether an operation starts with a request the host answers before anyone crosses, and the
/// article of that answer: assistance is decided "onverwijld" with reasons (18(4)), a crisis
/// request of special units likewise (53(6)), an observation abroad needs the host's prior
/// authorisation on a mutual legal assistance request (22(1)), an investigation is answered
/// within 48 hours (24(1)), a transport needs the host's prior consent (25(1)), urgent securing of
/// evidence is a request to the host's authorities (33(1)).
fn answer_article(kind: &str, facts: &serde_json::Value) -> Option<&'static str> {
    match kind {
        "assistance" => Some("18(4)"),
        "special_units" if facts["crisis"] == true => Some("53(6)"),
        "special_units" => Some("54(1)"),
        "observation" if facts["prior_authorisation"] == true => Some("22(1)"),
        "investigation" => Some("24(1)"),
        "transport" => Some("25(1)"),
        "urgent_evidence" => Some("33(1)"),
        _ => None,
    }
}

/// Arts. 18 and 53: assistance is asked by the party that needs it — the host — of the party
/// whose officers come; that party answers. In every other kind the sending party starts and the
/// host answers.
fn requested_by_host(kind: &str) -> bool {
    matches!(kind, "assistance" | "special_units")
}

/// Art. 24(3) and 25(1): after a refusal, the host carries out the acts itself.
fn host_executes_itself_article(kind: &str) -> Option<&'static str> {
    match kind {
        "investigation" => Some("24(3)"),
        "transport" => Some("25(1)"),
        _ => None,
    }
}

/// A sending officer named on an operation. A shielded officer's name stays on the sending node;
/// the partner sees a pseudonymous identifier only (Art. 43(2)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficerOnOperation {
    pub name: String,
    #[serde(default)]
    pub shielded: bool,
}

/// Registry kind of the shielded officers' pseudonyms, kept on the sending node only.
const SHIELDED: &str = "operation.shielded";

/// How often the sending side is reminded of a report not filed after the end (Art. 46).
pub const REPORT_REMINDER_EVERY: SignedDuration = SignedDuration::from_hours(24);

/// An officer's start of any operation: the facts the engine's `operation.<kind>` reads
/// (`host` and `sending` are filled in), and what it is about.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OperationStart {
    /// One of [`KINDS`].
    pub kind: String,
    /// The party on whose territory the operation takes place. For assistance (18) and special
    /// units (53–54) that is the requesting party itself (empty: this node's), and `partner`
    /// names the party asked to send its officers.
    #[serde(default)]
    pub host: String,
    /// Assistance and special units: the party asked.
    #[serde(default)]
    pub partner: Option<String>,
    /// The engine's fields for this kind (see `grens treaty kinds` and docs/treaty-decisions.md).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub facts: serde_json::Value,
    pub text: String,
    /// The sending officers; shielded ones travel as pseudonyms (Art. 43(2)).
    #[serde(default)]
    pub officers: Vec<OfficerOnOperation>,
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
    /// A grant's terms (e.g. `authorised_hours`, `technical_means_authorised`, 22(6)/(9)); a use
    /// of force's facts (the engine's `force.use` fields, 40).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub facts: serde_json::Value,
    /// A report's language (an investigation's report is in the host's language, 23(5)).
    #[serde(default)]
    pub language: Option<String>,
}

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

/// The article of the treaty an operation kind acts under, for the engine's `powers`: the
/// kind's article without its paragraph. Transit (32) and urgent evidence (33) give officers no
/// powers on the host's territory of their own.
fn operation_article(kind: &str) -> Option<&'static str> {
    match kind {
        "transit" | "urgent_evidence" => None,
        k if k == "patrol" || KINDS.contains(&k) => kind_article(k).split('(').next(),
        _ => None,
    }
}

/// Events grouped by operation, each group oldest first (as `events` is).
fn by_operation(
    events: &[(String, OperationEvent)],
) -> std::collections::BTreeMap<&str, Vec<&(String, OperationEvent)>> {
    let mut groups: std::collections::BTreeMap<&str, Vec<&(String, OperationEvent)>> = Default::default();
    for event in events {
        groups.entry(event.1.operation.as_str()).or_default().push(event);
    }
    groups
}

/// One operation's events, oldest first.
fn events_of<'a>(events: &'a [(String, OperationEvent)], id: &str) -> Vec<&'a (String, OperationEvent)> {
    events.iter().filter(|(_, e)| e.operation == id).collect()
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
    /// `requested` (awaiting the host's answer), `planned` (a patrol), `active`, `refused` or
    /// `ended`.
    pub status: String,
    /// The host's answer to a request: `granted` or `refused`; absent before it and for
    /// notices.
    pub answer: Option<String>,
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

    /// The facts an operation is decided on: the start's, with the host's grant terms over them.
    fn effective_facts(mine: &[&(String, OperationEvent)]) -> serde_json::Value {
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
    fn operation_view(
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
        let answer = if has(OperationEventKind::Granted) {
            Some("granted")
        } else if has(OperationEventKind::Refused) {
            Some("refused")
        } else {
            None
        };
        let status = if ended {
            "ended"
        } else if first.event == OperationEventKind::Requested && answer.is_none() {
            "requested"
        } else if first.event == OperationEventKind::Planned && !has(OperationEventKind::Started) {
            "planned"
        } else if answer == Some("refused") && !has(OperationEventKind::ExecutesItself) {
            "refused"
        } else {
            "active"
        };
        let facts = Self::effective_facts(mine);
        // Art. 21(3): the release clock runs for a person held after a hot pursuit.
        let detained = mine
            .iter()
            .find(|(_, e)| e.event == OperationEventKind::Detained)
            .filter(|_| first.kind == "pursuit");
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
            let (view, _) = self.decide(facts.clone())?;
            if let Some(fields) = view.decision.as_object() {
                for (name, value) in fields {
                    let due = value.as_str().and_then(|v| v.parse::<Timestamp>().ok());
                    let (true, Some(due)) = (name == "deadline" || name.ends_with("_deadline"), due) else {
                        continue;
                    };
                    let met_at = match name.as_str() {
                        "reply_deadline" => when(OperationEventKind::Granted).or(when(OperationEventKind::Refused)),
                        "deadline" if first.kind == "observation" => {
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
        let competent = match (&first.kind[..], facts.get("next_scheduled_stop_in")) {
            ("train_boarding", Some(stop)) => {
                let (view, _) = self.decide(json!({ "kind": "operation.train_competence",
                    "committed_in": facts.get("committed_in").cloned().unwrap_or_default(),
                    "next_scheduled_stop_in": stop }))?;
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
                OperationEventKind::UseOfForce if e.facts.is_object() => {
                    let mut f = e.facts.clone();
                    f["kind"] = json!("force.use");
                    self.decide(f)?.0.articles
                }
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
            kind: first.kind.clone(),
            sending: first.sending.clone(),
            host: first.host.clone(),
            role: if first.sending == me { "sending" } else { "host" }.into(),
            status: status.into(),
            answer: answer.map(str::to_owned),
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
    async fn shielded_names(&self) -> Result<std::collections::HashMap<String, String>, DeskError> {
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

    /// The operations board: every operation of this node, active first, newest first.
    pub async fn operations(&self, user: &User) -> Result<Vec<OperationView>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let events = self.operation_events().await?;
        let mut operations: Vec<Vec<&(String, OperationEvent)>> = by_operation(&events).into_values().collect();
        // Newest first: by each operation's latest event.
        operations.sort_by_key(|mine| std::cmp::Reverse(mine.last().map(|(_, e)| e.at)));
        let shielded = self.shielded_names().await?;
        let mut out = Vec::new();
        for mine in &operations {
            if let Some(v) = self.operation_view(mine, &shielded)? {
                out.push(v);
            }
        }
        out.sort_by_key(|v| !matches!(v.status.as_str(), "active" | "requested" | "planned"));
        Ok(out)
    }

    pub async fn operation(&self, user: &User, id: &str) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let events = self.operation_events().await?;
        let shielded = self.shielded_names().await?;
        self.operation_view(&events_of(&events, id), &shielded)?
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

    /// Starts an operation into `host`, if the engine's decision on the kind allows it. A notice
    /// (a pursuit's crossing, 21(1): at the latest at the crossing; own initiative, 19(3); an
    /// urgent observation, 22(4); trains, 26(1); a transit, before crossing, 41(4)) goes to the
    /// host's contact point at once; a request (see [`answer_article`]) is asked of the engine as
    /// the host would grant it, and goes to the host, who answers. The facts travel with the
    /// start, so both sides hold the same decision and clocks.
    pub async fn start_operation(&self, user: &User, s: &OperationStart) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let kind = s.kind.trim();
        if !KINDS.contains(&kind) {
            return Err(DeskError::invalid(format!(
                "kind: '{kind}' is not one of {}",
                KINDS.join(", ")
            )));
        }
        let me = self.node.me.party.to_string();
        let (host, sending) = if requested_by_host(kind) {
            if !s.host.trim().is_empty() && s.host.trim() != me {
                return Err(DeskError::invalid(format!(
                    "host: assistance is asked by the party that needs it on its own territory (Art. {}); leave host empty or {me}, and name the party asked in partner",
                    kind_article(kind)
                )));
            }
            let partner = s.partner.as_deref().map(str::trim).unwrap_or_default();
            if partner.is_empty() {
                return Err(DeskError::invalid("partner: the party asked to send its officers"));
            }
            (party(&me)?, party(partner)?)
        } else {
            (party(s.host.trim())?, party(&me)?)
        };
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
        facts.insert("kind".into(), json!(engine_action(kind)));
        facts.insert("host".into(), json!(host.as_str()));
        facts.insert("sending".into(), json!(sending.as_str()));
        match kind {
            // Art. 24(1): the 48 hours run from the request's receipt — now, give or take the
            // network.
            "investigation" => {
                facts.insert("received_at".into(), json!(self.now().to_string()));
            }
            // Art. 25(1): asked as the host would consent; a refusal is the host's answer.
            "transport" => {
                facts.insert("prior_consent".into(), json!(true));
            }
            _ => {}
        }
        if let Some(items) = facts.get("equipment_items") {
            // Art. 18(6): "Bij het ter beschikking stellen van materieel gaat een verzamelstaat":
            // the list itself goes with the request; the engine reads that there is one.
            let items: Vec<String> = items
                .as_array()
                .ok_or_else(|| DeskError::invalid("facts.equipment_items: a list of the equipment"))?
                .iter()
                .map(|i| i.as_str().map(str::trim).unwrap_or_default().to_owned())
                .filter(|i| !i.is_empty())
                .collect();
            facts.insert("equipment_list".into(), json!(!items.is_empty()));
            facts.insert("equipment_items".into(), json!(items));
        }
        if kind == "observation" && facts.get("prior_authorisation") == Some(&json!(true)) {
            // Art. 22(9): technical means are asked for in the request; the host's grant says
            // whether it authorises them.
            let asked = facts.get("technical_means").cloned().unwrap_or(json!(false));
            facts.insert("technical_means_authorised".into(), asked);
            // Art. 22(1): "… op basis van een van tevoren ingediend met redenen omkleed
            // rechtshulpverzoek": the request names its mutual legal assistance request.
            let reference = facts.get("mla_reference").and_then(|r| r.as_str()).unwrap_or_default();
            if reference.trim().is_empty() {
                return Err(DeskError::invalid(
                    "facts.mla_reference: an authorised observation rests on a reasoned mutual legal assistance request (Art. 22(1)); give its reference",
                ));
            }
        }
        let facts = serde_json::Value::Object(facts);
        let (view, decision) = self.decide(facts.clone())?;
        self.require(&view, &decision, &format!("this {}", kind.replace('_', " ")))?;
        let id = {
            let mut token = [0u8; 6];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
            format!("OP-{me}-{}", hex::encode(&token))
        };
        // Art. 43(2): a shielded officer's name stays here; the partner sees a pseudonym, fresh
        // for each operation so that operations cannot be linked through it.
        let mut sent_officers = Vec::new();
        let mut pseudonyms = serde_json::Map::new();
        for officer in &s.officers {
            let name = officer.name.trim();
            if name.is_empty() {
                return Err(DeskError::invalid("officers: a name for each officer"));
            }
            let (disclosure, _) =
                self.decide(json!({ "kind": "officer.identity_disclosure", "shielded": officer.shielded }))?;
            if disclosure.verdict.as_deref() == Some("refused") {
                let mut token = [0u8; 4];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
                let pseudonym = format!("{me}-SH-{}", hex::encode(&token));
                pseudonyms.insert(pseudonym.clone(), json!(name));
                sent_officers.push(json!(pseudonym));
            } else {
                sent_officers.push(json!(name));
            }
        }
        if !pseudonyms.is_empty() {
            self.keep(&actor(user), SHIELDED, &id, &pseudonyms).await?;
        }
        let mut facts = facts;
        if !sent_officers.is_empty() {
            facts["officers"] = json!(sent_officers);
        }
        let request = answer_article(kind, &facts).is_some();
        let article = view
            .articles
            .first()
            .cloned()
            .unwrap_or_else(|| kind_article(kind).into());
        let event = OperationEvent {
            operation: id.clone(),
            kind: kind.to_owned(),
            sending: sending.to_string(),
            host: host.to_string(),
            event: if request {
                OperationEventKind::Requested
            } else {
                OperationEventKind::Crossing
            },
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
                partner: None,
                facts: json!({
                    "started_in_own_territory": s.started_in_own_territory,
                    "host_could_be_warned_in_advance": s.host_could_be_warned_in_advance,
                    "host_could_take_over_in_time": s.host_could_take_over_in_time,
                    "enter_dwelling": false, "host_ordered_stop": false,
                    "danger_manifestly_disproportionate": false, "medium": s.medium,
                }),
                text: s.text.clone(),
                officers: Vec::new(),
            },
        )
        .await
    }

    /// Who may record an event on an operation, and under which article — or why not. The host
    /// answers a request, acknowledges, instructs, orders a stop, receives the warrant, takes
    /// over (45(1)) and executes itself after a refusal (24(3), 25(1)); the sending side crosses
    /// after a grant, records hours (22(6)), uses of force (40(6)), the written confirmation
    /// (33(2)) and files the report (46(1)); either records a detention, a release or the end.
    fn may_record(kind: OperationEventKind, op: &OperationView) -> Result<&'static str, DeskError> {
        use OperationEventKind as K;
        let host_side = op.role == "host";
        let has = |k: &str| op.events.iter().any(|e| e.event == k);
        let requested = op.events.first().is_some_and(|e| e.event == "requested");
        let pursuit = op.kind == "pursuit";
        let (allowed, article) = match kind {
            K::Crossing => (
                !host_side && requested && op.answer.as_deref() == Some("granted"),
                kind_article(&op.kind),
            ),
            K::Requested | K::Planned | K::Started => (false, kind_article(&op.kind)),
            // The party asked answers: the host, or for assistance the party asked to send.
            K::Granted | K::Refused => (
                host_side != requested_by_host(&op.kind) && requested,
                answer_article(&op.kind, &serde_json::Value::Null).unwrap_or(kind_article(&op.kind)),
            ),
            K::ExecutesItself => (
                host_side && host_executes_itself_article(&op.kind).is_some(),
                host_executes_itself_article(&op.kind).unwrap_or("24(3)"),
            ),
            K::Acknowledged if op.kind == "own_initiative" => (host_side, "19(3)"),
            K::Acknowledged | K::Instruction | K::StopOrder if pursuit => (host_side, "21(2)"),
            K::Acknowledged | K::Instruction => (host_side, "34(2)"),
            K::StopOrder | K::TakenOver => (host_side, if kind == K::StopOrder { "45(2)" } else { "45(1)" }),
            K::EawReceived => (host_side && pursuit, "21(3)"),
            K::Detained | K::Released => (true, if pursuit { "21(3)" } else { "36(1)" }),
            K::Ended => (true, if host_side { "45(2)" } else { "46(1)" }),
            K::ReportFiled => (!host_side, "46(1)"),
            K::Hours => (!host_side && op.kind == "observation", "22(6)"),
            K::UseOfForce => (!host_side, "40(6)"),
            K::ConfirmedInWriting => (!host_side && op.kind == "urgent_evidence", "33(2)"),
        };
        if !allowed {
            return Err(DeskError::forbidden(format!(
                "Art. {article}: the {} party does not record '{}' on a {} operation{}",
                op.role,
                kind.as_str(),
                op.kind.replace('_', " "),
                if kind == K::Crossing && requested {
                    " before the host granted the request"
                } else {
                    ""
                }
            )));
        }
        // What comes in which order: a request is answered once, before anything else happens
        // (the requester may withdraw it: the end); after a refusal only the host's own
        // execution and the end; nothing after the end but the report.
        let problem = match kind {
            _ if op.status == "ended" && kind != K::ReportFiled => Some("the operation has ended"),
            K::Granted | K::Refused if op.answer.is_some() => Some("the request is answered already"),
            K::ExecutesItself if op.answer.as_deref() != Some("refused") => {
                Some("the host executes itself after refusing the request")
            }
            K::ExecutesItself if has("executes_itself") => Some("the host executes the acts already"),
            K::Crossing if has("crossing") => Some("the crossing is recorded already"),
            _ if op.status == "requested" && !matches!(kind, K::Granted | K::Refused | K::Ended) => {
                Some("the host has not answered the request yet")
            }
            _ if op.status == "refused" && !matches!(kind, K::ExecutesItself | K::Ended) => {
                Some("the host refused the request")
            }
            K::Detained if has("detained") => Some("the person is already detained"),
            K::EawReceived | K::Released if !has("detained") => Some("no one is detained in this operation"),
            K::ReportFiled if op.status != "ended" => Some("the report follows the end (Art. 46)"),
            K::ReportFiled if has("report_filed") => Some("the report is filed already"),
            K::ConfirmedInWriting if has("confirmed_in_writing") => Some("the request is confirmed already"),
            K::TakenOver if has("taken_over") => Some("the host has taken the operation over already"),
            _ => None,
        };
        match problem {
            Some(problem) => Err(DeskError::invalid(format!("event: {problem}"))),
            None => Ok(article),
        }
    }

    /// Records an event of an operation and sends it to the other party, if the treaty lets this
    /// party record it now ([`Desk::may_record`]) and the engine agrees where it decides: the
    /// terms of a grant, the hours of an observation (22(6)), the host taking over or ending
    /// (45), a use of force (40, recorded whatever the engine says — it is a report of what
    /// happened — with the engine's articles shown beside it).
    pub async fn operation_event(&self, user: &User, id: &str, ask: &EventAsk) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        // One read of the events serves the checks and the engine's facts below.
        let events = self.operation_events().await?;
        let mine = events_of(&events, id);
        let current = self
            .operation_view(&mine, &std::collections::HashMap::new())?
            .ok_or_else(|| DeskError::not_found(format!("no operation '{id}' on this node")))?;
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
        let mut article = Self::may_record(kind, &current)?;
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
        let text = ask.text.trim();
        let given = match &ask.facts {
            serde_json::Value::Null => serde_json::Map::new(),
            serde_json::Value::Object(m) => m.clone(),
            _ => return Err(DeskError::invalid("facts: an object")),
        };
        let effective = Self::effective_facts(&mine);
        let mut facts = serde_json::Value::Null;
        match kind {
            OperationEventKind::Granted | OperationEventKind::Refused => {
                let start = mine.first().map(|(_, e)| e.facts.clone()).unwrap_or_default();
                article = answer_article(&current.kind, &start).unwrap_or(article);
                if text.is_empty() {
                    // Art. 18(4) / 53(6): "een gemotiveerde beslissing"; Art. 61: refusals
                    // carry their reasons.
                    return Err(DeskError::invalid(format!(
                        "text: the answer states its reasons (Art. {article}{})",
                        if kind == OperationEventKind::Refused {
                            ", 61"
                        } else {
                            ""
                        }
                    )));
                }
                if kind == OperationEventKind::Granted {
                    // The engine decides on the request with the host's terms over it; a grant
                    // cannot make lawful what the treaty does not allow.
                    let mut merged = effective.clone();
                    for (k, v) in &given {
                        if k != "kind" && k != "host" && k != "sending" {
                            merged[k] = v.clone();
                        }
                    }
                    let (view, decision) = self.decide(merged)?;
                    self.require(&view, &decision, "the operation on these terms")?;
                    facts = serde_json::Value::Object(
                        given
                            .into_iter()
                            .filter(|(k, _)| k != "kind" && k != "host" && k != "sending")
                            .collect(),
                    );
                }
            }
            OperationEventKind::Hours => {
                // Art. 22(6): the engine decides with the hours used including these.
                let spent: f64 = text
                    .parse()
                    .ok()
                    .filter(|h: &f64| *h > 0.0 && h.is_finite())
                    .ok_or_else(|| DeskError::invalid(format!("text: '{text}' is not a number of hours > 0")))?;
                let mut f = effective.clone();
                f["hours_used"] = json!(hours_used(&mine) + spent);
                let (view, decision) = self.decide(f)?;
                self.require(&view, &decision, "these hours of observation")?;
            }
            OperationEventKind::TakenOver | OperationEventKind::Ended if current.role == "host" => {
                // Art. 45: the host takes over or ends; the engine names what follows (the
                // report, 46(1)).
                let take_over = kind == OperationEventKind::TakenOver;
                let (view, _) = self.decide(
                    json!({ "kind": "operation.host_instruction", "take_over": take_over, "end": !take_over }),
                )?;
                article = if take_over { "45(1)" } else { "45(2)" };
                facts = json!({ "articles": view.articles });
            }
            OperationEventKind::UseOfForce => {
                if text.is_empty() {
                    return Err(DeskError::invalid(
                        "text: the facts and circumstances of the use of force, and its consequences (Art. 40(6))",
                    ));
                }
                let mut f = serde_json::Value::Object(given);
                f["kind"] = json!("force.use");
                // Parsed by the engine now, so that malformed facts are refused here and not on
                // every board later.
                self.decide(f.clone())?;
                if let Some(m) = f.as_object_mut() {
                    m.remove("kind");
                }
                facts = f;
            }
            OperationEventKind::ReportFiled => {
                if text.is_empty() {
                    return Err(DeskError::invalid("text: the report says what was done (Art. 46)"));
                }
                if current.kind == "investigation" {
                    // Art. 23(5): "… in de taal die het recht van de gaststaat voorschrijft."
                    let host = party(&current.host)?;
                    let languages: Vec<String> = self
                        .profile
                        .party(&host)
                        .map(|p| p.languages.iter().map(ToString::to_string).collect())
                        .unwrap_or_default();
                    let language = ask.language.as_deref().map(str::trim).unwrap_or_default();
                    if !languages.iter().any(|l| l == language) {
                        return Err(DeskError::invalid(format!(
                            "language: the report on acts of investigation is written in a language {}'s law requires ({}) (Art. 23(5)); '{language}' is not one",
                            current.host,
                            languages.join(", ")
                        )));
                    }
                    article = "23(5)";
                }
            }
            _ => {}
        }
        if matches!(kind, OperationEventKind::Acknowledged) && current.kind == "own_initiative" && text.is_empty() {
            return Err(DeskError::invalid(
                "text: the confirmation gives the information needed to avoid interference (Art. 19(3))",
            ));
        }
        let event = OperationEvent {
            operation: id.to_owned(),
            kind: current.kind.clone(),
            sending: current.sending.clone(),
            host: current.host.clone(),
            event: kind,
            at,
            text: text.to_owned(),
            facts,
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
        // Only operations that can still alert: a detention without a release or warrant, or an
        // end without a report. The others are skipped without building their views.
        let can_alert = |mine: &[&(String, OperationEvent)]| {
            let has = |kinds: &[OperationEventKind]| mine.iter().any(|(_, e)| kinds.contains(&e.event));
            (has(&[OperationEventKind::Detained])
                && !has(&[OperationEventKind::Released, OperationEventKind::EawReceived]))
                || (has(&[OperationEventKind::Ended]) && !has(&[OperationEventKind::ReportFiled]))
        };
        let now = self.now();
        let none = std::collections::HashMap::new();
        let (mut fired, mut next) = (Vec::new(), None::<Timestamp>);
        for (id, mine) in by_operation(&events).into_iter().filter(|(_, mine)| can_alert(mine)) {
            let Some(view) = self.operation_view(&mine, &none)? else {
                continue;
            };
            // Art. 46(1): the sending side is reminded of a missing report every day after the
            // end until it is filed (the latest reminder only, after a node was down).
            if view.role == "sending" && view.report.as_deref() == Some("due") {
                if let Some((_, end)) = mine.iter().find(|(_, e)| e.event == OperationEventKind::Ended) {
                    let every = REPORT_REMINDER_EVERY.as_secs().max(1);
                    let days = now.duration_since(end.at).as_secs().max(0) / every;
                    let upcoming = end.at + SignedDuration::from_secs((days + 1) * every);
                    next = Some(next.map_or(upcoming, |n: Timestamp| n.min(upcoming)));
                    let key = format!("{id}:report_reminder:{days}");
                    if days >= 1 && !raised.contains(&key) {
                        let what = format!(
                            "Art. 46(1): the report on {id} ({} in {}, ended {}) is due — reminder {days}",
                            view.kind.replace('_', " "),
                            view.host,
                            self.local(end.at)
                        );
                        self.raise(
                            &key,
                            json!({ "operation": id, "alert": "report_reminder", "day": days }),
                            &what,
                        )
                        .await?;
                        fired.push(key);
                    }
                }
            }
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
                self.raise(
                    &key,
                    json!({ "operation": id, "due": due.to_string(), "alert": label }),
                    &what,
                )
                .await?;
                fired.push(key);
            }
        }
        Ok((fired, next))
    }

    /// Raises one alert: a registry record under `key` (so it is raised once) and a journal entry.
    async fn raise(&self, key: &str, mut value: serde_json::Value, what: &str) -> Result<(), DeskError> {
        let now = self.now();
        value["raised_at"] = json!(now.to_string());
        self.node
            .store
            .put_record(Record {
                kind: ALERTS.into(),
                key: key.to_owned(),
                value: value.clone(),
                updated_by: self.node_actor(),
                updated_at: now,
            })
            .await?;
        self.journal(&self.node_actor(), Operation::Alteration, what, None, value)
            .await?;
        Ok(())
    }

    /// Art. 20: the host's node tells each partner whose officers are on a mixed patrol that it
    /// is planned, has started or has ended, so the patrol is on both boards.
    pub(super) async fn patrol_event(
        &self,
        user: &User,
        patrol: &super::consult::Patrol,
        event: OperationEventKind,
    ) -> Result<(), DeskError> {
        let me = self.node.me.party.to_string();
        let mut partners: Vec<&str> = patrol.officers.iter().filter_map(|o| o.split('/').next()).collect();
        partners.sort_unstable();
        partners.dedup();
        for partner in partners.into_iter().filter(|p| *p != me) {
            let first = matches!(event, OperationEventKind::Planned)
                || (event == OperationEventKind::Started && patrol.planned_for.is_none());
            let event = OperationEvent {
                operation: patrol.id.clone(),
                kind: "patrol".into(),
                sending: partner.to_owned(),
                host: me.clone(),
                event,
                at: self.now(),
                text: format!("{} — {}", patrol.area, patrol.officers.join(", ")),
                facts: if first {
                    json!({ "area": patrol.area, "officers": patrol.officers })
                } else {
                    serde_json::Value::Null
                },
            };
            self.send_event(user, event, "20").await?;
        }
        Ok(())
    }

    /// Journals that this node runs on a shifted clock (tests and drills, `clock_start`), so
    /// nobody mistakes its times for real ones.
    pub async fn note_shifted_clock(&self, start: &str) -> Result<(), DeskError> {
        self.journal(
            &self.node_actor(),
            Operation::Alteration,
            &format!("the node's clock starts at {start} (clock_start: a test or drill, not real time)"),
            None,
            json!({ "clock_start": start }),
        )
        .await
    }
}
