//! The command line: one file per subcommand; this file only declares and dispatches.
//!
//! Subcommand and flag names are English (stable for scripts); help and messages are French.

pub mod check;
pub mod collect;
pub mod explain;
pub mod impact;
pub mod inspect;
pub mod paths;
pub mod rules;
pub mod run;
pub mod sample;
pub mod template;
pub mod test;
pub mod values;

use crate::error::exit;
use clap::{Parser, Subcommand};

/// Help in French: clap's own headings are English.
pub const HELP_TEMPLATE: &str =
    "{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "boussole",
    version,
    about = "Moteur de règles pour classeurs Excel : lit les classeurs du terrain, applique un pack de règles Rhai et écrit des classeurs annotés.",
    long_about = None,
    help_template = "{about-with-newline}\nUtilisation : {usage}\n\nCommandes :\n{subcommands}\n\nOptions :\n{options}{after-help}",
    after_help = "Exemples :\n  boussole run workbooks/exemple-national.xlsx\n  boussole inspect classeur.xlsx\n  boussole check --rules mes-regles/\n  boussole sample -o exemple.xlsx\n\nAide d'une commande : boussole <commande> --help",
    subcommand_value_name = "COMMANDE",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Affiche l'aide.
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Affiche la version.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,
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
    /// Relit les classeurs renvoyés après le dialogue : objectifs négociés et plans d'action consolidés.
    Collect(collect::Args),
}

/// A command-line mistake in French: clap's own messages are English, so each of its
/// error kinds is worded here from the error's context (the option, the value, the
/// suggestion); the value parsers' own errors ([`values`]) are French already.
fn usage_error_fr(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let hint = "\nAide : boussole --help, ou boussole <commande> --help";
    let suggestion = |kind: ContextKind| {
        let s = context(kind);
        if s.is_empty() {
            String::new()
        } else {
            format!(" ; vouliez-vous dire {s} ?")
        }
    };
    let message = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {arg}"),
        ErrorKind::UnknownArgument => {
            format!(
                "option ou argument inattendu : {arg}{}",
                suggestion(ContextKind::SuggestedArg)
            )
        }
        ErrorKind::InvalidSubcommand => format!(
            "commande inconnue : {}{}",
            context(ContextKind::InvalidSubcommand),
            suggestion(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if value.is_empty() => {
            format!("valeur manquante pour {arg}")
        }
        ErrorKind::InvalidValue => {
            let possible = context(ContextKind::ValidValue);
            if possible.is_empty() {
                format!("valeur invalide « {value} » pour {arg}")
            } else {
                format!(
                    "valeur invalide « {value} » pour {arg} (valeurs possibles : {possible}){}",
                    suggestion(ContextKind::SuggestedValue)
                )
            }
        }
        ErrorKind::ValueValidation => {
            // The value parsers of `values` give French reasons; any other source (none
            // is expected) is shown as a technical detail.
            match std::error::Error::source(e) {
                Some(source) if source.is::<crate::error::UsageError>() => {
                    format!("valeur invalide « {value} » pour {arg} : {source}")
                }
                Some(source) => {
                    format!("valeur invalide « {value} » pour {arg} (détail technique : {source})")
                }
                None => format!("valeur invalide « {value} » pour {arg}"),
            }
        }
        ErrorKind::NoEquals => format!("{arg} attend sa valeur après « = »"),
        ErrorKind::ArgumentConflict => {
            let prior = context(ContextKind::PriorArg);
            if prior.is_empty() {
                format!("{arg} ne peut être donné qu'une fois")
            } else {
                format!("{arg} ne peut pas être utilisé avec {prior}")
            }
        }
        ErrorKind::TooManyValues => {
            format!("{arg} ne prend pas de valeur ici : « {value} » en trop")
        }
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour {arg}")
        }
        ErrorKind::MissingSubcommand => "commande manquante".to_string(),
        ErrorKind::InvalidUtf8 => {
            "un argument n'est pas du texte valide (UTF-8) ; renommez le fichier ou le dossier"
                .to_string()
        }
        _ => "ligne de commande invalide".to_string(),
    };
    format!("{message}{hint}")
}

