//! The Synthèse sheet: the run stamp (input, pack, boussole version), counts by region
//! (structures, set-aside rows, diagnostics by severity), the regional priorities, then
//! the findings at a glance: per region the shares of strengths, areas for progress and
//! points to watch, per indicator the structures that get each (a chart above each table,
//! each block on its own printed page).

use super::Context;
use crate::analysis::results::FindingKind;
use crate::dataset::{Dataset, RawValue, Severity, column_index};
use crate::error::Result;
use crate::report::xlsx::{Sheet, Styles, french_format, wrapped_lines};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, ColNum, Color, Format,
    FormatAlign, RowNum,
};
use std::collections::BTreeMap;

/// When a file whose structures are all of one region is analysed without a national
/// reference, its « national » frame is the file itself: the warning the terminal and the
/// Synthèse give, suggesting `--reference`.
pub fn lone_region_warning(results: &crate::analysis::results::Results) -> Option<String> {
    if results.reference.is_some() || results.region.is_some() {
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

/// Width of the second column (recommendations, wrapped).
const WIDTH_TEXT: f64 = 48.0;
/// The charts' size: as wide as the printed columns A:F.
const CHART_WIDTH: u32 = 900;
/// The kinds of finding, in the order of the tables' columns, with their chart colours.
const KINDS: [(FindingKind, &str, u32); 3] = [
    (FindingKind::Force, "Forces", 0x70AD47),
    (FindingKind::AxeDeProgres, "Axes de progrès", 0xED7D31),
    (FindingKind::Vigilance, "Points de vigilance", 0xFFC000),
];

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let mut sheet = Sheet::new(&ctx.names.synthese)?;
    // Widths first: wrapped headers take the height their column's width needs.
    sheet.widths(&[
        (0, 32.0),
        (1, WIDTH_TEXT),
        (2, 12.0),
        (3, 12.0),
        // « Recommandations » whole in the sensitivity block's headers.
        (4, 16.0),
        (5, 16.0),
        (6, 13.0),
    ])?;
    let title = ctx.label("titre_synthese", "Synthèse de l'analyse");
    sheet.text(0, 0, &title, &styles.title)?;

    // Run stamp.
    let mut row: RowNum = 2;
    let mut breaks: Vec<RowNum> = Vec::new();
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
    if let Some(region) = &results.region {
        stamp.insert(
            0,
            (
                "Région",
                format!(
                    "{region} : les structures de la région, tirées de l'analyse nationale de « {} » \
                     (référentiels nationaux et des pairs de tout le fichier, seuils régionaux \
                     de la région)",
                    results.input.file
                ),
            ),
        );
    }
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
            "",
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
    let set_aside = count_set_aside(ctx.dataset, ctx.results, &regions);
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
        sheet.number(row, 2, structures as f64, &styles.integer)?;
        sheet.number(row, 3, set_aside[r] as f64, &styles.integer)?;
        for (k, n) in counts[r].iter().enumerate() {
            sheet.number(row, 4 + k as ColNum, *n as f64, &styles.integer)?;
            totals[k] += n;
        }
        row += 1;
    }
    let outside = &counts[regions.len()];
    sheet.text(row, 0, "Hors structure", &styles.italic)?;
    sheet.number(row, 2, 0.0, &styles.integer)?;
    sheet.number(row, 3, set_aside[regions.len()] as f64, &styles.integer)?;
    for (k, n) in outside.iter().enumerate() {
        sheet.number(row, 4 + k as ColNum, *n as f64, &styles.integer)?;
        totals[k] += n;
    }
    sheet.note(
        row,
        0,
        "Lignes écartées (totaux, doublons…) dont la région n'est pas celle d'une structure, et \
         diagnostics qui ne portent pas sur la ligne d'une structure (en-têtes, colonnes, \
         classeur). Le détail des lignes écartées est dans la feuille Diagnostics.",
    )?;
    row += 1;
    sheet.text(row, 0, "Total", &styles.bold)?;
    sheet.number(row, 2, results.structures.len() as f64, &styles.bold)?;
    sheet.number(row, 3, results.set_aside.len() as f64, &styles.bold)?;
    for (k, n) in totals.iter().enumerate() {
        sheet.number(row, 4 + k as ColNum, *n as f64, &styles.bold)?;
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
    // Rows as tall as their wrapped text, every cell at the top beside its first line.
    let top = Format::new().set_align(FormatAlign::Top);
    let top_integer = styles.integer.clone().set_align(FormatAlign::Top);
    let top_percent = styles.percent.clone().set_align(FormatAlign::Top);
    for region in &results.regions {
        for p in &region.priorities {
            sheet.text(row, 0, &region.name, &top)?;
            let text = match &p.national {
                None => p.text.clone(),
                Some(e) => format!(
                    "{}\nRéférentiel national : {} sur {} dans le quart national le moins \
                     favorable{} (hasard seul : 25 % ; p = {}).",
                    p.text,
                    e.below,
                    fr_count_structures(e.of),
                    if e.median_z.is_some() {
                        ", compte tenu du contexte"
                    } else {
                        ""
                    },
                    crate::fr::number(e.p_value, 4)
                ),
            };
            // The line of the pack's regions script that decided, when one did.
            let text = match &p.rule {
                Some(rule) => format!("{text}\nRègle : {}, ligne {}.", rule.script, rule.line),
                None => text,
            };
            sheet.text(row, 1, &text, &styles.wrap)?;
            let lines = wrapped_lines(&text, WIDTH_TEXT);
            if lines > 1 {
                sheet.apply(|ws| ws.set_row_height(row, (15.0 * lines as f64).min(409.0)))?;
            }
            sheet.number(row, 2, f64::from(p.priority), &top_integer)?;
            sheet.number(row, 3, p.count as f64, &top_integer)?;
            sheet.number(row, 4, p.share, &top_percent)?;
            row += 1;
            any = true;
        }
    }
    if !any {
        sheet.text(row, 0, "Aucune priorité régionale.", &styles.italic)?;
        row += 1;
    }
    row += 1;

    // `--stability` with the pack's method variants: what holds under each.
    if let Some(sensitivity) = &results.sensitivity {
        let widths = [32.0, WIDTH_TEXT, 12.0, 12.0, 16.0, 16.0];
        row = super::sensibilite::block(&mut sheet, styles, row, sensitivity, &widths)? + 1;
    }

    // What the findings say, at a glance: per region the share of judged results that are
    // strengths, areas for progress, points to watch (scores are percentile ranks within a
    // frame, so their mean says nothing); per indicator how many structures get each.
    // Each block starts a printed page, its chart at the top so that no page edge cuts it.
    let judged = ctx.judged();
    if !judged.is_empty() && !results.structures.is_empty() {
        breaks.push(row);
        row = findings_by_region(ctx, &mut sheet, styles, row, &regions, &judged)?;
        row += 1;
        breaks.push(row);
        row = findings_by_indicator(ctx, &mut sheet, styles, row, &judged)?;
    }
    if let Some(follow) = ctx.follow_up {
        super::suivi::synthese_block(ctx, &mut sheet, row + 1, styles, follow)?;
    }

    sheet.apply(|ws| ws.set_page_breaks(&breaks))?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    sheet.ws.set_margins(0.5, 0.5, 0.5, 0.5, 0.3, 0.3);
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

/// Set-aside rows by region (the last entry: rows whose region cell names no region of
/// the results, or that have none): the region is read from the row's cell of the region
/// column in the data copy.
fn count_set_aside(
    dataset: &Dataset,
    results: &crate::analysis::results::Results,
    regions: &[String],
) -> Vec<usize> {
    let mut counts = vec![0usize; regions.len() + 1];
    for row in &results.set_aside {
        let region = region_of_row(dataset, &row.sheet, row.row)
            .and_then(|name| regions.iter().position(|r| r.trim() == name.trim()));
        counts[region.unwrap_or(regions.len())] += 1;
    }
    counts
}

/// The text of the region column's cell on a row (1-based) of an input sheet.
fn region_of_row<'a>(dataset: &'a Dataset, sheet: &str, row: u32) -> Option<&'a str> {
    let letter = &dataset
        .columns
        .iter()
        .find(|c| c.column == "region" && c.sheet == sheet)?
        .letter;
    let col = column_index(letter)?;
    let copy = dataset.copies.iter().find(|c| c.name == sheet)?;
    let cell = copy
        .cells
        .iter()
        .find(|c| c.row + 1 == row && c.col == col)?;
    match &cell.value {
        RawValue::Text(t) => Some(t.as_str()),
        _ => None,
    }
}

