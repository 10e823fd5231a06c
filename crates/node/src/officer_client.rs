//! A client of the officers' API, for the CLI (`grens request`, `grens inbox`, `grens reply`),
//! `grens demo --check` and the tests: HTTPS that trusts only the network's CA, a bearer token.

use reqwest::{Method, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::Value;

use crate::NodeError;

/// A logged-in officer.
#[derive(Debug, Clone)]
pub struct OfficerClient {
    http: reqwest::Client,
    base: String,
    token: String,
    pub username: String,
}

/// An API answer: its status and JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The body when the status is a success; otherwise the API's error message.
    pub fn ok(self) -> Result<Value, NodeError> {
        if self.status.is_success() {
            Ok(self.body)
        } else {
            Err(NodeError::Delivery {
                to: "officer API".into(),
                problem: format!(
                    "{}: {}",
                    self.status,
                    self.body["message"].as_str().unwrap_or(&self.body.to_string())
                ),
            })
        }
    }
}

fn http(ca_pem: &str) -> Result<reqwest::Client, NodeError> {
    browser_like(ca_pem, reqwest::redirect::Policy::default())
}

/// An HTTPS client that trusts only the network's CA and follows redirects as `policy` says
/// (tests of the web pages look at the redirects themselves).
pub fn browser_like(ca_pem: &str, policy: reqwest::redirect::Policy) -> Result<reqwest::Client, NodeError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| NodeError::Config {
            what: "CA certificate".into(),
            problem: e.to_string(),
        })?;
        roots.add(cert).map_err(|e| NodeError::Client(e.to_string()))?;
    }
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| NodeError::Client(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(policy)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| NodeError::Client(e.to_string()))
}

impl OfficerClient {
    /// Logs in at `base` (`https://127.0.0.1:8443`).
    pub async fn login(base: &str, ca_pem: &str, username: &str, password: &str) -> Result<OfficerClient, NodeError> {
        let http = http(ca_pem)?;
        let base = base.trim_end_matches('/').to_owned();
        let answer = send(
            &http,
            Method::POST,
            &format!("{base}/api/v1/session"),
            None,
            Some(serde_json::json!({ "username": username, "password": password }).to_string()),
        )
        .await?
        .ok()?;
        let token = answer["token"]
            .as_str()
            .ok_or_else(|| NodeError::Client("log-in answer without a token".into()))?
            .to_owned();
        Ok(OfficerClient {
            http,
            base,
            token,
            username: username.to_owned(),
        })
    }

    /// The same session at another address: another replica of the node, or its load balancer.
    pub fn at(&self, base: &str) -> OfficerClient {
        OfficerClient {
            base: base.trim_end_matches('/').to_owned(),
            ..self.clone()
        }
    }

    pub async fn get(&self, path: &str) -> Result<Answer, NodeError> {
        send(
            &self.http,
            Method::GET,
            &format!("{}{path}", self.base),
            Some(&self.token),
            None,
        )
        .await
    }

    /// A plain-text resource (the metrics), or the error's text.
    pub async fn get_text(&self, path: &str) -> Result<String, NodeError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| NodeError::Client(e.to_string()))?;
        response.text().await.map_err(|e| NodeError::Client(e.to_string()))
    }

    /// A web page as the officer's browser gets it (the session cookie carries the same
    /// token): its status and HTML.
    pub async fn get_page(&self, path: &str) -> Result<(u16, String), NodeError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, format!("grens_session={}", self.token))
            .send()
            .await
            .map_err(|e| NodeError::Client(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| NodeError::Client(e.to_string()))?;
        Ok((status, text))
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Answer, NodeError> {
        self.post_json(path, body.to_string()).await
    }

    /// [`OfficerClient::post`] with a body that is JSON text already (camera reads forwarded
    /// as they came).
    pub async fn post_json(&self, path: &str, body: String) -> Result<Answer, NodeError> {
        send(
            &self.http,
            Method::POST,
            &format!("{}{path}", self.base),
            Some(&self.token),
            Some(body),
        )
        .await
    }
}

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<Answer, NodeError> {
    let mut request = http.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body);
    }
    let response = request.send().await.map_err(|e| NodeError::Delivery {
        to: url.to_owned(),
        problem: format!("{e:#}"),
    })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| NodeError::Delivery {
        to: url.to_owned(),
        problem: e.to_string(),
    })?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(Answer { status, body })
}
