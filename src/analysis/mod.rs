//! Analysis: reference frames, statistics, scoring, findings and their trace.
pub mod analyse;
pub mod cases;
pub mod impact;
pub mod normalise;
pub mod objectives;
pub mod peers;
pub mod regression;
pub mod results;
pub mod stats;
pub mod trace;
