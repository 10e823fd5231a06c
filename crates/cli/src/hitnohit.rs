//! `grens generate persons` and `grens bench hitnohit`: synthetic national databases and the
//! hit/no-hit benchmark of the matching engine against the baseline a team would otherwise
//! build, PostgreSQL `pg_trgm` similarity search with a GIN index.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use matching::generate::{self, Labelled, Variant};
use matching::{Index, Person, Protection};
use serde_json::json;

/// CSV quoting for a field that may hold commas or quotes.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes `count` persons as CSV (`id,given_names,surname,birth_date,nationality`) or JSON Lines.
pub fn generate_persons(count: usize, seed: u64, jsonl: bool, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let sink: Box<dyn std::io::Write> = match out {
        Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::new(sink);
    if !jsonl {
        writeln!(w, "id,given_names,surname,birth_date,nationality")?;
    }
    for g in generate::persons(count, seed) {
        let birth = g.person.birth_date.map(|d| d.to_string()).unwrap_or_default();
        if jsonl {
            serde_json::to_writer(
                &mut w,
                &json!({
                    "id": g.person.id,
                    "given_names": g.person.given_names,
                    "surname": g.person.surname,
                    "birth_date": g.person.birth_date.map(|d| d.to_string()),
                    "nationality": g.nationality,
                }),
            )?;
            writeln!(w)?;
        } else {
            writeln!(
                w,
                "{},{},{},{},{}",
                g.person.id,
                csv_field(&g.person.given_names),
                csv_field(&g.person.surname),
                birth,
                g.nationality
            )?;
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Recall and false hits of a set of answers.
#[derive(Debug, Default, Clone)]
struct Quality {
    positives: usize,
    found: usize,
    negatives: usize,
    false_hits: usize,
    /// Right persons found only as a possible hit.
    possible: usize,
    /// Persons not in the database answered with a hit (not only a possible one).
    sure_false_hits: usize,
}

impl Quality {
    fn add(&mut self, l: &Labelled, returned: &[String]) {
        match &l.expected {
            Some(id) => {
                self.positives += 1;
                if returned.iter().any(|r| r == id) {
                    self.found += 1;
                }
            }
            None => {
                self.negatives += 1;
                if !returned.is_empty() {
                    self.false_hits += 1;
                }
            }
        }
    }

    fn recall(&self) -> f64 {
        ratio(self.found, self.positives)
    }

    fn false_hit_rate(&self) -> f64 {
        ratio(self.false_hits, self.negatives)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        round(a as f64 / b as f64, 4)
    }
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    round(sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0, 4)
}

/// Builds the index of `persons` under `protection`, queries it, and returns its figures.
fn measure_index(persons: &[Person], queries: &[Labelled], protection: Protection) -> serde_json::Value {
    let started = Instant::now();
    let mut index = Index::new(protection);
    for p in persons {
        index.insert(p);
    }
    index.finish();
    let build_s = started.elapsed().as_secs_f64();
    // Quality and latency: every query once, timed alone.
    let mut quality = Quality::default();
    let mut per_variant: std::collections::BTreeMap<&str, Quality> = std::collections::BTreeMap::new();
    let mut latencies = Vec::with_capacity(queries.len());
    let mut time_by_variant: std::collections::BTreeMap<&str, (Duration, usize)> = std::collections::BTreeMap::new();
    let mut candidates_by_variant: std::collections::BTreeMap<&str, [usize; 3]> = std::collections::BTreeMap::new();
    for l in queries {
        let t = Instant::now();
        let hits = index.query(&l.query);
        latencies.push(t.elapsed());
        let spent = time_by_variant.entry(l.variant.as_str()).or_default();
        spent.0 += t.elapsed();
        spent.1 += 1;
        let rounds = candidates_by_variant.entry(l.variant.as_str()).or_insert([0usize; 3]);
        for (sum, n) in rounds.iter_mut().zip(index.candidates_per_round(&l.query)) {
            *sum += n;
        }
        // Recall and false hits count both grades: a possible hit is an answer too.
        let possible = l
            .expected
            .as_ref()
            .is_some_and(|id| hits.iter().any(|m| &m.id == id && m.grade == matching::Grade::Possible));
        let sure_false = l.expected.is_none() && hits.iter().any(|m| m.grade == matching::Grade::Hit);
        let ids: Vec<String> = hits.into_iter().map(|m| m.id).collect();
        quality.add(l, &ids);
        quality.possible += usize::from(possible);
        quality.sure_false_hits += usize::from(sure_false);
        let variant = per_variant.entry(l.variant.as_str()).or_default();
        variant.add(l, &ids);
        variant.possible += usize::from(possible);
    }
    latencies.sort_unstable();
    // Throughput on this one thread: the query set again and again for at least two seconds.
    let started = Instant::now();
    let mut answered = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        for l in queries {
            std::hint::black_box(index.query(&l.query));
        }
        answered += queries.len();
    }
    let qps = answered as f64 / started.elapsed().as_secs_f64();
    json!({
        "build_s": round(build_s, 2),
        "bytes_per_person": index.heap_bytes() / persons.len().max(1),
        "qps_per_core": qps.round(),
        "p50_ms": percentile(&latencies, 0.50),
        "p99_ms": percentile(&latencies, 0.99),
        "recall": quality.recall(),
        "false_hit_rate": quality.false_hit_rate(),
        "found_as_possible_hit": ratio(quality.possible, quality.positives),
        "false_sure_hit_rate": ratio(quality.sure_false_hits, quality.negatives),
        "by_variant": per_variant.iter().map(|(k, q)| {
            (k.to_string(), if q.positives > 0 { json!(q.recall()) } else { json!({"false_hit_rate": q.false_hit_rate()}) })
        }).collect::<serde_json::Map<_, _>>(),
        // Where the time goes: the mean latency of each variant's queries, in microseconds.
        "mean_us_by_variant": time_by_variant.iter().map(|(k, (spent, n))| {
            (k.to_string(), json!(round(spent.as_secs_f64() * 1e6 / (*n).max(1) as f64, 1)))
        }).collect::<serde_json::Map<_, _>>(),
        // What the blocking selects: the mean number of persons each round reads, per variant.
        "mean_candidates_by_variant": candidates_by_variant.iter().map(|(k, sums)| {
            let n = time_by_variant.get(k).map_or(1, |t| t.1.max(1)) as f64;
            (k.to_string(), json!(sums.map(|s| round(s as f64 / n, 1))))
        }).collect::<serde_json::Map<_, _>>(),
        "possible_by_variant": per_variant.iter().filter(|(_, q)| q.possible > 0).map(|(k, q)| {
            (k.to_string(), json!(ratio(q.possible, q.positives)))
        }).collect::<serde_json::Map<_, _>>(),
    })
}

/// The pg_trgm baseline: the same persons in a table with a trigram GIN index, the same queries
/// as `name % $1` (similarity ≥ 0.3) with the birth date equal when both have one.
async fn measure_pg_trgm(url: &str, persons: &[Person], queries: &[Labelled]) -> anyhow::Result<serde_json::Value> {
    use sqlx::postgres::PgPoolOptions;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .with_context(|| format!("PostgreSQL at {url} (the pg_trgm baseline)"))?;
    let table = format!("hitnohit_{}", std::process::id());
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .execute(&pool)
        .await?;
    sqlx::query(&format!("DROP TABLE IF EXISTS {table}"))
        .execute(&pool)
        .await?;
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE {table} (id text, name text, birth date)"
    ))
    .execute(&pool)
    .await?;
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} (id, name, birth) FROM STDIN (FORMAT text)"))
        .await?;
    let mut chunk = String::new();
    for p in persons {
        let name = format!("{} {}", p.surname, p.given_names)
            .to_lowercase()
            .replace(['\t', '\\', '\n'], " ");
        let birth = p.birth_date.map_or_else(|| "\\N".to_owned(), |d| d.to_string());
        chunk.push_str(&format!("{}\t{name}\t{birth}\n", p.id));
        if chunk.len() > 1 << 20 {
            copy.send(std::mem::take(&mut chunk).into_bytes()).await?;
        }
    }
    if !chunk.is_empty() {
        copy.send(chunk.into_bytes()).await?;
    }
    copy.finish().await?;
    drop(conn);
    sqlx::query(&format!(
        "CREATE INDEX {table}_trgm ON {table} USING gin (name gin_trgm_ops)"
    ))
    .execute(&pool)
    .await?;
    sqlx::query(&format!("ANALYZE {table}")).execute(&pool).await?;
    let build_s = started.elapsed().as_secs_f64();
    let sql = format!(
        "SELECT id FROM {table} WHERE name % $1 AND (birth IS NULL OR $2::date IS NULL OR birth = $2::date)
         ORDER BY similarity(name, $1) DESC LIMIT 10"
    );
    let mut quality = Quality::default();
    let mut latencies = Vec::new();
    let started = Instant::now();
    for l in queries {
        let name = format!("{} {}", l.query.surname, l.query.given_names).to_lowercase();
        let birth = l.query.birth_date.map(|d| d.to_string());
        let t = Instant::now();
        let ids: Vec<String> = sqlx::query_scalar(&sql)
            .bind(name.trim())
            .bind(birth)
            .fetch_all(&pool)
            .await?;
        latencies.push(t.elapsed());
        quality.add(l, &ids);
    }
    let qps = queries.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    sqlx::query(&format!("DROP TABLE {table}")).execute(&pool).await?;
    Ok(json!({
        "name": "pg_trgm",
        "persons": persons.len(),
        "build_s": round(build_s, 2),
        "qps": round(qps, 1),
        "p50_ms": percentile(&latencies, 0.50),
        "p99_ms": percentile(&latencies, 0.99),
        "recall": quality.recall(),
        "false_hit_rate": quality.false_hit_rate(),
    }))
}

