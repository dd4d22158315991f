//! Errors: typed values carried to the edge, turned into French text once, with an exit
//! status.
//!
//! # Design
//!
//! - [`Error`] has one variant per exit status (`docs/codes-sortie.md`), mapped by
//!   [`Error::exit_code`]: [`Error::Usage`] (2, a command-line value that cannot serve),
//!   [`Error::Reading`] (3, an input cannot be read or cannot serve), [`Error::Rules`] (4, the rule pack), [`Error::Writing`] (5, an output),
//!   [`Error::TestsFailed`] (6) and [`Error::Unexpected`] (1).
//! - Each category holds a typed enum: [`UsageError`], [`InputError`], [`PackError`], [`WriteError`],
//!   [`InternalError`]. A workbook the reader refuses is an [`InputError::Workbook`]: a
//!   [`ReadError`], the file and its [`Refusal`]. A variant is one situation, shared by
//!   every site that means it (every "cannot write file X" is [`WriteError::Write`]); it
//!   carries data (paths as `PathBuf`, the sheet, counts and limits) and the failing
//!   library error as its `source`, never a preformatted message.
//! - The French text of a variant is its `#[error(...)]` attribute, here: the message is
//!   composed once, when the edge (`cli::main`, or a batch summary) prints it. `Display`
//!   is the whole message; the library's own (English) text appears in it only as a
//!   « détail technique », and `source()` gives the library error itself to programs.
//!   An OS error is shown by [`Os`]: the French meaning of its kind ([`fr_io`]), then the
//!   OS text, after the path the user gave (never a temporary file's).
//! - A site returns its category's type, or [`Error`] when it can fail in several
//!   categories; `?` converts (`From` for each category, and for [`ReadError`] and
//!   [`MergeConflict`]). Callers that only care about the category (tests, a batch's exit
//!   status) use [`Error::exit_code`].
//!
//! Adding an error: find the situation below (reuse its variant if it means the same
//! thing), else add a variant to the category's enum with its data, its `source` and its
//! French text, and return it: `return Err(WriteError::Exists { path }.into())`.
//!
//! ```
//! use boussole::error::{Error, Refusal, exit};
//!
//! let err = boussole::workbook::read_bytes(b"", "vide.csv", &[]).unwrap_err();
//! assert_eq!(err.exit_code(), exit::PACK); // an empty catalogue is checked first
//!
//! let pack = boussole::pack::Pack::embedded()?;
//! let err = boussole::workbook::read_bytes(b"", "vide.csv", &pack.manifest.columns).unwrap_err();
//! assert_eq!(err.to_string(), "vide.csv : fichier vide");
//! assert_eq!(err.exit_code(), exit::INPUT);
//! assert!(matches!(err.refusal(), Some(Refusal::Empty)));
//! # Ok::<(), Error>(())
//! ```

pub use crate::dataset::{Difference, MergeConflict};
use std::cell::Cell;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use thiserror::Error;

/// Exit statuses (documented in `docs/codes-sortie.md`).
pub mod exit {
    /// Everything succeeded.
    pub const OK: i32 = 0;
    /// Unexpected internal failure.
    pub const INTERNAL: i32 = 1;
    /// The command line was wrong (clap's own status).
    pub const USAGE: i32 = 2;
    /// An input workbook could not be read or cannot serve.
    pub const INPUT: i32 = 3;
    /// The rule pack is invalid (manifest, script compile or runtime error, lint errors).
    pub const PACK: i32 = 4;
    /// Writing an output failed or was refused (existing output without `--force`).
    pub const OUTPUT: i32 = 5;
    /// Pack test cases failed.
    pub const TESTS_FAILED: i32 = 6;
}

/// Everything that stops a command, by exit status. The categories are boxed: every
/// `Result<_, Error>` stays as small as before on the path that succeeds (a sheet writer
/// returns millions of them).
#[derive(Debug, Error)]
pub enum Error {
    /// An input cannot be read or cannot serve (exit 3).
    #[error(transparent)]
    Reading(Box<InputError>),
    /// The rule pack is invalid (exit 4).
    #[error(transparent)]
    Rules(Box<PackError>),
    /// An output cannot be written, or was refused (exit 5).
    #[error(transparent)]
    Writing(Box<WriteError>),
    /// The command line asks for something that cannot be (exit 2, as clap's own
    /// usage errors).
    #[error(transparent)]
    Usage(Box<UsageError>),
    /// Pack test cases failed; their report was printed before (exit 6).
    #[error("{failed} cas de test en échec sur {total}")]
    TestsFailed { failed: usize, total: usize },
    /// What should not happen (exit 1).
    #[error("erreur interne : {0}")]
    Unexpected(Box<InternalError>),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Reading(_) => exit::INPUT,
            Error::Rules(_) => exit::PACK,
            Error::Writing(_) => exit::OUTPUT,
            Error::Usage(_) => exit::USAGE,
            Error::TestsFailed { .. } => exit::TESTS_FAILED,
            Error::Unexpected(_) => exit::INTERNAL,
        }
    }

    /// Why a workbook was refused, when that is the error.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Reading(e) => match e.as_ref() {
                InputError::Workbook(e) => Some(&e.refusal),
                _ => None,
            },
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Reading(Box::new(e))
    }
}

