//! The envelope every message travels in.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use treaty::PartyCode;
use uuid::Uuid;

use crate::body::Body;
use crate::handling::HandlingCodes;

/// The protocol version this build writes; it reads this version only.
pub const PROTOCOL_VERSION: u32 = 1;

/// A message id: a UUIDv7, so ids sort by creation time and never repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub Uuid);

impl MessageId {
    /// A new id for a message created at `now` (time is a parameter).
    pub fn new(now: Timestamp) -> Self {
        let secs = u64::try_from(now.as_second()).unwrap_or(0);
        let nanos = u32::try_from(now.subsec_nanosecond()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos);
        MessageId(Uuid::new_v7(ts))
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A node of the network: the party it belongs to and its name in the directory
/// (`BE-NCP`, `NL-IRC-ZWB`, `JPC-LUXEMBOURG`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeAddress {
    pub party: PartyCode,
    pub node: String,
    /// A unit served by that node (`Antwerpen`, `Zeeland-West-Brabant`); absent means the
    /// node's own desk (its contact point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl NodeAddress {
    /// The contact-point desk of `node`.
    pub fn node(party: PartyCode, node: impl Into<String>) -> Self {
        NodeAddress {
            party,
            node: node.into(),
            unit: None,
        }
    }
}

impl fmt::Display for NodeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.party, self.node)?;
        if let Some(unit) = &self.unit {
            write!(f, "/{unit}")?;
        }
        Ok(())
    }
}

/// The legal basis a message claims: instrument and article, e.g. the Benelux treaty, `4(1)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// The profile id of the agreement (`benelux-2018`), or another instrument (`2023/977`).
    pub instrument: String,
    pub article: treaty::ArticleRef,
}

/// The envelope. Signed as a whole by the sending node ([`crate::signing`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub version: u32,
    pub id: MessageId,
    pub from: NodeAddress,
    pub to: NodeAddress,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<MessageId>,
    /// The case (exchange) this message belongs to: the id of the message that opened it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<MessageId>,
    pub legal_basis: LegalBasis,
    pub body: Body,
    /// Handling codes of provided data (Arts. 8–12); absent on messages without data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<HandlingCodes>,
    /// Directive 2016/680 Chapter V: the basis on which a member state's node sends personal
    /// data to a third country, as its engine decided before the message left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferBasis>,
}

/// Directive 2016/680 Art. 35(1): a member state's competent authority transfers personal data
/// to a third country "only where the conditions laid down in this Chapter are met". The
/// engine's decision travels with the message, so the receiver sees the basis, and the sender's
/// outbox refuses a message to a third country without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferBasis {
    /// The provisions the decision cites (`2016/680:37(1)(a)`, `2016/680:35(1)(c)`, …).
    pub articles: Vec<treaty::ArticleRef>,
    /// Why the data are transferred, in the officer's words (Arts. 37(3), 38(3)).
    pub justification: String,
    /// The member state the data came from, when not collected by the sender (Art. 35(1)(c)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_from: Option<PartyCode>,
    /// That state's prior authorisation: the consent grant it sent through grens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation: Option<MessageId>,
}

impl Envelope {
    /// A new envelope; the case is the message's own id unless it replies within one.
    pub fn new(from: NodeAddress, to: NodeAddress, now: Timestamp, legal_basis: LegalBasis, body: Body) -> Self {
        let id = MessageId::new(now);
        Envelope {
            version: PROTOCOL_VERSION,
            id,
            from,
            to,
            created_at: now,
            in_reply_to: None,
            case: Some(id),
            legal_basis,
            body,
            handling: None,
            transfer: None,
        }
    }

    /// Makes this envelope a reply to `original`, in the same case.
    pub fn replying_to(mut self, original: &Envelope) -> Self {
        self.in_reply_to = Some(original.id);
        self.case = original.case.or(Some(original.id));
        self
    }

    pub fn with_handling(mut self, handling: HandlingCodes) -> Self {
        self.handling = Some(handling);
        self
    }

    pub fn with_transfer(mut self, transfer: TransferBasis) -> Self {
        self.transfer = Some(transfer);
        self
    }
}
