//! Every Title 2 flow between three real nodes (BE, LU, NL) over real mTLS on loopback, driven
//! through the officers' HTTPS API — on SQLite files and on PostgreSQL.

use serde_json::{json, Value};

use demo::network::{demo_password, DemoNetwork, Stores};

use crate::support::{eventually, login, postgres};
use node::officer_client::{Answer, OfficerClient};
use store::JournalStore;

async fn start(stores: Stores) -> (tempfile::TempDir, DemoNetwork) {
    crate::support::start_on(stores).await
}

async fn arrives(client: &OfficerClient, id: &str) -> Value {
    eventually(&format!("{id} reaches {}", client.username), || async {
        let inbox = client
            .get("/api/v1/inbox")
            .await
            .expect("inbox")
            .ok()
            .expect("inbox ok");
        inbox.as_array().and_then(|a| a.iter().find(|m| m["id"] == id)).cloned()
    })
    .await
}

/// A refusal's reasons, empty when it has none.
fn reasons(answer: &Value) -> &str {
    answer["reasons"].as_str().unwrap_or_default()
}

fn id(a: &Value) -> String {
    a["message_id"].as_str().expect("message_id").to_owned()
}

fn cites(v: &Value, article: &str) -> bool {
    v.to_string().contains(&format!("\"{article}\""))
}

fn refused(a: &Answer, status: u16, article: &str) {
    assert_eq!(a.status.as_u16(), status, "{}", a.body);
    assert!(cites(&a.body, article), "expected Art. {article} in {}", a.body);
}

