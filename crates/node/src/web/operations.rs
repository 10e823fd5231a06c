//! `/operations`: the operations board — every operation of this node with its partner, its
//! events and the live release countdown of a detention (refreshed without reloading) — the
//! form that starts a hot pursuit, and each operation's event form.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{error_page, partners, render, Tr, WebUser, Who, LANGUAGES};
use crate::api::Api;
use crate::desk::operations::{EventAsk, OperationView, PursuitStart};

#[derive(Template)]
#[template(path = "operations.html")]
struct OperationsPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    operations: Vec<OperationView>,
    partners: Vec<String>,
    /// The events an officer may record (the node checks who may record which).
    events: Vec<&'static str>,
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let operations = match api.desk.operations(&w.user).await {
        Ok(o) => o,
        Err(e) => return error_page(&w, "/operations", &e),
    };
    let partners = partners(&api);
    render(
        OperationsPage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/operations".into(),
            languages: LANGUAGES,
            operations,
            partners,
            events: protocol::OperationEventKind::ALL
                .into_iter()
                .filter(|k| *k != protocol::OperationEventKind::Crossing)
                .map(|k| k.as_str())
                .collect(),
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct PursuitForm {
    csrf: String,
    host: String,
    medium: String,
    #[serde(default)]
    started_in_own_territory: Option<String>,
    #[serde(default)]
    host_could_be_warned_in_advance: Option<String>,
    #[serde(default)]
    host_could_take_over_in_time: Option<String>,
    text: String,
}

pub async fn start_pursuit(State(api): State<Arc<Api>>, w: WebUser, Form(f): Form<PursuitForm>) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let start = PursuitStart {
        host: f.host,
        medium: f.medium,
        started_in_own_territory: f.started_in_own_territory.is_some(),
        host_could_be_warned_in_advance: f.host_could_be_warned_in_advance.is_some(),
        host_could_take_over_in_time: f.host_could_take_over_in_time.is_some(),
        text: f.text,
    };
    match api.desk.start_pursuit(&w.user, &start).await {
        Ok(o) => Redirect::to(&format!("/operations#op-{}", o.id)).into_response(),
        Err(e) => error_page(&w, "/operations", &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct EventForm {
    csrf: String,
    event: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    at: String,
}

pub async fn event(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> Response {
    if let Some(refused) = w.forged(&f.csrf) {
        return refused;
    }
    let ask = EventAsk {
        event: f.event,
        text: f.text,
        at: Some(f.at).filter(|a| !a.trim().is_empty()),
    };
    match api.desk.operation_event(&w.user, &id, &ask).await {
        Ok(_) => Redirect::to(&format!("/operations#op-{id}")).into_response(),
        Err(e) => error_page(&w, "/operations", &e),
    }
}
