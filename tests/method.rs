//! The method means what it says (issue 17), on datasets built here: expected values from
//! models that explain something, each structure left out of its own prediction; frames too
//! small to judge by replaced by a labelled fallback; a region whose results are depressed
//! everywhere gets its regional priority from the national frame.

mod common;

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::{FindingKind, Results};
use boussole::dataset::{Dataset, Observation, Structure, Value};
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use boussole::pack::manifest::FrameKind;
use std::collections::BTreeMap;

use common::generated::*;

fn run(data: &Dataset) -> Results {
    analyse(data, &compiled(), &Overrides::default()).expect("analysis")
}

fn index(results: &Results, id: &str) -> usize {
    results.indicator_index(id).expect("indicator")
}

#[test]
fn a_pure_noise_outcome_gets_no_expected_value_and_says_why() {
    let results = run(&dataset(&rows(20, 7)));
    let training = index(&results, "taux_formation");
    let access = index(&results, "taux_acces_emploi");

    let model = results.indicators[training].model.as_ref().expect("fitted");
    assert!(model.adj_r2 < 0.10, "noise explains nothing: {model:?}");
    let why = model.gated.as_deref().expect("gated");
    assert!(why.contains("explique trop peu"), "{why}");
    assert!(
        results
            .structures
            .iter()
            .all(|s| s.indicators[training].expected.is_none())
    );
    assert!(results.diagnostics.iter().any(|d| {
        d.message
            .starts_with("valeur attendue non calculée pour « Taux d'accès à la formation »")
    }));

    let model = results.indicators[access].model.as_ref().expect("fitted");
    assert!(model.gated.is_none() && model.adj_r2 > 0.3, "{model:?}");
    assert_eq!((model.n, model.predictors), (200, 4));
    assert!(
        results
            .structures
            .iter()
            .all(|s| s.indicators[access].expected.is_some())
    );
}

#[test]
fn too_few_observations_per_predictor_gate_the_model() {
    // 3 regions of 10: 30 structures for 4 context variables, under the pack's 10 each.
    let rows: Vec<Row> = rows(10, 11).into_iter().take(30).collect();
    let results = run(&dataset(&rows));
    let access = index(&results, "taux_acces_emploi");
    let why = results.indicators[access]
        .model
        .as_ref()
        .unwrap()
        .gated
        .clone();
    assert_eq!(
        why.as_deref(),
        Some("30 observations pour 4 variables de contexte : il en faut au moins 10 par variable")
    );
}

#[test]
fn a_structure_never_predicts_itself() {
    // The expected value of a structure equals what the others' model predicts for it: the
    // same as when its own value is missing and it cannot enter the fit.
    let rows = rows(20, 3);
    let full = run(&dataset(&rows));
    let mut without = dataset(&rows);
    without.structures[0].values.remove("jeunes_en_emploi");
    let left_out = run(&without);
    let access = index(&full, "taux_acces_emploi");
    let a = full.structures[0].indicators[access]
        .expected
        .clone()
        .unwrap();
    let b = left_out.structures[0].indicators[access]
        .expected
        .clone()
        .unwrap();
    assert!(
        (a.value - b.value).abs() < 1e-9,
        "{} vs {}",
        a.value,
        b.value
    );
    assert!((a.sd - b.sd).abs() < 1e-9, "{} vs {}", a.sd, b.sd);
    // The residual is the observed value minus that prediction, in prediction sds.
    let observed = full.structures[0].indicators[access].value.unwrap();
    assert!((a.residual.unwrap() - (observed - b.value)).abs() < 1e-12);
    assert!((a.z().unwrap() - (observed - b.value) / b.sd).abs() < 1e-9);
}

