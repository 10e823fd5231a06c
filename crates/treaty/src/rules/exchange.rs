//! Title 2, Arts. 4–12: requests, channels, data protection, classification, use of
//! received data, consent, form and language of the exchange.

use jiff::Timestamp;

use crate::article::art;
use crate::clocks;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::{Language, PartyCode};
use crate::profile::Profile;

// ---------------------------------------------------------------- Art. 4 and 7(1)

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

// ---------------------------------------------------------------- Art. 4(4) and 61: refusal

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

// ---------------------------------------------------------------- Art. 5 and annex 5

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

// ---------------------------------------------------------------- Art. 6: channels

/// Where a unit sits.
#[derive(Debug, Clone)]
pub struct Place {
    pub party: PartyCode,
    pub region: String,
}

impl Place {
    fn parse(f: &Fields, name: &str) -> Result<Self, FieldError> {
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

// ---------------------------------------------------------------- Art. 7(3): processing feedback

/// `exchange.feedback_request`: the provider asks what became of its data.
#[derive(Debug, Clone)]
pub struct FeedbackRequest {
    pub asked_by_provider: bool,
}

impl FeedbackRequest {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(FeedbackRequest {
            asked_by_provider: f.bool("asked_by_provider")?,
        })
    }
}

/// Art. 7(3): "De ontvangende bevoegde dienst informeert de verstrekkende bevoegde dienst op diens
/// verzoek zo spoedig mogelijk over de verwerking van de verstrekte persoonsgegevens en het
/// resultaat hiervan."
pub fn feedback_request(f: &FeedbackRequest) -> Decision {
    let mut d = DecisionBuilder::new();
    if d.require(
        f.asked_by_provider,
        art("7(3)"),
        "the providing service asked how its data were processed and with what result",
        "only the providing service may ask for processing feedback on its data",
    ) {
        d.oblige(Obligation::new(
            ObligationKind::Report,
            Addressee::Provider,
            When::Asap,
            art("7(3)"),
        ));
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 8: classification

/// `data.classification`.
#[derive(Debug, Clone)]
pub struct Classification {
    pub from: PartyCode,
    pub marking: String,
    pub to: PartyCode,
    /// The day the data were classified, for the dated table; latest table if absent.
    pub on: Option<jiff::civil::Date>,
}

impl Classification {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let c = Classification {
            from: f.party("from")?,
            marking: f.string("marking")?.to_owned(),
            to: f.party("to")?,
            on: f.nullable_date("on")?,
        };
        c.checked(f.profile()).map_err(|problem| f.error("marking", problem))
    }

    /// The classification, if its marking is one of the provider's in the profile's table: a
    /// marking the table does not know is bad input, not a decision.
    pub fn checked(self, profile: &Profile) -> Result<Self, String> {
        if eu_level_of(profile, &self).is_none() {
            let table = profile.classification_table(self.on);
            let known: Vec<&str> = table
                .levels
                .iter()
                .filter_map(|l| l.markings.get(self.from.as_str()))
                .flatten()
                .map(String::as_str)
                .collect();
            return Err(format!(
                "'{}' is not a marking of {} (known: {})",
                self.marking,
                self.from,
                known.join(", ")
            ));
        }
        Ok(self)
    }
}

fn marking_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The EU level of a marking: the provider's national marking (with or without the law's
/// reference), or the EU marking itself.
fn eu_level_of<'p>(profile: &'p Profile, c: &Classification) -> Option<&'p crate::profile::ClassificationLevel> {
    let key = marking_key(&c.marking);
    let table = profile.classification_table(c.on);
    table.levels.iter().find(|level| {
        marking_key(&level.eu) == key
            || level.markings.get(c.from.as_str()).is_some_and(|ms| {
                ms.iter().any(|m| {
                    marking_key(m) == key || m.split_once(" (").is_some_and(|(short, _)| marking_key(short) == key)
                })
            })
    })
}

