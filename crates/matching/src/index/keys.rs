//! What the index is built on: keyed hashes (clear or pseudonymised), the words of a name, and
//! the blocking keys a person is filed under.

use super::*;

use crate::normalize::{fold, name_tokens};
use crate::phonetic;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The prepared hash functions of an index.
#[derive(Clone)]
pub(super) struct Hasher {
    /// The keyed MAC with its key schedule done once (cloned per digest).
    pub(super) mac: Option<Hmac<Sha256>>,
    /// Key of the letter-pair filter, derived from the agreement key (zero when clear).
    pub(super) gram_key: u64,
}

pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Hasher {
    pub(super) fn new(p: &Protection) -> Hasher {
        let mac = match p {
            Protection::Clear => None,
            Protection::Keyed(key) => Hmac::<Sha256>::new_from_slice(key).ok(),
        };
        let mut h = Hasher { mac, gram_key: 0 };
        if h.mac.is_some() {
            h.gram_key = h.digest64("grams", "");
        }
        h
    }

    pub(super) fn digest64(&self, domain: &str, text: &str) -> u64 {
        let bytes: [u8; 32] = match &self.mac {
            None => {
                let mut h = Sha256::new();
                h.update(domain.as_bytes());
                h.update([0]);
                h.update(text.as_bytes());
                h.finalize().into()
            }
            Some(prepared) => {
                let mut mac = prepared.clone();
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

    pub(super) fn digest32(&self, domain: &str, text: &str) -> u32 {
        // Never 0: 0 marks "no birth date".
        (u32::try_from(self.digest64(domain, text) >> 32).unwrap_or(1)).max(1)
    }

    /// The letter pairs of `word` (with its ends marked) as bits of a 64-bit filter, placed by
    /// a function keyed with the agreement key.
    pub(super) fn grams(&self, word: &str) -> u64 {
        let chars: Vec<char> = word.chars().collect();
        self.grams_of(&chars)
    }

    /// [`Self::grams`] of a word given as its letters.
    pub(super) fn grams_of(&self, word: &[char]) -> u64 {
        let marked = std::iter::once('^').chain(word.iter().copied()).chain(['$']);
        let mut previous = None;
        let mut bits = 0u64;
        for c in marked {
            if let Some(p) = previous {
                let code = (u64::from(p) << 32) | u64::from(c);
                bits |= 1u64 << (mix(code ^ self.gram_key) & 63);
            }
            previous = Some(c);
        }
        bits
    }

    /// The bit of `word`'s first letter pair (its start mark and first letter) in [`Self::grams`].
    pub(super) fn start_bit(&self, word: &str) -> u64 {
        let first = word.chars().next().unwrap_or('$');
        let code = (u64::from('^') << 32) | u64::from(first);
        1u64 << (mix(code ^ self.gram_key) & 63)
    }
}

/// One name word as digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Word {
    pub(super) exact: u32,
    pub(super) sound: u32,
    pub(super) grams: u64,
}

/// A person's entry: where its words are and its birth-date digest.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) first_word: u32,
    pub(super) birth: u32,
    pub(super) surname_words: u8,
    pub(super) given_words: u8,
    /// Bit 0: the last family-name word is the whole name run together; bit 1: same for given.
    pub(super) joined: u8,
}

/// A stored or queried name's words, and whether the last is the name run together.
pub(super) type NameWords<'a> = (&'a [Word], bool);

/// A name's words without the joined form.
pub(super) fn separate((words, joined): NameWords<'_>) -> &[Word] {
    &words[..words.len() - usize::from(joined)]
}

/// The words of one name: each word, and the whole name run together when it has several
/// (so "van der Berg" meets "Vanderberg"); whether the last one is that joined form.
pub(super) fn name_words(h: &Hasher, name: &str) -> (Vec<Word>, bool) {
    let tokens = name_tokens(name);
    let word = |t: &str| Word {
        exact: h.digest32("exact", t),
        sound: h.digest32("sound", &phonetic::key(t)),
        grams: h.grams(t),
    };
    let mut out: Vec<Word> = tokens.iter().map(|t| word(t)).collect();
    let joined: String = fold(name).split(' ').collect();
    let add_joined = !joined.is_empty() && tokens != [joined.as_str()];
    if add_joined {
        out.push(word(&joined));
    }
    (out, add_joined)
}

pub(super) fn pair_key(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    mix((u64::from(hi) << 32) | u64::from(lo) | 1 << 63)
}

/// Eight bits of the exact forms of a pair of words, kept beside each pair posting: in the second
/// round only persons whose pair is spelt exactly as the query's can still be hits (see
/// [`Index::query`]), and this byte says so without reading the person.
pub(super) fn pair_tag(a: u32, b: u32) -> u8 {
    (pair_key(a, b) >> 56) as u8
}

pub(super) fn birth_key(sound: u32, birth: u32) -> u64 {
    mix((u64::from(sound) << 32) | u64::from(birth))
}

