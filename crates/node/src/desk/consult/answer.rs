//! The owner's answer to a consultation: the engine's decision, the owner's conditions, the
//! records of its database, journaled.

use super::*;
use treaty::rules::conditions;

use super::{Desk, DeskError};
use jiff::Timestamp;
use protocol::{Body, Envelope, Subject};
use serde_json::{json, Value};
use store::{JournalQuery, JournalStore, Operation, StoredMessage};
use treaty::rules::databases;
use treaty::Action;

impl Desk {
    /// The owner's own conditions on a named authorisation, checked after the engine allowed
    /// the consultation: the hours of the day and the daily limit. `Some(reason)` refuses.
    /// Arts. 15(3), 16(3): "De bevoegde dienst … kan nadere voorwaarden stellen aan het
    /// verlenen van een autorisatie, alsmede richtlijnen geven voor het gebruik ervan."
    pub(super) async fn owner_conditions(
        &self,
        a: &Authorisation,
        article: u8,
        now: Timestamp,
    ) -> Result<Option<String>, DeskError> {
        let local = now.to_zoned(self.zone());
        let used_today = match a.daily_limit {
            None => 0,
            Some(_) => {
                let since = local
                    .date()
                    .to_zoned(self.zone())
                    .map(|z| z.timestamp())
                    .map_err(|e| DeskError::unavailable(e.to_string()))?;
                // Each consultation answered is a disclosure to the partner, journaled with its
                // authorisation: the store counts them.
                let count = self
                    .node
                    .store
                    .journal_count(JournalQuery {
                        operation: Some(Operation::Disclosure),
                        since: Some(since),
                        details: vec![
                            ("authorisation".into(), Value::from(a.id.as_str())),
                            ("answered".into(), Value::Bool(true)),
                        ],
                        ..JournalQuery::default()
                    })
                    .await?;
                u64::try_from(count).unwrap_or(0)
            }
        };
        let (_, decision) = self.decide(Action::OwnerConditions(conditions::OwnerConditions {
            article: u32::from(article),
            authorisation: a.id.clone(),
            hours: a.hours,
            local_hour: u8::try_from(local.hour()).unwrap_or(0),
            daily_limit: a.daily_limit,
            used_today,
        }))?;
        Ok((decision.verdict == Some(treaty::Verdict::Refused)).then(|| decision.reasons.join("; ")))
    }

    /// The owner's side: answers every consultation not answered yet (run with the Art. 14
    /// answers).
    pub async fn answer_consultations(&self) -> Result<usize, DeskError> {
        let waiting = self.unanswered("consult_query").await?;
        for m in &waiting {
            self.answer_consultation(m).await?;
        }
        Ok(waiting.len())
    }

