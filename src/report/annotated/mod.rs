//! The annotated workbook: the results rendered as an xlsx file, one module per sheet.
//!
//! This module owns the layout of the output workbook: which sheets, in which order, what
//! each holds, how they refer to each other (the Fiche's formulas read the Indicateurs and
//! Référentiels sheets and its own hidden lists; charts read small data tables). It reads [`Results`], the [`Dataset`]'s
//! sheet copies and the [`Pack`]; it never recomputes an analysis result (only the counts
//! of findings the Synthèse charts, the region of a set-aside row read from its region
//! cell, and the ratios a radar plots) and never reads a file.
//!
//! Sheets, in order: Synthèse, Fiche, Indicateurs, Référentiels, Axes, Priorités, Radars
//! (regional workbooks only, see [`Audience`]), Entonnoirs, Objectifs (then « Suivi des
//! objectifs » with `run --objectives`), one « Données — … » per input sheet, Diagnostics,
//! Règles (the structures for the Fiche's drop-down and their texts are in hidden columns
//! of the Fiche: no sheet of their own, see `listes`). Every sheet name can be replaced through the pack's `[labels]` (see
//! [`names::SheetNames::new`]).
//!
//! Invariants: input text is always written as text (never a formula); every formula is
//! written in English function names with its cached result; a missing value is an empty
//! cell (or « — » in formula cells), never 0; the same inputs give the same bytes (the
//! document's creation date comes from the input's modification time, no map iteration
//! order leaks into the output).

mod axes;
mod diagnostics;
mod donnees;
mod entonnoirs;
mod fiche;
mod indicateurs;
mod listes;
mod names;
pub(crate) mod objectifs;
mod priorites;
mod radars;
mod referentiels;
mod regles;
mod sensibilite;
mod suivi;
mod synthese;

pub(crate) use indicateurs::{change, change_format};
pub use names::sheet_name;
pub use synthese::lone_region_warning;

use crate::analysis::results::{FindingKind, IndicatorResult, Results, StructureResult};
use crate::collect::FollowUp;
use crate::dataset::Dataset;
use crate::error::{Error, Result, WriteError, catch_panic};
use crate::pack::Pack;
use crate::pack::manifest::{Direction, FrameKind};
use crate::report::xlsx::{Sheet, Styles, new_workbook};
use names::SheetNames;
use rayon::prelude::*;
use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, ColNum, RowNum, Workbook, Worksheet};

/// Builds one sheet of the annotated workbook.
type SheetJob<'a> = Box<dyn Fn(&Context, &mut Styles) -> Result<Sheet> + Send + Sync + 'a>;

/// Indicateurs, Objectifs, then the data copies, into their (streamed) worksheets, one
/// after the other: streamed sheets number their formats as they meet them, so their order
/// is fixed.
fn write_streamed(
    ctx: &Context,
    worksheets: [Worksheet; 2],
    copies: Vec<Worksheet>,
) -> Result<([Sheet; 2], Vec<Sheet>)> {
    let mut styles = Styles::new();
    let [indicateurs, objectifs] = worksheets;
    let indicateurs = Sheet::from_worksheet(indicateurs, &ctx.names.indicateurs)?;
    let indicateurs = indicateurs::write(ctx, &mut styles, indicateurs)?;
    let objectifs = Sheet::from_worksheet(objectifs, &ctx.names.objectifs)?;
    let objectifs = objectifs::write(ctx, &mut styles, objectifs)?;
    let copies = ctx
        .dataset
        .copies
        .iter()
        .zip(&ctx.names.donnees)
        .zip(copies)
        .map(|((copy, name), ws)| {
            donnees::write(copy, Sheet::from_worksheet(ws, name)?, &mut styles)
        })
        .collect::<Result<Vec<Sheet>>>()?;
    Ok(([indicateurs, objectifs], copies))
}

/// Writes the annotated workbook and returns its bytes (xlsx).
///
/// ```no_run
/// # fn run(results: &boussole::analysis::results::Results,
/// #        dataset: &boussole::dataset::Dataset) -> boussole::error::Result<()> {
/// let pack = boussole::pack::Pack::embedded()?;
/// let bytes = boussole::report::annotated::write_workbook(results, dataset, &pack)?;
/// boussole::report::atomic::write_atomically("annote.xlsx".as_ref(), &bytes, false)?;
/// # Ok(()) }
/// ```
pub fn write_workbook(results: &Results, dataset: &Dataset, pack: &Pack) -> Result<Vec<u8>> {
    write_workbook_with(results, dataset, pack, None)
}

