//! Real nodes over real mutual TLS on loopback (port 0), with real SQLite journals.

mod anpr;
mod browser;
mod cases;
mod flows;
mod hardening;
mod operations;
mod sports;
mod support;
mod third_country;
mod web;
mod workflows;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use node::peer::courier::{Courier, Delivery};
use node::peer::directory::Directory;
use node::peer::inbox::{serve, NodeState};
use node::peer::pki::{DevCa, NodeCredentials};
use node::peer::tls;
use protocol::body::{Channel, Purpose};
use protocol::{sign, Body, Envelope, LegalBasis, NodeAddress, NodeKey};
use store::{verify_chain, AnyStore, JournalStore, SqliteStore};
use tokio::net::TcpListener;
use treaty::PartyCode;

struct Net {
    _dir: tempfile::TempDir,
    ca_pem: String,
    nl: NodeCredentials,
    /// A node of the other agreement (si-al) in the same directory.
    al: NodeCredentials,
    directory: Directory,
    be_store: AnyStore,
}

fn benelux() -> Arc<treaty::Profile> {
    Arc::new(
        treaty::Profile::builtin("benelux-2018")
            .expect("built in")
            .expect("valid"),
    )
}

fn party(p: &str) -> PartyCode {
    PartyCode::parse(p).expect("party")
}

/// Starts the BE node; NL (and others) are clients.
async fn network() -> Net {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = DevCa::new("test CA").expect("ca");
    let be = ca.issue("BE-NCP", party("BE"), None).expect("be");
    let nl = ca.issue("NL-NCP", party("NL"), None).expect("nl");
    let lu = ca.issue("LU-NCP", party("LU"), None).expect("lu");
    let al = ca.issue("AL-NCP", party("AL"), None).expect("al");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("https://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let directory = Directory {
        nodes: vec![
            be.directory_entry(&url),
            nl.directory_entry("https://127.0.0.1:1"),
            lu.directory_entry("https://127.0.0.1:2"),
            al.directory_entry("https://127.0.0.1:3"),
        ],
    };
    let be_store = AnyStore::Sqlite(SqliteStore::open(&dir.path().join("be.sqlite")).await.expect("store"));
    let server_tls = tls::server_config(&ca.cert_pem(), &be.tls_cert_pem, &be.tls_key_pem).expect("server tls");
    start_be(listener, server_tls, &be, &url, &directory, &be_store);
    Net {
        _dir: dir,
        ca_pem: ca.cert_pem(),
        nl,
        al,
        directory,
        be_store,
    }
}

/// Serves BE's inbox on `listener` with the real clock and a 5-minute skew.
fn start_be(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    be: &NodeCredentials,
    url: &str,
    directory: &Directory,
    store: &AnyStore,
) {
    let state = Arc::new(NodeState {
        me: be.directory_entry(url),
        key: NodeKey {
            kid: "BE-NCP".into(),
            key: be.signing_key.clone(),
        },
        directory: directory.clone(),
        store: store.clone(),
        clock: node::clock::Clock::system(),
        max_skew: SignedDuration::from_mins(5),
        databases: Vec::new(),
        arrived: Arc::new(tokio::sync::Notify::new()),
        anpr: Default::default(),
        metrics: Default::default(),
        profile: benelux(),
        refusals: Default::default(),
        duties: Default::default(),
    });
    tokio::spawn(serve(
        listener,
        tls,
        state,
        Default::default(),
        tokio_util::sync::CancellationToken::new(),
        tokio_util::task::TaskTracker::new(),
    ));
}

fn courier(ca_pem: &str, creds: &NodeCredentials) -> Courier {
    Courier::new(tls::client_config(ca_pem, &creds.tls_cert_pem, &creds.tls_key_pem).expect("client tls"))
        .expect("courier")
}

fn request(from: &str, from_party: &str, to: &str, to_party: &str, at: Timestamp) -> Envelope {
    Envelope::new(
        NodeAddress {
            party: party(from_party),
            node: from.into(),
            unit: None,
        },
        NodeAddress {
            party: party(to_party),
            node: to.into(),
            unit: None,
        },
        at,
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "4(1)".parse().expect("article"),
        },
        Body::Request {
            purpose: Purpose::Criminal,
            subjects: vec![],
            text: "Known to you?".into(),
            urgent: false,
            directly_accessible: false,
            channel: Channel::Ncp,
            direct_ground: None,
            hit_reference: None,
            topic: None,
        },
    )
}

