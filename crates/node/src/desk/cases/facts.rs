//! What a message gives its case: the facts the store keeps (status step, deadline, partner,
//! subjects in short) and the match keys of its subjects for the search and the cross-check.

use super::*;

/// The kinds of message that are not case work: delivery receipts, journal checkpoints and ANPR
/// hotlist traffic (Art. 13) have pages of their own. An operation's events (Titles 3–6) are one
/// case, which the operations board lists instead of the inbox.
pub(super) const NOT_CASES: &[&str] = &[
    "receipt",
    "journal_checkpoint",
    "anpr_entry",
    "anpr_decision",
    "anpr_withdrawal",
    "anpr_hit",
];

/// The case id of an operation's events: `op:` and the operation's id (hashed when long).
pub(crate) fn operation_case(operation: &str) -> String {
    if operation.len() <= 60 {
        format!("op:{operation}")
    } else {
        use sha2::Digest;
        format!("op:{}", &hex::encode(sha2::Sha256::digest(operation.as_bytes()))[..40])
    }
}

/// The case facts of a message `direction` this node stored at `at`, or `None` when it is no
/// case work.
pub(crate) fn facts_of(
    profile: &Profile,
    envelope: &Envelope,
    direction: Direction,
    at: Timestamp,
) -> Option<CaseFacts> {
    let kind = envelope.body.kind();
    if NOT_CASES.contains(&kind) {
        return None;
    }
    let (partner, ours) = match direction {
        Direction::Incoming => (&envelope.from, &envelope.to),
        Direction::Outgoing => (&envelope.to, &envelope.from),
    };
    let mut facts = CaseFacts {
        partner: partner.party.to_string(),
        partner_node: partner.node.clone(),
        partner_unit: unit_of(partner).to_owned(),
        unit: unit_of(ours).to_owned(),
        article: format!(
            "{} Art. {}",
            envelope.legal_basis.instrument, envelope.legal_basis.article
        ),
        review_after_ms: profile.flags.retention_first_review_days.saturating_mul(86_400_000),
        ..CaseFacts::default()
    };
    let incoming = direction == Direction::Incoming;
    let mut subjects: Vec<&Subject> = Vec::new();
    let mut text = "";
    let mut event_title = None;
    facts.step = match &envelope.body {
        Body::Request {
            subjects: s,
            text: t,
            urgent,
            directly_accessible,
            channel,
            ..
        } => {
            subjects.extend(s);
            text = t;
            facts.urgent = *urgent;
            facts.channel = serde_json::to_value(channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if incoming {
                // Directive 2023/977 Art. 5(1): the reply's time limit, computed by the engine.
                let decision = treaty::evaluate(
                    profile,
                    &Action::Deadline(Deadline {
                        rule: DeadlineRule::InformationRequestReply,
                        party: envelope.to.party.clone(),
                        start: at,
                        eaw_received: false,
                        urgent: *urgent,
                        directly_accessible: *directly_accessible,
                    }),
                );
                facts.deadline = decision.deadline.map(|d| {
                    (
                        d,
                        decision.articles.first().map(ToString::to_string).unwrap_or_default(),
                    )
                });
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::SpontaneousProvision {
            subjects: s,
            text: t,
            channel,
            ..
        } => {
            subjects.extend(s);
            text = t;
            facts.channel = serde_json::to_value(channel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::Provision {
            subjects: s,
            text: t,
            delayed_for_judicial_authorisation,
        } => {
            subjects.extend(s);
            text = t;
            facts.judicial_delay = *delayed_for_judicial_authorisation;
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::Refusal {
            ground,
            delayed_for_judicial_authorisation,
            ..
        } => {
            facts.refusal_ground = Some(ground.clone());
            // A late refusal because the judicial authorisation was refused (6(c)) waited for it.
            facts.judicial_delay = *delayed_for_judicial_authorisation || ground.ends_with("6(c)");
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::HitQuery { subject, .. } | Body::ConsultQuery { subject, .. } => {
            subjects.push(subject);
            if incoming {
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::ConsultAnswer { records, .. } => {
            subjects.extend(records);
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::HitAnswer { .. } | Body::HitRefusal { .. } | Body::ConsultRefusal { .. } => {
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::ConsentRequest { .. } | Body::FeedbackRequest { .. } => {
            if incoming {
                CaseStep::OnUs
            } else {
                CaseStep::OnPartner
            }
        }
        Body::ConsentGrant { .. } | Body::ConsentDenial { .. } | Body::FeedbackAnswer { .. } => {
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::OralRecord { at: spoken, summary } => {
            text = summary;
            // Art. 12(2): the written confirmation within 24 hours, computed by the engine.
            let decision = treaty::evaluate(
                profile,
                &Action::Deadline(Deadline {
                    rule: DeadlineRule::OralConfirmation,
                    party: envelope.from.party.clone(),
                    start: *spoken,
                    eaw_received: false,
                    urgent: false,
                    directly_accessible: false,
                }),
            );
            facts.deadline = decision.deadline.map(|d| {
                (
                    d,
                    decision.articles.first().map(ToString::to_string).unwrap_or_default(),
                )
            });
            CaseStep::OnUs
        }
        Body::Operation(e) => {
            facts.title = truncate(&format!("{} {} → {}", e.kind, e.sending, e.host), 200);
            // The operation's kind, where a message has its channel.
            facts.channel = truncate(&e.kind, 40);
            facts.article = format!(
                "{} Art. {}",
                envelope.legal_basis.instrument, envelope.legal_basis.article
            );
            // The board lists an operation until nothing is owed on it: refused, or ended with
            // its report filed (Art. 46).
            return Some(CaseFacts {
                step: match e.event {
                    protocol::OperationEventKind::Refused | protocol::OperationEventKind::ReportFiled => {
                        CaseStep::Answered
                    }
                    _ => CaseStep::TakeNote,
                },
                ..facts
            });
        }
        Body::DataCorrection {
            correction, text: t, ..
        } if incoming => {
            facts.correction = Some(format!(
                "{} by {}: {}",
                match correction {
                    protocol::Correction::Rectified => "rectified",
                    protocol::Correction::Withdrawn => "withdrawn",
                },
                envelope.from.party,
                truncate(t, 300)
            ));
            CaseStep::TakeNote
        }
        Body::SportsEventData {
            event,
            subjects: s,
            text: t,
            data,
            ..
        } => {
            subjects.extend(s);
            text = t;
            facts.channel = truncate(data, 40);
            event_title = Some(format!(
                "{} – {} ({}, {})",
                event.home_team, event.away_team, event.competition, event.date
            ));
            if incoming {
                CaseStep::TakeNote
            } else {
                CaseStep::Answered
            }
        }
        Body::DirectExchangeNotice { summary, .. } => {
            text = summary;
            CaseStep::TakeNote
        }
        _ => CaseStep::Unchanged,
    };
    let mut titles = Vec::new();
    for subject in subjects {
        match subject {
            Subject::Person(p) => {
                titles.push(person_title(p));
                facts.keys.extend(person_keys(p));
            }
            Subject::Object(o) => {
                titles.push(format!("{} {}", object_label(o.kind), o.identifier));
                facts.keys.extend(object_key(o));
            }
            _ => {}
        }
    }
    facts.keys.extend(word_keys(text));
    facts.keys.sort();
    facts.keys.dedup();
    if let Some(event) = event_title {
        titles.insert(0, event);
    }
    facts.title = truncate(&titles.join("; "), 200);
    Some(facts)
}

/// The persons and objects a message is about.
pub(super) fn subjects_of(body: &Body) -> Vec<&Subject> {
    match body {
        Body::Request { subjects, .. }
        | Body::SpontaneousProvision { subjects, .. }
        | Body::Provision { subjects, .. } => subjects.iter().collect(),
        Body::HitQuery { subject, .. } | Body::ConsultQuery { subject, .. } => vec![subject],
        Body::ConsultAnswer { records, .. } => records.iter().collect(),
        _ => Vec::new(),
    }
}

pub(super) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

fn person_title(p: &Person) -> String {
    let mut t = p.surname.to_uppercase();
    if !p.given_names.is_empty() {
        t.push_str(", ");
        t.push_str(&p.given_names.join(" "));
    }
    if let Some(d) = p.birth_date {
        t.push_str(&format!(" ({d})"));
    }
    t
}

fn object_label(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Vehicle => "vehicle",
        ObjectKind::Document => "document",
        ObjectKind::Firearm => "firearm",
        ObjectKind::Other => "object",
    }
}

/// A phonetic key per name word, and one for the surname with the first given name in either
/// order (a swapped name, a transliterated one and a misspelt one give the same keys).
pub(crate) fn person_keys(p: &Person) -> Vec<(String, String)> {
    let surname = matching::normalize::name_tokens(&p.surname);
    let given = matching::normalize::name_tokens(&p.given_names.join(" "));
    let mut keys: Vec<(String, String)> = surname
        .iter()
        .chain(&given)
        .map(|w| (format!("n:{}", matching::phonetic::key(w)), "name".to_owned()))
        .collect();
    if let (Some(s), Some(g)) = (surname.first(), given.first()) {
        keys.push((pair_key(s, g), "name and given name".to_owned()));
    }
    for alias in &p.aliases {
        for w in matching::normalize::name_tokens(alias) {
            keys.push((format!("n:{}", matching::phonetic::key(&w)), "alias".to_owned()));
        }
    }
    keys
}

fn pair_key(a: &str, b: &str) -> String {
    let mut pair = [matching::phonetic::key(a), matching::phonetic::key(b)];
    pair.sort();
    format!("np:{}+{}", pair[0], pair[1])
}

/// A plate through the ANPR normaliser; other identifiers without spaces, dashes or case.
fn object_key(o: &Object) -> Option<(String, String)> {
    match o.kind {
        ObjectKind::Vehicle => Some(match anpr::Plate::parse(&o.identifier) {
            Ok(plate) => (format!("v:{plate}"), "plate".to_owned()),
            Err(_) => (format!("v:{}", identifier(&o.identifier)), "plate".to_owned()),
        }),
        kind => {
            let id = identifier(&o.identifier);
            (!id.is_empty()).then(|| (format!("o:{id}"), object_label(kind).to_owned()))
        }
    }
}

fn identifier(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Words of a request's text for the full-text search: folded, four letters or more, at most
/// twelve per message.
fn word_keys(text: &str) -> Vec<(String, String)> {
    let folded = matching::normalize::fold(text);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| w.len() >= 4).collect();
    words.sort_unstable();
    words.dedup();
    words
        .into_iter()
        .take(12)
        .map(|w| (format!("w:{w}"), "text".to_owned()))
        .collect()
}

/// The keys a search for `text` looks up: a plate or an identifier, a name (one word: each
/// spelling of it; several: the surname with a given name, either way round), a word of the text.
pub(crate) fn search_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let tokens = matching::normalize::name_tokens(text);
    if tokens.len() >= 2 {
        for (i, a) in tokens.iter().enumerate() {
            for b in tokens.iter().skip(i + 1) {
                keys.push(pair_key(a, b));
            }
        }
    } else if let Some(word) = tokens.first() {
        keys.push(format!("n:{}", matching::phonetic::key(word)));
        keys.push(format!("w:{word}"));
    }
    if let Ok(plate) = anpr::Plate::parse(text) {
        keys.push(format!("v:{plate}"));
    }
    let id = identifier(text);
    if !id.is_empty() {
        keys.push(format!("v:{id}"));
        keys.push(format!("o:{id}"));
    }
    keys.sort();
    keys.dedup();
    keys
}
