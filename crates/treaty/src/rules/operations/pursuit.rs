//! Art. 21: hot pursuit across the border.

use super::*;

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;

/// `operation.pursuit`.
#[derive(Debug, Clone)]
pub struct Pursuit {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub started_in_own_territory: bool,
    pub host_could_be_warned_in_advance: bool,
    pub host_could_take_over_in_time: bool,
    pub enter_dwelling: bool,
    pub host_ordered_stop: bool,
    pub danger_manifestly_disproportionate: bool,
    pub medium: String,
    /// Art. 55: the pursuers are special units (annex 4).
    pub special_units: bool,
}

impl Pursuit {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Pursuit {
            host: f.party("host")?,
            sending: f.party("sending")?,
            started_in_own_territory: f.bool("started_in_own_territory")?,
            host_could_be_warned_in_advance: f.bool("host_could_be_warned_in_advance")?,
            host_could_take_over_in_time: f.bool("host_could_take_over_in_time")?,
            enter_dwelling: f.bool("enter_dwelling")?,
            host_ordered_stop: f.bool("host_ordered_stop")?,
            danger_manifestly_disproportionate: f.bool("danger_manifestly_disproportionate")?,
            medium: f.one_of("medium", &["land", "water", "air"])?.to_owned(),
            special_units: f.opt_bool("special_units")?.unwrap_or(false),
        })
    }
}

pub fn pursuit(p: &Pursuit) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &p.host, &p.sending, "21(1)");
    if p.special_units {
        // Art. 55(1): special units may pursue "mits de voorwaarden en procedures bepaald in artikel 21 …
        // in acht worden genomen".
        d.cite(
            art("55(1)"),
            "special units pursue under the conditions and procedures of Art. 21",
        );
    }
    // Art. 21(1): "Ambtenaren … die in hun eigen land een persoon achtervolgen, kunnen de
    // achtervolging … zonder voorafgaande toestemming … voortzetten zonder enige in afstand noch in
    // tijd uitgedrukte beperking, wanneer de bevoegde diensten van de gaststaat wegens het
    // spoedeisende karakter van het optreden niet vooraf kunnen worden gewaarschuwd of deze niet
    // tijdig ter plaatse kunnen zijn om de achtervolging over te nemen."
    d.require(
        p.started_in_own_territory,
        art("21(1)"),
        "the pursuit began in the pursuers' own country",
        "hot pursuit continues a pursuit begun in the pursuers' own country",
    );
    d.require(
        !(p.host_could_be_warned_in_advance && p.host_could_take_over_in_time),
        art("21(1)"),
        "the host could not be warned in advance or could not take over in time: no prior consent needed, no limit in distance or time",
        "the host could be warned in advance and could take over in time: hand the pursuit over",
    );
    // Art. 21(2)(a): "… de achtervolging wordt afgebroken zodra de gaststaat dat te verstaan geeft, of
    // wanneer de voortzetting … leidt tot een concrete gevaarzetting … die kennelijk disproportioneel is …"
    if p.host_ordered_stop {
        d.refuse(art("21(2)(a)"), "the host ordered the pursuit to stop");
    }
    if p.danger_manifestly_disproportionate {
        d.refuse(
            art("21(2)(a)"),
            "continuing endangers life or health in a way manifestly disproportionate to the danger to be prevented",
        );
    }
    // Art. 21(2)(e): "het binnentreden van woningen en het betreden van niet voor het publiek
    // toegankelijke plaatsen zijn niet toegestaan."
    if p.enter_dwelling {
        d.refuse(
            art("21(2)(e)"),
            "entering dwellings and places not open to the public is not allowed",
        );
    }
    if p.host_ordered_stop || p.danger_manifestly_disproportionate {
        d.oblige(Obligation::new(
            ObligationKind::Stop,
            Addressee::Host,
            When::Immediately,
            art("21(2)(a)"),
        ));
        return d.build();
    }
    if d.is_refused() {
        return d.build();
    }
    // Art. 21(2)(d): over land, water or air.
    d.cite(art("21(2)(d)"), format!("pursuit by {} is allowed", p.medium));
    // Art. 21(2)(a): "… treden uiterlijk bij grensoverschrijding in contact met de bevoegde diensten
    // van de gaststaat …"
    d.cite(
        art("21(2)(a)"),
        "the pursuers contact the host at the latest on crossing, and stop when the host says so",
    );
    d.oblige(Obligation::new(
        ObligationKind::Notify,
        Addressee::Host,
        When::AtCrossing,
        art("21(2)(a)"),
    ));
    d.oblige(Obligation::new(
        ObligationKind::Stop,
        Addressee::Host,
        When::OnHostRequest,
        art("21(2)(a)"),
    ));
    // Art. 21(2)(b): bound by host law, "zij volgen de aanwijzingen van de bevoegde diensten van de gaststaat op".
    d.cite(
        art("21(2)(b)"),
        "the pursuers are bound by host law and follow the host's instructions",
    );
    // Art. 21(2)(c): cooperate with later inquiries.
    d.cite(
        art("21(2)(c)"),
        "the sending party cooperates, on request, with the host's later inquiries, including judicial proceedings",
    );
    d.cite(art("21(3)"), "a person detained after the pursuit is released within 6 counted hours unless a European Arrest Warrant is received");
    operation_obligations(&mut d);
    d.build()
}
