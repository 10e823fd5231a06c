//! Title 3 (Arts. 18–26) and the operational articles of Title 4 (32–33): cross-border
//! operations, with the obligations of Title 5 that follow every operation (34(2), 45, 46).

use jiff::Timestamp;

use crate::article::art;
use crate::clocks;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;

/// The obligations of Title 5 that bind every cross-border operation once allowed.
fn operation_obligations(d: &mut DecisionBuilder) {
    // Art. 34(2): "… is de ambtenaar van de zendstaat gehouden de aanwijzingen en de bevelen van
    // de bevoegde autoriteiten en diensten van de gaststaat op te volgen."
    d.cite(
        art("34(2)"),
        "the sending officers follow the instructions and orders of the host's authorities and services",
    );
    d.oblige(Obligation::new(
        ObligationKind::FollowInstructions,
        Addressee::Host,
        When::OnHostRequest,
        art("34(2)"),
    ));
    // Art. 45: "De bevoegde diensten van de gaststaat kunnen bepalen dat zij het grensoverschrijdend
    // optreden overnemen …" / "… wordt beëindigd, zodra de bevoegde diensten van de gaststaat zulks
    // te kennen geven."
    d.cite(
        art("45(2)"),
        "the operation ends as soon as the host says so; the host may take it over",
    );
    d.oblige(Obligation::new(
        ObligationKind::Stop,
        Addressee::Host,
        When::OnHostRequest,
        art("45(2)"),
    ));
    // Art. 46(1): "De bevoegde diensten van de zendstaat doen na elk grensoverschrijdend optreden
    // verslag van dit optreden aan de bevoegde autoriteiten van de gaststaat via de bevoegde
    // diensten van de gaststaat."
    d.cite(
        art("46(1)"),
        "after the operation the sending services report to the host's competent authorities",
    );
    d.oblige(Obligation::new(
        ObligationKind::Report,
        Addressee::HostAuthority,
        When::AfterOperation,
        art("46(1)"),
    ));
}

fn require_two_parties(d: &mut DecisionBuilder, host: &PartyCode, sending: &PartyCode, article: &'static str) -> bool {
    d.require(
        host != sending,
        art(article),
        format!("officers of {sending} act on the territory of {host}"),
        "host and sending state are the same party: this is not a cross-border operation",
    )
}

// ---------------------------------------------------------------- Art. 18: assistance

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

// ---------------------------------------------------------------- Art. 19: own initiative

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

// ---------------------------------------------------------------- Art. 21: hot pursuit

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

// ---------------------------------------------------------------- Art. 22: observation

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

// ---------------------------------------------------------------- Arts. 23–24: investigation

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

// ---------------------------------------------------------------- Art. 25: transport and escort

/// `operation.transport`.
#[derive(Debug, Clone)]
pub struct Transport {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub prior_consent: bool,
}

impl Transport {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Transport {
            host: f.party("host")?,
            sending: f.party("sending")?,
            prior_consent: f.bool("prior_consent")?,
        })
    }
}

/// Art. 25(1): "… mits daarvoor voorafgaande toestemming van de bevoegde autoriteit of dienst van
/// de gaststaat is verkregen. Indien de bevoegde autoriteit of dienst van de gaststaat geen
/// toestemming verleent …, voert de bevoegde dienst van de gaststaat deze opdracht zelf uit,
/// tenzij zij gegronde redenen heeft om anders te besluiten."
pub fn transport(t: &Transport) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &t.host, &t.sending, "25(1)");
    if d.require(
        t.prior_consent,
        art("25(1)"),
        "the host's competent authority or service consented in advance to the transport or escort",
        "transport and escort abroad need the host's prior consent; without it the host carries out the task itself unless it has good reasons not to",
    ) {
        d.cite(art("41(1)"), "a deprivation of liberty continues for the whole transport");
        operation_obligations(&mut d);
    } else {
        d.oblige(Obligation::new(ObligationKind::ExecuteItself, Addressee::RequestingParty, When::Asap, art("25(1)")));
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 26: trains and ships

/// `operation.train_competence`.
#[derive(Debug, Clone)]
pub struct TrainCompetence {
    pub committed_in: Option<PartyCode>,
    pub next_scheduled_stop_in: PartyCode,
}

impl TrainCompetence {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(TrainCompetence {
            committed_in: f.nullable_party("committed_in")?,
            next_scheduled_stop_in: f.party("next_scheduled_stop_in")?,
        })
    }
}

