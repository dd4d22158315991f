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

/// Writes `bytes` to `path` atomically. An existing file is replaced only with `force`.
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
    let mut tmp = tempfile::Builder::new()
        .prefix(".boussole-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // A temporary file is private (0600); an output is an ordinary document: keep the
    // permissions of the file it replaces, else readable by all like any new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
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
}
