//! The Entonnoirs sheet: one funnel chart per judged indicator with a denominator, each
//! structure's rate against its denominator, with the national median and its funnel limits
//! (the small-numbers guard): the sampling limits, and the wider limits that add the
//! common-cause variation between structures (the overdispersion φ, Spiegelhalter 2005).
//! The charts' data stands below them on the same sheet, so that every point can be read.

use super::Context;
use crate::analysis::results::{IndicatorDef, StructureResult};
use crate::error::Result;
use crate::pack::manifest::{FrameKind, Unit};
use crate::report::xlsx::{Sheet, Styles, literal_chart_text};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartLine, ChartMarker, ChartMarkerType, ChartType,
    ColNum, RowNum,
};

/// Points of each limit curve, spaced geometrically from the smallest to the largest
/// denominator.
const GRID: usize = 40;
/// Charts per row and the size of a chart's cell block (two side by side on an A4 landscape
/// page, two rows of charts a page).
const PER_ROW: usize = 2;
const CHART_COLS: ColNum = 8;
const CHART_ROWS: RowNum = 18;
const CHART_WIDTH: u32 = 8 * 64 - 12;
const CHART_HEIGHT: u32 = 18 * 20 - 10;
/// Columns of one indicator's data block: denominator, value; then the grid: denominator,
/// median, sampling limits (low, high), overdispersed limits (low, high).
const BLOCK: ColNum = 8;

/// Most structures plotted on one funnel. Beyond, a funnel plots one structure in
/// [`stride`] (in the input's order) and the sheet says so: LibreOffice lays out every point
/// of a chart (about 12 KB each when it saves the file, docs/performance.md), and 100,000
/// points per funnel would leave the file unopenable (and unreadable).
pub(crate) const MAX_FUNNEL_POINTS: usize = 2_000;

/// One structure in how many is plotted: 1 up to [`MAX_FUNNEL_POINTS`] structures.
fn stride(structures: usize) -> usize {
    structures.div_ceil(MAX_FUNNEL_POINTS).max(1)
}

/// A structure's point on one funnel: denominator and value, both present.
fn point(s: &StructureResult, i: usize) -> Option<(f64, f64)> {
    let ir = s.indicators.get(i)?;
    Some((ir.denominator.filter(|n| *n > 0.0)?, ir.value?))
}

/// The half-width of the funnel at denominator `n` around `p0` for `z` (binomial for a
/// fraction, Poisson otherwise), as the small-numbers guard computes it.
fn half_width(def: &IndicatorDef, p0: f64, n: f64, z: f64) -> f64 {
    if def.unit == Unit::Fraction {
        z * (p0 * (1.0 - p0) / n).max(0.0).sqrt()
    } else {
        let factor = if def.factor > 0.0 { def.factor } else { 1.0 };
        factor * z * ((p0 / factor).max(0.0) / n).sqrt()
    }
}

