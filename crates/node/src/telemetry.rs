//! Metrics of one node, rendered for Prometheus at `/metrics` by `metrics-exporter-prometheus`.
//!
//! Each node has its own recorder (not the process-global one), so that several nodes in one
//! process — the demo, the tests — each count only their own traffic. Logging is `tracing`;
//! the binary installs the subscriber (`GRENS_LOG` / `RUST_LOG`, human or JSON lines).

use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Label, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// The counters, gauges and histograms of one node.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

const META: Metadata<'static> = Metadata::new(module_path!(), metrics::Level::INFO, None);

fn key(name: &'static str, labels: &[(&'static str, &str)]) -> Key {
    let labels: Vec<Label> = labels.iter().map(|(k, v)| Label::new(*k, (*v).to_owned())).collect();
    Key::from_parts(name, labels)
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0])
            .map_or_else(|_| PrometheusBuilder::new().build_recorder(), |b| b.build_recorder());
        let handle = recorder.handle();
        let m = Metrics { recorder, handle };
        m.describe();
        m
    }

    fn describe(&self) {
        let describe = |name: &'static str, help: &'static str| {
            self.recorder
                .describe_counter(name.into(), None, metrics::SharedString::const_str(help));
        };
        describe(
            "grens_messages_received_total",
            "Messages stored by the inbox, by kind.",
        );
        describe(
            "grens_messages_sent_total",
            "Messages delivered to a partner (signed receipt), by kind.",
        );
        describe(
            "grens_messages_refused_total",
            "Messages a partner refused for good, by kind.",
        );
        describe(
            "grens_engine_decisions_total",
            "Treaty engine decisions taken by the desk, by action and verdict.",
        );
        describe(
            "grens_hitnohit_answers_total",
            "Art. 14 queries answered by this node, by result.",
        );
        describe(
            "grens_http_requests_total",
            "API and web requests, by method class and status class.",
        );
        describe(
            "grens_anpr_reads_total",
            "Camera reads compared (rate() gives reads per second).",
        );
        describe(
            "grens_anpr_hits_total",
            "Reads that matched an entry (returned to its provider).",
        );
        describe("grens_anpr_invalid_reads_total", "Reads that could not be compared.");
        self.recorder.describe_gauge(
            "grens_outbox_pending".into(),
            None,
            "Messages queued for delivery and not yet settled.".into(),
        );
        self.recorder.describe_gauge(
            "grens_anpr_hotlist_entries".into(),
            None,
            "Entries compared now, per providing party.".into(),
        );
        self.recorder.describe_gauge(
            "grens_anpr_ingest_lag_milliseconds".into(),
            None,
            "Worst delay between camera time and comparison in the last batch.".into(),
        );
        self.recorder.describe_histogram(
            "grens_delivery_seconds".into(),
            Some(metrics::Unit::Seconds),
            "From queueing a message to the partner's signed receipt.".into(),
        );
    }

    pub fn counter(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Counter {
        self.recorder.register_counter(&key(name, labels), &META)
    }

    pub fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Gauge {
        self.recorder.register_gauge(&key(name, labels), &META)
    }

    pub fn histogram(&self, name: &'static str, labels: &[(&'static str, &str)]) -> Histogram {
        self.recorder.register_histogram(&key(name, labels), &META)
    }

    /// A message of `kind` stored by the inbox.
    pub fn received(&self, kind: &str) {
        self.counter("grens_messages_received_total", &[("kind", kind)])
            .increment(1);
    }

    /// A message of `kind` delivered `after` its queueing.
    pub fn delivered(&self, kind: &str, after: Duration) {
        self.counter("grens_messages_sent_total", &[("kind", kind)])
            .increment(1);
        self.histogram("grens_delivery_seconds", &[])
            .record(after.as_secs_f64());
    }

    /// A message of `kind` refused for good by its partner.
    pub fn refused(&self, kind: &str) {
        self.counter("grens_messages_refused_total", &[("kind", kind)])
            .increment(1);
    }

    /// A decision of the treaty engine.
    pub fn decision(&self, action: &str, verdict: &str) {
        self.counter(
            "grens_engine_decisions_total",
            &[("action", action), ("verdict", verdict)],
        )
        .increment(1);
    }

    /// The Prometheus text of everything recorded so far.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_node_counts_only_its_own_and_renders_prometheus_text() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.received("request");
        a.received("request");
        b.received("provision");
        a.decision("exchange.channel", "allowed");
        let text = a.render();
        assert!(
            text.contains("grens_messages_received_total{kind=\"request\"} 2"),
            "{text}"
        );
        assert!(!text.contains("provision"), "{text}");
        assert!(text.contains("# TYPE grens_messages_received_total counter"), "{text}");
        assert!(
            text.contains("grens_engine_decisions_total{action=\"exchange.channel\",verdict=\"allowed\"} 1"),
            "{text}"
        );
    }
}
