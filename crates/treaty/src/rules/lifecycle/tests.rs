//! One test per article the life cycle cites (named `artN_…`, indexed by `grens treaty coverage`).

use super::*;
use crate::article::art;
use EventKind as K;

fn op(kind: OperationKind, side: Side, recorded: &[EventKind], event: EventKind) -> OperationEvent {
    let answer = recorded.iter().find_map(|k| match k {
        K::Granted => Some(Answer::Granted),
        K::Refused => Some(Answer::Refused),
        _ => None,
    });
    let status = if recorded.contains(&K::Ended) {
        OperationStatus::Ended
    } else if answer == Some(Answer::Refused) {
        OperationStatus::Refused
    } else if recorded.first() == Some(&K::Requested) && answer.is_none() {
        OperationStatus::Requested
    } else {
        OperationStatus::Active
    };
    OperationEvent {
        kind,
        side,
        status,
        answer,
        recorded: recorded.to_vec(),
        event,
    }
}

fn article(e: &OperationEvent) -> String {
    match may_record(e) {
        Ok(a) => a.to_string(),
        Err(r) => panic!("refused: {r}"),
    }
}

fn refusal(e: &OperationEvent) -> LifecycleRefusal {
    match may_record(e) {
        Ok(a) => panic!("allowed under {a}"),
        Err(r) => r,
    }
}

use OperationKind as O;
use Side::{Host, Sending};

#[test]
fn art18_assistance_is_answered_by_the_party_asked_with_reasons() {
    // The host asked; the sending party (asked to send officers) answers under 18(4).
    let asked = [K::Requested];
    assert_eq!(article(&op(O::Assistance, Sending, &asked, K::Granted)), "18(4)");
    assert!(matches!(
        refusal(&op(O::Assistance, Host, &asked, K::Granted)),
        LifecycleRefusal::NotThisSide { .. }
    ));
    // Once only.
    let answered = [K::Requested, K::Granted];
    assert_eq!(
        refusal(&op(O::Assistance, Sending, &answered, K::Refused)),
        LifecycleRefusal::OutOfOrder {
            article: art("18(4)"),
            problem: "the request is answered already"
        }
    );
}

#[test]
fn art19_own_initiative_crossing_is_confirmed_by_the_host() {
    let started = [K::Crossing];
    assert_eq!(article(&op(O::OwnInitiative, Host, &started, K::Acknowledged)), "19(3)");
    assert!(refusal(&op(O::OwnInitiative, Sending, &started, K::Acknowledged))
        .to_string()
        .contains("the sending party does not record 'acknowledged'"));
}

#[test]
fn art20_a_patrol_is_planned_and_started_by_the_patrol_desk_not_as_an_event() {
    for event in [K::Planned, K::Started, K::Requested] {
        let r = refusal(&op(O::Patrol, Host, &[K::Planned], event));
        assert_eq!(r.article(), &art("20"));
    }
    assert_eq!(O::Patrol.powers_article(), Some(20));
}

#[test]
fn art21_the_host_instructs_stops_and_receives_the_warrant_the_release_clock_needs_a_detention() {
    let crossed = [K::Crossing];
    for event in [K::Acknowledged, K::Instruction, K::StopOrder] {
        assert_eq!(article(&op(O::Pursuit, Host, &crossed, event)), "21(2)");
        assert!(may_record(&op(O::Pursuit, Sending, &crossed, event)).is_err());
    }
    assert_eq!(article(&op(O::Pursuit, Sending, &crossed, K::Detained)), "21(3)");
    assert_eq!(
        refusal(&op(O::Pursuit, Host, &crossed, K::EawReceived)),
        LifecycleRefusal::OutOfOrder {
            article: art("21(3)"),
            problem: "no one is detained in this operation"
        }
    );
    let held = [K::Crossing, K::Detained];
    assert_eq!(article(&op(O::Pursuit, Host, &held, K::EawReceived)), "21(3)");
    assert!(may_record(&op(O::Pursuit, Sending, &held, K::Detained)).is_err());
    // Only in a pursuit does the warrant stop a release clock.
    assert!(may_record(&op(O::Observation, Host, &held, K::EawReceived)).is_err());
}

#[test]
fn art22_authorised_observation_is_answered_under_22_1_and_hours_recorded_by_the_sender() {
    let facts = StartFacts {
        prior_authorisation: true,
        crisis: false,
    };
    assert_eq!(answer_article(O::Observation, facts), Some(art("22(1)")));
    assert_eq!(answer_article(O::Observation, StartFacts::default()), None);
    let granted = [K::Requested, K::Granted];
    assert_eq!(article(&op(O::Observation, Sending, &granted, K::Hours)), "22(6)");
    assert!(may_record(&op(O::Observation, Host, &granted, K::Hours)).is_err());
    assert!(may_record(&op(O::Pursuit, Sending, &[K::Crossing], K::Hours)).is_err());
}

