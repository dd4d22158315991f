//! `run NATIONAL --by-region --out-dir DIR`: from one national read and analysis, the
//! national workbook and one per region, named after the region, each holding exactly its
//! structures with the national run's numbers; `--json`, `--per-structure` and
//! `--stability` combine with it; refusals in French; all or nothing; the same bytes twice.

mod common;

use calamine::{Data, Reader, open_workbook_auto};
use common::{boussole, names, sample, stderr, stdout};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The national JSON's structures by region: region → codes.
fn codes_by_region(national: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in national["structures"].as_array().unwrap() {
        by.entry(s["region"].as_str().unwrap().to_string())
            .or_default()
            .insert(s["id"].as_str().unwrap().to_string());
    }
    by
}

/// The Indicateurs sheet's rows by (code, indicator), each as header → cell.
fn indicator_rows(path: &Path) -> BTreeMap<(String, String), BTreeMap<String, Data>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range("Indicateurs").unwrap();
    let mut rows = range.rows();
    let headers: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, indicator) = (col("Code"), col("Indicateur"));
    rows.filter(|r| !r[code].to_string().is_empty())
        .map(|r| {
            let key = (r[code].to_string(), r[indicator].to_string());
            let cells = headers.iter().cloned().zip(r.iter().cloned()).collect();
            (key, cells)
        })
        .collect()
}

/// Every text of a sheet.
fn texts(path: &Path, sheet: &str) -> Vec<String> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.used_cells().map(|(_, _, v)| v.to_string()).collect()
}

