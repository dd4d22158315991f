//! Helpers shared by the integration tests that drive the `boussole` binary (each test file
//! uses some of them).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

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
pub mod libreoffice;
