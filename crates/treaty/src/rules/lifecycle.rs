//! Titles 3–6: the life cycle of a cross-border operation — which event may follow which, who
//! records it, and the article each event acts under.
//!
//! The node keeps the events of an operation in the order they happened; it asks
//! [`may_record`] before recording one more. The start of an operation is decided by the
//! kind's own rule (`operation.pursuit`, `operation.observation`, …); this module decides the
//! steps after it.

use serde::{Deserialize, Serialize};

use crate::article::{art, ArticleRef};
use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};

/// The kinds of cross-border operation of Titles 3–6 that have a life cycle on both boards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    Pursuit,
    OwnInitiative,
    Observation,
    Investigation,
    Assistance,
    SpecialUnits,
    Transport,
    TrainBoarding,
    Transit,
    UrgentEvidence,
    /// A mixed patrol or joint check (Art. 20), started by the host through its patrol desk.
    Patrol,
}

impl OperationKind {
    /// The kinds an officer starts, each decided by the engine ([`OperationKind::engine_action`]).
    /// Mixed patrols are started through the patrol desk, not here.
    pub const STARTED_BY_OFFICERS: [OperationKind; 10] = [
        OperationKind::Pursuit,
        OperationKind::OwnInitiative,
        OperationKind::Observation,
        OperationKind::Investigation,
        OperationKind::Assistance,
        OperationKind::SpecialUnits,
        OperationKind::Transport,
        OperationKind::TrainBoarding,
        OperationKind::Transit,
        OperationKind::UrgentEvidence,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            OperationKind::Pursuit => "pursuit",
            OperationKind::OwnInitiative => "own_initiative",
            OperationKind::Observation => "observation",
            OperationKind::Investigation => "investigation",
            OperationKind::Assistance => "assistance",
            OperationKind::SpecialUnits => "special_units",
            OperationKind::Transport => "transport",
            OperationKind::TrainBoarding => "train_boarding",
            OperationKind::Transit => "transit",
            OperationKind::UrgentEvidence => "urgent_evidence",
            OperationKind::Patrol => "patrol",
        }
    }

    /// The kind named `text` (`pursuit`, `own_initiative`, …, `patrol`).
    pub fn parse(text: &str) -> Option<OperationKind> {
        Self::STARTED_BY_OFFICERS
            .into_iter()
            .chain([OperationKind::Patrol])
            .find(|k| k.as_str() == text)
    }

    /// The engine's action that decides the start of an operation of this kind.
    pub fn engine_action(self) -> &'static str {
        match self {
            OperationKind::SpecialUnits => "special_units.request",
            OperationKind::UrgentEvidence => "evidence.urgent_request",
            OperationKind::Pursuit => "operation.pursuit",
            OperationKind::OwnInitiative => "operation.own_initiative",
            OperationKind::Observation => "operation.observation",
            OperationKind::Investigation => "operation.investigation",
            OperationKind::Assistance => "operation.assistance",
            OperationKind::Transport => "operation.transport",
            OperationKind::TrainBoarding => "operation.train_boarding",
            OperationKind::Transit => "operation.transit",
            OperationKind::Patrol => "powers",
        }
    }

    /// The article an operation of this kind acts under (journal lines, the crossing notice).
    pub fn article(self) -> ArticleRef {
        art(match self {
            OperationKind::Assistance => "18(1)",
            OperationKind::OwnInitiative => "19(1)",
            OperationKind::Patrol => "20",
            OperationKind::Pursuit => "21(1)",
            OperationKind::Observation => "22(1)",
            OperationKind::Investigation => "23(1)",
            OperationKind::Transport => "25(1)",
            OperationKind::TrainBoarding => "26(1)",
            OperationKind::Transit => "32",
            OperationKind::UrgentEvidence => "33(1)",
            OperationKind::SpecialUnits => "53(1)",
        })
    }

    /// The article whose powers sending officers have in this operation (the engine's
    /// `powers`): the kind's article without its paragraph. Transit (32) and urgent evidence
    /// (33) give officers no powers on the host's territory of their own.
    pub fn powers_article(self) -> Option<u32> {
        match self {
            OperationKind::Transit | OperationKind::UrgentEvidence => None,
            k => k.article().article().parse().ok(),
        }
    }

    /// Arts. 18 and 53: assistance is asked by the party that needs it — the host — of the
    /// party whose officers come; that party answers. In every other kind the sending party
    /// starts and the host answers.
    pub fn requested_by_host(self) -> bool {
        matches!(self, OperationKind::Assistance | OperationKind::SpecialUnits)
    }

    /// Art. 24(3) and 25(1): after a refusal, the host carries out the acts itself.
    pub fn host_executes_itself_article(self) -> Option<ArticleRef> {
        match self {
            // Art. 24(3): "Indien de aangezochte Verdragsluitende Partij geen toestemming geeft
            // …, voert zij de gevraagde opsporingshandelingen zelf uit binnen 30 dagen …"
            OperationKind::Investigation => Some(art("24(3)")),
            // Art. 25(1): "Indien de bevoegde autoriteit of dienst van de gaststaat geen
            // toestemming verleent …, voert de bevoegde dienst van de gaststaat deze opdracht
            // zelf uit, tenzij zij gegronde redenen heeft om anders te besluiten."
            OperationKind::Transport => Some(art("25(1)")),
            _ => None,
        }
    }
}

