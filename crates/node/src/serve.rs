//! Running one node: the inbox over mutual TLS and the outbox's delivery loop.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use protocol::NodeKey;
use store::AnyStore;
use tokio::net::TcpListener;
use treaty::Profile;

use crate::api::{self, Api};
use crate::client::Courier;
use crate::config::NodeConfig;
use crate::desk::Desk;
use crate::directory::Directory;
use crate::inbox::{serve, NodeState};
use crate::outbox::Sender;
use crate::{pki, tls, NodeError};

/// A started node.
#[derive(Debug)]
pub struct RunningNode {
    pub listening_on: std::net::SocketAddr,
    /// The officers' API, when configured.
    pub api_on: Option<std::net::SocketAddr>,
    pub sender: Arc<Sender>,
    pub desk: Desk,
}

fn bind_error(addr: std::net::SocketAddr) -> impl FnOnce(std::io::Error) -> NodeError {
    move |e| NodeError::Io {
        path: addr.to_string(),
        source: e,
    }
}

/// Opens the configured store, binds the configured addresses and starts the node; it runs
/// until the process ends.
pub async fn start(config: &NodeConfig) -> Result<RunningNode, NodeError> {
    let store = AnyStore::open(&config.database).await?;
    let inbox = TcpListener::bind(config.listen)
        .await
        .map_err(bind_error(config.listen))?;
    let api = match config.api_listen {
        Some(addr) => Some(TcpListener::bind(addr).await.map_err(bind_error(addr))?),
        None => None,
    };
    start_with(config, store, inbox, api).await
}

/// The node's clock: the system's, or for tests and drills one that starts at
/// `config.clock_start` and runs at the real pace.
fn clock(config: &NodeConfig) -> Result<Arc<dyn Fn() -> Timestamp + Send + Sync>, NodeError> {
    let Some(start) = config.clock_start.as_deref() else {
        return Ok(Arc::new(Timestamp::now));
    };
    let start: Timestamp = start.parse().map_err(|e| NodeError::Directory {
        path: "clock_start".into(),
        problem: format!("'{start}' is not an instant with offset: {e}"),
    })?;
    let began = std::time::Instant::now();
    Ok(Arc::new(move || {
        let elapsed = SignedDuration::try_from(began.elapsed()).unwrap_or(SignedDuration::ZERO);
        start + elapsed
    }))
}

