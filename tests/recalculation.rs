//! What boussole writes is right where it is opened: every formula of every workbook it
//! writes gives, when LibreOffice recalculates it, exactly the value boussole cached.
//! These tests need LibreOffice: `#[ignore]`d by default, run by `.ci/run` (`-- --ignored`).

mod common;

use common::libreoffice::{recalculated, recalculation_differences};
use common::{boussole, sample};
use std::path::Path;

/// Runs boussole on `input` with `args` and checks every formula of `output` after a
/// forced recalculation.
fn assert_recalculates_to_cached(dir: &Path, output: &str) {
    let original = dir.join(output);
    assert!(original.is_file(), "{output} was written");
    let after = recalculated(&original, &dir.join("recalcule"));
    let differences = recalculation_differences(&original, &after);
    let formulas = common::libreoffice::formula_cells(&original).len();
    assert!(formulas > 0, "{output} holds formulas");
    assert!(
        differences.is_empty(),
        "{} of {formulas} formulas of {output} change on recalculation:\n{}",
        differences.len(),
        differences
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_annotated_workbook_recalculates_to_its_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    sample(&dir.path().join("national.xlsx"), 30, 7);
    let run = boussole(&["run", "national.xlsx", "-q"], dir.path());
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_recalculates_to_cached(dir.path(), "national-boussole.xlsx");
}

#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn a_two_year_annotated_workbook_recalculates_to_its_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures: 20,
        years: 2,
        seed: 3,
        ..Default::default()
    })
    .unwrap();
    std::fs::write(dir.path().join("deux-ans.xlsx"), bytes).unwrap();
    let run = boussole(
        &["run", "deux-ans.xlsx", "-q", "--per-structure"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_recalculates_to_cached(dir.path(), "deux-ans-boussole.xlsx");
}

/// Codes holding MATCH's wildcards and names that look like ranges or formulas: the run
/// succeeds, every chart title and name stays literal text, and after recalculation every
/// formula (the Fiche's exact lookups included) gives its cached value.
#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn odd_codes_and_names_stay_literal_and_recalculate_to_their_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut structures = common::FIELD_STRUCTURES.to_vec();
    structures[0] = ("1000*", "ML Marseille!A1", "Auvergne-Rhône-Alpes");
    structures[1] = ("1000?", "ref!B2", "Auvergne-Rhône-Alpes");
    structures[2] = ("~1000", "=1+1", "Auvergne-Rhône-Alpes");
    structures[3] = ("10000", "Mission locale *?~", "Auvergne-Rhône-Alpes");
    // One region: a regional workbook, whose radars carry the structures' names.
    for s in &mut structures {
        s.2 = "Auvergne-Rhône-Alpes";
    }
    let csv = common::field_csv(&[2023, 2024], &structures);
    std::fs::write(dir.path().join("etrange.csv"), csv).unwrap();
    let run = boussole(&["run", "etrange.csv", "-q"], dir.path());
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_recalculates_to_cached(dir.path(), "etrange-boussole.xlsx");
    let charts = common::libreoffice::chart_titles(&dir.path().join("etrange-boussole.xlsx"));
    for name in ["ML Marseille!", "ref!", "=1+1"] {
        assert!(
            charts
                .iter()
                .any(|t| t.replace('\u{2060}', "").contains(name)),
            "a chart title shows « {name} » as text: {charts:?}"
        );
    }
}

/// The Fiche's drop-down set to other structures (the cell written, then recalculated by
/// LibreOffice): every value of its table is the structure's own, as the JSON results
/// give it, whatever wildcard its code holds; in a national workbook (structures of
/// several regions: no radar per structure, explanations in a column)...
#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_fiche_shows_the_chosen_structure_after_recalculation() {
    assert_fiche_follows_the_choice(None);
}

/// ... and in a regional one (one region's structures: radars and notes).
#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_regional_fiche_shows_the_chosen_structure_after_recalculation() {
    assert_fiche_follows_the_choice(Some("Bretagne"));
}