impl From<PackError> for Error {
    fn from(e: PackError) -> Self {
        Error::Rules(Box::new(e))
    }
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Self {
        Error::Writing(Box::new(e))
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(Box::new(e))
    }
}

impl From<InternalError> for Error {
    fn from(e: InternalError) -> Self {
        Error::Unexpected(Box::new(e))
    }
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        InputError::Workbook(e).into()
    }
}

impl From<MergeConflict> for Error {
    fn from(e: MergeConflict) -> Self {
        InputError::Merge(e).into()
    }
}

// ---------------------------------------------------------------------------------------
// Inputs (exit 3)
// ---------------------------------------------------------------------------------------

/// An input cannot be read or cannot serve.
#[derive(Debug, Error)]
pub enum InputError {
    /// A workbook the reader refuses.
    #[error(transparent)]
    Workbook(#[from] ReadError),
    /// Two workbooks of `run --merge` disagree on a structure.
    #[error(transparent)]
    Merge(#[from] MergeConflict),
    /// None of the given paths is or holds a workbook.
    #[error(
        "aucun classeur trouvé dans {} (extensions lues : {})",
        quoted_paths(given),
        extensions.join(", ")
    )]
    NoWorkbookFound {
        given: Vec<PathBuf>,
        extensions: &'static [&'static str],
    },
    /// The national reference workbook (`run --reference`) cannot serve.
    #[error("classeur de référence « {} » : {source}", path.display())]
    Reference { path: PathBuf, source: Box<Error> },
    /// `sample`: an option out of its range.
    #[error("{what} invalide ({given}) : {range}")]
    SampleOption {
        what: &'static str,
        given: String,
        range: &'static str,
    },
    /// `sample --region`: not a region's name.
    #[error(
        "région « {given} » inconnue{suggestion} (les 18 régions : voir boussole sample --help)"
    )]
    UnknownRegion { given: String, suggestion: String },
    /// `sample --region`: a national sample too small to hold one of the region's.
    #[error(
        "aucune mission locale de « {region} » dans un échantillon national de {structures} : augmentez --structures"
    )]
    EmptyRegion { region: String, structures: usize },
    /// `sample`: more rows than a sheet holds.
    #[error(
        "{structures} structures sur {years} années donnent {rows} lignes : une feuille Excel en contient au plus {limit} (réduire le nombre de structures ou d'années)"
    )]
    SampleTooManyRows {
        structures: usize,
        years: u32,
        rows: usize,
        limit: usize,
    },
    /// `collect`: no returned workbook to read.
    #[error("aucun classeur renvoyé à lire (xlsx, xlsm ou ods attendus)")]
    NoReturnedWorkbook,
    /// `collect`: a returned workbook without a boussole Objectifs sheet; `label` is the
    /// stamp cell's label it looked for.
    #[error(
        "{} : aucune feuille « Objectifs » avec un tampon d'analyse boussole (cellule « {label} » en colonne A) ; ce classeur ne vient pas de boussole run",
        file.display()
    )]
    NoObjectivesSheet { file: PathBuf, label: &'static str },
    /// `collect`: a stamp that does not parse.
    #[error(
        "{} : le tampon de l'analyse de la feuille « {sheet} » est illisible (« {stamp} »)",
        file.display()
    )]
    UnreadableStamp {
        file: PathBuf,
        sheet: String,
        stamp: String,
    },
    /// `collect`: returned workbooks of different analyses.
    #[error(
        "les classeurs renvoyés ne viennent pas de la même analyse : « {first} » vient de l'{first_run}, « {other} » de l'{other_run} ; collectez séparément les retours de chaque analyse"
    )]
    DifferentRuns {
        first: String,
        first_run: String,
        other: String,
        other_run: String,
    },
    /// `collect`: returned workbooks of an analysis made with another pack than the one
    /// given, whose catalogue (indicators, labels, plausible bounds) they are checked against.
    #[error(
        "« {file} » vient d'une analyse faite avec le pack d'empreinte {run_pack}…, différent du pack de la collecte ({pack}, empreinte {pack_hash}…) ; donnez le pack de l'analyse avec --rules"
    )]
    OtherPack {
        file: String,
        run_pack: String,
        pack: String,
        pack_hash: String,
    },
    /// `run --objectives`: a JSON file that is not `collect --json`'s.
    #[error(
        "{} : fichier d'objectifs JSON illisible ({source}) ; la sortie --json de boussole collect est attendue",
        file.display()
    )]
    CollectedJson {
        file: PathBuf,
        source: serde_json::Error,
    },
    /// `run --objectives`: a workbook that is not `collect`'s.
    #[error(
        "{} : ce n'est pas un classeur produit par boussole collect (feuille « {sheet} » attendue)",
        file.display()
    )]
    NotCollected { file: PathBuf, sheet: &'static str },
}

