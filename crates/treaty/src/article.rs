//! References to articles: `21(3)`, `6(4)(a)`, `annex6`, `2023/977:5(1)`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A reference to a provision: an article (or annex) of an instrument, with optional
/// paragraph and point. Without an instrument it is the profile's treaty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArticleRef {
    /// `None` for the treaty itself; otherwise e.g. `2023/977` (a directive).
    instrument: Option<String>,
    /// `21`, or `annex6`.
    article: String,
    /// Paragraph, point, …: `["4", "a"]` for `6(4)(a)`.
    path: Vec<String>,
}

/// Why a reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not an article reference (expected e.g. 21(3), 6(4)(a), annex6 or 2023/977:5(1))")]
pub struct ArticleRefError {
    text: String,
}

impl ArticleRef {
    /// The article number or annex name, without instrument or paragraphs.
    pub fn article(&self) -> &str {
        &self.article
    }

    /// The instrument, where it is not the treaty.
    pub fn instrument(&self) -> Option<&str> {
        self.instrument.as_deref()
    }

    /// Whether citing `self` also cites `other`: same provision, or `self` is a point
    /// or paragraph inside `other` (`6(4)(a)` covers `6(4)` and `6`).
    pub fn covers(&self, other: &ArticleRef) -> bool {
        self.instrument == other.instrument
            && self.article == other.article
            && self.path.len() >= other.path.len()
            && self.path.iter().zip(&other.path).all(|(a, b)| a == b)
    }

    /// The treaty article number, if this is a numbered treaty article.
    pub fn treaty_article_number(&self) -> Option<u32> {
        if self.instrument.is_some() {
            return None;
        }
        self.article.parse().ok()
    }
}

impl FromStr for ArticleRef {
    type Err = ArticleRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ArticleRefError { text: text.to_owned() };
        let trimmed = text.trim();
        let (instrument, rest) = match trimmed.rsplit_once(':') {
            Some((inst, rest)) if !inst.is_empty() => (Some(inst.to_owned()), rest),
            Some(_) => return Err(err()),
            None => (None, trimmed),
        };
        let (article, mut tail) = match rest.find('(') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let article_ok = !article.is_empty()
            && (article.chars().all(|c| c.is_ascii_digit())
                || (article.starts_with("annex") && article[5..].chars().all(|c| c.is_ascii_digit())));
        if !article_ok {
            return Err(err());
        }
        let mut path = Vec::new();
        while !tail.is_empty() {
            let close = tail.find(')').ok_or_else(err)?;
            let part = tail.get(1..close).ok_or_else(err)?;
            if !tail.starts_with('(') || part.is_empty() || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(err());
            }
            path.push(part.to_owned());
            tail = &tail[close + 1..];
        }
        Ok(ArticleRef {
            instrument,
            article: article.to_owned(),
            path,
        })
    }
}

impl fmt::Display for ArticleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(inst) = &self.instrument {
            write!(f, "{inst}:")?;
        }
        f.write_str(&self.article)?;
        for p in &self.path {
            write!(f, "({p})")?;
        }
        Ok(())
    }
}

impl Serialize for ArticleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ArticleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Builds a reference from a literal the rules know to be well-formed.
///
/// # Panics
/// Only on a malformed literal in the rules' own source, which the unit tests exercise.
pub(crate) fn art(text: &'static str) -> ArticleRef {
    match text.parse() {
        Ok(r) => r,
        Err(e) => panic!("malformed article literal in rules: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ArticleRef {
        s.parse().expect("valid reference")
    }

    #[test]
    fn parses_and_prints_the_forms_of_the_conformance_suite() {
        for s in ["21(3)", "6(4)(a)", "annex6", "2023/977:5(1)", "37", "2023/977:6(h)"] {
            assert_eq!(r(s).to_string(), s);
        }
    }

    #[test]
    fn a_point_covers_its_paragraph_but_not_the_reverse() {
        assert!(r("6(4)(a)").covers(&r("6(4)")));
        assert!(r("6(4)(a)").covers(&r("6")));
        assert!(!r("6(4)").covers(&r("6(4)(a)")));
        assert!(!r("6(4)(a)").covers(&r("6(4)(b)")));
        assert!(!r("5(1)").covers(&r("2023/977:5(1)")));
    }

    #[test]
    fn rejects_malformed_references() {
        for s in ["", "(4)", "21(", "21()", "abc", ":5", "21(3", "21)3("] {
            assert!(s.parse::<ArticleRef>().is_err(), "{s} should be rejected");
        }
    }
}
