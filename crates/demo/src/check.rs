//! The scripted exchange of `grens demo --check`, run through the officers' API and the real
//! network: every step states what the treaty requires and checks that the nodes did it.

use std::time::Duration;

use serde_json::{json, Value};
use store::JournalStore;

use crate::network::{demo_password, DemoNetwork};
use node::officer_client::OfficerClient;
use node::NodeError;

/// One checked step.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub steps: Vec<Step>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.ok)
    }

    pub(crate) fn check(
        &mut self,
        name: &str,
        ok: bool,
        detail: impl Into<String>,
        print: &mut dyn FnMut(&Step),
    ) -> bool {
        let step = Step {
            name: name.to_owned(),
            ok,
            detail: detail.into(),
        };
        print(&step);
        self.steps.push(step);
        ok
    }
}

pub(crate) fn failed(what: &str, problem: impl std::fmt::Display) -> NodeError {
    NodeError::Delivery {
        to: what.to_owned(),
        problem: problem.to_string(),
    }
}

pub(crate) async fn login(net: &DemoNetwork, party: &str, username: &str) -> Result<OfficerClient, NodeError> {
    let node = net.node(party).ok_or_else(|| failed(party, "no such node"))?;
    OfficerClient::login(&node.api_url, &net.ca_pem, username, &demo_password(username)).await
}

