//! A real spreadsheet program as the judge: LibreOffice headless, with a profile that
//! forces the recalculation of every formula on load, re-saves or prints what boussole
//! wrote; the tests then compare what it computed with what boussole cached.

use calamine::{Data, Reader, open_workbook_auto};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A LibreOffice user profile that recalculates every formula of an xlsx or ods on load
/// (`OOXMLRecalcMode` and `ODFRecalcMode` 0: always), as Excel does with `fullCalcOnLoad`.
pub fn recalculating_profile(dir: &Path) -> PathBuf {
    profile(dir, None)
}

/// A recalculating profile whose interface and number display are in `locale` (`fr-FR`:
/// `12,5 %`, `1 234`), when given.
fn profile(dir: &Path, locale: Option<&str>) -> PathBuf {
    let profile = dir.join("lo-profile");
    let user = profile.join("user");
    std::fs::create_dir_all(&user).expect("profile folder");
    let item = |name: &str| {
        format!(
            "<item oor:path=\"/org.openoffice.Office.Calc/Formula/Load\">\
             <prop oor:name=\"{name}\" oor:op=\"fuse\"><value>0</value></prop></item>"
        )
    };
    let locale = locale
        .map(|l| {
            ["ooSetupSystemLocale", "ooLocale"]
                .map(|name| {
                    format!(
                        "<item oor:path=\"/org.openoffice.Setup/L10N\">\
                         <prop oor:name=\"{name}\" oor:op=\"fuse\"><value>{l}</value></prop></item>"
                    )
                })
                .join("\n")
        })
        .unwrap_or_default();
    let xcu = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" \
         xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n{}\n{}\n{locale}\n</oor:items>\n",
        item("OOXMLRecalcMode"),
        item("ODFRecalcMode")
    );
    std::fs::write(user.join("registrymodifications.xcu"), xcu).expect("profile written");
    profile
}

/// Converts `input` with LibreOffice (`filter` as `--convert-to` takes it, e.g.
/// `xlsx:"Calc MS Excel 2007 XML"` or `pdf`) into `out_dir`, recalculating on load.
pub fn convert(input: &Path, filter: &str, extension: &str, out_dir: &Path) -> PathBuf {
    convert_in(input, filter, extension, out_dir, None)
}

/// [`convert`] by a LibreOffice set to French (`fr-FR`), as a French user prints.
pub fn convert_in_french(input: &Path, filter: &str, extension: &str, out_dir: &Path) -> PathBuf {
    convert_in(input, filter, extension, out_dir, Some("fr-FR"))
}

