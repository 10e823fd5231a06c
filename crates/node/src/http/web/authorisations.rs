//! `/authorisations`: the owning service's supervision of direct consultation (Arts. 15–16) —
//! named authorisations with every use made of them (refreshed live), the grant form, revocation
//! at once, and the mixed patrols of Art. 16.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Chrome;
use super::CsrfForm;
use super::{done, error_page, render, CsrfOnly, Tr, WebUser};
use crate::desk::{Authorisation, Patrol, Supervised};
use crate::http::api::Api;

#[derive(Template)]
#[template(path = "authorisations.html")]
struct AuthorisationsPage {
    t: Tr,
    chrome: Chrome,
    authorisations: Vec<Supervised>,
    /// This node's databases annex 6 lists for Art. 15 or 16.
    databases: Vec<String>,
    now: String,
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let authorisations = match api.desk.supervision(&w.user).await {
        Ok(a) => a,
        Err(e) => return error_page(&w, "/authorisations", &e),
    };
    let me = api.desk.node.me.party.clone();
    let databases = api
        .desk
        .profile
        .databases
        .iter()
        .filter(|d| d.party == me && (d.art15 || d.art16))
        .map(|d| d.id.to_string())
        .collect();
    render(
        AuthorisationsPage {
            t: w.t,
            chrome: w.chrome("/authorisations"),
            authorisations,
            databases,
            now: api.desk.now_public().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    article: u8,
    officer: String,
    database: String,
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    hour_from: String,
    #[serde(default)]
    hour_until: String,
    #[serde(default)]
    daily_limit: String,
}

pub async fn grant(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<GrantForm>) -> Response {
    let number = |field: &str, text: &str| -> Result<Option<u32>, crate::desk::DeskError> {
        match text.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| crate::desk::DeskError::invalid(format!("{field}: '{t}' is not a number"))),
        }
    };
    let parsed = (|| {
        let hours = match (number("hour_from", &f.hour_from)?, number("hour_until", &f.hour_until)?) {
            (Some(a), Some(b)) => Some((u8::try_from(a).unwrap_or(u8::MAX), u8::try_from(b).unwrap_or(u8::MAX))),
            _ => None,
        };
        Ok::<_, crate::desk::DeskError>(Authorisation {
            id: String::new(),
            article: f.article,
            officer: f.officer.trim().to_owned(),
            databases: vec![f.database.clone()],
            valid_from: f.valid_from.trim().to_owned(),
            valid_until: Some(f.valid_until.trim().to_owned()).filter(|u| !u.is_empty()),
            hours,
            daily_limit: number("daily_limit", &f.daily_limit)?,
            granted_by: String::new(),
            revoked_at: None,
        })
    })();
    let result = match parsed {
        Ok(a) => api.desk.grant_authorisation(&w.user, &a).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/authorisations").into_response(),
        Err(e) => error_page(&w, "/authorisations", &e),
    }
}

pub async fn revoke(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, _f): CsrfForm<CsrfOnly>,
) -> Response {
    done(
        &w,
        "/authorisations",
        api.desk.revoke_authorisation(&w.user, &id).await,
        |_| "/authorisations".into(),
    )
}

#[derive(Debug, Deserialize)]
pub struct PatrolForm {
    area: String,
    officers: String,
    #[serde(default)]
    planned_for: String,
}

pub async fn start_patrol(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<PatrolForm>) -> Response {
    let patrol = Patrol {
        id: String::new(),
        area: f.area,
        officers: f
            .officers
            .split([',', ' '])
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect(),
        started_at: String::new(),
        ended_at: None,
        planned_for: Some(f.planned_for).filter(|p| !p.trim().is_empty()),
    };
    done(
        &w,
        "/authorisations",
        api.desk.start_patrol(&w.user, &patrol).await,
        |p| format!("/authorisations?patrol={}", p.id),
    )
}
