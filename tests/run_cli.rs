//! `boussole run` as a user meets it: outputs next to the input, refusal to overwrite,
//! atomic writes with no litter, identical bytes for identical runs, inputs untouched.

mod common;
use common::{boussole, names, sample};

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `region.xlsx`: a sample of `structures` structures with the default seed.
fn sample_into(dir: &Path, structures: usize) -> PathBuf {
    let path = dir.join("region.xlsx");
    sample(
        &path,
        structures,
        boussole::sample::SampleOptions::default().seed,
    );
    path
}

#[test]
fn the_output_lands_next_to_the_input_and_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_into(dir.path(), 40);
    let hash_before = Sha256::digest(std::fs::read(&input).unwrap());
    let out = boussole(&["run", "region.xlsx"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = dir.path().join("region-boussole.xlsx");
    assert!(target.exists());
    let first = std::fs::read(&target).unwrap();

    let again = boussole(&["run", "region.xlsx"], dir.path());
    assert_eq!(again.status.code(), Some(5));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("--force") && err.starts_with("boussole : "),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), first, "kept as it was");

    let forced = boussole(&["run", "region.xlsx", "--force"], dir.path());
    assert!(forced.status.success());
    assert_eq!(
        std::fs::read(&target).unwrap(),
        first,
        "same input, pack and version: same bytes"
    );
    assert_eq!(
        Sha256::digest(std::fs::read(&input).unwrap()),
        hash_before,
        "input untouched"
    );
    assert_eq!(
        names(dir.path()),
        ["region-boussole.xlsx", "region.xlsx"],
        "no temporary file"
    );
}

#[test]
fn out_dir_and_json_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    sample_into(dir.path(), 30);
    std::fs::create_dir(dir.path().join("sorties")).unwrap();
    let out = boussole(
        &[
            "run",
            "region.xlsx",
            "--out-dir",
            "sorties",
            "--json",
            "r.json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("sorties/region-boussole.xlsx").exists());
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(doc["structures"].as_array().unwrap().len(), 30);
}

#[test]
fn a_failing_run_leaves_no_output_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    sample_into(dir.path(), 20);
    // A pack whose recommendations script loops forever: the run stops with the script's
    // place and writes nothing.
    let rules = dir.path().join("regles");
    for (path, content) in boussole::pack::EMBEDDED_CPO {
        let target = rules.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let content = if *path == "recommandations.rhai" {
            format!("{content}\nloop {{ }}\n")
        } else {
            content.to_string()
        };
        std::fs::write(target, content).unwrap();
    }
    let out = boussole(
        &[
            "run",
            "region.xlsx",
            "--rules",
            "regles",
            "--json",
            "r.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recommandations.rhai") && err.contains("opérations"),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["region.xlsx", "regles"]);
}

#[test]
fn an_unreadable_input_is_refused_with_one_french_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("faux.xlsx"), b"ceci n'est pas un classeur").unwrap();
    let out = boussole(&["run", "faux.xlsx"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("boussole : ") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["faux.xlsx"]);
}

/// Every cell of every sheet, as calamine reads it.
fn cells_of(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn without_a_usable_temporary_directory_the_large_sheets_are_kept_in_memory() {
    // Indicateurs and Objectifs stream their rows to temporary files; where none can
    // be made, the run still writes the same content.
    let dir = tempfile::tempdir().unwrap();
    sample_into(dir.path(), 30);
    let normal = boussole(&["run", "region.xlsx", "-o", "normal.xlsx"], dir.path());
    assert!(normal.status.success());
    let missing = dir.path().join("no-such-directory");
    let out = Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(["run", "region.xlsx", "-o", "in-memory.xlsx"])
        .current_dir(dir.path())
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (
        cells_of(&dir.path().join("normal.xlsx")),
        cells_of(&dir.path().join("in-memory.xlsx")),
    );
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter()
            .any(|(name, rows)| name == "Indicateurs" && rows.len() > 30)
    );
    assert_eq!(a, b);
}

