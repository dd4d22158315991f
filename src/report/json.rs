//! The JSON results (`run --json`): stable field names, documented in `docs/resultats-json.md`.

use crate::analysis::results::Held;
use crate::analysis::results::{Results, StructureResult};
use crate::dataset::Missing;
use crate::error::InternalError;
use serde_json::{Map, Value, json};

fn num(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite())
        .map(Value::from)
        .unwrap_or(Value::Null)
}

/// Structure number `k` of the results.
fn structure_json(results: &Results, k: usize, s: &StructureResult) -> Value {
    let stability = results.structure_stability(k);
    let sensitivity = results
        .sensitivity
        .as_ref()
        .and_then(|sens| Some((sens, sens.structures.get(k)?)));
    let mut indicators = Map::new();
    for (i, (def, ind)) in results.indicators.iter().zip(&s.indicators).enumerate() {
        let mut frames = Map::new();
        for (kind, f) in &ind.frames {
            let stats = match &f.summary {
                Some(sm) => json!({
                    "label": f.label,
                    "fallback": f.fallback.map(|k| k.id()),
                    "phi": num(Some(f.phi)),
                    "n": sm.n,
                    "mean": num(Some(sm.mean)),
                    "median": num(Some(sm.median)),
                    "q1": num(Some(sm.q1)),
                    "q3": num(Some(sm.q3)),
                    "min": num(Some(sm.min)),
                    "max": num(Some(sm.max)),
                    "sd": num(sm.sd),
                    "rank": num(f.rank()),
                }),
                None => json!({"label": f.label, "fallback": f.fallback.map(|k| k.id()), "n": 0}),
            };
            frames.insert(kind.id().to_string(), stats);
        }
        let change = match (ind.value, ind.previous) {
            (Some(v), Some(p)) => Some(v - p),
            _ => None,
        };
        let mut indicator = json!({
                "value": num(ind.value),
                "missing": ind.missing.as_deref().map(Missing::describe),
                "cells": ind.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "frames": frames,
                "expected": ind.expected.as_ref().map(|e| num(Some(e.value))).unwrap_or(Value::Null),
                "residual": ind.expected.as_ref().map(|e| num(e.residual)).unwrap_or(Value::Null),
                "expected_sd": ind.expected.as_ref().map(|e| num(Some(e.sd))).unwrap_or(Value::Null),
                "expected_z": ind.expected.as_ref().map(|e| num(e.z())).unwrap_or(Value::Null),
                "context_change": ind.expected.as_ref().map(|e| num(e.context_change)).unwrap_or(Value::Null),
                "score": num(ind.score),
                "finding": ind.finding.as_ref().map(|f| f.kind.id()),
                "finding_reason": ind.finding.as_ref().map(|f| f.reason.clone()),
                "rule": ind.finding.as_ref().map(|f| format!("{}:{}", f.rule.script, f.rule.line)),
                "objective": ind.objective.as_ref().map(|o| json!({
                    "value": num(Some(o.value)),
                    "level": num(Some(o.level)),
                    "reliability": num(o.reliability),
                    "tolerance": num(Some(o.tolerance)),
                    "reference": num(o.reference),
                    "reference_kind": o.reference_kind,
                    "step": num(Some(o.step)),
                    "bounded": o.bounded,
                    "rationale": o.rationale(),
                })),
                "previous": num(ind.previous),
                "change": num(change),
        });
        // `--stability` only: the share of resamples giving the same finding (or none).
        if let Some(share) = stability.and_then(|st| st.findings.get(i).copied().flatten()) {
            indicator["stability"] = num(Some(share));
        }
        // `--stability` with method variants only: the finding under each variant.
        if let Some((sens, st)) = sensitivity
            && let Some(kinds) = st.findings.get(i).and_then(Option::as_ref)
        {
            let base = ind.finding.as_ref().map(|f| f.kind);
            let by_variant: Map<String, Value> = sens
                .variants
                .iter()
                .zip(kinds)
                .map(|(v, k)| (v.name.clone(), json!(k.map(|k| k.id()))))
                .collect();
            indicator["sensitivity"] = json!({
                "held": st.held(i, base),
                "variants": by_variant,
            });
        }
        indicators.insert(def.id.clone(), indicator);
    }
    let mut axes = Map::new();
    for (a, axis) in s.axes.iter().enumerate() {
        let mut value = json!({"score": num(axis.score), "coverage": num(Some(axis.coverage)), "insufficient": axis.score.is_none()});
        if let Some(rank) = stability.and_then(|st| st.axes.get(a)?.as_ref()) {
            value["rank"] = json!(rank.rank);
            value["ranked"] = json!(rank.of);
            value["rank_interval"] = json!(rank.interval);
        }
        axes.insert(axis.axis.clone(), value);
    }
    let recommendations: Vec<Value> = s
        .recommendations
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let mut value = json!({
                "id": r.id,
                "text": r.text,
                "priority": r.priority,
                "indicators": r.indicators,
                "rule": format!("{}:{}", r.rule.script, r.rule.line),
            });
            if let Some(share) = stability.and_then(|st| st.recommendations.get(j)) {
                value["stability"] = num(Some(*share));
            }
            if let Some(held) = sensitivity.and_then(|(_, st)| st.recommendations.get(j)) {
                value["variants_held"] = json!(held);
            }
            value
        })
        .collect();
    json!({
        "id": s.id,
        "name": s.name,
        "region": s.region,
        "year": s.year,
        "typology": s.typology,
        "peers": s.peers,
        "peer_distance": num(s.peer_distance),
        "indicators": indicators,
        "axes": axes,
        "recommendations": recommendations,
    })
}

