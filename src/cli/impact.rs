//! `boussole impact`: what a rule change would change, before adopting it. Each input is
//! read once and analysed with pack A and pack B (each compiled once); the two results are
//! compared ([`crate::analysis::impact::compare`]) and the comparison is printed as a
//! summary and written as a workbook ([`crate::report::impact::impact_workbook`],
//! `impact-boussole.xlsx` in the current folder unless told otherwise), atomically and
//! never over an existing file without `--force`.

use crate::analysis::analyse::{Overrides, analyse};
use crate::analysis::impact::{Impact, Summary, compare, finding_label, summaries};
use crate::analysis::results::PackStamp;
use crate::cli::paths::ReadFiles;
use crate::error::{Error, PackError, Result, exit};
use crate::fr;
use crate::pack::engine::CompiledPack;
use crate::pack::{Origin, Pack};
use crate::report::atomic::write_atomically;
use crate::report::impact::impact_workbook;
use std::path::{Path, PathBuf};

/// The default output, in the current folder.
pub const DEFAULT_OUTPUT: &str = "impact-boussole.xlsx";

/// How many changes the terminal lists after the summary.
const SHOWN_CHANGES: usize = 10;

/// Compare deux packs de règles sur les mêmes classeurs : constats, recommandations,
/// scores et priorités régionales qui changeraient.
///
/// Sans --rules-a (ou --rules-b), le pack « cpo » intégré tient lieu de pack A (ou B).
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole rules export mes-regles/\n  boussole impact --rules-b mes-regles/ workbooks/exemple-national.xlsx\n  boussole impact --rules-a ancien/ --rules-b nouveau/ bretagne.xlsx occitanie.xlsx -o impact.xlsx --force"
)]
pub struct Args {
    /// Classeurs à analyser avec les deux packs (xlsx, xlsm, xls, ods, csv).
    #[arg(value_name = "CLASSEUR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Dossier du pack A, la référence (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules_a: Option<PathBuf>,
    /// Dossier du pack B, le changement étudié (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules_b: Option<PathBuf>,
    /// Fichier du classeur d'impact (par défaut : impact-boussole.xlsx dans le dossier courant).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FICHIER",
        value_parser = crate::cli::values::xlsx_output
    )]
    pub output: Option<PathBuf>,
    /// Remplace le classeur d'impact s'il existe.
    #[arg(long)]
    pub force: bool,
    /// N'affiche que les erreurs.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A pack loaded and compiled once, with its stamp.
struct Side {
    pack: Pack,
    compiled: CompiledPack,
    stamp: PackStamp,
}

/// A pack error says which pack it comes from.
fn for_pack(e: Error, which: &'static str) -> Error {
    match e {
        Error::Rules(e) => PackError::Compared {
            pack: which,
            source: e,
        }
        .into(),
        e => e,
    }
}

fn side(rules: Option<&Path>, which: &'static str) -> Result<Side> {
    let pack = Pack::load(rules).map_err(|e| for_pack(e, which))?;
    let compiled = CompiledPack::compile(&pack).map_err(|e| for_pack(e.into(), which))?;
    crate::cli::check::refuse_rejected(&pack, &compiled).map_err(|e| for_pack(e, which))?;
    let stamp = PackStamp::of(&pack);
    Ok(Side {
        pack,
        compiled,
        stamp,
    })
}

pub fn run(args: Args) -> Result<i32> {
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT));
    let a = side(args.rules_a.as_deref(), "A")?;
    let b = side(args.rules_b.as_deref(), "B")?;
    let mut read = ReadFiles::new();
    read.add_all(&args.inputs);
    read.add_pack(&a.pack);
    read.add_pack(&b.pack);
    read.refuse_outputs([output.as_path()], args.force)?;
    let same_columns = a.pack.manifest.columns == b.pack.manifest.columns;

    let mut impacts: Vec<(String, Impact)> = Vec::with_capacity(args.inputs.len());
    for input in &args.inputs {
        let data_a = crate::workbook::read_path_for(input, &a.pack.manifest)?;
        // Reading depends on the columns a pack declares: read again only when they differ.
        let data_b = if same_columns {
            None
        } else {
            Some(crate::workbook::read_path_for(input, &b.pack.manifest)?)
        };
        let results_a =
            analyse(&data_a, &a.compiled, &Overrides::default()).map_err(|e| for_pack(e, "A"))?;
        let results_b = analyse(
            data_b.as_ref().unwrap_or(&data_a),
            &b.compiled,
            &Overrides::default(),
        )
        .map_err(|e| for_pack(e, "B"))?;
        impacts.push((input.display().to_string(), compare(&results_a, &results_b)));
    }

    let bytes = impact_workbook(&impacts, &a.stamp, &b.stamp)?;
    write_atomically(&output, &bytes, args.force)?;
    if !args.quiet {
        print!("{}", report(&impacts, &a, &b));
        println!("Classeur d'impact écrit : {}", output.display());
    }
    Ok(exit::OK)
}

