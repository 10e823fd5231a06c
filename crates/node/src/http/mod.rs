//! The officers' HTTPS side: the JSON API ([`api`]) and the web pages ([`web`]), one file per
//! area in each with the desk's area names, served over TLS with a request id and a trace span
//! on every request, metrics, security headers, and a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, Request, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
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
    ];
    let mut router = api::router(api.clone()).merge(web::router(api));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
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

/// Accepts connections on `listener` until `stop` is cancelled and hands each, in a task
/// `tracker` follows, to `connection` (the TLS handshake and the serving); then stops accepting.
/// The inbox and the officers' side share it.
pub async fn accept_until<F, Fut>(listener: TcpListener, stop: CancellationToken, tracker: TaskTracker, connection: F)
where
    F: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        let (tcp, addr) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        tracker.spawn(connection(tcp, addr));
    }
}

/// Accepts TLS connections on `listener` and serves `app` on each (no client certificate:
/// officers authenticate with a password), until `stop` is cancelled; then stops accepting and
/// lets every connection finish the request in flight (the caller waits on `tracker`).
pub async fn serve_tls(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let acceptor = TlsAcceptor::from(tls);
    let accepting = stop.clone();
    accept_until(listener, accepting, tracker, move |tcp, addr| {
        let (acceptor, stop, app) = (acceptor.clone(), stop.clone(), app.clone());
        async move {
            let stream = tokio::select! {
                () = stop.cancelled() => return,
                handshake = acceptor.accept(tcp) => match handshake {
                    Ok(stream) => stream,
                    Err(e) => {
                        tracing::debug!(peer = %addr, error = %e, "TLS handshake failed");
                        return;
                    }
                },
            };
            serve_connection(stream, app, stop).await;
        }
    })
    .await;
}

/// Serves one connection until it closes or `stop` is cancelled; then the request in flight is
/// finished and the connection closed.
pub async fn serve_connection(
    stream: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    app: Router,
    stop: CancellationToken,
) {
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
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
