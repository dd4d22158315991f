//! `boussole inspect INPUT [--rules DIR] [--json]`: how a workbook is read.
//!
//! Prints the file and its SHA-256, each sheet (header row, rows read, structures, ignored
//! headers or why it was skipped), the column mapping, counts and the diagnostics grouped by
//! severity with their place. `--json` prints the same, and every structure's values, as
//! JSON on standard output (fields documented in `docs/inspect-json.md`). Exit status 0 even
//! with warnings; 3 when the workbook is refused.

use crate::dataset::{Dataset, Severity, Value};
use crate::error::{InternalError, Result, exit};
use crate::fr;
use crate::pack::Pack;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Montre comment un classeur est lu, sans rien écrire.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole inspect classeur.xlsx\n  boussole inspect export.csv --rules mes-regles/\n  boussole inspect classeur.xlsx --json > lecture.json"
)]
pub struct Args {
    /// Classeur à lire (xlsx, xlsm, xls, xlsb, ods ou csv).
    #[arg(value_name = "CLASSEUR")]
    pub input: PathBuf,
    /// Dossier du pack de règles dont le catalogue de colonnes est utilisé (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Écrit la lecture en JSON sur la sortie standard (champs décrits dans docs/inspect-json.md).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let data = crate::workbook::read_path_for(&args.input, &pack.manifest)?;
    if args.json {
        let text = serde_json::to_string_pretty(&to_json(&data)).map_err(InternalError::Json)?;
        println!("{text}");
    } else {
        print!("{}", render(&data));
    }
    Ok(exit::OK)
}

/// The JSON document `--json` prints.
pub fn to_json(data: &Dataset) -> Json {
    let structures: Vec<Json> = data
        .structures
        .iter()
        .map(|s| {
            let values: Map<String, Json> = s
                .values
                .iter()
                .map(|(id, obs)| {
                    let mut v = Map::new();
                    match &obs.value {
                        Value::Number(x) => {
                            v.insert("value".into(), json!(x));
                        }
                        Value::Missing(m) => {
                            v.insert("value".into(), Json::Null);
                            v.insert("missing".into(), json!(m.describe()));
                            let kind = serde_json::to_value(m)
                                .ok()
                                .and_then(|k| k.get("kind").cloned())
                                .unwrap_or(Json::Null);
                            v.insert("missing_kind".into(), kind);
                        }
                    }
                    v.insert(
                        "cell".into(),
                        obs.cell
                            .as_ref()
                            .map_or(Json::Null, |c| json!(c.to_string())),
                    );
                    (id.clone(), Json::Object(v))
                })
                .collect();
            json!({
                "id": s.id.as_str(),
                "name": s.name,
                "region": s.region,
                "year": s.year,
                "typology": s.typology,
                "id_cells": s.id_cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "values": values,
            })
        })
        .collect();
    json!({
        "file": data.source.file,
        "path": data.source.path,
        "sha256": data.source.sha256,
        "structures": structures,
        "set_aside": data.set_aside,
        "diagnostics": data.diagnostics,
        "sheets": data.sheets,
        "columns": data.columns,
    })
}

/// The French text report.
pub fn render(data: &Dataset) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "Fichier : {}", data.source.file);
    let _ = writeln!(out, "SHA-256 : {}", data.source.sha256);
    let _ = writeln!(out, "\nFeuilles :");
    for sheet in &data.sheets {
        match (&sheet.skipped, sheet.header_row) {
            (Some(why), _) => {
                let _ = writeln!(out, "  « {} » : ignorée ({why})", sheet.sheet);
            }
            (None, Some(row)) => {
                let _ = writeln!(
                    out,
                    "  « {} » : en-tête en ligne {row}, {}, {}",
                    sheet.sheet,
                    fr::count(sheet.rows_read, "ligne lue", "lignes lues"),
                    fr::count(sheet.structures, "structure", "structures")
                );
                if !sheet.ignored_headers.is_empty() {
                    let _ = writeln!(
                        out,
                        "      colonnes ignorées : {}",
                        sheet
                            .ignored_headers
                            .iter()
                            .map(|h| format!("« {h} »"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            (None, None) => {
                let _ = writeln!(out, "  « {} » : pas d'en-tête", sheet.sheet);
            }
        }
    }
    let _ = writeln!(out, "\nColonnes :");
    for m in &data.columns {
        let _ = writeln!(
            out,
            "  {} <- « {} » en {}!{}",
            m.column,
            m.header.replace('\n', " "),
            m.sheet,
            m.letter
        );
    }
    let regions: BTreeSet<&str> = data
        .structures
        .iter()
        .map(|s| s.region.as_str())
        .filter(|r| !r.is_empty())
        .collect();
    let _ = writeln!(out, "\nComptes :");
    let _ = writeln!(
        out,
        "  {}",
        fr::count(data.structures.len(), "structure", "structures")
    );
    let _ = writeln!(out, "  {}", fr::count(regions.len(), "région", "régions"));
    let _ = writeln!(
        out,
        "  {}",
        fr::count(data.set_aside.len(), "ligne écartée", "lignes écartées")
    );
    for s in &data.set_aside {
        let _ = writeln!(out, "      {} ligne {} : {}", s.sheet, s.row, s.reason);
    }
    let _ = writeln!(out, "\nDiagnostics : {}", data.diagnostics.len());
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<_> = data
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {} ({}) :", severity.label_fr(), group.len());
        for d in group {
            let place = d.place();
            let place = if place.is_empty() {
                String::new()
            } else {
                format!("[{place}] ")
            };
            let _ = writeln!(out, "    {place}{} — {}", d.message, d.action);
        }
    }
    out
}