/// Art. 8: "De ontvangende bevoegde dienst … moeten de graad van vertrouwelijkheid die de
/// verstrekkende bevoegde dienst aan de persoonsgegevens en informatie heeft toegekend,
/// waarborgen …, in overeenstemming met de concordantietabel van rubriceringen vervat in
/// aanhangsel B van Besluit 2013/488/EU …"
pub fn classification(profile: &Profile, c: &Classification) -> Decision {
    let mut d = DecisionBuilder::new();
    let Some(level) = eu_level_of(profile, c) else {
        d.refuse(art("8"), format!("'{}' is not a marking of {}", c.marking, c.from));
        return d.build();
    };
    let table = profile.classification_table(c.on);
    let recipient = level.markings.get(c.to.as_str()).and_then(|ms| ms.first()).cloned();
    let reason = match &recipient {
        Some(m) => format!(
            "{} {} is EU {}; {} protects it as {m} ({})",
            c.from, c.marking, level.eu, c.to, table.source
        ),
        None => format!(
            "{} {} is EU {}; {} has no national marking for this level and protects it no less strictly than {} ({})",
            c.from, c.marking, level.eu, c.to, level.eu, table.source
        ),
    };
    d.cite(art("8"), reason);
    d.details().eu_level = Some(level.eu.clone());
    d.details().marking = Some(recipient);
    d.build()
}

// ---------------------------------------------------------------- Arts. 9–11: use and consent

/// How the recipient wants to use received data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Any Art. 2 purpose within the recipient's tasks (Art. 10(1)).
    AnyArticle2Purpose,
    /// Within the provider's purpose restriction (Art. 10(2)).
    RestrictedPurpose,
    /// Another Art. 2 purpose than the restriction allows (Art. 10(2)).
    OtherPurpose,
    /// As evidence in criminal proceedings (Art. 10(3)).
    Evidence,
    /// Disclosure to the data subject or third parties (Art. 10(4)).
    Disclosure,
    /// Onward transfer to a non-competent public authority (Art. 9).
    OnwardTransfer,
}

/// Scope of a consent (Arts. 9–11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentScope {
    ConcreteCase,
    General,
}

/// A consent of the providing party.
#[derive(Debug, Clone)]
pub struct Consent {
    pub scope: ConsentScope,
    pub written: bool,
    pub given_at: Timestamp,
    pub conditions: Vec<String>,
}

/// `data.use`.
#[derive(Debug, Clone)]
pub struct DataUse {
    pub use_: Use,
    pub purpose_restriction: bool,
    pub consent: Option<Consent>,
    pub at: Timestamp,
}

impl DataUse {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let use_ = match f.one_of(
            "use",
            &[
                "any_article2_purpose",
                "restricted_purpose",
                "other_purpose",
                "evidence",
                "disclosure",
                "onward_transfer",
            ],
        )? {
            "any_article2_purpose" => Use::AnyArticle2Purpose,
            "restricted_purpose" => Use::RestrictedPurpose,
            "other_purpose" => Use::OtherPurpose,
            "evidence" => Use::Evidence,
            "disclosure" => Use::Disclosure,
            _ => Use::OnwardTransfer,
        };
        let consent = match f.raw("consent") {
            None => return Err(f.error("consent", "missing (write null when there is no consent)")),
            Some(serde_json::Value::Null) => None,
            Some(_) => {
                let path = f.path_of("consent");
                let c = f.object("consent", &path)?;
                Some(Consent {
                    scope: match c.one_of("scope", &["concrete_case", "general"])? {
                        "concrete_case" => ConsentScope::ConcreteCase,
                        _ => ConsentScope::General,
                    },
                    written: c.bool("written")?,
                    given_at: c.instant("given_at")?,
                    conditions: match c.raw("conditions") {
                        None | Some(serde_json::Value::Null) => Vec::new(),
                        Some(_) => c.strings("conditions")?,
                    },
                })
            }
        };
        Ok(DataUse {
            use_,
            purpose_restriction: f.bool("purpose_restriction")?,
            consent,
            at: f.instant("at")?,
        })
    }
}

