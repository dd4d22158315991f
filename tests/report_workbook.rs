//! The annotated workbook, read back with calamine: sheets and their order, the data copy
//! (every input cell, text never turned into a formula), cached formula results, missing
//! axis scores, charts, reproducible bytes, and Excel-safe sheet names.

use boussole::analysis::results::{
    AxisDef, AxisResult, Expected, Finding, FindingKind, FrameInfo, FrameResult, Frames,
    IndicatorDef, IndicatorKind, IndicatorResult, Method, PackStamp, RecommendationResult,
    RegionResult, RegionalPriority, Results, RuleRef, StructureResult, ThresholdUse,
};
use boussole::analysis::stats::Summary;
use boussole::dataset::{
    CellRef, ColumnMatch, Dataset, Diagnostic, Missing, RawCell, RawValue, SetAside, Severity,
    SheetCopy, Source, StructureId,
};
use boussole::pack::Pack;
use boussole::pack::manifest::{Direction, FrameKind, Normalisation, Unit};
use boussole::report::annotated::{Audience, sheet_name, write_workbook, write_workbook_for};
use calamine::{Data, DataType, Reader, Xlsx};
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
        FrameResult::new(
            FrameInfo {
                label: "France".into(),
                fallback: None,
                phi: 1.0,
                summary: Some(summary(national)),
            }
            .into(),
            rank,
        ),
    );
    m.insert(
        FrameKind::Region,
        FrameResult::new(
            FrameInfo {
                label: "Région".into(),
                fallback: None,
                phi: 1.0,
                summary: Some(summary(region)),
            }
            .into(),
            rank,
        ),
    );
    m.insert(
        FrameKind::Peers,
        FrameResult::new(
            FrameInfo {
                label: "3 plus proches voisins".into(),
                fallback: None,
                phi: 1.0,
                summary: Some(summary(peers)),
            }
            .into(),
            rank,
        ),
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
        missing: value.is_none().then(|| Box::new(Missing::Empty)),
        cells: vec![CellRef::new("Feuil1", 3, 4), CellRef::new("Feuil1", 3, 5)],
        denominator: Some(120.0),
        frames: frames(0.4, 0.42, 0.38, score),
        expected: Some(Box::new(Expected {
            value: 0.41,
            residual: value.map(|v| v - 0.41),
            sd: 0.02,
            r2: 0.3,
            n: 4,
            context_change: None,
        })),
        score,
        finding: finding.map(|kind| {
            Box::new(Finding {
                kind,
                reason: "nettement au-dessus de la médiane régionale".into(),
                rule: rule(12),
                thresholds: vec![ThresholdUse {
                    name: "seuil_force".into(),
                    value: 75.0,
                    regional: false,
                }],
            })
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
    structures[0].indicators[0].finding = Some(Box::new(Finding {
        kind: FindingKind::Force,
        reason: "au-dessus du troisième quartile régional".into(),
        rule: rule(12),
        thresholds: vec![ThresholdUse {
            name: "seuil_force".into(),
            value: 75.0,
            regional: true,
        }],
    }));
    structures[2].indicators[1].finding = Some(Box::new(Finding {
        kind: FindingKind::AxeDeProgres,
        reason: "sous le premier quartile des pairs".into(),
        rule: rule(20),
        thresholds: vec![],
    }));
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
        rule: None,
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
        stability: None,
        region: None,
        sensitivity: None,
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

/// The fixture's workbook with a regional file's content (radars per structure, notes):
/// its structures span two regions, which alone would make it a national one.
fn write() -> Vec<u8> {
    write_regional(&results())
}

fn write_regional(r: &Results) -> Vec<u8> {
    let pack = Pack::embedded().expect("embedded pack");
    write_workbook_for(r, &dataset(), &pack, None, Audience::Regional).expect("workbook written")
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
            "Référentiels",
            "Axes",
            "Priorités",
            "Radars",
            "Entonnoirs",
            "Objectifs",
            "Données — Feuil1",
            "Diagnostics",
            "Règles",
        ]
    );
    // A national workbook has no Radars sheet; the others keep their order.
    let national = write_workbook_for(
        &results(),
        &dataset(),
        &Pack::embedded().unwrap(),
        None,
        Audience::National,
    )
    .unwrap();
    let mut regional_names = wb.sheet_names();
    regional_names.retain(|n| n != "Radars");
    assert_eq!(open(&national).sheet_names(), regional_names);
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
        ind.get_value((10, 11)).cloned().unwrap_or(Data::Empty),
        Data::Empty
    );
    assert_eq!(
        ind.get_value((10, 14)).cloned(),
        Some(Data::String("29019|taux_emploi".into()))
    );
}

#[test]
fn one_chart_per_structure_plus_synthese_and_fiche() {
    let charts = part_names(write())
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .count();
    assert_eq!(charts, 4 + 2 + 1, "radars, the Synthèse's two, the Fiche's");
}