fn nl_key(net: &Net) -> NodeKey {
    NodeKey {
        kid: "NL-NCP".into(),
        key: net.nl.signing_key.clone(),
    }
}

async fn journal_text(net: &Net) -> String {
    let (len, _) = net.be_store.head().await.expect("head");
    net.be_store
        .entries(1, len)
        .await
        .expect("entries")
        .iter()
        .map(|e| format!("{} {} {}\n", e.entry.operation, e.entry.actor, e.entry.justification))
        .collect()
}

fn be_entry(net: &Net) -> node::peer::directory::DirectoryEntry {
    net.directory.by_id("BE-NCP").expect("BE in directory").clone()
}

#[tokio::test]
async fn a_signed_request_is_stored_once_journaled_and_receipted() {
    let net = network().await;
    let nl = courier(&net.ca_pem, &net.nl);
    let signed = sign(
        &request("NL-NCP", "NL", "BE-NCP", "BE", Timestamp::now()),
        &nl_key(&net),
    )
    .expect("sign");
    let first = nl.deliver(&be_entry(&net), &signed).await.expect("delivered");
    assert!(
        matches!(first, Delivery::Receipted { ref sha256, .. } if *sha256 == signed.sha256()),
        "{first:?}"
    );
    // Delivered again (a retry after a lost answer): acknowledged, not applied twice.
    let again = nl.deliver(&be_entry(&net), &signed).await.expect("delivered");
    assert_eq!(again, first);
    let journal = journal_text(&net).await;
    assert_eq!(journal.lines().count(), 1, "{journal}");
    assert!(
        journal.contains("collection NL/NL-NCP received request under benelux-2018 Art. 4(1)"),
        "{journal}"
    );
    assert!(verify_chain(&net.be_store).await.expect("read").is_ok());
}

/// `request` under another instrument.
fn under(instrument: &str, mut envelope: Envelope) -> Envelope {
    envelope.legal_basis.instrument = instrument.into();
    envelope
}

#[tokio::test]
async fn a_message_under_an_agreement_either_node_is_not_party_to_is_refused_and_journaled() {
    let net = network().await;
    let be = be_entry(&net);
    let now = Timestamp::now();
    let (nl, al) = (courier(&net.ca_pem, &net.nl), courier(&net.ca_pem, &net.al));
    let al_key = NodeKey {
        kid: "AL-NCP".into(),
        key: net.al.signing_key.clone(),
    };
    let cases = [
        // AL is in the directory, under si-al only: nothing but receipts between it and BE.
        (
            &al,
            &al_key,
            "AL-NCP",
            "AL",
            "benelux-2018",
            403,
            "the sender AL-NCP (AL) is not party to agreement benelux-2018 (it takes part in si-al)",
        ),
        (
            &al,
            &al_key,
            "AL-NCP",
            "AL",
            "si-al",
            403,
            "the receiver BE-NCP (BE) is not party to agreement si-al (it takes part in benelux-2018)",
        ),
        // An EU directive binds member states only.
        (
            &al,
            &al_key,
            "AL-NCP",
            "AL",
            "2023/977",
            403,
            "cannot act under EU act 2023/977",
        ),
        (
            &nl,
            &nl_key(&net),
            "NL-NCP",
            "NL",
            "si-al",
            403,
            "the sender NL-NCP (NL) is not party to agreement si-al",
        ),
        (
            &nl,
            &nl_key(&net),
            "NL-NCP",
            "NL",
            "benelux",
            422,
            "unknown instrument 'benelux'",
        ),
    ];
    for (courier, key, from, from_party, instrument, status, reason) in cases {
        let envelope = under(instrument, request(from, from_party, "BE-NCP", "BE", now));
        let signed = sign(&envelope, key).expect("sign");
        let answer = courier.deliver(&be, &signed).await.expect("answer");
        assert!(
            matches!(answer, Delivery::Refused { status: s, reason: ref r } if s == status && r.contains(reason)),
            "{from} under {instrument}: {answer:?}"
        );
    }
    // Under the agreement both take part in, and under an EU act from a member state: stored.
    for instrument in ["benelux-2018", "2023/977"] {
        let signed = sign(
            &under(instrument, request("NL-NCP", "NL", "BE-NCP", "BE", now)),
            &nl_key(&net),
        )
        .expect("sign");
        let answer = nl.deliver(&be, &signed).await.expect("answer");
        assert!(matches!(answer, Delivery::Receipted { .. }), "{instrument}: {answer:?}");
    }
    let journal = journal_text(&net).await;
    assert_eq!(
        journal.matches("refused: legal_basis.instrument:").count(),
        5,
        "{journal}"
    );
    assert!(
        journal.contains(
            "AL/AL-NCP refused: legal_basis.instrument: the sender AL-NCP (AL) is not party to agreement benelux-2018"
        ),
        "{journal}"
    );
    assert!(verify_chain(&net.be_store).await.expect("read").is_ok());
}

