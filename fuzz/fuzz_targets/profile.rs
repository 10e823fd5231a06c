//! An agreement profile (TOML): loaded or refused with the key named, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = treaty::Profile::from_toml("fuzz.toml", text);
});
