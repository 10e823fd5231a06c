//! Using received data (Arts. 9–11): the engine's decision on each use, and the provider's consent.

use super::*;
use treaty::rules::exchange;

use crate::accounts::Role;
use jiff::Timestamp;
use protocol::{Body, ConsentScope, ConsentUse, Envelope};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Direction, JournalStore, MessageQuery, Operation, StoredMessage, User};
use treaty::{Decision, Verdict};

/// What the recipient wants to do with provided data (Arts. 9–11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    /// Within the purposes the provider allowed.
    RestrictedPurpose,
    /// Another Art. 2 purpose (10(2)).
    OtherPurpose,
    /// As evidence in criminal proceedings (10(3)).
    Evidence,
    /// Disclosure to the data subject or third parties (10(4)).
    Disclosure,
    /// Onward transfer to a non-competent authority (9(1)).
    OnwardTransfer,
}

impl UseKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            UseKind::RestrictedPurpose => "restricted_purpose",
            UseKind::OtherPurpose => "other_purpose",
            UseKind::Evidence => "evidence",
            UseKind::Disclosure => "disclosure",
            UseKind::OnwardTransfer => "onward_transfer",
        }
    }

    /// The engine's name for the use.
    pub(super) fn engine(self) -> exchange::Use {
        match self {
            UseKind::RestrictedPurpose => exchange::Use::RestrictedPurpose,
            UseKind::OtherPurpose => exchange::Use::OtherPurpose,
            UseKind::Evidence => exchange::Use::Evidence,
            UseKind::Disclosure => exchange::Use::Disclosure,
            UseKind::OnwardTransfer => exchange::Use::OnwardTransfer,
        }
    }

    pub(super) fn consent_use(self) -> Option<ConsentUse> {
        match self {
            UseKind::RestrictedPurpose => None,
            UseKind::OtherPurpose => Some(ConsentUse::OtherPurpose),
            UseKind::Evidence => Some(ConsentUse::Evidence),
            UseKind::Disclosure => Some(ConsentUse::Disclosure),
            UseKind::OnwardTransfer => Some(ConsentUse::OnwardTransfer),
        }
    }
}

/// A use of received data.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UseRequest {
    #[serde(rename = "use")]
    pub use_: UseKind,
    /// Who receives the data, where the use discloses them (`Gemeente Eindhoven`).
    #[serde(default)]
    pub recipient: Option<String>,
    /// Why, in the officer's words (journaled).
    pub justification: String,
}

/// An allowed use: the decision and the conditions the officer must respect.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UseOutcome {
    pub allowed: bool,
    pub decision: DecisionView,
    /// Conditions of the provider's consent (Art. 11(3)).
    pub conditions: Vec<String>,
}

/// Asking the provider's consent.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentAsk {
    #[schema(value_type = Vec<String>)]
    pub uses: Vec<ConsentUse>,
    pub reasons: String,
}

/// A supervisor's answer to a consent request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ConsentAnswer {
    Grant {
        /// `concrete_case` or `general`.
        #[schema(value_type = String)]
        scope: ConsentScope,
        #[serde(default)]
        conditions: Vec<String>,
    },
    Deny {
        reasons: String,
    },
}

impl Desk {
    /// The provision a use or consent is about, with the consent grants it received since.
    pub(super) async fn provided_data(&self, user: &User, id: &str) -> Result<(StoredMessage, Envelope), DeskError> {
        let (message, envelope) = self.load(user, id).await?;
        match (&envelope.body, message.direction) {
            (Body::Provision { .. } | Body::SpontaneousProvision { .. }, Direction::Incoming) => {
                Ok((message, envelope))
            }
            _ => Err(DeskError::invalid(format!(
                "{id} is a {} {}, not data provided to this node",
                match message.direction {
                    Direction::Incoming => "received",
                    Direction::Outgoing => "sent",
                },
                envelope.body.kind()
            ))),
        }
    }

    /// Consents in force for provided data: given with it (Art. 11(1)) or granted later.
    pub(super) async fn consents(&self, provided: &Envelope) -> Result<Vec<Consent>, DeskError> {
        let mut consents = Vec::new();
        if let Some(h) = &provided.handling {
            if !h.consented_uses.is_empty() {
                consents.push((
                    ConsentScope::ConcreteCase,
                    h.consented_uses.clone(),
                    h.conditions.clone(),
                    provided.created_at,
                ));
            }
        }
        let grants = self
            .node
            .store
            .messages(MessageQuery {
                kind: Some("consent_grant".into()),
                direction: Some(Direction::Incoming),
                ..MessageQuery::default()
            })
            .await?;
        for g in grants {
            if let Ok(env) = serde_json::from_str::<Envelope>(&g.bytes) {
                if let Body::ConsentGrant {
                    about,
                    scope,
                    uses,
                    conditions,
                    given_at,
                } = env.body
                {
                    if about == provided.id && env.from.party == provided.from.party {
                        consents.push((scope, uses, conditions, given_at));
                    }
                }
            }
        }
        Ok(consents)
    }