/// Writes the annotated workbook with, when given, the follow-up of last year's objectives
/// (`run --objectives`): a « Suivi des objectifs » sheet after Objectifs and the counts of
/// objectives met in the Synthèse.
pub fn write_workbook_with(
    results: &Results,
    dataset: &Dataset,
    pack: &Pack,
    follow_up: Option<&FollowUp>,
) -> Result<Vec<u8>> {
    build_workbook(results, dataset, pack, follow_up)?.save()
}

/// An annotated workbook built but not yet assembled: it owns all its content, so the
/// results and the dataset it was built from can be dropped before [`Draft::save`], whose
/// assembly (XML, notes, compression) is the most memory-hungry moment of a run.
pub struct Draft(Workbook);

impl Draft {
    /// Assembles the xlsx and returns its bytes.
    pub fn save(mut self) -> Result<Vec<u8>> {
        catch_panic(
            || crate::report::xlsx::save(&mut self.0, "classeur annoté"),
            temporary_file_error,
        )
    }
}

/// Builds every sheet of the annotated workbook (see [`write_workbook_with`]); the bytes
/// come from [`Draft::save`].
pub fn build_workbook(
    results: &Results,
    dataset: &Dataset,
    pack: &Pack,
    follow_up: Option<&FollowUp>,
) -> Result<Draft> {
    build_workbook_for(results, dataset, pack, follow_up, Audience::of(results))
}

/// Writes the annotated workbook for the audience given rather than the one its results
/// call for ([`Audience::of`]).
pub fn write_workbook_for(
    results: &Results,
    dataset: &Dataset,
    pack: &Pack,
    follow_up: Option<&FollowUp>,
    audience: Audience,
) -> Result<Vec<u8>> {
    build_workbook_for(results, dataset, pack, follow_up, audience)?.save()
}

/// Builds the annotated workbook for the audience given (see [`build_workbook`]).
pub fn build_workbook_for(
    results: &Results,
    dataset: &Dataset,
    pack: &Pack,
    follow_up: Option<&FollowUp>,
    audience: Audience,
) -> Result<Draft> {
    let mut ctx = Context::new(results, dataset, pack);
    ctx.follow_up = follow_up;
    ctx.audience = audience;
    let mut workbook = new_workbook(
        &format!("boussole — {}", results.input.file),
        &format!(
            "Classeur annoté par boussole {} avec le pack {} {}",
            crate::VERSION,
            results.pack.name,
            results.pack.version
        ),
        results.input.modified_unix,
    );
    // Level 3 saves noticeably faster than the default 6 for a slightly larger file; a
    // regional workbook, small anyway, level 1: `run --by-region` writes 18 of them, and
    // each zip entry's compressor costs less to start at level 1 (the national sample's 18
    // regional files: 8.2 MB instead of 6.1 MB, docs/performance.md).
    workbook.set_zip_compression_level(match audience {
        Audience::National => 3,
        Audience::Regional => 1,
    });

    // Indicateurs and Objectifs, the sheets with one row per structure x indicator, and the
    // data copies (2.5 million cells at 100,000 structures) stream their rows to temporary
    // files (rust_xlsxwriter's constant-memory mode) instead of holding every cell until
    // the save; they are built one after the other (see `write_streamed`) while the other
    // sheets are built on the other cores, each with its own format cache. All are added in
    // the workbook's order, so the bytes do not depend on which finished first. A streamed
    // sheet keeps no cell for the save, so no chart may read it: rust_xlsxwriter fills a
    // chart's cached values from the cells it holds (the Radars and Entonnoirs charts read
    // their own sheets, held in memory). Where no temporary file can be made, the sheets are
    // held in memory: the same content, more memory.
    let mut new_streamed = || {
        workbook
            .new_worksheet_with_constant_memory()
            .unwrap_or_else(|_| Worksheet::new())
    };
    let streamed = [new_streamed(), new_streamed()];
    let streamed_copies: Vec<Worksheet> = dataset.copies.iter().map(|_| new_streamed()).collect();
    let mut others: Vec<SheetJob> = vec![
        Box::new(synthese::write),
        Box::new(fiche::write),
        Box::new(referentiels::write),
        Box::new(axes::write),
        Box::new(priorites::write),
    ];
    // A national workbook has no Radars sheet (see `Audience`).
    if audience.radars() {
        others.push(Box::new(radars::write));
    }
    others.push(Box::new(entonnoirs::write));
    // Objectifs follows Entonnoirs: its place among the sheets once Indicateurs is in.
    let objectifs_at = others.len() + 1;
    if let Some(follow) = follow_up {
        others.push(Box::new(move |ctx, styles| {
            suivi::write(ctx, styles, follow)
        }));
    }
    // The data copies (streamed) come next, then Diagnostics.
    let donnees_at = others.len() + 2;
    others.push(Box::new(diagnostics::write));
    others.push(Box::new(regles::write));
    let (streamed, others) = rayon::join(
        || {
            catch_panic(
                || write_streamed(&ctx, streamed, streamed_copies),
                temporary_file_error,
            )
        },
        || {
            others
                .par_iter()
                .with_max_len(1)
                .map(|job| job(&ctx, &mut Styles::new()))
                .collect::<Result<Vec<Sheet>>>()
        },
    );
    // `others` is in the workbook's order without the streamed sheets: Indicateurs comes
    // after Synthèse and Fiche, Objectifs after Entonnoirs, the data copies after
    // Objectifs (and its follow-up).
    let ([indicateurs, objectifs], copies) = streamed?;
    let mut sheets: Vec<Worksheet> = others?.into_iter().map(|s| s.ws).collect();
    sheets.insert(2, indicateurs.ws);
    sheets.insert(objectifs_at, objectifs.ws);
    for (k, copy) in copies.into_iter().enumerate() {
        sheets.insert(donnees_at + k, copy.ws);
    }
    for ws in sheets {
        workbook.push_worksheet(ws);
    }

    Ok(Draft(workbook))
}

