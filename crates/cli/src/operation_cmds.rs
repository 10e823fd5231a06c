//! `grens operation list|start|event`: cross-border operations (Titles 3–6) from the command
//! line, over the node's officer API — the same decisions and records as the board.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::client::{block, client, print, Login};

#[derive(Debug, Subcommand)]
pub enum OperationCommand {
    /// The operations board: every operation, active first, with its clocks.
    List {
        #[command(flatten)]
        login: Login,
    },
    /// Start an operation or send a request, if the engine allows it.
    Start(StartArgs),
    /// Record an event on an operation (granted, refused, crossing, detained, ended, …).
    Event(EventArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    login: Login,
    /// pursuit, own_initiative, observation, investigation, assistance, special_units,
    /// transport, train_boarding, transit, urgent_evidence.
    #[arg(long)]
    kind: String,
    /// The party on whose territory it takes place (assistance: leave out, see --partner).
    #[arg(long, default_value = "")]
    host: String,
    /// Assistance and special units: the party asked to send officers.
    #[arg(long)]
    partner: Option<String>,
    /// An engine field: `name=value` (true/false, a number, or text), repeatable.
    #[arg(long = "fact", value_name = "NAME=VALUE")]
    facts: Vec<String>,
    /// A sending officer; end with `*` for a shielded one (Art. 43(2)), repeatable.
    #[arg(long = "officer")]
    officers: Vec<String>,
    /// What it is about, why, and where the border is crossed.
    #[arg(long)]
    text: String,
}

#[derive(Debug, Args)]
pub struct EventArgs {
    #[command(flatten)]
    login: Login,
    /// The operation's id.
    id: String,
    /// The event.
    #[arg(long)]
    event: String,
    #[arg(long, default_value = "")]
    text: String,
    /// When it happened (RFC 3339 with offset); default now.
    #[arg(long)]
    at: Option<String>,
    /// A grant's term or a use of force's fact: `name=value`, repeatable.
    #[arg(long = "fact", value_name = "NAME=VALUE")]
    facts: Vec<String>,
    /// The report's language (an investigation's, Art. 23(5)).
    #[arg(long)]
    language: Option<String>,
}

/// `name=value` pairs as the engine's JSON fields.
fn facts(pairs: &[String]) -> Result<Value> {
    let mut out = serde_json::Map::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .with_context(|| format!("--fact '{pair}': write name=value"))?;
        let value = match value.trim() {
            "true" => json!(true),
            "false" => json!(false),
            v => v.parse::<f64>().map_or_else(|_| json!(v), |n| json!(n)),
        };
        out.insert(name.trim().to_owned(), value);
    }
    Ok(Value::Object(out))
}

pub fn run(command: OperationCommand) -> Result<ExitCode> {
    block(async move {
        match command {
            OperationCommand::List { login } => {
                let c = client(&login).await?;
                let answer = c.get("/api/v1/operations").await?;
                if !answer.status.is_success() {
                    return print(answer);
                }
                println!(
                    "{:<20}  {:<16}  {:<7}  {:<7}  {:<10}  clocks",
                    "id", "kind", "parties", "role", "status"
                );
                for o in answer.body.as_array().into_iter().flatten() {
                    let mut clocks: Vec<String> = o["clocks"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| {
                            format!(
                                "{} {}{}",
                                c["name"].as_str().unwrap_or(""),
                                c["due"].as_str().unwrap_or(""),
                                if c["met"] == true {
                                    " (met)"
                                } else if c["overdue"] == true {
                                    " OVERDUE"
                                } else {
                                    ""
                                }
                            )
                        })
                        .collect();
                    if let Some(due) = o["detention"]["due"].as_str() {
                        clocks.push(format!(
                            "release {due} ({})",
                            o["detention"]["state"].as_str().unwrap_or("")
                        ));
                    }
                    println!(
                        "{:<20}  {:<16}  {:<7}  {:<7}  {:<10}  {}",
                        o["id"].as_str().unwrap_or(""),
                        o["kind"].as_str().unwrap_or(""),
                        format!(
                            "{}→{}",
                            o["sending"].as_str().unwrap_or(""),
                            o["host"].as_str().unwrap_or("")
                        ),
                        o["role"].as_str().unwrap_or(""),
                        o["status"].as_str().unwrap_or(""),
                        clocks.join("; ")
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            OperationCommand::Start(a) => {
                let officers: Vec<Value> = a
                    .officers
                    .iter()
                    .map(|o| match o.strip_suffix('*') {
                        Some(name) => json!({ "name": name.trim(), "shielded": true }),
                        None => json!({ "name": o.trim(), "shielded": false }),
                    })
                    .collect();
                let body = json!({ "kind": a.kind, "host": a.host, "partner": a.partner, "facts": facts(&a.facts)?,
                                   "officers": officers, "text": a.text });
                let c = client(&a.login).await?;
                print(c.post("/api/v1/operations", &body).await?)
            }
            OperationCommand::Event(a) => {
                let body = json!({ "event": a.event, "text": a.text, "at": a.at, "facts": facts(&a.facts)?,
                                   "language": a.language });
                let c = client(&a.login).await?;
                print(c.post(&format!("/api/v1/operations/{}/events", a.id), &body).await?)
            }
        }
    })
}
