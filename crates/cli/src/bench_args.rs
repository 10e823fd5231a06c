//! `grens bench …`: the benchmarks' command line (figures for docs/benchmarks.md).

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The contact point's pages at national volume: BE's store filled with N generated
    /// messages in cases, then the inbox, a deep filtered page, a subject search, a case view,
    /// the operations board and the Art. 18 report fetched over HTTPS — at N and N/100.
    Desk {
        #[arg(long, default_value_t = 1_000_000)]
        messages: usize,
        /// Requests per page and size.
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Keep the generated stores in this folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The hit/no-hit matching engine (clear and pseudonymised) on generated persons, with a
    /// labelled query set, against PostgreSQL pg_trgm on the same persons.
    Hitnohit {
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Labelled queries per variant (transliteration, typo, swapped, birth-date error, no
        /// birth date, one field, not in the database).
        #[arg(long, default_value_t = 300)]
        queries_per_variant: usize,
        /// Persons loaded into the pg_trgm baseline (the first ones); 0 skips it.
        #[arg(long, default_value_t = 1_000_000)]
        baseline_persons: usize,
        #[arg(long, default_value_t = 60)]
        baseline_queries_per_variant: usize,
        #[arg(long, default_value = "postgres://root@127.0.0.1:5432/test", value_name = "URL")]
        postgres: String,
        /// Print one JSON object per mode.
        #[arg(long)]
        json: bool,
    },
    /// The ANPR matcher (Art. 13): exact and look-alike reads per second on one core, bytes per
    /// hotlist entry, against normalise-and-look-up-every-variant in a HashSet, and the
    /// machine's random-memory-access rate.
    Anpr {
        #[arg(long, default_value_t = 1_000_000)]
        hotlist: usize,
        #[arg(long, default_value_t = 1_000_000)]
        reads: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The three-node demo with NATS JetStream: publication of a matching camera read at BE →
    /// the hit in NL's officers' API, under a stream of background reads.
    AnprNetwork {
        /// Background reads per second.
        #[arg(long, default_value_t = 100_000)]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Ingest replicas sharing the durable consumer.
        #[arg(long, default_value_t = 2)]
        consumers: usize,
        #[arg(long, default_value = "nats://127.0.0.1:4222", value_name = "URL")]
        nats: String,
        #[arg(long)]
        json: bool,
    },
    /// The demo network under a steady mixed load (requests and answers, hit/no-hit queries,
    /// ANPR reads, pursuits) for some minutes: per minute the operations, their p99 and the demo
    /// process's memory; exit 1 if memory is not flat (last minute > 1.1 × the second).
    Soak {
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        #[arg(long)]
        json: bool,
    },
    /// Signed, durable request→receipt between two nodes over loopback mTLS on SQLite, and a
    /// NATS JetStream publish-ack baseline of the same payload in the same run.
    Exchange {
        #[arg(long, default_value_t = 2000)]
        messages: usize,
        /// Messages in flight at once.
        #[arg(long, default_value_t = 24)]
        concurrency: usize,
        #[arg(long, default_value = "nats://127.0.0.1:4222", value_name = "URL")]
        nats: String,
        /// Paired rounds (grens on fresh stores, then NATS); the median ratio is reported.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
        rounds: u16,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}
