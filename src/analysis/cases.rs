//! The pack's own test cases (`tests/*.toml`): a few structures' inputs, and what the
//! pack must find for them (derived values, findings, recommendations).
//!
//! ```toml
//! [[cas]]
//! nom = "Couverture faible et chômage élevé : renforcer le repérage"
//! structure = "00001"                  # the structure whose results are checked
//! [[cas.structures]]
//! code = "00001"
//! region = "Bretagne"
//! pairs = ["00002", "00003"]           # optional: imposed peer group
//! attendus = { taux_couverture = 0.8 } # optional: imposed expected values
//! valeurs = { premiers_accueils = 300, defm_moins_26 = 1000 }
//! [cas.attendu]
//! derives = { taux_couverture = 0.3 }
//! manquants = ["taux_sortie_civis_durable"]           # must be missing
//! constats = { taux_couverture = "axe_de_progres" }   # "" = no finding
//! recommandations = ["renforcer_reperage"]            # exactly these
//! ```

use crate::analysis::analyse::{Overrides, analyse};
use crate::dataset::{Dataset, Missing, Observation, Structure, StructureId, Value};
use crate::error::{PackError, Result};
use crate::pack::engine::CompiledPack;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    cas: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub nom: String,
    pub structure: String,
    pub structures: Vec<CaseStructure>,
    pub attendu: Expectations,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStructure {
    pub code: String,
    #[serde(default)]
    pub nom: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default)]
    pub typologie: Option<String>,
    #[serde(default)]
    pub pairs: Option<Vec<String>>,
    #[serde(default)]
    pub attendus: BTreeMap<String, f64>,
    #[serde(default)]
    pub valeurs: BTreeMap<String, f64>,
}

fn default_region() -> String {
    "Région test".into()
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(default)]
    pub derives: BTreeMap<String, f64>,
    #[serde(default)]
    pub manquants: Vec<String>,
    #[serde(default)]
    pub constats: BTreeMap<String, String>,
    #[serde(default)]
    pub recommandations: Option<Vec<String>>,
    #[serde(default)]
    pub recommandations_presentes: Vec<String>,
    #[serde(default)]
    pub recommandations_absentes: Vec<String>,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub file: String,
    pub name: String,
    /// Empty when the case passed; otherwise one French line per mismatch.
    pub failures: Vec<String>,
}

/// Reads every case of the pack.
pub fn load_cases(compiled: &CompiledPack) -> Result<Vec<(String, Case)>> {
    let mut out = Vec::new();
    for (path, text) in compiled.pack.test_files() {
        let file: CaseFile = toml::from_str(text).map_err(|source| PackError::Case {
            path: path.clone(),
            at: source.span().map(|s| crate::pack::line_col(text, s.start)),
            source,
        })?;
        for case in file.cas {
            out.push((path.clone(), case));
        }
    }
    Ok(out)
}

fn dataset_for(case: &Case) -> Dataset {
    let structures = case
        .structures
        .iter()
        .map(|s| Structure {
            id: StructureId::new(s.code.clone()),
            name: s
                .nom
                .clone()
                .unwrap_or_else(|| format!("Structure {}", s.code)),
            region: s.region.clone(),
            year: None,
            typology: s.typologie.clone(),
            values: s
                .valeurs
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Observation {
                            value: Value::Number(*v),
                            cell: None,
                        },
                    )
                })
                .collect(),
            id_cells: Vec::new(),
        })
        .collect::<Vec<_>>();
    let mut structures = structures;
    structures.sort_by(|a, b| a.id.cmp(&b.id));
    Dataset {
        structures,
        ..Dataset::default()
    }
}

