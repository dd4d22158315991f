//! The script API, declared once: [`API`] lists every name a script may call or read (on an
//! indicator, on `ml`, or on its own), with its French signatures as `docs/regles.md` shows
//! them, a one-line French description, its category and how it is registered on the
//! engine. Everything else derives from the table: the registration ([`register`]), the
//! names suggested for a misspelt function or property ([`names`]), and the tests that tie
//! the table to the engine and to the user guide.
//!
//! The operator overloads (a missing value or a text against a number) are registered here
//! too; they change what `<` or `==` do, they add no name, so they are not in the table.

use super::view::{
    IndicatorData, IndicatorView, JudgementData, JudgementView, RegionData, RegionStructure,
    RegionStructureView, StructureData, StructureView,
};
use super::{EvalState, FindingValue, format_fr, with_state};
use crate::fr::suggest;
use crate::pack::decisions::{FindingKind, ThresholdUse};
use crate::pack::manifest::{FrameKind, Unit};
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, ImmutableString, NativeCallContext, Position, Variant,
};
use std::sync::Arc;

/// The themes of the API, in the order of the user guide's reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Read like fields of an indicator: `ind.valeur`.
    IndicatorProperty,
    /// A statistic of a reference frame: `ind.mediane("region")`.
    FrameStatistic,
    /// A yes-or-no question on an indicator: `ind.dans_le_quart_faible("region")`.
    Question,
    /// The pack's thresholds and bands: `seuil("nom")`.
    Threshold,
    /// What a script decides: a finding or a recommendation.
    Conclusion,
    /// Numbers written the French way in a reason.
    Formatting,
    /// The structure examined, `ml`.
    Structure,
    /// The region examined by the regions script, its structures and its national
    /// judgements.
    Region,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::IndicatorProperty,
        Category::FrameStatistic,
        Category::Question,
        Category::Threshold,
        Category::Conclusion,
        Category::Formatting,
        Category::Structure,
        Category::Region,
    ];

    /// The heading of the category's table in `docs/regles.md`.
    pub fn heading_fr(self) -> &'static str {
        match self {
            Category::IndicatorProperty => "Propriétés d'un indicateur",
            Category::FrameStatistic => "Statistiques d'un référentiel",
            Category::Question => "Questions sur un indicateur (vrai ou faux)",
            Category::Threshold => "Seuils",
            Category::Conclusion => "Conclure",
            Category::Formatting => "Mettre en forme un nombre dans une raison",
            Category::Structure => "La mission locale `ml` (et chaque structure `s` d'une région)",
            Category::Region => "La région (script des régions)",
        }
    }
}

/// One name of the script API.
#[derive(Debug, Clone, Copy)]
pub struct ApiFunction {
    /// The name a script writes (a property's name for a property).
    pub name: &'static str,
    /// How the user guide writes its uses, one per overload: `mediane(r)`, `ml.code`.
    pub signatures: &'static [&'static str],
    /// What it gives, in one French line.
    pub description: &'static str,
    pub category: Category,
    /// Registers the function (every overload) on the engine under the name given.
    register: fn(&mut Engine, &'static str),
}