/// What the start of an operation says that decides the article of the host's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StartFacts {
    /// Art. 53: special units asked in a crisis.
    pub crisis: bool,
    /// Art. 22(1): an observation on the host's prior authorisation.
    pub prior_authorisation: bool,
}

/// Whether an operation starts with a request the host answers before anyone crosses, and the
/// article of that answer.
pub fn answer_article(kind: OperationKind, start: StartFacts) -> Option<ArticleRef> {
    Some(art(match kind {
        // Art. 18(4): "… neemt onverwijld een gemotiveerde beslissing …"
        OperationKind::Assistance => "18(4)",
        // Art. 53(6): "De aangezochte Verdragsluitende Partij neemt onverwijld een gemotiveerde
        // beslissing op het verzoek."
        OperationKind::SpecialUnits if start.crisis => "53(6)",
        // Art. 54(1): outside crises "mits de voorwaarden en procedures bepaald in artikel 18 …
        // in acht worden genomen".
        OperationKind::SpecialUnits => "54(1)",
        // Art. 22(1): "… indien laatstgenoemde Verdragsluitende Partij daartoe toestemming heeft
        // gegeven op basis van een van tevoren ingediend met redenen omkleed rechtshulpverzoek".
        OperationKind::Observation if start.prior_authorisation => "22(1)",
        // Art. 24(1): "De aangezochte Verdragsluitende Partij reageert binnen een termijn van 48
        // uur of, in geval van spoed, zo snel mogelijk."
        OperationKind::Investigation => "24(1)",
        // Art. 25(1): "… mits daarvoor voorafgaande toestemming van de bevoegde autoriteit of
        // dienst van de gaststaat is verkregen."
        OperationKind::Transport => "25(1)",
        // Art. 33(1): "… op verzoek van de bevoegde diensten van een andere Verdragsluitende
        // Partij die het onderzoek naar het strafbare feit voeren …"
        OperationKind::UrgentEvidence => "33(1)",
        _ => return None,
    }))
}

/// A party's part in an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The party whose officers cross (the "zendstaat").
    Sending,
    /// The party on whose territory they act (the "gaststaat").
    Host,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Sending => "sending",
            Side::Host => "host",
        }
    }
}

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    /// Awaiting the host's answer to a request.
    Requested,
    /// A patrol planned but not begun.
    Planned,
    Active,
    /// The host refused the request.
    Refused,
    Ended,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::Requested => "requested",
            OperationStatus::Planned => "planned",
            OperationStatus::Active => "active",
            OperationStatus::Refused => "refused",
            OperationStatus::Ended => "ended",
        }
    }
}

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Granted,
    Refused,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Granted => "granted",
            Answer::Refused => "refused",
        }
    }
}