#[test]
fn art24_investigation_answered_within_48_hours_and_executed_by_the_host_after_a_refusal() {
    let asked = [K::Requested];
    assert_eq!(article(&op(O::Investigation, Host, &asked, K::Refused)), "24(1)");
    let refused = [K::Requested, K::Refused];
    assert_eq!(
        article(&op(O::Investigation, Host, &refused, K::ExecutesItself)),
        "24(3)"
    );
    assert_eq!(
        refusal(&op(O::Investigation, Sending, &refused, K::Crossing)),
        LifecycleRefusal::NotThisSide {
            article: art("23(1)"),
            reason: "Art. 23(1): the sending party does not record 'crossing' on a investigation operation before the host granted the request".into()
        }
    );
    let granted = [K::Requested, K::Granted];
    assert_eq!(
        refusal(&op(O::Investigation, Host, &granted, K::ExecutesItself)),
        LifecycleRefusal::OutOfOrder {
            article: art("24(3)"),
            problem: "the host executes itself after refusing the request"
        }
    );
    let executing = [K::Requested, K::Refused, K::ExecutesItself];
    assert!(may_record(&op(O::Investigation, Host, &executing, K::ExecutesItself)).is_err());
}

#[test]
fn art25_transport_needs_prior_consent_and_the_host_carries_it_out_after_a_refusal() {
    let asked = [K::Requested];
    assert_eq!(article(&op(O::Transport, Host, &asked, K::Granted)), "25(1)");
    // Nothing but the answer or the end before the answer.
    assert_eq!(
        refusal(&op(O::Transport, Sending, &asked, K::Detained)),
        LifecycleRefusal::OutOfOrder {
            article: art("36(1)"),
            problem: "the host has not answered the request yet"
        }
    );
    assert_eq!(article(&op(O::Transport, Sending, &asked, K::Ended)), "46(1)");
    let refused = [K::Requested, K::Refused];
    assert_eq!(article(&op(O::Transport, Host, &refused, K::ExecutesItself)), "25(1)");
    assert!(may_record(&op(O::Transport, Sending, &refused, K::UseOfForce)).is_err());
}

#[test]
fn art33_urgent_evidence_is_a_request_confirmed_in_writing_once() {
    let asked = [K::Requested];
    assert_eq!(article(&op(O::UrgentEvidence, Host, &asked, K::Granted)), "33(1)");
    let granted = [K::Requested, K::Granted];
    assert_eq!(
        article(&op(O::UrgentEvidence, Sending, &granted, K::ConfirmedInWriting)),
        "33(2)"
    );
    let confirmed = [K::Requested, K::Granted, K::ConfirmedInWriting];
    assert!(may_record(&op(O::UrgentEvidence, Sending, &confirmed, K::ConfirmedInWriting)).is_err());
    assert!(may_record(&op(O::Investigation, Sending, &granted, K::ConfirmedInWriting)).is_err());
}

#[test]
fn art34_the_host_gives_instructions_in_every_operation_but_a_pursuit() {
    let crossed = [K::Crossing];
    assert_eq!(article(&op(O::TrainBoarding, Host, &crossed, K::Instruction)), "34(2)");
    assert_eq!(article(&op(O::Transit, Host, &crossed, K::Acknowledged)), "34(2)");
    assert!(may_record(&op(O::Transit, Sending, &crossed, K::Instruction)).is_err());
}

#[test]
fn art36_officers_hold_a_person_in_operations_other_than_a_pursuit() {
    let crossed = [K::Crossing];
    assert_eq!(article(&op(O::OwnInitiative, Sending, &crossed, K::Detained)), "36(1)");
    let held = [K::Crossing, K::Detained];
    assert_eq!(article(&op(O::OwnInitiative, Host, &held, K::Released)), "36(1)");
    assert_eq!(
        refusal(&op(O::OwnInitiative, Host, &held, K::Detained)).to_string(),
        "event: the person is already detained"
    );
}

#[test]
fn art40_a_use_of_force_is_reported_by_the_sending_side() {
    let crossed = [K::Crossing];
    assert_eq!(article(&op(O::Pursuit, Sending, &crossed, K::UseOfForce)), "40(6)");
    assert!(may_record(&op(O::Pursuit, Host, &crossed, K::UseOfForce)).is_err());
}

