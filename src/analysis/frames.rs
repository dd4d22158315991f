//! The reference frames of each indicator seen from each structure: national, regional,
//! peers (the structures nearest on context) and typology, with their labels.
//!
//! A frame shared by several structures (national, a region, a typology class) is computed
//! once per indicator and shared (`Arc`): a copy per structure would be quadratic in the
//! number of structures. Each structure keeps of a frame only the shared part and its own
//! percentile rank, computed here: a frame's sorted values live no longer than this
//! module's work (a peer group's, one per structure and indicator, would otherwise be most
//! of the analysis' memory). This module computes the frames; it does not score nor judge.

use crate::analysis::derive::{self, Cell};
use crate::analysis::peers::{mean_distances, nearest_prepared, prepare};
use crate::analysis::results::{FrameInfo, FrameResult, IndicatorDef};
use crate::analysis::stats::{
    Summary, percent_rank, quantile_inc, sorted_finite, summarize_sorted,
};
use crate::dataset::{Diagnostic, Severity, Structure};
use crate::pack::engine::view::frame_slot;
use crate::pack::manifest::{FrameKind, Manifest, PeerDistance, Unit};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A frame seen from one structure: what every structure of the frame shares (label, the
/// frame used in its place when it was too small to judge by, overdispersion, summary) and
/// the structure's percentile rank in it.
pub type Frame = FrameResult;

/// When a regional or typology frame is too small to judge by, and what replaces it.
#[derive(Debug, Clone, Copy)]
pub struct Fallback {
    /// Fewest structures with a value for a frame to be used as it is.
    pub min_n: usize,
    /// The frame used in place of a smaller one (national or peers).
    pub frame: FrameKind,
    /// Peers further than this many times the median peer distance are labelled far.
    pub far_ratio: f64,
}

impl Fallback {
    pub fn of(manifest: &Manifest) -> Fallback {
        Fallback {
            min_n: manifest.frames.min_frame_n,
            frame: manifest.frames.fallback,
            far_ratio: manifest.frames.peers_far_ratio,
        }
    }
}

/// The four frames of one indicator seen from one structure, indexed by `frame_slot`.
pub type FramesOf = [Option<Frame>; 4];

/// Each structure's peer group (indices in `structures`), nearest on the pack's peer
/// context (Mahalanobis or Euclidean, weighted as the pack says), and how far its peers are:
/// its mean distance to them over the median of those means. None when the pack has no
/// peer context or the structure's context is incomplete.
pub fn peers_on_context(
    manifest: &Manifest,
    structures: &[&Structure],
) -> (Vec<Option<Vec<usize>>>, Vec<Option<f64>>) {
    let spec = &manifest.frames;
    if spec.peers_context.is_empty() {
        return (vec![None; structures.len()], vec![None; structures.len()]);
    }
    let context = derive::context(manifest, &spec.peers_context, structures);
    let weights: Vec<f64> = spec
        .peers_context
        .iter()
        .map(|v| spec.peers_weights.get(v).copied().unwrap_or(1.0))
        .collect();
    let points = prepare(
        &context,
        &weights,
        spec.peers_distance == PeerDistance::Mahalanobis,
    );
    let peers = nearest_prepared(&points, spec.peers_k);
    let distances = mean_distances(&points, &peers);
    let mut known: Vec<f64> = distances.iter().flatten().copied().collect();
    known.sort_by(f64::total_cmp);
    let median = quantile_inc(&known, 0.5).filter(|m| *m > 0.0);
    let ratios = distances
        .iter()
        .map(|d| Some(d.as_ref()? / median?))
        .collect();
    (peers, ratios)
}

/// The note on structures left without peers, when the pack compares with peers.
pub fn without_peers(manifest: &Manifest, peers: &[Option<Vec<usize>>]) -> Option<Diagnostic> {
    let count = peers.iter().filter(|p| p.is_none()).count();
    (count > 0 && !manifest.frames.peers_context.is_empty()).then(|| {
        Diagnostic::general(
            Severity::Info,
            format!(
                "{} sans groupe de pairs : contexte incomplet",
                crate::fr::count(count, "structure", "structures")
            ),
            "le référentiel des pairs est laissé vide pour ces structures",
        )
    })
}

/// The frames of every indicator seen from every structure, indexed
/// `[structure][indicator]`. The shared frames (national, regional, typology) are computed
/// first, one indicator per task; then each structure's frames, one structure per task,
/// with its own peer frame. A regional or typology frame with fewer than `fallback.min_n`
/// values is replaced by the fallback frame, labelled as such.
pub fn frames(
    defs: &[IndicatorDef],
    structures: &[&Structure],
    values: &[Vec<Cell>],
    peers: &[Option<Vec<usize>>],
    peer_distance: &[Option<f64>],
    fallback: Fallback,
) -> Vec<Vec<FramesOf>> {
    let regions = Grouping::by(structures.iter().map(|s| Some(s.region.clone())));
    let typologies = Grouping::by(structures.iter().map(|s| s.typology.clone()));
    let france: Arc<str> = Arc::from("France");
    let everyone: Vec<usize> = (0..structures.len()).collect();
    let shared: Vec<SharedFrames> = (0..defs.len())
        .into_par_iter()
        .map(|i| {
            let column = Column {
                def: &defs[i],
                values: values.iter().map(|row| row[i].number()).collect(),
                denominators: values.iter().map(|row| row[i].denominator).collect(),
            };
            let national = column.frame(&everyone, Arc::clone(&france), 1.0);
            let by_region = regions.stats(&column, &national, fallback);
            let by_typology = typologies.stats(&column, &national, fallback);
            SharedFrames {
                national_phi: national.as_ref().map_or(1.0, |f| f.info.phi),
                national,
                by_region,
                by_typology,
            }
        })
        .collect();
    let labels = peer_labels(peers, peer_distance, fallback);
    (0..structures.len())
        .into_par_iter()
        .map(|s| {
            (0..defs.len())
                .map(|i| {
                    let value = values[s][i].number();
                    let frames_of_i = &shared[i];
                    let own_peers = match (&peers[s], &labels[s]) {
                        (Some(list), Some(label)) => {
                            peer_frame(values, i, list, value, label, frames_of_i.national_phi)
                        }
                        _ => None,
                    };
                    let mut frames: FramesOf = Default::default();
                    frames[frame_slot(FrameKind::National)] =
                        frames_of_i.national.as_ref().map(|f| f.seen_by(value));
                    frames[frame_slot(FrameKind::Region)] =
                        regions.frame_of(s, &frames_of_i.by_region, value, &own_peers);
                    frames[frame_slot(FrameKind::Typology)] =
                        typologies.frame_of(s, &frames_of_i.by_typology, value, &own_peers);
                    frames[frame_slot(FrameKind::Peers)] = own_peers;
                    frames
                })
                .collect()
        })
        .collect()
}

/// One indicator's shared frames: national, each region's, each typology class's.
struct SharedFrames {
    national: Option<Shared>,
    national_phi: f64,
    by_region: Vec<GroupFrame>,
    by_typology: Vec<GroupFrame>,
}

/// A frame shared by several structures: its description and its sorted values.
#[derive(Debug, Clone)]
struct Shared {
    info: Arc<FrameInfo>,
    /// The frame's summary (also in `info`, where it is optional).
    summary: Summary,
    sorted: Arc<[f64]>,
}

impl Shared {
    /// The frame seen from a structure of value `value`.
    fn seen_by(&self, value: Option<f64>) -> Frame {
        FrameResult::new(
            Arc::clone(&self.info),
            value.and_then(|v| percent_rank(&self.sorted, v)),
        )
    }

    /// The same frame under another label, as the fallback `kind`.
    fn relabelled(&self, label: Arc<str>, kind: FrameKind) -> Shared {
        Shared {
            info: Arc::new(FrameInfo {
                label,
                fallback: Some(kind),
                ..(*self.info).clone()
            }),
            ..self.clone()
        }
    }
}

/// One indicator's values and denominators over the population.
struct Column<'a> {
    def: &'a IndicatorDef,
    values: Vec<Option<f64>>,
    denominators: Vec<Option<f64>>,
}

