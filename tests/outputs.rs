//! A run's outputs: every name valid on Windows and distinct once case is ignored, JSON and
//! per-structure outputs of batches included; and all or nothing per input (a failed
//! input leaves nothing new behind, and its rerun is not refused).

mod common;
use common::{boussole, field_csv, names, sample, stderr};

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every entry under `dir` (files and folders), as paths relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Windows cannot create these: a reserved device name before the first dot, a trailing
/// dot or space, a forbidden character.
fn invalid_on_windows(name: &str) -> bool {
    let first = name.split('.').next().unwrap().trim_end().to_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&first.as_str())
        || ((first.starts_with("COM") || first.starts_with("LPT"))
            && first.len() == 4
            && first.as_bytes()[3].is_ascii_digit());
    reserved
        || name.ends_with(['.', ' '])
        || name
            .chars()
            .any(|c| c.is_control() || "<>:\"/\\|?*".contains(c))
}

/// No two entries of one folder are the same file on a case-insensitive file system, and
/// every name is valid on Windows.
fn assert_portable_and_distinct(dir: &Path) {
    let entries = tree(dir);
    let mut seen = HashSet::new();
    for rel in &entries {
        let name = rel.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!invalid_on_windows(&name), "invalid on Windows: {rel:?}");
        let key = (rel.parent().map(Path::to_path_buf), name.to_lowercase());
        assert!(
            seen.insert(key),
            "two entries collide once case is ignored: {rel:?}"
        );
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn batch_outputs_are_distinct_once_case_is_ignored_and_valid_on_windows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inputs = d.join("entrees");
    std::fs::create_dir_all(inputs.join("autre")).unwrap();
    let csv = field_csv(&[2024], &common::FIELD_STRUCTURES[..5]);
    sample(&inputs.join("y.xlsx"), 6, 1);
    std::fs::write(inputs.join("y.csv"), &csv).unwrap();
    sample(&inputs.join("autre/Y.xlsx"), 7, 2);
    sample(&inputs.join("CON.xlsx"), 8, 3);
    std::fs::write(inputs.join("nul.csv"), &csv).unwrap();
    let out = boussole(
        &[
            "run",
            "entrees",
            "--recursive",
            "--out-dir",
            "sorties",
            "--json",
            "json",
            "--per-structure",
            "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_portable_and_distinct(&d.join("sorties"));
    assert_portable_and_distinct(&d.join("json"));
    let top = names(&d.join("sorties"));
    assert_eq!(
        top.iter().filter(|n| n.ends_with("-boussole.xlsx")).count(),
        5,
        "{top:?}"
    );
    assert_eq!(
        top.iter().filter(|n| n.ends_with("-structures")).count(),
        5,
        "{top:?}"
    );
    // Each input has its own JSON: five files naming five different inputs (the two
    // `y.xlsx`, `Y.xlsx` and `y.csv` included).
    let files = names(&d.join("json"));
    assert_eq!(files.len(), 5, "{files:?}");
    let read: HashSet<(String, usize)> = files
        .iter()
        .map(|f| {
            let doc = json(&d.join("json").join(f));
            (
                doc["input"]["file"].as_str().unwrap().to_string(),
                doc["structures"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(read.len(), 5, "{read:?}");
    let mut counts: Vec<usize> = top
        .iter()
        .filter(|n| n.ends_with("-structures"))
        .map(|f| names(&d.join("sorties").join(f)).len())
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [5, 5, 6, 7, 8],
        "each input's own per-structure workbooks"
    );
    // The same batch again, with --force: the same names (deterministic), nothing added.
    let again = boussole(
        &[
            "run",
            "entrees",
            "--recursive",
            "--out-dir",
            "sorties",
            "--json",
            "json",
            "--per-structure",
            "-q",
            "--force",
        ],
        d,
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(names(&d.join("sorties")), top);
    assert_eq!(names(&d.join("json")), files);
}

#[test]
fn per_structure_names_are_distinct_once_case_is_ignored_and_never_reserved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `A` named « b » and `A-B` without a usable name: `A-b.xlsx` and `A-B.xlsx`, one
    // file on NTFS or APFS; `CON`, `com1` and `Nul` without a name: reserved on Windows.
    let structures = [
        ("A", "b", "Bretagne"),
        ("A-B", "—", "Bretagne"),
        ("CON", "—", "Bretagne"),
        ("com1", "—", "Bretagne"),
        ("Nul", "—", "Normandie"),
        ("22278", "Mission locale de Saint-Brieuc", "Bretagne"),
    ];
    std::fs::write(d.join("codes.csv"), field_csv(&[2024], &structures)).unwrap();
    let out = boussole(&["run", "codes.csv", "--per-structure", "-q"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = d.join("codes-structures");
    assert_portable_and_distinct(&folder);
    let written = names(&folder);
    assert_eq!(written.len(), structures.len(), "{written:?}");
    assert!(written.contains(&"CON_.xlsx".to_string()), "{written:?}");
}

/// A tmpfs of `bytes` mounted on a fresh folder, unmounted when dropped; `None` where
/// mounting is not permitted (not root, or a container without the capability).
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(bytes: u64) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(Tmpfs(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn resize(&self, bytes: u64) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,size={bytes}")])
            .arg(self.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).output();
    }
}

/// Sizes of one run's outputs, measured in a scratch folder: (JSON and per-structure
/// workbooks together, annotated workbook).
fn output_sizes(d: &Path) -> (u64, u64) {
    let scratch = d.join("mesure");
    std::fs::create_dir(&scratch).unwrap();
    let out = boussole(
        &[
            "run",
            "region.xlsx",
            "-o",
            "mesure/a.xlsx",
            "--json",
            "mesure/a.json",
            "--per-structure",
            "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let page = |n: u64| n.div_ceil(4096) * 4096;
    let size = |p: &Path| page(std::fs::metadata(p).unwrap().len());
    let structures: u64 = tree(&scratch.join("region-structures"))
        .iter()
        .map(|f| size(&scratch.join("region-structures").join(f)))
        .sum();
    let small = structures + size(&scratch.join("a.json"));
    (small, size(&scratch.join("a.xlsx")))
}

/// `run INPUT -o a.xlsx --per-structure` (and `--json a.json`), in the target folder.
fn run_into_target(input: &Path, json: bool) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_boussole"));
    command
        .arg("run")
        .arg(input)
        .args(["-o", "a.xlsx", "--per-structure", "-q"]);
    if json {
        command.args(["--json", "a.json"]);
    }
    command
}

/// The failed run left nothing new in `target` and no temporary file's name in its
/// message, and the rerun (once the cause is gone) is not refused.
fn assert_nothing_left_and_rerun_succeeds(
    target: &Path,
    err: &str,
    rerun: impl FnOnce(),
    written: &[&str],
) {
    assert!(
        !err.contains(".boussole-"),
        "a temporary file is named: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        tree(target).is_empty(),
        "the failed run left {:?}",
        tree(target)
    );
    rerun();
    assert_eq!(names(target), written);
}

#[test]
fn a_full_disk_leaves_nothing_new_behind_and_the_rerun_is_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("region.xlsx"), 25, 4);
    let (small, annotated) = output_sizes(d);
    // Room for the JSON and the per-structure workbooks, not for the annotated workbook.
    let room = small + annotated / 2;
    let Some(disk) = Tmpfs::mount(room) else {
        // Mounting is not permitted here: the same failure, simulated by a file size limit
        // (`a_write_error_while_assembling_leaves_nothing_new_behind` does that too).
        eprintln!("tmpfs cannot be mounted: the full disk is simulated by a file size limit");
        return a_write_error_while_assembling_leaves_nothing_new_behind();
    };
    let target = disk.path().join("sortie");
    std::fs::create_dir(&target).unwrap();
    let out = run_into_target(&d.join("region.xlsx"), true)
        .current_dir(&target)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("« a.xlsx »") && err.contains("disque plein"),
        "the annotated workbook is the one that did not fit: {err}"
    );
    assert_nothing_left_and_rerun_succeeds(
        &target,
        &err,
        || {
            disk.resize(64 * 1024 * 1024);
            let out = run_into_target(&d.join("region.xlsx"), true)
                .current_dir(&target)
                .output()
                .unwrap();
            assert!(out.status.success(), "rerun refused: {}", stderr(&out));
        },
        &["a.json", "a.xlsx", "region-structures"],
    );
}

#[test]
fn a_write_error_while_assembling_leaves_nothing_new_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("region.xlsx"), 25, 5);
    let (_, annotated) = output_sizes(d);
    let folder = d.join("mesure/region-structures");
    let largest = tree(&folder)
        .iter()
        .map(|f| std::fs::metadata(folder.join(f)).unwrap().len())
        .max()
        .unwrap();
    assert!(largest < annotated / 2, "{largest} {annotated}");
    // A file size limit (RLIMIT_FSIZE, its signal ignored so that writes fail with
    // EFBIG) between the per-structure workbooks' size and the annotated workbook's (or
    // its streamed sheets'): the per-structure workbooks are written, the annotated
    // workbook cannot be assembled or written.
    let limit_kib = (largest + annotated / 2) / 1024 + 1;
    let target = d.join("sortie");
    std::fs::create_dir(&target).unwrap();
    let plain = run_into_target(&d.join("region.xlsx"), false);
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {limit_kib}; exec \"$0\" \"$@\""
        ))
        .arg(plain.get_program())
        .args(plain.get_args())
        .current_dir(&target)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.starts_with("boussole : "), "{err}");
    assert_nothing_left_and_rerun_succeeds(
        &target,
        &err,
        || {
            let out = run_into_target(&d.join("region.xlsx"), false)
                .current_dir(&target)
                .output()
                .unwrap();
            assert!(out.status.success(), "rerun refused: {}", stderr(&out));
        },
        &["a.xlsx", "region-structures"],
    );
}

#[test]
fn a_failed_input_of_a_batch_leaves_nothing_and_the_others_are_whole() {
    // The annotated workbook of `b` cannot be moved in (a folder stands at its name): its
    // JSON and per-structure workbooks, written before, are taken back; `a` is whole.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("entrees")).unwrap();
    sample(&d.join("entrees/a.xlsx"), 6, 1);
    sample(&d.join("entrees/b.xlsx"), 6, 2);
    std::fs::create_dir_all(d.join("sorties/b-boussole.xlsx")).unwrap();
    let out = boussole(
        &[
            "run",
            "entrees",
            "--out-dir",
            "sorties",
            "--json",
            "json",
            "--per-structure",
            "--force",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(
        names(&d.join("sorties")),
        ["a-boussole.xlsx", "a-structures", "b-boussole.xlsx"]
    );
    assert!(tree(&d.join("sorties/b-boussole.xlsx")).is_empty());
    assert_eq!(names(&d.join("json")), ["a.json"]);
    assert_eq!(names(&d.join("sorties/a-structures")).len(), 6);
}
