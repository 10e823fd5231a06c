use serde_json::json;

use super::*;

const AT: &str = "2026-06-01T10:00:00+02:00";

fn hitnohit(requesting: &str, owner: &str, db: &str, individual: bool, agreements: Value) -> Decision {
    decide(
        json!({"kind": "query.hitnohit", "requesting": requesting, "owner": owner, "database": db,
        "individual_case": individual, "at": AT, "agreements": agreements}),
    )
}

#[test]
fn art13_reference_data_need_follow_up_action_and_alert_or_legal_basis() {
    let ag = agreement(["BE", "NL"], "13", &[], "2025-01-01", None);
    let base = |follow: Value, alert: Value, basis: bool, ag: &Value| {
        decide(
            json!({"kind": "anpr.reference", "provider": "NL", "recipient": "BE", "follow_up_action": follow,
            "international_alert": alert, "recipient_legal_basis_without_alert": basis, "at": AT, "agreements": ag}),
        )
    };
    let ok = base(json!("stop and check"), json!("SIS II"), false, &ag);
    assert_allowed(&ok, "13(2)");
    assert_eq!(obligations(&ok), ["return_hits provider asap"]);
    assert_refused(&base(Value::Null, json!("SIS II"), false, &ag), "13(2)");
    assert_refused(&base(json!("  "), json!("SIS II"), false, &ag), "13(2)");
    assert_refused(&base(json!("stop and check"), Value::Null, false, &ag), "13(2)");
    assert_allowed(&base(json!("stop and check"), Value::Null, true, &ag), "13(2)");
    // Art. 13(6): conditions and procedure in an implementing agreement.
    assert_refused(
        &base(json!("stop and check"), json!("SIS II"), false, &json!([])),
        "13(6)",
    );
}

#[test]
fn art13_reference_data_only_for_automated_comparison() {
    assert_allowed(
        &decide(json!({"kind": "anpr.use", "use": "automated_comparison"})),
        "13(3)",
    );
    assert_refused(&decide(json!({"kind": "anpr.use", "use": "other"})), "13(3)");
}

#[test]
fn art14_hit_no_hit_allowed_under_an_agreement_in_force() {
    let ag = agreement(["BE", "NL"], "14", &["ANG", "BVH"], "2025-01-01", None);
    let d = hitnohit("NL", "BE", "ANG", true, ag);
    assert_allowed(&d, "14(1)");
    assert_cites(&d, "14(2)");
    assert_eq!(d.details.response_scope.as_deref(), Some("hit_no_hit"));
}

#[test]
fn art14_refused_outside_annex_6_in_bulk_or_without_agreement() {
    let ag = agreement(["BE", "NL"], "14", &["ANG", "BVH", "RIJKSREGISTER"], "2025-01-01", None);
    // Annex 6 lists the National Register only for Art. 16.
    assert_refused(&hitnohit("NL", "BE", "RIJKSREGISTER", true, ag.clone()), "annex6");
    // A database of another party.
    assert_refused(&hitnohit("NL", "BE", "BVH", true, ag.clone()), "14(1)");
    // Unknown database.
    assert_refused(&hitnohit("NL", "BE", "FOO", true, ag.clone()), "annex6");
    // Bulk query.
    assert_refused(&hitnohit("NL", "BE", "ANG", false, ag), "14(3)");
    // No agreement, agreement not yet in force, expired, or not naming the database.
    assert_refused(&hitnohit("NL", "BE", "ANG", true, json!([])), "14(5)");
    assert_refused(
        &hitnohit(
            "NL",
            "BE",
            "ANG",
            true,
            agreement(["BE", "NL"], "14", &["ANG"], "2026-07-01", None),
        ),
        "14(5)",
    );
    let expired = hitnohit(
        "NL",
        "BE",
        "ANG",
        true,
        agreement(["BE", "NL"], "14", &["ANG"], "2025-01-01", Some("2026-05-31")),
    );
    assert_refused(&expired, "14(5)");
    assert!(
        expired.reasons.iter().any(|r| r.contains("expired")),
        "{:?}",
        expired.reasons
    );
    assert_refused(
        &hitnohit(
            "NL",
            "BE",
            "BE-BASIC",
            true,
            agreement(["BE", "NL"], "14", &["ANG"], "2025-01-01", None),
        ),
        "14(5)",
    );
    // An agreement for Art. 15 does not open Art. 14.
    assert_refused(
        &hitnohit(
            "NL",
            "BE",
            "ANG",
            true,
            agreement(["BE", "NL"], "15", &["ANG"], "2025-01-01", None),
        ),
        "14(5)",
    );
}

