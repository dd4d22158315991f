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
    /// The regression on context behind its expected values, when one was fitted.
    pub model: Option<Model>,
}

impl IndicatorDef {
    /// A judged derived rate (`taux`, higher is better) of the given unit and factor, for
    /// unit tests.
    #[cfg(test)]
    pub(crate) fn test_rate(unit: Unit, factor: f64) -> IndicatorDef {
        IndicatorDef {
            id: "taux".into(),
            label: "Taux".into(),
            kind: IndicatorKind::Derived,
            context: false,
            unit,
            format: "0.0%".into(),
            direction: Direction::Higher,
            axis: None,
            weight: 1.0,
            definition: String::new(),
            numerator: None,
            denominator: None,
            factor,
            model: None,
        }
    }

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

/// What one frame of one indicator is, shared by every structure of the frame (one
/// allocation per frame and indicator; a peer group's belongs to its structure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameInfo {
    /// What the frame is, e.g. `Bretagne`, `10 plus proches voisins`, `France`.
    pub label: Arc<str>,
    /// The frame used in its place when this one was too small to judge by.
    pub fallback: Option<FrameKind>,
    /// The indicator's overdispersion in the frame (1: pure binomial or Poisson noise).
    pub phi: f64,
    /// Statistics over the frame's structures with a value; None when none has one.
    pub summary: Option<Summary>,
}

/// One frame's statistics for one indicator, seen from one structure: the frame, shared,
/// and the structure's rank in it. Its fields read through to the frame's (`f.label`,
/// `f.summary`...).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameResult {
    info: Arc<FrameInfo>,
    /// The structure's percentile rank in the frame (mid-rank definition), 0-100; NaN for
    /// none (see [`FrameResult::rank`]): 16 bytes instead of 24 for an `Option<f64>`, in a
    /// type a run holds four times per structure and indicator.
    rank: f64,
}

impl FrameResult {
    /// A frame seen from a structure of rank `rank` (a percentile rank is a finite number;
    /// anything else is no rank).
    pub fn new(info: Arc<FrameInfo>, rank: Option<f64>) -> FrameResult {
        FrameResult {
            info,
            rank: rank.filter(|r| r.is_finite()).unwrap_or(f64::NAN),
        }
    }

    /// The structure's percentile rank in the frame (mid-rank definition), 0-100; None
    /// when it has no value.
    pub fn rank(&self) -> Option<f64> {
        (!self.rank.is_nan()).then_some(self.rank)
    }

    /// The frame, shared by every structure of it.
    pub fn info(&self) -> &Arc<FrameInfo> {
        &self.info
    }
}

impl std::ops::Deref for FrameResult {
    type Target = FrameInfo;
    fn deref(&self) -> &FrameInfo {
        &self.info
    }
}

impl Serialize for FrameResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FrameResult", 5)?;
        st.serialize_field("label", &self.info.label)?;
        st.serialize_field("fallback", &self.info.fallback)?;
        st.serialize_field("phi", &self.info.phi)?;
        st.serialize_field("summary", &self.info.summary)?;
        st.serialize_field("rank", &self.rank())?;
        st.end()
    }
}

/// The frames of one indicator seen from one structure, by kind. A fixed array rather than
/// a map: there are at most four, and a national run holds millions of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frames([Option<FrameResult>; 4]);

impl Frames {
    /// The frames indexed by `view::frame_slot`.
    pub fn from_slots(slots: [Option<FrameResult>; 4]) -> Frames {
        Frames(slots)
    }

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

/// The expected value from the regression on context: for a structure of the fit, the
/// prediction of the model fitted without it (a structure never predicts itself).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Expected {
    pub value: f64,
    /// Observed minus expected.
    pub residual: Option<f64>,
    /// Standard deviation of an observation around the expected value (the prediction's
    /// noise: residual spread and the structure's leverage); NaN when unknown.
    pub sd: f64,
    /// R² of the regression and the number of structures it was fitted on.
    pub r2: f64,
    pub n: usize,
    /// What the change of context since the previous year moves the expected value by: the
    /// model's prediction at this year's context minus its prediction at last year's (the
    /// adjustment of last year's objectives to this year's conditions); None without a
    /// previous year with a complete context.
    pub context_change: Option<f64>,
}

