//! More hostile workbooks, built here with the zip crate: thousands of sheets, a sheet whose
//! last row is Excel's last (1,048,576), 32,767-character texts, control characters, sheet
//! names that break Excel's rules once prefixed with « Données — », 100,000 nested XML
//! elements, malformed XML, missing package parts, wrong extensions.
//!
//! Each must be read within bounded time (a hang guard fails the test instead of hanging the
//! suite) and give either a correct read or one French input refusal (exit 3) whose message starts
//! with the file name. The worst ones also go through the binary: exit code 0 or 3, never
//! « panicked », and when an output is written its sheet names are valid and unique.

mod common;

use boussole::dataset::Dataset;
use boussole::error::{Error, exit};
use boussole::pack::Pack;
use calamine::{Data, Reader};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Hang guard: generous, only there so that a loop fails the test instead of hanging it.
const HANG_GUARD: Duration = Duration::from_secs(60);

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// An xlsx package with one worksheet part per `(name, sheet XML)`; the parts named in
/// `omit` are left out. Entries are deflated.
fn package(sheets: &[(String, String)], omit: &[&str]) -> Vec<u8> {
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut list = String::new();
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        list.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            xml_escape(name)
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    types.push_str("</Types>");
    rels.push_str("</Relationships>");
    let mut parts: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), types),
        ("_rels/.rels".into(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml".into(), format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook {NS}><sheets>{list}</sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels".into(), rels),
    ];
    for (i, (_, xml)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone()));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        if omit.contains(&name.as_str()) {
            continue;
        }
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn sheet_xml(sheet_data: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{sheet_data}</sheetData></worksheet>"#
    )
}

fn is(r: &str, t: &str) -> String {
    format!(
        r#"<c r="{r}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
        xml_escape(t)
    )
}

fn num(r: &str, x: f64) -> String {
    format!(r#"<c r="{r}"><v>{x}</v></c>"#)
}

/// Header row 1 and one structure (01053, Bretagne, 10, 20) on row 2, plus `extra_row2`.
fn header_and_row(extra_row2: &str) -> String {
    format!(
        r#"<row r="1">{}{}{}{}</row><row r="2">{}{}{}{}{extra_row2}</row>"#,
        is("A1", "Code ML"),
        is("B1", "Région"),
        is("C1", "Jeunes en premier accueil"),
        is("D1", "Jeunes accompagnés"),
        is("A2", "01053"),
        is("B2", "Bretagne"),
        num("C2", 10.0),
        num("D2", 20.0),
    )
}

fn columns() -> Vec<boussole::pack::manifest::ColumnSpec> {
    Pack::embedded().unwrap().manifest.columns
}

/// `read_bytes` in a thread, failing the test if it outlives the hang guard or panics.
fn read(bytes: Vec<u8>, name: &str) -> Result<Dataset, Error> {
    let name_owned = name.to_string();
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let columns = columns();
        let r = std::panic::catch_unwind(|| {
            boussole::workbook::read_bytes(&bytes, &name_owned, &columns)
        });
        let _ = done.send(r);
    });
    outcome
        .recv_timeout(HANG_GUARD)
        .unwrap_or_else(|_| panic!("{name}: the read did not end within {HANG_GUARD:?}"))
        .unwrap_or_else(|_| panic!("{name}: the read panicked"))
}

/// A correct read, or one French input refusal naming the file first.
fn read_or_refused(bytes: Vec<u8>, name: &str) -> Option<Dataset> {
    match read(bytes, name) {
        Ok(d) => {
            eprintln!("{name}: read, {} structure(s)", d.structures.len());
            Some(d)
        }
        Err(e) if e.exit_code() == exit::INPUT => {
            let m = e.to_string();
            assert!(m.starts_with(&format!("{name} : ")), "{m}");
            eprintln!("refused: {m}");
            None
        }
        Err(other) => panic!("{name}: expected a read or an input refusal, got {other:?}"),
    }
}

fn refused(bytes: Vec<u8>, name: &str) -> String {
    match read(bytes, name) {
        Err(e) if e.exit_code() == exit::INPUT => {
            let m = e.to_string();
            assert!(m.starts_with(&format!("{name} : ")), "{m}");
            m
        }
        Err(other) => panic!("{name}: expected an input refusal, got {other:?}"),
        Ok(_) => panic!("{name}: expected a refusal"),
    }
}

