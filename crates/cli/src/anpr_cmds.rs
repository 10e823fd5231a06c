//! `grens anpr …`: hotlist entries (one, or a CSV file), and camera reads into a node — from a
//! file, standard input, or a NATS JetStream stream consumed by a durable consumer that several
//! replicas share (JetStream's queue-group semantics for pull consumers).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use node::officer_client::OfficerClient;
use serde_json::{json, Value};

use crate::client::{block, client, print, Login};

#[derive(Debug, Subcommand)]
pub enum AnprCommand {
    /// Provide one hotlist entry to partners (Art. 13): checked by the treaty engine first.
    Add(AddArgs),
    /// Provide every entry of a CSV file
    /// (`plate,country,category,follow_up_action,international_alert,recipient_legal_basis,valid_until,recipients`,
    /// recipients separated by spaces); each refused line is named with its line and field.
    Import {
        #[command(flatten)]
        login: Login,
        file: PathBuf,
    },
    /// Send camera reads to a node for comparison: from a CSV or JSON Lines file (`-` for
    /// standard input), or from a NATS JetStream stream.
    Ingest(IngestArgs),
    /// Publish camera reads from a file (`-`: standard input) to a NATS subject, as a camera
    /// network would: JSON Lines, `--per-message` reads in each message.
    Publish {
        #[arg(long, default_value = "nats://127.0.0.1:4222", value_name = "URL")]
        nats: String,
        /// The stream (created if missing, as `ingest` creates it).
        #[arg(long, default_value = "GRENS_ANPR_READS")]
        stream: String,
        #[arg(long, default_value = "grens.anpr.reads")]
        subject: String,
        #[arg(long, default_value_t = 100)]
        per_message: usize,
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    login: Login,
    #[arg(long)]
    plate: String,
    #[arg(long)]
    country: String,
    #[arg(long, default_value = "stolen vehicle")]
    category: String,
    /// Art. 13(2): what the recipient should do on a hit.
    #[arg(long)]
    follow_up: Option<String>,
    /// Art. 13(2): the international alert (e.g. a SIS II reference).
    #[arg(long)]
    alert: Option<String>,
    /// Art. 13(2): without an alert, the recipient's legal basis to act without one.
    #[arg(long)]
    legal_basis: Option<String>,
    /// Last day (YYYY-MM-DD) or instant; default 30 days.
    #[arg(long)]
    valid_until: Option<String>,
    #[arg(long)]
    contact: Option<String>,
    /// The recipient parties, comma-separated (`BE,LU`).
    #[arg(long, value_delimiter = ',')]
    to: Vec<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    login: Login,
    /// A CSV (`plate,country,time,camera,location,confidence`) or JSON Lines file; `-` for
    /// standard input.
    #[arg(long, conflicts_with = "nats", required_unless_present = "nats")]
    file: Option<PathBuf>,
    /// Consume reads from NATS JetStream at this URL instead.
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// The JetStream stream (created if missing, work-queue retention: a read is gone from
    /// NATS once the node has compared it).
    #[arg(long, default_value = "GRENS_ANPR_READS")]
    stream: String,
    #[arg(long, default_value = "grens.anpr.reads")]
    subject: String,
    /// The durable consumer every replica shares: each message goes to one of them.
    #[arg(long, default_value = "grens-anpr-ingest")]
    durable: String,
    /// Reads per request to the node.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// Stop after this many NATS messages (for tests; default: run until stopped).
    #[arg(long)]
    max_messages: Option<usize>,
}

pub fn run(command: AnprCommand) -> Result<ExitCode> {
    match command {
        AnprCommand::Add(a) => block(async move {
            let c = client(&a.login).await?;
            let answer = c
                .post(
                    "/api/v1/anpr/entries",
                    &json!({ "plate": a.plate, "country": a.country, "category": a.category,
                        "follow_up_action": a.follow_up, "international_alert": a.alert,
                        "recipient_legal_basis": a.legal_basis, "valid_until": a.valid_until,
                        "contact": a.contact, "recipients": a.to }),
                )
                .await?;
            print(answer)
        }),
        AnprCommand::Import { login, file } => block(import(login, file)),
        AnprCommand::Ingest(a) => block(ingest(a)),
        AnprCommand::Publish {
            nats,
            stream,
            subject,
            per_message,
            file,
        } => block(publish(nats, stream, subject, per_message, file)),
    }
}

fn open(file: &PathBuf) -> Result<Box<dyn BufRead>> {
    Ok(if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
        ))
    })
}