/// A workbook refused by the reader: the file as the user named it, and why.
#[derive(Debug)]
pub struct ReadError {
    pub file: PathBuf,
    pub refusal: Refusal,
}

impl ReadError {
    pub fn new(file: impl Into<PathBuf>, refusal: Refusal) -> ReadError {
        ReadError {
            file: file.into(),
            refusal,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} : {}", self.file.display(), self.refusal)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.refusal)
    }
}

/// Why a workbook cannot be read or cannot serve (the text follows `<file> : `).
#[derive(Debug, Error)]
pub enum Refusal {
    /// The file cannot be looked at (missing, permission...).
    #[error("{}", inaccessible(.0))]
    Inaccessible(#[source] io::Error),
    #[error("c'est un dossier, pas un classeur")]
    IsADirectory,
    /// A FIFO, a device or a socket: reading it could block or never end.
    #[error("ce n'est pas un fichier ordinaire (tube, périphérique ou socket) : il n'est pas lu")]
    NotARegularFile,
    /// Reading the file's bytes failed.
    #[error("lecture impossible : {}", Os(.0))]
    ReadFailed(#[source] io::Error),
    #[error("fichier vide")]
    Empty,
    #[error(
        "fichier de {} Mio, au-delà de la limite de {} Mio ; boussole refuse de le lire",
        size / MIB,
        limit / MIB
    )]
    TooBig { size: u64, limit: u64 },
    #[error(
        "ce fichier n'est pas un classeur (xlsx, xlsm, xls, xlsb, ods ou csv attendu) ; son contenu ne correspond à aucun de ces formats"
    )]
    NotAWorkbook,
    /// Text where a spreadsheet container is needed (boussole's own outputs).
    #[error("un classeur (xlsx, xlsm, ods) est attendu, pas un fichier texte")]
    TextNotWorkbook,
    #[error("extension « .{extension} » non reconnue (xlsx, xlsm, xls, xlsb, ods ou csv attendu)")]
    UnknownExtension { extension: String },
    #[error(
        "classeur protégé par mot de passe ; boussole ne peut pas le lire. Enregistrez-le sans mot de passe (Fichier > Informations > Protéger le classeur) puis relancez."
    )]
    Encrypted,
    #[error("archive zip qui ne contient pas de classeur (ni xl/workbook.xml, ni content.xml)")]
    ZipWithoutWorkbook,
    /// The zip archive cannot be walked or inflated.
    #[error(
        "archive du classeur tronquée ou corrompue ({}) ; réenregistrez le fichier depuis Excel ou LibreOffice",
        zip_text(.0)
    )]
    CorruptArchive(#[source] zip::result::ZipError),
    #[error("l'archive contient {entries} éléments (maximum {limit}) ; fichier anormal refusé")]
    TooManyEntries { entries: usize, limit: usize },
    #[error(
        "l'élément « {entry} » de l'archive se décompresse {ratio} fois plus gros que sa taille compressée ; bombe de décompression probable, fichier refusé"
    )]
    CompressionRatio { entry: String, ratio: u64 },
    #[error(
        "le classeur se décompresse au-delà de {} Mio ; bombe de décompression probable, fichier refusé",
        limit / MIB
    )]
    UnzipsTooBig { limit: u64 },
    #[error(
        "l'archive annonce des tailles fausses (un élément se décompresse au-delà de sa taille déclarée) ; fichier refusé"
    )]
    LyingSizes,
    /// The reader panicked on it (see `workbook::calamine_guard`).
    #[error("classeur corrompu (sa structure interne est incohérente) ; fichier refusé")]
    Corrupt,
    /// An xls whose compound-file structure is inconsistent (`cfb` says how).
    #[error("classeur xls corrompu (structure interne incohérente : {0}) ; fichier refusé")]
    CorruptXls(#[source] io::Error),
    #[error(
        "classeur ods tronqué ou corrompu (le contenu s'arrête au milieu d'un tableau) ; fichier refusé"
    )]
    TruncatedOds,
    /// The spreadsheet reader cannot open the workbook.
    #[error(
        "classeur illisible : {} ; fichier refusé (détail technique : {})",
        reader_error_fr(.0),
        reader_text(.0)
    )]
    Unreadable(#[source] Box<calamine::Error>),
    /// An xlsx or xlsb whose workbook part (the list of sheets) is missing or empty.
    #[error(
        "classeur illisible : une partie obligatoire du classeur manque ou est vide (« xl/workbook.xml », la liste des feuilles) ; fichier refusé"
    )]
    NoWorkbookPart,
    #[error("classeur illisible : il ne contient aucune feuille ; fichier refusé")]
    NoSheet,
    #[error(
        "la feuille « {sheet} » est illisible : {} (détail technique : {})",
        reader_error_fr(source),
        reader_text(source)
    )]
    SheetUnreadable {
        sheet: String,
        source: Box<calamine::Error>,
    },
    #[error(
        "la feuille « {sheet} » déclare {rows} lignes sur {columns} colonnes ; boussole refuse de la lire (au-delà de {limit} cellules)"
    )]
    SheetTooLarge {
        sheet: String,
        rows: usize,
        columns: usize,
        limit: u64,
    },
    #[error(
        "le classeur contient plus de {limit} cellules non vides ; boussole refuse de le lire (fichier anormal ou hostile)"
    )]
    TooManyCells { limit: usize },
    #[error(
        "le fichier CSV contient plus de {limit} valeurs non vides ; boussole refuse de le lire"
    )]
    TooManyCsvValues { limit: usize },
    /// No sheet has the catalogue's id column in its first rows; `labels` are the id
    /// column's names, already listed.
    #[error(
        "aucune feuille ne contient de colonne d'identifiant ({labels}) ; feuilles examinées : {}",
        listed_or_none(sheets)
    )]
    NoIdColumn { labels: String, sheets: Vec<String> },
    /// Required catalogue columns in no sheet with a header: all of them are named, each
    /// with the unmatched header it is near, if any.
    #[error(
        "{} ; feuilles examinées : {}",
        absent_columns(columns),
        sheets.join(", ")
    )]
    MissingColumns {
        columns: Vec<AbsentColumn>,
        sheets: Vec<String>,
    },
    /// The workbook has a header but no structure to analyse (a blank template, a header
    /// without data, or every row set aside).
    #[error(
        "aucune structure à analyser : {} ; boussole ne produit pas de classeur vide",
        no_structure(*rows_read, *set_aside, sheets)
    )]
    NoStructure {
        rows_read: usize,
        set_aside: usize,
        sheets: Vec<String>,
    },
}

