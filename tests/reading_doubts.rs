//! Nothing guessed on reading (issue 16): every doubtful number, missing column, vanished
//! structure, hidden character, unknown region, empty or odd CSV is said where it stands and
//! what was done. Each test builds its file and asserts the diagnostic's text, its place and
//! its severity; the CLI tests check that `inspect --json` and the `run` summary count them.

mod common;

use boussole::dataset::{Dataset, Diagnostic, Missing, Severity, Value};
use boussole::error::{Error, exit};
use boussole::pack::Pack;
use boussole::pack::manifest::{Manifest, Scale};
use boussole::workbook::{read_bytes, read_bytes_for};
use common::{FIELD_HEADER, FIELD_STRUCTURES, boussole, field_csv, stderr, stdout};
use rust_xlsxwriter::Workbook;

fn manifest() -> Manifest {
    Pack::embedded().expect("embedded pack").manifest
}

fn read(csv: &str) -> Dataset {
    read_bytes_for(csv.as_bytes(), "ml.csv", &manifest()).expect("readable")
}

fn refusal(result: Result<Dataset, Error>) -> String {
    match result {
        Err(e) if e.exit_code() == exit::INPUT => e.to_string(),
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

/// The diagnostic at `place` whose message holds `needle`, of that severity.
fn diag<'a>(data: &'a Dataset, severity: Severity, place: &str, needle: &str) -> &'a Diagnostic {
    data.diagnostics
        .iter()
        .find(|d| d.severity == severity && d.place() == place && d.message.contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no {severity:?} at {place} containing {needle:?} in {:#?}",
                data.diagnostics
            )
        })
}

fn warnings(data: &Dataset) -> usize {
    data.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count()
}

const SMALL: &str =
    "Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés;Taux de chômage des jeunes";

/// A small file: one row per (premiers accueils, accompagnés, taux de chômage) triple.
fn small(rows: &[(&str, &str, &str)]) -> String {
    let mut out = format!("{SMALL}\n");
    for (k, (first, accompanied, rate)) in rows.iter().enumerate() {
        out.push_str(&format!(
            "{:05};Bretagne;{first};{accompanied};{rate}\n",
            10001 + k
        ));
    }
    out
}

fn value(data: &Dataset, code: &str, column: &str) -> Value {
    data.structures
        .iter()
        .find(|s| s.id.as_str() == code)
        .unwrap_or_else(|| panic!("structure {code}"))
        .values[column]
        .value
        .clone()
}

#[test]
fn malformed_and_ambiguous_numbers_are_missing_with_a_warning_at_their_cell() {
    let data = read(&small(&[
        ("1.5.2024", "100", "0,2"),
        ("1,2,3", "100", "0,2"),
        ("12.5.3", "100", "0,2"),
        ("1.2.3.4", "100", "0,2"),
        ("1.234", "100", "0,2"),
        ("1,234", "100", "0,2"),
        ("1 234", "1.234.567", "0,2"),
    ]));
    let date = diag(&data, Severity::Warning, "ml!C2", "ressemble à une date");
    assert!(date.message.contains("« 1.5.2024 »"), "{}", date.message);
    assert_eq!(date.action, "valeur traitée comme manquante");
    assert_eq!(
        value(&data, "10001", "premiers_accueils"),
        Value::Missing(Missing::Unreadable("1.5.2024".into()))
    );
    for (place, text) in [
        ("ml!C3", "1,2,3"),
        ("ml!C4", "12.5.3"),
        ("ml!C5", "1.2.3.4"),
    ] {
        let d = diag(&data, Severity::Warning, place, "nombre mal écrit");
        assert!(d.message.contains(&format!("« {text} »")), "{}", d.message);
        assert!(d.message.contains("par trois chiffres"), "{}", d.message);
    }
    // `1.234` and `1,234`: both readings are said, neither is taken.
    let dot = diag(&data, Severity::Warning, "ml!C6", "nombre ambigu « 1.234 »");
    assert!(
        dot.message.contains(
            "1\u{202f}234 (si le point sépare les milliers) ou 1,234 (s'il sépare les décimales)"
        ),
        "{}",
        dot.message
    );
    assert!(
        dot.action
            .starts_with("valeur traitée comme manquante ; l'écrire sans ambiguïté")
    );
    diag(&data, Severity::Warning, "ml!C7", "nombre ambigu « 1,234 »");
    for code in ["10005", "10006"] {
        assert!(matches!(
            value(&data, code, "premiers_accueils"),
            Value::Missing(Missing::Doubtful(_))
        ));
    }
    // Unambiguous spellings are read.
    assert_eq!(
        value(&data, "10007", "premiers_accueils"),
        Value::Number(1234.0)
    );
    assert_eq!(
        value(&data, "10007", "jeunes_accompagnes"),
        Value::Number(1_234_567.0)
    );
}