/// Waits until `client`'s inbox holds message `id` (delivery is asynchronous).
async fn arrives(client: &OfficerClient, id: &str) -> Result<Value, NodeError> {
    for _ in 0..300 {
        let inbox = client.get("/api/v1/inbox").await?.ok()?;
        if let Some(m) = inbox
            .as_array()
            .and_then(|a| a.iter().find(|m| m["id"] == id && m["direction"] == "incoming"))
        {
            return Ok(m.clone());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(failed(
        &client.username,
        format!("message {id} did not arrive within 15 s"),
    ))
}

pub(crate) fn id_of(sent: &Value) -> Result<String, NodeError> {
    sent["message_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| failed("API", format!("no message_id in {sent}")))
}

fn cites(decision: &Value, article: &str) -> bool {
    decision["articles"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(article)))
}

/// Runs the scripted exchange, then the other Title 2 flows. `print` sees each step as
/// it is checked.
pub async fn run(net: &DemoNetwork, print: &mut dyn FnMut(&Step)) -> Result<Report, NodeError> {
    let mut r = Report::default();
    let nl = login(net, "NL", "nl.oostbrabant").await?;
    let be = login(net, "BE", "be.operator").await?;
    let be_sup = login(net, "BE", "be.supervisor").await?;

    // 1. NL (Oost-Brabant) asks the BE NCP about a person and a vehicle.
    let sent = nl
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "request", "to_party": "BE", "via": "ncp", "purpose": "criminal",
                "subjects": [
                    { "type": "person", "given_names": ["Jan"], "surname": "Janssens", "birth_date": "1984-03-12", "nationalities": ["BE"] },
                    { "type": "object", "kind": "vehicle", "identifier": "1-ABC-123", "country": "BE", "description": "grey Audi A4" }
                ],
                "text": "Investigation into a series of burglaries in Eindhoven: antecedents of the person and holder of the vehicle?"
            }),
        )
        .await?
        .ok()?;
    let request = id_of(&sent)?;
    r.check(
        "NL Oost-Brabant asks BE NCP (person + vehicle, investigation)",
        cites(&sent["decisions"][0], "6(1)") && cites(&sent["decisions"][1], "4(1)"),
        format!("request {request} via NCP; cites Art. 6(1), 4(1)"),
        print,
    );
    let arrived = arrives(&be, &request).await?;
    r.check(
        "BE receives it with its reply clock (Directive 2023/977 Art. 5)",
        arrived["deadline"]["due"].is_string() && arrived["deadline"]["overdue"] == false,
        format!("answer due {}", arrived["deadline"]["due"]),
        print,
    );

    // 2. BE answers: Vertrouwelijk, restricted to that investigation.
    let provision = be
        .post(
            &format!("/api/v1/messages/{request}/reply"),
            &json!({
                "type": "provision",
                "subjects": [{ "type": "person", "given_names": ["Jan"], "surname": "Janssens", "birth_date": "1984-03-12" }],
                "text": "Known for burglaries in Antwerpen (2024); holder of 1-ABC-123 since 2023.",
                "classification": "Vertrouwelijk",
                "purpose_restriction": [format!("investigation {request}")],
                "language": "nl"
            }),
        )
        .await?
        .ok()?;
    let provision = id_of(&provision)?;
    arrives(&nl, &provision).await?;
    let view = nl.get(&format!("/api/v1/messages/{provision}")).await?.ok()?;
    r.check(
        "NL sees the provision as Stg. CONFIDENTIEEL (Art. 8)",
        view["marking"] == "Stg. CONFIDENTIEEL",
        format!("marking shown: {}", view["marking"]),
        print,
    );

    // 3. Export as evidence: refused (10(3)), with an offer to ask consent.
    let evidence = json!({ "use": "evidence", "justification": "file with the public prosecutor in Oost-Brabant" });
    let refused = nl.post(&format!("/api/v1/messages/{provision}/use"), &evidence).await?;
    r.check(
        "NL export as evidence is refused (Art. 10(3)) and consent is offered",
        refused.status.as_u16() == 403
            && cites(&refused.body["decision"], "10(3)")
            && refused.body["offer"]["action"] == "consent_request",
        format!("{}: {}", refused.status, refused.body["message"]),
        print,
    );

    // 4. NL asks consent; BE grants it with a condition.
    let asked = nl
        .post(
            &format!("/api/v1/messages/{provision}/consent-request"),
            &json!({ "uses": ["evidence"], "reasons": "the burglary case goes to court in Den Bosch" }),
        )
        .await?
        .ok()?;
    let asked = id_of(&asked)?;
    arrives(&be_sup, &asked).await?;
    let condition = "only in the proceedings against J. Janssens; cite Belgian federal police as source";
    let granted = be_sup
        .post(
            &format!("/api/v1/messages/{asked}/consent"),
            &json!({ "decision": "grant", "scope": "concrete_case", "conditions": [condition] }),
        )
        .await?
        .ok()?;
    let granted = id_of(&granted)?;
    arrives(&nl, &granted).await?;
    r.check(
        "BE supervisor grants consent with a condition (Art. 11)",
        true,
        format!("consent {granted}"),
        print,
    );
    let allowed = nl
        .post(&format!("/api/v1/messages/{provision}/use"), &evidence)
        .await?
        .ok()?;
    r.check(
        "NL export as evidence is now allowed and shows the condition",
        allowed["allowed"] == true
            && cites(&allowed["decision"], "10(3)")
            && allowed["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|x| x == condition)),
        format!("conditions: {}", allowed["conditions"]),
        print,
    );

    // 5. Forward to a municipality: refused (9(1)).
    let forward = nl
        .post(
            &format!("/api/v1/messages/{provision}/use"),
            &json!({ "use": "onward_transfer", "recipient": "Gemeente Eindhoven", "justification": "closure of the premises" }),
        )
        .await?;
    r.check(
        "NL forwarding to a municipality is refused (Art. 9(1))",
        forward.status.as_u16() == 403 && cites(&forward.body["decision"], "9(1)"),
        format!("{}: {}", forward.status, forward.body["message"]),
        print,
    );

    // 6. Direct exchange between border-region units (6(4)(a)); both contact points notified.
    let antwerpen = login(net, "BE", "be.antwerpen").await?;
    let zwb = login(net, "NL", "nl.zwb").await?;
    let nl_op = login(net, "NL", "nl.operator").await?;
    let direct = antwerpen
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "request", "to_party": "NL", "to_unit": "Zeeland-West-Brabant", "via": "direct",
                "purpose": "public_order",
                "direct": { "within_competence_of_both": true, "subject_in_border_region": true },
                "subjects": [{ "type": "event", "description": "brawl at the border crossing Essen–Nispen" }],
                "text": "Are your units aware of the groups involved?"
            }),
        )
        .await?
        .ok()?;
    let direct_id = id_of(&direct)?;
    let be_notice = direct["notices"][0].as_str().unwrap_or_default().to_owned();
    arrives(&zwb, &direct_id).await?;
    let answer = zwb
        .post(
            &format!("/api/v1/messages/{direct_id}/reply"),
            &json!({ "type": "provision", "subjects": [], "text": "Yes: two groups known to us, details follow.", "language": "nl" }),
        )
        .await?
        .ok()?;
    let nl_notice = answer["notices"][0].as_str().unwrap_or_default().to_owned();
    let be_told = arrives(&be, &be_notice)
        .await
        .is_ok_and(|m| m["kind"] == "direct_exchange_notice");
    let nl_told = arrives(&nl_op, &nl_notice)
        .await
        .is_ok_and(|m| m["kind"] == "direct_exchange_notice");
    r.check(
        "BE Antwerpen and NL Zeeland-West-Brabant exchange directly (Art. 6(4)(a)); both contact points notified",
        cites(&direct["decisions"][0], "6(4)(a)") && be_told && nl_told,
        format!("BE notice {be_notice}, NL notice {nl_notice}"),
        print,
    );

    // 7. Every step is in both journals.
    let ids = [&request, &provision, &asked, &granted];
    for party in ["BE", "NL"] {
        let node = net.node(party).ok_or_else(|| failed(party, "no node"))?;
        let (length, _) = node.running.desk.node.store.head().await?;
        let entries = node.running.desk.node.store.entries(1, length).await?;
        let missing: Vec<&&String> = ids
            .iter()
            .filter(|id| {
                !entries
                    .iter()
                    .any(|e| e.entry.message_id.as_deref() == Some(id.as_str()))
            })
            .collect();
        r.check(
            &format!("every message of the exchange is in the {party} journal"),
            missing.is_empty(),
            format!("{length} entries; missing: {missing:?}"),
            print,
        );
    }
    let nl_journal = {
        let node = net.node("NL").ok_or_else(|| failed("NL", "no node"))?;
        let (length, _) = node.running.desk.node.store.head().await?;
        node.running.desk.node.store.entries(1, length).await?
    };
    let uses: Vec<&str> = nl_journal
        .iter()
        .filter(|e| e.entry.message_id.as_deref() == Some(provision.as_str()))
        .filter_map(|e| e.entry.details.get("use").and_then(Value::as_str))
        .collect();
    r.check(
        "NL journal records the refused and the allowed uses",
        uses == ["evidence", "evidence", "onward_transfer"],
        format!("uses journaled: {uses:?}"),
        print,
    );

    // 8. ANPR (Art. 13): NL shares a plate with BE under the demo's implementing agreement; BE's
    // contact point accepts it; a BE camera reads a look-alike of it; the hit reaches NL.
    crate::network::record_demo_agreements(net).await?;
    let shared = nl
        .post(
            "/api/v1/anpr/entries",
            &json!({ "plate": "XX-123-Y", "country": "NL", "category": "stolen vehicle",
                     "follow_up_action": "stop and check; inform the NL contact point",
                     "international_alert": "SIS II NL-V-2026-0042", "recipients": ["BE"] }),
        )
        .await?
        .ok()?;
    let entry_message = shared[0]["message_id"].as_str().unwrap_or_default().to_owned();
    arrives(&be, &entry_message).await?;
    be.post(
        &format!("/api/v1/anpr/received/{entry_message}/decision"),
        &json!({ "accept": true }),
    )
    .await?
    .ok()?;
    let cameras = login(net, "BE", "be.anpr").await?;
    let report = cameras
        .post(
            "/api/v1/anpr/reads",
            &json!({ "reads": [
                { "plate": "XX-I23-Y", "time": jiff::Timestamp::now().to_string(), "camera": "BE-E19-07", "location": "E19 Meer" },
                { "plate": "1-XYZ-789", "time": jiff::Timestamp::now().to_string(), "camera": "BE-E19-07" }
            ] }),
        )
        .await?
        .ok()?;
    let mut hit = Value::Null;
    for _ in 0..300 {
        let hits = nl.get("/api/v1/anpr/hits").await?.ok()?;
        if let Some(h) = hits.as_array().and_then(|a| a.first()) {
            hit = h.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    r.check(
        "ANPR: NL shares a plate with BE (Art. 13(2)), BE accepts, a camera's look-alike read returns a hit to NL (13(3))",
        cites(&shared[0]["decisions"][0], "13(2)") && report["hits"] == 1 && hit["matched"] == "look-alike (1)",
        format!(
            "entry {entry_message}; 2 reads, {} hit; NL sees {} read as {} at {}",
            report["hits"], hit["plate"], hit["plate_read"], hit["camera"]
        ),
        print,
    );

    // 9. A generated history of operations of every kind; BE's Art. 65 evaluation counts it.
    let history = crate::history::generate(net, 6, 36).await?;
    let now = net
        .node("BE")
        .map(|n| n.running.desk.now_public())
        .unwrap_or_else(jiff::Timestamp::now);
    let day = now
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let evaluation = be_sup
        .get(&format!("/api/v1/reports/art65?from={day}&until={day}"))
        .await?
        .ok()?;
    let kinds = evaluation["operations_by_kind"].as_array().map_or(0, Vec::len);
    let answered = evaluation["operation_answers"].as_array().map_or(0, Vec::len);
    r.check(
        "Art. 65: a generated history of operations of every kind between the three parties; BE's evaluation counts them by kind, party pair and answer",
        history.operations == 36 && kinds == 11 && answered == 6,
        format!(
            "{} requests, {} operations, {} events generated; BE counts {kinds} kinds of operation, answers for {answered} kinds of request",
            history.requests, history.operations, history.events
        ),
        print,
    );

    // 10. The full network: two agreements in one directory, each message kept to its own.
    crate::agreements_check::run(net, &mut r, print).await?;
    Ok(r)
}

/// Checks every node's hash chain; returns `(node, length, head, intact)`.
pub async fn verify_journals(net: &DemoNetwork) -> Result<Vec<(String, i64, String, bool)>, NodeError> {
    let mut out = Vec::new();
    for node in &net.nodes {
        let store = &node.running.desk.node.store;
        let (length, head) = store.head().await?;
        let intact = store::verify_chain(store).await?.is_ok();
        out.push((node.id.clone(), length, head, intact));
    }
    Ok(out)
}
