//! Licence plates as cameras and officers type them: parsed or refused; a parsed plate packs
//! and unpacks to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(plate) = anpr::Plate::from_ascii(data) {
        assert_eq!(anpr::Plate::from_packed(plate.packed()), Some(plate));
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(plate) = anpr::Plate::parse(text) {
        assert_eq!(anpr::Plate::from_packed(plate.packed()), Some(plate));
        for country in ["BE", "NL", "LU", "DE", "FR", "SI", "AL"] {
            let _ = plate.display(country);
            let _ = plate.fits(country);
        }
    }
    for country in ["BE", "NL", "LU"] {
        let _ = anpr::Plate::parse_for(text, country);
    }
});
