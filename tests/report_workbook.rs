//! The annotated workbook, read back with calamine: sheets and their order, the data copy
//! (every input cell, text never turned into a formula), cached formula results, missing
//! axis scores, charts, reproducible bytes, and Excel-safe sheet names.

use boussole::analysis::results::{
    AxisDef, AxisResult, Expected, Finding, FindingKind, FrameResult, Frames, IndicatorDef,
    IndicatorKind, IndicatorResult, Method, PackStamp, RecommendationResult, RegionResult,
    RegionalPriority, Results, RuleRef, StructureResult, ThresholdUse,
};
use boussole::analysis::stats::Summary;
use boussole::dataset::{
    CellRef, Dataset, Diagnostic, Missing, RawCell, RawValue, SetAside, Severity, SheetCopy,
    Source, StructureId,
};
use boussole::pack::Pack;
use boussole::pack::manifest::{Direction, FrameKind, Normalisation, Unit};
use boussole::report::annotated::{sheet_name, write_workbook};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

fn summary(median: f64) -> Summary {
    Summary {
        n: 4,
        mean: median,
        median,
        q1: median * 0.9,
        q3: median * 1.1,
        min: median * 0.5,
        max: median * 1.5,
        sd: Some(median / 10.0),
    }
}

fn frames(national: f64, region: f64, peers: f64, rank: Option<f64>) -> Frames {
    let mut m = Frames::default();
    m.insert(
        FrameKind::National,
        FrameResult {
            label: "France".into(),
            fallback: None,
            phi: 1.0,
            summary: Some(summary(national).into()),
            rank,
        },
    );
    m.insert(
        FrameKind::Region,
        FrameResult {
            label: "Région".into(),
            fallback: None,
            phi: 1.0,
            summary: Some(summary(region).into()),
            rank,
        },
    );
    m.insert(
        FrameKind::Peers,
        FrameResult {
            label: "3 plus proches voisins".into(),
            fallback: None,
            phi: 1.0,
            summary: Some(summary(peers).into()),
            rank,
        },
    );
    m
}

fn rule(line: usize) -> RuleRef {
    RuleRef {
        script: "constats.rhai".into(),
        line,
        text: "if score >= seuil_force { force(...) }".into(),
    }
}

fn indicator(
    value: Option<f64>,
    score: Option<f64>,
    finding: Option<FindingKind>,
) -> IndicatorResult {
    IndicatorResult {
        value,
        missing: value.is_none().then_some(Missing::Empty),
        cells: vec![CellRef::new("Feuil1", 3, 4), CellRef::new("Feuil1", 3, 5)],
        denominator: Some(120.0),
        frames: frames(0.4, 0.42, 0.38, score),
        expected: Some(Expected {
            value: 0.41,
            residual: value.map(|v| v - 0.41),
            sd: 0.02,
            r2: 0.3,
            n: 4,
        }),
        score,
        finding: finding.map(|kind| Finding {
            kind,
            reason: "nettement au-dessus de la médiane régionale".into(),
            rule: rule(12),
            thresholds: vec![ThresholdUse {
                name: "seuil_force".into(),
                value: 75.0,
                regional: false,
            }],
        }),
        previous: None,
        objective: None,
    }
}

fn count(value: f64) -> IndicatorResult {
    IndicatorResult {
        value: Some(value),
        missing: None,
        cells: vec![CellRef::new("Feuil1", 3, 2)],
        denominator: None,
        frames: frames(300.0, 320.0, 280.0, Some(50.0)),
        expected: None,
        score: None,
        finding: None,
        previous: None,
        objective: None,
    }
}

fn recommendation(id: &str, text: &str) -> RecommendationResult {
    RecommendationResult {
        id: id.into(),
        text: text.into(),
        priority: 1,
        indicators: vec!["taux_emploi".into()],
        rule: RuleRef {
            script: "recommandations.rhai".into(),
            line: 7,
            text: "recommander(...)".into(),
        },
        thresholds: vec![],
    }
}

