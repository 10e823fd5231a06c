//! The conformance scenario format (`shared/conformance/README.md`): parse a scenario,
//! decide its action, and compare the decision with the expectation.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use crate::article::ArticleRef;
use crate::decision::Decision;
use crate::fields::{parse_instant, FieldError};
use crate::profile::{Profile, ProfileError};
use crate::rules::{evaluate, Action};

/// A scenario that cannot be run: malformed JSON, a missing or malformed field, an unknown kind
/// or profile. Always names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("field `profile`: {0}")]
    Profile(#[from] ProfileError),
}

/// An expected obligation.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedObligation {
    pub kind: String,
    pub to: Option<String>,
    pub when: Option<String>,
    pub due: Option<Timestamp>,
    pub conditions: Option<Vec<String>>,
}

/// What the scenario expects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expectation {
    pub verdict: Option<String>,
    pub articles: Vec<ArticleRef>,
    pub obligations: Vec<ExpectedObligation>,
    /// Kind-specific fields, compared as the README says.
    pub other: BTreeMap<String, Value>,
}

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub description: String,
    pub profile: Profile,
    pub action: Action,
    pub expect: Expectation,
}

/// Resolves a scenario's `profile` field to a profile.
pub type ProfileLookup<'a> = &'a dyn Fn(&str) -> Option<Result<Profile, ProfileError>>;

impl Scenario {
    /// Parses a scenario from its text.
    pub fn parse(text: &str, profiles: ProfileLookup) -> Result<Scenario, ScenarioError> {
        let root: Value = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let field = |name: &str, problem: String| FieldError {
            field: name.to_owned(),
            problem,
        };
        let Value::Object(map) = &root else {
            return Err(field("(root)", "a scenario is a JSON object".into()).into());
        };
        let string = |name: &str| -> Result<String, FieldError> {
            match map.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(field(name, "expected a string".into())),
                None => Err(field(name, "missing".into())),
            }
        };
        let id = string("id")?;
        let description = map
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let profile_id = string("profile")?;
        let profile =
            profiles(&profile_id).ok_or_else(|| field("profile", format!("unknown profile '{profile_id}'")))??;
        let action_value = map.get("action").ok_or_else(|| field("action", "missing".into()))?;
        let action = Action::parse(action_value, "action", &profile)?;
        let expect = parse_expectation(map.get("expect").ok_or_else(|| field("expect", "missing".into()))?)?;
        Ok(Scenario {
            id,
            description,
            profile,
            action,
            expect,
        })
    }

    pub fn decide(&self) -> Decision {
        evaluate(&self.profile, &self.action)
    }
}

fn parse_expectation(value: &Value) -> Result<Expectation, FieldError> {
    let field = |name: &str, problem: String| FieldError {
        field: format!("expect.{name}"),
        problem,
    };
    let Value::Object(map) = value else {
        return Err(FieldError {
            field: "expect".into(),
            problem: "expected an object".into(),
        });
    };
    let mut e = Expectation::default();
    for (key, v) in map {
        match key.as_str() {
            "verdict" => match v.as_str() {
                Some(s @ ("allowed" | "refused")) => e.verdict = Some(s.to_owned()),
                _ => {
                    return Err(field(
                        "verdict",
                        format!("expected \"allowed\" or \"refused\", found {v}"),
                    ))
                }
            },
            "articles" => {
                let items = v
                    .as_array()
                    .ok_or_else(|| field("articles", "expected a list".into()))?;
                for (i, a) in items.iter().enumerate() {
                    let s = a
                        .as_str()
                        .ok_or_else(|| field(&format!("articles[{i}]"), "expected a string".into()))?;
                    e.articles
                        .push(s.parse().map_err(|err: crate::article::ArticleRefError| {
                            field(&format!("articles[{i}]"), err.to_string())
                        })?);
                }
            }
            "obligations" => {
                let items = v
                    .as_array()
                    .ok_or_else(|| field("obligations", "expected a list".into()))?;
                for (i, o) in items.iter().enumerate() {
                    e.obligations
                        .push(parse_expected_obligation(o, &format!("obligations[{i}]"))?);
                }
            }
            _ => {
                e.other.insert(key.clone(), v.clone());
            }
        }
    }
    Ok(e)
}

