//! Title 2, Arts. 4–12: requests, channels, data protection, classification, use of
//! received data, consent, form and language of the exchange.

mod channel;
mod data;
mod direct;
mod oral;

pub use channel::*;
pub use data::*;
pub use direct::*;
pub use oral::*;

use crate::article::art;

use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};

use crate::fields::{FieldError, Fields};

use crate::ids::PartyCode;

use crate::profile::Profile;

/// Why data are requested (Art. 2 purposes, and Art. 4(3) administrative measures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Prevention, investigation or detection of offences.
    Criminal,
    /// Maintenance of public order and security.
    PublicOrder,
    /// Administrative measures by authorities competent for them (Art. 4(3)).
    AdministrativeMeasures,
    /// Anything else.
    Other,
}

/// `exchange.request`: a request for personal data and information.
#[derive(Debug, Clone)]
pub struct Request {
    pub purpose: Purpose,
    pub requested_law_expressly_opposes: bool,
    /// How many persons or objects the request concerns, where known (Art. 4(5)).
    pub subjects: Option<u64>,
}

impl Request {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let purpose = match f.one_of(
            "purpose",
            &["criminal", "public_order", "administrative_measures", "other"],
        )? {
            "criminal" => Purpose::Criminal,
            "public_order" => Purpose::PublicOrder,
            "administrative_measures" => Purpose::AdministrativeMeasures,
            _ => Purpose::Other,
        };
        let requested_law_expressly_opposes = match purpose {
            Purpose::AdministrativeMeasures => f.bool("requested_law_expressly_opposes")?,
            _ => f.opt_bool("requested_law_expressly_opposes")?.unwrap_or(false),
        };
        let subjects = match f.raw("subjects") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| f.error("subjects", "expected a whole number of persons or objects"))?,
            ),
        };
        Ok(Request {
            purpose,
            requested_law_expressly_opposes,
            subjects,
        })
    }
}

pub fn request(r: &Request) -> Decision {
    let mut d = DecisionBuilder::new();
    match r.purpose {
        // Art. 4(1): "De bevoegde diensten kunnen elkaar op verzoek persoonsgegevens en
        // informatie verstrekken voor het doel van de voorkoming, het onderzoek of de opsporing
        // van strafbare feiten of de handhaving van de openbare orde en veiligheid."
        Purpose::Criminal => {
            d.cite(
                art("4(1)"),
                "a request for the prevention, investigation or detection of offences",
            );
            d.cite(art("7(1)"), "personal data are processed only for that purpose");
        }
        Purpose::PublicOrder => {
            d.cite(
                art("4(1)"),
                "a request for the maintenance of public order and security",
            );
            d.cite(art("7(1)"), "personal data are processed only for that purpose");
        }
        // Art. 4(3): "… in de mate dat het nationale recht van de aangezochte Verdragsluitende
        // Partij zich hier niet uitdrukkelijk tegen verzet, op verzoek … ten behoeve van het
        // treffen van bestuurlijke maatregelen …"
        Purpose::AdministrativeMeasures => {
            d.require(
                !r.requested_law_expressly_opposes,
                art("4(3)"),
                "a request for administrative measures; the requested party's law does not expressly oppose it",
                "the requested party's national law expressly opposes provision for administrative measures",
            );
        }
        // Art. 7(1): "Persoonsgegevens worden op grond van dit Verdrag uitsluitend verwerkt voor het
        // doel van de voorkoming, het onderzoek en de opsporing van strafbare feiten of de
        // handhaving van de openbare orde en veiligheid."
        Purpose::Other => {
            d.refuse(
                art("4(1)"),
                "the treaty allows requests only for offences or public order and security (Art. 2)",
            );
            d.refuse(
                art("7(1)"),
                "personal data may not be processed under the treaty for another purpose",
            );
        }
    }
    // Art. 4(5): "Een verzoek of verstrekking kan één of meer individuele personen of voorwerpen betreffen."
    if let Some(n) = r.subjects {
        d.require(
            n >= 1,
            art("4(5)"),
            format!("the request concerns {n} individual person(s) or object(s)"),
            "a request must concern at least one individual person or object, and no more data than necessary",
        );
    }
    d.build()
}

/// `exchange.spontaneous`: provision without a prior request (Art. 4(2)).
#[derive(Debug, Clone)]
pub struct Spontaneous {
    pub factual_reasons_it_may_help: bool,
}

impl Spontaneous {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Spontaneous {
            factual_reasons_it_may_help: f.bool("factual_reasons_it_may_help")?,
        })
    }
}

