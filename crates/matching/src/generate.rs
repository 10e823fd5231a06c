//! Synthetic national databases and labelled query sets, for the demo, the tests and the
//! benchmark. Names come from lists kept as data (`data/names.json`, see `data/README.md`); the
//! same seed always gives the same persons.
//!
//! Populations are those the Benelux services meet (BE, NL, LU, FR, DE, PL, RO, TR, MA, the
//! Western Balkans with Serbian and Macedonian in Cyrillic, AL, SI, HR), weighted. One surname in
//! ten of every list is held out of the databases: persons with those surnames are the
//! "not in the database" queries of the labelled set.

use std::sync::OnceLock;

use jiff::civil::Date;
use serde::Deserialize;

use crate::index::{Person, Query};

#[derive(Debug, Deserialize)]
struct Population {
    code: String,
    nationality: String,
    weight: u32,
    /// `latin`, `cyrillic`, or `latin-cyrillic` (half the persons written in each).
    script: String,
    male: Vec<String>,
    female: Vec<String>,
    surnames: Vec<String>,
    /// Indices of the surnames in the databases and of those held out (filled after loading).
    #[serde(skip)]
    kept: Vec<usize>,
    #[serde(skip)]
    held: Vec<usize>,
}

#[derive(Debug, Deserialize)]
struct Names {
    populations: Vec<Population>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Names = serde_json::from_str(include_str!("../data/names.json")).unwrap_or(Names {
            populations: Vec::new(),
        });
        for p in &mut names.populations {
            let (held, kept): (Vec<usize>, Vec<usize>) = (0..p.surnames.len()).partition(|i| held_out(&p.surnames[*i]));
            p.held = held;
            p.kept = kept;
        }
        names
    })
}

/// SplitMix64 (`rand_xoshiro`): small, fast, and stable across versions (the seed is part of
/// the output's meaning).
#[derive(Debug, Clone)]
pub struct Rng(rand_xoshiro::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        use rand_core::SeedableRng;
        Rng(rand_xoshiro::SplitMix64::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        rand_core::RngCore::next_u64(&mut self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        items.get(self.below(items.len())).map_or("", String::as_str)
    }
}

/// A generated person with the population they were drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub person: Person,
    pub nationality: String,
    pub population: String,
}

