//! The Axes sheet: one row per structure, one column per axis score (0-100) with a
//! red-yellow-green colour scale; « données insuffisantes » where an axis has no score.

use super::Context;
use crate::error::Result;
use crate::fr;
use crate::report::xlsx::EXCEL_LAST_ROW;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::{ColNum, Color, ConditionalFormat3ColorScale, ConditionalFormatType};

/// What an axis without a score shows (text, never a number).
pub(crate) const INSUFFICIENT: &str = "données insuffisantes";

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.axes)?;
    let mut headers: Vec<String> = vec!["Code".into(), "Nom".into(), "Région".into()];
    headers.extend(results.axes.iter().map(|a| a.label.clone()));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    sheet.header_row(0, 0, &header_refs, styles)?;
    for (a, axis) in results.axes.iter().enumerate() {
        sheet.note(
            0,
            3 + a as ColNum,
            &format!(
                "Axe « {} » : moyenne pondérée des scores de ses indicateurs jugés (0 à 100). \
                 Sans score quand moins de {} % du poids de l'axe a un score : « {INSUFFICIENT} ».",
                axis.label,
                fr::number(results.method.min_coverage * 100.0, 0)
            ),
        )?;
    }
    for (s, st) in results.structures.iter().take(EXCEL_LAST_ROW).enumerate() {
        let row = 1 + s as u32;
        sheet.plain(row, 0, st.id.as_str())?;
        sheet.plain(row, 1, &st.name)?;
        sheet.plain(row, 2, &st.region)?;
        for (a, axis) in results.axes.iter().enumerate() {
            let col = 3 + a as ColNum;
            // Axis results are aligned with the axes; look up by id should they not be.
            let result = st
                .axes
                .get(a)
                .filter(|r| r.axis == axis.id)
                .or_else(|| st.axes.iter().find(|r| r.axis == axis.id));
            match result.and_then(|r| r.score).filter(|x| x.is_finite()) {
                Some(score) => sheet.number(row, col, score, &styles.score)?,
                None => sheet.text(row, col, INSUFFICIENT, &styles.italic)?,
            }
        }
    }
    if !results.structures.is_empty() && !results.axes.is_empty() {
        let scale = ConditionalFormat3ColorScale::new()
            .set_minimum(ConditionalFormatType::Number, 0)
            .set_midpoint(ConditionalFormatType::Number, 50)
            .set_maximum(ConditionalFormatType::Number, 100)
            .set_minimum_color(Color::RGB(0xF8696B))
            .set_midpoint_color(Color::RGB(0xFFEB84))
            .set_maximum_color(Color::RGB(0x63BE7B));
        sheet.apply(|ws| {
            ws.add_conditional_format(
                1,
                3,
                results.structures.len().min(EXCEL_LAST_ROW) as u32,
                2 + results.axes.len() as ColNum,
                &scale,
            )
        })?;
    }
    let mut widths = vec![(0, 9.0), (1, 34.0), (2, 20.0)];
    widths.extend((0..results.axes.len()).map(|a| (3 + a as ColNum, 20.0)));
    sheet.widths(&widths)?;
    sheet.freeze(1, 3)?;
    sheet.print_table(0)?;
    if !results.structures.is_empty() {
        sheet.apply(|ws| {
            ws.autofilter(
                0,
                0,
                results.structures.len().min(EXCEL_LAST_ROW) as u32,
                (2 + results.axes.len()) as ColNum,
            )
        })?;
    }
    Ok(sheet)
}
