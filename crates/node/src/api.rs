//! The officers' JSON API over HTTPS (server-authenticated TLS; officers log in with a password
//! and carry a bearer token). Every handler is a thin layer over [`crate::desk::Desk`]; every
//! role check happens there, server-side. The OpenAPI document is generated from these
//! annotations ([`openapi_json`]) and committed as `docs/openapi.json`; a test fails on drift.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use jiff::{SignedDuration, Timestamp};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use store::User;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use utoipa::OpenApi;

use crate::desk::anpr::{
    AnprHitView, EntryDecision, IngestReport, NewHotlistEntry, ProvidedEntry, ReadBatch, ReceivedEntry, Withdrawal,
};
use crate::desk::operations::{
    ClockView, DeadlineClock, EventAsk, EventView, HoursView, OperationStart, OperationView, PowersView, PursuitStart,
};
use crate::desk::{
    ActionView, Authorisation, Compose, ComposeKind, ConsentAnswer, ConsentAsk, ConsultAsk, DeadlineView, DecisionView,
    Desk, DeskError, DirectFacts, FeedbackText, HitQueryAsk, JournalStatus, MessageSummary, MessageView, NewUser,
    OralExchange, PartnerHistory, Patrol, Reply, Sent, Supervised, UseKind, UseOutcome, UseRequest, Via,
};

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
        let now = Timestamp::now();
        self.failures.lock().is_ok_and(|mut f| {
            let recent = f.entry(username.to_owned()).or_default();
            recent.retain(|t| now.duration_since(*t) < THROTTLE_WINDOW);
            recent.len() >= MAX_FAILED_LOGINS
        })
    }

    pub fn login_failed(&self, username: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.entry(username.to_owned()).or_default().push(Timestamp::now());
        }
    }

    pub fn login_succeeded(&self, username: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(username);
        }
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
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

/// A log-in.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// An open session.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

/// A user as shown (never the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub party: String,
    pub unit: String,
    pub region: String,
    pub roles: Vec<String>,
    pub language: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            party: u.party.clone(),
            unit: u.unit.clone(),
            region: u.region.clone(),
            roles: u.roles.clone(),
            language: u.language.clone(),
        }
    }
}

/// `?preview=true` decides without sending.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    #[serde(default)]
    pub preview: bool,
}

/// The period of an Art. 65 evaluation (whole days in the node's zone; default: the year so far).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub until: String,
}

/// How many entries a journal search returns.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchLimit {
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A page of the journal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct JournalQuery {
    /// The first sequence number (1 = the oldest).
    #[serde(default)]
    pub from: Option<i64>,
    /// At most this many entries (≤ 1000).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A journal entry as shown to the data-protection officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub operation: String,
    pub actor: String,
    pub justification: String,
    pub recipient: Option<String>,
    pub message_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<store::Entry> for EntryView {
    fn from(e: store::Entry) -> Self {
        EntryView {
            seq: e.seq,
            at: e.entry.at.to_string(),
            operation: e.entry.operation.to_string(),
            actor: e.entry.actor,
            justification: e.entry.justification,
            recipient: e.entry.recipient,
            message_id: e.entry.message_id,
            details: e.entry.details,
            hash: e.hash,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/session", request_body = Login, tag = "session",
    responses((status = 200, body = SessionView), (status = 401, body = DeskError), (status = 429, body = DeskError)))]
async fn login(State(api): State<Arc<Api>>, bytes: Bytes) -> Result<Json<SessionView>, DeskError> {
    let login: Login = body(&bytes)?;
    if api.throttled(&login.username) {
        return Err(DeskError {
            status: 429,
            error: "throttled",
            message: format!(
                "{MAX_FAILED_LOGINS} failed log-ins for '{}' in the last {} minutes: wait and try again",
                login.username,
                THROTTLE_WINDOW.as_mins()
            ),
            decision: None,
            offer: None,
        });
    }
    match api.desk.login(&login.username, &login.password).await {
        Ok((token, expires, user)) => {
            api.login_succeeded(&login.username);
            Ok(Json(SessionView {
                token,
                expires_at: expires.to_string(),
                user: UserView::from(&user),
            }))
        }
        Err(e) => {
            if e.status == 401 {
                api.login_failed(&login.username);
            }
            Err(e)
        }
    }
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = DeskError)))]
async fn logout(State(api): State<Arc<Api>>, officer: Officer) -> Result<StatusCode, DeskError> {
    api.desk.logout(&officer.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = DeskError)))]
async fn me(officer: Officer) -> Json<UserView> {
    Json(UserView::from(&officer.user))
}

