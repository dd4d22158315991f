//! Access to the sheets of a workbook through calamine, into sparse grids.
//!
//! This module owns turning a spreadsheet container (xlsx, xlsm, xlsb, xls, ods) into
//! [`Grid`]s: the non-empty cells of each sheet, stored sparsely, with merged ranges and number
//! formats where the format gives them cheaply. xlsx and xlsb sheets are streamed cell by cell
//! so a sheet declaring a giant dimension never allocates it. It does not interpret cells.

use super::grid::{Content, Grid, is_excel_error};
use super::guard::{self, Limits};
use crate::error::{Refusal, reader_error_fr, reader_text};
use calamine::{Data, DataRef, Reader, SheetType};
use std::io::Cursor;

/// Which calamine reader serves a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// Counts cells across sheets and refuses beyond the limit.
struct CellBudget {
    used: usize,
    max: usize,
}

impl CellBudget {
    fn take(&mut self) -> Result<(), Refusal> {
        self.used += 1;
        if self.used > self.max {
            return Err(Refusal::TooManyCells { limit: self.max });
        }
        Ok(())
    }
}

/// Reads every sheet of a spreadsheet container into sparse grids.
pub(crate) fn read_container(
    bytes: &[u8],
    container: Container,
    limits: &Limits,
) -> Result<Vec<Grid>, Refusal> {
    let mut budget = CellBudget {
        used: 0,
        max: limits.max_cells,
    };
    match container {
        Container::Ods => super::calamine_guard::check_ods(bytes)?,
        Container::Xls => super::calamine_guard::check_xls(bytes)?,
        _ => {}
    }
    let grids = super::calamine_guard::guarded(|| match container {
        Container::Xlsx => read_xlsx(bytes, &mut budget, false),
        Container::Xlsb => read_xlsb(bytes, &mut budget),
        Container::Xls => read_dense::<calamine::Xls<_>>(bytes, &mut budget, limits),
        Container::Ods => read_dense::<calamine::Ods<_>>(bytes, &mut budget, limits),
    })?;
    if grids.is_empty() {
        // A spreadsheet always has a sheet: none means its main part is missing or empty.
        return Err(match container {
            Container::Xlsx | Container::Xlsb => Refusal::NoWorkbookPart,
            Container::Xls | Container::Ods => Refusal::NoSheet,
        });
    }
    Ok(grids)
}

/// The reader cannot open the workbook (a password-protected one says so in English).
fn open_error(e: impl Into<calamine::Error>) -> Refusal {
    let e = e.into();
    if e.to_string().to_lowercase().contains("password") {
        return Refusal::Encrypted;
    }
    Refusal::Unreadable(Box::new(e))
}

fn sheet_error(sheet: &str, e: impl Into<calamine::Error>) -> Refusal {
    Refusal::SheetUnreadable {
        sheet: sheet.to_string(),
        source: Box::new(e.into()),
    }
}

/// The sheets a workbook declares: name and kind, in order.
fn sheet_list(metadata: &[calamine::Sheet]) -> Vec<(String, SheetType)> {
    metadata.iter().map(|s| (s.name.clone(), s.typ)).collect()
}

/// Why a sheet could not be read, for its diagnostic (the sheet is skipped, not refused).
fn unreadable_sheet(e: impl Into<calamine::Error>) -> String {
    let e = e.into();
    format!(
        "feuille illisible : {} (détail technique : {})",
        reader_error_fr(&e),
        reader_text(&e)
    )
}

fn not_a_worksheet(typ: SheetType) -> Option<String> {
    match typ {
        SheetType::WorkSheet => None,
        SheetType::ChartSheet => Some("feuille graphique (pas de cellules)".into()),
        SheetType::DialogSheet => Some("feuille de dialogue (pas de données)".into()),
        SheetType::MacroSheet => Some("feuille de macros (pas de données)".into()),
        SheetType::Vba => Some("module VBA (pas de données)".into()),
    }
}

