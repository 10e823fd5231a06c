//! Directive 2016/680 Chapter V (`transfer.third_country`): one test per condition, in the
//! directive's order, under both profiles; and the profile's `kinds` gate.

use serde_json::{json, Value};
use treaty::{Action, Decision, Profile, Verdict};

use super::{assert_allowed, assert_cites, assert_refused, decide_in, obligations, si_al};

/// SI → AL to the Albanian police, for a criminal investigation, under the bilateral agreement.
fn transfer() -> Value {
    json!({
        "kind": "transfer.third_country", "from": "SI", "to": "AL", "recipient": "competent_authority",
        "purpose": "criminal", "received_from": null, "authorisation_of_originating_state": false,
        "immediate_serious_threat": false, "authorisation_obtainable_in_time": true,
        "adequacy_decision": false, "safeguards": "legally_binding_instrument", "derogation": null,
        "rights_override_public_interest": false, "strictly_necessary": false, "individual_case": false,
        "competent_authority_ineffective": false
    })
}

fn with(changes: Value) -> Value {
    let mut action = transfer();
    if let (Some(a), Some(c)) = (action.as_object_mut(), changes.as_object()) {
        a.extend(c.clone());
    }
    action
}

fn decide(action: Value) -> Decision {
    decide_in(&si_al(), &action)
}

#[test]
fn dir35_1_a_only_for_the_purposes_of_article_1_1() {
    assert_allowed(&decide(with(json!({"purpose": "public_security"}))), "2016/680:35(1)");
    let d = decide(with(json!({"purpose": "other"})));
    assert_refused(&d, "2016/680:35(1)(a)");
    assert_eq!(
        d.articles.len(),
        1,
        "the first failing condition alone: {:?}",
        d.articles
    );
}

#[test]
fn dir35_1_b_and_39_a_recipient_other_than_a_competent_authority() {
    let direct = json!({"recipient": "other", "individual_case": true, "strictly_necessary": true,
        "competent_authority_ineffective": true});
    let d = decide(with(direct.clone()));
    assert_allowed(&d, "2016/680:39(1)");
    assert_eq!(
        obligations(&d),
        [
            "notify supervisory_authority asap",
            "document supervisory_authority on_request"
        ]
    );
    for (failing, article) in [
        (json!({"individual_case": false}), "2016/680:39(1)"),
        (json!({"strictly_necessary": false}), "2016/680:39(1)(a)"),
        (json!({"rights_override_public_interest": true}), "2016/680:39(1)(b)"),
        (json!({"competent_authority_ineffective": false}), "2016/680:39(1)(c)"),
    ] {
        let mut action = with(direct.clone());
        if let (Some(a), Some(c)) = (action.as_object_mut(), failing.as_object()) {
            a.extend(c.clone());
        }
        let d = decide(action);
        assert_refused(&d, article);
        assert_cites(&d, "2016/680:35(1)(b)");
        assert!(d.obligations.is_empty(), "{:?}", d.obligations);
    }
}

#[test]
fn dir35_1_c_data_of_another_member_state_need_its_authorisation() {
    let benelux = Profile::builtin("benelux-2018").expect("built-in").expect("valid");
    let nl_data = json!({"from": "BE", "received_from": "NL"});
    let d = decide_in(&benelux, &with(nl_data.clone()));
    assert_refused(&d, "2016/680:35(1)(c)");
    assert!(d.reasons.iter().any(|r| r.contains("NL")), "{:?}", d.reasons);

    let mut authorised = with(nl_data.clone());
    authorised["authorisation_of_originating_state"] = json!(true);
    assert_allowed(&decide_in(&benelux, &authorised), "2016/680:35(1)(c)");

    // 35(2): an immediate and serious threat, and no time to ask: allowed, NL told at once.
    let mut urgent = with(nl_data.clone());
    urgent["immediate_serious_threat"] = json!(true);
    urgent["authorisation_obtainable_in_time"] = json!(false);
    let d = decide_in(&benelux, &urgent);
    assert_allowed(&d, "2016/680:35(2)");
    assert_eq!(obligations(&d), ["notify originating_state immediately"]);

    // The threat alone is not enough when the authorisation can still be obtained in time.
    urgent["authorisation_obtainable_in_time"] = json!(true);
    assert_refused(&decide_in(&benelux, &urgent), "2016/680:35(1)(c)");
}

