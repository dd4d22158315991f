//! `boussole collect`: reads back the returned workbooks (annotated or per-structure) and
//! consolidates their negotiated objectives and action plans.
//!
//! Usage: `boussole collect RETURNED... -o FILE [--json FILE] [--force]`.
//! The reading and the consolidation live in [`crate::collect`], the collected workbook in
//! [`crate::report::collected`]; this file expands the folders named, writes the outputs
//! atomically and prints the diagnostics.

use crate::cli::paths::{ReadFiles, expand_returned};
use crate::collect::{collect_paths, collected_json};
use crate::dataset::Severity;
use crate::error::{Result, exit};
use crate::fr;
use crate::pack::Pack;
use crate::report::atomic::write_atomically;
use crate::report::collected::collected_workbook;
use std::path::PathBuf;

/// Relit les classeurs renvoyés après le dialogue et consolide objectifs négociés et plans d'action.
///
/// Les classeurs (annotés ou par structure) doivent venir de la même analyse (même classeur,
/// même pack, même version de boussole) : sinon la collecte est refusée. Chaque objectif
/// négocié hors de sa règle de saisie ou des bornes plausibles du pack, chaque ligne dont la
/// clé cachée ne concorde pas avec le code ou l'indicateur visibles, chaque saisie sur une
/// ligne insérée est signalé avec son fichier, sa feuille et sa cellule, erreurs d'abord ;
/// les objectifs laissés vides sont dits une fois par structure. L'objectif proposé est
/// alors suivi.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole collect retours/ -o objectifs-2026.xlsx\n  boussole collect 01053-ml-bourg.xlsx 01004-ml-ambérieu.xlsx -o objectifs.xlsx --json objectifs.json\n  boussole run bilan-2026.xlsx --objectives objectifs-2026.xlsx"
)]
pub struct Args {
    /// Classeurs renvoyés (xlsx, xlsm, ods) ou dossiers qui les contiennent.
    #[arg(value_name = "CLASSEUR", required = true)]
    pub returned: Vec<PathBuf>,
    /// Classeur consolidé à écrire (.xlsx).
    #[arg(short, long, value_name = "FICHIER", value_parser = crate::cli::values::xlsx_output)]
    pub output: PathBuf,
    /// Écrit aussi la consolidation en JSON (.json).
    #[arg(long, value_name = "FICHIER")]
    pub json: Option<PathBuf>,
    /// Dossier du pack de règles de l'analyse (par défaut : le pack « cpo » intégré) : les
    /// indicateurs, leurs libellés et leurs bornes plausibles servent à vérifier les retours.
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Remplace les fichiers de sortie existants.
    #[arg(long)]
    pub force: bool,
    /// N'affiche que les erreurs.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Collects, writes the workbook (and JSON), reports.
pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let files = expand_returned(&args.returned);
    let mut read = ReadFiles::new();
    read.add_all(&files);
    read.add_pack(&pack);
    let outputs = std::iter::once(&args.output).chain(args.json.iter());
    read.refuse_outputs(outputs.map(PathBuf::as_path), args.force)?;
    if let Some(json) = &args.json {
        crate::cli::values::check_json_file(json)?;
    }
    let collected = collect_paths(&files, &pack)?;
    let bytes = collected_workbook(&collected)?;
    let json = match &args.json {
        Some(path) => Some((path, collected_json(&collected)?)),
        None => None,
    };
    write_atomically(&args.output, &bytes, args.force)?;
    if let Some((path, json)) = &json {
        write_atomically(path, json, args.force)?;
    }
    let errors = collected
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if !args.quiet {
        let negotiated = collected
            .objectives
            .iter()
            .filter(|o| o.negotiated.is_some())
            .count();
        println!(
            "{} ({}) : {} dont {}, {} ; {} et {}.",
            fr::count(collected.files.len(), "classeur lu", "classeurs lus"),
            collected.stamp.describe(),
            fr::count(collected.objectives.len(), "objectif", "objectifs"),
            fr::count(negotiated, "négocié", "négociés"),
            fr::count(
                collected.actions.len(),
                "ligne de plan d'action",
                "lignes de plan d'action"
            ),
            fr::count(errors, "erreur", "erreurs"),
            fr::count(
                collected.diagnostics.len() - errors,
                "autre signalement",
                "autres signalements"
            )
        );
    }
    // Errors come first (the consolidation sorts them); --quiet shows them alone.
    for d in collected
        .diagnostics
        .iter()
        .filter(|d| !args.quiet || d.severity == Severity::Error)
    {
        let place = if d.sheet.is_empty() {
            d.file.clone()
        } else {
            format!("{} ({}!{})", d.file, d.sheet, d.cell)
        };
        println!("  {} : {place} : {}", d.severity.label_fr(), d.message);
    }
    if !args.quiet {
        println!("Classeur consolidé écrit : {}", args.output.display());
        if let Some(json) = &args.json {
            println!("Consolidation JSON écrite : {}", json.display());
        }
    }
    Ok(exit::OK)
}
