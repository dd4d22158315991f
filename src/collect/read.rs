//! Reading one returned workbook: its « Objectifs » sheet, found by its stamp block
//! whatever the sheet's name, then the objectives and action lines under their header rows.
//! Each negotiated value is checked against its unit's [`EntryRule`] and each due date
//! read as a date, with a diagnostic at the cell when it is not.
//!
//! Cells are read on the reader's own grid (`crate::workbook`), by value only.

use super::layout::{self, EntryRule};
use super::{
    ActionLine, CollectDiagnostic, EntryStatus, NegotiatedObjective, QUOTED_DECIMALS, Returned,
    RunStamp, parse_iso_date,
};
use crate::dataset::{Severity, column_letters};
use crate::error::{Error, InputError, Result};
use crate::pack::manifest::{Bounds, Manifest, Unit};
use crate::workbook::{Content, Grid, ParsedText, parse_number, text_of};
use std::collections::BTreeMap;

/// The sheet the writer names by default, tried first.
const USUAL_SHEET: &str = "Objectifs";

/// How far down the stamp block is looked for.
const STAMP_ROWS: u32 = 30;

/// Reads one returned workbook: each of its Objectifs sheets (found by their stamp block,
/// whatever their names: a sheet duplicated by the user is read too, and said), with their
/// objectives and action lines, checked against the pack's catalogue (`catalogue`: the
/// indicators of the analysis' pack).
pub fn read_returned(bytes: &[u8], file: &str, catalogue: &Catalogue) -> Result<Vec<Returned>> {
    let mut grids = crate::workbook::read_grids(bytes, file)?;
    grids.sort_by_key(|g| g.name != USUAL_SHEET);
    let mut out = Vec::new();
    let mut sheets = Vec::new();
    for grid in &grids {
        if let Some((key, input)) = find_stamp(grid) {
            let stamp = RunStamp::parse(&key, input).ok_or_else(|| {
                Error::from(InputError::UnreadableStamp {
                    file: file.into(),
                    sheet: grid.name.clone(),
                    stamp: key.clone(),
                })
            })?;
            let place = Place {
                file,
                sheet: &grid.name,
                catalogue,
            };
            out.push(read_sheet(grid, place, stamp));
            sheets.push(format!("« {} »", grid.name));
        }
    }
    if out.is_empty() {
        return Err(InputError::NoObjectivesSheet {
            file: file.into(),
            label: layout::STAMP,
        }
        .into());
    }
    if out.len() > 1 {
        out[0].diagnostics.push(CollectDiagnostic {
            severity: Severity::Warning,
            file: file.to_string(),
            sheet: String::new(),
            cell: String::new(),
            message: format!(
                "{} feuilles d'objectifs portent le tampon de l'analyse ({}) : feuille dupliquée ? Toutes sont lues ; pour une même structure et un même indicateur, la première valeur valide est retenue et une valeur différente est signalée",
                sheets.len(),
                sheets.join(", ")
            ),
        });
    }
    Ok(out)
}

/// What a returned sheet is checked against: the indicators of the analysis' pack, by id,
/// with their label, unit and plausible bounds.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    indicators: BTreeMap<String, Known>,
}

#[derive(Debug, Clone)]
struct Known {
    label: String,
    /// Labels of earlier versions of the pack, accepted on a returned line.
    former: Vec<String>,
    /// Shown as a percentage (a fraction, or a ratio formatted with `%`).
    percent: bool,
    plausible: Option<Bounds>,
}

impl Catalogue {
    pub fn of(manifest: &Manifest) -> Catalogue {
        let indicators = crate::analysis::derive::indicator_defs(manifest)
            .into_iter()
            .map(|d| {
                let former = manifest
                    .indicators
                    .iter()
                    .find(|x| x.id == d.id)
                    .map(|x| x.former_labels.clone())
                    .unwrap_or_default();
                let known = Known {
                    label: d.label.clone(),
                    former,
                    percent: d.unit == Unit::Fraction || d.format.contains('%'),
                    plausible: manifest.plausible(&d.id),
                };
                (d.id, known)
            })
            .collect();
        Catalogue { indicators }
    }
}

