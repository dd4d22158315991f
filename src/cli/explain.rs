//! `boussole explain INPUT --structure ID [--indicator ID] [--reference NATIONAL]`: the
//! full trace of one result, computed as `run` computes it (with `--reference`, the same
//! national and peer frames as `run --reference`). A code or an indicator the input does
//! not hold is a usage error (exit 2) proposing the nearest ones.

use crate::analysis::analyse::{Overrides, analyse_with_reference};
use crate::analysis::results::Results;
use crate::error::{InputError, Result, UsageError, exit};
use crate::fr::{self, suggest};
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
    /// Mesure aussi, comme boussole run --stability, la stabilité de chaque constat et
    /// recommandation sur N tirages des effectifs, et, si le pack déclare des variantes de
    /// méthode, s'ils tiennent sous chacune.
    #[arg(long, value_name = "N", value_parser = crate::cli::run::resamples, allow_hyphen_values = true)]
    pub stability: Option<usize>,
    /// Graine des tirages de --stability (par défaut 2026).
    #[arg(long, value_name = "GRAINE", value_parser = crate::cli::values::seed, allow_hyphen_values = true, requires = "stability")]
    pub seed: Option<u64>,
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
    let mut results = analyse_with_reference(
        &dataset,
        reference.as_ref(),
        &compiled,
        &Overrides::default(),
    )?;
    if let Some(resampling) = crate::cli::run::resampling(args.stability, args.seed) {
        results.stability = Some(crate::analysis::stability::measure(
            &dataset,
            reference.as_ref(),
            &compiled,
            &results,
            resampling,
        )?);
        results.sensitivity = crate::analysis::sensitivity::measure(
            &dataset,
            reference.as_ref(),
            &compiled,
            &results,
        )?;
    }
    let Some(k) = results
        .structures
        .iter()
        .position(|s| s.id.as_str() == args.structure)
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
    let s = &results.structures[k];
    print!(
        "{}",
        crate::analysis::trace::explain(&results, s, indicator)
    );
    print!("{}", stability_text(&results, k, indicator));
    print!("{}", sensitivity_text(&results, k, indicator));
    Ok(exit::OK)
}

/// With `--stability` and the pack's method variants: for each judgement, how many
/// variants keep its finding and what those that do not give; for each recommendation, how
/// many make it too.
fn sensitivity_text(results: &Results, k: usize, indicator: Option<usize>) -> String {
    use std::fmt::Write;
    let Some(sens) = &results.sensitivity else {
        return String::new();
    };
    let Some(st) = sens.structures.get(k) else {
        return String::new();
    };
    let s = &results.structures[k];
    let n = sens.variants.len();
    let of = fr::count(n, "variante", "variantes");
    let mut out = String::new();
    let _ = writeln!(out, "\nSensibilité aux choix de méthode ({of} du pack) :");
    let kind_fr = |k: Option<crate::analysis::results::FindingKind>| {
        k.map_or("aucun constat".to_string(), |k| k.label_fr().to_lowercase())
    };
    for (i, kinds) in st.findings.iter().enumerate() {
        let Some(kinds) = kinds else { continue };
        if indicator.is_some_and(|only| only != i) {
            continue;
        }
        let base = s.indicators[i].finding.as_ref().map(|f| f.kind);
        let held = kinds.iter().filter(|k| **k == base).count();
        let others: Vec<String> = sens
            .variants
            .iter()
            .zip(kinds)
            .filter(|(_, k)| **k != base)
            .map(|(v, k)| format!("« {} » : {}", v.label, kind_fr(*k)))
            .collect();
        let others = if others.is_empty() {
            String::new()
        } else {
            format!(" ; {}", others.join(" ; "))
        };
        let _ = writeln!(
            out,
            "  {} : {}, maintenu dans {held} sur {of}{others}",
            results.indicators[i].label,
            kind_fr(base),
        );
    }
    if indicator.is_none() {
        for (r, held) in s.recommendations.iter().zip(&st.recommendations) {
            let _ = writeln!(
                out,
                "  recommandation {} : faite aussi dans {held} sur {of}",
                r.id
            );
        }
    }
    out
}

/// With `--stability`: each finding's stability (no finding included), each
/// recommendation's and each axis' rank interval in the region, in French.
fn stability_text(results: &Results, k: usize, indicator: Option<usize>) -> String {
    use std::fmt::Write;
    let (Some(stability), Some(st)) = (&results.stability, results.structure_stability(k)) else {
        return String::new();
    };
    let s = &results.structures[k];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nStabilité sur {} des effectifs (graine {}) : part des tirages qui redonnent le même résultat ; fragile sous {}.",
        fr::count(stability.resamples, "tirage", "tirages"),
        stability.seed,
        fr::number(stability.fragile_below, 2)
    );
    for (i, share) in st.findings.iter().enumerate() {
        let Some(share) = share else { continue };
        if indicator.is_some_and(|only| only != i) {
            continue;
        }
        let finding = s.indicators[i]
            .finding
            .as_ref()
            .map_or("aucun constat", |f| f.kind.label_fr());
        let fragile = if results.fragile_finding(k, i).is_some() {
            " — fragile"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} : {finding}, stabilité {}{fragile}",
            results.indicators[i].label,
            fr::number(*share, 2)
        );
    }
    if indicator.is_none() {
        for (r, share) in s.recommendations.iter().zip(&st.recommendations) {
            let _ = writeln!(
                out,
                "  recommandation {} : stabilité {}",
                r.id,
                fr::number(*share, 2)
            );
        }
        for (axis, rank) in results.axes.iter().zip(&st.axes) {
            let Some(rank) = rank else { continue };
            let interval = rank.interval.map_or(String::new(), |[lo, hi]| {
                format!(", de {lo} à {hi} dans 90 % des tirages")
            });
            let _ = writeln!(
                out,
                "  axe {} : rang {} sur {} dans la région{interval}",
                axis.label, rank.rank, rank.of
            );
        }
    }
    out
}
