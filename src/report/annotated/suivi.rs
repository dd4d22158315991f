//! The « Suivi des objectifs » sheet (`run --objectives`): last year's objectives against
//! this year's values, per structure and indicator, with a traffic light; and the counts
//! of objectives met per region and per structure shown in the Synthèse.

use super::Context;
use crate::collect::FollowUp;
use crate::error::Result;
use crate::pack::manifest::Unit;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::{ColNum, Color, Format, RowNum};

const HEADERS: [&str; 9] = [
    "Code",
    "Nom",
    "Région",
    "Indicateur",
    "Objectif",
    "Origine de l'objectif",
    "Valeur atteinte",
    "Écart à l'objectif",
    "Résultat",
];

fn light(color: u32) -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(color))
}

/// The sheet, placed after Objectifs.
pub(crate) fn write(ctx: &Context, styles: &mut Styles, follow: &FollowUp) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.suivi)?;
    sheet.text(0, 0, "Suivi des objectifs de l'an dernier", &styles.title)?;
    sheet.text(1, 0, "Objectifs repris de", &styles.bold)?;
    sheet.plain(1, 1, &follow.source)?;
    let (met, measured) = follow.met_count(|_| true);
    sheet.text(2, 0, "Objectifs atteints", &styles.bold)?;
    sheet.plain(
        2,
        1,
        &format!(
            "{met} sur {measured} mesurés ({} objectifs suivis{})",
            follow.entries.len(),
            if follow.unmatched > 0 {
                format!(
                    ", {} sans structure ou indicateur correspondant cette année",
                    follow.unmatched
                )
            } else {
                String::new()
            }
        ),
    )?;
    let header_row: RowNum = 4;
    sheet.header_row(header_row, 0, &HEADERS, styles)?;
    sheet.note(
        header_row,
        8,
        "Atteint : la valeur de l'année est au moins aussi bonne que l'objectif (plus haute, \
         ou plus basse pour un indicateur où une valeur basse est meilleure), au hasard des \
         effectifs près (la bande d'atteinte du pack, en écarts-types d'échantillonnage du \
         taux), l'objectif étant d'abord déplacé de ce que le changement de contexte depuis \
         l'an dernier déplace la valeur attendue (une note le dit sur l'objectif). Non \
         mesuré : valeur absente cette année. L'objectif est le négocié, à défaut le proposé.",
    )?;
    let green = light(0xC6EFCE);
    let red = light(0xFFC7CE);
    let grey = light(0xE7E6E6);
    let mut row = header_row + 1;
    for e in &follow.entries {
        let s = &results.structures[e.structure];
        let def = &results.indicators[e.indicator];
        let fmt = styles.number(&def.format);
        sheet.plain(row, 0, s.id.as_str())?;
        sheet.plain(row, 1, &s.name)?;
        sheet.plain(row, 2, &s.region)?;
        sheet.plain(row, 3, &def.label)?;
        sheet.number(row, 4, e.objective, &fmt)?;
        if (e.adjusted - e.objective).abs() > 1e-12 {
            sheet.note(
                row,
                4,
                &format!(
                    "Ajusté au contexte de cette année : {} (le contexte déplace la valeur \
                     attendue de {}). Bande d'atteinte : {}.",
                    crate::pack::engine::format_fr(e.adjusted, def.shown_unit()),
                    crate::pack::engine::format_fr(e.adjusted - e.objective, def.shown_unit()),
                    crate::pack::engine::format_fr(e.tolerance, def.shown_unit())
                ),
            )?;
        }
        sheet.plain(
            row,
            5,
            if e.negotiated {
                "négocié"
            } else {
                "proposé"
            },
        )?;
        sheet.opt_number(row, 6, e.achieved, &fmt)?;
        let gap = e.achieved.map(|a| a - e.objective);
        let gap_format = if def.shown_unit() == Unit::Fraction {
            // In points.
            styles.number(crate::report::xlsx::POINTS_FORMAT)
        } else {
            styles.number(&signed(&def.format))
        };
        let shown_gap = gap.map(|g| {
            if def.shown_unit() == Unit::Fraction {
                g * 100.0
            } else {
                g
            }
        });
        sheet.opt_number(row, 7, shown_gap, &gap_format)?;
        let (text, format) = match e.met {
            Some(true) => ("Atteint", &green),
            Some(false) => ("Non atteint", &red),
            None => ("Non mesuré", &grey),
        };
        sheet.text(row, 8, text, format)?;
        row += 1;
    }
    if follow.entries.is_empty() {
        sheet.text(
            row,
            0,
            "Aucun objectif ne correspond aux structures de ce classeur.",
            &styles.italic,
        )?;
    }
    sheet.widths(&[
        (0, 9.0),
        (1, 30.0),
        (2, 20.0),
        (3, 36.0),
        (4, 11.0),
        (5, 12.0),
        (6, 11.0),
        (7, 12.0),
        (8, 13.0),
    ])?;
    sheet.freeze(header_row + 1, 0)?;
    Ok(sheet)
}

