//! The Fiche sheet: pick a structure in B2; its indicators, strengths, areas for progress,
//! recommendations and radar update through formulas. Printable on one A4 page.
//!
//! Formulas use English function names (INDEX, MATCH, IF, IFERROR, NA) and carry the first
//! structure's results as cached values so readers that do not recalculate see a filled
//! sheet. Codes are never a formula's result (a cached "01053" would read as a number):
//! the drop-down entry is matched to a row number of the Fiche's hidden lists (helper
//! column Q, lists from column U: `listes`),
//! and each indicator row to a row number of Indicateurs through its key `code|id`.

use super::indicateurs::{
    COL_CHANGE, COL_EXPECTED, COL_FINDING, COL_KEY, COL_PEERS, COL_POSITION, COL_PREVIOUS,
    COL_VALUE, change, change_format,
};
use super::listes;
use super::names::quoted;
use super::referentiels::{self, national_key, region_key};
use super::{Context, RADAR_SCALE_NOTE, frame_median, radar_ratio};
use crate::dataset::column_letters;
use crate::error::Result;
use crate::pack::manifest::{Direction, FrameKind};
use crate::report::xlsx::{Cached, MISSING_MARK, Sheet, Styles, formula_string};
use rust_xlsxwriter::{ColNum, DataValidation, Format, Formula, RowNum};

/// First row of the indicators' table (0-based; the header is the row above).
const TABLE_ROW: RowNum = 5;
/// The radar's data (K:O, outside the print area, visible so that charts plot it): label,
/// national median, structure, regional median, peer median.
const COL_CHART: ColNum = 10;
/// Hidden helper column, apart from the radar's data: the lists' row of the selected
/// structure (row 2) and the Indicateurs row of each indicator (on the indicator's row).
const COL_HELPER: ColNum = COL_CHART + 6;
/// Hidden helper columns beside it, on each indicator's row: the Référentiels rows of the
/// selected structure's regional frame and of the national frame.
const COL_HELPER_REGION: ColNum = COL_HELPER + 1;
const COL_HELPER_NATIONAL: ColNum = COL_HELPER + 2;
/// Last printed column (I).
const LAST_PRINTED: ColNum = 8;
/// The table's Constat column.
const COL_FICHE_FINDING: ColNum = 6;

/// With `--stability`, the formula of a Constat cell given the plain one (`=...`) and the
/// helper cell of its Indicateurs row: the finding followed by « — fragile (0,62) » when its
/// stability is under the pack's threshold (FIXED writes the decimal separator of the
/// reader's Excel).
fn fragile_mark(
    ctx: &Context,
    ind_col: &dyn Fn(ColNum) -> String,
) -> Option<impl Fn(&str, &str) -> String> {
    let threshold = ctx.results.stability.as_ref()?.fragile_below;
    let column = super::indicateurs::stability_column(ctx)?;
    let stability = ind_col(column);
    let finding = ind_col(COL_FINDING);
    Some(move |plain: &str, at: &str| {
        let share = format!("INDEX({stability},{at})");
        format!(
            "={}&IF({at}=0,\"\",IF(OR(INDEX({finding},{at})=\"\",{share}=\"\"),\"\",IF({share}<{threshold},\" — fragile (\"&FIXED({share},2)&\")\",\"\")))",
            plain.trim_start_matches('=')
        )
    })
}

