//! The index on the spellings the issue names, in clear and pseudonymised form.

use jiff::civil::date;
use matching::{Index, Person, Protection, Query};

fn persons() -> Vec<Person> {
    let p = |id: &str, given: &str, surname: &str, birth: Option<jiff::civil::Date>| Person {
        id: id.into(),
        given_names: given.into(),
        surname: surname.into(),
        birth_date: birth,
    };
    vec![
        p("RS-1", "Đorđe", "Đorđević", Some(date(1984, 7, 3))),
        p("NL-1", "Jan", "van der Berg", Some(date(1975, 1, 30))),
        p("AL-1", "Ilir", "Hoxha", Some(date(1990, 11, 2))),
        p("BE-1", "Marie", "Peeters", Some(date(1988, 5, 17))),
        p("MA-1", "Mohammed", "El Amrani", Some(date(1979, 9, 9))),
        p("DE-1", "Jürgen", "Schmidt", None),
        p("RS-2", "Dragan", "Đorđević", Some(date(1962, 2, 14))),
    ]
}

fn index(protection: Protection) -> Index {
    let mut index = Index::new(protection);
    for p in persons() {
        index.insert(&p);
    }
    index
}

fn q(given: &str, surname: &str, birth: Option<jiff::civil::Date>) -> Query {
    Query {
        given_names: given.into(),
        surname: surname.into(),
        birth_date: birth,
    }
}

fn hits(index: &Index, query: &Query) -> Vec<String> {
    index.query(query).into_iter().map(|m| m.id).collect()
}

fn cases() -> Vec<(Query, Vec<&'static str>)> {
    vec![
        // The example: script, diacritics, merged fields, day and month swapped.
        (q("Djordje", "Djordjevic", Some(date(1984, 7, 3))), vec!["RS-1"]),
        (q("Ђорђе", "Ђорђевић", Some(date(1984, 7, 3))), vec!["RS-1"]),
        (q("", "DJORDJEVIC Dorde", Some(date(1984, 3, 7))), vec!["RS-1"]),
        (q("Đorđe", "Đorđević", Some(date(1984, 7, 8))), vec!["RS-1"]),
        // Particles and merged compound names.
        (q("Jan", "Vanderberg", Some(date(1975, 1, 30))), vec!["NL-1"]),
        (q("Jan", "Berg", Some(date(1975, 1, 30))), vec!["NL-1"]),
        // Albanian xh / Slavic dž, and swapped given and family names.
        (q("Ilir", "Hodža", Some(date(1990, 11, 2))), vec!["AL-1"]),
        (q("Hoxha", "Ilir", Some(date(1990, 11, 2))), vec!["AL-1"]),
        (q("Mohamed", "Amrani", Some(date(1979, 9, 9))), vec!["MA-1"]),
        // No birth date stored: an exact name still hits.
        (q("Jürgen", "Schmidt", Some(date(1970, 1, 1))), vec!["DE-1"]),
        // Not in the database: no hit.
        (q("Marie", "Peeters", Some(date(1991, 8, 3))), vec![]),
        (q("Petar", "Petrović", Some(date(1984, 7, 3))), vec![]),
        (q("Đorđe", "Đorđević", Some(date(1962, 2, 14))), vec![]),
    ]
}

#[test]
fn the_clear_index_finds_every_spelling_and_nothing_else() {
    let index = index(Protection::Clear);
    for (query, expected) in cases() {
        assert_eq!(hits(&index, &query), expected, "{query:?}: {:?}", index.query(&query));
    }
}

#[test]
fn the_pseudonymised_index_answers_exactly_as_the_clear_one() {
    let clear = index(Protection::Clear);
    let keyed = index(Protection::Keyed(b"BE-NL agreement key 2026".to_vec()));
    for (query, _) in cases() {
        assert_eq!(clear.query(&query), keyed.query(&query), "{query:?}");
    }
}

#[test]
fn a_query_under_another_key_finds_nothing() {
    // An index built under one agreement's key cannot be probed with another key's digests.
    let be_nl = index(Protection::Keyed(b"BE-NL".to_vec()));
    let foreign = Index::new(Protection::Keyed(b"other".to_vec()));
    assert!(!be_nl.is_empty() && foreign.is_empty());
    let mut probe = Index::new(Protection::Keyed(b"other".to_vec()));
    for p in persons() {
        probe.insert(&p);
    }
    // Same people, other key: the digests differ everywhere.
    let query = q("Đorđe", "Đorđević", Some(date(1984, 7, 3)));
    assert_eq!(hits(&be_nl, &query), ["RS-1"]);
    assert_eq!(format!("{:?}", Protection::Keyed(b"secret".to_vec())), "Keyed(…)");
}

#[test]
fn every_hit_says_why() {
    let index = index(Protection::Clear);
    let m = index.query(&q("", "DJORDJEVIC Dorde", Some(date(1984, 3, 7))));
    assert_eq!(m.len(), 1);
    assert!(
        m[0].reasons.iter().any(|r| r.contains("one field")),
        "{:?}",
        m[0].reasons
    );
    assert!(m[0].reasons.iter().any(|r| r.contains("swapped")), "{:?}", m[0].reasons);
    assert!(m[0].score >= matching::HIT_THRESHOLD && m[0].score <= 1.0);
}
