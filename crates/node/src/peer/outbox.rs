//! Sending: a message is signed, queued and journaled in one transaction (the transactional
//! outbox); delivery rounds then attempt every due message, with exponential backoff and
//! jitter while a partner is down (store-and-forward). Nothing acknowledged to the officer is
//! lost: it is in the outbox until the partner's signed receipt arrives.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use protocol::{Envelope, NodeKey, SignedMessage};
use sha2::{Digest, Sha256};
use store::{AnyStore, Entry, JournalStore, NewEntry, Operation, Outgoing, Settlement};

use crate::peer::courier::{Courier, Delivery};
use crate::peer::directory::{Directory, DirectoryEntry};
use crate::NodeError;

/// The first retry waits this long; each further one doubles it, up to [`MAX_BACKOFF`].
pub const BASE_BACKOFF: SignedDuration = SignedDuration::from_millis(500);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(60);

/// The wait before attempt `attempts + 1`: exponential, capped, with up to 20 % jitter derived
/// from the message id (so replicas and restarts spread out but stay reproducible).
pub fn backoff(attempts: i64, message_id: &str) -> SignedDuration {
    let exp = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    let base = BASE_BACKOFF
        .as_millis()
        .saturating_mul(1i128 << exp)
        .min(MAX_BACKOFF.as_millis());
    let digest = Sha256::digest(message_id.as_bytes());
    let spread = i128::from(u16::from_be_bytes([digest[0], digest[1]])) * base / 5 / i128::from(u16::MAX);
    SignedDuration::from_millis(i64::try_from(base + spread).unwrap_or(i64::MAX))
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub delivered: usize,
    pub refused: usize,
    pub retrying: usize,
}

/// A node's sending side.
pub struct Sender {
    pub me: DirectoryEntry,
    pub key: NodeKey,
    pub store: AnyStore,
    pub directory: Directory,
    pub courier: Courier,
    /// The node's clock (see `NodeConfig::clock_start`): queue and retry times follow it.
    pub clock: crate::clock::Clock,
    /// Messages sent and refused by kind, delivery latency, queue depth.
    pub metrics: Arc<crate::telemetry::Metrics>,
    /// The agreement, for the case facts of what is sent.
    pub profile: Arc<treaty::Profile>,
}

