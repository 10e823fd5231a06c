//! What a node's administrators and supervisors keep and work through besides messages:
//! implementing agreements (Art. 62(2)), the contact-point directory (Art. 6(3)), accounts, the
//! supervisors' consent queue (Art. 11) and the data-protection officer's journal search.
//! Every change is journaled as an alteration (Directive 2016/680 Art. 25).

use std::collections::HashSet;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{JournalQuery, JournalStore, Operation, Record, User};
use treaty::{Agreement, DatabaseId, PartyCode};

use super::{actor, party, Desk, DeskError, MessageSummary, NewUser};
use crate::accounts::Role;

const AGREEMENT: &str = "agreement";
const CONTACT: &str = "contact";

/// An implementing agreement as recorded by an administrator.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgreementRecord {
    /// The administrator's reference, e.g. `BE-NL-2025-14`.
    pub reference: String,
    pub title: String,
    #[schema(value_type = Object)]
    pub agreement: Agreement,
    /// In force today (this node's local date).
    #[serde(default)]
    pub in_force_today: bool,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub updated_at: String,
}

/// How a contact point is reached (Art. 6(1)–(3), 6(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// Art. 6(1).
    NationalContactPoint,
    /// Art. 6(2).
    RegionalContactPoint,
    /// Arts. 6(2), 30.
    JointPoliceCentre,
    /// Arts. 6(5), 27.
    LiaisonOfficer,
}

impl ContactKind {
    pub const ALL: [ContactKind; 4] = [
        ContactKind::NationalContactPoint,
        ContactKind::RegionalContactPoint,
        ContactKind::JointPoliceCentre,
        ContactKind::LiaisonOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::NationalContactPoint => "national_contact_point",
            ContactKind::RegionalContactPoint => "regional_contact_point",
            ContactKind::JointPoliceCentre => "joint_police_centre",
            ContactKind::LiaisonOfficer => "liaison_officer",
        }
    }
}

/// One contact point of the directory.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub party: String,
    /// The unit as addresses name it (`Antwerpen`; `NCP` for the national contact point).
    pub unit: String,
    pub kind: ContactKind,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// E.g. `24/7` or `Mon–Fri 08:00–18:00`.
    #[serde(default)]
    pub hours: String,
    /// Languages spoken at the desk (ISO 639-1).
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub updated_at: String,
}

/// A consent request waiting for a supervisor's decision.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueuedConsent {
    pub summary: MessageSummary,
    /// The provision it is about.
    pub about: String,
    pub uses: Vec<String>,
    pub reasons: String,
}

fn valid_date(field: &str, text: &str) -> Result<Date, DeskError> {
    text.trim()
        .parse()
        .map_err(|e| DeskError::invalid(format!("{field}: '{text}' is not a date YYYY-MM-DD ({e})")))
}

impl Desk {
    fn today(&self) -> Date {
        self.now().to_zoned(self.zone()).date()
    }

    async fn alteration(&self, user: &User, justification: &str, details: Value) -> Result<(), DeskError> {
        self.journal(&actor(user), Operation::Alteration, justification, None, details)
            .await
    }

    // ----------------------------------------------------------------------- agreements

    /// The implementing agreements recorded on this node.
    pub async fn agreements(&self, user: &User) -> Result<Vec<AgreementRecord>, DeskError> {
        self.demand(user, &[Role::Admin, Role::Supervisor, Role::Dpo])?;
        self.agreement_records().await
    }

    async fn agreement_records(&self) -> Result<Vec<AgreementRecord>, DeskError> {
        let today = self.today();
        let mut out = Vec::new();
        for r in self.node.store.records(AGREEMENT).await? {
            let mut a: AgreementRecord = serde_json::from_value(r.value)
                .map_err(|e| DeskError::unavailable(format!("agreement {}: {e}", r.key)))?;
            a.in_force_today = a.agreement.in_force_on(today);
            a.updated_by = r.updated_by;
            a.updated_at = self.local(r.updated_at);
            out.push(a);
        }
        Ok(out)
    }

    /// The agreements of the profile and of this node's registry, for the engine (Art. 62(2)).
    pub async fn agreements_for_engine(&self) -> Result<Vec<Agreement>, DeskError> {
        Ok(self
            .profile
            .agreements
            .iter()
            .cloned()
            .chain(self.agreement_records().await?.into_iter().map(|a| a.agreement))
            .collect())
    }

