//! Guards run before any reader touches the bytes: what the file is, whether it is encrypted,
//! whether its zip archive is sound and bounded.
//!
//! This module owns the refusals that protect the process (zip bombs, lying archives, giant
//! files, password-protected workbooks) and the one byte-level repair boussole makes on an
//! xlsx (retyping error cells calamine does not know). It never interprets cell values.

use crate::error::Refusal;
use std::io::{Cursor, Read, Write};

/// Bounds on what boussole agrees to read.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Largest input file.
    pub max_file_bytes: u64,
    /// Largest sum of the uncompressed sizes in a zip archive.
    pub max_unzipped_bytes: u64,
    /// Largest compression ratio for a large zip entry.
    pub max_ratio: u64,
    /// Entry size from which the ratio is checked.
    pub ratio_from_bytes: u64,
    /// Most entries in a zip archive.
    pub max_entries: usize,
    /// Most non-empty cells read over all sheets.
    pub max_cells: usize,
    /// Largest dense range (rows x columns) a reader may build (xls, ods).
    pub max_dense_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 * 1024 * 1024,
            max_unzipped_bytes: 1024 * 1024 * 1024,
            max_ratio: 1000,
            ratio_from_bytes: 50 * 1024 * 1024,
            max_entries: 20_000,
            max_cells: 5_000_000,
            max_dense_cells: 20_000_000,
        }
    }
}

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Zip,
    Cfb,
    Text,
    Other,
}

const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if bytes.starts_with(CFB_MAGIC) {
        Kind::Cfb
    } else if looks_like_text(bytes) {
        Kind::Text
    } else {
        Kind::Other
    }
}

/// Text has no NUL and few control bytes in its first kilobytes.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    controls * 100 <= head.len()
}

/// An OLE compound file holding an encrypted OOXML package (what Excel writes for a
/// password-protected xlsx) names its streams `EncryptionInfo` and `EncryptedPackage`.
pub(crate) fn cfb_is_encrypted(bytes: &[u8]) -> bool {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect() };
    let needles = [utf16("EncryptedPackage"), utf16("EncryptionInfo")];
    needles
        .iter()
        .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
}

/// What a zip archive holds, from its central directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
    Unknown,
}

fn corrupt(e: impl Into<zip::result::ZipError>) -> Refusal {
    Refusal::CorruptArchive(e.into())
}

/// Checks a zip archive before any reader inflates it: readable central directory, bounded
/// entry count, declared sizes and ratios, and actual inflated sizes not beyond what was
/// declared (a lying archive is refused). Returns what the archive is.
pub(crate) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<ZipKind, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if archive.len() > limits.max_entries {
        return Err(Refusal::TooManyEntries {
            entries: archive.len(),
            limit: limits.max_entries,
        });
    }
    let mut total: u64 = 0;
    let mut kind = ZipKind::Unknown;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt)?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if total > limits.max_unzipped_bytes {
            return Err(bomb(limits));
        }
        if size > limits.ratio_from_bytes && size / packed > limits.max_ratio {
            return Err(Refusal::CompressionRatio {
                entry: name,
                ratio: size / packed,
            });
        }
        // Some writers use backslashes or put the workbook part elsewhere (the package's
        // relationships say where): `[Content_Types].xml` marks an OOXML package.
        let name = name.replace('\\', "/");
        match name.as_str() {
            "xl/workbook.bin" => kind = ZipKind::Xlsb,
            "xl/workbook.xml" if kind != ZipKind::Xlsb => kind = ZipKind::Xlsx,
            "[Content_Types].xml" if kind == ZipKind::Unknown => kind = ZipKind::Xlsx,
            "content.xml" if kind == ZipKind::Unknown => kind = ZipKind::Ods,
            _ => {}
        }
        if entry.encrypted() {
            return Err(Refusal::Encrypted);
        }
        names.push((i, size));
    }
    // Inflate each entry into a counting sink bounded by its declared size: archives whose
    // headers lie about sizes are refused instead of inflating without end.
    let mut actual_total: u64 = 0;
    for (i, declared) in names {
        let mut entry = archive.by_index(i).map_err(corrupt)?;
        let bound = declared.saturating_add(1);
        let mut sink = CountingSink(0);
        std::io::copy(&mut (&mut entry).take(bound), &mut sink).map_err(corrupt)?;
        if sink.0 > declared {
            return Err(Refusal::LyingSizes);
        }
        actual_total = actual_total.saturating_add(sink.0);
        if actual_total > limits.max_unzipped_bytes {
            return Err(bomb(limits));
        }
    }
    Ok(kind)
}

fn bomb(limits: &Limits) -> Refusal {
    Refusal::UnzipsTooBig {
        limit: limits.max_unzipped_bytes,
    }
}

struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Rewrites an xlsx so that error cells (`t="e"`) become text cells (`t="str"`): calamine
/// refuses error values it does not know (`#SPILL!`, `#CALC!`...), and the reader turns text
/// that looks like an error back into an error. Only worksheet parts are touched.
pub(crate) fn retype_error_cells(bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(corrupt)?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if entry.is_dir() {
            continue;
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(corrupt)?;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            content = retype_in_tags(&content);
        }
        out.start_file(name, options).map_err(corrupt)?;
        out.write_all(&content).map_err(corrupt)?;
    }
    let cursor = out.finish().map_err(corrupt)?;
    Ok(cursor.into_inner())
}

/// Replaces ` t="e"` (or `t='e'`) by ` t="str"` inside XML tags only.
fn retype_in_tags(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len() + 64);
    let mut in_tag = false;
    let mut i = 0;
    while i < xml.len() {
        let b = xml[i];
        if b == b'<' {
            in_tag = true;
        } else if b == b'>' {
            in_tag = false;
        }
        if in_tag && (xml[i..].starts_with(b" t=\"e\"") || xml[i..].starts_with(b" t='e'")) {
            out.extend_from_slice(b" t=\"str\"");
            i += 6;
            continue;
        }
        out.push(b);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_cells_are_retyped_inside_tags_only() {
        let xml = br#"<c r="A1" t="e"><v>#SPILL!</v></c><c r="A2" t="s"><v> t="e"</v></c>"#;
        let out = retype_in_tags(xml);
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"<c r="A1" t="str"><v>#SPILL!</v></c><c r="A2" t="s"><v> t="e"</v></c>"#
        );
    }

    #[test]
    fn encrypted_package_is_detected() {
        let mut bytes = CFB_MAGIC.to_vec();
        bytes.extend(
            "EncryptedPackage"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        assert!(cfb_is_encrypted(&bytes));
        assert!(!cfb_is_encrypted(CFB_MAGIC));
    }
}