#[test]
fn values_that_do_not_fit_their_unit_are_missing_never_rescaled() {
    let data = read(&small(&[
        ("100", "12,5", "0,2"),
        ("100", "12,5 %", "0,2"),
        ("100", "200", "28,5"),
        ("100", "200", "28.5"),
        ("100", "200", "128 %"),
        ("100", "200", "28,5 %"),
    ]));
    let fractional = diag(
        &data,
        Severity::Warning,
        "ml!D2",
        "nombre non entier « 12,5 »",
    );
    assert!(fractional.message.contains("« Jeunes accompagnés »"));
    assert!(
        fractional.action.contains("rien n'est arrondi"),
        "{}",
        fractional.action
    );
    assert_eq!(
        value(&data, "10001", "jeunes_accompagnes"),
        Value::Missing(Missing::Doubtful(
            "nombre non entier « 12,5 » pour un effectif".into()
        ))
    );
    diag(
        &data,
        Severity::Warning,
        "ml!D3",
        "pourcentage « 12,5 % » dans la colonne de comptage",
    );
    assert!(matches!(
        value(&data, "10002", "jeunes_accompagnes"),
        Value::Missing(Missing::Doubtful(_))
    ));
    for place in ["ml!E4", "ml!E5"] {
        let d = diag(&data, Severity::Warning, place, "hors de 0 à 1");
        assert!(
            d.message
                .contains("« Taux de chômage des jeunes », une proportion")
        );
        assert!(d.action.contains("écrire 0,285 ou 28,5 %"), "{}", d.action);
        assert!(d.action.contains("rien n'est converti"), "{}", d.action);
    }
    diag(&data, Severity::Warning, "ml!E6", "hors de 0 % à 100 %");
    for code in ["10003", "10004", "10005"] {
        assert!(matches!(
            value(&data, code, "taux_chomage_jeunes"),
            Value::Missing(Missing::Doubtful(_))
        ));
    }
    // A percentage written with its sign is a proportion.
    assert_eq!(
        value(&data, "10006", "taux_chomage_jeunes"),
        Value::Number(0.285)
    );

    // A column the field types in percent: above 100 is a doubt, never divided silently.
    let mut manifest = manifest();
    let rate = manifest
        .columns
        .iter_mut()
        .find(|c| c.id == "taux_chomage_jeunes")
        .unwrap();
    rate.scale = Scale::Percent;
    let csv = small(&[("100", "200", "28,5"), ("100", "200", "128")]);
    let data = read_bytes_for(csv.as_bytes(), "ml.csv", &manifest).unwrap();
    assert_eq!(
        value(&data, "10001", "taux_chomage_jeunes"),
        Value::Number(0.285)
    );
    diag(
        &data,
        Severity::Warning,
        "ml!E3",
        "hors de 0 à 100 (colonne saisie en pourcentage)",
    );
}

/// `field_csv` with the header `from` renamed `to`.
fn renamed(csv: &str, from: &str, to: &str) -> String {
    let (header, rest) = csv.split_once('\n').unwrap();
    let header: Vec<&str> = header
        .split(';')
        .map(|h| if h == from { to } else { h })
        .collect();
    format!("{}\n{rest}", header.join(";"))
}

