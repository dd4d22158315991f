//! `boussole template`: writes the blank field workbook of a pack.
//!
//! Usage: `boussole template [--rules DIR] -o FILE [--force]`.
//! The layout lives in [`crate::report::template`]; this file loads the pack, writes the file
//! atomically and says what was written.

use crate::cli::paths::ReadFiles;
use crate::error::{Result, exit};
use crate::pack::Pack;
use crate::report::atomic::write_atomically;
use crate::report::template::{DATA_SHEET, template_workbook};
use std::path::PathBuf;

/// Écrit un classeur vierge à remplir pour un pack de règles.
///
/// Le classeur contient une feuille « Instructions » (à quoi il sert, comment le remplir,
/// la liste des colonnes attendues avec leur unité et leur définition), une feuille
/// « Données » (les en-têtes du pack, une note par en-tête, des contrôles de saisie et une
/// ligne d'exemple ignorée à la lecture) et une liste cachée des régions. Même pack, même
/// fichier, à l'octet près.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole template -o modele-cpo.xlsx\n  boussole template --rules mes-regles/ -o modele.xlsx --force"
)]
pub struct Args {
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Classeur à écrire (.xlsx).
    #[arg(short, long, value_name = "FICHIER", value_parser = crate::cli::values::xlsx_output)]
    pub output: PathBuf,
    /// Remplace le fichier s'il existe déjà.
    #[arg(long)]
    pub force: bool,
}

/// Generates the template, writes it atomically and reports it.
pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let mut read = ReadFiles::new();
    read.add_pack(&pack);
    read.refuse_outputs([args.output.as_path()], args.force)?;
    let bytes = template_workbook(&pack)?;
    write_atomically(&args.output, &bytes, args.force)?;
    let columns = pack.manifest.columns.len();
    println!(
        "Modèle de classeur écrit pour le pack « {} » (version {}) : {} dans la feuille « {DATA_SHEET} », dans « {} ».",
        pack.manifest.pack.name,
        pack.manifest.pack.version,
        crate::fr::count(columns, "colonne", "colonnes"),
        args.output.display()
    );
    Ok(exit::OK)
}
