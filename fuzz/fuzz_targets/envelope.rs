//! An envelope and its detached JWS as a partner node would send them: the signature header is
//! the input up to the first newline, the body the rest. Verification must refuse or accept,
//! never panic; whatever verifies must be a plausible envelope that re-serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let _ = protocol::signing::key_id(&header);
    let key = protocol::NodeKey {
        kid: "NL-NCP".into(),
        key: ed25519_key(),
    };
    if let Ok(envelope) = protocol::verify(body, &header, &key.verifying_key()) {
        let _ = serde_json::to_vec(&envelope);
    }
    // The body alone, as the inbox's plausibility check reads it.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let _ = protocol::plausible::check_json(&value);
    }
    // And a real signature over the fuzzed envelope, when it is one: it must verify.
    if let Ok(envelope) = serde_json::from_slice::<protocol::Envelope>(body) {
        if let Ok(signed) = protocol::sign(&envelope, &key) {
            assert!(protocol::verify(&signed.bytes, &signed.signature, &key.verifying_key()).is_ok());
        }
    }
});

fn ed25519_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}
