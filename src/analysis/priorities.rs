//! Regional priorities: each region judged on the national frame, so that a problem shared
//! by a whole region is not hidden by judging each structure only within its region; every
//! recommendation's count in the region; and the priorities, decided by the pack's regions
//! script when it has one (once per region, seeing the region's structures with their
//! findings and recommendations, and its national judgements), by the built-in rule of
//! `[regional_priorities]` otherwise: a share and a count reached, or the national
//! judgement of the recommendation's main indicator holding.

use crate::analysis::evidence::Evidence;
use crate::analysis::results::{NationalEvidence, RegionResult, RegionalPriority};
use crate::analysis::scripts::Decided;
use crate::analysis::stats::binomial_upper_tail;
use crate::error::{Error, Result};
use crate::pack::engine::CompiledPack;
use crate::pack::engine::view::{JudgementData, RegionData, RegionStructure, frame_slot};
use crate::pack::manifest::{Direction, FrameKind, Manifest};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Share of a frame chance alone puts in its unfavourable quarter.
const QUARTER: f64 = 0.25;

/// A region on one indicator's national frame: the test, and whether it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub evidence: NationalEvidence,
    pub holds: bool,
}

/// The regions in name order, from the annotated structures (aligned with `decisions`) and
/// the regions' national judgements (see [`national_judgements`]); the first error of the
/// regions script, in region name order, stops the analysis.
pub fn regional_priorities(
    compiled: &CompiledPack,
    evidence: &Evidence,
    decisions: &[Decided],
    national: &BTreeMap<String, Vec<Judgement>>,
) -> Result<Vec<RegionResult>> {
    let manifest = &compiled.pack.manifest;
    let mut by_region: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, &s) in evidence.annotated.iter().enumerate() {
        by_region
            .entry(evidence.structures[s].region.as_str())
            .or_default()
            .push(k);
    }
    let deadline = Instant::now() + compiled.limits().run_budget;
    let indicators: Arc<[String]> = evidence.defs.iter().map(|d| d.id.clone()).collect();
    by_region
        .into_iter()
        .map(|(region, members)| {
            let judged = national.get(region).map(Vec::as_slice).unwrap_or(&[]);
            let recommendations: Vec<&[crate::analysis::results::RecommendationResult]> = members
                .iter()
                .map(|&k| decisions[k].recommendations.as_slice())
                .collect();
            let mut result = region_result(manifest, region, &recommendations, judged);
            if compiled.has_regions_script() {
                let data = Arc::new(region_data(
                    manifest,
                    evidence,
                    decisions,
                    region,
                    &members,
                    judged,
                    &indicators,
                ));
                if let Some(decided) = compiled.regional_priorities(&data, Some(deadline)) {
                    result.priorities = scripted_priorities(
                        manifest,
                        &result,
                        judged,
                        decided.map_err(Error::from)?,
                    );
                }
            }
            Ok(result)
        })
        .collect()
}

/// What the regions script sees of one region: its structures (positions `members` of
/// `decisions`), their findings and recommendations, every recommendation's count, the
/// pack's share and count for the region, its national judgements.
fn region_data(
    manifest: &Manifest,
    evidence: &Evidence,
    decisions: &[Decided],
    region: &str,
    members: &[usize],
    judged: &[Judgement],
    indicators: &Arc<[String]>,
) -> RegionData {
    let structures: Vec<RegionStructure> = members
        .iter()
        .map(|&k| {
            let s = evidence.annotated[k];
            let st = evidence.structures[s];
            let decided = &decisions[k];
            RegionStructure {
                code: st.id.to_string(),
                name: st.name.clone(),
                values: (0..evidence.defs.len())
                    .map(|i| evidence.cell(s, i).number())
                    .collect(),
                findings: decided
                    .findings
                    .iter()
                    .map(|f| f.as_ref().map(|f| f.kind))
                    .collect(),
                recommendations: decided
                    .recommendations
                    .iter()
                    .map(|r| r.id.clone())
                    .collect(),
            }
        })
        .collect();
    let counts = manifest
        .recommendations
        .iter()
        .map(|r| {
            let n = structures
                .iter()
                .filter(|s| s.recommendations.contains(&r.id))
                .count();
            (r.id.clone(), n)
        })
        .collect();
    let rules = &manifest.regional_priorities;
    RegionData {
        name: region.to_string(),
        structures,
        indicators: Arc::clone(indicators),
        counts,
        min_share: rules.share_for(region),
        min_count: rules.min_count,
        judgements: judged
            .iter()
            .map(|j| JudgementData {
                indicator: j.evidence.indicator.clone(),
                holds: j.holds,
                below: j.evidence.below,
                of: j.evidence.of,
                p_value: j.evidence.p_value,
                level: j.evidence.level,
                median_z: j.evidence.median_z,
            })
            .collect(),
    }
}

