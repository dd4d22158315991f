//! Analysis: reference frames, statistics, scoring, findings and their trace.
//!
//! `analyse.rs` runs the stages in order; the large ones have their module: `derive`
//! (values), `frames`, `expected`, `scores` (indicator and axis scores), `scripts` (findings
//! and recommendations), `objectives`, `priorities` (regional), reading the `evidence` the
//! first stages gather. `stability` does the whole analysis again on resampled counts,
//! `sensitivity` once under each of the pack's method variants; `regional` cuts the
//! results of a national run to one region (`run --by-region`).
pub mod analyse;
pub mod cases;
pub mod derive;
pub mod evidence;
pub mod expected;
pub mod frames;
pub mod impact;
pub mod normalise;
pub mod objectives;
pub mod peers;
pub mod priorities;
pub mod regional;
pub mod regression;
pub mod results;
pub mod scores;
pub mod scripts;
pub mod sensitivity;
pub mod stability;
pub mod stats;
pub mod trace;
