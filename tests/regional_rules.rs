//! Regional rules are Rhai too (issue 17, item 4): a pack's regions script decides each
//! region's priorities from the region's structures, their findings and recommendations,
//! and its national judgements; the default pack's `regions.rhai` writes the built-in rule
//! and gives the same priorities; its errors point at file and line; `check` sees unknown
//! literal ids; `run --stability` resamples what the script decides.

mod common;

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::results::{FindingKind, Results};
use boussole::analysis::stability::{Resampling, measure};
use boussole::dataset::{Dataset, Severity};
use boussole::pack::engine::CompiledPack;
use boussole::pack::lint::lint_pack;
use boussole::pack::{EMBEDDED_CPO, Origin, Pack};
use boussole::sample::{SampleOptions, sample_workbook};
use std::collections::{BTreeMap, BTreeSet};

use common::generated::*;

/// The embedded pack with `regions` (the regions script) replaced: None removes the line,
/// so the built-in rule applies.
fn pack_with_regions(script: Option<&str>) -> Pack {
    let mut files: BTreeMap<String, String> = EMBEDDED_CPO
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    let manifest = files["pack.toml"].clone();
    let line = "regions = \"regions.rhai\"\n";
    assert!(
        manifest.contains(line),
        "the default pack has a regions script"
    );
    let manifest = match script {
        Some(_) => manifest,
        None => manifest.replace(line, ""),
    };
    files.insert("pack.toml".into(), manifest);
    match script {
        Some(text) => {
            files.insert("regions.rhai".into(), text.to_string());
        }
        None => {
            files.remove("regions.rhai");
        }
    }
    Pack::from_files(files, Origin::Embedded).expect("pack loads")
}

fn compile(pack: &Pack) -> CompiledPack {
    CompiledPack::compile(pack).expect("compiles")
}

fn run(data: &Dataset, compiled: &CompiledPack) -> Results {
    analyse(data, compiled, &Overrides::default()).expect("analysis")
}

/// A custom rule over the region's structures' findings: at least 3 structures with an
/// area for progress on access to employment below 15 %.
const CUSTOM: &str = r#"// Au moins 3 missions locales en axe de progrès sur l'accès à l'emploi, sous 15 %.
let n = 0;
for s in structures() {
    if s.constat_de("taux_acces_emploi") == "axe_de_progres" && s.valeur_de("taux_acces_emploi") < 0.15 {
        n += 1;
    }
}
if n >= 3 {
    prioriser("collecte_offres");
}
"#;

/// Per region, the structures the custom rule counts, computed from the results.
fn custom_counts(results: &Results) -> BTreeMap<String, usize> {
    let access = results.indicator_index("taux_acces_emploi").unwrap();
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    for s in &results.structures {
        let ind = &s.indicators[access];
        let counted = ind.finding.as_ref().map(|f| f.kind) == Some(FindingKind::AxeDeProgres)
            && ind.value.is_some_and(|v| v < 0.15);
        *out.entry(s.region.clone()).or_default() += usize::from(counted);
    }
    out
}

fn prioritised<'a>(results: &'a Results, recommendation: &str) -> BTreeSet<&'a str> {
    results
        .regions
        .iter()
        .filter(|r| {
            r.priorities
                .iter()
                .any(|p| p.recommendation == recommendation)
        })
        .map(|r| r.name.as_str())
        .collect()
}

/// Four structures of Bretagne with 5 % access to employment for 1,500 young people.
fn with_weak_bretagne(mut rows: Vec<Row>) -> Vec<Row> {
    for r in rows.iter_mut().filter(|r| r.region == "Bretagne").take(4) {
        r.accompanied = 1500.0;
        r.unemployment = 0.25;
        r.no_diploma = 0.20;
        r.access = 0.05;
    }
    rows
}

