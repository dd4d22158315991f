//! Ordinary least squares with an intercept: the expected value of an outcome given the
//! context, against which an observed value is compared.
//!
//! This module owns the fit and its quality measures. It does not choose the context
//! variables, take logarithms or drop structures with missing values: callers pass complete,
//! finite observations.
//!
//! The fit centres the outcome and the predictors, scales each predictor to unit norm and
//! solves the least-squares problem by the singular value decomposition of `nalgebra`. The
//! centring removes the intercept from the conditioning, the scaling makes the rank test
//! independent of units (a population in thousands next to a rate in percent), and the SVD
//! reveals rank deficiency instead of returning meaningless coefficients.

use nalgebra::{DMatrix, DVector};
use thiserror::Error;

/// Relative size under which a singular value of the centred, unit-norm predictor matrix
/// counts as zero. Above a condition number of `1e10` the coefficients are noise.
const RANK_TOLERANCE: f64 = 1e-10;

/// Bound on the SVD iterations; a matrix of finite values converges long before.
const SVD_MAX_ITERATIONS: usize = 10_000;

/// A fitted linear model `y = b0 + b1 x1 + ... + bp xp` by ordinary least squares.
#[derive(Debug, Clone, PartialEq)]
pub struct OlsFit {
    /// `[b0, b1, ..., bp]`: the intercept first, then one coefficient per predictor, in the
    /// order of the predictors.
    pub coefficients: Vec<f64>,
    /// Number of observations fitted.
    pub n: usize,
    /// Coefficient of determination `1 - SSR / SST` (residual over total sum of squares
    /// around the mean); 0 when `y` is constant (there is no variation to explain).
    pub r2: f64,
    /// Residual standard error `sqrt(SSR / (n - p - 1))`.
    pub residual_sd: f64,
    /// Number of predictors `p` (the intercept excluded).
    pub predictors: usize,
    /// Adjusted R² `1 - (1 - R²)(n - 1)/(n - p - 1)`: R² net of what `p` predictors
    /// explain by chance alone (about `p/(n-1)`); may be negative.
    pub adj_r2: f64,
    /// Residual sum of squares.
    pub ssr: f64,
    /// The predictors' means and norms after centring, to place a new observation.
    means: Vec<f64>,
    scales: Vec<f64>,
    /// `V Σ⁻¹` of the centred, unit-norm design (`p × p`, row-major): the leverage of `x` is
    /// `1/n + |(V Σ⁻¹)ᵀ x̃|²` with `x̃` the centred, scaled `x`.
    whitening: Vec<f64>,
}

