//! Stability under sampling noise (`run --stability N`): the input counts drawn again N
//! times around their observed values, the whole analysis done again on each draw
//! (frames, expected values, scores, findings, recommendations, regional priorities), and,
//! for each finding, recommendation and regional priority of the analysis itself, the
//! share of draws that make it again; for each structure and axis, where its rank in its
//! region falls.
//!
//! What is drawn, for each structure (the reference's too, with `--reference`):
//! - an activity count that is the numerator of a non-fraction rate (entretiens, offres,
//!   jeunes accompagnés of jeunes par ETP...) and of no fraction: a Poisson count of mean
//!   the observed value, the sampling noise the small-numbers guard assumes for such rates.
//!   Not the negative binomial with the frame's φ: measured across structures, φ mostly
//!   holds their lasting differences (142 for taux de pénétration on the sample), not the
//!   noise of one structure's count, and would make the ratios look far less stable than
//!   the fractions drawn binomially;
//! - then the numerator of each fraction, in the manifest's order: binomial given its
//!   denominator (as drawn, when the denominator is itself drawn) at the observed rate.
//!
//! Denominators that are no numerator (sorties de CIVIS), context and decimal columns are
//! kept. Each draw has its own generator, seeded by (seed, draw number): the result is the
//! same whatever the number of threads; draws run in parallel and are combined in their
//! order. Nothing here writes or changes the results of the analysis itself.

mod draws;

use crate::analysis::analyse::{Overrides, analyse_with_reference};
use crate::analysis::results::{
    AxisRank, FindingKind, Results, Stability, StructureResult, StructureStability,
};
use crate::dataset::{Dataset, Observation, Structure, Value};
use crate::error::Result;
use crate::pack::engine::CompiledPack;
use crate::pack::manifest::{Manifest, Role, Unit};
use draws::Draws;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The seed when `--seed` is not given: a run is reproducible by default.
pub const DEFAULT_SEED: u64 = 2026;

/// How many times to resample, and the seed of the draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resampling {
    pub resamples: usize,
    pub seed: u64,
}

/// How `base` (the analysis of `dataset`, with `reference`, by `compiled`) holds when the
/// counts are drawn again (see the module's documentation).
pub fn measure(
    dataset: &Dataset,
    reference: Option<&Dataset>,
    compiled: &CompiledPack,
    base: &Results,
    resampling: Resampling,
) -> Result<Stability> {
    let manifest = &compiled.pack.manifest;
    let plan = Plan::of(manifest);
    let shape = Shape::of(manifest, base);
    let outcomes: Vec<Result<Outcome>> = (0..resampling.resamples)
        .into_par_iter()
        .map(|k| {
            let mut draws = Draws::new(resampling.seed, k as u64);
            let input = plan.resample(dataset, &mut draws);
            let reference = reference.map(|r| plan.resample(r, &mut draws));
            let results = analyse_with_reference(
                &input,
                reference.as_ref(),
                compiled,
                &Overrides::default(),
            )?;
            Ok(shape.outcome(&results))
        })
        .collect();
    let outcomes = outcomes.into_iter().collect::<Result<Vec<Outcome>>>()?;
    Ok(shape.combine(manifest, base, &outcomes, resampling))
}

/// Which columns are drawn, and how.
struct Plan {
    /// Counts drawn around their observed value with variance φ times it.
    counts: Vec<(String, f64)>,
    /// Numerators drawn binomially given their denominator, in this order.
    binomial: Vec<(String, String)>,
}

impl Plan {
    fn of(manifest: &Manifest) -> Plan {
        let activity = |id: &str| {
            manifest
                .columns
                .iter()
                .any(|c| c.id == id && c.role == Role::Indicator && c.unit == Unit::Count)
        };
        let mut binomial: Vec<(String, String)> = Vec::new();
        for d in &manifest.indicators {
            if d.unit == Unit::Fraction
                && activity(&d.numerator)
                && !binomial.iter().any(|(n, _)| *n == d.numerator)
            {
                binomial.push((d.numerator.clone(), d.denominator.clone()));
            }
        }
        let mut counts: Vec<(String, f64)> = Vec::new();
        for d in &manifest.indicators {
            if d.unit != Unit::Fraction
                && activity(&d.numerator)
                && !binomial.iter().any(|(n, _)| *n == d.numerator)
                && !counts.iter().any(|(n, _)| *n == d.numerator)
            {
                counts.push((d.numerator.clone(), 1.0));
            }
        }
        Plan { counts, binomial }
    }