#[test]
fn dir35_1_d_adequacy_then_safeguards_then_derogations() {
    let d = decide(with(json!({"adequacy_decision": true, "safeguards": null})));
    assert_allowed(&d, "2016/680:36(1)");
    assert!(d.obligations.is_empty());

    assert_allowed(&decide(transfer()), "2016/680:37(1)(a)");

    let d = decide(with(json!({"safeguards": "controller_assessment"})));
    assert_allowed(&d, "2016/680:37(1)(b)");
    assert_eq!(obligations(&d), ["document supervisory_authority on_request"]);

    for (derogation, point) in [
        ("vital_interests", "2016/680:38(1)(a)"),
        ("data_subject_interests", "2016/680:38(1)(b)"),
        ("public_security_threat", "2016/680:38(1)(c)"),
        ("individual_case", "2016/680:38(1)(d)"),
        ("legal_claims", "2016/680:38(1)(e)"),
    ] {
        let d = decide(with(json!({"safeguards": null, "derogation": derogation})));
        assert_allowed(&d, point);
        assert_eq!(
            obligations(&d),
            ["document supervisory_authority on_request"],
            "{derogation}"
        );
    }

    let d = decide(with(json!({"safeguards": null})));
    assert_refused(&d, "2016/680:35(1)(d)");
}

#[test]
fn dir38_2_rights_override_only_the_derogations_d_and_e() {
    for derogation in ["individual_case", "legal_claims"] {
        let d = decide(with(
            json!({"safeguards": null, "derogation": derogation, "rights_override_public_interest": true}),
        ));
        assert_refused(&d, "2016/680:38(2)");
    }
    let d = decide(with(
        json!({"safeguards": null, "derogation": "vital_interests", "rights_override_public_interest": true}),
    ));
    assert_eq!(d.verdict, Some(Verdict::Allowed));
}

#[test]
fn dir35_transfers_to_interpol_and_edges_of_the_input() {
    assert_allowed(&decide(with(json!({"to": "INTERPOL"}))), "2016/680:37(1)(a)");
    let p = si_al();
    let error = |action: Value| Action::parse(&action, "action", &p).expect_err("invalid").to_string();
    assert!(error(with(json!({"from": "AL"}))).contains("not an EU member state"));
    assert!(error(with(json!({"to": "HR"}))).contains("is an EU member state"));
    assert!(error(with(json!({"to": "albania"}))).contains("action.to"));
    assert!(error(with(json!({"derogation": "convenience"}))).contains("action.derogation"));
    assert!(error(with(json!({"received_from": "AL"}))).contains("received_from"));
}

#[test]
fn a_kind_the_agreement_does_not_provide_is_refused_naming_the_profile() {
    let p = si_al();
    let pursuit = json!({"kind": "territory", "party": "SI", "in_europe": true});
    let e = Action::parse(&pursuit, "action", &p).expect_err("not provided");
    assert!(e.to_string().contains("not provided by this agreement"), "{e}");
    assert!(e.to_string().contains("si-al"), "{e}");
    // The Benelux treaty provides every kind, this one included.
    let benelux = Profile::builtin("benelux-2018").expect("built-in").expect("valid");
    assert!(benelux.provides("transfer.third_country") && benelux.provides("territory"));
}

#[test]
fn a_profile_listing_an_unknown_kind_does_not_load() {
    let text = include_str!("../../../../profiles/si-al.toml").replace(
        "kinds = [\"transfer.third_country\", \"exchange.direct\", \"sports.event_data\", \"traffic.holder_lookup\"]",
        "kinds = [\"transfer.third_country\", \"teleport\"]",
    );
    let e = Profile::from_toml("si-al.toml", &text).expect_err("unknown kind");
    assert_eq!(e.key, "kinds[1]");
}
