//! What the scripts decide, as plain values: the kind of a finding, the rule that made a
//! decision and the thresholds it read. The analysis stores them in its results and the
//! report shows them; they are defined here because the engine produces them.

use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Force,
    AxeDeProgres,
    Vigilance,
}

impl FindingKind {
    pub fn id(self) -> &'static str {
        match self {
            FindingKind::Force => "force",
            FindingKind::AxeDeProgres => "axe_de_progres",
            FindingKind::Vigilance => "vigilance",
        }
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            FindingKind::Force => "Force",
            FindingKind::AxeDeProgres => "Axe de progrès",
            FindingKind::Vigilance => "Vigilance",
        }
    }
}

/// A place in a script: the rule that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The script's file name, shared with the compiled pack.
    pub script: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// The line's text, trimmed, for explanations (shared with the compiled pack).
    pub text: Arc<str>,
}

/// A threshold read by a rule, with the value in force for the structure's region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdUse {
    pub name: String,
    pub value: f64,
    /// `true` when the value comes from the region's layer rather than the base table.
    pub regional: bool,
}
