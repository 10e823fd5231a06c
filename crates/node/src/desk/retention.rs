//! Retention, erasure and correction notices (Directive 2016/680 Arts. 5, 7(3) and 16).
//!
//! A closed case comes up for review after the profile's `retention_first_review_days`; the
//! data-protection officer or a supervisor keeps it (with a reason, until the next review) or
//! erases it. Erasure replaces each message's stored bytes by a stub without personal data (the
//! journal chain commits to hashes and kinds, never to the content, so it still verifies), drops
//! the case's match keys and title, and tells every partner that received data of the case.

use protocol::{Body, Correction, Envelope, LegalBasis, MessageId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CaseChange, CaseStore, Direction, JournalStore, MessageQuery, NewEntry, Operation, User};

use super::{actor, CaseSummary, Desk, DeskError};
use crate::accounts::Role;

/// Why a case is erased or kept.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RetentionDecision {
    pub reason: String,
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Erasure {
    pub case: String,
    /// Messages whose content was erased.
    pub messages: usize,
    /// The correction notices sent (Directive 2016/680 Art. 7(3)), by message id.
    pub notices: Vec<String>,
    /// The journal entry of the erasure.
    pub journal_seq: i64,
}

/// Kinds whose outgoing messages carry personal data to the partner.
const CARRIES_DATA: &[&str] = &["request", "provision", "spontaneous_provision", "consult_answer"];

fn reason_of(decision: &RetentionDecision) -> Result<&str, DeskError> {
    let reason = decision.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(DeskError::invalid("reason: 1 to 500 characters"));
    }
    Ok(reason)
}

/// A provider's correction of data it sent (Directive 2016/680 Art. 7(3)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CorrectionNotice {
    /// `rectified` (the text says what is correct) or `withdrawn` (no longer to be used).
    #[schema(value_type = String)]
    pub correction: Correction,
    pub text: String,
}

/// The partners that received personal data of a case from this node, with the messages.
type Recipients = std::collections::BTreeMap<String, (protocol::NodeAddress, Vec<MessageId>)>;

impl Desk {
    /// The recipients of a case's data and the case id as the envelopes carry it.
    async fn recipients(&self, id: &str) -> Result<(Recipients, Option<MessageId>), DeskError> {
        let stored = self
            .node
            .store
            .messages(MessageQuery {
                case_id: Some(id.to_owned()),
                direction: Some(Direction::Outgoing),
                ..MessageQuery::default()
            })
            .await?;
        let mut sent_to = Recipients::new();
        let mut case_id = None;
        for m in &stored {
            let Ok(envelope) = serde_json::from_str::<Envelope>(&m.bytes) else {
                continue;
            };
            case_id = case_id.or(envelope.case);
            if CARRIES_DATA.contains(&m.meta.kind.as_str()) {
                sent_to
                    .entry(envelope.to.node.clone())
                    .or_insert_with(|| (envelope.to.clone(), Vec::new()))
                    .1
                    .push(envelope.id);
            }
        }
        Ok((sent_to, case_id))
    }

    /// Sends each recipient a correction notice naming the messages it received.
    async fn send_corrections(
        &self,
        user: &User,
        id: &str,
        case_id: Option<MessageId>,
        sent_to: Recipients,
        correction: Correction,
        text: &str,
    ) -> Result<Vec<String>, DeskError> {
        let mut notices = Vec::new();
        for (to, about) in sent_to.into_values() {
            let mut envelope = Envelope::new(
                self.my_address(None),
                to,
                self.now(),
                LegalBasis {
                    instrument: "2016/680".into(),
                    article: "7(3)"
                        .parse()
                        .map_err(|e| DeskError::unavailable(format!("article 7(3): {e}")))?,
                },
                Body::DataCorrection {
                    about,
                    correction,
                    text: text.to_owned(),
                },
            );
            envelope.case = case_id.or(envelope.case);
            self.dispatch(
                user,
                &envelope,
                &format!("Directive 2016/680 Art. 7(3): correction of case {id}, recipient notified"),
            )
            .await?;
            notices.push(envelope.id.to_string());
        }
        Ok(notices)
    }

