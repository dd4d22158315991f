//! No data lost, nothing half-written, inputs never touched — through the binary.
//!
//! - every non-empty input cell, whatever its text (formula-looking, control characters,
//!   32,767 characters), is found again with its value at its place in the « Données — … »
//!   copy, and never as a formula (property test);
//! - a run killed with SIGKILL while it works leaves the target as it was before (or, if the
//!   rename already happened, the whole new output), never a partial file;
//! - `run`, `run --force`, `inspect`, `check`, `explain` leave the input's bytes unchanged,
//!   and `run IN -o IN --force` is refused.
//!
//! What Excel's XML does with control characters: rust_xlsxwriter writes U+0000–U+001F
//! (except tab and line feed, kept literally), U+FFFE and U+FFFF as `_xHHHH_` escapes, and a
//! literal `_xHHHH_` in the text as `_x005F_xHHHH_`; it marks a string starting or ending
//! with a space, tab or line feed `xml:space="preserve"`. calamine undoes exactly these
//! escapes. So every character survives the round trip (input written by rust_xlsxwriter,
//! read by boussole through calamine, copied by rust_xlsxwriter, read back by calamine): the
//! test asserts strict equality. The only documented loss is boussole's own rule: a text made
//! only of white space (`str::trim` empty) is an empty cell and is not copied.

mod common;
use common::{boussole, sample};

use calamine::{Data, Reader};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn sha(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".boussole-") && n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// 1. Every input cell is copied, text stays text.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Extra {
    Number(f64),
    Bool(bool),
    Text(String),
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        // Formula-looking text and text starting with tab / carriage return.
        "[=+@\t\r-][ -~]{0,24}",
        Just("=HYPERLINK(\"http://exemple.invalid\",\"clic\")".to_string()),
        Just("=1+1".to_string()),
        Just("-2+3".to_string()),
        Just("+SUM(A1:A2)".to_string()),
        Just("@cmd".to_string()),
        Just("\r\n=1".to_string()),
        // Control characters mixed with letters.
        "[\\x00-\\x1f]{1,4}[a-z]{0,4}[\\x00-\\x1f]{0,3}",
        "[a-z]{1,3}[\\x0b\\x0c\\x0d\\x1b\\x7f]{1,3}[a-z]{1,3}",
        // Text that looks like Excel's own escapes, and non-characters.
        "_x00[0-9A-F]{2}_[a-z]{0,3}",
        Just("a\u{FFFE}b\u{FFFF}".to_string()),
        // Any printable Unicode text.
        "\\PC{1,40}",
        // Very long text, up to Excel's 32,767 characters.
        (1_000usize..=32_767).prop_map(|n| {
            let mut s = String::from("=");
            s.push_str(&"ab\tc".repeat(n / 4 + 1));
            s.truncate(n);
            s
        }),
        Just("x".repeat(32_767)),
    ]
}

fn extra_strategy() -> impl Strategy<Value = Extra> {
    prop_oneof![
        (-1e15f64..1e15).prop_map(Extra::Number),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Extra::Number),
        any::<bool>().prop_map(Extra::Bool),
        text_strategy().prop_map(Extra::Text),
        text_strategy().prop_map(Extra::Text),
    ]
}

