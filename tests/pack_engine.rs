//! The rule pack engine as a library: loading the embedded and folder packs, compiling
//! with strict variables, errors that point (file, line, column, snippet), the sandbox and
//! its limits, the script API at run time, regional thresholds, `check`'s lints, manifest
//! refusals and the pack's own test cases.
//!
//! Every pack here starts from the embedded `cpo` pack and changes one thing, in memory or
//! in a temporary folder, so each test shows the one behaviour it names.

use boussole::analysis::analyse::{Overrides, analyse};
use boussole::analysis::cases::run_all;
use boussole::analysis::results::{FindingKind, Results, ThresholdUse};
use boussole::dataset::{Dataset, Observation, Severity, Structure, StructureId, Value};
use boussole::error::exit;
use boussole::pack::engine::errors::ScriptError;
use boussole::pack::engine::{CompiledPack, Limits};
use boussole::pack::lint::{Lint, lint_pack};
use boussole::pack::{EMBEDDED_CPO, Origin, Pack};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The binary's counting allocator (around the system's here), so that the rules' memory
/// budget is enforced in these tests as in `boussole`.
#[global_allocator]
static ALLOCATOR: boussole::pack::engine::memory::Counting<std::alloc::System> =
    boussole::pack::engine::memory::Counting(std::alloc::System);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The embedded pack's files, by relative path.
fn embedded_files() -> BTreeMap<String, String> {
    EMBEDDED_CPO
        .iter()
        .map(|(path, content)| (path.to_string(), content.to_string()))
        .collect()
}

fn embedded_text(path: &str) -> String {
    embedded_files()
        .remove(path)
        .unwrap_or_else(|| panic!("{path} is not in the embedded pack"))
}

/// `text` with the first occurrence of `from` replaced; panics when `from` is absent so a
/// test never silently checks an unchanged pack.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "« {from} » not found in the text");
    text.replacen(from, to, 1)
}

/// Writes `files` into a fresh folder.
fn write_folder(files: &BTreeMap<String, String>) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (path, content) in files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().expect("a parent folder")).expect("create folder");
        std::fs::write(&target, content).expect("write pack file");
    }
    dir
}

/// The embedded pack written to a folder with one file replaced, then loaded from there.
fn folder_pack_with(path: &str, content: &str) -> (TempDir, Pack) {
    let mut files = embedded_files();
    files.insert(path.to_string(), content.to_string());
    let dir = write_folder(&files);
    let pack = Pack::from_dir(dir.path()).expect("the folder pack loads");
    (dir, pack)
}

/// The embedded pack with one file replaced, in memory.
fn pack_with(path: &str, content: &str) -> Pack {
    let mut files = embedded_files();
    files.insert(path.to_string(), content.to_string());
    Pack::from_files(files, Origin::Embedded).expect("the pack loads")
}

/// The embedded pack whose recommendations script is `script`.
fn pack_with_recommendations(script: &str) -> Pack {
    pack_with("recommandations.rhai", script)
}

fn compile_error(pack: &Pack) -> ScriptError {
    match CompiledPack::compile(pack) {
        Ok(_) => panic!("the pack should not compile"),
        Err(e) => e,
    }
}

/// One structure with the given numeric values.
fn structure(code: &str, region: &str, values: &[(&str, f64)]) -> Structure {
    Structure {
        id: StructureId::new(code.to_string()),
        name: format!("Mission locale {code}"),
        region: region.to_string(),
        year: None,
        typology: None,
        values: values
            .iter()
            .map(|(column, v)| {
                (
                    column.to_string(),
                    Observation {
                        value: Value::Number(*v),
                        cell: None,
                    },
                )
            })
            .collect(),
        id_cells: Vec::new(),
    }
}

fn dataset(structures: Vec<Structure>) -> Dataset {
    Dataset {
        structures,
        ..Dataset::default()
    }
}

/// A dataset of one structure, enough to run both scripts once.
fn one_structure() -> Dataset {
    dataset(vec![structure(
        "00001",
        "Bretagne",
        &[("premiers_accueils", 300.0), ("defm_moins_26", 1000.0)],
    )])
}

/// Compiles `pack` with `limits`, analyses one structure and returns the error text and
/// how long it took (only to guard against hangs).
fn evaluation_error_with(pack: &Pack, limits: Limits) -> (String, Duration) {
    let compiled = CompiledPack::compile_with_limits(pack, limits).expect("the pack compiles");
    let start = Instant::now();
    let result = analyse(&one_structure(), &compiled, &Overrides::default());
    let elapsed = start.elapsed();
    match result {
        Err(e) if e.exit_code() == exit::PACK => (e.to_string(), elapsed),
        Err(other) => panic!("expected a pack error, got {other:?}"),
        Ok(_) => panic!("the evaluation should fail"),
    }
}

fn evaluation_error(recommendations: &str) -> String {
    let (message, elapsed) = evaluation_error_with(
        &pack_with_recommendations(recommendations),
        Limits::default(),
    );
    assert!(elapsed < HANG_GUARD, "took {elapsed:?}: {message}");
    message
}

/// Not a performance assertion: a guard so a broken limit fails instead of hanging.
const HANG_GUARD: Duration = Duration::from_secs(10);

/// The recommendations one structure of `data` gets, by id.
fn recommendations_of(results: &Results, code: &str) -> Vec<String> {
    structure_result(results, code)
        .recommendations
        .iter()
        .map(|r| r.id.clone())
        .collect()
}

fn structure_result<'a>(
    results: &'a Results,
    code: &str,
) -> &'a boussole::analysis::results::StructureResult {
    results
        .structures
        .iter()
        .find(|s| s.id.as_str() == code)
        .unwrap_or_else(|| panic!("structure {code} not in the results"))
}

/// The recommendations the embedded pack makes for a script reading one structure.
fn recommendations_for_script(script: &str) -> Vec<String> {
    let compiled =
        CompiledPack::compile(&pack_with_recommendations(script)).expect("the pack compiles");
    let results =
        analyse(&one_structure(), &compiled, &Overrides::default()).expect("evaluation succeeds");
    recommendations_of(&results, "00001")
}

/// 1-based line of the first line of `text` containing `needle`, and that line trimmed.
fn line_of(text: &str, needle: &str) -> (usize, String) {
    text.lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .unwrap_or_else(|| panic!("« {needle} » not found"))
}

/// Lints of `pack` that the embedded pack does not have: what the change introduced.
fn new_lints(pack: &Pack) -> Vec<Lint> {
    let before = lint_pack(&Pack::embedded().expect("embedded pack"));
    lint_pack(pack)
        .into_iter()
        .filter(|l| !before.contains(l))
        .collect()
}

fn lint_of(severity: Severity, place: &str, message: &str) -> Lint {
    Lint {
        severity,
        place: place.to_string(),
        message: message.to_string(),
    }
}

fn manifest_with(from: &str, to: &str) -> Pack {
    pack_with(
        "pack.toml",
        &replace_once(&embedded_text("pack.toml"), from, to),
    )
}

fn manifest_refusal(text: &str) -> String {
    let mut files = embedded_files();
    files.insert("pack.toml".into(), text.to_string());
    match Pack::from_files(files, Origin::Embedded) {
        Err(e) if e.exit_code() == exit::PACK => e.to_string(),
        Err(other) => panic!("expected a pack error, got {other:?}"),
        Ok(_) => panic!("the manifest should be refused"),
    }
}

