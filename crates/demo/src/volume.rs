//! A contact point's history at national volume, generated straight into a node's store: `N`
//! messages in realistic cases over two years (requests received and answered, requests sent and
//! answered, hit/no-hit queries, operations), with the case views, journal entries and Art. 18
//! counters the store keeps for each — for `grens bench desk` and the volume tests.
//!
//! The messages are the envelopes the protocol defines, from and to the demo network's nodes;
//! they carry a placeholder signature (they never travel) and are stored as delivered.

use jiff::{SignedDuration, Timestamp};
use matching::generate::Rng;
use protocol::body::{Channel, Purpose};
use protocol::{
    Body, Envelope, LegalBasis, MessageId, NodeAddress, Object, ObjectKind, OperationEvent, OperationEventKind, Person,
    Subject, PROTOCOL_VERSION,
};
use serde_json::json;
use store::{AnyStore, CaseStore, Incoming, NewEntry, Operation, Outgoing, Settlement, StoreError};
use treaty::{PartyCode, Profile};

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Volume {
    pub messages: usize,
    pub cases: usize,
    /// A surname of a generated subject (for a search), as written in the store.
    pub known_surname: String,
    /// A case id in the middle of the history.
    pub middle_case: String,
}

/// One message of a generated case, in the order it happened.
struct Generated {
    envelope: Envelope,
    /// Received by the node (or sent by it).
    incoming: bool,
}

fn address(party: &str) -> NodeAddress {
    NodeAddress {
        party: PartyCode::parse(party).unwrap_or_else(|_| PartyCode::parse("NL").expect("NL is a party")),
        node: format!("{party}-NCP"),
        unit: None,
    }
}

fn envelope(from: &str, to: &str, at: Timestamp, article: &str, body: Body, reply_to: Option<&Envelope>) -> Envelope {
    let id = MessageId::new(at);
    Envelope {
        version: PROTOCOL_VERSION,
        id,
        from: address(from),
        to: address(to),
        created_at: at,
        in_reply_to: reply_to.map(|r| r.id),
        case: reply_to.map_or(Some(id), |r| r.case.or(Some(r.id))),
        legal_basis: LegalBasis {
            instrument: "benelux-2018".into(),
            article: article.parse().expect("the generator's articles are valid"),
        },
        body,
        handling: None,
        transfer: None,
    }
}

const PLATE_LETTERS: &[u8] = b"BCDFGHJKLNPRSTVXZ";

fn plate(rng: &mut Rng) -> String {
    let l = |rng: &mut Rng| char::from(PLATE_LETTERS[rng.below(PLATE_LETTERS.len())]);
    format!("{}{}-{:03}-{}", l(rng), l(rng), rng.below(1000), l(rng))
}

