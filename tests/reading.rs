//! Reading field workbooks: each test builds the smallest workbook showing one behaviour
//! (with rust_xlsxwriter, raw xlsx parts, or CSV bytes) and asserts exact values, cells,
//! diagnostics and set-aside rows.

use boussole::dataset::{Dataset, Missing, Severity, Value};
use boussole::error::{Error, exit};
use boussole::pack::Pack;
use boussole::pack::manifest::normalize_header;
use boussole::pack::manifest::{ColumnSpec, Scale};
use boussole::workbook::{ParsedText, parse_number, read_bytes, read_path};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
use std::io::Write;
use std::path::PathBuf;

fn columns() -> Vec<ColumnSpec> {
    Pack::embedded().expect("embedded pack").manifest.columns
}

const HEADERS: [&str; 4] = [
    "Code ML",
    "Région",
    "Jeunes en premier accueil",
    "Jeunes accompagnés",
];

/// Writes a header row at `row` (0-based).
fn header(ws: &mut Worksheet, row: u32, headers: &[&str]) {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(row, c as u16, *h).unwrap();
    }
}

fn save(workbook: &mut Workbook, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    workbook.save(&path).unwrap();
    (dir, path)
}

fn read(workbook: &mut Workbook) -> Dataset {
    let (_dir, path) = save(workbook, "classeur.xlsx");
    read_path(&path, &columns()).unwrap()
}