    /// The dataset with its counts drawn again; only what the analysis reads is kept.
    fn resample(&self, dataset: &Dataset, draws: &mut Draws) -> Dataset {
        Dataset {
            source: dataset.source.clone(),
            structures: dataset
                .structures
                .iter()
                .map(|s| self.resample_structure(s, draws))
                .collect(),
            ..Dataset::default()
        }
    }

    fn resample_structure(&self, observed: &Structure, draws: &mut Draws) -> Structure {
        let mut drawn = observed.clone();
        for (id, phi) in &self.counts {
            if let Some(x) = observed.value(id).filter(|x| *x >= 0.0 && x.is_finite()) {
                set(&mut drawn, id, draws.overdispersed(x, *phi) as f64);
            }
        }
        for (numerator, denominator) in &self.binomial {
            let (Some(k), Some(n0), Some(n)) = (
                observed.value(numerator),
                observed.value(denominator),
                drawn.value(denominator),
            ) else {
                continue;
            };
            if !(k >= 0.0 && n0 > 0.0 && n >= 0.0 && n.is_finite() && k.is_finite()) {
                continue;
            }
            let k = draws.binomial(n.round() as u64, k / n0);
            set(&mut drawn, numerator, k as f64);
        }
        drawn
    }
}

fn set(structure: &mut Structure, id: &str, value: f64) {
    if let Some(Observation { value: v, .. }) = structure.values.get_mut(id) {
        *v = Value::Number(value);
    }
}

/// What one resample decided, in the base's order: flattened per structure.
struct Outcome {
    /// `[structure × indicators + indicator]`.
    findings: Vec<Option<FindingKind>>,
    /// `[structure × recommendations + recommendation]`, recommendations in manifest order.
    recommendations: Vec<bool>,
    /// `[region × recommendations + recommendation]`.
    priorities: Vec<bool>,
    /// `[structure × axes + axis]`: the rank in the region.
    ranks: Vec<Option<u32>>,
}

/// The base's sizes and indices, to lay out and read outcomes.
struct Shape {
    structures: BTreeMap<String, usize>,
    regions: BTreeMap<String, usize>,
    recommendations: BTreeMap<String, usize>,
    indicators: usize,
    axes: usize,
}

impl Shape {
    fn of(manifest: &Manifest, base: &Results) -> Shape {
        Shape {
            structures: base
                .structures
                .iter()
                .enumerate()
                .map(|(k, s)| (s.id.to_string(), k))
                .collect(),
            regions: base
                .regions
                .iter()
                .enumerate()
                .map(|(k, r)| (r.name.clone(), k))
                .collect(),
            recommendations: manifest
                .recommendations
                .iter()
                .enumerate()
                .map(|(k, r)| (r.id.clone(), k))
                .collect(),
            indicators: base.indicators.len(),
            axes: base.axes.len(),
        }
    }

    fn outcome(&self, results: &Results) -> Outcome {
        let (n, recs) = (self.structures.len(), self.recommendations.len());
        let mut out = Outcome {
            findings: vec![None; n * self.indicators],
            recommendations: vec![false; n * recs],
            priorities: vec![false; self.regions.len() * recs],
            ranks: vec![None; n * self.axes],
        };
        let ranks = region_ranks(&results.structures, self.axes);
        for (s, rank) in results.structures.iter().zip(ranks) {
            let Some(&k) = self.structures.get(s.id.as_str()) else {
                continue;
            };
            for (i, ind) in s.indicators.iter().enumerate().take(self.indicators) {
                out.findings[k * self.indicators + i] = ind.finding.as_ref().map(|f| f.kind);
            }
            for r in &s.recommendations {
                if let Some(&j) = self.recommendations.get(&r.id) {
                    out.recommendations[k * recs + j] = true;
                }
            }
            for (a, rank) in rank.into_iter().enumerate().take(self.axes) {
                out.ranks[k * self.axes + a] = rank.map(|(r, _)| r as u32);
            }
        }
        for region in &results.regions {
            let Some(&g) = self.regions.get(&region.name) else {
                continue;
            };
            for p in &region.priorities {
                if let Some(&j) = self.recommendations.get(&p.recommendation) {
                    out.priorities[g * recs + j] = true;
                }
            }
        }
        out
    }

