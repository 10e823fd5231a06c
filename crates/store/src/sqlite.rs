//! The embedded backend: one SQLite file per node, WAL mode, full sync.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::StoreError;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A node's SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection appends go through. SQLite drops a connection's page cache whenever
    /// another connection wrote since its last transaction; with every append on this one, its
    /// cache stays warm from one batch to the next and the appends do not re-read the journal's,
    /// the inbox's and the case views' index pages each time.
    writer: SqlitePool,
    /// One process owns the file; appends are serialised here so the chain never forks.
    append_lock: Arc<Mutex<()>>,
    /// Group commit of receives, queued messages and settlements (absent in the writer itself).
    batch: Option<Arc<crate::group_commit::Writer>>,
}

/// Copies the write-ahead log back into the database every half second, off the request path
/// (SQLite would otherwise do it inside whichever commit crosses 1,000 pages, and that request
/// would wait for it). Runs as long as the pool is open, on the runtime that opened the store.
fn checkpoint_in_background(pool: SqlitePool) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            // A busy database is checkpointed at the next tick; PASSIVE never blocks a writer.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
        }
    });
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
            .foreign_keys(true)
            // Erased data are overwritten, not only unlinked (Directive 2016/680 Art. 16).
            .pragma("secure_delete", "on")
            // 16 MB of page cache per connection (the default is 2 MB): the case list's indexes
            // stay in memory at national volume.
            .pragma("cache_size", "-16384")
            // Statement journals (a multi-row insert inside a group commit keeps one, to undo
            // that statement alone) in memory: on disk each was a temporary file created,
            // written and closed per statement, a fifth of the writer's time.
            .pragma("temp_store", "memory")
            // Checkpoints run in the background (below), never in a request's commit.
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        MIGRATIONS.run(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        checkpoint_in_background(pool.clone());
        Ok(SqliteStore {
            pool,
            writer,
            append_lock: Arc::new(Mutex::new(())),
            batch: None,
        }
        .with_group_commit())
    }

    /// The pool, for tests that must reach under the API (e.g. to tamper with a row).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction in which this process alone appends, held until the guard drops.
    async fn begin_append(&self) -> Result<(OwnedMutexGuard<()>, Transaction<'static, Sqlite>), StoreError> {
        let guard = self.append_lock.clone().lock_owned().await;
        // IMMEDIATE: the write lock is taken at BEGIN. A deferred transaction that reads the
        // head and then writes fails at once (SQLITE_BUSY, no waiting) when another write —
        // an outbox settlement, a session — committed in between.
        Ok((guard, self.writer.begin_with("BEGIN IMMEDIATE").await?))
    }
}

crate::sql_store::sql_journal_store!(SqliteStore, sqlx::SqliteConnection, sqlx::Sqlite, "");
crate::case_store::sql_case_store!(
    SqliteStore,
    sqlx::SqliteConnection,
    sqlx::Sqlite,
    "PRAGMA wal_checkpoint(TRUNCATE)"
);
crate::case_feed::sql_case_feed!(SqliteStore, sqlx::SqliteConnection, sqlx::Sqlite);
