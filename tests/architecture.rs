//! The invariants of ARCHITECTURE.md that can be read off the source: imports point only
//! down the pipeline, every xlsx is written through `report::xlsx`, only the reader opens
//! spreadsheets, and nothing imports the command line.
//!
//! The test reads every `crate::` path of `src/` (in `use` lines and inline paths, comments
//! and doc comments left out) and checks it against the layers below.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each top-level module may import, besides itself and `crate::VERSION`. A rule is
/// a module (`pack`) or a module and a child (`pack::manifest`); a leading `!` forbids a
/// child of a module the list otherwise allows.
const LAYERS: &[(&str, &[&str])] = &[
    ("fr", &[]),
    ("dataset", &["fr"]),
    ("error", &["fr", "dataset"]),
    ("pack", &["error", "fr", "dataset"]),
    ("workbook", &["error", "fr", "dataset", "pack::manifest"]),
    ("analysis", &["error", "fr", "dataset", "pack"]),
    (
        "collect",
        &["error", "fr", "dataset", "pack", "workbook", "analysis"],
    ),
    (
        "report",
        &[
            "error",
            "fr",
            "dataset",
            "pack",
            "analysis",
            "collect",
            "!collect::read",
        ],
    ),
    (
        "sample",
        &["error", "fr", "dataset", "pack", "report::xlsx"],
    ),
    (
        "cli",
        &[
            "error", "fr", "dataset", "pack", "workbook", "analysis", "collect", "report", "sample",
        ],
    ),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a source file belongs to (`src/report/xlsx.rs` → `report`).
fn top_module(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src/");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The code of a file without comments (line comments, doc comments, block comments) and
/// without the text of string literals, so that a path in a doc example or a message does
/// not count.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut block = 0usize;
    let mut in_str = false;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if block > 0 {
            if c == '*' && next == Some('/') {
                block -= 1;
                i += 2;
            } else if c == '/' && next == Some('*') {
                block += 1;
                i += 2;
            } else {
                if c == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            continue;
        }
        if in_str {
            if c == '\\' {
                i += 2;
                continue;
            }
            if c == '"' {
                in_str = false;
                out.push('"');
            }
            if c == '\n' {
                out.push('\n');
            }
            i += 1;
            continue;
        }
        match (c, next) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                block = 1;
                i += 2;
            }
            ('"', _) => {
                in_str = true;
                out.push('"');
                i += 1;
            }
            // A char literal such as '"' must not open a string.
            ('\'', _) if chars.get(i + 2) == Some(&'\'') => {
                out.push_str("' '");
                i += 3;
            }
            ('\'', Some('\\')) if chars.get(i + 3) == Some(&'\'') => {
                out.push_str("' '");
                i += 4;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Every `crate::a::b` path of a file, with its line, expanding `use crate::{a, b::c}`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().last();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `mycrate::` is not `crate::`
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        found.push((n + 1, path_head(item)));
                    }
                }
            } else {
                found.push((n + 1, path_head(rest)));
            }
        }
    }
    found
}

/// The first two segments of a path (`report::xlsx::Sheet` → `report::xlsx`).
fn path_head(path: &str) -> String {
    let ident: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let segments: Vec<&str> = ident.split("::").filter(|s| !s.is_empty()).collect();
    segments
        .iter()
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join("::")
}

fn allowed(from: &str, target: &str) -> bool {
    let top = target.split("::").next().unwrap_or(target);
    if top == from || top == "VERSION" {
        return true;
    }
    let Some((_, rules)) = LAYERS.iter().find(|(m, _)| *m == from) else {
        return false;
    };
    let forbidden = rules
        .iter()
        .filter_map(|r| r.strip_prefix('!'))
        .any(|r| target == r || target.starts_with(&format!("{r}::")));
    !forbidden
        && rules
            .iter()
            .filter(|r| !r.starts_with('!'))
            .any(|r| *r == top || target == *r || target.starts_with(&format!("{r}::")))
}