async fn import(login: Login, file: PathBuf) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let c = client(&login).await?;
    let mut progress = crate::hitnohit::progress_bar(lines.len() as u64);
    let (mut provided, mut failed) = (0, 0);
    const FIELDS: [&str; 8] = [
        "plate",
        "country",
        "category",
        "follow_up_action",
        "international_alert",
        "recipient_legal_basis",
        "valid_until",
        "recipients",
    ];
    for (i, line) in lines.iter().enumerate() {
        progress(i as u64 + 1);
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with("plate,") {
            continue;
        }
        let f = matching::csv::fields(line).map_err(|e| anyhow::anyhow!("line {n}: {e}"));
        let f = match f {
            Ok(f) if f.len() == FIELDS.len() => f,
            Ok(f) => {
                eprintln!("line {n}: {} fields; expected {}", f.len(), FIELDS.join(","));
                failed += 1;
                continue;
            }
            Err(e) => {
                eprintln!("{e}");
                failed += 1;
                continue;
            }
        };
        let opt = |k: usize| Some(f[k].trim()).filter(|s| !s.is_empty());
        let body = json!({ "plate": f[0], "country": f[1], "category": f[2], "follow_up_action": opt(3),
            "international_alert": opt(4), "recipient_legal_basis": opt(5), "valid_until": opt(6),
            "recipients": f[7].split_whitespace().collect::<Vec<_>>() });
        let answer = c.post("/api/v1/anpr/entries", &body).await?;
        if answer.status.is_success() {
            provided += 1;
        } else {
            failed += 1;
            let message = answer.body["message"].as_str().unwrap_or_default();
            // The API names the field first ("plate: …", "valid_until: …"); engine refusals cite
            // the article instead.
            let field = FIELDS
                .iter()
                .find(|k| message.starts_with(&format!("{k}:")))
                .copied()
                .unwrap_or("entry");
            eprintln!("line {n}, field `{field}`: {message}");
        }
    }
    eprintln!();
    println!("{provided} entries provided, {failed} refused");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Posts `reads` (JSON objects) to the node; returns (reads, hits).
async fn post_reads(c: &OfficerClient, reads: Vec<Value>) -> Result<(u64, u64)> {
    let answer = c.post("/api/v1/anpr/reads", &json!({ "reads": reads })).await?;
    if !answer.status.is_success() {
        anyhow::bail!(
            "the node refused the batch: {} {}",
            answer.status,
            answer.body["message"].as_str().unwrap_or_default()
        );
    }
    for why in answer.body["invalid"].as_array().into_iter().flatten() {
        eprintln!("{}", why.as_str().unwrap_or_default());
    }
    Ok((
        answer.body["reads"].as_u64().unwrap_or(0),
        answer.body["hits"].as_u64().unwrap_or(0),
    ))
}

/// The reads of one text (a file's line, a NATS message's lines) as JSON; bad lines are named
/// and skipped.
fn parse_reads(text: &str, first_line: usize, out: &mut Vec<Value>) -> usize {
    let mut bad = 0;
    for (i, line) in text.lines().enumerate() {
        match anpr::read::parse_line(line, first_line + i) {
            Ok(Some(r)) => out.push(serde_json::to_value(r).unwrap_or(Value::Null)),
            Ok(None) => {}
            Err(e) => {
                eprintln!("{e}");
                bad += 1;
            }
        }
    }
    bad
}