/// The priorities the regions script chose for a region, with the line that chose each,
/// in the order of the region's counts (priority, then count, then id); a recommendation
/// carried by none of its structures counts 0. The national evidence is that of the
/// recommendation's main indicator when it holds, as with the built-in rule.
fn scripted_priorities(
    manifest: &Manifest,
    region: &RegionResult,
    judged: &[Judgement],
    decided: Vec<crate::pack::engine::Decision<String>>,
) -> Vec<RegionalPriority> {
    let mut chosen: Vec<RegionalPriority> = decided
        .into_iter()
        .filter_map(|d| {
            let counted = region
                .counts
                .iter()
                .find(|c| c.recommendation == d.what)
                .cloned();
            let priority = match counted {
                Some(c) => c,
                None => {
                    let spec = manifest.recommendations.iter().find(|r| r.id == d.what)?;
                    RegionalPriority {
                        recommendation: spec.id.clone(),
                        text: spec.text.clone(),
                        priority: spec.priority,
                        count: 0,
                        share: 0.0,
                        national: flagged(judged, &spec.indicators),
                        rule: None,
                    }
                }
            };
            Some(RegionalPriority {
                rule: Some(d.rule),
                ..priority
            })
        })
        .collect();
    chosen.sort_by(order);
    chosen
}

/// The holding national judgement of a recommendation's main indicator (the first it
/// lists).
fn flagged(judged: &[Judgement], indicators: &[String]) -> Option<NationalEvidence> {
    let main = indicators.first()?;
    judged
        .iter()
        .find(|j| j.holds && &j.evidence.indicator == main)
        .map(|j| j.evidence.clone())
}

/// Priority, then count (highest first), then id.
fn order(a: &RegionalPriority, b: &RegionalPriority) -> std::cmp::Ordering {
    a.priority
        .cmp(&b.priority)
        .then(b.count.cmp(&a.count))
        .then_with(|| a.recommendation.cmp(&b.recommendation))
}

/// Each region's annotated structures placed on the national frame of each judged
/// indicator, with whether each judgement holds. Where the indicator has expected values,
/// the count is of the region's structures in the national unfavourable quarter of the
/// standardised residuals (doing worse than their context predicts, as often as a quarter
/// of all structures do), so that a region is not flagged for its context alone; and more
/// than a quarter of them must sit in the unfavourable quarter of the values too. Without
/// expected values, the count is of those in the unfavourable quarter of the values. The
/// count is then compared with the 25 % chance alone gives by a one-sided binomial test at
/// the pack's `national_alpha` divided by the number of judged indicators (Bonferroni).
pub fn national_judgements(
    manifest: &Manifest,
    evidence: &Evidence,
) -> BTreeMap<String, Vec<Judgement>> {
    let alpha = manifest.regional_priorities.national_alpha;
    let judged: Vec<usize> = (0..evidence.defs.len())
        .filter(|&i| evidence.defs[i].judged())
        .collect();
    let mut out: BTreeMap<String, Vec<Judgement>> = BTreeMap::new();
    if alpha.is_nan() || alpha <= 0.0 || judged.is_empty() {
        return out;
    }
    let level = alpha / judged.len() as f64;
    let mut by_region: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &s in evidence.annotated {
        by_region
            .entry(evidence.structures[s].region.as_str())
            .or_default()
            .push(s);
    }
    for &i in &judged {
        let residual_q1 = residual_quarter(evidence, i);
        for (region, members) in &by_region {
            if let Some(e) = judge_region(evidence, members, i, level, residual_q1) {
                out.entry(region.to_string()).or_default().push(e);
            }
        }
    }
    out
}