fn files() -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    sources(&src(), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable source");
            (p, text)
        })
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn imports_point_only_down_the_pipeline() {
    let mut wrong = Vec::new();
    for (path, text) in files() {
        let from = top_module(&path);
        if from == "main" || from == "lib" {
            continue;
        }
        if !LAYERS.iter().any(|(m, _)| *m == from) {
            wrong.push(format!(
                "{}: module « {from} » has no layer in this test and ARCHITECTURE.md",
                relative(&path)
            ));
            continue;
        }
        for (line, target) in crate_paths(&code_only(&text)) {
            if !allowed(&from, &target) {
                wrong.push(format!(
                    "{}:{line}: {from} imports crate::{target}",
                    relative(&path)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_xlsx_is_written_through_report_xlsx() {
    let mut wrong = BTreeSet::new();
    for (path, text) in files() {
        let rel = relative(&path);
        let code = code_only(&text);
        if code.contains("Workbook::new()") && rel != "src/report/xlsx.rs" {
            wrong.insert(format!("{rel}: Workbook::new() outside src/report/xlsx.rs"));
        }
        // error.rs names the writer's and the reader's error types as sources only.
        let names_sources = rel == "src/error.rs";
        let writer_allowed =
            rel.starts_with("src/report/") || rel == "src/sample/write.rs" || names_sources;
        if code.contains("rust_xlsxwriter") && !writer_allowed {
            wrong.insert(format!("{rel}: uses rust_xlsxwriter outside src/report/"));
        }
        if code.contains("calamine") && !rel.starts_with("src/workbook/") && !names_sources {
            wrong.insert(format!(
                "{rel}: uses calamine outside the reader (src/workbook/)"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_checks_of_this_file_see_what_they_claim() {
    let code = code_only("use crate::pack::Pack; // crate::report::x\nlet s = \"crate::cli\";");
    let paths: Vec<String> = crate_paths(&code).into_iter().map(|(_, p)| p).collect();
    assert_eq!(paths, ["pack::Pack"]);
    let grouped = crate_paths("use crate::{analysis::results::Results, error::Result};");
    let grouped: Vec<String> = grouped.into_iter().map(|(_, p)| p).collect();
    assert_eq!(grouped, ["analysis::results", "error::Result"]);
    assert!(allowed("report", "collect::layout"));
    assert!(!allowed("report", "collect::read"));
    assert!(!allowed("report", "workbook::read_path"));
    assert!(allowed("workbook", "pack::manifest"));
    assert!(!allowed("workbook", "pack::engine"));
    assert!(!allowed("pack", "analysis::results"));
    assert!(allowed("sample", "report::xlsx"));
    assert!(!allowed("sample", "report::annotated"));
    assert!(!allowed("analysis", "cli::paths"));
}

/// The module path of a source file (`src/pack/engine/mod.rs` → `pack::engine`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src/");
    let text = rel.with_extension("").to_string_lossy().replace('/', "::");
    text.trim_end_matches("::mod").to_string()
}

/// Every module a file names (`crate::a::b::C` → the longest known module prefix, and
/// `super::x` → its sibling).
fn modules_named(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let longest = |path: &str| {
        let parts: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|m| known.contains(m))
    };
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect()
    };
    let mut out = BTreeSet::new();
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    for (prefix, base) in [
        ("crate::", String::new()),
        ("super::", format!("{parent}::")),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let head = ident(rest);
            let group = rest[head.len()..].strip_prefix('{').map(|g| {
                let end = g.find('}').unwrap_or(g.len());
                g[..end]
                    .split(',')
                    .map(|i| ident(i.trim()))
                    .collect::<Vec<_>>()
            });
            let paths = match group {
                Some(items) => items.iter().map(|i| format!("{base}{head}{i}")).collect(),
                None => vec![format!("{base}{head}")],
            };
            for p in paths {
                if let Some(m) = longest(&p) {
                    out.insert(m);
                }
            }
        }
    }
    out
}

#[test]
fn no_two_files_import_each_other() {
    let files = files();
    let known: BTreeSet<String> = files.iter().map(|(p, _)| module_of(p)).collect();
    let edges: Vec<(String, BTreeSet<String>)> = files
        .iter()
        .map(|(p, text)| {
            let m = module_of(p);
            let named = modules_named(&m, &code_only(text), &known);
            (m, named)
        })
        .collect();
    let imports = |a: &str, b: &str| edges.iter().any(|(m, named)| m == a && named.contains(b));
    let related =
        |a: &str, b: &str| a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
    // A circle of any length: b reachable from a and a from b, parents and children aside.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for (n, named) in &edges {
                if *n == m {
                    for t in named {
                        if !related(&m, t) && seen.insert(t.clone()) {
                            todo.push(t.clone());
                        }
                    }
                }
            }
        }
        seen
    };
    let mut circles = BTreeSet::new();
    for m in &known {
        for other in reach(m) {
            if other != *m && !related(m, &other) && reach(&other).contains(m) {
                let pair = if *m < other {
                    (m.clone(), other)
                } else {
                    (other, m.clone())
                };
                circles.insert(pair);
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files in an import circle:\n{}",
        circles
            .iter()
            .map(|(a, b)| format!("{a} ⇄ {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        imports("report::annotated::fiche", "report::xlsx"),
        "the test reads imports"
    );
    assert!(imports("pack::engine", "pack::engine::errors"));
}
