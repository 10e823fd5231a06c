//! The journal: its state, checkpoints exchanged with partners, and comparing their histories.

use super::*;

use crate::accounts::Role;
use jiff::Timestamp;
use protocol::{Body, Envelope, LegalBasis, NodeAddress};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Direction, JournalStore, MessageQuery, Operation, User};

impl Desk {
    /// Sends a signed checkpoint of this node's journal (length, head) to every partner node (one
    /// it shares an agreement with), which keeps it: a node that rewrites its history can no
    /// longer match what it gave away.
    pub async fn publish_checkpoints(&self, actor: &str) -> Result<Vec<String>, DeskError> {
        let (length, head) = self.node.store.head().await?;
        let mut sent = Vec::new();
        for partner in self.node.directory.partners_of(&self.node.me) {
            let envelope = Envelope::new(
                self.my_address(None),
                NodeAddress::node(partner.party.clone(), partner.id.clone()),
                self.now(),
                LegalBasis {
                    instrument: "grens".into(),
                    article: "4".parse().expect("a valid article"),
                },
                Body::JournalCheckpoint {
                    length: u64::try_from(length).unwrap_or(0),
                    head: head.clone(),
                },
            );
            self.sender
                .send(&envelope, actor, "journal checkpoint for the partner's audit")
                .await?;
            sent.push(envelope.id.to_string());
        }
        Ok(sent)
    }

    /// For an administrator or data-protection officer: [`Desk::publish_checkpoints`] now.
    pub async fn checkpoint_now(&self, user: &User) -> Result<Vec<String>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        self.publish_checkpoints(&actor(user)).await
    }

    /// Asks every partner whose checkpoint this node holds for its journal head at that
    /// length, and compares.
    pub async fn verify_partners(&self, user: &User) -> Result<Vec<PartnerHistory>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let checkpoints = self
            .node
            .store
            .messages(MessageQuery {
                kind: Some("journal_checkpoint".into()),
                direction: Some(Direction::Incoming),
                ..MessageQuery::default()
            })
            .await?;
        let mut latest: std::collections::BTreeMap<String, (u64, String, Timestamp)> = Default::default();
        for m in checkpoints {
            if let Ok(Envelope {
                from,
                body: Body::JournalCheckpoint { length, head },
                ..
            }) = serde_json::from_str::<Envelope>(&m.bytes)
            {
                let slot = latest.entry(from.node).or_insert((0, String::new(), m.at));
                if length >= slot.0 {
                    *slot = (length, head, m.at);
                }
            }
        }
        let mut out = Vec::new();
        for (partner, (length, given_head, at)) in latest {
            let Some(entry) = self.node.directory.by_id(&partner) else {
                continue;
            };
            let (current_head, problem) = if length == 0 {
                (Some(store::GENESIS.to_owned()), None)
            } else {
                match self.sender.courier.journal_head(entry, length).await {
                    Ok(h) => (Some(h), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            };
            let matches = current_head.as_deref() == Some(given_head.as_str());
            self.journal(
                &actor(user),
                Operation::Consultation,
                &format!(
                    "checked {partner}'s journal against its checkpoint at {length}: {}",
                    if matches { "matches" } else { "DOES NOT MATCH" }
                ),
                None,
                json!({ "partner": partner, "length": length, "matches": matches }),
            )
            .await?;
            out.push(PartnerHistory {
                partner,
                length,
                given_head,
                given_at: self.local(at),
                current_head,
                matches,
                problem,
            });
        }
        Ok(out)
    }

    /// Journal entries for the data-protection officer.
    pub async fn journal_entries(&self, user: &User, from: i64, limit: i64) -> Result<Vec<store::Entry>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let from = from.max(1);
        Ok(self.node.store.entries(from, from + limit.clamp(1, 1000) - 1).await?)
    }

    /// Verifies the journal's hash chain.
    pub async fn verify_journal(&self, user: &User) -> Result<JournalStatus, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        let (length, head) = self.node.store.head().await?;
        let problem = match store::verify_chain(&self.node.store).await? {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        Ok(JournalStatus {
            node: self.node.me.id.clone(),
            length,
            head,
            intact: problem.is_none(),
            problem,
        })
    }
}

/// A partner's journal compared with the latest checkpoint it gave this node.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartnerHistory {
    pub partner: String,
    /// The checkpoint: its length and head, and when it was received.
    pub length: u64,
    pub given_head: String,
    pub given_at: String,
    /// What the partner's journal has at that length now (absent if it could not answer).
    pub current_head: Option<String>,
    /// The partner's history still matches what it gave.
    pub matches: bool,
    pub problem: Option<String>,
}

/// The state of a journal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JournalStatus {
    pub node: String,
    pub length: i64,
    pub head: String,
    pub intact: bool,
    pub problem: Option<String>,
}

impl Desk {
    /// Whether the node can serve: its store answers a read.
    pub async fn ready(&self) -> Result<(), DeskError> {
        self.node.store.head().await?;
        Ok(())
    }

    /// The node's metrics as Prometheus text: the figures kept elsewhere (outbox depth, the
    /// ANPR matcher's counters) are brought in first.
    pub async fn metrics_text(&self) -> String {
        if let Ok(counts) = self.node.store.outbox_counts().await {
            self.node
                .metrics
                .gauge("grens_outbox_pending", &[])
                .set(counts.pending as f64);
        }
        self.record_anpr_metrics();
        self.node.metrics.render()
    }
}
