//! Descriptive statistics of a reference frame: summary, quantiles, percentile rank and
//! funnel-plot limits.
//!
//! This module owns the numerical definitions (which quantile, which rank, which standard
//! deviation) so that every other stage uses one and the same. It knows nothing of
//! structures, indicators or frames as domain objects: it sees slices of `f64`.
//!
//! Definitions, chosen to match what a user can reproduce in Excel:
//! - quantiles are Excel's `PERCENTILE.INC` / `QUARTILE.INC` (linear interpolation between
//!   order statistics at `h = (n - 1) p`, also known as Hyndman & Fan type 7);
//! - the standard deviation is the sample one (`n - 1` denominator, Excel's `STDEV.S`);
//! - the percentile rank is the mid-rank one (ties count for half).

use std::sync::Arc;

/// Descriptive statistics of a frame.
///
/// Only the values present are used: callers pass present values, and [`summarize`] further
/// drops non-finite ones. Quartiles and median follow Excel's `QUARTILE.INC` (see
/// [`quantile_inc`]); `sd` is the sample standard deviation (`STDEV.S`, `n - 1`
/// denominator), `None` when `n < 2`.
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::summarize;
///
/// let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert_eq!((s.q1, s.median, s.q3), (1.75, 2.5, 3.25));
/// ```
pub use crate::pack::engine::view::Summary;

/// Summarises `values`, ignoring non-finite ones (NaN, infinities).
///
/// Returns `None` when no finite value is left. The values need not be sorted.
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::summarize;
///
/// let s = summarize(&[3.0, f64::NAN, 1.0, 2.0]).unwrap();
/// assert_eq!((s.n, s.median, s.sd), (3, 2.0, Some(1.0)));
/// assert!(summarize(&[]).is_none());
/// ```
pub fn summarize(values: &[f64]) -> Option<Summary> {
    summarize_sorted(&sorted_finite(values))
}

/// Summarises values the caller has already sorted ascending and filtered to finite ones.
///
/// Returns `None` when `sorted` is empty. Unsorted or non-finite input does not panic but
/// gives meaningless results; use [`summarize`] or [`sorted_finite`] when unsure.
pub fn summarize_sorted(sorted: &[f64]) -> Option<Summary> {
    let n = sorted.len();
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let mean = sorted.iter().sum::<f64>() / n as f64;
    // Two passes (mean, then squared deviations) for numerical stability.
    let sd = (n >= 2).then(|| {
        let ss: f64 = sorted.iter().map(|v| (v - mean).powi(2)).sum();
        (ss / (n - 1) as f64).sqrt()
    });
    Some(Summary {
        n,
        mean,
        median: quantile_inc(sorted, 0.5)?,
        q1: quantile_inc(sorted, 0.25)?,
        q3: quantile_inc(sorted, 0.75)?,
        min,
        max,
        sd,
    })
}

/// The finite values of `values`, sorted ascending: the form every sorted-input function of
/// this module expects.
pub fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The `p`-quantile of ascending `sorted` values, as Excel's `PERCENTILE.INC` (and
/// `QUARTILE.INC` with `p` = 0.25, 0.5, 0.75).
///
/// With `n` values and `h = (n - 1) p`, the result is
/// `sorted[floor(h)] + (h - floor(h)) * (sorted[ceil(h)] - sorted[floor(h)])`.
/// Returns `None` when `sorted` is empty or `p` is outside `[0, 1]` (or NaN).
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::quantile_inc;
///
/// // h = 3 * 0.25 = 0.75: 1 + 0.75 * (2 - 1)
/// assert_eq!(quantile_inc(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
/// ```
pub fn quantile_inc(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor();
    // `h` lies in [0, n - 1], so both indices are in bounds; `get` keeps it panic-free anyway.
    let below = *sorted.get(lo as usize)?;
    let above = *sorted.get(h.ceil() as usize)?;
    Some(below + (h - lo) * (above - below))
}

/// The mid-rank percentile of `x` among ascending `sorted` values, from 0 to 100:
/// `100 * (below + 0.5 * equal) / n`, where `below` counts values `< x` and `equal` values
/// `== x` (including `x` itself when it belongs to the frame).
///
/// A frame of one value equal to `x` gives 50; `x` below every value gives 0 and above
/// every value 100. Returns `None` when `sorted` is empty or `x` is NaN. Runs in
/// `O(log n)` by binary search.
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::percent_rank;
///
/// // below = 1, equal = 3: 100 * (1 + 1.5) / 5
/// assert_eq!(percent_rank(&[1.0, 2.0, 2.0, 2.0, 3.0], 2.0), Some(50.0));
/// ```
pub fn percent_rank(sorted: &[f64], x: f64) -> Option<f64> {
    if sorted.is_empty() || x.is_nan() {
        return None;
    }
    let below = sorted.partition_point(|&v| v < x);
    let up_to = sorted.partition_point(|&v| v <= x);
    let equal = up_to - below;
    Some(100.0 * (below as f64 + 0.5 * equal as f64) / sorted.len() as f64)
}

