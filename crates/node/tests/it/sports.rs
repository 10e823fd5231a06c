//! Supporters' data before an SI–AL match (`sports.event_data`, `si-al` assumed Art. 5) on the
//! five-node network with a controlled clock: general information and risk supporters go from
//! SI's information point to AL's (SI's side through Chapter V), refusals name their field or
//! article, and when the erasure day has passed both nodes erase the risk supporters' data by
//! themselves and journal it.

use std::time::{Duration, Instant};

use demo::network::{self, Ports, Stores, FULL};
use node::officer_client::OfficerClient;
use serde_json::{json, Value};

use crate::support::{journal_of, login};

/// The match: Partizani – Olimpija in Tirana on 23 July 2026. Its data are erased at the end of
/// the 30th day after it in AL's time zone: 2026-08-23T00:00 Europe/Tirane.
const ERASED_AT: &str = "2026-08-22T22:00:00Z";

fn send(data: &str, supporters: Value, text: &str) -> Value {
    json!({
        "to_party": "AL",
        "event": {
            "competition": "UEFA Conference League, second qualifying round",
            "home_team": "FK Partizani", "away_team": "NK Olimpija Ljubljana",
            "venue": "Arena Kombëtare, Tirana", "date": "2026-07-23", "host": "AL"
        },
        "data": data, "supporters": supporters, "text": text,
        "transfer": {
            "recipient": "competent_authority", "purpose": "public_security",
            "safeguards": "legally_binding_instrument",
            "justification": "risk supporters travelling to the match in Tirana"
        }
    })
}

fn risk(reason: &str) -> Value {
    json!([{ "person": { "type": "person", "given_names": ["Luka"], "surname": "Novak", "birth_date": "1996-02-14" }, "reason": reason }])
}

async fn view(client: &OfficerClient, id: &str) -> (u16, Value) {
    let a = client.get(&format!("/api/v1/messages/{id}")).await.expect("view");
    (a.status.as_u16(), a.body)
}

#[tokio::test]
async fn supporters_data_go_to_the_host_and_both_nodes_erase_them_after_the_event() {
    let erased_at: jiff::Timestamp = ERASED_AT.parse().expect("instant");
    let start = (erased_at - jiff::SignedDuration::from_secs(12)).to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let plan: Vec<(&str, Ports)> = FULL.iter().map(|p| (*p, Ports { inbox: 0, api: 0 })).collect();
    let net = network::start_network(dir.path(), &plan, &Stores::Sqlite, Some(&start))
        .await
        .expect("network");
    let (si, al) = (
        login(&net, "SI", "si.operator").await,
        login(&net, "AL", "al.operator").await,
    );
    let post = |body: Value| {
        let si = &si;
        async move { si.post("/api/v1/sports-events/data", &body).await.expect("post") }
    };

    // Refused where it enters, naming the field or the article.
    let no_reason = post(send("risk_supporters", risk(" "), "two coaches")).await;
    assert_eq!(no_reason.status.as_u16(), 403, "{}", no_reason.body);
    assert!(no_reason.body.to_string().contains("\"5\""), "{}", no_reason.body);
    let persons_in_general = post(send("general", risk("violence"), "two coaches")).await;
    assert_eq!(persons_in_general.status.as_u16(), 422, "{}", persons_in_general.body);
    let mut bad_date = send("general", json!([]), "two coaches");
    bad_date["event"]["date"] = json!("2026-07-32");
    let bad = post(bad_date).await;
    assert!(
        bad.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("event.date")),
        "{}",
        bad.body
    );
    let mut elsewhere = send("general", json!([]), "two coaches");
    elsewhere["event"]["host"] = json!("NL");
    let bad = post(elsewhere).await;
    assert!(
        bad.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("event.host")),
        "{}",
        bad.body
    );

    // General information: no persons, no Chapter V, nothing to erase.
    let general = post(send("general", json!([]), "About 400 supporters, 8 coaches via Ljubljana–Zagreb–Podgorica, arriving 14:00 at the Tirana north entry; 3 spotters")).await;
    assert!(general.status.is_success(), "{}", general.body);
    let general_id = general.body["message_id"].as_str().expect("id").to_owned();
    assert!(!general.body.to_string().contains("2016/680"), "{}", general.body);
    // Risk supporters, each with the reason: Art. 5 and Chapter V, erased after the event.
    let risky = post(send(
        "risk_supporters",
        risk("convicted of violence at the 2025 cup final; stadium ban in SI"),
        "One known risk supporter travelling with the coaches",
    ))
    .await;
    assert!(risky.status.is_success(), "{}", risky.body);
    let risky_id = risky.body["message_id"].as_str().expect("id").to_owned();
    assert!(risky.body.to_string().contains("2016/680:37(1)(a)"), "{}", risky.body);
    assert!(risky.body.to_string().contains(&"erase".to_string()), "{}", risky.body);

    // AL's information point has both.
    let deadline = Instant::now() + Duration::from_secs(10);
    while view(&al, &risky_id).await.0 != 200 {
        assert!(Instant::now() < deadline, "the risk supporters never reached AL");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(view(&al, &risky_id).await.1.to_string().contains("Novak"));
    assert_eq!(view(&al, &general_id).await.0, 200);

    // The erasure day passes on the nodes' clocks: both erase the risk supporters by themselves.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (on_al, on_si) = (view(&al, &risky_id).await.0, view(&si, &risky_id).await.0);
        if on_al == 404 && on_si == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "not erased: AL {on_al}, SI {on_si}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let now = net.node("AL").expect("AL").running.desk.now_public();
    assert!(now >= erased_at, "erased before its time: {now}");
    // The general information stays.
    assert_eq!(view(&al, &general_id).await.0, 200);
    for party in ["SI", "AL"] {
        let journal = journal_of(&net.node(party).expect("node").running.sender.store).await;
        assert!(
            journal.contains("si-al Art. 5: risk supporters' data of FK Partizani – NK Olimpija Ljubljana (2026-07-23) erased after the event"),
            "{party}: {journal}"
        );
    }
}
