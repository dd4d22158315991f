//! Guards around calamine for what its own checks miss (found by fuzzing, see
//! `docs/fiabilite.md`): panics on corrupt xls, ods and xlsx files become a clear refusal,
//! and an ods whose content stops inside a table (on which calamine loops forever) is
//! refused before calamine reads it.

use crate::error::{Refusal, catch_panic};
use std::io::{Cursor, Read};

/// Runs a calamine read; a panic inside it becomes a refusal.
pub(crate) fn guarded<T>(read: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    catch_panic(read, || Refusal::Corrupt)
}

/// Refuses an xls whose compound-file structure is inconsistent (sector chains that loop
/// or point outside the file): calamine follows such chains without bound and exhausts
/// memory. The `cfb` crate validates the structure and its streams' chains first.
pub(crate) fn check_xls(bytes: &[u8]) -> Result<(), Refusal> {
    let mut compound = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(Refusal::CorruptXls)?;
    let streams: Vec<std::path::PathBuf> = compound
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    for path in streams {
        // Reading each stream follows its whole chain, which cfb bounds and checks.
        let mut stream = compound.open_stream(&path).map_err(Refusal::CorruptXls)?;
        let mut sink = std::io::sink();
        std::io::copy(&mut stream, &mut sink).map_err(Refusal::CorruptXls)?;
    }
    Ok(())
}

/// Refuses an ods whose `content.xml` is cut inside a table or is not a whole document.
pub(crate) fn check_ods(bytes: &[u8]) -> Result<(), Refusal> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // the zip guard and calamine report it
    };
    let Ok(mut entry) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut content = Vec::new();
    if entry.read_to_end(&mut content).is_err() {
        return Err(Refusal::TruncatedOds);
    }
    let opens = count_tag(&content, b"<table:table", true);
    let closes = count_tag(&content, b"</table:table>", false);
    let self_closed = count_self_closed_tables(&content);
    if opens != closes + self_closed {
        return Err(Refusal::TruncatedOds);
    }
    Ok(())
}

/// Occurrences of `tag`; with `exact_name`, only where the tag name ends there
/// (`<table:table ` or `<table:table>`, not `<table:table-row`).
fn count_tag(hay: &[u8], tag: &[u8], exact_name: bool) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i + tag.len() <= hay.len() {
        if &hay[i..i + tag.len()] == tag {
            let next = hay.get(i + tag.len()).copied();
            if !exact_name || matches!(next, Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r')) {
                count += 1;
            }
            i += tag.len();
        } else {
            i += 1;
        }
    }
    count
}

/// `<table:table .../>` elements, which open and close at once.
fn count_self_closed_tables(hay: &[u8]) -> usize {
    let tag = b"<table:table";
    let mut count = 0;
    let mut i = 0;
    while i + tag.len() <= hay.len() {
        if &hay[i..i + tag.len()] == tag
            && matches!(
                hay.get(i + tag.len()).copied(),
                Some(b' ' | b'/' | b'\t' | b'\n' | b'\r')
            )
        {
            if let Some(end) = hay[i..].iter().position(|&b| b == b'>')
                && end > 0
                && hay[i + end - 1] == b'/'
            {
                count += 1;
            }
            i += tag.len();
        } else {
            i += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_counted_by_their_own_tags() {
        let xml = b"<table:table a='1'><table:table-row/></table:table><table:table/>";
        assert_eq!(count_tag(xml, b"<table:table", true), 2);
        assert_eq!(count_tag(xml, b"</table:table>", false), 1);
        assert_eq!(count_self_closed_tables(xml), 1);
    }

    #[test]
    fn a_panic_inside_a_guarded_read_is_a_refusal() {
        let r: Result<(), Refusal> = guarded(|| panic!("calamine"));
        assert!(matches!(r, Err(Refusal::Corrupt)));
        assert!(!crate::error::panic_is_guarded());
    }
}
