//! `run --by-region`: the results of one national analysis cut to one region.
//!
//! Nothing is computed again: a region's results keep its structures as the national run
//! judged them (values, national and regional frames — shared through `Arc` —, expected
//! values, scores, findings, recommendations, objectives), its `RegionResult` with its
//! priorities, the stability of its structures and priorities, and the run's method,
//! indicators and models. The dataset is cut the same way, so that the writers show the
//! region's rows only: the data copy keeps every input row except those of another
//! region's structures or set-aside rows (each kept cell at its original place, so every
//! `Sheet!C7` still points at its cell), and the diagnostics and set-aside rows of another
//! region are left to that region's file (those on no structure's row stay in every file).

use crate::analysis::results::{Results, Stability};
use crate::dataset::{Dataset, Diagnostic, SetAside, SheetCopy, StructureId, column_index};
use std::collections::HashMap;

/// The national results and dataset, and which region each input row belongs to.
pub struct Split<'a> {
    results: &'a Results,
    dataset: &'a Dataset,
    /// `(sheet, 0-based row)` → region, for the rows of structures and of set-aside rows
    /// whose region cell names a region of the results.
    rows: HashMap<(&'a str, u32), &'a str>,
}

impl<'a> Split<'a> {
    pub fn new(results: &'a Results, dataset: &'a Dataset) -> Split<'a> {
        let analysed: HashMap<&StructureId, &str> = results
            .structures
            .iter()
            .map(|s| (&s.id, s.region.as_str()))
            .collect();
        let mut rows = HashMap::new();
        // Every year's rows of a structure go with the region it has in the results (the
        // latest year's); a structure absent from the latest year keeps its own.
        for s in &dataset.structures {
            let region = analysed.get(&s.id).copied().unwrap_or(s.region.as_str());
            for cell in &s.id_cells {
                rows.insert((&*cell.sheet, cell.row), region);
            }
        }
        let mut split = Split {
            results,
            dataset,
            rows,
        };
        let regions = split.regions();
        for (sheet, row, text) in region_cells(dataset, &dataset.set_aside) {
            if let Some(region) = regions.iter().find(|r| r.trim() == text.trim()) {
                split.rows.entry((sheet, row)).or_insert(region);
            }
        }
        split
    }

    /// The regions, in the results' order, then any region only structures name.
    pub fn regions(&self) -> Vec<&'a str> {
        let mut names: Vec<&str> = self
            .results
            .regions
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        for s in &self.results.structures {
            if !names.contains(&s.region.as_str()) {
                names.push(&s.region);
            }
        }
        names
    }

    /// Whether input row `row` (0-based) of `sheet` goes into `region`'s file: a row of
    /// its own, or a row of no region.
    fn keeps(&self, region: &str, sheet: &str, row: u32) -> bool {
        self.rows.get(&(sheet, row)).is_none_or(|r| *r == region)
    }

    fn keeps_diagnostic(&self, region: &str, d: &Diagnostic) -> bool {
        match (&d.sheet, d.cell.as_deref().and_then(a1_row)) {
            (Some(sheet), Some(row)) => self.keeps(region, sheet, row),
            _ => true,
        }
    }

    fn keeps_set_aside(&self, region: &str, s: &SetAside) -> bool {
        s.row == 0 || self.keeps(region, &s.sheet, s.row - 1)
    }

    /// How many structures of the results are in `region` (the size of its file).
    pub fn structures_in(&self, region: &str) -> usize {
        self.results
            .structures
            .iter()
            .filter(|s| s.region == region)
            .count()
    }

    /// The results of `region`, as the national run computed them.
    pub fn results(&self, region: &str) -> Results {
        let national = self.results;
        let kept: Vec<usize> = (0..national.structures.len())
            .filter(|&k| national.structures[k].region == region)
            .collect();
        let regions: Vec<usize> = (0..national.regions.len())
            .filter(|&g| national.regions[g].name == region)
            .collect();
        let stability = national.stability.as_ref().map(|st| Stability {
            resamples: st.resamples,
            seed: st.seed,
            fragile_below: st.fragile_below,
            structures: kept
                .iter()
                .filter_map(|&k| st.structures.get(k).cloned())
                .collect(),
            priorities: regions
                .iter()
                .filter_map(|&g| st.priorities.get(g).cloned())
                .collect(),
        });
        let mut cut = Results {
            pack: national.pack.clone(),
            input: national.input.clone(),
            reference: national.reference.clone(),
            year: national.year,
            method: national.method.clone(),
            indicators: national.indicators.clone(),
            axes: national.axes.clone(),
            structures: kept
                .iter()
                .map(|&k| national.structures[k].clone())
                .collect(),
            regions: regions
                .iter()
                .map(|&g| national.regions[g].clone())
                .collect(),
            set_aside: national
                .set_aside
                .iter()
                .filter(|s| self.keeps_set_aside(region, s))
                .cloned()
                .collect(),
            diagnostics: national
                .diagnostics
                .iter()
                .filter(|d| self.keeps_diagnostic(region, d))
                .cloned()
                .collect(),
            stability,
            sensitivity: None,
            region: Some(region.to_string()),
        };
        // What holds under the method variants, counted among the region's structures.
        cut.sensitivity = national
            .sensitivity
            .as_ref()
            .map(|v| crate::analysis::sensitivity::restrict(v, &cut));
        cut
    }

    /// The dataset as `region`'s file shows it: its structures, and the input's sheets
    /// without the rows of other regions.
    pub fn dataset(&self, region: &str) -> Dataset {
        let d = self.dataset;
        let own_row = |sheet: &str, row: u32| self.keeps(region, sheet, row);
        Dataset {
            source: d.source.clone(),
            structures: d
                .structures
                .iter()
                .filter(|s| s.id_cells.first().is_none_or(|c| own_row(&c.sheet, c.row)))
                .cloned()
                .collect(),
            set_aside: d
                .set_aside
                .iter()
                .filter(|s| self.keeps_set_aside(region, s))
                .cloned()
                .collect(),
            diagnostics: d
                .diagnostics
                .iter()
                .filter(|x| self.keeps_diagnostic(region, x))
                .cloned()
                .collect(),
            sheets: d.sheets.clone(),
            columns: d.columns.clone(),
            copies: d
                .copies
                .iter()
                .map(|c| SheetCopy {
                    name: c.name.clone(),
                    cells: {
                        // Cells come row by row: one look-up per row.
                        let mut last: Option<(u32, bool)> = None;
                        c.cells
                            .iter()
                            .filter(|cell| match last {
                                Some((row, keep)) if row == cell.row => keep,
                                _ => {
                                    let keep = own_row(&c.name, cell.row);
                                    last = Some((cell.row, keep));
                                    keep
                                }
                            })
                            .cloned()
                            .collect()
                    },
                    merged: c
                        .merged
                        .iter()
                        .filter(|m| own_row(&c.name, m.0))
                        .copied()
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The text of the region column's cell on each set-aside row that has one: (sheet,
/// 0-based row, text).
fn region_cells<'a>(
    dataset: &'a Dataset,
    set_aside: &'a [SetAside],
) -> Vec<(&'a str, u32, &'a str)> {
    let mut out = Vec::new();
    for column in dataset.columns.iter().filter(|c| c.column == "region") {
        let Some(col) = column_index(&column.letter) else {
            continue;
        };
        let Some(copy) = dataset.copies.iter().find(|c| c.name == column.sheet) else {
            continue;
        };
        let wanted: HashMap<u32, ()> = set_aside
            .iter()
            .filter(|s| s.sheet == column.sheet && s.row > 0)
            .map(|s| (s.row - 1, ()))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        for cell in &copy.cells {
            if cell.col == col
                && wanted.contains_key(&cell.row)
                && let crate::dataset::RawValue::Text(t) = &cell.value
            {
                out.push((copy.name.as_str(), cell.row, t.as_str()));
            }
        }
    }
    out
}

/// The 0-based row of an A1 address (`C7`, or the first cell of `A3:F3`).
fn a1_row(cell: &str) -> Option<u32> {
    let first = cell.split(':').next()?.trim().replace('$', "");
    let digits: String = first
        .chars()
        .skip_while(|c| c.is_ascii_alphabetic())
        .collect();
    digits.parse::<u32>().ok()?.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_give_their_row_and_column() {
        assert_eq!(a1_row("C7"), Some(6));
        assert_eq!(a1_row("$A$3:F3"), Some(2));
        assert_eq!(a1_row("A0"), None);
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("ab"), Some(27));
        assert_eq!(column_index("A1"), None);
    }
}
