//! `boussole rules export DIR`: write the embedded default pack to a folder to tune it.

use crate::error::{Result, WriteError, exit};
use crate::pack::EMBEDDED_CPO;
use std::path::{Path, PathBuf};

/// Opérations sur les packs de règles.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE
)]
pub struct Args {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Écrit le pack « cpo » intégré dans un dossier pour l'adapter.
    ///
    /// Exemple :
    ///   boussole rules export mes-regles/
    ///   boussole check --rules mes-regles/
    Export {
        /// Dossier à créer (ou dossier vide).
        #[arg(value_name = "DOSSIER")]
        dir: PathBuf,
    },
}

pub fn run(args: Args) -> Result<i32> {
    match args.command {
        RulesCommand::Export { dir } => export(&dir),
    }
}

/// Writes the embedded pack into `dir`, which must not exist or be empty.
pub fn export(dir: &Path) -> Result<i32> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)
            .map_err(|source| WriteError::ReadFolder {
                dir: dir.to_path_buf(),
                source,
            })?
            .next()
            .is_some();
        if non_empty {
            return Err(WriteError::FolderNotEmpty {
                dir: dir.to_path_buf(),
            }
            .into());
        }
    }
    for (path, content) in EMBEDDED_CPO {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WriteError::CreateFolder {
                what: "dossier",
                dir: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&target, content).map_err(|source| WriteError::Write {
            path: target.clone(),
            source,
        })?;
    }
    println!(
        "Pack « cpo » écrit dans {} ({}). Modifiez-le, puis : boussole check --rules {}",
        dir.display(),
        crate::fr::count(EMBEDDED_CPO.len(), "fichier", "fichiers"),
        dir.display()
    );
    Ok(exit::OK)
}
