//! `boussole run`: the main job. Reads a workbook, evaluates the pack, writes the annotated
//! workbook (next to the input as `<name>-boussole.xlsx` unless told otherwise) and,
//! with `--json`, the results as JSON. Outputs are written atomically; an existing output
//! is not replaced without `--force`; the input is only read.

use crate::analysis::evaluate::{Overrides, analyse};
use crate::error::{Error, Result, exit};
use crate::pack::Pack;
use crate::pack::engine::CompiledPack;
use crate::report::atomic::write_atomically;
use std::path::{Path, PathBuf};

/// Analyse un classeur et écrit le classeur annoté.
///
/// Exemples :
///   boussole run workbooks/exemple-national.xlsx
///   boussole run classeur.xlsx -o annote.xlsx --json resultats.json
///   boussole run classeur.xlsx --out-dir sorties/ --rules mes-regles/ --force
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Classeur à analyser (xlsx, xlsm, xls, ods, csv).
    #[arg(value_name = "CLASSEUR")]
    pub input: PathBuf,
    /// Fichier du classeur annoté (par défaut : <nom>-boussole.xlsx à côté du classeur).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FICHIER",
        conflicts_with = "out_dir"
    )]
    pub output: Option<PathBuf>,
    /// Dossier où écrire le classeur annoté.
    #[arg(long, value_name = "DOSSIER")]
    pub out_dir: Option<PathBuf>,
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Écrit aussi les résultats en JSON dans ce fichier.
    #[arg(long, value_name = "FICHIER")]
    pub json: Option<PathBuf>,
    /// Remplace les fichiers de sortie existants.
    #[arg(long)]
    pub force: bool,
    /// N'affiche que les erreurs.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The annotated workbook's default path for an input.
pub fn default_output(input: &Path, out_dir: Option<&Path>) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "classeur".into());
    let name = format!("{stem}-boussole.xlsx");
    match out_dir {
        Some(dir) => dir.join(name),
        None => input.with_file_name(name),
    }
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let compiled = CompiledPack::compile(&pack)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input, args.out_dir.as_deref()));
    if output.exists() && !args.force {
        return Err(Error::Output(format!(
            "le fichier « {} » existe déjà : il n'est pas remplacé sans --force",
            output.display()
        )));
    }
    if let Some(json) = &args.json
        && json.exists()
        && !args.force
    {
        return Err(Error::Output(format!(
            "le fichier « {} » existe déjà : il n'est pas remplacé sans --force",
            json.display()
        )));
    }
    let dataset = crate::workbook::read_path(&args.input, &pack.manifest.columns)?;
    let results = analyse(&dataset, &compiled, &Overrides::default())?;
    let bytes = crate::report::workbook::write_workbook(&results, &dataset, &pack)?;
    write_atomically(&output, &bytes, args.force)?;
    if let Some(json) = &args.json {
        write_atomically(
            json,
            &crate::report::json::results_bytes(&results),
            args.force,
        )?;
    }
    if !args.quiet {
        let errors = results
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::dataset::Severity::Error)
            .count();
        let warnings = results
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::dataset::Severity::Warning)
            .count();
        let recs: usize = results
            .structures
            .iter()
            .map(|s| s.recommendations.len())
            .sum();
        let priorities: usize = results.regions.iter().map(|r| r.priorities.len()).sum();
        println!(
            "{} : {} structures dans {} régions, {} lignes écartées, {} erreur(s) et {} avertissement(s) de lecture.",
            results.input.file,
            results.structures.len(),
            results.regions.len(),
            results.set_aside.len(),
            errors,
            warnings
        );
        println!("{recs} recommandations, {priorities} priorités régionales.");
        println!("Classeur annoté écrit : {}", output.display());
        if let Some(json) = &args.json {
            println!("Résultats JSON écrits : {}", json.display());
        }
    }
    Ok(exit::OK)
}
