//! The vocabulary of the life cycle: kinds of operation, sides, statuses, answers and events.

use serde::{Deserialize, Serialize};

use crate::article::{art, ArticleRef};

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