async fn scripted(stores: Stores) {
    let (_dir, net) = start(stores).await;
    let mut lines = Vec::new();
    let report = demo::check::run(&net, &mut |s| lines.push(format!("{} {} {}", s.ok, s.name, s.detail)))
        .await
        .expect("run");
    assert!(report.passed(), "{lines:#?}");
    for (node, length, _, intact) in demo::check::verify_journals(&net).await.expect("verify") {
        assert!(intact, "{node}");
        if node != "LU-NCP" {
            assert!(length >= 5, "{node} journal has {length} entries");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripted_exchange_behaves_as_the_treaty_requires_on_sqlite() {
    scripted(Stores::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripted_exchange_behaves_as_the_treaty_requires_on_postgres() {
    scripted(postgres("scripted")).await;
}

async fn other_flows(stores: Stores) {
    let (_dir, net) = start(stores).await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let lu = login(&net, "LU", "lu.operator").await;
    let lu_sup = login(&net, "LU", "lu.supervisor").await;
    let be = login(&net, "BE", "be.operator").await;

    // Art. 4(2): spontaneous provision needs factual reasons.
    let spontaneous = json!({ "kind": "spontaneous", "to_party": "LU", "subjects": [{ "type": "object", "kind": "vehicle", "identifier": "LU-AB-123" }], "text": "vehicle seen at three burglaries" });
    refused(
        &nl.post("/api/v1/messages", &spontaneous).await.expect("post"),
        422,
        "4(2)",
    );
    let mut with_reasons = spontaneous.clone();
    with_reasons["factual_reasons_it_may_help"] = json!(true);
    let sp = nl
        .post("/api/v1/messages", &with_reasons)
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let sp_id = id(&sp);
    assert_eq!(arrives(&lu, &sp_id).await["kind"], "spontaneous_provision");

    // Art. 4(3): administrative measures, unless the requested party's law opposes.
    let admin = json!({ "kind": "administrative_measures", "to_party": "BE", "subjects": [{ "type": "person", "surname": "Peeters" }], "text": "closure of a café: public-order antecedents?", "requested_law_expressly_opposes": true });
    refused(&nl.post("/api/v1/messages", &admin).await.expect("post"), 422, "4(3)");
    let mut allowed = admin.clone();
    allowed["requested_law_expressly_opposes"] = json!(false);
    let am = nl
        .post("/api/v1/messages", &allowed)
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let am_id = id(&am);
    assert!(cites(&am, "4(3)"), "{am}");
    arrives(&be, &am_id).await;

    // Refusal: an unknown ground is rejected; a Directive 2023/977 ground is sent with reasons.
    let bad = be
        .post(
            &format!("/api/v1/messages/{am_id}/reply"),
            &json!({ "type": "refusal", "ground": "because", "reasons": "no" }),
        )
        .await
        .expect("post");
    assert_eq!(bad.status.as_u16(), 403, "{}", bad.body);
    let refusal = be
        .post(
            &format!("/api/v1/messages/{am_id}/reply"),
            &json!({ "type": "refusal", "ground": "2023/977:6(a)", "reasons": "no such data in our systems" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("refusal");
    let refusal_id = id(&refusal);
    assert_eq!(arrives(&nl, &refusal_id).await["kind"], "refusal");
    // The reply clock of the answered request is met.
    let inbox = be.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
    let answered = inbox
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == am_id.as_str())
        .expect("request");
    assert_eq!(answered["deadline"]["met"], true, "{answered}");

    // Art. 12(4): a Dutch provider provides in Dutch or English, not in German.
    let req = nl
        .post("/api/v1/messages", &json!({ "kind": "request", "to_party": "LU", "purpose": "criminal", "subjects": [{ "type": "person", "surname": "Weber" }], "text": "identity?" }))
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let req_id = id(&req);
    arrives(&lu, &req_id).await;
    refused(
        &lu.post(
            &format!("/api/v1/messages/{req_id}/reply"),
            &json!({ "type": "provision", "subjects": [], "text": "…", "language": "nl" }),
        )
        .await
        .expect("post"),
        403,
        "12(4)",
    );
    let prov = lu
        .post(
            &format!("/api/v1/messages/{req_id}/reply"),
            &json!({ "type": "provision", "subjects": [], "text": "Identité confirmée.", "language": "fr", "classification": "Restreint Lux", "consented_uses": ["disclosure"], "conditions": ["informer la personne seulement après la clôture"] }),
        )
        .await
        .expect("post")
        .ok()
        .expect("provision");
    let prov_id = id(&prov);
    arrives(&nl, &prov_id).await;
    let view = nl
        .get(&format!("/api/v1/messages/{prov_id}"))
        .await
        .expect("view")
        .ok()
        .expect("ok");
    assert_eq!(view["marking"], "Dep. VERTROUWELIJK", "{view}");
    let disclosure = view["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["action"] == "disclosure")
        .expect("disclosure");
    assert_eq!(
        disclosure["allowed"], true,
        "consent given with the provision (Art. 11(1)): {disclosure}"
    );
    assert!(view["conditions"].to_string().contains("clôture"), "{view}");

    // Consent denied: the use stays refused.
    let ask = nl
        .post(
            &format!("/api/v1/messages/{prov_id}/consent-request"),
            &json!({ "uses": ["other_purpose"], "reasons": "tax fraud inquiry" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("asked");
    let ask_id = id(&ask);
    arrives(&lu_sup, &ask_id).await;
    // The supervisor's queue in the API lists it, with the uses and reasons asked.
    let queue = lu_sup.get("/api/v1/consents").await.expect("get").ok().expect("queue");
    assert!(
        queue.as_array().is_some_and(|q| q
            .iter()
            .any(|c| c["reasons"] == "tax fraud inquiry" && c["uses"] == json!(["other_purpose"]))),
        "{queue}"
    );
    // Only a supervisor decides consent.
    assert_eq!(
        lu.post(
            &format!("/api/v1/messages/{ask_id}/consent"),
            &json!({ "decision": "deny", "reasons": "no" })
        )
        .await
        .expect("post")
        .status
        .as_u16(),
        403
    );
    let denial = lu_sup
        .post(
            &format!("/api/v1/messages/{ask_id}/consent"),
            &json!({ "decision": "deny", "reasons": "not for tax purposes" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("denied");
    arrives(&nl, &id(&denial)).await;

    // Art. 7(3): the provider asks what became of its data; the recipient answers.
    let fb = lu
        .post(&format!("/api/v1/messages/{prov_id}/feedback-request"), &json!({}))
        .await
        .expect("post")
        .ok()
        .expect("asked");
    assert!(cites(&fb, "7(3)"), "{fb}");
    let fb_id = id(&fb);
    arrives(&nl, &fb_id).await;
    let answer = nl
        .post(
            &format!("/api/v1/messages/{fb_id}/feedback"),
            &json!({ "text": "used to identify the suspect; case with the prosecutor" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("answered");
    assert_eq!(arrives(&lu, &id(&answer)).await["kind"], "feedback_answer");
    // Only the provider may ask (the recipient cannot ask feedback on data it received).
    refused(
        &nl.post(&format!("/api/v1/messages/{prov_id}/feedback-request"), &json!({}))
            .await
            .expect("post"),
        403,
        "7(3)",
    );

    // Art. 12(2): oral exchange only in an Art. 6(4) situation, confirmed in writing within 24 h.
    let at = jiff::Timestamp::now().to_string();
    let no_ground = json!({ "with_party": "BE", "at": at, "summary": "phone call", "direct": {} });
    refused(&nl.post("/api/v1/oral", &no_ground).await.expect("post"), 403, "12(2)");
    let zwb = login(&net, "NL", "nl.zwb").await;
    let oral = zwb
        .post("/api/v1/oral", &json!({ "with_party": "BE", "with_unit": "Antwerpen", "at": at, "summary": "phone call about a missing child at the border", "direct": { "urgent_delay_would_jeopardise": true } }))
        .await
        .expect("post")
        .ok()
        .expect("recorded");
    let oral_id = id(&oral);
    let mine = zwb.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
    let record = mine
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == oral_id.as_str())
        .expect("record");
    assert_eq!(record["deadline"]["article"], "12(2)", "{record}");
    assert_eq!(record["deadline"]["met"], false);
    zwb.post(
        "/api/v1/messages",
        &json!({ "kind": "spontaneous", "to_party": "BE", "to_unit": "Antwerpen", "factual_reasons_it_may_help": true, "subjects": [], "text": "written confirmation of our call", "confirms_oral": oral_id }),
    )
    .await
    .expect("post")
    .ok()
    .expect("confirmed");
    let mine = zwb.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
    let record = mine
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == oral_id.as_str())
        .expect("record");
    assert_eq!(record["deadline"]["met"], true, "{record}");

    // Art. 6(4): no direct exchange without a ground; 6(2): a regional channel only inside the region.
    refused(
        &nl.post("/api/v1/messages", &json!({ "kind": "request", "to_party": "BE", "via": "direct", "purpose": "criminal", "subjects": [{ "type": "person", "surname": "X" }], "text": "?" })).await.expect("post"),
        422,
        "6(4)",
    );
    let lu_officer = login(&net, "LU", "lu.officer").await;
    let preview = lu_officer
        .post("/api/v1/messages?preview=true", &json!({ "kind": "request", "to_party": "BE", "via": "ncp", "purpose": "public_order", "subjects": [{ "type": "person", "surname": "Y" }], "text": "?" }))
        .await
        .expect("post")
        .ok()
        .expect("preview");
    assert!(preview["message_id"].is_null(), "a preview sends nothing: {preview}");

    // Art. 6(2): a regional contact point or joint police centre only between border-region units.
    let regional = json!({ "kind": "request", "to_party": "BE", "to_unit": "Antwerpen", "via": "regional_contact_point", "purpose": "criminal", "subjects": [{ "type": "person", "surname": "Z" }], "text": "?" });
    let ok = nl
        .post("/api/v1/messages?preview=true", &regional)
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(cites(&ok, "6(2)"), "{ok}");
    let mut jpc = regional.clone();
    jpc["via"] = json!("joint_police_centre");
    let ok = nl
        .post("/api/v1/messages?preview=true", &jpc)
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(cites(&ok, "30(2)"), "{ok}");
    // The BE contact-point desk is not a border-region unit (LU's whole territory would be).
    let mut from_capital = jpc.clone();
    from_capital["to_party"] = json!("NL");
    from_capital["to_unit"] = json!("Zeeland-West-Brabant");
    refused(
        &be.post("/api/v1/messages?preview=true", &from_capital)
            .await
            .expect("post"),
        422,
        "6(2)",
    );
    // Art. 6(5): liaison officers.
    let mut liaison = regional.clone();
    liaison["via"] = json!("liaison_officer");
    let ok = lu_officer
        .post("/api/v1/messages?preview=true", &liaison)
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(cites(&ok, "6(5)"), "{ok}");

    // Roles, server-side: an officer cannot read the journal; the DPO can, and it verifies.
    assert_eq!(nl.get("/api/v1/journal").await.expect("get").status.as_u16(), 403);
    let dpo = login(&net, "NL", "nl.dpo").await;
    let journal = dpo
        .get("/api/v1/journal?from=1&limit=500")
        .await
        .expect("get")
        .ok()
        .expect("journal");
    assert!(journal.as_array().is_some_and(|j| j.len() > 10), "{journal}");
    // The DPO's search in the API: by operation, and a bad filter named.
    let found = dpo
        .get("/api/v1/journal/search?operation=disclosure&limit=5")
        .await
        .expect("get")
        .ok()
        .expect("search");
    let found = found.as_array().expect("entries");
    assert!(!found.is_empty() && found.len() <= 5);
    assert!(found.iter().all(|e| e["operation"] == "disclosure"), "{found:?}");
    let bad = dpo.get("/api/v1/journal/search?from=2026-13-01").await.expect("get");
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    assert_eq!(
        nl.get("/api/v1/journal/search").await.expect("get").status.as_u16(),
        403
    );
    let verify = dpo
        .get("/api/v1/journal/verify")
        .await
        .expect("get")
        .ok()
        .expect("verify");
    assert_eq!(verify["intact"], true, "{verify}");
    // A unit officer does not see another unit's messages.
    assert_eq!(
        zwb.get(&format!("/api/v1/messages/{prov_id}"))
            .await
            .expect("get")
            .status
            .as_u16(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_title2_flow_on_sqlite() {
    other_flows(Stores::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_title2_flow_on_postgres() {
    other_flows(postgres("other")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_to_the_officer_api_gets_a_clear_error() {
    let (_dir, net) = start(Stores::Sqlite).await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    // Malformed JSON: the error says where.
    let http_body = nl
        .post("/api/v1/messages", &json!({ "kind": "request", "to_party": "BE" }))
        .await
        .expect("post");
    assert_eq!(http_body.status.as_u16(), 422);
    assert!(
        http_body.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("subjects") || m.contains("text")),
        "{}",
        http_body.body
    );
    // Unknown party.
    let unknown = nl
        .post(
            "/api/v1/messages",
            &json!({ "kind": "request", "to_party": "XX", "purpose": "criminal", "subjects": [], "text": "?" }),
        )
        .await
        .expect("post");
    assert_eq!(unknown.status.as_u16(), 422, "{}", unknown.body);
    assert!(
        unknown.body["message"].as_str().is_some_and(|m| m.contains("XX")),
        "{}",
        unknown.body
    );
    // A message id that does not exist.
    assert_eq!(
        nl.get("/api/v1/messages/not-an-id").await.expect("get").status.as_u16(),
        404
    );
    // No session.
    let node = net.node("NL").expect("NL");
    let anonymous = reqwest_get(&node.api_url, &net.ca_pem).await;
    assert_eq!(anonymous, 401);
    // Wrong passwords are throttled after five attempts; the first is journaled at once, the
    // others in one summary entry (an anonymous caller must not grow the journal row by row).
    for _ in 0..5 {
        assert!(OfficerClient::login(&node.api_url, &net.ca_pem, "nl.dpo", "wrong")
            .await
            .is_err());
    }
    let err = OfficerClient::login(&node.api_url, &net.ca_pem, "nl.dpo", &demo_password("nl.dpo"))
        .await
        .expect_err("throttled");
    assert!(err.to_string().contains("429"), "{err}");
    let refusals = |entries: Vec<store::Entry>| {
        entries
            .iter()
            .filter(|e| e.entry.justification.starts_with("log-in refused"))
            .map(|e| e.entry.details["count"].as_u64().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    let store = &node.running.desk.node.store;
    assert_eq!(refusals(store.entries(1, 1000).await.expect("journal")), vec![1]);
    node::refusals::write_due(&node.running.desk.node, true).await;
    assert_eq!(refusals(store.entries(1, 1000).await.expect("journal")), vec![1, 4]);
}

async fn reqwest_get(base: &str, ca: &str) -> u16 {
    // The inbox without a bearer token.
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(ca.as_bytes()) {
        let cert: rustls::pki_types::CertificateDer<'static> = cert.expect("pem");
        roots.add(cert).expect("root");
    }
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client");
    http.get(format!("{base}/api/v1/inbox"))
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = node::http::api::openapi_json();
    if std::env::var_os("GRENS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: run `GRENS_UPDATE_OPENAPI=1 cargo test -p grens-node openapi` and commit it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_that_rewrites_its_journal_no_longer_matches_the_checkpoint_it_gave() {
    let (_dir, net) = start(Stores::Sqlite).await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let be_op = login(&net, "BE", "be.operator").await;
    let sent = nl
        .post("/api/v1/messages", &json!({ "kind": "request", "to_party": "BE", "purpose": "criminal", "subjects": [{ "type": "person", "surname": "Maes" }], "text": "antecedents?" }))
        .await
        .expect("post")
        .ok()
        .expect("sent");
    arrives(&be_op, &id(&sent)).await;
    let be_admin = login(&net, "BE", "be.admin").await;
    let checkpoints = be_admin
        .post("/api/v1/checkpoints", &json!({}))
        .await
        .expect("post")
        .ok()
        .expect("sent");
    let to_nl = checkpoints
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert_eq!(to_nl.len(), 2, "one checkpoint per partner: {checkpoints}");
    let nl_dpo = login(&net, "NL", "nl.dpo").await;
    for id in &to_nl {
        // One goes to LU; wait for the one NL receives.
        let inbox = nl_dpo.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
        if inbox.to_string().contains(id.as_str()) {
            break;
        }
    }
    let mut history = Value::Null;
    for _ in 0..100 {
        history = nl_dpo
            .get("/api/v1/checkpoints/verify")
            .await
            .expect("get")
            .ok()
            .expect("verify");
        if history.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let be = history
        .as_array()
        .and_then(|a| a.iter().find(|h| h["partner"] == "BE-NCP"))
        .expect("BE checkpoint");
    assert_eq!(be["matches"], true, "{history}");
    let length = be["length"].as_u64().expect("length") as i64;

    // BE rewrites its whole history and re-chains it: its own chain verifies …
    let be_node = net.node("BE").expect("BE");
    let store::AnyStore::Sqlite(sqlite) = &be_node.running.desk.node.store else {
        panic!("SQLite expected");
    };
    sqlx::query("DELETE FROM journal WHERE seq >= 1")
        .execute(sqlite.pool())
        .await
        .expect("rewrite");
    let (mut now_length, _) = be_node.running.desk.node.store.head().await.expect("head");
    while now_length < length + 2 {
        be_node
            .running
            .desk
            .node
            .store
            .append(store::NewEntry {
                at: jiff::Timestamp::now(),
                operation: store::Operation::Consultation,
                actor: "BE/officer:forger".into(),
                justification: "a different past".into(),
                recipient: None,
                message_id: None,
                case_id: None,
                details: json!({}),
            })
            .await
            .expect("append");
        now_length += 1;
    }
    assert!(store::verify_chain(&be_node.running.desk.node.store)
        .await
        .expect("read")
        .is_ok());
    // … but it no longer matches what NL was given.
    let history = nl_dpo
        .get("/api/v1/checkpoints/verify")
        .await
        .expect("get")
        .ok()
        .expect("verify");
    let be = history
        .as_array()
        .and_then(|a| a.iter().find(|h| h["partner"] == "BE-NCP"))
        .expect("BE checkpoint");
    assert_eq!(be["matches"], false, "{history}");
    assert_ne!(be["current_head"], be["given_head"]);
}

/// Records an implementing agreement on `party`'s node, as its administrator would.
async fn agreement(net: &DemoNetwork, party: &str, reference: &str, databases: &str, from: &str, until: &str) {
    let desk = &net.node(party).expect("node").running.desk;
    let admin = desk
        .node
        .store
        .user(&format!("{}.admin", party.to_lowercase()))
        .await
        .expect("store")
        .expect("the demo administrator");
    let record =
        node::desk::Desk::agreement_from_fields(reference, "Art. 14 BE–NL", "BE, NL", "14", databases, from, until)
            .expect("fields");
    desk.put_agreement(&admin, &record).await.expect("recorded");
}

/// Waits for the answer to hit/no-hit query `query` in `client`'s inbox and returns its body.
/// Sends a consultation (Arts. 15–17) and waits for the owner's answer or refusal.
async fn consulted(client: &OfficerClient, body: &Value) -> Value {
    let sent = client
        .post("/api/v1/consultations", body)
        .await
        .expect("post")
        .ok()
        .expect("sent");
    answer_to(client, &id(&sent)).await
}

async fn answer_to(client: &OfficerClient, query: &str) -> Value {
    for _ in 0..300 {
        let inbox = client.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
        if let Some(m) = inbox.as_array().and_then(|a| {
            a.iter()
                .find(|m| m["in_reply_to"] == query && m["direction"] == "incoming")
        }) {
            let view = client
                .get(&format!("/api/v1/messages/{}", m["id"].as_str().expect("id")))
                .await
                .expect("view")
                .ok()
                .expect("ok");
            return view["envelope"]["body"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no answer to {query}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art14_hit_no_hit_queries_between_nodes_are_checked_answered_and_journaled_on_both_sides() {
    let (_dir, net) = start(Stores::Sqlite).await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let janssens =
        json!({ "type": "person", "given_names": ["Jan"], "surname": "JANSSENS", "birth_date": "1984-12-03" });
    let ask = |database: &str, subjects: Value| json!({ "to_party": "BE", "database": database, "subjects": subjects, "case_reference": "PV 2026/0412 burglaries Eindhoven" });
    // No implementing agreement yet (Art. 14(5)).
    let a = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([janssens])))
        .await
        .expect("post");
    refused(&a, 403, "14(5)");
    // An expired one is named as such.
    agreement(&net, "NL", "BE-NL-14-OLD", "ANG", "2020-01-01", "2025-12-31").await;
    let a = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([janssens])))
        .await
        .expect("post");
    refused(&a, 403, "14(5)");
    assert!(a.body.to_string().contains("expired on 2025-12-31"), "{}", a.body);
    // In force on the requesting side only: BE's node refuses the query itself.
    agreement(&net, "NL", "BE-NL-14", "ANG, BVH", "2026-01-01", "").await;
    let sent = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([janssens])))
        .await
        .expect("post")
        .ok()
        .expect("allowed on the NL side");
    let answer = answer_to(&nl, &id(&sent)).await;
    assert_eq!(answer["type"], "hit_refusal", "{answer}");
    assert!(reasons(&answer).contains("no implementing agreement"), "{answer}");
    // Both sides in force: a hit (day and month swapped in the query) with an opaque reference.
    agreement(&net, "BE", "BE-NL-14", "ANG, BVH", "2026-01-01", "").await;
    let sent = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([janssens])))
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert!(cites(&sent, "14(3)") && cites(&sent, "annex6"), "{sent}");
    let query_id = id(&sent);
    let answer = answer_to(&nl, &query_id).await;
    assert_eq!(answer["type"], "hit_answer", "{answer}");
    assert_eq!(answer["hit"], true, "{answer}");
    let reference = answer["reference"].as_str().expect("a reference").to_owned();
    assert!(
        reference.starts_with("HIT-") && !answer.to_string().contains("ANG-0000001"),
        "opaque: {answer}"
    );
    // Someone not there: no hit, no reference. A vehicle: a hit.
    let nobody =
        json!({ "type": "person", "given_names": ["Xaver"], "surname": "Quirrenbach", "birth_date": "1950-01-01" });
    let sent = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([nobody])))
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let answer = answer_to(&nl, &id(&sent)).await;
    assert_eq!(
        (answer["hit"].clone(), answer.get("reference").cloned()),
        (json!(false), None),
        "{answer}"
    );
    let van = json!({ "type": "object", "kind": "vehicle", "identifier": "1 abc 123" });
    let sent = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([van])))
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    assert_eq!(answer_to(&nl, &id(&sent)).await["hit"], true);
    // Two errors at once — two letters of the family name changed and the day and month of
    // the birth date — make no hit but a possible one, with a reference to check by request.
    let two_errors =
        json!({ "type": "person", "given_names": ["Jan"], "surname": "JAMSSENT", "birth_date": "1984-03-12" });
    let sent = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([two_errors])))
        .await
        .expect("post")
        .ok()
        .expect("allowed");
    let answer = answer_to(&nl, &id(&sent)).await;
    assert_eq!(
        (answer["hit"].clone(), answer["possible"].clone()),
        (json!(false), json!(true)),
        "{answer}"
    );
    assert!(
        answer["reference"].as_str().is_some_and(|r| r.starts_with("HIT-")),
        "{answer}"
    );
    // Refused before anything is sent: a database not in annex 6 for Art. 14, a bulk query.
    let a = nl
        .post("/api/v1/hit-queries", &ask("RIJKSREGISTER", json!([janssens])))
        .await
        .expect("post");
    refused(&a, 403, "14(1)");
    assert!(
        a.body.to_string().contains("annex 6 does not list RIJKSREGISTER"),
        "{}",
        a.body
    );
    let a = nl
        .post("/api/v1/hit-queries", &ask("ANG", json!([janssens, nobody])))
        .await
        .expect("post");
    refused(&a, 403, "14(3)");
    let mut no_case = ask("ANG", json!([janssens]));
    no_case["case_reference"] = json!(" ");
    refused(
        &nl.post("/api/v1/hit-queries", &no_case).await.expect("post"),
        403,
        "14(3)",
    );

    // The hit becomes an Art. 4 request quoting the reference; BE's contact point resolves it.
    let request = nl
        .post(
            "/api/v1/messages",
            &json!({ "kind": "request", "to_party": "BE", "purpose": "criminal", "subjects": [janssens],
                     "text": "Art. 14 hit: please provide the data", "hit_reference": reference }),
        )
        .await
        .expect("post")
        .ok()
        .expect("request sent");
    let be = login(&net, "BE", "be.operator").await;
    arrives(&be, &id(&request)).await;
    let view = be
        .get(&format!("/api/v1/messages/{}", id(&request)))
        .await
        .expect("view")
        .ok()
        .expect("ok");
    assert_eq!(view["envelope"]["body"]["hit_reference"], reference.as_str());
    let resolved = be
        .get(&format!("/api/v1/hit-references/{reference}"))
        .await
        .expect("get")
        .ok()
        .expect("resolved");
    assert_eq!(resolved["records"], json!(["ANG-0000001"]), "{resolved}");
    assert_eq!(resolved["query"], query_id.as_str());
    // An officer of another node cannot resolve it; an unknown reference is named.
    assert_eq!(
        nl.get(&format!("/api/v1/hit-references/{reference}"))
            .await
            .expect("get")
            .status
            .as_u16(),
        403
    );
    assert_eq!(
        be.get("/api/v1/hit-references/HIT-nope")
            .await
            .expect("get")
            .status
            .as_u16(),
        404
    );

    // Both journals hold the query: who, why, when, the result.
    let requested = net
        .node("NL")
        .expect("NL")
        .running
        .desk
        .node
        .store
        .entries(1, 10_000)
        .await
        .expect("journal");
    assert!(requested.iter().any(|e| e
        .entry
        .justification
        .contains("Art. 14: hit/no-hit query of BE ANG for PV 2026/0412")
        && e.entry.actor.contains("nl.oostbrabant")));
    let owned = net
        .node("BE")
        .expect("BE")
        .running
        .desk
        .node
        .store
        .entries(1, 10_000)
        .await
        .expect("journal");
    assert!(owned.iter().any(|e| e
        .entry
        .justification
        .contains(&format!("ANG consulted for query {query_id}"))
        && e.entry.justification.ends_with(": hit")));
    assert!(owned
        .iter()
        .any(|e| e.entry.justification.contains("refused")
            && e.entry.justification.contains("no implementing agreement")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arts15_16_named_authorisations_are_checked_at_every_consultation_revoked_at_once_and_supervised() {
    let (_dir, net) = start(Stores::Sqlite).await;
    for party in ["BE", "NL"] {
        let desk = &net.node(party).expect("node").running.desk;
        let admin = desk
            .node
            .store
            .user(&format!("{}.admin", party.to_lowercase()))
            .await
            .expect("store")
            .expect("admin");
        let record =
            node::desk::Desk::agreement_from_fields("BE-NL-15-16", "", "BE NL", "15 16", "ANG", "2026-01-01", "")
                .expect("fields");
        desk.put_agreement(&admin, &record).await.expect("agreement");
    }
    let supervisor = login(&net, "BE", "be.supervisor").await;
    let zwb = login(&net, "NL", "nl.zwb").await;
    let other = login(&net, "NL", "nl.oostbrabant").await;
    let since = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    let grant = |article: u8, limit: Option<u32>| json!({ "article": article, "officer": "NL/nl.zwb", "databases": ["ANG"], "valid_from": since, "daily_limit": limit });
    let janssens =
        json!({ "type": "person", "given_names": ["Jan"], "surname": "Janssens", "birth_date": "1984-03-12" });
    let consult = |article: u8, patrol: Option<&str>| {
        json!({ "to_party": "BE", "database": "ANG", "article": article, "subjects": [janssens],
                "case_reference": "check at the joint post Heerlen", "patrol": patrol })
    };
    // An authorisation for a database annex 6 does not list is refused by name.
    let bad = supervisor
        .post(
            "/api/v1/authorisations",
            &json!({ "article": 15, "officer": "NL/nl.zwb", "databases": ["KBO"], "valid_from": since }),
        )
        .await
        .expect("post");
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    // Art. 15 at the joint police post: the named officer gets the data.
    let auth = supervisor
        .post("/api/v1/authorisations", &grant(15, None))
        .await
        .expect("post")
        .ok()
        .expect("granted");
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    let answer = consulted(&zwb, &consult(15, None)).await;
    assert_eq!(answer["type"], "consult_answer", "{answer}");
    assert!(answer["records"].to_string().contains("Janssens"), "{answer}");
    // Another officer of the same service, not named: refused.
    let answer = consulted(&other, &consult(15, None)).await;
    assert_eq!(answer["type"], "consult_refusal", "{answer}");
    assert!(reasons(&answer).contains("no named authorisation"), "{answer}");
    // Revoked: the very next consultation is refused.
    supervisor
        .post(&format!("/api/v1/authorisations/{auth_id}/revoke"), &json!({}))
        .await
        .expect("post")
        .ok()
        .expect("revoked");
    let answer = consulted(&zwb, &consult(15, None)).await;
    assert!(reasons(&answer).contains("revoked"), "{answer}");
    // A new authorisation beside the revoked one is the one in force, and the owner's own
    // condition (Art. 15(3)) applies: hours of the day that exclude this hour and the next.
    let hour = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .hour();
    let from = (i64::from(hour) + 2) % 24;
    let mut with_hours = grant(15, None);
    with_hours["hours"] = json!([from, from + 1]);
    supervisor
        .post("/api/v1/authorisations", &with_hours)
        .await
        .expect("post")
        .ok()
        .expect("granted");
    let answer = consulted(&zwb, &consult(15, None)).await;
    assert!(reasons(&answer).contains("(3): authorisation AUTH"), "{answer}");
    assert!(
        reasons(&answer).contains(&format!("from {from}:00 to {}:00 only", from + 1)),
        "{answer}"
    );

    // Art. 16 on a mixed patrol started in grens: allowed while it runs, refused once it ended.
    let patrol = supervisor
        .post(
            "/api/v1/patrols",
            &json!({ "area": "A2 Maastricht–Lanaken", "officers": ["NL/nl.zwb"] }),
        )
        .await
        .expect("post")
        .ok()
        .expect("started");
    let patrol_id = patrol["id"].as_str().expect("id").to_owned();
    supervisor
        .post("/api/v1/authorisations", &grant(16, Some(2)))
        .await
        .expect("post")
        .ok()
        .expect("granted");
    assert_eq!(
        consulted(&zwb, &consult(16, Some(&patrol_id))).await["type"],
        "consult_answer"
    );
    // The daily limit of 2: the second passes, the third is refused.
    assert_eq!(
        consulted(&zwb, &consult(16, Some(&patrol_id))).await["type"],
        "consult_answer"
    );
    let answer = consulted(&zwb, &consult(16, Some(&patrol_id))).await;
    assert!(reasons(&answer).contains("daily limit of 2"), "{answer}");
    supervisor
        .post(&format!("/api/v1/patrols/{patrol_id}/end"), &json!({}))
        .await
        .expect("post")
        .ok()
        .expect("ended");
    supervisor
        .post("/api/v1/authorisations", &grant(16, None))
        .await
        .expect("post")
        .ok()
        .expect("granted");
    let answer = consulted(&zwb, &consult(16, Some(&patrol_id))).await;
    assert!(reasons(&answer).contains("active mixed patrol"), "{answer}");
    // A patrol only planned (Art. 20) does not enable Art. 16 yet; once started it does.
    let planned = supervisor
        .post(
            "/api/v1/patrols",
            &json!({ "area": "Vaals–Gemmenich", "officers": ["NL/nl.zwb"], "planned_for": "2026-12-24T20:00:00+01:00" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("planned");
    let planned_id = planned["id"].as_str().expect("id").to_owned();
    let answer = consulted(&zwb, &consult(16, Some(&planned_id))).await;
    assert!(reasons(&answer).contains("active mixed patrol"), "{answer}");
    supervisor
        .post(&format!("/api/v1/patrols/{planned_id}/start"), &json!({}))
        .await
        .expect("post")
        .ok()
        .expect("started");
    // The first authorisation's daily limit is spent, but the second, without a limit, is also
    // in force: any authorisation whose conditions allow it will do (Art. 16(3)).
    let answer = consulted(&zwb, &consult(16, Some(&planned_id))).await;
    assert_eq!(answer["type"], "consult_answer", "{answer}");

    // The owner's supervision view lists every use under each authorisation.
    let view = supervisor
        .get("/api/v1/authorisations")
        .await
        .expect("get")
        .ok()
        .expect("supervision");
    let uses = |id: &str| -> Vec<String> {
        view.as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == id))
            .and_then(|x| x["uses"].as_array())
            .map(|u| u.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let first = uses(&auth_id);
    assert_eq!(
        first.len(),
        2,
        "one consultation, one refused after revocation: {first:?}"
    );
    assert!(first.iter().any(|u| u.contains("NL/nl.zwb consulted ANG")) && first.iter().any(|u| u.contains("revoked")));
    assert_eq!(view.as_array().map(Vec::len), Some(4), "{view}");
    // An officer may not see the supervision view.
    assert_eq!(
        zwb.get("/api/v1/authorisations").await.expect("get").status.as_u16(),
        403
    );
    // The consulting party records itself as controller (Art. 15(4)).
    let nl_journal = net
        .node("NL")
        .expect("NL")
        .running
        .desk
        .node
        .store
        .entries(1, 10_000)
        .await
        .expect("journal");
    assert!(nl_journal.iter().any(|e| e
        .entry
        .justification
        .contains("received consult_answer under benelux-2018 Art. 15(4)")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art17_register_lookups_need_an_implementing_agreement_and_a_register() {
    let (_dir, net) = start(Stores::Sqlite).await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let janssens =
        json!({ "type": "person", "given_names": ["Jan"], "surname": "Janssens", "birth_date": "1984-03-12" });
    let lookup = |database: &str| {
        json!({ "to_party": "BE", "database": database, "article": 17, "subjects": [janssens],
                "case_reference": "address check, PV 2026/0412" })
    };
    // Art. 17(2): not before an implementing agreement is in force.
    let answer = consulted(&nl, &lookup("RIJKSREGISTER")).await;
    assert_eq!(answer["type"], "consult_refusal", "{answer}");
    assert!(reasons(&answer).contains("no implementing agreement"), "{answer}");
    for party in ["BE", "NL"] {
        agreement_for(&net, party, "BE-NL-17", "17", "RIJKSREGISTER").await;
    }
    let answer = consulted(&nl, &lookup("RIJKSREGISTER")).await;
    assert_eq!(answer["type"], "consult_answer", "{answer}");
    assert!(answer["records"].to_string().contains("Janssens"), "{answer}");
    // A police database is not a register.
    let answer = consulted(&nl, &lookup("ANG")).await;
    assert!(
        reasons(&answer).contains("not a population or public register"),
        "{answer}"
    );
    let be = net
        .node("BE")
        .expect("BE")
        .running
        .desk
        .node
        .store
        .entries(1, 10_000)
        .await
        .expect("journal");
    assert!(be.iter().any(|e| e
        .entry
        .justification
        .contains("Art. 17: NL/nl.oostbrabant consulted RIJKSREGISTER")));
}

async fn agreement_for(net: &DemoNetwork, party: &str, reference: &str, articles: &str, databases: &str) {
    let desk = &net.node(party).expect("node").running.desk;
    let admin = desk
        .node
        .store
        .user(&format!("{}.admin", party.to_lowercase()))
        .await
        .expect("store")
        .expect("admin");
    let record = node::desk::Desk::agreement_from_fields(reference, "", "BE NL", articles, databases, "2026-01-01", "")
        .expect("fields");
    desk.put_agreement(&admin, &record).await.expect("agreement");
}