/// Every name of the script API, by category in the user guide's order.
pub const API: &[ApiFunction] = &[
    // Indicator properties.
    ApiFunction {
        name: "valeur",
        signatures: &["valeur"],
        description: "la valeur, ou () si elle manque",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| opt(d.value)),
    },
    ApiFunction {
        name: "disponible",
        signatures: &["disponible"],
        description: "vrai si la valeur existe",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| d.value.is_some()),
    },
    ApiFunction {
        name: "attendu_disponible",
        signatures: &["attendu_disponible"],
        description: "vrai si l'indicateur a une valeur attendue (un modèle du contexte assez bon, une valeur)",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| d.expected_z.is_some()),
    },
    ApiFunction {
        name: "denominateur",
        signatures: &["denominateur"],
        description: "le dénominateur d'un indicateur calculé, sinon ()",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| opt(d.denominator)),
    },
    ApiFunction {
        name: "attendu",
        signatures: &["attendu"],
        description: "la valeur attendue compte tenu du contexte, ou ()",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| opt(d.expected)),
    },
    ApiFunction {
        name: "ecart_attendu",
        signatures: &["ecart_attendu"],
        description: "valeur − attendu, ou ()",
        category: Category::IndicatorProperty,
        register: |engine, name| {
            indicator_property(engine, name, |d| {
                opt(d.value.zip(d.expected).map(|(a, b)| a - b))
            })
        },
    },
    ApiFunction {
        name: "ecart_attendu_z",
        signatures: &["ecart_attendu_z"],
        description: "l'écart à la valeur attendue en écarts-types de la prédiction, orienté (positif = mieux que prévu), ou ()",
        category: Category::IndicatorProperty,
        register: |engine, name| {
            indicator_property(engine, name, |d| {
                opt(d.expected_z.filter(|z| z.is_finite()).map(|z| z * d.sign()))
            })
        },
    },
    ApiFunction {
        name: "score",
        signatures: &["score"],
        description: "le score 0-100 d'un indicateur jugé, sinon ()",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| opt(d.score)),
    },
    ApiFunction {
        name: "constat",
        signatures: &["constat"],
        description: "le constat de l'indicateur, \"\" s'il n'en a pas",
        category: Category::IndicatorProperty,
        register: |engine, name| {
            indicator_property(engine, name, |d| {
                d.finding.map(|f| f.id().to_string()).unwrap_or_default()
            })
        },
    },
    ApiFunction {
        name: "texte",
        signatures: &["texte"],
        description: "la valeur mise en forme selon l'unité, ou « non disponible »",
        category: Category::IndicatorProperty,
        register: |engine, name| {
            indicator_property(engine, name, |d| {
                d.value
                    .map(|x| format_fr(x, d.shown_unit))
                    .unwrap_or_else(|| "non disponible".into())
            })
        },
    },
    ApiFunction {
        name: "id",
        signatures: &["id"],
        description: "l'identifiant de l'indicateur",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| d.id.clone()),
    },
    ApiFunction {
        name: "libelle",
        signatures: &["libelle"],
        description: "le libellé de l'indicateur",
        category: Category::IndicatorProperty,
        register: |engine, name| indicator_property(engine, name, |d| d.label.clone()),
    },
    // Frame statistics.
    ApiFunction {
        name: "mediane",
        signatures: &["mediane(r)"],
        description: "la médiane du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.median))
        },
    },
    ApiFunction {
        name: "q1",
        signatures: &["q1(r)"],
        description: "le premier quartile du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.q1)),
    },
    ApiFunction {
        name: "q3",
        signatures: &["q3(r)"],
        description: "le troisième quartile du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.q3)),
    },
    ApiFunction {
        name: "moyenne",
        signatures: &["moyenne(r)"],
        description: "la moyenne du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.mean))
        },
    },
    ApiFunction {
        name: "minimum",
        signatures: &["minimum(r)"],
        description: "la plus petite valeur du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.min))
        },
    },
    ApiFunction {
        name: "maximum",
        signatures: &["maximum(r)"],
        description: "la plus grande valeur du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.max))
        },
    },
    ApiFunction {
        name: "ecart_type",
        signatures: &["ecart_type(r)"],
        description: "l'écart type d'échantillon du référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).and_then(|f| f.summary.sd))
        },
    },
    ApiFunction {
        name: "effectif",
        signatures: &["effectif(r)"],
        description: "le nombre de structures ayant une valeur dans le référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| {
            frame_value(engine, name, |d, k| d.frame(k).map(|f| f.summary.n as f64))
        },
    },
    ApiFunction {
        name: "rang",
        signatures: &["rang(r)"],
        description: "le rang centile brut de la valeur dans le référentiel",
        category: Category::FrameStatistic,
        register: |engine, name| frame_value(engine, name, |d, k| d.frame(k).and_then(|f| f.rank)),
    },
    ApiFunction {
        name: "position",
        signatures: &["position(r)"],
        description: "le rang centile orienté : 100 est la position la plus favorable",
        category: Category::FrameStatistic,
        register: |engine, name| frame_value(engine, name, IndicatorData::position),
    },
    // Questions.
    ApiFunction {
        name: "dans_le_quart_faible",
        signatures: &["dans_le_quart_faible(r)"],
        description: "la valeur est dans le quart le moins favorable du référentiel",
        category: Category::Question,
        register: |engine, name| frame_question(engine, name, IndicatorData::in_weak_quarter),
    },
    ApiFunction {
        name: "dans_le_quart_fort",
        signatures: &["dans_le_quart_fort(r)"],
        description: "la valeur est dans le quart le plus favorable du référentiel",
        category: Category::Question,
        register: |engine, name| frame_question(engine, name, IndicatorData::in_strong_quarter),
    },
    ApiFunction {
        name: "mieux_que_la_mediane",
        signatures: &["mieux_que_la_mediane(r)"],
        description: "la valeur est strictement meilleure que la médiane",
        category: Category::Question,
        register: |engine, name| frame_question(engine, name, IndicatorData::better_than_median),
    },
    ApiFunction {
        name: "moins_bien_que_la_mediane",
        signatures: &["moins_bien_que_la_mediane(r)"],
        description: "la valeur est strictement moins bonne que la médiane",
        category: Category::Question,
        register: |engine, name| frame_question(engine, name, IndicatorData::worse_than_median),
    },
    ApiFunction {
        name: "mieux_que_prevu",
        signatures: &["mieux_que_prevu()"],
        description: "la valeur dépasse la valeur attendue de plus de `residual_z` écarts-types de la prédiction ([findings])",
        category: Category::Question,
        register: |engine, name| {
            indicator_question(engine, name, IndicatorData::better_than_expected)
        },
    },
    ApiFunction {
        name: "moins_bien_que_prevu",
        signatures: &["moins_bien_que_prevu()"],
        description: "la valeur est en deçà de la valeur attendue de plus de `residual_z` écarts-types de la prédiction ([findings])",
        category: Category::Question,
        register: |engine, name| {
            indicator_question(engine, name, IndicatorData::worse_than_expected)
        },
    },
    ApiFunction {
        name: "ecart_significatif",
        signatures: &["ecart_significatif(r)"],
        description: "l'écart au seuil du constat (Q1 ou Q3 dans un quart, sinon la médiane) dépasse le hasard des petits effectifs, surdispersion comprise",
        category: Category::Question,
        register: |engine, name| frame_question(engine, name, IndicatorData::significant_gap),
    },
    ApiFunction {
        name: "ecart_significatif_a_la_mediane",
        signatures: &["ecart_significatif_a_la_mediane(r)"],
        description: "l'écart à la médiane, où que soit la valeur, dépasse le hasard des petits effectifs ; faux : trop peu de jeunes pour distinguer la valeur de la médiane",
        category: Category::Question,
        register: |engine, name| {
            frame_question(engine, name, IndicatorData::significant_gap_to_median)
        },
    },
    ApiFunction {
        name: "est_force",
        signatures: &["est_force()"],
        description: "le constat de l'indicateur est une force",
        category: Category::Question,
        register: |engine, name| indicator_question(engine, name, has(FindingKind::Force)),
    },
    ApiFunction {
        name: "est_axe_de_progres",
        signatures: &["est_axe_de_progres()"],
        description: "le constat de l'indicateur est un axe de progrès",
        category: Category::Question,
        register: |engine, name| indicator_question(engine, name, has(FindingKind::AxeDeProgres)),
    },
    ApiFunction {
        name: "est_vigilance",
        signatures: &["est_vigilance()"],
        description: "le constat de l'indicateur est une vigilance",
        category: Category::Question,
        register: |engine, name| indicator_question(engine, name, has(FindingKind::Vigilance)),
    },
    // Thresholds.
    ApiFunction {
        name: "seuil",
        signatures: &["seuil(\"nom\")"],
        description: "la valeur d'un seuil pour la région de la structure",
        category: Category::Threshold,
        register: register_threshold,
    },
    ApiFunction {
        name: "bande",
        signatures: &["bande(\"echelle\", nombre)"],
        description: "le libellé de l'intervalle d'une échelle qui contient le nombre",
        category: Category::Threshold,
        register: register_band,
    },
    // Conclusions.
    ApiFunction {
        name: "force",
        signatures: &["force(\"raison\")"],
        description: "constat « force »",
        category: Category::Conclusion,
        register: |engine, name| finding(engine, name, FindingKind::Force),
    },
    ApiFunction {
        name: "axe_de_progres",
        signatures: &["axe_de_progres(\"raison\")"],
        description: "constat « axe de progrès »",
        category: Category::Conclusion,
        register: |engine, name| finding(engine, name, FindingKind::AxeDeProgres),
    },
    ApiFunction {
        name: "vigilance",
        signatures: &["vigilance(\"raison\")"],
        description: "constat « vigilance »",
        category: Category::Conclusion,
        register: |engine, name| finding(engine, name, FindingKind::Vigilance),
    },
    ApiFunction {
        name: "recommander",
        signatures: &["recommander(\"id\")"],
        description: "ajoute une recommandation déclarée dans pack.toml",
        category: Category::Conclusion,
        register: register_recommendation,
    },
    ApiFunction {
        name: "prioriser",
        signatures: &["prioriser(\"id\")"],
        description: "fait d'une recommandation déclarée dans pack.toml une priorité de la région (script des régions)",
        category: Category::Conclusion,
        register: register_prioritise,
    },
    // Formatting.
    ApiFunction {
        name: "pourcent",
        signatures: &["pourcent(nombre décimal)"],
        description: "un pourcentage à une décimale",
        category: Category::Formatting,
        register: register_percent,
    },
    ApiFunction {
        name: "nombre",
        signatures: &["nombre(nombre décimal)", "nombre(nombre entier)"],
        description: "un nombre à deux décimales, ou un entier, groupé par milliers",
        category: Category::Formatting,
        register: register_number,
    },
    // The structure.
    ApiFunction {
        name: "code",
        signatures: &["ml.code", "s.code"],
        description: "le code de la structure",
        category: Category::Structure,
        register: |engine, name| {
            structure_property(engine, name, |s| s.code.clone());
            region_structure_property(engine, name, |s| s.code.clone());
        },
    },
    ApiFunction {
        name: "nom",
        signatures: &["ml.nom", "s.nom"],
        description: "le nom de la structure",
        category: Category::Structure,
        register: |engine, name| {
            structure_property(engine, name, |s| s.name.clone());
            region_structure_property(engine, name, |s| s.name.clone());
        },
    },
    ApiFunction {
        name: "region",
        signatures: &["ml.region"],
        description: "la région de la structure",
        category: Category::Structure,
        register: |engine, name| structure_property(engine, name, |s| s.region.clone()),
    },
    ApiFunction {
        name: "typologie",
        signatures: &["ml.typologie"],
        description: "la classe de typologie de la structure, ou ()",
        category: Category::Structure,
        register: |engine, name| {
            structure_property(engine, name, |s| {
                s.typology
                    .clone()
                    .map(Dynamic::from)
                    .unwrap_or(Dynamic::UNIT)
            })
        },
    },
    ApiFunction {
        name: "donnees_manquantes",
        signatures: &["ml.donnees_manquantes()"],
        description: "le nombre d'indicateurs jugés sans valeur",
        category: Category::Structure,
        register: |engine, name| structure_count(engine, name, |i| i.judged && i.value.is_none()),
    },
    ApiFunction {
        name: "nombre_de_forces",
        signatures: &["ml.nombre_de_forces()"],
        description: "le nombre de forces de la structure",
        category: Category::Structure,
        register: |engine, name| structure_count(engine, name, has(FindingKind::Force)),
    },
    ApiFunction {
        name: "nombre_d_axes_de_progres",
        signatures: &["ml.nombre_d_axes_de_progres()"],
        description: "le nombre d'axes de progrès de la structure",
        category: Category::Structure,
        register: |engine, name| structure_count(engine, name, has(FindingKind::AxeDeProgres)),
    },
    ApiFunction {
        name: "valeur_de",
        signatures: &["s.valeur_de(\"indicateur\")"],
        description: "la valeur d'un indicateur de la structure `s` de la région, ou ()",
        category: Category::Structure,
        register: |engine, name| {
            region_structure_indicator(engine, name, |s, i| {
                s.values[i]
                    .map(Dynamic::from_float)
                    .unwrap_or(Dynamic::UNIT)
            })
        },
    },
    ApiFunction {
        name: "constat_de",
        signatures: &["s.constat_de(\"indicateur\")"],
        description: "le constat d'un indicateur de la structure `s` de la région (\"force\", \"axe_de_progres\", \"vigilance\"), \"\" s'il n'en a pas",
        category: Category::Structure,
        register: |engine, name| {
            region_structure_indicator(engine, name, |s, i| {
                Dynamic::from(
                    s.findings[i]
                        .map(|f| f.id().to_string())
                        .unwrap_or_default(),
                )
            })
        },
    },
    ApiFunction {
        name: "a_la_recommandation",
        signatures: &["s.a_la_recommandation(\"id\")"],
        description: "vrai si la structure `s` de la région a reçu cette recommandation",
        category: Category::Structure,
        register: register_has_recommendation,
    },
    // The region.
    ApiFunction {
        name: "nom_de_la_region",
        signatures: &["nom_de_la_region()"],
        description: "le nom de la région",
        category: Category::Region,
        register: |engine, name| region_value(engine, name, |r| Ok(r.name.clone())),
    },
    ApiFunction {
        name: "nombre_de_structures",
        signatures: &["nombre_de_structures()"],
        description: "le nombre de structures annotées de la région",
        category: Category::Region,
        register: |engine, name| region_value(engine, name, |r| Ok(r.structures.len() as i64)),
    },
    ApiFunction {
        name: "structures",
        signatures: &["structures()"],
        description: "la liste des structures `s` de la région, par code, avec leurs constats et recommandations",
        category: Category::Region,
        register: register_structures,
    },
    ApiFunction {
        name: "recommandations",
        signatures: &["recommandations()"],
        description: "la liste des identifiants des recommandations déclarées dans pack.toml, dans leur ordre",
        category: Category::Region,
        register: register_recommendation_ids,
    },
    ApiFunction {
        name: "indicateur_principal",
        signatures: &["indicateur_principal(\"id\")"],
        description: "le premier indicateur qu'une recommandation déclare (son indicateur principal), ou ()",
        category: Category::Region,
        register: register_main_indicator,
    },
    ApiFunction {
        name: "structures_avec",
        signatures: &["structures_avec(\"id\")"],
        description: "le nombre de structures de la région qui ont reçu la recommandation",
        category: Category::Region,
        register: |engine, name| {
            region_lookup(engine, name, |r, id| {
                r.count(id).map(|n| Dynamic::from(n as i64))
            })
        },
    },
    ApiFunction {
        name: "part_avec",
        signatures: &["part_avec(\"id\")"],
        description: "la part (0 à 1) des structures de la région qui ont reçu la recommandation",
        category: Category::Region,
        register: |engine, name| {
            region_lookup(engine, name, |r, id| r.share(id).map(Dynamic::from_float))
        },
    },
    ApiFunction {
        name: "part_minimale",
        signatures: &["part_minimale()"],
        description: "la part minimale du pack pour cette région ([regional_priorities] min_share, ou la valeur propre à la région)",
        category: Category::Region,
        register: |engine, name| region_value(engine, name, |r| Ok(r.min_share)),
    },
    ApiFunction {
        name: "nombre_minimal",
        signatures: &["nombre_minimal()"],
        description: "le nombre minimal de structures du pack ([regional_priorities] min_count)",
        category: Category::Region,
        register: |engine, name| region_value(engine, name, |r| Ok(r.min_count as i64)),
    },
    ApiFunction {
        name: "jugement_national",
        signatures: &["jugement_national(\"indicateur\")"],
        description: "la région jugée sur le référentiel national de l'indicateur (un jugement `j`)",
        category: Category::Region,
        register: register_judgement,
    },
    ApiFunction {
        name: "tient",
        signatures: &["j.tient"],
        description: "vrai si la région est significativement plus souvent que 25 % dans le quart défavorable national",
        category: Category::Region,
        register: |engine, name| judgement_property(engine, name, |j| j.is_some_and(|j| j.holds)),
    },
    ApiFunction {
        name: "sous",
        signatures: &["j.sous"],
        description: "le nombre de structures de la région dans le quart défavorable national (des résidus standardisés s'il y a des valeurs attendues)",
        category: Category::Region,
        register: |engine, name| {
            judgement_property(engine, name, |j| j.map_or(0, |j| j.below as i64))
        },
    },
    ApiFunction {
        name: "sur",
        signatures: &["j.sur"],
        description: "le nombre de structures de la région comptées (0 : indicateur non jugé ou sans valeur dans la région)",
        category: Category::Region,
        register: |engine, name| judgement_property(engine, name, |j| j.map_or(0, |j| j.of as i64)),
    },
    ApiFunction {
        name: "p_valeur",
        signatures: &["j.p_valeur"],
        description: "la p-valeur unilatérale du test binomial contre 25 %, ou ()",
        category: Category::Region,
        register: |engine, name| judgement_property(engine, name, |j| opt(j.map(|j| j.p_value))),
    },
    ApiFunction {
        name: "niveau",
        signatures: &["j.niveau"],
        description: "le niveau auquel la p-valeur est comparée (national_alpha divisé par le nombre d'indicateurs jugés), ou ()",
        category: Category::Region,
        register: |engine, name| judgement_property(engine, name, |j| opt(j.map(|j| j.level))),
    },
    ApiFunction {
        name: "residu_median",
        signatures: &["j.residu_median"],
        description: "le résidu standardisé médian des structures de la région, orienté (négatif = moins bien que prévu), ou ()",
        category: Category::Region,
        register: |engine, name| {
            judgement_property(engine, name, |j| opt(j.and_then(|j| j.median_z)))
        },
    },
];

