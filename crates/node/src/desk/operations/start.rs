//! Starting an operation: the engine decides the start (`operation.<kind>`) with the officer's
//! facts, which travel with the start so the host computes the same decision.

use super::*;

use super::{actor, party, Desk, DeskError};
use crate::accounts::Role;
use protocol::{Body, Envelope, NodeAddress, OperationEvent, OperationEventKind};
use serde::{Deserialize, Serialize};
use store::User;

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

pub(super) fn land() -> String {
    "land".into()
}

/// A sending officer named on an operation. A shielded officer's name stays on the sending node;
/// the partner sees a pseudonymous identifier only (Art. 43(2)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficerOnOperation {
    pub name: String,
    #[serde(default)]
    pub shielded: bool,
}

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

impl Desk {
    /// Sends one event to the other party of the operation and returns the operation.
    pub(super) async fn send_event(&self, user: &User, event: OperationEvent, article: &str) -> Result<(), DeskError> {
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
            self.legal(article),
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
    /// host's contact point at once; a request (see [`lifecycle::answer_article`]) is asked of the engine as
    /// the host would grant it, and goes to the host, who answers. The facts travel with the
    /// start, so both sides hold the same decision and clocks.
    pub async fn start_operation(&self, user: &User, s: &OperationStart) -> Result<OperationView, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let kind = match OperationKind::parse(s.kind.trim()) {
            Some(k) if k != OperationKind::Patrol => k,
            _ => {
                return Err(DeskError::invalid(format!(
                    "kind: '{}' is not one of {}",
                    s.kind.trim(),
                    KINDS.join(", ")
                )))
            }
        };
        let me = self.node.me.party.to_string();
        let (host, sending) = if kind.requested_by_host() {
            if !s.host.trim().is_empty() && s.host.trim() != me {
                return Err(DeskError::invalid(format!(
                    "host: assistance is asked by the party that needs it on its own territory (Art. {}); leave host empty or {me}, and name the party asked in partner",
                    kind.article()
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
        facts.insert("kind".into(), Value::from(kind.engine_action()));
        facts.insert("host".into(), Value::from(host.as_str()));
        facts.insert("sending".into(), Value::from(sending.as_str()));
        match kind {
            // Art. 24(1): the 48 hours run from the request's receipt — now, give or take the
            // network.
            OperationKind::Investigation => {
                facts.insert("received_at".into(), Value::from(self.now().to_string()));
            }
            // Art. 25(1): asked as the host would consent; a refusal is the host's answer.
            OperationKind::Transport => {
                facts.insert("prior_consent".into(), Value::Bool(true));
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
            facts.insert("equipment_list".into(), Value::Bool(!items.is_empty()));
            facts.insert("equipment_items".into(), Value::from(items));
        }
        if kind == OperationKind::Observation && facts.get("prior_authorisation") == Some(&Value::Bool(true)) {
            // Art. 22(9): technical means are asked for in the request; the host's grant says
            // whether it authorises them.
            let asked = facts.get("technical_means").cloned().unwrap_or(Value::Bool(false));
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
        let facts = Value::Object(facts);
        let (view, decision) = self.decide_wire(&facts)?;
        self.require(&view, &decision, &format!("this {}", kind.as_str().replace('_', " ")))?;
        let id = {
            let mut token = [0u8; 6];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
            format!("OP-{me}-{}", hex::encode(token))
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
                self.decide(Action::IdentityDisclosure(treaty::rules::powers::IdentityDisclosure {
                    shielded: officer.shielded,
                    criminal_prosecution_in_host: false,
                }))?;
            if disclosure.verdict == Some(treaty::Verdict::Refused) {
                let mut token = [0u8; 4];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
                let pseudonym = format!("{me}-SH-{}", hex::encode(token));
                pseudonyms.insert(pseudonym.clone(), Value::from(name));
                sent_officers.push(Value::from(pseudonym));
            } else {
                sent_officers.push(Value::from(name));
            }
        }
        if !pseudonyms.is_empty() {
            self.keep(&actor(user), SHIELDED, &id, &pseudonyms).await?;
        }
        let mut facts = facts;
        if !sent_officers.is_empty() {
            facts["officers"] = Value::Array(sent_officers);
        }
        let request = lifecycle::answer_article(kind, start_facts(&facts)).is_some();
        let article = view
            .articles
            .first()
            .cloned()
            .unwrap_or_else(|| kind.article().to_string());
        let event = OperationEvent {
            operation: id.clone(),
            kind: kind.as_str().to_owned(),
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
                facts: Value::Object(
                    [
                        ("started_in_own_territory", Value::Bool(s.started_in_own_territory)),
                        (
                            "host_could_be_warned_in_advance",
                            Value::Bool(s.host_could_be_warned_in_advance),
                        ),
                        (
                            "host_could_take_over_in_time",
                            Value::Bool(s.host_could_take_over_in_time),
                        ),
                        ("enter_dwelling", Value::Bool(false)),
                        ("host_ordered_stop", Value::Bool(false)),
                        ("danger_manifestly_disproportionate", Value::Bool(false)),
                        ("medium", Value::from(s.medium.as_str())),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
                ),
                text: s.text.clone(),
                officers: Vec::new(),
            },
        )
        .await
    }
}
