//! The Fiche's hidden lists: one row per structure, in hidden columns of the Fiche itself
//! (from [`FIRST_COL`], outside its print area), with the drop-down entry (« code — nom »)
//! and the texts the Fiche looks up (region, strengths, areas for progress, points to
//! watch, recommendations). They were a hidden Listes sheet of their own; LibreOffice's ODS
//! export pays ~18 MB for every sheet whatever it holds (docs/performance.md), so they share
//! the sheet that reads them.

use super::{Context, findings_text, recommendations_text};
use crate::analysis::results::FindingKind;
use crate::error::Result;
use crate::report::xlsx::{MISSING_MARK, Sheet, Styles};
use rust_xlsxwriter::ColNum;

/// The lists' first column on the Fiche (U), after its helper columns.
pub(crate) const FIRST_COL: ColNum = 20;
pub(crate) const COL_DISPLAY: ColNum = FIRST_COL;
pub(crate) const COL_CODE: ColNum = FIRST_COL + 1;
pub(crate) const COL_REGION: ColNum = FIRST_COL + 2;
pub(crate) const COL_FORCES: ColNum = FIRST_COL + 3;
pub(crate) const COL_PROGRES: ColNum = FIRST_COL + 4;
pub(crate) const COL_VIGILANCE: ColNum = FIRST_COL + 5;
pub(crate) const COL_RECOMMANDATIONS: ColNum = FIRST_COL + 6;
/// The region as the results name it (empty when none), for the Fiche's look-ups in
/// Référentiels (`région|<region>|id`); the Région column shows a mark in its place.
pub(crate) const COL_REGION_KEY: ColNum = FIRST_COL + 7;

/// The texts of one structure's row, in column order from `COL_REGION`.
pub(crate) fn texts(ctx: &Context, s: usize) -> [String; 5] {
    let st = &ctx.results.structures[s];
    let or_mark = |t: String| {
        if t.is_empty() {
            MISSING_MARK.to_string()
        } else {
            t
        }
    };
    [
        or_mark(st.region.clone()),
        or_mark(findings_text(ctx, st, FindingKind::Force)),
        or_mark(findings_text(ctx, st, FindingKind::AxeDeProgres)),
        or_mark(findings_text(ctx, st, FindingKind::Vigilance)),
        or_mark(recommendations_text(st)),
    ]
}

/// Writes the lists into the Fiche's columns from [`FIRST_COL`] (a header on row 1, one
/// structure a row from row 2) and hides those columns. The texts are not wrapped: the
/// rows they share with the Fiche's printed part keep their heights.
pub(crate) fn write_into(ctx: &Context, sheet: &mut Sheet, styles: &mut Styles) -> Result<()> {
    sheet.header_row(
        0,
        FIRST_COL,
        &[
            "Structure",
            "Code",
            "Région",
            "Forces",
            "Axes de progrès",
            "Points de vigilance",
            "Recommandations",
            "Région (clé)",
        ],
        styles,
    )?;
    for (s, st) in ctx.results.structures.iter().take(ctx.detailed).enumerate() {
        let row = 1 + s as u32;
        sheet.plain(row, COL_DISPLAY, &Context::display(st))?;
        sheet.plain(row, COL_CODE, st.id.as_str())?;
        for (k, t) in texts(ctx, s).iter().enumerate() {
            sheet.plain(row, COL_REGION + k as ColNum, t)?;
        }
        if !st.region.is_empty() {
            sheet.plain(row, COL_REGION_KEY, &st.region)?;
        }
    }
    for col in FIRST_COL..=COL_REGION_KEY {
        sheet.apply(|ws| ws.set_column_hidden(col))?;
    }
    Ok(())
}
