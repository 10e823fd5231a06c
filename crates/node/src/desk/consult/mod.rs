//! Arts. 15–16: direct consultation of a partner's databases under named authorisations. The
//! service that owns a database grants an authorisation by name to an officer the partner
//! nominated (databases, validity, hours of the day, a daily limit) and can revoke it at once; the
//! officer, at a joint police post (15) or on a mixed patrol started here (16), consults within it.
//! Every check runs on the owner's node at each query, so a revocation or the end of a patrol
//! takes effect on the very next one; the owner sees every use; the consulting party becomes the
//! controller of what it consulted (15(4)).

mod answer;
mod authorisations;

pub use authorisations::{Authorisation, Patrol, Supervised};

use protocol::{Body, Envelope, Person, Subject};

use serde::{Deserialize, Serialize};

use serde_json::Value;

use store::{JournalStore, Record, User};

use super::{actor, party, Desk, DeskError, Sent};

use crate::accounts::Role;

const AUTHORISATION: &str = "authorisation";

const PATROL: &str = "patrol";

/// A consultation an officer asks for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsultAsk {
    pub to_party: String,
    pub database: String,
    pub article: u8,
    pub subjects: Vec<Subject>,
    pub case_reference: String,
    /// Art. 16: the patrol's id at the owner.
    #[serde(default)]
    pub patrol: Option<String>,
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
            self.legal(&format!("{}(1)", ask.article)),
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
}
