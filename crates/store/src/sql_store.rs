//! The one implementation of [`crate::JournalStore`] over SQL, generated for each backend.
//!
//! The backends differ only in their pool type and in how appends are serialised (each provides
//! `begin_append`); the SQL uses `$n` placeholders, which SQLite and PostgreSQL both accept.

/// Journal columns in table order.
pub(crate) const SELECT_JOURNAL: &str =
    "SELECT seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash FROM journal";
pub(crate) const LAST_ENTRY: &str = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1";
pub(crate) const INSERT_JOURNAL: &str =
    "INSERT INTO journal (seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
/// Claims due messages: their next attempt moves to the end of a lease (`$3`), so another
/// delivery worker (a replica, or this one's next round) leaves them alone until the attempt
/// is settled or the lease runs out. `{lock}` is `FOR UPDATE SKIP LOCKED` on PostgreSQL, where
/// replicas claim concurrently; SQLite has one writer and needs none.
pub(crate) const CLAIM_DUE_OUTBOX: &str = "UPDATE outbox SET next_attempt_ms = $3 WHERE message_id IN (
       SELECT message_id FROM outbox WHERE state = 'pending' AND next_attempt_ms <= $1
       ORDER BY next_attempt_ms, message_id LIMIT $2 {lock})
     RETURNING message_id, to_node, bytes, signature, sha256, queued_at, CAST(attempts AS BIGINT) AS attempts,
       case_id, in_reply_to, kind";
/// How long a claimed message is left to the worker that claimed it.
pub(crate) const CLAIM_LEASE_MS: i64 = 30_000;
pub(crate) const SELECT_USER: &str =
    "SELECT username, display_name, party, unit, region, roles, language, password_hash, created_at FROM users";
pub(crate) const SETTLE_OUTBOX: &str = "UPDATE outbox SET state = $1, attempts = attempts + 1,
         next_attempt_ms = COALESCE($2, next_attempt_ms), last_error = $3, settled_at = $4
     WHERE message_id = $5";
/// [`SETTLE_OUTBOX`] for several messages at once, after `WITH settled (…) AS (VALUES …)`.
pub(crate) const SETTLE_OUTBOX_FROM: &str = ") UPDATE outbox SET state = settled.state, attempts = outbox.attempts + 1,
         next_attempt_ms = COALESCE(settled.next_ms, outbox.next_attempt_ms), last_error = settled.error,
         settled_at = settled.settled_at
     FROM settled WHERE outbox.message_id = settled.message_id";
pub(crate) const COUNT_OUTBOX: &str = "SELECT state, CAST(COUNT(*) AS BIGINT) FROM outbox GROUP BY state";

pub(crate) use crate::query::{journal_count_sql, journal_search_sql, Bind};

pub(crate) fn record_of(row: (String, String, String, String, String)) -> Result<crate::Record, crate::StoreError> {
    let (kind, key, value, updated_by, updated_at) = row;
    Ok(crate::Record {
        value: serde_json::from_str(&value).map_err(|e| crate::StoreError::Corrupt {
            seq: 0,
            problem: format!("registry {kind}/{key}: {e}"),
        })?,
        updated_at: updated_at.parse().map_err(|e| crate::StoreError::Corrupt {
            seq: 0,
            problem: format!("registry {kind}/{key} time: {e}"),
        })?,
        kind,
        key,
        updated_by,
    })
}

