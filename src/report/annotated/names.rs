//! Sheet names: Excel-safe, unique, and the pack's labels for each sheet of the workbook.

use crate::dataset::Dataset;
use crate::pack::Pack;

/// Excel's limit on a sheet name, counted in UTF-16 code units (what Excel counts).
const MAX_SHEET_NAME: usize = 31;

/// An Excel-safe sheet name, unique (ignoring case) among `taken`, which it is added to.
///
/// Forbidden characters (`[ ] : * ? / \` and control characters) become `_`; leading and
/// trailing apostrophes are removed; the name is truncated by characters (never bytes) to
/// Excel's 31-character limit; a name already taken gets a ` (2)`, ` (3)`... suffix, the
/// name being shortened to keep the suffix.
///
/// ```
/// use boussole::report::annotated::sheet_name;
///
/// let mut taken = Vec::new();
/// assert_eq!(sheet_name("Données : 2024/2025", &mut taken), "Données _ 2024_2025");
/// assert_eq!(sheet_name("synthèse", &mut taken), "synthèse");
/// assert_eq!(sheet_name("SYNTHÈSE", &mut taken), "SYNTHÈSE (2)");
/// ```
pub fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = trim_apostrophes(cleaned.trim());
    let base = if cleaned.is_empty() {
        "Feuille".to_string()
    } else {
        cleaned
    };
    let is_taken = |name: &str, taken: &[String]| {
        let lower = name.to_lowercase();
        // Excel reserves "History" for its change tracking.
        lower == "history" || taken.iter().any(|t| t.to_lowercase() == lower)
    };
    let mut candidate = truncate_utf16(&base, MAX_SHEET_NAME);
    let mut n = 2usize;
    while is_taken(&candidate, taken) {
        let suffix = format!(" ({n})");
        let room = MAX_SHEET_NAME.saturating_sub(suffix.len());
        candidate = format!("{}{suffix}", truncate_utf16(&base, room));
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// Removes leading and trailing apostrophes (Excel refuses them) and surrounding spaces.
fn trim_apostrophes(s: &str) -> String {
    s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_string()
}

/// The longest prefix of `s` (whole characters) within `max` UTF-16 code units, without a
/// trailing apostrophe or space.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in s.chars() {
        len += c.len_utf16();
        if len > max {
            break;
        }
        out.push(c);
    }
    let trimmed = trim_apostrophes(&out);
    if trimmed.is_empty() {
        "Feuille".to_string()
    } else {
        trimmed
    }
}

/// The names of every sheet, decided before any is written since formulas and charts refer
/// to each other across sheets.
#[derive(Debug, Clone)]
pub(crate) struct SheetNames {
    pub synthese: String,
    pub fiche: String,
    pub indicateurs: String,
    /// The shared frames' statistics, once per frame and indicator.
    pub referentiels: String,
    pub axes: String,
    pub priorites: String,
    pub radars: String,
    /// The funnel charts of the judged indicators.
    pub entonnoirs: String,
    pub objectifs: String,
    /// Only written with `run --objectives`.
    pub suivi: String,
    /// One per `dataset.copies`, in order.
    pub donnees: Vec<String>,
    pub diagnostics: String,
    pub regles: String,
}

impl SheetNames {
    /// Sheet label keys (for `[labels]` in `pack.toml`): `synthese`, `fiche`, `indicateurs`,
    /// `referentiels`, `axes`, `priorites`, `radars`, `entonnoirs`, `objectifs`, `suivi`, `donnees` (prefix of the data copies), `diagnostics`,
    /// `regles`.
    pub fn new(pack: &Pack, dataset: &Dataset) -> SheetNames {
        let mut taken = Vec::new();
        let name = |key: &str, default: &str, taken: &mut Vec<String>| {
            sheet_name(&pack.manifest.label(key, default), taken)
        };
        let synthese = name("synthese", "Synthèse", &mut taken);
        let fiche = name("fiche", "Fiche", &mut taken);
        let indicateurs = name("indicateurs", "Indicateurs", &mut taken);
        let referentiels = name("referentiels", "Référentiels", &mut taken);
        let axes = name("axes", "Axes", &mut taken);
        let priorites = name("priorites", "Priorités", &mut taken);
        let radars = name("radars", "Radars", &mut taken);
        let entonnoirs = name("entonnoirs", "Entonnoirs", &mut taken);
        let objectifs = name("objectifs", "Objectifs", &mut taken);
        let suivi = name("suivi", "Suivi des objectifs", &mut taken);
        // The fixed sheets after the copies are reserved first so an input sheet called
        // "Diagnostics" does not take their name.
        let diagnostics = name("diagnostics", "Diagnostics", &mut taken);
        let regles = name("regles", "Règles", &mut taken);
        let prefix = pack.manifest.label("donnees", "Données");
        let donnees = dataset
            .copies
            .iter()
            .map(|c| sheet_name(&format!("{prefix} — {}", c.name), &mut taken))
            .collect();
        SheetNames {
            synthese,
            fiche,
            indicateurs,
            referentiels,
            axes,
            priorites,
            radars,
            entonnoirs,
            objectifs,
            suivi,
            donnees,
            diagnostics,
            regles,
        }
    }
}

/// A sheet name quoted for use in a formula: `'Priorités'!A1`.
pub(crate) fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_by_characters() {
        let mut taken = Vec::new();
        let wanted = "Données — Écarts régionaux détaillés par âge";
        let got = sheet_name(wanted, &mut taken);
        assert_eq!(got.chars().count(), 31);
        assert!(wanted.starts_with(&got));
    }

    #[test]
    fn suffix_keeps_the_limit() {
        let mut taken = Vec::new();
        let wanted = "Une feuille au nom vraiment très long";
        let a = sheet_name(wanted, &mut taken);
        let b = sheet_name(&wanted.to_uppercase(), &mut taken);
        assert_eq!(a.chars().count(), 31);
        assert!(b.ends_with(" (2)"));
        assert!(b.chars().count() <= 31);
    }

    #[test]
    fn apostrophes_and_empty_names() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("'Feuil1'", &mut taken), "Feuil1");
        assert_eq!(sheet_name("''", &mut taken), "Feuille");
        assert_eq!(sheet_name("history", &mut taken), "history (2)");
    }

    #[test]
    fn quoting_doubles_apostrophes() {
        assert_eq!(quoted("L'Indicateur"), "'L''Indicateur'");
    }
}
