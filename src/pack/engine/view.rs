//! What a script sees of one structure: its indicators with their frame statistics,
//! expected values, scores and findings, prepared by the analysis.
//!
//! These are plain values behind an `Arc`, so handing every indicator to a script as a
//! variable costs a pointer copy.

use crate::pack::decisions::FindingKind;
use crate::pack::manifest::{Direction, FrameKind, Unit};
use std::sync::Arc;

/// A frame's summary statistics (computed by `analysis::stats::summarize`): what scripts
/// read of a frame, and what the outputs show.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (`QUARTILE.INC(.., 2)`).
    pub median: f64,
    /// First quartile (`QUARTILE.INC(.., 1)`).
    pub q1: f64,
    /// Third quartile (`QUARTILE.INC(.., 3)`).
    pub q3: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sample standard deviation (`STDEV.S`); `None` when `n < 2`.
    pub sd: Option<f64>,
}

/// One frame's statistics as a script sees them (computed by the analysis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameView {
    pub summary: Summary,
    /// The structure's percentile rank in the frame (0-100), raw (not oriented).
    pub rank: Option<f64>,
    /// The noise expected around the median for the structure's denominator.
    pub noise: Noise,
}

/// The noise a gap to a frame's median is measured against (the small-numbers guard),
/// computed by the analysis from the funnel limits at the pack's `funnel_z`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// The value has no denominator: any gap is significant.
    NoDenominator,
    /// The limits cannot be computed (no or a non-positive denominator, a median outside
    /// the possible range): no gap is significant.
    Unknown,
    /// Half the width of the funnel for this denominator: from the sampling noise alone
    /// (binomial or Poisson), and with the frame's overdispersion φ (the common-cause
    /// variation between structures, Spiegelhalter 2005).
    HalfWidth { sampling: f64, overdispersed: f64 },
}

/// One indicator of one structure.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorData {
    pub id: String,
    pub label: String,
    /// The unit values are shown in (a ratio with a percentage format reads as a share).
    pub shown_unit: Unit,
    pub direction: Direction,
    pub judged: bool,
    pub value: Option<f64>,
    /// Denominator of a rate, for the small-numbers guard.
    pub denominator: Option<f64>,
    /// Indexed by `frame_slot`.
    pub frames: [Option<FrameView>; 4],
    pub expected: Option<f64>,
    /// The standardised residual (observed minus expected over the prediction's standard
    /// deviation), not oriented.
    pub expected_z: Option<f64>,
    /// How many standard deviations make a value better or worse than expected.
    pub residual_z: f64,
    pub score: Option<f64>,
    pub finding: Option<FindingKind>,
}

/// Position of a frame in `IndicatorData::frames`.
pub fn frame_slot(kind: FrameKind) -> usize {
    match kind {
        FrameKind::National => 0,
        FrameKind::Region => 1,
        FrameKind::Peers => 2,
        FrameKind::Typology => 3,
    }
}

impl IndicatorData {
    pub fn frame(&self, kind: FrameKind) -> Option<&FrameView> {
        self.frames[frame_slot(kind)].as_ref()
    }

    /// +1 when higher is better, -1 when lower is better, 0 when neutral.
    pub fn sign(&self) -> f64 {
        match self.direction {
            Direction::Higher => 1.0,
            Direction::Lower => -1.0,
            Direction::Neutral => 0.0,
        }
    }

    /// Is the value in the least favourable quarter of the frame (below Q1 when higher is
    /// better, above Q3 when lower is better)? False when unknown or neutral.
    pub fn in_weak_quarter(&self, kind: FrameKind) -> bool {
        match (self.value, self.frame(kind), self.direction) {
            (Some(v), Some(f), Direction::Higher) => v < f.summary.q1,
            (Some(v), Some(f), Direction::Lower) => v > f.summary.q3,
            _ => false,
        }
    }

    /// Is the value in the most favourable quarter of the frame?
    pub fn in_strong_quarter(&self, kind: FrameKind) -> bool {
        match (self.value, self.frame(kind), self.direction) {
            (Some(v), Some(f), Direction::Higher) => v > f.summary.q3,
            (Some(v), Some(f), Direction::Lower) => v < f.summary.q1,
            _ => false,
        }
    }

    /// Oriented comparison with a reference: > 0 better, < 0 worse.
    fn oriented_gap(&self, reference: Option<f64>) -> Option<f64> {
        match (self.value, reference) {
            (Some(v), Some(r)) if self.direction != Direction::Neutral => {
                Some((v - r) * self.sign())
            }
            _ => None,
        }
    }

    pub fn better_than_median(&self, kind: FrameKind) -> bool {
        self.oriented_gap(self.frame(kind).map(|f| f.summary.median))
            .is_some_and(|g| g > 0.0)
    }

    pub fn worse_than_median(&self, kind: FrameKind) -> bool {
        self.oriented_gap(self.frame(kind).map(|f| f.summary.median))
            .is_some_and(|g| g < 0.0)
    }

    /// The standardised residual, oriented: positive is better than expected.
    fn oriented_z(&self) -> Option<f64> {
        match self.direction {
            Direction::Neutral => None,
            _ => self.expected_z.map(|z| z * self.sign()),
        }
    }

    /// Better than expected by more than the pack's `residual_z` standard deviations.
    pub fn better_than_expected(&self) -> bool {
        self.oriented_z().is_some_and(|z| z > self.residual_z)
    }