/// A required column found nowhere, for [`Refusal::MissingColumns`].
#[derive(Debug, Clone, PartialEq)]
pub struct AbsentColumn {
    pub label: String,
    pub aliases: Vec<String>,
    /// The unmatched header it is near: (place such as `Indicateurs!K3`, the header as
    /// written, the label or alias it is near).
    pub near: Option<(String, String, String)>,
}

fn absent_columns(columns: &[AbsentColumn]) -> String {
    let one = |c: &AbsentColumn| {
        let near = c
            .near
            .as_ref()
            .map(|(place, text, name)| {
                format!(" — « {text} » ({place}) : vouliez-vous dire « {name} » ?")
            })
            .unwrap_or_default();
        format!("« {} » (ou {}){near}", c.label, other_names(&c.aliases))
    };
    match columns {
        [c] => format!("la colonne obligatoire {} est introuvable", one(c)),
        _ => format!(
            "{} colonnes obligatoires sont introuvables : {}",
            columns.len(),
            columns.iter().map(one).collect::<Vec<_>>().join(" ; ")
        ),
    }
}

fn no_structure(rows_read: usize, set_aside: usize, sheets: &[String]) -> String {
    let sheets = sheets
        .iter()
        .map(|s| format!("« {s} »"))
        .collect::<Vec<_>>()
        .join(", ");
    if rows_read == 0 {
        format!(
            "l'en-tête est trouvé (feuilles {sheets}) mais aucune ligne de données ne le suit (modèle vierge ?)"
        )
    } else {
        format!(
            "{} sous l'en-tête (feuilles {sheets}), {} ; voir « boussole inspect »",
            crate::fr::count(rows_read, "ligne lue", "lignes lues"),
            if set_aside == rows_read {
                "toutes écartées".to_string()
            } else {
                crate::fr::count(set_aside, "écartée", "écartées")
            }
        )
    }
}

