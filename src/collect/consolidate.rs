//! The consolidation of returned workbooks of one run into one [`Collected`], its JSON, and
//! reading a collect output back (`run --objectives`): the JSON, or the collected workbook
//! by the [`layout`] titles its writer (`report::collected`) uses.

use super::layout;
use super::read::{Table, find_stamp};
use super::{
    ActionLine, CollectDiagnostic, Collected, EntryStatus, NegotiatedObjective, QUOTED_DECIMALS,
    Returned, RunStamp,
};
use crate::dataset::Severity;
use crate::error::{Error, InputError, InternalError, Result};
use crate::fr;
use crate::pack::manifest::Unit;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A structure × indicator.
type ObjectiveKey = (String, String);

fn key_of(o: &NegotiatedObjective) -> ObjectiveKey {
    (o.code.clone(), o.indicator.clone())
}

/// Consolidates returned workbooks of one run. Files from different runs are refused; a
/// structure × indicator present in several files keeps the first valid negotiated value
/// (files in the order given), a conflicting one is reported; an empty or invalid entry
/// is reported only when no file gives a valid value.
pub fn consolidate(returned: Vec<Returned>) -> Result<Collected> {
    let stamp = same_run(&returned)?;
    let mut merged = Merged::default();
    for r in returned {
        merged.add(r);
    }
    Ok(merged.finish(stamp))
}

/// The stamp shared by every returned workbook; a refusal naming both runs otherwise.
fn same_run(returned: &[Returned]) -> Result<RunStamp> {
    let Some(first) = returned.first() else {
        return Err(InputError::NoReturnedWorkbook.into());
    };
    let stamp = &first.stamp;
    if let Some(other) = returned.iter().find(|r| r.stamp.key() != stamp.key()) {
        return Err(InputError::DifferentRuns {
            first: first.file.clone(),
            first_run: stamp.describe_against(&other.stamp),
            other: other.file.clone(),
            other_run: other.stamp.describe_against(stamp),
        }
        .into());
    }
    Ok(stamp.clone())
}

/// The consolidation under way.
#[derive(Default)]
struct Merged {
    files: Vec<String>,
    objectives: Vec<NegotiatedObjective>,
    /// Where each structure × indicator is in `objectives`.
    index: BTreeMap<ObjectiveKey, usize>,
    /// The diagnostics of the entry kept for each structure × indicator.
    pending: BTreeMap<ObjectiveKey, Vec<CollectDiagnostic>>,
    /// Diagnostics reported whatever is kept (conflicts, action plan dates...).
    diagnostics: Vec<CollectDiagnostic>,
    actions: Vec<ActionLine>,
}

impl Merged {
    fn add(&mut self, r: Returned) {
        // A workbook with several Objectifs sheets comes as several `Returned`.
        if !self.files.contains(&r.file) {
            self.files.push(r.file.clone());
        }
        let mut by_cell: BTreeMap<(String, String), Vec<CollectDiagnostic>> = BTreeMap::new();
        for d in r.diagnostics {
            if d.sheet.is_empty() || !d.cell.starts_with(|c: char| c.is_ascii_alphabetic()) {
                self.diagnostics.push(d);
            } else {
                by_cell
                    .entry((d.sheet.clone(), d.cell.clone()))
                    .or_default()
                    .push(d);
            }
        }
        for o in r.objectives {
            let mine = by_cell
                .remove(&(o.sheet.clone(), o.cell.clone()))
                .unwrap_or_default();
            self.add_objective(o, mine);
        }
        // Problems not on an objective's cell (action plan dates).
        self.diagnostics.extend(by_cell.into_values().flatten());
        self.actions.extend(r.actions);
    }

    /// The first entry of a structure × indicator is kept until a later file gives a valid
    /// value where it had none; two different valid values are reported.
    fn add_objective(&mut self, o: NegotiatedObjective, mine: Vec<CollectDiagnostic>) {
        let k = key_of(&o);
        let Some(&at) = self.index.get(&k) else {
            self.index.insert(k.clone(), self.objectives.len());
            self.pending.insert(k, mine);
            self.objectives.push(o);
            return;
        };
        let kept = &mut self.objectives[at];
        match (kept.negotiated, o.negotiated) {
            (None, Some(_)) => {
                *kept = o;
                self.pending.insert(k, mine);
            }
            (Some(a), Some(b)) if a != b => {
                let conflict = conflict(kept, &o, a, b);
                self.diagnostics.push(conflict);
            }
            _ => {}
        }
    }

    /// The diagnostics of the kept entries come first, in the order of the objectives, then
    /// the others; errors before warnings before information (stable otherwise). Blank
    /// negotiated objectives are said once per structure and sheet.
    fn finish(mut self, stamp: RunStamp) -> Collected {
        let mut diagnostics = Vec::new();
        for o in &self.objectives {
            if let Some(d) = self.pending.remove(&key_of(o)) {
                diagnostics.extend(d);
            }
        }
        diagnostics.extend(self.diagnostics);
        diagnostics.extend(blanks(&self.objectives));
        diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
        Collected {
            boussole: crate::VERSION.to_string(),
            stamp,
            files: self.files,
            objectives: self.objectives,
            actions: self.actions,
            diagnostics,
        }
    }
}

