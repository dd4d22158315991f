//! Normalisation of an indicator value into a 0-100 score within a reference frame, higher
//! meaning better.
//!
//! This module owns the three methods of [`Normalisation`] and the direction rule (a
//! lower-is-better indicator is mirrored, `100 - score`). It does not choose the frame nor
//! aggregate scores: it turns one value into one score.

use crate::analysis::stats::{Summary, percent_rank};
use crate::pack::manifest::Normalisation;

/// The score of `x` within a frame, from 0 to 100, higher meaning better.
///
/// `sorted_frame` is the frame's finite values sorted ascending and `summary` their
/// [`Summary`] (see [`crate::analysis::stats::FrameStats`], which holds both). The raw score
/// is, by `method`:
/// - [`Normalisation::Percentile`]: the mid-rank [`percent_rank`] of `x` in the frame;
/// - [`Normalisation::MinMax`]: `100 * (x - min) / (max - min)`, clamped to `[0, 100]`
///   (`x` may lie outside the frame), and 50 when `max == min`;
/// - [`Normalisation::ZScore`]: `50 + 10 z` with `z = (x - mean) / sd` (sample sd),
///   clamped to `[0, 100]` (that is, z to +/-5), and 50 when `sd` is `None` or 0.
///
/// When `higher_is_better` is false the raw score is mirrored: `100 - score`. For the
/// percentile this is exactly the mid-rank of `x` in the frame ordered the other way.
///
/// Returns `None` when `x` is not finite, or, for the percentile, when `sorted_frame` is
/// empty.
///
/// # Examples
///
/// ```
/// use boussole::analysis::normalise::score;
/// use boussole::analysis::stats::FrameStats;
/// use boussole::pack::manifest::Normalisation;
///
/// let frame = FrameStats::new(&[10.0, 20.0, 30.0]).unwrap();
/// let s = |m, x, up| score(m, frame.sorted(), frame.summary(), x, up);
/// assert_eq!(s(Normalisation::MinMax, 15.0, true), Some(25.0));
/// assert_eq!(s(Normalisation::MinMax, 15.0, false), Some(75.0));
/// assert_eq!(s(Normalisation::ZScore, 30.0, true), Some(60.0));
/// ```
pub fn score(
    method: Normalisation,
    sorted_frame: &[f64],
    summary: &Summary,
    x: f64,
    higher_is_better: bool,
) -> Option<f64> {
    score_ranked(
        method,
        percent_rank(sorted_frame, x),
        summary,
        x,
        higher_is_better,
    )
}

