//! `grens bench anpr`: the ANPR matcher against the baseline a team would write first, and the
//! machine's random-memory-access rate, in one run on one core.

use std::collections::HashSet;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anpr::synthetic::{self, ReadKind};
use anpr::{Groups, Matcher, Plate};
use serde_json::json;

/// Reads are timed for at least this long (the set repeated).
const MIN_TIME: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct Options {
    pub hotlist: usize,
    pub reads: usize,
    pub seed: u64,
    pub json: bool,
}

/// Camera-style texts of generated reads: the country's separators, sometimes lower case or
/// spaced differently, as recognisers write them.
fn texts(reads: &[(Plate, ReadKind, usize)], countries: &[(Plate, &str)], seed: u64) -> Vec<String> {
    let mut rng = synthetic::Rng::new(seed);
    reads
        .iter()
        .map(|(p, _, i)| {
            let country = countries.get(*i).map_or("BE", |c| c.1);
            let shown = p.display(country);
            match rng.below(4) {
                0 => shown.to_lowercase(),
                1 => shown.replace('-', " "),
                2 => p.to_string(),
                _ => shown,
            }
        })
        .collect()
}

/// Reads per second of `f` over `texts`, repeated for [`MIN_TIME`]; and what one pass returned.
fn rate(texts: &[String], mut f: impl FnMut(&[String]) -> usize) -> (f64, usize) {
    let started = Instant::now();
    let mut done = 0usize;
    let mut found = 0;
    while started.elapsed() < MIN_TIME || done == 0 {
        found = f(texts);
        done += texts.len();
    }
    (done as f64 / started.elapsed().as_secs_f64(), found)
}

/// Our matcher over texts: normalise each read, check them in batches; the number of hits.
fn run_matcher(m: &Matcher, texts: &[String]) -> usize {
    const BATCH: usize = 256;
    let mut plates = Vec::with_capacity(BATCH);
    let mut hits = Vec::new();
    let mut total = 0;
    for chunk in texts.chunks(BATCH) {
        plates.clear();
        plates.extend(chunk.iter().filter_map(|t| Plate::from_ascii(t.as_bytes())));
        hits.clear();
        m.check_batch(&plates, 0, &mut hits);
        total += hits.len();
    }
    total
}

/// The baseline a team would write first: normalise the read to a `String`, look it up in a
/// `HashSet<String>`, then every variant with one look-alike character replaced.
fn run_baseline(set: &HashSet<String>, texts: &[String]) -> usize {
    let groups: Vec<Vec<char>> = Groups::DEFAULT.iter().map(|g| g.chars().collect()).collect();
    let mut total = 0;
    for t in texts {
        let normal: String = t
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let mut found = usize::from(set.contains(&normal));
        let chars: Vec<char> = normal.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let Some(group) = groups.iter().find(|g| g.contains(c)) else {
                continue;
            };
            for other in group.iter().filter(|o| *o != c) {
                let mut variant = chars.clone();
                variant[i] = *other;
                let v: String = variant.into_iter().collect();
                found += usize::from(set.contains(&v));
            }
        }
        total += found;
    }
    total
}

/// Independent reads of random 8-byte words of a `bytes`-sized array, per second.
fn random_access_rate(bytes: usize) -> f64 {
    let words = (bytes / 8).next_power_of_two();
    let data: Vec<u64> = (0..words as u64).collect();
    let mask = words - 1;
    let mut rng = synthetic::Rng::new(7);
    let started = Instant::now();
    let mut done = 0usize;
    let mut sum = 0u64;
    while started.elapsed() < MIN_TIME {
        for _ in 0..1_000_000 {
            sum = sum.wrapping_add(data[rng.next_u64() as usize & mask]);
        }
        done += 1_000_000;
    }
    black_box(sum);
    done as f64 / started.elapsed().as_secs_f64()
}