/// Funnel-plot control limits of a proportion measured on `n` cases around the reference
/// proportion `p0`: `p0 -/+ z * sqrt(p0 (1 - p0) / n)`, as `(lower, upper)`.
///
/// Limits are not clamped to `[0, 1]`. Returns `None` when `n <= 0`, `p0` is outside
/// `[0, 1]`, `z` is negative, or any argument is not finite. Usual `z`: 1.96 (alert),
/// 3.09 (alarm).
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::funnel_limits;
///
/// let (lo, hi) = funnel_limits(0.3, 100.0, 1.96).unwrap();
/// assert!((lo - 0.2102).abs() < 1e-4 && (hi - 0.3898).abs() < 1e-4);
/// ```
pub fn funnel_limits(p0: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    let valid = (0.0..=1.0).contains(&p0) && n.is_finite() && n > 0.0 && z.is_finite() && z >= 0.0;
    if !valid {
        return None;
    }
    let half_width = z * (p0 * (1.0 - p0) / n).sqrt();
    Some((p0 - half_width, p0 + half_width))
}

/// The one-sided binomial tail `P(X >= k)` for `X ~ B(n, p)`, summed exactly in log space
/// (no underflow for large `n`). 1 for `k = 0`, 0 for `k > n`.
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::binomial_upper_tail;
///
/// // P(X >= 2) for B(2, 0.25) = 0.25² = 0.0625
/// assert!((binomial_upper_tail(2, 2, 0.25) - 0.0625).abs() < 1e-12);
/// ```
pub fn binomial_upper_tail(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    // ln C(n, j) by the recurrence C(n, j + 1) = C(n, j) (n - j) / (j + 1).
    let mut ln_choose = 0.0;
    let mut terms = Vec::with_capacity(n + 1 - k);
    for j in 0..=n {
        if j >= k {
            terms.push(ln_choose + j as f64 * ln_p + (n - j) as f64 * ln_q);
        }
        if j < n {
            ln_choose += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
        }
    }
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
    (top + sum.ln()).exp().min(1.0)
}

/// A reference frame's values, sorted and finite, with their [`Summary`]: computed once,
/// then queried for as many structures as needed.
///
/// # Examples
///
/// ```
/// use boussole::analysis::stats::FrameStats;
///
/// let frame = FrameStats::new(&[0.4, 0.2, f64::NAN, 0.3]).unwrap();
/// assert_eq!(frame.summary().n, 3);
/// assert_eq!(frame.percent_rank(0.4), Some(100.0 * 2.5 / 3.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FrameStats {
    sorted: Vec<f64>,
    summary: Arc<Summary>,
}

impl FrameStats {
    /// Builds the frame from `values`, ignoring non-finite ones; `None` when none is left.
    pub fn new(values: &[f64]) -> Option<FrameStats> {
        let sorted = sorted_finite(values);
        let summary = summarize_sorted(&sorted)?;
        Some(FrameStats {
            sorted,
            summary: Arc::new(summary),
        })
    }

    /// The frame's values, finite and sorted ascending.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// The frame's descriptive statistics.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The summary, shared (results keep it once per frame, not once per structure).
    pub fn shared_summary(&self) -> Arc<Summary> {
        Arc::clone(&self.summary)
    }

