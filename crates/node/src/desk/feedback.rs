//! Feedback on the use of provided data (Art. 7(3)).

use super::*;
use treaty::rules::exchange;

use crate::accounts::Role;
use protocol::{Body, Envelope};
use serde::{Deserialize, Serialize};
use store::{Direction, User};

/// A feedback answer (Art. 7(3)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackText {
    pub text: String,
}

impl Desk {
    /// The provider asks what became of its data (Art. 7(3)).
    pub async fn request_feedback(&self, user: &User, id: &str) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, provision) = self.load(user, id).await?;
        let asked_by_provider = message.direction == Direction::Outgoing
            && matches!(
                provision.body,
                Body::Provision { .. } | Body::SpontaneousProvision { .. }
            );
        let (view, decision) = self.decide(Action::FeedbackRequest(exchange::FeedbackRequest { asked_by_provider }))?;
        self.require(&view, &decision, "this feedback request")?;
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            provision.to.clone(),
            self.now(),
            self.legal("7(3)"),
            Body::FeedbackRequest { about: provision.id },
        )
        .replying_to(&provision);
        self.dispatch(user, &envelope, &format!("Art. 7(3): feedback asked on {id}"))
            .await?;
        Ok(self.sent(&envelope, vec![view]))
    }

    /// The recipient answers a feedback request (Art. 7(3)).
    pub async fn answer_feedback(&self, user: &User, id: &str, answer: &FeedbackText) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let (message, request) = self.load(user, id).await?;
        let about = match (&request.body, message.direction) {
            (Body::FeedbackRequest { about }, Direction::Incoming) => *about,
            _ => {
                return Err(DeskError::invalid(format!(
                    "{id} is not a feedback request received here"
                )))
            }
        };
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            request.from.clone(),
            self.now(),
            self.legal("7(3)"),
            Body::FeedbackAnswer {
                about,
                text: answer.text.clone(),
            },
        )
        .replying_to(&request);
        self.dispatch(user, &envelope, &format!("Art. 7(3): feedback on {about}"))
            .await?;
        Ok(self.sent(&envelope, Vec::new()))
    }
}
