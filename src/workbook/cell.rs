//! Tolerant reading of one cell: French numbers typed as text, missing-value markers, Excel
//! errors, codes that Excel turned into numbers, years.
//!
//! This module owns the interpretation of a single cell's content for a catalogue column. It
//! knows nothing of sheets, headers or rows: the caller gives the cell and gets a value plus,
//! when something was repaired or doubted, a diagnostic to place at the cell.

use super::grid::{Content, is_excel_error};
use crate::dataset::{CellRef, Diagnostic, Missing, Severity, Value};
use crate::fr;
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
    /// Text that is not a number, or a number spelt ambiguously or wrongly (`1.5.2024`).
    Unreadable(String),
    /// `1.234` or `1,234`: a thousands separator or a decimal one? Both readings, signed.
    Ambiguous {
        text: String,
        thousands: f64,
        decimal: f64,
    },
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

/// Tolerant French and English number parsing, read only when the spelling is unambiguous:
/// `1 234`, `1 234,5`, `12,5 %`, `-3`, `1.234,5`, `1,234.5`, `0.125`, `1.234.567`.
///
/// Thousands groups must have exactly three digits (after a first group of one to three), a
/// single decimal separator may follow, of the other kind. `1.5.2024`, `1,2,3`, `12.5.3` are
/// [`ParsedText::Unreadable`]; `1.234` and `1,234` (a thousands or a decimal separator?) are
/// [`ParsedText::Ambiguous`].
///
/// ```
/// use boussole::workbook::{parse_number, ParsedText};
/// assert_eq!(parse_number("12,5 %"), ParsedText::Number { value: 0.125, percent: true });
/// assert_eq!(parse_number("1\u{a0}234"), ParsedText::Number { value: 1234.0, percent: false });
/// assert_eq!(parse_number("n.d."), ParsedText::Marker("n.d.".into()));
/// assert_eq!(parse_number("1.5.2024"), ParsedText::Unreadable("1.5.2024".into()));
/// assert!(matches!(parse_number("1,234"), ParsedText::Ambiguous { .. }));
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
    let lower = trimmed.to_lowercase();
    let (body, percent) = match lower.strip_suffix('%') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    // Typographic minus and an optional leading sign.
    let body = body
        .trim_matches(|c: char| c.is_whitespace() || is_number_space(c))
        .replace('\u{2212}', "-");
    let (negative, magnitude) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(&body)),
    };
    let magnitude = magnitude.trim_start_matches(|c: char| c.is_whitespace() || is_number_space(c));
    let signed = |v: f64| {
        let v = if negative { -v } else { v };
        if percent { v / 100.0 } else { v }
    };
    match read_magnitude(magnitude) {
        Some(Magnitude::Exact(v)) if v.is_finite() => ParsedText::Number {
            value: signed(v),
            percent,
        },
        Some(Magnitude::Either { thousands, decimal }) => ParsedText::Ambiguous {
            text: trimmed.to_string(),
            thousands: signed(thousands),
            decimal: signed(decimal),
        },
        _ => unreadable(),
    }
}

/// What the digits and separators of a number (sign and `%` removed) say.
enum Magnitude {
    Exact(f64),
    /// One `.` or `,` followed by three digits: thousands or decimals.
    Either {
        thousands: f64,
        decimal: f64,
    },
}

/// A separator met between digits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Dot,
    Comma,
    /// A space of any kind, or an apostrophe (Swiss thousands).
    Space,
    Apostrophe,
}

