use boussole::analysis::evaluate::{Overrides, analyse};
use boussole::dataset::{Dataset, Observation, Structure, StructureId, Value};
use boussole::pack::engine::{CompiledPack, Limits};
use boussole::pack::{EMBEDDED_CPO, Origin, Pack};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn files() -> BTreeMap<String, String> {
    EMBEDDED_CPO
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

fn pack_with(f: &str, text: &str) -> Pack {
    let mut fs = files();
    fs.insert(f.into(), text.into());
    Pack::from_files(fs, Origin::Embedded).unwrap()
}

fn dataset() -> Dataset {
    let mut values = BTreeMap::new();
    for (k, v) in [("premiers_accueils", 300.0), ("defm_moins_26", 1000.0)] {
        values.insert(
            k.to_string(),
            Observation {
                value: Value::Number(v),
                cell: None,
            },
        );
    }
    Dataset {
        structures: vec![Structure {
            id: StructureId("00001".into()),
            name: "ML test".into(),
            region: "Bretagne".into(),
            year: None,
            typology: None,
            values,
            id_cells: vec![],
        }],
        ..Dataset::default()
    }
}

#[test]
fn explore() {
    let cases = [
        (
            "recommandations.rhai",
            "let a = 1;\nlet b = 2;\nlet c = (a + b;\n",
        ),
        (
            "recommandations.rhai",
            "if taux_acces_emplo.valeur > 1 {}\n",
        ),
        ("recommandations.rhai", "print(\"x\");\n"),
        ("recommandations.rhai", "eval(\"1\");\n"),
        ("recommandations.rhai", "import \"x\" as y;\n"),
        ("recommandations.rhai", "debug(1);\n"),
        (
            "recommandations.rhai",
            "let x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))));\n",
        ),
        (
            "recommandations.rhai",
            "let x = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;\n",
        ),
    ];
    for (f, t) in cases {
        let p = pack_with(f, t);
        match CompiledPack::compile(&p) {
            Ok(_) => println!("COMPILED OK: {t}"),
            Err(e) => println!("---\n{e}\n{e:?}"),
        }
    }
    let mut t = files()["pack.toml"].clone();
    let m1 = t.replace("peers_k = 10", "peers_k = \"dix\"");
    let m2 = t.replace("name = \"cpo\"\n", "");
    let m3 = t.replace("[findings]", "[finding]");
    let m4 = t.replace("id = \"taux_couverture\"\n", "");
    let m5 = t.replace(
        "priority = 3\nindicators = [\"offres_par_etp\"]",
        "priority = -3\nindicators = [\"offres_par_etp\"]",
    );
    for m in [m1, m2, m3, m4, m5] {
        let mut fs = files();
        fs.insert("pack.toml".into(), m);
        println!(
            "---MANIFEST {:?}",
            Pack::from_files(fs, Origin::Embedded).err()
        );
    }
    t.clear();
    let runtime = [
        "if taux_penetration.valeur != 0.5 { recommander(\"aller_vers\"); }",
        "if ml.nom != 0.5 { recommander(\"aller_vers\"); }",
        "if ml.nom * 2.0 > 0.5 { recommander(\"aller_vers\"); }",
        "if taux_couverture.valeur - \"a\" > 0.5 { recommander(\"aller_vers\"); }",
        "if !taux_penetration.valeur { recommander(\"aller_vers\"); }",
        "if taux_penetration.valeur { recommander(\"aller_vers\"); }",
        "if ml.code == \"00001\" && ml.region == \"Bretagne\" && ml.nom == \"ML test\" { recommander(\"aller_vers\"); }",
        "if ml.donnees_manquantes() == 10 { recommander(\"aller_vers\"); }",
        "if taux_couverture.id == \"taux_couverture\" && taux_couverture.libelle == \"Taux de couverture\" && taux_couverture.denominateur == 1000.0 { recommander(\"aller_vers\"); }",
        "if taux_couverture.constat == \"\" && taux_couverture.score == 50.0 { recommander(\"aller_vers\"); }",
        "if taux_couverture.attendu == () && taux_couverture.ecart_attendu == () { recommander(\"aller_vers\"); }",
        "taux_couverture = 3;",
        "let ml = 3;",
        "let x = 1 / 0;",
        "let x = [1]; x[3];",
        "if taux_couverture.position(\"national\") == 50.0 { recommander(\"aller_vers\"); }",
        "if taux_renouvellement.position(\"national\") == () { recommander(\"aller_vers\"); }",
        "loop {}",
        "while true {}",
        "fn f(x) { f(x + 1) } f(0)",
        "let s = \"x\"; loop { s += s; }",
        "let a = []; loop { a.push(1); }",
        "if ml.nom < 1 { recommander(\"aller_vers\"); }",
        "if ml.nom < 1.5 { recommander(\"aller_vers\"); }",
        "if ml.nom == 1.5 { recommander(\"aller_vers\"); }",
        "if taux_couverture.valeur < \"a\" { recommander(\"aller_vers\"); }",
        "if taux_penetration.valeur < 0.5 { recommander(\"aller_vers\"); }",
        "if taux_penetration.valeur == 0.5 { recommander(\"aller_vers\"); }",
        "if taux_penetration.valeur + 1.0 > 0.5 { recommander(\"aller_vers\"); }",
        "if seuil(\"inconnu\") > 1.0 {}",
        "if seuil(\"chomage_elev\") > 1.0 {}",
        "recommander(\"inconnue\");",
        "recommander(\"aller_ver\");",
        "if taux_couverture.mediane(\"regio\") > 1.0 {}",
        "if taux_couverture.valeu > 1.0 {}",
        "if taux_couverture.medianne(\"region\") > 1.0 {}",
        "let s = bande(\"lecture_score\", 30.0); if s == \"en retrait\" { recommander(\"aller_vers\"); }",
        "let s = bande(\"lecture_score\", 30); if s == \"en retrait\" { recommander(\"aller_vers\"); }",
        "if taux_couverture.texte == \"30,0 %\" { recommander(\"aller_vers\"); }",
        "if nombre(1234567) == \"1 234 567\" { recommander(\"aller_vers\"); }",
        "if nombre(3.14159) == \"3,14\" { recommander(\"aller_vers\"); }",
        "if pourcent(0.125) == \"12,5 %\" { recommander(\"aller_vers\"); }",
        "if taux_couverture.effectif(\"national\") == 1.0 { recommander(\"aller_vers\"); }",
        "if taux_couverture.rang(\"national\") == 50.0 { recommander(\"aller_vers\"); }",
        "if taux_couverture.ecart_type(\"national\") == () { recommander(\"aller_vers\"); }",
        "if ml.typologie == () { recommander(\"aller_vers\"); }",
        "if taux_couverture.mediane(\"pairs\") == () { recommander(\"aller_vers\"); }",
    ];
    for t in runtime {
        let p = pack_with("recommandations.rhai", t);
        let c = match CompiledPack::compile_with_limits(
            &p,
            Limits {
                time_budget: Duration::from_secs(2),
                ..Limits::default()
            },
        ) {
            Ok(c) => c,
            Err(e) => {
                println!("---COMPILE {t}\n{e}");
                continue;
            }
        };
        let start = Instant::now();
        match analyse(&dataset(), &c, &Overrides::default()) {
            Ok(r) => println!(
                "---OK {t}: {:?}",
                r.structures[0]
                    .recommendations
                    .iter()
                    .map(|r| &r.id)
                    .collect::<Vec<_>>()
            ),
            Err(e) => println!("---ERR {t} ({:?})\n{e}", start.elapsed()),
        }
    }
}