#[test]
fn a_custom_regional_rule_on_the_structures_findings_fires_where_it_holds_only() {
    let compiled = compile(&pack_with_regions(Some(CUSTOM)));
    let weak = run(&dataset(&with_weak_bretagne(rows(20, 7))), &compiled);
    let control = run(&dataset(&rows(20, 7)), &compiled);

    let counts = custom_counts(&weak);
    assert!(counts["Bretagne"] >= 3, "{counts:?}");
    for results in [&weak, &control] {
        let expected: BTreeSet<&str> = custom_counts(results)
            .into_iter()
            .filter(|(_, n)| *n >= 3)
            .map(|(r, _)| REGIONS.iter().copied().find(|x| *x == r).unwrap())
            .collect();
        assert_eq!(prioritised(results, "collecte_offres"), expected);
    }
    assert_eq!(
        prioritised(&weak, "collecte_offres"),
        BTreeSet::from(["Bretagne"])
    );
    assert!(prioritised(&control, "collecte_offres").is_empty());
    // The script decides alone: the built-in share rule is not added to it.
    for region in &weak.regions {
        assert!(
            region
                .priorities
                .iter()
                .all(|p| p.recommendation == "collecte_offres"),
            "{}: {:?}",
            region.name,
            region.priorities
        );
    }

    // The priority keeps its data and says which line decided it.
    let bretagne = weak.regions.iter().find(|r| r.name == "Bretagne").unwrap();
    let p = &bretagne.priorities[0];
    let carried = weak
        .structures
        .iter()
        .filter(|s| s.region == "Bretagne")
        .filter(|s| s.recommendations.iter().any(|r| r.id == "collecte_offres"))
        .count();
    assert_eq!(p.count, carried);
    assert!((p.share - carried as f64 / bretagne.structures as f64).abs() < 1e-12);
    let rule = p.rule.as_ref().expect("the rule that decided");
    assert_eq!(&*rule.script, "regions.rhai");
    assert_eq!(rule.line, 9);
    assert_eq!(&*rule.text, "prioriser(\"collecte_offres\");");
    // `explain` of a structure of the region says it too.
    let s = weak
        .structures
        .iter()
        .find(|s| s.region == "Bretagne")
        .unwrap();
    let text = boussole::analysis::trace::explain(&weak, s, None);
    assert!(
        text.contains(&format!(
            "\nPriorités régionales (Bretagne) :\n  [priorité 3] {} ({carried} sur {} structures, ",
            p.text, bretagne.structures
        )) && text
            .contains("    règle : regions.rhai, ligne 9 : prioriser(\"collecte_offres\");\n"),
        "{text}"
    );
}

/// The built-in rule, recomputed here from the structures' recommendations: the share and
/// count reached, the region's own share where the pack gives one.
fn by_share(results: &Results, pack: &Pack) -> BTreeMap<String, BTreeSet<String>> {
    let rules = &pack.manifest.regional_priorities;
    let mut out = BTreeMap::new();
    for region in &results.regions {
        let members: Vec<_> = results
            .structures
            .iter()
            .filter(|s| s.region == region.name)
            .collect();
        let chosen = pack
            .manifest
            .recommendations
            .iter()
            .filter(|r| {
                let n = members
                    .iter()
                    .filter(|s| s.recommendations.iter().any(|x| x.id == r.id))
                    .count();
                n >= rules.min_count
                    && n as f64 / members.len() as f64 >= rules.share_for(&region.name)
            })
            .map(|r| r.id.clone())
            .collect();
        out.insert(region.name.clone(), chosen);
    }
    out
}