async fn ingest(a: IngestArgs) -> Result<ExitCode> {
    let c = client(&a.login).await?;
    let batch = a.batch.max(1);
    let (mut reads, mut hits, mut bad) = (0u64, 0u64, 0usize);
    if let Some(file) = &a.file {
        let mut pending = Vec::with_capacity(batch);
        for (i, line) in open(file)?.lines().enumerate() {
            let line = line.with_context(|| format!("reading line {}", i + 1))?;
            bad += parse_reads(&line, i + 1, &mut pending);
            if pending.len() >= batch {
                let (r, h) = post_reads(&c, std::mem::take(&mut pending)).await?;
                (reads, hits) = (reads + r, hits + h);
            }
        }
        if !pending.is_empty() {
            let (r, h) = post_reads(&c, pending).await?;
            (reads, hits) = (reads + r, hits + h);
        }
        println!("{reads} reads compared, {hits} hits returned to their providers, {bad} lines refused");
        return Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let url = a.nats.as_deref().unwrap_or("nats://127.0.0.1:4222");
    let messages = nats_messages(url, &a.stream, &a.subject, &a.durable).await?;
    eprintln!("consuming {} ({}) as {} …", a.stream, a.subject, a.durable);
    let counts = consume(&c, messages, batch, a.max_messages).await?;
    println!(
        "{} reads compared, {} hits returned to their providers, {} reads refused",
        counts.reads, counts.hits, counts.refused
    );
    Ok(ExitCode::SUCCESS)
}

/// What a consumer did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Consumed {
    pub reads: u64,
    pub hits: u64,
    pub refused: usize,
}

/// Posts the JSON Lines of NATS messages to the node as they are (no parsing on the way); if the
/// node refuses the batch as malformed, parses them line by line and posts the good ones, naming
/// the others.
async fn post_lines(c: &OfficerClient, lines: &[&str], counts: &mut Consumed) -> Result<()> {
    let mut body = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 16);
    body.push_str("{\"reads\":[");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(l);
    }
    body.push_str("]}");
    let answer = c.post_json("/api/v1/anpr/reads", body).await?;
    if answer.status.is_success() {
        counts.reads += answer.body["reads"].as_u64().unwrap_or(0);
        counts.hits += answer.body["hits"].as_u64().unwrap_or(0);
        counts.refused += answer.body["invalid"].as_array().map_or(0, Vec::len);
        return Ok(());
    }
    if answer.status.as_u16() != 422 {
        anyhow::bail!(
            "the node refused the batch: {} {}",
            answer.status,
            answer.body["message"].as_str().unwrap_or_default()
        );
    }
    let mut good = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        counts.refused += parse_reads(l, i + 1, &mut good);
    }
    let (r, h) = post_reads(c, good).await?;
    counts.reads += r;
    counts.hits += h;
    Ok(())
}