/// Art. 4(2): "… spontaan, zonder voorafgaand verzoek, … in gevallen waarin er feitelijke
/// redenen zijn om aan te nemen dat deze persoonsgegevens of informatie dienstig kunnen zijn …"
pub fn spontaneous(s: &Spontaneous) -> Decision {
    let mut d = DecisionBuilder::new();
    d.require(
        s.factual_reasons_it_may_help,
        art("4(2)"),
        "there are factual reasons to believe the data may help prevent, investigate or detect offences or keep public order",
        "spontaneous provision needs factual reasons to believe the data may help",
    );
    d.build()
}

/// `exchange.refusal`: refusing to provide data.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub ground: String,
}

impl Refusal {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Refusal {
            ground: f.string("ground")?.trim().to_owned(),
        })
    }
}

pub fn refusal(profile: &Profile, r: &Refusal) -> Decision {
    let mut d = DecisionBuilder::new();
    if r.ground == "61" || r.ground.starts_with("61(") {
        // Art. 61(1): "… kan deze Verdragsluitende Partij de samenwerking op grond van dit
        // Verdrag … geheel of gedeeltelijk weigeren of afhankelijk maken van bepaalde voorwaarden."
        if d.require(
            profile.flags.exception_clause,
            art("61(1)"),
            "sovereignty, security, other important interests or national law are at stake",
            "this agreement has no exception clause",
        ) {
            // Art. 61(2): "… wordt onverwijld mededeling gedaan aan de andere Verdragsluitende
            // Partijen, die het aanbelangt, met vermelding van de redenen …"
            d.cite(
                art("61(2)"),
                "the requesting party is told without delay, with reasons, through the channel of the request",
            );
            d.oblige(Obligation::new(
                ObligationKind::GiveReasons,
                Addressee::RequestingParty,
                When::Immediately,
                art("61(2)"),
            ));
        }
        return d.build();
    }
    // Art. 4(4): "Het verstrekken van persoonsgegevens of informatie kan worden geweigerd in de
    // gevallen voorzien in artikel 10 van het Zweeds Kaderbesluit" — read, since its repeal, as
    // the grounds of Directive 2023/977 Art. 6.
    let valid = profile.flags.refusal_grounds.contains(&r.ground);
    if d.require(
        valid,
        art("4(4)"),
        format!("{} is a refusal ground of Directive 2023/977 Art. 6", r.ground),
        format!(
            "'{}' is not a refusal ground; use one of {} or 61",
            r.ground,
            profile.flags.refusal_grounds.join(", ")
        ),
    ) {
        if let Ok(ground) = r.ground.parse() {
            d.cite(ground, refusal_ground_text(&r.ground));
        }
        // Directive 2023/977 Art. 6(3): the requesting point of contact is informed of the
        // refusal with reasons.
        d.cite(
            art("2023/977:6(3)"),
            "the refusal states its reasons to the requesting party",
        );
        d.oblige(Obligation::new(
            ObligationKind::GiveReasons,
            Addressee::RequestingParty,
            When::Immediately,
            art("2023/977:6(3)"),
        ));
    }
    d.build()
}

fn refusal_ground_text(ground: &str) -> &'static str {
    match ground.trim_start_matches("2023/977:6") {
        "(a)" => "the requested information is not available",
        "(b)" => "the request does not meet the requirements of Art. 4 of the Directive",
        "(c)" => "the judicial authorisation required was refused",
        "(d)" => "the personal data are outside the permitted categories",
        "(e)" => "the information is inaccurate, incomplete or no longer up to date",
        "(f)" => "providing it would harm national security, an investigation or a person's safety, or unduly harm a legal person",
        "(g)" => "the offence is punishable by one year or less, or is not an offence in the requested state",
        "(h)" => "the state or third country that supplied the information did not consent",
        _ => "refusal ground",
    }
}

/// `exchange.source_database`: may data be provided from this database under Art. 4?
#[derive(Debug, Clone)]
pub struct SourceDatabase {
    pub provider: PartyCode,
    pub database: String,
}

impl SourceDatabase {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(SourceDatabase {
            provider: f.party("provider")?,
            database: f.string("database")?.to_owned(),
        })
    }
}

/// Art. 5(1): "De databanken waaruit op grond van artikel 4 van dit Verdrag persoonsgegevens en
/// informatie kunnen worden uitgewisseld, worden gedefinieerd in bijlage 5 bij dit Verdrag."
pub fn source_database(profile: &Profile, s: &SourceDatabase) -> Decision {
    let mut d = DecisionBuilder::new();
    let db = profile.database(&s.database).filter(|db| db.party == s.provider);
    let ok = db.is_some_and(|db| db.annex5);
    d.require(
        ok,
        art("5(1)"),
        format!("{} is an annex 5 database of {}", s.database, s.provider),
        format!("{} is not an annex 5 database of {}", s.database, s.provider),
    );
    d.also_cite(art("annex5"));
    d.build()
}
