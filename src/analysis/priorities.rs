//! Regional priorities: the recommendations carried by a large enough share of a region's
//! structures (the pack's `[regional_priorities]`), with every recommendation's count; and
//! the region judged on the national frame, so that a problem shared by a whole region is
//! not hidden by judging each structure only within its region.

use crate::analysis::evidence::Evidence;
use crate::analysis::results::{
    NationalEvidence, RecommendationResult, RegionResult, RegionalPriority,
};
use crate::analysis::stats::binomial_upper_tail;
use crate::pack::engine::view::frame_slot;
use crate::pack::manifest::{Direction, FrameKind, Manifest};
use std::collections::BTreeMap;

/// Share of a frame chance alone puts in its unfavourable quarter.
const QUARTER: f64 = 0.25;

/// The regions in name order, from each structure's region and recommendations, and the
/// regions' national judgements (see [`national_judgements`]).
pub fn regional_priorities(
    manifest: &Manifest,
    structures: &[(&str, &[RecommendationResult])],
    national: &BTreeMap<String, Vec<NationalEvidence>>,
) -> Vec<RegionResult> {
    let mut by_region: BTreeMap<&str, Vec<&[RecommendationResult]>> = BTreeMap::new();
    for (region, recommendations) in structures {
        by_region.entry(region).or_default().push(recommendations);
    }
    by_region
        .into_iter()
        .map(|(region, list)| {
            let judged = national.get(region).map(Vec::as_slice).unwrap_or(&[]);
            region_result(manifest, region, &list, judged)
        })
        .collect()
}

/// Each region's annotated structures placed on the national frame of each judged
/// indicator, keeping the judgements that hold. Where the indicator has expected values,
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
) -> BTreeMap<String, Vec<NationalEvidence>> {
    let alpha = manifest.regional_priorities.national_alpha;
    let judged: Vec<usize> = (0..evidence.defs.len())
        .filter(|&i| evidence.defs[i].judged())
        .collect();
    let mut out: BTreeMap<String, Vec<NationalEvidence>> = BTreeMap::new();
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

/// One region on one indicator's national frame, when the judgement holds.
fn judge_region(
    evidence: &Evidence,
    members: &[usize],
    i: usize,
    level: f64,
    residual_q1: Option<f64>,
) -> Option<NationalEvidence> {
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
    holds.then(|| NationalEvidence {
        indicator: def.id.clone(),
        below,
        of: tested,
        p_value,
        level,
        median_z,
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

/// One region's counts, by priority then count (highest first) then id, and those that
/// pass the region's share and the minimum count, or whose main indicator (the first the
/// recommendation lists) the region's national judgement flags.
fn region_result(
    manifest: &Manifest,
    region: &str,
    structures: &[&[RecommendationResult]],
    national: &[NationalEvidence],
) -> RegionResult {
    let total = structures.len();
    let flagged = |indicators: &[String]| -> Option<NationalEvidence> {
        let main = indicators.first()?;
        national.iter().find(|e| &e.indicator == main).cloned()
    };
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
            })
        })
        .collect();
    counts.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.recommendation.cmp(&b.recommendation))
    });
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
