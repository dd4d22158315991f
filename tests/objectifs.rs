//! The commitments' round trip as users meet it: `run` writes the Objectifs sheet (and
//! per-structure workbooks), a user fills the yellow cells, `collect` reads them back with
//! a diagnostic for each empty or out-of-rule value and refuses files of another run, and
//! `run --objectives` a year later shows objective against achieved. Also: the sheet's
//! protection and validations as stored in the file, and the previous year's columns.
//!
//! The input is a two- (or three-) year CSV built here; a user's filling is simulated by
//! copying every cell of a returned workbook (read with calamine) into a new workbook
//! written with rust_xlsxwriter, then setting the negotiated cells: boussole never writes it.

mod common;
use common::{FIELD_STRUCTURES, boussole, field_csv};

use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes `dialogue.csv` (2023 and 2024) and runs it with --per-structure and --json.
fn dialogue(dir: &Path) {
    std::fs::write(
        dir.join("dialogue.csv"),
        field_csv(&[2023, 2024], &FIELD_STRUCTURES),
    )
    .unwrap();
    ok(&boussole(
        &["run", "dialogue.csv", "--per-structure", "--json", "r.json"],
        dir,
    ));
}

fn range(path: &Path, sheet: &str) -> calamine::Range<Data> {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    book.worksheet_range(sheet).unwrap()
}

