//! From sheets with a header to structures: rows read, totals and example rows set aside,
//! duplicates merged or set aside, sheets joined on the structure code.
//!
//! This module owns the row-level decisions (what counts as a structure, what is set aside
//! and why) and the join across sheets. Every decision that changes or drops data leaves a
//! diagnostic with its place. Cell interpretation is delegated to `cell`.

use super::cell::{read_code, read_label, read_numeric, read_year, shorten, text_of};
use super::grid::Grid;
use super::header::header_key;
use super::header::{Catalogue, Header};
use crate::dataset::{
    CellRef, Diagnostic, Missing, Observation, SetAside, Severity, Structure, StructureId, Value,
};
use crate::pack::manifest::{Role, normalize_header};
use std::collections::{BTreeMap, BTreeSet};

/// One data row of one sheet, read.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub code: String,
    pub year: Option<i32>,
    /// 0-based row.
    pub row: u32,
    pub id_cell: CellRef,
    pub name: Option<String>,
    pub region: Option<String>,
    /// The cell the region was read from.
    pub region_cell: Option<CellRef>,
    pub typology: Option<String>,
    /// Numeric values by catalogue index.
    pub values: BTreeMap<usize, Observation>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Record {
    /// Same content (cells aside): duplicates with the same content are merged.
    fn same_content(&self, other: &Record) -> bool {
        self.name == other.name
            && self.region == other.region
            && self.typology == other.typology
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(other.values.iter())
                .all(|((a, x), (b, y))| a == b && x.value == y.value)
    }
}