fn read_magnitude(s: &str) -> Option<Magnitude> {
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if s.contains('e') {
        // Scientific notation: no thousands separator, one decimal separator at most.
        if s.chars().filter(|c| *c == '.' || *c == ',').count() > 1
            || !s.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
            || !s
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | '-' | '+'))
        {
            return None;
        }
        return s.replace(',', ".").parse().ok().map(Magnitude::Exact);
    }
    // Digit groups and the separators between them.
    let mut groups: Vec<String> = vec![String::new()];
    let mut seps: Vec<Sep> = Vec::new();
    for c in s.chars() {
        let sep = match c {
            '0'..='9' => {
                groups.last_mut()?.push(c);
                continue;
            }
            '.' => Sep::Dot,
            ',' => Sep::Comma,
            '\'' | '\u{2019}' => Sep::Apostrophe,
            c if is_number_space(c) || c.is_whitespace() => Sep::Space,
            _ => return None,
        };
        // A run of spaces is one separator; two other separators in a row are a typo.
        if groups.last().is_some_and(String::is_empty) {
            if sep == Sep::Space && seps.last() == Some(&Sep::Space) {
                continue;
            }
            if !(groups.len() == 1 && matches!(sep, Sep::Dot | Sep::Comma)) {
                return None;
            }
        }
        seps.push(sep);
        groups.push(String::new());
    }
    let number = |int: &[String], frac: &str| -> Option<f64> {
        let int: String = int.concat();
        let int = if int.is_empty() { "0".to_string() } else { int };
        format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
            .parse()
            .ok()
    };
    let grouped = |int: &[String]| {
        int.len() == 1
            || (matches!(int[0].len(), 1..=3)
                && !int[0].starts_with('0')
                && int[1..].iter().all(|g| g.len() == 3))
    };
    let Some(&last) = seps.last() else {
        return number(&groups, "").map(Magnitude::Exact);
    };
    let decimal_kind = matches!(last, Sep::Dot | Sep::Comma);
    let before = &seps[..seps.len() - 1];
    if seps.len() == 1 && decimal_kind {
        let (int, frac) = (&groups[0], &groups[1]);
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        // `1.234`: three digits after one separator, and a first group a thousands
        // grouping could start with.
        if frac.len() == 3 && matches!(int.len(), 1..=3) && !int.starts_with('0') {
            return Some(Magnitude::Either {
                thousands: number(&groups, "")?,
                decimal: number(&groups[..1], frac)?,
            });
        }
        return number(&groups[..1], frac).map(Magnitude::Exact);
    }
    if groups.iter().any(String::is_empty) {
        return None;
    }
    if seps.iter().all(|s| *s == last) {
        // Only thousands separators.
        return grouped(&groups)
            .then(|| number(&groups, ""))
            .flatten()
            .map(Magnitude::Exact);
    }
    // Thousands separators of one kind, then one decimal separator of another.
    let thousands = before[0];
    if !decimal_kind || before.iter().any(|s| *s != thousands) {
        return None;
    }
    let (int, frac) = groups.split_at(groups.len() - 1);
    grouped(int)
        .then(|| number(int, &frac[0]))
        .flatten()
        .map(Magnitude::Exact)
}

/// A numeric cell read for a column, with the diagnostic it deserves (if any).
pub(crate) struct ReadValue {
    pub value: Value,
    pub diagnostic: Option<Diagnostic>,
}

/// Reads a cell of a numeric (indicator or context) column.
///
/// A number is kept only when it fits the column's unit: a count is a whole number written
/// without `%`, a proportion lies between 0 and 1 (0 and 100 for a column the field types in
/// percent). Anything else — and an ambiguous spelling such as `1.234` — is missing, with a
/// warning at the cell saying why: nothing is rescaled or rounded silently.
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
    let doubt = |why: String, message: String, advice: &str| ReadValue {
        diagnostic: Some(Diagnostic::at(
            Severity::Warning,
            at,
            message,
            format!("valeur traitée comme manquante ; {advice}"),
        )),
        value: Value::Missing(Missing::Doubtful(why)),
    };
    let plain = |x: f64| match spec.scale {
        Scale::Percent => x / 100.0,
        Scale::Fraction => x,
    };
    // The number as the cell holds it (a percentage text already divided by 100), how it
    // was written, and whether it carried a `%`.
    let (raw, written, percent) = match content {
        None => return missing_info(Missing::Empty),
        Some(Content::Number(x)) => (*x, fr::number(*x, 6), false),
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
            ParsedText::Number { value, percent } => (value, shorten(t.trim()), percent),
            ParsedText::Empty => return missing_info(Missing::Empty),
            ParsedText::Marker(m) => return missing_info(Missing::Marker(m)),
            ParsedText::ExcelError(e) => {
                return warn(
                    Missing::ExcelError(e.clone()),
                    format!("erreur Excel {e} dans la colonne « {label} »"),
                );
            }
            ParsedText::Ambiguous {
                text,
                thousands,
                decimal,
            } => {
                let (sep, it) = if text.contains(',') {
                    ("la virgule", "si elle")
                } else {
                    ("le point", "s'il")
                };
                let text = shorten(&text);
                return doubt(
                    format!("nombre ambigu « {text} »"),
                    format!(
                        "nombre ambigu « {text} » dans la colonne « {label} » : {} (si {sep} sépare les milliers) ou {} ({it} sépare les décimales)",
                        fr::number(thousands, 0),
                        fr::number(decimal, 6)
                    ),
                    "l'écrire sans ambiguïté (1234 ou 1 234 pour un millier, 1,5 pour un nombre décimal)",
                );
            }
            ParsedText::Unreadable(t) => {
                let shown = shorten(&t);
                let message = if looks_like_date(&t) {
                    format!(
                        "texte « {shown} » qui ressemble à une date dans la colonne numérique « {label} »"
                    )
                } else if looks_like_number(&t) {
                    format!(
                        "nombre mal écrit « {shown} » dans la colonne « {label} » (les milliers se groupent par trois chiffres, un seul séparateur décimal)"
                    )
                } else {
                    format!("texte « {shown} » illisible comme nombre dans la colonne « {label} »")
                };
                return warn(Missing::Unreadable(t.clone()), message);
            }
        },
    };
    let number = if percent { raw } else { plain(raw) };
    if spec.unit == Unit::Count && percent {
        return doubt(
            format!("pourcentage « {written} » pour un effectif"),
            format!("pourcentage « {written} » dans la colonne de comptage « {label} »"),
            "écrire l'effectif (un nombre entier)",
        );
    }
    if spec.unit == Unit::Count && (number - number.round()).abs() > 1e-9 * number.abs().max(1.0) {
        return doubt(
            format!("nombre non entier « {written} » pour un effectif"),
            format!(
                "nombre non entier « {written} » dans la colonne de comptage « {label} » (un effectif est entier)"
            ),
            "corriger la cellule (rien n'est arrondi)",
        );
    }
    if spec.unit == Unit::Fraction && !(0.0..=1.0).contains(&number) {
        let (bounds, advice) = if percent {
            ("0 % à 100 %", "vérifier la cellule".to_string())
        } else if spec.scale == Scale::Percent {
            (
                "0 à 100 (colonne saisie en pourcentage)",
                "vérifier la cellule".to_string(),
            )
        } else if (0.0..=100.0).contains(&raw) {
            (
                "0 à 1",
                format!(
                    "s'il s'agit d'un pourcentage, écrire {} ou {} % (rien n'est converti)",
                    fr::number(raw / 100.0, 6),
                    fr::number(raw, 6)
                ),
            )
        } else {
            ("0 à 1", "vérifier la cellule".to_string())
        };
        return doubt(
            format!("valeur « {written} » hors de {bounds} pour une proportion"),
            format!(
                "valeur « {written} » hors de {bounds} dans la colonne « {label} », une proportion"
            ),
            &advice,
        );
    }
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

