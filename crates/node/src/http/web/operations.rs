//! `/operations`: the operations board — every operation of this node with its partner, its
//! events and the live release countdown of a detention (refreshed without reloading) — the
//! forms that start a hot pursuit or any other operation (the engine's fields for each kind),
//! each operation's event form, and the buttons that start and end a planned patrol.

use serde_json::Value;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::Chrome;
use super::CsrfForm;
use super::{done, error_page, partners, render, CsrfOnly, Tr, WebUser};
use crate::desk::operations::{
    BoardFilter, EventAsk, OfficerOnOperation, OperationStart, OperationView, PursuitStart, KINDS,
};
use crate::http::api::Api;

/// One field of the start form: the engine's name, the input it takes, the kinds that read it.
/// The page shows each field for its kinds only (grens.js; without script all are shown and
/// the others ignored).
#[derive(Debug)]
pub struct FormField {
    pub name: &'static str,
    /// `check`, `text`, `list` (comma-separated), `number`, `instant` or `party`.
    pub input: &'static str,
    pub kinds: &'static str,
}

const fn field(name: &'static str, input: &'static str, kinds: &'static str) -> FormField {
    FormField { name, input, kinds }
}

/// The engine's fields of each kind an officer fills in (the node adds `host`, `sending`, the
/// receipt of an investigation and what a request asks for).
pub const FORM_FIELDS: &[FormField] = &[
    field("acute_danger", "check", "own_initiative"),
    field("host_cannot_arrive_in_time", "check", "own_initiative"),
    field("in_border_region", "check", "own_initiative"),
    field("already_in_cross_border_operation", "check", "own_initiative"),
    field("criminal_investigation", "check", "observation"),
    field("offence_extraditable", "check", "observation"),
    field("prior_authorisation", "check", "observation"),
    field("mla_reference", "text", "observation"),
    field("particularly_urgent", "check", "observation"),
    field("crossed_at", "instant", "observation"),
    field("technical_means", "check", "observation"),
    field("requires_judicial_order_in_host", "check", "investigation"),
    field("host_presence", "check", "investigation"),
    field("presence_waived_by_agreement", "check", "investigation"),
    field("urgent", "check", "investigation"),
    field("nature", "text", "assistance"),
    field("duration", "text", "assistance"),
    field("objective", "text", "assistance"),
    field("crossings", "text", "assistance"),
    field("reserved_to_judicial_authorities", "check", "assistance"),
    field("equipment", "check", "assistance"),
    field("equipment_items", "list", "assistance special_units"),
    field("crisis", "check", "special_units"),
    field("direct_between_special_units", "check", "special_units"),
    field("consent_of_competent_authorities", "check", "special_units"),
    field("arrest_or_seizure_at_home", "check", "train_boarding"),
    field("committed_in", "party", "train_boarding"),
    field("next_scheduled_stop_in", "party", "train_boarding"),
    field("with_detained_person", "check", "transit"),
    field("with_goods", "check", "transit"),
    field("real_risk_of_loss", "check", "urgent_evidence"),
    field("oral", "check", "urgent_evidence"),
];

/// The facts of a use of force (Art. 40), recorded with the event.
const FORCE_FIELDS: [&str; 5] = [
    "firearm",
    "self_defence",
    "reasonably_necessary",
    "warning_given_or_impossible",
    "host_law_requires_report",
];

/// One operation on the board.
#[derive(Debug)]
pub struct BoardRow {
    id: String,
    kind: String,
    sending: String,
    host: String,
    role: String,
    status: String,
    report: Option<String>,
    /// The earliest running clock (RFC 3339) and its articles.
    due: Option<String>,
    articles: Vec<String>,
    overdue: bool,
    /// The latest event: when, what.
    last: String,
}

/// The board's filter as the form shows it back.
#[derive(Debug, Default)]
pub struct BoardForm {
    kind: String,
    partner: String,
    status: String,
    running: bool,
}

#[derive(Template)]
#[template(path = "operations.html")]
struct OperationsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<BoardRow>,
    filter: BoardForm,
    query: String,
    next: Option<String>,
    all_kinds: Vec<&'static str>,
    partners: Vec<String>,
    kinds: Vec<&'static str>,
    fields: &'static [FormField],
}

