//! International sports events (`sports.event_data`; `si-al` assumed Art. 5, on the model of
//! Council Decision 2002/348/JHA): the visiting side's information point sends the host's
//! general information, risk supporters each with the reason, and the evaluation afterwards.
//! Risk supporters' data are erased the profile's number of days after the event — by both
//! nodes, each on its own clock: the sender schedules its copy before the message leaves, the
//! receiver before it stores what arrived ([`erasure_due`]), and the duties erase what is due
//! ([`Desk::erase_due_event_data`]), journaled.

use super::*;

use crate::accounts::Role;
use protocol::{SportsEvent, Subject};
use store::{CaseStore, Direction, MessageQuery, Record};
use treaty::{ArticleRef, ObligationKind};

use super::transfers::TransferFacts;

/// The registry's kind for a scheduled erasure (key: the message id).
pub const ERASURE_DUE: &str = "erasure_due";

/// The longest name of a competition, team or venue.
const MAX_NAME: usize = 120;

/// One risk supporter and why he or she is considered one.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskSupporter {
    #[schema(value_type = Object)]
    pub person: Subject,
    pub reason: String,
}

/// The event as the officer gives it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventForm {
    pub competition: String,
    pub home_team: String,
    pub away_team: String,
    pub venue: String,
    /// The match day, `YYYY-MM-DD`.
    pub date: String,
    /// The party where the match is played (`AL`).
    pub host: String,
}

/// What an information point sends about an event.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SportsSend {
    /// The other party's information point (`AL`).
    pub to_party: String,
    pub event: EventForm,
    /// `general`, `risk_supporters` or `evaluation`.
    pub data: String,
    /// Risk supporters (only with `risk_supporters`), each with the reason.
    #[serde(default)]
    pub supporters: Vec<RiskSupporter>,
    pub text: String,
    /// Directive 2016/680 Chapter V, when a member state sends risk supporters to a third country.
    #[serde(default)]
    pub transfer: Option<TransferFacts>,
}

/// The erasure an arriving or departing message of event data is due for, from the engine's
/// `erase` obligation on it under `profile`; `None` for data without persons.
pub fn erasure_due(profile: &Profile, envelope: &Envelope) -> Option<(Timestamp, ArticleRef)> {
    let Body::SportsEventData {
        event,
        data,
        subjects,
        reasons,
        ..
    } = &envelope.body
    else {
        return None;
    };
    if subjects.is_empty() {
        return None;
    }
    let action = json!({
        "kind": "sports.event_data",
        "from": envelope.from.party,
        "to": envelope.to.party,
        "event_date": event.date.to_string(),
        "data": data,
        "reason_given": reasons.len() == subjects.len() && reasons.iter().all(|r| !r.trim().is_empty()),
    });
    let action = Action::parse(&action, "action", profile).ok()?;
    let decision = treaty::evaluate(profile, &action);
    decision
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::Erase)
        .and_then(|o| o.due.map(|due| (due, o.article.clone())))
}

