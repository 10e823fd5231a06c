//! `/query`: hit/no-hit queries of a partner's database (Art. 14) — the form, and the officer's
//! queries with their answers; a hit leads to an Art. 4 request that quotes its reference.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Chrome;
use super::CsrfForm;
use super::{done, error_page, form_date, person_and_plate, render, Tr, WebUser};
use crate::desk::{HitQueryAsk, HitQueryView};
use crate::http::api::Api;

#[derive(Template)]
#[template(path = "query.html")]
struct QueryPage {
    t: Tr,
    chrome: Chrome,
    /// (party, database id, name) of every partner database annex 6 lists for Art. 14.
    databases: Vec<(String, String, String)>,
    /// Every partner database, for direct consultation (Arts. 15–17; the owner decides).
    consultable: Vec<(String, String, String)>,
    queries: Vec<HitQueryView>,
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let queries = match api.desk.hit_queries(&w.user).await {
        Ok(q) => q,
        Err(e) => return error_page(&w, "/query", &e),
    };
    let databases = api
        .desk
        .profile
        .databases
        .iter()
        .filter(|d| d.art14 && d.party.as_str() != w.user.party)
        .map(|d| (d.party.to_string(), d.id.to_string(), d.name.clone()))
        .collect();
    let consultable = api
        .desk
        .profile
        .databases
        .iter()
        .filter(|d| d.party.as_str() != w.user.party)
        .map(|d| (d.party.to_string(), d.id.to_string(), d.name.clone()))
        .collect();
    render(
        QueryPage {
            t: w.t,
            chrome: w.chrome("/query"),
            databases,
            consultable,
            queries,
        },
        StatusCode::OK,
    )
}

/// The party and database a query form names (`BE/ANG`) and the person (and plate) it asks
/// about; a bad birth date is named.
fn target(
    database: &str,
    surname: &str,
    given: &str,
    birth: &str,
    plate: &str,
) -> Result<(String, String, Vec<protocol::Subject>), crate::desk::DeskError> {
    let (to_party, database) = database.split_once('/').unwrap_or(("", database));
    let birth_date = form_date(birth)
        .map_err(|problem| crate::desk::DeskError::invalid(format!("birth_date: {problem}, not a date YYYY-MM-DD")))?;
    Ok((
        to_party.to_owned(),
        database.to_owned(),
        person_and_plate(surname, given, birth_date, plate),
    ))
}

/// The database choice that asks every partner at once.
const EVERYWHERE: &str = "everywhere";

#[derive(Debug, Deserialize)]
pub struct QueryForm {
    /// `BE/ANG`.
    database: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    case_reference: String,
}

pub async fn send(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<QueryForm>) -> Response {
    let (to_party, database, subjects) = match target(&f.database, &f.surname, &f.given, &f.birth, &f.plate) {
        Ok(t) => t,
        Err(e) => return error_page(&w, "/query", &e),
    };
    // "Every partner": one question, fanned out to every database the agreements allow.
    if database == EVERYWHERE {
        let ask = crate::desk::HitQueryEverywhere {
            subjects,
            case_reference: f.case_reference,
            purpose: None,
        };
        return done(&w, "/query", api.desk.hit_query_everywhere(&w.user, &ask).await, |_| {
            "/query".into()
        });
    }
    let ask = HitQueryAsk {
        to_party,
        database,
        subjects,
        case_reference: f.case_reference,
        purpose: None,
    };
    done(&w, "/query", api.desk.hit_query(&w.user, &ask).await, |_| {
        "/query".into()
    })
}

#[derive(Debug, Deserialize)]
pub struct ConsultForm {
    /// `BE/ANG`.
    database: String,
    article: u8,
    surname: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    patrol: String,
    #[serde(default)]
    case_reference: String,
}

/// A direct consultation (Arts. 15–17): the owner's node decides and answers in the inbox.
pub async fn consult(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<ConsultForm>) -> Response {
    let (to_party, database, subjects) = match target(&f.database, &f.surname, &f.given, &f.birth, "") {
        Ok(t) => t,
        Err(e) => return error_page(&w, "/query", &e),
    };
    let ask = crate::desk::ConsultAsk {
        to_party,
        database,
        article: f.article,
        subjects,
        case_reference: f.case_reference,
        patrol: Some(f.patrol.trim().to_owned()).filter(|p| !p.is_empty()),
    };
    done(&w, "/query", api.desk.consult(&w.user, &ask).await, |_| "/".into())
}
