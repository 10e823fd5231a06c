//! The steps of `grens demo --check` that need the full network: two agreements in one
//! directory (BE, LU, NL under the Benelux treaty; SI and AL under `si-al`), and each message
//! kept to the nodes of the agreement it names.

use std::time::Duration;

use protocol::{Body, Envelope, LegalBasis, MessageId, NodeAddress, NodeKey};
use serde_json::{json, Value};

use crate::check::{failed, login, Report, Step};
use crate::network::DemoNetwork;
use node::peer::courier::{Courier, Delivery};
use node::NodeError;

/// Runs the steps when the network has SI and AL nodes; a Benelux-only network has none to run.
pub(crate) async fn run(net: &DemoNetwork, r: &mut Report, print: &mut dyn FnMut(&Step)) -> Result<(), NodeError> {
    if net.node("SI").is_none() || net.node("AL").is_none() {
        return Ok(());
    }
    // 1. BE's desk does not send a Benelux request to Albania: AL is not party to the treaty.
    let be = login(net, "BE", "be.operator").await?;
    let refused = be
        .post(
            "/api/v1/messages",
            &json!({
                "kind": "request", "to_party": "AL", "via": "ncp", "purpose": "criminal",
                "subjects": [{ "type": "person", "given_names": ["Arben"], "surname": "Hoxha", "birth_date": "1988-05-02" }],
                "text": "Antecedents of the person?"
            }),
        )
        .await?;
    let error = refused.body["message"].as_str().unwrap_or_default().to_owned();
    r.check(
        "BE's desk refuses a Benelux request to AL: AL is not party to the treaty",
        refused.status.is_client_error() && error.contains("AL") && error.contains("benelux-2018"),
        format!("{}: {error}", refused.status.as_u16()),
        print,
    );

    // 2. A message under the Benelux treaty that reaches AL's inbox anyway — signed by BE's own
    //    key over BE's own certificate — is refused there and journaled.
    let (status, reason, id) = deliver_as_be_to_al(net).await?;
    let dpo = login(net, "AL", "al.dpo").await?;
    let journaled = dpo
        .get("/api/v1/journal/search?actor=BE/BE-NCP&limit=50")
        .await?
        .ok()?
        .as_array()
        .is_some_and(|entries| {
            entries.iter().any(|e| {
                e["message_id"] == id.as_str()
                    && e["justification"]
                        .as_str()
                        .is_some_and(|j| j.contains("not party to agreement benelux-2018"))
            })
        });
    r.check(
        "AL's inbox refuses an envelope under benelux-2018 (BE's real key and certificate) and journals the refusal",
        status == 403 && reason.contains("AL-NCP (AL) is not party to agreement benelux-2018") && journaled,
        format!("{status}: {reason}"),
        print,
    );

    // 3. SI's journal checkpoint goes to its one partner, AL, which verifies SI's history
    //    through the network; the Benelux nodes get none.
    let si_dpo = login(net, "SI", "si.dpo").await?;
    let sent = si_dpo.post("/api/v1/checkpoints", &json!({})).await?.ok()?;
    let mut partners = Value::Null;
    for _ in 0..100 {
        partners = dpo.get("/api/v1/checkpoints/verify").await?.ok()?;
        if partners.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let verified = partners
        .as_array()
        .is_some_and(|a| a.len() == 1 && a[0]["partner"] == "SI-NCP" && a[0]["matches"] == true);
    r.check(
        "SI publishes its journal checkpoint to AL only (si-al); AL verifies SI's history through the network",
        sent.as_array().map(Vec::len) == Some(1) && verified,
        format!(
            "{} checkpoint(s) sent; AL: {partners}",
            sent.as_array().map_or(0, Vec::len)
        ),
        print,
    );

    // 4. Directive 2016/680 Chapter V: BE passes NL's data to AL once NL has authorised it.
    crate::third_country_check::run(net, r, print).await
}

/// Delivers a feedback request under the Benelux treaty from BE-NCP to AL-NCP with BE's
/// credentials from the demo's PKI folder: `(status, reason, message id)`.
async fn deliver_as_be_to_al(net: &DemoNetwork) -> Result<(u16, String, String), NodeError> {
    let pki = net.dir.join("pki");
    let read = |path: std::path::PathBuf| std::fs::read_to_string(&path).map_err(node::io(&path));
    let (cert, key) = (read(pki.join("BE-NCP/tls.crt"))?, read(pki.join("BE-NCP/tls.key"))?);
    let signing = node::peer::pki::read_signing_key(&pki.join("BE-NCP/signing.key"))?;
    let courier = Courier::new(node::peer::tls::client_config(&net.ca_pem, &cert, &key)?)?;
    let (be, al) = (
        net.node("BE").ok_or_else(|| failed("BE", "no such node"))?,
        net.node("AL").ok_or_else(|| failed("AL", "no such node"))?,
    );
    let directory = &al.running.desk.node.directory;
    let al_entry = directory
        .by_id(&al.id)
        .ok_or_else(|| failed("AL", "not in the directory"))?;
    let now = be.running.desk.now_public();
    let envelope = Envelope::new(
        NodeAddress::node(be.party.clone(), be.id.clone()),
        NodeAddress::node(al.party.clone(), al.id.clone()),
        now,
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "7(3)".parse().map_err(|e| failed("article", e))?,
        },
        Body::FeedbackRequest {
            about: MessageId::new(now),
        },
    );
    let key = NodeKey {
        kid: be.id.clone(),
        key: signing,
    };
    let signed = protocol::sign(&envelope, &key).map_err(|e| failed("signing", e))?;
    match courier.deliver(al_entry, &signed).await? {
        Delivery::Refused { status, reason } => Ok((status, reason, envelope.id.to_string())),
        Delivery::Receipted { .. } => Ok((200, "receipted".into(), envelope.id.to_string())),
    }
}
