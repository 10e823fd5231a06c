//! Journal entries and the hash chain.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The processing operations Directive 2016/680 Art. 25(1) requires logs of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Collection,
    Alteration,
    Consultation,
    /// Including transfers.
    Disclosure,
    Combination,
    Erasure,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Collection => "collection",
            Operation::Alteration => "alteration",
            Operation::Consultation => "consultation",
            Operation::Disclosure => "disclosure",
            Operation::Combination => "combination",
            Operation::Erasure => "erasure",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Operation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "collection" => Operation::Collection,
            "alteration" => Operation::Alteration,
            "consultation" => Operation::Consultation,
            "disclosure" => Operation::Disclosure,
            "combination" => Operation::Combination,
            "erasure" => Operation::Erasure,
            other => return Err(format!("unknown operation '{other}'")),
        })
    }
}

/// An entry to append: Art. 25(2) asks for the justification, date and time and, as far as
/// possible, who consulted or disclosed and who received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEntry {
    pub at: Timestamp,
    pub operation: Operation,
    /// Who: an officer (`NL/officer:jdevries`) or a node (`BE/BE-NCP`).
    pub actor: String,
    /// Why, with the article it relies on.
    pub justification: String,
    /// To whom data were disclosed or sent, if anyone.
    pub recipient: Option<String>,
    pub message_id: Option<String>,
    pub case_id: Option<String>,
    /// Further facts (message kind, decision, …) as JSON. Never the erased data of an erasure.
    pub details: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: NewEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The row as stored: details as the exact JSON text that was hashed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Row {
    pub seq: i64,
    pub at: String,
    pub operation: String,
    pub actor: String,
    pub justification: String,
    pub recipient: Option<String>,
    pub message_id: Option<String>,
    pub case_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The bytes hashed for an entry: a fixed-order JSON array of its stored text fields.
fn hash_input(row: &Row) -> Vec<u8> {
    let fields = (
        row.seq,
        &row.at,
        &row.operation,
        &row.actor,
        &row.justification,
        &row.recipient,
        &row.message_id,
        &row.case_id,
        &row.details,
    );
    serde_json::to_vec(&fields).unwrap_or_default()
}

/// `SHA-256(prev_hash ‖ entry)`, hex.
pub(crate) fn chain_hash(prev_hash: &str, row: &Row) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(hash_input(row));
    hex::encode(h.finalize())
}

impl Row {
    /// The row for `entry` at `seq` after `prev_hash`, with its hash.
    pub(crate) fn chained(seq: i64, prev_hash: &str, entry: &NewEntry) -> Row {
        let mut row = Row {
            seq,
            at: entry.at.to_string(),
            operation: entry.operation.as_str().to_owned(),
            actor: entry.actor.clone(),
            justification: entry.justification.clone(),
            recipient: entry.recipient.clone(),
            message_id: entry.message_id.clone(),
            case_id: entry.case_id.clone(),
            details: entry.details.to_string(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        row.hash = chain_hash(prev_hash, &row);
        row
    }

    pub(crate) fn into_entry(self) -> Result<Entry, crate::StoreError> {
        let corrupt = |problem: String| crate::StoreError::Corrupt { seq: self.seq, problem };
        let at = self
            .at
            .parse()
            .map_err(|e| corrupt(format!("time '{}': {e}", self.at)))?;
        let operation = self.operation.parse().map_err(corrupt)?;
        let details = serde_json::from_str(&self.details).map_err(|e| corrupt(format!("details: {e}")))?;
        Ok(Entry {
            seq: self.seq,
            entry: NewEntry {
                at,
                operation,
                actor: self.actor,
                justification: self.justification,
                recipient: self.recipient,
                message_id: self.message_id,
                case_id: self.case_id,
                details,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// The first place where a journal no longer matches its chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal entry {seq}: {problem}")]
pub struct ChainError {
    pub seq: i64,
    pub problem: String,
}

/// Checks a journal's rows in order, one page at a time: contiguous sequence numbers from 1,
/// each `prev_hash` the previous hash, each hash recomputed from the stored fields.
#[derive(Debug)]
pub(crate) struct ChainCursor {
    next_seq: i64,
    prev: String,
}

impl ChainCursor {
    pub(crate) fn new() -> Self {
        ChainCursor {
            next_seq: 1,
            prev: GENESIS.to_owned(),
        }
    }

    /// The last sequence number checked (0 before any).
    pub(crate) fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }

    pub(crate) fn check(&mut self, row: &Row) -> Result<(), ChainError> {
        if row.seq != self.next_seq {
            return Err(ChainError {
                seq: self.next_seq,
                problem: format!("missing (next stored entry is {})", row.seq),
            });
        }
        if row.prev_hash != self.prev {
            return Err(ChainError {
                seq: row.seq,
                problem: "prev_hash does not match the previous entry's hash".into(),
            });
        }
        let recomputed = chain_hash(&self.prev, row);
        if recomputed != row.hash {
            // A tampered hash may hold any text: cut by characters, never inside one.
            let stored: String = row.hash.chars().take(12).collect();
            return Err(ChainError {
                seq: row.seq,
                problem: format!(
                    "content changed: stored hash {stored}…, recomputed {}…",
                    &recomputed[..12]
                ),
            });
        }
        self.prev = row.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    pub(crate) fn finish(self) -> (i64, String) {
        (self.next_seq - 1, self.prev)
    }
}

/// Rows read per page when verifying: memory stays bounded however long the journal is.
const VERIFY_PAGE: i64 = 1000;

/// Verifies the whole journal of a store.
pub async fn verify_chain(store: &crate::AnyStore) -> Result<Result<(i64, String), ChainError>, crate::StoreError> {
    let mut cursor = ChainCursor::new();
    loop {
        let rows = match store {
            crate::AnyStore::Sqlite(s) => s.rows_after(cursor.last_seq(), VERIFY_PAGE).await?,
            crate::AnyStore::Postgres(s) => s.rows_after(cursor.last_seq(), VERIFY_PAGE).await?,
        };
        if rows.is_empty() {
            return Ok(Ok(cursor.finish()));
        }
        for row in &rows {
            if let Err(broken) = cursor.check(row) {
                return Ok(Err(broken));
            }
        }
    }
}
