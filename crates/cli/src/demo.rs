//! `grens demo`: five nodes on loopback — BE, LU and NL under the Benelux treaty, SI and AL under
//! their bilateral agreement — in one directory, each with its own SQLite file, keys and
//! generated officers. `--check` runs the scripted exchange through the API and the network
//! and exits 0 only if every step behaved as the treaty requires.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use demo::network::{self, demo_password, demo_users, Ports, Stores};

/// The fixed ports of `grens demo` (inbox, API) for BE, LU, NL, SI and AL.
const DEMO_PORTS: [Ports; 5] = [
    Ports { inbox: 7441, api: 8441 },
    Ports { inbox: 7442, api: 8442 },
    Ports { inbox: 7443, api: 8443 },
    Ports { inbox: 7444, api: 8444 },
    Ports { inbox: 7445, api: 8445 },
];

fn demo_dir(dir: Option<PathBuf>) -> Result<PathBuf> {
    let dir = match dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!(
            "grens-demo-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_second()
        )),
    };
    if dir.join("pki").exists() {
        anyhow::bail!(
            "{} already holds a demo network; choose another --dir (the demo never overwrites one)",
            dir.display()
        );
    }
    Ok(dir)
}

pub fn run(check: bool, dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = demo_dir(dir)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let ports = if check {
            [Ports { inbox: 0, api: 0 }; 5]
        } else {
            DEMO_PORTS
        };
        let plan: Vec<(&str, Ports)> = network::FULL.into_iter().zip(ports).collect();
        let net = network::start_network(&dir, &plan, &Stores::Sqlite, None)
            .await
            .with_context(|| format!("starting the demo network in {}", dir.display()))?;
        println!("grens demo network in {}", dir.display());
        for node in &net.nodes {
            println!(
                "  {:<7} {:<13} web + officer API {}   inbox (mTLS) {}   store {}",
                node.id, node.agreement, node.api_url, node.inbox_url, node.database
            );
        }
        if !check {
            network::record_demo_agreements(&net)
                .await
                .context("recording the demo's implementing agreement")?;
            // A history to look at: requests answered and operations of every kind between
            // the three parties (the Art. 65 evaluation at /reports/art65 counts and charts it).
            let history = demo::history::generate(&net, 18, 36)
                .await
                .context("generating the demo's history")?;
            println!(
                "\ngenerated history: {} requests, {} operations of every kind with {} events (see /operations and /reports/art65)",
                history.requests, history.operations, history.events
            );
            println!("\nlog-ins (development only):");
            for node in &net.nodes {
                for user in demo_users(node.party.as_str()) {
                    println!(
                        "  {:<16} {:<20} {:<30} {}",
                        user.username,
                        demo_password(&user.username),
                        user.roles.join(","),
                        user.unit
                    );
                }
            }
            println!(
                "\ntry:  export GRENS_CA={}/pki/ca.crt GRENS_API={} GRENS_USER=nl.oostbrabant GRENS_PASSWORD={}",
                dir.display(),
                net.nodes[2].api_url,
                demo_password("nl.oostbrabant")
            );
            println!("      grens request --to BE --purpose criminal --person 'Jan Janssens,1984-03-12' --text 'antecedents?'");
            println!("      grens inbox");
            println!("      grens query --to BE --database ANG --person 'Jan Janssens,1984-03-12' --case 'PV 2026/0412'");
            println!("      grens anpr add --plate XX-123-Y --country NL --follow-up 'stop and check' --alert 'SIS II NL-V-42' --to BE");
            println!("\nin a browser: open a node's web URL above and log in (the certificate is the demo CA's: {}/pki/ca.crt).", dir.display());
            println!("\nCtrl-C stops the network.");
            crate::logging::stop_signal().await?;
            println!("stopping the demo network");
            net.shutdown().await;
            return Ok(ExitCode::SUCCESS);
        }
        println!("\nscripted exchange:");
        let report = demo::check::run(&net, &mut |step| {
            println!("  [{}] {} — {}", if step.ok { "ok" } else { "FAIL" }, step.name, step.detail);
        })
        .await?;
        println!("\njournals:");
        let mut intact = true;
        for (id, length, head, ok) in demo::check::verify_journals(&net).await? {
            intact &= ok;
            println!(
                "  {id:<7} {length:>4} entries  head {head}  audit verify: {}",
                if ok { "intact" } else { "BROKEN" }
            );
        }
        let passed = report.passed() && intact;
        println!(
            "\n{} of {} steps as the treaty requires{}",
            report.steps.iter().filter(|s| s.ok).count(),
            report.steps.len(),
            if passed { "" } else { " — CHECK FAILED" }
        );
        Ok(if passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}
