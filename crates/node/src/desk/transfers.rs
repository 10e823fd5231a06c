//! Directive 2016/680 Chapter V at the desk: a member state's officer passes data to a third
//! country (Albania, say), decided by the engine's `transfer.third_country` before anything
//! leaves. Data received from another member state need its prior authorisation, asked and
//! granted through grens as a consent (`third_country_transfer`), or the Art. 35(2) urgency path
//! with the notice sent at once. Each transfer's documentation is the journal entry of its
//! disclosure (the outbox writes it with the message, in one transaction) and is exported for
//! the supervisory authority by [`Desk::transfer_records`].

use super::*;

use crate::accounts::Role;
use protocol::{Channel, ConsentUse, MessageId, TransferBasis};
use store::{Direction, Entry, JournalQuery, MessageQuery, Operation};
use treaty::{Addressee, ObligationKind};

/// What the officer states about a transfer; the engine decides on it (the field names are the
/// engine's, `transfer.third_country`). Who sends, where the data came from and whether that
/// state has authorised it are the desk's to fill in, from the data themselves.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferFacts {
    /// `competent_authority` (Art. 35(1)(b)) or `other` (Art. 39).
    pub recipient: String,
    /// `criminal`, `public_security` (Art. 1(1)) or `other`.
    pub purpose: String,
    /// Art. 36: the Commission decided the country ensures an adequate level of protection.
    #[serde(default)]
    pub adequacy_decision: bool,
    /// Art. 37(1): `legally_binding_instrument` or `controller_assessment`.
    #[serde(default)]
    pub safeguards: Option<String>,
    /// Art. 38(1): `vital_interests`, `data_subject_interests`, `public_security_threat`,
    /// `individual_case` or `legal_claims`.
    #[serde(default)]
    pub derogation: Option<String>,
    /// Art. 35(2): an immediate and serious threat to public security …
    #[serde(default)]
    pub immediate_serious_threat: bool,
    /// … and whether the originating state's authorisation can be obtained in good time.
    #[serde(default = "yes")]
    pub authorisation_obtainable_in_time: bool,
    /// Arts. 38(2), 39(1)(b).
    #[serde(default)]
    pub rights_override_public_interest: bool,
    /// Art. 39(1)(a).
    #[serde(default)]
    pub strictly_necessary: bool,
    /// Art. 39(1).
    #[serde(default)]
    pub individual_case: bool,
    /// Art. 39(1)(c).
    #[serde(default)]
    pub competent_authority_ineffective: bool,
    /// Why, in the officer's words: the documentation's justification (Arts. 37(3), 38(3)).
    pub justification: String,
}

fn yes() -> bool {
    true
}

/// Passing received data to a third country.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThirdCountryTransfer {
    /// The third country (`AL`).
    pub to_party: String,
    #[serde(flatten)]
    pub facts: TransferFacts,
}

/// One transfer as documented for the supervisory authority (Directive 2016/680 Arts. 37(3),
/// 38(3), 39(4): "the date and time of the transfer, information about the receiving competent
/// authority, the justification for the transfer and the personal data transferred").
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferRecord {
    /// The journal entry that documents it (page backwards with `before`).
    pub seq: i64,
    /// Date and time, in this node's time zone.
    pub at: String,
    pub officer: String,
    /// The receiving authority: its address, and its name where the directory gives one.
    pub receiving_authority: String,
    pub message_id: String,
    pub kind: String,
    /// The provisions the decision cited.
    pub articles: Vec<String>,
    pub justification: String,
    pub received_from: Option<String>,
    /// The originating state's authorisation (its consent grant).
    pub authorisation: Option<String>,
    /// SHA-256 of the message as signed and sent.
    pub sha256: Option<String>,
    /// The data transferred, while the message is kept; `null` once it is erased.
    #[schema(value_type = Object)]
    pub data: Value,
    /// Delivery: pending, delivered, refused.
    pub delivery: Option<String>,
}

