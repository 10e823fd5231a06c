//! Directive 2016/680 Chapter V on the five-node network: BE passes data it received from NL to
//! Albania, refused until NL authorises it through grens, then sent with its basis and
//! documented for the supervisory authority; each condition of Arts. 35–39 refuses through the
//! real API; the Art. 35(2) urgency path informs NL at once; and no other path lets personal
//! data leave a member state's node for a third country.

use demo::network::{self, Ports, Stores, FULL};
use node::officer_client::{Answer, OfficerClient};
use protocol::{Body, Envelope, LegalBasis, NodeAddress, Subject};
use serde_json::{json, Value};
use treaty::PartyCode;

use crate::support::{eventually, journal_of, login};

fn id(a: &Value) -> String {
    a["message_id"].as_str().expect("message_id").to_owned()
}

/// The message `id` as `client`'s node stores it, once it has arrived.
async fn arrived(client: &OfficerClient, id: &str) -> Value {
    eventually(&format!("{id} reaches {}", client.username), || async {
        let a = client.get(&format!("/api/v1/messages/{id}")).await.expect("view");
        a.status.is_success().then_some(a.body)
    })
    .await
}

/// NL provides BE with a person's data (Art. 4(2)); returns the provision's id.
async fn nl_provides(nl: &OfficerClient, be: &OfficerClient, surname: &str) -> String {
    let sent = nl
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "spontaneous", "to_party": "BE", "factual_reasons_it_may_help": true,
                "subjects": [{ "type": "person", "given_names": ["Arben"], "surname": surname, "birth_date": "1988-05-02" }],
                "text": "Courier of a migrant-smuggling network, seen in Roosendaal on 3 November."
            }),
        )
        .await
        .expect("post")
        .ok()
        .expect("provided");
    let id = id(&sent);
    arrived(be, &id).await;
    id
}

fn transfer(facts: Value) -> Value {
    let mut body = json!({
        "to_party": "AL", "recipient": "competent_authority", "purpose": "criminal",
        "safeguards": "controller_assessment",
        "justification": "Albanian State Police investigate the same smuggling network (case TIR-2026-118)"
    });
    if let (Some(b), Some(f)) = (body.as_object_mut(), facts.as_object()) {
        for (k, v) in f {
            b.insert(k.clone(), v.clone());
        }
    }
    body
}

fn refused_citing(a: &Answer, article: &str) {
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    assert!(
        a.body.to_string().contains(&format!("\"2016/680:{article}\"")),
        "expected 2016/680:{article} in {}",
        a.body
    );
}