// ---------------------------------------------------------------------------------------
// Loading and compiling
// ---------------------------------------------------------------------------------------

#[test]
fn embedded_pack_loads_compiles_and_has_a_stable_hash() {
    let first = Pack::embedded().expect("embedded pack loads");
    let second = Pack::embedded().expect("embedded pack loads again");
    assert_eq!(first.origin, Origin::Embedded);
    assert_eq!(first.manifest.pack.name, "cpo");
    assert_eq!(first.hash(), second.hash());
    assert_eq!(first.hash().len(), 64);
    assert!(first.hash().chars().all(|c| c.is_ascii_hexdigit()));
    let compiled = CompiledPack::compile(&first).expect("embedded pack compiles");
    assert_eq!(
        compiled.script_names(),
        ["constats.rhai", "recommandations.rhai", "regions.rhai"]
    );
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("read rules folder") {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
}

#[test]
fn embedded_cpo_lists_exactly_the_files_of_the_rules_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cpo");
    let mut on_disk = Vec::new();
    walk(&root, &root, &mut on_disk);
    on_disk.sort();
    let listed: Vec<&str> = EMBEDDED_CPO.iter().map(|(p, _)| *p).collect();
    let found: Vec<&str> = on_disk.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(listed, found);
    for ((path, content), (_, file)) in EMBEDDED_CPO.iter().zip(&on_disk) {
        let disk = std::fs::read_to_string(file).expect("read pack file");
        assert!(*content == disk, "{path} differs from the embedded copy");
    }
}

#[test]
fn the_rules_folder_loaded_from_disk_has_the_embedded_hash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cpo");
    let from_disk = Pack::from_dir(&root).expect("rules/cpo loads");
    assert_eq!(from_disk.origin, Origin::Folder(root));
    assert_eq!(
        from_disk.hash(),
        Pack::embedded().expect("embedded pack").hash()
    );
}

#[test]
fn a_pack_folder_built_from_the_embedded_files_with_a_changed_script_compiles() {
    let script = embedded_text("recommandations.rhai")
        + "\n// Ajout local : accès à l'emploi sous la médiane nationale.\n\
           if taux_acces_emploi.moins_bien_que_la_mediane(\"national\") {\n    recommander(\"acces_emploi\");\n}\n";
    let (dir, pack) = folder_pack_with("recommandations.rhai", &script);
    assert_eq!(pack.origin, Origin::Folder(dir.path().to_path_buf()));
    assert_eq!(
        pack.files.keys().collect::<Vec<_>>(),
        [
            "constats.rhai",
            "pack.toml",
            "recommandations.rhai",
            "regions.rhai",
            "tests/cas.toml"
        ]
    );
    assert_eq!(pack.files["recommandations.rhai"], script);
    assert_ne!(pack.hash(), Pack::embedded().expect("embedded pack").hash());
    CompiledPack::compile(&pack).expect("the changed pack compiles");
}

#[test]
fn a_folder_without_manifest_is_refused() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("constats.rhai"), "").expect("write");
    let message = match Pack::from_dir(dir.path()) {
        Err(e) if e.exit_code() == exit::PACK => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        message,
        format!(
            "le dossier de règles « {} » ne contient pas de manifeste pack.toml",
            dir.path().display()
        )
    );
}