impl Expected {
    /// The standardised residual: residual over the prediction's standard deviation.
    ///
    /// An expected value imposed by a pack's test case has a standard deviation of 0: it is
    /// exact, and any gap to it is infinitely many deviations.
    pub fn z(&self) -> Option<f64> {
        let r = self.residual?;
        let z = if self.sd == 0.0 {
            if r == 0.0 {
                0.0
            } else {
                r.signum() * f64::INFINITY
            }
        } else {
            r / self.sd
        };
        (!z.is_nan()).then_some(z)
    }
}

/// The quality of an indicator's regression on context, shown wherever its expected values
/// are: a model that explains nothing gives none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    pub r2: f64,
    pub adj_r2: f64,
    pub n: usize,
    pub predictors: usize,
    /// Residual standard error of the fit.
    pub residual_sd: f64,
    /// Why the expected values were withheld, when they were (the quality gate).
    pub gated: Option<String>,
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
    /// Why the value is missing (shown in French by `Missing::describe`). The rarely
    /// present or large parts of a result are boxed: a result is one of ~34 per structure,
    /// held until the workbook is written (docs/performance.md, « The analysis' memory »).
    pub missing: Option<Box<Missing>>,
    /// Source cells: the cell read, or the cells of the numerator and denominator.
    pub cells: Vec<CellRef>,
    /// The denominator (for rates), used by the small-numbers guard.
    pub denominator: Option<f64>,
    pub frames: Frames,
    pub expected: Option<Box<Expected>>,
    /// 0-100, higher is better; judged indicators only.
    pub score: Option<f64>,
    pub finding: Option<Box<Finding>>,
    /// Previous year's value, when the input has several years.
    pub previous: Option<f64>,
    /// Proposed objective for next year (judged indicators with a value).
    pub objective: Option<Box<Objective>>,
}

/// A proposed objective for next year, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// The proposed value.
    pub value: f64,
    /// The level the step starts from: the current value shrunk towards the reference by
    /// its reliability (the current value itself without shrinkage).
    pub level: f64,
    /// The reliability of the current value, `τ² / (τ² + σ²)`: the share of its gap to the
    /// reference that is not chance; None when it could not be estimated (no shrinkage).
    pub reliability: Option<f64>,
    /// Half the band within which the objective counts as met: the pack's `tolerance_z`
    /// times the sampling standard deviation of the rate (0 when unknown).
    pub tolerance: f64,
    /// The reference aimed at (the better of the peer median and the expected value;
    /// else the regional median), when there is one.
    pub reference: Option<f64>,
    /// What the reference is, in French (`médiane des pairs`, `valeur attendue`,
    /// `médiane régionale`, `aucune`).
    pub reference_kind: &'static str,
    /// The step proposed, oriented (>= 0 means better), in the indicator's unit.
    pub step: f64,
    /// True when the pack's maximum step cut the step.
    pub bounded: bool,
    /// What the French rationale ([`Objective::rationale`]) is composed from, besides the
    /// fields above: composed when shown rather than stored, since a run proposes an
    /// objective for most structure × indicator pairs (~5 KB of text per structure).
    #[serde(skip)]
    pub why: ObjectiveWhy,
}

/// The numbers an objective's rationale cites that its other fields do not hold.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ObjectiveWhy {
    /// The current value (before shrinkage).
    pub observed: f64,
    /// The other candidate reference, when there was one and it was not retained (the
    /// expected value beside the peer median, or the reverse).
    pub alternative: Option<f64>,
    /// The gap from the level to the reference, oriented (> 0: the reference is better).
    pub gap: f64,
    /// The share of the gap a step moves (`[objectives] step`).
    pub step_share: f64,
    /// The pack's maximum step for this value (cited when it cut the step).
    pub bound: f64,
    /// The unit the rationale shows numbers in.
    pub shown_unit: crate::pack::manifest::Unit,
}

