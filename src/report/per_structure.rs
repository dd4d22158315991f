//! Per-structure workbooks (`run --per-structure`): one small workbook per structure, to
//! mail before the dialogue and receive back filled. Each holds the structure's Fiche (its
//! values, no formulas: it stands alone) and its Objectifs sheet, written by the same
//! writer as the annotated workbook's, with the same run stamp, so `boussole collect` reads
//! both kinds alike.

use crate::analysis::results::{FindingKind, Results, StructureResult};
use crate::error::Result;
use crate::pack::Pack;
use crate::pack::manifest::FrameKind;
use crate::report::annotated::objectifs;
use crate::report::atomic::{Staging, stage};
use crate::report::xlsx::{Sheet, Styles, new_workbook, save};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Most characters of a file name's slug.
const MAX_SLUG: usize = 60;

/// An ASCII-safe slug: accents dropped, lower case, words joined by `-`.
///
/// ```
/// use boussole::report::per_structure::slug;
/// assert_eq!(slug("Mission locale de Bourg-en-Bresse"), "mission-locale-de-bourg-en-bresse");
/// assert_eq!(slug("ML d'Aix & Pays d'Arles"), "ml-d-aix-pays-d-arles");
/// ```
pub fn slug(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.chars().take(MAX_SLUG).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The structure's file name: `<code>-<name slug>.xlsx` (`<code>.xlsx` without a name),
/// made valid on Windows (`CON.xlsx` becomes `CON_.xlsx`).
pub fn file_name(s: &StructureResult) -> String {
    let (stem, suffix) = stem_of(s);
    crate::report::file_names::portable(&format!("{stem}{suffix}"))
}

/// The name's stem and extension, before de-duplication.
fn stem_of(s: &StructureResult) -> (String, &'static str) {
    let code = slug(s.id.as_str()).to_uppercase();
    let code = if code.is_empty() {
        "structure".to_string()
    } else {
        code
    };
    let name = slug(&s.name);
    if name.is_empty() {
        (code, ".xlsx")
    } else {
        (format!("{code}-{name}"), ".xlsx")
    }
}

/// Every structure's file name, in the results' order: valid on Windows and unique once
/// folded to lower case (`A-b.xlsx` and `A-B.xlsx` are one file on NTFS and APFS), the
/// later ones of a name getting `-2`, `-3`... in linear time.
pub fn file_names(results: &Results) -> Vec<String> {
    let mut names = crate::report::file_names::Unique::new();
    results
        .structures
        .iter()
        .map(|s| {
            let (stem, suffix) = stem_of(s);
            names.name(&stem, suffix)
        })
        .collect()
}

/// The folder for a run's per-structure workbooks: `<input stem>-structures/` next to the
/// annotated workbook.
pub fn default_dir(input: &Path, output: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "classeur".into());
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(crate::report::file_names::portable(&format!(
        "{stem}-structures"
    )))
}

/// Stages one workbook per structure into `dir` (made if needed, and removed again if the
/// staging is dropped): they are moved in with the staging's other outputs. An existing
/// file is replaced only with `force`. Returns their paths.
pub fn stage_all(
    results: &Results,
    pack: &Pack,
    dir: &Path,
    force: bool,
    staging: &mut Staging,
) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = file_names(results).iter().map(|n| dir.join(n)).collect();
    for path in &paths {
        crate::report::atomic::refuse_existing(path, force)?;
    }
    staging.folder(dir)?;
    let staged = results
        .structures
        .par_iter()
        .zip(paths.par_iter())
        .map(|(s, path)| {
            let bytes = structure_workbook(results, pack, s)?;
            stage(path, &bytes, force)
        })
        .collect::<Result<Vec<_>>>()?;
    staging.extend(staged);
    Ok(paths)
}

/// Writes one workbook per structure into `dir` (created if needed); returns their paths.
/// All are written, or none.
pub fn write_all(results: &Results, pack: &Pack, dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    let mut staging = Staging::new();
    let paths = stage_all(results, pack, dir, force, &mut staging)?;
    staging.commit()?;
    Ok(paths)
}

