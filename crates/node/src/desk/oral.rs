//! Oral exchanges and their written confirmation (Art. 12).

use super::*;
use treaty::rules::exchange;

use crate::accounts::Role;
use jiff::Timestamp;
use protocol::{Body, Envelope, NodeAddress};
use serde::{Deserialize, Serialize};
use store::User;

/// An oral exchange to record (Art. 12(2)).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OralExchange {
    pub with_party: String,
    #[serde(default)]
    pub with_unit: Option<String>,
    /// When the conversation took place (RFC 3339 with offset).
    #[schema(value_type = String)]
    pub at: Timestamp,
    pub summary: String,
    /// The Art. 6(4) facts that allowed speaking directly.
    pub direct: DirectFacts,
}

impl Desk {
    /// Records an oral exchange (Art. 12(2)): allowed only in an Art. 6(4) situation, with a
    /// 24-hour clock for its written confirmation. The record goes to the partner too.
    pub async fn record_oral(&self, user: &User, oral: &OralExchange) -> Result<Sent, DeskError> {
        self.demand(user, &[Role::Officer, Role::ContactPoint])?;
        let to_party = party(&oral.with_party)?;
        let to_node = self.node_of(&to_party)?;
        let (channel_view, channel) =
            self.decide_channel(user, &to_party, oral.with_unit.as_deref(), Via::Direct, &oral.direct)?;
        let (view, decision) = self.decide(Action::Oral(exchange::Oral {
            in_article_6_4_situation: channel.details.direct_ground.is_some(),
            at: oral.at,
        }))?;
        self.require(&view, &decision, "an oral exchange")?;
        let to = NodeAddress {
            party: to_party,
            node: to_node.id.clone(),
            unit: oral.with_unit.clone(),
        };
        let envelope = Envelope::new(
            self.my_address(Some(user.unit.clone())),
            to.clone(),
            self.now(),
            self.legal("12(2)"),
            Body::OralRecord {
                at: oral.at,
                summary: oral.summary.clone(),
            },
        );
        self.dispatch(user, &envelope, "Art. 12(2): record of an oral exchange")
            .await?;
        let mut notices = Vec::new();
        if let Some(ground) = channel.details.direct_ground {
            notices.push(self.notify_contact_point(user, &envelope, ground, &to).await?);
        }
        let mut sent = self.sent(&envelope, vec![channel_view, view]);
        sent.notices = notices;
        Ok(sent)
    }
}
