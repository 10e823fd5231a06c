use serde_json::json;

use super::*;

fn channel(from: (&str, &str), to: (&str, &str), via: &str, flags: [bool; 5]) -> Decision {
    decide(json!({
        "kind": "exchange.channel",
        "from": { "party": from.0, "region": from.1 }, "to": { "party": to.0, "region": to.1 }, "via": via,
        "within_competence_of_both": flags[0], "subject_in_border_region": flags[1],
        "urgent_delay_would_jeopardise": flags[2], "prior_consent_of_contact_points": flags[3],
        "in_cross_border_operation": flags[4],
    }))
}

#[test]
fn art4_requests_for_offences_or_public_order_are_allowed() {
    assert_allowed(
        &decide(json!({"kind": "exchange.request", "purpose": "criminal", "requested_law_expressly_opposes": false})),
        "4(1)",
    );
    assert_allowed(
        &decide(json!({"kind": "exchange.request", "purpose": "public_order"})),
        "4(1)",
    );
    assert_refused(
        &decide(json!({"kind": "exchange.request", "purpose": "other", "requested_law_expressly_opposes": false})),
        "4(1)",
    );
}

#[test]
fn art4_administrative_measures_unless_the_requested_law_expressly_opposes() {
    let ok = decide(
        json!({"kind": "exchange.request", "purpose": "administrative_measures", "requested_law_expressly_opposes": false}),
    );
    assert_allowed(&ok, "4(3)");
    let no = decide(
        json!({"kind": "exchange.request", "purpose": "administrative_measures", "requested_law_expressly_opposes": true}),
    );
    assert_refused(&no, "4(3)");
    // The field matters for administrative measures: it must be stated.
    assert_eq!(
        invalid(json!({"kind": "exchange.request", "purpose": "administrative_measures"})).field,
        "action.requested_law_expressly_opposes"
    );
}

#[test]
fn art4_a_request_concerns_at_least_one_person_or_object() {
    assert_refused(
        &decide(json!({"kind": "exchange.request", "purpose": "criminal", "subjects": 0})),
        "4(5)",
    );
    assert_allowed(
        &decide(json!({"kind": "exchange.request", "purpose": "criminal", "subjects": 3})),
        "4(5)",
    );
}

#[test]
fn art4_spontaneous_provision_needs_factual_reasons() {
    assert_allowed(
        &decide(json!({"kind": "exchange.spontaneous", "factual_reasons_it_may_help": true})),
        "4(2)",
    );
    assert_refused(
        &decide(json!({"kind": "exchange.spontaneous", "factual_reasons_it_may_help": false})),
        "4(2)",
    );
}

#[test]
fn art4_refusal_only_on_a_directive_ground_with_reasons() {
    let d = decide(json!({"kind": "exchange.refusal", "ground": "2023/977:6(f)"}));
    assert_allowed(&d, "4(4)");
    assert_cites(&d, "2023/977:6(f)");
    assert_eq!(obligations(&d), ["give_reasons requesting_party immediately"]);
    assert_refused(
        &decide(json!({"kind": "exchange.refusal", "ground": "2023/977:6(z)"})),
        "4(4)",
    );
    assert_refused(
        &decide(json!({"kind": "exchange.refusal", "ground": "we are busy"})),
        "4(4)",
    );
}

#[test]
fn art61_exception_clause_refusal_is_notified_with_reasons() {
    let d = decide(json!({"kind": "exchange.refusal", "ground": "61"}));
    assert_allowed(&d, "61(1)");
    assert_cites(&d, "61(2)");
    assert_eq!(obligations(&d), ["give_reasons requesting_party immediately"]);
}

#[test]
fn art5_provision_only_from_annex_5_databases() {
    assert_allowed(
        &decide(json!({"kind": "exchange.source_database", "provider": "NL", "database": "BVI"})),
        "5(1)",
    );
    // Annex 5 lists only BVH and BVI for the Netherlands.
    assert_refused(
        &decide(json!({"kind": "exchange.source_database", "provider": "NL", "database": "VROS"})),
        "5(1)",
    );
    assert_refused(
        &decide(json!({"kind": "exchange.source_database", "provider": "BE", "database": "BVI"})),
        "annex5",
    );
}

#[test]
fn art6_ncp_is_always_open() {
    assert_allowed(
        &channel(("NL", "Amsterdam"), ("BE", "Brussel"), "ncp", [false; 5]),
        "6(1)",
    );
}