/// [`score`] given `x`'s [`percent_rank`] in the frame (`rank`) instead of the frame's
/// sorted values: the analysis computes each structure's rank once, when it builds the
/// frame.
pub fn score_ranked(
    method: Normalisation,
    rank: Option<f64>,
    summary: &Summary,
    x: f64,
    higher_is_better: bool,
) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let raw = match method {
        Normalisation::Percentile => rank?,
        Normalisation::MinMax => {
            let range = summary.max - summary.min;
            if range > 0.0 {
                (100.0 * (x - summary.min) / range).clamp(0.0, 100.0)
            } else {
                50.0
            }
        }
        Normalisation::ZScore => match summary.sd {
            Some(sd) if sd > 0.0 => (50.0 + 10.0 * (x - summary.mean) / sd).clamp(0.0, 100.0),
            _ => 50.0,
        },
    };
    if !raw.is_finite() {
        // Only reachable with a hand-made `Summary` holding non-finite statistics.
        return None;
    }
    Some(if higher_is_better { raw } else { 100.0 - raw })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::FrameStats;
    use proptest::prelude::*;

    const METHODS: [Normalisation; 3] = [
        Normalisation::Percentile,
        Normalisation::MinMax,
        Normalisation::ZScore,
    ];

    fn score_in(
        values: &[f64],
        method: Normalisation,
        x: f64,
        higher_is_better: bool,
    ) -> Option<f64> {
        let frame = FrameStats::new(values)?;
        score(method, frame.sorted(), frame.summary(), x, higher_is_better)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn percentile_score_is_the_mid_rank_and_mirrors_for_lower_is_better() {
        let frame = [1.0, 2.0, 2.0, 2.0, 3.0];
        // x = 3: below 4, equal 1 -> 100 * 4.5 / 5 = 90
        assert_eq!(
            score_in(&frame, Normalisation::Percentile, 3.0, true),
            Some(90.0)
        );
        // lower is better: 100 - 90 = 10 (= the mid-rank in the reversed order: 0 values above 3,
        // 1 equal -> 100 * 0.5 / 5)
        assert_eq!(
            score_in(&frame, Normalisation::Percentile, 3.0, false),
            Some(10.0)
        );
        // x = 2: below 1, equal 3 -> 50, and 50 mirrored
        assert_eq!(
            score_in(&frame, Normalisation::Percentile, 2.0, true),
            Some(50.0)
        );
        assert_eq!(
            score_in(&frame, Normalisation::Percentile, 2.0, false),
            Some(50.0)
        );
    }

    #[test]
    fn min_max_score_scales_the_frame_range_to_0_100() {
        let frame = [10.0, 20.0, 50.0];
        // (20 - 10) / (50 - 10) = 0.25 -> 25
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 20.0, true),
            Some(25.0)
        );
        // mirrored: 100 - 25 = 75
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 20.0, false),
            Some(75.0)
        );
        // min -> 0, max -> 100
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 10.0, true),
            Some(0.0)
        );
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 50.0, true),
            Some(100.0)
        );
        // outside the frame: (90 - 10) / 40 = 2 -> 200, clamped to 100; (0 - 10) / 40 -> 0
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 90.0, true),
            Some(100.0)
        );
        assert_eq!(
            score_in(&frame, Normalisation::MinMax, 0.0, true),
            Some(0.0)
        );
    }

    #[test]
    fn min_max_score_is_50_when_the_frame_has_no_range() {
        assert_eq!(
            score_in(&[7.0, 7.0], Normalisation::MinMax, 7.0, true),
            Some(50.0)
        );
        assert_eq!(
            score_in(&[7.0], Normalisation::MinMax, 9.0, false),
            Some(50.0)
        );
    }

    #[test]
    fn z_score_is_50_plus_10_z_clamped() {
        // frame [1, 3, 5]: mean 3, sd = sqrt((4 + 0 + 4) / 2) = 2
        let frame = [1.0, 3.0, 5.0];
        // x = 5: z = (5 - 3) / 2 = 1 -> 60
        assert_eq!(
            score_in(&frame, Normalisation::ZScore, 5.0, true),
            Some(60.0)
        );
        // mirrored: 40
        assert_eq!(
            score_in(&frame, Normalisation::ZScore, 5.0, false),
            Some(40.0)
        );
        // x = 2: z = -0.5 -> 45
        assert!(close(
            score_in(&frame, Normalisation::ZScore, 2.0, true).unwrap(),
            45.0
        ));
        // x = 15: z = 6 -> 110, clamped to 100; x = -9: z = -6 -> -10, clamped to 0
        assert_eq!(
            score_in(&frame, Normalisation::ZScore, 15.0, true),
            Some(100.0)
        );
        assert_eq!(
            score_in(&frame, Normalisation::ZScore, -9.0, true),
            Some(0.0)
        );
    }

    #[test]
    fn z_score_is_50_without_a_spread() {
        // a single value: sd None
        assert_eq!(
            score_in(&[4.0], Normalisation::ZScore, 8.0, true),
            Some(50.0)
        );
        // equal values: sd 0
        assert_eq!(
            score_in(&[4.0, 4.0, 4.0], Normalisation::ZScore, 8.0, true),
            Some(50.0)
        );
    }

    #[test]
    fn non_finite_values_and_empty_frames_have_no_score() {
        let frame = FrameStats::new(&[1.0, 2.0]).unwrap();
        for method in METHODS {
            for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert_eq!(
                    score(method, frame.sorted(), frame.summary(), x, true),
                    None
                );
            }
        }
        assert_eq!(
            score(Normalisation::Percentile, &[], frame.summary(), 1.0, true),
            None
        );
    }

    proptest! {
        #[test]
        fn raising_x_never_lowers_the_score_when_higher_is_better(
            values in prop::collection::vec(-1e6f64..1e6, 1..40),
            a in -2e6f64..2e6,
            b in -2e6f64..2e6,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            for method in METHODS {
                let s_lo = score_in(&values, method, lo, true).unwrap();
                let s_hi = score_in(&values, method, hi, true).unwrap();
                prop_assert!(s_lo <= s_hi, "{method:?}: {lo} -> {s_lo}, {hi} -> {s_hi}");
                prop_assert!((0.0..=100.0).contains(&s_lo) && (0.0..=100.0).contains(&s_hi));
                // and the mirrored score never rises
                let m_lo = score_in(&values, method, lo, false).unwrap();
                let m_hi = score_in(&values, method, hi, false).unwrap();
                prop_assert!(m_lo >= m_hi, "{method:?} mirrored: {lo} -> {m_lo}, {hi} -> {m_hi}");
            }
        }
    }
}
