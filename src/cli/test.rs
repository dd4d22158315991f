//! `boussole test [--rules DIR]`: run the pack's own test cases.

use crate::error::{Error, Result, exit};
use crate::pack::Pack;
use crate::pack::engine::CompiledPack;
use std::path::PathBuf;

/// Exécute les cas de test du pack (dossier tests/ du pack).
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole test\n  boussole test --rules mes-regles/"
)]
pub struct Args {
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let compiled = CompiledPack::compile(&pack)?;
    let outcomes = crate::analysis::cases::run_all(&compiled)?;
    let mut failed = 0;
    for o in &outcomes {
        if o.failures.is_empty() {
            println!("ok     {} — {}", o.file, o.name);
        } else {
            failed += 1;
            println!("ÉCHEC  {} — {}", o.file, o.name);
            for f in &o.failures {
                println!("         {f}");
            }
        }
    }
    let passed = outcomes.len() - failed;
    println!(
        "{}, {} en échec.",
        crate::fr::count(passed, "cas réussi", "cas réussis"),
        failed
    );
    if failed > 0 {
        return Err(Error::TestsFailed {
            failed,
            total: outcomes.len(),
        });
    }
    Ok(exit::OK)
}