/// The regions, with each priority's stability under `--stability`.
fn regions_json(results: &Results) -> Vec<Value> {
    let stability = results.stability.as_ref();
    results
        .regions
        .iter()
        .enumerate()
        .map(|(g, r)| {
            let priorities: Vec<Value> = r
                .priorities
                .iter()
                .enumerate()
                .map(|(j, p)| {
                    let mut value = json!({
                        "recommendation": p.recommendation, "text": p.text, "priority": p.priority,
                        "count": p.count, "share": p.share,
                        "national": p.national,
                    });
                    if let Some(rule) = &p.rule {
                        value["rule"] = json!(format!("{}:{}", rule.script, rule.line));
                    }
                    if let Some(share) = stability.and_then(|st| st.priorities.get(g)?.get(j)) {
                        value["stability"] = num(Some(*share));
                    }
                    value
                })
                .collect();
            json!({"name": r.name, "structures": r.structures, "priorities": priorities})
        })
        .collect()
}

/// `--stability` only: how the draws were made.
fn stability_json(results: &Results) -> Option<Value> {
    let st = results.stability.as_ref()?;
    Some(json!({
        "resamples": st.resamples,
        "seed": st.seed,
        "fragile_below": num(Some(st.fragile_below)),
    }))
}

/// `--stability` with method variants only: what holds under each, and under all.
fn sensitivity_json(results: &Results) -> Option<Value> {
    let sens = results.sensitivity.as_ref()?;
    let held = |h: &Held| {
        json!({
            "judgements": h.judgements,
            "unchanged": h.unchanged,
            "unchanged_share": num(h.unchanged_share()),
            "findings": h.findings,
            "findings_held": h.findings_held,
            "findings_share": num(h.findings_share()),
            "recommendations": h.recommendations,
            "recommendations_held": h.recommendations_held,
            "recommendations_share": num(h.recommendations_share()),
            "recommendations_added": h.recommendations_added,
        })
    };
    let variants: Vec<Value> = sens
        .variants
        .iter()
        .map(|v| {
            let mut value = held(&v.held);
            value["name"] = json!(v.name);
            value["label"] = json!(v.label);
            value["changes"] = json!(v.changes);
            value
        })
        .collect();
    Some(json!({"variants": variants, "everywhere": held(&sens.everywhere)}))
}

