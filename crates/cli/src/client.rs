//! The officers' CLI client: `grens request`, `grens inbox`, `grens show`, `grens reply`,
//! `grens use` — the main flows without the web UI, over the node's HTTPS API.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use node::officer_client::{Answer, OfficerClient};
use serde_json::{json, Value};

/// Where and who: flags or the environment.
#[derive(Debug, Args)]
pub struct Login {
    /// The node's officer API (`https://127.0.0.1:8443`).
    #[arg(long, env = "GRENS_API", value_name = "URL")]
    api: String,
    /// The network's CA certificate (PEM).
    #[arg(long, env = "GRENS_CA", value_name = "FILE")]
    ca: PathBuf,
    #[arg(long, env = "GRENS_USER")]
    user: String,
    #[arg(long, env = "GRENS_PASSWORD", hide_env_values = true)]
    password: String,
}

/// `grens request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    login: Login,
    /// The partner party: BE, LU or NL.
    #[arg(long)]
    to: String,
    /// A unit of the partner (absent: its contact point).
    #[arg(long)]
    unit: Option<String>,
    /// ncp, regional_contact_point, joint_police_centre, direct or liaison_officer.
    #[arg(long, default_value = "ncp")]
    via: String,
    /// criminal, public_order or administrative_measures.
    #[arg(long, default_value = "criminal")]
    purpose: String,
    /// A person: `Given Surname[,YYYY-MM-DD]` (repeatable).
    #[arg(long)]
    person: Vec<String>,
    /// A vehicle plate (repeatable).
    #[arg(long)]
    vehicle: Vec<String>,
    #[arg(long)]
    urgent: bool,
    /// What is asked, and why.
    #[arg(long)]
    text: String,
    /// Only show the treaty's decision; send nothing.
    #[arg(long)]
    preview: bool,
    /// Art. 14(2): the reference of a hit whose data are asked for.
    #[arg(long)]
    hit_reference: Option<String>,
}

/// `grens query`: a hit/no-hit query (Art. 14).
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    #[command(flatten)]
    login: Login,
    /// The party whose database is queried: BE, LU or NL.
    #[arg(long)]
    to: String,
    /// The database as annex 6 names it (ANG, BVH, LU-POLICE, …).
    #[arg(long)]
    database: String,
    /// A person: `Given Surname[,YYYY-MM-DD]`.
    #[arg(long, conflicts_with = "vehicle")]
    person: Option<String>,
    /// A vehicle plate.
    #[arg(long)]
    vehicle: Option<String>,
    /// The file and why (the individual case of Art. 14(3)).
    #[arg(long = "case")]
    case_reference: String,
}

/// `grens reply`.
#[derive(Debug, Args)]
pub struct ReplyArgs {
    #[command(flatten)]
    login: Login,
    /// The request answered.
    id: String,
    /// Refuse on this ground (`2023/977:6(a)`…, or `61`) instead of providing.
    #[arg(long)]
    refuse: Option<String>,
    /// The provision's text, or the refusal's reasons.
    #[arg(long)]
    text: String,
    /// The language of the provision.
    #[arg(long, default_value = "en")]
    language: String,
    /// The national classification marking (Art. 8).
    #[arg(long)]
    classification: Option<String>,
    /// Restrict use to this purpose (Art. 10(2); repeatable).
    #[arg(long)]
    restrict: Vec<String>,
}

/// `grens use`.
#[derive(Debug, Args)]
pub struct UseArgs {
    #[command(flatten)]
    login: Login,
    /// The provision used.
    id: String,
    /// restricted_purpose, other_purpose, evidence, disclosure or onward_transfer.
    #[arg(long = "as")]
    use_: String,
    #[arg(long)]
    recipient: Option<String>,
    #[arg(long)]
    justification: String,
}

pub(crate) async fn client(login: &Login) -> Result<OfficerClient> {
    let ca = std::fs::read_to_string(&login.ca).with_context(|| format!("reading {}", login.ca.display()))?;
    Ok(OfficerClient::login(&login.api, &ca, &login.user, &login.password).await?)
}

pub(crate) fn print(answer: Answer) -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&answer.body).unwrap_or_default());
    Ok(if answer.status.is_success() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: {} {}",
            answer.status,
            answer.body["message"].as_str().unwrap_or("")
        );
        ExitCode::from(1)
    })
}

pub(crate) fn block<F: std::future::Future<Output = Result<ExitCode>>>(f: F) -> Result<ExitCode> {
    tokio::runtime::Runtime::new()?.block_on(f)
}

fn person(text: &str) -> Result<Value> {
    let (name, birth) = match text.split_once(',') {
        Some((n, b)) => (n.trim(), Some(b.trim())),
        None => (text.trim(), None),
    };
    let (given, surname) = name.rsplit_once(' ').unwrap_or(("", name));
    if surname.is_empty() {
        anyhow::bail!("--person '{text}': give at least a surname");
    }
    let mut p = json!({ "type": "person", "surname": surname });
    if !given.is_empty() {
        p["given_names"] = json!(given.split_whitespace().collect::<Vec<_>>());
    }
    if let Some(b) = birth {
        b.parse::<jiff::civil::Date>()
            .with_context(|| format!("--person '{text}': birth date '{b}' is not YYYY-MM-DD"))?;
        p["birth_date"] = json!(b);
    }
    Ok(p)
}

