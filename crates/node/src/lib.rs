//! A grens node: one competent service's point of presence.
//!
//! - [`pki`]: a development CA, node TLS certificates and Ed25519 signing keys (`grens pki init`).
//! - [`directory`]: the network directory: every node's party, address, signing key and
//!   certificate fingerprint. A peer not in the directory is refused.
//! - [`tls`]: rustls configurations for mutual TLS (ring provider).
//! - [`inbox`]: the HTTPS endpoint partners deliver to: trust is established once, before the
//!   handler (mTLS, directory, signature, addressee, clock skew), then the message is stored
//!   once and journaled, and a signed receipt goes back.
//! - [`client`]: delivering a signed message to a partner.

pub mod accounts;
pub mod api;
pub mod check;
pub mod client;
pub mod config;
pub mod desk;
pub mod directory;
pub mod history;
pub mod inbox;
pub mod national;
pub mod network;
pub mod officer_client;
pub mod outbox;
pub mod pdf;
pub mod pki;
pub mod serve;
pub mod tls;
pub mod web;

/// What can go wrong setting up or running a node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("I/O on {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("directory {path}: {problem}")]
    Directory { path: String, problem: String },
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("delivery to {to}: {problem}")]
    Delivery { to: String, problem: String },
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> NodeError + '_ {
    move |source| NodeError::Io {
        path: path.display().to_string(),
        source,
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What the store keeps beside a message for the views.
pub(crate) fn meta_of(envelope: &protocol::Envelope) -> store::MessageMeta {
    store::MessageMeta {
        case_id: envelope.case.map(|c| c.to_string()),
        in_reply_to: envelope.in_reply_to.map(|c| c.to_string()),
        kind: envelope.body.kind().to_owned(),
    }
}
