//! Atomic output: a file appears whole or not at all.
//!
//! The content is written to a temporary file in the target's folder, flushed to disk,
//! then renamed over the target. On any error the temporary file is removed (tempfile's
//! `NamedTempFile` deletes itself on drop), so no partial output and no litter remain.

use crate::error::{Result, WriteError};
use std::io::Write;
use std::path::Path;

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

/// Writes `bytes` to `path` atomically. An existing file is replaced only with `force`;
/// without it, the final rename refuses to replace a file (no-clobber), so no file created
/// between the check and the rename is lost.
pub fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    refuse_existing(path, force)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(WriteError::NoFolder {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    // Errors name the target, never the temporary file the user does not know of.
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
    tmp.write_all(bytes).map_err(fail)?;
    #[cfg(unix)]
    if let Some(m) = &existing {
        // The umask also applied to the temporary file: give it the replaced file's mode.
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    if force {
        tmp.persist(path).map_err(|e| fail(e.error))?;
    } else {
        // Without --force the rename itself never replaces a file, even one created since
        // the check above (another run, a slow network share).
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                fail(e.error)
            }
        })?;
    }
    Ok(())
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
}
