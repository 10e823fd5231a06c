//! Two `grens serve` processes (NL sends, BE receives) on loopback mTLS with SQLite files:
//! killed with SIGKILL at random moments, or one of them down for two minutes. Nothing the
//! sender's API acknowledged may be lost or applied twice.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use node::officer_client::OfficerClient;
use serde_json::{json, Value};
use store::{AnyStore, Direction, JournalStore, MessageQuery};

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A node process that can be killed and started again on the same files and ports.
pub(crate) struct NodeProcess {
    pub(crate) config: PathBuf,
    port: u16,
    child: Option<Child>,
    /// Where the process's standard output goes (none: discarded).
    pub(crate) log: Option<PathBuf>,
}

impl NodeProcess {
    /// A process of `grens serve --config config`, started by [`NodeProcess::start`], that is up
    /// once `port` accepts connections.
    pub(crate) fn new(config: PathBuf, port: u16, log: Option<PathBuf>) -> NodeProcess {
        NodeProcess {
            config,
            port,
            child: None,
            log,
        }
    }

    pub(crate) fn start(&mut self) {
        let stdout = match &self.log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_grens"))
            .args(["serve", "--config", self.config.to_str().expect("utf-8")])
            .stdout(stdout)
            .stderr(Stdio::null())
            .spawn()
            .expect("grens serve starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "{} did not start", self.config.display());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, as a service manager stops a node: returns the exit status, waiting at most
    /// `within`.
    pub(crate) fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no shutdown, no flush.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(crate) struct Pair {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) be: NodeProcess,
    pub(crate) nl: NodeProcess,
    pub(crate) nl_api: String,
    pub(crate) be_api: String,
    pub(crate) nl_api_port: u16,
    pub(crate) ca: String,
}

pub(crate) fn grens_ok(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(args)
        .output()
        .expect("grens runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn pair() -> Pair {
    pair_at(None)
}

/// Two nodes whose clocks start at `clock_start` (see `NodeConfig::clock_start`).
fn pair_at(clock_start: Option<&str>) -> Pair {
    let dir = tempfile::tempdir().expect("tempdir");
    let (be_port, nl_port, be_api, nl_api) = (free_port(), free_port(), free_port(), free_port());
    let pki = dir.path().join("pki");
    let party = |p: &str| treaty::PartyCode::parse(p).expect("party");
    node::peer::pki::init(
        &pki,
        &[
            ("BE-NCP".into(), party("BE"), format!("https://127.0.0.1:{be_port}")),
            ("NL-NCP".into(), party("NL"), format!("https://127.0.0.1:{nl_port}")),
        ],
    )
    .expect("pki");
    let write = |name: &str, node: &str, port: u16, api: u16| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "node = \"{node}\"\nlisten = \"127.0.0.1:{port}\"\napi_listen = \"127.0.0.1:{api}\"\npki = \"pki\"\n\
                 database = \"sqlite:{node}.sqlite\"\ndelivery_round_ms = 50\n{}",
                clock_start
                    .map(|c| format!("clock_start = \"{c}\"\n"))
                    .unwrap_or_default()
            ),
        )
        .expect("config");
        path
    };
    let be_config = write("be.toml", "BE-NCP", be_port, be_api);
    let nl_config = write("nl.toml", "NL-NCP", nl_port, nl_api);
    for (node, party, user, roles) in [
        ("NL-NCP", "NL", "nl.officer", "officer"),
        ("BE-NCP", "BE", "be.operator", "officer,contact_point"),
    ] {
        let db = format!("sqlite:{}", dir.path().join(format!("{node}.sqlite")).display());
        grens_ok(&[
            "user",
            "add",
            "--db",
            &db,
            "--username",
            user,
            "--password",
            "crash-test-pw",
            "--party",
            party,
            "--roles",
            roles,
        ]);
    }
    let ca = std::fs::read_to_string(pki.join("ca.crt")).expect("ca");
    let mut pair = Pair {
        be: NodeProcess {
            config: be_config,
            port: be_port,
            child: None,
            log: None,
        },
        nl: NodeProcess {
            config: nl_config,
            port: nl_port,
            child: None,
            log: Some(dir.path().join("nl.log")),
        },
        nl_api: format!("https://127.0.0.1:{nl_api}"),
        nl_api_port: nl_api,
        be_api: format!("https://127.0.0.1:{be_api}"),
        ca,
        dir,
    };
    pair.be.start();
    pair.nl.start();
    pair
}