    /// The engine's decision on a use of provided data at `now`, given the consents in force.
    pub(super) fn decide_use(
        &self,
        provided: &Envelope,
        consents: &[Consent],
        use_: UseKind,
    ) -> Result<(DecisionView, Decision, Vec<String>), DeskError> {
        let restricted = provided
            .handling
            .as_ref()
            .is_some_and(|h| !h.purpose_restriction.is_empty());
        let consent = match use_.consent_use() {
            None => None,
            Some(wanted) => consents
                .iter()
                .filter(|(_, uses, _, _)| uses.contains(&wanted))
                .max_by_key(|(_, _, _, at)| *at)
                .cloned(),
        };
        let conditions = consent.as_ref().map(|c| c.2.clone()).unwrap_or_default();
        let consent = consent.map(|(scope, _, conditions, given_at)| exchange::Consent {
            scope: match scope {
                ConsentScope::ConcreteCase => exchange::ConsentScope::ConcreteCase,
                ConsentScope::General => exchange::ConsentScope::General,
            },
            written: true,
            given_at,
            conditions,
        });
        let (view, decision) = self.decide(Action::DataUse(exchange::DataUse {
            use_: use_.engine(),
            purpose_restriction: restricted,
            consent,
            at: self.now(),
        }))?;
        Ok((view, decision, conditions))
    }

    /// Uses received data, if the treaty allows it now; a refusal offers a consent request.
    pub async fn use_data(&self, user: &User, id: &str, request: &UseRequest) -> Result<UseOutcome, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (_, provided) = self.provided_data(user, id).await?;
        let consents = self.consents(&provided).await?;
        let (view, decision, conditions) = self.decide_use(&provided, &consents, request.use_)?;
        let allowed = decision.verdict != Some(Verdict::Refused);
        self.journal(
            &actor(user),
            if allowed {
                Operation::Disclosure
            } else {
                Operation::Consultation
            },
            &format!(
                "{} {} of {id}: {} ({})",
                if allowed { "allowed" } else { "refused" },
                request.use_.as_str(),
                request.justification,
                view.articles.join(", ")
            ),
            request.recipient.clone().filter(|_| allowed),
            json!({
                "use": request.use_.as_str(),
                "message": id,
                "case": provided.case.map(|c| c.to_string()),
                "decision": view.decision,
                "conditions": conditions,
            }),
        )
        .await?;
        if !allowed {
            let mut e = DeskError::refused(
                format!(
                    "{} of this data is not allowed: {}",
                    request.use_.as_str(),
                    decision.reasons.join("; ")
                ),
                serde_json::to_value(&view).unwrap_or(Value::Null),
            );
            if let Some(use_) = request.use_.consent_use() {
                e.offer = Some(Box::new(json!({
                    "action": "consent_request",
                    "path": format!("/api/v1/messages/{id}/consent-request"),
                    "body": { "uses": [use_], "reasons": request.justification },
                    "to": provided.from.to_string(),
                })));
            }
            return Err(e);
        }
        Ok(UseOutcome {
            allowed,
            decision: view,
            conditions,
        })
    }

    /// Asks the provider's consent for uses of data it provided (Arts. 9–11).
    pub async fn request_consent(&self, user: &User, id: &str, ask: &ConsentAsk) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (_, provided) = self.provided_data(user, id).await?;
        if ask.uses.is_empty() {
            return Err(DeskError::invalid("uses: name at least one use to ask consent for"));
        }
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            provided.from.clone(),
            self.now(),
            super::transfers::consent_basis(self, &ask.uses, "11(1)"),
            Body::ConsentRequest {
                about: provided.id,
                uses: ask.uses.clone(),
                reasons: ask.reasons.clone(),
            },
        )
        .replying_to(&provided);
        self.dispatch(user, &envelope, &format!("Art. 11(1): consent asked for data {id}"))
            .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }

    /// A supervisor grants or denies a received consent request.
    pub async fn answer_consent(&self, user: &User, id: &str, answer: &ConsentAnswer) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Supervisor])?;
        let (message, request) = self.load(user, id).await?;
        let (about, uses) = match (&request.body, message.direction) {
            (Body::ConsentRequest { about, uses, .. }, Direction::Incoming) => (*about, uses.clone()),
            _ => {
                return Err(DeskError::invalid(format!(
                    "{id} is not a consent request received here"
                )))
            }
        };
        let provided = self
            .node
            .store
            .messages(MessageQuery {
                message_id: Some(about.to_string()),
                direction: Some(Direction::Outgoing),
                ..MessageQuery::default()
            })
            .await?;
        if provided.is_empty() {
            return Err(DeskError::invalid(format!(
                "consent request {id} is about {about}, which this node did not provide"
            )));
        }
        let basis = super::transfers::consent_basis(self, &uses, "11(1)");
        let body = match answer {
            ConsentAnswer::Grant { scope, conditions } => Body::ConsentGrant {
                about,
                scope: *scope,
                uses,
                conditions: conditions.clone(),
                given_at: self.now(),
            },
            ConsentAnswer::Deny { reasons } => Body::ConsentDenial {
                about,
                reasons: reasons.clone(),
            },
        };
        let envelope =
            Envelope::new(self.my_address(None), request.from.clone(), self.now(), basis, body).replying_to(&request);
        self.dispatch(
            user,
            &envelope,
            &format!("Art. 11: {} for {about}", envelope.body.kind()),
        )
        .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }
}

/// A consent in force: scope, uses, conditions, when given.
pub(super) type Consent = (ConsentScope, Vec<ConsentUse>, Vec<String>, Timestamp);