const MIB: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Rule packs (exit 4)
// ---------------------------------------------------------------------------------------

/// The rule pack cannot be loaded or is invalid.
#[derive(Debug, Error)]
pub enum PackError {
    #[error("le dossier de règles « {} » n'existe pas ou n'est pas un dossier", dir.display())]
    NoFolder { dir: PathBuf },
    #[error("lecture du dossier de règles « {} » impossible : {}", dir.display(), Os(source))]
    ReadFolder { dir: PathBuf, source: io::Error },
    #[error(
        "le dossier de règles « {} » contient trop de fichiers (plus de {limit})",
        dir.display()
    )]
    TooManyFiles { dir: PathBuf, limit: usize },
    #[error(
        "le fichier de règles « {} » est trop gros ({size} octets, maximum {limit})",
        path.display()
    )]
    FileTooBig {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error(
        "lecture du fichier de règles « {} » impossible (texte UTF-8 attendu) : {}",
        path.display(),
        Os(source)
    )]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("le dossier de règles « {} » ne contient pas de manifeste pack.toml", dir.display())]
    NoManifestInFolder { dir: PathBuf },
    /// A FIFO, a device or a socket where a pack file is expected: never read.
    #[error(
        "« {} » n'est pas un fichier ordinaire (tube, périphérique ou socket) : il n'est pas lu",
        path.display()
    )]
    NotARegularFile { path: PathBuf },
    #[error("le manifeste pack.toml est absent du pack")]
    NoManifest,
    /// `pack.toml` is not a valid manifest; `at` is the line and column (1-based).
    #[error(
        "pack.toml : manifeste invalide{}\n{}",
        at.map(|(l, c)| format!(" (ligne {l}, colonne {c})")).unwrap_or_default(),
        source.message()
    )]
    Manifest {
        at: Option<(usize, usize)>,
        source: toml::de::Error,
    },
    /// A method variant of `[[sensitivity.variants]]` asks what the manifest cannot give.
    #[error("pack.toml, [[sensitivity.variants]], variante « {variant} » : {problem}")]
    Variant { variant: String, problem: String },
    #[error(
        "pack.toml : le script « {script} » déclaré dans [scripts] est introuvable dans le pack"
    )]
    MissingScript { script: String },
    #[error("le catalogue du pack ne déclare aucune colonne d'identifiant (role = \"id\")")]
    NoIdColumn,
    /// A test-case file of the pack is not valid TOML; `at` is the line and column.
    #[error(
        "cas de test {path}{} : {}",
        at.map(|(l, c)| format!(", ligne {l}, colonne {c}")).unwrap_or_default(),
        source.message()
    )]
    Case {
        path: String,
        at: Option<(usize, usize)>,
        source: toml::de::Error,
    },
    /// A script does not compile or fails while evaluating (where and why, in French).
    #[error("erreur dans les règles, {0}")]
    Script(ScriptError),
    /// `check` found errors (listed before).
    #[error(
        "le pack contient {} ; voir la liste ci-dessus",
        crate::fr::count(*errors, "erreur", "erreurs")
    )]
    Lint { errors: usize },
    /// `impact`: which of the two packs compared is wrong.
    #[error("pack {pack} : {source}")]
    Compared {
        pack: &'static str,
        source: Box<PackError>,
    },
}

// ---------------------------------------------------------------------------------------
// Outputs (exit 5)
// ---------------------------------------------------------------------------------------

