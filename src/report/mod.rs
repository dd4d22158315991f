//! Writers: the annotated workbook, the per-structure and collected workbooks, JSON, and
//! the atomic file writing they share.
//!
//! Writers read `analysis` results and never reach back into reading or evaluation.

pub mod annotated;
pub mod atomic;
pub mod collected;
pub mod json;
pub mod per_structure;
pub mod xlsx;