#[test]
fn the_default_pack_gives_the_built_in_rule_s_priorities_through_its_script() {
    let scripted = Pack::embedded().unwrap();
    let built_in = pack_with_regions(None);
    let (with_script, without) = (compile(&scripted), compile(&built_in));
    assert!(with_script.has_regions_script() && !without.has_regions_script());

    let bytes = sample_workbook(&SampleOptions::default()).expect("sample");
    let sample =
        boussole::workbook::read_bytes_for(&bytes, "exemple.xlsx", &scripted.manifest).unwrap();
    let mut depressed_rows = rows(25, 5);
    for r in depressed_rows.iter_mut().filter(|r| r.region == "Bretagne") {
        r.access *= 0.6;
    }
    for data in [sample, dataset(&depressed_rows)] {
        let a = run(&data, &with_script);
        let b = run(&data, &without);
        assert_eq!(a.regions.len(), b.regions.len());
        let share_rule = by_share(&a, &scripted);
        for (x, y) in a.regions.iter().zip(&b.regions) {
            assert_eq!(x.counts, y.counts, "{}", x.name);
            assert_eq!(x.priorities.len(), y.priorities.len(), "{}", x.name);
            for (p, q) in x.priorities.iter().zip(&y.priorities) {
                let rule = p.rule.as_ref().expect("decided by regions.rhai");
                assert_eq!(&*rule.script, "regions.rhai");
                assert!(rule.text.starts_with("prioriser(id)"), "{rule:?}");
                assert!(q.rule.is_none());
                let mut p = p.clone();
                p.rule = None;
                assert_eq!(&p, q, "{}", x.name);
            }
            // Every priority reaches the share and the count, or rests on the national
            // frame; every recommendation reaching them is a priority.
            let chosen: BTreeSet<String> = x
                .priorities
                .iter()
                .map(|p| p.recommendation.clone())
                .collect();
            assert!(chosen.is_superset(&share_rule[&x.name]), "{}", x.name);
            for p in &x.priorities {
                assert!(
                    share_rule[&x.name].contains(&p.recommendation) || p.national.is_some(),
                    "{}: {p:?}",
                    x.name
                );
            }
        }
        assert!(
            a.regions.iter().any(|r| !r.priorities.is_empty()),
            "some region has a priority"
        );
    }
}

fn analysis_error(script: &str) -> String {
    let compiled = compile(&pack_with_regions(Some(script)));
    let err = analyse(&dataset(&rows(6, 3)), &compiled, &Overrides::default())
        .expect_err("the script fails");
    err.to_string()
}

#[test]
fn an_error_of_the_regions_script_is_french_with_file_and_line() {
    let message = analysis_error("// Une faute de frappe.\nprioriser(\"acces_emploie\");\n");
    assert!(
        message.contains("regions.rhai, ligne 2")
            && message.contains("recommandation inconnue « acces_emploie »")
            && message.contains("acces_emploi")
            && message.contains("pendant l'évaluation : région Bourgogne-Franche-Comté"),
        "{message}"
    );
    let message = analysis_error("let j = jugement_national(\"taux_acces_emplo\");\n");
    assert!(
        message.contains("regions.rhai, ligne 1")
            && message.contains("indicateur inconnu « taux_acces_emplo »"),
        "{message}"
    );
    let message = analysis_error("\n\nrecommander(\"acces_emploi\");\n");
    assert!(
        message.contains("regions.rhai, ligne 3") && message.contains("prioriser(\"id\")"),
        "{message}"
    );
    // Indicators are not variables of the regions script: refused at compilation.
    let err = CompiledPack::compile(&pack_with_regions(Some(
        "if taux_acces_emploi.valeur < 0.2 { prioriser(\"acces_emploi\"); }\n",
    )))
    .expect_err("unknown variable");
    let message = boussole::error::Error::from(err).to_string();
    assert!(
        message.contains("regions.rhai, ligne 1")
            && message.contains("variable ou indicateur inconnu « taux_acces_emploi »"),
        "{message}"
    );
}

#[test]
fn the_region_s_functions_are_an_error_in_the_structures_scripts() {
    let mut files: BTreeMap<String, String> = EMBEDDED_CPO
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    files.insert(
        "recommandations.rhai".into(),
        "if part_avec(\"acces_emploi\") > 0.5 { recommander(\"acces_emploi\"); }\n".into(),
    );
    let compiled = compile(&Pack::from_files(files, Origin::Embedded).unwrap());
    let message = analyse(&dataset(&rows(6, 3)), &compiled, &Overrides::default())
        .expect_err("fails")
        .to_string();
    assert!(
        message.contains("recommandations.rhai, ligne 1")
            && message.contains("part_avec() ne sert que dans le script des régions"),
        "{message}"
    );
}

