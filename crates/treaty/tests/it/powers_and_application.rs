use std::collections::BTreeSet;

use serde_json::json;

use super::*;

fn powers(article: &str) -> BTreeSet<String> {
    decide(json!({"kind": "powers", "operation_article": article}))
        .details
        .powers
        .unwrap_or_default()
}

#[test]
fn art35_powers_never_beyond_treaty_or_host_law() {
    assert_cites(&decide(json!({"kind": "powers", "operation_article": "23"})), "35(1)");
    assert!(powers("23").is_empty());
}

#[test]
fn art36_general_powers_in_operations_under_18_20_21_25_26() {
    for a in ["18", "20", "21", "25", "26"] {
        let p = powers(a);
        for power in [
            "detain",
            "establish_identity",
            "security_search",
            "secure_seizable_objects",
        ] {
            assert!(p.contains(power), "Art. {a} should give {power}");
        }
    }
    assert!(!powers("22").contains("detain"));
}

#[test]
fn art37_public_order_powers_only_under_18_and_20() {
    assert!(powers("18").contains("traffic_orders"));
    assert!(powers("20").contains("group_escort"));
    assert!(!powers("21").contains("traffic_orders"));
    assert!(!powers("25").contains("identity_checks"));
}

#[test]
fn art38_provisional_measures_under_article_19() {
    let d = decide(json!({"kind": "powers", "operation_article": 19}));
    assert_cites(&d, "38");
    assert_eq!(
        d.details.powers.map(|p| p.into_iter().collect::<Vec<_>>()),
        Some(vec!["provisional_measures".to_owned()])
    );
}

#[test]
fn art52_special_units_powers_only_as_title_6_declares() {
    let d = decide(json!({"kind": "powers", "operation_article": "55"}));
    assert_cites(&d, "52");
    assert!(d
        .details
        .powers
        .as_ref()
        .is_some_and(|p| p.contains("detain") && !p.contains("traffic_orders")));
}

#[test]
fn art53_crisis_assistance_with_authorities_consent_directly_between_units() {
    let d = decide(
        json!({"kind": "special_units.request", "crisis": true, "direct_between_special_units": true, "consent_of_competent_authorities": true}),
    );
    assert_allowed(&d, "53(4)");
    assert_eq!(obligations(&d), ["give_reasons requesting_party asap"]);
    assert_refused(
        &decide(
            json!({"kind": "special_units.request", "crisis": true, "direct_between_special_units": true, "consent_of_competent_authorities": false}),
        ),
        "53(4)",
    );
    assert_cites(&decide(json!({"kind": "powers", "operation_article": "53"})), "53(8)");
}

#[test]
fn art54_assistance_outside_crises_follows_article_18() {
    let d = decide(
        json!({"kind": "special_units.request", "crisis": false, "direct_between_special_units": false, "consent_of_competent_authorities": false}),
    );
    assert_allowed(&d, "54(1)");
    assert_cites(&d, "18(4)");
}

#[test]
fn art57_special_units_observing_have_the_general_powers() {
    let d = decide(json!({"kind": "powers", "operation_article": "22", "special_units": true}));
    assert!(d.details.powers.is_some_and(|p| p.contains("detain")));
}

fn weapons(own: bool, host_may: bool, unsafe_home: bool, consent: bool, special: bool) -> Decision {
    decide(
        json!({"kind": "weapons.carry", "in_own_equipment": own, "host_officers_may_carry": host_may,
        "cannot_be_safely_stored_at_home": unsafe_home, "prior_consent_of_host_authority": consent, "special_units": special}),
    )
}

#[test]
fn art39_weapons_the_host_allows_or_with_consent() {
    assert_allowed(&weapons(true, true, false, false, false), "39(1)");
    assert_allowed(&weapons(true, false, true, false, false), "39(2)");
    assert_allowed(&weapons(true, false, false, true, false), "39(3)");
    assert_refused(&weapons(true, false, false, false, false), "39(1)");
}

#[test]
fn art58_special_units_weapons() {
    assert_allowed(&weapons(true, true, false, false, true), "58(1)");
}

fn force(firearm: bool, self_defence: bool, necessary: bool, warning: bool, report: bool) -> Decision {
    decide(
        json!({"kind": "force.use", "firearm": firearm, "self_defence": self_defence, "reasonably_necessary": necessary,
        "warning_given_or_impossible": warning, "host_law_requires_report": report}),
    )
}

