//! The Synthèse sheet: the run stamp (input, pack, boussole version), counts by region
//! (structures, set-aside rows, diagnostics by severity), the regional priorities, and the
//! main chart (mean axis scores by region) with its data table.

use super::Context;
use crate::dataset::Severity;
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, ColNum, RowNum};
use std::collections::BTreeMap;

/// When a file whose structures are all of one region is analysed without a national
/// reference, its « national » frame is the file itself: the warning the terminal and the
/// Synthèse give, suggesting `--reference`.
pub fn lone_region_warning(results: &crate::analysis::results::Results) -> Option<String> {
    if results.reference.is_some() {
        return None;
    }
    let mut regions = results.structures.iter().map(|s| s.region.as_str());
    let first = regions.next()?;
    if !regions.all(|r| r == first) {
        return None;
    }
    Some(format!(
        "toutes les structures sont de la région « {first} » et aucun classeur national de \
         référence n'est donné : le référentiel national est ce fichier lui-même (« 100 = \
         médiane nationale » y désigne la médiane de la région) ; relancez avec --reference \
         <classeur national> pour situer ces structures dans le réseau national"
    ))
}

/// The column the chart is placed at (right of the tables).
const COL_CHART: ColNum = 8;

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.synthese)?;
    let title = ctx.label("titre_synthese", "Synthèse de l'analyse");
    sheet.text(0, 0, &title, &styles.title)?;

    // Run stamp.
    let mut row: RowNum = 2;
    sheet.text(row, 0, "Analyse", &styles.subtitle)?;
    row += 1;
    let reference = results
        .reference
        .as_ref()
        .map(|r| format!("{} (SHA-256 {})", r.file, r.sha256))
        .unwrap_or_else(|| "aucun".to_string());
    let stamp = [
        ("Fichier analysé", results.input.file.clone()),
        ("SHA-256 du fichier", results.input.sha256.clone()),
        ("Pack de règles", results.pack.name.clone()),
        ("Version du pack", results.pack.version.clone()),
        ("Empreinte du pack (SHA-256)", results.pack.hash.clone()),
        ("Version de boussole", crate::VERSION.to_string()),
        ("Classeur national de référence", reference),
        (
            "Année",
            results
                .year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "non précisée".to_string()),
        ),
        ("Structures analysées", results.structures.len().to_string()),
    ];
    let mut stamp = stamp.to_vec();
    if let Some(warning) = lone_region_warning(results) {
        stamp.insert(
            7,
            ("Référentiel national", format!("Attention : {warning}")),
        );
    }
    if ctx.detailed < results.structures.len() {
        stamp.push((
            "Structures détaillées (Indicateurs, Fiche)",
            format!(
                "les {} premières : la sortie JSON (--json) les détaille toutes",
                ctx.detailed
            ),
        ));
    }
    for (k, v) in &stamp {
        sheet.text(row, 0, k, &styles.bold)?;
        sheet.plain(row, 1, v)?;
        row += 1;
    }
    row += 1;

    // Counts by region.
    sheet.text(row, 0, "Effectifs par région", &styles.subtitle)?;
    row += 1;
    sheet.header_row(
        row,
        0,
        &[
            "Région",
            "Structures",
            "Lignes écartées",
            "Erreurs",
            "Avertissements",
            "Informations",
        ],
        styles,
    )?;
    row += 1;
    let regions = region_names(ctx);
    let counts = count_diagnostics(ctx, &regions);
    let mut totals = [0usize; 3];
    for (r, name) in regions.iter().enumerate() {
        let structures = results
            .regions
            .iter()
            .find(|x| &x.name == name)
            .map(|x| x.structures)
            .unwrap_or_else(|| {
                results
                    .structures
                    .iter()
                    .filter(|s| &s.region == name)
                    .count()
            });
        sheet.plain(row, 0, name)?;
        sheet.number(row, 1, structures as f64, &styles.integer)?;
        for (k, n) in counts[r].iter().enumerate() {
            sheet.number(row, 3 + k as ColNum, *n as f64, &styles.integer)?;
            totals[k] += n;
        }
        row += 1;
    }
    let outside = &counts[regions.len()];
    sheet.text(row, 0, "Hors structure", &styles.italic)?;
    sheet.number(row, 1, 0.0, &styles.integer)?;
    sheet.number(row, 2, results.set_aside.len() as f64, &styles.integer)?;
    for (k, n) in outside.iter().enumerate() {
        sheet.number(row, 3 + k as ColNum, *n as f64, &styles.integer)?;
        totals[k] += n;
    }
    sheet.note(
        row,
        0,
        "Lignes écartées (totaux, doublons…) et diagnostics qui ne portent pas sur la ligne \
         d'une structure (en-têtes, colonnes, classeur).",
    )?;
    row += 1;
    sheet.text(row, 0, "Total", &styles.bold)?;
    sheet.number(row, 1, results.structures.len() as f64, &styles.bold)?;
    sheet.number(row, 2, results.set_aside.len() as f64, &styles.bold)?;
    for (k, n) in totals.iter().enumerate() {
        sheet.number(row, 3 + k as ColNum, *n as f64, &styles.bold)?;
    }
    row += 2;

    // Regional priorities.
    sheet.text(row, 0, "Priorités régionales", &styles.subtitle)?;
    row += 1;
    sheet.header_row(
        row,
        0,
        &[
            "Région",
            "Recommandation",
            "Priorité",
            "Structures concernées",
            "Part des structures",
        ],
        styles,
    )?;
    row += 1;
    let mut any = false;
    for region in &results.regions {
        for p in &region.priorities {
            sheet.plain(row, 0, &region.name)?;
            sheet.text(row, 1, &p.text, &styles.wrap)?;
            sheet.number(row, 2, f64::from(p.priority), &styles.integer)?;
            sheet.number(row, 3, p.count as f64, &styles.integer)?;
            sheet.number(row, 4, p.share, &styles.percent)?;
            row += 1;
            any = true;
        }
    }
    if !any {
        sheet.text(row, 0, "Aucune priorité régionale.", &styles.italic)?;
        row += 1;
    }
    row += 1;

    // Mean axis scores by region: the chart's data.
    sheet.text(
        row,
        0,
        "Score moyen par axe et par région (0 à 100)",
        &styles.subtitle,
    )?;
    row += 1;
    let mut headers = vec!["Région".to_string()];
    headers.extend(results.axes.iter().map(|a| a.label.clone()));
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let header_row = row;
    sheet.header_row(row, 0, &refs, styles)?;
    row += 1;
    let first_data = row;
    for name in &regions {
        sheet.plain(row, 0, name)?;
        for (a, axis) in results.axes.iter().enumerate() {
            let scores: Vec<f64> = results
                .structures
                .iter()
                .filter(|s| &s.region == name)
                .filter_map(|s| s.axes.iter().find(|r| r.axis == axis.id))
                .filter_map(|r| r.score)
                .filter(|x| x.is_finite())
                .collect();
            if !scores.is_empty() {
                let mean = scores.iter().sum::<f64>() / scores.len() as f64;
                sheet.number(row, 1 + a as ColNum, mean, &styles.score)?;
            }
        }
        row += 1;
    }
    if !regions.is_empty() && !results.axes.is_empty() && !results.structures.is_empty() {
        let last_data = row - 1;
        let mut chart = Chart::new(ChartType::Column);
        for a in 0..results.axes.len() {
            let col = 1 + a as ColNum;
            chart
                .add_series()
                .set_name((sheet.name.as_str(), header_row, col))
                .set_categories((sheet.name.as_str(), first_data, 0, last_data, 0))
                .set_values((sheet.name.as_str(), first_data, col, last_data, col));
        }
        chart.title().set_name("Score moyen par axe et par région");
        chart
            .y_axis()
            .set_min(0)
            .set_max(100)
            .set_name("Score (0-100)");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(720).set_height(400);
        sheet.chart(2, COL_CHART, &chart)?;
    }
    if let Some(follow) = ctx.follow_up {
        super::suivi::synthese_block(ctx, &mut sheet, row + 1, styles, follow)?;
    }

    sheet.widths(&[
        (0, 32.0),
        (1, 40.0),
        (2, 12.0),
        (3, 12.0),
        (4, 14.0),
        (5, 13.0),
    ])?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    sheet.ws.set_active(true);
    Ok(sheet)
}

