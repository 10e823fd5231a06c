//! The officers' desk: every Title 2 flow as an officer starts it, decided by the treaty engine
//! before anything leaves or is used, and journaled. The HTTP API ([`crate::api`]) and the CLI
//! are thin layers over this.
//!
//! The engine is called with the same JSON actions as the conformance scenarios, so a flow and
//! a scenario can never disagree about the law.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use protocol::{
    Body, Channel, ConsentScope, ConsentUse, Envelope, HandlingCodes, LegalBasis, NodeAddress, Purpose, Subject,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Direction, JournalStore, MessageQuery, NewEntry, Operation, StoredMessage, User};
use treaty::{Action, Decision, PartyCode, Profile, Verdict};

use crate::accounts::{self, has_role, Role, CONTACT_POINT_UNIT};
use crate::directory::DirectoryEntry;
use crate::inbox::NodeState;
use crate::outbox::Sender;

pub mod anpr;
mod consult;
pub mod evaluation;
mod hits;
pub mod operations;
pub use consult::{Authorisation, ConsultAsk, Patrol, Supervised};
mod registry;
pub use hits::{HitQueryAsk, HitQueryView};
pub use registry::{AgreementRecord, Contact, ContactKind, QueuedConsent};

/// How long a log-in lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(8);

/// A refused or failed officer action: the HTTP status, a stable code, a sentence that names
/// what is wrong, and — when the treaty decided — the decision with its articles.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeskError {
    #[serde(skip)]
    pub status: u16,
    /// `unauthenticated`, `forbidden`, `not_found`, `invalid`, `refused_by_treaty`, `unavailable`.
    pub error: &'static str,
    pub message: String,
    /// The treaty engine's decision, where it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub decision: Option<Box<Value>>,
    /// What the officer can do instead (e.g. ask the provider's consent).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub offer: Option<Box<Value>>,
}

impl DeskError {
    fn new(status: u16, error: &'static str, message: impl Into<String>) -> Self {
        DeskError {
            status,
            error,
            message: message.into(),
            decision: None,
            offer: None,
        }
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        DeskError::new(401, "unauthenticated", message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        DeskError::new(403, "forbidden", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        DeskError::new(404, "not_found", message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        DeskError::new(422, "invalid", message)
    }
    fn unavailable(message: impl Into<String>) -> Self {
        DeskError::new(503, "unavailable", message)
    }
    fn refused(message: impl Into<String>, decision: Value) -> Self {
        let mut e = DeskError::new(403, "refused_by_treaty", message);
        e.decision = Some(Box::new(decision));
        e
    }
}

impl From<store::StoreError> for DeskError {
    fn from(e: store::StoreError) -> Self {
        DeskError::unavailable(format!("store: {e}"))
    }
}

impl From<crate::NodeError> for DeskError {
    fn from(e: crate::NodeError) -> Self {
        DeskError::unavailable(e.to_string())
    }
}

// ------------------------------------------------------------------------------- requests

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
    fn as_str(self) -> &'static str {
        match self {
            Via::Ncp => "ncp",
            Via::RegionalContactPoint => "regional_contact_point",
            Via::JointPoliceCentre => "joint_police_centre",
            Via::Direct => "direct",
            Via::LiaisonOfficer => "liaison_officer",
        }
    }

    fn channel(self) -> Channel {
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
    #[schema(value_type = Vec<Object>)]
    pub subjects: Vec<Subject>,
    pub text: String,
    /// Art. 12(2): this message confirms an oral exchange recorded earlier (its id).
    #[serde(default)]
    pub confirms_oral: Option<String>,
    /// Art. 14(2): the reference of a hit whose data this request asks for.
    #[serde(default)]
    pub hit_reference: Option<String>,
}

/// One decision of the treaty engine, as shown to the officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionView {
    /// The engine's kind of action (`exchange.channel`, `data.use`, …).
    pub action: String,
    /// `allowed`, `refused`, or absent for a computation.
    pub verdict: Option<String>,
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

// ------------------------------------------------------------------------------- replies

/// The answer to a request: a provision with its handling codes, or a refusal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Provision {
        #[schema(value_type = Vec<Object>)]
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
    },
    Refusal {
        /// A Directive 2023/977 Art. 6 ground (`2023/977:6(a)` … `2023/977:6(h)`) or `61`.
        ground: String,
        reasons: String,
    },
}

