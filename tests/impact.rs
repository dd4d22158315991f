//! `boussole impact`: the comparison of two packs on the same synthetic workbook, through the
//! library (`compare`, `impact_workbook`) and through the binary, each in a fresh temporary
//! folder. The expected changes are computed here independently from the two `Results`.

mod common;
use common::{boussole, stderr, stdout};

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::impact::{Change, compare};
use boussole::analysis::results::{FindingKind, Results};
use boussole::pack::engine::CompiledPack;
use boussole::pack::{EMBEDDED_CPO, Pack};
use boussole::report::impact::{SHEETS, impact_workbook};
use boussole::sample::{SampleOptions, sample_workbook};
use calamine::{Data, DataType, Reader, Xlsx};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SAMPLE: &str = "exemple.xlsx";

/// A temporary folder holding the sample workbook (120 structures) and, under `name`, an
/// export of the embedded pack with `edit` applied to its `pack.toml`.
fn setup(name: &str, edit: Option<(&str, &str)>) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let bytes = sample_workbook(&SampleOptions {
        structures: 120,
        ..Default::default()
    })
    .expect("sample workbook");
    std::fs::write(dir.path().join(SAMPLE), bytes).expect("write sample");
    let pack = dir.path().join(name);
    for (file, content) in EMBEDDED_CPO {
        let path = pack.join(file);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("pack folder");
        let content = match edit {
            Some((from, to)) if *file == "pack.toml" => {
                assert!(content.contains(from), "« {from} » not in pack.toml");
                content.replacen(from, to, 1)
            }
            _ => content.to_string(),
        };
        std::fs::write(path, content).expect("write pack file");
    }
    dir
}

/// The sample analysed by the pack of `rules` (None: the embedded pack).
fn results(dir: &Path, rules: Option<&Path>) -> Results {
    let pack = Pack::load(rules).expect("pack loads");
    let compiled = CompiledPack::compile(&pack).expect("pack compiles");
    let data = boussole::workbook::read_path(&dir.join(SAMPLE), &pack.manifest.columns)
        .expect("sample reads");
    analyse(&data, &compiled, &Overrides::default()).expect("analysis")
}

/// Structures whose findings (by indicator) or recommendations (by id) differ, computed
/// without the impact module.
fn differing_structures(a: &Results, b: &Results) -> BTreeSet<String> {
    type Seen = (BTreeMap<String, FindingKind>, BTreeSet<String>);
    let seen = |r: &Results| -> BTreeMap<String, Seen> {
        r.structures
            .iter()
            .map(|s| {
                let findings = s
                    .indicators
                    .iter()
                    .zip(&r.indicators)
                    .filter_map(|(x, d)| x.finding.as_ref().map(|f| (d.id.clone(), f.kind)))
                    .collect();
                let recs = s.recommendations.iter().map(|x| x.id.clone()).collect();
                (s.id.to_string(), (findings, recs))
            })
            .collect()
    };
    let (sa, sb) = (seen(a), seen(b));
    assert_eq!(
        sa.keys().collect::<Vec<_>>(),
        sb.keys().collect::<Vec<_>>(),
        "same structures under both packs"
    );
    sa.iter()
        .filter(|(id, x)| sb.get(*id) != Some(*x))
        .map(|(id, _)| id.clone())
        .collect()
}

/// (region, recommendation) pairs that are regional priorities.
fn priorities(r: &Results) -> BTreeSet<(String, String)> {
    r.regions
        .iter()
        .flat_map(|g| {
            g.priorities
                .iter()
                .map(move |p| (g.name.clone(), p.recommendation.clone()))
        })
        .collect()
}

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).expect("readable xlsx")
}

