//! Logging for the `grens` binary: `tracing` lines on standard error, human-readable by default
//! or JSON (`GRENS_LOG_FORMAT=json`), filtered by `GRENS_LOG` or else `RUST_LOG`.
//!
//! `GRENS_LOG=debug` (a bare level) applies to grens's own crates and keeps the libraries at
//! `warn`, so that it shows one line per request with its request id rather than every TLS
//! record; a full filter (`GRENS_LOG=node=debug,tower_http=debug`) is taken as written.

use tracing_subscriber::EnvFilter;

const OWN_CRATES: [&str; 7] = ["grens", "node", "demo", "store", "treaty", "protocol", "anpr"];

/// The filter for `text`: a bare level applies to grens's crates, anything else is an
/// `EnvFilter` directive list.
fn filter(text: &str) -> EnvFilter {
    let text = text.trim();
    let directives = match text {
        "error" | "warn" | "info" | "debug" | "trace" => {
            let own: Vec<String> = OWN_CRATES.iter().map(|c| format!("{c}={text}")).collect();
            format!("warn,{}", own.join(","))
        }
        other => other.to_owned(),
    };
    EnvFilter::try_new(&directives).unwrap_or_else(|e| {
        eprintln!("GRENS_LOG: '{text}' is not a log filter ({e}); using warn");
        EnvFilter::new("warn")
    })
}

/// Installs the subscriber; later calls (tests) are ignored.
pub fn init() {
    let wanted = std::env::var("GRENS_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "warn".into());
    let json = std::env::var("GRENS_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(&wanted))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(true);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// Waits for Ctrl-C or, on Unix, SIGTERM — what a service manager sends to stop a node.
pub async fn stop_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map(|()| "interrupt"),
            _ = term.recv() => Ok("terminate"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| "interrupt")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_level_applies_to_grens_crates_and_keeps_libraries_at_warn() {
        let f = filter("debug").to_string();
        let directives: Vec<&str> = f.split(',').collect();
        assert!(
            directives.contains(&"node=debug") && directives.contains(&"grens=debug"),
            "{f}"
        );
        assert!(directives.contains(&"warn"), "libraries stay at warn: {f}");
        assert_eq!(filter("node=trace").to_string(), "node=trace");
    }
}
