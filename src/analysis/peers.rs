//! Nearest-neighbour peer groups: for each structure, the `k` structures whose context is
//! closest, as the German IAB publishes for its local agencies.
//!
//! This module owns the standardisation of the context and the neighbour search (a k-d tree,
//! so that the search stays sub-quadratic). It does not choose the context variables, take
//! logarithms or decide `k`: the pack does.
//!
//! The k-d tree is written here rather than taken from a crate because the number of context
//! variables is only known at run time (crates such as `kiddo` fix it as a const generic) and
//! because the tie rule (equal distances go to the lower row index) must hold exactly, also
//! at the k-th place, which a general-purpose tree does not promise.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

/// Number of points under which a node of the k-d tree is not split further.
const LEAF_SIZE: usize = 16;

/// The `k` nearest other rows of each row, by Euclidean distance between standardised
/// contexts.
///
/// `context[row][var]` is the value of context variable `var` for `row`. A row is complete
/// when it holds a finite value for every variable (as many as the longest row); `None`,
/// a non-finite value or a short row makes it incomplete. Incomplete rows get `None` and are
/// nobody's peer.
///
/// Each variable is standardised over the complete rows to a z-score with the population
/// standard deviation (`n` denominator; the sample one would scale every variable by the same
/// factor and give the same neighbours). A constant variable (sd 0) contributes 0 for
/// everyone.
///
/// For each complete row the result lists up to `k` other complete rows, nearest first;
/// equal distances go to the lower row index (callers sort rows by structure id, which makes
/// the result independent of the input order). With `k` at least the number of other complete
/// rows, all of them are listed. `k = 0` gives empty lists.
///
/// The search uses a k-d tree: about `O(n log n)` for a handful of variables (100,000 rows of
/// 5 uniformly spread variables with `k = 10` take about half a second on 2 cores; see
/// `benches/stats.rs`).
///
/// # Examples
///
/// ```
/// use boussole::analysis::peers::nearest_peers;
///
/// let context = vec![
///     vec![Some(0.0), Some(0.0)],
///     vec![Some(1.0), Some(0.0)],
///     vec![None, Some(3.0)],
///     vec![Some(9.0), Some(9.0)],
/// ];
/// let peers = nearest_peers(&context, 1);
/// assert_eq!(peers, vec![Some(vec![1]), Some(vec![0]), None, Some(vec![1])]);
/// ```
pub fn nearest_peers(context: &[Vec<Option<f64>>], k: usize) -> Vec<Option<Vec<usize>>> {
    nearest(context, k, true)
}

/// The `k` nearest other rows of each row, by Euclidean distance between the points as
/// given (already standardised, whitened or weighted by the caller, see [`prepare`]);
/// otherwise as [`nearest_peers`].
pub fn nearest_prepared(points: &[Vec<Option<f64>>], k: usize) -> Vec<Option<Vec<usize>>> {
    nearest(points, k, false)
}

fn complete_rows(context: &[Vec<Option<f64>>]) -> (Vec<usize>, usize) {
    let dims = context.iter().map(Vec::len).max().unwrap_or(0);
    let rows = context
        .iter()
        .enumerate()
        .filter(|(_, row)| row.len() == dims && row.iter().all(|v| v.is_some_and(f64::is_finite)))
        .map(|(i, _)| i)
        .collect();
    (rows, dims)
}

fn nearest(context: &[Vec<Option<f64>>], k: usize, standardised: bool) -> Vec<Option<Vec<usize>>> {
    let (complete_rows, dims) = complete_rows(context);
    let points = if standardised {
        standardise(context, &complete_rows, dims)
    } else {
        complete_rows
            .iter()
            .flat_map(|&r| context[r].iter().map(|v| v.unwrap_or(0.0)))
            .collect()
    };
    let tree = KdTree::build(&points, dims, complete_rows.len());
    let mut peers: Vec<Option<Vec<usize>>> = vec![None; context.len()];
    // Queries in tree order: consecutive queries are close and visit the same nodes.
    let found: Vec<(usize, Vec<usize>)> = tree
        .order
        .par_iter()
        .map(|&position| {
            let list = tree.nearest_others(position, k);
            (
                position,
                list.into_iter().map(|other| complete_rows[other]).collect(),
            )
        })
        .collect();
    for (position, list) in found {
        peers[complete_rows[position]] = Some(list);
    }
    peers
}

