//! `parse_number` on any text: never panics, and what it calls a number is one.
//!
//! Input: arbitrary bytes, read as UTF-8 (lossily, so every input reaches the parser).

#![no_main]

use boussole::workbook::{ParsedText, parse_number};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    match parse_number(&text) {
        ParsedText::Number { value, percent } => {
            assert!(value.is_finite(), "{text:?} gave {value}");
            assert!(
                !percent || text.contains('%'),
                "{text:?}: percent without %"
            );
        }
        ParsedText::Empty => assert!(
            !text.chars().any(|c| c.is_alphanumeric()),
            "{text:?} called empty"
        ),
        ParsedText::Ambiguous {
            thousands, decimal, ..
        } => assert!(
            thousands.is_finite() && decimal.is_finite(),
            "{text:?} gave {thousands} or {decimal}"
        ),
        ParsedText::Marker(_) | ParsedText::ExcelError(_) | ParsedText::Unreadable(_) => {}
    }
    // The same text gives the same reading (no hidden state).
    assert_eq!(parse_number(&text), parse_number(&text));
});