    /// Worse than expected by more than the pack's `residual_z` standard deviations.
    pub fn worse_than_expected(&self) -> bool {
        self.oriented_z().is_some_and(|z| z < -self.residual_z)
    }

    /// Oriented percentile rank: 100 is the most favourable position.
    pub fn position(&self, kind: FrameKind) -> Option<f64> {
        let rank = self.frame(kind)?.rank?;
        match self.direction {
            Direction::Higher => Some(rank),
            Direction::Lower => Some(100.0 - rank),
            Direction::Neutral => None,
        }
    }

    /// The small-numbers guard ([`Noise`]): the gap the finding rests on is more than the
    /// sampling noise of the structure's own rate: for a value in a quarter of the frame,
    /// the interval around the value clears the quarter's cut-off (Q1 or Q3); otherwise it
    /// clears the median.
    pub fn significant_gap(&self, kind: FrameKind) -> bool {
        let Some(f) = self.frame(kind) else {
            return false;
        };
        self.clears(kind, false, |v| {
            if v < f.summary.q1 {
                f.summary.q1
            } else if v > f.summary.q3 {
                f.summary.q3
            } else {
                f.summary.median
            }
        })
    }

    /// The value lies outside the overdispersed funnel around the frame's median (sampling
    /// noise and the common-cause variation between structures, φ): false means the gap
    /// is within what small numbers and ordinary differences explain.
    pub fn significant_gap_to_median(&self, kind: FrameKind) -> bool {
        let Some(f) = self.frame(kind) else {
            return false;
        };
        self.clears(kind, true, |_| f.summary.median)
    }

    /// The noise interval around the value (overdispersed or not) clears `cut_off(value)`.
    fn clears(&self, kind: FrameKind, overdispersed: bool, cut_off: impl Fn(f64) -> f64) -> bool {
        let (Some(v), Some(f)) = (self.value, self.frame(kind)) else {
            return false;
        };
        let cut_off = cut_off(v);
        match f.noise {
            Noise::NoDenominator => v != cut_off,
            Noise::Unknown => false,
            Noise::HalfWidth {
                sampling,
                overdispersed: wide,
            } => (v - cut_off).abs() > if overdispersed { wide } else { sampling },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructureData {
    pub code: String,
    pub name: String,
    pub region: String,
    pub typology: Option<String>,
    pub indicators: Vec<IndicatorData>,
}

/// A script variable: one indicator of one structure.
#[derive(Debug, Clone)]
pub struct IndicatorView {
    pub data: Arc<StructureData>,
    pub index: usize,
}

impl IndicatorView {
    pub fn get(&self) -> &IndicatorData {
        &self.data.indicators[self.index]
    }
}

/// The script variable `ml`: the structure itself.
#[derive(Debug, Clone)]
pub struct StructureView {
    pub data: Arc<StructureData>,
}

/// What the regions script sees of one region, prepared by the analysis once the
/// structures' findings and recommendations and the national judgements are known.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionData {
    pub name: String,
    /// The region's annotated structures, in id order.
    pub structures: Vec<RegionStructure>,
    /// Indicator ids, in the order of each structure's `values` and `findings`.
    pub indicators: Arc<[String]>,
    /// Per declared recommendation (the manifest's order), how many of the region's
    /// structures carry it.
    pub counts: Vec<(String, usize)>,
    /// The pack's share and count for this region (`[regional_priorities]`).
    pub min_share: f64,
    pub min_count: usize,
    /// The region judged on the national frame, per judged indicator that could be tested.
    pub judgements: Vec<JudgementData>,
}

/// One structure of a region, as the regions script sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionStructure {
    pub code: String,
    pub name: String,
    /// Aligned with `RegionData::indicators`.
    pub values: Vec<Option<f64>>,
    pub findings: Vec<Option<FindingKind>>,
    /// The recommendation ids it carries.
    pub recommendations: Vec<String>,
}

/// The region's structures placed on one indicator's national frame (computed by the
/// analysis): how many sit in its unfavourable quarter, the one-sided binomial test
/// against 25 %, and whether the judgement holds.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgementData {
    pub indicator: String,
    pub holds: bool,
    pub below: usize,
    pub of: usize,
    pub p_value: f64,
    pub level: f64,
    pub median_z: Option<f64>,
}

impl RegionData {
    /// How many of the region's structures carry the recommendation; None when it is not
    /// declared.
    pub fn count(&self, recommendation: &str) -> Option<usize> {
        self.counts
            .iter()
            .find(|(id, _)| id == recommendation)
            .map(|(_, n)| *n)
    }

    /// The count over the region's structures (0 for a region without structures).
    pub fn share(&self, recommendation: &str) -> Option<f64> {
        let n = self.count(recommendation)?;
        Some(if self.structures.is_empty() {
            0.0
        } else {
            n as f64 / self.structures.len() as f64
        })
    }

    pub fn indicator(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i == id)
    }
}

/// The script's `structures()`: one structure of a region.
#[derive(Debug, Clone)]
pub struct RegionStructureView {
    pub data: Arc<RegionData>,
    pub index: usize,
}

impl RegionStructureView {
    pub fn get(&self) -> &RegionStructure {
        &self.data.structures[self.index]
    }
}

/// The script's `jugement_national("indicateur")`: a judgement, or none (`sur` = 0) when
/// the indicator could not be tested in the region.
#[derive(Debug, Clone)]
pub struct JudgementView {
    pub judgement: Option<JudgementData>,
}
