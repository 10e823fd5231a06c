//! Who is on a page: the session cookie, the language, the CSRF token of every form, the page
//! chrome, and the log-in, log-out and language pages.

use super::*;

use crate::accounts::{has_role, Role};
use crate::http::api::Api;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use store::User;

pub(super) const SESSION_COOKIE: &str = "grens_session";

pub(super) const LANGUAGE_COOKIE: &str = "grens_lang";

/// The logged-in officer of a page.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub user: User,
    token: String,
    pub t: Tr,
    csrf: String,
    /// The node's clock when the request came in.
    now: jiff::Timestamp,
}

/// A cookie of the request, parsed by the `cookie` crate (every `Cookie` header, `;`-separated
/// pairs, values as sent).
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The CSRF token of a session: derived from the secret session token, so it cannot be guessed
/// by another site and needs no storage.
pub(super) fn csrf_of(token: &str) -> String {
    hex::encode(Sha256::digest(format!("grens-csrf:{token}").as_bytes()))
}

pub(super) fn language(headers: &HeaderMap, user: Option<&User>) -> Tr {
    let chosen = cookie(headers, LANGUAGE_COOKIE);
    Tr::new(chosen.as_deref().or(user.map(|u| u.language.as_str())).unwrap_or("en"))
}

/// Anonymous users are sent to the log-in page.
#[derive(Debug)]
pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<Arc<Api>> for WebUser {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, api: &Arc<Api>) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(ToLogin)?;
        let user = api.desk.session(&token).await.map_err(|_| ToLogin)?;
        Ok(WebUser {
            t: language(&parts.headers, Some(&user)),
            csrf: csrf_of(&token),
            token,
            user,
            now: api.desk.now_public(),
        })
    }
}

impl WebUser {
    /// The refusal of a form whose CSRF token is not this session's, if it is not.
    pub(super) fn forged(&self, sent: &str) -> Option<Response> {
        (sent != self.csrf).then(|| {
            (
                StatusCode::FORBIDDEN,
                "the form's CSRF token does not match this session",
            )
                .into_response()
        })
    }

    /// The chrome of a page at `path` for this user.
    pub(super) fn chrome(&self, path: &str) -> Chrome {
        Chrome {
            user: Some(self.who()),
            csrf: self.csrf.clone(),
            path: path.to_owned(),
            languages: LANGUAGES,
            now: self.now.to_string(),
        }
    }

    /// Who is logged in, and which parts of the navigation their roles open.
    pub(super) fn who(&self) -> Who {
        Who {
            label: format!("{} ({}, {})", self.user.display_name, self.user.party, self.user.unit),
            supervisor: has_role(&self.user, Role::Supervisor),
            dpo: has_role(&self.user, Role::Dpo) || has_role(&self.user, Role::Admin),
            admin: has_role(&self.user, Role::Admin),
        }
    }
}

/// The logged-in user as the page header shows them. The links only spare users pages they
/// cannot open: every page checks the role again on the server.
#[derive(Debug, Clone)]
pub struct Who {
    pub label: String,
    pub supervisor: bool,
    pub dpo: bool,
    pub admin: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    t: Tr,
    chrome: Chrome,
    failed: bool,
}

/// The log-in form's own CSRF token (against log-in CSRF: another site logging the officer in
/// to an account of its choosing): a random value in a `SameSite=Strict` cookie and in the form,
/// which must agree when the form comes back.
const LOGIN_COOKIE: &str = "grens_login";

pub(super) async fn login_page(headers: HeaderMap) -> Response {
    login_form(&headers, false, StatusCode::OK)
}

/// The log-in page with a fresh form token.
fn login_form(headers: &HeaderMap, failed: bool, status: StatusCode) -> Response {
    let (token, _) = crate::accounts::new_token();
    let mut chrome = Chrome::anonymous("/login");
    chrome.csrf = token.clone();
    let mut page = render(
        LoginPage {
            t: language(headers, None),
            chrome,
            failed,
        },
        status,
    );
    if let Ok(cookie) = header::HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; Path=/login; Secure; HttpOnly; SameSite=Strict; Max-Age=3600"
    )) {
        page.headers_mut().append(header::SET_COOKIE, cookie);
    }
    page
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub(super) async fn login(
    State(api): State<Arc<Api>>,
    client: Option<axum::Extension<crate::http::ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let source = client.map(|c| c.0 .0.ip());
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || f.csrf != expected {
        return (
            StatusCode::FORBIDDEN,
            "the log-in form's token does not match: open the log-in page again",
        )
            .into_response();
    }
    match api.log_in(&f.username, &f.password, source).await {
        Ok((token, _, _)) => (
            // Appended: an array of pairs would let the second cookie replace the first.
            axum::response::AppendHeaders([
                (
                    header::SET_COOKIE,
                    format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800"),
                ),
                (
                    header::SET_COOKIE,
                    format!("{LOGIN_COOKIE}=; Path=/login; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
                ),
            ]),
            Redirect::to("/"),
        )
            .into_response(),
        Err(_) => login_form(&headers, true, StatusCode::UNAUTHORIZED),
    }
}

/// A form whose only field is its CSRF token (log-out, revoke, patrol steps).
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {}

pub(super) async fn logout(State(api): State<Arc<Api>>, CsrfForm(w, _): CsrfForm<CsrfOnly>) -> Response {
    let _ = api.desk.logout(&w.token).await;
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct Back {
    back: Option<String>,
}

pub(super) async fn switch_language(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let t = Tr::new(&code);
    let back = local_path(q.back, "/");
    (
        [(
            header::SET_COOKIE,
            format!(
                "{LANGUAGE_COOKIE}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
                t.lang
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

/// What the layout of every page shows (`base.html`): who is logged in, the language switch
/// back to this page, and the CSRF token of the log-out form and of the page's own forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user: Option<Who>,
    pub csrf: String,
    pub path: String,
    pub languages: [(&'static str, &'static str); 3],
    /// The node's clock when the page was made (RFC 3339): the live countdowns run from it.
    pub now: String,
}

impl Chrome {
    /// The chrome of a page nobody is logged in to (the log-in page).
    pub(super) fn anonymous(path: &str) -> Chrome {
        Chrome {
            user: None,
            csrf: String::new(),
            path: path.to_owned(),
            languages: LANGUAGES,
            now: String::new(),
        }
    }
}

/// A posted form of a logged-in user whose CSRF token is this session's: the user and the form.
/// A forged or missing token is refused (403) before the form is read; a malformed form is
/// refused (422) with serde's words for the field.
#[derive(Debug)]
pub struct CsrfForm<T>(pub WebUser, pub T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<Arc<Api>> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, api: &Arc<Api>) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct Token {
            #[serde(default)]
            csrf: String,
        }
        let (mut parts, body) = request.into_parts();
        let w = WebUser::from_request_parts(&mut parts, api)
            .await
            .map_err(IntoResponse::into_response)?;
        let request = axum::extract::Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(request, api)
            .await
            .map_err(IntoResponse::into_response)?;
        let token: Token = serde_urlencoded::from_bytes(&bytes).unwrap_or(Token { csrf: String::new() });
        if let Some(refused) = w.forged(&token.csrf) {
            return Err(refused);
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("form: {e}")).into_response())?;
        Ok(CsrfForm(w, form))
    }
}
