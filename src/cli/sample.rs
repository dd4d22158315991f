//! `boussole sample`: writes a synthetic, realistic national workbook.
//!
//! Usage: `boussole sample [--structures N] [--years Y] [--seed S] [--first-year A] -o FILE [--force]`.
//! The generation lives in [`crate::sample`]; this file parses the options, writes the file
//! atomically and says what was written.

use crate::cli::values::{in_range, seed, xlsx_output};
use crate::error::{Result, UsageError, exit};
use crate::fr;
use crate::report::atomic::write_atomically;
use crate::sample::{
    EARLIEST_FIRST_YEAR, LATEST_FIRST_YEAR, MAX_STRUCTURES, MAX_YEARS, SampleOptions,
    regional_sample_workbook, sample_workbook,
};
use std::path::PathBuf;

/// Génère un classeur national synthétique (feuilles « Indicateurs » et « Contexte »).
///
/// Les données sont fictives mais ont les ordres de grandeur du réseau réel : 440 missions
/// locales réparties dans les 18 régions, codes INSEE en texte, contexte territorial et
/// résultats qui en dépendent, quelques valeurs « n.d. ». Mêmes options, même fichier,
/// à l'octet près.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole sample -o workbooks/exemple-national.xlsx --force\n  boussole sample --structures 100000 --years 3 --seed 7 -o gros.xlsx"
)]
pub struct Args {
    /// Nombre de missions locales (de 1 à 1 000 000).
    #[arg(long, value_name = "N", default_value_t = 440, value_parser = parse_structures, allow_hyphen_values = true)]
    pub structures: usize,
    /// Nombre d'années consécutives (de 1 à 20) ; au-delà de 1, une ligne par structure et par année.
    #[arg(long, value_name = "Y", default_value_t = 1, value_parser = parse_years, allow_hyphen_values = true)]
    pub years: u32,
    /// Graine du générateur : mêmes options, même classeur.
    #[arg(long, value_name = "S", default_value_t = 2011, value_parser = seed, allow_hyphen_values = true)]
    pub seed: u64,
    /// Première année observée (de 1900 à 2100).
    #[arg(long, value_name = "A", default_value_t = 2010, value_parser = parse_first_year, allow_hyphen_values = true)]
    pub first_year: i32,
    /// Classeur à écrire (.xlsx).
    #[arg(short, long, value_name = "FICHIER", value_parser = xlsx_output)]
    pub output: PathBuf,
    /// Remplace le fichier s'il existe déjà.
    #[arg(long)]
    pub force: bool,
    /// N'écrit que les missions locales d'une région de l'échantillon national (ce que reçoit
    /// une direction régionale), par exemple « Bretagne ».
    #[arg(long, value_name = "RÉGION")]
    pub region: Option<String>,
}

fn parse_structures(s: &str) -> std::result::Result<usize, UsageError> {
    in_range(
        s,
        1,
        MAX_STRUCTURES,
        "le nombre de structures (--structures)",
    )
}

fn parse_years(s: &str) -> std::result::Result<u32, UsageError> {
    in_range(s, 1, MAX_YEARS, "le nombre d'années (--years)")
}

fn parse_first_year(s: &str) -> std::result::Result<i32, UsageError> {
    in_range(
        s,
        EARLIEST_FIRST_YEAR,
        LATEST_FIRST_YEAR,
        "la première année (--first-year)",
    )
}

/// Generates the workbook, writes it atomically and reports it.
pub fn run(args: Args) -> Result<i32> {
    let opts = SampleOptions {
        structures: args.structures,
        years: args.years,
        seed: args.seed,
        first_year: args.first_year,
    };
    let bytes = match &args.region {
        Some(region) => regional_sample_workbook(&opts, region)?,
        None => sample_workbook(&opts)?,
    };
    write_atomically(&args.output, &bytes, args.force)?;
    let what = match &args.region {
        Some(region) => format!(
            "les missions locales de « {region} » d'un échantillon national de {}",
            opts.structures
        ),
        None => fr::count(opts.structures, "mission locale", "missions locales"),
    };
    println!(
        "Classeur synthétique écrit : {what}, {} ({}), graine {}, dans « {} ».",
        fr::count(opts.years as usize, "année", "années"),
        opts.span(),
        opts.seed,
        args.output.display()
    );
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_explained_in_french() {
        assert_eq!(parse_structures("440").unwrap(), 440);
        assert!(
            parse_structures("0")
                .unwrap_err()
                .to_string()
                .contains("entre 1 et 1\u{202f}000\u{202f}000")
        );
        assert!(
            parse_years("21")
                .unwrap_err()
                .to_string()
                .contains("nombre d'années")
        );
        assert!(parse_first_year("abc").is_err());
    }
}
