//! The random draws: ChaCha8 seeded with the sample's seed, one stream per use, and the
//! continuous distributions built on it with basic IEEE operations only, so that the same
//! seed gives the same bits on every platform (the platform's libm may differ by an ulp,
//! so `exp` and `ln` are computed here).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The pseudo-random source: ChaCha8 plus platform-independent continuous draws.
pub(super) struct Draws(ChaCha8Rng);

impl Draws {
    pub fn new(seed: u64, stream: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Draws(rng)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) (n > 0); the modulo bias is negligible for small n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
    }

    /// Standard normal, approximated by an Irwin-Hall sum of 12 uniforms (bounded at ±6,
    /// which suits synthetic data: no absurd outliers). Four 64-bit words give the 12
    /// uniforms of 21 bits each.
    fn normal(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 21) as f64;
        let mut sum = 0.0;
        for _ in 0..4 {
            let word = self.0.next_u64();
            for k in 0..3 {
                sum += ((word >> (21 * k)) & 0x1F_FFFF) as f64 * SCALE;
            }
        }
        sum - 6.0
    }

    /// Normal with the given mean and standard deviation.
    pub fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Log-normal with the given median and log-scale standard deviation.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }
}

const LN_2: f64 = std::f64::consts::LN_2;

/// `e^x` from basic IEEE operations only (same bits on every platform); relative error
/// below 1e-15 for |x| < 700.
fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / LN_2).round();
    let r = x - k * LN_2;
    // Taylor series of e^r for |r| <= ln 2 / 2, Horner form.
    let mut sum = 1.0;
    for i in (1..=17).rev() {
        sum = 1.0 + sum * r / i as f64;
    }
    // Multiply by 2^k by building the power of two directly.
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// Natural logarithm of a positive normal number from basic IEEE operations only.
pub(super) fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7FF) as i64 - 1023;
    // Mantissa in [1, 2), then shifted to [sqrt(1/2), sqrt(2)) for a fast series.
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | (1023u64 << 52));
    let mut e = exponent as f64;
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1.0;
    }
    // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut sum = 0.0;
    for i in (0..=12).rev() {
        sum = 1.0 / (2 * i + 1) as f64 + s2 * sum;
    }
    e * LN_2 + 2.0 * s * sum
}

/// Squeezes `x` into (lo, hi) smoothly (a hyperbolic tangent around the midpoint), so
/// extreme draws approach the bounds without piling up on them.
pub(super) fn soft_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
    let e = exp(2.0 * (x - mid) / half);
    mid + half * (e - 1.0) / (e + 1.0)
}

/// `x` rounded to `decimals` decimals (0 to 3).
pub(super) fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1000.0][decimals as usize];
    (x * scale).round() / scale
}

/// A drawn quantity as a whole count, never negative.
pub(super) fn count(x: f64) -> u64 {
    x.max(0.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_exp_and_ln_match_std() {
        for &x in &[-20.0, -3.3, -0.5, 0.0, 1e-9, 0.3, 1.0, 2.7, 11.0, 50.0] {
            let (ours, std) = (exp(x), f64::exp(x));
            assert!(
                ((ours - std) / std).abs() < 1e-14,
                "exp({x}): {ours} vs {std}"
            );
        }
        for &x in &[1e-6, 0.01, 0.5, 1.0, 1.5, 2.0, 3.0, 50.0, 12_000.0, 1e9] {
            let (ours, std) = (ln(x), f64::ln(x));
            assert!((ours - std).abs() < 1e-13, "ln({x}): {ours} vs {std}");
        }
    }
}
