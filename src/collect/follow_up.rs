//! The follow-up of last year's objectives (`run --objectives`): each collected objective
//! matched to this year's results by structure code and indicator id, met or not by the
//! indicator's direction, within a tolerance band drawn from the sampling noise of this
//! year's rate (the pack's `[objectives] tolerance_z` standard deviations), the objective
//! first moved by what this year's change of context moves the expected value by.

use super::Collected;
use crate::analysis::results::{IndicatorDef, Results};
use crate::pack::manifest::Direction;
use std::collections::BTreeMap;

/// Last year's objectives against this year's results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FollowUp {
    /// Where the objectives come from (the collect output and the analysis it followed).
    pub source: String,
    pub entries: Vec<FollowUpEntry>,
    /// Objectives whose structure or indicator is not in this year's results.
    pub unmatched: usize,
}

/// One structure × indicator followed up.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpEntry {
    /// Index in `Results::structures`.
    pub structure: usize,
    /// Index in `Results::indicators`.
    pub indicator: usize,
    pub objective: f64,
    /// The objective moved by what the change of context since last year moves the
    /// expected value by (`Expected::context_change`, as the US WIOA adjusts its targets to
    /// the actual conditions); the objective itself when the context did not change or
    /// cannot be compared.
    pub adjusted: f64,
    /// True when the objective was negotiated, false when the proposal is followed.
    pub negotiated: bool,
    pub achieved: Option<f64>,
    /// Half the band within which the objective counts as met: `tolerance_z` sampling
    /// standard deviations of a rate at the objective on this year's denominator (0 when
    /// the indicator has no denominator).
    pub tolerance: f64,
    /// None when the achieved value is missing.
    pub met: Option<bool>,
}

impl FollowUp {
    /// (objectives met, objectives measured) for the structures selected.
    pub fn met_count(&self, mut keep: impl FnMut(usize) -> bool) -> (usize, usize) {
        let mut met = 0;
        let mut measured = 0;
        for e in self.entries.iter().filter(|e| keep(e.structure)) {
            if let Some(m) = e.met {
                measured += 1;
                met += usize::from(m);
            }
        }
        (met, measured)
    }
}

impl FollowUp {
    /// What the terminal says of the follow-up: objectives followed (negotiated or
    /// proposed), measured, met, and those matching nothing this year.
    pub fn summary_fr(&self) -> String {
        let (met, measured) = self.met_count(|_| true);
        let negotiated = self.entries.iter().filter(|e| e.negotiated).count();
        let mut line = format!(
            "Suivi des objectifs de {} : {} ({negotiated} négociés, {} proposés), {} dont {met} atteints",
            self.source,
            crate::fr::count(self.entries.len(), "objectif suivi", "objectifs suivis"),
            self.entries.len() - negotiated,
            crate::fr::count(measured, "mesuré", "mesurés"),
        );
        if self.entries.len() > measured {
            line.push_str(&format!(
                ", {} sans valeur atteinte",
                self.entries.len() - measured
            ));
        }
        if self.unmatched > 0 {
            line.push_str(&format!(
                " ; {} dont la structure ou l'indicateur manque cette année",
                crate::fr::count(self.unmatched, "objectif", "objectifs")
            ));
        }
        line.push('.');
        line
    }
}

/// `z` sampling standard deviations of a rate at `objective` on `denominator` (0 without a
/// denominator).
fn tolerance(def: &IndicatorDef, objective: f64, denominator: Option<f64>, z: f64) -> f64 {
    crate::analysis::objectives::sampling_variance(def, objective, denominator)
        .map(|v| z * v.sqrt())
        .filter(|t| t.is_finite())
        .unwrap_or(0.0)
}

/// At least as good as the objective, by the direction, less the tolerance (and a rounding
/// margin).
fn is_met(direction: Direction, achieved: f64, objective: f64, tolerance: f64) -> bool {
    let slack = tolerance + 1e-9 * objective.abs().max(1.0);
    match direction {
        Direction::Lower => achieved <= objective + slack,
        _ => achieved >= objective - slack,
    }
}

/// Matches collected objectives to this year's results by structure code and indicator
/// id; an objective is met when the achieved value is at least as good (by the indicator's
/// direction) as the objective, less its tolerance: on 40 young people, a rate one young
/// person short of its objective is within the noise of the count.
pub fn follow_up(results: &Results, collected: &Collected, source: &str) -> FollowUp {
    let structures: BTreeMap<&str, usize> = results
        .structures
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut out = FollowUp {
        source: format!("{source} ({})", collected.stamp.describe()),
        ..FollowUp::default()
    };
    for o in &collected.objectives {
        let (Some(&s), Some(i)) = (
            structures.get(o.code.as_str()),
            results.indicator_index(&o.indicator),
        ) else {
            out.unmatched += 1;
            continue;
        };
        let Some(objective) = o.objective().filter(|x| x.is_finite()) else {
            continue;
        };
        let achieved = results.structures[s]
            .indicators
            .get(i)
            .and_then(|r| r.value);
        let def = &results.indicators[i];
        let denominator = results.structures[s]
            .indicators
            .get(i)
            .and_then(|r| r.denominator);
        let change = results.structures[s]
            .indicators
            .get(i)
            .and_then(|r| r.expected.as_ref())
            .and_then(|e| e.context_change)
            .filter(|c| c.is_finite());
        let adjusted = objective + change.unwrap_or(0.0);
        let tolerance = tolerance(def, adjusted, denominator, results.method.tolerance_z);
        let met = achieved.map(|a| is_met(def.direction, a, adjusted, tolerance));
        out.entries.push(FollowUpEntry {
            structure: s,
            indicator: i,
            objective,
            adjusted,
            negotiated: o.negotiated.is_some(),
            achieved,
            tolerance,
            met,
        });
    }
    out.entries.sort_by_key(|e| (e.structure, e.indicator));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::manifest::Unit;

    fn rate(unit: Unit, factor: f64) -> IndicatorDef {
        IndicatorDef::test_rate(unit, factor)
    }

    #[test]
    fn an_objective_is_met_within_the_noise_of_the_count() {
        // Objective 40 % on 100 young people, z = 1.28: 1.28 × sqrt(0.4 × 0.6 / 100) =
        // 1.28 × 0.04899 = 0.0627.
        let t = tolerance(&rate(Unit::Fraction, 1.0), 0.40, Some(100.0), 1.28);
        assert!((t - 1.28 * 0.0024f64.sqrt()).abs() < 1e-12);
        assert!(is_met(Direction::Higher, 0.34, 0.40, t));
        assert!(!is_met(Direction::Higher, 0.33, 0.40, t));
        assert!(is_met(Direction::Lower, 0.46, 0.40, t));
        assert!(!is_met(Direction::Lower, 0.47, 0.40, t));
        // A Poisson rate: 4 interviews per young person on 200: 1.28 × sqrt(4 / 200).
        let t = tolerance(&rate(Unit::Ratio, 1.0), 4.0, Some(200.0), 1.28);
        assert!((t - 1.28 * 0.02f64.sqrt()).abs() < 1e-12);
        // Without a denominator, the objective is met only when reached.
        assert_eq!(tolerance(&rate(Unit::Fraction, 1.0), 0.4, None, 1.28), 0.0);
        assert!(!is_met(Direction::Higher, 0.3999, 0.40, 0.0));
    }
}
