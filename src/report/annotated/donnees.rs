//! The « Données — … » sheets: each input sheet copied cell by cell at its original place,
//! with its values, number formats and merged ranges, so every input cell can be found
//! again. Input text is always written as text: `=HYPERLINK(…)`, `+SUM(…)`, `-2+3` or `@cmd`
//! stay the strings they were.

use crate::dataset::{RawCell, RawValue, SheetCopy};
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::Format;
use std::collections::BTreeMap;

const MAX_ROW: u32 = crate::report::xlsx::EXCEL_LAST_ROW as u32;
const MAX_COL: u32 = 16_383;
/// A merged range is re-created only up to this many cells: rust_xlsxwriter fills a merged
/// range with blank cells, and a hostile input could merge a whole sheet.
const MAX_MERGE_CELLS: u64 = 100_000;
/// Merged ranges checked for overlaps (each against the accepted ones).
const MAX_MERGES: usize = 10_000;

/// Writes the copy into `sheet`, which may stream its rows (rust_xlsxwriter's
/// constant-memory mode): cells are written row by row, each merged range when its first
/// row comes, since a streamed sheet drops, with only a line on the standard error, a write
/// to a row it has passed.
pub(crate) fn write(copy: &SheetCopy, mut sheet: Sheet, styles: &mut Styles) -> Result<Sheet> {
    let (merges, mut skipped_merges) = accepted_merges(&copy.merged);
    let mut merges = merges.into_iter().peekable();

    let mut skipped_cells = 0usize;
    let mut widths: BTreeMap<u16, usize> = BTreeMap::new();
    // A text alone on its row (a title, a note) overflows into the empty cells beside it:
    // it does not widen its column.
    let mut per_row: BTreeMap<u32, usize> = BTreeMap::new();
    for cell in &copy.cells {
        *per_row.entry(cell.row).or_insert(0) += 1;
    }
    let mut cells: Vec<&RawCell> = copy.cells.iter().collect();
    cells.sort_by_key(|c| (c.row, c.col));
    for cell in cells {
        if cell.row > MAX_ROW || cell.col > MAX_COL {
            skipped_cells += 1;
            continue;
        }
        // The merged ranges starting on or above this row, before its cells (a range's
        // first cell is then overwritten by its value).
        while let Some(range) = merges.next_if(|m| m.0 <= cell.row) {
            skipped_merges += merge(&mut sheet, range);
        }
        let (row, col) = (cell.row, cell.col as u16);
        let format = match cell.number_format.as_deref() {
            // The input's own format, as it is.
            Some(code) => styles.number_as_is(code),
            None => Format::new(),
        };
        let shown = match &cell.value {
            RawValue::Number(x) => {
                sheet.number(row, col, *x, &format)?;
                x.to_string().chars().count()
            }
            RawValue::Text(t) => {
                sheet.text(row, col, t, &format)?;
                t.chars().count()
            }
            RawValue::Bool(b) => {
                sheet.boolean(row, col, *b, &format)?;
                5
            }
            RawValue::DateTime(serial) => {
                let format = match cell.number_format.as_deref() {
                    Some(_) => format,
                    None if serial.fract() != 0.0 => styles.datetime.clone(),
                    None => styles.date.clone(),
                };
                sheet.number(row, col, *serial, &format)?;
                16
            }
            RawValue::Error(e) => {
                sheet.text(row, col, e, &format)?;
                e.chars().count()
            }
        };
        let alone = per_row.get(&cell.row) == Some(&1) && matches!(cell.value, RawValue::Text(_));
        let w = widths.entry(col).or_insert(0);
        if !alone {
            *w = (*w).max(shown);
        }
    }
    for range in merges {
        skipped_merges += merge(&mut sheet, range);
    }
    let widths: Vec<(u16, f64)> = widths
        .into_iter()
        .map(|(c, w)| (c, (w as f64 + 2.0).clamp(8.0, 50.0)))
        .collect();
    sheet.widths(&widths)?;

    if skipped_cells > 0 || skipped_merges > 0 {
        let mut text = String::from("Copie incomplète :");
        if skipped_cells > 0 {
            text.push_str(&format!(
                " {} hors des limites d'Excel non {}.",
                crate::fr::count(skipped_cells, "cellule", "cellules"),
                if skipped_cells > 1 {
                    "copiées"
                } else {
                    "copiée"
                }
            ));
        }
        if skipped_merges > 0 {
            let plural = skipped_merges > 1;
            text.push_str(&format!(
                " {} de cellules {} (invalide, trop grande ou chevauchant une autre) : les \
                 valeurs sont copiées.",
                crate::fr::count(skipped_merges, "fusion", "fusions"),
                if plural {
                    "non recréées"
                } else {
                    "non recréée"
                }
            ));
        }
        sheet.note(0, 0, &text)?;
    }
    // A4 landscape at full scale: an input of 25 columns on one page wide would be
    // unreadable, so its columns run over several pages, in their order.
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    Ok(sheet)
}

/// The merged ranges that can be re-created — within Excel's limits, not a single cell,
/// not too large, not overlapping an earlier one, at most [`MAX_MERGES`] — in the order of
/// their first cell, and how many cannot.
fn accepted_merges(merged: &[(u32, u32, u32, u32)]) -> (Vec<(u32, u32, u32, u32)>, usize) {
    let mut accepted: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut skipped = 0;
    for &(r1, c1, r2, c2) in merged {
        let valid = r1 <= r2
            && c1 <= c2
            && r2 <= MAX_ROW
            && c2 <= MAX_COL
            && (r1, c1) != (r2, c2)
            && u64::from(r2 - r1 + 1) * u64::from(c2 - c1 + 1) <= MAX_MERGE_CELLS
            && accepted.len() < MAX_MERGES;
        let overlaps = || {
            accepted
                .iter()
                .any(|&(a1, b1, a2, b2)| r1 <= a2 && a1 <= r2 && c1 <= b2 && b1 <= c2)
        };
        if !valid || overlaps() {
            skipped += 1;
        } else {
            accepted.push((r1, c1, r2, c2));
        }
    }
    accepted.sort_unstable_by_key(|&(r1, c1, _, _)| (r1, c1));
    (accepted, skipped)
}

/// Re-creates one merged range (its cells blank until the copy's values are written); 1
/// when rust_xlsxwriter refuses it, else 0.
fn merge(sheet: &mut Sheet, (r1, c1, r2, c2): (u32, u32, u32, u32)) -> usize {
    let refused = sheet
        .ws
        .merge_range(r1, c1 as u16, r2, c2 as u16, "", &Format::new())
        .is_err();
    usize::from(refused)
}
