//! How well two names agree, word by word, with the tolerance that explains each match.

use super::*;

/// The query's words with two neighbouring letters swapped, as letter-pair filters, made on first
/// need: a swap is one slip of the fingers (one edit, as a changed letter), but it changes three
/// of the word's letter pairs, so the filter's overlap alone takes "Collisj" for two letters apart
/// from "Collijs" and "Plo" for unrelated to "Pol". A stored word whose whole filter is that of a
/// swapped spelling is that spelling (the index holds no letters; filters of different words
/// that are equal in all 64 bits are rare, and the candidate still needs its other name).
pub(super) struct Swaps<'a> {
    hasher: &'a Hasher,
    /// Each name's text and its [`name_words`].
    names: [(&'a str, &'a [Word], bool); 2],
    /// (exact digest of a query word, filter of it with two neighbours swapped).
    made: std::cell::OnceCell<Vec<(u32, u64)>>,
}

impl<'a> Swaps<'a> {
    /// For the words of `names` (a name's text and its [`name_words`]) as the query spells them.
    pub(super) fn new(hasher: &'a Hasher, names: [(&'a str, &'a [Word], bool); 2]) -> Swaps<'a> {
        Swaps {
            hasher,
            names,
            made: std::cell::OnceCell::new(),
        }
    }

    /// Whether stored word `s` is query word `q` with two neighbouring letters swapped.
    fn swapped(&self, q: &Word, s: &Word) -> bool {
        let made = self.made.get_or_init(|| {
            let mut out = Vec::new();
            for (text, digests, joined) in self.names {
                let mut texts = crate::normalize::name_tokens(text);
                if joined {
                    texts.push(crate::normalize::fold(text).split(' ').collect());
                }
                for (text, word) in texts.iter().zip(digests) {
                    let mut chars: Vec<char> = text.chars().collect();
                    for i in 1..chars.len() {
                        if chars[i - 1] != chars[i] {
                            chars.swap(i - 1, i);
                            out.push((word.exact, self.hasher.grams_of(&chars)));
                            chars.swap(i - 1, i);
                        }
                    }
                }
            }
            out
        });
        made.iter().any(|&(query, grams)| query == q.exact && grams == s.grams)
    }
}

/// Whether `s` could be `q` with two neighbouring letters swapped, from their letter-pair filters:
/// the same number of pairs (give or take a collision), of which a swap changes at most three.
fn could_be_swap(q: &Word, s: &Word) -> bool {
    let (qn, sn) = (q.grams.count_ones(), s.grams.count_ones());
    qn.abs_diff(sn) <= 1 && (q.grams & s.grams).count_ones() + 3 >= qn.max(sn)
}

/// How close the spellings of a candidate's names are to the query's, finer than the agreement
/// scores (which group "Smit", "Smet" and "Schmit" as sounding like "Semt"), to order candidates
/// of equal score: for each query word, its best stored word — 1 the same, 0.99 two neighbours
/// swapped, else the share of letter pairs in common — summed. At ten million persons a common
/// given name without a birth date has dozens of equal candidates, of which only the first
/// [`super::MAX_HITS`] are returned.
pub(super) fn spelling_closeness(q: &Prepared, surname: NameWords, given: NameWords, swaps: &Swaps) -> f64 {
    let stored: Vec<Word> = separate(surname).iter().chain(separate(given)).copied().collect();
    separate((&q.surname, q.s_joined))
        .iter()
        .chain(separate((&q.given, q.g_joined)))
        .map(|q| {
            stored
                .iter()
                .map(|s| {
                    if q.exact == s.exact {
                        1.0
                    } else if could_be_swap(q, s) && swaps.swapped(q, s) {
                        0.99
                    } else {
                        dice(q, s)
                    }
                })
                .fold(0.0, f64::max)
        })
        .sum()
}

/// The share of letter pairs two words have in common (Dice coefficient of their filters).
fn dice(q: &Word, s: &Word) -> f64 {
    let common = (q.grams & s.grams).count_ones();
    let total = q.grams.count_ones() + s.grams.count_ones();
    if total == 0 {
        0.0
    } else {
        f64::from(2 * common) / f64::from(total)
    }
}

/// How similar two words are: same, sounds the same, two neighbouring letters swapped, a letter
/// apart, or not.
pub(super) fn word_agreement(q: &Word, s: &Word, swaps: &Swaps) -> f64 {
    if q.exact == s.exact {
        return 1.0;
    }
    // Dice coefficient of the letter-pair filters: one typo in a 7-letter name keeps ~0.75, in a
    // 4-letter one ~0.67; spellings of one name (Meijer/Meyer 0.62, Hoxha/Hodža 0.5,
    // Schmidt/Smit 0.46) keep some; names the phonetic key merely confuses (Braun/Perrin 0.15)
    // keep little.
    let dice = dice(q, s);
    if q.sound == s.sound && dice >= 0.35 {
        0.9
    } else if dice >= 0.65 {
        // A swap in a long name keeps this much too; it decides nothing more than a letter apart
        // does (the order among such candidates is [`spelling_closeness`]'s).
        0.8
    } else if could_be_swap(q, s) && swaps.swapped(q, s) {
        LETTERS_SWAPPED
    } else if dice >= TWO_LETTERS_DICE {
        // Two letters changed, or two neighbours swapped, in a name of six letters or more.
        TWO_LETTERS_APART
    } else {
        0.0
    }
}

/// The agreement of a word two letters apart: never enough for a hit, enough for a possible hit
/// (see [`super::Grade`]).
pub(super) const TWO_LETTERS_APART: f64 = 0.7;

/// The agreement of a word with two neighbouring letters swapped: one slip, as a letter changed,
/// but with every letter kept — a little surer than [a letter apart](word_agreement).
pub(super) const LETTERS_SWAPPED: f64 = 0.85;

/// The letter-pair overlap (Dice) from which a word counts as two letters apart.
const TWO_LETTERS_DICE: f64 = 0.45;

/// How well the query's words are found among the stored ones: (score, reason).
pub(super) fn name_agreement(
    query: &[Word],
    query_joined: bool,
    stored: &[Word],
    stored_joined: bool,
    swaps: &Swaps,
) -> (f64, &'static str) {
    if query.is_empty() || stored.is_empty() {
        return (0.5, "missing");
    }
    // The name run together matches as a whole ("Van der Berg" and "Vanderberg").
    let q_whole = if query_joined { query.last() } else { None };
    let s_whole = if stored_joined { stored.last() } else { None };
    let whole_q = q_whole.or(if query.len() == 1 { query.first() } else { None });
    let whole_s = s_whole.or(if stored.len() == 1 { stored.first() } else { None });
    if let (Some(q), Some(s)) = (whole_q, whole_s) {
        match word_agreement(q, s, swaps) {
            x if x >= 1.0 => return (1.0, "same"),
            x if x >= 0.9 => return (0.9, "sounds the same"),
            x if x >= LETTERS_SWAPPED => return (LETTERS_SWAPPED, "two neighbouring letters swapped"),
            _ => {}
        }
    }
    let q_words = &query[..query.len() - usize::from(query_joined)];
    let s_words = &stored[..stored.len() - usize::from(stored_joined)];
    let mut total = 0.0;
    let mut found = 0;
    let mut near = 0;
    let mut swapped = false;
    for q in q_words {
        let best = s_words.iter().map(|s| word_agreement(q, s, swaps)).fold(0.0, f64::max);
        swapped |= best == LETTERS_SWAPPED;
        if best > TWO_LETTERS_APART {
            total += best;
            found += 1;
        } else if best > 0.0 {
            near += 1;
        }
    }
    let n = q_words.len().max(1) as f64;
    let mean = total / n;
    if found == q_words.len() && mean >= 1.0 {
        (1.0, "same")
    } else if found == q_words.len() && mean >= 0.9 {
        (0.9, "sounds the same")
    } else if found == q_words.len() && swapped && mean >= LETTERS_SWAPPED {
        (LETTERS_SWAPPED, "two neighbouring letters swapped")
    } else if found == q_words.len() {
        (0.8, "a letter apart")
    } else if found > 0 {
        (0.75, "partly the same")
    } else if near == q_words.len() {
        (TWO_LETTERS_APART, "two letters apart")
    } else {
        (0.0, "different")
    }
}

/// How the names of a candidate were compared, for its reasons.
#[derive(Debug, Clone, Copy)]
pub(super) enum NameFit {
    OneField(&'static str),
    Straight(&'static str, &'static str),
    Swapped(&'static str, &'static str),
}

impl NameFit {
    pub(super) fn reasons(self) -> Vec<String> {
        match self {
            NameFit::OneField(a) => vec![format!("name: {a} (given and family names in one field)")],
            NameFit::Straight(s, g) => vec![format!("family name: {s}"), format!("given name: {g}")],
            NameFit::Swapped(s, g) => vec![
                format!("family name: {s} as the given name (swapped)"),
                format!("given name: {g} as the family name (swapped)"),
            ],
        }
    }
}
