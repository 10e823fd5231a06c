//! Every operation workflow of Titles 3–6 between two real nodes (BE and NL over mTLS): the
//! request and its reasoned answer, the host executing itself, the host taking over or ending
//! the operation, uses of force, the report and its reminders, shielded officers, patrols, and
//! the legal clocks across both daylight-saving changes with a controlled node clock.

use demo::network::{self, Ports, Stores};
use node::officer_client::OfficerClient;
use serde_json::{json, Value};
use store::JournalStore as _;

use crate::operations::board_entry;
use crate::support::{eventually, login, start};

async fn ok(c: &OfficerClient, path: &str, body: Value) -> Value {
    let a = c.post(path, &body).await.expect("post");
    assert!(a.status.is_success(), "{path} {body}: {} {}", a.status, a.body);
    a.body
}

/// The refusal's status and text.
async fn no(c: &OfficerClient, path: &str, body: Value) -> (u16, String) {
    let a = c.post(path, &body).await.expect("post");
    assert!(!a.status.is_success(), "{path} {body} should be refused: {}", a.body);
    (a.status.as_u16(), a.body.to_string())
}

fn events(id: &str) -> String {
    format!("/api/v1/operations/{id}/events")
}

/// Records an event with its text only; it must be accepted.
async fn event(c: &OfficerClient, id: &str, event: &str, text: &str) -> Value {
    ok(c, &events(id), json!({ "event": event, "text": text })).await
}

/// Records an event with its text only; it must be refused: its status and text.
async fn refused_event(c: &OfficerClient, id: &str, event: &str, text: &str) -> (u16, String) {
    no(c, &events(id), json!({ "event": event, "text": text })).await
}

/// Waits until the partner's board shows `id` with `check` true.
async fn seen(c: &OfficerClient, id: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    eventually(what, || async {
        let v = board_entry(c, id).await?;
        check(&v).then_some(v)
    })
    .await
}