    /// The owner's checks, in order: the engine (annex 6, agreement, named authorisation valid
    /// and not revoked, joint post or active patrol), then the owner's own conditions (hours of
    /// the day, daily limit).
    pub(super) async fn answer_consultation(&self, message: &StoredMessage) -> Result<(), DeskError> {
        let node_actor = self.node_actor();
        let query: Envelope = serde_json::from_str(&message.bytes)
            .map_err(|e| DeskError::unavailable(format!("stored consultation {}: {e}", message.message_id)))?;
        let Body::ConsultQuery {
            article,
            officer,
            database,
            subject,
            case_reference,
            patrol,
        } = &query.body
        else {
            return Ok(());
        };
        let officer = format!("{}/{officer}", query.from.party);
        let now = self.now();
        let candidates = authorisations_in_order(
            self.node
                .store
                .records(AUTHORISATION)
                .await?
                .into_iter()
                .filter_map(|r| serde_json::from_value::<Authorisation>(r.value).ok())
                .filter(|a| a.officer == officer && a.article == *article && a.databases.contains(database)),
            now,
        );
        // The engine decides on the preferred one; all those in force share its validity.
        let mut authorisation = candidates.first().cloned();
        let patrol_state: Option<Patrol> = match patrol {
            Some(id) => self.record(PATROL, id).await?,
            None => None,
        };
        let patrol_active = patrol_state
            .as_ref()
            .is_some_and(|p| !p.started_at.is_empty() && p.ended_at.is_none() && p.officers.contains(&officer));
        let agreements = self.agreements_for_engine().await?;
        let db = self.node.databases.iter().find(|d| d.id() == database.as_str());
        let (view, decision) = if *article == 17 {
            // Art. 17: a population or public register, behind an implementing agreement; no
            // authorisation by name.
            self.decide(Action::RegisterLookup(databases::RegisterLookup {
                requesting: query.from.party.clone(),
                owner: self.node.me.party.clone(),
                at: now,
                agreements,
            }))?
        } else {
            let authorisation = match authorisation.as_ref() {
                None => None,
                Some(a) => Some(databases::Authorisation {
                    granted_by: self.node.me.party.clone(),
                    named: true,
                    valid_from: instant("authorisation.valid_from", &a.valid_from)?,
                    valid_until: a
                        .valid_until
                        .as_deref()
                        .map(|t| instant("authorisation.valid_until", t))
                        .transpose()?,
                    revoked_at: a
                        .revoked_at
                        .as_deref()
                        .map(|t| instant("authorisation.revoked_at", t))
                        .transpose()?,
                }),
            };
            self.decide(Action::Consultation(databases::Consultation {
                article: u32::from(*article),
                officer_party: query.from.party.clone(),
                owner: self.node.me.party.clone(),
                database: database.clone(),
                authorisation,
                at: now,
                agreements,
                at_joint_police_post: *article == 15,
                patrol_active,
                from_vehicle: true,
            }))?
        };
        let mut refusal = (decision.verdict == Some(treaty::Verdict::Refused)).then(|| decision.reasons.join("; "));
        if refusal.is_none() {
            // Any authorisation in force whose conditions allow the consultation will do; when
            // none does, the preferred one's reason is given.
            if let Some(preferred) = &authorisation {
                refusal = self.owner_conditions(preferred, *article, now).await?;
            }
            for other in candidates.iter().skip(1).filter(|a| in_force(a, now)) {
                if refusal.is_none() {
                    break;
                }
                if self.owner_conditions(other, *article, now).await?.is_none() {
                    refusal = None;
                    authorisation = Some(other.clone());
                }
            }
        }
        match db {
            None if refusal.is_none() => refusal = Some(format!("{database} is not connected to this node")),
            Some(d) if refusal.is_none() && (*article == 17) != d.is_register() => {
                refusal = Some(if *article == 17 {
                    format!("Art. 17(1): {database} is not a population or public register")
                } else {
                    format!("Art. {article}(1): {database} is a register, consulted under Art. 17")
                });
            }
            _ => {}
        }
        let requester = query.from.to_string();
        let auth_id = authorisation.as_ref().map(|a| a.id.clone());
        let (body, basis) = match (refusal, db) {
            (None, Some(db)) => {
                let ids: Vec<String> = match subject {
                    Subject::Person(p) => db
                        .persons(&crate::desk::hits::query_of(p))
                        .into_iter()
                        .map(|m| m.id)
                        .collect(),
                    _ => Vec::new(),
                };
                let records = db.fetch(&ids).await.map_err(DeskError::unavailable)?;
                self.journal(
                    &node_actor,
                    Operation::Disclosure,
                    &format!(
                        "Art. {article}: {officer} consulted {database} under {} ({case_reference}): {} record(s)",
                        auth_id.clone().unwrap_or_default(),
                        records.len()
                    ),
                    Some(requester.clone()),
                    json!({ "message": query.id.to_string(), "authorisation": auth_id, "database": database,
                            "records": ids, "answered": true }),
                )
                .await?;
                (
                    Body::ConsultAnswer {
                        query: query.id,
                        records: records.iter().map(person_subject).collect(),
                    },
                    // Art. 15(4): from now on the consulting party is the controller.
                    if *article == 17 {
                        "17(1)".to_owned()
                    } else {
                        format!("{article}(4)")
                    },
                )
            }
            (refusal, _) => {
                let reasons = refusal.unwrap_or_default();
                self.journal(
                    &node_actor,
                    Operation::Consultation,
                    &format!("Art. {article}: consultation by {officer} of {database} refused: {reasons}"),
                    None,
                    json!({ "message": query.id.to_string(), "authorisation": auth_id, "decision": view.decision }),
                )
                .await?;
                (
                    Body::ConsultRefusal {
                        query: query.id,
                        reasons,
                    },
                    format!("{article}(2)"),
                )
            }
        };
        let answer = Envelope::new(
            self.my_address(None),
            query.from.clone(),
            self.now(),
            self.legal(&basis),
            body,
        )
        .replying_to(&query);
        self.sender
            .send(
                &answer,
                &node_actor,
                &format!("Art. {article}: answer to consultation {}", query.id),
            )
            .await?;
        Ok(())
    }
}

