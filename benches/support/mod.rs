//! Shared by the criterion benches (`benches/stages.rs`) and the whole-run timer
//! (`examples/stages.rs`): the four stages of `boussole run` called one by one, and the
//! I/O floor.
//!
//! The stages are those of `boussole run`: read (`workbook::read_path`), analyse
//! (`analysis::analyse::analyse`, which includes the rule evaluation), write
//! (`report::annotated::write_workbook`). The rule evaluation alone ("evaluate") is measured
//! by running the pack's two scripts again over the views the analysis built (rebuilt here
//! from the results, untimed), in parallel as `analyse` does.
//!
//! The floor ([`Replay`]) is what no implementation of `boussole run` can beat with the same
//! libraries: read the input with calamine (every sheet, every cell) and write, with
//! rust_xlsxwriter, a workbook of the same content as boussole's output (same sheets,
//! cells, formulas with their cached results, formats, notes, tables and charts) without
//! any rule or statistic. The content is captured once, untimed, from an output boussole
//! wrote; only the read and the write are timed.

#![allow(dead_code)]

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::Results;
use boussole::analysis::scripts::{frame_view, indicator_view, noise};
use boussole::dataset::Dataset;
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use boussole::pack::engine::view::{IndicatorData, StructureData, frame_slot};
use boussole::pack::manifest::FrameKind;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

/// The embedded pack, compiled.
pub fn pack() -> (Pack, CompiledPack) {
    let pack = Pack::embedded().expect("embedded pack");
    let compiled = CompiledPack::compile(&pack).expect("pack compiles");
    (pack, compiled)
}

pub fn read(input: &Path, pack: &Pack) -> Dataset {
    boussole::workbook::read_path(input, &pack.manifest.columns).expect("input reads")
}

pub fn analyse_all(dataset: &Dataset, compiled: &CompiledPack) -> Results {
    analyse(dataset, compiled, &Overrides::default()).expect("analyses")
}

pub fn write(results: &Results, dataset: &Dataset, pack: &Pack) -> Vec<u8> {
    boussole::report::annotated::write_workbook(results, dataset, pack).expect("writes")
}

/// What the two scripts see of each structure, rebuilt from the results: the view for the
/// findings (no findings yet), the view for the recommendations (with them), and the judged
/// indicators with a value (one findings evaluation each).
pub struct ScriptViews {
    pub structures: Vec<(Arc<StructureData>, Arc<StructureData>, Vec<usize>)>,
}

impl ScriptViews {
    pub fn new(results: &Results) -> ScriptViews {
        let structures = results
            .structures
            .iter()
            .map(|s| {
                let view = |with_findings: bool| StructureData {
                    code: s.id.to_string(),
                    name: s.name.clone(),
                    region: s.region.clone(),
                    typology: s.typology.clone(),
                    indicators: results
                        .indicators
                        .iter()
                        .zip(&s.indicators)
                        .map(|(def, ir)| IndicatorData {
                            frames: std::array::from_fn(|k| {
                                let kind =
                                    FrameKind::ALL.into_iter().find(|&f| frame_slot(f) == k)?;
                                let f = ir.frames.get(&kind)?;
                                let summary = f.summary.as_ref()?;
                                let z = results.method.funnel_z;
                                let noise = noise(summary.median, ir.denominator, def, z, f.phi);
                                Some(frame_view(summary, f.rank(), noise))
                            }),
                            expected: ir.expected.as_ref().map(|e| e.value),
                            expected_z: ir.expected.as_ref().and_then(|e| e.z()),
                            residual_z: results.method.residual_z,
                            score: ir.score,
                            finding: with_findings
                                .then(|| ir.finding.as_ref().map(|f| f.kind))
                                .flatten(),
                            ..indicator_view(def, ir.value, ir.denominator)
                        })
                        .collect(),
                };
                let judged = results
                    .indicators
                    .iter()
                    .zip(&s.indicators)
                    .enumerate()
                    .filter(|(_, (d, ir))| d.judged() && ir.value.is_some())
                    .map(|(i, _)| i)
                    .collect();
                (Arc::new(view(false)), Arc::new(view(true)), judged)
            })
            .collect();
        ScriptViews { structures }
    }

    /// Script evaluations per run: one findings evaluation per judged indicator with a
    /// value, one recommendations evaluation per structure.
    pub fn evaluations(&self) -> usize {
        self.structures.iter().map(|(_, _, j)| 1 + j.len()).sum()
    }

