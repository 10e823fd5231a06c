//! Persistence of a grens node behind one trait, [`JournalStore`], with two backends:
//! SQLite (embedded default, WAL, one file per node) and PostgreSQL (for scale).
//!
//! The core is the append-only **journal**: every processing operation of Directive 2016/680
//! Art. 25 (collection, alteration, consultation, disclosure, combination, erasure) with its
//! time, actor, justification and recipient, hash-chained: `hash = SHA-256(prev_hash ‖ entry)`.
//! [`verify_chain`] finds the first entry that no longer matches.

mod journal;
mod postgres;
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
}
