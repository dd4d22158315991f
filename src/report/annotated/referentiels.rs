//! The Référentiels sheet: each shared frame's statistics once — the national frame and
//! each region's, per indicator: how many values, median, first and third quartiles —,
//! rather than repeated on every Indicateurs row of the frame (440 structures × 34
//! indicators on the national sample). The peer frames are each structure's own and stay
//! on its Indicateurs rows.
//!
//! The Fiche looks its medians up here through the key column (`national|id`,
//! `région|<region>|id`), so that sorting this sheet or Indicateurs never shows another
//! frame's number.

use super::Context;
use crate::analysis::results::{FrameInfo, Results};
use crate::analysis::stats::Summary;
use crate::error::Result;
use crate::pack::manifest::FrameKind;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::ColNum;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) const COL_N: ColNum = 3;
pub(crate) const COL_MEDIAN: ColNum = 4;
const COL_REMARK: ColNum = 7;
pub(crate) const COL_KEY: ColNum = 8;

const HEADERS: [&str; 9] = [
    "Référentiel",
    "Territoire",
    "Indicateur",
    "Valeurs",
    "Médiane",
    "Q1",
    "Q3",
    "Remarque",
    "Clé",
];

/// One frame of one indicator: what the sheet shows on its row.
pub(crate) struct FrameRow {
    pub kind: FrameKind,
    /// `France` (the national frame's label) or the region's name.
    pub territory: String,
    pub indicator: usize,
    pub frame: Shown,
}

/// A frame as the sheet shows it.
pub(crate) enum Shown {
    /// One frame for every structure of the territory (possibly the national frame in
    /// place of a region too small: its label says so).
    Shared(Arc<FrameInfo>),
    /// The territory's structures are judged on frames of their own (each on its peers, in
    /// place of a region too small): no statistic of the territory.
    PerStructure(Arc<str>),
    /// No structure of the territory has this frame.
    None,
}

impl FrameRow {
    pub fn summary(&self) -> Option<&Summary> {
        match &self.frame {
            Shown::Shared(info) => info.summary.as_ref(),
            _ => None,
        }
    }
}

/// Every row of the sheet, in order (national frames first, then each region in the
/// results' order, indicators in the catalogue's order), and where each key is.
pub(crate) struct FrameTable {
    pub rows: Vec<FrameRow>,
    index: HashMap<String, usize>,
}

/// The key of the national frame of indicator `id`.
pub(crate) fn national_key(id: &str) -> String {
    format!("national|{id}")
}

/// The key of region `region`'s frame of indicator `id`.
pub(crate) fn region_key(region: &str, id: &str) -> String {
    format!("région|{region}|{id}")
}

impl FrameTable {
    /// The frames of the first `detailed` structures (those the workbook details).
    pub fn new(results: &Results, detailed: usize) -> FrameTable {
        let structures = &results.structures[..detailed.min(results.structures.len())];
        // Each region's structures, in the order regions first appear; a structure without
        // a region has no regional frame: no row.
        let mut regions: Vec<(&str, Vec<usize>)> = Vec::new();
        for (s, st) in structures.iter().enumerate() {
            if st.region.is_empty() {
                continue;
            }
            match regions.iter_mut().find(|(r, _)| *r == st.region) {
                Some((_, members)) => members.push(s),
                None => regions.push((&st.region, vec![s])),
            }
        }
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        let all: Vec<usize> = (0..structures.len()).collect();
        let frame_of = |members: &[usize], kind: FrameKind, i: usize| {
            let mut shown = Shown::None;
            for &s in members {
                let Some(f) = structures[s]
                    .indicators
                    .get(i)
                    .and_then(|r| r.frames.get(&kind))
                else {
                    continue;
                };
                // A region judged on each structure's peers has no frame of its own, even
                // when it counts one structure.
                if f.fallback == Some(FrameKind::Peers) {
                    shown = Shown::PerStructure(Arc::clone(&f.label));
                    break;
                }
                match &shown {
                    Shown::None => shown = Shown::Shared(Arc::clone(f.info())),
                    Shown::Shared(info) if !Arc::ptr_eq(info, f.info()) => {
                        shown = Shown::PerStructure(Arc::clone(&f.label));
                        break;
                    }
                    _ => {}
                }
            }
            shown
        };
        for (i, def) in results.indicators.iter().enumerate() {
            let frame = frame_of(&all, FrameKind::National, i);
            let territory = match &frame {
                Shown::Shared(info) => info.label.to_string(),
                _ => "France".to_string(),
            };
            index.insert(national_key(&def.id), rows.len());
            rows.push(FrameRow {
                kind: FrameKind::National,
                territory,
                indicator: i,
                frame,
            });
        }
        for (region, members) in &regions {
            for (i, def) in results.indicators.iter().enumerate() {
                let frame = frame_of(members, FrameKind::Region, i);
                index.insert(region_key(region, &def.id), rows.len());
                rows.push(FrameRow {
                    kind: FrameKind::Region,
                    territory: region.to_string(),
                    indicator: i,
                    frame,
                });
            }
        }
        FrameTable { rows, index }
    }