/// Serbian Latin to Cyrillic (Vuk's alphabet: one letter per sound, so the mapping is exact).
pub fn serbian_cyrillic(latin: &str) -> String {
    const DIGRAPHS: [(&str, char); 6] = [
        ("dž", 'џ'),
        ("Dž", 'Џ'),
        ("lj", 'љ'),
        ("Lj", 'Љ'),
        ("nj", 'њ'),
        ("Nj", 'Њ'),
    ];
    const LETTERS: &str = "aаbбcцčчćћdдđђeеfфgгhхiиjјkкlлmмnнoоpпrрsсšшtтuуvвzзžж";
    let pairs: Vec<(char, char)> = {
        let chars: Vec<char> = LETTERS.chars().collect();
        chars
            .chunks(2)
            .filter_map(|c| Some((*c.first()?, *c.get(1)?)))
            .collect()
    };
    let mut out = String::new();
    let mut rest = latin;
    'outer: while let Some(c) = rest.chars().next() {
        for (d, cyr) in DIGRAPHS {
            if let Some(after) = rest.strip_prefix(d) {
                out.push(cyr);
                rest = after;
                continue 'outer;
            }
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        match pairs.iter().find(|(l, _)| *l == lower) {
            Some((_, cyr)) if c.is_uppercase() => out.extend(cyr.to_uppercase()),
            Some((_, cyr)) => out.push(*cyr),
            None => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether a surname is held out of the databases: one in ten, decided on the name run together
/// without particles, even particles written as part of one word, so "Le Roux", "Leroux" and
/// "Roux", "Van de Velde" and "Vandevelde", or the same name in two populations' lists, are held
/// out together (a name held out in one spelling and kept in another would make "negative"
/// queries that are in fact in the database).
fn held_out(surname: &str) -> bool {
    let mut key: String = crate::normalize::name_tokens(surname).concat();
    // Leading particles run into the name ("vandevelde", "leroux"), as long as a name remains.
    'strip: loop {
        for particle in crate::normalize::PARTICLES {
            if let Some(rest) = key.strip_prefix(particle) {
                if rest.chars().count() >= 3 {
                    key = rest.to_owned();
                    continue 'strip;
                }
            }
        }
        break;
    }
    // FNV-1a: stable across runs and versions.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % 10 == 9
}

fn draw_population(rng: &mut Rng) -> Option<&'static Population> {
    let pops = &names().populations;
    let total: u32 = pops.iter().map(|p| p.weight).sum();
    let mut roll = u32::try_from(rng.below(usize::try_from(total).unwrap_or(1))).unwrap_or(0);
    for p in pops {
        if roll < p.weight {
            return Some(p);
        }
        roll -= p.weight;
    }
    pops.first()
}

fn birth_date(rng: &mut Rng) -> Date {
    // Born 1940–2008: the ages police databases mostly hold.
    let year = 1940 + i16::try_from(rng.below(69)).unwrap_or(0);
    let month = 1 + i8::try_from(rng.below(12)).unwrap_or(0);
    let day = 1 + i8::try_from(rng.below(28)).unwrap_or(0);
    Date::new(year, month, day).unwrap_or(jiff::civil::date(1980, 1, 1))
}

/// One person of `population`; `held` chooses among the held-out surnames instead of the others.
fn person_from(p: &Population, rng: &mut Rng, id: String, held: bool) -> Generated {
    let female = rng.chance(50);
    let given_list = if female { &p.female } else { &p.male };
    let mut given = rng.pick(given_list).to_owned();
    if rng.chance(25) {
        let second = rng.pick(given_list);
        if second != given {
            given = format!("{given} {second}");
        }
    }
    let eligible = if held { &p.held } else { &p.kept };
    let surname_of = |rng: &mut Rng| {
        eligible
            .get(rng.below(eligible.len()))
            .and_then(|i| p.surnames.get(*i))
            .cloned()
            .unwrap_or_default()
    };
    // The lists hold the common names; real registers have a long tail of rare ones. Two in five
    // persons get a rare surname blended from two of the population's (the first part of one,
    // the rest of another: "Jans" + "beke").
    let blended = |rng: &mut Rng| {
        let (a, b) = (surname_of(rng), surname_of(rng));
        let cut = |s: &str, from_start: bool| -> String {
            let chars: Vec<char> = s.chars().collect();
            let half = chars.len() / 2;
            if from_start {
                chars[..half.max(2).min(chars.len())].iter().collect()
            } else {
                chars[half.min(chars.len())..].iter().collect()
            }
        };
        let joined = format!("{}{}", cut(&a, true), cut(&b, false).to_lowercase());
        if joined.chars().count() >= 4 && !joined.contains([' ', '-']) && !held_out(&joined) {
            joined
        } else {
            a
        }
    };
    // Persons not in the database keep a held-out surname as it is.
    let mut surname = if !held && rng.chance(40) {
        blended(rng)
    } else {
        surname_of(rng)
    };
    // Double-barrelled names (married names in BE/NL, compound names elsewhere).
    if !held && rng.chance(8) {
        let second = surname_of(rng);
        if second != surname {
            surname = format!("{surname}-{second}");
        }
    }
    if p.script == "latin-cyrillic" && rng.chance(50) {
        given = serbian_cyrillic(&given);
        surname = serbian_cyrillic(&surname);
    }
    Generated {
        person: Person {
            id,
            given_names: given,
            surname,
            birth_date: if rng.chance(3) { None } else { Some(birth_date(rng)) },
        },
        nationality: p.nationality.clone(),
        population: p.code.clone(),
    }
}

/// `count` persons for a national database, deterministic in `seed`; ids `P0000001` ….
pub fn persons(count: usize, seed: u64) -> impl Iterator<Item = Generated> {
    let mut rng = Rng::new(seed);
    (1..=count).filter_map(move |n| {
        let p = draw_population(&mut rng)?;
        Some(person_from(p, &mut rng, format!("P{n:07}"), false))
    })
}

/// What a labelled query tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// Cyrillic ↔ Latin, or diacritics dropped.
    Transliteration,
    /// One letter wrong, missing or doubled in one name.
    Typo,
    /// Given and family names swapped.
    Swapped,
    /// Day and month swapped, or one digit wrong.
    BirthDateError,
    /// Without a birth date.
    NoBirthDate,
    /// `SURNAME Given` in one field, upper case.
    OneField,
    /// Two errors at once: the family name with two letters changed or two neighbours swapped,
    /// and no birth date.
    TwoErrorsNoBirthDate,
    /// Two errors at once: the family name with two letters changed or two neighbours swapped,
    /// and day and month of the birth date swapped.
    TwoErrorsDateSwapped,
    /// A person who is not in the database.
    NotInDatabase,
}

impl Variant {
    pub const ALL: [Variant; 9] = [
        Variant::Transliteration,
        Variant::Typo,
        Variant::Swapped,
        Variant::BirthDateError,
        Variant::NoBirthDate,
        Variant::OneField,
        Variant::TwoErrorsNoBirthDate,
        Variant::TwoErrorsDateSwapped,
        Variant::NotInDatabase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Transliteration => "transliteration",
            Variant::Typo => "typo",
            Variant::Swapped => "swapped",
            Variant::BirthDateError => "birth_date_error",
            Variant::NoBirthDate => "no_birth_date",
            Variant::OneField => "one_field",
            Variant::TwoErrorsNoBirthDate => "two_errors_no_birth_date",
            Variant::TwoErrorsDateSwapped => "two_errors_date_swapped",
            Variant::NotInDatabase => "not_in_database",
        }
    }
}

/// A query with the answer it should get.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub query: Query,
    pub variant: Variant,
    /// The person it is about, when they are in the database.
    pub expected: Option<String>,
}

