//! Decisions as officers and partner nodes read them: reviewed in diffs.

use serde_json::json;

use super::*;

fn snapshot_json(action: Value) -> Value {
    let p = profile();
    let action = Action::parse(&action, "action", &p).expect("valid action");
    let zone = action
        .local_party(&p)
        .map(|party| party.time_zone.clone())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    evaluate(&p, &action).to_json(&zone)
}

#[test]
fn snapshot_direct_exchange_refused() {
    insta::assert_json_snapshot!(snapshot_json(json!({
        "kind": "exchange.channel", "from": {"party": "BE", "region": "Brussel"}, "to": {"party": "NL", "region": "Oost-Brabant"},
        "via": "direct", "within_competence_of_both": true, "subject_in_border_region": true, "urgent_delay_would_jeopardise": false,
        "prior_consent_of_contact_points": false, "in_cross_border_operation": false
    })));
}

#[test]
fn snapshot_evidence_export_with_conditions() {
    insta::assert_json_snapshot!(snapshot_json(json!({
        "kind": "data.use", "use": "evidence", "purpose_restriction": true,
        "consent": {"scope": "concrete_case", "written": true, "given_at": "2026-03-30T09:00:00+02:00", "conditions": ["only in case file 2026/0412"]},
        "at": "2026-04-01T12:00:00+02:00"
    })));
}

#[test]
fn snapshot_detention_release_clock() {
    insta::assert_json_snapshot!(snapshot_json(json!({
        "kind": "deadline", "rule": "detention_release", "party": "BE", "start": "2026-10-24T22:00:00+02:00", "eaw_received": false
    })));
}

#[test]
fn snapshot_hit_no_hit_refused_on_every_ground() {
    insta::assert_json_snapshot!(snapshot_json(json!({
        "kind": "query.hitnohit", "requesting": "NL", "owner": "BE", "database": "RIJKSREGISTER", "individual_case": false,
        "at": "2026-06-01T10:00:00+02:00", "agreements": []
    })));
}
