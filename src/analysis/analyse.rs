//! The analysis of one dataset by one compiled pack, as a sequence of stages: the
//! population, its values (derived indicators, the previous year), the reference frames,
//! the expected values, the scores, the scripts' decisions (findings, recommendations), the
//! priorities (axis scores, regional priorities), then the assembly of [`Results`] with the
//! proposed objectives. Each stage is a function over the outputs of those before it; the
//! first ones gather the [`Evidence`] the others read.
//!
//! Structures are processed in id order (the reader sorts them), so nothing depends on the
//! order of rows in the workbook. Statistics use only structures with a value.

use crate::analysis::derive::Cell;
use crate::analysis::derive::{self, indicator_defs};
use crate::analysis::evidence::{Evidence, Own};
use crate::analysis::expected::{self, Expectations};
use crate::analysis::frames;
use crate::analysis::objectives;
use crate::analysis::priorities::{national_judgements, regional_priorities};
use crate::analysis::results::*;
use crate::analysis::scores;
use crate::analysis::scripts::{self, Decided};
use crate::dataset::{Dataset, Structure, StructureId};
use crate::error::Result;
use crate::pack::engine::CompiledPack;
use crate::pack::manifest::{Manifest, ObjectivesSpec};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Values imposed instead of computed, for the pack's test cases.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Peer group by structure id.
    pub peers: BTreeMap<StructureId, Vec<StructureId>>,
    /// Expected value by (structure id, indicator id).
    pub expected: BTreeMap<(StructureId, String), f64>,
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
    let mut defs = indicator_defs(manifest);
    let population = population(dataset, reference);
    let mut diagnostics = dataset.diagnostics.clone();

    let values = derive::values(&defs, &population.structures);
    let previous = derive::previous_year(&defs, &population.structures, &dataset.structures);
    let (peers, peer_distance) = peer_groups(manifest, &population, overrides);
    diagnostics.extend(frames::without_peers(manifest, &peers));
    let frames = frames::frames(
        &defs,
        &population.structures,
        &values,
        &peers,
        &peer_distance,
        frames::Fallback::of(manifest),
    );
    let previous_rows = derive::previous_rows(&population.structures, &dataset.structures);
    let expected = expected_values(
        manifest,
        &defs,
        &population,
        &previous_rows,
        &values,
        overrides,
    );
    diagnostics.extend(expected.diagnostics);
    for (def, model) in defs.iter_mut().zip(expected.models) {
        def.model = model;
    }
    let evidence = Evidence {
        defs: &defs,
        structures: &population.structures,
        annotated: &population.annotated,
        values,
        frames,
        expected: expected.values,
    };

    let method = method(manifest);
    let scores = scores::scores(&method, &evidence);
    let decisions = scripts::decide(compiled, &evidence, &scores)?;
    let axes = axis_defs(manifest);
    let axis_results = scores::axes(&defs, &axes, &scores, method.min_coverage);
    let national = national_judgements(manifest, &evidence);
    let regions = regional_priorities(compiled, &evidence, &decisions, &national)?;

    let judged = Judged {
        scores,
        decisions,
        axes: axis_results,
    };
    // The objectives are proposed as each structure is assembled: held for every structure
    // at once, they would add to the analysis' peak memory.
    let structures = assemble(
        evidence,
        &previous,
        (&peers, &peer_distance),
        judged,
        &manifest.objectives,
    );
    Ok(Results {
        pack: PackStamp::of(&compiled.pack),
        input: dataset.source.clone(),
        reference: reference.map(|r| r.source.clone()),
        year: population.year,
        method,
        indicators: defs,
        axes,
        structures,
        regions,
        set_aside: dataset.set_aside.clone(),
        diagnostics,
        stability: None,
        region: None,
        sensitivity: None,
    })
}

/// The structures the frames are computed on, and which of them are annotated.
pub struct Population<'a> {
    /// The year analysed: the input's latest, when it has years.
    pub year: Option<i32>,
    /// In id order.
    pub structures: Vec<&'a Structure>,
    /// The input's structures, as indices in `structures`.
    pub annotated: Vec<usize>,
}

impl Population<'_> {
    /// Each structure's index in `structures`, by id.
    fn index(&self) -> BTreeMap<&StructureId, usize> {
        self.structures
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i))
            .collect()
    }
}

/// The population: without a reference, the input; with a national reference, the
/// reference's structures plus the input's (the input's values win for a code present in
/// both), only the input's being annotated. Only the latest year is kept; structures come
/// in id order, so results never depend on the order of rows.
pub fn population<'a>(dataset: &'a Dataset, reference: Option<&'a Dataset>) -> Population<'a> {
    let input_ids: BTreeSet<&StructureId> = dataset.structures.iter().map(|s| &s.id).collect();
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
    Population {
        year,
        annotated: (0..all.len()).filter(|&i| all[i].1).collect(),
        structures: all.into_iter().map(|(s, _)| s).collect(),
    }
}

/// The peer groups (nearest on context, or those a test case imposes) and how far each
/// structure's peers are (their mean distance over the median; none for imposed groups).
type PeerGroups = (Vec<Option<Vec<usize>>>, Vec<Option<f64>>);

fn peer_groups(manifest: &Manifest, population: &Population, overrides: &Overrides) -> PeerGroups {
    let (mut peers, mut distance) = frames::peers_on_context(manifest, &population.structures);
    if overrides.peers.is_empty() {
        return (peers, distance);
    }
    let index = population.index();
    for (id, list) in &overrides.peers {
        if let Some(&s) = index.get(id) {
            peers[s] = Some(list.iter().filter_map(|p| index.get(p).copied()).collect());
            distance[s] = None;
        }
    }
    (peers, distance)
}