#[test]
fn art14_the_in_force_day_is_inclusive_in_local_time() {
    let ag = agreement(["BE", "NL"], "14", &["BVH"], "2026-06-01", Some("2026-06-01"));
    // 00:30 local on 1 June (22:30 UTC on 31 May) is already the first day.
    let d = decide(
        json!({"kind": "query.hitnohit", "requesting": "BE", "owner": "NL", "database": "BVH",
        "individual_case": true, "at": "2026-05-31T22:30:00Z", "agreements": ag.clone()}),
    );
    assert_allowed(&d, "14(5)");
    let d = decide(
        json!({"kind": "query.hitnohit", "requesting": "BE", "owner": "NL", "database": "BVH",
        "individual_case": true, "at": "2026-06-01T22:30:00Z", "agreements": ag}),
    );
    assert_refused(&d, "14(5)");
}

fn consult(article: &str, officer: &str, owner: &str, db: &str, auth: Value, extra: Value, ag: Value) -> Decision {
    let mut action = json!({"kind": "consult.direct", "article": article, "officer_party": officer, "owner": owner,
        "database": db, "authorisation": auth, "at": AT, "agreements": ag});
    if let (Some(a), Some(e)) = (action.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    decide(action)
}

fn auth(granted_by: &str, named: bool, until: Value, revoked: Value) -> Value {
    json!({"granted_by": granted_by, "named": named, "valid_from": "2026-01-01T00:00:00+01:00", "valid_until": until, "revoked_at": revoked})
}

#[test]
fn art15_joint_police_post_with_named_authorisation_consulting_party_is_controller() {
    let ag = agreement(["BE", "NL"], "15", &["BVH"], "2025-01-01", None);
    let d = consult(
        "15",
        "BE",
        "NL",
        "BVH",
        auth("NL", true, Value::Null, Value::Null),
        json!({"at_joint_police_post": true}),
        ag.clone(),
    );
    assert_allowed(&d, "15(2)");
    assert_cites(&d, "15(4)");
    assert_eq!(d.details.controller.as_ref().map(|p| p.as_str()), Some("BE"));
    // Not at the post, not named, granted by the wrong party, revoked, or outside annex 6.
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "BVH",
            auth("NL", true, Value::Null, Value::Null),
            json!({"at_joint_police_post": false}),
            ag.clone(),
        ),
        "15(1)",
    );
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "BVH",
            auth("NL", false, Value::Null, Value::Null),
            json!({"at_joint_police_post": true}),
            ag.clone(),
        ),
        "15(2)",
    );
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "BVH",
            auth("BE", true, Value::Null, Value::Null),
            json!({"at_joint_police_post": true}),
            ag.clone(),
        ),
        "15(2)",
    );
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "BVH",
            auth("NL", true, Value::Null, json!("2026-05-01T00:00:00+02:00")),
            json!({"at_joint_police_post": true}),
            ag.clone(),
        ),
        "15(3)",
    );
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "BVH",
            Value::Null,
            json!({"at_joint_police_post": true}),
            ag,
        ),
        "15(2)",
    );
    assert_refused(
        &consult(
            "15",
            "BE",
            "NL",
            "VROS",
            auth("NL", true, Value::Null, Value::Null),
            json!({"at_joint_police_post": true}),
            agreement(["BE", "NL"], "15", &["VROS"], "2025-01-01", None),
        ),
        "15(1)",
    );
}

