//! The inbox partners deliver to. Trust is established once, in order, before anything is
//! stored: TLS client certificate of the network's CA (handshake), certificate in the directory,
//! JWS key id of that same node, signature over the exact bytes, envelope from that node and
//! addressed to this one, under an agreement both take part in, creation time within the
//! allowed skew. Then the message is stored once (by id) with its journal entry, and a signed
//! receipt goes back. Every refusal is journaled with its reason.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use jiff::SignedDuration;
use protocol::{Body, Envelope, LegalBasis, NodeAddress, NodeKey};
use sha2::{Digest, Sha256};
use store::{AnyStore, Incoming, JournalStore, NewEntry, Operation, Received};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::peer::directory::{Directory, DirectoryEntry};

/// The header that carries the detached JWS.
pub const SIGNATURE_HEADER: &str = "grens-signature";

/// Everything the inbox needs.
pub struct NodeState {
    pub me: DirectoryEntry,
    pub key: NodeKey,
    pub directory: Directory,
    pub store: AnyStore,
    /// Time is a parameter: tests pass a fixed or shifted clock.
    pub clock: crate::clock::Clock,
    /// How far an envelope's `created_at` may be from this node's clock.
    pub max_skew: SignedDuration,
    /// The national databases partners may query through this node (Arts. 14–16).
    pub databases: Vec<Arc<dyn crate::national::NationalDatabase>>,
    /// Woken when a new message is stored, for the automatic answers (Art. 14).
    pub arrived: Arc<tokio::sync::Notify>,
    /// The ANPR hotlists this node compares camera reads with (Art. 13).
    pub anpr: Arc<crate::desk::anpr::Hotlists>,
    /// This node's metrics (`/metrics`).
    pub metrics: Arc<crate::telemetry::Metrics>,
    /// The agreement, for the case facts of what arrives.
    pub profile: Arc<treaty::Profile>,
    /// Failures of unauthenticated callers, counted (crate::refusals).
    pub refusals: Arc<crate::refusals::Refusals>,
    /// Whether this replica runs the node's own duties (crate::duties).
    pub duties: Arc<crate::duties::Duties>,
}

impl std::fmt::Debug for NodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeState")
            .field("me", &self.me.id)
            .finish_non_exhaustive()
    }
}

/// Who is on the other end of the connection.
#[derive(Debug, Clone)]
struct Peer {
    addr: SocketAddr,
    fingerprint: Option<String>,
}

/// Accepts connections until `stop` is cancelled; each connection is served in its own task,
/// tracked by `tracker`, and finishes the request in flight on shutdown.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    state: Arc<NodeState>,
    limits: crate::config::ConnectionLimits,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let acceptor = TlsAcceptor::from(tls);
    let accepting = stop.clone();
    crate::http::accept_until(listener, limits, accepting, tracker, move |tcp, addr| {
        let (acceptor, state, stop) = (acceptor.clone(), state.clone(), stop.clone());
        async move {
            let stream = match crate::http::handshake(&acceptor, tcp, limits, &stop).await {
                None => return,
                Some(Ok(s)) => s,
                Some(Err(e)) => {
                    // A certificate of another CA, an expired one, or no certificate at all:
                    // counted, not journaled one by one (crate::refusals).
                    crate::refusals::record(
                        &state,
                        crate::refusals::Channel::InboxHandshake,
                        &format!("unauthenticated peer {}", addr.ip()),
                        &e.to_string(),
                    )
                    .await;
                    return;
                }
            };
            let fingerprint = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| hex::encode(Sha256::digest(c.as_ref())));
            let app = router(state).layer(Extension(Peer { addr, fingerprint }));
            crate::http::serve_connection(stream, app, limits, stop).await;
        }
    })
    .await;
}

fn router(state: Arc<NodeState>) -> Router {
    Router::new()
        .route("/v1/inbox", post(receive))
        .route("/v1/journal/{length}", axum::routing::get(journal_head))
        .layer(axum::extract::DefaultBodyLimit::max(protocol::MAX_ENVELOPE_BYTES))
        .with_state(state)
}

