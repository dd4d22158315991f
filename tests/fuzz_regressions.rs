//! Inputs found by fuzzing (`fuzz/`, see docs/fiabilite.md) that crashed boussole, rebuilt
//! here byte by byte. Each must give one clear refusal (`Error::Input`), never a panic.

use boussole::error::Error;
use boussole::pack::Pack;
use boussole::workbook::read_bytes;

fn refusal(bytes: &[u8], file: &str) -> String {
    let columns = Pack::embedded().expect("embedded pack").manifest.columns;
    match read_bytes(bytes, file, &columns) {
        Err(Error::Input(message)) => message,
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

/// An OLE compound file (xls container): the 512-byte header, then `sectors` sectors of
/// 512 zero bytes. Version 3, 512-byte sectors, no FAT sector listed in the header's DIFAT,
/// no DIFAT chain; `dir_start` is the first sector of the directory chain.
fn compound_file(dir_start: u32, sectors: usize) -> Vec<u8> {
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes()); // minor version
    header[26..28].copy_from_slice(&3u16.to_le_bytes()); // major version
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes()); // little endian
    header[30..32].copy_from_slice(&9u16.to_le_bytes()); // sector shift: 512 bytes
    header[32..34].copy_from_slice(&6u16.to_le_bytes()); // mini sector shift
    header[48..52].copy_from_slice(&dir_start.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes()); // mini stream cutoff
    header[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no mini FAT
    header[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no DIFAT chain
    header[76..512].fill(0xFF); // DIFAT entries all free: no FAT sector
    let mut bytes = header;
    bytes.resize(512 + 512 * sectors, 0);
    bytes
}

/// Found by the `read_workbook` target. calamine 0.38 `cfb.rs:320` (`Sectors::get`) slices
/// `data[start..len]` with `len < start` when a sector id within the file-length bound lies
/// past the bytes actually there: "slice index starts at 1024 but ends at 512".
#[test]
fn an_xls_whose_directory_starts_past_the_end_is_refused() {
    let message = refusal(&compound_file(2, 1), "repertoire-hors-fichier.xls");
    assert!(message.starts_with("repertoire-hors-fichier.xls : "), "{message}");
}

/// Same family (calamine 0.38 `cfb.rs:344`, `Sectors::get_chain`): a sector chain followed
/// through a FAT that does not list the sector indexes `fats[sector_id]` out of bounds: "index out of bounds: the len is 0 but the index is 0".
#[test]
fn an_xls_without_a_fat_is_refused() {
    let message = refusal(&compound_file(0, 1), "sans-fat.xls");
    assert!(message.starts_with("sans-fat.xls : "), "{message}");
}
