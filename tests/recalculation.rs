//! What boussole writes is right where it is opened: every formula of every workbook it
//! writes gives, when LibreOffice recalculates it, exactly the value boussole cached.
//! These tests need LibreOffice: `#[ignore]`d by default, run by `.ci/run` (`-- --ignored`).

mod common;

use common::libreoffice::{recalculated, recalculation_differences};
use common::{boussole, sample};
use std::path::Path;

/// Runs boussole on `input` with `args` and checks every formula of `output` after a
/// forced recalculation.
fn assert_recalculates_to_cached(dir: &Path, output: &str) {
    let original = dir.join(output);
    assert!(original.is_file(), "{output} was written");
    let after = recalculated(&original, &dir.join("recalcule"));
    let differences = recalculation_differences(&original, &after);
    let formulas = common::libreoffice::formula_cells(&original).len();
    assert!(formulas > 0, "{output} holds formulas");
    assert!(
        differences.is_empty(),
        "{} of {formulas} formulas of {output} change on recalculation:\n{}",
        differences.len(),
        differences
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_annotated_workbook_recalculates_to_its_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    sample(&dir.path().join("national.xlsx"), 30, 7);
    let run = boussole(&["run", "national.xlsx", "-q"], dir.path());
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_recalculates_to_cached(dir.path(), "national-boussole.xlsx");
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn a_two_year_annotated_workbook_recalculates_to_its_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures: 20,
        years: 2,
        seed: 3,
        ..Default::default()
    })
    .unwrap();
    std::fs::write(dir.path().join("deux-ans.xlsx"), bytes).unwrap();
    let run = boussole(
        &["run", "deux-ans.xlsx", "-q", "--per-structure"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_recalculates_to_cached(dir.path(), "deux-ans-boussole.xlsx");
}
