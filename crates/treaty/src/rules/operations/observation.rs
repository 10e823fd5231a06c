//! Arts. 22–24: cross-border observation and investigation.

use super::*;

use crate::article::art;
use crate::clocks;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use jiff::Timestamp;

/// `operation.observation`.
#[derive(Debug, Clone)]
pub struct Observation {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub criminal_investigation: bool,
    pub offence_extraditable: bool,
    pub prior_authorisation: bool,
    pub particularly_urgent: bool,
    pub enter_dwelling: bool,
    pub technical_means: bool,
    pub technical_means_authorised: bool,
    pub crossed_at: Option<Timestamp>,
    /// Art. 22(6): hours authorised on the host's territory, and hours used so far.
    pub authorised_hours: Option<f64>,
    pub hours_used: Option<f64>,
}

impl Observation {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let particularly_urgent = f.bool("particularly_urgent")?;
        let prior_authorisation = f.bool("prior_authorisation")?;
        let number = |name: &str| -> Result<Option<f64>, FieldError> {
            match f.raw(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|h| *h >= 0.0)
                    .map(Some)
                    .ok_or_else(|| f.error(name, "expected a number of hours ≥ 0")),
            }
        };
        Ok(Observation {
            host: f.party("host")?,
            sending: f.party("sending")?,
            criminal_investigation: f.bool("criminal_investigation")?,
            offence_extraditable: f.bool("offence_extraditable")?,
            prior_authorisation,
            particularly_urgent,
            enter_dwelling: f.bool("enter_dwelling")?,
            technical_means: f.bool("technical_means")?,
            technical_means_authorised: f.bool("technical_means_authorised")?,
            // The 5-hour clock needs the crossing; without urgency it is optional.
            crossed_at: if particularly_urgent && !prior_authorisation {
                Some(f.instant("crossed_at")?)
            } else if f.raw("crossed_at").is_some() {
                f.nullable_instant("crossed_at")?
            } else {
                None
            },
            authorised_hours: number("authorised_hours")?,
            hours_used: number("hours_used")?,
        })
    }
}

pub fn observation(profile: &Profile, o: &Observation) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &o.host, &o.sending, "22(1)");
    // Art. 22(1)(a): "… in het kader van een strafrechtelijk onderzoek en betrekking heeft op een
    // persoon ten aanzien van wie er een redelijk vermoeden bestaat dat hij betrokken is bij het
    // plegen van een strafbaar feit dat aanleiding kan geven tot overlevering …"
    d.require(
        o.criminal_investigation && o.offence_extraditable,
        art("22(1)(a)"),
        "a criminal investigation into an offence that can give rise to surrender",
        if o.criminal_investigation {
            "observation abroad is only for an offence that can give rise to surrender"
        } else {
            "observation abroad is only within a criminal investigation"
        },
    );
    // Art. 22(7)(c): no entry into dwellings or places not open to the public.
    if o.enter_dwelling {
        d.refuse(
            art("22(7)(c)"),
            "entering dwellings and places not open to the public is not allowed",
        );
    }
    // Art. 22(9): "… mogen … technische hulpmiddelen gebruiken, voor zover zij daartoe van de
    // gaststaat toestemming hebben gekregen."
    if o.technical_means {
        d.require(
            o.technical_means_authorised,
            art("22(9)"),
            "the host authorised the technical means used",
            "technical means may be used only with the host's authorisation",
        );
    }
    // Art. 22(6): the authorisation states the maximum number of hours on the host's territory.
    if let (Some(max), Some(used)) = (o.authorised_hours, o.hours_used) {
        d.require(
            used <= max,
            art("22(6)"),
            format!("{used} of the {max} authorised hours used on the host's territory"),
            format!("the authorised {max} hours on the host's territory are used up ({used} h)"),
        );
    }
    if o.prior_authorisation {
        // Art. 22(1): "… indien laatstgenoemde Verdragsluitende Partij daartoe toestemming heeft
        // gegeven op basis van een van tevoren ingediend met redenen omkleed rechtshulpverzoek …"
        d.cite(
            art("22(1)"),
            "the host authorised the observation on a reasoned mutual legal assistance request",
        );
        if !d.is_refused() {
            // Art. 22(7)(a): the officers carry proof of the authorisation.
            d.cite(
                art("22(7)(a)"),
                "the officers carry proof that the authorisation was granted",
            );
            d.cite(
                art("22(2)"),
                "the host may attach conditions and take over the observation on request",
            );
            operation_obligations(&mut d);
        }
    } else if o.particularly_urgent {
        // Art. 22(4): "Wanneer wegens het bijzonder spoedeisende karakter van het optreden geen
        // voorafgaande toestemming … kan worden gevraagd, mogen de ambtenaren de observatie
        // voortzetten … a. de autoriteit of het contactpunt van de gaststaat … wordt nog tijdens de
        // observatie zo spoedig mogelijk van de grensoverschrijding in kennis gesteld, en b. een
        // rechtshulpverzoek … wordt zo spoedig mogelijk alsnog ingediend."
        d.cite(
            art("22(4)"),
            "particularly urgent: the observation continues without prior authorisation",
        );
        if !d.is_refused() {
            d.cite(
                art("22(4)(a)"),
                "the host is informed of the crossing as soon as possible, during the observation",
            );
            d.oblige(Obligation::new(
                ObligationKind::Notify,
                Addressee::Host,
                When::Asap,
                art("22(4)(a)"),
            ));
            d.cite(art("22(4)(b)"), "the request for assistance, with the reasons for crossing without authorisation, follows as soon as possible");
            d.oblige(Obligation::new(
                ObligationKind::SubmitRequest,
                Addressee::Host,
                When::Asap,
                art("22(4)(b)"),
            ));
            // Art. 22(5): "… wordt afgebroken zodra de gaststaat … zulks te verstaan geeft, of indien
            // de toestemming vijf uren na de grensoverschrijding nog niet is verleend."
            if let Some(crossed) = o.crossed_at {
                let due = clocks::after_hours(crossed, profile.flags.urgent_observation_hours);
                d.cite(
                    art("22(5)"),
                    format!(
                        "the observation stops if not authorised {} hours after the crossing, or when the host says so",
                        profile.flags.urgent_observation_hours
                    ),
                );
                d.oblige(Obligation::by_deadline(
                    ObligationKind::Stop,
                    Addressee::Host,
                    due,
                    art("22(5)"),
                ));
                d.deadline(Some(due));
            }
            operation_obligations(&mut d);
        }
    } else {
        d.refuse(
            art("22(1)"),
            "observation abroad needs the host's prior authorisation on a reasoned request, unless particularly urgent (22(4))",
        );
    }
    d.build()
}

