//! The paths of a command: input expansion, default output names, and the one guard that
//! refuses to write onto any file the command reads (inputs, returned workbooks, the
//! reference, the objectives, every file of the pack), whatever its spelling.

use crate::error::{Result, WriteError};
use crate::pack::{Origin, Pack};
use crate::report::file_names::{Unique, folded, portable};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What `run`, `inspect` and `impact` read from a folder.
pub const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"];
/// What `collect` reads from a folder: workbooks that can hold a returned Objectifs sheet.
pub const RETURNED_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "ods"];

/// The annotated workbook's default path for an input (`<stem>-boussole.xlsx`, valid on
/// Windows).
pub fn default_output(input: &Path, out_dir: Option<&Path>) -> PathBuf {
    let name = portable(&format!("{}-boussole.xlsx", stem(input)));
    match out_dir {
        Some(dir) => dir.join(name),
        None => input.with_file_name(name),
    }
}

/// An input's file stem (`classeur` when it has none).
fn stem(input: &Path) -> String {
    input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "classeur".into())
}

/// Where one input of a batch writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutputs {
    /// The annotated workbook, `<base>-boussole.xlsx`.
    pub annotated: PathBuf,
    /// The per-structure folder beside it, `<base>-structures/`.
    pub structures: PathBuf,
    /// The JSON results in the JSON folder, `<base>.json`.
    pub json: Option<PathBuf>,
}

/// The outputs of a batch: every name valid on Windows and distinct from the others of
/// its folder once case is ignored, whatever the inputs' names, deterministically (in the
/// inputs' order). An input's base is its stem (`bretagne`); where two inputs writing to
/// the same folder share a stem whatever its case (`y.xlsx`, `Y.csv`), each keeps its
/// extension (`y.xlsx`, `Y.csv`), and any name still taken gets `-2`, `-3`... The JSON
/// files share one folder: their bases are made distinct over the whole batch.
pub fn batch_outputs(
    inputs: &[PathBuf],
    out_dir: Option<&Path>,
    json_dir: Option<&Path>,
) -> Vec<BatchOutputs> {
    let folders: Vec<PathBuf> = inputs
        .iter()
        .map(|input| {
            let folder = out_dir
                .map(Path::to_path_buf)
                .unwrap_or_else(|| match input.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                });
            // Two spellings of one folder (`./a`, `a`) are one folder.
            folder.canonicalize().unwrap_or(folder)
        })
        .collect();
    let bases = distinct_bases(inputs, &folders);
    let json_bases = json_dir.map(|_| distinct_bases(inputs, &vec![PathBuf::new(); inputs.len()]));
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let folder = match out_dir {
                Some(dir) => dir.to_path_buf(),
                None => input.with_file_name(""),
            };
            BatchOutputs {
                annotated: folder.join(format!("{}-boussole.xlsx", bases[i])),
                structures: folder.join(format!("{}-structures", bases[i])),
                json: json_dir
                    .zip(json_bases.as_ref())
                    .map(|(dir, b)| dir.join(format!("{}.json", b[i]))),
            }
        })
        .collect()
}

/// Where `run --by-region` writes, all in `out_dir` (and the JSON in `json_dir`): the
/// national workbook under its usual name (`<stem>-boussole.xlsx`, JSON
/// `<stem>-boussole.json`), then per region, in the order given, `<Région>.xlsx`, its JSON
/// `<Région>.json` and its per-structure folder `<Région>-structures/`. Every name valid on
/// Windows; a region's base distinct, case ignored, from the other regions' and from the
/// national one, so that no two outputs are one file on NTFS or APFS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionalOutputs {
    /// The national workbook and its JSON (its `structures` folder is not written: each
    /// structure's workbook goes into its region's folder).
    pub national: BatchOutputs,
    /// Aligned with the regions given.
    pub regions: Vec<BatchOutputs>,
}

pub fn regional_outputs(
    input: &Path,
    out_dir: &Path,
    json_dir: Option<&Path>,
    regions: &[&str],
) -> RegionalOutputs {
    let mut bases = Unique::new();
    let national = bases.name(&format!("{}-boussole", stem(input)), "");
    let outputs = |base: &str, xlsx: String| BatchOutputs {
        annotated: out_dir.join(xlsx),
        structures: out_dir.join(format!("{base}-structures")),
        json: json_dir.map(|dir| dir.join(format!("{base}.json"))),
    };
    RegionalOutputs {
        national: outputs(&national, format!("{national}.xlsx")),
        regions: regions
            .iter()
            .map(|region| {
                let base = bases.name(region, "");
                outputs(&base, format!("{base}.xlsx"))
            })
            .collect(),
    }
}

