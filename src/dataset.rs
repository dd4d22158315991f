//! The dataset: what reading a field workbook produces and every later stage consumes.
//!
//! This module owns the plain data types at the boundary between `workbook` (reading) and
//! `analysis` (evaluation). It must not know how a workbook is parsed nor how results are
//! computed: values with their provenance, structures, set-aside rows and diagnostics.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// A cell in an input workbook, e.g. `Indicateurs!C7`. Rows and columns are 0-based.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// The sheet's name, shared by every cell of the sheet.
    pub sheet: Arc<str>,
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    pub fn new(sheet: impl Into<Arc<str>>, row: u32, col: u32) -> Self {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
    }

    /// The A1-style address without the sheet, e.g. `C7`.
    pub fn a1(&self) -> String {
        format!("{}{}", column_letters(self.col), self.row + 1)
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.sheet, self.a1())
    }
}

impl Serialize for CellRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The 0-based index of Excel column letters, case ignored: `A` -> 0, `ab` -> 27; None for
/// anything but letters, or beyond u32.
pub fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for c in letters.chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        n = n.checked_mul(26)? + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    n.checked_sub(1)
}

/// Excel column letters for a 0-based column index: 0 -> `A`, 27 -> `AB`.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Why a value is missing. Missing is never zero: it is carried with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Missing {
    /// The cell is empty.
    Empty,
    /// A missing-value marker such as `n.d.`, `NC`, `-`, `s.o.`.
    Marker(String),
    /// An Excel error value such as `#DIV/0!`.
    ExcelError(String),
    /// A formula whose cached value was not saved.
    NoCachedValue,
    /// Text that could not be read as a number.
    Unreadable(String),
    /// A number set aside as doubtful (an ambiguous spelling, a fractional count, a share
    /// above 1...); the text says why, in French.
    Doubtful(String),
    /// The structure is absent from the sheet holding this column.
    AbsentFromSheet(String),
    /// The column is absent from the workbook.
    NoColumn,
    /// The row was set aside (conflicting duplicates).
    SetAside,
    /// A derived value could not be computed; the text says why (in French).
    NotComputable(String),
    /// An operand of a derived value is missing.
    MissingOperand(Box<MissingOperand>),
    /// The denominator of a derived value is zero (its indicator id).
    ZeroDenominator(String),
}

/// Which operand of a derived value is missing, and why. Boxed in [`Missing`] so that a
/// missing value stays small: a national run holds millions of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingOperand {
    pub operand: Operand,
    /// The operand's indicator id.
    pub id: String,
    pub reason: Missing,
}

/// The two operands of a derived indicator, `numerator / denominator × factor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    Numerator,
    Denominator,
}

impl Missing {
    /// A short French explanation, for workbooks and traces.
    pub fn describe(&self) -> String {
        match self {
            Missing::Empty => "cellule vide".into(),
            Missing::Marker(m) => format!("marqueur de donnée manquante « {m} »"),
            Missing::ExcelError(e) => format!("erreur Excel {e}"),
            Missing::NoCachedValue => "formule sans valeur calculée enregistrée".into(),
            Missing::Unreadable(t) => format!("texte illisible comme nombre « {t} »"),
            Missing::Doubtful(why) => why.clone(),
            Missing::AbsentFromSheet(s) => format!("structure absente de la feuille « {s} »"),
            Missing::NoColumn => "colonne absente du classeur".into(),
            Missing::SetAside => "ligne écartée".into(),
            Missing::NotComputable(why) => why.clone(),
            Missing::MissingOperand(m) => {
                let operand = match m.operand {
                    Operand::Numerator => "numérateur",
                    Operand::Denominator => "dénominateur",
                };
                format!("{operand} « {} » manquant ({})", m.id, m.reason.describe())
            }
            Missing::ZeroDenominator(id) => format!("dénominateur « {id} » nul"),
        }
    }
}

/// A value read from (or derived from) the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Missing(Missing),
}

impl Value {
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::Missing(_) => None,
        }
    }
}

/// A value with the cell it came from (none for values the engine derived).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub value: Value,
    pub cell: Option<CellRef>,
}

/// The identifier of a structure (a mission locale's 5-character code). Always text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StructureId(String);

