//! The officers' JSON API over HTTPS (server-authenticated TLS; officers log in with a password
//! and carry a bearer token). Every handler is a thin layer over [`crate::desk::Desk`]; every
//! role check happens there, server-side. The OpenAPI document is generated from these
//! annotations ([`openapi_json`]) and committed as `docs/openapi.json`; a test fails on drift.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use store::User;
use utoipa::OpenApi;

use crate::desk::anpr::{
    AnprHitView, EntryDecision, IngestReport, NewHotlistEntry, ProvidedEntry, ReadBatch, ReceivedEntry, Withdrawal,
};
use crate::desk::operations::{
    ClockView, DeadlineClock, EventAsk, EventView, HoursView, OperationStart, OperationView, PowersView, PursuitStart,
};
use crate::desk::{
    ActionView, Authorisation, Compose, ComposeKind, ConsentAnswer, ConsentAsk, ConsultAsk, DeadlineView, DecisionView,
    Desk, DeskError, DirectFacts, ErrorKind, FeedbackText, HitQueryAsk, JournalStatus, MessageSummary, MessageView,
    NewUser, OralExchange, PartnerHistory, Patrol, Reply, Sent, Supervised, UseKind, UseOutcome, UseRequest, Via,
};

mod anpr;
mod cases;
mod checkpoints;
mod consult;
mod error;
pub use error::status;
mod messages;
mod operations;
mod sessions;

use anpr::*;
use cases::*;
use checkpoints::*;
use consult::*;
use messages::*;
use operations::*;
use sessions::*;

/// Failed log-ins allowed per user name within [`THROTTLE_WINDOW`] before further attempts are
/// turned away.
pub const MAX_FAILED_LOGINS: usize = 5;

pub const THROTTLE_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The API's state: the desk and the log-in throttle.
#[derive(Debug)]
pub struct Api {
    pub desk: Desk,
    failures: Mutex<HashMap<String, Vec<Timestamp>>>,
}

impl Api {
    pub fn new(desk: Desk) -> Arc<Api> {
        Arc::new(Api {
            desk,
            failures: Mutex::new(HashMap::new()),
        })
    }
}

impl Api {
    /// Whether log-ins for `username` are being turned away (too many recent failures).
    pub fn throttled(&self, username: &str) -> bool {
        let now = self.desk.now_public();
        self.failures.lock().is_ok_and(|mut f| {
            let recent = f.entry(username.to_owned()).or_default();
            recent.retain(|t| now.duration_since(*t) < THROTTLE_WINDOW);
            recent.len() >= MAX_FAILED_LOGINS
        })
    }

    pub fn login_failed(&self, username: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.entry(username.to_owned()).or_default().push(self.desk.now_public());
        }
    }

    pub fn login_succeeded(&self, username: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(username);
        }
    }
}

/// The logged-in user of a request (bearer token).
#[derive(Debug, Clone)]
pub struct Officer {
    pub user: User,
    token: String,
}

impl FromRequestParts<Arc<Api>> for Officer {
    type Rejection = DeskError;

    async fn from_request_parts(parts: &mut Parts, api: &Arc<Api>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| DeskError::unauthenticated("missing `Authorization: Bearer <token>`: log in first"))?
            .trim()
            .to_owned();
        let user = api.desk.session(&token).await?;
        Ok(Officer { user, token })
    }
}

/// Reads a JSON body, naming the field that is wrong.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, DeskError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            DeskError::invalid(format!("request body: {inner}"))
        } else {
            DeskError::invalid(format!("request body, field `{path}`: {inner}"))
        }
    })
}

