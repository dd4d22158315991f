//! Reading back the commitments: the « Objectifs » sheets of returned workbooks (annotated
//! or per-structure), checked against the run stamp and consolidated into one regional
//! set of negotiated objectives and action plans; and the follow-up of those objectives a
//! year later (`run --objectives`).
//!
//! The contract with the writer (`report::annotated::objectifs`) is [`layout`]: the labels
//! of the stamp block and the column titles. The reader relies on cell values only (never
//! styles, positions of hidden columns or sheet names), so a workbook re-saved by Excel,
//! LibreOffice or a library reads the same. It must not evaluate rules.
//!
//! ```no_run
//! let collected = boussole::collect::collect_paths(&["retour-01053.xlsx".into()])?;
//! println!("{} objectifs, {} diagnostics", collected.objectives.len(), collected.diagnostics.len());
//! # Ok::<(), boussole::error::Error>(())
//! ```

use crate::analysis::results::Results;
use crate::dataset::{RawValue, SheetCopy};
use crate::dataset::{Severity, column_letters};
use crate::error::{Error, Result};
use crate::pack::manifest::{Direction, Unit};
use crate::workbook::{ParsedText, parse_number};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The fixed, machine-readable layout of an « Objectifs » sheet.
pub mod layout {
    /// Column A label of the stamp cell (value in column B): `sha256:pack hash:version`.
    pub const STAMP: &str = "Tampon de l'analyse";
    /// Column A label of the analysed file's name (value in column B).
    pub const FILE: &str = "Fichier analysé";
    /// The objectives table's column titles (the header row starts with [`CODE`]).
    pub const CODE: &str = "Code";
    pub const NAME: &str = "Nom";
    pub const REGION: &str = "Région";
    pub const INDICATOR: &str = "Indicateur";
    pub const UNIT: &str = "Unité";
    pub const VALUE: &str = "Valeur actuelle";
    pub const PROPOSED: &str = "Objectif proposé";
    pub const NEGOTIATED: &str = "Objectif négocié";
    pub const COMMENT: &str = "Commentaire";
    pub const RATIONALE: &str = "Justification";
    /// Hidden: `code|indicator id` (objectives) or `code|recommendation id` (actions).
    pub const KEY: &str = "Clé";
    /// Hidden: the unit's code (`fraction`, `count`, `decimal`, `ratio`).
    pub const RULE: &str = "Règle de saisie";
    /// The action plan's column titles (its header row also starts with [`CODE`]).
    pub const RECOMMENDATION: &str = "Recommandation";
    pub const PRIORITY: &str = "Priorité";
    pub const ACTION: &str = "Action";
    pub const RESPONSIBLE: &str = "Responsable";
    pub const DUE: &str = "Échéance";
    pub const FOLLOWED: &str = "Indicateur suivi";
    /// Names of the collected workbook's sheets.
    pub const SHEET_OBJECTIVES: &str = "Objectifs négociés";
    pub const SHEET_ACTIONS: &str = "Plans d'action";
    pub const SHEET_DIAGNOSTICS: &str = "Diagnostics";
    pub const SHEET_COLLECT: &str = "Collecte";
}

/// What identifies a run: the analysed file's SHA-256, the pack's hash, boussole's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A sheet's values, addressed from A1 (0-based).
struct Grid {
    name: String,
    cells: BTreeMap<(u32, u32), RawValue>,
    last_row: u32,
    last_col: u32,
}