fn structure(
    code: &str,
    name: &str,
    region: &str,
    emploi: Option<f64>,
    entretiens: f64,
    axes: [Option<f64>; 2],
) -> StructureResult {
    StructureResult {
        id: StructureId::new(code),
        name: name.into(),
        region: region.into(),
        year: Some(2024),
        typology: None,
        indicators: vec![
            indicator(emploi, emploi.map(|v| v * 100.0), None),
            IndicatorResult {
                frames: frames(5.0, 5.5, 4.5, Some(60.0)),
                ..indicator(Some(entretiens), Some(entretiens * 10.0), None)
            },
            count(250.0),
        ],
        axes: vec![
            AxisResult {
                axis: "activite".into(),
                score: axes[0],
                coverage: 1.0,
            },
            AxisResult {
                axis: "resultats".into(),
                score: axes[1],
                coverage: if axes[1].is_some() { 1.0 } else { 0.0 },
            },
        ],
        recommendations: vec![],
        peers: vec![],
        peer_distance: None,
    }
}

fn def(
    id: &str,
    label: &str,
    kind: IndicatorKind,
    unit: Unit,
    direction: Direction,
    axis: Option<&str>,
) -> IndicatorDef {
    IndicatorDef {
        id: id.into(),
        label: label.into(),
        kind,
        context: false,
        unit,
        format: unit.default_format().into(),
        direction,
        axis: axis.map(Into::into),
        weight: 1.0,
        definition: String::new(),
        numerator: None,
        denominator: None,
        factor: 1.0,
        model: None,
    }
}

fn results() -> Results {
    let mut structures = vec![
        structure(
            "01053",
            "ML Bourg-en-Bresse",
            "Auvergne-Rhône-Alpes",
            Some(0.45),
            5.2,
            [Some(62.0), Some(45.0)],
        ),
        structure(
            "38185",
            "ML Grenoble",
            "Auvergne-Rhône-Alpes",
            Some(0.38),
            4.1,
            [Some(41.0), Some(38.0)],
        ),
        structure(
            "35238",
            "ML Rennes",
            "Bretagne",
            Some(0.52),
            6.3,
            [Some(70.0), Some(52.0)],
        ),
        structure(
            "29019",
            "ML Brest",
            "Bretagne",
            None,
            3.9,
            [Some(39.0), None],
        ),
    ];
    structures[0].indicators[0].finding = Some(Finding {
        kind: FindingKind::Force,
        reason: "au-dessus du troisième quartile régional".into(),
        rule: rule(12),
        thresholds: vec![ThresholdUse {
            name: "seuil_force".into(),
            value: 75.0,
            regional: true,
        }],
    });
    structures[2].indicators[1].finding = Some(Finding {
        kind: FindingKind::AxeDeProgres,
        reason: "sous le premier quartile des pairs".into(),
        rule: rule(20),
        thresholds: vec![],
    });
    structures[2].recommendations = vec![recommendation(
        "suivi",
        "Renforcer le suivi des jeunes accompagnés",
    )];
    structures[3].recommendations = vec![recommendation(
        "suivi",
        "Renforcer le suivi des jeunes accompagnés",
    )];
    let priority = RegionalPriority {
        recommendation: "suivi".into(),
        text: "Renforcer le suivi des jeunes accompagnés".into(),
        priority: 1,
        count: 2,
        share: 1.0,
        national: None,
    };
    Results {
        pack: PackStamp {
            name: "cpo".into(),
            version: "2026.1".into(),
            hash: "abc123".into(),
        },
        input: Source {
            file: "national.xlsx".into(),
            path: "/tmp/national.xlsx".into(),
            sha256: "0f".repeat(32),
            modified_unix: Some(1_700_000_000),
        },
        reference: None,
        year: Some(2024),
        method: Method {
            normalisation: Normalisation::Percentile,
            score_frame: FrameKind::Region,
            min_coverage: 2.0 / 3.0,
            peers_k: 3,
            peers_context: vec!["densite".into()],
            regression_context: vec!["taux_chomage".into()],
            funnel_z: 1.96,
            residual_z: 1.0,
            min_frame_n: 5,
            fallback: FrameKind::National,
            tolerance_z: 1.28,
        },
        indicators: vec![
            def(
                "taux_emploi",
                "Taux d'accès à l'emploi",
                IndicatorKind::Derived,
                Unit::Fraction,
                Direction::Higher,
                Some("resultats"),
            ),
            def(
                "entretiens_par_jeune",
                "Entretiens par jeune",
                IndicatorKind::Derived,
                Unit::Ratio,
                Direction::Higher,
                Some("activite"),
            ),
            def(
                "jeunes_accompagnes",
                "Jeunes accompagnés",
                IndicatorKind::Input,
                Unit::Count,
                Direction::Neutral,
                None,
            ),
        ],
        axes: vec![
            AxisDef {
                id: "activite".into(),
                label: "Activité".into(),
            },
            AxisDef {
                id: "resultats".into(),
                label: "Résultats".into(),
            },
        ],
        structures,
        regions: vec![
            RegionResult {
                name: "Auvergne-Rhône-Alpes".into(),
                structures: 2,
                priorities: vec![],
                counts: vec![],
            },
            RegionResult {
                name: "Bretagne".into(),
                structures: 2,
                priorities: vec![priority.clone()],
                counts: vec![priority],
            },
        ],
        set_aside: vec![SetAside {
            sheet: "Feuil1".into(),
            row: 9,
            reason: "ligne de total".into(),
        }],
        diagnostics: vec![Diagnostic {
            severity: Severity::Warning,
            sheet: Some("Feuil1".into()),
            cell: Some("E7".into()),
            message: "cellule vide".into(),
            action: "valeur considérée comme manquante".into(),
        }],
    }
}