/// rust_xlsxwriter panics when a streamed sheet's temporary file cannot be written.
fn temporary_file_error() -> Error {
    WriteError::TemporaryFile.into()
}

/// Whom an annotated workbook is for, which decides its heaviest content: the drawing
/// objects (notes and charts) that a spreadsheet lays out one by one when it opens the file
/// (docs/performance.md: 9,668 notes and 442 radars made the national sample take 97 s to
/// open in LibreOffice; its cells alone, under 5 s).
///
/// Either way, each score's explanation is in Indicateurs' « Explication » column and each
/// proposed objective's rationale in Objectifs' « Justification » column, and the Fiche
/// draws the radar of any structure chosen in its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Structures of several regions (the national working group): no Radars sheet (the
    /// Fiche draws the chosen structure's radar and says where the others are) and no note.
    National,
    /// The structures of one region (a regional file, or one written by `run --by-region`):
    /// a radar per structure, and a note on each score that carries a finding.
    Regional,
}

impl Audience {
    /// The audience the results call for: national when their structures name more than
    /// one region (structures without a region are not counted), regional otherwise.
    pub fn of(results: &Results) -> Audience {
        let mut regions = results
            .structures
            .iter()
            .map(|s| s.region.trim())
            .filter(|r| !r.is_empty());
        match regions.next() {
            Some(first) if regions.any(|r| r != first) => Audience::National,
            _ => Audience::Regional,
        }
    }

    /// Whether the scores that carry a finding also carry their explanation as a note (it
    /// is in Indicateurs' « Explication » column either way).
    pub fn notes(self) -> bool {
        self == Audience::Regional
    }

    /// Whether the workbook has a Radars sheet, one radar per structure.
    pub fn radars(self) -> bool {
        self == Audience::Regional
    }

    /// Whether Entonnoirs draws every judged indicator's funnel (a regional workbook, to
    /// print for each dialogue) or the one chosen in a list (the national file: a funnel
    /// has a point per structure, each of which LibreOffice lays out; every funnel's data
    /// stays on the sheet).
    pub fn funnels_each(self) -> bool {
        self == Audience::Regional
    }
}