#[derive(Template)]
#[template(path = "operation.html")]
struct OperationPage {
    t: Tr,
    chrome: Chrome,
    o: OperationView,
    /// The events an officer may record (the node checks who may record which).
    events: Vec<&'static str>,
    force_fields: [&'static str; 5],
}

fn recordable_events() -> Vec<&'static str> {
    protocol::OperationEventKind::ALL
        .into_iter()
        .filter(|k| {
            use protocol::OperationEventKind as K;
            !matches!(k, K::Requested | K::Planned | K::Started)
        })
        .map(|k| k.as_str())
        .collect()
}

fn board_query(f: &BoardFilter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("kind", &f.kind), ("partner", &f.partner), ("status", &f.status)] {
        if let Some(v) = v
            .as_deref()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            parts.push(format!("{k}={v}"));
        }
    }
    if f.running == Some(true) {
        parts.push("running=true".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The operations board: a table, running clocks first, 50 a page; the start forms below.
pub async fn page(State(api): State<Arc<Api>>, w: WebUser, Query(filter): Query<BoardFilter>) -> Response {
    let page = match api.desk.operations_page(&w.user, &filter).await {
        Ok(o) => o,
        Err(e) => return error_page(&w, "/operations", &e),
    };
    let rows = page
        .operations
        .iter()
        .map(|o| {
            let clock = o.running_clock();
            BoardRow {
                id: o.id.clone(),
                kind: o.kind.as_str().to_owned(),
                sending: o.sending.clone(),
                host: o.host.clone(),
                role: o.role.as_str().to_owned(),
                status: o.status.as_str().to_owned(),
                report: o.report.clone(),
                overdue: o.clocks.iter().any(|c| c.overdue && !c.met)
                    || o.detention.as_ref().is_some_and(|d| d.state == "overdue"),
                due: clock.as_ref().map(|(due, _)| {
                    due.parse::<jiff::Timestamp>()
                        .map(|t| t.to_string())
                        .unwrap_or_else(|_| due.clone())
                }),
                articles: clock.map(|(_, a)| a.into_iter().take(2).collect()).unwrap_or_default(),
                last: o
                    .events
                    .last()
                    .map(|e| format!("{} · {}", e.at, w.t.of("operations.event", &e.event)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let query = board_query(&filter);
    let next = page.next.map(|cursor| {
        let sep = if query.is_empty() { "?" } else { "&" };
        format!("/operations{query}{sep}cursor={cursor}")
    });
    let partners = partners(&api);
    let mut all_kinds: Vec<&'static str> = KINDS.to_vec();
    all_kinds.push("patrol");
    render(
        OperationsPage {
            t: w.t,
            chrome: w.chrome("/operations"),
            rows,
            filter: BoardForm {
                kind: filter.kind.clone().unwrap_or_default(),
                partner: filter.partner.clone().unwrap_or_default(),
                status: filter.status.clone().unwrap_or_default(),
                running: filter.running == Some(true),
            },
            query,
            next,
            all_kinds,
            partners,
            kinds: KINDS.into_iter().filter(|k| *k != "pursuit").collect(),
            fields: FORM_FIELDS,
        },
        StatusCode::OK,
    )
}

/// One operation: its history, clocks, powers panel and the event form.
pub async fn operation(State(api): State<Arc<Api>>, Path(id): Path<String>, w: WebUser) -> Response {
    match api.desk.operation(&w.user, &id).await {
        Ok(o) => render(
            OperationPage {
                t: w.t,
                chrome: w.chrome(&format!("/operations/{id}")),
                o,
                events: recordable_events(),
                force_fields: FORCE_FIELDS,
            },
            StatusCode::OK,
        ),
        Err(e) => error_page(&w, "/operations", &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct PursuitForm {
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

pub async fn start_pursuit(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<PursuitForm>) -> Response {
    let start = PursuitStart {
        host: f.host,
        medium: f.medium,
        started_in_own_territory: f.started_in_own_territory.is_some(),
        host_could_be_warned_in_advance: f.host_could_be_warned_in_advance.is_some(),
        host_could_take_over_in_time: f.host_could_take_over_in_time.is_some(),
        text: f.text,
    };
    done(&w, "/operations", api.desk.start_pursuit(&w.user, &start).await, |o| {
        format!("/operations/{}#op-{}", o.id, o.id)
    })
}

/// The value of a form field, if given.
fn value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Starts any operation from the page's start form: the chosen kind's fields become the
/// engine's facts (a box not ticked is `false`).
pub async fn start(State(api): State<Arc<Api>>, w: WebUser, Form(form): Form<Vec<(String, String)>>) -> Response {
    if let Some(refused) = w.forged(value(&form, "csrf").unwrap_or_default()) {
        return refused;
    }
    let kind = value(&form, "kind").unwrap_or_default().to_owned();
    let mut facts = serde_json::Map::new();
    for f in FORM_FIELDS.iter().filter(|f| f.kinds.split(' ').any(|k| k == kind)) {
        let given = value(&form, &format!("f.{}", f.name));
        let v = match (f.input, given) {
            ("check", given) => Value::Bool(given.is_some()),
            ("list", given) => Value::from(
                given
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .collect::<Vec<_>>(),
            ),
            // A number the engine reads; text it does not is left for it to name.
            ("number", Some(n)) => n.parse::<f64>().map_or_else(|_| Value::from(n), Value::from),
            (_, Some(text)) => Value::from(text),
            (_, None) => continue,
        };
        facts.insert(f.name.to_owned(), v);
    }
    if kind == "observation" {
        // Art. 22(7)(c): never asked for; the engine reads the field.
        facts.insert("enter_dwelling".into(), Value::Bool(false));
        facts.insert("technical_means_authorised".into(), Value::Bool(false));
    }
    let names = |field: &str, shielded: bool| {
        value(&form, field)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| OfficerOnOperation {
                name: n.to_owned(),
                shielded,
            })
            .collect::<Vec<_>>()
    };
    let partner = value(&form, "partner").unwrap_or_default().to_owned();
    let by_host = matches!(kind.as_str(), "assistance" | "special_units");
    let start = OperationStart {
        host: if by_host { String::new() } else { partner.clone() },
        partner: by_host.then_some(partner),
        kind,
        facts: serde_json::Value::Object(facts),
        text: value(&form, "text").unwrap_or_default().to_owned(),
        officers: [names("officers", false), names("shielded", true)].concat(),
    };
    done(
        &w,
        "/operations",
        api.desk.start_operation(&w.user, &start).await,
        |o| format!("/operations/{}#op-{}", o.id, o.id),
    )
}

/// Records an event; a grant's terms (22(6), 22(9)) and a use of force's facts (40) come from
/// the form's "terms and facts".
pub async fn event(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = w.forged(value(&form, "csrf").unwrap_or_default()) {
        return refused;
    }
    let event = value(&form, "event").unwrap_or_default().to_owned();
    let facts = match event.as_str() {
        "granted" => {
            let mut terms = serde_json::Map::new();
            if let Some(h) = value(&form, "authorised_hours") {
                terms.insert(
                    "authorised_hours".into(),
                    h.parse::<f64>().map_or_else(|_| Value::from(h), Value::from),
                );
            }
            if value(&form, "technical_means_authorised").is_some() {
                terms.insert("technical_means_authorised".into(), Value::Bool(true));
            } else if value(&form, "terms").is_some() {
                // Granted without the technical means asked for (22(9)).
                terms.insert("technical_means".into(), Value::Bool(false));
                terms.insert("technical_means_authorised".into(), Value::Bool(false));
            }
            serde_json::Value::Object(terms)
        }
        "use_of_force" => serde_json::Value::Object(
            FORCE_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), Value::Bool(value(&form, f).is_some())))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    };
    let ask = EventAsk {
        event,
        text: value(&form, "text").unwrap_or_default().to_owned(),
        at: value(&form, "at").map(str::to_owned),
        facts,
        language: value(&form, "language").map(str::to_owned),
    };
    done(
        &w,
        "/operations",
        api.desk.operation_event(&w.user, &id, &ask).await,
        |_| format!("/operations/{id}#op-{id}"),
    )
}

/// Art. 20: the host starts a planned patrol, or ends one, from the board.
pub async fn patrol(
    State(api): State<Arc<Api>>,
    Path((id, step)): Path<(String, String)>,
    CsrfForm(w, _f): CsrfForm<CsrfOnly>,
) -> Response {
    let result = match step.as_str() {
        "start" => api.desk.begin_patrol(&w.user, &id).await,
        "end" => api.desk.end_patrol(&w.user, &id).await,
        _ => {
            return error_page(
                &w,
                "/operations",
                &crate::desk::DeskError::not_found(format!("no step '{step}'")),
            )
        }
    };
    done(&w, "/operations", result, |_| format!("/operations/{id}#op-{id}"))
}
