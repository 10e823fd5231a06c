//! The recipient's side: entries accepted or rejected by the contact point, camera reads
//! compared, hits returned to the provider (Art. 13(3)).

use super::*;

use super::{Desk, DeskError, Sent};
use crate::accounts::Role;
use protocol::{Body, Envelope, HotlistEntry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use store::{Direction, JournalStore, Record, User};
use treaty::rules::databases;
use treaty::Action;

/// An entry received from a provider: waiting for a decision, or compared.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceivedEntry {
    pub message_id: String,
    pub id: String,
    pub provider: String,
    pub plate: String,
    pub country: String,
    pub category: String,
    pub follow_up_action: String,
    pub international_alert: Option<String>,
    pub recipient_legal_basis: Option<String>,
    pub valid_until: String,
    pub contact: String,
    /// `pending` or `accepted`.
    pub status: String,
}

/// The recipient contact point's decision on an entry.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryDecision {
    pub accept: bool,
    /// Required to reject.
    #[serde(default)]
    pub reason: String,
}

/// Camera reads for comparison.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReadBatch {
    #[schema(value_type = Vec<Object>)]
    pub reads: Vec<anpr::Read>,
}

/// What a batch of reads gave: counts, and the hits (each already on its way to its provider).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IngestReport {
    pub reads: usize,
    pub hits: usize,
    /// Reads that could not be compared, by their place in the batch and why (the reads
    /// themselves are not kept).
    pub invalid: Vec<String>,
    /// The messages returning the hits.
    pub hit_messages: Vec<String>,
}

/// A hit as the provider's officers see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnprHitView {
    pub message_id: String,
    /// Received at, local time.
    pub received_at: String,
    pub from: String,
    pub entry: String,
    pub plate: String,
    pub plate_read: String,
    /// The camera's time, local.
    pub read_at: String,
    pub camera: String,
    pub location: Option<String>,
    pub confidence: Option<f64>,
    /// `exact` or `look-alike (n)`.
    pub matched: String,
    /// What this node asked the recipient to do.
    pub follow_up_action: String,
    pub category: String,
}

