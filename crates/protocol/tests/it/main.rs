//! The envelope on the wire: round trips, signatures, tampering, tolerance of unknown fields.

use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use protocol::body::{Channel, Purpose};
use protocol::entities::{Object, ObjectKind, Person, Subject};
use protocol::handling::{Classification, ConsentUse};
use protocol::signing::key_id;
use protocol::{sign, verify, Body, Envelope, HandlingCodes, LegalBasis, NodeAddress, NodeKey, ProtocolError};
use treaty::PartyCode;

fn key(kid: &str) -> NodeKey {
    NodeKey {
        kid: kid.into(),
        key: SigningKey::generate(&mut rand_core::OsRng),
    }
}

fn node(party: &str, name: &str) -> NodeAddress {
    NodeAddress {
        party: PartyCode::parse(party).expect("party"),
        node: name.into(),
        unit: None,
    }
}

fn now() -> Timestamp {
    "2026-11-23T10:00:00+01:00".parse().expect("instant")
}

fn request() -> Envelope {
    Envelope::new(
        node("NL", "NL-NCP"),
        node("BE", "BE-NCP"),
        now(),
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "4(1)".parse().expect("article"),
        },
        Body::Request {
            purpose: Purpose::Criminal,
            subjects: vec![
                Subject::Person(Person {
                    given_names: vec!["Dorđe".into()],
                    surname: "Đorđević".into(),
                    birth_date: Some("1987-07-03".parse().expect("date")),
                    ..Person::default()
                }),
                Subject::Object(Object {
                    kind: ObjectKind::Vehicle,
                    identifier: "1-ABC-234".into(),
                    country: Some("BE".into()),
                    description: None,
                }),
            ],
            text: "Investigation 2026/0412: known to BE? vehicle holder?".into(),
            urgent: false,
            directly_accessible: false,
            channel: Channel::Ncp,
            direct_ground: None,
            hit_reference: None,
            topic: None,
        },
    )
}

#[test]
fn a_signed_envelope_verifies_and_round_trips() {
    let k = key("NL-NCP");
    let env = request();
    let signed = sign(&env, &k).expect("sign");
    assert_eq!(key_id(&signed.signature).expect("kid"), "NL-NCP");
    let back = verify(&signed.bytes, &signed.signature, &k.verifying_key()).expect("verifies");
    assert_eq!(back, env);
    assert_eq!(signed.sha256().len(), 64);
}

#[test]
fn a_changed_byte_breaks_the_signature() {
    let k = key("NL-NCP");
    let signed = sign(&request(), &k).expect("sign");
    for i in [0, signed.bytes.len() / 2, signed.bytes.len() - 1] {
        let mut bytes = signed.bytes.clone();
        bytes[i] ^= 0x01;
        let err = verify(&bytes, &signed.signature, &k.verifying_key()).expect_err("tampered body must fail");
        assert!(matches!(err, ProtocolError::BadSignature { .. }), "{err}");
    }
}

#[test]
fn another_nodes_key_is_refused() {
    let signed = sign(&request(), &key("NL-NCP")).expect("sign");
    let err = verify(&signed.bytes, &signed.signature, &key("NL-NCP").verifying_key()).expect_err("forged");
    assert!(err.to_string().contains("not signed by this node"), "{err}");
}

#[test]
fn malformed_and_unsupported_signatures_are_refused_with_a_reason() {
    let k = key("BE-NCP");
    let signed = sign(&request(), &k).expect("sign");
    let vk = k.verifying_key();
    for (sig, expect) in [
        ("", "detached JWS"),
        ("abc", "detached JWS"),
        ("a.b.c", "detached JWS"),
        ("!!..AAAA", "base64url"),
        ("eyJhbGciOiJub25lIiwia2lkIjoieCJ9..AAAA", "only EdDSA"),
    ] {
        let err = verify(&signed.bytes, sig, &vk).expect_err("must fail");
        assert!(err.to_string().contains(expect), "{sig}: {err}");
    }
    let (header, _) = signed.signature.split_once("..").expect("detached");
    let err = verify(&signed.bytes, &format!("{header}..AAAA"), &vk).expect_err("short signature");
    assert!(err.to_string().contains("64 bytes"), "{err}");
}

#[test]
fn unknown_fields_are_tolerated_and_other_versions_refused() {
    let k = key("BE-NCP");
    let original = request();
    let mut value = serde_json::to_value(&original).expect("json");
    value["future_field"] = serde_json::json!({"anything": 1});
    value["body"]["future_body_field"] = serde_json::json!(true);
    let bytes = serde_json::to_vec(&value).expect("bytes");
    let env: Envelope = serde_json::from_slice(&bytes).expect("tolerant read");
    assert_eq!(env, original);
    let mut old = serde_json::to_value(request()).expect("json");
    old["version"] = serde_json::json!(2);
    let signed = sign(&serde_json::from_value::<Envelope>(old).expect("parse"), &k).expect("sign");
    let err = verify(&signed.bytes, &signed.signature, &k.verifying_key()).expect_err("version 2");
    assert!(matches!(err, ProtocolError::UnsupportedVersion(2)), "{err}");
}

#[test]
fn an_unknown_body_type_names_itself() {
    let mut value = serde_json::to_value(request()).expect("json");
    value["body"]["type"] = serde_json::json!("teleport");
    let err = serde_json::from_value::<Envelope>(value).expect_err("unknown type");
    assert!(err.to_string().contains("teleport"), "{err}");
}

#[test]
fn replies_stay_in_the_case_and_carry_handling_codes() {
    let req = request();
    let reply = Envelope::new(
        node("BE", "BE-NCP"),
        node("NL", "NL-NCP"),
        now(),
        LegalBasis {
            instrument: "benelux-2018".into(),
            article: "4(1)".parse().expect("article"),
        },
        Body::Provision {
            subjects: vec![],
            text: "Known: ANG 2025/1234".into(),
            delayed_for_judicial_authorisation: false,
        },
    )
    .replying_to(&req)
    .with_handling(HandlingCodes {
        classification: Some(Classification {
            party: PartyCode::parse("BE").expect("party"),
            marking: "Vertrouwelijk (Wet 11.12.1998)".into(),
            eu_level: "CONFIDENTIAL".into(),
        }),
        purpose_restriction: vec!["investigation 2026/0412".into()],
        consented_uses: vec![ConsentUse::OtherPurpose],
        conditions: vec![],
        language: None,
    });
    assert_eq!(reply.in_reply_to, Some(req.id));
    assert_eq!(reply.case, Some(req.id));
    assert_ne!(reply.id, req.id);
    let json = serde_json::to_string(&reply).expect("json");
    assert!(json.contains("\"type\":\"provision\""), "{json}");
    assert!(json.contains("Vertrouwelijk"), "{json}");
}

#[test]
fn message_ids_are_v7_and_ordered_by_time() {
    let a = protocol::MessageId::new(now());
    let b = protocol::MessageId::new(now().checked_add(jiff::SignedDuration::from_millis(5)).expect("later"));
    assert_eq!(a.0.get_version_num(), 7);
    assert!(a < b);
}
