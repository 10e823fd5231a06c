//! The officers' desk: every flow as an officer starts it, decided by the treaty engine before
//! anything leaves or is used, and journaled. The HTTP layers ([`crate::http`]) and the CLI are
//! thin layers over this; nothing here knows HTTP.
//!
//! One file per area: [`compose`] (new requests), [`messages`] (inbox and message view),
//! [`replies`], [`consent`] (use of received data and consent), [`feedback`], [`oral`],
//! [`sessions`], [`checkpoints`] (the journal), [`registry`] (contact points, agreements,
//! accounts), [`hits`] (Art. 14), [`consult`] (Arts. 15–17), [`anpr`] (Art. 13),
//! [`operations`] (Titles 3–6) and [`evaluation`] (Art. 65). The engine is called with typed
//! actions ([`treaty::Action`]); what a partner sends travels as JSON and is parsed by the engine.

use std::sync::Arc;

use jiff::Timestamp;
use protocol::{Body, Envelope, LegalBasis, NodeAddress};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{JournalStore, NewEntry, Operation, User};
use treaty::{Action, Decision, PartyCode, Profile, Verdict};

use crate::accounts::{has_role, Role, CONTACT_POINT_UNIT};
use crate::peer::directory::DirectoryEntry;
use crate::peer::inbox::NodeState;
use crate::peer::outbox::Sender;

pub mod anpr;
pub mod cases;
mod checkpoints;
mod compose;
mod consent;
mod consult;
mod direct;
mod error;
pub mod evaluation;
mod feedback;
mod hits;
mod messages;
pub mod operations;
mod oral;
mod registry;
mod replies;
mod retention;
mod sessions;
pub mod sports;
mod transfers;

pub use cases::{
    Art18Line, Art18Report, CaseAction, CaseFilter, CasePage, CaseSummary, CaseView, NationalMatch, RelatedCase,
};
pub use checkpoints::{JournalStatus, PartnerHistory};
pub use compose::{Compose, ComposeKind, DirectFacts, Via};
pub use consent::{ConsentAnswer, ConsentAsk, UseKind, UseOutcome, UseRequest};
pub use consult::{Authorisation, ConsultAsk, Patrol, Supervised};
pub use direct::{DirectAnswer, DirectChannel, DirectSend};
pub use error::{DeskError, ErrorKind};
pub use feedback::FeedbackText;
pub use hits::{FanOut, FannedQuery, HitQueryAsk, HitQueryEverywhere, HitQueryView};
pub use messages::{ActionView, DeadlineView, InboxPage, MessageSummary, MessageView};
pub use oral::OralExchange;
pub use registry::{AgreementRecord, Contact, ContactKind, QueuedConsent};
pub use replies::Reply;
pub use retention::{CorrectionNotice, Erasure, RetentionDecision};
pub use sessions::{NewUser, SESSION_LIFETIME};
pub use sports::{EventForm, RiskSupporter, SportsSend};
pub use transfers::{ThirdCountryTransfer, TransferFacts, TransferRecord, TransferRecordsQuery};

/// One decision of the treaty engine, as shown to the officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionView {
    /// The engine's kind of action (`exchange.channel`, `data.use`, …).
    pub action: String,
    /// `allowed`, `refused`, or absent for a computation.
    #[schema(value_type = Option<String>)]
    pub verdict: Option<Verdict>,
    pub articles: Vec<String>,
    pub reasons: Vec<String>,
    /// The full decision (obligations, deadline, details) in this node's local time.
    #[schema(value_type = Object)]
    pub decision: Value,
}

/// What was sent, or would be (preview).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sent {
    /// Absent for a preview.
    pub message_id: Option<String>,
    pub case: Option<String>,
    pub to: String,
    pub channel: String,
    pub decisions: Vec<DecisionView>,
    /// Notices sent because of this message (Art. 6(4) notice to the contact point).
    pub notices: Vec<String>,
}

/// The desk of one node.
#[derive(Debug, Clone)]
pub struct Desk {
    pub node: Arc<NodeState>,
    pub sender: Arc<Sender>,
    pub profile: Arc<Profile>,
}

fn party(code: &str) -> Result<PartyCode, DeskError> {
    PartyCode::parse(code).map_err(|e| DeskError::invalid(format!("party '{code}': {e}")))
}

fn unit_of(address: &NodeAddress) -> &str {
    address.unit.as_deref().unwrap_or(CONTACT_POINT_UNIT)
}

fn actor(user: &User) -> String {
    format!("{}/officer:{}", user.party, user.username)
}

