//! The match keys of a case follow it: moved with it in the list, found through its key list for
//! related cases, and gone with its erasure — without an index of `case_keys` by case.

use store::{AnyStore, CaseChange, CaseQuery, CaseStore, JournalStore};

use super::{case_message, entry, name, stores};

async fn count(store: &AnyStore, sql: &str) -> i64 {
    match store {
        AnyStore::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(s.pool()).await,
        AnyStore::Postgres(s) => sqlx::query_scalar(sql).fetch_one(s.pool()).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Key rows whose sort_key is not their case's (a case moved without its keys).
const STRAY: &str =
    "SELECT COUNT(*) FROM case_keys k JOIN cases c ON c.case_id = k.case_id WHERE k.sort_key <> c.sort_key";

fn with_keys(mut m: store::Incoming, keys: &[(&str, &str)]) -> store::Incoming {
    if let Some(facts) = m.meta.case.as_mut() {
        facts.keys = keys.iter().map(|(k, l)| ((*k).to_owned(), (*l).to_owned())).collect();
    }
    m
}

#[tokio::test]
async fn a_cases_keys_move_with_it_relate_it_and_go_with_its_erasure() {
    for (store, _dir) in stores().await {
        let n = name(&store);
        let plate = ("v:1ABC123", "plate");
        store
            .receive(
                with_keys(case_message("k-1", "c-1", "Jansen"), &[plate, ("p:JNSN", "name")]),
                entry(1),
            )
            .await
            .expect("receive");
        store
            .receive(with_keys(case_message("k-2", "c-2", "Peeters"), &[plate]), entry(2))
            .await
            .expect("receive");
        // The officer's step moves c-1 in the list: its key rows move with it.
        let before = store.case("c-1").await.expect("read").expect("c-1").sort_key;
        let moved = store
            .change_case("c-1", CaseChange::Close, entry(3))
            .await
            .expect("close");
        assert_ne!(before, moved.sort_key, "{n}: closing moves the case");
        assert_eq!(
            count(&store, STRAY).await,
            0,
            "{n}: every key row carries its case's place"
        );
        // A later message with a key the case did not have, and one it had: one row each.
        store
            .receive(
                with_keys(
                    case_message("k-3", "c-1", "Jansen"),
                    &[plate, ("d:AB123456", "document")],
                ),
                entry(4),
            )
            .await
            .expect("receive");
        store.apply_pending_cases().await.expect("apply");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM case_keys WHERE case_id = 'c-1'").await,
            3,
            "{n}"
        );
        assert_eq!(count(&store, STRAY).await, 0, "{n}: the reopened case's keys moved too");
        let found = store
            .cases(CaseQuery {
                keys: vec!["d:AB123456".into()],
                limit: 10,
                ..CaseQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(
            found.iter().map(|c| c.case_id.as_str()).collect::<Vec<_>>(),
            ["c-1"],
            "{n}"
        );
        // Related through the plate (a strong key); the name alone relates nothing.
        let related = store.related_cases("c-1", 10).await.expect("related");
        assert_eq!(
            related
                .iter()
                .map(|r| (r.case.case_id.as_str(), r.label.as_str()))
                .collect::<Vec<_>>(),
            [("c-2", "plate")],
            "{n}"
        );
        assert!(
            store
                .related_cases("no-such-case", 10)
                .await
                .expect("related")
                .is_empty(),
            "{n}"
        );
        // Erased: no key row and no list is left; the other case keeps its own.
        store.erase_case("c-1", Vec::new(), entry(5)).await.expect("erase");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM case_keys WHERE case_id = 'c-1'").await,
            0,
            "{n}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM case_key_lists WHERE case_id = 'c-1'").await,
            0,
            "{n}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM case_keys WHERE case_id = 'c-2'").await,
            1,
            "{n}"
        );
        assert!(store.related_cases("c-2", 10).await.expect("related").is_empty(), "{n}");
        let (length, _) = store.head().await.expect("head");
        assert!(length >= 5, "{n}: every step journaled");
    }
}