impl OlsFit {
    /// The fitted value `b0 + b1 x1 + ... + bp xp` for the predictors `x`.
    ///
    /// `x` must hold exactly [`OlsFit::predictors`] values; otherwise the result is NaN so
    /// that the mistake shows. Use [`OlsFit::try_predict`] to get an `Option` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use boussole::analysis::regression::ols;
    ///
    /// let x: Vec<Vec<f64>> = (0..4).map(|i| vec![i as f64]).collect();
    /// let fit = ols(&[1.0, 3.0, 5.0, 7.0], &x).unwrap();
    /// assert!((fit.predict(&[10.0]) - 21.0).abs() < 1e-9);
    /// ```
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.try_predict(x).unwrap_or(f64::NAN)
    }

    /// The fitted value for `x`, or `None` when `x` does not hold exactly
    /// [`OlsFit::predictors`] values or the result is not finite.
    pub fn try_predict(&self, x: &[f64]) -> Option<f64> {
        let (intercept, slopes) = self.coefficients.split_first()?;
        if x.len() != slopes.len() {
            return None;
        }
        let value = intercept + slopes.iter().zip(x).map(|(b, v)| b * v).sum::<f64>();
        value.is_finite().then_some(value)
    }

    /// The leverage `h = x̃ᵀ(X̃ᵀX̃)⁻¹x̃ + 1/n` of predictors `x` (the diagonal of the hat
    /// matrix for an observation of the fit), or None when `x` has the wrong length.
    pub fn leverage(&self, x: &[f64]) -> Option<f64> {
        let p = self.predictors;
        if x.len() != p {
            return None;
        }
        let scaled: Vec<f64> = (0..p)
            .map(|j| (x[j] - self.means[j]) / self.scales[j])
            .collect();
        let quadratic: f64 = (0..p)
            .map(|k| {
                let w: f64 = (0..p).map(|j| self.whitening[j * p + k] * scaled[j]).sum();
                w * w
            })
            .sum();
        let h = quadratic + 1.0 / self.n as f64;
        h.is_finite().then_some(h)
    }

    /// The leave-one-out view of observation `(x, y)` of the fit: what the model fitted
    /// without it predicts, and how unusual `y` is given that prediction.
    ///
    /// With `e = y - ŷ` and leverage `h`, the prediction without the observation is
    /// `y - e/(1-h)`, the residual standard error without it
    /// `s₍ᵢ₎ = sqrt((SSR - e²/(1-h)) / (n - p - 2))`, and the standardised (externally
    /// studentised) residual `e / (s₍ᵢ₎ sqrt(1-h))`. None when the fit has no degree of
    /// freedom left once the observation is removed or the observation has leverage 1.
    pub fn leave_one_out(&self, x: &[f64], y: f64) -> Option<LeaveOneOut> {
        let h = self.leverage(x)?;
        let e = y - self.try_predict(x)?;
        let dof = self.n.checked_sub(self.predictors + 2)?;
        if dof == 0 || h.is_nan() || h >= 1.0 - 1e-12 {
            return None;
        }
        let deleted = e / (1.0 - h);
        let ssr = (self.ssr - e * deleted).max(0.0);
        let sd = (ssr / dof as f64).sqrt();
        let out = LeaveOneOut {
            prediction: y - deleted,
            residual: deleted,
            sd: sd / (1.0 - h).sqrt(),
        };
        (out.prediction.is_finite() && out.sd.is_finite()).then_some(out)
    }

    /// For predictors `x` not in the fit: the prediction and the standard deviation of a new
    /// observation around it, `s sqrt(1 + h)`.
    pub fn out_of_sample(&self, x: &[f64]) -> Option<LeaveOneOut> {
        let prediction = self.try_predict(x)?;
        let h = self.leverage(x)?;
        let sd = self.residual_sd * (1.0 + h).sqrt();
        sd.is_finite().then_some(LeaveOneOut {
            prediction,
            residual: f64::NAN,
            sd,
        })
    }
}

/// One observation seen by the model fitted without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeaveOneOut {
    /// The value predicted without the observation.
    pub prediction: f64,
    /// Observed minus that prediction (NaN for a prediction out of the sample).
    pub residual: f64,
    /// Standard deviation of an observation around the prediction.
    pub sd: f64,
}

impl LeaveOneOut {
    /// The standardised residual `residual / sd`, when defined.
    pub fn z(&self) -> Option<f64> {
        let z = self.residual / self.sd;
        z.is_finite().then_some(z)
    }
}

/// Why a regression could not be fitted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegressionError {
    /// Fewer than `predictors + 2` observations: the residual variance needs at least one
    /// degree of freedom.
    #[error("régression impossible : {n} observation(s) complète(s), il en faut au moins {needed}")]
    TooFewObservations { n: usize, needed: usize },
    /// The predictors are collinear (a constant predictor, a duplicated one, one a linear
    /// combination of others), so the coefficients are not determined.
    #[error(
        "régression impossible : variables de contexte colinéaires (une variable constante, \
         en double ou combinaison des autres)"
    )]
    Singular,
    /// Observation `row` (0-based) has a number of predictors different from the first
    /// observation's, a non-finite value, or no outcome (`y` and `x` differ in length).
    #[error(
        "régression impossible : l'observation {row} est invalide (valeur non finie ou \
         nombre de variables incohérent)"
    )]
    InvalidObservation { row: usize },
}

