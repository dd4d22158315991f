//! Inputs found by fuzzing (`fuzz/`, see docs/fiabilite.md) that crashed boussole, rebuilt
//! here byte by byte. Each must give one clear input refusal (exit 3), never a panic.

use boussole::error::exit;
use boussole::pack::Pack;
use boussole::workbook::read_bytes;

fn refusal(bytes: &[u8], file: &str) -> String {
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    match read_bytes(bytes, file, &columns) {
        Err(e) if e.exit_code() == exit::INPUT => e.to_string(),
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

/// An OLE compound file (xls container): the 512-byte header, then `body` zero bytes.
/// Version 3, 512-byte sectors, no DIFAT chain; `fat` is the one FAT sector listed in the
/// header's DIFAT (none when `None`); `dir_start` is the first sector of the directory chain.
fn compound_file(dir_start: u32, fat: Option<u32>, body: usize) -> Vec<u8> {
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes()); // minor version
    header[26..28].copy_from_slice(&3u16.to_le_bytes()); // major version
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes()); // little endian
    header[30..32].copy_from_slice(&9u16.to_le_bytes()); // sector shift: 512 bytes
    header[32..34].copy_from_slice(&6u16.to_le_bytes()); // mini sector shift
    header[48..52].copy_from_slice(&dir_start.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes()); // mini stream cutoff
    header[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no mini FAT
    header[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no DIFAT chain
    header[76..512].fill(0xFF); // DIFAT entries free...
    if let Some(sector) = fat {
        header[76..80].copy_from_slice(&sector.to_le_bytes()); // ...but the first
    }
    let mut bytes = header;
    bytes.resize(512 + body, 0);
    bytes
}

/// Found by the `read_workbook` target. calamine 0.38 `cfb.rs:320` (`Sectors::get`) slices
/// `data[start..len]` with `len < start` when a sector id within the file-length bound lies
/// past the bytes actually there: "slice index starts at 1024 but ends at 512".
#[test]
fn an_xls_whose_directory_starts_past_the_end_is_refused() {
    let message = refusal(&compound_file(2, None, 512), "repertoire-hors-fichier.xls");
    assert!(
        message.starts_with("repertoire-hors-fichier.xls : "),
        "{message}"
    );
}

/// Same family (calamine 0.38 `cfb.rs:344`, `Sectors::get_chain`): a sector chain followed
/// through a FAT that does not list the sector indexes `fats[sector_id]` out of bounds: "index out of bounds: the len is 0 but the index is 0".
#[test]
fn an_xls_without_a_fat_is_refused() {
    let message = refusal(&compound_file(0, None, 512), "sans-fat.xls");
    assert!(message.starts_with("sans-fat.xls : "), "{message}");
}

/// Same family (calamine 0.38 `utils.rs:29`, `to_u32`, called from `Cfb::new`): a FAT
/// sector cut short by the end of the file, to a length that is not a multiple of 4, fails
/// `assert_eq!(s.len() % 4, 0)`. An assertion: it panics in release builds too.
#[test]
fn an_xls_whose_fat_sector_is_cut_short_is_refused() {
    let message = refusal(&compound_file(0, Some(1), 514), "fat-coupee.xls");
    assert!(message.starts_with("fat-coupee.xls : "), "{message}");
}

/// An ods package whose `content.xml` is `content`; entries stored, sizes and CRCs right.
fn ods(content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        (
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        ),
        ("content.xml", content),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Found by the `read_workbook` target (a timeout). calamine 0.38 `ods.rs` `read_table`
/// (loop at lines 448-481) has no arm for the end of the document: a `content.xml` that stops
/// inside `<table:table>` makes it read `Event::Eof` forever, at full CPU. Runs the read in
/// a thread so a regression fails instead of hanging the test suite.
#[test]
fn an_ods_whose_table_is_cut_short_is_refused_quickly() {
    let bytes = ods(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet><table:table table:name="Feuille1">"#,
    );
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done
            .send(std::panic::catch_unwind(|| refusal(&bytes, "coupe.ods")).map_err(|_| "panic"));
    });
    let message = outcome
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the read did not end within 10 s")
        .expect("the read panicked");
    assert!(message.starts_with("coupe.ods : "), "{message}");
}

/// A minimal xlsx package (inline strings) whose only sheet declares `dimension` and holds
/// `sheet_data`.
fn xlsx(dimension: &str, sheet_data: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Found by the `read_workbook` target. calamine 0.38 `xlsx/mod.rs:3049` (`get_dimension`)
/// computes `end - start` of the declared `<dimension ref>` in `u32`: an inverted range
/// (`D1:A2`) gives "attempt to subtract with overflow" in builds with overflow checks (the
/// dev and test profiles); a release build wraps silently and reads on. The cells
/// themselves are sound: the workbook must be read.
#[test]
fn an_xlsx_with_an_inverted_dimension_is_read() {
    let cell = |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
    let data = format!(
        r#"<row r="1">{}{}{}{}</row><row r="2">{}{}<c r="C2"><v>3</v></c><c r="D2"><v>10</v></c></row>"#,
        cell("A1", "Code ML"),
        cell("B1", "Région"),
        cell("C1", "Jeunes en premier accueil"),
        cell("D1", "Jeunes accompagnés"),
        cell("A2", "01053"),
        cell("B2", "Bretagne"),
    );
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    // With overflow checks (dev profile) calamine panics and boussole refuses the file
    // clearly; without them (release, the README's test command) the cells are read.
    match read_bytes(&xlsx("D1:A2", &data), "inverse.xlsx", &columns) {
        Ok(read) => {
            assert_eq!(read.structures.len(), 1);
            assert_eq!(read.structures[0].value("premiers_accueils"), Some(3.0));
        }
        Err(e) => assert!(e.to_string().contains("corrompu"), "{e}"),
    }
}

/// Found by the `read_workbook` target. calamine 0.38 `xlsx/mod.rs:3096` and `:3097`
/// (`get_row_and_optional_column`) accumulate a cell reference's column letters and row
/// digits in `u32` without bound: `r="AAAAAAAAAAAAA1"` or `r="A99999999999"` give "attempt to
/// multiply with overflow" where overflow checks are on (dev and test profiles; a release
/// build wraps). Such a cell cannot be placed: the workbook must give a read or a refusal.
#[test]
fn an_xlsx_cell_reference_too_long_to_count_does_not_panic() {
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    for reference in ["AAAAAAAAAAAAA1", "A99999999999"] {
        let data = format!(r#"<row r="1"><c r="{reference}"><v>1</v></c></row>"#);
        match read_bytes(&xlsx("A1", &data), "reference.xlsx", &columns) {
            Ok(_) => {}
            Err(e) if e.exit_code() == exit::INPUT => {}
            Err(other) => panic!("{reference}: expected an input error, got {other:?}"),
        }
    }
}

/// The binary turns calamine's panic on a corrupt xls into one French line: no crash
/// report, no backtrace.
#[test]
fn the_binary_refuses_a_corrupt_xls_without_a_crash_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("casse.xls");
    std::fs::write(&path, compound_file(2, None, 512)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
        .arg("inspect")
        .arg(&path)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("boussole : ") && !err.contains("panicked") && err.lines().count() == 1,
        "{err}"
    );
}

/// Found while writing the binary test above: a 1.5 KB compound file whose only FAT sector
/// is sector 0 sends calamine 0.38 along a sector chain without end; it allocated 24 GB
/// before being killed. The compound-file structure is now validated first (`cfb`).
#[test]
fn an_xls_whose_sector_chain_loops_is_refused_without_exhausting_memory() {
    let message = refusal(&compound_file(2, Some(0), 1024), "chaine-en-boucle.xls");
    assert!(message.contains("corrompu"), "{message}");
}
