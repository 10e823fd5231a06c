//! `grens bench desk`: whether the contact point's pages keep a flat cost as history grows.
//!
//! For N and N/100 messages (the baseline, measured in the same run), BE's store is filled with
//! a generated history (`demo::volume`), the demo network starts on it, and each page an
//! officer reads is fetched over HTTPS again and again: the inbox (the web page and the API's
//! first page of cases), a filtered page deep in the list, a subject search with a misspelt name,
//! a case view, the operations board and the Art. 18 report. Reported: p50/p99 per page at both
//! sizes, their ratio, and the resident memory of the process with the large store open.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use demo::network::{self, demo_password, Ports, Stores};
use node::officer_client::OfficerClient;
use serde_json::{json, Value};
use store::AnyStore;

#[derive(Debug)]
pub struct Options {
    pub messages: usize,
    /// Requests per page and size.
    pub samples: usize,
    pub json: bool,
    /// Keep the generated stores here (for a look with sqlite3) instead of a temporary folder.
    pub dir: Option<std::path::PathBuf>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Resident and peak resident memory of this process, in MB (Linux).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A misspelling of `name` an officer might type: one doubled letter made single, or else one
/// vowel dropped.
fn misspelt(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    for i in 1..chars.len() {
        if chars[i] == chars[i - 1] {
            let mut c = chars.clone();
            c.remove(i);
            return c.into_iter().collect();
        }
    }
    match chars.iter().skip(1).position(|c| "aeiou".contains(*c)) {
        Some(p) => {
            let mut c = chars.clone();
            c.remove(p + 1);
            c.into_iter().collect()
        }
        None => name.to_owned(),
    }
}

struct Page {
    name: &'static str,
    paths: Vec<String>,
    /// Fetched as the web page (cookie) rather than the API (bearer).
    web: bool,
    supervisor: bool,
}

async fn measure_size(messages: usize, o: &Options, say: &dyn Fn(String)) -> Result<Value> {
    let tmp = tempfile::tempdir()?;
    let dir = match &o.dir {
        Some(d) => {
            let d = d.join(format!("desk-{messages}"));
            std::fs::create_dir_all(&d)?;
            d
        }
        None => tmp.path().to_owned(),
    };
    // A store this command filled before (with --dir) is measured again as it is.
    let marker = dir.join("filled.json");
    let reused: Option<Value> = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let profile = treaty::Profile::builtin("benelux-2018")
        .context("the built-in profile")?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let file = dir.join("BE-NCP.sqlite");
    let started = Instant::now();
    let volume = match &reused {
        Some(v) => demo::volume::Volume {
            messages: v["messages"].as_u64().unwrap_or(0) as usize,
            cases: v["cases"].as_u64().unwrap_or(0) as usize,
            known_surname: v["known_surname"].as_str().unwrap_or_default().to_owned(),
            middle_case: v["middle_case"].as_str().unwrap_or_default().to_owned(),
        },
        None => {
            for stale in ["BE-NCP.sqlite", "BE-NCP.sqlite-wal", "BE-NCP.sqlite-shm"] {
                let _ = std::fs::remove_file(dir.join(stale));
            }
            let store = AnyStore::open(&format!("sqlite:{}", file.display())).await?;
            let mut progress = |s: String| say(format!("  {s}"));
            let v = demo::volume::fill(
                &store,
                &profile,
                messages,
                730,
                jiff::Timestamp::now(),
                7,
                &mut progress,
            )
            .await?;
            if o.dir.is_some() {
                let info = json!({ "messages": v.messages, "cases": v.cases, "known_surname": v.known_surname,
                    "middle_case": v.middle_case, "fill_seconds": started.elapsed().as_secs_f64() });
                std::fs::write(&marker, info.to_string())?;
            }
            v
        }
    };
    let fill_s = reused
        .as_ref()
        .and_then(|v| v["fill_seconds"].as_f64())
        .unwrap_or_else(|| started.elapsed().as_secs_f64());
    say(format!(
        "{} messages in {} cases generated in {fill_s:.0} s",
        volume.messages, volume.cases
    ));
    let net = network::start(&dir, [Ports { inbox: 0, api: 0 }; 3], &Stores::Sqlite).await?;
    let be = net.node("BE").context("BE")?;
    let operator = OfficerClient::login(&be.api_url, &net.ca_pem, "be.operator", &demo_password("be.operator")).await?;
    let supervisor = OfficerClient::login(
        &be.api_url,
        &net.ca_pem,
        "be.supervisor",
        &demo_password("be.supervisor"),
    )
    .await?;
    // Direct reads of the case tables below: first everything the feed still holds.
    store::CaseStore::apply_pending_cases(&be.running.desk.node.store).await?;
    let store::AnyStore::Sqlite(sqlite) = &be.running.desk.node.store else {
        anyhow::bail!("the bench runs on SQLite");
    };
    // A position half-way down NL's closed cases: a deep page, as an officer paging on gets it.
    let (closed,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM cases WHERE kind <> 'operation' AND partner = 'NL' AND status = 'closed'",
    )
    .fetch_one(sqlite.pool())
    .await?;
    let deep: Option<(String, String)> = sqlx::query_as(
        "SELECT sort_key, case_id FROM cases WHERE kind <> 'operation' AND partner = 'NL' AND status = 'closed' ORDER BY sort_key, case_id LIMIT 1 OFFSET $1",
    )
    .bind(closed / 2)
    .fetch_optional(sqlite.pool())
    .await?;
    let deep_path = match deep {
        Some((key, id)) => format!("/api/v1/cases?partner=NL&status=closed&cursor={key}.{id}"),
        None => "/api/v1/cases?partner=NL&status=closed".into(),
    };
    // Cases to open: spread over the history.
    let sample_cases: Vec<String> =
        sqlx::query_scalar("SELECT case_id FROM cases WHERE kind <> 'operation' ORDER BY case_id LIMIT 20 OFFSET $1")
            .bind(i64::try_from(volume.cases / 3).unwrap_or(0))
            .fetch_all(sqlite.pool())
            .await?;
    // The search: the most frequent surname of the store, misspelt, so that at every size the
    // search fills a page (a rare name would make the small store's search cheaper).
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM cases WHERE kind = 'request' AND title <> ''")
        .fetch_all(sqlite.pool())
        .await?;
    let mut surnames: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for t in &titles {
        if let Some(s) = t.split(',').next().filter(|s| !s.is_empty() && !s.contains(';')) {
            *surnames.entry(s.to_lowercase()).or_default() += 1;
        }
    }
    let surname = surnames
        .into_iter()
        .max_by_key(|(name, n)| (*n, std::cmp::Reverse(name.clone())))
        .map(|(name, _)| name)
        .unwrap_or_else(|| volume.known_surname.clone());
    drop(titles);
    let year = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).year();
    let pages = [
        Page {
            name: "inbox_web",
            paths: vec!["/".into()],
            web: true,
            supervisor: false,
        },
        Page {
            name: "cases_first_page",
            paths: vec!["/api/v1/cases".into()],
            web: false,
            supervisor: false,
        },
        Page {
            name: "cases_filtered_deep",
            paths: vec![deep_path],
            web: false,
            supervisor: false,
        },
        Page {
            name: "subject_search",
            paths: vec![format!("/api/v1/cases?q={}", misspelt(&surname))],
            web: false,
            supervisor: false,
        },
        Page {
            name: "case_view",
            paths: sample_cases.iter().map(|c| format!("/api/v1/cases/{c}")).collect(),
            web: false,
            supervisor: false,
        },
        Page {
            name: "operations_board",
            paths: vec!["/operations".into()],
            web: true,
            supervisor: false,
        },
        Page {
            name: "art18_report",
            paths: vec![format!("/api/v1/reports/art18?year={year}")],
            web: false,
            supervisor: true,
        },
    ];
    say(format!(
        "  searching for '{}' (misspelt '{surname}')",
        misspelt(&surname)
    ));
    let mut figures = serde_json::Map::new();
    for page in &pages {
        let client = if page.supervisor { &supervisor } else { &operator };
        let mut times = Vec::with_capacity(o.samples);
        for i in 0..(o.samples + 3) {
            let path = &page.paths[i % page.paths.len().max(1)];
            let t = Instant::now();
            let ok = if page.web {
                let (status, _) = client.get_page(path).await?;
                status == 200
            } else {
                client.get(path).await?.status.is_success()
            };
            let elapsed = t.elapsed();
            anyhow::ensure!(ok, "{} ({path}) failed", page.name);
            if i >= 3 {
                times.push(elapsed.as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        say(format!("  {:<20} p50 {p50:7.2} ms   p99 {p99:7.2} ms", page.name));
        figures.insert(page.name.into(), json!({ "p50_ms": p50, "p99_ms": p99 }));
    }
    let (rss, peak) = memory_mb();
    let db_mb = std::fs::metadata(&file).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
    net.shutdown().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(json!({
        "messages": volume.messages,
        "cases": volume.cases,
        "fill_seconds": fill_s,
        "database_mb": db_mb,
        "rss_mb": rss,
        "peak_rss_mb": peak,
        "pages": figures,
    }))
}

pub fn bench(o: &Options) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let json_out = o.json;
        let say = move |s: String| {
            if !json_out {
                eprintln!("{s}");
            }
        };
        let small_n = (o.messages / 100).max(100);
        say(format!("baseline: {small_n} messages"));
        let small = measure_size(small_n, o, &say).await?;
        say(format!("measured: {} messages", o.messages));
        let large = measure_size(o.messages, o, &say).await?;
        let mut ratios = serde_json::Map::new();
        let mut flat = true;
        let mut fast = true;
        if let (Some(s), Some(l)) = (small["pages"].as_object(), large["pages"].as_object()) {
            for (name, l) in l {
                let lp = l["p99_ms"].as_f64().unwrap_or(0.0);
                let sp = s.get(name).and_then(|v| v["p99_ms"].as_f64()).unwrap_or(0.0);
                let ratio = if sp > 0.0 { lp / sp } else { 0.0 };
                flat &= ratio <= 2.0;
                fast &= lp <= 50.0;
                ratios.insert(name.clone(), json!(ratio));
            }
        }
        let report = json!({
            "bench": "desk",
            "messages": o.messages,
            "baseline_messages": small_n,
            "samples": o.samples,
            "baseline": small,
            "measured": large,
            "p99_ratio_measured_to_baseline": ratios,
            "every_p99_within_50_ms": fast,
            "every_ratio_within_2": flat,
        });
        if o.json {
            println!("{report}");
        } else {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Ok(ExitCode::SUCCESS)
    })
}
