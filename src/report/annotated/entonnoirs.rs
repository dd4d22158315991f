//! The Entonnoirs sheet: one funnel chart per judged indicator with a denominator, each
//! structure's rate against its denominator, with the national median and its funnel limits
//! (the small-numbers guard): the sampling limits, and the wider limits that add the
//! common-cause variation between structures (the overdispersion φ, Spiegelhalter 2005).
//! The charts' data stands below them on the same sheet, so that every point can be read.

use super::Context;
use crate::analysis::results::{IndicatorDef, StructureResult};
use crate::dataset::column_letters;
use crate::error::Result;
use crate::pack::manifest::{FrameKind, Unit};
use crate::report::xlsx::{Cached, Sheet, Styles, literal_chart_text};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartLine, ChartMarker, ChartMarkerType, ChartType,
    ColNum, DataValidation, Format, Formula, RowNum,
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

/// The header of a data block, and of the national file's chosen block.
const HEADERS: [&str; 8] = [
    "Effectif (dénominateur)",
    "Valeur",
    "Effectif",
    "Médiane nationale",
    "Limite basse (hasard)",
    "Limite haute (hasard)",
    "Limite basse (φ)",
    "Limite haute (φ)",
];

/// One indicator's funnel: its structures' points and its limit curves.
struct Funnel {
    indicator: usize,
    /// (denominator, value) of the structures plotted.
    points: Vec<(f64, f64)>,
    /// Denominator, median, sampling limits (low, high), overdispersed limits (low, high);
    /// empty without a national median.
    grid: Vec<[f64; 6]>,
}

impl Funnel {
    fn new(ctx: &Context, i: usize, stride: usize) -> Funnel {
        let results = ctx.results;
        let def = &results.indicators[i];
        let z = results.method.funnel_z;
        let all: Vec<(f64, f64)> = results
            .structures
            .iter()
            .filter_map(|s| point(s, i))
            .collect();
        let points: Vec<(f64, f64)> = all.iter().copied().step_by(stride).collect();
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
        // Rates are never negative, shares never above 1: the limits stop there.
        let top = if def.unit == Unit::Fraction {
            1.0
        } else {
            f64::INFINITY
        };
        let clamp = |y: f64| y.clamp(0.0, top);
        let grid_rows = if median.is_finite() { GRID } else { 0 };
        let grid = (0..grid_rows)
            .map(|g| {
                let t = g as f64 / (GRID - 1) as f64;
                let n = lo_n * (hi_n / lo_n).powf(t);
                let narrow = half_width(def, median, n, z);
                let wide = narrow * phi.max(1.0).sqrt();
                [
                    n.round(),
                    median,
                    clamp(median - narrow),
                    clamp(median + narrow),
                    clamp(median - wide),
                    clamp(median + wide),
                ]
            })
            .collect();
        Funnel {
            indicator: i,
            points,
            grid,
        }
    }
}

