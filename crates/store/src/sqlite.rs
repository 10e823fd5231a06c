//! The embedded backend: one SQLite file per node, WAL mode, full sync.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::journal::{Row, GENESIS};
use crate::{
    settlement_columns, Entry, Incoming, JournalStore, NewEntry, OutboxCounts, OutboxRow, Outgoing, Queued, Received,
    Settlement, StoreError,
};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const SELECT: &str =
    "SELECT seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash FROM journal";

/// A node's SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One process owns the file; appends are serialised here so the chain never forks.
    append_lock: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens or creates the file at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An acknowledged append survives a crash of the process or the machine.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(SqliteStore {
            pool,
            append_lock: Arc::new(Mutex::new(())),
        })
    }

    /// Up to `limit` rows after `seq`, in order.
    pub(crate) async fn rows_after(&self, seq: i64, limit: i64) -> Result<Vec<Row>, StoreError> {
        Ok(
            sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE seq > ? ORDER BY seq LIMIT ?"))
                .bind(seq)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The pool, for tests that must reach under the API (e.g. to tamper with a row).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl JournalStore for SqliteStore {
    async fn append(&self, entry: NewEntry) -> Result<Entry, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let row = append_in(&mut tx, &entry).await?;
        tx.commit().await?;
        row.into_entry()
    }

    async fn receive(&self, incoming: Incoming, entry: NewEntry) -> Result<Received, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let seen: Option<(String,)> = sqlx::query_as("SELECT sha256 FROM inbox WHERE message_id = ?")
            .bind(&incoming.message_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((sha256,)) = seen {
            return Ok(if sha256 == incoming.sha256 {
                Received::Duplicate
            } else {
                Received::Conflict
            });
        }
        let row = append_in(&mut tx, &entry).await?;
        sqlx::query("INSERT INTO inbox (message_id, from_node, received_at, sha256, bytes, signature, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&incoming.message_id)
            .bind(&incoming.from_node)
            .bind(incoming.received_at.to_string())
            .bind(&incoming.sha256)
            .bind(&incoming.bytes)
            .bind(&incoming.signature)
            .bind(row.seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Received::New(Box::new(row.into_entry()?)))
    }

    async fn entries(&self, from: i64, to: i64) -> Result<Vec<Entry>, StoreError> {
        sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE seq BETWEEN ? AND ? ORDER BY seq"))
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(Row::into_entry)
            .collect()
    }

    async fn head(&self) -> Result<(i64, String), StoreError> {
        let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(last.unwrap_or((0, GENESIS.to_owned())))
    }

    async fn enqueue(&self, message: Outgoing, entry: NewEntry) -> Result<Entry, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.pool.begin().await?;
        let row = append_in(&mut tx, &entry).await?;
        sqlx::query(
            "INSERT INTO outbox (message_id, to_node, bytes, signature, sha256, queued_at, next_attempt_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&message.message_id)
        .bind(&message.to_node)
        .bind(&message.bytes)
        .bind(&message.signature)
        .bind(&message.sha256)
        .bind(message.queued_at.to_string())
        .bind(message.queued_at.as_millisecond())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        row.into_entry()
    }

    async fn due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<Queued>, StoreError> {
        sqlx::query_as::<_, OutboxRow>(
            "SELECT message_id, to_node, bytes, signature, sha256, queued_at, CAST(attempts AS BIGINT) AS attempts FROM outbox
             WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, message_id LIMIT ?",
        )
        .bind(now.as_millisecond())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(OutboxRow::into_queued)
        .collect()
    }

    async fn settle(&self, message_id: &str, outcome: Settlement, at: jiff::Timestamp) -> Result<(), StoreError> {
        let (state, next_ms, error, settled_at) = settlement_columns(&outcome, at);
        sqlx::query(
            "UPDATE outbox SET state = ?, attempts = attempts + 1,
                 next_attempt_ms = COALESCE(?, next_attempt_ms), last_error = ?, settled_at = ?
             WHERE message_id = ?",
        )
        .bind(state)
        .bind(next_ms)
        .bind(error)
        .bind(settled_at)
        .bind(message_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, CAST(COUNT(*) AS BIGINT) FROM outbox GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        let mut counts = OutboxCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                "pending" => counts.pending = n,
                "delivered" => counts.delivered = n,
                _ => counts.refused += n,
            }
        }
        Ok(counts)
    }
}

/// Appends inside the caller's transaction (the caller serialises appends).
async fn append_in(conn: &mut sqlx::SqliteConnection, entry: &NewEntry) -> Result<Row, StoreError> {
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let row = Row::chained(seq, &prev, entry);
    sqlx::query(
        "INSERT INTO journal (seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(row.seq)
    .bind(&row.at)
    .bind(&row.operation)
    .bind(&row.actor)
    .bind(&row.justification)
    .bind(&row.recipient)
    .bind(&row.message_id)
    .bind(&row.case_id)
    .bind(&row.details)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    Ok(row)
}