/// Regions in the results' order, then any region only structures name.
fn region_names(ctx: &Context) -> Vec<String> {
    let mut names: Vec<String> = ctx.results.regions.iter().map(|r| r.name.clone()).collect();
    for s in &ctx.results.structures {
        if !names.contains(&s.region) {
            names.push(s.region.clone());
        }
    }
    names
}

/// Diagnostics by region (errors, warnings, information), attributed through the input row
/// they point at; the last entry holds those not on a structure's row.
fn count_diagnostics(ctx: &Context, regions: &[String]) -> Vec<[usize; 3]> {
    let mut row_region: BTreeMap<(&str, u32), usize> = BTreeMap::new();
    for s in &ctx.dataset.structures {
        let Some(r) = regions.iter().position(|x| x == &s.region) else {
            continue;
        };
        for cell in &s.id_cells {
            row_region.insert((&*cell.sheet, cell.row), r);
        }
    }
    let mut counts = vec![[0usize; 3]; regions.len() + 1];
    for d in &ctx.results.diagnostics {
        let region = match (&d.sheet, &d.cell) {
            (Some(sheet), Some(cell)) => crate::report::xlsx::a1_row(cell)
                .and_then(|row| row_region.get(&(sheet.as_str(), row)).copied()),
            _ => None,
        };
        let k = match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        counts[region.unwrap_or(regions.len())][k] += 1;
    }
    counts
}