/// Fewest members with a denominator for a frame to estimate its own overdispersion; a
/// smaller frame borrows the national one.
const MIN_PHI_MEMBERS: usize = 10;

impl Column<'_> {
    /// The frame over `members` with a value, labelled, with its overdispersion: estimated
    /// over the members when they are enough, else `otherwise`. None when no member has a
    /// value.
    fn frame(&self, members: &[usize], label: Arc<str>, otherwise: f64) -> Option<Shared> {
        let v: Vec<f64> = members.iter().filter_map(|&m| self.values[m]).collect();
        let sorted = sorted_finite(&v);
        let summary = summarize_sorted(&sorted)?;
        let observations: Vec<(f64, f64)> = members
            .iter()
            .filter_map(|&m| Some((self.values[m]?, self.denominators[m]?)))
            .collect();
        let phi = if observations.len() >= MIN_PHI_MEMBERS {
            overdispersion(self.def, summary.median, &observations).unwrap_or(otherwise)
        } else {
            otherwise
        };
        Some(Shared {
            info: Arc::new(FrameInfo {
                label,
                fallback: None,
                phi,
                summary: Some(summary),
            }),
            summary,
            sorted: sorted.into(),
        })
    }
}

/// The multiplicative overdispersion of rates around `p0` (Spiegelhalter 2005, "Handling
/// over-dispersion of performance indicators"): with `zᵢ = (yᵢ − p0) / sqrt(Vᵢ)` the
/// standardised gaps under pure binomial noise (`Vᵢ = p0(1 − p0)/nᵢ` for a fraction) or
/// Poisson noise (`Vᵢ = factor · p0 / nᵢ` for other rates), winsorised at their 10th and
/// 90th percentiles, `φ = Σ zᵢ² / N`, floored at 1 (no under-dispersion is assumed). None
/// when the variance is degenerate (p0 at 0 or 1) or no denominator is positive.
pub fn overdispersion(def: &IndicatorDef, p0: f64, observations: &[(f64, f64)]) -> Option<f64> {
    let factor = if def.factor > 0.0 { def.factor } else { 1.0 };
    let unit_variance = if def.unit == Unit::Fraction {
        p0 * (1.0 - p0)
    } else {
        factor * p0
    };
    if !(unit_variance > 0.0 && unit_variance.is_finite()) {
        return None;
    }
    let mut z: Vec<f64> = observations
        .iter()
        .filter(|(_, n)| *n > 0.0 && n.is_finite())
        .map(|(y, n)| (y - p0) / (unit_variance / n).sqrt())
        .filter(|z| z.is_finite())
        .collect();
    if z.is_empty() {
        return None;
    }
    z.sort_by(f64::total_cmp);
    let lo = quantile_inc(&z, 0.10)?;
    let hi = quantile_inc(&z, 0.90)?;
    let phi = z.iter().map(|v| v.clamp(lo, hi).powi(2)).sum::<f64>() / z.len() as f64;
    Some(phi.max(1.0))
}

