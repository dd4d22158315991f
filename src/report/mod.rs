//! Writers: the annotated workbook, JSON, and the atomic file writing they share.
//!
//! Writers read `analysis` results and never reach back into reading or evaluation.

pub mod atomic;
pub mod json;
pub mod per_structure;
pub mod annotated;
pub mod xlsx;