#[test]
fn one_workbook_per_region_with_exactly_its_structures_and_the_national_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 90, 3);
    let out = boussole(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "--out-dir",
            "sorties",
            "--json",
            "json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let national = json(&d.join("json/national-boussole.json"));
    let by_region = codes_by_region(&national);
    assert!(by_region.len() > 5, "{:?}", by_region.keys());
    let mut expected: Vec<String> = by_region.keys().map(|r| format!("{r}.xlsx")).collect();
    expected.push("national-boussole.xlsx".into());
    expected.sort();
    assert_eq!(names(&d.join("sorties")), expected);
    let mut expected_json: Vec<String> = by_region.keys().map(|r| format!("{r}.json")).collect();
    expected_json.push("national-boussole.json".into());
    expected_json.sort();
    assert_eq!(names(&d.join("json")), expected_json);
    let printed = stdout(&out);
    assert!(
        printed.contains(&format!("{} classeurs régionaux écrits", by_region.len())),
        "{printed}"
    );

    let national_rows = indicator_rows(&d.join("sorties/national-boussole.xlsx"));
    let national_structures: BTreeMap<&str, &Value> = national["structures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s))
        .collect();
    for (region, codes) in &by_region {
        // The JSON: exactly its structures, each as the national run computed it (values,
        // frames and their quartiles, expected values, scores, findings, objectives), its
        // region with its priorities, the national run's method and models.
        let regional = json(&d.join(format!("json/{region}.json")));
        assert_eq!(regional["region"], region.as_str());
        let got: BTreeSet<String> = regional["structures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&got, codes, "{region}");
        for s in regional["structures"].as_array().unwrap() {
            let id = s["id"].as_str().unwrap();
            assert_eq!(s, national_structures[id], "{region} {id}");
        }
        let regions = regional["regions"].as_array().unwrap();
        let national_region = national["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == region.as_str())
            .unwrap();
        assert_eq!(
            regions.as_slice(),
            std::slice::from_ref(national_region),
            "{region}"
        );
        for key in ["method", "indicators", "input", "pack", "year"] {
            assert_eq!(regional[key], national[key], "{region} {key}");
        }

        // The workbook: exactly its structures, each row identical to the national one
        // (value, national and regional medians and quartiles, score, finding...).
        let path = d.join(format!("sorties/{region}.xlsx"));
        let rows = indicator_rows(&path);
        let in_file: BTreeSet<String> = rows.keys().map(|(code, _)| code.clone()).collect();
        assert_eq!(&in_file, codes, "{region}");
        for (key, row) in &rows {
            let national_row = &national_rows[key];
            for (header, cell) in row {
                if let Some(n) = national_row.get(header) {
                    assert_eq!(cell, n, "{region} {key:?} {header}");
                }
            }
        }
        // Its Synthèse speaks of its region and gives no lone-region warning: its
        // national frame is the national file's.
        let synthese = texts(&path, "Synthèse");
        assert!(
            synthese.iter().any(|t| t == "Région")
                && synthese
                    .iter()
                    .any(|t| t.starts_with(&format!("{region} : les structures de la région"))),
            "{region}: {synthese:?}"
        );
        assert!(
            !synthese
                .iter()
                .any(|t| t.contains("le référentiel national est ce fichier")),
            "{region}"
        );
        // Its data copy keeps its own rows only (the header and its structures).
        let copy = texts(&path, "Données — Indicateurs");
        for (other, other_codes) in &by_region {
            if other != region {
                for code in other_codes {
                    assert!(!copy.contains(code), "{region} holds {other}'s {code}");
                }
            }
        }
        for code in codes {
            assert!(copy.contains(code), "{region} lacks {code}");
        }
    }
}

#[test]
fn per_structure_json_and_stability_combine_with_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 60, 8);
    let out = boussole(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "--out-dir",
            "o",
            "--json",
            "o",
            "--per-structure",
            "--stability",
            "3",
            "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let national = json(&d.join("o/national-boussole.json"));
    assert!(national["stability"].is_object());
    let by_region = codes_by_region(&national);
    let listed = names(&d.join("o"));
    // The national workbook has no per-structure folder: each structure's workbook is in
    // its region's.
    assert!(!listed.iter().any(|n| n.starts_with("national-structures")));
    for (region, codes) in &by_region {
        for name in [
            format!("{region}.xlsx"),
            format!("{region}.json"),
            format!("{region}-structures"),
        ] {
            assert!(listed.contains(&name), "{name} in {listed:?}");
        }
        let folder = names(&d.join(format!("o/{region}-structures")));
        assert_eq!(folder.len(), codes.len(), "{region}: {folder:?}");
        for code in codes {
            assert!(
                folder.iter().any(|f| f.starts_with(code.as_str())),
                "{code}"
            );
        }
        let regional = json(&d.join(format!("o/{region}.json")));
        assert_eq!(regional["stability"], national["stability"]);
        // The structures' stability (inside each structure's indicators) and the
        // priorities' are the national run's.
        for s in regional["structures"].as_array().unwrap() {
            let n = national["structures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == s["id"])
                .unwrap();
            assert_eq!(s, n);
        }
        let n = national["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == region.as_str())
            .unwrap();
        assert_eq!(&regional["regions"][0], n);
        assert!(
            texts(&d.join(format!("o/{region}.xlsx")), "Indicateurs")
                .iter()
                .any(|t| t == "Stabilité")
        );
    }
    // What holds under the pack's method variants is counted among each region's
    // structures: the regions' counts add up to the national ones, variant by variant.
    let variants = national["sensitivity"]["variants"].as_array().unwrap();
    assert!(!variants.is_empty());
    for (k, variant) in variants.iter().enumerate() {
        for field in [
            "judgements",
            "unchanged",
            "findings",
            "findings_held",
            "recommendations",
        ] {
            let sum: u64 = by_region
                .keys()
                .map(|region| {
                    let regional = json(&d.join(format!("o/{region}.json")));
                    regional["sensitivity"]["variants"][k][field]
                        .as_u64()
                        .unwrap()
                })
                .sum();
            assert_eq!(
                Some(sum),
                variant[field].as_u64(),
                "{field} of {}",
                variant["name"]
            );
        }
    }
}

#[test]
fn wrong_uses_are_refused_in_french_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 30, 2);
    std::fs::copy(d.join("national.xlsx"), d.join("autre.xlsx")).unwrap();
    let refused = |args: &[&str], code: i32, says: &str| {
        let out = boussole(args, d);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!d.join("o").exists(), "{args:?} wrote something");
    };
    refused(
        &["run", "national.xlsx", "--by-region"],
        2,
        "--by-region écrit le classeur national et un classeur par région dans un dossier : donnez-le avec --out-dir",
    );
    refused(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "-o",
            "x.xlsx",
            "--out-dir",
            "o",
        ],
        2,
        "ne peut pas être utilisé avec",
    );
    refused(
        &[
            "run",
            "national.xlsx",
            "autre.xlsx",
            "--by-region",
            "--out-dir",
            "o",
        ],
        2,
        "--by-region découpe un seul classeur national par région : 2 classeurs donnés",
    );
    refused(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "--out-dir",
            "o",
            "--json",
            "r.json",
        ],
        2,
        "avec --by-region, --json désigne un dossier",
    );
    refused(
        &[
            "run",
            "national.xlsx",
            "autre.xlsx",
            "--merge",
            "--by-region",
            "--out-dir",
            "o",
        ],
        2,
        "ne peut pas être utilisé avec",
    );

    // An existing regional workbook is not replaced without --force, and nothing else is
    // written; with --force it is.
    let first = boussole(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "--out-dir",
            "o",
            "-q",
        ],
        d,
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let region = names(&d.join("o"))
        .into_iter()
        .find(|n| n != "national-boussole.xlsx")
        .unwrap();
    std::fs::write(d.join("o").join(&region), b"ancien").unwrap();
    std::fs::remove_file(d.join("o/national-boussole.xlsx")).unwrap();
    let before = names(&d.join("o"));
    let out = boussole(
        &["run", "national.xlsx", "--by-region", "--out-dir", "o"],
        d,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("existe déjà") && err.contains(&region),
        "{err}"
    );
    assert_eq!(names(&d.join("o")), before, "nothing new");
    assert_eq!(std::fs::read(d.join("o").join(&region)).unwrap(), b"ancien");
    let out = boussole(
        &[
            "run",
            "national.xlsx",
            "--by-region",
            "--out-dir",
            "o",
            "--force",
            "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(d.join("o").join(&region)).unwrap(), b"ancien");

    // A file read (here the reference) is never written to, even with --force.
    std::fs::copy(d.join("national.xlsx"), d.join("o").join(&region)).unwrap();
    let out = boussole(
        &[
            "run",
            "national.xlsx",
            "--reference",
            &format!("o/{region}"),
            "--by-region",
            "--out-dir",
            "o",
            "--force",
        ],
        d,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains(&region), "{err}");
    assert_eq!(
        std::fs::read(d.join("o").join(&region)).unwrap(),
        std::fs::read(d.join("national.xlsx")).unwrap()
    );
}

#[test]
fn an_input_of_one_region_is_said_so_and_still_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 60, 5);
    let out = boussole(
        &[
            "sample",
            "--structures",
            "60",
            "--seed",
            "5",
            "--region",
            "Bretagne",
            "-o",
            "bretagne.xlsx",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = boussole(
        &["run", "bretagne.xlsx", "--by-region", "--out-dir", "o"],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("Avertissement : le classeur ne compte qu'une région (« Bretagne »)"),
        "{printed}"
    );
    assert_eq!(
        names(&d.join("o")),
        ["Bretagne.xlsx", "bretagne-boussole.xlsx"]
    );
}

/// Runs `boussole args` in `cwd` under a file size limit of `kib` KiB (RLIMIT_FSIZE, its
/// signal ignored so that writes fail with EFBIG).
fn limited(args: &[&str], cwd: &Path, kib: u64) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_boussole"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

#[test]
fn one_failed_write_leaves_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 60, 6);
    let args = [
        "run",
        "national.xlsx",
        "--by-region",
        "--out-dir",
        "o",
        "--per-structure",
        "-q",
    ];
    let out = boussole(&args, d);
    assert!(out.status.success(), "{}", stderr(&out));
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    let written = names(&d.join("o"));
    let national = size(&d.join("o/national-boussole.xlsx"));
    let largest_regional = written
        .iter()
        .filter(|n| n.ends_with(".xlsx") && *n != "national-boussole.xlsx")
        .map(|n| size(&d.join("o").join(n)))
        .max()
        .unwrap();
    assert!(
        largest_regional < national * 3 / 4,
        "{largest_regional} {national}"
    );
    std::fs::remove_dir_all(d.join("o")).unwrap();

    // The regional workbooks fit, the national one does not: nothing is left, not even
    // the folder made for them.
    let out = limited(&args, d, (largest_regional + national) / 2 / 1024 + 1);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        !err.contains(".boussole-") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!d.join("o").exists(), "left {:?}", names(&d.join("o")));

    // One region's per-structure folder cannot be made: no other region's workbook, nor
    // the national one, is left.
    std::fs::create_dir(d.join("o")).unwrap();
    let blocked = written
        .iter()
        .find(|n| n.ends_with("-structures"))
        .unwrap()
        .clone();
    std::fs::write(d.join("o").join(&blocked), b"un fichier").unwrap();
    let out = boussole(&args, d);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains(&blocked), "{err}");
    assert_eq!(names(&d.join("o")), std::slice::from_ref(&blocked));
    std::fs::remove_file(d.join("o").join(&blocked)).unwrap();
    let out = boussole(&args, d);
    assert!(out.status.success(), "rerun refused: {}", stderr(&out));
    assert_eq!(names(&d.join("o")), written);
}