#[test]
fn a_script_declared_in_the_manifest_but_absent_is_refused() {
    let mut files = embedded_files();
    files.remove("constats.rhai");
    match Pack::from_files(files, Origin::Embedded) {
        Err(e) if e.exit_code() == exit::PACK => assert_eq!(
            e.to_string(),
            "pack.toml : le script « constats.rhai » déclaré dans [scripts] est introuvable dans le pack"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Compile-time errors
// ---------------------------------------------------------------------------------------

#[test]
fn a_syntax_error_names_the_script_line_and_column_with_the_snippet_and_a_marker() {
    let pack = pack_with_recommendations(
        "// Une parenthèse n'est pas fermée à la ligne 3.\nlet a = 1;\nlet c = (a + 2;\n",
    );
    let e = compile_error(&pack);
    assert_eq!(e.script, "recommandations.rhai");
    assert_eq!(e.line, Some(3));
    assert_eq!(e.column, Some(15));
    assert_eq!(e.snippet.as_deref(), Some("let c = (a + 2;"));
    assert!(e.message.starts_with("« ) » attendu"), "{}", e.message);
    let shown = e.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 4, "{shown}");
    assert!(
        lines[0].starts_with("recommandations.rhai, ligne 3, colonne 15 : « ) » attendu"),
        "{shown}"
    );
    assert_eq!(lines[1], "   |");
    assert_eq!(lines[2], " 3 | let c = (a + 2;");
    // The marker sits under column 15, the `;` where `)` was expected.
    assert_eq!(lines[3], "   |               ^");
}

/// A missing token (`describe_parse_error`, `MissingToken`) is reported in French only:
/// Rhai's English explanation (« for a matching ( in this expression ») is not appended.
#[test]
fn a_missing_token_message_is_entirely_french() {
    let e = compile_error(&pack_with_recommendations("let c = (1 + 2;\n"));
    assert!(!e.message.contains("for a matching"), "{}", e.message);
}

#[test]
fn a_misspelt_indicator_fails_compilation_with_close_names() {
    let e = compile_error(&pack_with_recommendations(
        "if taux_acces_emplo.valeur > 0.5 {\n    recommander(\"acces_emploi\");\n}\n",
    ));
    assert_eq!(
        (e.script.as_str(), e.line, e.column),
        ("recommandations.rhai", Some(1), Some(4))
    );
    assert_eq!(
        e.message,
        "variable ou indicateur inconnu « taux_acces_emplo » ; vouliez-vous dire : taux_acces_emploi, taux_chomage_jeunes, taux_emploi_durable ?"
    );
}

#[test]
fn a_misspelt_indicator_in_the_findings_script_names_that_script() {
    let script = replace_once(
        &embedded_text("constats.rhai"),
        "ind.dans_le_quart_fort",
        "indi.dans_le_quart_fort",
    );
    let e = compile_error(&pack_with("constats.rhai", &script));
    assert_eq!(e.script, "constats.rhai");
    let (line, _) = line_of(&script, "indi.dans_le_quart_fort");
    assert_eq!(e.line, Some(line));
    assert!(
        e.message
            .starts_with("variable ou indicateur inconnu « indi » ; vouliez-vous dire : ind"),
        "{}",
        e.message
    );
}

#[test]
fn print_eval_and_debug_are_refused_at_compile_time() {
    for (script, word) in [
        ("print(\"x\");", "print"),
        ("eval(\"1\");", "eval"),
        ("debug(1);", "debug"),
    ] {
        let e = compile_error(&pack_with_recommendations(script));
        assert_eq!(
            (e.script.as_str(), e.line, e.column),
            ("recommandations.rhai", Some(1), Some(1))
        );
        assert!(e.message.contains(word), "{script}: {}", e.message);
    }
}

/// `print`, `eval` and `debug` (disabled symbols, which Rhai reports as
/// `BadInput(ImproperSymbol(..))` rather than `Reserved`) are refused at compile time with
/// the sandbox message, not Rhai's « reserved keyword 'print' is disabled ».
#[test]
fn print_eval_and_debug_are_refused_with_the_sandbox_message() {
    for word in ["print", "eval", "debug"] {
        let e = compile_error(&pack_with_recommendations(&format!("{word}(\"x\");")));
        assert!(
            e.message.starts_with(&format!(
                "« {word} » est interdit dans les règles (bac à sable)"
            )),
            "{}",
            e.message
        );
    }
}

#[test]
fn import_is_refused_at_compile_time() {
    let e = compile_error(&pack_with_recommendations("import \"x\" as y;\n"));
    assert_eq!(
        (e.script.as_str(), e.line, e.column),
        ("recommandations.rhai", Some(1), Some(1))
    );
    assert_eq!(
        e.message,
        "« import » est un mot réservé et ne peut pas servir ici"
    );
}

#[test]
fn a_deeply_nested_expression_is_refused_at_compile_time() {
    let depth = 200;
    let script = format!("let x = {}1{};\n", "(".repeat(depth), ")".repeat(depth));
    let start = Instant::now();
    let e = compile_error(&pack_with_recommendations(&script));
    assert!(start.elapsed() < HANG_GUARD);
    assert_eq!(e.script, "recommandations.rhai");
    assert_eq!(e.line, Some(1));
    assert_eq!(e.message, "expression trop profondément imbriquée");
}

#[test]
fn indicators_are_read_only() {
    let message = evaluation_error("taux_couverture = 3;");
    assert!(
        message.starts_with(
            "erreur dans les règles, recommandations.rhai, ligne 1, colonne 1 : « taux_couverture » est en lecture seule"
        ),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// Hostile scripts stop with a message naming the script
// ---------------------------------------------------------------------------------------

#[test]
fn an_endless_loop_is_stopped_by_the_operations_limit() {
    for script in ["loop {}", "while true {}"] {
        let message = evaluation_error(script);
        assert!(
            message.starts_with("erreur dans les règles, recommandations.rhai, ligne 1, colonne"),
            "{message}"
        );
        assert!(
            message.contains(
                "le script a dépassé 500000 opérations (boucle sans fin ?) ; arrêté (pendant l'évaluation : structure 00001 (Mission locale 00001))"
            ),
            "{message}"
        );
    }
}

#[test]
fn an_endless_loop_is_stopped_by_the_time_budget_when_operations_are_not_counted_out() {
    let limits = Limits {
        max_operations: u64::MAX,
        time_budget: Duration::from_millis(200),
        ..Limits::default()
    };
    let (message, elapsed) = evaluation_error_with(&pack_with_recommendations("loop {}"), limits);
    assert!(elapsed < HANG_GUARD, "took {elapsed:?}");
    assert!(
        message.starts_with("erreur dans les règles, recommandations.rhai, ligne 1"),
        "{message}"
    );
    assert!(
        message.contains("le script a dépassé le temps permis (0.2 s) ; arrêté"),
        "{message}"
    );
}

#[test]
fn runaway_recursion_is_stopped_at_the_call_depth_limit() {
    let message = evaluation_error("fn f(x) { f(x + 1) }\nf(0)");
    assert!(
        message.starts_with("erreur dans les règles, recommandations.rhai, ligne"),
        "{message}"
    );
    assert!(
        message.contains("appels imbriqués au-delà de 48 niveaux (récursion sans fin ?) ; arrêté"),
        "{message}"
    );
}

#[test]
fn a_string_doubled_in_a_loop_is_stopped_at_the_string_size_limit() {
    let message = evaluation_error("let s = \"x\";\nloop { s += s; }");
    assert!(
        message.starts_with("erreur dans les règles, recommandations.rhai, ligne 2"),
        "{message}"
    );
    assert!(message.contains("donnée trop grande"), "{message}");
    assert!(
        message.contains("(texte 100000 caractères, liste 10000 éléments, table 10000 entrées)"),
        "{message}"
    );
}

#[test]
fn an_array_grown_in_a_loop_is_stopped_at_the_array_size_limit() {
    let message = evaluation_error("let a = [];\nloop { a.push(1); }");
    assert!(
        message.starts_with("erreur dans les règles, recommandations.rhai, ligne 2"),
        "{message}"
    );
    assert!(message.contains("donnée trop grande"), "{message}");
}

/// A text of 50 000 characters, built by doubling (within Rhai's size limit).
const BIG_TEXT: &str = "let s = \"x\";\nwhile s.len() < 50000 { s += s; }\n";
/// A list of 5 000 numbers (about 80 kB).
const BIG_LIST: &str = "let l = [];\nl.pad(5000, 1);\n";

/// Scripts whose data Rhai's size limits do not see: held by function pointers, closures,
/// or copied by `pad`. Each is stopped by the memory budget, within seconds, naming the
/// script and the structure.
#[test]
fn data_held_by_function_pointers_closures_and_maps_is_stopped_at_the_memory_budget() {
    let scripts = [
        // A function pointer curried with itself: doubles at every turn.
        "let f = Fn(\"x\");\nloop { f = f.curry(f); }".to_string(),
        // A map filled with large texts held by function pointers.
        format!(
            "{BIG_TEXT}let m = #{{}};\nlet i = 0;\nloop {{ m[`k${{i}}`] = Fn(\"x\").curry(s + i); i += 1; }}"
        ),
        // Closures each capturing a large text.
        format!("{BIG_TEXT}let fs = [];\nloop {{ let t = s + fs.len(); fs.push(|| t); }}"),
        // Ten thousand copies of a function pointer holding a list of 5 000 numbers, in one
        // call (texts are shared, not copied: a list is).
        format!("{BIG_LIST}let f = Fn(\"x\").curry(l);\nlet a = [];\na.pad(10000, f);"),
    ];
    for script in &scripts {
        let pack = pack_with("constats.rhai", script);
        let (message, elapsed) = evaluation_error_with(&pack, Limits::default());
        assert!(elapsed < HANG_GUARD, "took {elapsed:?}: {message}");
        assert!(
            message.starts_with("erreur dans les règles, constats.rhai, ligne"),
            "{script}: {message}"
        );
        assert!(
            message.contains("le script a dépassé la mémoire permise (16 Mio par évaluation"),
            "{script}: {message}"
        );
        assert!(
            message.contains("(pendant l'évaluation : structure 00001 (Mission locale 00001), indicateur taux_couverture)"),
            "{message}"
        );
    }
}

/// The budget is per evaluation: a script that builds a large value and lets it go is
/// never stopped, whatever the number of structures, and one well under the budget passes.
#[test]
fn a_script_under_the_memory_budget_runs() {
    let script = format!("{BIG_LIST}let f = Fn(\"x\").curry(l);\nlet a = [];\na.pad(100, f);");
    let pack = pack_with("constats.rhai", &script);
    let compiled = CompiledPack::compile(&pack).expect("the pack compiles");
    let data = dataset(
        (1..=20)
            .map(|i| {
                structure(
                    &format!("{i:05}"),
                    "Bretagne",
                    &[("premiers_accueils", 300.0), ("defm_moins_26", 1000.0)],
                )
            })
            .collect(),
    );
    analyse(&data, &compiled, &Overrides::default()).expect("100 copies of 80 kB fit");
    let tight = Limits {
        max_memory: 1024 * 1024,
        ..Limits::default()
    };
    let (message, _) = evaluation_error_with(&pack, tight);
    assert!(
        message.contains("la mémoire permise (1 Mio par évaluation"),
        "{message}"
    );
}

#[test]
fn a_hostile_findings_script_names_the_script_the_structure_and_the_indicator() {
    // Findings run only for judged indicators with a value: here taux_couverture alone.
    let pack = pack_with("constats.rhai", "loop {}\n");
    let (message, elapsed) = evaluation_error_with(&pack, Limits::default());
    assert!(elapsed < HANG_GUARD);
    assert!(
        message.starts_with("erreur dans les règles, constats.rhai, ligne 1"),
        "{message}"
    );
    assert!(
        message.contains("(pendant l'évaluation : structure 00001 (Mission locale 00001), indicateur taux_couverture)"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// Run-time errors and semantics of the script API
// ---------------------------------------------------------------------------------------

#[test]
fn arithmetic_on_text_and_a_number_names_both_types() {
    let message = evaluation_error("if ml.nom * 2.0 > 1.0 { recommander(\"aller_vers\"); }");
    assert!(
        message.contains(
            "recommandations.rhai, ligne 1, colonne 11 : types incompatibles pour « * » : texte et nombre décimal"
        ),
        "{message}"
    );
}

/// Comparing text with a number (`if ml.nom < 1.5`) is an evaluation error naming both
/// types (« texte », « nombre »), not a silently false condition: the engine registers
/// failing comparisons for text against numbers, ahead of Rhai's built-in fallback.
#[test]
fn comparing_text_with_a_number_is_a_type_error_naming_both_types() {
    let pack = pack_with_recommendations("if ml.nom < 1.5 { recommander(\"aller_vers\"); }");
    let compiled = CompiledPack::compile(&pack).expect("compiles");
    match analyse(&one_structure(), &compiled, &Overrides::default()) {
        Err(e) if e.exit_code() == exit::PACK => {
            let message = e.to_string();
            assert!(message.contains("texte"), "{message}");
            assert!(message.contains("nombre"), "{message}");
        }
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(results) => panic!(
            "comparing text with a number was accepted; recommendations: {:?}",
            recommendations_of(&results, "00001")
        ),
    }
}

#[test]
fn arithmetic_on_a_missing_value_says_how_to_test_it() {
    // taux_penetration is missing: jeunes_en_contact is not given.
    let message =
        evaluation_error("if taux_penetration.valeur + 1.0 > 0.5 { recommander(\"aller_vers\"); }");
    assert!(
        message.contains(
            "types incompatibles pour « + » : valeur manquante () et nombre décimal ; une valeur manquante se teste avec .disponible"
        ),
        "{message}"
    );
}

/// A missing value as the second operand of an arithmetic operation is named as such in
/// the message (« nombre décimal et valeur manquante () »): the closing parenthesis of the
/// trailing `()` argument is kept when the signature is described.
#[test]
fn a_missing_value_as_second_operand_is_named_in_the_message() {
    let message =
        evaluation_error("if 1.0 + taux_penetration.valeur > 0.5 { recommander(\"aller_vers\"); }");
    assert!(
        message.contains("types incompatibles pour « + » : nombre décimal et valeur manquante ()"),
        "{message}"
    );
}

#[test]
fn a_missing_value_compared_with_a_number_satisfies_no_ordering_condition() {
    for op in ["<", ">", "<=", ">=", "=="] {
        let script =
            format!("if taux_penetration.valeur {op} 0.5 {{ recommander(\"aller_vers\"); }}");
        assert_eq!(
            recommendations_for_script(&script),
            Vec::<String>::new(),
            "{op}"
        );
        let reversed =
            format!("if 0.5 {op} taux_penetration.valeur {{ recommander(\"aller_vers\"); }}");
        assert_eq!(
            recommendations_for_script(&reversed),
            Vec::<String>::new(),
            "{op}"
        );
    }
}

/// `!=` between a missing value and a number is false too (`unit_comparisons!` registers it
/// for `()` like `<`, `>`, `<=`, `>=`): `if x.valeur != 0.5` does not fire when the value is
/// missing, as a missing value satisfies no condition.
#[test]
fn a_missing_value_is_not_different_from_a_number_either() {
    assert_eq!(
        recommendations_for_script(
            "if taux_penetration.valeur != 0.5 { recommander(\"aller_vers\"); }"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn an_unknown_threshold_is_a_runtime_error_naming_it_with_close_names() {
    let message = evaluation_error("if seuil(\"chomage_elev\") > 0.1 {}");
    assert!(
        message.starts_with(
            "erreur dans les règles, recommandations.rhai, ligne 1, colonne 4 : seuil inconnu « chomage_elev » ; vouliez-vous dire : chomage_eleve ?"
        ),
        "{message}"
    );
    let message = evaluation_error("if seuil(\"inconnu\") > 0.1 {}");
    assert!(
        message.contains("seuil inconnu « inconnu » (pendant l'évaluation"),
        "{message}"
    );
}

#[test]
fn an_unknown_recommendation_is_a_runtime_error_naming_it_with_close_names() {
    let message = evaluation_error("recommander(\"aller_ver\");");
    assert!(
        message.starts_with(
            "erreur dans les règles, recommandations.rhai, ligne 1, colonne 1 : recommandation inconnue « aller_ver » (elle doit être déclarée dans pack.toml) ; vouliez-vous dire : aller_vers ?"
        ),
        "{message}"
    );
    let message = evaluation_error("recommander(\"inconnue\");");
    assert!(
        message.contains(
            "recommandation inconnue « inconnue » (elle doit être déclarée dans pack.toml) (pendant"
        ),
        "{message}"
    );
}

#[test]
fn an_unknown_frame_lists_the_frames() {
    let message = evaluation_error("if taux_couverture.mediane(\"regio\") > 0.1 {}");
    assert!(
        message.contains(
            "colonne 20 : cadre de référence inconnu « regio » : utilisez \"national\", \"region\", \"pairs\" ou \"typologie\""
        ),
        "{message}"
    );
}

#[test]
fn a_misspelt_function_suggests_the_api_names() {
    let message = evaluation_error("if taux_couverture.medianne(\"region\") > 0.1 {}");
    assert!(
        message.contains(
            "fonction inconnue ou mal appelée « medianne » avec (Indicateur, texte) ; vouliez-vous dire : mediane, denominateur, moyenne ?"
        ),
        "{message}"
    );
}

/// A misspelt property (which Rhai reports as `ErrorDotExpr`, not `ErrorPropertyNotFound`)
/// gives a French message with the close API names (« vouliez-vous dire : valeur »), not
/// Rhai's « Unknown property 'valeu' - a getter is not registered... ».
#[test]
fn a_misspelt_property_suggests_the_api_names() {
    let message = evaluation_error("if taux_couverture.valeu > 0.1 {}");
    assert!(
        message.contains("propriété inconnue « valeu » ; vouliez-vous dire : valeur"),
        "{message}"
    );
}

#[test]
fn scripts_see_the_structure_its_indicators_and_the_formatting_helpers() {
    // One structure: taux_couverture = 300 / 1000 = 0.3, alone in every frame.
    let checks = [
        "ml.code == \"00001\" && ml.nom == \"Mission locale 00001\" && ml.region == \"Bretagne\"",
        "ml.typologie == ()",
        "taux_couverture.id == \"taux_couverture\" && taux_couverture.libelle == \"Taux de couverture\"",
        "taux_couverture.valeur == 0.3 && taux_couverture.disponible && taux_couverture.denominateur == 1000.0",
        "!taux_penetration.disponible && taux_penetration.texte == \"non disponible\"",
        "taux_couverture.texte == \"30,0 %\"",
        "taux_couverture.attendu == () && taux_couverture.ecart_attendu == ()",
        "taux_couverture.score == 50.0 && taux_couverture.constat == \"\"",
        "taux_couverture.mediane(\"national\") == 0.3 && taux_couverture.effectif(\"region\") == 1.0",
        "taux_couverture.rang(\"national\") == 50.0 && taux_couverture.position(\"region\") == 50.0",
        "taux_couverture.ecart_type(\"national\") == () && taux_couverture.mediane(\"pairs\") == ()",
        "taux_renouvellement.position(\"national\") == ()",
        "!taux_couverture.mieux_que_la_mediane(\"region\") && !taux_couverture.dans_le_quart_faible(\"region\")",
        "!taux_couverture.mieux_que_prevu() && !taux_couverture.est_force()",
        "bande(\"lecture_score\", 30.0) == \"en retrait\" && bande(\"lecture_score\", 100.0) == \"solide\"",
        "pourcent(0.125) == \"12,5 %\" && nombre(3.14159) == \"3,14\" && nombre(1234567) == \"1\u{202f}234\u{202f}567\"",
        "seuil(\"chomage_eleve\") == 0.25",
        "ml.nombre_de_forces() == 0 && ml.nombre_d_axes_de_progres() == 0",
    ];
    for check in checks {
        let script = format!("if {check} {{ recommander(\"aller_vers\"); }}");
        assert_eq!(
            recommendations_for_script(&script),
            ["aller_vers"],
            "{check}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Regional thresholds
// ---------------------------------------------------------------------------------------

/// Five structures of one region, all with the given youth unemployment rate; 00001 has the
/// weakest coverage and an imposed expected value above it.
fn coverage_region(region: &str, unemployment: f64) -> (Dataset, Overrides) {
    let structures = [
        ("00001", 300.0),
        ("00002", 700.0),
        ("00003", 750.0),
        ("00004", 800.0),
        ("00005", 850.0),
    ]
    .iter()
    .map(|(code, first)| {
        structure(
            code,
            region,
            &[
                ("premiers_accueils", *first),
                ("defm_moins_26", 1000.0),
                ("taux_chomage_jeunes", unemployment),
            ],
        )
    })
    .collect();
    let mut overrides = Overrides::default();
    overrides
        .expected
        .insert((StructureId::new("00001"), "taux_couverture".into()), 0.6);
    (dataset(structures), overrides)
}

fn analyse_region(region: &str, unemployment: f64) -> Results {
    let compiled = CompiledPack::compile(&Pack::embedded().expect("embedded")).expect("compiles");
    let (data, overrides) = coverage_region(region, unemployment);
    analyse(&data, &compiled, &overrides).expect("evaluation succeeds")
}

#[test]
fn a_regional_threshold_overrides_the_base_one_for_that_region_only() {
    let coverage = |r: &Results| {
        let i = r.indicator_index("taux_couverture").expect("indicator");
        structure_result(r, "00001").indicators[i]
            .finding
            .as_ref()
            .map(|f| f.kind)
    };
    // 27 % youth unemployment: high in Bretagne (base 25 %), not in Hauts-de-France (30 %).
    let bretagne = analyse_region("Bretagne", 0.27);
    let hauts = analyse_region("Hauts-de-France", 0.27);
    assert_eq!(coverage(&bretagne), Some(FindingKind::AxeDeProgres));
    assert_eq!(coverage(&hauts), Some(FindingKind::AxeDeProgres));
    assert!(recommendations_of(&bretagne, "00001").contains(&"renforcer_reperage".to_string()));
    assert!(!recommendations_of(&hauts, "00001").contains(&"renforcer_reperage".to_string()));

    let reperage = |r: &Results| -> Vec<ThresholdUse> {
        structure_result(r, "00001")
            .recommendations
            .iter()
            .find(|x| x.id == "renforcer_reperage")
            .expect("renforcer_reperage made")
            .thresholds
            .iter()
            .filter(|t| t.name == "chomage_eleve")
            .cloned()
            .collect()
    };
    assert_eq!(
        reperage(&bretagne),
        [ThresholdUse {
            name: "chomage_eleve".into(),
            value: 0.25,
            regional: false
        }]
    );
    // Above the regional threshold, the rule applies and records the regional value.
    let hauts_high = analyse_region("Hauts-de-France", 0.31);
    assert_eq!(
        reperage(&hauts_high),
        [ThresholdUse {
            name: "chomage_eleve".into(),
            value: 0.30,
            regional: true
        }]
    );
}

// ---------------------------------------------------------------------------------------
// Lints
// ---------------------------------------------------------------------------------------

#[test]
fn the_embedded_pack_has_no_lint_error_nor_warning() {
    let lints = lint_pack(&Pack::embedded().expect("embedded"));
    let serious: Vec<&Lint> = lints
        .iter()
        .filter(|l| l.severity != Severity::Info)
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
}

#[test]
fn lint_unknown_numerator() {
    let pack = manifest_with(
        "numerator = \"premiers_accueils\"\ndenominator = \"defm_moins_26\"",
        "numerator = \"premiers_acceuils\"\ndenominator = \"defm_moins_26\"",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_couverture",
            "numérateur « premiers_acceuils » inconnu (ni colonne numérique ni indicateur déclaré plus haut) ; vouliez-vous dire : premiers_accueils ?"
        )]
    );
}

#[test]
fn lint_unknown_denominator() {
    let pack = manifest_with("denominator = \"defm_moins_26\"", "denominator = \"defm\"");
    assert_eq!(
        new_lints(&pack),
        [
            lint_of(
                Severity::Error,
                "pack.toml, indicateur taux_couverture",
                "dénominateur « defm » inconnu (ni colonne numérique ni indicateur déclaré plus haut) ; vouliez-vous dire : defm_moins_26 ?"
            ),
            // The column it divided by is now used by nothing.
            lint_of(
                Severity::Warning,
                "pack.toml, colonne defm_moins_26",
                "colonne lue mais utilisée par aucun indicateur, référentiel, recommandation ni script"
            ),
        ]
    );
}

#[test]
fn lint_unknown_axis() {
    let pack = manifest_with("axis = \"reperage\"", "axis = \"reperag\"");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_couverture",
            "axe inconnu « reperag » ; vouliez-vous dire : reperage ?"
        )]
    );
}

#[test]
fn lint_axis_without_indicators() {
    let text = embedded_text("pack.toml") + "\n[[axes]]\nid = \"mobilite\"\nlabel = \"Mobilité\"\n";
    let (_dir, pack) = folder_pack_with("pack.toml", &text);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, axe mobilite",
            "axe sans indicateur jugé : son score serait toujours « données insuffisantes »"
        )]
    );
}

#[test]
fn lint_non_positive_weight() {
    // The first `weight = 2.0` is taux_acces_emploi's.
    let pack = manifest_with("weight = 2.0", "weight = 0.0");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_acces_emploi",
            "poids 0 invalide : un poids doit être un nombre strictement positif"
        )]
    );
    let pack = manifest_with("weight = 2.0", "weight = -1.0");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_acces_emploi",
            "poids -1 invalide : un poids doit être un nombre strictement positif"
        )]
    );
}

