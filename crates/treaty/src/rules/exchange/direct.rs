//! `exchange.direct`: the direct exchange of operational findings between the parties'
//! competent services, under an agreement that provides it in its own words (the Slovenia–
//! Albania agreement as modernised, seed 004: "direct exchange of operational findings,
//! migrant smuggling above all"). The provision — its article, its words, the topics it
//! covers — is the profile's data (`[direct_exchange]`), so nothing of the Benelux treaty is
//! decided here.

use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use crate::rules::transfers::cite_chapter_v;

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
    /// The channel it goes through.
    pub via: DirectVia,
}

/// The channels of seed 004: the services directly, the attaché posted with the other party,
/// or — as today — the Interpol national central bureaus or the Europol national units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectVia {
    Direct,
    LiaisonOfficer,
    Interpol,
    Europol,
}

impl DirectVia {
    /// The profile's contact-point kind that carries this channel on each side.
    fn contact_point_kind(self) -> &'static str {
        match self {
            DirectVia::Direct => "ncp",
            DirectVia::LiaisonOfficer => "liaison_officer",
            DirectVia::Interpol => "interpol_ncb",
            DirectVia::Europol => "europol_national_unit",
        }
    }
}

impl DirectExchange {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let from = f.party("from")?;
        let to = f.other_party("to", &from, "a direct exchange goes to the other party")?;
        let topic = f.token("topic", "migrant_smuggling")?;
        let via = match f.raw("via") {
            None | Some(serde_json::Value::Null) => DirectVia::Direct,
            Some(_) => match f.one_of("via", &["direct", "liaison_officer", "interpol", "europol"])? {
                "liaison_officer" => DirectVia::LiaisonOfficer,
                "interpol" => DirectVia::Interpol,
                "europol" => DirectVia::Europol,
                _ => DirectVia::Direct,
            },
        };
        Ok(DirectExchange {
            from,
            to,
            topic: topic.to_owned(),
            personal_data: f.bool("personal_data")?,
            via,
        })
    }
}

/// Decides a direct exchange under the profile's provision: allowed on a topic it covers,
/// refused on any other; where a member state sends personal data to a third country, the
/// decision also says that Chapter V of Directive 2016/680 must be passed before it leaves.
pub fn direct_exchange(profile: &Profile, x: &DirectExchange) -> Decision {
    let Some(provision) = &profile.provisions.direct_exchange else {
        return crate::rules::without_provision(profile, "direct exchange");
    };
    let mut d = DecisionBuilder::new();
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
    let Some(channel) = channel(profile, x) else {
        d.refuse(
            article,
            match x.via {
                DirectVia::LiaisonOfficer => format!(
                    "no liaison officer of {} is posted in {} or of {} in {} (the profile's contact points)",
                    x.from, x.to, x.to, x.from
                ),
                via => format!(
                    "{} and {} do not both have a contact point of kind {} in the profile",
                    x.from,
                    x.to,
                    via.contact_point_kind()
                ),
            },
        );
        return d.build();
    };
    d.cite(
        article,
        format!(
            "{} to {} on {} ({channel}): \"{}\"",
            x.from, x.to, x.topic, provision.words
        ),
    );
    if x.personal_data {
        cite_chapter_v(&mut d, &x.from, &x.to, "the personal data");
    }
    d.build()
}

/// How the exchange travels, as the decision says it, or `None` where the profile has no
/// contact point for the channel: the services directly; the attaché (a liaison officer of
/// either party posted with the other, who works for his own side in both directions); or the
/// Interpol NCBs / Europol units of both parties — then outside grens' own channel, and the node
/// records its reference so that the same matter asked again through grens is seen.
fn channel(profile: &Profile, x: &DirectExchange) -> Option<String> {
    let points = |party: &PartyCode| {
        profile
            .party(party)
            .map(|p| {
                p.contact_points
                    .iter()
                    .filter(|c| c.kind == x.via.contact_point_kind())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    match x.via {
        DirectVia::Direct => Some("directly between the services".to_owned()),
        DirectVia::LiaisonOfficer => {
            let posted = |of: &PartyCode, with: &PartyCode| {
                points(of)
                    .into_iter()
                    .find(|c| c.region == with.as_str())
                    .map(|c| c.id.clone())
            };
            posted(&x.from, &x.to)
                .or_else(|| posted(&x.to, &x.from))
                .map(|id| format!("through the liaison officer {id}"))
        }
        DirectVia::Interpol | DirectVia::Europol => {
            let (from, to) = (points(&x.from), points(&x.to));
            let (Some(a), Some(b)) = (from.first(), to.first()) else {
                return None;
            };
            Some(format!(
                "through {} and {}, outside the agreement's own channel: record the channel and its reference, so that the same matter asked through grens is seen",
                a.id, b.id
            ))
        }
    }
}
