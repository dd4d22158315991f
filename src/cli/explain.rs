//! `boussole explain INPUT --structure ID [--indicator ID] [--reference NATIONAL]`: the
//! full trace of one result, computed as `run` computes it (with `--reference`, the same
//! national and peer frames as `run --reference`). A code or an indicator the input does
//! not hold is a usage error (exit 2) proposing the nearest ones.

use crate::analysis::analyse::{Overrides, analyse_with_reference};
use crate::error::{InputError, Result, UsageError, exit};
use crate::fr::suggest;
use crate::pack::Pack;
use crate::pack::engine::CompiledPack;
use std::path::PathBuf;

/// Explique un résultat : cellules sources, référentiels, valeur attendue, score, règle.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole explain workbooks/exemple-national.xlsx --structure 01258\n  boussole explain classeur.xlsx --structure 2A004 --indicator taux_acces_emploi\n  boussole explain bretagne.xlsx --structure 22278 --reference national.xlsx"
)]
pub struct Args {
    /// Classeur à analyser.
    #[arg(value_name = "CLASSEUR")]
    pub input: PathBuf,
    /// Code de la structure (par exemple 01053).
    #[arg(long, value_name = "CODE")]
    pub structure: String,
    /// Identifiant de l'indicateur (par exemple taux_acces_emploi) ; tous par défaut.
    #[arg(long, value_name = "INDICATEUR")]
    pub indicator: Option<String>,
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Classeur national de référence, comme pour boussole run --reference : les
    /// référentiels national et des pairs en sont tirés.
    #[arg(long, value_name = "CLASSEUR")]
    pub reference: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let compiled = CompiledPack::compile(&pack)?;
    crate::cli::check::refuse_rejected(&pack, &compiled)?;
    let dataset = crate::workbook::read_path_for(&args.input, &pack.manifest)?;
    let reference = match &args.reference {
        Some(path) => Some(
            crate::workbook::read_path_for(path, &pack.manifest).map_err(|e| {
                InputError::Reference {
                    path: path.clone(),
                    source: Box::new(e),
                }
            })?,
        ),
        None => None,
    };
    let results = analyse_with_reference(
        &dataset,
        reference.as_ref(),
        &compiled,
        &Overrides::default(),
    )?;
    let Some(s) = results
        .structures
        .iter()
        .find(|s| s.id.as_str() == args.structure)
    else {
        return Err(UsageError::UnknownStructure {
            suggestion: suggest(
                &args.structure,
                results.structures.iter().map(|s| s.id.as_str()),
            ),
            code: args.structure,
            input: args.input,
        }
        .into());
    };
    let indicator = match &args.indicator {
        None => None,
        Some(id) => {
            Some(
                results
                    .indicator_index(id)
                    .ok_or_else(|| UsageError::UnknownIndicator {
                        id: id.clone(),
                        suggestion: suggest(id, results.indicators.iter().map(|d| d.id.as_str())),
                    })?,
            )
        }
    };
    print!(
        "{}",
        crate::analysis::trace::explain(&results, s, indicator)
    );
    Ok(exit::OK)
}