impl Desk {
    /// Sends an event's data to the other party's information point.
    pub async fn send_event_data(&self, user: &User, s: &SportsSend) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&s.to_party)?;
        let to_node = self.node_of(&to_party)?;
        let event = self.event(&s.event, &to_party)?;
        if s.text.trim().is_empty() {
            return Err(DeskError::invalid(
                "text: give the movements, numbers, transport, routes and arrival times, or the evaluation",
            ));
        }
        match (s.data.as_str(), s.supporters.is_empty()) {
            ("risk_supporters", true) => {
                return Err(DeskError::invalid(
                    "supporters: list the risk supporters, each with the reason",
                ))
            }
            ("general" | "evaluation", false) => {
                return Err(DeskError::invalid(format!(
                    "supporters: persons go only as risk supporters, not with {}",
                    s.data
                )))
            }
            _ => {}
        }
        let provision = self.profile.provisions.sports_events.as_ref().ok_or_else(|| {
            DeskError::invalid(format!(
                "agreement {} provides no exchange for sports events (profile [sports_events])",
                self.profile.id
            ))
        })?;
        let (view, decision) = self.decide_wire(&json!({
            "kind": "sports.event_data",
            "from": self.node.me.party,
            "to": to_party,
            "event_date": event.date.to_string(),
            "data": s.data,
            "reason_given": s.supporters.iter().all(|r| !r.reason.trim().is_empty()),
        }))?;
        self.require(&view, &decision, "this exchange of event data")?;
        let mut decisions = vec![view];
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            NodeAddress::node(to_party.clone(), to_node.id.clone()),
            self.now(),
            LegalBasis {
                instrument: self.profile.id.clone(),
                article: provision.article.clone(),
            },
            Body::SportsEventData {
                event,
                data: s.data.clone(),
                subjects: s.supporters.iter().map(|r| r.person.clone()).collect(),
                reasons: s.supporters.iter().map(|r| r.reason.trim().to_owned()).collect(),
                text: s.text.clone(),
            },
        );
        if envelope.body.may_carry_personal_data() {
            if let Some((view, _, basis)) = self.clear_transfer(&to_party, s.transfer.as_ref(), None, None)? {
                decisions.push(view);
                envelope = envelope.with_transfer(basis);
            }
        }
        // The sender's own copy is erased with the receiver's: scheduled before it leaves.
        self.deliverable(&envelope)?;
        if let Some((due, article)) = erasure_due(&self.profile, &envelope) {
            schedule_erasure(&self.node.store, &envelope, due, &article, &actor(user)).await?;
        }
        self.dispatch(
            user,
            &envelope,
            &format!(
                "{} Art. {}: {} for {} – {} on {} to {to_party}",
                envelope.legal_basis.instrument,
                envelope.legal_basis.article,
                s.data,
                s.event.home_team.trim(),
                s.event.away_team.trim(),
                s.event.date.trim()
            ),
        )
        .await?;
        Ok(self.sent(&envelope, decisions))
    }

    /// The event as checked where it enters: names present and bounded, the host one of the two.
    fn event(&self, f: &EventForm, to: &PartyCode) -> Result<SportsEvent, DeskError> {
        let name = |field: &str, v: &str| -> Result<String, DeskError> {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > MAX_NAME {
                return Err(DeskError::invalid(format!(
                    "event.{field}: give it in 1 to {MAX_NAME} characters"
                )));
            }
            Ok(v.to_owned())
        };
        let date: jiff::civil::Date = f.date.trim().parse().map_err(|e| {
            DeskError::invalid(format!(
                "event.date: '{}' is not a date (YYYY-MM-DD): {e}",
                f.date.trim()
            ))
        })?;
        let host = party(f.host.trim())?;
        if &host != to && host != self.node.me.party {
            return Err(DeskError::invalid(format!(
                "event.host: {host} is neither {} nor {to}",
                self.node.me.party
            )));
        }
        Ok(SportsEvent {
            competition: name("competition", &f.competition)?,
            home_team: name("home_team", &f.home_team)?,
            away_team: name("away_team", &f.away_team)?,
            venue: name("venue", &f.venue)?,
            date,
            host,
        })
    }

    /// Erases the event data whose time has come, each message's case with it, journaled as
    /// the agreement's erasure; returns how many were erased. Run by the duties' holder.
    pub async fn erase_due_event_data(&self) -> Result<usize, DeskError> {
        let now = self.now();
        let mut erased = 0;
        for record in self.node.store.records(ERASURE_DUE).await? {
            let due: Option<Timestamp> = record.value["due"].as_str().and_then(|d| d.parse().ok());
            if due.is_none_or(|d| d > now) {
                continue;
            }
            let id = record.key.clone();
            let stored = self
                .node
                .store
                .messages(MessageQuery {
                    message_id: Some(id.clone()),
                    ..MessageQuery::default()
                })
                .await?;
            // Only event data are erased this way; a record whose message never got stored (a
            // crash between the two) or was erased already is dropped.
            let case = stored
                .iter()
                .find(|m| m.meta.kind == "sports_event_data" && !m.bytes.starts_with("{\"erased\""))
                .and_then(|m| m.meta.case_id.clone());
            if let Some(case) = case {
                self.erase_event_case(&case, &record).await?;
                erased += 1;
            }
            self.node.store.delete_record(ERASURE_DUE, &id).await?;
        }
        Ok(erased)
    }

    async fn erase_event_case(&self, case: &str, record: &Record) -> Result<(), DeskError> {
        let stored = self
            .node
            .store
            .messages(MessageQuery {
                case_id: Some(case.to_owned()),
                ..MessageQuery::default()
            })
            .await?;
        let redacted: Vec<(String, String)> = stored
            .iter()
            .filter(|m| !m.bytes.starts_with("{\"erased\""))
            .map(|m| {
                let stub = json!({ "erased": {
                    "id": m.message_id,
                    "kind": m.meta.kind,
                    "case": m.meta.case_id,
                    "direction": match m.direction { Direction::Incoming => "incoming", Direction::Outgoing => "outgoing" },
                    "at": m.at.to_string(),
                }});
                (m.message_id.clone(), stub.to_string())
            })
            .collect();
        let article = record.value["article"].as_str().unwrap_or_default();
        self.node
            .store
            .erase_case(
                case,
                redacted.clone(),
                store::NewEntry {
                    at: self.now(),
                    operation: Operation::Erasure,
                    actor: self.node_actor(),
                    justification: format!(
                        "{article}: risk supporters' data of {} erased after the event, as due at {}",
                        record.value["event"].as_str().unwrap_or("the event"),
                        record.value["due"].as_str().unwrap_or("?")
                    ),
                    recipient: None,
                    message_id: Some(record.key.clone()),
                    case_id: Some(case.to_owned()),
                    details: json!({ "erased_messages": redacted.iter().map(|(m, _)| m).collect::<Vec<_>>(), "due": record.value["due"] }),
                },
            )
            .await?;
        Ok(())
    }
}

/// Records when `envelope`'s event data are to be erased, before the message is stored on
/// either side: a crash in between leaves a schedule without a message (dropped when due), never
/// a message without a schedule.
pub async fn schedule_erasure(
    store: &store::AnyStore,
    envelope: &Envelope,
    due: Timestamp,
    article: &ArticleRef,
    by: &str,
) -> Result<(), store::StoreError> {
    let event = match &envelope.body {
        Body::SportsEventData { event, .. } => {
            format!("{} – {} ({})", event.home_team, event.away_team, event.date)
        }
        _ => String::new(),
    };
    store
        .put_record(Record {
            kind: ERASURE_DUE.into(),
            key: envelope.id.to_string(),
            value: json!({
                "due": due.to_string(),
                "article": format!("{} Art. {article}", envelope.legal_basis.instrument),
                "event": event,
            }),
            updated_by: by.to_owned(),
            updated_at: envelope.created_at,
        })
        .await
}
