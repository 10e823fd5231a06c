//! From any spelling to a comparable ASCII form: transliteration of Cyrillic (Serbian and
//! Macedonian rules, Russian and Ukrainian letters) and Greek, decomposition and removal of
//! diacritics, language-specific letters (ß, æ, ø, đ, ł, ı, ij …), case, punctuation.

use unicode_normalization::UnicodeNormalization;

/// Cyrillic to Latin, Serbian/Macedonian first (Ђ → Đ, Ћ → Ć, Џ → Dž, Ѓ → Gj, Ќ → Kj, Ѕ → Dz).
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c.to_lowercase().next().unwrap_or(c) {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'ђ' => "dj",
        'ѓ' => "gj",
        'е' => "e",
        'ё' => "e",
        'є' => "je",
        'ж' => "z",
        'з' => "z",
        'ѕ' => "dz",
        'и' => "i",
        'і' => "i",
        'ї' => "ji",
        'й' => "j",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'ќ' => "kj",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "c",
        'џ' => "dz",
        'ш' => "s",
        'щ' => "sc",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "ju",
        'я' => "ja",
        _ => return None,
    })
}

/// Greek to Latin (ELOT 743, simplified).
fn greek(c: char) -> Option<&'static str> {
    Some(match c.to_lowercase().next().unwrap_or(c) {
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => return None,
    })
}

/// Letters that do not decompose into a base letter and a mark.
fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' => "dj",
        'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ł' | 'Ł' => "l",
        'ı' => "i",
        'ĳ' | 'Ĳ' => "ij",
        _ => return None,
    })
}

/// The comparable form of `text`: lower-case ASCII letters and digits, words separated by one
/// space. `"DJORDJEVIĆ, Đorđe"`, `"Ђорђевић Ђорђе"` and `"Djordjevic Djordje"` all become
/// `"djordjevic djordje"`.
pub fn fold(text: &str) -> String {
    let mut latin = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(s) = special(c).or_else(|| cyrillic(c)).or_else(|| greek(c)) {
            latin.push_str(s);
        } else {
            latin.push(c);
        }
    }
    let mut out = String::with_capacity(latin.len());
    let mut space = true;
    for c in latin.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if let Some(s) = special(c) {
            out.push_str(s);
            space = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            space = false;
        } else if !space && c != '\'' && c != '’' {
            // Apostrophes join ("D'Hondt" → "dhondt"); everything else separates.
            out.push(' ');
            space = true;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Name particles that are left out of match keys ("van der Berg" matches "Berg" and
/// "Vanderberg"): Dutch, French, German, Spanish, Italian, Portuguese, Arabic.
pub const PARTICLES: &[&str] = &[
    "van", "der", "den", "de", "het", "ter", "ten", "te", "t", "la", "le", "les", "du", "des", "von", "zu", "vom",
    "zum", "di", "da", "dos", "das", "do", "del", "della", "el", "al", "bin", "ben", "ibn", "y", "e",
];

/// The folded words of a name without particles; a name made only of particles keeps them.
pub fn name_tokens(name: &str) -> Vec<String> {
    let folded = fold(name);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let kept: Vec<String> = words
        .iter()
        .filter(|w| !PARTICLES.contains(w))
        .map(|w| (*w).to_owned())
        .collect();
    if kept.is_empty() {
        words.into_iter().map(str::to_owned).collect()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serbian_in_both_scripts_and_without_diacritics_fold_alike() {
        for spelling in ["Đorđević", "Djordjevic", "Ђорђевић", "DJORDJEVIĆ", "đorđević"] {
            assert_eq!(fold(spelling), "djordjevic", "{spelling}");
        }
    }

    #[test]
    fn language_specifics_fold_to_ascii() {
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Hoxha Çelë"), "hoxha cele");
        assert_eq!(fold("Čeh Žužek"), "ceh zuzek");
        assert_eq!(fold("D'Hondt"), "dhondt");
        assert_eq!(fold("Ĳzerman"), "ijzerman");
        assert_eq!(fold("  Müller-Lüdenscheidt, Hans "), "muller ludenscheidt hans");
        assert_eq!(fold("Македонски Ѓорѓи"), "makedonski gjorgji");
        assert_eq!(fold("Παπαδόπουλος"), "papadopoylos");
    }

    #[test]
    fn particles_are_left_out_of_name_tokens() {
        assert_eq!(name_tokens("van der Berg"), ["berg"]);
        assert_eq!(name_tokens("El Amrani"), ["amrani"]);
        assert_eq!(name_tokens("De La"), ["de", "la"]);
    }
}
