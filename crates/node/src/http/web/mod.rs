//! The officers' web pages, served next to the API: server-rendered (askama), readable and
//! usable without JavaScript, in Dutch, French and English. Every page checks the session and
//! the role server-side through the same [`Desk`] as the API; every form carries a CSRF token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::desk::DeskError;
use crate::http::api::Api;

mod admin;
mod anpr;
mod audit;
mod authorisations;
mod cases;
mod compose;
mod consent;
mod evaluation;
pub mod guide;
mod messages;
pub mod operations;
pub mod pdf;
mod query;
mod session;
mod transfers;

pub use audit::AuditFilter;
use compose::*;
use consent::*;
use guide::guide_page;
use messages::*;
use session::*;
pub use session::{Chrome, CsrfForm, WebUser, Who};

use guide::Cited;

/// The languages of the UI: code and name in that language.
pub const LANGUAGES: [(&str, &str); 3] = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")];

/// The translation files, embedded.
const FILES: [(&str, &str); 3] = [
    ("nl", include_str!("../../../i18n/nl.toml")),
    ("fr", include_str!("../../../i18n/fr.toml")),
    ("en", include_str!("../../../i18n/en.toml")),
];

fn catalogues() -> &'static HashMap<&'static str, HashMap<String, String>> {
    static CATALOGUES: OnceLock<HashMap<&'static str, HashMap<String, String>>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        FILES
            .iter()
            .map(|(lang, text)| (*lang, toml::from_str(text).unwrap_or_default()))
            .collect()
    })
}

/// The strings of one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: &'static str,
}

impl Tr {
    pub fn new(code: &str) -> Tr {
        Tr {
            lang: LANGUAGES.iter().find(|(c, _)| *c == code).map_or("en", |(c, _)| c),
        }
    }

    /// The string for `key`; the key itself if missing (a test keeps every key in every file).
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match catalogues().get(self.lang).and_then(|c| c.get(key)) {
            Some(s) => s.as_str(),
            None => key,
        }
    }

    /// The string for `prefix.name`, e.g. the label of a role or an operation.
    pub fn of(&self, prefix: &str, name: &str) -> String {
        let key = format!("{prefix}.{name}");
        match catalogues().get(self.lang).and_then(|c| c.get(&key)) {
            Some(s) => s.clone(),
            None => key,
        }
    }

    /// A date and time in this language's format, in `zone`, with the zone named.
    pub fn datetime(&self, t: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
        let z = t.to_zoned(zone.clone());
        let pattern = match self.lang {
            "nl" => "%d-%m-%Y %H:%M",
            "fr" => "%d/%m/%Y %H:%M",
            _ => "%-d %b %Y %H:%M",
        };
        format!(
            "{} ({} {})",
            z.strftime(pattern),
            self.get("time.zone"),
            zone.iana_name().unwrap_or("UTC")
        )
    }

    /// Every key of every catalogue, for the completeness test.
    pub fn keys(lang: &str) -> Vec<String> {
        let mut keys: Vec<String> = catalogues()
            .get(lang)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }
}

/// The parties this node shares an agreement with, for a form's choice of partner.
fn partners(api: &Api) -> Vec<String> {
    let me = api.desk.node.me.party.to_string();
    let mut partners: Vec<String> = api
        .desk
        .node
        .directory
        .partners_of(&api.desk.node.me)
        .map(|n| n.party.to_string())
        .filter(|p| *p != me)
        .collect();
    partners.sort();
    partners.dedup();
    partners
}

/// A form's date field: `YYYY-MM-DD` or empty; the parse error otherwise.
fn form_date(text: &str) -> Result<Option<jiff::civil::Date>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|e| format!("'{t}' ({e})")),
    }
}

/// The subjects of a form with a person's name fields and a licence plate, each only if filled.
fn person_and_plate(
    surname: &str,
    given: &str,
    birth_date: Option<jiff::civil::Date>,
    plate: &str,
) -> Vec<protocol::Subject> {
    let mut subjects = Vec::new();
    if !surname.trim().is_empty() {
        subjects.push(protocol::Subject::Person(protocol::Person {
            given_names: given.split_whitespace().map(str::to_owned).collect(),
            surname: surname.trim().to_owned(),
            birth_date,
            ..protocol::Person::default()
        }));
    }
    if !plate.trim().is_empty() {
        subjects.push(protocol::Subject::Object(protocol::Object {
            kind: protocol::ObjectKind::Vehicle,
            identifier: plate.trim().to_owned(),
            country: None,
            description: None,
        }));
    }
    subjects
}

