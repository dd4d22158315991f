//! The decisions of the pack's scripts: for each annotated structure, the findings script
//! over each judged indicator with a value, then the recommendations script over the
//! structure with its findings. This module builds what the scripts see (the views, with
//! the small-numbers guard's noise) and keeps what they decide.
//!
//! Structures are evaluated in parallel; the first error in id order is returned, whatever
//! thread met it first. Once a structure fails, the structures after it in id order are not
//! started (their errors could not be the one reported): a hostile script stops after a few
//! evaluations, not after one per structure.

use crate::analysis::evidence::Evidence;
use crate::analysis::results::{Finding, FindingKind, IndicatorDef, RecommendationResult};
use crate::analysis::stats::Summary;
use crate::error::{Error, Result};
use crate::pack::engine::CompiledPack;
use crate::pack::engine::errors::ScriptError;
use crate::pack::engine::view::{FrameView, IndicatorData, Noise, StructureData};
use crate::pack::manifest::Unit;
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What the scripts decided for one structure.
pub struct Decided {
    /// Aligned with the indicators.
    pub findings: Vec<Option<Finding>>,
    /// Sorted by priority, then id.
    pub recommendations: Vec<RecommendationResult>,
}

/// The scripts' decisions for each annotated structure (aligned with `evidence.annotated`),
/// given their scores (aligned the same way).
pub fn decide(
    compiled: &CompiledPack,
    evidence: &Evidence,
    scores: &[Vec<Option<f64>>],
) -> Result<Vec<Decided>> {
    let deadline = Instant::now() + compiled.limits().run_budget;
    // The position (in id order) of the first structure known to have failed.
    let first_failure = AtomicUsize::new(usize::MAX);
    let decided: Vec<std::result::Result<Decided, ScriptError>> = evidence
        .annotated
        .par_iter()
        .zip(scores.par_iter())
        .enumerate()
        .map(|(k, (&s, scores))| {
            if k > first_failure.load(Ordering::Relaxed) {
                // Never reported: an error stands before it.
                return Err(ScriptError::plain("", String::new()));
            }
            let decided = decide_one(compiled, evidence, s, scores, deadline);
            if decided.is_err() {
                first_failure.fetch_min(k, Ordering::Relaxed);
            }
            decided
        })
        .collect();
    decided
        .into_iter()
        .collect::<std::result::Result<Vec<Decided>, _>>()
        .map_err(Error::from)
}

/// The findings, then the recommendations, of one structure.
fn decide_one(
    compiled: &CompiledPack,
    evidence: &Evidence,
    s: usize,
    scores: &[Option<f64>],
    deadline: Instant,
) -> std::result::Result<Decided, ScriptError> {
    let findings = findings(compiled, evidence, s, scores, deadline)?;
    let kinds: Vec<Option<FindingKind>> = findings
        .iter()
        .map(|f| f.as_ref().map(|f| f.kind))
        .collect();
    let view = Arc::new(view(evidence, s, scores, Some(&kinds), compiled));
    let recommendations = recommendations(compiled, &view, deadline)?;
    Ok(Decided {
        findings,
        recommendations,
    })
}

/// The findings script over each judged indicator of structure `s` with a value.
fn findings(
    compiled: &CompiledPack,
    evidence: &Evidence,
    s: usize,
    scores: &[Option<f64>],
    deadline: Instant,
) -> std::result::Result<Vec<Option<Finding>>, ScriptError> {
    let view = Arc::new(view(evidence, s, scores, None, compiled));
    let judged: Vec<usize> = (0..evidence.defs.len())
        .filter(|&i| evidence.defs[i].judged() && evidence.cell(s, i).number().is_some())
        .collect();
    let mut found: Vec<Option<Finding>> = vec![None; evidence.defs.len()];
    for (&i, d) in judged
        .iter()
        .zip(compiled.findings_until(&view, &judged, Some(deadline))?)
    {
        found[i] = d.map(|d| Finding {
            kind: d.what.kind,
            reason: d.what.reason,
            rule: d.rule,
            thresholds: d.thresholds,
        });
    }
    Ok(found)
}

