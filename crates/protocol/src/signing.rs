//! Signatures: Ed25519 (RFC 8037 `EdDSA`) in a detached JWS (RFC 7515 appendix F) over the
//! exact bytes of the envelope as sent. No canonicalisation is needed: the receiver verifies
//! the bytes it received, then parses them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::envelope::{Envelope, PROTOCOL_VERSION};

/// Why a message was refused. Each names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The detached JWS is not `header..signature`.
    #[error("malformed signature: {0}")]
    MalformedSignature(String),
    /// The JWS header names another algorithm than EdDSA, or no key id.
    #[error("unsupported signature header: {0}")]
    UnsupportedHeader(String),
    /// The signature does not verify with the sender's key: the body was changed or forged.
    #[error("signature does not verify for key {kid}: the message was altered or not signed by this node")]
    BadSignature { kid: String },
    /// The bytes are not a valid envelope.
    #[error("malformed envelope: {0}")]
    MalformedEnvelope(#[from] serde_json::Error),
    /// An envelope of another protocol version.
    #[error("unsupported protocol version {0} (this node speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion(u32),
}

/// A node's signing key with its key id (the node's directory name).
#[derive(Debug)]
pub struct NodeKey {
    pub kid: String,
    pub key: SigningKey,
}

impl NodeKey {
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
}

#[derive(Serialize, Deserialize)]
struct JwsHeader {
    alg: String,
    kid: String,
}

/// An envelope as sent: its bytes and the detached JWS over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    pub bytes: Vec<u8>,
    /// `BASE64URL(header)..BASE64URL(signature)`.
    pub signature: String,
}

impl SignedMessage {
    /// SHA-256 of the signed bytes, hex: what receipts acknowledge.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// Serialises and signs an envelope.
pub fn sign(envelope: &Envelope, key: &NodeKey) -> Result<SignedMessage, ProtocolError> {
    let bytes = serde_json::to_vec(envelope)?;
    let header = serde_json::to_vec(&JwsHeader {
        alg: "EdDSA".into(),
        kid: key.kid.clone(),
    })?;
    let protected = URL_SAFE_NO_PAD.encode(header);
    let signature = signature_over(&protected, &bytes, &key.key);
    Ok(SignedMessage {
        bytes,
        signature: format!("{protected}..{signature}"),
    })
}

/// The base64url Ed25519 signature of the JWS signing input `protected.payload` (RFC 7515 §5.1,
/// `alg: EdDSA` of RFC 8037 §3.1).
fn signature_over(protected: &str, payload: &[u8], key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(signing_input(protected, payload).as_bytes()).to_bytes())
}

/// Whether `signature` (base64url) is `key`'s Ed25519 signature of `protected.payload`.
fn signature_holds(
    protected: &str,
    payload: &[u8],
    signature: &str,
    key: &VerifyingKey,
) -> Result<bool, ProtocolError> {
    let raw = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| ProtocolError::MalformedSignature(format!("signature is not base64url: {e}")))?;
    let raw: [u8; 64] = raw
        .try_into()
        .map_err(|_| ProtocolError::MalformedSignature("an Ed25519 signature has 64 bytes".into()))?;
    Ok(key
        .verify_strict(
            signing_input(protected, payload).as_bytes(),
            &Signature::from_bytes(&raw),
        )
        .is_ok())
}

fn signing_input(protected: &str, payload: &[u8]) -> String {
    format!("{protected}.{}", URL_SAFE_NO_PAD.encode(payload))
}

/// The key id a detached JWS names, so the receiver can look up the sender's key.
pub fn key_id(signature: &str) -> Result<String, ProtocolError> {
    Ok(parse_header(signature)?.0.kid)
}

fn parse_header(signature: &str) -> Result<(JwsHeader, &str, &str), ProtocolError> {
    let mut parts = signature.split('.');
    let (Some(protected), Some(""), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(ProtocolError::MalformedSignature(
            "expected a detached JWS `header..signature`".into(),
        ));
    };
    let header_bytes = URL_SAFE_NO_PAD
        .decode(protected)
        .map_err(|e| ProtocolError::MalformedSignature(format!("header is not base64url: {e}")))?;
    let header: JwsHeader = serde_json::from_slice(&header_bytes)
        .map_err(|e| ProtocolError::UnsupportedHeader(format!("header is not {{alg, kid}} JSON: {e}")))?;
    if header.alg != "EdDSA" {
        return Err(ProtocolError::UnsupportedHeader(format!(
            "alg {} (only EdDSA is accepted)",
            header.alg
        )));
    }
    Ok((header, protected, sig))
}

/// Verifies the detached JWS over `bytes` with the sender's key, then parses the envelope.
pub fn verify(bytes: &[u8], signature: &str, key: &VerifyingKey) -> Result<Envelope, ProtocolError> {
    let (header, protected, sig) = parse_header(signature)?;
    if !signature_holds(protected, bytes, sig, key)? {
        return Err(ProtocolError::BadSignature { kid: header.kid });
    }
    let envelope: Envelope = serde_json::from_slice(bytes)?;
    if envelope.version != PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedVersion(envelope.version));
    }
    Ok(envelope)
}

#[cfg(test)]
mod rfc8037 {
    //! The test vectors of RFC 8037 appendix A (Ed25519): the key pair (A.1, A.2) and the JWS
    //! of A.4, whose signing input `eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc` is
    //! `{"alg":"EdDSA"}` over "Example of Ed25519 signing". Ed25519 is deterministic, so the
    //! signature must be these exact bytes.
    use super::*;

    const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const PROTECTED: &str = "eyJhbGciOiJFZERTQSJ9";
    const PAYLOAD: &[u8] = b"Example of Ed25519 signing";
    const SIGNATURE: &str = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    fn key() -> SigningKey {
        let d: [u8; 32] = URL_SAFE_NO_PAD
            .decode(D)
            .expect("base64url")
            .try_into()
            .expect("32 bytes");
        SigningKey::from_bytes(&d)
    }

    #[test]
    fn the_public_key_of_appendix_a_1_is_that_of_a_2() {
        assert_eq!(URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes()), X);
    }

    #[test]
    fn the_signature_of_appendix_a_4_is_reproduced_and_verifies() {
        assert_eq!(URL_SAFE_NO_PAD.encode(PAYLOAD), "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
        assert_eq!(signature_over(PROTECTED, PAYLOAD, &key()), SIGNATURE);
        let public = key().verifying_key();
        assert!(signature_holds(PROTECTED, PAYLOAD, SIGNATURE, &public).expect("well-formed"));
        // One payload byte changed: the signature no longer holds.
        assert!(!signature_holds(PROTECTED, b"Example of Ed25519 signinG", SIGNATURE, &public).expect("well-formed"));
    }
}
