//! The defects of the security review (issue 16), each reproduced: what an outsider, a role or
//! a partner node did, and what the node must answer now.

use std::time::Duration;

use jiff::Timestamp;
use node::officer_client::OfficerClient;
use node::peer::courier::Delivery;
use protocol::{Body, Envelope, LegalBasis, NodeAddress};
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use store::{Direction, JournalStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{self, login};
use demo::network::demo_password;

fn party(code: &str) -> treaty::PartyCode {
    treaty::PartyCode::parse(code).expect("party")
}

/// An NL request to BE's contact point, as the API sends it.
fn request_to_be() -> Value {
    json!({
        "kind": "request",
        "to_party": "BE",
        "purpose": "criminal",
        "subjects": [{ "type": "person", "surname": "Peeters", "given_names": ["Jan"] }],
        "text": "Known to you?",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_outside_the_plausible_window_is_refused_at_every_edge_and_never_breaks_a_list() {
    let (_dir, net) = support::start().await;
    let antwerpen = login(&net, "BE", "be.antwerpen").await;
    // 1. The officer's API: the review's exact request.
    let oral = json!({"with_party":"NL","with_unit":"Zeeland-West-Brabant","at":"-000001-01-01T00:00:00Z","summary":"x","direct":{"within_competence_of_both":true,"subject_in_border_region":true}});
    let answer = antwerpen.post("/api/v1/oral", &oral).await.expect("post");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body);
    let message = answer.body["message"].as_str().expect("message");
    assert!(message.contains("`at`") && message.contains("1900-01-01"), "{message}");

    // 2. A partner's envelope with such a date is refused by the inbox (and journaled).
    let be = net.node("BE").expect("BE");
    let nl = net.node("NL").expect("NL");
    let sender = &nl.running.sender;
    let envelope = Envelope::new(
        NodeAddress {
            party: party("NL"),
            node: "NL-NCP".into(),
            unit: None,
        },
        NodeAddress {
            party: party("BE"),
            node: "BE-NCP".into(),
            unit: None,
        },
        Timestamp::now(),
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "12(2)".parse().expect("article"),
        },
        Body::OralRecord {
            at: "-000001-01-01T00:00:00Z".parse().expect("year -1"),
            summary: "x".into(),
        },
    );
    let signed = protocol::sign(&envelope, &sender.key).expect("sign");
    let be_entry = sender.directory.by_id("BE-NCP").expect("BE entry").clone();
    match sender.courier.deliver(&be_entry, &signed).await.expect("answer") {
        Delivery::Refused { status, reason } => {
            assert_eq!(status, 422);
            assert!(
                reason.contains("body.at") && reason.contains("plausible window"),
                "{reason}"
            );
        }
        other => panic!("a year -1 must be refused, got {other:?}"),
    }

    // 3. A record that got into the store anyway (written before this check) does not take the
    // inbox down: it is listed, marked, and every other message still shows.
    let operator = login(&net, "BE", "be.operator").await;
    operator
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "request", "to_party": "NL", "purpose": "criminal",
                "subjects": [{ "type": "person", "surname": "Maes" }], "text": "A readable request"
            }),
        )
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let store = &be.running.desk.node.store;
    let bytes = serde_json::to_string(&envelope).expect("json");
    store
        .receive(
            store::Incoming {
                message_id: envelope.id.to_string(),
                from_node: "NL/NL-NCP".into(),
                received_at: Timestamp::now(),
                sha256: "0".repeat(64),
                bytes,
                signature: String::new(),
                meta: node::meta_of(
                    &be.running.desk.profile,
                    &envelope,
                    Direction::Incoming,
                    Timestamp::now(),
                ),
            },
            store::NewEntry {
                at: Timestamp::now(),
                operation: store::Operation::Collection,
                actor: "NL/NL-NCP".into(),
                justification: "stored before the plausibility check".into(),
                recipient: None,
                message_id: Some(envelope.id.to_string()),
                case_id: None,
                details: json!({}),
            },
        )
        .await
        .expect("stored");
    let inbox = operator.get("/api/v1/inbox").await.expect("inbox");
    assert_eq!(inbox.status.as_u16(), 200, "{}", inbox.body);
    let lines = inbox.body.as_array().expect("lines");
    assert!(lines.iter().any(|l| l["kind"] == "request"), "{lines:?}");
    let marked = lines
        .iter()
        .find(|l| l["id"] == envelope.id.to_string())
        .expect("the bad record is listed");
    assert!(marked["problem"].as_str().is_some_and(|p| !p.is_empty()), "{marked}");
    let cases = operator.get("/api/v1/cases").await.expect("cases");
    assert_eq!(cases.status.as_u16(), 200, "{}", cases.body);
    let (status, _) = operator.get_page("/").await.expect("web inbox");
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_are_counted_before_they_are_checked() {
    let (_dir, net) = support::start().await;
    let node = net.node("BE").expect("BE");
    let guesses = (0..30).map(|i| {
        let (url, ca) = (node.api_url.clone(), net.ca_pem.clone());
        tokio::spawn(async move { OfficerClient::login(&url, &ca, "be.dpo", &format!("guess-{i}")).await })
    });
    let mut statuses = Vec::new();
    for guess in guesses {
        let err = guess.await.expect("task").expect_err("wrong password");
        statuses.push(if err.to_string().contains("429") { 429 } else { 401 });
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        node::http::api::MAX_FAILED_LOGINS,
        "{statuses:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let right = OfficerClient::login(&node.api_url, &net.ca_pem, "be.dpo", &demo_password("be.dpo")).await;
    assert!(
        right.is_err_and(|e| e.to_string().contains("429")),
        "the right password is throttled too"
    );
    // Another account from the same address is not locked out by it.
    login(&net, "BE", "be.operator").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_callers_cannot_grow_the_journal() {
    let (_dir, net) = support::start().await;
    let be = net.node("BE").expect("BE");
    let store = &be.running.desk.node.store;
    let (before, _) = store.head().await.expect("head");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let huge = "a".repeat(1_900_000);
    for _ in 0..20 {
        let r = http
            .post(format!("{}/api/v1/session", be.api_url))
            .header("content-type", "application/json")
            .body(json!({ "username": huge, "password": "x" }).to_string())
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 422);
        let body: Value = serde_json::from_str(&r.text().await.expect("text")).expect("json");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains("at most 64")),
            "{body}"
        );
    }
    // Wrong passwords of real-looking names: counted, the first journaled.
    for i in 0..10 {
        let _ = OfficerClient::login(&be.api_url, &net.ca_pem, &format!("nobody{i}"), "wrong").await;
    }
    // 200 bare TCP connections to the mTLS inbox, closed at once.
    let inbox = be.running.listening_on;
    for _ in 0..200 {
        let tcp = tokio::net::TcpStream::connect(inbox).await.expect("connect");
        drop(tcp);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (after, _) = store.head().await.expect("head");
    assert!(
        after - before <= 2,
        "{} journal entries for anonymous failures",
        after - before
    );
    // The rest is in one summary per channel when the minute is over (here: flushed).
    node::refusals::write_due(&be.running.desk.node, true).await;
    let (flushed, _) = store.head().await.expect("head");
    assert!(flushed - before <= 4, "{}", flushed - before);
    let journal = support::journal_of(store).await;
    assert!(journal.contains("log-in refused: 9 more"), "{journal}");
    assert!(journal.contains("TLS handshake refused"), "{journal}");
    let size: u64 = std::fs::metadata(be.database.trim_start_matches("sqlite:"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(size < 10_000_000, "the store grew to {size} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_surplus_connections_are_closed_and_the_node_keeps_answering() {
    use node::config::ConnectionLimits;
    let ca = node::peer::pki::DevCa::new("test CA").expect("ca");
    let creds = ca.issue("BE-NCP", party("BE"), None).expect("creds");
    let tls = node::peer::tls::api_server_config(&creds.tls_cert_pem, &creds.tls_key_pem).expect("tls");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let limits = ConnectionLimits {
        max_connections: 50,
        handshake_timeout_ms: 1_000,
        idle_timeout_ms: 1_000,
    };
    let app = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(node::http::serve_tls(
        listener,
        tls,
        app,
        limits,
        stop.clone(),
        tokio_util::task::TaskTracker::new(),
    ));
    // 200 connections that send nothing: 50 are held (until the handshake timeout), the
    // others are closed at once.
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(tokio::net::TcpStream::connect(addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut closed_at_once = 0;
    for tcp in &mut idle {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(20), tcp.read(&mut byte)).await {
            closed_at_once += 1;
        }
    }
    assert!(closed_at_once >= 150, "{closed_at_once} of 200 closed at once");
    // After the handshake timeout every idle connection is gone, and the node answers.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for tcp in &mut idle {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut byte)).await;
        assert!(matches!(read, Ok(Ok(0) | Err(_))), "an idle connection is still open");
    }
    let http = node::officer_client::browser_like(&ca.cert_pem(), Policy::none()).expect("client");
    let r = http
        .get(format!("https://127.0.0.1:{}/healthz", addr.port()))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status().as_u16(), 200);
    // A TLS connection that sends no request is closed after the idle timeout.
    let mut raw = tokio::net::TcpStream::connect(addr).await.expect("connect");
    raw.write_all(b"\x16\x03\x01").await.expect("a partial ClientHello");
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), raw.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0) | Err(_))), "a stalled handshake is closed");
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_point_work_needs_the_contact_point_role_whatever_the_unit() {
    let (_dir, net) = support::start().await;
    let admin = login(&net, "BE", "be.admin").await;
    // An officer recorded under the contact point's unit, without its role.
    let answer = admin
        .post(
            "/api/v1/users",
            &json!({ "username": "be.ncpofficer", "display_name": "Officer at the NCP", "party": "BE", "unit": "NCP",
                     "region": "national", "roles": ["officer"], "language": "nl", "password": "long enough pw" }),
        )
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 204, "{}", answer.body);
    let nl = login(&net, "NL", "nl.operator").await;
    let sent = nl
        .post("/api/v1/messages", &request_to_be())
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let id = sent["message_id"].as_str().expect("message_id").to_owned();
    let operator = login(&net, "BE", "be.operator").await;
    support::eventually("the request reaches BE", || async {
        (operator
            .get(&format!("/api/v1/messages/{id}"))
            .await
            .ok()?
            .status
            .as_u16()
            == 200)
            .then_some(())
    })
    .await;
    let officer = OfficerClient::login(
        &net.node("BE").expect("BE").api_url,
        &net.ca_pem,
        "be.ncpofficer",
        "long enough pw",
    )
    .await
    .expect("log-in");
    for client in [&officer, &admin] {
        let read = client.get(&format!("/api/v1/messages/{id}")).await.expect("get");
        assert_eq!(read.status.as_u16(), 403, "{}: {}", client.username, read.body);
        let refusal = json!({ "type": "refusal", "ground": "2023/977:6(a)", "reasons": "no" });
        let reply = client
            .post(&format!("/api/v1/messages/{id}/reply"), &refusal)
            .await
            .expect("post");
        assert_eq!(reply.status.as_u16(), 403, "{}: {}", client.username, reply.body);
        let inbox = client.get("/api/v1/inbox").await.expect("inbox");
        assert!(
            !inbox.body.to_string().contains(&id),
            "{}: {}",
            client.username,
            inbox.body
        );
        let cases = client.get("/api/v1/cases").await.expect("cases");
        assert_eq!(cases.body["cases"].as_array().map(Vec::len), Some(0), "{}", cases.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_api_validates_like_the_form_and_journals() {
    let (_dir, net) = support::start().await;
    let admin = login(&net, "BE", "be.admin").await;
    let user = |party: &str, name: &str, display: &str| {
        json!({ "username": name, "display_name": display, "party": party, "unit": "Antwerpen",
                "region": "Antwerpen", "roles": ["officer"], "language": "nl", "password": "long enough pw" })
    };
    for (body, needle) in [
        (user("NL", "be.x", "X"), "party"),
        (user("XX", "be.x", "X"), "party"),
        (user("BE", "be.x\u{0}", "X"), "username"),
        (user("BE", "be.x", "<script>alert(1)</script>"), "display_name"),
        (user("BE", "be.x", "Nul\u{0}byte"), "display_name"),
    ] {
        let answer = admin.post("/api/v1/users", &body).await.expect("post");
        assert_eq!(answer.status.as_u16(), 422, "{body}: {}", answer.body);
        assert!(
            answer.body["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{}",
            answer.body
        );
    }
    let answer = admin
        .post("/api/v1/users", &user("BE", "be.new", "New Officer"))
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 204, "{}", answer.body);
    let journal = support::journal_of(&net.node("BE").expect("BE").running.desk.node.store).await;
    assert!(
        journal.contains("account be.new recorded with roles officer"),
        "{journal}"
    );
    // Not an administrator: refused.
    let operator = login(&net, "BE", "be.operator").await;
    let answer = operator
        .post("/api/v1/users", &user("BE", "be.other", "Other"))
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_goes_back_only_to_this_site() {
    let (_dir, net) = support::start().await;
    let be = net.node("BE").expect("BE");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    for back in [
        "/%09/127.0.0.1:9443/pwned",
        "/%0d%0aSet-Cookie:%20x=1",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
    ] {
        let r = http
            .get(format!("{}/lang/en?back={back}", be.api_url))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 303, "{back}");
        assert_eq!(r.headers()["location"], "/", "{back}");
    }
    let r = http
        .get(format!("{}/lang/en?back=/cases%3Fstatus%3Dnew", be.api_url))
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["location"], "/cases?status=new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_partner_would_refuse_is_refused_with_its_limit() {
    let (_dir, net) = support::start().await;
    let nl = login(&net, "NL", "nl.operator").await;
    let mut big = request_to_be();
    big["text"] = Value::String("x".repeat(protocol::MAX_ENVELOPE_BYTES + 10_000));
    let answer = nl.post("/api/v1/messages", &big).await.expect("post");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body["message"]);
    let message = answer.body["message"].as_str().expect("message");
    assert!(message.contains(&protocol::MAX_ENVELOPE_BYTES.to_string()), "{message}");
    // Nothing was queued.
    let outbox = nl.get("/api/v1/inbox").await.expect("inbox");
    assert_eq!(outbox.body.as_array().map(Vec::len), Some(0), "{}", outbox.body);
    // A body larger than the API takes: 413, as the documented JSON.
    let node = net.node("NL").expect("NL");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let session: Value = serde_json::from_str(
        &http
            .post(format!("{}/api/v1/session", node.api_url))
            .header("content-type", "application/json")
            .body(json!({ "username": "nl.operator", "password": demo_password("nl.operator") }).to_string())
            .send()
            .await
            .expect("log in")
            .text()
            .await
            .expect("text"),
    )
    .expect("json");
    let token = session["token"].as_str().expect("token");
    let (status, body) =
        support::oversized_body(&node.api_url, &net.ca_pem, token, 2 * protocol::MAX_ENVELOPE_BYTES + 1).await;
    assert_eq!(status, 413, "{body}");
    let body: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(body["error"], "invalid", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_input_is_read_strictly_and_answers_are_not_cached() {
    let (_dir, net) = support::start().await;
    let nl = login(&net, "NL", "nl.operator").await;
    // Trailing garbage after the JSON.
    let answer = nl
        .post_json("/api/v1/messages", format!("{} xyz", request_to_be()))
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body);
    assert!(
        answer.body["message"].as_str().is_some_and(|m| m.contains("trailing")),
        "{}",
        answer.body
    );
    // A misspelt field is named, not ignored (the message would go to the contact point).
    let mut misspelt = request_to_be();
    misspelt["to_untt"] = json!("Antwerpen");
    let answer = nl.post("/api/v1/messages", &misspelt).await.expect("post");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body);
    assert!(
        answer.body["message"].as_str().is_some_and(|m| m.contains("to_untt")),
        "{}",
        answer.body
    );
    // A query string that does not parse: the documented JSON error.
    let answer = nl.get("/api/v1/journal?from=abc").await.expect("get");
    assert_eq!(answer.status.as_u16(), 400);
    assert_eq!(answer.body["error"], "invalid", "{}", answer.body);
    // Headers: HSTS everywhere, no caching of pages and answers with personal data.
    let node = net.node("NL").expect("NL");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    for path in ["/login", "/api/v1/inbox", "/healthz"] {
        let r = http.get(format!("{}{path}", node.api_url)).send().await.expect("get");
        assert!(r.headers().contains_key("strict-transport-security"), "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_in_form_carries_its_own_csrf_token() {
    let (_dir, net) = support::start().await;
    let node = net.node("BE").expect("BE");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let user = "be.operator";
    let password = demo_password(user);
    // Another site's form: no token, no cookie.
    let forged = http
        .post(format!("{}/login", node.api_url))
        .form(&[("username", user), ("password", password.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status().as_u16(), 403);
    assert!(forged.headers().get("set-cookie").is_none());
    let logged_in = crate::web::web_login(&http, &node.api_url, user, &password).await;
    assert_eq!(logged_in.status().as_u16(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_request_takes_no_contradictory_answer() {
    let (_dir, net) = support::start().await;
    let nl = login(&net, "NL", "nl.operator").await;
    let sent = nl
        .post("/api/v1/messages", &request_to_be())
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let id = sent["message_id"].as_str().expect("message_id").to_owned();
    let be = login(&net, "BE", "be.operator").await;
    support::eventually("the request reaches BE", || async {
        (be.get(&format!("/api/v1/messages/{id}")).await.ok()?.status.as_u16() == 200).then_some(())
    })
    .await;
    let provision = json!({ "type": "provision", "subjects": [], "text": "Known: one conviction.", "language": "nl" });
    be.post(&format!("/api/v1/messages/{id}/reply"), &provision)
        .await
        .expect("post")
        .ok()
        .expect("provided");
    let refusal = json!({ "type": "refusal", "ground": "2023/977:6(a)", "reasons": "changed our mind" });
    let answer = be
        .post(&format!("/api/v1/messages/{id}/reply"), &refusal)
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 422, "{}", answer.body);
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("answered already")),
        "{}",
        answer.body
    );
    // A further provision completes the first.
    let more = json!({ "type": "provision", "subjects": [], "text": "And a second file.", "language": "nl" });
    let answer = be
        .post(&format!("/api/v1/messages/{id}/reply"), &more)
        .await
        .expect("post");
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
}

#[test]
fn the_openapi_document_places_query_parameters_in_the_query_and_types_subjects() {
    let doc: Value = serde_json::from_str(&node::http::api::openapi_json()).expect("json");
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("name");
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    parameter["in"] == "path",
                    in_path,
                    "{method} {path}: parameter {name} is `in: {}`",
                    parameter["in"]
                );
            }
        }
    }
    let subject = &doc["components"]["schemas"]["Subject"];
    let text = subject.to_string();
    for schema in ["Person", "PoleObject", "Location", "Event"] {
        assert!(text.contains(&format!("#/components/schemas/{schema}")), "{text}");
    }
    assert_eq!(
        doc["components"]["schemas"]["Person"]["properties"]["birth_date"]["format"],
        "date"
    );
}
