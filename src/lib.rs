//! boussole: a rules engine that lives next to Excel.
//!
//! The pipeline flows one way: a field workbook is read into a [`dataset::Dataset`]
//! (`workbook`), a rule pack (`pack`) is loaded and compiled, the analysis (`analysis`)
//! evaluates frames, scores, findings and recommendations with a trace, and writers
//! (`report`) produce the annotated workbook and JSON. See `ARCHITECTURE.md`.

pub mod analysis;
pub mod cli;
pub mod collect;
pub mod dataset;
pub mod error;
pub mod fr;
pub mod pack;
pub mod report;
pub mod sample;
pub mod workbook;

/// The version stamped into outputs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
