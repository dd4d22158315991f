//! Sensitivity to the method's choices (issue 18, `[[sensitivity.variants]]`), on datasets
//! built here (the generator of tests/method.rs): the share a variant reports is the one
//! counted here against a pack compiled with the variant's choice written in; a variant
//! identical to the base keeps everything; bad variants are refused in French naming the
//! variant; Synthèse and the JSON carry the summary only with `--stability`; the same seed
//! still gives the same bytes.

mod common;

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::{Results, Sensitivity};
use boussole::analysis::sensitivity;
use boussole::dataset::Dataset;
use boussole::pack::engine::CompiledPack;
use boussole::pack::{Origin, Pack};
use calamine::DataType;
use std::collections::BTreeSet;

use common::generated::*;

/// The embedded pack without its own variants, with `variants` (TOML) in their place.
fn pack_with(variants: &str) -> Result<Pack, String> {
    let mut files = Pack::embedded().expect("embedded").files;
    let text = files.get_mut("pack.toml").unwrap();
    let start = text
        .find("# Sensibilité aux choix de méthode")
        .expect("the cpo pack declares variants");
    text.truncate(start);
    text.push_str(variants);
    Pack::from_files(files, Origin::Embedded).map_err(|e| e.to_string())
}

const VARIANTS: &str = r#"
[[sensitivity.variants]]
name = "alerte"
label = "Entonnoir à 1,96"
findings.funnel_z = 1.96

[[sensitivity.variants]]
name = "meme"
label = "Comme le pack"
findings.funnel_z = 3.09
"#;

fn measured(data: &Dataset, pack: &Pack) -> (Results, Sensitivity) {
    let compiled = CompiledPack::compile(pack).unwrap();
    let mut base = analyse(data, &compiled, &Overrides::default()).unwrap();
    let sens = sensitivity::measure(data, None, &compiled, &base)
        .unwrap()
        .expect("variants declared");
    base.sensitivity = Some(sens.clone());
    (base, sens)
}

fn recommendations(results: &Results) -> BTreeSet<(String, String)> {
    results
        .structures
        .iter()
        .flat_map(|s| {
            s.recommendations
                .iter()
                .map(|r| (s.id.to_string(), r.id.clone()))
        })
        .collect()
}

