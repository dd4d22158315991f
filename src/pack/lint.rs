//! `check`'s linter: what compiles may still be wrong. Unknown or unused indicators, axes
//! without indicators, weights that cannot be used, threshold bands with gaps or overlaps,
//! recommendations resting on unknown indicators or never made, thresholds and
//! recommendations named in scripts but not declared.

use crate::dataset::Severity;
use crate::fr::suggest;
use crate::pack::Pack;
use crate::pack::engine::indicator_ids;
use crate::pack::manifest::{Direction, FrameKind};
use std::collections::BTreeSet;

/// One finding of the linter.
#[derive(Debug, Clone, PartialEq)]
pub struct Lint {
    pub severity: Severity,
    /// `pack.toml`, `recommandations.rhai:12`...
    pub place: String,
    pub message: String,
}

fn lint(
    out: &mut Vec<Lint>,
    severity: Severity,
    place: impl Into<String>,
    message: impl Into<String>,
) {
    out.push(Lint {
        severity,
        place: place.into(),
        message: message.into(),
    });
}

/// Calls `name("literal")` in a script: (literal, line, column), 1-based.
pub fn string_calls(text: &str, name: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (l, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut start = 0;
        while let Some(found) = code[start..].find(name) {
            let at = start + found;
            start = at + name.len();
            let before_ok = code[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let rest = code[start..].trim_start();
            if !before_ok || !rest.starts_with('(') {
                continue;
            }
            let rest = rest[1..].trim_start();
            if let Some(lit) = rest.strip_prefix('"')
                && let Some(end) = lit.find('"')
            {
                out.push((
                    lit[..end].to_string(),
                    l + 1,
                    code[..at].chars().count() + 1,
                ));
            }
        }
    }
    out
}

fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let is_id = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_id(before) && !is_id(after)
    })
}

