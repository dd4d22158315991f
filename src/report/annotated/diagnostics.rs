//! The Diagnostics sheet: every data issue met while reading or evaluating (severity, sheet,
//! cell, message, what was done) with a filter; beside it, the rows set aside.

use super::Context;
use crate::error::Result;
use crate::report::xlsx::EXCEL_LAST_ROW;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::ColNum;

/// First column of the set-aside table.
const COL_SET_ASIDE: ColNum = 6;

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.diagnostics)?;
    sheet.header_row(
        0,
        0,
        &["Sévérité", "Feuille", "Cellule", "Message", "Action"],
        styles,
    )?;
    for (k, d) in results.diagnostics.iter().take(EXCEL_LAST_ROW).enumerate() {
        let row = 1 + k as u32;
        sheet.plain(row, 0, d.severity.label_fr())?;
        sheet.plain(row, 1, d.sheet.as_deref().unwrap_or(""))?;
        sheet.plain(row, 2, d.cell.as_deref().unwrap_or(""))?;
        sheet.text(row, 3, &d.message, &styles.wrap)?;
        sheet.text(row, 4, &d.action, &styles.wrap)?;
    }
    if results.diagnostics.is_empty() {
        sheet.text(1, 0, "Aucun diagnostic.", &styles.italic)?;
    } else {
        sheet.apply(|ws| {
            ws.autofilter(
                0,
                0,
                results.diagnostics.len().min(EXCEL_LAST_ROW) as u32,
                4,
            )
        })?;
    }

    let c = COL_SET_ASIDE;
    sheet.header_row(
        0,
        c,
        &["Lignes écartées : feuille", "Ligne", "Motif"],
        styles,
    )?;
    for (k, s) in results.set_aside.iter().take(EXCEL_LAST_ROW).enumerate() {
        let row = 1 + k as u32;
        sheet.plain(row, c, &s.sheet)?;
        sheet.number(row, c + 1, f64::from(s.row), &styles.integer)?;
        sheet.text(row, c + 2, &s.reason, &styles.wrap)?;
    }
    if results.set_aside.is_empty() {
        sheet.text(1, c, "Aucune ligne écartée.", &styles.italic)?;
    }
    sheet.widths(&[
        (0, 14.0),
        (1, 20.0),
        (2, 10.0),
        (3, 60.0),
        (4, 50.0),
        (5, 3.0),
        (c, 24.0),
        (c + 1, 8.0),
        (c + 2, 50.0),
    ])?;
    sheet.apply(|ws| ws.set_row_height(0, 30))?;
    sheet.freeze(1, 0)?;
    sheet.print_table(0)?;
    Ok(sheet)
}
