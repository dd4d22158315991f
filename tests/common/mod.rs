//! Helpers shared by the integration tests that drive the `boussole` binary (each test file
//! uses some of them).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// One part of an xlsx (a zip), as text: `xl/styles.xml`, `xl/worksheets/sheet1.xml`...
pub fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"))
        .read_to_string(&mut text)
        .expect("utf-8 part");
    text
}

/// Runs the `boussole` binary with `args` in `cwd` and returns its output.
pub fn boussole(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("boussole runs")
}

/// What a run printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes a synthetic national workbook (`boussole sample`) of `structures` structures.
pub fn sample(path: &Path, structures: usize, seed: u64) {
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures,
        seed,
        ..Default::default()
    })
    .unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The names of a folder's entries, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Fails the test unless LibreOffice (`soffice`) runs: the tests that call it are
/// `#[ignore]`d, so reaching this without it means someone asked for them.
pub fn require_soffice() {
    match Command::new("soffice").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "LibreOffice (soffice --version) failed ({}): this test needs it\n{}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!(
            "LibreOffice (soffice) is not available ({e}): this test needs it; \
             install libreoffice-calc-nogui"
        ),
    }
}

/// The header of a field CSV (the cpo pack's columns, one row per structure and year).
pub const FIELD_HEADER: &str = "Code ML;Nom de la mission locale;Région;Année;Jeunes en premier accueil;\
Jeunes en contact;Jeunes accompagnés;Entretiens individuels;Entrées en CIVIS;Sorties de CIVIS;\
Sorties de CIVIS en emploi durable;Jeunes en emploi;Jeunes en emploi durable;Jeunes en formation;\
Jeunes en alternance;Offres d'emploi collectées;Entreprises en relation;ETP conseillers;\
Population 16-25 ans;Jeunes 16-25 ans actifs non occupés;DEFM moins de 26 ans;\
Taux de chômage des jeunes;Part des jeunes sans diplôme;Part des jeunes en QPV;Densité de population";

/// Twelve structures of two regions: (code, name, region).
pub const FIELD_STRUCTURES: [(&str, &str, &str); 12] = [
    (
        "01053",
        "Mission locale de Bourg-en-Bresse",
        "Auvergne-Rhône-Alpes",
    ),
    ("01004", "ML d'Ambérieu-en-Bugey", "Auvergne-Rhône-Alpes"),
    (
        "38185",
        "Mission locale de Grenoble",
        "Auvergne-Rhône-Alpes",
    ),
    ("69123", "Mission locale de Lyon", "Auvergne-Rhône-Alpes"),
    (
        "42218",
        "Mission locale de Saint-Étienne",
        "Auvergne-Rhône-Alpes",
    ),
    (
        "73065",
        "Mission locale de Chambéry",
        "Auvergne-Rhône-Alpes",
    ),
    ("35238", "Mission locale de Rennes", "Bretagne"),
    ("29019", "Mission locale de Brest", "Bretagne"),
    ("56260", "Mission locale de Vannes", "Bretagne"),
    ("22278", "Mission locale de Saint-Brieuc", "Bretagne"),
    ("29232", "Mission locale de Quimper", "Bretagne"),
    ("56121", "Mission locale de Lorient", "Bretagne"),
];

/// A long-format CSV (one row per structure and year) with values known exactly: for
/// 01053 (k = 0) the access to employment is 300, 330, 360 out of 1,000 accompanied.
pub fn field_csv(years: &[i32], structures: &[(&str, &str, &str)]) -> String {
    let mut out = format!("{FIELD_HEADER}\n");
    for (t, year) in years.iter().enumerate() {
        let t = t as i64;
        for (k, (code, name, region)) in structures.iter().enumerate() {
            let k = k as i64;
            let frac = |x: f64| format!("{x:.2}").replace('.', ",");
            let values = [
                400 + 10 * t + 7 * k,
                2000 + 50 * k + 20 * t,
                1000 + 10 * k,
                5000 + 130 * k + 40 * t,
                150 + 3 * k + 5 * t,
                120 + 2 * k,
                40 + (k * 7 % 13) + 2 * t,
                300 + 30 * t + 5 * k,
                150 + 10 * t + 2 * k + (k * 5 % 7),
                120 + (k * 11 % 17) + 3 * t,
                40 + (k * 3 % 7) + t,
                800 + 40 * k + (k * 13 % 29) + 10 * t,
                200 + 9 * k + (k * 17 % 23),
            ];
            let mut row = vec![
                code.to_string(),
                name.to_string(),
                region.to_string(),
                year.to_string(),
            ];
            row.extend(values.iter().map(|v| v.to_string()));
            row.push(format!("{},5", 20 + k));
            row.push((15_000 + 1_000 * k).to_string());
            row.push((3_000 + 170 * k + (k * 7 % 11) * 10).to_string());
            row.push((1_200 + 55 * k + (k * 3 % 5) * 20).to_string());
            row.push(frac(0.18 + 0.01 * (k * 7 % 9) as f64));
            row.push(frac(0.10 + 0.01 * (k * 5 % 8) as f64));
            row.push(frac(0.05 + 0.01 * (k * 3 % 10) as f64));
            row.push((50 + 37 * k + (k * k % 19)).to_string());
            out.push_str(&row.join(";"));
            out.push('\n');
        }
    }
    out
}

pub mod generated;
pub mod libreoffice;