/// Consumes reads from a JetStream consumer into the node: what arrives within 20 ms (up to
/// `batch` reads) goes in one request; the messages are acknowledged only after the node has
/// compared them and queued their hits durably, so a crash before that redelivers them.
pub async fn consume(
    c: &OfficerClient,
    mut messages: async_nats::jetstream::consumer::pull::Stream,
    batch: usize,
    max_messages: Option<usize>,
) -> Result<Consumed> {
    let mut counts = Consumed::default();
    let mut taken = 0usize;
    while let Some(first) = messages.next().await {
        let first = match first {
            Ok(m) => m,
            Err(e) => {
                // Missed heartbeats and the like: the consumer carries on.
                eprintln!("NATS: {e}");
                continue;
            }
        };
        let mut held = vec![first];
        let mut reads = held[0].payload.iter().filter(|b| **b == b'\n').count().max(1);
        let deadline = tokio::time::Instant::now() + Duration::from_millis(20);
        while reads < batch && max_messages.is_none_or(|m| taken + held.len() < m) {
            match tokio::time::timeout_at(deadline, messages.next()).await {
                Ok(Some(Ok(m))) => {
                    reads += m.payload.iter().filter(|b| **b == b'\n').count().max(1);
                    held.push(m);
                }
                Ok(Some(Err(e))) => eprintln!("NATS: {e}"),
                Ok(None) | Err(_) => break,
            }
        }
        let texts: Vec<std::borrow::Cow<'_, str>> = held.iter().map(|m| String::from_utf8_lossy(&m.payload)).collect();
        let lines: Vec<&str> = texts
            .iter()
            .flat_map(|t| t.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        post_lines(c, &lines, &mut counts).await?;
        // The last one waits for the server's confirmation; the others went before it on the
        // same connection.
        if let Some((last, others)) = held.split_last() {
            for m in others {
                m.ack().await.map_err(|e| anyhow::anyhow!("NATS ack: {e}"))?;
            }
            last.double_ack().await.map_err(|e| anyhow::anyhow!("NATS ack: {e}"))?;
        }
        taken += held.len();
        if max_messages.is_some_and(|m| taken >= m) {
            break;
        }
    }
    Ok(counts)
}

/// JetStream on `url`, with the reads stream (created if missing).
pub async fn reads_stream(
    url: &str,
    stream: &str,
    subject: &str,
) -> Result<(async_nats::jetstream::Context, async_nats::jetstream::stream::Stream)> {
    use async_nats::jetstream::{self, stream as js_stream};
    let client = async_nats::connect(url)
        .await
        .with_context(|| format!("connecting to NATS at {url}"))?;
    let js = jetstream::new(client);
    let s = js
        .get_or_create_stream(js_stream::Config {
            name: stream.to_owned(),
            subjects: vec![subject.to_owned()],
            // Reads leave NATS once compared; none stays longer than an hour in any case.
            retention: js_stream::RetentionPolicy::WorkQueue,
            max_age: Duration::from_secs(3600),
            storage: js_stream::StorageType::File,
            ..Default::default()
        })
        .await
        .with_context(|| format!("the JetStream stream {stream}"))?;
    Ok((js, s))
}

/// The messages of the stream's shared durable consumer (stream and consumer created if
/// missing).
pub async fn nats_messages(
    url: &str,
    stream: &str,
    subject: &str,
    durable: &str,
) -> Result<async_nats::jetstream::consumer::pull::Stream> {
    use async_nats::jetstream::consumer;
    let (_, s) = reads_stream(url, stream, subject).await?;
    let c = s
        .get_or_create_consumer(
            durable,
            consumer::pull::Config {
                durable_name: Some(durable.to_owned()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                max_ack_pending: 100_000,
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("the consumer {durable}"))?;
    c.messages().await.map_err(|e| anyhow::anyhow!("NATS: {e}"))
}

async fn publish(url: String, stream: String, subject: String, per_message: usize, file: PathBuf) -> Result<ExitCode> {
    let (js, _) = reads_stream(&url, &stream, &subject).await?;
    let mut pending = String::new();
    let (mut count, mut sent, mut bad) = (0usize, 0usize, 0usize);
    let mut acks = Vec::new();
    for (i, line) in open(&file)?.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", i + 1))?;
        match anpr::read::parse_line(&line, i + 1) {
            Ok(Some(r)) => {
                pending.push_str(&serde_json::to_string(&r)?);
                pending.push('\n');
                count += 1;
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("{e}");
                bad += 1;
            }
        }
        if count == per_message.max(1) {
            acks.push(js.publish(subject.clone(), std::mem::take(&mut pending).into()).await?);
            (sent, count) = (sent + count, 0);
        }
    }
    if count > 0 {
        acks.push(js.publish(subject.clone(), pending.into()).await?);
        sent += count;
    }
    for a in acks {
        a.await.context("JetStream did not store a message")?;
    }
    println!("{sent} reads published to {subject}, {bad} lines refused");
    Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