/// What the binary calls to give the memory freed so far back to the system (its
/// allocator keeps freed memory for reuse); none by default.
static RELEASE_FREED_MEMORY: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`release_freed_memory`] calls (once; later calls are ignored). The binary
/// gives mimalloc's collection, so that a run's peak of memory — the workbook's assembly,
/// after the analysis is dropped — does not sit on the analysis' freed pages.
pub fn on_release_freed_memory(release: fn()) {
    let _ = RELEASE_FREED_MEMORY.set(release);
}

/// Gives the memory freed so far back to the system, when the binary said how.
pub(crate) fn release_freed_memory() {
    if let Some(release) = RELEASE_FREED_MEMORY.get() {
        release();
    }
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    // A panic inside a guarded read of a corrupt workbook is turned into a French
    // refusal: it must not print a crash report. Any other panic is a bug and is shown.
    // So is a closed or full standard output (`| head`, `> /dev/full`): `println!` panics
    // then, and `main` turns it into its own ending below.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let stdout_failed = panic_text(info.payload()).is_some_and(is_stdout_failure);
        if !crate::error::panic_is_guarded() && !stdout_failed {
            default_hook(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let help = help_fr(&e.render().to_string());
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        eprint!("{help}");
                    } else {
                        print!("{help}");
                    }
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        exit::USAGE
                    } else {
                        exit::OK
                    }
                }
                _ => {
                    eprintln!("boussole : {}", usage_error_fr(&e));
                    exit::USAGE
                }
            };
        }
    };
    let command = std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Run(args) => run::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Impact(args) => impact::run(args),
        Command::Template(args) => template::run(args),
        Command::Collect(args) => collect::run(args),
    });
    let result = match std::panic::catch_unwind(command) {
        Ok(result) => result,
        Err(payload) => match panic_text(payload.as_ref()).filter(|t| is_stdout_failure(t)) {
            // A closed pipe (the reader has what it wanted): end quietly.
            Some(text) if text.contains("Broken pipe") || text.contains("os error 32") => {
                return exit::OUTPUT;
            }
            Some(text) => {
                let detail = text.trim_start_matches("failed printing to stdout: ");
                let meaning = os_error_code(detail)
                    .map(|code| crate::error::fr_io(std::io::Error::from_raw_os_error(code).kind()))
                    .unwrap_or("erreur d'écriture");
                eprintln!(
                    "boussole : écriture sur la sortie standard impossible : {meaning} (détail technique : {detail})"
                );
                return exit::OUTPUT;
            }
            None => std::panic::resume_unwind(payload),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("boussole : {e}");
            e.exit_code()
        }
    }
}

/// The text of a panic's payload, when it has one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

/// Is this the panic of `print!` on a closed or full standard output?
fn is_stdout_failure(text: &str) -> bool {
    text.starts_with("failed printing to stdout")
}

/// The number in an OS error's text (`… (os error 28)`).
fn os_error_code(text: &str) -> Option<i32> {
    let start = text.rfind("(os error ")? + "(os error ".len();
    text[start..].trim_end_matches(')').parse().ok()
}

/// Help text with clap's own English words in French: the headings it writes for
/// arguments, options and subcommands, and the default values it shows.
fn help_fr(help: &str) -> String {
    [
        ("Usage: ", "Utilisation : "),
        ("\nArguments:\n", "\nArguments :\n"),
        ("\nOptions:\n", "\nOptions :\n"),
        ("\nCommands:\n", "\nCommandes :\n"),
        ("[default: ", "[par défaut : "),
        ("[possible values: ", "[valeurs possibles : "),
        ("<COMMAND>", "<COMMANDE>"),
    ]
    .iter()
    .fold(help.to_string(), |text, (en, fr)| text.replace(en, fr))
}