impl Desk {
    /// Entries received: those waiting for the contact point's decision, then those compared.
    pub async fn hotlist_received(&self, user: &User) -> Result<Vec<ReceivedEntry>, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Supervisor])?;
        let view = |message_id: &str, env: &Envelope, e: &HotlistEntry, status: &str| ReceivedEntry {
            message_id: message_id.to_owned(),
            id: e.id.clone(),
            provider: env.from.to_string(),
            plate: anpr::Plate::parse(&e.plate).map_or(e.plate.clone(), |p| p.display(&e.country)),
            country: e.country.clone(),
            category: e.category.clone(),
            follow_up_action: e.follow_up_action.clone(),
            international_alert: e.international_alert.clone(),
            recipient_legal_basis: e.recipient_legal_basis.clone(),
            valid_until: self.local(e.valid_until),
            contact: e.contact.clone(),
            status: status.into(),
        };
        let withdrawn = self.withdrawals_received().await?;
        let now = self.now();
        let mut out = Vec::new();
        for (message_id, env, e) in self.waiting_entries().await? {
            if !withdrawn.contains(&e.id) && e.valid_until >= now {
                out.push(view(&message_id, &env, &e, "pending"));
            }
        }
        for r in self.node.store.records(ACCEPTED).await? {
            let (Ok(env), Some(message)) = (
                serde_json::from_value::<Envelope>(r.value["envelope"].clone()),
                r.value["message"].as_str(),
            ) else {
                continue;
            };
            if let Body::AnprEntry(e) = &env.body {
                if e.valid_until >= now {
                    out.push(view(message, &env, e, "accepted"));
                }
            }
        }
        Ok(out)
    }

    /// Entry ids withdrawn by their providers.
    pub(super) async fn withdrawals_received(&self) -> Result<std::collections::HashSet<String>, DeskError> {
        Ok(self
            .envelopes("anpr_withdrawal", Direction::Incoming)
            .await?
            .into_iter()
            .filter_map(|(_, env)| match env.body {
                Body::AnprWithdrawal { entry, .. } => Some(entry),
                _ => None,
            })
            .collect())
    }

    /// Received entries the contact point has not decided on yet: (message, envelope, entry).
    pub(super) async fn waiting_entries(&self) -> Result<Vec<(String, Envelope, HotlistEntry)>, DeskError> {
        Ok(self
            .unanswered("anpr_entry")
            .await?
            .into_iter()
            .filter_map(|m| {
                let env: Envelope = serde_json::from_str(&m.bytes).ok()?;
                match &env.body {
                    Body::AnprEntry(e) => {
                        let e = e.clone();
                        Some((m.message_id, env, e))
                    }
                    _ => None,
                }
            })
            .collect())
    }

    /// The recipient's contact point accepts an entry (it is compared from now on) or rejects
    /// it with a reason; the provider is told either way.
    pub async fn decide_hotlist_entry(
        &self,
        user: &User,
        message_id: &str,
        d: &EntryDecision,
    ) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Supervisor])?;
        let Some((_, env, entry)) = self
            .waiting_entries()
            .await?
            .into_iter()
            .find(|(m, _, _)| m == message_id)
        else {
            return Err(DeskError::not_found(format!(
                "no hotlist entry waiting for a decision in message {message_id}"
            )));
        };
        if !d.accept && d.reason.trim().is_empty() {
            return Err(DeskError::invalid("reason: a rejection says why"));
        }
        if d.accept && self.withdrawals_received().await?.contains(&entry.id) {
            return Err(DeskError::invalid(format!(
                "entry {} was withdrawn by its provider",
                entry.id
            )));
        }
        if d.accept && entry.valid_until < self.now() {
            return Err(DeskError::invalid(format!("entry {} has expired", entry.id)));
        }
        let mut decisions = Vec::new();
        if d.accept {
            // The recipient checks too: its own agreements (Art. 13(6)), and that it will only
            // compare (13(3)).
            let (view, decision) = self
                .decide_reference(
                    env.from.party.as_str(),
                    self.node.me.party.as_str(),
                    Some(entry.follow_up_action.as_str()).filter(|s| !s.is_empty()),
                    entry.international_alert.as_deref(),
                    entry.recipient_legal_basis.is_some(),
                )
                .await?;
            self.require(&view, &decision, "accepting this entry")?;
            let (use_view, use_decision) = self.decide(Action::AnprUse(databases::AnprUse {
                automated_comparison: true,
            }))?;
            self.require(&use_view, &use_decision, "comparing this entry")?;
            decisions.extend([view, use_view]);
            self.node
                .store
                .put_record(Record {
                    kind: ACCEPTED.into(),
                    key: entry.id.clone(),
                    value: json!({ "message": message_id, "envelope": env }),
                    updated_by: crate::desk::actor(user),
                    updated_at: self.now(),
                })
                .await?;
            self.node.anpr.add(&entry, env.from.clone())?;
            self.hotlists_changed().await?;
        }
        let reply = Envelope::new(
            self.my_address(None),
            env.from.clone(),
            self.now(),
            self.legal("13(1)"),
            Body::AnprDecision {
                entry: entry.id.clone(),
                accepted: d.accept,
                reason: d.reason.trim().to_owned(),
            },
        )
        .replying_to(&env);
        self.dispatch(
            user,
            &reply,
            &format!(
                "Art. 13: ANPR entry {} from {} {}",
                entry.id,
                env.from.party,
                if d.accept {
                    "accepted for automated comparison"
                } else {
                    "rejected"
                }
            ),
        )
        .await?;
        Ok(self.sent(&reply, decisions))
    }

    /// Compares camera reads with the accepted entries (Art. 13(3)). A read that matches
    /// nothing is dropped here and now: it is not stored, journaled or logged. Each hit is
    /// journaled and returned to its provider before this returns.
    pub async fn ingest_reads(&self, user: &User, reads: &[anpr::Read]) -> Result<IngestReport, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let now = self.now();
        let mut invalid = Vec::new();
        let mut plates = Vec::with_capacity(reads.len());
        let mut at = Vec::with_capacity(reads.len());
        for (i, r) in reads.iter().enumerate() {
            match r.validate(i + 1) {
                Ok(plate) => {
                    plates.push(plate);
                    at.push(i);
                }
                // The error names the read's place and field, not its plate.
                Err(e) => invalid.push(format!("read {}: field `{}`: invalid", i + 1, e.field)),
            }
        }
        let hits: Vec<(usize, Compared, u8)> = {
            let t = self
                .node
                .anpr
                .table
                .read()
                .map_err(|_| DeskError::unavailable("hotlist lock poisoned"))?;
            let mut found = Vec::new();
            t.matcher.check_batch(&plates, seconds(now), &mut found);
            found
                .into_iter()
                .filter_map(|(i, h)| {
                    let c = t.entries.get(h.entry as usize).cloned().flatten()?;
                    Some((at[i], c, h.confusions))
                })
                .collect()
        };
        let a = &self.node.anpr;
        a.reads.fetch_add(reads.len() as u64, Ordering::Relaxed);
        a.invalid.fetch_add(invalid.len() as u64, Ordering::Relaxed);
        a.hits.fetch_add(hits.len() as u64, Ordering::Relaxed);
        let worst = reads
            .iter()
            .map(|r| now.duration_since(r.time).as_millis().max(0))
            .max()
            .unwrap_or(0);
        a.lag_ms.store(u64::try_from(worst).unwrap_or(0), Ordering::Relaxed);
        let mut hit_messages = Vec::new();
        for (i, compared, confusions) in &hits {
            let r = &reads[*i];
            let envelope = Envelope::new(
                self.my_address(None),
                compared.provider.clone(),
                now,
                self.legal("13(3)"),
                Body::AnprHit {
                    entry: compared.id.clone(),
                    plate_read: r.plate.clone(),
                    read_at: r.time,
                    camera: r.camera.clone(),
                    location: r.location.clone(),
                    confidence: r.confidence,
                    confusions: *confusions,
                },
            );
            // Art. 13(3): "… verstrekt de positieve resultaten van deze vergelijking (hits) aan de
            // bevoegde dienst die de referentiegegevens heeft verstrekt." Durable and journaled
            // first, then delivered at once (the rounds retry if the provider is down).
            self.sender
                .send_now(
                    &envelope,
                    &crate::desk::actor(user),
                    &format!(
                        "Art. 13(3): ANPR hit on entry {} (camera {}) returned to {}",
                        compared.id, r.camera, compared.provider.party
                    ),
                )
                .await?;
            hit_messages.push(envelope.id.to_string());
        }
        Ok(IngestReport {
            reads: reads.len(),
            hits: hits.len(),
            invalid,
            hit_messages,
        })
    }

    /// The hits returned to this node, newest first, with what it asked the recipient to do.
    pub async fn anpr_hits(&self, user: &User) -> Result<Vec<AnprHitView>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let entries: HashMap<String, HotlistEntry> = self
            .entries(Direction::Outgoing)
            .await?
            .into_iter()
            .map(|(_, _, e)| (e.id.clone(), e))
            .collect();
        let mut out = Vec::new();
        for (m, env) in self.envelopes("anpr_hit", Direction::Incoming).await?.into_iter().rev() {
            let Body::AnprHit {
                entry,
                plate_read,
                read_at,
                camera,
                location,
                confidence,
                confusions,
            } = env.body
            else {
                continue;
            };
            let e = entries.get(&entry);
            out.push(AnprHitView {
                message_id: m.message_id.clone(),
                received_at: self.local(m.at),
                from: env.from.party.to_string(),
                plate: e.map_or_else(String::new, |e| {
                    anpr::Plate::parse(&e.plate).map_or(e.plate.clone(), |p| p.display(&e.country))
                }),
                entry,
                plate_read,
                read_at: self.local(read_at),
                camera,
                location,
                confidence,
                matched: if confusions == 0 {
                    "exact".into()
                } else {
                    format!("look-alike ({confusions})")
                },
                follow_up_action: e.map(|e| e.follow_up_action.clone()).unwrap_or_default(),
                category: e.map(|e| e.category.clone()).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The ANPR counters in Prometheus' text format. Labels carry only providing parties —
    /// never a plate, a camera or anything else of a read.
    /// Brings the ANPR figures into the node's metrics: the matcher's counters and the entries
    /// compared now per provider.
    pub fn record_anpr_metrics(&self) {
        let (a, m) = (&self.node.anpr, &self.node.metrics);
        m.counter("grens_anpr_reads_total", &[])
            .absolute(a.reads.load(Ordering::Relaxed));
        m.counter("grens_anpr_hits_total", &[])
            .absolute(a.hits.load(Ordering::Relaxed));
        m.counter("grens_anpr_invalid_reads_total", &[])
            .absolute(a.invalid.load(Ordering::Relaxed));
        m.gauge("grens_anpr_ingest_lag_milliseconds", &[])
            .set(a.lag_ms.load(Ordering::Relaxed) as f64);
        for (provider, n) in a.sizes(self.now()) {
            m.gauge("grens_anpr_hotlist_entries", &[("provider", provider.as_str())])
                .set(n as f64);
        }
    }
}
