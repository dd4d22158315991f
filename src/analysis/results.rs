//! The results of evaluating a pack over a dataset: the plain data type every writer reads.
//!
//! Everything a writer shows is here, with what it needs to explain itself: the source
//! cells of each value, the frame statistics, the thresholds and the script line behind
//! each finding and recommendation. Writers must not recompute anything.

use crate::analysis::stats::Summary;
use crate::dataset::{CellRef, Diagnostic, Missing, SetAside, Source, StructureId};
use crate::pack::Pack;
pub use crate::pack::decisions::{FindingKind, RuleRef, ThresholdUse};
use crate::pack::manifest::{Direction, FrameKind, Normalisation, Unit};
use serde::Serialize;
use std::sync::Arc;

/// Identifies the pack that produced the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackStamp {
    pub name: String,
    pub version: String,
    /// SHA-256 over the pack's files.
    pub hash: String,
}

impl PackStamp {
    /// The stamp of a loaded pack: its name, version and hash.
    pub fn of(pack: &Pack) -> PackStamp {
        PackStamp {
            name: pack.manifest.pack.name.clone(),
            version: pack.manifest.pack.version.clone(),
            hash: pack.hash(),
        }
    }
}

/// Whether an indicator was read from the workbook or derived by the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// An input column (activity, result or context).
    Input,
    /// Derived by the pack (a ratio of two others).
    Derived,
}

/// How an indicator is shown and judged (from the pack).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorDef {
    pub id: String,
    pub label: String,
    pub kind: IndicatorKind,
    /// `true` for context variables.
    pub context: bool,
    pub unit: Unit,
    /// Excel number format, e.g. `0.0%`.
    pub format: String,
    pub direction: Direction,
    /// Axis id for judged derived indicators.
    pub axis: Option<String>,
    pub weight: f64,
    pub definition: String,
    /// For derived indicators: `numerator / denominator x factor`.
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub factor: f64,
}

impl IndicatorDef {
    /// The unit numbers are shown in: a ratio with a percentage format reads as a share.
    pub fn shown_unit(&self) -> Unit {
        shown_unit(self.unit, &self.format)
    }

    /// Judged indicators get a score and findings: derived, not neutral.
    pub fn judged(&self) -> bool {
        self.kind == IndicatorKind::Derived && self.direction != Direction::Neutral
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisDef {
    pub id: String,
    pub label: String,
}

/// The unit numbers are shown in: a percentage format (`0.0%`) shows as a share.
pub fn shown_unit(unit: Unit, format: &str) -> Unit {
    if format.contains('%') {
        Unit::Fraction
    } else {
        unit
    }
}

/// One frame's statistics for one indicator, seen from one structure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameResult {
    /// What the frame is, e.g. `Bretagne`, `10 plus proches voisins`, `France`; shared by
    /// every structure of the frame.
    pub label: std::sync::Arc<str>,
    /// Statistics over the frame's structures with a value; None when none has one.
    /// Shared by every structure of the frame (one allocation per frame and indicator).
    pub summary: Option<Arc<Summary>>,
    /// The structure's percentile rank in the frame (mid-rank definition), 0-100.
    pub rank: Option<f64>,
}

/// The frames of one indicator seen from one structure, by kind. A fixed array rather than
/// a map: there are at most four, and a national run holds millions of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frames([Option<FrameResult>; 4]);

impl Frames {
    pub fn get(&self, kind: &FrameKind) -> Option<&FrameResult> {
        self.0[crate::pack::engine::view::frame_slot(*kind)].as_ref()
    }

    pub fn insert(&mut self, kind: FrameKind, frame: FrameResult) {
        self.0[crate::pack::engine::view::frame_slot(kind)] = Some(frame);
    }

    /// The frames present, in `FrameKind::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static FrameKind, &FrameResult)> {
        FrameKind::ALL
            .iter()
            .filter_map(|k| self.get(k).map(|f| (k, f)))
    }
}

impl FromIterator<(FrameKind, FrameResult)> for Frames {
    fn from_iter<I: IntoIterator<Item = (FrameKind, FrameResult)>>(iter: I) -> Self {
        let mut frames = Frames::default();
        for (kind, frame) in iter {
            frames.insert(kind, frame);
        }
        frames
    }
}