/// Runs the officers' CLI as `user` against `api`: exit code, standard output, standard error.
fn officer_cli(api: &str, ca: &Path, user: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(args)
        .env("GRENS_API", api)
        .env("GRENS_CA", ca)
        .env("GRENS_USER", user)
        .env("GRENS_PASSWORD", "crash-test-pw")
        .output()
        .expect("grens runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn request(n: usize) -> Value {
    json!({
        "kind": "request", "to_party": "BE", "via": "ncp", "purpose": "criminal",
        "subjects": [{ "type": "person", "surname": format!("Crash-{n}") }],
        "text": format!("request {n}")
    })
}

pub(crate) async fn store_of(dir: &Path, node: &str) -> AnyStore {
    AnyStore::open(&format!("sqlite:{}", dir.join(format!("{node}.sqlite")).display()))
        .await
        .expect("open store")
}

/// Waits until BE's inbox holds every id; returns what is missing at the end.
pub(crate) async fn delivered(dir: &Path, ids: &[String], within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    loop {
        let be = store_of(dir, "BE-NCP").await;
        let inbox = be
            .messages(MessageQuery {
                direction: Some(Direction::Incoming),
                ..MessageQuery::default()
            })
            .await
            .expect("inbox");
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !inbox.iter().any(|m| &m.message_id == *id))
            .cloned()
            .collect();
        if missing.is_empty() || Instant::now() > deadline {
            return missing;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Sends `messages` requests from `client` on a thread of its own, `pause` apart, until that
/// many were acknowledged; the thread returns their ids, and the receiver hears when it is done.
pub(crate) fn send_in_background(
    client: OfficerClient,
    messages: usize,
    pause: Duration,
) -> (std::thread::JoinHandle<Vec<String>>, std::sync::mpsc::Receiver<()>) {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let sender = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let mut acknowledged = Vec::new();
        let mut n = 0;
        while acknowledged.len() < messages {
            // A refused connection or a dropped answer is not an acknowledgement: try anew.
            if let Ok(answer) = rt.block_on(client.post("/api/v1/messages", &request(n))) {
                if answer.status.is_success() {
                    acknowledged.push(answer.body["message_id"].as_str().expect("id").to_owned());
                }
            }
            n += 1;
            std::thread::sleep(pause);
        }
        let _ = done_tx.send(());
        acknowledged
    });
    (sender, done_rx)
}

/// A small xorshift: the kill schedule is random but its seed is printed for reproduction.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

#[test]
fn acknowledged_messages_arrive_exactly_once_across_sigkills_of_sender_and_receiver() {
    // CI runs 200 messages; `GRENS_CRASH_MESSAGES=1000` is the full run (docs/exchange.md).
    let messages: usize = std::env::var("GRENS_CRASH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let kills = (messages / 40).max(5);
    let seed = std::env::var("GRENS_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64 | 1);
    eprintln!("crash test: {messages} messages, {kills} kills, seed {seed}");
    let mut pair = pair();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = rt
        .block_on(OfficerClient::login(
            &pair.nl_api,
            &pair.ca,
            "nl.officer",
            "crash-test-pw",
        ))
        .expect("log-in");

    let (sender, done_rx) = send_in_background(client, messages, Duration::from_millis(5));
    let mut rng = Rng(seed);
    let mut killed = (0, 0);
    for _ in 0..kills {
        std::thread::sleep(Duration::from_millis(150 + rng.next(500)));
        if rng.next(2) == 0 {
            pair.nl.kill();
            killed.0 += 1;
            std::thread::sleep(Duration::from_millis(rng.next(300)));
            pair.nl.start();
        } else {
            pair.be.kill();
            killed.1 += 1;
            std::thread::sleep(Duration::from_millis(rng.next(300)));
            pair.be.start();
        }
        if done_rx.try_recv().is_ok() {
            break;
        }
    }
    let acknowledged = sender.join().expect("sender");
    eprintln!("killed NL {} times, BE {} times", killed.0, killed.1);
    assert!(killed.0 + killed.1 >= 3, "the kills must happen while messages flow");
    let dir = pair.dir.path().to_owned();
    let missing = rt.block_on(delivered(&dir, &acknowledged, Duration::from_secs(150)));
    assert!(
        missing.is_empty(),
        "{} acknowledged messages never arrived: {missing:?}",
        missing.len()
    );
    pair.be.kill();
    pair.nl.kill();
    rt.block_on(received_exactly_once_with_intact_journals(&dir, &acknowledged));
}

/// Every id in `acknowledged` was received at BE exactly once, and both journals verify.
pub(crate) async fn received_exactly_once_with_intact_journals(dir: &Path, acknowledged: &[String]) {
    let be = store_of(dir, "BE-NCP").await;
    let (length, _) = be.head().await.expect("head");
    let entries = be.entries(1, length).await.expect("journal");
    for id in acknowledged {
        let times = entries
            .iter()
            .filter(|e| e.entry.message_id.as_deref() == Some(id) && e.entry.justification.starts_with("received"))
            .count();
        assert_eq!(times, 1, "message {id} journaled {times} times at BE");
    }
    for node in ["BE-NCP", "NL-NCP"] {
        let store = store_of(dir, node).await;
        assert!(
            store::verify_chain(&store).await.expect("read").is_ok(),
            "{node} chain broken"
        );
    }
}

#[test]
fn a_partner_down_for_two_minutes_receives_everything_and_reply_clocks_keep_running() {
    let mut pair = pair();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let nl = OfficerClient::login(&pair.nl_api, &pair.ca, "nl.officer", "crash-test-pw")
            .await
            .expect("log-in");
        let first = nl
            .post("/api/v1/messages", &request(0))
            .await
            .expect("post")
            .ok()
            .expect("ack");
        let first = first["message_id"].as_str().expect("id").to_owned();
        let dir = pair.dir.path().to_owned();
        assert!(delivered(&dir, std::slice::from_ref(&first), Duration::from_secs(30))
            .await
            .is_empty());
        let be = OfficerClient::login(&pair.be_api, &pair.ca, "be.operator", "crash-test-pw")
            .await
            .expect("log-in");
        let clock = |inbox: &Value| -> String {
            inbox
                .as_array()
                .and_then(|a| a.iter().find(|m| m["id"] == first.as_str()))
                .map(|m| m["deadline"]["due"].as_str().unwrap_or_default().to_owned())
                .expect("the first request with its clock")
        };
        let due_before = clock(&be.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok"));

        pair.be.kill();
        let down_at = Instant::now();
        let mut queued = Vec::new();
        for n in 1..=20 {
            let ack = nl
                .post("/api/v1/messages", &request(n))
                .await
                .expect("post")
                .ok()
                .expect("ack while BE is down");
            queued.push(ack["message_id"].as_str().expect("id").to_owned());
        }
        tokio::time::sleep(Duration::from_secs(120).saturating_sub(down_at.elapsed())).await;
        let nl_store = store_of(&dir, "NL-NCP").await;
        assert_eq!(
            nl_store.outbox_counts().await.expect("counts").pending,
            20,
            "all 20 wait in NL's outbox"
        );
        pair.be.start();
        let missing = delivered(&dir, &queued, Duration::from_secs(90)).await;
        assert!(missing.is_empty(), "not delivered after BE returned: {missing:?}");

        // BE's clock on the first request ran on through the outage: same due time, not reset.
        let be = OfficerClient::login(&pair.be_api, &pair.ca, "be.operator", "crash-test-pw")
            .await
            .expect("log-in again");
        let inbox = be.get("/api/v1/inbox").await.expect("inbox").ok().expect("ok");
        assert_eq!(clock(&inbox), due_before);
        // The queued requests' clocks start when BE received them, after the outage.
        let due_first: jiff::Timestamp = due_before.parse().expect("instant");
        for id in &queued {
            let m = inbox
                .as_array()
                .and_then(|a| a.iter().find(|m| m["id"] == id.as_str()))
                .expect("queued request");
            let due: jiff::Timestamp = m["deadline"]["due"].as_str().expect("due").parse().expect("instant");
            assert!(
                due.duration_since(due_first) >= jiff::SignedDuration::from_secs(110),
                "{id}: due {due} should be about two minutes after {due_first}"
            );
        }
        assert_eq!(nl_store.outbox_counts().await.expect("counts").pending, 0);
    });
}

#[test]
fn the_officer_cli_sends_a_request_lists_the_inbox_and_replies() {
    let pair = pair();
    let ca = pair.dir.path().join("pki/ca.crt");
    let run = |api: &str, user: &str, args: &[&str]| officer_cli(api, &ca, user, args);
    let (code, out, err) = run(
        &pair.nl_api,
        "nl.officer",
        &[
            "request",
            "--to",
            "BE",
            "--purpose",
            "criminal",
            "--person",
            "Jan Janssens,1984-03-12",
            "--vehicle",
            "1-ABC-123",
            "--text",
            "antecedents?",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let sent: Value = serde_json::from_str(&out).expect("JSON");
    let id = sent["message_id"].as_str().expect("id").to_owned();
    let mut listed = String::new();
    for _ in 0..100 {
        let (code, out, _) = run(&pair.be_api, "be.operator", &["inbox"]);
        assert_eq!(code, Some(0));
        if out.contains(&id) {
            listed = out;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(listed.contains("request") && listed.contains("2023/977"), "{listed}");
    let (code, out, err) = run(
        &pair.be_api,
        "be.operator",
        &[
            "reply",
            &id,
            "--text",
            "Known in Antwerpen.",
            "--language",
            "nl",
            "--classification",
            "Vertrouwelijk",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    // A bad ground is refused with the article, and the exit code says so.
    let (code, _, err) = run(
        &pair.be_api,
        "be.operator",
        &["reply", &id, "--refuse", "because", "--text", "no"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("4(4)"), "{err}");
    // A wrong password is a clear error.
    let out = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(["inbox"])
        .env("GRENS_API", &pair.nl_api)
        .env("GRENS_CA", &ca)
        .env("GRENS_USER", "nl.officer")
        .env("GRENS_PASSWORD", "wrong")
        .output()
        .expect("grens runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sets the clock a node's next start begins at.
fn set_clock(config: &Path, clock_start: &str) {
    let text = std::fs::read_to_string(config).expect("config");
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("clock_start")).collect();
    std::fs::write(
        config,
        format!("{}\nclock_start = \"{clock_start}\"\n", kept.join("\n")),
    )
    .expect("config");
}

/// The release alerts BE raised: key → raised_at.
async fn alerts(dir: &Path) -> Vec<(String, jiff::Timestamp)> {
    let be = store_of(dir, "BE-NCP").await;
    be.records("operation.alert")
        .await
        .expect("records")
        .into_iter()
        .filter_map(|r| Some((r.key, r.value["raised_at"].as_str()?.parse().ok()?)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_restarted_during_a_detention_still_alerts_at_the_right_instant() {
    // Both nodes' clocks start on the night of the spring change: a person held at 00:30 CET
    // on 29 March 2026 must be released by 15:00 CEST (Art. 21(3): 00:00–09:00 not counted);
    // the host is alerted an hour before, at 14:00 CEST, and at 15:00.
    let mut p = pair_at(Some("2026-03-29T00:30:00+01:00"));
    let nl = OfficerClient::login(&p.nl_api, &p.ca, "nl.officer", "crash-test-pw")
        .await
        .expect("NL log-in");
    let started = nl
        .post(
            "/api/v1/operations/pursuits",
            &json!({ "host": "BE", "medium": "land", "started_in_own_territory": true,
                     "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false,
                     "text": "stolen van over the A16 at Hazeldonk" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("pursuit allowed");
    let id = started["id"].as_str().expect("id").to_owned();
    let be = OfficerClient::login(&p.be_api, &p.ca, "be.operator", "crash-test-pw")
        .await
        .expect("BE log-in");
    let mut detained = None;
    for _ in 0..100 {
        let a = be
            .post(
                &format!("/api/v1/operations/{id}/events"),
                &json!({ "event": "detained", "text": "driver held at Meer", "at": "2026-03-29T00:30:00+01:00" }),
            )
            .await
            .expect("post");
        if a.status.is_success() {
            detained = Some(a.body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let detained = detained.expect("BE records the detention once the crossing arrived");
    assert_eq!(detained["detention"]["due"], "2026-03-29T15:00:00+02:00", "{detained}");
    // BE is killed, and comes back ten seconds before the alert is due.
    p.be.kill();
    set_clock(&p.be.config, "2026-03-29T13:59:50+02:00");
    p.be.start();
    let one_hour: jiff::Timestamp = "2026-03-29T14:00:00+02:00".parse().expect("instant");
    assert!(
        alerts(p.dir.path()).await.is_empty(),
        "nothing is raised before its instant"
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    let raised = loop {
        let a = alerts(p.dir.path()).await;
        if !a.is_empty() || Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(raised.len(), 1, "{raised:?}");
    let (key, at) = &raised[0];
    assert_eq!(key, &format!("{id}:one_hour_left"));
    let late = at.duration_since(one_hour);
    assert!(
        late >= jiff::SignedDuration::ZERO && late < jiff::SignedDuration::from_secs(3),
        "raised at {at}, due at {one_hour}"
    );
    // Down across the release instant: the alert that fell due meanwhile comes at the start,
    // and the earlier one is not raised again.
    p.be.kill();
    set_clock(&p.be.config, "2026-03-29T15:00:30+02:00");
    p.be.start();
    let deadline = Instant::now() + Duration::from_secs(20);
    let raised = loop {
        let a = alerts(p.dir.path()).await;
        if a.len() > 1 || Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(raised.len(), 2, "{raised:?}");
    let due = raised
        .iter()
        .find(|(k, _)| k == &format!("{id}:release_due"))
        .expect("the release alert");
    let release: jiff::Timestamp = "2026-03-29T15:00:30+02:00".parse().expect("instant");
    assert!(
        due.1 >= release && due.1.duration_since(release) < jiff::SignedDuration::from_secs(5),
        "{due:?}"
    );
}

#[test]
fn the_officer_cli_asks_for_an_investigation_and_the_host_answers_it() {
    let pair = pair();
    let ca = pair.dir.path().join("pki/ca.crt");
    let run = |api: &str, user: &str, args: &[&str]| officer_cli(api, &ca, user, args);
    let start = |presence: &str| {
        run(
            &pair.nl_api,
            "nl.officer",
            &[
                "operation",
                "start",
                "--kind",
                "investigation",
                "--host",
                "BE",
                "--fact",
                "requires_judicial_order_in_host=false",
                "--fact",
                &format!("host_presence={presence}"),
                "--fact",
                "presence_waived_by_agreement=false",
                "--officer",
                "Rechercheur Piet Smit*",
                "--text",
                "Hearing of a witness in Turnhout",
            ],
        )
    };
    // Art. 23(2): without the host's presence and no waiver: refused, exit 1, the article named.
    let (code, out, err) = start("false");
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("23(2)"), "{out}");
    let (code, out, err) = start("true");
    assert_eq!(code, Some(0), "{out}{err}");
    let started: Value = serde_json::from_str(&out).expect("JSON");
    let id = started["id"].as_str().expect("id").to_owned();
    assert_eq!(started["status"], "requested");
    // BE's board lists it with the 48-hour answer clock; BE grants it.
    let mut listed = String::new();
    for _ in 0..100 {
        let (code, out, _) = run(&pair.be_api, "be.operator", &["operation", "list"]);
        assert_eq!(code, Some(0));
        if out.contains(&id) {
            listed = out;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        listed.contains("reply_deadline") && listed.contains("requested"),
        "{listed}"
    );
    let (code, out, err) = run(
        &pair.be_api,
        "be.operator",
        &[
            "operation",
            "event",
            &id,
            "--event",
            "granted",
            "--text",
            "PZ Turnhout attends",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let granted: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(granted["answer"], "granted");
    assert!(granted["officers"].to_string().contains("NL-SH-"), "{granted}");
    assert!(!out.contains("Piet Smit"), "BE never sees the shielded name");
}
