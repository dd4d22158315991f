//! A rule script from the input, in place of one script of the embedded pack: loading,
//! compiling and evaluating it over three structures give results or an error, never a
//! panic nor a hang.
//!
//! The first byte chooses the script replaced (even: `constats.rhai`, the findings script;
//! odd: `recommandations.rhai`); the rest is the script text (UTF-8, lossily). Evaluation
//! runs under a short time budget and a lower operations limit than the default so a
//! looping script costs little; the code paths stopping it are the same.

#![no_main]

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::dataset::{Dataset, Observation, Structure, StructureId, Value};
use boussole::pack::engine::{CompiledPack, Limits};
use boussole::pack::{EMBEDDED_CPO, Origin, Pack};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

fn limits() -> Limits {
    Limits {
        max_operations: 100_000,
        time_budget: Duration::from_millis(200),
        ..Limits::default()
    }
}

/// Three structures, two in one region, every numeric column of the embedded pack valued
/// (different values so frames, scores and findings have something to judge).
fn dataset() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| {
        let pack = Pack::embedded().expect("embedded pack");
        let numeric: Vec<String> = pack
            .manifest
            .columns
            .iter()
            .filter(|c| c.role.is_numeric())
            .map(|c| c.id.clone())
            .collect();
        let structures = [
            ("00001", "Bretagne"),
            ("00002", "Bretagne"),
            ("00003", "Corse"),
        ]
        .iter()
        .enumerate()
        .map(|(k, (code, region))| Structure {
            id: StructureId::new(code.to_string()),
            name: format!("Mission locale {code}"),
            region: region.to_string(),
            year: None,
            typology: None,
            values: numeric
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let value = 10.0 + (i as f64) * 7.0 + (k as f64) * 13.0 * (i % 3) as f64;
                    let value = if id.starts_with("taux_") || id.starts_with("part_") {
                        (value % 100.0) / 100.0
                    } else {
                        value
                    };
                    (
                        id.clone(),
                        Observation {
                            value: Value::Number(value),
                            cell: None,
                        },
                    )
                })
                .collect(),
            id_cells: Vec::new(),
        })
        .collect();
        Dataset {
            structures,
            ..Dataset::default()
        }
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let script = if selector % 2 == 0 {
        "constats.rhai"
    } else {
        "recommandations.rhai"
    };
    let mut files: BTreeMap<String, String> = EMBEDDED_CPO
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    files.insert(script.into(), String::from_utf8_lossy(rest).into_owned());
    let pack = Pack::from_files(files, Origin::Embedded).expect("the embedded manifest loads");
    let Ok(compiled) = CompiledPack::compile_with_limits(&pack, limits()) else {
        return;
    };
    let _ = analyse(dataset(), &compiled, &Overrides::default());
});