#[test]
fn art6_regional_contact_points_only_inside_the_border_region() {
    assert_allowed(
        &channel(
            ("NL", "Limburg"),
            ("BE", "Limburg"),
            "regional_contact_point",
            [true, true, false, false, false],
        ),
        "6(2)",
    );
    assert_refused(
        &channel(
            ("NL", "Amsterdam"),
            ("BE", "Limburg"),
            "regional_contact_point",
            [true, true, false, false, false],
        ),
        "6(2)",
    );
    let jpc = channel(
        ("LU", "Luxembourg"),
        ("BE", "Luxembourg"),
        "joint_police_centre",
        [true, true, false, false, false],
    );
    assert_allowed(&jpc, "6(2)");
    assert_cites(&jpc, "30(2)");
}

#[test]
fn art6_direct_exchange_grounds_in_order_with_notice_to_own_contact_point() {
    let a = channel(
        ("BE", "Antwerpen"),
        ("NL", "Zeeland West-Brabant"),
        "direct",
        [true, true, true, true, true],
    );
    assert_allowed(&a, "6(4)(a)");
    assert_eq!(a.details.direct_ground, Some('a'));
    assert_eq!(obligations(&a), ["notify own_contact_point immediately"]);
    let b = channel(
        ("BE", "Brussel"),
        ("NL", "Oost-Brabant"),
        "direct",
        [true, true, true, false, false],
    );
    assert_eq!(b.details.direct_ground, Some('b'));
    let c = channel(
        ("BE", "Brussel"),
        ("NL", "Oost-Brabant"),
        "direct",
        [true, true, false, true, false],
    );
    assert_eq!(c.details.direct_ground, Some('c'));
    let d = channel(
        ("BE", "Brussel"),
        ("NL", "Oost-Brabant"),
        "direct",
        [true, true, false, false, true],
    );
    assert_eq!(d.details.direct_ground, Some('d'));
    // Both in the border region but the offence is elsewhere: ground (a) fails.
    let none = channel(
        ("BE", "Antwerpen"),
        ("NL", "Oost-Brabant"),
        "direct",
        [true, false, false, false, false],
    );
    assert_refused(&none, "6(4)");
    assert!(none.obligations.is_empty());
}

#[test]
fn art6_liaison_officers_are_a_channel() {
    let d = channel(("NL", "Amsterdam"), ("LU", "Luxembourg"), "liaison_officer", [false; 5]);
    assert_allowed(&d, "6(5)");
    assert_cites(&d, "27(2)(a)");
}

#[test]
fn art27_liaison_officers_speed_up_information_exchange() {
    assert_cites(
        &channel(("BE", "Brussel"), ("NL", "Den Haag"), "liaison_officer", [false; 5]),
        "27(2)",
    );
}

#[test]
fn art30_exchange_through_a_joint_police_centre_is_title_2_exchange() {
    let d = channel(
        ("LU", "Esch-sur-Alzette"),
        ("BE", "Luik"),
        "joint_police_centre",
        [true, true, false, false, false],
    );
    assert_allowed(&d, "30(2)");
}

#[test]
fn art7_processing_feedback_on_the_providers_request() {
    let d = decide(json!({"kind": "exchange.feedback_request", "asked_by_provider": true}));
    assert_allowed(&d, "7(3)");
    assert_eq!(obligations(&d), ["report provider asap"]);
    assert_refused(&decide(json!({"kind": "exchange.request", "purpose": "other"})), "7(1)");
}

#[test]
fn art8_classification_equivalence_in_both_directions() {
    let d = decide(
        json!({"kind": "data.classification", "from": "BE", "marking": "Vertrouwelijk (Wet 11.12.1998)", "to": "NL"}),
    );
    assert_cites(&d, "8");
    assert_eq!(d.details.eu_level.as_deref(), Some("CONFIDENTIAL"));
    assert_eq!(d.details.marking, Some(Some("Stg. CONFIDENTIEEL".to_owned())));
    // The French form is accepted and the Dutch form produced.
    let d = decide(json!({"kind": "data.classification", "from": "LU", "marking": "Secret Lux", "to": "BE"}));
    assert_eq!(d.details.marking, Some(Some("Geheim (Wet 11.12.1998)".to_owned())));
    let d = decide(
        json!({"kind": "data.classification", "from": "BE", "marking": "Confidentiel (Loi 11.12.1998)", "to": "LU"}),
    );
    assert_eq!(d.details.marking, Some(Some("Confidentiel Lux".to_owned())));
    // BE has no RESTRICTED marking.
    let d = decide(json!({"kind": "data.classification", "from": "NL", "marking": "Dep. VERTROUWELIJK", "to": "BE"}));
    assert_eq!(d.details.eu_level.as_deref(), Some("RESTRICTED"));
    assert_eq!(d.details.marking, Some(None));
    assert_eq!(
        invalid(json!({"kind": "data.classification", "from": "NL", "marking": "Geheim", "to": "BE"})).field,
        "action.marking"
    );
}