#[test]
fn a_directory_that_puts_a_party_in_an_agreement_it_is_not_party_to_does_not_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = DevCa::new("test CA").expect("ca");
    let mut al = ca
        .issue("AL-NCP", party("AL"), None)
        .expect("al")
        .directory_entry("https://127.0.0.1:3");
    assert_eq!(al.agreements, ["si-al"]);
    al.agreements = vec!["benelux-2018".into()];
    let path = dir.path().join("network.toml");
    Directory { nodes: vec![al] }.save(&path).expect("save");
    let e = Directory::load(&path)
        .expect_err("AL is not a Benelux party")
        .to_string();
    assert!(
        e.contains("node AL-NCP: AL is not a party to agreement benelux-2018 (its parties: BE, LU, NL)"),
        "{e}"
    );
    // A directory written before there were agreements: its nodes are Benelux nodes.
    let be = ca
        .issue("BE-NCP", party("BE"), None)
        .expect("be")
        .directory_entry("https://127.0.0.1:1");
    Directory { nodes: vec![be] }.save(&path).expect("save");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("agreements = [\"benelux-2018\"]\n", "")).expect("write");
    assert!(!std::fs::read_to_string(&path).expect("read").contains("agreements"));
    let loaded = Directory::load(&path).expect("an old directory loads");
    assert_eq!(loaded.nodes[0].agreements, ["benelux-2018"]);
}

#[tokio::test]
async fn tampered_forged_misaddressed_stale_replayed_and_malformed_messages_are_refused_and_journaled() {
    let net = network().await;
    let nl = courier(&net.ca_pem, &net.nl);
    let be = be_entry(&net);
    let now = Timestamp::now();

    // A changed byte after signing.
    let mut signed = sign(&request("NL-NCP", "NL", "BE-NCP", "BE", now), &nl_key(&net)).expect("sign");
    let i = signed.bytes.len() / 2;
    signed.bytes[i] ^= 1;
    assert!(
        matches!(nl.deliver(&be, &signed).await.expect("answer"), Delivery::Refused { status: 401, ref reason } if reason.contains("signature does not verify"))
    );

    // Signed with another key under NL's name.
    let forger = NodeKey {
        kid: "NL-NCP".into(),
        key: ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
    };
    let forged = sign(&request("NL-NCP", "NL", "BE-NCP", "BE", now), &forger).expect("sign");
    assert!(matches!(
        nl.deliver(&be, &forged).await.expect("answer"),
        Delivery::Refused { status: 401, .. }
    ));

    // Addressed to another node.
    let to_lu = sign(&request("NL-NCP", "NL", "LU-NCP", "LU", now), &nl_key(&net)).expect("sign");
    assert!(
        matches!(nl.deliver(&be, &to_lu).await.expect("answer"), Delivery::Refused { status: 421, ref reason } if reason.contains("addressed to LU/LU-NCP"))
    );

    // Far outside the allowed clock skew.
    let stale = sign(
        &request("NL-NCP", "NL", "BE-NCP", "BE", now - SignedDuration::from_hours(2)),
        &nl_key(&net),
    )
    .expect("sign");
    assert!(
        matches!(nl.deliver(&be, &stale).await.expect("answer"), Delivery::Refused { status: 400, ref reason } if reason.contains("allowed 300s"))
    );

    // The same message id with other content: a replay.
    let original = request("NL-NCP", "NL", "BE-NCP", "BE", now);
    let ok = sign(&original, &nl_key(&net)).expect("sign");
    assert!(matches!(
        nl.deliver(&be, &ok).await.expect("answer"),
        Delivery::Receipted { .. }
    ));
    let mut altered = original.clone();
    altered.body = Body::Refusal {
        ground: "61".into(),
        reasons: "changed".into(),
        delayed_for_judicial_authorisation: false,
    };
    let replay = sign(&altered, &nl_key(&net)).expect("sign");
    assert!(
        matches!(nl.deliver(&be, &replay).await.expect("answer"), Delivery::Refused { status: 409, ref reason } if reason.contains("replay"))
    );

    // Malformed JSON, properly signed.
    let garbage = protocol::SignedMessage {
        bytes: b"{not json".to_vec(),
        signature: String::new(),
    };
    let garbage = resign(&garbage.bytes, &nl_key(&net));
    assert!(
        matches!(nl.deliver(&be, &garbage).await.expect("answer"), Delivery::Refused { status: 400, ref reason } if reason.contains("malformed envelope"))
    );

    let journal = journal_text(&net).await;
    for expected in [
        "signature does not verify",
        "addressed to LU/LU-NCP",
        "allowed 300s",
        "replay",
        "malformed envelope",
    ] {
        assert!(journal.contains(expected), "journal lacks '{expected}':\n{journal}");
    }
    assert!(verify_chain(&net.be_store).await.expect("read").is_ok());
}

