//! `grens cases …`: the contact point's case list from the command line (the officers' API),
//! and `grens store rebuild-views`: the case views rebuilt from the stored messages.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;
use store::JournalStore as _;

use crate::client::{block, client, print, Login};

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// A page of cases (50), running deadlines first; filters as in the web inbox.
    List(ListArgs),
    /// One case: its messages, the related cases and any duplicate warning (journaled).
    Show {
        #[command(flatten)]
        login: Login,
        id: String,
    },
    /// Assign a case to a user of this node.
    Assign {
        #[command(flatten)]
        login: Login,
        id: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
    },
    /// Close a case, with a reason.
    Close {
        #[command(flatten)]
        login: Login,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Reopen a closed case, with a reason.
    Reopen {
        #[command(flatten)]
        login: Login,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Directive 2023/977 Art. 18: a year's statistics (CSV with --csv).
    Art18 {
        #[command(flatten)]
        login: Login,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    login: Login,
    /// new, assigned, waiting_for_partner, waiting_for_us, overdue or closed.
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    partner: Option<String>,
    #[arg(long)]
    kind: Option<String>,
    /// A user name, or `me`.
    #[arg(long)]
    assignee: Option<String>,
    /// A name, plate, document number or word.
    #[arg(long)]
    q: Option<String>,
    /// The `next` of the previous page.
    #[arg(long)]
    cursor: Option<String>,
}

fn query(pairs: &[(&str, &Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn run(command: CasesCommand) -> Result<ExitCode> {
    block(async move {
        match command {
            CasesCommand::List(a) => {
                let c = client(&a.login).await?;
                let q = query(&[
                    ("status", &a.status),
                    ("partner", &a.partner),
                    ("kind", &a.kind),
                    ("assignee", &a.assignee),
                    ("q", &a.q),
                    ("cursor", &a.cursor),
                ]);
                let answer = c.get(&format!("/api/v1/cases{q}")).await?;
                if !answer.status.is_success() {
                    return print(answer);
                }
                println!(
                    "{:<36}  {:<20}  {:<3}  {:<22}  {:<26}  subjects",
                    "case", "status", "ptn", "kind", "deadline"
                );
                for case in answer.body["cases"].as_array().into_iter().flatten() {
                    let s = |k: &str| case[k].as_str().unwrap_or_default().to_owned();
                    println!(
                        "{:<36}  {:<20}  {:<3}  {:<22}  {:<26}  {}",
                        s("id"),
                        s("status"),
                        s("partner"),
                        s("kind"),
                        s("deadline"),
                        s("title")
                    );
                }
                println!("counts: {}", answer.body["counts"]);
                if let Some(next) = answer.body["next"].as_str() {
                    println!("next page: --cursor {next}");
                }
                Ok(ExitCode::SUCCESS)
            }
            CasesCommand::Show { login, id } => print(client(&login).await?.get(&format!("/api/v1/cases/{id}")).await?),
            CasesCommand::Assign { login, id, to, reason } => print(
                client(&login)
                    .await?
                    .post(
                        &format!("/api/v1/cases/{id}"),
                        &json!({ "action": "assign", "to": to, "reason": reason }),
                    )
                    .await?,
            ),
            CasesCommand::Close { login, id, reason } => print(
                client(&login)
                    .await?
                    .post(
                        &format!("/api/v1/cases/{id}"),
                        &json!({ "action": "close", "reason": reason }),
                    )
                    .await?,
            ),
            CasesCommand::Reopen { login, id, reason } => print(
                client(&login)
                    .await?
                    .post(
                        &format!("/api/v1/cases/{id}"),
                        &json!({ "action": "reopen", "reason": reason }),
                    )
                    .await?,
            ),
            CasesCommand::Art18 { login, year, csv } => {
                let c = client(&login).await?;
                if csv {
                    print!(
                        "{}",
                        c.get_text(&format!("/api/v1/reports/art18?year={year}&format=csv"))
                            .await?
                    );
                    Ok(ExitCode::SUCCESS)
                } else {
                    print(c.get(&format!("/api/v1/reports/art18?year={year}")).await?)
                }
            }
        }
    })
}

/// Rebuilds the case views (cases, match keys, status counts, Art. 18 counters) from the stored
/// messages, oldest first — after an upgrade that adds a view, or to check that the views agree
/// with the messages. The journal is not touched.
pub fn rebuild_views(db: &str, profile: &str) -> Result<ExitCode> {
    let profile = treaty::Profile::builtin(profile)
        .ok_or_else(|| anyhow::anyhow!("unknown profile {profile}"))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    block(async move {
        let store = store::AnyStore::open_existing(db).await?;
        let (rebuilt, unreadable) = node::desk::cases::rebuild_views(&store, &profile).await?;
        println!("case views rebuilt from {rebuilt} messages ({unreadable} unreadable or erased left out)");
        let (length, _) = store.head().await?;
        println!("journal untouched: {length} entries");
        Ok(ExitCode::SUCCESS)
    })
}
