//! The analysis as a specification: properties over generated datasets, and an end-to-end
//! check of the JSON results on the sample workbook against an independent computation.

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::{FindingKind, Results};
use boussole::dataset::{
    Dataset, Missing, MissingOperand, Observation, Operand, Structure, StructureId, Value,
};
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn compiled() -> CompiledPack {
    CompiledPack::compile(&Pack::embedded().expect("embedded pack")).expect("compiles")
}

/// A structure with the access-to-employment inputs and some context.
fn structure(
    code: &str,
    region: &str,
    employed: f64,
    accompanied: f64,
    unemployment: f64,
) -> Structure {
    let mut values = BTreeMap::new();
    for (k, v) in [
        ("jeunes_en_emploi", employed),
        ("jeunes_accompagnes", accompanied),
        ("taux_chomage_jeunes", unemployment),
        ("part_sans_diplome", 0.1 + unemployment / 2.0),
        ("part_qpv", 0.05 + (code.len() as f64) / 100.0),
        ("densite", 100.0 + accompanied / 10.0),
        ("population_16_25", accompanied * 8.0),
    ] {
        values.insert(
            k.to_string(),
            Observation {
                value: Value::Number(v),
                cell: None,
            },
        );
    }
    Structure {
        id: StructureId::new(code.to_string()),
        name: format!("Mission locale {code}"),
        region: region.to_string(),
        year: None,
        typology: None,
        values,
        id_cells: Vec::new(),
    }
}

fn dataset(rows: &[(f64, f64, f64)]) -> Dataset {
    let structures = rows
        .iter()
        .enumerate()
        .map(|(i, &(e, a, u))| {
            structure(
                &format!("{:05}", i + 1),
                if i % 3 == 0 { "Bretagne" } else { "Normandie" },
                e,
                a,
                u,
            )
        })
        .collect();
    Dataset {
        structures,
        ..Dataset::default()
    }
}

fn index(results: &Results, id: &str) -> usize {
    results.indicator_index(id).expect("indicator")
}