/// What one sheet gave.
#[derive(Debug, Clone)]
pub(crate) struct SheetRows {
    pub sheet: String,
    pub header: Header,
    pub has_year: bool,
    /// Records kept, by (code, year).
    pub records: BTreeMap<(String, Option<i32>), Record>,
    /// Keys whose rows were all set aside as conflicting duplicates.
    pub conflicts: BTreeSet<(String, Option<i32>)>,
    pub rows_read: usize,
    pub set_aside: Vec<SetAside>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a code or name cell marks a row as a total or an example, if it does.
fn row_label_reason(text: &str) -> Option<(&'static str, Severity)> {
    let key = normalize_header(text);
    let starts = |p: &str| key == p || key.starts_with(&format!("{p} "));
    if starts("total") || starts("sous total") || starts("totaux") {
        Some(("ligne de total ou de sous-total", Severity::Info))
    } else if starts("france entiere") || starts("ensemble") || starts("moyenne") {
        Some((
            "ligne d'agrégat (ensemble, moyenne, France entière)",
            Severity::Info,
        ))
    } else if key.starts_with("exemple") {
        Some(("ligne d'exemple", Severity::Info))
    } else {
        None
    }
}

/// A year written in a sheet name: four digits from 1900 to 2199 standing alone
/// (`Indicateurs 2010`, `Contexte_2011`), the last one when there are several.
pub(crate) fn year_in_name(name: &str) -> Option<i32> {
    let chars: Vec<char> = name.chars().collect();
    let mut found = None;
    for start in 0..chars.len() {
        let end = start + 4;
        if end > chars.len() || !chars[start..end].iter().all(char::is_ascii_digit) {
            continue;
        }
        let before = start.checked_sub(1).map(|i| chars[i]);
        let after = chars.get(end).copied();
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let year: i32 = chars[start..end].iter().collect::<String>().parse().ok()?;
        if (1900..2200).contains(&year) {
            found = Some(year);
        }
    }
    found
}

/// Reads the data rows of a sheet below its header.
pub(crate) fn read_sheet(grid: &Grid, header: Header, catalogue: &Catalogue) -> SheetRows {
    let sheet = grid.name.clone();
    // One allocation of the name for every cell reference of the sheet.
    let shared: std::sync::Arc<str> = sheet.as_str().into();
    let col_of = |role: Role| {
        catalogue
            .columns
            .iter()
            .position(|c| c.role == role)
            .and_then(|i| header.column_of(i))
    };
    let id_col = col_of(Role::Id);
    let name_col = col_of(Role::Name);
    let region_col = col_of(Role::Region);
    let year_col = col_of(Role::Year);
    let typology_col = col_of(Role::Typology);
    let numeric: Vec<(usize, u32)> = header
        .matched
        .iter()
        .filter(|(i, _, _)| catalogue.columns[*i].role.is_numeric())
        .map(|(i, c, _)| (*i, *c))
        .collect();

    // One sheet per year: the year in the sheet name (`Indicateurs 2010`) when the sheet
    // has no year column.
    let sheet_year = if year_col.is_none() {
        year_in_name(&sheet)
    } else {
        None
    };
    let mut out = SheetRows {
        sheet: sheet.clone(),
        has_year: year_col.is_some() || sheet_year.is_some(),
        records: BTreeMap::new(),
        conflicts: BTreeSet::new(),
        rows_read: 0,
        set_aside: Vec::new(),
        diagnostics: Vec::new(),
        header: header.clone(),
    };
    for (col, text) in &header.duplicates {
        out.diagnostics.push(Diagnostic::at(
            Severity::Warning,
            &CellRef::new(shared.clone(), header.row, *col),
            format!(
                "l'en-tête « {} » désigne une colonne déjà trouvée dans cette feuille",
                shorten(text)
            ),
            "colonne ignorée ; la première est lue",
        ));
    }
    let Some(id_col) = id_col else {
        return out;
    };
    let Some(last) = grid.last_row() else {
        return out;
    };
    let mut by_key: BTreeMap<(String, Option<i32>), Vec<Record>> = BTreeMap::new();
    for row in header.row + 1..=last {
        if grid.row(row).next().is_none() {
            continue; // empty rows are skipped silently
        }
        out.rows_read += 1;
        let at = |col: u32| CellRef::new(shared.clone(), row, col);
        let id_cell = at(id_col);
        let code_text = text_of(grid.get(row, id_col));
        let name_text = name_col.and_then(|c| text_of(grid.get(row, c)));

        let label_reason = code_text
            .as_deref()
            .and_then(row_label_reason)
            .or_else(|| name_text.as_deref().and_then(row_label_reason));
        if let Some((reason, severity)) = label_reason {
            out.set_aside.push(SetAside {
                sheet: sheet.clone(),
                row: row + 1,
                reason: reason.to_string(),
            });
            out.diagnostics.push(Diagnostic::at(
                severity,
                &id_cell,
                format!("{reason} (ligne {})", row + 1),
                "ligne écartée, jamais comptée",
            ));
            continue;
        }
        let (code, code_diags) = read_code(grid.get(row, id_col), &id_cell);
        let Some(code) = code else {
            let reason = "ligne avec des données mais sans code";
            out.set_aside.push(SetAside {
                sheet: sheet.clone(),
                row: row + 1,
                reason: reason.to_string(),
            });
            out.diagnostics.push(Diagnostic::at(
                Severity::Warning,
                &id_cell,
                format!("{reason} (ligne {})", row + 1),
                "ligne écartée ; compléter le code pour qu'elle soit lue",
            ));
            continue;
        };
        let mut diagnostics = code_diags;
        let mut label = |col: Option<u32>, what: &str| {
            let col = col?;
            let (text, diagnostic) = read_label(grid.get(row, col), &at(col), what);
            diagnostics.extend(diagnostic);
            text
        };
        let name = label(name_col, "nom");
        let region = label(region_col, "région");
        let typology = label(typology_col, "typologie");
        let mut record = Record {
            code,
            year: sheet_year,
            row,
            id_cell: id_cell.clone(),
            name,
            region_cell: region.as_ref().and(region_col).map(at),
            region,
            typology,
            values: BTreeMap::new(),
            diagnostics,
        };
        if let Some(c) = year_col {
            let (year, diag) = read_year(grid.get(row, c), &at(c));
            record.year = year;
            record.diagnostics.extend(diag);
        }
        for &(index, col) in &numeric {
            let cell_ref = at(col);
            let read = read_numeric(grid.get(row, col), &catalogue.columns[index], &cell_ref);
            record.diagnostics.extend(read.diagnostic);
            record.values.insert(
                index,
                Observation {
                    value: read.value,
                    cell: Some(cell_ref),
                },
            );
        }
        by_key
            .entry((record.code.clone(), record.year))
            .or_default()
            .push(record);
    }

    for (key, mut records) in by_key {
        if records.len() == 1 {
            let record = records.remove(0);
            out.diagnostics.extend(record.diagnostics.iter().cloned());
            out.records.insert(key, record);
            continue;
        }
        let first = &records[0];
        let year_text = key.1.map(|y| format!(" (année {y})")).unwrap_or_default();
        let rows: Vec<String> = records.iter().map(|r| (r.row + 1).to_string()).collect();
        if records.iter().all(|r| r.same_content(first)) {
            let cells: Vec<String> = records.iter().map(|r| r.id_cell.to_string()).collect();
            out.diagnostics.push(Diagnostic::at(
                Severity::Warning,
                &records[1].id_cell,
                format!(
                    "le code {}{year_text} apparaît sur plusieurs lignes identiques ({})",
                    key.0,
                    cells.join(", ")
                ),
                format!("lignes fusionnées : seule la ligne {} est lue", rows[0]),
            ));
            let record = records.remove(0);
            out.diagnostics.extend(record.diagnostics.iter().cloned());
            out.records.insert(key, record);
        } else {
            let mut cells: Vec<String> = records.iter().map(|r| r.id_cell.to_string()).collect();
            // Name the cells that differ as well.
            for r in &records[1..] {
                for (index, obs) in &r.values {
                    if first.values.get(index).map(|o| &o.value) != Some(&obs.value) {
                        for cell in [
                            first.values.get(index).and_then(|o| o.cell.as_ref()),
                            obs.cell.as_ref(),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            let text = cell.to_string();
                            if !cells.contains(&text) {
                                cells.push(text);
                            }
                        }
                    }
                }
            }
            out.diagnostics.push(Diagnostic::at(
                Severity::Error,
                &first.id_cell,
                format!(
                    "le code {}{year_text} apparaît sur plusieurs lignes aux valeurs différentes (lignes {}) ; cellules en cause : {}",
                    key.0,
                    rows.join(", "),
                    cells.join(", ")
                ),
                "toutes ces lignes sont écartées ; garder une seule ligne par structure",
            ));
            for r in &records {
                out.set_aside.push(SetAside {
                    sheet: sheet.clone(),
                    row: r.row + 1,
                    reason: format!(
                        "code {}{year_text} en double avec des valeurs différentes",
                        key.0
                    ),
                });
            }
            out.conflicts.insert(key);
        }
    }
    out.set_aside.sort_by_key(|s| s.row);
    // Diagnostics in reading order (row, then column), whatever the key order above.
    out.diagnostics
        .sort_by_key(|d| d.cell.as_deref().map(a1_position).unwrap_or((0, 0)));
    out
}

/// (row, column) of an A1 address such as `C7`, for ordering; 0-based columns.
fn a1_position(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let row = a1[letters.len()..].parse().unwrap_or(0);
    let col = letters.bytes().fold(0u32, |n, b| {
        n.saturating_mul(26)
            .saturating_add((b.to_ascii_uppercase() - b'A' + 1) as u32)
    });
    (row, col)
}

/// Joins the sheets' records into structures sorted by (id, year).
///
/// A column found in several sheets is read from the first one (workbook order) holding the
/// structure. A sheet without a year column applies to every year of a code.
pub(crate) fn join(
    sheets: &mut [SheetRows],
    catalogue: &Catalogue,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Structure> {
    // Which sheets hold each numeric column, in workbook order.
    let mut holders: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (s, rows) in sheets.iter().enumerate() {
        for (index, _, _) in &rows.header.matched {
            holders.entry(*index).or_default().push(s);
        }
    }
    let any_year = sheets.iter().any(|s| s.has_year);
    let mut keys: BTreeSet<(String, Option<i32>)> = BTreeSet::new();
    for rows in sheets.iter() {
        if rows.has_year || !any_year {
            keys.extend(rows.records.keys().cloned());
        }
    }
    // Codes only found in sheets without years.
    for rows in sheets.iter().filter(|s| !s.has_year && any_year) {
        for (code, _) in rows.records.keys() {
            if !keys.iter().any(|(c, _)| c == code) {
                keys.insert((code.clone(), None));
            }
        }
    }
    let conflicted = |rows: &SheetRows, key: &(String, Option<i32>)| -> bool {
        if rows.has_year || !any_year {
            rows.conflicts.contains(key)
        } else {
            rows.conflicts.iter().any(|(c, _)| c == &key.0)
        }
    };

    let mut structures = Vec::with_capacity(keys.len());
    for key in keys {
        // Each sheet's record, moved out (its values move into the structure); a sheet
        // without years serves every year of a code, so its record is copied.
        let mut found: Vec<Option<Record>> = sheets
            .iter_mut()
            .map(|rows| {
                if rows.has_year || !any_year {
                    rows.records.remove(&key)
                } else {
                    rows.records.get(&(key.0.clone(), None)).cloned()
                }
            })
            .collect();
        let first_with = |pick: &dyn Fn(&Record) -> Option<String>| -> Option<String> {
            found.iter().flatten().find_map(pick)
        };
        let mut structure = Structure {
            id: StructureId::new(key.0.clone()),
            name: first_with(&|r| r.name.clone()).unwrap_or_default(),
            region: first_with(&|r| r.region.clone()).unwrap_or_default(),
            year: key.1,
            typology: first_with(&|r| r.typology.clone()),
            values: BTreeMap::new(),
            id_cells: found.iter().flatten().map(|r| r.id_cell.clone()).collect(),
        };
        let year_text = key.1.map(|y| format!(" (année {y})")).unwrap_or_default();
        for (s, rows) in sheets.iter().enumerate() {
            if found[s].is_none() && !conflicted(rows, &key) {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    sheet: Some(rows.sheet.clone()),
                    cell: None,
                    message: format!(
                        "la structure {}{year_text} est absente de la feuille « {} »",
                        key.0, rows.sheet
                    ),
                    action: "les colonnes de cette feuille sont manquantes pour elle".into(),
                });
            }
        }
        for (index, spec) in catalogue.columns.iter().enumerate() {
            if !spec.role.is_numeric() {
                continue;
            }
            let observation = match holders.get(&index) {
                None => Observation {
                    value: Value::Missing(Missing::NoColumn),
                    cell: None,
                },
                Some(list) => {
                    let from = list
                        .iter()
                        .find_map(|&s| found[s].as_mut().and_then(|r| r.values.remove(&index)));
                    match from {
                        Some(obs) => obs,
                        None => {
                            let s = list[0];
                            let missing = if conflicted(&sheets[s], &key) {
                                Missing::SetAside
                            } else {
                                Missing::AbsentFromSheet(sheets[s].sheet.clone())
                            };
                            Observation {
                                value: Value::Missing(missing),
                                cell: None,
                            }
                        }
                    }
                }
            };
            structure.values.insert(spec.id.clone(), observation);
        }
        structures.push(structure);
    }
    structures.sort_by(|a, b| (&a.id, a.year).cmp(&(&b.id, b.year)));
    structures
}

