//! Explanations: the full trace of a result, in French, from the results alone: source
//! cells, the derivation, each frame's statistics, the expected value, the score with its
//! normalisation, the finding with its rule and thresholds, the recommendations.

use crate::analysis::results::{IndicatorKind, Results, StructureResult};
use crate::dataset::Missing;
use crate::pack::engine::format_fr;
use crate::pack::manifest::{FrameKind, Normalisation};
use std::fmt::Write;

fn fmt_opt(x: Option<f64>, unit: crate::pack::manifest::Unit) -> String {
    x.map(|v| format_fr(v, unit)).unwrap_or_else(|| "—".into())
}

/// How one indicator of one structure was obtained.
pub fn explain_indicator(results: &Results, s: &StructureResult, i: usize) -> String {
    let def = &results.indicators[i];
    let ind = &s.indicators[i];
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", def.label, def.id);
    match ind.value {
        Some(v) => {
            let _ = writeln!(out, "  valeur : {}", format_fr(v, def.shown_unit()));
        }
        None => {
            let _ = writeln!(
                out,
                "  valeur : manquante — {}",
                ind.missing
                    .as_deref()
                    .map(Missing::describe)
                    .unwrap_or_default()
            );
        }
    }
    if def.kind == IndicatorKind::Derived {
        let _ = writeln!(
            out,
            "  calcul : {} / {}{}",
            def.numerator.clone().unwrap_or_default(),
            def.denominator.clone().unwrap_or_default(),
            if def.factor != 1.0 {
                format!(" × {}", def.factor)
            } else {
                String::new()
            }
        );
    }
    if !ind.cells.is_empty() {
        let cells: Vec<String> = ind.cells.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(out, "  cellules sources : {}", cells.join(", "));
    }
    for kind in FrameKind::ALL {
        if let Some(f) = ind.frames.get(&kind)
            && let Some(sm) = &f.summary
        {
            let _ = writeln!(
                out,
                "  référentiel {} ({}) : n = {}, médiane {}, Q1 {}, Q3 {}, moyenne {}, min {}, max {}{}",
                kind.label_fr(),
                f.label,
                sm.n,
                format_fr(sm.median, def.shown_unit()),
                format_fr(sm.q1, def.shown_unit()),
                format_fr(sm.q3, def.shown_unit()),
                format_fr(sm.mean, def.shown_unit()),
                format_fr(sm.min, def.shown_unit()),
                format_fr(sm.max, def.shown_unit()),
                f.rank()
                    .map(|r| format!(", rang centile {:.0}", r))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(e) = &ind.expected {
        let _ = writeln!(
            out,
            "  valeur attendue selon le contexte : {} (régression sur {}, la structure exclue de son propre calcul ; R² {}, n = {}), écart {}{}",
            format_fr(e.value, def.shown_unit()),
            results.method.regression_context.join(", "),
            crate::fr::number(e.r2, 2),
            e.n,
            fmt_opt(e.residual, def.shown_unit()),
            e.z()
                .filter(|z| z.is_finite())
                .map(|z| format!(
                    " soit {} écart-type de la prédiction",
                    crate::fr::number(z, 1)
                ))
                .unwrap_or_default()
        );
    }
    if let Some(m) = &def.model {
        let quality = format!(
            "R² {}, {}, n = {}, {}",
            crate::fr::number(m.r2, 2),
            crate::analysis::expected::adjusted_r2_text(m.adj_r2),
            m.n,
            crate::fr::count(m.predictors, "variable", "variables")
        );
        match &m.gated {
            Some(why) => {
                let _ = writeln!(
                    out,
                    "  modèle du contexte écarté ({quality}) : {why} ; pas de valeur attendue"
                );
            }
            None => {
                let _ = writeln!(out, "  qualité du modèle du contexte : {quality}");
            }
        }
    }
    if let Some(score) = ind.score {
        let method = match results.method.normalisation {
            Normalisation::Percentile => "rang centile",
            Normalisation::MinMax => "min-max",
            Normalisation::ZScore => "score z (50 + 10 z)",
        };
        let _ = writeln!(
            out,
            "  score : {:.0} / 100 ({method} dans le référentiel {})",
            score,
            results.method.score_frame.label_fr()
        );
    }
    if let Some(f) = &ind.finding {
        let _ = writeln!(out, "  constat : {} — {}", f.kind.label_fr(), f.reason);
        let _ = writeln!(
            out,
            "    règle : {}, ligne {} : {}",
            f.rule.script, f.rule.line, f.rule.text
        );
        for t in &f.thresholds {
            let _ = writeln!(
                out,
                "    seuil {} = {}{}",
                t.name,
                t.value,
                if t.regional {
                    format!(" (valeur propre à {})", s.region)
                } else {
                    String::new()
                }
            );
        }
    } else if def.judged() {
        let _ = writeln!(out, "  constat : aucun");
    }
    out
}

/// The whole trace of one structure (or of one of its indicators).
pub fn explain(results: &Results, s: &StructureResult, indicator: Option<usize>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", s.id, s.name, s.region);
    let _ = writeln!(
        out,
        "Pack {} {} (empreinte {}), classeur {} (SHA-256 {})",
        results.pack.name,
        results.pack.version,
        &results.pack.hash[..12.min(results.pack.hash.len())],
        results.input.file,
        &results.input.sha256[..12.min(results.input.sha256.len())]
    );
    if !s.peers.is_empty() {
        let peers: Vec<String> = s.peers.iter().map(|p| p.to_string()).collect();
        let _ = writeln!(
            out,
            "Pairs (contexte le plus proche) : {}",
            peers.join(", ")
        );
    }
    let _ = writeln!(out);
    match indicator {
        Some(i) => out.push_str(&explain_indicator(results, s, i)),
        None => {
            for i in 0..results.indicators.len() {
                out.push_str(&explain_indicator(results, s, i));
            }
            let _ = writeln!(out, "\nAxes :");
            for (a, def) in s.axes.iter().zip(&results.axes) {
                let _ = writeln!(
                    out,
                    "  {} : {} (couverture {:.0} %)",
                    def.label,
                    a.score
                        .map(|x| format!("{x:.0} / 100"))
                        .unwrap_or_else(|| "données insuffisantes".into()),
                    a.coverage * 100.0
                );
            }
            let _ = writeln!(out, "\nRecommandations :");
            if s.recommendations.is_empty() {
                let _ = writeln!(out, "  aucune");
            }
            for r in &s.recommendations {
                let _ = writeln!(out, "  [priorité {}] {}", r.priority, r.text);
                let _ = writeln!(
                    out,
                    "    règle : {}, ligne {} : {}",
                    r.rule.script, r.rule.line, r.rule.text
                );
                if !r.indicators.is_empty() {
                    let _ = writeln!(out, "    repose sur : {}", r.indicators.join(", "));
                }
            }
            explain_region(results, s, &mut out);
        }
    }
    out
}

/// The priorities of the structure's region, each with the rule that decided it.
fn explain_region(results: &Results, s: &StructureResult, out: &mut String) {
    let Some(region) = results.regions.iter().find(|r| r.name == s.region) else {
        return;
    };
    let _ = writeln!(out, "\nPriorités régionales ({}) :", region.name);
    if region.priorities.is_empty() {
        let _ = writeln!(out, "  aucune");
    }
    for p in &region.priorities {
        let _ = writeln!(
            out,
            "  [priorité {}] {} ({} sur {}, {})",
            p.priority,
            p.text,
            p.count,
            crate::fr::count(region.structures, "structure", "structures"),
            crate::fr::percent(p.share, 0)
        );
        match &p.rule {
            Some(rule) => {
                let _ = writeln!(
                    out,
                    "    règle : {}, ligne {} : {}",
                    rule.script, rule.line, rule.text
                );
            }
            None => {
                let _ = writeln!(out, "    règle intégrée du pack ([regional_priorities])");
            }
        }
        if let Some(e) = &p.national {
            let _ = writeln!(
                out,
                "    référentiel national : {} sur {} dans le quart le moins favorable (p = {})",
                e.below,
                e.of,
                crate::fr::number(e.p_value, 4)
            );
        }
    }
}