/// An output cannot be written, or was refused.
#[derive(Debug, Error)]
pub enum WriteError {
    /// The one wording of that refusal (`report::atomic::refuse_existing`).
    #[error(
        "le fichier « {} » existe déjà : il n'est pas remplacé sans --force",
        path.display()
    )]
    Exists { path: PathBuf },
    /// An output that is a file the command reads (`cli::paths::ReadFiles`).
    #[error(
        "« {} » est un fichier que cette commande lit : boussole ne modifie jamais ses entrées, même avec --force ; choisissez un autre fichier de sortie",
        path.display()
    )]
    IsAnInput { path: PathBuf },
    #[error("le dossier de sortie « {} » n'existe pas", dir.display())]
    NoFolder { dir: PathBuf },
    /// The output's folder is a file (`-o rapport.xlsx/sortie.xlsx`).
    #[error("« {} » n'est pas un dossier : la sortie ne peut pas y être écrite", dir.display())]
    NotAFolder { dir: PathBuf },
    #[error("écriture de « {} » impossible : {}", path.display(), Os(source))]
    Write { path: PathBuf, source: io::Error },
    /// `what` names the folder: « dossier », « dossier de sortie », « dossier JSON ».
    #[error("création du {what} « {} » impossible : {}", dir.display(), Os(source))]
    CreateFolder {
        what: &'static str,
        dir: PathBuf,
        source: io::Error,
    },
    #[error("lecture du dossier « {} » impossible : {}", dir.display(), Os(source))]
    ReadFolder { dir: PathBuf, source: io::Error },
    #[error(
        "le dossier « {} » n'est pas vide : rien n'est écrasé ; choisissez un dossier nouveau ou vide",
        dir.display()
    )]
    FolderNotEmpty { dir: PathBuf },
    /// A workbook cannot be assembled; `workbook` names it (« classeur annoté »).
    #[error("assemblage du {workbook} impossible : {source}")]
    Assemble {
        workbook: String,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("écriture du classeur annoté impossible (feuille « {sheet} ») : {source}")]
    Sheet {
        sheet: String,
        source: rust_xlsxwriter::XlsxError,
    },
    /// rust_xlsxwriter panicked writing a streamed sheet's temporary file.
    #[error(
        "écriture du classeur annoté impossible : un fichier temporaire n'a pas pu être écrit (disque plein ou dossier temporaire inaccessible ?)"
    )]
    TemporaryFile,
    #[error(
        "-o désigne un seul fichier : avec plusieurs classeurs, utilisez --out-dir (ou --merge pour n'en faire qu'un)"
    )]
    OneFileForMany,
}

// ---------------------------------------------------------------------------------------
// Usage (exit 2)
// ---------------------------------------------------------------------------------------

/// A command-line value that cannot serve. The value parsers of `cli` return these, and
/// clap shows them after « valeur invalide « … » pour --option : »; the commands return
/// the others themselves.
#[derive(Debug, Error)]
pub enum UsageError {
    /// `explain --structure` names a code the workbook does not hold; `suggestion` is the
    /// closest codes, already phrased (or empty).
    #[error(
        "structure « {code} » introuvable dans {}{suggestion}",
        input.display()
    )]
    UnknownStructure {
        code: String,
        input: PathBuf,
        suggestion: String,
    },
    /// `explain --indicator` names an indicator the pack does not define.
    #[error("indicateur « {id} » inconnu du pack{suggestion}")]
    UnknownIndicator { id: String, suggestion: String },
    /// An output workbook whose name does not end in `.xlsx` (`-o sortie.csv` would write
    /// an xlsx under a name that lies about it).
    #[error(
        "un classeur .xlsx est écrit : le nom du fichier doit finir par « .xlsx » (par exemple « {} »)",
        suggested.display()
    )]
    NotXlsx { suggested: PathBuf },
    /// A JSON output whose name does not end in `.json`.
    #[error(
        "des résultats JSON sont écrits : le nom du fichier doit finir par « .json » (par exemple « {} »)",
        suggested.display()
    )]
    NotJson { suggested: PathBuf },
    /// An output file named with a trailing separator (`-o sortie/`).
    #[error("un nom de fichier est attendu, pas un dossier (le chemin finit par « / »)")]
    FolderForFile,
    /// A whole number outside its range, or not a whole number.
    #[error("{what} doit être un entier compris entre {low} et {high}")]
    OutOfRange {
        what: &'static str,
        low: String,
        high: String,
    },
    /// The JSON option of a batch names a file: a batch writes one JSON per workbook.
    #[error(
        "avec plusieurs classeurs, --json désigne un dossier (un fichier JSON par classeur), pas le fichier « {} »",
        path.display()
    )]
    JsonFileForMany { path: PathBuf },
    /// `run --by-region` cuts one national workbook: several were given (or a folder).
    #[error(
        "--by-region découpe un seul classeur national par région : {given} donnés (lancez une commande par classeur, ou --merge sans --by-region)"
    )]
    ByRegionOneInput { given: String },
    /// `run --by-region` without `--out-dir`: the regional workbooks need a folder.
    #[error(
        "--by-region écrit le classeur national et un classeur par région dans un dossier : donnez-le avec --out-dir DOSSIER (par exemple « boussole run national.xlsx --by-region --out-dir regions/ »)"
    )]
    ByRegionNeedsOutDir,
    /// `run --by-region --json` names a file: the split writes the national JSON and one per
    /// region.
    #[error(
        "avec --by-region, --json désigne un dossier (le JSON national et un par région), pas le fichier « {} »",
        path.display()
    )]
    JsonFileForRegions { path: PathBuf },
}

