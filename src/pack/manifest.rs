//! The pack manifest (`pack.toml`): what a rule pack declares as data.
//!
//! The manifest owns the catalogue (input columns with their aliases and units, derived
//! indicators, and the key a header is matched to a label or alias on), the axes, the
//! reference frames, the scoring settings, the thresholds with their regional layers, the
//! recommendations and the regional-priority rule. Scripts (`*.rhai`) hold the reasoning;
//! this file holds the vocabulary they reason with.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub pack: PackInfo,
    /// Input columns, in the order a template lays them out.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Derived indicators (cross-readings such as rates and ratios).
    #[serde(default)]
    pub indicators: Vec<DerivedSpec>,
    #[serde(default)]
    pub axes: Vec<AxisSpec>,
    #[serde(default)]
    pub frames: FramesSpec,
    #[serde(default)]
    pub scoring: ScoringSpec,
    #[serde(default)]
    pub findings: FindingsSpec,
    #[serde(default)]
    pub thresholds: ThresholdsSpec,
    #[serde(default)]
    pub recommendations: Vec<RecommendationSpec>,
    #[serde(default)]
    pub regional_priorities: RegionalPrioritiesSpec,
    #[serde(default)]
    pub objectives: ObjectivesSpec,
    /// How stability under resampling is read (`run --stability`).
    #[serde(default)]
    pub stability: StabilitySpec,
    /// Method variants whose findings are compared with the pack's own (`run --stability`).
    #[serde(default)]
    pub sensitivity: SensitivitySpec,
    pub scripts: ScriptsSpec,
    /// Labels used in outputs (sheet names, headers), overriding the French defaults; the
    /// keys are [`LABEL_KEYS`].
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// The keys of `[labels]` the outputs read: the annotated workbook's sheet names
/// (`report::annotated::names`, and `donnees`, the prefix of the data copies), the
/// per-structure workbook's (`fiche`, `objectifs`) and two titles. Any other key is read by
/// nothing; the pack's lint says so.
pub const LABEL_KEYS: &[&str] = &[
    "synthese",
    "fiche",
    "indicateurs",
    "referentiels",
    "axes",
    "priorites",
    "radars",
    "entonnoirs",
    "objectifs",
    "suivi",
    "donnees",
    "diagnostics",
    "regles",
    "titre_fiche",
    "titre_synthese",
];

impl Manifest {
    /// The plausible bounds the pack declares for an indicator (a numeric column or a
    /// derived indicator), if any.
    pub fn plausible(&self, id: &str) -> Option<Bounds> {
        self.columns
            .iter()
            .filter(|c| c.id == id)
            .find_map(|c| c.plausible)
            .or_else(|| {
                self.indicators
                    .iter()
                    .filter(|d| d.id == id)
                    .find_map(|d| d.plausible)
            })
    }