#[utoipa::path(get, path = "/api/v1/inbox", tag = "exchange", security(("bearer" = [])),
    responses((status = 200, body = Vec<MessageSummary>), (status = 401, body = DeskError)))]
async fn inbox(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<MessageSummary>>, DeskError> {
    Ok(Json(api.desk.inbox(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/messages", tag = "exchange", security(("bearer" = [])),
    params(PreviewQuery), request_body = Compose,
    responses((status = 200, body = Sent), (status = 422, body = DeskError), (status = 403, body = DeskError)))]
async fn compose(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<PreviewQuery>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let c: Compose = body(&bytes)?;
    Ok(Json(api.desk.compose(&officer.user, &c, q.preview).await?))
}

#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "message id")),
    responses((status = 200, body = MessageView), (status = 404, body = DeskError), (status = 403, body = DeskError)))]
async fn view(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<MessageView>, DeskError> {
    Ok(Json(api.desk.view(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/reply", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the request answered")), request_body = Reply,
    responses((status = 200, body = Sent), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn reply(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let r: Reply = body(&bytes)?;
    Ok(Json(api.desk.reply(&officer.user, &id, &r).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/use", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision used")), request_body = UseRequest,
    responses((status = 200, body = UseOutcome), (status = 403, body = DeskError)))]
async fn use_data(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<UseOutcome>, DeskError> {
    let u: UseRequest = body(&bytes)?;
    Ok(Json(api.desk.use_data(&officer.user, &id, &u).await?))
}

#[utoipa::path(post, path = "/api/v1/hit-queries", tag = "databases", security(("bearer" = [])),
    request_body = HitQueryAsk,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
async fn hit_query(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<Json<Sent>, DeskError> {
    let ask: HitQueryAsk = body(&bytes)?;
    Ok(Json(api.desk.hit_query(&officer.user, &ask).await?))
}

#[utoipa::path(get, path = "/api/v1/hit-references/{reference}", tag = "databases", security(("bearer" = [])),
    params(("reference" = String, Path, description = "the reference this node gave with a hit")),
    responses((status = 200, body = Object), (status = 404, body = DeskError)))]
async fn hit_reference(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(reference): Path<String>,
) -> Result<Json<serde_json::Value>, DeskError> {
    Ok(Json(api.desk.hit_reference(&officer.user, &reference).await?))
}

#[utoipa::path(post, path = "/api/v1/authorisations", tag = "databases", security(("bearer" = [])),
    request_body = Authorisation, responses((status = 200, body = Authorisation), (status = 422, body = DeskError)))]
async fn grant_authorisation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Authorisation>, DeskError> {
    let a: Authorisation = body(&bytes)?;
    Ok(Json(api.desk.grant_authorisation(&officer.user, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/authorisations", tag = "databases", security(("bearer" = [])),
    responses((status = 200, body = Vec<Supervised>), (status = 403, body = DeskError)))]
async fn supervision(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<Supervised>>, DeskError> {
    Ok(Json(api.desk.supervision(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/authorisations/{id}/revoke", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the authorisation")),
    responses((status = 200, body = Authorisation), (status = 404, body = DeskError)))]
async fn revoke_authorisation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Authorisation>, DeskError> {
    Ok(Json(api.desk.revoke_authorisation(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols", tag = "databases", security(("bearer" = [])),
    request_body = Patrol, responses((status = 200, body = Patrol), (status = 422, body = DeskError)))]
async fn start_patrol(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<Json<Patrol>, DeskError> {
    let p: Patrol = body(&bytes)?;
    Ok(Json(api.desk.start_patrol(&officer.user, &p).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols/{id}/start", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the planned patrol")),
    responses((status = 200, body = Patrol)))]
async fn begin_patrol(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Patrol>, DeskError> {
    Ok(Json(api.desk.begin_patrol(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols/{id}/end", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the patrol")),
    responses((status = 200, body = Patrol), (status = 404, body = DeskError)))]
async fn end_patrol(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Patrol>, DeskError> {
    Ok(Json(api.desk.end_patrol(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/consultations", tag = "databases", security(("bearer" = [])),
    request_body = ConsultAsk, responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
async fn consult(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<Json<Sent>, DeskError> {
    let ask: ConsultAsk = body(&bytes)?;
    Ok(Json(api.desk.consult(&officer.user, &ask).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/entries", tag = "anpr", security(("bearer" = [])),
    request_body = NewHotlistEntry,
    responses((status = 200, body = Vec<Sent>), (status = 422, body = DeskError)))]
async fn provide_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Vec<Sent>>, DeskError> {
    let new: NewHotlistEntry = body(&bytes)?;
    Ok(Json(api.desk.provide_hotlist_entry(&officer.user, &new).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/entries", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProvidedEntry>)))]
async fn provided_entries(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<ProvidedEntry>>, DeskError> {
    Ok(Json(api.desk.hotlist_provided(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/entries/{id}/withdraw", tag = "anpr", security(("bearer" = [])),
    params(("id" = String, Path, description = "the entry")), request_body = Withdrawal,
    responses((status = 200, body = Vec<Sent>), (status = 404, body = DeskError)))]
async fn withdraw_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Vec<Sent>>, DeskError> {
    let w: Withdrawal = body(&bytes)?;
    Ok(Json(api.desk.withdraw_hotlist_entry(&officer.user, &id, &w).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/received", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReceivedEntry>)))]
async fn received_entries(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<ReceivedEntry>>, DeskError> {
    Ok(Json(api.desk.hotlist_received(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/received/{message}/decision", tag = "anpr", security(("bearer" = [])),
    params(("message" = String, Path, description = "the message that carried the entry")), request_body = EntryDecision,
    responses((status = 200, body = Sent), (status = 404, body = DeskError), (status = 422, body = DeskError)))]
async fn decide_entry(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(message): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let d: EntryDecision = body(&bytes)?;
    Ok(Json(api.desk.decide_hotlist_entry(&officer.user, &message, &d).await?))
}

#[utoipa::path(post, path = "/api/v1/anpr/reads", tag = "anpr", security(("bearer" = [])),
    request_body = ReadBatch,
    responses((status = 200, body = IngestReport), (status = 422, body = DeskError)))]
async fn ingest_reads(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<IngestReport>, DeskError> {
    let batch: ReadBatch = body(&bytes)?;
    Ok(Json(api.desk.ingest_reads(&officer.user, &batch.reads).await?))
}

#[utoipa::path(get, path = "/api/v1/anpr/hits", tag = "anpr", security(("bearer" = [])),
    responses((status = 200, body = Vec<AnprHitView>)))]
async fn anpr_hits(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<AnprHitView>>, DeskError> {
    Ok(Json(api.desk.anpr_hits(&officer.user).await?))
}

/// Prometheus text: reads, hits, ingest lag, hotlist size per provider (any signed-in account).
async fn metrics(State(api): State<Arc<Api>>, _officer: Officer) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        api.desk.anpr_metrics(),
    )
}

#[utoipa::path(post, path = "/api/v1/operations/pursuits", tag = "operations", security(("bearer" = [])),
    request_body = PursuitStart,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn start_pursuit(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let s: PursuitStart = body(&bytes)?;
    Ok(Json(api.desk.start_pursuit(&officer.user, &s).await?))
}

#[utoipa::path(post, path = "/api/v1/operations", tag = "operations", security(("bearer" = [])),
    request_body = OperationStart,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn start_operation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let s: OperationStart = body(&bytes)?;
    Ok(Json(api.desk.start_operation(&officer.user, &s).await?))
}

#[utoipa::path(get, path = "/api/v1/operations", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = Vec<OperationView>)))]
async fn operations(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<OperationView>>, DeskError> {
    Ok(Json(api.desk.operations(&officer.user).await?))
}

#[utoipa::path(get, path = "/api/v1/operations/{id}", tag = "operations", security(("bearer" = [])),
    params(("id" = String, Path, description = "the operation")),
    responses((status = 200, body = OperationView), (status = 404, body = DeskError)))]
async fn operation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<OperationView>, DeskError> {
    Ok(Json(api.desk.operation(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/operations/{id}/events", tag = "operations", security(("bearer" = [])),
    params(("id" = String, Path, description = "the operation")), request_body = EventAsk,
    responses((status = 200, body = OperationView), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn operation_event(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<OperationView>, DeskError> {
    let e: EventAsk = body(&bytes)?;
    Ok(Json(api.desk.operation_event(&officer.user, &id, &e).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/consent-request", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision")), request_body = ConsentAsk,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
async fn consent_request(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let a: ConsentAsk = body(&bytes)?;
    Ok(Json(api.desk.request_consent(&officer.user, &id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/consent", tag = "handling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the consent request answered")), request_body = ConsentAnswer,
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
async fn consent(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let a: ConsentAnswer = body(&bytes)?;
    Ok(Json(api.desk.answer_consent(&officer.user, &id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/feedback-request", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the provision this node made")),
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
async fn feedback_request(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Sent>, DeskError> {
    Ok(Json(api.desk.request_feedback(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/feedback", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path, description = "the feedback request answered")), request_body = FeedbackText,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
async fn feedback(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let t: FeedbackText = body(&bytes)?;
    Ok(Json(api.desk.answer_feedback(&officer.user, &id, &t).await?))
}

#[utoipa::path(post, path = "/api/v1/oral", tag = "exchange", security(("bearer" = [])),
    request_body = OralExchange,
    responses((status = 200, body = Sent), (status = 403, body = DeskError)))]
async fn oral(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<Json<Sent>, DeskError> {
    let o: OralExchange = body(&bytes)?;
    Ok(Json(api.desk.record_oral(&officer.user, &o).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/art65", tag = "audit", security(("bearer" = [])),
    params(PeriodQuery),
    responses((status = 200, body = crate::desk::evaluation::Evaluation), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn evaluation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<crate::desk::evaluation::Evaluation>, DeskError> {
    let (from, until) = api.desk.evaluation_period(&q.from, &q.until)?;
    Ok(Json(api.desk.evaluation(&officer.user, from, until).await?))
}

#[utoipa::path(get, path = "/api/v1/journal/search", tag = "audit", security(("bearer" = [])),
    params(crate::web::AuditFilter, ("limit" = Option<i64>, Query, description = "at most this many entries (≤ 1000; default 100)")),
    responses((status = 200, body = Vec<EntryView>), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn search_journal(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(f): Query<crate::web::AuditFilter>,
    Query(page): Query<SearchLimit>,
) -> Result<Json<Vec<EntryView>>, DeskError> {
    let zone = api.desk.profile.zone(&api.desk.node.me.party);
    let query = f.query(&zone, page.limit.unwrap_or(100).clamp(1, 1000))?;
    let entries = api.desk.search_journal(&officer.user, query).await?;
    Ok(Json(entries.into_iter().map(EntryView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/consents", tag = "messages", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::desk::QueuedConsent>), (status = 403, body = DeskError)))]
async fn consent_queue(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<crate::desk::QueuedConsent>>, DeskError> {
    Ok(Json(api.desk.consent_queue(&officer.user).await?))
}

#[utoipa::path(get, path = "/api/v1/journal", tag = "audit", security(("bearer" = [])),
    params(JournalQuery),
    responses((status = 200, body = Vec<EntryView>), (status = 403, body = DeskError)))]
async fn journal(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Query(q): Query<JournalQuery>,
) -> Result<Json<Vec<EntryView>>, DeskError> {
    let entries = api
        .desk
        .journal_entries(&officer.user, q.from.unwrap_or(1), q.limit.unwrap_or(100))
        .await?;
    Ok(Json(entries.into_iter().map(EntryView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/journal/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = JournalStatus), (status = 403, body = DeskError)))]
async fn verify(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<JournalStatus>, DeskError> {
    Ok(Json(api.desk.verify_journal(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<String>), (status = 403, body = DeskError)))]
async fn checkpoints(State(api): State<Arc<Api>>, officer: Officer) -> Result<Json<Vec<String>>, DeskError> {
    Ok(Json(api.desk.checkpoint_now(&officer.user).await?))
}

#[utoipa::path(get, path = "/api/v1/checkpoints/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<PartnerHistory>), (status = 403, body = DeskError)))]
async fn verify_partners(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<PartnerHistory>>, DeskError> {
    Ok(Json(api.desk.verify_partners(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])),
    request_body = NewUser,
    responses((status = 204), (status = 403, body = DeskError), (status = 422, body = DeskError)))]
async fn put_user(State(api): State<Arc<Api>>, officer: Officer, bytes: Bytes) -> Result<StatusCode, DeskError> {
    if !crate::accounts::has_role(&officer.user, crate::accounts::Role::Admin) {
        return Err(DeskError::forbidden("managing users needs the role admin"));
    }
    let u: NewUser = body(&bytes)?;
    api.desk.put_user(u).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// The OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "grens officer API", description = "Title 2 information exchange under the 2018 Benelux police treaty. Every decision names the article it applies."),
    paths(login, logout, me, inbox, compose, view, reply, use_data, hit_query, hit_reference, grant_authorisation, supervision, revoke_authorisation, start_patrol, begin_patrol, end_patrol, consult, provide_entry, provided_entries, withdraw_entry, received_entries, decide_entry, ingest_reads, anpr_hits, start_pursuit, start_operation, operations, operation, operation_event, consent_request, consent, feedback_request, feedback, oral, evaluation, consent_queue, search_journal, journal, verify, checkpoints, verify_partners, put_user, healthz),
    components(schemas(Login, SessionView, UserView, Compose, ComposeKind, Via, DirectFacts, Sent, DecisionView, Reply,
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
        .route(
            "/api/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi_json()) }),
        )
        .with_state(api)
}

/// Serves `router` over TLS (no client certificate: officers authenticate with a password).
pub async fn serve(listener: TcpListener, tls: Arc<rustls::ServerConfig>, app: Router) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = TowerToHyperService::new(app);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