impl Desk {
    /// An article of the agreement this desk decides by, as an envelope's legal basis.
    fn legal(&self, article: &str) -> LegalBasis {
        LegalBasis {
            instrument: self.profile.id.clone(),
            article: article
                .parse()
                .expect("the article references of this module are valid"),
        }
    }

    fn now(&self) -> Timestamp {
        self.node.clock.now()
    }

    /// The node's clock (the system's, or a drill's: `clock_start`).
    pub fn now_public(&self) -> Timestamp {
        self.now()
    }

    /// The node itself as the journal's actor (automatic answers, checkpoints).
    fn node_actor(&self) -> String {
        format!("{}/{}", self.node.me.party, self.node.me.id)
    }

    fn zone(&self) -> jiff::tz::TimeZone {
        self.profile.zone(&self.node.me.party)
    }

    fn local(&self, t: Timestamp) -> String {
        t.to_zoned(self.zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// Runs the engine on a typed action and counts the decision in the node's metrics.
    fn decide(&self, action: Action) -> Result<(DecisionView, Decision), DeskError> {
        let decision = treaty::evaluate(&self.profile, &action);
        let verdict = decision.verdict.map(|v| match v {
            Verdict::Allowed => "allowed",
            Verdict::Refused => "refused",
        });
        self.node.metrics.decision(action.kind(), verdict.unwrap_or("computed"));
        let view = DecisionView {
            action: action.kind().to_owned(),
            verdict: decision.verdict,
            articles: decision.articles.iter().map(ToString::to_string).collect(),
            reasons: decision.reasons.clone(),
            decision: decision.to_json(&self.zone()),
        };
        Ok((view, decision))
    }

    /// Runs the engine on an action that arrived as JSON — an operation's facts as the partner
    /// sent them, or as an officer gave them — parsed by the engine, which names the field of
    /// any error.
    fn decide_wire(&self, action: &Value) -> Result<(DecisionView, Decision), DeskError> {
        let parsed = Action::parse(action, "action", &self.profile)
            .map_err(|e| DeskError::invalid(format!("treaty engine: {e}")))?;
        self.decide(parsed)
    }

    fn require(&self, view: &DecisionView, decision: &Decision, what: &str) -> Result<(), DeskError> {
        if decision.verdict == Some(Verdict::Refused) {
            return Err(DeskError::refused(
                format!("{what} is not allowed: {}", decision.reasons.join("; ")),
                serde_json::to_value(view).unwrap_or(Value::Null),
            ));
        }
        Ok(())
    }

    fn demand(&self, user: &User, roles: &[Role]) -> Result<(), DeskError> {
        if roles.iter().any(|r| has_role(user, *r)) {
            Ok(())
        } else {
            Err(DeskError::forbidden(format!(
                "{} may not do this: it needs the role {}",
                user.username,
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
            )))
        }
    }

    fn node_of(&self, party: &PartyCode) -> Result<DirectoryEntry, DeskError> {
        // A party's contact point is its `<PARTY>-NCP` node; otherwise its first node.
        let nodes = &self.node.directory.nodes;
        nodes
            .iter()
            .find(|n| &n.party == party && n.id == format!("{party}-NCP"))
            .or_else(|| nodes.iter().find(|n| &n.party == party))
            .cloned()
            .ok_or_else(|| DeskError::invalid(format!("no node of {party} in the network directory")))
    }

    fn my_address(&self, unit: Option<String>) -> NodeAddress {
        NodeAddress {
            party: self.node.me.party.clone(),
            node: self.node.me.id.clone(),
            unit: unit.filter(|u| u != CONTACT_POINT_UNIT),
        }
    }

    /// Signs and queues an envelope; a message to this node itself (a notice to its own
    /// contact point) is stored in its inbox directly, signed all the same.
    async fn dispatch(&self, user: &User, envelope: &Envelope, justification: &str) -> Result<(), DeskError> {
        self.deliverable(envelope)?;
        if envelope.to.node == self.node.me.id {
            let signed = protocol::sign(envelope, &self.node.key)
                .map_err(|e| DeskError::unavailable(format!("signing: {e}")))?;
            let incoming = store::Incoming {
                message_id: envelope.id.to_string(),
                from_node: self.node.me.id.clone(),
                received_at: envelope.created_at,
                sha256: signed.sha256(),
                bytes: String::from_utf8_lossy(&signed.bytes).into_owned(),
                signature: signed.signature,
                meta: crate::meta_of(&self.profile, envelope, store::Direction::Incoming, envelope.created_at),
            };
            let entry = NewEntry {
                at: envelope.created_at,
                operation: Operation::Disclosure,
                actor: actor(user),
                justification: justification.to_owned(),
                recipient: Some(envelope.to.to_string()),
                message_id: Some(envelope.id.to_string()),
                case_id: envelope.case.map(|c| c.to_string()),
                details: json!({ "kind": envelope.body.kind(), "local": true }),
            };
            self.node.store.receive(incoming, entry).await?;
            return Ok(());
        }
        self.sender.send(envelope, &actor(user), justification).await?;
        Ok(())
    }

    /// What the partner's inbox would refuse forever is refused here, before it is queued: a
    /// date outside the plausible window (from a form, say) or an envelope over
    /// [`protocol::MAX_ENVELOPE_BYTES`].
    fn deliverable(&self, envelope: &Envelope) -> Result<(), DeskError> {
        // The partner would refuse a message under an agreement one of the two is not party to:
        // say so to the officer before it is queued.
        if let Some(to) = self.node.directory.by_id(&envelope.to.node) {
            treaty::instrument::admissible(&envelope.legal_basis.instrument, self.node.me.member(), to.member())
                .map_err(|e| DeskError::invalid(format!("{}: {e}", envelope.to.party)))?;
            // Directive 2016/680 Art. 35(1): personal data go to a third country only through
            // the Chapter V decision (the outbox refuses them otherwise; say it here first).
            if envelope.transfer.is_none()
                && envelope.body.may_carry_personal_data()
                && treaty::rules::transfers::chapter_v_applies(&self.node.me.party, &to.party)
            {
                return Err(DeskError::new(
                    ErrorKind::RefusedByTreaty,
                    format!(
                        "Directive 2016/680 Art. 35(1): a {} to {} (a third country) leaves only after the Chapter V decision (transfer.third_country)",
                        envelope.body.kind(),
                        to.party
                    ),
                ));
            }
        }
        let value = serde_json::to_value(envelope)
            .map_err(|e| DeskError::unavailable(format!("encoding the envelope: {e}")))?;
        protocol::plausible::check_json(&value).map_err(|e| DeskError::invalid(format!("message {e}")))?;
        let size = value.to_string().len();
        if size > protocol::MAX_ENVELOPE_BYTES {
            return Err(DeskError::invalid(format!(
                "the message is {size} bytes; a partner's inbox accepts at most {} bytes: shorten the text or send an attachment reference",
                protocol::MAX_ENVELOPE_BYTES
            )));
        }
        Ok(())
    }

    /// Art. 6(4): "De ambtenaren die rechtstreeks … uitwisselen …, brengen hun … bevoegde
    /// instanties hiervan onmiddellijk op de hoogte." — the notice goes automatically.
    async fn notify_contact_point(
        &self,
        user: &User,
        exchanged: &Envelope,
        ground: char,
        counterpart: &NodeAddress,
    ) -> Result<String, DeskError> {
        let cp = self.node_of(&self.node.me.party)?;
        let notice = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            NodeAddress::node(cp.party.clone(), cp.id.clone()),
            self.now(),
            self.legal("6(4)"),
            Body::DirectExchangeNotice {
                ground,
                counterpart: counterpart.clone(),
                exchanged: exchanged.id,
                summary: format!("{} exchanged directly with {counterpart}", exchanged.body.kind()),
            },
        )
        .replying_to(exchanged);
        self.dispatch(
            user,
            &notice,
            &format!("Art. 6(4): notice of a direct exchange on ground ({ground}) to the contact point"),
        )
        .await?;
        Ok(notice.id.to_string())
    }

    fn sent(&self, envelope: &Envelope, decisions: Vec<DecisionView>) -> Sent {
        Sent {
            message_id: Some(envelope.id.to_string()),
            case: envelope.case.map(|c| c.to_string()),
            to: envelope.to.to_string(),
            channel: "reply".into(),
            decisions,
            notices: Vec::new(),
        }
    }

    async fn journal(
        &self,
        actor: &str,
        operation: Operation,
        justification: &str,
        recipient: Option<String>,
        details: Value,
    ) -> Result<(), DeskError> {
        let entry = self.entry(actor, operation, justification, recipient, details);
        self.node.store.append(entry).await?;
        Ok(())
    }

    /// A journal entry at the node's time; its message and case are read from `details`.
    fn entry(
        &self,
        actor: &str,
        operation: Operation,
        justification: &str,
        recipient: Option<String>,
        details: Value,
    ) -> NewEntry {
        NewEntry {
            at: self.now(),
            operation,
            actor: actor.to_owned(),
            justification: justification.to_owned(),
            recipient,
            message_id: details.get("message").and_then(Value::as_str).map(str::to_owned),
            case_id: details.get("case").and_then(Value::as_str).map(str::to_owned),
            details,
        }
    }
}
