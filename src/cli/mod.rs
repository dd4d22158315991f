//! The command line: one file per subcommand; this file only declares and dispatches.
//!
//! Subcommand and flag names are English (stable for scripts); help and messages are French.

pub mod check;
pub mod explain;
pub mod impact;
pub mod inspect;
pub mod rules;
pub mod run;
pub mod sample;
pub mod template;
pub mod test;

use crate::error::exit;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "boussole",
    version,
    about = "Moteur de règles pour classeurs Excel : lit les classeurs du terrain, applique un pack de règles Rhai et écrit des classeurs annotés.",
    long_about = None,
    after_help = "Exemples :\n  boussole run workbooks/exemple-national.xlsx\n  boussole inspect classeur.xlsx\n  boussole check --rules mes-regles/\n  boussole sample -o exemple.xlsx"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse un classeur et écrit le classeur annoté (travail principal).
    Run(run::Args),
    /// Montre comment un classeur est lu : feuilles, ligne d'en-tête, colonnes, diagnostics.
    Inspect(inspect::Args),
    /// Compile et vérifie un pack de règles, éventuellement face à un classeur.
    Check(check::Args),
    /// Exécute les cas de test du pack de règles.
    Test(test::Args),
    /// Explique un résultat : cellules sources, référentiels, règle et seuils.
    Explain(explain::Args),
    /// Opérations sur les packs de règles (export du pack intégré).
    Rules(rules::Args),
    /// Génère un classeur national synthétique réaliste (démonstrations, tests, mesures).
    Sample(sample::Args),
    /// Compare deux packs de règles sur les mêmes classeurs : ce qu'un changement de règles changerait.
    Impact(impact::Args),
    /// Écrit un classeur vierge à remplir pour un pack : instructions, colonnes attendues, contrôles de saisie, ligne d'exemple.
    Template(template::Args),
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::USAGE,
            };
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Impact(args) => impact::run(args),
        Command::Template(args) => template::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("boussole : {e}");
            e.exit_code()
        }
    }
}
