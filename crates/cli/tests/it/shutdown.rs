//! Graceful shutdown: `grens serve` stopped with SIGTERM in the middle of a burst of requests
//! stops accepting, finishes what is in flight, exits 0 — and nothing it acknowledged is lost.

use std::time::{Duration, Instant};

use node::officer_client::OfficerClient;
use store::JournalStore;

use crate::crash::{delivered, pair, received_exactly_once_with_intact_journals, request, store_of};

#[test]
fn sigterm_during_a_burst_exits_zero_and_loses_nothing_acknowledged() {
    let mut pair = pair();
    let (nl_api, ca) = (pair.nl_api.clone(), pair.ca.clone());
    // Four officers' clients send as fast as they can, each until its first failure after the
    // signal: a request either gets its acknowledgement or a refused connection.
    let (signalled_tx, signalled_rx) = std::sync::mpsc::channel::<()>();
    let signalled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let senders: Vec<_> = (0..4)
        .map(|worker| {
            let (api, ca, signalled) = (nl_api.clone(), ca.clone(), signalled.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Runtime::new().expect("runtime");
                let client = rt
                    .block_on(OfficerClient::login(&api, &ca, "nl.officer", "crash-test-pw"))
                    .expect("log-in");
                let (mut acknowledged, mut after_signal) = (Vec::new(), 0usize);
                for n in 0..2_000 {
                    match rt.block_on(client.post("/api/v1/messages", &request(worker * 10_000 + n))) {
                        Ok(answer) if answer.status.is_success() => {
                            acknowledged.push(answer.body["message_id"].as_str().expect("id").to_owned());
                            if signalled.load(std::sync::atomic::Ordering::SeqCst) {
                                after_signal += 1;
                            }
                        }
                        _ if signalled.load(std::sync::atomic::Ordering::SeqCst) => break,
                        _ => {}
                    }
                }
                (acknowledged, after_signal)
            })
        })
        .collect();
    // Let the burst run, then stop NL while requests are in flight.
    let started = Instant::now();
    let store_dir = pair.dir.path().to_owned();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    loop {
        let queued = rt.block_on(async {
            let counts = store_of(&store_dir, "NL-NCP")
                .await
                .outbox_counts()
                .await
                .expect("counts");
            counts.pending + counts.delivered
        });
        if queued >= 60 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    signalled.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = signalled_tx.send(());
    let status = pair.nl.terminate(Duration::from_secs(30));
    drop(signalled_rx);
    let status = status.expect("grens serve exits within 30 s of SIGTERM");
    assert!(status.success(), "grens serve exits 0 on SIGTERM: {status:?}");
    let log = std::fs::read_to_string(pair.dir.path().join("nl.log")).expect("NL's output");
    assert!(
        log.contains("stopping (terminate)") && log.contains("stopped"),
        "NL says it stopped: {log}"
    );
    let (mut acknowledged, mut after_signal) = (Vec::new(), 0);
    for sender in senders {
        let (ids, after) = sender.join().expect("sender");
        acknowledged.extend(ids);
        after_signal += after;
    }
    eprintln!(
        "SIGTERM test: {} requests acknowledged, {after_signal} of them after the signal was sent",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() >= 60,
        "the burst was under way: {} acknowledged",
        acknowledged.len()
    );

    // Started again, NL delivers whatever its outbox still holds; BE has every acknowledged
    // request exactly once, and both journals verify.
    pair.nl.start();
    let dir = pair.dir.path().to_owned();
    let missing = rt.block_on(delivered(&dir, &acknowledged, Duration::from_secs(90)));
    assert!(
        missing.is_empty(),
        "{} acknowledged requests lost: {missing:?}",
        missing.len()
    );
    assert!(pair.be.terminate(Duration::from_secs(30)).is_some_and(|s| s.success()));
    pair.nl.kill();
    rt.block_on(received_exactly_once_with_intact_journals(&dir, &acknowledged));
}

/// `GRENS_LOG=debug grens serve` writes one structured line per request, with the request id
/// the response carries in `x-request-id`; `/readyz` answers once the store does; `/metrics` is
/// the Prometheus exporter's text of this node's own counters.
#[test]
fn each_request_is_one_log_line_with_its_request_id_and_metrics_come_from_the_exporter() {
    let mut pair = pair();
    // Restart NL with JSON logs on standard error.
    pair.nl.kill();
    let errors = pair.dir.path().join("nl.stderr");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(["serve", "--config", pair.nl.config.to_str().expect("utf-8")])
        .env("GRENS_LOG", "debug")
        .env("GRENS_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&errors).expect("stderr file"))
        .spawn()
        .expect("grens serve");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (request_id, metrics) = rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", pair.nl_api_port)).is_err() {
            assert!(Instant::now() < deadline, "NL did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let http = node::officer_client::browser_like(&pair.ca, reqwest::redirect::Policy::none()).expect("client");
        let ready = http
            .get(format!("{}/readyz", pair.nl_api))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status().as_u16(), 200);
        let request_id = ready
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("a request id on the response")
            .to_owned();
        let nl = OfficerClient::login(&pair.nl_api, &pair.ca, "nl.officer", "crash-test-pw")
            .await
            .expect("log-in");
        nl.post("/api/v1/messages", &request(1))
            .await
            .expect("post")
            .ok()
            .expect("sent");
        let metrics = nl.get_text("/metrics").await.expect("metrics");
        (request_id, metrics)
    });
    assert!(
        metrics.contains("# TYPE grens_engine_decisions_total counter")
            && metrics.contains("grens_engine_decisions_total{action=\"exchange.channel\",verdict=\"allowed\"} 1")
            && metrics.contains("grens_http_requests_total{status=\"2xx\"}"),
        "{metrics}"
    );
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&errors).expect("NL's log");
    let lines: Vec<serde_json::Value> = log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let for_readyz: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == request_id.as_str())
        .collect();
    assert_eq!(for_readyz.len(), 1, "one line for the request {request_id}: {log}");
    let line = for_readyz[0];
    assert_eq!(line["span"]["path"], "/readyz", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert!(line["latency_ms"].as_f64().is_some(), "{line}");
}
