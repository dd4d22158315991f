//! The Référentiels sheet: each shared frame's statistics once per indicator — the national
//! frame, then each region's — equal to the JSON's frames of every structure of it; a region
//! too small for a frame of its own says it falls back on the national one; Indicateurs no
//! longer repeats them.

mod common;

use calamine::{Data, Reader, open_workbook_auto};
use common::{boussole, sample, stderr};
use serde_json::Value;
use std::collections::BTreeMap;

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(x) => Some(*x),
        Data::Int(x) => Some(*x as f64),
        _ => None,
    }
}

#[test]
fn each_shared_frame_is_once_in_referentiels_and_matches_every_structure_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 60 structures over 18 regions: some regions are too small for a frame of their own.
    sample(&d.join("nat.xlsx"), 60, 5);
    let out = boussole(
        &[
            "run", "nat.xlsx", "-o", "out.xlsx", "--json", "out.json", "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&std::fs::read(d.join("out.json")).unwrap()).unwrap();
    let mut wb = open_workbook_auto(d.join("out.xlsx")).unwrap();
    let refs = wb.worksheet_range("Référentiels").unwrap();
    let mut rows = refs.rows();
    let headers: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        headers,
        [
            "Référentiel",
            "Territoire",
            "Indicateur",
            "Valeurs",
            "Médiane",
            "Q1",
            "Q3",
            "Remarque",
            "Clé"
        ]
    );
    let by_key: BTreeMap<String, Vec<Data>> =
        rows.map(|r| (r[8].to_string(), r.to_vec())).collect();
    let indicators = json["indicators"].as_array().unwrap();
    let structures = json["structures"].as_array().unwrap();
    let mut regions: Vec<&str> = structures
        .iter()
        .map(|s| s["region"].as_str().unwrap())
        .collect();
    regions.sort();
    regions.dedup();
    assert_eq!(
        by_key.len(),
        indicators.len() * (1 + regions.len()),
        "one row per indicator for the nation and for each region"
    );
    let mut fallbacks = 0;
    for s in structures {
        let region = s["region"].as_str().unwrap();
        for def in indicators {
            let id = def["id"].as_str().unwrap();
            for (kind, key) in [
                ("national", format!("national|{id}")),
                ("region", format!("région|{region}|{id}")),
            ] {
                let frame = &s["indicators"][id]["frames"][kind];
                let row = by_key.get(&key).unwrap_or_else(|| panic!("no row {key}"));
                for (col, stat) in [(3, "n"), (4, "median"), (5, "q1"), (6, "q3")] {
                    let shown = number(&row[col]);
                    let expected = frame[stat].as_f64();
                    match (shown, expected) {
                        (Some(a), Some(b)) => {
                            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{key} {stat}")
                        }
                        (a, b) => assert_eq!(a, b, "{key} {stat}"),
                    }
                }
                if kind == "region" && !frame["fallback"].is_null() {
                    let remark = row[7].to_string();
                    assert!(remark.contains("en repli"), "{key}: {remark}");
                    fallbacks += 1;
                }
            }
        }
    }
    assert!(
        fallbacks > 0,
        "the sample has regions too small for their own frame"
    );

    // Indicateurs keeps the peers' statistics, not the shared frames'.
    let ind = wb.worksheet_range("Indicateurs").unwrap();
    let header: Vec<String> = ind
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for gone in ["Médiane nationale", "Q1 régional", "Médiane régionale"] {
        assert!(!header.iter().any(|h| h == gone), "{gone}: {header:?}");
    }
    assert!(header.iter().any(|h| h == "Médiane des pairs"));
}

/// A pack whose too-small regions fall back on each structure's peers has no regional
/// statistic to store once: Référentiels says so for such a region and the Fiche shows the
/// missing mark for its regional median, never a number of another frame.
#[test]
fn a_region_judged_on_each_structures_peers_has_no_shared_statistic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("nat.xlsx"), 60, 5);
    let out = boussole(&["rules", "export", "regles"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = d.join("regles/pack.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("fallback = \"national\""));
    std::fs::write(
        &toml,
        text.replace("fallback = \"national\"", "fallback = \"peers\""),
    )
    .unwrap();
    let out = boussole(
        &[
            "run", "nat.xlsx", "--rules", "regles", "-o", "out.xlsx", "--json", "out.json", "-q",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&std::fs::read(d.join("out.json")).unwrap()).unwrap();
    let mut wb = open_workbook_auto(d.join("out.xlsx")).unwrap();
    let refs = wb.worksheet_range("Référentiels").unwrap();
    let by_key: BTreeMap<String, Vec<Data>> = refs
        .rows()
        .skip(1)
        .map(|r| (r[8].to_string(), r.to_vec()))
        .collect();
    let mut per_structure = 0;
    for s in json["structures"].as_array().unwrap() {
        let region = s["region"].as_str().unwrap();
        let frame = &s["indicators"]["taux_acces_emploi"]["frames"]["region"];
        if frame["fallback"] != "peers" {
            continue;
        }
        let row = &by_key[&format!("région|{region}|taux_acces_emploi")];
        assert_eq!(number(&row[4]), None, "{region}: no median of its own");
        assert!(
            row[7]
                .to_string()
                .contains("chaque structure est jugée sur son propre référentiel"),
            "{region}: {:?}",
            row[7]
        );
        per_structure += 1;
    }
    assert!(per_structure > 0, "the sample has regions judged on peers");
    // The Fiche's first structure: its regional median is the mark when its region falls
    // back on peers, else its region's median.
    let first = &json["structures"][0];
    let fiche = wb.worksheet_range("Fiche").unwrap();
    let row = (5..fiche.height() as u32)
        .find(|&r| {
            fiche.get_value((r, 0)).map(|c| c.to_string()) == Some("Taux d'accès à l'emploi".into())
        })
        .expect("the Fiche's row");
    let shown = fiche.get_value((row, 2)).cloned().unwrap();
    let frame = &first["indicators"]["taux_acces_emploi"]["frames"]["region"];
    if frame["fallback"] == "peers" {
        assert_eq!(shown, Data::String("—".into()));
    } else {
        assert_eq!(number(&shown), frame["median"].as_f64());
    }
}
