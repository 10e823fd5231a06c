//! The treaty guide: every article a decision can cite, with its title (the treaty's own headings
//! in Dutch and French) and a plain-language summary in the officer's language. The engine's
//! reasons are English; wherever a page shows a decision it links each cited article here.

use askama::Template;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use axum::http::StatusCode;
use axum::response::Response;

use super::{render, Chrome, Tr, WebUser};

#[derive(Debug, Deserialize)]
struct Texts {
    nl: String,
    fr: String,
    en: String,
}

impl Texts {
    fn get(&self, lang: &str) -> &str {
        match lang {
            "nl" => &self.nl,
            "fr" => &self.fr,
            _ => &self.en,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Entry {
    title: Texts,
    summary: Texts,
}

fn entries() -> &'static BTreeMap<String, Entry> {
    static GUIDE: OnceLock<BTreeMap<String, Entry>> = OnceLock::new();
    GUIDE.get_or_init(|| toml::from_str(include_str!("../../../i18n/guide.toml")).unwrap_or_default())
}

/// The guide's key of a reference: `6(4)(a)` → `6`, `2023/977:6(a)` → `2023/977:6`, `annex6`.
pub fn key_of(reference: &str) -> &str {
    reference.split('(').next().unwrap_or(reference).trim()
}

/// The fragment of the guide page where `key` is explained.
pub fn anchor(key: &str) -> String {
    let slug: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("art-{slug}")
}

/// An article cited by a decision, ready to show.
#[derive(Debug, Clone)]
pub struct Cited {
    /// `Art. 6(4)(a)`.
    pub label: String,
    /// `/guide#art-6`.
    pub href: String,
    pub title: String,
    pub summary: String,
}

fn label(reference: &str) -> String {
    match reference.split_once(':') {
        Some((instrument, article)) => format!("{instrument} Art. {article}"),
        None if reference.starts_with("annex") => reference.replacen("annex", "Annex ", 1),
        None => format!("Art. {reference}"),
    }
}

/// The guide's entry for one reference, in `t`'s language.
pub fn cite(reference: &str, t: Tr) -> Cited {
    let key = key_of(reference);
    let (title, summary) = entries()
        .get(key)
        .map(|e| (e.title.get(t.lang).to_owned(), e.summary.get(t.lang).to_owned()))
        .unwrap_or_default();
    Cited {
        label: label(reference),
        href: format!("/guide#{}", anchor(key)),
        title,
        summary,
    }
}

/// Each reference once, in the order given.
pub fn cite_all<'a>(references: impl IntoIterator<Item = &'a str>, t: Tr) -> Vec<Cited> {
    let mut seen = Vec::<&str>::new();
    references
        .into_iter()
        .filter(|r| {
            let fresh = !seen.contains(r);
            seen.push(r);
            fresh
        })
        .map(|r| cite(r, t))
        .collect()
}

/// One line of the guide page.
#[derive(Debug)]
pub struct GuideLine {
    pub anchor: String,
    pub label: String,
    pub title: String,
    pub summary: String,
}

/// The whole guide in `t`'s language, treaty articles in number order, then annexes and directives.
pub fn all(t: Tr) -> Vec<GuideLine> {
    let mut keys: Vec<&String> = entries().keys().collect();
    keys.sort_by_key(|k| {
        (
            k.parse::<u32>().map_or(1, |_| 0),
            k.parse::<u32>().unwrap_or(0),
            k.as_str(),
        )
    });
    keys.into_iter()
        .map(|k| {
            let c = cite(k, t);
            GuideLine {
                anchor: anchor(k),
                label: c.label,
                title: c.title,
                summary: c.summary,
            }
        })
        .collect()
}

/// Whether the guide explains `key` in every language (for the completeness test).
pub fn explains(key: &str) -> bool {
    entries().get(key).is_some_and(|e| {
        ["nl", "fr", "en"]
            .iter()
            .all(|l| !e.title.get(l).is_empty() && !e.summary.get(l).is_empty())
    })
}

#[derive(Template)]
#[template(path = "guide.html")]
pub(super) struct GuidePage {
    t: Tr,
    chrome: Chrome,
    lines: Vec<GuideLine>,
}

/// The treaty guide, in the officer's language.
pub(super) async fn guide_page(w: WebUser) -> Response {
    render(
        GuidePage {
            t: w.t,
            chrome: w.chrome("/guide"),
            lines: all(w.t),
        },
        StatusCode::OK,
    )
}
