//! `boussole template`: the blank field workbook of a pack, read back as a real consumer
//! would (calamine and the raw xlsx parts), then filled as a user would and read by boussole.

use boussole::dataset::{Missing, Severity, Value};
use boussole::error::exit;
use boussole::fr::REGIONS;
use boussole::pack::manifest::{Role, Unit};
use boussole::pack::{Origin, Pack};
use boussole::report::template::{
    DATA_SHEET, EXAMPLE_CODE, EXAMPLE_NAME, INSTRUCTIONS_SHEET, LISTS_SHEET, template_workbook,
};
use boussole::workbook::{read_bytes, read_path};
use calamine::{Data, Reader, SheetVisible, open_workbook_auto_from_rs};
use std::io::{Cursor, Read};
use std::path::Path;
use std::process::Command;

fn pack() -> Pack {
    Pack::embedded().expect("embedded pack")
}

fn template() -> Vec<u8> {
    template_workbook(&pack()).expect("template")
}

/// Every sheet of a workbook: name, visibility and cells (row-major, from A1).
fn sheets(bytes: &[u8]) -> Vec<(String, SheetVisible, Vec<Vec<Data>>)> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    let metadata = book.sheets_metadata().to_vec();
    metadata
        .into_iter()
        .map(|sheet| {
            let range = book.worksheet_range(&sheet.name).expect("sheet");
            assert_eq!(range.start().unwrap_or((0, 0)), (0, 0));
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (sheet.name, sheet.visible, rows)
        })
        .collect()
}

fn sheet<'a>(all: &'a [(String, SheetVisible, Vec<Vec<Data>>)], name: &str) -> &'a [Vec<Data>] {
    &all.iter()
        .find(|s| s.0 == name)
        .unwrap_or_else(|| panic!("no sheet « {name} »"))
        .2
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

/// One xlsx part as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"))
        .read_to_string(&mut out)
        .expect("utf-8 part");
    out
}

#[test]
fn template_has_instructions_data_and_a_hidden_list_sheet() {
    let bytes = template();
    let all = sheets(&bytes);
    let names: Vec<(&str, &SheetVisible)> = all.iter().map(|s| (s.0.as_str(), &s.1)).collect();
    assert_eq!(
        names,
        [
            (INSTRUCTIONS_SHEET, &SheetVisible::Visible),
            (DATA_SHEET, &SheetVisible::Visible),
            (LISTS_SHEET, &SheetVisible::Hidden),
        ]
    );

    // Row 1: every catalogue column's main label, in catalogue order, all roles included.
    let pack = pack();
    let labels: Vec<String> = pack
        .manifest
        .columns
        .iter()
        .map(|c| c.label.clone())
        .collect();
    let data = sheet(&all, DATA_SHEET);
    let header: Vec<String> = data[0].iter().map(text).collect();
    assert_eq!(header, labels);
    for role in [
        Role::Id,
        Role::Name,
        Role::Region,
        Role::Year,
        Role::Typology,
    ] {
        assert!(pack.manifest.columns.iter().any(|c| c.role == role));
    }

    // Row 2: the example row, marked as such, with plausible values.
    let example = &data[1];
    let col = |id: &str| {
        pack.manifest
            .columns
            .iter()
            .position(|c| c.id == id)
            .unwrap()
    };
    assert_eq!(example[col("code")], Data::String(EXAMPLE_CODE.into()));
    assert_eq!(example[col("nom")], Data::String(EXAMPLE_NAME.into()));
    assert_eq!(example[col("region")], Data::String("Bretagne".into()));
    assert_eq!(example[col("annee")], Data::Float(2026.0));
    assert_eq!(example[col("jeunes_accompagnes")], Data::Float(2000.0));
    assert_eq!(example[col("taux_chomage_jeunes")], Data::Float(0.22));
    assert_eq!(data.len(), 2, "nothing below the example row");

    // Instructions: the pack, the rules of filling, every column with unit and definition.
    let instructions: Vec<String> = sheet(&all, INSTRUCTIONS_SHEET)
        .iter()
        .flatten()
        .map(text)
        .collect();
    let joined = instructions.join("\n");
    for needle in [
        "Pack « cpo », version 2026.1",
        "une ligne par structure",
        "01053 ou 2A004",
        "n.d.",
        "12,5 %",
        "nombres entiers",
        "Ne pas renommer les en-têtes",
        "ligne de total",
    ] {
        assert!(joined.contains(needle), "instructions lack « {needle} »");
    }
    assert!(instructions.contains(&"A — Code ML".to_string()));
    assert!(instructions.contains(&"Z — Densité de population".to_string()));
    for spec in &pack.manifest.columns {
        assert!(
            instructions.contains(&spec.definition),
            "no definition for {}",
            spec.id
        );
    }

    // Listes: the 18 regions, then the regions the pack names (none beyond them in cpo).
    let regions: Vec<String> = sheet(&all, LISTS_SHEET)
        .iter()
        .skip(1)
        .map(|r| text(&r[0]))
        .collect();
    assert_eq!(regions, REGIONS);
}