fn rows_strategy() -> impl Strategy<Value = Vec<(f64, f64, f64)>> {
    prop::collection::vec((50.0..900.0f64, 1000.0..3000.0f64, 0.1..0.4f64), 8..30)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn raising_a_higher_is_better_indicator_never_lowers_its_score(rows in rows_strategy(), target in 0usize..8, raise in 1.0..500.0f64) {
        let pack = compiled();
        let before = analyse(&dataset(&rows), &pack, &Overrides::default()).unwrap();
        let mut raised = rows.clone();
        raised[target].0 += raise;
        let after = analyse(&dataset(&raised), &pack, &Overrides::default()).unwrap();
        let i = index(&before, "taux_acces_emploi");
        let id = format!("{:05}", target + 1);
        let score = |r: &Results| r.structures.iter().find(|s| s.id.as_str() == id).unwrap().indicators[i].score;
        prop_assert!(score(&after).unwrap() >= score(&before).unwrap());
    }

    #[test]
    fn a_finding_never_contradicts_the_direction(rows in rows_strategy()) {
        let results = analyse(&dataset(&rows), &compiled(), &Overrides::default()).unwrap();
        for s in &results.structures {
            for (def, ind) in results.indicators.iter().zip(&s.indicators) {
                let Some(f) = &ind.finding else { continue };
                prop_assert!(def.judged(), "finding on a neutral or input indicator {}", def.id);
                let median = ind.frames[&boussole::pack::manifest::FrameKind::Region].summary.unwrap().median;
                let v = ind.value.unwrap();
                match f.kind {
                    FindingKind::Force => prop_assert!(v >= median, "force below the median"),
                    FindingKind::AxeDeProgres => prop_assert!(v <= median, "area for progress above the median"),
                    FindingKind::Vigilance => prop_assert!(v <= median, "watch above the median"),
                }
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_row_order(rows in rows_strategy(), seed in any::<u64>()) {
        let pack = compiled();
        let data = dataset(&rows);
        let mut shuffled = data.clone();
        // A deterministic permutation from the seed.
        let n = shuffled.structures.len();
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.structures.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = analyse(&data, &pack, &Overrides::default()).unwrap();
        let b = analyse(&shuffled, &pack, &Overrides::default()).unwrap();
        prop_assert_eq!(a.structures, b.structures);
        prop_assert_eq!(a.regions, b.regions);
    }
}

#[test]
fn a_region_of_one_structure_is_judged_on_the_labelled_national_fallback() {
    let mut data = dataset(&[
        (400.0, 1000.0, 0.2),
        (300.0, 1000.0, 0.3),
        (500.0, 1000.0, 0.25),
    ]);
    data.structures[0].region = "Corse".into();
    let results = analyse(&data, &compiled(), &Overrides::default()).unwrap();
    let i = index(&results, "taux_acces_emploi");
    let corse = results
        .structures
        .iter()
        .find(|s| s.region == "Corse")
        .unwrap();
    use boussole::pack::manifest::FrameKind;
    let frame = &corse.indicators[i].frames[&FrameKind::Region];
    // One value is under the pack's min_frame_n (5): the national frame stands in for the
    // region, and its label says so. National values 0.4, 0.3, 0.5: median 0.4, Q1 0.35,
    // Q3 0.45; 0.4 ranks (1 + 0.5) / 3 = 50.
    let sm = frame.summary.unwrap();
    assert_eq!((sm.n, sm.median), (3, 0.4));
    assert!((sm.q1 - 0.35).abs() < 1e-12 && (sm.q3 - 0.45).abs() < 1e-12);
    assert_eq!(frame.fallback, Some(FrameKind::National));
    assert_eq!(
        &*frame.label,
        "France, en repli (Corse : 1 valeur seulement)"
    );
    assert_eq!(frame.rank(), Some(50.0));
}

#[test]
fn a_value_that_cannot_be_derived_carries_its_reason() {
    let mut data = dataset(&[
        (400.0, 0.0, 0.2),
        (300.0, 1000.0, 0.3),
        (500.0, 1000.0, 0.25),
    ]);
    data.structures[1].values.insert(
        "jeunes_en_emploi".into(),
        Observation {
            value: Value::Missing(Missing::Marker("n.d.".into())),
            cell: None,
        },
    );
    data.structures[2].values.remove("jeunes_en_emploi");
    let results = analyse(&data, &compiled(), &Overrides::default()).unwrap();
    let i = index(&results, "taux_acces_emploi");
    let missing: Vec<Option<Missing>> = results
        .structures
        .iter()
        .map(|s| s.indicators[i].missing.as_deref().cloned())
        .collect();
    let numerator = |reason| {
        Missing::MissingOperand(Box::new(MissingOperand {
            operand: Operand::Numerator,
            id: "jeunes_en_emploi".into(),
            reason,
        }))
    };
    assert_eq!(
        missing,
        [
            Some(Missing::ZeroDenominator("jeunes_accompagnes".into())),
            Some(numerator(Missing::Marker("n.d.".into()))),
            Some(numerator(Missing::NoColumn)),
        ]
    );
    assert_eq!(
        missing[1].as_ref().map(Missing::describe).as_deref(),
        Some("numérateur « jeunes_en_emploi » manquant (marqueur de donnée manquante « n.d. »)")
    );
}

#[test]
fn axis_score_needs_two_thirds_of_its_weight() {
    // Only taux_acces_emploi (weight 2 of 7 on its axis) is computable: below two thirds.
    let results = analyse(
        &dataset(&[(400.0, 1000.0, 0.2), (300.0, 1000.0, 0.3)]),
        &compiled(),
        &Overrides::default(),
    )
    .unwrap();
    let axis = results
        .axes
        .iter()
        .position(|a| a.id == "emploi_formation")
        .unwrap();
    for s in &results.structures {
        assert_eq!(s.axes[axis].score, None, "données insuffisantes");
        assert!((s.axes[axis].coverage - 2.0 / 7.0).abs() < 1e-12);
    }
}

/// QUARTILE.INC computed here independently of the library.
fn quartile_inc(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[test]
fn sample_results_match_an_independent_computation() {
    use calamine::{Data, DataType, Reader, open_workbook_auto};
    let root = env!("CARGO_MANIFEST_DIR");
    let input = std::path::Path::new(root).join("workbooks/exemple-national.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = dir.path().join("r.xlsx");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args([
            "run",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--quiet",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();

    // Independent read of the sample: code, region, employed, accompanied.
    let mut wb = open_workbook_auto(&input).unwrap();
    let range = wb.worksheet_range("Indicateurs").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header_row = rows
        .iter()
        .position(|r| r.iter().any(|c| *c == "Code ML"))
        .unwrap();
    let col = |name: &str| rows[header_row].iter().position(|c| *c == name).unwrap();
    let (c_code, c_region, c_emp, c_acc) = (
        col("Code ML"),
        col("Région"),
        col("Jeunes en emploi"),
        col("Jeunes accompagnés"),
    );
    let mut rates: BTreeMap<String, (String, f64)> = BTreeMap::new();
    for r in &rows[header_row + 1..] {
        let (Some(e), Some(a)) = (r[c_emp].as_f64(), r[c_acc].as_f64()) else {
            continue;
        };
        if a > 0.0 {
            rates.insert(r[c_code].to_string(), (r[c_region].to_string(), e / a));
        }
    }
    let structures = doc["structures"].as_array().unwrap();
    assert_eq!(structures.len(), 440);
    let mut checked = 0;
    for s in structures {
        let id = s["id"].as_str().unwrap();
        let ind = &s["indicators"]["taux_acces_emploi"];
        let Some((region, rate)) = rates.get(id) else {
            assert!(ind["value"].is_null());
            continue;
        };
        assert!(
            (ind["value"].as_f64().unwrap() - rate).abs() < 1e-12,
            "{id}"
        );
        let mut regional: Vec<f64> = rates
            .values()
            .filter(|(r, _)| r == region)
            .map(|(_, v)| *v)
            .collect();
        let frame = &ind["frames"]["region"];
        // Regions with fewer than the pack's 5 values are judged on the national frame.
        if regional.len() < 5 {
            assert_eq!(frame["fallback"], "national", "{id}");
            regional = rates.values().map(|(_, v)| *v).collect();
        } else {
            assert!(frame["fallback"].is_null(), "{id}");
        }
        assert_eq!(frame["n"].as_u64().unwrap() as usize, regional.len());
        for (key, p) in [("q1", 0.25), ("median", 0.5), ("q3", 0.75)] {
            assert!(
                (frame[key].as_f64().unwrap() - quartile_inc(&regional, p)).abs() < 1e-12,
                "{id} {key}"
            );
        }
        let below = regional.iter().filter(|v| **v < *rate).count() as f64;
        let equal = regional.iter().filter(|v| **v == *rate).count() as f64;
        let rank = 100.0 * (below + 0.5 * equal) / regional.len() as f64;
        assert!(
            (ind["score"].as_f64().unwrap() - rank).abs() < 1e-9,
            "{id} score"
        );
        checked += 1;
    }
    assert!(checked > 400);
    assert!(doc["pack"]["hash"].as_str().unwrap().len() == 64);
    assert_eq!(doc["input"]["file"], "exemple-national.xlsx");
}

/// Two years of the same two structures: the latest is analysed, the previous one shown.
#[test]
fn two_years_give_previous_values_and_frames_per_year() {
    let mut data = dataset(&[(400.0, 1000.0, 0.2), (300.0, 1000.0, 0.3)]);
    let mut earlier = data.structures.clone();
    for (s, employed) in earlier.iter_mut().zip([350.0, 330.0]) {
        s.year = Some(2010);
        s.values.get_mut("jeunes_en_emploi").unwrap().value = Value::Number(employed);
    }
    for s in &mut data.structures {
        s.year = Some(2011);
    }
    data.structures.extend(earlier);
    let results = analyse(&data, &compiled(), &Overrides::default()).unwrap();
    assert_eq!(results.year, Some(2011));
    assert_eq!(results.structures.len(), 2);
    let i = index(&results, "taux_acces_emploi");
    let first = &results.structures[0];
    assert_eq!(first.indicators[i].value, Some(0.4));
    assert_eq!(first.indicators[i].previous, Some(0.35));
    // Frames hold only the year analysed: 0.4 and 0.3.
    let national = first.indicators[i].frames[&boussole::pack::manifest::FrameKind::National]
        .summary
        .unwrap();
    assert_eq!((national.n, national.min, national.max), (2, 0.3, 0.4));
    let second = &results.structures[1];
    assert_eq!(second.indicators[i].previous, Some(0.33));
}

/// One sheet per year, the year in the sheet name: read, then the latest year analysed
/// with the previous year's values and the change.
#[test]
fn a_workbook_with_one_sheet_per_year_gives_previous_values_and_changes() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deux-annees.xlsx");
    let mut wb = Workbook::new();
    let rows_by_year = [
        (
            "Indicateurs 2010",
            [
                ("01053", 500.0, 1000.0, 350.0),
                ("2A004", 200.0, 400.0, 100.0),
            ],
        ),
        (
            "Indicateurs 2011",
            [
                ("01053", 520.0, 1000.0, 400.0),
                ("2A004", 210.0, 400.0, 90.0),
            ],
        ),
    ];
    for (sheet_name, rows) in rows_by_year {
        let sheet = wb.add_worksheet();
        sheet.set_name(sheet_name).unwrap();
        for (c, h) in [
            "Code ML",
            "Nom de la mission locale",
            "Région",
            "Jeunes en premier accueil",
            "Jeunes accompagnés",
            "Jeunes en emploi",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (code, pa, acc, emp)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, *code).unwrap();
            sheet
                .write_string(r, 1, format!("Mission locale {code}"))
                .unwrap();
            sheet.write_string(r, 2, "Corse").unwrap();
            sheet.write_number(r, 3, *pa).unwrap();
            sheet.write_number(r, 4, *acc).unwrap();
            sheet.write_number(r, 5, *emp).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let pack = Pack::embedded().unwrap();
    let data = boussole::workbook::read_path(&path, &pack.manifest.columns).unwrap();
    assert_eq!(data.structures.len(), 4);
    let results = analyse(&data, &compiled(), &Overrides::default()).unwrap();
    assert_eq!(results.year, Some(2011));
    let i = index(&results, "taux_acces_emploi");
    let s = results
        .structures
        .iter()
        .find(|s| s.id.as_str() == "01053")
        .unwrap();
    assert_eq!(s.indicators[i].value, Some(0.4));
    assert_eq!(s.indicators[i].previous, Some(0.35));
    assert_eq!(s.indicators[i].cells[0].to_string(), "Indicateurs 2011!F2");
    let json = boussole::report::json::results_json(&results);
    let change = json["structures"][0]["indicators"]["taux_acces_emploi"]["change"]
        .as_f64()
        .unwrap();
    assert!((change - 0.05).abs() < 1e-12, "change in points: {change}");
    // Frames per year: 2011 only (0.4 and 0.225).
    let national = s.indicators[i].frames[&boussole::pack::manifest::FrameKind::National]
        .summary
        .unwrap();
    assert_eq!((national.n, national.min, national.max), (2, 0.225, 0.4));
}

/// A frame result serialises as it did when it held its frame's fields itself (label,
/// fallback, φ, summary, rank, in that order), though the frame's part is now shared by
/// every structure of the frame and read through.
#[test]
fn frame_results_serialise_with_their_shared_frame_fields_in_order() {
    use boussole::analysis::results::{FrameInfo, FrameResult};
    use boussole::analysis::stats::summarize;
    use std::sync::Arc;
    let info = Arc::new(FrameInfo {
        label: Arc::from("Bretagne"),
        fallback: None,
        phi: 1.5,
        summary: summarize(&[1.0, 2.0, 3.0]),
    });
    let a = FrameResult::new(Arc::clone(&info), Some(50.0));
    let b = FrameResult::new(Arc::clone(&info), Some(100.0));
    assert_eq!(
        (&*a.label, a.phi, b.summary.unwrap().n),
        ("Bretagne", 1.5, 3)
    );
    assert!(Arc::ptr_eq(a.info(), b.info()), "one frame, shared");
    let json = serde_json::to_string(&a).unwrap();
    assert!(
        json.starts_with(r#"{"label":"Bretagne","fallback":null,"phi":1.5,"summary":{"n":3,"#),
        "{json}"
    );
    assert!(json.ends_with(r#""rank":50.0}"#), "{json}");
}

/// The JSON written one structure at a time is byte for byte the whole tree pretty-printed:
/// on the national sample, on one region of it (`region` set) and with no structure.
#[test]
fn the_streamed_json_is_the_documents_pretty_print() {
    use boussole::report::json::{results_bytes, results_json};
    let root = env!("CARGO_MANIFEST_DIR");
    let input = std::path::Path::new(root).join("workbooks/exemple-national.xlsx");
    let pack = Pack::embedded().unwrap();
    let data = boussole::workbook::read_path_for(&input, &pack.manifest).unwrap();
    let results = analyse(&data, &compiled(), &Overrides::default()).unwrap();
    let whole = |r: &Results| {
        let mut b = serde_json::to_vec_pretty(&results_json(r)).unwrap();
        b.push(b'\n');
        b
    };
    assert_eq!(results_bytes(&results).unwrap(), whole(&results));
    let split = boussole::analysis::regional::Split::new(&results, &data);
    let bretagne = split.results("Bretagne");
    assert!(!bretagne.structures.is_empty());
    assert_eq!(results_bytes(&bretagne).unwrap(), whole(&bretagne));
    let mut none = results.clone();
    none.structures.clear();
    assert_eq!(results_bytes(&none).unwrap(), whole(&none));
}
