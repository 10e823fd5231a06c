//! A node's configuration file (`grens serve --config FILE`), validated at start-up with
//! messages that name the key that is wrong.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::NodeError;

/// One node's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// The node's id in the network directory (`BE-NCP`).
    pub node: String,
    /// Where the HTTPS endpoint listens; port 0 picks a free port (printed at start).
    pub listen: SocketAddr,
    /// Where the officers' HTTPS API listens (absent: no API, a relay-only node).
    #[serde(default)]
    pub api_listen: Option<SocketAddr>,
    /// The treaty profile the node decides by.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// The PKI folder: `ca.crt`, `network.toml`, `<node>/tls.crt`, `tls.key`, `signing.key`.
    /// Relative paths are relative to the configuration file.
    pub pki: PathBuf,
    /// `sqlite:PATH` (relative to the configuration file) or `postgres://…`.
    pub database: String,
    /// Allowed difference between an envelope's `created_at` and this node's clock.
    #[serde(default = "default_skew")]
    pub max_skew_secs: u64,
    /// Seconds between signed checkpoints of the journal sent to every partner (0: never).
    #[serde(default = "default_checkpoint")]
    pub checkpoint_interval_secs: u64,
    /// Milliseconds between delivery rounds of the outbox.
    #[serde(default = "default_round")]
    pub delivery_round_ms: u64,
    /// National databases partners may query (Arts. 14–16): their annex-6 id and the SQLite file
    /// `grens import` filled (relative to the configuration file).
    #[serde(default)]
    pub national_databases: Vec<NationalDatabaseConfig>,
    /// For tests and drills only: the instant (RFC 3339 with offset) the node's clock shows when
    /// it starts; it then runs at the real pace. Absent: the system clock. Every legal clock,
    /// envelope time and alert follows it, so a drill can run a detention across a
    /// daylight-saving change; the start journals the shifted clock.
    #[serde(default)]
    pub clock_start: Option<String>,
    /// With `clock_start`: the real instant at which the shifted clock reads `clock_start`
    /// (default: when the process starts). Replicas of one node given the same pair read the
    /// same time whenever each of them was started.
    #[serde(default)]
    pub clock_anchor: Option<String>,
    /// Limits of each listener (inbox and officers' side).
    #[serde(default)]
    pub connections: ConnectionLimits,
}

/// What one listener allows, so that idle or slow connections cannot take a node offline.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectionLimits {
    /// Open connections at most; one more is closed at once.
    pub max_connections: usize,
    /// Milliseconds a client has to finish the TLS handshake.
    pub handshake_timeout_ms: u64,
    /// Milliseconds a connection may wait for (the rest of) a request's headers, also between
    /// two requests on a kept-alive connection: an idle connection is closed after it.
    pub idle_timeout_ms: u64,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1_024,
            handshake_timeout_ms: 10_000,
            idle_timeout_ms: 30_000,
        }
    }
}

/// One national database of a node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalDatabaseConfig {
    pub id: String,
    pub path: PathBuf,
    /// A population or other public register (Art. 17) rather than a police database.
    #[serde(default)]
    pub register: bool,
}

fn default_skew() -> u64 {
    300
}

fn default_checkpoint() -> u64 {
    900
}

fn default_profile() -> String {
    "benelux-2018".into()
}

fn default_round() -> u64 {
    200
}

impl NodeConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<NodeConfig, NodeError> {
        let text = std::fs::read_to_string(path).map_err(crate::io(path))?;
        let bad = |key: String, problem: String| NodeError::Directory {
            path: path.display().to_string(),
            problem: format!("key `{key}`: {problem}"),
        };
        let mut config: NodeConfig = serde_path_to_error::deserialize(toml::Deserializer::new(&text)).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            bad(key, inner.message().to_owned())
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for db in &mut config.national_databases {
            if db.path.is_relative() {
                db.path = base.join(&db.path);
            }
        }
        if config.pki.is_relative() {
            config.pki = base.join(&config.pki);
        }
        if let Some(file) = config.database.strip_prefix("sqlite:") {
            if Path::new(file).is_relative() {
                config.database = format!("sqlite:{}", base.join(file).display());
            }
        } else if !config.database.starts_with("postgres://") && !config.database.starts_with("postgresql://") {
            return Err(bad(
                "database".into(),
                format!("'{}' is neither sqlite:PATH nor postgres://…", config.database),
            ));
        }
        if !config.pki.join("network.toml").is_file() {
            return Err(bad(
                "pki".into(),
                format!("{} has no network.toml (run `grens pki init`)", config.pki.display()),
            ));
        }
        if treaty::Profile::builtin(&config.profile).is_none() {
            return Err(bad(
                "profile".into(),
                format!(
                    "unknown profile '{}' (known: {})",
                    config.profile,
                    treaty::Profile::builtin_ids().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if config.max_skew_secs == 0 {
            return Err(bad("max_skew_secs".into(), "must be at least 1".into()));
        }
        Ok(config)
    }
}