#[test]
fn lint_zero_factor() {
    let pack = manifest_with("factor = 100.0", "factor = 0.0");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur entreprises_pour_100_jeunes",
            "le facteur doit être un nombre non nul"
        )]
    );
}

#[test]
fn lint_indicator_defined_from_itself() {
    let pack = manifest_with(
        "numerator = \"premiers_accueils\"\ndenominator = \"defm_moins_26\"",
        "numerator = \"taux_couverture\"\ndenominator = \"defm_moins_26\"",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_couverture",
            "numérateur « taux_couverture » : l'indicateur est défini à partir de lui-même ; il serait manquant pour toutes les structures"
        )]
    );
}

#[test]
fn lint_indicator_resting_on_one_declared_below_which_would_allow_a_cycle() {
    let pack = manifest_with(
        "numerator = \"premiers_accueils\"\ndenominator = \"defm_moins_26\"",
        "numerator = \"premiers_accueils\"\ndenominator = \"taux_penetration\"",
    );
    // (The column no longer used is a warning besides.)
    let lints: Vec<Lint> = new_lints(&pack)
        .into_iter()
        .filter(|l| l.severity == Severity::Error)
        .collect();
    assert_eq!(lints.len(), 1, "{lints:#?}");
    assert_eq!(lints[0].place, "pack.toml, indicateur taux_couverture");
    assert!(
        lints[0]
            .message
            .starts_with("dénominateur « taux_penetration » déclaré plus bas"),
        "{lints:#?}"
    );
}

