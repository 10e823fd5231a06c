//! The inbox as a case list (Directive 2023/977 Art. 16), a case with its cross-check, the
//! retention decisions (Directive 2016/680 Art. 5) and the Art. 18 statistics.

use super::*;

use crate::accounts::{has_role, Role};
use crate::desk::{Art18Line, CaseAction, CaseFilter, CaseSummary, DeskError, RetentionDecision};
use crate::http::api::Api;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use messages::{kind_label, local, remaining, DeadlineCell};
use serde::Deserialize;
use std::sync::Arc;

/// One case in the list.
pub(super) struct CaseLine {
    id: String,
    status: String,
    overdue: bool,
    urgent: bool,
    partner: String,
    kind: String,
    title: String,
    erased: bool,
    rectified: bool,
    assignee: Option<String>,
    deadline: Option<DeadlineCell>,
    updated: String,
    /// Its messages: id and kind, in order.
    messages: Vec<(String, String)>,
}

/// The filter as the form shows it back.
#[derive(Debug, Default)]
pub(super) struct FilterForm {
    status: String,
    partner: String,
    kind: String,
    assignee: String,
    q: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub(super) struct CasesPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<CaseLine>,
    counts: Vec<(String, i64)>,
    filter: FilterForm,
    partners: Vec<String>,
    kinds: Vec<(String, String)>,
    next: Option<String>,
    /// The filter as a query string (`?status=new&…`), for the live refresh.
    query: String,
}

#[derive(Template)]
#[template(path = "inbox_rows.html")]
pub(super) struct CaseRows {
    t: Tr,
    rows: Vec<CaseLine>,
    query: String,
}

/// The kinds of message that open cases, for the filter.
const OPENING_KINDS: &[&str] = &[
    "request",
    "spontaneous_provision",
    "hit_query",
    "consult_query",
    "oral_record",
    "direct_exchange_notice",
];