/// The expected values: by regression on context, or those a test case imposes.
fn expected_values(
    manifest: &Manifest,
    defs: &[IndicatorDef],
    population: &Population,
    previous: &[Option<&Structure>],
    values: &[Vec<derive::Cell>],
    overrides: &Overrides,
) -> Expectations {
    let mut expected =
        expected::regression(manifest, defs, &population.structures, previous, values);
    if overrides.expected.is_empty() {
        return expected;
    }
    let index = population.index();
    for ((id, indicator), value) in &overrides.expected {
        if let (Some(&s), Some(i)) = (index.get(id), defs.iter().position(|d| &d.id == indicator)) {
            expected.values[s][i] = Some(Expected {
                value: *value,
                residual: values[s][i].number().map(|v| v - value),
                sd: 0.0,
                r2: f64::NAN,
                n: 0,
                context_change: None,
            });
        }
    }
    expected
}

/// The settings in force, from the manifest.
fn method(manifest: &Manifest) -> Method {
    Method {
        normalisation: manifest.scoring.normalisation,
        score_frame: manifest.scoring.frame,
        min_coverage: manifest.scoring.min_coverage,
        peers_k: manifest.frames.peers_k,
        peers_context: manifest.frames.peers_context.clone(),
        regression_context: manifest.frames.regression_context.clone(),
        funnel_z: manifest.findings.funnel_z,
        residual_z: manifest.findings.residual_z,
        min_frame_n: manifest.frames.min_frame_n,
        fallback: manifest.frames.fallback,
        tolerance_z: manifest.objectives.tolerance_z,
    }
}

fn axis_defs(manifest: &Manifest) -> Vec<AxisDef> {
    manifest
        .axes
        .iter()
        .map(|a| AxisDef {
            id: a.id.clone(),
            label: a.label.clone(),
        })
        .collect()
}

/// What the stages after the evidence produced, each aligned with `evidence.annotated`.
struct Judged {
    scores: Vec<Vec<Option<f64>>>,
    decisions: Vec<Decided>,
    axes: Vec<Vec<AxisResult>>,
}

/// The annotated structures' results, with their proposed objectives; on every core: at
/// 100,000 structures, 3 million indicator results. Decisions, axes and each structure's
/// evidence (values, source cells, frames, expected values) are moved in, not copied: the
/// evidence is freed as the results are made.
fn assemble(
    evidence: Evidence,
    previous: &[Option<Vec<Option<f64>>>],
    (peers, peer_distance): (&[Option<Vec<usize>>], &[Option<f64>]),
    judged: Judged,
    objectives: &ObjectivesSpec,
) -> Vec<StructureResult> {
    let Judged {
        scores,
        decisions,
        axes,
    } = judged;
    let between = objectives::between_variances(&evidence);
    let Evidence {
        defs,
        structures,
        annotated,
        mut values,
        mut frames,
        mut expected,
    } = evidence;
    let own: Vec<Own> = annotated
        .iter()
        .map(|&s| Own {
            values: std::mem::take(&mut values[s]),
            frames: std::mem::take(&mut frames[s]),
            expected: std::mem::take(&mut expected[s]),
        })
        .collect();
    // What is left: the structures of a national reference, which only made up frames.
    drop((values, frames, expected));
    decisions
        .into_par_iter()
        .zip(axes)
        .zip(scores.par_iter())
        .zip(own)
        .zip(annotated.par_iter().copied())
        .map(|((((decided, axes), scores), own), s)| {
            let st = structures[s];
            let kinds: Vec<_> = decided
                .findings
                .iter()
                .map(|f| f.as_ref().map(|f| f.kind))
                .collect();
            let objectives = objectives::proposals(objectives, defs, &own, &between, &kinds);
            let Own {
                values,
                frames,
                expected,
            } = own;
            let indicators = decided
                .findings
                .into_iter()
                .zip(objectives)
                .zip(values.into_iter().zip(frames).zip(expected))
                .enumerate()
                .map(
                    |(i, ((finding, objective), ((cell, frames), expected)))| IndicatorResult {
                        score: scores[i],
                        finding: finding.map(Box::new),
                        previous: previous[s].as_ref().and_then(|p| p[i]),
                        objective: objective.map(Box::new),
                        frames: Frames::from_slots(frames),
                        expected: expected.map(Box::new),
                        ..indicator_evidence(cell)
                    },
                )
                .collect();
            StructureResult {
                id: st.id.clone(),
                name: st.name.clone(),
                region: st.region.clone(),
                year: st.year,
                typology: st.typology.clone(),
                indicators,
                axes,
                recommendations: decided.recommendations,
                peers: peers[s]
                    .as_ref()
                    .map(|l| l.iter().map(|&p| structures[p].id.clone()).collect())
                    .unwrap_or_default(),
                peer_distance: peer_distance[s],
            }
        })
        .collect()
}

/// What the evidence says of one indicator of a structure (its value, moved in), before
/// frames, expected value, scores and decisions.
fn indicator_evidence(cell: Cell) -> IndicatorResult {
    let (value, missing) = match cell.value {
        Ok(v) => (Some(v), None),
        Err(m) => (None, Some(Box::new(m))),
    };
    IndicatorResult {
        value,
        missing,
        cells: cell.cells,
        denominator: cell.denominator,
        frames: Frames::default(),
        expected: None,
        score: None,
        finding: None,
        previous: None,
        objective: None,
    }
}
