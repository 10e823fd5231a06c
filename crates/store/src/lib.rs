//! Persistence of a grens node behind one trait, [`JournalStore`], with two backends:
//! SQLite (embedded default, WAL, one file per node) and PostgreSQL (for scale).
//!
//! The core is the append-only **journal**: every processing operation of Directive 2016/680
//! Art. 25 (collection, alteration, consultation, disclosure, combination, erasure) with its
//! time, actor, justification and recipient, hash-chained: `hash = SHA-256(prev_hash ‖ entry)`.
//! [`verify_chain`] finds the first entry that no longer matches.

mod any_store;
mod batch_store;
mod case_feed;
mod case_keys;
mod case_store;
pub mod cases;
mod group_commit;
mod journal;
mod postgres;
mod query;
mod sql_store;
mod sqlite;

use std::future::Future;

pub use journal::{verify_chain, ChainError, Entry, NewEntry, Operation, GENESIS};

pub use any_store::AnyStore;
pub use cases::{CaseChange, CaseFacts, CaseQuery, CaseRow, CaseStep, CaseStore, RelatedRow, StatRow};
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
    /// A group-committed write failed (the batch's error, as text).
    #[error("store write failed: {0}")]
    Batch(String),
    /// The URL names no backend grens knows.
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    /// A change the stored state does not allow (closing a closed case, an unknown case).
    #[error("{0}")]
    Refused(String),
    /// A store that should exist does not (`grens audit verify` on a mistyped path).
    #[error("no store at {0}: the file does not exist")]
    Missing(String),
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
    /// Like [`JournalStore::enqueue`], but the message is claimed by the caller until
    /// `lease_until` (it delivers at once; the delivery rounds take over only if it crashes).
    fn enqueue_claimed(
        &self,
        message: Outgoing,
        entry: NewEntry,
        lease_until: jiff::Timestamp,
    ) -> impl Future<Output = Result<Entry, StoreError>> + Send;
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
    /// Stored messages (both directions) matching `query`, oldest first.
    fn messages(&self, query: MessageQuery) -> impl Future<Output = Result<Vec<StoredMessage>, StoreError>> + Send;
    /// Creates or replaces a local account.
    fn put_user(&self, user: User) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The account named `username`, if any.
    fn user(&self, username: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Every account, by name.
    fn users(&self) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;
    /// Records a session: the SHA-256 of its token, its user and when it expires.
    fn put_session(
        &self,
        token_sha256: &str,
        username: &str,
        expires: jiff::Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user of an unexpired session at `now`.
    fn session_user(
        &self,
        token_sha256: &str,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Ends a session.
    fn delete_session(&self, token_sha256: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Journal entries matching `query`, newest first.
    fn journal_search(&self, query: JournalQuery) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;
    /// How many journal entries match `query` (its limit does not apply): counting through the
    /// store, not reading the entries.
    fn journal_count(&self, query: JournalQuery) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Creates or replaces one registry record.
    fn put_record(&self, record: Record) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The records of one kind, by key.
    fn records(&self, kind: &str) -> impl Future<Output = Result<Vec<Record>, StoreError>> + Send;
    /// One record by its kind and key.
    fn record(&self, kind: &str, key: &str) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send;
    /// Removes one record; whether it existed.
    fn delete_record(&self, kind: &str, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Stores `record` and journals `entry` in one transaction — only if no record of that kind
    /// and key exists; whether it was stored. Serialised with every append (all replicas), so
    /// two callers racing for the same key store and journal it once.
    fn put_record_once(&self, record: Record, entry: NewEntry)
        -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Takes or renews the lease `name` for `holder` until `until`, if it is free, expired at
    /// `now` or already `holder`'s; whether `holder` holds it now.
    fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// A search of the journal for the data-protection officer. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    /// Part of the actor (`nl.oostbrabant`).
    pub actor: Option<String>,
    pub operation: Option<Operation>,
    /// Part of a data subject's name or object identifier: entries of the cases whose stored
    /// messages mention it.
    pub subject: Option<String>,
    /// From this moment (inclusive).
    pub since: Option<jiff::Timestamp>,
    /// Before this moment (exclusive).
    pub until: Option<jiff::Timestamp>,
    /// Only entries with a smaller sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// Only entries whose details hold each of these fields with exactly this value.
    pub details: Vec<(String, serde_json::Value)>,
    pub limit: i64,
}

/// One record of a node's registry (agreements, directory entries): a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: String,
    pub key: String,
    pub value: serde_json::Value,
    pub updated_by: String,
    pub updated_at: jiff::Timestamp,
}

/// What the store derives from a message's envelope when it is stored, for the views.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MessageMeta {
    pub case_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// The body's `type`.
    pub kind: String,
    /// What the message does to its case, if it belongs on the case list.
    pub case: Option<CaseFacts>,
}

/// Which way a stored message went (`incoming`, `outgoing` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    /// Its name in JSON and in the stores' columns.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }

    /// The direction named `name` ([`Direction::as_str`]), if it is one.
    pub fn parse(name: &str) -> Option<Direction> {
        [Direction::Incoming, Direction::Outgoing]
            .into_iter()
            .find(|d| d.as_str() == name)
    }
}

/// The kinds of message that answer a received one: sending one marks what it replies to as
/// answered.
pub const ANSWER_KINDS: [&str; 10] = [
    "provision",
    "refusal",
    "hit_answer",
    "hit_refusal",
    "consult_answer",
    "consult_refusal",
    "consent_grant",
    "consent_denial",
    "feedback_answer",
    "anpr_decision",
];

/// A filter over stored messages; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub message_id: Option<String>,
    pub case_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub kind: Option<String>,
    pub direction: Option<Direction>,
    /// Only messages with a smaller id (ids sort by creation time): the inbox's keyset cursor.
    pub before: Option<String>,
    /// Only messages with a greater id (a rebuild reading forwards).
    pub after: Option<String>,
    /// Newest first (the inbox) instead of oldest first.
    pub newest_first: bool,
    /// Only received messages this node has not answered yet ([`ANSWER_KINDS`]).
    pub unanswered: bool,
    pub limit: Option<i64>,
}

