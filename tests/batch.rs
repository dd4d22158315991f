//! Batch runs, national references and consolidation, as the operator and the regional
//! office use them.

mod common;
use common::{boussole, names as files, sample};

use boussole::pack::Pack;
use std::path::{Path, PathBuf};

#[test]
fn a_folder_with_a_broken_file_gives_the_good_outputs_a_failing_status_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("regions");
    std::fs::create_dir(&inputs).unwrap();
    for (i, name) in ["bretagne.xlsx", "corse.xlsx", "normandie.xlsx"]
        .iter()
        .enumerate()
    {
        sample(&inputs.join(name), 25, i as u64 + 1);
    }
    std::fs::write(inputs.join("illisible.xlsx"), b"PK\x03\x04 tronque").unwrap();
    std::fs::write(inputs.join("notes.txt"), b"pas un classeur").unwrap();
    let out = boussole(
        &["run", "regions", "--out-dir", "sorties", "--json", "json"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("illisible.xlsx") && summary.contains("ÉCHEC"),
        "{summary}"
    );
    assert!(
        summary.contains("3 classeurs annotés, 1 en échec."),
        "{summary}"
    );
    assert_eq!(
        files(&dir.path().join("sorties")),
        [
            "bretagne-boussole.xlsx",
            "corse-boussole.xlsx",
            "normandie-boussole.xlsx"
        ]
    );
    assert_eq!(
        files(&dir.path().join("json")),
        ["bretagne.json", "corse.json", "normandie.json"]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 classeur sur 4 en échec"));
}

#[test]
fn one_job_and_two_jobs_give_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..4 {
        sample(&dir.path().join(format!("r{i}.xlsx")), 20, i + 10);
    }
    let inputs: Vec<String> = (0..4).map(|i| format!("r{i}.xlsx")).collect();
    let mut args1 = vec!["run", "--jobs", "1", "--out-dir", "un", "--quiet"];
    args1.extend(inputs.iter().map(String::as_str));
    let mut args2 = vec!["run", "--jobs", "2", "--out-dir", "deux", "--quiet"];
    args2.extend(inputs.iter().map(String::as_str));
    assert!(boussole(&args1, dir.path()).status.success());
    assert!(boussole(&args2, dir.path()).status.success());
    for i in 0..4 {
        let name = format!("r{i}-boussole.xlsx");
        assert_eq!(
            std::fs::read(dir.path().join("un").join(&name)).unwrap(),
            std::fs::read(dir.path().join("deux").join(&name)).unwrap(),
            "{name}"
        );
    }
}

/// Writes the structures of one region of a dataset as a one-sheet workbook.
fn regional_workbook(national: &Path, region: &str, target: &Path) -> Vec<String> {
    regional_workbook_with(national, region, target, 0.0)
}

/// The same, adding `bump` to the first structure's young people accompanied.
fn regional_workbook_with(national: &Path, region: &str, target: &Path, bump: f64) -> Vec<String> {
    let pack = Pack::embedded().unwrap();
    let data = boussole::workbook::read_path(national, &pack.manifest.columns).unwrap();
    let columns: Vec<_> = pack
        .manifest
        .columns
        .iter()
        .filter(|c| data.columns.iter().any(|m| m.column == c.id))
        .collect();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, col) in columns.iter().enumerate() {
        sheet.write_string(0, c as u16, &col.label).unwrap();
    }
    let mut codes = Vec::new();
    for (r, s) in data
        .structures
        .iter()
        .filter(|s| s.region == region)
        .enumerate()
    {
        let r = r as u32 + 1;
        codes.push(s.id.to_string());
        for (c, col) in columns.iter().enumerate() {
            let c = c as u16;
            match col.id.as_str() {
                "code" => sheet.write_string(r, c, s.id.as_str()).map(|_| ()).unwrap(),
                "nom" => sheet.write_string(r, c, &s.name).map(|_| ()).unwrap(),
                "region" => sheet.write_string(r, c, &s.region).map(|_| ()).unwrap(),
                id => {
                    if let Some(v) = s.value(id) {
                        let v = if r == 1 && id == "jeunes_accompagnes" {
                            v + bump
                        } else {
                            v
                        };
                        sheet.write_number(r, c, v).unwrap();
                    }
                }
            }
        }
    }
    wb.save(target).unwrap();
    codes
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_regional_run_with_a_national_reference_gets_the_national_statistics_of_a_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let national = dir.path().join("national.xlsx");
    sample(&national, 120, 2011);
    let regional = dir.path().join("bretagne.xlsx");
    let codes = regional_workbook(&national, "Bretagne", &regional);
    assert!(!codes.is_empty());
    let full = boussole(
        &["run", "national.xlsx", "--json", "full.json", "--quiet"],
        dir.path(),
    );
    assert!(full.status.success());
    let reg = boussole(
        &[
            "run",
            "bretagne.xlsx",
            "--reference",
            "national.xlsx",
            "--json",
            "reg.json",
        ],
        dir.path(),
    );
    assert!(
        reg.status.success(),
        "{}",
        String::from_utf8_lossy(&reg.stderr)
    );
    assert!(String::from_utf8_lossy(&reg.stdout).contains("national.xlsx"));
    let (full, reg) = (
        json(&dir.path().join("full.json")),
        json(&dir.path().join("reg.json")),
    );
    assert_eq!(reg["reference"]["file"], "national.xlsx");
    let annotated = reg["structures"].as_array().unwrap();
    assert_eq!(
        annotated.len(),
        codes.len(),
        "only the region's structures are annotated"
    );
    for s in annotated {
        let id = s["id"].as_str().unwrap();
        let f = full["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        for ind in [
            "taux_acces_emploi",
            "taux_couverture",
            "entretiens_par_jeune",
        ] {
            for frame in ["national", "region", "peers"] {
                assert_eq!(
                    s["indicators"][ind]["frames"][frame], f["indicators"][ind]["frames"][frame],
                    "{id} {ind} {frame}"
                );
            }
            assert_eq!(
                s["indicators"][ind]["expected"], f["indicators"][ind]["expected"],
                "{id} {ind}"
            );
            assert_eq!(
                s["indicators"][ind]["finding"], f["indicators"][ind]["finding"],
                "{id} {ind}"
            );
        }
        assert_eq!(s["recommendations"], f["recommendations"], "{id}");
    }
    // The Synthèse says which reference was used.
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(dir.path().join("bretagne-boussole.xlsx")).unwrap();
    let synth = wb.worksheet_range_at(0).unwrap().unwrap();
    assert!(
        synth
            .used_cells()
            .any(|(_, _, v)| v.to_string().contains("national.xlsx"))
    );
}

