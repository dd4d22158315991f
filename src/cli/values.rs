//! Value parsers of the command line: every option that takes a number or an output file
//! is checked here, with a French message ([`UsageError`], shown by clap after « valeur
//! invalide « … » pour --option : ») and exit status 2. clap's own parsers answer in
//! English (`0 is not in 1..=256`, `invalid digit found in string`).

use crate::error::UsageError;
use crate::fr;
use std::path::PathBuf;

/// A whole number in `low..=high`, or the French refusal naming `what`.
pub fn in_range<T>(s: &str, low: T, high: T, what: &'static str) -> Result<T, UsageError>
where
    T: std::str::FromStr + PartialOrd + Copy + TryInto<i64>,
{
    let shown = |v: T| v.try_into().map_or_else(|_| "?".to_string(), fr::integer);
    match s.trim().parse::<T>() {
        Ok(v) if v >= low && v <= high => Ok(v),
        _ => Err(UsageError::OutOfRange {
            what,
            low: shown(low),
            high: shown(high),
        }),
    }
}

/// `run --jobs`: from 1 to 256 workbooks at once.
pub fn jobs(s: &str) -> Result<u16, UsageError> {
    in_range(
        s,
        1,
        256,
        "le nombre de classeurs traités en parallèle (--jobs)",
    )
}

/// `sample --seed`: any whole number from 0 to 2^64 - 1 (not shown through `f64`, which
/// would round it).
pub fn seed(s: &str) -> Result<u64, UsageError> {
    s.trim().parse::<u64>().map_err(|_| UsageError::OutOfRange {
        what: "la graine (--seed)",
        low: "0".into(),
        high: "18\u{202f}446\u{202f}744\u{202f}073\u{202f}709\u{202f}551\u{202f}615".into(),
    })
}

/// Does the path end with a separator (`sortie/`): a folder where a file is expected.
fn ends_with_separator(s: &str) -> bool {
    s.ends_with('/') || (cfg!(windows) && s.ends_with('\\'))
}

/// Does the file name end with `.ext`, whatever its case?
fn has_extension(path: &std::path::Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
}

/// The same name with the expected extension, to suggest.
fn suggested(path: &std::path::Path, ext: &str) -> PathBuf {
    if path.file_name().is_none() {
        return PathBuf::from(format!("sortie.{ext}"));
    }
    path.with_extension(ext)
}

/// An output workbook (`-o`): a file name ending in `.xlsx`.
pub fn xlsx_output(s: &str) -> Result<PathBuf, UsageError> {
    output(s, "xlsx").map_err(|e| match e {
        Some(suggested) => UsageError::NotXlsx { suggested },
        None => UsageError::FolderForFile,
    })
}

/// A JSON output file (`collect --json`): a file name ending in `.json`.
pub fn json_output(s: &str) -> Result<PathBuf, UsageError> {
    output(s, "json").map_err(|e| match e {
        Some(suggested) => UsageError::NotJson { suggested },
        None => UsageError::FolderForFile,
    })
}

/// `s` as an output file of extension `ext`; the error is the name to suggest, or `None`
/// for a path ending in a separator.
fn output(s: &str, ext: &str) -> Result<PathBuf, Option<PathBuf>> {
    if ends_with_separator(s) {
        return Err(None);
    }
    let path = PathBuf::from(s);
    if has_extension(&path, ext) {
        Ok(path)
    } else {
        Err(Some(suggested(&path, ext)))
    }
}

/// Checks a JSON file path given to an option that also takes folders (`run --json` for
/// one workbook).
pub fn check_json_file(path: &std::path::Path) -> Result<(), UsageError> {
    json_output(&path.to_string_lossy()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_out_of_range_are_refused_in_french() {
        assert_eq!(jobs("4").unwrap(), 4);
        for bad in ["0", "257", "-1", "abc", "", "1.5"] {
            let e = jobs(bad).unwrap_err().to_string();
            assert_eq!(
                e,
                "le nombre de classeurs traités en parallèle (--jobs) doit être un entier compris entre 1 et 256"
            );
        }
        assert_eq!(seed("18446744073709551615").unwrap(), u64::MAX);
        let e = seed("-1").unwrap_err().to_string();
        assert!(e.contains("entre 0 et 18\u{202f}446"), "{e}");
    }

    #[test]
    fn an_output_must_be_named_for_what_is_written() {
        assert_eq!(xlsx_output("a/b.XLSX").unwrap(), PathBuf::from("a/b.XLSX"));
        assert_eq!(
            xlsx_output("sortie.csv").unwrap_err().to_string(),
            "un classeur .xlsx est écrit : le nom du fichier doit finir par « .xlsx » (par exemple « sortie.xlsx »)"
        );
        assert!(
            xlsx_output("sorties")
                .unwrap_err()
                .to_string()
                .contains("« sorties.xlsx »")
        );
        assert!(matches!(
            xlsx_output("sortie.xlsx/"),
            Err(UsageError::FolderForFile)
        ));
        assert!(json_output("r.json").is_ok());
        assert!(matches!(
            json_output("r.xlsx"),
            Err(UsageError::NotJson { .. })
        ));
    }
}
