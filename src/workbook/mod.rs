//! Reading field workbooks: an input file becomes a [`Dataset`].
//!
//! This module owns the whole reading stage: recognising the format (xlsx, xlsm, xlsb, xls,
//! ods, CSV), refusing files that cannot serve with one French message, finding each sheet's
//! header row, reading values tolerantly with their provenance, setting totals and
//! duplicates aside, and joining sheets on the structure code. It must not evaluate rules nor
//! write anything.
//!
//! - `guard`: format sniffing, encryption, zip and size bounds (before any reader runs);
//! - `sheets`: calamine access into sparse grids; `csv`: CSV files into a grid;
//! - `header`: header keys and the header row; `cell`: one cell's value;
//! - `assemble`: rows, totals, duplicates, the join across sheets.
//!
//! ```no_run
//! use boussole::pack::Pack;
//! let pack = Pack::embedded()?;
//! let data = boussole::workbook::read_path("classeur.xlsx".as_ref(), &pack.manifest.columns)?;
//! println!("{} structures", data.structures.len());
//! # Ok::<(), boussole::error::Error>(())
//! ```

mod assemble;
mod calamine_guard;
mod cell;
mod csv;
mod grid;
mod guard;
mod header;
mod sheets;

pub use cell::{ParsedText, parse_number};

use crate::dataset::{
    CellRef, ColumnMatch, Dataset, Diagnostic, RawCell, RawValue, Severity, SheetCopy,
    SheetReading, Source, column_letters,
};
use crate::error::{AbsentColumn, Error, PackError, ReadError, Refusal, Result};
use crate::pack::manifest::{ColumnSpec, Manifest};
pub(crate) use cell::text_of;
pub(crate) use grid::{Content, Grid};
use guard::{Kind, Limits, ZipKind};
use header::{Catalogue, HEADER_SCAN_ROWS};
use sha2::Digest;
use sheets::Container;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Reads a workbook from disk (opened read-only) against the pack's catalogue columns.
///
/// The source records the file name, path, SHA-256 of the bytes and modification time.
pub fn read_path(path: &Path, columns: &[ColumnSpec]) -> Result<Dataset> {
    read_path_expecting(path, columns, &Expectations::generic())
}

/// Reads a workbook as the pack's analysis needs it: like [`read_path`], and a column found
/// nowhere is a warning when an indicator rests on it (saying which), a region unknown to
/// the pack's layers and to the 18 regions is a warning, and a workbook without any
/// structure (a blank template, a header without data) is refused.
pub fn read_path_for(path: &Path, manifest: &Manifest) -> Result<Dataset> {
    read_path_expecting(path, &manifest.columns, &Expectations::of(manifest))
}

/// [`read_path_for`] on bytes held in memory (tests, fuzzing).
pub fn read_bytes_for(bytes: &[u8], file_name: &str, manifest: &Manifest) -> Result<Dataset> {
    read_with(
        bytes,
        file_name,
        &manifest.columns,
        &Limits::default(),
        &Expectations::of(manifest),
    )
}

/// What a pack expects of a workbook beyond its column catalogue.
pub(crate) struct Expectations {
    /// What rests on each column (`Manifest::uses_of`), by column id; `None` when the pack is
    /// not known, every numeric column then counting as used.
    uses: Option<BTreeMap<String, Vec<String>>>,
    /// Region names the pack knows (threshold and priority layers).
    regions: Vec<String>,
    /// Refuse a workbook without any structure.
    refuse_empty: bool,
}

impl Expectations {
    fn generic() -> Self {
        Expectations {
            uses: None,
            regions: Vec::new(),
            refuse_empty: false,
        }
    }

    fn of(manifest: &Manifest) -> Self {
        Expectations {
            uses: Some(
                manifest
                    .columns
                    .iter()
                    .map(|c| (c.id.clone(), manifest.uses_of(&c.id)))
                    .collect(),
            ),
            regions: manifest.known_regions(),
            refuse_empty: true,
        }
    }

    /// What rests on a column, or `None` when nothing does.
    fn uses(&self, spec: &ColumnSpec) -> Option<Vec<String>> {
        match &self.uses {
            None => spec.role.is_numeric().then(Vec::new),
            Some(map) => map.get(&spec.id).filter(|u| !u.is_empty()).cloned(),
        }
    }
}

