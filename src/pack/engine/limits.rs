//! The limits every script evaluation runs under.

use std::time::Duration;

/// Limits every evaluation runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_function_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    /// Bytes one evaluation may allocate beyond what its thread held when it started
    /// (counted by [`super::memory::Counting`]), data held by function pointers and
    /// closures included.
    pub max_memory: usize,
    /// Wall-clock budget of one evaluation.
    pub time_budget: Duration,
    /// Wall-clock budget of all the evaluations of one analysis (one workbook), so that a
    /// script staying just under the per-evaluation limits cannot run for hours.
    pub run_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 500_000,
            max_call_levels: 48,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 100_000,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_memory: 16 * 1024 * 1024,
            time_budget: Duration::from_secs(2),
            run_budget: Duration::from_secs(60),
        }
    }
}
