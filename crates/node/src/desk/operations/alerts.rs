//! Durable alerts: the Art. 21(3) release clock an hour before and at its deadline, and the
//! Art. 46 report reminders, raised once each from the stored events.

use super::*;

use super::{Desk, DeskError};
use jiff::{SignedDuration, Timestamp};
use protocol::{OperationEvent, OperationEventKind};
use serde_json::json;
use store::{JournalStore, Operation, Record, User};

/// Registry kind of the release alerts raised (each once).
pub(super) const ALERTS: &str = "operation.alert";

/// How long before a release deadline the board raises its alert.
pub const ALERT_BEFORE: SignedDuration = SignedDuration::from_mins(60);

/// How often the sending side is reminded of a report not filed after the end (Art. 46).
pub const REPORT_REMINDER_EVERY: SignedDuration = SignedDuration::from_hours(24);

impl Desk {
    /// Raises every release alert whose instant has come — an hour before the Art. 21(3)
    /// deadline, and at it — once each, into the registry and the journal, and returns the
    /// alerts raised and the next instant to look again. Everything is computed from the stored
    /// events, so a node restarted in the middle of a detention raises its alerts on time.
    pub async fn raise_alerts(&self) -> Result<(Vec<String>, Option<Timestamp>), DeskError> {
        // The operations still on the board: a finished one raises nothing.
        let events = self.events_in_cases(&self.open_operation_cases().await?).await?;
        let raised: std::collections::HashSet<String> = self
            .node
            .store
            .records(ALERTS)
            .await?
            .into_iter()
            .map(|r| r.key)
            .collect();
        // Only operations that can still alert: a detention without a release or warrant, or an
        // end without a report. The others are skipped without building their views.
        let can_alert = |mine: &[&(String, OperationEvent)]| {
            let has = |kinds: &[OperationEventKind]| mine.iter().any(|(_, e)| kinds.contains(&e.event));
            (has(&[OperationEventKind::Detained])
                && !has(&[OperationEventKind::Released, OperationEventKind::EawReceived]))
                || (has(&[OperationEventKind::Ended]) && !has(&[OperationEventKind::ReportFiled]))
        };
        let now = self.now();
        let none = std::collections::HashMap::new();
        let (mut fired, mut next) = (Vec::new(), None::<Timestamp>);
        for (id, mine) in by_operation(&events).into_iter().filter(|(_, mine)| can_alert(mine)) {
            let Some(view) = self.operation_view(&mine, &none)? else {
                continue;
            };
            // Art. 46(1): the sending side is reminded of a missing report every day after the
            // end until it is filed (the latest reminder only, after a node was down).
            if view.role == Side::Sending && view.report.as_deref() == Some("due") {
                if let Some((_, end)) = mine.iter().find(|(_, e)| e.event == OperationEventKind::Ended) {
                    let every = REPORT_REMINDER_EVERY.as_secs().max(1);
                    let days = now.duration_since(end.at).as_secs().max(0) / every;
                    let upcoming = end.at + SignedDuration::from_secs((days + 1) * every);
                    next = Some(next.map_or(upcoming, |n: Timestamp| n.min(upcoming)));
                    let key = format!("{id}:report_reminder:{days}");
                    if days >= 1 && !raised.contains(&key) {
                        let what = format!(
                            "Art. 46(1): the report on {id} ({} in {}, ended {}) is due — reminder {days}",
                            view.kind.as_str().replace('_', " "),
                            view.host,
                            self.local(end.at)
                        );
                        self.raise(
                            &key,
                            json!({ "operation": id, "alert": "report_reminder", "day": days }),
                            &what,
                        )
                        .await?;
                        fired.push(key);
                    }
                }
            }
            let running = view
                .detention
                .as_ref()
                .is_some_and(|d| ["running", "alert", "overdue"].contains(&d.state.as_str()));
            let Some((_, detained)) = events
                .iter()
                .find(|(_, e)| e.operation == id && e.event == OperationEventKind::Detained)
            else {
                continue;
            };
            if !running {
                continue;
            }
            let (Some(due), _) = self.release_deadline(&view.host, detained.at, false)? else {
                continue;
            };
            for (label, at) in [("one_hour_left", due - ALERT_BEFORE), ("release_due", due)] {
                let key = format!("{id}:{label}");
                if raised.contains(&key) {
                    continue;
                }
                if at > now {
                    next = Some(next.map_or(at, |n: Timestamp| n.min(at)));
                    continue;
                }
                let what = format!(
                    "Art. 21(3): {} — the person held in {id} ({} → {}) must be released by {} unless a European Arrest Warrant is received",
                    if label == "release_due" { "release due now" } else { "one hour left" },
                    view.sending,
                    view.host,
                    self.local(due)
                );
                self.raise(
                    &key,
                    json!({ "operation": id, "due": due.to_string(), "alert": label }),
                    &what,
                )
                .await?;
                fired.push(key);
            }
        }
        Ok((fired, next))
    }

    /// Raises one alert: a registry record under `key` and a journal entry, in one transaction
    /// and only if the record is not there yet — so it is raised once, even by two replicas
    /// racing (crate::duties) or a node killed between the two writes.
    pub(super) async fn raise(&self, key: &str, mut value: serde_json::Value, what: &str) -> Result<(), DeskError> {
        let now = self.now();
        value["raised_at"] = json!(now.to_string());
        let record = Record {
            kind: ALERTS.into(),
            key: key.to_owned(),
            value: value.clone(),
            updated_by: self.node_actor(),
            updated_at: now,
        };
        let entry = self.entry(&self.node_actor(), Operation::Alteration, what, None, value);
        self.node.store.put_record_once(record, entry).await?;
        Ok(())
    }

    /// Art. 20: the host's node tells each partner whose officers are on a mixed patrol that it
    /// is planned, has started or has ended, so the patrol is on both boards.
    pub(crate) async fn patrol_event(
        &self,
        user: &User,
        patrol: &crate::desk::consult::Patrol,
        event: OperationEventKind,
    ) -> Result<(), DeskError> {
        let me = self.node.me.party.to_string();
        let mut partners: Vec<&str> = patrol.officers.iter().filter_map(|o| o.split('/').next()).collect();
        partners.sort_unstable();
        partners.dedup();
        for partner in partners.into_iter().filter(|p| *p != me) {
            let first = matches!(event, OperationEventKind::Planned)
                || (event == OperationEventKind::Started && patrol.planned_for.is_none());
            let event = OperationEvent {
                operation: patrol.id.clone(),
                kind: "patrol".into(),
                sending: partner.to_owned(),
                host: me.clone(),
                event,
                at: self.now(),
                text: format!("{} — {}", patrol.area, patrol.officers.join(", ")),
                facts: if first {
                    json!({ "area": patrol.area, "officers": patrol.officers })
                } else {
                    serde_json::Value::Null
                },
            };
            self.send_event(user, event, "20").await?;
        }
        Ok(())
    }

    /// Journals that this node runs on a shifted clock (tests and drills, `clock_start`), so
    /// nobody mistakes its times for real ones.
    pub async fn note_shifted_clock(&self, start: &str) -> Result<(), DeskError> {
        self.journal(
            &self.node_actor(),
            Operation::Alteration,
            &format!("the node's clock starts at {start} (clock_start: a test or drill, not real time)"),
            None,
            json!({ "clock_start": start }),
        )
        .await
    }
}