/// Prometheus text: reads, hits, ingest lag, hotlist size per provider (any signed-in account).
async fn metrics(State(api): State<Arc<Api>>, _officer: Officer) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        api.desk.metrics_text().await,
    )
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = String, description = "the store answers"), (status = 503, body = String)))]
async fn readyz(State(api): State<Arc<Api>>) -> Response {
    match api.desk.ready().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {}", e.message)).into_response()
        }
    }
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// The OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "grens officer API", description = "Title 2 information exchange under the 2018 Benelux police treaty. Every decision names the article it applies."),
    paths(login, logout, me, inbox, cases, case, change_case, reviews, keep_case, erase_case, correct_case, art18, compose, view, reply, use_data, hit_query, hit_query_everywhere, hit_reference, grant_authorisation, supervision, revoke_authorisation, start_patrol, begin_patrol, end_patrol, consult, provide_entry, provided_entries, withdraw_entry, received_entries, decide_entry, ingest_reads, anpr_hits, start_pursuit, start_operation, operations, operation, operation_event, consent_request, consent, feedback_request, feedback, oral, evaluation, consent_queue, search_journal, journal, verify, checkpoints, verify_partners, put_user, healthz, readyz),
    components(schemas(crate::desk::CasePage, crate::desk::CaseSummary, crate::desk::CaseView, crate::desk::RelatedCase, crate::desk::NationalMatch, crate::desk::FanOut, crate::desk::FannedQuery, crate::desk::HitQueryEverywhere, crate::desk::CaseAction, crate::desk::Art18Report, crate::desk::Art18Line, crate::desk::Erasure, crate::desk::CorrectionNotice, crate::desk::RetentionDecision, Login, SessionView, UserView, Compose, ComposeKind, Via, DirectFacts, Sent, DecisionView, Reply,
        UseRequest, UseKind, UseOutcome, ConsentAsk, ConsentAnswer, FeedbackText, OralExchange, MessageSummary,
        MessageView, ActionView, DeadlineView, JournalStatus, PartnerHistory, NewUser, EntryView, HitQueryAsk, Authorisation, Supervised, Patrol, ConsultAsk,
        NewHotlistEntry, ProvidedEntry, ReceivedEntry, EntryDecision, Withdrawal, ReadBatch, IngestReport, AnprHitView,
        PursuitStart, OperationStart, EventAsk, EventView, ClockView, DeadlineClock, HoursView, PowersView, OperationView, DeskError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as committed in `docs/openapi.json`.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    // The version is the protocol's, not the crate's: the file changes only when the API does.
    doc.info.version = format!("v{}", protocol::PROTOCOL_VERSION);
    doc.to_pretty_json().unwrap_or_default() + "\n"
}

/// The API's routes.
pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/cases", get(cases))
        .route("/api/v1/cases/{id}", get(case).post(change_case))
        .route("/api/v1/cases/{id}/keep", post(keep_case))
        .route("/api/v1/cases/{id}/erase", post(erase_case))
        .route("/api/v1/cases/{id}/correction", post(correct_case))
        .route("/api/v1/reviews", get(reviews))
        .route("/api/v1/reports/art18", get(art18))
        .route("/api/v1/messages", post(compose))
        .route("/api/v1/messages/{id}", get(view))
        .route("/api/v1/messages/{id}/reply", post(reply))
        .route("/api/v1/messages/{id}/use", post(use_data))
        .route("/api/v1/messages/{id}/consent-request", post(consent_request))
        .route("/api/v1/messages/{id}/consent", post(consent))
        .route("/api/v1/messages/{id}/feedback-request", post(feedback_request))
        .route("/api/v1/messages/{id}/feedback", post(feedback))
        .route("/api/v1/oral", post(oral))
        .route("/api/v1/hit-queries", post(hit_query))
        .route("/api/v1/hit-queries/everywhere", post(hit_query_everywhere))
        .route("/api/v1/authorisations", post(grant_authorisation).get(supervision))
        .route("/api/v1/authorisations/{id}/revoke", post(revoke_authorisation))
        .route("/api/v1/patrols", post(start_patrol))
        .route("/api/v1/patrols/{id}/start", post(begin_patrol))
        .route("/api/v1/patrols/{id}/end", post(end_patrol))
        .route("/api/v1/consultations", post(consult))
        .route("/api/v1/hit-references/{reference}", get(hit_reference))
        .route("/api/v1/anpr/entries", post(provide_entry).get(provided_entries))
        .route("/api/v1/anpr/entries/{id}/withdraw", post(withdraw_entry))
        .route("/api/v1/anpr/received", get(received_entries))
        .route("/api/v1/anpr/received/{message}/decision", post(decide_entry))
        .route("/api/v1/anpr/reads", post(ingest_reads))
        .route("/api/v1/anpr/hits", get(anpr_hits))
        .route("/metrics", get(metrics))
        .route("/api/v1/operations", get(operations).post(start_operation))
        .route("/api/v1/operations/pursuits", post(start_pursuit))
        .route("/api/v1/operations/{id}", get(operation))
        .route("/api/v1/operations/{id}/events", post(operation_event))
        .route("/api/v1/reports/art65", get(evaluation))
        .route("/api/v1/journal/search", get(search_journal))
        .route("/api/v1/consents", get(consent_queue))
        .route("/api/v1/journal", get(journal))
        .route("/api/v1/journal/verify", get(verify))
        .route("/api/v1/checkpoints", post(checkpoints))
        .route("/api/v1/checkpoints/verify", get(verify_partners))
        .route("/api/v1/users", post(put_user))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/api/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi_json()) }),
        )
        .with_state(api)
}
