//! `grens bench soak`: the demo network (`grens demo`, a child process: five nodes on SQLite;
//! the load is on the Benelux three) under a steady mixed load for some minutes — requests from
//! NL and BE's answers, hit/no-hit queries, ANPR camera reads, hot pursuits with their events —
//! reporting per minute the operations done, their p99 latency and the demo process's resident
//! memory. Memory is flat when the last minute's is at most 1.1 × the second's (the first minute
//! is warm-up: caches, connection pools, the allocator's arenas).

use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use demo::network::demo_password;
use node::officer_client::OfficerClient;
use serde_json::{json, Value};

/// What `--json` prints per minute.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Minute {
    pub minute: u64,
    /// Operations completed in the minute, all kinds.
    pub operations: usize,
    pub per_s: f64,
    pub p99_ms: f64,
    /// Operations that failed (an error answer or no answer).
    pub failed: usize,
    /// Resident memory of the demo process at the end of the minute.
    pub rss_mb: f64,
    /// Per kind: how many, and their p99 in ms.
    pub by_kind: std::collections::BTreeMap<&'static str, KindFigures>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct KindFigures {
    pub operations: usize,
    pub p99_ms: f64,
}

/// One minute's latencies and failures, per kind.
#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    by_kind: std::collections::BTreeMap<&'static str, Vec<f64>>,
    failed: usize,
}

/// The `grens demo` child, stopped when dropped.
struct DemoProcess(Child);

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Resident memory of process `pid` in MB (Linux `/proc`).
fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("VmRSS in /proc/<pid>/status")?;
    Ok(kb / 1024.0)
}

fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

