//! Reading JSON objects field by field, so that every bad input names its field.

use jiff::civil::Date;
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::ids::PartyCode;
use crate::profile::{Agreement, Profile};

/// A field of an action that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {problem}")]
pub struct FieldError {
    /// Dotted path, e.g. `action.agreements[0].in_force_from`.
    pub field: String,
    pub problem: String,
}

/// One JSON object with the path that leads to it.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: &'a str,
    profile: &'a Profile,
}

impl<'a> Fields<'a> {
    pub fn new(value: &'a Value, path: &'a str, profile: &'a Profile) -> Result<Self, FieldError> {
        match value {
            Value::Object(object) => Ok(Fields { object, path, profile }),
            other => Err(FieldError {
                field: path.to_owned(),
                problem: format!("expected an object, found {}", type_name(other)),
            }),
        }
    }

    pub fn path_of(&self, name: &str) -> String {
        format!("{}.{name}", self.path)
    }

    pub fn error(&self, name: &str, problem: impl Into<String>) -> FieldError {
        FieldError {
            field: self.path_of(name),
            problem: problem.into(),
        }
    }

    /// The raw value, `None` when absent.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name)
    }

    fn required(&self, name: &str) -> Result<&'a Value, FieldError> {
        self.object.get(name).ok_or_else(|| self.error(name, "missing"))
    }

    pub fn bool(&self, name: &str) -> Result<bool, FieldError> {
        match self.required(name)? {
            Value::Bool(b) => Ok(*b),
            other => Err(self.error(name, format!("expected true or false, found {}", type_name(other)))),
        }
    }

    /// An optional boolean: absent or null is `None`.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, FieldError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.bool(name).map(Some),
        }
    }

    pub fn string(&self, name: &str) -> Result<&'a str, FieldError> {
        match self.required(name)? {
            Value::String(s) => Ok(s),
            other => Err(self.error(name, format!("expected a string, found {}", type_name(other)))),
        }
    }

    /// A string that may be null (the field itself must be present).
    pub fn nullable_string(&self, name: &str) -> Result<Option<&'a str>, FieldError> {
        match self.required(name)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Err(self.error(name, format!("expected a string or null, found {}", type_name(other)))),
        }
    }

    /// One of a fixed set of strings.
    pub fn one_of(&self, name: &str, allowed: &[&'static str]) -> Result<&'static str, FieldError> {
        let s = self.string(name)?;
        allowed
            .iter()
            .find(|a| **a == s)
            .copied()
            .ok_or_else(|| self.error(name, format!("'{s}' is not one of: {}", allowed.join(", "))))
    }

    /// A party code of the profile other than `than` (the other side of an exchange); `what`
    /// says why it must differ.
    pub fn other_party(&self, name: &str, than: &PartyCode, what: &str) -> Result<PartyCode, FieldError> {
        let code = self.party(name)?;
        if &code == than {
            return Err(self.error(name, format!("{code} is the sending party itself: {what}")));
        }
        Ok(code)
    }

    /// A name as actions spell them (a topic, an offence): lower-case letters and underscores,
    /// at most 64; `example` shows one.
    pub fn token(&self, name: &str, example: &str) -> Result<&'a str, FieldError> {
        let s = self.string(name)?;
        if s.is_empty() || s.len() > 64 || !s.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(self.error(
                name,
                format!("expected at most 64 lower-case letters and underscores (e.g. {example})"),
            ));
        }
        Ok(s)
    }

    /// A party code of the profile.
    pub fn party(&self, name: &str) -> Result<PartyCode, FieldError> {
        let s = self.string(name)?;
        self.party_value(name, s)
    }

    pub fn nullable_party(&self, name: &str) -> Result<Option<PartyCode>, FieldError> {
        self.nullable_string(name)?
            .map(|s| self.party_value(name, s))
            .transpose()
    }

    fn party_value(&self, name: &str, s: &str) -> Result<PartyCode, FieldError> {
        let code = PartyCode::parse(s).map_err(|m| self.error(name, m))?;
        if self.profile.party(&code).is_none() {
            let known: Vec<&str> = self.profile.parties.iter().map(|p| p.code.as_str()).collect();
            return Err(self.error(
                name,
                format!(
                    "{code} is not a party of profile {} (parties: {})",
                    self.profile.id,
                    known.join(", ")
                ),
            ));
        }
        Ok(code)
    }

    /// An instant in RFC 3339 with an explicit offset; a local time without offset is refused.
    pub fn instant(&self, name: &str) -> Result<Timestamp, FieldError> {
        let s = self.string(name)?;
        parse_instant(s).map_err(|m| self.error(name, m))
    }

    pub fn nullable_instant(&self, name: &str) -> Result<Option<Timestamp>, FieldError> {
        self.nullable_string(name)?
            .map(|s| parse_instant(s).map_err(|m| self.error(name, m)))
            .transpose()
    }

    /// A whole day, `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Date, FieldError> {
        let s = self.string(name)?;
        s.parse::<Date>()
            .map_err(|e| self.error(name, format!("'{s}' is not a date YYYY-MM-DD: {e}")))
    }

    pub fn nullable_date(&self, name: &str) -> Result<Option<Date>, FieldError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.date(name).map(Some),
        }
    }

    /// A nested object.
    pub fn object(&self, name: &str, path: &'a str) -> Result<Fields<'a>, FieldError> {
        Fields::new(self.required(name)?, path, self.profile)
    }

    /// A treaty article number, written as a string (`"21"`) or a number (`21`), one of `allowed`.
    pub fn article_number(&self, name: &str, allowed: &[u32]) -> Result<u32, FieldError> {
        let text = match self.required(name)? {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => return Err(self.error(name, format!("expected an article number, found {}", type_name(other)))),
        };
        let list = || allowed.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        match text.trim().parse::<u32>() {
            Ok(n) if allowed.contains(&n) => Ok(n),
            _ => Err(self.error(name, format!("'{text}' is not one of: {}", list()))),
        }
    }

    /// A list of strings.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, FieldError> {
        match self.required(name)? {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.error(
                        &format!("{name}[{i}]"),
                        format!("expected a string, found {}", type_name(other)),
                    )),
                })
                .collect(),
            other => Err(self.error(name, format!("expected a list of strings, found {}", type_name(other)))),
        }
    }

    /// The implementing agreements in force in the action's world; absent means none.
    pub fn agreements(&self, name: &str) -> Result<Vec<Agreement>, FieldError> {
        let items = match self.object.get(name) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(self.error(name, format!("expected a list, found {}", type_name(other)))),
        };
        let mut agreements = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = self.path_of(&format!("{name}[{i}]"));
            let f = Fields::new(item, &path, self.profile)?;
            let parties = f
                .strings("parties")?
                .iter()
                .map(|p| f.party_value("parties", p))
                .collect::<Result<Vec<_>, _>>()?;
            let articles = f.strings("articles")?;
            let databases = match f.raw("databases") {
                None | Some(Value::Null) => Vec::new(),
                Some(_) => f
                    .strings("databases")?
                    .iter()
                    .map(|d| crate::ids::DatabaseId::parse(d).map_err(|m| f.error("databases", m)))
                    .collect::<Result<Vec<_>, _>>()?,
            };
            let in_force_from = f.date("in_force_from")?;
            let in_force_until = f.nullable_date("in_force_until")?;
            agreements.push(Agreement {
                parties,
                articles,
                databases,
                in_force_from,
                in_force_until,
            });
        }
        Ok(agreements)
    }

    pub fn profile(&self) -> &'a Profile {
        self.profile
    }
}

/// RFC 3339 with an offset (`Z` or `±hh:mm`).
pub fn parse_instant(s: &str) -> Result<Timestamp, String> {
    // jiff parses an offset-less date-time as an error for Timestamp, but say why.
    let has_offset = s.ends_with('Z') || s.ends_with('z') || {
        let tail = s.get(s.len().saturating_sub(6)..).unwrap_or("");
        (tail.starts_with('+') || tail.starts_with('-')) && tail.get(3..4) == Some(":")
    };
    if !has_offset {
        return Err(format!("'{s}' has no UTC offset; write e.g. 2026-03-10T22:00:00+01:00"));
    }
    s.parse::<Timestamp>()
        .map_err(|e| format!("'{s}' is not an RFC 3339 instant: {e}"))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
