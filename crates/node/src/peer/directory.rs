//! The network directory (`network.toml`): which nodes exist, where, and how to recognise them.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use treaty::PartyCode;

use crate::NodeError;

/// One node of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The node's name, also its JWS key id (`BE-NCP`).
    pub id: String,
    pub party: PartyCode,
    /// Its HTTPS base URL.
    pub url: String,
    /// Ed25519 public key, hex.
    pub signing_key: String,
    /// SHA-256 of its TLS certificate (DER), hex: how a connecting peer is recognised.
    pub tls_fingerprint: String,
    /// The agreements (profile ids) the node takes part in; a message under an agreement goes
    /// only between nodes that both list it (`treaty::instrument`). A directory written before
    /// there was more than one agreement has no such key: its nodes are Benelux nodes.
    #[serde(default = "benelux_only")]
    pub agreements: Vec<String>,
}

fn benelux_only() -> Vec<String> {
    vec!["benelux-2018".to_owned()]
}

impl DirectoryEntry {
    /// The node as the treaty engine sees it: party and agreements.
    pub fn member(&self) -> treaty::instrument::Member<'_> {
        treaty::instrument::Member {
            node: &self.id,
            party: &self.party,
            agreements: &self.agreements,
        }
    }

    /// Whether the two nodes share an agreement (and so may exchange anything but receipts).
    pub fn shares_an_agreement_with(&self, other: &DirectoryEntry) -> bool {
        self.agreements.iter().any(|a| other.agreements.contains(a))
    }

    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        let bytes: [u8; 32] = hex::decode(&self.signing_key).ok()?.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok()
    }
}

/// The directory of a network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub nodes: Vec<DirectoryEntry>,
}

impl Directory {
    pub fn load(path: &Path) -> Result<Directory, NodeError> {
        let text = std::fs::read_to_string(path).map_err(crate::io(path))?;
        let directory: Directory = toml::from_str(&text).map_err(|e| NodeError::Directory {
            path: path.display().to_string(),
            problem: e.to_string(),
        })?;
        directory.validate().map_err(|problem| NodeError::Directory {
            path: path.display().to_string(),
            problem,
        })?;
        Ok(directory)
    }

    /// Each node once, in agreements its party is party to.
    pub fn validate(&self) -> Result<(), String> {
        for (i, node) in self.nodes.iter().enumerate() {
            if self.nodes[..i].iter().any(|n| n.id == node.id) {
                return Err(format!("node {} is listed twice", node.id));
            }
            treaty::instrument::check_membership(&node.party, &node.agreements)
                .map_err(|e| format!("node {}: {e}", node.id))?;
        }
        Ok(())
    }

    /// The other nodes `me` shares an agreement with: whom it may write to.
    pub fn partners_of<'a>(&'a self, me: &'a DirectoryEntry) -> impl Iterator<Item = &'a DirectoryEntry> + 'a {
        self.nodes
            .iter()
            .filter(move |n| n.id != me.id && n.shares_an_agreement_with(me))
    }

    pub fn save(&self, path: &Path) -> Result<(), NodeError> {
        let text = toml::to_string_pretty(self).map_err(|e| NodeError::Directory {
            path: path.display().to_string(),
            problem: e.to_string(),
        })?;
        std::fs::write(path, text).map_err(crate::io(path))
    }

    pub fn by_id(&self, id: &str) -> Option<&DirectoryEntry> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn by_fingerprint(&self, fingerprint: &str) -> Option<&DirectoryEntry> {
        self.nodes.iter().find(|n| n.tls_fingerprint == fingerprint)
    }
}
