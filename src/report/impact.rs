//! The impact workbook: an [`Impact`] per input, between pack A and pack B, written as a
//! workbook with a summary sheet and one listing sheet per kind of change.
//!
//! This module owns the workbook's layout only: the comparison is computed by
//! `analysis::impact`. The workbook's bytes depend only on its arguments (fixed creation
//! date, no clock).

use crate::analysis::impact::{Impact, StructureKey, Summary, finding_label, summaries};
use crate::analysis::results::PackStamp;
use crate::error::Result;
use crate::report::xlsx::{EXCEL_LAST_ROW, Sheet, Styles, new_workbook, save};
use rust_xlsxwriter::{Chart, ChartType, ColNum, Format, FormatAlign, RowNum};

/// Sheet names of the impact workbook, in order.
pub const SHEETS: [&str; 5] = [
    "Synthèse",
    "Constats",
    "Recommandations",
    "Scores",
    "Priorités régionales",
];

/// Writes the impact workbook for the inputs compared (file name and impact each) between
/// pack A and pack B, and returns its bytes (xlsx). The same arguments give the same bytes.
///
/// Sheets: Synthèse (the packs, the inputs, the counts and a chart of them), Constats,
/// Recommandations, Scores and Priorités régionales (one row per change, with filters).
///
/// ```
/// use boussole::analysis::impact::Impact;
/// use boussole::analysis::results::PackStamp;
/// use boussole::report::impact::impact_workbook;
/// let stamp = PackStamp { name: "cpo".into(), version: "1".into(), hash: "ab12".into() };
/// let bytes = impact_workbook(&[("exemple.xlsx".into(), Impact::default())], &stamp, &stamp)?;
/// assert!(bytes.starts_with(b"PK"));
/// # Ok::<(), boussole::error::Error>(())
/// ```
pub fn impact_workbook(
    impacts: &[(String, Impact)],
    pack_a: &PackStamp,
    pack_b: &PackStamp,
) -> Result<Vec<u8>> {
    let st = Formats::new();
    let mut workbook = new_workbook(
        "boussole — impact d'un changement de règles",
        &format!(
            "Comparaison du pack {} {} (A) et du pack {} {} (B) par boussole {}",
            pack_a.name,
            pack_a.version,
            pack_b.name,
            pack_b.version,
            crate::VERSION
        ),
        None,
    );
    let sheets = [
        synthese(&st, impacts, pack_a, pack_b)?,
        findings(&st, impacts)?,
        recommendations(&st, impacts)?,
        scores(&st, impacts)?,
        priorities(&st, impacts)?,
    ];
    for sheet in sheets {
        workbook.push_worksheet(sheet.ws);
    }
    save(&mut workbook, "classeur d'impact")
}

/// The shared formats, with this workbook's own header and one-decimal numbers.
struct Formats {
    shared: Styles,
    header: Format,
    score: Format,
    share: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            shared: Styles::new(),
            header: Format::new()
                .set_bold()
                .set_background_color("#DDE4EE")
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            score: Format::new().set_num_format("0.0"),
            share: Format::new().set_num_format(crate::report::xlsx::french_format("0.0%")),
        }
    }
}

/// The columns shared by the sheets listing changes of one structure.
const STRUCTURE_COLUMNS: [(&str, f64); 4] = [
    ("Fichier", 24.0),
    ("Code", 10.0),
    ("Nom", 36.0),
    ("Région", 24.0),
];

