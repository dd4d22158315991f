//! A batch of 200 workbooks on every core: all annotated, each output whole and naming its
//! input, and the peak memory of the whole run bounded.
//!
//! Memory bound: the peak resident set of `boussole run` over the 200 workbooks (measured
//! with `/usr/bin/time -v`, « Maximum resident set size ») must stay under 1.5 Gio. A
//! batch peaks at about 41 Mio on 2 cores (debug build); the bound is deliberately generous
//! (more than 30 times that) so that it only catches memory that grows with the number of
//! workbooks, never a slow or busy machine. Without `/usr/bin/time` the run is
//! still checked and the memory assertion is skipped with a notice.

use calamine::{Data, Reader};
use std::path::Path;
use std::process::Command;

const WORKBOOKS: usize = 200;
const PEAK_RSS_LIMIT_KIB: u64 = 1536 * 1024;

fn generate(dir: &Path) {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for i in (t..WORKBOOKS).step_by(threads) {
                    let bytes =
                        boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
                            structures: 10 + i % 11,
                            seed: 1000 + i as u64,
                            ..Default::default()
                        })
                        .unwrap();
                    std::fs::write(dir.join(format!("classeur-{i:03}.xlsx")), bytes).unwrap();
                }
            });
        }
    });
}

/// Peak resident set in Kio from `/usr/bin/time -v`'s report.
fn peak_rss_kib(report: &str) -> Option<u64> {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn two_hundred_workbooks_on_every_core_are_all_annotated_within_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("classeurs");
    std::fs::create_dir(&inputs).unwrap();
    generate(&inputs);
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .to_string();
    let bin = env!("CARGO_BIN_EXE_boussole");
    let args = [
        "run",
        "classeurs",
        "--out-dir",
        "sorties",
        "--jobs",
        &jobs,
        "--quiet",
    ];
    let timer = Path::new("/usr/bin/time");
    let measured = timer.exists()
        && Command::new(timer)
            .args(["-v", "true"])
            .output()
            .is_ok_and(|o| o.status.success());
    let out = if measured {
        Command::new(timer)
            .arg("-v")
            .arg(bin)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    } else {
        eprintln!("notice: /usr/bin/time -v unavailable: peak memory not measured");
        Command::new(bin)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let mut outputs: Vec<String> = std::fs::read_dir(dir.path().join("sorties"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outputs.sort();
    let expected: Vec<String> = (0..WORKBOOKS)
        .map(|i| format!("classeur-{i:03}-boussole.xlsx"))
        .collect();
    assert_eq!(outputs, expected, "one output per input, no temporary file");

    for i in 0..WORKBOOKS {
        let path = dir
            .path()
            .join("sorties")
            .join(format!("classeur-{i:03}-boussole.xlsx"));
        let mut wb = calamine::open_workbook_auto(&path)
            .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
        let synthese = wb.worksheet_range("Synthèse").unwrap();
        let input = format!("classeur-{i:03}.xlsx");
        let stamp = synthese
            .rows()
            .find(|r| matches!(r.first(), Some(Data::String(s)) if s == "Fichier analysé"));
        assert_eq!(
            stamp.and_then(|r| r.get(1)).cloned(),
            Some(Data::String(input.clone())),
            "{}: the Synthèse names its input",
            path.display()
        );
        let count = synthese
            .rows()
            .find(|r| matches!(r.first(), Some(Data::String(s)) if s == "Structures analysées"));
        assert_eq!(
            count.and_then(|r| r.get(1)).cloned(),
            Some(Data::String((10 + i % 11).to_string())),
            "{}",
            path.display()
        );
    }

    if measured {
        let peak = peak_rss_kib(&stderr).expect("time -v reports the peak resident set");
        eprintln!(
            "peak resident set of the batch: {} Mio ({} jobs)",
            peak / 1024,
            jobs
        );
        assert!(
            peak < PEAK_RSS_LIMIT_KIB,
            "peak resident set {peak} Kio, beyond {PEAK_RSS_LIMIT_KIB} Kio"
        );
    }
}