#[test]
fn check_reports_unknown_literal_ids_of_the_regions_script() {
    let pack = pack_with_regions(Some(
        "if part_avec(\"acces_emploie\") > 0.5 {\n    prioriser(\"collecte_offre\");\n}\nlet j = jugement_national(\"taux_acces_emplo\");\n",
    ));
    let lints: Vec<_> = lint_pack(&pack)
        .into_iter()
        .filter(|l| l.place.starts_with("regions.rhai"))
        .map(|l| (l.severity, l.place, l.message))
        .collect();
    assert_eq!(
        lints,
        vec![
            (
                Severity::Error,
                "regions.rhai:2:5".to_string(),
                "recommandation inconnue « collecte_offre » ; vouliez-vous dire : collecte_offres ?".to_string()
            ),
            (
                Severity::Error,
                "regions.rhai:1:4".to_string(),
                "recommandation inconnue « acces_emploie » ; vouliez-vous dire : acces_emploi, acces_formation ?".to_string()
            ),
            (
                Severity::Error,
                "regions.rhai:4:9".to_string(),
                "indicateur inconnu « taux_acces_emplo » ; vouliez-vous dire : taux_acces_emploi, taux_chomage_jeunes, taux_emploi_durable ?".to_string()
            ),
        ]
    );
    // The default pack's script, written with variables, is clean.
    assert!(
        lint_pack(&Pack::embedded().unwrap())
            .iter()
            .all(|l| !l.place.starts_with("regions.rhai")),
    );
}

#[test]
fn stability_resamples_the_priorities_the_script_decides() {
    // A priority no structure of the region carries, which the built-in rule could never
    // give: its stability is 1 only if every draw runs the script again.
    let data = dataset(&rows(12, 4));
    let base = run(&data, &compile(&pack_with_regions(None)));
    let bretagne = base.regions.iter().find(|r| r.name == "Bretagne").unwrap();
    let pack = Pack::embedded().unwrap();
    let absent = pack
        .manifest
        .recommendations
        .iter()
        .map(|r| r.id.as_str())
        .find(|id| !bretagne.counts.iter().any(|c| c.recommendation == *id))
        .expect("a recommendation Bretagne does not carry");
    let compiled = compile(&pack_with_regions(Some(&format!(
        "if nom_de_la_region() == \"Bretagne\" {{\n    prioriser(\"{absent}\");\n}}\n"
    ))));
    let results = run(&data, &compiled);
    let stability = measure(
        &data,
        None,
        &compiled,
        &results,
        Resampling {
            resamples: 8,
            seed: 3,
        },
    )
    .expect("resampling");
    let g = results
        .regions
        .iter()
        .position(|r| r.name == "Bretagne")
        .unwrap();
    let bretagne = &results.regions[g];
    assert_eq!(bretagne.priorities.len(), 1);
    assert_eq!(bretagne.priorities[0].recommendation, absent);
    assert_eq!(bretagne.priorities[0].count, 0);
    assert_eq!(stability.priorities[g], vec![1.0]);
    for (k, region) in results.regions.iter().enumerate() {
        if k != g {
            assert!(region.priorities.is_empty(), "{}", region.name);
            assert!(stability.priorities[k].is_empty());
        }
    }
}

#[test]
fn the_out_of_reach_share_lint_speaks_of_the_script_that_reads_it() {
    let with_share = |script: Option<&str>| {
        let mut pack = match script {
            Some(text) => pack_with_regions(Some(text)),
            None => Pack::embedded().unwrap(),
        };
        pack.manifest.regional_priorities.min_share = 0.30;
        lint_pack(&pack)
            .into_iter()
            .filter(|l| l.place == "pack.toml, [regional_priorities] min_share")
            .map(|l| l.message)
            .collect::<Vec<_>>()
    };
    let default = with_share(None);
    assert_eq!(default.len(), 1, "{default:?}");
    assert!(
        default[0].contains("par une règle de regions.rhai qui compare sa part à part_minimale()")
            && default[0].contains("seulement par les autres règles de regions.rhai"),
        "{}",
        default[0]
    );
    // A script that never reads the share: the share cannot mislead, no lint.
    assert!(with_share(Some("prioriser(\"acces_emploi\");\n")).is_empty());
}
