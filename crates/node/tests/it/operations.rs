//! Hot pursuit (Arts. 21, 55) between two real nodes: the engine's crossing decision, the
//! host's acknowledgement, the detention clock computed alike on both boards, the European
//! Arrest Warrant that stops it, the end and the report (Art. 46).

use serde_json::{json, Value};
use store::JournalStore as _;

use crate::support::{eventually, login, start};

pub(crate) async fn board_entry(client: &node::officer_client::OfficerClient, id: &str) -> Option<Value> {
    let board = client.get("/api/v1/operations").await.ok()?.ok().ok()?;
    board.as_array()?.iter().find(|o| o["id"] == id).cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_pursuit_is_one_record_on_both_boards_with_the_release_clock_of_art21() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be = login(&net, "BE", "be.operator").await;
    let pursuit = |host_could_act: bool| {
        json!({ "host": "BE", "medium": "land", "started_in_own_territory": true,
                "host_could_be_warned_in_advance": host_could_act, "host_could_take_over_in_time": host_could_act,
                "text": "grey Audi A4 1-ABC-123 after a ram raid in Eindhoven; crossing at Hazeldonk (A16/E19)" })
    };
    // The engine refuses a pursuit the host could have been warned of and taken over (Art. 21(1)).
    let a = nl
        .post("/api/v1/operations/pursuits", &pursuit(true))
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    assert!(a.body.to_string().contains("21(1)"), "{}", a.body);
    let started = nl
        .post("/api/v1/operations/pursuits", &pursuit(false))
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(started["decisions"].to_string().contains("21(1)"), "{started}");
    let id = started["id"].as_str().expect("id").to_owned();
    assert_eq!(started["role"], "sending");
    assert_eq!(started["events"][0]["event"], "crossing");
    // The powers panel: what NL's officers may do in BE during a pursuit (Art. 36(1)), and the
    // provision that forbids entering dwellings (21(2)(e)).
    let powers: Vec<&str> = started["powers"]["powers"]
        .as_array()
        .expect("powers")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(
        powers,
        [
            "detain",
            "establish_identity",
            "secure_seizable_objects",
            "security_search"
        ],
        "{started}"
    );
    assert!(
        started["powers"]["articles"].to_string().contains("21(2)(e)"),
        "{started}"
    );

    // BE's board has it at once, as host; BE acknowledges.
    let seen = eventually("the crossing notice reaches BE", || board_entry(&be, &id)).await;
    assert_eq!(
        (seen["role"].as_str(), seen["status"].as_str()),
        (Some("host"), Some("active"))
    );
    assert!(seen["powers"].is_null(), "the panel is the sending side's");
    be.post(
        &format!("/api/v1/operations/{id}/events"),
        &json!({ "event": "acknowledged", "text": "BE patrol E19 takes position at exit 4" }),
    )
    .await
    .expect("post")
    .ok()
    .expect("acknowledged");
    // Only the host receives the warrant; an unknown event is named.
    let a = nl
        .post(
            &format!("/api/v1/operations/{id}/events"),
            &json!({ "event": "eaw_received" }),
        )
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    let a = nl
        .post(
            &format!("/api/v1/operations/{id}/events"),
            &json!({ "event": "teleported" }),
        )
        .await
        .expect("post");
    assert!(
        a.status.as_u16() == 422 && a.body.to_string().contains("teleported"),
        "{}",
        a.body
    );

    // The person is held: both boards show the same release instant, the engine's.
    let held_at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10);
    be.post(
        &format!("/api/v1/operations/{id}/events"),
        &json!({ "event": "detained", "text": "driver held at Meer", "at": held_at.to_string() }),
    )
    .await
    .expect("post")
    .ok()
    .expect("detained");
    let profile = treaty::Profile::builtin("benelux-2018")
        .expect("profile")
        .expect("valid");
    let zone = profile.zone(&treaty::PartyCode::parse("BE").expect("BE"));
    let due = treaty::clocks::detention_release(
        held_at,
        profile.flags.detention_release_hours,
        profile.flags.detention_uncounted_from,
        profile.flags.detention_uncounted_until,
        &zone,
    )
    .to_zoned(zone)
    .strftime("%Y-%m-%dT%H:%M:%S%:z")
    .to_string();
    let nl_view = eventually("NL sees the detention", || async {
        let v = board_entry(&nl, &id).await?;
        v["detention"].is_object().then_some(v)
    })
    .await;
    let be_view = board_entry(&be, &id).await.expect("BE");
    assert_eq!(be_view["detention"]["due"], due.as_str(), "{be_view}");
    assert_eq!(nl_view["detention"]["due"], be_view["detention"]["due"]);
    assert!(["running", "alert"].contains(&nl_view["detention"]["state"].as_str().unwrap_or_default()));
    assert!(nl_view["detention"]["articles"].to_string().contains("21(3)"));

    // The warrant stops the clock on both sides; the end; the report is due, then filed.
    be.post(
        &format!("/api/v1/operations/{id}/events"),
        &json!({ "event": "eaw_received", "text": "EAW 2026/BE/123" }),
    )
    .await
    .expect("post")
    .ok()
    .expect("eaw");
    eventually("NL sees the clock stopped", || async {
        let v = board_entry(&nl, &id).await?;
        (v["detention"]["state"] == "stopped").then_some(())
    })
    .await;
    let a = nl
        .post(
            &format!("/api/v1/operations/{id}/events"),
            &json!({ "event": "report_filed", "text": "x" }),
        )
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 422, "the report follows the end: {}", a.body);
    nl.post(&format!("/api/v1/operations/{id}/events"), &json!({ "event": "ended" }))
        .await
        .expect("post")
        .ok()
        .expect("ended");
    let v = board_entry(&nl, &id).await.expect("NL");
    assert_eq!(
        (v["status"].as_str(), v["report"].as_str()),
        (Some("ended"), Some("due"))
    );
    nl.post(
        &format!("/api/v1/operations/{id}/events"),
        &json!({ "event": "report_filed", "text": "pursuit of 14 km on the E19; driver handed to BE police at Meer" }),
    )
    .await
    .expect("post")
    .ok()
    .expect("report");
    eventually("BE sees the report", || async {
        let v = board_entry(&be, &id).await?;
        (v["report"] == "filed").then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_alerts_are_raised_once_at_their_instants_from_the_stored_events() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be = login(&net, "BE", "be.operator").await;
    let started = nl
        .post(
            "/api/v1/operations/pursuits",
            &json!({ "host": "BE", "started_in_own_territory": true, "host_could_be_warned_in_advance": false,
                     "host_could_take_over_in_time": false, "text": "motorbike, E34 near Poppel" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let id = started["id"].as_str().expect("id").to_owned();
    eventually("BE has it", || board_entry(&be, &id)).await;
    // Held yesterday at 12:00 Brussels time: six counted hours end at 18:00 yesterday.
    let zone = jiff::tz::TimeZone::get("Europe/Brussels").expect("zone");
    let yesterday = jiff::Timestamp::now()
        .to_zoned(zone.clone())
        .date()
        .yesterday()
        .expect("date");
    let held = yesterday
        .at(12, 0, 0, 0)
        .to_zoned(zone.clone())
        .expect("zoned")
        .timestamp();
    be.post(
        &format!("/api/v1/operations/{id}/events"),
        &json!({ "event": "detained", "at": held.to_string() }),
    )
    .await
    .expect("post")
    .ok()
    .expect("detained");
    let view = board_entry(&be, &id).await.expect("BE");
    assert_eq!(view["detention"]["state"], "overdue", "{view}");
    let desk = &net.node("BE").expect("BE").running.desk;
    // The node's own task may have raised them already; either way each is raised once.
    let (fired, _) = desk.raise_alerts().await.expect("alerts");
    let (again, _) = desk.raise_alerts().await.expect("alerts");
    assert!(again.is_empty(), "raised once: {again:?}");
    let journal = desk.node.store.entries(0, 100_000).await.expect("journal");
    let alerts: Vec<&str> = journal
        .iter()
        .filter(|e| e.entry.details["operation"] == id.as_str() && e.entry.details["alert"].is_string())
        .filter_map(|e| e.entry.details["alert"].as_str())
        .collect();
    assert_eq!(
        alerts.len(),
        2,
        "one hour before and at the deadline: {alerts:?} (this call raised {fired:?})"
    );
    let due = yesterday.at(18, 0, 0, 0).to_zoned(zone).expect("zoned").timestamp();
    assert!(
        journal
            .iter()
            .any(|e| e.entry.details["due"] == due.to_string().as_str()),
        "due at 18:00"
    );
    // Ended: the board moves it down; its alerts stay in the journal.
    nl.post(&format!("/api/v1/operations/{id}/events"), &json!({ "event": "ended" }))
        .await
        .expect("post")
        .ok()
        .expect("ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_operations_start_on_the_engines_decision_and_share_its_deadline() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.operator").await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    // Own initiative without acute danger: refused by Art. 19.
    let a = be
        .post(
            "/api/v1/operations",
            &json!({ "kind": "own_initiative", "host": "NL", "text": "traffic accident at Hazeldonk",
                     "facts": { "acute_danger": false, "host_cannot_arrive_in_time": true,
                                "in_border_region": true, "already_in_cross_border_operation": false } }),
        )
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    assert!(a.body.to_string().contains("\"19("), "{}", a.body);
    // An unknown kind, and facts the engine cannot read, are named.
    let a = be
        .post(
            "/api/v1/operations",
            &json!({ "kind": "teleport", "host": "NL", "text": "x" }),
        )
        .await
        .expect("post");
    assert!(
        a.status.as_u16() == 422 && a.body.to_string().contains("teleport"),
        "{}",
        a.body
    );
    let a = be
        .post(
            "/api/v1/operations",
            &json!({ "kind": "observation", "host": "NL", "text": "x", "facts": {} }),
        )
        .await
        .expect("post");
    assert!(
        a.status.as_u16() == 422 && a.body.to_string().contains("particularly_urgent`: missing"),
        "{}",
        a.body
    );
    // A particularly urgent observation continued into NL: the 5-hour clock of Art. 22(4) from
    // the crossing, the same on both boards.
    let crossed = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let started = be
        .post(
            "/api/v1/operations",
            &json!({ "kind": "observation", "host": "NL", "text": "suspect of armed robberies, A16 northbound",
                     "facts": { "criminal_investigation": true, "offence_extraditable": true,
                                "prior_authorisation": false, "particularly_urgent": true,
                                "enter_dwelling": false, "technical_means": false,
                                "technical_means_authorised": false, "crossed_at": crossed.to_string() } }),
        )
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let id = started["id"].as_str().expect("id").to_owned();
    let due = (crossed + jiff::SignedDuration::from_hours(5))
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    assert_eq!(started["clocks"][0]["name"], "deadline", "{started}");
    assert_eq!(started["clocks"][0]["due"], due.as_str(), "{started}");
    let at_nl = eventually("NL has the observation", || board_entry(&nl, &id)).await;
    assert_eq!(at_nl["kind"], "observation");
    assert_eq!(at_nl["role"], "host");
    // NL's node shows the same instant in its own (same) zone.
    assert_eq!(at_nl["clocks"][0]["due"], due.as_str(), "{at_nl}");
    assert_eq!(at_nl["clocks"][0]["overdue"], false);
    // A cross-border investigation request: the host's 48-hour answer and the 30-day execution
    // (Art. 24), from the receipt.
    let received = jiff::Timestamp::now();
    let inv = nl
        .post(
            "/api/v1/operations",
            &json!({ "kind": "investigation", "host": "BE", "text": "hearing a witness in Turnhout",
                     "facts": { "requires_judicial_order_in_host": false, "host_presence": true,
                                "presence_waived_by_agreement": false, "received_at": received.to_string() } }),
        )
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let names: Vec<&str> = inv["clocks"]
        .as_array()
        .expect("clocks")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"reply_deadline") && names.contains(&"execution_deadline"),
        "{inv}"
    );
    let reply = inv["clocks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "reply_deadline"))
        .expect("reply clock");
    let expected = (received + jiff::SignedDuration::from_hours(48))
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").expect("zone"))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    assert_eq!(reply["due"], expected.as_str(), "{inv}");
}
