//! `boussole run`: the main job. Reads workbooks, evaluates the pack, writes annotated
//! workbooks (next to each input as `<name>-boussole.xlsx` unless told otherwise) and,
//! with `--json`, the results as JSON. Several files or folders run in parallel with one
//! compiled pack; `--merge` analyses them as one dataset; `--reference` takes the national
//! and peer frames from a national workbook; `--by-region` writes, from one national
//! analysis, the national workbook and one per region (`analysis::regional`). Outputs are
//! written atomically; an existing output is not replaced without `--force`; inputs are
//! only read.

use crate::analysis::analyse::{Overrides, analyse_with_reference};
use crate::analysis::results::Results;
use crate::analysis::sensitivity;
use crate::analysis::stability::{self, DEFAULT_SEED, Resampling};
use crate::cli::paths::{
    ReadFiles, SPREADSHEET_EXTENSIONS, batch_outputs, default_output, expand_inputs,
};
use crate::dataset::{Dataset, Severity};
use crate::error::{Error, InputError, InternalError, Result, UsageError, WriteError, exit};
use crate::fr;
use crate::pack::Pack;
use crate::pack::engine::CompiledPack;
use crate::report::annotated::lone_region_warning;
use crate::report::atomic::{Staging, check_folder};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Analyse un ou plusieurs classeurs et écrit les classeurs annotés.
#[derive(Debug, clap::Args)]
#[command(
    help_template = crate::cli::HELP_TEMPLATE,
    after_help = "Exemples :\n  boussole run workbooks/exemple-national.xlsx\n  boussole run classeur.xlsx -o annote.xlsx --json resultats.json\n  boussole run regions/ --out-dir sorties/ --jobs 2\n  boussole run bretagne.xlsx --reference national.xlsx\n  boussole run bretagne.xlsx normandie.xlsx --merge -o fusion.xlsx\n  boussole run national.xlsx --by-region --out-dir regions/ --json regions/ --per-structure"
)]
pub struct Args {
    /// Classeurs (xlsx, xlsm, xls, xlsb, ods, csv) ou dossiers de classeurs.
    #[arg(value_name = "CLASSEUR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Fichier du classeur annoté (un seul classeur, ou avec --merge).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FICHIER",
        conflicts_with = "out_dir",
        value_parser = crate::cli::values::xlsx_output
    )]
    pub output: Option<PathBuf>,
    /// Dossier où écrire les classeurs annotés (par défaut : à côté de chaque classeur).
    #[arg(long, value_name = "DOSSIER")]
    pub out_dir: Option<PathBuf>,
    /// Dossier du pack de règles (par défaut : le pack « cpo » intégré).
    #[arg(long, value_name = "DOSSIER")]
    pub rules: Option<PathBuf>,
    /// Résultats JSON : un fichier pour un classeur, un dossier pour plusieurs (et avec
    /// --by-region).
    #[arg(long, value_name = "CHEMIN")]
    pub json: Option<PathBuf>,
    /// Remplace les fichiers de sortie existants.
    #[arg(long)]
    pub force: bool,
    /// N'affiche que les erreurs (ni barre de progression ni résumé).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Nombre de classeurs traités en parallèle (par défaut : tous les cœurs).
    #[arg(long, short = 'j', value_name = "N", value_parser = crate::cli::values::jobs, allow_hyphen_values = true)]
    pub jobs: Option<u16>,
    /// Parcourt aussi les sous-dossiers des dossiers donnés.
    #[arg(long)]
    pub recursive: bool,
    /// Classeur national de référence : les référentiels national et des pairs en sont tirés,
    /// seules les structures du classeur analysé sont annotées.
    #[arg(long, value_name = "CLASSEUR")]
    pub reference: Option<PathBuf>,
    /// Analyse tous les classeurs comme un seul jeu national (ils gardent leur fichier d'origine).
    #[arg(long)]
    pub merge: bool,
    /// Écrit aussi un petit classeur par structure (sa fiche et ses objectifs), à envoyer
    /// avant le dialogue : dans « <nom>-structures/ » à côté du classeur annoté.
    #[arg(long)]
    pub per_structure: bool,
    /// Objectifs de l'an dernier (sortie de boussole collect, xlsx ou json) : suivi
    /// objectif / réalisé par structure et indicateur.
    #[arg(long, value_name = "FICHIER")]
    pub objectives: Option<PathBuf>,
    /// Mesure la stabilité de chaque constat, recommandation et priorité régionale sous le
    /// bruit d'échantillonnage : les effectifs sont retirés au hasard N fois (100 suffit
    /// pour lire une stabilité au dixième près) et toute l'analyse est refaite à chaque
    /// tirage. Si le pack déclare des variantes de méthode ([[sensitivity.variants]]),
    /// l'analyse est aussi refaite une fois sous chacune, et la Synthèse dit la part des
    /// constats et recommandations qui tiennent.
    #[arg(long, value_name = "N", value_parser = resamples, allow_hyphen_values = true)]
    pub stability: Option<usize>,
    /// Écrit, dans le dossier de --out-dir, le classeur national et un classeur annoté par
    /// région (« <Région>.xlsx ») : les structures de la région, jugées sur les référentiels
    /// nationaux et les seuils régionaux de cette même analyse, et ses priorités régionales.
    /// Avec --json (un dossier) : le JSON national et un par région ; avec --per-structure :
    /// les classeurs par structure dans « <Région>-structures/ ».
    #[arg(long, conflicts_with_all = ["output", "merge"])]
    pub by_region: bool,
    /// Graine des tirages de --stability (par défaut 2026) : même graine, mêmes résultats.
    #[arg(long, value_name = "GRAINE", value_parser = crate::cli::values::seed, allow_hyphen_values = true, requires = "stability")]
    pub seed: Option<u64>,
}