pub fn bench(o: &Options) -> anyhow::Result<ExitCode> {
    let say = |s: String| {
        if !o.json {
            eprintln!("{s}");
        }
    };
    say(format!(
        "generating a hotlist of {} plates and {} reads …",
        o.hotlist, o.reads
    ));
    let hotlist = synthetic::hotlist(o.hotlist, o.seed);
    // 1 % of the reads are about a hotlist plate: far more than on a real road, so the hits'
    // cost counts.
    let exact_reads = synthetic::reads(&hotlist, o.reads, ReadKind::Exact, 1, o.seed + 1);
    let lookalike_reads = synthetic::reads(&hotlist, o.reads, ReadKind::Lookalike, 1, o.seed + 2);
    let two_away = synthetic::reads(&hotlist, o.reads.min(100_000), ReadKind::TwoAway, 100, o.seed + 3);
    let exact_texts = texts(&exact_reads, &hotlist, o.seed);
    let lookalike_texts = texts(&lookalike_reads, &hotlist, o.seed);
    let two_away_texts = texts(&two_away, &hotlist, o.seed);

    let started = Instant::now();
    let mut lookalike = Matcher::lookalike();
    lookalike.reserve(hotlist.len());
    for (p, _) in &hotlist {
        lookalike.insert(*p, anpr::matcher::FOREVER);
    }
    let build_s = started.elapsed().as_secs_f64();
    let bytes_per_entry = lookalike.heap_bytes() as f64 / hotlist.len().max(1) as f64;
    let mut exact = Matcher::exact();
    exact.reserve(hotlist.len());
    for (p, _) in &hotlist {
        exact.insert(*p, anpr::matcher::FOREVER);
    }
    say(format!(
        "matchers built in {build_s:.1} s, {bytes_per_entry:.1} bytes per entry"
    ));

    let (exact_rate, exact_found) = rate(&exact_texts, |t| run_matcher(&exact, t));
    let (lookalike_rate, lookalike_found) = rate(&lookalike_texts, |t| run_matcher(&lookalike, t));
    let two_away_found = run_matcher(&lookalike, &two_away_texts);
    let expected = |reads: &[(Plate, ReadKind, usize)]| reads.iter().filter(|r| r.1 != ReadKind::Other).count();
    say(format!(
        "matcher: exact {exact_rate:.0} reads/s ({exact_found} hits of {}), look-alike {lookalike_rate:.0} reads/s ({lookalike_found} hits of {}), two confusions away: {two_away_found} hits of {} reads",
        expected(&exact_reads),
        expected(&lookalike_reads),
        two_away.len()
    ));

    let set: HashSet<String> = hotlist.iter().map(|(p, _)| p.to_string()).collect();
    let baseline_texts = &lookalike_texts[..lookalike_texts.len().min(1_000_000)];
    let (baseline_rate, baseline_found) = rate(baseline_texts, |t| run_baseline(&set, t));
    drop(set);
    say(format!(
        "baseline (variants in a HashSet<String>): {baseline_rate:.0} reads/s"
    ));
    let random = random_access_rate(lookalike.heap_bytes());
    say(format!("random memory access: {random:.0} per second"));

    let out = json!({
        "hotlist": o.hotlist,
        "reads": o.reads,
        "build_s": (build_s * 100.0).round() / 100.0,
        "reads_per_s_exact": exact_rate.round(),
        "reads_per_s_lookalike": lookalike_rate.round(),
        "bytes_per_entry": (bytes_per_entry * 10.0).round() / 10.0,
        "hits": {
            "exact": [exact_found, expected(&exact_reads)],
            "lookalike": [lookalike_found, expected(&lookalike_reads)],
            "two_confusions_away": two_away_found,
            "baseline_lookalike": [baseline_found, expected(&lookalike_reads[..baseline_texts.len()])],
        },
        "baseline": {"name": "variants_hashset", "reads_per_s": baseline_rate.round()},
        "random_access_per_s": random.round(),
        "lookalike_vs_baseline": (lookalike_rate / baseline_rate * 10.0).round() / 10.0,
        "lookalike_vs_random_access": (lookalike_rate / random * 100.0).round() / 100.0,
    });
    if o.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    // A matcher that misses a hit or matches two confusions away is wrong, whatever its speed.
    let correct =
        exact_found >= expected(&exact_reads) && lookalike_found >= expected(&lookalike_reads) && two_away_found == 0;
    Ok(if correct { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
