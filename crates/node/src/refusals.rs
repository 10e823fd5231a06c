//! Failures of callers nobody has authenticated yet — a wrong password, a TLS handshake without
//! a certificate of the network's CA — are counted, not journaled one by one: an anonymous
//! packet must not be able to grow the hash-chained journal. The first failure of a channel is
//! journaled at once (so an attack is visible immediately); the ones that follow within
//! [`SUMMARY_EVERY`] are counted and journaled as one summary entry when that minute is over.

use std::collections::BTreeMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use store::{NewEntry, Operation};

/// At most one summary entry per channel in this time.
pub const SUMMARY_EVERY: SignedDuration = SignedDuration::from_mins(1);

/// Distinct reasons (and account names) kept per summary; the rest are counted as `other`.
const MAX_DISTINCT: usize = 16;

/// Longest reason kept, in characters (a reason may carry what the caller sent).
const MAX_REASON_CHARS: usize = 160;

/// Where an unauthenticated failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    /// The officers' log-in (API and web page).
    Login,
    /// The partners' inbox: a TLS handshake refused before any certificate was accepted.
    InboxHandshake,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Login => "login",
            Channel::InboxHandshake => "inbox_handshake",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Channel::Login => "log-in refused",
            Channel::InboxHandshake => "TLS handshake refused",
        }
    }

    fn operation(self) -> Operation {
        match self {
            Channel::Login => Operation::Consultation,
            Channel::InboxHandshake => Operation::Collection,
        }
    }
}

#[derive(Debug)]
struct Window {
    since: Timestamp,
    count: u64,
    reasons: BTreeMap<String, u64>,
}

/// The open counting windows, one per channel.
#[derive(Debug, Default)]
pub struct Refusals {
    windows: Mutex<BTreeMap<Channel, Window>>,
}

impl Refusals {
    /// Counts one failure. Returns the journal entry to write now — only for the first failure
    /// of a channel after a quiet [`SUMMARY_EVERY`]; the others wait for [`Refusals::due`].
    pub fn note(&self, channel: Channel, actor: &str, reason: &str, now: Timestamp) -> Option<NewEntry> {
        let mut windows = self.windows.lock().ok()?;
        match windows.get_mut(&channel) {
            Some(window) => {
                window.count += 1;
                let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
                if window.reasons.len() < MAX_DISTINCT || window.reasons.contains_key(&reason) {
                    *window.reasons.entry(reason).or_default() += 1;
                } else {
                    *window.reasons.entry("other".into()).or_default() += 1;
                }
                None
            }
            None => {
                windows.insert(
                    channel,
                    Window {
                        since: now,
                        count: 0,
                        reasons: BTreeMap::new(),
                    },
                );
                let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
                Some(NewEntry {
                    at: now,
                    operation: channel.operation(),
                    actor: actor.chars().take(MAX_REASON_CHARS).collect(),
                    justification: format!(
                        "{}: {reason} (further ones in the next minute are counted in one summary entry)",
                        channel.what()
                    ),
                    recipient: None,
                    message_id: None,
                    case_id: None,
                    details: json!({ "outcome": "refused", "channel": channel.as_str(), "count": 1 }),
                })
            }
        }
    }

    /// The summary entries of the windows that are over (all of them with `flush`), each with
    /// the number of failures after the first and their reasons; closes those windows.
    pub fn due(&self, actor: &str, now: Timestamp, flush: bool) -> Vec<NewEntry> {
        let Ok(mut windows) = self.windows.lock() else {
            return Vec::new();
        };
        let over: Vec<Channel> = windows
            .iter()
            .filter(|(_, w)| flush || now.duration_since(w.since) >= SUMMARY_EVERY)
            .map(|(c, _)| *c)
            .collect();
        over.into_iter()
            .filter_map(|channel| {
                let window = windows.remove(&channel)?;
                (window.count > 0).then(|| {
                    let reasons: Vec<String> = window.reasons.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
                    NewEntry {
                        at: now,
                        operation: channel.operation(),
                        actor: actor.to_owned(),
                        justification: format!(
                            "{}: {} more since {}: {}",
                            channel.what(),
                            window.count,
                            window.since,
                            reasons.join("; ")
                        ),
                        recipient: None,
                        message_id: None,
                        case_id: None,
                        details: json!({
                            "outcome": "refused",
                            "channel": channel.as_str(),
                            "count": window.count,
                            "since": window.since.to_string(),
                            "reasons": window.reasons,
                        }),
                    }
                })
            })
            .collect()
    }
}

/// Counts a failure of `channel` on this node (metric `grens_unauthenticated_failures_total`)
/// and journals it if it opens a window. The caller is answered even if the journal cannot be
/// written; the error is logged.
pub async fn record(state: &crate::peer::inbox::NodeState, channel: Channel, actor: &str, reason: &str) {
    state
        .metrics
        .counter("grens_unauthenticated_failures_total", &[("channel", channel.as_str())])
        .increment(1);
    if let Some(entry) = state.refusals.note(channel, actor, reason, state.clock.now()) {
        if let Err(e) = store::JournalStore::append(&state.store, entry).await {
            tracing::error!(error = %e, "journal write failed while counting a refusal");
        }
    }
}

/// Journals the summaries that are due (every one with `flush`, at shutdown and in tests).
pub async fn write_due(state: &crate::peer::inbox::NodeState, flush: bool) {
    let actor = format!("{}/{}", state.me.party, state.me.id);
    for entry in state.refusals.due(&actor, state.clock.now(), flush) {
        if let Err(e) = store::JournalStore::append(&state.store, entry).await {
            tracing::error!(error = %e, "journal write failed for a summary of refusals");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_is_journaled_and_the_rest_of_the_minute_is_one_summary() {
        let refusals = Refusals::default();
        let t0: Timestamp = "2026-12-01T10:00:00Z".parse().expect("t0");
        let first = refusals.note(Channel::Login, "BE/login", "account a", t0);
        assert!(first.is_some_and(|e| e.justification.starts_with("log-in refused: account a")));
        for i in 0..200 {
            let reason = format!("account {}", i % 40);
            assert!(refusals
                .note(Channel::Login, "BE/login", &reason, t0 + SignedDuration::from_millis(i))
                .is_none());
        }
        assert!(refusals.due("BE", t0 + SignedDuration::from_secs(30), false).is_empty());
        let summary = refusals.due("BE", t0 + SignedDuration::from_secs(61), false);
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0].details["count"], 200);
        let reasons = summary[0].details["reasons"].as_object().expect("reasons");
        assert_eq!(reasons.len(), MAX_DISTINCT + 1, "{reasons:?}");
        // A new window opens with the next failure.
        assert!(refusals
            .note(Channel::Login, "BE/login", "x", t0 + SignedDuration::from_secs(62))
            .is_some());
    }

    #[test]
    fn a_long_reason_is_cut() {
        let refusals = Refusals::default();
        let entry = refusals
            .note(
                Channel::InboxHandshake,
                "peer",
                &"x".repeat(5_000),
                Timestamp::UNIX_EPOCH,
            )
            .expect("first");
        assert!(entry.justification.len() < 400, "{}", entry.justification.len());
    }
}