/// Counts of findings over judged results with a score: [results, forces, areas for
/// progress, points to watch].
fn tally<'a>(
    structures: impl Iterator<Item = &'a crate::analysis::results::StructureResult>,
    judged: &[usize],
) -> [usize; 4] {
    let mut t = [0usize; 4];
    for s in structures {
        for &i in judged {
            let Some(ir) = s.indicators.get(i).filter(|r| r.score.is_some()) else {
                continue;
            };
            t[0] += 1;
            if let Some(f) = &ir.finding {
                let k = KINDS.iter().position(|(kind, _, _)| *kind == f.kind);
                if let Some(k) = k {
                    t[1 + k] += 1;
                }
            }
        }
    }
    t
}

/// A stacked bar chart of the three kinds of finding, one bar per category (first to last
/// data row, top to bottom).
fn findings_chart(
    sheet: &Sheet,
    title: &str,
    rows: (RowNum, RowNum),
    first_col: ColNum,
    percent: bool,
) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    for (k, (_, name, color)) in KINDS.iter().enumerate() {
        let col = first_col + k as ColNum;
        chart
            .add_series()
            .set_name(*name)
            .set_categories((sheet.name.as_str(), rows.0, 0, rows.1, 0))
            .set_values((sheet.name.as_str(), rows.0, col, rows.1, col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(*color))),
            )
            .set_gap(60);
    }
    chart.title().set_name(title);
    // In a bar chart the y axis holds the categories (shown vertically, reversed: the
    // first at the top) and the x axis the values.
    chart.y_axis().set_reverse();
    chart.x_axis().set_min(0);
    if percent {
        chart
            .x_axis()
            .set_num_format(french_format("0%"))
            .set_max(1);
    }
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
}