#[test]
fn a_region_depressed_everywhere_gets_its_regional_priority() {
    let control = run(&dataset(&rows(25, 5)));
    let mut depressed_rows = rows(25, 5);
    for r in depressed_rows.iter_mut().filter(|r| r.region == "Bretagne") {
        r.access *= 0.6;
    }
    let depressed = run(&dataset(&depressed_rows));

    let priority = |results: &Results, region: &str| {
        results
            .regions
            .iter()
            .find(|r| r.name == region)
            .unwrap()
            .priorities
            .iter()
            .find(|p| p.recommendation == "acces_emploi")
            .cloned()
    };
    assert!(priority(&control, "Bretagne").is_none());
    let p = priority(&depressed, "Bretagne").expect("priority from the national frame");
    let national = p.national.expect("national evidence");
    assert_eq!(national.indicator, "taux_acces_emploi");
    assert_eq!(national.of, 25);
    assert!(national.below >= 20, "{national:?}");
    assert!(national.p_value < national.level, "{national:?}");
    // Other regions are not flagged by the national frame for it.
    for region in REGIONS.iter().filter(|r| **r != "Bretagne") {
        let p = priority(&depressed, region);
        assert!(p.is_none_or(|p| p.national.is_none()), "{region}");
    }
}

#[test]
fn a_one_structure_region_is_judged_on_a_labelled_fallback() {
    let mut rows = rows(20, 9);
    let mut lone = rows.pop().unwrap();
    lone.region = "Corse";
    lone.unemployment = 0.25;
    lone.no_diploma = 0.20;
    lone.accompanied = 1500.0;
    lone.access = 0.22;
    rows.push(lone);
    let results = run(&dataset(&rows));
    let access = index(&results, "taux_acces_emploi");
    let corse = results
        .structures
        .iter()
        .find(|s| s.region == "Corse")
        .unwrap();
    let ind = &corse.indicators[access];
    let frame = &ind.frames[&FrameKind::Region];
    assert_eq!(frame.fallback, Some(FrameKind::National));
    assert_eq!(
        &*frame.label,
        "France, en repli (Corse : 1 valeur seulement)"
    );
    assert_eq!(frame.summary.as_ref().unwrap().n, 200);
    assert_eq!(
        ind.finding.as_ref().map(|f| f.kind),
        Some(FindingKind::AxeDeProgres),
        "{:?}",
        ind.finding
    );
}

/// The default sample, read.
fn sample() -> (Dataset, CompiledPack) {
    let pack = Pack::embedded().unwrap();
    let bytes = boussole::sample::sample_workbook(&Default::default()).unwrap();
    let data =
        boussole::workbook::read_bytes(&bytes, "exemple.xlsx", &pack.manifest.columns).unwrap();
    (data, CompiledPack::compile(&pack).unwrap())
}

/// The pack's count columns that are activity (not context).
fn activity_counts(compiled: &CompiledPack) -> Vec<String> {
    use boussole::pack::manifest::{Role, Unit};
    compiled
        .pack
        .manifest
        .columns
        .iter()
        .filter(|c| c.role == Role::Indicator && c.unit == Unit::Count)
        .map(|c| c.id.clone())
        .collect()
}

fn changed_share(
    a: &BTreeMap<(String, usize), Option<FindingKind>>,
    b: &BTreeMap<(String, usize), Option<FindingKind>>,
) -> f64 {
    let changed = a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).count();
    changed as f64 / a.len() as f64
}

#[test]
fn findings_hold_when_one_young_person_moves() {
    let (data, compiled) = sample();
    let base = findings(&analyse(&data, &compiled, &Overrides::default()).unwrap());
    let found = base.values().filter(|f| f.is_some()).count();
    eprintln!("{found} findings of {}", base.len());
    assert!(
        found as f64 > 0.15 * base.len() as f64,
        "findings remain: {found}"
    );
    for delta in [1.0, -1.0] {
        let mut moved = data.clone();
        let counts = activity_counts(&compiled);
        for s in &mut moved.structures {
            for id in &counts {
                if let Some(Observation {
                    value: Value::Number(v),
                    ..
                }) = s.values.get_mut(id)
                {
                    *v = (*v + delta).max(0.0);
                }
            }
        }
        let after = findings(&analyse(&moved, &compiled, &Overrides::default()).unwrap());
        let share = changed_share(&base, &after);
        eprintln!("{delta:+}: {:.2} % of findings changed", 100.0 * share);
        assert!(share <= 0.005, "{delta:+} on every count changed {share}");
    }
}