impl Grid {
    fn new(copy: SheetCopy) -> Grid {
        let last_row = copy.cells.iter().map(|c| c.row).max().unwrap_or(0);
        let last_col = copy.cells.iter().map(|c| c.col).max().unwrap_or(0);
        Grid {
            name: copy.name,
            cells: copy
                .cells
                .into_iter()
                .map(|c| ((c.row, c.col), c.value))
                .collect(),
            last_row,
            last_col,
        }
    }
    fn get(&self, row: u32, col: u32) -> Option<&RawValue> {
        self.cells.get(&(row, col))
    }
    fn text(&self, row: u32, col: u32) -> String {
        match self.get(row, col) {
            Some(RawValue::Text(s)) => s.trim().to_string(),
            Some(RawValue::Number(x)) | Some(RawValue::DateTime(x)) => plain_number(*x),
            Some(RawValue::Bool(b)) => b.to_string(),
            Some(RawValue::Error(e)) => e.clone(),
            None => String::new(),
        }
    }
    fn number(&self, row: u32, col: u32) -> Option<f64> {
        match self.get(row, col) {
            Some(RawValue::Number(x)) => Some(*x),
            Some(RawValue::Text(s)) => match parse_number(s) {
                ParsedText::Number { value, .. } => Some(value),
                _ => None,
            },
            _ => None,
        }
    }
    fn last_row(&self) -> u32 {
        self.last_row
    }
    fn last_col(&self) -> u32 {
        self.last_col
    }
    /// Column titles of a row: title -> column.
    fn titles(&self, row: u32) -> BTreeMap<String, u32> {
        (0..=self.last_col())
            .map(|c| (self.text(row, c), c))
            .filter(|(t, _)| !t.is_empty())
            .collect()
    }
}

/// Every sheet of a workbook, read through the guarded reader.
fn sheets(bytes: &[u8], file: &str) -> Result<Vec<Grid>> {
    Ok(crate::workbook::read_sheets(bytes, file)?
        .into_iter()
        .map(Grid::new)
        .collect())
}

/// The stamp of an Objectifs sheet: the row whose column A is [`layout::STAMP`].
fn find_stamp(grid: &Grid) -> Option<(String, String)> {
    let mut stamp = None;
    let mut input = String::new();
    for r in 0..=grid.last_row().min(30) {
        match grid.text(r, 0).as_str() {
            layout::STAMP => stamp = Some(grid.text(r, 1)),
            layout::FILE => input = grid.text(r, 1),
            _ => {}
        }
    }
    stamp.map(|s| (s, input))
}

/// Reads one returned workbook: its Objectifs sheet (found by its stamp block, whatever the
/// sheet's name), objectives and action lines, with a diagnostic for every negotiated
/// value outside its rule or left empty.
pub fn read_returned(bytes: &[u8], file: &str) -> Result<Returned> {
    let mut grids = sheets(bytes, file)?;
    // The usual name first.
    grids.sort_by_key(|g| g.name != "Objectifs");
    for grid in grids {
        let name = grid.name.clone();
        if let Some((key, input)) = find_stamp(&grid) {
            let stamp = RunStamp::parse(&key, input).ok_or_else(|| {
                Error::Input(format!(
                    "{file} : le tampon de l'analyse de la feuille « {name} » est illisible (« {key} »)"
                ))
            })?;
            return Ok(read_sheet(&grid, file, &name, stamp));
        }
    }
    Err(Error::Input(format!(
        "{file} : aucune feuille « Objectifs » avec un tampon d'analyse boussole (cellule « {} » en colonne A) ; ce classeur ne vient pas de boussole run",
        layout::STAMP
    )))
}

