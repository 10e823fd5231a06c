//! The PostgreSQL backend, for several replicas of a node sharing one database.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::journal::{Row, GENESIS};
use crate::{
    settlement_columns, Entry, Incoming, JournalStore, NewEntry, OutboxCounts, OutboxRow, Outgoing, Queued, Received,
    Settlement, StoreError,
};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const SELECT: &str =
    "SELECT seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash FROM journal";

/// Replicas serialise journal appends on this advisory lock, so the chain never forks.
const JOURNAL_LOCK: i64 = 0x6772_656e_735f_6a6c; // "grens_jl"

/// A node's PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` and runs the migrations; with `schema`, everything lives in that
    /// schema (created if missing) — one per node or per test.
    pub async fn open(url: &str, schema: Option<&str>) -> Result<PostgresStore, StoreError> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(schema) = schema {
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema.replace('"', "")))
                .execute(&admin)
                .await?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATIONS.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Up to `limit` rows after `seq`, in order.
    pub(crate) async fn rows_after(&self, seq: i64, limit: i64) -> Result<Vec<Row>, StoreError> {
        Ok(
            sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(seq)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The pool, for tests that must reach under the API.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl JournalStore for PostgresStore {
    async fn append(&self, entry: NewEntry) -> Result<Entry, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = append_in(&mut tx, &entry).await?;
        tx.commit().await?;
        row.into_entry()
    }

    async fn receive(&self, incoming: Incoming, entry: NewEntry) -> Result<Received, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Taken first, so two replicas receiving the same id cannot both insert it.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(JOURNAL_LOCK)
            .execute(&mut *tx)
            .await?;
        let seen: Option<(String,)> = sqlx::query_as("SELECT sha256 FROM inbox WHERE message_id = $1")
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
        sqlx::query(
            "INSERT INTO inbox (message_id, from_node, received_at, sha256, bytes, signature, journal_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
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
        sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE seq BETWEEN $1 AND $2 ORDER BY seq"))
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
        let mut tx = self.pool.begin().await?;
        let row = append_in(&mut tx, &entry).await?;
        sqlx::query(
            "INSERT INTO outbox (message_id, to_node, bytes, signature, sha256, queued_at, next_attempt_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
             WHERE state = 'pending' AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, message_id LIMIT $2",
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
            "UPDATE outbox SET state = $1, attempts = attempts + 1,
                 next_attempt_ms = COALESCE($2, next_attempt_ms), last_error = $3, settled_at = $4
             WHERE message_id = $5",
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

/// Appends inside the caller's transaction, serialised across replicas by the advisory lock.
async fn append_in(conn: &mut sqlx::PgConnection, entry: &NewEntry) -> Result<Row, StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(JOURNAL_LOCK)
        .execute(&mut *conn)
        .await?;
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let row = Row::chained(seq, &prev, entry);
    sqlx::query(
        "INSERT INTO journal (seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