#[test]
fn lint_non_positive_funnel_z_and_inverted_plausible_bounds() {
    let pack = manifest_with("funnel_z = 3.09", "funnel_z = 0.0");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, [findings]",
            "funnel_z = 0 : un nombre strictement positif est attendu (1,96 pour une alerte à 95 %)"
        )]
    );
    let pack = manifest_with(
        "plausible = { min = 0.0, max = 3.0 }",
        "plausible = { min = 0.5, max = 0.25 }",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, indicateur taux_couverture",
            "bornes plausibles de 0,5 à 0,25 : deux nombres finis, le premier plus petit, sont attendus"
        )]
    );
}

#[test]
fn lint_band_gap() {
    let pack = manifest_with(
        "from = 25.0\nto = 50.0\nlabel = \"en retrait\"",
        "from = 30.0\nto = 50.0\nlabel = \"en retrait\"",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, échelle lecture_score",
            "trou entre « fragile » (jusqu'à 25) et « en retrait » (à partir de 30)"
        )]
    );
}

#[test]
fn lint_band_overlap() {
    let pack = manifest_with(
        "from = 25.0\nto = 50.0\nlabel = \"en retrait\"",
        "from = 20.0\nto = 50.0\nlabel = \"en retrait\"",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, échelle lecture_score",
            "chevauchement entre « fragile » (jusqu'à 25) et « en retrait » (à partir de 20)"
        )]
    );
}