/// Runs one case.
pub fn run_case(compiled: &CompiledPack, file: &str, case: &Case) -> CaseOutcome {
    let mut failures = Vec::new();
    let mut overrides = Overrides::default();
    for s in &case.structures {
        if let Some(p) = &s.pairs {
            let peers = p.iter().map(|p| StructureId::new(p.clone())).collect();
            overrides
                .peers
                .insert(StructureId::new(s.code.clone()), peers);
        }
        for (ind, v) in &s.attendus {
            overrides
                .expected
                .insert((StructureId::new(s.code.clone()), ind.clone()), *v);
        }
    }
    let dataset = dataset_for(case);
    let outcome = |failures| CaseOutcome {
        file: file.to_string(),
        name: case.nom.clone(),
        failures,
    };
    let results = match analyse(&dataset, compiled, &overrides) {
        Ok(r) => r,
        Err(e) => return outcome(vec![format!("l'évaluation a échoué : {e}")]),
    };
    let Some(s) = results
        .structures
        .iter()
        .find(|s| s.id.as_str() == case.structure)
    else {
        return outcome(vec![format!(
            "la structure « {} » n'est pas parmi les structures du cas",
            case.structure
        )]);
    };
    for (id, want) in &case.attendu.derives {
        match results.indicator_index(id) {
            None => failures.push(format!("indicateur inconnu « {id} » dans attendu.derives")),
            Some(i) => {
                let got = s.indicators[i].value;
                let ok = got.is_some_and(|g| (g - want).abs() <= 1e-9_f64.max(want.abs() * 1e-9));
                if !ok {
                    failures.push(format!(
                        "{id} : attendu {want}, obtenu {}",
                        got.map(|g| g.to_string()).unwrap_or_else(|| format!(
                            "valeur manquante ({})",
                            s.indicators[i]
                                .missing
                                .as_deref()
                                .map(Missing::describe)
                                .unwrap_or_default()
                        ))
                    ));
                }
            }
        }
    }
    for id in &case.attendu.manquants {
        match results.indicator_index(id) {
            None => failures.push(format!(
                "indicateur inconnu « {id} » dans attendu.manquants"
            )),
            Some(i) => {
                if let Some(v) = s.indicators[i].value {
                    failures.push(format!("{id} : valeur manquante attendue, obtenu {v}"));
                }
            }
        }
    }
    for (id, want) in &case.attendu.constats {
        match results.indicator_index(id) {
            None => failures.push(format!("indicateur inconnu « {id} » dans attendu.constats")),
            Some(i) => {
                let finding = s.indicators[i].finding.as_ref();
                let got = finding.map(|f| f.kind.id()).unwrap_or("");
                if got != want {
                    let rule = finding
                        .map(|f| {
                            format!(
                                " (décidé par {}:{} : {})",
                                f.rule.script, f.rule.line, f.rule.text
                            )
                        })
                        .unwrap_or_else(|| " (aucune règle n'a conclu)".into());
                    failures.push(format!(
                        "constat sur {id} : attendu « {} », obtenu « {} »{rule}",
                        if want.is_empty() { "aucun" } else { want },
                        if got.is_empty() { "aucun" } else { got }
                    ));
                }
            }
        }
    }
    let got: Vec<&str> = s.recommendations.iter().map(|r| r.id.as_str()).collect();
    let describe = |id: &str| {
        s.recommendations
            .iter()
            .find(|r| r.id == id)
            .map(|r| format!(" (décidée par {}:{})", r.rule.script, r.rule.line))
            .unwrap_or_default()
    };
    if let Some(want) = &case.attendu.recommandations {
        let mut w: Vec<&str> = want.iter().map(String::as_str).collect();
        w.sort();
        let mut g = got.clone();
        g.sort();
        if w != g {
            let extra: Vec<String> = g
                .iter()
                .filter(|x| !w.contains(x))
                .map(|x| format!("{x}{}", describe(x)))
                .collect();
            let missing: Vec<&&str> = w.iter().filter(|x| !g.contains(x)).collect();
            failures.push(format!(
                "recommandations : attendu [{}], obtenu [{}]{}{}",
                w.join(", "),
                g.join(", "),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" ; en trop : {}", extra.join(", "))
                },
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ; manquantes : {}",
                        missing
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ));
        }
    }
    for want in &case.attendu.recommandations_presentes {
        if !got.contains(&want.as_str()) {
            failures.push(format!("recommandation « {want} » attendue, absente"));
        }
    }
    for unwanted in &case.attendu.recommandations_absentes {
        if got.contains(&unwanted.as_str()) {
            failures.push(format!(
                "recommandation « {unwanted} » présente{}, attendue absente",
                describe(unwanted)
            ));
        }
    }
    outcome(failures)
}

/// Runs every case of the pack.
pub fn run_all(compiled: &CompiledPack) -> Result<Vec<CaseOutcome>> {
    Ok(load_cases(compiled)?
        .iter()
        .map(|(file, case)| run_case(compiled, file, case))
        .collect())
}
