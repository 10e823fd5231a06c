//! `grens`: the command line of the grens platform. A thin layer over the crates.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod anpr_bench;
mod anpr_cmds;
mod anpr_network_bench;
mod audit;
mod bench;
mod bench_args;
mod case_cmds;
mod client;
mod demo;
mod desk_bench;
mod hitnohit;
mod logging;
mod match_cmd;
mod operation_cmds;
mod soak;
mod tour;
mod treaty_cmds;

use std::path::PathBuf;
use std::process::ExitCode;

use bench_args::BenchCommand;
use clap::{Parser, Subcommand};

/// grens — treaty-aware cross-border police cooperation (Benelux treaty, 2018).
#[derive(Debug, Parser)]
#[command(name = "grens", version, about, long_about = None)]
struct Cli {
    /// Load profiles from this folder (`<id>.toml`) before the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    profiles: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the treaty engine's decision for a scenario's action (or a bare action) as JSON.
    Evaluate {
        /// A scenario file (with `action`) or an action object (with `kind`).
        file: PathBuf,
    },
    /// Run conformance scenarios.
    Conformance {
        #[command(subcommand)]
        command: ConformanceCommand,
    },
    /// Inspect the treaty engine.
    Treaty {
        #[command(subcommand)]
        command: TreatyCommand,
    },
    /// The journal: verify its hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Run one node: the inbox over mutual TLS and the outbox's delivery loop.
    Serve {
        /// The node's configuration (TOML): node, listen, pki, database.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Development PKI: a CA, node certificates and signing keys.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Five nodes on loopback — BE, LU, NL (Benelux treaty), SI, AL (si-al) — SQLite each, generated
    /// officers; prints URLs and log-ins.
    Demo {
        /// Run the scripted exchange through the API and the network, print each step and the
        /// journals' heads; exit 0 only if every step behaved as the treaty requires.
        #[arg(long)]
        check: bool,
        /// Where the network's PKI and databases go (default: a new temporary folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// ANPR under Art. 13: hotlist entries, camera reads (file, stdin, NATS JetStream).
    Anpr {
        #[command(subcommand)]
        command: anpr_cmds::AnprCommand,
    },
    /// Offline name matching for evaluation (the hit/no-hit engine of Art. 14).
    Match {
        #[command(subcommand)]
        command: MatchCommand,
    },
    /// Local accounts of a node (embedded mode).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load persons or objects (vehicles, documents, firearms) into a national database file,
    /// from CSV or JSON Lines (`.jsonl`). Nothing is loaded when a record is invalid, unless
    /// `--skip-invalid`; every error names its line and field.
    Import {
        /// The national database: a SQLite file (created if missing).
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// `id,given_names,surname,birth_date,nationality`.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "objects",
            required_unless_present = "objects"
        )]
        persons: Option<PathBuf>,
        /// `id,kind,identifier,country,description` (kind: vehicle, document, firearm).
        #[arg(long, value_name = "FILE")]
        objects: Option<PathBuf>,
        /// Load the valid records and report the others.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Synthetic data for the demo and the tests.
    Generate {
        #[command(subcommand)]
        command: GenerateCommand,
    },
    /// Benchmarks (figures for docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Officer client: send a request (Art. 4) through a node's API.
    Request(client::RequestArgs),
    /// Officer client: a hit/no-hit query of a partner's database (Art. 14); waits for the answer.
    Query(client::QueryArgs),
    /// Officer client: the inbox, with legal deadlines.
    Inbox(client::Login),
    /// Officer client: the case list (Directive 2023/977 Art. 16) — list, show, assign, close,
    /// reopen — and the Art. 18 statistics.
    Cases {
        #[command(subcommand)]
        command: case_cmds::CasesCommand,
    },
    /// The node's store: rebuild the case views from the stored messages.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Officer client: open a message (journaled), with its marking and the allowed actions.
    Show {
        #[command(flatten)]
        login: client::Login,
        id: String,
    },
    /// Officer client: answer a request with a provision or a refusal.
    Reply(client::ReplyArgs),
    /// Officer client: use received data (evidence, disclosure, onward transfer, …), if allowed.
    Use(client::UseArgs),
    /// Officer client: cross-border operations (Titles 3–6) — the board, a start or request,
    /// an event.
    #[command(subcommand)]
    Operation(operation_cmds::OperationCommand),
}

#[derive(Debug, Subcommand)]
enum ConformanceCommand {
    /// Run every *.json scenario in DIR: one PASS/FAIL line each, then "N passed, M failed".
    /// Exit 0 when all pass, 1 when some fail, 2 when some scenario is invalid.
    Run { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
enum MatchCommand {
    /// Match every query of QUERIES.csv against PERSONS.csv; one JSON line per query:
    /// `{"qid":…,"hit":…,"matches":[{"id":…,"score":…}]}`.
    Run {
        /// `id,given_names,surname,birth_date,nationality`
        #[arg(long, value_name = "PERSONS.csv")]
        index: PathBuf,
        /// `qid,given_names,surname,birth_date`
        #[arg(long, value_name = "QUERIES.csv")]
        queries: PathBuf,
        /// Build a pseudonymised index (HMAC-SHA256 with the key in FILE) instead of a clear one.
        #[arg(long, value_name = "FILE")]
        pseudonymise_key: Option<PathBuf>,
        /// Also print each match's reasons.
        #[arg(long)]
        reasons: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create or replace an account in a node's store (argon2id password hash).
    Add {
        /// The node's store: `sqlite:PATH` or `postgres://…`.
        #[arg(long, value_name = "URL")]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long, env = "GRENS_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        party: String,
        /// The officer's unit (`NCP` for the contact point's desk).
        #[arg(long, default_value = "NCP")]
        unit: String,
        /// The region the unit is competent for, as the profile names it.
        #[arg(long, default_value = "national")]
        region: String,
        /// Comma-separated: officer, contact_point, supervisor, dpo, admin.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum GenerateCommand {
    /// Realistic persons of the populations these services meet, from the name lists in
    /// crates/matching/data: CSV `id,given_names,surname,birth_date,nationality` or JSON Lines.
    Persons {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        jsonl: bool,
        /// Write here instead of to standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PkiCommand {
    /// Create DIR/ca.crt, DIR/<node>/{tls.crt,tls.key,signing.key} and DIR/network.toml for the
    /// demo network (BE-NCP, LU-NCP, NL-NCP, SI-NCP, AL-NCP on 127.0.0.1:7441–7445, each under
    /// the agreements its party is party to). Development only: in production the national PKI
    /// issues certificates.
    Init {
        #[arg(long, value_name = "DIR", default_value = "grens-pki")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Rebuild the case views (cases, match keys, counts, Art. 18 counters) from the stored
    /// messages; the journal is not touched.
    RebuildViews {
        /// The node's store: `sqlite:PATH` or `postgres://…`.
        #[arg(long, value_name = "URL")]
        db: String,
        /// The agreement profile the node runs.
        #[arg(long, default_value = "benelux-2018")]
        profile: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the journal's hash chain; report the first entry that no longer matches.
    /// Exit 0 when intact, 1 when broken.
    Verify {
        /// The node's store: `sqlite:PATH` or `postgres://…`.
        #[arg(long, value_name = "URL")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum TreatyCommand {
    /// Every article of Titles 2–7 with the rules and tests that implement it.
    Coverage {
        /// Also count the scenarios in DIR that cite each article.
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
    },
    /// Every kind of action the engine decides.
    Kinds,
    /// A guided tour: the treaty engine decides each step of a Dutch–Belgian exchange.
    Tour,
}

fn pki_init(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let nodes: Vec<(String, treaty::PartyCode, String)> =
        // The demo's network: the Benelux nodes and SI and AL (si-al), on `grens demo`'s ports.
        [
            ("BE-NCP", "BE", 7441),
            ("LU-NCP", "LU", 7442),
            ("NL-NCP", "NL", 7443),
            ("SI-NCP", "SI", 7444),
            ("AL-NCP", "AL", 7445),
        ]
            .into_iter()
            .map(|(id, party, port)| {
                let party = treaty::PartyCode::parse(party).map_err(anyhow::Error::msg)?;
                Ok((id.to_owned(), party, format!("https://127.0.0.1:{port}")))
            })
            .collect::<anyhow::Result<_>>()?;
    let directory = node::peer::pki::init(dir, &nodes)?;
    println!("development PKI written to {}", dir.display());
    for n in &directory.nodes {
        println!(
            "  {:<8} {}  {:<13} {}  tls sha256 {}…",
            n.id,
            n.party,
            n.agreements.join(","),
            n.url,
            &n.tls_fingerprint[..16]
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(config: &std::path::Path) -> anyhow::Result<ExitCode> {
    let config = node::config::NodeConfig::load(config)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let running = node::serve::start(&config).await?;
        println!(
            "grens node {} listening on https://{}",
            config.node, running.listening_on
        );
        if let Some(api) = running.api_on {
            println!("grens node {} officer API on https://{api}", config.node);
        }
        use std::io::Write as _;
        std::io::stdout().flush()?;
        let signal = logging::stop_signal().await?;
        println!(
            "grens node {} stopping ({signal}): finishing requests in flight",
            config.node
        );
        let drained = running.shutdown().await;
        println!(
            "grens node {} stopped{}",
            config.node,
            if drained {
                ""
            } else {
                " (some tasks were still running after the grace period)"
            }
        );
        std::io::stdout().flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

fn user_add(db: &str, new: node::desk::NewUser) -> anyhow::Result<ExitCode> {
    use store::JournalStore as _;
    let name = new.username.clone();
    let user = node::accounts::account(new, jiff::Timestamp::now()).map_err(anyhow::Error::msg)?;
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = store::AnyStore::open(db).await?;
        store.put_user(user).await?;
        println!("account {name} saved in {db}");
        Ok(ExitCode::SUCCESS)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    let profiles = treaty_cmds::ProfileSource::new(cli.profiles);
    let result = match cli.command {
        Command::Evaluate { file } => treaty_cmds::evaluate(&profiles, &file),
        Command::Serve { config } => serve(&config),
        Command::Conformance {
            command: ConformanceCommand::Run { dir },
        } => treaty_cmds::conformance_run(&profiles, &dir),
        Command::Treaty {
            command: TreatyCommand::Coverage { scenarios },
        } => treaty_cmds::coverage(&profiles, scenarios.as_deref()),
        Command::Treaty {
            command: TreatyCommand::Kinds,
        } => treaty_cmds::kinds(),
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => audit::verify(&db),
        Command::Pki {
            command: PkiCommand::Init { dir },
        } => pki_init(&dir),
        Command::Treaty {
            command: TreatyCommand::Tour,
        } => tour::run(&profiles),
        Command::Demo { check, dir } => demo::run(check, dir),
        Command::Anpr { command } => anpr_cmds::run(command),
        Command::Match {
            command:
                MatchCommand::Run {
                    index,
                    queries,
                    pseudonymise_key,
                    reasons,
                },
        } => match_cmd::run(&index, &queries, pseudonymise_key.as_deref(), reasons),
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    password,
                    party,
                    unit,
                    region,
                    roles,
                    language,
                    display_name,
                },
        } => user_add(
            &db,
            node::desk::NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                party,
                unit,
                region,
                roles,
                language,
            },
        ),
        Command::Bench {
            command:
                BenchCommand::Desk {
                    messages,
                    samples,
                    dir,
                    json,
                },
        } => desk_bench::bench(&desk_bench::Options {
            messages,
            samples,
            json,
            dir,
        }),
        Command::Bench {
            command:
                BenchCommand::Exchange {
                    messages,
                    concurrency,
                    nats,
                    rounds,
                    json,
                },
        } => bench::run(messages, concurrency, &nats, usize::from(rounds), json),
        Command::Bench {
            command: BenchCommand::Soak { minutes, json },
        } => soak::bench(minutes, json),
        Command::Bench {
            command:
                BenchCommand::AnprNetwork {
                    rate,
                    seconds,
                    consumers,
                    nats,
                    json,
                },
        } => anpr_network_bench::bench(&anpr_network_bench::Options {
            rate,
            seconds,
            consumers,
            nats,
            json,
        }),
        Command::Bench {
            command:
                BenchCommand::Anpr {
                    hotlist,
                    reads,
                    seed,
                    json,
                },
        } => anpr_bench::bench(&anpr_bench::Options {
            hotlist,
            reads,
            seed,
            json,
        }),
        Command::Bench {
            command:
                BenchCommand::Hitnohit {
                    persons,
                    seed,
                    queries_per_variant,
                    baseline_persons,
                    baseline_queries_per_variant,
                    postgres,
                    json,
                },
        } => hitnohit::bench(&hitnohit::BenchOptions {
            persons,
            seed,
            per_variant: queries_per_variant,
            baseline_persons,
            baseline_queries_per_variant,
            postgres,
            json,
        }),
        Command::Import {
            db,
            persons,
            objects,
            skip_invalid,
        } => hitnohit::import(&db, persons.as_deref(), objects.as_deref(), skip_invalid),
        Command::Generate {
            command:
                GenerateCommand::Persons {
                    count,
                    seed,
                    jsonl,
                    out,
                },
        } => hitnohit::generate_persons(count, seed, jsonl, out.as_deref()),
        Command::Request(args) => client::request(args),
        Command::Query(args) => client::query(args),
        Command::Inbox(login) => client::inbox(login),
        Command::Cases { command } => case_cmds::run(command),
        Command::Store {
            command: StoreCommand::RebuildViews { db, profile },
        } => case_cmds::rebuild_views(&db, &profile),
        Command::Show { login, id } => client::show(login, id),
        Command::Reply(args) => client::reply(args),
        Command::Use(args) => client::use_data(args),
        Command::Operation(command) => operation_cmds::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