fn event_names(v: &Value) -> Vec<String> {
    v["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["event"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assistance_is_asked_by_the_host_answered_with_reasons_and_the_host_may_take_over_or_end_it() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.operator").await;
    let nl = login(&net, "NL", "nl.operator").await;
    let ask = |equipment_list: bool| {
        let items = if equipment_list {
            json!(["2 water cannons", "40 shields"])
        } else {
            json!([])
        };
        json!({ "kind": "assistance", "partner": "NL", "text": "Assistance for the Pukkelpop festival, Kiewit",
                "facts": { "nature": "public order", "duration": "3 days", "objective": "crowd control at the festival",
                           "crossings": "series", "equipment": true, "equipment_items": items } })
    };
    // Art. 18(6): equipment goes with a list (verzamelstaat); 18(3): the request's contents.
    let (status, body) = no(&be, "/api/v1/operations", ask(false)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("18(6)"), "{body}");
    let mut partial = ask(true);
    partial["facts"]["objective"] = json!("");
    let (_, body) = no(&be, "/api/v1/operations", partial).await;
    assert!(body.contains("18(3)") && body.contains("specific objective"), "{body}");
    // The host asks; the party asked sends the officers and answers.
    let started = ok(&be, "/api/v1/operations", ask(true)).await;
    let id = started["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (
            &started["role"],
            &started["status"],
            &started["host"],
            &started["sending"]
        ),
        (&json!("host"), &json!("requested"), &json!("BE"), &json!("NL")),
        "{started}"
    );
    // NL sees the request; nobody crosses before the answer; the host does not answer itself.
    let at_nl = seen(&nl, &id, "NL sees the request", |v| v["status"] == "requested").await;
    assert_eq!(at_nl["role"], "sending");
    assert_eq!(
        at_nl["equipment"],
        json!(["2 water cannons", "40 shields"]),
        "the verzamelstaat travels"
    );
    let (status, body) = refused_event(&nl, &id, "crossing", "on our way").await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = refused_event(&be, &id, "granted", "yes").await;
    assert_eq!(status, 403);
    // A decision without reasons is refused (18(4): "een gemotiveerde beslissing").
    let (status, body) = refused_event(&nl, &id, "granted", " ").await;
    assert_eq!(status, 422);
    assert!(body.contains("18(4)"), "{body}");
    let granted = event(
        &nl,
        &id,
        "granted",
        "Two platoons of the ME Zuid; equipment per the attached list",
    )
    .await;
    assert_eq!(
        (&granted["answer"], &granted["status"]),
        (&json!("granted"), &json!("active"))
    );
    assert!(granted["powers"]["articles"].to_string().contains("37"), "{granted}");
    let (_, body) = refused_event(&nl, &id, "refused", "changed our mind").await;
    assert!(body.contains("answered already"), "{body}");
    event(&nl, &id, "crossing", "convoy crossed at Lommel").await;
    seen(&be, &id, "BE sees the grant and the crossing", |v| {
        v["answer"] == "granted" && event_names(v).contains(&"crossing".to_owned())
    })
    .await;
    // Art. 45(1): the host takes over; the engine names what follows. Then the host ends it.
    let taken = event(&be, &id, "taken_over", "BE police take over the stewarding").await;
    assert!(event_names(&taken).contains(&"taken_over".to_owned()));
    seen(&nl, &id, "NL sees the take-over", |v| {
        event_names(v).contains(&"taken_over".to_owned())
    })
    .await;
    let (status, _) = refused_event(&nl, &id, "taken_over", "x").await;
    assert_eq!(status, 403, "only the host takes over");
    event(&be, &id, "ended", "festival over").await;
    let at_nl = seen(&nl, &id, "NL sees the end", |v| v["status"] == "ended").await;
    assert_eq!(at_nl["report"], "due", "{at_nl}");
    // Art. 40(6): a use of force is reported with the engine's reading; then the report (46).
    let (status, _) = refused_event(&nl, &id, "instruction", "late").await;
    assert_eq!(status, 403);
    event(&nl, &id, "report_filed", "3 days, no incidents").await;
    seen(&be, &id, "BE sees the report", |v| v["report"] == "filed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn special_units_in_a_crisis_need_the_authorities_consent_and_a_reasoned_answer() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.operator").await;
    let lu = login(&net, "LU", "lu.operator").await;
    let ask = |consent: bool| {
        json!({ "kind": "special_units", "partner": "LU", "text": "Hostage-taking in Arlon: request for the USP",
                "facts": { "crisis": true, "direct_between_special_units": true, "consent_of_competent_authorities": consent } })
    };
    let (_, body) = no(&be, "/api/v1/operations", ask(false)).await;
    assert!(body.contains("53(1)"), "{body}");
    let started = ok(&be, "/api/v1/operations", ask(true)).await;
    let id = started["id"].as_str().expect("id").to_owned();
    seen(&lu, &id, "LU sees the crisis request", |v| v["status"] == "requested").await;
    // Art. 61: a refusal carries its reasons.
    let (status, body) = refused_event(&lu, &id, "refused", "").await;
    assert_eq!(status, 422);
    assert!(body.contains("53(6)") && body.contains("61"), "{body}");
    event(&lu, &id, "refused", "The USP is deployed at home; no capacity").await;
    let at_be = seen(&be, &id, "BE sees the refusal", |v| v["status"] == "refused").await;
    assert_eq!(at_be["answer"], "refused");
    assert!(at_be["events"].to_string().contains("no capacity"), "{at_be}");
    // Nothing goes on after a refusal but the end.
    let (_, body) = refused_event(&lu, &id, "crossing", "x").await;
    assert!(
        body.contains("18(4)") || body.contains("53") || body.contains("refused"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_initiative_is_confirmed_by_the_host_with_what_avoids_interference() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be = login(&net, "BE", "be.operator").await;
    let start = |in_region: bool| {
        json!({ "kind": "own_initiative", "host": "BE", "text": "Fire at a farm in Poppel, people inside",
                "facts": { "acute_danger": true, "host_cannot_arrive_in_time": true, "in_border_region": in_region,
                           "already_in_cross_border_operation": false } })
    };
    let (_, body) = no(&nl, "/api/v1/operations", start(false)).await;
    assert!(body.contains("19(1)"), "{body}");
    let started = ok(&nl, "/api/v1/operations", start(true)).await;
    let id = started["id"].as_str().expect("id").to_owned();
    assert_eq!(started["status"], "active");
    assert!(started["decisions"].to_string().contains("19(3)"), "{started}");
    seen(&be, &id, "BE sees the notice", |v| event_names(v) == ["crossing"]).await;
    // Art. 19(3): the confirmation carries what is needed to avoid interference.
    let (status, body) = refused_event(&be, &id, "acknowledged", "").await;
    assert_eq!(status, 422);
    assert!(body.contains("19(3)"), "{body}");
    let (status, _) = refused_event(&nl, &id, "acknowledged", "ok").await;
    assert_eq!(status, 403, "the sending party does not confirm its own notice");
    event(
        &be,
        &id,
        "acknowledged",
        "Brandweer Turnhout arrives 14:20 via N119; keep the access road free",
    )
    .await;
    let at_nl = seen(&nl, &id, "NL sees the confirmation", |v| event_names(v).len() == 2).await;
    assert!(at_nl["events"].to_string().contains("N119"), "{at_nl}");
    // Art. 40(6): force used where host law requires a report, with the engine's reading.
    let (status, body) = no(
        &nl,
        &events(&id),
        json!({ "event": "use_of_force", "text": "", "facts": {} }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    ok(
        &nl,
        &events(&id),
        json!({ "event": "use_of_force", "text": "a door forced open to reach the occupants",
                "facts": { "firearm": false, "self_defence": false, "reasonably_necessary": true,
                           "warning_given_or_impossible": true, "host_law_requires_report": true } }),
    )
    .await;
    let at_be = seen(&be, &id, "BE sees the use of force", |v| {
        v["events"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["event"] == "use_of_force"))
    })
    .await;
    let force = at_be["events"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["event"] == "use_of_force"))
        .expect("use of force");
    assert!(force["articles"].to_string().contains("40(6)"), "{force}");
    // The host ends it (45(2)); the report is then due at NL and reminded daily until filed.
    event(&be, &id, "ended", "fire brigade in control").await;
    seen(&nl, &id, "NL sees the end", |v| v["report"] == "due").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_not_filed_is_reminded_every_day_until_it_is() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let started = ok(
        &nl,
        "/api/v1/operations",
        json!({ "kind": "train_boarding", "host": "BE", "text": "IC Amsterdam–Brussels: check of a passenger from Roosendaal",
                "facts": { "arrest_or_seizure_at_home": false, "next_scheduled_stop_in": "BE" } }),
    )
    .await;
    let id = started["id"].as_str().expect("id").to_owned();
    // Art. 26(3): with no place of the offence established, the next scheduled stop decides.
    assert_eq!(started["competent"], "BE", "{started}");
    let ended_at = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(49)).to_string();
    ok(
        &nl,
        &events(&id),
        json!({ "event": "ended", "text": "left the train at Antwerpen-Centraal", "at": ended_at }),
    )
    .await;
    let desk = &net.node("NL").expect("NL").running.desk;
    let (fired, next) = desk.raise_alerts().await.expect("alerts");
    assert_eq!(fired, [format!("{id}:report_reminder:2")], "the latest reminder only");
    assert!(next.is_some());
    let (fired, _) = desk.raise_alerts().await.expect("alerts");
    assert!(fired.is_empty(), "raised once: {fired:?}");
    let journal = desk.node.store.entries(0, 100_000).await.expect("journal");
    assert!(
        journal
            .iter()
            .any(|e| e.entry.justification.contains("Art. 46(1)") && e.entry.justification.contains(&id)),
        "the reminder is journaled"
    );
    event(&nl, &id, "report_filed", "no offence found").await;
    // No reminder after the report, and BE (the host) never gets one.
    let (fired, _) = desk.raise_alerts().await.expect("alerts");
    assert!(fired.is_empty(), "{fired:?}");
    let be_desk = &net.node("BE").expect("BE").running.desk;
    let (fired, _) = be_desk.raise_alerts().await.expect("alerts");
    assert!(fired.is_empty(), "{fired:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_investigation_is_answered_within_48_hours_or_the_host_executes_itself_and_the_report_is_in_its_language() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.operator").await;
    let nl = login(&net, "NL", "nl.operator").await;
    let ask = |host: &str, presence: bool, waived: bool| {
        json!({ "kind": "investigation", "host": host, "text": "Hearing of a witness to the Lanaken robbery",
                "facts": { "requires_judicial_order_in_host": false, "host_presence": presence,
                           "presence_waived_by_agreement": waived } })
    };
    // Art. 23(2): the host's presence may be waived only in BE or LU.
    let (_, body) = no(&be, "/api/v1/operations", ask("NL", false, true)).await;
    assert!(body.contains("23(2)"), "{body}");
    let waived = ok(&nl, "/api/v1/operations", ask("BE", false, true)).await;
    assert_eq!(waived["status"], "requested", "{waived}");
    let started = ok(&be, "/api/v1/operations", ask("NL", true, false)).await;
    let id = started["id"].as_str().expect("id").to_owned();
    let reply = |v: &Value| {
        v["clocks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["name"] == "reply_deadline").cloned())
            .expect("reply clock")
    };
    assert_eq!(reply(&started)["met"], false);
    seen(&nl, &id, "NL sees the request", |v| v["status"] == "requested").await;
    // NL refuses, then carries out the acts itself (24(3)); the reply clock is met.
    let (_, body) = refused_event(&nl, &id, "executes_itself", "we hear the witness").await;
    assert!(body.contains("after refusing"), "{body}");
    event(&nl, &id, "refused", "No officer available for the presence this week").await;
    let done = event(&nl, &id, "executes_itself", "Politie Limburg hears the witness").await;
    assert_eq!(done["status"], "active");
    assert_eq!(reply(&done)["met"], true, "{done}");
    let at_be = seen(&be, &id, "BE sees the host executing", |v| {
        event_names(v).contains(&"executes_itself".to_owned())
    })
    .await;
    assert_eq!(reply(&at_be)["met"], true);
    assert!(event_names(&at_be).contains(&"refused".to_owned()));
    // The transport kind works the same way (25(1)): refused, then the host escorts itself.
    let transport = ok(
        &be,
        "/api/v1/operations",
        json!({ "kind": "transport", "host": "NL", "text": "Escort of a detainee from Hasselt to Maastricht court", "facts": {} }),
    )
    .await;
    let tid = transport["id"].as_str().expect("id").to_owned();
    seen(&nl, &tid, "NL sees the transport request", |v| {
        v["status"] == "requested"
    })
    .await;
    event(&nl, &tid, "refused", "DV&O escorts the detainee itself").await;
    event(&nl, &tid, "executes_itself", "DV&O takes over at the border").await;
    // The waived investigation in BE: granted, crossed, ended, reported in BE's language.
    seen(&be, waived["id"].as_str().expect("id"), "BE sees NL's request", |v| {
        v["status"] == "requested"
    })
    .await;
    let wid = waived["id"].as_str().expect("id").to_owned();
    event(&be, &wid, "granted", "Presence waived as agreed; framework: PZ Lanaken").await;
    seen(&nl, &wid, "NL sees the grant", |v| v["answer"] == "granted").await;
    event(&nl, &wid, "crossing", "team crossed at Maastricht-Lanaken").await;
    event(&nl, &wid, "ended", "done").await;
    // Art. 23(5): the report in a language BE's law requires (nl, fr or de); English is not.
    let (status, body) = no(
        &nl,
        &events(&wid),
        json!({ "event": "report_filed", "text": "Witness heard", "language": "en" }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("23(5)"), "{body}");
    ok(
        &nl,
        &events(&wid),
        json!({ "event": "report_filed", "text": "Getuige gehoord", "language": "nl" }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorised_observation_keeps_its_mla_reference_and_uses_technical_means_only_when_authorised() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.operator").await;
    let nl = login(&net, "NL", "nl.operator").await;
    let ask = |reference: &str| {
        json!({ "kind": "observation", "host": "NL", "text": "Observation of a courier in Breda",
                "facts": { "criminal_investigation": true, "offence_extraditable": true, "prior_authorisation": true,
                           "particularly_urgent": false, "enter_dwelling": false, "technical_means": true,
                           "technical_means_authorised": false, "mla_reference": reference } })
    };
    let (status, body) = no(&be, "/api/v1/operations", ask(" ")).await;
    assert_eq!(status, 422);
    assert!(body.contains("22(1)") && body.contains("mla_reference"), "{body}");
    let started = ok(&be, "/api/v1/operations", ask("MLA/BE/2026/0412")).await;
    let id = started["id"].as_str().expect("id").to_owned();
    assert_eq!(started["status"], "requested");
    seen(&nl, &id, "NL sees the request", |v| v["status"] == "requested").await;
    // Art. 22(9): NL cannot grant the observation with technical means it does not authorise …
    let (status, body) = no(
        &nl,
        &events(&id),
        json!({ "event": "granted", "text": "authorised", "facts": { "technical_means_authorised": false, "authorised_hours": 6 } }),
    )
    .await;
    assert_eq!(status, 403);
    assert!(body.contains("22(9)"), "{body}");
    // … it grants it without them, for 6 hours (22(6)).
    ok(
        &nl,
        &events(&id),
        json!({ "event": "granted", "text": "Authorised by the OvJ Zeeland-West-Brabant, without technical means",
                "facts": { "technical_means": false, "technical_means_authorised": false, "authorised_hours": 6 } }),
    )
    .await;
    let at_be = seen(&be, &id, "BE sees the grant", |v| v["answer"] == "granted").await;
    assert_eq!(at_be["hours"]["authorised"], 6.0, "{at_be}");
    event(&be, &id, "crossing", "crossed at Meer").await;
    let hours = |h: &str| json!({ "event": "hours", "text": h });
    ok(&be, &events(&id), hours("4")).await;
    // Three more would make 7 of 6: refused by the engine under 22(6); a non-number is named.
    let (status, body) = no(&be, &events(&id), hours("3")).await;
    assert_eq!(status, 403);
    assert!(body.contains("22(6)"), "{body}");
    let (status, _) = no(&be, &events(&id), hours("lots")).await;
    assert_eq!(status, 422);
    let at_nl = seen(&nl, &id, "NL sees the hours", |v| v["hours"]["used"] == 4.0).await;
    assert_eq!(at_nl["hours"]["authorised"], 6.0);
    // The reference stays with the operation, on both sides.
    assert_eq!(at_nl["mla_reference"], "MLA/BE/2026/0412", "{at_nl}");
    assert_eq!(at_be["mla_reference"], "MLA/BE/2026/0412", "{at_be}");
    let (status, _) = no(&nl, &events(&id), hours("1")).await;
    assert_eq!(status, 403, "only the observing party records its hours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_evidence_is_asked_orally_and_confirmed_in_writing_once() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be = login(&net, "BE", "be.operator").await;
    let ask = |risk: bool| {
        json!({ "kind": "urgent_evidence", "host": "BE", "text": "Blood sample of the driver taken to hospital in Turnhout",
                "facts": { "real_risk_of_loss": risk, "oral": true } })
    };
    let (_, body) = no(&nl, "/api/v1/operations", ask(false)).await;
    assert!(body.contains("33(1)"), "{body}");
    let started = ok(&nl, "/api/v1/operations", ask(true)).await;
    let id = started["id"].as_str().expect("id").to_owned();
    assert!(started["decisions"].to_string().contains("33(2)"), "{started}");
    seen(&be, &id, "BE sees the request", |v| v["status"] == "requested").await;
    event(&be, &id, "granted", "Sample taken by the lab of AZ Turnhout at 03:10").await;
    seen(&nl, &id, "NL sees the grant", |v| v["answer"] == "granted").await;
    let (status, _) = refused_event(&be, &id, "confirmed_in_writing", "x").await;
    assert_eq!(status, 403, "the requesting party confirms its own request");
    event(&nl, &id, "confirmed_in_writing", "OM Oost-Brabant letter 2026/1187").await;
    let (_, body) = refused_event(&nl, &id, "confirmed_in_writing", "again").await;
    assert!(body.contains("confirmed already"), "{body}");
    seen(&be, &id, "BE sees the confirmation", |v| {
        event_names(v).contains(&"confirmed_in_writing".to_owned())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transit_with_a_detainee_is_noticed_before_crossing_and_shielded_officers_stay_pseudonymous() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let lu = login(&net, "LU", "lu.operator").await;
    let started = ok(
        &nl,
        "/api/v1/operations",
        json!({ "kind": "transit", "host": "LU", "text": "Detainee from Maastricht to Trier via the A13",
                "facts": { "with_detained_person": true, "with_goods": false },
                "officers": [ { "name": "Inspecteur Jan de Wit", "shielded": true }, { "name": "Agent Els Bos" } ] }),
    )
    .await;
    let id = started["id"].as_str().expect("id").to_owned();
    // Art. 41(4): the notice goes before the crossing; 41(2): the detention continues.
    let decisions = started["decisions"].to_string();
    assert!(
        decisions.contains("41(4)") && decisions.contains("41(2)"),
        "{decisions}"
    );
    // NL sees its officer's name beside the pseudonym; LU sees the pseudonym only (43(2)).
    let mine = started["officers"].to_string();
    assert!(mine.contains("Jan de Wit") && mine.contains("NL-SH-"), "{mine}");
    let at_lu = seen(&lu, &id, "LU sees the transit", |v| v["status"] == "active").await;
    let theirs = at_lu["officers"].to_string();
    assert!(theirs.contains("NL-SH-") && theirs.contains("Els Bos"), "{theirs}");
    assert!(!at_lu.to_string().contains("de Wit"), "{at_lu}");
    // Nothing LU stored names the shielded officer.
    let lu_store = &net.node("LU").expect("LU").running.desk.node.store;
    for e in lu_store.entries(0, 100_000).await.expect("journal") {
        assert!(!e.entry.justification.contains("de Wit"), "{}", e.entry.justification);
    }
    let received = lu_store
        .messages(store::MessageQuery {
            direction: Some(store::Direction::Incoming),
            ..Default::default()
        })
        .await
        .expect("messages");
    assert!(!received.is_empty());
    for m in received {
        assert!(!m.bytes.contains("de Wit"), "LU stored the shielded name");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_patrol_is_planned_started_and_ended_on_both_boards() {
    let (_dir, net) = start().await;
    let be = login(&net, "BE", "be.supervisor").await;
    let nl = login(&net, "NL", "nl.operator").await;
    let (status, _) = no(
        &be,
        "/api/v1/patrols",
        json!({ "area": "Baarle", "officers": ["nl.zwb"], "planned_for": "2026-12-01T20:00:00+01:00" }),
    )
    .await;
    assert_eq!(status, 422, "an officer is PARTY/username");
    let planned: Value = ok(
        &be,
        "/api/v1/patrols",
        json!({ "area": "Baarle-Hertog / Baarle-Nassau", "officers": ["NL/nl.zwb"], "planned_for": "2026-12-01T20:00:00+01:00" }),
    )
    .await;
    let id = planned["id"].as_str().expect("id").to_owned();
    assert_eq!(planned["started_at"], "");
    let at_nl = seen(&nl, &id, "NL sees the planned patrol", |v| v["status"] == "planned").await;
    assert_eq!((&at_nl["kind"], &at_nl["role"]), (&json!("patrol"), &json!("sending")));
    ok(&be, &format!("/api/v1/patrols/{id}/start"), json!({})).await;
    seen(&nl, &id, "NL sees it started", |v| v["status"] == "active").await;
    let (_, body) = no(&be, &format!("/api/v1/patrols/{id}/start"), json!({})).await;
    assert!(body.contains("started already"), "{body}");
    ok(&be, &format!("/api/v1/patrols/{id}/end"), json!({})).await;
    let at_nl = seen(&nl, &id, "NL sees it ended", |v| v["status"] == "ended").await;
    assert_eq!(event_names(&at_nl), ["planned", "started", "ended"]);
}

/// A hot pursuit whose detention falls on a daylight-saving night, on nodes whose clocks start
/// then: both boards show the same release instant, the hours 00:00–09:00 host time not
/// counted whatever the night's length (Art. 21(3)), and the alerts are set for the right
/// instants.
async fn detention_across(clock_start: &str, expected_due: &str, expected_alert: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network::start_at(
        dir.path(),
        [Ports { inbox: 0, api: 0 }; 3],
        &Stores::Sqlite,
        Some(clock_start),
    )
    .await
    .expect("network");
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be = login(&net, "BE", "be.operator").await;
    let started = ok(
        &nl,
        "/api/v1/operations/pursuits",
        json!({ "host": "BE", "medium": "land", "started_in_own_territory": true,
                "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false,
                "text": "stolen van crossing at Hazeldonk" }),
    )
    .await;
    let id = started["id"].as_str().expect("id").to_owned();
    seen(&be, &id, "BE sees the crossing", |_| true).await;
    ok(
        &be,
        &events(&id),
        json!({ "event": "detained", "text": "driver held at Meer", "at": clock_start }),
    )
    .await;
    for c in [&nl, &be] {
        let v = seen(c, &id, "the detention on both boards", |v| v["detention"].is_object()).await;
        assert_eq!(v["detention"]["due"], expected_due, "{v}");
        assert_eq!(v["detention"]["state"], "running");
    }
    let (fired, next) = net
        .node("BE")
        .expect("BE")
        .running
        .desk
        .raise_alerts()
        .await
        .expect("alerts");
    assert!(fired.is_empty(), "{fired:?}");
    assert_eq!(
        next.expect("an alert ahead"),
        expected_alert.parse::<jiff::Timestamp>().expect("instant")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_clock_with_a_controlled_node_clock_across_the_spring_change() {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST inside the uncounted night. Held at 00:30
    // CET: counting starts at 09:00 CEST, six hours later is 15:00 CEST; the alert at 14:00.
    detention_across(
        "2026-03-29T00:30:00+01:00",
        "2026-03-29T15:00:00+02:00",
        "2026-03-29T14:00:00+02:00",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_clock_with_a_controlled_node_clock_across_the_autumn_change() {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET; the night is ten real hours long and none
    // of them counts. Held at 00:30 CEST: 09:00–15:00 CET.
    detention_across(
        "2026-10-25T00:30:00+02:00",
        "2026-10-25T15:00:00+01:00",
        "2026-10-25T14:00:00+01:00",
    )
    .await;
}
