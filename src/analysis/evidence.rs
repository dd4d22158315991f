//! What is known of each structure's indicators before any judgement: values, frames and
//! expected values. The scores, the scripts, the objectives and the assembly read it; none
//! of them changes it.

use crate::analysis::derive::Cell;
use crate::analysis::frames::FramesOf;
use crate::analysis::results::{Expected, IndicatorDef};
use crate::dataset::Structure;
use crate::pack::engine::view::frame_slot;
use crate::pack::manifest::FrameKind;

/// The evidence over the population; `s` is a structure's index in `structures`, `i` an
/// indicator's in `defs`.
pub struct Evidence<'a> {
    pub defs: &'a [IndicatorDef],
    /// The population, in id order.
    pub structures: &'a [&'a Structure],
    /// The structures annotated (indices in `structures`); the others only make up frames.
    pub annotated: &'a [usize],
    /// Indexed `[structure][indicator]`.
    pub values: Vec<Vec<Cell>>,
    /// Indexed `[structure][indicator]`.
    pub frames: Vec<Vec<FramesOf>>,
    /// Indexed `[structure][indicator]`.
    pub expected: Vec<Vec<Option<Expected>>>,
}

impl Evidence<'_> {
    pub fn cell(&self, s: usize, i: usize) -> &Cell {
        &self.values[s][i]
    }

    pub fn frames(&self, s: usize, i: usize) -> &FramesOf {
        &self.frames[s][i]
    }

    pub fn expected(&self, s: usize, i: usize) -> Option<&Expected> {
        self.expected[s][i].as_ref()
    }

    /// The median of one frame, when the frame exists.
    pub fn median(&self, s: usize, i: usize, kind: FrameKind) -> Option<f64> {
        median(self.frames(s, i), kind)
    }
}

/// One structure's evidence, taken out of the [`Evidence`] by the assembly of its results
/// (moved into them, not copied); `i` is an indicator's index.
pub struct Own {
    pub values: Vec<Cell>,
    pub frames: Vec<FramesOf>,
    pub expected: Vec<Option<Expected>>,
}

impl Own {
    pub fn cell(&self, i: usize) -> &Cell {
        &self.values[i]
    }

    pub fn expected(&self, i: usize) -> Option<&Expected> {
        self.expected[i].as_ref()
    }

    /// The median of one frame, when the frame exists.
    pub fn median(&self, i: usize, kind: FrameKind) -> Option<f64> {
        median(&self.frames[i], kind)
    }
}

fn median(frames: &FramesOf, kind: FrameKind) -> Option<f64> {
    frames[frame_slot(kind)]
        .as_ref()
        .and_then(|f| f.summary.as_ref())
        .map(|s| s.median)
}