/// A group's frame for one indicator: its own statistics, or the fallback when it has too
/// few values to judge by.
#[derive(Clone)]
enum GroupFrame {
    Own(Shared),
    /// The national frame, relabelled.
    National(Shared),
    /// Each structure's own peers, with the label's reason.
    Peers {
        why: Arc<str>,
    },
    None,
}

/// Each structure's peer frame label (peer groups differ from one structure to the next,
/// their labels mostly not: equal labels are one allocation). None without peers.
fn peer_labels(
    peers: &[Option<Vec<usize>>],
    peer_distance: &[Option<f64>],
    fallback: Fallback,
) -> Vec<Option<Arc<str>>> {
    let mut known: HashMap<String, Arc<str>> = HashMap::new();
    peers
        .iter()
        .zip(peer_distance)
        .map(|(list, distance)| {
            let list = list.as_ref()?;
            let far = distance.filter(|r| *r > fallback.far_ratio);
            let label = match far {
                None => format!("{} pairs au contexte proche", list.len()),
                Some(ratio) => format!(
                    "{} pairs éloignés (contexte {} fois plus distant que d'habitude)",
                    list.len(),
                    crate::fr::number(ratio, 1)
                ),
            };
            Some(Arc::clone(
                known
                    .entry(label)
                    .or_insert_with_key(|label| Arc::from(label.as_str())),
            ))
        })
        .collect()
}

/// One structure's own peer frame for indicator `i` (peer groups differ from one structure
/// to the next), seen from its value; its overdispersion is the national one (ten peers
/// are too few to estimate it).
fn peer_frame(
    values: &[Vec<Cell>],
    i: usize,
    peers: &[usize],
    value: Option<f64>,
    label: &Arc<str>,
    national_phi: f64,
) -> Option<Frame> {
    let v: Vec<f64> = peers
        .iter()
        .filter_map(|&p| values[p][i].number())
        .collect();
    let sorted = sorted_finite(&v);
    let summary = summarize_sorted(&sorted)?;
    Some(FrameResult::new(
        Arc::new(FrameInfo {
            label: Arc::clone(label),
            fallback: None,
            phi: national_phi,
            summary: Some(summary),
        }),
        value.and_then(|v| percent_rank(&sorted, v)),
    ))
}

/// Structures grouped by a key (region, typology class), groups in order of appearance.
struct Grouping {
    /// Group index of each structure (None: no group).
    of: Vec<Option<usize>>,
    labels: Vec<Arc<str>>,
    members: Vec<Vec<usize>>,
}

