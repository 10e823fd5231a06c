//! Art. 13 between two real nodes: hotlist entries checked by the engine, accepted or rejected
//! by the recipient, matched by camera reads (exact and look-alike, never two confusions away),
//! hits back at the provider, withdrawal effective at once, non-hits leaving no trace.

use serde_json::{json, Value};

use demo::network::DemoNetwork;

pub use crate::support::{eventually, login, start};
use node::officer_client::OfficerClient;
use store::{JournalQuery, JournalStore, MessageQuery};

/// Records the Art. 13 implementing agreement on `party`'s node.
pub async fn agreement(net: &DemoNetwork, party: &str) {
    crate::support::agreement(net, party, "BENELUX-13", "ANPR", "13", "").await;
}

/// The recipient's contact point accepts a received hotlist entry (Art. 13).
async fn accept(operator: &OfficerClient, message: &str) {
    operator
        .post(
            &format!("/api/v1/anpr/received/{message}/decision"),
            &json!({ "accept": true }),
        )
        .await
        .expect("post")
        .ok()
        .expect("accepted");
}

pub fn entry(plate: &str, follow_up: Option<&str>, alert: Option<&str>) -> Value {
    json!({ "plate": plate, "country": "NL", "category": "stolen vehicle", "follow_up_action": follow_up,
            "international_alert": alert, "recipients": ["BE"] })
}

pub fn read(plate: &str, camera: &str) -> Value {
    json!({ "plate": plate, "country": "NL", "time": jiff::Timestamp::now().to_string(), "camera": camera,
            "location": "E19 Meer", "confidence": 0.91 })
}