fn read_path_expecting(
    path: &Path,
    columns: &[ColumnSpec],
    expect: &Expectations,
) -> Result<Dataset> {
    let limits = Limits::default();
    let (bytes, metadata) = read_file(path, &limits)?;
    let shown = path.display().to_string();
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let mut data = read_with(&bytes, &file, columns, &limits, expect)?;
    data.source.path = shown;
    data.source.modified_unix = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    Ok(data)
}

/// The bytes of an input file: a regular file only (a FIFO or a device could block or
/// never end), within the size limit as declared and as actually read.
fn read_file(
    path: &Path,
    limits: &Limits,
) -> std::result::Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let refused = |refusal| ReadError::new(path, refusal);
    let metadata = std::fs::metadata(path).map_err(|e| refused(Refusal::Inaccessible(e)))?;
    if metadata.is_dir() {
        return Err(refused(Refusal::IsADirectory));
    }
    if !metadata.is_file() {
        return Err(refused(Refusal::NotARegularFile));
    }
    check_size(metadata.len(), limits).map_err(refused)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| refused(Refusal::ReadFailed(e)))?;
    // The limit holds for the bytes actually read, whatever the file declared.
    check_size(bytes.len() as u64, limits).map_err(refused)?;
    Ok((bytes, metadata))
}

/// The bytes of a file boussole reads back (a returned or collected workbook, a JSON),
/// through the same checks as an input workbook's.
pub(crate) fn read_input_bytes(path: &Path) -> std::result::Result<Vec<u8>, ReadError> {
    read_file(path, &Limits::default()).map(|(bytes, _)| bytes)
}

/// Reads a workbook held in memory. The format comes from the file name's extension, then
/// from the bytes' signature (a zip, an OLE compound file, text). Used by tests and fuzzing.
///
/// ```
/// use boussole::pack::Pack;
/// let pack = Pack::embedded()?;
/// let csv = "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n01053;Auvergne-Rhône-Alpes;1 234;2 345\n";
/// let data = boussole::workbook::read_bytes(csv.as_bytes(), "ml.csv", &pack.manifest.columns)?;
/// assert_eq!(data.structures[0].id.as_str(), "01053");
/// assert_eq!(data.structures[0].value("premiers_accueils"), Some(1234.0));
/// # Ok::<(), boussole::error::Error>(())
/// ```
pub fn read_bytes(bytes: &[u8], file_name: &str, columns: &[ColumnSpec]) -> Result<Dataset> {
    read_with(
        bytes,
        file_name,
        columns,
        &Limits::default(),
        &Expectations::generic(),
    )
}

/// Every sheet of a workbook (xlsx, xlsm, xls, xlsb, ods) as the reader's grids, through the
/// same guards as [`read_path`] (format sniffing, encryption, zip and size bounds) but
/// without looking for a header: for readers of boussole's own outputs (`collect`).
pub(crate) fn read_grids(bytes: &[u8], file: &str) -> std::result::Result<Vec<Grid>, ReadError> {
    let limits = Limits::default();
    let read = || {
        check_size(bytes.len() as u64, &limits)?;
        match detect(bytes, file, &limits)? {
            Format::Csv => Err(Refusal::TextNotWorkbook),
            Format::Container(container) => sheets::read_container(bytes, container, &limits),
        }
    };
    read().map_err(|refusal| ReadError::new(file, refusal))
}

fn check_size(size: u64, limits: &Limits) -> std::result::Result<(), Refusal> {
    if size > limits.max_file_bytes {
        return Err(Refusal::TooBig {
            size,
            limit: limits.max_file_bytes,
        });
    }
    Ok(())
}

/// The formats boussole reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Container(Container),
    Csv,
}

const SPREADSHEET_EXTENSIONS: &[&str] = &[
    "xlsx", "xlsm", "xltx", "xltm", "xlam", "xls", "xla", "xlt", "xlsb", "ods", "ots",
];
const TEXT_EXTENSIONS: &[&str] = &["csv", "txt", "tsv", "tab"];

