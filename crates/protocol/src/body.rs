//! Message bodies: every Title 2 flow between nodes, receipts and journal checkpoints.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::entities::Subject;
use crate::envelope::{MessageId, NodeAddress};
use crate::handling::ConsentUse;

/// The Art. 2 purpose a request states (Arts. 4(1), 4(3), 7(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Prevention, investigation or detection of offences.
    Criminal,
    /// Maintenance of public order and security.
    PublicOrder,
    /// Administrative measures (Art. 4(3)).
    AdministrativeMeasures,
}

/// The channel a message took (Art. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Ncp,
    RegionalContactPoint,
    JointPoliceCentre,
    Direct,
    LiaisonOfficer,
}

/// What a provider's correction notice says of the data (Directive 2016/680 Art. 7(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Incorrect data: the text says what is correct.
    Rectified,
    /// Data no longer to be used: erased at the provider or unlawfully transmitted.
    Withdrawn,
}

/// Scope of a consent (Arts. 9–11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    ConcreteCase,
    General,
}

/// The body of a message, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// Art. 4(1) / 4(3): a request for personal data and information.
    Request {
        purpose: Purpose,
        subjects: Vec<Subject>,
        /// What is asked and why, in the sender's words.
        text: String,
        #[serde(default)]
        urgent: bool,
        /// Directive 2023/977 Art. 5(1)(a): the information is directly accessible.
        #[serde(default)]
        directly_accessible: bool,
        channel: Channel,
        /// Art. 6(4): the ground (a–d) of a direct exchange.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direct_ground: Option<char>,
        /// Art. 14(2): the reference of the hit whose data this request asks for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hit_reference: Option<String>,
        /// Under an agreement's direct exchange (`exchange.direct`): the topic it covers
        /// (`migrant_smuggling`), which the receiver's engine decides its answer on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// Art. 4(2): provision without a request.
    SpontaneousProvision {
        subjects: Vec<Subject>,
        text: String,
        channel: Channel,
        /// As for a request: the topic of an agreement's direct exchange.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// Provision in reply to a request (handling codes in the envelope).
    Provision {
        subjects: Vec<Subject>,
        text: String,
        /// Directive 2023/977 Art. 5(3): sent after the Art. 5(1) limit because a judicial
        /// authorisation had to be obtained (counted for Art. 18).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        delayed_for_judicial_authorisation: bool,
    },
    /// Refusal with a Directive 2023/977 Art. 6 ground or Art. 61, and reasons.
    Refusal {
        ground: String,
        reasons: String,
        /// As for a provision (Art. 5(3)).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        delayed_for_judicial_authorisation: bool,
    },
    /// Art. 7(3): the provider asks what became of its data.
    FeedbackRequest { about: MessageId },
    /// Art. 7(3): the recipient's answer.
    FeedbackAnswer { about: MessageId, text: String },
    /// Arts. 9–11: the recipient asks consent for a use.
    ConsentRequest {
        about: MessageId,
        uses: Vec<ConsentUse>,
        reasons: String,
    },
    /// Arts. 9–11: written consent, in a concrete case or general, with conditions.
    ConsentGrant {
        about: MessageId,
        scope: ConsentScope,
        uses: Vec<ConsentUse>,
        #[serde(default)]
        conditions: Vec<String>,
        given_at: Timestamp,
    },
    /// The provider refuses consent, with reasons.
    ConsentDenial { about: MessageId, reasons: String },
    /// Art. 12(2): record of an oral exchange, to be confirmed in writing within 24 hours.
    OralRecord { at: Timestamp, summary: String },
    /// Art. 6(4): notice to the sender's contact point of a direct exchange.
    DirectExchangeNotice {
        ground: char,
        counterpart: NodeAddress,
        exchanged: MessageId,
        summary: String,
    },
    /// A signed receipt: the receiver stored the message (SHA-256 of the signed bytes).
    Receipt { received: MessageId, sha256: String },
    /// A signed checkpoint of the sender's journal: its length and head hash.
    JournalCheckpoint { length: u64, head: String },
    /// Art. 14: a hit/no-hit query of one annex-6 database of the receiving party, in an
    /// individual case (`case_reference`: the requester's file, and why).
    HitQuery {
        database: String,
        subject: Subject,
        purpose: Purpose,
        case_reference: String,
    },
    /// Art. 14(1)–(2): the answer — only whether there is a hit, and for a hit an opaque
    /// reference that an Art. 4 request quotes to obtain the data.
    HitAnswer {
        query: MessageId,
        hit: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// No hit, but a possible one (a name two letters apart with the given name and the birth
        /// date agreeing): the reference is there for an Art. 4 request to check it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        possible: bool,
    },
    /// Art. 14: the query was not answered (the owner's check refused it), with the reason.
    HitRefusal { query: MessageId, reasons: String },
    /// Arts. 15–16: a direct consultation under a named authorisation, by an officer at a joint
    /// police post (15) or on a mixed patrol (16, `patrol`: the patrol's id at the owner).
    ConsultQuery {
        article: u8,
        /// The officer consulting, by the user name their node knows them by (the
        /// authorisation is in that name; the signing node vouches for it).
        officer: String,
        database: String,
        subject: Subject,
        case_reference: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patrol: Option<String>,
    },
    /// Arts. 15–16: the records consulted; the consulting party is their controller from now on
    /// (15(4)).
    ConsultAnswer { query: MessageId, records: Vec<Subject> },
    /// Arts. 15–16: the consultation was refused (no or revoked authorisation, a condition, …).
    ConsultRefusal { query: MessageId, reasons: String },
    /// Art. 13: ANPR reference data — one hotlist entry — for automated comparison only.
    AnprEntry(HotlistEntry),
    /// Art. 13: the recipient accepts the entry (it is compared from now on) or rejects it.
    AnprDecision {
        entry: String,
        accepted: bool,
        #[serde(default)]
        reason: String,
    },
    /// Art. 13: the provider withdraws an entry: recipients stop comparing at once.
    AnprWithdrawal { entry: String, reason: String },
    /// Titles 3 and 5: an event of a cross-border operation.
    Operation(OperationEvent),
    /// Directive 2016/680 Art. 7(3): the provider tells a recipient that data it transmitted
    /// were incorrect (rectified) or unlawfully transmitted or erased (withdrawn).
    DataCorrection {
        /// The messages whose data are concerned, as the recipient received them.
        about: Vec<MessageId>,
        correction: Correction,
        /// Why, and for a rectification what is correct now.
        text: String,
    },
    /// Art. 13(3): a hit, returned to the provider, with the read it came from.
    AnprHit {
        entry: String,
        /// The plate as the camera read it.
        plate_read: String,
        read_at: Timestamp,
        camera: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<f64>,
        /// Look-alike characters between read and entry (0: exact).
        confusions: u8,
    },
    /// An agreement's exchange for international sports events (`sports.event_data`; `si-al`
    /// assumed Art. 5): one information point's data about a match — general information, risk
    /// supporters each with the reason, or the evaluation afterwards.
    SportsEventData {
        event: SportsEvent,
        /// `general`, `risk_supporters` or `evaluation`.
        data: String,
        /// Risk supporters (personal data), erased after the event.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        subjects: Vec<Subject>,
        /// Why each is considered a risk, in the order of `subjects`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<String>,
        /// Movements, numbers, transport, routes, arrival times, ticketing, spotters; or the
        /// evaluation.
        text: String,
    },
    /// Directive 2016/680 Art. 35(2): data received from this member state were transferred to
    /// a third country without its prior authorisation (an immediate and serious threat to
    /// public security); "the authority responsible for giving prior authorisation shall be
    /// informed without delay".
    TransferNotice {
        /// The data as this state provided them.
        about: MessageId,
        /// The message that carried them to the third country.
        transfer: MessageId,
        /// The third country (`AL`) or `INTERPOL`.
        destination: String,
        /// The threat and why the authorisation could not be obtained in time.
        reasons: String,
    },
}

/// An international sports event: competition, match, venue, date and host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SportsEvent {
    /// `UEFA Europa Conference League, qualifying round`.
    pub competition: String,
    pub home_team: String,
    pub away_team: String,
    pub venue: String,
    /// The match day, in the host's calendar.
    pub date: jiff::civil::Date,
    /// The party where the match is played.
    pub host: treaty::PartyCode,
}

