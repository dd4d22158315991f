//! Times the stages of `boussole run` on one input, in one process (used by
//! `benches/run.sh` on every workload; the criterion benches in `benches/stages.rs` give
//! the same stages with confidence intervals on W1).
//!
//! ```text
//! cargo run --release --example stages -- stages INPUT [RUNS]
//! cargo run --release --example stages -- floor INPUT [RUNS] [OUTPUT]
//! cargo run --release --example stages -- analyse INPUT    # for memory profiles
//! cargo run --release --example stages -- same OUTPUT_A OUTPUT_B [LIMIT]
//! ```
//!
//! `stages` prints, per stage, the median over RUNS (default 5) in milliseconds:
//! `read evaluate analyse write total` where `analyse` is the whole analysis including the
//! rule evaluation and `evaluate` the rule evaluation alone (both scripts over every
//! structure), and the peak memory after each stage of the first run. `floor` captures the
//! content of OUTPUT (boussole's output for INPUT; when not given, it runs boussole once,
//! untimed, to make it), then prints the median floor time (`floor_read floor_write
//! floor`): calamine reading every sheet of the input, rust_xlsxwriter writing the
//! captured content.

#[path = "../benches/support/mod.rs"]
mod support;

/// The binary's allocator (`src/main.rs`), so that stages and floor are measured as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::Instant;

/// Peak resident memory so far (Linux `VmHWM`), in MB; 0 elsewhere.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Resets the peak resident memory to the current one (Linux `clear_refs`), so that a
/// later [`peak_mb`] is the peak of what ran in between.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage =
        "usage: stages (stages INPUT [RUNS] | floor INPUT [RUNS] [OUTPUT] | same A B [LIMIT])";
    let mode = args.get(1).expect(usage).as_str();
    let input = Path::new(args.get(2).expect(usage));
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let (pack, compiled) = support::pack();
    match mode {
        "stages" => {
            let mut times: [Vec<f64>; 5] = Default::default();
            let mut peaks = [0.0; 3];
            for run in 0..runs {
                let start = Instant::now();
                let t = Instant::now();
                let dataset = support::read(input, &pack);
                times[0].push(ms(t));
                if run == 0 {
                    peaks[0] = peak_mb();
                }
                let t = Instant::now();
                let results = support::analyse_all(&dataset, &compiled);
                times[2].push(ms(t));
                if run == 0 {
                    peaks[1] = peak_mb();
                }
                let t = Instant::now();
                let bytes = support::write(&results, &dataset, &pack);
                times[3].push(ms(t));
                if run == 0 {
                    peaks[2] = peak_mb();
                }
                times[4].push(ms(start));
                std::hint::black_box(bytes);
                let views = support::ScriptViews::new(&results);
                let t = Instant::now();
                std::hint::black_box(views.evaluate(&compiled));
                times[1].push(ms(t));
            }
            let [read, evaluate, analyse, write, total] = times.map(median);
            println!(
                "read={read:.1} evaluate={evaluate:.1} analyse={analyse:.1} write={write:.1} total={total:.1} \
                 peak_after_read_mb={:.0} peak_after_analyse_mb={:.0} peak_after_write_mb={:.0}",
                peaks[0], peaks[1], peaks[2]
            );
        }
        "floor" => {
            // The content: an output already written (argument 4), else one written now.
            let output = match args.get(4) {
                Some(path) => std::fs::read(path).expect("output reads"),
                None => {
                    let dataset = support::read(input, &pack);
                    let results = support::analyse_all(&dataset, &compiled);
                    support::write(&results, &dataset, &pack)
                }
            };
            let replay = support::Replay::capture(&output);
            drop(output);
            let mut times: [Vec<f64>; 3] = Default::default();
            reset_peak();
            let before = peak_mb();
            for _ in 0..runs {
                let t = Instant::now();
                std::hint::black_box(support::calamine_read(input));
                times[0].push(ms(t));
                let t = Instant::now();
                std::hint::black_box(replay.write());
                times[1].push(ms(t));
                times[2].push(times[0].last().unwrap() + times[1].last().unwrap());
            }
            let [read, write, total] = times.map(median);
            println!(
                "floor_read={read:.1} floor_write={write:.1} floor={total:.1} floor_peak_extra_mb={:.0} content={:?}",
                peak_mb() - before,
                replay.counts()
            );
        }
        // Two outputs of the same input (e.g. before and after an optimisation): is their
        // content the same? Exits 1 and lists the differences when not.
        "same" => {
            let read = |p: &str| support::Replay::capture(&std::fs::read(p).expect("output reads"));
            let (a, b) = (read(&args[2]), read(args.get(3).expect(usage)));
            let limit = args.get(4).and_then(|l| l.parse().ok()).unwrap_or(20);
            let differences = a.differences(&b, limit);
            if differences.is_empty() {
                println!("same content: {:?}", a.counts());
            } else {
                for d in &differences {
                    println!("{d}");
                }
                std::process::exit(1);
            }
        }
        // Read and analyse only, once: for memory profiles of the analysis
        // (`valgrind --tool=massif`).
        "analyse" => {
            let dataset = support::read(input, &pack);
            let results = support::analyse_all(&dataset, &compiled);
            println!(
                "structures={} peak_mb={:.0}",
                results.structures.len(),
                peak_mb()
            );
        }
        _ => panic!("{usage}"),
    }
}