/// Data rows (below the header) of a listing sheet.
fn data_rows(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> usize {
    let range = wb.worksheet_range(sheet).expect("sheet exists");
    assert_eq!(
        range.start(),
        Some((0, 0)),
        "{sheet} starts with its header"
    );
    range.height() - 1
}

/// The count printed for `label` in the binary's summary table (first column).
fn printed(out: &str, label: &str) -> usize {
    let line = out
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no « {label} » line in:\n{out}"));
    line[label.len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count on « {line} »"))
}

#[test]
fn identical_packs_give_no_difference() {
    let dir = setup("export", None);
    let exported = dir.path().join("export");
    let a = results(dir.path(), None);
    let b = results(dir.path(), Some(&exported));
    let impact = compare(&a, &b);
    assert!(impact.is_empty(), "{:#?}", impact.summary);
    assert_eq!(impact.summary.structures_compared, 120);
    assert_eq!(impact.summary.structures_changed, 0);
    assert!(impact.findings.is_empty());
    assert!(impact.recommendations.is_empty());
    assert!(impact.scores.is_empty());
    assert!(impact.axes.is_empty());
    assert!(impact.priorities.is_empty());

    let o = boussole(&["impact", "--rules-b", "export", SAMPLE], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("Les deux packs sont identiques."), "{out}");
    assert_eq!(printed(&out, "Structures comparées"), 120);
    assert_eq!(printed(&out, "Structures modifiées"), 0);
    assert!(out.contains("Aucun changement"), "{out}");
    let mut wb = open(std::fs::read(dir.path().join("impact-boussole.xlsx")).expect("written"));
    for sheet in &SHEETS[1..] {
        assert_eq!(data_rows(&mut wb, sheet), 0, "{sheet}");
    }
}

#[test]
fn one_threshold_changed_reports_exactly_the_structures_that_cross_it() {
    let dir = setup(
        "changed",
        Some(("vigilance_pairs = 20.0", "vigilance_pairs = 40.0")),
    );
    let changed = dir.path().join("changed");
    let a = results(dir.path(), None);
    let b = results(dir.path(), Some(&changed));
    let impact = compare(&a, &b);

    let expected = differing_structures(&a, &b);
    assert!(!expected.is_empty(), "the new threshold changes something");
    let listed: BTreeSet<String> = impact
        .findings
        .iter()
        .map(|c| c.structure.id.to_string())
        .chain(
            impact
                .recommendations
                .iter()
                .map(|c| c.structure.id.to_string()),
        )
        .collect();
    assert_eq!(listed, expected);
    // A finding threshold moves no score: the structures changed are exactly those.
    assert!(impact.scores.is_empty() && impact.axes.is_empty());
    assert_eq!(impact.summary.structures_changed, expected.len());
    assert_eq!(
        impact
            .changed_structures()
            .into_iter()
            .map(|id| id.to_string())
            .collect::<BTreeSet<_>>(),
        expected
    );
    // Raising the threshold only adds vigilances.
    assert!(
        impact
            .findings
            .iter()
            .all(|c| c.after == Some(FindingKind::Vigilance))
    );

    // Each finding change, checked against both results.
    for c in &impact.findings {
        let kind = |r: &Results| {
            let s = r.structures.iter().find(|s| s.id == c.structure.id)?;
            let i = r.indicator_index(&c.indicator)?;
            s.indicators[i].finding.as_ref().map(|f| f.kind)
        };
        assert_eq!((kind(&a), kind(&b)), (c.before, c.after), "{c:?}");
    }

    // Regional priorities that appear or disappear, computed independently.
    let (pa, pb) = (priorities(&a), priorities(&b));
    let added: BTreeSet<_> = pb.difference(&pa).cloned().collect();
    let removed: BTreeSet<_> = pa.difference(&pb).cloned().collect();
    let pairs = |change: Change| -> BTreeSet<(String, String)> {
        impact
            .priorities
            .iter()
            .filter(|p| p.change == change)
            .map(|p| (p.region.clone(), p.recommendation.clone()))
            .collect()
    };
    assert_eq!(pairs(Change::Appears), added);
    assert_eq!(pairs(Change::Disappears), removed);
    assert_eq!(impact.summary.priorities_added, added.len());
    assert_eq!(impact.summary.priorities_removed, removed.len());

    // The binary reports the same counts.
    let o = boussole(&["impact", "--rules-b", "changed", SAMPLE], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(printed(&out, "Structures modifiées"), expected.len());
    assert_eq!(
        printed(&out, "Constats modifiés"),
        impact.summary.findings_changed
    );
    assert!(out.contains("Premiers changements"), "{out}");
    let mut wb = open(std::fs::read(dir.path().join("impact-boussole.xlsx")).expect("written"));
    assert_eq!(data_rows(&mut wb, "Constats"), impact.findings.len());
}

#[test]
fn the_workbook_reads_back_with_one_row_per_change() {
    let dir = setup(
        "changed",
        Some(("chomage_eleve = 0.25", "chomage_eleve = 0.15")),
    );
    let changed = dir.path().join("changed");
    let a = results(dir.path(), None);
    let b = results(dir.path(), Some(&changed));
    let impact = compare(&a, &b);
    assert!(!impact.is_empty(), "the new threshold changes something");
    let impacts = vec![(SAMPLE.to_string(), impact.clone())];
    let bytes = impact_workbook(&impacts, &a.pack, &b.pack).expect("workbook");
    assert_eq!(
        bytes,
        impact_workbook(&impacts, &a.pack, &b.pack).expect("workbook"),
        "same arguments, same bytes"
    );

    let mut wb = open(bytes);
    assert_eq!(wb.sheet_names(), SHEETS.to_vec());
    assert_eq!(data_rows(&mut wb, "Constats"), impact.findings.len());
    assert_eq!(
        data_rows(&mut wb, "Recommandations"),
        impact.recommendations.len()
    );
    assert_eq!(
        data_rows(&mut wb, "Scores"),
        impact.scores.len() + impact.axes.len()
    );
    assert_eq!(
        data_rows(&mut wb, "Priorités régionales"),
        impact.priorities.len()
    );

    let recs = wb.worksheet_range("Recommandations").expect("sheet");
    let header: Vec<String> = (0..7)
        .map(|c| recs.get((0, c)).map(|d| d.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        header,
        [
            "Fichier",
            "Code",
            "Nom",
            "Région",
            "Recommandation",
            "Priorité",
            "Changement"
        ]
    );
    for (r, c) in impact.recommendations.iter().enumerate() {
        let row = r as u32 + 1;
        assert_eq!(
            recs.get_value((row, 1)),
            Some(&Data::String(c.structure.id.to_string()))
        );
        assert_eq!(
            recs.get_value((row, 6)),
            Some(&Data::String(c.change.label_fr().to_string()))
        );
    }

    // Synthèse: both pack hashes, and the counts of the summary.
    let synthese = wb.worksheet_range("Synthèse").expect("sheet");
    let cells: Vec<String> = synthese.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.contains(&a.pack.hash) && cells.contains(&b.pack.hash));
    let count_of = |label: &str| {
        let (row, _, _) = synthese
            .cells()
            .find(|(_, c, d)| *c == 0 && d.get_string() == Some(label))
            .unwrap_or_else(|| panic!("no « {label} » row"));
        synthese.get((row, 1)).and_then(|d| d.as_f64())
    };
    for (label, n) in impact.summary.rows() {
        assert_eq!(count_of(label), Some(n as f64), "{label}");
    }
}

#[test]
fn the_binary_refuses_to_replace_its_output_without_force() {
    let dir = setup(
        "changed",
        Some(("vigilance_pairs = 20.0", "vigilance_pairs = 40.0")),
    );
    let args = [
        "impact",
        "--rules-b",
        "changed",
        SAMPLE,
        "-o",
        "impact.xlsx",
    ];
    let o = boussole(&args, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Structures comparées"), "{out}");
    assert!(
        out.contains("Classeur d'impact écrit : impact.xlsx"),
        "{out}"
    );
    let first = std::fs::read(dir.path().join("impact.xlsx")).expect("written");

    let o = boussole(&args, dir.path());
    assert_eq!(o.status.code(), Some(5), "{}", stdout(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));

    let mut forced: Vec<&str> = args.to_vec();
    forced.push("--force");
    let o = boussole(&forced, dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let second = std::fs::read(dir.path().join("impact.xlsx")).expect("written");
    assert_eq!(first, second, "the same run gives the same bytes");
}

#[test]
fn a_broken_input_is_named_and_fails() {
    let dir = setup("changed", None);
    std::fs::write(dir.path().join("casse.xlsx"), b"PK\x03\x04 pas un classeur").expect("write");
    let o = boussole(&["impact", SAMPLE, "casse.xlsx"], dir.path());
    assert_ne!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains("casse.xlsx"), "{err}");
    assert!(!dir.path().join("impact-boussole.xlsx").exists());
}

#[test]
fn several_inputs_are_summed() {
    let dir = setup(
        "changed",
        Some(("vigilance_pairs = 20.0", "vigilance_pairs = 40.0")),
    );
    let copy: PathBuf = dir.path().join("copie.xlsx");
    std::fs::copy(dir.path().join(SAMPLE), &copy).expect("copy");
    let o = boussole(
        &["impact", "--rules-b", "changed", SAMPLE, "copie.xlsx"],
        dir.path(),
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let header = out
        .lines()
        .find(|l| l.contains("Total"))
        .unwrap_or_else(|| panic!("no total column:\n{out}"));
    assert!(
        header.contains(SAMPLE) && header.contains("copie.xlsx"),
        "{header}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("Structures comparées"))
        .expect("a count line");
    let counts: Vec<&str> = line.split_whitespace().skip(2).collect();
    assert_eq!(counts, ["120", "120", "240"]);
}