/// The blank negotiated objectives kept, one warning per structure of each returned
/// sheet, naming its cells (the proposed objectives are followed instead).
fn blanks(objectives: &[NegotiatedObjective]) -> Vec<CollectDiagnostic> {
    /// How many cells a warning names before « … ».
    const NAMED: usize = 12;
    /// (file, sheet, structure code) and the blank objectives of that structure.
    type Group<'a> = ((&'a str, &'a str, &'a str), Vec<&'a NegotiatedObjective>);
    let mut groups: Vec<Group> = Vec::new();
    for o in objectives.iter().filter(|o| o.status == EntryStatus::Empty) {
        let k = (o.file.as_str(), o.sheet.as_str(), o.code.as_str());
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, list)) => list.push(o),
            None => groups.push((k, vec![o])),
        }
    }
    groups
        .into_iter()
        .map(|((file, sheet, code), list)| {
            let message = match list.as_slice() {
                [one] => format!(
                    "{code} — {} : objectif négocié laissé vide ; l'objectif proposé sera suivi",
                    one.label
                ),
                many => {
                    let mut cells: Vec<&str> =
                        many.iter().take(NAMED).map(|o| o.cell.as_str()).collect();
                    if many.len() > NAMED {
                        cells.push("…");
                    }
                    format!(
                        "{code} ({}) : {} objectifs négociés laissés vides ({}) ; les objectifs proposés seront suivis",
                        many[0].name,
                        many.len(),
                        cells.join(", ")
                    )
                }
            };
            CollectDiagnostic {
                severity: Severity::Warning,
                file: file.to_string(),
                sheet: sheet.to_string(),
                cell: list[0].cell.clone(),
                message,
            }
        })
        .collect()
}

/// A second valid value, different from the one kept.
fn conflict(
    kept: &NegotiatedObjective,
    o: &NegotiatedObjective,
    a: f64,
    b: f64,
) -> CollectDiagnostic {
    CollectDiagnostic {
        severity: Severity::Warning,
        file: o.file.clone(),
        sheet: o.sheet.clone(),
        cell: o.cell.clone(),
        message: format!(
            "{} — {} : objectif négocié {} différent de celui de « {} » ({}) ; le premier est retenu",
            o.code,
            o.label,
            fr::number(b, QUOTED_DECIMALS),
            kept.file,
            fr::number(a, QUOTED_DECIMALS)
        ),
    }
}

/// The collected objectives as pretty JSON (stable field names, `docs/objectifs.md`).
pub fn collected_json(c: &Collected) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(c).map_err(InternalError::Json)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads a collect output (`.json`, or the consolidated workbook) back.
pub fn read_collected(path: &Path) -> Result<Collected> {
    let shown = path.display().to_string();
    let bytes = crate::workbook::read_input_bytes(path)?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("json"));
    if is_json {
        read_collected_json(&bytes, shown)
    } else {
        read_collected_workbook(&bytes, shown)
    }
}

fn read_collected_json(bytes: &[u8], shown: String) -> Result<Collected> {
    /// The part of the JSON document a follow-up needs.
    #[derive(Deserialize)]
    struct Followed {
        boussole: String,
        stamp: RunStamp,
        objectives: Vec<NegotiatedObjective>,
    }
    let f: Followed =
        serde_json::from_slice(bytes).map_err(|source| InputError::CollectedJson {
            file: shown.clone().into(),
            source,
        })?;
    Ok(Collected {
        boussole: f.boussole,
        stamp: f.stamp,
        files: vec![shown],
        objectives: f.objectives,
        actions: Vec::new(),
        diagnostics: Vec::new(),
    })
}

/// The collected workbook: its objectives sheet, and the stamp of its collect sheet.
fn read_collected_workbook(bytes: &[u8], shown: String) -> Result<Collected> {
    let grids = crate::workbook::read_grids(bytes, &shown)?;
    let not_collected = || {
        Error::from(InputError::NotCollected {
            file: shown.clone().into(),
            sheet: layout::SHEET_OBJECTIVES,
        })
    };
    let grid = grids
        .iter()
        .find(|g| g.name == layout::SHEET_OBJECTIVES)
        .ok_or_else(not_collected)?;
    let table = Table::at(grid, 0);
    if table.column(layout::CODE).is_none() || table.column(layout::IDENTIFIER).is_none() {
        return Err(not_collected());
    }
    let objectives = (1..=grid.last_row().unwrap_or(0))
        .filter(|&r| !table.text(r, layout::CODE).is_empty())
        .map(|r| collected_objective(&table, r))
        .collect();
    let stamp = grids
        .iter()
        .find(|g| g.name == layout::SHEET_COLLECT)
        .and_then(find_stamp)
        .and_then(|(key, input)| RunStamp::parse(&key, input))
        .unwrap_or_default();
    Ok(Collected {
        boussole: crate::VERSION.to_string(),
        stamp,
        files: vec![shown],
        objectives,
        actions: Vec::new(),
        diagnostics: Vec::new(),
    })
}

/// One row of the collected objectives sheet.
fn collected_objective(table: &Table, r: u32) -> NegotiatedObjective {
    let place = table.text(r, layout::SOURCE_CELL);
    let (sheet, cell) = place.rsplit_once('!').unwrap_or(("", place.as_str()));
    NegotiatedObjective {
        code: table.text(r, layout::CODE),
        name: table.text(r, layout::NAME),
        region: table.text(r, layout::REGION),
        indicator: table.text(r, layout::IDENTIFIER),
        label: table.text(r, layout::INDICATOR),
        unit: layout::unit_of(&table.text(r, layout::UNIT)).unwrap_or(Unit::Decimal),
        value: table.number(r, layout::ANALYSED_VALUE),
        proposed: table.number(r, layout::PROPOSED),
        negotiated: table.number(r, layout::NEGOTIATED),
        status: EntryStatus::from_label(&table.text(r, layout::STATUS)),
        entered: Some(table.text(r, layout::ENTERED)).filter(|s| !s.is_empty()),
        comment: table.text(r, layout::COMMENT),
        file: table.text(r, layout::SOURCE_FILE),
        sheet: sheet.to_string(),
        cell: cell.to_string(),
    }
}
