//! Talking to partner nodes.
//!
//! - [`pki`]: a development CA, node TLS certificates and Ed25519 signing keys (`grens pki init`).
//! - [`directory`]: the network directory: every node's party, address, signing key and
//!   certificate fingerprint. A peer not in the directory is refused.
//! - [`tls`]: rustls configurations for mutual TLS (ring provider).
//! - [`inbox`]: the HTTPS endpoint partners deliver to: trust is established once, before the
//!   handler (mTLS, directory, signature, addressee, clock skew), then the message is stored
//!   once and journaled, and a signed receipt goes back.
//! - [`courier`]: delivering a signed message to a partner and checking its receipt.
//! - [`outbox`]: the transactional outbox and its delivery rounds with backoff.

pub mod courier;
pub mod directory;
pub mod inbox;
pub mod outbox;
pub mod pki;
pub mod tls;