fn refusal(result: Result<Dataset, Error>) -> String {
    match result {
        Err(e) if e.exit_code() == exit::INPUT => e.to_string(),
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

fn has_diag(data: &Dataset, severity: Severity, place: &str, needle: &str) -> bool {
    data.diagnostics
        .iter()
        .any(|d| d.severity == severity && d.place() == place && d.message.contains(needle))
}

/// A minimal xlsx package from sheet XML bodies (`<sheetData>` content), for cells
/// rust_xlsxwriter does not write (errors, formulas without cached values).
fn raw_xlsx(sheets: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        book.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let files = [
        ("[Content_Types].xml".to_string(), types),
        ("_rels/.rels".to_string(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml".to_string(), book),
        ("xl/_rels/workbook.xml.rels".to_string(), rels),
    ];
    for (name, body) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    for (i, (_, data)) in sheets.iter().enumerate() {
        zip.start_file(format!("xl/worksheets/sheet{}.xml", i + 1), opts)
            .unwrap();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
        );
        zip.write_all(xml.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn is(t: &str, r: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)
}

fn header_row_xml() -> String {
    format!(
        r#"<row r="1">{}{}{}{}</row>"#,
        is("Code ML", "A1"),
        is("Région", "B1"),
        is("Jeunes en premier accueil", "C1"),
        is("Jeunes accompagnés", "D1")
    )
}

#[test]
fn headers_are_matched_whatever_the_typing() {
    assert_eq!(
        normalize_header("  JEUNES\u{a0}en\npremier   accueil "),
        "jeunes en premier accueil"
    );
    assert_eq!(
        normalize_header("Offres d’emploi collectées"),
        normalize_header("offres d'emploi collectees")
    );
    assert_eq!(normalize_header("Code-ML :"), "code ml");
}

#[test]
fn french_text_numbers_are_parsed() {
    assert_eq!(
        parse_number("1 234"),
        ParsedText::Number {
            value: 1234.0,
            percent: false
        }
    );
    assert_eq!(
        parse_number("1\u{a0}234"),
        ParsedText::Number {
            value: 1234.0,
            percent: false
        }
    );
    assert_eq!(
        parse_number("1\u{202f}234,5"),
        ParsedText::Number {
            value: 1234.5,
            percent: false
        }
    );
    assert_eq!(
        parse_number("12,5 %"),
        ParsedText::Number {
            value: 0.125,
            percent: true
        }
    );
    assert_eq!(parse_number("s.o."), ParsedText::Marker("s.o.".into()));
    assert_eq!(
        parse_number("#CALC!"),
        ParsedText::ExcelError("#CALC!".into())
    );
}

#[test]
fn values_typed_as_french_text_are_read_with_their_cells() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Indicateurs").unwrap();
    header(
        ws,
        0,
        &[
            &HEADERS[..],
            &["Taux de chômage des jeunes", "ETP conseillers"],
        ]
        .concat(),
    );
    ws.write_string(1, 0, "01053").unwrap();
    ws.write_string(1, 1, "Auvergne-Rhône-Alpes").unwrap();
    ws.write_string(1, 2, "1 234").unwrap();
    ws.write_string(1, 3, "2\u{a0}345").unwrap();
    ws.write_string(1, 4, "12,5 %").unwrap();
    ws.write_string(1, 5, "12,5").unwrap();
    ws.write_string(2, 0, "2A004").unwrap();
    ws.write_string(2, 1, "Corse").unwrap();
    ws.write_number(2, 2, 10.0).unwrap();
    ws.write_string(2, 3, "3\u{202f}000").unwrap();
    let pct = Format::new().set_num_format("0.0%");
    ws.write_number_with_format(2, 4, 0.125, &pct).unwrap();
    ws.write_number(2, 5, 4.5).unwrap();
    let data = read(&mut wb);
    assert_eq!(data.structures.len(), 2);
    let a = data.structure("01053").unwrap();
    assert_eq!(a.value("premiers_accueils"), Some(1234.0));
    assert_eq!(a.value("jeunes_accompagnes"), Some(2345.0));
    assert_eq!(a.value("taux_chomage_jeunes"), Some(0.125));
    assert_eq!(a.value("etp_conseillers"), Some(12.5));
    assert_eq!(
        a.values["premiers_accueils"]
            .cell
            .as_ref()
            .unwrap()
            .to_string(),
        "Indicateurs!C2"
    );
    assert_eq!(a.region, "Auvergne-Rhône-Alpes");
    let b = data.structure("2A004").unwrap();
    assert_eq!(b.value("taux_chomage_jeunes"), Some(0.125));
    assert_eq!(b.value("jeunes_accompagnes"), Some(3000.0));
    assert_eq!(b.id_cells[0].to_string(), "Indicateurs!A3");
    // The number format travels with the data copy.
    let copy = &data.copies[0];
    let cell = copy
        .cells
        .iter()
        .find(|c| c.row == 2 && c.col == 4)
        .unwrap();
    assert_eq!(cell.number_format.as_deref(), Some("0.0%"));
}

#[test]
fn percent_scale_columns_divide_plain_numbers_by_100() {
    let mut cols = columns();
    for c in cols.iter_mut().filter(|c| c.id == "part_qpv") {
        c.scale = Scale::Percent;
    }
    let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés;Part QPV;Taux de chômage des jeunes\n\
               01053;Bretagne;1;2;12,5;0,2\n\
               01054;Bretagne;1;2;12,5 %;20 %\n";
    let data = read_bytes(csv.as_bytes(), "export.csv", &cols).unwrap();
    assert_eq!(
        data.structure("01053").unwrap().value("part_qpv"),
        Some(0.125)
    );
    assert_eq!(
        data.structure("01054").unwrap().value("part_qpv"),
        Some(0.125)
    );
    assert_eq!(
        data.structure("01053")
            .unwrap()
            .value("taux_chomage_jeunes"),
        Some(0.2)
    );
    assert_eq!(
        data.structure("01054")
            .unwrap()
            .value("taux_chomage_jeunes"),
        Some(0.2)
    );
}

#[test]
fn missing_markers_are_missing_never_zero() {
    let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés;Entretiens individuels;Jeunes en contact\n\
               01053;Bretagne;n.d.;NC;-;\n\
               01054;Bretagne;s.o.;–;ns;so\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    let a = data.structure("01053").unwrap();
    assert_eq!(
        a.values["premiers_accueils"].value,
        Value::Missing(Missing::Marker("n.d.".into()))
    );
    assert_eq!(
        a.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::Marker("NC".into()))
    );
    assert_eq!(
        a.values["entretiens"].value,
        Value::Missing(Missing::Marker("-".into()))
    );
    assert_eq!(
        a.values["jeunes_en_contact"].value,
        Value::Missing(Missing::Empty)
    );
    let b = data.structure("01054").unwrap();
    assert_eq!(
        b.values["premiers_accueils"].value,
        Value::Missing(Missing::Marker("s.o.".into()))
    );
    assert_eq!(
        b.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::Marker("–".into()))
    );
    // A marker in a required column is noted (info); in an optional one it is silent.
    assert!(has_diag(&data, Severity::Info, "ml!C2", "valeur manquante"));
    assert!(!data.diagnostics.iter().any(|d| d.place() == "ml!E2"));
}

#[test]
fn excel_errors_and_formulas_without_cached_values_are_missing_with_a_warning() {
    let body = format!(
        r#"{}<row r="2">{}{}<c r="C2" t="e"><v>#DIV/0!</v></c><c r="D2"><f>SUM(X1:X9)</f></c></row><row r="3">{}{}<c r="C3" t="str"><v>#SPILL!</v></c>{}</row>"#,
        header_row_xml(),
        is("01053", "A2"),
        is("Bretagne", "B2"),
        is("01054", "A3"),
        is("Bretagne", "B3"),
        is("douze", "D3"),
    );
    let bytes = raw_xlsx(&[("Feuil1", &body)]);
    let data = read_bytes(&bytes, "erreurs.xlsx", &columns()).unwrap();
    let a = data.structure("01053").unwrap();
    assert_eq!(
        a.values["premiers_accueils"].value,
        Value::Missing(Missing::ExcelError("#DIV/0!".into()))
    );
    assert_eq!(
        a.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::NoCachedValue)
    );
    assert!(has_diag(&data, Severity::Warning, "Feuil1!C2", "#DIV/0!"));
    assert!(has_diag(
        &data,
        Severity::Warning,
        "Feuil1!D2",
        "formule sans valeur"
    ));
    let b = data.structure("01054").unwrap();
    assert_eq!(
        b.values["premiers_accueils"].value,
        Value::Missing(Missing::ExcelError("#SPILL!".into()))
    );
    assert_eq!(
        b.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::Unreadable("douze".into()))
    );
    assert!(has_diag(&data, Severity::Warning, "Feuil1!D3", "douze"));
}

