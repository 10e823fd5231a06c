//! `traffic.holder_lookup`: one party's enforcement unit asks the other's vehicle register for
//! the registered holder of a vehicle seen committing a road-traffic offence, under an agreement
//! that provides it in its own words (the SI–AL agreement as modernised, seed 004: "exchange of
//! data on speeding drivers"). The model is Directive (EU) 2015/413 (cross-border exchange of
//! information on road-safety-related traffic offences): a look-up by registration number for
//! the offences it lists, the holder then sent a notice in the language of the registration
//! document. The provision, its offences and the time within which the look-up must be made are
//! the profile's data (`[traffic_offences]`).

use jiff::{SignedDuration, Timestamp};

use crate::decision::{Decision, DecisionBuilder};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use crate::rules::transfers::cite_chapter_v;

/// `traffic.holder_lookup`: who asks whose register, for which offence, committed when.
#[derive(Debug, Clone)]
pub struct HolderLookup {
    /// The party whose unit recorded the offence.
    pub requesting: PartyCode,
    /// The party where the vehicle is registered (whose register is asked).
    pub registered_in: PartyCode,
    /// One of the offences the profile's provision lists, or another (then refused).
    pub offence: String,
    pub committed_at: Timestamp,
    pub asked_at: Timestamp,
}

impl HolderLookup {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let requesting = f.party("requesting")?;
        let registered_in = f.other_party("registered_in", &requesting, "its own register needs no exchange")?;
        let offence = f.token("offence", "speeding")?;
        let committed_at = f.instant("committed_at")?;
        let asked_at = f.instant("asked_at")?;
        if asked_at < committed_at {
            return Err(f.error("asked_at", format!("{asked_at} is before the offence ({committed_at})")));
        }
        Ok(HolderLookup {
            requesting,
            registered_in,
            offence: offence.to_owned(),
            committed_at,
            asked_at,
        })
    }
}

/// Decides a look-up under the profile's provision: allowed for a listed offence within the
/// provision's time limit, refused otherwise; a member state sending the registration number to
/// a third country's register also cites Chapter V of Directive 2016/680.
pub fn holder_lookup(profile: &Profile, x: &HolderLookup) -> Decision {
    let Some(provision) = &profile.provisions.traffic_offences else {
        return crate::rules::without_provision(profile, "look-up of vehicle holders");
    };
    let mut d = DecisionBuilder::new();
    let article = provision.article.clone();
    if !provision.offences.iter().any(|o| o == &x.offence) {
        d.refuse(
            article,
            format!(
                "'{}' is not among the offences the agreement's look-up covers ({})",
                x.offence,
                provision.offences.join(", ")
            ),
        );
        return d.build();
    }
    let limit = SignedDuration::from_hours(24 * i64::from(provision.lookup_within_days));
    if x.asked_at.duration_since(x.committed_at) > limit {
        d.refuse(
            article,
            format!(
                "the offence of {} is more than {} days old: the look-up is made within {} days of the offence",
                x.committed_at, provision.lookup_within_days, provision.lookup_within_days
            ),
        );
        return d.build();
    }
    d.cite(
        article,
        format!(
            "{} asks {}'s vehicle register for the holder of a vehicle in a {} offence: \"{}\"",
            x.requesting, x.registered_in, x.offence, provision.words
        ),
    );
    // The registration number identifies the holder: personal data.
    cite_chapter_v(
        &mut d,
        &x.requesting,
        &x.registered_in,
        "the registration number sent with the look-up",
    );
    d.build()
}