fn describe(side: &Side) -> String {
    let origin = match &side.pack.origin {
        Origin::Embedded => "intégré".to_string(),
        Origin::Folder(dir) => dir.display().to_string(),
    };
    let hash: String = side.stamp.hash.chars().take(12).collect();
    format!(
        "« {} » version {} ({origin}), empreinte {hash}",
        side.stamp.name, side.stamp.version
    )
}

/// The terminal report: the packs, the counts as an aligned table, the first changes.
fn report(impacts: &[(String, Impact)], a: &Side, b: &Side) -> String {
    let mut out = String::new();
    out.push_str(&format!("Pack A : {}\n", describe(a)));
    out.push_str(&format!("Pack B : {}\n", describe(b)));
    if a.stamp.hash == b.stamp.hash {
        out.push_str("Les deux packs sont identiques.\n");
    }
    out.push('\n');

    let columns: Vec<(String, Summary)> = summaries(impacts)
        .into_iter()
        .map(|(file, summary)| (file_name(file), summary))
        .collect();
    let labels = Summary::default().rows();
    let label_width = labels
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = columns
        .iter()
        .map(|(h, _)| h.chars().count().max(6))
        .collect();
    out.push_str(&" ".repeat(label_width));
    for ((h, _), w) in columns.iter().zip(&widths) {
        out.push_str(&format!("  {h:>w$}"));
    }
    out.push('\n');
    for (r, (label, _)) in labels.iter().enumerate() {
        out.push_str(&format!("{label:<label_width$}"));
        for ((_, s), w) in columns.iter().zip(&widths) {
            out.push_str(&format!("  {:>w$}", s.rows()[r].1));
        }
        out.push('\n');
    }

    let total: usize = impacts.iter().map(|(_, i)| i.summary.changes()).sum();
    if total == 0 {
        out.push_str("\nAucun changement : le pack B donne les mêmes résultats que le pack A.\n");
        return out;
    }
    let lines = change_lines(impacts);
    out.push_str(&format!(
        "\nPremiers changements ({} sur {total}) :\n",
        lines.len().min(SHOWN_CHANGES)
    ));
    for line in lines.iter().take(SHOWN_CHANGES) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// One French line per change, regional priorities and findings first (the most read),
/// stopping once enough are gathered.
fn change_lines(impacts: &[(String, Impact)]) -> Vec<String> {
    let mut lines = Vec::new();
    let prefix = |file: &str| {
        if impacts.len() > 1 {
            format!("{} · ", file_name(file))
        } else {
            String::new()
        }
    };
    for (file, i) in impacts {
        for c in &i.priorities {
            lines.push(format!(
                "{}{} : la priorité régionale « {} » {} (structures : {} → {})",
                prefix(file),
                c.region,
                c.text,
                c.change.label_fr(),
                c.count_before,
                c.count_after
            ));
        }
    }
    for (file, i) in impacts {
        for c in &i.findings {
            lines.push(format!(
                "{}{} {} ({}) : {} : {} → {}",
                prefix(file),
                c.structure.id,
                c.structure.name,
                c.structure.region,
                c.label,
                finding_label(c.before),
                finding_label(c.after)
            ));
        }
        for c in &i.recommendations {
            lines.push(format!(
                "{}{} {} ({}) : la recommandation « {} » {}",
                prefix(file),
                c.structure.id,
                c.structure.name,
                c.structure.region,
                c.text,
                c.change.label_fr()
            ));
        }
        for c in i.scores.iter().chain(&i.axes) {
            let show = |x: Option<f64>| x.map_or(fr::MISSING.into(), |x| fr::fixed(x, 1));
            lines.push(format!(
                "{}{} {} ({}) : score « {} » {} → {}",
                prefix(file),
                c.structure.id,
                c.structure.name,
                c.structure.region,
                c.label,
                show(c.before),
                show(c.after)
            ));
        }
        if lines.len() >= SHOWN_CHANGES {
            break;
        }
    }
    lines
}
