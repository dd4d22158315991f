//! The Objectifs sheet: the commitments filled during the dialogue and sent back.
//!
//! Per structure and judged indicator: the current value, the proposed objective (its
//! rationale in a note: reference, step, bound) and an editable « Objectif négocié » cell
//! validated by unit (a fraction between 0 and 1, a non-negative whole count, a
//! non-negative number). Below, the action plan: one line per recommendation of the
//! structure and one free line, with editable action, responsable, échéance (a date) and
//! indicateur suivi. Editable cells are unlocked and filled in light yellow; the sheet is
//! protected without a password so nobody overwrites the rest by accident.
//!
//! The layout is the contract read back by `boussole collect` ([`crate::collect::layout`]):
//! a stamp block at the top (column A labels, column B values), header rows starting with
//! « Code », hidden key and rule columns. The same writer serves the per-structure
//! workbooks (`run --per-structure`).

use super::Context;
use crate::analysis::results::IndicatorDef;
use crate::analysis::results::{Results, StructureResult};
use crate::collect::RunStamp;
use crate::collect::layout::{self, EntryRule, unit_code};
use crate::dataset::column_letters;
use crate::error::Result;
use crate::pack::manifest::Unit;
use crate::report::xlsx::{Sheet, Styles, french_format};
use rust_xlsxwriter::{
    ColNum, Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign,
    FormatBorder, ProtectionOptions, RowNum,
};
use std::collections::BTreeMap;

/// Most proposals explained by a note; beyond (huge synthetic workbooks), the rationale
/// goes to a « Justification » column: each note is a shape held in memory until saving.
pub(crate) const MAX_OBJECTIVE_NOTES: usize = 20_000;

const COL_CODE: ColNum = 0;
const COL_NAME: ColNum = 1;
const COL_REGION: ColNum = 2;
const COL_INDICATOR: ColNum = 3;
const COL_UNIT: ColNum = 4;
const COL_VALUE: ColNum = 5;
const COL_PROPOSED: ColNum = 6;
const COL_NEGOTIATED: ColNum = 7;
const COL_COMMENT: ColNum = 8;
const COL_RATIONALE: ColNum = 9;
const COL_KEY: ColNum = 10;
const COL_RULE: ColNum = 11;
// The action plan's columns (same sheet, below).
const COL_RECOMMENDATION: ColNum = 2;
const COL_PRIORITY: ColNum = 3;
const COL_ACTION: ColNum = 4;
const COL_RESPONSIBLE: ColNum = 5;
const COL_DUE: ColNum = 6;
const COL_FOLLOWED: ColNum = 7;

/// Width of the column holding the action plan's recommendations (and the objectives'
/// regions).
const WIDTH_RECOMMENDATION: f64 = 34.0;

/// Runs of consecutive rows (first, last).
type RowRuns = Vec<(RowNum, RowNum)>;

/// Ranges per data validation (Excel keeps a validation's ranges in one attribute).
const RANGES_PER_VALIDATION: usize = 64;

/// Writes the sheet into `sheet`, in row order (it may stream its rows).
pub(crate) fn write(ctx: &Context, styles: &mut Styles, sheet: Sheet) -> Result<Sheet> {
    let structures: Vec<&StructureResult> =
        ctx.results.structures.iter().take(ctx.detailed).collect();
    // The rationale of each proposed objective is in the « Justification » column whatever
    // the audience: hundreds of notes are slow to open (the per-structure workbook, one
    // structure, keeps notes).
    write_for(ctx.results, &structures, sheet, styles, false)
}