/// Every name of the script API, for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    API.iter().map(|function| function.name)
}

/// Registers the script's types, the operator overloads and every function of [`API`].
pub(super) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<IndicatorView>("Indicateur");
    engine.register_type_with_name::<StructureView>("MissionLocale");
    engine.register_type_with_name::<FindingValue>("Constat");
    engine.register_type_with_name::<RegionStructureView>("StructureDeLaRegion");
    engine.register_type_with_name::<JudgementView>("JugementNational");
    register_missing_value_comparisons(engine);
    register_mismatched_comparisons(engine);
    for function in API {
        (function.register)(engine, function.name);
    }
}

/// A missing value compared with a number satisfies no condition.
fn register_missing_value_comparisons(engine: &mut Engine) {
    for op in ["<", ">", "<=", ">=", "!="] {
        engine.register_fn(op, |_: (), _: f64| false);
        engine.register_fn(op, |_: f64, _: ()| false);
        engine.register_fn(op, |_: (), _: i64| false);
        engine.register_fn(op, |_: i64, _: ()| false);
    }
}

/// Text compared with a number, either way round, is a mistake, not a false condition.
fn register_mismatched_comparisons(engine: &mut Engine) {
    let (text, decimal, integer) = (type_fr("string"), type_fr("f64"), type_fr("i64"));
    mismatched::<ImmutableString, f64>(engine, &text, &decimal);
    mismatched::<f64, ImmutableString>(engine, &decimal, &text);
    mismatched::<ImmutableString, i64>(engine, &text, &integer);
    mismatched::<i64, ImmutableString>(engine, &integer, &text);
}