fn read_sheet(grid: &Grid, file: &str, sheet: &str, stamp: RunStamp) -> Returned {
    let mut out = Returned {
        file: file.to_string(),
        stamp,
        objectives: Vec::new(),
        actions: Vec::new(),
        diagnostics: Vec::new(),
    };
    let last = grid.last_row();
    let mut r = 0;
    let mut regions: BTreeMap<String, String> = BTreeMap::new();
    while r <= last {
        if grid.text(r, 0) != layout::CODE {
            r += 1;
            continue;
        }
        let cols = grid.titles(r);
        let col = |t: &str| cols.get(t).copied();
        r += 1;
        if let (Some(c_neg), Some(c_key)) = (col(layout::NEGOTIATED), col(layout::KEY)) {
            while r <= last && !grid.text(r, c_key).is_empty() {
                let key = grid.text(r, c_key);
                let (code, indicator) = key.split_once('|').unwrap_or((key.as_str(), ""));
                let unit = col(layout::RULE)
                    .and_then(|c| unit_of(&grid.text(r, c)))
                    .unwrap_or(Unit::Decimal);
                let cell = format!("{}{}", column_letters(c_neg), r + 1);
                let (negotiated, status, entered, problem) = check_entry(grid.get(r, c_neg), unit);
                let text = |t: &str| col(t).map(|c| grid.text(r, c)).unwrap_or_default();
                let number = |t: &str| col(t).and_then(|c| grid.number(r, c));
                let o = NegotiatedObjective {
                    code: code.to_string(),
                    name: text(layout::NAME),
                    region: text(layout::REGION),
                    indicator: indicator.to_string(),
                    label: text(layout::INDICATOR),
                    unit,
                    value: number(layout::VALUE),
                    proposed: number(layout::PROPOSED),
                    negotiated,
                    status,
                    entered,
                    comment: text(layout::COMMENT),
                    file: file.to_string(),
                    sheet: sheet.to_string(),
                    cell: cell.clone(),
                };
                if let Some((severity, message)) = problem {
                    out.diagnostics.push(CollectDiagnostic {
                        severity,
                        file: file.to_string(),
                        sheet: sheet.to_string(),
                        cell,
                        message: format!("{} — {} : {message}", o.code, o.label),
                    });
                }
                regions.insert(o.code.clone(), o.region.clone());
                out.objectives.push(o);
                r += 1;
            }
        } else if let (Some(_), Some(c_key)) = (col(layout::ACTION), col(layout::KEY)) {
            while r <= last && !grid.text(r, c_key).is_empty() {
                let key = grid.text(r, c_key);
                let code = key.split_once('|').map(|k| k.0).unwrap_or(&key);
                let text = |t: &str| col(t).map(|c| grid.text(r, c)).unwrap_or_default();
                let cell = format!("A{}", r + 1);
                let due = match col(layout::DUE) {
                    Some(c) => match read_date(grid.get(r, c)) {
                        Ok(d) => d,
                        Err(entered) => {
                            out.diagnostics.push(CollectDiagnostic {
                                severity: Severity::Error,
                                file: file.to_string(),
                                sheet: sheet.to_string(),
                                cell: format!("{}{}", column_letters(c), r + 1),
                                message: format!(
                                    "{code} : échéance « {entered} » qui n'est pas une date ; ligne reprise sans échéance"
                                ),
                            });
                            None
                        }
                    },
                    None => None,
                };
                let line = ActionLine {
                    code: code.to_string(),
                    name: text(layout::NAME),
                    region: regions.get(code).cloned().unwrap_or_default(),
                    recommendation: text(layout::RECOMMENDATION),
                    action: text(layout::ACTION),
                    responsible: text(layout::RESPONSIBLE),
                    due,
                    indicator: text(layout::FOLLOWED),
                    file: file.to_string(),
                    sheet: sheet.to_string(),
                    cell,
                };
                // A line nobody touched is not a commitment.
                if !line.action.is_empty() || !line.responsible.is_empty() || line.due.is_some() {
                    out.actions.push(line);
                }
                r += 1;
            }
        }
    }
    out
}

/// A number as plain text (`0.45`, `45`), for messages and text cells.
fn plain_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn unit_of(code: &str) -> Option<Unit> {
    match code.trim() {
        "fraction" => Some(Unit::Fraction),
        "count" => Some(Unit::Count),
        "decimal" => Some(Unit::Decimal),
        "ratio" => Some(Unit::Ratio),
        _ => None,
    }
}

/// The unit's code in the hidden rule column.
pub fn unit_code(unit: Unit) -> &'static str {
    match unit {
        Unit::Fraction => "fraction",
        Unit::Count => "count",
        Unit::Decimal => "decimal",
        Unit::Ratio => "ratio",
    }
}

type Problem = Option<(Severity, String)>;

