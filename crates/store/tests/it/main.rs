//! The same journal tests on both backends: a real SQLite file and a real PostgreSQL
//! (`GRENS_TEST_POSTGRES_URL`, default postgres://root@127.0.0.1:5432/test), one schema per test.
mod case_keys;
mod outbox;

use store::{verify_chain, AnyStore, JournalStore, NewEntry, Operation, PostgresStore, SqliteStore, GENESIS};

fn postgres_url() -> String {
    std::env::var("GRENS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

/// A fresh store of each backend; the guard keeps the SQLite folder alive.
async fn stores() -> Vec<(AnyStore, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(&dir.path().join("node.sqlite"))
        .await
        .expect("open SQLite");
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let pg = PostgresStore::open(&postgres_url(), Some(&schema))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL must be running at {} for the store tests ({e}); .ci/run starts it",
                postgres_url()
            )
        });
    vec![(AnyStore::Sqlite(sqlite), Some(dir)), (AnyStore::Postgres(pg), None)]
}

fn entry(i: usize) -> NewEntry {
    NewEntry {
        at: "2026-11-23T10:00:00+01:00".parse().expect("instant"),
        operation: if i % 2 == 0 {
            Operation::Disclosure
        } else {
            Operation::Consultation
        },
        actor: format!("NL/officer:{i}"),
        justification: "Art. 4(1): request in investigation 2026/0412".into(),
        recipient: (i % 2 == 0).then(|| "BE/BE-NCP".to_owned()),
        message_id: Some(format!("msg-{i}")),
        case_id: Some("case-1".into()),
        details: serde_json::json!({"kind": "request", "n": i}),
    }
}

async fn exec(store: &AnyStore, sqlite_sql: &str, pg_sql: &str) {
    match store {
        AnyStore::Sqlite(s) => sqlx::query(sqlite_sql).execute(s.pool()).await.map(drop),
        AnyStore::Postgres(s) => sqlx::query(pg_sql).execute(s.pool()).await.map(drop),
    }
    .expect("tamper statement");
}

fn name(store: &AnyStore) -> &'static str {
    match store {
        AnyStore::Sqlite(_) => "sqlite",
        AnyStore::Postgres(_) => "postgres",
    }
}