/// The z-scores of the complete rows, row-major (`dims` values per complete row, in the order
/// of `complete_rows`).
fn standardise(context: &[Vec<Option<f64>>], complete_rows: &[usize], dims: usize) -> Vec<f64> {
    let m = complete_rows.len() as f64;
    let value = |row: usize, var: usize| context[row][var].unwrap_or(0.0);
    let scales: Vec<(f64, f64)> = (0..dims)
        .map(|var| {
            let mean = complete_rows.iter().map(|&r| value(r, var)).sum::<f64>() / m;
            let variance = complete_rows
                .iter()
                .map(|&r| (value(r, var) - mean).powi(2))
                .sum::<f64>()
                / m;
            (mean, variance.sqrt())
        })
        .collect();
    let mut points = Vec::with_capacity(complete_rows.len() * dims);
    for &row in complete_rows {
        for (var, &(mean, sd)) in scales.iter().enumerate() {
            let z = (value(row, var) - mean) / sd;
            // sd 0 (constant variable) or an overflowing spread: no information, no distance.
            points.push(if z.is_finite() && sd > 0.0 { z } else { 0.0 });
        }
    }
    points
}

/// Squared Euclidean distance, summed in variable order. The pruning bound in
/// [`KdTree::search`] is summed in the same order so that it never exceeds, even by rounding,
/// the distance of a point inside the cell.
/// The context as points for the peer search: each variable standardised over the
/// complete rows; with `mahalanobis`, decorrelated by the symmetric (ZCA) whitening
/// `R^(-1/2) z` of their correlation matrix `R`, so that two correlated variables are not
/// counted twice and each whitened coordinate stays as close as possible to its variable;
/// then each coordinate multiplied by the square root of its weight (a weight of 0 drops the
/// variable). Directions of `R` with an eigenvalue under `1e-9` times the largest carry no
/// information and are dropped. Incomplete rows stay incomplete.
///
/// # Examples
///
/// ```
/// use boussole::analysis::peers::prepare;
///
/// // The second variable duplicates the first: whitened, the pair counts once.
/// let context: Vec<Vec<Option<f64>>> =
///     [0.0, 1.0, 2.0, 3.0].iter().map(|&x| vec![Some(x), Some(x)]).collect();
/// let points = prepare(&context, &[1.0, 1.0], true);
/// let d = |a: &[Option<f64>], b: &[Option<f64>]| -> f64 {
///     a.iter().zip(b).map(|(x, y)| (x.unwrap() - y.unwrap()).powi(2)).sum::<f64>().sqrt()
/// };
/// let one: Vec<Vec<Option<f64>>> = context.iter().map(|r| vec![r[0]]).collect();
/// let alone = prepare(&one, &[1.0], true);
/// assert!((d(&points[0], &points[3]) - d(&alone[0], &alone[3])).abs() < 1e-9);
/// ```
pub fn prepare(
    context: &[Vec<Option<f64>>],
    weights: &[f64],
    mahalanobis: bool,
) -> Vec<Vec<Option<f64>>> {
    let (rows, dims) = complete_rows(context);
    let z = standardise(context, &rows, dims);
    let m = rows.len();
    let whitening = if mahalanobis && m > 1 && dims > 0 {
        let zm = nalgebra::DMatrix::from_row_slice(m, dims, &z);
        let r = (zm.transpose() * &zm) / m as f64;
        let eigen = r.symmetric_eigen();
        let largest = eigen.eigenvalues.max();
        let inv_sqrt = eigen.eigenvalues.map(|l| {
            if largest > 0.0 && l > 1e-9 * largest {
                1.0 / l.sqrt()
            } else {
                0.0
            }
        });
        let v = &eigen.eigenvectors;
        Some(v * nalgebra::DMatrix::from_diagonal(&inv_sqrt) * v.transpose())
    } else {
        None
    };
    let scale: Vec<f64> = (0..dims)
        .map(|j| weights.get(j).copied().unwrap_or(1.0).max(0.0).sqrt())
        .collect();
    let mut points = vec![vec![None; dims]; context.len()];
    for (position, &row) in rows.iter().enumerate() {
        let zi = &z[position * dims..(position + 1) * dims];
        for j in 0..dims {
            let value = match &whitening {
                Some(w) => (0..dims).map(|k| w[(j, k)] * zi[k]).sum::<f64>(),
                None => zi[j],
            };
            points[row][j] = Some(value * scale[j]);
        }
    }
    points
}