/// Implements `JournalStore` and the shared helpers for `$store`, whose pool connections are
/// `$conn`. `$store` must have a `pool` field and an inherent
/// `async fn begin_append(&self) -> Result<(guard, Transaction), StoreError>` that returns a
/// transaction in which appends are serialised.
macro_rules! sql_journal_store {
    ($store:ty, $conn:ty, $db:ty, $claim_lock:expr) => {
        /// Inserts chained journal rows in one statement.
        async fn insert_rows(conn: &mut $conn, rows: &[$crate::journal::Row]) -> Result<(), $crate::StoreError> {
            if rows.is_empty() {
                return Ok(());
            }
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO journal (seq, at, operation, actor, justification, recipient, message_id, case_id, details, prev_hash, hash) ",
            );
            qb.push_values(rows.iter(), |mut b, row| {
                b.push_bind(row.seq)
                    .push_bind(row.at.clone())
                    .push_bind(row.operation.clone())
                    .push_bind(row.actor.clone())
                    .push_bind(row.justification.clone())
                    .push_bind(row.recipient.clone())
                    .push_bind(row.message_id.clone())
                    .push_bind(row.case_id.clone())
                    .push_bind(row.details.clone())
                    .push_bind(row.prev_hash.clone())
                    .push_bind(row.hash.clone());
            });
            qb.build().execute(&mut *conn).await?;
            Ok(())
        }

        /// Chains `entries` after the current head.
        async fn chain_after_head(
            conn: &mut $conn,
            entries: &[&$crate::NewEntry],
        ) -> Result<Vec<$crate::journal::Row>, $crate::StoreError> {
            let last: Option<(i64, String)> = sqlx::query_as($crate::sql_store::LAST_ENTRY)
                .fetch_optional(&mut *conn)
                .await?;
            let (mut seq, mut prev) = last.unwrap_or((0, $crate::GENESIS.to_owned()));
            let mut rows = Vec::with_capacity(entries.len());
            for entry in entries {
                seq += 1;
                let row = $crate::journal::Row::chained(seq, &prev, entry);
                prev = row.hash.clone();
                rows.push(row);
            }
            Ok(rows)
        }

        $crate::batch_store::sql_batch_store!($store, $conn, $db);

        /// Inserts a registry record inside the caller's transaction.
        async fn insert_record(conn: &mut $conn, record: &$crate::Record) -> Result<(), $crate::StoreError> {
            sqlx::query("INSERT INTO registry (kind, key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&record.kind)
                .bind(&record.key)
                .bind(record.value.to_string())
                .bind(&record.updated_by)
                .bind(record.updated_at.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(())
        }

        /// Appends inside the caller's serialised transaction.
        async fn append_in(
            conn: &mut $conn,
            entry: &$crate::NewEntry,
        ) -> Result<$crate::journal::Row, $crate::StoreError> {
            let last: Option<(i64, String)> = sqlx::query_as($crate::sql_store::LAST_ENTRY)
                .fetch_optional(&mut *conn)
                .await?;
            let (seq, prev) = last.map_or((1, $crate::GENESIS.to_owned()), |(s, h)| (s + 1, h));
            let row = $crate::journal::Row::chained(seq, &prev, entry);
            sqlx::query($crate::sql_store::INSERT_JOURNAL)
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

        impl $store {
            /// Up to `limit` rows after `seq`, in order.
            pub(crate) async fn rows_after(
                &self,
                seq: i64,
                limit: i64,
            ) -> Result<Vec<$crate::journal::Row>, $crate::StoreError> {
                let sql = format!(
                    "{} WHERE seq > $1 ORDER BY seq LIMIT $2",
                    $crate::sql_store::SELECT_JOURNAL
                );
                Ok(sqlx::query_as::<_, $crate::journal::Row>(&sql)
                    .bind(seq)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
            }
        }

        impl $crate::JournalStore for $store {
            async fn append(&self, entry: $crate::NewEntry) -> Result<$crate::Entry, $crate::StoreError> {
                let (_guard, mut tx) = self.begin_append().await?;
                let row = append_in(&mut tx, &entry).await?;
                tx.commit().await?;
                row.into_entry()
            }

            async fn entries(&self, from: i64, to: i64) -> Result<Vec<$crate::Entry>, $crate::StoreError> {
                let sql = format!(
                    "{} WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
                    $crate::sql_store::SELECT_JOURNAL
                );
                sqlx::query_as::<_, $crate::journal::Row>(&sql)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::journal::Row::into_entry)
                    .collect()
            }

            async fn head(&self) -> Result<(i64, String), $crate::StoreError> {
                let last: Option<(i64, String)> = sqlx::query_as($crate::sql_store::LAST_ENTRY)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(last.unwrap_or((0, $crate::GENESIS.to_owned())))
            }

            async fn receive(
                &self,
                incoming: $crate::Incoming,
                entry: $crate::NewEntry,
            ) -> Result<$crate::Received, $crate::StoreError> {
                if let Some(batch) = &self.batch {
                    return match batch.submit($crate::group_commit::Write::Receive(incoming, entry)).await? {
                        $crate::group_commit::Written::Received(received) => Ok(received),
                        _ => Err($crate::StoreError::Batch("a receipt answered as another write".into())),
                    };
                }
                self.receive_many(vec![(incoming, entry)])
                    .await?
                    .pop()
                    .ok_or_else(|| $crate::StoreError::Batch("no result".into()))
            }

            async fn enqueue(
                &self,
                message: $crate::Outgoing,
                entry: $crate::NewEntry,
            ) -> Result<$crate::Entry, $crate::StoreError> {
                let next = message.queued_at;
                self.enqueue_claimed(message, entry, next).await
            }

            async fn enqueue_claimed(
                &self,
                message: $crate::Outgoing,
                entry: $crate::NewEntry,
                lease_until: jiff::Timestamp,
            ) -> Result<$crate::Entry, $crate::StoreError> {
                if let Some(batch) = &self.batch {
                    return match batch
                        .submit($crate::group_commit::Write::Enqueue(message, entry, lease_until))
                        .await?
                    {
                        $crate::group_commit::Written::Queued(entry) => Ok(*entry),
                        _ => Err($crate::StoreError::Batch("a queued message answered as another write".into())),
                    };
                }
                self.enqueue_many(vec![(message, entry, lease_until)])
                    .await?
                    .pop()
                    .ok_or_else(|| $crate::StoreError::Batch("no result".into()))
            }

            async fn due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<$crate::Queued>, $crate::StoreError> {
                let sql = $crate::sql_store::CLAIM_DUE_OUTBOX.replace("{lock}", $claim_lock);
                let mut claimed = sqlx::query_as::<_, $crate::OutboxRow>(&sql)
                    .bind(now.as_millisecond())
                    .bind(limit)
                    .bind(now.as_millisecond() + $crate::sql_store::CLAIM_LEASE_MS)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::OutboxRow::into_queued)
                    .collect::<Result<Vec<_>, _>>()?;
                // RETURNING has no order; UUIDv7 ids sort by creation time.
                claimed.sort_by(|a, b| a.message.message_id.cmp(&b.message.message_id));
                Ok(claimed)
            }

            async fn settle(
                &self,
                message_id: &str,
                outcome: $crate::Settlement,
                at: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                if let Some(batch) = &self.batch {
                    batch
                        .submit($crate::group_commit::Write::Settle(message_id.to_owned(), outcome, at))
                        .await?;
                    return Ok(());
                }
                self.settle_many(vec![(message_id.to_owned(), outcome, at)]).await?;
                Ok(())
            }

            async fn outbox_counts(&self) -> Result<$crate::OutboxCounts, $crate::StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as($crate::sql_store::COUNT_OUTBOX)
                    .fetch_all(&self.pool)
                    .await?;
                let mut counts = $crate::OutboxCounts::default();
                for (state, n) in rows {
                    match state.as_str() {
                        "pending" => counts.pending = n,
                        "delivered" => counts.delivered = n,
                        _ => counts.refused += n,
                    }
                }
                Ok(counts)
            }

            async fn messages(
                &self,
                query: $crate::MessageQuery,
            ) -> Result<Vec<$crate::StoredMessage>, $crate::StoreError> {
                let (sql, params) = $crate::message_query_sql(&query);
                let mut q = sqlx::query_as::<_, $crate::MessageRow>(&sql);
                for p in params {
                    q = q.bind(p);
                }
                q.fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::MessageRow::into_message)
                    .collect()
            }

            async fn put_user(&self, user: $crate::User) -> Result<(), $crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM sessions WHERE username = $1")
                    .bind(&user.username)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM users WHERE username = $1")
                    .bind(&user.username)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO users (username, display_name, party, unit, region, roles, language, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&user.username)
                .bind(&user.display_name)
                .bind(&user.party)
                .bind(&user.unit)
                .bind(&user.region)
                .bind(user.roles.join(","))
                .bind(&user.language)
                .bind(&user.password_hash)
                .bind(user.created_at.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn user(&self, username: &str) -> Result<Option<$crate::User>, $crate::StoreError> {
                let sql = format!("{} WHERE username = $1", $crate::sql_store::SELECT_USER);
                sqlx::query_as::<_, $crate::UserRow>(&sql)
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::UserRow::into_user)
                    .transpose()
            }

            async fn users(&self) -> Result<Vec<$crate::User>, $crate::StoreError> {
                let sql = format!("{} ORDER BY username", $crate::sql_store::SELECT_USER);
                sqlx::query_as::<_, $crate::UserRow>(&sql)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::UserRow::into_user)
                    .collect()
            }

            async fn put_session(
                &self,
                token_sha256: &str,
                username: &str,
                expires: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query("INSERT INTO sessions (token_sha256, username, expires_ms) VALUES ($1, $2, $3)")
                    .bind(token_sha256)
                    .bind(username)
                    .bind(expires.as_millisecond())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_user(
                &self,
                token_sha256: &str,
                now: jiff::Timestamp,
            ) -> Result<Option<$crate::User>, $crate::StoreError> {
                let sql = format!(
                    "{} WHERE username = (SELECT username FROM sessions WHERE token_sha256 = $1 AND expires_ms > $2)",
                    $crate::sql_store::SELECT_USER
                );
                sqlx::query_as::<_, $crate::UserRow>(&sql)
                    .bind(token_sha256)
                    .bind(now.as_millisecond())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::UserRow::into_user)
                    .transpose()
            }

            async fn delete_session(&self, token_sha256: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
                    .bind(token_sha256)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn journal_search(
                &self,
                query: $crate::JournalQuery,
            ) -> Result<Vec<$crate::Entry>, $crate::StoreError> {
                let (sql, binds) = $crate::sql_store::journal_search_sql(&query);
                let mut q = sqlx::query_as::<_, $crate::journal::Row>(&sql);
                for b in binds {
                    q = match b {
                        $crate::sql_store::Bind::Text(t) => q.bind(t),
                        $crate::sql_store::Bind::Int(i) => q.bind(i),
                    };
                }
                q.fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::journal::Row::into_entry)
                    .collect()
            }

            async fn journal_count(&self, query: $crate::JournalQuery) -> Result<i64, $crate::StoreError> {
                let (sql, binds) = $crate::sql_store::journal_count_sql(&query);
                let mut q = sqlx::query_scalar::<_, i64>(&sql);
                for b in binds {
                    q = match b {
                        $crate::sql_store::Bind::Text(t) => q.bind(t),
                        $crate::sql_store::Bind::Int(i) => q.bind(i),
                    };
                }
                Ok(q.fetch_one(&self.pool).await?)
            }

            async fn put_record(&self, record: $crate::Record) -> Result<(), $crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM registry WHERE kind = $1 AND key = $2")
                    .bind(&record.kind)
                    .bind(&record.key)
                    .execute(&mut *tx)
                    .await?;
                insert_record(&mut tx, &record).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn records(&self, kind: &str) -> Result<Vec<$crate::Record>, $crate::StoreError> {
                let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
                    "SELECT kind, key, value, updated_by, updated_at FROM registry WHERE kind = $1 ORDER BY key",
                )
                .bind(kind)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map($crate::sql_store::record_of).collect()
            }

            async fn record(&self, kind: &str, key: &str) -> Result<Option<$crate::Record>, $crate::StoreError> {
                let row: Option<(String, String, String, String, String)> = sqlx::query_as(
                    "SELECT kind, key, value, updated_by, updated_at FROM registry WHERE kind = $1 AND key = $2",
                )
                .bind(kind)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::sql_store::record_of).transpose()
            }

            async fn delete_record(&self, kind: &str, key: &str) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM registry WHERE kind = $1 AND key = $2")
                    .bind(kind)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn put_record_once(
                &self,
                record: $crate::Record,
                entry: $crate::NewEntry,
            ) -> Result<bool, $crate::StoreError> {
                // The append lock first: the check below then sees every racing caller's commit.
                let (_guard, mut tx) = self.begin_append().await?;
                let there: Option<(String,)> = sqlx::query_as("SELECT key FROM registry WHERE kind = $1 AND key = $2")
                    .bind(&record.kind)
                    .bind(&record.key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if there.is_some() {
                    return Ok(false);
                }
                insert_record(&mut tx, &record).await?;
                append_in(&mut tx, &entry).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn claim_lease(
                &self,
                name: &str,
                holder: &str,
                now: jiff::Timestamp,
                until: jiff::Timestamp,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO leases (name, holder, expires_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms \
                     WHERE leases.holder = excluded.holder OR leases.expires_ms < $4",
                )
                .bind(name)
                .bind(holder)
                .bind(until.as_millisecond())
                .bind(now.as_millisecond())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use sql_journal_store;