/// The stamp block of a sheet: the text beside [`layout::STAMP`] and beside
/// [`layout::FILE`] in column A (empty when absent), if the stamp is there.
pub(super) fn find_stamp(grid: &Grid) -> Option<(String, String)> {
    let mut stamp = None;
    let mut input = String::new();
    for r in 0..=grid.last_row().unwrap_or(0).min(STAMP_ROWS) {
        match text(grid, r, 0).as_str() {
            layout::STAMP => stamp = Some(text(grid, r, 1)),
            layout::FILE => input = text(grid, r, 1),
            _ => {}
        }
    }
    stamp.map(|s| (s, input))
}

/// A cell's value; a formula saved without its result counts as empty.
fn value(grid: &Grid, row: u32, col: u32) -> Option<&Content> {
    grid.get(row, col)
        .filter(|c| !matches!(c, Content::NoCachedValue))
}

/// A cell's text as the reader gives it (numbers as written), booleans as `true`/`false`;
/// empty when blank.
fn text(grid: &Grid, row: u32, col: u32) -> String {
    match value(grid, row, col) {
        Some(Content::Bool(b)) => b.to_string(),
        other => text_of(other).unwrap_or_default(),
    }
}

/// A cell as a message quotes it: a number in French (`0,41`), else its text.
fn shown(grid: &Grid, row: u32, col: u32) -> String {
    match value(grid, row, col) {
        Some(Content::Number(x)) => crate::fr::number(*x, QUOTED_DECIMALS),
        _ => text(grid, row, col),
    }
}

/// A cell's number: a number, or a text that reads as one (`45 %`, `0,45`).
fn number(grid: &Grid, row: u32, col: u32) -> Option<f64> {
    match value(grid, row, col) {
        Some(Content::Number(x)) => Some(*x),
        Some(Content::Text(s)) => match parse_number(s) {
            ParsedText::Number { value, .. } => Some(value),
            _ => None,
        },
        _ => None,
    }
}

/// A table of a sheet: its columns found by their titles in a header row.
pub(super) struct Table<'a> {
    pub grid: &'a Grid,
    columns: BTreeMap<String, u32>,
}

impl<'a> Table<'a> {
    pub fn at(grid: &'a Grid, header_row: u32) -> Table<'a> {
        let columns = grid
            .row(header_row)
            .map(|(c, _)| (text(grid, header_row, c), c))
            .filter(|(t, _)| !t.is_empty())
            .collect();
        Table { grid, columns }
    }

    pub fn column(&self, title: &str) -> Option<u32> {
        self.columns.get(title).copied()
    }

    /// The text in a row under a title (empty when the column is absent).
    pub fn text(&self, row: u32, title: &str) -> String {
        self.column(title)
            .map(|c| text(self.grid, row, c))
            .unwrap_or_default()
    }

    pub fn number(&self, row: u32, title: &str) -> Option<f64> {
        self.column(title).and_then(|c| number(self.grid, row, c))
    }
}

/// Where a returned sheet is, for the lines and diagnostics read from it, and what it is
/// checked against.
#[derive(Clone, Copy)]
struct Place<'a> {
    file: &'a str,
    sheet: &'a str,
    catalogue: &'a Catalogue,
}

impl Place<'_> {
    fn diagnostic(&self, severity: Severity, cell: String, message: String) -> CollectDiagnostic {
        CollectDiagnostic {
            severity,
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            cell,
            message,
        }
    }
}

/// Every table of the sheet: a header row starts with [`layout::CODE`]; the objectives'
/// holds [`layout::NEGOTIATED`], the action plan's [`layout::ACTION`], both the hidden key.
/// A table runs to the next header row: every keyed row is read wherever blank or inserted
/// rows stand, and a row without key holding an entry is named as skipped.
fn read_sheet(grid: &Grid, place: Place, stamp: RunStamp) -> Returned {
    let mut out = Returned {
        file: place.file.to_string(),
        stamp,
        objectives: Vec::new(),
        actions: Vec::new(),
        diagnostics: Vec::new(),
    };
    let last = grid.last_row().unwrap_or(0);
    let headers: Vec<u32> = (0..=last)
        .filter(|&r| text(grid, r, 0) == layout::CODE)
        .collect();
    let mut regions: BTreeMap<String, String> = BTreeMap::new();
    for (k, &head) in headers.iter().enumerate() {
        let table = Table::at(grid, head);
        let Some(key) = table.column(layout::KEY) else {
            continue;
        };
        let end = headers.get(k + 1).map_or(last, |&next| next - 1);
        if let Some(negotiated) = table.column(layout::NEGOTIATED) {
            let entries = [Some(negotiated), table.column(layout::COMMENT)];
            for row in head + 1..=end {
                if text(grid, row, key).is_empty() {
                    out.diagnostics
                        .extend(skipped(&table, row, &entries, place, "objectif"));
                    continue;
                }
                match read_objective(&table, row, negotiated, key, place) {
                    Ok((objective, problem)) => {
                        out.diagnostics.extend(problem);
                        regions.insert(objective.code.clone(), objective.region.clone());
                        out.objectives.push(objective);
                    }
                    Err(refused) => out.diagnostics.push(refused),
                }
            }
        } else if table.column(layout::ACTION).is_some() {
            let entries = [
                table.column(layout::ACTION),
                table.column(layout::RESPONSIBLE),
                table.column(layout::DUE),
            ];
            for row in head + 1..=end {
                if text(grid, row, key).is_empty() {
                    out.diagnostics
                        .extend(skipped(&table, row, &entries, place, "action"));
                    continue;
                }
                match read_action(&table, row, key, &regions, place) {
                    Ok((line, problem)) => {
                        out.diagnostics.extend(problem);
                        out.actions.extend(line);
                    }
                    Err(refused) => out.diagnostics.push(refused),
                }
            }
        }
    }
    out
}

