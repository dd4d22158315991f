//! `boussole sample`: the synthetic national workbook, read back as a real consumer would
//! (calamine), checked against the `cpo` catalogue and the national orders of magnitude.

use boussole::sample::{SampleOptions, sample_workbook};
use calamine::{Data, Reader, open_workbook_auto, open_workbook_auto_from_rs};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// A sheet as read back: title, header labels and data rows (below the header).
struct Sheet {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn col(&self, label: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == label)
            .unwrap_or_else(|| panic!("no column « {label} » in {:?}", self.headers))
    }

    fn text(&self, row: usize, label: &str) -> String {
        match &self.rows[row][self.col(label)] {
            Data::String(s) => s.clone(),
            other => panic!("« {label} » row {row} is not text: {other:?}"),
        }
    }

    /// A number, or `None` for `n.d.`.
    fn number(&self, row: usize, label: &str) -> Option<f64> {
        match &self.rows[row][self.col(label)] {
            Data::Float(v) => Some(*v),
            Data::Int(v) => Some(*v as f64),
            Data::String(s) if s == "n.d." => None,
            other => panic!("« {label} » row {row} is neither a number nor n.d.: {other:?}"),
        }
    }
}

fn read(bytes: &[u8]) -> BTreeMap<String, Sheet> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut sheets = BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        let cell = |d: &Data| match d {
            Data::String(s) => s.clone(),
            _ => String::new(),
        };
        let title = cell(&rows[0][0]);
        let headers: Vec<String> = rows[2].iter().map(cell).collect();
        sheets.insert(
            name,
            Sheet {
                title,
                headers,
                rows: rows[3..].to_vec(),
            },
        );
    }
    sheets
}

/// The default sample (the committed example), generated and read once.
fn default_sample() -> &'static (Vec<u8>, BTreeMap<String, Sheet>) {
    static SAMPLE: OnceLock<(Vec<u8>, BTreeMap<String, Sheet>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let bytes = sample_workbook(&SampleOptions::default()).unwrap();
        let sheets = read(&bytes);
        (bytes, sheets)
    })
}

fn indicators() -> &'static Sheet {
    &default_sample().1["Indicateurs"]
}

fn context() -> &'static Sheet {
    &default_sample().1["Contexte"]
}

/// Main labels of the `cpo` catalogue by column id, and the aliases of the code column.
fn catalogue() -> (HashMap<String, String>, Vec<String>) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cpo/pack.toml"))
            .unwrap();
    let pack: toml::Value = toml::from_str(&text).unwrap();
    let mut labels = HashMap::new();
    let mut code_aliases = Vec::new();
    for column in pack["columns"].as_array().unwrap() {
        let id = column["id"].as_str().unwrap().to_string();
        if id == "code" {
            code_aliases = column["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
        }
        labels.insert(id, column["label"].as_str().unwrap().to_string());
    }
    (labels, code_aliases)
}

const ACTIVITY_IDS: [&str; 14] = [
    "premiers_accueils",
    "jeunes_en_contact",
    "jeunes_accompagnes",
    "entretiens",
    "entrees_civis",
    "sorties_civis",
    "sorties_civis_emploi_durable",
    "jeunes_en_emploi",
    "jeunes_en_emploi_durable",
    "jeunes_en_formation",
    "jeunes_en_alternance",
    "offres_collectees",
    "entreprises_en_relation",
    "etp_conseillers",
];

