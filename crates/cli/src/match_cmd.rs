//! `grens match run`: every query of a CSV file against a national database's persons, one JSON
//! line per query line — also for the lines that cannot be read.

use std::process::ExitCode;

pub fn run(
    index: &std::path::Path,
    queries: &std::path::Path,
    key: Option<&std::path::Path>,
    with_reasons: bool,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    let read = |p: &std::path::Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()));
    let protection = match key {
        None => matching::Protection::Clear,
        Some(path) => {
            let key = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            if key.len() < 16 {
                anyhow::bail!("{}: a pseudonymisation key needs at least 16 bytes", path.display());
            }
            matching::Protection::Keyed(key)
        }
    };
    // One bad line never stops the batch: typo'd dates are read as the nearest real date (and
    // the answer says so), unreadable lines are reported and the rest answered.
    let (persons, skipped) =
        matching::csv::persons_tolerant(&read(index)?).with_context(|| index.display().to_string())?;
    for e in &skipped {
        eprintln!("{}: {e} (left out of the index)", index.display());
    }
    let lines = matching::csv::queries_tolerant(&read(queries)?).with_context(|| queries.display().to_string())?;
    let mut idx = matching::Index::new(protection);
    for p in &persons {
        idx.insert(p);
    }
    idx.finish();
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut unreadable = 0;
    for line in &lines {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                unreadable += 1;
                writeln!(out, "{}", serde_json::json!({ "line": e.line, "error": e.to_string() }))?;
                continue;
            }
        };
        let mut matches = idx.query(&line.query);
        // A typo'd date: also the real dates one digit from what was typed; best score per id.
        for alternative in &line.alternatives {
            let query = matching::Query {
                birth_date: Some(*alternative),
                ..line.query.clone()
            };
            for m in idx.query(&query) {
                match matches.iter_mut().find(|x| x.id == m.id) {
                    Some(x) if x.score >= m.score => {}
                    Some(x) => *x = m,
                    None => matches.push(m),
                }
            }
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        matches.truncate(matching::MAX_HITS);
        let list: Vec<serde_json::Value> = matches
            .iter()
            .map(|m| {
                let mut v = serde_json::json!({ "id": m.id, "score": m.score });
                if with_reasons {
                    let mut reasons = m.reasons.clone();
                    reasons.extend(line.note.clone());
                    v["reasons"] = serde_json::json!(reasons);
                }
                v
            })
            .collect();
        let mut answer = serde_json::json!({ "qid": line.qid, "hit": !matches.is_empty(), "matches": list });
        if let Some(note) = &line.note {
            answer["note"] = serde_json::json!(note);
        }
        writeln!(out, "{answer}")?;
    }
    if unreadable > 0 || !skipped.is_empty() {
        eprintln!(
            "{unreadable} query line(s) unreadable (answered with an error line), {} person line(s) left out",
            skipped.len()
        );
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