fn data_use(use_: &str, restriction: bool, consent: Value, at: &str) -> Decision {
    decide(json!({"kind": "data.use", "use": use_, "purpose_restriction": restriction, "consent": consent, "at": at}))
}

fn consent(scope: &str, written: bool, given_at: &str, conditions: &[&str]) -> Value {
    json!({"scope": scope, "written": written, "given_at": given_at, "conditions": conditions})
}

const AT: &str = "2026-04-01T12:00:00+02:00";
const BEFORE: &str = "2026-03-30T09:00:00+02:00";
const AFTER: &str = "2026-04-02T09:00:00+02:00";

#[test]
fn art9_onward_transfer_needs_concrete_case_written_consent() {
    assert_refused(&data_use("onward_transfer", false, Value::Null, AT), "9(1)");
    assert_refused(
        &data_use("onward_transfer", false, consent("general", true, BEFORE, &[]), AT),
        "9(1)",
    );
    assert_refused(
        &data_use(
            "onward_transfer",
            false,
            consent("concrete_case", false, BEFORE, &[]),
            AT,
        ),
        "9(1)",
    );
    assert_allowed(
        &data_use(
            "onward_transfer",
            false,
            consent("concrete_case", true, BEFORE, &[]),
            AT,
        ),
        "9(1)",
    );
}

#[test]
fn art10_any_article_2_purpose_without_restriction() {
    assert_allowed(&data_use("any_article2_purpose", false, Value::Null, AT), "10(1)");
    assert_allowed(&data_use("other_purpose", false, Value::Null, AT), "10(1)");
}

#[test]
fn art10_purpose_restriction_binds_and_another_purpose_needs_consent() {
    assert_allowed(&data_use("restricted_purpose", true, Value::Null, AT), "10(2)");
    assert_refused(&data_use("other_purpose", true, Value::Null, AT), "10(2)");
    assert_allowed(
        &data_use("other_purpose", true, consent("general", true, BEFORE, &[]), AT),
        "10(2)",
    );
}

#[test]
fn art10_evidence_and_disclosure_always_need_prior_written_consent() {
    assert_refused(&data_use("evidence", false, Value::Null, AT), "10(3)");
    assert_allowed(
        &data_use("evidence", false, consent("general", true, BEFORE, &[]), AT),
        "10(3)",
    );
    assert_refused(&data_use("disclosure", false, Value::Null, AT), "10(4)");
    assert_allowed(
        &data_use("disclosure", false, consent("concrete_case", true, BEFORE, &[]), AT),
        "10(4)",
    );
}

#[test]
fn art11_consent_precedes_the_use_and_its_conditions_bind() {
    assert_refused(
        &data_use("evidence", false, consent("concrete_case", true, AFTER, &[]), AT),
        "11(1)",
    );
    let d = data_use(
        "evidence",
        false,
        consent(
            "concrete_case",
            true,
            BEFORE,
            &["only in case file 2026/0412", "no press"],
        ),
        AT,
    );
    assert_allowed(&d, "11(3)");
    assert_eq!(d.obligations.len(), 1);
    assert_eq!(d.obligations[0].conditions, ["only in case file 2026/0412", "no press"]);
}

#[test]
fn art12_oral_exchange_only_in_article_6_4_situations_confirmed_within_24_hours() {
    let d =
        decide(json!({"kind": "exchange.oral", "in_article_6_4_situation": true, "at": "2026-03-28T20:00:00+01:00"}));
    assert_allowed(&d, "12(2)");
    // 24 elapsed hours across the spring change: 21:00 summer time.
    assert_eq!(
        d.obligations[0].due,
        Some("2026-03-29T21:00:00+02:00".parse().expect("instant"))
    );
    assert_refused(
        &decide(json!({"kind": "exchange.oral", "in_article_6_4_situation": false, "at": AT})),
        "12(1)",
    );
}

#[test]
fn art12_language_official_of_the_provider_or_english() {
    for (party, lang, ok) in [
        ("BE", "nl", true),
        ("BE", "fr", true),
        ("BE", "de", true),
        ("LU", "lb", true),
        ("LU", "nl", false),
        ("NL", "en", true),
        ("NL", "de", false),
        ("NL", "FR", false),
    ] {
        let d = decide(json!({"kind": "exchange.language", "provider": party, "language": lang}));
        assert_eq!(d.verdict == Some(Verdict::Allowed), ok, "{party} {lang}");
        assert_cites(&d, "12(4)");
    }
}