/// Most resamples `--stability` takes: beyond, the third decimal of a share does not move.
pub const MAX_RESAMPLES: usize = 10_000;

/// `--stability`: from 1 to [`MAX_RESAMPLES`] resamples.
pub fn resamples(s: &str) -> std::result::Result<usize, UsageError> {
    crate::cli::values::in_range(
        s,
        1,
        MAX_RESAMPLES,
        "le nombre de tirages de la stabilité (--stability)",
    )
}

/// The resampling `--stability N [--seed S]` asks for.
pub fn resampling(stability: Option<usize>, seed: Option<u64>) -> Option<Resampling> {
    stability.map(|resamples| Resampling {
        resamples,
        seed: seed.unwrap_or(DEFAULT_SEED),
    })
}

/// What happened to one input of a batch.
#[derive(Debug)]
pub struct Outcome {
    pub input: PathBuf,
    pub structures: usize,
    pub errors: usize,
    pub warnings: usize,
    /// The warning that the file's national frame is the file itself (one region, no
    /// `--reference`), counted in `warnings`.
    pub lone_region: Option<String>,
    pub result: std::result::Result<PathBuf, Error>,
}

/// Where one analysed dataset writes.
struct Targets<'a> {
    annotated: &'a Path,
    json: Option<&'a Path>,
    /// The per-structure folder (`--per-structure`).
    structures: Option<&'a Path>,
}

impl Targets<'_> {
    fn all(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.annotated).chain(self.json)
    }
}

/// Everything a run shares across its inputs.
struct Job<'a> {
    /// Every file read (inputs, reference, objectives, pack): never written to, even with
    /// --force.
    read: &'a ReadFiles,
    pack: &'a Pack,
    compiled: &'a CompiledPack,
    reference: Option<&'a Dataset>,
    force: bool,
    /// `--objectives`: last year's collected objectives and where they come from.
    objectives: Option<(&'a crate::collect::Collected, &'a str)>,
    /// `--stability N [--seed S]`.
    resampling: Option<Resampling>,
}