fn text(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(x)) => x.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(r: &calamine::Range<Data>, row: u32, col: u32) -> Option<f64> {
    match r.get_value((row, col)) {
        Some(Data::Float(x)) => Some(*x),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// A header row starting with `first` and holding `with`: its row and its titles.
fn header(r: &calamine::Range<Data>, first: &str, with: &str) -> (u32, BTreeMap<String, u32>) {
    let end = r.end().unwrap();
    for row in 0..=end.0 {
        if text(r, row, 0) != first {
            continue;
        }
        let titles: BTreeMap<String, u32> = (0..=end.1)
            .map(|c| (text(r, row, c), c))
            .filter(|(t, _)| !t.is_empty())
            .collect();
        if titles.contains_key(with) {
            return (row, titles);
        }
    }
    panic!("no header {first} … {with}");
}

/// The rows of a table under its header, by their hidden key.
fn rows_by_key(r: &calamine::Range<Data>, head: u32, key_col: u32) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    let mut row = head + 1;
    while !text(r, row, key_col).is_empty() {
        out.insert(text(r, row, key_col), row);
        row += 1;
    }
    out
}

#[derive(Clone)]
enum Edit {
    Number(f64),
    Text(&'static str),
    Date(u16, u8, u8),
}

/// What a user does: the same workbook, every cell copied, with some cells set.
fn fill_as_a_user(src: &Path, dst: &Path, edits: &[(&str, u32, u32, Edit)]) {
    let mut book = calamine::open_workbook_auto(src).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r0 + r as u32, (c0 as usize + c) as u16);
            match v {
                Data::String(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                Data::Float(x) => {
                    ws.write_number(r, c, *x).unwrap();
                }
                Data::Int(i) => {
                    ws.write_number(r, c, *i as f64).unwrap();
                }
                Data::Bool(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
                _ => {}
            }
        }
        for (sheet, r, c, edit) in edits {
            if *sheet != name {
                continue;
            }
            let c = *c as u16;
            match edit {
                Edit::Number(x) => ws.write_number(*r, c, *x).map(|_| ()).unwrap(),
                Edit::Text(t) => ws.write_string(*r, c, *t).map(|_| ()).unwrap(),
                Edit::Date(y, m, d) => {
                    let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    let f = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
                    ws.write_datetime_with_format(*r, c, &dt, &f)
                        .map(|_| ())
                        .unwrap()
                }
            }
        }
    }
    out.save(dst).unwrap();
}

fn per_structure(dir: &Path, file: &str) -> PathBuf {
    dir.join("dialogue-structures").join(file)
}

const BOURG: &str = "01053-mission-locale-de-bourg-en-bresse.xlsx";
const AMBERIEU: &str = "01004-ml-d-amberieu-en-bugey.xlsx";

/// Fills Bourg-en-Bresse's workbook (one valid value per indicator except: 0.34 and 0.90
/// negotiated, 45 out of range, one left empty, an action line) and Ambérieu's (every
/// value = the current value). Returns the cells of the out-of-range and empty entries.
fn fill_both(dir: &Path) -> (String, String) {
    let src = per_structure(dir, BOURG);
    let r = range(&src, "Objectifs");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let keys = rows_by_key(&r, head, cols["Clé"]);
    let neg = cols["Objectif négocié"];
    let value = cols["Valeur actuelle"];
    let mut edits = Vec::new();
    let mut out_of_range = String::new();
    let mut empty = String::new();
    for (key, &row) in &keys {
        let indicator = key.split_once('|').unwrap().1;
        let cell = format!("H{}", row + 1);
        match indicator {
            "taux_acces_emploi" => edits.push(("Objectifs", row, neg, Edit::Number(0.34))),
            "taux_emploi_durable" => edits.push(("Objectifs", row, neg, Edit::Number(0.90))),
            "taux_formation" => {
                out_of_range = cell;
                edits.push(("Objectifs", row, neg, Edit::Number(45.0)))
            }
            "taux_couverture" => empty = cell,
            _ => edits.push((
                "Objectifs",
                row,
                neg,
                Edit::Number(number(&r, row, value).unwrap()),
            )),
        }
    }
    let (ahead, acols) = header(&r, "Code", "Action");
    edits.push((
        "Objectifs",
        ahead + 1,
        acols["Action"],
        Edit::Text("Rencontrer dix entreprises du bassin"),
    ));
    edits.push((
        "Objectifs",
        ahead + 1,
        acols["Responsable"],
        Edit::Text("Directrice"),
    ));
    edits.push((
        "Objectifs",
        ahead + 1,
        acols["Échéance"],
        Edit::Date(2025, 12, 31),
    ));
    fill_as_a_user(&src, &dir.join("retour-bourg.xlsx"), &edits);

    let src = per_structure(dir, AMBERIEU);
    let r = range(&src, "Objectifs");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let edits: Vec<_> = rows_by_key(&r, head, cols["Clé"])
        .values()
        .map(|&row| {
            (
                "Objectifs",
                row,
                cols["Objectif négocié"],
                Edit::Number(number(&r, row, cols["Valeur actuelle"]).unwrap()),
            )
        })
        .collect();
    fill_as_a_user(&src, &dir.join("retour-amberieu.xlsx"), &edits);
    (out_of_range, empty)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_round_trip_brings_the_numbers_back_exact_and_reports_empty_and_out_of_rule_values() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let (out_of_range, empty) = fill_both(dir);

    let out = boussole(
        &[
            "collect",
            "retour-bourg.xlsx",
            "retour-amberieu.xlsx",
            "-o",
            "objectifs.xlsx",
            "--json",
            "objectifs.json",
        ],
        dir,
    );
    ok(&out);
    let c = json(&dir.join("objectifs.json"));
    let objectives = c["objectives"].as_array().unwrap();
    assert_eq!(
        objectives.len(),
        2 * 11,
        "two structures × eleven judged indicators"
    );
    let find = |code: &str, id: &str| {
        objectives
            .iter()
            .find(|o| o["code"] == code && o["indicator"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(find("01053", "taux_acces_emploi")["negotiated"], 0.34);
    assert_eq!(find("01053", "taux_acces_emploi")["value"], 330.0 / 1000.0);
    assert_eq!(find("01053", "taux_emploi_durable")["negotiated"], 0.9);
    let formation = find("01053", "taux_formation");
    assert_eq!(formation["status"], "out_of_range");
    assert_eq!(formation["negotiated"], serde_json::Value::Null);
    assert_eq!(formation["entered"], "45");
    assert_eq!(find("01053", "taux_couverture")["status"], "empty");
    assert_eq!(
        find("01053", "taux_couverture")["region"],
        "Auvergne-Rhône-Alpes"
    );

    // Exactly two diagnostics, with their file, sheet and cell.
    let diagnostics = c["diagnostics"].as_array().unwrap();
    let places: Vec<(String, String, String, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["sheet"].as_str().unwrap().to_string(),
                d["cell"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = vec![
        (
            "warning".to_string(),
            "retour-bourg.xlsx".to_string(),
            "Objectifs".to_string(),
            empty.clone(),
        ),
        (
            "error".to_string(),
            "retour-bourg.xlsx".to_string(),
            "Objectifs".to_string(),
            out_of_range.clone(),
        ),
    ];
    expected.sort_by_key(|e| e.3.clone());
    let mut got = places.clone();
    got.sort_by_key(|e| e.3.clone());
    assert_eq!(got, expected, "{diagnostics:#?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&out_of_range) && stdout.contains("hors règle"),
        "{stdout}"
    );

    // The action line, with its date.
    let actions = c["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["code"], "01053");
    assert_eq!(actions[0]["responsible"], "Directrice");
    assert_eq!(actions[0]["due"], "2025-12-31");
    assert_eq!(actions[0]["action"], "Rencontrer dix entreprises du bassin");

    // The consolidated workbook carries the same numbers.
    let r = range(&dir.join("objectifs.xlsx"), "Objectifs négociés");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let row = (head + 1..=r.end().unwrap().0)
        .find(|&row| {
            text(&r, row, cols["Code"]) == "01053"
                && text(&r, row, cols["Identifiant"]) == "taux_acces_emploi"
        })
        .unwrap();
    assert_eq!(number(&r, row, cols["Objectif négocié"]), Some(0.34));
    let d = range(&dir.join("objectifs.xlsx"), "Diagnostics");
    assert_eq!(d.end().unwrap().0, 2, "a header and two diagnostics");

    // A year later.
    std::fs::write(
        dir.join("bilan.csv"),
        field_csv(&[2023, 2024, 2025], &FIELD_STRUCTURES),
    )
    .unwrap();
    ok(&boussole(
        &[
            "run",
            "bilan.csv",
            "--objectives",
            "objectifs.xlsx",
            "--json",
            "b.json",
        ],
        dir,
    ));
    let bilan = dir.join("bilan-boussole.xlsx");
    let s = range(&bilan, "Suivi des objectifs");
    let (head, cols) = header(&s, "Code", "Résultat");
    let line = |code: &str, label: &str| {
        (head + 1..=s.end().unwrap().0)
            .find(|&row| text(&s, row, 0) == code && text(&s, row, cols["Indicateur"]) == label)
            .unwrap_or_else(|| panic!("{code} {label}"))
    };
    let acces = line("01053", "Taux d'accès à l'emploi");
    assert_eq!(number(&s, acces, cols["Objectif"]), Some(0.34));
    assert_eq!(text(&s, acces, cols["Origine de l'objectif"]), "négocié");
    assert_eq!(
        number(&s, acces, cols["Valeur atteinte"]),
        Some(360.0 / 1000.0)
    );
    assert_eq!(text(&s, acces, cols["Résultat"]), "Atteint");
    let durable = line("01053", "Taux d'accès à l'emploi durable");
    assert_eq!(number(&s, durable, cols["Objectif"]), Some(0.9));
    assert_eq!(text(&s, durable, cols["Résultat"]), "Non atteint");
    let formation_row = line("01053", "Taux d'accès à la formation");
    assert_eq!(
        text(&s, formation_row, cols["Origine de l'objectif"]),
        "proposé"
    );
    assert_eq!(
        number(&s, formation_row, cols["Objectif"]),
        formation["proposed"].as_f64()
    );

    // The Synthèse counts the objectives met: recomputed from the two JSON files.
    let b = json(&dir.join("b.json"));
    let achieved = |code: &str, id: &str| {
        b["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == code)
            .unwrap()["indicators"][id]["value"]
            .as_f64()
    };
    let mut met = BTreeMap::new();
    for o in objectives {
        let code = o["code"].as_str().unwrap();
        let objective = o["negotiated"].as_f64().or(o["proposed"].as_f64()).unwrap();
        let a = achieved(code, o["indicator"].as_str().unwrap()).unwrap();
        *met.entry(code.to_string()).or_insert(0) += usize::from(a >= objective);
    }
    let total_met: usize = met.values().sum();
    let syn = range(&bilan, "Synthèse");
    let (head, cols) = header(&syn, "Région", "Objectifs atteints");
    let ara = head + 1;
    assert_eq!(text(&syn, ara, 0), "Auvergne-Rhône-Alpes");
    assert_eq!(number(&syn, ara, cols["Structures suivies"]), Some(2.0));
    assert_eq!(number(&syn, ara, cols["Objectifs mesurés"]), Some(22.0));
    assert_eq!(
        number(&syn, ara, cols["Objectifs atteints"]),
        Some(total_met as f64)
    );
    assert_eq!(text(&syn, ara + 1, 0), "Total");
    let (head, cols) = header(&syn, "Structure", "Objectifs atteints");
    let bourg = (head + 1..head + 3)
        .find(|&row| text(&syn, row, 0).starts_with("01053"))
        .unwrap();
    assert_eq!(
        number(&syn, bourg, cols["Objectifs atteints"]),
        Some(met["01053"] as f64)
    );

    // The JSON collect output serves the follow-up the same way.
    ok(&boussole(
        &[
            "run",
            "bilan.csv",
            "-o",
            "bilan2.xlsx",
            "--objectives",
            "objectifs.json",
        ],
        dir,
    ));
    let s2 = range(&dir.join("bilan2.xlsx"), "Suivi des objectifs");
    let body = |r: &calamine::Range<Data>| r.rows().skip(2).map(|x| x.to_vec()).collect::<Vec<_>>();
    assert_eq!(body(&s2), body(&s), "only the source's name differs");
}

#[test]
fn returned_workbooks_of_another_run_are_refused_with_both_stamps() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let other = dir.join("autre");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(
        other.join("dialogue.csv"),
        field_csv(&[2023, 2024, 2025], &FIELD_STRUCTURES),
    )
    .unwrap();
    ok(&boussole(
        &["run", "dialogue.csv", "--per-structure"],
        &other,
    ));
    std::fs::copy(per_structure(dir, BOURG), dir.join("a.xlsx")).unwrap();
    std::fs::copy(per_structure(&other, AMBERIEU), dir.join("b.xlsx")).unwrap();
    let out = boussole(&["collect", "a.xlsx", "b.xlsx", "-o", "c.xlsx"], dir);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ne viennent pas de la même analyse"), "{err}");
    assert!(
        err.contains("« a.xlsx »") && err.contains("« b.xlsx »"),
        "{err}"
    );
    let sha = |p: &Path| {
        let r = range(p, "Objectifs");
        (0..10)
            .find(|&row| text(&r, row, 0) == "Tampon de l'analyse")
            .map(|row| text(&r, row, 1)[..12].to_string())
            .unwrap()
    };
    assert!(err.contains(&sha(&dir.join("a.xlsx"))), "{err}");
    assert!(err.contains(&sha(&dir.join("b.xlsx"))), "{err}");
    assert!(!dir.join("c.xlsx").exists());

    // A workbook that is not a boussole output is refused too.
    let out = boussole(&["collect", "dialogue.csv", "-o", "c.xlsx"], dir);
    assert_eq!(out.status.code(), Some(3));
}

/// The XML of a sheet of an xlsx, found by its name.
fn sheet_xml(path: &Path, name: &str) -> (String, String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut read = |entry: &str| {
        let mut s = String::new();
        zip.by_name(entry).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    let position = workbook
        .split("<sheet ")
        .skip(1)
        .position(|s| s.contains(&format!("name=\"{name}\"")))
        .unwrap();
    (
        read(&format!("xl/worksheets/sheet{}.xml", position + 1)),
        read("xl/styles.xml"),
    )
}

/// The style index of a cell in a sheet's XML.
fn style_of(xml: &str, cell: &str) -> usize {
    let at = xml
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("{cell}"));
    let tag = &xml[at..at + xml[at..].find('>').unwrap()];
    tag.split("s=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .unwrap_or(0)
}

fn unlocked(styles: &str, index: usize) -> bool {
    let xfs = styles.split("<cellXfs").nth(1).unwrap();
    let xfs = xfs.split("</cellXfs>").next().unwrap();
    let xf = xfs.split("<xf ").nth(index + 1).unwrap();
    let xf = xf.split("</xf>").next().unwrap();
    xf.contains("locked=\"0\"")
}

#[test]
fn the_sheet_is_protected_with_unlocked_editable_cells_and_validations() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    for path in [
        dir.join("dialogue-boussole.xlsx"),
        per_structure(dir, BOURG),
    ] {
        let (xml, styles) = sheet_xml(&path, "Objectifs");
        assert!(xml.contains("<sheetProtection"), "protected");
        assert!(!xml.contains("password="), "without a password");
        let r = range(&path, "Objectifs");
        let (head, cols) = header(&r, "Code", "Objectif négocié");
        let first = head + 2; // 1-based row of the first objective
        assert_eq!(cols["Objectif négocié"], 7);
        assert!(unlocked(&styles, style_of(&xml, &format!("H{first}"))));
        assert!(
            unlocked(&styles, style_of(&xml, &format!("I{first}"))),
            "comment"
        );
        assert!(
            !unlocked(&styles, style_of(&xml, &format!("G{first}"))),
            "proposal"
        );
        assert!(
            !unlocked(&styles, style_of(&xml, &format!("A{first}"))),
            "code"
        );
        assert!(
            xml.contains("<dataValidation type=\"decimal\" allowBlank")
                && xml.contains("<formula1>0</formula1><formula2>1</formula2>"),
            "fractions between 0 and 1"
        );
        assert!(xml.contains("operator=\"greaterThanOrEqual\""), "ratios");
        assert!(xml.contains("type=\"date\""), "due dates");
        let (ahead, acols) = header(&r, "Code", "Action");
        let a = ahead + 2;
        assert_eq!(acols["Échéance"], 6);
        assert!(
            unlocked(&styles, style_of(&xml, &format!("E{a}"))),
            "action"
        );
        assert!(
            unlocked(&styles, style_of(&xml, &format!("G{a}"))),
            "due date"
        );
        assert!(
            !unlocked(&styles, style_of(&xml, &format!("C{a}"))),
            "recommendation"
        );
        // The rationale of each proposal.
        let proposals = rows_by_key(&r, head, cols["Clé"])
            .values()
            .filter(|&&row| number(&r, row, cols["Objectif proposé"]).is_some())
            .count();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = zip
            .file_names()
            .filter_map(|n| n.ok())
            .map(String::from)
            .collect();
        let comments: usize = names
            .iter()
            .filter(|n| n.starts_with("xl/comments"))
            .map(|n| {
                let mut s = String::new();
                zip.by_name(n).unwrap().read_to_string(&mut s).unwrap();
                s.matches("Référence :").count() + s.matches("Aucune référence").count()
            })
            .sum();
        // The national workbook (structures of two regions) has the rationales in its
        // « Justification » column instead of notes; the per-structure one, in notes.
        let in_column = cols.get("Justification").map_or(0, |&c| {
            rows_by_key(&r, head, cols["Clé"])
                .values()
                .filter(|&&row| {
                    let t = text(&r, row, c);
                    t.contains("Référence :") || t.contains("Aucune référence")
                })
                .count()
        });
        assert!(proposals > 0);
        let national = path.ends_with("dialogue-boussole.xlsx");
        assert_eq!(
            (comments, in_column),
            if national {
                (0, proposals)
            } else {
                (proposals, 0)
            },
            "{}",
            path.display()
        );
    }
}

#[test]
fn one_workbook_per_structure_named_from_its_code_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let mut names: Vec<String> = std::fs::read_dir(dir.join("dialogue-structures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    assert!(names.contains(&BOURG.to_string()), "{names:?}");
    assert!(names.contains(&AMBERIEU.to_string()), "{names:?}");
    assert!(names.contains(&"42218-mission-locale-de-saint-etienne.xlsx".to_string()));
    let path = per_structure(dir, BOURG);
    let book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Fiche", "Objectifs"]);
    let r = range(&path, "Objectifs");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let keys = rows_by_key(&r, head, cols["Clé"]);
    assert_eq!(keys.len(), 11);
    assert!(keys.keys().all(|k| k.starts_with("01053|")));
    // Same stamp as the annotated workbook's.
    let stamp = |r: &calamine::Range<Data>| text(r, 2, 1);
    let annotated = range(&dir.join("dialogue-boussole.xlsx"), "Objectifs");
    assert_eq!(text(&r, 2, 0), "Tampon de l'analyse");
    assert_eq!(stamp(&r), stamp(&annotated));
    // The Fiche holds values: 01053's access to employment and its change.
    let f = range(&path, "Fiche");
    let (head, cols) = header(&f, "Indicateur", "Évolution");
    let row = (head + 1..=f.end().unwrap().0)
        .find(|&row| text(&f, row, 0) == "Taux d'accès à l'emploi")
        .unwrap();
    assert_eq!(number(&f, row, cols["Valeur"]), Some(330.0 / 1000.0));
    assert_eq!(
        number(&f, row, cols["Année précédente"]),
        Some(300.0 / 1000.0)
    );
    assert_eq!(
        number(&f, row, cols["Évolution"]),
        Some((330.0 / 1000.0 - 300.0 / 1000.0) * 100.0)
    );
    // Existing files are not replaced without --force.
    let again = boussole(&["run", "dialogue.csv", "--per-structure", "--force"], dir);
    ok(&again);
}

#[test]
fn previous_year_and_change_are_shown_in_indicateurs_and_fiche() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let path = dir.join("dialogue-boussole.xlsx");
    let r = range(&path, "Indicateurs");
    let (head, cols) = header(&r, "Code", "Évolution");
    let keys = rows_by_key(&r, head, cols["Clé"]);
    let acces = keys["01053|taux_acces_emploi"];
    assert_eq!(number(&r, acces, cols["Valeur"]), Some(330.0 / 1000.0));
    assert_eq!(
        number(&r, acces, cols["Année précédente"]),
        Some(300.0 / 1000.0)
    );
    assert_eq!(
        number(&r, acces, cols["Évolution"]),
        Some((330.0 / 1000.0 - 300.0 / 1000.0) * 100.0),
        "in points"
    );
    let accueils = keys["01053|premiers_accueils"];
    assert_eq!(number(&r, accueils, cols["Année précédente"]), Some(400.0));
    assert_eq!(number(&r, accueils, cols["Évolution"]), Some(10.0));
    // The number formats: points for rates, a sign for counts.
    let (xml, styles) = sheet_xml(&path, "Indicateurs");
    let _ = xml;
    assert!(
        styles.contains(
            "formatCode=\"+0.0&quot; pts&quot;;-0.0&quot; pts&quot;;0.0&quot; pts&quot;\""
        ),
        "points format"
    );
    // The Fiche shows its first structure (01004, k = 1) with the same columns.
    let f = range(&path, "Fiche");
    assert!(text(&f, 1, 1).starts_with("01004"));
    let (head, cols) = header(&f, "Indicateur", "Évolution");
    let row = (head + 1..=f.end().unwrap().0)
        .find(|&row| text(&f, row, 0) == "Taux d'accès à l'emploi")
        .unwrap();
    assert_eq!(
        number(&f, row, cols["Année précédente"]),
        Some(305.0 / 1010.0)
    );
    assert_eq!(
        number(&f, row, cols["Évolution"]),
        Some((335.0 / 1010.0 - 305.0 / 1010.0) * 100.0)
    );
    // And JSON, as before.
    let j = json(&dir.join("r.json"));
    let s = j["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "01053")
        .unwrap();
    assert_eq!(s["indicators"]["taux_acces_emploi"]["previous"], 0.3);
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_output_opens_in_libreoffice() {
    common::require_soffice();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.display());
    for file in [
        "dialogue-boussole.xlsx",
        &format!("dialogue-structures/{BOURG}"),
    ] {
        let out = Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1",
                "--outdir",
            ])
            .arg(dir.join("lo-out"))
            .arg(dir.join(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let csv_of_objectifs = std::fs::read_dir(dir.join("lo-out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("dialogue-boussole-Objectifs"))
        .expect("the Objectifs sheet exported by LibreOffice");
    let text = std::fs::read_to_string(csv_of_objectifs).unwrap();
    assert!(text.contains("Objectif négocié") && text.contains("01053|taux_acces_emploi"));
}

#[test]
fn an_annotated_workbook_returned_reads_like_a_per_structure_one() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let (_, _) = fill_both(dir);
    let src = dir.join("dialogue-boussole.xlsx");
    let r = range(&src, "Objectifs");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let keys = rows_by_key(&r, head, cols["Clé"]);
    let row = keys["01053|taux_acces_emploi"];
    fill_as_a_user(
        &src,
        &dir.join("annote-rempli.xlsx"),
        &[(
            "Objectifs",
            row,
            cols["Objectif négocié"],
            Edit::Number(0.35),
        )],
    );
    // Alone: every structure's rows, the one value filled, every other cell reported empty.
    ok(&boussole(
        &[
            "collect",
            "annote-rempli.xlsx",
            "-o",
            "a.xlsx",
            "--json",
            "a.json",
        ],
        dir,
    ));
    let c = json(&dir.join("a.json"));
    assert_eq!(c["objectives"].as_array().unwrap().len(), 12 * 11);
    let negotiated: Vec<_> = c["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| !o["negotiated"].is_null())
        .collect();
    assert_eq!(negotiated.len(), 1);
    assert_eq!(negotiated[0]["negotiated"], 0.35);
    // The blank cells are said once per structure, naming them.
    let diagnostics = c["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 12, "{diagnostics:#?}");
    let bourg = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("01053"))
        .unwrap();
    assert!(
        bourg["message"]
            .as_str()
            .unwrap()
            .contains(": 10 objectifs négociés laissés vides ("),
        "{bourg}"
    );

    // With a per-structure return: the first valid value is kept, a different one reported,
    // and empty cells of the annotated workbook are not reported where another file has a value.
    ok(&boussole(
        &[
            "collect",
            "retour-amberieu.xlsx",
            "annote-rempli.xlsx",
            "-o",
            "b.xlsx",
            "--json",
            "b.json",
        ],
        dir,
    ));
    let c = json(&dir.join("b.json"));
    let diagnostics = c["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .all(|d| d["file"] == "annote-rempli.xlsx")
    );
    assert_eq!(
        diagnostics.len(),
        11,
        "Ambérieu's rows (valued by its own return) are not reported, every other structure once"
    );
    assert!(
        diagnostics
            .iter()
            .all(|d| !d["message"].as_str().unwrap().starts_with("01004")),
        "{diagnostics:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Returned workbooks as users leave them: inserted rows, keys that disagree, a duplicated
// sheet, an unknown indicator, 78 typed in a percentage cell.
// ---------------------------------------------------------------------------------------

/// One sheet of a rebuilt workbook: the source sheet copied under `name`, its rows moved
/// by `moved` (rows inserted above), then `edits` set at their new places.
struct Rebuilt<'a> {
    name: &'a str,
    from: &'a str,
    moved: &'a dyn Fn(u32) -> u32,
    edits: Vec<(u32, u32, Edit)>,
}

/// A returned workbook as a user may leave it, every cell of `src` copied as `sheets` say
/// (the other sheets as they are).
fn rebuild(src: &Path, dst: &Path, sheets: &[Rebuilt]) {
    let mut book = calamine::open_workbook_auto(src).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let same = |r: u32| r;
    let names = book.sheet_names();
    let mut plan: Vec<Rebuilt> = names
        .iter()
        .filter(|n| !sheets.iter().any(|s| s.name == n.as_str()))
        .map(|n| Rebuilt {
            name: n,
            from: n,
            moved: &same,
            edits: Vec::new(),
        })
        .collect();
    for s in sheets {
        let at = names.iter().position(|n| n == s.name).unwrap_or(plan.len());
        plan.insert(
            at.min(plan.len()),
            Rebuilt {
                name: s.name,
                from: s.from,
                moved: s.moved,
                edits: s
                    .edits
                    .iter()
                    .map(|(r, c, e)| (*r, *c, e.clone()))
                    .collect(),
            },
        );
    }
    for Rebuilt {
        name,
        from,
        moved,
        edits,
    } in plan
    {
        let range = book.worksheet_range(from).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let (r, c) = (moved(r0 + r as u32), (c0 as usize + c) as u16);
            match v {
                Data::String(s) => ws.write_string(r, c, s).map(|_| ()).unwrap(),
                Data::Float(x) => ws.write_number(r, c, *x).map(|_| ()).unwrap(),
                Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()).unwrap(),
                Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()).unwrap(),
                _ => {}
            }
        }
        for (r, c, edit) in edits {
            let c = c as u16;
            match edit {
                Edit::Number(x) => ws.write_number(r, c, x).map(|_| ()).unwrap(),
                Edit::Text(t) => ws.write_string(r, c, t).map(|_| ()).unwrap(),
                Edit::Date(..) => unreachable!("no date here"),
            }
        }
    }
    out.save(dst).unwrap();
}

/// Bourg-en-Bresse's Objectifs sheet: header row, column titles, rows by indicator id.
fn bourg_sheet(dir: &Path) -> (u32, BTreeMap<String, u32>, BTreeMap<String, u32>) {
    let r = range(&per_structure(dir, BOURG), "Objectifs");
    let (head, cols) = header(&r, "Code", "Objectif négocié");
    let rows = rows_by_key(&r, head, cols["Clé"])
        .into_iter()
        .map(|(k, row)| (k.split_once('|').unwrap().1.to_string(), row))
        .collect();
    (head, cols, rows)
}

fn collect_json(dir: &Path, files: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["collect"];
    args.extend(files);
    args.extend(["-o", "c.xlsx", "--json", "c.json", "--force"]);
    let out = boussole(&args, dir);
    ok(&out);
    (
        json(&dir.join("c.json")),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn messages(c: &serde_json::Value) -> Vec<(String, String, String)> {
    c["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["cell"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A blank row and a note row inserted among the objectives, and a row inserted in the
/// action plan: every objective and the action line are read back, the value typed on
/// the note row is named as not taken, nothing else is said.
#[test]
fn inserted_and_blank_rows_lose_no_objective_and_a_typed_row_without_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let (head, cols, rows) = bourg_sheet(dir);
    let neg = cols["Objectif négocié"];
    let first = head + 1;
    // One row inserted after the 2nd objective, one after the 5th, one above the action plan.
    let r = range(&per_structure(dir, BOURG), "Objectifs");
    let (ahead, acols) = header(&r, "Code", "Action");
    let moved = move |row: u32| {
        row + u32::from(row >= first + 2) + u32::from(row >= first + 5) + u32::from(row > ahead)
    };
    let mut edits: Vec<(u32, u32, Edit)> = rows
        .values()
        .map(|&row| (moved(row), neg, Edit::Number(0.5)))
        .collect();
    let note = first + 6; // the row inserted after the 5th objective (moved by one already)
    edits.push((note, 0, Edit::Text("Note : à revoir en juin")));
    edits.push((note, neg, Edit::Number(0.41)));
    let action = moved(ahead + 1);
    edits.push((action, acols["Action"], Edit::Text("Forum emploi")));
    edits.push((action, acols["Responsable"], Edit::Text("Directrice")));
    // Every value is 0.5: fine for fractions; the ratios and counts too.
    rebuild(
        &per_structure(dir, BOURG),
        &dir.join("retour.xlsx"),
        &[Rebuilt {
            name: "Objectifs",
            from: "Objectifs",
            moved: &moved,
            edits,
        }],
    );
    let (c, stdout) = collect_json(dir, &["retour.xlsx"]);
    let objectives = c["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 11, "every objective read back: {stdout}");
    assert!(
        objectives.iter().all(|o| o["negotiated"] == 0.5),
        "{objectives:#?}"
    );
    assert_eq!(c["actions"].as_array().unwrap().len(), 1, "{stdout}");
    let said = messages(&c);
    assert_eq!(said.len(), 1, "{said:#?}");
    let (severity, cell, message) = &said[0];
    assert_eq!(severity, "error");
    assert_eq!(cell, &format!("H{}", note + 1));
    assert!(
        message.contains(&format!("ligne {} sans clé cachée", note + 1))
            && message.contains("« 0,41 »"),
        "{message}"
    );
}

/// Columns by header, or rows by indicator, of a sheet.
type Positions = BTreeMap<String, u32>;
/// Cells to set: (row, column, value).
type Edits = Vec<(u32, u32, Edit)>;

/// Bourg's returned sheet with every objective negotiated at 0.5 and the cells `more`
/// gives (from the sheet's columns and rows by indicator) set too, collected.
fn collect_bourg_edited(
    dir: &Path,
    more: &dyn Fn(&Positions, &Positions) -> Edits,
) -> (serde_json::Value, String) {
    dialogue(dir);
    let (_, cols, rows) = bourg_sheet(dir);
    let neg = cols["Objectif négocié"];
    let mut edits: Vec<(u32, u32, Edit)> = rows
        .values()
        .map(|&row| (row, neg, Edit::Number(0.5)))
        .collect();
    edits.extend(more(&cols, &rows));
    rebuild(
        &per_structure(dir, BOURG),
        &dir.join("retour.xlsx"),
        &[Rebuilt {
            name: "Objectifs",
            from: "Objectifs",
            moved: &|r| r,
            edits,
        }],
    );
    collect_json(dir, &["retour.xlsx"])
}

/// Hidden keys that disagree with the visible code or indicator, or name an indicator the
/// pack does not have: each row is refused with an error at its row, never assigned.
#[test]
fn keys_disagreeing_with_the_visible_row_and_unknown_indicators_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (c, stdout) = collect_bourg_edited(dir, &|cols, rows| {
        let key = cols["Clé"];
        vec![
            (
                rows["taux_acces_emploi"],
                key,
                Edit::Text("01004|taux_acces_emploi"),
            ),
            (
                rows["taux_emploi_durable"],
                key,
                Edit::Text("01053|taux_formation"),
            ),
            (
                rows["taux_alternance"],
                key,
                Edit::Text("01053|taux_inconnu"),
            ),
        ]
    });
    let (_, _, rows) = bourg_sheet(dir);
    let (other_structure, other_indicator, unknown) = (
        rows["taux_acces_emploi"],
        rows["taux_emploi_durable"],
        rows["taux_alternance"],
    );
    let objectives = c["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 11 - 3, "{stdout}");
    assert!(
        objectives.iter().all(|o| o["code"] == "01053"),
        "no objective assigned to another structure"
    );
    assert!(
        objectives
            .iter()
            .all(|o| o["indicator"] != "taux_inconnu" && o["indicator"] != "taux_acces_emploi"),
        "{objectives:#?}"
    );
    let formation: Vec<_> = objectives
        .iter()
        .filter(|o| o["indicator"] == "taux_formation")
        .collect();
    assert_eq!(formation.len(), 1, "only the true row of taux_formation");
    let said = messages(&c);
    let error_at = |row: u32, text: &str| {
        said.iter().any(|(s, cell, m)| {
            s == "error" && cell == &format!("A{}", row + 1) && m.contains(text)
        })
    };
    assert!(
        error_at(
            other_structure,
            "la clé cachée « 01004|taux_acces_emploi » désigne la structure 01004, le code visible est « 01053 »"
        ),
        "{said:#?}"
    );
    assert!(
        error_at(
            other_indicator,
            "désigne l'indicateur « Taux d'accès à la formation », la ligne montre « Taux d'accès à l'emploi durable »"
        ),
        "{said:#?}"
    );
    assert!(
        error_at(unknown, "indicateur inconnu du pack « taux_inconnu »"),
        "{said:#?}"
    );
    assert_eq!(said.len(), 3, "{said:#?}");
    assert!(stdout.contains("3 erreurs"), "{stdout}");
}

/// The Objectifs sheet duplicated by the user, the copy filled: both are read, the
/// duplication said, the copy's values kept where the original is blank, and a
/// different value reported.
#[test]
fn a_duplicated_objectives_sheet_is_read_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let (_, cols, rows) = bourg_sheet(dir);
    let neg = cols["Objectif négocié"];
    let copy: Vec<(u32, u32, Edit)> = rows
        .values()
        .map(|&row| (row, neg, Edit::Number(0.5)))
        .collect();
    let original = vec![(rows["taux_acces_emploi"], neg, Edit::Number(0.4))];
    rebuild(
        &per_structure(dir, BOURG),
        &dir.join("retour.xlsx"),
        &[
            Rebuilt {
                name: "Objectifs",
                from: "Objectifs",
                moved: &|r| r,
                edits: original,
            },
            Rebuilt {
                name: "Objectifs (2)",
                from: "Objectifs",
                moved: &|r| r,
                edits: copy,
            },
        ],
    );
    let (c, stdout) = collect_json(dir, &["retour.xlsx"]);
    let objectives = c["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 11, "{stdout}");
    let acces = objectives
        .iter()
        .find(|o| o["indicator"] == "taux_acces_emploi")
        .unwrap();
    assert_eq!(acces["negotiated"], 0.4, "the first sheet's value is kept");
    assert!(
        objectives
            .iter()
            .filter(|o| o["indicator"] != "taux_acces_emploi")
            .all(|o| o["negotiated"] == 0.5 && o["sheet"] == "Objectifs (2)"),
        "{objectives:#?}"
    );
    let said = messages(&c);
    assert!(
        said.iter().any(|(s, _, m)| s == "warning"
            && m.contains("2 feuilles d'objectifs portent le tampon de l'analyse (« Objectifs », « Objectifs (2) »)")),
        "{said:#?}"
    );
    assert!(
        said.iter()
            .any(|(_, _, m)| m.contains("objectif négocié 0,5 différent de celui de")),
        "{said:#?}"
    );
    assert_eq!(c["files"].as_array().unwrap().len(), 1);
}

/// 78 typed in the coverage cell (a ratio shown as a percentage: 7 800 %) is beyond the
/// bounds the pack declares: an error in French numbers; blank objectives of a structure
/// are said once, after the errors.
#[test]
fn a_value_beyond_the_plausible_bounds_is_an_error_and_blanks_are_said_once_after_errors() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    let (_, cols, rows) = bourg_sheet(dir);
    let neg = cols["Objectif négocié"];
    let coverage = rows["taux_couverture"];
    let mut edits = vec![(coverage, neg, Edit::Number(78.0))];
    edits.push((rows["taux_penetration"], neg, Edit::Number(0.78)));
    rebuild(
        &per_structure(dir, BOURG),
        &dir.join("retour.xlsx"),
        &[Rebuilt {
            name: "Objectifs",
            from: "Objectifs",
            moved: &|r| r,
            edits,
        }],
    );
    let (c, stdout) = collect_json(dir, &["retour.xlsx"]);
    let objectives = c["objectives"].as_array().unwrap();
    let find = |id: &str| objectives.iter().find(|o| o["indicator"] == id).unwrap();
    assert_eq!(find("taux_couverture")["status"], "out_of_range");
    assert_eq!(
        find("taux_couverture")["negotiated"],
        serde_json::Value::Null
    );
    assert_eq!(find("taux_penetration")["negotiated"], 0.78);
    let said = messages(&c);
    assert_eq!(
        said.len(),
        2,
        "one error, one warning for the nine blanks: {said:#?}"
    );
    let (severity, cell, message) = &said[0];
    assert_eq!(severity, "error", "errors first: {said:#?}");
    assert_eq!(cell, &format!("H{}", coverage + 1));
    assert!(
        message.contains(
            "objectif négocié 7\u{202f}800 % hors des bornes plausibles du pack (de 0 % à 300 %) ; pour 78 % saisir 0,78 ou 78 %"
        ),
        "{message}"
    );
    assert!(
        !message.contains("0.78") && !message.contains("7800"),
        "{message}"
    );
    let (severity, _, message) = &said[1];
    assert_eq!(severity, "warning");
    assert!(
        message.starts_with(
            "01053 (Mission locale de Bourg-en-Bresse) : 9 objectifs négociés laissés vides ("
        ),
        "{message}"
    );
    let error_line = stdout.find("erreur :").unwrap();
    let warning_line = stdout.find("avertissement :").unwrap();
    assert!(error_line < warning_line, "{stdout}");
}

/// `run --objectives` prints the follow-up's counts.
#[test]
fn run_with_objectives_prints_the_follow_up_counts() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    fill_both(dir);
    ok(&boussole(
        &[
            "collect",
            "retour-bourg.xlsx",
            "retour-amberieu.xlsx",
            "-o",
            "objectifs.xlsx",
        ],
        dir,
    ));
    std::fs::write(
        dir.join("bilan.csv"),
        field_csv(&[2023, 2024, 2025], &FIELD_STRUCTURES),
    )
    .unwrap();
    let out = boussole(&["run", "bilan.csv", "--objectives", "objectifs.xlsx"], dir);
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // 22 objectives: 20 negotiated (Bourg's out-of-rule and empty cells follow the proposal).
    assert!(
        stdout.contains("Suivi des objectifs de objectifs.xlsx")
            && stdout.contains(": 22 objectifs suivis (20 négociés, 2 proposés), 22 mesurés dont "),
        "{stdout}"
    );
}

/// Returned workbooks collected with another pack than the analysis' are refused.
#[test]
fn collecting_with_another_pack_than_the_analysis_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    dialogue(dir);
    ok(&boussole(&["rules", "export", "autre"], dir));
    let manifest = dir.join("autre").join("pack.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(
        text.contains("funnel_z = 3.09"),
        "the embedded pack's funnel_z"
    );
    std::fs::write(
        &manifest,
        text.replacen("funnel_z = 3.09", "funnel_z = 2.58", 1),
    )
    .unwrap();
    std::fs::copy(per_structure(dir, BOURG), dir.join("retour.xlsx")).unwrap();
    let out = boussole(
        &["collect", "retour.xlsx", "--rules", "autre", "-o", "c.xlsx"],
        dir,
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("différent du pack de la collecte") && err.contains("--rules"),
        "{err}"
    );
    assert!(!dir.join("c.xlsx").exists());
}

/// A workbook annotated before an indicator was renamed still reads back: its line shows
/// the label the pack lists in `former_labels` (the cpo pack's rate of CIVIS exits to
/// lasting jobs bore the label of its count until 2026.1); any other label is refused.
#[test]
fn a_returned_line_showing_a_former_label_of_its_indicator_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (c, stdout) = collect_bourg_edited(dir.path(), &|cols, rows| {
        let label = cols["Indicateur"];
        vec![
            (
                rows["taux_sortie_civis_durable"],
                label,
                Edit::Text("Sorties de CIVIS en emploi durable"),
            ),
            (
                rows["taux_formation"],
                label,
                Edit::Text("Sorties de CIVIS"),
            ),
        ]
    });
    let objectives = c["objectives"].as_array().unwrap();
    assert!(
        objectives
            .iter()
            .any(|o| o["indicator"] == "taux_sortie_civis_durable" && o["negotiated"] == 0.5),
        "{stdout}"
    );
    assert!(
        objectives
            .iter()
            .all(|o| o["indicator"] != "taux_formation"),
        "{stdout}"
    );
    let said = messages(&c);
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(
        said[0].2.contains("la ligne montre « Sorties de CIVIS »"),
        "{said:#?}"
    );
}
