//! Plates: normalised the way cameras and officers write them differently ("1-ABC-123",
//! "1 abc 123", "1ABC123" are one plate), packed into 64 bits, and checked against the plate
//! formats of BE, NL, LU, FR and DE.

use thiserror::Error;

/// At most this many letters and digits in a plate (the longest European formats have 8–9).
pub const MAX_LEN: usize = 10;

/// A normalised plate: 1 to [`MAX_LEN`] ASCII capitals and digits, six bits each (codes 1–36,
/// so the length needs no field of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plate(u64);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlateError {
    #[error("plate is empty")]
    Empty,
    #[error("plate '{0}' has more than {MAX_LEN} letters and digits")]
    TooLong(String),
    #[error("plate '{plate}': '{character}' is not a letter, a digit or a separator")]
    Character { plate: String, character: char },
    #[error("plate '{plate}' is not a {country} plate format ({examples})")]
    Format {
        plate: String,
        country: String,
        examples: String,
    },
}

/// Bytes that separate groups of a plate and carry no meaning.
const SEPARATORS: &[u8] = b" -._/\t";

/// The code of an ASCII byte: 1–10 for digits, 11–36 for letters (either case), 0 for a
/// separator, 255 for anything else.
const CODES: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = 1 + i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = 11 + i as u8;
        t[b'a' as usize + i] = 11 + i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < SEPARATORS.len() {
        t[SEPARATORS[i] as usize] = 0;
        i += 1;
    }
    t
};

/// The character of a code (1–36).
pub(crate) fn char_of(code: u8) -> char {
    match code {
        1..=10 => char::from(b'0' + code - 1),
        11..=36 => char::from(b'A' + code - 11),
        _ => '?',
    }
}

/// The code of an ASCII capital or digit.
pub(crate) fn code_of(c: char) -> Option<u8> {
    u8::try_from(c)
        .ok()
        .map(|b| CODES[b as usize])
        .filter(|code| (1..=36).contains(code))
}

impl Plate {
    /// The fast path for camera reads: ASCII only, no allocation. `None` when the text holds
    /// something other than letters, digits and separators, or too many characters.
    pub fn from_ascii(text: &[u8]) -> Option<Plate> {
        let mut packed = 0u64;
        let mut len = 0;
        for b in text {
            match CODES[*b as usize] {
                0 => {}
                255 => return None,
                code => {
                    if len == MAX_LEN {
                        return None;
                    }
                    packed = packed << 6 | u64::from(code);
                    len += 1;
                }
            }
        }
        (len > 0).then_some(Plate(packed))
    }

    /// Any text an officer or a camera wrote: also folds the German umlauts (Ä, Ö, Ü) that
    /// district codes carry and ANPR systems write without their dots.
    pub fn parse(text: &str) -> Result<Plate, PlateError> {
        let folded: String = text
            .trim()
            .chars()
            .map(|c| match c {
                'Ä' | 'ä' => 'A',
                'Ö' | 'ö' => 'O',
                'Ü' | 'ü' => 'U',
                '·' | '\u{2010}'..='\u{2015}' | '\u{a0}' => ' ',
                other => other,
            })
            .collect();
        if let Some(bad) = folded.chars().find(|c| !c.is_ascii() || CODES[*c as usize] == 255) {
            return Err(PlateError::Character {
                plate: text.to_owned(),
                character: bad,
            });
        }
        let letters = folded.bytes().filter(|b| CODES[*b as usize] != 0).count();
        if letters == 0 {
            return Err(PlateError::Empty);
        }
        if letters > MAX_LEN {
            return Err(PlateError::TooLong(text.to_owned()));
        }
        Plate::from_ascii(folded.as_bytes()).ok_or(PlateError::Empty)
    }

    /// A plate from its packed form (as [`Plate::packed`] gave it).
    pub fn from_packed(packed: u64) -> Option<Plate> {
        let plate = Plate(packed);
        (packed != 0 && plate.codes().all(|c| (1..=36).contains(&c)) && plate.len() <= MAX_LEN).then_some(plate)
    }

    pub fn packed(self) -> u64 {
        self.0
    }