const FORMULA_LOOKING: [&str; 4] = ["=HYPERLINK(\"http://x\")", "+SUM(1,2)", "-2+3", "@cmd"];

fn raw(row: u32, col: u32, value: RawValue, format: Option<&str>) -> RawCell {
    RawCell {
        row,
        col,
        value,
        number_format: format.map(Into::into),
    }
}

fn dataset() -> Dataset {
    let mut cells = vec![
        raw(0, 0, RawValue::Text("Indicateurs CPO 2024".into()), None),
        raw(2, 0, RawValue::Text("Code ML".into()), None),
        raw(2, 1, RawValue::Text("Taux".into()), None),
        raw(2, 2, RawValue::Text("Jeunes".into()), None),
        raw(3, 0, RawValue::Text("01053".into()), None),
        raw(3, 1, RawValue::Number(0.45), Some("0.0%")),
        raw(3, 2, RawValue::Number(250.0), None),
        raw(4, 0, RawValue::Bool(true), None),
        raw(4, 1, RawValue::DateTime(45_292.0), Some("dd/mm/yyyy")),
        raw(4, 2, RawValue::Error("#DIV/0!".into()), None),
    ];
    for (k, text) in FORMULA_LOOKING.iter().enumerate() {
        cells.push(raw(6 + k as u32, 1, RawValue::Text((*text).into()), None));
    }
    Dataset {
        source: Source::default(),
        copies: vec![SheetCopy {
            name: "Feuil1".into(),
            cells,
            // A title merged over three columns, an overlapping merge and a single cell:
            // the two last are skipped without failing.
            merged: vec![(0, 0, 0, 2), (0, 1, 1, 1), (5, 5, 5, 5)],
        }],
        ..Dataset::default()
    }
}

fn write() -> Vec<u8> {
    let pack = Pack::embedded().expect("embedded pack");
    write_workbook(&results(), &dataset(), &pack).expect("workbook written")
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("readable xlsx")
}

/// The names of the parts (files) in the xlsx zip.
fn part_names(bytes: Vec<u8>) -> Vec<String> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    zip.file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect()
}

#[test]
fn sheets_come_in_the_documented_order() {
    let wb = open(&write());
    assert_eq!(
        wb.sheet_names(),
        [
            "Synthèse",
            "Fiche",
            "Indicateurs",
            "Axes",
            "Priorités",
            "Radars",
            "Objectifs",
            "Données — Feuil1",
            "Diagnostics",
            "Règles",
            "Listes",
            "Données radars",
        ]
    );
}

