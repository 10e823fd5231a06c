//! Running one node: the inbox over mutual TLS, the outbox's delivery rounds, the background
//! loops (automatic answers, release alerts, checkpoints) and the officers' HTTPS side — every
//! task tracked, so that [`RunningNode::shutdown`] stops accepting, lets the requests in flight
//! and the current delivery round finish, stops every loop, and returns.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use protocol::NodeKey;
use store::AnyStore;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use treaty::Profile;

use crate::clock::Clock;
use crate::config::NodeConfig;
use crate::desk::Desk;
use crate::http::api::Api;
use crate::peer::courier::Courier;
use crate::peer::directory::Directory;
use crate::peer::inbox::{serve, NodeState};
use crate::peer::outbox::Sender;
use crate::peer::{pki, tls};
use crate::telemetry::Metrics;
use crate::NodeError;

/// How long a shutdown waits for requests in flight and the current round before it gives up.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// A started node.
#[derive(Debug)]
pub struct RunningNode {
    pub listening_on: std::net::SocketAddr,
    /// The officers' API, when configured.
    pub api_on: Option<std::net::SocketAddr>,
    pub sender: Arc<Sender>,
    pub desk: Desk,
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl RunningNode {
    /// Stops the node gracefully: no new connection is accepted, every request in flight and the
    /// delivery round under way finish, every loop stops. Returns `false` if something was still
    /// running after [`SHUTDOWN_GRACE`]. What was acknowledged is in the store already (the
    /// outbox is transactional), so nothing acknowledged is lost either way.
    pub async fn shutdown(&self) -> bool {
        self.stop.cancel();
        self.tasks.close();
        crate::refusals::write_due(&self.desk.node, true).await;
        tokio::time::timeout(SHUTDOWN_GRACE, self.tasks.wait()).await.is_ok()
    }
}

fn bind_error(addr: std::net::SocketAddr) -> impl FnOnce(std::io::Error) -> NodeError {
    move |e| NodeError::Io {
        path: addr.to_string(),
        source: e,
    }
}

/// Opens the configured store, binds the configured addresses and starts the node; it runs
/// until [`RunningNode::shutdown`] or the end of the process.
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
fn clock(config: &NodeConfig) -> Result<Clock, NodeError> {
    let Some(start) = config.clock_start.as_deref() else {
        return Ok(Clock::system());
    };
    let instant = |what: &str, text: &str| {
        text.parse::<Timestamp>().map_err(|e| NodeError::Config {
            what: what.into(),
            problem: format!("'{text}' is not an instant with offset: {e}"),
        })
    };
    let start = instant("clock_start", start)?;
    match config.clock_anchor.as_deref() {
        None => Ok(Clock::starting_at(start)),
        Some(anchor) => Ok(Clock::anchored(start, instant("clock_anchor", anchor)?)),
    }
}

/// Runs `step` every time `wait` (given the step's result) elapses, until `stop` is cancelled.
/// A step under way when the node stops is finished first.
fn every<S, F>(tasks: &TaskTracker, stop: &CancellationToken, name: &'static str, mut step: S)
where
    S: FnMut() -> F + Send + 'static,
    F: Future<Output = Duration> + Send + 'static,
{
    let stop = stop.clone();
    tasks.spawn(async move {
        loop {
            let wait = step().await;
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::debug!(task = name, "stopped");
    });
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
        let national = |e: &dyn std::fmt::Display| NodeError::National {
            id: db.id.clone(),
            problem: format!("{}: {e}", db.path.display()),
        };
        let store = crate::national::NationalStore::open(&db.path)
            .await
            .map_err(|e| national(&e))?;
        let loaded = store
            .load(&db.id, matching::Protection::Clear)
            .await
            .map_err(|e| national(&e))?;
        databases.push(Arc::new(loaded.as_register(db.register)));
    }
    let profile = match Profile::builtin(&config.profile) {
        Some(Ok(p)) => Arc::new(p),
        Some(Err(e)) => {
            return Err(NodeError::Config {
                what: format!("profile {}", config.profile),
                problem: e.to_string(),
            })
        }
        None => {
            return Err(NodeError::Config {
                what: "profile".into(),
                problem: format!("unknown profile {}", config.profile),
            })
        }
    };
    // The desk decides by one of the agreements the directory lists for this node.
    if !me.agreements.contains(&profile.id) {
        return Err(NodeError::Config {
            what: "profile".into(),
            problem: format!(
                "{} decides by {}, but the network directory lists it under {}",
                me.id,
                profile.id,
                me.agreements.join(", ")
            ),
        });
    }
    // A store from before the case views: build them from its messages once.
    if crate::desk::cases::views_missing(&store)
        .await
        .map_err(|e| NodeError::Startup(format!("reading the case views: {e}")))?
    {
        let (applied, left) = crate::desk::cases::rebuild_views(&store, &profile)
            .await
            .map_err(|e| NodeError::Startup(format!("rebuilding the case views: {e}")))?;
        tracing::info!(applied, left, "case views built from the stored messages");
    }
    let arrived = Arc::new(tokio::sync::Notify::new());
    let clock = clock(config)?;
    let metrics = Arc::new(Metrics::new());
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
        metrics: metrics.clone(),
        profile: profile.clone(),
        refusals: Default::default(),
        duties: Default::default(),
    });
    let (stop, tasks) = (CancellationToken::new(), TaskTracker::new());
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
        metrics,
        profile: profile.clone(),
    });
    let desk = Desk {
        node: state.clone(),
        sender: sender.clone(),
        profile,
    };
    if let Some(start) = &config.clock_start {
        desk.note_shifted_clock(start)
            .await
            .map_err(|e| NodeError::Startup(format!("journaling the shifted clock: {e}")))?;
    }
    // Art. 13: the accepted hotlist entries are compared again from the first read on.
    desk.load_hotlists()
        .await
        .map_err(|e| NodeError::Startup(format!("loading the ANPR hotlists: {e}")))?;

    tasks.spawn(serve(
        listener,
        tls::server_config(&ca, &cert, &key)?,
        state.clone(),
        config.connections,
        stop.clone(),
        tasks.clone(),
    ));

    // The outbox: every due message is attempted each round; a round under way at shutdown
    // finishes (its settlements are written) before the loop stops.
    let round = Duration::from_millis(config.delivery_round_ms.max(10));
    let rounds = sender.clone();
    every(&tasks, &stop, "delivery rounds", move || {
        let sender = rounds.clone();
        async move {
            if let Err(e) = sender.deliver_due(sender.clock.now()).await {
                tracing::warn!(error = %e, "delivery round failed");
            }
            round
        }
    });

    // The node's own duties run on one replica at a time (crate::duties): take the lease now,
    // renew it in the background.
    crate::duties::renew(&state).await;
    let lease = state.clone();
    every(&tasks, &stop, "duties lease", move || {
        let state = lease.clone();
        async move {
            crate::duties::renew(&state).await;
            crate::duties::RENEW_EVERY
        }
    });

    // Art. 13: every replica compares camera reads with the hotlists the node accepted, whichever
    // replica accepted them.
    let hotlists = desk.clone();
    every(&tasks, &stop, "hotlist sync", move || {
        let desk = hotlists.clone();
        async move {
            if let Err(e) = desk.sync_hotlists().await {
                tracing::warn!(error = %e, "synchronising the hotlists failed");
            }
            Duration::from_secs(1)
        }
    });

    // Art. 14: answer hit/no-hit queries as they arrive, and every few seconds in case one
    // arrived just before a restart (or at another replica).
    let answers = desk.clone();
    let answers_stop = stop.clone();
    tasks.spawn(async move {
        loop {
            tokio::select! {
                () = answers_stop.cancelled() => break,
                _ = tokio::time::timeout(Duration::from_secs(5), arrived.notified()) => {}
            }
            if !answers.node.duties.leading() {
                continue;
            }
            if let Err(e) = answers.answer_hit_queries().await {
                tracing::warn!(error = %e, "answering hit/no-hit queries failed");
            }
            if let Err(e) = answers.answer_consultations().await {
                tracing::warn!(error = %e, "answering consultations failed");
            }
            if let Err(e) = answers.apply_withdrawals().await {
                tracing::warn!(error = %e, "applying ANPR withdrawals failed");
            }
        }
    });

    // Art. 21(3): the release alerts of detentions, at their instants (computed from the stored
    // events, so a restart does not lose one); a new detention is seen within 30 s.
    let alerts = desk.clone();
    every(&tasks, &stop, "release alerts", move || {
        let desk = alerts.clone();
        async move {
            if !desk.node.duties.leading() {
                return crate::duties::RENEW_EVERY;
            }
            match desk.raise_alerts().await {
                Ok((_, Some(next))) => {
                    let left = next.duration_since(desk.node.clock.now()).as_millis().max(0);
                    Duration::from_millis(u64::try_from(left).unwrap_or(0)).min(Duration::from_secs(30))
                }
                Ok((_, None)) => Duration::from_secs(30),
                Err(e) => {
                    tracing::warn!(error = %e, "raising release alerts failed");
                    Duration::from_secs(30)
                }
            }
        }
    });

    // Agreements' erasures after sports events, at their instants (scheduled in the store).
    let erasures = desk.clone();
    every(&tasks, &stop, "event-data erasures", move || {
        let desk = erasures.clone();
        async move {
            if desk.node.duties.leading() {
                if let Err(e) = desk.erase_due_event_data().await {
                    tracing::warn!(error = %e, "erasing event data failed");
                }
            }
            Duration::from_secs(2)
        }
    });

    // Failures of unauthenticated callers: one summary entry per channel and minute.
    let tally = state.clone();
    every(&tasks, &stop, "refusal summaries", move || {
        let state = tally.clone();
        async move {
            crate::refusals::write_due(&state, false).await;
            Duration::from_secs(10)
        }
    });

    if config.checkpoint_interval_secs > 0 {
        let interval = Duration::from_secs(config.checkpoint_interval_secs);
        let (checkpoints, actor) = (desk.clone(), format!("{}/{}", me.party, me.id));
        let mut first = true;
        every(&tasks, &stop, "journal checkpoints", move || {
            let (desk, actor) = (checkpoints.clone(), actor.clone());
            // The first checkpoint goes one interval after the start, as before.
            let skip = std::mem::replace(&mut first, false);
            async move {
                if !skip && desk.node.duties.leading() {
                    if let Err(e) = desk.publish_checkpoints(&actor).await {
                        tracing::warn!(error = %e, "journal checkpoint failed");
                    }
                }
                interval
            }
        });
    }

    let api_on = match api_listener {
        None => None,
        Some(listener) => {
            let on = listener.local_addr().map_err(bind_error(listening_on))?;
            let app = crate::http::app(Api::new(desk.clone()));
            tasks.spawn(crate::http::serve_tls(
                listener,
                tls::api_server_config(&cert, &key)?,
                app,
                config.connections,
                stop.clone(),
                tasks.clone(),
            ));
            Some(on)
        }
    };
    tracing::info!(node = %me.id, inbox = %listening_on, api = ?api_on, "node started");
    Ok(RunningNode {
        listening_on,
        api_on,
        sender,
        desk,
        stop,
        tasks,
    })
}
