//! `exchange.direct`: the direct exchange of operational findings between the parties'
//! competent services, under an agreement that provides it in its own words (the Slovenia–
//! Albania agreement as modernised, seed 004: "direct exchange of operational findings,
//! migrant smuggling above all"). The provision — its article, its words, the topics it
//! covers — is the profile's data (`[direct_exchange]`), so nothing of the Benelux treaty is
//! decided here.

use crate::article::art;
use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use crate::rules::transfers::is_eu_member_state;

/// `exchange.direct`: one party's service sends findings to, or asks them of, the other's.
#[derive(Debug, Clone)]
pub struct DirectExchange {
    pub from: PartyCode,
    pub to: PartyCode,
    /// One of the topics the profile's provision covers, or another (then refused).
    pub topic: String,
    /// Whether the exchange carries personal data (Directive 2016/680 Chapter V then applies
    /// to what a member state sends a third country).
    pub personal_data: bool,
}

impl DirectExchange {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let from = f.party("from")?;
        let to = f.party("to")?;
        if from == to {
            return Err(f.error(
                "to",
                format!("{to} is the sending party itself: a direct exchange goes to the other party"),
            ));
        }
        let topic = f.string("topic")?;
        let well_formed =
            !topic.is_empty() && topic.len() <= 64 && topic.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if !well_formed {
            return Err(f.error(
                "topic",
                "expected a topic name of at most 64 lower-case letters and underscores (e.g. migrant_smuggling)",
            ));
        }
        Ok(DirectExchange {
            from,
            to,
            topic: topic.to_owned(),
            personal_data: f.bool("personal_data")?,
        })
    }
}

/// Decides a direct exchange under the profile's provision: allowed on a topic it covers,
/// refused on any other; where a member state sends personal data to a third country, the
/// decision also says that Chapter V of Directive 2016/680 must be passed before it leaves.
pub fn direct_exchange(profile: &Profile, x: &DirectExchange) -> Decision {
    let mut d = DecisionBuilder::new();
    // `Action::parse` lets this kind through only where the profile has the provision.
    let Some(provision) = &profile.direct_exchange else {
        d.refuse(
            art("1"),
            format!("the agreement of profile {} provides no direct exchange", profile.id),
        );
        return d.build();
    };
    let article = provision.article.clone();
    if !provision.topics.iter().any(|t| t == &x.topic) {
        d.refuse(
            article,
            format!(
                "'{}' is not among the topics the agreement's direct exchange covers ({}): \"{}\"",
                x.topic,
                provision.topics.join(", "),
                provision.words
            ),
        );
        return d.build();
    }
    d.cite(
        article,
        format!("{} to {} on {}: \"{}\"", x.from, x.to, x.topic, provision.words),
    );
    if x.personal_data && is_eu_member_state(x.from.as_str()) && !is_eu_member_state(x.to.as_str()) {
        // Directive 2016/680 Art. 35(1): a member state's transfer of personal data to a third
        // country takes place "only where the conditions laid down in this Chapter are met" —
        // decided as `transfer.third_country` before the message leaves.
        d.cite(
            art("2016/680:35(1)"),
            format!(
                "{} is an EU member state and {} a third country: the transfer of personal data must pass Chapter V (transfer.third_country) before it leaves",
                x.from, x.to
            ),
        );
    }
    d.build()
}
