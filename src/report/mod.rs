//! Writers: the annotated workbook, the per-structure, collected and impact workbooks, the
//! blank field workbook of a pack (template), JSON, and the xlsx and atomic file writing
//! they share.
//!
//! Writers read `analysis` results and never reach back into reading or evaluation.

pub mod annotated;
pub mod atomic;
pub mod collected;
pub mod file_names;
pub mod impact;
pub mod json;
pub mod per_structure;
pub mod template;
pub mod xlsx;
