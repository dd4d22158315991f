//! Output file names that are valid everywhere and unique where case does not count.
//!
//! A run's outputs may be copied to, or written on, a Windows share or a Mac: names are
//! made valid on Windows (no reserved device name such as `CON` or `COM1` before the first
//! dot, whatever the extension; no trailing dot or space; none of `<>:"/\|?*` nor control
//! characters) and unique once folded (`A-b.xlsx` and `A-B.xlsx` are one file on NTFS and
//! APFS). [`Unique`] de-duplicates in linear time with a set of folded names.

use std::collections::{HashMap, HashSet};

/// Windows' reserved device names: a file whose name before the first dot is one of them
/// (in any case, trailing spaces ignored) cannot be created there.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3",
    "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Is this a Windows reserved name (`nul.json`, `Com1.tar.gz`, `CON .xlsx`)?
///
/// ```
/// use boussole::report::file_names::is_reserved;
/// assert!(is_reserved("nul.json") && is_reserved("Com1.tar.gz") && is_reserved("CON"));
/// assert!(!is_reserved("console.xlsx") && !is_reserved("con-boussole.xlsx"));
/// ```
pub fn is_reserved(name: &str) -> bool {
    let first = name.split('.').next().unwrap_or_default().trim_end();
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(first))
}

/// A file or folder name valid on Windows, Linux and macOS: forbidden characters become
/// `_`, trailing dots and spaces are dropped, and a reserved name gets `_` after its first
/// part (`NUL.json` → `NUL_.json`). An empty result is `sortie`.
///
/// ```
/// use boussole::report::file_names::portable;
/// assert_eq!(portable("NUL.json"), "NUL_.json");
/// assert_eq!(portable("a:b?.xlsx"), "a_b_.xlsx");
/// assert_eq!(portable("notes. "), "notes");
/// assert_eq!(portable("mission-locale.xlsx"), "mission-locale.xlsx");
/// ```
pub fn portable(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    while out.ends_with(['.', ' ']) {
        out.pop();
    }
    if out.is_empty() {
        return "sortie".to_string();
    }
    if is_reserved(&out) {
        let cut = out.find('.').unwrap_or(out.len());
        let first = out[..cut].trim_end().len();
        out.insert(first, '_');
    }
    out
}

/// The form under which two names are the same file on a case-insensitive file system
/// (NTFS, APFS, FAT): Unicode lower case.
pub fn folded(name: &str) -> String {
    name.to_lowercase()
}

/// Hands out names unique once folded, in the order asked: the first `base` is kept, the
/// next ones get `-2`, `-3`... before their extension. Linear: a name's next suffix is
/// remembered, and each candidate is one look-up in a set of folded names.
#[derive(Debug, Default)]
pub struct Unique {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Unique {
    pub fn new() -> Unique {
        Unique::default()
    }

    /// Marks a name as taken without handing it out (a name another output already uses).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(folded(name));
    }

    /// A portable name unique among those handed out or reserved, built from `stem` and
    /// `suffix` (`suffix` is kept whole at the end: `.xlsx`, `-boussole.xlsx`, `.json`).
    ///
    /// ```
    /// use boussole::report::file_names::Unique;
    /// let mut names = Unique::new();
    /// assert_eq!(names.name("A-b", ".xlsx"), "A-b.xlsx");
    /// assert_eq!(names.name("A-B", ".xlsx"), "A-B-2.xlsx");
    /// assert_eq!(names.name("con", ".json"), "con_.json");
    /// ```
    pub fn name(&mut self, stem: &str, suffix: &str) -> String {
        let first = portable(&format!("{stem}{suffix}"));
        if self.taken.insert(folded(&first)) {
            return first;
        }
        let key = folded(stem);
        let mut n = self.next.get(&key).copied().unwrap_or(2);
        loop {
            let candidate = portable(&format!("{stem}-{n}{suffix}"));
            n += 1;
            if self.taken.insert(folded(&candidate)) {
                self.next.insert(key, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_name_is_made_valid_whatever_its_case_and_extension() {
        for reserved in RESERVED {
            for name in [
                reserved.to_string(),
                reserved.to_lowercase(),
                format!("{reserved}.xlsx"),
                format!("{reserved} .tar.gz"),
            ] {
                let made = portable(&name);
                assert!(!is_reserved(&made), "{name} → {made}");
            }
        }
        assert_eq!(portable("com1.xlsx"), "com1_.xlsx");
        assert_eq!(portable("lpt9"), "lpt9_");
        assert_eq!(portable("AUX .json"), "AUX_ .json");
        assert!(!is_reserved("com10.xlsx") && !is_reserved("nul-x.xlsx"));
    }

    #[test]
    fn forbidden_characters_and_trailing_dots_and_spaces_are_replaced() {
        assert_eq!(
            portable("a<b>c:d\"e/f\\g|h?i*j\u{1}.xlsx"),
            "a_b_c_d_e_f_g_h_i_j_.xlsx"
        );
        assert_eq!(portable("rapport . ."), "rapport");
        assert_eq!(portable("..."), "sortie");
    }

    #[test]
    fn names_are_unique_once_folded() {
        let mut names = Unique::new();
        let got: Vec<String> = ["Y", "y", "Y-2", "y", "É", "é"]
            .iter()
            .map(|s| names.name(s, "-boussole.xlsx"))
            .collect();
        assert_eq!(
            got,
            [
                "Y-boussole.xlsx",
                "y-2-boussole.xlsx",
                "Y-2-2-boussole.xlsx",
                "y-3-boussole.xlsx",
                "É-boussole.xlsx",
                "é-2-boussole.xlsx"
            ]
        );
        let folded: HashSet<String> = got.iter().map(|n| folded(n)).collect();
        assert_eq!(folded.len(), got.len());
    }

    #[test]
    fn de_duplication_is_linear() {
        // 4,000 structures of one name took 29 s with the former cubic loop; 50,000 take
        // a fraction of a second in a debug build with the set.
        let mut names = Unique::new();
        let start = std::time::Instant::now();
        let got: HashSet<String> = (0..50_000)
            .map(|_| folded(&names.name("ML-x", ".xlsx")))
            .collect();
        assert_eq!(got.len(), 50_000);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}