/// The messages of case number `i`, opened at `at` between BE (this node) and `partner`.
fn case(i: usize, at: Timestamp, now: Timestamp, partner: &str, person: &Person, rng: &mut Rng) -> Vec<Generated> {
    let mut out = Vec::new();
    let mut subjects = vec![Subject::Person(person.clone())];
    if rng.chance(30) {
        subjects.push(Subject::Object(Object {
            kind: ObjectKind::Vehicle,
            identifier: plate(rng),
            country: Some(partner.to_owned()),
            description: None,
        }));
    }
    let hours = |h: usize| SignedDuration::from_hours(i64::try_from(h).unwrap_or(1));
    let old = now.duration_since(at) > SignedDuration::from_hours(24 * 10);
    let roll = rng.below(100);
    if roll < 50 {
        // A request received; answered unless recent.
        let urgent = rng.chance(10);
        let request = envelope(
            partner,
            "BE",
            at,
            "4(1)",
            Body::Request {
                purpose: Purpose::Criminal,
                subjects: subjects.clone(),
                text: format!("case {i}: burglary series along the border, vehicle seen twice; known to you?"),
                urgent,
                directly_accessible: false,
                channel: if rng.chance(80) { Channel::Ncp } else { Channel::Direct },
                direct_ground: None,
                hit_reference: None,
                topic: None,
            },
            None,
        );
        let answer_at = at + hours(1 + rng.below(70));
        let answer = if old || answer_at < now - hours(24) {
            Some(if rng.chance(20) {
                Body::Refusal {
                    ground: ["2023/977:6(a)", "2023/977:6(f)", "2023/977:6(g)"][rng.below(3)].into(),
                    reasons: "not available".into(),
                    delayed_for_judicial_authorisation: false,
                }
            } else {
                Body::Provision {
                    subjects: subjects.clone(),
                    text: "known for theft; address on file".into(),
                    delayed_for_judicial_authorisation: false,
                }
            })
        } else {
            None
        };
        let first = Generated {
            envelope: request,
            incoming: true,
        };
        if let Some(body) = answer {
            let reply = envelope("BE", partner, answer_at, "4(1)", body, Some(&first.envelope));
            out.push(first);
            out.push(Generated {
                envelope: reply,
                incoming: false,
            });
        } else {
            out.push(first);
        }
    } else if roll < 75 {
        // A request sent; the partner answers.
        let request = envelope(
            "BE",
            partner,
            at,
            "4(1)",
            Body::Request {
                purpose: Purpose::Criminal,
                subjects: subjects.clone(),
                text: format!("case {i}: suspect of a robbery in Antwerpen; antecedents?"),
                urgent: rng.chance(10),
                directly_accessible: false,
                channel: Channel::Ncp,
                direct_ground: None,
                hit_reference: None,
                topic: None,
            },
            None,
        );
        let answer_at = at + hours(2 + rng.below(100));
        let reply = (answer_at < now).then(|| {
            envelope(
                partner,
                "BE",
                answer_at,
                "4(1)",
                Body::Provision {
                    subjects: subjects.clone(),
                    text: "two convictions for robbery".into(),
                    delayed_for_judicial_authorisation: false,
                },
                Some(&request),
            )
        });
        out.push(Generated {
            envelope: request,
            incoming: false,
        });
        if let Some(r) = reply {
            out.push(Generated {
                envelope: r,
                incoming: true,
            });
        }
    } else if roll < 88 {
        // A hit/no-hit query received (Art. 14), answered at once.
        let query = envelope(
            partner,
            "BE",
            at,
            "14",
            Body::HitQuery {
                database: "ANG".into(),
                subject: subjects[0].clone(),
                purpose: Purpose::Criminal,
                case_reference: format!("{partner}-{i}"),
            },
            None,
        );
        let answer = envelope(
            "BE",
            partner,
            at + SignedDuration::from_secs(1),
            "14",
            Body::HitAnswer {
                query: query.id,
                hit: rng.chance(5),
                reference: None,
                possible: false,
            },
            Some(&query),
        );
        out.push(Generated {
            envelope: query,
            incoming: true,
        });
        out.push(Generated {
            envelope: answer,
            incoming: false,
        });
    } else {
        // A hot pursuit from the partner into Belgium: crossing, acknowledgement, end, report.
        let operation = format!("OP-{partner}-{i:08x}");
        let steps = [
            (OperationEventKind::Crossing, true, 0),
            (OperationEventKind::Acknowledged, false, 1),
            (OperationEventKind::Ended, true, 2),
            (OperationEventKind::ReportFiled, true, 30),
        ];
        let last = if old { steps.len() } else { 1 + rng.below(steps.len()) };
        for (event, incoming, minutes) in steps.into_iter().take(last) {
            let when = at + SignedDuration::from_mins(minutes);
            let (from, to) = if incoming { (partner, "BE") } else { ("BE", partner) };
            out.push(Generated {
                envelope: envelope(
                    from,
                    to,
                    when,
                    "21",
                    Body::Operation(OperationEvent {
                        operation: operation.clone(),
                        kind: "pursuit".into(),
                        sending: partner.into(),
                        host: "BE".into(),
                        event,
                        at: when,
                        text: String::new(),
                        facts: serde_json::Value::Null,
                    }),
                    None,
                ),
                incoming,
            });
        }
    }
    out
}