/// Rows a chart of `n` bars takes (20 pixels each), and its height in pixels.
fn chart_rows(n: usize) -> (RowNum, u32) {
    let height = (120 + 32 * n as u32).clamp(200, 600);
    (height.div_ceil(20) + 1, height)
}

/// One block of findings counts: a subtitle, a stacked bar chart above its table, one row
/// per category with its count of judged results and each kind of finding, as a share of
/// that count (`shares`) or as a number; an optional reading note below.
struct FindingsBlock<'a> {
    title: &'a str,
    category: &'a str,
    counted: &'a str,
    chart_title: &'a str,
    shares: bool,
    note: Option<&'a str>,
}

impl FindingsBlock<'_> {
    /// Writes the block from `row` with `tallies` (a category and its [`tally`]); returns
    /// the row after it.
    fn write(
        &self,
        sheet: &mut Sheet,
        styles: &mut Styles,
        mut row: RowNum,
        tallies: &[(String, [usize; 4])],
    ) -> Result<RowNum> {
        sheet.text(row, 0, self.title, &styles.subtitle)?;
        row += 1;
        let (rows, height) = chart_rows(tallies.len());
        let chart_row = row;
        row += rows;
        sheet.header_row(
            row,
            0,
            &[
                self.category,
                "",
                self.counted,
                "Forces",
                "Axes de progrès",
                "Points de vigilance",
            ],
            styles,
        )?;
        row += 1;
        let first = row;
        let percent = styles.percent.clone();
        for (name, t) in tallies {
            sheet.plain(row, 0, name)?;
            sheet.number(row, 2, t[0] as f64, &styles.integer)?;
            for k in 0..3 {
                let col = 3 + k as ColNum;
                if !self.shares {
                    sheet.number(row, col, t[1 + k] as f64, &styles.integer)?;
                } else if t[0] > 0 {
                    sheet.number(row, col, t[1 + k] as f64 / t[0] as f64, &percent)?;
                }
            }
            row += 1;
        }
        let mut chart = findings_chart(sheet, self.chart_title, (first, row - 1), 3, self.shares);
        chart.set_width(CHART_WIDTH).set_height(height);
        sheet.chart(chart_row, 0, &chart)?;
        if let Some(note) = self.note {
            sheet.text(row, 0, note, &styles.italic)?;
            row += 1;
        }
        Ok(row)
    }
}

/// Per region: judged results, and the share of each kind of finding; a chart above.
fn findings_by_region(
    ctx: &Context,
    sheet: &mut Sheet,
    styles: &mut Styles,
    row: RowNum,
    regions: &[String],
    judged: &[usize],
) -> Result<RowNum> {
    let tallies: Vec<(String, [usize; 4])> = regions
        .iter()
        .map(|name| {
            let of_region = ctx.results.structures.iter().filter(|s| &s.region == name);
            (name.clone(), tally(of_region, judged))
        })
        .collect();
    FindingsBlock {
        title: "Constats par région : part des résultats jugés",
        category: "Région",
        counted: "Résultats jugés",
        chart_title: "Part des forces, axes de progrès et points de vigilance par région",
        shares: true,
        note: Some(
            "Part des couples structure × indicateur jugé, ayant un score, qui portent ce \
             constat ; le reste n'en porte aucun.",
        ),
    }
    .write(sheet, styles, row, &tallies)
}

/// Per judged indicator: structures with a score, and how many get each kind of finding.
fn findings_by_indicator(
    ctx: &Context,
    sheet: &mut Sheet,
    styles: &mut Styles,
    row: RowNum,
    judged: &[usize],
) -> Result<RowNum> {
    let tallies: Vec<(String, [usize; 4])> = judged
        .iter()
        .map(|&i| {
            let t = tally(ctx.results.structures.iter(), &[i]);
            (ctx.results.indicators[i].label.clone(), t)
        })
        .collect();
    FindingsBlock {
        title: "Constats par indicateur : nombre de structures",
        category: "Indicateur",
        counted: "Structures ayant un score",
        chart_title: "Structures ayant une force, un axe de progrès ou un point de vigilance, par indicateur",
        shares: false,
        note: None,
    }
    .write(sheet, styles, row, &tallies)
}

/// « 25 structures », « 1 structure ».
fn fr_count_structures(n: usize) -> String {
    crate::fr::count(n, "structure", "structures")
}