/// A stored instant, or an error naming its field.
pub(super) fn instant(field: &str, text: &str) -> Result<Timestamp, DeskError> {
    text.parse()
        .map_err(|e| DeskError::invalid(format!("{field}: '{text}' is not an instant with offset: {e}")))
}

/// Whether an authorisation is in force at `now`: begun, not expired, not revoked. Times are
/// compared as instants, not as strings: a supervisor may give them with any offset.
pub(super) fn in_force(a: &Authorisation, now: Timestamp) -> bool {
    let instant = |t: &str| t.parse::<Timestamp>().ok();
    instant(&a.valid_from).is_some_and(|from| from <= now)
        && a.valid_until
            .as_deref()
            .is_none_or(|u| instant(u).is_some_and(|until| now < until))
        && a.revoked_at
            .as_deref()
            .is_none_or(|r| instant(r).is_some_and(|revoked| now < revoked))
}

/// An officer's authorisations for one article and database in the order a consultation
/// considers them: those in force at `now` first, then the latest begun, then the highest id
/// (so that storage order never decides). When none is in force, the first is the latest
/// begun, so that the engine's refusal names why (not yet valid, expired or revoked).
pub(super) fn authorisations_in_order(
    authorisations: impl IntoIterator<Item = Authorisation>,
    now: Timestamp,
) -> Vec<Authorisation> {
    let mut ordered: Vec<Authorisation> = authorisations.into_iter().collect();
    ordered.sort_by_cached_key(|a| {
        std::cmp::Reverse((
            in_force(a, now),
            a.valid_from.parse::<Timestamp>().unwrap_or(Timestamp::MIN),
            a.id.clone(),
        ))
    });
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn authorisation(id: &str, from: &str, until: Option<&str>, revoked: Option<&str>) -> Authorisation {
        Authorisation {
            id: id.into(),
            article: 16,
            officer: "NL/nl.zwb".into(),
            databases: vec!["BE-ANG".into()],
            valid_from: from.into(),
            valid_until: until.map(Into::into),
            hours: None,
            daily_limit: None,
            granted_by: "BE/be.supervisor".into(),
            revoked_at: revoked.map(Into::into),
        }
    }

    pub(super) fn chosen(list: &[Authorisation], now: &str) -> Option<String> {
        authorisations_in_order(list.to_vec(), now.parse().expect("instant"))
            .first()
            .map(|a| a.id.clone())
    }

    #[test]
    pub(super) fn the_authorisation_in_force_wins_over_a_later_one_not_yet_valid_or_revoked() {
        let list = [
            authorisation("AUTH-a", "2026-11-01T00:00:00Z", Some("2026-12-01T00:00:00Z"), None),
            // Later begun, but revoked before now.
            authorisation("AUTH-b", "2026-11-10T00:00:00Z", None, Some("2026-11-20T00:00:00Z")),
            // Not yet valid.
            authorisation("AUTH-c", "2026-11-30T00:00:00Z", None, None),
        ];
        assert_eq!(chosen(&list, "2026-11-24T12:00:00Z").as_deref(), Some("AUTH-a"));
        // After AUTH-a expires, AUTH-c is in force.
        assert_eq!(chosen(&list, "2026-12-02T12:00:00Z").as_deref(), Some("AUTH-c"));
        // Before any is in force: the latest begun, so that the refusal says why.
        assert_eq!(chosen(&list, "2026-10-01T12:00:00Z").as_deref(), Some("AUTH-c"));
    }

    #[test]
    pub(super) fn instants_are_compared_not_strings_and_ties_go_to_the_highest_id() {
        // 10:00+02:00 is 08:00Z: earlier than 09:00Z, though its string sorts later.
        let list = [
            authorisation("AUTH-x", "2026-11-24T10:00:00+02:00", None, None),
            authorisation("AUTH-y", "2026-11-24T09:00:00Z", None, None),
        ];
        assert_eq!(chosen(&list, "2026-11-24T12:00:00Z").as_deref(), Some("AUTH-y"));
        let tied = [
            authorisation("AUTH-2", "2026-11-24T09:00:00Z", None, None),
            authorisation("AUTH-1", "2026-11-24T09:00:00Z", None, None),
        ];
        assert_eq!(chosen(&tied, "2026-11-24T12:00:00Z").as_deref(), Some("AUTH-2"));
        assert_eq!(chosen(&[], "2026-11-24T12:00:00Z"), None);
    }
}