#[test]
fn lint_empty_band() {
    let pack = manifest_with(
        "from = 25.0\nto = 50.0\nlabel = \"en retrait\"",
        "from = 25.0\nto = 25.0\nlabel = \"en retrait\"",
    );
    let lints = new_lints(&pack);
    assert!(
        lints.contains(&lint_of(
            Severity::Error,
            "pack.toml, échelle lecture_score",
            "intervalle « en retrait » vide ou inversé : de 25 à 25"
        )),
        "{lints:?}"
    );
}

#[test]
fn lint_recommendation_resting_on_an_unknown_indicator() {
    let pack = manifest_with(
        "indicators = [\"taux_entree_civis\"]",
        "indicators = [\"taux_entree_civi\"]",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, recommandation mobiliser_civis",
            "indicateur inconnu « taux_entree_civi » ; vouliez-vous dire : taux_entree_civis, taux_penetration, taux_alternance ?"
        )]
    );
}

#[test]
fn lint_recommendation_never_made_is_a_warning() {
    let text = embedded_text("pack.toml")
        + "\n[[recommendations]]\nid = \"jamais_faite\"\ntext = \"Jamais faite.\"\npriority = 3\n";
    let (_dir, pack) = folder_pack_with("pack.toml", &text);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, recommandation jamais_faite",
            "recommandation jamais faite par le script des recommandations"
        )]
    );
}

#[test]
fn lint_recommendation_priority_zero() {
    let text = embedded_text("pack.toml")
        + "\n[[recommendations]]\nid = \"sans_priorite\"\ntext = \"Sans priorité.\"\npriority = 0\n";
    let (_dir, pack) = folder_pack_with("pack.toml", &text);
    let lints = new_lints(&pack);
    assert!(
        lints.contains(&lint_of(
            Severity::Error,
            "pack.toml, recommandation sans_priorite",
            "priorité 0 : les priorités commencent à 1 (la plus haute)"
        )),
        "{lints:?}"
    );
}

#[test]
fn lint_unknown_threshold_in_a_script() {
    let script = replace_once(
        &embedded_text("recommandations.rhai"),
        "seuil(\"chomage_eleve\")",
        "seuil(\"chomage_elevee\")",
    );
    let (line, text) = line_of(&script, "seuil(\"chomage_elevee\")");
    let raw = script.lines().nth(line - 1).expect("line");
    let column = raw[..raw.find("seuil(").expect("call")].chars().count() + 1;
    let (_dir, pack) = folder_pack_with("recommandations.rhai", &script);
    assert!(text.contains("seuil"));
    assert_eq!(
        new_lints(&pack),
        [
            lint_of(
                Severity::Error,
                &format!("recommandations.rhai:{line}:{column}"),
                "seuil inconnu « chomage_elevee » ; vouliez-vous dire : chomage_eleve ?"
            ),
            // The threshold it replaced is now used by no script.
            lint_of(
                Severity::Warning,
                "pack.toml, [thresholds.base]",
                "le seuil « chomage_eleve » n'est utilisé par aucun script"
            ),
        ]
    );
}

#[test]
fn lint_unknown_recommendation_in_a_script() {
    let script = embedded_text("recommandations.rhai")
        + "\nif taux_couverture.est_force() {\n    recommander(\"aller_ver\");\n}\n";
    let (line, _) = line_of(&script, "recommander(\"aller_ver\")");
    let (_dir, pack) = folder_pack_with("recommandations.rhai", &script);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            &format!("recommandations.rhai:{line}:5"),
            "recommandation inconnue « aller_ver » ; vouliez-vous dire : aller_vers ?"
        )]
    );
}

#[test]
fn lint_unknown_band_scale_in_a_script() {
    let script = embedded_text("recommandations.rhai")
        + "\nif bande(\"lecture\", 10.0) == \"fragile\" {\n    recommander(\"aller_vers\");\n}\n";
    let (line, _) = line_of(&script, "bande(\"lecture\"");
    let (_dir, pack) = folder_pack_with("recommandations.rhai", &script);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            &format!("recommandations.rhai:{line}:4"),
            "échelle de seuils inconnue « lecture »"
        )]
    );
}

