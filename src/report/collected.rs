//! The regional workbook of `boussole collect`: the negotiated objectives, the action
//! plans, the diagnostics and the collect's stamp, one sheet each.
//!
//! Sheet names, column titles and stamp labels are [`crate::collect::layout`]'s: `run
//! --objectives` reads this workbook back ([`crate::collect::read_collected`]) by them.

use crate::collect::layout::{self, unit_code};
use crate::collect::{ActionLine, CollectDiagnostic, Collected, NegotiatedObjective};
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles, new_workbook, save};
use rust_xlsxwriter::{ExcelDateTime, RowNum};

const OBJECTIVE_COLUMNS: [&str; 14] = [
    layout::CODE,
    layout::NAME,
    layout::REGION,
    layout::INDICATOR,
    layout::IDENTIFIER,
    layout::UNIT,
    layout::ANALYSED_VALUE,
    layout::PROPOSED,
    layout::NEGOTIATED,
    layout::STATUS,
    layout::ENTERED,
    layout::COMMENT,
    layout::SOURCE_FILE,
    layout::SOURCE_CELL,
];

const ACTION_COLUMNS: [&str; 10] = [
    layout::CODE,
    layout::NAME,
    layout::REGION,
    layout::RECOMMENDATION,
    layout::ACTION,
    layout::RESPONSIBLE,
    layout::DUE,
    layout::FOLLOWED,
    layout::SOURCE_FILE,
    layout::SOURCE_CELL,
];

const DIAGNOSTIC_COLUMNS: [&str; 5] = [
    "Gravité",
    layout::SOURCE_FILE,
    "Feuille",
    layout::SOURCE_CELL,
    "Message",
];

/// The collected workbook's bytes.
///
/// ```no_run
/// let pack = boussole::pack::Pack::embedded()?;
/// let collected = boussole::collect::collect_paths(&["retour-01053.xlsx".into()], &pack)?;
/// let bytes = boussole::report::collected::collected_workbook(&collected)?;
/// std::fs::write("objectifs-2026.xlsx", bytes).unwrap();
/// # Ok::<(), boussole::error::Error>(())
/// ```
pub fn collected_workbook(c: &Collected) -> Result<Vec<u8>> {
    let mut styles = Styles::new();
    let mut book = new_workbook("boussole — objectifs collectés", "", None);
    book.push_worksheet(objectives_sheet(&c.objectives, &mut styles)?.ws);
    book.push_worksheet(actions_sheet(&c.actions, &styles)?.ws);
    book.push_worksheet(diagnostics_sheet(&c.diagnostics, &styles)?.ws);
    book.push_worksheet(collect_sheet(c, &styles)?.ws);
    save(&mut book, "classeur consolidé")
}

/// A sheet whose first row holds the column titles, frozen.
fn table_sheet(name: &str, titles: &[&str], styles: &Styles) -> Result<Sheet> {
    let mut sheet = Sheet::new(name)?;
    sheet.header_row(0, 0, titles, styles)?;
    sheet.freeze(1, 0)?;
    Ok(sheet)
}

/// The data row of the k-th line.
fn row_of(k: usize) -> RowNum {
    k as RowNum + 1
}

/// Where a line was read: `sheet!cell`.
fn place(sheet: &str, cell: &str) -> String {
    format!("{sheet}!{cell}")
}