impl Job<'_> {
    fn analyse(&self, dataset: &Dataset) -> Result<Results> {
        let mut results = analyse_with_reference(
            dataset,
            self.reference,
            self.compiled,
            &Overrides::default(),
        )?;
        if let Some(resampling) = self.resampling {
            results.stability = Some(stability::measure(
                dataset,
                self.reference,
                self.compiled,
                &results,
                resampling,
            )?);
            results.sensitivity =
                sensitivity::measure(dataset, self.reference, self.compiled, &results)?;
        }
        Ok(results)
    }

    /// Refuses, before anything is read, outputs that are inputs or that exist (without
    /// --force), and outputs whose folder is missing.
    fn refuse(&self, targets: &Targets) -> Result<()> {
        self.read.refuse_outputs(targets.all(), self.force)?;
        for path in targets.all() {
            check_folder(path)?;
        }
        Ok(())
    }

    /// Writes the workbook, the per-structure workbooks and the JSON of one analysed
    /// dataset, all or nothing, and returns what the terminal summary says of it. The
    /// workbook is built first (nothing is written if that fails); the per-structure
    /// workbooks and the JSON are written under temporary names; the results and the
    /// dataset are dropped before the workbook is assembled (its assembly is the run's peak
    /// of memory) and written under a temporary name too. Only then are they all moved in:
    /// an input that fails on the way leaves nothing new behind, and its rerun is not
    /// refused for outputs it had half written.
    ///
    /// With `release`, the memory the results and the dataset held is given back to the
    /// system before the assembly (one big input: the assembly then does not sit on the
    /// analysis' freed pages); not for the many small workbooks of a batch or a split, whose
    /// next workbook would only take the pages back from the system.
    fn write(
        &self,
        dataset: Dataset,
        results: Results,
        targets: &Targets,
        release: bool,
    ) -> Result<Summary> {
        let mut staging = Staging::new();
        let summary = self.stage(dataset, results, targets, &mut staging, release)?;
        staging.commit()?;
        Ok(summary)
    }

    /// Stages what [`Job::write`] writes into `staging`, without moving anything in.
    fn stage(
        &self,
        dataset: Dataset,
        results: Results,
        targets: &Targets,
        staging: &mut Staging,
        release: bool,
    ) -> Result<Summary> {
        let (summary, draft) = self.stage_all_but_workbook(&dataset, &results, targets, staging)?;
        drop((results, dataset));
        if release {
            crate::cli::release_freed_memory();
        }
        staging.stage(targets.annotated, &draft.save()?, self.force)?;
        Ok(summary)
    }

    /// Builds the annotated workbook's content and stages the per-structure workbooks and
    /// the JSON; the workbook itself is left to assemble and stage from the returned draft,
    /// which owns its content (the results and the dataset may be dropped before).
    fn stage_all_but_workbook(
        &self,
        dataset: &Dataset,
        results: &Results,
        targets: &Targets,
        staging: &mut Staging,
    ) -> Result<(Summary, crate::report::annotated::Draft)> {
        let mut summary = Summary::of(results, self.pack);
        let follow = self
            .objectives
            .map(|(c, source)| crate::collect::follow_up(results, c, source));
        summary.follow_up = follow.as_ref().map(|f| f.summary_fr());
        let draft =
            crate::report::annotated::build_workbook(results, dataset, self.pack, follow.as_ref())?;
        if let Some(dir) = targets.structures {
            crate::report::per_structure::stage_all(results, self.pack, dir, self.force, staging)?;
        }
        if let Some(json) = targets.json {
            // Written straight into its temporary file, one structure at a time.
            staging.stage_with(json, self.force, &mut |w| {
                crate::report::json::write_results(results, w)
            })?;
        }
        Ok((summary, draft))
    }

    /// One input of a batch, start to end.
    fn one(&self, input: &Path, targets: &Targets) -> Outcome {
        let mut outcome = Outcome {
            input: input.to_path_buf(),
            structures: 0,
            errors: 0,
            warnings: 0,
            lone_region: None,
            result: Ok(targets.annotated.to_path_buf()),
        };
        let mut run = || -> Result<()> {
            self.refuse(targets)?;
            let dataset = crate::workbook::read_path_for(input, &self.pack.manifest)?;
            let results = self.analyse(&dataset)?;
            let summary = self.write(dataset, results, targets, false)?;
            outcome.structures = summary.structures;
            outcome.errors = summary.errors;
            outcome.warnings = summary.warnings;
            outcome.lone_region = summary.lone_region;
            Ok(())
        };
        if let Err(e) = run() {
            outcome.result = Err(e);
        }
        outcome
    }
}

