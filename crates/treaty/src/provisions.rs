//! The provisions an agreement may have of its own, beyond the Benelux treaty's articles, each
//! as data in its profile: the direct exchange of operational findings, the exchange of
//! supporters' data for sports events, the look-up of vehicle holders for traffic offences
//! (the SI–AL agreement, seed 004). A kind that reads one is provided only by a profile that
//! has it (`Profile::provides`).

use serde::Deserialize;

/// An agreement's provision for looking up the holder of a vehicle registered with the other
/// party, for road-traffic offences (on the model of Directive (EU) 2015/413), as data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficOffences {
    /// The provision, in the profile's own numbering.
    pub article: crate::ArticleRef,
    /// Its words (or the assumption the profile states).
    pub words: String,
    /// The offences it covers (`speeding`, …).
    pub offences: Vec<String>,
    /// The look-up is made within this many days of the offence (1–365).
    pub lookup_within_days: u32,
}

/// An agreement's provision for the exchange of supporters' data before international sports
/// events (on the model of Council Decision 2002/348/JHA), as data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SportsEvents {
    /// The provision, in the profile's own numbering.
    pub article: crate::ArticleRef,
    /// Its words (or the assumption the profile states).
    pub words: String,
    /// Personal data received for an event are erased this many days after it (1–365).
    pub erasure_days: u32,
}

/// An agreement's provision for the direct exchange of operational findings between the
/// parties' competent services, as data: the article, its words, and the topics it covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectExchange {
    /// The provision, in the profile's own numbering (`3(1)`).
    pub article: crate::ArticleRef,
    /// Its words (or, where the text is not at hand, the assumption the profile states).
    pub words: String,
    /// The topics it covers (`migrant_smuggling`, …).
    pub topics: Vec<String>,
}

/// The provisions an agreement has of its own, each where it has it.
#[derive(Debug, Clone, Default)]
pub struct Provisions {
    /// The direct exchange between the parties' services (`exchange.direct`).
    pub direct_exchange: Option<DirectExchange>,
    /// The exchange of supporters' data for sports events (`sports.event_data`).
    pub sports_events: Option<SportsEvents>,
    /// The look-up of vehicle holders for road-traffic offences (`traffic.holder_lookup`).
    pub traffic_offences: Option<TrafficOffences>,
}

impl Provisions {
    /// For a kind that reads one of them: the profile table it is written in, and whether
    /// this profile has it.
    pub fn table_for(&self, kind: &str) -> Option<(&'static str, bool)> {
        match kind {
            "exchange.direct" => Some(("direct_exchange", self.direct_exchange.is_some())),
            "sports.event_data" => Some(("sports_events", self.sports_events.is_some())),
            "traffic.holder_lookup" => Some(("traffic_offences", self.traffic_offences.is_some())),
            _ => None,
        }
    }

    /// Checks the provisions present; the error names the key and the problem.
    pub(crate) fn check(&self) -> Result<(), (String, String)> {
        if let Some(x) = &self.direct_exchange {
            own_article("direct_exchange", &x.article)?;
            names("direct_exchange.topics", &x.topics, "topic")?;
        }
        if let Some(x) = &self.sports_events {
            own_article("sports_events", &x.article)?;
            days("sports_events.erasure_days", x.erasure_days)?;
        }
        if let Some(x) = &self.traffic_offences {
            own_article("traffic_offences", &x.article)?;
            names("traffic_offences.offences", &x.offences, "offence")?;
            days("traffic_offences.lookup_within_days", x.lookup_within_days)?;
        }
        Ok(())
    }
}

/// A provision is the agreement's own: its article names no other instrument.
fn own_article(table: &str, article: &crate::ArticleRef) -> Result<(), (String, String)> {
    match article.instrument() {
        None => Ok(()),
        Some(_) => Err((
            format!("{table}.article"),
            format!("{article} names another instrument: the provision is the agreement's own"),
        )),
    }
}

/// At least one name, each in lower-case letters and underscores (as actions spell them).
fn names(key: &str, list: &[String], what: &str) -> Result<(), (String, String)> {
    let well_formed = |t: &String| !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if list.is_empty() || !list.iter().all(well_formed) {
        return Err((
            key.to_owned(),
            format!("at least one {what}, each in lower-case letters and underscores"),
        ));
    }
    Ok(())
}

/// A period in days, 1 to 365.
fn days(key: &str, n: u32) -> Result<(), (String, String)> {
    if (1..=365).contains(&n) {
        Ok(())
    } else {
        Err((key.to_owned(), format!("{n} days: between 1 and 365")))
    }
}
