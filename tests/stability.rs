//! Stability under sampling noise (issue 18), on datasets built here (the generator of
//! tests/method.rs): a finding far from every cut-off holds in every resample; the reported
//! stability is the survival rate independent resampling done here observes; the same seed
//! gives the same bytes; `--stability` refuses what is not a number of resamples, in French.

mod common;

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::{FindingKind, Results};
use boussole::analysis::stability::{Resampling, measure};
use boussole::dataset::{Dataset, Structure, Value};
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use std::collections::BTreeMap;

use common::generated::*;

fn with_stability(data: &Dataset, compiled: &CompiledPack, resamples: usize, seed: u64) -> Results {
    let mut results = analyse(data, compiled, &Overrides::default()).expect("analysis");
    let stability = measure(
        data,
        None,
        compiled,
        &results,
        Resampling { resamples, seed },
    )
    .expect("resampling");
    results.stability = Some(stability);
    results
}

#[test]
fn a_finding_far_from_every_cut_off_holds_in_every_resample() {
    let mut rows = rows(20, 7);
    // A structure of 1,500 young people with 5 % access to employment, against about 40 %
    // elsewhere in the same context: an area for progress whatever the noise.
    rows[0].accompanied = 1500.0;
    rows[0].unemployment = 0.25;
    rows[0].no_diploma = 0.20;
    rows[0].access = 0.05;
    let compiled = compiled();
    let results = with_stability(&dataset(&rows), &compiled, 20, 1);
    let access = results.indicator_index("taux_acces_emploi").unwrap();
    let st = results.structure_stability(0).unwrap();
    assert_eq!(
        results.structures[0].indicators[access]
            .finding
            .as_ref()
            .map(|f| f.kind),
        Some(FindingKind::AxeDeProgres)
    );
    assert_eq!(st.findings[access], Some(1.0));
    assert_eq!(results.fragile_finding(0, access), None);
    // Every judged indicator with a value has a stability; a share of 20 resamples.
    for (i, def) in results.indicators.iter().enumerate() {
        let has = results.structures[0].indicators[i].value.is_some() && def.judged();
        assert_eq!(st.findings[i].is_some(), has, "{}", def.id);
        if let Some(share) = st.findings[i] {
            assert!((share * 20.0 - (share * 20.0).round()).abs() < 1e-9);
        }
    }
}

#[test]
fn a_finding_placed_on_its_cut_off_is_fragile() {
    let mut rows = rows(20, 7);
    rows[0].accompanied = 1500.0;
    rows[0].unemployment = 0.25;
    rows[0].no_diploma = 0.20;
    // The other structures of its region (the first 20 rows) count 6,000 young people each:
    // the cut-off (the region's first quartile) is then itself well measured, and what
    // moves the finding is the noise of the structure's own 1,500. With small frames of
    // noisy structures the cut-off moves too, and where it goes depends on how the values
    // near it happen to lie (measured: 0.25 with 300 to 1,500 young people each).
    for row in rows.iter_mut().take(20).skip(1) {
        row.accompanied = 6000.0;
    }
    let compiled = compiled();
    let kind = |rows: &[Row]| {
        let results = analyse(&dataset(rows), &compiled, &Overrides::default()).unwrap();
        let access = results.indicator_index("taux_acces_emploi").unwrap();
        results.structures[0].indicators[access]
            .finding
            .as_ref()
            .map(|f| f.kind)
    };
    // The cut-off, by bisection on the count of young people in employment: 75 of 1,500 is
    // an area for progress, 600 of 1,500 (about the median) is not.
    let (mut lo, mut hi) = (75.0, 600.0);
    let at = |k: f64, rows: &mut Vec<Row>| {
        rows[0].access = k / 1500.0;
        kind(rows)
    };
    assert_eq!(at(lo, &mut rows), Some(FindingKind::AxeDeProgres));
    assert_ne!(at(hi, &mut rows), Some(FindingKind::AxeDeProgres));
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if at(mid, &mut rows) == Some(FindingKind::AxeDeProgres) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // On the last count that still gives the finding, the noise of 1,500 young people
    // moves it to either side about as often.
    rows[0].access = lo / 1500.0;
    let results = with_stability(&dataset(&rows), &compiled, 200, 5);
    let access = results.indicator_index("taux_acces_emploi").unwrap();
    let share = results.structure_stability(0).unwrap().findings[access].unwrap();
    eprintln!("cut-off at {lo} of 1,500: stability {share}");
    assert!((0.35..=0.65).contains(&share), "{share}");
    assert_eq!(results.fragile_finding(0, access), Some(share));
}

