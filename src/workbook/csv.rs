//! CSV files: encoding, separator and quoting, into one sparse grid.
//!
//! This module owns decoding (UTF-8 with or without BOM, else Windows-1252), detecting the
//! separator (`;` or `,`, or tab) and splitting quoted fields. Every field stays text: numbers
//! are interpreted later by the same tolerant parser as text cells of a workbook.

use super::grid::{Content, Grid};
use crate::error::Refusal;

/// Decodes CSV bytes: UTF-8 (BOM removed) when valid, else Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

/// The separator used by the first lines outside quotes: the most frequent of `;`, `,` and
/// tab, `;` winning ties (French exports).
fn detect_separator(text: &str) -> char {
    let mut counts = [(';', 0usize), (',', 0), ('\t', 0)];
    let mut in_quotes = false;
    let mut lines = 0;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => {
                lines += 1;
                if lines >= 30 {
                    break;
                }
            }
            _ if !in_quotes => {
                for (sep, n) in counts.iter_mut() {
                    if c == *sep {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut best = counts[0];
    for candidate in counts {
        if candidate.1 > best.1 {
            best = candidate;
        }
    }
    best.0
}

/// Reads CSV text into a grid named `sheet`, refusing beyond `max_cells` non-empty fields.
/// The fields are counted before any is stored, so a refusal costs no memory.
pub(crate) fn read(bytes: &[u8], sheet: &str, max_cells: usize) -> Result<Grid, Refusal> {
    let text = decode(bytes);
    let sep = detect_separator(&text);
    let mut count = 0usize;
    split(&text, sep, |_, _, _| count += 1);
    if count > max_cells {
        return Err(Refusal::TooManyCsvValues { limit: max_cells });
    }
    let mut grid = Grid::new(sheet);
    split(&text, sep, |row, col, value| {
        grid.cells.insert((row, col), Content::Text(value));
    });
    Ok(grid)
}

/// Splits CSV text into fields, calling `field(row, col, value)` for each non-empty one.
fn split(text: &str, sep: char, mut field: impl FnMut(u32, u32, String)) {
    let (mut row, mut col) = (0u32, 0u32);
    let mut current = String::new();
    let mut in_quotes = false;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut push = |row: u32, col: u32, current: &mut String, quoted: bool| {
        let value = std::mem::take(current);
        let value = if quoted {
            value
        } else {
            value.trim().to_string()
        };
        if !value.trim().is_empty() {
            field(row, col, value);
        }
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    current.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                current.push(c);
            }
            continue;
        }
        match c {
            '"' if current.trim().is_empty() => {
                current.clear();
                in_quotes = true;
                quoted = true;
            }
            c if c == sep => {
                push(row, col, &mut current, quoted);
                quoted = false;
                col = col.saturating_add(1);
            }
            '\r' => {}
            '\n' => {
                push(row, col, &mut current, quoted);
                quoted = false;
                row = row.saturating_add(1);
                col = 0;
            }
            c => current.push(c),
        }
    }
    push(row, col, &mut current, quoted);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_and_quotes() {
        let g = read("a;b\n\"x;y\";\"say \"\"hi\"\"\"\n".as_bytes(), "s", 100).unwrap();
        assert_eq!(g.get(1, 0), Some(&Content::Text("x;y".into())));
        assert_eq!(g.get(1, 1), Some(&Content::Text("say \"hi\"".into())));
        let g = read(b"a,b\n1,2\n", "s", 100).unwrap();
        assert_eq!(g.get(1, 1), Some(&Content::Text("2".into())));
    }

    #[test]
    fn windows_1252_is_decoded() {
        assert_eq!(decode(b"R\xe9gion"), "Région");
        assert_eq!(decode("\u{feff}Région".as_bytes()), "Région");
    }
}
