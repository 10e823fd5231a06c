//! `exchange.direct`: the SI–AL direct exchange of operational findings, decided from the
//! profile's own provision (`[direct_exchange]` in profiles/si-al.toml), never from the Benelux
//! treaty's articles.

use serde_json::{json, Value};
use treaty::{evaluate, Action, Decision, Profile};

use super::{assert_allowed, assert_refused, decide_in, si_al};

fn exchange(from: &str, to: &str, topic: &str, personal_data: bool) -> Value {
    json!({"kind": "exchange.direct", "from": from, "to": to, "topic": topic, "personal_data": personal_data})
}

fn decide(action: Value) -> Decision {
    decide_in(&si_al(), &action)
}

fn cited(d: &Decision) -> Vec<String> {
    d.articles.iter().map(ToString::to_string).collect()
}

#[test]
fn a_member_states_findings_with_personal_data_must_also_pass_chapter_v() {
    let d = decide(exchange("SI", "AL", "migrant_smuggling", true));
    assert_allowed(&d, "3(1)");
    assert!(cited(&d).contains(&"2016/680:35(1)".to_owned()), "{:?}", cited(&d));
    // Without personal data, or from the third country, the directive's Chapter V is not engaged.
    let d = decide(exchange("SI", "AL", "migrant_smuggling", false));
    assert_eq!(cited(&d), ["3(1)"]);
    let d = decide(exchange("AL", "SI", "drug_trafficking", true));
    assert_eq!(cited(&d), ["3(1)"]);
}

#[test]
fn a_topic_the_provision_does_not_cover_is_refused_with_the_topics_it_covers() {
    let d = decide(exchange("AL", "SI", "tax_fraud", true));
    assert_refused(&d, "3(1)");
    let reasons = format!("{:?}", d.reasons);
    assert!(
        reasons.contains("tax_fraud") && reasons.contains("migrant_smuggling"),
        "{reasons}"
    );
}

#[test]
fn the_benelux_treaty_has_no_such_provision() {
    let benelux = Profile::builtin("benelux-2018").expect("built-in").expect("valid");
    assert!(!benelux.provides("exchange.direct"));
    let e =
        Action::parse(&exchange("BE", "NL", "organised_crime", true), "action", &benelux).expect_err("not provided");
    assert!(e.to_string().contains("not provided by this agreement"), "{e}");
}

#[test]
fn bad_input_names_the_field() {
    let p = si_al();
    let error = |action: Value| Action::parse(&action, "action", &p).expect_err("invalid").to_string();
    assert!(error(exchange("SI", "SI", "terrorism", true)).contains("action.to"));
    assert!(error(exchange("SI", "HR", "terrorism", true)).contains("action.to"));
    assert!(error(exchange("SI", "AL", "Migrant Smuggling", true)).contains("action.topic"));
    assert!(error(exchange("SI", "AL", &"a".repeat(65), true)).contains("action.topic"));
    let mut no_flag = exchange("SI", "AL", "terrorism", true);
    if let Some(o) = no_flag.as_object_mut() {
        o.remove("personal_data");
    }
    assert!(error(no_flag).contains("action.personal_data"));
}

#[test]
fn a_provision_without_topics_or_under_another_instrument_does_not_load() {
    let text = include_str!("../../../../profiles/si-al.toml");
    let topics = text.find("topics = [").expect("topics");
    let end = topics + text[topics..].find(']').expect("end of topics") + 1;
    let empty = format!("{}topics = []{}", &text[..topics], &text[end..]);
    let e = Profile::from_toml("si-al.toml", &empty).expect_err("no topics");
    assert_eq!(e.key, "direct_exchange.topics");
    let foreign = text.replace("article = \"3(1)\"", "article = \"2016/680:3\"");
    let e = Profile::from_toml("si-al.toml", &foreign).expect_err("another instrument");
    assert_eq!(e.key, "direct_exchange.article");
}

fn via(action: Value, channel: &str) -> Value {
    let mut action = action;
    action["via"] = json!(channel);
    action
}

#[test]
fn the_channels_of_seed_004_each_need_their_contact_points() {
    // The Slovenian attaché in Tirana carries SI's findings to AL and AL's to SI.
    for (from, to) in [("SI", "AL"), ("AL", "SI")] {
        let d = decide(via(exchange(from, to, "migrant_smuggling", false), "liaison_officer"));
        assert_allowed(&d, "3(1)");
        assert!(
            format!("{:?}", d.reasons).contains("SI-ATTACHE-TIRANA"),
            "{:?}",
            d.reasons
        );
    }
    // Interpol and Europol: outside the agreement's own channel, recorded with their reference.
    let d = decide(via(exchange("SI", "AL", "terrorism", true), "interpol"));
    assert_allowed(&d, "3(1)");
    let reasons = format!("{:?}", d.reasons);
    assert!(
        reasons.contains("SI-INTERPOL-NCB") && reasons.contains("AL-INTERPOL-NCB") && reasons.contains("reference"),
        "{reasons}"
    );
    let d = decide(via(exchange("AL", "SI", "terrorism", true), "europol"));
    assert!(format!("{:?}", d.reasons).contains("AL-EUROPOL-NCP"), "{:?}", d.reasons);
    // No `via`: directly between the services.
    assert!(format!("{:?}", decide(exchange("SI", "AL", "terrorism", false)).reasons).contains("directly"));
}

#[test]
fn without_an_attache_in_the_profile_that_channel_is_refused() {
    let text = include_str!("../../../../profiles/si-al.toml");
    let line = text
        .lines()
        .find(|l| l.contains("SI-ATTACHE-TIRANA"))
        .expect("the attaché's contact point");
    let p = Profile::from_toml("si-al.toml", &text.replace(&format!("{line}\n"), "")).expect("valid without it");
    let action = Action::parse(
        &via(exchange("SI", "AL", "migrant_smuggling", false), "liaison_officer"),
        "action",
        &p,
    )
    .expect("valid action");
    let d = evaluate(&p, &action);
    assert_refused(&d, "3(1)");
    assert!(
        format!("{:?}", d.reasons).contains("no liaison officer"),
        "{:?}",
        d.reasons
    );
    let e = Action::parse(&via(exchange("SI", "AL", "terrorism", false), "pigeon"), "action", &p).expect_err("bad via");
    assert!(e.to_string().contains("action.via"), "{e}");
}
