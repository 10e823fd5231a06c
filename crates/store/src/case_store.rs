//! The SQL of [`crate::CaseStore`], generated for each backend beside the journal's.

/// Implements the case views for `$store` (see [`crate::sql_store::sql_journal_store`]).
macro_rules! sql_case_store {
    ($store:ty, $conn:ty, $db:ty, $after_erasure:expr) => {
        $crate::case_keys::sql_case_keys!($conn, $db);

        /// Applies the case facts of stored messages inside the caller's transaction. A batch
        /// (group commit) costs a handful of statements, not a handful per message: the cases
        /// are read at once, changed in memory in message order, and written back together with
        /// their keys, count and statistics deltas — the append lock is held meanwhile.
        async fn apply_cases(
            conn: &mut $conn,
            items: &[(&$crate::MessageMeta, $crate::Direction, jiff::Timestamp)],
        ) -> Result<(), $crate::StoreError> {
            use std::collections::{BTreeMap, HashMap};
            let ids: Vec<&str> = items
                .iter()
                .filter(|(meta, _, _)| meta.case.is_some())
                .filter_map(|(meta, _, _)| meta.case_id.as_deref())
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            let mut stored: HashMap<String, $crate::cases::CaseRow> = HashMap::new();
            for chunk in ids.chunks($crate::cases::ROWS_PER_STATEMENT) {
                stored.extend(read_cases(conn, chunk).await?.into_iter().map(|row| (row.case_id.clone(), row)));
            }
            // The cases as they stand after each message, in message order.
            let mut current: BTreeMap<String, $crate::cases::CaseRow> = BTreeMap::new();
            let mut keys: Vec<(String, String, String)> = Vec::new();
            let mut stats: BTreeMap<$crate::cases::StatKey, i64> = BTreeMap::new();
            for (meta, direction, at) in items {
                let (Some(case_id), Some(facts)) = (meta.case_id.as_deref(), meta.case.as_ref()) else {
                    continue;
                };
                let before = current.get(case_id).or_else(|| stored.get(case_id)).cloned();
                let review = if facts.review_after_ms > 0 { facts.review_after_ms } else { $crate::cases::DEFAULT_FIRST_REVIEW_MS };
                let (row, mut these) =
                    $crate::cases::CaseRow::apply(before.as_ref(), case_id, *direction, &meta.kind, *at, facts, review);
                if let (Some(request_id), $crate::Direction::Outgoing, "provision" | "refusal") =
                    (meta.in_reply_to.as_deref(), *direction, meta.kind.as_str())
                {
                    if let Some(request) = answered_request(conn, request_id, before.as_ref()).await? {
                        these.extend($crate::cases::answer_stats(&request, facts, *at));
                    }
                }
                for stat in these {
                    *stats.entry(stat).or_default() += 1;
                }
                keys.extend(facts.keys.iter().map(|(key, label)| (key.clone(), case_id.to_owned(), label.clone())));
                current.insert(case_id.to_owned(), row);
            }
            // The status counts move by the difference between each case's stored and final state.
            let mut counts: BTreeMap<String, i64> = BTreeMap::new();
            for (case_id, row) in &current {
                let before = stored.get(case_id);
                if before.is_some_and(|b| $crate::cases::count_key(b) == $crate::cases::count_key(row)) {
                    continue;
                }
                if let Some(b) = before {
                    *counts.entry($crate::cases::count_key(b).to_owned()).or_default() -= 1;
                }
                *counts.entry($crate::cases::count_key(row).to_owned()).or_default() += 1;
            }
            let rows: Vec<&$crate::cases::CaseRow> = current.values().collect();
            for chunk in rows.chunks($crate::cases::ROWS_PER_STATEMENT) {
                write_cases(conn, chunk).await?;
            }
            // The keys carry the case's place in the list (the search reads them in that order):
            // a case that moved moves its stored keys, found through its key list.
            let touched: Vec<&str> = current.keys().map(String::as_str).collect();
            let mut lists = read_key_lists(conn, &touched).await?;
            for row in &rows {
                if let (Some(before), Some(list)) = (stored.get(&row.case_id), lists.get(&row.case_id)) {
                    if before.sort_key != row.sort_key {
                        move_keys(conn, &row.case_id, list, &before.sort_key, &row.sort_key).await?;
                    }
                }
            }
            // Keys a case did not have yet: their rows, and the case's longer list.
            // A set per case of what it has, so that a long-lived case's check stays one lookup.
            let mut known: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
            let mut new_keys: Vec<(String, String, String)> = Vec::new();
            let mut grown: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
            for (key, case_id, label) in keys {
                let list = lists.entry(case_id.clone()).or_default();
                let has = known
                    .entry(case_id.clone())
                    .or_insert_with(|| list.iter().map(|(k, _)| k.clone()).collect());
                if !has.insert(key.clone()) {
                    continue;
                }
                list.push((key.clone(), label.clone()));
                grown.insert(case_id.clone());
                new_keys.push((key, case_id, label));
            }
            for chunk in new_keys.chunks($crate::cases::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO case_keys (key, case_id, label, sort_key) ");
                qb.push_values(chunk.iter(), |mut b, (key, case_id, label)| {
                    let sort_key = current.get(case_id).map(|r| r.sort_key.clone()).unwrap_or_default();
                    b.push_bind(key.clone())
                        .push_bind(case_id.clone())
                        .push_bind(label.clone())
                        .push_bind(sort_key);
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&mut *conn).await?;
            }
            let grown: Vec<(&str, &$crate::case_keys::KeyList)> = grown
                .iter()
                .filter_map(|id| lists.get(id).map(|list| (id.as_str(), list)))
                .collect();
            write_key_lists(conn, &grown).await?;
            for (status, delta) in counts.into_iter().filter(|(_, d)| *d != 0) {
                sqlx::query(
                    "INSERT INTO case_counts (status, n) VALUES ($1, $2) ON CONFLICT (status) DO UPDATE SET n = case_counts.n + excluded.n",
                )
                .bind(status)
                .bind(delta)
                .execute(&mut *conn)
                .await?;
            }
            for ((year, metric, party, detail), n) in stats {
                sqlx::query(
                    "INSERT INTO case_stats (year, metric, party, detail, n) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (year, metric, party, detail) DO UPDATE SET n = case_stats.n + excluded.n",
                )
                .bind(year)
                .bind(metric)
                .bind(party)
                .bind(detail)
                .bind(n)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        }

        /// The stored rows of the cases `ids` (those that exist).
        async fn read_cases(conn: &mut $conn, ids: &[&str]) -> Result<Vec<$crate::cases::CaseRow>, $crate::StoreError> {
            let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                "SELECT {} FROM cases WHERE case_id IN (",
                $crate::cases::CASE_COLUMNS
            ));
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.to_string());
            }
            list.push_unseparated(")");
            Ok(qb.build_query_as::<$crate::cases::CaseRow>().fetch_all(&mut *conn).await?)
        }

        /// Inserts or replaces case rows in one statement.
        async fn write_cases(conn: &mut $conn, rows: &[&$crate::cases::CaseRow]) -> Result<(), $crate::StoreError> {
            if rows.is_empty() {
                return Ok(());
            }
            let updates: Vec<String> = $crate::cases::CASE_COLUMNS
                .split(", ")
                .skip(1)
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            let mut qb = sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO cases ({}) ", $crate::cases::CASE_COLUMNS));
            qb.push_values(rows.iter(), |mut b, row| {
                b.push_bind(row.case_id.clone())
                    .push_bind(row.opened_at.clone())
                    .push_bind(row.opened_ms)
                    .push_bind(row.updated_ms)
                    .push_bind(row.opened_by.clone())
                    .push_bind(row.partner.clone())
                    .push_bind(row.partner_node.clone())
                    .push_bind(row.partner_unit.clone())
                    .push_bind(row.channel.clone())
                    .push_bind(row.unit.clone())
                    .push_bind(row.kind.clone())
                    .push_bind(row.article.clone())
                    .push_bind(row.urgent)
                    .push_bind(row.title.clone())
                    .push_bind(row.status.clone())
                    .push_bind(row.assignee.clone())
                    .push_bind(row.deadline_ms)
                    .push_bind(row.deadline_article.clone())
                    .push_bind(row.sort_key.clone())
                    .push_bind(row.last_kind.clone())
                    .push_bind(row.closed_ms)
                    .push_bind(row.review_ms)
                    .push_bind(row.erased)
                    .push_bind(row.rectified.clone());
            });
            qb.push(format!(" ON CONFLICT (case_id) DO UPDATE SET {}", updates.join(", ")));
            qb.build().execute(&mut *conn).await?;
            Ok(())
        }

        /// The received request an answer replies to, if it is one (the answer itself is
        /// already in the outbox).
        async fn answered_request(
            conn: &mut $conn,
            request_id: &str,
            case: Option<&$crate::cases::CaseRow>,
        ) -> Result<Option<$crate::cases::AnsweredRequest>, $crate::StoreError> {
            let found: Option<(String, String)> =
                sqlx::query_as("SELECT received_at, bytes FROM inbox WHERE message_id = $1 AND kind = 'request'")
                    .bind(request_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let Some((received_at, bytes)) = found else {
                return Ok(None);
            };
            let answers: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE in_reply_to = $1 AND kind IN ('provision', 'refusal')",
            )
            .bind(request_id)
            .fetch_one(&mut *conn)
            .await?;
            Ok(Some($crate::cases::AnsweredRequest {
                received_at: received_at.parse().map_err(|e| $crate::StoreError::Corrupt {
                    seq: 0,
                    problem: format!("inbox {request_id}: received_at '{received_at}': {e}"),
                })?,
                bytes,
                first_answer: answers <= 1,
                deadline_ms: case.and_then(|c| c.deadline_ms),
            }))
        }

        async fn read_case(conn: &mut $conn, case_id: &str) -> Result<Option<$crate::cases::CaseRow>, $crate::StoreError> {
            let sql = format!("SELECT {} FROM cases WHERE case_id = $1", $crate::cases::CASE_COLUMNS);
            Ok(sqlx::query_as::<_, $crate::cases::CaseRow>(&sql)
                .bind(case_id)
                .fetch_optional(&mut *conn)
                .await?)
        }

        /// Writes a case row and moves it between the status counts.
        async fn write_case(
            conn: &mut $conn,
            before: Option<&$crate::cases::CaseRow>,
            row: &$crate::cases::CaseRow,
        ) -> Result<(), $crate::StoreError> {
            write_cases(conn, &[row]).await?;
            // The keys carry the case's place in the list (the search reads them in that order).
            if let Some(b) = before.filter(|b| b.sort_key != row.sort_key) {
                if let Some(list) = read_key_lists(conn, &[row.case_id.as_str()]).await?.get(&row.case_id) {
                    move_keys(conn, &row.case_id, list, &b.sort_key, &row.sort_key).await?;
                }
            }
            let moved = match before {
                Some(b) if $crate::cases::count_key(b) == $crate::cases::count_key(row) => None,
                Some(b) => Some(Some(b)),
                None => Some(None),
            };
            if let Some(from) = moved {
                if let Some(b) = from {
                    sqlx::query("UPDATE case_counts SET n = n - 1 WHERE status = $1")
                        .bind($crate::cases::count_key(b))
                        .execute(&mut *conn)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO case_counts (status, n) VALUES ($1, 1) ON CONFLICT (status) DO UPDATE SET n = case_counts.n + 1",
                )
                .bind($crate::cases::count_key(row))
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        }


        impl $store {
            async fn erase_in_one_transaction(
                &self,
                case_id: &str,
                redacted: &[(String, String)],
                entry: &$crate::NewEntry,
            ) -> Result<$crate::journal::Row, $crate::StoreError> {
                let (_guard, mut tx) = self.begin_case_change().await?;
                let before = read_case(&mut tx, case_id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Refused(format!("no case {case_id}")))?;
                for (message_id, bytes) in redacted {
                    for table in ["inbox", "outbox"] {
                        sqlx::query(&format!("UPDATE {table} SET bytes = $1 WHERE message_id = $2 AND case_id = $3"))
                            .bind(bytes)
                            .bind(message_id)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                delete_keys(&mut tx, case_id, &before.sort_key).await?;
                let mut row = before.clone();
                row.title = String::new();
                row.erased = 1;
                row.review_ms = None;
                if row.status != "closed" {
                    row.status = "closed".into();
                    row.deadline_ms = None;
                    row.closed_ms = Some(entry.at.as_millisecond());
                }
                row.sort_key = $crate::cases::sort_key(&row.status, row.deadline_ms, row.updated_ms);
                write_case(&mut tx, Some(&before), &row).await?;
                let journaled = append_in(&mut tx, entry).await?;
                tx.commit().await?;
                Ok(journaled)
            }
        }

        impl $store {
            async fn case_page(
                &self,
                query: &$crate::cases::CaseQuery,
                key: Option<&str>,
            ) -> Result<Vec<$crate::cases::CaseRow>, $crate::StoreError> {
                let (sql, binds) = $crate::cases::case_list_sql(query, key);
                let mut q = sqlx::query_as::<_, $crate::cases::CaseRow>(&sql);
                for b in binds {
                    q = match b {
                        $crate::cases::CaseBind::Text(t) => q.bind(t),
                        $crate::cases::CaseBind::Int(i) => q.bind(i),
                    };
                }
                Ok(q.fetch_all(&self.pool).await?)
            }
        }

        impl $crate::cases::CaseStore for $store {
            async fn cases(&self, query: $crate::cases::CaseQuery) -> Result<Vec<$crate::cases::CaseRow>, $crate::StoreError> {
                self.cases_current().await?;
                if query.keys.is_empty() {
                    return self.case_page(&query, None).await;
                }
                // A search: one page per key, merged in list order, each case once.
                let mut rows: Vec<$crate::cases::CaseRow> = Vec::new();
                for key in query.keys.iter().take(20) {
                    rows.extend(self.case_page(&query, Some(key)).await?);
                }
                rows.sort_by(|a, b| (&a.sort_key, &a.case_id).cmp(&(&b.sort_key, &b.case_id)));
                rows.dedup_by(|a, b| a.case_id == b.case_id);
                rows.truncate(usize::try_from(query.limit.clamp(1, 500)).unwrap_or(50));
                Ok(rows)
            }

            async fn case(&self, case_id: &str) -> Result<Option<$crate::cases::CaseRow>, $crate::StoreError> {
                self.cases_current().await?;
                let mut conn = self.pool.acquire().await?;
                read_case(&mut conn, case_id).await
            }

            async fn case_counts(
                &self,
                unit: Option<&str>,
                now: jiff::Timestamp,
            ) -> Result<Vec<(String, i64)>, $crate::StoreError> {
                self.cases_current().await?;
                let stored: Vec<(String, i64)> =
                    sqlx::query_as("SELECT status, CAST(n AS BIGINT) FROM case_counts").fetch_all(&self.pool).await?;
                let mut counts: std::collections::BTreeMap<String, i64> =
                    $crate::cases::STATUSES.iter().map(|s| ((*s).to_owned(), 0)).collect();
                for (key, n) in stored {
                    let Some((u, status)) = key.split_once('/') else { continue };
                    if unit.is_none_or(|want| want == u) {
                        if let Some(c) = counts.get_mut(status) {
                            *c += n;
                        }
                    }
                }
                // Overdue cases are the open ones at the head of the order: an index range.
                // (Read row by row and counted here: a GROUP BY would tempt the planner into a
                // scan of the status index.)
                let mut sql = "SELECT status FROM cases WHERE sort_key < $1".to_owned();
                if unit.is_some() {
                    sql.push_str(" AND unit = $2");
                }
                let mut q = sqlx::query_scalar::<_, String>(&sql).bind($crate::cases::overdue_bound(now));
                if let Some(u) = unit {
                    q = q.bind(u.to_owned());
                }
                for status in q.fetch_all(&self.pool).await? {
                    *counts.entry(status).or_default() -= 1;
                    *counts.entry("overdue".to_owned()).or_default() += 1;
                }
                Ok($crate::cases::STATUSES
                    .iter()
                    .map(|s| ((*s).to_owned(), counts.get(*s).copied().unwrap_or(0)))
                    .collect())
            }

            async fn related_cases(&self, case_id: &str, limit: i64) -> Result<Vec<$crate::cases::RelatedRow>, $crate::StoreError> {
                self.cases_current().await?;
                let columns = $crate::cases::case_columns_of_c();
                // Strong keys only (a name with its given name, a plate, a document): a surname
                // alone or a word of the text relates too much to mean anything. The other cases
                // come with the same read.
                let mut conn = self.pool.acquire().await?;
                let strong: Vec<String> = read_key_lists(&mut conn, &[case_id])
                    .await?
                    .remove(case_id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, label)| !matches!(label.as_str(), "name" | "text" | "alias"))
                    .map(|(key, _)| key)
                    .take($crate::case_keys::KEYS_PER_STATEMENT)
                    .collect();
                if strong.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT other.label AS label, {columns} FROM case_keys other
                     JOIN cases c ON c.case_id = other.case_id
                     WHERE other.case_id <> "
                ));
                qb.push_bind(case_id.to_owned()).push(" AND other.key IN (");
                let mut list = qb.separated(", ");
                for key in strong {
                    list.push_bind(key);
                }
                list.push_unseparated(") ORDER BY other.sort_key, other.case_id LIMIT ");
                qb.push_bind(limit.clamp(1, 1_000));
                Ok(qb.build_query_as::<$crate::cases::RelatedRow>().fetch_all(&mut *conn).await?)
            }

            async fn change_case(
                &self,
                case_id: &str,
                change: $crate::cases::CaseChange,
                entry: $crate::NewEntry,
            ) -> Result<$crate::cases::CaseRow, $crate::StoreError> {
                let (_guard, mut tx) = self.begin_case_change().await?;
                let before = read_case(&mut tx, case_id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Refused(format!("no case {case_id}")))?;
                let row = change
                    .applied(&before, entry.at.as_millisecond(), $crate::cases::DEFAULT_FIRST_REVIEW_MS)
                    .map_err($crate::StoreError::Refused)?;
                write_case(&mut tx, Some(&before), &row).await?;
                append_in(&mut tx, &entry).await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn case_stats(&self, year: i64) -> Result<Vec<$crate::cases::StatRow>, $crate::StoreError> {
                self.cases_current().await?;
                Ok(sqlx::query_as::<_, $crate::cases::StatRow>(
                    "SELECT metric, party, detail, CAST(n AS BIGINT) AS n FROM case_stats WHERE year = $1 ORDER BY metric, party, detail",
                )
                .bind(year)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn reviews_due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<$crate::cases::CaseRow>, $crate::StoreError> {
                self.cases_current().await?;
                let sql = format!(
                    "SELECT {} FROM cases WHERE review_ms <= $1 AND erased = 0 ORDER BY review_ms, case_id LIMIT $2",
                    $crate::cases::CASE_COLUMNS
                );
                Ok(sqlx::query_as::<_, $crate::cases::CaseRow>(&sql)
                    .bind(now.as_millisecond())
                    .bind(limit.clamp(1, 1_000))
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn erase_case(
                &self,
                case_id: &str,
                redacted: Vec<(String, String)>,
                entry: $crate::NewEntry,
            ) -> Result<$crate::Entry, $crate::StoreError> {
                let journaled = self.erase_in_one_transaction(case_id, &redacted, &entry).await?;
                let after: &str = $after_erasure;
                for statement in after.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    sqlx::query(statement).execute(&self.pool).await?;
                }
                journaled.into_entry()
            }

            async fn apply_case_facts(
                &self,
                items: Vec<($crate::MessageMeta, $crate::Direction, jiff::Timestamp)>,
            ) -> Result<(), $crate::StoreError> {
                let (_guard, mut tx) = self.begin_case_change().await?;
                let refs: Vec<_> = items.iter().map(|(m, d, t)| (m, *d, *t)).collect();
                apply_cases(&mut tx, &refs).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn replay_case_change(
                &self,
                case_id: &str,
                change: $crate::cases::CaseChange,
                at: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                let (_guard, mut tx) = self.begin_case_change().await?;
                let before = read_case(&mut tx, case_id).await?;
                let row = match (&before, &change) {
                    (Some(b), _) => change
                        .applied(b, at.as_millisecond(), $crate::cases::DEFAULT_FIRST_REVIEW_MS)
                        .ok(),
                    (None, $crate::cases::CaseChange::Erased) => Some($crate::cases::CaseRow::erased_stub(case_id, at)),
                    (None, _) => None,
                };
                // A change the replayed state does not allow was refused when it was made too.
                if let Some(row) = row {
                    write_case(&mut tx, before.as_ref(), &row).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn apply_pending_cases(&self) -> Result<usize, $crate::StoreError> {
                self.project_pending().await
            }

            async fn clear_case_views(&self) -> Result<(), $crate::StoreError> {
                let (_guard, mut tx) = self.begin_append().await?;
                // The feed too: a rebuild applies every stored message's facts itself.
                for table in ["cases", "case_keys", "case_key_lists", "case_counts", "case_stats", "case_feed"] {
                    sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use sql_case_store;