/// Each input's base name, distinct (case ignored) among the inputs of the same folder.
fn distinct_bases(inputs: &[PathBuf], folders: &[PathBuf]) -> Vec<String> {
    let stems: Vec<String> = inputs.iter().map(|i| stem(i)).collect();
    let mut sharing: HashMap<(&Path, String), usize> = HashMap::new();
    for (stem, folder) in stems.iter().zip(folders) {
        *sharing.entry((folder.as_path(), folded(stem))).or_default() += 1;
    }
    let mut names: HashMap<&Path, Unique> = HashMap::new();
    inputs
        .iter()
        .zip(stems.iter().zip(folders))
        .map(|(input, (stem, folder))| {
            let shared = sharing[&(folder.as_path(), folded(stem))] > 1;
            let base = match input.file_name() {
                Some(name) if shared => name.to_string_lossy().into_owned(),
                _ => stem.clone(),
            };
            names.entry(folder.as_path()).or_default().name(&base, "")
        })
        .collect()
}

/// Boussole's annotated outputs (`*-boussole.xlsx`) in a folder: skipped as inputs of an
/// analysis, kept as returned workbooks (an annotated workbook carries an Objectifs sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnotatedOutputs {
    Skipped,
    Kept,
}

/// Is this a file a folder expansion picks: a file, one of `extensions`, not an office
/// lock file (`~$`), not hidden, and not one of boussole's own annotated outputs unless
/// they are kept?
fn is_picked(path: &Path, extensions: &[&str], annotated: AnnotatedOutputs) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    path.is_file()
        && extensions.contains(&ext.as_str())
        && !name.starts_with("~$")
        && !name.starts_with('.')
        && (annotated == AnnotatedOutputs::Kept || !name.ends_with("-boussole.xlsx"))
}

/// The files named, and the files of `extensions` inside the folders named (sorted, one
/// level unless `recursive`). A folder that cannot be listed stays in the list, so that
/// reading it gives its own clear refusal.
pub fn expand_inputs(inputs: &[PathBuf], recursive: bool, extensions: &[&str]) -> Vec<PathBuf> {
    expand(inputs, recursive, extensions, AnnotatedOutputs::Skipped)
}

/// What `collect` reads: the files named, and the returned workbooks
/// ([`RETURNED_EXTENSIONS`]) inside the folders named, one level, sorted; unlike
/// [`expand_inputs`], annotated outputs (`*-boussole.xlsx`) are kept.
pub fn expand_returned(inputs: &[PathBuf]) -> Vec<PathBuf> {
    expand(inputs, false, RETURNED_EXTENSIONS, AnnotatedOutputs::Kept)
}

fn expand(
    inputs: &[PathBuf],
    recursive: bool,
    extensions: &[&str],
    annotated: AnnotatedOutputs,
) -> Vec<PathBuf> {
    fn walk(
        dir: &Path,
        recursive: bool,
        depth: usize,
        ext: &[&str],
        annotated: AnnotatedOutputs,
        out: &mut Vec<PathBuf>,
    ) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            out.push(dir.to_path_buf());
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                if recursive && depth < 32 {
                    walk(&p, recursive, depth + 1, ext, annotated, out);
                }
            } else if is_picked(&p, ext, annotated) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, recursive, 0, extensions, annotated, &mut out);
        } else {
            out.push(input.clone());
        }
    }
    out
}

/// The identity of an existing file: its canonical path and, on Unix, its device and inode
/// (so that a hard link is recognised too).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    canonical: Option<PathBuf>,
    #[cfg(unix)]
    inode: Option<(u64, u64)>,
}

impl FileId {
    fn of(path: &Path) -> FileId {
        FileId {
            canonical: path.canonicalize().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
            },
        }
    }

    fn same(&self, other: &FileId) -> bool {
        #[cfg(unix)]
        if self.inode.is_some() && self.inode == other.inode {
            return true;
        }
        self.canonical.is_some() && self.canonical == other.canonical
    }
}

/// Every file a command reads: no output may be one of them, even with `--force`.
#[derive(Debug, Default)]
pub struct ReadFiles {
    files: Vec<(PathBuf, FileId)>,
}

impl ReadFiles {
    pub fn new() -> ReadFiles {
        ReadFiles::default()
    }

    /// Adds a file the command reads (a folder adds nothing: its files are added one by
    /// one as they are expanded).
    pub fn add(&mut self, path: &Path) {
        if path.is_dir() {
            return;
        }
        self.files.push((path.to_path_buf(), FileId::of(path)));
    }