fn convert_in(
    input: &Path,
    filter: &str,
    extension: &str,
    out_dir: &Path,
    locale: Option<&str>,
) -> PathBuf {
    super::require_soffice();
    std::fs::create_dir_all(out_dir).expect("output folder");
    let profile = profile(out_dir, locale);
    let output = Command::new("timeout")
        .arg("600")
        .arg("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(out_dir)
        .arg(input)
        .output()
        .expect("soffice runs");
    let stem = input.file_stem().expect("a file name").to_string_lossy();
    let converted = out_dir.join(format!("{stem}.{extension}"));
    assert!(
        converted.is_file(),
        "LibreOffice did not convert {} ({}):\n{}\n{}",
        input.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    converted
}

/// `input` recalculated by LibreOffice and saved again as xlsx in `out_dir` (under
/// another folder than the input, since the file keeps its name).
pub fn recalculated(input: &Path, out_dir: &Path) -> PathBuf {
    convert(input, "xlsx:Calc MS Excel 2007 XML", "xlsx", out_dir)
}

/// [`recalculated`] by a LibreOffice set to French: what a French reader's spreadsheet
/// computes where a formula's text depends on the reader's language (`FIXED` writes the
/// reader's decimal separator).
pub fn recalculated_in_french(input: &Path, out_dir: &Path) -> PathBuf {
    convert_in_french(input, "xlsx:Calc MS Excel 2007 XML", "xlsx", out_dir)
}

/// One formula cell: where it is, its formula, the value boussole cached.
#[derive(Debug, Clone)]
pub struct FormulaCell {
    pub sheet: String,
    pub row: u32,
    pub col: u32,
    pub formula: String,
    pub cached: Data,
}

/// Every formula cell of a workbook with its cached value.
pub fn formula_cells(path: &Path) -> Vec<FormulaCell> {
    let mut book = open_workbook_auto(path).expect("workbook opens");
    let mut out = Vec::new();
    for sheet in book.sheet_names().to_vec() {
        let formulas = book.worksheet_formula(&sheet).expect("formulas readable");
        let values = book.worksheet_range(&sheet).expect("values readable");
        let (r0, c0) = formulas.start().unwrap_or((0, 0));
        for (r, c, f) in formulas.cells() {
            if f.is_empty() {
                continue;
            }
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            let cached = values.get_value((row, col)).cloned().unwrap_or(Data::Empty);
            out.push(FormulaCell {
                sheet: sheet.clone(),
                row,
                col,
                formula: f.clone(),
                cached,
            });
        }
    }
    out
}

/// The value of every cell of a workbook, by sheet.
pub fn values(path: &Path) -> std::collections::BTreeMap<String, calamine::Range<Data>> {
    let mut book = open_workbook_auto(path).expect("workbook opens");
    book.sheet_names()
        .to_vec()
        .into_iter()
        .map(|s| {
            let range = book.worksheet_range(&s).expect("values readable");
            (s, range)
        })
        .collect()
}

/// Do two cell values mean the same (numbers within a relative 1e-9; an empty text and an
/// empty cell alike)?
pub fn same_value(a: &Data, b: &Data) -> bool {
    let number = |d: &Data| match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    };
    let blank = |d: &Data| matches!(d, Data::Empty) || matches!(d, Data::String(s) if s.is_empty());
    match (number(a), number(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b || (blank(a) && blank(b)),
    }
}

/// The formula cells whose value LibreOffice computes differently from the cached one, as
/// `Sheet!A1: cached → recalculated (formula)`.
pub fn recalculation_differences(original: &Path, recalculated: &Path) -> Vec<String> {
    let after = values(recalculated);
    formula_cells(original)
        .into_iter()
        .filter_map(|f| {
            let now = after
                .get(&f.sheet)
                .and_then(|r| r.get_value((f.row, f.col)).cloned())
                .unwrap_or(Data::Empty);
            (!same_value(&f.cached, &now)).then(|| {
                format!(
                    "{}!{}{}: {:?} → {:?} ({})",
                    f.sheet,
                    boussole::dataset::column_letters(f.col),
                    f.row + 1,
                    f.cached,
                    now,
                    f.formula.chars().take(120).collect::<String>()
                )
            })
        })
        .collect()
}

/// The literal titles of every chart of an xlsx (`<c:title>` rich text runs).
pub fn chart_titles(path: &Path) -> Vec<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("workbook opens");
    let mut zip = zip::ZipArchive::new(file).expect("an xlsx is a zip");
    let mut titles = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("zip entry");
        let is_chart = entry.name().is_ok_and(|n| n.starts_with("xl/charts/chart"));
        if !is_chart {
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).expect("chart xml");
        for title in xml.split("<c:title>").skip(1) {
            let title = title.split("</c:title>").next().unwrap_or("");
            let text: String = title
                .split("<a:t>")
                .skip(1)
                .filter_map(|t| t.split("</a:t>").next())
                .collect();
            if !text.is_empty() {
                titles.push(text);
            }
        }
    }
    titles
}

/// A copy of an xlsx written by boussole with the text of one cell replaced, as a user
/// typing in it (or choosing in its drop-down) would leave it; `sheet` is found by name in
/// `xl/workbook.xml` (boussole's writer stores the n-th sheet as `sheetN.xml`).
pub fn with_cell_text(input: &Path, output: &Path, sheet: &str, cell: &str, text: &str) {
    use std::io::{Read, Write};
    let file = std::fs::File::open(input).expect("workbook opens");
    let mut zip = zip::ZipArchive::new(file).expect("an xlsx is a zip");
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .expect("workbook part")
        .read_to_string(&mut workbook)
        .expect("workbook xml");
    let position = workbook
        .split("<sheet ")
        .skip(1)
        .position(|s| s.starts_with(&format!("name=\"{sheet}\"")))
        .expect("the sheet exists");
    let part = format!("xl/worksheets/sheet{}.xml", position + 1);
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let out = std::fs::File::create(output).expect("copy created");
    let mut writer = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("zip entry");
        let name = entry.name().expect("entry name").to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("entry read");
        if name == part {
            let xml = String::from_utf8(bytes).expect("sheet xml is UTF-8");
            let start = xml
                .find(&format!("<c r=\"{cell}\""))
                .expect("the cell is in the sheet");
            let end = start + xml[start..].find("</c>").expect("cell end") + 4;
            let style = xml[start..end]
                .split(" s=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(|s| format!(" s=\"{s}\""))
                .unwrap_or_default();
            let replaced = format!(
                "{}<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t>{escaped}</t></is></c>{}",
                &xml[..start],
                &xml[end..]
            );
            bytes = replaced.into_bytes();
        }
        writer.start_file(name, options).expect("entry written");
        writer.write_all(&bytes).expect("entry bytes");
    }
    writer.finish().expect("zip finished");
}