    /// The pack's label for `key` (a sheet name, a header), or `default` when the pack
    /// leaves it unset or blank.
    pub fn label(&self, key: &str, default: &str) -> String {
        self.labels
            .get(key)
            .filter(|l| !l.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// What rests on an input column, in French: the derived indicators computed from it
    /// (directly or through another derived indicator), the column itself when it is judged,
    /// the context of peers and of expected values. Empty when nothing does.
    pub fn uses_of(&self, column: &str) -> Vec<String> {
        let mut uses = Vec::new();
        if let Some(spec) = self.columns.iter().find(|c| c.id == column)
            && spec.role == Role::Indicator
            && spec.direction() != Direction::Neutral
        {
            uses.push(format!("l'indicateur jugé « {} »", spec.label));
        }
        for derived in &self.indicators {
            if self.rests_on(&derived.id, column, 0) {
                uses.push(format!("« {} »", derived.label));
            }
        }
        if self.frames.peers_context.iter().any(|c| c == column) {
            uses.push("le choix des pairs".into());
        }
        if self.frames.regression_context.iter().any(|c| c == column) {
            uses.push("les valeurs attendues".into());
        }
        uses
    }

    /// Whether derived indicator `id` is computed from `column`, through at most a few
    /// levels of derived indicators (a cycle, which `check` refuses, ends the walk).
    fn rests_on(&self, id: &str, column: &str, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        let Some(derived) = self.indicators.iter().find(|d| d.id == id) else {
            return false;
        };
        [&derived.numerator, &derived.denominator]
            .into_iter()
            .any(|operand| operand == column || self.rests_on(operand, column, depth + 1))
    }

    /// The region names the pack gives thresholds or a regional-priority share to.
    pub fn known_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self
            .thresholds
            .regions
            .keys()
            .chain(self.regional_priorities.regions.keys())
            .cloned()
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_language() -> String {
    "fr".into()
}

/// The role a column plays when reading a workbook.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The structure's identifier (text, e.g. `01053`).
    Id,
    /// The structure's name.
    Name,
    /// The region.
    Region,
    /// The year of the observation.
    Year,
    /// A typology class, used as a reference frame when present.
    Typology,
    /// A numeric indicator (activity or result).
    Indicator,
    /// A numeric context variable.
    Context,
}

impl Role {
    pub fn is_numeric(self) -> bool {
        matches!(self, Role::Indicator | Role::Context)
    }
}

/// The unit of a numeric column or indicator.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A non-negative whole count (young people, interviews...).
    #[default]
    Count,
    /// A non-negative decimal number (full-time equivalents, density...).
    Decimal,
    /// A fraction between 0 and 1, shown as a percentage.
    Fraction,
    /// A ratio with no fixed bound (interviews per young person...).
    Ratio,
}

impl Unit {
    /// Default display format (Excel number format code).
    pub fn default_format(self) -> &'static str {
        match self {
            Unit::Count => "#,##0",
            Unit::Decimal => "#,##0.0",
            Unit::Fraction => "0.0%",
            Unit::Ratio => "0.00",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Unit::Count => "nombre",
            Unit::Decimal => "nombre décimal",
            Unit::Fraction => "proportion (entre 0 et 1)",
            Unit::Ratio => "ratio",
        }
    }
}

/// How a fraction column's numbers are stored in the field: `0.125` or `12.5`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Stored as a fraction (0.125); text `12,5 %` is still read as 0.125.
    #[default]
    Fraction,
    /// Stored as a percentage number (12.5 means 12.5 %).
    Percent,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Higher,
    Lower,
    /// Shown, never judged.
    Neutral,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub id: String,
    /// The main label, as written in the pack's template.
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub role: Role,
    #[serde(default)]
    pub unit: Unit,
    #[serde(default)]
    pub scale: Scale,
    /// A required column missing from the workbook refuses it.
    #[serde(default)]
    pub required: bool,
    /// Definition and source, for notes and documentation.
    #[serde(default)]
    pub definition: String,
    /// Display format; defaults from the unit.
    #[serde(default)]
    pub format: Option<String>,
    /// Judging direction when the column is shown as an indicator (context: neutral).
    #[serde(default)]
    pub direction: Option<Direction>,
    /// The values an objective may plausibly take (`collect` refuses one beyond).
    #[serde(default)]
    pub plausible: Option<Bounds>,
}

impl ColumnSpec {
    pub fn format(&self) -> &str {
        self.format.as_deref().unwrap_or(self.unit.default_format())
    }
    pub fn direction(&self) -> Direction {
        self.direction.unwrap_or(Direction::Neutral)
    }
}

