//! Rule packs: loading a pack (from a folder or the embedded default), its manifest, the
//! sandboxed Rhai engine and the API given to scripts, the linter and the pack's own tests.
//!
//! This module must not read workbooks nor compute statistics: it receives the analysis'
//! per-structure views and returns decisions with the script position that made them.

pub mod decisions;
pub mod engine;
pub mod lint;
pub mod manifest;

use crate::error::{PackError, Result};
use manifest::Manifest;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The embedded default pack (`rules/cpo/`), file by file. A test checks this list matches
/// the folder so nothing is forgotten.
pub const EMBEDDED_CPO: &[(&str, &str)] = &[
    (
        "constats.rhai",
        include_str!("../../rules/cpo/constats.rhai"),
    ),
    ("pack.toml", include_str!("../../rules/cpo/pack.toml")),
    (
        "recommandations.rhai",
        include_str!("../../rules/cpo/recommandations.rhai"),
    ),
    ("regions.rhai", include_str!("../../rules/cpo/regions.rhai")),
    (
        "tests/cas.toml",
        include_str!("../../rules/cpo/tests/cas.toml"),
    ),
];

/// Where a pack came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Embedded,
    Folder(PathBuf),
}

/// A loaded (not yet compiled) pack: manifest and the text of every file.
#[derive(Debug, Clone)]
pub struct Pack {
    pub manifest: Manifest,
    /// Every file of the pack by relative path (`/`-separated), sorted.
    pub files: BTreeMap<String, String>,
    pub origin: Origin,
}

impl Pack {
    /// The embedded default pack.
    pub fn embedded() -> Result<Pack> {
        let files = EMBEDDED_CPO
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        Pack::from_files(files, Origin::Embedded)
    }

    /// A pack from a folder: `pack.toml`, the scripts and `tests/*.toml`.
    pub fn from_dir(dir: &Path) -> Result<Pack> {
        if !dir.is_dir() {
            return Err(PackError::NoFolder {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        let mut files = BTreeMap::new();
        collect_files(dir, dir, &mut files, 0)?;
        if !files.contains_key("pack.toml") {
            return Err(PackError::NoManifestInFolder {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        Pack::from_files(files, Origin::Folder(dir.to_path_buf()))
    }

    /// The pack given by `--rules`, or the embedded one.
    pub fn load(rules: Option<&Path>) -> Result<Pack> {
        match rules {
            Some(dir) => Pack::from_dir(dir),
            None => Pack::embedded(),
        }
    }

    pub fn from_files(files: BTreeMap<String, String>, origin: Origin) -> Result<Pack> {
        let text = files.get("pack.toml").ok_or(PackError::NoManifest)?;
        let manifest: Manifest = toml::from_str(text).map_err(|source| PackError::Manifest {
            at: source.span().map(|s| line_col(text, s.start)),
            source,
        })?;
        if let Some((variant, problem)) = manifest.variant_problems().into_iter().next() {
            return Err(PackError::Variant { variant, problem }.into());
        }
        for script in manifest.scripts.all() {
            if !files.contains_key(script) {
                return Err(PackError::MissingScript {
                    script: script.to_string(),
                }
                .into());
            }
        }
        Ok(Pack {
            manifest,
            files,
            origin,
        })
    }

    /// SHA-256 over every file's path and content, in path order (hex).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for (path, content) in &self.files {
            h.update(path.as_bytes());
            h.update([0u8]);
            h.update(content.as_bytes());
            h.update([0u8]);
        }
        crate::dataset::hex(&h.finalize())
    }

    /// SHA-256 of each file (hex), for the Règles sheet.
    pub fn file_hashes(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .map(|(p, c)| {
                (
                    p.clone(),
                    crate::dataset::hex(&Sha256::digest(c.as_bytes())),
                )
            })
            .collect()
    }

    /// Test case files (`tests/*.toml`), by path.
    pub fn test_files(&self) -> impl Iterator<Item = (&String, &String)> {
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with("tests/") && p.ends_with(".toml"))
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

const MAX_PACK_FILES: usize = 500;
const MAX_PACK_FILE_BYTES: u64 = 2 * 1024 * 1024;

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, String>,
    depth: usize,
) -> Result<()> {
    if depth > 4 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| PackError::ReadFolder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(root, &path, out, depth + 1)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "toml" | "rhai" | "md") {
            continue;
        }
        if out.len() >= MAX_PACK_FILES {
            return Err(PackError::TooManyFiles {
                dir: root.to_path_buf(),
                limit: MAX_PACK_FILES,
            }
            .into());
        }
        let content = read_pack_file(&path)?;
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.insert(rel, content);
    }
    Ok(())
}

/// One file of a pack folder: a regular file (a FIFO or a device would block or never
/// end), of at most [`MAX_PACK_FILE_BYTES`] as actually read (a symbolic link to
/// `/dev/zero` declares no size).
fn read_pack_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let failed = |source| PackError::ReadFile {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(failed)?;
    if !metadata.is_file() {
        return Err(PackError::NotARegularFile {
            path: path.to_path_buf(),
        }
        .into());
    }
    let too_big = |size| PackError::FileTooBig {
        path: path.to_path_buf(),
        size,
        limit: MAX_PACK_FILE_BYTES,
    };
    if metadata.len() > MAX_PACK_FILE_BYTES {
        return Err(too_big(metadata.len()).into());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PACK_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_PACK_FILE_BYTES {
        return Err(too_big(bytes.len() as u64).into());
    }
    String::from_utf8(bytes)
        .map_err(|e| failed(std::io::Error::new(std::io::ErrorKind::InvalidData, e)).into())
}