/// A partner asks what this node's journal head was at `length` entries, to compare with the
/// checkpoint it was given then. The answer is a signed `journal_checkpoint` envelope: a node
/// that rewrote its history cannot answer with the old head without the old entries.
async fn journal_head(
    State(state): State<Arc<NodeState>>,
    Extension(peer): Extension<Peer>,
    axum::extract::Path(length): axum::extract::Path<i64>,
) -> Response {
    let Some(partner) = peer
        .fingerprint
        .as_deref()
        .and_then(|f| state.directory.by_fingerprint(f))
    else {
        return Refusal {
            status: StatusCode::FORBIDDEN,
            reason: "client certificate is not in the network directory".into(),
        }
        .into_response();
    };
    let head = match state.store.entries(length, length).await {
        Ok(entries) => match entries.first() {
            Some(e) => e.hash.clone(),
            None => {
                return Refusal {
                    status: StatusCode::NOT_FOUND,
                    reason: format!("this journal has no entry {length}"),
                }
                .into_response()
            }
        },
        Err(e) => {
            return Refusal {
                status: StatusCode::SERVICE_UNAVAILABLE,
                reason: format!("journal unreadable: {e}"),
            }
            .into_response()
        }
    };
    let answer = Envelope::new(
        NodeAddress::node(state.me.party.clone(), state.me.id.clone()),
        NodeAddress::node(partner.party.clone(), partner.id.clone()),
        state.clock.now(),
        LegalBasis {
            instrument: "grens".into(),
            article: "4".parse().expect("a valid article"),
        },
        Body::JournalCheckpoint {
            length: u64::try_from(length).unwrap_or(0),
            head,
        },
    );
    match protocol::sign(&answer, &state.key) {
        Ok(signed) => (StatusCode::OK, [(SIGNATURE_HEADER, signed.signature)], signed.bytes).into_response(),
        Err(e) => Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            reason: e.to_string(),
        }
        .into_response(),
    }
}

/// A refusal: status and a message that names what is wrong.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    reason: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.reason }))).into_response()
    }
}

async fn journal_refusal(state: &NodeState, actor: &str, message_id: Option<String>, reason: &str) {
    let entry = NewEntry {
        at: state.clock.now(),
        operation: Operation::Collection,
        actor: actor.to_owned(),
        justification: format!("refused: {reason}"),
        recipient: None,
        message_id,
        case_id: None,
        details: serde_json::json!({ "outcome": "refused" }),
    };
    // The refusal is answered even if the journal cannot be written; the error is logged.
    if let Err(e) = state.store.append(entry).await {
        tracing::error!(%reason, error = %e, "journal write failed while refusing a delivery");
    }
}

async fn receive(
    State(state): State<Arc<NodeState>>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    match verified(&state, &peer, &headers, &bytes).await {
        Ok(response) => response,
        Err((refusal, actor, message_id)) => {
            journal_refusal(&state, &actor, message_id, &refusal.reason).await;
            refusal.into_response()
        }
    }
}

type Refused = (Refusal, String, Option<String>);

fn refuse(status: StatusCode, actor: &str, message_id: Option<String>, reason: impl Into<String>) -> Refused {
    (
        Refusal {
            status,
            reason: reason.into(),
        },
        actor.to_owned(),
        message_id,
    )
}

