//! Title 5 (Arts. 34–51) and Title 6 (Arts. 52–60): what sending officers and special units
//! may do on the host's territory, weapons, force, identity, liability, and crisis assistance.

use std::collections::BTreeSet;

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;

// ---------------------------------------------------------------- Arts. 35–38: powers

/// `powers`: the powers of sending officers in an operation under `operation_article`.
#[derive(Debug, Clone)]
pub struct Powers {
    pub operation_article: u32,
    /// Title 6: the officers are special units.
    pub special_units: bool,
}

impl Powers {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let operation_article = f.article_number("operation_article", &[18, 19, 20, 21, 22, 23, 25, 26, 53, 54, 55])?;
        Ok(Powers {
            operation_article,
            special_units: f.opt_bool("special_units")?.unwrap_or(false),
        })
    }
}

/// Art. 36(1) a–d.
const GENERAL: [&str; 4] = [
    "detain",
    "establish_identity",
    "security_search",
    "secure_seizable_objects",
];
/// Art. 37 a–g.
const PUBLIC_ORDER: [&str; 7] = [
    "close_protection",
    "public_place_surveillance",
    "access_control",
    "traffic_orders",
    "public_place_search",
    "identity_checks",
    "group_escort",
];

pub fn powers(p: &Powers) -> Decision {
    let mut d = DecisionBuilder::computation();
    let mut powers = BTreeSet::new();
    // Art. 35(1): "… beschikken ter plaatse enkel over de bevoegdheden die hen door dit Verdrag of
    // door het nationale recht van de gaststaat zijn toegekend, met dien verstande dat zij geen
    // bevoegdheden uitoefenen die hen in het eigen nationale recht niet zijn toegekend."
    d.cite(
        art("35(1)"),
        "only the powers the treaty or host law gives, never more than at home, exercised under host law",
    );
    let article = p.operation_article;
    let special = p.special_units || matches!(article, 53..=55);
    if special {
        // Art. 52: Titles 3–5 apply to special units only where Title 6 declares them applicable.
        d.cite(art("52"), "special units: Titles 3 to 5 apply only as Title 6 declares");
    }
    // Art. 36(1): "… bij zijn optreden op grond van de artikelen 18, 20, 21, 25 en 26 …"
    // Art. 54(2), 55(2), 57(2)–(3) declare Art. 36 applicable to special units.
    let general = matches!(article, 18 | 20 | 21 | 25 | 26 | 54 | 55) || (special && article == 22);
    // Art. 37: "… bij zijn optreden op grond van de artikelen 18 en 20 …, in aanvulling op het
    // bepaalde in artikel 36 …"; for special units Art. 54(2) and 57(2) declare it applicable.
    let public_order = matches!(article, 18 | 20 | 54) || (special && article == 20);
    // Art. 38: "De ambtenaar van de zendstaat die optreedt op grond van artikel 19, eerste of vijfde
    // lid, … is bevoegd om … de nodige voorlopige maatregelen te treffen, die geen uitstel dulden …"
    let provisional = matches!(article, 19);
    if general {
        d.cite(art("36(1)"), format!("in an operation under Art. {article}: detain, establish identity, security search, secure seizable objects — as far as host law allows and the task requires"));
        d.cite(
            art("36(2)"),
            "detained persons and secured objects are handed over to a host officer without delay, with reasons",
        );
        powers.extend(GENERAL.map(str::to_owned));
    }
    if public_order {
        d.cite(art("37"), "in addition, for public order and security: close protection, surveillance, access control, traffic orders, searching public places, identity checks, group escort");
        powers.extend(PUBLIC_ORDER.map(str::to_owned));
    }
    if provisional {
        d.cite(
            art("38"),
            "provisional measures that brook no delay to avert acute danger, never beyond what is allowed at home",
        );
        powers.insert("provisional_measures".to_owned());
    }
    if article == 53 {
        // Art. 53(8): the same powers as the host's special units, never more than at home.
        d.cite(
            art("53(8)"),
            "the powers of the host's special units, never beyond those held at home",
        );
    }
    if powers.is_empty() && article != 53 {
        d.cite(
            art("35(1)"),
            format!("an operation under Art. {article} gives no general powers of Arts. 36–38: only the acts the host authorised, under host law"),
        );
    }
    // Arts. 21(2)(e) and 22(7)(c): never enter dwellings or non-public places.
    if matches!(article, 21 | 22 | 55) {
        d.cite(
            if article == 22 {
                art("22(7)(c)")
            } else {
                art("21(2)(e)")
            },
            "never: entering dwellings or places not open to the public",
        );
    }
    d.details().powers = Some(powers);
    d.build()
}

