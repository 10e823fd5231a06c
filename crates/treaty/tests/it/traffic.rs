//! `traffic.holder_lookup`: SI's speed camera records an AL-registered car; SI asks AL's vehicle
//! register for the holder, decided from the profile's own provision (`[traffic_offences]`).

use serde_json::{json, Value};
use treaty::{Action, Decision, Profile};

use super::{assert_allowed, assert_refused, decide_in, si_al};

fn lookup(changes: Value) -> Value {
    let mut action = json!({"kind": "traffic.holder_lookup", "requesting": "SI", "registered_in": "AL",
        "offence": "speeding", "committed_at": "2026-07-14T16:05:00+02:00", "asked_at": "2026-07-15T09:00:00+02:00"});
    if let (Some(a), Some(c)) = (action.as_object_mut(), changes.as_object()) {
        a.extend(c.clone());
    }
    action
}

fn decide(action: Value) -> Decision {
    decide_in(&si_al(), &action)
}

fn cited(d: &Decision) -> Vec<String> {
    d.articles.iter().map(ToString::to_string).collect()
}

#[test]
fn a_member_state_asks_a_third_countrys_register_under_chapter_v_too() {
    let d = decide(lookup(json!({})));
    assert_allowed(&d, "6");
    assert_eq!(cited(&d), ["6", "2016/680:35(1)"]);
    // AL asking SI's register: the agreement alone (Chapter V binds member states).
    let d = decide(lookup(
        json!({"requesting": "AL", "registered_in": "SI", "offence": "drink_driving"}),
    ));
    assert_eq!(cited(&d), ["6"]);
}

#[test]
fn an_offence_the_provision_does_not_list_is_refused_naming_those_it_does() {
    let d = decide(lookup(json!({"offence": "illegal_parking"})));
    assert_refused(&d, "6");
    let reasons = format!("{:?}", d.reasons);
    assert!(
        reasons.contains("illegal_parking") && reasons.contains("speeding"),
        "{reasons}"
    );
}

#[test]
fn the_look_up_is_made_within_the_provisions_days() {
    // 90 days after the offence: still in time; a day later: refused.
    assert_allowed(&decide(lookup(json!({"asked_at": "2026-10-12T16:05:00+02:00"}))), "6");
    let d = decide(lookup(json!({"asked_at": "2026-10-13T16:05:00+02:00"})));
    assert_refused(&d, "6");
    assert!(format!("{:?}", d.reasons).contains("90 days"), "{:?}", d.reasons);
}

#[test]
fn the_benelux_treaty_has_no_such_provision() {
    let benelux = Profile::builtin("benelux-2018").expect("built-in").expect("valid");
    let action = lookup(json!({"requesting": "BE", "registered_in": "NL"}));
    let e = Action::parse(&action, "action", &benelux).expect_err("not provided");
    assert!(e.to_string().contains("not provided by this agreement"), "{e}");
}

#[test]
fn bad_input_names_the_field() {
    let p = si_al();
    let error = |changes: Value| {
        Action::parse(&lookup(changes), "action", &p)
            .expect_err("invalid")
            .to_string()
    };
    assert!(error(json!({"registered_in": "SI"})).contains("action.registered_in"));
    assert!(error(json!({"offence": "Speeding!"})).contains("action.offence"));
    assert!(error(json!({"committed_at": "2026-07-14T16:05:00"})).contains("action.committed_at"));
    let e = error(json!({"asked_at": "2026-07-13T09:00:00+02:00"}));
    assert!(e.contains("action.asked_at") && e.contains("before the offence"), "{e}");
}

#[test]
fn a_provision_without_offences_or_with_a_limit_out_of_range_does_not_load() {
    let text = include_str!("../../../../profiles/si-al.toml");
    let e = Profile::from_toml(
        "si-al.toml",
        &text.replace("lookup_within_days = 90", "lookup_within_days = 0"),
    )
    .expect_err("zero days");
    assert_eq!(e.key, "traffic_offences.lookup_within_days");
    let start = text.find("offences = [").expect("offences");
    let end = start + text[start..].find(']').expect("end") + 1;
    let empty = format!("{}offences = []{}", &text[..start], &text[end..]);
    let e = Profile::from_toml("si-al.toml", &empty).expect_err("no offences");
    assert_eq!(e.key, "traffic_offences.offences");
}
