//! `grens audit …`: checks a node's journal.

use std::process::ExitCode;

use anyhow::{Context, Result};
use store::{verify_chain, AnyStore};

/// `grens audit verify --db URL`.
pub fn verify(db: &str) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let store = AnyStore::open_existing(db)
            .await
            .with_context(|| format!("cannot open the store {db}"))?;
        match verify_chain(&store)
            .await
            .with_context(|| format!("cannot read the journal of {db}"))?
        {
            Ok((len, head)) => {
                println!("journal intact: {len} entries, head {head}");
                Ok(ExitCode::SUCCESS)
            }
            Err(broken) => {
                println!("journal BROKEN at entry {}: {}", broken.seq, broken.problem);
                Ok(ExitCode::from(1))
            }
        }
    })
}