async fn verified(state: &NodeState, peer: &Peer, headers: &HeaderMap, bytes: &[u8]) -> Result<Response, Refused> {
    let anonymous = format!("peer {}", peer.addr);
    // 1. The certificate passed the CA check in the handshake; it must also be a directory node.
    let Some(sender) = peer
        .fingerprint
        .as_deref()
        .and_then(|f| state.directory.by_fingerprint(f))
    else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            &anonymous,
            None,
            "client certificate is not in the network directory",
        ));
    };
    let actor = format!("{}/{}", sender.party, sender.id);
    // 2. The signature names that node's key and verifies over the exact bytes.
    let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            &actor,
            None,
            format!("missing {SIGNATURE_HEADER} header"),
        ));
    };
    match protocol::signing::key_id(signature) {
        Ok(kid) if kid == sender.id => {}
        Ok(kid) => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                &actor,
                None,
                format!("signed with key {kid}, but the connection is {}", sender.id),
            ))
        }
        Err(e) => return Err(refuse(StatusCode::UNAUTHORIZED, &actor, None, e.to_string())),
    }
    let Some(key) = sender.verifying_key() else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            &actor,
            None,
            format!("directory has no valid signing key for {}", sender.id),
        ));
    };
    let envelope = match protocol::verify(bytes, signature, &key) {
        Ok(e) => e,
        Err(e @ protocol::ProtocolError::MalformedEnvelope(_)) => {
            return Err(refuse(StatusCode::BAD_REQUEST, &actor, None, e.to_string()))
        }
        Err(e) => return Err(refuse(StatusCode::UNAUTHORIZED, &actor, None, e.to_string())),
    };
    let id = Some(envelope.id.to_string());
    // 3. From the connected node, to this node, and on time.
    if envelope.from.node != sender.id || envelope.from.party != sender.party {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            &actor,
            id,
            format!(
                "envelope claims to be from {}, connection is {}",
                envelope.from, sender.id
            ),
        ));
    }
    if envelope.to.node != state.me.id || envelope.to.party != state.me.party {
        return Err(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            &actor,
            id,
            format!(
                "envelope is addressed to {}, this node is {}/{}",
                envelope.to, state.me.party, state.me.id
            ),
        ));
    }
    // 3b. Under an instrument both nodes may use: an agreement they both take part in, an EU
    //     act only from a member state (treaty::instrument).
    if let Err(e) = treaty::instrument::admissible(&envelope.legal_basis.instrument, sender.member(), state.me.member())
    {
        let status = match e {
            treaty::instrument::Inadmissible::Unknown(_) => StatusCode::UNPROCESSABLE_ENTITY,
            treaty::instrument::Inadmissible::NotParty(_) => StatusCode::FORBIDDEN,
        };
        return Err(refuse(status, &actor, id, format!("legal_basis.instrument: {e}")));
    }
    let now = state.clock.now();
    let skew = now.duration_since(envelope.created_at).abs();
    if skew > state.max_skew {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            &actor,
            id,
            format!(
                "created_at {} is {}s from this node's clock (allowed {}s)",
                envelope.created_at,
                skew.as_secs(),
                state.max_skew.as_secs()
            ),
        ));
    }
    // 4. Every date in the plausible window: a partner's typo (or attack) dated year -1 would
    //    otherwise be stored and break every list that shows it.
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes)
        .map_err(|e| e.to_string())
        .and_then(|v| protocol::plausible::check_json(&v).map_err(|e| e.to_string()))
    {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &actor,
            id,
            format!("envelope {e}"),
        ));
    }
    // 5. Stored once, with its journal entry, in one transaction.
    let sha256 = hex::encode(Sha256::digest(bytes));
    let incoming = Incoming {
        message_id: envelope.id.to_string(),
        from_node: actor.clone(),
        received_at: now,
        sha256: sha256.clone(),
        bytes: String::from_utf8_lossy(bytes).into_owned(),
        signature: signature.to_owned(),
        meta: crate::meta_of(&state.profile, &envelope, store::Direction::Incoming, now),
    };
    let entry = NewEntry {
        at: now,
        operation: Operation::Collection,
        actor: actor.clone(),
        justification: format!(
            "received {} under {} Art. {}",
            envelope.body.kind(),
            envelope.legal_basis.instrument,
            envelope.legal_basis.article
        ),
        recipient: Some(format!("{}/{}", state.me.party, state.me.id)),
        message_id: id.clone(),
        case_id: envelope.case.map(|c| c.to_string()),
        details: match &envelope.transfer {
            None => serde_json::json!({ "kind": envelope.body.kind(), "sha256": sha256 }),
            // A member state's Chapter V basis, as it sent the data (Directive 2016/680 Art. 35).
            Some(t) => serde_json::json!({ "kind": envelope.body.kind(), "sha256": sha256, "transfer": t }),
        },
    };
    // Risk supporters' data are erased after the event: scheduled before they are stored.
    if let Some((due, article)) = crate::desk::sports::erasure_due(&state.profile, &envelope) {
        if let Err(e) = crate::desk::sports::schedule_erasure(&state.store, &envelope, due, &article, &actor).await {
            tracing::error!(message = %envelope.id, error = %e, "store failure scheduling an erasure");
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                &actor,
                id,
                "the message could not be stored; deliver again later",
            ));
        }
    }
    match state.store.receive(incoming, entry).await {
        Ok(Received::New(_)) => {
            state.metrics.received(envelope.body.kind());
            state.arrived.notify_one();
        }
        Ok(Received::Duplicate) => {}
        Ok(Received::Conflict) => {
            return Err(refuse(
                StatusCode::CONFLICT,
                &actor,
                id,
                format!(
                    "message id {} was already received with other content (replay)",
                    envelope.id
                ),
            ))
        }
        Err(e) => {
            tracing::error!(message = %envelope.id, error = %e, "store failure receiving a message");
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                &actor,
                id,
                "the message could not be stored; deliver again later",
            ));
        }
    }
    // 5. A signed receipt: the sender can prove the delivery.
    let receipt = Envelope::new(
        NodeAddress {
            party: state.me.party.clone(),
            node: state.me.id.clone(),
            unit: None,
        },
        envelope.from.clone(),
        now,
        LegalBasis {
            instrument: "grens".into(),
            article: envelope.legal_basis.article.clone(),
        },
        Body::Receipt {
            received: envelope.id,
            sha256,
        },
    )
    .replying_to(&envelope);
    match protocol::sign(&receipt, &state.key) {
        Ok(signed) => Ok((StatusCode::OK, [(SIGNATURE_HEADER, signed.signature)], signed.bytes).into_response()),
        Err(e) => Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &actor,
            id,
            format!("cannot sign the receipt: {e}"),
        )),
    }
}