#[test]
fn lint_regional_override_of_an_unknown_threshold() {
    let pack = manifest_with(
        "[thresholds.regions.\"Occitanie\"]\nchomage_eleve = 0.28",
        "[thresholds.regions.\"Occitanie\"]\nchomage_elev = 0.28",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, seuils de Occitanie",
            "le seuil « chomage_elev » n'existe pas dans la table de base ; vouliez-vous dire : chomage_eleve ?"
        )]
    );
}

#[test]
fn lint_unused_threshold_is_a_warning() {
    let pack = manifest_with(
        "[thresholds.base]\n",
        "[thresholds.base]\nseuil_oublie = 1.0\n",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, [thresholds.base]",
            "le seuil « seuil_oublie » n'est utilisé par aucun script"
        )]
    );
}

#[test]
fn lint_unused_column_is_a_warning() {
    let text = embedded_text("pack.toml")
        + "\n[[columns]]\nid = \"colonne_inutile\"\nlabel = \"Colonne inutile\"\nrole = \"indicator\"\n";
    let (_dir, pack) = folder_pack_with("pack.toml", &text);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, colonne colonne_inutile",
            "colonne lue mais utilisée par aucun indicateur, référentiel, recommandation ni script"
        )]
    );
}

#[test]
fn lint_duplicate_identifier() {
    let text = embedded_text("pack.toml")
        + "\n[[columns]]\nid = \"entretiens\"\nlabel = \"Entretiens bis\"\nrole = \"indicator\"\n";
    let pack = pack_with("pack.toml", &text);
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml",
            "l'identifiant « entretiens » est déclaré deux fois"
        )]
    );
}

#[test]
fn lint_no_id_column() {
    let pack = manifest_with("role = \"id\"", "role = \"name\"");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml",
            "aucune colonne n'a le rôle « id » : les structures ne pourraient pas être identifiées"
        )]
    );
}

#[test]
fn lint_judged_indicator_without_axis_is_a_warning() {
    let pack = manifest_with("axis = \"reperage\"\n", "");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, indicateur taux_couverture",
            "indicateur jugé sans axe : il a un score mais ne compte dans aucun score d'axe"
        )]
    );
}

#[test]
fn lint_neutral_indicator_on_an_axis_is_a_warning() {
    let pack = manifest_with(
        "direction = \"neutral\"\ndefinition = \"Part des nouveaux",
        "direction = \"neutral\"\naxis = \"reperage\"\ndefinition = \"Part des nouveaux",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, indicateur taux_renouvellement",
            "indicateur neutre rattaché à un axe : il n'est jamais jugé, son poids est ignoré"
        )]
    );
}

#[test]
fn lint_min_coverage_outside_zero_one() {
    let pack = manifest_with("min_coverage = \"2/3\"", "min_coverage = 1.5");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, [scoring]",
            "min_coverage = 1.5 : une part entre 0 et 1 est attendue"
        )]
    );
}

#[test]
fn lint_unknown_context_column_in_frames() {
    let pack = manifest_with(
        "log_context = [\"densite\", \"population_16_25\"]",
        "log_context = [\"densit\", \"population_16_25\"]",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, [frames] log_context",
            "colonne inconnue « densit » ; vouliez-vous dire : densite ?"
        )]
    );
}

#[test]
fn lint_zero_peers() {
    let pack = manifest_with("peers_k = 10", "peers_k = 0");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Error,
            "pack.toml, [frames]",
            "peers_k = 0 : un groupe de pairs doit compter au moins une structure"
        )]
    );
}

#[test]
fn lint_typology_scores_without_typology_column() {
    let text = replace_once(
        &embedded_text("pack.toml"),
        "frame = \"region\"",
        "frame = \"typology\"",
    );
    let text = replace_once(&text, "role = \"typology\"", "role = \"context\"");
    let pack = pack_with("pack.toml", &text);
    let lints = new_lints(&pack);
    assert!(
        lints.contains(&lint_of(
            Severity::Error,
            "pack.toml, [scoring]",
            "scores dans le référentiel « typology » sans colonne de rôle « typology »"
        )),
        "{lints:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Manifest refusals
// ---------------------------------------------------------------------------------------

#[test]
fn a_manifest_field_of_the_wrong_type_is_refused_with_its_line() {
    let text = replace_once(
        &embedded_text("pack.toml"),
        "peers_k = 10",
        "peers_k = \"dix\"",
    );
    let (line, _) = line_of(&text, "peers_k = \"dix\"");
    let message = manifest_refusal(&text);
    assert!(
        message.starts_with(&format!(
            "pack.toml : manifeste invalide (ligne {line}, colonne 11)\n"
        )),
        "{message}"
    );
    assert!(message.contains("\"dix\""), "{message}");
}

#[test]
fn a_manifest_missing_the_pack_name_is_refused_with_the_line_of_its_table() {
    let text = replace_once(&embedded_text("pack.toml"), "name = \"cpo\"\n", "");
    let (line, _) = line_of(&text, "[pack]");
    let message = manifest_refusal(&text);
    assert!(
        message.starts_with(&format!(
            "pack.toml : manifeste invalide (ligne {line}, colonne 1)\n"
        )),
        "{message}"
    );
    assert!(message.contains("name"), "{message}");
}

#[test]
fn a_misspelt_manifest_section_is_refused_with_its_line() {
    let text = replace_once(&embedded_text("pack.toml"), "[findings]", "[finding]");
    let (line, _) = line_of(&text, "[finding]");
    let message = manifest_refusal(&text);
    assert!(
        message.starts_with(&format!(
            "pack.toml : manifeste invalide (ligne {line}, colonne 2)\n"
        )),
        "{message}"
    );
    assert!(message.contains("finding"), "{message}");
}

// ---------------------------------------------------------------------------------------
// The pack's own test cases
// ---------------------------------------------------------------------------------------

#[test]
fn every_case_of_the_embedded_pack_passes() {
    let compiled = CompiledPack::compile(&Pack::embedded().expect("embedded")).expect("compiles");
    let outcomes = run_all(&compiled).expect("cases load");
    assert!(outcomes.len() >= 15, "only {} cases", outcomes.len());
    for o in &outcomes {
        assert_eq!(o.file, "tests/cas.toml");
        assert!(o.failures.is_empty(), "{}: {:?}", o.name, o.failures);
    }
}

#[test]
fn a_case_expecting_the_wrong_finding_fails_with_expected_actual_and_the_rule() {
    let cases = replace_once(
        &embedded_text("tests/cas.toml"),
        "constats = { taux_couverture = \"axe_de_progres\" }",
        "constats = { taux_couverture = \"force\" }",
    );
    let (_dir, pack) = folder_pack_with("tests/cas.toml", &cases);
    let compiled = CompiledPack::compile(&pack).expect("compiles");
    let outcomes = run_all(&compiled).expect("cases load");
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.failures.is_empty()).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(
        failed[0].name,
        "Couverture faible et chômage des jeunes élevé : renforcer le repérage"
    );
    let (line, text) = line_of(
        &embedded_text("constats.rhai"),
        "return axe_de_progres(\"dans le quart le moins favorable de la région (\" + ind.texte + \") et nettement",
    );
    assert_eq!(
        failed[0].failures,
        [format!(
            "constat sur taux_couverture : attendu « force », obtenu « axe_de_progres » (décidé par constats.rhai:{line} : {text})"
        )]
    );
}

#[test]
fn a_case_expecting_the_wrong_recommendations_lists_what_is_missing() {
    let cases = replace_once(
        &embedded_text("tests/cas.toml"),
        "recommandations = []",
        "recommandations = [\"aller_vers\"]",
    );
    let compiled = CompiledPack::compile(&pack_with("tests/cas.toml", &cases)).expect("compiles");
    let outcomes = run_all(&compiled).expect("cases load");
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.failures.is_empty()).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(
        failed[0].failures,
        ["recommandations : attendu [aller_vers], obtenu [] ; manquantes : aller_vers"]
    );
}