/// Region names that neither the pack's layers nor the 18 regions know: one warning per
/// name, at its first cell, naming the nearest known region (`Bretgne`: `Bretagne`). A file
/// whose regions are all unknown and near none (another geography) gets no warning.
pub(crate) fn check_regions(
    sheets: &[SheetRows],
    pack_regions: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let known: BTreeSet<&str> = pack_regions
        .iter()
        .map(String::as_str)
        .chain(crate::fr::REGIONS)
        .collect();
    // Each region name with its first cell and how many rows carry it.
    let mut seen: BTreeMap<&str, (&CellRef, usize)> = BTreeMap::new();
    for rows in sheets {
        for record in rows.records.values() {
            if let (Some(region), Some(cell)) = (&record.region, &record.region_cell) {
                let entry = seen.entry(region.as_str()).or_insert((cell, 0));
                if (cell.row, cell.col) < (entry.0.row, entry.0.col) && cell.sheet == entry.0.sheet
                {
                    entry.0 = cell;
                }
                entry.1 += 1;
            }
        }
    }
    let any_known = seen.keys().any(|r| known.contains(r));
    for (&region, &(cell, rows)) in &seen {
        if known.contains(region) {
            continue;
        }
        let key = header_key(region);
        let nearest = known
            .iter()
            .map(|k| {
                (
                    strsim::normalized_damerau_levenshtein(&key, &header_key(k)),
                    *k,
                )
            })
            .filter(|(score, _)| *score >= 0.75)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)));
        if nearest.is_none() && !any_known {
            continue;
        }
        let hint = match nearest {
            Some((_, k)) => format!(" : vouliez-vous dire « {k} » ?"),
            None => String::new(),
        };
        diagnostics.push(Diagnostic::at(
            Severity::Warning,
            cell,
            format!(
                "région « {} » inconnue des seuils du pack et des 18 régions ({}){hint}",
                shorten(region),
                crate::fr::count(rows, "ligne", "lignes")
            ),
            "lue telle quelle : ses structures forment une région à part, aux seuils de base ; corriger le nom",
        ));
    }
}