/// Titles 3 and 5: one event of a cross-border operation, sent to the other party of it. Both
/// nodes build the operation's record from these events alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationEvent {
    /// The sending party's id of the operation (every event names it).
    pub operation: String,
    /// `pursuit` (Arts. 21, 55), `own_initiative` (19), `observation` (22), `investigation`
    /// (23–24), `assistance` (18), `transport` (25), `train_boarding` (26), `transit` (32).
    pub kind: String,
    pub sending: String,
    pub host: String,
    pub event: OperationEventKind,
    /// When it happened (a detention's start is its clock's start).
    pub at: Timestamp,
    #[serde(default)]
    pub text: String,
    /// The start's facts as the treaty engine read them, so the host computes the same decision
    /// and clocks; a grant's terms; the facts of a use of force.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub facts: serde_json::Value,
}

/// What happened in an operation: the treaty engine's life-cycle events (Titles 3–6).
pub use treaty::rules::lifecycle::EventKind as OperationEventKind;

/// Art. 13: one hotlist entry as the provider states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotlistEntry {
    /// The provider's id of the entry (hits and withdrawals name it).
    pub id: String,
    /// The plate, normalised (capitals and digits).
    pub plate: String,
    /// The plate's country (ISO 3166 alpha-2).
    pub country: String,
    /// What the entry is about: stolen vehicle, wanted person's vehicle, …
    pub category: String,
    /// Art. 13(2): the follow-up action asked of the recipient.
    pub follow_up_action: String,
    /// Art. 13(2): the international alert the person or object is subject of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international_alert: Option<String>,
    /// Art. 13(2): without an alert, the recipient's legal basis to act without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_legal_basis: Option<String>,
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
    /// Who at the provider to call about a hit.
    pub contact: String,
}

