//! The outbox: queued messages kept until settled, retries scheduled, settlements batched.

use store::{AnyStore, JournalStore};

use super::{entry, name, stores};

fn outgoing(id: &str, at: jiff::Timestamp) -> store::Outgoing {
    store::Outgoing {
        message_id: id.into(),
        to_node: "BE-NCP".into(),
        bytes: "{}".into(),
        signature: "h..s".into(),
        sha256: "aa".into(),
        queued_at: at,
        meta: store::MessageMeta::default(),
    }
}

#[tokio::test]
async fn the_outbox_keeps_messages_until_settled_and_schedules_retries() {
    use store::{OutboxCounts, Settlement};
    let now: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().expect("instant");
    let later = now + jiff::SignedDuration::from_secs(10);
    for (store, _dir) in stores().await {
        for id in ["m-1", "m-2", "m-3"] {
            store.enqueue(outgoing(id, now), entry(1)).await.expect("enqueue");
        }
        assert_eq!(
            store.head().await.expect("head").0,
            3,
            "each queued message is journaled"
        );
        let due = store.due(now, 10).await.expect("due");
        assert_eq!(
            due.iter().map(|q| q.message.message_id.as_str()).collect::<Vec<_>>(),
            ["m-1", "m-2", "m-3"]
        );
        store.settle("m-1", Settlement::Delivered, now).await.expect("settle");
        store
            .settle("m-2", Settlement::Refused("no".into()), now)
            .await
            .expect("settle");
        store
            .settle(
                "m-3",
                Settlement::Retry {
                    error: "down".into(),
                    next_attempt: later,
                },
                now,
            )
            .await
            .expect("settle");
        assert!(store.due(now, 10).await.expect("due").is_empty(), "{}", name(&store));
        let retry = store.due(later, 10).await.expect("due");
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].attempts, 1);
        assert_eq!(
            store.outbox_counts().await.expect("counts"),
            OutboxCounts {
                pending: 1,
                delivered: 1,
                refused: 1
            }
        );
    }
}

/// Settlements of one group commit go in one statement; each lands on its own message, and a
/// message settled twice in one batch counts both attempts.
#[tokio::test]
async fn a_batch_of_settlements_settles_each_message_and_counts_every_attempt() {
    use store::{OutboxCounts, Settlement};
    let now: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().expect("instant");
    let later = now + jiff::SignedDuration::from_secs(10);
    let retry = |error: &str| Settlement::Retry {
        error: error.into(),
        next_attempt: later,
    };
    for (store, _dir) in stores().await {
        let n = name(&store);
        for id in ["m-1", "m-2", "m-3", "m-4", "m-5"] {
            store.enqueue(outgoing(id, now), entry(1)).await.expect("enqueue");
        }
        let batch = vec![
            ("m-1".to_owned(), Settlement::Delivered, now),
            ("m-2".to_owned(), Settlement::Refused("no".into()), now),
            ("m-3".to_owned(), retry("down"), now),
        ];
        let twice = vec![
            ("m-4".to_owned(), retry("first"), now),
            ("m-4".to_owned(), retry("second"), now),
        ];
        match &store {
            AnyStore::Sqlite(s) => {
                s.settle_many(batch).await.expect("settle");
                s.settle_many(twice).await.expect("settle");
            }
            AnyStore::Postgres(s) => {
                s.settle_many(batch).await.expect("settle");
                s.settle_many(twice).await.expect("settle");
            }
        }
        // m-5 was not in either batch: still due now (and now claimed by this read).
        let due_now = store.due(now, 10).await.expect("due");
        assert_eq!(
            due_now
                .iter()
                .map(|q| q.message.message_id.as_str())
                .collect::<Vec<_>>(),
            ["m-5"],
            "{n}"
        );
        let due_later = store.due(later, 10).await.expect("due");
        let attempts: Vec<(&str, i64)> = due_later
            .iter()
            .map(|q| (q.message.message_id.as_str(), q.attempts))
            .collect();
        assert_eq!(attempts, [("m-3", 1), ("m-4", 2)], "{n}");
        assert_eq!(
            store.outbox_counts().await.expect("counts"),
            OutboxCounts {
                pending: 3,
                delivered: 1,
                refused: 1
            },
            "{n}"
        );
    }
}