pub fn request(a: RequestArgs) -> Result<ExitCode> {
    block(async move {
        let mut subjects = a.person.iter().map(|p| person(p)).collect::<Result<Vec<_>>>()?;
        subjects.extend(
            a.vehicle
                .iter()
                .map(|v| json!({ "type": "object", "kind": "vehicle", "identifier": v })),
        );
        let kind = if a.purpose == "administrative_measures" {
            "administrative_measures"
        } else {
            "request"
        };
        let body = json!({
            "kind": kind, "to_party": a.to, "to_unit": a.unit, "via": a.via, "purpose": a.purpose,
            "urgent": a.urgent, "subjects": subjects, "text": a.text, "hit_reference": a.hit_reference,
        });
        let c = client(&a.login).await?;
        let path = if a.preview {
            "/api/v1/messages?preview=true"
        } else {
            "/api/v1/messages"
        };
        print(c.post(path, &body).await?)
    })
}

/// Sends the query, waits (at most 15 s) for the owner's answer and prints it.
pub fn query(a: QueryArgs) -> Result<ExitCode> {
    block(async move {
        let subject = match (&a.person, &a.vehicle) {
            (Some(p), _) => person(p)?,
            (None, Some(v)) => json!({ "type": "object", "kind": "vehicle", "identifier": v }),
            (None, None) => anyhow::bail!("give --person or --vehicle"),
        };
        let c = client(&a.login).await?;
        let sent = c
            .post(
                "/api/v1/hit-queries",
                &json!({ "to_party": a.to, "database": a.database, "subjects": [subject], "case_reference": a.case_reference }),
            )
            .await?;
        if !sent.status.is_success() {
            return print(sent);
        }
        let id = sent.body["message_id"].as_str().unwrap_or_default().to_owned();
        for _ in 0..150 {
            let inbox = c.get("/api/v1/inbox").await?;
            let answer = inbox
                .body
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .find(|m| m["in_reply_to"] == id.as_str() && m["direction"] == "incoming")
                })
                .cloned();
            if let Some(m) = answer {
                let view = c
                    .get(&format!("/api/v1/messages/{}", m["id"].as_str().unwrap_or_default()))
                    .await?;
                let body = &view.body["envelope"]["body"];
                match (body["type"].as_str(), body["hit"].as_bool()) {
                    (Some("hit_answer"), Some(true)) => {
                        println!(
                            "hit — reference {} (ask for the data: grens request --hit-reference …)",
                            body["reference"].as_str().unwrap_or_default()
                        );
                    }
                    (Some("hit_answer"), _) => println!("no hit"),
                    _ => {
                        println!("refused by {}: {}", a.to, body["reasons"].as_str().unwrap_or_default());
                        return Ok(ExitCode::from(1));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        anyhow::bail!(
            "no answer from {} within 15 s (query {id}); it will show in `grens inbox`",
            a.to
        )
    })
}

pub fn inbox(login: Login) -> Result<ExitCode> {
    block(async move {
        let c = client(&login).await?;
        let answer = c.get("/api/v1/inbox").await?;
        if !answer.status.is_success() {
            return print(answer);
        }
        println!(
            "{:<36}  {:<3}  {:<22}  {:<28}  {:<28}  deadline",
            "id", "dir", "kind", "from", "to"
        );
        for m in answer.body.as_array().into_iter().flatten() {
            let deadline = match &m["deadline"] {
                Value::Null => String::new(),
                d => format!(
                    "{} {}{}",
                    d["due"].as_str().unwrap_or(""),
                    d["article"].as_str().unwrap_or(""),
                    if d["overdue"] == true {
                        " OVERDUE"
                    } else if d["met"] == true {
                        " (met)"
                    } else {
                        ""
                    }
                ),
            };
            println!(
                "{:<36}  {:<3}  {:<22}  {:<28}  {:<28}  {}",
                m["id"].as_str().unwrap_or(""),
                if m["direction"] == "incoming" { "in" } else { "out" },
                m["kind"].as_str().unwrap_or(""),
                m["from"].as_str().unwrap_or(""),
                m["to"].as_str().unwrap_or(""),
                deadline
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn show(login: Login, id: String) -> Result<ExitCode> {
    block(async move { print(client(&login).await?.get(&format!("/api/v1/messages/{id}")).await?) })
}

pub fn reply(a: ReplyArgs) -> Result<ExitCode> {
    block(async move {
        let body = match &a.refuse {
            Some(ground) => json!({ "type": "refusal", "ground": ground, "reasons": a.text }),
            None => json!({
                "type": "provision", "subjects": [], "text": a.text, "language": a.language,
                "classification": a.classification, "purpose_restriction": a.restrict,
            }),
        };
        let c = client(&a.login).await?;
        print(c.post(&format!("/api/v1/messages/{}/reply", a.id), &body).await?)
    })
}

pub fn use_data(a: UseArgs) -> Result<ExitCode> {
    block(async move {
        let body = json!({ "use": a.use_, "recipient": a.recipient, "justification": a.justification });
        let c = client(&a.login).await?;
        print(c.post(&format!("/api/v1/messages/{}/use", a.id), &body).await?)
    })
}
