//! French text in one place: numbers (decimal comma, thousands grouped by a narrow
//! no-break space), percentages with their space, and plurals that agree.
//!
//! ```
//! use boussole::fr;
//!
//! assert_eq!(fr::number(1234.5, 2), "1\u{202f}234,5");
//! assert_eq!(fr::fixed(0.126, 2), "0,13");
//! assert_eq!(fr::percent(0.519, 1), "51,9 %");
//! assert_eq!(fr::count(1, "région", "régions"), "1 région");
//! assert_eq!(fr::count(0, "ligne écartée", "lignes écartées"), "0 ligne écartée");
//! ```

/// The 18 French regions since 2016, as the template's region drop-down offers them and the
/// sample workbook spreads its structures over them.
pub const REGIONS: [&str; 18] = [
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
    "Guadeloupe",
    "Martinique",
    "Guyane",
    "La Réunion",
    "Mayotte",
];

/// What a missing or non-finite number shows as.
pub const MISSING: &str = "—";

/// The thousands separator: a narrow no-break space, as French typography writes it.
const THOUSANDS: char = '\u{202f}';

/// Groups the digits of an integer part by three (`-1234` → `-1 234`).
fn group(int: &str) -> String {
    let (sign, digits) = int.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", int));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(THOUSANDS);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// Joins an integer and a fractional part the French way; `-0` reads `0`.
fn join(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = if int == "-0" && frac.chars().all(|c| c == '0') {
        "0"
    } else {
        int
    };
    let int = group(int);
    if frac.is_empty() {
        int
    } else {
        format!("{int},{frac}")
    }
}

/// An integer, grouped by thousands.
pub fn integer(n: i64) -> String {
    group(&n.to_string())
}

/// A number with exactly `decimals` decimals (`fixed(2.5, 2)` → `2,50`).
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.into();
    }
    join(&format!("{x:.decimals$}"))
}

/// A number with at most `decimals` decimals, trailing zeros dropped (`number(2.5, 2)` →
/// `2,5`, `number(3.0, 2)` → `3`).
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.into();
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    join(s)
}

/// A share (0.519) as a percentage with `decimals` decimals (`51,9 %`).
pub fn percent(share: f64, decimals: usize) -> String {
    if !share.is_finite() {
        return MISSING.into();
    }
    format!("{} %", fixed(share * 100.0, decimals))
}

/// A value as a note shows it: a share as a percentage with at most one decimal
/// (`45,2 %`, `45 %`), any other number with at most three decimals.
pub fn shown(x: f64, share: bool) -> String {
    if share {
        if !x.is_finite() {
            return MISSING.into();
        }
        format!("{} %", number(x * 100.0, 1))
    } else {
        number(x, 3)
    }
}

/// A count with its noun, singular for 0 and 1 as French writes it.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n <= 1 { singular } else { plural })
}

/// `; vouliez-vous dire : a, b ?` with the closest names, or nothing.
pub fn suggest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> String {
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (strsim::jaro_winkler(wanted, n), n))
        .filter(|(s, _)| *s > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.truncate(3);
    if scored.is_empty() {
        String::new()
    } else {
        let list: Vec<&str> = scored.iter().map(|(_, n)| *n).collect();
        format!(" ; vouliez-vous dire : {} ?", list.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_french_way() {
        assert_eq!(number(1_234_567.0, 0), "1\u{202f}234\u{202f}567");
        assert_eq!(number(-1234.25, 1), "-1\u{202f}234,2");
        assert_eq!(number(-0.0001, 2), "0");
        assert_eq!(number(0.5, 3), "0,5");
        assert_eq!(number(f64::NAN, 3), MISSING);
        assert_eq!(fixed(12.0, 1), "12,0");
        assert_eq!(fixed(-0.04, 1), "0,0");
        assert_eq!(fixed(999.96, 1), "1\u{202f}000,0");
        assert_eq!(percent(0.125, 1), "12,5 %");
        assert_eq!(count(2, "région", "régions"), "2 régions");
        assert_eq!(number(0.4520, 3), "0,452");
        assert_eq!(shown(0.4521, true), "45,2 %");
        assert_eq!(shown(0.45, true), "45 %");
    }
}