/// Starts `grens demo --dir dir` and waits until its network is up (its fixed ports 8441–8445).
fn start_demo(dir: &std::path::Path) -> Result<DemoProcess> {
    let log = dir.join("demo.log");
    let child = Command::new(std::env::current_exe()?)
        .args(["demo", "--dir"])
        .arg(dir.join("net"))
        .stdout(Stdio::from(std::fs::File::create(&log)?))
        .stderr(Stdio::null())
        .spawn()
        .context("starting grens demo")?;
    let mut demo = DemoProcess(child);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if std::fs::read_to_string(&log)?.contains("Ctrl-C stops the network") {
            return Ok(demo);
        }
        if let Ok(Some(status)) = demo.0.try_wait() {
            bail!(
                "grens demo exited ({status}): {} (are ports 7441–7445 and 8441–8445 free?)",
                std::fs::read_to_string(&log)?
            );
        }
        if Instant::now() > deadline {
            bail!("grens demo did not start within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One kind of work, repeated every `every` until `until`, each run timed into the minute it
/// ended in.
async fn steady<F, Fut>(
    name: &'static str,
    every: Duration,
    start: Instant,
    until: Instant,
    tallies: Arc<Mutex<Vec<Tally>>>,
    mut work: F,
) where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n = 0u64;
    loop {
        tick.tick().await;
        if Instant::now() >= until {
            break;
        }
        let began = Instant::now();
        let outcome = work(n).await;
        n += 1;
        let minute = (began.duration_since(start).as_secs() / 60) as usize;
        if let Ok(mut t) = tallies.lock() {
            if let Some(t) = t.get_mut(minute) {
                match outcome {
                    Ok(()) => {
                        let ms = began.elapsed().as_secs_f64() * 1e3;
                        t.latencies_ms.push(ms);
                        t.by_kind.entry(name).or_default().push(ms);
                    }
                    Err(e) => {
                        t.failed += 1;
                        tracing::debug!(kind = name, error = %e, "soak operation failed");
                    }
                }
            }
        }
    }
}

async fn login(port: u16, ca: &str, user: &str) -> Result<OfficerClient> {
    Ok(OfficerClient::login(&format!("https://127.0.0.1:{port}"), ca, user, &demo_password(user)).await?)
}

async fn ok(answer: Result<node::officer_client::Answer, node::NodeError>) -> Result<Value> {
    Ok(answer?.ok()?)
}

/// Runs the soak for `minutes` and returns the per-minute figures.
pub async fn run(minutes: u64, json_out: bool) -> Result<Value> {
    if minutes < 2 {
        bail!("--minutes: give at least 2 (the second minute is the memory baseline)");
    }
    let dir = tempfile::tempdir()?;
    let demo = start_demo(dir.path())?;
    let pid = demo.0.id();
    let ca = std::fs::read_to_string(dir.path().join("net/pki/ca.crt"))?;
    // BE on 8441, NL on 8443 (grens demo's fixed ports).
    let nl = login(8443, &ca, "nl.oostbrabant").await?;
    let be = login(8441, &ca, "be.operator").await?;
    let cameras = login(8441, &ca, "be.anpr").await?;

    // One NL hotlist entry accepted by BE, so a share of the camera reads are hits.
    ok(nl
        .post(
            "/api/v1/anpr/entries",
            &json!({ "plate": "XX-777-Y", "country": "NL", "category": "stolen vehicle", "follow_up_action": "stop and check",
                     "international_alert": "SIS II NL-V-SOAK", "recipients": ["BE"] }),
        )
        .await)
    .await?;
    let mut accepted = false;
    for _ in 0..200 {
        let waiting = ok(be.get("/api/v1/anpr/received").await).await?;
        if let Some(m) = waiting
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["status"] == "pending")
            .and_then(|e| e["message_id"].as_str())
        {
            ok(be
                .post(
                    &format!("/api/v1/anpr/received/{m}/decision"),
                    &json!({ "accept": true }),
                )
                .await)
            .await?;
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !accepted {
        bail!("the soak's hotlist entry never reached BE");
    }

    let start = Instant::now();
    let until = start + Duration::from_secs(minutes * 60);
    let tallies = Arc::new(Mutex::new((0..minutes).map(|_| Tally::default()).collect::<Vec<_>>()));
    let requests = {
        let (nl, tallies) = (nl.clone(), tallies.clone());
        steady("request", Duration::from_millis(200), start, until, tallies, move |n| {
            let nl = nl.clone();
            async move {
                ok(nl
                    .post(
                        "/api/v1/messages",
                        &json!({ "kind": "request", "to_party": "BE", "via": "ncp", "purpose": "criminal",
                                 "subjects": [{ "type": "person", "given_names": ["Jan"], "surname": format!("Soak-{n}") }],
                                 "text": format!("soak request {n}") }),
                    )
                    .await)
                .await
                .map(drop)
            }
        })
    };
    // BE's contact point answers the oldest unanswered request it sees on the first inbox page.
    let answers = {
        let (be, tallies) = (be.clone(), tallies.clone());
        steady("answer", Duration::from_millis(250), start, until, tallies, move |_| {
            let be = be.clone();
            async move {
                let inbox = ok(be.get("/api/v1/inbox?limit=100").await).await?;
                let Some(id) = inbox
                    .as_array()
                    .into_iter()
                    .flatten()
                    .rev()
                    .find(|m| m["kind"] == "request" && m["direction"] == "incoming" && m["deadline"]["met"] == false)
                    .and_then(|m| m["id"].as_str())
                    .map(str::to_owned)
                else {
                    return Ok(());
                };
                ok(be
                    .post(
                        &format!("/api/v1/messages/{id}/reply"),
                        &json!({ "type": "provision", "subjects": [], "text": "Not known to us.", "language": "nl" }),
                    )
                    .await)
                .await
                .map(drop)
            }
        })
    };
    let queries = {
        let (nl, tallies) = (nl.clone(), tallies.clone());
        steady(
            "hit_query",
            Duration::from_millis(500),
            start,
            until,
            tallies,
            move |n| {
                let nl = nl.clone();
                async move {
                    let surname = if n % 10 == 0 {
                        "Janssens".to_owned()
                    } else {
                        format!("Soakquery-{n}")
                    };
                    ok(nl
                    .post(
                        "/api/v1/hit-queries",
                        &json!({ "to_party": "BE", "database": "ANG", "case_reference": "PV 2026/SOAK",
                                 "subjects": [{ "type": "person", "given_names": ["Jan"], "surname": surname, "birth_date": "1984-03-12" }] }),
                    )
                    .await)
                .await
                .map(drop)
                }
            },
        )
    };
    // 100 reads a second in batches of 50; one read in 100 matches the hotlist.
    let reads = {
        let (cameras, tallies) = (cameras.clone(), tallies.clone());
        steady(
            "anpr_reads",
            Duration::from_millis(500),
            start,
            until,
            tallies,
            move |n| {
                let cameras = cameras.clone();
                async move {
                    let now = jiff::Timestamp::now().to_string();
                    let batch: Vec<Value> = (0..50u64)
                    .map(|i| {
                        let k = n * 50 + i;
                        let plate = if k % 100 == 0 { "XX777Y".to_owned() } else { format!("SK{:06}", k % 1_000_000) };
                        json!({ "plate": plate, "country": "NL", "time": now, "camera": "BE-E19-07", "location": "E19 Meer", "confidence": 0.9 })
                    })
                    .collect();
                    ok(cameras.post("/api/v1/anpr/reads", &json!({ "reads": batch })).await)
                        .await
                        .map(drop)
                }
            },
        )
    };
    // A hot pursuit every 5 s: started by NL, acknowledged and ended on BE's board.
    let operations = {
        let (nl, be, tallies) = (nl.clone(), be.clone(), tallies.clone());
        steady("operation", Duration::from_secs(5), start, until, tallies, move |_| {
            let (nl, be) = (nl.clone(), be.clone());
            async move {
                let started = ok(nl
                    .post(
                        "/api/v1/operations/pursuits",
                        &json!({ "host": "BE", "medium": "land", "started_in_own_territory": true,
                                 "host_could_be_warned_in_advance": false, "host_could_take_over_in_time": false,
                                 "text": "soak pursuit" }),
                    )
                    .await)
                .await?;
                let id = started["id"].as_str().context("operation id")?.to_owned();
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    let a = be
                        .post(
                            &format!("/api/v1/operations/{id}/events"),
                            &json!({ "event": "acknowledged" }),
                        )
                        .await?;
                    if a.status.is_success() {
                        break;
                    }
                    if Instant::now() > deadline {
                        bail!("{id} never reached BE: {}", a.body);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                ok(nl
                    .post(&format!("/api/v1/operations/{id}/events"), &json!({ "event": "ended" }))
                    .await)
                .await
                .map(drop)
            }
        })
    };
    // The memory, sampled at the end of each minute.
    let memory = async {
        let mut rss = Vec::new();
        for m in 1..=minutes {
            tokio::time::sleep_until((start + Duration::from_secs(m * 60)).into()).await;
            let mb = rss_mb(pid).unwrap_or(0.0);
            if !json_out {
                eprintln!("minute {m}: demo process {mb:.1} MB resident");
            }
            rss.push(mb);
        }
        rss
    };
    let ((), (), (), (), (), rss) = tokio::join!(requests, answers, queries, reads, operations, memory);
    drop(demo);
    let tallies = std::mem::take(&mut *tallies.lock().map_err(|_| anyhow::anyhow!("tally lock"))?);
    let figures: Vec<Minute> = tallies
        .into_iter()
        .zip(rss.iter())
        .enumerate()
        .map(|(i, (t, rss))| Minute {
            minute: i as u64 + 1,
            operations: t.latencies_ms.len(),
            per_s: t.latencies_ms.len() as f64 / 60.0,
            p99_ms: percentile(t.latencies_ms, 0.99),
            failed: t.failed,
            rss_mb: *rss,
            by_kind: t
                .by_kind
                .into_iter()
                .map(|(kind, ms)| {
                    let figures = KindFigures {
                        operations: ms.len(),
                        p99_ms: percentile(ms, 0.99),
                    };
                    (kind, figures)
                })
                .collect(),
        })
        .collect();
    let (second, last) = (rss[1], rss[rss.len() - 1]);
    let ratio = if second > 0.0 { last / second } else { f64::NAN };
    Ok(json!({
        "minutes": figures,
        "memory_last_to_second": ratio,
        "memory_flat": ratio <= 1.1,
        "failed": figures.iter().map(|m| m.failed).sum::<usize>(),
    }))
}

pub fn bench(minutes: u64, json_out: bool) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let out = runtime.block_on(run(minutes, json_out))?;
    if json_out {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(if out["memory_flat"] == true {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
