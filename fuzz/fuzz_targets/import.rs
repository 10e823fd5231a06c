//! The files a service imports: `grens match run`'s CSV (persons and queries) and the national
//! databases' CSV and JSON Lines records. One bad line is that line's error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use node::national::{object_record, person_record, Format};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = matching::csv::persons_tolerant(text);
    let _ = matching::csv::queries_tolerant(text);
    let _ = matching::csv::persons(text);
    for (i, line) in text.lines().enumerate() {
        for format in [Format::Csv, Format::JsonLines] {
            let _ = person_record(format, i + 1, line);
            let _ = object_record(format, i + 1, line);
        }
    }
});