/// Where to go after a form: only a path of this site, never an open redirect.
/// `back` if it is a path on this site, else `default`. Only visible ASCII is kept: a browser
/// drops a tab or newline (`/\t/evil.example` becomes `//evil.example`, another site), and a
/// CR LF cannot go into a `Location` header at all.
fn local_path(back: Option<String>, default: &str) -> String {
    back.filter(|b| {
        b.starts_with('/')
            && !b.starts_with("//")
            && !b.contains('\\')
            && b.len() <= 2_000
            && b.bytes().all(|c| c.is_ascii_graphic())
    })
    .unwrap_or_else(|| default.to_owned())
}

fn render(page: impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    chrome: Chrome,
    message: String,
    articles: Vec<Cited>,
}

/// The end of a form's handler: on success a redirect to the page `to` names, otherwise the
/// error page (with `back` to return to).
fn done<T>(w: &WebUser, back: &str, result: Result<T, DeskError>, to: impl FnOnce(T) -> String) -> Response {
    match result {
        Ok(value) => Redirect::to(&to(value)).into_response(),
        Err(e) => error_page(w, back, &e),
    }
}

fn error_page(w: &WebUser, path: &str, e: &DeskError) -> Response {
    let mut found = Vec::new();
    if let Some(d) = &e.decision {
        collect_articles(d, &mut found);
    }
    let articles = guide::cite_all(found.iter().map(String::as_str), w.t);
    render(
        ErrorPage {
            t: w.t,
            chrome: w.chrome(path),
            message: e.message.clone(),
            articles,
        },
        crate::http::api::status(e.error),
    )
}

fn collect_articles(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(a) = m.get("articles").and_then(|a| a.as_array()) {
                out.extend(a.iter().filter_map(|x| x.as_str().map(str::to_owned)));
            }
            m.values().for_each(|x| collect_articles(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_articles(x, out)),
        _ => {}
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("../../../static/grens.css"))
}

/// htmx 2 (0BSD), vendored: no build step, nothing fetched at run time.
async fn htmx() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../../static/htmx.min.js"),
    )
}

/// The live countdowns.
async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../../static/grens.js"),
    )
}

/// The pages.
pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/", get(cases::inbox))
        .route("/inbox/rows", get(cases::inbox_fragment))
        .route("/cases/{id}", get(cases::case).post(cases::change))
        .route("/cases/{id}/retention", post(cases::retention))
        .route("/cases/{id}/correction", post(cases::correction))
        .route("/reviews", get(cases::reviews))
        .route("/reports/art18", get(cases::art18))
        .route("/reports/art18.csv", get(cases::art18_csv))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/feedback-request", post(feedback_request))
        .route("/messages/{id}/feedback", post(feedback_answer))
        .route("/consents", get(consents))
        .route("/transfers", get(transfers::page))
        .route("/transfers.json", get(transfers::export))
        .route("/query", get(query::page).post(query::send))
        .route("/consult", post(query::consult))
        .route("/authorisations", get(authorisations::page).post(authorisations::grant))
        .route("/authorisations/{id}/revoke", post(authorisations::revoke))
        .route("/patrols", post(authorisations::start_patrol))
        .route("/anpr", get(anpr::page))
        .route("/anpr/entries", post(anpr::provide))
        .route("/anpr/entries/{id}/withdraw", post(anpr::withdraw))
        .route("/anpr/received/{message}/decision", post(anpr::decide))
        .route("/operations", get(operations::page))
        .route("/operations/pursuits", post(operations::start_pursuit))
        .route("/operations/{id}", get(operations::operation))
        .route("/operations/{id}/events", post(operations::event))
        .route("/operations/start", post(operations::start))
        .route("/operations/patrols/{id}/{step}", post(operations::patrol))
        .route("/reports/art65", get(evaluation::page))
        .route("/reports/art65.pdf", get(evaluation::pdf))
        .route("/guide", get(guide_page))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/agreements", post(admin::add_agreement))
        .route("/admin/agreements/delete", post(admin::delete_agreement))
        .route("/admin/contacts", post(admin::add_contact))
        .route("/admin/contacts/delete", post(admin::delete_contact))
        .route("/messages/{id}/use", post(use_data))
        .route("/messages/{id}/consent-request", post(consent_request))
        .route("/messages/{id}/reply", post(reply))
        .route("/messages/{id}/consent", post(consent))
        .route("/compose", get(compose_form).post(compose))
        .route("/audit", get(audit::audit))
        .route("/audit/export", get(audit::export))
        .route("/static/grens.css", get(stylesheet))
        .route("/static/htmx.min.js", get(htmx))
        .route("/static/grens.js", get(script))
        .with_state(api)
}