    pub fn len(self) -> usize {
        (64 - self.0.leading_zeros() as usize).div_ceil(6)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The codes, first character first.
    pub(crate) fn codes(self) -> impl Iterator<Item = u8> {
        let len = self.len();
        (0..len).rev().map(move |i| ((self.0 >> (6 * i)) & 63) as u8)
    }

    /// The plate with the code at `position` (0 = first character) replaced.
    pub(crate) fn with_code(self, position: usize, code: u8) -> Plate {
        let shift = 6 * (self.len() - 1 - position);
        Plate(self.0 & !(63 << shift) | u64::from(code) << shift)
    }

    /// The plate written with the separators of the first format of `country` it fits, else
    /// as letters and digits only.
    pub fn display(self, country: &str) -> String {
        let plain = self.to_string();
        formats(country)
            .iter()
            .find_map(|f| fit(f, plain.as_bytes()))
            .unwrap_or(plain)
    }

    /// Whether the plate fits one of `country`'s formats (always true for a country whose
    /// formats grens does not know).
    pub fn fits(self, country: &str) -> bool {
        let f = formats(country);
        f.is_empty() || f.iter().any(|f| fit(f, self.to_string().as_bytes()).is_some())
    }

    /// [`Plate::parse`] and [`Plate::fits`]: an error naming the country's formats otherwise.
    pub fn parse_for(text: &str, country: &str) -> Result<Plate, PlateError> {
        let plate = Plate::parse(text)?;
        if plate.fits(country) {
            Ok(plate)
        } else {
            Err(PlateError::Format {
                plate: text.to_owned(),
                country: country.to_owned(),
                examples: formats(country)
                    .iter()
                    .take(4)
                    .map(|f| example(f))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }
}

impl std::fmt::Display for Plate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.codes().try_for_each(|c| write!(f, "{}", char_of(c)))
    }
}

/// Plate formats as patterns: `@` a letter, `#` a digit, `{m,n}` a repetition of the class
/// before, a capital a literal letter, space or `-` the separator written between groups.
pub fn formats(country: &str) -> &'static [&'static str] {
    match country.to_ascii_uppercase().as_str() {
        // Since 2010 "1-ABC-123"; before "ABC-123" and "123-ABC".
        "BE" => &["#-@@@-###", "@@@-###", "###-@@@"],
        // The RDW side codes 1–14.
        "NL" => &[
            "@@-##-##", "##-##-@@", "##-@@-##", "@@-##-@@", "@@-@@-##", "##-@@-@@", "##-@@@-#", "#-@@@-##", "@@-###-@",
            "@-###-@@", "@@@-##-@", "#-@@-###", "###-@@-#", "@@-@@@-#",
        ],
        // Two letters and four digits, or up to five digits.
        "LU" => &["@@ ####", "@ ####", "@@ ###", "#{1,5}"],
        // SIV since 2009 ("AB-123-CD"); FNI before ("1234 AB 75").
        "FR" => &["@@-###-@@", "#{1,4} @{1,3} ##"],
        // District code, one or two letters, one to four digits; E (electric) or H (historic).
        "DE" => &["@{1,3} @{1,2} #{1,4}", "@{1,3} @{1,2} #{1,4}E", "@{1,3} @{1,2} #{1,4}H"],
        _ => &[],
    }
}

#[derive(Debug, Clone, Copy)]
enum Class {
    Letter,
    Digit,
    Literal(u8),
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    class: Class,
    min: usize,
    max: usize,
    /// The separator written before this segment, if any.
    separator: Option<u8>,
}

fn segments(pattern: &str) -> Vec<Segment> {
    let bytes = pattern.as_bytes();
    let mut out: Vec<Segment> = Vec::new();
    let mut separator = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        let class = match b {
            b'@' => Class::Letter,
            b'#' => Class::Digit,
            b' ' | b'-' => {
                separator = Some(b);
                continue;
            }
            b'{' => {
                // "{m,n}" repeats the segment before.
                let end = bytes[i..]
                    .iter()
                    .position(|c| *c == b'}')
                    .map_or(bytes.len(), |p| i + p);
                let (m, n) = pattern[i..end].split_once(',').unwrap_or(("1", "1"));
                if let Some(last) = out.last_mut() {
                    last.min = m.parse().unwrap_or(1);
                    last.max = n.parse().unwrap_or(1);
                }
                i = end + 1;
                continue;
            }
            other => Class::Literal(other),
        };
        out.push(Segment {
            class,
            min: 1,
            max: 1,
            separator: separator.take(),
        });
    }
    out
}

fn matches(class: Class, b: u8) -> bool {
    match class {
        Class::Letter => b.is_ascii_uppercase(),
        Class::Digit => b.is_ascii_digit(),
        Class::Literal(l) => b == l,
    }
}

