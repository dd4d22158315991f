//! Tolerant reading of one cell: French numbers typed as text, missing-value markers, Excel
//! errors, codes that Excel turned into numbers, years.
//!
//! This module owns the interpretation of a single cell's content for a catalogue column. It
//! knows nothing of sheets, headers or rows: the caller gives the cell and gets a value plus,
//! when something was repaired or doubted, a diagnostic to place at the cell.

use super::grid::{Content, is_excel_error};
use crate::dataset::{CellRef, Diagnostic, Missing, Severity, Value};
use crate::pack::manifest::{ColumnSpec, Scale, Unit};

/// What a piece of text says as a number.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedText {
    /// A number. `percent` is true when the text carried a `%` sign; the value is then
    /// already divided by 100 (`12,5 %` gives 0.125).
    Number { value: f64, percent: bool },
    /// Nothing but spaces.
    Empty,
    /// A missing-value marker (`n.d.`, `NC`, `-`, `s.o.`...), as written.
    Marker(String),
    /// An Excel error value written as text (`#DIV/0!`, `#SPILL!`...), as written.
    ExcelError(String),
    /// Text that is not a number.
    Unreadable(String),
}

/// Spaces French users (and Excel exports) put in numbers: normal, no-break, narrow no-break,
/// thin.
fn is_number_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\t')
}

/// Missing-value markers, compared after lower-casing and removing spaces.
const MARKERS: &[&str] = &[
    "n.d.", "n.d", "nd", "nc", "n.c.", "n.c", "-", "--", "–", "—", "s.o.", "s.o", "so", "ns",
    "n.s.", "n.s", "na", "n.a.", "n/a", "nr", "/", "x", "?", "…", "...",
];

/// Tolerant French number parsing: `1 234`, `1 234,5`, `12,5 %`, `-3`, `1.234,5`, `0.125`.
///
/// ```
/// use boussole::workbook::{parse_number, ParsedText};
/// assert_eq!(parse_number("12,5 %"), ParsedText::Number { value: 0.125, percent: true });
/// assert_eq!(parse_number("1\u{a0}234"), ParsedText::Number { value: 1234.0, percent: false });
/// assert_eq!(parse_number("n.d."), ParsedText::Marker("n.d.".into()));
/// ```
pub fn parse_number(text: &str) -> ParsedText {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_number_space(c));
    if trimmed.is_empty() {
        return ParsedText::Empty;
    }
    let compact: String = trimmed
        .chars()
        .filter(|c| !is_number_space(*c))
        .collect::<String>()
        .to_lowercase();
    if MARKERS.contains(&compact.as_str()) {
        return ParsedText::Marker(trimmed.to_string());
    }
    if is_excel_error(trimmed) {
        return ParsedText::ExcelError(trimmed.to_string());
    }
    let unreadable = || ParsedText::Unreadable(trimmed.to_string());
    // Bound the work on hostile text: no number is longer than this.
    if compact.len() > 64 {
        return unreadable();
    }
    let (body, percent) = match compact.strip_suffix('%') {
        Some(b) => (b, true),
        None => (compact.as_str(), false),
    };
    // Typographic minus and an optional leading sign.
    let body = body.replace('\u{2212}', "-");
    let (negative, digits) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(&body)),
    };
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.' || c == 'e' || c == '\'')
        || !digits.starts_with(|c: char| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return unreadable();
    }
    let digits = digits.replace('\'', "");
    let commas = digits.matches(',').count();
    let dots = digits.matches('.').count();
    let normalized = match (commas, dots) {
        (0, 0) | (0, 1) => digits.clone(),
        (1, 0) => digits.replace(',', "."),
        // `1.234.567`: dots as thousands separators.
        (0, _) => digits.replace('.', ""),
        // `1,234,567`: commas as thousands separators.
        (_, 0) => digits.replace(',', ""),
        _ => {
            // Both: the last one is the decimal separator.
            let last_comma = digits.rfind(',').unwrap_or(0);
            let last_dot = digits.rfind('.').unwrap_or(0);
            if last_comma > last_dot && commas == 1 {
                digits.replace('.', "").replace(',', ".")
            } else if last_dot > last_comma && dots == 1 {
                digits.replace(',', "")
            } else {
                return unreadable();
            }
        }
    };
    match normalized.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let v = if negative { -v } else { v };
            let v = if percent { v / 100.0 } else { v };
            ParsedText::Number { value: v, percent }
        }
        _ => unreadable(),
    }
}

