//! Rule tests written from the treaty text, one or more per article, named `artN_…` so that
//! `grens treaty coverage` lists them; plus decision snapshots.

mod databases;
mod direct_exchange;
mod exchange;
mod operations;
mod powers_and_application;
mod snapshots;
mod sports;
mod traffic;
mod transfers;

use serde_json::{json, Value};
use treaty::{evaluate, Action, Decision, Profile, Verdict};

pub fn profile() -> Profile {
    Profile::builtin("benelux-2018")
        .expect("built-in profile")
        .expect("valid profile")
}

/// Decides an action given as JSON; panics (test failure) on invalid input.
pub fn decide(action: Value) -> Decision {
    let p = profile();
    let action = Action::parse(&action, "action", &p).unwrap_or_else(|e| panic!("invalid test action: {e}"));
    evaluate(&p, &action)
}

/// The error an invalid action gives.
pub fn invalid(action: Value) -> treaty::fields::FieldError {
    let p = profile();
    Action::parse(&action, "action", &p).expect_err("action should be invalid")
}

/// The built-in Slovenia–Albania profile.
pub fn si_al() -> Profile {
    Profile::builtin("si-al")
        .expect("built-in profile")
        .expect("valid profile")
}

/// Parses (panicking on invalid test input) and decides `action` under `profile`.
pub fn decide_in(profile: &Profile, action: &Value) -> Decision {
    let parsed = Action::parse(action, "action", profile).unwrap_or_else(|e| panic!("invalid test action: {e}"));
    treaty::evaluate(profile, &parsed)
}

#[track_caller]
pub fn assert_allowed(d: &Decision, article: &str) {
    assert_eq!(d.verdict, Some(Verdict::Allowed), "expected allowed: {:#?}", d.reasons);
    assert_cites(d, article);
}

#[track_caller]
pub fn assert_refused(d: &Decision, article: &str) {
    assert_eq!(d.verdict, Some(Verdict::Refused), "expected refused: {:#?}", d.reasons);
    assert_cites(d, article);
}

#[track_caller]
pub fn assert_cites(d: &Decision, article: &str) {
    let r: treaty::ArticleRef = article.parse().expect("valid reference");
    assert!(
        d.cites(&r),
        "decision should cite {article}, cites {:?}",
        d.articles.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
}

pub fn obligations(d: &Decision) -> Vec<String> {
    d.obligations
        .iter()
        .map(|o| {
            let v = serde_json::to_value(o).expect("serialisable");
            format!(
                "{} {} {}",
                v["kind"].as_str().unwrap_or("-"),
                v["to"].as_str().unwrap_or("-"),
                v["when"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

pub fn agreement(parties: [&str; 2], article: &str, databases: &[&str], from: &str, until: Option<&str>) -> Value {
    json!([{ "parties": parties, "articles": [article], "databases": databases, "in_force_from": from, "in_force_until": until }])
}
