//! Identifiers parsed once at the edge: parties, databases, languages.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 3166 alpha-2 party code (`BE`, `LU`, `NL`, later `SI`, `AL`, …).
///
/// Only the shape is checked here; whether the party belongs to an agreement is
/// the profile's question ([`crate::Profile::party`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PartyCode(String);

impl PartyCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() == 2 && text.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(PartyCode(text.to_owned()))
        } else {
            Err(format!(
                "'{text}' is not a party code (two capital letters, e.g. BE, LU, NL)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PartyCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartyCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A database identifier as used in annexes 5 and 6 (`ANG`, `BVH`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseId(pub String);

impl fmt::Display for DatabaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 639-1 language code, lower case (`nl`, `fr`, `de`, `lb`, `en`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Language(String);

impl Language {
    pub fn parse(text: &str) -> Result<Self, String> {
        if (2..=3).contains(&text.len()) && text.chars().all(|c| c.is_ascii_lowercase()) {
            Ok(Language(text.to_owned()))
        } else {
            Err(format!(
                "'{text}' is not an ISO 639-1 language code (e.g. nl, fr, de, lb, en)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
