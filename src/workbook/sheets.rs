//! Access to the sheets of a workbook through calamine, into sparse grids.
//!
//! This module owns turning a spreadsheet container (xlsx, xlsm, xlsb, xls, ods) into
//! [`Grid`]s: the non-empty cells of each sheet, stored sparsely, with merged ranges and number
//! formats where the format gives them cheaply. xlsx and xlsb sheets are streamed cell by cell
//! so a sheet declaring a giant dimension never allocates it. It does not interpret cells.

use super::grid::{Content, Grid, is_excel_error};
use super::guard::{self, Limits};
use crate::error::{Error, Result};
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
    fn take(&mut self, file: &str) -> Result<()> {
        self.used += 1;
        if self.used > self.max {
            return Err(Error::Input(format!(
                "{file} : le classeur contient plus de {} cellules non vides ; boussole refuse de le lire (fichier anormal ou hostile)",
                self.max
            )));
        }
        Ok(())
    }
}

/// Reads every sheet of a spreadsheet container into sparse grids.
pub(crate) fn read_container(
    bytes: &[u8],
    container: Container,
    file: &str,
    limits: &Limits,
) -> Result<Vec<Grid>> {
    let mut budget = CellBudget {
        used: 0,
        max: limits.max_cells,
    };
    match container {
        Container::Ods => super::calamine_guard::check_ods(bytes, file)?,
        Container::Xls => super::calamine_guard::check_xls(bytes, file)?,
        _ => {}
    }
    let grids = super::calamine_guard::guarded(file, || match container {
        Container::Xlsx => read_xlsx(bytes, file, &mut budget, false),
        Container::Xlsb => read_xlsb(bytes, file, &mut budget),
        Container::Xls => read_dense::<calamine::Xls<_>>(bytes, file, &mut budget, limits),
        Container::Ods => read_dense::<calamine::Ods<_>>(bytes, file, &mut budget, limits),
    })?;
    if grids.is_empty() {
        // A spreadsheet always has a sheet: none means its main part is missing or empty.
        return Err(Error::Input(match container {
            Container::Xlsx | Container::Xlsb => format!(
                "{file} : classeur illisible : une partie obligatoire du classeur manque ou est \
                 vide (« xl/workbook.xml », la liste des feuilles) ; fichier refusé"
            ),
            Container::Xls | Container::Ods => {
                format!(
                    "{file} : classeur illisible : il ne contient aucune feuille ; fichier refusé"
                )
            }
        }));
    }
    Ok(grids)
}

fn open_error(file: &str, e: impl std::fmt::Display) -> Error {
    let text = e.to_string();
    if text.to_lowercase().contains("password") {
        return guard::encrypted_error(file);
    }
    Error::Input(format!(
        "{file} : classeur illisible : {} ; fichier refusé (détail technique : {text})",
        reader_error_fr(&text)
    ))
}

fn sheet_error(file: &str, sheet: &str, e: impl std::fmt::Display) -> Error {
    let text = e.to_string();
    Error::Input(format!(
        "{file} : la feuille « {sheet} » est illisible : {} (détail technique : {text})",
        reader_error_fr(&text)
    ))
}

/// What a calamine error means, in French (its own text is English and technical).
fn reader_error_fr(text: &str) -> String {
    if let Some(part) = text
        .strip_prefix("File not found '")
        .and_then(|t| t.strip_suffix('\''))
    {
        return format!("une partie obligatoire du classeur manque (« {part} »)");
    }
    let lower = text.to_lowercase();
    let meaning = if lower.starts_with("zip error") {
        "l'archive du classeur est endommagée"
    } else if lower.starts_with("xml")
        || lower.starts_with("unexpected end of xml")
        || lower.starts_with("expecting '")
    {
        "le contenu interne (XML) du classeur est mal formé ou tronqué"
    } else if lower.starts_with("relationship not found") {
        "un lien interne du classeur est rompu"
    } else if lower.starts_with("parse") {
        "une valeur interne du classeur est illisible"
    } else if lower.starts_with("i/o error") {
        "la lecture du fichier a échoué"
    } else if lower.contains("overflow") {
        "le classeur annonce des dimensions hors des limites d'Excel"
    } else {
        "fichier corrompu ou format non pris en charge"
    };
    meaning.to_string()
}

/// The sheets a workbook declares: name and kind, in order.
fn sheet_list(metadata: &[calamine::Sheet]) -> Vec<(String, SheetType)> {
    metadata.iter().map(|s| (s.name.clone(), s.typ)).collect()
}

/// Why a sheet could not be read, for its diagnostic (the sheet is skipped, not refused).
fn unreadable_sheet(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    format!(
        "feuille illisible : {} (détail technique : {text})",
        reader_error_fr(&text)
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
fn read_xlsx(
    bytes: &[u8],
    file: &str,
    budget: &mut CellBudget,
    patched: bool,
) -> Result<Vec<Grid>> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| open_error(file, e))?;
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
            Err(e) => return Err(sheet_error(file, &name, e)),
        };
        loop {
            let record = match reader.next_cell_with_formula_metadata() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(calamine::XlsxError::CellError(_)) if !patched => {
                    drop(reader);
                    drop(book);
                    budget.used = start_budget;
                    let rewritten = guard::retype_error_cells(bytes, file)?;
                    return read_xlsx(&rewritten, file, budget, true);
                }
                Err(e) => return Err(sheet_error(file, &name, e)),
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
            budget.take(file)?;
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
fn read_xlsb(bytes: &[u8], file: &str, budget: &mut CellBudget) -> Result<Vec<Grid>> {
    let mut book: calamine::Xlsb<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| open_error(file, e))?;
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
                grid.unreadable = Some(unreadable_sheet(&e));
                grids.push(grid);
                continue;
            }
        };
        loop {
            match reader.next_cell() {
                Ok(Some(cell)) => {
                    if let Some(c) = content_of_ref(cell.get_value()).filter(|c| !is_blank(c)) {
                        budget.take(file)?;
                        grid.cells.insert(cell.get_position(), c);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(sheet_error(file, &name, e)),
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
    file: &str,
    budget: &mut CellBudget,
    limits: &Limits,
) -> Result<Vec<Grid>>
where
    R: Reader<Cursor<&'a [u8]>> + MergedCells,
    R::Error: std::fmt::Display,
{
    let mut book: R =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| open_error(file, e))?;
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
                grid.unreadable = Some(unreadable_sheet(&e));
                grids.push(grid);
                continue;
            }
        };
        let (h, w) = range.get_size();
        if (h as u64).saturating_mul(w as u64) > limits.max_dense_cells {
            return Err(Error::Input(format!(
                "{file} : la feuille « {name} » déclare {h} lignes sur {w} colonnes ; boussole refuse de la lire (au-delà de {} cellules)",
                limits.max_dense_cells
            )));
        }
        for (r, c, v) in range.used_cells() {
            if let Some(content) = content_of(v).filter(|c| !is_blank(c)) {
                budget.take(file)?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                grid.cells.insert((r0 + r as u32, c0 + c as u32), content);
            }
        }
        grid.merged = book.merged(&name);
        grids.push(grid);
    }
    Ok(grids)
}
