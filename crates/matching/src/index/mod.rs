//! The index: persons reduced to hashed match keys in flat arrays, blocked on keys that survive
//! the errors queries make, scored with reasons. The same code serves the clear mode (unkeyed
//! SHA-256) and the pseudonymised mode (HMAC-SHA256 with the key of the implementing agreement):
//! the index never holds a name, only digests of match keys, so a pseudonymised index can be
//! shared or queried without revealing who is in it.
//!
//! Layout (about 170 bytes a person, measured by `grens bench hitnohit`):
//! - per name word: 32-bit digests of its folded form and of its phonetic key, and a 64-bit
//!   keyed Bloom filter of its letter pairs (for one-letter typos);
//! - per person: where its words start, how many are family and given names, a 32-bit digest of
//!   the birth date, and its id in one text arena;
//! - blocking keys in sorted arrays (compressed rows): every unordered pair of name words, and
//!   every name word with the birth date. A query finds a person when two of their words sound
//!   the same (transliteration, swapped names, birth-date errors, a missing date) or one word
//!   and the birth date do (a typo in the other name); and, for a query without a birth date,
//!   every given-name word with the family name's first letter (two errors in the family name).
//!
//! Answers are graded ([`Grade`]): a **hit**, or a **possible hit** — a family name two letters
//! apart beside the same given name and the same (or day/month-swapped, or no) birth date — that
//! the requester checks by a request rather than taking as an answer.

mod keys;
mod postings;
mod score;

use keys::*;
use postings::Postings;
use score::*;

use jiff::civil::Date;

use crate::dates::{self, DateAgreement};

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

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    /// A family name two letters apart with the given name and the birth date agreeing (or no
    /// date asked): the owner's records may hold the person; check by an Art. 4 request.
    Possible,
    /// At or above [`HIT_THRESHOLD`].
    Hit,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Possible => "possible_hit",
            Grade::Hit => "hit",
        }
    }
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    pub score: f64,
    pub grade: Grade,
    pub reasons: Vec<String>,
}

/// At or above this score a candidate is a hit.
pub const HIT_THRESHOLD: f64 = 0.85;

/// At most this many hits are returned, best first.
pub const MAX_HITS: usize = 25;

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

/// A query reduced to digests.
struct Prepared {
    surname: Vec<Word>,
    s_joined: bool,
    given: Vec<Word>,
    g_joined: bool,
    exact_birth: Option<u32>,
    swapped_birth: Option<u32>,
    all: Vec<Blockable>,
    initial: Option<u32>,
    initial_tag: InitialTag,
    /// The [`Hasher::start_bit`] of each family-name and given-name word (not the joined form).
    surname_starts: Vec<u64>,
    given_starts: Vec<u64>,
}

impl Prepared {
    /// Whether the query's name that is two letters apart from the stored one looks like it: it
    /// starts with the same letter (the stored word's letter-pair filter holds the query word's
    /// first pair; typists rarely get the first letter wrong) and is about as long (two letters
    /// changed or swapped keep the length). A word's letter pairs are a 64-bit filter, in which
    /// unrelated names ("Denis" and "Henry", "Hamdaoui" and "Hajji") share three or four bits by
    /// chance. `surname_apart`: the family name is the one apart (else the given name).
    fn looks_alike(&self, how: NameFit, surname_apart: bool, surname: NameWords, given: NameWords) -> bool {
        let q_surname = separate((&self.surname, self.s_joined));
        let q_given = separate((&self.given, self.g_joined));
        let (query, starts, stored): (Vec<Word>, Vec<u64>, Vec<Word>) = match (how, surname_apart) {
            (NameFit::Straight(..), true) => (
                q_surname.to_vec(),
                self.surname_starts.clone(),
                separate(surname).to_vec(),
            ),
            (NameFit::Straight(..), false) => (q_given.to_vec(), self.given_starts.clone(), separate(given).to_vec()),
            (NameFit::Swapped(..), true) => (
                q_surname.to_vec(),
                self.surname_starts.clone(),
                separate(given).to_vec(),
            ),
            (NameFit::Swapped(..), false) => (q_given.to_vec(), self.given_starts.clone(), separate(surname).to_vec()),
            (NameFit::OneField(_), _) => (
                q_surname.iter().chain(q_given).copied().collect(),
                self.surname_starts.iter().chain(&self.given_starts).copied().collect(),
                separate(surname).iter().chain(separate(given)).copied().collect(),
            ),
        };
        let pairs = |w: &[Word]| -> u32 { w.iter().map(|w| w.grams.count_ones()).sum() };
        pairs(&query).abs_diff(pairs(&stored)) <= 2
            && starts.iter().all(|bit| stored.iter().any(|w| w.grams & bit != 0))
    }
}