/// The sheet for the structures given (all of a run, or one for its own workbook), written
/// into `sheet` in row order (so that it may stream its rows). With `notes`, each proposed
/// objective's rationale is a note (up to [`MAX_OBJECTIVE_NOTES`]); else it is in the
/// « Justification » column.
pub(crate) fn write_for(
    results: &Results,
    structures: &[&StructureResult],
    mut sheet: Sheet,
    styles: &mut Styles,
    notes: bool,
) -> Result<Sheet> {
    let judged: Vec<usize> = results
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| d.judged())
        .map(|(i, _)| i)
        .collect();
    let with_notes = notes && structures.len() * judged.len() <= MAX_OBJECTIVE_NOTES;
    let editable = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xBFBFBF));
    let editable_wrap = editable.clone().set_text_wrap().set_align(FormatAlign::Top);
    let editable_date = editable.clone().set_num_format("dd/mm/yyyy");
    let mut editable_numbers: BTreeMap<String, Format> = BTreeMap::new();

    sheet.text(0, 0, "Objectifs et plan d'action", &styles.title)?;
    let explained = if with_notes {
        "Les objectifs proposés portent une note qui explique leur calcul."
    } else {
        "La colonne « Justification » explique le calcul de chaque objectif proposé."
    };
    sheet.merge(
        (1, 0),
        (1, COL_COMMENT),
        &format!(
            "À remplir pendant le dialogue de gestion puis à renvoyer : seules les cellules \
             jaunes sont modifiables (objectif négocié, commentaire, plan d'action). {explained} \
             Les proportions se saisissent en pourcentage (45 %) ; les échéances sont des \
             dates. `boussole collect` relit ce classeur : ne modifiez pas le tampon ci-dessous."
        ),
        &styles.wrap,
    )?;
    sheet.apply(|ws| ws.set_row_height(1, 48))?;
    let stamp = RunStamp::of(results);
    let rows = [
        (layout::STAMP, stamp.key()),
        (layout::FILE, results.input.file.clone()),
        (
            "Pack de règles",
            format!("{} {}", results.pack.name, results.pack.version),
        ),
        ("Version de boussole", crate::VERSION.to_string()),
    ];
    for (k, (label, value)) in rows.iter().enumerate() {
        let row = 2 + k as RowNum;
        sheet.text(row, 0, label, &styles.bold)?;
        sheet.plain(row, 1, value)?;
    }
    sheet.text(6, 0, "Légende", &styles.bold)?;
    sheet.text(6, 1, "cellule à remplir", &editable)?;

    // Objectives.
    let mut row: RowNum = 8;
    sheet.text(row, 0, "Objectifs pour l'année suivante", &styles.subtitle)?;
    row += 1;
    let headers = [
        layout::CODE,
        layout::NAME,
        layout::REGION,
        layout::INDICATOR,
        layout::UNIT,
        layout::VALUE,
        layout::PROPOSED,
        layout::NEGOTIATED,
        layout::COMMENT,
        if with_notes { "" } else { layout::RATIONALE },
        layout::KEY,
        layout::RULE,
    ];
    for (c, h) in headers.iter().enumerate() {
        if !h.is_empty() {
            sheet.text(row, c as ColNum, h, &styles.header)?;
        }
    }
    sheet.note(
        row,
        COL_NEGOTIATED,
        "Objectif retenu avec la structure. Une proportion entre 0 % et 100 %, un nombre \
         positif ou nul (entier pour un effectif). Vide : l'objectif proposé sera suivi.",
    )?;
    row += 1;
    // The negotiated cells' rows per unit code.
    let mut runs: BTreeMap<&'static str, (Unit, RowRuns)> = BTreeMap::new();
    for s in structures {
        for &i in &judged {
            let def = &results.indicators[i];
            let ir = s.indicators.get(i);
            let fmt = styles.number(&def.format);
            sheet.plain(row, COL_CODE, s.id.as_str())?;
            sheet.plain(row, COL_NAME, &s.name)?;
            sheet.plain(row, COL_REGION, &s.region)?;
            sheet.plain(row, COL_INDICATOR, &def.label)?;
            sheet.plain(row, COL_UNIT, shown_unit_label(def))?;
            sheet.opt_number(row, COL_VALUE, ir.and_then(|r| r.value), &fmt)?;
            if let Some(o) = ir.and_then(|r| r.objective.as_ref()) {
                sheet.number(row, COL_PROPOSED, o.value, &fmt)?;
                if with_notes {
                    sheet.note(row, COL_PROPOSED, &o.rationale())?;
                } else {
                    sheet.text(row, COL_RATIONALE, &o.rationale(), &styles.text)?;
                }
            }
            let negotiated = editable_numbers
                .entry(def.format.clone())
                .or_insert_with(|| editable.clone().set_num_format(french_format(&def.format)));
            blank(&mut sheet, row, COL_NEGOTIATED, negotiated)?;
            blank(&mut sheet, row, COL_COMMENT, &editable)?;
            sheet.plain(row, COL_KEY, &format!("{}|{}", s.id.as_str(), def.id))?;
            sheet.plain(row, COL_RULE, unit_code(def.unit))?;
            let (_, unit_runs) = runs
                .entry(unit_code(def.unit))
                .or_insert_with(|| (def.unit, Vec::new()));
            match unit_runs.last_mut() {
                Some(last) if last.1 + 1 == row => last.1 = row,
                _ => unit_runs.push((row, row)),
            }
            row += 1;
        }
    }
    for (unit, ranges) in runs.values() {
        for chunk in ranges.chunks(RANGES_PER_VALIDATION) {
            let letter = column_letters(COL_NEGOTIATED as u32);
            let multi = chunk
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        format!("{letter}{}", a + 1)
                    } else {
                        format!("{letter}{}:{letter}{}", a + 1, b + 1)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            let dv = sheet
                .check(validation_for(EntryRule::of(*unit)))?
                .set_multi_range(multi);
            let (first, last) = (chunk[0].0, chunk[0].1);
            sheet.apply(|ws| {
                ws.add_data_validation(first, COL_NEGOTIATED, last, COL_NEGOTIATED, &dv)
            })?;
        }
    }
    if structures.is_empty() || judged.is_empty() {
        sheet.text(row, 0, "Aucun objectif proposé.", &styles.italic)?;
        row += 1;
    }

    // Action plan.
    row += 2;
    sheet.text(row, 0, "Plan d'action", &styles.subtitle)?;
    row += 1;
    let action_headers = [
        (COL_CODE, layout::CODE),
        (COL_NAME, layout::NAME),
        (COL_RECOMMENDATION, layout::RECOMMENDATION),
        (COL_PRIORITY, layout::PRIORITY),
        (COL_ACTION, layout::ACTION),
        (COL_RESPONSIBLE, layout::RESPONSIBLE),
        (COL_DUE, layout::DUE),
        (COL_FOLLOWED, layout::FOLLOWED),
        (COL_KEY, layout::KEY),
    ];
    for (c, h) in action_headers {
        sheet.text(row, c, h, &styles.header)?;
    }
    row += 1;
    let first_action = row;
    let label_of = |id: &str| {
        results
            .indicator_index(id)
            .map(|i| results.indicators[i].label.clone())
            .unwrap_or_else(|| id.to_string())
    };
    for s in structures {
        let mut lines: Vec<(String, Option<u8>, String, String)> = s
            .recommendations
            .iter()
            .map(|r| {
                let followed = r
                    .indicators
                    .iter()
                    .map(|id| label_of(id))
                    .collect::<Vec<_>>()
                    .join(", ");
                (r.text.clone(), Some(r.priority), followed, r.id.clone())
            })
            .collect();
        lines.push((
            "Autre action (ligne libre)".into(),
            None,
            String::new(),
            "libre".into(),
        ));
        for (text, priority, followed, id) in lines {
            sheet.plain(row, COL_CODE, s.id.as_str())?;
            sheet.plain(row, COL_NAME, &s.name)?;
            sheet.text(row, COL_RECOMMENDATION, &text, &styles.wrap)?;
            if let Some(p) = priority {
                sheet.number(row, COL_PRIORITY, f64::from(p), &styles.integer)?;
            }
            for col in [COL_ACTION, COL_RESPONSIBLE] {
                blank(&mut sheet, row, col, &editable_wrap)?;
            }
            blank(&mut sheet, row, COL_DUE, &editable_date)?;
            if followed.is_empty() {
                blank(&mut sheet, row, COL_FOLLOWED, &editable_wrap)?;
            } else {
                sheet.text(row, COL_FOLLOWED, &followed, &editable_wrap)?;
            }
            sheet.plain(row, COL_KEY, &format!("{}|{id}", s.id.as_str()))?;
            let lines = crate::report::xlsx::wrapped_lines(&text, WIDTH_RECOMMENDATION)
                .max(crate::report::xlsx::wrapped_lines(&followed, 18.0))
                .clamp(1, 12);
            sheet.apply(|ws| ws.set_row_height(row, lines as f64 * 15.0))?;
            row += 1;
        }
    }
    if row > first_action {
        let last = row - 1;
        let dates = DataValidation::new()
            .allow_date(DataValidationRule::Between(
                date(2000, 1, 1)?,
                date(2100, 12, 31)?,
            ))
            .set_input_title("Échéance")
            .and_then(|d| d.set_input_message("Une date, par exemple 31/12/2026."))
            .and_then(|d| d.set_error_title("Date attendue"))
            .and_then(|d| d.set_error_message("L'échéance doit être une date entre 2000 et 2100."));
        let dates = sheet.check(dates)?;
        sheet.apply(|ws| ws.add_data_validation(first_action, COL_DUE, last, COL_DUE, &dates))?;
    }

    // The widths serve both tables (the action plan's columns sit under the objectives'),
    // narrow enough to print A4 landscape one page wide.
    sheet.widths(&[
        // Wide enough for the stamp's labels (« Version de boussole »), in bold.
        (COL_CODE, 21.0),
        (COL_NAME, 24.0),
        (COL_REGION, WIDTH_RECOMMENDATION),
        (COL_INDICATOR, 38.0),
        (COL_UNIT, 26.0),
        (COL_VALUE, 16.0),
        (COL_PROPOSED, 18.0),
        (COL_NEGOTIATED, 18.0),
        (COL_COMMENT, 24.0),
        (COL_RATIONALE, if with_notes { 2.0 } else { 60.0 }),
    ])?;
    sheet.apply(|ws| ws.set_column_hidden(COL_KEY))?;
    sheet.apply(|ws| ws.set_column_hidden(COL_RULE))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    // Printed from A to the Commentaire column: the « Justification » texts, one long line
    // each, read on screen (printed, they would be cut and shrink the page).
    sheet.apply(|ws| ws.set_print_area(0, 0, row.max(1) - 1, COL_COMMENT))?;
    let protection = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    };
    sheet.ws.protect_with_options(&protection);
    Ok(sheet)
}