/// What happened in an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The start: the crossing notice (Art. 21(1): at the latest at the crossing), the request
    /// or notice of the other kinds.
    Crossing,
    /// The host acknowledges, with the information needed to avoid interference.
    Acknowledged,
    /// The host's instruction (Art. 21(2), 45).
    Instruction,
    /// The host orders the pursuit to stop (Art. 21(2)).
    StopOrder,
    /// The pursued person is held (Art. 21(3)): the release clock starts.
    Detained,
    /// The host received a European Arrest Warrant: the release clock stops (21(3)).
    EawReceived,
    /// The person is released or handed over.
    Released,
    /// The operation is over.
    Ended,
    /// The sending party's report to the host authority (Art. 46).
    ReportFiled,
    /// Hours of observation spent on the host's territory (Art. 22(6)); `text` is the number.
    Hours,
    /// The start of an operation that needs the host's answer first: a request for assistance
    /// (18, 53–54), an authorised observation (22(1)), an investigation (23), a transport (25),
    /// urgent securing of evidence (33).
    Requested,
    /// The host grants the request, with its reasons and terms in `facts` (18(4), 22(1), 24(1)).
    Granted,
    /// The host refuses the request, with its reasons (18(4), 61).
    Refused,
    /// The host carries out the acts itself (24(3), 25(1)).
    ExecutesItself,
    /// The host takes the operation over (45(1)).
    TakenOver,
    /// A sending officer used force; `facts` are the engine's `force.use` fields (40(6)).
    UseOfForce,
    /// The written confirmation of an oral request (33(2)).
    ConfirmedInWriting,
    /// A mixed patrol or joint check is planned (20); the host's node sends it to the partner.
    Planned,
    /// The planned patrol begins (20): Art. 16 consultation is possible while it runs.
    Started,
}

impl EventKind {
    pub const ALL: [EventKind; 19] = [
        EventKind::Crossing,
        EventKind::Acknowledged,
        EventKind::Instruction,
        EventKind::StopOrder,
        EventKind::Detained,
        EventKind::EawReceived,
        EventKind::Released,
        EventKind::Ended,
        EventKind::ReportFiled,
        EventKind::Hours,
        EventKind::Requested,
        EventKind::Granted,
        EventKind::Refused,
        EventKind::ExecutesItself,
        EventKind::TakenOver,
        EventKind::UseOfForce,
        EventKind::ConfirmedInWriting,
        EventKind::Planned,
        EventKind::Started,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Crossing => "crossing",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Instruction => "instruction",
            EventKind::StopOrder => "stop_order",
            EventKind::Detained => "detained",
            EventKind::EawReceived => "eaw_received",
            EventKind::Released => "released",
            EventKind::Ended => "ended",
            EventKind::ReportFiled => "report_filed",
            EventKind::Hours => "hours",
            EventKind::Requested => "requested",
            EventKind::Granted => "granted",
            EventKind::Refused => "refused",
            EventKind::ExecutesItself => "executes_itself",
            EventKind::TakenOver => "taken_over",
            EventKind::UseOfForce => "use_of_force",
            EventKind::ConfirmedInWriting => "confirmed_in_writing",
            EventKind::Planned => "planned",
            EventKind::Started => "started",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// `operation.event`: may this side record this event on this operation now?
#[derive(Debug, Clone)]
pub struct OperationEvent {
    pub kind: OperationKind,
    /// The side that wants to record the event.
    pub side: Side,
    pub status: OperationStatus,
    pub answer: Option<Answer>,
    /// The events recorded so far, oldest first (the first is the start).
    pub recorded: Vec<EventKind>,
    pub event: EventKind,
}

impl OperationEvent {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let one = |name: &str, known: &[&'static str]| -> Result<&'static str, FieldError> { f.one_of(name, known) };
        let kinds: Vec<&str> = OperationKind::STARTED_BY_OFFICERS
            .iter()
            .chain(&[OperationKind::Patrol])
            .map(|k| k.as_str())
            .collect();
        let events: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        let kind = OperationKind::parse(one("operation", &kinds)?).unwrap_or(OperationKind::Pursuit);
        let side = match one("side", &["sending", "host"])? {
            "host" => Side::Host,
            _ => Side::Sending,
        };
        let status = match one("status", &["requested", "planned", "active", "refused", "ended"])? {
            "requested" => OperationStatus::Requested,
            "planned" => OperationStatus::Planned,
            "refused" => OperationStatus::Refused,
            "ended" => OperationStatus::Ended,
            _ => OperationStatus::Active,
        };
        let answer = match f.raw("answer") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => Some(match one("answer", &["granted", "refused"])? {
                "granted" => Answer::Granted,
                _ => Answer::Refused,
            }),
        };
        let mut recorded = Vec::new();
        if let Some(serde_json::Value::Array(items)) = f.raw("recorded") {
            for (i, item) in items.iter().enumerate() {
                let name = format!("recorded[{i}]");
                let event = item
                    .as_str()
                    .and_then(EventKind::parse)
                    .ok_or_else(|| f.error(&name, format!("expected one of {}", events.join(", "))))?;
                recorded.push(event);
            }
        }
        let event = EventKind::parse(one("event", &events)?).unwrap_or(EventKind::Crossing);
        Ok(OperationEvent {
            kind,
            side,
            status,
            answer,
            recorded,
            event,
        })
    }
}

/// Why an event may not be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleRefusal {
    /// This side does not record this event on this kind of operation (the article says who
    /// does).
    NotThisSide { article: ArticleRef, reason: String },
    /// The event does not follow from what was recorded so far.
    OutOfOrder { article: ArticleRef, problem: &'static str },
}

impl LifecycleRefusal {
    pub fn article(&self) -> &ArticleRef {
        match self {
            LifecycleRefusal::NotThisSide { article, .. } | LifecycleRefusal::OutOfOrder { article, .. } => article,
        }
    }
}

impl std::fmt::Display for LifecycleRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LifecycleRefusal::NotThisSide { reason, .. } => f.write_str(reason),
            LifecycleRefusal::OutOfOrder { problem, .. } => write!(f, "event: {problem}"),
        }
    }
}