fn count(results: &Results, severity: Severity) -> usize {
    results
        .diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

pub fn run(args: Args) -> Result<i32> {
    let pack = Pack::load(args.rules.as_deref())?;
    let compiled = CompiledPack::compile(&pack)?;
    crate::cli::check::refuse_rejected(&pack, &compiled)?;
    let inputs = expand_inputs(&args.inputs, args.recursive, SPREADSHEET_EXTENSIONS);
    if inputs.is_empty() {
        return Err(InputError::NoWorkbookFound {
            given: args.inputs.clone(),
            extensions: SPREADSHEET_EXTENSIONS,
        }
        .into());
    }
    let single = inputs.len() == 1 && !args.inputs.iter().any(|p| p.is_dir());
    if args.by_region {
        if args.out_dir.is_none() {
            return Err(UsageError::ByRegionNeedsOutDir.into());
        }
        if !single {
            return Err(UsageError::ByRegionOneInput {
                given: fr::count(inputs.len(), "classeur", "classeurs"),
            }
            .into());
        }
    }
    if !single && !args.merge && args.output.is_some() {
        return Err(WriteError::OneFileForMany.into());
    }
    // `--by-region` makes its folder with its outputs (all or nothing).
    if let Some(dir) = &args.out_dir
        && !dir.is_dir()
        && !args.by_region
    {
        std::fs::create_dir_all(dir).map_err(|source| WriteError::CreateFolder {
            what: "dossier de sortie",
            dir: dir.clone(),
            source,
        })?;
    }
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
    let objectives = match &args.objectives {
        Some(path) => Some((
            crate::collect::read_collected(path)?,
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )),
        None => None,
    };
    let mut read = ReadFiles::new();
    read.add_all(&inputs);
    read.add_all(&args.reference);
    read.add_all(&args.objectives);
    read.add_pack(&pack);
    let job = Job {
        read: &read,
        pack: &pack,
        compiled: &compiled,
        reference: reference.as_ref(),
        force: args.force,
        objectives: objectives.as_ref().map(|(c, s)| (c, s.as_str())),
        resampling: resampling(args.stability, args.seed),
    };
    if args.by_region {
        return run_by_region(&job, &args, &inputs[0]);
    }
    if args.merge {
        return run_merged(&job, &args, &inputs);
    }
    if single {
        return run_single(&job, &args, &inputs[0]);
    }
    run_batch(&job, &args, &inputs)
}

/// What the terminal says of one analysed workbook, taken before its results are dropped.
struct Summary {
    file: String,
    structures: usize,
    regions: usize,
    set_aside: usize,
    errors: usize,
    /// The reading's warnings, and the lone-region warning when there is one.
    warnings: usize,
    reference: Option<String>,
    recommendations: usize,
    /// Recommendations made because data is missing (their rule reads the count of
    /// missing indicators).
    for_missing_data: usize,
    priorities: usize,
    /// `--objectives`: the follow-up's line.
    follow_up: Option<String>,
    /// `--stability`: the line on fragile findings.
    stability: Option<String>,
    /// The national frame is the file itself ([`lone_region_warning`]).
    lone_region: Option<String>,
}

impl Summary {
    fn of(results: &Results, pack: &Pack) -> Summary {
        let lone_region = lone_region_warning(results);
        let for_missing_data = results
            .structures
            .iter()
            .flat_map(|s| &s.recommendations)
            .filter(|r| rests_on_missing_data(pack, &r.rule))
            .count();
        Summary {
            file: results.input.file.clone(),
            structures: results.structures.len(),
            regions: results.regions.len(),
            set_aside: results.set_aside.len(),
            errors: count(results, Severity::Error),
            warnings: count(results, Severity::Warning) + usize::from(lone_region.is_some()),
            reference: results.reference.as_ref().map(|r| r.file.clone()),
            recommendations: results
                .structures
                .iter()
                .map(|s| s.recommendations.len())
                .sum(),
            for_missing_data,
            priorities: results.regions.iter().map(|r| r.priorities.len()).sum(),
            follow_up: None,
            stability: stability_line(results),
            lone_region,
        }
    }
}

/// `Stabilité sur 100 tirages (graine 2026) : 12 constats fragiles (sous 0,7) sur 480.`
fn stability_line(results: &Results) -> Option<String> {
    let stability = results.stability.as_ref()?;
    let (mut findings, mut fragile) = (0, 0);
    for (s, st) in results.structures.iter().enumerate() {
        for i in 0..st.indicators.len() {
            if st.indicators[i].finding.is_some() {
                findings += 1;
                fragile += usize::from(results.fragile_finding(s, i).is_some());
            }
        }
    }
    Some(format!(
        "Stabilité sur {} (graine {}) : {} (sous {}) sur {findings}.",
        fr::count(stability.resamples, "tirage", "tirages"),
        stability.seed,
        fr::count(fragile, "constat fragile", "constats fragiles"),
        fr::number(stability.fragile_below, 2),
    ))
}

/// Whether a decision's rule reads the count of missing indicators: its line or the three
/// before it in the script call `donnees_manquantes`.
fn rests_on_missing_data(pack: &Pack, rule: &crate::pack::decisions::RuleRef) -> bool {
    let Some(text) = pack.files.get(&*rule.script) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    let end = rule.line.min(lines.len());
    lines[end.saturating_sub(4)..end].iter().any(|l| {
        l.split("//")
            .next()
            .unwrap_or("")
            .contains("donnees_manquantes")
    })
}

fn print_single(summary: &Summary, targets: &Targets) {
    println!(
        "{} : {} dans {}, {}, {} et {}.",
        summary.file,
        fr::count(summary.structures, "structure", "structures"),
        fr::count(summary.regions, "région", "régions"),
        fr::count(summary.set_aside, "ligne écartée", "lignes écartées"),
        fr::count(summary.errors, "erreur", "erreurs"),
        fr::count(summary.warnings, "avertissement", "avertissements")
    );
    if let Some(warning) = &summary.lone_region {
        println!("Avertissement : {warning}.");
    }
    if let Some(file) = &summary.reference {
        println!("Référentiels national et des pairs tirés de « {file} ».");
    }
    let missing = if summary.for_missing_data > 0 {
        format!(
            " (dont {} parce que des données manquent : voir les avertissements de lecture)",
            summary.for_missing_data
        )
    } else {
        String::new()
    };
    println!(
        "{}{missing}, {}.",
        fr::count(summary.recommendations, "recommandation", "recommandations"),
        fr::count(
            summary.priorities,
            "priorité régionale",
            "priorités régionales"
        )
    );
    if let Some(line) = &summary.follow_up {
        println!("{line}");
    }
    if let Some(line) = &summary.stability {
        println!("{line}");
    }
    println!("Classeur annoté écrit : {}", targets.annotated.display());
    if let Some(json) = targets.json {
        println!("Résultats JSON écrits : {}", json.display());
    }
    if let Some(dir) = targets.structures {
        println!("Classeurs par structure écrits dans : {}", dir.display());
    }
}

/// `--json` for one annotated workbook: a file ending in `.json`. It is checked after the
/// guard on inputs, whose refusal (exit 5) says more.
fn json_file(args: &Args) -> Result<()> {
    if let Some(json) = &args.json {
        crate::cli::values::check_json_file(json)?;
    }
    Ok(())
}

fn run_single(job: &Job, args: &Args, input: &Path) -> Result<i32> {
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(input, args.out_dir.as_deref()));
    let structures = args
        .per_structure
        .then(|| crate::report::per_structure::default_dir(input, &output));
    let targets = Targets {
        annotated: &output,
        json: args.json.as_deref(),
        structures: structures.as_deref(),
    };
    job.refuse(&targets)?;
    json_file(args)?;
    let dataset = crate::workbook::read_path_for(input, &job.pack.manifest)?;
    let results = job.analyse(&dataset)?;
    let summary = job.write(dataset, results, &targets, true)?;
    if !args.quiet {
        print_single(&summary, &targets);
    }
    Ok(exit::OK)
}