/// The cells of one sheet of a workbook, as text.
fn sheet_texts(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn the_fiche_marks_a_fragile_finding_and_the_tables_carry_a_stability_column() {
    let mut rows = rows(20, 7);
    rows[0].accompanied = 1500.0;
    rows[0].access = 0.05;
    let data = dataset(&rows);
    let compiled = compiled();
    let pack = Pack::embedded().unwrap();
    let plain = analyse(&data, &compiled, &Overrides::default()).unwrap();
    let mut results = with_stability(&data, &compiled, 4, 1);
    let access = results.indicator_index("taux_acces_emploi").unwrap();
    // Made fragile here, to see how the writers show it.
    results.stability.as_mut().unwrap().structures[0].findings[access] = Some(0.62);
    let workbook = |r: &Results| {
        boussole::report::annotated::build_workbook(r, &data, &pack, None)
            .unwrap()
            .save()
            .unwrap()
    };
    let (with, without) = (workbook(&results), workbook(&plain));
    let fiche = sheet_texts(&with, "Fiche");
    let label = &results.indicators[access].label;
    let line = fiche
        .iter()
        .find(|r| r.first() == Some(label))
        .expect("indicator row");
    assert!(
        line.contains(&"Axe de progrès — fragile (0,62)".to_string()),
        "{line:?}"
    );
    let plain_fiche = sheet_texts(&without, "Fiche");
    assert!(!plain_fiche.iter().flatten().any(|c| c.contains("fragile")));
    for sheet in ["Indicateurs", "Priorités"] {
        let header = |bytes: &[u8]| sheet_texts(bytes, sheet)[0].clone();
        assert!(header(&with).contains(&"Stabilité".to_string()), "{sheet}");
        assert!(
            !header(&without).contains(&"Stabilité".to_string()),
            "{sheet}"
        );
    }
}

fn number(s: &Structure, id: &str) -> Option<f64> {
    match s.values.get(id).map(|o| &o.value) {
        Some(Value::Number(v)) => Some(*v),
        _ => None,
    }
}

fn put(s: &mut Structure, id: &str, v: f64) {
    if let Some(o) = s.values.get_mut(id) {
        o.value = Value::Number(v);
    }
}

#[test]
fn the_reported_stability_is_the_survival_rate_of_independent_resampling() {
    let data = dataset(&rows(30, 17));
    let compiled = compiled();
    let resamples = 40;
    let reported = with_stability(&data, &compiled, resamples, 2026);
    let base = judgements_with_a_value(&reported);
    // The mean reported stability of the findings made.
    let index: BTreeMap<String, usize> = reported
        .structures
        .iter()
        .enumerate()
        .map(|(k, s)| (s.id.to_string(), k))
        .collect();
    let made: Vec<&(String, usize)> = base
        .iter()
        .filter(|(_, f)| f.is_some())
        .map(|(k, _)| k)
        .collect();
    assert!(made.len() > 50, "{} findings", made.len());
    let mean_reported = made
        .iter()
        .map(|(id, i)| reported.structure_stability(index[id]).unwrap().findings[*i].unwrap())
        .sum::<f64>()
        / made.len() as f64;
    // Independent resampling, drawn here by other means: jeunes accompagnés Poisson (its
    // only rate, jeunes par ETP, has no value here: φ = 1), by a rounded normal; each
    // fraction's numerator binomial given it, trial by trial.
    let fractions = [
        ("jeunes_en_emploi", "jeunes_accompagnes"),
        ("jeunes_en_formation", "jeunes_accompagnes"),
    ];
    let mut draws = Draws(4242);
    let mut survived = 0usize;
    for _ in 0..resamples {
        let mut drawn = data.clone();
        for (s, observed) in drawn.structures.iter_mut().zip(&data.structures) {
            let n0 = number(observed, "jeunes_accompagnes").unwrap();
            let n = (n0 + n0.sqrt() * draws.normal(1.0)).round().max(0.0);
            put(s, "jeunes_accompagnes", n);
            for (num, _) in fractions {
                let p = number(observed, num).unwrap() / n0;
                let k = (0..n as usize).filter(|_| draws.uniform() < p).count();
                put(s, num, k as f64);
            }
        }
        let after =
            judgements_with_a_value(&analyse(&drawn, &compiled, &Overrides::default()).unwrap());
        survived += made
            .iter()
            .filter(|k| after.get(**k) == base.get(**k))
            .count();
    }
    let observed = survived as f64 / (made.len() * resamples) as f64;
    eprintln!("reported {mean_reported:.3}, observed {observed:.3}");
    assert!(
        (mean_reported - observed).abs() < 0.05,
        "reported {mean_reported}, observed {observed}"
    );
    assert!(observed < 0.999, "some findings must move: {observed}");
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let data = dataset(&rows(10, 5));
    let compiled = compiled();
    let bytes = |seed| {
        boussole::report::json::results_bytes(&with_stability(&data, &compiled, 6, seed)).unwrap()
    };
    let (a, b, c) = (bytes(9), bytes(9), bytes(10));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let text = String::from_utf8(a).unwrap();
    assert!(text.contains("\"stability\""), "stability in the JSON");
    // Without --stability, nothing of it.
    let plain = analyse(&data, &compiled, &Overrides::default()).unwrap();
    let plain = String::from_utf8(boussole::report::json::results_bytes(&plain).unwrap()).unwrap();
    assert!(!plain.contains("stability") && !plain.contains("rank_interval"));
}

#[test]
fn stability_refuses_what_is_not_a_number_of_resamples_in_french() {
    let dir = tempfile::tempdir().unwrap();
    common::sample(&dir.path().join("ml.xlsx"), 20, 3);
    for bad in ["0", "abc", "-3", "10001"] {
        let out = common::boussole(&["run", "ml.xlsx", "--stability", bad], dir.path());
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = common::stderr(&out);
        assert!(
            err.contains("le nombre de tirages de la stabilité (--stability) doit être un entier compris entre 1 et 10"),
            "{bad}: {err}"
        );
    }
    let out = common::boussole(&["run", "ml.xlsx", "--seed", "4"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("--stability"));
    assert!(!dir.path().join("ml-boussole.xlsx").exists());
    // A good value: the JSON carries the stabilities and the axes' rank intervals.
    let out = common::boussole(
        &["run", "ml.xlsx", "--stability", "3", "--json", "r.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(common::stdout(&out).contains("Stabilité sur 3 tirages (graine 2026)"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["stability"]["resamples"], 3);
    let axes = json["structures"][0]["axes"].as_object().unwrap();
    let interval = axes
        .values()
        .find_map(|a| a["rank_interval"].as_array())
        .expect("an interval");
    assert!(interval[0].as_u64().unwrap() <= interval[1].as_u64().unwrap());
}