/// Options of `grens bench hitnohit`.
#[derive(Debug)]
pub struct BenchOptions {
    pub persons: usize,
    pub seed: u64,
    pub per_variant: usize,
    pub baseline_persons: usize,
    pub baseline_queries_per_variant: usize,
    pub postgres: String,
    pub json: bool,
}

pub fn bench(o: &BenchOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let persons: Vec<Person> = generate::persons(o.persons, o.seed).map(|g| g.person).collect();
    let generate_s = started.elapsed().as_secs_f64();
    let queries = generate::labelled_queries(&persons, o.per_variant, o.seed);
    let clear = measure_index(&persons, &queries, Protection::Clear);
    let keyed = measure_index(
        &persons,
        &queries,
        Protection::Keyed(b"grens bench: key of a BE-NL implementing agreement".to_vec()),
    );
    // The baseline over the same persons (or the first `baseline_persons` of them), with a share
    // of each variant's queries: it is slow.
    let base_persons = &persons[..o.baseline_persons.min(persons.len())];
    // Generated ids are `P` and the person's number: the first persons are the baseline's.
    let in_base = |id: &String| {
        id.get(1..)
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n <= base_persons.len())
    };
    let base_queries: Vec<Labelled> = Variant::ALL
        .iter()
        .flat_map(|v| {
            queries
                .iter()
                .filter(move |l| l.variant == *v && l.expected.as_ref().is_none_or(in_base))
                .take(o.baseline_queries_per_variant)
        })
        .cloned()
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let baseline = if o.baseline_persons == 0 {
        json!(null)
    } else {
        runtime.block_on(measure_pg_trgm(&o.postgres, base_persons, &base_queries))?
    };
    let with_baseline = |mut v: serde_json::Value, mode: &str| {
        v["persons"] = json!(o.persons);
        v["mode"] = json!(mode);
        v["queries"] = json!(queries.len());
        v["baseline"] = baseline.clone();
        v
    };
    let results = [with_baseline(clear, "clear"), with_baseline(keyed, "pseudonymised")];
    if o.json {
        for r in &results {
            println!("{r}");
        }
    } else {
        println!(
            "{} persons generated in {:.1} s; {} labelled queries ({} per variant)",
            o.persons,
            generate_s,
            queries.len(),
            o.per_variant
        );
        for r in &results {
            println!(
                "{:<14} build {} s, {} B/person, {} queries/s on one core, p50 {} ms, p99 {} ms, recall {}, false hits {}",
                r["mode"].as_str().unwrap_or_default(),
                r["build_s"],
                r["bytes_per_person"],
                r["qps_per_core"],
                r["p50_ms"],
                r["p99_ms"],
                r["recall"],
                r["false_hit_rate"]
            );
            println!("               by variant: {}", r["by_variant"]);
        }
        if !baseline.is_null() {
            println!(
                "pg_trgm        {} persons, build {} s, {} queries/s, p50 {} ms, p99 {} ms, recall {}, false hits {}",
                baseline["persons"],
                baseline["build_s"],
                baseline["qps"],
                baseline["p50_ms"],
                baseline["p99_ms"],
                baseline["recall"],
                baseline["false_hit_rate"]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on standard error: `[#####     ] 52%  520,000 lines`.
pub(crate) fn progress_bar(total: u64) -> impl FnMut(u64) {
    let started = Instant::now();
    move |done: u64| {
        let share = if total == 0 {
            1.0
        } else {
            (done as f64 / total as f64).min(1.0)
        };
        let filled = (share * 30.0).round() as usize;
        eprint!(
            "\r[{}{}] {:>3}%  {:.1} MB in {:.1} s",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            (share * 100.0).round(),
            done as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
}

/// `grens import`.
pub fn import(
    db: &Path,
    persons: Option<&Path>,
    objects: Option<&Path>,
    skip_invalid: bool,
) -> anyhow::Result<ExitCode> {
    use node::national::{self, Format, NationalStore};
    let (path, is_persons) = match (persons, objects) {
        (Some(p), _) => (p, true),
        (None, Some(o)) => (o, false),
        (None, None) => anyhow::bail!("give --persons FILE or --objects FILE"),
    };
    let format = Format::of(path);
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let reader = std::io::BufReader::new(file);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let store = runtime
        .block_on(NationalStore::open(db))
        .with_context(|| format!("opening {}", db.display()))?;
    let report = |errors: &[national::RecordError], lines: usize| {
        for e in errors.iter().take(20) {
            eprintln!("{}: {e}", path.display());
        }
        if errors.len() > 20 {
            eprintln!("… and {} more errors", errors.len() - 20);
        }
        eprintln!("{} of {lines} lines invalid", errors.len());
    };
    let (loaded, errors) = if is_persons {
        let read = national::read_file(reader, format, true, national::person_record, progress_bar(total))?;
        eprintln!();
        if !read.errors.is_empty() {
            report(&read.errors, read.lines);
            if !skip_invalid {
                eprintln!("nothing imported (use --skip-invalid to load the valid records)");
                return Ok(ExitCode::from(1));
            }
        }
        runtime.block_on(store.put_persons(&read.records))?;
        (read.records.len(), read.errors.len())
    } else {
        let read = national::read_file(reader, format, false, national::object_record, progress_bar(total))?;
        eprintln!();
        if !read.errors.is_empty() {
            report(&read.errors, read.lines);
            if !skip_invalid {
                eprintln!("nothing imported (use --skip-invalid to load the valid records)");
                return Ok(ExitCode::from(1));
            }
        }
        runtime.block_on(store.put_objects(&read.records))?;
        (read.records.len(), read.errors.len())
    };
    let (p, o) = runtime.block_on(store.counts())?;
    println!(
        "imported {loaded} {} from {}{}; {} now holds {p} persons and {o} objects",
        if is_persons { "persons" } else { "objects" },
        path.display(),
        if errors > 0 {
            format!(" ({errors} invalid skipped)")
        } else {
            String::new()
        },
        db.display()
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