/// A negotiated cell against its unit's rule.
fn check_entry(
    cell: Option<&RawValue>,
    unit: Unit,
) -> (Option<f64>, EntryStatus, Option<String>, Problem) {
    let (x, as_text) = match cell {
        None => {
            return (
                None,
                EntryStatus::Empty,
                None,
                Some((
                    Severity::Warning,
                    "objectif négocié laissé vide ; l'objectif proposé sera suivi".into(),
                )),
            );
        }
        Some(RawValue::Number(x)) => (*x, false),
        Some(RawValue::Text(s)) if s.trim().is_empty() => {
            return (
                None,
                EntryStatus::Empty,
                None,
                Some((
                    Severity::Warning,
                    "objectif négocié laissé vide ; l'objectif proposé sera suivi".into(),
                )),
            );
        }
        Some(RawValue::Text(s)) => match parse_number(s) {
            ParsedText::Number { value, .. } => (value, true),
            _ => return not_a_number(s),
        },
        Some(RawValue::Bool(b)) => return not_a_number(&b.to_string()),
        Some(RawValue::Error(e)) => return not_a_number(e),
        Some(RawValue::DateTime(_)) => return not_a_number("une date"),
    };
    let rule_broken = match unit {
        Unit::Fraction => !(0.0..=1.0).contains(&x),
        Unit::Count => x < 0.0 || x.fract() != 0.0,
        Unit::Decimal | Unit::Ratio => x < 0.0,
    };
    let shown = plain_number(x);
    if !x.is_finite() || rule_broken {
        let rule = match unit {
            Unit::Fraction => "une proportion entre 0 et 1 (0 % à 100 %)",
            Unit::Count => "un nombre entier positif ou nul",
            Unit::Decimal | Unit::Ratio => "un nombre positif ou nul",
        };
        return (
            None,
            EntryStatus::OutOfRange,
            Some(shown.clone()),
            Some((
                Severity::Error,
                format!(
                    "objectif négocié {shown} hors règle : {rule} est attendu ; valeur écartée, l'objectif proposé sera suivi"
                ),
            )),
        );
    }
    let problem = as_text.then(|| {
        (
            Severity::Info,
            format!("objectif négocié saisi comme texte, lu comme le nombre {shown}"),
        )
    });
    (Some(x), EntryStatus::Negotiated, None, problem)
}

fn not_a_number(s: &str) -> (Option<f64>, EntryStatus, Option<String>, Problem) {
    (
        None,
        EntryStatus::NotANumber,
        Some(s.to_string()),
        Some((
            Severity::Error,
            format!(
                "objectif négocié « {s} » qui n'est pas un nombre ; valeur écartée, l'objectif proposé sera suivi"
            ),
        )),
    )
}