/// Latin transliteration of a Cyrillic name the way a clerk would type it (ICAO-like: đ → dj,
/// ć/č → c, š → s, ž → z), or the name without its diacritics.
fn transliterated(name: &str) -> String {
    crate::normalize::fold(name)
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn typo(name: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 4 {
        return name.to_owned();
    }
    // Not the first letter: typists rarely get it wrong, and it anchors every name index.
    let at = 1 + rng.below(chars.len() - 1);
    let mut out = chars.clone();
    match rng.below(3) {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, chars[at - 1]),
        _ => {
            let replacement = ['a', 'e', 'i', 'o', 'n', 'r', 's', 't']
                .iter()
                .copied()
                .find(|c| *c != chars[at].to_ascii_lowercase())
                .unwrap_or('e');
            out[at] = replacement;
        }
    }
    out.into_iter().collect()
}

/// Two errors in one name: two neighbouring letters swapped, or two letters wrong, missing or
/// doubled (never the first letter, as [`typo`]).
fn two_errors(name: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() >= 4 && rng.chance(50) {
        let at = 1 + rng.below(chars.len() - 2);
        if chars[at] != chars[at + 1] {
            let mut out = chars;
            out.swap(at, at + 1);
            return out.into_iter().collect();
        }
    }
    let once = typo(name, rng);
    let mut twice = typo(&once, rng);
    for _ in 0..4 {
        if twice != once && twice != name {
            break;
        }
        twice = typo(&once, rng);
    }
    twice
}

fn date_error(d: Date, rng: &mut Rng) -> Date {
    if rng.chance(50) {
        if let Some(s) = crate::dates::swapped(d) {
            return s;
        }
    }
    let variants = crate::dates::one_digit_variants(d);
    variants.get(rng.below(variants.len())).copied().unwrap_or(d)
}

/// A labelled query set: for each of `per_variant` persons drawn from `database` (which must be
/// what was indexed), one query per variant, plus `per_variant` persons not in the database.
pub fn labelled_queries(database: &[Person], per_variant: usize, seed: u64) -> Vec<Labelled> {
    let mut rng = Rng::new(seed ^ 0x5151);
    let mut out = Vec::new();
    if database.is_empty() {
        return out;
    }
    for variant in Variant::ALL {
        for _ in 0..per_variant {
            if variant == Variant::NotInDatabase {
                let Some(p) = draw_population(&mut rng) else {
                    continue;
                };
                let g = person_from(p, &mut rng, String::new(), true);
                out.push(Labelled {
                    query: Query {
                        given_names: g.person.given_names,
                        surname: g.person.surname,
                        birth_date: g.person.birth_date.or(Some(birth_date(&mut rng))),
                    },
                    variant,
                    expected: None,
                });
                continue;
            }
            let Some(mut p) = database.get(rng.below(database.len())) else {
                continue;
            };
            // Day and month can only be swapped in a date whose day is a month.
            if variant == Variant::TwoErrorsDateSwapped {
                for _ in 0..50 {
                    if p.birth_date.and_then(crate::dates::swapped).is_some() {
                        break;
                    }
                    p = &database[rng.below(database.len())];
                }
            }
            let mut q = Query {
                given_names: p.given_names.clone(),
                surname: p.surname.clone(),
                birth_date: p.birth_date,
            };
            match variant {
                Variant::Transliteration => {
                    let cyrillic = p.surname.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c));
                    if cyrillic || !p.surname.is_ascii() || rng.chance(50) {
                        q.surname = transliterated(&p.surname);
                        q.given_names = transliterated(&p.given_names);
                    } else {
                        q.surname = serbian_cyrillic(&p.surname);
                        q.given_names = serbian_cyrillic(&p.given_names);
                    }
                }
                Variant::Typo => {
                    if rng.chance(60) {
                        q.surname = typo(&p.surname, &mut rng);
                    } else {
                        q.given_names = typo(&p.given_names, &mut rng);
                    }
                }
                Variant::Swapped => std::mem::swap(&mut q.surname, &mut q.given_names),
                Variant::BirthDateError => q.birth_date = p.birth_date.map(|d| date_error(d, &mut rng)),
                Variant::NoBirthDate => q.birth_date = None,
                Variant::OneField => {
                    q.surname = format!("{} {}", p.surname.to_uppercase(), p.given_names);
                    q.given_names = String::new();
                }
                Variant::TwoErrorsNoBirthDate => {
                    q.surname = two_errors(&p.surname, &mut rng);
                    q.birth_date = None;
                }
                Variant::TwoErrorsDateSwapped => {
                    q.surname = two_errors(&p.surname, &mut rng);
                    q.birth_date = p.birth_date.and_then(crate::dates::swapped).or(p.birth_date);
                }
                Variant::NotInDatabase => {}
            }
            out.push(Labelled {
                query: q,
                variant,
                expected: Some(p.id.clone()),
            });
        }
    }
    out
}
