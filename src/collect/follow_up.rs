//! The follow-up of last year's objectives (`run --objectives`): each collected objective
//! matched to this year's results by structure code and indicator id, met or not by the
//! indicator's direction.

use super::Collected;
use crate::analysis::results::Results;
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
    /// True when the objective was negotiated, false when the proposal is followed.
    pub negotiated: bool,
    pub achieved: Option<f64>,
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

/// Matches collected objectives to this year's results by structure code and indicator
/// id; an objective is met when the achieved value is at least as good (by the indicator's
/// direction) as the objective.
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
        let tolerance = 1e-9 * objective.abs().max(1.0);
        let met = achieved.map(|a| match results.indicators[i].direction {
            Direction::Lower => a <= objective + tolerance,
            _ => a >= objective - tolerance,
        });
        out.entries.push(FollowUpEntry {
            structure: s,
            indicator: i,
            objective,
            negotiated: o.negotiated.is_some(),
            achieved,
            met,
        });
    }
    out.entries.sort_by_key(|e| (e.structure, e.indicator));
    out
}