// ---------------------------------------------------------------------------------------
// Internal (exit 1)
// ---------------------------------------------------------------------------------------

/// What should not happen: shown after « erreur interne : ».
#[derive(Debug, Error)]
pub enum InternalError {
    #[error("sérialisation JSON impossible : {0}")]
    Json(#[from] serde_json::Error),
    #[error("création des fils de calcul impossible : {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("date de validation : {0}")]
    ValidationDate(#[source] rust_xlsxwriter::XlsxError),
    /// A task of a work queue gave no result (each runs once and returns one: a bug).
    #[error("tâche interne sans résultat : {0}")]
    TaskWithoutResult(&'static str),
}

// ---------------------------------------------------------------------------------------
// Wording helpers
// ---------------------------------------------------------------------------------------

/// What an OS error kind means, in French.
///
/// ```
/// assert_eq!(boussole::error::fr_io(std::io::ErrorKind::StorageFull), "disque plein");
/// ```
pub fn fr_io(kind: io::ErrorKind) -> &'static str {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => "introuvable",
        K::PermissionDenied => "permission refusée",
        K::AlreadyExists => "existe déjà",
        K::NotADirectory => "un élément du chemin n'est pas un dossier",
        K::IsADirectory => "c'est un dossier",
        K::DirectoryNotEmpty => "dossier non vide",
        K::ReadOnlyFilesystem => "disque en lecture seule",
        K::StorageFull => "disque plein",
        K::QuotaExceeded => "quota disque dépassé",
        K::FileTooLarge => "fichier trop gros",
        K::InvalidFilename => "nom de fichier invalide",
        K::InvalidData => "contenu invalide",
        K::UnexpectedEof => "fin de fichier inattendue",
        K::ResourceBusy | K::ExecutableFileBusy => "fichier occupé par un autre programme",
        K::CrossesDevices => "déplacement entre deux disques impossible",
        K::TimedOut => "délai dépassé",
        K::Interrupted => "opération interrompue",
        K::OutOfMemory => "mémoire insuffisante",
        K::Unsupported => "opération non prise en charge",
        _ => "erreur du système",
    }
}

/// An OS error the French way: the meaning of its kind, then the OS's own text as a
/// technical detail (`permission refusée (détail technique : Permission denied (os error
/// 13))`). The message around it names the user's path, so the temporary file's path that
/// tempfile appends to the OS text (`… at path "/dossier/.boussole-XXXX.tmp"`) is dropped.
pub struct Os<'a>(pub &'a io::Error);

impl fmt::Display for Os<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let detail = match self.0.get_ref() {
            Some(_) => text.split(" at path \"").next().unwrap_or(&text),
            None => &text,
        };
        write!(f, "{} (détail technique : {detail})", fr_io(self.0.kind()))
    }
}

fn inaccessible(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "fichier introuvable".to_string(),
        _ => format!("fichier inaccessible : {}", Os(e)),
    }
}

fn quoted_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("« {} »", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn listed_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "aucune".into()
    } else {
        names.join(", ")
    }
}