#[test]
fn each_radar_reads_its_own_structures_data_below_the_printed_charts() {
    let r = results();
    let bytes = write();
    let mut wb = open(&bytes);
    let radars = wb.worksheet_range("Radars").unwrap();
    // The print area ends above the data (the charts' pages only).
    let book = part(bytes.clone(), "xl/workbook.xml");
    let area = book
        .split("<definedName ")
        .find(|d| d.contains("Print_Area") && d.contains(">Radars!"))
        .expect("Radars' print area");
    let printed_last: u32 = area
        .rsplit('$')
        .next()
        .and_then(|n| n.split('<').next())
        .and_then(|n| n.parse().ok())
        .expect("the print area's last row");
    let a1_row = |cell: &str| -> u32 {
        cell.trim_start_matches('$')
            .split('$')
            .nth(1)
            .and_then(|n| n.parse::<u32>().ok())
            .expect("an absolute reference")
            - 1
    };
    let mut seen = 0;
    for name in part_names(bytes.clone())
        .into_iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
    {
        let xml = part(bytes.clone(), &name);
        let Some(st) = r
            .structures
            .iter()
            .find(|st| xml.contains(&format!("<a:t>{} — {}</a:t>", st.id.as_str(), st.name)))
        else {
            continue;
        };
        seen += 1;
        let refs: Vec<&str> = xml
            .split("<c:f>")
            .skip(1)
            .map(|f| &f[..f.find("</c:f>").unwrap()])
            .collect();
        assert_eq!(
            refs.len(),
            3 * 2,
            "{name}: three series, categories and values"
        );
        for f in &refs {
            let (sheet, range) = f.split_once('!').unwrap();
            assert_eq!(sheet, "Radars", "{name}: reads its own sheet");
            let (first, _) = range.split_once(':').unwrap();
            let row = a1_row(first);
            assert!(
                row > printed_last,
                "{name}: data below the printed charts ({f})"
            );
            // The block's first row names the structure the chart is titled with.
            assert_eq!(
                radars.get_value((row - 2, 0)).and_then(|d| d.get_string()),
                Some(format!("{} — {}", st.id.as_str(), st.name).as_str()),
                "{name}: {f}"
            );
        }
        // The structure series' cached values are the cells it reads.
        let values = &refs[1];
        let (_, range) = values.split_once('!').unwrap();
        let first = a1_row(range.split_once(':').unwrap().0);
        let series = &xml[xml.find("<c:val>").unwrap()..xml.find("</c:val>").unwrap()];
        for (k, pt) in series.split("<c:pt idx=\"").skip(1).enumerate() {
            let idx: u32 = pt[..pt.find('"').unwrap()].parse().unwrap();
            let v: f64 = pt[pt.find("<c:v>").unwrap() + 5..pt.find("</c:v>").unwrap()]
                .parse()
                .unwrap();
            let cell = radars.get_value((first + idx, 0)).and_then(|d| d.as_f64());
            assert_eq!(cell, Some(v), "{name}: point {k}");
        }
    }
    assert_eq!(seen, r.structures.len(), "one radar per structure");
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
    assert_eq!(checked, 4 + 2, "the radars and the Synthèse's charts");
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
    // The data copy is the tenth sheet (after Objectifs).
    let xml = part(write(), "xl/worksheets/sheet10.xml");
    assert!(xml.contains(r#"<mergeCell ref="A1:C1"/>"#), "{xml}");
    assert_eq!(xml.matches("<mergeCell ").count(), 1);
}

#[test]
fn indicateurs_is_a_filtered_table_with_a_note_per_finding() {
    let bytes = write();
    let parts = part_names(bytes.clone());
    assert!(parts.iter().any(|p| p == "xl/tables/table1.xml"));
    let table = part(bytes.clone(), "xl/tables/table1.xml");
    assert!(table.contains("<autoFilter"), "{table}");
    // Notes of Indicateurs (third sheet): one per score with a finding, one on the score
    // header, one on the peers' median and one on the Évolution header.
    let rels = part(bytes.clone(), "xl/worksheets/_rels/sheet3.xml.rels");
    let comments = rels
        .split("Target=\"../")
        .skip(1)
        .find(|t| t.starts_with("comments"))
        .and_then(|t| t.split('"').next())
        .expect("Indicateurs has notes");
    let xml = part(bytes, &format!("xl/{comments}"));
    let findings: usize = results()
        .structures
        .iter()
        .map(|s| s.indicators.iter().filter(|i| i.finding.is_some()).count())
        .sum();
    assert!(findings > 0);
    assert_eq!(xml.matches("<comment ").count(), findings + 3);
    assert!(
        xml.contains("Cellules sources : Feuil1!E4, Feuil1!F4"),
        "{xml}"
    );
    assert!(xml.contains("constats.rhai:12"));
}

/// The xml part a sheet's relationship points at (`drawing`, `comments`...), by sheet
/// position (1-based).
fn related(bytes: &[u8], sheet: usize, kind: &str) -> Option<String> {
    let parts = part_names(bytes.to_vec());
    let rels = format!("xl/worksheets/_rels/sheet{sheet}.xml.rels");
    if !parts.contains(&rels) {
        return None;
    }
    part(bytes.to_vec(), &rels)
        .split("Target=\"../")
        .skip(1)
        .find(|t| t.starts_with(kind))
        .and_then(|t| t.split('"').next())
        .map(|t| format!("xl/{t}"))
}

/// A chart's anchor: its part, its first cell (col, row), its last (col, row, row offset).
type Anchor = (String, (u32, u32), (u32, u32, u64));

/// The charts a drawing anchors.
fn anchors(bytes: &[u8], drawing: &str) -> Vec<Anchor> {
    let xml = part(bytes.to_vec(), drawing);
    let rels_name = drawing.replace("drawings/", "drawings/_rels/") + ".rels";
    let rels = part(bytes.to_vec(), &rels_name);
    let target = |id: &str| {
        let at = rels
            .find(&format!("Id=\"{id}\""))
            .expect("chart relationship");
        let rel = &rels[rels[..at].rfind('<').unwrap()..];
        let t = rel.split("Target=\"../").nth(1).unwrap();
        format!("xl/{}", t.split('"').next().unwrap())
    };
    let num = |s: &str, tag: &str| -> u64 {
        let open = format!("<xdr:{tag}>");
        let at = s.find(&open).unwrap() + open.len();
        s[at..s[at..].find('<').unwrap() + at].parse().unwrap()
    };
    xml.split("<xdr:twoCellAnchor")
        .skip(1)
        .map(|a| {
            let from = &a[a.find("<xdr:from>").unwrap()..a.find("</xdr:from>").unwrap()];
            let to = &a[a.find("<xdr:to>").unwrap()..a.find("</xdr:to>").unwrap()];
            let id = a
                .split("r:id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (
                target(id),
                (num(from, "col") as u32, num(from, "row") as u32),
                (
                    num(to, "col") as u32,
                    num(to, "row") as u32,
                    num(to, "rowOff"),
                ),
            )
        })
        .collect()
}

/// The values cached in a chart's series, series by series.
fn cached_series(xml: &str) -> Vec<Vec<f64>> {
    xml.split("<c:val>")
        .skip(1)
        .map(|v| {
            let v = &v[..v.find("</c:val>").unwrap()];
            v.split("<c:v>")
                .skip(1)
                .filter_map(|x| x.split("</c:v>").next()?.parse().ok())
                .collect()
        })
        .collect()
}

/// The per-structure Fiche holds its radar: three series (structure, regional median,
/// peers' median) read from visible cells (charts skip hidden ones) with cached values.
#[test]
fn the_per_structure_fiche_has_a_radar_of_three_visible_series() {
    let pack = Pack::embedded().unwrap();
    let r = results();
    let bytes =
        boussole::report::per_structure::structure_workbook(&r, &pack, &r.structures[0]).unwrap();
    let drawing = related(&bytes, 1, "drawings/").expect("the Fiche has a drawing");
    let charts = anchors(&bytes, &drawing);
    assert_eq!(charts.len(), 1, "one radar");
    let chart = part(bytes.clone(), &charts[0].0);
    assert!(chart.contains("<c:radarChart>"), "{chart}");
    assert_eq!(chart.matches("<c:ser>").count(), 3);
    for name in ["Structure", "Médiane régionale", "Médiane des pairs"] {
        assert!(chart.contains(&format!("<c:v>{name}</c:v>")) || chart.contains(name));
    }
    let series = cached_series(&chart);
    assert_eq!(series.len(), 3);
    // Two judged indicators; on the radar scale (100 = national median): the structure's
    // employment rate 0.45 against a national 0.4, the regional 0.42, the peers' 0.38.
    assert_eq!(series[0].len(), 2);
    assert!((series[0][0] - 112.5).abs() < 1e-9, "{series:?}");
    assert!((series[1][0] - 105.0).abs() < 1e-9, "{series:?}");
    assert!((series[2][0] - 95.0).abs() < 1e-9, "{series:?}");
    // The ranges' columns and rows are visible.
    let sheet = part(bytes.clone(), "xl/worksheets/sheet1.xml");
    assert!(
        !sheet.contains("hidden=\"1\""),
        "nothing hidden on the Fiche"
    );
    for f in chart.split("<c:val><c:numRef><c:f>").skip(1) {
        let f = f.split("</c:f>").next().unwrap();
        assert!(f.starts_with("Fiche!$"), "{f}");
    }
}

/// Synthèse: per region the shares of strengths, areas for progress and points to watch
/// among judged results with a score (no more mean percentile ranks, about 50 everywhere),
/// charted with those values cached.
#[test]
fn the_synthese_charts_the_findings_per_region_and_per_indicator() {
    let bytes = write();
    let mut wb = open(&bytes);
    let r = wb.worksheet_range("Synthèse").unwrap();
    let find = |text: &str| {
        r.rows()
            .position(|row| row.first() == Some(&Data::String(text.into())))
            .unwrap_or_else(|| panic!("a row starting with « {text} »"))
    };
    let by_region = (0..r.height())
        .find(|&k| r.get((k, 2)) == Some(&Data::String("Résultats jugés".into())))
        .expect("the findings-by-region table");
    let value = |row: usize, col: usize| match r.get((row, col)) {
        Some(Data::Float(x)) => *x,
        other => panic!("row {row} col {col}: {other:?}"),
    };
    // Auvergne-Rhône-Alpes: 4 judged results with a score, one strength.
    assert_eq!(
        r.get((by_region + 1, 0)),
        Some(&Data::String("Auvergne-Rhône-Alpes".into()))
    );
    assert_eq!(value(by_region + 1, 2), 4.0);
    assert_eq!(value(by_region + 1, 3), 0.25);
    assert_eq!(value(by_region + 1, 4), 0.0);
    // Bretagne: 3 (Brest has no employment rate), one area for progress.
    assert_eq!(value(by_region + 2, 2), 3.0);
    assert_eq!(value(by_region + 2, 3), 0.0);
    assert!((value(by_region + 2, 4) - 1.0 / 3.0).abs() < 1e-12);
    // Per indicator: structures with a score, strengths, areas for progress.
    let by_indicator = find("Indicateur");
    assert_eq!(
        r.get((by_indicator + 1, 0)),
        Some(&Data::String("Taux d'accès à l'emploi".into()))
    );
    assert_eq!(value(by_indicator + 1, 2), 3.0);
    assert_eq!(value(by_indicator + 1, 3), 1.0);
    assert_eq!(value(by_indicator + 2, 2), 4.0);
    assert_eq!(value(by_indicator + 2, 4), 1.0);
    // The Synthèse's charts: stacked bars of the three kinds, values cached.
    let drawing = related(&bytes, 1, "drawings/").expect("the Synthèse has charts");
    let charts = anchors(&bytes, &drawing);
    assert_eq!(charts.len(), 2);
    let regions = part(bytes.clone(), &charts[0].0);
    assert!(regions.contains("<c:barChart>") && regions.contains("stacked"));
    assert!(!regions.contains("Score moyen"));
    let series = cached_series(&regions);
    assert_eq!(
        series.len(),
        3,
        "forces, areas for progress, points to watch"
    );
    assert_eq!(series[0], vec![0.25, 0.0]);
    assert!((series[1][1] - 1.0 / 3.0).abs() < 1e-12, "{series:?}");
    // No chart of the Synthèse sits across a manual page break.
    let sheet = part(bytes.clone(), "xl/worksheets/sheet1.xml");
    let breaks = row_breaks(&sheet);
    assert_eq!(breaks.len(), 2, "a page for each findings block");
    for (name, from, to) in &charts {
        assert!(
            breaks.iter().all(|&b| !crosses(b, from.1, to)),
            "{name} crosses a page break: {from:?} {to:?} {breaks:?}"
        );
    }
}

/// The 0-based rows before which a manual page break stands.
fn row_breaks(sheet_xml: &str) -> Vec<u32> {
    let Some(at) = sheet_xml.find("<rowBreaks") else {
        return vec![];
    };
    let end = sheet_xml[at..].find("</rowBreaks>").unwrap() + at;
    sheet_xml[at..end]
        .split("<brk id=\"")
        .skip(1)
        .map(|b| b.split('"').next().unwrap().parse().unwrap())
        .collect()
}

/// Does a page break before row `b` cut a chart from `first` to `to`?
fn crosses(b: u32, first: u32, to: &(u32, u32, u64)) -> bool {
    let last = if to.2 > 0 {
        to.1
    } else {
        to.1.saturating_sub(1)
    };
    first < b && b <= last
}

/// Radars: two per row, four per A4 landscape page; no chart crosses a page break or
/// passes the printed columns, and every page is short enough for the page at full scale.
#[test]
fn radars_are_laid_out_for_a4_landscape_pages() {
    let mut r = results();
    // Nine structures in Bretagne: three pages there.
    for k in 0..7 {
        let mut s = r.structures[2].clone();
        s.id = StructureId::new(format!("2900{k}"));
        s.name = format!("ML numéro {k}");
        r.structures.push(s);
    }
    let bytes = write_regional(&r);
    let sheet = part(bytes.clone(), "xl/worksheets/sheet7.xml");
    assert!(sheet.contains("orientation=\"landscape\""), "landscape");
    assert!(sheet.contains("paperSize=\"9\""), "A4");
    assert!(sheet.contains("fitToWidth=\"1\"") || !sheet.contains("fitToWidth"));
    let workbook = part(bytes.clone(), "xl/workbook.xml");
    assert!(
        workbook.contains("Radars!$A$1:$P$"),
        "print area A:P: {workbook}"
    );
    let breaks = row_breaks(&sheet);
    let drawing = related(&bytes, 7, "drawings/").expect("Radars has charts");
    let charts = anchors(&bytes, &drawing);
    assert_eq!(charts.len(), 11);
    // Auvergne-Rhône-Alpes (2) on one page, Bretagne (9) on three.
    assert_eq!(breaks.len(), 3, "{breaks:?}");
    let mut pages = vec![0usize; breaks.len() + 1];
    for (name, from, to) in &charts {
        assert!(to.0 <= 15, "{name} passes column P: {to:?}");
        for &b in &breaks {
            assert!(!crosses(b, from.1, to), "{name} crosses the break at {b}");
        }
        pages[breaks.iter().filter(|&&b| b <= from.1).count()] += 1;
    }
    assert_eq!(pages, vec![2, 4, 4, 1]);
    // A page's rows (15 points each, a title row of 18) fit A4 landscape's printable
    // height (8.27 in less 0.6 in of margins: 547 points) at full scale.
    let mut edges = vec![0];
    edges.extend(&breaks);
    let last_row = charts.iter().map(|c| c.2.1).max().unwrap();
    edges.push(last_row + 1);
    for w in edges.windows(2) {
        let rows = w[1] - w[0];
        assert!(rows as f64 * 15.0 + 3.0 <= 547.0, "{rows} rows on a page");
    }
}

/// Priorités: a row holding a wrapped recommendation is as tall as its lines.
#[test]
fn priorites_rows_are_as_tall_as_their_wrapped_texts() {
    let mut r = results();
    let long = "Renforcer le suivi des jeunes accompagnés, ".repeat(6);
    r.structures[2].recommendations[0].text = long.clone();
    let pack = Pack::embedded().unwrap();
    let bytes = write_workbook(&r, &dataset(), &pack).unwrap();
    let mut wb = open(&bytes);
    let p = wb.worksheet_range("Priorités").unwrap();
    assert_eq!(p.get((3, 0)), Some(&Data::String("35238".into())));
    assert_eq!(p.get((3, 5)), Some(&Data::String(long.clone())));
    let sheet = part(bytes, "xl/worksheets/sheet6.xml");
    // Rennes (35238) is the third structure: its recommendation is on row 4 (1-based).
    let row = sheet
        .split("<row ")
        .find(|x| x.starts_with("r=\"4\""))
        .expect("row 4");

    let height: f64 = row
        .split("ht=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .expect("a set height")
        .parse()
        .unwrap();
    // 258 characters in a column 60 wide: at least five lines of 15 points.
    assert!(long.chars().count() >= 250);
    assert!(height >= 75.0, "height {height}");
}

/// Number formats show rates the French way (`12,5 %`: a space before %), counts grouped
/// (`1 234`); a rate's change is in points; a ratio shown in % reads « pourcentage ».
#[test]
fn rates_show_a_space_before_percent_and_changes_in_points() {
    let mut r = results();
    // A coverage-like rate: computed as a ratio, shown in %.
    r.indicators[0].unit = Unit::Ratio;
    r.indicators[0].format = "0.0%".into();
    r.structures[0].indicators[0].previous = Some(0.40);
    let pack = Pack::embedded().unwrap();
    let bytes = write_workbook(&r, &dataset(), &pack).unwrap();
    let styles = part(bytes.clone(), "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.0\ %""#), "{styles}");
    assert!(styles.contains(r#"formatCode="0\ %""#), "{styles}");
    assert!(styles.contains(r##"formatCode="#,##0""##), "{styles}");
    assert!(
        styles.contains(r#"formatCode="+0.0&quot; pts&quot;"#),
        "{styles}"
    );
    assert!(!styles.contains(r#""0%""#), "{styles}");
    // The data copy keeps the input's own format (`0.0%` in Feuil1!B4), as it is.
    assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
    let mut wb = open(&bytes);
    let ind = wb.worksheet_range("Indicateurs").unwrap();
    let row = (0..ind.height())
        .find(|&k| ind.get((k, 14)) == Some(&Data::String("01053|taux_emploi".into())))
        .unwrap();
    match ind.get((row, 16)) {
        Some(Data::Float(x)) => assert!((x - 5.0).abs() < 1e-9, "in points: {x}"),
        other => panic!("Évolution: {other:?}"),
    }
    // The gap to the expected value (0.45 against 0.41) in points too, never « 4,0 % ».
    match ind.get((row, 9)) {
        Some(Data::Float(x)) => assert!((x - 4.0).abs() < 1e-9, "in points: {x}"),
        other => panic!("Écart à l'attendu: {other:?}"),
    }
    let obj = wb.worksheet_range("Objectifs").unwrap();
    let units: Vec<String> = (0..obj.height())
        .filter_map(|k| match obj.get((k, 4)) {
            Some(Data::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(
        units.iter().any(|u| u == "pourcentage (sans plafond)"),
        "{units:?}"
    );
    // Interviews per young person stay a ratio (shown 5,20); no « proportion (entre 0 et
    // 1) » for numbers shown in %.
    assert!(units.iter().any(|u| u == "ratio"), "{units:?}");
    assert!(
        !units.iter().any(|u| u.starts_with("proportion")),
        "{units:?}"
    );
}

/// « Lignes écartées » per region: a set-aside row counts for the region its region cell
/// names, else for « Hors structure ».
#[test]
fn set_aside_rows_are_counted_in_their_region() {
    let pack = Pack::embedded().unwrap();
    let mut d = dataset();
    d.columns.push(ColumnMatch {
        column: "region".into(),
        sheet: "Feuil1".into(),
        header: "Région".into(),
        letter: "D".into(),
    });
    // Row 9 (1-based) of Feuil1, the set-aside total, names Bretagne in column D.
    d.copies[0]
        .cells
        .push(raw(8, 3, RawValue::Text("Bretagne".into()), None));
    let mut r = results();
    r.set_aside.push(SetAside {
        sheet: "Feuil1".into(),
        row: 12,
        reason: "doublon".into(),
    });
    let bytes = write_workbook(&r, &d, &pack).unwrap();
    let mut wb = open(&bytes);
    let s = wb.worksheet_range("Synthèse").unwrap();
    let row_of = |name: &str| {
        (0..s.height())
            .find(|&k| s.get((k, 0)) == Some(&Data::String(name.into())))
            .unwrap()
    };
    let set_aside = |row: usize| s.get((row, 3)).cloned();
    assert_eq!(set_aside(row_of("Bretagne")), Some(Data::Float(1.0)));
    assert_eq!(
        set_aside(row_of("Auvergne-Rhône-Alpes")),
        Some(Data::Float(0.0))
    );
    assert_eq!(set_aside(row_of("Hors structure")), Some(Data::Float(1.0)));
    assert_eq!(set_aside(row_of("Total")), Some(Data::Float(2.0)));
}

/// Objectifs: column A is wide enough for the stamp's bold labels (« Tampon de
/// l'analyse », « Version de boussole »), which printed cut (« Tampon de »).
#[test]
fn objectifs_stamp_labels_fit_their_column() {
    let xml = part(write(), "xl/worksheets/sheet9.xml");
    let col = xml
        .split("<col ")
        .find(|c| c.starts_with("min=\"1\" max=\"1\""))
        .expect("column A has a width");
    let width: f64 = col
        .split("width=\"")
        .nth(1)
        .and_then(|w| w.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    for label in [
        "Tampon de l'analyse",
        "Fichier analysé",
        "Version de boussole",
    ] {
        assert!(
            width >= label.chars().count() as f64 * 1.1,
            "« {label} » in a column {width} wide"
        );
    }
}

/// Indicateurs prints two A4 landscape pages wide (one was too small to read), the right
/// half of a page's rows just after it, the header row and the code on every page, the
/// explanations left to the screen.
#[test]
fn indicateurs_prints_two_pages_wide_with_its_header_and_code() {
    let bytes = write();
    let sheet = part(bytes.clone(), "xl/worksheets/sheet3.xml");
    let setup = sheet
        .split("<pageSetup ")
        .nth(1)
        .and_then(|s| s.split("/>").next())
        .expect("a page setup");
    for attr in [
        "paperSize=\"9\"",
        "orientation=\"landscape\"",
        "fitToWidth=\"2\"",
        "fitToHeight=\"0\"",
        "pageOrder=\"overThenDown\"",
    ] {
        assert!(setup.contains(attr), "{attr}: {setup}");
    }
    let workbook = part(bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("Indicateurs!$A:$A,Indicateurs!$1:$1"),
        "{workbook}"
    );
    // The « Explication » column (R, one long line per row) is outside the print area:
    // the table prints A to Q (its header and 4 structures × their indicators).
    let rows = 1 + 4 * results().indicators.len();
    assert!(
        workbook.contains(&format!("Indicateurs!$A$1:$Q${rows}")),
        "{workbook}"
    );
    // Objectifs likewise prints A to I (Commentaire), its « Justification » left to the
    // screen.
    assert!(workbook.contains("Objectifs!$A$1:$I$"), "{workbook}");
}

/// Entonnoirs: in a regional workbook, one funnel per judged indicator with a denominator,
/// each with the structures' points, the national median and its two pairs of limits, the
/// data beneath the charts and the median the one of the national frame. In the national
/// workbook, one funnel, the indicator chosen in a list, read from a block of formulas
/// over every indicator's block.
#[test]
fn entonnoirs_chart_every_judged_rate_against_its_denominator() {
    use boussole::analysis::analyse::{Overrides, analyse};
    use boussole::pack::engine::CompiledPack;
    let pack = Pack::embedded().unwrap();
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures: 40,
        ..Default::default()
    })
    .unwrap();
    let data = boussole::workbook::read_bytes(&bytes, "e.xlsx", &pack.manifest.columns).unwrap();
    let results = analyse(
        &data,
        &CompiledPack::compile(&pack).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    let with_denominator: Vec<usize> = results
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| d.judged() && d.denominator.is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(with_denominator.len(), 11);
    let median_of = |i: usize| {
        results.structures[0].indicators[i].frames[&FrameKind::National]
            .summary
            .as_ref()
            .unwrap()
            .median
    };
    let charts_of = |out: &Vec<u8>| {
        let wb = open(out);
        let position = wb
            .sheet_names()
            .iter()
            .position(|n| n == "Entonnoirs")
            .expect("an Entonnoirs sheet")
            + 1;
        let drawing = related(out, position, "drawings/").expect("Entonnoirs has charts");
        let charts = anchors(out, &drawing);
        for (chart, _, _) in &charts {
            let xml = part(out.clone(), chart);
            assert_eq!(xml.matches("<c:ser>").count(), 6, "{chart}");
            assert!(xml.contains("<c:scatterChart>"), "{chart}");
        }
        charts
    };
    let header_of = |sheet: &calamine::Range<Data>| {
        (0..sheet.height() as u32)
            .find(|&r| sheet.get_value((r, 3)) == Some(&Data::String("Médiane nationale".into())))
            .expect("the data's header")
    };

    // Regional: every funnel; the first block's median column holds the national median
    // of the first indicator.
    let regional = write_workbook_for(&results, &data, &pack, None, Audience::Regional).unwrap();
    assert_eq!(charts_of(&regional).len(), with_denominator.len());
    let sheet = open(&regional).worksheet_range("Entonnoirs").unwrap();
    let header = header_of(&sheet);
    assert_eq!(
        sheet.get_value((header + 1, 3)),
        Some(&Data::Float(median_of(with_denominator[0])))
    );

    // National (the sample's 40 structures name several regions): one funnel, reading
    // the chosen block (A:H), whose formulas index every indicator's block (from I).
    let national = write_workbook(&results, &data, &pack).unwrap();
    let charts = charts_of(&national);
    assert_eq!(charts.len(), 1);
    let xml = part(national.clone(), &charts[0].0);
    let header = {
        let sheet = open(&national).worksheet_range("Entonnoirs").unwrap();
        header_of(&sheet)
    };
    assert!(
        xml.contains("<c:f>Entonnoirs!$D$4</c:f>"),
        "the title follows the choice: {xml}"
    );
    assert!(
        xml.contains(&format!("<c:f>Entonnoirs!$B${}:", header + 2)),
        "the points read the chosen block: {xml}"
    );
    let sheet = open(&national).worksheet_range("Entonnoirs").unwrap();
    for (k, &i) in with_denominator.iter().enumerate() {
        let first_col = 8 * (k as u32 + 1);
        assert_eq!(
            sheet.get_value((header - 1, first_col)),
            Some(&Data::String(results.indicators[i].label.clone())),
            "block {k}"
        );
        assert_eq!(
            sheet.get_value((header + 1, first_col + 3)),
            Some(&Data::Float(median_of(i))),
            "block {k}"
        );
    }
    // The chosen block shows the first indicator, a share in percent.
    let first = &results.indicators[with_denominator[0]];
    let scale = if first.unit == Unit::Fraction {
        100.0
    } else {
        1.0
    };
    let mut ws = open(&national);
    let formulas = ws.worksheet_formula("Entonnoirs").unwrap();
    assert!(
        formulas
            .get_value((header + 1, 3))
            .is_some_and(|f| f.contains("INDEX(")),
        "the chosen block is formulas"
    );
    let got = sheet.get_value((header + 1, 3)).cloned();
    let Some(Data::Float(got)) = got else {
        panic!("the chosen median is a number: {got:?}")
    };
    assert!((got - median_of(with_denominator[0]) * scale).abs() < 1e-9);
    // The list holds the 11 indicators.
    let list_col = 8 * (with_denominator.len() as u32 + 1) + 1;
    for (k, &i) in with_denominator.iter().enumerate() {
        assert_eq!(
            sheet.get_value((header + 1 + k as u32, list_col)),
            Some(&Data::String(results.indicators[i].label.clone()))
        );
    }
}

/// The fixture with a proposed objective on every judged indicator of every structure.
fn results_with_objectives() -> Results {
    let mut r = results();
    for (s, st) in r.structures.iter_mut().enumerate() {
        for (i, ir) in st.indicators.iter_mut().enumerate().take(2) {
            ir.objective = Some(Box::new(boussole::analysis::results::Objective {
                value: 0.5,
                level: 0.45,
                reliability: Some(0.8),
                tolerance: 0.01,
                reference: Some(0.5),
                reference_kind: "médiane des pairs",
                step: 0.025,
                bounded: false,
                // A different observed value on every row: a different rationale.
                why: boussole::analysis::results::ObjectiveWhy {
                    observed: 0.30 + 0.01 * (2 * s + i) as f64,
                    alternative: Some(0.48),
                    gap: 0.05,
                    step_share: 0.5,
                    bound: 0.05,
                    shown_unit: Unit::Fraction,
                },
            }));
        }
    }
    r
}

/// The notes of a sheet (1-based position): cell reference → text (XML entities decoded).
fn notes(bytes: &[u8], sheet: usize) -> std::collections::BTreeMap<String, String> {
    let Some(comments) = related(bytes, sheet, "comments") else {
        return Default::default();
    };
    let xml = part(bytes.to_vec(), &comments);
    xml.split("<comment ref=\"")
        .skip(1)
        .map(|c| {
            let cell = c[..c.find('"').unwrap()].to_string();
            let body = &c[..c.find("</comment>").unwrap()];
            // Each run's text: after the last `<t>` or `<t …>` before its `</t>`.
            let text: String = body
                .split("</t>")
                .filter_map(|piece| {
                    let open = [piece.rfind("<t>"), piece.rfind("<t ")]
                        .into_iter()
                        .flatten()
                        .max()?;
                    Some(&piece[open + piece[open..].find('>')? + 1..])
                })
                .collect();
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            (cell, text)
        })
        .collect()
}

fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", boussole::dataset::column_letters(col), row + 1)
}

#[test]
fn structures_of_several_regions_make_a_national_workbook_and_of_one_a_regional() {
    let mut r = results();
    assert_eq!(Audience::of(&r), Audience::National);
    // One region's structures (a regional file, or a `run --by-region` part), some
    // without a region: regional.
    r.structures.retain(|s| s.region == "Bretagne");
    r.structures[0].region = String::new();
    assert_eq!(Audience::of(&r), Audience::Regional);
    r.structures.clear();
    assert_eq!(Audience::of(&r), Audience::Regional);
}

/// A national workbook has no radar per structure and no note; in both audiences each
/// score's explanation is in Indicateurs' « Explication » column and each objective's
/// rationale in Objectifs' « Justification » column, the same texts; the regional workbook
/// also notes the scores that carry a finding, with the very text of their column.
#[test]
fn a_national_workbook_keeps_every_explanation_in_a_column_and_no_radar_per_structure() {
    let r = results_with_objectives();
    let pack = Pack::embedded().unwrap();
    let national = write_workbook(&r, &dataset(), &pack).unwrap();
    let regional = write_regional(&r);

    // Radars (seventh sheet): in the regional file only, with its charts; the national
    // Fiche says where they are, under its own radar.
    assert!(related(&regional, 7, "drawings/drawing").is_some());
    let mut wb = open(&national);
    assert!(
        !wb.sheet_names().iter().any(|n| n == "Radars"),
        "no Radars sheet"
    );
    let fiche = wb.worksheet_range("Fiche").unwrap();
    let said: Vec<&str> = fiche
        .used_cells()
        .filter_map(|(_, _, d)| d.get_string())
        .filter(|t| t.contains("Classeur national"))
        .collect();
    assert_eq!(said.len(), 1, "one signpost on the Fiche");
    assert!(
        said[0].contains("Radars") && said[0].contains("--by-region"),
        "{}",
        said[0]
    );
    assert!(
        !open(&regional)
            .worksheet_range("Fiche")
            .unwrap()
            .used_cells()
            .any(|(_, _, d)| d
                .get_string()
                .is_some_and(|t| t.contains("Classeur national"))),
        "no signpost in a regional file"
    );
    // Only the Synthèse's and the Fiche's charts remain (Entonnoirs has none here).
    let charts = part_names(national.clone())
        .iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .count();
    assert_eq!(charts, 2 + 1);

    // Indicateurs (third sheet): the Explication column in both files, the same texts; the
    // regional file notes the scores with a finding; the national one only its headers.
    let regional_notes = notes(&regional, 3);
    let national_notes = notes(&national, 3);
    assert_eq!(
        national_notes.keys().collect::<Vec<_>>(),
        ["F1", "L1", "Q1"],
        "only the headers' notes"
    );
    let ind = wb.worksheet_range("Indicateurs").unwrap();
    let regional_ind = open(&regional).worksheet_range("Indicateurs").unwrap();
    assert_eq!(
        ind.get_value((0, 17)),
        Some(&Data::String("Explication".into()))
    );
    let (mut explained, mut noted) = (0, 0);
    for (s, st) in r.structures.iter().enumerate() {
        for i in 0..r.indicators.len() {
            let row = (1 + s * r.indicators.len() + i) as u32;
            let note = regional_notes.get(&cell_name(row, 11));
            let cell = ind.get_value((row, 17)).and_then(|d| d.get_string());
            assert_eq!(
                cell,
                regional_ind
                    .get_value((row, 17))
                    .and_then(|d| d.get_string()),
                "row {}: the same explanation in both files",
                row + 1
            );
            if r.indicators[i].judged() {
                let text = cell.expect("every score is explained");
                assert!(text.contains("Cellules sources"), "{text}");
                explained += 1;
                if st.indicators[i].finding.is_some() {
                    assert_eq!(note.map(String::as_str), Some(text), "row {}", row + 1);
                    noted += 1;
                } else {
                    assert_eq!(note, None, "row {}: no finding, no note", row + 1);
                }
            } else {
                assert_eq!((note, cell), (None, None), "row {}", row + 1);
            }
        }
    }
    assert_eq!(explained, 4 * 2);
    assert!(noted > 0, "the fixture has findings");
    assert_eq!(
        regional_notes.len(),
        noted + 3,
        "the findings' and the headers' notes"
    );

    // Objectifs (ninth sheet of a regional file, eighth of a national one): the rationales
    // in « Justification » in both files, no note on them in either.
    assert_eq!(notes(&regional, 9).len(), 1, "only the header's note");
    assert_eq!(notes(&national, 8).len(), 1, "only the header's note");
    let obj = wb.worksheet_range("Objectifs").unwrap();
    let regional_obj = open(&regional).worksheet_range("Objectifs").unwrap();
    let header = (0..obj.height() as u32)
        .find(|&row| obj.get_value((row, 0)) == Some(&Data::String("Code".into())))
        .expect("the objectives' header row");
    assert_eq!(
        obj.get_value((header, 9)),
        Some(&Data::String("Justification".into()))
    );
    // Each objective's rationale, composed from its fields: the eight differ.
    let mut expected_rationales: std::collections::BTreeSet<String> = r
        .structures
        .iter()
        .flat_map(|st| st.indicators.iter().filter_map(|ir| ir.objective.as_ref()))
        .map(|o| o.rationale())
        .collect();
    assert_eq!(expected_rationales.len(), 8);
    assert!(
        expected_rationales.iter().all(|t| t.starts_with(
            "Référence : médiane des pairs (50,0 %), meilleure que la valeur attendue (48,0 %)."
        )),
        "{expected_rationales:#?}"
    );
    let mut rationales = 0;
    for row in header + 1..header + 1 + 4 * 2 {
        let text = obj
            .get_value((row, 9))
            .and_then(|d| d.get_string())
            .expect("a rationale");
        assert_eq!(
            regional_obj
                .get_value((row, 9))
                .and_then(|d| d.get_string()),
            Some(text),
            "row {}",
            row + 1
        );
        assert!(
            expected_rationales.remove(text),
            "row {}: « {text} » is one objective's rationale, once",
            row + 1
        );
        rationales += 1;
    }
    assert_eq!(rationales, 8);
    assert!(expected_rationales.is_empty(), "{expected_rationales:?}");
}

#[test]
fn beyond_the_cap_each_funnel_plots_one_structure_in_k_and_the_sheet_says_so() {
    use boussole::analysis::analyse::{Overrides, analyse};
    // 2,001 structures of the synthetic sample: one in two is plotted.
    let bytes = boussole::sample::sample_workbook(&boussole::sample::SampleOptions {
        structures: 2_001,
        seed: 5,
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("grand.xlsx");
    std::fs::write(&input, bytes).unwrap();
    let pack = Pack::embedded().unwrap();
    let compiled = boussole::pack::engine::CompiledPack::compile(&pack).unwrap();
    let data = boussole::workbook::read_path(&input, &pack.manifest.columns).unwrap();
    let r = analyse(&data, &compiled, &Overrides::default()).unwrap();
    assert_eq!(r.structures.len(), 2_001);
    let out = write_workbook_for(&r, &data, &pack, None, Audience::National).unwrap();

    let mut wb = open(&out);
    let sheet = wb.worksheet_range("Entonnoirs").unwrap();
    let said = sheet
        .get_value((2, 0))
        .and_then(|d| d.get_string())
        .unwrap_or_default()
        // Thousands are grouped by a narrow no-break space, as French prints them.
        .replace('\u{202f}', " ");
    assert!(
        said.starts_with("2 001 structures : chaque entonnoir trace une structure sur 2")
            && said.contains("au plus 2 000 points")
            && said.contains("--json"),
        "{said}"
    );
    let mut funnels = 0;
    for name in part_names(out.clone())
        .into_iter()
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
    {
        let xml = part(out.clone(), &name);
        if !xml.contains("<c:scatterChart>") {
            continue;
        }
        funnels += 1;
        let first = &xml[xml.find("<c:ser>").unwrap()..xml.find("</c:ser>").unwrap()];
        assert!(first.contains("<c:v>Structures</c:v>"), "{name}");
        let count: usize = first
            .split("<c:ptCount val=\"")
            .nth(1)
            .and_then(|c| c[..c.find('"').unwrap()].parse().ok())
            .expect("a point count");
        // Every other structure with a point, in the input's order: about half of them.
        assert!((900..=1_001).contains(&count), "{name}: {count} points");
    }
    assert!(funnels > 0, "the sample has funnels");
}

#[test]
fn a_streamed_data_copy_keeps_every_cell_and_merge_whatever_their_order() {
    // Cells given out of order, merged ranges starting above, on and between the cells'
    // rows (one with no cell on its first row, two sharing rows in other columns), values
    // inside merged areas: the copy is written row by row into a streamed sheet, and none
    // may be dropped.
    let mut cells = vec![
        raw(9, 0, RawValue::Text("fin".into()), None),
        raw(
            0,
            0,
            RawValue::Text("Titre sur trois colonnes".into()),
            None,
        ),
        raw(4, 1, RawValue::Number(4.5), Some("0.0")),
        raw(2, 3, RawValue::Text("dans la fusion D2:E4".into()), None),
        raw(3, 4, RawValue::Number(34.0), None),
        raw(1, 0, RawValue::Text("Code".into()), None),
        raw(7, 2, RawValue::Bool(false), None),
    ];
    cells.extend(
        (0..40)
            .rev()
            .map(|k| raw(10 + k, 1, RawValue::Number(f64::from(k)), None)),
    );
    let merged = vec![
        (0, 0, 0, 2),   // A1:C1, on a cell's row
        (1, 3, 3, 4),   // D2:E4, values inside
        (2, 5, 4, 5),   // F3:F5, sharing rows with D2:E4
        (5, 0, 6, 1),   // A6:B7, no cell on its rows
        (60, 0, 61, 0), // A61:A62, after every cell
    ];
    let data = Dataset {
        source: Source::default(),
        copies: vec![SheetCopy {
            name: "Feuil1".into(),
            cells: cells.clone(),
            merged: merged.clone(),
        }],
        ..Dataset::default()
    };
    let pack = Pack::embedded().unwrap();
    for audience in [Audience::National, Audience::Regional] {
        let bytes = write_workbook_for(&results(), &data, &pack, None, audience).unwrap();
        let mut wb = open(&bytes);
        let range = wb.worksheet_range("Données — Feuil1").unwrap();
        for cell in &cells {
            let got = range.get_value((cell.row, cell.col)).cloned();
            let want = match &cell.value {
                RawValue::Number(x) => Data::Float(*x),
                RawValue::Text(t) => Data::String(t.clone()),
                RawValue::Bool(b) => Data::Bool(*b),
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(
                got,
                Some(want),
                "{audience:?}: cell ({}, {})",
                cell.row,
                cell.col
            );
        }
        let index = wb
            .sheet_names()
            .iter()
            .position(|n| n == "Données — Feuil1")
            .unwrap();
        let xml = part(
            bytes.clone(),
            &format!("xl/worksheets/sheet{}.xml", index + 1),
        );
        for reference in ["A1:C1", "D2:E4", "F3:F5", "A6:B7", "A61:A62"] {
            assert!(
                xml.contains(&format!(r#"<mergeCell ref="{reference}"/>"#)),
                "{audience:?}: {reference} re-created"
            );
        }
        assert_eq!(xml.matches("<mergeCell ").count(), merged.len());
    }
}