#[test]
fn art15_revocation_takes_effect_at_once() {
    let ag = agreement(["BE", "NL"], "15", &["BVH"], "2025-01-01", None);
    // Revoked one second after the consultation: still valid; revoked at the very instant: refused.
    let before = consult(
        "15",
        "BE",
        "NL",
        "BVH",
        auth("NL", true, Value::Null, json!("2026-06-01T10:00:01+02:00")),
        json!({"at_joint_police_post": true}),
        ag.clone(),
    );
    assert_eq!(before.verdict, Some(Verdict::Allowed));
    let at = consult(
        "15",
        "BE",
        "NL",
        "BVH",
        auth("NL", true, Value::Null, json!(AT)),
        json!({"at_joint_police_post": true}),
        ag,
    );
    assert_refused(&at, "15(3)");
}

#[test]
fn art16_mixed_patrol_only_while_active_from_a_vehicle() {
    let ag = agreement(["BE", "NL"], "16", &["RIJKSREGISTER"], "2025-01-01", None);
    let active = json!({"patrol_active": true, "from_vehicle": true});
    let d = consult(
        "16",
        "NL",
        "BE",
        "RIJKSREGISTER",
        auth("BE", true, Value::Null, Value::Null),
        active.clone(),
        ag.clone(),
    );
    assert_allowed(&d, "16(1)");
    assert_cites(&d, "16(4)");
    assert_refused(
        &consult(
            "16",
            "NL",
            "BE",
            "RIJKSREGISTER",
            auth("BE", true, Value::Null, Value::Null),
            json!({"patrol_active": false, "from_vehicle": true}),
            ag.clone(),
        ),
        "16(1)",
    );
    assert_refused(
        &consult(
            "16",
            "NL",
            "BE",
            "RIJKSREGISTER",
            auth("BE", true, Value::Null, Value::Null),
            json!({"patrol_active": true, "from_vehicle": false}),
            ag.clone(),
        ),
        "16(1)",
    );
    assert_refused(
        &consult(
            "16",
            "NL",
            "BE",
            "RIJKSREGISTER",
            auth("BE", true, json!("2026-05-31T23:59:59+02:00"), Value::Null),
            active.clone(),
            ag,
        ),
        "16(3)",
    );
    // LU police have no access from vehicles (annex 6).
    let lu = agreement(["BE", "LU"], "16", &["LU-POLICE"], "2025-01-01", None);
    assert_refused(
        &consult(
            "16",
            "BE",
            "LU",
            "LU-POLICE",
            auth("LU", true, Value::Null, Value::Null),
            active,
            lu,
        ),
        "16(1)",
    );
}

#[test]
fn art17_register_lookup_only_under_an_agreement_otherwise_article_4() {
    let ok = decide(
        json!({"kind": "consult.register", "requesting": "NL", "owner": "BE", "at": AT, "agreements": agreement(["BE", "NL"], "17", &[], "2025-01-01", None)}),
    );
    assert_allowed(&ok, "17(2)");
    let no = decide(json!({"kind": "consult.register", "requesting": "NL", "owner": "BE", "at": AT}));
    assert_refused(&no, "17(2)");
    assert_cites(&no, "17(3)");
}

#[test]
fn art5_direct_access_databases_are_those_of_annex_6() {
    let ag = agreement(["BE", "LU"], "14", &["LU-POLICE"], "2025-01-01", None);
    assert_allowed(&hitnohit("BE", "LU", "LU-POLICE", true, ag), "5(2)");
}

#[test]
fn art62_agreements_apply_from_the_date_they_set() {
    let ag = agreement(["LU", "NL"], "14", &[], "2026-06-02", None);
    let before = decide(
        json!({"kind": "agreement.in_force", "parties": ["LU", "NL"], "article": "14", "at": AT, "agreements": ag.clone()}),
    );
    assert_refused(&before, "62(2)");
    let after = decide(
        json!({"kind": "agreement.in_force", "parties": ["LU", "NL"], "article": "14", "at": "2026-06-02T00:00:00+02:00", "agreements": ag}),
    );
    assert_allowed(&after, "62(2)");
}