#[test]
fn a_variant_reports_the_share_of_findings_counted_by_hand_and_an_identical_one_keeps_all() {
    let data = dataset(&rows(40, 7));
    let pack = pack_with(VARIANTS).unwrap();
    let (base, sens) = measured(&data, &pack);
    // The variant's choice written into the manifest, compiled on its own.
    let mut alert = pack.clone();
    alert.manifest.findings.funnel_z = 1.96;
    let alert = analyse(
        &data,
        &CompiledPack::compile(&alert).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    let (before, after) = (
        judgements_with_a_value(&base),
        judgements_with_a_value(&alert),
    );
    let made: Vec<_> = before.iter().filter(|(_, f)| f.is_some()).collect();
    let held = made.iter().filter(|(k, f)| after[*k] == **f).count();
    let unchanged = before.iter().filter(|(k, f)| after[*k] == **f).count();
    let (recs, recs_after) = (recommendations(&base), recommendations(&alert));
    assert!(made.len() > 50, "{} findings", made.len());
    assert!(
        unchanged < before.len(),
        "the funnel at 1,96 must move findings"
    );
    let v = &sens.variants[0];
    assert_eq!(
        (v.name.as_str(), v.label.as_str()),
        ("alerte", "Entonnoir à 1,96")
    );
    assert_eq!(v.changes, ["entonnoir à z = 1,96"]);
    assert_eq!(v.held.judgements, before.len());
    assert_eq!(v.held.unchanged, unchanged);
    assert_eq!(v.held.findings, made.len());
    assert_eq!(v.held.findings_held, held);
    assert_eq!(
        v.held.findings_share(),
        Some(held as f64 / made.len() as f64)
    );
    assert_eq!(v.held.recommendations, recs.len());
    assert_eq!(
        v.held.recommendations_held,
        recs.intersection(&recs_after).count()
    );
    assert_eq!(
        v.held.recommendations_added,
        recs_after.difference(&recs).count()
    );
    // The variant identical to the pack keeps everything.
    let same = &sens.variants[1].held;
    assert_eq!(same.findings_share(), Some(1.0));
    assert_eq!(same.unchanged_share(), Some(1.0));
    assert_eq!(same.recommendations_share(), Some(1.0));
    assert_eq!(same.recommendations_added, 0);
    // So what holds everywhere is what holds under the first.
    assert_eq!(sens.everywhere.findings_held, held);
    assert_eq!(sens.everywhere.unchanged, unchanged);
    // Per judgement: two variants keep it, or one when the funnel at 1,96 moves it.
    for (k, s) in base.structures.iter().enumerate() {
        for (i, ind) in s.indicators.iter().enumerate() {
            let key = (s.id.to_string(), i);
            let expected = before
                .get(&key)
                .map(|f| if after[&key] == *f { 2 } else { 1 });
            let kind = ind.finding.as_ref().map(|f| f.kind);
            assert_eq!(sens.structures[k].held(i, kind), expected, "{key:?}");
        }
    }
}

#[test]
fn bad_variants_are_refused_in_french_naming_the_variant() {
    let head = "\n[[sensitivity.variants]]\nname = \"v\"\nlabel = \"Une variante\"\n";
    let cases = [
        (
            "frames.peer_k = 15\n",
            "variante « v » : clé inconnue « frames.peer_k » ; vouliez-vous dire : frames.peers_k",
        ),
        ("seuil = 2\n", "variante « v » : clé inconnue « seuil »"),
        (
            "findings.funnel_z = -1.0\n",
            "variante « v » : findings.funnel_z : un nombre strictement positif est attendu",
        ),
        (
            "frames.peers_k = 0\n",
            "variante « v » : frames.peers_k : un nombre entier de pairs, au moins 1, est attendu",
        ),
        (
            "frames.peers_k = 2.5\n",
            "frames.peers_k : un nombre entier de pairs",
        ),
        (
            "scoring.normalisation = \"rang\"\n",
            "variante « v » : scoring.normalisation : « percentile », « min_max » ou « z_score » est attendu",
        ),
        (
            "scoring.frame = \"departement\"\n",
            "variante « v » : scoring.frame : « national », « region », « peers » ou « typology » est attendu",
        ),
        (
            "weights.taux_renouvellement = 2.0\n",
            "variante « v » : weights.taux_renouvellement : « taux_renouvellement » n'est pas un indicateur calculé jugé et rattaché à un axe",
        ),
        (
            "weights.taux_acces_emploi = 0\n",
            "weights.taux_acces_emploi : un poids strictement positif est attendu",
        ),
        ("", "variante « v » : elle ne change aucun choix de méthode"),
        (
            "findings.funnel_z = 2.0\n[[sensitivity.variants]]\nname = \"v\"\nlabel = \"Bis\"\nframes.peers_k = 5\n",
            "variante « v » : ce nom est déjà celui d'une autre variante",
        ),
    ];
    for (body, expected) in cases {
        let err = pack_with(&format!("{head}{body}")).expect_err(body);
        assert!(err.contains(expected), "{body}: {err}");
        assert!(err.contains("[[sensitivity.variants]]"), "{body}: {err}");
    }
    let err = pack_with("\n[[sensitivity.variants]]\nname = \"w\"\nfindings.funnel_z = 2.0\n")
        .unwrap_err();
    assert!(err.contains("variante « w » : « label » manque"), "{err}");
    let err = pack_with("\n[[sensitivity.variants]]\nlabel = \"X\"\nfindings.funnel_z = 2.0\n")
        .unwrap_err();
    assert!(err.contains("variante n° 1 : « name » manque"), "{err}");
    // `check` refuses such a pack too (exit 4, the rules' status).
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("regles");
    let pack = pack_with(VARIANTS).unwrap();
    for (path, text) in &pack.files {
        let to = rules.join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let text = if path == "pack.toml" {
            text.replace("findings.funnel_z = 1.96", "findings.funnel_zz = 1.96")
        } else {
            text.clone()
        };
        std::fs::write(to, text).unwrap();
    }
    let out = common::boussole(&["check", "--rules", "regles"], dir.path());
    assert_eq!(out.status.code(), Some(4), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("variante « alerte » : clé inconnue « findings.funnel_zz »"),
        "{}",
        common::stderr(&out)
    );
}

/// The cells of one sheet of a workbook, as calamine reads them.
fn sheet_cells(bytes: &[u8], sheet: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn synthese_shows_the_block_and_the_json_its_fields() {
    let data = dataset(&rows(12, 3));
    let pack = pack_with(VARIANTS).unwrap();
    let (results, sens) = measured(&data, &pack);
    let bytes = boussole::report::annotated::build_workbook(&results, &data, &pack, None)
        .unwrap()
        .save()
        .unwrap();
    let cells = sheet_cells(&bytes, "Synthèse");
    let text = |c: &calamine::Data| c.to_string();
    let at = cells
        .iter()
        .position(|r| r.first().map(text).as_deref() == Some("Sensibilité aux choix de méthode"))
        .expect("the block");
    let header: Vec<String> = cells[at + 1].iter().take(6).map(text).collect();
    assert_eq!(
        header,
        [
            "Variante de méthode",
            "Ce qui change",
            "Constats maintenus",
            "Jugements inchangés",
            "Recommandations maintenues",
            "Recommandations ajoutées"
        ]
    );
    for (k, v) in sens.variants.iter().enumerate() {
        let row = &cells[at + 2 + k];
        assert_eq!(text(&row[0]), v.label);
        assert_eq!(text(&row[1]), v.changes.join(" ; "));
        assert_eq!(row[2].as_f64(), v.held.findings_share());
        assert_eq!(row[3].as_f64(), v.held.unchanged_share());
        assert_eq!(row[4].as_f64(), v.held.recommendations_share());
        assert_eq!(row[5].as_f64(), Some(v.held.recommendations_added as f64));
    }
    let all = &cells[at + 4];
    assert_eq!(text(&all[0]), "Dans toutes les variantes");
    assert_eq!(text(&all[1]), "2 variantes");
    assert_eq!(all[2].as_f64(), sens.everywhere.findings_share());
    assert!(text(&cells[at + 5][0]).starts_with("Lecture : part des constats"));
    // Shares are shown the French way, « 12,5 % ».
    let styles = common::xlsx_part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.0\ %""#), "{styles}");
    // Without the variants' results, no block.
    let mut plain = results.clone();
    plain.sensitivity = None;
    let bytes = boussole::report::annotated::build_workbook(&plain, &data, &pack, None)
        .unwrap()
        .save()
        .unwrap();
    assert!(
        !sheet_cells(&bytes, "Synthèse")
            .iter()
            .flatten()
            .any(|c| text(c).contains("Sensibilité"))
    );

    // The JSON: the summary, and per judgement and recommendation what the variants keep.
    let json: serde_json::Value =
        serde_json::from_slice(&boussole::report::json::results_bytes(&results).unwrap()).unwrap();
    let first = &json["sensitivity"]["variants"][0];
    assert_eq!(first["name"], "alerte");
    assert_eq!(first["label"], "Entonnoir à 1,96");
    assert_eq!(first["findings"], sens.variants[0].held.findings);
    assert_eq!(first["findings_held"], sens.variants[0].held.findings_held);
    assert_eq!(
        first["findings_share"].as_f64(),
        sens.variants[0].held.findings_share()
    );
    assert_eq!(
        json["sensitivity"]["everywhere"]["unchanged"],
        sens.everywhere.unchanged
    );
    let access = results.indicator_index("taux_acces_emploi").unwrap();
    let s0 = &json["structures"][0];
    let kind = results.structures[0].indicators[access]
        .finding
        .as_ref()
        .map(|f| f.kind);
    let ind = &s0["indicators"]["taux_acces_emploi"]["sensitivity"];
    assert_eq!(
        ind["held"].as_u64(),
        sens.structures[0].held(access, kind).map(|n| n as u64)
    );
    assert_eq!(
        ind["variants"]["meme"],
        serde_json::json!(kind.map(|k| k.id()))
    );
    for (j, r) in s0["recommendations"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["variants_held"], sens.structures[0].recommendations[j]);
    }
    let plain = String::from_utf8(boussole::report::json::results_bytes(&plain).unwrap()).unwrap();
    assert!(!plain.contains("sensitivity") && !plain.contains("variants_held"));
}

#[test]
fn run_computes_the_variants_only_with_stability_and_the_same_seed_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    common::sample(&dir.path().join("ml.xlsx"), 60, 4);
    let run = |extra: &[&str], out: &str| {
        let json = format!("{out}.json");
        let xlsx = format!("{out}.xlsx");
        let mut args = vec!["run", "ml.xlsx", "-o", &xlsx, "--json", &json];
        args.extend_from_slice(extra);
        let o = common::boussole(&args, dir.path());
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        (
            std::fs::read(dir.path().join(&xlsx)).unwrap(),
            std::fs::read(dir.path().join(&json)).unwrap(),
        )
    };
    // The cpo pack declares variants; without --stability none is computed.
    let (xlsx, json) = run(&[], "plain");
    let text = String::from_utf8(json).unwrap();
    assert!(!text.contains("\"sensitivity\"") && !text.contains("variants_held"));
    assert!(
        !sheet_cells(&xlsx, "Synthèse")
            .iter()
            .flatten()
            .any(|c| c.to_string().contains("Sensibilité"))
    );
    let (xlsx_a, json_a) = run(&["--stability", "2", "--seed", "5"], "a");
    let (xlsx_b, json_b) = run(&["--stability", "2", "--seed", "5"], "b");
    assert_eq!(json_a, json_b);
    assert_eq!(xlsx_a, xlsx_b);
    let json: serde_json::Value = serde_json::from_slice(&json_a).unwrap();
    let variants = json["sensitivity"]["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "entonnoir_2_58",
            "pairs_15",
            "attendu_1_5",
            "repli_20",
            "scores_z_national"
        ]
    );
    // As docs/pack-cpo.md says: the cpo scripts do not read scores, so the scores' variant
    // keeps every finding and recommendation.
    let scores = &variants[4];
    assert_eq!(scores["findings_share"], 1.0);
    assert_eq!(scores["unchanged_share"], 1.0);
    assert_eq!(scores["recommendations_added"], 0);
    // explain says, finding by finding, how many variants keep it.
    let code = json["structures"][0]["id"].as_str().unwrap();
    let out = common::boussole(
        &[
            "explain",
            "ml.xlsx",
            "--structure",
            code,
            "--stability",
            "1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    assert!(
        text.contains("Sensibilité aux choix de méthode (5 variantes du pack) :")
            && text.contains("sur 5 variantes"),
        "{text}"
    );
    let plain = common::boussole(&["explain", "ml.xlsx", "--structure", code], dir.path());
    assert!(!common::stdout(&plain).contains("Sensibilité"));
    assert!(
        sheet_cells(&xlsx_a, "Synthèse")
            .iter()
            .flatten()
            .any(|c| c.get_string() == Some("Dans toutes les variantes"))
    );
}

#[test]
fn a_weight_variant_names_its_indicator_by_its_label() {
    let pack = Pack::embedded().unwrap();
    let manifest = &pack.manifest;
    let variant = manifest
        .sensitivity
        .variants
        .iter()
        .find(|v| !v.weights.is_empty())
        .expect("the cpo pack declares a variant with a weight");
    let changes = variant.changes_in(manifest);
    assert!(
        changes.contains(&"poids de « Taux d'accès à l'emploi durable » : 1".to_string()),
        "{changes:?}"
    );
    assert!(!changes.iter().any(|c| c.contains("taux_emploi_durable")));
}
