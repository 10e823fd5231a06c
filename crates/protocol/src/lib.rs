//! Wire types of grens: what travels between nodes. No I/O here.
//!
//! - [`Envelope`]: `{ version, id, from, to, created_at, in_reply_to?, case?, legal_basis, body, handling? }`.
//! - [`Body`]: every Title 2 message (request, provision, refusal, consent, …), receipts and
//!   journal checkpoints.
//! - [`entities`]: the POLE model of the EU's Universal Message Format (Person, Object,
//!   Location, Event).
//! - [`HandlingCodes`]: what travels with provided data and binds the recipient (Arts. 8–12).
//! - [`signing`]: Ed25519 signatures as detached JWS (RFC 7515 appendix F, RFC 8037 `EdDSA`)
//!   over the exact bytes sent.
//!
//! Versioned: `version` is checked; unknown fields are tolerated on read so that a newer
//! node can talk to an older one.

pub mod body;
pub mod entities;
pub mod envelope;
pub mod handling;
pub mod plausible;
pub mod signing;

pub use body::{
    Body, Channel, ConsentScope, Correction, HotlistEntry, OperationEvent, OperationEventKind, Purpose, SportsEvent,
};
pub use entities::{Event, Location, Object, ObjectKind, Person, Subject};
pub use envelope::{Envelope, LegalBasis, MessageId, NodeAddress, TransferBasis, PROTOCOL_VERSION};
pub use handling::{Classification, ConsentUse, HandlingCodes};
pub use signing::{sign, verify, NodeKey, ProtocolError, SignedMessage};

/// The largest signed envelope a node's inbox accepts (bytes); a node refuses to queue a larger
/// one, since its partner would refuse it forever.
pub const MAX_ENVELOPE_BYTES: usize = 2 * 1024 * 1024;