    /// Runs both scripts over every structure, in parallel; returns how many decisions.
    pub fn evaluate(&self, compiled: &CompiledPack) -> usize {
        self.structures
            .par_iter()
            .map(|(plain, with_findings, judged)| {
                let found = compiled
                    .findings(plain, judged)
                    .expect("findings")
                    .into_iter()
                    .flatten()
                    .count();
                found
                    + compiled
                        .recommendations(with_findings)
                        .expect("recommendations")
                        .len()
            })
            .sum()
    }
}

/// Reads every sheet of a workbook with calamine alone (the read half of the floor).
pub fn calamine_read(input: &Path) -> usize {
    use calamine::{Reader, open_workbook_auto};
    let mut workbook = open_workbook_auto(input).expect("calamine opens the input");
    let names = workbook.sheet_names();
    let mut cells = 0;
    for name in names {
        let range = workbook.worksheet_range(&name).expect("sheet reads");
        cells += range.used_cells().count();
    }
    cells
}

// ---------------------------------------------------------------------------------------
// The write half of the floor: a replay of an xlsx's content.

/// One cell of the replayed workbook.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Text(String),
    Bool(bool),
    /// A formula and its cached result as text (number or string).
    Formula(String, Option<String>),
    /// A formatted empty cell.
    Blank,
}

#[derive(Debug, Clone)]
struct Cell {
    row: u32,
    col: u16,
    style: usize,
    value: Value,
}

#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: Option<String>,
    categories: Option<String>,
    values: String,
    /// The values cached in the chart (what a reader that does not recalculate shows).
    cached: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Chart {
    kind: String,
    row: u32,
    col: u16,
    series: Vec<Series>,
}

#[derive(Debug, Clone, Default)]
struct Sheet {
    name: String,
    hidden: bool,
    /// The sheet stores its text inline: boussole streamed it (constant-memory mode).
    streamed: bool,
    cells: Vec<Cell>,
    notes: Vec<(u32, u16, String)>,
    tables: Vec<(u32, u16, u32, u16)>,
    charts: Vec<Chart>,
    widths: Vec<(u16, f64)>,
}

/// The content of an xlsx, ready to be written again with rust_xlsxwriter.
#[derive(Debug, Clone)]
pub struct Replay {
    sheets: Vec<Sheet>,
    /// One format per cell style of the original (number format, bold, fill, wrap, border).
    formats: Vec<rust_xlsxwriter::Format>,
}

/// What the replay holds, to check it against the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayCounts {
    pub sheets: usize,
    pub cells: usize,
    pub formulas: usize,
    pub notes: usize,
    pub tables: usize,
    pub charts: usize,
    pub formats: usize,
}