/// Fits `y[i] = b0 + b1 x[i][0] + ... + bp x[i][p - 1]` by ordinary least squares.
///
/// `x[i]` holds the `p` predictors of observation `i`; every row must have the same length
/// and every value be finite. Needs `n >= p + 2` observations. A rank-deficient design (a
/// constant or duplicated predictor, or one that is a linear combination of others, up to a
/// relative tolerance of `1e-10` on the singular values of the centred, unit-norm predictors)
/// gives [`RegressionError::Singular`]. With no predictor the fit is the mean of `y`.
///
/// # Examples
///
/// ```
/// use boussole::analysis::regression::ols;
///
/// // y = 1 + 2x exactly
/// let x = vec![vec![0.0], vec![1.0], vec![2.0]];
/// let fit = ols(&[1.0, 3.0, 5.0], &x).unwrap();
/// assert!((fit.coefficients[0] - 1.0).abs() < 1e-12);
/// assert!((fit.coefficients[1] - 2.0).abs() < 1e-12);
/// assert!((fit.r2 - 1.0).abs() < 1e-12);
/// ```
pub fn ols(y: &[f64], x: &[Vec<f64>]) -> Result<OlsFit, RegressionError> {
    let p = x.first().map_or(0, Vec::len);
    let n = y.len().min(x.len());
    if y.len() != x.len() {
        return Err(RegressionError::InvalidObservation { row: n });
    }
    if let Some(row) = (0..n)
        .find(|&i| x[i].len() != p || !y[i].is_finite() || x[i].iter().any(|v| !v.is_finite()))
    {
        return Err(RegressionError::InvalidObservation { row });
    }
    let needed = p + 2;
    if n < needed {
        return Err(RegressionError::TooFewObservations { n, needed });
    }

    let y_mean = y.iter().sum::<f64>() / n as f64;
    let x_means: Vec<f64> = (0..p)
        .map(|j| x.iter().map(|row| row[j]).sum::<f64>() / n as f64)
        .collect();
    let mut design = DMatrix::from_fn(n, p, |i, j| x[i][j] - x_means[j]);
    let mut scales = Vec::with_capacity(p);
    for mut column in design.column_iter_mut() {
        let norm = column.norm();
        // A constant predictor centres to zero: it duplicates the intercept.
        if !(norm > 0.0 && norm.is_finite()) {
            return Err(RegressionError::Singular);
        }
        column /= norm;
        scales.push(norm);
    }
    let centred_y = DVector::from_fn(n, |i, _| y[i] - y_mean);

    let mut whitening = Vec::with_capacity(p * p);
    let scaled_slopes = if p == 0 {
        DVector::zeros(0)
    } else {
        let svd = design
            .clone()
            .try_svd(true, true, f64::EPSILON, SVD_MAX_ITERATIONS)
            .ok_or(RegressionError::Singular)?;
        let largest = svd.singular_values.max();
        if svd.singular_values.min() <= RANK_TOLERANCE * largest {
            return Err(RegressionError::Singular);
        }
        let v_t = svd.v_t.as_ref().ok_or(RegressionError::Singular)?;
        // (V Σ⁻¹)[j][k] = V[j][k] / σk = Vᵀ[k][j] / σk
        for j in 0..p {
            for k in 0..p {
                whitening.push(v_t[(k, j)] / svd.singular_values[k]);
            }
        }
        svd.solve(&centred_y, 0.0)
            .map_err(|_| RegressionError::Singular)?
    };

    let slopes: Vec<f64> = scaled_slopes
        .iter()
        .zip(&scales)
        .map(|(b, s)| b / s)
        .collect();
    let intercept = y_mean - slopes.iter().zip(&x_means).map(|(b, m)| b * m).sum::<f64>();

    let residuals = &centred_y - &design * &scaled_slopes;
    let ssr = residuals.norm_squared();
    let sst = centred_y.norm_squared();
    let r2 = if sst > 0.0 { 1.0 - ssr / sst } else { 0.0 };
    let residual_sd = (ssr / (n - p - 1) as f64).sqrt();
    let adj_r2 = if sst > 0.0 {
        1.0 - (1.0 - r2) * (n - 1) as f64 / (n - p - 1) as f64
    } else {
        0.0
    };

    let mut coefficients = Vec::with_capacity(p + 1);
    coefficients.push(intercept);
    coefficients.extend(slopes);
    if coefficients.iter().any(|c| !c.is_finite()) {
        return Err(RegressionError::Singular);
    }
    Ok(OlsFit {
        coefficients,
        n,
        r2,
        residual_sd,
        predictors: p,
        adj_r2,
        ssr,
        means: x_means,
        scales,
        whitening,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-10
    }

    fn column(values: &[f64]) -> Vec<Vec<f64>> {
        values.iter().map(|&v| vec![v]).collect()
    }

    #[test]
    fn an_exact_line_is_recovered_with_r2_one() {
        // y = 1 + 2x at x = 0..4: y = 1, 3, 5, 7, 9; residuals 0, so SSR = 0 and r2 = 1.
        let fit = ols(
            &[1.0, 3.0, 5.0, 7.0, 9.0],
            &column(&[0.0, 1.0, 2.0, 3.0, 4.0]),
        )
        .unwrap();
        assert!(close(fit.coefficients[0], 1.0));
        assert!(close(fit.coefficients[1], 2.0));
        assert!(close(fit.r2, 1.0));
        assert!(close(fit.residual_sd, 0.0));
        assert_eq!((fit.n, fit.predictors), (5, 1));
        // 1 + 2 * 2.5 = 6
        assert!(close(fit.predict(&[2.5]), 6.0));
    }

    #[test]
    fn a_simple_regression_matches_the_textbook_formulas() {
        // x = 1, 2, 3, 4; y = 2, 3, 5, 6.
        // x mean 2.5, y mean 4; Sxy = (-1.5)(-2) + (-0.5)(-1) + (0.5)(1) + (1.5)(2) = 7;
        // Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5; b1 = 7 / 5 = 1.4; b0 = 4 - 1.4 * 2.5 = 0.5.
        // fitted 1.9, 3.3, 4.7, 6.1; residuals 0.1, -0.3, 0.3, -0.1; SSR = 0.2;
        // SST = 4 + 1 + 1 + 4 = 10; r2 = 1 - 0.2 / 10 = 0.98; residual sd = sqrt(0.2 / 2).
        let fit = ols(&[2.0, 3.0, 5.0, 6.0], &column(&[1.0, 2.0, 3.0, 4.0])).unwrap();
        assert!(close(fit.coefficients[0], 0.5));
        assert!(close(fit.coefficients[1], 1.4));
        assert!(close(fit.r2, 0.98));
        assert!(close(fit.residual_sd, 0.1f64.sqrt()));
    }

    #[test]
    fn two_predictors_match_the_normal_equations_solved_by_hand() {
        // x1 = 0, 1, 2, 3, 4; x2 = 1, 0, 2, 1, 3; y = 1, 2, 6, 5, 10.
        // Normal equations X'X b = X'y with X = [1 x1 x2]:
        //   sums: n = 5, Σx1 = 10, Σx2 = 7, Σx1² = 30, Σx1x2 = 19, Σx2² = 15,
        //         Σy = 24, Σx1y = 69, Σx2y = 48
        //   (E1)  5 b0 + 10 b1 +  7 b2 = 24
        //   (E2) 10 b0 + 30 b1 + 19 b2 = 69
        //   (E3)  7 b0 + 19 b1 + 15 b2 = 48
        // E2 - 2 E1:   10 b1 + 5 b2   = 21
        // E3 - 1.4 E1:  5 b1 + 5.2 b2 = 14.4
        // (E2 - 2 E1) - 2 (E3 - 1.4 E1): -5.4 b2 = -7.8  ->  b2 = 13/9
        // b1 = (21 - 5 * 13/9) / 10 = (189 - 65) / 90 = 62/45
        // b0 = (24 - 10 * 62/45 - 7 * 13/9) / 5 = (216/9 - 124/9 - 91/9) / 5 = 1/45
        // fitted: 1/45 + 13/9 = 22/15, 1/45 + 62/45 = 7/5, 1/45 + 124/45 + 26/9 = 17/3,
        //         1/45 + 186/45 + 13/9 = 28/5, 1/45 + 248/45 + 39/9 = 148/15
        // residuals: -7/15, 3/5, 1/3, -3/5, 2/15; SSR = (49 + 81 + 25 + 81 + 4) / 225 = 16/15
        // y mean 4.8; SST = 14.44 + 7.84 + 1.44 + 0.04 + 27.04 = 50.8 = 254/5
        // r2 = 1 - (16/15) / (254/5) = 1 - 8/381 = 373/381; residual sd = sqrt((16/15) / 2)
        let x = vec![
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![2.0, 2.0],
            vec![3.0, 1.0],
            vec![4.0, 3.0],
        ];
        let fit = ols(&[1.0, 2.0, 6.0, 5.0, 10.0], &x).unwrap();
        assert_eq!(fit.coefficients.len(), 3);
        assert!(close(fit.coefficients[0], 1.0 / 45.0));
        assert!(close(fit.coefficients[1], 62.0 / 45.0));
        assert!(close(fit.coefficients[2], 13.0 / 9.0));
        assert!(close(fit.r2, 373.0 / 381.0));
        assert!(close(fit.residual_sd, (8.0f64 / 15.0).sqrt()));
        // fitted value of the third observation: 17/3
        assert!(close(fit.predict(&[2.0, 2.0]), 17.0 / 3.0));
    }

    #[test]
    fn units_of_the_predictors_do_not_change_the_fit() {
        // Same as the hand-solved case with x1 in millions: b1 scales by 1e-6, the rest holds.
        let x = vec![
            vec![0.0, 1.0],
            vec![1e6, 0.0],
            vec![2e6, 2.0],
            vec![3e6, 1.0],
            vec![4e6, 3.0],
        ];
        let fit = ols(&[1.0, 2.0, 6.0, 5.0, 10.0], &x).unwrap();
        assert!(close(fit.coefficients[0], 1.0 / 45.0));
        assert!(close(fit.coefficients[1] * 1e6, 62.0 / 45.0));
        assert!(close(fit.coefficients[2], 13.0 / 9.0));
        assert!(close(fit.r2, 373.0 / 381.0));
    }

    #[test]
    fn no_predictor_fits_the_mean() {
        // y mean = (1 + 2 + 6) / 3 = 3; SSR = SST, r2 = 0; sd = sqrt((4 + 1 + 9) / 2) = sqrt(7)
        let fit = ols(&[1.0, 2.0, 6.0], &[vec![], vec![], vec![]]).unwrap();
        assert_eq!(fit.coefficients.len(), 1);
        assert!(close(fit.coefficients[0], 3.0));
        assert!(close(fit.r2, 0.0));
        assert!(close(fit.residual_sd, 7f64.sqrt()));
        assert!(close(fit.predict(&[]), 3.0));
    }

    #[test]
    fn a_constant_outcome_has_r2_zero_and_no_residual() {
        let fit = ols(&[4.0, 4.0, 4.0], &column(&[1.0, 2.0, 3.0])).unwrap();
        assert!(close(fit.coefficients[0], 4.0) && close(fit.coefficients[1], 0.0));
        assert_eq!(fit.r2, 0.0);
        assert!(close(fit.residual_sd, 0.0));
    }

    #[test]
    fn a_constant_predictor_is_singular() {
        let x = vec![
            vec![1.0, 5.0],
            vec![2.0, 5.0],
            vec![3.0, 5.0],
            vec![4.0, 5.0],
        ];
        assert_eq!(
            ols(&[1.0, 2.0, 4.0, 3.0], &x),
            Err(RegressionError::Singular)
        );
    }

    #[test]
    fn a_duplicated_or_combined_predictor_is_singular() {
        let duplicated = vec![
            vec![1.0, 1.0],
            vec![2.0, 2.0],
            vec![3.0, 3.0],
            vec![5.0, 5.0],
        ];
        assert_eq!(
            ols(&[1.0, 2.0, 4.0, 3.0], &duplicated),
            Err(RegressionError::Singular)
        );
        // x3 = 2 x1 - x2 + 7
        let combined: Vec<Vec<f64>> = [(1.0, 4.0), (2.0, 1.0), (3.0, 5.0), (4.0, 2.0), (6.0, 3.0)]
            .iter()
            .map(|&(a, b)| vec![a, b, 2.0 * a - b + 7.0])
            .collect();
        assert_eq!(
            ols(&[1.0, 2.0, 4.0, 3.0, 8.0], &combined),
            Err(RegressionError::Singular)
        );
    }

    #[test]
    fn too_few_observations_are_refused() {
        // 2 predictors need 2 + 2 = 4 observations
        let x = vec![vec![1.0, 2.0], vec![2.0, 1.0], vec![3.0, 5.0]];
        assert_eq!(
            ols(&[1.0, 2.0, 3.0], &x),
            Err(RegressionError::TooFewObservations { n: 3, needed: 4 })
        );
        assert_eq!(
            ols(&[], &[]),
            Err(RegressionError::TooFewObservations { n: 0, needed: 2 })
        );
        assert_eq!(
            ols(&[1.0, 2.0], &column(&[1.0, 2.0])),
            Err(RegressionError::TooFewObservations { n: 2, needed: 3 })
        );
    }

    #[test]
    fn invalid_observations_are_refused_with_their_row() {
        let ragged = vec![vec![1.0], vec![2.0, 3.0], vec![3.0], vec![4.0]];
        assert_eq!(
            ols(&[1.0, 2.0, 3.0, 4.0], &ragged),
            Err(RegressionError::InvalidObservation { row: 1 })
        );
        let nan = column(&[1.0, 2.0, f64::NAN, 4.0]);
        assert_eq!(
            ols(&[1.0, 2.0, 3.0, 4.0], &nan),
            Err(RegressionError::InvalidObservation { row: 2 })
        );
        assert_eq!(
            ols(
                &[1.0, f64::INFINITY, 3.0, 4.0],
                &column(&[1.0, 2.0, 3.0, 4.0])
            ),
            Err(RegressionError::InvalidObservation { row: 1 })
        );
        assert_eq!(
            ols(&[1.0, 2.0, 3.0], &column(&[1.0, 2.0, 3.0, 4.0])),
            Err(RegressionError::InvalidObservation { row: 3 })
        );
    }

    #[test]
    fn predicting_with_the_wrong_number_of_predictors_shows() {
        let fit = ols(&[1.0, 3.0, 5.0], &column(&[0.0, 1.0, 2.0])).unwrap();
        assert_eq!(fit.try_predict(&[1.0, 2.0]), None);
        assert!(fit.predict(&[]).is_nan());
    }

    #[test]
    fn leverage_and_leave_one_out_match_refitting_without_the_observation() {
        // x = 1, 2, 3, 4; y = 2, 3, 5, 6 (solved by hand above): b = (0.5, 1.4), SSR = 0.2.
        // Leverage of x = 4: 1/n + (x - x̄)²/Sxx = 1/4 + 2.25/5 = 0.7.
        let x = column(&[1.0, 2.0, 3.0, 4.0]);
        let y = [2.0, 3.0, 5.0, 6.0];
        let fit = ols(&y, &x).unwrap();
        assert!(close(fit.leverage(&[4.0]).unwrap(), 0.7));
        // adjusted R² = 1 - (1 - 0.98) * 3 / 2 = 0.97
        assert!(close(fit.adj_r2, 0.97));
        // Without the 4th point: x = 1, 2, 3; y = 2, 3, 5: b1 = 1.5, b0 = 0.333...;
        // prediction at 4: 0.3333 + 6 = 6.3333; residual 6 - 6.3333 = -1/3.
        // Residuals of that fit: 2 - 1.8333 = 1/6, 3 - 3.3333 = -1/3, 5 - 4.8333 = 1/6;
        // SSR = 1/36 + 1/9 + 1/36 = 1/6 on 1 degree of freedom: s = sqrt(1/6).
        // sd of a new observation at x = 4 for that fit: s sqrt(1 + 1/3 + (4 - 2)²/2) = s sqrt(10/3).
        let loo = fit.leave_one_out(&[4.0], 6.0).unwrap();
        assert!(close(loo.prediction, 19.0 / 3.0));
        assert!(close(loo.residual, -1.0 / 3.0));
        assert!(close(loo.sd, (1.0f64 / 6.0 * 10.0 / 3.0).sqrt()));
        let refit = ols(&y[..3], &x[..3]).unwrap();
        let new = refit.out_of_sample(&[4.0]).unwrap();
        assert!(close(new.prediction, loo.prediction));
        assert!(close(new.sd, loo.sd));
    }

    #[test]
    fn two_predictors_leave_one_out_matches_a_refit() {
        let x = vec![
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![2.0, 2.0],
            vec![3.0, 1.0],
            vec![4.0, 3.0],
            vec![5.0, 2.5],
        ];
        let y = [1.0, 2.0, 6.0, 5.0, 10.0, 9.0];
        let fit = ols(&y, &x).unwrap();
        for i in 0..y.len() {
            let (ys, xs): (Vec<f64>, Vec<Vec<f64>>) = (0..y.len())
                .filter(|&j| j != i)
                .map(|j| (y[j], x[j].clone()))
                .unzip();
            let refit = ols(&ys, &xs).unwrap();
            let expected = refit.out_of_sample(&x[i]).unwrap();
            let loo = fit.leave_one_out(&x[i], y[i]).unwrap();
            assert!((loo.prediction - expected.prediction).abs() < 1e-9, "{i}");
            assert!((loo.sd - expected.sd).abs() < 1e-9, "{i}");
        }
    }

    #[test]
    fn errors_read_in_french() {
        let e = RegressionError::TooFewObservations { n: 3, needed: 4 };
        assert_eq!(
            e.to_string(),
            "régression impossible : 3 observation(s) complète(s), il en faut au moins 4"
        );
        assert!(
            RegressionError::Singular
                .to_string()
                .contains("colinéaires")
        );
    }
}
