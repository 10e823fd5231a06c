//! The match keys of the cases: one row per (key, sort_key, case) in `case_keys`, clustered in
//! the order a search reads them, and each case's list of its keys in `case_key_lists`.
//!
//! `case_keys` has no index by case: a stored message's dozens of keys would be written into
//! that second B-tree too. What needs a case's key rows — its move in the list (every key row
//! carries the case's sort_key), its erasure, the related cases — reads the case's list first
//! and reaches each row by its primary key.

/// A case's keys, `(key, label)`, as stored in `case_key_lists.keys` (JSON).
pub(crate) type KeyList = Vec<(String, String)>;

/// Reads a stored list; one that does not read is empty (it is rewritten with the case's next
/// keys) and logged — a hand-edited row must not block the case's messages.
pub(crate) fn parse_list(case_id: &str, text: &str) -> KeyList {
    serde_json::from_str(text).unwrap_or_else(|e| {
        tracing::warn!(case_id, error = %e, "a case's key list does not read; treated as empty");
        Vec::new()
    })
}

/// How many keys one statement names (well under SQLite's and PostgreSQL's bind limits).
pub(crate) const KEYS_PER_STATEMENT: usize = 500;

/// Implements the key-list statements for one backend, beside `sql_case_store!`.
macro_rules! sql_case_keys {
    ($conn:ty, $db:ty) => {
        /// The stored key lists of `ids` (cases without keys are absent).
        async fn read_key_lists(
            conn: &mut $conn,
            ids: &[&str],
        ) -> Result<std::collections::HashMap<String, $crate::case_keys::KeyList>, $crate::StoreError> {
            let mut lists = std::collections::HashMap::new();
            for chunk in ids.chunks($crate::case_keys::KEYS_PER_STATEMENT) {
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new("SELECT case_id, keys FROM case_key_lists WHERE case_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                list.push_unseparated(")");
                let rows: Vec<(String, String)> = qb.build_query_as().fetch_all(&mut *conn).await?;
                for (case_id, keys) in rows {
                    let parsed = $crate::case_keys::parse_list(&case_id, &keys);
                    lists.insert(case_id, parsed);
                }
            }
            Ok(lists)
        }

        /// Stores the lists of the cases given (replacing what they had).
        async fn write_key_lists(
            conn: &mut $conn,
            lists: &[(&str, &$crate::case_keys::KeyList)],
        ) -> Result<(), $crate::StoreError> {
            for chunk in lists.chunks($crate::cases::ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO case_key_lists (case_id, keys) ");
                let mut encoded = Vec::with_capacity(chunk.len());
                for (case_id, keys) in chunk {
                    let json =
                        serde_json::to_string(keys).map_err(|e| $crate::StoreError::Batch(format!("key list: {e}")))?;
                    encoded.push((case_id.to_string(), json));
                }
                qb.push_values(encoded, |mut b, (case_id, json)| {
                    b.push_bind(case_id).push_bind(json);
                });
                qb.push(" ON CONFLICT (case_id) DO UPDATE SET keys = excluded.keys");
                qb.build().execute(&mut *conn).await?;
            }
            Ok(())
        }

        /// ` WHERE …`: the rows of `keys` of one case at one place in the list, by primary key.
        fn where_key_rows(
            qb: &mut sqlx::QueryBuilder<'_, $db>,
            case_id: &str,
            sort_key: &str,
            keys: &[(String, String)],
        ) {
            qb.push(" WHERE sort_key = ").push_bind(sort_key.to_owned());
            qb.push(" AND case_id = ").push_bind(case_id.to_owned());
            qb.push(" AND key IN (");
            let mut list = qb.separated(", ");
            for (key, _) in keys {
                list.push_bind(key.clone());
            }
            list.push_unseparated(")");
        }

        /// Moves a case's key rows from `from` to `to` in the list order, by primary key.
        async fn move_keys(
            conn: &mut $conn,
            case_id: &str,
            keys: &$crate::case_keys::KeyList,
            from: &str,
            to: &str,
        ) -> Result<(), $crate::StoreError> {
            for chunk in keys.chunks($crate::case_keys::KEYS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE case_keys SET sort_key = ");
                qb.push_bind(to.to_owned());
                where_key_rows(&mut qb, case_id, from, chunk);
                qb.build().execute(&mut *conn).await?;
            }
            Ok(())
        }

        /// Deletes a case's key rows and its list (erasure).
        async fn delete_keys(conn: &mut $conn, case_id: &str, sort_key: &str) -> Result<(), $crate::StoreError> {
            let keys = read_key_lists(conn, &[case_id])
                .await?
                .remove(case_id)
                .unwrap_or_default();
            for chunk in keys.chunks($crate::case_keys::KEYS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<$db>::new("DELETE FROM case_keys");
                where_key_rows(&mut qb, case_id, sort_key, chunk);
                qb.build().execute(&mut *conn).await?;
            }
            sqlx::query("DELETE FROM case_key_lists WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use sql_case_keys;
