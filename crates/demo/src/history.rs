//! A generated history for the demo network: requests answered, and operations of every kind
//! between every pair of parties carried through their steps — through the officers' API, so
//! every message is decided by the engine, signed, delivered and journaled as in real use. The
//! Art. 65 evaluation of the demo (`/reports/art65`) then has something to count and chart.
//!
//! Deterministic: operation `i` takes the `i`-th template and the `i`-th party pair, and its
//! outcome (granted or refused, detained or not, reported or not) follows from `i`.

use serde_json::{json, Value};

use crate::network::{demo_password, DemoNetwork};
use node::officer_client::OfficerClient;
use node::NodeError;

/// What was generated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    pub requests: usize,
    pub operations: usize,
    pub events: usize,
}

fn problem(what: impl Into<String>) -> NodeError {
    NodeError::Delivery {
        to: "generated history".into(),
        problem: what.into(),
    }
}

const PAIRS: [(&str, &str); 6] = [
    ("NL", "BE"),
    ("BE", "NL"),
    ("BE", "LU"),
    ("LU", "BE"),
    ("NL", "LU"),
    ("LU", "NL"),
];

/// The kinds generated, in turn; each is carried through its own steps.
const TEMPLATES: [&str; 12] = [
    "pursuit",
    "own_initiative",
    "observation_urgent",
    "observation",
    "investigation",
    "assistance",
    "transport",
    "train_boarding",
    "transit",
    "urgent_evidence",
    "special_units",
    "patrol",
];

/// The language a host's law requires for an investigation's report (Art. 23(5)).
fn report_language(host: &str) -> &'static str {
    match host {
        "NL" => "nl",
        _ => "fr",
    }
}

struct Clients {
    operators: Vec<(String, OfficerClient)>,
    supervisors: Vec<(String, OfficerClient)>,
}

impl Clients {
    fn operator(&self, party: &str) -> Result<&OfficerClient, NodeError> {
        self.operators
            .iter()
            .find(|(p, _)| p == party)
            .map(|(_, c)| c)
            .ok_or_else(|| problem(format!("no operator for {party}")))
    }
    fn supervisor(&self, party: &str) -> Result<&OfficerClient, NodeError> {
        self.supervisors
            .iter()
            .find(|(p, _)| p == party)
            .map(|(_, c)| c)
            .ok_or_else(|| problem(format!("no supervisor for {party}")))
    }
}

async fn post(c: &OfficerClient, path: &str, body: Value) -> Result<Value, NodeError> {
    let a = c.post(path, &body).await?;
    if !a.status.is_success() {
        return Err(problem(format!("{path}: {} {}", a.status, a.body)));
    }
    Ok(a.body)
}

/// One operation's events as they are recorded, counted for the history's figures.
struct EventLog {
    path: String,
    count: usize,
}

impl EventLog {
    async fn post(&mut self, c: &OfficerClient, body: Value) -> Result<(), NodeError> {
        post(c, &self.path, body).await?;
        self.count += 1;
        Ok(())
    }

    /// An event with its text only.
    async fn event(&mut self, c: &OfficerClient, event: &str, text: &str) -> Result<(), NodeError> {
        self.post(c, json!({ "event": event, "text": text })).await
    }
}

