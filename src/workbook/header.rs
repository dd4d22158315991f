//! Header matching: the catalogue indexed by header key (`pack::manifest::normalize_header`
//! with its spaces removed, so punctuation inside a word is ignored: `Nb. J.A.` meets
//! `Nb JA`), finding the header row of a sheet, and the unmatched header nearest to a column
//! found nowhere.
//!
//! This module owns matching the workbook's headers against the pack's catalogue (labels and
//! aliases) and choosing the header row under title rows and grouped (merged) header rows.
//! It does not read values.

use super::cell::text_of;
use super::grid::Grid;
use crate::pack::manifest::{ColumnSpec, Role, normalize_header};
use std::collections::HashMap;

/// How many rows from the top are scanned for the header row.
pub(crate) const HEADER_SCAN_ROWS: u32 = 30;

/// The key a header is matched on: [`normalize_header`] without its spaces, so that every
/// spacing and punctuation of the same words meets (`Nb. J.A.`, `Nb JA`, `Code-ML`, `Code ML`).
pub(crate) fn header_key(text: &str) -> String {
    normalize_header(text).replace(' ', "")
}

/// The unmatched header nearest to a column's label or one of its aliases, if near enough to
/// be a typing slip (`Jeune en emplois` for `Jeunes en emploi`): the candidate and the name
/// it is near.
pub(crate) fn nearest<'c, T>(
    spec: &'c ColumnSpec,
    candidates: &'c [(T, String)],
) -> Option<(&'c T, &'c str, &'c str)> {
    const NEAR: f64 = 0.8;
    let names: Vec<(&str, String)> = std::iter::once(&spec.label)
        .chain(spec.aliases.iter())
        .map(|n| (n.as_str(), header_key(n)))
        .filter(|(_, k)| !k.is_empty())
        .collect();
    let mut best: Option<(f64, &T, &str, &str)> = None;
    for (place, text) in candidates {
        let key = header_key(text);
        if key.is_empty() {
            continue;
        }
        for (name, name_key) in &names {
            let score = strsim::normalized_damerau_levenshtein(&key, name_key);
            if score >= NEAR && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, place, text.as_str(), name));
            }
        }
    }
    best.map(|(_, place, text, name)| (place, text, name))
}

/// The catalogue indexed by header key (label and aliases).
pub(crate) struct Catalogue<'a> {
    pub columns: &'a [ColumnSpec],
    keys: HashMap<String, usize>,
}

impl<'a> Catalogue<'a> {
    pub fn new(columns: &'a [ColumnSpec]) -> Self {
        let mut keys = HashMap::new();
        for (i, spec) in columns.iter().enumerate() {
            for name in std::iter::once(&spec.label).chain(spec.aliases.iter()) {
                let key = header_key(name);
                if !key.is_empty() {
                    // The first declaration wins when two columns share an alias.
                    keys.entry(key).or_insert(i);
                }
            }
        }
        Catalogue { columns, keys }
    }

    pub fn find(&self, header: &str) -> Option<usize> {
        self.keys.get(&header_key(header)).copied()
    }

    pub fn id_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.role == Role::Id)
    }

    /// Labels of the id column and its aliases, for messages.
    pub fn id_labels(&self) -> String {
        match self.id_column() {
            Some(i) => {
                let spec = &self.columns[i];
                let mut names: Vec<&str> = std::iter::once(spec.label.as_str())
                    .chain(spec.aliases.iter().map(String::as_str))
                    .take(3)
                    .collect();
                names.push("...");
                names.join(", ")
            }
            None => "identifiant".into(),
        }
    }
}

/// The header found in a sheet.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// 0-based row of the header.
    pub row: u32,
    /// Catalogue column index -> sheet column, with the header text as written.
    pub matched: Vec<(usize, u32, String)>,
    /// Headers present but not in the catalogue: (col, text).
    pub ignored: Vec<(u32, String)>,
    /// Headers that name a catalogue column already matched in this sheet: (col, text).
    pub duplicates: Vec<(u32, String)>,
}

impl Header {
    pub fn column_of(&self, index: usize) -> Option<u32> {
        self.matched.iter().find(|m| m.0 == index).map(|m| m.1)
    }
}

/// Header texts of a row, looking through merged cells.
fn header_cells(grid: &Grid, row: u32) -> Vec<(u32, String)> {
    let mut cols: Vec<u32> = grid.row(row).map(|(c, _)| c).collect();
    for &(r0, c0, r1, c1) in &grid.merged {
        if (r0..=r1).contains(&row) && c1.saturating_sub(c0) < 1000 {
            cols.extend(c0..=c1);
        }
    }
    cols.sort_unstable();
    cols.dedup();
    cols.into_iter()
        .filter_map(|c| text_of(grid.shown(row, c)).map(|t| (c, t)))
        .collect()
}

fn match_row(grid: &Grid, row: u32, catalogue: &Catalogue) -> Header {
    let mut header = Header {
        row,
        matched: Vec::new(),
        ignored: Vec::new(),
        duplicates: Vec::new(),
    };
    for (col, text) in header_cells(grid, row) {
        match catalogue.find(&text) {
            Some(i) if header.column_of(i).is_none() => header.matched.push((i, col, text)),
            Some(_) => header.duplicates.push((col, text)),
            None => header.ignored.push((col, text)),
        }
    }
    header
}

/// Finds the header row: among the first rows, the one matching the most catalogue columns,
/// the id column among them. Ties go to the upper row.
pub(crate) fn find_header(grid: &Grid, catalogue: &Catalogue) -> Option<Header> {
    let id = catalogue.id_column()?;
    let last = grid.last_row()?;
    let mut best: Option<Header> = None;
    for row in 0..=last.min(HEADER_SCAN_ROWS - 1) {
        let candidate = match_row(grid, row, catalogue);
        if candidate.column_of(id).is_none() {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| candidate.matched.len() > b.matched.len())
        {
            best = Some(candidate);
        }
    }
    best
}