pub fn data_use(u: &DataUse) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 11(1): consent "… gaat steeds vooraf aan het doorzenden … of aan het gebruik voor een
    // ander doel"; Arts. 9 and 10 ask for *written* consent.
    let valid_consent = |d: &mut DecisionBuilder, scope_ok: bool, scope_article: &'static str| -> bool {
        let Some(c) = &u.consent else {
            return false;
        };
        if !c.written {
            d.refuse(
                art(scope_article),
                "the consent is not in writing; the treaty requires prior written consent",
            );
            return false;
        }
        if c.given_at > u.at {
            d.refuse(
                art("11(1)"),
                "the consent was given after the use; consent must always precede it",
            );
            return false;
        }
        if !scope_ok {
            return false;
        }
        d.cite(art("11(1)"), "the written consent was given before the use");
        true
    };
    let mut consent_used = false;
    match u.use_ {
        Use::RestrictedPurpose => {
            // Art. 10(2): "… respecteren de bevoegde diensten van de ontvangende Verdragsluitende
            // Partij … deze gebruiksbeperkingen."
            if u.purpose_restriction {
                d.cite(
                    art("10(2)"),
                    "the use stays within the purposes the provider restricted the data to",
                );
            } else {
                d.cite(
                    art("10(1)"),
                    "the data carry no purpose restriction: any Art. 2 purpose within the recipient's tasks",
                );
            }
        }
        Use::AnyArticle2Purpose | Use::OtherPurpose if !u.purpose_restriction => {
            // Art. 10(1): "… kunnen … gebruikt worden voor alle doeleinden bedoeld in artikel 2 …
            // in de mate dat deze doeleinden tot de taken behoren van deze diensten …"
            d.cite(art("10(1)"), "without a purpose restriction the data may be used for every Art. 2 purpose within the recipient's tasks");
        }
        Use::AnyArticle2Purpose | Use::OtherPurpose => {
            // Art. 10(2): "Zij kunnen de ontvangen persoonsgegevens en informatie slechts voor een
            // ander doel bedoeld in artikel 2 … gebruiken na voorafgaande schriftelijke toestemming
            // daartoe, in een concreet geval of op algemene wijze verleend …"
            consent_used = valid_consent(&mut d, true, "10(2)");
            d.require(
                consent_used,
                art("10(2)"),
                "the provider restricted the purpose; its prior written consent (concrete or general) allows this other purpose",
                "the provider restricted the data to specific purposes; another purpose needs its prior written consent",
            );
        }
        Use::Evidence => {
            // Art. 10(3): "Het gebruik van de ontvangen persoonsgegevens en informatie als bewijs in
            // strafzaken … kan in elk geval slechts na voorafgaande schriftelijke toestemming …"
            consent_used = valid_consent(&mut d, true, "10(3)");
            d.require(
                consent_used,
                art("10(3)"),
                "the providing party consented in writing, beforehand, to use as evidence",
                "use as evidence in criminal proceedings always needs the providing party's prior written consent",
            );
        }
        Use::Disclosure => {
            // Art. 10(4): "Het gebruik … op een manier die de bekendmaking … aan de betrokkene of aan
            // derden tot gevolg heeft, kan in elk geval slechts na voorafgaande schriftelijke toestemming …"
            consent_used = valid_consent(&mut d, true, "10(4)");
            d.require(
                consent_used,
                art("10(4)"),
                "the providing party consented in writing, beforehand, to the disclosure",
                "disclosure to the data subject or third parties always needs the providing party's prior written consent",
            );
        }
        Use::OnwardTransfer => {
            // Art. 9(1): "… kunnen … worden doorgezonden aan een andere overheidsinstantie … die geen
            // bevoegde dienst is …, na voorafgaande schriftelijke toestemming daartoe, die in een
            // concreet geval wordt verleend door de verstrekkende Verdragsluitende Partij."
            let concrete = u
                .consent
                .as_ref()
                .is_some_and(|c| c.scope == ConsentScope::ConcreteCase);
            consent_used = valid_consent(&mut d, concrete, "9(1)");
            let failure = if u.consent.as_ref().is_some_and(|c| c.scope == ConsentScope::General) {
                "onward transfer to a non-competent authority needs consent in the concrete case; a general consent is not enough"
            } else {
                "onward transfer to a non-competent authority needs the providing party's prior written consent in the concrete case"
            };
            d.require(
                consent_used,
                art("9(1)"),
                "the providing party consented in writing, in this concrete case",
                failure,
            );
            if consent_used {
                d.cite(
                    art("9(2)"),
                    "the transfer respects Directive 2016/680 (Arts. 4, 8 and 9)",
                );
            }
            if consent_used && u.purpose_restriction {
                d.cite(
                    art("10(2)"),
                    "the provider's purpose restriction binds the authority that receives the data too",
                );
            }
        }
    }
    // Art. 11(3): "Aan de toestemming … kunnen specifieke verwerkingsvoorwaarden worden verbonden …
    // De ontvangende Verdragsluitende Partij verzekert de naleving van deze voorwaarden."
    if consent_used && !d.is_refused() {
        if let Some(c) = u.consent.as_ref().filter(|c| !c.conditions.is_empty()) {
            d.cite(
                art("11(3)"),
                format!(
                    "the consent's conditions bind the recipient: {}",
                    c.conditions.join("; ")
                ),
            );
            d.oblige(Obligation {
                kind: ObligationKind::ComplyConditions,
                to: None,
                when: None,
                due: None,
                article: art("11(3)"),
                conditions: c.conditions.clone(),
            });
        }
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 12: form and language

/// `exchange.oral`.
#[derive(Debug, Clone)]
pub struct Oral {
    pub in_article_6_4_situation: bool,
    pub at: Timestamp,
}

impl Oral {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Oral {
            in_article_6_4_situation: f.bool("in_article_6_4_situation")?,
            at: f.instant("at")?,
        })
    }
}