/// Input cells: the header (row 0, columns A–D), `valid` rows, and the extra cells placed in
/// columns F and beyond (rows 0 to 14), so they never hide the header or a code.
fn input_workbook(valid: usize, extras: &[((u32, u16), Extra)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Feuil1").unwrap();
    for (c, label) in [
        "Code ML",
        "Région",
        "Jeunes en premier accueil",
        "Jeunes accompagnés",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *label).unwrap();
    }
    for i in 0..valid {
        let row = 1 + i as u32;
        ws.write_string(row, 0, format!("{:05}", 1053 + i)).unwrap();
        ws.write_string(row, 1, "Bretagne").unwrap();
        ws.write_number(row, 2, 100.0 + i as f64).unwrap();
        ws.write_number(row, 3, 250.0 + 3.0 * i as f64).unwrap();
    }
    for ((row, col), extra) in extras {
        match extra {
            Extra::Number(x) => ws.write_number(*row, *col, *x).map(|_| ()),
            Extra::Bool(b) => ws.write_boolean(*row, *col, *b).map(|_| ()),
            Extra::Text(t) => ws.write_string(*row, *col, t).map(|_| ()),
        }
        .unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A number cell's value (a text is not a number here).
fn number(d: Data) -> Option<f64> {
    match d {
        Data::Float(x) => Some(x),
        Data::Int(i) => Some(i as f64),
        _ => None,
    }
}

fn check_copy(valid: usize, extras: Vec<((u32, u16), Extra)>) -> Result<(), TestCaseError> {
    // Later cells at the same place replace earlier ones, as in the workbook.
    let mut cells: std::collections::BTreeMap<(u32, u16), Extra> = Default::default();
    for (at, e) in extras {
        cells.insert(at, e);
    }
    let extras: Vec<_> = cells.into_iter().collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.xlsx"), input_workbook(valid, &extras)).unwrap();
    let out = boussole(&["run", "in.xlsx", "-o", "out.xlsx", "-q"], dir.path());
    prop_assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wb = calamine::open_workbook_auto(dir.path().join("out.xlsx")).unwrap();
    let sheet = "Données — Feuil1";
    let values = wb.worksheet_range(sheet).unwrap();
    let formulas = wb.worksheet_formula(sheet).unwrap();
    let got = |at: (u32, u32)| values.get_value(at).cloned().unwrap_or(Data::Empty);
    let formula = |at: (u32, u32)| formulas.get_value(at).cloned().unwrap_or_default();

    // The header and the valid rows.
    prop_assert_eq!(got((0, 0)), Data::String("Code ML".into()));
    prop_assert_eq!(got((0, 3)), Data::String("Jeunes accompagnés".into()));
    for i in 0..valid as u32 {
        prop_assert_eq!(got((1 + i, 0)), Data::String(format!("{:05}", 1053 + i)));
        prop_assert_eq!(number(got((1 + i, 2))), Some(100.0 + f64::from(i)));
    }
    for ((row, col), extra) in &extras {
        let at = (*row, u32::from(*col));
        match extra {
            Extra::Number(x) => prop_assert_eq!(number(got(at)), Some(*x), "at {:?}", at),
            Extra::Bool(b) => prop_assert_eq!(got(at), Data::Bool(*b), "at {:?}", at),
            Extra::Text(t) if t.trim().is_empty() => {
                // boussole's documented rule: white space only is an empty cell.
                prop_assert_eq!(got(at), Data::Empty, "at {:?}", at)
            }
            Extra::Text(t) => {
                prop_assert_eq!(got(at), Data::String(t.clone()), "at {:?}", at);
                prop_assert!(
                    formula(at).is_empty(),
                    "input text became a formula at {:?}: {}",
                    at,
                    formula(at)
                );
            }
        }
    }
    // No formula anywhere in the copy.
    prop_assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_input_cell_is_copied_at_its_place_and_text_never_becomes_a_formula(
        valid in 1usize..4,
        extras in prop::collection::vec(((0u32..15, 5u16..12), extra_strategy()), 1..24),
    ) {
        check_copy(valid, extras)?;
    }
}

/// The hand-picked worst cases, always run (the property test draws among them at random).
#[test]
fn control_characters_formula_text_and_the_longest_text_survive_the_copy() {
    let mut extras = Vec::new();
    let texts: Vec<String> = vec![
        "=1+1".into(),
        "+SUM(A1:A2)".into(),
        "-2+3".into(),
        "@cmd".into(),
        "\t=1".into(),
        "\r=1".into(),
        "a\rb\r\nc\n".into(),
        (0u8..32).map(char::from).collect::<String>() + "fin",
        "\u{7f}\u{85}\u{200b}".into(),
        "_x0041_ et _x005F_".into(),
        "a\u{FFFE}b\u{FFFF}".into(),
        format!("={}", "y".repeat(32_766)),
        "é".repeat(32_767),
        "  ".into(),
        "\t\n".into(),
    ];
    for (i, t) in texts.into_iter().enumerate() {
        extras.push(((i as u32, 6u16), Extra::Text(t)));
    }
    extras.push(((3, 7), Extra::Number(f64::MAX)));
    extras.push(((4, 7), Extra::Number(-0.1 + 0.2)));
    extras.push(((5, 7), Extra::Number(5e-324)));
    extras.push(((6, 7), Extra::Bool(false)));
    check_copy(2, extras).unwrap();
}

// ---------------------------------------------------------------------------------------
// 2. A run killed while it works never leaves a partial target.
// ---------------------------------------------------------------------------------------

/// Starts `boussole run big.xlsx -o sorties/cible.xlsx --force`, kills it (SIGKILL on Unix)
/// when a `.boussole-*.tmp` appears in the output folder or after `delay`, whichever comes
/// first, and returns whether a new temporary file was seen and after how long.
fn killed_run(dir: &Path, delay: Duration) -> (bool, Duration) {
    let out_dir = dir.join("sorties");
    // Temporaries left by earlier killed runs do not count.
    let stale = temporaries(&out_dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args([
            "run",
            "big.xlsx",
            "-o",
            "sorties/cible.xlsx",
            "--force",
            "-q",
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("boussole starts");
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < delay {
        if temporaries(&out_dir).iter().any(|t| !stale.contains(t)) {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    let at = start.elapsed();
    let _ = child.kill(); // SIGKILL: no clean-up code runs
    child.wait().unwrap();
    (seen, at)
}

#[test]
fn a_run_killed_during_the_write_leaves_the_previous_output_or_the_whole_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sorties")).unwrap();
    sample(&d.join("petit.xlsx"), 15, 1);
    sample(&d.join("big.xlsx"), 2_000, 7);
    let target = d.join("sorties/cible.xlsx");

    // The whole new output, for reference (outputs are deterministic), and its duration.
    std::fs::create_dir(d.join("reference")).unwrap();
    let start = Instant::now();
    let full = boussole(&["run", "big.xlsx", "-o", "reference/cible.xlsx", "-q"], d);
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let whole_run = start.elapsed();
    let full = std::fs::read(d.join("reference/cible.xlsx")).unwrap();

    // The previous output: from another input, so that it differs from the new one.
    let first = boussole(&["run", "petit.xlsx", "-o", "sorties/cible.xlsx", "-q"], d);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let previous = std::fs::read(&target).unwrap();
    assert_ne!(previous, full);

    // Kill at the temporary file's appearance (the write itself), then part-way through.
    let delays = [whole_run * 3, whole_run / 2, Duration::from_millis(5)];
    let mut saw_temporary = false;
    for delay in delays {
        let (seen, at) = killed_run(d, delay);
        saw_temporary |= seen;
        let now = std::fs::read(&target).expect("the target is never removed");
        eprintln!(
            "killed after {at:?} (temporary file seen: {seen}): target is the {} output",
            if now == full { "whole new" } else { "previous" }
        );
        assert!(
            now == previous || now == full,
            "killed after {delay:?}: the target holds {} bytes, neither the previous output \
             ({} bytes) nor the whole new one ({} bytes)",
            now.len(),
            previous.len(),
            full.len()
        );
        if now == full {
            // The rename had happened: put the previous output back for the next round.
            std::fs::write(&target, &previous).unwrap();
        }
    }
    if !saw_temporary {
        eprintln!("notice: the temporary file was never caught (the write window is short)");
    }
    // A temporary file left by SIGKILL can remain (no clean-up after SIGKILL); it is never
    // read: a later run in the same folder succeeds and replaces the target whole.
    let stale = temporaries(&d.join("sorties"));
    let again = boussole(
        &[
            "run",
            "big.xlsx",
            "-o",
            "sorties/cible.xlsx",
            "--force",
            "-q",
        ],
        d,
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(&target).unwrap(), full);
    for name in temporaries(&d.join("sorties")) {
        assert!(
            stale.contains(&name),
            "only stale temporaries from killed runs: {name}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 3. Inputs are never modified.
// ---------------------------------------------------------------------------------------

#[test]
fn no_command_modifies_its_input_and_the_input_is_refused_as_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input: PathBuf = d.join("region.xlsx");
    sample(&input, 30, 4);
    let before = sha(&input);
    let pack = boussole::pack::Pack::embedded().unwrap();
    let code = boussole::workbook::read_path(&input, &pack.manifest.columns)
        .unwrap()
        .structures[0]
        .id
        .to_string();

    let runs: Vec<Vec<&str>> = vec![
        vec!["run", "region.xlsx", "-q"],
        vec!["run", "region.xlsx", "--force", "-q"],
        vec!["run", "region.xlsx", "--force", "-q"],
        vec!["inspect", "region.xlsx"],
        vec!["check", "region.xlsx"],
        vec!["explain", "region.xlsx", "--structure", &code],
    ];
    for args in &runs {
        let out = boussole(args, d);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(sha(&input), before, "{args:?} modified the input");
    }

    for args in [
        vec!["run", "region.xlsx", "-o", "region.xlsx", "--force"],
        vec!["run", "region.xlsx", "-o", "./region.xlsx", "--force"],
        vec!["run", "region.xlsx", "--json", "region.xlsx", "--force"],
    ] {
        let out = boussole(&args, d);
        assert_eq!(out.status.code(), Some(5), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("boussole : ") && err.contains("ne modifie jamais ses entrées"),
            "{err}"
        );
        assert_eq!(sha(&input), before, "{args:?} modified the input");
    }
    assert!(temporaries(d).is_empty());
}
