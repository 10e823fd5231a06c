//! Answering a request: a provision with its handling codes, or a refusal with its ground.

use super::*;
use treaty::rules::exchange;

use crate::accounts::Role;
use protocol::{Body, Channel, ConsentUse, Envelope, HandlingCodes, Subject};
use serde::{Deserialize, Serialize};
use store::{Direction, User};

/// The answer to a request: a provision with its handling codes, or a refusal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Provision {
        subjects: Vec<Subject>,
        text: String,
        /// The provider's national marking (Art. 8), e.g. `Vertrouwelijk`.
        #[serde(default)]
        classification: Option<String>,
        /// Art. 10(2): the purposes the data are restricted to.
        #[serde(default)]
        purpose_restriction: Vec<String>,
        /// Art. 11(1): uses consented to at provision.
        #[serde(default)]
        #[schema(value_type = Vec<String>)]
        consented_uses: Vec<ConsentUse>,
        /// Art. 11(3): conditions attached.
        #[serde(default)]
        conditions: Vec<String>,
        /// Art. 12(4): the language of the provision (`nl`, `fr`, `de`, `en`).
        language: String,
        /// Directive 2023/977 Art. 5(3): late because a judicial authorisation had to be obtained.
        #[serde(default)]
        delayed_for_judicial_authorisation: bool,
    },
    Refusal {
        /// A Directive 2023/977 Art. 6 ground (`2023/977:6(a)` … `2023/977:6(h)`) or `61`.
        ground: String,
        reasons: String,
        /// Directive 2023/977 Art. 5(3): late because a judicial authorisation had to be obtained.
        #[serde(default)]
        delayed_for_judicial_authorisation: bool,
    },
}

impl Desk {
    /// Answers a received request with a provision or a refusal.
    pub async fn reply(&self, user: &User, id: &str, reply: &Reply) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, request) = self.load(user, id).await?;
        let request_channel = match (&request.body, message.direction) {
            (
                Body::Request {
                    channel, direct_ground, ..
                },
                Direction::Incoming,
            ) => (*channel, *direct_ground),
            _ => {
                return Err(DeskError::invalid(format!(
                    "{id} is not a request received by this node"
                )))
            }
        };
        let mut decisions = Vec::new();
        let (body, handling, article) = match reply {
            Reply::Refusal {
                ground,
                reasons,
                delayed_for_judicial_authorisation,
            } => {
                let (view, decision) = self.decide(Action::Refusal(exchange::Refusal {
                    ground: ground.trim().to_owned(),
                }))?;
                self.require(&view, &decision, "this refusal")?;
                if reasons.trim().is_empty() {
                    return Err(DeskError::invalid("reasons: a refusal states its reasons"));
                }
                decisions.push(view);
                (
                    Body::Refusal {
                        ground: ground.clone(),
                        reasons: reasons.clone(),
                        delayed_for_judicial_authorisation: *delayed_for_judicial_authorisation,
                    },
                    None,
                    "4(4)",
                )
            }
            Reply::Provision {
                subjects,
                text,
                classification,
                purpose_restriction,
                consented_uses,
                conditions,
                language,
                delayed_for_judicial_authorisation,
            } => {
                let language_code = treaty::Language::parse(&language.to_ascii_lowercase())
                    .map_err(|e| DeskError::invalid(format!("language: {e}")))?;
                let (view, decision) = self.decide(Action::Language(exchange::LanguageCheck {
                    provider: self.node.me.party.clone(),
                    language: language_code,
                }))?;
                self.require(&view, &decision, "this language")?;
                decisions.push(view);
                let classification = match classification {
                    None => None,
                    Some(marking) => {
                        let class = exchange::Classification {
                            from: self.node.me.party.clone(),
                            marking: marking.clone(),
                            to: request.from.party.clone(),
                            on: None,
                        }
                        .checked(&self.profile)
                        .map_err(|e| DeskError::invalid(format!("classification: {e}")))?;
                        let (view, decision) = self.decide(Action::Classification(class))?;
                        self.require(&view, &decision, "this classification")?;
                        decisions.push(view);
                        Some(protocol::Classification {
                            party: self.node.me.party.clone(),
                            marking: marking.clone(),
                            eu_level: decision.details.eu_level.clone().unwrap_or_default(),
                        })
                    }
                };
                let handling = HandlingCodes {
                    classification,
                    purpose_restriction: purpose_restriction.clone(),
                    consented_uses: consented_uses.clone(),
                    conditions: conditions.clone(),
                    language: Some(treaty::Language::parse(language).map_err(DeskError::invalid)?),
                };
                (
                    Body::Provision {
                        subjects: subjects.clone(),
                        text: text.clone(),
                        delayed_for_judicial_authorisation: *delayed_for_judicial_authorisation,
                    },
                    Some(handling),
                    "4(1)",
                )
            }
        };
        // One answer per request (checked once the answer itself is valid, so a wrong ground is
        // named first): a provision may be completed by further provisions, but a
        // refusal after a provision (or the reverse, or a second refusal) would contradict what
        // the requester already holds — that takes a data correction (rectified/withdrawn).
        let answered =
            self.replies_to(id).await?.into_iter().find(|r| {
                r.direction == Direction::Outgoing && ["provision", "refusal"].contains(&r.meta.kind.as_str())
            });
        if let Some(first) = answered {
            let supplement = first.meta.kind == "provision" && matches!(reply, Reply::Provision { .. });
            if !supplement {
                return Err(DeskError::invalid(format!(
                    "request {id} was answered already by {} {} at {}: a contradictory answer is refused; send a data correction from the case instead",
                    first.meta.kind,
                    first.message_id,
                    self.local(first.at)
                )));
            }
        }
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            request.from.clone(),
            self.now(),
            self.legal(article),
            body,
        )
        .replying_to(&request);
        if let Some(h) = handling {
            envelope = envelope.with_handling(h);
        }
        self.dispatch(
            user,
            &envelope,
            &format!("Art. {article}: {} in reply to {id}", envelope.body.kind()),
        )
        .await?;
        let mut notices = Vec::new();
        if let (Channel::Direct, Some(ground)) = request_channel {
            // The answering officer exchanges directly too: their own contact point is told.
            notices.push(
                self.notify_contact_point(user, &envelope, ground, &request.from)
                    .await?,
            );
        }
        Ok(Sent {
            message_id: Some(envelope.id.to_string()),
            case: envelope.case.map(|c| c.to_string()),
            to: request.from.to_string(),
            channel: format!("{request_channel:?}").to_lowercase(),
            decisions,
            notices,
        })
    }
}
