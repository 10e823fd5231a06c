//! Recording an event on an operation: the engine's life cycle decides who may record what
//! after what (`treaty::rules::lifecycle`), the kind's rule decides the terms.

use super::*;

use super::{party, Desk, DeskError};
use crate::accounts::Role;
use jiff::{SignedDuration, Timestamp};
use protocol::{OperationEvent, OperationEventKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::User;

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

impl Desk {
    /// Asks the engine's life cycle whether this side may record `event` on `op` now, and under
    /// which article: who records what is refused as forbidden, what comes out of order as
    /// invalid.
    pub(super) fn may_record(
        event: OperationEventKind,
        op: &OperationView,
        recorded: Vec<OperationEventKind>,
    ) -> Result<treaty::ArticleRef, DeskError> {
        let asked = lifecycle::OperationEvent {
            kind: op.kind,
            side: op.role,
            status: op.status,
            answer: op.answer,
            recorded,
            event,
        };
        lifecycle::may_record(&asked).map_err(|refusal| match refusal {
            lifecycle::LifecycleRefusal::NotThisSide { reason, .. } => DeskError::forbidden(reason),
            out_of_order => DeskError::invalid(out_of_order.to_string()),
        })
    }

    /// Records an event of an operation and sends it to the other party, if the treaty lets this
    /// party record it now ([`Desk::may_record`]) and the engine agrees where it decides: the
    /// terms of a grant, the hours of an observation (22(6)), the host taking over or ending
    /// (45), a use of force (40, recorded whatever the engine says — it is a report of what
    /// happened — with the engine's articles shown beside it).
    pub async fn operation_event(&self, user: &User, id: &str, ask: &EventAsk) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        // One read of the events serves the checks and the engine's facts below.
        let events = self.events_of_operation(id).await?;
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
        let recorded = mine.iter().map(|(_, e)| e.event).collect();
        let mut article = Self::may_record(kind, &current, recorded)?.to_string();
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
                if let Some(answer) = lifecycle::answer_article(current.kind, start_facts(&start)) {
                    article = answer.to_string();
                }
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
                    let (view, decision) = self.decide_wire(&merged)?;
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
                f["hours_used"] = Value::from(hours_used(&mine) + spent);
                let (view, decision) = self.decide_wire(&f)?;
                self.require(&view, &decision, "these hours of observation")?;
            }
            OperationEventKind::TakenOver | OperationEventKind::Ended if current.role == Side::Host => {
                // Art. 45: the host takes over or ends; the engine names what follows (the
                // report, 46(1)).
                let take_over = kind == OperationEventKind::TakenOver;
                let (view, _) = self.decide(Action::HostInstruction(treaty::rules::operations::HostInstruction {
                    take_over,
                    end: !take_over,
                }))?;
                article = if take_over { "45(1)" } else { "45(2)" }.to_owned();
                facts = json!({ "articles": view.articles });
            }
            OperationEventKind::UseOfForce => {
                if text.is_empty() {
                    return Err(DeskError::invalid(
                        "text: the facts and circumstances of the use of force, and its consequences (Art. 40(6))",
                    ));
                }
                let mut given = given;
                given.remove("kind");
                let f = Value::Object(given);
                // Parsed by the engine now, so that malformed facts are refused here and not on
                // every board later.
                self.decide_force(&f)?;
                facts = f;
            }
            OperationEventKind::ReportFiled => {
                if text.is_empty() {
                    return Err(DeskError::invalid("text: the report says what was done (Art. 46)"));
                }
                if current.kind == OperationKind::Investigation {
                    let host = party(&current.host)?;
                    let language = ask.language.as_deref().map(str::trim).unwrap_or_default();
                    article = lifecycle::investigation_report_language(&self.profile, &host, language)
                        .map_err(|problem| DeskError::invalid(format!("language: {problem}")))?
                        .to_string();
                }
            }
            _ => {}
        }
        if matches!(kind, OperationEventKind::Acknowledged)
            && current.kind == OperationKind::OwnInitiative
            && text.is_empty()
        {
            return Err(DeskError::invalid(
                "text: the confirmation gives the information needed to avoid interference (Art. 19(3))",
            ));
        }
        let event = OperationEvent {
            operation: id.to_owned(),
            kind: current.kind.as_str().to_owned(),
            sending: current.sending.clone(),
            host: current.host.clone(),
            event: kind,
            at,
            text: text.to_owned(),
            facts,
        };
        self.send_event(user, event, &article).await?;
        self.operation(user, id).await
    }
}
