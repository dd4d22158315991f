//! The Radars sheet of a regional workbook: one radar chart per structure (structure vs
//! regional median vs peer median, on the Fiche's scale), grouped by region, two charts per
//! row and four per A4 landscape page (a page break before each page, none inside a chart).
//! The charts' data stands below them on the same sheet, outside the print area, so that
//! every point can be read (as on Entonnoirs).
//!
//! Each chart is a drawing part held in memory until the file is saved: beyond
//! [`MAX_RADARS`] structures only the first ones get a chart, and the sheet says so. A
//! national workbook ([`super::Audience::National`]) has no Radars sheet (a spreadsheet lays
//! out every chart when it opens the file): its Fiche draws the radar of the structure
//! chosen and says where the radars per structure are ([`super::fiche::NATIONAL_TEXT`]).

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

/// The structures that get a radar: those with at least one judged indicator, the first
/// [`MAX_RADARS`] of them (the sheet is only written for a regional workbook).
fn charted(ctx: &Context) -> usize {
    if ctx.judged().is_empty() {
        0
    } else {
        ctx.results.structures.len().min(MAX_RADARS)
    }
}

/// Rows of one structure's block of data: its name, the header, one row per judged
/// indicator.
fn block_rows(ctx: &Context) -> RowNum {
    ctx.judged().len() as RowNum + 2
}

/// Where a structure's chart stands: its row and column.
struct Placed {
    structure: usize,
    row: RowNum,
    col: ColNum,
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
    if results.structures.len() > MAX_RADARS && n > 0 {
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
    let mut placed: Vec<Placed> = Vec::with_capacity(n);
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
                placed.push(Placed {
                    structure: s,
                    row: top + (k / PER_ROW) as RowNum * CHART_ROWS,
                    col: (k % PER_ROW) as ColNum * CHART_COLS,
                });
            }
            row = top + on_page.len().div_ceil(PER_ROW) as RowNum * CHART_ROWS;
        }
    }
    let printed_last = row.max(3);

    // The data, below the printed charts: per structure, its name, a header and one row
    // per judged indicator (structure, regional median, peer median on the radar scale,
    // then the indicator's label, which may run over the empty cells to its right).
    let data_top = printed_last + 2;
    if n > 0 {
        sheet.text(
            data_top,
            0,
            "Données des radars (100 = médiane nationale)",
            &styles.bold,
        )?;
    }
    let block_top = |s: usize| data_top + 1 + s as RowNum * block_rows(ctx);
    let judged = ctx.judged();
    for s in 0..n {
        let st = &results.structures[s];
        let top = block_top(s);
        sheet.text(top, 0, &Context::display(st), &styles.bold)?;
        sheet.header_row(
            top + 1,
            0,
            &[
                "Structure",
                "Médiane régionale",
                "Médiane des pairs",
                "Indicateur",
            ],
            styles,
        )?;
        for (j, (&i, points)) in judged.iter().zip(radar_points(ctx, st)).enumerate() {
            let row = top + 2 + j as RowNum;
            for (k, x) in points.into_iter().enumerate() {
                sheet.opt_number(row, k as ColNum, x, &styles.score)?;
            }
            sheet.plain(row, 3, &results.indicators[i].label)?;
        }
    }

    let own = ctx.names.radars.as_str();
    let last_judged = judged.len() as RowNum;
    for p in &placed {
        let st = &results.structures[p.structure];
        let first = block_top(p.structure) + 2;
        let last = first + last_judged - 1;
        let mut chart = Chart::new(ChartType::Radar);
        for (j, name) in ["Structure", "Médiane régionale", "Médiane des pairs"]
            .iter()
            .enumerate()
        {
            let col = j as ColNum;
            chart
                .add_series()
                .set_name(*name)
                .set_categories((own, first, 3, last, 3))
                .set_values((own, first, col, last, col));
        }
        chart
            .title()
            .set_name(literal_chart_text(&Context::display(st)).as_str());
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.show_na_as_empty_cell();
        chart.show_hidden_data();
        chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        sheet.chart(p.row, p.col, &chart)?;
    }

    breaks.truncate(1023);
    sheet.apply(|ws| ws.set_page_breaks(&breaks))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    sheet.ws.set_margins(0.4, 0.4, 0.3, 0.3, 0.2, 0.2);
    sheet.ws.set_print_center_horizontally(true);
    sheet.apply(|ws| ws.set_print_area(0, 0, printed_last, LAST_COL))?;
    Ok(sheet)
}
