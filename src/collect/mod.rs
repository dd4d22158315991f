//! Reading back the commitments: the « Objectifs » sheets of returned workbooks (annotated
//! or per-structure), checked against the run stamp and consolidated into one regional
//! set of negotiated objectives and action plans; and the follow-up of those objectives a
//! year later (`run --objectives`).
//!
//! The contract with the writers (`report::annotated::objectifs`, `report::collected`) is
//! [`layout`]: the labels of the stamp block, the column titles, the rule of a negotiated
//! value per unit. Returned workbooks are read by cell values only (never styles, positions
//! of hidden columns or sheet names), so a workbook re-saved by Excel, LibreOffice or a library reads
//! the same. It must not evaluate rules nor write anything: the collected workbook is
//! written by `report::collected`, and which files to read is the command's business.
//!
//! - `read`: one returned workbook (stamp, objectives, action lines, their diagnostics),
//!   checked against the analysis' pack (its indicators, labels and plausible bounds);
//! - `consolidate`: several into one [`Collected`], its JSON, and reading it back;
//! - `follow_up`: last year's objectives against this year's results.
//!
//! ```no_run
//! let pack = boussole::pack::Pack::embedded()?;
//! let collected = boussole::collect::collect_paths(&["retour-01053.xlsx".into()], &pack)?;
//! println!("{} objectifs, {} diagnostics", collected.objectives.len(), collected.diagnostics.len());
//! # Ok::<(), boussole::error::Error>(())
//! ```

mod consolidate;
mod follow_up;
pub mod layout;
mod read;

pub use consolidate::{collected_json, consolidate, read_collected};
pub use follow_up::{FollowUp, FollowUpEntry, follow_up};
pub use read::{Catalogue, read_returned};

use crate::analysis::results::Results;
use crate::dataset::Severity;
use crate::error::{InputError, Result};
use crate::pack::manifest::Unit;
use crate::pack::{Origin, Pack};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Decimals of a number quoted in a collect message: more than any objective typed by hand.
const QUOTED_DECIMALS: usize = 6;

/// What identifies a run: the analysed file's SHA-256, the pack's hash, boussole's version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStamp {
    pub input_file: String,
    pub input_sha256: String,
    pub pack_hash: String,
    pub boussole: String,
}

impl RunStamp {
    pub fn of(results: &Results) -> RunStamp {
        RunStamp {
            input_file: results.input.file.clone(),
            input_sha256: results.input.sha256.clone(),
            pack_hash: results.pack.hash.clone(),
            boussole: crate::VERSION.to_string(),
        }
    }

    /// The stamp cell's text: `sha256:pack hash:version`.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.input_sha256, self.pack_hash, self.boussole)
    }

    fn parse(key: &str, input_file: String) -> Option<RunStamp> {
        let mut parts = key.trim().splitn(3, ':');
        let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
        if a.is_empty() || b.is_empty() || c.is_empty() {
            return None;
        }
        Some(RunStamp {
            input_file,
            input_sha256: a.into(),
            pack_hash: b.into(),
            boussole: c.into(),
        })
    }

    /// [`RunStamp::describe`], showing each part that differs from `other` up to a few
    /// characters past the first difference, so that two different stamps never read alike.
    pub fn describe_against(&self, other: &RunStamp) -> String {
        let part = |mine: &str, theirs: &str| {
            let same = mine
                .chars()
                .zip(theirs.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let shown = if mine == theirs {
                12
            } else {
                (same + 6).max(12)
            };
            let mut s: String = mine.chars().take(shown).collect();
            if mine.chars().count() > shown {
                s.push('…');
            }
            if mine != theirs && same >= 12 {
                s.push_str(&format!(" (différent à partir du {}e caractère)", same + 1));
            }
            s
        };
        format!(
            "analyse de « {} » (SHA-256 {}, pack {}, boussole {})",
            self.input_file,
            part(&self.input_sha256, &other.input_sha256),
            part(&self.pack_hash, &other.pack_hash),
            self.boussole
        )
    }

    /// Short French description for messages.
    pub fn describe(&self) -> String {
        let short = |s: &str| s.chars().take(12).collect::<String>();
        format!(
            "analyse de « {} » (SHA-256 {}…, pack {}…, boussole {})",
            self.input_file,
            short(&self.input_sha256),
            short(&self.pack_hash),
            self.boussole
        )
    }
}

/// What became of a negotiated cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// A number within its rule.
    Negotiated,
    /// Left empty.
    Empty,
    /// A number outside its rule (fraction outside [0, 1], negative or fractional count).
    OutOfRange,
    /// Not a number.
    NotANumber,
}

impl EntryStatus {
    pub fn label_fr(self) -> &'static str {
        match self {
            EntryStatus::Negotiated => "négocié",
            EntryStatus::Empty => "vide",
            EntryStatus::OutOfRange => "hors règle",
            EntryStatus::NotANumber => "non numérique",
        }
    }
    fn from_label(s: &str) -> EntryStatus {
        [
            EntryStatus::Negotiated,
            EntryStatus::OutOfRange,
            EntryStatus::NotANumber,
        ]
        .into_iter()
        .find(|e| e.label_fr() == s.trim())
        .unwrap_or(EntryStatus::Empty)
    }
}

