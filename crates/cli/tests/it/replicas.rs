//! Two `grens serve` replicas of BE on one PostgreSQL database behind HAProxy — for the mTLS
//! inbox and for the officers' API — with NL sending 1,000 requests through it while replica A
//! is SIGKILLed and restarted again and again (docs/deployment.md).
//!
//! What must hold: every request NL's API acknowledged is in BE's journal exactly once and the
//! chain verifies; the release alerts of a detention are raised once each, by whichever replica
//! holds the duties lease; an officer's session opened on one replica works on the other; a
//! hotlist entry accepted through one replica is compared by the other.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use node::officer_client::OfficerClient;
use serde_json::json;
use store::{AnyStore, JournalQuery, JournalStore, Record};

use crate::crash::{free_port, grens_ok, send_in_background, NodeProcess, Rng};

const PASSWORD: &str = "replica-test-pw";

/// A PostgreSQL database of its own, dropped at the end.
struct Database {
    admin: String,
    name: String,
}

impl Database {
    fn create(rt: &tokio::runtime::Runtime) -> Database {
        let admin =
            std::env::var("GRENS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
        let name = format!(
            "grens_replicas_{}_{}",
            std::process::id(),
            Timestamp::now().as_millisecond()
        );
        rt.block_on(async {
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("PostgreSQL at GRENS_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create database");
        });
        Database { admin, name }
    }

    fn url(&self) -> String {
        let base = self.admin.rsplit_once('/').map_or(self.admin.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // A runtime of its own: this may run while a test's runtime unwinds.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().ok()?;
            rt.block_on(async {
                let pool = sqlx::PgPool::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&pool)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// HAProxy in front of the two replicas, in the foreground, killed when dropped.
struct Balancer(Child);

impl Balancer {
    fn start(dir: &Path, inbox: (u16, [u16; 2]), api: (u16, [u16; 2])) -> Balancer {
        let config = dir.join("haproxy.cfg");
        std::fs::write(&config, haproxy_config(inbox, api)).expect("haproxy.cfg");
        let haproxy = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
            .expect("HAProxy (Debian's haproxy package; scripts/test installs it)");
        let log = std::fs::File::create(dir.join("haproxy.log")).expect("log");
        let child = Command::new(haproxy)
            .args(["-db", "-f", config.to_str().expect("utf-8")])
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("haproxy starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", api.0)).is_err() {
            assert!(
                Instant::now() < deadline,
                "haproxy did not start: see {}",
                dir.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Balancer(child)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The configuration docs/deployment.md shows: TCP passthrough (each replica terminates TLS
/// itself, so the inbox still sees the partner's client certificate), health checks that take a
/// killed replica out within a second, and a refused connection retried on the other replica.
pub(crate) fn haproxy_config(inbox: (u16, [u16; 2]), api: (u16, [u16; 2])) -> String {
    let backend = |name: &str, (front, servers): (u16, [u16; 2])| {
        format!(
            "frontend {name}\n    bind 127.0.0.1:{front}\n    default_backend {name}_replicas\n\n\
             backend {name}_replicas\n    balance roundrobin\n    option redispatch 1\n    retries 3\n\
             \x20   server a 127.0.0.1:{} check inter 300ms fall 1 rise 2\n\
             \x20   server b 127.0.0.1:{} check inter 300ms fall 1 rise 2\n\n",
            servers[0], servers[1]
        )
    };
    format!(
        "global\n    maxconn 4096\n\ndefaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n\
         \x20   timeout server 60s\n\n{}{}",
        backend("inbox", inbox),
        backend("api", api)
    )
}

/// Records an implementing agreement covering Art. 13 straight into a node's store (test
/// set-up; the administrators' form does the same through the desk).
async fn agreement(store: &AnyStore) {
    let record = node::desk::Desk::agreement_from_fields(
        "BE-NL-13",
        "ANPR reference data",
        "BE, NL",
        "13",
        "",
        "2026-01-01",
        "",
    )
    .expect("agreement");
    store
        .put_record(Record {
            kind: "agreement".into(),
            key: record.reference.clone(),
            value: serde_json::to_value(&record).expect("json"),
            updated_by: "test".into(),
            updated_at: Timestamp::now(),
        })
        .await
        .expect("agreement stored");
}

async fn eventually<T, F, Fut>(what: &str, within: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many journal entries of the alert `label` of operation `id` the store holds.
async fn alerts_raised(store: &AnyStore, id: &str, label: &str) -> i64 {
    store
        .journal_count(JournalQuery {
            details: vec![("operation".into(), json!(id)), ("alert".into(), json!(label))],
            limit: 10,
            ..JournalQuery::default()
        })
        .await
        .expect("count")
}

#[test]
fn two_replicas_behind_haproxy_keep_every_message_once_and_share_sessions_hotlists_and_alerts() {
    let messages: usize = std::env::var("GRENS_REPLICA_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let database = Database::create(&rt);
    let dir = tempfile::tempdir().expect("tempdir");
    let (nl_inbox, nl_api) = (free_port(), free_port());
    let (a_inbox, a_api, b_inbox, b_api) = (free_port(), free_port(), free_port(), free_port());
    let (lb_inbox, lb_api) = (free_port(), free_port());
    let pki = dir.path().join("pki");
    let party = |p: &str| treaty::PartyCode::parse(p).expect("party");
    node::peer::pki::init(
        &pki,
        &[
            // Partners reach BE at its load balancer.
            ("BE-NCP".into(), party("BE"), format!("https://127.0.0.1:{lb_inbox}")),
            ("NL-NCP".into(), party("NL"), format!("https://127.0.0.1:{nl_inbox}")),
        ],
    )
    .expect("pki");
    // One shifted clock for all three processes, whenever each starts: it reads 16:00 in
    // Brussels now, so a detention held since 10:01:30 is due for release in 90 s (Art. 21(3)).
    let start: Timestamp = "2026-03-11T15:00:00Z".parse().expect("instant");
    let anchor = Timestamp::now();
    let held_at = start - SignedDuration::from_hours(6) + SignedDuration::from_secs(90);
    let clock_now = move || Timestamp::now() + start.duration_since(anchor);
    let config = |name: &str, node: &str, listen: u16, api: u16, database: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "node = \"{node}\"\nlisten = \"127.0.0.1:{listen}\"\napi_listen = \"127.0.0.1:{api}\"\npki = \"pki\"\n\
                 database = \"{database}\"\ndelivery_round_ms = 50\nclock_start = \"{start}\"\nclock_anchor = \"{anchor}\"\n"
            ),
        )
        .expect("config");
        path
    };
    let be_db = database.url();
    let nl_db = format!("sqlite:{}", dir.path().join("NL-NCP.sqlite").display());
    let log = |name: &str| Some(dir.path().join(name));
    let mut a = NodeProcess::new(
        config("be-a.toml", "BE-NCP", a_inbox, a_api, &be_db),
        a_inbox,
        log("be-a.log"),
    );
    let mut b = NodeProcess::new(
        config("be-b.toml", "BE-NCP", b_inbox, b_api, &be_db),
        b_inbox,
        log("be-b.log"),
    );
    let mut nl = NodeProcess::new(
        config("nl.toml", "NL-NCP", nl_inbox, nl_api, &nl_db),
        nl_inbox,
        log("nl.log"),
    );
    for (db, user, party, roles) in [
        (&be_db, "be.operator", "BE", "officer,contact_point"),
        (&nl_db, "nl.officer", "NL", "officer"),
    ] {
        grens_ok(&[
            "user",
            "add",
            "--db",
            db,
            "--username",
            user,
            "--password",
            PASSWORD,
            "--party",
            party,
            "--roles",
            roles,
        ]);
    }
    let (be_store, nl_store) = rt.block_on(async {
        let be = AnyStore::open(&be_db).await.expect("BE's store");
        let nl = AnyStore::open(&nl_db).await.expect("NL's store");
        agreement(&be).await;
        agreement(&nl).await;
        (be, nl)
    });
    drop(nl_store);
    let _balancer = Balancer::start(dir.path(), (lb_inbox, [a_inbox, b_inbox]), (lb_api, [a_api, b_api]));
    a.start();
    // A takes the duties lease first; B waits for it to lapse.
    std::thread::sleep(Duration::from_millis(500));
    b.start();
    nl.start();
    let ca = std::fs::read_to_string(pki.join("ca.crt")).expect("ca");
    let url = |port: u16| format!("https://127.0.0.1:{port}");

    // An officer's session opened on A works on B and through the balancer.
    let (officer_a, nl_officer) = rt.block_on(async {
        let on_a = OfficerClient::login(&url(a_api), &ca, "be.operator", PASSWORD)
            .await
            .expect("log-in on A");
        for other in [url(b_api), url(lb_api)] {
            let inbox = on_a.at(&other).get("/api/v1/inbox").await.expect("inbox");
            assert!(
                inbox.status.is_success(),
                "the session from A at {other}: {}",
                inbox.body
            );
        }
        let nl = OfficerClient::login(&url(nl_api), &ca, "nl.officer", PASSWORD)
            .await
            .expect("log-in at NL");
        (on_a, nl)
    });
    let officer_b = officer_a.at(&url(b_api));
    let through_balancer = officer_a.at(&url(lb_api));

    // The hotlist: NL provides an entry, BE's contact point accepts it on A, B compares with it.
    let operation = rt.block_on(async {
        let entry = json!({ "plate": "XX-123-Y", "country": "NL", "category": "stolen vehicle",
                            "follow_up_action": "stop and check; inform NL NCP",
                            "international_alert": "SIS II NL-V-2026-0042", "recipients": ["BE"] });
        nl_officer
            .post("/api/v1/anpr/entries", &entry)
            .await
            .expect("post")
            .ok()
            .expect("entry provided");
        let message = eventually("the entry reaches BE", Duration::from_secs(30), || async {
            let r = officer_b.get("/api/v1/anpr/received").await.ok()?.ok().ok()?;
            r.as_array()?.first()?["message_id"].as_str().map(str::to_owned)
        })
        .await;
        officer_a
            .post(
                &format!("/api/v1/anpr/received/{message}/decision"),
                &json!({ "accept": true }),
            )
            .await
            .expect("post")
            .ok()
            .expect("accepted on A");
        let read = json!({ "reads": [{ "plate": "XX123Y", "country": "NL", "time": clock_now().to_string(),
                                       "camera": "BE-E19-07", "location": "E19 Meer", "confidence": 0.91 }] });
        eventually(
            "B compares reads with the entry A accepted",
            Duration::from_secs(15),
            || async {
                let report = officer_b.post("/api/v1/anpr/reads", &read).await.ok()?.ok().ok()?;
                (report["hits"] == 1).then_some(())
            },
        )
        .await;

        // A hot pursuit into BE; BE records the detention (held since 10:01:30 Brussels time).
        let pursuit = json!({ "host": "BE", "medium": "land", "started_in_own_territory": true,
                              "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false,
                              "text": "grey Audi A4 after a ram raid in Eindhoven" });
        let started = nl_officer
            .post("/api/v1/operations/pursuits", &pursuit)
            .await
            .expect("post")
            .ok()
            .expect("pursuit allowed");
        let id = started["id"].as_str().expect("id").to_owned();
        eventually("the crossing reaches BE", Duration::from_secs(30), || async {
            let board = through_balancer.get("/api/v1/operations").await.ok()?.ok().ok()?;
            board.as_array()?.iter().any(|o| o["id"] == id.as_str()).then_some(())
        })
        .await;
        through_balancer
            .post(
                &format!("/api/v1/operations/{id}/events"),
                &json!({ "event": "detained", "text": "driver held at Meer", "at": held_at.to_string() }),
            )
            .await
            .expect("post")
            .ok()
            .expect("detained");
        id
    });
    let profile = treaty::Profile::builtin("benelux-2018")
        .expect("profile")
        .expect("valid");
    let due = treaty::clocks::detention_release(
        held_at,
        profile.flags.detention_release_hours,
        profile.flags.detention_uncounted_from,
        profile.flags.detention_uncounted_until,
        &profile.zone(&party("BE")),
    );
    assert_eq!(
        due,
        start + SignedDuration::from_secs(90),
        "the test's clock arithmetic"
    );

    // NL sends while A is killed and restarted.
    let seed = Timestamp::now().as_nanosecond() as u64 | 1;
    eprintln!("replica test: {messages} messages, seed {seed}");
    let (sender, done_rx) = send_in_background(nl_officer, messages, Duration::ZERO);
    let mut rng = Rng(seed);
    let mut kills = 0;
    while done_rx.try_recv().is_err() || kills < 3 {
        std::thread::sleep(Duration::from_millis(1_000 + rng.next(2_000)));
        a.kill();
        kills += 1;
        std::thread::sleep(Duration::from_millis(200 + rng.next(800)));
        a.start();
        if kills >= 12 {
            break;
        }
    }
    let acknowledged = sender.join().expect("sender");
    eprintln!("A killed {kills} times");

    rt.block_on(async {
        // Everything acknowledged arrives, once.
        let ids: std::collections::HashSet<&str> = acknowledged.iter().map(String::as_str).collect();
        eventually(
            "every acknowledged request reaches BE",
            Duration::from_secs(120),
            || async {
                let (length, _) = be_store.head().await.ok()?;
                let entries = be_store.entries(1, length).await.ok()?;
                let received = entries
                    .iter()
                    .filter(|e| {
                        e.entry.justification.starts_with("received")
                            && e.entry.message_id.as_deref().is_some_and(|m| ids.contains(m))
                    })
                    .count();
                (received >= ids.len()).then_some(())
            },
        )
        .await;
        let (length, _) = be_store.head().await.expect("head");
        let entries = be_store.entries(1, length).await.expect("journal");
        let mut times: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for e in entries.iter().filter(|e| e.entry.justification.starts_with("received")) {
            if let Some(m) = e.entry.message_id.as_deref().filter(|m| ids.contains(m)) {
                *times.entry(m).or_default() += 1;
            }
        }
        let twice: Vec<_> = times.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "journaled more than once at BE: {twice:?}");
        assert_eq!(times.len(), acknowledged.len());
        assert!(
            store::verify_chain(&be_store).await.expect("read").is_ok(),
            "BE's chain is broken"
        );

        // The release alerts: each raised once, whichever replica held the duties then.
        while clock_now() < due + SignedDuration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        eventually("the release alert is raised", Duration::from_secs(30), || async {
            (alerts_raised(&be_store, &operation, "release_due").await > 0).then_some(())
        })
        .await;
        for label in ["one_hour_left", "release_due"] {
            assert_eq!(
                alerts_raised(&be_store, &operation, label).await,
                1,
                "alert {label} of {operation}"
            );
        }
    });
    let audit = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(["audit", "verify", "--db", &be_db])
        .output()
        .expect("grens runs");
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
    a.kill();
    b.kill();
    nl.kill();
    drop(be_store);
}