#[test]
fn a_column_missing_everywhere_is_a_warning_suggesting_the_nearest_header() {
    let csv = renamed(
        &field_csv(&[2024], &FIELD_STRUCTURES),
        "Jeunes en emploi",
        "Jeune en emplois",
    );
    let data = read(&csv);
    let d = diag(
        &data,
        Severity::Warning,
        "ml!L1",
        "« Jeune en emplois » (ml!L1) : vouliez-vous dire « Jeunes en emploi » ?",
    );
    assert!(
        d.message
            .contains("Colonne « Jeunes en emploi » absente du classeur"),
        "{}",
        d.message
    );
    assert!(
        d.action.contains("« Taux d'accès à l'emploi »"),
        "{}",
        d.action
    );
    assert!(d.action.contains("corriger l'en-tête"), "{}", d.action);
    // A column nothing rests on (the name) stays an information.
    let csv = renamed(
        &field_csv(&[2024], &FIELD_STRUCTURES),
        "Nom de la mission locale",
        "Intitulé",
    );
    let data = read(&csv);
    assert!(data.diagnostics.iter().any(|d| {
        d.severity == Severity::Info
            && d.message
                .contains("colonne « Nom de la mission locale » absente du classeur")
    }));
}

#[test]
fn every_missing_required_column_is_named_with_its_suggestion() {
    let csv = "Code ML;Regoin;Jeunes en premier accueil;Jeune accompagnés\n01053;Bretagne;1;2\n";
    let message = refusal(read_bytes_for(csv.as_bytes(), "ml.csv", &manifest()));
    assert!(
        message.contains("2 colonnes obligatoires sont introuvables"),
        "{message}"
    );
    assert!(
        message.contains("« Regoin » (ml!B1) : vouliez-vous dire « Région » ?"),
        "{message}"
    );
    assert!(
        message
            .contains("« Jeune accompagnés » (ml!D1) : vouliez-vous dire « Jeunes accompagnés » ?"),
        "{message}"
    );
    assert!(message.contains("feuilles examinées : ml"), "{message}");
}

#[test]
fn punctuation_inside_words_is_ignored_in_headers() {
    let mut manifest = manifest();
    let accompanied = manifest
        .columns
        .iter_mut()
        .find(|c| c.id == "jeunes_accompagnes")
        .unwrap();
    accompanied.aliases.push("Nb JA".into());
    let csv = "Code-ML;Ré.gion;Jeunes en premier-accueil;Nb. J.A.\n01053;Bretagne;1;2\n";
    let data = read_bytes_for(csv.as_bytes(), "ml.csv", &manifest).unwrap();
    let s = &data.structures[0];
    assert_eq!(s.region, "Bretagne");
    assert_eq!(s.value("premiers_accueils"), Some(1.0));
    assert_eq!(s.value("jeunes_accompagnes"), Some(2.0));
}

#[test]
fn a_structure_absent_from_the_latest_year_is_reported() {
    let csv = field_csv(&[2023, 2024], &FIELD_STRUCTURES);
    // Drop 38185's 2024 row (the third structure of the second year).
    let lines: Vec<&str> = csv
        .lines()
        .filter(|l| !(l.starts_with("38185;") && l.contains(";2024;")))
        .collect();
    let data = read(&(lines.join("\n") + "\n"));
    let d = diag(
        &data,
        Severity::Warning,
        "ml!A4",
        "la structure 38185 (Mission locale de Grenoble) figure en 2023 mais pas en 2024, la dernière année du classeur",
    );
    assert!(d.action.contains("elle n'est pas analysée"), "{}", d.action);
}

#[test]
fn hidden_characters_and_full_width_forms_are_cleaned_and_said() {
    let csv = format!(
        "{SMALL}\n10001\u{200B};Bretagne;10;20;0,2\n\u{FF11}\u{FF10}\u{FF10}\u{FF10}\u{FF12};Bretagne\u{2060};10;20;0,2\n\
         10003;\u{202B}Bretagne\u{202C};10;20;0,2\n"
    );
    let data = read(&csv);
    let codes: Vec<&str> = data.structures.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(codes, ["10001", "10002", "10003"]);
    assert!(data.structures.iter().all(|s| s.region == "Bretagne"));
    let d = diag(
        &data,
        Severity::Warning,
        "ml!A2",
        "code « 10001 » : caractère invisible retiré (U+200B)",
    );
    assert_eq!(d.action, "code lu comme « 10001 »");
    diag(&data, Severity::Warning, "ml!A3", "pleine chasse");
    diag(
        &data,
        Severity::Warning,
        "ml!B3",
        "région « Bretagne » : caractère invisible retiré (U+2060)",
    );
    diag(&data, Severity::Warning, "ml!B4", "U+202B, U+202C");
    // No region of its own came from a hidden character: none is unknown.
    assert!(
        !data
            .diagnostics
            .iter()
            .any(|d| d.message.contains("inconnue"))
    );
}

