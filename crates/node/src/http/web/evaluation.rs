//! `/reports/art65`: the Art. 65 evaluation of a period as a page with its charts (bars drawn
//! as inline SVG on the server: no script, prints as it shows).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Chrome;
use super::{error_page, render, Tr, WebUser};
use crate::desk::evaluation::{Count, Evaluation};
use crate::desk::DeskError;
use crate::http::api::Api;

/// One chart: its bars with their widths in pixels (the longest 300).
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
            .map(|c| (label(&c.label), c.count, (c.count * 300).div_ceil(max)))
            .collect(),
        height: counts.len() * 24 + 4,
    }
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    t: Tr,
    chrome: Chrome,
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

/// The period asked for (default: the year so far, in this node's zone) and its evaluation.
async fn evaluate(api: &Api, w: &WebUser, p: &Period) -> Result<Evaluation, DeskError> {
    let (from, until) = api.desk.evaluation_period(&p.from, &p.until)?;
    api.desk.evaluation(&w.user, from, until).await
}

pub async fn page(State(api): State<Arc<Api>>, w: WebUser, Query(p): Query<Period>) -> Response {
    let e = match evaluate(&api, &w, &p).await {
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
            chrome: w.chrome("/reports/art65"),
            e,
            charts,
        },
        StatusCode::OK,
    )
}

/// The same evaluation as a printable PDF (A4, the charts as bars), in the user's language.
pub async fn pdf(State(api): State<Arc<Api>>, w: WebUser, Query(p): Query<Period>) -> Response {
    let e = match evaluate(&api, &w, &p).await {
        Ok(e) => e,
        Err(e) => return error_page(&w, "/reports/art65", &e),
    };
    let bytes = evaluation_pdf(&e, &w.t);
    (
        StatusCode::OK,
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"art65-{}-{}-{}.pdf\"", e.party, e.from, e.until),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Lays out the evaluation: its figures, the answers per kind of operation, and the charts.
pub fn evaluation_pdf(e: &Evaluation, t: &Tr) -> Vec<u8> {
    let mut d = crate::http::web::pdf::Document::new();
    d.line(18.0, true, &format!("{} — Art. 65", t.get("evaluation.title")));
    d.line(12.0, false, &format!("{} · {} – {}", e.party, e.from, e.until));
    d.gap(8.0);
    let median = e
        .answers
        .median_hours
        .map(|h| format!("; {} {h} h", t.get("evaluation.median")))
        .unwrap_or_default();
    for (label, value) in [
        (t.get("evaluation.requests_received"), e.answers.received.to_string()),
        (
            t.get("evaluation.answered"),
            format!(
                "{} ({}: {}{median})",
                e.answers.answered,
                t.get("evaluation.within_deadline"),
                e.answers.within_deadline
            ),
        ),
        (t.get("evaluation.overdue"), e.answers.overdue.to_string()),
        (
            t.get("evaluation.hit_queries"),
            format!("{} / {}", e.hit_queries_sent, e.hit_queries_received),
        ),
        (
            t.get("evaluation.anpr_entries"),
            format!("{} / {}", e.anpr_entries_provided, e.anpr_entries_received),
        ),
        (
            t.get("evaluation.anpr_hits"),
            format!("{} / {}", e.anpr_hits_returned, e.anpr_hits_received),
        ),
        (
            t.get("evaluation.detentions"),
            format!("{} ({}: {})", e.detentions, t.get("evaluation.warrants"), e.warrants),
        ),
        (
            t.get("evaluation.reports"),
            format!("{} / {}", e.reports_filed, e.reports_due),
        ),
    ] {
        d.line(10.0, false, &format!("{label}: {value}"));
    }
    d.gap(10.0);
    if !e.operation_answers.is_empty() {
        d.line(12.0, true, t.get("evaluation.operation_answers"));
        for a in &e.operation_answers {
            d.line(10.0, false, &operation_answer_line(a, t));
        }
        d.gap(10.0);
    }
    let charts: [(&str, Vec<(String, usize)>); 4] = [
        (
            "messages-by-kind",
            e.messages_by_kind
                .iter()
                .map(|c| (t.of("kind", &c.label), c.count))
                .collect(),
        ),
        (
            "messages-by-pair",
            e.messages_by_pair.iter().map(|c| (c.label.clone(), c.count)).collect(),
        ),
        (
            "operations-by-kind",
            e.operations_by_kind
                .iter()
                .map(|c| (t.of("operations.kind", &c.label), c.count))
                .collect(),
        ),
        (
            "operations-by-pair",
            e.operations_by_pair
                .iter()
                .map(|c| (c.label.clone(), c.count))
                .collect(),
        ),
    ];
    for (id, bars) in charts {
        if bars.is_empty() {
            d.line(12.0, true, &t.of("evaluation.chart", id));
            d.line(10.0, false, t.get("evaluation.nothing"));
        } else {
            d.bars(&t.of("evaluation.chart", id), &bars);
        }
    }
    d.finish()
}

/// One kind's answers in words: asked, granted, refused, unanswered, within the limit, median.
pub fn operation_answer_line(a: &crate::desk::evaluation::OperationAnswers, t: &Tr) -> String {
    format!(
        "{}: {} {} · {} {} · {} {} · {} {} · {} · {}",
        t.of("operations.kind", &a.kind),
        a.requested,
        t.get("evaluation.asked"),
        a.granted,
        t.get("operations.answer.granted"),
        a.refused,
        t.get("operations.answer.refused"),
        a.unanswered,
        t.get("evaluation.unanswered"),
        match a.within_deadline {
            Some(n) => format!("{n} {}", t.get("evaluation.within_deadline")),
            None => t.get("evaluation.without_delay").to_owned(),
        },
        match a.median_minutes {
            Some(m) => format!("{} {m} min", t.get("evaluation.median")),
            None => "—".to_owned(),
        }
    )
}
