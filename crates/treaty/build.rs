//! Indexes the tests named after the article they check (`fn art21_…`), so that
//! `grens treaty coverage` can list, per article, the tests that implement it.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let mut found: Vec<(u32, String)> = Vec::new();
    for dir in ["src", "tests"] {
        println!("cargo:rerun-if-changed={dir}");
        scan(Path::new(dir), &mut found);
    }
    found.sort();
    found.dedup();
    let mut out = String::from(
        "/// (article, test name) for every test named `artN_…`.\npub const TESTS_BY_ARTICLE: &[(u32, &str)] = &[\n",
    );
    for (article, name) in &found {
        let _ = writeln!(out, "    ({article}, {name:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("tests_by_article.rs");
    if let Err(e) = fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

fn scan(dir: &Path, found: &mut Vec<(u32, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            for line in text.lines() {
                let Some(rest) = line.trim_start().strip_prefix("fn art") else {
                    continue;
                };
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let name: String = format!(
                    "art{}",
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                );
                if let (Ok(article), true) = (digits.parse::<u32>(), rest[digits.len()..].starts_with('_')) {
                    found.push((article, name));
                }
            }
        }
    }
}