#[test]
fn merged_regional_files_are_analysed_as_one_and_conflicts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let national = dir.path().join("national.xlsx");
    sample(&national, 80, 7);
    let a = regional_workbook(&national, "Bretagne", &dir.path().join("a.xlsx"));
    let b = regional_workbook(&national, "Normandie", &dir.path().join("b.xlsx"));
    let out = boussole(
        &[
            "run",
            "a.xlsx",
            "b.xlsx",
            "--merge",
            "-o",
            "fusion.xlsx",
            "--json",
            "f.json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&dir.path().join("f.json"));
    assert_eq!(
        doc["structures"].as_array().unwrap().len(),
        a.len() + b.len()
    );
    let first = &doc["structures"][0]["indicators"]["taux_acces_emploi"]["cells"][0];
    assert!(
        first.as_str().unwrap().starts_with("[a.xlsx]")
            || first.as_str().unwrap().starts_with("[b.xlsx]"),
        "{first}"
    );

    // The same code with different values in two files: refused, naming both.
    regional_workbook_with(&national, "Bretagne", &dir.path().join("c.xlsx"), 1.0);
    let out = boussole(
        &["run", "a.xlsx", "c.xlsx", "--merge", "-o", "x.xlsx"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.xlsx") && err.contains("c.xlsx") && err.contains("valeurs différentes"),
        "{err}"
    );
    assert!(!dir.path().join("x.xlsx").exists());
}

#[test]
fn several_inputs_with_one_output_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    sample(&dir.path().join("a.xlsx"), 10, 1);
    sample(&dir.path().join("b.xlsx"), 10, 2);
    let out = boussole(&["run", "a.xlsx", "b.xlsx", "-o", "x.xlsx"], dir.path());
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out-dir"));
    let _ = PathBuf::new();
}

/// `1,2 %`-style French text of a share, as the trace writes it (one decimal).
fn percent_fr(share: f64) -> String {
    format!("{:.1} %", share * 100.0).replace('.', ",")
}

#[test]
fn a_regional_file_alone_is_warned_on_the_terminal_and_in_the_synthese() {
    let dir = tempfile::tempdir().unwrap();
    let national = dir.path().join("national.xlsx");
    sample(&national, 120, 2011);
    regional_workbook(&national, "Bretagne", &dir.path().join("bretagne.xlsx"));
    let out = boussole(&["run", "bretagne.xlsx", "--json", "seul.json"], dir.path());
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    assert!(
        text.contains("Avertissement : toutes les structures sont de la région « Bretagne »")
            && text.contains("le référentiel national est ce fichier lui-même")
            && text.contains("--reference"),
        "{text}"
    );
    // Counted in the summary with the reading's own warnings.
    let doc = json(&dir.path().join("seul.json"));
    let reading = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "warning")
        .count();
    let counted = fr_count(reading + 1, "avertissement", "avertissements");
    assert!(
        text.contains(&format!("et {counted}.")),
        "{counted}: {text}"
    );
    // The Synthèse says it too.
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(dir.path().join("bretagne-boussole.xlsx")).unwrap();
    let synth = wb.worksheet_range_at(0).unwrap().unwrap();
    let line = synth
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Référentiel national"))
        .map(|r| r[1].to_string())
        .expect("a Référentiel national line in the Synthèse");
    assert!(
        line.contains("« Bretagne »") && line.contains("--reference"),
        "{line}"
    );

    // With the national reference, or for the national file itself: no such warning.
    for args in [
        &[
            "run",
            "bretagne.xlsx",
            "--reference",
            "national.xlsx",
            "-o",
            "r.xlsx",
        ][..],
        &["run", "national.xlsx"][..],
    ] {
        let out = boussole(args, dir.path());
        assert!(out.status.success(), "{}", common::stderr(&out));
        assert!(
            !common::stdout(&out).contains("Avertissement"),
            "{args:?}: {}",
            common::stdout(&out)
        );
    }
    let mut wb = open_workbook_auto(dir.path().join("r.xlsx")).unwrap();
    let synth = wb.worksheet_range_at(0).unwrap().unwrap();
    assert!(
        !synth
            .used_cells()
            .any(|(_, _, v)| *v == "Référentiel national")
    );
}

