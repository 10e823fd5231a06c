//! A new request or spontaneous provision (Arts. 4 and 6), decided by the engine before it leaves.

use super::*;
use treaty::rules::exchange;

use crate::accounts::Role;
use protocol::{Body, Channel, Envelope, NodeAddress, Purpose, Subject};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::User;

/// What the officer wants to send (Art. 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComposeKind {
    /// Art. 4(1): ask for data.
    Request,
    /// Art. 4(2): provide without a request.
    Spontaneous,
    /// Art. 4(3): ask for data for administrative measures.
    AdministrativeMeasures,
}

/// The channel the officer chooses (Art. 6); the engine decides whether it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    #[default]
    Ncp,
    RegionalContactPoint,
    JointPoliceCentre,
    Direct,
    LiaisonOfficer,
}

impl Via {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Via::Ncp => "ncp",
            Via::RegionalContactPoint => "regional_contact_point",
            Via::JointPoliceCentre => "joint_police_centre",
            Via::Direct => "direct",
            Via::LiaisonOfficer => "liaison_officer",
        }
    }

    /// The engine's name for the channel.
    pub(super) fn engine(self) -> exchange::Via {
        match self {
            Via::Ncp => exchange::Via::Ncp,
            Via::RegionalContactPoint => exchange::Via::RegionalContactPoint,
            Via::JointPoliceCentre => exchange::Via::JointPoliceCentre,
            Via::Direct => exchange::Via::Direct,
            Via::LiaisonOfficer => exchange::Via::LiaisonOfficer,
        }
    }

    pub(super) fn channel(self) -> Channel {
        match self {
            Via::Ncp => Channel::Ncp,
            Via::RegionalContactPoint => Channel::RegionalContactPoint,
            Via::JointPoliceCentre => Channel::JointPoliceCentre,
            Via::Direct => Channel::Direct,
            Via::LiaisonOfficer => Channel::LiaisonOfficer,
        }
    }
}

/// The facts that may open a direct exchange (Art. 6(4)(a)–(d)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DirectFacts {
    /// (a) within both units' territorial competence …
    pub within_competence_of_both: bool,
    /// (a) … about a threat or offence located in the border region.
    pub subject_in_border_region: bool,
    /// (b) going through the channels would delay an urgent task.
    pub urgent_delay_would_jeopardise: bool,
    /// (c) the contact points consented in advance.
    pub prior_consent_of_contact_points: bool,
    /// (d) the officers take part in a Title 3 operation.
    pub in_cross_border_operation: bool,
}

/// A new request or spontaneous provision.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Compose {
    pub kind: ComposeKind,
    /// The partner party (`BE`, `LU`, `NL`).
    pub to_party: String,
    /// A unit of the partner (`Zeeland-West-Brabant`); absent means its contact point.
    #[serde(default)]
    pub to_unit: Option<String>,
    #[serde(default)]
    pub via: Via,
    #[serde(default)]
    pub direct: DirectFacts,
    /// `criminal` or `public_order` (requests).
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub urgent: bool,
    /// Directive 2023/977 Art. 5(1)(a): the partner has the data directly accessible.
    #[serde(default)]
    pub directly_accessible: bool,
    /// Art. 4(3): the requested party's law expressly opposes provision for administrative measures.
    #[serde(default)]
    pub requested_law_expressly_opposes: bool,
    /// Art. 4(2): there are factual reasons to believe the data may help.
    #[serde(default)]
    pub factual_reasons_it_may_help: bool,
    /// Persons, objects, locations, events (UMF POLE).
    pub subjects: Vec<Subject>,
    pub text: String,
    /// Art. 12(2): this message confirms an oral exchange recorded earlier (its id).
    #[serde(default)]
    pub confirms_oral: Option<String>,
    /// Art. 14(2): the reference of a hit whose data this request asks for.
    #[serde(default)]
    pub hit_reference: Option<String>,
}

