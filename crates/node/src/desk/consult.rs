//! Arts. 15–16: direct consultation of a partner's databases under named authorisations. The
//! service that owns a database grants an authorisation by name to an officer the partner
//! nominated (databases, validity, hours of the day, a daily limit) and can revoke it at once; the
//! officer, at a joint police post (15) or on a mixed patrol started here (16), consults within it.
//! Every check runs on the owner's node at each query, so a revocation or the end of a patrol
//! takes effect on the very next one; the owner sees every use; the consulting party becomes the
//! controller of what it consulted (15(4)).

use treaty::rules::databases;
use treaty::Action;
use jiff::Timestamp;
use protocol::{Body, Envelope, OperationEventKind, Person, Subject};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{JournalQuery, JournalStore, Operation, Record, StoredMessage, User};

use super::{actor, legal, party, Desk, DeskError, Sent};
use crate::accounts::Role;

const AUTHORISATION: &str = "authorisation";
const PATROL: &str = "patrol";

/// A named authorisation (Arts. 15(2), 16(2)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Authorisation {
    /// Given by this node.
    #[serde(default)]
    pub id: String,
    /// 15 (joint police post) or 16 (mixed patrols).
    pub article: u8,
    /// The partner's officer, by name: `NL/nl.zwb` (party / user name at their node).
    pub officer: String,
    pub databases: Vec<String>,
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: Option<String>,
    /// Hours of the day (this node's zone) when consultation is allowed, e.g. 8 and 20.
    #[serde(default)]
    pub hours: Option<(u8, u8)>,
    /// At most this many consultations a day.
    #[serde(default)]
    pub daily_limit: Option<u32>,
    #[serde(default)]
    pub granted_by: String,
    #[serde(default)]
    pub revoked_at: Option<String>,
}

/// A mixed patrol or joint check (Art. 20), started and ended on the host's node.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Patrol {
    #[serde(default)]
    pub id: String,
    pub area: String,
    /// The partner officers on it: `NL/nl.zwb`.
    pub officers: Vec<String>,
    /// Empty while only planned.
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub ended_at: Option<String>,
    /// A planned patrol (Art. 20: "gemeenschappelijke patrouilles … plannen"): when it is to
    /// start; it enables Art. 16 consultation only once started.
    #[serde(default)]
    pub planned_for: Option<String>,
}

/// A consultation an officer asks for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsultAsk {
    pub to_party: String,
    pub database: String,
    pub article: u8,
    #[schema(value_type = Vec<Object>)]
    pub subjects: Vec<Subject>,
    pub case_reference: String,
    /// Art. 16: the patrol's id at the owner.
    #[serde(default)]
    pub patrol: Option<String>,
}

/// An authorisation with every use made of it, for the owner's supervision.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Supervised {
    #[serde(flatten)]
    pub authorisation: Authorisation,
    /// The journal's lines of each consultation under it, newest first.
    pub uses: Vec<String>,
}

fn new_id(prefix: &str) -> String {
    use rand_core::RngCore as _;
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}-{}", hex::encode(bytes))
}

fn person_subject(p: &crate::national::PersonRecord) -> Subject {
    Subject::Person(Person {
        given_names: p.person.given_names.split_whitespace().map(str::to_owned).collect(),
        surname: p.person.surname.clone(),
        birth_date: p.person.birth_date,
        nationalities: if p.nationality.is_empty() {
            Vec::new()
        } else {
            vec![p.nationality.clone()]
        },
        ..Person::default()
    })
}