    /// The base's stability from the outcomes of the resamples, in their order.
    fn combine(
        &self,
        manifest: &Manifest,
        base: &Results,
        outcomes: &[Outcome],
        resampling: Resampling,
    ) -> Stability {
        let recs = self.recommendations.len();
        let share = |hits: usize| {
            if outcomes.is_empty() {
                f64::NAN
            } else {
                hits as f64 / outcomes.len() as f64
            }
        };
        let base_ranks = region_ranks(&base.structures, self.axes);
        let structures = base
            .structures
            .iter()
            .zip(base_ranks)
            .enumerate()
            .map(|(k, (s, ranks))| {
                let findings = s
                    .indicators
                    .iter()
                    .enumerate()
                    .map(|(i, ind)| {
                        (base.indicators[i].judged() && ind.value.is_some()).then(|| {
                            let observed = ind.finding.as_ref().map(|f| f.kind);
                            share(
                                outcomes
                                    .iter()
                                    .filter(|o| o.findings[k * self.indicators + i] == observed)
                                    .count(),
                            )
                        })
                    })
                    .collect();
                let recommendations = s
                    .recommendations
                    .iter()
                    .map(|r| match self.recommendations.get(&r.id) {
                        Some(&j) => share(
                            outcomes
                                .iter()
                                .filter(|o| o.recommendations[k * recs + j])
                                .count(),
                        ),
                        None => f64::NAN,
                    })
                    .collect();
                let axes = ranks
                    .into_iter()
                    .enumerate()
                    .map(|(a, rank)| {
                        let (rank, of) = rank?;
                        let mut drawn: Vec<u32> = outcomes
                            .iter()
                            .filter_map(|o| o.ranks[k * self.axes + a])
                            .collect();
                        drawn.sort_unstable();
                        Some(AxisRank {
                            rank,
                            of,
                            interval: interval(&drawn),
                        })
                    })
                    .collect();
                StructureStability {
                    findings,
                    recommendations,
                    axes,
                }
            })
            .collect();
        let priorities = base
            .regions
            .iter()
            .enumerate()
            .map(|(g, region)| {
                region
                    .priorities
                    .iter()
                    .map(|p| match self.recommendations.get(&p.recommendation) {
                        Some(&j) => share(
                            outcomes
                                .iter()
                                .filter(|o| o.priorities[g * recs + j])
                                .count(),
                        ),
                        None => f64::NAN,
                    })
                    .collect()
            })
            .collect();
        Stability {
            resamples: resampling.resamples,
            seed: resampling.seed,
            fragile_below: manifest.stability.fragile_below,
            structures,
            priorities,
        }
    }
}

/// Each structure's rank on each axis among the structures of its region with a score (1 =
/// highest; tied scores share the better rank), with the number ranked; None without a
/// score.
pub fn region_ranks(
    structures: &[StructureResult],
    axes: usize,
) -> Vec<Vec<Option<(usize, usize)>>> {
    let mut by_region: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, s) in structures.iter().enumerate() {
        by_region.entry(s.region.as_str()).or_default().push(k);
    }
    let mut ranks = vec![vec![None; axes]; structures.len()];
    // `a` indexes each member's axes and each member's ranks, not one slice.
    #[allow(clippy::needless_range_loop)]
    for members in by_region.values() {
        for a in 0..axes {
            let scores: Vec<(usize, f64)> = members
                .iter()
                .filter_map(|&k| Some((k, structures[k].axes.get(a)?.score?)))
                .collect();
            for &(k, own) in &scores {
                let above = scores.iter().filter(|(_, other)| *other > own).count();
                ranks[k][a] = Some((above + 1, scores.len()));
            }
        }
    }
    ranks
}

/// The 5th and 95th percentiles of sorted ranks, as the lower and the upper nearest rank:
/// at least 90 % of the ranks fall within.
fn interval(sorted: &[u32]) -> Option<[usize; 2]> {
    let last = sorted.len().checked_sub(1)?;
    let lo = (0.05 * last as f64).floor() as usize;
    let hi = (0.95 * last as f64).ceil() as usize;
    Some([sorted[lo] as usize, sorted[hi] as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_interval_holds_at_least_nine_in_ten_ranks() {
        let ranks: Vec<u32> = (1..=100).collect();
        assert_eq!(interval(&ranks), Some([5, 96]));
        assert_eq!(interval(&[3]), Some([3, 3]));
        assert_eq!(interval(&[]), None);
        let twenty: Vec<u32> = (1..=20).collect();
        // Indices 0.95 → 0 and 18.05 → 19: every rank.
        assert_eq!(interval(&twenty), Some([1, 20]));
    }
}
