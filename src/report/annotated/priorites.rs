//! The Priorités sheet: each structure's recommendations ranked by priority (with the rule
//! that made them), and beside them every recommendation's count and share per region,
//! marking the regional priorities.

use super::{Context, indicator_labels};
use crate::error::Result;
use crate::report::xlsx::EXCEL_LAST_ROW;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::ColNum;

/// First column of the regional table (beside the structures' table).
const COL_REGIONAL: ColNum = 9;

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.priorites)?;
    sheet.header_row(
        0,
        0,
        &[
            "Code",
            "Nom",
            "Région",
            "Rang",
            "Priorité",
            "Recommandation",
            "Indicateurs",
            "Règle",
        ],
        styles,
    )?;
    let mut row = 1u32;
    for st in &results.structures {
        if row as usize + st.recommendations.len().max(1) > EXCEL_LAST_ROW {
            sheet.note(0, 0, "Liste tronquée à la dernière ligne d'Excel : la sortie JSON (--json) donne toutes les recommandations.")?;
            break;
        }
        let put_structure = |sheet: &mut Sheet, row: u32| -> Result<()> {
            sheet.plain(row, 0, st.id.as_str())?;
            sheet.plain(row, 1, &st.name)?;
            sheet.plain(row, 2, &st.region)
        };
        if st.recommendations.is_empty() {
            put_structure(&mut sheet, row)?;
            sheet.text(row, 5, "aucune recommandation", &styles.italic)?;
            row += 1;
            continue;
        }
        for (k, rec) in st.recommendations.iter().enumerate() {
            put_structure(&mut sheet, row)?;
            sheet.number(row, 3, (k + 1) as f64, &styles.integer)?;
            sheet.number(row, 4, f64::from(rec.priority), &styles.integer)?;
            sheet.text(row, 5, &rec.text, &styles.wrap)?;
            sheet.text(
                row,
                6,
                &indicator_labels(ctx, &rec.indicators),
                &styles.wrap,
            )?;
            sheet.plain(row, 7, &format!("{}:{}", rec.rule.script, rec.rule.line))?;
            row += 1;
        }
    }
    if row > 1 {
        sheet.apply(|ws| ws.autofilter(0, 0, row - 1, 7))?;
    }

    // Regional counts and priorities.
    let c = COL_REGIONAL;
    sheet.header_row(
        0,
        c,
        &[
            "Région",
            "Recommandation",
            "Priorité",
            "Structures concernées",
            "Part des structures",
            "Priorité régionale",
        ],
        styles,
    )?;
    sheet.note(
        0,
        c + 5,
        "« oui » : recommandation portée par au moins la part minimale des structures de la \
         région fixée par le pack (voir la feuille Règles).",
    )?;
    let mut row = 1u32;
    for region in &results.regions {
        // Every count, those that are regional priorities marked; priorities missing from
        // the counts are listed as well.
        let mut lines: Vec<(&crate::analysis::results::RegionalPriority, bool)> = region
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
                lines.push((p, true));
            }
        }
        for (p, is_priority) in lines {
            sheet.plain(row, c, &region.name)?;
            sheet.text(row, c + 1, &p.text, &styles.wrap)?;
            sheet.number(row, c + 2, f64::from(p.priority), &styles.integer)?;
            sheet.number(row, c + 3, p.count as f64, &styles.integer)?;
            sheet.number(row, c + 4, p.share, &styles.percent)?;
            sheet.text(
                row,
                c + 5,
                if is_priority { "oui" } else { "non" },
                if is_priority {
                    &styles.bold
                } else {
                    &styles.text
                },
            )?;
            row += 1;
        }
    }
    sheet.widths(&[
        (0, 9.0),
        (1, 28.0),
        (2, 18.0),
        (3, 6.0),
        (4, 8.0),
        (5, 60.0),
        (6, 30.0),
        (7, 24.0),
        (8, 3.0),
        (c, 18.0),
        (c + 1, 60.0),
        (c + 2, 9.0),
        (c + 3, 12.0),
        (c + 4, 12.0),
        (c + 5, 11.0),
    ])?;
    sheet.freeze(1, 0)?;
    sheet.print_table(0)?;
    Ok(sheet)
}
