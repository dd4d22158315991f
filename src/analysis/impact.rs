//! The impact of a rule change: two [`Results`] of the same input, one per pack, compared
//! structure by structure and region by region.
//!
//! This module owns the comparison types ([`Impact`] and its changes) and computes them. It
//! reads results only: it never reads a file, compiles a pack nor re-runs an analysis
//! (`boussole impact` does that, see `cli::impact`), and writes nothing (the impact workbook
//! is `report::impact`).
//!
//! Invariants: comparing results with themselves gives an [`Impact`] with no change at all;
//! structures are matched by id, indicators and axes by id, regions by name, recommendations
//! by id; changes are listed in structure id order, then in the packs' order of indicators.

use crate::analysis::results::{
    FindingKind, IndicatorResult, RegionResult, Results, StructureResult,
};
use crate::dataset::StructureId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Score differences at or below this are rounding noise, not changes.
pub const SCORE_TOLERANCE: f64 = 1e-9;

/// The structure a change concerns, as pack B shows it (pack A when B lacks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StructureKey {
    pub id: StructureId,
    pub name: String,
    pub region: String,
}

impl StructureKey {
    fn of(s: &StructureResult) -> StructureKey {
        StructureKey {
            id: s.id.clone(),
            name: s.name.clone(),
            region: s.region.clone(),
        }
    }
}

/// Whether something present under one pack only appears with pack B or disappears with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Absent with pack A, present with pack B.
    Appears,
    /// Present with pack A, absent with pack B.
    Disappears,
}

impl Change {
    pub fn label_fr(self) -> &'static str {
        match self {
            Change::Appears => "apparaît",
            Change::Disappears => "disparaît",
        }
    }
}

/// A finding of one indicator that appears, disappears or changes kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingChange {
    pub structure: StructureKey,
    pub indicator: String,
    pub label: String,
    pub before: Option<FindingKind>,
    pub after: Option<FindingKind>,
}

/// A recommendation of one structure that appears or disappears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendationChange {
    pub structure: StructureKey,
    pub recommendation: String,
    pub text: String,
    pub priority: u8,
    pub change: Change,
}

/// A score (of an indicator or of an axis) that moves, appears or disappears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreChange {
    pub structure: StructureKey,
    /// Indicator or axis id.
    pub id: String,
    pub label: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// `after - before`, when both exist.
    pub delta: Option<f64>,
}

/// A regional priority that appears or disappears, with the region's counts under each pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityChange {
    pub region: String,
    pub recommendation: String,
    pub text: String,
    pub priority: u8,
    pub change: Change,
    /// Structures of the region carrying the recommendation, and their share, with pack A.
    pub count_before: usize,
    pub share_before: f64,
    /// The same with pack B.
    pub count_after: usize,
    pub share_after: f64,
}

/// How much changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Structures present under both packs.
    pub structures_compared: usize,
    /// Compared structures with at least one change (finding, recommendation or score).
    pub structures_changed: usize,
    /// Structures analysed with one pack only (the packs read different columns).
    pub structures_unmatched: usize,
    pub findings_changed: usize,
    pub recommendations_added: usize,
    pub recommendations_removed: usize,
    pub scores_changed: usize,
    pub axes_changed: usize,
    pub priorities_added: usize,
    pub priorities_removed: usize,
}

impl Summary {
    /// Number of changes of any kind.
    pub fn changes(&self) -> usize {
        self.kinds().iter().map(|(_, n)| n).sum()
    }

    /// The counts of each kind of change, with their French labels, in display order.
    pub fn kinds(&self) -> [(&'static str, usize); 7] {
        [
            ("Constats modifiés", self.findings_changed),
            ("Recommandations ajoutées", self.recommendations_added),
            ("Recommandations retirées", self.recommendations_removed),
            ("Scores d'indicateur modifiés", self.scores_changed),
            ("Scores d'axe modifiés", self.axes_changed),
            ("Priorités régionales ajoutées", self.priorities_added),
            ("Priorités régionales retirées", self.priorities_removed),
        ]
    }

    /// Every count with its French label, structures first, in display order.
    pub fn rows(&self) -> Vec<(&'static str, usize)> {
        let mut rows = vec![
            ("Structures comparées", self.structures_compared),
            ("Structures modifiées", self.structures_changed),
            ("Structures d'un seul pack", self.structures_unmatched),
        ];
        rows.extend(self.kinds());
        rows
    }

    /// The sum of two summaries (several inputs).
    pub fn add(&mut self, other: &Summary) {
        self.structures_compared += other.structures_compared;
        self.structures_changed += other.structures_changed;
        self.structures_unmatched += other.structures_unmatched;
        self.findings_changed += other.findings_changed;
        self.recommendations_added += other.recommendations_added;
        self.recommendations_removed += other.recommendations_removed;
        self.scores_changed += other.scores_changed;
        self.axes_changed += other.axes_changed;
        self.priorities_added += other.priorities_added;
        self.priorities_removed += other.priorities_removed;
    }
}

/// What changes, for one input, from the results of pack A to those of pack B.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    pub summary: Summary,
    pub findings: Vec<FindingChange>,
    pub recommendations: Vec<RecommendationChange>,
    pub scores: Vec<ScoreChange>,
    pub axes: Vec<ScoreChange>,
    pub priorities: Vec<PriorityChange>,
}

