//! CSV files: encoding, separator and quoting, into one sparse grid.
//!
//! This module owns decoding (UTF-8 with or without BOM, else Windows-1252; a UTF-8 file
//! holding a few Windows-1252 bytes is read as such, each byte said with its place),
//! detecting the separator (`;` or `,`, or tab), line endings (LF, CRLF or CR alone) and
//! splitting quoted fields. Every field stays text: numbers are interpreted later by the same
//! tolerant parser as text cells of a workbook. Fields beyond the 16 384 columns of a sheet
//! are dropped, with a diagnostic saying what is kept.

use super::grid::{Content, Grid};
use crate::dataset::{Diagnostic, Severity, column_letters};
use crate::error::Refusal;
use crate::fr;

/// The columns of a sheet (A to XFD): a field beyond them has no cell to live in.
pub(crate) const MAX_COLUMNS: u32 = 16_384;

/// Bytes that are not UTF-8 in a file that otherwise is: (offset, byte).
type Stray = Vec<(usize, u8)>;

/// Decodes CSV bytes: UTF-8 (BOM removed) when valid; a UTF-8 file with a few invalid bytes
/// keeps its UTF-8 and reads those bytes as Windows-1252 (returned with their offsets); a file
/// with no UTF-8 sequence at all is Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> (String, Stray) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), Vec::new());
    }
    let utf8_sequences = bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
    if !utf8_sequences {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        return (text.into_owned(), Vec::new());
    }
    let mut text = String::with_capacity(bytes.len());
    let mut stray = Vec::new();
    let mut offset = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        offset += chunk.valid().len();
        for &b in chunk.invalid() {
            text.push_str(&cp1252(b));
            stray.push((offset, b));
            offset += 1;
        }
    }
    (text, stray)
}

/// One byte read as Windows-1252.
fn cp1252(b: u8) -> String {
    let bytes = [b];
    encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
}

/// The 1-based line of a byte offset (LF, CRLF and CR alone each end a line).
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let before = &bytes[..offset.min(bytes.len())];
    let mut line = 1;
    for (i, &b) in before.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')) {
            line += 1;
        }
    }
    line
}

/// The diagnostic for the Windows-1252 bytes of a UTF-8 file.
fn stray_note(bytes: &[u8], stray: &Stray, sheet: &str) -> Diagnostic {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let shown: Vec<String> = stray
        .iter()
        .take(3)
        .map(|&(offset, b)| {
            let c = cp1252(b);
            format!(
                "octet 0x{b:02X} en position {} (ligne {}), lu « {c} »",
                fr::integer((offset + bom + 1) as i64),
                line_of(bytes, offset + bom)
            )
        })
        .collect();
    let more = if stray.len() > 3 { ", …" } else { "" };
    Diagnostic {
        severity: Severity::Warning,
        sheet: Some(sheet.to_string()),
        cell: None,
        message: format!(
            "fichier en UTF-8 contenant {} : {}{more}",
            fr::count(
                stray.len(),
                "octet invalide en UTF-8",
                "octets invalides en UTF-8"
            ),
            shown.join(" ; ")
        ),
        action: "le fichier est lu en UTF-8 et ces octets en Windows-1252 ; vérifier ces cellules et réenregistrer le fichier en UTF-8".into(),
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
            '\n' | '\r' if !in_quotes => {
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
    let (text, stray) = decode(bytes);
    let sep = detect_separator(&text);
    let mut count = 0usize;
    // Rows holding fields beyond the last column, and the widest row.
    let (mut too_wide, mut widest, mut first_wide) = (0usize, 0u32, None);
    let mut last_row = None;
    split(&text, sep, |row, col, _| {
        count += 1;
        if col >= MAX_COLUMNS {
            if last_row != Some(row) {
                too_wide += 1;
                last_row = Some(row);
                first_wide.get_or_insert(row);
            }
            widest = widest.max(col + 1);
        }
    });
    if count > max_cells {
        return Err(Refusal::TooManyCsvValues { limit: max_cells });
    }
    let mut grid = Grid::new(sheet);
    split(&text, sep, |row, col, value| {
        if col < MAX_COLUMNS {
            grid.cells.insert((row, col), Content::Text(value));
        }
    });
    if !stray.is_empty() {
        grid.notes.push(stray_note(bytes, &stray, sheet));
    }
    if let Some(first) = first_wide {
        grid.notes.push(Diagnostic {
            severity: Severity::Warning,
            sheet: Some(sheet.to_string()),
            cell: None,
            message: format!(
                "{} du fichier CSV (la première : ligne {}) {} des valeurs au-delà de la colonne {} ({} colonnes au plus dans une feuille) ; la plus large compte {} colonnes",
                fr::count(too_wide, "ligne", "lignes"),
                first + 1,
                if too_wide > 1 { "ont" } else { "a" },
                column_letters(MAX_COLUMNS - 1),
                fr::integer(MAX_COLUMNS as i64),
                fr::integer(widest as i64)
            ),
            action: format!(
                "seules les colonnes A à {} sont lues ; les valeurs au-delà sont ignorées",
                column_letters(MAX_COLUMNS - 1)
            ),
        });
    }
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
            '\r' | '\n' => {
                // CRLF is one line end; CR alone (old Mac exports) is one too.
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
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
        assert_eq!(decode(b"R\xe9gion").0, "Région");
        assert_eq!(decode("\u{feff}Région".as_bytes()).0, "Région");
    }
}