// ---------------------------------------------------------------- Arts. 39 and 58: weapons

/// `weapons.carry`: may a sending officer carry a weapon abroad?
#[derive(Debug, Clone)]
pub struct Weapons {
    pub in_own_equipment: bool,
    pub host_officers_may_carry: bool,
    pub cannot_be_safely_stored_at_home: bool,
    pub prior_consent_of_host_authority: bool,
    pub special_units: bool,
}

impl Weapons {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Weapons {
            in_own_equipment: f.bool("in_own_equipment")?,
            host_officers_may_carry: f.bool("host_officers_may_carry")?,
            cannot_be_safely_stored_at_home: f.bool("cannot_be_safely_stored_at_home")?,
            prior_consent_of_host_authority: f.bool("prior_consent_of_host_authority")?,
            special_units: f.opt_bool("special_units")?.unwrap_or(false),
        })
    }
}

pub fn weapons(w: &Weapons) -> Decision {
    let mut d = DecisionBuilder::new();
    let first = if w.special_units { art("58(1)") } else { art("39(1)") };
    if w.in_own_equipment && w.host_officers_may_carry {
        // Art. 39(1): "… mogen … de tot hun uitrusting in de zendstaat behorende wapens en munitie
        // vervoeren en dragen, mits deze vervoerd en gedragen mogen worden door de ambtenaren van de gaststaat."
        d.cite(
            first,
            "the weapon belongs to the officer's equipment and the host's own officers may carry it",
        );
    } else if w.cannot_be_safely_stored_at_home {
        // Art. 39(2): other weapons when they "… redelijkerwijs niet op veilige wijze kunnen worden
        // afgelegd en veiliggesteld op het grondgebied van de zendstaat."
        d.cite(
            art("39(2)"),
            "the weapon cannot reasonably be left and secured safely at home",
        );
    } else if w.prior_consent_of_host_authority {
        // Art. 39(3): "… indien de … bevoegde autoriteit van de gaststaat hiervoor van tevoren toestemming heeft gegeven."
        d.cite(art("39(3)"), "the host's designated authority consented in advance");
    } else {
        d.refuse(first, "the host's own officers may not carry this weapon");
        d.refuse(art("39(3)"), "other weapons need the prior consent of the host's designated authority, or must be impossible to store safely at home (39(2))");
    }
    if w.special_units {
        d.cite(art("58(2)"), "Art. 39(2)–(4) apply to special units");
    }
    d.build()
}

// ---------------------------------------------------------------- Arts. 40 and 59: force

/// `force.use`: use of force or firearms by sending officers.
#[derive(Debug, Clone)]
pub struct Force {
    pub firearm: bool,
    pub self_defence: bool,
    pub reasonably_necessary: bool,
    pub warning_given_or_impossible: bool,
    pub host_law_requires_report: bool,
    /// Art. 59(2): automatic or precision weapons of special units.
    pub special_units_automatic_or_precision: bool,
    pub host_special_units_may: bool,
}

impl Force {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Force {
            firearm: f.bool("firearm")?,
            self_defence: f.bool("self_defence")?,
            reasonably_necessary: f.bool("reasonably_necessary")?,
            warning_given_or_impossible: f.bool("warning_given_or_impossible")?,
            host_law_requires_report: f.bool("host_law_requires_report")?,
            special_units_automatic_or_precision: f.opt_bool("special_units_automatic_or_precision")?.unwrap_or(false),
            host_special_units_may: f.opt_bool("host_special_units_may")?.unwrap_or(false),
        })
    }
}