/// What every sheet writer reads.
pub(crate) struct Context<'a> {
    pub results: &'a Results,
    pub dataset: &'a Dataset,
    pub pack: &'a Pack,
    pub names: SheetNames,
    /// How many structures (the first ones) are detailed in Indicateurs and offered in the
    /// Fiche: all of them unless that would pass [`MAX_INDICATOR_ROWS`].
    pub detailed: usize,
    /// Last year's objectives followed up (`run --objectives`).
    pub follow_up: Option<&'a FollowUp>,
    /// Whom the workbook is for: radars per structure and notes, or neither.
    pub audience: Audience,
    /// The shared frames' statistics, once each (the Référentiels sheet, read by the Fiche).
    pub frames: referentiels::FrameTable,
}

/// Most rows of the Indicateurs sheet. rust_xlsxwriter holds every cell in memory until the
/// file is saved; beyond this (a synthetic workbook of 100,000 structures) only the first
/// structures are detailed, the sheet says so, and the JSON output carries them all.
pub(crate) const MAX_INDICATOR_ROWS: usize = 150_000;

impl<'a> Context<'a> {
    fn new(results: &'a Results, dataset: &'a Dataset, pack: &'a Pack) -> Context<'a> {
        let per_structure = results.indicators.len().max(1);
        let detailed = results
            .structures
            .len()
            .min(MAX_INDICATOR_ROWS / per_structure);
        Context {
            results,
            dataset,
            pack,
            names: SheetNames::new(pack, dataset),
            detailed,
            follow_up: None,
            audience: Audience::of(results),
            frames: referentiels::FrameTable::new(results, detailed),
        }
    }

    /// A label from the pack's `[labels]`, else the French default.
    pub fn label(&self, key: &str, default: &str) -> String {
        self.pack.manifest.label(key, default)
    }

    /// The Indicateurs row (0-based, header on row 0) of structure `s`, indicator `i`:
    /// every structure has one row per indicator of the catalogue, in order.
    pub fn indicator_row(&self, s: usize, i: usize) -> u32 {
        (1 + s * self.results.indicators.len() + i) as u32
    }

    /// The last data row of Indicateurs (0-based), at least 1 so ranges stay valid.
    pub fn indicator_last_row(&self) -> u32 {
        (self.detailed * self.results.indicators.len()).max(1) as u32
    }

    /// Indices of the judged indicators (those with a score, plotted on radars).
    pub fn judged(&self) -> Vec<usize> {
        self.results
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, d)| d.judged())
            .map(|(i, _)| i)
            .collect()
    }

    /// "code — nom", the structure's entry in the Fiche's drop-down.
    pub fn display(s: &StructureResult) -> String {
        if s.name.is_empty() {
            s.id.to_string()
        } else {
            format!("{} — {}", s.id.as_str(), s.name)
        }
    }
}

/// The median of a frame for one indicator result.
pub(crate) fn frame_median(ir: Option<&IndicatorResult>, frame: FrameKind) -> Option<f64> {
    ir.and_then(|r| r.frames.get(&frame))
        .and_then(|f| f.summary.as_ref())
        .map(|s| s.median)
}

/// The radar scale: a value relative to the national median (100 = national median),
/// inverted for lower-is-better indicators so that outward is always better. None when
/// either side is missing or zero.
pub(crate) fn radar_ratio(x: Option<f64>, national: Option<f64>, dir: Direction) -> Option<f64> {
    let (x, m) = (x?, national?);
    let r = match dir {
        Direction::Lower => m / x * 100.0,
        _ => x / m * 100.0,
    };
    r.is_finite().then_some(r)
}

/// The three radar series of one structure (structure, regional median, peer median), per
/// judged indicator, on the radar scale.
pub(crate) fn radar_points(ctx: &Context, s: &StructureResult) -> Vec<[Option<f64>; 3]> {
    radar_points_of(ctx.results, s)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// The radar series of one structure with the index of each judged indicator (the
/// per-structure workbooks have no [`Context`]).
pub(crate) fn radar_points_of(
    results: &Results,
    s: &StructureResult,
) -> Vec<(usize, [Option<f64>; 3])> {
    results
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| d.judged())
        .map(|(i, def)| {
            let ir = s.indicators.get(i);
            let national = frame_median(ir, FrameKind::National);
            (
                i,
                [
                    radar_ratio(ir.and_then(|r| r.value), national, def.direction),
                    radar_ratio(frame_median(ir, FrameKind::Region), national, def.direction),
                    radar_ratio(frame_median(ir, FrameKind::Peers), national, def.direction),
                ],
            )
        })
        .collect()
}

