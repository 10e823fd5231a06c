//! A development PKI: one CA for the network, a TLS certificate (server and client auth) and an
//! Ed25519 signing key per node. In production the national PKI issues the certificates.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use ed25519_dalek::SigningKey;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use sha2::{Digest, Sha256};
use treaty::PartyCode;

use crate::peer::directory::{Directory, DirectoryEntry};
use crate::NodeError;

/// The network's development certificate authority.
pub struct DevCa {
    cert: Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for DevCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCa").finish_non_exhaustive()
    }
}

/// What a node needs to take part: its TLS certificate and key, and its signing key.
#[derive(Debug)]
pub struct NodeCredentials {
    pub id: String,
    pub party: PartyCode,
    pub tls_cert_pem: String,
    pub tls_key_pem: String,
    pub signing_key: SigningKey,
    /// SHA-256 of the certificate's DER, hex.
    pub tls_fingerprint: String,
}

impl DevCa {
    pub fn new(name: &str) -> Result<DevCa, NodeError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key)?;
        Ok(DevCa { cert, key })
    }

    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// Issues a node's credentials; `not_after` (year, month, day) overrides the far-future default.
    pub fn issue(
        &self,
        id: &str,
        party: PartyCode,
        not_after: Option<(i32, u8, u8)>,
    ) -> Result<NodeCredentials, NodeError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned(), id.to_ascii_lowercase()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params.distinguished_name.push(DnType::CommonName, id);
        params.distinguished_name.push(DnType::CountryName, party.as_str());
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        if let Some((y, m, d)) = not_after {
            params.not_before = rcgen::date_time_ymd(y - 1, m, d);
            params.not_after = rcgen::date_time_ymd(y, m, d);
        }
        let cert = params.signed_by(&key, &self.cert, &self.key)?;
        Ok(NodeCredentials {
            id: id.to_owned(),
            party,
            tls_fingerprint: hex::encode(Sha256::digest(cert.der())),
            tls_cert_pem: cert.pem(),
            tls_key_pem: key.serialize_pem(),
            signing_key: SigningKey::generate(&mut rand_core::OsRng),
        })
    }
}

impl NodeCredentials {
    /// The node's directory entry at `url`.
    /// The node's directory entry: it takes part in every built-in agreement its party is party
    /// to (a production directory lists its agreements explicitly).
    pub fn directory_entry(&self, url: &str) -> DirectoryEntry {
        DirectoryEntry {
            id: self.id.clone(),
            party: self.party.clone(),
            url: url.to_owned(),
            signing_key: hex::encode(self.signing_key.verifying_key().as_bytes()),
            tls_fingerprint: self.tls_fingerprint.clone(),
            agreements: treaty::instrument::agreements_of(&self.party),
        }
    }

    /// Writes `DIR/<id>/tls.crt`, `tls.key` and `signing.key` (hex seed; owner-only where supported).
    pub fn write(&self, dir: &Path) -> Result<(), NodeError> {
        let node_dir = dir.join(&self.id);
        std::fs::create_dir_all(&node_dir).map_err(crate::io(&node_dir))?;
        write_file(&node_dir.join("tls.crt"), &self.tls_cert_pem)?;
        write_file(&node_dir.join("tls.key"), &self.tls_key_pem)?;
        write_file(&node_dir.join("signing.key"), &hex::encode(self.signing_key.to_bytes()))
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), NodeError> {
    std::fs::write(path, text).map_err(crate::io(path))?;
    #[cfg(unix)]
    if path.extension().is_some_and(|e| e == "key") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(crate::io(path))?;
    }
    Ok(())
}

/// `grens pki init`: a CA and credentials for each `(id, party, url)`, plus `network.toml`.
pub fn init(dir: &Path, nodes: &[(String, PartyCode, String)]) -> Result<Directory, NodeError> {
    std::fs::create_dir_all(dir).map_err(crate::io(dir))?;
    let ca = DevCa::new("grens development CA")?;
    write_file(&dir.join("ca.crt"), &ca.cert_pem())?;
    let mut directory = Directory::default();
    for (id, party, url) in nodes {
        let creds = ca.issue(id, party.clone(), None)?;
        creds.write(dir)?;
        directory.nodes.push(creds.directory_entry(url));
    }
    directory.save(&dir.join("network.toml"))?;
    Ok(directory)
}

/// Reads a node's signing key written by [`NodeCredentials::write`].
pub fn read_signing_key(path: &Path) -> Result<SigningKey, NodeError> {
    let text = std::fs::read_to_string(path).map_err(crate::io(path))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| NodeError::Config {
            what: path.display().to_string(),
            problem: "not a 32-byte hex Ed25519 seed".into(),
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}
