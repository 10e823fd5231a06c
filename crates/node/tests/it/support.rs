//! What the node's integration tests share: a demo network on SQLite or PostgreSQL, officers
//! logged in, an implementing agreement, waiting for something with one time limit, a node's
//! journal as text.

use std::future::Future;
use std::time::{Duration, Instant};

use demo::network::{self, demo_password, DemoNetwork, Ports, Stores};
use node::officer_client::OfficerClient;
use store::{AnyStore, JournalStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long any test waits for something that happens between nodes.
pub const WAIT: Duration = Duration::from_secs(20);

/// The three demo nodes on loopback with SQLite files, ports chosen by the system.
pub async fn start() -> (tempfile::TempDir, DemoNetwork) {
    start_on(Stores::Sqlite).await
}

/// The three demo nodes on the given stores.
pub async fn start_on(stores: Stores) -> (tempfile::TempDir, DemoNetwork) {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network::start(dir.path(), [Ports { inbox: 0, api: 0 }; 3], &stores)
        .await
        .expect("network");
    (dir, net)
}

/// PostgreSQL schemas of their own for one test (`GRENS_TEST_POSTGRES_URL`, default the local
/// server).
pub fn postgres(test: &str) -> Stores {
    Stores::Postgres {
        url: std::env::var("GRENS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into()),
        schema_prefix: format!(
            "flows_{test}_{}_{}",
            std::process::id(),
            jiff::Timestamp::now().as_millisecond()
        ),
    }
}

/// A demo officer of `party` logged in to its node's API.
pub async fn login(net: &DemoNetwork, party: &str, user: &str) -> OfficerClient {
    let node = net.node(party).expect("node");
    OfficerClient::login(&node.api_url, &net.ca_pem, user, &demo_password(user))
        .await
        .expect("log-in")
}

/// Records an implementing agreement on `party`'s node as its administrator would (in force
/// from 2026-01-01, open-ended).
pub async fn agreement(net: &DemoNetwork, party: &str, reference: &str, title: &str, articles: &str, databases: &str) {
    network::record_agreement(net, party, reference, title, articles, databases)
        .await
        .expect("agreement");
}

/// Waits until `f` gives `Some`, polling every 50 ms, at most [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "never within {WAIT:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every justification in a store's journal, one a line.
pub async fn journal_of(store: &AnyStore) -> String {
    let (len, _) = store.head().await.expect("head");
    store
        .entries(1, len)
        .await
        .expect("entries")
        .iter()
        .map(|e| format!("{}\n", e.entry.justification))
        .collect()
}

/// Posts a `length`-byte body to `/api/v1/messages` over TLS by hand (reqwest may see the
/// connection closed before it has read the answer); returns the status and the answer's body.
pub async fn oversized_body(base: &str, ca_pem: &str, token: &str, length: usize) -> (u16, String) {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("pem")).expect("root");
    }
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    let addr = base.trim_start_matches("https://");
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("tls");
    let head = format!(
        "POST /api/v1/messages HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(head.as_bytes()).await.expect("write");
    // All of it: the node reads one byte past its limit, and unread bytes would reset the
    // connection before the answer is read.
    let _ = tls.write_all(&vec![b' '; length]).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}