/// The judged indicators with a denominator and at least one point.
fn funnels(ctx: &Context) -> Vec<usize> {
    ctx.judged()
        .into_iter()
        .filter(|&i| ctx.results.indicators[i].denominator.is_some())
        .filter(|&i| ctx.results.structures.iter().any(|s| point(s, i).is_some()))
        .collect()
}

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.entonnoirs)?;
    let z = results.method.funnel_z;
    sheet.text(
        0,
        0,
        "Entonnoirs : chaque taux face à son effectif, et ce que le hasard explique",
        &styles.title,
    )?;
    sheet.text(
        1,
        0,
        &format!(
            "Points : les structures ; lignes : la médiane nationale et ses limites à z = {} \
             (hasard de l'échantillonnage, puis variation ordinaire entre structures, φ).",
            crate::fr::number(z, 2)
        ),
        &styles.italic,
    )?;
    sheet.note(
        1,
        0,
        "Un point hors des limites étroites s'écarte de la médiane plus que le seul hasard \
         des petits effectifs ne l'explique ; hors des limites larges, plus que la variation \
         ordinaire entre structures (la surdispersion φ, estimée sur toutes les structures, \
         selon Spiegelhalter, 2005). Les données des graphiques sont sous les graphiques.",
    )?;
    let indicators = funnels(ctx);
    if indicators.is_empty() {
        sheet.text(
            3,
            0,
            "Aucun entonnoir : pas d'indicateur jugé ayant un dénominateur.",
            &styles.italic,
        )?;
        return Ok(sheet);
    }
    let stride = stride(results.structures.len());
    if stride > 1 {
        let text = format!(
            "{} structures : chaque entonnoir trace une structure sur {stride}, dans l'ordre \
             du classeur (au plus {} points), et ses limites sur l'étendue de toutes ; chaque \
             structure est dans le JSON (boussole run --json).",
            crate::fr::integer(results.structures.len() as i64),
            crate::fr::integer(MAX_FUNNEL_POINTS as i64)
        );
        sheet.text(2, 0, &text, &styles.bold)?;
    }
    let chart_rows = indicators.len().div_ceil(PER_ROW) as RowNum * CHART_ROWS;
    let data_top: RowNum = 3 + chart_rows + 1;
    let mut breaks = Vec::new();
    for (k, &i) in indicators.iter().enumerate() {
        let def = &results.indicators[i];
        let first_col = k as ColNum * BLOCK;
        let format = styles.number(&def.format);
        let counts = styles.number("#,##0");
        sheet.text(data_top, first_col, &def.label, &styles.bold)?;
        sheet.header_row(
            data_top + 1,
            first_col,
            &[
                "Effectif (dénominateur)",
                "Valeur",
                "Effectif",
                "Médiane nationale",
                "Limite basse (hasard)",
                "Limite haute (hasard)",
                "Limite basse (φ)",
                "Limite haute (φ)",
            ],
            styles,
        )?;
        let all: Vec<(f64, f64)> = results
            .structures
            .iter()
            .filter_map(|s| point(s, i))
            .collect();
        let points: Vec<(f64, f64)> = all.iter().copied().step_by(stride).collect();
        for (r, (n, v)) in points.iter().enumerate() {
            let row = data_top + 2 + r as RowNum;
            sheet.number(row, first_col, *n, &counts)?;
            sheet.number(row, first_col + 1, *v, &format)?;
        }
        let national = results
            .structures
            .iter()
            .find_map(|s| s.indicators[i].frames.get(&FrameKind::National));
        let (median, phi) = national
            .and_then(|f| Some((f.summary.as_ref()?.median, f.phi)))
            .unwrap_or((f64::NAN, 1.0));
        let (lo_n, hi_n) = all
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), (n, _)| {
                (lo.min(*n), hi.max(*n))
            });
        let grid_rows = if median.is_finite() { GRID } else { 0 };
        for g in 0..grid_rows {
            let t = g as f64 / (GRID - 1) as f64;
            let n = lo_n * (hi_n / lo_n).powf(t);
            let row = data_top + 2 + g as RowNum;
            let narrow = half_width(def, median, n, z);
            let wide = narrow * phi.max(1.0).sqrt();
            sheet.number(row, first_col + 2, n.round(), &counts)?;
            // Rates are never negative, shares never above 1: the limits stop there.
            let top = if def.unit == Unit::Fraction {
                1.0
            } else {
                f64::INFINITY
            };
            let clamp = |y: f64| y.clamp(0.0, top);
            for (c, y) in [
                median,
                clamp(median - narrow),
                clamp(median + narrow),
                clamp(median - wide),
                clamp(median + wide),
            ]
            .into_iter()
            .enumerate()
            {
                sheet.number(row, first_col + 3 + c as ColNum, y, &format)?;
            }
        }

        let mut chart = Chart::new(ChartType::ScatterStraight);
        let name = sheet.name.clone();
        let last_point = data_top + 1 + points.len() as RowNum;
        chart
            .add_series()
            .set_name("Structures")
            .set_categories((
                name.as_str(),
                data_top + 2,
                first_col,
                last_point,
                first_col,
            ))
            .set_values((
                name.as_str(),
                data_top + 2,
                first_col + 1,
                last_point,
                first_col + 1,
            ))
            .set_format(ChartFormat::new().set_no_line())
            // Squares, not circles: LibreOffice draws a circle marker as a many-sided
            // polygon, and a national file's 11 funnels of 440 points cost it 87 MB more
            // memory and 0.8 s more to open and save with circles (docs/performance.md).
            .set_marker(
                ChartMarker::new()
                    .set_type(ChartMarkerType::Square)
                    .set_size(4)
                    .set_format(ChartFormat::new().set_solid_fill(
                        rust_xlsxwriter::ChartSolidFill::new().set_color(0xED7D31),
                    )),
            );
        if grid_rows > 0 {
            let last_grid = data_top + 1 + grid_rows as RowNum;
            for (c, (label, colour, dash)) in [
                ("Médiane nationale", 0x7F1D1D, false),
                ("Limites (hasard)", 0x595959, false),
                ("", 0x595959, false),
                ("Limites (φ)", 0x2F5597, true),
                ("", 0x2F5597, true),
            ]
            .into_iter()
            .enumerate()
            {
                let col = first_col + 3 + c as ColNum;
                let mut line = ChartLine::new();
                line.set_width(if c == 0 { 1.75 } else { 1.0 })
                    .set_color(colour);
                if dash {
                    line.set_dash_type(rust_xlsxwriter::ChartLineDashType::Dash);
                }
                let series = chart.add_series();
                series
                    .set_categories((
                        name.as_str(),
                        data_top + 2,
                        first_col + 2,
                        last_grid,
                        first_col + 2,
                    ))
                    .set_values((name.as_str(), data_top + 2, col, last_grid, col))
                    .set_format(ChartFormat::new().set_line(&line))
                    .set_marker(ChartMarker::new().set_none());
                if label.is_empty() {
                    series.delete_from_legend(true);
                } else {
                    series.set_name(label);
                }
            }
        }
        chart
            .title()
            .set_name(literal_chart_text(&def.label).as_str());
        chart
            .x_axis()
            .set_name("Effectif (dénominateur)")
            .set_num_format("#,##0");
        chart
            .y_axis()
            .set_num_format(crate::report::xlsx::french_format(&def.format).as_str());
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        let at_row = 3 + (k / PER_ROW) as RowNum * CHART_ROWS;
        let at_col = (k % PER_ROW) as ColNum * CHART_COLS;
        if k > 0 && k % (PER_ROW * 2) == 0 {
            breaks.push(at_row);
        }
        sheet.chart(at_row, at_col, &chart)?;
    }
    sheet.apply(|ws| ws.set_page_breaks(&breaks))?;
    // The charts print; the data beneath them is for reading on screen.
    sheet.apply(|ws| ws.set_print_area(0, 0, data_top - 1, PER_ROW as ColNum * CHART_COLS - 1))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    sheet.ws.set_margins(0.4, 0.4, 0.3, 0.3, 0.2, 0.2);
    Ok(sheet)
}