impl Desk {
    pub(super) async fn record<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
        key: &str,
    ) -> Result<Option<T>, DeskError> {
        Ok(self
            .node
            .store
            .record(kind, key)
            .await?
            .and_then(|r| serde_json::from_value(r.value).ok()))
    }

    pub(super) async fn keep(
        &self,
        user_actor: &str,
        kind: &str,
        key: &str,
        value: &impl Serialize,
    ) -> Result<Value, DeskError> {
        let value = serde_json::to_value(value).map_err(|e| DeskError::invalid(e.to_string()))?;
        self.node
            .store
            .put_record(Record {
                kind: kind.into(),
                key: key.into(),
                value: value.clone(),
                updated_by: user_actor.into(),
                updated_at: self.now(),
            })
            .await?;
        Ok(value)
    }

    /// A supervisor of the owning service grants a named authorisation.
    pub async fn grant_authorisation(&self, user: &User, a: &Authorisation) -> Result<Authorisation, DeskError> {
        self.demand(user, &[Role::Supervisor])?;
        if a.article != 15 && a.article != 16 {
            return Err(DeskError::invalid(
                "article: 15 (joint police post) or 16 (mixed patrols)",
            ));
        }
        let (officer_party, name) = a
            .officer
            .split_once('/')
            .ok_or_else(|| DeskError::invalid("officer: write PARTY/user, e.g. NL/nl.zwb"))?;
        let officer_party = party(officer_party)?;
        if officer_party == self.node.me.party || name.trim().is_empty() {
            return Err(DeskError::invalid("officer: an officer of a partner, by name"));
        }
        for db in &a.databases {
            match self.profile.database(db) {
                Some(d) if d.party == self.node.me.party && d.in_annex6_for(u32::from(a.article)) => {}
                _ => {
                    return Err(DeskError::invalid(format!(
                        "databases: annex 6 does not list {db} of {} for Art. {}",
                        self.node.me.party, a.article
                    )))
                }
            }
        }
        let from: jiff::Timestamp = a
            .valid_from
            .parse()
            .map_err(|e| DeskError::invalid(format!("valid_from: {e}")))?;
        if let Some(u) = &a.valid_until {
            let until: jiff::Timestamp = u.parse().map_err(|e| DeskError::invalid(format!("valid_until: {e}")))?;
            if until <= from {
                return Err(DeskError::invalid("valid_until: before valid_from"));
            }
        }
        if let Some((h1, h2)) = a.hours {
            if h1 >= h2 || h2 > 24 {
                return Err(DeskError::invalid("hours: from < until, within 0–24"));
            }
        }
        let granted = Authorisation {
            id: new_id("AUTH"),
            granted_by: actor(user),
            revoked_at: None,
            ..a.clone()
        };
        let value = self.keep(&actor(user), AUTHORISATION, &granted.id, &granted).await?;
        self.journal(
            &actor(user),
            Operation::Alteration,
            &format!(
                "Art. {}(2): named authorisation {} granted to {} for {}",
                a.article,
                granted.id,
                a.officer,
                a.databases.join(", ")
            ),
            None,
            json!({ "authorisation": value }),
        )
        .await?;
        Ok(granted)
    }

    /// Arts. 15(3), 16(3): "De autorisatie kan op elk moment worden ingetrokken."
    pub async fn revoke_authorisation(&self, user: &User, id: &str) -> Result<Authorisation, DeskError> {
        self.demand(user, &[Role::Supervisor])?;
        let mut a: Authorisation = self
            .record(AUTHORISATION, id)
            .await?
            .ok_or_else(|| DeskError::not_found(format!("no authorisation '{id}'")))?;
        a.revoked_at = Some(self.now().to_string());
        self.keep(&actor(user), AUTHORISATION, id, &a).await?;
        self.journal(
            &actor(user),
            Operation::Alteration,
            &format!("Art. {}(3): authorisation {id} of {} revoked", a.article, a.officer),
            None,
            json!({ "authorisation": id }),
        )
        .await?;
        Ok(a)
    }

    /// The owner's supervision: every authorisation with every use made of it.
    pub async fn supervision(&self, user: &User) -> Result<Vec<Supervised>, DeskError> {
        self.demand(user, &[Role::Supervisor, Role::Dpo])?;
        let mut out = Vec::new();
        for r in self.node.store.records(AUTHORISATION).await? {
            let Ok(a) = serde_json::from_value::<Authorisation>(r.value) else {
                continue;
            };
            let uses = self
                .node
                .store
                .journal_search(JournalQuery {
                    limit: 10_000,
                    ..JournalQuery::default()
                })
                .await?
                .into_iter()
                .filter(|e| {
                    // Consultations name their message; the grant and revocation do not.
                    e.entry.details.get("message").is_some()
                        && e.entry.details.get("authorisation").and_then(Value::as_str) == Some(a.id.as_str())
                })
                .map(|e| format!("{} · {}", self.local(e.entry.at), e.entry.justification))
                .collect();
            out.push(Supervised { authorisation: a, uses });
        }
        Ok(out)
    }

    /// Art. 20: the host plans or starts a mixed patrol with partner officers named on it; the
    /// partners' nodes are told (their board shows it).
    pub async fn start_patrol(&self, user: &User, p: &Patrol) -> Result<Patrol, DeskError> {
        self.demand(user, &[Role::Supervisor, Role::ContactPoint])?;
        if p.officers.is_empty() || p.area.trim().is_empty() {
            return Err(DeskError::invalid(
                "a patrol has an area and at least one partner officer",
            ));
        }
        if let Some(officer) = p
            .officers
            .iter()
            .find(|o| o.split_once('/').is_none_or(|(party, _)| party.len() != 2))
        {
            return Err(DeskError::invalid(format!(
                "officers: '{officer}' is not PARTY/username (NL/nl.zwb)"
            )));
        }
        let planned = p.planned_for.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if let Some(t) = planned {
            t.parse::<Timestamp>()
                .map_err(|e| DeskError::invalid(format!("planned_for: '{t}' is not an instant with offset: {e}")))?;
        }
        let started = Patrol {
            id: new_id("PATROL"),
            started_at: if planned.is_some() {
                String::new()
            } else {
                self.now().to_string()
            },
            ended_at: None,
            planned_for: planned.map(str::to_owned),
            ..p.clone()
        };
        self.keep(&actor(user), PATROL, &started.id, &started).await?;
        self.journal(
            &actor(user),
            Operation::Alteration,
            &format!(
                "Art. 20: mixed patrol {} {} in {}",
                started.id,
                if planned.is_some() { "planned" } else { "started" },
                started.area
            ),
            None,
            json!({ "patrol": started.id }),
        )
        .await?;
        let event = if planned.is_some() {
            OperationEventKind::Planned
        } else {
            OperationEventKind::Started
        };
        self.patrol_event(user, &started, event).await?;
        Ok(started)
    }

    /// Art. 20: a planned patrol begins.
    pub async fn begin_patrol(&self, user: &User, id: &str) -> Result<Patrol, DeskError> {
        self.move_patrol(user, id, true).await
    }

    /// Art. 20: a patrol ends.
    pub async fn end_patrol(&self, user: &User, id: &str) -> Result<Patrol, DeskError> {
        self.move_patrol(user, id, false).await
    }

    /// Starts (`start`) or ends a patrol: kept, journaled, and told to the partners on its
    /// operation record.
    async fn move_patrol(&self, user: &User, id: &str, start: bool) -> Result<Patrol, DeskError> {
        self.demand(user, &[Role::Supervisor, Role::ContactPoint])?;
        let mut p: Patrol = self
            .record(PATROL, id)
            .await?
            .ok_or_else(|| DeskError::not_found(format!("no patrol '{id}'")))?;
        let now = self.now().to_string();
        let (word, event) = if start {
            if !p.started_at.is_empty() || p.ended_at.is_some() {
                return Err(DeskError::invalid(format!("patrol {id} has started already")));
            }
            p.started_at = now;
            ("started", OperationEventKind::Started)
        } else {
            if p.ended_at.is_some() {
                return Err(DeskError::invalid(format!("patrol {id} has ended already")));
            }
            p.ended_at = Some(now);
            ("ended", OperationEventKind::Ended)
        };
        self.keep(&actor(user), PATROL, id, &p).await?;
        self.journal(
            &actor(user),
            Operation::Alteration,
            &format!("Art. 20: mixed patrol {id} {word}"),
            None,
            json!({ "patrol": id }),
        )
        .await?;
        self.patrol_event(user, &p, event).await?;
        Ok(p)
    }

    /// The officer's side: sends a consultation to the owner, who decides.
    pub async fn consult(&self, user: &User, ask: &ConsultAsk) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let owner = party(&ask.to_party)?;
        let to_node = self.node_of(&owner)?;
        let [subject @ Subject::Person(_)] = ask.subjects.as_slice() else {
            return Err(DeskError::invalid("subjects: one person"));
        };
        if !(15..=17).contains(&ask.article) {
            return Err(DeskError::invalid(
                "article: 15, 16 (police databases) or 17 (registers)",
            ));
        }
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            protocol::NodeAddress::node(owner.clone(), to_node.id.clone()),
            self.now(),
            legal(&format!("{}(1)", ask.article)),
            Body::ConsultQuery {
                article: ask.article,
                officer: user.username.clone(),
                database: ask.database.trim().to_uppercase(),
                subject: subject.clone(),
                case_reference: ask.case_reference.trim().to_owned(),
                patrol: ask.patrol.clone(),
            },
        );
        self.dispatch(
            user,
            &envelope,
            &format!(
                "Art. {}: consultation of {owner} {} for {} ({})",
                ask.article,
                ask.database,
                ask.case_reference.trim(),
                user.username
            ),
        )
        .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }

    /// The owner's own conditions on a named authorisation, checked after the engine allowed
    /// the consultation: the hours of the day and the daily limit. `Some(reason)` refuses.
    /// Arts. 15(3), 16(3): "De bevoegde dienst … kan nadere voorwaarden stellen aan het
    /// verlenen van een autorisatie, alsmede richtlijnen geven voor het gebruik ervan."
    async fn owner_conditions(
        &self,
        a: &Authorisation,
        article: u8,
        now: Timestamp,
    ) -> Result<Option<String>, DeskError> {
        let local = now.to_zoned(self.zone());
        if let Some((from, until)) = a.hours {
            let hour = local.hour();
            if hour < i8::try_from(from).unwrap_or(0) || hour >= i8::try_from(until).unwrap_or(24) {
                return Ok(Some(format!(
                    "Art. {article}(3): authorisation {} allows consultation from {from}:00 to {until}:00 only",
                    a.id
                )));
            }
        }
        let Some(limit) = a.daily_limit else {
            return Ok(None);
        };
        let since = local
            .date()
            .to_zoned(self.zone())
            .map(|z| z.timestamp())
            .map_err(|e| DeskError::unavailable(e.to_string()))?;
        let used = self
            .node
            .store
            .journal_search(JournalQuery {
                // Each consultation answered is a disclosure to the partner.
                operation: Some(Operation::Disclosure),
                since: Some(since),
                limit: 10_000,
                ..JournalQuery::default()
            })
            .await?
            .iter()
            .filter(|e| {
                e.entry.details.get("authorisation").and_then(Value::as_str) == Some(a.id.as_str())
                    && e.entry.details.get("answered").and_then(Value::as_bool) == Some(true)
            })
            .count();
        Ok((used >= usize::try_from(limit).unwrap_or(usize::MAX)).then(|| {
            format!(
                "Art. {article}(3): the daily limit of {limit} consultations of authorisation {} is reached",
                a.id
            )
        }))
    }

    /// The owner's side: answers every consultation not answered yet (run with the Art. 14
    /// answers).
    pub async fn answer_consultations(&self) -> Result<usize, DeskError> {
        let waiting = self
            .unanswered("consult_query", &["consult_answer", "consult_refusal"])
            .await?;
        for m in &waiting {
            self.answer_consultation(m).await?;
        }
        Ok(waiting.len())
    }

    /// The owner's checks, in order: the engine (annex 6, agreement, named authorisation valid
    /// and not revoked, joint post or active patrol), then the owner's own conditions (hours of
    /// the day, daily limit).
    async fn answer_consultation(&self, message: &StoredMessage) -> Result<(), DeskError> {
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
                        .persons(&super::hits::query_of(p))
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
            legal(&basis),
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
fn instant(field: &str, text: &str) -> Result<Timestamp, DeskError> {
    text.parse()
        .map_err(|e| DeskError::invalid(format!("{field}: '{text}' is not an instant with offset: {e}")))
}

/// Whether an authorisation is in force at `now`: begun, not expired, not revoked. Times are
/// compared as instants, not as strings: a supervisor may give them with any offset.
fn in_force(a: &Authorisation, now: Timestamp) -> bool {
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
fn authorisations_in_order(
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

    fn authorisation(id: &str, from: &str, until: Option<&str>, revoked: Option<&str>) -> Authorisation {
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

    fn chosen(list: &[Authorisation], now: &str) -> Option<String> {
        authorisations_in_order(list.to_vec(), now.parse().expect("instant"))
            .first()
            .map(|a| a.id.clone())
    }

    #[test]
    fn the_authorisation_in_force_wins_over_a_later_one_not_yet_valid_or_revoked() {
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
    fn instants_are_compared_not_strings_and_ties_go_to_the_highest_id() {
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
