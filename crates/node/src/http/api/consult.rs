//! Arts. 14–17: hit/no-hit queries, authorisations, patrols and consultations.

use super::*;

use crate::desk::{
    Authorisation, ConsultAsk, DeskError, FanOut, HitQueryAsk, HitQueryEverywhere, Patrol, Sent, Supervised,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use std::sync::Arc;

#[utoipa::path(post, path = "/api/v1/hit-queries", tag = "databases", security(("bearer" = [])),
    request_body = HitQueryAsk,
    responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
pub(super) async fn hit_query(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let ask: HitQueryAsk = body(&bytes)?;
    Ok(Json(api.desk.hit_query(&officer.user, &ask).await?))
}

#[utoipa::path(post, path = "/api/v1/hit-queries/everywhere", tag = "databases", security(("bearer" = [])),
    request_body = HitQueryEverywhere,
    responses((status = 200, body = FanOut), (status = 422, body = DeskError)))]
pub(super) async fn hit_query_everywhere(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<FanOut>, DeskError> {
    let ask: HitQueryEverywhere = body(&bytes)?;
    Ok(Json(api.desk.hit_query_everywhere(&officer.user, &ask).await?))
}

#[utoipa::path(get, path = "/api/v1/hit-references/{reference}", tag = "databases", security(("bearer" = [])),
    params(("reference" = String, Path, description = "the reference this node gave with a hit")),
    responses((status = 200, body = Object), (status = 404, body = DeskError)))]
pub(super) async fn hit_reference(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(reference): Path<String>,
) -> Result<Json<serde_json::Value>, DeskError> {
    Ok(Json(api.desk.hit_reference(&officer.user, &reference).await?))
}

#[utoipa::path(post, path = "/api/v1/authorisations", tag = "databases", security(("bearer" = [])),
    request_body = Authorisation, responses((status = 200, body = Authorisation), (status = 422, body = DeskError)))]
pub(super) async fn grant_authorisation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Authorisation>, DeskError> {
    let a: Authorisation = body(&bytes)?;
    Ok(Json(api.desk.grant_authorisation(&officer.user, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/authorisations", tag = "databases", security(("bearer" = [])),
    responses((status = 200, body = Vec<Supervised>), (status = 403, body = DeskError)))]
pub(super) async fn supervision(
    State(api): State<Arc<Api>>,
    officer: Officer,
) -> Result<Json<Vec<Supervised>>, DeskError> {
    Ok(Json(api.desk.supervision(&officer.user).await?))
}

#[utoipa::path(post, path = "/api/v1/authorisations/{id}/revoke", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the authorisation")),
    responses((status = 200, body = Authorisation), (status = 404, body = DeskError)))]
pub(super) async fn revoke_authorisation(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Authorisation>, DeskError> {
    Ok(Json(api.desk.revoke_authorisation(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols", tag = "databases", security(("bearer" = [])),
    request_body = Patrol, responses((status = 200, body = Patrol), (status = 422, body = DeskError)))]
pub(super) async fn start_patrol(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Patrol>, DeskError> {
    let p: Patrol = body(&bytes)?;
    Ok(Json(api.desk.start_patrol(&officer.user, &p).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols/{id}/start", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the planned patrol")),
    responses((status = 200, body = Patrol)))]
pub(super) async fn begin_patrol(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Patrol>, DeskError> {
    Ok(Json(api.desk.begin_patrol(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/patrols/{id}/end", tag = "databases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the patrol")),
    responses((status = 200, body = Patrol), (status = 404, body = DeskError)))]
pub(super) async fn end_patrol(
    State(api): State<Arc<Api>>,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Json<Patrol>, DeskError> {
    Ok(Json(api.desk.end_patrol(&officer.user, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/consultations", tag = "databases", security(("bearer" = [])),
    request_body = ConsultAsk, responses((status = 200, body = Sent), (status = 422, body = DeskError)))]
pub(super) async fn consult(
    State(api): State<Arc<Api>>,
    officer: Officer,
    bytes: Bytes,
) -> Result<Json<Sent>, DeskError> {
    let ask: ConsultAsk = body(&bytes)?;
    Ok(Json(api.desk.consult(&officer.user, &ask).await?))
}
