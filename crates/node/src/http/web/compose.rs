//! Composing a request or spontaneous provision, with the treaty's check before sending.

use super::*;

use crate::desk::{Compose, ComposeKind, DirectFacts, Via};
use crate::http::api::Api;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guide::Cited;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ComposeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    to_party: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    via: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    text: String,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    urgent: Option<String>,
    #[serde(default)]
    within_competence_of_both: Option<String>,
    #[serde(default)]
    subject_in_border_region: Option<String>,
    #[serde(default)]
    urgent_delay_would_jeopardise: Option<String>,
    #[serde(default)]
    prior_consent_of_contact_points: Option<String>,
    #[serde(default)]
    in_cross_border_operation: Option<String>,
    /// Art. 14(2): the reference of the hit this request asks the data of.
    #[serde(default)]
    hit_reference: String,
}

#[derive(Template)]
#[template(path = "compose.html")]
pub(super) struct ComposePage {
    t: Tr,
    chrome: Chrome,
    kinds: [(&'static str, &'static str); 3],
    parties: Vec<String>,
    vias: [&'static str; 5],
    form: ComposeForm,
    decisions: Vec<String>,
    cited: Vec<Cited>,
    allowed: bool,
    direct_facts: [(&'static str, bool); 5],
}

pub(super) const KINDS: [(&str, &str); 3] = [
    ("request", "compose.kind.request"),
    ("spontaneous", "compose.kind.spontaneous"),
    ("administrative_measures", "compose.kind.administrative_measures"),
];

pub(super) const VIAS: [&str; 5] = [
    "ncp",
    "regional_contact_point",
    "joint_police_centre",
    "direct",
    "liaison_officer",
];

/// What the engine said about a composed message: its reasons and the articles it cited.
#[derive(Default)]
pub(super) struct Verdicts {
    reasons: Vec<String>,
    articles: Vec<String>,
    allowed: bool,
}

pub(super) fn compose_page(api: &Api, w: &WebUser, form: ComposeForm, verdicts: Verdicts) -> Response {
    let direct_facts = [
        ("within_competence_of_both", form.within_competence_of_both.is_some()),
        ("subject_in_border_region", form.subject_in_border_region.is_some()),
        (
            "urgent_delay_would_jeopardise",
            form.urgent_delay_would_jeopardise.is_some(),
        ),
        (
            "prior_consent_of_contact_points",
            form.prior_consent_of_contact_points.is_some(),
        ),
        ("in_cross_border_operation", form.in_cross_border_operation.is_some()),
    ];
    let parties = api
        .desk
        .profile
        .parties
        .iter()
        .map(|p| p.code.to_string())
        .filter(|p| *p != w.user.party)
        .collect();
    render(
        ComposePage {
            t: w.t,
            chrome: w.chrome("/compose"),
            kinds: KINDS,
            parties,
            vias: VIAS,
            form,
            cited: guide::cite_all(verdicts.articles.iter().map(String::as_str), w.t),
            decisions: verdicts.reasons,
            allowed: verdicts.allowed,
            direct_facts,
        },
        StatusCode::OK,
    )
}

/// The compose form, pre-filled from the query string (a hit's "request the data" link).
pub(super) async fn compose_form(
    State(api): State<Arc<Api>>,
    w: WebUser,
    Query(prefill): Query<ComposeForm>,
) -> Response {
    let form = ComposeForm {
        kind: "request".into(),
        via: "ncp".into(),
        purpose: "criminal".into(),
        ..prefill
    };
    compose_page(&api, &w, form, Verdicts::default())
}

pub(super) async fn compose(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<ComposeForm>) -> Response {
    let birth_date = match form_date(&f.birth) {
        Ok(d) => d,
        Err(problem) => {
            let refused = Verdicts {
                reasons: vec![format!("{}: {problem}", w.t.get("compose.birth"))],
                ..Verdicts::default()
            };
            return compose_page(&api, &w, f, refused);
        }
    };
    let subjects = person_and_plate(&f.surname, &f.given, birth_date, &f.plate);
    let via: Via = serde_json::from_value(serde_json::Value::from(f.via.as_str())).unwrap_or_default();
    let kind: ComposeKind =
        serde_json::from_value(serde_json::Value::from(f.kind.as_str())).unwrap_or(ComposeKind::Request);
    let c = Compose {
        kind,
        to_party: f.to_party.clone(),
        to_unit: Some(f.to_unit.trim().to_owned()).filter(|u| !u.is_empty()),
        via,
        direct: DirectFacts {
            within_competence_of_both: f.within_competence_of_both.is_some(),
            subject_in_border_region: f.subject_in_border_region.is_some(),
            urgent_delay_would_jeopardise: f.urgent_delay_would_jeopardise.is_some(),
            prior_consent_of_contact_points: f.prior_consent_of_contact_points.is_some(),
            in_cross_border_operation: f.in_cross_border_operation.is_some(),
        },
        purpose: Some(f.purpose.clone()),
        urgent: f.urgent.is_some(),
        directly_accessible: false,
        requested_law_expressly_opposes: false,
        factual_reasons_it_may_help: kind == ComposeKind::Spontaneous,
        subjects,
        text: f.text.clone(),
        confirms_oral: None,
        hit_reference: Some(f.hit_reference.trim().to_owned()).filter(|r| !r.is_empty()),
    };
    let preview = f.action != "send";
    match api.desk.compose(&w.user, &c, preview).await {
        Ok(sent) if preview => {
            let verdicts = Verdicts {
                reasons: sent.decisions.iter().flat_map(|d| d.reasons.clone()).collect(),
                articles: sent.decisions.iter().flat_map(|d| d.articles.clone()).collect(),
                allowed: true,
            };
            compose_page(&api, &w, f, verdicts)
        }
        Ok(sent) => Redirect::to(&format!("/messages/{}", sent.message_id.unwrap_or_default())).into_response(),
        Err(e) => {
            let mut verdicts = Verdicts::default();
            if let Some(d) = &e.decision {
                if let Some(list) = d.get("decisions").and_then(|x| x.as_array()) {
                    for dv in list {
                        if let Some(rs) = dv.get("reasons").and_then(|r| r.as_array()) {
                            verdicts
                                .reasons
                                .extend(rs.iter().filter_map(|r| r.as_str().map(str::to_owned)));
                        }
                    }
                }
                collect_articles(d, &mut verdicts.articles);
            }
            if verdicts.reasons.is_empty() {
                verdicts.reasons.push(e.message.clone());
            }
            compose_page(&api, &w, f, verdicts)
        }
    }
}