/// A row without hidden key (inserted by the user, or a title): nothing when it holds no
/// entry, else an error naming it, since what was typed there is not taken.
fn skipped(
    table: &Table,
    row: u32,
    entries: &[Option<u32>],
    place: Place,
    what: &str,
) -> Option<CollectDiagnostic> {
    let (col, typed) = entries
        .iter()
        .flatten()
        .map(|&c| (c, shown(table.grid, row, c)))
        .find(|(_, t)| !t.is_empty())?;
    let message = format!(
        "ligne {} sans clé cachée (ligne insérée ?) : la saisie « {typed} » n'est pas reprise ; saisissez cet {what} sur la ligne prévue pour la structure",
        row + 1
    );
    Some(place.diagnostic(
        Severity::Error,
        format!("{}{}", column_letters(col), row + 1),
        message,
    ))
}

/// The structure code of a hidden key `code|id`, and the id.
fn split_key(key: &str) -> (&str, &str) {
    key.split_once('|').unwrap_or((key, ""))
}

/// The hidden key of a row against its visible code: a mismatch (a key copied from
/// another row, an edited code) refuses the row, never assigns it to either structure.
fn check_code(
    table: &Table,
    row: u32,
    key: &str,
    place: Place,
) -> std::result::Result<(), CollectDiagnostic> {
    let (code, _) = split_key(key);
    let visible = table.text(row, layout::CODE);
    if visible.trim() == code {
        return Ok(());
    }
    Err(place.diagnostic(
        Severity::Error,
        format!("A{}", row + 1),
        format!(
            "ligne {} : la clé cachée « {key} » désigne la structure {code}, le code visible est « {} » : ligne écartée (une ligne copiée d'une autre structure ?)",
            row + 1,
            visible.trim()
        ),
    ))
}

/// One objective row, with the diagnostic of its negotiated cell; a row whose key does not
/// agree with its visible code and indicator, or names an indicator the pack does not
/// have, is refused with an error.
fn read_objective(
    table: &Table,
    row: u32,
    negotiated: u32,
    key: u32,
    place: Place,
) -> std::result::Result<(NegotiatedObjective, Option<CollectDiagnostic>), CollectDiagnostic> {
    let key = text(table.grid, row, key);
    check_code(table, row, &key, place)?;
    let (code, indicator) = split_key(&key);
    let label = table.text(row, layout::INDICATOR);
    let refuse =
        |message: String| place.diagnostic(Severity::Error, format!("A{}", row + 1), message);
    let Some(known) = place.catalogue.indicators.get(indicator) else {
        return Err(refuse(format!(
            "ligne {} : indicateur inconnu du pack « {indicator} » (clé cachée « {key} ») : ligne écartée",
            row + 1
        )));
    };
    let shown = label.trim();
    if shown != known.label.trim() && !known.former.iter().any(|f| f.trim() == shown) {
        return Err(refuse(format!(
            "ligne {} : la clé cachée « {key} » désigne l'indicateur « {} », la ligne montre « {} » : ligne écartée",
            row + 1,
            known.label,
            label.trim()
        )));
    }
    let unit = layout::unit_of(&table.text(row, layout::RULE)).unwrap_or(Unit::Decimal);
    let cell = format!("{}{}", column_letters(negotiated), row + 1);
    let mut entry = check_entry(value(table.grid, row, negotiated), unit);
    if let (Some(x), Some(bounds)) = (entry.negotiated, known.plausible)
        && !bounds.admits(x)
    {
        entry = Entry::implausible(x, bounds, known.percent);
    }
    let objective = NegotiatedObjective {
        code: code.to_string(),
        name: table.text(row, layout::NAME),
        region: table.text(row, layout::REGION),
        indicator: indicator.to_string(),
        label,
        unit,
        value: table.number(row, layout::VALUE),
        proposed: table.number(row, layout::PROPOSED),
        negotiated: entry.negotiated,
        status: entry.status,
        entered: entry.entered,
        comment: table.text(row, layout::COMMENT),
        file: place.file.to_string(),
        sheet: place.sheet.to_string(),
        cell: cell.clone(),
    };
    let problem = entry.problem.map(|(severity, message)| {
        let message = format!("{} — {} : {message}", objective.code, objective.label);
        place.diagnostic(severity, cell, message)
    });
    Ok((objective, problem))
}

