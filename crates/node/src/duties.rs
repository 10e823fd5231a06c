//! Duties one replica of a node runs at a time.
//!
//! Several `grens serve` processes of one node may share a PostgreSQL store behind a load
//! balancer (docs/deployment.md). Receiving, sending and the officers' API are safe on every
//! replica: the store serialises journal appends, stores a message once per id and leases each
//! outgoing message to one courier. What a node does *by itself* — answering hit/no-hit queries
//! and consultations, applying ANPR withdrawals, raising release alerts, publishing journal
//! checkpoints — runs on the replica holding the `duties` lease in the store. The lease is
//! renewed every [`RENEW_EVERY`] and lapses [`LEASE`] after its holder stops renewing (a replica
//! killed mid-work), when another replica takes it over.
//!
//! A lone node holds the lease from its first renewal. A duty that must happen once whatever
//! the timing (an alert) is in addition written with `put_record_once`, so even a holder that
//! lost the lease while it worked cannot raise it twice.

use std::sync::atomic::{AtomicBool, Ordering};

use jiff::SignedDuration;
use rand_core::{OsRng, RngCore};
use store::JournalStore as _;

use crate::peer::inbox::NodeState;

/// The lease's name in the store.
const NAME: &str = "duties";
/// How long a renewal holds the lease.
pub const LEASE: SignedDuration = SignedDuration::from_secs(6);
/// How often the holder renews it (and the others try to take it).
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_millis(1_500);

/// This process's claim on the node's duties.
#[derive(Debug)]
pub struct Duties {
    /// Who this process is in the lease table: node, process id and a random tag, so a restarted
    /// replica is a new holder and never inherits a lease it did not renew.
    holder: String,
    leading: AtomicBool,
}

impl Default for Duties {
    fn default() -> Self {
        let mut tag = [0u8; 6];
        OsRng.fill_bytes(&mut tag);
        Duties {
            holder: format!("pid {} #{}", std::process::id(), hex::encode(tag)),
            leading: AtomicBool::new(false),
        }
    }
}

impl Duties {
    /// Whether this process holds the lease (as of its last renewal).
    pub fn leading(&self) -> bool {
        self.leading.load(Ordering::Acquire)
    }

    /// Who this process is in the lease table.
    pub fn holder(&self) -> &str {
        &self.holder
    }
}

/// Takes or renews the lease; returns whether this process holds it. A store error counts as
/// not holding it (another replica may well be renewing it meanwhile).
pub async fn renew(node: &NodeState) -> bool {
    // A SQLite file belongs to one process (replicas share PostgreSQL): it always leads.
    if matches!(node.store, store::AnyStore::Sqlite(_)) {
        node.duties.leading.store(true, Ordering::Release);
        return true;
    }
    let now = node.clock.now();
    let holder = format!("{} {}", node.me.id, node.duties.holder);
    let held = match node.store.claim_lease(NAME, &holder, now, now + LEASE).await {
        Ok(held) => held,
        Err(e) => {
            tracing::warn!(error = %e, "renewing the duties lease failed");
            false
        }
    };
    let was = node.duties.leading.swap(held, Ordering::AcqRel);
    if was != held {
        tracing::info!(holder = %holder, leading = held, "duties lease changed hands");
    }
    held
}