async fn hits_at(nl: &OfficerClient) -> Vec<Value> {
    nl.get("/api/v1/anpr/hits")
        .await
        .expect("hits")
        .ok()
        .expect("ok")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art13_hotlists_are_checked_compared_and_their_hits_returned_and_withdrawals_stop_them() {
    let (_dir, net) = start().await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be_operator = login(&net, "BE", "be.operator").await;
    let be_cameras = login(&net, "BE", "be.anpr").await;
    let plate = "XX-123-Y";

    // No implementing agreement: refused, nothing sent (Art. 13(6)).
    let a = nl
        .post(
            "/api/v1/anpr/entries",
            &entry(plate, Some("stop and check"), Some("SIS II 1234")),
        )
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    assert!(a.body.to_string().contains("13(6)"), "{}", a.body);
    agreement(&net, "NL").await;
    agreement(&net, "BE").await;
    // No follow-up action, or neither alert nor legal basis: refused under 13(2).
    for bad in [
        entry(plate, None, Some("SIS II 1234")),
        entry(plate, Some("stop and check"), None),
    ] {
        let a = nl.post("/api/v1/anpr/entries", &bad).await.expect("post");
        assert_eq!(a.status.as_u16(), 403, "{}", a.body);
        assert!(a.body.to_string().contains("13(2)"), "{}", a.body);
    }
    // A plate that is no Dutch plate is named.
    let a = nl
        .post("/api/v1/anpr/entries", &entry("1-ABC-123", Some("stop"), Some("SIS")))
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 422, "{}", a.body);
    assert!(a.body.to_string().contains("not a NL plate format"), "{}", a.body);
    // Allowed: with the follow-up action and the alert.
    let sent = nl
        .post(
            "/api/v1/anpr/entries",
            &entry(
                plate,
                Some("stop and check; inform NL NCP"),
                Some("SIS II NL-V-2026-0042"),
            ),
        )
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(
        sent.to_string().contains("13(2)") && sent.to_string().contains("13(3)"),
        "{sent}"
    );
    let provided = nl.get("/api/v1/anpr/entries").await.expect("get").ok().expect("ok");
    let entry_id = provided[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(provided[0]["status"], "pending", "{provided}");

    // BE: waiting for the contact point's decision; not compared yet.
    let pending = eventually("the entry reaches BE", || async {
        let r = be_operator.get("/api/v1/anpr/received").await.ok()?.ok().ok()?;
        r.as_array()?.iter().find(|e| e["id"] == entry_id.as_str()).cloned()
    })
    .await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["plate"], "XX-123-Y");
    let report = be_cameras
        .post("/api/v1/anpr/reads", &json!({ "reads": [read("XX123Y", "BE-E19-07")] }))
        .await
        .expect("post")
        .ok()
        .expect("ok");
    assert_eq!(report["hits"], 0, "not compared before acceptance: {report}");
    // A rejection needs a reason.
    let message = pending["message_id"].as_str().expect("message").to_owned();
    let a = be_operator
        .post(
            &format!("/api/v1/anpr/received/{message}/decision"),
            &json!({ "accept": false }),
        )
        .await
        .expect("post");
    assert_eq!(a.status.as_u16(), 422, "{}", a.body);
    accept(&be_operator, &message).await;
    eventually("NL sees the acceptance", || async {
        let p = nl.get("/api/v1/anpr/entries").await.ok()?.ok().ok()?;
        (p[0]["status"] == "accepted").then_some(())
    })
    .await;

    // Reads: exact (other spacing), one look-alike, two look-alikes away, and unrelated ones.
    let report = be_cameras
        .post(
            "/api/v1/anpr/reads",
            &json!({ "reads": [read("xx 123 y", "BE-E19-07"), read("XX-I23-Y", "BE-E34-02"),
                                read("XX-IZ3-Y", "BE-E40-01"), read("ZZ-999-Q", "BE-E40-02"),
                                read("NOHIT-42", "BE-E40-03")] }),
        )
        .await
        .expect("post")
        .ok()
        .expect("ok");
    assert_eq!(report["reads"], 5, "{report}");
    assert_eq!(report["hits"], 2, "exact and one look-alike only: {report}");
    let hits = eventually("both hits reach NL", || async {
        let h = hits_at(&nl).await;
        (h.len() == 2).then_some(h)
    })
    .await;
    let matches: Vec<&str> = hits.iter().filter_map(|h| h["matched"].as_str()).collect();
    assert!(
        matches.contains(&"exact") && matches.contains(&"look-alike (1)"),
        "{hits:?}"
    );
    assert!(hits
        .iter()
        .all(|h| h["follow_up_action"] == "stop and check; inform NL NCP" && h["entry"] == entry_id.as_str()));
    assert!(hits
        .iter()
        .any(|h| h["camera"] == "BE-E34-02" && h["location"] == "E19 Meer"));

    // Reads that matched nothing leave no trace at BE: not in its messages, journal or metrics.
    let be = &net.node("BE").expect("BE").running.desk;
    for trace in [
        "ZZ999Q",
        "ZZ-999-Q",
        "NOHIT",
        "BE-E40-02",
        "BE-E40-03",
        "XX-IZ3-Y",
        "BE-E40-01",
    ] {
        let journal = be
            .node
            .store
            .journal_search(JournalQuery {
                subject: Some(trace.into()),
                limit: 10,
                ..JournalQuery::default()
            })
            .await
            .expect("search");
        assert!(journal.is_empty(), "{trace} in BE's journal");
        let mut all = String::new();
        for m in be.node.store.messages(MessageQuery::default()).await.expect("messages") {
            all.push_str(&m.bytes);
        }
        let entries = be.node.store.entries(0, 100_000).await.expect("journal");
        all.push_str(&serde_json::to_string(&entries).expect("json"));
        assert!(!all.contains(trace), "{trace} stored at BE");
    }
    let metrics = be_operator.get_text("/metrics").await.expect("metrics");
    assert!(
        metrics.contains("grens_anpr_reads_total 6") && metrics.contains("grens_anpr_hits_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("grens_anpr_hotlist_entries{provider=\"NL\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("ZZ") && !metrics.contains("E40"), "{metrics}");
    // The hit is journaled at BE (returned to NL) and at NL (received).
    let journal = be.node.store.entries(0, 100_000).await.expect("journal");
    assert!(
        journal
            .iter()
            .any(|e| e.entry.justification.contains("Art. 13(3): ANPR hit")
                && e.entry.justification.contains("BE-E34-02")),
        "BE journals the hit"
    );

    // Withdrawal: effective at BE within seconds; the next read is no hit.
    nl.post(
        &format!("/api/v1/anpr/entries/{entry_id}/withdraw"),
        &json!({ "reason": "vehicle recovered" }),
    )
    .await
    .expect("post")
    .ok()
    .expect("withdrawn");
    eventually("BE stops comparing", || async {
        let r = be_cameras
            .post("/api/v1/anpr/reads", &json!({ "reads": [read("XX123Y", "BE-E19-07")] }))
            .await
            .ok()?
            .ok()
            .ok()?;
        (r["hits"] == 0).then_some(())
    })
    .await;
    let p = nl.get("/api/v1/anpr/entries").await.expect("get").ok().expect("ok");
    assert_eq!(p[0]["status"], "withdrawn", "{p}");
    // An entry given a validity in the past, or too far ahead, is refused by name.
    let mut e = entry(plate, Some("stop"), Some("SIS"));
    e["valid_until"] = json!("2020-01-01");
    let a = nl.post("/api/v1/anpr/entries", &e).await.expect("post");
    assert!(
        a.status.as_u16() == 422 && a.body.to_string().contains("in the past"),
        "{}",
        a.body
    );
    // Expiry needs no message: at its instant the entry stops matching on the recipient, and the
    // provider lists it as expired.
    // Twenty seconds: long enough that a loaded CI machine still reads it before it expires
    // (four seconds once expired between sending and the first read).
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(20);
    let mut short = entry("GH-456-J", Some("stop"), Some("SIS II NL-V-43"));
    short["valid_until"] = json!(expires.to_string());
    nl.post("/api/v1/anpr/entries", &short)
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let pending = eventually("the short entry reaches BE", || async {
        let r = be_operator.get("/api/v1/anpr/received").await.ok()?.ok().ok()?;
        r.as_array()?.iter().find(|e| e["plate"] == "GH-456-J").cloned()
    })
    .await;
    let message = pending["message_id"].as_str().expect("message").to_owned();
    accept(&be_operator, &message).await;
    let before = be_cameras
        .post("/api/v1/anpr/reads", &json!({ "reads": [read("GH456J", "BE-E313-1")] }))
        .await
        .expect("post")
        .ok()
        .expect("ok");
    assert_eq!(before["hits"], 1, "{before}");
    let until_expiry = expires.duration_since(jiff::Timestamp::now()) + jiff::SignedDuration::from_secs(1);
    tokio::time::sleep(until_expiry.try_into().unwrap_or_default()).await;
    let after = be_cameras
        .post("/api/v1/anpr/reads", &json!({ "reads": [read("GH456J", "BE-E313-1")] }))
        .await
        .expect("post")
        .ok()
        .expect("ok");
    assert_eq!(after["hits"], 0, "expired: {after}");
    let p = nl.get("/api/v1/anpr/entries").await.expect("get").ok().expect("ok");
    assert!(
        p.as_array()
            .is_some_and(|a| a.iter().any(|e| e["plate"] == "GH-456-J" && e["status"] == "expired")),
        "{p}"
    );
    // A malformed read is named by place and field, and nothing else in the batch is lost.
    let a = be_cameras
        .post(
            "/api/v1/anpr/reads",
            &json!({ "reads": [read("XX123Y", "c"), { "plate": "AB*1", "time": jiff::Timestamp::now().to_string(), "camera": "c" }] }),
        )
        .await
        .expect("post")
        .ok()
        .expect("ok");
    assert_eq!(a["reads"], 2);
    assert_eq!(a["invalid"][0], "read 2: field `plate`: invalid", "{a}");
}
