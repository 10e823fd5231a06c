//! Art. 13: ANPR reference data between nodes. The provider's officer states the plate, the
//! follow-up action and the international alert (or the recipient's legal basis to act without
//! one); the engine checks Art. 13(2) and the implementing agreement for each recipient, and
//! the entry goes through the contact points (13(5) with 6(1)). The recipient's contact point
//! accepts it — from then on every camera read is compared with it — or rejects it with a
//! reason. A read that matches nothing is dropped at once: not stored, not journaled, not
//! logged, not in a metric label. A hit is journaled and returned to the provider at once
//! (13(3)), where its officers see it with the follow-up action they asked for. Withdrawals
//! stop the comparison on arrival; expiry stops it everywhere at the instant it falls.

mod hotlists;
mod provide;
mod receive;

pub use hotlists::Hotlists;
use hotlists::*;
pub use provide::{NewHotlistEntry, ProvidedEntry, Withdrawal};
pub use receive::{AnprHitView, EntryDecision, IngestReport, ReadBatch, ReceivedEntry};

use protocol::{Body, Envelope, HotlistEntry};

use store::{Direction, StoredMessage};

use super::{party, Desk, DeskError, Sent};

/// Registry kind of the entries this node compares (the recipient's side).
const ACCEPTED: &str = "anpr.accepted";

/// Registry kind of the entries this node withdrew (the provider's side).
const WITHDRAWN: &str = "anpr.withdrawn";

/// Longest validity an entry may be given: a hotlist entry is renewed, not left to run.
const MAX_VALIDITY_DAYS: i64 = 366;

/// Validity when the officer gives none.
const DEFAULT_VALIDITY_DAYS: i64 = 30;

impl Desk {
    /// The hotlist entries sent (`Outgoing`) or received (`Incoming`), with their messages.
    async fn entries(&self, direction: Direction) -> Result<Vec<(StoredMessage, Envelope, HotlistEntry)>, DeskError> {
        Ok(self
            .envelopes("anpr_entry", direction)
            .await?
            .into_iter()
            .filter_map(|(m, env)| match &env.body {
                Body::AnprEntry(e) => {
                    let e = e.clone();
                    Some((m, env, e))
                }
                _ => None,
            })
            .collect())
    }
}