impl Body {
    /// The `type` tag, for logs and the journal.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Request { .. } => "request",
            Body::SpontaneousProvision { .. } => "spontaneous_provision",
            Body::Provision { .. } => "provision",
            Body::Refusal { .. } => "refusal",
            Body::FeedbackRequest { .. } => "feedback_request",
            Body::FeedbackAnswer { .. } => "feedback_answer",
            Body::ConsentRequest { .. } => "consent_request",
            Body::ConsentGrant { .. } => "consent_grant",
            Body::ConsentDenial { .. } => "consent_denial",
            Body::OralRecord { .. } => "oral_record",
            Body::DirectExchangeNotice { .. } => "direct_exchange_notice",
            Body::Receipt { .. } => "receipt",
            Body::JournalCheckpoint { .. } => "journal_checkpoint",
            Body::HitQuery { .. } => "hit_query",
            Body::HitAnswer { .. } => "hit_answer",
            Body::HitRefusal { .. } => "hit_refusal",
            Body::ConsultQuery { .. } => "consult_query",
            Body::ConsultAnswer { .. } => "consult_answer",
            Body::ConsultRefusal { .. } => "consult_refusal",
            Body::AnprEntry(_) => "anpr_entry",
            Body::AnprDecision { .. } => "anpr_decision",
            Body::AnprWithdrawal { .. } => "anpr_withdrawal",
            Body::AnprHit { .. } => "anpr_hit",
            Body::Operation(_) => "operation",
            Body::DataCorrection { .. } => "data_correction",
            Body::TransferNotice { .. } => "transfer_notice",
            Body::SportsEventData { .. } => "sports_event_data",
        }
    }

    /// Whether the body may carry personal data (Directive 2016/680 Art. 3(1)): what a member
    /// state's node sends a third country then passes Chapter V first. Only the bodies that
    /// carry references, decisions and protocol hashes are free of it.
    pub fn may_carry_personal_data(&self) -> bool {
        if let Body::SportsEventData { subjects, .. } = self {
            // General information and the evaluation carry numbers and routes, not persons.
            return !subjects.is_empty();
        }
        !matches!(
            self,
            Body::Receipt { .. }
                | Body::JournalCheckpoint { .. }
                | Body::FeedbackRequest { .. }
                | Body::Refusal { .. }
                | Body::HitRefusal { .. }
                | Body::ConsultRefusal { .. }
                | Body::ConsentRequest { .. }
                | Body::ConsentGrant { .. }
                | Body::ConsentDenial { .. }
                | Body::AnprDecision { .. }
                | Body::AnprWithdrawal { .. }
                | Body::TransferNotice { .. }
        )
    }
}