const OBLIGATION_KINDS: &[&str] = &[
    "notify",
    "confirm_in_writing",
    "submit_request",
    "report",
    "stop",
    "return_hits",
    "follow_instructions",
    "comply_conditions",
    "release",
    "execute_itself",
    "give_reasons",
    "document",
    "erase",
];
const ADDRESSEES: &[&str] = &[
    "host",
    "own_contact_point",
    "provider",
    "recipient",
    "requesting_party",
    "host_authority",
    "supervisory_authority",
    "originating_state",
];
const WHENS: &[&str] = &[
    "immediately",
    "at_crossing",
    "before_crossing",
    "asap",
    "by_deadline",
    "after_operation",
    "on_host_request",
    "on_request",
];

fn parse_expected_obligation(v: &Value, path: &str) -> Result<ExpectedObligation, FieldError> {
    let field = |name: &str, problem: String| FieldError {
        field: format!("expect.{path}.{name}"),
        problem,
    };
    let map = v.as_object().ok_or_else(|| FieldError {
        field: format!("expect.{path}"),
        problem: "expected an object".into(),
    })?;
    let one_of = |name: &str, allowed: &[&str], nullable: bool| -> Result<Option<String>, FieldError> {
        match map.get(name) {
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
            Some(Value::Null) | None if nullable => Ok(None),
            None => Err(field(name, "missing".into())),
            Some(other) => Err(field(name, format!("{other} is not one of: {}", allowed.join(", ")))),
        }
    };
    let kind = one_of("kind", OBLIGATION_KINDS, false)?.unwrap_or_default();
    let due = match map.get("due") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_instant(s).map_err(|m| field("due", m))?),
        Some(other) => return Err(field("due", format!("expected an instant, found {other}"))),
    };
    let conditions = match map.get("conditions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| field("conditions", "expected strings".into()))
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err(field("conditions", "expected a list of strings".into())),
    };
    Ok(ExpectedObligation {
        kind,
        to: one_of("to", ADDRESSEES, true)?,
        when: one_of("when", WHENS, true)?,
        due,
        conditions,
    })
}

/// Compares a decision with an expectation; the list of mismatches is empty when it passes.
pub fn compare(decision: &Decision, expect: &Expectation) -> Vec<String> {
    let mut problems = Vec::new();
    let json = serde_json::to_value(decision).unwrap_or(Value::Null);
    if let Some(v) = &expect.verdict {
        let got = json.get("verdict").and_then(Value::as_str).unwrap_or("none");
        if got != v {
            problems.push(format!("verdict {got}, expected {v}"));
        }
    }
    for a in &expect.articles {
        if !decision.cites(a) {
            let cited: Vec<String> = decision.articles.iter().map(ToString::to_string).collect();
            problems.push(format!("does not cite {a} (cites {})", cited.join(", ")));
        }
    }
    for o in &expect.obligations {
        let found = decision.obligations.iter().any(|d| {
            let dj = serde_json::to_value(d).unwrap_or(Value::Null);
            dj.get("kind").and_then(Value::as_str) == Some(o.kind.as_str())
                && dj.get("to").and_then(Value::as_str) == o.to.as_deref()
                && dj.get("when").and_then(Value::as_str) == o.when.as_deref()
                && o.due.is_none_or(|due| d.due == Some(due))
                && o.conditions.as_ref().is_none_or(|c| same_set(c, &d.conditions))
        });
        if !found {
            problems.push(format!(
                "missing obligation {} to {} {}{}",
                o.kind,
                o.to.as_deref().unwrap_or("-"),
                o.when.as_deref().unwrap_or("-"),
                o.due.map(|d| format!(" due {d}")).unwrap_or_default()
            ));
        }
    }
    for (key, expected) in &expect.other {
        let got = json.get(key).unwrap_or(&Value::Null);
        if !values_match(got, expected) {
            problems.push(format!("{key} is {got}, expected {expected}"));
        }
    }
    problems
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// Instants compare as instants, lists as sets, everything else by equality.
fn values_match(got: &Value, expected: &Value) -> bool {
    match (got, expected) {
        (Value::String(g), Value::String(e)) => {
            g == e || matches!((parse_instant(g), parse_instant(e)), (Ok(a), Ok(b)) if a == b)
        }
        (Value::Array(g), Value::Array(e)) => {
            e.iter().all(|x| g.iter().any(|y| values_match(y, x)))
                && g.iter().all(|y| e.iter().any(|x| values_match(y, x)))
        }
        _ => got == expected,
    }
}