/// One action-plan row (none when nobody touched it: not a commitment), with the
/// diagnostic of a due date that is not a date.
fn read_action(
    table: &Table,
    row: u32,
    key: u32,
    regions: &BTreeMap<String, String>,
    place: Place,
) -> std::result::Result<(Option<ActionLine>, Option<CollectDiagnostic>), CollectDiagnostic> {
    let key = text(table.grid, row, key);
    check_code(table, row, &key, place)?;
    let (code, _) = split_key(&key);
    let mut problem = None;
    let due = table.column(layout::DUE).and_then(|c| {
        read_date(value(table.grid, row, c)).unwrap_or_else(|entered| {
            let message = format!(
                "{code} : échéance « {entered} » qui n'est pas une date ; ligne reprise sans échéance"
            );
            let cell = format!("{}{}", column_letters(c), row + 1);
            problem = Some(place.diagnostic(Severity::Error, cell, message));
            None
        })
    });
    let line = ActionLine {
        code: code.to_string(),
        name: table.text(row, layout::NAME),
        region: regions.get(code).cloned().unwrap_or_default(),
        recommendation: table.text(row, layout::RECOMMENDATION),
        action: table.text(row, layout::ACTION),
        responsible: table.text(row, layout::RESPONSIBLE),
        due,
        indicator: table.text(row, layout::FOLLOWED),
        file: place.file.to_string(),
        sheet: place.sheet.to_string(),
        cell: format!("A{}", row + 1),
    };
    let touched = !line.action.is_empty() || !line.responsible.is_empty() || line.due.is_some();
    Ok((touched.then_some(line), problem))
}

/// A negotiated cell read against its unit's rule.
#[derive(Debug, PartialEq)]
struct Entry {
    /// The value, when valid.
    negotiated: Option<f64>,
    status: EntryStatus,
    /// What was entered, as text, when it was not valid.
    entered: Option<String>,
    problem: Option<(Severity, String)>,
}

impl Entry {
    /// Left empty: said once per structure by the consolidation, not per cell.
    fn empty() -> Entry {
        Entry {
            negotiated: None,
            status: EntryStatus::Empty,
            entered: None,
            problem: None,
        }
    }

    /// Within its unit's rule, beyond the bounds the pack declares plausible.
    fn implausible(x: f64, bounds: Bounds, percent: bool) -> Entry {
        let show = |v: f64| {
            if percent {
                crate::fr::shown(v, true)
            } else {
                crate::fr::number(v, QUOTED_DECIMALS)
            }
        };
        let hint = if percent {
            format!(
                " ; pour {} saisir {} ou {} %",
                show(x / 100.0),
                crate::fr::number(x / 100.0, QUOTED_DECIMALS),
                crate::fr::number(x, QUOTED_DECIMALS)
            )
        } else {
            String::new()
        };
        let message = format!(
            "objectif négocié {} hors des bornes plausibles du pack (de {} à {}){hint} ; valeur écartée, l'objectif proposé sera suivi",
            show(x),
            show(bounds.min),
            show(bounds.max)
        );
        Entry {
            negotiated: None,
            status: EntryStatus::OutOfRange,
            entered: Some(show(x)),
            problem: Some((Severity::Error, message)),
        }
    }

