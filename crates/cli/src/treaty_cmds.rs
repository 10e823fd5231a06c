//! The treaty tools: evaluate, conformance run, coverage.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use treaty::conformance::{compare, Scenario, ScenarioError};
use treaty::{evaluate as decide, Action, Profile, ProfileError};

/// Where profiles come from: an optional folder, then the built-in ones.
#[derive(Debug)]
pub struct ProfileSource {
    dir: Option<PathBuf>,
}

impl ProfileSource {
    pub fn new(dir: Option<PathBuf>) -> Self {
        ProfileSource { dir }
    }

    pub fn load(&self, id: &str) -> Option<Result<Profile, ProfileError>> {
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{id}.toml"));
            if let Ok(text) = fs::read_to_string(&path) {
                return Some(Profile::from_toml(&path.display().to_string(), &text));
            }
        }
        Profile::builtin(id)
    }

    pub fn default_profile(&self) -> Result<Profile> {
        match self.load("benelux-2018") {
            Some(p) => Ok(p?),
            None => bail!("the built-in profile benelux-2018 is missing"),
        }
    }
}

/// `grens evaluate FILE`.
pub fn evaluate(profiles: &ProfileSource, file: &Path) -> Result<ExitCode> {
    let text = fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return invalid(
                file,
                &ScenarioError::Json {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                },
            )
        }
    };
    // A bare action (with `kind`) is decided under the default profile.
    let (profile, action, zone) = if value.get("kind").is_some() {
        let profile = profiles.default_profile()?;
        match Action::parse(&value, "action", &profile) {
            Ok(action) => {
                let zone = action
                    .local_party(&profile)
                    .map(|p| p.time_zone.clone())
                    .unwrap_or(jiff::tz::TimeZone::UTC);
                (profile, action, zone)
            }
            Err(e) => return invalid(file, &ScenarioError::Field(e)),
        }
    } else {
        match Scenario::parse(&text, &|id| profiles.load(id)) {
            Ok(s) => {
                let zone = s
                    .action
                    .local_party(&s.profile)
                    .map(|p| p.time_zone.clone())
                    .unwrap_or(jiff::tz::TimeZone::UTC);
                (s.profile, s.action, zone)
            }
            Err(e) => return invalid(file, &e),
        }
    };
    let decision = decide(&profile, &action);
    println!("{}", serde_json::to_string_pretty(&decision.to_json(&zone))?);
    Ok(ExitCode::SUCCESS)
}

fn invalid(file: &Path, e: &ScenarioError) -> Result<ExitCode> {
    eprintln!("{}: invalid: {e}", file.display());
    Ok(ExitCode::from(2))
}

/// `grens conformance run DIR`.
pub fn conformance_run(profiles: &ProfileSource, dir: &Path) -> Result<ExitCode> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read scenario folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.json scenarios in {}", dir.display());
    }
    let (mut passed, mut failed, mut invalid) = (0usize, 0usize, 0usize);
    for file in &files {
        let name = file
            .file_name()
            .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let text = match fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                println!("INVALID {name}: cannot read: {e}");
                invalid += 1;
                continue;
            }
        };
        match Scenario::parse(&text, &|id| profiles.load(id)) {
            Err(e) => {
                println!("INVALID {name}: {e}");
                invalid += 1;
            }
            Ok(s) => {
                let problems = compare(&s.decide(), &s.expect);
                if problems.is_empty() {
                    println!("PASS {}", s.id);
                    passed += 1;
                } else {
                    println!("FAIL {}: {}", s.id, problems.join("; "));
                    failed += 1;
                }
            }
        }
    }
    println!("{passed} passed, {} failed", failed + invalid);
    if invalid > 0 {
        println!("({invalid} invalid scenario(s): fix the named field)");
        Ok(ExitCode::from(2))
    } else if failed > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// `grens treaty coverage`.
pub fn coverage(profiles: &ProfileSource, scenarios: Option<&Path>) -> Result<ExitCode> {
    let mut cited: Vec<treaty::ArticleRef> = Vec::new();
    if let Some(dir) = scenarios {
        for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let path = entry?.path();
            if path.extension().is_some_and(|x| x == "json") {
                let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                if let Ok(s) = Scenario::parse(&text, &|id| profiles.load(id)) {
                    cited.extend(s.expect.articles);
                }
            }
        }
    }
    let report = treaty::coverage::report();
    let mut unimplemented = 0;
    println!("Treaty coverage — Titles 2–7 of the Benelux police cooperation treaty (2018)\n");
    for a in &report {
        let scenario_count = cited
            .iter()
            .filter(|r| r.treaty_article_number() == Some(a.article))
            .count();
        if a.implemented() {
            println!("Art. {:>2}  {:<62} implemented", a.article, a.title);
            println!("         rules: {}", a.kinds.join(", "));
            let tests = if a.tests.is_empty() {
                "none yet".to_owned()
            } else {
                a.tests.join(", ")
            };
            println!("         tests: {tests}");
            if scenarios.is_some() {
                println!("         scenarios citing it: {scenario_count}");
            }
        } else if let Some(why) = a.nothing_to_decide {
            println!("Art. {:>2}  {:<62} nothing to decide", a.article, a.title);
            println!("         why: {why}");
        } else {
            println!("Art. {:>2}  {:<62} NOT IMPLEMENTED", a.article, a.title);
            unimplemented += 1;
        }
    }
    let implemented = report.iter().filter(|a| a.implemented()).count();
    let justified = report
        .iter()
        .filter(|a| !a.implemented() && a.nothing_to_decide.is_some())
        .count();
    println!("\n{implemented} articles implemented, {justified} with nothing to decide (justified above), {unimplemented} not implemented");
    Ok(if unimplemented == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `grens treaty kinds`.
pub fn kinds() -> Result<ExitCode> {
    for k in treaty::rules::KINDS {
        let articles: Vec<String> = k.articles.iter().map(|a| format!("Art. {a}")).collect();
        if articles.is_empty() {
            // Not the treaty's: the summary names the instrument (Directive 2016/680, …).
            println!("{:<30} {}", k.name, k.summary);
        } else {
            println!("{:<30} {}  [{}]", k.name, k.summary, articles.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