#[test]
fn formula_results_written_by_a_writer_are_read() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    header(ws, 0, &HEADERS);
    ws.write_string(1, 0, "01053").unwrap();
    ws.write_string(1, 1, "Bretagne").unwrap();
    ws.write_formula(1, 2, Formula::new("=40+2").set_result("42"))
        .unwrap();
    ws.write_formula(1, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let data = read(&mut wb);
    let a = data.structure("01053").unwrap();
    assert_eq!(a.value("premiers_accueils"), Some(42.0));
    assert_eq!(
        a.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::ExcelError("#DIV/0!".into()))
    );
}

#[test]
fn negative_counts_are_kept_with_a_warning() {
    let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n01053;Bretagne;-5;10\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    assert_eq!(
        data.structure("01053").unwrap().value("premiers_accueils"),
        Some(-5.0)
    );
    assert!(has_diag(&data, Severity::Warning, "ml!C2", "négatif"));
}

#[test]
fn codes_stay_text_and_lost_leading_zeros_are_restored() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("ML").unwrap();
    header(ws, 0, &[&HEADERS[..], &["Année"]].concat());
    ws.write_number(1, 0, 1053.0).unwrap();
    ws.write_string(1, 1, "Auvergne-Rhône-Alpes").unwrap();
    ws.write_number(1, 2, 1.0).unwrap();
    ws.write_number(1, 3, 2.0).unwrap();
    ws.write_number(1, 4, 2022.0).unwrap();
    ws.write_string(2, 0, " 2A004 ").unwrap();
    ws.write_string(2, 1, "Corse").unwrap();
    ws.write_number(2, 2, 1.0).unwrap();
    ws.write_number(2, 3, 2.0).unwrap();
    ws.write_string(2, 4, "2022").unwrap();
    let data = read(&mut wb);
    let ids: Vec<&str> = data.structures.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["01053", "2A004"]);
    assert_eq!(data.structures[0].year, Some(2022));
    assert_eq!(data.structures[1].year, Some(2022));
    assert!(has_diag(&data, Severity::Warning, "ML!A2", "« 1053 »"));
}