const CONTEXT_IDS: [&str; 7] = [
    "population_16_25",
    "jeunes_actifs_non_occupes",
    "defm_moins_26",
    "taux_chomage_jeunes",
    "part_sans_diplome",
    "part_qpv",
    "densite",
];

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// R² of the OLS of `y` on `x1` and `x2` (with intercept), by the normal equations.
fn r_squared(y: &[f64], x1: &[f64], x2: &[f64]) -> f64 {
    let n = y.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let (my, m1, m2) = (mean(y), mean(x1), mean(x2));
    let (mut s11, mut s12, mut s22, mut s1y, mut s2y, mut syy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..y.len() {
        let (a, b, c) = (x1[i] - m1, x2[i] - m2, y[i] - my);
        s11 += a * a;
        s12 += a * b;
        s22 += b * b;
        s1y += a * c;
        s2y += b * c;
        syy += c * c;
    }
    let det = s11 * s22 - s12 * s12;
    let b1 = (s22 * s1y - s12 * s2y) / det;
    let b2 = (s11 * s2y - s12 * s1y) / det;
    (b1 * s1y + b2 * s2y) / syy
}

#[test]
fn same_options_give_identical_bytes() {
    let opts = SampleOptions {
        structures: 120,
        years: 2,
        seed: 42,
        first_year: 2015,
    };
    assert_eq!(
        sample_workbook(&opts).unwrap(),
        sample_workbook(&opts).unwrap()
    );
    assert_eq!(
        default_sample().0,
        sample_workbook(&SampleOptions::default()).unwrap()
    );
    let other_seed = SampleOptions {
        seed: 43,
        ..opts.clone()
    };
    assert_ne!(
        sample_workbook(&opts).unwrap(),
        sample_workbook(&other_seed).unwrap()
    );
}

/// A workbook's content as calamine reads it: each sheet, in order, with its used range's
/// first cell and its cells (value and type), row by row.
type Content = Vec<(String, Option<(u32, u32)>, Vec<Vec<Data>>)>;

fn content<R: Reader<RS>, RS: std::io::Read + std::io::Seek>(book: &mut R) -> Content {
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, range.start(), rows)
        })
        .collect()
}

/// The first differences between two contents, as « sheet cell: a ≠ b » lines.
fn differences(a: &Content, b: &Content, at_most: usize) -> Vec<String> {
    let names = |c: &Content| c.iter().map(|(n, _, _)| n.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        return vec![format!("sheets {:?} ≠ {:?}", names(a), names(b))];
    }
    let mut out = Vec::new();
    for ((name, start_a, rows_a), (_, start_b, rows_b)) in a.iter().zip(b) {
        if start_a != start_b || rows_a.len() != rows_b.len() {
            out.push(format!(
                "{name}: range from {start_a:?}, {} rows ≠ from {start_b:?}, {} rows",
                rows_a.len(),
                rows_b.len()
            ));
            continue;
        }
        let (row0, col0) = start_a.unwrap_or((0, 0));
        for (r, (ra, rb)) in rows_a.iter().zip(rows_b).enumerate() {
            if ra.len() != rb.len() {
                out.push(format!(
                    "{name} row {}: {} ≠ {} cells",
                    row0 as usize + r + 1,
                    ra.len(),
                    rb.len()
                ));
                continue;
            }
            for (c, (x, y)) in ra.iter().zip(rb).enumerate() {
                // Data's PartialEq compares the type too (Float(1.0) ≠ Int(1)).
                if x != y {
                    out.push(format!(
                        "{name} row {} column {}: {x:?} ≠ {y:?}",
                        row0 as usize + r + 1,
                        col0 as usize + c + 1
                    ));
                }
            }
        }
    }
    out.truncate(at_most);
    out
}

/// The committed example holds what the default sample holds, cell by cell (values and
/// types): a writer upgrade that changes the file's bytes but not its content keeps it.
#[test]
fn committed_example_is_the_default_sample() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("workbooks/exemple-national.xlsx");
    // It opens from disk like any field workbook.
    let mut committed = open_workbook_auto(&path).unwrap();
    assert_eq!(committed.sheet_names(), ["Indicateurs", "Contexte"]);
    let committed = content(&mut committed);
    let generated =
        content(&mut open_workbook_auto_from_rs(Cursor::new(default_sample().0.clone())).unwrap());
    let found = differences(&committed, &generated, 20);
    assert!(
        found.is_empty(),
        "workbooks/exemple-national.xlsx differs from the default sample; regenerate it: \
         cargo run -- sample -o workbooks/exemple-national.xlsx --force\n{}",
        found.join("\n")
    );
    // The comparison sees a change of one cell.
    let mut changed = generated.clone();
    changed[0].2[3][0] = Data::String("changé".into());
    assert_eq!(differences(&changed, &generated, 20).len(), 1);
}

#[test]
fn headers_use_the_catalogue_labels() {
    let (labels, code_aliases) = catalogue();
    let mut expected: Vec<String> = ["code", "nom", "region"]
        .iter()
        .map(|id| labels[*id].clone())
        .collect();
    expected.extend(ACTIVITY_IDS.iter().map(|id| labels[*id].clone()));
    assert_eq!(indicators().headers, expected);
    assert_eq!(
        indicators().title,
        "Indicateurs CPO des missions locales — année 2010 (données synthétiques)"
    );

    // The context sheet names the id by an alias, as field workbooks do.
    assert!(code_aliases.contains(&"Code structure".to_string()));
    let mut expected = vec!["Code structure".to_string()];
    expected.extend(CONTEXT_IDS.iter().map(|id| labels[*id].clone()));
    assert_eq!(context().headers, expected);
    assert!(context().title.starts_with("Contexte territorial"));
}