/// Every comparison of an `A` with a `B` fails, naming both types in French.
fn mismatched<A: Variant + Clone, B: Variant + Clone>(engine: &mut Engine, a: &str, b: &str) {
    for op in ["<", ">", "<=", ">=", "==", "!="] {
        let message = format!("types incompatibles pour « {op} » : {a} et {b}");
        engine.register_fn(
            op,
            move |ctx: NativeCallContext, _: A, _: B| -> Result<bool, Box<EvalAltResult>> {
                Err(runtime_error(message.clone(), ctx.call_position()))
            },
        );
    }
}

fn runtime_error(message: String, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from(message), pos))
}

/// A number, or the missing value `()`.
fn opt(x: Option<f64>) -> Dynamic {
    x.map(Dynamic::from_float).unwrap_or(Dynamic::UNIT)
}

fn parse_frame(name: &str, pos: Position) -> Result<FrameKind, Box<EvalAltResult>> {
    FrameKind::parse(name).ok_or_else(|| {
        runtime_error(
            format!(
                "cadre de référence inconnu « {name} » : utilisez \"national\", \"region\", \"pairs\" ou \"typologie\""
            ),
            pos,
        )
    })
}

/// Does an indicator have this finding?
fn has(kind: FindingKind) -> impl Fn(&IndicatorData) -> bool + Send + Sync + 'static {
    move |indicator| indicator.finding == Some(kind)
}

