//! The provider's consent (Arts. 9–11): asking it on a message, the supervisors' queue, and
//! the answer; feedback on provided data (Art. 7(3)).

use super::*;

use crate::desk::UseKind;
use crate::http::api::Api;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

pub(super) async fn consent_request(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<UseForm>,
) -> Response {
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
pub(super) struct ConsentForm {
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

pub(super) async fn consent(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<ConsentForm>,
) -> Response {
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

pub(super) struct QueueRow {
    id: String,
    about: String,
    from: String,
    at: String,
    uses: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "consents.html")]
pub(super) struct ConsentsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<QueueRow>,
}

/// The supervisors' queue: consent requests waiting for a decision (Art. 11), oldest first.
pub(super) async fn consents(State(api): State<Arc<Api>>, w: WebUser) -> Response {
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
            chrome: w.chrome("/consents"),
            rows,
        },
        StatusCode::OK,
    )
}

/// The provider asks what became of its data (Art. 7(3)).
pub(super) async fn feedback_request(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, _f): CsrfForm<CsrfOnly>,
) -> Response {
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.request_feedback(&w.user, &id).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct FeedbackForm {
    text: String,
}

/// The recipient answers a feedback request (Art. 7(3)).
pub(super) async fn feedback_answer(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<FeedbackForm>,
) -> Response {
    let answer = crate::desk::FeedbackText { text: f.text };
    done(
        &w,
        &format!("/messages/{id}"),
        api.desk.answer_feedback(&w.user, &id, &answer).await,
        |sent| format!("/messages/{}", sent.message_id.unwrap_or(id)),
    )
}