/// Signs arbitrary bytes as a detached JWS, as a buggy or hostile sender could.
fn resign(bytes: &[u8], key: &NodeKey) -> protocol::SignedMessage {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"EdDSA","kid":"{}"}}"#, key.kid));
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(bytes));
    let sig = key.key.sign(input.as_bytes());
    protocol::SignedMessage {
        bytes: bytes.to_vec(),
        signature: format!("{header}..{}", URL_SAFE_NO_PAD.encode(sig.to_bytes())),
    }
}

#[tokio::test]
async fn a_certificate_of_another_ca_is_refused_in_the_handshake() {
    let net = network().await;
    let signed = sign(
        &request("NL-NCP", "NL", "BE-NCP", "BE", Timestamp::now()),
        &nl_key(&net),
    )
    .expect("sign");
    let rogue_ca = DevCa::new("rogue CA").expect("ca");
    let rogue = rogue_ca.issue("NL-NCP", party("NL"), None).expect("rogue");
    let client = Courier::new(tls::client_config(&net.ca_pem, &rogue.tls_cert_pem, &rogue.tls_key_pem).expect("tls"))
        .expect("courier");
    assert!(
        client.deliver(&be_entry(&net), &signed).await.is_err(),
        "a rogue certificate must not get through"
    );
    let journal = eventually_journaled(&net.be_store, "TLS handshake refused").await;
    assert!(journal.contains("UnknownIssuer"), "{journal}");
    assert_eq!(
        net.be_store.head().await.expect("head").0,
        1,
        "nothing but the refusal is journaled"
    );
}

/// The server journals a handshake refusal in its own task, after the client has seen the
/// failure: wait (bounded) until the entry is there, and return the journal's text.
async fn eventually_journaled(store: &AnyStore, needle: &str) -> String {
    support::eventually(&format!("'{needle}' reaches the journal"), || async {
        let text = support::journal_of(store).await;
        text.contains(needle).then_some(text)
    })
    .await
}

