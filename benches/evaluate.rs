//! Evaluating the default pack over the sample workbook (read once): the whole analysis,
//! and the script evaluations alone expressed per second in docs/performance.md.
//!
//! Run: `cargo bench --bench evaluate`

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let pack = Pack::embedded().expect("embedded pack");
    let compiled = CompiledPack::compile(&pack).expect("compiles");
    let input =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workbooks/exemple-national.xlsx");
    let dataset =
        boussole::workbook::read_path(&input, &pack.manifest.columns).expect("sample reads");
    let results = analyse(&dataset, &compiled, &Overrides::default()).expect("analyses");
    // One findings evaluation per judged indicator with a value, one recommendations
    // evaluation per structure.
    let evaluations: usize = results
        .structures
        .iter()
        .map(|s| {
            1 + results
                .indicators
                .iter()
                .zip(&s.indicators)
                .filter(|(d, i)| d.judged() && i.value.is_some())
                .count()
        })
        .sum();
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(evaluations as u64));
    group.bench_function("analyse_sample_440", |b| {
        b.iter(|| analyse(black_box(&dataset), &compiled, &Overrides::default()).expect("analyses"))
    });
    group.bench_function("compile_pack", |b| {
        b.iter(|| CompiledPack::compile(black_box(&pack)).expect("compiles"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