/// Who may record an event on an operation, and under which article — or why not. The host
/// answers a request, acknowledges, instructs, orders a stop, receives the warrant, takes over
/// (45(1)) and executes itself after a refusal (24(3), 25(1)); the sending side crosses after a
/// grant, records hours (22(6)), uses of force (40(6)), the written confirmation (33(2)) and
/// files the report (46(1)); either records a detention, a release or the end.
pub fn may_record(e: &OperationEvent) -> Result<ArticleRef, LifecycleRefusal> {
    use EventKind as K;
    let host_side = e.side == Side::Host;
    let has = |k: EventKind| e.recorded.contains(&k);
    let requested = e.recorded.first() == Some(&K::Requested);
    let pursuit = e.kind == OperationKind::Pursuit;
    let kind_article = e.kind.article();
    let (allowed, article) = match e.event {
        K::Crossing => (!host_side && requested && e.answer == Some(Answer::Granted), kind_article),
        K::Requested | K::Planned | K::Started => (false, kind_article),
        // The party asked answers: the host, or for assistance the party asked to send.
        K::Granted | K::Refused => (
            host_side != e.kind.requested_by_host() && requested,
            answer_article(e.kind, StartFacts::default()).unwrap_or(kind_article),
        ),
        K::ExecutesItself => (
            host_side && e.kind.host_executes_itself_article().is_some(),
            e.kind.host_executes_itself_article().unwrap_or(art("24(3)")),
        ),
        // Art. 19(3): "… onmiddellijk bij het overschrijden van de grens wordt gemeld aan de
        // bevoegde dienst van de gaststaat": the host confirms the notice.
        K::Acknowledged if e.kind == OperationKind::OwnInitiative => (host_side, art("19(3)")),
        // Art. 21(2)(a): "… de achtervolging wordt afgebroken zodra de gaststaat dat te verstaan
        // geeft"; (b): "zij volgen de aanwijzingen van de bevoegde diensten van de gaststaat op".
        K::Acknowledged | K::Instruction | K::StopOrder if pursuit => (host_side, art("21(2)")),
        // Art. 34(2): "… is de ambtenaar van de zendstaat gehouden de aanwijzingen en de bevelen
        // van de bevoegde autoriteiten en diensten van de gaststaat op te volgen."
        K::Acknowledged | K::Instruction => (host_side, art("34(2)")),
        // Art. 45(2): "Het grensoverschrijdend optreden wordt beëindigd, zodra de bevoegde
        // diensten van de gaststaat zulks te kennen geven."
        K::StopOrder => (host_side, art("45(2)")),
        // Art. 45(1): "De bevoegde diensten van de gaststaat kunnen bepalen dat zij het
        // grensoverschrijdend optreden overnemen …"
        K::TakenOver => (host_side, art("45(1)")),
        // Art. 21(3): "… tenzij de bevoegde autoriteiten van de gaststaat voordien een Europees
        // aanhoudingsbevel hebben ontvangen."
        K::EawReceived => (host_side && pursuit, art("21(3)")),
        // Art. 21(3) for a pursued person; otherwise Art. 36(1)(a): "het vasthouden van een
        // persoon, in de mate dat het recht van de gaststaat dit toelaat …"
        K::Detained | K::Released => (true, art(if pursuit { "21(3)" } else { "36(1)" })),
        // The host ends (45(2)); the sending side ends its own operation and reports (46(1)).
        K::Ended => (true, art(if host_side { "45(2)" } else { "46(1)" })),
        // Art. 46(1): "De bevoegde diensten van de zendstaat doen na elk grensoverschrijdend
        // optreden verslag van dit optreden aan de bevoegde autoriteiten van de gaststaat …"
        K::ReportFiled => (!host_side, art("46(1)")),
        // Art. 22(6): the authorisation states the hours on the host's territory; the sending
        // side records those it spends.
        K::Hours => (!host_side && e.kind == OperationKind::Observation, art("22(6)")),
        // Art. 40(6): "De ambtenaar van de zendstaat die dwang of geweld heeft gebruikt, … meldt
        // de feiten en omstandigheden dienaangaande, alsmede de gevolgen hiervan, onverwijld …"
        K::UseOfForce => (!host_side, art("40(6)")),
        // Art. 33(2): "Voor zover het in het eerste lid bedoelde verzoek mondeling is gedaan,
        // wordt dit zo spoedig mogelijk schriftelijk bevestigd."
        K::ConfirmedInWriting => (!host_side && e.kind == OperationKind::UrgentEvidence, art("33(2)")),
    };
    if !allowed {
        let reason = format!(
            "Art. {article}: the {} party does not record '{}' on a {} operation{}",
            e.side.as_str(),
            e.event.as_str(),
            e.kind.as_str().replace('_', " "),
            if e.event == K::Crossing && requested {
                " before the host granted the request"
            } else {
                ""
            }
        );
        return Err(LifecycleRefusal::NotThisSide { article, reason });
    }
    // What comes in which order: a request is answered once, before anything else happens (the
    // requester may withdraw it: the end); after a refusal only the host's own execution and
    // the end; nothing after the end but the report.
    let status = e.status;
    let problem = match e.event {
        k if status == OperationStatus::Ended && k != K::ReportFiled => Some("the operation has ended"),
        K::Granted | K::Refused if e.answer.is_some() => Some("the request is answered already"),
        K::ExecutesItself if e.answer != Some(Answer::Refused) => {
            Some("the host executes itself after refusing the request")
        }
        K::ExecutesItself if has(K::ExecutesItself) => Some("the host executes the acts already"),
        K::Crossing if has(K::Crossing) => Some("the crossing is recorded already"),
        k if status == OperationStatus::Requested && !matches!(k, K::Granted | K::Refused | K::Ended) => {
            Some("the host has not answered the request yet")
        }
        k if status == OperationStatus::Refused && !matches!(k, K::ExecutesItself | K::Ended) => {
            Some("the host refused the request")
        }
        K::Detained if has(K::Detained) => Some("the person is already detained"),
        K::EawReceived | K::Released if !has(K::Detained) => Some("no one is detained in this operation"),
        K::ReportFiled if status != OperationStatus::Ended => Some("the report follows the end (Art. 46)"),
        K::ReportFiled if has(K::ReportFiled) => Some("the report is filed already"),
        K::ConfirmedInWriting if has(K::ConfirmedInWriting) => Some("the request is confirmed already"),
        K::TakenOver if has(K::TakenOver) => Some("the host has taken the operation over already"),
        _ => None,
    };
    match problem {
        Some(problem) => Err(LifecycleRefusal::OutOfOrder { article, problem }),
        None => Ok(article),
    }
}