/// A date cell as ISO `YYYY-MM-DD`; Ok(None) when empty; Err(text) when not a date.
fn read_date(cell: Option<&RawValue>) -> std::result::Result<Option<String>, String> {
    let serial = match cell {
        None => return Ok(None),
        Some(RawValue::DateTime(x)) | Some(RawValue::Number(x)) => *x,
        Some(RawValue::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(RawValue::Text(s)) => {
            return parse_french_date(s)
                .or_else(|| {
                    s.get(..10)
                        .filter(|d| parse_iso(d).is_some())
                        .map(String::from)
                })
                .map(Some)
                .ok_or_else(|| s.clone());
        }
        Some(RawValue::Bool(b)) => return Err(b.to_string()),
        Some(RawValue::Error(e)) => return Err(e.clone()),
    };
    serial_to_iso(serial)
        .map(Some)
        .ok_or_else(|| serial.to_string())
}

/// An Excel serial date (1900 system, from 2000 to 2100) as ISO.
fn serial_to_iso(serial: f64) -> Option<String> {
    if !(36_526.0..=73_415.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64 - 25_569; // days since 1970-01-01
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn parse_iso(s: &str) -> Option<(u16, u8, u8)> {
    let mut p = s.split('-');
    let y: u16 = p.next()?.parse().ok()?;
    let m: u8 = p.next()?.parse().ok()?;
    let d: u8 = p.next()?.parse().ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).ok()?;
    (2000..=2100).contains(&y).then_some((y, m, d))
}

/// `31/12/2026` (or with `-` or `.`) as ISO.
fn parse_french_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let iso = format!(
        "{:04}-{:02}-{:02}",
        y.parse::<u16>().ok()?,
        m.parse::<u8>().ok()?,
        d.parse::<u8>().ok()?
    );
    parse_iso(&iso).map(|_| iso)
}

/// The files named, and the spreadsheets inside the folders named (sorted).
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            inside.retain(|f| {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = f
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                f.is_file()
                    && ["xlsx", "xlsm", "ods"].contains(&ext.as_str())
                    && !name.starts_with("~$")
                    && !name.starts_with('.')
            });
            inside.sort();
            out.extend(inside);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Reads returned workbooks from disk and consolidates them.
pub fn collect_paths(paths: &[PathBuf]) -> Result<Collected> {
    let files = expand(paths);
    if files.is_empty() {
        return Err(Error::Input(
            "aucun classeur renvoyé à lire (xlsx, xlsm ou ods attendus)".into(),
        ));
    }
    let mut returned = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Input(format!("{} : lecture impossible ({e})", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        returned.push(read_returned(&bytes, &name)?);
    }
    consolidate(returned)
}

/// Consolidates returned workbooks of one run. Files from different runs are refused; a
/// structure × indicator present in several files keeps the first valid negotiated value
/// (files in the order given), a conflicting one is reported; an empty or invalid entry
/// is reported only when no file gives a valid value.
pub fn consolidate(returned: Vec<Returned>) -> Result<Collected> {
    let Some(first) = returned.first() else {
        return Err(Error::Input("aucun classeur renvoyé à lire".into()));
    };
    let stamp = first.stamp.clone();
    for r in &returned[1..] {
        if r.stamp.key() != stamp.key() {
            return Err(Error::Input(format!(
                "les classeurs renvoyés ne viennent pas de la même analyse : « {} » vient de l'{}, « {} » de l'{} ; collectez séparément les retours de chaque analyse",
                first.file,
                stamp.describe(),
                r.file,
                r.stamp.describe()
            )));
        }
    }
    let mut objectives: Vec<NegotiatedObjective> = Vec::new();
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut pending: BTreeMap<(String, String), Vec<CollectDiagnostic>> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let mut actions = Vec::new();
    let mut files = Vec::new();
    for r in returned {
        files.push(r.file.clone());
        let mut problems: BTreeMap<String, Vec<CollectDiagnostic>> = BTreeMap::new();
        for d in r.diagnostics {
            if d.sheet.is_empty() || !d.cell.starts_with(|c: char| c.is_ascii_alphabetic()) {
                diagnostics.push(d);
            } else {
                problems.entry(d.cell.clone()).or_default().push(d);
            }
        }
        for o in r.objectives {
            let k = (o.code.clone(), o.indicator.clone());
            let mine = problems.remove(&o.cell).unwrap_or_default();
            match index.get(&k) {
                None => {
                    index.insert(k.clone(), objectives.len());
                    pending.insert(k, mine);
                    objectives.push(o);
                }
                Some(&at) => {
                    let kept = &mut objectives[at];
                    match (kept.negotiated, o.negotiated) {
                        (None, Some(_)) => {
                            *kept = o;
                            pending.insert(k, mine);
                        }
                        (Some(a), Some(b)) if a != b => diagnostics.push(CollectDiagnostic {
                            severity: Severity::Warning,
                            file: o.file.clone(),
                            sheet: o.sheet.clone(),
                            cell: o.cell.clone(),
                            message: format!(
                                "{} — {} : objectif négocié {} différent de celui de « {} » ({}) ; le premier est retenu",
                                o.code,
                                o.label,
                                plain_number(b),
                                kept.file,
                                plain_number(a)
                            ),
                        }),
                        _ => {}
                    }
                }
            }
        }
        // Problems not on an objective's cell (action plan dates).
        diagnostics.extend(problems.into_values().flatten());
        actions.extend(r.actions);
    }
    // Diagnostics of the kept entries, in the order of the objectives.
    let mut kept_problems = Vec::new();
    for o in &objectives {
        if let Some(d) = pending.remove(&(o.code.clone(), o.indicator.clone())) {
            kept_problems.extend(d);
        }
    }
    kept_problems.extend(diagnostics);
    Ok(Collected {
        boussole: crate::VERSION.to_string(),
        stamp,
        files,
        objectives,
        actions,
        diagnostics: kept_problems,
    })
}

/// The collected objectives as pretty JSON (stable field names, `docs/objectifs.md`).
pub fn collected_json(c: &Collected) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(c).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The regional workbook of collected objectives: negotiated objectives, action plans,
/// diagnostics, and the collect's stamp.
pub fn collected_workbook(c: &Collected) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};
    let err = |e: rust_xlsxwriter::XlsxError| {
        Error::Output(format!("écriture du classeur consolidé impossible : {e}"))
    };
    let header = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xD9E1F2))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let bold = Format::new().set_bold();
    let heads = |ws: &mut Worksheet, titles: &[&str]| -> Result<()> {
        for (i, t) in titles.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *t, &header)
                .map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        Ok(())
    };
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("boussole — objectifs collectés")
            .set_author("boussole")
            .set_creation_datetime(&ExcelDateTime::from_timestamp(946_684_800).map_err(err)?),
    );

    let mut ws = Worksheet::new();
    ws.set_name(layout::SHEET_OBJECTIVES).map_err(err)?;
    heads(
        &mut ws,
        &[
            "Code",
            "Nom",
            "Région",
            "Indicateur",
            "Identifiant",
            "Unité",
            "Valeur",
            "Objectif proposé",
            "Objectif négocié",
            "Statut",
            "Saisie",
            "Commentaire",
            "Fichier",
            "Cellule",
        ],
    )?;
    for (k, o) in c.objectives.iter().enumerate() {
        let row = k as u32 + 1;
        let fmt = Format::new().set_num_format(o.unit.default_format());
        for (col, t) in [
            (0, &o.code),
            (1, &o.name),
            (2, &o.region),
            (3, &o.label),
            (4, &o.indicator),
        ] {
            ws.write_string(row, col, t).map_err(err)?;
        }
        ws.write_string(row, 5, unit_code(o.unit)).map_err(err)?;
        for (col, x) in [(6, o.value), (7, o.proposed), (8, o.negotiated)] {
            if let Some(x) = x.filter(|x| x.is_finite()) {
                ws.write_number_with_format(row, col, x, &fmt)
                    .map_err(err)?;
            }
        }
        ws.write_string(row, 9, o.status.label_fr()).map_err(err)?;
        if let Some(e) = &o.entered {
            ws.write_string(row, 10, e).map_err(err)?;
        }
        for (col, t) in [(11, &o.comment), (12, &o.file)] {
            ws.write_string(row, col, t).map_err(err)?;
        }
        ws.write_string(row, 13, format!("{}!{}", o.sheet, o.cell))
            .map_err(err)?;
    }
    for (col, w) in [(0, 8.0), (1, 30.0), (2, 18.0), (3, 34.0), (4, 22.0)] {
        ws.set_column_width(col, w).map_err(err)?;
    }
    ws.set_column_width(11, 30.0).map_err(err)?;
    ws.set_column_width(12, 30.0).map_err(err)?;
    book.push_worksheet(ws);

    let mut ws = Worksheet::new();
    ws.set_name(layout::SHEET_ACTIONS).map_err(err)?;
    heads(
        &mut ws,
        &[
            "Code",
            "Nom",
            "Région",
            "Recommandation",
            "Action",
            "Responsable",
            "Échéance",
            "Indicateur suivi",
            "Fichier",
            "Cellule",
        ],
    )?;
    for (k, a) in c.actions.iter().enumerate() {
        let row = k as u32 + 1;
        for (col, t) in [
            (0, &a.code),
            (1, &a.name),
            (2, &a.region),
            (3, &a.recommendation),
            (4, &a.action),
            (5, &a.responsible),
            (7, &a.indicator),
            (8, &a.file),
        ] {
            ws.write_string(row, col, t).map_err(err)?;
        }
        if let Some((y, m, d)) = a.due.as_deref().and_then(parse_iso) {
            let dt = ExcelDateTime::from_ymd(y, m, d).map_err(err)?;
            ws.write_datetime_with_format(row, 6, &dt, &date)
                .map_err(err)?;
        }
        ws.write_string(row, 9, format!("{}!{}", a.sheet, a.cell))
            .map_err(err)?;
    }
    for (col, w) in [
        (1, 30.0),
        (3, 50.0),
        (4, 50.0),
        (5, 20.0),
        (6, 12.0),
        (7, 30.0),
    ] {
        ws.set_column_width(col, w).map_err(err)?;
    }
    book.push_worksheet(ws);

    let mut ws = Worksheet::new();
    ws.set_name(layout::SHEET_DIAGNOSTICS).map_err(err)?;
    heads(
        &mut ws,
        &["Gravité", "Fichier", "Feuille", "Cellule", "Message"],
    )?;
    for (k, d) in c.diagnostics.iter().enumerate() {
        let row = k as u32 + 1;
        for (col, t) in [
            (0, severity_fr(d.severity)),
            (1, &d.file),
            (2, &d.sheet),
            (3, &d.cell),
            (4, &d.message),
        ] {
            ws.write_string(row, col, t).map_err(err)?;
        }
    }
    ws.set_column_width(1, 30.0).map_err(err)?;
    ws.set_column_width(4, 100.0).map_err(err)?;
    book.push_worksheet(ws);

    let mut ws = Worksheet::new();
    ws.set_name(layout::SHEET_COLLECT).map_err(err)?;
    let rows = [
        (layout::STAMP, c.stamp.key()),
        (layout::FILE, c.stamp.input_file.clone()),
        ("Version de boussole (collecte)", c.boussole.clone()),
        ("Classeurs lus", c.files.join(", ")),
        ("Objectifs", c.objectives.len().to_string()),
        (
            "Objectifs négociés valides",
            c.objectives
                .iter()
                .filter(|o| o.negotiated.is_some())
                .count()
                .to_string(),
        ),
        ("Lignes de plan d'action", c.actions.len().to_string()),
        ("Diagnostics", c.diagnostics.len().to_string()),
    ];
    for (k, (label, value)) in rows.iter().enumerate() {
        ws.write_string_with_format(k as u32, 0, *label, &bold)
            .map_err(err)?;
        ws.write_string(k as u32, 1, value).map_err(err)?;
    }
    ws.set_column_width(0, 32.0).map_err(err)?;
    ws.set_column_width(1, 60.0).map_err(err)?;
    book.push_worksheet(ws);
    book.save_to_buffer().map_err(err)
}