/// A numeric cell read for a column, with the diagnostic it deserves (if any).
pub(crate) struct ReadValue {
    pub value: Value,
    pub diagnostic: Option<Diagnostic>,
}

/// Reads a cell of a numeric (indicator or context) column.
pub(crate) fn read_numeric(
    content: Option<&Content>,
    spec: &ColumnSpec,
    at: &CellRef,
) -> ReadValue {
    let label = &spec.label;
    let missing_info = |m: Missing| {
        let diagnostic = spec.required.then(|| {
            Diagnostic::at(
                Severity::Info,
                at,
                format!(
                    "valeur manquante dans la colonne obligatoire « {label} » ({})",
                    m.describe()
                ),
                "valeur traitée comme manquante",
            )
        });
        ReadValue {
            value: Value::Missing(m),
            diagnostic,
        }
    };
    let warn = |m: Missing, message: String| ReadValue {
        diagnostic: Some(Diagnostic::at(
            Severity::Warning,
            at,
            message,
            "valeur traitée comme manquante",
        )),
        value: Value::Missing(m),
    };
    let plain = |x: f64| match spec.scale {
        Scale::Percent => x / 100.0,
        Scale::Fraction => x,
    };
    let number = match content {
        None => return missing_info(Missing::Empty),
        Some(Content::Number(x)) => plain(*x),
        Some(Content::DateTime(x)) => {
            let value = plain(*x);
            return ReadValue {
                value: Value::Number(value),
                diagnostic: Some(Diagnostic::at(
                    Severity::Warning,
                    at,
                    format!("la colonne « {label} » contient une cellule au format date"),
                    "le nombre sous-jacent est gardé ; vérifier le format de la cellule",
                )),
            };
        }
        Some(Content::Bool(b)) => {
            let text = if *b { "VRAI" } else { "FAUX" };
            return warn(
                Missing::Unreadable(text.into()),
                format!("valeur logique « {text} » dans la colonne numérique « {label} »"),
            );
        }
        Some(Content::Error(e)) => {
            return warn(
                Missing::ExcelError(e.clone()),
                format!("erreur Excel {e} dans la colonne « {label} »"),
            );
        }
        Some(Content::NoCachedValue) => {
            return warn(
                Missing::NoCachedValue,
                format!(
                    "formule sans valeur calculée enregistrée dans la colonne « {label} » (classeur enregistré sans recalcul)"
                ),
            );
        }
        Some(Content::Text(t)) => match parse_number(t) {
            ParsedText::Number { value, percent } => {
                if percent {
                    value
                } else {
                    plain(value)
                }
            }
            ParsedText::Empty => return missing_info(Missing::Empty),
            ParsedText::Marker(m) => return missing_info(Missing::Marker(m)),
            ParsedText::ExcelError(e) => {
                return warn(
                    Missing::ExcelError(e.clone()),
                    format!("erreur Excel {e} dans la colonne « {label} »"),
                );
            }
            ParsedText::Unreadable(t) => {
                return warn(
                    Missing::Unreadable(t.clone()),
                    format!(
                        "texte « {} » illisible comme nombre dans la colonne « {label} »",
                        shorten(&t)
                    ),
                );
            }
        },
    };
    let diagnostic = (number < 0.0 && spec.unit == Unit::Count).then(|| {
        Diagnostic::at(
            Severity::Warning,
            at,
            format!("nombre négatif ({number}) dans la colonne de comptage « {label} »"),
            "valeur gardée ; à vérifier",
        )
    });
    ReadValue {
        value: Value::Number(number),
        diagnostic,
    }
}