/// Art. 23(5): the report on acts of investigation is written "in de taal die het recht van de
/// gaststaat voorschrijft" — in a language the host's law requires (the host's languages in the
/// profile).
pub fn investigation_report_language(
    profile: &crate::profile::Profile,
    host: &crate::ids::PartyCode,
    language: &str,
) -> Result<ArticleRef, String> {
    let languages: Vec<String> = profile
        .party(host)
        .map(|p| p.languages.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    if languages.iter().any(|l| l == language) {
        Ok(art("23(5)"))
    } else {
        Err(format!(
            "the report on acts of investigation is written in a language {host}'s law requires ({}) (Art. 23(5)); '{language}' is not one",
            languages.join(", ")
        ))
    }
}

/// `operation.event` as a decision: allowed with the article the event acts under, or refused
/// with the reason.
pub fn operation_event(e: &OperationEvent) -> Decision {
    let mut d = DecisionBuilder::new();
    match may_record(e) {
        Ok(article) => {
            d.cite(
                article,
                format!(
                    "the {} party records '{}' on a {} operation",
                    e.side.as_str(),
                    e.event.as_str(),
                    e.kind.as_str().replace('_', " ")
                ),
            );
        }
        Err(refusal) => {
            let reason = match &refusal {
                LifecycleRefusal::NotThisSide { reason, .. } => reason.clone(),
                LifecycleRefusal::OutOfOrder { problem, .. } => (*problem).to_owned(),
            };
            d.refuse(refusal.article().clone(), reason);
        }
    }
    d.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind as K;

    fn op(kind: OperationKind, side: Side, recorded: &[EventKind], event: EventKind) -> OperationEvent {
        let answer = recorded.iter().find_map(|k| match k {
            K::Granted => Some(Answer::Granted),
            K::Refused => Some(Answer::Refused),
            _ => None,
        });
        let status = if recorded.contains(&K::Ended) {
            OperationStatus::Ended
        } else if answer == Some(Answer::Refused) {
            OperationStatus::Refused
        } else if recorded.first() == Some(&K::Requested) && answer.is_none() {
            OperationStatus::Requested
        } else {
            OperationStatus::Active
        };
        OperationEvent {
            kind,
            side,
            status,
            answer,
            recorded: recorded.to_vec(),
            event,
        }
    }

    fn article(e: &OperationEvent) -> String {
        match may_record(e) {
            Ok(a) => a.to_string(),
            Err(r) => panic!("refused: {r}"),
        }
    }

    fn refusal(e: &OperationEvent) -> LifecycleRefusal {
        match may_record(e) {
            Ok(a) => panic!("allowed under {a}"),
            Err(r) => r,
        }
    }

    use OperationKind as O;
    use Side::{Host, Sending};

    #[test]
    fn art18_assistance_is_answered_by_the_party_asked_with_reasons() {
        // The host asked; the sending party (asked to send officers) answers under 18(4).
        let asked = [K::Requested];
        assert_eq!(article(&op(O::Assistance, Sending, &asked, K::Granted)), "18(4)");
        assert!(matches!(
            refusal(&op(O::Assistance, Host, &asked, K::Granted)),
            LifecycleRefusal::NotThisSide { .. }
        ));
        // Once only.
        let answered = [K::Requested, K::Granted];
        assert_eq!(
            refusal(&op(O::Assistance, Sending, &answered, K::Refused)),
            LifecycleRefusal::OutOfOrder {
                article: art("18(4)"),
                problem: "the request is answered already"
            }
        );
    }

    #[test]
    fn art19_own_initiative_crossing_is_confirmed_by_the_host() {
        let started = [K::Crossing];
        assert_eq!(article(&op(O::OwnInitiative, Host, &started, K::Acknowledged)), "19(3)");
        assert!(refusal(&op(O::OwnInitiative, Sending, &started, K::Acknowledged))
            .to_string()
            .contains("the sending party does not record 'acknowledged'"));
    }

    #[test]
    fn art20_a_patrol_is_planned_and_started_by_the_patrol_desk_not_as_an_event() {
        for event in [K::Planned, K::Started, K::Requested] {
            let r = refusal(&op(O::Patrol, Host, &[K::Planned], event));
            assert_eq!(r.article(), &art("20"));
        }
        assert_eq!(O::Patrol.powers_article(), Some(20));
    }

    #[test]
    fn art21_the_host_instructs_stops_and_receives_the_warrant_the_release_clock_needs_a_detention() {
        let crossed = [K::Crossing];
        for event in [K::Acknowledged, K::Instruction, K::StopOrder] {
            assert_eq!(article(&op(O::Pursuit, Host, &crossed, event)), "21(2)");
            assert!(may_record(&op(O::Pursuit, Sending, &crossed, event)).is_err());
        }
        assert_eq!(article(&op(O::Pursuit, Sending, &crossed, K::Detained)), "21(3)");
        assert_eq!(
            refusal(&op(O::Pursuit, Host, &crossed, K::EawReceived)),
            LifecycleRefusal::OutOfOrder {
                article: art("21(3)"),
                problem: "no one is detained in this operation"
            }
        );
        let held = [K::Crossing, K::Detained];
        assert_eq!(article(&op(O::Pursuit, Host, &held, K::EawReceived)), "21(3)");
        assert!(may_record(&op(O::Pursuit, Sending, &held, K::Detained)).is_err());
        // Only in a pursuit does the warrant stop a release clock.
        assert!(may_record(&op(O::Observation, Host, &held, K::EawReceived)).is_err());
    }

    #[test]
    fn art22_authorised_observation_is_answered_under_22_1_and_hours_recorded_by_the_sender() {
        let facts = StartFacts {
            prior_authorisation: true,
            crisis: false,
        };
        assert_eq!(answer_article(O::Observation, facts), Some(art("22(1)")));
        assert_eq!(answer_article(O::Observation, StartFacts::default()), None);
        let granted = [K::Requested, K::Granted];
        assert_eq!(article(&op(O::Observation, Sending, &granted, K::Hours)), "22(6)");
        assert!(may_record(&op(O::Observation, Host, &granted, K::Hours)).is_err());
        assert!(may_record(&op(O::Pursuit, Sending, &[K::Crossing], K::Hours)).is_err());
    }

    #[test]
    fn art24_investigation_answered_within_48_hours_and_executed_by_the_host_after_a_refusal() {
        let asked = [K::Requested];
        assert_eq!(article(&op(O::Investigation, Host, &asked, K::Refused)), "24(1)");
        let refused = [K::Requested, K::Refused];
        assert_eq!(article(&op(O::Investigation, Host, &refused, K::ExecutesItself)), "24(3)");
        assert_eq!(
            refusal(&op(O::Investigation, Sending, &refused, K::Crossing)),
            LifecycleRefusal::NotThisSide {
                article: art("23(1)"),
                reason: "Art. 23(1): the sending party does not record 'crossing' on a investigation operation before the host granted the request".into()
            }
        );
        let granted = [K::Requested, K::Granted];
        assert_eq!(
            refusal(&op(O::Investigation, Host, &granted, K::ExecutesItself)),
            LifecycleRefusal::OutOfOrder {
                article: art("24(3)"),
                problem: "the host executes itself after refusing the request"
            }
        );
        let executing = [K::Requested, K::Refused, K::ExecutesItself];
        assert!(may_record(&op(O::Investigation, Host, &executing, K::ExecutesItself)).is_err());
    }

    #[test]
    fn art25_transport_needs_prior_consent_and_the_host_carries_it_out_after_a_refusal() {
        let asked = [K::Requested];
        assert_eq!(article(&op(O::Transport, Host, &asked, K::Granted)), "25(1)");
        // Nothing but the answer or the end before the answer.
        assert_eq!(
            refusal(&op(O::Transport, Sending, &asked, K::Detained)),
            LifecycleRefusal::OutOfOrder {
                article: art("36(1)"),
                problem: "the host has not answered the request yet"
            }
        );
        assert_eq!(article(&op(O::Transport, Sending, &asked, K::Ended)), "46(1)");
        let refused = [K::Requested, K::Refused];
        assert_eq!(article(&op(O::Transport, Host, &refused, K::ExecutesItself)), "25(1)");
        assert!(may_record(&op(O::Transport, Sending, &refused, K::UseOfForce)).is_err());
    }

    #[test]
    fn art33_urgent_evidence_is_a_request_confirmed_in_writing_once() {
        let asked = [K::Requested];
        assert_eq!(article(&op(O::UrgentEvidence, Host, &asked, K::Granted)), "33(1)");
        let granted = [K::Requested, K::Granted];
        assert_eq!(article(&op(O::UrgentEvidence, Sending, &granted, K::ConfirmedInWriting)), "33(2)");
        let confirmed = [K::Requested, K::Granted, K::ConfirmedInWriting];
        assert!(may_record(&op(O::UrgentEvidence, Sending, &confirmed, K::ConfirmedInWriting)).is_err());
        assert!(may_record(&op(O::Investigation, Sending, &granted, K::ConfirmedInWriting)).is_err());
    }

    #[test]
    fn art34_the_host_gives_instructions_in_every_operation_but_a_pursuit() {
        let crossed = [K::Crossing];
        assert_eq!(article(&op(O::TrainBoarding, Host, &crossed, K::Instruction)), "34(2)");
        assert_eq!(article(&op(O::Transit, Host, &crossed, K::Acknowledged)), "34(2)");
        assert!(may_record(&op(O::Transit, Sending, &crossed, K::Instruction)).is_err());
    }

    #[test]
    fn art36_officers_hold_a_person_in_operations_other_than_a_pursuit() {
        let crossed = [K::Crossing];
        assert_eq!(article(&op(O::OwnInitiative, Sending, &crossed, K::Detained)), "36(1)");
        let held = [K::Crossing, K::Detained];
        assert_eq!(article(&op(O::OwnInitiative, Host, &held, K::Released)), "36(1)");
        assert_eq!(
            refusal(&op(O::OwnInitiative, Host, &held, K::Detained)).to_string(),
            "event: the person is already detained"
        );
    }

    #[test]
    fn art40_a_use_of_force_is_reported_by_the_sending_side() {
        let crossed = [K::Crossing];
        assert_eq!(article(&op(O::Pursuit, Sending, &crossed, K::UseOfForce)), "40(6)");
        assert!(may_record(&op(O::Pursuit, Host, &crossed, K::UseOfForce)).is_err());
    }

    #[test]
    fn art45_the_host_takes_over_once_and_ends() {
        let crossed = [K::Crossing];
        assert_eq!(article(&op(O::Observation, Host, &crossed, K::TakenOver)), "45(1)");
        assert_eq!(article(&op(O::Observation, Host, &crossed, K::Ended)), "45(2)");
        assert_eq!(article(&op(O::Observation, Host, &crossed, K::StopOrder)), "45(2)");
        assert!(may_record(&op(O::Observation, Sending, &crossed, K::TakenOver)).is_err());
        let taken = [K::Crossing, K::TakenOver];
        assert!(may_record(&op(O::Observation, Host, &taken, K::TakenOver)).is_err());
        // Nothing after the end but the report.
        let ended = [K::Crossing, K::Ended];
        assert_eq!(
            refusal(&op(O::Observation, Host, &ended, K::Instruction)).to_string(),
            "event: the operation has ended"
        );
    }

    #[test]
    fn art46_the_report_follows_the_end_once_and_is_filed_by_the_sending_side() {
        let crossed = [K::Crossing];
        assert_eq!(
            refusal(&op(O::Pursuit, Sending, &crossed, K::ReportFiled)).to_string(),
            "event: the report follows the end (Art. 46)"
        );
        let ended = [K::Crossing, K::Ended];
        assert_eq!(article(&op(O::Pursuit, Sending, &ended, K::ReportFiled)), "46(1)");
        assert!(may_record(&op(O::Pursuit, Host, &ended, K::ReportFiled)).is_err());
        let filed = [K::Crossing, K::Ended, K::ReportFiled];
        assert!(may_record(&op(O::Pursuit, Sending, &filed, K::ReportFiled)).is_err());
    }

    #[test]
    fn art53_special_units_in_a_crisis_are_answered_under_53_6_and_otherwise_54_1() {
        let crisis = StartFacts {
            crisis: true,
            prior_authorisation: false,
        };
        assert_eq!(answer_article(O::SpecialUnits, crisis), Some(art("53(6)")));
        assert_eq!(answer_article(O::SpecialUnits, StartFacts::default()), Some(art("54(1)")));
        assert!(O::SpecialUnits.requested_by_host());
        assert_eq!(O::SpecialUnits.article(), art("53(1)"));
    }

    #[test]
    fn art54_special_units_outside_a_crisis_follow_article_18() {
        let asked = [K::Requested];
        assert_eq!(article(&op(O::SpecialUnits, Sending, &asked, K::Refused)), "54(1)");
        assert!(may_record(&op(O::SpecialUnits, Host, &asked, K::Refused)).is_err());
    }

    #[test]
    fn art23_the_report_on_investigation_acts_is_in_a_language_of_the_host() {
        let profile = crate::profile::Profile::builtin("benelux-2018")
            .expect("builtin")
            .expect("valid");
        let be = crate::ids::PartyCode::parse("BE").expect("party");
        assert_eq!(investigation_report_language(&profile, &be, "fr"), Ok(art("23(5)")));
        let refused = investigation_report_language(&profile, &be, "en").expect_err("en is no language of BE");
        assert!(refused.contains("(Art. 23(5)); 'en' is not one"), "{refused}");
    }

    #[test]
    fn art21_operation_event_decision_cites_the_article_or_refuses_with_it() {
        let d = operation_event(&op(O::Pursuit, Host, &[K::Crossing], K::StopOrder));
        assert_eq!(d.verdict, Some(crate::decision::Verdict::Allowed));
        assert!(d.cites(&art("21(2)")));
        let d = operation_event(&op(O::Pursuit, Sending, &[K::Crossing], K::StopOrder));
        assert_eq!(d.verdict, Some(crate::decision::Verdict::Refused));
        assert!(d.cites(&art("21(2)")));
    }
}
