//! `sports.event_data`: supporters' data before an international match between SI and AL,
//! decided from the profile's own provision (`[sports_events]` in profiles/si-al.toml).

use serde_json::{json, Value};
use treaty::{Action, Decision, ObligationKind, Profile, Verdict};

use super::{assert_allowed, assert_refused, decide_in, obligations, si_al};

fn event_data(from: &str, to: &str, data: &str) -> Value {
    json!({"kind": "sports.event_data", "from": from, "to": to, "event_date": "2026-03-25",
        "data": data, "reason_given": true})
}

fn decide(action: Value) -> Decision {
    decide_in(&si_al(), &action)
}

#[test]
fn general_information_and_the_evaluation_go_freely() {
    for data in ["general", "evaluation"] {
        let d = decide(event_data("AL", "SI", data));
        assert_allowed(&d, "5");
        assert!(d.obligations.is_empty(), "{data}: {:?}", obligations(&d));
        let d = decide(event_data("SI", "AL", data));
        assert_eq!(d.articles.len(), 1, "no personal data, no Chapter V: {:?}", d.articles);
    }
}

#[test]
fn risk_supporters_go_with_their_reasons_and_are_erased_after_the_event() {
    let d = decide(event_data("SI", "AL", "risk_supporters"));
    assert_allowed(&d, "5");
    // SI is a member state sending personal data to a third country.
    assert!(
        d.articles.iter().any(|a| a.to_string() == "2016/680:35(1)"),
        "{:?}",
        d.articles
    );
    let erase: Vec<_> = d
        .obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::Erase)
        .collect();
    assert_eq!(erase.len(), 1, "{:?}", obligations(&d));
    // 30 days after 25 March: the end of 24 April in Tirana (UTC+2 in summer).
    let due = erase[0].due.expect("a due instant");
    assert_eq!(due, "2026-04-24T22:00:00Z".parse::<jiff::Timestamp>().expect("instant"));
    assert_eq!(obligations(&d), ["erase recipient by_deadline"]);

    // AL to SI: the erasure falls due in Ljubljana; Chapter V does not bind AL.
    let d = decide(event_data("AL", "SI", "risk_supporters"));
    assert_eq!(d.articles.iter().map(ToString::to_string).collect::<Vec<_>>(), ["5"]);
    assert_eq!(d.obligations.len(), 1);
}

#[test]
fn a_risk_supporter_without_the_reason_is_refused() {
    let mut action = event_data("AL", "SI", "risk_supporters");
    action["reason_given"] = json!(false);
    let d = decide(action);
    assert_refused(&d, "5");
    assert_eq!(d.verdict, Some(Verdict::Refused));
    assert!(format!("{:?}", d.reasons).contains("reason"), "{:?}", d.reasons);
    assert!(d.obligations.is_empty());
}

#[test]
fn the_benelux_treaty_has_no_such_provision() {
    let benelux = Profile::builtin("benelux-2018").expect("built-in").expect("valid");
    let e = Action::parse(&event_data("BE", "NL", "general"), "action", &benelux).expect_err("not provided");
    assert!(e.to_string().contains("not provided by this agreement"), "{e}");
}

#[test]
fn bad_input_names_the_field_and_the_limit() {
    let p = si_al();
    let error = |changes: Value| {
        let mut action = event_data("SI", "AL", "risk_supporters");
        if let (Some(a), Some(c)) = (action.as_object_mut(), changes.as_object()) {
            a.extend(c.clone());
        }
        Action::parse(&action, "action", &p).expect_err("invalid").to_string()
    };
    let e = error(json!({"event_date": "1999-12-31"}));
    assert!(e.contains("action.event_date") && e.contains("2000-01-01"), "{e}");
    assert!(error(json!({"event_date": "2026-02-30"})).contains("action.event_date"));
    assert!(error(json!({"data": "everything"})).contains("action.data"));
    assert!(error(json!({"to": "SI"})).contains("action.to"));
    assert!(error(json!({"reason_given": null})).contains("action.reason_given"));
}

#[test]
fn an_erasure_period_out_of_range_does_not_load() {
    let text = include_str!("../../../../profiles/si-al.toml");
    for bad in ["erasure_days = 0", "erasure_days = 400"] {
        let e = Profile::from_toml("si-al.toml", &text.replace("erasure_days = 30", bad)).expect_err(bad);
        assert_eq!(e.key, "sports_events.erasure_days", "{bad}");
    }
}

#[test]
fn a_profile_listing_the_kind_without_its_provision_does_not_load() {
    let text = include_str!("../../../../profiles/si-al.toml");
    let start = text.find("[sports_events]").expect("table");
    let end = start + text[start..].find("erasure_days = 30").expect("end") + "erasure_days = 30".len();
    let without = format!("{}{}", &text[..start], &text[end..]);
    let e = Profile::from_toml("si-al.toml", &without).expect_err("kind without provision");
    assert_eq!(e.key, "kinds[2]");
    assert!(e.problem.contains("[sports_events]"), "{}", e.problem);
}
