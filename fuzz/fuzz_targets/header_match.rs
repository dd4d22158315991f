//! `normalize_header` on any text: never panics, gives a key of lower-case ASCII letters and
//! digits separated by single spaces, and is idempotent (a key normalizes to itself), so a
//! header matches its catalogue label however often it is normalized.
//!
//! Input: arbitrary bytes, read as UTF-8 (lossily).

#![no_main]

use boussole::pack::manifest::normalize_header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let key = normalize_header(&text);
    assert!(
        key.chars()
            .all(|c| c == ' ' || c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{text:?} gave {key:?}"
    );
    assert!(
        !key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "),
        "{text:?} gave {key:?}"
    );
    let again = normalize_header(&key);
    assert_eq!(again, key, "not idempotent on {text:?}");
});
