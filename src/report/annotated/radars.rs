//! The Radars sheet: one radar chart per structure (structure vs regional median vs peer
//! median, on the Fiche's scale), grouped by region, two charts per row and four per A4
//! landscape page (a page break before each page, none inside a chart); and the hidden
//! « Données radars » sheet holding the charts' data.
//!
//! Each chart is a drawing part held in memory until the file is saved: beyond
//! [`MAX_RADARS`] structures only the first ones get a chart, and the sheet says so. A
//! national workbook ([`super::Audience::National`]) has none (a spreadsheet lays out every
//! chart when it opens the file); the sheet says so and points to the Fiche's radar.

use super::{Context, RADAR_SCALE_NOTE, radar_points};
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles, literal_chart_text};
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, ColNum, RowNum};

/// Most charts written (memory bound).
pub(crate) const MAX_RADARS: usize = 2_000;
/// Charts per row of the grid, and rows of charts per printed page (A4 landscape): four
/// radars a page, each about 13 cm wide.
pub(crate) const PER_ROW: usize = 2;
pub(crate) const ROWS_PER_PAGE: usize = 2;
/// A chart spans this many columns (at the default width, 64 pixels each) and rows (20
/// pixels each); it is a little smaller than its cell block, so that none overlaps the next.
pub(crate) const CHART_COLS: ColNum = 8;
pub(crate) const CHART_ROWS: RowNum = 15;
const CHART_WIDTH: u32 = 8 * 64 - 12;
const CHART_HEIGHT: u32 = 15 * 20 - 10;
/// The printed columns (A to P): two charts side by side, one A4 landscape page wide.
pub(crate) const LAST_COL: ColNum = PER_ROW as ColNum * CHART_COLS - 1;

/// What a national workbook's Radars sheet says instead of its charts.
pub(crate) const NATIONAL_TEXT: &str = "Classeur national : pas de radar par structure, ils \
rendraient le classeur très lent à ouvrir. La Fiche affiche le radar de la structure choisie \
dans sa liste ; les classeurs régionaux (boussole run --by-region, ou un classeur d'une seule \
région) ont un radar par structure.";

/// The structures that get a radar: those with at least one judged indicator, the first
/// [`MAX_RADARS`] of them.
fn charted(ctx: &Context) -> usize {
    if ctx.judged().is_empty() || !ctx.audience.radars() {
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
    // One line here (the page's height is counted), the whole explanation in a note.
    sheet.text(
        1,
        0,
        "100 = médiane nationale ; l'extérieur du radar est toujours favorable (détail dans la note).",
        &styles.italic,
    )?;
    sheet.note(1, 0, RADAR_SCALE_NOTE)?;
    let n = charted(ctx);
    let mut row: RowNum = 3;
    if !ctx.audience.radars() {
        // The national file: hundreds of charts would make it slow to open.
        sheet.merge((2, 0), (2, LAST_COL), NATIONAL_TEXT, &styles.wrap)?;
        sheet.apply(|ws| ws.set_row_height(2, 45))?;
    } else if results.structures.len() > MAX_RADARS {
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
    // Each printed page holds a title row (the region, « suite » on its next pages) and up
    // to ROWS_PER_PAGE rows of charts; a manual page break starts every page after the
    // first, so that no chart crosses a page edge.
    let mut breaks: Vec<RowNum> = Vec::new();
    let data_sheet = ctx.names.donnees_radars.as_str();
    let last_judged = ctx.judged().len() as RowNum;
    let per_page = PER_ROW * ROWS_PER_PAGE;
    let mut first_page = true;
    for region in regions {
        let members: Vec<usize> = (0..n)
            .filter(|&s| results.structures[s].region == region)
            .collect();
        if members.is_empty() {
            continue;
        }
        let title = if region.is_empty() {
            "Région non renseignée".to_string()
        } else {
            region.to_string()
        };
        let pages = members.len().div_ceil(per_page);
        for (page, on_page) in members.chunks(per_page).enumerate() {
            if !first_page {
                breaks.push(row);
            }
            first_page = false;
            let heading = if page == 0 {
                format!(
                    "{title} — {}",
                    crate::fr::count(members.len(), "structure", "structures")
                )
            } else {
                format!("{title} (suite, page {} sur {pages})", page + 1)
            };
            sheet.text(row, 0, &heading, &styles.subtitle)?;
            sheet.apply(|ws| ws.set_row_height(row, 18))?;
            let top = row + 1;
            for (k, &s) in on_page.iter().enumerate() {
                let st = &results.structures[s];
                let at_row = top + (k / PER_ROW) as RowNum * CHART_ROWS;
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
                chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
                sheet.chart(at_row, at_col, &chart)?;
            }
            row = top + on_page.len().div_ceil(PER_ROW) as RowNum * CHART_ROWS;
        }
    }
    breaks.truncate(1023);
    sheet.apply(|ws| ws.set_page_breaks(&breaks))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    sheet.ws.set_margins(0.4, 0.4, 0.3, 0.3, 0.2, 0.2);
    sheet.ws.set_print_center_horizontally(true);
    sheet.apply(|ws| ws.set_print_area(0, 0, row.max(3), LAST_COL))?;
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