/// The first quartile (QUARTILE.INC) of indicator `i`'s oriented standardised residuals
/// over the whole population; None without expected values.
fn residual_quarter(evidence: &Evidence, i: usize) -> Option<f64> {
    let sign = sign(evidence.defs[i].direction)?;
    let zs: Vec<f64> = (0..evidence.structures.len())
        .filter_map(|s| evidence.expected(s, i)?.z())
        .filter(|z| z.is_finite())
        .map(|z| z * sign)
        .collect();
    crate::analysis::stats::FrameStats::new(&zs).map(|f| f.summary().q1)
}

fn sign(direction: Direction) -> Option<f64> {
    match direction {
        Direction::Higher => Some(1.0),
        Direction::Lower => Some(-1.0),
        Direction::Neutral => None,
    }
}

/// One region on one indicator's national frame (None for a neutral indicator).
fn judge_region(
    evidence: &Evidence,
    members: &[usize],
    i: usize,
    level: f64,
    residual_q1: Option<f64>,
) -> Option<Judgement> {
    let def = &evidence.defs[i];
    let sign = sign(def.direction)?;
    let (mut of, mut weak_values, mut weak_residuals, mut with_z) = (0, 0, 0, 0);
    let mut zs = Vec::new();
    for &s in members {
        let Some(v) = evidence.cell(s, i).number() else {
            continue;
        };
        let Some(frame) = &evidence.frames(s, i)[frame_slot(FrameKind::National)] else {
            continue;
        };
        let Some(summary) = &frame.summary else {
            continue;
        };
        of += 1;
        let weak = if sign > 0.0 {
            v < summary.q1
        } else {
            v > summary.q3
        };
        weak_values += usize::from(weak);
        if let (Some(z), Some(q1)) = (
            evidence
                .expected(s, i)
                .and_then(|e| e.z())
                .filter(|z| z.is_finite()),
            residual_q1,
        ) {
            with_z += 1;
            zs.push(z * sign);
            weak_residuals += usize::from(z * sign < q1);
        }
    }
    let median_z = median(&mut zs);
    let (below, tested) = match residual_q1 {
        Some(_) => (weak_residuals, with_z),
        None => (weak_values, of),
    };
    let p_value = binomial_upper_tail(below, tested, QUARTER);
    let holds = below as f64 > QUARTER * tested as f64
        && weak_values as f64 > QUARTER * of as f64
        && p_value < level;
    Some(Judgement {
        evidence: NationalEvidence {
            indicator: def.id.clone(),
            below,
            of: tested,
            p_value,
            level,
            median_z,
        },
        holds,
    })
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// One region's counts, by priority then count (highest first) then id, and the built-in
/// rule's priorities: those that pass the region's share and the minimum count, or whose
/// main indicator (the first the recommendation lists) the region's national judgement
/// flags.
fn region_result(
    manifest: &Manifest,
    region: &str,
    structures: &[&[crate::analysis::results::RecommendationResult]],
    national: &[Judgement],
) -> RegionResult {
    let total = structures.len();
    let flagged = |indicators: &[String]| flagged(national, indicators);
    let mut counts: Vec<RegionalPriority> = manifest
        .recommendations
        .iter()
        .filter_map(|r| {
            let count = structures
                .iter()
                .filter(|recs| recs.iter().any(|x| x.id == r.id))
                .count();
            let national = flagged(&r.indicators);
            (count > 0 || national.is_some()).then(|| RegionalPriority {
                recommendation: r.id.clone(),
                text: r.text.clone(),
                priority: r.priority,
                count,
                share: count as f64 / total as f64,
                national,
                rule: None,
            })
        })
        .collect();
    counts.sort_by(order);
    let rules = &manifest.regional_priorities;
    let threshold = rules.share_for(region);
    let priorities = counts
        .iter()
        .filter(|c| {
            (c.share + 1e-9 >= threshold && c.count >= rules.min_count) || c.national.is_some()
        })
        .cloned()
        .collect();
    RegionResult {
        name: region.to_string(),
        structures: total,
        priorities,
        counts,
    }
}