/// A message as stored, with the exact signed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub direction: Direction,
    pub message_id: String,
    /// The partner node (sender of an incoming message, addressee of an outgoing one).
    pub peer_node: String,
    /// When it was received, or queued.
    pub at: jiff::Timestamp,
    pub meta: MessageMeta,
    pub bytes: String,
    pub signature: String,
    /// Outgoing only: pending, delivered or refused.
    pub state: Option<String>,
}

/// A local account (embedded mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub party: String,
    /// The officer's unit (e.g. `NCP`, `Antwerpen`).
    pub unit: String,
    /// The region the unit is competent for, as the profile names it.
    pub region: String,
    /// Role names, e.g. `officer`, `supervisor`.
    pub roles: Vec<String>,
    /// `nl`, `fr` or `en`.
    pub language: String,
    /// argon2id, PHC string.
    pub password_hash: String,
    pub created_at: jiff::Timestamp,
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
    pub meta: MessageMeta,
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
    pub meta: MessageMeta,
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
    pub case_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub kind: String,
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
                meta: MessageMeta {
                    case_id: self.case_id,
                    in_reply_to: self.in_reply_to,
                    kind: self.kind,
                    case: None,
                },
            },
            attempts: self.attempts,
        })
    }
}

/// The columns of a stored message as read back (the union of inbox and outbox).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MessageRow {
    pub direction: String,
    pub message_id: String,
    pub peer_node: String,
    pub at: String,
    pub case_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub kind: String,
    pub bytes: String,
    pub signature: String,
    pub state: Option<String>,
}

impl MessageRow {
    pub(crate) fn into_message(self) -> Result<StoredMessage, StoreError> {
        let at = self.at.parse().map_err(|e| StoreError::Corrupt {
            seq: 0,
            problem: format!("message {}: time '{}': {e}", self.message_id, self.at),
        })?;
        Ok(StoredMessage {
            direction: if self.direction == "in" {
                Direction::Incoming
            } else {
                Direction::Outgoing
            },
            message_id: self.message_id,
            peer_node: self.peer_node,
            at,
            meta: MessageMeta {
                case_id: self.case_id,
                in_reply_to: self.in_reply_to,
                kind: self.kind,
                case: None,
            },
            bytes: self.bytes,
            signature: self.signature,
            state: self.state,
        })
    }
}

/// The columns of a user row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub username: String,
    pub display_name: String,
    pub party: String,
    pub unit: String,
    pub region: String,
    pub roles: String,
    pub language: String,
    pub password_hash: String,
    pub created_at: String,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, StoreError> {
        let created_at = self.created_at.parse().map_err(|e| StoreError::Corrupt {
            seq: 0,
            problem: format!("user {}: created_at '{}': {e}", self.username, self.created_at),
        })?;
        Ok(User {
            roles: self
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            username: self.username,
            display_name: self.display_name,
            party: self.party,
            unit: self.unit,
            region: self.region,
            language: self.language,
            password_hash: self.password_hash,
            created_at,
        })
    }
}

/// The SQL of a message query and its string parameters, in `$n` order.
pub(crate) fn message_query_sql(q: &MessageQuery) -> (String, Vec<String>) {
    let mut filters = Vec::new();
    let mut params = Vec::new();
    for (column, value) in [
        ("message_id", &q.message_id),
        ("case_id", &q.case_id),
        ("in_reply_to", &q.in_reply_to),
        ("kind", &q.kind),
    ] {
        if let Some(v) = value {
            params.push(v.clone());
            filters.push(format!("{column} = ${}", params.len()));
        }
    }
    if let Some(before) = &q.before {
        params.push(before.clone());
        filters.push(format!("message_id < ${}", params.len()));
    }
    if let Some(after) = &q.after {
        params.push(after.clone());
        filters.push(format!("message_id > ${}", params.len()));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    };
    let unanswered = if q.unanswered {
        if filter.is_empty() {
            " WHERE replied = 0"
        } else {
            " AND replied = 0"
        }
    } else {
        ""
    };
    let incoming = format!(
        "SELECT 'in' AS direction, message_id, from_node AS peer_node, received_at AS at, case_id, in_reply_to, kind, bytes, signature, CAST(NULL AS TEXT) AS state FROM inbox{filter}{unanswered}"
    );
    let outgoing = format!(
        "SELECT 'out' AS direction, message_id, to_node AS peer_node, queued_at AS at, case_id, in_reply_to, kind, bytes, signature, state FROM outbox{filter}"
    );
    let union = match q.direction {
        _ if q.unanswered => incoming,
        Some(Direction::Incoming) => incoming,
        Some(Direction::Outgoing) => outgoing,
        None => format!("{incoming} UNION ALL {outgoing}"),
    };
    // UUIDv7 ids sort by creation time.
    let limit = q.limit.map(|n| format!(" LIMIT {}", n.max(0))).unwrap_or_default();
    (
        format!(
            "SELECT * FROM ({union}) AS m ORDER BY message_id{}{limit}",
            if q.newest_first { " DESC" } else { "" }
        ),
        params,
    )
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