#[test]
fn a_malformed_case_file_is_refused_with_its_line() {
    let cases = embedded_text("tests/cas.toml") + "\n[[cas]]\nnom = 3\n";
    let (line, _) = line_of(&cases, "nom = 3");
    let compiled = CompiledPack::compile(&pack_with("tests/cas.toml", &cases)).expect("compiles");
    match run_all(&compiled) {
        Err(e) if e.exit_code() == exit::PACK => assert!(
            e.to_string().starts_with(&format!(
                "cas de test tests/cas.toml, ligne {line}, colonne 7 : "
            )),
            "{e}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A recommendation records only the thresholds its own rule read: `renforcer_reperage`
/// carries `chomage_eleve` alone, not the thresholds later, unrelated rules of the same
/// script read for the structure (`jeunes_par_etp_eleve`, `forces_bonnes_pratiques`,
/// `donnees_manquantes_max`).
#[test]
fn a_recommendation_records_only_the_thresholds_its_rule_read() {
    let results = analyse_region("Bretagne", 0.27);
    let names: Vec<String> = structure_result(&results, "00001")
        .recommendations
        .iter()
        .find(|x| x.id == "renforcer_reperage")
        .expect("renforcer_reperage made")
        .thresholds
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(names, ["chomage_eleve"]);
}

/// An evaluation error met by several structures always names the first in id order,
/// whichever thread met its error first (the structures are evaluated in parallel), so the
/// message is the same from run to run. A regression would show only when threads race:
/// 20 runs over 8 structures make it all but certain to show on a multi-core machine.
#[test]
fn an_evaluation_error_always_names_the_first_structure_in_id_order() {
    let compiled = CompiledPack::compile(&pack_with_recommendations("loop {}")).expect("compiles");
    let structures: Vec<Structure> = (1..=8)
        .map(|i| {
            structure(
                &format!("0000{i}"),
                "Bretagne",
                &[("premiers_accueils", 300.0), ("defm_moins_26", 1000.0)],
            )
        })
        .collect();
    let data = dataset(structures);
    let mut named = std::collections::BTreeSet::new();
    for _ in 0..20 {
        match analyse(&data, &compiled, &Overrides::default()) {
            Err(e) if e.exit_code() == exit::PACK => {
                let m = e.to_string();
                let at = m.find("structure 0000").expect("a structure is named");
                named.insert(m[at..at + 15].to_string());
            }
            other => panic!("expected a pack error, got {other:?}"),
        }
    }
    assert_eq!(named.into_iter().collect::<Vec<_>>(), ["structure 00001"]);
}

#[test]
fn lint_a_coverage_just_above_two_thirds() {
    let pack = manifest_with("min_coverage = \"2/3\"", "min_coverage = 0.6667");
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml, [scoring] min_coverage",
            "min_coverage = 0,6667 est juste au-dessus de 2/3 : une structure avec exactement 2 indicateurs sur 3 perd son score d'axe ; écrire min_coverage = \"2/3\" pour dire 2/3 exactement"
        )]
    );
    // Written exactly, 2/3 is 2/3: no lint, and 2 of 3 equal weights keep the axis score.
    assert!(
        new_lints(&manifest_with(
            "min_coverage = \"2/3\"",
            "min_coverage = \"2/3\""
        ))
        .is_empty()
    );
}

#[test]
fn lint_a_regional_share_out_of_reach_of_quarter_findings() {
    let pack = manifest_with("min_share = 0.25", "min_share = 0.30");
    let lints = new_lints(&pack);
    assert_eq!(lints.len(), 1, "{lints:?}");
    assert_eq!(lints[0].severity, Severity::Warning);
    assert_eq!(lints[0].place, "pack.toml, [regional_priorities] min_share");
    assert!(
        lints[0]
            .message
            .starts_with("min_share = 0,3 : un constat qui repose sur le quart")
            && lints[0].message.contains("moins de 30 % dès 14 structures"),
        "{}",
        lints[0].message
    );
}

#[test]
fn lint_a_peer_threshold_the_peer_count_quantises() {
    let pack = manifest_with("vigilance_pairs = 20.0", "vigilance_pairs = 15.0");
    let lints = new_lints(&pack);
    assert_eq!(lints.len(), 1, "{lints:?}");
    assert!(
        lints[0].place.starts_with("constats.rhai:"),
        "{:?}",
        lints[0]
    );
    assert_eq!(
        lints[0].message,
        "seuil « vigilance_pairs » = 15 comparé au rang parmi 10 pairs, qui avance par pas de 10 : il agit comme 20 (toute valeur de 10 à 20 donne le même résultat)"
    );
}

/// A count and its rate of the same label would read as one row in every sheet: `check`
/// warns, naming both ids (case and surrounding spaces ignored).
#[test]
fn lint_two_indicators_of_one_label() {
    let pack = manifest_with(
        "label = \"Taux de sortie de CIVIS en emploi durable\"",
        "label = \" sorties de CIVIS en emploi durable \"",
    );
    assert_eq!(
        new_lints(&pack),
        [lint_of(
            Severity::Warning,
            "pack.toml",
            "« sorties_civis_emploi_durable » et « taux_sortie_civis_durable » portent le même libellé « sorties de CIVIS en emploi durable » : leurs lignes se confondraient dans les feuilles du classeur annoté"
        )]
    );
}

#[test]
fn a_labels_key_no_output_reads_is_a_warning_with_the_keys_meant() {
    let text = format!(
        "{}\n[labels]\nfiche = \"Fiche ML\"\ndonnees_radars = \"Radars (données)\"\nradar = \"R\"\nzzz = \"?\"\n",
        embedded_text("pack.toml")
    );
    let pack = pack_with("pack.toml", &text);
    assert_eq!(pack.manifest.labels.len(), 4, "the labels are read");
    let lints = new_lints(&pack);
    let messages: Vec<&str> = lints.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(lints.len(), 3, "{messages:#?}");
    assert!(
        lints
            .iter()
            .all(|l| l.severity == Severity::Warning && l.place == "pack.toml")
    );
    let of = |key: &str| {
        *messages
            .iter()
            .find(|m| m.contains(&format!("« {key} »")))
            .unwrap_or_else(|| panic!("no lint for {key}: {messages:#?}"))
    };
    assert!(
        of("radar").contains("vouliez-vous dire : radars"),
        "{}",
        of("radar")
    );
    assert!(
        of("donnees_radars").contains("vouliez-vous dire"),
        "{}",
        of("donnees_radars")
    );
    assert!(
        of("zzz").contains("clés lues : synthese, fiche"),
        "{}",
        of("zzz")
    );
    assert!(
        !messages.iter().any(|m| m.contains("« fiche »")),
        "a key read is quiet"
    );
}
