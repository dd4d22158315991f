//! `boussole check [--rules DIR] [INPUT]`: compile and lint a pack, optionally against a
//! workbook's headers. Exit status 4 on errors; warnings are listed.

use crate::dataset::Severity;
use crate::error::{PackError, Result, exit};
use crate::pack::Pack;
use crate::pack::engine::CompiledPack;
use crate::pack::lint::{Lint, lint_pack};
use std::path::PathBuf;

/// Compile et vérifie un pack de règles.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole check\n  boussole check --rules mes-regles/\n  boussole check --rules mes-regles/ classeur.xlsx"
)]
pub struct Args {
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Classeur dont les en-têtes sont confrontés aux colonnes du pack.
    #[arg(value_name = "CLASSEUR")]
    pub input: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let compiled = CompiledPack::compile(&pack)?;
    let mut lints = pack_lints(&pack, &compiled);
    if let Some(input) = &args.input {
        lints.extend(check_against_workbook(&pack, input)?);
    }
    println!(
        "Pack « {} » version {} ({}, empreinte {}) : compilé.",
        pack.manifest.pack.name,
        pack.manifest.pack.version,
        crate::fr::count(pack.files.len(), "fichier", "fichiers"),
        &pack.hash()[..12]
    );
    lints.sort_by_key(|l| std::cmp::Reverse(l.severity));
    for l in &lints {
        println!(
            "  {:<13} {} : {}",
            l.severity.label_fr(),
            l.place,
            l.message
        );
    }
    let errors = lints
        .iter()
        .filter(|l| l.severity == Severity::Error)
        .count();
    let warnings = lints
        .iter()
        .filter(|l| l.severity == Severity::Warning)
        .count();
    println!(
        "{}, {}.",
        crate::fr::count(errors, "erreur", "erreurs"),
        crate::fr::count(warnings, "avertissement", "avertissements")
    );
    if errors > 0 {
        return Err(PackError::Lint { errors }.into());
    }
    Ok(exit::OK)
}

/// Refuses a pack that `check` rejects, for the commands that use one (`run`, `explain`,
/// `impact`): its errors are printed on the standard error, then the command stops (exit 4)
/// before reading anything.
pub fn refuse_rejected(pack: &Pack, compiled: &CompiledPack) -> Result<()> {
    let errors: Vec<Lint> = pack_lints(pack, compiled)
        .into_iter()
        .filter(|l| l.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    for l in &errors {
        eprintln!("boussole : {} : {}", l.place, l.message);
    }
    Err(PackError::Lint {
        errors: errors.len(),
    }
    .into())
}

/// What `check` finds in a pack itself: the linter's findings, and the pack's own cases
/// run through the scripts, so that run-time mistakes surface too.
fn pack_lints(pack: &Pack, compiled: &CompiledPack) -> Vec<Lint> {
    let mut lints = lint_pack(pack);
    match crate::analysis::cases::load_cases(compiled) {
        Ok(cases) => {
            for (file, case) in &cases {
                let outcome = crate::analysis::cases::run_case(compiled, file, case);
                for f in outcome
                    .failures
                    .iter()
                    .filter(|f| f.starts_with("l'évaluation a échoué"))
                {
                    lints.push(Lint {
                        severity: Severity::Error,
                        place: format!("{file}, cas « {} »", case.nom),
                        message: f.clone(),
                    });
                }
            }
        }
        Err(e) => lints.push(Lint {
            severity: Severity::Error,
            place: "tests/".into(),
            message: e.to_string(),
        }),
    }
    lints
}

fn check_against_workbook(pack: &Pack, input: &std::path::Path) -> Result<Vec<Lint>> {
    let dataset = crate::workbook::read_path(input, &pack.manifest.columns);
    let place = input.display().to_string();
    let dataset = match dataset {
        Ok(d) => d,
        Err(e) => {
            return Ok(vec![Lint {
                severity: Severity::Error,
                place,
                message: e.to_string(),
            }]);
        }
    };
    let mut out = Vec::new();
    for c in &pack.manifest.columns {
        if !dataset.columns.iter().any(|m| m.column == c.id) {
            out.push(Lint {
                severity: if c.required {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                place: place.clone(),
                message: format!(
                    "colonne « {} » ({}) introuvable dans le classeur",
                    c.label, c.id
                ),
            });
        }
    }
    for sheet in &dataset.sheets {
        for h in &sheet.ignored_headers {
            out.push(Lint {
                severity: Severity::Info,
                place: format!("{place}, feuille {}", sheet.sheet),
                message: format!("en-tête « {h} » inconnu du pack : ignoré"),
            });
        }
    }
    let regions: std::collections::BTreeSet<&str> = dataset
        .structures
        .iter()
        .map(|s| s.region.as_str())
        .collect();
    for r in pack.manifest.thresholds.regions.keys() {
        if !regions.contains(r.as_str()) {
            out.push(Lint {
                severity: Severity::Info,
                place: "pack.toml".into(),
                message: format!("les seuils propres à la région « {r} » ne servent pas pour ce classeur (aucune structure de cette région)"),
            });
        }
    }
    Ok(out)
}