#[test]
fn header_row_is_found_under_title_rows_and_merged_group_headers() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Données").unwrap();
    ws.write_string(0, 0, "Dialogue de gestion 2022 — indicateurs")
        .unwrap();
    ws.merge_range(1, 2, 1, 3, "Activité", &Format::new())
        .unwrap();
    header(
        ws,
        2,
        &[
            "Région",
            "Code ML",
            "1ers accueils",
            "Jeunes\nsuivis",
            "Commentaire",
        ],
    );
    ws.write_string(3, 0, "Bretagne").unwrap();
    ws.write_string(3, 1, "29019").unwrap();
    ws.write_number(3, 2, 100.0).unwrap();
    ws.write_number(3, 3, 200.0).unwrap();
    ws.write_string(3, 4, "RAS").unwrap();
    let data = read(&mut wb);
    assert_eq!(data.sheets[0].header_row, Some(3));
    assert_eq!(
        data.sheets[0].ignored_headers,
        vec!["Commentaire".to_string()]
    );
    let s = data.structure("29019").unwrap();
    assert_eq!(s.value("premiers_accueils"), Some(100.0));
    assert_eq!(s.value("jeunes_accompagnes"), Some(200.0));
    assert_eq!(
        s.values["jeunes_accompagnes"]
            .cell
            .as_ref()
            .unwrap()
            .to_string(),
        "Données!D4"
    );
    let m = data
        .columns
        .iter()
        .find(|m| m.column == "premiers_accueils")
        .unwrap();
    assert_eq!(
        (m.sheet.as_str(), m.header.as_str(), m.letter.as_str()),
        ("Données", "1ers accueils", "C")
    );
    assert_eq!(data.copies[0].merged, vec![(1, 2, 1, 3)]);
}

#[test]
fn a_header_merged_over_two_rows_counts_on_the_lower_row() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("S").unwrap();
    ws.merge_range(0, 0, 1, 0, "Code ML", &Format::new())
        .unwrap();
    ws.merge_range(0, 1, 1, 1, "Région", &Format::new())
        .unwrap();
    ws.merge_range(0, 2, 0, 3, "Activité", &Format::new())
        .unwrap();
    ws.write_string(1, 2, "Premiers accueils").unwrap();
    ws.write_string(1, 3, "Jeunes accompagnés").unwrap();
    ws.write_string(2, 0, "35238").unwrap();
    ws.write_string(2, 1, "Bretagne").unwrap();
    ws.write_number(2, 2, 5.0).unwrap();
    ws.write_number(2, 3, 6.0).unwrap();
    let data = read(&mut wb);
    assert_eq!(data.sheets[0].header_row, Some(2));
    let s = data.structure("35238").unwrap();
    assert_eq!(
        (s.value("premiers_accueils"), s.value("jeunes_accompagnes")),
        (Some(5.0), Some(6.0))
    );
    assert_eq!(s.region, "Bretagne");
}

