//! `read_bytes` on any bytes: a dataset or one input refusal (exit 3), never a panic, a hang or a
//! runaway allocation. Columns are those of the embedded pack.
//!
//! The first byte chooses how the rest is presented (modulo 6):
//! - 0..=3: the raw bytes as `fuzz.xlsx`, `fuzz.xls`, `fuzz.ods`, `fuzz.csv`;
//! - 4: the bytes are the XML of the single worksheet of an otherwise valid xlsx package;
//! - 5: the bytes are the `content.xml` of an otherwise valid ods package.
//!
//! Modes 4 and 5 build a sound archive (stored entries, right CRCs) around the fuzzed part,
//! so mutations reach the XML readers instead of stopping at the zip checks.

#![no_main]

use boussole::error::exit;
use boussole::pack::Pack;
use boussole::pack::manifest::ColumnSpec;
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;

fn columns() -> &'static [ColumnSpec] {
    static COLUMNS: OnceLock<Vec<ColumnSpec>> = OnceLock::new();
    COLUMNS.get_or_init(|| Pack::embedded().expect("embedded pack").manifest.columns)
}

const XLSX_PARTS: &[(&str, &str)] = &[
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    ),
];

const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// A zip of stored entries.
fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in entries {
        zip.start_file(*name, options).expect("zip entry");
        zip.write_all(body).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> =
        XLSX_PARTS.iter().map(|(n, b)| (*n, b.as_bytes())).collect();
    entries.push(("xl/worksheets/sheet1.xml", sheet));
    archive(&entries)
}

fn ods_with_content(content: &[u8]) -> Vec<u8> {
    archive(&[
        ("mimetype", ODS_MIMETYPE.as_bytes()),
        ("META-INF/manifest.xml", ODS_MANIFEST.as_bytes()),
        ("content.xml", content),
    ])
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let (bytes, name) = match selector % 6 {
        0 => (rest.to_vec(), "fuzz.xlsx"),
        1 => (rest.to_vec(), "fuzz.xls"),
        2 => (rest.to_vec(), "fuzz.ods"),
        3 => (rest.to_vec(), "fuzz.csv"),
        4 => (xlsx_with_sheet(rest), "fuzz.xlsx"),
        _ => (ods_with_content(rest), "fuzz.ods"),
    };
    match boussole::workbook::read_bytes(&bytes, name, columns()) {
        Ok(data) => {
            // Every structure read has an id.
            assert!(data.structures.iter().all(|s| !s.id.as_str().is_empty()));
        }
        Err(e) if e.exit_code() == exit::INPUT => assert!(!e.to_string().is_empty()),
        Err(other) => panic!("a bad input must give an input error, got {other:?}"),
    }
});