/// Starts a node on a store and listeners the caller prepared (tests: port 0, a PostgreSQL
/// schema of their own). `config.database`, `listen` and `api_listen` are not used.
pub async fn start_with(
    config: &NodeConfig,
    store: AnyStore,
    listener: TcpListener,
    api_listener: Option<TcpListener>,
) -> Result<RunningNode, NodeError> {
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
    let listening_on = listener.local_addr().map_err(bind_error(config.listen))?;
    let mut databases: Vec<Arc<dyn crate::national::NationalDatabase>> = Vec::new();
    for db in &config.national_databases {
        let store = crate::national::NationalStore::open(&db.path)
            .await
            .map_err(|e| NodeError::Tls(format!("national database {} ({}): {e}", db.id, db.path.display())))?;
        let loaded = store
            .load(&db.id, matching::Protection::Clear)
            .await
            .map_err(|e| NodeError::Tls(format!("national database {} ({}): {e}", db.id, db.path.display())))?;
        databases.push(Arc::new(loaded.as_register(db.register)));
    }
    let arrived = Arc::new(tokio::sync::Notify::new());
    let clock = clock(config)?;
    let state = Arc::new(NodeState {
        me: me.clone(),
        key: NodeKey {
            kid: me.id.clone(),
            key: signing.clone(),
        },
        directory: directory.clone(),
        store: store.clone(),
        clock: clock.clone(),
        max_skew: SignedDuration::from_secs(i64::try_from(config.max_skew_secs).unwrap_or(300)),
        databases,
        arrived: arrived.clone(),
        anpr: Default::default(),
    });
    tokio::spawn(serve(listener, tls::server_config(&ca, &cert, &key)?, state.clone()));
    let sender = Arc::new(Sender {
        me: me.clone(),
        key: NodeKey {
            kid: me.id.clone(),
            key: signing,
        },
        store,
        directory,
        courier: Courier::new(tls::client_config(&ca, &cert, &key)?)?,
        clock: clock.clone(),
    });
    let round = Duration::from_millis(config.delivery_round_ms.max(10));
    let loop_sender = sender.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = loop_sender.deliver_due((loop_sender.clock)()).await {
                eprintln!("delivery round failed: {e}");
            }
            tokio::time::sleep(round).await;
        }
    });
    let profile = match Profile::builtin(&config.profile) {
        Some(Ok(p)) => Arc::new(p),
        Some(Err(e)) => return Err(NodeError::Tls(format!("profile {}: {e}", config.profile))),
        None => return Err(NodeError::Tls(format!("unknown profile {}", config.profile))),
    };
    let desk = Desk {
        node: state,
        sender: sender.clone(),
        profile,
    };
    if let Some(start) = &config.clock_start {
        desk.note_shifted_clock(start)
            .await
            .map_err(|e| NodeError::Tls(format!("journaling the shifted clock: {}", e.message)))?;
    }
    // Art. 13: the accepted hotlist entries are compared again from the first read on.
    desk.load_hotlists()
        .await
        .map_err(|e| NodeError::Tls(format!("loading the ANPR hotlists: {}", e.message)))?;
    // Art. 14: answer hit/no-hit queries as they arrive, and every few seconds in case one
    // arrived just before a restart.
    {
        let desk = desk.clone();
        tokio::spawn(async move {
            loop {
                let _ = tokio::time::timeout(Duration::from_secs(5), arrived.notified()).await;
                if let Err(e) = desk.answer_hit_queries().await {
                    eprintln!("answering hit/no-hit queries failed: {}", e.message);
                }
                if let Err(e) = desk.answer_consultations().await {
                    eprintln!("answering consultations failed: {}", e.message);
                }
                if let Err(e) = desk.apply_withdrawals().await {
                    eprintln!("applying ANPR withdrawals failed: {}", e.message);
                }
            }
        });
    }
    // Art. 21(3): the release alerts of detentions, at their instants (computed from the stored
    // events, so a restart does not lose one); a new detention is seen within 30 s.
    {
        let desk = desk.clone();
        tokio::spawn(async move {
            loop {
                let wait = match desk.raise_alerts().await {
                    Ok((_, Some(next))) => {
                        let left = next.duration_since((desk.node.clock)()).as_millis().max(0);
                        Duration::from_millis(u64::try_from(left).unwrap_or(0)).min(Duration::from_secs(30))
                    }
                    Ok((_, None)) => Duration::from_secs(30),
                    Err(e) => {
                        eprintln!("raising release alerts failed: {}", e.message);
                        Duration::from_secs(30)
                    }
                };
                tokio::time::sleep(wait).await;
            }
        });
    }
    if config.checkpoint_interval_secs > 0 {
        let every = Duration::from_secs(config.checkpoint_interval_secs);
        let (desk, actor) = (desk.clone(), format!("{}/{}", me.party, me.id));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = desk.publish_checkpoints(&actor).await {
                    eprintln!("journal checkpoint failed: {}", e.message);
                }
            }
        });
    }
    let api_on = match api_listener {
        None => None,
        Some(listener) => {
            let on = listener.local_addr().map_err(bind_error(listening_on))?;
            let shared = Api::new(desk.clone());
            let app = api::router(shared.clone())
                .merge(crate::web::router(shared))
                .layer(axum::middleware::map_response(crate::web::security_headers));
            tokio::spawn(api::serve(listener, tls::api_server_config(&cert, &key)?, app));
            Some(on)
        }
    };
    Ok(RunningNode {
        listening_on,
        api_on,
        sender,
        desk,
    })
}
