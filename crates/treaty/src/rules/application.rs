//! Title 7 (Arts. 61–67): implementing agreements in force and the territorial scope.
//! The exception clause (61) is decided with refusals (`exchange.refusal`); the clocks of
//! Arts. 65 and 66(5) are in `deadlines`.

use jiff::Timestamp;

use crate::article::art;
use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::{Agreement, Profile};

/// `agreement.in_force`: is an implementing agreement for `article` between two parties in force?
#[derive(Debug, Clone)]
pub struct AgreementInForce {
    pub parties: (PartyCode, PartyCode),
    pub article: String,
    pub at: Timestamp,
    pub agreements: Vec<Agreement>,
}

impl AgreementInForce {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let parties = f.strings("parties")?;
        let [a, b] = parties.as_slice() else {
            return Err(f.error("parties", "expected exactly two parties"));
        };
        let check = |code: &str| -> Result<PartyCode, FieldError> {
            let p = PartyCode::parse(code).map_err(|m| f.error("parties", m))?;
            f.profile()
                .party(&p)
                .map(|_| p.clone())
                .ok_or_else(|| f.error("parties", format!("{p} is not a party of profile {}", f.profile().id)))
        };
        Ok(AgreementInForce {
            parties: (check(a)?, check(b)?),
            article: f.string("article")?.to_owned(),
            at: f.instant("at")?,
            agreements: f.agreements("agreements")?,
        })
    }
}

/// Art. 62(2): "De Verdragsluitende Partijen kunnen … uitvoeringsovereenkomsten sluiten … Deze
/// zullen van toepassing zijn vanaf de datum bepaald in de uitvoeringsovereenkomst."
pub fn agreement_in_force(profile: &Profile, a: &AgreementInForce) -> Decision {
    let mut d = DecisionBuilder::new();
    let day = a.at.to_zoned(profile.zone(&a.parties.1)).date();
    let found = profile
        .agreements
        .iter()
        .chain(&a.agreements)
        .find(|ag| ag.covers(&a.parties.0, &a.parties.1, &a.article, day));
    d.require(
        found.is_some(),
        art("62(2)"),
        format!(
            "an implementing agreement between {} and {} for Art. {} applies on {day}",
            a.parties.0, a.parties.1, a.article
        ),
        format!(
            "no implementing agreement between {} and {} for Art. {} applies on {day}",
            a.parties.0, a.parties.1, a.article
        ),
    );
    d.build()
}

/// `territory`: is a place within the treaty's territorial scope?
#[derive(Debug, Clone)]
pub struct Territory {
    pub party: PartyCode,
    pub in_europe: bool,
}

impl Territory {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Territory {
            party: f.party("party")?,
            in_europe: f.bool("in_europe")?,
        })
    }
}

/// Art. 67: "… c. wat het Koninkrijk der Nederlanden betreft, het grondgebied in Europa."
pub fn territory(t: &Territory) -> Decision {
    let mut d = DecisionBuilder::new();
    let (ok, point) = match t.party.as_str() {
        "NL" => (t.in_europe, art("67(c)")),
        "LU" => (true, art("67(b)")),
        _ => (true, art("67(a)")),
    };
    d.require(
        ok,
        point,
        format!(
            "the place lies within the territory of {} to which the treaty applies",
            t.party
        ),
        "for the Netherlands the treaty applies only to its territory in Europe",
    );
    d.build()
}
