//! Art. 13: ANPR reference data between nodes. The provider's officer states the plate, the
//! follow-up action and the international alert (or the recipient's legal basis to act without
//! one); the engine checks Art. 13(2) and the implementing agreement for each recipient, and
//! the entry goes through the contact points (13(5) with 6(1)). The recipient's contact point
//! accepts it — from then on every camera read is compared with it — or rejects it with a
//! reason. A read that matches nothing is dropped at once: not stored, not journaled, not
//! logged, not in a metric label. A hit is journaled and returned to the provider at once
//! (13(3)), where its officers see it with the follow-up action they asked for. Withdrawals
//! stop the comparison on arrival; expiry stops it everywhere at the instant it falls.

use treaty::rules::databases;
use treaty::Action;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use jiff::{SignedDuration, Timestamp};
use protocol::{Body, Envelope, HotlistEntry, NodeAddress};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Direction, JournalStore, Operation, Record, StoredMessage, User};

use super::{legal, party, Desk, DeskError, Sent};
use crate::accounts::Role;

/// Registry kind of the entries this node compares (the recipient's side).
const ACCEPTED: &str = "anpr.accepted";
/// Registry kind of the entries this node withdrew (the provider's side).
const WITHDRAWN: &str = "anpr.withdrawn";

/// Longest validity an entry may be given: a hotlist entry is renewed, not left to run.
const MAX_VALIDITY_DAYS: i64 = 366;
/// Validity when the officer gives none.
const DEFAULT_VALIDITY_DAYS: i64 = 30;

/// An entry being compared, as the matcher's caller needs it for a hit.
#[derive(Debug, Clone)]
struct Compared {
    id: String,
    provider: NodeAddress,
}

#[derive(Debug)]
struct Table {
    matcher: anpr::Matcher,
    entries: Vec<Option<Compared>>,
    by_id: HashMap<String, u32>,
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

/// The hotlists a node compares camera reads with, and its ANPR counters.
#[derive(Debug, Default)]
pub struct Hotlists {
    table: RwLock<Table>,
    reads: AtomicU64,
    hits: AtomicU64,
    invalid: AtomicU64,
    /// Milliseconds between a read's camera time and its comparison: the last batch's worst.
    lag_ms: AtomicU64,
}

/// The matcher's clock: seconds since 1970 (an entry expires to the second).
fn seconds(t: Timestamp) -> u32 {
    u32::try_from(t.as_second().max(0)).unwrap_or(u32::MAX)
}

impl Hotlists {
    fn add(&self, entry: &HotlistEntry, provider: NodeAddress) -> Result<(), DeskError> {
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

    fn remove(&self, id: &str) -> bool {
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
    fn sizes(&self, now: Timestamp) -> Vec<(String, usize)> {
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

/// A provider officer's new hotlist entry.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewHotlistEntry {
    /// As written on the plate (`1-ABC-123`); separators and case do not matter.
    pub plate: String,
    /// The plate's country: `BE`, `NL`, `LU`, `FR`, `DE` are checked against their formats.
    pub country: String,
    /// Stolen vehicle, wanted person's vehicle, …
    pub category: String,
    /// Art. 13(2): the follow-up action asked of the recipient.
    #[serde(default)]
    pub follow_up_action: Option<String>,
    /// Art. 13(2): the international alert (e.g. a SIS II alert reference).
    #[serde(default)]
    pub international_alert: Option<String>,
    /// Art. 13(2): without an alert, the recipient's legal basis to act without one.
    #[serde(default)]
    pub recipient_legal_basis: Option<String>,
    /// Last day (`YYYY-MM-DD`, to its end in this node's zone) or instant; default 30 days,
    /// at most 366.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Who to call about a hit; default the officer.
    #[serde(default)]
    pub contact: Option<String>,
    /// The parties whose cameras should compare (`BE`, `LU`).
    pub recipients: Vec<String>,
}

/// An entry this node provided, per recipient.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProvidedEntry {
    pub id: String,
    pub plate: String,
    pub country: String,
    pub category: String,
    pub follow_up_action: String,
    pub valid_until: String,
    pub recipient: String,
    /// `pending`, `accepted`, `rejected`, `withdrawn` or `expired`.
    pub status: String,
    pub reason: Option<String>,
    pub message_id: String,
}

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

/// A withdrawal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Withdrawal {
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

    /// The engine's decision on `provider` giving an entry to `recipient` (Art. 13(2), (6)).
    async fn decide_reference(
        &self,
        provider: &str,
        recipient: &str,
        follow_up_action: Option<&str>,
        international_alert: Option<&str>,
        legal_basis: bool,
    ) -> Result<(super::DecisionView, treaty::Decision), DeskError> {
        let agreements = self.agreements_for_engine().await?;
        let text = |t: Option<&str>| t.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        self.decide(Action::AnprReference(databases::AnprReference {
            provider: party(provider)?,
            recipient: party(recipient)?,
            follow_up_action: text(follow_up_action),
            international_alert: text(international_alert),
            recipient_legal_basis_without_alert: legal_basis,
            at: self.now(),
            agreements,
        }))
    }

    fn validity(&self, text: Option<&str>) -> Result<Timestamp, DeskError> {
        let now = self.now();
        let until = match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => now + SignedDuration::from_hours(24 * DEFAULT_VALIDITY_DAYS),
            Some(t) => match t.parse::<Timestamp>() {
                Ok(ts) => ts,
                Err(_) => {
                    let day: jiff::civil::Date = t.parse().map_err(|_| {
                        DeskError::invalid(format!(
                            "valid_until: '{t}' is neither a date (YYYY-MM-DD) nor an instant"
                        ))
                    })?;
                    let end = day
                        .tomorrow()
                        .and_then(|d| d.to_zoned(self.zone()))
                        .map_err(|e| DeskError::invalid(format!("valid_until: '{t}': {e}")))?;
                    end.timestamp() - SignedDuration::from_secs(1)
                }
            },
        };
        if until <= now {
            return Err(DeskError::invalid(format!(
                "valid_until: {} is in the past",
                self.local(until)
            )));
        }
        if until > now + SignedDuration::from_hours(24 * MAX_VALIDITY_DAYS) {
            return Err(DeskError::invalid(format!(
                "valid_until: {} is more than {MAX_VALIDITY_DAYS} days ahead; renew the entry instead",
                self.local(until)
            )));
        }
        Ok(until)
    }

