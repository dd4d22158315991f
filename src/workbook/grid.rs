//! The reader's grid: one sheet's non-empty cells as the file holds them, whatever the
//! format (xlsx, xls, ods, csv), and the recognition of Excel's error values.

use std::collections::{BTreeMap, HashMap};

/// The content of one non-empty cell, as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Content {
    Number(f64),
    Text(String),
    Bool(bool),
    /// A date-time serial (days since 1899-12-30).
    DateTime(f64),
    /// An Excel error value, as Excel spells it.
    Error(String),
    /// A formula whose computed value was not saved with the file.
    NoCachedValue,
}

/// One sheet's non-empty cells, sparse, in row-major order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    pub name: String,
    pub cells: BTreeMap<(u32, u32), Content>,
    /// Merged ranges, 0-based inclusive (first_row, first_col, last_row, last_col).
    pub merged: Vec<(u32, u32, u32, u32)>,
    pub formats: HashMap<(u32, u32), String>,
    /// Why this sheet cannot be read (chart sheet...), when so.
    pub unreadable: Option<String>,
    /// What reading the file itself met (a CSV's encoding, its width), for the dataset.
    pub notes: Vec<crate::dataset::Diagnostic>,
}

impl Grid {
    pub fn new(name: impl Into<String>) -> Self {
        Grid {
            name: name.into(),
            ..Grid::default()
        }
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&Content> {
        self.cells.get(&(row, col))
    }

    /// The cells of one row, in column order.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Content)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), v)| (c, v))
    }

    /// The last row holding a cell, if any.
    pub fn last_row(&self) -> Option<u32> {
        self.cells.keys().next_back().map(|&(r, _)| r)
    }

    /// The value shown at a cell, looking through merged ranges: a merged region's value is
    /// present in every cell it covers.
    pub fn shown(&self, row: u32, col: u32) -> Option<&Content> {
        if let Some(c) = self.get(row, col) {
            return Some(c);
        }
        self.merged
            .iter()
            .find(|&&(r0, c0, r1, c1)| (r0..=r1).contains(&row) && (c0..=c1).contains(&col))
            .and_then(|&(r0, c0, _, _)| self.get(r0, c0))
    }
}

/// Known Excel error spellings (older and dynamic-array ones).
const EXCEL_ERRORS: &[&str] = &[
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#DATA!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#NOM?",
    "#VALEUR!",
    "#NOMBRE!",
    "#REF!",
    "#NUL!",
    "#DIV/0 !",
];

/// True when `text` looks like an Excel error value (`#` then letters, ending with `!`, `?`
/// or being `#N/A`), including ones no reader knows yet.
pub fn is_excel_error(text: &str) -> bool {
    let t = text.trim();
    if EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(t)) {
        return true;
    }
    let Some(rest) = t.strip_prefix('#') else {
        return false;
    };
    let body = rest.trim_end_matches(['!', '?']);
    (rest.ends_with('!') || rest.ends_with('?'))
        && !body.is_empty()
        && body.len() <= 20
        && body
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '/' || c == '_' || c.is_ascii_digit())
}