#[test]
fn findings_hold_under_binomial_resampling_of_the_counts() {
    use boussole::pack::manifest::Unit;
    let (data, compiled) = sample();
    let base = findings(&analyse(&data, &compiled, &Overrides::default()).unwrap());
    // Each fraction's numerator drawn again from B(denominator, observed rate).
    let mut resampled_columns: Vec<(String, String)> = Vec::new();
    for d in &compiled.pack.manifest.indicators {
        if d.unit == Unit::Fraction && !resampled_columns.iter().any(|(n, _)| *n == d.numerator) {
            resampled_columns.push((d.numerator.clone(), d.denominator.clone()));
        }
    }
    let mut draws = Draws(2026);
    let mut shares = Vec::new();
    for _ in 0..3 {
        let mut resampled = data.clone();
        for s in &mut resampled.structures {
            for (num, den) in &resampled_columns {
                let number = |s: &Structure, id: &str| match s.values.get(id).map(|o| &o.value) {
                    Some(Value::Number(v)) => Some(*v),
                    _ => None,
                };
                let (Some(k), Some(n)) = (number(s, num), number(s, den)) else {
                    continue;
                };
                if n < 1.0 || k > n {
                    continue;
                }
                let p = k / n;
                let drawn = (0..n as usize).filter(|_| draws.uniform() < p).count();
                if let Some(o) = s.values.get_mut(num) {
                    o.value = Value::Number(drawn as f64);
                }
            }
        }
        let after = findings(&analyse(&resampled, &compiled, &Overrides::default()).unwrap());
        shares.push(changed_share(&base, &after));
    }
    eprintln!("changed: {shares:?}");
    // At most 5 % of judgements change (issue 17); the pack reaches about 3.3 % with this
    // seed, while findings remain (see `findings_hold_when_one_young_person_moves`).
    for share in shares {
        assert!(share <= 0.05, "binomial resampling changed {share}");
    }
}

#[test]
fn a_structure_with_far_peers_is_told_so() {
    let mut rows = rows(20, 13);
    // A territory unlike any other: very high unemployment, very dense.
    rows[0].unemployment = 0.55;
    rows[0].no_diploma = 0.45;
    rows[0].density = 40_000.0;
    let results = run(&dataset(&rows));
    let access = index(&results, "taux_acces_emploi");
    let far = &results.structures[0];
    let ratio = far.peer_distance.expect("distance");
    assert!(ratio > 2.0, "{ratio}");
    let label = &far.indicators[access].frames[&FrameKind::Peers].label;
    assert!(label.starts_with("10 pairs éloignés (contexte "), "{label}");
    // Most structures have peers at an ordinary distance.
    let ordinary = results
        .structures
        .iter()
        .filter(|s| s.peer_distance.is_some_and(|r| r <= 2.0))
        .count();
    assert!(ordinary > 190, "{ordinary}");
    let near = &results.structures[1].indicators[access].frames[&FrameKind::Peers].label;
    assert_eq!(&**near, "10 pairs au contexte proche");
}

/// Draws from B(n, p) by counting successes.
fn binomial(d: &mut Draws, n: f64, p: f64) -> f64 {
    (0..n as usize).filter(|_| d.uniform() < p).count() as f64
}

