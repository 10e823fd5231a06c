//! What an officer's action can fail with: a stable kind, a sentence naming what is wrong, and
//! the treaty engine's decision where it refused. The HTTP layers map the kind to a status.

use serde::Serialize;
use serde_json::Value;

/// The kinds of failure, each with a stable code that API clients can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No valid session.
    Unauthenticated,
    /// The user's role or party may not do this.
    Forbidden,
    NotFound,
    /// The input is malformed or incomplete; the message names the field.
    Invalid,
    /// The treaty engine refused; the decision is attached.
    RefusedByTreaty,
    /// A message as composed would be refused by the engine (before anything is sent): the
    /// composition is to be corrected, the decisions are attached. Code `refused_by_treaty`.
    RefusedComposition,
    /// Too many failed log-ins for this user name: wait.
    Throttled,
    /// The store or a partner could not be reached.
    Unavailable,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Invalid => "invalid",
            ErrorKind::RefusedByTreaty | ErrorKind::RefusedComposition => "refused_by_treaty",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

impl Serialize for ErrorKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A refused or failed officer action.
#[derive(Debug, Clone, Serialize)]
pub struct DeskError {
    /// `unauthenticated`, `forbidden`, `not_found`, `invalid`, `refused_by_treaty`, `unavailable`.
    pub error: ErrorKind,
    pub message: String,
    /// The treaty engine's decision, where it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Box<Value>>,
    /// What the officer can do instead (e.g. ask the provider's consent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<Box<Value>>,
}

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error.code(), self.message)
    }
}

impl std::error::Error for DeskError {}

impl DeskError {
    pub fn new(error: ErrorKind, message: impl Into<String>) -> Self {
        DeskError {
            error,
            message: message.into(),
            decision: None,
            offer: None,
        }
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        DeskError::new(ErrorKind::Unauthenticated, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        DeskError::new(ErrorKind::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        DeskError::new(ErrorKind::NotFound, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        DeskError::new(ErrorKind::Invalid, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        DeskError::new(ErrorKind::Unavailable, message)
    }
    pub fn refused(message: impl Into<String>, decision: Value) -> Self {
        let mut e = DeskError::new(ErrorKind::RefusedByTreaty, message);
        e.decision = Some(Box::new(decision));
        e
    }
}

impl From<store::StoreError> for DeskError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Refused(why) => DeskError::invalid(why),
            e => DeskError::unavailable(format!("store: {e}")),
        }
    }
}

impl From<crate::NodeError> for DeskError {
    fn from(e: crate::NodeError) -> Self {
        DeskError::unavailable(e.to_string())
    }
}