/// The national file's one funnel follows the indicator chosen in Entonnoirs' list: after
/// choosing the last one and recalculating, the chosen block (A:H under the chart, which
/// the chart reads) holds that indicator's own block, its values in display units (a
/// share times 100), and #N/A past its points.
#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn the_national_funnel_follows_the_chosen_indicator_after_recalculation() {
    use calamine::Data;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("choix.csv"),
        common::field_csv(&[2023, 2024], &common::FIELD_STRUCTURES),
    )
    .unwrap();
    let run = boussole(&["run", "choix.csv", "-q"], dir.path());
    assert!(run.status.success(), "{}", common::stderr(&run));
    let written = dir.path().join("choix-boussole.xlsx");
    let before = common::libreoffice::values(&written);
    let sheet = &before["Entonnoirs"];
    let header = (0..sheet.height() as u32)
        .find(|&r| sheet.get_value((r, 3)) == Some(&Data::String("Médiane nationale".into())))
        .expect("the data's header");
    // The list of indicators, right of the last block, with their scales.
    let list_col = (0..sheet.width() as u32)
        .rev()
        .find(|&c| sheet.get_value((header, c)) == Some(&Data::String("Indicateur".into())))
        .expect("the list of indicators");
    let funnels = (header + 1..)
        .take_while(|&r| matches!(sheet.get_value((r, list_col)), Some(Data::String(_))))
        .count() as u32;
    assert!(funnels >= 5, "{funnels} funnels listed");
    let last_row = header + funnels;
    let Some(Data::String(label)) = sheet.get_value((last_row, list_col)).cloned() else {
        unreachable!()
    };
    let scale = match sheet.get_value((last_row, list_col + 1)) {
        Some(Data::Float(x)) => *x,
        other => panic!("scale {other:?}"),
    };
    let chosen = dir.path().join("choix-dernier.xlsx");
    common::libreoffice::with_cell_text(&written, &chosen, "Entonnoirs", "D4", &label);
    let after = common::libreoffice::values(&recalculated(&chosen, &dir.path().join("recalcule")));
    let sheet = &after["Entonnoirs"];
    assert_eq!(
        sheet.get_value((header - 1, 0)),
        Some(&Data::String(label.clone()))
    );
    let own = 8 * funnels;
    assert_eq!(
        sheet.get_value((header - 1, own)),
        Some(&Data::String(label.clone())),
        "the last block is the last indicator's"
    );
    let mut points = 0;
    for r in header + 1..sheet.height() as u32 {
        for c in 0..8 {
            let source = sheet
                .get_value((r, own + c))
                .cloned()
                .unwrap_or(Data::Empty);
            let shown = sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
            match source {
                Data::Float(x) => {
                    let x = if c == 0 || c == 2 { x } else { x * scale };
                    assert!(
                        common::libreoffice::same_value(&Data::Float(x), &shown),
                        "row {} column {c}: {shown:?} for {x}",
                        r + 1
                    );
                    points += usize::from(c == 1);
                }
                _ => assert!(
                    matches!(shown, Data::Error(_) | Data::Empty),
                    "row {} column {c}: {shown:?} where the block is empty",
                    r + 1
                ),
            }
        }
    }
    assert!(points >= 5, "{points} points checked");
}