#[test]
fn the_split_is_byte_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("national.xlsx"), 40, 9);
    for out_dir in ["a", "b"] {
        let out = boussole(
            &[
                "run",
                "national.xlsx",
                "--by-region",
                "--out-dir",
                out_dir,
                "--json",
                out_dir,
                "-q",
            ],
            d,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let files = names(&d.join("a"));
    assert_eq!(files, names(&d.join("b")));
    assert!(files.len() > 4, "{files:?}");
    for f in &files {
        assert_eq!(
            std::fs::read(d.join("a").join(f)).unwrap(),
            std::fs::read(d.join("b").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_diagnostic_on_a_structure_row_goes_to_its_region_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = common::field_csv(&[2024], &common::FIELD_STRUCTURES);
    // Rennes (Bretagne, the 7th structure: row 8 of the file): its « Jeunes accompagnés » is
    // no number.
    let csv: String = csv
        .lines()
        .map(|line| {
            if line.starts_with("35238;") {
                let mut fields: Vec<&str> = line.split(';').collect();
                fields[6] = "beaucoup";
                fields.join(";")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.join("terrain.csv"), csv).unwrap();
    let out = boussole(
        &[
            "run",
            "terrain.csv",
            "--by-region",
            "--out-dir",
            "o",
            "--json",
            "o",
            "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let on_rennes = |doc: &Value| -> usize {
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| {
                x["cell"]
                    .as_str()
                    .is_some_and(|c| c.trim_start_matches(|l: char| l.is_ascii_alphabetic()) == "8")
            })
            .count()
    };
    let national = json(&d.join("o/terrain-boussole.json"));
    let bretagne = json(&d.join("o/Bretagne.json"));
    let auvergne = json(&d.join("o/Auvergne-Rhône-Alpes.json"));
    assert!(on_rennes(&national) > 0, "{:#}", national["diagnostics"]);
    assert_eq!(on_rennes(&bretagne), on_rennes(&national));
    assert_eq!(on_rennes(&auvergne), 0, "{:#}", auvergne["diagnostics"]);
    // What is on no structure's row stays in every file.
    let elsewhere = |doc: &Value| doc["diagnostics"].as_array().unwrap().len() - on_rennes(doc);
    assert_eq!(elsewhere(&bretagne), elsewhere(&national));
    assert_eq!(elsewhere(&auvergne), elsewhere(&national));
}
