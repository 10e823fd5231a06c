//! The officers' web pages, served next to the API: server-rendered (askama), readable and
//! usable without JavaScript, in Dutch, French and English. Every page checks the session and
//! the role server-side through the same [`Desk`] as the API; every form carries a CSRF token.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use store::User;

use crate::accounts::{has_role, Role};
use crate::http::api::Api;
use crate::desk::{Compose, ComposeKind, DeskError, DirectFacts, UseKind, UseRequest, Via};

mod admin;
mod anpr;
mod audit;
pub use audit::AuditFilter;
mod authorisations;
mod evaluation;
pub mod guide;
pub mod operations;
mod query;
pub mod pdf;

use guide::Cited;

const SESSION_COOKIE: &str = "grens_session";
const LANGUAGE_COOKIE: &str = "grens_lang";

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

/// The logged-in officer of a page.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub user: User,
    token: String,
    pub t: Tr,
    csrf: String,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The CSRF token of a session: derived from the secret session token, so it cannot be guessed
/// by another site and needs no storage.
fn csrf_of(token: &str) -> String {
    hex::encode(Sha256::digest(format!("grens-csrf:{token}").as_bytes()))
}

fn language(headers: &HeaderMap, user: Option<&User>) -> Tr {
    Tr::new(
        cookie(headers, LANGUAGE_COOKIE)
            .or(user.map(|u| u.language.as_str()))
            .unwrap_or("en"),
    )
}

/// Anonymous users are sent to the log-in page.
#[derive(Debug)]
pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<Arc<Api>> for WebUser {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, api: &Arc<Api>) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(ToLogin)?.to_owned();
        let user = api.desk.session(&token).await.map_err(|_| ToLogin)?;
        Ok(WebUser {
            t: language(&parts.headers, Some(&user)),
            csrf: csrf_of(&token),
            token,
            user,
        })
    }
}

impl WebUser {
    /// The refusal of a form whose CSRF token is not this session's, if it is not.
    fn forged(&self, sent: &str) -> Option<Response> {
        (sent != self.csrf).then(|| {
            (
                StatusCode::FORBIDDEN,
                "the form's CSRF token does not match this session",
            )
                .into_response()
        })
    }

    /// Who is logged in, and which parts of the navigation their roles open.
    fn who(&self) -> Who {
        Who {
            label: format!("{} ({}, {})", self.user.display_name, self.user.party, self.user.unit),
            supervisor: has_role(&self.user, Role::Supervisor),
            dpo: has_role(&self.user, Role::Dpo) || has_role(&self.user, Role::Admin),
            admin: has_role(&self.user, Role::Admin),
        }
    }
}

/// The logged-in user as the page header shows them. The links only spare users pages they
/// cannot open: every page checks the role again on the server.
#[derive(Debug, Clone)]
pub struct Who {
    pub label: String,
    pub supervisor: bool,
    pub dpo: bool,
    pub admin: bool,
}