/// `ind.name`: a property of an indicator.
fn indicator_property<T: Variant + Clone>(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(&IndicatorData) -> T + Send + Sync + 'static,
) {
    engine.register_get(name, move |v: &mut IndicatorView| read(v.get()));
}

/// `ind.name(r)`: a number about the indicator in the frame named `r`, or `()`.
fn frame_value(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(&IndicatorData, FrameKind) -> Option<f64> + Send + Sync + 'static,
) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext,
              v: &mut IndicatorView,
              frame: &str|
              -> Result<Dynamic, Box<EvalAltResult>> {
            let kind = parse_frame(frame, ctx.call_position())?;
            Ok(opt(read(v.get(), kind)))
        },
    );
}

/// `ind.name(r)`: a question about the indicator in the frame named `r`.
fn frame_question(
    engine: &mut Engine,
    name: &str,
    ask: impl Fn(&IndicatorData, FrameKind) -> bool + Send + Sync + 'static,
) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext,
              v: &mut IndicatorView,
              frame: &str|
              -> Result<bool, Box<EvalAltResult>> {
            let kind = parse_frame(frame, ctx.call_position())?;
            Ok(ask(v.get(), kind))
        },
    );
}

/// `ind.name()`: a question about the indicator.
fn indicator_question(
    engine: &mut Engine,
    name: &str,
    ask: impl Fn(&IndicatorData) -> bool + Send + Sync + 'static,
) {
    engine.register_fn(name, move |v: &mut IndicatorView| ask(v.get()));
}

