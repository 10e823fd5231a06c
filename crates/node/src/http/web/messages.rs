//! The inbox and a message: its legal clock, what the treaty allows on it now, the answer, and
//! the use of received data.

use super::*;

use crate::accounts::{has_role, Role};
use crate::desk::{UseKind, UseRequest};
use crate::http::api::Api;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use guide::Cited;
use serde::Deserialize;
use std::sync::Arc;

/// A legal clock in the inbox: when, under which article, and how long is left — rendered on
/// the server (readable without JavaScript) and kept live by `grens.js`.
pub(super) struct DeadlineCell {
    /// RFC 3339, for the live countdown.
    pub(super) due: String,
    pub(super) due_local: String,
    pub(super) article: Cited,
    pub(super) state: String,
    pub(super) remaining: String,
    pub(super) open: bool,
}

pub(super) fn local(w: &WebUser, api: &Api, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| w.t.datetime(t, &api.desk.profile.zone(&api.desk.node.me.party)))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// `3 h 12 min`, `2 d 4 h`, `45 s`: the largest two units, in the language's abbreviations.
pub(super) fn span(t: Tr, seconds: i64) -> String {
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
pub(super) fn remaining(t: Tr, due: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let left = due.as_second() - now.as_second();
    if left >= 0 {
        t.get("countdown.left").replace("{}", &span(t, left))
    } else {
        t.get("countdown.late").replace("{}", &span(t, left))
    }
}

pub(super) fn kind_label(t: Tr, kind: &str) -> String {
    t.get(&format!("kind.{kind}")).to_owned()
}

pub(super) struct ActionRow {
    action: String,
    label: String,
    allowed: bool,
    articles: Vec<Cited>,
    reasons: String,
    consent_possible: bool,
    /// Disclosure and onward transfer name their recipient (Art. 9, 10(4)).
    needs_recipient: bool,
}

pub(super) struct HistoryRow {
    id: String,
    kind: String,
    from: String,
    to: String,
    at: String,
}

#[derive(Template)]
#[template(path = "message.html")]
pub(super) struct MessagePage {
    t: Tr,
    chrome: Chrome,
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
pub(super) fn readable(v: &serde_json::Value) -> String {
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

pub(super) fn body_lines(t: Tr, envelope: &serde_json::Value) -> Vec<(String, String)> {
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

pub(super) async fn message(State(api): State<Arc<Api>>, w: WebUser, Path(id): Path<String>) -> Response {
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
    let incoming = view.summary.direction == store::Direction::Incoming;
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
            chrome: w.chrome(&path),
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
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct UseForm {
    #[serde(rename = "use")]
    pub(super) use_: UseKind,
    #[serde(default)]
    pub(super) justification: String,
    #[serde(default)]
    pub(super) reasons: String,
    #[serde(default)]
    pub(super) recipient: String,
}

pub(super) async fn use_data(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<UseForm>,
) -> Response {
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

#[derive(Debug, Deserialize)]
pub(super) struct ReplyForm {
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
    /// A checkbox: Directive 2023/977 Art. 5(3).
    #[serde(default)]
    judicial: Option<String>,
}

pub(super) async fn reply(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<ReplyForm>,
) -> Response {
    let delayed_for_judicial_authorisation = f.judicial.is_some();
    let reply = if f.kind == "refusal" {
        crate::desk::Reply::Refusal {
            ground: f.ground,
            reasons: f.text,
            delayed_for_judicial_authorisation,
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
            delayed_for_judicial_authorisation,
        }
    };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.reply(&w.user, &id, &reply).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}
