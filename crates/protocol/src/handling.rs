//! Handling codes: the provider's conditions that travel with provided data and that the
//! recipient's node enforces through the treaty engine (unlike SIENA's advisory H-codes).

use serde::{Deserialize, Serialize};
use treaty::{Language, PartyCode};

/// The provider's classification (Art. 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The providing party and its national marking, as given.
    pub party: PartyCode,
    pub marking: String,
    /// The EU level of the equivalence table.
    pub eu_level: String,
}

/// A consent given with the provision or later (Art. 11(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentUse {
    /// Another Art. 2 purpose than the restriction (10(2)).
    OtherPurpose,
    /// As evidence in criminal proceedings (10(3)).
    Evidence,
    /// Disclosure to the data subject or third parties (10(4)).
    Disclosure,
    /// Onward transfer to a non-competent authority (9(1)).
    OnwardTransfer,
    /// Transfer to a third country or Interpol: Directive 2016/680 Art. 35(1)(c), the prior
    /// authorisation of the member state the data came from.
    ThirdCountryTransfer,
}

/// What travels with provided data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingCodes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// Art. 10(2): the purposes the data are restricted to; empty means none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purpose_restriction: Vec<String>,
    /// Art. 11(1): uses consented to at provision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consented_uses: Vec<ConsentUse>,
    /// Art. 11(3): conditions attached to the consent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// Art. 12(4): the language of the provision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}
