//! The pack commands as a user runs them: `check`, `test` and `rules export`, through the
//! binary, each in a fresh temporary folder as the working directory. Assertions are on
//! exit statuses and the French text printed; never on timing.

mod common;
use common::{boussole, stderr, stdout};

use boussole::pack::EMBEDDED_CPO;
use std::path::Path;
use tempfile::TempDir;

fn workdir() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Exports the embedded pack into `cwd/name` with the binary.
fn export(cwd: &Path, name: &str) {
    let o = boussole(&["rules", "export", name], cwd);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Replaces the first occurrence of `from` in a pack file; panics when absent.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read pack file");
    assert!(text.contains(from), "« {from} » not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write pack file");
}

/// The closing line of `boussole test` (« 21 cas réussis, 0 en échec. »): (passed, failed).
fn passed_failed(out: &str) -> (usize, usize) {
    let last = out.lines().last().expect("some output");
    let words: Vec<&str> = last.split(' ').collect();
    match words.as_slice() {
        [n, "cas", "réussi," | "réussis,", m, "en", "échec."] => (
            n.parse().expect("a count of passed cases"),
            m.parse().expect("a count of failed cases"),
        ),
        _ => panic!("unexpected closing line « {last} »"),
    }
}

#[test]
fn check_on_the_embedded_pack_exits_0_with_no_error() {
    let dir = workdir();
    let o = boussole(&["check"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.starts_with("Pack « cpo » version "), "{out}");
    assert!(
        out.lines().next().unwrap_or("").ends_with(" : compilé."),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some("0 erreur, 0 avertissement."),
        "{out}"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn check_rules_on_a_pack_with_a_lint_error_exits_4_and_lists_it() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    edit(
        &dir.path().join("mes-regles/pack.toml"),
        "numerator = \"premiers_accueils\"\ndenominator = \"defm_moins_26\"",
        "numerator = \"premiers_acceuils\"\ndenominator = \"defm_moins_26\"",
    );
    let o = boussole(&["check", "--rules", "mes-regles"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(4), "{out}");
    assert!(
        out.contains(
            "\n  erreur        pack.toml, indicateur taux_couverture : numérateur « premiers_acceuils » inconnu (ni colonne numérique ni indicateur déclaré plus haut) ; vouliez-vous dire : premiers_accueils ?\n"
        ),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some("1 erreur, 0 avertissement."),
        "{out}"
    );
    assert_eq!(
        stderr(&o),
        "boussole : le pack contient 1 erreur ; voir la liste ci-dessus\n"
    );
}

#[test]
fn check_rules_on_a_script_that_does_not_compile_exits_4_pointing_at_the_line() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    edit(
        &dir.path().join("mes-regles/recommandations.rhai"),
        "if taux_penetration.est_axe_de_progres() {",
        "if taux_penetrat.est_axe_de_progres() {",
    );
    let script = std::fs::read_to_string(dir.path().join("mes-regles/recommandations.rhai"))
        .expect("read script");
    let line = script
        .lines()
        .position(|l| l.contains("taux_penetrat.est"))
        .expect("edited line")
        + 1;
    let o = boussole(&["check", "--rules", "mes-regles"], dir.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.starts_with(&format!(
            "boussole : erreur dans les règles, recommandations.rhai, ligne {line}, colonne 4 : variable ou indicateur inconnu « taux_penetrat » ; vouliez-vous dire : taux_penetration"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "\n {line} | if taux_penetrat.est_axe_de_progres() {{\n"
        )),
        "{err}"
    );
    assert!(err.trim_end().ends_with('^'), "{err}");
}

#[test]
fn check_rules_on_a_manifest_of_the_wrong_type_exits_4_naming_pack_toml_and_the_line() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    let manifest = dir.path().join("mes-regles/pack.toml");
    edit(&manifest, "peers_k = 10", "peers_k = \"dix\"");
    let text = std::fs::read_to_string(&manifest).expect("read manifest");
    let line = text
        .lines()
        .position(|l| l.starts_with("peers_k"))
        .expect("peers_k line")
        + 1;
    let o = boussole(&["check", "--rules", "mes-regles"], dir.path());
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stderr(&o).starts_with(&format!(
            "boussole : pack.toml : manifeste invalide (ligne {line}, colonne 11)\n"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_rules_on_a_missing_folder_exits_4() {
    let dir = workdir();
    let o = boussole(&["check", "--rules", "absent"], dir.path());
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(
        stderr(&o),
        "boussole : le dossier de règles « absent » n'existe pas ou n'est pas un dossier\n"
    );
}

#[test]
fn test_runs_every_case_of_the_embedded_pack_and_all_pass() {
    let dir = workdir();
    let o = boussole(&["test"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let (passed, failed) = passed_failed(&out);
    assert_eq!(failed, 0, "{out}");
    assert!(passed >= 15, "{out}");
    let ok_lines = out
        .lines()
        .filter(|l| l.starts_with("ok     tests/cas.toml — "))
        .count();
    assert_eq!(ok_lines, passed, "{out}");
}

#[test]
fn test_rules_with_a_failing_case_exits_6_showing_expected_and_actual() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    edit(
        &dir.path().join("mes-regles/tests/cas.toml"),
        "constats = { taux_couverture = \"axe_de_progres\" }",
        "constats = { taux_couverture = \"force\" }",
    );
    let o = boussole(&["test", "--rules", "mes-regles"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(6), "{out}");
    assert!(
        out.contains(
            "ÉCHEC  tests/cas.toml — Couverture faible et chômage des jeunes élevé : renforcer le repérage\n         constat sur taux_couverture : attendu « force », obtenu « axe_de_progres » (décidé par constats.rhai:"
        ),
        "{out}"
    );
    let (passed, failed) = passed_failed(&out);
    assert_eq!(failed, 1, "{out}");
    assert_eq!(
        stderr(&o),
        format!(
            "boussole : 1 cas de test en échec sur {}\n",
            passed + failed
        )
    );
}

#[test]
fn rules_export_writes_the_embedded_pack_files() {
    let dir = workdir();
    let o = boussole(&["rules", "export", "mes-regles"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "Pack « cpo » écrit dans mes-regles ({} fichiers). Modifiez-le, puis : boussole check --rules mes-regles\n",
            EMBEDDED_CPO.len()
        )
    );
    for (path, content) in EMBEDDED_CPO {
        let written =
            std::fs::read_to_string(dir.path().join("mes-regles").join(path)).expect("written");
        assert!(written == *content, "{path} differs from the embedded pack");
    }
}

#[test]
fn rules_export_into_an_existing_empty_folder_succeeds() {
    let dir = workdir();
    std::fs::create_dir(dir.path().join("vide")).expect("create folder");
    export(dir.path(), "vide");
    assert!(dir.path().join("vide/pack.toml").is_file());
}

#[test]
fn rules_export_refuses_a_non_empty_folder_and_overwrites_nothing() {
    let dir = workdir();
    let target = dir.path().join("mes-regles");
    std::fs::create_dir(&target).expect("create folder");
    std::fs::write(target.join("pack.toml"), "# mes réglages\n").expect("write");
    let o = boussole(&["rules", "export", "mes-regles"], dir.path());
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "boussole : le dossier « mes-regles » n'est pas vide : rien n'est écrasé ; choisissez un dossier nouveau ou vide\n"
    );
    assert_eq!(
        std::fs::read_to_string(target.join("pack.toml")).expect("read"),
        "# mes réglages\n"
    );
    let entries: Vec<_> = std::fs::read_dir(&target)
        .expect("read folder")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(entries, ["pack.toml"]);
}

#[test]
fn an_exported_pack_passes_check_and_test() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    let o = boussole(&["check", "--rules", "mes-regles"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(
        out.lines().last(),
        Some("0 erreur, 0 avertissement."),
        "{out}"
    );
    let embedded = stdout(&boussole(&["check"], dir.path()));
    // Same files, same fingerprint as the embedded pack.
    assert_eq!(out.lines().next(), embedded.lines().next());
    let o = boussole(&["test", "--rules", "mes-regles"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(passed_failed(&stdout(&o)).1, 0);
}

#[test]
fn check_rules_reports_a_script_that_never_ends_as_an_error_naming_the_script() {
    let dir = workdir();
    export(dir.path(), "mes-regles");
    std::fs::write(
        dir.path().join("mes-regles/recommandations.rhai"),
        "loop {}\n",
    )
    .expect("write script");
    let o = boussole(&["check", "--rules", "mes-regles"], dir.path());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(4), "{out}");
    assert!(
        out.contains(
            "l'évaluation a échoué : erreur dans les règles, recommandations.rhai, ligne 1, colonne 6 : le script a dépassé 500000 opérations (boucle sans fin ?) ; arrêté"
        ),
        "{out}"
    );
}

/// `run` refuses (exit 4) the packs `check` rejects, before reading anything, and `check`
/// rejects non-finite numbers anywhere in `pack.toml`: each broken pack here is one or two
/// edits of the exported one, and `check` and `run` both name what is wrong.
#[test]
fn run_refuses_every_pack_that_check_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::sample(&d.join("nat.xlsx"), 10, 1);
    let coverage = "id = \"taux_couverture\"\nlabel = \"Taux de couverture\"\nnumerator = \"premiers_accueils\"";
    let penetration = "id = \"taux_penetration\"\nlabel = \"Taux de pénétration\"\nnumerator = \"jeunes_en_contact\"";
    let on_itself = coverage.replace("\"premiers_accueils\"", "\"taux_couverture\"");
    let from_below = coverage.replace("\"premiers_accueils\"", "\"taux_penetration\"");
    let from_above = penetration.replace("\"jeunes_en_contact\"", "\"taux_couverture\"");
    let broken: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("funnel_z = 3.09", "funnel_z = nan")],
            "findings.funnel_z",
        ),
        (
            vec![("funnel_z = 3.09", "funnel_z = inf")],
            "findings.funnel_z",
        ),
        (
            vec![("funnel_z = 3.09", "funnel_z = -1.0")],
            "funnel_z = -1",
        ),
        (
            vec![("id = \"nom\"", "id = \"code\"")],
            "« code » est déclaré deux fois",
        ),
        (
            vec![(coverage, &on_itself)],
            "l'indicateur est défini à partir de lui-même",
        ),
        (
            vec![(coverage, &from_below), (penetration, &from_above)],
            "« taux_penetration » déclaré plus bas",
        ),
        (
            vec![("factor = 100.0", "factor = 0.0")],
            "le facteur doit être un nombre non nul",
        ),
        (vec![("weight = 2.0", "weight = nan")], "poids nan invalide"),
        (
            vec![("chomage_eleve = 0.25", "chomage_eleve = nan")],
            "thresholds.base.chomage_eleve",
        ),
        (
            vec![("vigilance_pairs = 20.0", "vigilance_pairs = -inf")],
            "« thresholds.base.vigilance_pairs » vaut -inf",
        ),
        (
            vec![(
                "plausible = { min = 0.0, max = 3.0 }",
                "plausible = { min = 3.0, max = 0.0 }",
            )],
            "bornes plausibles de 3 à 0",
        ),
    ];
    for (k, (edits, named)) in broken.into_iter().enumerate() {
        let rules = format!("regles-{k}");
        let export = boussole(&["rules", "export", &rules], d);
        assert!(export.status.success(), "{}", stderr(&export));
        let manifest = d.join(&rules).join("pack.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        for (from, to) in &edits {
            assert!(text.contains(from), "the embedded pack holds « {from} »");
            text = text.replacen(from, to, 1);
        }
        std::fs::write(&manifest, text).unwrap();
        let check = boussole(&["check", "--rules", &rules], d);
        assert_eq!(
            check.status.code(),
            Some(4),
            "check {edits:?}: {}",
            stdout(&check)
        );
        assert!(
            stdout(&check).contains(named),
            "check names « {named} »: {}",
            stdout(&check)
        );
        let out = format!("sortie-{k}.xlsx");
        let run = boussole(&["run", "nat.xlsx", "--rules", &rules, "-o", &out], d);
        assert_eq!(
            run.status.code(),
            Some(4),
            "run {edits:?}: {}",
            stderr(&run)
        );
        assert!(
            stderr(&run).contains(named),
            "run names « {named} »: {}",
            stderr(&run)
        );
        assert!(
            !d.join(&out).exists(),
            "nothing written for a rejected pack"
        );
    }
}

/// Hostile findings scripts whose data Rhai's own size limits do not see (a function
/// pointer curried with itself, a map of large texts held by function pointers), run by
/// the binary under a 1.5 GB address-space limit (`prlimit`, util-linux): without the
/// memory budget the process would abort when an allocation fails; with it, exit 4 with a
/// French error naming the script, and no output written. The pack's own cases are left
/// out (each would meet the same error first, at `check`'s pace).
#[test]
fn scripts_holding_data_in_function_pointers_stop_at_the_memory_budget_under_a_memory_limit() {
    let dir = workdir();
    let d = dir.path();
    common::sample(&d.join("nat.xlsx"), 40, 1);
    let scripts = [
        "let f = Fn(\"x\");\nloop { f = f.curry(f); }\n",
        "let s = \"x\";\nwhile s.len() < 50000 { s += s; }\nlet m = #{};\nlet i = 0;\nloop { m[`k${i}`] = Fn(\"x\").curry(s + i); i += 1; }\n",
    ];
    for (k, script) in scripts.iter().enumerate() {
        let rules = format!("regles-{k}");
        export(d, &rules);
        std::fs::remove_dir_all(d.join(&rules).join("tests")).unwrap();
        std::fs::write(d.join(&rules).join("constats.rhai"), script).unwrap();
        let out = format!("sortie-{k}.xlsx");
        let run = std::process::Command::new("prlimit")
            .arg("--as=1500000000")
            .arg(env!("CARGO_BIN_EXE_boussole"))
            .args(["run", "nat.xlsx", "--rules", &rules, "-o", &out, "--json"])
            .arg(format!("sortie-{k}.json"))
            .current_dir(d)
            .output()
            .expect("prlimit (util-linux) runs the binary");
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(4), "{script}: {err}");
        assert!(
            err.contains("erreur dans les règles, constats.rhai, ligne")
                && err.contains("le script a dépassé la mémoire permise (16 Mio par évaluation"),
            "{err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("memory allocation"),
            "{err}"
        );
        assert!(!d.join(&out).exists() && !d.join(format!("sortie-{k}.json")).exists());
    }
}
