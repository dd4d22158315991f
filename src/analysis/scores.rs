//! Scores: each judged indicator's value normalised into 0-100 (higher is better) within the
//! pack's score frame, and each axis' weighted mean of its indicators' scores.
//!
//! How one value becomes one score is [`crate::analysis::normalise`]'s; this module chooses
//! the frame and aggregates.

use crate::analysis::evidence::Evidence;
use crate::analysis::normalise;
use crate::analysis::results::{AxisDef, AxisResult, IndicatorDef, Method};
use crate::pack::engine::view::frame_slot;
use crate::pack::manifest::Direction;
use rayon::prelude::*;

/// Each annotated structure's indicator scores (aligned with `evidence.annotated`, then with
/// the indicators); None for an indicator not judged, without a value or without a score
/// frame.
pub fn scores(method: &Method, evidence: &Evidence) -> Vec<Vec<Option<f64>>> {
    let slot = frame_slot(method.score_frame);
    evidence
        .annotated
        .par_iter()
        .map(|&s| {
            (0..evidence.defs.len())
                .map(|i| {
                    let def = &evidence.defs[i];
                    if !def.judged() {
                        return None;
                    }
                    let v = evidence.cell(s, i).number()?;
                    let frame = evidence.frames(s, i)[slot].as_ref()?;
                    normalise::score_ranked(
                        method.normalisation,
                        frame.rank(),
                        frame.summary.as_ref()?,
                        v,
                        def.direction != Direction::Lower,
                    )
                })
                .collect()
        })
        .collect()
}

/// Each structure's axis results, from its indicator scores (`scores`, one row per
/// structure).
pub fn axes(
    defs: &[IndicatorDef],
    axes: &[AxisDef],
    scores: &[Vec<Option<f64>>],
    min_coverage: f64,
) -> Vec<Vec<AxisResult>> {
    scores
        .par_iter()
        .map(|row| {
            axes.iter()
                .map(|axis| axis_score(defs, row, &axis.id, min_coverage))
                .collect()
        })
        .collect()
}

/// The weighted mean of an axis' indicator scores (`scores`, aligned with `defs`), or None
/// below the minimum coverage.
pub fn axis_score(
    defs: &[IndicatorDef],
    scores: &[Option<f64>],
    axis: &str,
    min_coverage: f64,
) -> AxisResult {
    let mut total = 0.0;
    let mut covered = 0.0;
    let mut sum = 0.0;
    for (def, score) in defs.iter().zip(scores) {
        if def.axis.as_deref() != Some(axis) || !def.judged() {
            continue;
        }
        total += def.weight;
        if let Some(score) = score {
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