#[test]
fn sheets_are_joined_on_the_code_whatever_its_label() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Indicateurs").unwrap();
    header(
        ws,
        0,
        &[
            "Code ML",
            "Nom ML",
            "Région",
            "Premiers accueils",
            "Jeunes accompagnés",
        ],
    );
    for (r, code) in ["01053", "01054"].iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, format!("ML {code}")).unwrap();
        ws.write_string(r, 2, "Auvergne-Rhône-Alpes").unwrap();
        ws.write_number(r, 3, 10.0 * r as f64).unwrap();
        ws.write_number(r, 4, 20.0 * r as f64).unwrap();
    }
    let ctx = wb.add_worksheet().set_name("Contexte").unwrap();
    header(
        ctx,
        0,
        &["Code structure", "Population 16-25 ans", "Densité"],
    );
    ctx.write_string(1, 0, "01054").unwrap();
    ctx.write_number(1, 1, 5000.0).unwrap();
    ctx.write_number(1, 2, 80.5).unwrap();
    let data = read(&mut wb);
    assert_eq!(data.structures.len(), 2);
    let b = data.structure("01054").unwrap();
    assert_eq!(b.value("population_16_25"), Some(5000.0));
    assert_eq!(
        b.values["densite"].cell.as_ref().unwrap().to_string(),
        "Contexte!C2"
    );
    assert_eq!(b.name, "ML 01054");
    assert_eq!(b.id_cells.len(), 2);
    let a = data.structure("01053").unwrap();
    assert_eq!(
        a.values["population_16_25"].value,
        Value::Missing(Missing::AbsentFromSheet("Contexte".into()))
    );
    assert!(
        data.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning
                && d.sheet.as_deref() == Some("Contexte")
                && d.message.contains("01053"))
    );
    // A column found nowhere is missing for everyone.
    assert_eq!(
        a.values["part_qpv"].value,
        Value::Missing(Missing::NoColumn)
    );
}

#[test]
fn a_required_column_found_nowhere_refuses_the_workbook() {
    let csv = "Code ML;Région;Jeunes en premier accueil\n01053;Bretagne;1\n";
    let message = refusal(read_bytes(csv.as_bytes(), "ml.csv", &columns()));
    assert!(message.contains("Jeunes accompagnés"), "{message}");
    assert!(message.contains("feuilles examinées : ml"), "{message}");
}

#[test]
fn totals_examples_and_rows_without_code_are_set_aside() {
    let csv = "Code ML;Nom ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n\
               Exemple;ML exemple;Bretagne;1;1\n\
               01053;ML A;Bretagne;10;20\n\
               ;;;;\n\
               ;Total Bretagne;Bretagne;10;20\n\
               ;ML sans code;Bretagne;3;4\n\
               TOTAL;;;10;20\n\
               Sous-total Nord;;;1;1\n\
               France entière;;;5;5\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    assert_eq!(data.structures.len(), 1);
    let rows: Vec<(u32, &str)> = data
        .set_aside
        .iter()
        .map(|s| (s.row, s.reason.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (2, "ligne d'exemple"),
            (5, "ligne de total ou de sous-total"),
            (6, "ligne avec des données mais sans code"),
            (7, "ligne de total ou de sous-total"),
            (8, "ligne de total ou de sous-total"),
            (9, "ligne d'agrégat (ensemble, moyenne, France entière)"),
        ]
    );
    assert_eq!(data.sheets[0].rows_read, 7);
    assert!(has_diag(&data, Severity::Warning, "ml!A6", "sans code"));
}

#[test]
fn identical_duplicates_are_merged_and_conflicting_ones_all_set_aside() {
    let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n\
               01053;Bretagne;10;20\n\
               01054;Bretagne;1;2\n\
               01053;Bretagne;10;20\n\
               01054;Bretagne;1;3\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    assert_eq!(data.structures.len(), 1);
    assert_eq!(data.structures[0].id.as_str(), "01053");
    assert!(has_diag(
        &data,
        Severity::Warning,
        "ml!A4",
        "lignes identiques"
    ));
    let rows: Vec<u32> = data.set_aside.iter().map(|s| s.row).collect();
    assert_eq!(rows, [3, 5]);
    let error = data
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(error.place(), "ml!A3");
    for cell in ["ml!A3", "ml!A5", "ml!D3", "ml!D5"] {
        assert!(error.message.contains(cell), "{}", error.message);
    }
}

#[test]
fn structures_are_sorted_by_code_and_year() {
    let csv = "Année;Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n\
               2022;35238;Bretagne;1;1\n2021;35238;Bretagne;1;1\n2022;01053;Bretagne;1;1\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    let keys: Vec<(&str, Option<i32>)> = data
        .structures
        .iter()
        .map(|s| (s.id.as_str(), s.year))
        .collect();
    assert_eq!(
        keys,
        [
            ("01053", Some(2022)),
            ("35238", Some(2021)),
            ("35238", Some(2022))
        ]
    );
}