impl Desk {
    /// Decides (and unless `preview`, sends) a request or spontaneous provision.
    pub async fn compose(&self, user: &User, c: &Compose, preview: bool) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&c.to_party)?;
        let to_node = self.node_of(&to_party)?;
        if c.text.trim().is_empty() {
            return Err(DeskError::invalid("text: say what is asked or provided, and why"));
        }
        let mut decisions = Vec::new();
        let (channel_view, channel) = self.decide_channel(user, &to_party, c.to_unit.as_deref(), c.via, &c.direct)?;
        let direct_ground = channel.details.direct_ground;
        decisions.push(channel_view);
        let (purpose, article) = match c.kind {
            ComposeKind::Spontaneous => (None, "4(2)"),
            ComposeKind::AdministrativeMeasures => (Some(Purpose::AdministrativeMeasures), "4(3)"),
            ComposeKind::Request => match c.purpose.as_deref() {
                Some("criminal") => (Some(Purpose::Criminal), "4(1)"),
                Some("public_order") => (Some(Purpose::PublicOrder), "4(1)"),
                other => {
                    return Err(DeskError::invalid(format!(
                        "purpose: '{}' — a request states `criminal` or `public_order` (Art. 4(1))",
                        other.unwrap_or("")
                    )))
                }
            },
        };
        let (view, _) = match c.kind {
            ComposeKind::Spontaneous => self.decide(Action::Spontaneous(exchange::Spontaneous {
                factual_reasons_it_may_help: c.factual_reasons_it_may_help,
            }))?,
            _ => self.decide(Action::Request(exchange::Request {
                purpose: match purpose {
                    Some(Purpose::Criminal) => exchange::Purpose::Criminal,
                    Some(Purpose::PublicOrder) => exchange::Purpose::PublicOrder,
                    _ => exchange::Purpose::AdministrativeMeasures,
                },
                requested_law_expressly_opposes: c.requested_law_expressly_opposes,
                subjects: Some(c.subjects.len() as u64),
            }))?,
        };
        decisions.push(view);
        let to = NodeAddress {
            party: to_party.clone(),
            node: to_node.id.clone(),
            unit: c.to_unit.clone(),
        };
        let mut sent = Sent {
            message_id: None,
            case: None,
            to: to.to_string(),
            channel: c.via.as_str().to_owned(),
            decisions,
            notices: Vec::new(),
        };
        if let Some(refused) = sent.decisions.iter().find(|d| d.verdict == Some(Verdict::Refused)) {
            let mut e = DeskError::refused(
                format!("{} is not allowed: {}", refused.action, refused.reasons.join("; ")),
                serde_json::to_value(&sent).unwrap_or(Value::Null),
            );
            e.error = ErrorKind::RefusedComposition;
            return Err(e);
        }
        if preview {
            return Ok(sent);
        }
        let body = match c.kind {
            ComposeKind::Spontaneous => Body::SpontaneousProvision {
                subjects: c.subjects.clone(),
                text: c.text.clone(),
                channel: c.via.channel(),
                topic: None,
            },
            _ => Body::Request {
                purpose: purpose.unwrap_or(Purpose::Criminal),
                subjects: c.subjects.clone(),
                text: c.text.clone(),
                urgent: c.urgent,
                directly_accessible: c.directly_accessible,
                channel: c.via.channel(),
                direct_ground,
                hit_reference: c.hit_reference.clone().filter(|r| !r.trim().is_empty()),
                topic: None,
            },
        };
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            to.clone(),
            self.now(),
            self.legal(article),
            body,
        );
        if let Some(oral) = &c.confirms_oral {
            let original = self.load(user, oral).await?;
            if original.1.body.kind() != "oral_record" {
                return Err(DeskError::invalid(format!("{oral} is not an oral record")));
            }
            envelope.in_reply_to = Some(original.1.id);
        }
        self.dispatch(
            user,
            &envelope,
            &format!(
                "Art. {article}: {} to {to} via {}",
                envelope.body.kind(),
                c.via.as_str()
            ),
        )
        .await?;
        sent.message_id = Some(envelope.id.to_string());
        sent.case = envelope.case.map(|c| c.to_string());
        if let (Via::Direct, Some(ground)) = (c.via, direct_ground) {
            sent.notices
                .push(self.notify_contact_point(user, &envelope, ground, &to).await?);
        }
        Ok(sent)
    }
}

impl Desk {
    /// The engine's decision on the channel from `user`'s unit to `to_party`'s unit (Art. 6),
    /// for a written message or an oral exchange alike.
    pub(super) fn decide_channel(
        &self,
        user: &User,
        to_party: &PartyCode,
        to_unit: Option<&str>,
        via: Via,
        direct: &DirectFacts,
    ) -> Result<(DecisionView, Decision), DeskError> {
        self.decide(Action::Channel(exchange::Channel {
            from: exchange::Place {
                party: party(&user.party)?,
                region: user.region.clone(),
            },
            to: exchange::Place {
                party: to_party.clone(),
                region: to_unit.unwrap_or_default().to_owned(),
            },
            via: via.engine(),
            within_competence_of_both: direct.within_competence_of_both,
            subject_in_border_region: direct.subject_in_border_region,
            urgent_delay_would_jeopardise: direct.urgent_delay_would_jeopardise,
            prior_consent_of_contact_points: direct.prior_consent_of_contact_points,
            in_cross_border_operation: direct.in_cross_border_operation,
        }))
    }
}