/// The key a header is matched on: lower case, no accents, punctuation and every kind of
/// space (repeated, line breaks, non-breaking) reduced to single spaces.
///
/// ```
/// use boussole::pack::manifest::normalize_header;
/// assert_eq!(normalize_header("  Jeunes\u{a0}en\n premier  ACCUEIL "), "jeunes en premier accueil");
/// assert_eq!(normalize_header("Offres d’emploi collectées"), "offres d emploi collectees");
/// assert_eq!(normalize_header("N° ML"), normalize_header("no ml"));
/// ```
pub fn normalize_header(s: &str) -> String {
    // `°` after N means "numéro": keep it as `o` so `N° ML` and `No ML` meet.
    // Separators become spaces before transliteration (deunicode drops some of them).
    let s: String = s
        .chars()
        .map(|c| match c {
            '°' => 'o',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    let ascii = deunicode::deunicode(&s).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    let mut space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DerivedSpec {
    pub id: String,
    pub label: String,
    /// Labels the indicator bore in earlier versions of the pack: `collect` accepts a
    /// returned line that shows one of them (the workbook was annotated before the rename).
    #[serde(default)]
    pub former_labels: Vec<String>,
    /// Column or derived indicator divided.
    pub numerator: String,
    /// Column or derived indicator dividing; a missing or zero denominator gives a missing value.
    pub denominator: String,
    /// Multiplier applied to the ratio (100 for "per 100").
    #[serde(default = "one")]
    pub factor: f64,
    #[serde(default = "ratio_unit")]
    pub unit: Unit,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub direction: Direction,
    /// Axis id; neutral indicators may have none.
    #[serde(default)]
    pub axis: Option<String>,
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub definition: String,
    /// The values an objective may plausibly take (`collect` refuses one beyond): a
    /// coverage rate may pass 100 %, not 7 800 % (78 typed for 78 % in a percentage cell).
    #[serde(default)]
    pub plausible: Option<Bounds>,
}

/// Plausible bounds of an indicator's values, inclusive: `plausible = { min = 0.0, max = 3.0 }`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub min: f64,
    pub max: f64,
}

impl Bounds {
    pub fn admits(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }
}

fn one() -> f64 {
    1.0
}
fn ratio_unit() -> Unit {
    Unit::Ratio
}

impl DerivedSpec {
    pub fn format(&self) -> &str {
        self.format.as_deref().unwrap_or(self.unit.default_format())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AxisSpec {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
}

/// A normalisation method for scores.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    /// Percentile rank within the frame, 0-100.
    #[default]
    Percentile,
    /// (x - min) / (max - min) within the frame, 0-100.
    MinMax,
    /// 50 + 10 z within the frame (z clamped to +/-5).
    ZScore,
}

impl Normalisation {
    pub fn label_fr(self) -> &'static str {
        match self {
            Normalisation::Percentile => "rang centile",
            Normalisation::MinMax => "position entre minimum et maximum",
            Normalisation::ZScore => "score z (50 + 10 z)",
        }
    }
}

/// A reference frame name.
#[derive(
    Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum FrameKind {
    National,
    #[default]
    Region,
    Peers,
    Typology,
}

impl FrameKind {
    pub const ALL: [FrameKind; 4] = [
        FrameKind::National,
        FrameKind::Region,
        FrameKind::Peers,
        FrameKind::Typology,
    ];

    pub fn id(self) -> &'static str {
        match self {
            FrameKind::National => "national",
            FrameKind::Region => "region",
            FrameKind::Peers => "peers",
            FrameKind::Typology => "typology",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            FrameKind::National => "national",
            FrameKind::Region => "région",
            FrameKind::Peers => "pairs",
            FrameKind::Typology => "typologie",
        }
    }

    pub fn parse(s: &str) -> Option<FrameKind> {
        match s {
            "national" | "france" => Some(FrameKind::National),
            "region" | "région" => Some(FrameKind::Region),
            "peers" | "pairs" => Some(FrameKind::Peers),
            "typology" | "typologie" => Some(FrameKind::Typology),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FramesSpec {
    /// Number of nearest neighbours forming the peer group.
    #[serde(default = "default_k")]
    pub peers_k: usize,
    /// Context columns on which peers are found (standardised).
    #[serde(default)]
    pub peers_context: Vec<String>,
    /// How context distances are measured: `mahalanobis` (standardised, then decorrelated,
    /// so that correlated variables are not counted twice) or `euclidean` (standardised).
    #[serde(default)]
    pub peers_distance: PeerDistance,
    /// Weight of each peer context variable in the distance (1 when not listed; 0 drops it).
    #[serde(default)]
    pub peers_weights: BTreeMap<String, f64>,
    /// A structure whose mean distance to its peers exceeds this many times the median of
    /// those distances has far peers, and its peer frame says so.
    #[serde(default = "default_far_ratio")]
    pub peers_far_ratio: f64,
    /// Context columns the expected value is regressed on.
    #[serde(default)]
    pub regression_context: Vec<String>,
    /// Context columns entered as their natural logarithm (e.g. density).
    #[serde(default)]
    pub log_context: Vec<String>,
    /// The regression's quality gate: below this adjusted R², the context explains too
    /// little for an expected value, which is then left missing with a diagnostic.
    #[serde(default = "default_min_adj_r2")]
    pub regression_min_adj_r2: f64,
    /// The regression's quality gate: at least this many observations per predictor.
    #[serde(default = "default_obs_per_predictor")]
    pub regression_obs_per_predictor: f64,
    /// A regional or typology frame with fewer structures holding a value is too small to
    /// judge a structure by: the `fallback` frame is used in its place, and said.
    #[serde(default = "default_min_frame_n")]
    pub min_frame_n: usize,
    /// The frame used in place of one too small to judge by.
    #[serde(default = "default_fallback")]
    pub fallback: FrameKind,
}

/// How the distance between two structures' contexts is measured.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PeerDistance {
    #[default]
    Mahalanobis,
    Euclidean,
}

fn default_far_ratio() -> f64 {
    2.0
}

fn default_min_adj_r2() -> f64 {
    0.10
}
fn default_obs_per_predictor() -> f64 {
    10.0
}
fn default_min_frame_n() -> usize {
    5
}
fn default_fallback() -> FrameKind {
    FrameKind::National
}

fn default_k() -> usize {
    10
}

impl Default for FramesSpec {
    fn default() -> Self {
        FramesSpec {
            peers_k: default_k(),
            peers_context: Vec::new(),
            peers_distance: PeerDistance::default(),
            peers_weights: BTreeMap::new(),
            peers_far_ratio: default_far_ratio(),
            regression_context: Vec::new(),
            log_context: Vec::new(),
            regression_min_adj_r2: default_min_adj_r2(),
            regression_obs_per_predictor: default_obs_per_predictor(),
            min_frame_n: default_min_frame_n(),
            fallback: default_fallback(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoringSpec {
    #[serde(default)]
    pub normalisation: Normalisation,
    /// The frame scores are normalised within.
    #[serde(default)]
    pub frame: FrameKind,
    /// Minimum share of an axis' weight with a score for the axis to get one: a number, or
    /// an exact fraction written `"2/3"`.
    #[serde(default = "two_thirds", deserialize_with = "share")]
    pub min_coverage: f64,
}

/// A share written as a number (`0.3`) or as an exact fraction (`"2/3"`), so that a pack
/// can say two thirds without rounding it above 2/3.
fn share<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Share {
        Number(f64),
        Text(String),
    }
    match Share::deserialize(deserializer)? {
        Share::Number(x) => Ok(x),
        Share::Text(text) => parse_fraction(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "« {text} » : un nombre ou une fraction comme \"2/3\" est attendu"
            ))
        }),
    }
}

/// `"2/3"` → 2/3; `"0.5"` → 0.5; None for anything else or a zero denominator.
pub fn parse_fraction(text: &str) -> Option<f64> {
    let text = text.trim();
    let value = match text.split_once('/') {
        Some((a, b)) => {
            let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (b != 0.0).then(|| a / b)?
        }
        None => text.replace(',', ".").parse().ok()?,
    };
    value.is_finite().then_some(value)
}

fn two_thirds() -> f64 {
    2.0 / 3.0
}

impl Default for ScoringSpec {
    fn default() -> Self {
        ScoringSpec {
            normalisation: Normalisation::default(),
            frame: FrameKind::Region,
            min_coverage: two_thirds(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FindingsSpec {
    /// z of the funnel limits for the small-numbers guard (1.96 alert, 3.09 alarm).
    #[serde(default = "default_z")]
    pub funnel_z: f64,
    /// A value is better or worse than expected when its standardised residual (observed
    /// minus the leave-one-out prediction, over the prediction's standard deviation) is
    /// beyond this many standard deviations.
    #[serde(default = "default_residual_z")]
    pub residual_z: f64,
}

fn default_residual_z() -> f64 {
    1.0
}

fn default_z() -> f64 {
    1.96
}

impl Default for FindingsSpec {
    fn default() -> Self {
        FindingsSpec {
            funnel_z: default_z(),
            residual_z: default_residual_z(),
        }
    }
}

/// A threshold table: named numbers, and optional bands.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsSpec {
    /// Base values, by name.
    #[serde(default)]
    pub base: BTreeMap<String, f64>,
    /// Per-region overrides of base values.
    #[serde(default)]
    pub regions: BTreeMap<String, BTreeMap<String, f64>>,
    /// Banded scales: contiguous intervals with a label, checked for gaps and overlaps.
    #[serde(default)]
    pub bands: BTreeMap<String, Vec<Band>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Inclusive lower bound.
    pub from: f64,
    /// Exclusive upper bound.
    pub to: f64,
    pub label: String,
}

impl ThresholdsSpec {
    /// The value of a threshold for a region: the region's layer, else the base.
    pub fn value(&self, name: &str, region: &str) -> Option<f64> {
        self.regions
            .get(region)
            .and_then(|r| r.get(name))
            .or_else(|| self.base.get(name))
            .copied()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecommendationSpec {
    pub id: String,
    /// What is recommended, in the pack's language.
    pub text: String,
    /// 1 = highest priority.
    pub priority: u8,
    /// Indicators (columns or derived) it rests on.
    #[serde(default)]
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegionalPrioritiesSpec {
    /// Minimum share of a region's structures carrying a recommendation to make it a priority.
    #[serde(default = "default_share", deserialize_with = "share")]
    pub min_share: f64,
    /// Minimum count as well (a region of two structures should not get priorities from one).
    #[serde(default = "default_min_count")]
    pub min_count: usize,
    #[serde(default)]
    pub regions: BTreeMap<String, f64>,
    /// Each region is also judged on the national frame: for each judged indicator, are its
    /// structures more often in the national unfavourable quarter than the 25 % chance
    /// gives? A one-sided binomial test at this level, divided by the number of indicators
    /// tested (Bonferroni); 0 turns the national judgement off.
    #[serde(default = "default_national_alpha")]
    pub national_alpha: f64,
}

/// How the stability of findings under resampling of the counts (`run --stability`) is
/// read: below `fragile_below`, a finding is marked fragile in the Fiche.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StabilitySpec {
    /// Share of resamples giving the same finding under which it is fragile (0 to 1).
    #[serde(default = "default_fragile_below", deserialize_with = "unit_share")]
    pub fragile_below: f64,
}

fn default_fragile_below() -> f64 {
    0.7
}

impl Default for StabilitySpec {
    fn default() -> Self {
        StabilitySpec {
            fragile_below: default_fragile_below(),
        }
    }
}

/// A share between 0 and 1 (a number or a fraction such as "2/3").
fn unit_share<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let x = share(deserializer)?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(serde::de::Error::custom(format!(
            "{x} : une part entre 0 et 1 est attendue"
        )))
    }
}

/// The method variants a pack declares (`[[sensitivity.variants]]`): with `run
/// --stability`, the analysis is done once more under each, and the share of findings and
/// recommendations that hold is summarised in Synthèse.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySpec {
    #[serde(default, deserialize_with = "distinct_variants")]
    pub variants: Vec<Variant>,
}

/// One method variant: a name, a French label, and the method choices it changes, each
/// named as in the manifest (`scoring.normalisation`, `scoring.frame`, `findings.funnel_z`,
/// `findings.residual_z`, `frames.peers_k`, `frames.min_frame_n`, `weights.<indicator>`).
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Variant {
    pub name: String,
    pub label: String,
    pub normalisation: Option<Normalisation>,
    pub score_frame: Option<FrameKind>,
    pub funnel_z: Option<f64>,
    pub residual_z: Option<f64>,
    pub peers_k: Option<usize>,
    pub min_frame_n: Option<usize>,
    /// Weights of derived indicators, by indicator id.
    pub weights: BTreeMap<String, f64>,
}

/// The keys a variant may hold, by section (`""`: the variant's own keys).
const VARIANT_KEYS: [(&str, &[&str]); 4] = [
    (
        "",
        &["name", "label", "scoring", "findings", "frames", "weights"],
    ),
    ("scoring", &["normalisation", "frame"]),
    ("findings", &["funnel_z", "residual_z"]),
    ("frames", &["peers_k", "min_frame_n"]),
];

impl Variant {
    /// A variant from its TOML table; the error, in French, names the variant (or its
    /// position when it has no name) and the key at fault.
    pub fn from_table(table: &toml::Table, position: usize) -> Result<Variant, String> {
        let who = match table.get("name").and_then(toml::Value::as_str) {
            Some(name) if !name.trim().is_empty() => format!("variante « {} »", name.trim()),
            _ => format!("variante n° {position}"),
        };
        let fail = |message: String| format!("[[sensitivity.variants]], {who} : {message}");
        let keys = |section: &str| {
            VARIANT_KEYS
                .iter()
                .find(|(s, _)| *s == section)
                .map_or(&[][..], |(_, k)| *k)
        };
        let mut variant = Variant::default();
        for (key, value) in table {
            if !keys("").contains(&key.as_str()) {
                let known = VARIANT_KEYS.iter().flat_map(|(section, keys)| {
                    keys.iter().map(move |k| match *section {
                        "" => k.to_string(),
                        s => format!("{s}.{k}"),
                    })
                });
                let known: Vec<String> = known.collect();
                return Err(fail(format!(
                    "clé inconnue « {key} »{}",
                    crate::fr::suggest(key, known.iter().map(String::as_str))
                )));
            }
            match key.as_str() {
                "name" | "label" => {
                    let text = value
                        .as_str()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .ok_or_else(|| {
                            fail(format!("« {key} » : un texte non vide est attendu"))
                        })?;
                    if key == "name" {
                        variant.name = text.to_string();
                    } else {
                        variant.label = text.to_string();
                    }
                }
                "weights" => {
                    let weights = value.as_table().ok_or_else(|| {
                        fail("« weights » : une table { indicateur = poids } est attendue".into())
                    })?;
                    for (id, w) in weights {
                        let w = positive(w).ok_or_else(|| {
                            fail(format!(
                                "weights.{id} : un poids strictement positif est attendu"
                            ))
                        })?;
                        variant.weights.insert(id.clone(), w);
                    }
                }
                section => {
                    let inner = value.as_table().ok_or_else(|| {
                        fail(format!(
                            "« {section} » : une table est attendue (par exemple {section}.{} = …)",
                            keys(section)[0]
                        ))
                    })?;
                    for (key, value) in inner {
                        let path = format!("{section}.{key}");
                        if !keys(section).contains(&key.as_str()) {
                            let known: Vec<String> = keys(section)
                                .iter()
                                .map(|k| format!("{section}.{k}"))
                                .collect();
                            return Err(fail(format!(
                                "clé inconnue « {path} »{}",
                                crate::fr::suggest(&path, known.iter().map(String::as_str))
                            )));
                        }
                        variant
                            .set(&path, value)
                            .map_err(|m| fail(format!("{path} : {m}")))?;
                    }
                }
            }
        }
        if variant.name.is_empty() {
            return Err(fail("« name » manque : chaque variante a un nom".into()));
        }
        if variant.label.is_empty() {
            return Err(fail(
                "« label » manque : le libellé que la Synthèse affiche".into(),
            ));
        }
        if variant.changes().is_empty() {
            return Err(fail(
                "elle ne change aucun choix de méthode (scoring, findings, frames ou weights)"
                    .into(),
            ));
        }
        Ok(variant)
    }

    /// One method choice of the variant, from its value; the error says what is expected.
    fn set(&mut self, path: &str, value: &toml::Value) -> Result<(), String> {
        let text = || value.as_str().map(str::trim);
        match path {
            "scoring.normalisation" => {
                self.normalisation = Some(match text() {
                    Some("percentile") => Normalisation::Percentile,
                    Some("min_max") => Normalisation::MinMax,
                    Some("z_score") => Normalisation::ZScore,
                    _ => return Err("« percentile », « min_max » ou « z_score » est attendu".into()),
                })
            }
            "scoring.frame" => {
                self.score_frame = Some(
                    text()
                        .and_then(|t| FrameKind::ALL.into_iter().find(|k| k.id() == t))
                        .ok_or("« national », « region », « peers » ou « typology » est attendu")?,
                )
            }
            "findings.funnel_z" => {
                self.funnel_z = Some(positive(value).ok_or(
                    "un nombre strictement positif est attendu (1,96 pour une alerte à 95 %, 3,09 pour une alarme)",
                )?)
            }
            "findings.residual_z" => {
                self.residual_z = Some(
                    positive(value).ok_or("un nombre strictement positif d'écarts-types est attendu")?,
                )
            }
            "frames.peers_k" => {
                self.peers_k = Some(
                    whole(value).ok_or("un nombre entier de pairs, au moins 1, est attendu")?,
                )
            }
            "frames.min_frame_n" => {
                self.min_frame_n = Some(
                    whole(value).ok_or("un nombre entier de structures, au moins 1, est attendu")?,
                )
            }
            _ => return Err("clé inconnue".into()),
        }
        Ok(())
    }

    /// What the variant changes, in French, one item per choice (« 15 pairs »); a weight
    /// names its indicator by `manifest`'s label.
    pub fn changes_in(&self, manifest: &Manifest) -> Vec<String> {
        let mut out = self.changes();
        let weights = out.len() - self.weights.len();
        for (text, (id, w)) in out[weights..].iter_mut().zip(&self.weights) {
            if let Some(d) = manifest.indicators.iter().find(|d| d.id == *id) {
                *text = format!("poids de « {} » : {}", d.label, crate::fr::number(*w, 2));
            }
        }
        out
    }

    /// What the variant changes, in French, one item per choice, indicators by id.
    pub fn changes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(n) = self.normalisation {
            out.push(format!("normalisation des scores : {}", n.label_fr()));
        }
        if let Some(frame) = self.score_frame {
            out.push(format!("scores dans le référentiel {}", frame.label_fr()));
        }
        if let Some(z) = self.funnel_z {
            out.push(format!("entonnoir à z = {}", crate::fr::number(z, 2)));
        }
        if let Some(z) = self.residual_z {
            out.push(format!(
                "écart à la valeur attendue à partir de {} écart-type",
                crate::fr::number(z, 2)
            ));
        }
        if let Some(k) = self.peers_k {
            out.push(crate::fr::count(k, "pair", "pairs"));
        }
        if let Some(n) = self.min_frame_n {
            out.push(format!(
                "référentiel de repli sous {}",
                crate::fr::count(n, "valeur", "valeurs")
            ));
        }
        for (id, w) in &self.weights {
            out.push(format!("poids de {id} : {}", crate::fr::number(*w, 2)));
        }
        out
    }

    /// The manifest with the variant's choices in place of the pack's.
    pub fn apply(&self, base: &Manifest) -> Manifest {
        let mut m = base.clone();
        if let Some(n) = self.normalisation {
            m.scoring.normalisation = n;
        }
        if let Some(frame) = self.score_frame {
            m.scoring.frame = frame;
        }
        if let Some(z) = self.funnel_z {
            m.findings.funnel_z = z;
        }
        if let Some(z) = self.residual_z {
            m.findings.residual_z = z;
        }
        if let Some(k) = self.peers_k {
            m.frames.peers_k = k;
        }
        if let Some(n) = self.min_frame_n {
            m.frames.min_frame_n = n;
        }
        for (id, w) in &self.weights {
            if let Some(d) = m.indicators.iter_mut().find(|d| &d.id == id) {
                d.weight = *w;
            }
        }
        m
    }
}

/// The variants, each read by [`Variant::from_table`] with its position, their names
/// distinct.
fn distinct_variants<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Variant>, D::Error> {
    let tables = Vec::<toml::Table>::deserialize(deserializer)?;
    let mut variants: Vec<Variant> = Vec::with_capacity(tables.len());
    for (k, table) in tables.iter().enumerate() {
        let variant = Variant::from_table(table, k + 1).map_err(serde::de::Error::custom)?;
        if variants.iter().any(|v| v.name == variant.name) {
            return Err(serde::de::Error::custom(format!(
                "[[sensitivity.variants]], variante « {} » : ce nom est déjà celui d'une autre variante",
                variant.name
            )));
        }
        variants.push(variant);
    }
    Ok(variants)
}

/// A finite, strictly positive number (an integer is taken too).
fn positive(value: &toml::Value) -> Option<f64> {
    let x = match value {
        toml::Value::Float(x) => *x,
        toml::Value::Integer(n) => *n as f64,
        _ => return None,
    };
    (x.is_finite() && x > 0.0).then_some(x)
}

/// A whole number of at least 1.
fn whole(value: &toml::Value) -> Option<usize> {
    value
        .as_integer()
        .filter(|n| *n >= 1)
        .and_then(|n| usize::try_from(n).ok())
}

impl Manifest {
    /// What the variants ask that this manifest cannot give: a weight on an indicator that
    /// is not a judged derived indicator of an axis, scores in the typology frame without
    /// a typology column. (variant name, problem in French), in the variants' order.
    pub fn variant_problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for v in &self.sensitivity.variants {
            for id in v.weights.keys() {
                let weighted = self
                    .indicators
                    .iter()
                    .any(|d| &d.id == id && d.axis.is_some() && d.direction != Direction::Neutral);
                if !weighted {
                    let names = self
                        .indicators
                        .iter()
                        .filter(|d| d.axis.is_some() && d.direction != Direction::Neutral)
                        .map(|d| d.id.as_str());
                    out.push((
                        v.name.clone(),
                        format!(
                            "weights.{id} : « {id} » n'est pas un indicateur calculé jugé et rattaché à un axe{}",
                            crate::fr::suggest(id, names)
                        ),
                    ));
                }
            }
            if v.score_frame == Some(FrameKind::Typology)
                && !self.columns.iter().any(|c| c.role == Role::Typology)
            {
                out.push((
                    v.name.clone(),
                    "scoring.frame = \"typology\" sans colonne de rôle « typology »".into(),
                ));
            }
        }
        out
    }
}

fn default_national_alpha() -> f64 {
    0.05
}

fn default_share() -> f64 {
    0.3
}
fn default_min_count() -> usize {
    2
}

impl Default for RegionalPrioritiesSpec {
    fn default() -> Self {
        RegionalPrioritiesSpec {
            min_share: default_share(),
            min_count: default_min_count(),
            regions: BTreeMap::new(),
            national_alpha: default_national_alpha(),
        }
    }
}

impl RegionalPrioritiesSpec {
    pub fn share_for(&self, region: &str) -> f64 {
        self.regions.get(region).copied().unwrap_or(self.min_share)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ObjectivesSpec {
    /// Share of the gap to the reference proposed as next year's step.
    #[serde(default = "default_step")]
    pub step: f64,
    /// Maximum step for fractions, in points (0.05 = 5 points).
    #[serde(default = "default_max_points")]
    pub max_step_points: f64,
    /// Maximum step for other units, relative to the current value (0.1 = +10 %).
    #[serde(default = "default_max_relative")]
    pub max_step_relative: f64,
    /// Shrink the current value towards its reference by its reliability before the step
    /// (empirical Bayes), so that a value high or low by chance is not taken at face value.
    #[serde(default = "default_true")]
    pub shrink: bool,
    /// An objective is met within this many standard deviations of its sampling noise.
    #[serde(default = "default_tolerance_z")]
    pub tolerance_z: f64,
    /// Propose objectives only for the indicators found to be areas for progress.
    #[serde(default)]
    pub only_areas_for_progress: bool,
}

fn default_true() -> bool {
    true
}
fn default_tolerance_z() -> f64 {
    1.28
}

fn default_step() -> f64 {
    0.5
}
fn default_max_points() -> f64 {
    0.05
}
fn default_max_relative() -> f64 {
    0.10
}

impl Default for ObjectivesSpec {
    fn default() -> Self {
        ObjectivesSpec {
            step: default_step(),
            max_step_points: default_max_points(),
            max_step_relative: default_max_relative(),
            shrink: true,
            tolerance_z: default_tolerance_z(),
            only_areas_for_progress: false,
        }
    }
}

/// The pack's scripts, relative to the pack folder.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScriptsSpec {
    /// Decides one finding per structure and judged indicator.
    pub findings: String,
    /// Decides the recommendations of one structure.
    pub recommendations: String,
    /// Decides the regional priorities of one region, once its structures' findings and
    /// recommendations and its national judgements are known; without it, the built-in
    /// rule of `[regional_priorities]` applies.
    #[serde(default)]
    pub regions: Option<String>,
}

impl ScriptsSpec {
    /// Every script of the pack: findings, recommendations, then the regions' if any.
    pub fn all(&self) -> Vec<&str> {
        [self.findings.as_str(), self.recommendations.as_str()]
            .into_iter()
            .chain(self.regions.as_deref())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_meet_whatever_the_typing() {
        assert_eq!(normalize_header("Région"), "region");
        assert_eq!(normalize_header("Code  ML"), normalize_header("code-ml"));
        assert_eq!(
            normalize_header("Sorties de CIVIS vers l’emploi durable"),
            normalize_header("sorties de civis vers l'emploi durable")
        );
        assert_eq!(normalize_header("Densité (hab/km²)"), "densite hab km2");
    }
}
