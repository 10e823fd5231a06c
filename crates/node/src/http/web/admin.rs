//! Administration pages: accounts, the contact-point directory (Art. 6(3)) and implementing
//! agreements (Art. 62(2)). The desk checks the administrator role and journals every change.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Chrome;
use super::CsrfForm;
use super::{error_page, render, Tr, WebUser};
use crate::accounts::Role;
use crate::desk::{AgreementRecord, Contact, ContactKind, Desk, NewUser};
use crate::http::api::Api;

pub struct UserRow {
    username: String,
    display_name: String,
    unit: String,
    roles: String,
    language: String,
}

pub struct NodeRow {
    id: String,
    party: String,
    /// The agreements the node takes part in (`benelux-2018`, `si-al`).
    agreements: String,
    url: String,
    fingerprint: String,
}

pub struct ContactRow {
    key: String,
    party: String,
    unit: String,
    kind: String,
    phone: String,
    email: String,
    hours: String,
    languages: String,
    source: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    t: Tr,
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: [&'static str; 5],
    contacts: Vec<ContactRow>,
    contact_kinds: [&'static str; 4],
    nodes: Vec<NodeRow>,
    agreements: Vec<AgreementRecord>,
    parties: Vec<String>,
    party: String,
}

/// `/admin`: accounts, directory and agreements on one page, each with its form.
pub async fn page(State(api): State<Arc<Api>>, w: WebUser) -> Response {
    let desk = &api.desk;
    let users = match desk.accounts(&w.user).await {
        Ok(u) => u,
        Err(e) => return error_page(&w, "/admin", &e),
    };
    let agreements = match desk.agreements(&w.user).await {
        Ok(a) => a,
        Err(e) => return error_page(&w, "/admin", &e),
    };
    let recorded = match desk.contacts().await {
        Ok(c) => c,
        Err(e) => return error_page(&w, "/admin", &e),
    };
    // The profile's contact points (annex data, notified under Art. 6(3)), then this node's.
    let mut contacts: Vec<ContactRow> = desk
        .profile
        .parties
        .iter()
        .flat_map(|p| {
            p.contact_points.iter().map(move |c| ContactRow {
                key: String::new(),
                party: p.code.to_string(),
                unit: format!("{} — {}", c.id, c.name),
                kind: c.kind.clone(),
                phone: String::new(),
                email: String::new(),
                hours: c.region.clone(),
                languages: String::new(),
                source: desk.profile.id.clone(),
            })
        })
        .collect();
    contacts.extend(recorded.into_iter().map(|c| ContactRow {
        key: format!("{}/{}", c.party, c.unit),
        party: c.party,
        unit: c.unit,
        kind: c.kind.as_str().to_owned(),
        phone: c.phone,
        email: c.email,
        hours: c.hours,
        languages: c.languages.join(", "),
        source: format!("{} · {}", c.updated_by, c.updated_at),
    }));
    render(
        AdminPage {
            t: w.t,
            chrome: w.chrome("/admin"),
            users: users
                .into_iter()
                .map(|u| UserRow {
                    username: u.username,
                    display_name: u.display_name,
                    unit: u.unit,
                    roles: u.roles.iter().map(|r| w.t.of("role", r)).collect::<Vec<_>>().join(", "),
                    language: u.language,
                })
                .collect(),
            roles: Role::ALL.map(Role::as_str),
            contacts,
            contact_kinds: ContactKind::ALL.map(ContactKind::as_str),
            nodes: desk
                .node
                .directory
                .nodes
                .iter()
                .map(|n| NodeRow {
                    id: n.id.clone(),
                    party: n.party.to_string(),
                    agreements: n.agreements.join(", "),
                    url: n.url.clone(),
                    fingerprint: n.tls_fingerprint.chars().take(16).collect(),
                })
                .collect(),
            agreements,
            parties: desk.profile.parties.iter().map(|p| p.code.to_string()).collect(),
            party: desk.node.me.party.to_string(),
        },
        StatusCode::OK,
    )
}

fn done(w: &WebUser, result: Result<(), crate::desk::DeskError>) -> Response {
    match result {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => error_page(w, "/admin", &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    region: String,
    /// The roles are checkboxes named `role_<name>`, present when checked.
    #[serde(default)]
    role_officer: Option<String>,
    #[serde(default)]
    role_contact_point: Option<String>,
    #[serde(default)]
    role_supervisor: Option<String>,
    #[serde(default)]
    role_dpo: Option<String>,
    #[serde(default)]
    role_admin: Option<String>,
    language: String,
    password: String,
}

pub async fn add_user(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<UserForm>) -> Response {
    let roles = [
        ("officer", &f.role_officer),
        ("contact_point", &f.role_contact_point),
        ("supervisor", &f.role_supervisor),
        ("dpo", &f.role_dpo),
        ("admin", &f.role_admin),
    ]
    .into_iter()
    .filter(|(_, on)| on.is_some())
    .map(|(r, _)| r.to_owned())
    .collect();
    // No default unit: `NCP` is the contact point's, and an account gets it only when asked.
    let unit = f.unit.trim().to_owned();
    let new = NewUser {
        username: f.username.trim().to_owned(),
        display_name: f.display_name.trim().to_owned(),
        party: api.desk.node.me.party.to_string(),
        unit,
        region: f.region.trim().to_owned(),
        roles,
        language: f.language,
        password: f.password,
    };
    done(&w, api.desk.administer_user(&w.user, new).await)
}

#[derive(Debug, Deserialize)]
pub struct AgreementForm {
    reference: String,
    #[serde(default)]
    title: String,
    parties: String,
    articles: String,
    #[serde(default)]
    databases: String,
    in_force_from: String,
    #[serde(default)]
    in_force_until: String,
}

pub async fn add_agreement(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<AgreementForm>) -> Response {
    let record = Desk::agreement_from_fields(
        &f.reference,
        &f.title,
        &f.parties,
        &f.articles,
        &f.databases,
        &f.in_force_from,
        &f.in_force_until,
    );
    let result = match record {
        Ok(r) => api.desk.put_agreement(&w.user, &r).await,
        Err(e) => Err(e),
    };
    done(&w, result)
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    key: String,
}

pub async fn delete_agreement(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<DeleteForm>) -> Response {
    done(&w, api.desk.delete_agreement(&w.user, &f.key).await)
}

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    party: String,
    unit: String,
    kind: ContactKind,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    languages: String,
}

pub async fn add_contact(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<ContactForm>) -> Response {
    let contact = Contact {
        party: f.party,
        unit: f.unit,
        kind: f.kind,
        phone: f.phone.trim().to_owned(),
        email: f.email.trim().to_owned(),
        hours: f.hours.trim().to_owned(),
        languages: f
            .languages
            .split([',', ' '])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        updated_by: String::new(),
        updated_at: String::new(),
    };
    done(&w, api.desk.put_contact(&w.user, &contact).await)
}

pub async fn delete_contact(State(api): State<Arc<Api>>, CsrfForm(w, f): CsrfForm<DeleteForm>) -> Response {
    done(&w, api.desk.delete_contact(&w.user, &f.key).await)
}
