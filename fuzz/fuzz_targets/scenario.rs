//! A conformance scenario (and so every action the engine parses from JSON): parse errors name a
//! field, a parsed scenario is decided without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = treaty::conformance::Scenario::parse(text, &treaty::Profile::builtin) {
        let decision = scenario.decide();
        let _ = treaty::conformance::compare(&decision, &scenario.expect);
    }
});