impl StructureId {
    pub fn new(code: impl Into<String>) -> StructureId {
        StructureId(code.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StructureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One structure (one row, or rows joined across sheets) of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub id: StructureId,
    pub name: String,
    pub region: String,
    pub year: Option<i32>,
    /// The typology class when the workbook has a typology column.
    pub typology: Option<String>,
    /// Numeric columns by column id (catalogue ids), with provenance.
    pub values: BTreeMap<String, Observation>,
    /// The cell holding the id in each sheet the structure was found in.
    pub id_cells: Vec<CellRef>,
}

impl Structure {
    pub fn value(&self, column: &str) -> Option<f64> {
        self.values.get(column).and_then(|o| o.value.number())
    }
}

/// A row that was read but not counted as a structure (totals, conflicting duplicates...).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetAside {
    pub sheet: String,
    /// 1-based row number as Excel shows it.
    pub row: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label_fr(self) -> &'static str {
        match self {
            Severity::Info => "information",
            Severity::Warning => "avertissement",
            Severity::Error => "erreur",
        }
    }
}

/// A repair, exclusion or doubt met while reading or evaluating, with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub sheet: Option<String>,
    /// A1-style address within the sheet (`C7`), or a range (`A3:F3`).
    pub cell: Option<String>,
    /// What is wrong, in French.
    pub message: String,
    /// What boussole did about it, in French.
    pub action: String,
}

impl Diagnostic {
    pub fn at(
        severity: Severity,
        cell: &CellRef,
        message: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            sheet: Some(cell.sheet.to_string()),
            cell: Some(cell.a1()),
            message: message.into(),
            action: action.into(),
        }
    }

    pub fn general(
        severity: Severity,
        message: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            sheet: None,
            cell: None,
            message: message.into(),
            action: action.into(),
        }
    }

    /// `Feuille!C7` or `Feuille` or empty, for display.
    pub fn place(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A raw input cell, kept to copy the input sheets into the output unchanged.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Number(f64),
    Text(String),
    Bool(bool),
    /// An Excel date-time serial number (days since 1899-12-30).
    DateTime(f64),
    Error(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawCell {
    pub row: u32,
    pub col: u32,
    pub value: RawValue,
    /// The input's number format code, when known (e.g. `0.0%`).
    pub number_format: Option<String>,
}

/// One input sheet as read, for the output's data copy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetCopy {
    pub name: String,
    /// Non-empty cells in row-major order.
    pub cells: Vec<RawCell>,
    /// Merged ranges as (first_row, first_col, last_row, last_col), 0-based inclusive.
    pub merged: Vec<(u32, u32, u32, u32)>,
}

/// How one catalogue column was found in the workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMatch {
    pub column: String,
    pub sheet: String,
    /// The header text as written in the workbook.
    pub header: String,
    /// Column letter(s).
    pub letter: String,
}

/// How one sheet was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetReading {
    pub sheet: String,
    /// 1-based header row, when a header was found.
    pub header_row: Option<u32>,
    pub rows_read: usize,
    pub structures: usize,
    /// Headers present but not in the catalogue (ignored).
    pub ignored_headers: Vec<String>,
    /// Why the sheet was skipped, if it was.
    pub skipped: Option<String>,
}

/// The source file: name and content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Source {
    /// File name without folders.
    pub file: String,
    pub path: String,
    pub sha256: String,
    /// Modification time of the input (seconds since the Unix epoch), used to stamp outputs
    /// reproducibly instead of the clock.
    pub modified_unix: Option<i64>,
}

/// Everything read from one workbook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    pub source: Source,
    pub structures: Vec<Structure>,
    pub set_aside: Vec<SetAside>,
    pub diagnostics: Vec<Diagnostic>,
    pub sheets: Vec<SheetReading>,
    pub columns: Vec<ColumnMatch>,
    /// Every input sheet as read, for the data copy.
    pub copies: Vec<SheetCopy>,
}

impl Dataset {
    pub fn structure(&self, id: &str) -> Option<&Structure> {
        self.structures.iter().find(|s| s.id.as_str() == id)
    }
}