/// The note explaining the radar scale (Fiche and Radars).
pub(crate) const RADAR_SCALE_NOTE: &str = "Échelle des radars : chaque indicateur jugé est \
rapporté à sa médiane nationale (100 = médiane nationale). Pour les indicateurs où une valeur \
basse est meilleure, le rapport est inversé (médiane nationale / valeur × 100) : l'extérieur du \
radar est toujours favorable. Les trois séries (structure, médiane régionale, médiane des \
pairs) partagent ainsi la même échelle. Un point manque quand la valeur ou la médiane nationale \
est absente ou nulle.";

/// The findings of one kind of a structure, as one text (one line each), for the Fiche.
pub(crate) fn findings_text(ctx: &Context, s: &StructureResult, kind: FindingKind) -> String {
    let mut lines = Vec::new();
    for (i, ir) in s.indicators.iter().enumerate() {
        let Some(f) = ir.finding.as_ref().filter(|f| f.kind == kind) else {
            continue;
        };
        let label = ctx
            .results
            .indicators
            .get(i)
            .map(|d| d.label.as_str())
            .unwrap_or("?");
        let reason = if f.reason.is_empty() {
            String::new()
        } else {
            format!(" : {}", f.reason)
        };
        lines.push(format!("• {label}{reason}"));
    }
    lines.join("\n")
}

/// The recommendations of a structure, ranked, as one text.
pub(crate) fn recommendations_text(s: &StructureResult) -> String {
    s.recommendations
        .iter()
        .enumerate()
        .map(|(k, r)| format!("{}. {} (priorité {})", k + 1, r.text, r.priority))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The labels of indicator ids, joined (ids not in the catalogue are shown as they are).
pub(crate) fn indicator_labels(ctx: &Context, ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            ctx.results
                .indicator_index(id)
                .map(|i| ctx.results.indicators[i].label.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The note on the « Valeur attendue » headers: how expected values are made, and each
/// model's quality, or why it was set aside.
pub(crate) fn models_note(results: &Results) -> String {
    let mut note = String::from(
        "Valeur attendue : ce que le contexte prédit, par une régression sur les variables de \
         contexte ajustée sans la structure elle-même. « — » : pas de modèle assez bon pour \
         cet indicateur.",
    );
    for d in &results.indicators {
        let Some(m) = &d.model else { continue };
        if !d.judged() {
            continue;
        }
        note.push_str(&format!(
            "\n{} : R² ajusté {} (n = {}){}",
            d.label,
            crate::fr::number(m.adj_r2, 2),
            m.n,
            match &m.gated {
                None => String::new(),
                Some(why) => format!(", écarté : {why}"),
            }
        ));
    }
    note
}

/// The profile radar's three series, in the order of their data columns.
pub(crate) const PROFILE_SERIES: [&str; 3] =
    ["Structure", "Médiane régionale", "Médiane des pairs"];

/// The structure's profile radar (the annotated and the per-structure Fiche): its labels in
/// `label_col` and its three series from `values_col` on, rows `first..=last` of `sheet`;
/// placed at `chart_row` with the scale note merged beneath it up to `last_col`. Returns the
/// note's row.
pub(crate) fn profile_radar(
    sheet: &mut crate::report::xlsx::Sheet,
    (first, last): (RowNum, RowNum),
    (label_col, values_col): (ColNum, ColNum),
    chart_row: RowNum,
    last_col: ColNum,
    styles: &crate::report::xlsx::Styles,
) -> Result<RowNum> {
    let mut chart = Chart::new(ChartType::Radar);
    for (k, name) in PROFILE_SERIES.iter().enumerate() {
        let col = values_col + k as ColNum;
        chart
            .add_series()
            .set_name(*name)
            .set_categories((sheet.name.as_str(), first, label_col, last, label_col))
            .set_values((sheet.name.as_str(), first, col, last, col));
    }
    chart
        .title()
        .set_name("Profil de la structure (100 = médiane nationale)");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.show_na_as_empty_cell();
    chart.set_width(760).set_height(400);
    sheet.chart(chart_row, 0, &chart)?;
    let note_row = chart_row + 21;
    sheet.merge(
        (note_row, 0),
        (note_row, last_col),
        RADAR_SCALE_NOTE,
        &styles.wrap,
    )?;
    sheet.apply(|ws| ws.set_row_height(note_row, 62))?;
    Ok(note_row)
}
