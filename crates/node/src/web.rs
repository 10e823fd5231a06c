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

use crate::api::Api;
use crate::desk::{Compose, ComposeKind, DeskError, DirectFacts, UseKind, UseRequest, Via};

const SESSION_COOKIE: &str = "grens_session";
const LANGUAGE_COOKIE: &str = "grens_lang";

/// The languages of the UI: code and name in that language.
pub const LANGUAGES: [(&str, &str); 3] = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")];

/// The translation files, embedded.
const FILES: [(&str, &str); 3] = [
    ("nl", include_str!("../i18n/nl.toml")),
    ("fr", include_str!("../i18n/fr.toml")),
    ("en", include_str!("../i18n/en.toml")),
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
    crate::hex(&Sha256::digest(format!("grens-csrf:{token}").as_bytes()))
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

    fn label(&self) -> String {
        format!("{} ({}, {})", self.user.display_name, self.user.party, self.user.unit)
    }
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
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    failed: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    message: String,
    articles: String,
}

fn error_page(w: &WebUser, path: &str, e: &DeskError) -> Response {
    let articles = e
        .decision
        .as_ref()
        .map(|d| {
            let mut found = Vec::new();
            collect_articles(d, &mut found);
            found.dedup();
            found.iter().map(|a| format!("Art. {a}")).collect::<Vec<_>>().join(", ")
        })
        .unwrap_or_default();
    render(
        ErrorPage {
            t: w.t,
            user: Some(w.label()),
            csrf: w.csrf.clone(),
            path: path.to_owned(),
            languages: LANGUAGES,
            message: e.message.clone(),
            articles,
        },
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
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
    // Only a path of this site: never an open redirect.
    let back = q
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or_else(|| "/".into());
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
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    rows: Vec<Row>,
}

fn local(w: &WebUser, api: &Api, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| w.t.datetime(t, &api.desk.profile.zone(&api.desk.node.me.party)))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

async fn inbox(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let messages = match api.desk.inbox(&w.user).await {
        Ok(m) => m,
        Err(e) => return error_page(&w, "/", &e),
    };
    let rows = messages
        .into_iter()
        .map(|m| {
            let (deadline, overdue) = match &m.deadline {
                None => (String::new(), false),
                Some(d) => (
                    format!(
                        "{} · Art. {}{}",
                        local(&w, &api, &d.due),
                        d.article,
                        if d.overdue {
                            format!(" · {}", w.t.get("inbox.overdue"))
                        } else if d.met {
                            format!(" · {}", w.t.get("inbox.met"))
                        } else {
                            String::new()
                        }
                    ),
                    d.overdue,
                ),
            };
            Row {
                at: local(&w, &api, &m.at),
                direction: w
                    .t
                    .get(if m.direction == "incoming" {
                        "inbox.incoming"
                    } else {
                        "inbox.outgoing"
                    })
                    .to_owned(),
                id: m.id,
                kind: m.kind,
                from: m.from,
                to: m.to,
                deadline,
                overdue,
            }
        })
        .collect();
    render(
        InboxPage {
            t: w.t,
            user: Some(w.label()),
            csrf: w.csrf.clone(),
            path: "/".into(),
            languages: LANGUAGES,
            rows,
        },
        StatusCode::OK,
    )
}

struct ActionRow {
    action: String,
    label: String,
    allowed: bool,
    articles: String,
    reasons: String,
    consent_possible: bool,
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
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    id: String,
    kind: String,
    from: String,
    to: String,
    at: String,
    marking: Option<String>,
    conditions: Vec<String>,
    actions: Vec<ActionRow>,
    history: Vec<HistoryRow>,
    envelope: String,
    can_reply: bool,
    can_decide_consent: bool,
    reply_languages: Vec<String>,
    grounds: Vec<String>,
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
            action: a.action.clone(),
            allowed: a.allowed,
            articles: a
                .articles
                .iter()
                .map(|x| format!("Art. {x}"))
                .collect::<Vec<_>>()
                .join(", "),
            reasons: a.reasons.join(" "),
        })
        .collect();
    let history = view
        .case_history
        .iter()
        .map(|h| HistoryRow {
            id: h.id.clone(),
            kind: h.kind.clone(),
            from: h.from.clone(),
            to: h.to.clone(),
            at: local(&w, &api, &h.at),
        })
        .collect();
    render(
        MessagePage {
            t: w.t,
            user: Some(w.label()),
            csrf: w.csrf.clone(),
            languages: LANGUAGES,
            id: id.clone(),
            kind: view.summary.kind.clone(),
            from: view.summary.from.clone(),
            to: view.summary.to.clone(),
            at: local(&w, &api, &view.summary.at),
            marking: view.marking.clone(),
            conditions: view.conditions.clone(),
            actions,
            history,
            envelope: serde_json::to_string_pretty(&view.envelope).unwrap_or_default(),
            can_reply: view.summary.direction == "incoming" && view.summary.kind == "request",
            can_decide_consent: view.summary.direction == "incoming"
                && view.summary.kind == "consent_request"
                && crate::accounts::has_role(&w.user, crate::accounts::Role::Supervisor),
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
}

async fn use_data(State(api): State<Arc<Api>>, w: WebUser, Path(id): Path<String>, Form(f): Form<UseForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let request = UseRequest {
        use_: f.use_,
        recipient: None,
        justification: f.justification,
    };
    match api.desk.use_data(&w.user, &id, &request).await {
        Ok(_) => Redirect::to(&format!("/messages/{id}")).into_response(),
        Err(e) => error_page(&w, &format!("/messages/{id}"), &e),
    }
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
    match api.desk.request_consent(&w.user, &id, &ask).await {
        Ok(_) => Redirect::to(&format!("/messages/{id}")).into_response(),
        Err(e) => error_page(&w, &format!("/messages/{id}"), &e),
    }
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
    match api.desk.reply(&w.user, &id, &reply).await {
        Ok(sent) => Redirect::to(&format!("/messages/{}", sent.message_id.unwrap_or(id))).into_response(),
        Err(e) => error_page(&w, &format!("/messages/{id}"), &e),
    }
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
        Ok(sent) => Redirect::to(&format!("/messages/{}", sent.message_id.unwrap_or(id))).into_response(),
        Err(e) => error_page(&w, &format!("/messages/{id}"), &e),
    }
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
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    kinds: [(&'static str, &'static str); 3],
    parties: Vec<String>,
    vias: [&'static str; 5],
    form: ComposeForm,
    decisions: Vec<String>,
    allowed: bool,
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

fn compose_page(api: &Api, w: &WebUser, form: ComposeForm, decisions: Vec<String>, allowed: bool) -> Response {
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
            user: Some(w.label()),
            csrf: w.csrf.clone(),
            path: "/compose".into(),
            languages: LANGUAGES,
            kinds: KINDS,
            parties,
            vias: VIAS,
            form,
            decisions,
            allowed,
        },
        StatusCode::OK,
    )
}

