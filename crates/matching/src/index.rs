//! The index: persons reduced to hashed match keys, blocked on phonetic keys, scored with
//! reasons. The same code serves the clear mode (unkeyed SHA-256) and the pseudonymised mode
//! (HMAC-SHA256 with the key of the implementing agreement): the index never holds a name, only
//! 64-bit digests of match keys, so a pseudonymised index can be shared or queried without
//! revealing who is in it.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::dates::{self, DateAgreement};
use crate::normalize::{fold, name_tokens};
use crate::phonetic;

/// A person as a national database holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub given_names: String,
    pub surname: String,
    pub birth_date: Option<Date>,
}

/// A hit/no-hit query (Art. 14): a name and, where known, a birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub given_names: String,
    pub surname: String,
    pub birth_date: Option<Date>,
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// At or above this score a candidate is a hit.
pub const HIT_THRESHOLD: f64 = 0.85;

/// How match keys are turned into digests.
#[derive(Clone)]
pub enum Protection {
    /// Unkeyed: for a service's own index.
    Clear,
    /// HMAC-SHA256 with the key shared under the implementing agreement.
    Keyed(Vec<u8>),
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.write_str(match self {
            Protection::Clear => "Clear",
            Protection::Keyed(_) => "Keyed(…)",
        })
    }
}

impl Protection {
    fn digest(&self, domain: &str, text: &str) -> u64 {
        let bytes: [u8; 32] = match self {
            Protection::Clear => {
                let mut h = Sha256::new();
                h.update(domain.as_bytes());
                h.update([0]);
                h.update(text.as_bytes());
                h.finalize().into()
            }
            Protection::Keyed(key) => {
                let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
                    return 0;
                };
                mac.update(domain.as_bytes());
                mac.update(&[0]);
                mac.update(text.as_bytes());
                mac.finalize().into_bytes().into()
            }
        };
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[..8]);
        u64::from_le_bytes(first)
    }
}

/// One name word as digests: exact folded form and phonetic key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Word {
    exact: u64,
    sound: u64,
    /// The whole name run together (an extra key, not a word of its own).
    joined: bool,
}

/// A person's match keys.
#[derive(Debug, Clone)]
struct Record {
    surname: Vec<Word>,
    given: Vec<Word>,
    birth: Option<u64>,
}

fn words(p: &Protection, name: &str) -> Vec<Word> {
    let tokens = name_tokens(name);
    let mut out: Vec<Word> = tokens
        .iter()
        .map(|t| Word {
            exact: p.digest("exact", t),
            sound: p.digest("sound", &phonetic::key(t)),
            joined: false,
        })
        .collect();
    // The whole name run together, particles included, so "Van der Berg" meets "Vanderberg".
    let joined: String = fold(name).split(' ').collect();
    if !joined.is_empty() && tokens != [joined.as_str()] {
        out.push(Word {
            exact: p.digest("exact", &joined),
            sound: p.digest("sound", &phonetic::key(&joined)),
            joined: true,
        });
    }
    out
}

fn record(p: &Protection, given: &str, surname: &str, birth: Option<Date>) -> Record {
    Record {
        surname: words(p, surname),
        given: words(p, given),
        birth: birth.map(|d| p.digest("birth", &dates::digits(d))),
    }
}

/// How well the query's words are found among the record's: (score, reason).
fn name_agreement(query: &[Word], stored: &[Word]) -> (f64, &'static str) {
    if query.is_empty() || stored.is_empty() {
        return (0.5, "missing");
    }
    // The name run together matches as a whole ("Van der Berg" and "Vanderberg").
    for q in query.iter().filter(|q| q.joined) {
        if stored.iter().any(|s| s.exact == q.exact) {
            return (1.0, "same");
        }
        if stored.iter().any(|s| s.sound == q.sound) {
            return (0.9, "sounds the same");
        }
    }
    let query: Vec<&Word> = query.iter().filter(|q| !q.joined).collect();
    let stored: Vec<&Word> = stored.iter().collect();
    let exact = query
        .iter()
        .filter(|q| stored.iter().any(|s| s.exact == q.exact))
        .count();
    let sound = query
        .iter()
        .filter(|q| stored.iter().any(|s| s.exact == q.exact || s.sound == q.sound))
        .count();
    if exact == query.len() {
        (1.0, "same")
    } else if sound == query.len() {
        (0.9, "sounds the same")
    } else if sound > 0 {
        (0.75, "partly the same")
    } else {
        (0.0, "different")
    }
}