#[tokio::test]
async fn an_expired_certificate_and_an_unknown_node_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = DevCa::new("test CA").expect("ca");
    let be = ca.issue("BE-NCP", party("BE"), None).expect("be");
    let nl = ca.issue("NL-NCP", party("NL"), None).expect("nl");
    let expired = ca.issue("NL-NCP", party("NL"), Some((2024, 1, 1))).expect("expired");
    let stranger = ca.issue("XX-NODE", party("NL"), None).expect("stranger");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("https://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let directory = Directory {
        nodes: vec![be.directory_entry(&url), nl.directory_entry("https://127.0.0.1:1")],
    };
    let store = AnyStore::Sqlite(SqliteStore::open(&dir.path().join("be.sqlite")).await.expect("store"));
    start_be(
        listener,
        tls::server_config(&ca.cert_pem(), &be.tls_cert_pem, &be.tls_key_pem).expect("tls"),
        &be,
        &url,
        &directory,
        &store,
    );
    let be_entry = directory.by_id("BE-NCP").expect("BE").clone();
    let signed = sign(
        &request("NL-NCP", "NL", "BE-NCP", "BE", Timestamp::now()),
        &NodeKey {
            kid: "NL-NCP".into(),
            key: nl.signing_key.clone(),
        },
    )
    .expect("sign");

    let old = courier(&ca.cert_pem(), &expired);
    assert!(
        old.deliver(&be_entry, &signed).await.is_err(),
        "an expired certificate must not get through"
    );

    let unknown = courier(&ca.cert_pem(), &stranger);
    assert!(
        matches!(unknown.deliver(&be_entry, &signed).await.expect("answer"), Delivery::Refused { status: 403, ref reason } if reason.contains("not in the network directory"))
    );

    let good = courier(&ca.cert_pem(), &nl);
    assert!(matches!(
        good.deliver(&be_entry, &signed).await.expect("answer"),
        Delivery::Receipted { .. }
    ));

    let text = eventually_journaled(&store, "TLS handshake refused").await;
    assert!(text.contains("certificate expired"), "{text}");
    assert!(text.contains("not in the network directory"), "{text}");
}

#[tokio::test]
async fn messages_wait_in_the_outbox_while_the_partner_is_down_and_arrive_when_it_returns() {
    use node::peer::outbox::Sender;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = DevCa::new("test CA").expect("ca");
    let be = ca.issue("BE-NCP", party("BE"), None).expect("be");
    let nl = ca.issue("NL-NCP", party("NL"), None).expect("nl");
    // Reserve a port, then leave it closed: BE is down.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("https://127.0.0.1:{port}");
    let directory = Directory {
        nodes: vec![be.directory_entry(&url), nl.directory_entry("https://127.0.0.1:1")],
    };
    let nl_store = AnyStore::Sqlite(SqliteStore::open(&dir.path().join("nl.sqlite")).await.expect("store"));
    let sender = Sender {
        me: directory.by_id("NL-NCP").expect("NL").clone(),
        key: NodeKey {
            kid: "NL-NCP".into(),
            key: nl.signing_key.clone(),
        },
        store: nl_store.clone(),
        directory: directory.clone(),
        courier: courier(&ca.cert_pem(), &nl),
        clock: node::clock::Clock::system(),
        metrics: Default::default(),
        profile: benelux(),
    };
    for _ in 0..5 {
        let env = request("NL-NCP", "NL", "BE-NCP", "BE", Timestamp::now());
        sender
            .send(&env, "NL/officer:jdevries", "Art. 4(1) request")
            .await
            .expect("queued");
    }
    let now = Timestamp::now();
    let down = sender.deliver_due(now).await.expect("round");
    assert_eq!(down.retrying, 5, "{down:?}");
    // Not due again before the backoff has passed.
    assert_eq!(sender.deliver_due(now).await.expect("round").retrying, 0);

    // BE comes back on the same port.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("rebind");
    let be_store = AnyStore::Sqlite(SqliteStore::open(&dir.path().join("be.sqlite")).await.expect("store"));
    start_be(
        listener,
        tls::server_config(&ca.cert_pem(), &be.tls_cert_pem, &be.tls_key_pem).expect("tls"),
        &be,
        &url,
        &directory,
        &be_store,
    );
    let up = sender
        .deliver_due(now + SignedDuration::from_mins(2))
        .await
        .expect("round");
    assert_eq!(up.delivered, 5, "{up:?}");
    assert_eq!(
        nl_store.outbox_counts().await.expect("counts"),
        store::OutboxCounts {
            pending: 0,
            delivered: 5,
            refused: 0
        }
    );
    assert_eq!(
        be_store.head().await.expect("head").0,
        5,
        "each message journaled once at BE"
    );
    // NL journaled each disclosure when it was queued.
    assert_eq!(nl_store.head().await.expect("head").0, 5);
}

#[test]
fn backoff_doubles_up_to_a_minute_with_bounded_jitter() {
    use node::peer::outbox::backoff;
    let ms = |a| backoff(a, "m-1").as_millis();
    assert!((500..=600).contains(&ms(0)), "{}", ms(0));
    assert!((1000..=1200).contains(&ms(1)), "{}", ms(1));
    assert!((60_000..=72_000).contains(&ms(20)), "{}", ms(20));
    assert!(ms(3) > ms(2));
}
