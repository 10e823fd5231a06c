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

/// A database identifier as used in annexes 5 and 6 (`ANG`, `BVH`, `SUMM-IT`, …): 1 to 32
/// capital letters, digits and hyphens. Lower case is brought to capitals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DatabaseId(String);

impl DatabaseId {
    pub const MAX_LEN: usize = 32;

    pub fn parse(text: &str) -> Result<Self, String> {
        let id = text.trim().to_ascii_uppercase();
        if (1..=Self::MAX_LEN).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            Ok(DatabaseId(id))
        } else {
            Err(format!(
                "'{text}' is not a database id (1 to {} letters, digits or hyphens, e.g. ANG, BVH, SUMM-IT)",
                Self::MAX_LEN
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for DatabaseId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DatabaseId::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for DatabaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 639-1 language code, lower case (`nl`, `fr`, `de`, `lb`, `en`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Language(String);

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Language::parse(&s).map_err(serde::de::Error::custom)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_ids_and_languages_are_checked_when_read() {
        assert_eq!(
            DatabaseId::parse("summ-it").map(|d| d.to_string()),
            Ok("SUMM-IT".into())
        );
        assert!(DatabaseId::parse("").is_err());
        assert!(DatabaseId::parse("DROP TABLE").is_err());
        assert!(DatabaseId::parse(&"A".repeat(33)).is_err());
        assert!(serde_json::from_str::<DatabaseId>("\"ANG\"").is_ok());
        assert!(serde_json::from_str::<DatabaseId>("\"A N G\"").is_err());
        assert!(serde_json::from_str::<Language>("\"nl\"").is_ok());
        assert!(serde_json::from_str::<Language>("\"Dutch\"").is_err());
    }
}
