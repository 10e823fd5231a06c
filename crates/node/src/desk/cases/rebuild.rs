//! The case views rebuilt by replaying the journal (`grens store rebuild-views`).

use super::*;

/// Rebuilds the case views (cases, match keys, status counts, Art. 18 counters) by replaying the
/// journal in order: each message stored (its entry names it), each officer's change to a case
/// (assign, close, reopen, keep) and each erasure — after an upgrade that added the views
/// (`grens store rebuild-views`; a node does it itself when it finds messages and no cases).
/// Returns the messages applied and those left out (unreadable or erased).
pub async fn rebuild_views(store: &store::AnyStore, profile: &Profile) -> Result<(usize, usize), store::StoreError> {
    store.clear_case_views().await?;
    let (length, _) = store.head().await?;
    let (mut rebuilt, mut unreadable) = (0, 0);
    let mut applied = std::collections::HashSet::new();
    let mut from = 1;
    while from <= length {
        let to = (from + 1_999).min(length);
        let entries = store.entries(from, to).await?;
        from = to + 1;
        let mut items = Vec::new();
        for e in entries {
            let entry = &e.entry;
            let stored = matches!(entry.operation, Operation::Collection | Operation::Disclosure)
                && entry.details.get("kind").is_some();
            if let (true, Some(id)) = (stored, entry.message_id.as_deref()) {
                if !applied.insert(id.to_owned()) {
                    continue;
                }
                let found = store
                    .messages(MessageQuery {
                        message_id: Some(id.to_owned()),
                        ..MessageQuery::default()
                    })
                    .await?;
                // A local notice is stored once, as received.
                let Some(m) = found.into_iter().min_by_key(|m| m.direction == Direction::Outgoing) else {
                    continue;
                };
                match serde_json::from_str::<Envelope>(&m.bytes) {
                    Ok(envelope) => {
                        items.push((crate::meta_of(profile, &envelope, m.direction, m.at), m.direction, m.at));
                        rebuilt += 1;
                    }
                    Err(_) => unreadable += 1,
                }
                continue;
            }
            let Some(case) = entry.case_id.as_deref() else { continue };
            let change = match (
                entry.operation,
                entry.details.get("case_change").and_then(|c| c.as_str()),
            ) {
                (Operation::Erasure, _) => Some(CaseChange::Erased),
                (_, Some("assign")) => entry.details["to"].as_str().map(|to| CaseChange::Assign(to.to_owned())),
                (_, Some("close")) => Some(CaseChange::Close),
                (_, Some("reopen")) => Some(CaseChange::Reopen),
                _ => entry.details["until"]
                    .as_str()
                    .filter(|_| entry.details["retention"] == "kept")
                    .and_then(|u| u.parse::<Timestamp>().ok())
                    .map(|u| CaseChange::KeepUntil(u.as_millisecond())),
            };
            if let Some(change) = change {
                // The messages before it first, so the change finds its case as it was.
                store.apply_case_facts(std::mem::take(&mut items)).await?;
                store.replay_case_change(case, change, entry.at).await?;
            }
        }
        store.apply_case_facts(items).await?;
    }
    Ok((rebuilt, unreadable))
}

/// Whether the store holds messages but no case views (a store from before cases existed).
pub async fn views_missing(store: &store::AnyStore) -> Result<bool, store::StoreError> {
    let any_case = !store
        .cases(CaseQuery {
            limit: 1,
            ..CaseQuery::default()
        })
        .await?
        .is_empty()
        || !store
            .cases(CaseQuery {
                limit: 1,
                operations: true,
                ..CaseQuery::default()
            })
            .await?
            .is_empty();
    let any_message = !store
        .messages(MessageQuery {
            limit: Some(1),
            ..MessageQuery::default()
        })
        .await?
        .is_empty();
    Ok(any_message && !any_case)
}