/// Lints a pack (which must already load).
pub fn lint_pack(pack: &Pack) -> Vec<Lint> {
    let m = &pack.manifest;
    let mut out = Vec::new();
    if let Some(text) = pack.files.get("pack.toml") {
        non_finite_numbers(text, &mut out);
    }
    let ids = indicator_ids(m);
    let known: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let all_columns: BTreeSet<&str> = m.columns.iter().map(|c| c.id.as_str()).collect();
    let scripts: String = m
        .scripts
        .all()
        .iter()
        .filter_map(|s| pack.files.get(*s))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");

    // Duplicates.
    let mut seen = BTreeSet::new();
    for id in m
        .columns
        .iter()
        .map(|c| &c.id)
        .chain(m.indicators.iter().map(|d| &d.id))
    {
        if !seen.insert(id.as_str()) {
            lint(
                &mut out,
                Severity::Error,
                "pack.toml",
                format!("l'identifiant « {id} » est déclaré deux fois"),
            );
        }
    }
    // A `[labels]` key no output reads: the label the author meant is not applied.
    let label_keys = crate::pack::manifest::LABEL_KEYS;
    for key in m
        .labels
        .keys()
        .filter(|k| !label_keys.contains(&k.as_str()))
    {
        let mut hint = crate::fr::suggest(key, label_keys.iter().copied());
        if hint.is_empty() {
            hint = format!(" ; clés lues : {}", label_keys.join(", "));
        }
        lint(
            &mut out,
            Severity::Warning,
            "pack.toml",
            format!("[labels] : clé inconnue « {key} », aucune sortie ne la lit{hint}"),
        );
    }
    // Two indicators of one label (a column shown as an indicator, or a derived one) would
    // read as one in every sheet: a count and its rate of the same name side by side.
    let mut labels: Vec<(String, &str)> = Vec::new();
    for (id, label) in m
        .columns
        .iter()
        .filter(|c| c.role.is_numeric())
        .map(|c| (&c.id, &c.label))
        .chain(m.indicators.iter().map(|d| (&d.id, &d.label)))
    {
        let key = label.trim().to_lowercase();
        if let Some((_, first)) = labels.iter().find(|(k, _)| *k == key) {
            lint(
                &mut out,
                Severity::Warning,
                "pack.toml",
                format!(
                    "« {first} » et « {id} » portent le même libellé « {} » : leurs lignes se \
                     confondraient dans les feuilles du classeur annoté",
                    label.trim()
                ),
            );
        } else {
            labels.push((key, id));
        }
    }
    if !m
        .columns
        .iter()
        .any(|c| c.role == crate::pack::manifest::Role::Id)
    {
        lint(
            &mut out,
            Severity::Error,
            "pack.toml",
            "aucune colonne n'a le rôle « id » : les structures ne pourraient pas être identifiées",
        );
    }

    // Derived indicators.
    for (pos, d) in m.indicators.iter().enumerate() {
        let earlier: BTreeSet<&str> = m
            .columns
            .iter()
            .filter(|c| c.role.is_numeric())
            .map(|c| c.id.as_str())
            .chain(m.indicators[..pos].iter().map(|x| x.id.as_str()))
            .collect();
        for (what, src) in [
            ("numérateur", &d.numerator),
            ("dénominateur", &d.denominator),
        ] {
            if earlier.contains(src.as_str()) {
                continue;
            }
            let message = if src == &d.id {
                format!(
                    "{what} « {src} » : l'indicateur est défini à partir de lui-même ; il serait manquant pour toutes les structures"
                )
            } else if m.indicators[pos + 1..].iter().any(|x| &x.id == src) {
                format!(
                    "{what} « {src} » déclaré plus bas : un indicateur ne peut reposer que sur des colonnes numériques ou des indicateurs déclarés plus haut (ce qui exclut les cycles)"
                )
            } else {
                format!(
                    "{what} « {src} » inconnu (ni colonne numérique ni indicateur déclaré plus haut){}",
                    suggest(src, known.iter().copied())
                )
            };
            lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, indicateur {}", d.id),
                message,
            );
        }
        if !d.factor.is_finite() || d.factor == 0.0 {
            lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, indicateur {}", d.id),
                "le facteur doit être un nombre non nul",
            );
        }
        match (&d.axis, d.direction) {
            (Some(a), _) if !m.axes.iter().any(|x| &x.id == a) => lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, indicateur {}", d.id),
                format!(
                    "axe inconnu « {a} »{}",
                    suggest(a, m.axes.iter().map(|x| x.id.as_str()))
                ),
            ),
            (None, Direction::Higher | Direction::Lower) => lint(
                &mut out,
                Severity::Warning,
                format!("pack.toml, indicateur {}", d.id),
                "indicateur jugé sans axe : il a un score mais ne compte dans aucun score d'axe",
            ),
            (Some(_), Direction::Neutral) => lint(
                &mut out,
                Severity::Warning,
                format!("pack.toml, indicateur {}", d.id),
                "indicateur neutre rattaché à un axe : il n'est jamais jugé, son poids est ignoré",
            ),
            _ => {}
        }
        if d.direction != Direction::Neutral && (!d.weight.is_finite() || d.weight <= 0.0) {
            lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, indicateur {}", d.id),
                format!(
                    "poids {} invalide : un poids doit être un nombre strictement positif",
                    toml_number(d.weight)
                ),
            );
        }
    }

    // Axes.
    for a in &m.axes {
        let members: Vec<_> = m
            .indicators
            .iter()
            .filter(|d| {
                d.axis.as_deref() == Some(a.id.as_str()) && d.direction != Direction::Neutral
            })
            .collect();
        if members.is_empty() {
            lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, axe {}", a.id),
                "axe sans indicateur jugé : son score serait toujours « données insuffisantes »",
            );
        } else {
            let total: f64 = members.iter().map(|d| d.weight).sum();
            if !(total.is_finite() && total > 0.0) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("pack.toml, axe {}", a.id),
                    format!(
                        "les poids de l'axe totalisent {} : ils doivent totaliser un nombre positif",
                        toml_number(total)
                    ),
                );
            }
        }
    }
    if !(m.findings.funnel_z.is_finite() && m.findings.funnel_z > 0.0) {
        lint(
            &mut out,
            Severity::Error,
            "pack.toml, [findings]",
            format!(
                "funnel_z = {} : un nombre strictement positif est attendu (1,96 pour une alerte à 95 %)",
                toml_number(m.findings.funnel_z)
            ),
        );
    }
    let declared = m
        .columns
        .iter()
        .map(|c| (format!("colonne {}", c.id), c.plausible))
        .chain(
            m.indicators
                .iter()
                .map(|d| (format!("indicateur {}", d.id), d.plausible)),
        );
    for (what, bounds) in declared {
        if let Some(bounds) = bounds
            && !(bounds.min.is_finite() && bounds.max.is_finite() && bounds.min < bounds.max)
        {
            lint(
                &mut out,
                Severity::Error,
                format!("pack.toml, {what}"),
                format!(
                    "bornes plausibles de {} à {} : deux nombres finis, le premier plus petit, sont attendus",
                    toml_number(bounds.min),
                    toml_number(bounds.max)
                ),
            );
        }
    }
    if !(0.0..=1.0).contains(&m.scoring.min_coverage) {
        lint(
            &mut out,
            Severity::Error,
            "pack.toml, [scoring]",
            format!(
                "min_coverage = {} : une part entre 0 et 1 est attendue",
                m.scoring.min_coverage
            ),
        );
    }
    if m.scoring.frame == FrameKind::Typology
        && !m
            .columns
            .iter()
            .any(|c| c.role == crate::pack::manifest::Role::Typology)
    {
        lint(
            &mut out,
            Severity::Error,
            "pack.toml, [scoring]",
            "scores dans le référentiel « typology » sans colonne de rôle « typology »",
        );
    }

    // Frames.
    for (what, vars) in [
        ("peers_context", &m.frames.peers_context),
        ("regression_context", &m.frames.regression_context),
        ("log_context", &m.frames.log_context),
    ] {
        for v in vars {
            if !all_columns.contains(v.as_str()) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("pack.toml, [frames] {what}"),
                    format!(
                        "colonne inconnue « {v} »{}",
                        suggest(v, all_columns.iter().copied())
                    ),
                );
            }
        }
    }
    if m.frames.peers_k == 0 && !m.frames.peers_context.is_empty() {
        lint(
            &mut out,
            Severity::Error,
            "pack.toml, [frames]",
            "peers_k = 0 : un groupe de pairs doit compter au moins une structure",
        );
    }

    // Thresholds.
    for (region, layer) in &m.thresholds.regions {
        for name in layer.keys() {
            if !m.thresholds.base.contains_key(name) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("pack.toml, seuils de {region}"),
                    format!(
                        "le seuil « {name} » n'existe pas dans la table de base{}",
                        suggest(name, m.thresholds.base.keys().map(String::as_str))
                    ),
                );
            }
        }
    }
    for (name, bands) in &m.thresholds.bands {
        let place = format!("pack.toml, échelle {name}");
        let mut sorted: Vec<_> = bands.iter().collect();
        sorted.sort_by(|a, b| a.from.total_cmp(&b.from));
        for b in &sorted {
            if b.from >= b.to || b.from.is_nan() || b.to.is_nan() {
                lint(
                    &mut out,
                    Severity::Error,
                    place.clone(),
                    format!(
                        "intervalle « {} » vide ou inversé : de {} à {}",
                        b.label,
                        toml_number(b.from),
                        toml_number(b.to)
                    ),
                );
            }
        }
        for w in sorted.windows(2) {
            if w[1].from > w[0].to {
                lint(
                    &mut out,
                    Severity::Error,
                    place.clone(),
                    format!(
                        "trou entre « {} » (jusqu'à {}) et « {} » (à partir de {})",
                        w[0].label,
                        toml_number(w[0].to),
                        w[1].label,
                        toml_number(w[1].from)
                    ),
                );
            } else if w[1].from < w[0].to {
                lint(
                    &mut out,
                    Severity::Error,
                    place.clone(),
                    format!(
                        "chevauchement entre « {} » (jusqu'à {}) et « {} » (à partir de {})",
                        w[0].label,
                        toml_number(w[0].to),
                        w[1].label,
                        toml_number(w[1].from)
                    ),
                );
            }
        }
    }
    for script in m.scripts.all() {
        let text = pack.files.get(script).map(String::as_str).unwrap_or("");
        for (name, line, col) in string_calls(text, "seuil") {
            if !m.thresholds.base.contains_key(&name) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("{script}:{line}:{col}"),
                    format!(
                        "seuil inconnu « {name} »{}",
                        suggest(&name, m.thresholds.base.keys().map(String::as_str))
                    ),
                );
            }
        }
        let recommendation_calls = [
            "recommander",
            "prioriser",
            "structures_avec",
            "part_avec",
            "indicateur_principal",
            "a_la_recommandation",
        ]
        .iter()
        .flat_map(|f| string_calls(text, f));
        for (name, line, col) in recommendation_calls {
            if !m.recommendations.iter().any(|r| r.id == name) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("{script}:{line}:{col}"),
                    format!(
                        "recommandation inconnue « {name} »{}",
                        suggest(&name, m.recommendations.iter().map(|r| r.id.as_str()))
                    ),
                );
            }
        }
        let indicator_calls = ["jugement_national", "valeur_de", "constat_de"]
            .iter()
            .flat_map(|f| string_calls(text, f));
        for (name, line, col) in indicator_calls {
            if !known.contains(name.as_str()) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("{script}:{line}:{col}"),
                    format!(
                        "indicateur inconnu « {name} »{}",
                        suggest(&name, known.iter().copied())
                    ),
                );
            }
        }
        for (name, line, col) in string_calls(text, "bande") {
            if !m.thresholds.bands.contains_key(&name) {
                lint(
                    &mut out,
                    Severity::Error,
                    format!("{script}:{line}:{col}"),
                    format!("échelle de seuils inconnue « {name} »"),
                );
            }
        }
    }
    for name in m.thresholds.base.keys() {
        if !scripts.contains(&format!("\"{name}\"")) {
            lint(
                &mut out,
                Severity::Warning,
                "pack.toml, [thresholds.base]",
                format!("le seuil « {name} » n'est utilisé par aucun script"),
            );
        }
    }

    // Recommendations.
    let recommended: BTreeSet<String> = string_calls(
        pack.files
            .get(&m.scripts.recommendations)
            .map(String::as_str)
            .unwrap_or(""),
        "recommander",
    )
    .into_iter()
    .map(|(n, _, _)| n)
    .collect();
    for r in &m.recommendations {
        let place = format!("pack.toml, recommandation {}", r.id);
        for i in &r.indicators {
            if !known.contains(i.as_str()) {
                lint(
                    &mut out,
                    Severity::Error,
                    place.clone(),
                    format!(
                        "indicateur inconnu « {i} »{}",
                        suggest(i, known.iter().copied())
                    ),
                );
            }
        }
        if !recommended.contains(&r.id) {
            lint(
                &mut out,
                Severity::Warning,
                place.clone(),
                "recommandation jamais faite par le script des recommandations",
            );
        }
        if r.priority == 0 {
            lint(
                &mut out,
                Severity::Error,
                place,
                "priorité 0 : les priorités commencent à 1 (la plus haute)",
            );
        }
    }

    // Unused indicators: numeric columns used by nothing.
    let used_by_manifest: BTreeSet<&str> = m
        .indicators
        .iter()
        .flat_map(|d| [d.numerator.as_str(), d.denominator.as_str()])
        .chain(
            m.recommendations
                .iter()
                .flat_map(|r| r.indicators.iter().map(String::as_str)),
        )
        .chain(m.frames.peers_context.iter().map(String::as_str))
        .chain(m.frames.regression_context.iter().map(String::as_str))
        .collect();
    for c in m.columns.iter().filter(|c| c.role.is_numeric()) {
        if !used_by_manifest.contains(c.id.as_str()) && !mentions(&scripts, &c.id) {
            lint(
                &mut out,
                Severity::Warning,
                format!("pack.toml, colonne {}", c.id),
                "colonne lue mais utilisée par aucun indicateur, référentiel, recommandation ni script",
            );
        }
    }
    for d in &m.indicators {
        let used = used_by_manifest.contains(d.id.as_str())
            || mentions(&scripts, &d.id)
            || d.axis.is_some();
        if !used && d.direction == Direction::Neutral {
            lint(
                &mut out,
                Severity::Info,
                format!("pack.toml, indicateur {}", d.id),
                "indicateur neutre utilisé par aucune règle : il est seulement affiché",
            );
        }
    }
    method_lints(pack, &mut out);
    out
}

