use serde_json::json;

use super::*;

fn deadline(rule: &str, party: &str, start: &str, extra: Value) -> Option<jiff::Timestamp> {
    let mut action = json!({"kind": "deadline", "rule": rule, "party": party, "start": start});
    if let (Some(a), Some(e)) = (action.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    decide(action).deadline
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("instant")
}

#[test]
fn art18_assistance_request_states_nature_duration_objective_and_crossings() {
    let full = decide(
        json!({"kind": "operation.assistance", "host": "BE", "sending": "NL", "nature": "public order support",
        "duration": "2 days", "objective": "football match", "crossings": "series"}),
    );
    assert_allowed(&full, "18(3)");
    assert!(obligations(&full).contains(&"give_reasons requesting_party asap".to_owned()));
    let partial = decide(
        json!({"kind": "operation.assistance", "host": "BE", "sending": "NL", "nature": "public order support"}),
    );
    assert_refused(&partial, "18(3)");
    assert!(
        partial
            .reasons
            .iter()
            .any(|r| r.contains("duration") && r.contains("crossing")),
        "{:?}",
        partial.reasons
    );
    let equipment = decide(
        json!({"kind": "operation.assistance", "host": "BE", "sending": "NL", "nature": "n", "duration": "d",
        "objective": "o", "crossings": "single", "equipment": true, "equipment_list": false}),
    );
    assert_refused(&equipment, "18(6)");
}

#[test]
fn art19_own_initiative_in_the_border_region_notified_on_crossing() {
    let base = |danger: bool, cannot: bool, region: bool, op: bool| {
        decide(
            json!({"kind": "operation.own_initiative", "host": "BE", "sending": "NL", "acute_danger": danger,
            "host_cannot_arrive_in_time": cannot, "in_border_region": region, "already_in_cross_border_operation": op}),
        )
    };
    let ok = base(true, true, true, false);
    assert_allowed(&ok, "19(1)");
    assert!(obligations(&ok).contains(&"notify host at_crossing".to_owned()));
    assert_refused(&base(false, true, true, false), "19(2)");
    assert_refused(&base(true, false, true, false), "19(2)");
    assert_refused(&base(true, true, false, false), "19(1)");
    let outside = base(true, true, false, true);
    assert_allowed(&outside, "19(5)");
    assert!(obligations(&outside).contains(&"notify host immediately".to_owned()));
}

fn pursuit(overrides: Value) -> Decision {
    let mut action = json!({"kind": "operation.pursuit", "host": "BE", "sending": "NL", "started_in_own_territory": true,
        "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false, "enter_dwelling": false,
        "host_ordered_stop": false, "danger_manifestly_disproportionate": false, "medium": "land"});
    if let (Some(a), Some(e)) = (action.as_object_mut(), overrides.as_object()) {
        a.extend(e.clone());
    }
    decide(action)
}

#[test]
fn art21_hot_pursuit_without_prior_consent_contact_at_crossing() {
    let d = pursuit(json!({}));
    assert_allowed(&d, "21(1)");
    let o = obligations(&d);
    assert!(o.contains(&"notify host at_crossing".to_owned()), "{o:?}");
    assert!(o.contains(&"report host_authority after_operation".to_owned()), "{o:?}");
    // Either condition of 21(1) suffices.
    assert_allowed(&pursuit(json!({"host_could_be_warned_in_advance": true})), "21(1)");
    assert_refused(
        &pursuit(json!({"host_could_be_warned_in_advance": true, "host_could_take_over_in_time": true})),
        "21(1)",
    );
    assert_refused(&pursuit(json!({"started_in_own_territory": false})), "21(1)");
    assert_allowed(&pursuit(json!({"medium": "water"})), "21(2)(d)");
}

#[test]
fn art21_stop_order_disproportion_and_dwellings() {
    let stop = pursuit(json!({"host_ordered_stop": true}));
    assert_refused(&stop, "21(2)(a)");
    assert_eq!(obligations(&stop), ["stop host immediately"]);
    assert_refused(
        &pursuit(json!({"danger_manifestly_disproportionate": true})),
        "21(2)(a)",
    );
    assert_refused(&pursuit(json!({"enter_dwelling": true})), "21(2)(e)");
}

#[test]
fn art21_detention_release_clock_and_eaw() {
    assert_eq!(
        deadline(
            "detention_release",
            "BE",
            "2026-03-10T22:00:00+01:00",
            json!({"eaw_received": false})
        ),
        Some(ts("2026-03-11T13:00:00+01:00"))
    );
    assert_eq!(
        deadline(
            "detention_release",
            "NL",
            "2026-07-01T10:30:00+02:00",
            json!({"eaw_received": false})
        ),
        Some(ts("2026-07-01T16:30:00+02:00"))
    );
    assert_eq!(
        deadline(
            "detention_release",
            "BE",
            "2026-03-10T22:00:00+01:00",
            json!({"eaw_received": true})
        ),
        None
    );
    assert_eq!(invalid(json!({"kind": "deadline", "rule": "detention_release", "party": "BE", "start": "2026-03-10T22:00:00+01:00"})).field, "action.eaw_received");
}

#[test]
fn art55_special_units_pursue_under_article_21() {
    let d = pursuit(json!({"special_units": true}));
    assert_allowed(&d, "55(1)");
    assert_cites(&d, "21(1)");
}

#[test]
fn art20_mixed_patrols_give_the_powers_of_36_and_37() {
    let d = decide(json!({"kind": "powers", "operation_article": "20"}));
    assert_cites(&d, "37");
    assert_eq!(d.details.powers.as_ref().map(|p| p.len()), Some(11));
}

fn observation(overrides: Value) -> Decision {
    let mut action = json!({"kind": "operation.observation", "host": "NL", "sending": "BE", "criminal_investigation": true,
        "offence_extraditable": true, "prior_authorisation": true, "particularly_urgent": false, "enter_dwelling": false,
        "technical_means": false, "technical_means_authorised": false, "crossed_at": "2026-06-01T14:00:00+02:00"});
    if let (Some(a), Some(e)) = (action.as_object_mut(), overrides.as_object()) {
        a.extend(e.clone());
    }
    decide(action)
}

#[test]
fn art22_observation_with_authorisation_or_urgent_with_five_hour_clock() {
    assert_allowed(&observation(json!({})), "22(1)");
    let urgent = observation(json!({"prior_authorisation": false, "particularly_urgent": true}));
    assert_allowed(&urgent, "22(4)");
    assert_eq!(urgent.deadline, Some(ts("2026-06-01T19:00:00+02:00")));
    assert_refused(
        &observation(json!({"prior_authorisation": false, "particularly_urgent": false})),
        "22(1)",
    );
    assert_refused(&observation(json!({"offence_extraditable": false})), "22(1)(a)");
    assert_refused(&observation(json!({"enter_dwelling": true})), "22(7)(c)");
    assert_refused(&observation(json!({"technical_means": true})), "22(9)");
    assert_allowed(
        &observation(json!({"technical_means": true, "technical_means_authorised": true})),
        "22(9)",
    );
    assert_refused(&observation(json!({"authorised_hours": 10, "hours_used": 12})), "22(6)");
    // The urgent clock needs the crossing time.
    let e = invalid(
        json!({"kind": "operation.observation", "host": "NL", "sending": "BE", "criminal_investigation": true,
        "offence_extraditable": true, "prior_authorisation": false, "particularly_urgent": true, "enter_dwelling": false,
        "technical_means": false, "technical_means_authorised": false}),
    );
    assert_eq!(e.field, "action.crossed_at");
    assert_eq!(
        deadline(
            "urgent_observation_authorisation",
            "NL",
            "2026-10-25T00:30:00+02:00",
            json!({})
        ),
        Some(ts("2026-10-25T04:30:00+01:00"))
    );
}

fn investigation(host: &str, presence: bool, waived: bool, judicial: bool) -> Decision {
    decide(
        json!({"kind": "operation.investigation", "host": host, "sending": if host == "NL" { "BE" } else { "NL" },
        "requires_judicial_order_in_host": judicial, "host_presence": presence, "presence_waived_by_agreement": waived,
        "received_at": "2026-03-10T10:00:00+01:00"}),
    )
}

#[test]
fn art23_presence_of_the_host_waivable_only_in_be_and_lu() {
    assert_allowed(&investigation("NL", true, false, false), "23(2)");
    assert_refused(&investigation("NL", false, true, false), "23(2)");
    assert_allowed(&investigation("BE", false, true, false), "23(2)");
    assert_allowed(&investigation("LU", false, true, false), "23(2)");
    assert_refused(&investigation("BE", false, false, false), "23(2)");
    assert_refused(&investigation("BE", true, false, true), "23(1)");
}

#[test]
fn art24_answer_in_48_hours_execute_within_30_days() {
    let d = investigation("NL", true, false, false);
    assert_eq!(d.details.reply_deadline, Some(ts("2026-03-12T10:00:00+01:00")));
    // 30 calendar days in Amsterdam time: same clock time after the spring change.
    assert_eq!(d.details.execution_deadline, Some(ts("2026-04-09T10:00:00+02:00")));
    assert_eq!(
        deadline("investigation_reply", "NL", "2026-03-10T10:00:00+01:00", json!({})),
        Some(ts("2026-03-12T10:00:00+01:00"))
    );
    assert_eq!(
        deadline("investigation_execution", "NL", "2026-03-10T10:00:00+01:00", json!({})),
        Some(ts("2026-04-09T10:00:00+02:00"))
    );
}

#[test]
fn art25_transport_needs_prior_consent_else_the_host_does_it() {
    assert_allowed(
        &decide(json!({"kind": "operation.transport", "host": "LU", "sending": "BE", "prior_consent": true})),
        "25(1)",
    );
    let no = decide(json!({"kind": "operation.transport", "host": "LU", "sending": "BE", "prior_consent": false}));
    assert_refused(&no, "25(1)");
    assert_eq!(obligations(&no), ["execute_itself requesting_party asap"]);
}

#[test]
fn art26_offence_on_board_competence_and_boarding_notice() {
    let d = decide(json!({"kind": "operation.train_competence", "committed_in": "BE", "next_scheduled_stop_in": "NL"}));
    assert_eq!(d.details.competent.as_ref().map(|p| p.as_str()), Some("BE"));
    let d = decide(json!({"kind": "operation.train_competence", "committed_in": null, "next_scheduled_stop_in": "LU"}));
    assert_eq!(d.details.competent.as_ref().map(|p| p.as_str()), Some("LU"));
    assert_cites(&d, "26(3)");
    let board = decide(
        json!({"kind": "operation.train_boarding", "host": "NL", "sending": "BE", "arrest_or_seizure_at_home": true}),
    );
    assert_allowed(&board, "26(1)");
    assert!(obligations(&board).contains(&"notify host at_crossing".to_owned()));
    assert!(obligations(&board).contains(&"notify host immediately".to_owned()));
}

#[test]
fn art32_transit_with_detainee_or_goods_is_reported_before_crossing() {
    let plain = decide(
        json!({"kind": "operation.transit", "host": "BE", "sending": "NL", "with_detained_person": false, "with_goods": false}),
    );
    assert_allowed(&plain, "32");
    assert!(plain.obligations.is_empty());
    let detainee = decide(
        json!({"kind": "operation.transit", "host": "BE", "sending": "NL", "with_detained_person": true, "with_goods": false}),
    );
    assert_allowed(&detainee, "41(4)");
    assert_eq!(obligations(&detainee), ["notify host before_crossing"]);
}

#[test]
fn art41_detention_continues_in_transport_and_transit() {
    assert_cites(
        &decide(json!({"kind": "operation.transport", "host": "LU", "sending": "BE", "prior_consent": true})),
        "41(1)",
    );
    assert_cites(
        &decide(
            json!({"kind": "operation.transit", "host": "BE", "sending": "NL", "with_detained_person": false, "with_goods": true}),
        ),
        "41(3)",
    );
}

#[test]
fn art33_urgent_evidence_oral_request_confirmed_in_writing() {
    let d = decide(json!({"kind": "evidence.urgent_request", "real_risk_of_loss": true, "oral": true}));
    assert_allowed(&d, "33(2)");
    assert_eq!(obligations(&d), ["confirm_in_writing recipient asap"]);
    assert_refused(
        &decide(json!({"kind": "evidence.urgent_request", "real_risk_of_loss": false, "oral": false})),
        "33(1)",
    );
}

#[test]
fn art34_sending_officers_follow_host_instructions() {
    assert!(obligations(&pursuit(json!({}))).contains(&"follow_instructions host on_host_request".to_owned()));
    assert_cites(&pursuit(json!({})), "34(2)");
}

#[test]
fn art45_host_takes_over_or_ends_the_operation() {
    let d = decide(json!({"kind": "operation.host_instruction", "take_over": false, "end": true}));
    assert_allowed(&d, "45(2)");
    assert!(obligations(&d).contains(&"stop host immediately".to_owned()));
    assert_allowed(
        &decide(json!({"kind": "operation.host_instruction", "take_over": true, "end": false})),
        "45(1)",
    );
}

#[test]
fn art46_a_report_after_every_operation() {
    for d in [
        pursuit(json!({})),
        observation(json!({})),
        investigation("NL", true, false, false),
    ] {
        assert!(obligations(&d).contains(&"report host_authority after_operation".to_owned()));
    }
}

#[test]
fn art12_oral_confirmation_clock() {
    assert_eq!(
        deadline("oral_confirmation", "LU", "2026-05-04T10:15:00+02:00", json!({})),
        Some(ts("2026-05-05T10:15:00+02:00"))
    );
}

#[test]
fn art65_evaluation_within_five_years() {
    assert_eq!(
        deadline("evaluation_report", "BE", "2023-10-01T00:00:00+02:00", json!({})),
        Some(ts("2028-10-01T00:00:00+02:00"))
    );
}

#[test]
fn art66_denunciation_effective_six_months_after_notification() {
    assert_eq!(
        deadline("denunciation_effective", "NL", "2026-08-31T12:00:00+02:00", json!({})),
        Some(ts("2027-02-28T12:00:00+01:00"))
    );
}

#[test]
fn directive_2023_977_reply_limits() {
    assert_eq!(
        deadline(
            "information_request_reply",
            "NL",
            "2026-05-12T16:00:00+02:00",
            json!({"urgent": true, "directly_accessible": true})
        ),
        Some(ts("2026-05-13T00:00:00+02:00"))
    );
    // Three calendar days across the spring change keep the local clock time.
    assert_eq!(
        deadline(
            "information_request_reply",
            "BE",
            "2026-03-27T10:00:00+01:00",
            json!({"urgent": true, "directly_accessible": false})
        ),
        Some(ts("2026-03-30T10:00:00+02:00"))
    );
    assert_eq!(
        deadline(
            "information_request_reply",
            "LU",
            "2026-10-20T09:00:00+02:00",
            json!({"urgent": false})
        ),
        Some(ts("2026-10-27T09:00:00+01:00"))
    );
}

#[test]
fn art24_urgent_requests_have_no_fixed_limit() {
    assert_eq!(
        deadline(
            "investigation_reply",
            "BE",
            "2026-03-10T10:00:00+01:00",
            json!({"urgent": true})
        ),
        None
    );
    assert_eq!(
        deadline(
            "investigation_execution",
            "BE",
            "2026-03-10T10:00:00+01:00",
            json!({"urgent": true})
        ),
        None
    );
}
