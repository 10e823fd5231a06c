//! The provider's side (Art. 13(1)–(2), (6)): entries given to partners after the engine's
//! check, their status per recipient, and withdrawals.

use super::*;

use super::{party, Desk, DeskError, Sent};
use crate::accounts::Role;
use jiff::{SignedDuration, Timestamp};
use protocol::{Body, Envelope, HotlistEntry, NodeAddress};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use store::{Direction, JournalStore, Record, User};
use treaty::rules::databases;
use treaty::Action;

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

/// A withdrawal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Withdrawal {
    pub reason: String,
}

impl Desk {
    /// The engine's decision on `provider` giving an entry to `recipient` (Art. 13(2), (6)).
    pub(super) async fn decide_reference(
        &self,
        provider: &str,
        recipient: &str,
        follow_up_action: Option<&str>,
        international_alert: Option<&str>,
        legal_basis: bool,
    ) -> Result<(crate::desk::DecisionView, treaty::Decision), DeskError> {
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

    pub(super) fn validity(&self, text: Option<&str>) -> Result<Timestamp, DeskError> {
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
                self.legal("13(1)"),
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
                updated_by: crate::desk::actor(user),
                updated_at: self.now(),
            })
            .await?;
        let mut sent = Vec::new();
        for entry_env in provided {
            let envelope = Envelope::new(
                self.my_address(Some(user.unit.clone())),
                entry_env.to.clone(),
                self.now(),
                self.legal("13(1)"),
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
}