/// A closed standard output (`| head -c 10`) ends quietly with exit 5, a full one (Linux
/// `/dev/full`) with a French message and exit 5: never a panic or a backtrace.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_or_full_standard_output_ends_with_exit_5_and_no_panic() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    // About 500 kB of JSON: more than a pipe holds, so the writer meets the closed end.
    common::sample(&dir.path().join("s.xlsx"), 200, 2);
    let mut child = Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(["inspect", "s.xlsx", "--json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.is_empty(), "a closed pipe ends quietly: {stderr}");

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(["inspect", "s.xlsx", "--json"])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("sortie standard impossible : disque plein"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Every help page is French: clap's own headings and default values included.
#[test]
fn every_help_page_is_french() {
    let dir = tempfile::tempdir().unwrap();
    let pages: [&[&str]; 12] = [
        &["--help"],
        &["run", "--help"],
        &["inspect", "--help"],
        &["check", "--help"],
        &["test", "--help"],
        &["explain", "--help"],
        &["rules", "--help"],
        &["rules", "export", "--help"],
        &["sample", "--help"],
        &["template", "--help"],
        &["impact", "--help"],
        &["collect", "--help"],
    ];
    for args in pages {
        let out = boussole(args, dir.path());
        assert!(out.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Utilisation : "), "{args:?}:\n{help}");
        for english in [
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "[default:",
            "<COMMAND>",
            "Print help",
        ] {
            assert!(
                !help.contains(english),
                "{args:?} shows « {english} »:\n{help}"
            );
        }
    }
}

/// Words of clap's or the OS's English that a French message never holds.
const ENGLISH: [&str; 16] = [
    "error",
    "invalid ",
    "is not",
    "expected",
    "found",
    "required",
    "Usage",
    "tip:",
    "unexpected",
    "value",
    "for more",
    "digit",
    "number",
    "Options:",
    "argument '",
    "permission denied",
];

/// Every subcommand's invalid values and usage mistakes: exit 2, one French message, no
/// English (clap's own texts are English: « 0 is not in 1..=256 », « invalid digit found
/// in string »), and an output whose extension is not the one written is refused.
#[test]
fn every_invalid_value_of_every_subcommand_is_refused_in_french_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    sample_into(dir.path(), 5);
    let cases: &[&[&str]] = &[
        &["run", "region.xlsx", "--jobs", "0"],
        &["run", "region.xlsx", "--jobs", "abc"],
        &["run", "region.xlsx", "-j", "300"],
        &["run", "region.xlsx", "--jobs"],
        &["run", "region.xlsx", "-o", "sortie.csv"],
        &["run", "region.xlsx", "-o", "sortie"],
        &["run", "region.xlsx", "-o", "sortie.xlsx/"],
        &["run", "region.xlsx", "-o", ""],
        &["run", "region.xlsx", "--json", "r.txt"],
        &["run", ".", "--json", "r.json"],
        &["run", "region.xlsx", "--bogus"],
        &["run", "region.xlsx", "--rules"],
        &["run", "region.xlsx", "-o", "a.xlsx", "--out-dir", "d"],
        &["run", "region.xlsx", "--merge=oui"],
        &["run"],
        &["inspect"],
        &["inspect", "region.xlsx", "autre.xlsx"],
        &["inspect", "region.xlsx", "--json=oui"],
        &["check", "a.xlsx", "b.xlsx"],
        &["test", "en-trop"],
        &["explain", "region.xlsx"],
        &["explain", "region.xlsx", "--structure"],
        &["rules", "importer"],
        &["rules", "export"],
        &["sample", "-o", "x.xlsx", "--structures", "0"],
        &["sample", "-o", "x.xlsx", "--structures", "beaucoup"],
        &["sample", "-o", "x.xlsx", "--years", "21"],
        &["sample", "-o", "x.xlsx", "--seed", "-1"],
        &["sample", "-o", "x.xlsx", "--seed", "abc"],
        &["sample", "-o", "x.xlsx", "--first-year", "3000"],
        &["sample", "-o", "x.ods"],
        &["sample"],
        &["template", "-o", "modele.csv"],
        &["template"],
        &["impact", "region.xlsx", "-o", "impact.json"],
        &["impact"],
        &["collect", "region.xlsx", "-o", "c.csv"],
        &["collect", "region.xlsx", "-o", "c.xlsx", "--json", "c.txt"],
        &["collect", "region.xlsx"],
        &["frobnicate"],
        &["rnu", "region.xlsx"],
    ];
    for args in cases {
        let out = boussole(args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("boussole : "), "{args:?}: {err}");
        for english in ENGLISH {
            assert!(
                !err.to_lowercase().contains(&english.to_lowercase()),
                "{args:?} shows « {english} »: {err}"
            );
        }
    }
    // Nothing was written by any of them.
    assert_eq!(names(dir.path()), ["region.xlsx"]);
    // The reasons are said.
    let out = boussole(&["run", "region.xlsx", "--jobs", "0"], dir.path());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entre 1 et 256"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = boussole(&["sample", "-o", "x.xlsx", "--seed", "-1"], dir.path());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("la graine (--seed) doit être un entier"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = boussole(&["run", "region.xlsx", "-o", "sortie.csv"], dir.path());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("« sortie.xlsx »"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Is this process root (Linux: `Uid:` of /proc/self/status)? Root is not refused by a
/// folder's permissions, so the permission test runs boussole as `nobody` then.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// OS errors are French and name the path the user gave, never a temporary file's.
#[cfg(target_os = "linux")]
#[test]
fn os_errors_are_french_and_name_the_users_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    sample_into(d, 5);
    std::fs::set_permissions(
        d.join("region.xlsx"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    // A folder that is a file.
    std::fs::write(d.join("notes"), b"x").unwrap();
    let out = boussole(&["run", "region.xlsx", "-o", "notes/a.xlsx"], d);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert_eq!(
        err,
        "boussole : « notes » n'est pas un dossier : la sortie ne peut pas y être écrite\n"
    );

    // A folder where writing is not permitted.
    std::fs::create_dir(d.join("lecture-seule")).unwrap();
    std::fs::set_permissions(
        d.join("lecture-seule"),
        std::fs::Permissions::from_mode(0o555),
    )
    .unwrap();
    let args = ["run", "region.xlsx", "-o", "lecture-seule/a.xlsx"];
    let out = if is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_boussole"))
            .args(args)
            .current_dir(d)
            .output()
            .expect("setpriv runs boussole as nobody")
    } else {
        boussole(&args, d)
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.starts_with("boussole : écriture de « lecture-seule/a.xlsx » impossible : permission refusée (détail technique : "),
        "{err}"
    );
    assert!(
        !err.contains(".boussole-") && !err.contains(".tmp"),
        "{err}"
    );
    assert!(names(&d.join("lecture-seule")).is_empty());
}

/// Recommendations that fire because data is missing are said in the run's summary.
#[test]
fn the_summary_says_which_recommendations_come_from_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = common::field_csv(&[2024], &common::FIELD_STRUCTURES)
        .replacen("Jeunes en emploi;", "Jeune en emplois;", 1)
        .replacen("Jeunes en formation;", "Jeune en formations;", 1);
    std::fs::write(d.join("terrain.csv"), csv).unwrap();
    let out = common::boussole(&["run", "terrain.csv"], d);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("recommandation"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!(
            "(dont {} parce que des données manquent : voir les avertissements de lecture)",
            common::FIELD_STRUCTURES.len()
        )),
        "{line}"
    );
    // With every column present, none.
    std::fs::write(
        d.join("complet.csv"),
        common::field_csv(&[2024], &common::FIELD_STRUCTURES),
    )
    .unwrap();
    let out = common::boussole(&["run", "complet.csv"], d);
    assert!(!common::stdout(&out).contains("parce que des données manquent"));
}