/// `ml.name`: a property of the structure.
fn structure_property<T: Variant + Clone>(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(&StructureData) -> T + Send + Sync + 'static,
) {
    engine.register_get(name, move |m: &mut StructureView| read(&m.data));
}

/// `ml.name()`: how many of the structure's indicators are `counted`.
fn structure_count(
    engine: &mut Engine,
    name: &str,
    counted: impl Fn(&IndicatorData) -> bool + Send + Sync + 'static,
) {
    engine.register_fn(name, move |m: &mut StructureView| {
        m.data.indicators.iter().filter(|i| counted(i)).count() as i64
    });
}

/// `s.name`: a property of a structure of the region.
fn region_structure_property<T: Variant + Clone>(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(&RegionStructure) -> T + Send + Sync + 'static,
) {
    engine.register_get(name, move |s: &mut RegionStructureView| read(s.get()));
}

/// The position of indicator `id` in the region's views, or an error naming close ids.
fn region_indicator(data: &RegionData, id: &str) -> Result<usize, String> {
    data.indicator(id).ok_or_else(|| {
        format!(
            "indicateur inconnu « {id} »{}",
            suggest(id, data.indicators.iter().map(String::as_str))
        )
    })
}

/// `s.name("indicateur")`: something of one indicator of a structure of the region.
fn region_structure_indicator(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(&RegionStructure, usize) -> Dynamic + Send + Sync + 'static,
) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext,
              s: &mut RegionStructureView,
              id: &str|
              -> Result<Dynamic, Box<EvalAltResult>> {
            let i = region_indicator(&s.data, id)
                .map_err(|message| runtime_error(message, ctx.call_position()))?;
            Ok(read(s.get(), i))
        },
    );
}

/// An unknown recommendation id, with the close ones.
fn unknown_recommendation(
    declared: &[crate::pack::manifest::RecommendationSpec],
    id: &str,
) -> String {
    format!(
        "recommandation inconnue « {id} » (elle doit être déclarée dans pack.toml){}",
        suggest(id, declared.iter().map(|r| r.id.as_str()))
    )
}

/// `s.a_la_recommandation("id")`.
fn register_has_recommendation(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext,
              s: &mut RegionStructureView,
              id: &str|
              -> Result<bool, Box<EvalAltResult>> {
            if s.data.count(id).is_none() {
                let pos = ctx.call_position();
                return in_evaluation(name, pos, |state| {
                    Err(unknown_recommendation(&state.manifest.recommendations, id))
                });
            }
            Ok(s.get().recommendations.iter().any(|r| r == id))
        },
    );
}

/// Runs `f` on the region the regions script examines; an error in the structures'
/// scripts.
fn in_region<T>(
    name: &str,
    pos: Position,
    f: impl FnOnce(&Arc<RegionData>, &mut EvalState) -> Result<T, String>,
) -> Result<T, Box<EvalAltResult>> {
    in_evaluation(name, pos, |state| match state.region_data.clone() {
        Some(region) => f(&region, state),
        None => Err(format!(
            "{name}() ne sert que dans le script des régions ([scripts] regions de pack.toml)"
        )),
    })
}

/// `name()`: something of the region.
fn region_value<T: Variant + Clone>(
    engine: &mut Engine,
    name: &'static str,
    read: impl Fn(&RegionData) -> Result<T, String> + Send + Sync + 'static,
) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext| -> Result<T, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |r, _| read(r))
        },
    );
}

/// `name("id")`: something of the region about a declared recommendation.
fn region_lookup(
    engine: &mut Engine,
    name: &'static str,
    read: impl Fn(&RegionData, &str) -> Option<Dynamic> + Send + Sync + 'static,
) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, id: &str| -> Result<Dynamic, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |r, state| {
                read(r, id)
                    .ok_or_else(|| unknown_recommendation(&state.manifest.recommendations, id))
            })
        },
    );
}

/// `structures()`: the region's structures.
fn register_structures(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext| -> Result<Array, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |r, _| {
                Ok((0..r.structures.len())
                    .map(|index| {
                        Dynamic::from(RegionStructureView {
                            data: Arc::clone(r),
                            index,
                        })
                    })
                    .collect())
            })
        },
    );
}

/// `recommandations()`: the declared recommendation ids.
fn register_recommendation_ids(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext| -> Result<Array, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |_, state| {
                Ok(state
                    .manifest
                    .recommendations
                    .iter()
                    .map(|r| Dynamic::from(r.id.clone()))
                    .collect())
            })
        },
    );
}

/// `indicateur_principal("id")`: the first indicator the recommendation lists, or `()`.
fn register_main_indicator(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, id: &str| -> Result<Dynamic, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |_, state| {
                let declared = &state.manifest.recommendations;
                match declared.iter().find(|r| r.id == id) {
                    Some(r) => Ok(r
                        .indicators
                        .first()
                        .map(|i| Dynamic::from(i.clone()))
                        .unwrap_or(Dynamic::UNIT)),
                    None => Err(unknown_recommendation(declared, id)),
                }
            })
        },
    );
}