fn severity_fr(s: Severity) -> &'static str {
    match s {
        Severity::Error => "erreur",
        Severity::Warning => "avertissement",
        Severity::Info => "information",
    }
}

/// Reads a collect output (`.json`, or the consolidated workbook) back.
pub fn read_collected(path: &Path) -> Result<Collected> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Input(format!("{shown} : lecture impossible ({e})")))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("json"));
    if is_json {
        /// The part of the JSON document a follow-up needs.
        #[derive(Deserialize)]
        struct Followed {
            boussole: String,
            stamp: RunStamp,
            objectives: Vec<NegotiatedObjective>,
        }
        let f: Followed = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Input(format!(
                "{shown} : fichier d'objectifs JSON illisible ({e}) ; la sortie --json de boussole collect est attendue"
            ))
        })?;
        return Ok(Collected {
            boussole: f.boussole,
            stamp: f.stamp,
            files: vec![shown],
            objectives: f.objectives,
            actions: Vec::new(),
            diagnostics: Vec::new(),
        });
    }
    let grids = sheets(&bytes, &shown)?;
    let not_collected = || {
        Error::Input(format!(
            "{shown} : ce n'est pas un classeur produit par boussole collect (feuille « {} » attendue)",
            layout::SHEET_OBJECTIVES
        ))
    };
    let Some(grid) = grids.iter().find(|g| g.name == layout::SHEET_OBJECTIVES) else {
        return Err(not_collected());
    };
    let cols = grid.titles(0);
    let col = |t: &str| cols.get(t).copied();
    let (Some(c_code), Some(c_id)) = (col("Code"), col("Identifiant")) else {
        return Err(not_collected());
    };
    let mut objectives = Vec::new();
    for r in 1..=grid.last_row() {
        let code = grid.text(r, c_code);
        if code.is_empty() {
            continue;
        }
        let text = |t: &str| col(t).map(|c| grid.text(r, c)).unwrap_or_default();
        let number = |t: &str| col(t).and_then(|c| grid.number(r, c));
        let place = text("Cellule");
        let (sheet, cell) = place.rsplit_once('!').unwrap_or(("", place.as_str()));
        objectives.push(NegotiatedObjective {
            code,
            name: text("Nom"),
            region: text("Région"),
            indicator: grid.text(r, c_id),
            label: text("Indicateur"),
            unit: unit_of(&text("Unité")).unwrap_or(Unit::Decimal),
            value: number("Valeur"),
            proposed: number("Objectif proposé"),
            negotiated: number("Objectif négocié"),
            status: EntryStatus::from_label(&text("Statut")),
            entered: Some(text("Saisie")).filter(|s| !s.is_empty()),
            comment: text("Commentaire"),
            file: text("Fichier"),
            sheet: sheet.to_string(),
            cell: cell.to_string(),
        });
    }
    let mut stamp = RunStamp {
        input_file: String::new(),
        input_sha256: String::new(),
        pack_hash: String::new(),
        boussole: String::new(),
    };
    if let Some((key, input)) = grids
        .iter()
        .find(|g| g.name == layout::SHEET_COLLECT)
        .and_then(find_stamp)
    {
        stamp = RunStamp::parse(&key, input).unwrap_or(stamp);
    }
    Ok(Collected {
        boussole: crate::VERSION.to_string(),
        stamp,
        files: vec![shown],
        objectives,
        actions: Vec::new(),
        diagnostics: Vec::new(),
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        assert_eq!(serial_to_iso(46_387.0).as_deref(), Some("2026-12-31"));
        assert_eq!(serial_to_iso(36_526.0).as_deref(), Some("2000-01-01"));
        assert_eq!(serial_to_iso(12.0), None);
        assert_eq!(
            parse_french_date("31/12/2026").as_deref(),
            Some("2026-12-31")
        );
        assert_eq!(parse_french_date("31/02/2026"), None);
    }

    #[test]
    fn entries_against_their_rule() {
        let f = |d: Option<RawValue>, u| check_entry(d.as_ref(), u).1;
        let n = |x: f64| Some(RawValue::Number(x));
        let t = |s: &str| Some(RawValue::Text(s.into()));
        assert_eq!(f(n(0.45), Unit::Fraction), EntryStatus::Negotiated);
        assert_eq!(f(n(45.0), Unit::Fraction), EntryStatus::OutOfRange);
        assert_eq!(f(n(-1.0), Unit::Ratio), EntryStatus::OutOfRange);
        assert_eq!(f(n(2.5), Unit::Count), EntryStatus::OutOfRange);
        assert_eq!(f(None, Unit::Count), EntryStatus::Empty);
        assert_eq!(f(t("beaucoup"), Unit::Ratio), EntryStatus::NotANumber);
        assert_eq!(f(t("45 %"), Unit::Fraction), EntryStatus::Negotiated);
    }
}