/// Waits until `c`'s node holds the operation `id` in `status` (the partner's message arrived).
async fn until_status(c: &OfficerClient, id: &str, statuses: &[&str]) -> Result<(), NodeError> {
    for _ in 0..200 {
        let a = c.get(&format!("/api/v1/operations/{id}")).await?;
        if a.status.is_success() && statuses.iter().any(|s| a.body["status"] == *s) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    Err(problem(format!("operation {id} never reached {statuses:?}")))
}

/// Generates `requests` answered requests and `operations` operations on the demo network.
pub async fn generate(net: &DemoNetwork, requests: usize, operations: usize) -> Result<History, NodeError> {
    let mut clients = Clients {
        operators: Vec::new(),
        supervisors: Vec::new(),
    };
    // The history is the Benelux treaty's (requests, operations, the Art. 65 evaluation).
    for node in net.nodes_of("benelux-2018") {
        let party = node.party.to_string();
        let login = |user: String| async move {
            OfficerClient::login(&node.api_url, &net.ca_pem, &user, &demo_password(&user)).await
        };
        let p = party.to_ascii_lowercase();
        clients
            .operators
            .push((party.clone(), login(format!("{p}.operator")).await?));
        clients
            .supervisors
            .push((party.clone(), login(format!("{p}.supervisor")).await?));
    }
    let mut h = History::default();
    for i in 0..requests {
        let (from, to) = PAIRS[i % PAIRS.len()];
        let sent = post(
            clients.operator(from)?,
            "/api/v1/messages",
            json!({ "kind": "request", "to_party": to, "via": "ncp", "purpose": "criminal",
                    "subjects": [{ "type": "person", "given_names": ["Sam"], "surname": format!("Generated-{i}"), "birth_date": "1990-01-01" }],
                    "text": format!("Generated request {i}: antecedents of the person?") }),
        )
        .await?;
        let id = sent["message_id"]
            .as_str()
            .ok_or_else(|| problem("a request without id"))?
            .to_owned();
        h.requests += 1;
        // Every third request stays unanswered for now; the others are answered.
        if i % 3 == 2 {
            continue;
        }
        let receiver = clients.operator(to)?;
        for _ in 0..200 {
            if receiver
                .get(&format!("/api/v1/messages/{id}"))
                .await?
                .status
                .is_success()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        post(
            receiver,
            &format!("/api/v1/messages/{id}/reply"),
            json!({ "type": "provision", "subjects": [], "text": "Not known to us.", "language": "en" }),
        )
        .await?;
    }
    for i in 0..operations {
        let template = TEMPLATES[i % TEMPLATES.len()];
        let (sending, host) = PAIRS[(i / TEMPLATES.len() + i) % PAIRS.len()];
        h.events += operation(&clients, template, sending, host, i).await?;
        h.operations += 1;
    }
    Ok(h)
}

/// Carries one operation through its steps; returns the number of events recorded after the
/// start.
async fn operation(c: &Clients, template: &str, sending: &str, host: &str, i: usize) -> Result<usize, NodeError> {
    let (s, hc) = (c.operator(sending)?, c.operator(host)?);
    let text = format!("Generated {} {i}", template.replace('_', " "));
    if template == "patrol" {
        let planned = post(
            c.supervisor(host)?,
            "/api/v1/patrols",
            json!({ "area": "Border region", "officers": [format!("{sending}/{}.operator", sending.to_ascii_lowercase())] }),
        )
        .await?;
        let id = planned["id"].as_str().unwrap_or_default().to_owned();
        if i % 2 == 0 {
            post(c.supervisor(host)?, &format!("/api/v1/patrols/{id}/end"), json!({})).await?;
            return Ok(1);
        }
        return Ok(0);
    }
    let started = match template {
        "pursuit" => {
            post(
                s,
                "/api/v1/operations/pursuits",
                json!({ "host": host, "medium": "land", "started_in_own_territory": true,
                        "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false, "text": text }),
            )
            .await?
        }
        _ => {
            let (kind, facts) = match template {
                "own_initiative" => (
                    "own_initiative",
                    json!({ "acute_danger": true, "host_cannot_arrive_in_time": true, "in_border_region": true,
                            "already_in_cross_border_operation": false }),
                ),
                "observation_urgent" => (
                    "observation",
                    json!({ "criminal_investigation": true, "offence_extraditable": true, "prior_authorisation": false,
                            "particularly_urgent": true, "enter_dwelling": false, "technical_means": false,
                            "technical_means_authorised": false,
                            "crossed_at": (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string() }),
                ),
                "observation" => (
                    "observation",
                    json!({ "criminal_investigation": true, "offence_extraditable": true, "prior_authorisation": true,
                            "particularly_urgent": false, "enter_dwelling": false, "technical_means": false,
                            "technical_means_authorised": false, "mla_reference": format!("MLA/{sending}/2026/{i:04}") }),
                ),
                "investigation" => (
                    "investigation",
                    json!({ "requires_judicial_order_in_host": false, "host_presence": true, "presence_waived_by_agreement": false }),
                ),
                "assistance" => (
                    "assistance",
                    json!({ "nature": "public order", "duration": "2 days", "objective": "event security",
                            "crossings": "series", "equipment": true, "equipment_items": ["4 vans", "radio sets"] }),
                ),
                "transport" => ("transport", json!({})),
                "train_boarding" => (
                    "train_boarding",
                    json!({ "arrest_or_seizure_at_home": false, "next_scheduled_stop_in": host }),
                ),
                "transit" => ("transit", json!({ "with_detained_person": i % 2 == 0, "with_goods": false })),
                "urgent_evidence" => ("urgent_evidence", json!({ "real_risk_of_loss": true, "oral": true })),
                _ => (
                    "special_units",
                    json!({ "crisis": true, "direct_between_special_units": false, "consent_of_competent_authorities": true }),
                ),
            };
            // Assistance is asked by the host of the party that sends its officers.
            let (asker, body) = if matches!(kind, "assistance" | "special_units") {
                (hc, json!({ "kind": kind, "partner": sending, "facts": facts, "text": text }))
            } else {
                (s, json!({ "kind": kind, "host": host, "facts": facts, "text": text }))
            };
            post(asker, "/api/v1/operations", body).await?
        }
    };
    let id = started["id"]
        .as_str()
        .ok_or_else(|| problem("an operation without id"))?
        .to_owned();
    let mut log = EventLog {
        path: format!("/api/v1/operations/{id}/events"),
        count: 0,
    };
    let requested = started["status"] == "requested";
    if requested {
        // The party asked answers: the host, or for assistance the sending party.
        let answerer = if matches!(template, "assistance" | "special_units") {
            s
        } else {
            hc
        };
        until_status(answerer, &id, &["requested"]).await?;
        let refuse = i % 4 == 3;
        let terms = if template == "observation" {
            json!({ "authorised_hours": 8 })
        } else {
            json!({})
        };
        log.post(
            answerer,
            json!({ "event": if refuse { "refused" } else { "granted" },
                    "text": if refuse { "No capacity in the period asked" } else { "Granted within the framework agreed" },
                    "facts": terms }),
        )
        .await?;
        if refuse {
            if matches!(template, "investigation" | "transport") {
                log.event(hc, "executes_itself", "Our service carries it out").await?;
            }
            return Ok(log.count);
        }
        until_status(s, &id, &["active"]).await?;
        if template == "urgent_evidence" {
            log.event(s, "confirmed_in_writing", "Confirmed by letter").await?;
            return Ok(log.count);
        }
        log.event(s, "crossing", "Crossed the border").await?;
    }
    until_status(hc, &id, &["active"]).await?;
    match template {
        "pursuit" => {
            log.event(hc, "acknowledged", "Host patrol on its way").await?;
            if i % 2 == 0 {
                log.event(hc, "detained", "Driver held").await?;
                let last = if i % 4 == 0 { "eaw_received" } else { "released" };
                log.event(hc, last, "").await?;
            }
        }
        "own_initiative" => {
            log.event(
                hc,
                "acknowledged",
                "Our units arrive from the north; keep the access free",
            )
            .await?;
        }
        "observation" => {
            log.event(s, "hours", "3").await?;
        }
        _ => {}
    }
    // Most operations end; most ended ones are reported (Art. 46), some are still due.
    if i % 5 != 4 {
        log.event(s, "ended", "Operation over").await?;
        if i % 3 != 0 {
            let mut report = json!({ "event": "report_filed", "text": "Report to the host authority" });
            if template == "investigation" {
                report["language"] = json!(report_language(host));
            }
            log.post(s, report).await?;
        }
    }
    Ok(log.count)
}
