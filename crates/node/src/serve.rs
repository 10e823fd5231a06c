//! Running one node: the inbox over mutual TLS and the outbox's delivery loop.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use protocol::NodeKey;
use store::AnyStore;
use tokio::net::TcpListener;

use crate::client::Courier;
use crate::config::NodeConfig;
use crate::directory::Directory;
use crate::inbox::{serve, NodeState};
use crate::outbox::Sender;
use crate::{pki, tls, NodeError};

/// A started node.
#[derive(Debug)]
pub struct RunningNode {
    pub listening_on: std::net::SocketAddr,
    pub sender: Arc<Sender>,
}

/// Starts the inbox and the delivery loop; they run until the process ends.
pub async fn start(config: &NodeConfig) -> Result<RunningNode, NodeError> {
    let directory = Directory::load(&config.pki.join("network.toml"))?;
    let me = directory
        .by_id(&config.node)
        .cloned()
        .ok_or_else(|| NodeError::Directory {
            path: config.pki.join("network.toml").display().to_string(),
            problem: format!("node {} is not in the directory", config.node),
        })?;
    let read = |name: &str| {
        let path = config.pki.join(&config.node).join(name);
        std::fs::read_to_string(&path).map_err(crate::io(&path))
    };
    let ca_path = config.pki.join("ca.crt");
    let ca = std::fs::read_to_string(&ca_path).map_err(crate::io(&ca_path))?;
    let (cert, key) = (read("tls.crt")?, read("tls.key")?);
    let signing = pki::read_signing_key(&config.pki.join(&config.node).join("signing.key"))?;
    let store = AnyStore::open(&config.database).await?;
    let listener = TcpListener::bind(config.listen).await.map_err(|e| NodeError::Io {
        path: config.listen.to_string(),
        source: e,
    })?;
    let listening_on = listener.local_addr().map_err(|e| NodeError::Io {
        path: config.listen.to_string(),
        source: e,
    })?;
    let state = Arc::new(NodeState {
        me: me.clone(),
        key: NodeKey {
            kid: me.id.clone(),
            key: signing.clone(),
        },
        directory: directory.clone(),
        store: store.clone(),
        clock: Arc::new(Timestamp::now),
        max_skew: SignedDuration::from_secs(i64::try_from(config.max_skew_secs).unwrap_or(300)),
    });
    tokio::spawn(serve(listener, tls::server_config(&ca, &cert, &key)?, state));
    let sender = Arc::new(Sender {
        me: me.clone(),
        key: NodeKey {
            kid: me.id.clone(),
            key: signing,
        },
        store,
        directory,
        courier: Courier::new(tls::client_config(&ca, &cert, &key)?)?,
    });
    let round = Duration::from_millis(config.delivery_round_ms.max(10));
    let loop_sender = sender.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = loop_sender.deliver_due(Timestamp::now()).await {
                eprintln!("delivery round failed: {e}");
            }
            tokio::time::sleep(round).await;
        }
    });
    Ok(RunningNode { listening_on, sender })
}
