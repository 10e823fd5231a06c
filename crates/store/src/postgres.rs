//! The PostgreSQL backend, for several replicas of a node sharing one database.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::StoreError;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Replicas serialise journal appends on this advisory lock, so the chain never forks.
const JOURNAL_LOCK: i64 = 0x6772_656e_735f_6a6c; // "grens_jl"

/// A node's PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Group commit of receives, queued messages and settlements (absent in the writer itself).
    batch: Option<std::sync::Arc<crate::group_commit::Writer>>,
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
        Ok(PostgresStore { pool, batch: None }.with_group_commit())
    }

    /// The pool, for tests that must reach under the API.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction holding the journal's advisory lock until it ends (all replicas).
    async fn begin_append(&self) -> Result<((), Transaction<'static, Postgres>), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(JOURNAL_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(((), tx))
    }
}

crate::sql_store::sql_journal_store!(
    PostgresStore,
    sqlx::PgConnection,
    sqlx::Postgres,
    "FOR UPDATE SKIP LOCKED"
);
crate::case_store::sql_case_store!(
    PostgresStore,
    sqlx::PgConnection,
    sqlx::Postgres,
    "VACUUM FULL inbox; VACUUM FULL outbox; VACUUM FULL cases; VACUUM FULL case_keys; VACUUM FULL case_key_lists; VACUUM FULL case_feed"
);
crate::case_feed::sql_case_feed!(PostgresStore, sqlx::PgConnection, sqlx::Postgres);