fn objectives_sheet(objectives: &[NegotiatedObjective], styles: &mut Styles) -> Result<Sheet> {
    let mut sheet = table_sheet(layout::SHEET_OBJECTIVES, &OBJECTIVE_COLUMNS, styles)?;
    for (k, o) in objectives.iter().enumerate() {
        let row = row_of(k);
        let format = styles.number(o.unit.default_format());
        for (col, t) in [
            (0, o.code.as_str()),
            (1, &o.name),
            (2, &o.region),
            (3, &o.label),
            (4, &o.indicator),
            (5, unit_code(o.unit)),
        ] {
            sheet.plain(row, col, t)?;
        }
        for (col, x) in [(6, o.value), (7, o.proposed), (8, o.negotiated)] {
            sheet.opt_number(row, col, x.filter(|x| x.is_finite()), &format)?;
        }
        sheet.plain(row, 9, o.status.label_fr())?;
        if let Some(entered) = &o.entered {
            sheet.plain(row, 10, entered)?;
        }
        sheet.plain(row, 11, &o.comment)?;
        sheet.plain(row, 12, &o.file)?;
        sheet.plain(row, 13, &place(&o.sheet, &o.cell))?;
    }
    sheet.widths(&[
        (0, 8.0),
        (1, 30.0),
        (2, 18.0),
        (3, 34.0),
        (4, 22.0),
        (11, 30.0),
        (12, 30.0),
    ])?;
    Ok(sheet)
}

fn actions_sheet(actions: &[ActionLine], styles: &Styles) -> Result<Sheet> {
    let mut sheet = table_sheet(layout::SHEET_ACTIONS, &ACTION_COLUMNS, styles)?;
    for (k, a) in actions.iter().enumerate() {
        let row = row_of(k);
        for (col, t) in [
            (0, &a.code),
            (1, &a.name),
            (2, &a.region),
            (3, &a.recommendation),
            (4, &a.action),
            (5, &a.responsible),
            (7, &a.indicator),
            (8, &a.file),
        ] {
            sheet.plain(row, col, t)?;
        }
        if let Some((y, m, d)) = a.due_date() {
            let due = sheet.check(ExcelDateTime::from_ymd(y, m, d))?;
            sheet.apply(|ws| ws.write_datetime_with_format(row, 6, &due, &styles.date))?;
        }
        sheet.plain(row, 9, &place(&a.sheet, &a.cell))?;
    }
    sheet.widths(&[
        (1, 30.0),
        (3, 50.0),
        (4, 50.0),
        (5, 20.0),
        (6, 12.0),
        (7, 30.0),
    ])?;
    Ok(sheet)
}

fn diagnostics_sheet(diagnostics: &[CollectDiagnostic], styles: &Styles) -> Result<Sheet> {
    let mut sheet = table_sheet(layout::SHEET_DIAGNOSTICS, &DIAGNOSTIC_COLUMNS, styles)?;
    for (k, d) in diagnostics.iter().enumerate() {
        let row = row_of(k);
        for (col, t) in [
            (0, d.severity.label_fr()),
            (1, &d.file),
            (2, &d.sheet),
            (3, &d.cell),
            (4, &d.message),
        ] {
            sheet.plain(row, col, t)?;
        }
    }
    sheet.widths(&[(1, 30.0), (4, 100.0)])?;
    Ok(sheet)
}

/// The collect's stamp: the analysis followed (the stamp block of [`layout`]) and counts.
fn collect_sheet(c: &Collected, styles: &Styles) -> Result<Sheet> {
    let negotiated = c.objectives.iter().filter(|o| o.negotiated.is_some());
    let rows = [
        (layout::STAMP, c.stamp.key()),
        (layout::FILE, c.stamp.input_file.clone()),
        ("Version de boussole (collecte)", c.boussole.clone()),
        ("Classeurs lus", c.files.join(", ")),
        ("Objectifs", c.objectives.len().to_string()),
        ("Objectifs négociés valides", negotiated.count().to_string()),
        ("Lignes de plan d'action", c.actions.len().to_string()),
        ("Diagnostics", c.diagnostics.len().to_string()),
    ];
    let mut sheet = Sheet::new(layout::SHEET_COLLECT)?;
    for (k, (label, value)) in rows.iter().enumerate() {
        let row = k as RowNum;
        sheet.text(row, 0, label, &styles.bold)?;
        sheet.plain(row, 1, value)?;
    }
    sheet.widths(&[(0, 32.0), (1, 60.0)])?;
    Ok(sheet)
}