/// `+fmt;-fmt;fmt` for a plain number format, so a change shows its sign.
pub(crate) fn signed(format: &str) -> String {
    let f = if format.trim().is_empty() {
        "0.##"
    } else {
        format
    };
    if f.contains(';') {
        f.to_string()
    } else {
        format!("+{f};-{f};{f}")
    }
}

/// The Synthèse's block: objectives met per region and per structure. Returns the next
/// free row.
pub(crate) fn synthese_block(
    ctx: &Context,
    sheet: &mut Sheet,
    mut row: RowNum,
    styles: &mut Styles,
    follow: &FollowUp,
) -> Result<RowNum> {
    let results = ctx.results;
    sheet.text(
        row,
        0,
        "Objectifs de l'an dernier atteints",
        &styles.subtitle,
    )?;
    row += 1;
    sheet.header_row(
        row,
        0,
        &[
            "Région",
            "Structures suivies",
            "Objectifs mesurés",
            "Objectifs atteints",
            "Part atteinte",
        ],
        styles,
    )?;
    row += 1;
    let mut regions: Vec<&str> = Vec::new();
    for e in &follow.entries {
        let r = results.structures[e.structure].region.as_str();
        if !regions.contains(&r) {
            regions.push(r);
        }
    }
    let mut lines: Vec<(String, usize, usize, usize, bool)> = Vec::new();
    for r in &regions {
        let (met, measured) = follow.met_count(|s| results.structures[s].region == *r);
        let mut followed: Vec<usize> = follow
            .entries
            .iter()
            .map(|e| e.structure)
            .filter(|&s| results.structures[s].region == *r)
            .collect();
        followed.dedup();
        lines.push((r.to_string(), followed.len(), measured, met, false));
    }
    let (met, measured) = follow.met_count(|_| true);
    let mut all: Vec<usize> = follow.entries.iter().map(|e| e.structure).collect();
    all.dedup();
    lines.push(("Total".into(), all.len(), measured, met, true));
    for (name, structures, measured, met, total) in lines {
        let text = if total { &styles.bold } else { &styles.text };
        sheet.text(row, 0, &name, text)?;
        sheet.number(row, 1, structures as f64, &styles.integer)?;
        sheet.number(row, 2, measured as f64, &styles.integer)?;
        sheet.number(row, 3, met as f64, &styles.integer)?;
        if measured > 0 {
            sheet.number(row, 4, met as f64 / measured as f64, &styles.percent)?;
        }
        row += 1;
    }
    row += 1;
    sheet.text(row, 0, "Objectifs atteints par structure", &styles.subtitle)?;
    row += 1;
    sheet.header_row(
        row,
        0,
        &[
            "Structure",
            "Région",
            "Objectifs mesurés",
            "Objectifs atteints",
        ],
        styles,
    )?;
    row += 1;
    for s in all {
        let st = &results.structures[s];
        let (met, measured) = follow.met_count(|x| x == s);
        sheet.plain(row, 0, &Context::display(st))?;
        sheet.plain(row, 1, &st.region)?;
        sheet.number(row, 2, measured as f64, &styles.integer)?;
        sheet.number(row, 3 as ColNum, met as f64, &styles.integer)?;
        row += 1;
    }
    Ok(row + 1)
}