/// The text of a cell for text columns (name, region, typology); numbers as written.
pub(crate) fn text_of(content: Option<&Content>) -> Option<String> {
    let text = match content? {
        Content::Text(t) => t.trim().to_string(),
        Content::Number(x) | Content::DateTime(x) => format_number(*x),
        Content::Bool(b) => if *b { "VRAI" } else { "FAUX" }.to_string(),
        Content::Error(e) => e.clone(),
        Content::NoCachedValue => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A number as text without a useless `.0`.
pub(crate) fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Reads a structure code. Codes are text: a number Excel made of `01053` is restored to five
/// characters, with a warning at the cell.
pub(crate) fn read_code(
    content: Option<&Content>,
    at: &CellRef,
) -> (Option<String>, Option<Diagnostic>) {
    let raw = match content {
        Some(Content::Number(x)) if x.fract() == 0.0 && *x >= 0.0 && *x < 1e15 => {
            format!("{}", *x as i64)
        }
        other => match text_of(other) {
            Some(t) => t,
            None => return (None, None),
        },
    };
    let code: String = raw
        .trim_matches(|c: char| c.is_whitespace() || is_number_space(c))
        .to_string();
    if code.is_empty() {
        return (None, None);
    }
    if code.len() < 5 && code.chars().all(|c| c.is_ascii_digit()) {
        let padded = format!("{:0>5}", code);
        let diagnostic = Diagnostic::at(
            Severity::Warning,
            at,
            format!(
                "code « {code} » de moins de 5 caractères (zéros de tête perdus, sans doute par Excel)"
            ),
            format!("code lu comme « {padded} »"),
        );
        return (Some(padded), Some(diagnostic));
    }
    (Some(code), None)
}

/// Reads a year: a whole number between 1900 and 2200.
pub(crate) fn read_year(
    content: Option<&Content>,
    at: &CellRef,
) -> (Option<i32>, Option<Diagnostic>) {
    let number = match content {
        None => return (None, None),
        Some(Content::Number(x)) => Some(*x),
        Some(Content::Text(t)) => match parse_number(t) {
            ParsedText::Number {
                value,
                percent: false,
            } => Some(value),
            ParsedText::Empty => return (None, None),
            _ => None,
        },
        _ => None,
    };
    match number {
        Some(x) if x.fract() == 0.0 && (1900.0..=2200.0).contains(&x) => (Some(x as i32), None),
        _ => {
            let shown = text_of(content).unwrap_or_default();
            (
                None,
                Some(Diagnostic::at(
                    Severity::Warning,
                    at,
                    format!("année illisible « {} »", shorten(&shown)),
                    "année laissée vide pour cette ligne",
                )),
            )
        }
    }
}

/// Keeps messages short when a cell holds a novel.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64) -> ParsedText {
        ParsedText::Number {
            value: v,
            percent: false,
        }
    }

    #[test]
    fn french_numbers_are_read() {
        assert_eq!(parse_number("1 234"), num(1234.0));
        assert_eq!(parse_number("1\u{202F}234,5"), num(1234.5));
        assert_eq!(parse_number("12,5"), num(12.5));
        assert_eq!(parse_number("0.125"), num(0.125));
        assert_eq!(parse_number("-3"), num(-3.0));
        assert_eq!(parse_number("1.234,5"), num(1234.5));
        assert_eq!(parse_number("1.234.567"), num(1234567.0));
        assert_eq!(
            parse_number("12,5 %"),
            ParsedText::Number {
                value: 0.125,
                percent: true
            }
        );
    }

    #[test]
    fn markers_errors_and_garbage_are_told_apart() {
        assert_eq!(parse_number("NC"), ParsedText::Marker("NC".into()));
        assert_eq!(parse_number(" – "), ParsedText::Marker("–".into()));
        assert_eq!(
            parse_number("#SPILL!"),
            ParsedText::ExcelError("#SPILL!".into())
        );
        assert_eq!(parse_number("#N/A"), ParsedText::ExcelError("#N/A".into()));
        assert_eq!(parse_number("inf"), ParsedText::Unreadable("inf".into()));
        assert_eq!(parse_number("NaN"), ParsedText::Unreadable("NaN".into()));
        assert_eq!(
            parse_number("12 ans"),
            ParsedText::Unreadable("12 ans".into())
        );
        assert_eq!(parse_number("   "), ParsedText::Empty);
    }
}