#[test]
fn regions_have_the_real_network_proportions() {
    let sheet = indicators();
    assert_eq!(sheet.rows.len(), 440);
    let mut per_region: BTreeMap<String, usize> = BTreeMap::new();
    for row in 0..sheet.rows.len() {
        *per_region.entry(sheet.text(row, "Région")).or_default() += 1;
    }
    let expected = [
        ("Auvergne-Rhône-Alpes", 48),
        ("Bourgogne-Franche-Comté", 25),
        ("Bretagne", 17),
        ("Centre-Val de Loire", 20),
        ("Corse", 2),
        ("Grand Est", 40),
        ("Hauts-de-France", 44),
        ("Île-de-France", 74),
        ("Normandie", 24),
        ("Nouvelle-Aquitaine", 46),
        ("Occitanie", 42),
        ("Pays de la Loire", 17),
        ("Provence-Alpes-Côte d'Azur", 30),
        ("Guadeloupe", 3),
        ("Martinique", 2),
        ("Guyane", 1),
        ("La Réunion", 4),
        ("Mayotte", 1),
    ];
    assert_eq!(per_region.len(), 18);
    for (region, n) in expected {
        assert_eq!(per_region.get(region), Some(&n), "{region}");
    }

    // Scaled down, every region keeps at least one structure.
    let small = read(
        &sample_workbook(&SampleOptions {
            structures: 25,
            ..SampleOptions::default()
        })
        .unwrap(),
    );
    let sheet = &small["Indicateurs"];
    let regions: BTreeSet<String> = (0..sheet.rows.len())
        .map(|r| sheet.text(r, "Région"))
        .collect();
    assert_eq!(sheet.rows.len(), 25);
    assert_eq!(regions.len(), 18);
}

#[test]
fn codes_are_unique_insee_like_text() {
    let sheet = indicators();
    let codes: Vec<String> = (0..sheet.rows.len())
        .map(|r| sheet.text(r, "Code ML"))
        .collect();
    let unique: BTreeSet<&String> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    for (row, code) in codes.iter().enumerate() {
        assert_eq!(code.len(), 5, "{code}");
        let region = sheet.text(row, "Région");
        if code.starts_with("97") {
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        } else if code.starts_with('2') && !code[1..2].chars().all(|c| c.is_ascii_digit()) {
            assert_eq!(region, "Corse", "{code}");
        } else {
            assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        }
        if code.starts_with("75") || code.starts_with("93") {
            assert_eq!(region, "Île-de-France");
        }
        if code.starts_with("974") {
            assert_eq!(region, "La Réunion");
        }
    }
    assert!(codes.iter().any(|c| c.starts_with("2A")));
    assert!(codes.iter().any(|c| c.starts_with("2B")));
    assert!(codes.iter().filter(|c| c.starts_with('0')).count() >= 20);
    // The context sheet lists the same structures.
    let ctx = context();
    let ctx_codes: Vec<String> = (0..ctx.rows.len())
        .map(|r| ctx.text(r, "Code structure"))
        .collect();
    assert_eq!(ctx_codes, codes);
}

#[test]
fn names_carry_accents_apostrophes_and_both_styles() {
    let sheet = indicators();
    let names: Vec<String> = (0..sheet.rows.len())
        .map(|r| sheet.text(r, "Nom de la mission locale"))
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert!(
        unique.len() >= names.len() * 98 / 100,
        "names are nearly unique"
    );
    assert!(names.iter().any(|n| n.contains("-ML ")));
    assert!(names.iter().any(|n| n.starts_with("Mission locale ")));
    assert!(names.iter().any(|n| n.contains('\'')));
    assert!(
        names
            .iter()
            .any(|n| n.chars().any(|c| "éèêîôÉ".contains(c)))
    );
}