/// Each row's mean Euclidean distance to its peers, in the space of `points`; None for a
/// row without peers.
pub fn mean_distances(
    points: &[Vec<Option<f64>>],
    peers: &[Option<Vec<usize>>],
) -> Vec<Option<f64>> {
    let at = |r: usize| -> Option<Vec<f64>> { points.get(r)?.iter().copied().collect() };
    peers
        .iter()
        .enumerate()
        .map(|(row, list)| {
            let list = list.as_ref().filter(|l| !l.is_empty())?;
            let p = at(row)?;
            let total: f64 = list
                .iter()
                .filter_map(|&q| at(q))
                .map(|q| squared_distance(&p, &q).sqrt())
                .sum();
            Some(total / list.len() as f64)
        })
        .collect()
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A candidate neighbour, ordered by distance then position (= row order): the heap's top is
/// the worst one kept.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    distance: f64,
    position: usize,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.position.cmp(&other.position))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

#[derive(Debug, Clone, Copy)]
enum Node {
    /// Points `order[start..end]`.
    Leaf { start: usize, end: usize },
    /// Points of `left` have `coordinate[dim] <= value`, points of `right` `>= value`.
    Split {
        dim: usize,
        value: f64,
        left: usize,
        right: usize,
    },
}

/// A k-d tree over row-major points of `dims` coordinates, splitting at the median of the
/// widest coordinate.
struct KdTree<'a> {
    points: &'a [f64],
    dims: usize,
    /// Point positions, permuted so that every node covers a contiguous range.
    order: Vec<usize>,
    /// The coordinates of `order[i]` at `i * dims`: leaves scan contiguous memory.
    ordered_points: Vec<f64>,
    nodes: Vec<Node>,
    root: usize,
}

impl<'a> KdTree<'a> {
    /// The tree over `count` points; `points` holds `count * dims` coordinates.
    fn build(points: &'a [f64], dims: usize, count: usize) -> KdTree<'a> {
        let mut tree = KdTree {
            points,
            dims,
            order: (0..count).collect(),
            ordered_points: Vec::new(),
            nodes: Vec::new(),
            root: 0,
        };
        tree.root = tree.build_node(0, count);
        tree.ordered_points = tree
            .order
            .iter()
            .flat_map(|&p| tree.point(p).iter().copied())
            .collect();
        tree
    }

    fn point(&self, position: usize) -> &[f64] {
        &self.points[position * self.dims..(position + 1) * self.dims]
    }

    fn coordinate(points: &[f64], dims: usize, position: usize, dim: usize) -> f64 {
        points[position * dims + dim]
    }

    fn build_node(&mut self, start: usize, end: usize) -> usize {
        let widest = (end - start > LEAF_SIZE)
            .then(|| self.widest_dimension(start, end))
            .flatten();
        let node = match widest {
            // Small, or all points equal: scan them.
            None => Node::Leaf { start, end },
            Some(dim) => {
                let mid = start + (end - start) / 2;
                let (points, dims) = (self.points, self.dims);
                self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                    Self::coordinate(points, dims, a, dim)
                        .total_cmp(&Self::coordinate(points, dims, b, dim))
                });
                let value = Self::coordinate(points, dims, self.order[mid], dim);
                // Both halves are non-empty and strictly smaller, so the recursion ends.
                let left = self.build_node(start, mid);
                let right = self.build_node(mid, end);
                Node::Split {
                    dim,
                    value,
                    left,
                    right,
                }
            }
        };
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The coordinate with the largest spread over `order[start..end]`, `None` when every
    /// coordinate is constant there.
    fn widest_dimension(&self, start: usize, end: usize) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for dim in 0..self.dims {
            let (lo, hi) = self.order[start..end].iter().fold(
                (f64::INFINITY, f64::NEG_INFINITY),
                |(lo, hi), &p| {
                    let c = Self::coordinate(self.points, self.dims, p, dim);
                    (lo.min(c), hi.max(c))
                },
            );
            let spread = hi - lo;
            if spread > 0.0 && best.is_none_or(|(_, s)| spread > s) {
                best = Some((dim, spread));
            }
        }
        best.map(|(dim, _)| dim)
    }

    /// The positions of the `k` points nearest to point `position`, itself excluded, nearest
    /// first, ties to the lower position.
    fn nearest_others(&self, position: usize, k: usize) -> Vec<usize> {
        if k == 0 || self.order.is_empty() {
            return Vec::new();
        }
        let mut search = Search {
            query: self.point(position),
            excluded: position,
            k,
            kept: BinaryHeap::with_capacity(k + 1),
            offsets: vec![0.0; self.dims],
        };
        self.search(self.root, &mut search);
        search
            .kept
            .into_sorted_vec()
            .into_iter()
            .map(|c| c.position)
            .collect()
    }

    /// Visits `node`, whose cell lies at the squared distance `Σ offsets²` from the query.
    fn search(&self, node: usize, s: &mut Search<'_>) {
        match self.nodes[node] {
            Node::Leaf { start, end } => {
                for i in start..end {
                    let p = self.order[i];
                    if p != s.excluded {
                        let coordinates = &self.ordered_points[i * self.dims..(i + 1) * self.dims];
                        s.offer(Candidate {
                            distance: squared_distance(s.query, coordinates),
                            position: p,
                        });
                    }
                }
            }
            Node::Split {
                dim,
                value,
                left,
                right,
            } => {
                let diff = s.query[dim] - value;
                let (near, far) = if diff <= 0.0 {
                    (left, right)
                } else {
                    (right, left)
                };
                self.search(near, s);
                let previous = s.offsets[dim];
                s.offsets[dim] = diff.abs();
                let bound: f64 = s.offsets.iter().map(|o| o * o).sum();
                // `<=`: a point at exactly the worst kept distance may still win on its index.
                if s.kept.len() < s.k || s.kept.peek().is_some_and(|w| bound <= w.distance) {
                    self.search(far, s);
                }
                s.offsets[dim] = previous;
            }
        }
    }
}

