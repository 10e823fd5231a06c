//! Art. 12: oral exchange and its written confirmation, and the language of a provision.

use crate::article::art;
use crate::clocks;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind};
use crate::fields::{FieldError, Fields};
use crate::ids::{Language, PartyCode};
use crate::profile::Profile;
use jiff::Timestamp;

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
