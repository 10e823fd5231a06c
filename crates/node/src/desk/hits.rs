//! Art. 14: hit/no-hit queries between nodes. The requesting officer's node checks the query
//! with the treaty engine (annex 6, an implementing agreement in force, an individual case) and
//! sends it; the owner's node checks it again, consults its national database, and answers only
//! "hit" or "no hit" — for a hit with an opaque reference that an Art. 4 request quotes to obtain
//! the data (Art. 14(2)). Both sides journal the query: who, why, when, the result.

use protocol::{Body, Envelope, Object, ObjectKind, Person, Purpose, Subject};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Direction, JournalStore, MessageQuery, Operation, Record, StoredMessage, User};
use treaty::rules::databases;
use treaty::{Action, Verdict};

use super::{party, Desk, DeskError, Sent};
use crate::accounts::Role;
use crate::national::{self, NationalDatabase};

const HIT_REFERENCE: &str = "hit_reference";

/// An officer's hit/no-hit query.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HitQueryAsk {
    /// The party whose database is queried.
    pub to_party: String,
    /// The database, as annex 6 names it (`BVH`, `ANG`).
    pub database: String,
    /// One person or object: a query about several is a bulk query, which Art. 14(3) forbids.
    pub subjects: Vec<Subject>,
    /// The officer's file and why it needs the answer (the individual case of Art. 14(3)).
    pub case_reference: String,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose: Option<Purpose>,
}

/// One question to every partner database the agreements allow (Prüm-style).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HitQueryEverywhere {
    /// One person or object.
    pub subjects: Vec<Subject>,
    /// The officer's file and why it needs the answers (Art. 14(3)).
    pub case_reference: String,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose: Option<Purpose>,
}

/// What the fan-out did: the queries sent, and the databases the treaty did not allow, each
/// with the engine's reasons.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FanOut {
    pub sent: Vec<FannedQuery>,
    pub not_asked: Vec<FannedQuery>,
}

/// One partner database of a fan-out.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FannedQuery {
    pub party: String,
    pub database: String,
    /// The query's id, when it was sent.
    pub message_id: Option<String>,
    pub articles: Vec<String>,
    pub reasons: Vec<String>,
}

/// The matching engine's query for a person of a message.
pub(super) fn query_of(person: &Person) -> matching::Query {
    matching::Query {
        given_names: person.given_names.join(" "),
        surname: person.surname.clone(),
        birth_date: person.birth_date,
    }
}

fn object_kind(kind: &ObjectKind) -> Option<national::ObjectKind> {
    match kind {
        ObjectKind::Vehicle => Some(national::ObjectKind::Vehicle),
        ObjectKind::Document => Some(national::ObjectKind::Document),
        ObjectKind::Firearm => Some(national::ObjectKind::Firearm),
        _ => None,
    }
}

/// A query this officer (or their desk) sent, with its answer once it came.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HitQueryView {
    pub id: String,
    /// Local time.
    pub at: String,
    pub to: String,
    pub database: String,
    /// The person or object, as an officer reads it.
    pub subject: String,
    pub case_reference: String,
    /// `hit`, `possible_hit` (check it by a request quoting the reference), `no_hit`, `refused`,
    /// or absent while waiting.
    pub outcome: Option<String>,
    pub reference: Option<String>,
    pub reasons: Option<String>,
    /// For a person: to pre-fill the Art. 4 request.
    pub surname: String,
    pub given_names: String,
    pub birth_date: String,
    pub to_party: String,
}