#[test]
fn csv_in_windows_1252_with_commas_and_quotes_is_read() {
    let mut bytes =
        b"Code ML,R\xe9gion,Jeunes en premier accueil,Jeunes accompagn\xe9s,Nom ML,ETP conseillers\n".to_vec();
    bytes.extend_from_slice(
        b"01053,\"Provence-Alpes-C\xf4te d'Azur\",\"1 234\",12,\"ML \"\"Sud\"\", Est\",\"1 234,5\"\n",
    );
    let data = read_bytes(&bytes, "export.csv", &columns()).unwrap();
    let s = data.structure("01053").unwrap();
    assert_eq!(s.region, "Provence-Alpes-Côte d'Azur");
    assert_eq!(s.value("premiers_accueils"), Some(1234.0));
    assert_eq!(s.value("jeunes_accompagnes"), Some(12.0));
    assert_eq!(s.value("etp_conseillers"), Some(1234.5));
    assert_eq!(s.name, "ML \"Sud\", Est");
    assert_eq!(data.sheets[0].sheet, "export");
}

#[test]
fn csv_in_utf8_with_bom_and_semicolons_is_read() {
    let csv = "\u{feff}Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés;ETP conseillers\r\n01053;Île-de-France;1 234;12;12,5\r\n";
    let data = read_bytes(csv.as_bytes(), "ml.csv", &columns()).unwrap();
    let s = data.structure("01053").unwrap();
    assert_eq!(s.region, "Île-de-France");
    assert_eq!(s.value("jeunes_accompagnes"), Some(12.0));
    assert_eq!(s.value("etp_conseillers"), Some(12.5));
    assert_eq!(
        s.values["jeunes_accompagnes"]
            .cell
            .as_ref()
            .unwrap()
            .to_string(),
        "ml!D2"
    );
}

#[test]
fn source_sheets_and_copies_describe_the_read() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("ML").unwrap();
    header(ws, 0, &HEADERS);
    ws.write_string(1, 0, "01053").unwrap();
    ws.write_string(1, 1, "Bretagne").unwrap();
    ws.write_number(1, 2, 1.0).unwrap();
    ws.write_number(1, 3, 2.0).unwrap();
    wb.add_worksheet()
        .set_name("Notes")
        .unwrap()
        .write_string(0, 0, "Lisez-moi")
        .unwrap();
    let (_dir, path) = save(&mut wb, "national.xlsx");
    let data = read_path(&path, &columns()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(data.source.file, "national.xlsx");
    assert_eq!(data.source.sha256.len(), 64);
    assert_eq!(data.source, read_path(&path, &columns()).unwrap().source);
    assert!(data.source.modified_unix.is_some());
    assert_eq!(
        read_bytes(&bytes, "national.xlsx", &columns())
            .unwrap()
            .source
            .sha256,
        data.source.sha256
    );
    assert_eq!(data.sheets.len(), 2);
    assert_eq!(
        (data.sheets[0].rows_read, data.sheets[0].structures),
        (1, 1)
    );
    assert!(
        data.sheets[1]
            .skipped
            .as_deref()
            .unwrap()
            .contains("aucune colonne d'identifiant")
    );
    assert_eq!(data.copies.len(), 2);
    assert_eq!(data.copies[0].cells.len(), 8);
    assert_eq!(data.copies[1].name, "Notes");
}

#[test]
fn a_missing_file_is_refused() {
    let message = refusal(read_path("/nonexistent/classeur.xlsx".as_ref(), &columns()));
    assert!(message.contains("fichier introuvable"), "{message}");
}

#[test]
fn files_that_are_not_workbooks_are_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let message = refusal(read_bytes(png, "image.xlsx", &columns()));
    assert!(message.contains("n'est pas un classeur"), "{message}");
    let message = refusal(read_bytes(
        b"Bonjour, ceci est du texte.\n",
        "lettre.xlsx",
        &columns(),
    ));
    assert!(message.contains("n'est pas un classeur"), "{message}");
}

