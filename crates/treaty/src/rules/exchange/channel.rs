//! Art. 6: the channels of the exchange — contact points, joint police centres, liaison
//! officers, and the direct exchange of Art. 6(4)(a)–(d).

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;

/// Where a unit sits.
#[derive(Debug, Clone)]
pub struct Place {
    pub party: PartyCode,
    pub region: String,
}

impl Place {
    pub(super) fn parse(f: &Fields, name: &str) -> Result<Self, FieldError> {
        let path = f.path_of(name);
        let inner = f.object(name, &path)?;
        Ok(Place {
            party: inner.party("party")?,
            region: inner.string("region")?.to_owned(),
        })
    }
}

/// The channel an exchange goes through (Art. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Ncp,
    RegionalContactPoint,
    JointPoliceCentre,
    Direct,
    LiaisonOfficer,
}

/// `exchange.channel`.
#[derive(Debug, Clone)]
pub struct Channel {
    pub from: Place,
    pub to: Place,
    pub via: Via,
    pub within_competence_of_both: bool,
    pub subject_in_border_region: bool,
    pub urgent_delay_would_jeopardise: bool,
    pub prior_consent_of_contact_points: bool,
    pub in_cross_border_operation: bool,
}

impl Channel {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let via = match f.one_of(
            "via",
            &[
                "ncp",
                "regional_contact_point",
                "joint_police_centre",
                "direct",
                "liaison_officer",
            ],
        )? {
            "ncp" => Via::Ncp,
            "regional_contact_point" => Via::RegionalContactPoint,
            "joint_police_centre" => Via::JointPoliceCentre,
            "direct" => Via::Direct,
            _ => Via::LiaisonOfficer,
        };
        Ok(Channel {
            from: Place::parse(f, "from")?,
            to: Place::parse(f, "to")?,
            via,
            within_competence_of_both: f.bool("within_competence_of_both")?,
            subject_in_border_region: f.bool("subject_in_border_region")?,
            urgent_delay_would_jeopardise: f.bool("urgent_delay_would_jeopardise")?,
            prior_consent_of_contact_points: f.bool("prior_consent_of_contact_points")?,
            in_cross_border_operation: f.bool("in_cross_border_operation")?,
        })
    }
}

pub fn channel(profile: &Profile, c: &Channel) -> Decision {
    let mut d = DecisionBuilder::new();
    let in_region = |p: &Place| {
        profile
            .party(&p.party)
            .is_some_and(|party| party.in_border_region(&p.region))
    };
    let both_in_region = in_region(&c.from) && in_region(&c.to);
    let describe = |p: &Place| {
        format!(
            "{} {} ({})",
            p.party,
            p.region,
            if in_region(p) {
                "border region, annex 3"
            } else {
                "outside the border region"
            }
        )
    };
    if c.from.party == c.to.party {
        d.refuse(
            art("6(1)"),
            "both units belong to the same party: this is not an exchange between parties",
        );
        return d.build();
    }
    match c.via {
        // Art. 6(1): "De uitwisseling … geschiedt via de nationale contactpunten van de bevoegde diensten."
        Via::Ncp => {
            d.cite(
                art("6(1)"),
                "exchange through the national contact points is always open",
            );
        }
        // Art. 6(2): "… kan de uitwisseling … tussen eenheden in de grensstreek gebeuren via daartoe
        // … aangeduide regionale contactpunten of via een gemeenschappelijk politiecentrum …"
        Via::RegionalContactPoint | Via::JointPoliceCentre => {
            let what = if c.via == Via::JointPoliceCentre {
                "a joint police centre"
            } else {
                "regional contact points"
            };
            d.require(
                both_in_region,
                art("6(2)"),
                format!(
                    "both units are in the border region ({} and {}): exchange through {what} is allowed",
                    describe(&c.from),
                    describe(&c.to)
                ),
                format!(
                    "exchange through {what} is only for units in the border region: {} and {}",
                    describe(&c.from),
                    describe(&c.to)
                ),
            );
            if c.via == Via::JointPoliceCentre && both_in_region {
                // Art. 30(2): Title 2 applies to exchange through joint police centres.
                d.cite(
                    art("30(2)"),
                    "the rules of Title 2 apply to exchange through the joint police centre",
                );
            }
        }
        // Art. 6(5): "… eveneens … via verbindingsofficieren als bedoeld in artikel 27, eerste lid …"
        Via::LiaisonOfficer => {
            d.cite(art("6(5)"), "exchange through liaison officers is allowed");
            d.cite(
                art("27(2)(a)"),
                "liaison officers are posted to speed up the exchange of information",
            );
        }
        // Art. 6(4): "De rechtstreekse uitwisseling … is slechts toegestaan indien: a. …, of b. …,
        // of c. …, of d. …"
        Via::Direct => {
            let grounds = [
                (
                    'a',
                    both_in_region && c.within_competence_of_both && c.subject_in_border_region,
                    "both units are in the border region, the exchange is within both units' territorial competence and concerns a threat or offence in the border region",
                ),
                ('b', c.urgent_delay_would_jeopardise, "going through the contact points would delay an urgent task"),
                ('c', c.prior_consent_of_contact_points, "the competent contact points consented in advance"),
                ('d', c.in_cross_border_operation, "the officers take part in a cross-border operation under Title 3"),
            ];
            match grounds.iter().find(|(_, holds, _)| *holds) {
                Some((letter, _, why)) => {
                    let reference: crate::ArticleRef =
                        format!("6(4)({letter})").parse().unwrap_or_else(|_| art("6(4)"));
                    d.cite(reference.clone(), format!("direct exchange allowed: {why}"));
                    d.details().direct_ground = Some(*letter);
                    // "De ambtenaren die rechtstreeks … uitwisselen …, brengen hun … bevoegde
                    // instanties hiervan onmiddellijk op de hoogte."
                    d.cite(
                        art("6(4)"),
                        "officers who exchange directly inform their contact points immediately",
                    );
                    d.oblige(Obligation::new(
                        ObligationKind::Notify,
                        Addressee::OwnContactPoint,
                        When::Immediately,
                        art("6(4)"),
                    ));
                }
                None => {
                    let mut missing = Vec::new();
                    if !both_in_region {
                        missing.push(format!(
                            "(a) not both in the border region: {} and {}",
                            describe(&c.from),
                            describe(&c.to)
                        ));
                    } else if !c.within_competence_of_both {
                        missing.push("(a) not within both units' territorial competence".to_owned());
                    } else {
                        missing.push("(a) the threat or offence is not located in the border region".to_owned());
                    }
                    missing.push("(b) no urgent task would be delayed".into());
                    missing.push("(c) no prior consent of the contact points".into());
                    missing.push("(d) not part of a Title 3 operation".into());
                    d.refuse(
                        art("6(4)"),
                        format!("direct exchange needs one of the grounds a–d; none holds: {}. Use the national contact points (Art. 6(1))", missing.join("; ")),
                    );
                }
            }
        }
    }
    d.build()
}