    /// Directive 2016/680 Art. 7(3): "Where it emerges that incorrect personal data have been
    /// transmitted or personal data have been unlawfully transmitted, the recipient shall be
    /// notified without delay." The provider rectifies or withdraws the data of a case it sent;
    /// every recipient is told and its case marked and queued for review.
    pub async fn correct_case(
        &self,
        user: &User,
        id: &str,
        notice: &CorrectionNotice,
    ) -> Result<Vec<String>, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Dpo, Role::Supervisor])?;
        let text = notice.text.trim();
        if text.is_empty() || text.chars().count() > 2_000 {
            return Err(DeskError::invalid("text: 1 to 2,000 characters"));
        }
        self.load_case(user, id).await?;
        let (sent_to, case_id) = self.recipients(id).await?;
        if sent_to.is_empty() {
            return Err(DeskError::invalid(format!(
                "case {id}: this node sent no personal data to anyone on it"
            )));
        }
        self.send_corrections(user, id, case_id, sent_to, notice.correction, text)
            .await
    }

    /// Closed cases whose retention review is due, oldest first (at most 50).
    pub async fn reviews(&self, user: &User) -> Result<Vec<CaseSummary>, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Supervisor])?;
        let rows = self.node.store.reviews_due(self.now(), 50).await?;
        Ok(rows.iter().map(|r| self.case_summary(r)).collect())
    }

    /// Keeps a case until the next periodic review, with a reason; journaled.
    pub async fn keep_case(
        &self,
        user: &User,
        id: &str,
        decision: &RetentionDecision,
    ) -> Result<CaseSummary, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Supervisor])?;
        let reason = reason_of(decision)?;
        self.load_case(user, id).await?;
        let every = self.profile.flags.retention_review_every_days.max(1);
        let until = self.now() + jiff::SignedDuration::from_hours(every.saturating_mul(24));
        let row = self
            .node
            .store
            .change_case(
                id,
                CaseChange::KeepUntil(until.as_millisecond()),
                NewEntry {
                    at: self.now(),
                    operation: Operation::Alteration,
                    actor: actor(user),
                    justification: format!(
                        "case kept until the review of {}: {reason} (Directive 2016/680 Art. 5)",
                        self.local(until)
                    ),
                    recipient: None,
                    message_id: None,
                    case_id: Some(id.to_owned()),
                    details: json!({ "retention": "kept", "until": until.to_string() }),
                },
            )
            .await?;
        Ok(self.case_summary(&row))
    }

    /// Erases a case's personal data and notifies every partner that received them.
    pub async fn erase_case(&self, user: &User, id: &str, decision: &RetentionDecision) -> Result<Erasure, DeskError> {
        self.demand(user, &[Role::Dpo, Role::Supervisor])?;
        let reason = reason_of(decision)?.to_owned();
        let row = self.load_case(user, id).await?;
        if row.erased != 0 {
            return Err(DeskError::invalid(format!("case {id} is already erased")));
        }
        let stored = self
            .node
            .store
            .messages(MessageQuery {
                case_id: Some(id.to_owned()),
                ..MessageQuery::default()
            })
            .await?;
        // Art. 7(3): an erased case's data are withdrawn from every recipient.
        let (sent_to, case_id) = self.recipients(id).await?;
        let mut redacted = Vec::new();
        for m in &stored {
            let Ok(envelope) = serde_json::from_str::<Envelope>(&m.bytes) else {
                continue;
            };
            let stub = json!({
                "erased": {
                    "id": m.message_id,
                    "kind": m.meta.kind,
                    "case": m.meta.case_id,
                    "from": envelope.from.to_string(),
                    "to": envelope.to.to_string(),
                    "created_at": envelope.created_at.to_string(),
                }
            });
            redacted.push((m.message_id.clone(), stub.to_string()));
        }
        let notices = self
            .send_corrections(
                user,
                id,
                case_id,
                sent_to,
                Correction::Withdrawn,
                &format!("erased by {}: {reason}", self.node.me.party),
            )
            .await?;
        let entry = self
            .node
            .store
            .erase_case(
                id,
                redacted.clone(),
                NewEntry {
                    at: self.now(),
                    operation: Operation::Erasure,
                    actor: actor(user),
                    justification: format!("case erased: {reason} (Directive 2016/680 Arts. 5 and 16)"),
                    recipient: None,
                    message_id: None,
                    case_id: Some(id.to_owned()),
                    // What was erased, never the erased data.
                    details: json!({ "erased_messages": redacted.iter().map(|(m, _)| m).collect::<Vec<_>>(), "notices": notices }),
                },
            )
            .await?;
        Ok(Erasure {
            case: id.to_owned(),
            messages: redacted.len(),
            notices,
            journal_seq: entry.seq,
        })
    }
}