/// The format of the bytes; `file` gives the extension.
fn detect(bytes: &[u8], file: &str, limits: &Limits) -> std::result::Result<Format, Refusal> {
    let ext = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    match guard::sniff(bytes) {
        Kind::Cfb => {
            if guard::cfb_is_encrypted(bytes) {
                Err(Refusal::Encrypted)
            } else {
                Ok(Format::Container(Container::Xls))
            }
        }
        Kind::Zip => match guard::check_zip(bytes, limits)? {
            ZipKind::Xlsx => Ok(Format::Container(Container::Xlsx)),
            ZipKind::Xlsb => Ok(Format::Container(Container::Xlsb)),
            ZipKind::Ods => Ok(Format::Container(Container::Ods)),
            ZipKind::Unknown => Err(Refusal::ZipWithoutWorkbook),
        },
        Kind::Text if TEXT_EXTENSIONS.contains(&ext.as_str()) || ext.is_empty() => Ok(Format::Csv),
        Kind::Text if !SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) => {
            Err(Refusal::UnknownExtension { extension: ext })
        }
        _ => Err(Refusal::NotAWorkbook),
    }
}

fn read_with(
    bytes: &[u8],
    file: &str,
    columns: &[ColumnSpec],
    limits: &Limits,
    expect: &Expectations,
) -> Result<Dataset> {
    let refused = |refusal| Error::from(ReadError::new(file, refusal));
    check_size(bytes.len() as u64, limits).map_err(refused)?;
    let catalogue = Catalogue::new(columns);
    if catalogue.id_column().is_none() {
        return Err(PackError::NoIdColumn.into());
    }
    let grids = match detect(bytes, file, limits).map_err(refused)? {
        Format::Csv => {
            let stem = Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "csv".into());
            vec![csv::read(bytes, &stem, limits.max_cells).map_err(refused)?]
        }
        Format::Container(container) => {
            sheets::read_container(bytes, container, limits).map_err(refused)?
        }
    };
    let mut data = build(grids, &catalogue, expect).map_err(refused)?;
    data.source = Source {
        file: file.to_string(),
        path: file.to_string(),
        sha256: crate::dataset::hex(&sha2::Sha256::digest(bytes)),
        modified_unix: None,
    };
    Ok(data)
}

