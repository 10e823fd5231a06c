//! `/anpr`: ANPR under Art. 13 — the hits returned to this node (refreshed live) with the
//! follow-up action it asked for, its hotlist entries per recipient with withdrawal, the form
//! to provide an entry, and for the contact point the entries received from partners to accept
//! or reject.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::Chrome;
use super::CsrfForm;
use super::{done, error_page, partners, render, Tr, WebUser};
use crate::desk::anpr::{AnprHitView, EntryDecision, NewHotlistEntry, ProvidedEntry, ReceivedEntry, Withdrawal};
use crate::http::api::Api;

#[derive(Template)]
#[template(path = "anpr.html")]
struct AnprPage {
    t: Tr,
    chrome: Chrome,
    hits: Vec<AnprHitView>,
    provided: Vec<ProvidedEntry>,
    /// `None` for officers: deciding on partners' entries is the contact point's.
    received: Option<Vec<ReceivedEntry>>,
    /// The other parties of the network.
    partners: Vec<String>,
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let (hits, provided) = match (
        api.desk.anpr_hits(&w.user).await,
        api.desk.hotlist_provided(&w.user).await,
    ) {
        (Ok(h), Ok(p)) => (h, p),
        (Err(e), _) | (_, Err(e)) => return error_page(&w, "/anpr", &e),
    };
    let received = api.desk.hotlist_received(&w.user).await.ok();
    let partners = partners(&api);
    render(
        AnprPage {
            t: w.t,
            chrome: w.chrome("/anpr"),
            hits,
            provided,
            received,
            partners,
        },
        StatusCode::OK,
    )
}

/// The entry form's fields as sent: one `recipients` pair per ticked partner.
pub async fn provide(State(api): State<Arc<Api>>, w: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    if let Some(refused) = w.forged(&field("csrf")) {
        return refused;
    }
    let filled = |name: &str| Some(field(name)).filter(|s| !s.is_empty());
    let new = NewHotlistEntry {
        plate: field("plate"),
        country: field("country"),
        category: field("category"),
        follow_up_action: filled("follow_up_action"),
        international_alert: filled("international_alert"),
        recipient_legal_basis: filled("recipient_legal_basis"),
        valid_until: filled("valid_until"),
        contact: None,
        recipients: pairs
            .iter()
            .filter(|(k, _)| k == "recipients")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    done(&w, "/anpr", api.desk.provide_hotlist_entry(&w.user, &new).await, |_| {
        "/anpr".into()
    })
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    accept: String,
}

pub async fn withdraw(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<ReasonForm>,
) -> Response {
    match api
        .desk
        .withdraw_hotlist_entry(&w.user, &id, &Withdrawal { reason: f.reason })
        .await
    {
        Ok(_) => Redirect::to("/anpr").into_response(),
        Err(e) => error_page(&w, "/anpr", &e),
    }
}

pub async fn decide(
    State(api): State<Arc<Api>>,
    Path(message): Path<String>,
    CsrfForm(w, f): CsrfForm<ReasonForm>,
) -> Response {
    let decision = EntryDecision {
        accept: f.accept == "yes",
        reason: f.reason,
    };
    done(
        &w,
        "/anpr",
        api.desk.decide_hotlist_entry(&w.user, &message, &decision).await,
        |_| "/anpr".into(),
    )
}