#[test]
fn codes_that_differ_only_by_case_are_one_structure() {
    let csv = format!("{SMALL};Année\n2a004;Corse;10;20;0,2;2023\n2A004;Corse;11;21;0,2;2024\n");
    let data = read(&csv);
    let years: Vec<(&str, Option<i32>)> = data
        .structures
        .iter()
        .map(|s| (s.id.as_str(), s.year))
        .collect();
    assert_eq!(years, [("2A004", Some(2023)), ("2A004", Some(2024))]);
    let d = diag(
        &data,
        Severity::Warning,
        "ml!A2",
        "code « 2a004 » écrit en minuscules",
    );
    assert!(d.action.contains("« 2A004 »"), "{}", d.action);
}

#[test]
fn an_unknown_region_is_a_warning_naming_the_nearest_known_one() {
    let csv = format!(
        "{SMALL}\n10001;Bretagne;10;20;0,2\n10002;Bretgne;10;20;0,2\n10003;Bretgne;10;20;0,2\n"
    );
    let data = read(&csv);
    let d = diag(
        &data,
        Severity::Warning,
        "ml!B3",
        "région « Bretgne » inconnue des seuils du pack et des 18 régions (2 lignes) : vouliez-vous dire « Bretagne » ?",
    );
    assert!(d.action.contains("aux seuils de base"), "{}", d.action);
    assert_eq!(
        data.diagnostics
            .iter()
            .filter(|d| d.message.contains("inconnue"))
            .count(),
        1
    );
}

#[test]
fn a_workbook_without_data_is_refused_for_analysis() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("Indicateurs").unwrap();
    for (c, h) in SMALL.split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let message = refusal(read_bytes_for(&bytes, "vide.xlsx", &manifest()));
    assert!(
        message.contains("aucune structure à analyser : l'en-tête est trouvé (feuilles « Indicateurs ») mais aucune ligne de données ne le suit (modèle vierge ?)"),
        "{message}"
    );
    // Read without the analysis in view (`check`), it is a warning.
    let data = read_bytes(&bytes, "vide.xlsx", &manifest().columns).unwrap();
    assert!(
        data.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.message.contains("aucune structure lue"))
    );

    // The blank template and a header-only CSV: `run` exits 3 and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let made = boussole(&["template", "-o", "modele.xlsx"], dir.path());
    assert!(made.status.success(), "{}", stderr(&made));
    std::fs::write(dir.path().join("entete.csv"), format!("{FIELD_HEADER}\n")).unwrap();
    for input in ["modele.xlsx", "entete.csv"] {
        let out = boussole(&["run", input, "-o", "sortie.xlsx"], dir.path());
        assert_eq!(out.status.code(), Some(3), "{input}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("aucune structure à analyser"),
            "{}",
            stderr(&out)
        );
        assert!(!dir.path().join("sortie.xlsx").exists());
    }
}

#[test]
fn a_csv_with_cr_only_line_endings_is_read() {
    let csv = small(&[("10", "20", "0,2"), ("11", "21", "0,3")]).replace('\n', "\r");
    let data = read(&csv);
    assert_eq!(data.structures.len(), 2);
    assert_eq!(data.structures[1].value("jeunes_accompagnes"), Some(21.0));
    assert_eq!(data.sheets[0].rows_read, 2);
}

