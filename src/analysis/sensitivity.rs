//! Sensitivity to the method's choices (`run --stability`, when the pack declares
//! `[[sensitivity.variants]]`): the analysis done once more under each variant of the
//! method (another normalisation, score frame, weights, funnel z, residual z, number of
//! peers, smallest frame), on the same dataset, and its findings and recommendations
//! compared with those of the pack's own method.
//!
//! What is compared, for each variant:
//! - a judgement: a structure × judged indicator with a value in the base analysis; it is
//!   unchanged when the variant gives the same finding kind, or no finding when the base
//!   gives none;
//! - a finding: a judgement where the base makes a finding; it holds when the variant
//!   makes the same kind;
//! - a recommendation: a structure × recommendation the base makes; it holds when the
//!   variant makes it for that structure too. One the variant adds is counted apart.
//!
//! Across all variants, a judgement, finding or recommendation holds when it holds in every
//! one. Each variant is one analysis (not N): the variants run in parallel, each analysis
//! itself in parallel, and are combined in the pack's order, so the result does not depend
//! on the number of threads. Nothing here changes the results of the analysis itself.

use crate::analysis::analyse::{Overrides, analyse_with_reference};
use crate::analysis::results::{
    FindingKind, Held, Results, Sensitivity, StructureSensitivity, VariantDecisions, VariantOutcome,
};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::pack::engine::CompiledPack;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// What one variant decided for one structure: findings by indicator, recommendations.
type Decided = (Vec<Option<FindingKind>>, BTreeSet<String>);
/// What one variant decided, by structure id.
type Decisions = VariantDecisions;

/// How `base` (the analysis of `dataset`, with `reference`, by `compiled`) holds under the
/// pack's method variants; None when the pack declares none.
pub fn measure(
    dataset: &Dataset,
    reference: Option<&Dataset>,
    compiled: &CompiledPack,
    base: &Results,
) -> Result<Option<Sensitivity>> {
    let manifest = &compiled.pack.manifest;
    let variants = &manifest.sensitivity.variants;
    if variants.is_empty() {
        return Ok(None);
    }
    let decided: Vec<Result<Decisions>> = variants
        .par_iter()
        .map(|variant| {
            let pack = compiled.with_manifest(variant.apply(manifest));
            let results = analyse_with_reference(dataset, reference, &pack, &Overrides::default())?;
            Ok(decisions(&results))
        })
        .collect();
    // The first error in the variants' order, whatever thread met it first.
    let decided = decided.into_iter().collect::<Result<Vec<Decisions>>>()?;
    let names: Vec<(String, String, Vec<String>)> = variants
        .iter()
        .map(|v| (v.name.clone(), v.label.clone(), v.changes_in(manifest)))
        .collect();
    Ok(Some(compare(base, &names, decided)))
}

/// `sensitivity` (of a whole input) counted again over the structures of `results`, the
/// same analysis cut to fewer structures (`run --by-region`): each variant's decisions are
/// those of the whole input, the shares those of these structures.
pub fn restrict(sensitivity: &Sensitivity, results: &Results) -> Sensitivity {
    let names: Vec<(String, String, Vec<String>)> = sensitivity
        .variants
        .iter()
        .map(|v| (v.name.clone(), v.label.clone(), v.changes.clone()))
        .collect();
    compare(results, &names, sensitivity.decided.clone())
}

fn decisions(results: &Results) -> Decisions {
    results
        .structures
        .iter()
        .map(|s| {
            let findings = s
                .indicators
                .iter()
                .map(|ind| ind.finding.as_ref().map(|f| f.kind))
                .collect();
            let recommendations = s.recommendations.iter().map(|r| r.id.clone()).collect();
            (s.id.to_string(), (findings, recommendations))
        })
        .collect()
}

/// The base against each variant's decisions (in the variants' order).
fn compare(
    base: &Results,
    names: &[(String, String, Vec<String>)],
    decided: Vec<Decisions>,
) -> Sensitivity {
    let mut held = vec![Held::default(); decided.len()];
    let mut everywhere = Held::default();
    let mut structures = Vec::with_capacity(base.structures.len());
    for s in &base.structures {
        let id = s.id.to_string();
        let of_variants: Vec<Option<&Decided>> = decided.iter().map(|d| d.get(&id)).collect();
        let findings = s
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                (base.indicators[i].judged() && ind.value.is_some()).then(|| {
                    let observed = ind.finding.as_ref().map(|f| f.kind);
                    let kinds: Vec<Option<FindingKind>> = of_variants
                        .iter()
                        .map(|v| v.and_then(|(f, _)| f.get(i).copied().flatten()))
                        .collect();
                    for (h, kind) in held.iter_mut().zip(&kinds) {
                        h.judgements += 1;
                        h.unchanged += usize::from(*kind == observed);
                        if observed.is_some() {
                            h.findings += 1;
                            h.findings_held += usize::from(*kind == observed);
                        }
                    }
                    let always = kinds.iter().all(|k| *k == observed);
                    everywhere.judgements += 1;
                    everywhere.unchanged += usize::from(always);
                    if observed.is_some() {
                        everywhere.findings += 1;
                        everywhere.findings_held += usize::from(always);
                    }
                    kinds
                })
            })
            .collect();
        let made: BTreeSet<&str> = s.recommendations.iter().map(|r| r.id.as_str()).collect();
        let recommendations = s
            .recommendations
            .iter()
            .map(|r| {
                let mut again = 0;
                for (h, v) in held.iter_mut().zip(&of_variants) {
                    let yes = v.is_some_and(|(_, recs)| recs.contains(&r.id));
                    h.recommendations += 1;
                    h.recommendations_held += usize::from(yes);
                    again += usize::from(yes);
                }
                everywhere.recommendations += 1;
                everywhere.recommendations_held += usize::from(again == decided.len());
                again
            })
            .collect();
        let mut added: BTreeSet<&str> = BTreeSet::new();
        for (h, v) in held.iter_mut().zip(&of_variants) {
            for r in v.iter().flat_map(|(_, recs)| recs) {
                if !made.contains(r.as_str()) {
                    h.recommendations_added += 1;
                    added.insert(r.as_str());
                }
            }
        }
        everywhere.recommendations_added += added.len();
        structures.push(StructureSensitivity {
            findings,
            recommendations,
        });
    }
    Sensitivity {
        variants: names
            .iter()
            .zip(held)
            .map(|((name, label, changes), held)| VariantOutcome {
                name: name.clone(),
                label: label.clone(),
                changes: changes.clone(),
                held,
            })
            .collect(),
        everywhere,
        structures,
        decided,
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::results::Held;

    #[test]
    fn shares_are_missing_when_nothing_is_compared() {
        let held = Held {
            judgements: 8,
            unchanged: 6,
            findings: 0,
            ..Held::default()
        };
        assert_eq!(held.unchanged_share(), Some(0.75));
        assert_eq!(held.findings_share(), None);
        assert_eq!(held.recommendations_share(), None);
    }
}