/// What a national workbook's Fiche says under its radar, since it has no Radars sheet.
pub(crate) const NATIONAL_TEXT: &str = "Classeur national : pas de feuille Radars, des \
centaines de radars rendraient le classeur très lent à ouvrir. Le radar ci-dessus suit la \
structure choisie dans la liste ; les classeurs régionaux (boussole run --by-region, ou un \
classeur d'une seule région) ont un radar par structure.";

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.fiche)?;
    let title = ctx.label("titre_fiche", "Fiche structure");
    sheet.text(0, 0, &title, &styles.title)?;
    sheet.widths(&[
        (0, 36.0),
        (1, 12.0),
        (2, 12.0),
        (3, 12.0),
        (4, 12.0),
        (5, 12.0),
        (
            6,
            if results.stability.is_some() {
                30.0
            } else {
                16.0
            },
        ),
        (7, 12.0),
        (8, 12.0),
        (9, 3.0),
        (COL_CHART, 30.0),
        (COL_CHART + 1, 11.0),
        (COL_CHART + 2, 11.0),
        (COL_CHART + 3, 11.0),
        (COL_CHART + 4, 11.0),
    ])?;
    let Some(first) = results.structures.first().filter(|_| ctx.detailed > 0) else {
        sheet.text(
            2,
            0,
            "Aucune structure dans les résultats : la fiche est vide.",
            &styles.italic,
        )?;
        page_setup(&mut sheet, 3)?;
        return Ok(sheet);
    };

    let n_structures = ctx.detailed;
    let ind = quoted(&ctx.names.indicateurs);
    let listes_last = n_structures + 1;
    let ind_last = ctx.indicator_last_row() + 1;
    let listes_col = |col: ColNum| {
        let l = column_letters(col as u32);
        format!("${l}$2:${l}${listes_last}")
    };
    let ind_col = |col: ColNum| {
        let l = column_letters(col as u32);
        format!("{ind}!${l}$2:${l}${ind_last}")
    };
    let helper = column_letters(COL_HELPER as u32);
    let refs = quoted(&ctx.names.referentiels);
    let refs_last = ctx.frames.last_row() + 1;
    let ref_col = |col: ColNum| {
        let l = column_letters(col as u32);
        format!("{refs}!${l}$2:${l}${refs_last}")
    };
    let ref_median = ref_col(referentiels::COL_MEDIAN);
    let frame_median_in = |key: &str| {
        ctx.frames
            .find(key)
            .and_then(|(_, r)| r.summary())
            .map(|s| s.median)
    };

    // The lists the formulas read, in hidden columns of this sheet.
    listes::write_into(ctx, &mut sheet, styles)?;

    // The selection and its row in the lists.
    sheet.text(1, 0, "Structure (choisir dans la liste)", &styles.bold)?;
    let selected = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xFFF2CC))
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    sheet.merge((1, 1), (1, 5), &Context::display(first), &selected)?;
    let dv = DataValidation::new()
        .allow_list_formula(Formula::new(format!(
            "={}",
            listes_col(listes::COL_DISPLAY)
        )))
        .set_error_title("Structure inconnue")
        .and_then(|dv| dv.set_error_message("Choisissez une structure dans la liste."))
        .and_then(|dv| dv.set_input_title("Structure"))
        .and_then(|dv| dv.set_input_message("Choisissez la structure à afficher."));
    let dv = sheet.check(dv)?;
    sheet.validation(1, 1, &dv)?;
    sheet.formula(
        1,
        COL_HELPER,
        &format!(
            "=IFERROR(MATCH({},{},0),0)",
            exact_pattern("$B$2"),
            listes_col(listes::COL_DISPLAY)
        ),
        &Cached::Number(1.0),
        &styles.integer,
    )?;
    let first_texts = listes::texts(ctx, 0);
    let lookup = |col: ColNum| {
        format!(
            "=IF(${helper}$2=0,{},INDEX({},${helper}$2))",
            formula_string(MISSING_MARK),
            listes_col(col)
        )
    };
    sheet.text(2, 0, "Région", &styles.bold)?;
    sheet.formula(
        2,
        1,
        &lookup(listes::COL_REGION),
        &Cached::text_or_mark(&first_texts[0]),
        &styles.text,
    )?;

    // The indicators' table.
    sheet.header_row(
        TABLE_ROW - 1,
        0,
        &[
            "Indicateur",
            "Valeur",
            "Médiane régionale",
            "Médiane des pairs",
            "Valeur attendue",
            "Position dans la région (rang centile)",
            "Constat",
            "Année précédente",
            "Évolution",
        ],
        styles,
    )?;
    sheet.note(TABLE_ROW - 1, 4, &super::models_note(results))?;
    let shown: Vec<usize> = results
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.context)
        .map(|(i, _)| i)
        .collect();
    let mut table_row_of = vec![None; results.indicators.len()];
    for (k, &i) in shown.iter().enumerate() {
        let def = &results.indicators[i];
        let row = TABLE_ROW + k as RowNum;
        table_row_of[i] = Some(row);
        let ir = first.indicators.get(i);
        let fmt = styles.number(&def.format);
        sheet.plain(row, 0, &def.label)?;
        sheet.formula(
            row,
            COL_HELPER,
            &format!(
                "=IF(${helper}$2=0,0,IFERROR(MATCH({},{},0),0))",
                exact_pattern(&format!(
                    "INDEX({},${helper}$2)&{}",
                    listes_col(listes::COL_CODE),
                    formula_string(&format!("|{}", def.id))
                )),
                ind_col(COL_KEY)
            ),
            &Cached::Number(f64::from(ctx.indicator_row(0, i))),
            &styles.integer,
        )?;
        // The Référentiels rows of the selected structure's region and of the nation.
        sheet.formula(
            row,
            COL_HELPER_REGION,
            &format!(
                "=IF(${helper}$2=0,0,IFERROR(MATCH({},{},0),0))",
                exact_pattern(&format!(
                    "{}&INDEX({},${helper}$2)&{}",
                    formula_string("région|"),
                    listes_col(listes::COL_REGION_KEY),
                    formula_string(&format!("|{}", def.id))
                )),
                ref_col(referentiels::COL_KEY)
            ),
            &Cached::Number(f64::from(
                ctx.frames
                    .find(&region_key(&first.region, &def.id))
                    .map_or(0, |(r, _)| r),
            )),
            &styles.integer,
        )?;
        sheet.formula(
            row,
            COL_HELPER_NATIONAL,
            &format!(
                "=IFERROR(MATCH({},{},0),0)",
                exact_pattern(&formula_string(&national_key(&def.id))),
                ref_col(referentiels::COL_KEY)
            ),
            &Cached::Number(f64::from(
                ctx.frames
                    .find(&national_key(&def.id))
                    .map_or(0, |(r, _)| r),
            )),
            &styles.integer,
        )?;
        let at = format!("${helper}{}", row + 1);
        let at_region = format!("${}{}", column_letters(COL_HELPER_REGION as u32), row + 1);
        let fragile = fragile_mark(ctx, &ind_col);
        let value_of = |col: ColNum| {
            let range = ind_col(col);
            let mark = formula_string(MISSING_MARK);
            format!("=IF({at}=0,{mark},IF(INDEX({range},{at})=\"\",{mark},INDEX({range},{at})))")
        };
        let region_rank = ir
            .and_then(|r| r.frames.get(&FrameKind::Region))
            .and_then(|f| f.rank());
        let change_fmt = styles.number(&change_format(def));
        // The regional median, from the Référentiels row of the structure's region.
        {
            let mark = formula_string(MISSING_MARK);
            sheet.formula(
                row,
                2,
                &format!(
                    "=IF({at_region}=0,{mark},IF(INDEX({ref_median},{at_region})=\"\",{mark},INDEX({ref_median},{at_region})))"
                ),
                &Cached::number_or_mark(frame_median_in(&region_key(&first.region, &def.id))),
                &fmt,
            )?;
        }
        let cells: [(ColNum, ColNum, Cached, &Format); 7] = [
            (
                1,
                COL_VALUE,
                Cached::number_or_mark(ir.and_then(|r| r.value)),
                &fmt,
            ),
            (
                3,
                COL_PEERS,
                Cached::number_or_mark(frame_median(ir, FrameKind::Peers)),
                &fmt,
            ),
            (
                4,
                COL_EXPECTED,
                Cached::number_or_mark(ir.and_then(|r| r.expected.as_ref()).map(|e| e.value)),
                &fmt,
            ),
            (
                5,
                COL_POSITION,
                Cached::number_or_mark(region_rank),
                &styles.score,
            ),
            (
                6,
                COL_FINDING,
                Cached::text_or_mark(
                    ir.and_then(|r| r.finding.as_ref())
                        .map(|f| f.kind.label_fr())
                        .unwrap_or(""),
                ),
                &styles.text,
            ),
            (
                7,
                COL_PREVIOUS,
                Cached::number_or_mark(ir.and_then(|r| r.previous)),
                &fmt,
            ),
            (
                8,
                COL_CHANGE,
                Cached::number_or_mark(change(def, ir)),
                &change_fmt,
            ),
        ];
        for (col, source, cached, format) in cells {
            if col == COL_FICHE_FINDING
                && let Some(fragile) = &fragile
            {
                // `--stability`: « fragile (0,62) » after a finding under the pack's threshold.
                let text = match (cached, results.fragile_finding(0, i)) {
                    (Cached::Text(t), Some(share)) => {
                        Cached::Text(format!("{t} — fragile ({})", crate::fr::number(share, 2)))
                    }
                    (cached, _) => cached,
                };
                sheet.formula(row, col, &fragile(&value_of(source), &at), &text, format)?;
                continue;
            }
            sheet.formula(row, col, &value_of(source), &cached, format)?;
        }
    }
    let after_table = TABLE_ROW + shown.len() as RowNum + 1;

    // Strengths, areas for progress, points to watch, recommendations.
    let blocks = [
        ("Forces", listes::COL_FORCES, 1),
        ("Axes de progrès", listes::COL_PROGRES, 2),
        ("Points de vigilance", listes::COL_VIGILANCE, 3),
        ("Recommandations", listes::COL_RECOMMANDATIONS, 4),
    ];
    let mut max_lines = [1usize; 5];
    for s in 0..n_structures {
        for (k, t) in listes::texts(ctx, s).iter().enumerate() {
            max_lines[k] = max_lines[k].max(wrapped_lines(t, 80));
        }
    }
    // Each label stands at the top of its row, beside the first line of its text.
    let label_format = Format::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (k, (label, col, text_index)) in blocks.iter().enumerate() {
        let row = after_table + k as RowNum;
        sheet.text(row, 0, label, &label_format)?;
        sheet.merge((row, 1), (row, LAST_PRINTED), "", &styles.wrap)?;
        sheet.formula(
            row,
            1,
            &lookup(*col),
            &Cached::text_or_mark(&first_texts[*text_index]),
            &styles.wrap,
        )?;
        let lines = max_lines[*text_index];
        sheet.apply(|ws| ws.set_row_height(row, (lines as f64 * 15.0).clamp(15.0, 409.0)))?;
    }
    let chart_row = after_table + blocks.len() as RowNum + 1;

    // The radar and its data.
    let judged = ctx.judged();
    sheet.header_row(
        TABLE_ROW - 1,
        COL_CHART,
        &[
            "Indicateur jugé (radar)",
            "Médiane nationale",
            "Structure",
            "Médiane régionale",
            "Médiane des pairs",
        ],
        styles,
    )?;
    sheet.note(TABLE_ROW - 1, COL_CHART, RADAR_SCALE_NOTE)?;
    let mut plotted = 0;
    for &i in &judged {
        let Some(table_row) = table_row_of[i] else {
            continue;
        };
        let def = &results.indicators[i];
        let q = TABLE_ROW + plotted;
        plotted += 1;
        let ir = first.indicators.get(i);
        let national = frame_median_in(&national_key(&def.id));
        sheet.plain(q, COL_CHART, &def.label)?;
        let at = format!(
            "${}{}",
            column_letters(COL_HELPER_NATIONAL as u32),
            table_row + 1
        );
        sheet.formula(
            q,
            COL_CHART + 1,
            &format!(
                "=IF({at}=0,NA(),IF(INDEX({ref_median},{at})=\"\",NA(),INDEX({ref_median},{at})))"
            ),
            &national.map_or(Cached::NotAvailable, Cached::Number),
            &styles.number(&def.format),
        )?;
        let nat = format!("{}{}", column_letters(COL_CHART as u32 + 1), q + 1);
        let series = [
            (1, ir.and_then(|r| r.value)),
            (2, frame_median(ir, FrameKind::Region)),
            (3, frame_median(ir, FrameKind::Peers)),
        ];
        for (k, (col, x)) in series.into_iter().enumerate() {
            let src = format!("{}{}", column_letters(col), table_row + 1);
            let f = if def.direction == Direction::Lower {
                format!("=IFERROR({nat}/{src}*100,NA())")
            } else {
                format!("=IFERROR({src}/{nat}*100,NA())")
            };
            let cached = radar_ratio(x, national, def.direction)
                .map_or(Cached::NotAvailable, Cached::Number);
            sheet.formula(q, COL_CHART + 2 + k as ColNum, &f, &cached, &styles.score)?;
        }
    }
    let mut last_row = chart_row;
    if plotted > 0 {
        let first_q = TABLE_ROW;
        let last_q = TABLE_ROW + plotted - 1;
        last_row = super::profile_radar(
            &mut sheet,
            (first_q, last_q),
            (COL_CHART, COL_CHART + 2),
            chart_row,
            LAST_PRINTED,
            styles,
        )?;
    }
    if !ctx.audience.radars() {
        // The national file has no Radars sheet: say where the radars per structure are.
        last_row += 1;
        sheet.merge(
            (last_row, 0),
            (last_row, LAST_PRINTED),
            NATIONAL_TEXT,
            &styles.wrap,
        )?;
        sheet.apply(|ws| ws.set_row_height(last_row, 45))?;
    }
    for col in [COL_HELPER, COL_HELPER_REGION, COL_HELPER_NATIONAL] {
        sheet.apply(|ws| ws.set_column_hidden(col))?;
    }
    sheet.freeze(2, 0)?;
    page_setup(&mut sheet, last_row)?;
    Ok(sheet)
}

/// A4 portrait, one page, print area A1:I{last}.
fn page_setup(sheet: &mut Sheet, last_row: RowNum) -> Result<()> {
    sheet.ws.set_paper_size(9);
    sheet.ws.set_portrait();
    sheet.ws.set_print_fit_to_pages(1, 1);
    sheet.ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.ws.set_print_center_horizontally(true);
    sheet.apply(|ws| ws.set_print_area(0, 0, last_row, LAST_PRINTED))?;
    Ok(())
}

/// A MATCH pattern that finds exactly the text of `expr`: MATCH(.., 0) reads `*`, `?` and
/// `~` as wildcards (Excel, and LibreOffice on xlsx files), so each is escaped by `~`.
pub(crate) fn exact_pattern(expr: &str) -> String {
    format!("SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({expr},\"~\",\"~~\"),\"*\",\"~*\"),\"?\",\"~?\")")
}

/// Lines a text takes in a cell about `width` characters wide.
fn wrapped_lines(text: &str, width: usize) -> usize {
    text.lines()
        .map(|l| l.chars().count().div_ceil(width).max(1))
        .sum::<usize>()
        .max(1)
}
