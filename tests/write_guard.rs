//! No command writes onto a file it reads, whatever the path's spelling and even with
//! `--force`: each command is pointed at its own inputs, refuses with exit 5 and a French
//! message, and leaves the file as it was.

mod common;

use boussole::error::exit;
use common::{boussole, sample, stderr};
use std::path::Path;

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("file readable")
}

/// Runs boussole and checks the refusal: exit 5, the French message, `file` unchanged.
fn assert_refused(dir: &Path, args: &[&str], file: &Path) {
    let before = sha(file);
    let out = boussole(args, dir);
    assert_eq!(
        out.status.code(),
        Some(exit::OUTPUT),
        "{args:?} should be refused: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("boussole ne modifie jamais ses entrées"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        sha(file),
        before,
        "{} was modified by {args:?}",
        file.display()
    );
}

/// A national sample, its annotated workbook (a returned workbook for collect) and the
/// collected objectives.
fn setting() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sample(&dir.path().join("nat.xlsx"), 12, 5);
    let run = boussole(&["run", "nat.xlsx", "-q"], dir.path());
    assert!(run.status.success(), "{}", stderr(&run));
    let collect = boussole(
        &["collect", "nat-boussole.xlsx", "-o", "collecte.xlsx", "-q"],
        dir.path(),
    );
    assert!(collect.status.success(), "{}", stderr(&collect));
    dir
}

#[test]
fn run_never_writes_onto_its_input_reference_objectives_or_pack() {
    let dir = setting();
    let d = dir.path();
    assert_refused(
        d,
        &["run", "nat.xlsx", "-o", "./nat.xlsx", "--force"],
        &d.join("nat.xlsx"),
    );
    let reference = ["run", "nat-boussole.xlsx", "--reference", "nat.xlsx"];
    let args = [&reference[..], &["-o", "nat.xlsx", "--force"]].concat();
    assert_refused(d, &args, &d.join("nat.xlsx"));
    assert_refused(
        d,
        &[
            "run",
            "nat.xlsx",
            "--objectives",
            "collecte.xlsx",
            "-o",
            "collecte.xlsx",
            "--force",
        ],
        &d.join("collecte.xlsx"),
    );
    let export = boussole(&["rules", "export", "regles"], d);
    assert!(export.status.success(), "{}", stderr(&export));
    assert_refused(
        d,
        &[
            "run",
            "nat.xlsx",
            "--rules",
            "regles",
            "--json",
            "regles/pack.toml",
            "--force",
        ],
        &d.join("regles/pack.toml"),
    );
}

#[test]
fn a_symbolic_or_hard_link_to_an_input_is_the_input() {
    let dir = setting();
    let d = dir.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("nat.xlsx"), d.join("lien.xlsx")).unwrap();
        std::fs::hard_link(d.join("nat.xlsx"), d.join("dur.xlsx")).unwrap();
        assert_refused(
            d,
            &["run", "nat.xlsx", "-o", "lien.xlsx", "--force"],
            &d.join("nat.xlsx"),
        );
        assert_refused(
            d,
            &["run", "nat.xlsx", "-o", "dur.xlsx", "--force"],
            &d.join("nat.xlsx"),
        );
    }
}

#[test]
fn collect_never_writes_onto_a_returned_workbook() {
    let dir = setting();
    let d = dir.path();
    let returned = d.join("nat-boussole.xlsx");
    assert_refused(
        d,
        &["collect", ".", "-o", "nat-boussole.xlsx", "--force"],
        &returned,
    );
    assert_refused(
        d,
        &[
            "collect",
            "nat-boussole.xlsx",
            "-o",
            "autre.xlsx",
            "--json",
            "nat-boussole.xlsx",
            "--force",
        ],
        &returned,
    );
    assert!(
        !d.join("autre.xlsx").exists(),
        "nothing written when one output is refused"
    );
}

#[test]
fn impact_and_template_never_write_onto_what_they_read() {
    let dir = setting();
    let d = dir.path();
    assert_refused(
        d,
        &["impact", "nat.xlsx", "-o", "./nat.xlsx", "--force"],
        &d.join("nat.xlsx"),
    );
    let export = boussole(&["rules", "export", "regles"], d);
    assert!(export.status.success(), "{}", stderr(&export));
    let pack_toml = d.join("regles/pack.toml");
    // An output workbook must be named .xlsx (exit 2, nothing written): a pack file can
    // only be reached through another name, which the guard recognises.
    for args in [
        &[
            "template",
            "--rules",
            "regles",
            "-o",
            "regles/pack.toml",
            "--force",
        ][..],
        &[
            "impact",
            "nat.xlsx",
            "--rules-b",
            "regles",
            "-o",
            "regles/pack.toml",
            "--force",
        ][..],
    ] {
        let before = sha(&pack_toml);
        let out = boussole(args, d);
        assert_eq!(
            out.status.code(),
            Some(exit::USAGE),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(sha(&pack_toml), before);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&pack_toml, d.join("lien.xlsx")).unwrap();
        assert_refused(
            d,
            &[
                "template",
                "--rules",
                "regles",
                "-o",
                "lien.xlsx",
                "--force",
            ],
            &pack_toml,
        );
        assert_refused(
            d,
            &[
                "impact",
                "nat.xlsx",
                "--rules-b",
                "regles",
                "-o",
                "lien.xlsx",
                "--force",
            ],
            &pack_toml,
        );
    }
}
