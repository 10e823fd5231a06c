use super::*;

fn facts(step: CaseStep) -> CaseFacts {
    CaseFacts {
        partner: "NL".into(),
        step,
        ..CaseFacts::default()
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().expect("test time")
}

#[test]
fn a_received_request_is_new_then_assigned_then_closed_by_the_answer_and_counted() {
    let mut f = facts(CaseStep::OnUs);
    f.deadline = Some((t("2026-03-02T10:00:00Z"), "2023/977:5(1)".into()));
    let (row, stats) = CaseRow::apply(
        None,
        "c1",
        Direction::Incoming,
        "request",
        t("2026-03-01T10:00:00Z"),
        &f,
        10,
    );
    assert_eq!(row.status, "new");
    assert_eq!(stats, vec![(2026, "received", "NL".into(), "non_urgent".into())]);
    assert!(row.sort_key.starts_with('0'));
    assert_eq!(row.shown_status(t("2026-03-03T00:00:00Z")), "overdue");
    let assigned = CaseChange::Assign("be.anna".into())
        .applied(&row, row.updated_ms, 10)
        .expect("assign");
    assert_eq!(assigned.status, "assigned");
    let mut answer = facts(CaseStep::Answered);
    answer.refusal_ground = Some("2023/977:6(c)".into());
    answer.judicial_delay = true;
    let (closed, stats) = CaseRow::apply(
        Some(&assigned),
        "c1",
        Direction::Outgoing,
        "refusal",
        t("2026-03-04T10:00:00Z"),
        &answer,
        10,
    );
    assert_eq!(closed.status, "closed");
    assert!(closed.sort_key.starts_with('2'));
    assert!(stats.is_empty());
    assert_eq!(closed.review_ms, Some(t("2026-03-04T10:00:00Z").as_millisecond() + 10));
    let request = AnsweredRequest {
        received_at: t("2025-12-31T23:00:00Z"),
        bytes: r#"{"body":{"type":"request","urgent":true}}"#.into(),
        first_answer: true,
        deadline_ms: assigned.deadline_ms,
    };
    let stats = answer_stats(&request, &answer, t("2026-03-04T10:00:00Z"));
    let metrics: Vec<(i64, &str, &str)> = stats.iter().map(|s| (s.0, s.1, s.3.as_str())).collect();
    assert_eq!(
        metrics,
        [
            (2025, "answered", "urgent"),
            (2025, "refused", "2023/977:6(c)"),
            (2025, "late_for_judicial_authorisation", "urgent")
        ]
    );
    // A second answer to the same request is not counted again.
    let again = AnsweredRequest {
        first_answer: false,
        ..request
    };
    assert!(answer_stats(&again, &answer, t("2026-03-05T10:00:00Z")).is_empty());
}

#[test]
fn information_on_a_case_we_still_owe_an_answer_on_keeps_the_deadline() {
    let mut f = facts(CaseStep::OnUs);
    f.deadline = Some((t("2026-03-02T10:00:00Z"), "2023/977:5(1)".into()));
    let (row, _) = CaseRow::apply(
        None,
        "c1",
        Direction::Incoming,
        "request",
        t("2026-03-01T10:00:00Z"),
        &f,
        10,
    );
    let (after, _) = CaseRow::apply(
        Some(&row),
        "c1",
        Direction::Incoming,
        "spontaneous_provision",
        t("2026-03-01T11:00:00Z"),
        &facts(CaseStep::TakeNote),
        10,
    );
    assert_eq!(after.status, "new");
    assert_eq!(after.deadline_ms, row.deadline_ms);
}

#[test]
fn our_request_waits_for_the_partner_and_its_answer_waits_for_us() {
    let (row, stats) = CaseRow::apply(
        None,
        "c2",
        Direction::Outgoing,
        "request",
        t("2026-03-01T10:00:00Z"),
        &facts(CaseStep::OnPartner),
        10,
    );
    assert_eq!(row.status, "waiting_for_partner");
    assert_eq!(stats[0].1, "submitted");
    let (row, _) = CaseRow::apply(
        Some(&row),
        "c2",
        Direction::Incoming,
        "provision",
        t("2026-03-01T12:00:00Z"),
        &facts(CaseStep::TakeNote),
        10,
    );
    assert_eq!(row.status, "waiting_for_us");
    assert!(row.sort_key.starts_with('1'));
    assert!(CaseChange::Reopen.applied(&row, 0, 10).is_err());
    let closed = CaseChange::Close.applied(&row, row.updated_ms + 5, 10).expect("close");
    assert_eq!(closed.status, "closed");
    assert_eq!(
        CaseChange::Reopen
            .applied(&closed, closed.updated_ms, 10)
            .expect("reopen")
            .status,
        "waiting_for_us"
    );
}

#[test]
fn the_order_puts_running_deadlines_first_then_open_then_closed_newest_first() {
    let a = sort_key("new", Some(1_000), 5);
    let b = sort_key("new", Some(2_000), 5);
    let open_new = sort_key("waiting_for_us", None, 9_000);
    let open_old = sort_key("waiting_for_us", None, 1_000);
    let closed = sort_key("closed", None, 9_000);
    let mut all = vec![closed.clone(), open_old.clone(), b.clone(), open_new.clone(), a.clone()];
    all.sort();
    assert_eq!(all, vec![a, b, open_new, open_old, closed]);
}
