//! The officers' JSON API over HTTPS (server-authenticated TLS; officers log in with a password
//! and carry a bearer token). Every handler is a thin layer over [`crate::desk::Desk`]; every
//! role check happens there, server-side. The OpenAPI document is generated from these
//! annotations ([`openapi_json`]) and committed as `docs/openapi.json`; a test fails on drift.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::Timestamp;
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
pub use error::{json_errors, status};
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

use super::throttle::{LoginThrottle, Throttled};
pub use super::throttle::{MAX_FAILED_LOGINS, THROTTLE_WINDOW};

/// Longest user name and password a log-in may send; longer ones are refused before anything
/// is looked up, counted or kept.
pub const MAX_USERNAME_CHARS: usize = 64;
pub const MAX_PASSWORD_CHARS: usize = 1_024;

/// The API's state: the desk and the log-in throttle.
#[derive(Debug)]
pub struct Api {
    pub desk: Desk,
    throttle: LoginThrottle,
}

impl Api {
    pub fn new(desk: Desk) -> Arc<Api> {
        Arc::new(Api {
            desk,
            throttle: LoginThrottle::default(),
        })
    }

    /// A log-in from the API or the log-in page: sizes checked first, the attempt counted
    /// (per account and per source) before the password is verified, then the desk's check.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
        source: Option<std::net::IpAddr>,
    ) -> Result<(String, Timestamp, User), DeskError> {
        if username.chars().count() > MAX_USERNAME_CHARS {
            return Err(DeskError::invalid(format!(
                "username: at most {MAX_USERNAME_CHARS} characters"
            )));
        }
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(DeskError::invalid(format!(
                "password: at most {MAX_PASSWORD_CHARS} characters"
            )));
        }
        if let Err(why) = self.throttle.begin(username, source, self.desk.now_public()) {
            let message = match why {
                Throttled::Account => format!(
                    "{MAX_FAILED_LOGINS} log-in attempts for '{username}' in the last {} minutes: wait and try again",
                    THROTTLE_WINDOW.as_mins()
                ),
                Throttled::Source => format!(
                    "too many failed log-ins from this address in the last {} minutes: wait and try again",
                    THROTTLE_WINDOW.as_mins()
                ),
            };
            return Err(DeskError::new(ErrorKind::Throttled, message));
        }
        let outcome = self.desk.login(username, password).await;
        if outcome.is_ok() {
            self.throttle.succeeded(username, source);
        }
        outcome
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

/// Reads a JSON body, naming the field that is wrong: one JSON value and nothing after it,
/// every date in the plausible window, and no field the type does not know (a misspelt
/// `to_untt` must not send a message to the contact point instead of the unit).
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, DeskError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| DeskError::invalid(format!("request body: {e}")))?;
    protocol::plausible::check_json(&value).map_err(|e| DeskError::invalid(format!("request body, {e}")))?;
    let mut unknown = Vec::new();
    let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let read = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(value, &mut note));
    let parsed = read.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            DeskError::invalid(format!("request body: {inner}"))
        } else {
            DeskError::invalid(format!("request body, field `{path}`: {inner}"))
        }
    })?;
    if let Some(field) = unknown.first() {
        return Err(DeskError::invalid(format!(
            "request body, field `{field}`: unknown field (see the OpenAPI document for this operation's fields)"
        )));
    }
    Ok(parsed)
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
    paths(login, logout, me, inbox, cases, case, change_case, reviews, keep_case, erase_case, correct_case, art18, compose, view, reply, use_data, hit_query, hit_query_everywhere, hit_reference, grant_authorisation, supervision, revoke_authorisation, start_patrol, begin_patrol, end_patrol, consult, provide_entry, provided_entries, withdraw_entry, received_entries, decide_entry, ingest_reads, anpr_hits, start_pursuit, start_operation, operations, operation, operation_event, consent_request, consent, third_country_transfer, transfer_records, send_direct, answer_direct, send_event_data, feedback_request, feedback, oral, evaluation, consent_queue, search_journal, journal, verify, checkpoints, verify_partners, put_user, healthz, readyz),
    components(schemas(crate::desk::CasePage, crate::desk::CaseSummary, crate::desk::CaseView, crate::desk::RelatedCase, crate::desk::NationalMatch, crate::desk::FanOut, crate::desk::FannedQuery, crate::desk::HitQueryEverywhere, crate::desk::CaseAction, crate::desk::Art18Report, crate::desk::Art18Line, crate::desk::Erasure, crate::desk::CorrectionNotice, crate::desk::RetentionDecision, Login, SessionView, UserView, Compose, ComposeKind, Via, DirectFacts, Sent, DecisionView, Reply,
        UseRequest, UseKind, UseOutcome, ConsentAsk, ConsentAnswer, crate::desk::ThirdCountryTransfer, crate::desk::TransferFacts, crate::desk::TransferRecord, crate::desk::DirectSend, crate::desk::DirectAnswer, crate::desk::DirectChannel, crate::desk::SportsSend, crate::desk::EventForm, crate::desk::RiskSupporter, FeedbackText, OralExchange, MessageSummary,
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
        .route(
            "/api/v1/messages/{id}/third-country-transfer",
            post(third_country_transfer),
        )
        .route("/api/v1/transfers", get(transfer_records))
        .route("/api/v1/direct-exchanges", post(send_direct))
        .route("/api/v1/sports-events/data", post(send_event_data))
        .route("/api/v1/messages/{id}/direct-answer", post(answer_direct))
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
        // Twice an envelope's limit, so that a message too large for the partner is refused by
        // the desk with the partner's limit named, and anything larger here with a 413.
        .layer(axum::extract::DefaultBodyLimit::max(2 * protocol::MAX_ENVELOPE_BYTES))
        .layer(axum::middleware::from_fn(json_errors))
        .with_state(api)
}
