//! Regional priorities: the recommendations carried by a large enough share of a region's
//! structures (the pack's `[regional_priorities]`), with every recommendation's count.

use crate::analysis::results::{RecommendationResult, RegionResult, RegionalPriority};
use crate::pack::manifest::Manifest;
use std::collections::BTreeMap;

/// The regions in name order, from each structure's region and recommendations.
pub fn regional_priorities(
    manifest: &Manifest,
    structures: &[(&str, &[RecommendationResult])],
) -> Vec<RegionResult> {
    let mut by_region: BTreeMap<&str, Vec<&[RecommendationResult]>> = BTreeMap::new();
    for (region, recommendations) in structures {
        by_region.entry(region).or_default().push(recommendations);
    }
    by_region
        .into_iter()
        .map(|(region, list)| region_result(manifest, region, &list))
        .collect()
}

/// One region's counts, by priority then count (highest first) then id, and those that
/// pass the region's share and the minimum count.
fn region_result(
    manifest: &Manifest,
    region: &str,
    structures: &[&[RecommendationResult]],
) -> RegionResult {
    let total = structures.len();
    let mut counts: Vec<RegionalPriority> = manifest
        .recommendations
        .iter()
        .filter_map(|r| {
            let count = structures
                .iter()
                .filter(|recs| recs.iter().any(|x| x.id == r.id))
                .count();
            (count > 0).then(|| RegionalPriority {
                recommendation: r.id.clone(),
                text: r.text.clone(),
                priority: r.priority,
                count,
                share: count as f64 / total as f64,
            })
        })
        .collect();
    counts.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.recommendation.cmp(&b.recommendation))
    });
    let rules = &manifest.regional_priorities;
    let threshold = rules.share_for(region);
    let priorities = counts
        .iter()
        .filter(|c| c.share + 1e-9 >= threshold && c.count >= rules.min_count)
        .cloned()
        .collect();
    RegionResult {
        name: region.to_string(),
        structures: total,
        priorities,
        counts,
    }
}