impl Objective {
    /// Whether `achieved` meets the objective, within its tolerance band, for an indicator
    /// of direction `direction`; None for a neutral indicator or a value that is not a
    /// number.
    pub fn met(&self, achieved: f64, direction: Direction) -> Option<bool> {
        let sign = match direction {
            Direction::Higher => 1.0,
            Direction::Lower => -1.0,
            Direction::Neutral => return None,
        };
        achieved
            .is_finite()
            .then(|| (achieved - self.value) * sign >= -self.tolerance - 1e-12)
    }
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
    /// The structure's mean context distance to its peers over the median of those means:
    /// above the pack's `peers_far_ratio`, its peers are far.
    pub peer_distance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalPriority {
    pub recommendation: String,
    pub text: String,
    pub priority: u8,
    pub count: usize,
    /// count / structures of the region.
    pub share: f64,
    /// The region judged on the national frame for the recommendation's main indicator,
    /// when that judgement makes it a priority.
    pub national: Option<NationalEvidence>,
    /// The line of the pack's regions script that made it a priority; None for the counts
    /// and for the built-in rule (a pack without a regions script).
    pub rule: Option<RuleRef>,
}

/// A region's structures placed on the national frame of one judged indicator: how many
/// sit in its unfavourable quarter, against the 25 % chance alone would give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalEvidence {
    pub indicator: String,
    /// Structures of the region in the national unfavourable quarter: of the standardised
    /// residuals when the indicator has expected values, of the values otherwise.
    pub below: usize,
    /// Structures of the region counted (with a value, and an expected value if used).
    pub of: usize,
    /// One-sided binomial p-value `P(X >= below)` for `X ~ B(of, 0.25)`.
    pub p_value: f64,
    /// The level it was compared with (the pack's level over the indicators tested).
    pub level: f64,
    /// Median standardised residual of the region's structures (oriented: negative is worse
    /// than the context predicts), when the indicator has expected values.
    pub median_z: Option<f64>,
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
    /// Standard deviations beyond which a value is better or worse than expected.
    pub residual_z: f64,
    /// Fewest values of a regional or typology frame to judge by, and its fallback.
    pub min_frame_n: usize,
    pub fallback: FrameKind,
    /// Objectives count as met within this many sampling standard deviations.
    pub tolerance_z: f64,
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
    /// How the results hold under resampling of the counts (`run --stability N`); None
    /// without the option, and then no writer shows anything of it.
    pub stability: Option<Stability>,
    /// `run --by-region`: the region these results were cut to from the national analysis
    /// of `input` (see `analysis::regional`); None for the results of a whole input.
    pub region: Option<String>,
    /// How the findings and recommendations hold under the pack's method variants
    /// (`run --stability`, when the pack declares `[[sensitivity.variants]]`); None otherwise.
    pub sensitivity: Option<Sensitivity>,
}

/// How each finding, recommendation, regional priority and axis rank holds when the input
/// counts are drawn again `resamples` times around their observed values and the whole
/// analysis is done again on each draw (see `analysis::stability`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    pub resamples: usize,
    pub seed: u64,
    /// The pack's threshold under which a finding is fragile.
    pub fragile_below: f64,
    /// Aligned with `Results::structures`.
    pub structures: Vec<StructureStability>,
    /// Aligned with `Results::regions`, then with each region's `priorities`: the share of
    /// resamples where the priority is made again.
    pub priorities: Vec<Vec<f64>>,
}

/// One structure under resampling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureStability {
    /// Aligned with the indicators: for a judged indicator with a value, the share of
    /// resamples giving the same finding (no finding included); None otherwise.
    pub findings: Vec<Option<f64>>,
    /// Aligned with the structure's recommendations: the share of resamples making it again.
    pub recommendations: Vec<f64>,
    /// Aligned with `Results::axes`: the axis' rank in the region, when it has a score.
    pub axes: Vec<Option<AxisRank>>,
}

/// A structure's rank on one axis among the structures of its region with a score (1 =
/// highest score; tied scores share a rank), and where that rank falls under resampling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisRank {
    pub rank: usize,
    /// Structures of the region ranked on the axis.
    pub of: usize,
    /// 5th and 95th percentiles of the rank over the resamples where the axis has a score.
    pub interval: Option<[usize; 2]>,
}

