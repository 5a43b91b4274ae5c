//! Log-linear models of a capture-history table (Fienberg 1972; as the R package Rcapture fits
//! them): the observed cells' counts are Poisson with `log μ = β₀ + Σ βⱼ xⱼ + Σ βⱼₖ xⱼ xₖ` over the
//! lists `j` and the pairs of lists `(j, k)` the model lets depend on each other; the cell seen
//! by no list is `exp(β₀)`, and the total is the observed plus it.
//!
//! The independence model has no pair. A hierarchical model adds two-way interactions; the one
//! reported is chosen by AIC or BIC among every set of pairs (up to 5 lists: 1,024 models), or
//! by adding the best pair while the criterion improves (more lists). Each model is fitted by
//! iteratively reweighted least squares; its standard error is Rcapture's (the Poisson
//! variance of the unseen cell plus the delta method on `β₀`), and the 95% interval is
//! log-normal on the unseen cell (Chao 1987), so it never goes below what was observed.

// Small dense matrices: the indices are the design's own columns, always in range.
#![allow(clippy::indexing_slicing, clippy::needless_range_loop)]

use serde::Serialize;

use crate::table::Table;

/// How the model is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    Aic,
    Bic,
}

/// A fitted model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fit {
    /// The pairs of lists allowed to depend on each other, by position.
    pub pairs: Vec<(usize, usize)>,
    /// The estimated number no list documented.
    pub unseen: f64,
    pub total: f64,
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
    pub deviance: f64,
    pub df: i64,
    pub aic: f64,
    pub bic: f64,
}

/// The independence model.
pub fn independence(t: &Table) -> Option<Fit> {
    fit(t, &[])
}

/// The model the criterion prefers (independence among them).
pub fn best(t: &Table, criterion: Criterion) -> Option<Fit> {
    let j = t.width();
    let all: Vec<(usize, usize)> = (0..j)
        .flat_map(|a| (a + 1..j).map(move |b| (a, b)))
        .collect();
    let score = |f: &Fit| match criterion {
        Criterion::Aic => f.aic,
        Criterion::Bic => f.bic,
    };
    let mut best = independence(t)?;
    if all.len() <= 10 {
        for mask in 1u32..(1 << all.len()) {
            let pairs: Vec<(usize, usize)> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, p)| *p)
                .collect();
            if let Some(f) = fit(t, &pairs)
                && f.df >= 0
                && score(&f) < score(&best)
            {
                best = f;
            }
        }
        return Some(best);
    }
    // Forward selection: add the pair that lowers the criterion most, while one does.
    loop {
        let mut improved = None;
        for p in all.iter().filter(|p| !best.pairs.contains(p)) {
            let mut pairs = best.pairs.clone();
            pairs.push(*p);
            if let Some(f) = fit(t, &pairs)
                && f.df >= 0
                && score(&f) < improved.as_ref().map_or(score(&best), score)
            {
                improved = Some(f);
            }
        }
        match improved {
            Some(f) => best = f,
            None => return Some(best),
        }
    }
}

/// The design row of `pattern`: intercept, one column per list, one per pair.
fn row(pattern: usize, lists: usize, pairs: &[(usize, usize)]) -> Vec<f64> {
    let x = |j: usize| if pattern & (1 << j) != 0 { 1.0 } else { 0.0 };
    let mut r = Vec::with_capacity(1 + lists + pairs.len());
    r.push(1.0);
    r.extend((0..lists).map(x));
    r.extend(pairs.iter().map(|&(a, b)| x(a) * x(b)));
    r
}