fn content_of_ref(value: &DataRef<'_>) -> Option<Content> {
    Some(match value {
        DataRef::Int(i) => Content::Number(*i as f64),
        DataRef::Float(f) => Content::Number(*f),
        DataRef::String(s) => text_content(s),
        DataRef::SharedString(s) => text_content(s),
        DataRef::Bool(b) => Content::Bool(*b),
        DataRef::DateTime(d) => Content::DateTime(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Content::Text(s.clone()),
        DataRef::Error(e) => Content::Error(e.to_string()),
        DataRef::Empty => return None,
    })
}

fn content_of(value: &Data) -> Option<Content> {
    Some(match value {
        Data::Int(i) => Content::Number(*i as f64),
        Data::Float(f) => Content::Number(*f),
        Data::String(s) => text_content(s),
        Data::Bool(b) => Content::Bool(*b),
        Data::DateTime(d) => Content::DateTime(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Content::Text(s.clone()),
        Data::Error(e) => Content::Error(e.to_string()),
        Data::Empty => return None,
    })
}

/// Text cells; an empty string is no content.
fn text_content(s: &str) -> Content {
    Content::Text(s.to_string())
}

fn is_blank(c: &Content) -> bool {
    matches!(c, Content::Text(t) if t.trim().is_empty())
}

/// xlsx / xlsm: streamed cell by cell (never a dense range), with formulas to tell a formula
/// without a cached value from an empty cell, and number formats from a second cheap pass.
///
/// calamine refuses error values it does not know (`#SPILL!`, `#CALC!`): when that happens
/// the sheets are rewritten with such cells typed as text and read again (`patched`).
fn read_xlsx(bytes: &[u8], budget: &mut CellBudget, patched: bool) -> Result<Vec<Grid>, Refusal> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(open_error)?;
    let sheets = sheet_list(book.sheets_metadata());
    let start_budget = budget.used;
    let mut grids = Vec::new();
    for (name, typ) in sheets {
        let mut grid = Grid::new(&name);
        if let Some(why) = not_a_worksheet(typ) {
            grid.unreadable = Some(why);
            grids.push(grid);
            continue;
        }
        let mut reader = match book.worksheet_cells_reader(&name) {
            Ok(r) => r,
            Err(calamine::XlsxError::WorksheetNotFound(_)) => {
                grid.unreadable = Some("feuille introuvable dans l'archive".into());
                grids.push(grid);
                continue;
            }
            Err(e) => return Err(sheet_error(&name, e)),
        };
        loop {
            let record = match reader.next_cell_with_formula_metadata() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(calamine::XlsxError::CellError(_)) if !patched => {
                    drop(reader);
                    drop(book);
                    budget.used = start_budget;
                    let rewritten = guard::retype_error_cells(bytes)?;
                    return read_xlsx(&rewritten, budget, true);
                }
                Err(e) => return Err(sheet_error(&name, e)),
            };
            let content = match content_of_ref(&record.value) {
                Some(c) if !is_blank(&c) => Some(c),
                _ if record.formula.is_some() => Some(Content::NoCachedValue),
                _ => None,
            };
            let Some(content) = content else { continue };
            // Cells retyped as text by the patch are errors again.
            let content = match content {
                Content::Text(t) if patched && is_excel_error(&t) => {
                    Content::Error(t.trim().to_string())
                }
                c => c,
            };
            budget.take()?;
            grid.cells.insert(record.pos, content);
        }
        drop(reader);
        // Number formats: a second streaming pass over style ids only.
        if let Ok(mut reader) = book.worksheet_cells_reader(&name) {
            let mut ids = Vec::new();
            while let Ok(Some((r, c, id))) = reader.next_style_id() {
                if grid.cells.contains_key(&(r, c)) {
                    ids.push(((r, c), id));
                }
            }
            let styles = reader.styles();
            for (pos, id) in ids {
                let code = styles
                    .get(id)
                    .and_then(|s| s.number_format.as_ref())
                    .map(|n| n.format_code.clone());
                if let Some(code) = code.filter(|c| !c.is_empty() && c != "General") {
                    grid.formats.insert(pos, code);
                }
            }
        }
        grid.merged = book
            .merge_cells_by_sheet_name(&name)
            .map(|dims| {
                dims.iter()
                    .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                    .collect()
            })
            .unwrap_or_default();
        grids.push(grid);
    }
    Ok(grids)
}