#[test]
fn truncated_zips_are_refused() {
    let mut wb = Workbook::new();
    header(wb.add_worksheet(), 0, &HEADERS);
    let bytes = wb.save_to_buffer().unwrap();
    let message = refusal(read_bytes(
        &bytes[..bytes.len() / 2],
        "tronque.xlsx",
        &columns(),
    ));
    assert!(message.contains("tronquée ou corrompue"), "{message}");
}

#[test]
fn password_protected_workbooks_are_refused() {
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(vec![0u8; 504]);
    cfb.extend(
        "EncryptionInfo"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    cfb.extend(vec![0u8; 64]);
    let message = refusal(read_bytes(&cfb, "secret.xlsx", &columns()));
    assert!(
        message.contains("classeur protégé par mot de passe"),
        "{message}"
    );
}

#[test]
fn workbooks_without_a_code_column_are_refused_naming_the_sheets() {
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("A")
        .unwrap()
        .write_string(0, 0, "Bonjour")
        .unwrap();
    wb.add_worksheet()
        .set_name("B")
        .unwrap()
        .write_string(3, 1, "Nom")
        .unwrap();
    let (_dir, path) = save(&mut wb, "sans-code.xlsx");
    let message = refusal(read_path(&path, &columns()));
    assert!(
        message.contains(
            "aucune feuille ne contient de colonne d'identifiant (Code ML, Code structure"
        ),
        "{message}"
    );
    assert!(message.ends_with("feuilles examinées : A, B"), "{message}");
}

#[test]
fn other_formats_are_read_through_calamine() {
    // An ods file needs a writer we do not have; xlsm is an xlsx under another name.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    header(ws, 0, &HEADERS);
    ws.write_string(1, 0, "01053").unwrap();
    ws.write_string(1, 1, "Bretagne").unwrap();
    ws.write_number(1, 2, 1.0).unwrap();
    ws.write_number(1, 3, 2.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let data = read_bytes(&bytes, "macros.xlsm", &columns()).unwrap();
    assert_eq!(data.structures[0].value("jeunes_accompagnes"), Some(2.0));
}

fn boussole() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
}

#[test]
fn inspect_prints_the_reading_and_json() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("ML").unwrap();
    header(ws, 0, &HEADERS);
    ws.write_string(1, 0, "01053").unwrap();
    ws.write_string(1, 1, "Bretagne").unwrap();
    ws.write_string(1, 2, "n.d.").unwrap();
    ws.write_number(1, 3, 2.0).unwrap();
    ws.write_string(2, 0, "Total").unwrap();
    let (_dir, path) = save(&mut wb, "national.xlsx");
    let out = boussole().arg("inspect").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("en-tête en ligne 1"), "{text}");
    assert!(
        text.contains("premiers_accueils <- « Jeunes en premier accueil » en ML!C"),
        "{text}"
    );

    let out = boussole()
        .arg("inspect")
        .arg(&path)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["file"], "national.xlsx");
    let s = &json["structures"][0];
    assert_eq!(s["id"], "01053");
    assert_eq!(s["values"]["jeunes_accompagnes"]["value"], 2.0);
    assert_eq!(s["values"]["jeunes_accompagnes"]["cell"], "ML!D2");
    assert_eq!(
        s["values"]["premiers_accueils"]["value"],
        serde_json::Value::Null
    );
    assert_eq!(s["values"]["premiers_accueils"]["missing_kind"], "marker");
    assert_eq!(json["set_aside"][0]["row"], 3);
    assert_eq!(json["sheets"][0]["header_row"], 1);
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["severity"] == "info")
    );
}

#[test]
fn inspect_refusals_exit_3_with_a_french_message() {
    let out = boussole()
        .args(["inspect", "/nonexistent/x.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("boussole : "), "{err}");
    assert!(err.contains("fichier introuvable"), "{err}");
    assert!(!err.contains("panicked"));
}