pub fn force(f: &Force) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 40(1)–(2): force "… voor zover dat redelijkerwijs noodzakelijk is …", or in self-defence.
    d.require(
        f.reasonably_necessary || f.self_defence,
        art("40(1)"),
        "force is reasonably necessary for the task (or self-defence, 40(2))",
        "force only as far as reasonably necessary, or in self-defence",
    );
    if f.firearm {
        if f.special_units_automatic_or_precision {
            // Art. 59(2): "… onder dezelfde wettelijke voorwaarden als de leden van de speciale
            // eenheden van de Verdragsluitende Partij op wier grondgebied zij zich bevinden."
            d.require(
                f.host_special_units_may,
                art("59(2)"),
                "special units fire automatic or precision weapons under the conditions that bind the host's special units",
                "the host's special units could not fire these weapons in the same conditions",
            );
        } else {
            // Art. 40(4): "Het afvuren van een vuurwapen … is enkel toegestaan in het geval van een
            // ogenblikkelijke noodzaak van wettige verdediging van zichzelf of van een ander."
            d.require(
                f.self_defence,
                art("40(4)"),
                "firing in immediate self-defence",
                "a firearm may be fired only in immediate self-defence or defence of another",
            );
        }
    }
    // Art. 40(5): "Aan het uitoefenen van geweld gaat, indien mogelijk en gepast, een waarschuwing vooraf."
    d.require(
        f.warning_given_or_impossible,
        art("40(5)"),
        "a warning preceded the force, or was not possible",
        "a warning must precede force where possible and appropriate",
    );
    // Art. 40(6): "… meldt de feiten en omstandigheden …, alsmede de gevolgen hiervan, onverwijld
    // aan de bevoegde autoriteit van de gaststaat, indien en voor zover het recht van de gaststaat
    // een dergelijke verplichting aan zijn eigen ambtenaren oplegt."
    if f.host_law_requires_report {
        d.cite(art("40(6)"), "host law requires its own officers to report use of force: report it to the host authority without delay (it may go in the Art. 46 report)");
        d.oblige(Obligation::new(
            ObligationKind::Report,
            Addressee::HostAuthority,
            When::Immediately,
            art("40(6)"),
        ));
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 43: identity

/// `officer.identity_disclosure`: may the host reveal a sending officer's identity?
#[derive(Debug, Clone)]
pub struct IdentityDisclosure {
    pub shielded: bool,
    pub criminal_prosecution_in_host: bool,
}

impl IdentityDisclosure {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(IdentityDisclosure {
            shielded: f.bool("shielded")?,
            criminal_prosecution_in_host: f.opt_bool("criminal_prosecution_in_host")?.unwrap_or(false),
        })
    }
}

/// Art. 43(2): "Indien de identiteit van de ambtenaar in de zendstaat wordt afgeschermd …, zorgt de
/// gaststaat ervoor dat zijn identiteit niet onthuld wordt …, onverminderd de regelgeving die in de
/// gaststaat geldt in geval van strafrechtelijke vervolging."
pub fn identity_disclosure(i: &IdentityDisclosure) -> Decision {
    let mut d = DecisionBuilder::new();
    d.cite(
        art("43(1)"),
        "the officer can always prove the official function with the sending state's card",
    );
    if i.shielded && !i.criminal_prosecution_in_host {
        d.refuse(
            art("43(2)"),
            "the officer's identity is shielded at home: partners see a pseudonymous identifier only",
        );
    } else if i.shielded {
        d.cite(
            art("43(2)"),
            "shielded identity, but the host's rules for criminal prosecution apply",
        );
    } else {
        d.cite(art("43(2)"), "the officer's identity is not shielded");
    }
    d.build()
}

// ---------------------------------------------------------------- Arts. 48 and 60: liability

/// `liability`: who is liable for damage caused by sending officers.
#[derive(Debug, Clone)]
pub struct Liability {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub operation_article: u32,
    pub gross_negligence_or_wilful_misconduct: bool,
}

impl Liability {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Liability {
            host: f.party("host")?,
            sending: f.party("sending")?,
            // Titles 3–6: the operations for which liability is decided.
            operation_article: f
                .article_number("operation_article", &[18, 19, 20, 21, 22, 23, 25, 26, 53, 54, 55, 57])?,
            gross_negligence_or_wilful_misconduct: f
                .opt_bool("gross_negligence_or_wilful_misconduct")?
                .unwrap_or(false),
        })
    }
}

