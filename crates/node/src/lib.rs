//! A grens node: one competent service's point of presence.
//!
//! - [`peer`]: talking to partner nodes — the development PKI, the network directory, mutual
//!   TLS, the verified inbox partners deliver to, the courier and the transactional outbox.
//! - [`desk`]: every officer's flow, decided by the treaty engine, one file per area; no HTTP.
//! - [`http`]: the officers' JSON API (`http::api`) and web pages (`http::web`), one file per
//!   area with the same names as the desk's, over the desk.
//! - [`accounts`]: roles, passwords, the contact point's unit.
//! - [`national`]: the node's national databases for hit/no-hit and consultation answers.
//! - [`refusals`]: failures of unauthenticated callers, counted and summarised in the journal.
//! - [`duties`]: what one replica of a node does at a time (answers, alerts), under a lease.
//! - [`clock`]: the node's one clock (the system's, or a drill's).
//! - [`serve`]: starting a node, its background loops, and its graceful shutdown.
//! - [`telemetry`]: logging and metrics.

pub mod accounts;
pub mod clock;
pub mod config;
pub mod desk;
pub mod duties;
pub mod http;
pub mod national;
pub mod officer_client;
pub mod peer;
pub mod refusals;
pub mod serve;
pub mod telemetry;

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
    /// A setting, profile or key the node cannot start with.
    #[error("{what}: {problem}")]
    Config { what: String, problem: String },
    /// A national database that cannot be opened or loaded.
    #[error("national database {id}: {problem}")]
    National { id: String, problem: String },
    /// The node's HTTPS client (officer client, courier) could not be built or failed.
    #[error("HTTP client: {0}")]
    Client(String),
    /// A step of starting the node that failed in the desk.
    #[error("starting the node: {0}")]
    Startup(String),
}

/// Names the file of an I/O error.
pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> NodeError + '_ {
    move |source| NodeError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What the store keeps beside a message for the views: its case, reply link and kind, and
/// what it does to its case ([`desk::cases`]).
pub fn meta_of(
    profile: &treaty::Profile,
    envelope: &protocol::Envelope,
    direction: store::Direction,
    at: jiff::Timestamp,
) -> store::MessageMeta {
    store::MessageMeta {
        // An operation's events are one case: the operations board's row.
        case_id: match &envelope.body {
            protocol::Body::Operation(e) => Some(desk::cases::operation_case(&e.operation)),
            _ => envelope.case.map(|c| c.to_string()),
        },
        in_reply_to: envelope.in_reply_to.map(|c| c.to_string()),
        kind: envelope.body.kind().to_owned(),
        case: desk::cases::facts_of(profile, envelope, direction, at),
    }
}
