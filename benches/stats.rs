//! Benchmarks of the statistical building blocks at the sizes the engine must handle:
//! a national frame (`summarize` on 100,000 values) and peer search on 10,000 and 100,000
//! structures of 5 context variables (far beyond the ~440 missions locales, to keep the
//! sub-quadratic promise honest).

use std::hint::black_box;

use boussole::analysis::peers::nearest_peers;
use boussole::analysis::stats::summarize;
use criterion::{Criterion, criterion_group, criterion_main};

/// Deterministic uniform values in [0, 1) (Knuth's MMIX LCG).
fn uniform_values(seed: u64, count: usize) -> Vec<f64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn context(rows: usize, vars: usize) -> Vec<Vec<Option<f64>>> {
    uniform_values(42, rows * vars)
        .chunks(vars)
        .map(|row| row.iter().map(|&v| Some(v)).collect())
        .collect()
}

fn bench_summarize(c: &mut Criterion) {
    let values = uniform_values(7, 100_000);
    c.bench_function("summarize 100k", |b| {
        b.iter(|| summarize(black_box(&values)))
    });
}

fn bench_nearest_peers(c: &mut Criterion) {
    let mut group = c.benchmark_group("nearest_peers k=10, 5 vars");
    group.sample_size(10);
    for rows in [10_000, 100_000] {
        let context = context(rows, 5);
        group.bench_function(format!("{rows} rows"), |b| {
            b.iter(|| nearest_peers(black_box(&context), 10))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_summarize, bench_nearest_peers);
criterion_main!(benches);