fn run_merged(job: &Job, args: &Args, inputs: &[PathBuf]) -> Result<i32> {
    let output = args.output.clone().unwrap_or_else(|| {
        let dir = args.out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        dir.join("fusion-boussole.xlsx")
    });
    let structures = args
        .per_structure
        .then(|| crate::report::per_structure::default_dir(Path::new("fusion"), &output));
    let targets = Targets {
        annotated: &output,
        json: args.json.as_deref(),
        structures: structures.as_deref(),
    };
    job.refuse(&targets)?;
    json_file(args)?;
    let parts = inputs
        .par_iter()
        .map(|p| crate::workbook::read_path_for(p, &job.pack.manifest))
        .collect::<Result<Vec<Dataset>>>()?;
    let dataset = Dataset::merge(parts)?;
    let results = job.analyse(&dataset)?;
    let summary = job.write(dataset, results, &targets, true)?;
    if !args.quiet {
        println!(
            "{}.",
            fr::count(inputs.len(), "classeur fusionné", "classeurs fusionnés")
        );
        print_single(&summary, &targets);
    }
    Ok(exit::OK)
}

/// What one task of `run --by-region` made: the national workbook's bytes, or a region's
/// staged files and summary.
enum Written {
    /// The national workbook's summary, what it staged beside the workbook (its JSON) and
    /// the workbook's bytes.
    National(Box<Summary>, Staging, Vec<u8>),
    Region(usize, Staging, RegionalSummary),
}