impl Impact {
    /// `true` when the two packs give the same findings, recommendations, scores and
    /// regional priorities.
    pub fn is_empty(&self) -> bool {
        self.summary.changes() == 0 && self.summary.structures_unmatched == 0
    }

    /// Ids of the structures with at least one change.
    pub fn changed_structures(&self) -> BTreeSet<&StructureId> {
        let findings = self.findings.iter().map(|c| &c.structure.id);
        let recs = self.recommendations.iter().map(|c| &c.structure.id);
        let scores = self
            .scores
            .iter()
            .chain(&self.axes)
            .map(|c| &c.structure.id);
        findings.chain(recs).chain(scores).collect()
    }
}

/// The summary of each input, by file, then their total unless there is exactly one input.
///
/// ```
/// use boussole::analysis::impact::{Impact, summaries};
/// let impacts = [
///     ("a.xlsx".to_string(), Impact::default()),
///     ("b.xlsx".to_string(), Impact::default()),
/// ];
/// let columns: Vec<&str> = summaries(&impacts).iter().map(|(file, _)| *file).collect();
/// assert_eq!(columns, ["a.xlsx", "b.xlsx", "Total"]);
/// ```
pub fn summaries(impacts: &[(String, Impact)]) -> Vec<(&str, Summary)> {
    let mut columns: Vec<(&str, Summary)> = impacts
        .iter()
        .map(|(file, i)| (file.as_str(), i.summary))
        .collect();
    if impacts.len() != 1 {
        let mut total = Summary::default();
        for (_, i) in impacts {
            total.add(&i.summary);
        }
        columns.push(("Total", total));
    }
    columns
}

/// Compares the results of pack A (`a`) and pack B (`b`) on the same input.
///
/// ```
/// # fn run() -> boussole::error::Result<()> {
/// use boussole::analysis::analyse::{Overrides, analyse};
/// use boussole::pack::{Pack, engine::CompiledPack};
/// let pack = Pack::embedded()?;
/// let compiled = CompiledPack::compile(&pack)?;
/// let opts = boussole::sample::SampleOptions { structures: 30, ..Default::default() };
/// let bytes = boussole::sample::sample_workbook(&opts)?;
/// let data = boussole::workbook::read_bytes(&bytes, "exemple.xlsx", &pack.manifest.columns)?;
/// let results = analyse(&data, &compiled, &Overrides::default())?;
/// let impact = boussole::analysis::impact::compare(&results, &results);
/// assert!(impact.is_empty());
/// assert_eq!(impact.summary.structures_compared, 30);
/// # Ok(()) }
/// # run().unwrap();
/// ```
pub fn compare(a: &Results, b: &Results) -> Impact {
    let mut impact = Impact::default();
    let by_id = |r: &'_ Results| -> BTreeMap<StructureId, usize> {
        r.structures
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect()
    };
    let (in_a, in_b) = (by_id(a), by_id(b));
    let ids: BTreeSet<&StructureId> = in_a.keys().chain(in_b.keys()).collect();
    let indicators = union(
        a.indicators.iter().map(|d| (&d.id, &d.label)),
        b.indicators.iter().map(|d| (&d.id, &d.label)),
    );
    let axes = union(
        a.axes.iter().map(|d| (&d.id, &d.label)),
        b.axes.iter().map(|d| (&d.id, &d.label)),
    );
    for id in ids {
        let (Some(&ia), Some(&ib)) = (in_a.get(id), in_b.get(id)) else {
            impact.summary.structures_unmatched += 1;
            continue;
        };
        let (sa, sb) = (&a.structures[ia], &b.structures[ib]);
        let before = (
            impact.findings.len(),
            impact.recommendations.len(),
            impact.scores.len(),
            impact.axes.len(),
        );
        compare_structure(a, b, sa, sb, &indicators, &axes, &mut impact);
        impact.summary.structures_compared += 1;
        let after = (
            impact.findings.len(),
            impact.recommendations.len(),
            impact.scores.len(),
            impact.axes.len(),
        );
        if before != after {
            impact.summary.structures_changed += 1;
        }
    }
    compare_regions(&a.regions, &b.regions, &mut impact);

    let s = &mut impact.summary;
    s.findings_changed = impact.findings.len();
    s.recommendations_added = count(&impact.recommendations, |c| c.change, Change::Appears);
    s.recommendations_removed = count(&impact.recommendations, |c| c.change, Change::Disappears);
    s.scores_changed = impact.scores.len();
    s.axes_changed = impact.axes.len();
    s.priorities_added = count(&impact.priorities, |c| c.change, Change::Appears);
    s.priorities_removed = count(&impact.priorities, |c| c.change, Change::Disappears);
    impact
}

fn count<T>(list: &[T], change: impl Fn(&T) -> Change, wanted: Change) -> usize {
    list.iter().filter(|c| change(c) == wanted).count()
}