    /// Records (or replaces) an implementing agreement after checking it against the profile.
    pub async fn put_agreement(&self, user: &User, record: &AgreementRecord) -> Result<(), DeskError> {
        self.demand(user, &[Role::Admin])?;
        let reference = record.reference.trim();
        if reference.is_empty() || reference.len() > 64 {
            return Err(DeskError::invalid("reference: give 1 to 64 characters"));
        }
        let a = &record.agreement;
        let mut parties = HashSet::new();
        for p in &a.parties {
            if self.profile.party(p).is_none() {
                return Err(DeskError::invalid(format!(
                    "parties: {p} is not a party to {}",
                    self.profile.id
                )));
            }
            parties.insert(p.clone());
        }
        // Art. 62(2): agreements are concluded between parties; this node records its own.
        if parties.len() < 2 || !parties.contains(&self.node.me.party) {
            return Err(DeskError::invalid(format!(
                "parties: an implementing agreement binds {} and at least one other party",
                self.node.me.party
            )));
        }
        if a.articles.is_empty() {
            return Err(DeskError::invalid("articles: name the articles it implements, e.g. 14"));
        }
        for article in &a.articles {
            if !article.parse::<u32>().is_ok_and(|n| (1..=67).contains(&n)) {
                return Err(DeskError::invalid(format!(
                    "articles: '{article}' is not an article of the treaty (1–67)"
                )));
            }
        }
        for db in &a.databases {
            match self.profile.database(db.as_str()) {
                Some(d) if parties.contains(&d.party) => {}
                Some(d) => {
                    return Err(DeskError::invalid(format!(
                        "databases: {db} belongs to {}, which is not a party to this agreement",
                        d.party
                    )))
                }
                None => {
                    return Err(DeskError::invalid(format!(
                        "databases: {db} is in neither annex 5 nor annex 6 (Art. 5)"
                    )))
                }
            }
        }
        if a.in_force_until.is_some_and(|until| until < a.in_force_from) {
            return Err(DeskError::invalid("in_force_until: before in_force_from"));
        }
        let stored = AgreementRecord {
            reference: reference.to_owned(),
            title: record.title.trim().to_owned(),
            agreement: a.clone(),
            in_force_today: false,
            updated_by: String::new(),
            updated_at: String::new(),
        };
        let value = serde_json::to_value(&stored).map_err(|e| DeskError::invalid(e.to_string()))?;
        self.node
            .store
            .put_record(Record {
                kind: AGREEMENT.into(),
                key: stored.reference.clone(),
                value: value.clone(),
                updated_by: actor(user),
                updated_at: self.now(),
            })
            .await?;
        self.alteration(
            user,
            &format!("Art. 62(2): implementing agreement {reference} recorded"),
            json!({ "agreement": value }),
        )
        .await
    }

