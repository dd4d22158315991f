//! The columns of the two sheets, as the `cpo` pack names them (a test checks the labels
//! against `rules/cpo/pack.toml`): the id columns, then the activity and context values in
//! catalogue order, with how their numbers are shown and which are never missing.

/// How a column's numbers are shown.
#[derive(Clone, Copy)]
pub(super) enum NumberFormat {
    Count,
    Decimal,
    Fraction,
}

/// A value column: its header label, its number format, and whether it is never written
/// `n.d.` (the columns every structure reports).
pub(super) struct Column {
    pub label: &'static str,
    pub format: NumberFormat,
    pub always_present: bool,
}

use NumberFormat::{Count, Decimal, Fraction};

/// A column that may hold `n.d.` cells.
const fn column(label: &'static str, format: NumberFormat) -> Column {
    Column {
        label,
        format,
        always_present: false,
    }
}

/// A column every structure reports: never `n.d.`.
const fn always_present(label: &'static str, format: NumberFormat) -> Column {
    Column {
        label,
        format,
        always_present: true,
    }
}

/// Label of the id column (`code`) of the `Indicateurs` sheet, as in `rules/cpo/pack.toml`.
pub const LABEL_CODE: &str = "Code ML";
/// The id column of the `Contexte` sheet: an alias, as field workbooks do.
pub const LABEL_CONTEXT_CODE: &str = "Code structure";
/// Label of the name column (`nom`).
pub const LABEL_NAME: &str = "Nom de la mission locale";
/// Label of the region column (`region`).
pub const LABEL_REGION: &str = "Région";
/// Label of the year column (`annee`), present when the sample spans several years.
pub const LABEL_YEAR: &str = "Année";

/// The activity and result columns, in catalogue order.
pub(super) const ACTIVITY_COLUMNS: [Column; 14] = [
    always_present("Jeunes en premier accueil", Count),
    column("Jeunes en contact", Count),
    always_present("Jeunes accompagnés", Count),
    column("Entretiens individuels", Count),
    column("Entrées en CIVIS", Count),
    column("Sorties de CIVIS", Count),
    column("Sorties de CIVIS en emploi durable", Count),
    column("Jeunes en emploi", Count),
    column("Jeunes en emploi durable", Count),
    column("Jeunes en formation", Count),
    column("Jeunes en alternance", Count),
    column("Offres d'emploi collectées", Count),
    column("Entreprises en relation", Count),
    column("ETP conseillers", Decimal),
];

/// The context columns, in catalogue order.
pub(super) const CONTEXT_COLUMNS: [Column; 7] = [
    column("Population 16-25 ans", Count),
    column("Jeunes 16-25 ans actifs non occupés", Count),
    column("DEFM moins de 26 ans", Count),
    column("Taux de chômage des jeunes", Fraction),
    column("Part des jeunes sans diplôme", Fraction),
    column("Part des jeunes en QPV", Fraction),
    column("Densité de population", Count),
];

/// Labels of the activity columns, in the order written (for tests and documentation).
pub fn activity_labels() -> Vec<&'static str> {
    ACTIVITY_COLUMNS.iter().map(|c| c.label).collect()
}

/// Labels of the context columns, in the order written.
pub fn context_labels() -> Vec<&'static str> {
    CONTEXT_COLUMNS.iter().map(|c| c.label).collect()
}