#[test]
fn the_data_copy_holds_every_input_cell_and_never_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("annote.xlsx");
    std::fs::write(&path, write()).unwrap();
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let sheet = "Données — Feuil1";
    let range = wb.worksheet_range(sheet).unwrap();
    for cell in &dataset().copies[0].cells {
        let got = range
            .get_value((cell.row, cell.col))
            .cloned()
            .unwrap_or(Data::Empty);
        match &cell.value {
            RawValue::Number(x) => assert_eq!(got, Data::Float(*x), "{cell:?}"),
            RawValue::Text(t) | RawValue::Error(t) => {
                assert_eq!(got, Data::String(t.clone()), "{cell:?}")
            }
            RawValue::Bool(b) => assert_eq!(got, Data::Bool(*b), "{cell:?}"),
            RawValue::DateTime(serial) => match got {
                Data::DateTime(d) => assert_eq!(d.as_f64(), *serial),
                other => panic!("date expected at {cell:?}, got {other:?}"),
            },
        }
    }
    let formulas = wb.worksheet_formula(sheet).unwrap();
    for k in 0..FORMULA_LOOKING.len() {
        let f = formulas
            .get_value((6 + k as u32, 1))
            .cloned()
            .unwrap_or_default();
        assert!(f.is_empty(), "input text became a formula: {f}");
    }
    assert!(formulas.is_empty() || formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn every_fiche_formula_has_a_cached_value() {
    let mut wb = open(&write());
    let formulas = wb.worksheet_formula("Fiche").unwrap();
    let values = wb.worksheet_range("Fiche").unwrap();
    let mut seen = 0;
    let (r0, c0) = formulas.start().unwrap_or((0, 0));
    for (r, c, f) in formulas.used_cells() {
        if f.is_empty() {
            continue;
        }
        let at = (r0 + r as u32, c0 + c as u32);
        let v = values.get_value(at).cloned().unwrap_or(Data::Empty);
        let empty = matches!(&v, Data::Empty) || matches!(&v, Data::String(s) if s.is_empty());
        assert!(!empty, "formula {f} at {at:?} has no cached value");
        seen += 1;
    }
    assert!(seen > 20, "the Fiche is driven by formulas ({seen} found)");
    // The first structure is shown: its value of the first indicator and its strength.
    let b2 = values.get_value((1, 1)).cloned();
    assert_eq!(b2, Some(Data::String("01053 — ML Bourg-en-Bresse".into())));
    assert_eq!(values.get_value((5, 1)).cloned(), Some(Data::Float(0.45)));
    let formula = formulas.get_value((5, 1)).cloned().unwrap_or_default();
    assert!(
        formula.contains("INDEX(") && formula.contains("Indicateurs"),
        "{formula}"
    );
}

#[test]
fn missing_values_stay_empty_and_missing_axes_say_so() {
    let mut wb = open(&write());
    let axes = wb.worksheet_range("Axes").unwrap();
    // Brest is the fourth structure (row 5), Résultats the second axis (column E).
    assert_eq!(
        axes.get_value((4, 0)).cloned(),
        Some(Data::String("29019".into()))
    );
    assert_eq!(
        axes.get_value((4, 4)).cloned(),
        Some(Data::String("données insuffisantes".into()))
    );
    assert_eq!(axes.get_value((4, 3)).cloned(), Some(Data::Float(39.0)));

    let ind = wb.worksheet_range("Indicateurs").unwrap();
    // Brest's Taux d'accès à l'emploi: row 1 + 3 × 3 = 10; value and score are empty.
    assert_eq!(
        ind.get_value((10, 0)).cloned(),
        Some(Data::String("29019".into()))
    );
    assert_eq!(
        ind.get_value((10, 4)).cloned().unwrap_or(Data::Empty),
        Data::Empty
    );
    assert_eq!(
        ind.get_value((10, 17)).cloned().unwrap_or(Data::Empty),
        Data::Empty
    );
    assert_eq!(
        ind.get_value((10, 20)).cloned(),
        Some(Data::String("29019|taux_emploi".into()))
    );
}

#[test]
fn one_chart_per_structure_plus_synthese_and_fiche() {
    let charts = part_names(write())
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .count();
    assert_eq!(charts, 4 + 2);
}

#[test]
fn every_chart_caches_its_values_for_readers_that_do_not_recalculate() {
    // rust_xlsxwriter fills a chart's cache from the cells it holds at the save: a chart
    // must never read a sheet that streams its rows (Indicateurs). The Fiche's radar is the
    // exception: it reads formula cells (it follows the drop-down), whose results
    // rust_xlsxwriter does not cache in charts; Excel and LibreOffice recalculate them.
    let bytes = write();
    let mut checked = 0;
    for name in part_names(bytes.clone())
        .into_iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
    {
        let xml = part(bytes.clone(), &name);
        let values = xml.matches("<c:val>").count();
        let cached = xml.matches("<c:val><c:numRef><c:f>").count();
        assert_eq!(values, cached, "{name}: every series reads a range");
        if xml.contains("<c:f>Fiche!") {
            continue;
        }
        checked += 1;
        for series in xml.split("<c:val>").skip(1) {
            let series = &series[..series.find("</c:val>").unwrap()];
            assert!(
                series.contains("<c:pt "),
                "{name}: a series without cached points: {series}"
            );
        }
    }
    assert_eq!(checked, 4 + 1, "the radars and the Synthèse's chart");
}

#[test]
fn the_same_results_give_the_same_bytes() {
    assert_eq!(write(), write());
}

#[test]
fn no_structure_gives_a_workbook_without_charts() {
    let pack = Pack::embedded().unwrap();
    let mut r = results();
    r.structures.clear();
    r.regions.clear();
    let bytes = write_workbook(&r, &Dataset::default(), &pack).unwrap();
    let wb = open(&bytes);
    assert_eq!(wb.sheet_names().len(), 11);
    let parts = part_names(bytes);
    assert_eq!(
        parts.iter().filter(|n| n.starts_with("xl/charts/")).count(),
        0
    );
}

#[test]
fn sheet_names_are_excel_safe() {
    let mut taken = Vec::new();
    let long = "Données — Éléments régionaux détaillés à é"; // more than 31 characters
    assert!(long.chars().count() >= 40);
    let got = sheet_name(long, &mut taken);
    assert_eq!(got.chars().count(), 31);
    assert!(long.starts_with(&got), "cut by characters: {got}");

    assert_eq!(
        sheet_name("a[b]c:d*e?f/g\\h", &mut taken),
        "a_b_c_d_e_f_g_h"
    );
    assert_eq!(sheet_name("'Feuil'", &mut taken), "Feuil");
    assert_eq!(sheet_name("FEUIL", &mut taken), "FEUIL (2)");
    assert_eq!(sheet_name("feuil", &mut taken), "feuil (3)");
    let again = sheet_name(long, &mut taken);
    assert!(
        again.ends_with(" (2)") && again.chars().count() <= 31,
        "{again}"
    );
}

/// The text of one part of the xlsx zip.
fn part(bytes: Vec<u8>, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn merged_ranges_are_recreated_and_bad_ones_skipped() {
    // The data copy is the eighth sheet (after Objectifs).
    let xml = part(write(), "xl/worksheets/sheet8.xml");
    assert!(xml.contains(r#"<mergeCell ref="A1:C1"/>"#), "{xml}");
    assert_eq!(xml.matches("<mergeCell ").count(), 1);
}

#[test]
fn indicateurs_is_a_filtered_table_with_a_note_per_score() {
    let bytes = write();
    let parts = part_names(bytes.clone());
    assert!(parts.iter().any(|p| p == "xl/tables/table1.xml"));
    let table = part(bytes.clone(), "xl/tables/table1.xml");
    assert!(table.contains("<autoFilter"), "{table}");
    // Notes of Indicateurs (third sheet): one per judged score (4 structures × 2), one
    // on the score header and one on the Évolution header.
    let rels = part(bytes.clone(), "xl/worksheets/_rels/sheet3.xml.rels");
    let comments = rels
        .split("Target=\"../")
        .skip(1)
        .find(|t| t.starts_with("comments"))
        .and_then(|t| t.split('"').next())
        .expect("Indicateurs has notes");
    let xml = part(bytes, &format!("xl/{comments}"));
    assert_eq!(xml.matches("<comment ").count(), 4 * 2 + 2);
    assert!(
        xml.contains("Cellules sources : Feuil1!E4, Feuil1!F4"),
        "{xml}"
    );
    assert!(xml.contains("constats.rhai:12"));
}
