//! The steps of `grens demo --check` with the third country: SI's attaché in Tirana asks AL
//! directly and AL answers (`exchange.direct`, SI's side through Chapter V); BE passes data it
//! received from NL to Albania, refused until NL authorises it through grens, then sent with its
//! basis and documented for BE's supervisory authority. Both journals hold each step.

use std::time::Duration;

use serde_json::{json, Value};

use crate::check::{failed, id_of, login, Report};
use crate::network::DemoNetwork;
use node::officer_client::OfficerClient;
use node::NodeError;

/// Waits until `client`'s node stores message `id` and returns it as the API shows it.
async fn stored(client: &OfficerClient, id: &str) -> Result<Value, NodeError> {
    for _ in 0..300 {
        let a = client.get(&format!("/api/v1/messages/{id}")).await?;
        if a.status.is_success() {
            return Ok(a.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(failed(
        &client.username,
        format!("message {id} did not arrive within 15 s"),
    ))
}

/// Whether `journal` (the search API's entries) holds an entry about message `id`.
fn journals(journal: &Value, id: &str) -> bool {
    journal
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["message_id"] == id))
}

pub(crate) async fn run(
    net: &DemoNetwork,
    r: &mut Report,
    print: &mut dyn FnMut(&crate::check::Step),
) -> Result<(), NodeError> {
    attache_asks_albania(net, r, print).await?;
    supporters_of_a_past_match(net, r, print).await?;
    transfer_of_anothers_data(net, r, print).await
}

/// SI's information point sends AL general information and a risk supporter for a match whose
/// erasure day (the event + 30 days, si-al Art. 5) has already passed on the demo's clock: both
/// nodes erase the risk supporter by themselves within a duty round and journal it.
async fn supporters_of_a_past_match(
    net: &DemoNetwork,
    r: &mut Report,
    print: &mut dyn FnMut(&crate::check::Step),
) -> Result<(), NodeError> {
    let (si, al) = (
        login(net, "SI", "si.operator").await?,
        login(net, "AL", "al.operator").await?,
    );
    let (si_dpo, al_dpo) = (login(net, "SI", "si.dpo").await?, login(net, "AL", "al.dpo").await?);
    let today = net
        .node("AL")
        .ok_or_else(|| failed("AL", "no such node"))?
        .running
        .desk
        .now_public()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let match_day = today
        .checked_sub(jiff::Span::new().days(32))
        .map_err(|e| failed("date", e))?;
    let send = |data: &str, supporters: Value, text: &str| {
        json!({
            "to_party": "AL",
            "event": {
                "competition": "UEFA Conference League, second qualifying round",
                "home_team": "FK Partizani", "away_team": "NK Olimpija Ljubljana",
                "venue": "Arena Kombëtare, Tirana", "date": match_day.to_string(), "host": "AL"
            },
            "data": data, "supporters": supporters, "text": text,
            "transfer": {
                "recipient": "competent_authority", "purpose": "public_security",
                "safeguards": "legally_binding_instrument",
                "justification": "risk supporters travelling to the match in Tirana"
            }
        })
    };
    let general = si
        .post(
            "/api/v1/sports-events/data",
            &send(
                "general",
                json!([]),
                "About 400 supporters, 8 coaches via Zagreb and Podgorica, arriving 14:00; 3 spotters",
            ),
        )
        .await?
        .ok()?;
    let risky = si
        .post(
            "/api/v1/sports-events/data",
            &send(
                "risk_supporters",
                json!([{ "person": { "type": "person", "given_names": ["Luka"], "surname": "Novak", "birth_date": "1996-02-14" },
                         "reason": "convicted of violence at the 2025 cup final; stadium ban in SI" }]),
                "One known risk supporter travelling with the coaches",
            ),
        )
        .await?
        .ok()?;
    let (general_id, risky_id) = (id_of(&general)?, id_of(&risky)?);
    stored(&al, &general_id).await?;
    let mut erased = false;
    for _ in 0..300 {
        let on_al = al.get(&format!("/api/v1/messages/{risky_id}")).await?.status.as_u16();
        let on_si = si.get(&format!("/api/v1/messages/{risky_id}")).await?.status.as_u16();
        if on_al == 404 && on_si == 404 {
            erased = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let si_journal = si_dpo
        .get("/api/v1/journal/search?operation=erasure&limit=10")
        .await?
        .ok()?;
    let al_journal = al_dpo
        .get("/api/v1/journal/search?operation=erasure&limit=10")
        .await?
        .ok()?;
    r.check(
        "SI's information point sends AL supporters' data for Partizani – Olimpija (si-al Art. 5); the risk supporter is erased on both nodes after the event, journaled; the general information stays",
        erased
            && journals(&si_journal, &risky_id)
            && journals(&al_journal, &risky_id)
            && stored(&al, &general_id).await.is_ok(),
        format!("match day {match_day}; general {general_id}, risk supporters {risky_id}"),
        print,
    );
    Ok(())
}

/// SI's attaché asks AL for a suspect's antecedents; AL's operator answers.
async fn attache_asks_albania(
    net: &DemoNetwork,
    r: &mut Report,
    print: &mut dyn FnMut(&crate::check::Step),
) -> Result<(), NodeError> {
    let (attache, si_dpo) = (login(net, "SI", "si.attache").await?, login(net, "SI", "si.dpo").await?);
    let (al, al_dpo) = (
        login(net, "AL", "al.operator").await?,
        login(net, "AL", "al.dpo").await?,
    );
    let sent = attache
        .post(
            "/api/v1/direct-exchanges",
            &json!({
                "to_party": "AL", "topic": "migrant_smuggling", "asks": true,
                "subjects": [{ "type": "person", "given_names": ["Gjon"], "surname": "Marku", "birth_date": "1979-11-20" }],
                "text": "Known to the Albanian State Police? Suspected organiser of a smuggling route via Kranj.",
                "transfer": {
                    "recipient": "competent_authority", "purpose": "criminal", "safeguards": "legally_binding_instrument",
                    "justification": "identification of a suspected smuggler (SI case KR-2026-77)"
                }
            }),
        )
        .await?
        .ok()?;
    let request = id_of(&sent)?;
    stored(&al, &request).await?;
    let answer = al
        .post(
            &format!("/api/v1/messages/{request}/direct-answer"),
            &json!({
                "subjects": [{ "type": "person", "given_names": ["Gjon"], "surname": "Marku", "birth_date": "1979-11-20" }],
                "text": "Known: convicted in Durrës in 2021 for smuggling migrants; current address in Shkodër."
            }),
        )
        .await?
        .ok()?;
    let answer_id = id_of(&answer)?;
    let answered = stored(&attache, &answer_id).await?;
    let si_journal = si_dpo.get("/api/v1/journal/search?limit=50").await?.ok()?;
    let al_journal = al_dpo.get("/api/v1/journal/search?limit=50").await?.ok()?;
    r.check(
        "SI's attaché in Tirana asks AL directly (si-al Art. 3(1), Chapter V by Art. 37(1)(a)); AL answers; both journals hold both messages",
        sent["channel"] == "liaison_officer"
            && sent.to_string().contains("2016/680:37(1)(a)")
            && answered.to_string().contains("Durrës")
            && journals(&si_journal, &request)
            && journals(&si_journal, &answer_id)
            && journals(&al_journal, &request)
            && journals(&al_journal, &answer_id),
        format!("request {request}, answer {answer_id}"),
        print,
    );
    Ok(())
}

/// BE passes NL's data to AL once NL has authorised it.
async fn transfer_of_anothers_data(
    net: &DemoNetwork,
    r: &mut Report,
    print: &mut dyn FnMut(&crate::check::Step),
) -> Result<(), NodeError> {
    let (nl, nl_sup) = (
        login(net, "NL", "nl.operator").await?,
        login(net, "NL", "nl.supervisor").await?,
    );
    let (be, be_dpo) = (
        login(net, "BE", "be.operator").await?,
        login(net, "BE", "be.dpo").await?,
    );
    let (al, al_dpo) = (
        login(net, "AL", "al.operator").await?,
        login(net, "AL", "al.dpo").await?,
    );

    let provided = nl
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "spontaneous", "to_party": "BE", "factual_reasons_it_may_help": true,
                "subjects": [{ "type": "person", "given_names": ["Arben"], "surname": "Hoxha", "birth_date": "1988-05-02" }],
                "text": "Courier of a migrant-smuggling network, seen in Roosendaal on 3 November."
            }),
        )
        .await?
        .ok()?;
    let data = id_of(&provided)?;
    stored(&be, &data).await?;
    let transfer = json!({
        "to_party": "AL", "recipient": "competent_authority", "purpose": "criminal",
        "safeguards": "controller_assessment",
        "justification": "Albanian State Police investigate the same network (case TIR-2026-118)"
    });
    let path = format!("/api/v1/messages/{data}/third-country-transfer");
    let first = be.post(&path, &transfer).await?;
    r.check(
        "BE's transfer to AL of data NL provided is refused until NL authorises it (Directive 2016/680 Art. 35(1)(c))",
        first.status.as_u16() == 403
            && first.body.to_string().contains("2016/680:35(1)(c)")
            && first.body["offer"]["body"]["uses"] == json!(["third_country_transfer"]),
        format!("{}: {}", first.status.as_u16(), first.body["message"]),
        print,
    );

    let ask = be
        .post(
            &format!("/api/v1/messages/{data}/consent-request"),
            &json!({ "uses": ["third_country_transfer"], "reasons": "to the Albanian State Police, same network" }),
        )
        .await?
        .ok()?;
    let ask_id = id_of(&ask)?;
    stored(&nl_sup, &ask_id).await?;
    let grant = nl_sup
        .post(
            &format!("/api/v1/messages/{ask_id}/consent"),
            &json!({ "decision": "grant", "scope": "concrete_case" }),
        )
        .await?
        .ok()?;
    let grant_id = id_of(&grant)?;
    stored(&be, &grant_id).await?;
    let sent = be.post(&path, &transfer).await?.ok()?;
    let sent_id = id_of(&sent)?;
    let received = stored(&al, &sent_id).await?;
    r.check(
        "NL authorises it through grens; BE's transfer then goes to AL under Arts. 35(1)(c) and 37(1)(b)",
        sent.to_string().contains("2016/680:35(1)(c)")
            && sent.to_string().contains("2016/680:37(1)(b)")
            && received.to_string().contains("Hoxha"),
        format!("authorisation {grant_id}, transfer {sent_id}"),
        print,
    );

    let mut record = Value::Null;
    for _ in 0..300 {
        let records = be_dpo.get("/api/v1/transfers?limit=10").await?.ok()?;
        if let Some(t) = records
            .as_array()
            .and_then(|a| a.iter().find(|t| t["message_id"] == sent_id.as_str()))
        {
            record = t.clone();
            if record["delivery"] == "delivered" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let be_journal = be_dpo.get("/api/v1/journal/search?limit=200").await?.ok()?;
    let al_journal = al_dpo.get("/api/v1/journal/search?limit=200").await?.ok()?;
    r.check(
        "BE documents the transfer for its supervisory authority (Art. 37(3)); both journals hold each step",
        record["authorisation"] == grant_id.as_str()
            && record["received_from"] == "NL"
            && record["delivery"] == "delivered"
            && record["data"].to_string().contains("Hoxha")
            && journals(&be_journal, &sent_id)
            && journals(&be_journal, &ask_id)
            && journals(&al_journal, &sent_id),
        format!(
            "{} to {}, {}",
            record["at"].as_str().unwrap_or("?"),
            record["receiving_authority"].as_str().unwrap_or("?"),
            record["articles"]
        ),
        print,
    );
    Ok(())
}