#[test]
fn national_magnitudes_match_published_figures() {
    let sheet = indicators();
    let sum = |label: &str| -> f64 {
        (0..sheet.rows.len())
            .filter_map(|r| sheet.number(r, label))
            .sum()
    };
    let welcomes = sum("Jeunes en premier accueil");
    let contacts = sum("Jeunes en contact");
    assert!(
        (400_000.0..=668_000.0).contains(&welcomes),
        "premiers accueils : {welcomes}"
    );
    assert!(
        (1_087_000.0..=1_813_000.0).contains(&contacts),
        "jeunes en contact : {contacts}"
    );

    let ctx = context();
    let n = ctx.rows.len() as f64;
    let population: f64 = (0..ctx.rows.len())
        .filter_map(|r| ctx.number(r, "Population 16-25 ans"))
        .sum();
    assert!(
        (15_000.0..=20_000.0).contains(&(population / n)),
        "population moyenne : {}",
        population / n
    );
    let defm: f64 = (0..ctx.rows.len())
        .filter_map(|r| ctx.number(r, "DEFM moins de 26 ans"))
        .sum();
    let coverage = welcomes / defm;
    assert!((0.65..=0.85).contains(&coverage), "couverture : {coverage}");
    for r in 0..ctx.rows.len() {
        let pop = ctx.number(r, "Population 16-25 ans").unwrap();
        assert!((1_000.0..=90_000.0).contains(&pop));
        let u = ctx.number(r, "Taux de chômage des jeunes").unwrap();
        assert!((0.15..=0.40).contains(&u), "{u}");
        let d = ctx.number(r, "Part des jeunes sans diplôme").unwrap();
        assert!((0.10..=0.35).contains(&d), "{d}");
        let q = ctx.number(r, "Part des jeunes en QPV").unwrap();
        assert!((0.0..=0.40).contains(&q), "{q}");
        let density = ctx.number(r, "Densité de population").unwrap();
        assert!((1.0..=12_000.0).contains(&density), "{density}");
    }
}

#[test]
fn counts_are_whole_and_consistent() {
    let sheet = indicators();
    for r in 0..sheet.rows.len() {
        let v = |label: &str| sheet.number(r, label);
        for label in &sheet.headers[3..sheet.headers.len() - 1] {
            if let Some(x) = v(label) {
                assert_eq!(x, x.round(), "{label} is a whole number");
                assert!(x >= 0.0);
            }
        }
        let welcomes = v("Jeunes en premier accueil").unwrap();
        let followed = v("Jeunes accompagnés").unwrap();
        assert!(welcomes >= 1.0 && followed >= 1.0);
        if let Some(contacts) = v("Jeunes en contact") {
            assert!(followed <= contacts && welcomes <= contacts);
        }
        if let (Some(employed), Some(durable)) =
            (v("Jeunes en emploi"), v("Jeunes en emploi durable"))
        {
            assert!(durable <= employed && employed <= followed);
        }
        if let (Some(out), Some(durable)) = (
            v("Sorties de CIVIS"),
            v("Sorties de CIVIS en emploi durable"),
        ) {
            assert!(durable <= out);
        }
        let etp = v("ETP conseillers");
        if let Some(etp) = etp {
            assert!(etp > 0.0 && (etp * 10.0 - (etp * 10.0).round()).abs() < 1e-9);
            let per_etp = followed / etp;
            assert!((60.0..=200.0).contains(&per_etp), "{per_etp}");
        }
    }
}

#[test]
fn access_to_employment_depends_on_context() {
    let (ind, ctx) = (indicators(), context());
    let context_row: HashMap<String, usize> = (0..ctx.rows.len())
        .map(|r| (ctx.text(r, "Code structure"), r))
        .collect();
    let (mut rate, mut unemployment, mut no_diploma) = (vec![], vec![], vec![]);
    for r in 0..ind.rows.len() {
        let Some(employed) = ind.number(r, "Jeunes en emploi") else {
            continue;
        };
        let followed = ind.number(r, "Jeunes accompagnés").unwrap();
        let c = context_row[&ind.text(r, "Code ML")];
        rate.push(employed / followed);
        unemployment.push(ctx.number(c, "Taux de chômage des jeunes").unwrap());
        no_diploma.push(ctx.number(c, "Part des jeunes sans diplôme").unwrap());
    }
    let lowest = rate.iter().cloned().fold(f64::INFINITY, f64::min);
    let highest = rate.iter().cloned().fold(0.0, f64::max);
    assert!(lowest >= 0.17 && highest <= 0.63, "{lowest}..{highest}");
    assert!(
        highest - lowest > 0.25,
        "a wide spread: {lowest}..{highest}"
    );
    let r = pearson(&rate, &unemployment);
    assert!(r < -0.4, "correlation with youth unemployment: {r}");
    let r2 = r_squared(&rate, &unemployment, &no_diploma);
    assert!((0.3..=0.65).contains(&r2), "R² on context: {r2}");
}

