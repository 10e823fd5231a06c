//! The matching normaliser: any text folds, tokenises and gets phonetic keys; folding is
//! idempotent; and a query with such a name runs against a small index.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let folded = matching::normalize::fold(text);
    assert_eq!(matching::normalize::fold(&folded), folded, "folding twice changes {text:?}");
    for token in matching::normalize::name_tokens(text) {
        let _ = matching::phonetic::key(&token);
    }
    let mut index = matching::Index::new(matching::Protection::Clear);
    index.insert(&matching::Person {
        id: "1".into(),
        given_names: "Jan".into(),
        surname: "Peeters".into(),
        birth_date: None,
    });
    index.insert(&matching::Person {
        id: "2".into(),
        given_names: text.into(),
        surname: text.into(),
        birth_date: None,
    });
    index.finish();
    let _ = index.query(&matching::Query {
        given_names: text.into(),
        surname: text.into(),
        birth_date: None,
    });
});