/// A given name spelt exactly and the family name's first letter: the key of the third round,
/// for a query without a birth date whose family name has two errors (no other key survives
/// them; typists rarely get a first letter wrong).
pub(super) fn initial_key(given_exact: u32, initial: u32) -> u64 {
    mix(((u64::from(given_exact) << 32) | u64::from(initial)) ^ 0x1A17_1A15_0000_0000)
}

/// The digest of a family name's first letter (of its first word that is not a particle).
pub(super) fn initial_of(h: &Hasher, surname: &str) -> Option<u32> {
    let tokens = name_tokens(surname);
    let first = tokens.first()?.chars().next()?;
    Some(h.digest32("initial", &first.to_string()))
}

/// The tag of a third-round posting: what of the family name survives two errors, so that a
/// query reads only the postings near its own without touching the persons (at 10 million
/// persons a common given name with an initial files 5–20 thousand). Sixteen bits: six of the
/// size of the family name's letter-pair filter (about its length: two errors change it by a
/// few bits at most), five of a keyed digest of its second letter and five of its last (of its
/// first word that is not a particle: two errors rarely change both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct InitialTag(u16);

/// How far a third-round posting's length may be from the query's.
const LENGTH_SLACK: u16 = 3;

impl InitialTag {
    pub(super) fn of(h: &Hasher, surname_text: &str, surname: &[Word], joined: bool) -> InitialTag {
        let words = &surname[..surname.len() - usize::from(joined && surname.len() > 1)];
        let bits: u32 = words.iter().map(|w| w.grams.count_ones()).sum();
        let letter =
            |domain: &str, c: Option<char>| c.map_or(0, |c| (h.digest64(domain, &c.to_string()) & 0x1F) as u16);
        let first_word = name_tokens(surname_text).into_iter().next().unwrap_or_default();
        // One digest for both, so that a short name with its last two letters swapped ("Pol",
        // "Plo": second and last letter exchanged) is still near.
        let second = letter("letter", first_word.chars().nth(1));
        let last = letter("letter", first_word.chars().last());
        InitialTag(u16::try_from(bits.min(63)).unwrap_or(63) << 10 | second << 5 | last)
    }

    fn length(self) -> u16 {
        self.0 >> 10
    }

    /// Whether a posting with tag `other` can be this name with two errors: about as long, and
    /// the second or the last letter the same (or the two exchanged).
    pub(super) fn near(self, other: InitialTag) -> bool {
        let differ = self.0 ^ other.0;
        let (second, last) = ((self.0 >> 5) & 0x1F, self.0 & 0x1F);
        let exchanged = (other.0 >> 5) & 0x1F == last && other.0 & 0x1F == second;
        self.length().abs_diff(other.length()) <= LENGTH_SLACK
            && (differ & 0x3E0 == 0 || differ & 0x1F == 0 || exchanged)
    }
}

/// The third round's keys of a person or query: each given-name word (not the joined form) with
/// the family name's initial.
pub(super) fn initial_keys(given: &[Word], g_joined: bool, initial: Option<u32>) -> Vec<u64> {
    let Some(initial) = initial else {
        return Vec::new();
    };
    let mut keys: Vec<u64> = given[..given.len() - usize::from(g_joined)]
        .iter()
        .map(|w| initial_key(w.exact, initial))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A name word for blocking: its digests, which name it belongs to, and whether it is that
/// name run together.
#[derive(Debug, Clone, Copy)]
pub(super) struct Blockable {
    pub(super) word: Word,
    pub(super) field: u8,
    pub(super) joined: bool,
}

pub(super) fn blockable(surname: &[Word], s_joined: bool, given: &[Word], g_joined: bool) -> Vec<Blockable> {
    let tag = |words: &[Word], joined: bool, field: u8| -> Vec<Blockable> {
        let last = words.len().saturating_sub(1);
        words
            .iter()
            .enumerate()
            .map(|(i, w)| Blockable {
                word: *w,
                field,
                joined: joined && i == last,
            })
            .collect()
    };
    let mut out = tag(surname, s_joined, 0);
    out.extend(tag(given, g_joined, 1));
    out
}

/// A blocking key and the tag of its posting (the pair's [`pair_tag`]; 0 for birth keys).
pub(super) type Keyed = (u64, u8);

/// The blocking keys of a person (or query) with these words and birth-date digests, sorted and
/// unique. A name run together is not paired with its own words: "de Groot" and "degroot" are
/// one name, and every de Groot would share that pair.
pub(super) fn blocking_keys(words: &[Blockable], births: &[u32], with_pairs: bool) -> Vec<Keyed> {
    let mut out = Vec::new();
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            if !with_pairs || (a.field == b.field && (a.joined || b.joined)) {
                continue;
            }
            out.push((
                pair_key(a.word.sound, b.word.sound),
                pair_tag(a.word.exact, b.word.exact),
            ));
        }
        for birth in births {
            out.push((birth_key(a.word.sound, *birth), 0));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