/// One structure × indicator row of a returned « Objectifs » sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiatedObjective {
    pub code: String,
    pub name: String,
    pub region: String,
    /// Indicator id (from the hidden key).
    pub indicator: String,
    pub label: String,
    pub unit: Unit,
    /// The value at the time of the analysis.
    pub value: Option<f64>,
    pub proposed: Option<f64>,
    /// The negotiated objective, when valid.
    pub negotiated: Option<f64>,
    pub status: EntryStatus,
    /// What was entered, as text, when it was not valid.
    pub entered: Option<String>,
    pub comment: String,
    pub file: String,
    pub sheet: String,
    /// The negotiated cell, e.g. `H12`.
    pub cell: String,
}

impl NegotiatedObjective {
    /// The objective followed up: the negotiated one, else the proposed one.
    pub fn objective(&self) -> Option<f64> {
        self.negotiated.or(self.proposed)
    }
}

/// One line of an action plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionLine {
    pub code: String,
    pub name: String,
    pub region: String,
    /// The recommendation the line was pre-filled from (empty for a free line).
    pub recommendation: String,
    pub action: String,
    pub responsible: String,
    /// ISO date `YYYY-MM-DD`.
    pub due: Option<String>,
    pub indicator: String,
    pub file: String,
    pub sheet: String,
    /// The row's first cell, e.g. `A140`.
    pub cell: String,
}

impl ActionLine {
    /// The due date as (year, month, day), when set.
    pub fn due_date(&self) -> Option<(u16, u8, u8)> {
        self.due.as_deref().and_then(parse_iso_date)
    }
}

/// A problem found while collecting, with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectDiagnostic {
    pub severity: Severity,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub message: String,
}

/// One returned workbook, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Returned {
    pub file: String,
    pub stamp: RunStamp,
    pub objectives: Vec<NegotiatedObjective>,
    pub actions: Vec<ActionLine>,
    pub diagnostics: Vec<CollectDiagnostic>,
}

/// The consolidation of returned workbooks (the output of `boussole collect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collected {
    pub boussole: String,
    pub stamp: RunStamp,
    pub files: Vec<String>,
    pub objectives: Vec<NegotiatedObjective>,
    pub actions: Vec<ActionLine>,
    pub diagnostics: Vec<CollectDiagnostic>,
}

/// Reads the returned workbooks named (in that order) and consolidates them, checked
/// against `pack`, which must be the analysis' (its hash is in their stamp).
pub fn collect_paths(files: &[PathBuf], pack: &Pack) -> Result<Collected> {
    if files.is_empty() {
        return Err(InputError::NoReturnedWorkbook.into());
    }
    let catalogue = Catalogue::of(&pack.manifest);
    let mut returned = Vec::new();
    for path in files {
        returned.extend(read_returned_path(path, &catalogue)?);
    }
    let collected = consolidate(returned)?;
    if collected.stamp.pack_hash != pack.hash() {
        return Err(InputError::OtherPack {
            file: collected.files.first().cloned().unwrap_or_default(),
            run_pack: collected.stamp.pack_hash.chars().take(12).collect(),
            pack: match &pack.origin {
                Origin::Embedded => "pack intégré".to_string(),
                Origin::Folder(dir) => format!("dossier « {} »", dir.display()),
            },
            pack_hash: pack.hash().chars().take(12).collect(),
        }
        .into());
    }
    Ok(collected)
}

/// Reads one returned workbook from disk, named by its file name in diagnostics.
fn read_returned_path(path: &Path, catalogue: &Catalogue) -> Result<Vec<Returned>> {
    let bytes = crate::workbook::read_input_bytes(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    read_returned(&bytes, &name, catalogue)
}

/// An ISO date `YYYY-MM-DD`, from 2000 to 2100, as (year, month, day).
fn parse_iso_date(s: &str) -> Option<(u16, u8, u8)> {
    let mut p = s.split('-');
    let y: u16 = p.next()?.parse().ok()?;
    let m: u8 = p.next()?.parse().ok()?;
    let d: u8 = p.next()?.parse().ok()?;
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((2000..=2100).contains(&y) && (1..=days).contains(&d)).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::{RunStamp, parse_iso_date};

    #[test]
    fn two_stamps_differing_past_the_usual_prefix_read_differently() {
        let stamp = |sha: &str| RunStamp {
            input_file: "bilan.xlsx".into(),
            input_sha256: sha.into(),
            pack_hash: "f".repeat(64),
            boussole: "0.1.0".into(),
        };
        let a = stamp(&format!("{}1{}", "a".repeat(19), "b".repeat(44)));
        let b = stamp(&format!("{}2{}", "a".repeat(19), "b".repeat(44)));
        assert_eq!(
            a.describe(),
            b.describe(),
            "the short form hides the difference"
        );
        let (da, db) = (a.describe_against(&b), b.describe_against(&a));
        assert_ne!(da, db);
        assert!(
            da.contains(&format!(
                "SHA-256 {}1bbbbb… (différent à partir du 20e caractère)",
                "a".repeat(19)
            )),
            "{da}"
        );
        assert!(da.contains(&format!("pack {}…,", "f".repeat(12))), "{da}");
        // Stamps differing early show the usual 12 characters.
        let c = stamp(&"c".repeat(64));
        assert!(
            a.describe_against(&c)
                .contains(&format!("SHA-256 {}…,", "a".repeat(12)))
        );
    }

    #[test]
    fn iso_dates_are_checked_against_the_calendar() {
        assert_eq!(parse_iso_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_iso_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_iso_date("2100-02-29"), None);
        assert_eq!(parse_iso_date("2027-04-31"), None);
        assert_eq!(parse_iso_date("2027-13-01"), None);
        assert_eq!(parse_iso_date("1999-12-31"), None);
        assert_eq!(parse_iso_date("2027-1"), None);
    }
}
