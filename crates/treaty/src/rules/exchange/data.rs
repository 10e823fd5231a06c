//! Arts. 7–11: feedback on provided data, classification, and the use of received data with the
//! provider's consent.

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use jiff::Timestamp;

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

pub(super) fn marking_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The EU level of a marking: the provider's national marking (with or without the law's
/// reference), or the EU marking itself.
pub(super) fn eu_level_of<'p>(
    profile: &'p Profile,
    c: &Classification,
) -> Option<&'p crate::profile::ClassificationLevel> {
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