fn subject_text(subject: &Subject) -> String {
    match subject {
        Subject::Person(p) => format!(
            "{}, {}{}",
            p.surname,
            p.given_names.join(" "),
            p.birth_date.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        Subject::Object(o) => format!("{:?} {}", o.kind, o.identifier).to_lowercase(),
        _ => String::new(),
    }
}

impl Desk {
    /// The hit/no-hit queries the user may see, newest first, with their answers.
    pub async fn hit_queries(&self, user: &User) -> Result<Vec<HitQueryView>, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        // The latest 100 queries sent, each with the answer that replies to it.
        let sent = self
            .node
            .store
            .messages(MessageQuery {
                kind: Some("hit_query".into()),
                direction: Some(Direction::Outgoing),
                newest_first: true,
                limit: Some(100),
                ..MessageQuery::default()
            })
            .await?;
        let mut answers = std::collections::HashMap::new();
        for m in &sent {
            for reply in self.replies_to(&m.message_id).await? {
                if let Ok(env) = serde_json::from_str::<Envelope>(&reply.bytes) {
                    answers.insert(m.message_id.clone(), env.body);
                }
            }
        }
        let mut out = Vec::new();
        for m in sent {
            let Ok(env) = serde_json::from_str::<Envelope>(&m.bytes) else {
                continue;
            };
            if !self.may_see(user, &m, &env) {
                continue;
            }
            let Body::HitQuery {
                database,
                subject,
                case_reference,
                ..
            } = &env.body
            else {
                continue;
            };
            let (outcome, reference, reasons) = match answers.get(&m.message_id) {
                Some(Body::HitAnswer {
                    hit,
                    possible,
                    reference,
                    ..
                }) => (
                    Some(
                        match (hit, possible) {
                            (true, _) => "hit",
                            (false, true) => "possible_hit",
                            _ => "no_hit",
                        }
                        .to_owned(),
                    ),
                    reference.clone(),
                    None,
                ),
                Some(Body::HitRefusal { reasons, .. }) => (Some("refused".to_owned()), None, Some(reasons.clone())),
                _ => (None, None, None),
            };
            let (surname, given_names, birth_date) = match subject {
                Subject::Person(p) => (
                    p.surname.clone(),
                    p.given_names.join(" "),
                    p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                ),
                _ => Default::default(),
            };
            out.push(HitQueryView {
                id: m.message_id.clone(),
                at: self.local(m.at),
                to: env.to.to_string(),
                to_party: env.to.party.to_string(),
                database: database.clone(),
                subject: subject_text(subject),
                case_reference: case_reference.clone(),
                outcome,
                reference,
                reasons,
                surname,
                given_names,
                birth_date,
            });
        }
        Ok(out)
    }

    /// The engine's decision on a hit/no-hit query of `owner`'s `database` by `requesting`.
    async fn decide_hit_query(
        &self,
        requesting: &str,
        owner: &str,
        database: &str,
        individual_case: bool,
    ) -> Result<(super::DecisionView, treaty::Decision), DeskError> {
        let agreements = self.agreements_for_engine().await?;
        self.decide(Action::HitNoHit(databases::HitNoHit {
            requesting: party(requesting)?,
            owner: party(owner)?,
            database: database.to_owned(),
            individual_case,
            at: self.now(),
            agreements,
        }))
    }

    /// Asks once, everywhere: a hit/no-hit query to every annex-6 database of every partner the
    /// engine allows now (Art. 14 with the implementing agreements in force); the answers come
    /// back one by one into [`Desk::hit_queries`].
    pub async fn hit_query_everywhere(&self, user: &User, ask: &HitQueryEverywhere) -> Result<FanOut, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        if ask.subjects.len() != 1 {
            return Err(DeskError::invalid("subjects: one person or one object (Art. 14(3))"));
        }
        let me = self.node.me.party.clone();
        let mut out = FanOut {
            sent: Vec::new(),
            not_asked: Vec::new(),
        };
        let targets: Vec<(String, String)> = self
            .profile
            .databases
            .iter()
            .filter(|d| d.art14 && d.party != me)
            .map(|d| (d.party.to_string(), d.id.to_string()))
            .collect();
        for (owner, database) in targets {
            let (view, decision) = self
                .decide_hit_query(me.as_str(), &owner, &database, !ask.case_reference.trim().is_empty())
                .await?;
            let mut line = FannedQuery {
                party: owner.clone(),
                database: database.clone(),
                message_id: None,
                articles: view.articles.clone(),
                reasons: view.reasons.clone(),
            };
            if decision.verdict == Some(Verdict::Refused) {
                out.not_asked.push(line);
                continue;
            }
            let sent = self
                .hit_query(
                    user,
                    &HitQueryAsk {
                        to_party: owner,
                        database,
                        subjects: ask.subjects.clone(),
                        case_reference: ask.case_reference.clone(),
                        purpose: ask.purpose,
                    },
                )
                .await?;
            line.message_id = sent.message_id;
            out.sent.push(line);
        }
        Ok(out)
    }

    /// Sends a hit/no-hit query (Art. 14), if the treaty allows it.
    pub async fn hit_query(&self, user: &User, ask: &HitQueryAsk) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let owner = party(&ask.to_party)?;
        let to_node = self.node_of(&owner)?;
        let subject = match ask.subjects.as_slice() {
            [one @ (Subject::Person(_) | Subject::Object(_))] => Some(one.clone()),
            _ => None,
        };
        if ask.subjects.is_empty() {
            return Err(DeskError::invalid(
                "subjects: name the person or object the query is about",
            ));
        }
        // Art. 14(3): individual cases only — one subject, and the file it is for.
        let individual_case = subject.is_some() && !ask.case_reference.trim().is_empty();
        let database = ask.database.trim().to_uppercase();
        let (view, decision) = self
            .decide_hit_query(self.node.me.party.as_str(), owner.as_str(), &database, individual_case)
            .await?;
        self.require(&view, &decision, "this hit/no-hit query")?;
        let Some(subject) = subject else {
            return Err(DeskError::invalid("subjects: one person or one object"));
        };
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            protocol::NodeAddress {
                party: owner.clone(),
                node: to_node.id.clone(),
                unit: None,
            },
            self.now(),
            self.legal("14(1)"),
            Body::HitQuery {
                database: database.clone(),
                subject,
                purpose: ask.purpose.unwrap_or(Purpose::Criminal),
                case_reference: ask.case_reference.trim().to_owned(),
            },
        );
        self.dispatch(
            user,
            &envelope,
            &format!(
                "Art. 14: hit/no-hit query of {owner} {database} for {}",
                ask.case_reference.trim()
            ),
        )
        .await?;
        Ok(self.sent(&envelope, vec![view]))
    }

    /// The owner's side: answers every received hit/no-hit query not answered yet. Run after
    /// each arrival and periodically, so a query received just before a crash is still answered.
    pub async fn answer_hit_queries(&self) -> Result<usize, DeskError> {
        let waiting = self.unanswered("hit_query").await?;
        for m in &waiting {
            self.answer_one(m).await?;
        }
        Ok(waiting.len())
    }

    async fn answer_one(&self, message: &StoredMessage) -> Result<(), DeskError> {
        let node_actor = self.node_actor();
        let query: Envelope = serde_json::from_str(&message.bytes)
            .map_err(|e| DeskError::unavailable(format!("stored query {}: {e}", message.message_id)))?;
        let Body::HitQuery {
            database,
            subject,
            case_reference,
            ..
        } = &query.body
        else {
            return Ok(());
        };
        // The owner checks the query too: its agreements, its annex 6.
        let (view, decision) = self
            .decide_hit_query(
                query.from.party.as_str(),
                self.node.me.party.as_str(),
                database,
                !case_reference.trim().is_empty(),
            )
            .await?;
        let db: Option<&std::sync::Arc<dyn NationalDatabase>> =
            self.node.databases.iter().find(|d| d.id() == database.as_str());
        let refusal = if decision.verdict == Some(treaty::Verdict::Refused) {
            Some(decision.reasons.join("; "))
        } else if db.is_none() {
            Some(format!("{database} is not connected to this node"))
        } else {
            None
        };
        let requester = query.from.to_string();
        let body = match (refusal, db) {
            (None, Some(db)) => {
                // A possible hit (matching::Grade) is answered as such: no hit, but a reference
                // to check by request.
                let (ids, sure): (Vec<String>, bool) = match subject {
                    Subject::Person(p) => {
                        let found = db.persons(&query_of(p));
                        let sure = found.iter().any(|m| m.grade == matching::Grade::Hit);
                        (found.into_iter().map(|m| m.id).collect(), sure)
                    }
                    Subject::Object(Object { kind, identifier, .. }) => match object_kind(kind) {
                        Some(k) => (db.objects(k, identifier), true),
                        None => (Vec::new(), true),
                    },
                    _ => (Vec::new(), true),
                };
                let reference = if ids.is_empty() {
                    None
                } else {
                    let mut token = [0u8; 12];
                    OsRng.fill_bytes(&mut token);
                    let reference = format!("HIT-{}", hex::encode(token));
                    // Only the owner can resolve the reference (Art. 14(2): the data follow an
                    // Art. 4 request quoting it).
                    self.node
                        .store
                        .put_record(Record {
                            kind: HIT_REFERENCE.into(),
                            key: reference.clone(),
                            value: json!({
                                "query": query.id.to_string(),
                                "database": database,
                                "records": ids,
                                "requester": requester,
                            }),
                            updated_by: node_actor.clone(),
                            updated_at: self.now(),
                        })
                        .await?;
                    Some(reference)
                };
                self.journal(
                    &node_actor,
                    Operation::Consultation,
                    &format!(
                        "Art. 14: {database} consulted for query {} from {requester} ({case_reference}): {}",
                        query.id,
                        match (ids.is_empty(), sure) {
                            (true, _) => "no hit",
                            (false, true) => "hit",
                            (false, false) => "possible hit, to check by request",
                        }
                    ),
                    Some(requester.clone()),
                    json!({
                        "message": query.id.to_string(),
                        "case": query.case.map(|c| c.to_string()),
                        "database": database,
                        "hit": !ids.is_empty() && sure,
                        "possible": !ids.is_empty() && !sure,
                        "reference": reference,
                        "records": ids.len(),
                    }),
                )
                .await?;
                Body::HitAnswer {
                    query: query.id,
                    hit: reference.is_some() && sure,
                    possible: reference.is_some() && !sure,
                    reference,
                }
            }
            (refusal, _) => {
                let reasons = refusal.unwrap_or_else(|| format!("{database} is not connected to this node"));
                self.journal(
                    &node_actor,
                    Operation::Consultation,
                    &format!("Art. 14: query {} from {requester} refused: {reasons}", query.id),
                    None,
                    json!({ "message": query.id.to_string(), "database": database, "decision": view.decision }),
                )
                .await?;
                Body::HitRefusal {
                    query: query.id,
                    reasons,
                }
            }
        };
        let answer = Envelope::new(
            self.my_address(None),
            query.from.clone(),
            self.now(),
            self.legal("14(1)"),
            body,
        )
        .replying_to(&query);
        self.sender
            .send(
                &answer,
                &node_actor,
                &format!("Art. 14: answer to hit/no-hit query {}", query.id),
            )
            .await?;
        Ok(())
    }

    /// What a hit reference stands for, for the owner's operator answering the Art. 4 request.
    pub async fn hit_reference(&self, user: &User, reference: &str) -> Result<serde_json::Value, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Supervisor])?;
        self.node
            .store
            .record(HIT_REFERENCE, reference)
            .await?
            .map(|r| r.value)
            .ok_or_else(|| DeskError::not_found(format!("no hit reference '{reference}' on this node")))
    }
}
