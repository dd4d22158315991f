//! The reference frames of each indicator seen from each structure: national, regional,
//! peers (the structures nearest on context) and typology, with their labels.
//!
//! A frame shared by several structures (national, a region, a typology class) is computed
//! once per indicator and shared (`Arc`): a copy per structure would be quadratic in the
//! number of structures. This module computes the frames; it does not score nor judge.

use crate::analysis::derive::{self, Cell};
use crate::analysis::peers::nearest_peers;
use crate::analysis::stats::FrameStats;
use crate::dataset::{Diagnostic, Severity, Structure};
use crate::pack::engine::view::frame_slot;
use crate::pack::manifest::{FrameKind, Manifest};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A frame with its label, e.g. `Bretagne`, `10 pairs au contexte proche`, `France`.
pub type Labelled = (Arc<FrameStats>, Arc<str>);

/// The four frames of one indicator seen from one structure, indexed by `frame_slot`.
pub type FramesOf = [Option<Labelled>; 4];

/// Each structure's peer group (indices in `structures`), nearest on the pack's peer
/// context; None when the pack has no peer context or the structure's context is
/// incomplete.
pub fn peers_on_context(manifest: &Manifest, structures: &[&Structure]) -> Vec<Option<Vec<usize>>> {
    if manifest.frames.peers_context.is_empty() {
        return vec![None; structures.len()];
    }
    let context = derive::context(manifest, &manifest.frames.peers_context, structures);
    nearest_peers(&context, manifest.frames.peers_k)
}

/// The note on structures left without peers, when the pack compares with peers.
pub fn without_peers(manifest: &Manifest, peers: &[Option<Vec<usize>>]) -> Option<Diagnostic> {
    let count = peers.iter().filter(|p| p.is_none()).count();
    (count > 0 && !manifest.frames.peers_context.is_empty()).then(|| {
        Diagnostic::general(
            Severity::Info,
            format!("{count} structure(s) sans groupe de pairs : contexte incomplet"),
            "le référentiel des pairs est laissé vide pour ces structures",
        )
    })
}

/// The frames of every indicator seen from every structure, indexed
/// `[indicator][structure]`; one indicator per task.
pub fn frames(
    indicators: usize,
    structures: &[&Structure],
    values: &[Vec<Cell>],
    peers: &[Option<Vec<usize>>],
) -> Vec<Vec<FramesOf>> {
    let regions = Grouping::by(structures.iter().map(|s| Some(s.region.clone())));
    let typologies = Grouping::by(structures.iter().map(|s| s.typology.clone()));
    let france: Arc<str> = Arc::from("France");
    let everyone: Vec<usize> = (0..structures.len()).collect();
    (0..indicators)
        .into_par_iter()
        .map(|i| {
            let column: Vec<Option<f64>> = values.iter().map(|row| row[i].number()).collect();
            let national = frame_stats(&column, &everyone);
            let by_region = regions.stats(&column);
            let by_typology = typologies.stats(&column);
            (0..structures.len())
                .map(|s| {
                    let mut frames: FramesOf = Default::default();
                    frames[frame_slot(FrameKind::National)] =
                        national.clone().map(|f| (f, Arc::clone(&france)));
                    frames[frame_slot(FrameKind::Region)] = regions.frame_of(s, &by_region);
                    frames[frame_slot(FrameKind::Peers)] =
                        peers[s].as_ref().and_then(|list| peer_frame(&column, list));
                    frames[frame_slot(FrameKind::Typology)] = typologies.frame_of(s, &by_typology);
                    frames
                })
                .collect()
        })
        .collect()
}

/// Statistics over the members with a value; None when none has one.
fn frame_stats(column: &[Option<f64>], members: &[usize]) -> Option<Arc<FrameStats>> {
    let v: Vec<f64> = members.iter().filter_map(|&m| column[m]).collect();
    FrameStats::new(&v).map(Arc::new)
}

/// One structure's own peer frame (peer groups differ from one structure to the next).
fn peer_frame(column: &[Option<f64>], peers: &[usize]) -> Option<Labelled> {
    frame_stats(column, peers).map(|f| {
        (
            f,
            Arc::from(format!("{} pairs au contexte proche", peers.len())),
        )
    })
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

    /// One indicator's frame in each group.
    fn stats(&self, column: &[Option<f64>]) -> Vec<Option<Arc<FrameStats>>> {
        self.members
            .iter()
            .map(|m| frame_stats(column, m))
            .collect()
    }

    /// The frame of structure `s`'s group, with the group's label.
    fn frame_of(&self, s: usize, stats: &[Option<Arc<FrameStats>>]) -> Option<Labelled> {
        let g = self.of[s]?;
        stats[g].clone().map(|f| (f, Arc::clone(&self.labels[g])))
    }
}