#[tokio::test]
async fn appends_are_chained_in_order() {
    for (store, _dir) in stores().await {
        assert_eq!(store.head().await.expect("head"), (0, GENESIS.to_owned()));
        let mut prev = GENESIS.to_owned();
        for i in 1..=5 {
            let e = store.append(entry(i)).await.expect("append");
            assert_eq!(e.seq, i as i64, "{}", name(&store));
            assert_eq!(e.prev_hash, prev);
            prev = e.hash.clone();
        }
        assert_eq!(store.head().await.expect("head"), (5, prev.clone()));
        let read = store.entries(2, 4).await.expect("entries");
        assert_eq!(read.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(read[0].entry, entry(2));
        assert_eq!(verify_chain(&store).await.expect("read").expect("intact"), (5, prev));
    }
}

#[tokio::test]
async fn one_changed_byte_is_reported_at_its_entry() {
    for (store, _dir) in stores().await {
        for i in 1..=6 {
            store.append(entry(i)).await.expect("append");
        }
        // "Art. 4(1)" → "Art. 4(2)" in entry 3: one byte.
        exec(
            &store,
            "UPDATE journal SET justification = replace(justification, '4(1)', '4(2)') WHERE seq = 3",
            "UPDATE journal SET justification = replace(justification, '4(1)', '4(2)') WHERE seq = 3",
        )
        .await;
        let err = verify_chain(&store).await.expect("read").expect_err("tampered");
        assert_eq!(err.seq, 3, "{}: {err}", name(&store));
        assert!(err.problem.contains("content changed"), "{err}");
    }
}

#[tokio::test]
async fn a_deleted_or_rechained_entry_is_reported() {
    for (store, _dir) in stores().await {
        for i in 1..=4 {
            store.append(entry(i)).await.expect("append");
        }
        exec(
            &store,
            "DELETE FROM journal WHERE seq = 2",
            "DELETE FROM journal WHERE seq = 2",
        )
        .await;
        let err = verify_chain(&store).await.expect("read").expect_err("gap");
        assert_eq!(err.seq, 2, "{}: {err}", name(&store));
        assert!(err.problem.contains("missing"), "{err}");
    }
    for (store, _dir) in stores().await {
        for i in 1..=4 {
            store.append(entry(i)).await.expect("append");
        }
        // Rewriting an entry and its own hash still breaks the link to the next one.
        exec(
            &store,
            "UPDATE journal SET hash = 'ff' || substr(hash, 3) WHERE seq = 2",
            "UPDATE journal SET hash = 'ff' || substr(hash, 3) WHERE seq = 2",
        )
        .await;
        let err = verify_chain(&store).await.expect("read").expect_err("rewritten");
        assert_eq!(err.seq, 2, "{}: {err}", name(&store));
    }
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    for (store, _dir) in stores().await {
        let mut tasks = Vec::new();
        for t in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..15 {
                    store.append(entry(t * 100 + i)).await.expect("append");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let (len, _) = verify_chain(&store).await.expect("read").expect("intact");
        assert_eq!(len, 120, "{}", name(&store));
    }
}

#[tokio::test]
async fn the_sqlite_journal_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let head = {
        let s = SqliteStore::open(&path).await.expect("open");
        for i in 1..=3 {
            s.append(entry(i)).await.expect("append");
        }
        s.head().await.expect("head")
    };
    let s = AnyStore::open(&format!("sqlite:{}", path.display()))
        .await
        .expect("reopen");
    assert_eq!(s.head().await.expect("head"), head);
    assert!(verify_chain(&s).await.expect("read").is_ok());
    assert!(AnyStore::open("mysql://x").await.is_err());
}

fn incoming(id: &str, sha: &str) -> store::Incoming {
    store::Incoming {
        message_id: id.into(),
        from_node: "NL/NL-NCP".into(),
        received_at: "2026-11-23T10:00:01+01:00".parse().expect("instant"),
        sha256: sha.into(),
        bytes: "{}".into(),
        signature: "h..s".into(),
        meta: store::MessageMeta::default(),
    }
}

#[tokio::test]
async fn the_inbox_applies_a_message_once_and_refuses_a_changed_replay() {
    use store::Received;
    for (store, _dir) in stores().await {
        let first = store.receive(incoming("m-1", "aa"), entry(1)).await.expect("receive");
        assert!(
            matches!(first, Received::New(ref e) if e.seq == 1),
            "{}: {first:?}",
            name(&store)
        );
        assert_eq!(
            store.receive(incoming("m-1", "aa"), entry(1)).await.expect("again"),
            Received::Duplicate
        );
        assert_eq!(
            store.receive(incoming("m-1", "bb"), entry(1)).await.expect("replay"),
            Received::Conflict
        );
        assert!(matches!(
            store.receive(incoming("m-2", "cc"), entry(2)).await.expect("next"),
            Received::New(_)
        ));
        // Only the two new messages were journaled.
        assert_eq!(store.head().await.expect("head").0, 2, "{}", name(&store));
    }
}

#[tokio::test]
async fn verification_reads_the_journal_in_pages_and_never_panics_on_odd_content() {
    for (store, _dir) in stores().await {
        for i in 1..=1_100 {
            store.append(entry(i)).await.expect("append");
        }
        assert_eq!(
            verify_chain(&store).await.expect("read").expect("intact").0,
            1_100,
            "{}",
            name(&store)
        );
        // Past the first page of 1,000, and with a multi-byte character where a hash should be.
        exec(
            &store,
            "UPDATE journal SET hash = 'ééééééééééééé' WHERE seq = 1050",
            "UPDATE journal SET hash = 'ééééééééééééé' WHERE seq = 1050",
        )
        .await;
        let err = verify_chain(&store).await.expect("read").expect_err("tampered");
        assert_eq!(err.seq, 1_050, "{}: {err}", name(&store));
    }
}

#[tokio::test]
async fn the_journal_search_filters_by_actor_operation_subject_and_period_newest_first() {
    use store::{JournalQuery, MessageMeta};
    for (store, _dir) in stores().await {
        let n = name(&store);
        for i in 1..=6 {
            let mut e = entry(i);
            e.at = format!("2026-11-2{i}T10:00:00Z").parse().expect("instant");
            e.case_id = Some(format!("case-{}", i % 3));
            store.append(e).await.expect("append");
        }
        // A stored message of case-1 names the subject.
        let mut m = incoming("m-9", "ff");
        m.bytes = r#"{"subjects":[{"surname":"Janssens_50%"}]}"#.into();
        m.meta = MessageMeta {
            case_id: Some("case-1".into()),
            ..MessageMeta::default()
        };
        let mut received = entry(7);
        received.case_id = Some("case-1".into());
        store.receive(m, received).await.expect("receive");
        // A use of that message, journaled with the message but without its case.
        let mut used = entry(8);
        used.case_id = None;
        used.message_id = Some("m-9".into());
        used.at = "2026-11-27T10:00:00Z".parse().expect("instant");
        store.append(used).await.expect("append");
        let seqs = |found: Vec<store::Entry>| found.iter().map(|e| e.seq).collect::<Vec<_>>();
        let all = store
            .journal_search(JournalQuery {
                limit: 100,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(seqs(all), [8, 7, 6, 5, 4, 3, 2, 1], "{n}: newest first");
        let by_actor = store
            .journal_search(JournalQuery {
                actor: Some("OFFICER:3".into()),
                limit: 100,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(seqs(by_actor), [3], "{n}: actor, case-insensitive");
        let by_operation = store
            .journal_search(JournalQuery {
                operation: Some(Operation::Disclosure),
                limit: 2,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(seqs(by_operation), [8, 6], "{n}: operation, limit");
        let by_subject = store
            .journal_search(JournalQuery {
                subject: Some("janssens_50%".into()),
                limit: 100,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(seqs(by_subject), [8, 7, 4, 1], "{n}: the subject's case and message");
        let wildcard = store
            .journal_search(JournalQuery {
                subject: Some("j%s".into()),
                limit: 100,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert!(seqs(wildcard).is_empty(), "{n}: % is a character, not a wildcard");
        let period = store
            .journal_search(JournalQuery {
                since: Some("2026-11-22T00:00:00Z".parse().expect("t")),
                until: Some("2026-11-24T10:00:00Z".parse().expect("t")),
                before_seq: Some(7),
                limit: 100,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(seqs(period), [3, 2], "{n}: period and paging");
    }
}

#[tokio::test]
async fn registry_records_are_replaced_listed_read_by_key_and_deleted() {
    use store::Record;
    for (store, _dir) in stores().await {
        let n = name(&store);
        let record = |key: &str, v: i64| Record {
            kind: "agreement".into(),
            key: key.into(),
            value: serde_json::json!({ "v": v }),
            updated_by: "BE/admin".into(),
            updated_at: "2026-11-24T10:00:00Z".parse().expect("t"),
        };
        store.put_record(record("b", 1)).await.expect("put");
        store.put_record(record("a", 1)).await.expect("put");
        store.put_record(record("b", 2)).await.expect("replace");
        let listed = store.records("agreement").await.expect("list");
        assert_eq!(listed, vec![record("a", 1), record("b", 2)], "{n}");
        assert!(store.records("contact").await.expect("list").is_empty());
        assert_eq!(
            store.record("agreement", "b").await.expect("get"),
            Some(record("b", 2)),
            "{n}"
        );
        assert_eq!(store.record("contact", "b").await.expect("get"), None, "{n}");
        assert!(store.delete_record("agreement", "a").await.expect("delete"));
        assert_eq!(store.record("agreement", "a").await.expect("get"), None, "{n}");
        assert!(!store.delete_record("agreement", "a").await.expect("again"));
        assert_eq!(store.records("agreement").await.expect("list").len(), 1, "{n}");
    }
}

#[tokio::test]
async fn the_journal_counts_entries_by_their_details_without_reading_them() {
    use store::JournalQuery;
    for (store, _dir) in stores().await {
        let n = name(&store);
        for i in 1..=9 {
            let mut e = entry(i);
            e.details = serde_json::json!({
                "authorisation": if i % 3 == 0 { "AUT-1" } else { "AUT-10" },
                "answered": i % 2 == 0,
                "note": "50%_off"
            });
            e.at = format!("2026-11-2{i}T10:00:00Z").parse().expect("instant");
            store.append(e).await.expect("append");
        }
        let count = |details: Vec<(&str, serde_json::Value)>, since: Option<&str>| JournalQuery {
            details: details.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            since: since.map(|s| s.parse().expect("instant")),
            ..JournalQuery::default()
        };
        let all = store.journal_count(count(vec![], None)).await.expect("count");
        assert_eq!(all, 9, "{n}: all");
        // "AUT-1" is not a prefix match of "AUT-10": the value is compared as JSON.
        let aut1 = store
            .journal_count(count(vec![("authorisation", "AUT-1".into())], None))
            .await
            .expect("count");
        assert_eq!(aut1, 3, "{n}: AUT-1 only (3, 6, 9)");
        let answered = store
            .journal_count(count(
                vec![("authorisation", "AUT-1".into()), ("answered", true.into())],
                Some("2026-11-25T00:00:00Z"),
            ))
            .await
            .expect("count");
        assert_eq!(answered, 1, "{n}: AUT-1, answered, since the 25th (6)");
        let wildcard = store
            .journal_count(count(vec![("note", "5%".into())], None))
            .await
            .expect("count");
        assert_eq!(wildcard, 0, "{n}: % and _ are characters, not wildcards");
    }
}

#[tokio::test]
async fn a_record_put_once_is_stored_and_journaled_once_however_many_callers_race() {
    for (store, _guard) in stores().await {
        let record = |n: usize| store::Record {
            kind: "operation.alert".into(),
            key: "OP-1:release_due".into(),
            value: serde_json::json!({ "caller": n }),
            updated_by: "BE/BE-NCP".into(),
            updated_at: "2026-11-23T10:00:00+01:00".parse().expect("instant"),
        };
        let racers = (0..8).map(|n| {
            let store = store.clone();
            let record = record(n);
            tokio::spawn(async move { store.put_record_once(record, entry(n)).await })
        });
        let mut stored = 0;
        for racer in racers {
            if racer.await.expect("task").expect("put once") {
                stored += 1;
            }
        }
        assert_eq!(stored, 1, "{}", name(&store));
        assert_eq!(
            store.head().await.expect("head").0,
            1,
            "{}: one journal entry",
            name(&store)
        );
        assert!(verify_chain(&store).await.expect("read").is_ok());
        assert!(!store.put_record_once(record(9), entry(9)).await.expect("again"));
        assert_eq!(store.head().await.expect("head").0, 1);
    }
}

#[tokio::test]
async fn a_lease_is_held_by_one_holder_until_it_lapses() {
    for (store, _guard) in stores().await {
        let t0: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().expect("instant");
        let s = jiff::SignedDuration::from_secs;
        let claim = |holder: &'static str, now: jiff::Timestamp| {
            let store = store.clone();
            async move {
                store
                    .claim_lease("duties", holder, now, now + s(6))
                    .await
                    .expect("claim")
            }
        };
        assert!(claim("a", t0).await, "{}: free", name(&store));
        assert!(!claim("b", t0 + s(1)).await, "{}: held by a", name(&store));
        assert!(claim("a", t0 + s(5)).await, "{}: renewed by its holder", name(&store));
        assert!(
            !claim("b", t0 + s(10)).await,
            "{}: the renewal runs to 11 s",
            name(&store)
        );
        assert!(claim("b", t0 + s(12)).await, "{}: lapsed, taken over", name(&store));
        assert!(!claim("a", t0 + s(13)).await, "{}: a lost it", name(&store));
    }
}

fn case_message(id: &str, case: &str, title: &str) -> store::Incoming {
    let mut m = incoming(id, id);
    m.meta = store::MessageMeta {
        case_id: Some(case.into()),
        in_reply_to: None,
        kind: "request".into(),
        case: Some(store::CaseFacts {
            partner: "NL".into(),
            partner_node: "NL-NCP".into(),
            partner_unit: "NCP".into(),
            unit: "NCP".into(),
            title: title.into(),
            keys: vec![("v:1ABC123".into(), "plate".into())],
            step: store::CaseStep::OnUs,
            ..store::CaseFacts::default()
        }),
    };
    m
}

#[tokio::test]
async fn the_case_views_apply_the_feed_before_any_read_or_change_and_after_a_crash() {
    use store::{CaseChange, CaseQuery, CaseStore};
    for (store, _dir) in stores().await {
        let n = name(&store);
        // A message's case is on the list as soon as the message is acknowledged, whatever the
        // projector has done meanwhile; and an officer's change comes after it.
        store
            .receive(case_message("m-1", "c-1", "Jansen"), entry(1))
            .await
            .expect("receive");
        let changed = store
            .change_case("c-1", CaseChange::Assign("be.anna".into()), entry(2))
            .await
            .unwrap_or_else(|e| panic!("{n}: the change found no case: {e}"));
        assert_eq!(changed.status, "assigned", "{n}");
        // A feed row the projector was never woken for (a crash between the commit and the
        // projection): the next read applies it, in order, and the feed is emptied.
        let meta = serde_json::to_string(&case_message("m-2", "c-2", "Peeters").meta).expect("json");
        let insert = format!(
            "INSERT INTO case_feed (direction, at, meta) VALUES ('incoming', '2026-11-23T09:00:02Z', '{meta}')"
        );
        exec(&store, &insert, &insert).await;
        let listed = store
            .cases(CaseQuery {
                limit: 50,
                ..CaseQuery::default()
            })
            .await
            .expect("cases");
        let titles: Vec<&str> = listed.iter().map(|c| c.title.as_str()).collect();
        assert!(
            titles.contains(&"Peeters") && titles.contains(&"Jansen"),
            "{n}: {titles:?}"
        );
        let searched = store
            .cases(CaseQuery {
                keys: vec!["v:1ABC123".into()],
                limit: 50,
                ..CaseQuery::default()
            })
            .await
            .expect("search");
        assert_eq!(searched.len(), 2, "{n}: both cases by their plate");
        let pending: i64 = match &store {
            AnyStore::Sqlite(s) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM case_feed")
                    .fetch_one(s.pool())
                    .await
            }
            AnyStore::Postgres(s) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM case_feed")
                    .fetch_one(s.pool())
                    .await
            }
        }
        .expect("count");
        assert_eq!(pending, 0, "{n}: the feed keeps nothing once applied");
        // An unreadable row (a hand-edited database) is dropped, not blocking every later view.
        exec(
            &store,
            "INSERT INTO case_feed (direction, at, meta) VALUES ('sideways', 'x', '{')",
            "INSERT INTO case_feed (direction, at, meta) VALUES ('sideways', 'x', '{')",
        )
        .await;
        store
            .receive(case_message("m-3", "c-3", "Maes"), entry(3))
            .await
            .expect("receive");
        assert!(store.case("c-3").await.expect("case").is_some(), "{n}");
        assert_eq!(store.apply_pending_cases().await.expect("apply"), 0, "{n}");
    }
}