/// Fills `store` (BE's) with about `messages` messages in cases, `days` days back from `now`.
/// `say` is told the progress.
pub async fn fill(
    store: &AnyStore,
    profile: &Profile,
    messages: usize,
    days: i64,
    now: Timestamp,
    seed: u64,
    say: &mut dyn FnMut(String),
) -> Result<Volume, StoreError> {
    let mut rng = Rng::new(seed);
    // Persons come back in several cases, as they do at a contact point.
    let pool_size = (messages / 8).clamp(200, 50_000);
    let persons: Vec<Person> = matching::generate::persons(pool_size, seed)
        .map(|g| Person {
            given_names: vec![g.person.given_names.clone()],
            surname: g.person.surname.clone(),
            birth_date: g.person.birth_date,
            ..Person::default()
        })
        .collect();
    let cases = (messages * 100 / 225).max(1);
    let span_ms = days.max(1) * 86_400_000;
    let start = now - SignedDuration::from_millis(span_ms);
    let mut volume = Volume {
        known_surname: persons.first().map(|p| p.surname.clone()).unwrap_or_default(),
        ..Volume::default()
    };
    const CHUNK: usize = 3_000;
    let mut i = 0;
    while i < cases && volume.messages < messages {
        let mut chunk: Vec<Vec<Generated>> = Vec::with_capacity(CHUNK);
        for j in i..(i + CHUNK).min(cases) {
            let offset = i64::try_from(j).unwrap_or(0) * span_ms / i64::try_from(cases).unwrap_or(1);
            let at = start + SignedDuration::from_millis(offset + i64::try_from(rng.below(60_000)).unwrap_or(0));
            let partner = if rng.chance(60) { "NL" } else { "LU" };
            let person = &persons[rng.below(persons.len())];
            let generated = case(j, at, now, partner, person, &mut rng);
            if j == cases / 2 {
                volume.middle_case = generated
                    .first()
                    .and_then(|g| g.envelope.case)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
            }
            chunk.push(generated);
        }
        i += CHUNK;
        volume.cases += chunk.len();
        // Round by round (first messages of every case, then second …), so that each case's
        // messages are applied in order.
        let rounds = chunk.iter().map(Vec::len).max().unwrap_or(0);
        for round in 0..rounds {
            let (mut incoming, mut outgoing) = (Vec::new(), Vec::new());
            for case in &chunk {
                let Some(g) = case.get(round) else { continue };
                let bytes = serde_json::to_string(&g.envelope).map_err(|e| StoreError::Batch(e.to_string()))?;
                let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes.as_bytes()));
                let at = g.envelope.created_at;
                let kind = g.envelope.body.kind();
                let case_id = g.envelope.case.map(|c| c.to_string());
                if g.incoming {
                    let meta = node::meta_of(profile, &g.envelope, store::Direction::Incoming, at);
                    incoming.push((
                        Incoming {
                            message_id: g.envelope.id.to_string(),
                            from_node: g.envelope.from.node.clone(),
                            received_at: at,
                            sha256: sha256.clone(),
                            bytes,
                            signature: "generated".into(),
                            meta,
                        },
                        NewEntry {
                            at,
                            operation: Operation::Collection,
                            actor: format!("{}/{}", g.envelope.from.party, g.envelope.from.node),
                            justification: format!(
                                "received {kind} under benelux-2018 Art. {}",
                                g.envelope.legal_basis.article
                            ),
                            recipient: Some("BE/BE-NCP".into()),
                            message_id: Some(g.envelope.id.to_string()),
                            case_id,
                            details: json!({ "kind": kind, "sha256": sha256 }),
                        },
                    ));
                } else {
                    let meta = node::meta_of(profile, &g.envelope, store::Direction::Outgoing, at);
                    outgoing.push((
                        Outgoing {
                            message_id: g.envelope.id.to_string(),
                            to_node: g.envelope.to.node.clone(),
                            bytes,
                            signature: "generated".into(),
                            sha256,
                            queued_at: at,
                            meta,
                        },
                        NewEntry {
                            at,
                            operation: Operation::Disclosure,
                            actor: "BE/officer:be.operator".into(),
                            justification: format!(
                                "sent {kind} under benelux-2018 Art. {}",
                                g.envelope.legal_basis.article
                            ),
                            recipient: Some(format!("{}/{}", g.envelope.to.party, g.envelope.to.node)),
                            message_id: Some(g.envelope.id.to_string()),
                            case_id,
                            details: json!({ "kind": kind }),
                        },
                        at,
                    ));
                }
            }
            volume.messages += incoming.len() + outgoing.len();
            if !incoming.is_empty() {
                store.receive_many(incoming).await?;
            }
            if !outgoing.is_empty() {
                let delivered: Vec<_> = outgoing
                    .iter()
                    .map(|(m, _, at)| (m.message_id.clone(), Settlement::Delivered, *at))
                    .collect();
                store.enqueue_many(outgoing).await?;
                store.settle_many(delivered).await?;
            }
            // The case views of the chunk, as the projector would apply them (store::case_feed).
            store.apply_pending_cases().await?;
        }
        if i % (CHUNK * 50) == 0 {
            say(format!("{} messages in {} cases", volume.messages, volume.cases));
        }
    }
    Ok(volume)
}