    /// The row (0-based, header on row 0) of a key, and its frame.
    pub fn find(&self, key: &str) -> Option<(u32, &FrameRow)> {
        let k = *self.index.get(key)?;
        Some((1 + k as u32, &self.rows[k]))
    }

    /// The last row (0-based).
    pub fn last_row(&self) -> u32 {
        self.rows.len().max(1) as u32
    }
}

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let table = &ctx.frames;
    let mut sheet = Sheet::new(&ctx.names.referentiels)?;
    let rows = table.rows.len() as u32;
    sheet.filtered_table("T_Referentiels", &HEADERS, rows, styles)?;
    sheet.apply(|ws| ws.set_row_height(0, 30))?;
    sheet.note(
        0,
        0,
        "Les statistiques de chaque référentiel partagé, une fois par indicateur : le \
         référentiel national et celui de chaque région (les structures de la région avec une \
         valeur). Les pairs de chaque structure sont dans la feuille des indicateurs, sur ses \
         lignes. Les quartiles suivent la définition de QUARTILE.INC.",
    )?;
    let formats: Vec<_> = results
        .indicators
        .iter()
        .map(|d| styles.number(&d.format))
        .collect();
    for (k, r) in table.rows.iter().enumerate() {
        let row = 1 + k as u32;
        let def = &results.indicators[r.indicator];
        sheet.plain(
            row,
            0,
            match r.kind {
                FrameKind::National => "national",
                _ => "régional",
            },
        )?;
        sheet.plain(row, 1, &r.territory)?;
        sheet.plain(row, 2, &def.label)?;
        let summary = r.summary();
        sheet.opt_number(row, COL_N, summary.map(|s| s.n as f64), &styles.integer)?;
        let fmt = &formats[r.indicator];
        sheet.opt_number(row, COL_MEDIAN, summary.map(|s| s.median), fmt)?;
        sheet.opt_number(row, COL_MEDIAN + 1, summary.map(|s| s.q1), fmt)?;
        sheet.opt_number(row, COL_MEDIAN + 2, summary.map(|s| s.q3), fmt)?;
        let remark = match &r.frame {
            Shown::Shared(info) if info.fallback.is_some() => info.label.to_string(),
            Shown::Shared(info) if info.summary.is_none() => "aucune valeur".to_string(),
            Shown::Shared(_) => String::new(),
            Shown::PerStructure(label) => format!(
                "chaque structure est jugée sur son propre référentiel (par exemple : {label})"
            ),
            Shown::None => "aucune valeur".to_string(),
        };
        if !remark.is_empty() {
            sheet.plain(row, COL_REMARK, &remark)?;
        }
        let key = match r.kind {
            FrameKind::National => national_key(&def.id),
            _ => region_key(&r.territory, &def.id),
        };
        sheet.plain(row, COL_KEY, &key)?;
    }
    sheet.widths(&[
        (0, 11.0),
        (1, 26.0),
        (2, 38.0),
        (COL_N, 9.0),
        (COL_MEDIAN, 11.0),
        (COL_MEDIAN + 1, 11.0),
        (COL_MEDIAN + 2, 11.0),
        (COL_REMARK, 50.0),
        (COL_KEY, 30.0),
    ])?;
    sheet.freeze(1, 3)?;
    sheet.print_table(0)?;
    // The key is for the Fiche's look-ups, not for reading: printed A to H.
    sheet.apply(|ws| ws.set_print_area(0, 0, rows.max(1), COL_REMARK))?;
    Ok(sheet)
}