/// What the terminal says of one regional workbook.
struct RegionalSummary {
    region: String,
    structures: usize,
    priorities: usize,
}

/// `run NATIONAL --by-region --out-dir DIR`: one read and one analysis of the national
/// workbook, then one annotated workbook per region (its results cut from the national ones
/// by `analysis::regional::Split`, written in parallel, each workbook's bytes staged and
/// dropped as soon as it is saved, so that memory does not grow with the number of
/// regions), then the national workbook, written as `run` writes it. Everything is staged in
/// one `Staging`, folders included: one failure leaves nothing new.
fn run_by_region(job: &Job, args: &Args, input: &Path) -> Result<i32> {
    let dir = args
        .out_dir
        .as_deref()
        .ok_or(UsageError::ByRegionNeedsOutDir)?;
    let json_dir = args.json.as_deref();
    if let Some(json) = json_dir {
        let named_as_file = !json.is_dir()
            && json
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json.is_file() || named_as_file {
            return Err(UsageError::JsonFileForRegions {
                path: json.to_path_buf(),
            }
            .into());
        }
    }
    for folder in std::iter::once(dir).chain(json_dir) {
        if folder.symlink_metadata().is_ok() && !folder.is_dir() {
            return Err(WriteError::NotAFolder {
                dir: folder.to_path_buf(),
            }
            .into());
        }
    }
    let national = crate::cli::paths::regional_outputs(input, dir, json_dir, &[]).national;
    let national_targets = Targets {
        annotated: &national.annotated,
        json: national.json.as_deref(),
        structures: None,
    };
    job.read.refuse_outputs(national_targets.all(), job.force)?;

    let dataset = crate::workbook::read_path_for(input, &job.pack.manifest)?;
    let results = job.analyse(&dataset)?;
    let split = crate::analysis::regional::Split::new(&results, &dataset);
    let regions = split.regions();
    let outputs = crate::cli::paths::regional_outputs(input, dir, json_dir, &regions);
    let targets: Vec<Targets> = outputs
        .regions
        .iter()
        .map(|o| Targets {
            annotated: &o.annotated,
            json: o.json.as_deref(),
            structures: args.per_structure.then_some(o.structures.as_path()),
        })
        .collect();
    for t in &targets {
        job.read.refuse_outputs(t.all(), job.force)?;
    }

    let mut staging = Staging::new();
    staging.folder(dir)?;
    if let Some(json) = json_dir {
        staging.folder(json)?;
    }
    let sizes: Vec<usize> = regions.iter().map(|r| split.structures_in(r)).collect();
    let order = largest_first_by(&sizes);
    // Task 0 builds and assembles the national workbook (from the national results, which
    // the split borrows too), the others write the regions, largest first, on every core
    // (`run_queued`; `--jobs` caps the workers): while one worker is on the national
    // workbook, the others are already on the regions.
    let workers = workers(args);
    let done = run_queued(workers, order.len() + 1, &|k| -> Result<Written> {
        let mut own = Staging::new();
        if k == 0 {
            let (summary, draft) =
                job.stage_all_but_workbook(&dataset, &results, &national_targets, &mut own)?;
            return Ok(Written::National(Box::new(summary), own, draft.save()?));
        }
        let i = order[k - 1];
        let region = regions[i];
        let results = split.results(region);
        let dataset = split.dataset(region);
        let summary = RegionalSummary {
            region: region.to_string(),
            structures: results.structures.len(),
            priorities: results.regions.iter().map(|r| r.priorities.len()).sum(),
        };
        job.stage(dataset, results, &targets[i], &mut own, false)?;
        Ok(Written::Region(i, own, summary))
    })?;
    let mut national = None;
    let mut regional = Vec::with_capacity(regions.len());
    // The first error in task order (the national workbook, then the regions largest first).
    for written in done {
        match written? {
            Written::National(summary, own, bytes) => national = Some((summary, own, bytes)),
            Written::Region(i, own, summary) => regional.push((i, own, summary)),
        }
    }
    let (summary, national_staged, national_bytes) =
        national.ok_or(InternalError::TaskWithoutResult("classeur national"))?;
    staging.append(national_staged);
    regional.sort_by_key(|(i, _, _)| *i);
    let mut summaries = Vec::with_capacity(regional.len());
    for (_, own, summary) in regional {
        staging.append(own);
        summaries.push(summary);
    }
    drop(split);
    drop((results, dataset));
    staging.stage(national_targets.annotated, &national_bytes, job.force)?;
    staging.commit()?;
    if !args.quiet {
        print_single(&summary, &national_targets);
        if let [only] = summaries.as_slice() {
            println!(
                "Avertissement : le classeur ne compte qu'une région (« {} ») : son classeur \
                 régional reprend les structures du classeur national.",
                only.region
            );
        }
        println!(
            "{} dans {} :",
            fr::count(
                summaries.len(),
                "classeur régional écrit",
                "classeurs régionaux écrits"
            ),
            dir.display()
        );
        for (s, t) in summaries.iter().zip(&targets) {
            println!(
                "  {} : {}, {} → {}",
                s.region,
                fr::count(s.structures, "structure", "structures"),
                fr::count(s.priorities, "priorité régionale", "priorités régionales"),
                t.annotated.display()
            );
        }
    }
    Ok(exit::OK)
}

