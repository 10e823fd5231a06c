//! Persistence of a grens node behind one trait, [`JournalStore`], with two backends:
//! SQLite (embedded default, WAL, one file per node) and PostgreSQL (for scale).
//!
//! The core is the append-only **journal**: every processing operation of Directive 2016/680
//! Art. 25 (collection, alteration, consultation, disclosure, combination, erasure) with its
//! time, actor, justification and recipient, hash-chained: `hash = SHA-256(prev_hash ‖ entry)`.
//! [`verify_chain`] finds the first entry that no longer matches.

mod journal;
mod postgres;
mod sql_store;
mod sqlite;

use std::future::Future;

pub use journal::{verify_chain, ChainError, Entry, NewEntry, Operation, GENESIS};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// What can go wrong in the store. Each names what failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, migrated or queried.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("corrupt row at journal entry {seq}: {problem}")]
    Corrupt { seq: i64, problem: String },
    /// The URL names no backend grens knows.
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
}

/// The journal of a node. Appends are serialised and chained; reads are in order.
pub trait JournalStore: Send + Sync {
    /// Appends one entry, chaining it to the current head; returns it with its sequence and hash.
    fn append(&self, entry: NewEntry) -> impl Future<Output = Result<Entry, StoreError>> + Send;
    /// Entries with `seq` in `from..=to`, in order.
    fn entries(&self, from: i64, to: i64) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;
    /// The number of entries and the head hash ([`GENESIS`] when empty).
    fn head(&self) -> impl Future<Output = Result<(i64, String), StoreError>> + Send;
    /// Stores an incoming message and its journal entry in one transaction, once per id.
    fn receive(&self, incoming: Incoming, entry: NewEntry)
        -> impl Future<Output = Result<Received, StoreError>> + Send;
    /// Queues a signed message and journals it in one transaction (the transactional outbox).
    fn enqueue(&self, message: Outgoing, entry: NewEntry) -> impl Future<Output = Result<Entry, StoreError>> + Send;
    /// Pending messages whose next attempt is due at `now`, oldest first.
    fn due(&self, now: jiff::Timestamp, limit: i64) -> impl Future<Output = Result<Vec<Queued>, StoreError>> + Send;
    /// Records how an attempt ended.
    fn settle(
        &self,
        message_id: &str,
        outcome: Settlement,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// How many messages are pending, delivered, refused.
    fn outbox_counts(&self) -> impl Future<Output = Result<OutboxCounts, StoreError>> + Send;
}

/// A verified incoming message, as the inbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub message_id: String,
    pub from_node: String,
    pub received_at: jiff::Timestamp,
    /// SHA-256 of the signed bytes, hex.
    pub sha256: String,
    /// The exact bytes that were signed (UTF-8 JSON).
    pub bytes: String,
    pub signature: String,
}

/// What the inbox did with an incoming message.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// First time seen: stored, and journaled as this entry.
    New(Box<Entry>),
    /// The same message again (same id, same bytes): nothing applied twice.
    Duplicate,
    /// The same id with other bytes: a replay or a forgery; nothing stored.
    Conflict,
}

/// A signed message waiting in the outbox for its partner's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub message_id: String,
    /// The directory id of the partner node.
    pub to_node: String,
    pub bytes: String,
    pub signature: String,
    pub sha256: String,
    pub queued_at: jiff::Timestamp,
}

/// An outbox row due for (another) delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub message: Outgoing,
    /// Attempts made so far.
    pub attempts: i64,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The partner's signed receipt arrived: done.
    Delivered,
    /// The partner refused the message with this reason: done, an operator must look.
    Refused(String),
    /// The partner could not be reached: try again at `next_attempt`.
    Retry {
        error: String,
        next_attempt: jiff::Timestamp,
    },
}

/// The outbox by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub delivered: i64,
    pub refused: i64,
}

/// A store chosen by URL: `sqlite:PATH` or `postgres://…`.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Opens (creating and migrating where needed) the store at `url`.
    pub async fn open(url: &str) -> Result<AnyStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(AnyStore::Sqlite(
                SqliteStore::open(std::path::Path::new(path.trim_start_matches("//"))).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PostgresStore::open(url, None).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }
}

impl JournalStore for AnyStore {
    async fn append(&self, entry: NewEntry) -> Result<Entry, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.append(entry).await,
            AnyStore::Postgres(s) => s.append(entry).await,
        }
    }

    async fn entries(&self, from: i64, to: i64) -> Result<Vec<Entry>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.entries(from, to).await,
            AnyStore::Postgres(s) => s.entries(from, to).await,
        }
    }

    async fn head(&self) -> Result<(i64, String), StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.head().await,
            AnyStore::Postgres(s) => s.head().await,
        }
    }

    async fn receive(&self, incoming: Incoming, entry: NewEntry) -> Result<Received, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.receive(incoming, entry).await,
            AnyStore::Postgres(s) => s.receive(incoming, entry).await,
        }
    }

    async fn enqueue(&self, message: Outgoing, entry: NewEntry) -> Result<Entry, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.enqueue(message, entry).await,
            AnyStore::Postgres(s) => s.enqueue(message, entry).await,
        }
    }

    async fn due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<Queued>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.due(now, limit).await,
            AnyStore::Postgres(s) => s.due(now, limit).await,
        }
    }

    async fn settle(&self, message_id: &str, outcome: Settlement, at: jiff::Timestamp) -> Result<(), StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.settle(message_id, outcome, at).await,
            AnyStore::Postgres(s) => s.settle(message_id, outcome, at).await,
        }
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.outbox_counts().await,
            AnyStore::Postgres(s) => s.outbox_counts().await,
        }
    }
}

/// The columns of an outbox row as read back.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub message_id: String,
    pub to_node: String,
    pub bytes: String,
    pub signature: String,
    pub sha256: String,
    pub queued_at: String,
    pub attempts: i64,
}

impl OutboxRow {
    pub(crate) fn into_queued(self) -> Result<Queued, StoreError> {
        let queued_at = self.queued_at.parse().map_err(|e| StoreError::Corrupt {
            seq: 0,
            problem: format!("outbox {}: queued_at '{}': {e}", self.message_id, self.queued_at),
        })?;
        Ok(Queued {
            message: Outgoing {
                message_id: self.message_id,
                to_node: self.to_node,
                bytes: self.bytes,
                signature: self.signature,
                sha256: self.sha256,
                queued_at,
            },
            attempts: self.attempts,
        })
    }
}

/// The SQL parameters of a settlement: state, next attempt (ms), error, settled_at.
pub(crate) fn settlement_columns(
    outcome: &Settlement,
    at: jiff::Timestamp,
) -> (&'static str, Option<i64>, Option<String>, Option<String>) {
    match outcome {
        Settlement::Delivered => ("delivered", None, None, Some(at.to_string())),
        Settlement::Refused(reason) => ("refused", None, Some(reason.clone()), Some(at.to_string())),
        Settlement::Retry { error, next_attempt } => (
            "pending",
            Some(next_attempt.as_millisecond()),
            Some(error.clone()),
            None,
        ),
    }
}