/// Runs the field CSV (all its structures in `region` when given) and checks the Fiche
/// after choosing four structures.
fn assert_fiche_follows_the_choice(region: Option<&'static str>) {
    use calamine::Data;
    let dir = tempfile::tempdir().unwrap();
    let mut structures = common::FIELD_STRUCTURES.to_vec();
    structures[1] = ("1000*", "ML étoile", "Auvergne-Rhône-Alpes");
    structures[2] = ("1000?", "ML question", "Auvergne-Rhône-Alpes");
    structures[3] = ("10000", "ML zéro", "Auvergne-Rhône-Alpes");
    if let Some(region) = region {
        for s in &mut structures {
            s.2 = region;
        }
    }
    std::fs::write(
        dir.path().join("choix.csv"),
        common::field_csv(&[2023, 2024], &structures),
    )
    .unwrap();
    let run = boussole(
        &["run", "choix.csv", "--json", "choix.json", "-q"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", common::stderr(&run));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("choix.json")).unwrap()).unwrap();
    // The content chosen for the file's audience: radars per structure only when regional.
    let charts = common::libreoffice::chart_titles(&dir.path().join("choix-boussole.xlsx"));
    let radars = structures
        .iter()
        .filter(|(code, _, _)| {
            charts
                .iter()
                .any(|t| t.replace('\u{2060}', "").contains(&format!("{code} — ")))
        })
        .count();
    assert_eq!(
        radars,
        if region.is_some() {
            structures.len()
        } else {
            0
        },
        "radars per structure: {charts:?}"
    );
    // The Fiche's table lists the indicators that are not context, in the pack's order.
    let shown: Vec<(String, String)> = json["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["context"] == false)
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (k, code) in ["10000", "1000?", "1000*", "35238"].into_iter().enumerate() {
        let st = json["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == code)
            .expect("the structure is in the JSON");
        let display = format!("{code} — {}", st["name"].as_str().unwrap());
        let chosen = dir.path().join(format!("choix-{k}.xlsx"));
        common::libreoffice::with_cell_text(
            &dir.path().join("choix-boussole.xlsx"),
            &chosen,
            "Fiche",
            "B2",
            &display,
        );
        let after = recalculated(&chosen, &dir.path().join(format!("recalcule-{k}")));
        let values = common::libreoffice::values(&after);
        let fiche = &values["Fiche"];
        let mut checked = 0;
        for (k, (id, label)) in shown.iter().enumerate() {
            let row = 5 + k as u32;
            assert_eq!(
                fiche.get_value((row, 0)),
                Some(&Data::String(label.clone())),
                "row {} of the Fiche",
                row + 1
            );
            let expected = &st["indicators"][id]["value"];
            let shown = fiche.get_value((row, 1)).cloned().unwrap_or(Data::Empty);
            match expected.as_f64() {
                Some(x) => assert!(
                    common::libreoffice::same_value(&Data::Float(x), &shown),
                    "{code}: « {label} » shows {shown:?}, the JSON says {x}"
                ),
                None => assert_eq!(
                    shown,
                    Data::String("—".into()),
                    "{code}: « {label} » is missing"
                ),
            }
            // The regional median, looked up in Référentiels by the structure's region.
            let median = &st["indicators"][id]["frames"]["region"]["median"];
            let shown = fiche.get_value((row, 2)).cloned().unwrap_or(Data::Empty);
            match median.as_f64() {
                Some(x) => assert!(
                    common::libreoffice::same_value(&Data::Float(x), &shown),
                    "{code}: « {label} »'s regional median shows {shown:?}, the JSON says {x}"
                ),
                None => assert_eq!(
                    shown,
                    Data::String("—".into()),
                    "{code}: « {label} » has no regional median"
                ),
            }
            checked += 1;
        }
        assert!(checked >= 10, "{code}: {checked} indicator rows checked");
        // The radar's national medians (column L), from Référentiels' national rows: one
        // row per judged indicator (those of an axis), in the pack's order.
        let judged: Vec<&serde_json::Value> = json["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !d["axis"].is_null())
            .collect();
        let mut radar = 0;
        for (k, d) in judged.iter().enumerate() {
            let row = 5 + k as u32;
            let label = d["label"].as_str().unwrap();
            assert_eq!(
                fiche.get_value((row, 10)),
                Some(&Data::String(label.to_string())),
                "radar row {}",
                row + 1
            );
            let id = d["id"].as_str().unwrap();
            let national = st["indicators"][id]["frames"]["national"]["median"]
                .as_f64()
                .unwrap();
            let got = fiche.get_value((row, 11)).cloned().unwrap_or(Data::Empty);
            assert!(
                common::libreoffice::same_value(&Data::Float(national), &got),
                "{code}: the radar's national median of « {label} » shows {got:?}, the JSON \
                 says {national}"
            );
            radar += 1;
        }
        assert!(radar >= 5, "{code}: {radar} radar rows checked");
    }
}

/// The printed Fiche is one A4 page: LibreOffice prints the annotated workbook to PDF and
/// exactly one page carries the Fiche's selection line.
#[test]
#[ignore = "needs LibreOffice and pdftotext (run with --include-ignored)"]
fn the_fiche_prints_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    sample(&dir.path().join("national.xlsx"), 10, 4);
    let run = boussole(&["run", "national.xlsx", "-q"], dir.path());
    assert!(run.status.success(), "{}", common::stderr(&run));
    let pdf = common::libreoffice::convert(
        &dir.path().join("national-boussole.xlsx"),
        "pdf",
        "pdf",
        &dir.path().join("pdf"),
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(text.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&text.stdout);
    let fiche_pages = text
        .split('\u{c}')
        .filter(|page| page.contains("Structure (choisir dans la liste)"))
        .count();
    assert_eq!(fiche_pages, 1, "pages carrying the Fiche");
}

/// The other workbooks boussole writes — per-structure, template, impact, collected — give
/// their cached values too when LibreOffice recalculates them. Today they hold values only
/// (their drop-downs' lists are validations, not cells): this guards any formula they
/// come to hold.
#[test]
#[ignore = "needs LibreOffice (soffice; run with --include-ignored)"]
fn every_other_workbook_recalculates_to_its_cached_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(&d.join("nat.xlsx"), 8, 9);
    let steps: [&[&str]; 5] = [
        &["run", "nat.xlsx", "--per-structure", "-q"],
        // With a Stabilité column (the Fiche's « fragile » formulas read it) and the
        // Explication column after it.
        &[
            "run",
            "nat.xlsx",
            "--stability",
            "20",
            "-o",
            "stab.xlsx",
            "-q",
        ],
        &["template", "-o", "modele.xlsx"],
        &["impact", "nat.xlsx", "-o", "impact.xlsx", "-q"],
        &["collect", "nat-boussole.xlsx", "-o", "collecte.xlsx", "-q"],
    ];
    for args in steps {
        let out = boussole(args, d);
        assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    }
    let mut written: Vec<std::path::PathBuf> =
        ["stab.xlsx", "modele.xlsx", "impact.xlsx", "collecte.xlsx"]
            .iter()
            .map(|n| d.join(n))
            .collect();
    let per_structure = d.join("nat-structures");
    let mut mailed: Vec<_> = std::fs::read_dir(&per_structure)
        .expect("the per-structure folder")
        .map(|e| e.unwrap().path())
        .collect();
    mailed.sort();
    written.extend(mailed.into_iter().take(2));
    assert!(written.len() == 6, "{written:?}");
    for (k, file) in written.iter().enumerate() {
        let out = d.join(format!("recalcule-{k}"));
        // The « fragile (0,62) » marks are FIXED's text, in the reader's language: the
        // cached values are a French reader's.
        let after = if file.ends_with("stab.xlsx") {
            common::libreoffice::recalculated_in_french(file, &out)
        } else {
            recalculated(file, &out)
        };
        let differences = recalculation_differences(file, &after);
        assert!(
            differences.is_empty(),
            "{} changes on recalculation:\n{}",
            file.display(),
            differences.join("\n")
        );
    }
}

/// A regional output (`sample --region`) printed by a LibreOffice set to French: the
/// Radars pages hold four radars each and every structure's radar on exactly one of them;
/// rates show `12,5 %` (a space before %), changes of rates `+1,9 pts`.
#[test]
#[ignore = "needs LibreOffice and pdftotext (run with --include-ignored)"]
fn a_regional_output_prints_in_french_with_four_whole_radars_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = boussole(
        &[
            "sample",
            "--region",
            "Bretagne",
            "--years",
            "2",
            "-o",
            "bretagne.xlsx",
        ],
        d,
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let run = boussole(&["run", "bretagne.xlsx", "--json", "r.json", "-q"], d);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    let codes: Vec<String> = json["structures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.len() > 8, "{} structures", codes.len());
    let pdf = common::libreoffice::convert_in_french(
        &d.join("bretagne-boussole.xlsx"),
        "pdf",
        "pdf",
        &d.join("pdf"),
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(text.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&text.stdout).replace('\u{a0}', " ");
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let radar_pages: Vec<&str> = pages
        .iter()
        .copied()
        .filter(|p| p.contains("Radars : chaque structure") || p.contains("Bretagne (suite, page"))
        .collect();
    assert_eq!(radar_pages.len(), codes.len().div_ceil(4), "Radars pages");
    for code in &codes {
        let on = radar_pages
            .iter()
            .filter(|p| p.contains(&format!("{code} — ")))
            .count();
        assert_eq!(on, 1, "the radar of {code} is on one Radars page");
    }
    // The sheets boussole formats (before the copies of the input, which keep its formats).
    let own = pages
        .iter()
        .take_while(|p| !p.contains("Données fictives"))
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let chars: Vec<char> = own.chars().collect();
    let spaced = chars
        .windows(5)
        .filter(|w| {
            w[0].is_ascii_digit()
                && w[1] == ','
                && w[2].is_ascii_digit()
                && w[3] == ' '
                && w[4] == '%'
        })
        .count();
    assert!(spaced > 50, "rates shown « 12,5 % »: {spaced}");
    let glued = chars
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() && w[1] == '%')
        .count();
    // pdftotext may drop a space between two glyphs set close (a right-aligned « 4 % »
    // in a narrow column): a few glued ones are its doing, never most.
    assert!(glued * 10 < spaced, "« 12,5% » without its space: {glued}");
    assert!(
        own.contains(" pts") && (own.contains(",") && own.contains("+")),
        "changes of rates in points"
    );
}
