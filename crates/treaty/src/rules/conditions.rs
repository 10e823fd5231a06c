//! Arts. 15(3) and 16(3): the owner's own conditions on a named authorisation — the hours of the
//! day it may be used and a daily limit — checked after the consultation itself was allowed.
//!
//! Art. 15(3) (16(3) alike): "De bevoegde dienst die de databanken beheert, kan nadere
//! voorwaarden stellen aan het verlenen van een autorisatie, alsmede richtlijnen geven voor het
//! gebruik ervan."

use crate::article::art;
use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};

/// `consult.owner_conditions`: may authorisation `authorisation` be used now, given its owner's
/// conditions?
#[derive(Debug, Clone)]
pub struct OwnerConditions {
    /// 15 or 16.
    pub article: u32,
    pub authorisation: String,
    /// Hours of the day (the owner's zone) when consultation is allowed: from, until.
    pub hours: Option<(u8, u8)>,
    /// The hour of the day now, in the owner's zone.
    pub local_hour: u8,
    /// At most this many consultations a day.
    pub daily_limit: Option<u32>,
    /// Consultations answered under the authorisation since the owner's midnight.
    pub used_today: u64,
}

impl OwnerConditions {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let article = match f.one_of("article", &["15", "16"])? {
            "15" => 15,
            _ => 16,
        };
        let hour = |name: &str| -> Result<u8, FieldError> {
            f.raw(name)
                .and_then(serde_json::Value::as_u64)
                .filter(|h| *h <= 24)
                .and_then(|h| u8::try_from(h).ok())
                .ok_or_else(|| f.error(name, "expected an hour of the day, 0 to 24"))
        };
        let hours = match f.raw("hours_from") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => Some((hour("hours_from")?, hour("hours_until")?)),
        };
        let daily_limit = match f.raw("daily_limit") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| f.error("daily_limit", "expected a whole number of consultations"))?,
            ),
        };
        Ok(OwnerConditions {
            article,
            authorisation: f.string("authorisation")?.to_owned(),
            hours,
            local_hour: hour("local_hour")?,
            daily_limit,
            used_today: f
                .raw("used_today")
                .and_then(serde_json::Value::as_u64)
                .ok_or_else(|| f.error("used_today", "expected a whole number"))?,
        })
    }
}

pub fn owner_conditions(c: &OwnerConditions) -> Decision {
    let mut d = DecisionBuilder::new();
    let paragraph = if c.article == 15 { art("15(3)") } else { art("16(3)") };
    let id = &c.authorisation;
    let mut kept = Vec::new();
    if let Some((from, until)) = c.hours {
        if c.local_hour < from || c.local_hour >= until {
            d.refuse(
                paragraph,
                format!("authorisation {id} allows consultation from {from}:00 to {until}:00 only"),
            );
            return d.build();
        }
        kept.push(format!("within {from}:00 to {until}:00"));
    }
    if let Some(limit) = c.daily_limit {
        if c.used_today >= u64::from(limit) {
            d.refuse(
                paragraph,
                format!("the daily limit of {limit} consultations of authorisation {id} is reached"),
            );
            return d.build();
        }
        kept.push(format!("{} of {limit} consultations today", c.used_today));
    }
    d.cite(
        paragraph,
        if kept.is_empty() {
            format!("authorisation {id} carries no further conditions of its owner")
        } else {
            format!(
                "authorisation {id} is used within its owner's conditions ({})",
                kept.join(", ")
            )
        },
    );
    d.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Verdict;

    fn conditions(
        article: u32,
        hours: Option<(u8, u8)>,
        local_hour: u8,
        limit: Option<u32>,
        used: u64,
    ) -> OwnerConditions {
        OwnerConditions {
            article,
            authorisation: "AUT-1".into(),
            hours,
            local_hour,
            daily_limit: limit,
            used_today: used,
        }
    }

    #[test]
    fn art15_the_owner_limits_the_hours_of_an_authorisation() {
        let allowed = owner_conditions(&conditions(15, Some((8, 20)), 8, None, 0));
        assert_eq!(allowed.verdict, Some(Verdict::Allowed));
        assert!(allowed.cites(&art("15(3)")));
        let late = owner_conditions(&conditions(15, Some((8, 20)), 20, None, 0));
        assert_eq!(late.verdict, Some(Verdict::Refused));
        assert_eq!(
            late.reasons,
            ["Art. 15(3): authorisation AUT-1 allows consultation from 8:00 to 20:00 only"]
        );
    }

    #[test]
    fn art16_the_owner_limits_the_consultations_a_day() {
        assert_eq!(
            owner_conditions(&conditions(16, None, 3, Some(2), 1)).verdict,
            Some(Verdict::Allowed)
        );
        let spent = owner_conditions(&conditions(16, None, 3, Some(2), 2));
        assert_eq!(spent.verdict, Some(Verdict::Refused));
        assert!(spent.cites(&art("16(3)")));
        assert_eq!(
            spent.reasons,
            ["Art. 16(3): the daily limit of 2 consultations of authorisation AUT-1 is reached"]
        );
        let free = owner_conditions(&conditions(16, None, 3, None, 99));
        assert_eq!(free.verdict, Some(Verdict::Allowed));
    }
}