impl Grouping {
    fn by(keys: impl Iterator<Item = Option<String>>) -> Grouping {
        let mut labels: Vec<Arc<str>> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let of: Vec<Option<usize>> = keys
            .map(|k| {
                k.map(|k| {
                    *index.entry(k).or_insert_with_key(|k| {
                        labels.push(Arc::from(k.as_str()));
                        labels.len() - 1
                    })
                })
            })
            .collect();
        let mut members = vec![Vec::new(); labels.len()];
        for (s, g) in of.iter().enumerate() {
            if let Some(g) = g {
                members[*g].push(s);
            }
        }
        Grouping {
            of,
            labels,
            members,
        }
    }

    /// One indicator's frame in each group, the fallback in place of a group too small.
    fn stats(
        &self,
        column: &Column,
        national: &Option<Shared>,
        fallback: Fallback,
    ) -> Vec<GroupFrame> {
        let national_phi = national.as_ref().map_or(1.0, |f| f.info.phi);
        self.members
            .iter()
            .zip(&self.labels)
            .map(|(m, label)| {
                let Some(frame) = column.frame(m, Arc::clone(label), national_phi) else {
                    return GroupFrame::None;
                };
                let n = frame.summary.n;
                if n >= fallback.min_n {
                    return GroupFrame::Own(frame);
                }
                let why = format!(
                    "{label} : {} seulement",
                    crate::fr::count(n, "valeur", "valeurs")
                );
                match (fallback.frame, national) {
                    (FrameKind::Peers, _) => GroupFrame::Peers {
                        why: Arc::from(why),
                    },
                    (_, Some(national)) => GroupFrame::National(national.relabelled(
                        Arc::from(format!("{}, en repli ({why})", national.info.label)),
                        FrameKind::National,
                    )),
                    (_, None) => GroupFrame::None,
                }
            })
            .collect()
    }

    /// The frame of structure `s`'s group seen from its value, with the group's label, or
    /// its fallback.
    fn frame_of(
        &self,
        s: usize,
        stats: &[GroupFrame],
        value: Option<f64>,
        own_peers: &Option<Frame>,
    ) -> Option<Frame> {
        match &stats[self.of[s]?] {
            GroupFrame::Own(f) | GroupFrame::National(f) => Some(f.seen_by(value)),
            GroupFrame::Peers { why } => own_peers.as_ref().map(|f| {
                FrameResult::new(
                    Arc::new(FrameInfo {
                        label: Arc::from(format!("{}, en repli ({why})", f.label)),
                        fallback: Some(FrameKind::Peers),
                        ..(**f.info()).clone()
                    }),
                    f.rank(),
                )
            }),
            GroupFrame::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fraction() -> IndicatorDef {
        IndicatorDef::test_rate(Unit::Fraction, 1.0)
    }

    #[test]
    fn overdispersion_is_the_mean_square_of_winsorised_binomial_z() {
        // p0 = 0.5, n = 100: binomial sd 0.05. Rates 0.50 0.55 0.45 0.60 0.40 0.50 0.55
        // 0.45 0.70 0.30 give z = 0 1 -1 2 -2 0 1 -1 4 -4; sorted -4 -2 -1 -1 0 0 1 1 2 4.
        // QUARTILE.INC at 10 %: h = 0.9, -4 + 0.9 × 2 = -2.2; at 90 %: 2 + 0.1 × 2 = 2.2.
        // Winsorised squares: 4.84 4 1 1 0 0 1 1 4 4.84 = 21.68; φ = 2.168.
        let rates = [0.50, 0.55, 0.45, 0.60, 0.40, 0.50, 0.55, 0.45, 0.70, 0.30];
        let observations: Vec<(f64, f64)> = rates.iter().map(|&y| (y, 100.0)).collect();
        let phi = overdispersion(&fraction(), 0.5, &observations).unwrap();
        assert!((phi - 2.168).abs() < 1e-9, "{phi}");
    }

    #[test]
    fn overdispersion_is_floored_at_one_and_needs_a_variance() {
        // Everyone at the median: no spread at all, φ floored at 1.
        let same: Vec<(f64, f64)> = (0..10).map(|_| (0.3, 50.0)).collect();
        assert_eq!(overdispersion(&fraction(), 0.3, &same), Some(1.0));
        // p0 = 0: no binomial variance to compare with.
        assert_eq!(overdispersion(&fraction(), 0.0, &same), None);
        // No positive denominator.
        assert_eq!(overdispersion(&fraction(), 0.3, &[(0.3, 0.0)]), None);
    }
}
