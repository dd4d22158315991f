//! The Radars sheet: one radar chart per structure (structure vs regional median vs peer
//! median, on the Fiche's scale), grouped by region, three charts per row; and the hidden
//! « Données radars » sheet holding the charts' data.
//!
//! Each chart is a drawing part held in memory until the file is saved: beyond
//! [`MAX_RADARS`] structures only the first ones get a chart, and the sheet says so.

use super::{Context, RADAR_SCALE_NOTE, radar_points};
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles, literal_chart_text};
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, ColNum, RowNum};

/// Most charts written (memory bound).
pub(crate) const MAX_RADARS: usize = 2_000;
const PER_ROW: usize = 3;
const CHART_COLS: ColNum = 8;
const CHART_ROWS: RowNum = 16;
/// Rows of charts per printed page.
const ROWS_PER_PAGE: usize = 2;

/// The structures that get a radar: those with at least one judged indicator, the first
/// [`MAX_RADARS`] of them.
fn charted(ctx: &Context) -> usize {
    if ctx.judged().is_empty() {
        0
    } else {
        ctx.results.structures.len().min(MAX_RADARS)
    }
}

/// The first row of structure `s`'s block in the data sheet (its header row).
fn data_row(ctx: &Context, s: usize) -> RowNum {
    (s * (ctx.judged().len() + 2)) as RowNum
}

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.radars)?;
    sheet.text(
        0,
        0,
        "Radars : chaque structure face à la médiane de sa région et à celle de ses pairs",
        &styles.title,
    )?;
    sheet.text(1, 0, RADAR_SCALE_NOTE, &styles.italic)?;
    let n = charted(ctx);
    let mut row: RowNum = 3;
    if results.structures.len() > MAX_RADARS {
        let text = format!(
            "Seules les {MAX_RADARS} premières structures (sur {}) ont un radar : au-delà, le \
             classeur deviendrait trop lourd. La Fiche affiche le radar de n'importe quelle \
             structure.",
            results.structures.len()
        );
        sheet.text(2, 0, &text, &styles.bold)?;
        sheet.note(2, 0, &text)?;
        row = 4;
    } else if n == 0 {
        sheet.text(
            2,
            0,
            "Aucun radar : pas de structure ou pas d'indicateur jugé.",
            &styles.italic,
        )?;
    }

    // Regions in the results' order, then any region only structures name.
    let mut regions: Vec<&str> = results.regions.iter().map(|r| r.name.as_str()).collect();
    for st in results.structures.iter().take(n) {
        if !regions.contains(&st.region.as_str()) {
            regions.push(&st.region);
        }
    }
    let mut breaks: Vec<RowNum> = Vec::new();
    let data_sheet = ctx.names.donnees_radars.as_str();
    let last_judged = ctx.judged().len() as RowNum;
    let mut first_region = true;
    for region in regions {
        let members: Vec<usize> = (0..n)
            .filter(|&s| results.structures[s].region == region)
            .collect();
        if members.is_empty() {
            continue;
        }
        if !first_region {
            breaks.push(row);
        }
        first_region = false;
        let title = if region.is_empty() {
            "Région non renseignée".to_string()
        } else {
            region.to_string()
        };
        sheet.text(
            row,
            0,
            &format!("{title} — {} structure(s)", members.len()),
            &styles.subtitle,
        )?;
        let top = row + 1;
        for (k, &s) in members.iter().enumerate() {
            let st = &results.structures[s];
            let grid_row = k / PER_ROW;
            let at_row = top + grid_row as RowNum * CHART_ROWS;
            if k.is_multiple_of(PER_ROW) && grid_row > 0 && grid_row.is_multiple_of(ROWS_PER_PAGE) {
                breaks.push(at_row);
            }
            let at_col = (k % PER_ROW) as ColNum * CHART_COLS;
            let first = data_row(ctx, s) + 1;
            let last = first + last_judged - 1;
            let mut chart = Chart::new(ChartType::Radar);
            for (j, name) in ["Structure", "Médiane régionale", "Médiane des pairs"]
                .iter()
                .enumerate()
            {
                let col = 1 + j as ColNum;
                chart
                    .add_series()
                    .set_name(*name)
                    .set_categories((data_sheet, first, 0, last, 0))
                    .set_values((data_sheet, first, col, last, col));
            }
            chart
                .title()
                .set_name(literal_chart_text(&Context::display(st)).as_str());
            chart.legend().set_position(ChartLegendPosition::Bottom);
            chart.show_na_as_empty_cell();
            chart.show_hidden_data();
            chart.set_width(480).set_height(300);
            sheet.chart(at_row, at_col, &chart)?;
        }
        row = top + members.len().div_ceil(PER_ROW) as RowNum * CHART_ROWS + 1;
    }
    breaks.truncate(1023);
    sheet.apply(|ws| ws.set_page_breaks(&breaks))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_scale(65);
    sheet.ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    let last_col = PER_ROW as ColNum * CHART_COLS - 1;
    sheet.apply(|ws| ws.set_print_area(0, 0, row.max(3), last_col))?;
    Ok(sheet)
}

/// The hidden data sheet: per structure, a block of rows (header, then one row per judged
/// indicator: label, structure, regional median, peer median, on the radar scale).
pub(crate) fn write_data(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.donnees_radars)?;
    let judged = ctx.judged();
    for s in 0..charted(ctx) {
        let st = &results.structures[s];
        let top = data_row(ctx, s);
        sheet.text(top, 0, &Context::display(st), &styles.header)?;
        sheet.header_row(
            top,
            1,
            &["Structure", "Médiane régionale", "Médiane des pairs"],
            styles,
        )?;
        for (j, (&i, points)) in judged.iter().zip(radar_points(ctx, st)).enumerate() {
            let row = top + 1 + j as RowNum;
            sheet.plain(row, 0, &results.indicators[i].label)?;
            for (k, x) in points.into_iter().enumerate() {
                sheet.opt_number(row, 1 + k as ColNum, x, &styles.score)?;
            }
        }
    }
    sheet.widths(&[(0, 40.0), (1, 12.0), (2, 12.0), (3, 12.0)])?;
    sheet.ws.set_hidden(true);
    Ok(sheet)
}
