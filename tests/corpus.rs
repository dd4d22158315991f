//! Every spreadsheet of the shared corpus (`../shared/corpus/`, made by other people) gets a
//! correct read or one clear refusal: never a panic, a hang or a runaway allocation.
//! Ignored by default (the corpus lives outside the repository): run with
//! `cargo test --release -- --ignored`; then a missing corpus fails the test.

use boussole::error::exit;
use boussole::pack::Pack;
use std::path::{Path, PathBuf};

/// The corpus folder; fails the test when it is absent.
fn corpus() -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is absent ({}): this test needs ../shared/corpus beside the checkout",
        corpus.display()
    );
    corpus
}

/// Every file under `dir`, recursively, in name order (the corpus' LICENSE and README.md
/// aside); fails the test when the corpus holds none.
fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    files(dir, &mut paths);
    assert!(!paths.is_empty(), "no file in {}", dir.display());
    paths
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{} unreadable: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files(&path, out);
        } else if !matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("LICENSE" | "README.md")
        ) {
            out.push(path);
        }
    }
}

#[test]
#[ignore = "needs ../shared/corpus (run with --include-ignored)"]
fn every_corpus_file_is_read_or_refused_clearly() {
    let corpus = corpus();
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    let paths = corpus_files(&corpus);
    let (mut read, mut refused) = (0, 0);
    for path in &paths {
        match boussole::workbook::read_path(path, &columns) {
            Ok(data) => {
                read += 1;
                println!(
                    "{} : lu, {} structure(s)",
                    path.display(),
                    data.structures.len()
                );
            }
            Err(message) if message.exit_code() == exit::INPUT => {
                let message = message.to_string();
                refused += 1;
                assert!(!message.is_empty());
                assert!(!message.contains('\n') || message.lines().count() < 5);
                println!("{} : refusé — {message}", path.display());
            }
            Err(other) => panic!("{} : unexpected error kind {other:?}", path.display()),
        }
    }
    println!("{} fichiers : {read} lus, {refused} refusés", paths.len());
}

/// The same files through `boussole run`, as one batch (every spreadsheet of the corpus,
/// recursively): the process ends, names every file in its summary, writes an annotated
/// workbook for each file it could read, and never panics.
#[test]
#[ignore = "needs ../shared/corpus (run with --include-ignored)"]
fn every_corpus_file_goes_through_run() {
    let corpus = corpus();
    let out = tempfile::tempdir().expect("tempdir");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
        .arg("run")
        .arg(&corpus)
        .args(["--recursive", "--out-dir"])
        .arg(out.path())
        .output()
        .expect("boussole runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "{stderr}"
    );
    assert!(
        matches!(run.status.code(), Some(0 | 3)),
        "{:?} {stderr}",
        run.status
    );
    let paths = corpus_files(&corpus);
    let spreadsheets: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_lowercase();
            ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"].contains(&ext.as_str())
        })
        .collect();
    assert!(
        !spreadsheets.is_empty(),
        "no spreadsheet in {}",
        corpus.display()
    );
    for p in &spreadsheets {
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(
            stdout.contains(name.as_ref()),
            "{name} missing from the summary"
        );
    }
    let written = std::fs::read_dir(out.path()).unwrap().count();
    let succeeded = stdout
        .lines()
        .filter(|l| l.contains("-boussole.xlsx"))
        .count();
    assert_eq!(written, succeeded, "one output per file read");
}
