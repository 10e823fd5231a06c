//! The batched writes of [`crate::JournalStore`] over SQL (group commit of received messages,
//! queued messages and settlements, and bulk loads), generated for each backend inside
//! [`crate::sql_store::sql_journal_store`], whose helpers (`chain_after_head`, `insert_rows`,
//! `feed_cases`) they use.

/// Implements the batched writes for `$store`.
macro_rules! sql_batch_store {
    ($store:ty, $conn:ty, $db:ty) => {
        /// Stores incoming messages, once per id, with their journal entries and case facts
        /// (the feed), inside `conn`'s transaction; answers each in order, and says how many
        /// case facts it fed.
        async fn receive_in(
            conn: &mut $conn,
            items: &[($crate::Incoming, $crate::NewEntry)],
        ) -> Result<(Vec<$crate::Received>, usize), $crate::StoreError> {
            if items.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT message_id, sha256 FROM inbox WHERE message_id IN (");
            let mut ids = qb.separated(", ");
            for (incoming, _) in items {
                ids.push_bind(incoming.message_id.clone());
            }
            ids.push_unseparated(")");
            let mut seen: std::collections::HashMap<String, String> =
                qb.build_query_as::<(String, String)>().fetch_all(&mut *conn).await?.into_iter().collect();
            enum Outcome {
                Known($crate::Received),
                New(usize),
            }
            let mut outcomes = Vec::with_capacity(items.len());
            let mut fresh = Vec::new();
            for (incoming, entry) in items {
                match seen.get(&incoming.message_id) {
                    Some(sha256) if *sha256 == incoming.sha256 => outcomes.push(Outcome::Known($crate::Received::Duplicate)),
                    Some(_) => outcomes.push(Outcome::Known($crate::Received::Conflict)),
                    None => {
                        seen.insert(incoming.message_id.clone(), incoming.sha256.clone());
                        outcomes.push(Outcome::New(fresh.len()));
                        fresh.push((incoming, entry));
                    }
                }
            }
            let entries: Vec<&$crate::NewEntry> = fresh.iter().map(|(_, e)| *e).collect();
            let rows = chain_after_head(&mut *conn, &entries).await?;
            insert_rows(&mut *conn, &rows).await?;
            if !fresh.is_empty() {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO inbox (message_id, from_node, received_at, sha256, bytes, signature, journal_seq, case_id, in_reply_to, kind) ",
                );
                qb.push_values(fresh.iter().zip(&rows), |mut b, ((incoming, _), row)| {
                    b.push_bind(incoming.message_id.clone())
                        .push_bind(incoming.from_node.clone())
                        .push_bind(incoming.received_at.to_string())
                        .push_bind(incoming.sha256.clone())
                        .push_bind(incoming.bytes.clone())
                        .push_bind(incoming.signature.clone())
                        .push_bind(row.seq)
                        .push_bind(incoming.meta.case_id.clone())
                        .push_bind(incoming.meta.in_reply_to.clone())
                        .push_bind(incoming.meta.kind.clone());
                });
                qb.build().execute(&mut *conn).await?;
            }
            let cases: Vec<_> = fresh
                .iter()
                .map(|(incoming, _)| (&incoming.meta, $crate::Direction::Incoming, incoming.received_at))
                .collect();
            let fed = feed_cases(&mut *conn, &cases).await?;
            let mut taken: Vec<Option<$crate::Entry>> = rows
                .into_iter()
                .map(|row| row.into_entry().map(Some))
                .collect::<Result<_, _>>()?;
            let received = outcomes
                .into_iter()
                .map(|o| match o {
                    Outcome::Known(r) => r,
                    Outcome::New(i) => match taken.get_mut(i).and_then(Option::take) {
                        Some(e) => $crate::Received::New(Box::new(e)),
                        None => $crate::Received::Duplicate,
                    },
                })
                .collect();
            Ok((received, fed))
        }

        /// Queues messages (each claimed until its lease) with their journal entries and case
        /// facts, inside `conn`'s transaction; says how many case facts it fed.
        async fn enqueue_in(
            conn: &mut $conn,
            items: &[($crate::Outgoing, $crate::NewEntry, jiff::Timestamp)],
        ) -> Result<(Vec<$crate::Entry>, usize), $crate::StoreError> {
            if items.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let entries: Vec<&$crate::NewEntry> = items.iter().map(|(_, e, _)| e).collect();
            let rows = chain_after_head(&mut *conn, &entries).await?;
            insert_rows(&mut *conn, &rows).await?;
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO outbox (message_id, to_node, bytes, signature, sha256, queued_at, next_attempt_ms, case_id, in_reply_to, kind) ",
            );
            qb.push_values(items.iter(), |mut b, (message, _, lease_until)| {
                b.push_bind(message.message_id.clone())
                    .push_bind(message.to_node.clone())
                    .push_bind(message.bytes.clone())
                    .push_bind(message.signature.clone())
                    .push_bind(message.sha256.clone())
                    .push_bind(message.queued_at.to_string())
                    .push_bind(lease_until.as_millisecond())
                    .push_bind(message.meta.case_id.clone())
                    .push_bind(message.meta.in_reply_to.clone())
                    .push_bind(message.meta.kind.clone());
            });
            qb.build().execute(&mut *conn).await?;
            for (message, _, _) in items {
                if let (Some(original), true) = (
                    message.meta.in_reply_to.as_deref(),
                    $crate::ANSWER_KINDS.contains(&message.meta.kind.as_str()),
                ) {
                    sqlx::query("UPDATE inbox SET replied = 1 WHERE message_id = $1")
                        .bind(original)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            let cases: Vec<_> = items
                .iter()
                .map(|(message, _, _)| (&message.meta, $crate::Direction::Outgoing, message.queued_at))
                .collect();
            let fed = feed_cases(&mut *conn, &cases).await?;
            let queued = rows.into_iter().map($crate::journal::Row::into_entry).collect::<Result<_, _>>()?;
            Ok((queued, fed))
        }

        /// Records how delivery attempts ended, inside `conn`'s transaction: one statement for
        /// the batch (each statement is a round trip to the database, which the group commit
        /// holds the writer through), or one per attempt when a message was settled twice in
        /// the batch, so that each attempt is counted.
        async fn settle_in(
            conn: &mut $conn,
            items: &[(String, $crate::Settlement, jiff::Timestamp)],
        ) -> Result<(), $crate::StoreError> {
            let ids: std::collections::HashSet<&str> = items.iter().map(|(id, _, _)| id.as_str()).collect();
            if items.len() > 1 && ids.len() == items.len() {
                for chunk in items.chunks($crate::cases::ROWS_PER_STATEMENT) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "WITH settled (state, next_ms, error, settled_at, message_id) AS (",
                    );
                    qb.push_values(chunk.iter(), |mut b, (message_id, outcome, at)| {
                        let (state, next_ms, error, settled_at) = $crate::settlement_columns(outcome, *at);
                        b.push_bind(state)
                            .push_bind(next_ms)
                            .push_bind(error)
                            .push_bind(settled_at)
                            .push_bind(message_id.clone());
                    });
                    qb.push($crate::sql_store::SETTLE_OUTBOX_FROM);
                    qb.build().execute(&mut *conn).await?;
                }
                return Ok(());
            }
            for (message_id, outcome, at) in items {
                let (state, next_ms, error, settled_at) = $crate::settlement_columns(outcome, *at);
                sqlx::query($crate::sql_store::SETTLE_OUTBOX)
                    .bind(state)
                    .bind(next_ms)
                    .bind(error)
                    .bind(settled_at)
                    .bind(message_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }

        impl $store {
            /// Starts group commit: incoming messages, queued messages and settlements wait in one
            /// queue and go together in one transaction (on SQLite, one writer's commit and sync
            /// serve them all: an outbox row and its settlement often share their pages). And the
            /// case projector (crate::case_feed), woken by each commit that fed it.
            pub(crate) fn with_group_commit(mut self) -> Self {
                let direct = self.clone();
                let projector = direct.start_projector();
                self.batch = Some($crate::group_commit::Batcher::start(move |items| {
                    let (direct, projector) = (direct.clone(), projector.clone());
                    async move {
                        let (written, fed) = direct.write_many(items).await?;
                        if let (true, Some(wake)) = (fed > 0, &projector) {
                            // Full means already woken: the projector takes this commit too.
                            let _ = wake.try_send(());
                        }
                        Ok(written)
                    }
                }));
                self
            }

            /// Writes a batch of the three kinds in one transaction; answers each in order, and
            /// says how many case facts it fed.
            async fn write_many(
                &self,
                items: Vec<$crate::group_commit::Write>,
            ) -> Result<(Vec<$crate::group_commit::Written>, usize), $crate::StoreError> {
                use $crate::group_commit::{Kind, Write};
                let (mut receives, mut enqueues, mut settles) = (Vec::new(), Vec::new(), Vec::new());
                let mut kinds = Vec::with_capacity(items.len());
                for item in items {
                    kinds.push(match item {
                        Write::Receive(incoming, entry) => {
                            receives.push((incoming, entry));
                            Kind::Receive
                        }
                        Write::Enqueue(message, entry, lease) => {
                            enqueues.push((message, entry, lease));
                            Kind::Enqueue
                        }
                        Write::Settle(id, outcome, at) => {
                            settles.push((id, outcome, at));
                            Kind::Settle
                        }
                    });
                }
                let (_guard, mut tx) = self.begin_append().await?;
                let (received, fed_in) = receive_in(&mut tx, &receives).await?;
                let (queued, fed_out) = enqueue_in(&mut tx, &enqueues).await?;
                settle_in(&mut tx, &settles).await?;
                tx.commit().await?;
                Ok(($crate::group_commit::in_order(received, queued, &kinds)?, fed_in + fed_out))
            }

            /// Stores incoming messages, once per id, with their journal entries, in one transaction.
            pub async fn receive_many(
                &self,
                items: Vec<($crate::Incoming, $crate::NewEntry)>,
            ) -> Result<Vec<$crate::Received>, $crate::StoreError> {
                // Serialised first, so two receivers of the same id cannot both insert it.
                let (_guard, mut tx) = self.begin_append().await?;
                let (received, _) = receive_in(&mut tx, &items).await?;
                tx.commit().await?;
                Ok(received)
            }

            /// Queues messages (each claimed until its lease) with their journal entries, in one transaction.
            pub async fn enqueue_many(
                &self,
                items: Vec<($crate::Outgoing, $crate::NewEntry, jiff::Timestamp)>,
            ) -> Result<Vec<$crate::Entry>, $crate::StoreError> {
                let (_guard, mut tx) = self.begin_append().await?;
                let (queued, _) = enqueue_in(&mut tx, &items).await?;
                tx.commit().await?;
                Ok(queued)
            }

            /// Records how several attempts ended, in one transaction.
            pub async fn settle_many(
                &self,
                items: Vec<(String, $crate::Settlement, jiff::Timestamp)>,
            ) -> Result<Vec<()>, $crate::StoreError> {
                // The writers' lock too: on SQLite a second writer would otherwise meet the
                // first in the busy handler, which sleeps in whole milliseconds.
                let (_guard, mut tx) = self.begin_append().await?;
                settle_in(&mut tx, &items).await?;
                tx.commit().await?;
                Ok(vec![(); items.len()])
            }
        }
    };
}

pub(crate) use sql_batch_store;
