//! The fixed, machine-readable layout of boussole's commitment sheets: the contract between
//! the writers (`report::annotated::objectifs` for the « Objectifs » sheet,
//! `report::collected` for the collected workbook) and the readers (`collect::read` for
//! returned workbooks, [`super::read_collected`] for the collected one).
//!
//! Labels and titles are matched by value, never by position: a column may move, a title
//! may not change on one side only. The rule of a negotiated value per unit
//! ([`EntryRule`]) is here too: the writer turns it into the cell's data validation, the
//! reader checks returned values against it.

use crate::pack::manifest::Unit;

/// Column A label of the stamp cell (value in column B): `sha256:pack hash:version`.
pub const STAMP: &str = "Tampon de l'analyse";
/// Column A label of the analysed file's name (value in column B).
pub const FILE: &str = "Fichier analysé";
/// The objectives table's column titles (the header row starts with [`CODE`]).
pub const CODE: &str = "Code";
pub const NAME: &str = "Nom";
pub const REGION: &str = "Région";
pub const INDICATOR: &str = "Indicateur";
pub const UNIT: &str = "Unité";
pub const VALUE: &str = "Valeur actuelle";
pub const PROPOSED: &str = "Objectif proposé";
pub const NEGOTIATED: &str = "Objectif négocié";
pub const COMMENT: &str = "Commentaire";
pub const RATIONALE: &str = "Justification";
/// Hidden: `code|indicator id` (objectives) or `code|recommendation id` (actions).
pub const KEY: &str = "Clé";
/// Hidden: the unit's code ([`unit_code`]).
pub const RULE: &str = "Règle de saisie";
/// The action plan's column titles (its header row also starts with [`CODE`]).
pub const RECOMMENDATION: &str = "Recommandation";
pub const PRIORITY: &str = "Priorité";
pub const ACTION: &str = "Action";
pub const RESPONSIBLE: &str = "Responsable";
pub const DUE: &str = "Échéance";
pub const FOLLOWED: &str = "Indicateur suivi";

/// Names of the collected workbook's sheets.
pub const SHEET_OBJECTIVES: &str = "Objectifs négociés";
pub const SHEET_ACTIONS: &str = "Plans d'action";
pub const SHEET_DIAGNOSTICS: &str = "Diagnostics";
pub const SHEET_COLLECT: &str = "Collecte";
/// The collected workbook's own column titles (with [`CODE`], [`NAME`], [`REGION`],
/// [`INDICATOR`], [`UNIT`] holding the unit's code, [`PROPOSED`], [`NEGOTIATED`],
/// [`COMMENT`] and the action plan's titles).
pub const IDENTIFIER: &str = "Identifiant";
/// The value at the time of the analysis.
pub const ANALYSED_VALUE: &str = "Valeur";
/// The entry's status ([`super::EntryStatus::label_fr`]).
pub const STATUS: &str = "Statut";
/// What was entered, when it was not valid.
pub const ENTERED: &str = "Saisie";
/// The returned workbook a line comes from.
pub const SOURCE_FILE: &str = "Fichier";
/// Where in it: `sheet!cell`.
pub const SOURCE_CELL: &str = "Cellule";

/// Every unit, in the order of their codes' first use.
const UNITS: [Unit; 4] = [Unit::Fraction, Unit::Count, Unit::Decimal, Unit::Ratio];

/// The unit's code in the hidden rule column (and the collected workbook's unit column).
///
/// ```
/// use boussole::collect::layout::{unit_code, unit_of};
/// use boussole::pack::manifest::Unit;
/// assert_eq!(unit_code(Unit::Fraction), "fraction");
/// assert_eq!(unit_of(" count "), Some(Unit::Count));
/// ```
pub fn unit_code(unit: Unit) -> &'static str {
    match unit {
        Unit::Fraction => "fraction",
        Unit::Count => "count",
        Unit::Decimal => "decimal",
        Unit::Ratio => "ratio",
    }
}

/// The unit of a code written by [`unit_code`].
pub fn unit_of(code: &str) -> Option<Unit> {
    UNITS.into_iter().find(|&u| unit_code(u) == code.trim())
}

/// The values a negotiated objective may take for a unit: the one rule behind the data
/// validation of the « Objectif négocié » cells and the check of the values returned.
///
/// ```
/// use boussole::collect::layout::EntryRule;
/// use boussole::pack::manifest::Unit;
/// assert!(EntryRule::of(Unit::Fraction).admits(0.45));
/// assert!(!EntryRule::of(Unit::Fraction).admits(45.0));
/// assert!(!EntryRule::of(Unit::Count).admits(2.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryRule {
    pub min: f64,
    /// The upper bound, when there is one.
    pub max: Option<f64>,
    /// Whole numbers only.
    pub whole: bool,
    /// The rule as a collect diagnostic says what is expected (« … est attendu »).
    pub expected: &'static str,
    /// The rule as the sheet's input and error messages say it.
    pub hint: &'static str,
}

impl EntryRule {
    pub fn of(unit: Unit) -> EntryRule {
        match unit {
            Unit::Fraction => EntryRule {
                min: 0.0,
                max: Some(1.0),
                whole: false,
                expected: "une proportion entre 0 et 1 (0 % à 100 %)",
                hint: "Une proportion entre 0 % et 100 % (saisir 45 % ou 0,45).",
            },
            Unit::Count => EntryRule {
                min: 0.0,
                max: None,
                whole: true,
                expected: "un nombre entier positif ou nul",
                hint: "Un nombre entier positif ou nul.",
            },
            Unit::Decimal | Unit::Ratio => EntryRule {
                min: 0.0,
                max: None,
                whole: false,
                expected: "un nombre positif ou nul",
                hint: "Un nombre positif ou nul.",
            },
        }
    }

    /// Does `x` keep the rule? A non-finite number never does.
    pub fn admits(&self, x: f64) -> bool {
        x.is_finite()
            && x >= self.min
            && self.max.is_none_or(|max| x <= max)
            && (!self.whole || x.fract() == 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_codes_read_back() {
        for unit in UNITS {
            assert_eq!(unit_of(unit_code(unit)), Some(unit));
        }
        assert_eq!(unit_of("pourcentage"), None);
    }

    #[test]
    fn rules_bound_the_negotiated_values() {
        let fraction = EntryRule::of(Unit::Fraction);
        assert!(fraction.admits(0.0) && fraction.admits(1.0));
        assert!(!fraction.admits(1.01) && !fraction.admits(-0.01));
        assert!(EntryRule::of(Unit::Count).admits(12.0));
        assert!(!EntryRule::of(Unit::Ratio).admits(-1.0));
        assert!(EntryRule::of(Unit::Decimal).admits(1e6));
        assert!(!EntryRule::of(Unit::Decimal).admits(f64::INFINITY));
        assert!(!EntryRule::of(Unit::Count).admits(f64::NAN));
    }
}