fn run_batch(job: &Job, args: &Args, inputs: &[PathBuf]) -> Result<i32> {
    let json_dir = args.json.clone();
    if let Some(dir) = &json_dir {
        let named_as_file = !dir.is_dir()
            && dir
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if dir.is_file() || named_as_file {
            return Err(UsageError::JsonFileForMany { path: dir.clone() }.into());
        }
        std::fs::create_dir_all(dir).map_err(|source| WriteError::CreateFolder {
            what: "dossier JSON",
            dir: dir.clone(),
            source,
        })?;
    }
    // Every output name distinct from the others of its folder, case ignored, and valid
    // on Windows (two inputs `y.xlsx` and `y.csv` each keep their JSON and their folder).
    let outputs = batch_outputs(inputs, args.out_dir.as_deref(), json_dir.as_deref());
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = if show_progress {
        let bar = indicatif::ProgressBar::new(inputs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} classeurs  {elapsed_precise}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let jobs = workers(args);
    // Largest inputs first (`run_queued`): a batch of uneven files (a region of 70
    // structures beside one of 3) does not end with one core writing the last big file
    // while the other waits. The summary keeps the inputs' order.
    let order = largest_first(inputs);
    let started = run_queued(jobs, order.len(), &|k| {
        let i = order[k];
        let out = &outputs[i];
        let targets = Targets {
            annotated: &out.annotated,
            json: out.json.as_deref(),
            structures: args.per_structure.then_some(out.structures.as_path()),
        };
        let outcome = job.one(&inputs[i], &targets);
        bar.inc(1);
        (i, outcome)
    })?;
    let mut outcomes: Vec<Option<Outcome>> = inputs.iter().map(|_| None).collect();
    for (i, outcome) in started {
        outcomes[i] = Some(outcome);
    }
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    bar.finish_and_clear();
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    if !args.quiet || failed > 0 {
        print_summary(&outcomes);
    }
    if failed > 0 {
        eprintln!(
            "boussole : {} sur {} en échec (voir le résumé)",
            fr::count(failed, "classeur", "classeurs"),
            outcomes.len()
        );
        let code = outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().err())
            .map(Error::exit_code)
            .max()
            .unwrap_or(exit::INTERNAL);
        return Ok(code);
    }
    Ok(exit::OK)
}