/// `operation.investigation`.
#[derive(Debug, Clone)]
pub struct Investigation {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub requires_judicial_order_in_host: bool,
    pub host_presence: bool,
    pub presence_waived_by_agreement: bool,
    pub received_at: Timestamp,
    pub urgent: bool,
}

impl Investigation {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Investigation {
            host: f.party("host")?,
            sending: f.party("sending")?,
            requires_judicial_order_in_host: f.bool("requires_judicial_order_in_host")?,
            host_presence: f.bool("host_presence")?,
            presence_waived_by_agreement: f.bool("presence_waived_by_agreement")?,
            received_at: f.instant("received_at")?,
            urgent: f.opt_bool("urgent")?.unwrap_or(false),
        })
    }
}

pub fn investigation(profile: &Profile, i: &Investigation) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &i.host, &i.sending, "23(1)");
    // Art. 23(1): "Het gaat daarbij enkel om opsporingshandelingen die de bevoegde ambtenaren van de
    // gaststaat … zonder nadere opdracht of toestemming van justitiële autoriteiten kunnen uitoefenen."
    d.require(
        !i.requires_judicial_order_in_host,
        art("23(1)"),
        "acts that host officers may perform without a judicial order",
        "only acts the host's officers may perform without a judicial order or authorisation; this one needs one (use mutual legal assistance)",
    );
    // Art. 23(2): "… vindt plaats in aanwezigheid van de bevoegde dienst van de gaststaat. In geval
    // het Koninkrijk België of het Groothertogdom Luxemburg gaststaat is, kunnen de bevoegde
    // autoriteiten … in onderling overleg afzien van de aanwezigheid …"
    let waivable = profile.flags.host_presence_waivable_in.contains(&i.host);
    if i.host_presence {
        d.cite(
            art("23(2)"),
            "the acts are carried out in the presence of the host's service",
        );
    } else if i.presence_waived_by_agreement && waivable {
        d.cite(
            art("23(2)"),
            format!(
                "{} is host: the authorities agreed to waive the host's presence and set the framework together",
                i.host
            ),
        );
    } else if i.presence_waived_by_agreement {
        d.refuse(
            art("23(2)"),
            format!(
                "host presence may be waived only when {} is host; {} requires its service to be present",
                profile
                    .flags
                    .host_presence_waivable_in
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
                i.host
            ),
        );
    } else {
        d.refuse(
            art("23(2)"),
            "the acts take place in the presence of the host's service, unless waived by agreement where allowed",
        );
    }
    // Art. 24(1): "De aangezochte Verdragsluitende Partij reageert binnen een termijn van 48 uur …"
    let reply = clocks::after_hours(i.received_at, profile.flags.investigation_reply_hours);
    // Art. 24(2): "… uiterlijk 30 dagen na ontvangst van het verzoek …"
    let execution = clocks::after_calendar_days(
        i.received_at,
        profile.flags.investigation_execution_days,
        &profile.zone(&i.host),
    );
    d.cite(
        art("24(1)"),
        format!(
            "the host answers the written request within {} hours{}",
            profile.flags.investigation_reply_hours,
            if i.urgent { " (urgent: as soon as possible)" } else { "" }
        ),
    );
    // "… of, in geval van spoed, zo snel mogelijk": an urgent request has no fixed limit.
    if !i.urgent {
        d.details().reply_deadline = Some(reply);
        d.details().execution_deadline = Some(execution);
    }
    if !d.is_refused() {
        d.cite(
            art("24(2)"),
            format!(
                "the acts can be carried out within {} days of receipt",
                profile.flags.investigation_execution_days
            ),
        );
        // Art. 24(3): if the host refuses or cannot in time, it executes the acts itself.
        d.cite(art("24(3)"), "if the host refuses or cannot ensure execution in time, it carries out the acts itself within the same limit");
        // Art. 23(3) and 23(5): host law and language; report in the host's required language.
        d.cite(
            art("23(3)"),
            "host law applies, including its language rules, and the host officer's instructions are followed",
        );
        d.cite(
            art("23(5)"),
            "the sending officers report the acts in the language the host's law requires",
        );
        operation_obligations(&mut d);
    }
    d.build()
}