impl<'a> IntoIterator for &'a Frames {
    type Item = (&'static FrameKind, &'a FrameResult);
    type IntoIter = Box<dyn Iterator<Item = Self::Item> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl std::ops::Index<&FrameKind> for Frames {
    type Output = FrameResult;
    fn index(&self, kind: &FrameKind) -> &FrameResult {
        match self.get(kind) {
            Some(f) => f,
            None => panic!("no {} frame", kind.id()),
        }
    }
}

impl Serialize for Frames {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (kind, frame) in self.iter() {
            map.serialize_entry(kind.id(), frame)?;
        }
        map.end()
    }
}

/// The expected value from the regression on context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expected {
    pub value: f64,
    /// Observed minus expected.
    pub residual: Option<f64>,
    /// R² of the regression and the number of structures it was fitted on.
    pub r2: f64,
    pub n: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Why, in the pack's words.
    pub reason: String,
    pub rule: RuleRef,
    pub thresholds: Vec<ThresholdUse>,
}

/// One indicator of one structure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub value: Option<f64>,
    /// Why the value is missing (shown in French by `Missing::describe`).
    pub missing: Option<Missing>,
    /// Source cells: the cell read, or the cells of the numerator and denominator.
    pub cells: Vec<CellRef>,
    /// The denominator (for rates), used by the small-numbers guard.
    pub denominator: Option<f64>,
    pub frames: Frames,
    pub expected: Option<Expected>,
    /// 0-100, higher is better; judged indicators only.
    pub score: Option<f64>,
    pub finding: Option<Finding>,
    /// Previous year's value, when the input has several years.
    pub previous: Option<f64>,
    /// Proposed objective for next year (judged indicators with a value).
    pub objective: Option<Objective>,
}

/// A proposed objective for next year, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// The proposed value.
    pub value: f64,
    /// The reference aimed at (the better of the peer median and the expected value;
    /// else the regional median), when there is one.
    pub reference: Option<f64>,
    /// What the reference is, in French (`médiane des pairs`, `valeur attendue`...).
    pub reference_kind: String,
    /// The step proposed, oriented (>= 0 means better), in the indicator's unit.
    pub step: f64,
    /// True when the pack's maximum step cut the step.
    pub bounded: bool,
    /// The rationale in French, for the workbook's note.
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisResult {
    pub axis: String,
    /// Weighted mean of the axis' indicator scores; None = "données insuffisantes".
    pub score: Option<f64>,
    /// Share of the axis' weight that had a score.
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendationResult {
    pub id: String,
    pub text: String,
    /// 1 = highest.
    pub priority: u8,
    pub indicators: Vec<String>,
    pub rule: RuleRef,
    pub thresholds: Vec<ThresholdUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureResult {
    pub id: StructureId,
    pub name: String,
    pub region: String,
    pub year: Option<i32>,
    pub typology: Option<String>,
    /// Indicator results, aligned with `Results::indicators`.
    pub indicators: Vec<IndicatorResult>,
    /// Axis results, aligned with `Results::axes`.
    pub axes: Vec<AxisResult>,
    /// Sorted by priority, then id.
    pub recommendations: Vec<RecommendationResult>,
    /// Ids of the peer group (nearest on context).
    pub peers: Vec<StructureId>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalPriority {
    pub recommendation: String,
    pub text: String,
    pub priority: u8,
    pub count: usize,
    /// count / structures of the region.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionResult {
    pub name: String,
    pub structures: usize,
    /// Recommendations carried by at least the pack's share of the region's structures.
    pub priorities: Vec<RegionalPriority>,
    /// Every recommendation's count in the region (including those below the share).
    pub counts: Vec<RegionalPriority>,
}

/// Settings in force, for explanations and the Règles sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    pub normalisation: Normalisation,
    pub score_frame: FrameKind,
    pub min_coverage: f64,
    pub peers_k: usize,
    pub peers_context: Vec<String>,
    pub regression_context: Vec<String>,
    pub funnel_z: f64,
}

/// Everything computed for one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub pack: PackStamp,
    pub input: Source,
    /// The national reference workbook, when one was used.
    pub reference: Option<Source>,
    pub year: Option<i32>,
    pub method: Method,
    pub indicators: Vec<IndicatorDef>,
    pub axes: Vec<AxisDef>,
    pub structures: Vec<StructureResult>,
    pub regions: Vec<RegionResult>,
    pub set_aside: Vec<SetAside>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Results {
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|d| d.id == id)
    }
}
