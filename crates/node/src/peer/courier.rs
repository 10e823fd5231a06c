//! Delivering a signed message to a partner over mutual TLS, and checking its receipt.

use protocol::{Body, MessageId, SignedMessage};

use crate::peer::directory::DirectoryEntry;
use crate::peer::inbox::SIGNATURE_HEADER;
use crate::NodeError;

/// What a partner answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by the partner; its signed receipt verified.
    Receipted { received: MessageId, sha256: String },
    /// Refused with a status and the partner's reason.
    Refused { status: u16, reason: String },
}

/// An HTTPS client presenting this node's certificate.
#[derive(Debug, Clone)]
pub struct Courier {
    http: reqwest::Client,
}

impl Courier {
    pub fn new(tls: rustls::ClientConfig) -> Result<Courier, NodeError> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(std::time::Duration::from_secs(10))
            // Shorter than a partner's idle timeout (30 s by default, `[connections]`), so a
            // kept-alive connection is never reused just as the partner closes it.
            .pool_idle_timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| NodeError::Client(e.to_string()))?;
        Ok(Courier { http })
    }

    /// Posts `message` to `to`'s inbox. A transport failure is an error (deliver again later);
    /// an answer is a [`Delivery`].
    pub async fn deliver(&self, to: &DirectoryEntry, message: &SignedMessage) -> Result<Delivery, NodeError> {
        let failed = |problem: String| NodeError::Delivery {
            to: to.id.clone(),
            problem,
        };
        let response = self
            .http
            .post(format!("{}/v1/inbox", to.url.trim_end_matches('/')))
            .header(SIGNATURE_HEADER, &message.signature)
            .header("content-type", "application/json")
            .body(message.bytes.clone())
            .send()
            .await
            .map_err(|e| failed(format!("{e:#}")))?;
        let receipt = match signed_answer(to, response).await? {
            Ok(envelope) => envelope,
            Err((status, reason)) => return Ok(Delivery::Refused { status, reason }),
        };
        match receipt.body {
            Body::Receipt { received, sha256 } if sha256 == message.sha256() => {
                Ok(Delivery::Receipted { received, sha256 })
            }
            Body::Receipt { .. } => Err(failed("receipt acknowledges other bytes than were sent".into())),
            other => Err(failed(format!("expected a receipt, got {}", other.kind()))),
        }
    }

    /// Asks `to` for its journal head at `length` entries; verifies its signed answer.
    pub async fn journal_head(&self, to: &DirectoryEntry, length: u64) -> Result<String, NodeError> {
        let failed = |problem: String| NodeError::Delivery {
            to: to.id.clone(),
            problem,
        };
        let response = self
            .http
            .get(format!("{}/v1/journal/{length}", to.url.trim_end_matches('/')))
            .send()
            .await
            .map_err(|e| failed(format!("{e:#}")))?;
        let answer = signed_answer(to, response)
            .await?
            .map_err(|(status, reason)| failed(format!("{status}: {reason}")))?;
        match answer.body {
            Body::JournalCheckpoint { length: l, head } if l == length => Ok(head),
            other => Err(failed(format!("expected the head at {length}, got {}", other.kind()))),
        }
    }
}

/// Reads a partner's answer: a refusal as `(status, reason)`, or an envelope whose detached
/// signature (in [`SIGNATURE_HEADER`]) verifies with the partner's key from the directory.
async fn signed_answer(
    to: &DirectoryEntry,
    response: reqwest::Response,
) -> Result<Result<protocol::Envelope, (u16, String)>, NodeError> {
    let failed = |problem: String| NodeError::Delivery {
        to: to.id.clone(),
        problem,
    };
    let status = response.status();
    let signature = response
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
    if !status.is_success() {
        let reason = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        return Ok(Err((status.as_u16(), reason)));
    }
    let signature = signature.ok_or_else(|| failed("answer without signature".into()))?;
    let key = to
        .verifying_key()
        .ok_or_else(|| failed("no signing key in the directory".into()))?;
    protocol::verify(&body, &signature, &key)
        .map(Ok)
        .map_err(|e| failed(format!("signed answer: {e}")))
}
