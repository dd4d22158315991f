//! Hostile files stay bounded: giant declared dimensions, zip bombs, archives lying about
//! their sizes, unknown error values, garbage. Each is built here, byte by byte, and must
//! give a correct read or one clear refusal, quickly and without a runaway allocation.

use boussole::dataset::{Dataset, Missing, Value};
use boussole::error::{Error, exit};
use boussole::pack::Pack;
use boussole::pack::manifest::ColumnSpec;
use boussole::workbook::{parse_number, read_bytes};
use std::io::Write;

fn columns() -> Vec<ColumnSpec> {
    Pack::embedded().expect("embedded pack").manifest.columns
}

fn refusal(result: Result<Dataset, Error>) -> String {
    match result {
        Err(e) if e.exit_code() == exit::INPUT => e.to_string(),
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

/// A minimal xlsx package; `dimension` is the `<dimension ref>` written in the sheet;
/// `sheet_data` the `<sheetData>` content.
fn xlsx(dimension: &str, sheet_data: &str) -> Vec<u8> {
    let parts = package_parts(dimension, sheet_data);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn package_parts(dimension: &str, sheet_data: &str) -> Vec<(String, String)> {
    vec![
        ("[Content_Types].xml".into(), r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
        ("_rels/.rels".into(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml".into(), r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels".into(), r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
        ("xl/worksheets/sheet1.xml".into(), format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ]
}

fn is(t: &str, r: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)
}

fn header_row() -> String {
    format!(
        r#"<row r="1">{}{}{}{}</row>"#,
        is("Code ML", "A1"),
        is("Région", "B1"),
        is("Jeunes en premier accueil", "C1"),
        is("Jeunes accompagnés", "D1")
    )
}

#[test]
fn a_giant_declared_dimension_with_two_cells_is_read_sparsely() {
    let data = format!(
        r#"{}<row r="2">{}{}<c r="C2"><v>1</v></c><c r="D2"><v>2</v></c></row><row r="1048576"><c r="XFD1048576"><v>9</v></c></row>"#,
        header_row(),
        is("01053", "A2"),
        is("Bretagne", "B2")
    );
    let bytes = xlsx("A1:XFD1048576", &data);
    let read = read_bytes(&bytes, "geant.xlsx", &columns()).unwrap();
    assert_eq!(read.structures.len(), 1);
    assert_eq!(read.structures[0].value("jeunes_accompagnes"), Some(2.0));
    // The far cell is an extra row with data but no code: set aside, not a structure.
    assert_eq!(read.set_aside.last().unwrap().row, 1_048_576);
}

#[test]
fn only_two_far_apart_cells_do_not_allocate_the_sheet() {
    let data = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#;
    let bytes = xlsx("A1:XFD1048576", data);
    let message = refusal(read_bytes(&bytes, "deux-cellules.xlsx", &columns()));
    assert!(
        message.contains("aucune feuille ne contient de colonne d'identifiant"),
        "{message}"
    );
}

#[test]
fn unknown_error_values_are_excel_errors() {
    let data = format!(
        r#"{}<row r="2">{}{}<c r="C2" t="e"><v>#SPILL!</v></c><c r="D2" t="e"><v>#CALC!</v></c></row><row r="3">{}{}<c r="C3" t="e"><v>#N/A</v></c><c r="D3"><v>4</v></c></row>"#,
        header_row(),
        is("01053", "A2"),
        is("Bretagne", "B2"),
        is("01054", "A3"),
        is("Bretagne", "B3")
    );
    let bytes = xlsx("A1:D3", &data);
    let read = read_bytes(&bytes, "spill.xlsx", &columns()).unwrap();
    let a = read.structure("01053").unwrap();
    assert_eq!(
        a.values["premiers_accueils"].value,
        Value::Missing(Missing::ExcelError("#SPILL!".into()))
    );
    assert_eq!(
        a.values["jeunes_accompagnes"].value,
        Value::Missing(Missing::ExcelError("#CALC!".into()))
    );
    assert_eq!(
        a.values["premiers_accueils"]
            .cell
            .as_ref()
            .unwrap()
            .to_string(),
        "Feuil1!C2"
    );
    let b = read.structure("01054").unwrap();
    assert_eq!(
        b.values["premiers_accueils"].value,
        Value::Missing(Missing::ExcelError("#N/A".into()))
    );
    assert_eq!(b.value("jeunes_accompagnes"), Some(4.0));
}

#[test]
fn a_zip_bomb_is_refused_before_inflating() {
    // 200 MB of zeros deflate to about 200 KB: a ratio beyond 1000:1.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, body) in package_parts("A1", "") {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", opts).unwrap();
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..200 {
        zip.write_all(&block).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let message = refusal(read_bytes(&bytes, "bombe.xlsx", &columns()));
    assert!(message.contains("bombe de décompression"), "{message}");
}

#[test]
fn an_archive_lying_about_its_sizes_is_refused() {
    let mut bytes = xlsx("A1", &header_row());
    // Patch the central directory: every declared uncompressed size becomes 1 byte.
    let sig = b"PK\x01\x02";
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if &bytes[i..i + 4] == sig {
            bytes[i + 24..i + 28].copy_from_slice(&1u32.to_le_bytes());
            i += 46;
        } else {
            i += 1;
        }
    }
    let message = refusal(read_bytes(&bytes, "menteur.xlsx", &columns()));
    assert!(
        message.contains("tailles fausses") || message.contains("corrompue"),
        "{message}"
    );
}

#[test]
fn too_many_cells_are_refused_clearly() {
    // Just over five million non-empty values.
    let mut csv = String::with_capacity(10_500_000);
    for _ in 0..1_000_001 {
        csv.push_str("1;1;1;1;1\n");
    }
    let message = refusal(read_bytes(csv.as_bytes(), "enorme.csv", &columns()));
    assert!(
        message.contains("plus de 5000000 valeurs non vides"),
        "{message}"
    );
}

#[test]
fn many_rows_are_read() {
    let mut csv = String::from("Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n");
    for i in 0..2000 {
        csv.push_str(&format!("{:05};Bretagne;{i};{i}\n", i + 1));
    }
    let read = read_bytes(csv.as_bytes(), "gros.csv", &columns()).unwrap();
    assert_eq!(read.structures.len(), 2000);
    assert_eq!(
        read.structure("00042").unwrap().value("jeunes_accompagnes"),
        Some(41.0)
    );
}

#[test]
fn garbage_and_truncations_never_panic() {
    let good = xlsx("A1:D2", &header_row());
    for cut in [
        0,
        1,
        4,
        30,
        100,
        good.len() / 3,
        good.len() - 22,
        good.len() - 1,
    ] {
        let _ = read_bytes(&good[..cut], "coupe.xlsx", &columns());
    }
    let mut flipped = good.clone();
    for i in (50..flipped.len()).step_by(97) {
        flipped[i] ^= 0xFF;
    }
    let _ = read_bytes(&flipped, "abime.xlsx", &columns());
    let _ = read_bytes(
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
        "ole.xls",
        &columns(),
    );
    let _ = read_bytes(b"\xff\xfe\x00\x01garbage", "x.csv", &columns());
    let _ = read_bytes(&vec![b'"'; 10_000], "guillemets.csv", &columns());
    for text in [
        "1e308",
        "1e309",
        "-",
        "+",
        ",",
        ".",
        "1,2,3.4.5",
        "%",
        "12 %%",
        "#",
        "#!",
        "\u{2212}3",
    ] {
        let _ = parse_number(text);
    }
}