#[test]
fn maintain_objectives_are_met_as_often_as_noise_allows() {
    // Two years where nothing changes but the binomial noise of the counts: the objectives
    // proposed on year 1 that only ask to hold the level should be met 80 to 95 % of the
    // time in year 2 (shrinkage accounts for regression to the mean, the tolerance band
    // for the noise).
    let rows = rows(30, 21);
    let mut d = Draws(99);
    let observed = |d: &mut Draws| -> Vec<Row> {
        rows.iter()
            .map(|r| Row {
                access: binomial(d, r.accompanied, r.access.clamp(0.01, 0.99)) / r.accompanied,
                training: binomial(d, r.accompanied, r.training.clamp(0.01, 0.99)) / r.accompanied,
                ..*r
            })
            .collect()
    };
    let year1 = observed(&mut d);
    let year2 = observed(&mut d);
    let results = run(&dataset(&year1));
    let mut maintained = 0;
    let mut met = 0;
    for id in ["taux_acces_emploi", "taux_formation"] {
        let i = index(&results, id);
        let direction = results.indicators[i].direction;
        for (s, next) in results.structures.iter().zip(&year2) {
            let Some(o) = &s.indicators[i].objective else {
                continue;
            };
            if o.step != 0.0 || o.reference.is_none() {
                continue;
            }
            let achieved = if id == "taux_acces_emploi" {
                (next.accompanied * next.access).round() / next.accompanied
            } else {
                (next.accompanied * next.training).round() / next.accompanied
            };
            maintained += 1;
            met += usize::from(o.met(achieved, direction).unwrap());
        }
    }
    let share = met as f64 / maintained as f64;
    eprintln!("{met} of {maintained} maintain objectives met: {share:.3}");
    assert!(maintained > 100, "{maintained}");
    assert!((0.80..=0.95).contains(&share), "{share}");
}

/// All the text cells of one sheet of an xlsx.
fn sheet_texts(bytes: &[u8], sheet: &str) -> Vec<String> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let range = wb.worksheet_range(sheet).expect("the sheet");
    range
        .used_cells()
        .filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_workbook_says_why_a_region_is_a_priority_and_how_good_each_model_is() {
    let mut depressed = rows(25, 5);
    for r in depressed.iter_mut().filter(|r| r.region == "Bretagne") {
        r.access *= 0.6;
    }
    let data = dataset(&depressed);
    let pack = Pack::embedded().unwrap();
    let results = run(&data);
    let bytes = boussole::report::annotated::write_workbook(&results, &data, &pack).unwrap();
    let synthese = sheet_texts(&bytes, "Synthèse");
    assert!(
        synthese.iter().any(|t| t.starts_with("Faire de l'accès à l'emploi")
            && t.contains("\nRéférentiel national : ")
            && t.contains("sur 25 structures dans le quart national le moins favorable, compte tenu du contexte")
            && t.contains("\nRègle : regions.rhai, ligne ")),
        "{synthese:?}"
    );
    let regles = sheet_texts(&bytes, "Règles");
    assert!(
        regles
            .iter()
            .any(|t| t == "le script regions.rhai, une fois par région"),
        "{regles:?}"
    );
    assert!(
        regles
            .iter()
            .any(|t| t == "Modèles du contexte (valeurs attendues)")
    );
    assert!(
        regles
            .iter()
            .any(|t| t.starts_with("non : le contexte explique trop peu")),
        "the pure-noise training rate is set aside: {regles:?}"
    );
}

#[test]
fn the_change_of_context_since_last_year_moves_the_expected_value_by_the_model() {
    // Year 2 repeats year 1, but unemployment rises by 5 points for every other structure:
    // the model moves their expected access to employment by the same amount (its slope on
    // unemployment times 0.05), and leaves the others' unmoved.
    let rows = rows(20, 31);
    let mut structures = Vec::new();
    for (k, r) in rows.iter().enumerate() {
        let code = format!("{:05}", 10_001 + k);
        let mut then = structure(code.clone(), r);
        then.year = Some(2024);
        let mut now_row = *r;
        if k % 2 == 0 {
            now_row.unemployment += 0.05;
        }
        let mut now = structure(code, &now_row);
        now.year = Some(2025);
        structures.push(then);
        structures.push(now);
    }
    let results = run(&Dataset {
        structures,
        ..Dataset::default()
    });
    let access = index(&results, "taux_acces_emploi");
    let changes: Vec<f64> = results
        .structures
        .iter()
        .map(|s| {
            s.indicators[access]
                .expected
                .as_ref()
                .unwrap()
                .context_change
                .unwrap()
        })
        .collect();
    let moved = changes[0];
    assert!(moved < -0.02 && moved > -0.08, "{moved}");
    for (k, c) in changes.iter().enumerate() {
        let wanted = if k % 2 == 0 { moved } else { 0.0 };
        assert!((c - wanted).abs() < 1e-9, "{k}: {c} vs {wanted}");
    }
}
