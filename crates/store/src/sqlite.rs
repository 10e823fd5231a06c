//! The embedded backend: one SQLite file per node, WAL mode, full sync.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::journal::{Row, GENESIS};
use crate::{Entry, Incoming, JournalStore, NewEntry, Received, StoreError};

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

    pub(crate) async fn all_rows(&self) -> Result<Vec<Row>, StoreError> {
        Ok(sqlx::query_as::<_, Row>(&format!("{SELECT} ORDER BY seq"))
            .fetch_all(&self.pool)
            .await?)
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