/// One structure's workbook: its Fiche (values) and its Objectifs sheet.
pub fn structure_workbook(results: &Results, pack: &Pack, s: &StructureResult) -> Result<Vec<u8>> {
    let mut styles = Styles::new();
    let mut workbook = new_workbook(
        &format!("boussole — {} {}", s.id.as_str(), s.name),
        "",
        results.input.modified_unix,
    );
    let mut taken = Vec::new();
    let fiche_name =
        crate::report::annotated::sheet_name(&pack.manifest.label("fiche", "Fiche"), &mut taken);
    let objectifs_name = crate::report::annotated::sheet_name(
        &pack.manifest.label("objectifs", "Objectifs"),
        &mut taken,
    );
    let mut fiche = fiche_sheet(results, s, &fiche_name, &mut styles)?;
    fiche.ws.set_active(true);
    workbook.push_worksheet(fiche.ws);
    workbook.push_worksheet(
        objectifs::write_for(
            results,
            &[s],
            Sheet::new(&objectifs_name)?,
            &mut styles,
            true,
        )?
        .ws,
    );
    save(&mut workbook, &format!("classeur de {}", s.id.as_str()))
}

fn fiche_sheet(
    results: &Results,
    s: &StructureResult,
    name: &str,
    styles: &mut Styles,
) -> Result<Sheet> {
    let mut sheet = Sheet::new(name)?;
    // Widths first: the wrapped header takes the height its columns' widths need.
    sheet.widths(&[
        (0, 36.0),
        (1, 12.0),
        (2, 12.0),
        (3, 12.0),
        (4, 12.0),
        (5, 12.0),
        (6, 12.0),
        (7, 14.0),
        (8, 16.0),
    ])?;
    sheet.text(
        0,
        0,
        &format!("Fiche structure — {} {}", s.id.as_str(), s.name),
        &styles.title,
    )?;
    let info = [
        ("Région", s.region.clone()),
        (
            "Année",
            s.year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "non précisée".into()),
        ),
        ("Fichier analysé", results.input.file.clone()),
    ];
    for (k, (l, v)) in info.iter().enumerate() {
        sheet.text(1 + k as u32, 0, l, &styles.bold)?;
        sheet.plain(1 + k as u32, 1, v)?;
    }
    let header_row = 5;
    sheet.header_row(
        header_row,
        0,
        &[
            "Indicateur",
            "Valeur",
            "Année précédente",
            "Évolution",
            "Médiane régionale",
            "Médiane des pairs",
            "Valeur attendue",
            "Position dans la région (rang centile)",
            "Constat",
        ],
        styles,
    )?;
    let mut row = header_row + 1;
    for (i, def) in results.indicators.iter().enumerate() {
        if def.context {
            continue;
        }
        let ir = s.indicators.get(i);
        let fmt = styles.number(&def.format);
        let change_fmt = styles.number(&crate::report::annotated::change_format(def));
        let median = |f: FrameKind| {
            ir.and_then(|r| r.frames.get(&f))
                .and_then(|x| x.summary.as_ref())
                .map(|x| x.median)
        };
        sheet.plain(row, 0, &def.label)?;
        sheet.opt_number(row, 1, ir.and_then(|r| r.value), &fmt)?;
        sheet.opt_number(row, 2, ir.and_then(|r| r.previous), &fmt)?;
        sheet.opt_number(
            row,
            3,
            crate::report::annotated::change(def, ir),
            &change_fmt,
        )?;
        sheet.opt_number(row, 4, median(FrameKind::Region), &fmt)?;
        sheet.opt_number(row, 5, median(FrameKind::Peers), &fmt)?;
        sheet.opt_number(
            row,
            6,
            ir.and_then(|r| r.expected.as_ref()).map(|e| e.value),
            &fmt,
        )?;
        sheet.opt_number(
            row,
            7,
            ir.and_then(|r| r.frames.get(&FrameKind::Region))
                .and_then(|f| f.rank()),
            &styles.score,
        )?;
        if let Some(f) = ir.and_then(|r| r.finding.as_ref()) {
            sheet.plain(row, 8, f.kind.label_fr())?;
        }
        row += 1;
    }
    row += 1;
    let findings = |kind: FindingKind| {
        s.indicators
            .iter()
            .zip(&results.indicators)
            .filter_map(|(ir, def)| {
                let f = ir.finding.as_ref().filter(|f| f.kind == kind)?;
                Some(if f.reason.is_empty() {
                    format!("• {}", def.label)
                } else {
                    format!("• {} : {}", def.label, f.reason)
                })
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let recommendations = s
        .recommendations
        .iter()
        .enumerate()
        .map(|(k, r)| format!("{}. {} (priorité {})", k + 1, r.text, r.priority))
        .collect::<Vec<_>>()
        .join("\n");
    for (title, text) in [
        ("Forces", findings(FindingKind::Force)),
        ("Axes de progrès", findings(FindingKind::AxeDeProgres)),
        ("Points de vigilance", findings(FindingKind::Vigilance)),
        ("Recommandations", recommendations),
    ] {
        // The label stands at the top of its row, beside the first line of its text.
        let label = rust_xlsxwriter::Format::new()
            .set_bold()
            .set_align(rust_xlsxwriter::FormatAlign::Top);
        sheet.text(row, 0, title, &label)?;
        let shown = if text.is_empty() {
            "—"
        } else {
            text.as_str()
        };
        sheet.merge((row, 1), (row, 8), shown, &styles.wrap)?;
        let lines: usize = shown
            .lines()
            .map(|l| l.chars().count().div_ceil(110).max(1))
            .sum();
        sheet.apply(|ws| ws.set_row_height(row, (lines as f64 * 15.0).clamp(15.0, 409.0)))?;
        row += 1;
    }
    let last_row = fiche_radar(results, s, &mut sheet, header_row, row + 1, styles)?;
    sheet.ws.set_paper_size(9);
    sheet.ws.set_portrait();
    sheet.ws.set_print_fit_to_pages(1, 1);
    sheet.ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.ws.set_print_center_horizontally(true);
    sheet.apply(|ws| ws.set_print_area(0, 0, last_row, 8))?;
    Ok(sheet)
}

/// First column of the radar's data (K:N, right of the printed columns A:I and visible:
/// charts skip hidden cells).
const COL_RADAR: rust_xlsxwriter::ColNum = 10;

/// The Fiche's radar (structure, regional median, peers' median, 100 = national median)
/// at `chart_row`, its data in K:N from `data_row`; returns the last row to print.
fn fiche_radar(
    results: &Results,
    s: &StructureResult,
    sheet: &mut Sheet,
    data_row: u32,
    chart_row: u32,
    styles: &mut Styles,
) -> Result<u32> {
    use crate::report::annotated::{PROFILE_SERIES, RADAR_SCALE_NOTE, radar_points_of};
    use rust_xlsxwriter::ColNum;
    let points = radar_points_of(results, s);
    if points.is_empty() {
        return Ok(chart_row.saturating_sub(1));
    }
    let mut headers = vec!["Indicateur jugé (radar)"];
    headers.extend(PROFILE_SERIES);
    sheet.widths(&[
        (COL_RADAR, 30.0),
        (COL_RADAR + 1, 11.0),
        (COL_RADAR + 2, 11.0),
        (COL_RADAR + 3, 11.0),
    ])?;
    sheet.header_row(data_row, COL_RADAR, &headers, styles)?;
    sheet.note(data_row, COL_RADAR, RADAR_SCALE_NOTE)?;
    for (k, (i, values)) in points.iter().enumerate() {
        let row = data_row + 1 + k as u32;
        sheet.plain(row, COL_RADAR, &results.indicators[*i].label)?;
        for (j, x) in values.iter().enumerate() {
            sheet.opt_number(row, COL_RADAR + 1 + j as ColNum, *x, &styles.score)?;
        }
    }
    let rows = (data_row + 1, data_row + points.len() as u32);
    crate::report::annotated::profile_radar(
        sheet,
        rows,
        (COL_RADAR, COL_RADAR + 1),
        chart_row,
        8,
        styles,
    )
}