#[test]
fn art45_the_host_takes_over_once_and_ends() {
    let crossed = [K::Crossing];
    assert_eq!(article(&op(O::Observation, Host, &crossed, K::TakenOver)), "45(1)");
    assert_eq!(article(&op(O::Observation, Host, &crossed, K::Ended)), "45(2)");
    assert_eq!(article(&op(O::Observation, Host, &crossed, K::StopOrder)), "45(2)");
    assert!(may_record(&op(O::Observation, Sending, &crossed, K::TakenOver)).is_err());
    let taken = [K::Crossing, K::TakenOver];
    assert!(may_record(&op(O::Observation, Host, &taken, K::TakenOver)).is_err());
    // Nothing after the end but the report.
    let ended = [K::Crossing, K::Ended];
    assert_eq!(
        refusal(&op(O::Observation, Host, &ended, K::Instruction)).to_string(),
        "event: the operation has ended"
    );
}

#[test]
fn art46_the_report_follows_the_end_once_and_is_filed_by_the_sending_side() {
    let crossed = [K::Crossing];
    assert_eq!(
        refusal(&op(O::Pursuit, Sending, &crossed, K::ReportFiled)).to_string(),
        "event: the report follows the end (Art. 46)"
    );
    let ended = [K::Crossing, K::Ended];
    assert_eq!(article(&op(O::Pursuit, Sending, &ended, K::ReportFiled)), "46(1)");
    assert!(may_record(&op(O::Pursuit, Host, &ended, K::ReportFiled)).is_err());
    let filed = [K::Crossing, K::Ended, K::ReportFiled];
    assert!(may_record(&op(O::Pursuit, Sending, &filed, K::ReportFiled)).is_err());
}

#[test]
fn art53_special_units_in_a_crisis_are_answered_under_53_6_and_otherwise_54_1() {
    let crisis = StartFacts {
        crisis: true,
        prior_authorisation: false,
    };
    assert_eq!(answer_article(O::SpecialUnits, crisis), Some(art("53(6)")));
    assert_eq!(
        answer_article(O::SpecialUnits, StartFacts::default()),
        Some(art("54(1)"))
    );
    assert!(O::SpecialUnits.requested_by_host());
    assert_eq!(O::SpecialUnits.article(), art("53(1)"));
}

#[test]
fn art54_special_units_outside_a_crisis_follow_article_18() {
    let asked = [K::Requested];
    assert_eq!(article(&op(O::SpecialUnits, Sending, &asked, K::Refused)), "54(1)");
    assert!(may_record(&op(O::SpecialUnits, Host, &asked, K::Refused)).is_err());
}

#[test]
fn art23_the_report_on_investigation_acts_is_in_a_language_of_the_host() {
    let profile = crate::profile::Profile::builtin("benelux-2018")
        .expect("builtin")
        .expect("valid");
    let be = crate::ids::PartyCode::parse("BE").expect("party");
    assert_eq!(investigation_report_language(&profile, &be, "fr"), Ok(art("23(5)")));
    let refused = investigation_report_language(&profile, &be, "en").expect_err("en is no language of BE");
    assert!(refused.contains("(Art. 23(5)); 'en' is not one"), "{refused}");
}

#[test]
fn art21_operation_event_decision_cites_the_article_or_refuses_with_it() {
    let d = operation_event(&op(O::Pursuit, Host, &[K::Crossing], K::StopOrder));
    assert_eq!(d.verdict, Some(crate::decision::Verdict::Allowed));
    assert!(d.cites(&art("21(2)")));
    let d = operation_event(&op(O::Pursuit, Sending, &[K::Crossing], K::StopOrder));
    assert_eq!(d.verdict, Some(crate::decision::Verdict::Refused));
    assert!(d.cites(&art("21(2)")));
}

#[test]
fn art26_on_a_train_the_host_instructs_and_only_the_sending_side_reports() {
    let crossed = [K::Crossing];
    assert_eq!(O::TrainBoarding.article(), art("26(1)"));
    assert_eq!(article(&op(O::TrainBoarding, Host, &crossed, K::Instruction)), "34(2)");
    // A train boarding is a notice, not a request: nobody answers it.
    assert_eq!(
        refusal(&op(O::TrainBoarding, Host, &crossed, K::Granted)).article(),
        &art("26(1)")
    );
    assert_eq!(answer_article(O::TrainBoarding, StartFacts::default()), None);
}

#[test]
fn art32_a_transit_is_a_notice_that_gives_no_powers_of_its_own() {
    assert_eq!(O::Transit.article(), art("32"));
    assert_eq!(O::Transit.powers_article(), None);
    assert_eq!(O::UrgentEvidence.powers_article(), None);
    assert_eq!(O::Pursuit.powers_article(), Some(21));
    let r = refusal(&op(O::Transit, Sending, &[K::Crossing], K::Requested));
    assert_eq!(r.article(), &art("32"));
    assert!(
        r.to_string()
            .contains("does not record 'requested' on a transit operation"),
        "{r}"
    );
}