/// `boussole run NAME -o out.xlsx` (under `/usr/bin/time -v` when present), in a thread with
/// the hang guard. Exit code 0 or 3, no « panicked ». Returns the output's path when written,
/// and the peak resident set in Kio when measured.
fn run_binary(dir: &Path, name: &str) -> (Option<PathBuf>, Option<u64>) {
    let timer = Path::new("/usr/bin/time");
    let mut cmd = if timer.exists() {
        let mut c = Command::new(timer);
        c.arg("-v").arg(env!("CARGO_BIN_EXE_boussole"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_boussole"))
    };
    cmd.args(["run", name, "-o", "out.xlsx", "--force", "-q"])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("{name}: boussole run did not end within {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(3),
        "{name}: exit {code:?}\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    if code == Some(3) {
        assert!(stderr.contains("boussole : "), "{stderr}");
    }
    let peak = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok());
    let output = dir.join("out.xlsx");
    (
        (code == Some(0)).then(|| {
            assert!(output.exists());
            output
        }),
        peak,
    )
}

/// Sheet names Excel accepts: 1 to 31 UTF-16 units, none of `[ ] : * ? / \`, no control
/// character, no apostrophe at either end, unique ignoring case.
fn assert_valid_sheet_names(names: &[String]) {
    let mut seen = std::collections::HashSet::new();
    for n in names {
        let units = n.encode_utf16().count();
        assert!((1..=31).contains(&units), "{n:?}: {units} UTF-16 units");
        assert!(
            !n.chars()
                .any(|c| matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control()),
            "{n:?}"
        );
        assert!(!n.starts_with('\'') && !n.ends_with('\''), "{n:?}");
        assert!(seen.insert(n.to_lowercase()), "duplicate sheet name {n:?}");
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

// ---------------------------------------------------------------------------------------

#[test]
fn three_thousand_sheets_are_read_and_copied_under_valid_unique_names() {
    let mut sheets = vec![("Feuil1".to_string(), sheet_xml(&header_and_row("")))];
    for i in 2..=3_000 {
        sheets.push((
            format!("F{i}"),
            sheet_xml(&format!(
                r#"<row r="1">{}</row>"#,
                is("A1", &format!("x{i}"))
            )),
        ));
    }
    let bytes = package(&sheets, &[]);
    let data = read(bytes.clone(), "feuilles.xlsx").unwrap();
    assert_eq!(data.structures.len(), 1);
    assert_eq!(data.copies.len(), 3_000);

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "feuilles.xlsx", &bytes);
    let (out, _) = run_binary(dir.path(), "feuilles.xlsx");
    let out = out.expect("an output");
    let wb = calamine::open_workbook_auto(&out).unwrap();
    let names = wb.sheet_names();
    assert_valid_sheet_names(&names);
    assert_eq!(
        names.iter().filter(|n| n.starts_with("Données — ")).count(),
        3_000
    );
}

#[test]
fn a_sheet_whose_last_row_is_excels_last_is_read_in_bounded_time_and_memory() {
    // Every row 3..1,048,575 present but empty, a structure on row 1,048,576.
    let mut data = header_and_row("");
    data.reserve(20_000_000);
    for r in 3..1_048_576u32 {
        data.push_str(&format!(r#"<row r="{r}"/>"#));
    }
    data.push_str(&format!(
        r#"<row r="1048576">{}{}{}{}</row>"#,
        is("A1048576", "99999"),
        is("B1048576", "Corse"),
        num("C1048576", 1.0),
        num("D1048576", 2.0)
    ));
    let bytes = package(&[("Feuil1".into(), sheet_xml(&data))], &[]);
    let read = read(bytes.clone(), "million.xlsx").unwrap();
    assert_eq!(read.structures.len(), 2);
    let last = read
        .structure("99999")
        .expect("the structure on the last row");
    assert_eq!(last.value("jeunes_accompagnes"), Some(2.0));
    assert_eq!(
        last.values["jeunes_accompagnes"]
            .cell
            .as_ref()
            .unwrap()
            .to_string(),
        "Feuil1!D1048576"
    );

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "million.xlsx", &bytes);
    let (out, peak) = run_binary(dir.path(), "million.xlsx");
    let out = out.expect("an output");
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let copy = wb.worksheet_range("Données — Feuil1").unwrap();
    assert_eq!(
        copy.get_value((1_048_575, 0)).cloned(),
        Some(Data::String("99999".into()))
    );
    match peak {
        // Generous: the sheet is 17 Mio of XML; 1 Gio would mean a dense allocation.
        Some(kib) => assert!(kib < 1024 * 1024, "peak resident set {kib} Kio"),
        None => eprintln!("notice: /usr/bin/time -v unavailable: peak memory not measured"),
    }
}

#[test]
fn texts_of_32767_characters_in_header_and_data_cells_are_read_and_copied_whole() {
    let long_header = "H".repeat(32_767);
    let long_data: String = "é=\t".repeat(32_767 / 3 + 1).chars().take(32_767).collect();
    // A code column whose header is padded to the cell limit still matches « Code ML ».
    let padded_code = format!("Code ML{}", " ".repeat(32_760));
    let data = format!(
        r#"<row r="1">{}{}{}{}{}</row><row r="2">{}{}{}{}{}</row>"#,
        is("A1", &padded_code),
        is("B1", "Région"),
        is("C1", "Jeunes en premier accueil"),
        is("D1", "Jeunes accompagnés"),
        is("E1", &long_header),
        is("A2", "01053"),
        is("B2", "Bretagne"),
        num("C2", 10.0),
        num("D2", 20.0),
        is("E2", &long_data),
    );
    // And a text beyond Excel's limit (hand-made files can hold one): cut in the copy.
    let too_long = "z".repeat(40_000);
    let data = format!(r#"{data}<row r="3">{}</row>"#, is("F3", &too_long));
    let bytes = package(&[("Feuil1".into(), sheet_xml(&data))], &[]);
    let read = read(bytes.clone(), "long.xlsx").unwrap();
    assert_eq!(read.structures.len(), 1);
    assert_eq!(read.structures[0].value("jeunes_accompagnes"), Some(20.0));

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "long.xlsx", &bytes);
    let (out, _) = run_binary(dir.path(), "long.xlsx");
    let mut wb = calamine::open_workbook_auto(out.expect("an output")).unwrap();
    let copy = wb.worksheet_range("Données — Feuil1").unwrap();
    assert_eq!(
        copy.get_value((0, 4)).cloned(),
        Some(Data::String(long_header))
    );
    assert_eq!(
        copy.get_value((1, 4)).cloned(),
        Some(Data::String(long_data))
    );
    assert_eq!(
        copy.get_value((2, 5)).cloned(),
        Some(Data::String("z".repeat(32_767))),
        "cut to Excel's limit of 32,767 characters"
    );
}

#[test]
fn control_characters_in_cells_are_read_or_refused_and_copied_as_read() {
    // Excel's escapes, a character reference not allowed in XML 1.0, and raw control bytes.
    let cells = [
        ("E2", "<is><t>a_x0001_b_x001B_c_x000D_d</t></is>"),
        ("F2", "<is><t>x&#x1;y</t></is>"),
        ("G2", "<is><t>p\u{1}q\u{1b}r\u{7f}s</t></is>"),
        ("H2", "<is><t>_x0000_</t></is>"),
    ];
    let extra: String = cells
        .iter()
        .map(|(r, body)| format!(r#"<c r="{r}" t="inlineStr">{body}</c>"#))
        .collect();
    let bytes = package(
        &[("Feuil1".into(), sheet_xml(&header_and_row(&extra)))],
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "controle.xlsx", &bytes);
    let Some(data) = read_or_refused(bytes.clone(), "controle.xlsx") else {
        // Refused by the reader (today it reads it): `boussole run` refuses it as clearly
        // (exit 3, « boussole : » on stderr, checked by run_binary) and writes nothing.
        let (out, _) = run_binary(dir.path(), "controle.xlsx");
        assert_eq!(out, None, "refused by the reader, yet run wrote an output");
        return;
    };
    assert_eq!(data.structures.len(), 1);
    let read_text = |col: u32| {
        data.copies[0]
            .cells
            .iter()
            .find(|c| (c.row, c.col) == (1, col))
            .map(|c| format!("{:?}", c.value))
    };
    assert_eq!(
        read_text(4).as_deref(),
        Some(r#"Text("a\u{1}b\u{1b}c\rd")"#),
        "Excel's _xHHHH_ escapes are undone"
    );

    // Whatever was read is copied as it was read.
    let (out, _) = run_binary(dir.path(), "controle.xlsx");
    let mut wb = calamine::open_workbook_auto(out.expect("an output")).unwrap();
    let copy = wb.worksheet_range("Données — Feuil1").unwrap();
    for cell in &data.copies[0].cells {
        if let boussole::dataset::RawValue::Text(t) = &cell.value {
            assert_eq!(
                copy.get_value((cell.row, cell.col)).cloned(),
                Some(Data::String(t.clone())),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn sheet_names_that_break_excels_rules_once_prefixed_are_made_valid_and_unique() {
    let names: Vec<String> = vec![
        "Feuil1".into(),
        "A".repeat(31),
        format!("{}B", "A".repeat(30)),
        "feuil".into(),
        "FEUIL".into(),
        "Feuil".into(),
        format!("{}'{}", "B".repeat(20), "C".repeat(10)),
        "a/b:c*d?e[f]g\\h".into(),
        "🙂".repeat(15),
        "History".into(),
        "Diagnostics".into(),
        "Données — Feuil1".into(),
    ];
    let mut sheets = vec![(names[0].clone(), sheet_xml(&header_and_row("")))];
    for (i, n) in names.iter().enumerate().skip(1) {
        sheets.push((
            n.clone(),
            sheet_xml(&format!(
                r#"<row r="1">{}</row>"#,
                is("A1", &format!("feuille {i}"))
            )),
        ));
    }
    let bytes = package(&sheets, &[]);
    let data = read(bytes.clone(), "noms.xlsx").unwrap();
    assert_eq!(data.copies.len(), names.len());
    // Each sheet's own cell was read from its own part (no lookup confusion by name).
    for (i, copy) in data.copies.iter().enumerate().skip(1) {
        assert_eq!(
            format!("{:?}", copy.cells[0].value),
            format!("Text(\"feuille {i}\")"),
            "{}",
            copy.name
        );
    }

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "noms.xlsx", &bytes);
    let (out, _) = run_binary(dir.path(), "noms.xlsx");
    let mut wb = calamine::open_workbook_auto(out.expect("an output")).unwrap();
    let out_names = wb.sheet_names();
    assert_valid_sheet_names(&out_names);
    let copies: Vec<String> = out_names
        .iter()
        .filter(|n| n.starts_with("Données — "))
        .cloned()
        .collect();
    assert_eq!(copies.len(), names.len(), "{copies:?}");
    // Every copy holds its own sheet's content.
    for (i, name) in copies.iter().enumerate().skip(1) {
        let range = wb.worksheet_range(name).unwrap();
        assert_eq!(
            range.get_value((0, 0)).cloned(),
            Some(Data::String(format!("feuille {i}"))),
            "{name}"
        );
    }
}

#[test]
fn deeply_nested_xml_is_read_or_refused_quickly() {
    let depth = 100_000;
    let nest = |tag: &str| {
        format!(
            "{}{}",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        )
    };
    // After the data, inside the worksheet; between rows; inside a cell.
    let after = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}</sheetData><extLst>{}</extLst></worksheet>"#,
        header_and_row(""),
        nest("x")
    );
    let between = sheet_xml(&format!("{}{}", header_and_row(""), nest("x")));
    let in_cell = sheet_xml(&header_and_row(&format!(
        r#"<c r="E2" t="inlineStr"><is>{}</is></c>"#,
        nest("r")
    )));
    let unclosed = sheet_xml(&format!("{}{}", header_and_row(""), "<x>".repeat(depth)));
    for (i, xml) in [after, between, in_cell, unclosed].into_iter().enumerate() {
        let name = format!("imbrique-{i}.xlsx");
        if let Some(data) = read_or_refused(package(&[("Feuil1".into(), xml)], &[]), &name) {
            assert_eq!(data.structures.len(), 1, "{name}");
            assert_eq!(data.structures[0].value("jeunes_accompagnes"), Some(20.0));
        }
    }
    // Nested elements in the workbook part too.
    let bytes_sheets = vec![("Feuil1".to_string(), sheet_xml(&header_and_row("")))];
    let mut pkg = package(&bytes_sheets, &["xl/workbook.xml"]);
    pkg = add_part(
        pkg,
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook {NS}>{}<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            nest("y")
        ),
    );
    read_or_refused(pkg, "imbrique-classeur.xlsx");
}

/// Adds a part to a zip built by `package`.
fn add_part(bytes: Vec<u8>, name: &str, body: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new_append(std::io::Cursor::new(bytes)).unwrap();
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(body.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn malformed_xml_is_read_or_refused_without_panic_or_hang() {
    let good = header_and_row("");
    let cases = [
        // Unclosed tags at the end of the sheet.
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{good}<row r="3"><c r="A3" t="inlineStr"><is><t>01054"#
        ),
        // A mismatched end tag.
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{good}</wrong></sheetData></worksheet>"#
        ),
        // A cell closed twice, an attribute without quotes, a stray '<'.
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{good}<row r="3"><c r=A3><v>1</v></c></c></row></sheetData></worksheet>"#
        ),
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{good}<row r="3"><c r="A3"><v>1 < 2</v></c></row></sheetData></worksheet>"#
        ),
        // Not XML at all.
        "ceci n'est pas du XML".to_string(),
        String::new(),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, xml) in cases.into_iter().enumerate() {
        let name = format!("malforme-{i}.xlsx");
        let bytes = package(&[("Feuil1".into(), xml)], &[]);
        if let Some(data) = read_or_refused(bytes.clone(), &name) {
            assert!(data.structures.iter().all(|s| !s.id.as_str().is_empty()));
        }
        if i < 2 {
            write(dir.path(), &name, &bytes);
            run_binary(dir.path(), &name);
        }
    }
    // A malformed workbook part.
    let bytes = add_part(
        package(&[("Feuil1".into(), sheet_xml(&good))], &["xl/workbook.xml"]),
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0"?><workbook {NS}><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1">"#
        ),
    );
    read_or_refused(bytes, "classeur-malforme.xlsx");
}

#[test]
fn packages_with_missing_parts_are_refused_clearly() {
    let sheets = [("Feuil1".to_string(), sheet_xml(&header_and_row("")))];
    // No workbook part: with `[Content_Types].xml` present the package is taken for an xlsx
    // in which calamine finds no sheet, and the missing part is named; without it, for an
    // archive that holds no workbook.
    let message = refused(package(&sheets, &["xl/workbook.xml"]), "sans-classeur.xlsx");
    assert!(
        message.contains("classeur illisible : une partie obligatoire du classeur manque")
            && message.contains("« xl/workbook.xml »")
            && message.contains("fichier refusé"),
        "{message}"
    );
    let message = refused(
        package(&sheets, &["xl/workbook.xml", "[Content_Types].xml"]),
        "archive.xlsx",
    );
    assert!(message.contains("ne contient pas de classeur"), "{message}");

    // The workbook names a sheet whose part is absent: nothing to read.
    let message = refused(
        package(&sheets, &["xl/worksheets/sheet1.xml"]),
        "sans-feuille.xlsx",
    );
    assert!(!message.is_empty());

    // Two sheets, the second's part absent: the first is read.
    let two = [
        sheets[0].clone(),
        ("Feuil2".to_string(), sheet_xml(r#"<row r="1"/>"#)),
    ];
    if let Some(data) = read_or_refused(
        package(&two, &["xl/worksheets/sheet2.xml"]),
        "une-absente.xlsx",
    ) {
        assert_eq!(data.structures.len(), 1);
    }

    // No relationships for the workbook, no content types.
    read_or_refused(
        package(&sheets, &["xl/_rels/workbook.xml.rels"]),
        "sans-relations.xlsx",
    );
    read_or_refused(
        package(&sheets, &["[Content_Types].xml"]),
        "sans-types.xlsx",
    );

    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sans-feuille.xlsx",
        &package(&sheets, &["xl/worksheets/sheet1.xml"]),
    );
    let (out, _) = run_binary(dir.path(), "sans-feuille.xlsx");
    assert!(out.is_none(), "nothing to annotate");
}

/// A minimal ods with the header and one structure.
fn ods() -> Vec<u8> {
    let cell = |t: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
        )
    };
    let number = |x: f64| {
        format!(
            r#"<table:table-cell office:value-type="float" office:value="{x}"><text:p>{x}</text:p></table:table-cell>"#
        )
    };
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Feuille1"><table:table-row>{}{}{}{}</table:table-row><table:table-row>{}{}{}{}</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
        cell("Code ML"),
        cell("Région"),
        cell("Jeunes en premier accueil"),
        cell("Jeunes accompagnés"),
        cell("01053"),
        cell("Bretagne"),
        number(10.0),
        number(20.0)
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_string()),
        ("META-INF/manifest.xml", r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_string()),
        ("content.xml", content),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn files_with_the_wrong_extension_are_read_by_their_content_or_refused_clearly() {
    let xlsx = package(&[("Feuil1".into(), sheet_xml(&header_and_row("")))], &[]);
    let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n01053;Bretagne;10;20\n";

    // An xlsx named .csv, an ods named .xls: recognised by their bytes.
    for (bytes, name) in [(xlsx.clone(), "classeur.csv"), (ods(), "tableur.xls")] {
        let data = read(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(data.structures.len(), 1, "{name}");
        assert_eq!(data.structures[0].value("jeunes_accompagnes"), Some(20.0));
    }
    // A csv named .xlsx: read as text or refused, naming the file.
    if let Some(data) = read_or_refused(csv.as_bytes().to_vec(), "texte.xlsx") {
        assert_eq!(data.structures.len(), 1);
    }
    // An ods named .xlsx, an xlsx named .ods.
    for (bytes, name) in [(ods(), "tableur.xlsx"), (xlsx.clone(), "classeur.ods")] {
        if let Some(data) = read_or_refused(bytes, name) {
            assert_eq!(data.structures.len(), 1, "{name}");
        }
    }

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "classeur.csv", &xlsx);
    let (out, _) = run_binary(dir.path(), "classeur.csv");
    assert!(out.is_some(), "an xlsx named .csv is annotated");
    write(dir.path(), "texte.xlsx", csv.as_bytes());
    run_binary(dir.path(), "texte.xlsx");
}

#[test]
fn a_truncated_worksheet_part_is_refused_in_french_with_the_technical_detail_apart() {
    // The sheet's XML stops inside a cell's tag.
    let xml = sheet_xml(&header_and_row(""));
    let cut = xml.rfind("<c ").unwrap() + 3;
    let sheets = vec![("Données".to_string(), xml[..cut].to_string())];
    let m = refused(package(&sheets, &[]), "tronque.xlsx");
    assert!(m.contains("(détail technique : "), "{m}");
    let french = m.split("(détail technique").next().unwrap();
    assert!(!french.contains("error"), "{m}");
}

/// A FIFO given as input, or standing in the pack folder, is refused before any read
/// (reading it would block forever); so is a pack file that is a link to `/dev/zero`.
#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_before_any_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("tube.xlsx");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let started = std::time::Instant::now();
    let out = common::boussole(&["run", "tube.xlsx"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("n'est pas un fichier ordinaire"),
        "{stderr}"
    );

    let export = common::boussole(&["rules", "export", "regles"], d);
    assert!(export.status.success());
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("regles/bloque.rhai"))
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let out = common::boussole(&["check", "--rules", "regles"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("n'est pas un fichier ordinaire"),
        "{stderr}"
    );
    std::fs::remove_file(d.join("regles/bloque.rhai")).unwrap();

    std::os::unix::fs::symlink("/dev/zero", d.join("regles/zero.rhai")).unwrap();
    let out = common::boussole(&["check", "--rules", "regles"], d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("n'est pas un fichier ordinaire"),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