/// Runs tasks `0..n` in that order on `workers` threads, each taking the next task when it
/// is free, and returns their results by task. Each worker has a rayon pool of its own, one
/// thread: a task's inner parallel work stays on its worker, instead of a worker waiting in
/// its task for a piece the other worker stole and holds inside another task. Callers order
/// their tasks largest first, so that the run does not end with one core on a big task
/// while the other waits.
fn run_queued<T: Send>(
    workers: usize,
    n: usize,
    task: &(dyn Fn(usize) -> T + Sync),
) -> Result<Vec<T>> {
    let pools = (0..workers.clamp(1, n.max(1)))
        .map(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(InternalError::Threads)?;
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(n));
    let work = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= n {
                break;
            }
            let result = task(k);
            done.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((k, result));
        }
    };
    std::thread::scope(|scope| {
        for pool in &pools {
            scope.spawn(|| pool.install(work));
        }
    });
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_by_key(|(k, _)| *k);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

/// The inputs' indices, largest file first (ties and unreadable sizes in the given order):
/// the order a batch starts them in.
fn largest_first(inputs: &[PathBuf]) -> Vec<usize> {
    let sizes: Vec<u64> = inputs
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    largest_first_by(&sizes)
}

/// The indices of `sizes`, largest first, ties in the given order (a stable sort).
fn largest_first_by<K: Ord + Copy>(sizes: &[K]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    order
}

/// How many workers a batch or a split runs on: `--jobs`, else every core.
fn workers(args: &Args) -> usize {
    args.jobs.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

fn print_summary(outcomes: &[Outcome]) {
    let name = |p: &Path| p.display().to_string();
    let width = outcomes
        .iter()
        .map(|o| name(&o.input).chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 60);
    println!(
        "{:<width$}  {:>10}  {:>7}  {:>13}  sortie ou erreur",
        "classeur", "structures", "erreurs", "avertissements"
    );
    for o in outcomes {
        match &o.result {
            Ok(out) => println!(
                "{:<width$}  {:>10}  {:>7}  {:>13}  {}",
                name(&o.input),
                o.structures,
                o.errors,
                o.warnings,
                out.display()
            ),
            Err(e) => println!(
                "{:<width$}  {:>10}  {:>7}  {:>13}  ÉCHEC : {}",
                name(&o.input),
                "—",
                "—",
                "—",
                e.to_string().lines().next().unwrap_or_default()
            ),
        }
    }
    for o in outcomes {
        if let Some(warning) = &o.lone_region {
            println!("Avertissement ({}) : {warning}.", name(&o.input));
        }
    }
    let ok = outcomes.iter().filter(|o| o.result.is_ok()).count();
    println!(
        "{}, {} en échec.",
        fr::count(ok, "classeur annoté", "classeurs annotés"),
        outcomes.len() - ok
    );
}

#[cfg(test)]
mod tests {
    use super::largest_first;

    #[test]
    fn a_batch_starts_with_its_largest_files_ties_in_the_given_order() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = [3usize, 10, 1, 10, 0];
        let paths: Vec<_> = sizes
            .iter()
            .enumerate()
            .map(|(k, n)| {
                let p = dir.path().join(format!("{k}.csv"));
                std::fs::write(&p, vec![b'x'; *n]).unwrap();
                p
            })
            .collect();
        let mut with_missing = paths.clone();
        with_missing.push(dir.path().join("absent.csv"));
        assert_eq!(largest_first(&with_missing), [1, 3, 0, 2, 4, 5]);
    }
}