#[tokio::test]
async fn a_member_state_passes_anothers_data_to_a_third_country_only_through_chapter_v() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan: Vec<(&str, Ports)> = FULL.iter().map(|p| (*p, Ports { inbox: 0, api: 0 })).collect();
    let net = network::start_network(dir.path(), &plan, &Stores::Sqlite, None)
        .await
        .expect("network");
    let (nl, nl_sup) = (
        login(&net, "NL", "nl.operator").await,
        login(&net, "NL", "nl.supervisor").await,
    );
    let (be, be_dpo) = (
        login(&net, "BE", "be.operator").await,
        login(&net, "BE", "be.dpo").await,
    );
    let al = login(&net, "AL", "al.operator").await;
    let path = |id: &str| format!("/api/v1/messages/{id}/third-country-transfer");

    let data = nl_provides(&nl, &be, "Hoxha").await;

    // Art. 35(1)(c): NL has not authorised it; the refusal offers to ask NL through grens.
    let first = be.post(&path(&data), &transfer(json!({}))).await.expect("post");
    refused_citing(&first, "35(1)(c)");
    assert_eq!(
        first.body["offer"]["body"]["uses"],
        json!(["third_country_transfer"]),
        "{}",
        first.body
    );
    assert_eq!(first.body["offer"]["to"], "NL/NL-NCP", "{}", first.body);

    // Each other condition of Arts. 35–39 refuses on its own, citing it.
    for (facts, article) in [
        (json!({ "purpose": "other" }), "35(1)(a)"),
        (json!({ "recipient": "other" }), "39(1)"),
        (json!({ "recipient": "other", "individual_case": true }), "39(1)(a)"),
        (
            json!({ "recipient": "other", "individual_case": true, "strictly_necessary": true, "rights_override_public_interest": true }),
            "39(1)(b)",
        ),
        (
            json!({ "recipient": "other", "individual_case": true, "strictly_necessary": true }),
            "39(1)(c)",
        ),
    ] {
        refused_citing(&be.post(&path(&data), &transfer(facts)).await.expect("post"), article);
    }
    // A field the engine does not know names itself.
    let bad = be
        .post(&path(&data), &transfer(json!({ "derogation": "because" })))
        .await
        .expect("post");
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    assert!(
        bad.body["message"].as_str().is_some_and(|m| m.contains("derogation")),
        "{}",
        bad.body
    );

    // BE asks NL's prior authorisation; NL's supervisor grants it, under Art. 35(1)(c).
    let ask = be
        .post(
            &format!("/api/v1/messages/{data}/consent-request"),
            &json!({ "uses": ["third_country_transfer"], "reasons": "to the Albanian State Police, same network" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("asked");
    let ask_id = id(&ask);
    let asked = arrived(&nl_sup, &ask_id).await;
    assert!(asked.to_string().contains("35(1)(c)"), "{asked}");
    let grant = nl_sup
        .post(
            &format!("/api/v1/messages/{ask_id}/consent"),
            &json!({ "decision": "grant", "scope": "concrete_case" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("granted");
    let grant_id = id(&grant);
    arrived(&be, &grant_id).await;

    // Authorised: without any basis of Arts. 36–38 it is still refused (35(1)(d)); with the
    // controller's assessment (37(1)(b)) it goes, with the obligation to document it (37(3)).
    refused_citing(
        &be.post(&path(&data), &transfer(json!({ "safeguards": null })))
            .await
            .expect("post"),
        "35(1)(d)",
    );
    refused_citing(
        &be.post(
            &path(&data),
            &transfer(
                json!({ "safeguards": null, "derogation": "individual_case", "rights_override_public_interest": true }),
            ),
        )
        .await
        .expect("post"),
        "38(2)",
    );
    let sent = be
        .post(&path(&data), &transfer(json!({})))
        .await
        .expect("post")
        .ok()
        .expect("transferred");
    for article in ["35(1)(c)", "37(1)(b)", "37(3)"] {
        assert!(
            sent.to_string().contains(&format!("2016/680:{article}")),
            "{article}: {sent}"
        );
    }
    let transfer_id = id(&sent);
    let received = arrived(&al, &transfer_id).await;
    assert!(received.to_string().contains("Hoxha"), "{received}");

    // The documentation for the supervisory authority: when, to whom, why, on which basis,
    // with NL's authorisation and the data themselves; only the DPO or a supervisor reads it.
    let records = eventually("the transfer delivered and documented", || async {
        let r = be_dpo
            .get("/api/v1/transfers")
            .await
            .expect("get")
            .ok()
            .expect("records");
        r.as_array()
            .filter(|a| a.first().is_some_and(|t| t["delivery"] == "delivered"))
            .cloned()
    })
    .await;
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["message_id"], transfer_id.as_str());
    assert_eq!(record["receiving_authority"], "AL/AL-NCP");
    assert_eq!(record["received_from"], "NL");
    assert_eq!(record["authorisation"], grant_id.as_str());
    assert!(
        record["justification"]
            .as_str()
            .is_some_and(|j| j.contains("TIR-2026-118")),
        "{record}"
    );
    assert!(record["data"].to_string().contains("Hoxha"), "{record}");
    assert!(
        record["officer"].as_str().is_some_and(|o| o.contains("be.operator")),
        "{record}"
    );
    assert_eq!(be.get("/api/v1/transfers").await.expect("get").status.as_u16(), 403);
    let bad_date = be_dpo.get("/api/v1/transfers?since=2026-13-01").await.expect("get");
    assert_eq!(bad_date.status.as_u16(), 422, "{}", bad_date.body);
    assert!(
        bad_date.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("since")),
        "{}",
        bad_date.body
    );

    // The DPO's page lists it (in BE's DPO's language) and exports the records as JSON.
    let http = node::officer_client::browser_like(&net.ca_pem, reqwest::redirect::Policy::none()).expect("client");
    let base = &net.node("BE").expect("BE").api_url;
    let login = crate::web::web_login(&http, base, "be.dpo", &network::demo_password("be.dpo")).await;
    let cookie = crate::web::session_cookie(&login);
    let page = http
        .get(format!("{base}/transfers"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Doorgiften aan derde landen") && html.contains("TIR-2026-118"),
        "{html}"
    );
    assert!(html.contains("2016/680:37(1)(b)") && html.contains(&grant_id), "{html}");
    let export = http
        .get(format!("{base}/transfers.json"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("export");
    assert!(export
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|d| d.contains("chapter-v-transfers.json")));
    let exported: Value = serde_json::from_str(&export.text().await.expect("text")).expect("json");
    assert_eq!(exported[0]["message_id"], transfer_id.as_str(), "{exported}");

    // Art. 35(2): a second provision, an immediate and serious threat and no time to ask NL:
    // the transfer goes and NL is informed at once.
    let urgent = nl_provides(&nl, &be, "Dervishi").await;
    let sent = be
        .post(
            &path(&urgent),
            &transfer(json!({
                "safeguards": "legally_binding_instrument", "immediate_serious_threat": true,
                "authorisation_obtainable_in_time": false,
                "justification": "armed group crossing into Albania tonight"
            })),
        )
        .await
        .expect("post")
        .ok()
        .expect("transferred");
    assert!(sent.to_string().contains("2016/680:35(2)"), "{sent}");
    let notice = sent["notices"][0].as_str().expect("notice").to_owned();
    let told = arrived(&nl, &notice).await;
    assert!(told.to_string().contains("transfer_notice"), "{told}");

    // Both journals hold every step.
    let be_journal = journal_of(&net.node("BE").expect("BE").running.sender.store).await;
    assert!(
        be_journal.contains("Directive 2016/680 Chapter V: data of"),
        "{be_journal}"
    );
    assert!(be_journal.contains("Art. 35(2): NL told"), "{be_journal}");
    let al_journal = journal_of(&net.node("AL").expect("AL").running.sender.store).await;
    assert!(
        al_journal.contains("received spontaneous_provision under 2016/680 Art. 35(1)"),
        "{al_journal}"
    );

    // No other path: BE's outbox itself refuses personal data to AL without the decision.
    let be_node = net.node("BE").expect("BE");
    let bare = Envelope::new(
        NodeAddress::node(PartyCode::parse("BE").expect("BE"), "BE-NCP"),
        NodeAddress::node(PartyCode::parse("AL").expect("AL"), "AL-NCP"),
        jiff::Timestamp::now(),
        LegalBasis {
            instrument: "2016/680".into(),
            article: "35(1)".parse().expect("article"),
        },
        Body::SpontaneousProvision {
            subjects: Vec::<Subject>::new(),
            text: "names".into(),
            channel: protocol::Channel::Ncp,
            topic: None,
        },
    );
    let refused = be_node.running.sender.send(&bare, "BE/test", "bare").await;
    assert!(
        refused.as_ref().is_err_and(|e| e.to_string().contains("Art. 35(1)")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_attache_asks_albania_directly_and_albania_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan: Vec<(&str, Ports)> = FULL.iter().map(|p| (*p, Ports { inbox: 0, api: 0 })).collect();
    let net = network::start_network(dir.path(), &plan, &Stores::Sqlite, None)
        .await
        .expect("network");
    let (attache, si_dpo) = (login(&net, "SI", "si.attache").await, login(&net, "SI", "si.dpo").await);
    let (al, be) = (
        login(&net, "AL", "al.operator").await,
        login(&net, "BE", "be.operator").await,
    );
    let ask = json!({
        "to_party": "AL", "topic": "migrant_smuggling", "asks": true,
        "subjects": [{ "type": "person", "given_names": ["Arben"], "surname": "Hoxha", "birth_date": "1988-05-02" }],
        "text": "Known to the Albanian State Police? Suspected driver of a smuggling route via Kranj.",
        "transfer": {
            "recipient": "competent_authority", "purpose": "criminal", "safeguards": "legally_binding_instrument",
            "justification": "identification of a suspected smuggler (SI case KR-2026-77)"
        }
    });

    // SI is a member state and AL a third country: without Chapter V facts nothing leaves.
    let mut bare = ask.clone();
    bare["transfer"] = Value::Null;
    let missing = attache.post("/api/v1/direct-exchanges", &bare).await.expect("post");
    assert_eq!(missing.status.as_u16(), 422, "{}", missing.body);
    assert!(
        missing.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("transfer:")),
        "{}",
        missing.body
    );
    // A topic the agreement does not cover is refused on its article.
    let mut tax = ask.clone();
    tax["topic"] = json!("tax_fraud");
    let refused = attache.post("/api/v1/direct-exchanges", &tax).await.expect("post");
    assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);
    assert!(refused.body.to_string().contains("\"3(1)\""), "{}", refused.body);
    // Under the Benelux treaty there is no such provision.
    let benelux = be.post("/api/v1/direct-exchanges", &ask).await.expect("post");
    assert_eq!(benelux.status.as_u16(), 422, "{}", benelux.body);
    assert!(benelux.body.to_string().contains("benelux-2018"), "{}", benelux.body);

    let sent = attache
        .post("/api/v1/direct-exchanges", &ask)
        .await
        .expect("post")
        .ok()
        .expect("sent");
    assert_eq!(sent["channel"], "liaison_officer", "{sent}");
    assert!(
        sent.to_string().contains("\"3(1)\"") && sent.to_string().contains("2016/680:37(1)(a)"),
        "{sent}"
    );
    let request = id(&sent);
    let received = arrived(&al, &request).await;
    assert!(received.to_string().contains("Hoxha"), "{received}");

    // AL answers from its records; AL is no member state, so no Chapter V on its side.
    let answer = al
        .post(
            &format!("/api/v1/messages/{request}/direct-answer"),
            &json!({
                "subjects": [{ "type": "person", "given_names": ["Arben"], "surname": "Hoxha", "birth_date": "1988-05-02" }],
                "text": "Known: convicted in Durrës in 2021 for smuggling migrants; current address in Shkodër."
            }),
        )
        .await
        .expect("post")
        .ok()
        .expect("answered");
    assert!(answer.to_string().contains("\"3(1)\""), "{answer}");
    let answered = arrived(&attache, &id(&answer)).await;
    assert!(answered.to_string().contains("Durrës"), "{answered}");
    // Answering what is not a direct exchange's request is refused, naming it.
    let wrong = al
        .post(
            &format!("/api/v1/messages/{}/direct-answer", id(&answer)),
            &json!({ "text": "?" }),
        )
        .await
        .expect("post");
    assert!(wrong.status.is_client_error(), "{}", wrong.body);

    // The attaché's view: both sides' cases with AL, whichever SI unit holds them — here one
    // the contact point opened — but not the cases with another party.
    let si_ncp = login(&net, "SI", "si.operator").await;
    let mut by_ncp = ask.clone();
    by_ncp["text"] = json!("Findings: the route's cars are rented in Koper under false names.");
    by_ncp["asks"] = json!(false);
    let ncp_case = id(&si_ncp
        .post("/api/v1/direct-exchanges", &by_ncp)
        .await
        .expect("post")
        .ok()
        .expect("sent"));
    let cases = attache.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
    let listed: Vec<&str> = cases["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        listed.contains(&ncp_case.as_str()) && listed.contains(&request.as_str()),
        "{cases}"
    );
    assert_eq!(
        attache
            .get(&format!("/api/v1/cases/{ncp_case}"))
            .await
            .expect("case")
            .status
            .as_u16(),
        200
    );
    assert_eq!(
        attache
            .get(&format!("/api/v1/messages/{ncp_case}"))
            .await
            .expect("message")
            .status
            .as_u16(),
        200
    );
    let elsewhere = attache.get("/api/v1/cases?partner=NL").await.expect("cases");
    assert_eq!(elsewhere.status.as_u16(), 403, "{}", elsewhere.body);

    // SI's documentation of the transfer names the attaché and the agreement as safeguard.
    let records = si_dpo
        .get("/api/v1/transfers")
        .await
        .expect("get")
        .ok()
        .expect("records");
    let record = records
        .as_array()
        .and_then(|a| a.iter().find(|r| r["message_id"] == request.as_str()))
        .expect("documented");
    assert!(
        record["officer"].as_str().is_some_and(|o| o.contains("si.attache")),
        "{record}"
    );
    assert!(record["articles"].to_string().contains("37(1)(a)"), "{record}");
    assert!(
        record["receiving_authority"]
            .as_str()
            .is_some_and(|r| r.contains("Albanian State Police")),
        "{record}"
    );
}
