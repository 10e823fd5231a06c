//! Arts. 18–19: assistance on request and crossing on own initiative.

use super::*;

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;

/// `operation.assistance`: a request for assistance with personnel or equipment.
#[derive(Debug, Clone)]
pub struct Assistance {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub nature: Option<String>,
    pub duration: Option<String>,
    pub objective: Option<String>,
    /// `single` or `series` of crossings; `None` if the request does not say.
    pub crossings: Option<String>,
    pub reserved_to_judicial_authorities: bool,
    pub equipment: bool,
    pub equipment_list: bool,
}

impl Assistance {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let text = |name| -> Result<Option<String>, FieldError> {
            Ok(match f.raw(name) {
                None => None,
                Some(_) => f
                    .nullable_string(name)?
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            })
        };
        let crossings = match f.raw("crossings") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => Some(f.one_of("crossings", &["single", "series"])?.to_owned()),
        };
        Ok(Assistance {
            host: f.party("host")?,
            sending: f.party("sending")?,
            nature: text("nature")?,
            duration: text("duration")?,
            objective: text("objective")?,
            crossings,
            reserved_to_judicial_authorities: f.opt_bool("reserved_to_judicial_authorities")?.unwrap_or(false),
            equipment: f.opt_bool("equipment")?.unwrap_or(false),
            equipment_list: f.opt_bool("equipment_list")?.unwrap_or(false),
        })
    }
}

pub fn assistance(a: &Assistance) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &a.host, &a.sending, "18(1)");
    // Art. 18(1): "… voor zover het uitvoeren van een verzoek op grond van het nationale recht niet
    // aan de justitiële autoriteiten is voorbehouden."
    d.require(
        !a.reserved_to_judicial_authorities,
        art("18(1)"),
        "assistance with personnel and/or equipment for police tasks",
        "the requested action is reserved to the judicial authorities under national law",
    );
    // Art. 18(3): "Het verzoek bevat een omschrijving van de aard, de duur en de specifieke
    // doelstelling … Tevens wordt aangegeven of de uitvoering van het verzoek een eenmalige
    // grensoverschrijding oplevert dan wel een reeks grensoverschrijdingen …"
    let mut missing = Vec::new();
    if a.nature.is_none() {
        missing.push("nature");
    }
    if a.duration.is_none() {
        missing.push("duration");
    }
    if a.objective.is_none() {
        missing.push("specific objective");
    }
    if a.crossings.is_none() {
        missing.push("single crossing or series of crossings");
    }
    d.require(
        missing.is_empty(),
        art("18(3)"),
        "the request describes nature, duration, objective and crossings",
        format!("the request must state: {}", missing.join(", ")),
    );
    // Art. 18(6): "Bij het ter beschikking stellen van materieel gaat een verzamelstaat …"
    if a.equipment {
        d.require(
            a.equipment_list,
            art("18(6)"),
            "the equipment goes with a list (verzamelstaat)",
            "equipment must go with a list (verzamelstaat)",
        );
    }
    if !d.is_refused() {
        // Art. 18(4): "… neemt onverwijld een gemotiveerde beslissing … Van de beslissing wordt zo
        // spoedig mogelijk schriftelijk mededeling gedaan …"
        d.cite(art("18(4)"), "the requested service decides without delay, with reasons, and communicates it in writing as soon as possible");
        d.oblige(Obligation::new(
            ObligationKind::GiveReasons,
            Addressee::RequestingParty,
            When::Asap,
            art("18(4)"),
        ));
        operation_obligations(&mut d);
    }
    d.build()
}

/// `operation.own_initiative`.
#[derive(Debug, Clone)]
pub struct OwnInitiative {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub acute_danger: bool,
    pub host_cannot_arrive_in_time: bool,
    pub in_border_region: bool,
    pub already_in_cross_border_operation: bool,
}

impl OwnInitiative {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(OwnInitiative {
            host: f.party("host")?,
            sending: f.party("sending")?,
            acute_danger: f.bool("acute_danger")?,
            host_cannot_arrive_in_time: f.bool("host_cannot_arrive_in_time")?,
            in_border_region: f.bool("in_border_region")?,
            already_in_cross_border_operation: f.bool("already_in_cross_border_operation")?,
        })
    }
}

pub fn own_initiative(o: &OwnInitiative) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &o.host, &o.sending, "19(1)");
    // Art. 19(2): "… indien optreden noodzakelijk is om een acuut gevaar voor lijf, leden, goederen
    // of gezondheid af te wenden dan wel een ernstige verstoring van de openbare orde en veiligheid
    // te voorkomen, en de ambtenaren van de gaststaat niet tijdig ter plaatse kunnen zijn."
    d.require(
        o.acute_danger && o.host_cannot_arrive_in_time,
        art("19(2)"),
        "an urgent situation: acute danger (or serious disturbance of public order) and the host's officers cannot arrive in time",
        match (o.acute_danger, o.host_cannot_arrive_in_time) {
            (false, _) => "no acute danger to life, limb, goods or health, nor a serious disturbance of public order to prevent",
            _ => "the host's officers can arrive in time: leave the intervention to them",
        },
    );
    // Art. 19(1): "… kunnen de ambtenaren van de zendstaat dit optreden in de grensstreek aanvangen
    // zonder voorafgaand verzoek." 19(5): during a cross-border operation, also outside it.
    let place = if o.already_in_cross_border_operation {
        d.cite(art("19(5)"), "during a cross-border operation the officers may act in an urgent situation, also outside the border region");
        Some(art("19(5)"))
    } else if o.in_border_region {
        d.cite(
            art("19(1)"),
            "the intervention starts in the border region without prior request",
        );
        Some(art("19(3)"))
    } else {
        d.refuse(
            art("19(1)"),
            "own-initiative intervention starts only in the border region (or during a cross-border operation, 19(5))",
        );
        None
    };
    if let (Some(notice_article), false) = (place, d.is_refused()) {
        // Art. 19(3): "… slechts toegestaan onder de voorwaarde dat ze onmiddellijk bij het
        // overschrijden van de grens wordt gemeld aan de bevoegde dienst van de gaststaat."
        d.cite(art("19(3)"), "the crossing is reported to the host immediately on crossing; the host confirms and says what avoids interference");
        let when = if o.already_in_cross_border_operation {
            When::Immediately
        } else {
            When::AtCrossing
        };
        d.oblige(Obligation::new(
            ObligationKind::Notify,
            Addressee::Host,
            when,
            notice_article,
        ));
        // Art. 38: provisional measures that brook no delay.
        d.cite(
            art("38"),
            "the officers may take the provisional measures that brook no delay, never beyond what they may do at home",
        );
        operation_obligations(&mut d);
    }
    d.build()
}
