//! Every spreadsheet of the shared corpus (`../shared/corpus/`, made by other people) gets a
//! correct read or one clear refusal: never a panic, a hang or a runaway allocation.
//! Passes with a notice when the corpus is absent.

use boussole::error::exit;
use boussole::pack::Pack;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
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
fn every_corpus_file_is_read_or_refused_clearly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("corpus absent ({}) : test ignoré", corpus.display());
        return;
    }
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    let mut paths = Vec::new();
    files(&corpus, &mut paths);
    assert!(!paths.is_empty());
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
fn every_corpus_file_goes_through_run() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("corpus absent ({}) : test ignoré", corpus.display());
        return;
    }
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
    let mut paths = Vec::new();
    files(&corpus, &mut paths);
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