/// The structure columns followed by the sheet's own.
fn with_structure(own: &[(&'static str, f64)]) -> Vec<(&'static str, f64)> {
    STRUCTURE_COLUMNS.iter().chain(own).copied().collect()
}

fn findings(st: &Formats, impacts: &[(String, Impact)]) -> Result<Sheet> {
    let rows = impacts
        .iter()
        .flat_map(|(file, i)| i.findings.iter().map(move |c| (file, c)));
    let columns = with_structure(&[("Indicateur", 40.0), ("Avant", 16.0), ("Après", 16.0)]);
    listing(st, SHEETS[1], &columns, rows, |sheet, row, (file, c)| {
        let text = &st.shared.text;
        structure_cells(sheet, text, row, file, &c.structure)?;
        sheet.text(row, 4, &c.label, text)?;
        sheet.text(row, 5, finding_label(c.before), text)?;
        sheet.text(row, 6, finding_label(c.after), text)
    })
}

fn recommendations(st: &Formats, impacts: &[(String, Impact)]) -> Result<Sheet> {
    let rows = impacts
        .iter()
        .flat_map(|(file, i)| i.recommendations.iter().map(move |c| (file, c)));
    let columns = with_structure(&[
        ("Recommandation", 60.0),
        ("Priorité", 9.0),
        ("Changement", 12.0),
    ]);
    listing(st, SHEETS[2], &columns, rows, |sheet, row, (file, c)| {
        let text = &st.shared.text;
        structure_cells(sheet, text, row, file, &c.structure)?;
        sheet.text(row, 4, &c.text, text)?;
        sheet.number(row, 5, c.priority.into(), &st.shared.integer)?;
        sheet.text(row, 6, c.change.label_fr(), text)
    })
}

fn scores(st: &Formats, impacts: &[(String, Impact)]) -> Result<Sheet> {
    let rows = impacts.iter().flat_map(|(file, i)| {
        let indicators = i.scores.iter().map(move |c| (file, "Indicateur", c));
        indicators.chain(i.axes.iter().map(move |c| (file, "Axe", c)))
    });
    let columns = with_structure(&[
        ("Niveau", 11.0),
        ("Indicateur ou axe", 40.0),
        ("Avant", 9.0),
        ("Après", 9.0),
        ("Écart", 9.0),
    ]);
    listing(
        st,
        SHEETS[3],
        &columns,
        rows,
        |sheet, row, (file, level, c)| {
            let text = &st.shared.text;
            structure_cells(sheet, text, row, file, &c.structure)?;
            sheet.text(row, 4, level, text)?;
            sheet.text(row, 5, &c.label, text)?;
            for (col, value) in [(6, c.before), (7, c.after), (8, c.delta)] {
                sheet.opt_number(row, col, value.filter(|x| x.is_finite()), &st.score)?;
            }
            Ok(())
        },
    )
}

fn priorities(st: &Formats, impacts: &[(String, Impact)]) -> Result<Sheet> {
    let rows = impacts
        .iter()
        .flat_map(|(file, i)| i.priorities.iter().map(move |c| (file, c)));
    let columns = [
        ("Fichier", 24.0),
        ("Région", 24.0),
        ("Recommandation", 60.0),
        ("Priorité", 9.0),
        ("Changement", 12.0),
        ("Structures avant", 11.0),
        ("Part avant", 9.0),
        ("Structures après", 11.0),
        ("Part après", 9.0),
    ];
    listing(st, SHEETS[4], &columns, rows, |sheet, row, (file, c)| {
        let (text, count) = (&st.shared.text, &st.shared.integer);
        sheet.text(row, 0, file, text)?;
        sheet.text(row, 1, &c.region, text)?;
        sheet.text(row, 2, &c.text, text)?;
        sheet.number(row, 3, c.priority.into(), count)?;
        sheet.text(row, 4, c.change.label_fr(), text)?;
        sheet.number(row, 5, c.count_before as f64, count)?;
        sheet.number(row, 6, c.share_before, &st.share)?;
        sheet.number(row, 7, c.count_after as f64, count)?;
        sheet.number(row, 8, c.share_after, &st.share)
    })
}

fn structure_cells(
    sheet: &mut Sheet,
    text: &Format,
    row: RowNum,
    file: &str,
    s: &StructureKey,
) -> Result<()> {
    sheet.text(row, 0, file, text)?;
    sheet.text(row, 1, s.id.as_str(), text)?;
    sheet.text(row, 2, &s.name, text)?;
    sheet.text(row, 3, &s.region, text)
}

/// A sheet with one row per change: bold headers, filters, the header row frozen.
fn listing<T>(
    st: &Formats,
    name: &str,
    columns: &[(&str, f64)],
    rows: impl Iterator<Item = T>,
    mut write: impl FnMut(&mut Sheet, RowNum, T) -> Result<()>,
) -> Result<Sheet> {
    let mut sheet = Sheet::new(name)?;
    for (col, (label, width)) in columns.iter().enumerate() {
        sheet.text(0, col as ColNum, label, &st.header)?;
        sheet.widths(&[(col as ColNum, *width)])?;
    }
    let mut written = 0usize;
    let mut left_off = 0usize;
    for item in rows {
        if written + 1 >= EXCEL_LAST_ROW {
            left_off += 1;
            continue;
        }
        written += 1;
        write(&mut sheet, written as RowNum, item)?;
    }
    let last_col = (columns.len() - 1) as ColNum;
    sheet.apply(|ws| ws.autofilter(0, 0, written as RowNum, last_col))?;
    sheet.freeze(1, 0)?;
    if left_off > 0 {
        sheet.text(
            (written + 1) as RowNum,
            0,
            &format!(
                "{} : limite de lignes d'Excel atteinte",
                if left_off > 1 {
                    format!("{left_off} changements non affichés")
                } else {
                    format!("{left_off} changement non affiché")
                }
            ),
            &st.shared.italic,
        )?;
    }
    Ok(sheet)
}

fn synthese(
    st: &Formats,
    impacts: &[(String, Impact)],
    pack_a: &PackStamp,
    pack_b: &PackStamp,
) -> Result<Sheet> {
    let shared = &st.shared;
    let name = SHEETS[0];
    let mut sheet = Sheet::new(name)?;
    sheet.text(0, 0, "Impact d'un changement de règles", &shared.title)?;
    sheet.text(
        1,
        0,
        "Ce que donnerait le pack B à la place du pack A sur les mêmes classeurs.",
        &shared.italic,
    )?;
    packs(&mut sheet, st, pack_a, pack_b)?;

    // The counts: one column per input, plus a total when there are several.
    let header: RowNum = 8;
    sheet.text(header, 0, "Changement", &st.header)?;
    let columns = summaries(impacts);
    for (c, (label, summary)) in columns.iter().enumerate() {
        let col = 1 + c as ColNum;
        sheet.text(header, col, label, &st.header)?;
        for (r, (row_label, n)) in summary.rows().iter().enumerate() {
            let row = header + 1 + r as RowNum;
            if c == 0 {
                sheet.text(row, 0, row_label, &shared.bold)?;
            }
            sheet.number(row, col, *n as f64, &shared.integer)?;
        }
        sheet.widths(&[(col, 16.0)])?;
    }
    let last = header + Summary::default().rows().len() as RowNum;
    let chart = kinds_chart(name, header, last, columns.len() as ColNum);
    sheet.chart(last + 2, 0, &chart)?;

    sheet.widths(&[(0, 30.0)])?;
    sheet.ws.set_active(true);
    Ok(sheet)
}

/// The two packs compared (rows 4 to 7 of the Synthèse).
fn packs(sheet: &mut Sheet, st: &Formats, pack_a: &PackStamp, pack_b: &PackStamp) -> Result<()> {
    let shared = &st.shared;
    for (col, label) in ["Pack", "Nom", "Version", "Empreinte SHA-256"]
        .iter()
        .enumerate()
    {
        sheet.text(3, col as ColNum, label, &st.header)?;
    }
    for (row, (label, p)) in [(4, ("A (avant)", pack_a)), (5, ("B (après)", pack_b))] {
        sheet.text(row, 0, label, &shared.bold)?;
        sheet.text(row, 1, &p.name, &shared.text)?;
        sheet.text(row, 2, &p.version, &shared.text)?;
        sheet.text(row, 3, &p.hash, &shared.text)?;
    }
    let same = if pack_a.hash == pack_b.hash {
        "Les deux packs sont identiques."
    } else {
        "Les deux packs diffèrent."
    };
    sheet.text(6, 0, same, &shared.italic)
}

/// The chart of the counts by kind of change, from the last column (the total, or the only
/// input) of the counts table whose header is on row `header` and last row is `last`.
fn kinds_chart(sheet: &str, header: RowNum, last: RowNum, total_col: ColNum) -> Chart {
    let kinds = Summary::default().kinds().len() as RowNum;
    let first_kind = last - kinds + 1;
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name((sheet, header, total_col))
        .set_categories((sheet, first_kind, 0, last, 0))
        .set_values((sheet, first_kind, total_col, last, total_col));
    chart.title().set_name("Changements par type");
    chart.y_axis().set_name("Nombre").set_min(0);
    chart.legend().set_hidden();
    chart.set_width(640).set_height(360);
    chart
}
