//! xls and ods as real spreadsheet programs write them: the sample converted by
//! LibreOffice reads back with the same structures and values as the xlsx. Ignored by
//! default (it needs LibreOffice): run with `cargo test --release -- --ignored` (CI
//! installs LibreOffice and does); then a missing LibreOffice fails the test.

mod common;

use boussole::pack::Pack;
use std::path::Path;
use std::process::Command;

fn convert(input: &Path, format: &str, dir: &Path) -> std::path::PathBuf {
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profil",
            dir.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            format,
            "--outdir",
        ])
        .arg(dir)
        .arg(input)
        .output()
        .expect("soffice runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    dir.join(format!(
        "{}.{format}",
        input.file_stem().unwrap().to_string_lossy()
    ))
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn xls_and_ods_written_by_libreoffice_read_like_the_xlsx() {
    common::require_soffice();
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("echantillon.xlsx");
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures: 25,
        ..Default::default()
    })
    .unwrap();
    std::fs::write(&xlsx, bytes).unwrap();
    let columns = Pack::embedded().unwrap().manifest.columns;
    let reference = boussole::workbook::read_path(&xlsx, &columns).unwrap();
    assert_eq!(reference.structures.len(), 25);
    for format in ["xls", "ods"] {
        let converted = convert(&xlsx, format, dir.path());
        let read = boussole::workbook::read_path(&converted, &columns).unwrap();
        assert_eq!(read.structures.len(), 25, "{format}");
        for (a, b) in reference.structures.iter().zip(&read.structures) {
            assert_eq!(a.id, b.id, "{format}");
            assert_eq!(a.name, b.name, "{format}");
            assert_eq!(a.region, b.region, "{format}");
            for (column, obs) in &a.values {
                let other = b.values.get(column).map(|o| o.value.number());
                match (obs.value.number(), other.flatten()) {
                    (Some(x), Some(y)) => {
                        assert!((x - y).abs() < 1e-9, "{format} {} {column}", a.id)
                    }
                    (x, y) => assert_eq!(x, y, "{format} {} {column}", a.id),
                }
            }
        }
    }
}