// ------------------------------------------------------------------------------- use of data

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
    fn as_str(self) -> &'static str {
        match self {
            UseKind::RestrictedPurpose => "restricted_purpose",
            UseKind::OtherPurpose => "other_purpose",
            UseKind::Evidence => "evidence",
            UseKind::Disclosure => "disclosure",
            UseKind::OnwardTransfer => "onward_transfer",
        }
    }

    fn consent_use(self) -> Option<ConsentUse> {
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

/// A feedback answer (Art. 7(3)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackText {
    pub text: String,
}

/// An oral exchange to record (Art. 12(2)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OralExchange {
    pub with_party: String,
    #[serde(default)]
    pub with_unit: Option<String>,
    /// When the conversation took place (RFC 3339 with offset).
    #[schema(value_type = String)]
    pub at: Timestamp,
    pub summary: String,
    /// The Art. 6(4) facts that allowed speaking directly.
    pub direct: DirectFacts,
}

// ------------------------------------------------------------------------------- views

/// A legal clock on a message.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// What must happen by then.
    pub what: String,
    /// RFC 3339 in this node's local time.
    pub due: String,
    pub article: String,
    /// Done (answered, confirmed).
    pub met: bool,
    /// Not done and past due.
    pub overdue: bool,
}

/// A line of the inbox.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageSummary {
    pub id: String,
    pub case: Option<String>,
    pub in_reply_to: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    /// Received or queued at, local time.
    pub at: String,
    /// Outgoing: pending, delivered or refused.
    pub delivery: Option<String>,
    pub deadline: Option<DeadlineView>,
}

/// A message opened by an officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageView {
    pub summary: MessageSummary,
    /// The signed envelope as received or sent.
    #[schema(value_type = Object)]
    pub envelope: Value,
    /// The detached JWS over it.
    pub signature: String,
    /// Art. 8: the classification in this officer's national marking.
    pub marking: Option<String>,
    /// Consent conditions in force for this data (Art. 11(3)).
    pub conditions: Vec<String>,
    /// What the treaty allows now, each with its decision.
    pub actions: Vec<ActionView>,
    /// The other messages of the case, in order.
    pub case_history: Vec<MessageSummary>,
}

/// An action on a message and whether the treaty allows it now.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionView {
    pub action: String,
    pub allowed: bool,
    pub articles: Vec<String>,
    pub reasons: Vec<String>,
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

fn legal(article: &str) -> LegalBasis {
    LegalBasis {
        instrument: "benelux-2018".into(),
        article: article
            .parse()
            .expect("the article references of this module are valid"),
    }
}