    /// Parses the administrator's form fields into an agreement.
    pub fn agreement_from_fields(
        reference: &str,
        title: &str,
        parties: &str,
        articles: &str,
        databases: &str,
        from: &str,
        until: &str,
    ) -> Result<AgreementRecord, DeskError> {
        let list = |text: &str| -> Vec<String> {
            text.split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let parties = list(parties)
            .iter()
            .map(|p| party(p))
            .collect::<Result<Vec<PartyCode>, _>>()?;
        let databases = list(databases)
            .iter()
            .map(|d| DatabaseId::parse(d).map_err(|e| DeskError::invalid(format!("databases: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AgreementRecord {
            reference: reference.to_owned(),
            title: title.to_owned(),
            agreement: Agreement {
                parties,
                articles: list(articles),
                databases,
                in_force_from: valid_date("in_force_from", from)?,
                in_force_until: Some(until.trim())
                    .filter(|u| !u.is_empty())
                    .map(|u| valid_date("in_force_until", u))
                    .transpose()?,
            },
            in_force_today: false,
            updated_by: String::new(),
            updated_at: String::new(),
        })
    }

    /// Removes an agreement from the registry (it ended or was recorded in error).
    pub async fn delete_agreement(&self, user: &User, reference: &str) -> Result<(), DeskError> {
        self.demand(user, &[Role::Admin])?;
        if !self.node.store.delete_record(AGREEMENT, reference).await? {
            return Err(DeskError::not_found(format!("no agreement '{reference}'")));
        }
        self.alteration(
            user,
            &format!("Art. 62(2): implementing agreement {reference} removed"),
            json!({ "agreement": reference }),
        )
        .await
    }

    // ----------------------------------------------------------------------- directory

    /// The contact points this node knows (Art. 6(3): parties tell each other every change).
    pub async fn contacts(&self) -> Result<Vec<Contact>, DeskError> {
        let mut out = Vec::new();
        for r in self.node.store.records(CONTACT).await? {
            let mut c: Contact = serde_json::from_value(r.value)
                .map_err(|e| DeskError::unavailable(format!("contact {}: {e}", r.key)))?;
            c.updated_by = r.updated_by;
            c.updated_at = self.local(r.updated_at);
            out.push(c);
        }
        Ok(out)
    }

    pub async fn put_contact(&self, user: &User, contact: &Contact) -> Result<(), DeskError> {
        self.demand(user, &[Role::Admin])?;
        let p = party(&contact.party)?;
        if self.profile.party(&p).is_none() {
            return Err(DeskError::invalid(format!(
                "party: {p} is not a party to {}",
                self.profile.id
            )));
        }
        let unit = contact.unit.trim();
        if unit.is_empty() || unit.len() > 80 {
            return Err(DeskError::invalid("unit: give 1 to 80 characters"));
        }
        if !contact.email.is_empty() && !contact.email.contains('@') {
            return Err(DeskError::invalid(format!(
                "email: '{}' is not an address",
                contact.email
            )));
        }
        let stored = Contact {
            party: p.to_string(),
            unit: unit.to_owned(),
            updated_by: String::new(),
            updated_at: String::new(),
            ..contact.clone()
        };
        let key = format!("{}/{}", stored.party, stored.unit);
        let value = serde_json::to_value(&stored).map_err(|e| DeskError::invalid(e.to_string()))?;
        self.node
            .store
            .put_record(Record {
                kind: CONTACT.into(),
                key: key.clone(),
                value: value.clone(),
                updated_by: actor(user),
                updated_at: self.now(),
            })
            .await?;
        self.alteration(
            user,
            &format!("Art. 6(3): contact point {key} recorded"),
            json!({ "contact": value }),
        )
        .await
    }

    pub async fn delete_contact(&self, user: &User, key: &str) -> Result<(), DeskError> {
        self.demand(user, &[Role::Admin])?;
        if !self.node.store.delete_record(CONTACT, key).await? {
            return Err(DeskError::not_found(format!("no contact point '{key}'")));
        }
        self.alteration(
            user,
            &format!("Art. 6(3): contact point {key} removed"),
            json!({ "contact": key }),
        )
        .await
    }

    // ----------------------------------------------------------------------- accounts

    /// The accounts of this node, for its administrators.
    pub async fn accounts(&self, user: &User) -> Result<Vec<User>, DeskError> {
        self.demand(user, &[Role::Admin])?;
        Ok(self.node.store.users().await?)
    }

    /// An administrator creates or replaces an account of their own party (replacing one ends
    /// its sessions: a changed role or password takes effect at once).
    pub async fn administer_user(&self, user: &User, new: NewUser) -> Result<(), DeskError> {
        self.demand(user, &[Role::Admin])?;
        if new.party != self.node.me.party.as_str() {
            return Err(DeskError::invalid(format!(
                "party: accounts of this node belong to {}",
                self.node.me.party
            )));
        }
        let username = new.username.clone();
        let roles = new.roles.clone();
        let account = Self::hashed_account(new, self.now()).await?;
        self.node.store.put_user(account).await?;
        self.alteration(
            user,
            &format!("account {username} recorded with roles {}", roles.join(", ")),
            json!({ "account": username, "roles": roles }),
        )
        .await
    }

    // ----------------------------------------------------------------------- consent queue

    /// Consent requests received and not yet decided, oldest first (Art. 11: consent comes
    /// before the use, so the requester is waiting).
    pub async fn consent_queue(&self, user: &User) -> Result<Vec<QueuedConsent>, DeskError> {
        self.demand(user, &[Role::Supervisor])?;
        let mut out = Vec::new();
        for m in self.unanswered("consent_request").await? {
            let Ok(envelope) = serde_json::from_str::<protocol::Envelope>(&m.bytes) else {
                continue;
            };
            if let protocol::Body::ConsentRequest { about, uses, reasons } = &envelope.body {
                out.push(QueuedConsent {
                    about: about.to_string(),
                    uses: uses
                        .iter()
                        .map(|u| serde_json::to_value(u).ok().and_then(|v| v.as_str().map(str::to_owned)))
                        .map(Option::unwrap_or_default)
                        .collect(),
                    reasons: reasons.clone(),
                    summary: self.summary(&m, &envelope).await?,
                });
            }
        }
        Ok(out)
    }

    // ----------------------------------------------------------------------- journal search

    /// The data-protection officer's search of the journal, newest first.
    pub async fn search_journal(&self, user: &User, query: JournalQuery) -> Result<Vec<store::Entry>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        Ok(self.node.store.journal_search(query).await?)
    }

    /// Journals that the data-protection officer exported part of the journal.
    pub async fn journal_exported(&self, user: &User, filter: &str, count: usize) -> Result<(), DeskError> {
        self.demand(user, &[Role::Dpo, Role::Admin])?;
        self.journal(
            &actor(user),
            Operation::Consultation,
            &format!("Directive 2016/680 Art. 25(2): journal exported for verification ({count} entries; {filter})"),
            None,
            json!({ "export": filter, "entries": count }),
        )
        .await
    }
}
