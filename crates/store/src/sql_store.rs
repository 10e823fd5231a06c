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
pub(crate) const INBOX_SEEN: &str = "SELECT sha256 FROM inbox WHERE message_id = $1";
pub(crate) const INSERT_INBOX: &str =
    "INSERT INTO inbox (message_id, from_node, received_at, sha256, bytes, signature, journal_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const INSERT_OUTBOX: &str =
    "INSERT INTO outbox (message_id, to_node, bytes, signature, sha256, queued_at, next_attempt_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const DUE_OUTBOX: &str =
    "SELECT message_id, to_node, bytes, signature, sha256, queued_at, CAST(attempts AS BIGINT) AS attempts FROM outbox
     WHERE state = 'pending' AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, message_id LIMIT $2";
pub(crate) const SETTLE_OUTBOX: &str = "UPDATE outbox SET state = $1, attempts = attempts + 1,
         next_attempt_ms = COALESCE($2, next_attempt_ms), last_error = $3, settled_at = $4
     WHERE message_id = $5";
pub(crate) const COUNT_OUTBOX: &str = "SELECT state, CAST(COUNT(*) AS BIGINT) FROM outbox GROUP BY state";

/// Implements `JournalStore` and the shared helpers for `$store`, whose pool connections are
/// `$conn`. `$store` must have a `pool` field and an inherent
/// `async fn begin_append(&self) -> Result<(guard, Transaction), StoreError>` that returns a
/// transaction in which appends are serialised.
macro_rules! sql_journal_store {
    ($store:ty, $conn:ty) => {
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
                // Serialised first, so two receivers of the same id cannot both insert it.
                let (_guard, mut tx) = self.begin_append().await?;
                let seen: Option<(String,)> = sqlx::query_as($crate::sql_store::INBOX_SEEN)
                    .bind(&incoming.message_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some((sha256,)) = seen {
                    return Ok(if sha256 == incoming.sha256 {
                        $crate::Received::Duplicate
                    } else {
                        $crate::Received::Conflict
                    });
                }
                let row = append_in(&mut tx, &entry).await?;
                sqlx::query($crate::sql_store::INSERT_INBOX)
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
                Ok($crate::Received::New(Box::new(row.into_entry()?)))
            }

            async fn enqueue(
                &self,
                message: $crate::Outgoing,
                entry: $crate::NewEntry,
            ) -> Result<$crate::Entry, $crate::StoreError> {
                let (_guard, mut tx) = self.begin_append().await?;
                let row = append_in(&mut tx, &entry).await?;
                sqlx::query($crate::sql_store::INSERT_OUTBOX)
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

            async fn due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<$crate::Queued>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::OutboxRow>($crate::sql_store::DUE_OUTBOX)
                    .bind(now.as_millisecond())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::OutboxRow::into_queued)
                    .collect()
            }

            async fn settle(
                &self,
                message_id: &str,
                outcome: $crate::Settlement,
                at: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                let (state, next_ms, error, settled_at) = $crate::settlement_columns(&outcome, at);
                sqlx::query($crate::sql_store::SETTLE_OUTBOX)
                    .bind(state)
                    .bind(next_ms)
                    .bind(error)
                    .bind(settled_at)
                    .bind(message_id)
                    .execute(&self.pool)
                    .await?;
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
        }
    };
}

pub(crate) use sql_journal_store;
