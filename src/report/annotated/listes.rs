//! The hidden Listes sheet: one row per structure with the Fiche's drop-down entry
//! (« code — nom ») and the texts the Fiche looks up (region, strengths, areas for
//! progress, points to watch, recommendations).

use super::{Context, findings_text, recommendations_text};
use crate::analysis::results::FindingKind;
use crate::error::Result;
use crate::report::xlsx::{MISSING_MARK, Sheet, Styles};
use rust_xlsxwriter::ColNum;

pub(crate) const COL_DISPLAY: ColNum = 0;
pub(crate) const COL_REGION: ColNum = 2;
pub(crate) const COL_FORCES: ColNum = 3;
pub(crate) const COL_PROGRES: ColNum = 4;
pub(crate) const COL_VIGILANCE: ColNum = 5;
pub(crate) const COL_RECOMMANDATIONS: ColNum = 6;
/// The region as the results name it (empty when none), for the Fiche's look-ups in
/// Référentiels (`région|<region>|id`); the Région column shows a mark in its place.
pub(crate) const COL_REGION_KEY: ColNum = 7;

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

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let mut sheet = Sheet::new(&ctx.names.listes)?;
    sheet.header_row(
        0,
        0,
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
        sheet.plain(row, COL_DISPLAY + 1, st.id.as_str())?;
        for (k, t) in texts(ctx, s).iter().enumerate() {
            sheet.text(row, COL_REGION + k as ColNum, t, &styles.wrap)?;
        }
        if !st.region.is_empty() {
            sheet.plain(row, COL_REGION_KEY, &st.region)?;
        }
    }
    sheet.widths(&[
        (0, 40.0),
        (1, 10.0),
        (2, 20.0),
        (3, 50.0),
        (4, 50.0),
        (5, 50.0),
        (6, 60.0),
        (COL_REGION_KEY, 20.0),
    ])?;
    sheet.freeze(1, 0)?;
    sheet.ws.set_hidden(true);
    Ok(sheet)
}