/// `jugement_national("indicateur")`: the region's judgement on the indicator's national
/// frame; an indicator that could not be tested (not judged, no value) has none.
fn register_judgement(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, id: &str| -> Result<JudgementView, Box<EvalAltResult>> {
            in_region(name, ctx.call_position(), |r, _| {
                region_indicator(r, id)?;
                Ok(JudgementView {
                    judgement: r.judgements.iter().find(|j| j.indicator == id).cloned(),
                })
            })
        },
    );
}

/// `j.name`: a property of a national judgement.
fn judgement_property<T: Variant + Clone>(
    engine: &mut Engine,
    name: &str,
    read: impl Fn(Option<&JudgementData>) -> T + Send + Sync + 'static,
) {
    engine.register_get(name, move |j: &mut JudgementView| {
        read(j.judgement.as_ref())
    });
}

/// `prioriser("id")`: makes a declared recommendation a priority of the region, once.
fn register_prioritise(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, id: &str| -> Result<(), Box<EvalAltResult>> {
            let pos = ctx.call_position();
            in_region(name, pos, |_, state| {
                let declared = &state.manifest.recommendations;
                if !declared.iter().any(|r| r.id == id) {
                    return Err(unknown_recommendation(declared, id));
                }
                if !state.prioritised.iter().any(|(r, _)| r == id) {
                    state.prioritised.push((id.to_string(), pos));
                }
                Ok(())
            })
        },
    );
}

/// `name("raison")`: a finding of this kind, with where the script made it.
fn finding(engine: &mut Engine, name: &str, kind: FindingKind) {
    engine.register_fn(name, move |ctx: NativeCallContext, reason: &str| {
        FindingValue {
            kind,
            reason: reason.to_string(),
            position: ctx.call_position(),
        }
    });
}

/// Runs `f` on the state of the evaluation under way; `name()` called outside one is an
/// error.
fn in_evaluation<T>(
    name: &str,
    pos: Position,
    f: impl FnOnce(&mut EvalState) -> Result<T, String>,
) -> Result<T, Box<EvalAltResult>> {
    match with_state(f) {
        Some(Ok(value)) => Ok(value),
        Some(Err(message)) => Err(runtime_error(message, pos)),
        None => Err(runtime_error(
            format!("{name}() appelé hors d'une évaluation"),
            pos,
        )),
    }
}

/// `seuil("nom")`: the threshold's value for the structure's region, noted for the
/// explanations with the line that read it.
fn register_threshold(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, threshold: &str| -> Result<f64, Box<EvalAltResult>> {
            let pos = ctx.call_position();
            in_evaluation(name, pos, |state| {
                read_threshold(state, threshold, pos.line().unwrap_or(0))
            })
        },
    );
}

fn read_threshold(state: &mut EvalState, name: &str, line: usize) -> Result<f64, String> {
    let thresholds = &state.manifest.thresholds;
    let Some(value) = thresholds.value(name, &state.region) else {
        return Err(format!(
            "seuil inconnu « {name} »{}",
            suggest(name, thresholds.base.keys().map(String::as_str))
        ));
    };
    let regional = thresholds
        .regions
        .get(&state.region)
        .is_some_and(|layer| layer.contains_key(name));
    let noted = state
        .thresholds_used
        .iter()
        .any(|(used, l)| used.name == name && *l == line);
    if !noted {
        let used = ThresholdUse {
            name: name.to_string(),
            value,
            regional,
        };
        state.thresholds_used.push((used, line));
    }
    Ok(value)
}

/// `bande("echelle", nombre)`: the label of the scale's interval holding the number, `""`
/// when none does.
fn register_band(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext,
              scale: &str,
              value: f64|
              -> Result<String, Box<EvalAltResult>> {
            in_evaluation(name, ctx.call_position(), |state| {
                match state.manifest.thresholds.bands.get(scale) {
                    Some(bands) => Ok(bands
                        .iter()
                        .find(|b| value >= b.from && value < b.to)
                        .map(|b| b.label.clone())
                        .unwrap_or_default()),
                    None => Err(format!("échelle de seuils inconnue « {scale} »")),
                }
            })
        },
    );
}

/// `recommander("id")`: adds a recommendation declared in the manifest, once.
fn register_recommendation(engine: &mut Engine, name: &'static str) {
    engine.register_fn(
        name,
        move |ctx: NativeCallContext, id: &str| -> Result<(), Box<EvalAltResult>> {
            let pos = ctx.call_position();
            in_evaluation(name, pos, |state| recommend(state, id, pos))
        },
    );
}

fn recommend(state: &mut EvalState, id: &str, pos: Position) -> Result<(), String> {
    if state.region_data.is_some() {
        return Err(
            "recommander() ne sert que dans le script des recommandations : dans le script des régions, une priorité régionale se choisit par prioriser(\"id\")".into(),
        );
    }
    let declared = &state.manifest.recommendations;
    if !declared.iter().any(|r| r.id == id) {
        return Err(unknown_recommendation(declared, id));
    }
    if !state.recommended.iter().any(|(r, _)| r == id) {
        state.recommended.push((id.to_string(), pos));
    }
    Ok(())
}

/// `pourcent(0.125)` → `12,5 %`.
fn register_percent(engine: &mut Engine, name: &'static str) {
    engine.register_fn(name, |x: f64| format_fr(x, Unit::Fraction));
}