#[test]
fn art40_force_when_necessary_firearms_only_in_self_defence_reported_if_host_law_requires() {
    assert_allowed(&force(false, false, true, true, false), "40(1)");
    assert_refused(&force(false, false, false, true, false), "40(1)");
    assert_refused(&force(true, false, true, true, false), "40(4)");
    assert_allowed(&force(true, true, true, true, false), "40(4)");
    assert_refused(&force(false, false, true, false, false), "40(5)");
    let reported = force(false, false, true, true, true);
    assert_eq!(obligations(&reported), ["report host_authority immediately"]);
}

#[test]
fn art59_special_units_automatic_weapons_under_host_special_units_rules() {
    let d = decide(
        json!({"kind": "force.use", "firearm": true, "self_defence": false, "reasonably_necessary": true,
        "warning_given_or_impossible": true, "host_law_requires_report": false,
        "special_units_automatic_or_precision": true, "host_special_units_may": true}),
    );
    assert_allowed(&d, "59(2)");
}

#[test]
fn art43_shielded_identity_is_not_revealed() {
    assert_refused(
        &decide(json!({"kind": "officer.identity_disclosure", "shielded": true})),
        "43(2)",
    );
    assert_allowed(
        &decide(json!({"kind": "officer.identity_disclosure", "shielded": false})),
        "43(2)",
    );
}

#[test]
fn art48_sending_state_liable_except_on_request_under_article_18() {
    let d = decide(json!({"kind": "liability", "host": "BE", "sending": "NL", "operation_article": "21"}));
    assert_cites(&d, "48(1)");
    assert_eq!(d.details.liable.as_ref().map(|p| p.as_str()), Some("NL"));
    let d = decide(json!({"kind": "liability", "host": "BE", "sending": "NL", "operation_article": 18}));
    assert_cites(&d, "48(4)");
    assert_eq!(d.details.liable.as_ref().map(|p| p.as_str()), Some("BE"));
}

#[test]
fn art60_special_units_liability() {
    assert_cites(
        &decide(json!({"kind": "liability", "host": "LU", "sending": "BE", "operation_article": "53"})),
        "60(1)",
    );
    assert_cites(
        &decide(json!({"kind": "liability", "host": "LU", "sending": "BE", "operation_article": "55"})),
        "60(2)",
    );
}

#[test]
fn art67_netherlands_only_in_europe() {
    assert_refused(
        &decide(json!({"kind": "territory", "party": "NL", "in_europe": false})),
        "67(c)",
    );
    assert_allowed(
        &decide(json!({"kind": "territory", "party": "NL", "in_europe": true})),
        "67(c)",
    );
    assert_allowed(
        &decide(json!({"kind": "territory", "party": "LU", "in_europe": true})),
        "67(b)",
    );
}

#[test]
fn bad_input_names_the_field() {
    assert_eq!(invalid(json!({"kind": "nope"})).field, "action.kind");
    assert_eq!(invalid(json!({"kind": "operation.transit", "host": "XX", "sending": "NL", "with_detained_person": true, "with_goods": false})).field, "action.host");
    assert_eq!(invalid(json!({"kind": "operation.transit", "host": "be", "sending": "NL", "with_detained_person": true, "with_goods": false})).field, "action.host");
    assert_eq!(
        invalid(json!({"kind": "exchange.oral", "in_article_6_4_situation": true, "at": "2026-05-04T10:15:00"})).field,
        "action.at"
    );
    assert_eq!(
        invalid(json!({"kind": "exchange.oral", "in_article_6_4_situation": "yes", "at": "2026-05-04T10:15:00Z"}))
            .field,
        "action.in_article_6_4_situation"
    );
    let e = invalid(
        json!({"kind": "query.hitnohit", "requesting": "NL", "owner": "BE", "database": "ANG", "individual_case": true,
        "at": "2026-05-04T10:15:00Z", "agreements": [{"parties": ["BE", "NL"], "articles": ["14"], "in_force_from": "2025-13-01"}]}),
    );
    assert_eq!(e.field, "action.agreements[0].in_force_from");
    assert_eq!(invalid(json!({"kind": "exchange.channel", "from": {"party": "BE"}, "to": {"party": "NL", "region": "x"}, "via": "ncp"})).field, "action.from.region");
    assert_eq!(invalid(json!([1, 2])).field, "action");
}