/// The simple fractions a share may be meant as: a/b for b up to 12.
fn simple_fraction_below(x: f64) -> Option<(u32, u32)> {
    (2..=12u32)
        .flat_map(|b| (1..b).map(move |a| (a, b)))
        .find(|&(a, b)| {
            let f = f64::from(a) / f64::from(b);
            x > f + 1e-12 && x - f <= 1e-3
        })
}

/// The method's own traps: a share just above a simple fraction, regional priorities that
/// rules on a regional quarter can never reach, and thresholds on the peers' position that
/// the peer count quantises.
fn method_lints(pack: &Pack, out: &mut Vec<Lint>) {
    let m = &pack.manifest;
    let coverage = m.scoring.min_coverage;
    if let Some((a, b)) = simple_fraction_below(coverage) {
        lint(
            out,
            Severity::Warning,
            "pack.toml, [scoring] min_coverage",
            format!(
                "min_coverage = {} est juste au-dessus de {a}/{b} : une structure avec exactement {a} indicateurs sur {b} perd son score d'axe ; écrire min_coverage = \"{a}/{b}\" pour dire {a}/{b} exactement",
                toml_number(coverage)
            ),
        );
    }
    let findings = pack
        .files
        .get(&m.scripts.findings)
        .map(String::as_str)
        .unwrap_or("");
    let regional_quarter = ["dans_le_quart_faible", "dans_le_quart_fort"]
        .iter()
        .any(|q| findings.contains(&format!("{q}(\"region\")")));
    // Strictly below Q1 (QUARTILE.INC) of n values: at most ⌊(n−1)/4⌋ + 1 of them.
    let largest = |n: usize| ((n - 1) / 4 + 1) as f64 / n as f64;
    // A region's own share concerns one region whose size the pack does not know: only the
    // general share is checked. With a regions script, the share matters only if the script
    // reads it.
    let regions_script = m
        .scripts
        .regions
        .as_ref()
        .map(|s| (s, pack.files.get(s).map(String::as_str).unwrap_or("")));
    let reads_share = regions_script.is_none_or(|(_, text)| mentions(text, "part_minimale"));
    let shares = [("min_share".to_string(), m.regional_priorities.min_share)];
    for (name, share) in shares {
        if !regional_quarter || !reads_share {
            continue;
        }
        let Some(from) = (2..=1000).find(|&n| {
            largest(n) < share - 1e-12 && (n..n + 40).all(|k| largest(k) < share - 1e-12)
        }) else {
            continue;
        };
        let (by_share, otherwise) = match regions_script {
            Some((script, _)) => (
                format!("par une règle de {script} qui compare sa part à part_minimale()"),
                format!("seulement par les autres règles de {script}"),
            ),
            None => (
                "par sa part".to_string(),
                "seulement par le jugement sur le référentiel national, `national_alpha`"
                    .to_string(),
            ),
        };
        lint(
            out,
            Severity::Warning,
            format!("pack.toml, [regional_priorities] {name}"),
            format!(
                "{name} = {} : un constat qui repose sur le quart le moins (ou le plus) favorable de la région concerne au plus ⌊(n−1)/4⌋ + 1 structures sur n, soit moins de {} % dès {from} structures : une recommandation qui en dépend ne peut devenir priorité régionale {by_share} dans ces régions ({otherwise})",
                toml_number(share),
                crate::fr::number(100.0 * share, 0)
            ),
        );
    }
    // Peer positions move in steps of 100 / k: a threshold between two steps acts as the
    // next one.
    let k = m.frames.peers_k;
    if k > 0 && !m.frames.peers_context.is_empty() {
        let step = 100.0 / k as f64;
        for script in m.scripts.all() {
            let Some(text) = pack.files.get(script) else {
                continue;
            };
            for (l, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if !code.contains("position(\"pairs\")") {
                    continue;
                }
                for (name, _, _) in string_calls(code, "seuil") {
                    let Some(&value) = m.thresholds.base.get(&name) else {
                        continue;
                    };
                    let steps = value / step;
                    if (steps - steps.round()).abs() > 1e-9 {
                        let acts = steps.ceil() * step;
                        lint(
                            out,
                            Severity::Warning,
                            format!("{script}:{}", l + 1),
                            format!(
                                "seuil « {name} » = {} comparé au rang parmi {k} pairs, qui avance par pas de {} : il agit comme {} (toute valeur de {} à {} donne le même résultat)",
                                toml_number(value),
                                crate::fr::number(step, 1),
                                crate::fr::number(acts, 1),
                                crate::fr::number(acts - step, 1),
                                crate::fr::number(acts, 1)
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// A number of the manifest as a message quotes it: French decimals, `nan`, `inf` and
/// `-inf` as TOML writes them.
fn toml_number(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        crate::fr::number(x, 6)
    }
}

/// Every number of `pack.toml` that is not finite (`nan`, `inf`, `-inf`, which TOML
/// accepts) is an error: a threshold, weight or factor of `nan` would silently make every
/// comparison false.
fn non_finite_numbers(text: &str, out: &mut Vec<Lint>) {
    fn walk(value: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Lint>) {
        match value {
            toml::Value::Float(x) if !x.is_finite() => lint(
                out,
                Severity::Error,
                "pack.toml",
                format!(
                    "« {} » vaut {} : un nombre fini est attendu",
                    path.join("."),
                    toml_number(*x)
                ),
            ),
            toml::Value::Table(table) => {
                for (key, v) in table {
                    path.push(key.clone());
                    walk(v, path, out);
                    path.pop();
                }
            }
            toml::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(format!("[{}]", i + 1));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    if let Ok(table) = toml::from_str::<toml::Table>(text) {
        walk(&toml::Value::Table(table), &mut Vec::new(), out);
    }
}
