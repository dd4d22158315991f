//! The analysis of one dataset by one compiled pack: derived indicators, reference frames,
//! expected values, scores, findings (scripts), axis scores, recommendations (scripts) and
//! regional priorities, gathered into [`Results`].
//!
//! Structures are processed in id order (the reader sorts them), so nothing depends on the
//! order of rows in the workbook. Statistics use only structures with a value.

use crate::analysis::normalise;
use crate::analysis::peers::nearest_peers;
use crate::analysis::regression::ols;
use crate::analysis::results::*;
use crate::analysis::stats::{FrameStats, Summary};
use crate::dataset::{CellRef, Dataset, Diagnostic, Severity, Structure, StructureId, Value};
use crate::error::{Error, Result};
use crate::pack::engine::CompiledPack;
use crate::pack::engine::view::{FrameView, IndicatorData, Noise, StructureData, frame_slot};
use crate::pack::manifest::{Direction, FrameKind, Manifest, Unit};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Values imposed instead of computed, for the pack's test cases.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Peer group by structure id.
    pub peers: BTreeMap<String, Vec<String>>,
    /// Expected value by (structure id, indicator id).
    pub expected: BTreeMap<(String, String), f64>,
}

/// One indicator value of one structure before frames.
#[derive(Debug, Clone, Default)]
struct Cell {
    value: Option<f64>,
    missing: Option<String>,
    cells: Vec<CellRef>,
    denominator: Option<f64>,
}

/// The indicators shown and judged, from the manifest: numeric columns, then derived.
pub fn indicator_defs(manifest: &Manifest) -> Vec<IndicatorDef> {
    let inputs = manifest
        .columns
        .iter()
        .filter(|c| c.role.is_numeric())
        .map(|c| IndicatorDef {
            id: c.id.clone(),
            label: c.label.clone(),
            kind: IndicatorKind::Input,
            context: c.role == crate::pack::manifest::Role::Context,
            unit: c.unit,
            format: c.format().to_string(),
            direction: c.direction(),
            axis: None,
            weight: 0.0,
            definition: c.definition.clone(),
            numerator: None,
            denominator: None,
            factor: 1.0,
        });
    let derived = manifest.indicators.iter().map(|d| IndicatorDef {
        id: d.id.clone(),
        label: d.label.clone(),
        kind: IndicatorKind::Derived,
        context: false,
        unit: d.unit,
        format: d.format().to_string(),
        direction: d.direction,
        axis: d.axis.clone(),
        weight: d.weight,
        definition: d.definition.clone(),
        numerator: Some(d.numerator.clone()),
        denominator: Some(d.denominator.clone()),
        factor: d.factor,
    });
    inputs.chain(derived).collect()
}

/// The population the frames are computed on, and which of its structures are annotated.
///
/// Without a reference it is the input. With a national reference, it is the reference's
/// structures plus the input's (the input's values win for a code present in both), and
/// only the input's structures are annotated. Only the latest year is kept; structures
/// come in id order, so results never depend on the order of rows.
pub fn population<'a>(
    dataset: &'a Dataset,
    reference: Option<&'a Dataset>,
) -> (Option<i32>, Vec<&'a Structure>, Vec<bool>) {
    let input_ids: std::collections::BTreeSet<&StructureId> =
        dataset.structures.iter().map(|s| &s.id).collect();
    let mut all: Vec<(&Structure, bool)> = dataset.structures.iter().map(|s| (s, true)).collect();
    if let Some(reference) = reference {
        all.extend(
            reference
                .structures
                .iter()
                .filter(|s| !input_ids.contains(&s.id))
                .map(|s| (s, false)),
        );
    }
    let year = dataset.structures.iter().filter_map(|s| s.year).max();
    all.retain(|(s, _)| year.is_none() || s.year.is_none() || s.year == year);
    all.sort_by(|a, b| a.0.id.cmp(&b.0.id).then(a.0.year.cmp(&b.0.year)));
    let annotate = all.iter().map(|(_, a)| *a).collect();
    (year, all.into_iter().map(|(s, _)| s).collect(), annotate)
}