pub fn oral(profile: &Profile, o: &Oral) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 12(2): "In geval van een situatie als bedoeld in artikel 6, vierde lid, … kunnen het
    // verzoek en de verstrekking … mondeling plaatsvinden. Alsdan wordt binnen 24 uur na de
    // mondelinge uitwisseling de verstrekking bevestigd overeenkomstig het eerste lid."
    if o.in_article_6_4_situation {
        let due = clocks::after_hours(o.at, profile.flags.oral_confirmation_hours);
        d.cite(
            art("12(2)"),
            format!("oral exchange is allowed in an Art. 6(4) situation; the provision is confirmed in writing within {} hours", profile.flags.oral_confirmation_hours),
        );
        d.oblige(Obligation::by_deadline(
            ObligationKind::ConfirmInWriting,
            Addressee::Recipient,
            due,
            art("12(2)"),
        ));
        d.deadline(Some(due));
    } else {
        // Art. 12(1): "Het verzoek tot de verstrekking en de verstrekking … geschiedt schriftelijk of
        // via elektronische weg."
        d.refuse(art("12(1)"), "requests and provisions are written or electronic");
        d.refuse(
            art("12(2)"),
            "oral exchange is only allowed in a situation of Art. 6(4) (direct exchange grounds a–d)",
        );
    }
    d.build()
}

/// `exchange.language`.
#[derive(Debug, Clone)]
pub struct LanguageCheck {
    pub provider: PartyCode,
    pub language: Language,
}

impl LanguageCheck {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let language =
            Language::parse(&f.string("language")?.to_ascii_lowercase()).map_err(|m| f.error("language", m))?;
        Ok(LanguageCheck {
            provider: f.party("provider")?,
            language,
        })
    }
}

/// Art. 12(4): "De persoonsgegevens en informatie worden verstrekt in één van de officiële talen
/// van de verstrekkende Verdragsluitende Partij of in het Engels."
pub fn language(profile: &Profile, l: &LanguageCheck) -> Decision {
    let mut d = DecisionBuilder::new();
    let official: Vec<&str> = profile
        .party(&l.provider)
        .map(|p| p.languages.iter().map(Language::as_str).collect())
        .unwrap_or_default();
    let ok = l.language.as_str() == "en" || official.contains(&l.language.as_str());
    d.require(
        ok,
        art("12(4)"),
        format!(
            "'{}' is {} for a provider from {}",
            l.language,
            if l.language.as_str() == "en" {
                "English, always allowed"
            } else {
                "an official language"
            },
            l.provider
        ),
        format!(
            "a provider from {} provides data in {} or English, not '{}'",
            l.provider,
            official.join("/"),
            l.language
        ),
    );
    d.build()
}
