//! How well two names agree, word by word, with the tolerance that explains each match.

use super::*;

/// How similar two words are: same, sounds the same, a letter apart, or not.
pub(super) fn word_agreement(q: &Word, s: &Word) -> f64 {
    if q.exact == s.exact {
        return 1.0;
    }
    // Dice coefficient of the letter-pair filters: one typo in a 7-letter name keeps ~0.75, in a
    // 4-letter one ~0.67; spellings of one name (Meijer/Meyer 0.62, Hoxha/Hodža 0.5,
    // Schmidt/Smit 0.46) keep some; names the phonetic key merely confuses (Braun/Perrin 0.15)
    // keep little.
    let common = (q.grams & s.grams).count_ones();
    let total = q.grams.count_ones() + s.grams.count_ones();
    let dice = if total == 0 {
        0.0
    } else {
        f64::from(2 * common) / f64::from(total)
    };
    if q.sound == s.sound && dice >= 0.35 {
        0.9
    } else if dice >= 0.65 {
        0.8
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

/// The letter-pair overlap (Dice) from which a word counts as two letters apart.
const TWO_LETTERS_DICE: f64 = 0.45;

/// How well the query's words are found among the stored ones: (score, reason).
pub(super) fn name_agreement(
    query: &[Word],
    query_joined: bool,
    stored: &[Word],
    stored_joined: bool,
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
        match word_agreement(q, s) {
            x if x >= 1.0 => return (1.0, "same"),
            x if x >= 0.9 => return (0.9, "sounds the same"),
            _ => {}
        }
    }
    let q_words = &query[..query.len() - usize::from(query_joined)];
    let s_words = &stored[..stored.len() - usize::from(stored_joined)];
    let mut total = 0.0;
    let mut found = 0;
    let mut near = 0;
    for q in q_words {
        let best = s_words.iter().map(|s| word_agreement(q, s)).fold(0.0, f64::max);
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