/// `plain` (capitals and digits) written in `pattern`, if it fits.
fn fit(pattern: &str, plain: &[u8]) -> Option<String> {
    fn go(segs: &[Segment], plain: &[u8], out: &mut String) -> bool {
        let Some((seg, rest)) = segs.split_first() else {
            return plain.is_empty();
        };
        let most = seg.max.min(plain.len());
        for take in (seg.min..=most).rev() {
            if plain[..take].iter().all(|b| matches(seg.class, *b)) {
                let mark = out.len();
                if let (Some(s), false) = (seg.separator, out.is_empty()) {
                    out.push(char::from(s));
                }
                out.extend(plain[..take].iter().map(|b| char::from(*b)));
                if go(rest, &plain[take..], out) {
                    return true;
                }
                out.truncate(mark);
            }
        }
        false
    }
    let mut out = String::new();
    go(&segments(pattern), plain, &mut out).then_some(out)
}

/// An example plate of a pattern, for error messages.
fn example(pattern: &str) -> String {
    let mut out = String::new();
    let mut letters = b"ABCDEFGH".iter().cycle();
    let mut digits = b"12345678".iter().cycle();
    for s in segments(pattern) {
        if let Some(sep) = s.separator {
            // Each group counts from the start again: "1-ABC-123".
            letters = b"ABCDEFGH".iter().cycle();
            digits = b"12345678".iter().cycle();
            if !out.is_empty() {
                out.push(char::from(sep));
            }
        }
        for _ in 0..s.min.max(s.max.min(2)) {
            out.push(match s.class {
                Class::Letter => letters.next().map_or('A', |b| char::from(*b)),
                Class::Digit => digits.next().map_or('1', |b| char::from(*b)),
                Class::Literal(l) => char::from(l),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_spacing_and_case_do_not_matter() {
        let a = Plate::parse("1-ABC-123").ok();
        assert!(a.is_some());
        assert_eq!(Plate::parse("1 abc 123").ok(), a);
        assert_eq!(Plate::parse(" 1abc123 ").ok(), a);
        assert_eq!(Plate::from_ascii(b"1.ABC.123"), a);
        assert_eq!(a.map(|p| p.to_string()), Some("1ABC123".to_owned()));
        assert_eq!(a.map(|p| p.len()), Some(7));
    }

    #[test]
    fn bad_plates_are_named() {
        assert_eq!(Plate::parse(""), Err(PlateError::Empty));
        assert_eq!(Plate::parse(" - "), Err(PlateError::Empty));
        assert!(matches!(
            Plate::parse("AB*12"),
            Err(PlateError::Character { character: '*', .. })
        ));
        assert!(matches!(Plate::parse("ABCDEFGHIJK"), Err(PlateError::TooLong(_))));
        assert_eq!(Plate::parse("MÜ-AB 12").map(|p| p.to_string()), Ok("MUAB12".to_owned()));
    }

    #[test]
    fn country_formats() {
        let p = |s: &str| Plate::parse(s).ok();
        assert_eq!(p("1abc123").map(|x| x.display("BE")), Some("1-ABC-123".into()));
        assert_eq!(p("XX123Y").map(|x| x.display("NL")), Some("XX-123-Y".into()));
        assert_eq!(p("AB1234").map(|x| x.display("LU")), Some("AB 1234".into()));
        assert_eq!(p("AB123CD").map(|x| x.display("FR")), Some("AB-123-CD".into()));
        assert!(p("BAB1234").is_some_and(|x| x.fits("DE")));
        assert!(p("M X 1E").is_some_and(|x| x.fits("DE")));
        assert!(p("1ABC123").is_some_and(|x| !x.fits("NL")));
        assert!(
            p("ABC").is_some_and(|x| x.fits("XK")),
            "unknown countries are not checked"
        );
        let err = Plate::parse_for("ABCD", "BE")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("not a BE plate format") && err.contains("1-ABC-123"),
            "{err}"
        );
    }

    #[test]
    fn packing_round_trips() {
        for s in ["A", "0", "ZZZZZZZZZZ", "1ABC123", "XX123Y"] {
            let p = Plate::parse(s).ok();
            assert_eq!(p.and_then(|p| Plate::from_packed(p.packed())), p);
            assert_eq!(p.map(|p| p.to_string()), Some(s.to_owned()));
        }
        assert_eq!(Plate::from_packed(0), None);
        assert_eq!(Plate::from_packed(63), None);
    }
}