/// Text shaped like a date: `1.5.2024`, `01/05/24`, `2024-05-01`.
fn looks_like_date(text: &str) -> bool {
    let text = text.trim();
    let Some(sep) = text.chars().find(|c| matches!(c, '.' | '/' | '-')) else {
        return false;
    };
    let parts: Vec<&str> = text.split(sep).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let day_month = |n: usize| matches!(n, 1 | 2);
    (day_month(lens[0]) && day_month(lens[1]) && matches!(lens[2], 2 | 4))
        || (lens[0] == 4 && day_month(lens[1]) && day_month(lens[2]))
}

/// Text made only of what numbers are written with (digits, separators, sign, `%`).
fn looks_like_number(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '.' | ',' | '\'' | '-' | '+' | '%' | '\u{2212}' | '\u{2019}'
                )
                || is_number_space(c)
        })
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

/// Characters that show nothing: zero-width spaces and joiners, the word joiner and its
/// kin, the byte-order mark, bidirectional controls, the soft hyphen, other controls.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
        || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A code or label as it is read: invisible and bidirectional control characters removed,
/// full-width and other compatibility forms folded (NFKC: `１０００１` is `10001`), outer
/// spaces trimmed. With what was changed, in French, when something other than spaces or
/// the composition of accents was.
pub(crate) fn clean_label(text: &str) -> (String, Option<String>) {
    use unicode_normalization::UnicodeNormalization;
    let removed: Vec<String> = text
        .chars()
        .filter(|c| is_invisible(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    let visible: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    let folded: String = visible.nfkc().collect();
    let spaces = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_whitespace() || is_number_space(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    let composed: String = visible.nfc().collect();
    let mut changes = Vec::new();
    if !removed.is_empty() {
        let mut codes = removed;
        codes.dedup();
        changes.push(format!(
            "{} ({})",
            if codes.len() == 1 && text.chars().filter(|c| is_invisible(*c)).count() == 1 {
                "caractère invisible retiré"
            } else {
                "caractères invisibles retirés"
            },
            codes.join(", ")
        ));
    }
    if spaces(&folded) != spaces(&composed) {
        changes.push(format!(
            "caractères pleine chasse ou de compatibilité ramenés à leur forme ordinaire (écrit « {} »)",
            shorten(visible.trim())
        ));
    }
    let cleaned = folded
        .trim_matches(|c: char| c.is_whitespace() || is_number_space(c))
        .to_string();
    (cleaned, (!changes.is_empty()).then(|| changes.join(" ; ")))
}

/// Reads a structure code. Codes are text, cleaned as labels are ([`clean_label`]) and
/// upper-cased (`2a004` is `2A004`); a number Excel made of `01053` is restored to five
/// characters. Each repair is a warning at the cell.
pub(crate) fn read_code(
    content: Option<&Content>,
    at: &CellRef,
) -> (Option<String>, Vec<Diagnostic>) {
    let raw = match content {
        Some(Content::Number(x)) if x.fract() == 0.0 && *x >= 0.0 && *x < 1e15 => {
            format!("{}", *x as i64)
        }
        other => match text_of(other) {
            Some(t) => t,
            None => return (None, Vec::new()),
        },
    };
    let (code, changed) = clean_label(&raw);
    if code.is_empty() {
        return (None, Vec::new());
    }
    let mut diagnostics = Vec::new();
    if let Some(what) = changed {
        diagnostics.push(Diagnostic::at(
            Severity::Warning,
            at,
            format!("code « {} » : {what}", shorten(&code)),
            format!("code lu comme « {} »", shorten(&code)),
        ));
    }
    let upper = code.to_uppercase();
    let code = if upper != code {
        diagnostics.push(Diagnostic::at(
            Severity::Warning,
            at,
            format!(
                "code « {} » écrit en minuscules (les codes ne distinguent pas majuscules et minuscules)",
                shorten(&code)
            ),
            format!(
                "code lu comme « {} » : une seule structure quelle que soit la casse",
                shorten(&upper)
            ),
        ));
        upper
    } else {
        code
    };
    if code.len() < 5 && code.chars().all(|c| c.is_ascii_digit()) {
        let padded = format!("{:0>5}", code);
        diagnostics.push(Diagnostic::at(
            Severity::Warning,
            at,
            format!(
                "code « {code} » de moins de 5 caractères (zéros de tête perdus, sans doute par Excel)"
            ),
            format!("code lu comme « {padded} »"),
        ));
        return (Some(padded), diagnostics);
    }
    (Some(code), diagnostics)
}

/// Reads a label (name, region, typology): cleaned ([`clean_label`]), with a warning at the
/// cell when something was removed or folded. `what` names the column (`région`).
pub(crate) fn read_label(
    content: Option<&Content>,
    at: &CellRef,
    what: &str,
) -> (Option<String>, Option<Diagnostic>) {
    let Some(raw) = text_of(content) else {
        return (None, None);
    };
    let (label, changed) = clean_label(&raw);
    let diagnostic = changed.map(|how| {
        Diagnostic::at(
            Severity::Warning,
            at,
            format!("{what} « {} » : {how}", shorten(&label)),
            format!("lu comme « {} »", shorten(&label)),
        )
    });
    ((!label.is_empty()).then_some(label), diagnostic)
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
    fn only_unambiguous_spellings_are_numbers() {
        assert_eq!(parse_number("1,234.5"), num(1234.5));
        assert_eq!(parse_number("1'234.5"), num(1234.5));
        assert_eq!(parse_number("12 345 678,9"), num(12_345_678.9));
        assert_eq!(parse_number("0,125"), num(0.125));
        assert_eq!(parse_number("1234,567"), num(1234.567));
        assert_eq!(parse_number(",5"), num(0.5));
        for bad in [
            "1.5.2024",
            "1,2,3",
            "12.5.3",
            "1.2.3.4",
            "1 23",
            "1.234.5",
            "1,23.5",
            "1..2",
            "%",
            "1.234,5,6",
        ] {
            assert_eq!(
                parse_number(bad),
                ParsedText::Unreadable(bad.into()),
                "{bad}"
            );
        }
        assert_eq!(
            parse_number("1.234"),
            ParsedText::Ambiguous {
                text: "1.234".into(),
                thousands: 1234.0,
                decimal: 1.234
            }
        );
        assert!(matches!(
            parse_number("-12,345 %"),
            ParsedText::Ambiguous { thousands, decimal, .. }
                if thousands == -123.45 && (decimal + 0.12345).abs() < 1e-12
        ));
    }

    #[test]
    fn labels_lose_invisible_characters_and_compatibility_forms() {
        assert_eq!(clean_label("10001\u{200B}").0, "10001");
        assert!(clean_label("10001\u{200B}").1.unwrap().contains("U+200B"));
        assert_eq!(clean_label("\u{202E}Bretagne\u{202C}").0, "Bretagne");
        assert_eq!(clean_label("１０００１").0, "10001");
        assert!(
            clean_label("１０００１")
                .1
                .unwrap()
                .contains("pleine chasse")
        );
        // Spaces of any kind and decomposed accents are not worth a diagnostic.
        assert_eq!(
            clean_label("Île-de-France\u{a0}"),
            ("Île-de-France".into(), None)
        );
        assert_eq!(clean_label("Re\u{301}gion").1, None);
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