/// The index.
#[derive(Debug)]
pub struct Index {
    protection: Protection,
    ids: Vec<String>,
    records: Vec<Record>,
    /// Phonetic digest → persons.
    postings: HashMap<u64, Vec<u32>>,
}

impl Index {
    pub fn new(protection: Protection) -> Index {
        Index {
            protection,
            ids: Vec::new(),
            records: Vec::new(),
            postings: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn insert(&mut self, person: &Person) {
        let n = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
        let r = record(
            &self.protection,
            &person.given_names,
            &person.surname,
            person.birth_date,
        );
        let mut keys: Vec<u64> = r.surname.iter().chain(&r.given).map(|w| w.sound).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            self.postings.entry(k).or_default().push(n);
        }
        self.ids.push(person.id.clone());
        self.records.push(r);
    }

    /// The hits for `query`, best first, each with its reasons.
    pub fn query(&self, query: &Query) -> Vec<Match> {
        let p = &self.protection;
        let q = record(p, &query.given_names, &query.surname, None);
        let mut birth_variants: Vec<(u64, DateAgreement)> = Vec::new();
        if let Some(d) = query.birth_date {
            birth_variants.push((p.digest("birth", &dates::digits(d)), DateAgreement::Exact));
            if let Some(s) = dates::swapped(d) {
                birth_variants.push((p.digest("birth", &dates::digits(s)), DateAgreement::DayMonthSwapped));
            }
            for v in dates::one_digit_variants(d) {
                birth_variants.push((p.digest("birth", &dates::digits(v)), DateAgreement::OneDigit));
            }
        }
        let mut candidates: Vec<u32> = q
            .surname
            .iter()
            .chain(&q.given)
            .filter_map(|w| self.postings.get(&w.sound))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let query_all: Vec<Word> = q.surname.iter().chain(&q.given).copied().collect();
        let mut hits = Vec::new();
        for c in candidates {
            let Some(r) = self.records.get(c as usize) else {
                continue;
            };
            let mut reasons = Vec::new();
            let (s, g) = if q.surname.is_empty() || q.given.is_empty() {
                // One field holds the whole name ("DJORDJEVIC Dorde"): compare all words.
                let all: Vec<Word> = r.surname.iter().chain(&r.given).copied().collect();
                let a = name_agreement(&query_all, &all);
                reasons.push(format!("name: {} (given and family names in one field)", a.1));
                (a.0, a.0)
            } else {
                let straight = (
                    name_agreement(&q.surname, &r.surname),
                    name_agreement(&q.given, &r.given),
                );
                let swapped = (
                    name_agreement(&q.surname, &r.given),
                    name_agreement(&q.given, &r.surname),
                );
                if swapped.0 .0 + swapped.1 .0 > straight.0 .0 + straight.1 .0 {
                    reasons.push(format!("family name: {} as the given name (swapped)", swapped.0 .1));
                    reasons.push(format!("given name: {} as the family name (swapped)", swapped.1 .1));
                    (swapped.0 .0 * 0.95, swapped.1 .0 * 0.95)
                } else {
                    reasons.push(format!("family name: {}", straight.0 .1));
                    reasons.push(format!("given name: {}", straight.1 .1));
                    (straight.0 .0, straight.1 .0)
                }
            };
            if s < 0.75 {
                continue;
            }
            let birth = match (query.birth_date, r.birth) {
                (Some(_), Some(stored)) => birth_variants
                    .iter()
                    .filter(|(h, _)| *h == stored)
                    .map(|(_, a)| *a)
                    .max()
                    .unwrap_or(DateAgreement::Different),
                _ => DateAgreement::Missing,
            };
            reasons.push(birth.reason().to_owned());
            let score = 0.45 * s + 0.25 * g + 0.30 * birth.score();
            if score >= HIT_THRESHOLD {
                hits.push(Match {
                    id: self.ids.get(c as usize).cloned().unwrap_or_default(),
                    score: (score * 1000.0).round() / 1000.0,
                    reasons,
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits
    }
}