/// Structures of an earlier year absent from the latest: the analysis keeps only the latest
/// year, so each is said, with its code, at its last cell.
pub(crate) fn check_latest_year(structures: &[Structure], diagnostics: &mut Vec<Diagnostic>) {
    let Some(latest) = structures.iter().filter_map(|s| s.year).max() else {
        return;
    };
    let mut by_code: BTreeMap<&StructureId, Vec<&Structure>> = BTreeMap::new();
    for s in structures {
        by_code.entry(&s.id).or_default().push(s);
    }
    for (id, list) in by_code {
        if list
            .iter()
            .any(|s| s.year == Some(latest) || s.year.is_none())
        {
            continue;
        }
        let years: Vec<String> = list
            .iter()
            .filter_map(|s| s.year)
            .map(|y| y.to_string())
            .collect();
        let last = list.last().expect("one structure per entry");
        let name = if last.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", shorten(&last.name))
        };
        let message = format!(
            "la structure {id}{name} figure en {} mais pas en {latest}, la dernière année du classeur",
            years.join(", ")
        );
        let action = format!(
            "elle n'est pas analysée (seule l'année {latest} l'est) ; ajouter ses lignes de {latest} si elle existe toujours"
        );
        diagnostics.push(match last.id_cells.last() {
            Some(cell) => Diagnostic::at(Severity::Warning, cell, message, action),
            None => Diagnostic::general(Severity::Warning, message, action),
        });
    }
}

#[cfg(test)]
mod year_tests {
    use super::year_in_name;

    #[test]
    fn a_year_in_a_sheet_name_is_found() {
        assert_eq!(year_in_name("Indicateurs 2010"), Some(2010));
        assert_eq!(year_in_name("Contexte_2011"), Some(2011));
        assert_eq!(year_in_name("2009 - données"), Some(2009));
        assert_eq!(year_in_name("Indicateurs"), None);
        assert_eq!(year_in_name("Code 12345"), None);
        assert_eq!(year_in_name("Feuille 0042"), None);
    }
}