async fn compose_form(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let form = ComposeForm {
        kind: "request".into(),
        via: "ncp".into(),
        purpose: "criminal".into(),
        ..ComposeForm::default()
    };
    compose_page(&api, &w, form, Vec::new(), false)
}

async fn compose(State(api): State<Arc<Api>>, w: WebUser, Form(f): Form<ComposeForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let mut subjects = Vec::new();
    if !f.surname.trim().is_empty() {
        subjects.push(protocol::Subject::Person(protocol::Person {
            given_names: f.given.split_whitespace().map(str::to_owned).collect(),
            surname: f.surname.trim().to_owned(),
            birth_date: f.birth.parse().ok(),
            ..protocol::Person::default()
        }));
    }
    if !f.plate.trim().is_empty() {
        subjects.push(protocol::Subject::Object(protocol::Object {
            kind: protocol::ObjectKind::Vehicle,
            identifier: f.plate.trim().to_owned(),
            country: None,
            description: None,
        }));
    }
    let via: Via = serde_json::from_value(serde_json::json!(f.via)).unwrap_or_default();
    let kind: ComposeKind = serde_json::from_value(serde_json::json!(f.kind)).unwrap_or(ComposeKind::Request);
    let c = Compose {
        kind,
        to_party: f.to_party.clone(),
        to_unit: Some(f.to_unit.trim().to_owned()).filter(|u| !u.is_empty()),
        via,
        direct: DirectFacts::default(),
        purpose: Some(f.purpose.clone()),
        urgent: false,
        directly_accessible: false,
        requested_law_expressly_opposes: false,
        factual_reasons_it_may_help: kind == ComposeKind::Spontaneous,
        subjects,
        text: f.text.clone(),
        confirms_oral: None,
    };
    let preview = f.action != "send";
    match api.desk.compose(&w.user, &c, preview).await {
        Ok(sent) if preview => {
            let reasons = sent.decisions.iter().flat_map(|d| d.reasons.clone()).collect();
            compose_page(&api, &w, f, reasons, true)
        }
        Ok(sent) => Redirect::to(&format!("/messages/{}", sent.message_id.unwrap_or_default())).into_response(),
        Err(e) => {
            let mut reasons = Vec::new();
            if let Some(d) = &e.decision {
                if let Some(list) = d.get("decisions").and_then(|x| x.as_array()) {
                    for dv in list {
                        if let Some(rs) = dv.get("reasons").and_then(|r| r.as_array()) {
                            reasons.extend(rs.iter().filter_map(|r| r.as_str().map(str::to_owned)));
                        }
                    }
                }
            }
            if reasons.is_empty() {
                reasons.push(e.message.clone());
            }
            compose_page(&api, &w, f, reasons, false)
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    intact: bool,
    status: String,
    actor: String,
    operation: String,
    operations: [&'static str; 6],
    entries: Vec<(i64, String, String, String, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    operation: String,
}

/// The data-protection officer's view of the journal (Directive 2016/680 Art. 25).
async fn audit(State(api): State<Arc<Api>>, w: WebUser, Query(f): Query<AuditFilter>) -> Response {
    let status = match api.desk.verify_journal(&w.user).await {
        Ok(s) => s,
        Err(e) => return error_page(&w, "/audit", &e),
    };
    let mut entries = Vec::new();
    let mut from = 1;
    while from <= status.length {
        let page = match api.desk.journal_entries(&w.user, from, 1000).await {
            Ok(p) => p,
            Err(e) => return error_page(&w, "/audit", &e),
        };
        if page.is_empty() {
            break;
        }
        from += i64::try_from(page.len()).unwrap_or(1000);
        for e in page {
            let entry = &e.entry;
            if (!f.actor.is_empty() && !entry.actor.contains(&f.actor))
                || (!f.operation.is_empty() && entry.operation.as_str() != f.operation)
            {
                continue;
            }
            entries.push((
                e.seq,
                w.t.datetime(entry.at, &api.desk.profile.zone(&api.desk.node.me.party)),
                entry.operation.to_string(),
                entry.actor.clone(),
                entry.justification.clone(),
                entry.recipient.clone().unwrap_or_default(),
            ));
        }
    }
    entries.reverse();
    render(
        AuditPage {
            t: w.t,
            user: Some(w.label()),
            csrf: w.csrf.clone(),
            path: "/audit".into(),
            languages: LANGUAGES,
            intact: status.intact,
            status: format!(
                "{} — {} · {} · {}",
                w.t.get(if status.intact { "audit.intact" } else { "audit.broken" }),
                status.node,
                status.length,
                status.problem.unwrap_or(status.head)
            ),
            actor: f.actor,
            operation: f.operation,
            operations: [
                "collection",
                "alteration",
                "consultation",
                "disclosure",
                "combination",
                "erasure",
            ],
            entries,
        },
        StatusCode::OK,
    )
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/grens.css"),
    )
        .into_response()
}

/// The pages.
pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/", get(inbox))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/use", post(use_data))
        .route("/messages/{id}/consent-request", post(consent_request))
        .route("/messages/{id}/reply", post(reply))
        .route("/messages/{id}/consent", post(consent))
        .route("/compose", get(compose_form).post(compose))
        .route("/audit", get(audit))
        .route("/static/grens.css", get(stylesheet))
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
