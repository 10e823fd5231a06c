//! Titles 3–6: the life cycle of a cross-border operation — which event may follow which, who
//! records it, and the article each event acts under.
//!
//! The node keeps the events of an operation in the order they happened; it asks
//! [`may_record`] before recording one more. The start of an operation is decided by the
//! kind's own rule (`operation.pursuit`, `operation.observation`, …); this module decides the
//! steps after it.

mod kinds;
#[cfg(test)]
mod tests;

pub use kinds::*;

use crate::article::{art, ArticleRef};
use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};

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
        K::Crossing => (
            !host_side && requested && e.answer == Some(Answer::Granted),
            kind_article,
        ),
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
