//! The officers' HTTPS side: the JSON API ([`api`]) and the web pages ([`web`]), one file per
//! area in each with the desk's area names, served over TLS with a request id and a trace span
//! on every request, metrics, security headers, and a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, Request, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

use crate::config::ConnectionLimits;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

pub mod api;
mod throttle;
pub mod web;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The API and the pages, with request ids, one trace line per request, request metrics and the
/// security headers of every response.
pub fn app(api: Arc<api::Api>) -> Router {
    let metrics = api.desk.node.metrics.clone();
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // The officers' side is HTTPS only; browsers must never try it in clear.
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
    ];
    let mut router = api::router(api.clone()).merge(web::router(api));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    // Pages and API answers carry personal data: no cache keeps them (static files say
    // otherwise for themselves).
    router = router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ));
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|request: &Request<Body>| {
                        let id = request
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::debug_span!(
                            "request",
                            request_id = %id,
                            method = %request.method(),
                            path = %request.uri().path(),
                        )
                    })
                    .on_request(())
                    .on_response(move |response: &Response<Body>, latency: Duration, _span: &Span| {
                        let status = response.status().as_u16();
                        metrics
                            .counter("grens_http_requests_total", &[("status", status_class(status))])
                            .increment(1);
                        tracing::debug!(status, latency_ms = latency.as_secs_f64() * 1000.0, "request served");
                    })
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The address a request came from (the officers' side puts it in every request's extensions).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// Accepts connections on `listener` until `stop` is cancelled and hands each, in a task
/// `tracker` follows, to `connection` (the TLS handshake and the serving); then stops accepting.
/// At most `limits.max_connections` are open at once: one more is closed at once, so a flood
/// of idle sockets costs a bounded number of file descriptors and ends with the timeouts. The
/// inbox and the officers' side share it.
pub async fn accept_until<F, Fut>(
    listener: TcpListener,
    limits: ConnectionLimits,
    stop: CancellationToken,
    tracker: TaskTracker,
    connection: F,
) where
    F: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        let (tcp, addr) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::debug!(peer = %addr, limit = limits.max_connections, "connection limit reached: closed");
            drop(tcp);
            continue;
        };
        let serving = connection(tcp, addr);
        tracker.spawn(async move {
            serving.await;
            drop(permit);
        });
    }
}

/// The TLS handshake of `tcp`, given `limits.handshake_timeout_ms`; `None` when cancelled.
pub async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: tokio::net::TcpStream,
    limits: ConnectionLimits,
    stop: &CancellationToken,
) -> Option<Result<tokio_rustls::server::TlsStream<tokio::net::TcpStream>, std::io::Error>> {
    let timeout = Duration::from_millis(limits.handshake_timeout_ms);
    tokio::select! {
        () = stop.cancelled() => None,
        handshake = tokio::time::timeout(timeout, acceptor.accept(tcp)) => Some(match handshake {
            Ok(done) => done,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no TLS handshake within {} ms", limits.handshake_timeout_ms),
            )),
        }),
    }
}

/// Accepts TLS connections on `listener` and serves `app` on each (no client certificate:
/// officers authenticate with a password), until `stop` is cancelled; then stops accepting and
/// lets every connection finish the request in flight (the caller waits on `tracker`).
pub async fn serve_tls(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    limits: ConnectionLimits,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let acceptor = TlsAcceptor::from(tls);
    let accepting = stop.clone();
    accept_until(listener, limits, accepting, tracker, move |tcp, addr| {
        let (acceptor, stop, app) = (acceptor.clone(), stop.clone(), app.clone());
        async move {
            let stream = match handshake(&acceptor, tcp, limits, &stop).await {
                None => return,
                Some(Ok(stream)) => stream,
                Some(Err(e)) => {
                    tracing::debug!(peer = %addr, error = %e, "TLS handshake failed");
                    return;
                }
            };
            let app = app.layer(axum::Extension(ClientAddr(addr)));
            serve_connection(stream, app, limits, stop).await;
        }
    })
    .await;
}

/// Serves one connection until it closes, stays idle past `limits.idle_timeout_ms`, or `stop`
/// is cancelled; then the request in flight is finished and the connection closed.
pub async fn serve_connection(
    stream: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    app: Router,
    limits: ConnectionLimits,
    stop: CancellationToken,
) {
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // hyper's header-read timer also runs while a kept-alive connection waits for its next
    // request: it is the idle timeout too.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.idle_timeout_ms));
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_millis(limits.idle_timeout_ms))
        .keep_alive_timeout(Duration::from_millis(limits.idle_timeout_ms));
    let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
