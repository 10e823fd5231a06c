//! The case feed: a message's case facts are written in the message's own transaction as one
//! appended row of `case_feed` (one page touched for many messages), and applied to the case
//! views ([`crate::case_store`]'s `apply_cases`) afterwards, in order, in larger transactions of
//! their own. The case row, its keys, the status counts and the Art. 18 statistics touch a dozen
//! B-trees per message; off the message's commit, a partner's delivery is receipted without
//! waiting for them, and one projection writes each touched index page once for dozens of
//! messages.
//!
//! Nothing is lost and nothing is read stale: the feed row commits with the message; a
//! background task applies the feed shortly after each commit that wrote to it (and what a
//! crash left behind, at start); and every read or change of the views first applies what is
//! pending, under the same lock as the appends — so a page shows every message acknowledged
//! before it was asked for, on this replica or another.

use std::time::Duration;

/// How long the projector lets commits accumulate before applying them: one projection then
/// carries the messages of several group commits.
pub(crate) const GATHER: Duration = Duration::from_millis(20);

/// The most feed rows one projection applies (a read that finds a long backlog — after a bulk
/// load — applies it in several transactions, releasing the lock in between).
pub(crate) const ROWS_PER_PROJECTION: i64 = 500;

/// Implements the case feed for `$store`; needs `apply_cases` (`sql_case_store!`) and
/// `begin_append`.
macro_rules! sql_case_feed {
    ($store:ty, $conn:ty, $db:ty) => {
        /// Appends the case facts of stored messages to the feed, inside the messages'
        /// transaction; returns how many rows it wrote (messages outside any case write none).
        async fn feed_cases(
            conn: &mut $conn,
            items: &[(&$crate::MessageMeta, $crate::Direction, jiff::Timestamp)],
        ) -> Result<usize, $crate::StoreError> {
            let mut rows = Vec::new();
            for (meta, direction, at) in items.iter().filter(|(meta, _, _)| meta.case.is_some() && meta.case_id.is_some()) {
                let meta = serde_json::to_string(meta).map_err(|e| $crate::StoreError::Batch(format!("case facts: {e}")))?;
                rows.push((direction.as_str(), at.to_string(), meta));
            }
            for chunk in rows.chunks($crate::cases::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO case_feed (direction, at, meta) ");
                qb.push_values(chunk.iter(), |mut b, (direction, at, meta)| {
                    b.push_bind(*direction).push_bind(at.clone()).push_bind(meta.clone());
                });
                qb.build().execute(&mut *conn).await?;
            }
            Ok(rows.len())
        }

        /// Applies up to `limit` pending feed rows to the case views, in order, and deletes
        /// them, inside the caller's transaction (which holds the append lock); returns how many
        /// it took. A row that no longer reads (it cannot happen short of a hand-edited
        /// database) is logged and dropped rather than blocking every later message's view.
        async fn project_in(conn: &mut $conn, limit: i64) -> Result<usize, $crate::StoreError> {
            let rows: Vec<(i64, String, String, String)> =
                sqlx::query_as("SELECT seq, direction, at, meta FROM case_feed ORDER BY seq LIMIT $1")
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
            let Some(last) = rows.last().map(|r| r.0) else {
                return Ok(0);
            };
            let mut items = Vec::with_capacity(rows.len());
            for (seq, direction, at, meta) in &rows {
                let direction = $crate::Direction::parse(direction);
                match (direction, at.parse::<jiff::Timestamp>(), serde_json::from_str::<$crate::MessageMeta>(meta)) {
                    (Some(direction), Ok(at), Ok(meta)) => items.push((meta, direction, at)),
                    (direction, at, meta) => tracing::error!(
                        seq, ?direction, at = ?at.err(), meta = ?meta.err(),
                        "case feed row unreadable; dropped (`grens store rebuild-views` restores the views)"
                    ),
                }
            }
            let refs: Vec<_> = items.iter().map(|(m, d, t)| (m, *d, *t)).collect();
            apply_cases(&mut *conn, &refs).await?;
            sqlx::query("DELETE FROM case_feed WHERE seq <= $1").bind(last).execute(&mut *conn).await?;
            Ok(rows.len())
        }

        impl $store {
            /// Applies every pending feed row, in transactions of at most
            /// [`crate::case_feed::ROWS_PER_PROJECTION`]; returns how many.
            pub(crate) async fn project_pending(&self) -> Result<usize, $crate::StoreError> {
                let mut total = 0;
                loop {
                    let (_guard, mut tx) = self.begin_append().await?;
                    let n = project_in(&mut tx, $crate::case_feed::ROWS_PER_PROJECTION).await?;
                    tx.commit().await?;
                    total += n;
                    if n < usize::try_from($crate::case_feed::ROWS_PER_PROJECTION).unwrap_or(usize::MAX) {
                        return Ok(total);
                    }
                }
            }

            /// Before a change of the case views (an officer's step, an erasure, a replayed fact):
            /// the append lock and a transaction in which every message stored before the change
            /// is already applied, in its order — the change lands after them, never before.
            async fn begin_case_change(
                &self,
            ) -> Result<(impl Send, sqlx::Transaction<'static, $db>), $crate::StoreError> {
                let (guard, mut tx) = self.begin_append().await?;
                project_in(&mut tx, i64::MAX).await?;
                Ok((guard, tx))
            }

            /// Before a read of the case views: applies what is pending, if anything is (one
            /// indexed read when the feed is empty, without the append lock).
            async fn cases_current(&self) -> Result<(), $crate::StoreError> {
                let pending: Option<i64> = sqlx::query_scalar("SELECT seq FROM case_feed ORDER BY seq LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?;
                if pending.is_some() {
                    self.project_pending().await?;
                }
                Ok(())
            }

            /// Starts the projector: woken through the returned sender after each commit that
            /// fed the views, it lets a few more commits land ([`crate::case_feed::GATHER`]),
            /// then applies everything pending. It ends when the sender is dropped; it starts by
            /// applying what a crash left behind.
            pub(crate) fn start_projector(&self) -> Option<tokio::sync::mpsc::Sender<()>> {
                let runtime = tokio::runtime::Handle::try_current().ok()?;
                let (wake, mut woken) = tokio::sync::mpsc::channel::<()>(1);
                let _ = wake.try_send(());
                let store = self.clone();
                runtime.spawn(async move {
                    while woken.recv().await.is_some() {
                        tokio::time::sleep($crate::case_feed::GATHER).await;
                        while woken.try_recv().is_ok() {}
                        if let Err(e) = store.project_pending().await {
                            // The next commit wakes the projector again; reads apply the feed
                            // themselves meanwhile.
                            tracing::warn!(error = %e, "the case views could not apply the feed");
                        }
                    }
                });
                Some(wake)
            }
        }
    };
}

pub(crate) use sql_case_feed;