fn other_names(aliases: &[String]) -> String {
    if aliases.is_empty() {
        "aucun autre intitulé".to_string()
    } else {
        aliases
            .iter()
            .map(|a| format!("« {a} »"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A zip error's text; an inflation failure shows the io error's own.
fn zip_text(e: &zip::result::ZipError) -> String {
    match e {
        zip::result::ZipError::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// The reader's own text (calamine's wrapper adds « Xlsx error: » and the like).
pub(crate) fn reader_text(e: &calamine::Error) -> String {
    std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string)
}

/// What a spreadsheet reader's error means, in French (its own text is English and
/// technical). Also used for the diagnostics of sheets skipped as unreadable.
pub(crate) fn reader_error_fr(e: &calamine::Error) -> String {
    let text = reader_text(e);
    if let Some(part) = text
        .strip_prefix("File not found '")
        .and_then(|t| t.strip_suffix('\''))
    {
        return format!("une partie obligatoire du classeur manque (« {part} »)");
    }
    let lower = text.to_lowercase();
    let meaning = if lower.starts_with("zip error") {
        "l'archive du classeur est endommagée"
    } else if lower.starts_with("xml")
        || lower.starts_with("unexpected end of xml")
        || lower.starts_with("expecting '")
    {
        "le contenu interne (XML) du classeur est mal formé ou tronqué"
    } else if lower.starts_with("relationship not found") {
        "un lien interne du classeur est rompu"
    } else if lower.starts_with("parse") {
        "une valeur interne du classeur est illisible"
    } else if lower.starts_with("i/o error") {
        "la lecture du fichier a échoué"
    } else if lower.contains("overflow") {
        "le classeur annonce des dimensions hors des limites d'Excel"
    } else {
        "fichier corrompu ou format non pris en charge"
    };
    meaning.to_string()
}

// ---------------------------------------------------------------------------------------
// Panics from libraries
// ---------------------------------------------------------------------------------------

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Is the current thread inside [`catch_panic`]? The binary's panic hook stays silent then:
/// the panic is turned into a French refusal, not shown as a crash.
pub fn panic_is_guarded() -> bool {
    GUARDED.with(Cell::get)
}

/// Runs `work` on this thread; a panic inside it (a library that panics instead of
/// returning an error) becomes the error `on_panic` makes, and the panic hook stays silent.
pub(crate) fn catch_panic<T, E>(
    work: impl FnOnce() -> std::result::Result<T, E>,
    on_panic: impl FnOnce() -> E,
) -> std::result::Result<T, E> {
    let was = GUARDED.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    GUARDED.with(|g| g.set(was));
    outcome.unwrap_or_else(|_| Err(on_panic()))
}

// ---------------------------------------------------------------------------------------
// Script errors (exit 4)
// ---------------------------------------------------------------------------------------

/// An error in a pack script, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    pub script: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending line's text.
    pub snippet: Option<String>,
    /// What is wrong, in French.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(
                f,
                "{}, ligne {l}, colonne {c} : {}",
                self.script, self.message
            )?,
            (Some(l), None) => write!(f, "{}, ligne {l} : {}", self.script, self.message)?,
            _ => write!(f, "{} : {}", self.script, self.message)?,
        }
        if let (Some(l), Some(snippet)) = (self.line, &self.snippet) {
            let gutter = l.to_string().len();
            write!(f, "\n {:>gutter$} |\n {l} | {snippet}", "")?;
            if let Some(c) = self.column {
                let pad: String = snippet
                    .chars()
                    .take(c.saturating_sub(1))
                    .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {:>gutter$} | {pad}^", "")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScriptError {}

impl From<ScriptError> for Error {
    fn from(e: ScriptError) -> Self {
        PackError::Script(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_os_error_is_told_in_french_with_the_os_text_as_detail() {
        let e = io::Error::from(io::ErrorKind::PermissionDenied);
        let err = WriteError::Write {
            path: "sortie.xlsx".into(),
            source: e,
        };
        assert!(
            err.to_string().starts_with(
                "écriture de « sortie.xlsx » impossible : permission refusée (détail technique : "
            ),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn the_temporary_file_path_is_left_out_of_the_detail() {
        // What tempfile makes of an OS error: the error, then the temporary file's path.
        #[derive(Debug)]
        struct PathError(io::Error);
        impl fmt::Display for PathError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} at path \"/sortie/.boussole-x.tmp\"", self.0)
            }
        }
        impl std::error::Error for PathError {}
        let os = io::Error::new(io::ErrorKind::StorageFull, "No space left on device");
        let wrapped = io::Error::new(os.kind(), PathError(os));
        assert_eq!(
            Os(&wrapped).to_string(),
            "disque plein (détail technique : No space left on device)"
        );
    }

    #[test]
    fn a_missing_file_is_not_found_and_others_are_inaccessible() {
        let missing = ReadError::new(
            "a.xlsx",
            Refusal::Inaccessible(io::ErrorKind::NotFound.into()),
        );
        assert_eq!(missing.to_string(), "a.xlsx : fichier introuvable");
        let denied = ReadError::new(
            "a.xlsx",
            Refusal::Inaccessible(io::ErrorKind::PermissionDenied.into()),
        );
        assert!(
            denied.to_string().starts_with(
                "a.xlsx : fichier inaccessible : permission refusée (détail technique : "
            ),
            "{denied}"
        );
    }

    #[test]
    fn each_category_has_its_exit_status() {
        let input: Error = ReadError::new("a.csv", Refusal::Empty).into();
        assert_eq!(input.exit_code(), exit::INPUT);
        assert_eq!(Error::from(PackError::NoManifest).exit_code(), exit::PACK);
        let output: Error = WriteError::OneFileForMany.into();
        assert_eq!(output.exit_code(), exit::OUTPUT);
        let failed = Error::TestsFailed {
            failed: 1,
            total: 3,
        };
        assert_eq!(failed.to_string(), "1 cas de test en échec sur 3");
        assert_eq!(failed.exit_code(), exit::TESTS_FAILED);
    }
}
