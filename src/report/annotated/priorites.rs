//! The Priorités sheet: each structure's recommendations ranked by priority (with the rule
//! that made them), and beside them every recommendation's count and share per region,
//! marking the regional priorities.

use super::{Context, indicator_labels};
use crate::error::Result;
use crate::report::xlsx::EXCEL_LAST_ROW;
use crate::report::xlsx::{Sheet, Styles, wrapped_lines};
use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum};
use std::collections::BTreeMap;

/// First column of the regional table (beside the structures' table, not printed).
const COL_REGIONAL: ColNum = 9;

/// Widths of the wrapped columns, also used to count the lines of their texts.
const WIDTH_TEXT: f64 = 60.0;
const WIDTH_INDICATORS: f64 = 26.0;

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.priorites)?;
    // With `--stability`, each table gets a last column: the share of resamples making the
    // recommendation (the priority) again; the regional table moves one column right.
    let stability = results.stability.as_ref();
    let last = if stability.is_some() { 8 } else { 7 };
    let mut headers = vec![
        "Code",
        "Nom",
        "Région",
        "Rang",
        "Priorité",
        "Recommandation",
        "Indicateurs",
        "Règle",
    ];
    if stability.is_some() {
        headers.push("Stabilité");
    }
    sheet.header_row(0, 0, &headers, styles)?;
    let top_share = styles.number("0.00").set_align(FormatAlign::Top);
    if let Some(st) = stability {
        sheet.note(0, 8, &super::indicateurs::stability_note(st.resamples))?;
    }
    // The lines each row needs, shared by the two tables (they sit on the same rows).
    let mut lines: BTreeMap<RowNum, usize> = BTreeMap::new();
    let mut need = |row: RowNum, n: usize| {
        let e = lines.entry(row).or_insert(1);
        *e = (*e).max(n);
    };
    // Every cell of a tall row at the top, beside the first line of its wrapped texts.
    let top = Format::new().set_align(FormatAlign::Top);
    let top_integer = styles.integer.clone().set_align(FormatAlign::Top);
    let top_percent = styles.percent.clone().set_align(FormatAlign::Top);
    let top_bold = styles.bold.clone().set_align(FormatAlign::Top);
    let mut row = 1u32;
    for (s, st) in results.structures.iter().enumerate() {
        if row as usize + st.recommendations.len().max(1) > EXCEL_LAST_ROW {
            sheet.note(0, 0, "Liste tronquée à la dernière ligne d'Excel : la sortie JSON (--json) donne toutes les recommandations.")?;
            break;
        }
        let put_structure = |sheet: &mut Sheet, row: u32| -> Result<()> {
            sheet.text(row, 0, st.id.as_str(), &top)?;
            sheet.text(row, 1, &st.name, &top)?;
            sheet.text(row, 2, &st.region, &top)
        };
        if st.recommendations.is_empty() {
            put_structure(&mut sheet, row)?;
            sheet.text(row, 5, "aucune recommandation", &styles.italic)?;
            row += 1;
            continue;
        }
        for (k, rec) in st.recommendations.iter().enumerate() {
            put_structure(&mut sheet, row)?;
            sheet.number(row, 3, (k + 1) as f64, &top_integer)?;
            sheet.number(row, 4, f64::from(rec.priority), &top_integer)?;
            let labels = indicator_labels(ctx, &rec.indicators);
            sheet.text(row, 5, &rec.text, &styles.wrap)?;
            sheet.text(row, 6, &labels, &styles.wrap)?;
            need(
                row,
                wrapped_lines(&rec.text, WIDTH_TEXT).max(wrapped_lines(&labels, WIDTH_INDICATORS)),
            );
            sheet.text(
                row,
                7,
                &format!("{}:{}", rec.rule.script, rec.rule.line),
                &top,
            )?;
            if let Some(share) = results
                .structure_stability(s)
                .and_then(|st| st.recommendations.get(k))
            {
                sheet.number(row, 8, *share, &top_share)?;
            }
            row += 1;
        }
    }
    if row > 1 {
        sheet.apply(|ws| ws.autofilter(0, 0, row - 1, last))?;
    }
    let row_count = row - 1;

    // Regional counts and priorities.
    let c = COL_REGIONAL + last - 7;
    let mut headers = vec![
        "Région",
        "Recommandation",
        "Priorité",
        "Structures concernées",
        "Part des structures",
        "Priorité régionale",
    ];
    if stability.is_some() {
        headers.push("Stabilité");
    }
    sheet.header_row(0, c, &headers, styles)?;
    sheet.note(
        0,
        c + 5,
        "« oui » : priorité régionale retenue par le pack : recommandation portée par au moins \
         la part minimale des structures de la région, ou région en retrait sur le référentiel \
         national (voir la feuille Règles) ; avec un script des régions, c'est lui qui décide \
         (la Synthèse cite sa ligne).",
    )?;
    let mut row = 1u32;
    for (g, region) in results.regions.iter().enumerate() {
        // Every count, those that are regional priorities marked; priorities missing from
        // the counts are listed as well.
        let mut regional: Vec<(&crate::analysis::results::RegionalPriority, bool)> = region
            .counts
            .iter()
            .map(|p| {
                let is_priority = region
                    .priorities
                    .iter()
                    .any(|q| q.recommendation == p.recommendation);
                (p, is_priority)
            })
            .collect();
        for p in &region.priorities {
            if !region
                .counts
                .iter()
                .any(|q| q.recommendation == p.recommendation)
            {
                regional.push((p, true));
            }
        }
        for (p, is_priority) in regional {
            sheet.text(row, c, &region.name, &top)?;
            sheet.text(row, c + 1, &p.text, &styles.wrap)?;
            need(row, wrapped_lines(&p.text, WIDTH_TEXT));
            sheet.number(row, c + 2, f64::from(p.priority), &top_integer)?;
            sheet.number(row, c + 3, p.count as f64, &top_integer)?;
            sheet.number(row, c + 4, p.share, &top_percent)?;
            sheet.text(
                row,
                c + 5,
                if is_priority { "oui" } else { "non" },
                if is_priority { &top_bold } else { &top },
            )?;
            let share = stability.and_then(|st| {
                let j = region
                    .priorities
                    .iter()
                    .position(|q| q.recommendation == p.recommendation)?;
                st.priorities.get(g)?.get(j).copied()
            });
            if let Some(share) = share {
                sheet.number(row, c + 6, share, &top_share)?;
            }
            row += 1;
        }
    }
    let mut widths = vec![
        (0, 9.0),
        (1, 24.0),
        (2, 18.0),
        (3, 6.0),
        (4, 8.0),
        (5, WIDTH_TEXT),
        (6, WIDTH_INDICATORS),
        (7, 22.0),
        (last + 1, 3.0),
        (c, 18.0),
        (c + 1, WIDTH_TEXT),
        (c + 2, 9.0),
        (c + 3, 12.0),
        (c + 4, 12.0),
        (c + 5, 11.0),
    ];
    if stability.is_some() {
        widths.extend([(8, 10.0), (c + 6, 10.0)]);
    }
    sheet.widths(&widths)?;
    // Wrapped texts get the height they need, so that none prints over the next row.
    for (&row, &n) in &lines {
        if n > 1 {
            sheet.apply(|ws| ws.set_row_height(row, (15.0 * n as f64).min(409.0)))?;
        }
    }
    sheet.freeze(1, 0)?;
    // The structures' table prints, A4 landscape, one page wide, its header repeated; the
    // regional table beside it is for the screen (the Synthèse prints the regional
    // priorities).
    sheet.print_table(0)?;
    sheet.apply(|ws| ws.set_print_area(0, 0, row_count.max(1), last))?;
    Ok(sheet)
}