    fn not_a_number(s: &str) -> Entry {
        Entry {
            negotiated: None,
            status: EntryStatus::NotANumber,
            entered: Some(s.to_string()),
            problem: Some((
                Severity::Error,
                format!(
                    "objectif négocié « {s} » qui n'est pas un nombre ; valeur écartée, l'objectif proposé sera suivi"
                ),
            )),
        }
    }

    fn out_of_range(shown: String, rule: EntryRule) -> Entry {
        let message = format!(
            "objectif négocié {shown} hors règle : {} est attendu ; valeur écartée, l'objectif proposé sera suivi",
            rule.expected
        );
        Entry {
            negotiated: None,
            status: EntryStatus::OutOfRange,
            entered: Some(shown),
            problem: Some((Severity::Error, message)),
        }
    }
}

/// A negotiated cell against its unit's rule; a number typed as text is read, and said.
fn check_entry(cell: Option<&Content>, unit: Unit) -> Entry {
    let (x, as_text) = match cell {
        None | Some(Content::NoCachedValue) => return Entry::empty(),
        Some(Content::Text(s)) if s.trim().is_empty() => return Entry::empty(),
        Some(Content::Number(x)) => (*x, false),
        Some(Content::Text(s)) => match parse_number(s) {
            ParsedText::Number { value, .. } => (value, true),
            _ => return Entry::not_a_number(s),
        },
        Some(Content::Bool(b)) => return Entry::not_a_number(&b.to_string()),
        Some(Content::Error(e)) => return Entry::not_a_number(e),
        Some(Content::DateTime(_)) => return Entry::not_a_number("une date"),
    };
    let rule = EntryRule::of(unit);
    let shown = crate::fr::number(x, QUOTED_DECIMALS);
    if !rule.admits(x) {
        return Entry::out_of_range(shown, rule);
    }
    let problem = as_text.then(|| {
        (
            Severity::Info,
            format!("objectif négocié saisi comme texte, lu comme le nombre {shown}"),
        )
    });
    Entry {
        negotiated: Some(x),
        status: EntryStatus::Negotiated,
        entered: None,
        problem,
    }
}

/// A date cell as ISO `YYYY-MM-DD`; Ok(None) when empty; Err(text) when not a date.
fn read_date(cell: Option<&Content>) -> std::result::Result<Option<String>, String> {
    let serial = match cell {
        None | Some(Content::NoCachedValue) => return Ok(None),
        Some(Content::DateTime(x)) | Some(Content::Number(x)) => *x,
        Some(Content::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(Content::Text(s)) => {
            return parse_french_date(s)
                .or_else(|| {
                    s.get(..10)
                        .filter(|d| parse_iso_date(d).is_some())
                        .map(String::from)
                })
                .map(Some)
                .ok_or_else(|| s.clone());
        }
        Some(Content::Bool(b)) => return Err(b.to_string()),
        Some(Content::Error(e)) => return Err(e.clone()),
    };
    serial_to_iso(serial)
        .map(Some)
        .ok_or_else(|| crate::fr::number(serial, QUOTED_DECIMALS))
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
    parse_iso_date(&iso).map(|_| iso)
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
        assert_eq!(read_date(Some(&Content::Number(12.5))), Err("12,5".into()));
    }

    #[test]
    fn entries_against_their_rule() {
        let f = |d: Option<Content>, u| check_entry(d.as_ref(), u).status;
        let n = |x: f64| Some(Content::Number(x));
        let t = |s: &str| Some(Content::Text(s.into()));
        assert_eq!(f(n(0.45), Unit::Fraction), EntryStatus::Negotiated);
        assert_eq!(f(n(45.0), Unit::Fraction), EntryStatus::OutOfRange);
        assert_eq!(f(n(-1.0), Unit::Ratio), EntryStatus::OutOfRange);
        assert_eq!(f(n(2.5), Unit::Count), EntryStatus::OutOfRange);
        assert_eq!(f(None, Unit::Count), EntryStatus::Empty);
        assert_eq!(f(t("beaucoup"), Unit::Ratio), EntryStatus::NotANumber);
        assert_eq!(f(t("45 %"), Unit::Fraction), EntryStatus::Negotiated);
    }

    #[test]
    fn numbers_in_messages_are_french() {
        let entry = check_entry(Some(&Content::Number(1.5)), Unit::Fraction);
        assert_eq!(entry.entered.as_deref(), Some("1,5"));
        let (_, message) = entry.problem.unwrap();
        assert!(
            message.starts_with("objectif négocié 1,5 hors règle"),
            "{message}"
        );
    }
}