/// How the findings and recommendations hold under the pack's method variants, each
/// analysed once on the same input (see `analysis::sensitivity`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// In the pack's order.
    pub variants: Vec<VariantOutcome>,
    /// What holds in every variant (`added`: made by at least one variant, not by the base).
    pub everywhere: Held,
    /// Aligned with `Results::structures`.
    pub structures: Vec<StructureSensitivity>,
    /// What each variant decided, by structure id (findings by indicator, recommendations),
    /// in the variants' order: kept so that results cut to one region
    /// (`analysis::regional`) count what holds among its structures only.
    #[serde(skip)]
    pub decided: Vec<VariantDecisions>,
}

/// What one variant decided, by structure id: findings by indicator, recommendations.
pub type VariantDecisions = std::collections::BTreeMap<
    String,
    (Vec<Option<FindingKind>>, std::collections::BTreeSet<String>),
>;

/// One variant of the method and what of the base holds under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantOutcome {
    pub name: String,
    pub label: String,
    /// What the variant changes, in French (« 15 pairs »).
    pub changes: Vec<String>,
    pub held: Held,
}

/// Counts of what is compared and of what holds (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Held {
    /// Structure × judged indicator with a value in the base.
    pub judgements: usize,
    /// Of them, with the same finding kind or none.
    pub unchanged: usize,
    /// Judgements where the base makes a finding.
    pub findings: usize,
    /// Of them, with the same kind.
    pub findings_held: usize,
    /// Structure × recommendation the base makes.
    pub recommendations: usize,
    /// Of them, made again.
    pub recommendations_held: usize,
    /// Structure × recommendation made that the base does not make.
    pub recommendations_added: usize,
}

impl Held {
    /// Share of the findings that hold; None when there is none.
    pub fn findings_share(&self) -> Option<f64> {
        share(self.findings_held, self.findings)
    }
    /// Share of the judgements unchanged (no finding included); None when there is none.
    pub fn unchanged_share(&self) -> Option<f64> {
        share(self.unchanged, self.judgements)
    }
    /// Share of the recommendations made again; None when there is none.
    pub fn recommendations_share(&self) -> Option<f64> {
        share(self.recommendations_held, self.recommendations)
    }
}

fn share(part: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| part as f64 / of as f64)
}

/// One structure under the variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureSensitivity {
    /// Aligned with the indicators: for a judgement (a judged indicator with a value), the
    /// finding each variant gives, in the variants' order; None otherwise.
    pub findings: Vec<Option<Vec<Option<FindingKind>>>>,
    /// Aligned with the structure's recommendations: how many variants make it too.
    pub recommendations: Vec<usize>,
}

impl StructureSensitivity {
    /// How many variants give indicator `i` the base's finding (`base`, none included);
    /// None when it is no judgement.
    pub fn held(&self, i: usize, base: Option<FindingKind>) -> Option<usize> {
        let kinds = self.findings.get(i)?.as_ref()?;
        Some(kinds.iter().filter(|k| **k == base).count())
    }
}

impl StructureStability {
    /// The stability of indicator `i`'s finding when it is under the pack's threshold.
    pub fn fragile(&self, i: usize, fragile_below: f64) -> Option<f64> {
        self.findings
            .get(i)
            .copied()
            .flatten()
            .filter(|s| *s < fragile_below)
    }
}

impl Results {
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|d| d.id == id)
    }

    /// The stability of structure number `s` (in `structures`), with `--stability`.
    pub fn structure_stability(&self, s: usize) -> Option<&StructureStability> {
        self.stability.as_ref()?.structures.get(s)
    }

    /// The stability of a finding of structure `s` on indicator `i` when it is fragile (a
    /// finding made, under the pack's threshold); None without `--stability`.
    pub fn fragile_finding(&self, s: usize, i: usize) -> Option<f64> {
        let stability = self.stability.as_ref()?;
        self.structures
            .get(s)?
            .indicators
            .get(i)?
            .finding
            .as_ref()?;
        stability
            .structures
            .get(s)?
            .fragile(i, stability.fragile_below)
    }
}