#[test]
fn a_few_cells_are_not_available() {
    let sheet = indicators();
    let mut missing = 0;
    let mut cells = 0;
    for r in 0..sheet.rows.len() {
        for label in &sheet.headers[3..] {
            cells += 1;
            if sheet.number(r, label).is_none() {
                missing += 1;
                assert!(
                    label != "Jeunes accompagnés" && label != "Jeunes en premier accueil",
                    "{label} is never missing"
                );
            }
        }
    }
    assert!(
        missing > 0 && missing * 100 < cells * 2,
        "{missing} n.d. among {cells}"
    );
}

#[test]
fn several_years_are_in_long_format() {
    let opts = SampleOptions {
        structures: 40,
        years: 3,
        ..SampleOptions::default()
    };
    let sheets = read(&sample_workbook(&opts).unwrap());
    let ind = &sheets["Indicateurs"];
    assert_eq!(
        ind.headers[..4],
        ["Code ML", "Nom de la mission locale", "Région", "Année"]
    );
    assert!(ind.title.contains("années 2010 à 2012"));
    assert_eq!(ind.rows.len(), 120);
    let ctx = &sheets["Contexte"];
    assert_eq!(ctx.headers[..2], ["Code structure", "Année"]);
    assert_eq!(ctx.rows.len(), 120);
    // Three consecutive years per structure, values evolving but of the same magnitude.
    let first = ind.text(0, "Code ML");
    let years: Vec<f64> = (0..3).map(|r| ind.number(r, "Année").unwrap()).collect();
    assert_eq!(years, [2010.0, 2011.0, 2012.0]);
    assert!((0..3).all(|r| ind.text(r, "Code ML") == first));
    let followed: Vec<f64> = (0..3)
        .map(|r| ind.number(r, "Jeunes accompagnés").unwrap())
        .collect();
    assert!(followed[0] != followed[1] || followed[1] != followed[2]);
    assert!(
        followed.iter().all(|f| (f / followed[0] - 1.0).abs() < 0.5),
        "{followed:?}"
    );
}

#[test]
fn command_writes_once_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("exemple.xlsx");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_boussole"))
            .args(["sample", "--structures", "30", "-o"])
            .arg(&target)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("30 missions locales") && stdout.contains("exemple.xlsx"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        sample_workbook(&SampleOptions {
            structures: 30,
            ..SampleOptions::default()
        })
        .unwrap()
    );

    let out = run(&[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert!(run(&["--force"]).status.success());

    let out = Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(["sample", "--structures", "0", "-o"])
        .arg(dir.path().join("autre.xlsx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nombre de structures"));
}

/// `sample --region`: the regional file holds exactly the national sample's rows of that
/// region, in the same order, in both sheets; an unknown name is refused with the nearest
/// region suggested.
#[test]
fn a_regional_sample_is_the_national_rows_of_its_region() {
    let opts = SampleOptions {
        years: 2,
        ..SampleOptions::default()
    };
    let national = read(&sample_workbook(&opts).unwrap());
    let regional = read(&boussole::sample::regional_sample_workbook(&opts, "bretagne").unwrap());
    assert_eq!(
        national.keys().collect::<Vec<_>>(),
        regional.keys().collect::<Vec<_>>()
    );
    // The region's codes, from the sheet that has a region column; every sheet starts
    // with the code.
    let codes: BTreeSet<String> = national
        .values()
        .find_map(|sheet| {
            let region = sheet.headers.iter().position(|h| h == "Région")?;
            Some(
                sheet
                    .rows
                    .iter()
                    .filter(|r| r[region] == Data::String("Bretagne".into()))
                    .map(|r| r[0].to_string())
                    .collect(),
            )
        })
        .expect("a sheet with a region column");
    assert!(codes.len() > 10, "Bretagne holds structures");
    for (name, sheet) in &national {
        let expected: Vec<&Vec<Data>> = sheet
            .rows
            .iter()
            .filter(|r| codes.contains(&r[0].to_string()))
            .collect();
        let got: Vec<&Vec<Data>> = regional[name].rows.iter().collect();
        assert_eq!(got, expected, "{name}");
        assert_eq!(regional[name].headers, sheet.headers);
    }
    let err = boussole::sample::regional_sample_workbook(&opts, "Bretane").unwrap_err();
    assert!(
        err.to_string().contains("vouliez-vous dire : Bretagne"),
        "{err}"
    );
}
