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
}

impl DirectoryEntry {
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
        toml::from_str(&text).map_err(|e| NodeError::Directory {
            path: path.display().to_string(),
            problem: e.to_string(),
        })
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
