//! Atomic output: a file appears whole or not at all, and the outputs of one input appear
//! together or not at all.
//!
//! The content is written to a temporary file in the target's folder and flushed to disk
//! ([`stage`]), then renamed over the target ([`Staged::commit`]). On any error the
//! temporary file is removed (tempfile's `TempPath` deletes itself on drop), so no partial
//! output and no litter remain. A [`Staging`] holds several staged outputs (an annotated
//! workbook, its JSON, its per-structure workbooks) and the folders made for them: they are
//! moved in together by [`Staging::commit`], and dropped without it they leave nothing new.

use crate::error::{Result, WriteError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Refuses an existing output unless `force`: the one wording of that refusal.
pub fn refuse_existing(path: &Path, force: bool) -> Result<()> {
    if !force && path.symlink_metadata().is_ok() {
        return Err(WriteError::Exists {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

/// The folder an output is written in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Refuses an output whose folder is missing or is not a folder, before anything is
/// written.
pub fn check_folder(path: &Path) -> Result<()> {
    let dir = folder_of(path);
    if dir.is_dir() {
        return Ok(());
    }
    let dir = dir.to_path_buf();
    Err(if dir.symlink_metadata().is_ok() {
        WriteError::NotAFolder { dir }
    } else {
        WriteError::NoFolder { dir }
    }
    .into())
}

/// Writes `bytes` to `path` atomically. An existing file is replaced only with `force`;
/// without it, the final rename refuses to replace a file (no-clobber), so no file created
/// between the check and the rename is lost.
pub fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    stage(path, bytes, force)?.commit().map(|_| ())
}

/// An output written whole under a temporary name in its target's folder, not yet moved
/// in; dropped without [`Staged::commit`], it is removed.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::TempPath,
    target: PathBuf,
    force: bool,
}

/// Writes `bytes` to a temporary file next to `path`, flushed to disk; errors name `path`,
/// never the temporary file the user does not know of.
pub fn stage(path: &Path, bytes: &[u8], force: bool) -> Result<Staged> {
    stage_with(path, force, &mut |w| w.write_all(bytes))
}

/// [`stage`] with the content written by `write` into the temporary file (buffered), so
/// that a large output is never held whole in memory.
pub fn stage_with(
    path: &Path,
    force: bool,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged> {
    refuse_existing(path, force)?;
    check_folder(path)?;
    let dir = folder_of(path);
    let fail = |source: std::io::Error| WriteError::Write {
        path: path.to_path_buf(),
        source,
    };
    let existing = std::fs::metadata(path).ok();
    let mut builder = tempfile::Builder::new();
    builder.prefix(".boussole-").suffix(".tmp");
    // An output is an ordinary document: a new one gets the permissions any new file gets
    // (0666 less the process's umask, applied by the kernel as it creates the file); one
    // that is replaced keeps its own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing
            .as_ref()
            .map_or(0o666, |m| m.permissions().mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut buffered).map_err(fail)?;
        buffered.flush().map_err(fail)?;
    }
    #[cfg(unix)]
    if let Some(m) = &existing {
        // The umask also applied to the temporary file: give it the replaced file's mode.
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    Ok(Staged {
        tmp: tmp.into_temp_path(),
        target: path.to_path_buf(),
        force,
    })
}

impl Staged {
    /// Where it goes.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves it in; returns whether a file was replaced (only with `force`).
    pub fn commit(self) -> Result<bool> {
        let Staged { tmp, target, force } = self;
        let fail = |source: std::io::Error| WriteError::Write {
            path: target.clone(),
            source,
        };
        if force {
            let replaced = target.symlink_metadata().is_ok();
            tmp.persist(&target).map_err(|e| fail(e.error))?;
            Ok(replaced)
        } else {
            // Without --force the rename itself never replaces a file, even one created
            // since the check (another run, a slow network share).
            tmp.persist_noclobber(&target).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    WriteError::Exists {
                        path: target.clone(),
                    }
                } else {
                    fail(e.error)
                }
            })?;
            Ok(false)
        }
    }
}

/// The outputs of one input, staged together, and the folders made for them. Dropped
/// without [`Staging::commit`] (an error on the way), it removes its temporary files and
/// the folders it made: a failed input leaves nothing new behind.
#[derive(Debug, Default)]
pub struct Staging {
    staged: Vec<Staged>,
    /// Folders this staging created, outermost first.
    made: Vec<PathBuf>,
}

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// Makes `dir` (and its missing parents) if needed; the ones made are removed again
    /// if the staging is dropped without commit.
    pub fn folder(&mut self, dir: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut at = Some(dir);
        while let Some(d) =
            at.filter(|d| !d.as_os_str().is_empty() && d.symlink_metadata().is_err())
        {
            missing.push(d.to_path_buf());
            at = d.parent();
        }
        std::fs::create_dir_all(dir).map_err(|source| WriteError::CreateFolder {
            what: "dossier",
            dir: dir.to_path_buf(),
            source,
        })?;
        self.made.extend(missing.into_iter().rev());
        Ok(())
    }

    /// Writes `bytes` to a temporary file for `path` ([`stage`]) and keeps it.
    pub fn stage(&mut self, path: &Path, bytes: &[u8], force: bool) -> Result<()> {
        let staged = stage(path, bytes, force)?;
        self.staged.push(staged);
        Ok(())
    }

    /// [`stage_with`]: the content written into the temporary file by `write`.
    pub fn stage_with(
        &mut self,
        path: &Path,
        force: bool,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let staged = stage_with(path, force, write)?;
        self.staged.push(staged);
        Ok(())
    }

    /// Keeps outputs staged elsewhere (in parallel).
    pub fn extend(&mut self, staged: impl IntoIterator<Item = Staged>) {
        self.staged.extend(staged);
    }

    /// Takes over another staging's outputs and folders (one staged on another task):
    /// they are moved in, or removed, with this one's.
    pub fn append(&mut self, mut other: Staging) {
        self.staged.append(&mut other.staged);
        self.made.append(&mut other.made);
    }

    /// Moves every staged output in, in the order staged. When one cannot be moved, the
    /// outputs this commit moved in without replacing a file are removed again (a replaced
    /// file, with --force, cannot be given back), and so are the folders made.
    pub fn commit(mut self) -> Result<()> {
        let mut moved: Vec<PathBuf> = Vec::new();
        let staged = std::mem::take(&mut self.staged);
        let mut rest = staged.into_iter();
        for s in rest.by_ref() {
            let target = s.target.clone();
            match s.commit() {
                Ok(false) => moved.push(target),
                Ok(true) => {}
                Err(e) => {
                    drop(rest);
                    for path in moved.iter().rev() {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(e);
                }
            }
        }
        self.made.clear();
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Temporary files first (they are inside the folders made), then the folders,
        // innermost first; a folder something else has written into since stays.
        self.staged.clear();
        for dir in self.made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_file_is_kept_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sortie.xlsx");
        std::fs::write(&target, b"ancien").unwrap();
        let err = write_atomically(&target, b"nouveau", false).unwrap_err();
        assert!(err.to_string().contains("--force"));
        assert_eq!(std::fs::read(&target).unwrap(), b"ancien");
        write_atomically(&target, b"nouveau", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"nouveau");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn new_outputs_follow_the_umask_and_replaced_ones_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("sonde");
        std::fs::write(&probe, b"x").unwrap();
        let ordinary = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let target = dir.path().join("nouveau.xlsx");
        write_atomically(&target, b"x", false).unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, ordinary, "as an ordinary file creation");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&target, b"y", true).unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn a_staging_dropped_without_commit_leaves_nothing_new() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("x-structures");
        {
            let mut staging = Staging::new();
            staging.folder(&folder).unwrap();
            staging.stage(&folder.join("a.xlsx"), b"a", false).unwrap();
            staging
                .stage(&dir.path().join("x.json"), b"{}", false)
                .unwrap();
            assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "staged");
            // An error on the way: the staging is dropped.
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_staging_commits_everything_or_takes_back_what_it_moved_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new();
        staging
            .stage(&dir.path().join("a.json"), b"a", false)
            .unwrap();
        staging
            .stage(&dir.path().join("b.xlsx"), b"b", false)
            .unwrap();
        // Created by someone else between the staging and the commit.
        std::fs::write(dir.path().join("b.xlsx"), b"autre").unwrap();
        let err = staging.commit().unwrap_err();
        assert!(err.to_string().contains("b.xlsx"), "{err}");
        assert_eq!(std::fs::read(dir.path().join("b.xlsx")).unwrap(), b"autre");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.xlsx"], "a.json taken back, no temporary file");

        let mut staging = Staging::new();
        staging
            .stage(&dir.path().join("a.json"), b"a", false)
            .unwrap();
        staging
            .stage(&dir.path().join("b.xlsx"), b"b", true)
            .unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"a");
        assert_eq!(std::fs::read(dir.path().join("b.xlsx")).unwrap(), b"b");
    }

    #[test]
    fn a_folder_that_is_a_file_is_said_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"x").unwrap();
        let err = write_atomically(&dir.path().join("f").join("x.xlsx"), b"x", false).unwrap_err();
        assert!(err.to_string().contains("n'est pas un dossier"), "{err}");
        let err =
            write_atomically(&dir.path().join("absent").join("x.xlsx"), b"x", false).unwrap_err();
        assert!(err.to_string().contains("n'existe pas"), "{err}");
    }
}
