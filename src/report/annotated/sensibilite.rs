//! The Synthèse's block « Sensibilité aux choix de méthode » (`run --stability`, when the
//! pack declares method variants): one row per variant with the share of findings,
//! judgements and recommendations that hold under it, a row for what holds in every
//! variant, and a line on how to read it.

use crate::analysis::results::{Held, Sensitivity};
use crate::error::Result;
use crate::report::xlsx::{MISSING_MARK, Sheet, Styles, wrapped_lines};
use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum};

/// The block's title, as the Synthèse shows it.
pub(crate) const TITLE: &str = "Sensibilité aux choix de méthode";

/// How to read the block, under its table.
pub(crate) const READING: &str = "Lecture : part des constats de l'analyse (forces, axes de \
     progrès, vigilances) que la variante redonne à l'identique, et des recommandations \
     qu'elle fait encore à la même structure ; « jugements inchangés » compte aussi les \
     indicateurs sans constat qui restent sans constat, « recommandations ajoutées » celles \
     que la variante fait en plus. Un constat maintenu dans toutes les variantes ne tient pas \
     à ces choix de méthode ; une variante proche de 100 % dit que ce choix importe peu.";

/// Writes the block from `row` (columns A to F, widths set by the Synthèse); returns the
/// row after it.
pub(crate) fn block(
    sheet: &mut Sheet,
    styles: &mut Styles,
    mut row: RowNum,
    sensitivity: &Sensitivity,
    widths: &[f64],
) -> Result<RowNum> {
    sheet.text(row, 0, TITLE, &styles.subtitle)?;
    row += 1;
    sheet.header_row(
        row,
        0,
        &[
            "Variante de méthode",
            "Ce qui change",
            "Constats maintenus",
            "Jugements inchangés",
            "Recommandations maintenues",
            "Recommandations ajoutées",
        ],
        styles,
    )?;
    row += 1;
    let top = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let share = styles.number("0.0%").set_align(FormatAlign::Top);
    let integer = styles.integer.clone().set_align(FormatAlign::Top);
    let bold_share = share.clone().set_bold();
    let bold_integer = integer.clone().set_bold();
    let bold_top = top.clone().set_bold();
    for v in &sensitivity.variants {
        let changes = v.changes.join(" ; ");
        sheet.text(row, 0, &v.label, &top)?;
        sheet.text(row, 1, &changes, &top)?;
        held_cells(sheet, row, &v.held, &share, &integer)?;
        let lines = wrapped_lines(&v.label, widths[0]).max(wrapped_lines(&changes, widths[1]));
        height(sheet, row, lines)?;
        row += 1;
    }
    let everywhere = "Dans toutes les variantes";
    sheet.text(row, 0, everywhere, &bold_top)?;
    sheet.text(
        row,
        1,
        &crate::fr::count(sensitivity.variants.len(), "variante", "variantes"),
        &bold_top,
    )?;
    held_cells(
        sheet,
        row,
        &sensitivity.everywhere,
        &bold_share,
        &bold_integer,
    )?;
    row += 1;
    // The reading line spans the table's width, wrapped, so that it prints whole.
    let span: f64 = widths.iter().take(6).sum();
    let italic = styles
        .italic
        .clone()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.merge((row, 0), (row, 5), READING, &italic)?;
    height(sheet, row, wrapped_lines(READING, span))?;
    Ok(row + 1)
}

/// The shares of findings held, judgements unchanged, recommendations held (a missing mark
/// when there is nothing to compare) and the count of recommendations added.
fn held_cells(
    sheet: &mut Sheet,
    row: RowNum,
    held: &Held,
    share: &Format,
    integer: &Format,
) -> Result<()> {
    let shares = [
        held.findings_share(),
        held.unchanged_share(),
        held.recommendations_share(),
    ];
    for (k, x) in shares.into_iter().enumerate() {
        let col = 2 + k as ColNum;
        match x {
            Some(x) => sheet.number(row, col, x, share)?,
            None => sheet.text(row, col, MISSING_MARK, share)?,
        }
    }
    sheet.number(row, 5, held.recommendations_added as f64, integer)
}

/// A row as tall as its wrapped text.
fn height(sheet: &mut Sheet, row: RowNum, lines: usize) -> Result<()> {
    if lines > 1 {
        sheet.apply(|ws| ws.set_row_height(row, (15.0 * lines as f64).min(409.0)))?;
    }
    Ok(())
}
