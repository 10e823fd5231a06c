//! `/reports/art65`: the Art. 65 evaluation of a period as a page with its charts (bars drawn
//! as inline SVG on the server: no script, prints as it shows).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{error_page, render, Tr, WebUser, Who, LANGUAGES};
use crate::api::Api;
use crate::desk::evaluation::{Count, Evaluation};
use crate::desk::DeskError;

/// One chart: its bars with their widths in pixels (the longest 360).
#[derive(Debug)]
pub struct Chart {
    pub id: &'static str,
    pub bars: Vec<(String, usize, usize)>,
    pub height: usize,
}

/// A chart of `counts`, each label shown as `label` gives it.
fn chart(id: &'static str, counts: &[Count], label: impl Fn(&str) -> String) -> Chart {
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    Chart {
        id,
        bars: counts
            .iter()
            .map(|c| (label(&c.label), c.count, (c.count * 360).div_ceil(max)))
            .collect(),
        height: counts.len() * 24 + 4,
    }
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    t: Tr,
    user: Option<Who>,
    csrf: String,
    path: String,
    languages: [(&'static str, &'static str); 3],
    e: Evaluation,
    charts: Vec<Chart>,
}

#[derive(Debug, Deserialize)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser, Query(p): Query<Period>) -> Response {
    let today = jiff::Timestamp::now()
        .to_zoned(api.desk.profile.zone(&api.desk.node.me.party))
        .date();
    let parse = |field: &str, text: &str, default: jiff::civil::Date| match text.trim() {
        "" => Ok(default),
        t => t
            .parse::<jiff::civil::Date>()
            .map_err(|e| DeskError::invalid(format!("{field}: '{t}' is not a date (YYYY-MM-DD): {e}"))),
    };
    let first_of_year = jiff::civil::date(today.year(), 1, 1);
    let period = parse("from", &p.from, first_of_year).and_then(|f| Ok((f, parse("until", &p.until, today)?)));
    let result = match period {
        Ok((from, until)) => api.desk.evaluation(&w.user, from, until).await,
        Err(e) => Err(e),
    };
    let e = match result {
        Ok(e) => e,
        Err(e) => return error_page(&w, "/reports/art65", &e),
    };
    let t = w.t;
    let charts = vec![
        chart("messages-by-kind", &e.messages_by_kind, |k| t.of("kind", k)),
        chart("messages-by-pair", &e.messages_by_pair, str::to_owned),
        chart("operations-by-kind", &e.operations_by_kind, |k| {
            t.of("operations.kind", k)
        }),
        chart("operations-by-pair", &e.operations_by_pair, str::to_owned),
    ];
    render(
        EvaluationPage {
            t: w.t,
            user: Some(w.who()),
            csrf: w.csrf.clone(),
            path: "/reports/art65".into(),
            languages: LANGUAGES,
            e,
            charts,
        },
        StatusCode::OK,
    )
}
