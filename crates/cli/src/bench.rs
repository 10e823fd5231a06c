//! `grens bench exchange`: signed, durable request→receipt throughput and latency between two
//! nodes over loopback mTLS on SQLite, and in the same run a baseline: durable
//! publish-acknowledge of the same payload through NATS JetStream.
//!
//! One message = NL signs a request, commits it to its outbox with its journal entry (fsync),
//! delivers it over mTLS; BE verifies it, commits it to its inbox with its journal entry
//! (fsync), signs a receipt; NL verifies the receipt and settles the outbox row (in a later
//! group commit). The run ends when both nodes' case views have applied every message.
//!
//! On a 2-core machine NATS's own figure moves by 2× from one run to the next, so the bench runs
//! paired rounds — grens on fresh stores, then NATS with the same payload, three times by
//! default — and reports the median of the rounds' ratios, with p50/p99 over every round's
//! latencies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use node::config::NodeConfig;
use node::serve::start_with;
use protocol::{Body, Envelope, LegalBasis, NodeAddress, Purpose, Subject};
use serde_json::json;
use store::{AnyStore, CaseStore, Settlement};
use tokio::net::TcpListener;
use treaty::PartyCode;

/// What `--json` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figures {
    /// The median of the rounds'.
    pub msgs_per_s: f64,
    /// Over the latencies of every round.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The median of the rounds' baselines.
    pub baseline: Baseline,
    /// Per round.
    pub messages: usize,
    pub concurrency: usize,
    /// The median of the rounds' ratios (grens msgs/s divided by the baseline's of that round).
    pub ratio_to_baseline: Option<f64>,
    pub rounds: Vec<Round>,
}

/// One paired round: grens, then the baseline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Round {
    pub msgs_per_s: f64,
    pub p99_ms: f64,
    pub baseline_msgs_per_s: Option<f64>,
    pub ratio_to_baseline: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Baseline {
    pub name: &'static str,
    pub msgs_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn request(from: &NodeAddress, to: &NodeAddress, n: usize) -> Envelope {
    Envelope::new(
        from.clone(),
        to.clone(),
        jiff::Timestamp::now(),
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "4(1)".parse().expect("a valid article"),
        },
        Body::Request {
            purpose: Purpose::Criminal,
            subjects: vec![
                Subject::Person(protocol::Person {
                    given_names: vec!["Jan".into()],
                    surname: format!("Janssens-{n}"),
                    birth_date: Some(jiff::civil::date(1984, 3, 12)),
                    ..Default::default()
                }),
                Subject::Object(protocol::Object {
                    kind: protocol::ObjectKind::Vehicle,
                    identifier: "1-ABC-123".into(),
                    country: Some("BE".into()),
                    description: Some("grey Audi A4".into()),
                }),
            ],
            text: "Investigation into a series of burglaries in Eindhoven: antecedents of the person and holder of the vehicle?".into(),
            urgent: false,
            directly_accessible: false,
            channel: protocol::Channel::Ncp,
            direct_ground: None,
            hit_reference: None,
            topic: None,
        },
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64)).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

async fn bind() -> Result<(TcpListener, std::net::SocketAddr)> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let a = l.local_addr()?;
    Ok((l, a))
}

/// Runs grens' exchange, then the baseline.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// `rounds` paired rounds of [`round`]; the medians and the pooled latencies.
pub async fn exchange(messages: usize, concurrency: usize, nats_url: &str, rounds: usize) -> Result<Figures> {
    let mut all = Vec::new();
    let mut latencies = Vec::new();
    for _ in 0..rounds.max(1) {
        let (figures, mut these) = round(messages, concurrency, nats_url).await?;
        latencies.append(&mut these);
        all.push(figures);
    }
    latencies.sort();
    let errors: Vec<String> = all.iter().filter_map(|r| r.1.clone()).collect();
    let baseline = median(all.iter().filter_map(|r| r.0.baseline_msgs_per_s).collect());
    Ok(Figures {
        msgs_per_s: median(all.iter().map(|r| r.0.msgs_per_s).collect()).unwrap_or(0.0),
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        baseline: Baseline {
            name: "nats_jetstream",
            msgs_per_s: baseline,
            error: (baseline.is_none()).then(|| errors.join("; ")),
        },
        messages,
        concurrency,
        ratio_to_baseline: median(all.iter().filter_map(|r| r.0.ratio_to_baseline).collect()),
        rounds: all.into_iter().map(|r| r.0).collect(),
    })
}