/// A funnel chart reading the data block at `first_col` below `data_top` on `sheet`, of
/// `points` structures and `grid` rows of limits (its title and y-axis format are the
/// caller's).
fn funnel_chart(
    sheet: &str,
    data_top: RowNum,
    first_col: ColNum,
    (points, grid): (usize, usize),
) -> Chart {
    let mut chart = Chart::new(ChartType::ScatterStraight);
    let last_point = data_top + 1 + points as RowNum;
    chart
        .add_series()
        .set_name("Structures")
        .set_categories((sheet, data_top + 2, first_col, last_point, first_col))
        .set_values((
            sheet,
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
                .set_format(
                    ChartFormat::new()
                        .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(0xED7D31)),
                ),
        );
    if grid > 0 {
        let last_grid = data_top + 1 + grid as RowNum;
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
                .set_categories((sheet, data_top + 2, first_col + 2, last_grid, first_col + 2))
                .set_values((sheet, data_top + 2, col, last_grid, col))
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
        .x_axis()
        .set_name("Effectif (dénominateur)")
        .set_num_format("#,##0");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
}

/// The national file's one funnel: the indicator chosen in a drop-down (D4), its data
/// copied by formulas from its block into the first block (A:H below the chart), which the
/// chart reads. Every indicator's data stays in its own block; each regional workbook
/// draws every funnel. Values are in display units (a share times 100), so that one
/// y-axis format serves every indicator; the axis title says so.
fn chosen_funnel(
    ctx: &Context,
    sheet: &mut Sheet,
    styles: &mut Styles,
    funnels: &[Funnel],
    data_top: RowNum,
) -> Result<()> {
    let results = ctx.results;
    let name = sheet.name.clone();
    let n = funnels.len();
    let last_block_col = (n as ColNum + 1) * BLOCK - 1;
    // The list of indicators, their scales and axis titles, and the rank chosen.
    let list_col = (n as ColNum + 1) * BLOCK + 1;
    sheet.text(data_top, list_col, "Entonnoir choisi", &styles.bold)?;
    sheet.header_row(
        data_top + 1,
        list_col,
        &["Indicateur", "Échelle", "Rang choisi"],
        styles,
    )?;
    let scale_of = |f: &Funnel| {
        if results.indicators[f.indicator].unit == Unit::Fraction {
            100.0
        } else {
            1.0
        }
    };
    for (k, f) in funnels.iter().enumerate() {
        let row = data_top + 2 + k as RowNum;
        sheet.plain(row, list_col, &results.indicators[f.indicator].label)?;
        sheet.number(row, list_col + 1, scale_of(f), &Format::new())?;
    }
    let col = |c: ColNum| column_letters(u32::from(c));
    let list_first = data_top + 3;
    let list_last = data_top + 2 + n as RowNum;
    let range = |c: ColNum| format!("${0}${list_first}:${0}${list_last}", col(c));
    let first = &funnels[0];
    let first_label = &results.indicators[first.indicator].label;
    sheet.text(3, 0, "Choisir l'indicateur :", &styles.bold)?;
    let selected = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xFFF2CC))
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    sheet.merge((3, 3), (3, 9), first_label, &selected)?;
    let dv = DataValidation::new()
        .allow_list_formula(Formula::new(format!("={}", range(list_col))))
        .set_error_title("Indicateur inconnu")
        .and_then(|dv| dv.set_error_message("Choisissez un indicateur dans la liste."))
        .and_then(|dv| dv.set_input_title("Entonnoir"))
        .and_then(|dv| dv.set_input_message("Choisissez l'indicateur dont l'entonnoir est tracé."));
    let dv = sheet.check(dv)?;
    sheet.validation(3, 3, &dv)?;
    sheet.note(
        3,
        0,
        "Classeur national : un seul entonnoir, celui de l'indicateur choisi, des centaines \
         de points par entonnoir rendraient le classeur très lent à ouvrir. Les données de \
         chaque entonnoir sont sous le graphique ; les classeurs régionaux (boussole run \
         --by-region) tracent tous les entonnoirs.",
    )?;
    let rank_cell = format!("${}${}", col(list_col + 2), data_top + 3);
    sheet.formula(
        data_top + 2,
        list_col + 2,
        &format!(
            "=IFERROR(MATCH({},{},0),1)",
            super::fiche::exact_pattern("$D$4"),
            range(list_col)
        ),
        &Cached::Number(1.0),
        &styles.integer,
    )?;
    let scale_cell = format!("INDEX({},{rank_cell})", range(list_col + 1));

    // The chosen block: each cell the same cell of the chosen indicator's block.
    sheet.formula(
        data_top,
        0,
        "=$D$4",
        &Cached::Text(first_label.clone()),
        &styles.bold,
    )?;
    sheet.header_row(data_top + 1, 0, &HEADERS, styles)?;
    let rows = funnels
        .iter()
        .map(|f| f.points.len().max(f.grid.len()))
        .max()
        .unwrap_or(0);
    let number = styles.number("#,##0.0##");
    let counts = styles.number("#,##0");
    let scale = scale_of(first);
    for r in 0..rows {
        let row = data_top + 2 + r as RowNum;
        let excel_row = row + 1;
        let blocks = format!(
            "${}${excel_row}:${}${excel_row}",
            col(BLOCK),
            col(last_block_col)
        );
        for c in 0..BLOCK {
            let cached = if c < 2 {
                first.points.get(r).map(|p| if c == 0 { p.0 } else { p.1 })
            } else {
                first.grid.get(r).map(|g| g[c as usize - 2])
            };
            let is_count = c == 0 || c == 2;
            let cached = match cached {
                Some(x) if is_count => Cached::Number(x),
                Some(x) => Cached::Number(x * scale),
                None => Cached::NotAvailable,
            };
            let at = format!("INDEX({blocks},1,({rank_cell}-1)*{BLOCK}+{})", c + 1);
            let formula = if is_count {
                format!("=IF({at}=\"\",NA(),{at})")
            } else {
                format!("=IF({at}=\"\",NA(),{at}*{scale_cell})")
            };
            sheet.formula(
                row,
                c,
                &formula,
                &cached,
                if is_count { &counts } else { &number },
            )?;
        }
    }
    let grid = funnels.iter().map(|f| f.grid.len()).max().unwrap_or(0);
    let mut chart = funnel_chart(&name, data_top, 0, (rows, grid));
    let quoted = super::names::quoted(&name);
    chart.title().set_name(&format!("={quoted}!$D$4"));
    chart
        .y_axis()
        .set_name("Valeur (une part en %)")
        .set_num_format(crate::report::xlsx::french_format("#,##0.0").as_str());
    chart
        .set_width(u32::from(PER_ROW as u16 * CHART_COLS) * 64 - 12)
        .set_height((2 * CHART_ROWS) * 20 - 10);
    sheet.chart(5, 0, &chart)
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
    let funnels: Vec<Funnel> = indicators
        .iter()
        .map(|&i| Funnel::new(ctx, i, stride))
        .collect();
    // A national workbook draws one funnel, the one chosen in a list (see `Audience`).
    let each = ctx.audience.funnels_each();
    let chart_rows = if each {
        indicators.len().div_ceil(PER_ROW) as RowNum * CHART_ROWS
    } else {
        2 + 2 * CHART_ROWS
    };
    let data_top: RowNum = 3 + chart_rows + 1;
    // The national file's chosen funnel reads the first data block; every indicator's own
    // block follows.
    let offset: ColNum = if each { 0 } else { 1 };
    let mut breaks = Vec::new();
    for (k, funnel) in funnels.iter().enumerate() {
        let def = &results.indicators[funnel.indicator];
        let first_col = (k as ColNum + offset) * BLOCK;
        let format = styles.number(&def.format);
        let counts = styles.number("#,##0");
        sheet.text(data_top, first_col, &def.label, &styles.bold)?;
        sheet.header_row(data_top + 1, first_col, &HEADERS, styles)?;
        for (r, (n, v)) in funnel.points.iter().enumerate() {
            let row = data_top + 2 + r as RowNum;
            sheet.number(row, first_col, *n, &counts)?;
            sheet.number(row, first_col + 1, *v, &format)?;
        }
        for (g, line) in funnel.grid.iter().enumerate() {
            let row = data_top + 2 + g as RowNum;
            sheet.number(row, first_col + 2, line[0], &counts)?;
            for (c, y) in line[1..].iter().enumerate() {
                sheet.number(row, first_col + 3 + c as ColNum, *y, &format)?;
            }
        }
        if !each {
            continue;
        }
        let mut chart = funnel_chart(
            &sheet.name,
            data_top,
            first_col,
            (funnel.points.len(), funnel.grid.len()),
        );
        chart
            .title()
            .set_name(literal_chart_text(&def.label).as_str());
        chart
            .y_axis()
            .set_num_format(crate::report::xlsx::french_format(&def.format).as_str());
        chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        let at_row = 3 + (k / PER_ROW) as RowNum * CHART_ROWS;
        let at_col = (k % PER_ROW) as ColNum * CHART_COLS;
        if k > 0 && k % (PER_ROW * 2) == 0 {
            breaks.push(at_row);
        }
        sheet.chart(at_row, at_col, &chart)?;
    }
    if !each {
        chosen_funnel(ctx, &mut sheet, styles, &funnels, data_top)?;
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