/// `ln(n!)`, for the Poisson likelihood: exact below 256, Stirling's series above (its error
/// is below 1e-12 there, far under what the criteria compare).
fn ln_factorial(n: u64) -> f64 {
    if n < 256 {
        return (1..=n).map(|k| (k as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x * x)
}

/// Fits the model with `pairs`; none when it does not converge (a cell of zero it must fit
/// exactly, for example).
pub fn fit(t: &Table, pairs: &[(usize, usize)]) -> Option<Fit> {
    let lists = t.width();
    let cells: Vec<(Vec<f64>, f64)> = t
        .cells()
        .map(|(p, n)| (row(p, lists, pairs), n as f64))
        .collect();
    let p = 1 + lists + pairs.len();
    let df = cells.len() as i64 - p as i64;
    if df < 0 {
        return None;
    }
    let mean = cells.iter().map(|(_, y)| y).sum::<f64>() / cells.len() as f64;
    let mut beta = vec![0.0; p];
    beta[0] = mean.max(0.5).ln();
    let mut deviance = f64::INFINITY;
    let mut info = vec![vec![0.0; p]; p];
    for _ in 0..100 {
        // X'WX and X'Wz at the current β.
        info = vec![vec![0.0; p]; p];
        let mut score = vec![0.0; p];
        for (x, y) in &cells {
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let mu = eta.exp();
            let z = eta + (y - mu) / mu;
            for a in 0..p {
                score[a] += x[a] * mu * z;
                for b in 0..p {
                    info[a][b] += x[a] * mu * x[b];
                }
            }
        }
        beta = solve(&info, &score)?;
        let d = dev(&cells, &beta);
        if !d.is_finite() {
            return None;
        }
        let converged = (deviance - d).abs() < 1e-9 * (1.0 + d.abs());
        deviance = d;
        if converged {
            break;
        }
    }
    if beta.iter().any(|b| !b.is_finite() || b.abs() > 50.0) {
        return None;
    }
    let covariance = invert(&info)?;
    let unseen = beta[0].exp();
    let observed = t.observed() as f64;
    let loglik: f64 = cells
        .iter()
        .map(|(x, y)| {
            let mu = x.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>().exp();
            y * mu.ln() - mu - ln_factorial(*y as u64)
        })
        .sum();
    // Rcapture: the unseen cell's Poisson variance, and β₀'s through the delta method.
    let var = unseen + unseen * unseen * covariance[0][0];
    let se = var.sqrt();
    let c = (1.96 * (1.0 + var / (unseen * unseen)).ln().sqrt()).exp();
    Some(Fit {
        pairs: pairs.to_vec(),
        unseen,
        total: observed + unseen,
        se,
        lower: observed + unseen / c,
        upper: observed + unseen * c,
        deviance,
        df,
        aic: -2.0 * loglik + 2.0 * p as f64,
        bic: -2.0 * loglik + p as f64 * (cells.len() as f64).ln(),
    })
}

/// The Poisson deviance of the cells at `beta`.
fn dev(cells: &[(Vec<f64>, f64)], beta: &[f64]) -> f64 {
    cells
        .iter()
        .map(|(x, y)| {
            let mu = x.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp();
            let term = if *y > 0.0 { y * (y / mu).ln() } else { 0.0 };
            2.0 * (term - (y - mu))
        })
        .sum()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; none when singular.
fn solve(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(row, v)| {
            let mut r = row.clone();
            r.push(*v);
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        for r in 0..n {
            if r != col {
                let f = m[r][col] / m[col][col];
                if f != 0.0 {
                    for c in col..=n {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
    }
    Some((0..n).map(|i| m[i][n] / m[i][i]).collect())
}

/// The inverse of `a`, column by column.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut columns = Vec::with_capacity(n);
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = 1.0;
        columns.push(solve(a, &e)?);
    }
    Some(
        (0..n)
            .map(|r| (0..n).map(|c| columns[c][r]).collect())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOSOVO: &str = include_str!("../tests/kosovo.csv");

    /// The independence model on the four Kosovo lists is Rcapture's Mt: 7,394.59.
    #[test]
    fn independence_on_kosovo_is_what_rcapture_gives() {
        let t = Table::from_csv(KOSOVO.as_bytes()).unwrap();
        let f = independence(&t).unwrap();
        assert!((f.total - 7394.59).abs() < 0.05, "{f:?}");
        assert!(f.se > 100.0 && f.se < 160.0, "about 130: {f:?}");
        assert!(f.lower < f.total && f.total < f.upper && f.lower > 4400.0);
        assert_eq!(f.df, 15 - 5);
    }

    /// On lists drawn independently the model finds the population it was drawn from.
    #[test]
    fn independent_lists_give_back_their_population() {
        // 10,000 people, three lists catching each with 0.3, 0.4 and 0.5: the expected table.
        let p = [0.3, 0.4, 0.5];
        let mut t = Table::new(vec!["a".into(), "b".into(), "c".into()]).unwrap();
        for pattern in 1..8usize {
            let pr: f64 = (0..3)
                .map(|j| {
                    if pattern & (1 << j) != 0 {
                        p[j]
                    } else {
                        1.0 - p[j]
                    }
                })
                .product();
            t.add(pattern, (10_000.0 * pr).round() as u64);
        }
        let f = independence(&t).unwrap();
        assert!((f.total - 10_000.0).abs() < 20.0, "{f:?}");
        let chosen = best(&t, Criterion::Bic).unwrap();
        assert!(
            chosen.pairs.is_empty(),
            "BIC keeps independence: {chosen:?}"
        );
    }
}