pub fn liability(l: &Liability) -> Decision {
    let mut d = DecisionBuilder::computation();
    let on_request = matches!(l.operation_article, 18 | 53 | 54);
    if on_request {
        // Art. 48(4): "Wanneer ambtenaren van de zendstaat op verzoek optreden als bedoeld in artikel
        // 18 …, is de gaststaat overeenkomstig zijn nationale recht aansprakelijk …" (60(1) for 53–54).
        if matches!(l.operation_article, 53 | 54) {
            d.cite(art("60(1)"), "special units acting on request: Art. 48(4)–(5) apply");
        }
        d.cite(
            art("48(4)"),
            format!(
                "assistance on request: the host, {}, is liable under its own law",
                l.host
            ),
        );
        if l.gross_negligence_or_wilful_misconduct {
            d.cite(
                art("48(5)"),
                format!(
                    "gross negligence or wilful misconduct: {} may seek reimbursement from {}",
                    l.host, l.sending
                ),
            );
        }
        d.details().liable = Some(l.host.clone());
    } else {
        if matches!(l.operation_article, 55..=57) {
            d.cite(art("60(2)"), "special units in other operations: Art. 48(1)–(3) apply");
        }
        // Art. 48(1): "… is de zendstaat overeenkomstig het recht van de gaststaat aansprakelijk voor
        // de schade die zijn ambtenaren aldaar … veroorzaken."
        d.cite(
            art("48(1)"),
            format!(
                "the sending state, {}, is liable under the law of {}",
                l.sending, l.host
            ),
        );
        d.cite(
            art("48(2)"),
            format!("{} compensates the victims as for damage by its own officers", l.host),
        );
        d.cite(art("48(3)"), format!("{} reimburses {} in full", l.sending, l.host));
        d.details().liable = Some(l.sending.clone());
    }
    d.build()
}

// ---------------------------------------------------------------- Arts. 53–54: special units

/// `special_units.request`.
#[derive(Debug, Clone)]
pub struct SpecialUnitsRequest {
    pub crisis: bool,
    pub direct_between_special_units: bool,
    pub consent_of_competent_authorities: bool,
}

impl SpecialUnitsRequest {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(SpecialUnitsRequest {
            crisis: f.bool("crisis")?,
            direct_between_special_units: f.bool("direct_between_special_units")?,
            consent_of_competent_authorities: f.bool("consent_of_competent_authorities")?,
        })
    }
}

pub fn special_units_request(s: &SpecialUnitsRequest) -> Decision {
    let mut d = DecisionBuilder::new();
    if s.crisis {
        // Art. 53(1): "… kunnen elkaar, met instemming van de bevoegde autoriteiten van de verzoekende
        // Verdragsluitende Partij, op verzoek bijstand verlenen in een crisissituatie …"
        d.require(
            s.consent_of_competent_authorities,
            art("53(1)"),
            "assistance in a crisis situation, with the consent of the requesting party's competent authorities",
            "crisis assistance needs the consent of the requesting party's competent authorities",
        );
        if s.direct_between_special_units {
            // Art. 53(4): "Het verzoek om bijstand wordt, met instemming van de bevoegde autoriteiten
            // …, door de speciale eenheden van de verzoekende Verdragsluitende Partij rechtstreeks aan de
            // speciale eenheden van de aangezochte Verdragsluitende Partij gericht."
            d.require(
                s.consent_of_competent_authorities,
                art("53(4)"),
                "the request goes directly from special unit to special unit, with the authorities' consent",
                "a direct request between special units needs the consent of the requesting party's competent authorities",
            );
        }
        if !d.is_refused() {
            d.cite(
                art("53(5)"),
                "the request states the nature, duration and specific objective",
            );
            // Art. 53(6): "… neemt onverwijld een gemotiveerde beslissing op het verzoek …"
            d.cite(
                art("53(6)"),
                "the requested party decides without delay with reasons, in writing as soon as possible",
            );
            d.oblige(Obligation::new(
                ObligationKind::GiveReasons,
                Addressee::RequestingParty,
                When::Asap,
                art("53(6)"),
            ));
            d.cite(
                art("53(9)"),
                "the requesting party's unit leader directs the operation, under the host's authority",
            );
        }
    } else {
        // Art. 54(1): outside crises "… mits de voorwaarden en procedures bepaald in artikel 18 …".
        d.cite(
            art("54(1)"),
            "assistance outside a crisis follows the conditions and procedures of Art. 18",
        );
        d.cite(
            art("18(4)"),
            "the requested service decides without delay, with reasons",
        );
        d.oblige(Obligation::new(
            ObligationKind::GiveReasons,
            Addressee::RequestingParty,
            When::Asap,
            art("18(4)"),
        ));
    }
    d.build()
}