impl Desk {
    fn now(&self) -> Timestamp {
        (self.node.clock)()
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

    /// Runs the engine on a JSON action, exactly as a conformance scenario would.
    fn decide(&self, action: Value) -> Result<(DecisionView, Decision), DeskError> {
        let parsed = Action::parse(&action, "action", &self.profile)
            .map_err(|e| DeskError::invalid(format!("treaty engine: {e}")))?;
        let decision = treaty::evaluate(&self.profile, &parsed);
        let view = DecisionView {
            action: action["kind"].as_str().unwrap_or_default().to_owned(),
            verdict: decision.verdict.map(|v| match v {
                Verdict::Allowed => "allowed".to_owned(),
                Verdict::Refused => "refused".to_owned(),
            }),
            articles: decision.articles.iter().map(ToString::to_string).collect(),
            reasons: decision.reasons.clone(),
            decision: decision.to_json(&self.zone()),
        };
        Ok((view, decision))
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

    // --------------------------------------------------------------------------- sessions

    /// Checks a password and opens a session.
    pub async fn login(&self, username: &str, password: &str) -> Result<(String, Timestamp, User), DeskError> {
        let user = self.node.store.user(username).await?;
        // Verify against a dummy hash when the user is unknown, so timing does not tell.
        let hash = user.as_ref().map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        let ok = accounts::verify_password(hash, password);
        let Some(user) = user.filter(|_| ok) else {
            self.journal(
                &format!("{}/login:{username}", self.node.me.party),
                Operation::Consultation,
                "log-in refused: unknown user or wrong password",
                None,
                json!({ "outcome": "refused" }),
            )
            .await?;
            return Err(DeskError::unauthenticated("unknown user or wrong password"));
        };
        let (token, digest) = accounts::new_token();
        let expires = self.now() + SESSION_LIFETIME;
        self.node.store.put_session(&digest, &user.username, expires).await?;
        Ok((token, expires, user))
    }

    /// The user of a bearer token.
    pub async fn session(&self, token: &str) -> Result<User, DeskError> {
        self.node
            .store
            .session_user(&accounts::token_digest(token), self.now())
            .await?
            .ok_or_else(|| DeskError::unauthenticated("no session, or it expired: log in again"))
    }

    pub async fn logout(&self, token: &str) -> Result<(), DeskError> {
        Ok(self.node.store.delete_session(&accounts::token_digest(token)).await?)
    }

    /// Creates or replaces an account (administrators; also used to seed the demo).
    pub async fn put_user(&self, user: NewUser) -> Result<(), DeskError> {
        let user = accounts::account(user, self.now()).map_err(DeskError::invalid)?;
        Ok(self.node.store.put_user(user).await?)
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

    // --------------------------------------------------------------------------- sending

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
                meta: crate::meta_of(envelope),
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
            legal("6(4)"),
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

    /// Decides (and unless `preview`, sends) a request or spontaneous provision.
    pub async fn compose(&self, user: &User, c: &Compose, preview: bool) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&c.to_party)?;
        let to_node = self.node_of(&to_party)?;
        if c.text.trim().is_empty() {
            return Err(DeskError::invalid("text: say what is asked or provided, and why"));
        }
        let mut decisions = Vec::new();
        let (channel_view, channel) = self.decide(json!({
            "kind": "exchange.channel",
            "from": { "party": user.party, "region": user.region },
            "to": { "party": to_party.as_str(), "region": c.to_unit.clone().unwrap_or_default() },
            "via": c.via.as_str(),
            "within_competence_of_both": c.direct.within_competence_of_both,
            "subject_in_border_region": c.direct.subject_in_border_region,
            "urgent_delay_would_jeopardise": c.direct.urgent_delay_would_jeopardise,
            "prior_consent_of_contact_points": c.direct.prior_consent_of_contact_points,
            "in_cross_border_operation": c.direct.in_cross_border_operation,
        }))?;
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
            ComposeKind::Spontaneous => self.decide(json!({
                "kind": "exchange.spontaneous",
                "factual_reasons_it_may_help": c.factual_reasons_it_may_help,
            }))?,
            _ => self.decide(json!({
                "kind": "exchange.request",
                "purpose": match purpose { Some(Purpose::Criminal) => "criminal", Some(Purpose::PublicOrder) => "public_order", _ => "administrative_measures" },
                "requested_law_expressly_opposes": c.requested_law_expressly_opposes,
                "subjects": c.subjects.len(),
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
        if let Some(refused) = sent.decisions.iter().find(|d| d.verdict.as_deref() == Some("refused")) {
            let mut e = DeskError::refused(
                format!("{} is not allowed: {}", refused.action, refused.reasons.join("; ")),
                serde_json::to_value(&sent).unwrap_or(Value::Null),
            );
            e.status = 422;
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
            },
        };
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            to.clone(),
            self.now(),
            legal(article),
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

    // --------------------------------------------------------------------------- reading

    /// A stored message and its envelope, if this user may see it.
    async fn load(&self, user: &User, id: &str) -> Result<(StoredMessage, Envelope), DeskError> {
        let found = self
            .node
            .store
            .messages(MessageQuery {
                message_id: Some(id.to_owned()),
                ..MessageQuery::default()
            })
            .await?;
        // A notice stored locally is both sent and received; the incoming copy is the one read.
        let message = found
            .into_iter()
            .min_by_key(|m| m.direction == Direction::Outgoing)
            .ok_or_else(|| DeskError::not_found(format!("no message {id} on this node")))?;
        let envelope: Envelope = serde_json::from_str(&message.bytes)
            .map_err(|e| DeskError::unavailable(format!("stored message {id} is unreadable: {e}")))?;
        if !self.may_see(user, &message, &envelope) {
            return Err(DeskError::forbidden(format!(
                "message {id} belongs to another unit than {}",
                user.unit
            )));
        }
        Ok((message, envelope))
    }

    fn may_see(&self, user: &User, message: &StoredMessage, envelope: &Envelope) -> bool {
        if [Role::ContactPoint, Role::Supervisor, Role::Dpo]
            .iter()
            .any(|r| has_role(user, *r))
        {
            return true;
        }
        let local = match message.direction {
            Direction::Incoming => &envelope.to,
            Direction::Outgoing => &envelope.from,
        };
        unit_of(local) == user.unit
    }

    /// Received messages of `kind` this node has not answered yet with one of `answers`, oldest
    /// first: the work queues of consent decisions and of the automatic answers (Arts. 14–17).
    async fn unanswered(&self, kind: &str, answers: &[&str]) -> Result<Vec<StoredMessage>, DeskError> {
        let mut answered = std::collections::HashSet::new();
        for answer in answers {
            for m in self
                .node
                .store
                .messages(MessageQuery {
                    kind: Some((*answer).into()),
                    direction: Some(Direction::Outgoing),
                    ..MessageQuery::default()
                })
                .await?
            {
                if let Some(r) = m.meta.in_reply_to {
                    answered.insert(r);
                }
            }
        }
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                kind: Some(kind.into()),
                direction: Some(Direction::Incoming),
                ..MessageQuery::default()
            })
            .await?
            .into_iter()
            .filter(|m| !answered.contains(&m.message_id))
            .collect())
    }

    /// The stored messages of `kind` in `direction`, oldest first, each with its envelope (a
    /// message whose stored bytes do not parse is left out).
    async fn envelopes(&self, kind: &str, direction: Direction) -> Result<Vec<(StoredMessage, Envelope)>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                kind: Some(kind.into()),
                direction: Some(direction),
                ..MessageQuery::default()
            })
            .await?
            .into_iter()
            .filter_map(|m| serde_json::from_str::<Envelope>(&m.bytes).ok().map(|e| (m, e)))
            .collect())
    }

    async fn replies_to(&self, id: &str) -> Result<Vec<StoredMessage>, DeskError> {
        Ok(self
            .node
            .store
            .messages(MessageQuery {
                in_reply_to: Some(id.to_owned()),
                ..MessageQuery::default()
            })
            .await?)
    }

    /// The legal clock on a message, if it has one: the reply to a received request
    /// (Directive 2023/977 Art. 5) or the written confirmation of an oral exchange (Art. 12(2)).
    async fn deadline_of(
        &self,
        message: &StoredMessage,
        envelope: &Envelope,
        known_replies: Option<&[StoredMessage]>,
    ) -> Result<Option<DeadlineView>, DeskError> {
        let (view, what, answered_by): (DecisionView, &str, &[&str]) = match (&envelope.body, message.direction) {
            (
                Body::Request {
                    urgent,
                    directly_accessible,
                    ..
                },
                Direction::Incoming,
            ) => (
                self.decide(json!({
                    "kind": "deadline",
                    "rule": "information_request_reply",
                    "party": self.node.me.party.as_str(),
                    "start": message.at.to_string(),
                    "urgent": urgent,
                    "directly_accessible": directly_accessible,
                }))?
                .0,
                "answer the request",
                &["provision", "refusal"],
            ),
            (Body::OralRecord { at, .. }, _) => (
                self.decide(json!({
                    "kind": "deadline",
                    "rule": "oral_confirmation",
                    "party": self.node.me.party.as_str(),
                    "start": at.to_string(),
                }))?
                .0,
                "confirm the oral exchange in writing",
                &["request", "provision", "spontaneous_provision"],
            ),
            _ => return Ok(None),
        };
        let Some(due) = view.decision.get("deadline").and_then(Value::as_str).map(str::to_owned) else {
            return Ok(None);
        };
        let due_at: Timestamp = due
            .parse()
            .map_err(|e| DeskError::unavailable(format!("deadline '{due}': {e}")))?;
        let fetched;
        let replies = match known_replies {
            Some(r) => r,
            None => {
                fetched = self.replies_to(&message.message_id).await?;
                &fetched
            }
        };
        let met = replies
            .iter()
            .any(|r| r.direction == Direction::Outgoing && answered_by.contains(&r.meta.kind.as_str()));
        Ok(Some(DeadlineView {
            what: what.to_owned(),
            due,
            article: view.articles.first().cloned().unwrap_or_default(),
            met,
            overdue: !met && self.now() > due_at,
        }))
    }

    async fn summary(&self, message: &StoredMessage, envelope: &Envelope) -> Result<MessageSummary, DeskError> {
        self.summary_with(message, envelope, None).await
    }

    async fn summary_with(
        &self,
        message: &StoredMessage,
        envelope: &Envelope,
        replies: Option<&[StoredMessage]>,
    ) -> Result<MessageSummary, DeskError> {
        Ok(MessageSummary {
            id: message.message_id.clone(),
            case: message.meta.case_id.clone(),
            in_reply_to: message.meta.in_reply_to.clone(),
            direction: match message.direction {
                Direction::Incoming => "incoming",
                Direction::Outgoing => "outgoing",
            }
            .to_owned(),
            kind: message.meta.kind.clone(),
            from: envelope.from.to_string(),
            to: envelope.to.to_string(),
            at: self.local(message.at),
            delivery: message.state.clone(),
            deadline: self.deadline_of(message, envelope, replies).await?,
        })
    }

    /// The user's inbox: incoming and outgoing messages they may see, newest first, each with
    /// its legal clock.
    pub async fn inbox(&self, user: &User) -> Result<Vec<MessageSummary>, DeskError> {
        let messages = self.node.store.messages(MessageQuery::default()).await?;
        // The replies of every message, from the one read (no query per message).
        let mut replies: std::collections::HashMap<&str, Vec<StoredMessage>> = std::collections::HashMap::new();
        for m in &messages {
            if let Some(to) = m.meta.in_reply_to.as_deref() {
                replies.entry(to).or_default().push(m.clone());
            }
        }
        let mut out = Vec::new();
        for message in messages.iter().rev() {
            let Ok(envelope) = serde_json::from_str::<Envelope>(&message.bytes) else {
                continue;
            };
            // A local notice is stored once as received; the node is its own recipient.
            if self.may_see(user, message, &envelope) {
                let these = replies.get(message.message_id.as_str()).map_or(&[][..], Vec::as_slice);
                out.push(self.summary_with(message, &envelope, Some(these)).await?);
            }
        }
        Ok(out)
    }

    /// The provision a use or consent is about, with the consent grants it received since.
    async fn provided_data(&self, user: &User, id: &str) -> Result<(StoredMessage, Envelope), DeskError> {
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
    async fn consents(&self, provided: &Envelope) -> Result<Vec<Consent>, DeskError> {
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
    fn decide_use(
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
        let consent_json = consent.map(|(scope, _, conditions, given_at)| {
            json!({
                "scope": match scope { ConsentScope::ConcreteCase => "concrete_case", ConsentScope::General => "general" },
                "written": true,
                "given_at": given_at.to_string(),
                "conditions": conditions,
            })
        });
        let (view, decision) = self.decide(json!({
            "kind": "data.use",
            "use": use_.as_str(),
            "purpose_restriction": restricted,
            "consent": consent_json,
            "at": self.now().to_string(),
        }))?;
        Ok((view, decision, conditions))
    }

    /// Opens a message: journals the consultation and shows what the treaty allows now.
    pub async fn view(&self, user: &User, id: &str) -> Result<MessageView, DeskError> {
        let (message, envelope) = self.load(user, id).await?;
        let mut marking = None;
        let mut conditions = Vec::new();
        let mut actions = Vec::new();
        if let Some(class) = envelope.handling.as_ref().and_then(|h| h.classification.as_ref()) {
            let (view, decision) = self.decide(json!({
                "kind": "data.classification",
                "from": class.party.as_str(),
                "marking": class.marking,
                "to": self.node.me.party.as_str(),
                "on": null,
            }))?;
            marking = match decision.details.marking {
                Some(Some(m)) => Some(m),
                Some(None) => Some(format!(
                    "{} (no national marking; protected as EU {})",
                    class.marking, class.eu_level
                )),
                None => Some(format!("{} ({})", class.marking, view.reasons.join("; "))),
            };
        }
        let provided = matches!(
            (&envelope.body, message.direction),
            (
                Body::Provision { .. } | Body::SpontaneousProvision { .. },
                Direction::Incoming
            )
        );
        if provided {
            // Loaded once for the five decisions below.
            let consents = self.consents(&envelope).await?;
            for use_ in [
                UseKind::RestrictedPurpose,
                UseKind::OtherPurpose,
                UseKind::Evidence,
                UseKind::Disclosure,
                UseKind::OnwardTransfer,
            ] {
                let (view, decision, c) = self.decide_use(&envelope, &consents, use_)?;
                if decision.verdict != Some(Verdict::Refused) {
                    for condition in c {
                        if !conditions.contains(&condition) {
                            conditions.push(condition);
                        }
                    }
                }
                actions.push(ActionView {
                    action: use_.as_str().to_owned(),
                    allowed: decision.verdict != Some(Verdict::Refused),
                    articles: view.articles,
                    reasons: view.reasons,
                });
            }
        }
        self.journal(
            &actor(user),
            Operation::Consultation,
            &format!("opened {} {id}", envelope.body.kind()),
            None,
            json!({ "kind": envelope.body.kind(), "message": id, "case": envelope.case.map(|c| c.to_string()), "marking": marking }),
        )
        .await?;
        let mut case_history = Vec::new();
        if let Some(case) = &message.meta.case_id {
            let all = self
                .node
                .store
                .messages(MessageQuery {
                    case_id: Some(case.clone()),
                    ..MessageQuery::default()
                })
                .await?;
            for m in all {
                if let Ok(e) = serde_json::from_str::<Envelope>(&m.bytes) {
                    case_history.push(self.summary(&m, &e).await?);
                }
            }
        }
        Ok(MessageView {
            summary: self.summary(&message, &envelope).await?,
            envelope: serde_json::from_str(&message.bytes).unwrap_or(Value::Null),
            signature: message.signature,
            marking,
            conditions,
            actions,
            case_history,
        })
    }

    // --------------------------------------------------------------------------- answering

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
            Reply::Refusal { ground, reasons } => {
                let (view, decision) = self.decide(json!({ "kind": "exchange.refusal", "ground": ground }))?;
                self.require(&view, &decision, "this refusal")?;
                if reasons.trim().is_empty() {
                    return Err(DeskError::invalid("reasons: a refusal states its reasons"));
                }
                decisions.push(view);
                (
                    Body::Refusal {
                        ground: ground.clone(),
                        reasons: reasons.clone(),
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
            } => {
                let (view, decision) = self.decide(json!({
                    "kind": "exchange.language",
                    "provider": self.node.me.party.as_str(),
                    "language": language,
                }))?;
                self.require(&view, &decision, "this language")?;
                decisions.push(view);
                let classification = match classification {
                    None => None,
                    Some(marking) => {
                        let (view, decision) = self.decide(json!({
                            "kind": "data.classification",
                            "from": self.node.me.party.as_str(),
                            "marking": marking,
                            "to": request.from.party.as_str(),
                            "on": null,
                        }))?;
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
                    },
                    Some(handling),
                    "4(1)",
                )
            }
        };
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            request.from.clone(),
            self.now(),
            legal(article),
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

    // --------------------------------------------------------------------------- using data

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
            legal("11(1)"),
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
        let (body, article) = match answer {
            ConsentAnswer::Grant { scope, conditions } => (
                Body::ConsentGrant {
                    about,
                    scope: *scope,
                    uses,
                    conditions: conditions.clone(),
                    given_at: self.now(),
                },
                "11(1)",
            ),
            ConsentAnswer::Deny { reasons } => (
                Body::ConsentDenial {
                    about,
                    reasons: reasons.clone(),
                },
                "11(1)",
            ),
        };
        let envelope = Envelope::new(
            self.my_address(None),
            request.from.clone(),
            self.now(),
            legal(article),
            body,
        )
        .replying_to(&request);
        self.dispatch(
            user,
            &envelope,
            &format!("Art. 11: {} for {about}", envelope.body.kind()),
        )
        .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }

    // --------------------------------------------------------------------------- feedback, oral

    /// The provider asks what became of its data (Art. 7(3)).
    pub async fn request_feedback(&self, user: &User, id: &str) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, provision) = self.load(user, id).await?;
        let asked_by_provider = message.direction == Direction::Outgoing
            && matches!(
                provision.body,
                Body::Provision { .. } | Body::SpontaneousProvision { .. }
            );
        let (view, decision) = self.decide(json!({
            "kind": "exchange.feedback_request",
            "asked_by_provider": asked_by_provider,
        }))?;
        self.require(&view, &decision, "this feedback request")?;
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            provision.to.clone(),
            self.now(),
            legal("7(3)"),
            Body::FeedbackRequest { about: provision.id },
        )
        .replying_to(&provision);
        self.dispatch(user, &envelope, &format!("Art. 7(3): feedback asked on {id}"))
            .await?;
        Ok(self.sent(&envelope, vec![view]))
    }

    /// The recipient answers a feedback request (Art. 7(3)).
    pub async fn answer_feedback(&self, user: &User, id: &str, answer: &FeedbackText) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, request) = self.load(user, id).await?;
        let about = match (&request.body, message.direction) {
            (Body::FeedbackRequest { about }, Direction::Incoming) => *about,
            _ => {
                return Err(DeskError::invalid(format!(
                    "{id} is not a feedback request received here"
                )))
            }
        };
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            request.from.clone(),
            self.now(),
            legal("7(3)"),
            Body::FeedbackAnswer {
                about,
                text: answer.text.clone(),
            },
        )
        .replying_to(&request);
        self.dispatch(user, &envelope, &format!("Art. 7(3): feedback on {about}"))
            .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }

    /// Records an oral exchange (Art. 12(2)): allowed only in an Art. 6(4) situation, with a
    /// 24-hour clock for its written confirmation. The record goes to the partner too.
    pub async fn record_oral(&self, user: &User, oral: &OralExchange) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&oral.with_party)?;
        let to_node = self.node_of(&to_party)?;
        let (channel_view, channel) = self.decide(json!({
            "kind": "exchange.channel",
            "from": { "party": user.party, "region": user.region },
            "to": { "party": to_party.as_str(), "region": oral.with_unit.clone().unwrap_or_default() },
            "via": "direct",
            "within_competence_of_both": oral.direct.within_competence_of_both,
            "subject_in_border_region": oral.direct.subject_in_border_region,
            "urgent_delay_would_jeopardise": oral.direct.urgent_delay_would_jeopardise,
            "prior_consent_of_contact_points": oral.direct.prior_consent_of_contact_points,
            "in_cross_border_operation": oral.direct.in_cross_border_operation,
        }))?;
        let (view, decision) = self.decide(json!({
            "kind": "exchange.oral",
            "in_article_6_4_situation": channel.details.direct_ground.is_some(),
            "at": oral.at.to_string(),
        }))?;
        self.require(&view, &decision, "an oral exchange")?;
        let to = NodeAddress {
            party: to_party,
            node: to_node.id.clone(),
            unit: oral.with_unit.clone(),
        };
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            to.clone(),
            self.now(),
            legal("12(2)"),
            Body::OralRecord {
                at: oral.at,
                summary: oral.summary.clone(),
            },
        );
        self.dispatch(user, &envelope, "Art. 12(2): record of an oral exchange")
            .await?;
        let mut notices = Vec::new();
        if let Some(ground) = channel.details.direct_ground {
            notices.push(self.notify_contact_point(user, &envelope, ground, &to).await?);
        }
        let mut sent = self.sent(&envelope, vec![channel_view, view]);
        sent.notices = notices;
        Ok(sent)
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

    // --------------------------------------------------------------------------- audit

    async fn journal(
        &self,
        actor: &str,
        operation: Operation,
        justification: &str,
        recipient: Option<String>,
        details: Value,
    ) -> Result<(), DeskError> {
        self.node
            .store
            .append(NewEntry {
                at: self.now(),
                operation,
                actor: actor.to_owned(),
                justification: justification.to_owned(),
                recipient,
                message_id: details.get("message").and_then(Value::as_str).map(str::to_owned),
                case_id: details.get("case").and_then(Value::as_str).map(str::to_owned),
                details,
            })
            .await?;
        Ok(())
    }

    /// Sends a signed checkpoint of this node's journal (length, head) to every partner node,
    /// which keeps it: a node that rewrites its history can no longer match what it gave away.
    pub async fn publish_checkpoints(&self, actor: &str) -> Result<Vec<String>, DeskError> {
        let (length, head) = self.node.store.head().await?;
        let mut sent = Vec::new();
        for partner in self.node.directory.nodes.iter().filter(|n| n.id != self.node.me.id) {
            let envelope = Envelope::new(
                self.my_address(None),
                NodeAddress::node(partner.party.clone(), partner.id.clone()),
                self.now(),
                LegalBasis {
                    instrument: "grens".into(),
                    article: "4".parse().expect("a valid article"),
                },
                Body::JournalCheckpoint {
                    length: u64::try_from(length).unwrap_or(0),
                    head: head.clone(),
                },
            );
            self.sender
                .send(&envelope, actor, "journal checkpoint for the partner's audit")
                .await?;
            sent.push(envelope.id.to_string());
        }
        Ok(sent)
    }

    /// For an administrator or data-protection officer: [`Desk::publish_checkpoints`] now.
    pub async fn checkpoint_now(&self, user: &User) -> Result<Vec<String>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        self.publish_checkpoints(&actor(user)).await
    }

    /// Asks every partner whose checkpoint this node holds for its journal head at that
    /// length, and compares.
    pub async fn verify_partners(&self, user: &User) -> Result<Vec<PartnerHistory>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let checkpoints = self
            .node
            .store
            .messages(MessageQuery {
                kind: Some("journal_checkpoint".into()),
                direction: Some(Direction::Incoming),
                ..MessageQuery::default()
            })
            .await?;
        let mut latest: std::collections::BTreeMap<String, (u64, String, Timestamp)> = Default::default();
        for m in checkpoints {
            if let Ok(Envelope {
                from,
                body: Body::JournalCheckpoint { length, head },
                ..
            }) = serde_json::from_str::<Envelope>(&m.bytes)
            {
                let slot = latest.entry(from.node).or_insert((0, String::new(), m.at));
                if length >= slot.0 {
                    *slot = (length, head, m.at);
                }
            }
        }
        let mut out = Vec::new();
        for (partner, (length, given_head, at)) in latest {
            let Some(entry) = self.node.directory.by_id(&partner) else {
                continue;
            };
            let (current_head, problem) = if length == 0 {
                (Some(store::GENESIS.to_owned()), None)
            } else {
                match self.sender.courier.journal_head(entry, length).await {
                    Ok(h) => (Some(h), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            };
            let matches = current_head.as_deref() == Some(given_head.as_str());
            self.journal(
                &actor(user),
                Operation::Consultation,
                &format!(
                    "checked {partner}'s journal against its checkpoint at {length}: {}",
                    if matches { "matches" } else { "DOES NOT MATCH" }
                ),
                None,
                json!({ "partner": partner, "length": length, "matches": matches }),
            )
            .await?;
            out.push(PartnerHistory {
                partner,
                length,
                given_head,
                given_at: self.local(at),
                current_head,
                matches,
                problem,
            });
        }
        Ok(out)
    }

    /// Journal entries for the data-protection officer.
    pub async fn journal_entries(&self, user: &User, from: i64, limit: i64) -> Result<Vec<store::Entry>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let from = from.max(1);
        Ok(self.node.store.entries(from, from + limit.clamp(1, 1000) - 1).await?)
    }

    /// Verifies the journal's hash chain.
    pub async fn verify_journal(&self, user: &User) -> Result<JournalStatus, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let (length, head) = self.node.store.head().await?;
        let problem = match store::verify_chain(&self.node.store).await? {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        Ok(JournalStatus {
            node: self.node.me.id.clone(),
            length,
            head,
            intact: problem.is_none(),
            problem,
        })
    }
}

/// A partner's journal compared with the latest checkpoint it gave this node.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartnerHistory {
    pub partner: String,
    /// The checkpoint: its length and head, and when it was received.
    pub length: u64,
    pub given_head: String,
    pub given_at: String,
    /// What the partner's journal has at that length now (absent if it could not answer).
    pub current_head: Option<String>,
    /// The partner's history still matches what it gave.
    pub matches: bool,
    pub problem: Option<String>,
}

/// A consent in force: scope, uses, conditions, when given.
type Consent = (ConsentScope, Vec<ConsentUse>, Vec<String>, Timestamp);

/// The state of a journal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JournalStatus {
    pub node: String,
    pub length: i64,
    pub head: String,
    pub intact: bool,
    pub problem: Option<String>,
}

/// An account to create.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub party: String,
    pub unit: String,
    pub region: String,
    pub roles: Vec<String>,
    pub language: String,
    pub password: String,
}

/// Verified against when the user is unknown, so a wrong name costs as much as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0G3Qy4W2m1z0c6Jc3b4l5cYVb7y9Kx8mQ5mX3r6pDk0";