fn fr_count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n <= 1 { one } else { many })
}

#[test]
fn explain_with_a_reference_reproduces_run_with_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let national = dir.path().join("national.xlsx");
    sample(&national, 120, 2011);
    let codes = regional_workbook(&national, "Bretagne", &dir.path().join("bretagne.xlsx"));
    let run = boussole(
        &[
            "run",
            "bretagne.xlsx",
            "--reference",
            "national.xlsx",
            "--json",
            "reg.json",
            "-q",
        ],
        dir.path(),
    );
    assert!(run.status.success(), "{}", common::stderr(&run));
    let doc = json(&dir.path().join("reg.json"));
    for code in codes.iter().take(3) {
        let s = doc["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == code.as_str())
            .unwrap();
        let ind = "taux_acces_emploi";
        let explain = |reference: bool| {
            let mut args = vec![
                "explain",
                "bretagne.xlsx",
                "--structure",
                code,
                "--indicator",
                ind,
            ];
            if reference {
                args.extend(["--reference", "national.xlsx"]);
            }
            let out = boussole(&args, dir.path());
            assert!(out.status.success(), "{}", common::stderr(&out));
            common::stdout(&out)
        };
        let text = explain(true);
        let r = &s["indicators"][ind];
        let national = &r["frames"]["national"];
        let line = text
            .lines()
            .find(|l| l.contains("référentiel national"))
            .unwrap_or_else(|| panic!("{text}"));
        let n = national["n"].as_u64().unwrap();
        for figure in [
            format!("n = {n},"),
            format!(
                "médiane {}",
                percent_fr(national["median"].as_f64().unwrap())
            ),
            format!("rang centile {:.0}", national["rank"].as_f64().unwrap()),
        ] {
            assert!(
                line.contains(&figure),
                "{code}: « {figure} » not in « {line} »"
            );
        }
        let peers: Vec<&str> = s["peers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert!(
            text.contains(&format!(
                "Pairs (contexte le plus proche) : {}",
                peers.join(", ")
            )),
            "{code}: {peers:?} {text}"
        );
        assert!(
            text.contains(&format!(
                "score : {:.0} / 100",
                r["score"].as_f64().unwrap()
            )),
            "{code}: {text}"
        );
        if let Some(expected) = r["expected"].as_f64() {
            assert!(
                text.contains(&format!(
                    "valeur attendue selon le contexte : {}",
                    percent_fr(expected)
                )),
                "{code}: {text}"
            );
        }
        // The national frame is the reference's (120 structures less the missing), not
        // the region's: without --reference, explain says otherwise.
        assert!(n > codes.len() as u64, "{n}");
        assert!(!explain(false).contains(&format!("n = {n},")));
    }
}

#[test]
fn an_unknown_code_in_explain_is_a_usage_error_proposing_the_nearest_codes() {
    let dir = tempfile::tempdir().unwrap();
    let national = dir.path().join("national.xlsx");
    sample(&national, 40, 3);
    let pack = Pack::embedded().unwrap();
    let data = boussole::workbook::read_path(&national, &pack.manifest.columns).unwrap();
    let code = data.structures[0].id.to_string();
    // One digit typed wrong, giving no other structure's code.
    let stem = &code[..code.len() - 1];
    let typo = ('0'..='9')
        .map(|c| format!("{stem}{c}"))
        .find(|t| data.structures.iter().all(|s| s.id.as_str() != t))
        .unwrap();
    let out = boussole(
        &["explain", "national.xlsx", "--structure", &typo],
        dir.path(),
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(&format!(
            "boussole : structure « {typo} » introuvable dans national.xlsx ; vouliez-vous dire : "
        )) && err.contains(&code),
        "{err}"
    );
    let out = boussole(
        &[
            "explain",
            "national.xlsx",
            "--structure",
            &code,
            "--indicator",
            "taux_acces_emplo",
        ],
        dir.path(),
    );
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("taux_acces_emploi"), "{err}");
}