/// A page of transfer records, newest first.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferRecordsQuery {
    /// From this date (`2026-01-01`), inclusive.
    #[serde(default)]
    pub since: Option<String>,
    /// Until this date, exclusive.
    #[serde(default)]
    pub until: Option<String>,
    /// Records older than this `seq` (the next page).
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many (1–500, default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

impl Desk {
    /// Passes data this node received to a third country, if Chapter V allows it now; a refusal
    /// for want of the originating state's authorisation offers to ask it.
    pub async fn transfer_to_third_country(
        &self,
        user: &User,
        id: &str,
        t: &ThirdCountryTransfer,
    ) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&t.to_party)?;
        if !treaty::rules::transfers::chapter_v_applies(&self.node.me.party, &to_party) {
            return Err(DeskError::invalid(format!(
                "to_party: {to_party} is not a third country seen from {} (Directive 2016/680 Art. 35(1)); data go to a member state by the agreement's exchange",
                self.node.me.party
            )));
        }
        let (_, provided) = self.provided_data(user, id).await?;
        let to_node = self.node_of(&to_party)?;
        let origin = Some(provided.from.party.clone())
            .filter(|p| p != &self.node.me.party && treaty::rules::transfers::is_eu_member_state(p.as_str()));
        let authorisation = match &origin {
            Some(_) => self.authorisation(&provided).await?,
            None => None,
        };
        let cleared = self
            .clear_transfer(&to_party, Some(&t.facts), origin.as_ref(), authorisation)
            .map_err(|mut e| {
                if let (Some(_), None, ErrorKind::RefusedByTreaty) = (&origin, authorisation, e.error) {
                    e.offer = Some(Box::new(json!({
                        "action": "consent_request",
                        "path": format!("/api/v1/messages/{id}/consent-request"),
                        "body": { "uses": [ConsentUse::ThirdCountryTransfer], "reasons": t.facts.justification },
                        "to": provided.from.to_string(),
                    })));
                }
                e
            })?;
        let Some((view, decision, basis)) = cleared else {
            return Err(DeskError::invalid(format!(
                "to_party: {to_party} is not a third country"
            )));
        };
        let (subjects, text) = match &provided.body {
            Body::Provision { subjects, text, .. } | Body::SpontaneousProvision { subjects, text, .. } => {
                (subjects.clone(), text.clone())
            }
            _ => return Err(DeskError::invalid(format!("{id} carries no data to transfer"))),
        };
        let mut envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            NodeAddress::node(to_party.clone(), to_node.id.clone()),
            self.now(),
            legal_under(treaty::instrument::DIRECTIVE_2016_680, "35(1)"),
            Body::SpontaneousProvision {
                subjects,
                text,
                channel: Channel::Ncp,
                topic: None,
            },
        )
        .with_transfer(basis);
        // The provider's conditions travel with its data.
        envelope.handling = provided.handling.clone();
        self.dispatch(
            user,
            &envelope,
            &format!(
                "Directive 2016/680 Chapter V: data of {id} to {to_party} ({}): {}",
                view.articles.join(", "),
                t.facts.justification.trim()
            ),
        )
        .await?;
        let mut sent = self.sent(&envelope, vec![view]);
        sent.channel = "chapter_v".into();
        let notify_origin = decision
            .obligations
            .iter()
            .any(|o| o.kind == ObligationKind::Notify && o.to == Some(Addressee::OriginatingState));
        if notify_origin {
            sent.notices
                .push(self.notify_originating_state(user, &provided, &envelope, t).await?);
        }
        Ok(sent)
    }

    /// The Chapter V decision on sending personal data from this node to `to`, as the
    /// envelope's basis; `None` when `to` is no third country seen from here (a member state,
    /// or this node is in a third country itself). Refused, or without the officer's facts,
    /// it is an error naming what is missing.
    pub(super) fn clear_transfer(
        &self,
        to: &PartyCode,
        facts: Option<&TransferFacts>,
        received_from: Option<&PartyCode>,
        authorisation: Option<MessageId>,
    ) -> Result<Option<(DecisionView, Decision, TransferBasis)>, DeskError> {
        let me = &self.node.me.party;
        if !treaty::rules::transfers::chapter_v_applies(me, to) {
            return Ok(None);
        }
        let Some(facts) = facts else {
            return Err(DeskError::invalid(format!(
                "transfer: {me} is an EU member state and {to} a third country — state the Chapter V facts (recipient, purpose, basis, justification) of Directive 2016/680 Arts. 35–39"
            )));
        };
        if facts.justification.trim().is_empty() {
            return Err(DeskError::invalid(
                "justification: say why the data are transferred (Directive 2016/680 Arts. 37(3), 38(3))",
            ));
        }
        let (view, decision) = self.decide_transfer(to, facts, received_from, authorisation.is_some())?;
        if decision.verdict == Some(Verdict::Refused) {
            return Err(DeskError::refused(
                format!("the transfer to {to} is not allowed: {}", decision.reasons.join("; ")),
                serde_json::to_value(&view).unwrap_or(Value::Null),
            ));
        }
        let basis = TransferBasis {
            articles: decision.articles.clone(),
            justification: facts.justification.trim().to_owned(),
            received_from: received_from.cloned(),
            authorisation,
        };
        Ok(Some((view, decision, basis)))
    }

    /// The engine's Chapter V decision on sending data to `to` from this node.
    fn decide_transfer(
        &self,
        to: &PartyCode,
        f: &TransferFacts,
        received_from: Option<&PartyCode>,
        authorised: bool,
    ) -> Result<(DecisionView, Decision), DeskError> {
        self.decide_wire(&json!({
            "kind": "transfer.third_country",
            "from": self.node.me.party,
            "to": to,
            "recipient": f.recipient,
            "purpose": f.purpose,
            "received_from": received_from,
            "authorisation_of_originating_state": authorised,
            "immediate_serious_threat": f.immediate_serious_threat,
            "authorisation_obtainable_in_time": f.authorisation_obtainable_in_time,
            "adequacy_decision": f.adequacy_decision,
            "safeguards": f.safeguards,
            "derogation": f.derogation,
            "rights_override_public_interest": f.rights_override_public_interest,
            "strictly_necessary": f.strictly_necessary,
            "individual_case": f.individual_case,
            "competent_authority_ineffective": f.competent_authority_ineffective,
        }))
    }

    /// The originating state's authorisation of a transfer of `provided` to a third country:
    /// its latest consent grant for `third_country_transfer` in the data's case.
    async fn authorisation(&self, provided: &Envelope) -> Result<Option<MessageId>, DeskError> {
        let grants = self
            .node
            .store
            .messages(MessageQuery {
                kind: Some("consent_grant".into()),
                direction: Some(Direction::Incoming),
                case_id: provided.case.map(|c| c.to_string()),
                newest_first: true,
                ..MessageQuery::default()
            })
            .await?;
        Ok(grants.iter().find_map(|g| {
            let env = serde_json::from_str::<Envelope>(&g.bytes).ok()?;
            match env.body {
                Body::ConsentGrant { about, ref uses, .. }
                    if about == provided.id
                        && env.from.party == provided.from.party
                        && uses.contains(&ConsentUse::ThirdCountryTransfer) =>
                {
                    Some(env.id)
                }
                _ => None,
            }
        }))
    }

    /// Art. 35(2): "The authority responsible for giving prior authorisation shall be informed
    /// without delay." — the notice goes to the provider with the transfer.
    async fn notify_originating_state(
        &self,
        user: &User,
        provided: &Envelope,
        transfer: &Envelope,
        t: &ThirdCountryTransfer,
    ) -> Result<String, DeskError> {
        let notice = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            provided.from.clone(),
            self.now(),
            legal_under(treaty::instrument::DIRECTIVE_2016_680, "35(2)"),
            Body::TransferNotice {
                about: provided.id,
                transfer: transfer.id,
                destination: transfer.to.party.to_string(),
                reasons: t.facts.justification.trim().to_owned(),
            },
        )
        .replying_to(provided);
        self.dispatch(
            user,
            &notice,
            &format!(
                "Directive 2016/680 Art. 35(2): {} told of the transfer of its data {} to {} without prior authorisation",
                provided.from.party, provided.id, transfer.to.party
            ),
        )
        .await?;
        Ok(notice.id.to_string())
    }

    /// The transfers this node made to third countries, newest first, as documented for the
    /// supervisory authority. Reads the journal entries of the period asked (by date) and the
    /// page's messages, never the whole history.
    pub async fn transfer_records(
        &self,
        user: &User,
        q: &TransferRecordsQuery,
    ) -> Result<Vec<TransferRecord>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Supervisor])?;
        let day = |field: &str, v: &Option<String>| -> Result<Option<Timestamp>, DeskError> {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let date: jiff::civil::Date = s
                        .parse()
                        .map_err(|e| DeskError::invalid(format!("{field}: '{s}' is not a date (YYYY-MM-DD): {e}")))?;
                    if !(2000..=2100).contains(&date.year()) {
                        return Err(DeskError::invalid(format!("{field}: {s} is outside 2000–2100")));
                    }
                    date.to_zoned(self.zone())
                        .map(|z| z.timestamp())
                        .map_err(|e| DeskError::invalid(format!("{field}: {e}")))
                })
                .transpose()
        };
        let limit = q.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(DeskError::invalid(format!("limit: {limit} is outside 1–500")));
        }
        let entries = self
            .node
            .store
            .journal_search(JournalQuery {
                operation: Some(Operation::Disclosure),
                since: day("since", &q.since)?,
                until: day("until", &q.until)?,
                before_seq: q.before,
                details: vec![("chapter_v".into(), Value::Bool(true))],
                limit,
                ..JournalQuery::default()
            })
            .await?;
        let mut records = Vec::with_capacity(entries.len());
        for Entry { seq, entry: e, .. } in entries {
            let basis: Option<TransferBasis> = serde_json::from_value(e.details["transfer"].clone()).ok();
            let message_id = e.message_id.clone().unwrap_or_default();
            let message = self
                .node
                .store
                .messages(MessageQuery {
                    message_id: Some(message_id.clone()),
                    direction: Some(Direction::Outgoing),
                    ..MessageQuery::default()
                })
                .await?
                .into_iter()
                .next();
            let data = message
                .as_ref()
                .and_then(|m| serde_json::from_str::<Value>(&m.bytes).ok())
                .and_then(|v| v.get("body").cloned())
                .unwrap_or(Value::Null);
            let recipient = e.recipient.clone().unwrap_or_default();
            // The agreement's profile names the partner's contact points (SI's knows AL's).
            let name = recipient.split('/').nth(1).and_then(|node| {
                self.profile
                    .parties
                    .iter()
                    .flat_map(|p| &p.contact_points)
                    .find(|c| c.id == node)
                    .map(|c| c.name.clone())
            });
            records.push(TransferRecord {
                seq,
                at: self.local(e.at),
                officer: e.actor.clone(),
                receiving_authority: match name {
                    Some(name) => format!("{recipient} ({name})"),
                    None => recipient,
                },
                message_id,
                kind: e.details["kind"].as_str().unwrap_or_default().to_owned(),
                articles: basis
                    .as_ref()
                    .map(|b| b.articles.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                justification: basis.as_ref().map(|b| b.justification.clone()).unwrap_or_default(),
                received_from: basis
                    .as_ref()
                    .and_then(|b| b.received_from.as_ref())
                    .map(ToString::to_string),
                authorisation: basis.as_ref().and_then(|b| b.authorisation).map(|a| a.to_string()),
                sha256: e.details["sha256"].as_str().map(str::to_owned),
                data,
                delivery: message.and_then(|m| m.state),
            });
        }
        Ok(records)
    }
}

/// An article of another instrument than the desk's agreement (Directive 2016/680's Chapter V).
fn legal_under(instrument: &str, article: &str) -> LegalBasis {
    LegalBasis {
        instrument: instrument.to_owned(),
        article: article
            .parse()
            .expect("the article references of this module are valid"),
    }
}

/// Whether a consent ask or grant concerns a transfer to a third country: it is then given
/// under Directive 2016/680 Art. 35(1)(c), not the agreement's consent article.
pub(super) fn consent_basis(desk: &Desk, uses: &[ConsentUse], agreement_article: &str) -> LegalBasis {
    if uses.contains(&ConsentUse::ThirdCountryTransfer) {
        legal_under(treaty::instrument::DIRECTIVE_2016_680, "35(1)(c)")
    } else {
        desk.legal(agreement_article)
    }
}