/// The other parties of the network, for a form's choice of partner.
fn partners(api: &Api) -> Vec<String> {
    let me = api.desk.node.me.party.to_string();
    let mut partners: Vec<String> = api
        .desk
        .node
        .directory
        .nodes
        .iter()
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
fn local_path(back: Option<String>, default: &str) -> String {
    back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
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
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    failed: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
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
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: path.to_owned(),
            languages: LANGUAGES,
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

async fn login_page(headers: HeaderMap) -> Response {
    render(
        LoginPage {
            t: language(&headers, None),
            user: None,
            csrf: String::new(),
            path: "/login".into(),
            languages: LANGUAGES,
            failed: false,
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(State(api): State<Arc<Api>>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let outcome = if api.throttled(&f.username) {
        None
    } else {
        match api.desk.login(&f.username, &f.password).await {
            Ok((token, _, _)) => {
                api.login_succeeded(&f.username);
                Some(token)
            }
            Err(_) => {
                api.login_failed(&f.username);
                None
            }
        }
    };
    match outcome {
        Some(token) => (
            [(
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800"),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        None => render(
            LoginPage {
                t: language(&headers, None),
                user: None,
                csrf: String::new(),
                path: "/login".into(),
                languages: LANGUAGES,
                failed: true,
            },
            StatusCode::UNAUTHORIZED,
        ),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(api): State<Arc<Api>>, w: WebUser, Form(f): Form<CsrfForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let _ = api.desk.logout(&w.token).await;
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct Back {
    back: Option<String>,
}

async fn switch_language(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let t = Tr::new(&code);
    let back = local_path(q.back, "/");
    (
        [(
            header::SET_COOKIE,
            format!(
                "{LANGUAGE_COOKIE}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
                t.lang
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

struct Row {
    id: String,
    at: String,
    direction: String,
    kind: String,
    from: String,
    to: String,
    deadline: Option<DeadlineCell>,
    overdue: bool,
}

/// A legal clock in the inbox: when, under which article, and how long is left — rendered on
/// the server (readable without JavaScript) and kept live by `grens.js`.
struct DeadlineCell {
    /// RFC 3339, for the live countdown.
    due: String,
    due_local: String,
    article: Cited,
    state: String,
    remaining: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "inbox_rows.html")]
struct InboxRows {
    t: Tr,
    rows: Vec<Row>,
}

fn local(w: &WebUser, api: &Api, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| w.t.datetime(t, &api.desk.profile.zone(&api.desk.node.me.party)))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// `3 h 12 min`, `2 d 4 h`, `45 s`: the largest two units, in the language's abbreviations.
fn span(t: Tr, seconds: i64) -> String {
    let s = seconds.abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    let unit = |key: &str| t.get(key).to_owned();
    if d > 0 {
        format!("{d} {} {h} {}", unit("countdown.d"), unit("countdown.h"))
    } else if h > 0 {
        format!("{h} {} {m} {}", unit("countdown.h"), unit("countdown.min"))
    } else if m > 0 {
        format!("{m} {} {} {}", unit("countdown.min"), s % 60, unit("countdown.s"))
    } else {
        format!("{s} {}", unit("countdown.s"))
    }
}

/// How long is left until `due` (or how long it is overdue), in words.
fn remaining(t: Tr, due: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let left = due.as_second() - now.as_second();
    if left >= 0 {
        t.get("countdown.left").replace("{}", &span(t, left))
    } else {
        t.get("countdown.late").replace("{}", &span(t, left))
    }
}

fn kind_label(t: Tr, kind: &str) -> String {
    t.get(&format!("kind.{kind}")).to_owned()
}

async fn inbox_rows(api: &Api, w: &WebUser) -> Result<Vec<Row>, DeskError> {
    let now = jiff::Timestamp::now();
    let messages = api.desk.inbox(&w.user).await?;
    Ok(messages
        .into_iter()
        .map(|m| {
            let deadline = m.deadline.as_ref().map(|d| {
                let due = d.due.parse::<jiff::Timestamp>().ok();
                DeadlineCell {
                    due: due.map(|x| x.to_string()).unwrap_or_default(),
                    due_local: local(w, api, &d.due),
                    article: guide::cite(&d.article, w.t),
                    state: if d.overdue {
                        w.t.get("inbox.overdue").to_owned()
                    } else if d.met {
                        w.t.get("inbox.met").to_owned()
                    } else {
                        String::new()
                    },
                    remaining: match due {
                        Some(due) if !d.met => remaining(w.t, due, now),
                        _ => String::new(),
                    },
                    open: !d.met,
                }
            });
            Row {
                at: local(w, api, &m.at),
                direction: w
                    .t
                    .get(if m.direction == "incoming" {
                        "inbox.incoming"
                    } else {
                        "inbox.outgoing"
                    })
                    .to_owned(),
                kind: kind_label(w.t, &m.kind),
                overdue: m.deadline.as_ref().is_some_and(|d| d.overdue),
                deadline,
                id: m.id,
                from: m.from,
                to: m.to,
            }
        })
        .collect())
}

async fn inbox(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let rows = match inbox_rows(&api, &w).await {
        Ok(r) => r,
        Err(e) => return error_page(&w, "/", &e),
    };
    render(
        InboxPage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/".into(),
            languages: LANGUAGES,
            rows,
        },
        StatusCode::OK,
    )
}

/// The inbox's rows alone, which htmx fetches every 20 seconds so new messages and changed
/// clocks appear without reloading the page.
async fn inbox_fragment(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    match inbox_rows(&api, &w).await {
        Ok(rows) => render(InboxRows { t: w.t, rows }, StatusCode::OK),
        Err(e) => error_page(&w, "/", &e),
    }
}

struct ActionRow {
    action: String,
    label: String,
    allowed: bool,
    articles: Vec<Cited>,
    reasons: String,
    consent_possible: bool,
    /// Disclosure and onward transfer name their recipient (Art. 9, 10(4)).
    needs_recipient: bool,
}

struct HistoryRow {
    id: String,
    kind: String,
    from: String,
    to: String,
    at: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    id: String,
    kind: String,
    from: String,
    to: String,
    at: String,
    legal_basis: Vec<Cited>,
    body: Vec<(String, String)>,
    marking: Option<String>,
    conditions: Vec<String>,
    actions: Vec<ActionRow>,
    history: Vec<HistoryRow>,
    envelope: String,
    can_reply: bool,
    can_decide_consent: bool,
    can_ask_feedback: bool,
    can_answer_feedback: bool,
    reply_languages: Vec<String>,
    grounds: Vec<String>,
}

/// One value of a message body as an officer reads it.
fn readable(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(readable).collect::<Vec<_>>().join("; "),
        Value::Object(m) => {
            // Subjects: the fields an officer recognises, in a fixed order.
            let parts: Vec<String> = [
                "kind",
                "identifier",
                "surname",
                "given_names",
                "birth_date",
                "birth_place",
                "nationalities",
            ]
            .iter()
            .filter_map(|k| m.get(*k).map(readable))
            .filter(|s| !s.is_empty())
            .collect();
            if parts.is_empty() {
                v.to_string()
            } else {
                parts.join(" ")
            }
        }
    }
}

fn body_lines(t: Tr, envelope: &serde_json::Value) -> Vec<(String, String)> {
    envelope
        .get("body")
        .and_then(|b| b.as_object())
        .map(|b| {
            b.iter()
                .filter(|(k, _)| *k != "type")
                .map(|(k, v)| (t.get(&format!("field.{k}")).to_owned(), readable(v)))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

async fn message(State(api): State<Arc<Api>>, w: WebUser, Path(id): Path<String>) -> Response {
    let path = format!("/messages/{id}");
    let view = match api.desk.view(&w.user, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(&w, &path, &e),
    };
    let actions = view
        .actions
        .iter()
        .map(|a| ActionRow {
            label: w.t.get(&format!("use.{}", a.action)).to_owned(),
            consent_possible: a.action != "restricted_purpose",
            needs_recipient: a.action == "onward_transfer" || a.action == "disclosure",
            action: a.action.clone(),
            allowed: a.allowed,
            articles: guide::cite_all(a.articles.iter().map(String::as_str), w.t),
            reasons: a.reasons.join(" "),
        })
        .collect();
    let history = view
        .case_history
        .iter()
        .map(|h| HistoryRow {
            id: h.id.clone(),
            kind: kind_label(w.t, &h.kind),
            from: h.from.clone(),
            to: h.to.clone(),
            at: local(&w, &api, &h.at),
        })
        .collect();
    let incoming = view.summary.direction == "incoming";
    let kind = view.summary.kind.as_str();
    let officer = has_role(&w.user, Role::Officer) || has_role(&w.user, Role::ContactPoint);
    let legal_basis = view
        .envelope
        .pointer("/legal_basis/article")
        .and_then(|a| a.as_str())
        .map(|a| vec![guide::cite(a, w.t)])
        .unwrap_or_default();
    render(
        MessagePage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            languages: LANGUAGES,
            id: id.clone(),
            kind: kind_label(w.t, kind),
            from: view.summary.from.clone(),
            to: view.summary.to.clone(),
            at: local(&w, &api, &view.summary.at),
            legal_basis,
            body: body_lines(w.t, &view.envelope),
            marking: view.marking.clone(),
            conditions: view.conditions.clone(),
            actions,
            history,
            envelope: serde_json::to_string_pretty(&view.envelope).unwrap_or_default(),
            can_reply: incoming && kind == "request",
            can_decide_consent: incoming && kind == "consent_request" && has_role(&w.user, Role::Supervisor),
            can_ask_feedback: !incoming && officer && (kind == "provision" || kind == "spontaneous_provision"),
            can_answer_feedback: incoming && officer && kind == "feedback_request",
            reply_languages: api
                .desk
                .profile
                .party(&api.desk.node.me.party)
                .map(|p| p.languages.iter().map(|l| l.as_str().to_owned()).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .chain(["en".to_owned()])
                .collect(),
            grounds: ('a'..='h')
                .map(|g| format!("2023/977:6({g})"))
                .chain(["61".to_owned()])
                .collect(),
            path,
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
struct UseForm {
    csrf: String,
    #[serde(rename = "use")]
    use_: UseKind,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    recipient: String,
}

async fn use_data(State(api): State<Arc<Api>>, w: WebUser, Path(id): Path<String>, Form(f): Form<UseForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let request = UseRequest {
        use_: f.use_,
        recipient: Some(f.recipient.trim().to_owned()).filter(|r| !r.is_empty()),
        justification: f.justification,
    };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.use_data(&w.user, &id, &request).await,
        |_| format!("/messages/{id}"),
    )
}

async fn consent_request(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(f): Form<UseForm>,
) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let uses: Vec<protocol::ConsentUse> = match f.use_ {
        UseKind::OtherPurpose => vec![protocol::ConsentUse::OtherPurpose],
        UseKind::Evidence => vec![protocol::ConsentUse::Evidence],
        UseKind::Disclosure => vec![protocol::ConsentUse::Disclosure],
        UseKind::OnwardTransfer => vec![protocol::ConsentUse::OnwardTransfer],
        UseKind::RestrictedPurpose => Vec::new(),
    };
    let ask = crate::desk::ConsentAsk {
        uses,
        reasons: f.reasons,
    };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.request_consent(&w.user, &id, &ask).await,
        |_| format!("/messages/{id}"),
    )
}

#[derive(Debug, Deserialize)]
struct ReplyForm {
    csrf: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    restriction: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    ground: String,
}

async fn reply(State(api): State<Arc<Api>>, w: WebUser, Path(id): Path<String>, Form(f): Form<ReplyForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let reply = if f.kind == "refusal" {
        crate::desk::Reply::Refusal {
            ground: f.ground,
            reasons: f.text,
        }
    } else {
        crate::desk::Reply::Provision {
            subjects: Vec::new(),
            text: f.text,
            classification: Some(f.classification.trim().to_owned()).filter(|c| !c.is_empty()),
            purpose_restriction: Some(f.restriction.trim().to_owned())
                .filter(|c| !c.is_empty())
                .into_iter()
                .collect(),
            consented_uses: Vec::new(),
            conditions: Vec::new(),
            language: f.language,
        }
    };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.reply(&w.user, &id, &reply).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}

#[derive(Debug, Deserialize)]
struct ConsentForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    reasons: String,
    /// The consent queue sends its forms here and wants to come back.
    #[serde(default)]
    back: Option<String>,
}

async fn consent(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(f): Form<ConsentForm>,
) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let answer = if f.decision == "grant" {
        crate::desk::ConsentAnswer::Grant {
            scope: if f.scope == "general" {
                protocol::ConsentScope::General
            } else {
                protocol::ConsentScope::ConcreteCase
            },
            conditions: Some(f.condition.trim().to_owned())
                .filter(|c| !c.is_empty())
                .into_iter()
                .collect(),
        }
    } else {
        crate::desk::ConsentAnswer::Deny { reasons: f.reasons }
    };
    match api.desk.answer_consent(&w.user, &id, &answer).await {
        Ok(sent) => {
            let sent = format!("/messages/{}", sent.message_id.unwrap_or(id));
            Redirect::to(&local_path(f.back, &sent)).into_response()
        }
        Err(e) => error_page(&w, &format!("/messages/{id}"), &e),
    }
}

struct QueueRow {
    id: String,
    about: String,
    from: String,
    at: String,
    uses: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "consents.html")]
struct ConsentsPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    rows: Vec<QueueRow>,
}

/// The supervisors' queue: consent requests waiting for a decision (Art. 11), oldest first.
async fn consents(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let queue = match api.desk.consent_queue(&w.user).await {
        Ok(q) => q,
        Err(e) => return error_page(&w, "/consents", &e),
    };
    let rows = queue
        .into_iter()
        .map(|q| QueueRow {
            at: local(&w, &api, &q.summary.at),
            from: q.summary.from,
            id: q.summary.id,
            about: q.about,
            uses: q
                .uses
                .iter()
                .map(|u| w.t.get(&format!("use.{u}")).to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            reasons: q.reasons,
        })
        .collect();
    render(
        ConsentsPage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/consents".into(),
            languages: LANGUAGES,
            rows,
        },
        StatusCode::OK,
    )
}

/// The provider asks what became of its data (Art. 7(3)).
async fn feedback_request(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.request_feedback(&w.user, &id).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}

#[derive(Debug, Deserialize)]
struct FeedbackForm {
    csrf: String,
    text: String,
}

/// The recipient answers a feedback request (Art. 7(3)).
async fn feedback_answer(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let answer = crate::desk::FeedbackText { text: f.text };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.answer_feedback(&w.user, &id, &answer).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    lines: Vec<guide::GuideLine>,
}

/// The treaty guide, in the officer's language.
async fn guide_page(w: WebUser) -> Response {
    render(
        GuidePage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/guide".into(),
            languages: LANGUAGES,
            lines: guide::all(w.t),
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ComposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    to_party: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    via: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    text: String,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    urgent: Option<String>,
    #[serde(default)]
    within_competence_of_both: Option<String>,
    #[serde(default)]
    subject_in_border_region: Option<String>,
    #[serde(default)]
    urgent_delay_would_jeopardise: Option<String>,
    #[serde(default)]
    prior_consent_of_contact_points: Option<String>,
    #[serde(default)]
    in_cross_border_operation: Option<String>,
    /// Art. 14(2): the reference of the hit this request asks the data of.
    #[serde(default)]
    hit_reference: String,
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    kinds: [(&'static str, &'static str); 3],
    parties: Vec<String>,
    vias: [&'static str; 5],
    form: ComposeForm,
    decisions: Vec<String>,
    cited: Vec<Cited>,
    allowed: bool,
    direct_facts: [(&'static str, bool); 5],
}

const KINDS: [(&str, &str); 3] = [
    ("request", "compose.kind.request"),
    ("spontaneous", "compose.kind.spontaneous"),
    ("administrative_measures", "compose.kind.administrative_measures"),
];
const VIAS: [&str; 5] = [
    "ncp",
    "regional_contact_point",
    "joint_police_centre",
    "direct",
    "liaison_officer",
];

/// What the engine said about a composed message: its reasons and the articles it cited.
#[derive(Default)]
struct Verdicts {
    reasons: Vec<String>,
    articles: Vec<String>,
    allowed: bool,
}

fn compose_page(api: &Api, w: &WebUser, form: ComposeForm, verdicts: Verdicts) -> Response {
    let direct_facts = [
        ("within_competence_of_both", form.within_competence_of_both.is_some()),
        ("subject_in_border_region", form.subject_in_border_region.is_some()),
        (
            "urgent_delay_would_jeopardise",
            form.urgent_delay_would_jeopardise.is_some(),
        ),
        (
            "prior_consent_of_contact_points",
            form.prior_consent_of_contact_points.is_some(),
        ),
        ("in_cross_border_operation", form.in_cross_border_operation.is_some()),
    ];
    let parties = api
        .desk
        .profile
        .parties
        .iter()
        .map(|p| p.code.to_string())
        .filter(|p| *p != w.user.party)
        .collect();
    render(
        ComposePage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/compose".into(),
            languages: LANGUAGES,
            kinds: KINDS,
            parties,
            vias: VIAS,
            form,
            cited: guide::cite_all(verdicts.articles.iter().map(String::as_str), w.t),
            decisions: verdicts.reasons,
            allowed: verdicts.allowed,
            direct_facts,
        },
        StatusCode::OK,
    )
}

/// The compose form, pre-filled from the query string (a hit's "request the data" link).
async fn compose_form(State(api): State<Arc<Api>>, w: WebUser, Query(prefill): Query<ComposeForm>) -> Response {
    let form = ComposeForm {
        kind: "request".into(),
        via: "ncp".into(),
        purpose: "criminal".into(),
        csrf: String::new(),
        ..prefill
    };
    compose_page(&api, &w, form, Verdicts::default())
}

async fn compose(State(api): State<Arc<Api>>, w: WebUser, Form(f): Form<ComposeForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let birth_date = match form_date(&f.birth) {
        Ok(d) => d,
        Err(problem) => {
            let refused = Verdicts {
                reasons: vec![format!("{}: {problem}", w.t.get("compose.birth"))],
                ..Verdicts::default()
            };
            return compose_page(&api, &w, f, refused);
        }
    };
    let subjects = person_and_plate(&f.surname, &f.given, birth_date, &f.plate);
    let via: Via = serde_json::from_value(serde_json::json!(f.via)).unwrap_or_default();
    let kind: ComposeKind = serde_json::from_value(serde_json::json!(f.kind)).unwrap_or(ComposeKind::Request);
    let c = Compose {
        kind,
        to_party: f.to_party.clone(),
        to_unit: Some(f.to_unit.trim().to_owned()).filter(|u| !u.is_empty()),
        via,
        direct: DirectFacts {
            within_competence_of_both: f.within_competence_of_both.is_some(),
            subject_in_border_region: f.subject_in_border_region.is_some(),
            urgent_delay_would_jeopardise: f.urgent_delay_would_jeopardise.is_some(),
            prior_consent_of_contact_points: f.prior_consent_of_contact_points.is_some(),
            in_cross_border_operation: f.in_cross_border_operation.is_some(),
        },
        purpose: Some(f.purpose.clone()),
        urgent: f.urgent.is_some(),
        directly_accessible: false,
        requested_law_expressly_opposes: false,
        factual_reasons_it_may_help: kind == ComposeKind::Spontaneous,
        subjects,
        text: f.text.clone(),
        confirms_oral: None,
        hit_reference: Some(f.hit_reference.trim().to_owned()).filter(|r| !r.is_empty()),
    };
    let preview = f.action != "send";
    match api.desk.compose(&w.user, &c, preview).await {
        Ok(sent) if preview => {
            let verdicts = Verdicts {
                reasons: sent.decisions.iter().flat_map(|d| d.reasons.clone()).collect(),
                articles: sent.decisions.iter().flat_map(|d| d.articles.clone()).collect(),
                allowed: true,
            };
            compose_page(&api, &w, f, verdicts)
        }
        Ok(sent) => Redirect::to(&format!("/messages/{}", sent.message_id.unwrap_or_default())).into_response(),
        Err(e) => {
            let mut verdicts = Verdicts::default();
            if let Some(d) = &e.decision {
                if let Some(list) = d.get("decisions").and_then(|x| x.as_array()) {
                    for dv in list {
                        if let Some(rs) = dv.get("reasons").and_then(|r| r.as_array()) {
                            verdicts
                                .reasons
                                .extend(rs.iter().filter_map(|r| r.as_str().map(str::to_owned)));
                        }
                    }
                }
                collect_articles(d, &mut verdicts.articles);
            }
            if verdicts.reasons.is_empty() {
                verdicts.reasons.push(e.message.clone());
            }
            compose_page(&api, &w, f, verdicts)
        }
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
    asset("text/javascript; charset=utf-8", include_str!("../../../static/grens.js"))
}

/// The pages.
pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/", get(inbox))
        .route("/inbox/rows", get(inbox_fragment))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/feedback-request", post(feedback_request))
        .route("/messages/{id}/feedback", post(feedback_answer))
        .route("/consents", get(consents))
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

/// Security headers on every response of the officers' listener (pages and API).
pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
