//! Named authorisations (Arts. 15(2)–(3), 16(2)–(3)) and mixed patrols (Art. 20) on the
//! owner's node.

use super::*;

use super::{actor, party, Desk, DeskError};
use crate::accounts::Role;
use jiff::Timestamp;
use protocol::OperationEventKind;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{JournalQuery, JournalStore, Operation, User};

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

/// An authorisation with every use made of it, for the owner's supervision.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Supervised {
    #[serde(flatten)]
    pub authorisation: Authorisation,
    /// The journal's lines of each consultation under it, newest first.
    pub uses: Vec<String>,
}

impl Desk {
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
    pub(super) async fn move_patrol(&self, user: &User, id: &str, start: bool) -> Result<Patrol, DeskError> {
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
}