    /// [`quantile_inc`] of the frame.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        quantile_inc(&self.sorted, p)
    }

    /// [`percent_rank`] of `x` in the frame.
    pub fn percent_rank(&self, x: f64) -> Option<f64> {
        percent_rank(&self.sorted, x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn quartiles_follow_quartile_inc_for_even_n() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        // n = 4, h = 3p. Q1: h = 0.75 -> 1 + 0.75 * (2 - 1) = 1.75
        assert_eq!(s.q1, 1.75);
        // median: h = 1.5 -> 2 + 0.5 * (3 - 2) = 2.5
        assert_eq!(s.median, 2.5);
        // Q3: h = 2.25 -> 3 + 0.25 * (4 - 3) = 3.25
        assert_eq!(s.q3, 3.25);
    }

    #[test]
    fn summary_of_an_unsorted_even_sample_matches_hand_computation() {
        // sorted: [1, 1, 2, 3, 4, 5, 6, 9], n = 8, h = 7p
        let s = summarize(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]).unwrap();
        assert_eq!(s.n, 8);
        // mean = 31 / 8
        assert_eq!(s.mean, 3.875);
        // Q1: h = 1.75 -> s[1] + 0.75 (s[2] - s[1]) = 1 + 0.75 * 1
        assert_eq!(s.q1, 1.75);
        // median: h = 3.5 -> 3 + 0.5 * (4 - 3)
        assert_eq!(s.median, 3.5);
        // Q3: h = 5.25 -> 5 + 0.25 * (6 - 5)
        assert_eq!(s.q3, 5.25);
        assert_eq!((s.min, s.max), (1.0, 9.0));
        // sum of squares = 173; SS = 173 - 8 * 3.875^2 = 173 - 120.125 = 52.875;
        // sd = sqrt(52.875 / 7) = sqrt(7.553571428...) = 2.748376...
        assert!(close(s.sd.unwrap(), (52.875f64 / 7.0).sqrt()));
        assert!((s.sd.unwrap() - 2.748376).abs() < 1e-6);
    }

    #[test]
    fn quartiles_follow_quartile_inc_for_odd_n() {
        // sorted [1, 3, 5], h = 2p
        let s = summarize(&[5.0, 1.0, 3.0]).unwrap();
        // Q1: h = 0.5 -> 1 + 0.5 * (3 - 1) = 2
        assert_eq!(s.q1, 2.0);
        // median: h = 1 -> s[1] = 3
        assert_eq!(s.median, 3.0);
        // Q3: h = 1.5 -> 3 + 0.5 * (5 - 3) = 4
        assert_eq!(s.q3, 4.0);
        // mean 3; deviations -2, 0, 2; SS = 8; sd = sqrt(8 / 2) = 2
        assert_eq!(s.mean, 3.0);
        assert_eq!(s.sd, Some(2.0));
    }

    #[test]
    fn quartiles_of_tied_values_stay_on_the_tie() {
        // sorted [2, 2, 2, 7], h = 3p. Q1: h = 0.75 -> 2 + 0.75 * 0 = 2;
        // median: h = 1.5 -> 2 + 0.5 * 0 = 2; Q3: h = 2.25 -> 2 + 0.25 * (7 - 2) = 3.25
        let s = summarize(&[2.0, 7.0, 2.0, 2.0]).unwrap();
        assert_eq!((s.q1, s.median, s.q3), (2.0, 2.0, 3.25));
    }

    #[test]
    fn a_region_of_one_structure_has_its_value_everywhere_and_no_sd() {
        let s = summarize(&[0.42]).unwrap();
        // n = 1: h = 0 for every p, so every quantile is the value itself.
        assert_eq!(s.n, 1);
        assert_eq!((s.mean, s.median, s.q1, s.q3), (0.42, 0.42, 0.42, 0.42));
        assert_eq!((s.min, s.max), (0.42, 0.42));
        // sample sd needs n >= 2
        assert_eq!(s.sd, None);
        // below = 0, equal = 1: 100 * 0.5 / 1 = 50
        assert_eq!(percent_rank(&[0.42], 0.42), Some(50.0));
    }

    #[test]
    fn an_empty_frame_has_no_summary_quantile_or_rank() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize_sorted(&[]), None);
        assert_eq!(quantile_inc(&[], 0.5), None);
        assert_eq!(percent_rank(&[], 1.0), None);
        assert!(FrameStats::new(&[]).is_none());
    }

    #[test]
    fn non_finite_values_are_ignored() {
        let s = summarize(&[f64::NAN, 1.0, f64::INFINITY, 3.0, f64::NEG_INFINITY]).unwrap();
        // what is left: [1, 3]; mean 2; median h = 0.5 -> 2; SS = 1 + 1 = 2, sd = sqrt(2 / 1)
        assert_eq!(s.n, 2);
        assert_eq!((s.mean, s.median), (2.0, 2.0));
        assert!(close(s.sd.unwrap(), 2f64.sqrt()));
        assert_eq!(summarize(&[f64::NAN, f64::INFINITY]), None);
    }

    #[test]
    fn quantile_inc_hits_the_extremes_and_rejects_p_outside_unit_interval() {
        let sorted = [10.0, 20.0, 30.0, 40.0, 50.0];
        // p = 0 -> h = 0 -> min; p = 1 -> h = 4 -> max
        assert_eq!(quantile_inc(&sorted, 0.0), Some(10.0));
        assert_eq!(quantile_inc(&sorted, 1.0), Some(50.0));
        // p = 0.9 -> h = 3.6 -> 40 + 0.6 * 10 = 46
        assert!(close(quantile_inc(&sorted, 0.9).unwrap(), 46.0));
        assert_eq!(quantile_inc(&sorted, -0.1), None);
        assert_eq!(quantile_inc(&sorted, 1.1), None);
        assert_eq!(quantile_inc(&sorted, f64::NAN), None);
    }

    #[test]
    fn percent_rank_counts_ties_for_half() {
        let sorted = [1.0, 2.0, 2.0, 2.0, 3.0];
        // x = 2: below 1, equal 3 -> 100 * (1 + 1.5) / 5 = 50
        assert_eq!(percent_rank(&sorted, 2.0), Some(50.0));
        // x = 3: below 4, equal 1 -> 100 * 4.5 / 5 = 90
        assert_eq!(percent_rank(&sorted, 3.0), Some(90.0));
        // x = 1: below 0, equal 1 -> 100 * 0.5 / 5 = 10
        assert_eq!(percent_rank(&sorted, 1.0), Some(10.0));
        // x = 2.5, absent: below 4, equal 0 -> 80
        assert_eq!(percent_rank(&sorted, 2.5), Some(80.0));
        // below every value -> 0; above every value -> 100
        assert_eq!(percent_rank(&sorted, 0.0), Some(0.0));
        assert_eq!(percent_rank(&sorted, 10.0), Some(100.0));
        assert_eq!(percent_rank(&sorted, f64::NAN), None);
    }

    #[test]
    fn binomial_upper_tail_matches_hand_sums() {
        // B(4, 0.25): P(X=3) = 4 · 0.25³ · 0.75 = 0.046875, P(X=4) = 0.25⁴ = 0.00390625
        assert!(close(
            binomial_upper_tail(3, 4, 0.25),
            0.046875 + 0.00390625
        ));
        assert!(close(binomial_upper_tail(4, 4, 0.25), 0.00390625));
        assert!(close(binomial_upper_tail(0, 4, 0.25), 1.0));
        assert_eq!(binomial_upper_tail(5, 4, 0.25), 0.0);
        // B(10, 0.5): P(X >= 8) = (45 + 10 + 1) / 1024
        assert!(close(binomial_upper_tail(8, 10, 0.5), 56.0 / 1024.0));
        // Large n does not underflow: P(X >= 0.25 n) is about one half.
        let half = binomial_upper_tail(2_500, 10_000, 0.25);
        assert!((0.45..0.56).contains(&half), "{half}");
    }

    #[test]
    fn funnel_limits_widen_around_p0_by_z_standard_errors() {
        let (lo, hi) = funnel_limits(0.3, 100.0, 1.96).unwrap();
        // sqrt(0.3 * 0.7 / 100) = sqrt(0.0021) = 0.0458257569...; * 1.96 = 0.0898184836...
        assert!((lo - (0.3 - 0.089_818_483_6)).abs() < 1e-9);
        assert!((hi - (0.3 + 0.089_818_483_6)).abs() < 1e-9);
        // p0 = 0.5, n = 25, z = 3.09: sqrt(0.25 / 25) = 0.1; 3.09 * 0.1 = 0.309
        let (lo, hi) = funnel_limits(0.5, 25.0, 3.09).unwrap();
        assert!(close(lo, 0.191) && close(hi, 0.809));
    }

    #[test]
    fn funnel_limits_are_not_clamped_and_reject_invalid_arguments() {
        // p0 = 0.05, n = 10, z = 1.96: 1.96 * sqrt(0.0475 / 10) = 1.96 * 0.0689202 = 0.135083...
        let (lo, _) = funnel_limits(0.05, 10.0, 1.96).unwrap();
        assert!(lo < 0.0);
        assert_eq!(funnel_limits(0.3, 0.0, 1.96), None);
        assert_eq!(funnel_limits(0.3, -5.0, 1.96), None);
        assert_eq!(funnel_limits(1.2, 100.0, 1.96), None);
        assert_eq!(funnel_limits(-0.1, 100.0, 1.96), None);
        assert_eq!(funnel_limits(f64::NAN, 100.0, 1.96), None);
        assert_eq!(funnel_limits(0.3, f64::INFINITY, 1.96), None);
        assert_eq!(funnel_limits(0.3, 100.0, -1.0), None);
        // p0 = 0 or 1: zero width
        assert_eq!(funnel_limits(0.0, 50.0, 1.96), Some((0.0, 0.0)));
        assert_eq!(funnel_limits(1.0, 50.0, 1.96), Some((1.0, 1.0)));
    }

    #[test]
    fn frame_stats_answers_from_its_sorted_values() {
        let frame = FrameStats::new(&[4.0, f64::NAN, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(frame.sorted(), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(frame.summary().q3, 3.25);
        // h = 3 * 0.1 = 0.3 -> 1 + 0.3 = 1.3
        assert!(close(frame.quantile(0.1).unwrap(), 1.3));
        // x = 3: below 2, equal 1 -> 100 * 2.5 / 4 = 62.5
        assert_eq!(frame.percent_rank(3.0), Some(62.5));
    }
}