/// From grids to the dataset: headers, rows, join, refusals for what cannot serve.
///
/// Memory stays linear in the cells and each copy is held once: the grids are moved into
/// the data copies once their rows are read, and the rows' values are moved into the
/// structures by the join.
fn build(
    grids: Vec<Grid>,
    catalogue: &Catalogue,
    expect: &Expectations,
) -> std::result::Result<Dataset, Refusal> {
    let mut data = Dataset::default();
    let mut rows = Vec::new();
    for grid in &grids {
        data.diagnostics.extend(grid.notes.iter().cloned());
        let mut reading = SheetReading {
            sheet: grid.name.clone(),
            header_row: None,
            rows_read: 0,
            structures: 0,
            ignored_headers: Vec::new(),
            skipped: None,
        };
        if let Some(why) = &grid.unreadable {
            reading.skipped = Some(why.clone());
        } else if grid.cells.is_empty() {
            reading.skipped = Some("feuille vide".into());
        } else {
            match header::find_header(grid, catalogue) {
                None => {
                    reading.skipped = Some(format!(
                        "aucune colonne d'identifiant ({}) dans les {HEADER_SCAN_ROWS} premières lignes",
                        catalogue.id_labels()
                    ))
                }
                Some(found) => {
                    reading.header_row = Some(found.row + 1);
                    let mut ignored: Vec<String> =
                        found.ignored.iter().map(|(_, t)| t.clone()).collect();
                    ignored.dedup();
                    reading.ignored_headers = ignored;
                    let sheet_rows = assemble::read_sheet(grid, found, catalogue);
                    reading.rows_read = sheet_rows.rows_read;
                    reading.structures = sheet_rows.records.len();
                    rows.push(sheet_rows);
                }
            }
        }
        data.sheets.push(reading);
    }
    if rows.is_empty() {
        return Err(Refusal::NoIdColumn {
            labels: catalogue.id_labels(),
            sheets: grids.iter().map(|g| g.name.clone()).collect(),
        });
    }
    let with_header = || {
        rows.iter()
            .map(|r| r.sheet.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Headers no catalogue column matched, with their place: where a column found nowhere
    // may hide behind a typing slip.
    let unmatched: Vec<(CellRef, String)> = rows
        .iter()
        .flat_map(|r| {
            r.header.ignored.iter().map(|(col, text)| {
                (
                    CellRef::new(r.sheet.as_str(), r.header.row, *col),
                    text.clone(),
                )
            })
        })
        .collect();
    // Column mapping, in catalogue order; required columns found nowhere refuse the
    // workbook, all of them named.
    let mut absent_required = Vec::new();
    for (index, spec) in catalogue.columns.iter().enumerate() {
        let mut found = false;
        for sheet_rows in &rows {
            if let Some((_, col, text)) = sheet_rows.header.matched.iter().find(|m| m.0 == index) {
                found = true;
                data.columns.push(ColumnMatch {
                    column: spec.id.clone(),
                    sheet: sheet_rows.sheet.clone(),
                    header: text.clone(),
                    letter: column_letters(*col),
                });
            }
        }
        if found {
            continue;
        }
        let near = header::nearest(spec, &unmatched);
        if spec.required {
            absent_required.push(AbsentColumn {
                label: spec.label.clone(),
                aliases: spec.aliases.clone(),
                near: near.map(|(cell, text, name)| {
                    (cell.to_string(), cell::shorten(text), name.to_string())
                }),
            });
            continue;
        }
        let uses = expect.uses(spec);
        let severity = if uses.is_some() {
            Severity::Warning
        } else {
            Severity::Info
        };
        let consequence = match uses.as_deref() {
            Some([]) | None => "valeur manquante pour toutes les structures".to_string(),
            Some(uses) => format!(
                "valeur manquante pour toutes les structures, et pour ce qui en dépend : {}",
                uses.join(", ")
            ),
        };
        let absent = format!(
            "colonne « {} » absente du classeur (feuilles examinées : {})",
            spec.label,
            with_header()
        );
        data.diagnostics.push(match near {
            Some((cell, text, name)) => Diagnostic::at(
                severity,
                cell,
                format!(
                    "« {} » ({cell}) : vouliez-vous dire « {name} » ? {}{}",
                    cell::shorten(text),
                    absent[..1].to_uppercase(),
                    &absent[1..]
                ),
                format!("{consequence} ; corriger l'en-tête pour que la colonne soit lue"),
            ),
            None => Diagnostic::general(severity, absent, consequence),
        });
    }
    if !absent_required.is_empty() {
        return Err(Refusal::MissingColumns {
            columns: absent_required,
            sheets: rows.iter().map(|r| r.sheet.clone()).collect(),
        });
    }
    data.copies = grids.into_iter().map(copy_of).collect();
    for sheet_rows in &mut rows {
        data.diagnostics.append(&mut sheet_rows.diagnostics);
        data.set_aside.append(&mut sheet_rows.set_aside);
    }
    assemble::check_regions(&rows, &expect.regions, &mut data.diagnostics);
    data.structures = assemble::join(&mut rows, catalogue, &mut data.diagnostics);
    let rows_read: usize = rows.iter().map(|r| r.rows_read).sum();
    let sheets: Vec<String> = rows.iter().map(|r| r.sheet.clone()).collect();
    drop(rows);
    assemble::check_latest_year(&data.structures, &mut data.diagnostics);
    if data.structures.is_empty() {
        if expect.refuse_empty {
            return Err(Refusal::NoStructure {
                rows_read,
                set_aside: data.set_aside.len(),
                sheets,
            });
        }
        data.diagnostics.push(Diagnostic::general(
            Severity::Warning,
            format!(
                "aucune structure lue ({} sous l'en-tête)",
                crate::fr::count(rows_read, "ligne de données", "lignes de données")
            ),
            "rien à analyser : « boussole run » refuse ce classeur",
        ));
    }
    Ok(data)
}

/// The data copy of a sheet: its non-empty cells and merged ranges, moved out of the grid.
fn copy_of(grid: Grid) -> SheetCopy {
    let Grid {
        name,
        cells,
        merged,
        mut formats,
        ..
    } = grid;
    let cells = cells
        .into_iter()
        .filter_map(|((row, col), content)| {
            let value = match content {
                Content::Number(x) => RawValue::Number(x),
                Content::Text(t) => RawValue::Text(t),
                Content::Bool(b) => RawValue::Bool(b),
                Content::DateTime(x) => RawValue::DateTime(x),
                Content::Error(e) => RawValue::Error(e),
                Content::NoCachedValue => return None,
            };
            Some(RawCell {
                row,
                col,
                value,
                number_format: formats.remove(&(row, col)),
            })
        })
        .collect();
    SheetCopy {
        name,
        cells,
        merged,
    }
}