/// How long a message enqueued by [`Sender::send_now`] is left to the immediate attempt
/// before the delivery rounds may take it over (only if this process died meanwhile).
pub const IMMEDIATE_LEASE: SignedDuration = SignedDuration::from_secs(30);

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("me", &self.me.id)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// Signs `envelope` and prepares its outbox row and journal entry.
    fn prepare(
        &self,
        envelope: &Envelope,
        actor: &str,
        justification: &str,
    ) -> Result<(Outgoing, NewEntry), NodeError> {
        let to = self
            .directory
            .by_id(&envelope.to.node)
            .ok_or_else(|| NodeError::Delivery {
                to: envelope.to.to_string(),
                problem: "not in the network directory".into(),
            })?;
        // Directive 2016/680 Art. 35(1), in the engine: personal data leave a member state's
        // node for a third country only with the basis the desk's decision put on the message.
        // The desk refuses earlier, with the officer's form; this keeps any other path honest.
        if envelope.transfer.is_none()
            && envelope.body.may_carry_personal_data()
            && treaty::rules::transfers::chapter_v_applies(&self.me.party, &to.party)
        {
            return Err(NodeError::Delivery {
                to: to.id.clone(),
                problem: format!(
                    "Directive 2016/680 Art. 35(1): a {} to {} (a third country) needs the Chapter V decision (transfer.third_country) before it leaves",
                    envelope.body.kind(),
                    to.party
                ),
            });
        }
        let signed: SignedMessage = protocol::sign(envelope, &self.key).map_err(|e| NodeError::Delivery {
            to: to.id.clone(),
            problem: e.to_string(),
        })?;
        let message = Outgoing {
            message_id: envelope.id.to_string(),
            to_node: to.id.clone(),
            sha256: signed.sha256(),
            bytes: String::from_utf8_lossy(&signed.bytes).into_owned(),
            signature: signed.signature,
            queued_at: envelope.created_at,
            meta: crate::meta_of(&self.profile, envelope, store::Direction::Outgoing, envelope.created_at),
        };
        let entry = NewEntry {
            at: envelope.created_at,
            operation: Operation::Disclosure,
            actor: actor.to_owned(),
            justification: justification.to_owned(),
            recipient: Some(format!("{}/{}", to.party, to.id)),
            message_id: Some(envelope.id.to_string()),
            case_id: envelope.case.map(|c| c.to_string()),
            details: match &envelope.transfer {
                None => serde_json::json!({ "kind": envelope.body.kind() }),
                // The transfer's documentation (Directive 2016/680 Arts. 37(3), 38(3), 39(4)):
                // date and time and receiving authority are this entry's; the justification and
                // basis are here; the data are the queued message, kept under its id.
                Some(t) => serde_json::json!({
                    "kind": envelope.body.kind(),
                    "chapter_v": true,
                    "transfer": t,
                    "sha256": message.sha256,
                }),
            },
        };
        Ok((message, entry))
    }

    /// Signs `envelope`, queues it and journals the disclosure in one transaction; the delivery
    /// rounds deliver it.
    pub async fn send(&self, envelope: &Envelope, actor: &str, justification: &str) -> Result<Entry, NodeError> {
        let (message, entry) = self.prepare(envelope, actor, justification)?;
        Ok(self.store.enqueue(message, entry).await?)
    }

    /// Like [`Sender::send`] (durable first), then delivers at once; returns how the attempt
    /// ended. If the partner is down, the rounds retry with backoff as usual.
    ///
    /// The settlement is written by a task of its own and rides in the store's next group
    /// commit: the caller does not wait for a third commit. Losing it (a crash before that
    /// commit) loses nothing: the message stays claimed until [`IMMEDIATE_LEASE`] ends, then
    /// the rounds deliver it again and the partner's idempotent inbox answers it as a duplicate.
    pub async fn send_now(
        &self,
        envelope: &Envelope,
        actor: &str,
        justification: &str,
    ) -> Result<Settlement, NodeError> {
        let (message, entry) = self.prepare(envelope, actor, justification)?;
        let now = self.clock.now();
        self.store
            .enqueue_claimed(message.clone(), entry, now + IMMEDIATE_LEASE)
            .await?;
        let outcome = self.attempt(&message, 0, now).await;
        self.count(&message, &outcome);
        let (store, settled, at) = (self.store.clone(), outcome.clone(), self.clock.now());
        tokio::spawn(async move {
            if let Err(e) = store.settle(&message.message_id, settled, at).await {
                tracing::warn!(message = %message.message_id, error = %e,
                    "settlement not written; the delivery rounds will deliver the message again after its lease");
            }
        });
        Ok(outcome)
    }

    /// One delivery attempt of a queued message.
    async fn attempt(&self, m: &Outgoing, attempts: i64, now: Timestamp) -> Settlement {
        let Some(to) = self.directory.by_id(&m.to_node) else {
            return Settlement::Refused(format!("{} is no longer in the network directory", m.to_node));
        };
        let signed = SignedMessage {
            bytes: m.bytes.clone().into_bytes(),
            signature: m.signature.clone(),
        };
        match self.courier.deliver(to, &signed).await {
            Ok(Delivery::Receipted { .. }) => Settlement::Delivered,
            Ok(Delivery::Refused { status, reason }) if status >= 500 => Settlement::Retry {
                error: format!("{status}: {reason}"),
                next_attempt: now + backoff(attempts, &m.message_id),
            },
            Ok(Delivery::Refused { status, reason }) => Settlement::Refused(format!("{status}: {reason}")),
            Err(e) => Settlement::Retry {
                error: e.to_string(),
                next_attempt: now + backoff(attempts, &m.message_id),
            },
        }
    }

    /// Counts a settled attempt in the node's metrics.
    fn count(&self, m: &Outgoing, outcome: &Settlement) {
        match outcome {
            Settlement::Delivered => {
                let after = self.clock.now().duration_since(m.queued_at);
                let after = std::time::Duration::try_from(after).unwrap_or_default();
                self.metrics.delivered(&m.meta.kind, after);
            }
            Settlement::Refused(_) => self.metrics.refused(&m.meta.kind),
            Settlement::Retry { .. } => {}
        }
    }

    /// Attempts every message due at `now` once.
    pub async fn deliver_due(&self, now: Timestamp) -> Result<RoundReport, NodeError> {
        let mut report = RoundReport::default();
        for queued in self.store.due(now, 256).await? {
            let outcome = self.attempt(&queued.message, queued.attempts, now).await;
            self.count(&queued.message, &outcome);
            match &outcome {
                Settlement::Delivered => report.delivered += 1,
                Settlement::Refused(_) => report.refused += 1,
                Settlement::Retry { .. } => report.retrying += 1,
            }
            self.store.settle(&queued.message.message_id, outcome, now).await?;
        }
        Ok(report)
    }
}
