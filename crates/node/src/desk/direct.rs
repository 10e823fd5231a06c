//! An agreement's direct exchange of operational findings (`exchange.direct`; under `si-al`
//! assumed Art. 3(1)): one party's service asks the other's, or provides findings, directly or
//! through the attaché posted with the other party; the answer goes back the same way. The
//! engine decides each message on the profile's provision; what a member state sends a third
//! country passes Chapter V as well ([`super::transfers`]).

use super::*;

use crate::accounts::Role;
use protocol::{Channel, Purpose, Subject};
use store::Direction;

use super::transfers::TransferFacts;

/// The channel of a direct exchange through grens. Messages that went through the Interpol
/// NCBs or Europol units do not travel through grens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectChannel {
    /// The two services directly.
    #[default]
    Direct,
    /// The liaison officer (attaché) posted with the other party.
    LiaisonOfficer,
}

/// A new direct exchange: findings asked or provided.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DirectSend {
    /// The other party of the agreement (`AL`, `SI`).
    pub to_party: String,
    /// A topic the agreement's provision covers (`migrant_smuggling`).
    pub topic: String,
    /// An attaché's messages always go as the liaison officer's.
    #[serde(default)]
    pub via: DirectChannel,
    /// `true` asks the other party for findings; `false` provides them.
    #[serde(default)]
    pub asks: bool,
    #[serde(default)]
    pub subjects: Vec<Subject>,
    pub text: String,
    /// Directive 2016/680 Chapter V, when a member state sends personal data to a third country.
    #[serde(default)]
    pub transfer: Option<TransferFacts>,
}

/// The answer to a direct exchange's request, on the request's topic and channel.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DirectAnswer {
    #[serde(default)]
    pub subjects: Vec<Subject>,
    pub text: String,
    /// As for [`DirectSend::transfer`].
    #[serde(default)]
    pub transfer: Option<TransferFacts>,
}

impl Desk {
    /// Sends a direct exchange under the agreement's provision.
    pub async fn send_direct(&self, user: &User, d: &DirectSend) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&d.to_party)?;
        let to_node = self.node_of(&to_party)?;
        if d.text.trim().is_empty() {
            return Err(DeskError::invalid("text: say what is asked or provided, and why"));
        }
        let via = if self.posted_in(user).is_some() {
            DirectChannel::LiaisonOfficer
        } else {
            d.via
        };
        let topic = d.topic.trim();
        let mut decisions = vec![self.decide_direct(&to_party, topic, !d.subjects.is_empty(), via)?];
        let channel = match via {
            DirectChannel::Direct => Channel::Direct,
            DirectChannel::LiaisonOfficer => Channel::LiaisonOfficer,
        };
        let body = if d.asks {
            Body::Request {
                purpose: Purpose::Criminal,
                subjects: d.subjects.clone(),
                text: d.text.clone(),
                urgent: false,
                directly_accessible: false,
                channel,
                direct_ground: None,
                hit_reference: None,
                topic: Some(topic.to_owned()),
            }
        } else {
            Body::SpontaneousProvision {
                subjects: d.subjects.clone(),
                text: d.text.clone(),
                channel,
                topic: Some(topic.to_owned()),
            }
        };
        let to = NodeAddress::node(to_party.clone(), to_node.id.clone());
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            to,
            self.now(),
            self.direct_basis()?,
            body,
        );
        self.send_direct_envelope(user, envelope, d.transfer.as_ref(), &mut decisions, topic)
            .await
    }

    /// Answers a direct exchange's request received here, on its topic and channel.
    pub async fn answer_direct(&self, user: &User, id: &str, a: &DirectAnswer) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, request) = self.load(user, id).await?;
        let (topic, channel) = match (&request.body, message.direction) {
            (
                Body::Request {
                    topic: Some(topic),
                    channel,
                    ..
                },
                Direction::Incoming,
            ) => (topic.clone(), *channel),
            _ => {
                return Err(DeskError::invalid(format!(
                    "{id} is not a direct exchange's request received by this node"
                )))
            }
        };
        if a.text.trim().is_empty() {
            return Err(DeskError::invalid("text: give the findings, or say why there are none"));
        }
        let via = match channel {
            Channel::LiaisonOfficer => DirectChannel::LiaisonOfficer,
            _ => DirectChannel::Direct,
        };
        let mut decisions = vec![self.decide_direct(&request.from.party, &topic, !a.subjects.is_empty(), via)?];
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            request.from.clone(),
            self.now(),
            self.direct_basis()?,
            Body::Provision {
                subjects: a.subjects.clone(),
                text: a.text.clone(),
                delayed_for_judicial_authorisation: false,
            },
        )
        .replying_to(&request);
        self.send_direct_envelope(user, envelope, a.transfer.as_ref(), &mut decisions, &topic)
            .await
    }

    /// Passes Chapter V where it applies, then signs, queues and journals the message.
    async fn send_direct_envelope(
        &self,
        user: &User,
        mut envelope: Envelope,
        transfer: Option<&TransferFacts>,
        decisions: &mut Vec<DecisionView>,
        topic: &str,
    ) -> Result<Sent, DeskError> {
        if envelope.body.may_carry_personal_data() {
            if let Some((view, _, basis)) = self.clear_transfer(&envelope.to.party, transfer, None, None)? {
                decisions.push(view);
                envelope = envelope.with_transfer(basis);
            }
        }
        self.dispatch(
            user,
            &envelope,
            &format!(
                "{} Art. {}: {} on {topic} to {}",
                envelope.legal_basis.instrument,
                envelope.legal_basis.article,
                envelope.body.kind(),
                envelope.to
            ),
        )
        .await?;
        let mut sent = self.sent(&envelope, std::mem::take(decisions));
        sent.channel = match &envelope.body {
            Body::Request { channel, .. } | Body::SpontaneousProvision { channel, .. } => serde_json::to_value(channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            _ => "reply".into(),
        };
        Ok(sent)
    }

    /// The engine's decision on a direct exchange from this node to `to`; refused, an error.
    fn decide_direct(
        &self,
        to: &PartyCode,
        topic: &str,
        personal_data: bool,
        via: DirectChannel,
    ) -> Result<DecisionView, DeskError> {
        let (view, decision) = self.decide_wire(&json!({
            "kind": "exchange.direct",
            "from": self.node.me.party,
            "to": to,
            "topic": topic,
            "personal_data": personal_data,
            "via": via,
        }))?;
        self.require(&view, &decision, "this direct exchange")?;
        Ok(view)
    }

    /// The agreement's article of the direct exchange, as the envelope's legal basis.
    fn direct_basis(&self) -> Result<LegalBasis, DeskError> {
        let provision = self.profile.provisions.direct_exchange.as_ref().ok_or_else(|| {
            DeskError::invalid(format!(
                "agreement {} provides no direct exchange of its own (profile [direct_exchange])",
                self.profile.id
            ))
        })?;
        Ok(LegalBasis {
            instrument: self.profile.id.clone(),
            article: provision.article.clone(),
        })
    }
}
