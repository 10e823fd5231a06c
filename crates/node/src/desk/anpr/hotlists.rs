//! The hotlists this node compares camera reads with: the matcher's table, validity to the
//! second, and the entries compared per provider.

use super::*;

use super::{Desk, DeskError};
use jiff::Timestamp;
use protocol::{Body, Envelope, HotlistEntry, NodeAddress};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::RwLock;
use store::{JournalStore, Operation};

/// An entry being compared, as the matcher's caller needs it for a hit.
#[derive(Debug, Clone)]
pub(super) struct Compared {
    pub(super) id: String,
    pub(super) provider: NodeAddress,
}

#[derive(Debug)]
pub(super) struct Table {
    pub(super) matcher: anpr::Matcher,
    pub(super) entries: Vec<Option<Compared>>,
    pub(super) by_id: HashMap<String, u32>,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            matcher: anpr::Matcher::lookalike(),
            entries: Vec::new(),
            by_id: HashMap::new(),
        }
    }
}

/// Registry kind of the hotlists' generation: one record whose random tag is replaced after
/// every change of the accepted entries, so each replica of the node (crate::duties) knows when
/// to bring its table in line with the store.
const GENERATION: &str = "anpr.generation";

/// The hotlists a node compares camera reads with, and its ANPR counters.
#[derive(Debug, Default)]
pub struct Hotlists {
    pub(super) table: RwLock<Table>,
    /// The generation tag the table was last brought in line with.
    synced: std::sync::Mutex<Option<String>>,
    pub(super) reads: AtomicU64,
    pub(super) hits: AtomicU64,
    pub(super) invalid: AtomicU64,
    /// Milliseconds between a read's camera time and its comparison: the last batch's worst.
    pub(super) lag_ms: AtomicU64,
}

/// The matcher's clock: seconds since 1970 (an entry expires to the second).
pub(super) fn seconds(t: Timestamp) -> u32 {
    u32::try_from(t.as_second().max(0)).unwrap_or(u32::MAX)
}

impl Hotlists {
    pub(super) fn add(&self, entry: &HotlistEntry, provider: NodeAddress) -> Result<(), DeskError> {
        let plate = anpr::Plate::parse(&entry.plate).map_err(|e| DeskError::invalid(format!("plate: {e}")))?;
        let mut t = self
            .table
            .write()
            .map_err(|_| DeskError::unavailable("hotlist lock poisoned"))?;
        if t.by_id.contains_key(&entry.id) {
            return Ok(());
        }
        let n = t.matcher.insert(plate, seconds(entry.valid_until));
        t.by_id.insert(entry.id.clone(), n);
        let at = n as usize;
        if t.entries.len() <= at {
            t.entries.resize(at + 1, None);
        }
        t.entries[at] = Some(Compared {
            id: entry.id.clone(),
            provider,
        });
        Ok(())
    }

    pub(super) fn remove(&self, id: &str) -> bool {
        let Ok(mut t) = self.table.write() else {
            return false;
        };
        match t.by_id.remove(id) {
            Some(n) => {
                t.matcher.remove(n);
                if let Some(e) = t.entries.get_mut(n as usize) {
                    *e = None;
                }
                true
            }
            None => false,
        }
    }

    /// Entries compared now, per providing party.
    pub(super) fn sizes(&self, now: Timestamp) -> Vec<(String, usize)> {
        let Ok(t) = self.table.read() else {
            return Vec::new();
        };
        let now = seconds(now);
        let mut per: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for (n, e) in t.entries.iter().enumerate() {
            if let (Some(e), Some(until)) = (e, t.matcher.valid_until(n as u32)) {
                if until >= now {
                    *per.entry(e.provider.party.to_string()).or_default() += 1;
                }
            }
        }
        per.into_iter().collect()
    }
}

impl Desk {
    /// Loads the accepted entries into the matcher (at start-up); returns how many.
    pub async fn load_hotlists(&self) -> Result<usize, DeskError> {
        let mut n = 0;
        for r in self.node.store.records(ACCEPTED).await? {
            if let Ok(env) = serde_json::from_value::<Envelope>(r.value["envelope"].clone()) {
                if let Body::AnprEntry(e) = &env.body {
                    self.node.anpr.add(e, env.from.clone())?;
                    n += 1;
                }
            }
        }
        self.apply_withdrawals().await?;
        Ok(n)
    }

    /// Marks the accepted entries as changed, for the other replicas' [`Desk::sync_hotlists`].
    pub(super) async fn hotlists_changed(&self) -> Result<(), DeskError> {
        let mut tag = [0u8; 12];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut tag);
        self.node
            .store
            .put_record(store::Record {
                kind: GENERATION.into(),
                key: "current".into(),
                value: json!({ "tag": hex::encode(tag) }),
                updated_by: self.node_actor(),
                updated_at: self.now(),
            })
            .await?;
        Ok(())
    }

    /// Brings the table in line with the accepted entries in the store when another replica
    /// changed them (one small read when nothing changed): entries accepted elsewhere are
    /// added, entries withdrawn elsewhere stop being compared.
    pub async fn sync_hotlists(&self) -> Result<bool, DeskError> {
        let tag = self
            .node
            .store
            .record(GENERATION, "current")
            .await?
            .and_then(|r| r.value["tag"].as_str().map(str::to_owned));
        let last = self
            .node
            .anpr
            .synced
            .lock()
            .map_err(|_| DeskError::unavailable("hotlist lock poisoned"))?
            .clone();
        if tag.is_none() || tag == last {
            return Ok(false);
        }
        let records = self.node.store.records(ACCEPTED).await?;
        let stored: std::collections::HashSet<&str> = records.iter().map(|r| r.key.as_str()).collect();
        let compared: Vec<String> = match self.node.anpr.table.read() {
            Ok(t) => t.by_id.keys().cloned().collect(),
            Err(_) => return Err(DeskError::unavailable("hotlist lock poisoned")),
        };
        for id in compared.iter().filter(|id| !stored.contains(id.as_str())) {
            self.node.anpr.remove(id);
        }
        let known: std::collections::HashSet<&str> = compared.iter().map(String::as_str).collect();
        for r in records.iter().filter(|r| !known.contains(r.key.as_str())) {
            if let Ok(env) = serde_json::from_value::<Envelope>(r.value["envelope"].clone()) {
                if let Body::AnprEntry(e) = &env.body {
                    self.node.anpr.add(e, env.from.clone())?;
                }
            }
        }
        if let Ok(mut synced) = self.node.anpr.synced.lock() {
            *synced = tag;
        }
        Ok(true)
    }

    /// Applies the withdrawals received: the entries stop being compared and are erased.
    /// Run on each arrival (and at start-up).
    pub async fn apply_withdrawals(&self) -> Result<usize, DeskError> {
        let withdrawn = self.withdrawals_received().await?;
        let mut n = 0;
        for r in self.node.store.records(ACCEPTED).await? {
            if withdrawn.contains(&r.key) {
                self.node.anpr.remove(&r.key);
                self.node.store.delete_record(ACCEPTED, &r.key).await?;
                self.journal(
                    &self.node_actor(),
                    Operation::Erasure,
                    &format!(
                        "Art. 13: ANPR entry {} withdrawn by its provider; no longer compared",
                        r.key
                    ),
                    None,
                    json!({ "entry": r.key, "message": r.value["message"] }),
                )
                .await?;
                n += 1;
            }
        }
        if n > 0 {
            self.hotlists_changed().await?;
        }
        Ok(n)
    }
}
