//! `grens bench anpr-network`: in the three-node demo network, how long a camera read that
//! matches a hotlist entry takes from its publication on NATS JetStream at the recipient (BE)
//! until the provider's (NL) officers see the hit in their API — while background reads that
//! match nothing stream in at a set rate.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use demo::network::{self, demo_password, DemoNetwork, Ports, Stores};
use node::officer_client::OfficerClient;
use serde_json::json;

#[derive(Debug)]
pub struct Options {
    /// Background reads per second.
    pub rate: u64,
    pub seconds: u64,
    /// Consumers sharing the durable consumer (replicas of the ingest).
    pub consumers: usize,
    pub nats: String,
    pub json: bool,
}

/// Reads in one background message.
const PER_MESSAGE: u64 = 500;

async fn login(net: &DemoNetwork, party: &str, user: &str) -> Result<OfficerClient> {
    let node = net.node(party).context("node")?;
    Ok(OfficerClient::login(&node.api_url, &net.ca_pem, user, &demo_password(user)).await?)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub async fn run(o: &Options) -> Result<serde_json::Value> {
    let say = |s: String| {
        if !o.json {
            eprintln!("{s}");
        }
    };
    let dir = tempfile::tempdir()?;
    let net = network::start(dir.path(), [Ports { inbox: 0, api: 0 }; 3], &Stores::Sqlite).await?;
    network::record_demo_agreements(&net).await?;
    let nl = login(&net, "NL", "nl.oostbrabant").await?;
    let be = login(&net, "BE", "be.operator").await?;
    // NL's hotlist: 20 entries, all accepted by BE.
    let plates: Vec<String> = (0..20).map(|i| format!("XX-{:03}-Y", 100 + i)).collect();
    for p in &plates {
        nl.post(
            "/api/v1/anpr/entries",
            &json!({ "plate": p, "country": "NL", "category": "stolen vehicle", "follow_up_action": "stop and check",
                     "international_alert": "SIS II NL-V-BENCH", "recipients": ["BE"] }),
        )
        .await?
        .ok()?;
    }
    let mut accepted = 0;
    for _ in 0..400 {
        let waiting = be.get("/api/v1/anpr/received").await?.ok()?;
        for e in waiting
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["status"] == "pending")
        {
            let m = e["message_id"].as_str().unwrap_or_default();
            be.post(
                &format!("/api/v1/anpr/received/{m}/decision"),
                &json!({ "accept": true }),
            )
            .await?
            .ok()?;
            accepted += 1;
        }
        if accepted == plates.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    anyhow::ensure!(
        accepted == plates.len(),
        "BE accepted {accepted} of {} entries",
        plates.len()
    );
    say(format!("NL's {} entries accepted at BE", plates.len()));

    // NATS: the stream, the consumers (replicas of the ingest at BE), the publishers.
    let tag = format!("{}_{}", std::process::id(), jiff::Timestamp::now().as_millisecond());
    let (stream, subject) = (format!("GRENS_BENCH_ANPR_{tag}"), format!("grens.bench.anpr.{tag}"));
    let (js, _) = crate::anpr_cmds::reads_stream(&o.nats, &stream, &subject).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut consumers = Vec::new();
    for _ in 0..o.consumers.max(1) {
        let c = login(&net, "BE", "be.anpr").await?;
        let messages = crate::anpr_cmds::nats_messages(&o.nats, &stream, &subject, "bench").await?;
        consumers.push(tokio::spawn(async move {
            crate::anpr_cmds::consume(&c, messages, 5000, None).await
        }));
    }
    let published = Arc::new(AtomicU64::new(0));
    let background = {
        let (js, subject, stop, published) = (js.clone(), subject.clone(), stop.clone(), published.clone());
        let every = Duration::from_secs_f64(PER_MESSAGE as f64 / o.rate.max(1) as f64);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut rng = anpr::synthetic::Rng::new(9);
            let mut acks = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let now = jiff::Timestamp::now().to_string();
                let mut payload = String::with_capacity(PER_MESSAGE as usize * 90);
                for _ in 0..PER_MESSAGE {
                    // German plates: never on NL's hotlist.
                    let p = anpr::synthetic::plate("DE", &mut rng);
                    payload.push_str(&format!(
                        "{{\"plate\":\"{p}\",\"time\":\"{now}\",\"camera\":\"BE-BG-{}\"}}\n",
                        rng.below(400)
                    ));
                }
                match js.publish(subject.clone(), payload.into()).await {
                    Ok(ack) => acks.push(ack),
                    Err(e) => eprintln!("publishing: {e}"),
                }
                if acks.len() >= 64 {
                    for a in acks.drain(..) {
                        let _ = a.await;
                    }
                }
                published.fetch_add(PER_MESSAGE, Ordering::Relaxed);
            }
            for a in acks {
                let _ = a.await;
            }
        })
    };
    // Probes: one hit read every 200 ms, each timed from publication to NL's officers' API.
    let started = Instant::now();
    let reads_before = reads_total(&net).await;
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let mut seen: HashMap<String, Instant> = HashMap::new();
    let mut next_probe = Instant::now();
    let mut n = 0;
    let end = started + Duration::from_secs(o.seconds);
    while Instant::now() < end + Duration::from_secs(3) {
        if Instant::now() >= next_probe && Instant::now() < end {
            let camera = format!("PROBE-{n}");
            let plate = &plates[n % plates.len()];
            let read = json!({ "plate": plate, "time": jiff::Timestamp::now().to_string(), "camera": camera });
            js.publish(subject.clone(), format!("{read}\n").into()).await?.await?;
            sent.insert(camera, Instant::now());
            n += 1;
            next_probe += Duration::from_millis(200);
        }
        let hits = nl.get("/api/v1/anpr/hits").await?.ok()?;
        for h in hits.as_array().into_iter().flatten() {
            if let Some(c) = h["camera"].as_str() {
                seen.entry(c.to_owned()).or_insert_with(Instant::now);
            }
        }
        if Instant::now() >= end && sent.keys().all(|k| seen.contains_key(k)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed().as_secs_f64().min(o.seconds as f64);
    stop.store(true, Ordering::Relaxed);
    let _ = background.await;
    let reads_compared = reads_total(&net).await - reads_before;
    for c in consumers {
        c.abort();
    }
    let _ = js.delete_stream(&stream).await;
    let mut latencies: Vec<f64> = sent
        .iter()
        .filter_map(|(k, at)| {
            seen.get(k)
                .map(|s| s.saturating_duration_since(*at).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let lost = sent.len() - latencies.len();
    let out = json!({
        "background_reads_per_s_target": o.rate,
        "background_reads_per_s_published": (published.load(Ordering::Relaxed) as f64 / elapsed).round(),
        "reads_per_s_compared": (reads_compared as f64 / elapsed).round(),
        "consumers": o.consumers,
        "probes": sent.len(),
        "lost": lost,
        "p50_ms": (percentile(&latencies, 0.5) * 10.0).round() / 10.0,
        "p99_ms": (percentile(&latencies, 0.99) * 10.0).round() / 10.0,
        "max_ms": (latencies.last().copied().unwrap_or(0.0) * 10.0).round() / 10.0,
    });
    drop(net);
    Ok(out)
}

/// BE's count of compared reads, from its metrics.
async fn reads_total(net: &DemoNetwork) -> u64 {
    let Some(be) = net.node("BE") else {
        return 0;
    };
    be.running
        .desk
        .metrics_text()
        .await
        .lines()
        .find_map(|l| l.strip_prefix("grens_anpr_reads_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

pub fn bench(o: &Options) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let out = runtime.block_on(run(o))?;
    if o.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(if out["lost"] == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
