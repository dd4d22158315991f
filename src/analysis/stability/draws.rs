//! The random draws of the resampling: ChaCha8 seeded with the run's seed, one stream per
//! resample, and the count distributions built on it (binomial, Poisson, negative
//! binomial), exact, in a number of steps that grows with the logarithm of the count rather
//! than with the count (the national file draws millions of counts per run).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Below this many trials a binomial is drawn trial by trial.
const DIRECT_TRIALS: u64 = 48;
/// Below this mean a Poisson is drawn by multiplying uniforms.
const DIRECT_MEAN: f64 = 16.0;

/// The pseudo-random source of one resample.
pub struct Draws(ChaCha8Rng);

impl Draws {
    /// The draws of resample `stream` under `seed`: the same pair, the same draws, whatever
    /// thread makes them.
    pub fn new(seed: u64, stream: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Draws(rng)
    }

    /// Uniform in (0, 1), never 0 (its logarithm is taken).
    fn uniform(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Marsaglia's polar method).
    fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma of shape `shape` > 0 and scale 1 (Marsaglia and Tsang 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u < 1.0 - 0.0331 * x.powi(4) || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// Binomial B(n, p): the successes among `n` trials of probability `p` (clamped to
    /// [0, 1]). Large `n` are split by the order statistics of the uniforms (Knuth, TAOCP
    /// 3.4.1 F): the a-th smallest of n uniforms is Beta(a, n + 1 − a); the trials below
    /// `p` are then counted on one side of it only.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        let (mut n, mut p, mut k) = (n, p, 0);
        while n > DIRECT_TRIALS && p > 0.0 {
            let a = 1 + n / 2;
            let b = n + 1 - a;
            let x = self.beta(a as f64, b as f64);
            if x >= p {
                n = a - 1;
                p /= x;
            } else {
                k += a;
                n = b - 1;
                p = (p - x) / (1.0 - x);
            }
        }
        if p <= 0.0 {
            return k;
        }
        k + (0..n).filter(|_| self.uniform() < p).count() as u64
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        x / (x + y)
    }

    /// Poisson of mean `mean` (>= 0). A large mean is split by the arrival time of the
    /// m-th event (Knuth, TAOCP 3.4.1 F): Gamma(m); before `mean`, m events plus a Poisson
    /// of the time left; after it, a binomial of the m − 1 events before.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if !(mean > 0.0 && mean.is_finite()) {
            return 0;
        }
        let (mut mu, mut k) = (mean, 0);
        while mu > DIRECT_MEAN {
            let m = (0.875 * mu).floor() as u64;
            let x = self.gamma(m as f64);
            if x < mu {
                k += m;
                mu -= x;
            } else {
                return k + self.binomial(m - 1, mu / x);
            }
        }
        let limit = (-mu).exp();
        let mut product = self.uniform();
        while product > limit {
            product *= self.uniform();
            k += 1;
        }
        k
    }

    /// A count of mean `mean` and variance `phi × mean`: a negative binomial (a Poisson
    /// whose mean is itself drawn from a gamma of mean `mean` and variance
    /// `(phi − 1) × mean`), the Poisson itself when `phi` is 1.
    pub fn overdispersed(&mut self, mean: f64, phi: f64) -> u64 {
        if !(mean > 0.0 && mean.is_finite()) {
            return 0;
        }
        if !(phi > 1.0 + 1e-9 && phi.is_finite()) {
            return self.poisson(mean);
        }
        let scale = phi - 1.0;
        let lambda = self.gamma(mean / scale) * scale;
        self.poisson(lambda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean and variance of `n` draws.
    fn moments(n: usize, mut draw: impl FnMut() -> f64) -> (f64, f64) {
        let xs: Vec<f64> = (0..n).map(|_| draw()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var)
    }

    /// `actual` within `tolerance` (relative) of `expected`.
    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance * expected.abs()
    }

    #[test]
    fn binomial_draws_have_the_binomial_mean_and_variance() {
        let mut d = Draws::new(1, 0);
        for (n, p) in [(10, 0.3), (40, 0.5), (1000, 0.3), (2500, 0.9), (3000, 0.02)] {
            let (mean, var) = moments(20_000, || d.binomial(n, p) as f64);
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(close(mean, m, 0.01), "B({n}, {p}): mean {mean} vs {m}");
            assert!(close(var, v, 0.05), "B({n}, {p}): variance {var} vs {v}");
        }
        assert_eq!(d.binomial(50, 0.0), 0);
        assert_eq!(d.binomial(50, 1.0), 50);
        assert_eq!(d.binomial(0, 0.4), 0);
        assert!((0..1000).all(|_| d.binomial(7, 0.6) <= 7));
    }

    #[test]
    fn poisson_and_overdispersed_draws_have_their_mean_and_variance() {
        let mut d = Draws::new(2, 0);
        for mean in [0.5, 5.0, 40.0, 900.0] {
            let (m, v) = moments(20_000, || d.poisson(mean) as f64);
            assert!(close(m, mean, 0.02), "Poisson({mean}): mean {m}");
            assert!(close(v, mean, 0.05), "Poisson({mean}): variance {v}");
        }
        for (mean, phi) in [(30.0, 3.0), (800.0, 12.0), (800.0, 1.0)] {
            let (m, v) = moments(20_000, || d.overdispersed(mean, phi) as f64);
            assert!(close(m, mean, 0.02), "NB({mean}, {phi}): mean {m}");
            assert!(
                close(v, phi * mean, 0.06),
                "NB({mean}, {phi}): variance {v}"
            );
        }
        assert_eq!(d.poisson(0.0), 0);
        assert_eq!(d.overdispersed(0.0, 4.0), 0);
    }

    #[test]
    fn the_same_seed_and_stream_give_the_same_draws() {
        let draw = |seed, stream| {
            let mut d = Draws::new(seed, stream);
            (0..50).map(|_| d.binomial(300, 0.4)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 3), draw(7, 3));
        assert_ne!(draw(7, 3), draw(7, 4));
        assert_ne!(draw(7, 3), draw(8, 3));
    }
}