/// The unit as the reader sees the numbers: a rate shown in % reads « pourcentage », even
/// when the pack computes it as a ratio (a coverage rate may pass 100 %).
pub(crate) fn shown_unit_label(def: &IndicatorDef) -> &'static str {
    match (def.unit, def.shown_unit()) {
        (Unit::Fraction, _) => "pourcentage (0 à 100 %)",
        (_, Unit::Fraction) => "pourcentage (sans plafond)",
        (Unit::Count, _) => "nombre",
        (Unit::Decimal, _) => "nombre décimal",
        (Unit::Ratio, _) => "ratio",
    }
}

/// An empty cell with a format (the editable cells).
fn blank(sheet: &mut Sheet, row: RowNum, col: ColNum, format: &Format) -> Result<()> {
    sheet.apply(|ws| ws.write_blank(row, col, format))
}

fn date(y: u16, m: u8, d: u8) -> Result<ExcelDateTime> {
    ExcelDateTime::from_ymd(y, m, d)
        .map_err(|e| crate::error::InternalError::ValidationDate(e).into())
}

/// The negotiated cell's validation: its unit's rule, as Excel checks it at entry.
fn validation_for(
    rule: EntryRule,
) -> std::result::Result<DataValidation, rust_xlsxwriter::XlsxError> {
    let dv = DataValidation::new();
    let dv = match (rule.whole, rule.max) {
        (true, Some(max)) => {
            dv.allow_whole_number(DataValidationRule::Between(rule.min as i32, max as i32))
        }
        (true, None) => {
            dv.allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(rule.min as i32))
        }
        (false, Some(max)) => dv.allow_decimal_number(DataValidationRule::Between(rule.min, max)),
        (false, None) => {
            dv.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(rule.min))
        }
    };
    dv.set_input_title("Objectif négocié")?
        .set_input_message(rule.hint)?
        .set_error_title("Valeur hors règle")?
        .set_error_message(rule.hint)
}