/// `nombre(3.14159)` → `3,14`; `nombre(1234567)` → `1 234 567`.
fn register_number(engine: &mut Engine, name: &'static str) {
    engine.register_fn(name, |x: f64| crate::fr::fixed(x, 2));
    engine.register_fn(name, crate::fr::integer);
}

/// Rhai's type names in French.
pub fn type_fr(t: &str) -> String {
    let t = t.trim();
    let name = match t {
        "()" => "valeur manquante ()",
        "f64" | "float" => "nombre décimal",
        "i64" | "int" => "entier",
        "bool" => "booléen",
        "string" | "&str" | "ImmutableString" | "&str | ImmutableString | String" => "texte",
        "char" => "caractère",
        "array" => "liste",
        "map" => "table",
        "Indicateur" | "boussole::pack::engine::view::IndicatorView" => "Indicateur",
        "MissionLocale" | "boussole::pack::engine::view::StructureView" => "MissionLocale",
        "Constat" | "boussole::pack::engine::FindingValue" => "Constat",
        "StructureDeLaRegion" | "boussole::pack::engine::view::RegionStructureView" => {
            "StructureDeLaRegion"
        }
        "JugementNational" | "boussole::pack::engine::view::JudgementView" => "JugementNational",
        other => other,
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::engine::{Limits, build_engine};
    use std::collections::BTreeSet;

    /// The user guide, whose reference lists the API.
    const GUIDE: &str = include_str!("../../../docs/regles.md");

    /// The names of the functions and properties registered on the engine, operators aside.
    fn registered_names() -> BTreeSet<String> {
        let engine = build_engine(Limits::default());
        engine
            .collect_fn_metadata(None, |f| Some(f.metadata.name.to_string()), false)
            .into_iter()
            .map(|name| match name.strip_prefix("get$") {
                Some(property) => property.to_string(),
                None => name,
            })
            .filter(|name| name.chars().any(char::is_alphanumeric))
            // Rhai's own functions the sandbox replaces add no name.
            .filter(|name| !crate::pack::engine::memory::GUARDED.contains(&name.as_str()))
            .collect()
    }

    fn table_names() -> BTreeSet<String> {
        names().map(str::to_string).collect()
    }

    /// The name a signature uses: `ml.nombre_de_forces()` → `nombre_de_forces`,
    /// `j.tient` → `tient`.
    fn signature_name(signature: &str) -> &str {
        let call = ["ml.", "s.", "j."]
            .iter()
            .find_map(|p| signature.strip_prefix(p))
            .unwrap_or(signature);
        let end = call
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(call.len());
        &call[..end]
    }

    /// The guide's reference: each `####` heading with the first cell (between backquotes)
    /// of each row of its table.
    fn guide_reference() -> Vec<(String, Vec<String>)> {
        let start = GUIDE
            .find("### Référence complète")
            .expect("the guide has a reference");
        let reference = &GUIDE[start..];
        let end = reference[4..]
            .find("\n### ")
            .map_or(reference.len(), |e| e + 4);
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        for line in reference[..end].lines() {
            if let Some(heading) = line.strip_prefix("#### ") {
                sections.push((heading.to_string(), Vec::new()));
            } else if let Some(cell) = line.strip_prefix("| `")
                && let Some((signature, _)) = cell.split_once('`')
                && let Some((_, rows)) = sections.last_mut()
            {
                rows.push(signature.to_string());
            }
        }
        sections
    }

    #[test]
    fn the_table_names_exactly_what_the_engine_registers() {
        let registered = registered_names();
        let table = table_names();
        let unlisted: Vec<_> = registered.difference(&table).collect();
        let unregistered: Vec<_> = table.difference(&registered).collect();
        assert!(
            unlisted.is_empty(),
            "registered but not in API: {unlisted:?}"
        );
        assert!(
            unregistered.is_empty(),
            "in API but not registered: {unregistered:?}"
        );
    }

    #[test]
    fn names_are_unique_with_one_line_descriptions_and_signatures_using_them() {
        assert_eq!(table_names().len(), API.len());
        for function in API {
            assert!(!function.signatures.is_empty(), "{}", function.name);
            let description = function.description;
            assert!(
                !description.is_empty() && !description.contains('\n'),
                "{description}"
            );
            for signature in function.signatures {
                assert_eq!(signature_name(signature), function.name, "{signature}");
            }
        }
    }

    #[test]
    fn the_guide_documents_every_name_and_nothing_else() {
        let documented: BTreeSet<String> = guide_reference()
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|s| signature_name(s).to_string()))
            .collect();
        let table = table_names();
        let undocumented: Vec<_> = table.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&table).collect();
        assert!(
            undocumented.is_empty(),
            "in API but not in docs/regles.md: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "in docs/regles.md but not in API: {unknown:?}"
        );
    }

    #[test]
    fn the_guide_lists_each_category_with_the_signatures_of_the_table() {
        let guide = guide_reference();
        let headings: Vec<&str> = guide.iter().map(|(heading, _)| heading.as_str()).collect();
        assert_eq!(headings, Category::ALL.map(Category::heading_fr));
        for ((heading, rows), category) in guide.iter().zip(Category::ALL) {
            let signatures: Vec<&str> = API
                .iter()
                .filter(|f| f.category == category)
                .flat_map(|f| f.signatures.iter().copied())
                .collect();
            assert_eq!(rows, &signatures, "section « {heading} » of docs/regles.md");
        }
    }
}