    pub fn add_all<'a>(&mut self, paths: impl IntoIterator<Item = &'a PathBuf>) {
        for p in paths {
            self.add(p);
        }
    }

    /// Adds every file of a pack loaded from a folder.
    pub fn add_pack(&mut self, pack: &Pack) {
        if let Origin::Folder(dir) = &pack.origin {
            for rel in pack.files.keys() {
                self.add(&dir.join(rel));
            }
        }
    }

    /// Refuses, before anything is written, each output that is a file the command reads
    /// (even with `--force`) or that exists (without `--force`).
    pub fn refuse_outputs<'a>(
        &self,
        outputs: impl IntoIterator<Item = &'a Path>,
        force: bool,
    ) -> Result<()> {
        for output in outputs {
            self.refuse_as_output(output)?;
            crate::report::atomic::refuse_existing(output, force)?;
        }
        Ok(())
    }

    /// Refuses `output` when it is a file the command reads, whatever its spelling
    /// (relative, `./`, a symbolic or a hard link): inputs are never modified.
    pub fn refuse_as_output(&self, output: &Path) -> Result<()> {
        let id = FileId::of(output);
        if self.files.iter().any(|(_, input)| input.same(&id)) {
            return Err(WriteError::IsAnInput {
                path: output.to_path_buf(),
            }
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_refused_as_output_whatever_its_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("entree.xlsx");
        std::fs::write(&input, b"x").unwrap();
        let mut read = ReadFiles::new();
        read.add(&input);
        assert!(read.refuse_as_output(&input).is_err());
        let dotted = dir.path().join(".").join("entree.xlsx");
        assert!(read.refuse_as_output(&dotted).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("lien.xlsx");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(read.refuse_as_output(&link).is_err());
            let hard = dir.path().join("dur.xlsx");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(read.refuse_as_output(&hard).is_err());
        }
        assert!(
            read.refuse_as_output(&dir.path().join("autre.xlsx"))
                .is_ok()
        );
    }

    #[test]
    fn batch_outputs_are_distinct_once_case_is_ignored_and_valid_on_windows() {
        let inputs: Vec<PathBuf> = ["r/y.xlsx", "r/y.csv", "r/b/Y.xlsx", "r/CON.xlsx", "r/z.ods"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let out = batch_outputs(&inputs, Some(Path::new("o")), Some(Path::new("j")));
        let names = |f: &dyn Fn(&BatchOutputs) -> PathBuf| -> Vec<String> {
            out.iter()
                .map(|o| f(o).to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(&|o| o.annotated.clone()),
            [
                "o/y.xlsx-boussole.xlsx",
                "o/y.csv-boussole.xlsx",
                "o/Y.xlsx-2-boussole.xlsx",
                "o/CON_-boussole.xlsx",
                "o/z-boussole.xlsx"
            ]
        );
        assert_eq!(
            names(&|o| o.json.clone().unwrap()),
            [
                "j/y.xlsx.json",
                "j/y.csv.json",
                "j/Y.xlsx-2.json",
                "j/CON_.json",
                "j/z.json"
            ]
        );
        assert_eq!(out[1].structures, PathBuf::from("o/y.csv-structures"));
        // Next to their inputs, the two `y.xlsx` are in different folders: plain names.
        let beside = batch_outputs(&inputs[..3], None, None);
        assert_eq!(beside[2].annotated, PathBuf::from("r/b/Y-boussole.xlsx"));
        assert_eq!(beside[0].annotated, PathBuf::from("r/y.xlsx-boussole.xlsx"));
    }

    #[test]
    fn regional_outputs_are_named_after_their_regions_distinct_and_valid_on_windows() {
        let out = regional_outputs(
            Path::new("in/national.xlsx"),
            Path::new("o"),
            Some(Path::new("j")),
            &["Bretagne", "bretagne", "National-Boussole", "CON", "Île?"],
        );
        assert_eq!(
            out.national.annotated,
            PathBuf::from("o/national-boussole.xlsx")
        );
        assert_eq!(
            out.national.json,
            Some(PathBuf::from("j/national-boussole.json"))
        );
        let annotated: Vec<String> = out
            .regions
            .iter()
            .map(|o| o.annotated.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            annotated,
            [
                "o/Bretagne.xlsx",
                "o/bretagne-2.xlsx",
                "o/National-Boussole-2.xlsx",
                "o/CON_.xlsx",
                "o/Île_.xlsx"
            ]
        );
        assert_eq!(
            out.regions[1].structures,
            PathBuf::from("o/bretagne-2-structures")
        );
        assert_eq!(
            out.regions[2].json,
            Some(PathBuf::from("j/National-Boussole-2.json"))
        );
    }

    #[test]
    fn folders_expand_to_their_spreadsheets_only() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.xlsx",
            "a.csv",
            "~$a.xlsx",
            ".cache.xlsx",
            "a-boussole.xlsx",
            "n.txt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        // Not files: a folder named like a workbook, a link to nothing.
        std::fs::create_dir(dir.path().join("dossier.xlsx")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("absent.xlsx"), dir.path().join("lien.xlsx"))
            .unwrap();
        let names = |paths: Vec<PathBuf>| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        let folder = [dir.path().to_path_buf()];
        let inputs = expand_inputs(&folder, false, SPREADSHEET_EXTENSIONS);
        assert_eq!(names(inputs), ["a.csv", "b.xlsx"]);
        let returned = expand_inputs(&folder, false, RETURNED_EXTENSIONS);
        assert_eq!(names(returned), ["b.xlsx"]);
        // collect reads an annotated workbook returned as it is.
        assert_eq!(
            names(expand_returned(&folder)),
            ["a-boussole.xlsx", "b.xlsx"]
        );
    }
}