impl Dataset {
    /// Several workbooks analysed as one (regional files consolidated into a national
    /// dataset). Every cell keeps its file: sheets are renamed `[file]Sheet`, the way Excel
    /// writes a reference to another workbook. A code (and year) present in two files with
    /// the same values is kept once with a warning; with different values the merge is
    /// refused with a message naming the code, the files and the first difference.
    pub fn merge(parts: Vec<Dataset>) -> Result<Dataset, MergeConflict> {
        let mut merged = Dataset::default();
        let mut seen: BTreeMap<(StructureId, Option<i32>), (usize, String)> = BTreeMap::new();
        let mut stamps = Vec::new();
        for part in parts {
            let file = part.source.file.clone();
            let rename = |sheet: &str| format!("[{file}]{sheet}");
            stamps.push(format!("{}:{}", part.source.file, part.source.sha256));
            merged.source.modified_unix =
                merged.source.modified_unix.max(part.source.modified_unix);
            for mut s in part.structures {
                for obs in s.values.values_mut() {
                    if let Some(c) = obs.cell.as_mut() {
                        c.sheet = rename(&c.sheet).into();
                    }
                }
                for c in &mut s.id_cells {
                    c.sheet = rename(&c.sheet).into();
                }
                let key = (s.id.clone(), s.year);
                if let Some((index, other_file)) = seen.get(&key) {
                    let existing: &Structure = &merged.structures[*index];
                    if let Some(difference) = first_difference(existing, &s) {
                        return Err(MergeConflict {
                            code: s.id,
                            first_file: other_file.clone(),
                            second_file: file,
                            difference: Box::new(difference),
                        });
                    }
                    merged.diagnostics.push(Diagnostic::general(
                        Severity::Warning,
                        format!(
                            "le code {} figure dans « {other_file} » et dans « {file} » avec les mêmes valeurs",
                            s.id
                        ),
                        format!("une seule structure gardée, celle de « {other_file} »"),
                    ));
                    continue;
                }
                seen.insert(key, (merged.structures.len(), file.clone()));
                merged.structures.push(s);
            }
            merged
                .set_aside
                .extend(part.set_aside.into_iter().map(|mut a| {
                    a.sheet = rename(&a.sheet);
                    a
                }));
            merged
                .diagnostics
                .extend(part.diagnostics.into_iter().map(|mut d| {
                    d.sheet = d.sheet.map(|s| rename(&s));
                    d
                }));
            merged.sheets.extend(part.sheets.into_iter().map(|mut r| {
                r.sheet = rename(&r.sheet);
                r
            }));
            merged.columns.extend(part.columns.into_iter().map(|mut c| {
                c.sheet = rename(&c.sheet);
                c
            }));
            merged.copies.extend(part.copies.into_iter().map(|mut c| {
                c.name = format!(
                    "{} {}",
                    file.rsplit_once('.').map(|(s, _)| s).unwrap_or(&file),
                    c.name
                );
                c
            }));
        }
        merged
            .structures
            .sort_by(|a, b| (&a.id, a.year).cmp(&(&b.id, b.year)));
        let files: Vec<&str> = stamps.iter().filter_map(|s| s.split(':').next()).collect();
        merged.source.file = files.join(" + ");
        merged.source.path = merged.source.file.clone();
        use sha2::{Digest, Sha256};
        merged.source.sha256 = hex(&Sha256::digest(stamps.join("\n").as_bytes()));
        Ok(merged)
    }
}

/// The first difference between two rows of the same code, in French, or None.
fn first_difference(a: &Structure, b: &Structure) -> Option<Difference> {
    if a.name != b.name {
        return Some(Difference::Name(a.name.clone(), b.name.clone()));
    }
    if a.region != b.region {
        return Some(Difference::Region(a.region.clone(), b.region.clone()));
    }
    let keys: std::collections::BTreeSet<&String> =
        a.values.keys().chain(b.values.keys()).collect();
    for k in keys {
        let va = a.values.get(k).and_then(|o| o.value.number());
        let vb = b.values.get(k).and_then(|o| o.value.number());
        let same = match (va, vb) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            (None, None) => true,
            _ => false,
        };
        if !same {
            return Some(Difference::Value {
                column: k.clone(),
                first: va,
                second: vb,
            });
        }
    }
    None
}

/// Lower-case hexadecimal of bytes (the content hashes that stamp sources and packs).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `run --merge`: a code (and year) in two files with different values.
#[derive(Debug, Error)]
#[error(
    "fusion impossible : le code {code} figure dans « {first_file} » et dans « {second_file} » avec des valeurs différentes ({difference})"
)]
pub struct MergeConflict {
    pub code: StructureId,
    pub first_file: String,
    pub second_file: String,
    pub difference: Box<Difference>,
}

/// The first difference between two records of one structure.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    Name(String, String),
    Region(String, String),
    /// A catalogue column's values (`None`: missing).
    Value {
        column: String,
        first: Option<f64>,
        second: Option<f64>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show =
            |v: &Option<f64>| v.map_or_else(|| "manquant".to_string(), |x| crate::fr::number(x, 6));
        match self {
            Difference::Name(a, b) => write!(f, "nom « {a} » / « {b} »"),
            Difference::Region(a, b) => write!(f, "région « {a} » / « {b} »"),
            Difference::Value {
                column,
                first,
                second,
            } => write!(f, "{column} : {} / {}", show(first), show(second)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn cell_ref_displays_with_sheet() {
        assert_eq!(
            CellRef::new("Indicateurs", 6, 2).to_string(),
            "Indicateurs!C7"
        );
    }
}