#[test]
fn a_utf8_csv_with_one_windows_1252_byte_is_read_saying_where() {
    let mut bytes = "Code ML;Nom ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n\
                     10001;Mission locale de Rennes;Bretagne;10;20\n10002;Mission locale de "
        .as_bytes()
        .to_vec();
    // 1-based position of the byte after the `S`.
    let position = bytes.len() + 2;
    bytes.extend_from_slice(b"S\xe8te;Occitanie;10;20\n");
    let data = read_bytes_for(&bytes, "ml.csv", &manifest()).expect("read, not refused");
    assert_eq!(data.structures.len(), 2);
    assert_eq!(data.structures[1].name, "Mission locale de Sète");
    assert_eq!(data.structures[0].region, "Bretagne");
    let d = diag(
        &data,
        Severity::Warning,
        "ml",
        "fichier en UTF-8 contenant 1 octet invalide en UTF-8",
    );
    assert!(
        d.message.contains(&format!(
            "octet 0xE8 en position {position} (ligne 3), lu « è »"
        )),
        "{}",
        d.message
    );
    assert!(d.action.contains("Windows-1252"), "{}", d.action);
}

#[test]
fn a_csv_wider_than_a_sheet_says_what_is_kept() {
    let mut csv = format!("{SMALL}\n10001;Bretagne;10;20;0,2");
    csv.push_str(&";x".repeat(16_400));
    csv.push('\n');
    let data = read(&csv);
    assert_eq!(data.structures.len(), 1);
    let d = diag(&data, Severity::Warning, "ml", "au-delà de la colonne XFD");
    assert!(
        d.message
            .starts_with("1 ligne du fichier CSV (la première : ligne 2)"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("la plus large compte 16\u{202f}405 colonnes"),
        "{}",
        d.message
    );
    assert_eq!(
        d.action,
        "seules les colonnes A à XFD sont lues ; les valeurs au-delà sont ignorées"
    );
}

#[test]
fn inspect_and_run_count_the_warnings_and_show_the_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let clean = field_csv(&[2024], &FIELD_STRUCTURES);
    std::fs::write(dir.path().join("propre.csv"), &clean).unwrap();
    // One doubtful count and a misspelt optional header.
    let doubtful =
        renamed(&clean, "Jeunes en emploi", "Jeune en emplois").replacen(";1000;", ";12,5;", 1);
    std::fs::write(dir.path().join("douteux.csv"), &doubtful).unwrap();

    let json = boussole(&["inspect", "douteux.csv", "--json"], dir.path());
    assert!(json.status.success(), "{}", stderr(&json));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let diags = doc["diagnostics"].as_array().unwrap();
    let find = |cell: &str, needle: &str| {
        diags
            .iter()
            .find(|d| d["cell"] == cell && d["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("{cell} {needle} in {diags:#?}"))
    };
    let count = find("G2", "nombre non entier « 12,5 »");
    assert_eq!(count["severity"], "warning");
    assert_eq!(count["sheet"], "douteux");
    let header = find("L1", "vouliez-vous dire « Jeunes en emploi » ?");
    assert_eq!(header["severity"], "warning");
    let s = &doc["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "01053")
        .unwrap()["values"]["jeunes_accompagnes"];
    assert_eq!(s["value"], serde_json::Value::Null);
    assert_eq!(s["missing_kind"], "doubtful");

    let text = boussole(&["inspect", "douteux.csv"], dir.path());
    assert!(
        stdout(&text).contains(
            "« Jeune en emplois » (douteux!L1) : vouliez-vous dire « Jeunes en emploi » ?"
        ),
        "{}",
        stdout(&text)
    );

    // The run summary counts both warnings more than the clean file's.
    let warnings_of = |input: &str| -> usize {
        let out = boussole(&["run", input, "-o", &format!("{input}.xlsx")], dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let said = stdout(&out);
        let before = said
            .split(" avertissement")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .unwrap_or_else(|| panic!("{said}"));
        before.parse().unwrap_or_else(|_| panic!("{said}"))
    };
    let base = warnings_of("propre.csv");
    // The analysis may add its own warnings for the missing value; reading adds two.
    assert!(warnings_of("douteux.csv") >= base + 2);
    let data = read(&doubtful);
    assert_eq!(warnings(&data), warnings(&read(&clean)) + 2);
}