    /// Provides a hotlist entry to the chosen partners (Art. 13(1)–(2)), if the treaty allows it
    /// for every one of them; nothing is sent otherwise.
    pub async fn provide_hotlist_entry(&self, user: &User, new: &NewHotlistEntry) -> Result<Vec<Sent>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let country = new.country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(DeskError::invalid(format!(
                "country: '{}' is not a two-letter country code",
                new.country
            )));
        }
        let plate =
            anpr::Plate::parse_for(&new.plate, &country).map_err(|e| DeskError::invalid(format!("plate: {e}")))?;
        if new.category.trim().is_empty() {
            return Err(DeskError::invalid(
                "category: say what the entry is about (stolen vehicle, …)",
            ));
        }
        if new.recipients.is_empty() {
            return Err(DeskError::invalid("recipients: name at least one party"));
        }
        let valid_until = self.validity(new.valid_until.as_deref())?;
        let text = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let (follow_up, alert, basis) = (
            text(&new.follow_up_action),
            text(&new.international_alert),
            text(&new.recipient_legal_basis),
        );
        let me = self.node.me.party.to_string();
        let mut checked = Vec::new();
        for r in &new.recipients {
            let recipient = party(r.trim())?;
            let node = self.node_of(&recipient)?;
            let (view, decision) = self
                .decide_reference(
                    &me,
                    recipient.as_str(),
                    follow_up.as_deref(),
                    alert.as_deref(),
                    basis.is_some(),
                )
                .await?;
            self.require(&view, &decision, &format!("providing this entry to {recipient}"))?;
            checked.push((recipient, node, view));
        }
        let entry = HotlistEntry {
            id: format!("ANPR-{me}-{}", {
                let mut token = [0u8; 8];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut token);
                hex::encode(token)
            }),
            plate: plate.to_string(),
            country,
            category: new.category.trim().to_owned(),
            follow_up_action: follow_up.unwrap_or_default(),
            international_alert: alert,
            recipient_legal_basis: basis,
            valid_from: self.now(),
            valid_until,
            contact: text(&new.contact).unwrap_or_else(|| format!("{} ({})", user.username, user.unit)),
        };
        let mut sent = Vec::new();
        for (recipient, node, view) in checked {
            let envelope = Envelope::new(
                self.my_address(Some(user.unit.clone())),
                NodeAddress {
                    party: recipient.clone(),
                    node: node.id.clone(),
                    unit: None,
                },
                self.now(),
                legal("13(1)"),
                Body::AnprEntry(entry.clone()),
            );
            self.dispatch(
                user,
                &envelope,
                &format!(
                    "Art. 13: ANPR reference data {} ({}) to {recipient}: {}",
                    entry.id, entry.category, entry.follow_up_action
                ),
            )
            .await?;
            sent.push(self.sent(&envelope, vec![view]));
        }
        Ok(sent)
    }

    /// The entries this node provided, one line per recipient, newest first.
    pub async fn hotlist_provided(&self, user: &User) -> Result<Vec<ProvidedEntry>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint, Role::Supervisor])?;
        let mut decisions = HashMap::new();
        for (m, env) in self.envelopes("anpr_decision", Direction::Incoming).await? {
            if let (Some(to), Body::AnprDecision { accepted, reason, .. }) = (m.meta.in_reply_to, env.body) {
                decisions.insert(to, (accepted, reason));
            }
        }
        let withdrawn: HashMap<String, String> = self
            .node
            .store
            .records(WITHDRAWN)
            .await?
            .into_iter()
            .map(|r| (r.key, r.value["reason"].as_str().unwrap_or_default().to_owned()))
            .collect();
        let now = self.now();
        let mut out = Vec::new();
        for (m, env, e) in self.entries(Direction::Outgoing).await?.into_iter().rev() {
            let (status, reason) = if let Some(why) = withdrawn.get(&e.id) {
                ("withdrawn", Some(why.clone()))
            } else if e.valid_until < now {
                ("expired", None)
            } else {
                match decisions.get(&m.message_id) {
                    Some((true, _)) => ("accepted", None),
                    Some((false, why)) => ("rejected", Some(why.clone())),
                    None => ("pending", None),
                }
            };
            out.push(ProvidedEntry {
                id: e.id.clone(),
                plate: anpr::Plate::parse(&e.plate).map_or(e.plate.clone(), |p| p.display(&e.country)),
                country: e.country.clone(),
                category: e.category.clone(),
                follow_up_action: e.follow_up_action.clone(),
                valid_until: self.local(e.valid_until),
                recipient: env.to.party.to_string(),
                status: status.into(),
                reason,
                message_id: m.message_id.clone(),
            });
        }
        Ok(out)
    }

    /// Withdraws an entry: every recipient stops comparing it when the withdrawal arrives.
    pub async fn withdraw_hotlist_entry(&self, user: &User, id: &str, w: &Withdrawal) -> Result<Vec<Sent>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        if w.reason.trim().is_empty() {
            return Err(DeskError::invalid("reason: say why the entry is withdrawn"));
        }
        let provided: Vec<Envelope> = self
            .entries(Direction::Outgoing)
            .await?
            .into_iter()
            .filter(|(_, _, e)| e.id == id)
            .map(|(_, env, _)| env)
            .collect();
        if provided.is_empty() {
            return Err(DeskError::not_found(format!(
                "no hotlist entry '{id}' provided by this node"
            )));
        }
        if self.node.store.record(WITHDRAWN, id).await?.is_some() {
            return Err(DeskError::invalid(format!("hotlist entry '{id}' is already withdrawn")));
        }
        self.node
            .store
            .put_record(Record {
                kind: WITHDRAWN.into(),
                key: id.to_owned(),
                value: json!({ "reason": w.reason.trim() }),
                updated_by: super::actor(user),
                updated_at: self.now(),
            })
            .await?;
        let mut sent = Vec::new();
        for entry_env in provided {
            let envelope = Envelope::new(
                self.my_address(Some(user.unit.clone())),
                entry_env.to.clone(),
                self.now(),
                legal("13(1)"),
                Body::AnprWithdrawal {
                    entry: id.to_owned(),
                    reason: w.reason.trim().to_owned(),
                },
            )
            .replying_to(&entry_env);
            self.dispatch(user, &envelope, &format!("Art. 13: withdrawal of ANPR entry {id}"))
                .await?;
            sent.push(self.sent(&envelope, Vec::new()));
        }
        Ok(sent)
    }

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
    async fn withdrawals_received(&self) -> Result<std::collections::HashSet<String>, DeskError> {
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
    async fn waiting_entries(&self) -> Result<Vec<(String, Envelope, HotlistEntry)>, DeskError> {
        Ok(self
            .unanswered("anpr_entry", &["anpr_decision"])
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
                    updated_by: super::actor(user),
                    updated_at: self.now(),
                })
                .await?;
            self.node.anpr.add(&entry, env.from.clone())?;
        }
        let reply = Envelope::new(
            self.my_address(None),
            env.from.clone(),
            self.now(),
            legal("13(1)"),
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
        Ok(n)
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
                legal("13(3)"),
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
                    &super::actor(user),
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
        m.counter("grens_anpr_reads_total", &[]).absolute(a.reads.load(Ordering::Relaxed));
        m.counter("grens_anpr_hits_total", &[]).absolute(a.hits.load(Ordering::Relaxed));
        m.counter("grens_anpr_invalid_reads_total", &[]).absolute(a.invalid.load(Ordering::Relaxed));
        m.gauge("grens_anpr_ingest_lag_milliseconds", &[]).set(a.lag_ms.load(Ordering::Relaxed) as f64);
        for (provider, n) in a.sizes(self.now()) {
            m.gauge("grens_anpr_hotlist_entries", &[("provider", provider.as_str())]).set(n as f64);
        }
    }
}