/// Art. 26(3): "… is de Verdragsluitende Partij op wier grondgebied het feit is gepleegd, bevoegd.
/// Wanneer niet kan worden uitgemaakt waar het strafbare feit is gepleegd, is de Verdragsluitende
/// Partij op wier grondgebied de eerstvolgende voorziene halteplaats zich bevindt, bevoegd."
pub fn train_competence(t: &TrainCompetence) -> Decision {
    let mut d = DecisionBuilder::computation();
    let competent = match &t.committed_in {
        Some(p) => {
            d.cite(
                art("26(3)"),
                format!("the offence was committed on the territory of {p}: {p} is competent"),
            );
            p.clone()
        }
        None => {
            d.cite(
                art("26(3)"),
                format!("where the offence was committed cannot be established: the party of the next scheduled stop, {}, is competent", t.next_scheduled_stop_in),
            );
            t.next_scheduled_stop_in.clone()
        }
    };
    d.details().competent = Some(competent);
    d.build()
}

/// `operation.train_boarding`: boarding or leaving an international train or ship abroad.
#[derive(Debug, Clone)]
pub struct TrainBoarding {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub arrest_or_seizure_at_home: bool,
}

impl TrainBoarding {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(TrainBoarding {
            host: f.party("host")?,
            sending: f.party("sending")?,
            arrest_or_seizure_at_home: f.opt_bool("arrest_or_seizure_at_home")?.unwrap_or(false),
        })
    }
}

pub fn train_boarding(t: &TrainBoarding) -> Decision {
    let mut d = DecisionBuilder::new();
    if !require_two_parties(&mut d, &t.host, &t.sending, "26(1)") {
        return d.build();
    }
    // Art. 26(1): "… onder de voorwaarde dat de grensoverschrijding uiterlijk bij het overschrijden
    // van de grens wordt gemeld aan de bevoegde dienst van de gaststaat."
    d.cite(art("26(1)"), "officers may board or leave the international train or ship abroad; the crossing is reported at the latest on crossing");
    d.oblige(Obligation::new(
        ObligationKind::Notify,
        Addressee::Host,
        When::AtCrossing,
        art("26(1)"),
    ));
    d.cite(
        art("26(2)"),
        "a check begun at home may be completed abroad for as long as necessary",
    );
    if t.arrest_or_seizure_at_home {
        // Art. 26(4): the arrest or seizure stays valid; "De bevoegde diensten van de gaststaat worden
        // onverwijld van deze situatie op de hoogte gebracht."
        d.cite(
            art("26(4)"),
            "an arrest or seizure made at home stays valid abroad; the host is told without delay",
        );
        d.oblige(Obligation::new(
            ObligationKind::Notify,
            Addressee::Host,
            When::Immediately,
            art("26(4)"),
        ));
    }
    operation_obligations(&mut d);
    d.build()
}

// ---------------------------------------------------------------- Arts. 32 and 41: transit

/// `operation.transit`.
#[derive(Debug, Clone)]
pub struct Transit {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub with_detained_person: bool,
    pub with_goods: bool,
}

impl Transit {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Transit {
            host: f.party("host")?,
            sending: f.party("sending")?,
            with_detained_person: f.bool("with_detained_person")?,
            with_goods: f.bool("with_goods")?,
        })
    }
}