/// The whole results document.
pub fn results_json(results: &Results) -> Value {
    let mut document = document_without_structures(results);
    document["structures"] = Value::Array(
        results
            .structures
            .iter()
            .enumerate()
            .map(|(k, s)| structure_json(results, k, s))
            .collect(),
    );
    document
}

/// The results document with an empty `structures` array.
fn document_without_structures(results: &Results) -> Value {
    let mut document = json!({
        "boussole": crate::VERSION,
        "pack": results.pack,
        "input": {"file": results.input.file, "sha256": results.input.sha256},
        "reference": results.reference.as_ref().map(|r| json!({"file": r.file, "sha256": r.sha256})),
        "year": results.year,
        "method": results.method,
        "indicators": results.indicators.iter().map(|d| json!({
            "id": d.id, "label": d.label, "kind": d.kind, "context": d.context, "unit": d.unit,
            "format": d.format, "direction": d.direction, "axis": d.axis, "weight": d.weight,
            "numerator": d.numerator, "denominator": d.denominator, "factor": d.factor,
            "model": d.model.as_ref().map(|m| json!({
                "r2": num(Some(m.r2)), "adj_r2": num(Some(m.adj_r2)), "n": m.n,
                "predictors": m.predictors, "residual_sd": num(Some(m.residual_sd)),
                "gated": m.gated.is_some(), "gate_reason": m.gated,
            })),
        })).collect::<Vec<_>>(),
        "axes": results.axes,
        "structures": [],
        "regions": regions_json(results),
        "set_aside": results.set_aside,
        "diagnostics": results.diagnostics,
    });
    // `run --by-region` only: the region the results were cut to.
    if let Some(region) = &results.region {
        document["region"] = json!(region);
    }
    if let Some(stability) = stability_json(results) {
        document["stability"] = stability;
    }
    if let Some(sensitivity) = sensitivity_json(results) {
        document["sensitivity"] = sensitivity;
    }
    document
}

/// Pretty JSON bytes with a final newline (see [`write_results`]). Serialising a JSON value
/// cannot fail short of a bug; if it did, the error is reported rather than an empty file
/// written.
pub fn results_bytes(results: &Results) -> Result<Vec<u8>, InternalError> {
    let mut bytes = Vec::new();
    write_results(results, &mut bytes)
        .map_err(|e| InternalError::Json(serde_json::Error::io(e)))?;
    Ok(bytes)
}

/// Writes the results document into `out`: the same bytes as `results_json`
/// pretty-printed with a final newline, but one structure at a time, so that the
/// document's tree is never held whole (at 20,000 structures it took ten times the 1.5 GB
/// of its text) and neither is its text when `out` is a file. The document without its
/// structures is printed first; its empty `structures` array — the only line of the
/// document that starts with two spaces and `"structures"`, since a JSON string holds no
/// raw line break — is replaced by each structure printed and indented by four spaces, as
/// `to_vec_pretty` prints an array's elements at that depth.
pub fn write_results(results: &Results, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let shell = serde_json::to_string_pretty(&document_without_structures(results))?;
    const EMPTY: &str = "\n  \"structures\": []";
    let at = match shell.find(EMPTY) {
        Some(at) if !results.structures.is_empty() => at,
        _ => {
            serde_json::to_writer_pretty(&mut *out, &results_json(results))?;
            return out.write_all(b"\n");
        }
    };
    out.write_all(&shell.as_bytes()[..at + EMPTY.len() - 1])?;
    for (k, s) in results.structures.iter().enumerate() {
        out.write_all(if k == 0 { b"\n    " } else { b",\n    " })?;
        let text = serde_json::to_string_pretty(&structure_json(results, k, s))?;
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                out.write_all(b"\n    ")?;
            }
            out.write_all(line.as_bytes())?;
        }
    }
    out.write_all(b"\n  ]")?;
    out.write_all(&shell.as_bytes()[at + EMPTY.len()..])?;
    out.write_all(b"\n")
}