#[test]
fn blank_template_reads_as_no_structure_with_the_example_set_aside() {
    let pack = pack();
    let data = read_bytes(&template(), "modele.xlsx", &pack.manifest.columns).expect("readable");
    assert!(data.structures.is_empty());
    assert_eq!(data.set_aside.len(), 1);
    assert_eq!(data.set_aside[0].sheet, DATA_SHEET);
    assert_eq!(data.set_aside[0].row, 2);
    assert!(data.set_aside[0].reason.contains("exemple"));
    // The Instructions and Listes sheets are never taken for data.
    for reading in &data.sheets {
        let expected = (reading.sheet == DATA_SHEET).then_some(1);
        assert_eq!(reading.header_row, expected, "sheet « {} »", reading.sheet);
    }
    assert!(
        data.diagnostics
            .iter()
            .all(|d| d.severity != Severity::Error)
    );
}

/// What a user types in one cell.
enum Typed {
    Text(&'static str),
    Number(f64),
}

/// The template filled by a user: every cell of the template kept (Instructions, Listes,
/// header, example row), and three structures typed below the example row.
fn filled_template() -> Vec<u8> {
    let pack = pack();
    let columns = &pack.manifest.columns;
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, visible, rows) in sheets(&template()) {
        let ws = book.add_worksheet();
        ws.set_name(&name).unwrap();
        ws.set_hidden(visible != SheetVisible::Visible);
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                    Data::Float(x) => ws.write_number(r, c, *x).map(|_| ()),
                    Data::Int(x) => ws.write_number(r, c, *x as f64).map(|_| ()),
                    Data::Empty => Ok(()),
                    other => panic!("unexpected cell {other:?}"),
                }
                .unwrap();
            }
        }
    }
    let structures: [(&str, &str, &str); 3] = [
        (
            "01053",
            "Mission locale de Bourg-en-Bresse",
            "Auvergne-Rhône-Alpes",
        ),
        ("2A004", "Mission locale d'Ajaccio", "Corse"),
        ("97411", "Mission locale Nord", "La Réunion"),
    ];
    let ws = book.worksheet_from_name(DATA_SHEET).unwrap();
    for (s, (code, name, region)) in structures.iter().enumerate() {
        let row = 2 + s as u32;
        for (c, spec) in columns.iter().enumerate() {
            let typed = match (spec.role, spec.unit) {
                (Role::Id, _) => Typed::Text(code),
                (Role::Name, _) => Typed::Text(name),
                (Role::Region, _) => Typed::Text(region),
                (Role::Year, _) => Typed::Number(2025.0),
                (Role::Typology, _) => Typed::Text("Urbain"),
                _ if *code == "2A004" && spec.id == "entretiens" => Typed::Text("n.d."),
                (_, Unit::Count) => Typed::Number((100 * (c + 1) + s) as f64),
                (_, Unit::Decimal) => Typed::Number(10.5 + s as f64),
                (_, Unit::Fraction) => Typed::Number([0.2, 0.21, 0.22][s]),
                (_, Unit::Ratio) => Typed::Number(1.5),
            };
            let col = c as u16;
            match typed {
                Typed::Text(t) => ws.write_string(row, col, t).map(|_| ()),
                Typed::Number(x) => ws.write_number(row, col, x).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn filled_template_reads_back_three_structures_and_sets_the_example_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rempli.xlsx");
    std::fs::write(&path, filled_template()).unwrap();
    let pack = pack();
    let data = read_path(&path, &pack.manifest.columns).expect("readable");

    let errors: Vec<_> = data
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let warnings: Vec<_> = data
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");

    assert_eq!(data.set_aside.len(), 1);
    assert_eq!(
        (data.set_aside[0].sheet.as_str(), data.set_aside[0].row),
        (DATA_SHEET, 2)
    );
    assert!(data.set_aside[0].reason.contains("exemple"));

    let ids: Vec<&str> = data.structures.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["01053", "2A004", "97411"]);

    let bourg = data.structure("01053").unwrap();
    assert_eq!(bourg.name, "Mission locale de Bourg-en-Bresse");
    assert_eq!(bourg.region, "Auvergne-Rhône-Alpes");
    assert_eq!(bourg.year, Some(2025));
    assert_eq!(bourg.typology.as_deref(), Some("Urbain"));
    // Column F (index 5) is the first indicator: 100 x 6 + 0.
    assert_eq!(bourg.value("premiers_accueils"), Some(600.0));
    assert_eq!(bourg.value("etp_conseillers"), Some(10.5));
    assert_eq!(bourg.value("taux_chomage_jeunes"), Some(0.2));
    assert_eq!(
        bourg.values["premiers_accueils"]
            .cell
            .as_ref()
            .map(|c| c.a1()),
        Some("F3".to_string())
    );

    let ajaccio = data.structure("2A004").unwrap();
    assert_eq!(ajaccio.region, "Corse");
    assert_eq!(
        ajaccio.values["entretiens"].value,
        Value::Missing(Missing::Marker("n.d.".into()))
    );
    assert_eq!(ajaccio.value("part_qpv"), Some(0.21));

    let reunion = data.structure("97411").unwrap();
    assert_eq!(reunion.region, "La Réunion");
    assert_eq!(reunion.value("jeunes_accompagnes"), Some(802.0));
}

#[test]
fn data_sheet_carries_validations_formats_and_notes() {
    let bytes = template();
    let workbook = part(&bytes, "xl/workbook.xml");
    let data_sheet_position = workbook.find(&format!("name=\"{DATA_SHEET}\"")).unwrap();
    assert!(workbook.find("name=\"Instructions\"").unwrap() < data_sheet_position);
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");

    let validations: Vec<&str> = sheet
        .split("<dataValidation ")
        .skip(1)
        .map(|v| v.split("</dataValidation>").next().unwrap())
        .collect();
    let find = |sqref: &str| {
        validations
            .iter()
            .find(|v| v.contains(&format!("sqref=\"{sqref}\"")))
            .unwrap_or_else(|| panic!("no validation on {sqref}"))
    };
    // Région (C): the hidden list; Année (D): 2000-2100; counts: whole >= 0; ETP: decimal
    // >= 0; fractions: decimal between 0 and 1.
    let region = find("C2:C5000");
    assert!(region.contains("type=\"list\""));
    assert!(region.contains("<formula1>Listes!$A$2:$A$19</formula1>"));
    let year = find("D2:D5000");
    assert!(year.contains("type=\"whole\""));
    assert!(year.contains("<formula1>2000</formula1><formula2>2100</formula2>"));
    let count = find("F2:F5000");
    assert!(count.contains("type=\"whole\"") && count.contains("greaterThanOrEqual"));
    assert!(count.contains("<formula1>0</formula1>"));
    let etp = find("S2:S5000");
    assert!(etp.contains("type=\"decimal\"") && etp.contains("greaterThanOrEqual"));
    let fraction = find("W2:W5000");
    assert!(fraction.contains("type=\"decimal\""));
    assert!(fraction.contains("<formula1>0</formula1><formula2>1</formula2>"));
    let pack = pack();
    let numeric = pack
        .manifest
        .columns
        .iter()
        .filter(|c| c.role.is_numeric() && c.unit != Unit::Ratio)
        .count();
    assert_eq!(validations.len(), numeric + 2, "region and year as well");

    // Frozen header row; code column as text (`@`, built-in format 49); percentages.
    assert!(sheet.contains("ySplit=\"1\"") && sheet.contains("state=\"frozen\""));
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("numFmtId=\"49\""));
    assert!(styles.contains("formatCode=\"0.0%\""));

    // A note on every header cell: definition, unit, « obligatoire » when required.
    let comments = part(&bytes, "xl/comments1.xml");
    assert_eq!(
        comments.matches("<comment ").count(),
        pack.manifest.columns.len()
    );
    assert!(comments.contains("<comment ref=\"A1\""));
    assert!(comments.contains("Code de la structure"));
    assert!(comments.contains("Unité : pourcentage"));
    let required = pack.manifest.columns.iter().filter(|c| c.required).count();
    assert_eq!(comments.matches("obligatoire").count(), required);
}