fn derive_values(defs: &[IndicatorDef], structure: &Structure) -> Vec<Cell> {
    let mut cells: Vec<Cell> = Vec::with_capacity(defs.len());
    for def in defs {
        let cell = match def.kind {
            IndicatorKind::Input => match structure.values.get(&def.id) {
                Some(obs) => match &obs.value {
                    Value::Number(x) => Cell {
                        value: Some(*x),
                        cells: obs.cell.iter().cloned().collect(),
                        ..Cell::default()
                    },
                    Value::Missing(m) => Cell {
                        missing: Some(m.describe()),
                        cells: obs.cell.iter().cloned().collect(),
                        ..Cell::default()
                    },
                },
                None => Cell {
                    missing: Some("colonne absente du classeur".into()),
                    ..Cell::default()
                },
            },
            IndicatorKind::Derived => {
                let find = |id: &Option<String>| {
                    id.as_ref()
                        .and_then(|id| defs.iter().position(|d| &d.id == id))
                        .and_then(|i| cells.get(i))
                };
                let num = find(&def.numerator);
                let den = find(&def.denominator);
                let num_id = def.numerator.clone().unwrap_or_default();
                let den_id = def.denominator.clone().unwrap_or_default();
                let mut sources: Vec<CellRef> = Vec::new();
                for c in [num, den].into_iter().flatten() {
                    sources.extend(c.cells.iter().cloned());
                }
                let (value, missing) = match (num, den) {
                    (Some(n), Some(d)) => match (n.value, d.value) {
                        (_, None) => (
                            None,
                            Some(format!(
                                "dénominateur « {den_id} » manquant ({})",
                                d.missing.clone().unwrap_or_default()
                            )),
                        ),
                        (_, Some(0.0)) => (None, Some(format!("dénominateur « {den_id} » nul"))),
                        (None, Some(_)) => (
                            None,
                            Some(format!(
                                "numérateur « {num_id} » manquant ({})",
                                n.missing.clone().unwrap_or_default()
                            )),
                        ),
                        (Some(a), Some(b)) => {
                            let v = a / b * def.factor;
                            if v.is_finite() {
                                (Some(v), None)
                            } else {
                                (None, Some("calcul impossible (valeur non finie)".into()))
                            }
                        }
                    },
                    _ => (None, Some("indicateur source inconnu du pack".into())),
                };
                Cell {
                    value,
                    missing,
                    cells: sources,
                    denominator: den.and_then(|d| d.value),
                }
            }
        };
        cells.push(cell);
    }
    cells
}

/// Context rows for peers or regression: the pack's columns, logged where asked.
fn context_rows(
    manifest: &Manifest,
    vars: &[String],
    structures: &[&Structure],
) -> Vec<Vec<Option<f64>>> {
    structures
        .iter()
        .map(|s| {
            vars.iter()
                .map(|v| {
                    let x = s.value(v)?;
                    if manifest.frames.log_context.contains(v) {
                        (x > 0.0).then(|| x.ln())
                    } else {
                        Some(x)
                    }
                })
                .collect()
        })
        .collect()
}

/// The four frames of one indicator seen from one structure, with their labels.
/// Shared frames (national, region, typology) are one `Arc` for all their structures.
type FramesOf = [Option<(Arc<FrameStats>, Arc<str>)>; 4];

struct Grouping {
    /// Group index of each structure (None: no group).
    of: Vec<Option<usize>>,
    labels: Vec<String>,
}

fn group_by(keys: impl Iterator<Item = Option<String>>) -> Grouping {
    let mut labels: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let of = keys
        .map(|k| {
            k.map(|k| {
                *index.entry(k.clone()).or_insert_with(|| {
                    labels.push(k);
                    labels.len() - 1
                })
            })
        })
        .collect();
    Grouping { of, labels }
}