/// A candidate that is a hit or a possible hit, before it is returned.
struct Found {
    person: u32,
    score: f64,
    grade: Grade,
    how: NameFit,
    birth: DateAgreement,
    /// How close the spellings are ([`spelling_closeness`]): the order among equal scores.
    closeness: f64,
}

/// The rounds of a query, each only if the ones before found no near-certain hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// A name word that sounds the same and the birth date (or its swapped form).
    Births,
    /// Two name words that sound the same, spelt exactly as the query's.
    Pairs,
    /// Without a birth date: a given name spelt exactly and the family name's initial.
    Initials,
}

/// The index.
pub struct Index {
    hasher: Hasher,
    words: Vec<Word>,
    entries: Vec<Entry>,
    /// Every id, one after the other; `id_ends[i]` is where person `i`'s ends.
    id_text: String,
    id_ends: Vec<u32>,
    /// The first two rounds' keys (a name word with the birth date, pairs of name words); beside
    /// each posting its pair's [`pair_tag`] (0 under birth keys).
    blocks: Postings<u8>,
    /// The third round's keys (a given name with the family name's initial); beside each
    /// posting the family name's [`InitialTag`].
    initials: Postings<InitialTag>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({} persons)", self.entries.len())
    }
}

impl Index {
    pub fn new(protection: Protection) -> Index {
        Index {
            hasher: Hasher::new(&protection),
            words: Vec::new(),
            entries: Vec::new(),
            id_text: String::new(),
            id_ends: Vec::new(),
            blocks: Postings::new(),
            initials: Postings::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn insert(&mut self, person: &Person) {
        let n = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let h = &self.hasher;
        let (surname, s_joined) = name_words(h, &person.surname);
        let (given, g_joined) = name_words(h, &person.given_names);
        let birth = person.birth_date.map_or(0, |d| h.digest32("birth", &dates::digits(d)));
        let all = blockable(&surname, s_joined, &given, g_joined);
        let keys = blocking_keys(&all, if birth == 0 { &[] } else { std::slice::from_ref(&birth) }, true);
        for (k, tag) in keys {
            self.blocks.add(k, n, tag);
        }
        let tag = InitialTag::of(h, &person.surname, &surname, s_joined);
        for k in initial_keys(&given, g_joined, initial_of(h, &person.surname)) {
            self.initials.add(k, n, tag);
        }
        self.entries.push(Entry {
            first_word: u32::try_from(self.words.len()).unwrap_or(u32::MAX),
            birth,
            surname_words: u8::try_from(surname.len()).unwrap_or(u8::MAX),
            given_words: u8::try_from(given.len()).unwrap_or(u8::MAX),
            joined: u8::from(s_joined) | u8::from(g_joined) << 1,
        });
        self.words.extend(surname);
        self.words.extend(given);
        self.id_text.push_str(&person.id);
        self.id_ends.push(u32::try_from(self.id_text.len()).unwrap_or(u32::MAX));
    }

    /// Moves the keys of newly inserted persons into the sorted arrays. Queries see every
    /// inserted person either way; call this after a bulk load so they stay fast.
    pub fn finish(&mut self) {
        self.blocks.finish();
        self.initials.finish();
        self.words.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.id_text.shrink_to_fit();
        self.id_ends.shrink_to_fit();
    }

    /// Bytes the index holds on the heap (capacities of its arrays).
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * std::mem::size_of::<Word>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.id_text.capacity()
            + self.id_ends.capacity() * 4
            + self.blocks.heap_bytes()
            + self.initials.heap_bytes()
    }

    /// The entries of `candidates`, read before any is scored, with their words touched: at 10
    /// million persons each read is a cache miss, and independent reads in a tight loop overlap
    /// where reads between scorings wait one after the other (a third of the time of a query
    /// with a few hundred candidates).
    fn gather(&self, candidates: &[u32]) -> Vec<(u32, Entry)> {
        let entries: Vec<(u32, Entry)> = candidates
            .iter()
            .filter_map(|c| self.entries.get(*c as usize).map(|e| (*c, *e)))
            .collect();
        let touched = entries
            .iter()
            .filter_map(|(_, e)| self.words.get(e.first_word as usize))
            .fold(0u64, |acc, w| acc ^ w.grams);
        std::hint::black_box(touched);
        entries
    }

    /// Person `n`'s family-name and given-name words, each with whether its last is the joined form.
    fn names_of(&self, n: u32) -> Option<(NameWords<'_>, NameWords<'_>)> {
        let e = self.entries.get(n as usize)?;
        let first = e.first_word as usize;
        let s_end = first + usize::from(e.surname_words);
        let g_end = s_end + usize::from(e.given_words);
        Some((
            (self.words.get(first..s_end)?, e.joined & 1 != 0),
            (self.words.get(s_end..g_end)?, e.joined & 2 != 0),
        ))
    }

    fn id(&self, n: usize) -> String {
        let start = if n == 0 { 0 } else { self.id_ends[n - 1] as usize };
        let end = self.id_ends.get(n).map_or(start, |e| *e as usize);
        self.id_text.get(start..end).unwrap_or_default().to_owned()
    }

    /// How many persons `query`'s blocking keys select in the first two rounds (what its
    /// scoring costs at most).
    pub fn candidates(&self, query: &Query) -> (usize, usize) {
        let [first, second, _] = self.candidates_per_round(query);
        (first, second)
    }

    /// How many persons each of the three rounds selects for `query` (whether or not an earlier
    /// round's hit would stop the query before it).
    pub fn candidates_per_round(&self, query: &Query) -> [usize; 3] {
        let q = self.prepare(query);
        [Round::Births, Round::Pairs, Round::Initials].map(|round| self.round_candidates(&q, round).len())
    }

    /// A query's words and birth-date digests.
    fn prepare(&self, query: &Query) -> Prepared {
        let h = &self.hasher;
        let (surname, s_joined) = name_words(h, &query.surname);
        let (given, g_joined) = name_words(h, &query.given_names);
        let exact_birth = query.birth_date.map(|d| h.digest32("birth", &dates::digits(d)));
        let swapped_birth = query
            .birth_date
            .and_then(dates::swapped)
            .map(|d| h.digest32("birth", &dates::digits(d)));
        let all = blockable(&surname, s_joined, &given, g_joined);
        let initial = initial_of(h, &query.surname);
        let initial_tag = InitialTag::of(h, &query.surname, &surname, s_joined);
        let starts = |name: &str| -> Vec<u64> {
            crate::normalize::name_tokens(name)
                .iter()
                .map(|t| h.start_bit(t))
                .collect()
        };
        Prepared {
            surname_starts: starts(&query.surname),
            given_starts: starts(&query.given_names),
            surname,
            s_joined,
            given,
            g_joined,
            exact_birth,
            swapped_birth,
            all,
            initial,
            initial_tag,
        }
    }

    /// The persons a round selects, sorted and unique. The first round: a name word that sounds
    /// the same and the birth date (or its swapped form). The second: two name words that sound
    /// the same — only where the query's pair is spelt exactly so (the posting's tag), because a
    /// person this round adds has a birth date one digit apart, missing or different, and with
    /// those only names that are the same can make a hit. The third, for a query without a
    /// birth date: a given name spelt exactly and the family name's initial — only possible hits
    /// come from it.
    fn round_candidates(&self, q: &Prepared, round: Round) -> Vec<u32> {
        let mut candidates = Vec::new();
        match round {
            Round::Births => {
                let births: Vec<u32> = q.exact_birth.into_iter().chain(q.swapped_birth).collect();
                if births.is_empty() {
                    return candidates;
                }
                for (k, _) in blocking_keys(&q.all, &births, false) {
                    self.blocks.persons_under(k, |_| true, &mut candidates);
                }
            }
            Round::Pairs => {
                for (k, tag) in blocking_keys(&q.all, &[], true) {
                    self.blocks.persons_under(k, |t| t == tag, &mut candidates);
                }
            }
            Round::Initials => {
                if q.exact_birth.is_some() || q.surname.is_empty() {
                    return candidates;
                }
                let tag = q.initial_tag;
                for k in initial_keys(&q.given, q.g_joined, q.initial) {
                    self.initials.persons_under(k, |t| tag.near(t), &mut candidates);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// The hits for `query`, best first (at most [`MAX_HITS`]), each with its reasons.
    pub fn query(&self, query: &Query) -> Vec<Match> {
        let h = &self.hasher;
        let prepared = self.prepare(query);
        let Prepared {
            surname: ref q_surname,
            s_joined: qs_joined,
            given: ref q_given,
            g_joined: qg_joined,
            exact_birth,
            swapped_birth,
            ..
        } = prepared;
        let swaps = Swaps::new(
            h,
            [
                (&query.surname, q_surname, qs_joined),
                (&query.given_names, q_given, qg_joined),
            ],
        );
        // The one-digit variants of the birth date cost ~40 digests: made only when needed.
        let mut one_digit: Option<Vec<u32>> = None;
        let mut hits: Vec<Found> = Vec::new();
        let mut scored: Vec<u32> = Vec::new();
        // Two rounds: first the persons who share a name word and the birth date (few, and
        // usually the answer); only if none of them is a near-certain hit, the persons who share
        // two name words (many for common names) — which birth-date errors and missing dates need.
        for round in [Round::Births, Round::Pairs, Round::Initials] {
            // The third round yields possible hits only: not sought once there is a hit.
            if round == Round::Initials && hits.iter().any(|h| h.grade == Grade::Hit) {
                break;
            }
            let mut candidates = self.round_candidates(&prepared, round);
            candidates.retain(|c| scored.binary_search(c).is_err());
            scored.extend_from_slice(&candidates);
            scored.sort_unstable();
            for (c, e) in self.gather(&candidates) {
                let Some(((r_surname, rs_joined), (r_given, rg_joined))) = self.names_of(c) else {
                    continue;
                };
                // Scores first; the reasons are written only for the hits returned.
                let (s, g, how) = if q_surname.is_empty() || q_given.is_empty() {
                    // One field holds the whole name ("DJORDJEVIC Dorde"): compare the words alone.
                    let q_words = q_surname[..q_surname.len() - usize::from(qs_joined)]
                        .iter()
                        .chain(&q_given[..q_given.len() - usize::from(qg_joined)]);
                    let r_words: Vec<Word> = r_surname[..r_surname.len() - usize::from(rs_joined)]
                        .iter()
                        .chain(&r_given[..r_given.len() - usize::from(rg_joined)])
                        .copied()
                        .collect();
                    let q_words: Vec<Word> = q_words.copied().collect();
                    let a = name_agreement(&q_words, false, &r_words, false, &swaps);
                    (a.0, a.0, NameFit::OneField(a.1))
                } else {
                    let straight = (
                        name_agreement(q_surname, qs_joined, r_surname, rs_joined, &swaps),
                        name_agreement(q_given, qg_joined, r_given, rg_joined, &swaps),
                    );
                    if straight.0 .0 >= 1.0 && straight.1 .0 >= 1.0 {
                        (1.0, 1.0, NameFit::Straight(straight.0 .1, straight.1 .1))
                    } else {
                        let swapped = (
                            name_agreement(q_surname, qs_joined, r_given, rg_joined, &swaps),
                            name_agreement(q_given, qg_joined, r_surname, rs_joined, &swaps),
                        );
                        if swapped.0 .0 + swapped.1 .0 > straight.0 .0 + straight.1 .0 {
                            (
                                swapped.0 .0 * 0.98,
                                swapped.1 .0 * 0.98,
                                NameFit::Swapped(swapped.0 .1, swapped.1 .1),
                            )
                        } else {
                            (
                                straight.0 .0,
                                straight.1 .0,
                                NameFit::Straight(straight.0 .1, straight.1 .1),
                            )
                        }
                    }
                };
                if s < score::TWO_LETTERS_APART {
                    continue;
                }
                let birth = match (query.birth_date, e.birth) {
                    (Some(_), 0) | (None, _) => DateAgreement::Missing,
                    (Some(_), stored) if Some(stored) == exact_birth => DateAgreement::Exact,
                    (Some(_), stored) if Some(stored) == swapped_birth => DateAgreement::DayMonthSwapped,
                    (Some(d), stored) => {
                        // One tolerance at a time: a birth date one digit apart confirms only names
                        // that agree exactly (possibly swapped); with a name that merely sounds the
                        // same it would make false hits on common names. And the digests are only
                        // worth computing when the date could still make a hit.
                        if s < 0.95 || g < 0.95 {
                            DateAgreement::Different
                        } else {
                            let variants = one_digit.get_or_insert_with(|| {
                                dates::one_digit_variants(d)
                                    .into_iter()
                                    .map(|v| h.digest32("birth", &dates::digits(v)))
                                    .collect()
                            });
                            if variants.contains(&stored) {
                                DateAgreement::OneDigit
                            } else {
                                DateAgreement::Different
                            }
                        }
                    }
                };
                // One tolerance at a time here too: a name only a letter apart (or only partly
                // found) is a hit only beside the other name the same and the exact birth date;
                // with a name that merely sounds the same or a swapped date it would make false
                // hits among the near-namesakes of a large database.
                let score = 0.45 * s + 0.25 * g + 0.30 * birth.score();
                let hit = !((s < 0.9 || g < 0.9) && (s.max(g) < 0.98 || birth != DateAgreement::Exact))
                    && s.min(g) > score::TWO_LETTERS_APART
                    && score >= HIT_THRESHOLD;
                // Two errors at once — a name two letters apart, and the date swapped or not
                // asked — is no hit, but the other name the same and the date agreeing make it a
                // possible one, for the requester to check by request.
                let date_agrees = match birth {
                    DateAgreement::Exact | DateAgreement::DayMonthSwapped => true,
                    DateAgreement::Missing => query.birth_date.is_none(),
                    _ => false,
                };
                let possible = !hit
                    && s.min(g) >= score::TWO_LETTERS_APART
                    && s.max(g) >= 0.98
                    && date_agrees
                    // A name a letter apart, swapped or sounding the same is one slip away; only two
                    // letters apart needs the closer look.
                    && (s.min(g) > score::TWO_LETTERS_APART
                        || prepared.looks_alike(how, s <= g, (r_surname, rs_joined), (r_given, rg_joined)));
                if hit || possible {
                    hits.push(Found {
                        person: c,
                        score: (score * 1000.0).round() / 1000.0,
                        grade: if hit { Grade::Hit } else { Grade::Possible },
                        how,
                        birth,
                        closeness: 0.0,
                    });
                }
            }
            if hits.iter().any(|h| h.score >= 0.95) {
                break;
            }
        }
        let order = |a: &Found, b: &Found| {
            b.grade
                .cmp(&a.grade)
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| b.closeness.total_cmp(&a.closeness))
                .then_with(|| a.person.cmp(&b.person))
        };
        hits.sort_by(order);
        // Where more candidates than are returned share the last returned one's score, the closer
        // spellings among them go first (worth its cost only where it decides who is returned).
        if let Some(last) = hits.get(MAX_HITS - 1).map(|h| (h.grade, h.score)) {
            if hits.get(MAX_HITS).is_some_and(|h| (h.grade, h.score) == last) {
                for hit in hits.iter_mut().filter(|h| (h.grade, h.score) == last) {
                    if let Some((surname, given)) = self.names_of(hit.person) {
                        hit.closeness = spelling_closeness(&prepared, surname, given, &swaps);
                    }
                }
                hits.sort_by(order);
            }
        }
        hits.truncate(MAX_HITS);
        hits.into_iter()
            .map(|found| {
                let mut reasons = found.how.reasons();
                reasons.push(found.birth.reason().to_owned());
                if found.grade == Grade::Possible {
                    reasons.push("possible hit: check by request".to_owned());
                }
                Match {
                    id: self.id(found.person as usize),
                    score: found.score,
                    grade: found.grade,
                    reasons,
                }
            })
            .collect()
    }
}