#[test]
fn same_pack_gives_the_same_bytes() {
    assert_eq!(template(), template());
}

#[test]
fn a_pack_without_id_column_is_refused() {
    let mut files = pack().files;
    let manifest = files.get_mut("pack.toml").unwrap();
    *manifest = manifest.replacen("role = \"id\"", "role = \"typology\"", 1);
    let pack = Pack::from_files(files, Origin::Embedded).unwrap();
    match template_workbook(&pack) {
        Err(e) if e.exit_code() == exit::PACK => assert!(e.to_string().contains("identifiant")),
        other => panic!("expected a pack error, got {:?}", other.map(|b| b.len())),
    }
}

fn boussole(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(args)
        .output()
        .expect("run boussole")
}

#[test]
fn template_command_writes_the_file_and_never_replaces_it_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("modele.xlsx");
    let out_arg = out.to_str().unwrap();

    let first = boussole(&["template", "-o", out_arg]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("« cpo »"));
    assert_eq!(std::fs::read(&out).unwrap(), template());

    std::fs::write(&out, b"travail en cours").unwrap();
    let again = boussole(&["template", "-o", out_arg]);
    assert_eq!(again.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out).unwrap(), b"travail en cours");

    // The same pack from its folder gives the same bytes.
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cpo");
    let forced = boussole(&[
        "template",
        "--rules",
        rules.to_str().unwrap(),
        "-o",
        out_arg,
        "--force",
    ]);
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");
    assert_eq!(std::fs::read(&out).unwrap(), template());
}