fn query_string(f: &CaseFilter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("status", &f.status),
        ("partner", &f.partner),
        ("kind", &f.kind),
        ("assignee", &f.assignee),
        ("q", &f.q),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencoding(v)));
        }
    }
    if f.urgent == Some(true) {
        parts.push("urgent=true".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn urlencoding(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn case_lines(
    api: &Api,
    w: &WebUser,
    filter: &CaseFilter,
) -> Result<(Vec<CaseLine>, crate::desk::CasePage), DeskError> {
    let page = api.desk.cases(&w.user, filter).await?;
    let now = api.desk.now_public();
    let mut rows = Vec::with_capacity(page.cases.len());
    for c in &page.cases {
        let messages = api
            .desk
            .case_messages(&c.id)
            .await?
            .into_iter()
            .map(|(id, kind)| (id, kind_label(w.t, &kind)))
            .collect();
        rows.push(line(api, w, c, now, messages));
    }
    Ok((rows, page))
}

fn line(api: &Api, w: &WebUser, c: &CaseSummary, now: jiff::Timestamp, messages: Vec<(String, String)>) -> CaseLine {
    let overdue = c.status == "overdue";
    let deadline = c.deadline.as_ref().map(|d| {
        let due = d.parse::<jiff::Timestamp>().ok();
        DeadlineCell {
            due: due.map(|x| x.to_string()).unwrap_or_default(),
            due_local: local(w, api, d),
            article: guide::cite(c.deadline_article.as_deref().unwrap_or_default(), w.t),
            state: if overdue {
                w.t.get("inbox.overdue").to_owned()
            } else {
                String::new()
            },
            remaining: due.map(|due| remaining(w.t, due, now)).unwrap_or_default(),
            open: true,
        }
    });
    CaseLine {
        id: c.id.clone(),
        status: w.t.of("cases.status", &c.status),
        overdue,
        urgent: c.urgent,
        partner: c.partner.clone(),
        kind: kind_label(w.t, &c.kind),
        title: c.title.clone(),
        erased: c.erased,
        rectified: c.rectified.is_some(),
        assignee: c.assignee.clone(),
        deadline,
        updated: local(w, api, &c.updated),
        messages,
    }
}

/// The inbox: the case list, 50 a page, running deadlines first.
pub(super) async fn inbox(State(api): State<Arc<Api>>, w: WebUser, Query(filter): Query<CaseFilter>) -> Response {
    let (rows, page) = match case_lines(&api, &w, &filter).await {
        Ok(r) => r,
        Err(e) => return error_page(&w, "/", &e),
    };
    let query = query_string(&filter);
    let next = page.next.as_ref().map(|cursor| {
        let sep = if query.is_empty() { "?" } else { "&" };
        format!("/{query}{sep}cursor={}", urlencoding(cursor))
    });
    let mut partners: Vec<String> = api
        .desk
        .profile
        .parties
        .iter()
        .map(|p| p.code.to_string())
        .filter(|p| *p != api.desk.node.me.party.to_string())
        .collect();
    partners.sort();
    render(
        CasesPage {
            t: w.t,
            chrome: w.chrome("/"),
            rows,
            // In the order of the work: new, assigned, …, closed.
            counts: store::cases::STATUSES
                .iter()
                .map(|s| ((*s).to_owned(), page.counts.get(*s).copied().unwrap_or(0)))
                .collect(),
            filter: FilterForm {
                status: filter.status.clone().unwrap_or_default(),
                partner: filter.partner.clone().unwrap_or_default(),
                kind: filter.kind.clone().unwrap_or_default(),
                assignee: filter.assignee.clone().unwrap_or_default(),
                q: filter.q.clone().unwrap_or_default(),
                urgent: filter.urgent == Some(true),
            },
            partners,
            kinds: OPENING_KINDS
                .iter()
                .map(|k| ((*k).to_owned(), kind_label(w.t, k)))
                .collect(),
            next,
            query,
        },
        StatusCode::OK,
    )
}

/// The case list's rows alone, which htmx fetches every 20 seconds (same filter).
pub(super) async fn inbox_fragment(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Query(filter): Query<CaseFilter>,
) -> Response {
    match case_lines(&api, &w, &filter).await {
        Ok((rows, _)) => render(
            CaseRows {
                t: w.t,
                rows,
                query: query_string(&filter),
            },
            StatusCode::OK,
        ),
        Err(e) => error_page(&w, "/", &e),
    }
}

pub(super) struct RelatedLine {
    id: String,
    kind: String,
    partner: String,
    opened: String,
    status: String,
    title: String,
    reasons: String,
    duplicate: bool,
}

pub(super) struct MessageLine {
    id: String,
    at: String,
    direction: String,
    kind: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(super) struct CasePage {
    t: Tr,
    chrome: Chrome,
    c: CaseSummary,
    kind: String,
    status: String,
    duplicate: Option<String>,
    messages: Vec<MessageLine>,
    related: Vec<RelatedLine>,
    national: Vec<crate::desk::NationalMatch>,
    can_work: bool,
    can_erase: bool,
    can_correct: bool,
    me: String,
}

/// A case: its messages, the cross-check, and the work on it.
pub(super) async fn case(State(api): State<Arc<Api>>, Path(id): Path<String>, w: WebUser) -> Response {
    let view_id = id.clone();
    let view = match api.desk.case_view(&w.user, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(&w, "/", &e),
    };
    let related = view
        .related
        .iter()
        .map(|r| RelatedLine {
            id: r.case.id.clone(),
            kind: kind_label(w.t, &r.case.kind),
            partner: r.case.partner.clone(),
            opened: local(&w, &api, &r.case.opened),
            status: w.t.of("cases.status", &r.case.status),
            title: r.case.title.clone(),
            reasons: r
                .reasons
                .iter()
                .map(|x| w.t.of("case.key", &x.replace(' ', "_")))
                .collect::<Vec<_>>()
                .join(", "),
            duplicate: r.duplicate,
        })
        .collect();
    let messages = view
        .messages
        .iter()
        .map(|m| MessageLine {
            id: m.id.clone(),
            at: local(&w, &api, &m.at),
            direction: w
                .t
                .get(if m.direction == store::Direction::Incoming {
                    "inbox.incoming"
                } else {
                    "inbox.outgoing"
                })
                .to_owned(),
            kind: kind_label(w.t, &m.kind),
            from: m.from.clone(),
            to: m.to.clone(),
        })
        .collect();
    let mut c = view.case;
    c.opened = local(&w, &api, &c.opened);
    if let Some(d) = &c.deadline {
        c.deadline = d.parse::<jiff::Timestamp>().ok().map(|t| t.to_string());
    }
    render(
        CasePage {
            t: w.t,
            // The page's own path: the language switch comes back here.
            chrome: w.chrome(&format!("/cases/{}", view_id)),
            kind: kind_label(w.t, &c.kind),
            status: w.t.of("cases.status", &c.status),
            c,
            duplicate: view.duplicate_warning,
            messages,
            related,
            national: view.national,
            can_work: [Role::ContactPoint, Role::Officer, Role::Supervisor]
                .iter()
                .any(|r| has_role(&w.user, *r)),
            can_erase: [Role::Dpo, Role::Supervisor].iter().any(|r| has_role(&w.user, *r)),
            can_correct: [Role::ContactPoint, Role::Dpo, Role::Supervisor]
                .iter()
                .any(|r| has_role(&w.user, *r)),
            me: w.user.username.clone(),
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct CaseForm {
    action: String,
    #[serde(default)]
    to: String,
    reason: String,
}

/// Assign, close or reopen.
pub(super) async fn change(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<CaseForm>,
) -> Response {
    let action = match f.action.as_str() {
        "assign" => CaseAction::Assign {
            to: f.to,
            reason: f.reason,
        },
        "close" => CaseAction::Close { reason: f.reason },
        "reopen" => CaseAction::Reopen { reason: f.reason },
        other => {
            return error_page(
                &w,
                &format!("/cases/{id}"),
                &DeskError::invalid(format!("action '{other}': use assign, close or reopen")),
            )
        }
    };
    done(
        &w,
        &format!("/cases/{id}"),
        api.desk.change_case(&w.user, &id, &action).await,
        |c| format!("/cases/{}", c.id),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct RetentionForm {
    decision: String,
    reason: String,
}

/// Keep until the next review, or erase.
pub(super) async fn retention(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<RetentionForm>,
) -> Response {
    let decision = RetentionDecision { reason: f.reason };
    let back = format!("/cases/{id}");
    match f.decision.as_str() {
        "keep" => done(&w, &back, api.desk.keep_case(&w.user, &id, &decision).await, |c| {
            format!("/cases/{}", c.id)
        }),
        "erase" => done(&w, &back, api.desk.erase_case(&w.user, &id, &decision).await, |e| {
            format!("/cases/{}", e.case)
        }),
        other => error_page(
            &w,
            &back,
            &DeskError::invalid(format!("decision '{other}': use keep or erase")),
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct CorrectionForm {
    correction: String,
    text: String,
}

/// Rectify or withdraw the data this node sent on the case (Directive 2016/680 Art. 7(3)).
pub(super) async fn correction(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    CsrfForm(w, f): CsrfForm<CorrectionForm>,
) -> Response {
    let back = format!("/cases/{id}");
    let correction = match f.correction.as_str() {
        "rectified" => protocol::Correction::Rectified,
        "withdrawn" => protocol::Correction::Withdrawn,
        other => {
            return error_page(
                &w,
                &back,
                &DeskError::invalid(format!("correction '{other}': use rectified or withdrawn")),
            )
        }
    };
    let notice = crate::desk::CorrectionNotice {
        correction,
        text: f.text,
    };
    done(&w, &back, api.desk.correct_case(&w.user, &id, &notice).await, |_| {
        back.clone()
    })
}

#[derive(Template)]
#[template(path = "reviews.html")]
pub(super) struct ReviewsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<CaseSummary>,
}

/// The review queue of the DPO and supervisors.
pub(super) async fn reviews(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    match api.desk.reviews(&w.user).await {
        Ok(mut rows) => {
            for r in &mut rows {
                r.kind = kind_label(w.t, &r.kind);
                r.opened = local(&w, &api, &r.opened);
                r.status = w.t.of("cases.status", &r.status);
            }
            render(
                ReviewsPage {
                    t: w.t,
                    chrome: w.chrome("/reviews"),
                    rows,
                },
                StatusCode::OK,
            )
        }
        Err(e) => error_page(&w, "/reviews", &e),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct YearQuery {
    year: Option<String>,
}

#[derive(Template)]
#[template(path = "art18.html")]
pub(super) struct Art18Page {
    t: Tr,
    chrome: Chrome,
    year: i64,
    sections: Vec<(String, Vec<Art18Line>)>,
}

fn year_of(api: &Api, q: &YearQuery) -> Result<i64, DeskError> {
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(i64::from(
            api.desk.now_public().to_zoned(jiff::tz::TimeZone::UTC).year(),
        )),
        Some(y) => y
            .parse()
            .map_err(|_| DeskError::invalid(format!("year '{y}' is not a year (2000…2100)"))),
    }
}

/// Directive 2023/977 Art. 18: the year's statistics.
pub(super) async fn art18(State(api): State<Arc<Api>>, w: WebUser, Query(q): Query<YearQuery>) -> Response {
    let report = match year_of(&api, &q) {
        Ok(year) => api.desk.art18(&w.user, year).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(r) => render(
            Art18Page {
                t: w.t,
                chrome: w.chrome("/reports/art18"),
                year: r.year,
                sections: vec![
                    ("submitted".into(), r.submitted),
                    ("received".into(), r.received),
                    ("answered".into(), r.answered),
                    ("refused".into(), r.refused),
                    (
                        "late_for_judicial_authorisation".into(),
                        r.late_for_judicial_authorisation,
                    ),
                ],
            },
            StatusCode::OK,
        ),
        Err(e) => error_page(&w, "/reports/art18", &e),
    }
}

/// The same as CSV.
pub(super) async fn art18_csv(State(api): State<Arc<Api>>, w: WebUser, Query(q): Query<YearQuery>) -> Response {
    let report = match year_of(&api, &q) {
        Ok(year) => api.desk.art18(&w.user, year).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(r) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"art18-{}.csv\"", r.year),
                ),
            ],
            r.csv(),
        )
            .into_response(),
        Err(e) => error_page(&w, "/reports/art18", &e),
    }
}