impl Replay {
    /// Captures the content of an xlsx written by rust_xlsxwriter (boussole's output).
    pub fn capture(xlsx: &[u8]) -> Replay {
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("output is a zip");
        let mut part = |name: &str| -> Option<String> {
            let mut s = String::new();
            zip.by_name(name).ok()?.read_to_string(&mut s).ok()?;
            Some(s)
        };
        let strings: Vec<String> = part("xl/sharedStrings.xml")
            .map(|x| elements(&x, "si").map(text_of).collect())
            .unwrap_or_default();
        let formats = capture_formats(&part("xl/styles.xml").unwrap_or_default());
        let workbook = part("xl/workbook.xml").expect("workbook part");
        let rels = relationships(&part("xl/_rels/workbook.xml.rels").unwrap_or_default());
        let mut sheets = Vec::new();
        for tag in tags(&workbook, "sheet") {
            let name = unescape(&attr(tag, "name").unwrap_or_default());
            let hidden = attr(tag, "state").is_some_and(|s| s == "hidden");
            let target = rels
                .get(&attr(tag, "r:id").unwrap_or_default())
                .cloned()
                .unwrap_or_default();
            let path = format!("xl/{}", target.trim_start_matches("/xl/"));
            let xml = part(&path).expect("sheet part");
            let mut sheet = Sheet {
                name,
                hidden,
                ..Sheet::default()
            };
            for c in tags(&xml, "col") {
                let (Some(min), Some(max), Some(w)) =
                    (attr(c, "min"), attr(c, "max"), attr(c, "width"))
                else {
                    continue;
                };
                let (min, max): (u16, u16) = (min.parse().unwrap_or(1), max.parse().unwrap_or(1));
                for col in min..=max.min(min + 50) {
                    sheet.widths.push((col - 1, w.parse().unwrap_or(8.43)));
                }
            }
            for (open, body) in elements_with_tags(&xml, "c") {
                let (row, col) = cell_ref(&attr(open, "r").unwrap_or_default());
                let style = attr(open, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                let cached = inner(body, "v").map(unescape);
                let value = if let Some(f) = inner(body, "f") {
                    Value::Formula(unescape(f), cached)
                } else {
                    match (attr(open, "t").as_deref(), cached) {
                        (Some("s"), Some(v)) => {
                            Value::Text(strings[v.parse::<usize>().unwrap_or(0)].clone())
                        }
                        (Some("inlineStr"), _) => {
                            sheet.streamed = true;
                            Value::Text(text_of(body))
                        }
                        (Some("b"), Some(v)) => Value::Bool(v == "1"),
                        (Some("str"), Some(v)) => Value::Text(v),
                        (_, Some(v)) => Value::Number(v.parse().unwrap_or(0.0)),
                        (_, None) => Value::Blank,
                    }
                };
                sheet.cells.push(Cell {
                    row,
                    col,
                    style,
                    value,
                });
            }
            let sheet_rels_path = {
                let (dir, file) = path.rsplit_once('/').expect("sheet path");
                format!("{dir}/_rels/{file}.rels")
            };
            let sheet_rels = part(&sheet_rels_path).unwrap_or_default();
            for r in tags(&sheet_rels, "Relationship") {
                let target = attr(r, "Target").unwrap_or_default();
                let target = format!("xl/{}", target.trim_start_matches("../"));
                let kind = attr(r, "Type").unwrap_or_default();
                if kind.ends_with("/comments") {
                    let xml = part(&target).unwrap_or_default();
                    for (open, body) in elements_with_tags(&xml, "comment") {
                        let (row, col) = cell_ref(&attr(open, "ref").unwrap_or_default());
                        sheet.notes.push((row, col, text_of(body)));
                    }
                } else if kind.ends_with("/table") {
                    let xml = part(&target).unwrap_or_default();
                    if let Some(t) = tags(&xml, "table").next() {
                        let r = attr(t, "ref").unwrap_or_default();
                        let (a, b) = r.split_once(':').unwrap_or((&r, &r));
                        let ((r1, c1), (r2, c2)) = (cell_ref(a), cell_ref(b));
                        sheet.tables.push((r1, c1, r2, c2));
                    }
                } else if kind.ends_with("/drawing") {
                    let drawing = part(&target).unwrap_or_default();
                    let (dir, file) = target.rsplit_once('/').expect("drawing path");
                    let drels = relationships(
                        &part(&format!("{dir}/_rels/{file}.rels")).unwrap_or_default(),
                    );
                    for (_, anchor) in elements_with_tags(&drawing, "xdr:twoCellAnchor") {
                        let from = inner(anchor, "xdr:from").unwrap_or_default();
                        let row = inner(from, "xdr:row").and_then(|v| v.parse().ok());
                        let col = inner(from, "xdr:col").and_then(|v| v.parse().ok());
                        let Some(chart_tag) = tags(anchor, "c:chart").next() else {
                            continue;
                        };
                        let id = attr(chart_tag, "r:id").unwrap_or_default();
                        let Some(chart_target) = drels.get(&id) else {
                            continue;
                        };
                        let chart_path = format!("xl/{}", chart_target.trim_start_matches("../"));
                        let xml = part(&chart_path).unwrap_or_default();
                        sheet
                            .charts
                            .push(capture_chart(&xml, row.unwrap_or(0), col.unwrap_or(0)));
                    }
                }
            }
            sheets.push(sheet);
        }
        Replay { sheets, formats }
    }

    /// How the content of `other` differs from this one's, at most `limit` lines: sheets
    /// (name, visibility, widths), every cell (value, cached result and the properties of
    /// its format, whatever the format's index), notes, tables and charts. How the bytes
    /// store them (shared or inline strings, format order, zip compression) is not compared.
    pub fn differences(&self, other: &Replay, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |s: String| {
            if out.len() < limit {
                out.push(s);
            }
        };
        if self.sheets.len() != other.sheets.len() {
            say(format!(
                "sheets: {} vs {}",
                self.sheets.len(),
                other.sheets.len()
            ));
        }
        let default = rust_xlsxwriter::Format::new();
        for (a, b) in self.sheets.iter().zip(&other.sheets) {
            let name = &a.name;
            if a.name != b.name || a.hidden != b.hidden {
                say(format!(
                    "sheet {name} (hidden {}) vs {} (hidden {})",
                    a.hidden, b.name, b.hidden
                ));
            }
            if a.widths != b.widths {
                say(format!("{name}: column widths differ"));
            }
            let cells = |r: &Replay, sh: &Sheet| -> BTreeMap<(u32, u16), (Value, String)> {
                sh.cells
                    .iter()
                    .map(|c| {
                        let f = r.formats.get(c.style).unwrap_or(&default);
                        ((c.row, c.col), (c.value.clone(), format!("{f:?}")))
                    })
                    .collect()
            };
            let (ca, cb) = (cells(self, a), cells(other, b));
            for (at, va) in &ca {
                match cb.get(at) {
                    None => say(format!("{name}!{at:?}: {va:?} vs nothing")),
                    Some(vb) if vb != va => say(format!("{name}!{at:?}: {va:?} vs {vb:?}")),
                    _ => {}
                }
            }
            for (at, vb) in &cb {
                if !ca.contains_key(at) {
                    say(format!("{name}!{at:?}: nothing vs {vb:?}"));
                }
            }
            let sorted = |v: &Vec<(u32, u16, String)>| {
                let mut v = v.clone();
                v.sort();
                v
            };
            if sorted(&a.notes) != sorted(&b.notes) {
                say(format!(
                    "{name}: notes differ ({} vs {})",
                    a.notes.len(),
                    b.notes.len()
                ));
            }
            if a.tables != b.tables {
                say(format!("{name}: tables {:?} vs {:?}", a.tables, b.tables));
            }
            if a.charts != b.charts {
                say(format!(
                    "{name}: charts differ ({} vs {})",
                    a.charts.len(),
                    b.charts.len()
                ));
            }
        }
        out
    }

    pub fn counts(&self) -> ReplayCounts {
        let sum = |f: fn(&Sheet) -> usize| self.sheets.iter().map(f).sum();
        ReplayCounts {
            sheets: self.sheets.len(),
            cells: sum(|s| s.cells.len()),
            formulas: sum(|s| {
                s.cells
                    .iter()
                    .filter(|c| matches!(c.value, Value::Formula(..)))
                    .count()
            }),
            notes: sum(|s| s.notes.len()),
            tables: sum(|s| s.tables.len()),
            charts: sum(|s| s.charts.len()),
            formats: self.formats.len(),
        }
    }

    /// Writes the captured content with rust_xlsxwriter, the way boussole's writer does:
    /// zip compression level 3, the sheets boussole streams (those with inline text) in
    /// constant-memory mode, every sheet built on its own task. Unlike boussole, the
    /// streamed sheets are built in parallel too: the floor need not give the same bytes
    /// twice.
    pub fn write(&self) -> Vec<u8> {
        use rust_xlsxwriter::{Workbook, Worksheet};
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(3);
        let mut worksheets = Vec::with_capacity(self.sheets.len());
        for sheet in &self.sheets {
            worksheets.push(if sheet.streamed {
                workbook
                    .new_worksheet_with_constant_memory()
                    .expect("temporary file")
            } else {
                Worksheet::new()
            });
        }
        let built: Vec<Worksheet> = worksheets
            .into_par_iter()
            .zip(&self.sheets)
            .with_max_len(1)
            .map(|(ws, sheet)| self.write_sheet(ws, sheet))
            .collect();
        for ws in built {
            workbook.push_worksheet(ws);
        }
        workbook.save_to_buffer().expect("replay saves")
    }

    fn write_sheet(
        &self,
        mut ws: rust_xlsxwriter::Worksheet,
        sheet: &Sheet,
    ) -> rust_xlsxwriter::Worksheet {
        use rust_xlsxwriter::{Chart as XChart, ChartType, Formula, Note, Table};
        let skip = std::env::var("FLOOR_SKIP").unwrap_or_default();
        let default_format = rust_xlsxwriter::Format::new();
        ws.set_name(&sheet.name).expect("sheet name");
        if sheet.hidden {
            ws.set_hidden(true);
        }
        for &(col, w) in &sheet.widths {
            ws.set_column_width(col, w).expect("width");
        }
        // Tables first: a table writes its header row, and a streamed sheet takes its rows
        // in order.
        for &(r1, c1, r2, c2) in &sheet.tables {
            // Headers as written in the cells.
            let headers: Vec<String> = (c1..=c2)
                .map(|col| {
                    sheet
                        .cells
                        .iter()
                        .find(|c| c.row == r1 && c.col == col)
                        .and_then(|c| match &c.value {
                            Value::Text(t) => Some(t.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| format!("Colonne {col}"))
                })
                .collect();
            let columns: Vec<_> = headers
                .iter()
                .map(|h| rust_xlsxwriter::TableColumn::new().set_header(h))
                .collect();
            let table = Table::new().set_columns(&columns);
            ws.add_table(r1, c1, r2, c2, &table).expect("table");
        }
        for c in sheet.cells.iter().filter(|_| !skip.contains("cells")) {
            let f = self.formats.get(c.style).unwrap_or(&default_format);
            // Cells of the default style are written without a format, as boussole's
            // writer does (a format costs a hash lookup per cell).
            if c.style == 0 {
                match &c.value {
                    Value::Number(n) => ws.write_number(c.row, c.col, *n),
                    Value::Text(t) => ws.write_string(c.row, c.col, t),
                    Value::Bool(b) => ws.write_boolean(c.row, c.col, *b),
                    Value::Formula(text, cached) => {
                        let mut formula = Formula::new(text);
                        if let Some(v) = cached {
                            formula = formula.set_result(v);
                        }
                        ws.write_formula(c.row, c.col, formula)
                    }
                    Value::Blank => continue,
                }
                .expect("cell");
                continue;
            }
            match &c.value {
                Value::Number(n) => ws.write_number_with_format(c.row, c.col, *n, f),
                Value::Text(t) => ws.write_string_with_format(c.row, c.col, t, f),
                Value::Bool(b) => ws.write_boolean_with_format(c.row, c.col, *b, f),
                Value::Formula(text, cached) => {
                    let mut formula = Formula::new(text);
                    if let Some(v) = cached {
                        formula = formula.set_result(v);
                    }
                    ws.write_formula_with_format(c.row, c.col, formula, f)
                }
                Value::Blank => ws.write_blank(c.row, c.col, f),
            }
            .expect("cell");
        }
        for (row, col, text) in sheet.notes.iter().filter(|_| !skip.contains("notes")) {
            let note = Note::new(text).add_author_prefix(false).set_width(440);
            ws.insert_note(*row, *col, &note).expect("note");
        }
        for chart in sheet.charts.iter().filter(|_| !skip.contains("charts")) {
            let kind = match chart.kind.as_str() {
                "c:radarChart" => ChartType::RadarWithMarkers,
                "c:barChart" => ChartType::Bar,
                "c:lineChart" => ChartType::Line,
                "c:scatterChart" => ChartType::Scatter,
                "c:pieChart" => ChartType::Pie,
                _ => ChartType::Column,
            };
            let mut x = XChart::new(kind);
            for s in &chart.series {
                let series = x.add_series();
                series.set_values(s.values.as_str());
                if let Some(c) = &s.categories {
                    series.set_categories(c.as_str());
                }
                if let Some(n) = &s.name {
                    series.set_name(n.as_str());
                }
            }
            ws.insert_chart(chart.row, chart.col, &x).expect("chart");
        }
        ws
    }
}

fn capture_chart(xml: &str, row: u32, col: u16) -> Chart {
    let kind = [
        "c:radarChart",
        "c:barChart",
        "c:lineChart",
        "c:scatterChart",
        "c:pieChart",
    ]
    .into_iter()
    .find(|k| xml.contains(&format!("<{k}>")))
    .unwrap_or("c:barChart")
    .to_string();
    let series = elements(xml, "c:ser")
        .map(|ser| {
            let formula = |parent: &str| {
                inner(ser, parent)
                    .and_then(|p| inner(p, "c:f"))
                    .map(unescape)
            };
            Series {
                name: formula("c:tx"),
                categories: formula("c:cat").or_else(|| formula("c:xVal")),
                values: formula("c:val")
                    .or_else(|| formula("c:yVal"))
                    .unwrap_or_default(),
                cached: inner(ser, "c:val")
                    .or_else(|| inner(ser, "c:yVal"))
                    .map(|v| elements(v, "c:v").map(unescape).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Chart {
        kind,
        row,
        col,
        series,
    }
}

/// One Format per `cellXfs` entry: its number format, bold font, solid fill colour,
/// wrapping and border, the attributes boussole's styles vary.
fn capture_formats(styles: &str) -> Vec<rust_xlsxwriter::Format> {
    use rust_xlsxwriter::{Color, Format, FormatBorder};
    let num_fmts: BTreeMap<String, String> = tags(styles, "numFmt")
        .filter_map(|t| Some((attr(t, "numFmtId")?, unescape(&attr(t, "formatCode")?))))
        .collect();
    let fonts: Vec<bool> = inner(styles, "fonts")
        .map(|f| elements(f, "font").map(|b| b.contains("<b/>")).collect())
        .unwrap_or_default();
    let fills: Vec<Option<u32>> = inner(styles, "fills")
        .map(|f| {
            elements(f, "fill")
                .map(|b| {
                    tags(b, "fgColor")
                        .next()
                        .and_then(|t| attr(t, "rgb"))
                        .and_then(|rgb| u32::from_str_radix(rgb.get(2..)?, 16).ok())
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(xfs) = inner(styles, "cellXfs") else {
        return Vec::new();
    };
    elements_with_tags(xfs, "xf")
        .map(|(open, body)| {
            let mut f = Format::new();
            let id = attr(open, "numFmtId").unwrap_or_default();
            if let Some(code) = num_fmts.get(&id) {
                f = f.set_num_format(code);
            } else if let Ok(n) = id.parse::<u8>()
                && n > 0
            {
                f = f.set_num_format_index(n);
            }
            let index = |a: &str| attr(open, a).and_then(|v| v.parse::<usize>().ok());
            if index("fontId").and_then(|i| fonts.get(i).copied()) == Some(true) {
                f = f.set_bold();
            }
            if let Some(Some(rgb)) = index("fillId").and_then(|i| fills.get(i).copied()) {
                f = f.set_background_color(Color::RGB(rgb & 0xFF_FFFF));
            }
            if index("borderId").is_some_and(|b| b > 0) {
                f = f.set_border(FormatBorder::Thin);
            }
            if body.contains("wrapText=\"1\"") {
                f = f.set_text_wrap();
            }
            f
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// A minimal reader of the XML rust_xlsxwriter writes (no namespaces, no CDATA, attributes
// in double quotes), enough to capture the content.

/// Opening tags `<name ...>` or `<name .../>` (the text between `<` and `>`).
fn tags<'a>(xml: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{name}");
    let mut rest = xml;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find(&open)?;
            let after = &rest[at + open.len()..];
            let next = after.as_bytes().first().copied()?;
            let end = after.find('>')?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if matches!(next, b' ' | b'>' | b'/') {
                return Some(tag);
            }
        }
    })
}

/// Elements `<name ...>body</name>` as (attributes, body); self-closed ones have no body.
fn elements_with_tags<'a>(
    xml: &'a str,
    name: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut rest = xml;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find(&open)?;
            let after = &rest[at + open.len()..];
            let next = after.as_bytes().first().copied()?;
            if !matches!(next, b' ' | b'>' | b'/') {
                rest = after;
                continue;
            }
            let end = after.find('>')?;
            let tag = &after[..end];
            if tag.ends_with('/') {
                rest = &after[end + 1..];
                return Some((tag, ""));
            }
            let body_start = &after[end + 1..];
            let stop = body_start.find(&close)?;
            rest = &body_start[stop + close.len()..];
            return Some((tag, &body_start[..stop]));
        }
    })
}

fn elements<'a>(xml: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    elements_with_tags(xml, name).map(|(_, body)| body)
}

fn inner<'a>(xml: &'a str, name: &'a str) -> Option<&'a str> {
    elements(xml, name).next()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')?;
    Some(tag[at..at + end].to_string())
}

/// The text of `<t>` runs inside an element (shared strings, inline strings, notes).
fn text_of(xml: &str) -> String {
    elements(xml, "t").map(unescape).collect()
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find(';') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let entity = &rest[at + 1..at + end];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = entity
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()));
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => out.push_str(&rest[at..at + end + 1]),
                }
            }
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

fn relationships(xml: &str) -> BTreeMap<String, String> {
    tags(xml, "Relationship")
        .filter_map(|t| Some((attr(t, "Id")?, attr(t, "Target")?)))
        .collect()
}

/// `B12` as 0-based (row, column).
fn cell_ref(r: &str) -> (u32, u16) {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let col = r[..letters].bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = r[letters..].parse().unwrap_or(1);
    (row.saturating_sub(1), col.saturating_sub(1) as u16)
}