/// xlsb: streamed cell by cell.
fn read_xlsb(bytes: &[u8], budget: &mut CellBudget) -> Result<Vec<Grid>, Refusal> {
    let mut book: calamine::Xlsb<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(open_error)?;
    let sheets = sheet_list(book.sheets_metadata());
    let mut grids = Vec::new();
    for (name, typ) in sheets {
        let mut grid = Grid::new(&name);
        if let Some(why) = not_a_worksheet(typ) {
            grid.unreadable = Some(why);
            grids.push(grid);
            continue;
        }
        let mut reader = match book.worksheet_cells_reader(&name) {
            Ok(r) => r,
            Err(e) => {
                grid.unreadable = Some(unreadable_sheet(e));
                grids.push(grid);
                continue;
            }
        };
        loop {
            match reader.next_cell() {
                Ok(Some(cell)) => {
                    if let Some(c) = content_of_ref(cell.get_value()).filter(|c| !is_blank(c)) {
                        budget.take()?;
                        grid.cells.insert(cell.get_position(), c);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(sheet_error(&name, e)),
            }
        }
        grids.push(grid);
    }
    Ok(grids)
}

/// The merged ranges a reader exposes, when it does.
trait MergedCells {
    fn merged(&self, _sheet: &str) -> Vec<(u32, u32, u32, u32)> {
        Vec::new()
    }
}

impl<RS: std::io::Read + std::io::Seek> MergedCells for calamine::Xls<RS> {
    fn merged(&self, sheet: &str) -> Vec<(u32, u32, u32, u32)> {
        self.merge_cells_by_sheet_name(sheet)
            .map(|dims| {
                dims.iter()
                    .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl<RS: std::io::Read + std::io::Seek> MergedCells for calamine::Ods<RS> {}

/// xls and ods: calamine parses these whole when opening; the file size was bounded before.
/// Ranges are checked against the cell limit before being walked.
fn read_dense<'a, R>(
    bytes: &'a [u8],
    budget: &mut CellBudget,
    limits: &Limits,
) -> Result<Vec<Grid>, Refusal>
where
    R: Reader<Cursor<&'a [u8]>> + MergedCells,
    R::Error: Into<calamine::Error>,
{
    let mut book: R = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(open_error)?;
    let sheets = sheet_list(book.sheets_metadata());
    let mut grids = Vec::new();
    for (name, typ) in sheets {
        let mut grid = Grid::new(&name);
        if let Some(why) = not_a_worksheet(typ) {
            grid.unreadable = Some(why);
            grids.push(grid);
            continue;
        }
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                grid.unreadable = Some(unreadable_sheet(e));
                grids.push(grid);
                continue;
            }
        };
        let (h, w) = range.get_size();
        if (h as u64).saturating_mul(w as u64) > limits.max_dense_cells {
            return Err(Refusal::SheetTooLarge {
                sheet: name,
                rows: h,
                columns: w,
                limit: limits.max_dense_cells,
            });
        }
        for (r, c, v) in range.used_cells() {
            if let Some(content) = content_of(v).filter(|c| !is_blank(c)) {
                budget.take()?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                grid.cells.insert((r0 + r as u32, c0 + c as u32), content);
            }
        }
        grid.merged = book.merged(&name);
        grids.push(grid);
    }
    Ok(grids)
}