pub fn transit(t: &Transit) -> Decision {
    let mut d = DecisionBuilder::new();
    if !require_two_parties(&mut d, &t.host, &t.sending, "32") {
        return d.build();
    }
    // Art. 32: "De ambtenaar is bevoegd om zich … over het grondgebied van een Verdragsluitende
    // Partij te bewegen om het eigen grondgebied … langs de snelst mogelijke weg te bereiken."
    d.cite(
        art("32"),
        "transit by the fastest route, with vehicles, equipment and the weapons Art. 39 allows",
    );
    if t.with_detained_person {
        d.cite(
            art("41(2)"),
            "the lawful deprivation of liberty of a transported person continues during the transit",
        );
    }
    if t.with_goods {
        d.cite(
            art("41(3)"),
            "goods the officer may lawfully carry at home may be carried during the transit",
        );
    }
    if t.with_detained_person || t.with_goods {
        // Art. 41(4): "… dan wordt deze doortocht vóór het overschrijden van de grens gemeld aan de
        // bevoegde diensten van de gaststaat."
        d.cite(
            art("41(4)"),
            "the transit is reported to the host's services before crossing the border",
        );
        d.oblige(Obligation::new(
            ObligationKind::Notify,
            Addressee::Host,
            When::BeforeCrossing,
            art("41(4)"),
        ));
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 33: urgent securing of evidence

/// `evidence.urgent_request`: securing traces or evidence (blood, body material) urgently.
#[derive(Debug, Clone)]
pub struct UrgentEvidence {
    pub real_risk_of_loss: bool,
    pub oral: bool,
}

impl UrgentEvidence {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(UrgentEvidence {
            real_risk_of_loss: f.bool("real_risk_of_loss")?,
            oral: f.bool("oral")?,
        })
    }
}

pub fn urgent_evidence(u: &UrgentEvidence) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 33(1): "… en er een reëel risico bestaat dat deze sporen of dit bewijsmateriaal verloren
    // zouden gaan indien de onderzoeksmaatregel slechts na ontvangst van een Europees onderzoeksbevel
    // of een verzoek om wederzijdse rechtshulp … zou worden uitgevoerd …"
    if d.require(
        u.real_risk_of_loss,
        art("33(1)"),
        "there is a real risk that the traces or evidence are lost if the measure waits for an EIO or MLA request",
        "without a real risk of loss, use a European Investigation Order or a mutual legal assistance request",
    ) {
        d.cite(
            art("33(3)"),
            "the measure is carried out under the requested party's law",
        );
        d.cite(art("33(4)"), "results are sent under the requested party's EIO law");
        if u.oral {
            // Art. 33(2): "Voor zover het … verzoek mondeling is gedaan, wordt dit zo spoedig mogelijk
            // schriftelijk bevestigd."
            d.cite(
                art("33(2)"),
                "the oral request is confirmed in writing as soon as possible",
            );
            d.oblige(Obligation::new(
                ObligationKind::ConfirmInWriting,
                Addressee::Recipient,
                When::Asap,
                art("33(2)"),
            ));
        }
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 45: host takes over or ends

/// `operation.host_instruction`: the host takes over or ends an operation.
#[derive(Debug, Clone)]
pub struct HostInstruction {
    pub take_over: bool,
    pub end: bool,
}

impl HostInstruction {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(HostInstruction {
            take_over: f.bool("take_over")?,
            end: f.bool("end")?,
        })
    }
}

pub fn host_instruction(h: &HostInstruction) -> Decision {
    let mut d = DecisionBuilder::new();
    if h.take_over {
        // Art. 45(1): "… kunnen bepalen dat zij het grensoverschrijdend optreden overnemen of
        // verderzetten samen met ambtenaren van de zendstaat."
        d.cite(
            art("45(1)"),
            "the host takes the operation over, or continues it together with the sending officers",
        );
        d.oblige(Obligation::new(
            ObligationKind::FollowInstructions,
            Addressee::Host,
            When::Immediately,
            art("45(1)"),
        ));
    }
    if h.end {
        // Art. 45(2): "Het grensoverschrijdend optreden wordt beëindigd, zodra de bevoegde diensten
        // van de gaststaat zulks te kennen geven."
        d.cite(art("45(2)"), "the operation ends as soon as the host says so");
        d.oblige(Obligation::new(
            ObligationKind::Stop,
            Addressee::Host,
            When::Immediately,
            art("45(2)"),
        ));
    }
    if h.take_over || h.end {
        d.oblige(Obligation::new(
            ObligationKind::Report,
            Addressee::HostAuthority,
            When::AfterOperation,
            art("46(1)"),
        ));
        d.cite(art("46(1)"), "a report is due after the operation");
    } else {
        d.cite(
            art("45"),
            "no instruction: the operation continues under the host's authority (Art. 34)",
        );
    }
    d.build()
}