/// Analyses a dataset with a compiled pack.
pub fn analyse(
    dataset: &Dataset,
    compiled: &CompiledPack,
    overrides: &Overrides,
) -> Result<Results> {
    analyse_with_reference(dataset, None, compiled, overrides)
}

/// Analyses a dataset with a compiled pack, the national and peer frames (and the
/// regression) computed over a national reference when one is given, annotating only the
/// input's structures.
pub fn analyse_with_reference(
    dataset: &Dataset,
    reference: Option<&Dataset>,
    compiled: &CompiledPack,
    overrides: &Overrides,
) -> Result<Results> {
    let manifest = &compiled.pack.manifest;
    let defs = indicator_defs(manifest);
    let (year, structures, annotate) = population(dataset, reference);
    let n = structures.len();
    let mut diagnostics = dataset.diagnostics.clone();

    // Values.
    let values: Vec<Vec<Cell>> = structures
        .par_iter()
        .map(|s| derive_values(&defs, s))
        .collect();
    // The previous year's values (the latest year before the one analysed), per structure.
    let mut by_id: BTreeMap<&StructureId, Vec<&Structure>> = BTreeMap::new();
    if year.is_some() {
        for st in &dataset.structures {
            by_id.entry(&st.id).or_default().push(st);
        }
    }
    let previous: Vec<Option<Vec<Cell>>> = structures
        .par_iter()
        .map(|s| {
            let this_year = s.year?;
            by_id
                .get(&s.id)?
                .iter()
                .filter(|p| p.year.is_some_and(|y| y < this_year))
                .max_by_key(|p| p.year)
                .map(|p| derive_values(&defs, p))
        })
        .collect();
    let column = |i: usize| -> Vec<Option<f64>> { values.iter().map(|row| row[i].value).collect() };

    // Groupings.
    let regions = group_by(structures.iter().map(|s| Some(s.region.clone())));
    let typologies = group_by(structures.iter().map(|s| s.typology.clone()));

    // Peers.
    let id_index: BTreeMap<&str, usize> = structures
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let peer_context = context_rows(manifest, &manifest.frames.peers_context, &structures);
    let mut peers: Vec<Option<Vec<usize>>> = if manifest.frames.peers_context.is_empty() {
        vec![None; n]
    } else {
        nearest_peers(&peer_context, manifest.frames.peers_k)
    };
    for (id, list) in &overrides.peers {
        if let Some(&i) = id_index.get(id.as_str()) {
            peers[i] = Some(
                list.iter()
                    .filter_map(|p| id_index.get(p.as_str()).copied())
                    .collect(),
            );
        }
    }
    let without_peers = peers.iter().filter(|p| p.is_none()).count();
    if without_peers > 0 && !manifest.frames.peers_context.is_empty() {
        diagnostics.push(Diagnostic::general(
            Severity::Info,
            format!("{without_peers} structure(s) sans groupe de pairs : contexte incomplet"),
            "le référentiel des pairs est laissé vide pour ces structures",
        ));
    }

    // Expected values by regression on context.
    let reg_context = context_rows(manifest, &manifest.frames.regression_context, &structures);
    let mut expected: Vec<Vec<Option<Expected>>> = vec![vec![None; defs.len()]; n];
    if !manifest.frames.regression_context.is_empty() {
        for (i, def) in defs.iter().enumerate() {
            if def.kind != IndicatorKind::Derived {
                continue;
            }
            let rows: Vec<usize> = (0..n)
                .filter(|&s| {
                    values[s][i].value.is_some() && reg_context[s].iter().all(Option::is_some)
                })
                .collect();
            let y: Vec<f64> = rows.iter().filter_map(|&s| values[s][i].value).collect();
            let x: Vec<Vec<f64>> = rows
                .iter()
                .map(|&s| reg_context[s].iter().map(|v| v.unwrap_or(0.0)).collect())
                .collect();
            match ols(&y, &x) {
                Ok(fit) => {
                    for s in 0..n {
                        if reg_context[s].iter().all(Option::is_some) {
                            let xs: Vec<f64> =
                                reg_context[s].iter().map(|v| v.unwrap_or(0.0)).collect();
                            if let Some(pred) = fit.try_predict(&xs) {
                                expected[s][i] = Some(Expected {
                                    value: pred,
                                    residual: values[s][i].value.map(|v| v - pred),
                                    r2: fit.r2,
                                    n: fit.n,
                                });
                            }
                        }
                    }
                }
                Err(e) => {
                    if def.judged() && n > 0 {
                        diagnostics.push(Diagnostic::general(
                            Severity::Info,
                            format!("valeur attendue non calculée pour « {} » : {e}", def.label),
                            "les règles qui comparent à la valeur attendue ne s'appliquent pas à cet indicateur",
                        ));
                    }
                }
            }
        }
    }
    for ((id, ind), value) in &overrides.expected {
        if let (Some(&s), Some(i)) = (
            id_index.get(id.as_str()),
            defs.iter().position(|d| &d.id == ind),
        ) {
            expected[s][i] = Some(Expected {
                value: *value,
                residual: values[s][i].value.map(|v| v - value),
                r2: f64::NAN,
                n: 0,
            });
        }
    }

    // Frames per indicator.
    let frame_stats = |col: &[Option<f64>], members: &[usize]| -> Option<Arc<FrameStats>> {
        let v: Vec<f64> = members.iter().filter_map(|&m| col[m]).collect();
        FrameStats::new(&v).map(Arc::new)
    };
    let france: Arc<str> = Arc::from("France");
    let region_labels: Vec<Arc<str>> = regions
        .labels
        .iter()
        .map(|l| Arc::from(l.as_str()))
        .collect();
    let typology_labels: Vec<Arc<str>> = typologies
        .labels
        .iter()
        .map(|l| Arc::from(l.as_str()))
        .collect();
    let region_members = members(&regions);
    let typology_members = members(&typologies);
    let per_indicator: Vec<Vec<FramesOf>> = (0..defs.len())
        .into_par_iter()
        .map(|i| {
            let col = column(i);
            let all: Vec<usize> = (0..n).collect();
            let national = frame_stats(&col, &all);
            let by_region: Vec<Option<Arc<FrameStats>>> = region_members
                .iter()
                .map(|m| frame_stats(&col, m))
                .collect();
            let by_typology: Vec<Option<Arc<FrameStats>>> = typology_members
                .iter()
                .map(|m| frame_stats(&col, m))
                .collect();
            (0..n)
                .map(|s| {
                    let mut frames: FramesOf = Default::default();
                    frames[frame_slot(FrameKind::National)] =
                        national.clone().map(|f| (f, Arc::clone(&france)));
                    if let Some(g) = regions.of[s] {
                        frames[frame_slot(FrameKind::Region)] = by_region[g]
                            .clone()
                            .map(|f| (f, Arc::clone(&region_labels[g])));
                    }
                    if let Some(list) = &peers[s] {
                        frames[frame_slot(FrameKind::Peers)] = frame_stats(&col, list).map(|f| {
                            (
                                f,
                                Arc::from(format!("{} pairs au contexte proche", list.len())),
                            )
                        });
                    }
                    if let Some(g) = typologies.of[s] {
                        frames[frame_slot(FrameKind::Typology)] = by_typology[g]
                            .clone()
                            .map(|f| (f, Arc::clone(&typology_labels[g])));
                    }
                    frames
                })
                .collect()
        })
        .collect();

    // Scores.
    let method = Method {
        normalisation: manifest.scoring.normalisation,
        score_frame: manifest.scoring.frame,
        min_coverage: manifest.scoring.min_coverage,
        peers_k: manifest.frames.peers_k,
        peers_context: manifest.frames.peers_context.clone(),
        regression_context: manifest.frames.regression_context.clone(),
        funnel_z: manifest.findings.funnel_z,
    };
    let score_slot = frame_slot(method.score_frame);

    // Script views, then findings.
    let build_data = |s: usize, findings: Option<&[Option<FindingKind>]>| -> StructureData {
        let st = structures[s];
        StructureData {
            code: st.id.to_string(),
            name: st.name.clone(),
            region: st.region.clone(),
            typology: st.typology.clone(),
            indicators: defs
                .iter()
                .enumerate()
                .map(|(i, def)| {
                    let frames = &per_indicator[i][s];
                    let cell = &values[s][i];
                    let views: [Option<FrameView>; 4] = std::array::from_fn(|k| {
                        frames[k].as_ref().map(|(f, _)| {
                            frame_view(
                                f.summary(),
                                cell.value.and_then(|v| f.percent_rank(v)),
                                noise(
                                    f.summary().median,
                                    cell.denominator,
                                    def,
                                    manifest.findings.funnel_z,
                                ),
                            )
                        })
                    });
                    let score = if def.judged() {
                        match (cell.value, &frames[score_slot]) {
                            (Some(v), Some((f, _))) => normalise::score(
                                method.normalisation,
                                f.sorted(),
                                f.summary(),
                                v,
                                def.direction != Direction::Lower,
                            ),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    IndicatorData {
                        id: def.id.clone(),
                        label: def.label.clone(),
                        unit: def.unit,
                        shown_unit: def.shown_unit(),
                        direction: def.direction,
                        judged: def.judged(),
                        value: cell.value,
                        denominator: cell.denominator,
                        factor: def.factor,
                        frames: views,
                        expected: expected[s][i].as_ref().map(|e| e.value),
                        score,
                        finding: findings.and_then(|f| f[i]),
                    }
                })
                .collect(),
        }
    };

    type Evaluated = (
        Vec<Option<Finding>>,
        Vec<RecommendationResult>,
        Vec<Option<f64>>,
    );
    let annotated: Vec<usize> = (0..n).filter(|&s| annotate[s]).collect();
    let run_deadline = std::time::Instant::now() + compiled.limits().run_budget;
    let evaluated: Vec<std::result::Result<Evaluated, crate::pack::engine::errors::ScriptError>> =
        annotated
            .par_iter()
            .map(|&s| {
                let data = Arc::new(build_data(s, None));
                let mut found: Vec<Option<Finding>> = vec![None; defs.len()];
                let judged: Vec<usize> = (0..defs.len())
                    .filter(|&i| defs[i].judged() && values[s][i].value.is_some())
                    .collect();
                for (&i, d) in judged.iter().zip(compiled.findings_until(
                    &data,
                    &judged,
                    Some(run_deadline),
                )?) {
                    if let Some(d) = d {
                        found[i] = Some(Finding {
                            kind: d.what.kind,
                            reason: d.what.reason,
                            rule: d.rule,
                            thresholds: d.thresholds,
                        });
                    }
                }
                let kinds: Vec<Option<FindingKind>> =
                    found.iter().map(|f| f.as_ref().map(|f| f.kind)).collect();
                let data = Arc::new(build_data(s, Some(&kinds)));
                let mut recs: Vec<RecommendationResult> = compiled
                    .recommendations(&data)?
                    .into_iter()
                    .filter_map(|d| {
                        let spec = manifest.recommendations.iter().find(|r| r.id == d.what)?;
                        Some(RecommendationResult {
                            id: spec.id.clone(),
                            text: spec.text.clone(),
                            priority: spec.priority,
                            indicators: spec.indicators.clone(),
                            rule: d.rule,
                            thresholds: d.thresholds,
                        })
                    })
                    .collect();
                recs.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.id.cmp(&b.id)));
                // Only the scores are kept: the script views are dropped with `data`.
                let scores = data.indicators.iter().map(|d| d.score).collect();
                Ok((found, recs, scores))
            })
            .collect();
    // The first error in id order, whatever thread met it first.
    let evaluated = evaluated
        .into_iter()
        .collect::<std::result::Result<Vec<Evaluated>, _>>()
        .map_err(Error::from)?;

    // Assemble structures.
    let axes: Vec<AxisDef> = manifest
        .axes
        .iter()
        .map(|a| AxisDef {
            id: a.id.clone(),
            label: a.label.clone(),
        })
        .collect();
    // Assembled on every core: at 100,000 structures, 3 million indicator results.
    let results_structures: Vec<StructureResult> = evaluated
        .into_par_iter()
        .zip(annotated.par_iter().copied())
        .map(|((found, recommendations, scores), s)| {
            let st = structures[s];
            let indicators: Vec<IndicatorResult> = defs
                .iter()
                .enumerate()
                .zip(found)
                .map(|((i, def), finding)| {
                    let cell = &values[s][i];
                    let frames = per_indicator[i][s]
                        .iter()
                        .enumerate()
                        .filter_map(|(k, f)| {
                            let (stats, label) = f.as_ref()?;
                            let kind = FrameKind::ALL[k];
                            Some((
                                kind,
                                FrameResult {
                                    label: Arc::clone(label),
                                    summary: Some(stats.shared_summary()),
                                    rank: cell.value.and_then(|v| stats.percent_rank(v)),
                                },
                            ))
                        })
                        .collect();
                    IndicatorResult {
                        value: cell.value,
                        missing: cell.missing.clone(),
                        cells: cell.cells.clone(),
                        denominator: cell.denominator,
                        frames,
                        expected: expected[s][i].clone(),
                        score: scores[i],
                        finding,
                        previous: previous[s].as_ref().and_then(|p| p[i].value),
                        objective: match (def.judged(), cell.value) {
                            (true, Some(value)) => {
                                let median = |k: FrameKind| {
                                    per_indicator[i][s][frame_slot(k)]
                                        .as_ref()
                                        .map(|(f, _)| f.summary().median)
                                };
                                crate::analysis::objectives::propose(
                                    crate::analysis::objectives::Inputs {
                                        value,
                                        unit: def.unit,
                                        shown_unit: def.shown_unit(),
                                        direction: def.direction,
                                        peer_median: median(FrameKind::Peers),
                                        expected: expected[s][i].as_ref().map(|e| e.value),
                                        regional_median: median(FrameKind::Region),
                                    },
                                    &manifest.objectives,
                                )
                            }
                            _ => None,
                        },
                    }
                })
                .collect();
            let axis_results = axes
                .iter()
                .map(|axis| axis_score(&defs, &indicators, &axis.id, method.min_coverage))
                .collect();
            StructureResult {
                id: st.id.clone(),
                name: st.name.clone(),
                region: st.region.clone(),
                year: st.year,
                typology: st.typology.clone(),
                indicators,
                axes: axis_results,
                recommendations,
                peers: peers[s]
                    .as_ref()
                    .map(|l| l.iter().map(|&p| structures[p].id.clone()).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();

    let regions_out = regional_priorities(manifest, &results_structures);
    Ok(Results {
        pack: PackStamp::of(&compiled.pack),
        input: dataset.source.clone(),
        reference: reference.map(|r| r.source.clone()),
        year,
        method,
        indicators: defs,
        axes,
        structures: results_structures,
        regions: regions_out,
        set_aside: dataset.set_aside.clone(),
        diagnostics,
    })
}

/// What a script sees of one frame for one structure's value.
pub fn frame_view(s: &Summary, rank: Option<f64>, noise: Noise) -> FrameView {
    FrameView {
        n: s.n,
        mean: s.mean,
        median: s.median,
        q1: s.q1,
        q3: s.q3,
        min: s.min,
        max: s.max,
        sd: s.sd,
        rank,
        noise,
    }
}

/// The small-numbers guard's noise around a frame median `p0` for a denominator `n`:
/// fractions use the binomial half-width z·sqrt(p0(1-p0)/n); other rates (per young person,
/// per FTE, ×factor) the Poisson factor·z·sqrt(r0/n) with r0 = p0/factor.
pub fn noise(p0: f64, n: Option<f64>, def: &IndicatorDef, z: f64) -> Noise {
    let Some(n) = n else {
        return Noise::NoDenominator;
    };
    if n.is_nan() || n <= 0.0 {
        return Noise::Unknown;
    }
    if def.unit == Unit::Fraction && (0.0..=1.0).contains(&p0) {
        return match crate::analysis::stats::funnel_limits(p0, n, z) {
            Some((lo, _)) => Noise::HalfWidth(p0 - lo),
            None => Noise::Unknown,
        };
    }
    let factor = if def.factor > 0.0 { def.factor } else { 1.0 };
    let r0 = (p0 / factor).max(0.0);
    Noise::HalfWidth(factor * z * (r0 / n).sqrt())
}

fn members(g: &Grouping) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); g.labels.len()];
    for (s, k) in g.of.iter().enumerate() {
        if let Some(k) = k {
            out[*k].push(s);
        }
    }
    out
}

/// The weighted mean of an axis' indicator scores, or None below the minimum coverage.
pub fn axis_score(
    defs: &[IndicatorDef],
    indicators: &[IndicatorResult],
    axis: &str,
    min_coverage: f64,
) -> AxisResult {
    let mut total = 0.0;
    let mut covered = 0.0;
    let mut sum = 0.0;
    for (def, ind) in defs.iter().zip(indicators) {
        if def.axis.as_deref() != Some(axis) || !def.judged() {
            continue;
        }
        total += def.weight;
        if let Some(score) = ind.score {
            covered += def.weight;
            sum += def.weight * score;
        }
    }
    let coverage = if total > 0.0 { covered / total } else { 0.0 };
    let score =
        (total > 0.0 && covered > 0.0 && coverage + 1e-9 >= min_coverage).then(|| sum / covered);
    AxisResult {
        axis: axis.to_string(),
        score,
        coverage,
    }
}

/// Regional priorities: recommendations carried by a large enough share of a region.
pub fn regional_priorities(
    manifest: &Manifest,
    structures: &[StructureResult],
) -> Vec<RegionResult> {
    let mut by_region: BTreeMap<&str, Vec<&StructureResult>> = BTreeMap::new();
    for s in structures {
        by_region.entry(s.region.as_str()).or_default().push(s);
    }
    let rules = &manifest.regional_priorities;
    by_region
        .into_iter()
        .map(|(region, list)| {
            let total = list.len();
            let mut counts: Vec<RegionalPriority> = manifest
                .recommendations
                .iter()
                .filter_map(|r| {
                    let count = list
                        .iter()
                        .filter(|s| s.recommendations.iter().any(|x| x.id == r.id))
                        .count();
                    (count > 0).then(|| RegionalPriority {
                        recommendation: r.id.clone(),
                        text: r.text.clone(),
                        priority: r.priority,
                        count,
                        share: count as f64 / total as f64,
                    })
                })
                .collect();
            counts.sort_by(|a, b| {
                a.priority
                    .cmp(&b.priority)
                    .then(b.count.cmp(&a.count))
                    .then_with(|| a.recommendation.cmp(&b.recommendation))
            });
            let threshold = rules.share_for(region);
            let priorities = counts
                .iter()
                .filter(|c| c.share + 1e-9 >= threshold && c.count >= rules.min_count)
                .cloned()
                .collect();
            RegionResult {
                name: region.to_string(),
                structures: total,
                priorities,
                counts,
            }
        })
        .collect()
}