/// The recommendations script over one structure's view (with its findings), the
/// recommendations the manifest knows, by priority then id; under the analysis's deadline
/// like the findings.
fn recommendations(
    compiled: &CompiledPack,
    view: &Arc<StructureData>,
    deadline: Instant,
) -> std::result::Result<Vec<RecommendationResult>, ScriptError> {
    let specs = &compiled.pack.manifest.recommendations;
    let mut recs: Vec<RecommendationResult> = compiled
        .recommendations_until(view, Some(deadline))?
        .into_iter()
        .filter_map(|d| {
            let spec = specs.iter().find(|r| r.id == d.what)?;
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
    Ok(recs)
}

/// What the scripts see of structure `s`: every indicator with its frames, expected value,
/// score and, for the recommendations, its finding.
fn view(
    evidence: &Evidence,
    s: usize,
    scores: &[Option<f64>],
    findings: Option<&[Option<FindingKind>]>,
    compiled: &CompiledPack,
) -> StructureData {
    let st = evidence.structures[s];
    let z = compiled.pack.manifest.findings.funnel_z;
    StructureData {
        code: st.id.to_string(),
        name: st.name.clone(),
        region: st.region.clone(),
        typology: st.typology.clone(),
        indicators: evidence
            .defs
            .iter()
            .enumerate()
            .map(|(i, def)| {
                let cell = evidence.cell(s, i);
                let value = cell.number();
                let frames = evidence.frames(s, i);
                IndicatorData {
                    frames: std::array::from_fn(|k| {
                        frames[k].as_ref().and_then(|f| {
                            let summary = f.summary.as_ref()?;
                            Some(frame_view(
                                summary,
                                f.rank(),
                                noise(summary.median, cell.denominator, def, z, f.phi),
                            ))
                        })
                    }),
                    expected: evidence.expected(s, i).map(|e| e.value),
                    expected_z: evidence.expected(s, i).and_then(|e| e.z()),
                    residual_z: compiled.pack.manifest.findings.residual_z,
                    score: scores[i],
                    finding: findings.and_then(|f| f[i]),
                    ..indicator_view(def, value, cell.denominator)
                }
            })
            .collect(),
    }
}

/// What a script sees of one indicator's definition, value and denominator; without
/// frames, expected value, score or finding (the caller adds those it has).
pub fn indicator_view(
    def: &IndicatorDef,
    value: Option<f64>,
    denominator: Option<f64>,
) -> IndicatorData {
    IndicatorData {
        id: def.id.clone(),
        label: def.label.clone(),
        shown_unit: def.shown_unit(),
        direction: def.direction,
        judged: def.judged(),
        value,
        denominator,
        frames: [None; 4],
        expected: None,
        expected_z: None,
        residual_z: f64::INFINITY,
        score: None,
        finding: None,
    }
}

/// What a script sees of one frame for one structure's value.
pub fn frame_view(s: &Summary, rank: Option<f64>, noise: Noise) -> FrameView {
    FrameView {
        summary: *s,
        rank,
        noise,
    }
}

/// The small-numbers guard's noise around a frame median `p0` for a denominator `n`:
/// fractions use the binomial half-width z·sqrt(p0(1-p0)/n); other rates (per young person,
/// per FTE, ×factor) the Poisson factor·z·sqrt(r0/n) with r0 = p0/factor; the overdispersed
/// half-width multiplies either by sqrt(φ), the frame's overdispersion (Spiegelhalter 2005).
pub fn noise(p0: f64, n: Option<f64>, def: &IndicatorDef, z: f64, phi: f64) -> Noise {
    let Some(n) = n else {
        return Noise::NoDenominator;
    };
    let phi = if phi.is_finite() && phi >= 1.0 {
        phi
    } else {
        1.0
    };
    if n.is_nan() || n <= 0.0 {
        return Noise::Unknown;
    }
    let sampling = if def.unit == Unit::Fraction && (0.0..=1.0).contains(&p0) {
        match crate::analysis::stats::funnel_limits(p0, n, z) {
            Some((lo, _)) => p0 - lo,
            None => return Noise::Unknown,
        }
    } else {
        let factor = if def.factor > 0.0 { def.factor } else { 1.0 };
        let r0 = (p0 / factor).max(0.0);
        factor * z * (r0 / n).sqrt()
    };
    Noise::HalfWidth {
        sampling,
        overdispersed: sampling * phi.sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdispersion_widens_the_guard_by_its_square_root() {
        let def = IndicatorDef::test_rate(Unit::Fraction, 1.0);
        // p0 = 0.5, n = 100, z = 2: 2 × 0.05 = 0.1; with φ = 4, 2 × sqrt(4 × 0.0025) = 0.2.
        let width = |phi| match noise(0.5, Some(100.0), &def, 2.0, phi) {
            Noise::HalfWidth {
                sampling,
                overdispersed,
            } => {
                assert!((sampling - 0.1).abs() < 1e-12, "sampling noise ignores φ");
                overdispersed
            }
            other => panic!("{other:?}"),
        };
        assert!((width(1.0) - 0.1).abs() < 1e-12);
        assert!((width(4.0) - 0.2).abs() < 1e-12);
        // An estimate below 1 (or not a number) never narrows the guard.
        assert!((width(0.25) - 0.1).abs() < 1e-12);
        assert!((width(f64::NAN) - 0.1).abs() < 1e-12);
    }
}