/// Ids with labels: pack A's order, then those only pack B has; B's label wins.
fn union<'a>(
    a: impl Iterator<Item = (&'a String, &'a String)>,
    b: impl Iterator<Item = (&'a String, &'a String)>,
) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = a.map(|(i, l)| (i.clone(), l.clone())).collect();
    for (id, label) in b {
        match list.iter_mut().find(|(i, _)| i == id) {
            Some(entry) => entry.1 = label.clone(),
            None => list.push((id.clone(), label.clone())),
        }
    }
    list
}

/// `Some(delta)` when the scores differ (delta None when one side has no score).
fn score_change(before: Option<f64>, after: Option<f64>) -> Option<Option<f64>> {
    match (before, after) {
        (None, None) => None,
        (Some(x), Some(y)) => {
            let d = y - x;
            (d.abs() > SCORE_TOLERANCE).then_some(Some(d))
        }
        _ => Some(None),
    }
}

fn compare_structure(
    a: &Results,
    b: &Results,
    sa: &StructureResult,
    sb: &StructureResult,
    indicators: &[(String, String)],
    axes: &[(String, String)],
    impact: &mut Impact,
) {
    let key = StructureKey::of(sb);
    for (id, label) in indicators {
        let ra = a.indicator_index(id).and_then(|i| sa.indicators.get(i));
        let rb = b.indicator_index(id).and_then(|i| sb.indicators.get(i));
        let kind = |r: Option<&IndicatorResult>| r.and_then(|r| r.finding.as_ref()).map(|f| f.kind);
        let (before, after) = (kind(ra), kind(rb));
        if before != after {
            impact.findings.push(FindingChange {
                structure: key.clone(),
                indicator: id.clone(),
                label: label.clone(),
                before,
                after,
            });
        }
        let (before, after) = (ra.and_then(|r| r.score), rb.and_then(|r| r.score));
        if let Some(delta) = score_change(before, after) {
            impact.scores.push(ScoreChange {
                structure: key.clone(),
                id: id.clone(),
                label: label.clone(),
                before,
                after,
                delta,
            });
        }
    }
    for (id, label) in axes {
        let score = |r: &Results, s: &StructureResult| {
            let i = r.axes.iter().position(|x| &x.id == id)?;
            s.axes.get(i).and_then(|x| x.score)
        };
        let (before, after) = (score(a, sa), score(b, sb));
        if let Some(delta) = score_change(before, after) {
            impact.axes.push(ScoreChange {
                structure: key.clone(),
                id: id.clone(),
                label: label.clone(),
                before,
                after,
                delta,
            });
        }
    }
    let ids = |s: &StructureResult| -> BTreeSet<String> {
        s.recommendations.iter().map(|r| r.id.clone()).collect()
    };
    let (ids_a, ids_b) = (ids(sa), ids(sb));
    for (list, others, change) in [
        (&sa.recommendations, &ids_b, Change::Disappears),
        (&sb.recommendations, &ids_a, Change::Appears),
    ] {
        for r in list.iter().filter(|r| !others.contains(&r.id)) {
            impact.recommendations.push(RecommendationChange {
                structure: key.clone(),
                recommendation: r.id.clone(),
                text: r.text.clone(),
                priority: r.priority,
                change,
            });
        }
    }
}

fn compare_regions(a: &[RegionResult], b: &[RegionResult], impact: &mut Impact) {
    let by_name = |list: &'_ [RegionResult]| -> BTreeMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect()
    };
    let (in_a, in_b) = (by_name(a), by_name(b));
    let names: BTreeSet<&String> = in_a.keys().chain(in_b.keys()).collect();
    for name in names {
        let ra = in_a.get(name).map(|&i| &a[i]);
        let rb = in_b.get(name).map(|&i| &b[i]);
        // Count and share of a recommendation in a region, 0 when none carries it.
        let counts = |r: Option<&RegionResult>, rec: &str| {
            r.and_then(|r| r.counts.iter().find(|c| c.recommendation == rec))
                .map(|c| (c.count, c.share))
                .unwrap_or((0, 0.0))
        };
        let has = |r: Option<&RegionResult>, rec: &str| {
            r.is_some_and(|r| r.priorities.iter().any(|p| p.recommendation == rec))
        };
        for (from, other, change) in [(ra, rb, Change::Disappears), (rb, ra, Change::Appears)] {
            let Some(from) = from else { continue };
            for p in &from.priorities {
                if has(other, &p.recommendation) {
                    continue;
                }
                let (count_before, share_before) = counts(ra, &p.recommendation);
                let (count_after, share_after) = counts(rb, &p.recommendation);
                impact.priorities.push(PriorityChange {
                    region: name.clone(),
                    recommendation: p.recommendation.clone(),
                    text: p.text.clone(),
                    priority: p.priority,
                    change,
                    count_before,
                    share_before,
                    count_after,
                    share_after,
                });
            }
        }
    }
}

/// The French label of a finding kind, « Aucun » for none.
pub fn finding_label(kind: Option<FindingKind>) -> &'static str {
    kind.map(FindingKind::label_fr).unwrap_or("Aucun")
}