/// One round on fresh stores: grens's figures, the baseline's error if it could not be
/// measured, and the latencies.
async fn round(
    messages: usize,
    concurrency: usize,
    nats_url: &str,
) -> Result<((Round, Option<String>), Vec<Duration>)> {
    let dir = tempfile::tempdir()?;
    let (be_l, be_a) = bind().await?;
    let (nl_l, nl_a) = bind().await?;
    let be_p = PartyCode::parse("BE").map_err(anyhow::Error::msg)?;
    let nl_p = PartyCode::parse("NL").map_err(anyhow::Error::msg)?;
    let pki = dir.path().join("pki");
    node::peer::pki::init(
        &pki,
        &[
            ("BE-NCP".into(), be_p.clone(), format!("https://{be_a}")),
            ("NL-NCP".into(), nl_p.clone(), format!("https://{nl_a}")),
        ],
    )?;
    let config = |id: &str, listen| NodeConfig {
        node: id.into(),
        listen,
        api_listen: None,
        profile: "benelux-2018".into(),
        pki: pki.clone(),
        database: String::new(),
        max_skew_secs: 300,
        // The bench delivers at once; the rounds only pick up what a crash left behind.
        delivery_round_ms: 1000,
        checkpoint_interval_secs: 0,
        national_databases: Vec::new(),
        clock_start: None,
        clock_anchor: None,
        connections: Default::default(),
    };
    let store = |id: &str| format!("sqlite:{}", dir.path().join(format!("{id}.sqlite")).display());
    let (be_store, nl_store) = (
        AnyStore::open(&store("BE-NCP")).await?,
        AnyStore::open(&store("NL-NCP")).await?,
    );
    let be = start_with(&config("BE-NCP", be_a), be_store.clone(), be_l, None).await?;
    let nl = start_with(&config("NL-NCP", nl_a), nl_store.clone(), nl_l, None).await?;
    let from = NodeAddress::node(nl_p, "NL-NCP");
    let to = NodeAddress::node(be_p, "BE-NCP");

    // Warm up the connection pool and the databases.
    for n in 0..concurrency.min(messages) {
        nl.sender.send_now(&request(&from, &to, n), "bench", "warm-up").await?;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (next, sender, from, to) = (next.clone(), nl.sender.clone(), from.clone(), to.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= messages {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t0 = Instant::now();
                let envelope = request(&from, &to, n);
                match sender
                    .send_now(&envelope, "NL/officer:bench", "Art. 4(1): bench request")
                    .await?
                {
                    Settlement::Delivered => latencies.push(t0.elapsed()),
                    other => anyhow::bail!("message {n} was not receipted: {other:?}"),
                }
            }
        }));
    }
    let mut latencies = Vec::with_capacity(messages);
    for w in workers {
        latencies.extend(w.await??);
    }
    // The case views of every message are part of the work (applied off the messages' commits,
    // store::case_feed): the clock stops once both nodes' views hold them.
    nl_store.apply_pending_cases().await?;
    be_store.apply_pending_cases().await?;
    let elapsed = started.elapsed();
    latencies.sort();
    let msgs_per_s = latencies.len() as f64 / elapsed.as_secs_f64();
    // The nodes stop before the baseline runs: it gets the machine to itself, as grens did.
    let payload = protocol::sign(&request(&from, &to, 0), &nl.sender.key)?.bytes;
    nl.shutdown().await;
    be.shutdown().await;
    let (baseline, error) = match nats_baseline(nats_url, messages, concurrency, payload).await {
        Ok(rate) => (Some(rate), None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    let round = Round {
        msgs_per_s,
        p99_ms: percentile(&latencies, 99.0),
        baseline_msgs_per_s: baseline,
        ratio_to_baseline: baseline.map(|b| msgs_per_s / b),
    };
    Ok(((round, error), latencies))
}

/// Publishes `messages` copies of `payload` to a file-backed JetStream stream, `concurrency`
/// publishers each waiting for the server's acknowledgement before the next publish.
async fn nats_baseline(url: &str, messages: usize, concurrency: usize, payload: Vec<u8>) -> Result<f64> {
    use async_nats::jetstream::{self, stream};
    let client = async_nats::connect(url)
        .await
        .with_context(|| format!("connecting to NATS at {url}"))?;
    let js = jetstream::new(client);
    let name = format!("GRENS_BENCH_{}", std::process::id());
    let _ = js.delete_stream(&name).await;
    js.create_stream(stream::Config {
        name: name.clone(),
        subjects: vec![format!("grens.bench.{}", std::process::id())],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .context("creating the JetStream stream")?;
    let subject = format!("grens.bench.{}", std::process::id());
    let payload = bytes::Bytes::from(payload);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (js, next, subject, payload) = (js.clone(), next.clone(), subject.clone(), payload.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < messages {
                js.publish(subject.clone(), payload.clone()).await?.await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for w in workers {
        w.await??;
    }
    let rate = messages as f64 / started.elapsed().as_secs_f64();
    let _ = js.delete_stream(&name).await;
    Ok(rate)
}

/// `grens bench exchange`.
pub fn run(
    messages: usize,
    concurrency: usize,
    nats_url: &str,
    rounds: usize,
    as_json: bool,
) -> Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(exchange(messages, concurrency, nats_url, rounds))?;
    if as_json {
        println!("{}", json!(figures));
    } else {
        for (i, r) in figures.rounds.iter().enumerate() {
            println!(
                "round {}: grens {:.0} msgs/s, p99 {:.2} ms; NATS {} msgs/s; ratio {}",
                i + 1,
                r.msgs_per_s,
                r.p99_ms,
                r.baseline_msgs_per_s.map_or("-".into(), |b| format!("{b:.0}")),
                r.ratio_to_baseline.map_or("-".into(), |x| format!("{x:.4}"))
            );
        }
        println!(
            "grens exchange: {} rounds of {} messages, {} in flight: median {:.0} msgs/s, p50 {:.2} ms, p99 {:.2} ms (all rounds)",
            figures.rounds.len(),
            figures.messages,
            figures.concurrency,
            figures.msgs_per_s,
            figures.p50_ms,
            figures.p99_ms
        );
        match (&figures.baseline.msgs_per_s, &figures.baseline.error) {
            (Some(rate), _) => println!(
                "baseline NATS JetStream publish-ack: median {rate:.0} msgs/s (grens = {:.4}× baseline, the median of the rounds' ratios)",
                figures.ratio_to_baseline.unwrap_or(0.0)
            ),
            (None, Some(e)) => println!("baseline NATS JetStream: not measured: {e}"),
            _ => {}
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
