//! The stages of `boussole run` on the national sample (W1), one by one, and its I/O floor.
//! The whole runs on every workload (W1 to W4) are timed by `benches/run.sh`; the figures
//! are in docs/performance.md.
//!
//! Run: `cargo bench --bench stages` (about a minute).
//!
//! - `read`: `workbook::read_path` (guards, calamine, header matching, assembly);
//! - `analyse`: `analysis::analyse::analyse` (frames, statistics, peers, regression,
//!   scores and the rule evaluation);
//! - `evaluate`: the rule evaluation alone (both scripts over every structure, in
//!   parallel, on the views the analysis built), reported per script evaluation;
//! - `write`: `report::annotated::write_workbook` (the annotated workbook, in memory);
//! - `floor_read` / `floor_write`: calamine reading every sheet of the input, and
//!   rust_xlsxwriter writing the same content as boussole's output (see `support::Replay`).

mod support;

/// The binary's allocator (`src/main.rs`), so that stages and floor are measured as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("workbooks/exemple-national.xlsx");
    let (pack, compiled) = support::pack();
    let dataset = support::read(&input, &pack);
    let results = support::analyse_all(&dataset, &compiled);
    let views = support::ScriptViews::new(&results);
    let replay = support::Replay::capture(&support::write(&results, &dataset, &pack));

    let mut group = c.benchmark_group("w1");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.bench_function("read", |b| {
        b.iter(|| support::read(black_box(&input), &pack))
    });
    group.bench_function("analyse", |b| {
        b.iter(|| support::analyse_all(black_box(&dataset), &compiled))
    });
    group.bench_function("write", |b| {
        b.iter(|| support::write(black_box(&results), &dataset, &pack))
    });
    group.bench_function("floor_read", |b| {
        b.iter(|| support::calamine_read(black_box(&input)))
    });
    group.bench_function("floor_write", |b| b.iter(|| black_box(&replay).write()));
    group.throughput(Throughput::Elements(views.evaluations() as u64));
    group.bench_function("evaluate", |b| {
        b.iter(|| black_box(&views).evaluate(&compiled))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