/// The state of one query.
struct Search<'q> {
    query: &'q [f64],
    excluded: usize,
    k: usize,
    /// The best candidates so far, the worst on top.
    kept: BinaryHeap<Candidate>,
    /// Per coordinate, the distance from the query to the current cell.
    offsets: Vec<f64>,
}

impl Search<'_> {
    fn offer(&mut self, candidate: Candidate) {
        if self.kept.len() < self.k {
            self.kept.push(candidate);
        } else if self.kept.peek().is_some_and(|worst| candidate < *worst) {
            self.kept.pop();
            self.kept.push(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (Knuth's MMIX LCG), uniform in [0, 1).
    struct Lcg(u64);

    impl Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn complete(rows: &[&[f64]]) -> Vec<Vec<Option<f64>>> {
        rows.iter()
            .map(|r| r.iter().map(|&v| Some(v)).collect())
            .collect()
    }

    /// Brute force: standardise the same way, sort every other complete row by (distance, row).
    fn brute_force(context: &[Vec<Option<f64>>], k: usize) -> Vec<Option<Vec<usize>>> {
        let dims = context.iter().map(Vec::len).max().unwrap_or(0);
        let ok: Vec<usize> = (0..context.len())
            .filter(|&i| {
                context[i].len() == dims && context[i].iter().all(|v| v.is_some_and(f64::is_finite))
            })
            .collect();
        let m = ok.len() as f64;
        let mut z = vec![vec![0.0; dims]; context.len()];
        for var in 0..dims {
            let v = |r: usize| context[r][var].unwrap_or(0.0);
            let mean = ok.iter().map(|&r| v(r)).sum::<f64>() / m;
            let sd = (ok.iter().map(|&r| (v(r) - mean).powi(2)).sum::<f64>() / m).sqrt();
            for &r in &ok {
                z[r][var] = if sd > 0.0 { (v(r) - mean) / sd } else { 0.0 };
            }
        }
        (0..context.len())
            .map(|i| {
                ok.contains(&i).then(|| {
                    let mut others: Vec<(f64, usize)> = ok
                        .iter()
                        .filter(|&&j| j != i)
                        .map(|&j| (squared_distance(&z[i], &z[j]), j))
                        .collect();
                    others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    others.into_iter().take(k).map(|(_, j)| j).collect()
                })
            })
            .collect()
    }

    /// `n` rows of `dims` variables; values drawn from `levels` equally spaced levels (0 for
    /// continuous values, small for many exact ties); about `missing` of the values absent.
    fn random_context(
        seed: u64,
        n: usize,
        dims: usize,
        levels: u32,
        missing: f64,
    ) -> Vec<Vec<Option<f64>>> {
        let mut rng = Lcg(seed);
        (0..n)
            .map(|_| {
                (0..dims)
                    .map(|var| {
                        let gone = rng.uniform() < missing;
                        let u = rng.uniform();
                        let v = if levels == 0 {
                            u
                        } else {
                            (u * levels as f64).floor()
                        };
                        // Different units per variable, so standardisation matters.
                        (!gone).then_some(v * 10f64.powi(var as i32))
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn neighbours_on_a_hand_made_grid_are_the_obvious_ones() {
        // Two clusters; both variables hold the same multiset {0, 0, 1, 10, 10, 11}, so they
        // share mean and sd and the standardised distances keep the raw order.
        // Row 3 is incomplete.
        let mut context = complete(&[&[0.0, 0.0], &[1.0, 0.0], &[0.0, 1.0]]);
        context.push(vec![Some(5.0), None]);
        context.extend(complete(&[&[10.0, 10.0], &[11.0, 10.0], &[10.0, 11.0]]));

        // row 0 (0,0): row 1 at 1, row 2 at 1 (tie -> lower index first)
        // row 1 (1,0): row 0 at 1, row 2 at sqrt 2
        // row 2 (0,1): row 0 at 1, row 1 at sqrt 2
        // row 4 (10,10): rows 5 and 6 at 1; row 5: row 4 at 1, row 6 at sqrt 2; row 6 alike
        let expected = vec![
            Some(vec![1, 2]),
            Some(vec![0, 2]),
            Some(vec![0, 1]),
            None,
            Some(vec![5, 6]),
            Some(vec![4, 6]),
            Some(vec![4, 5]),
        ];
        assert_eq!(nearest_peers(&context, 2), expected);

        // k = 3: row 0 then reaches the other cluster, (10,10) at sqrt 200 before
        // (11,10) and (10,11) at sqrt 221.
        assert_eq!(nearest_peers(&context, 3)[0], Some(vec![1, 2, 4]));
    }

    #[test]
    fn k_at_least_the_other_rows_lists_all_of_them() {
        // one variable: 0, 4, 1, 9 -> from row 0: row 2 at 1, row 1 at 4, row 3 at 9
        let context = complete(&[&[0.0], &[4.0], &[1.0], &[9.0]]);
        let peers = nearest_peers(&context, 3);
        assert_eq!(peers[0], Some(vec![2, 1, 3]));
        assert_eq!(nearest_peers(&context, 50), peers);
        // from row 3 (9): row 1 at 5, row 2 at 8, row 0 at 9
        assert_eq!(peers[3], Some(vec![1, 2, 0]));
    }

    #[test]
    fn variables_are_standardised_so_units_do_not_matter() {
        // Raw distance from row 0 (0, 0): row 1 (0, 100) at 100, row 2 (3, 0) at 3.
        // Column 0 = {0, 0, 3, 3}: mean 1.5, population sd 1.5;
        // column 1 = {0, 100, 0, 100}: mean 50, sd 50.
        // z-scores: row 0 (-1, -1), row 1 (-1, 1), row 2 (1, -1), row 3 (1, 1):
        // rows 1 and 2 are both at distance 2 from row 0; the tie goes to row 1.
        let context = complete(&[&[0.0, 0.0], &[0.0, 100.0], &[3.0, 0.0], &[3.0, 100.0]]);
        assert_eq!(nearest_peers(&context, 1)[0], Some(vec![1]));
        assert_eq!(nearest_peers(&context, 3)[0], Some(vec![1, 2, 3]));
    }

    #[test]
    fn rescaling_a_variable_leaves_the_peers_unchanged() {
        let context = random_context(7, 400, 4, 0, 0.0);
        let rescaled: Vec<Vec<Option<f64>>> = context
            .iter()
            .map(|row| {
                let mut row = row.clone();
                row[2] = row[2].map(|v| v * 1000.0 + 5.0);
                row
            })
            .collect();
        assert_eq!(nearest_peers(&context, 10), nearest_peers(&rescaled, 10));
    }

    #[test]
    fn a_constant_variable_contributes_nothing() {
        let with = complete(&[&[0.0, 7.0], &[5.0, 7.0], &[1.0, 7.0], &[3.0, 7.0]]);
        let without = complete(&[&[0.0], &[5.0], &[1.0], &[3.0]]);
        // from row 0 (0): row 2 at 1, row 3 at 3, row 1 at 5
        assert_eq!(nearest_peers(&with, 3)[0], Some(vec![2, 3, 1]));
        assert_eq!(nearest_peers(&with, 3), nearest_peers(&without, 3));
    }

    #[test]
    fn incomplete_rows_are_nobodys_peer() {
        let context = vec![
            vec![Some(0.0)],
            vec![Some(0.1), Some(1.0)],
            vec![Some(f64::NAN), Some(1.0)],
            vec![Some(2.0), Some(2.0)],
            vec![None, None],
            vec![Some(3.0), Some(1.0)],
        ];
        // complete: rows 1, 3, 5 (row 0 is short, row 2 holds NaN, row 4 is empty)
        let peers = nearest_peers(&context, 5);
        assert_eq!(peers[0], None);
        assert_eq!(peers[2], None);
        assert_eq!(peers[4], None);
        for row in [1, 3, 5] {
            let list = peers[row].as_ref().unwrap();
            assert_eq!(list.len(), 2);
            assert!(list.iter().all(|r| [1, 3, 5].contains(r) && *r != row));
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(nearest_peers(&[], 3).is_empty());
        let one = complete(&[&[1.0, 2.0]]);
        assert_eq!(nearest_peers(&one, 3), vec![Some(vec![])]);
        let context = complete(&[&[1.0], &[2.0]]);
        assert_eq!(nearest_peers(&context, 0), vec![Some(vec![]), Some(vec![])]);
        // all identical: every distance 0, ties by index
        let same = vec![vec![Some(1.0)]; 40];
        assert_eq!(nearest_peers(&same, 2)[0], Some(vec![1, 2]));
        assert_eq!(nearest_peers(&same, 2)[39], Some(vec![0, 1]));
        // no variable at all: every row complete, all at distance 0
        let empty_rows = vec![Vec::new(); 3];
        assert_eq!(
            nearest_peers(&empty_rows, 1),
            vec![Some(vec![1]), Some(vec![0]), Some(vec![0])]
        );
        // huge values do not break standardisation
        let huge = complete(&[&[f64::MAX], &[-f64::MAX], &[0.0]]);
        assert_eq!(nearest_peers(&huge, 2).len(), 3);
    }

    #[test]
    fn the_tree_agrees_with_brute_force_on_continuous_random_data() {
        for (seed, n, dims) in [
            (1, 300, 5),
            (2, 1000, 4),
            (3, 700, 6),
            (4, 200, 1),
            (5, 40, 3),
        ] {
            let context = random_context(seed, n, dims, 0, 0.05);
            let complete_count = nearest_peers(&context, 0).iter().flatten().count();
            for k in [
                1,
                3,
                10,
                complete_count - 1,
                complete_count,
                complete_count + 5,
            ] {
                assert_eq!(
                    nearest_peers(&context, k),
                    brute_force(&context, k),
                    "seed {seed}, n {n}, dims {dims}, k {k}"
                );
            }
        }
    }

    #[test]
    fn the_tree_agrees_with_brute_force_when_ties_abound() {
        // Values on a coarse grid: many equal distances and identical points.
        for (seed, n, dims, levels) in [(11, 500, 3, 3), (12, 800, 5, 2), (13, 300, 2, 4)] {
            let context = random_context(seed, n, dims, levels, 0.02);
            for k in [1, 2, 5, 10, 40, n] {
                assert_eq!(
                    nearest_peers(&context, k),
                    brute_force(&context, k),
                    "seed {seed}, n {n}, dims {dims}, levels {levels}, k {k}"
                );
            }
        }
    }
}
