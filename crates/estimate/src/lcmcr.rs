//! The Bayesian non-parametric latent-class model of Manrique-Vallier (2016, *Biometrics* 72(4),
//! "Bayesian population size estimation using Dirichlet process mixtures"; the R package
//! LCMCR), written here.
//!
//! People differ in how likely each list is to document them; the model lets them fall into
//! latent classes, each with its own chance `λⱼₖ` of being on list `j`, and the classes'
//! weights `π` come from a stick-breaking process truncated at `K` classes (`Vₖ ~ Beta(1, α)`,
//! `α ~ Gamma(a, b)`). The people on no list are `n₀` more members of the classes with the
//! pattern "on none"; with the prior `p(N) ∝ 1/N`, `n₀` given the rest is negative binomial.
//!
//! One sweep of the Gibbs sampler, on the table's counts (not person by person):
//! 1. the people of each observed pattern are shared among the classes, multinomially, in
//!    proportion to `πₖ Πⱼ λⱼₖ^xⱼ (1 − λⱼₖ)^(1−xⱼ)`;
//! 2. `n₀ ~ NegBin(n, 1 − p₀)` with `p₀ = Σₖ πₖ Πⱼ (1 − λⱼₖ)`, drawn as a Poisson of a Gamma;
//! 3. the `n₀` are shared among the classes in proportion to `πₖ Πⱼ (1 − λⱼₖ)`;
//! 4. `λⱼₖ ~ Beta(1 + on list j, 1 + not on it)` among class `k`'s members;
//! 5. `Vₖ ~ Beta(1 + mₖ, α + Σₗ₌ₖ₊₁ mₗ)`, `V_K = 1`, and the weights from the sticks;
//! 6. `α ~ Gamma(a + K − 1, b − Σₖ ln(1 − Vₖ))`.
//!
//! Each chain has its own seed (the run's seed and the chain's number), so a run is
//! reproducible; chains run in parallel and are pooled, and the Gelman–Rubin R-hat and the
//! effective sample size of `N` say whether they agree.

// The sampler's arrays are sized by the lists and classes it was built with.
#![allow(clippy::indexing_slicing, clippy::needless_range_loop)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Binomial, Distribution, Gamma, Poisson};
use serde::Serialize;

use crate::table::Table;

/// How the sampler runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Settings {
    /// Latent classes (the truncation of the Dirichlet process).
    pub classes: usize,
    /// The Gamma prior of the concentration `α`: shape and rate.
    pub a: f64,
    pub b: f64,
    pub chains: usize,
    /// Sweeps discarded at the start of each chain.
    pub burn_in: usize,
    /// One sweep kept in `thin`.
    pub thin: usize,
    /// Draws kept per chain.
    pub draws: usize,
    pub seed: u64,
}

impl Default for Settings {
    /// LCMCR's defaults (K = 10, a = b = 0.25), four chains of 10,000 draws kept one in ten
    /// after 10,000 sweeps.
    fn default() -> Settings {
        Settings {
            classes: 10,
            a: 0.25,
            b: 0.25,
            chains: 4,
            burn_in: 10_000,
            thin: 10,
            draws: 10_000,
            seed: 1,
        }
    }
}

/// The posterior of the total, pooled over the chains.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Posterior {
    pub median: f64,
    pub mean: f64,
    /// The 95% interval: the 2.5% and 97.5% quantiles.
    pub lower: f64,
    pub upper: f64,
    /// Gelman–Rubin's potential scale reduction (split chains): near 1 when the chains agree.
    pub r_hat: f64,
    /// Effective sample size of the pooled draws.
    pub ess: f64,
    /// Each chain's median, to see them side by side.
    pub chain_medians: Vec<f64>,
    pub settings: Settings,
}

/// Runs the sampler on `t`; the draws of the total, chain by chain.
pub fn sample(t: &Table, s: &Settings) -> Vec<Vec<f64>> {
    let chains: Vec<u64> = (0..s.chains as u64).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chains
            .iter()
            .map(|&c| scope.spawn(move || Chain::new(t, s, c).run(s)))
            .collect();
        // A chain that failed leaves no draws: its median is then not a number, and the
        // estimate is refused.
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Runs the sampler and summarises the posterior of the total.
pub fn estimate(t: &Table, s: &Settings) -> Posterior {
    let draws = sample(t, s);
    summarise(&draws, s)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    sorted[lo] * (1.0 - w) + sorted[hi] * w
}

fn median_of(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    quantile(&s, 0.5)
}

/// The pooled summary, R-hat and ESS of the chains' draws.
pub fn summarise(draws: &[Vec<f64>], s: &Settings) -> Posterior {
    let mut all: Vec<f64> = draws.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let mean = all.iter().sum::<f64>() / all.len().max(1) as f64;
    Posterior {
        median: quantile(&all, 0.5),
        mean,
        lower: quantile(&all, 0.025),
        upper: quantile(&all, 0.975),
        r_hat: r_hat(draws),
        ess: ess(draws),
        chain_medians: draws.iter().map(|c| median_of(c)).collect(),
        settings: *s,
    }
}

/// Split-chain R-hat (Gelman et al., *Bayesian Data Analysis*, 3rd ed., 11.4).
pub fn r_hat(draws: &[Vec<f64>]) -> f64 {
    let halves: Vec<&[f64]> = draws
        .iter()
        .flat_map(|c| {
            let (a, b) = c.split_at(c.len() / 2);
            [a, b]
        })
        .filter(|h| h.len() > 1)
        .collect();
    let n = halves.iter().map(|h| h.len()).min().unwrap_or(0) as f64;
    let m = halves.len() as f64;
    if m < 2.0 || n < 2.0 {
        return f64::NAN;
    }
    let means: Vec<f64> = halves
        .iter()
        .map(|h| h.iter().sum::<f64>() / h.len() as f64)
        .collect();
    let grand = means.iter().sum::<f64>() / m;
    let between = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let within = halves
        .iter()
        .zip(&means)
        .map(|(h, mu)| h.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (h.len() as f64 - 1.0))
        .sum::<f64>()
        / m;
    if within == 0.0 {
        return 1.0;
    }
    (((n - 1.0) / n * within + between / n) / within).sqrt()
}

/// Effective sample size: the draws over one plus twice the sum of the autocorrelations,
/// averaged over the chains, summed while consecutive pairs stay positive (Geyer 1992).
pub fn ess(draws: &[Vec<f64>]) -> f64 {
    let n = draws.iter().map(Vec::len).min().unwrap_or(0);
    if n < 4 {
        return 0.0;
    }
    let chains: Vec<&[f64]> = draws.iter().map(|c| &c[..n]).collect();
    let acf = |lag: usize| -> f64 {
        chains
            .iter()
            .map(|c| {
                let mu = c.iter().sum::<f64>() / n as f64;
                let var = c.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / n as f64;
                if var == 0.0 {
                    return 0.0;
                }
                (0..n - lag)
                    .map(|i| (c[i] - mu) * (c[i + lag] - mu))
                    .sum::<f64>()
                    / n as f64
                    / var
            })
            .sum::<f64>()
            / chains.len() as f64
    };
    let mut sum = 0.0;
    let mut lag = 1;
    while lag + 1 < n {
        let pair = acf(lag) + acf(lag + 1);
        if pair <= 0.0 {
            break;
        }
        sum += pair;
        lag += 2;
    }
    (chains.len() * n) as f64 / (1.0 + 2.0 * sum)
}

/// One chain's state.
struct Chain {
    rng: ChaCha8Rng,
    k: usize,
    j: usize,
    /// `λ[k][j]`.
    lambda: Vec<Vec<f64>>,
    pi: Vec<f64>,
    alpha: f64,
    n0: u64,
    /// Members of each class (observed and unseen), and of each on each list.
    members: Vec<u64>,
    on_list: Vec<Vec<u64>>,
    /// The observed patterns with their counts.
    cells: Vec<(usize, u64)>,
    observed: u64,
    a: f64,
    b: f64,
}

impl Chain {
    fn new(t: &Table, s: &Settings, chain: u64) -> Chain {
        let mut rng = ChaCha8Rng::seed_from_u64(s.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ chain);
        let (k, j) = (s.classes.max(1), t.width());
        let lambda = (0..k)
            .map(|_| (0..j).map(|_| rng.random_range(0.1..0.9)).collect())
            .collect();
        Chain {
            k,
            j,
            lambda,
            pi: vec![1.0 / k as f64; k],
            alpha: 1.0,
            n0: t.observed(),
            members: vec![0; k],
            on_list: vec![vec![0; j]; k],
            cells: t.cells().filter(|(_, n)| *n > 0).collect(),
            observed: t.observed(),
            a: s.a,
            b: s.b,
            rng,
        }
    }

    fn run(mut self, s: &Settings) -> Vec<f64> {
        for _ in 0..s.burn_in {
            self.sweep();
        }
        let mut out = Vec::with_capacity(s.draws);
        for _ in 0..s.draws {
            for _ in 0..s.thin.max(1) {
                self.sweep();
            }
            out.push((self.observed + self.n0) as f64);
        }
        out
    }

    /// `πₖ Πⱼ P(xⱼ | class k)` for `pattern`, for each class.
    fn weights(&self, pattern: usize, w: &mut [f64]) {
        for (k, wk) in w.iter_mut().enumerate() {
            let mut p = self.pi[k];
            for j in 0..self.j {
                let l = self.lambda[k][j];
                p *= if pattern & (1 << j) != 0 { l } else { 1.0 - l };
            }
            *wk = p;
        }
    }

    /// Shares `n` people among the classes in proportion to `w`; adds them to the classes'
    /// tallies with `pattern`.
    fn share(&mut self, n: u64, w: &[f64], pattern: usize) {
        let mut left = n;
        let mut mass: f64 = w.iter().sum();
        for k in 0..self.k {
            if left == 0 {
                break;
            }
            let taken = if k + 1 == self.k || mass <= 0.0 {
                left
            } else {
                let p = (w[k] / mass).clamp(0.0, 1.0);
                Binomial::new(left, p).map_or(0, |d| d.sample(&mut self.rng))
            };
            mass -= w[k];
            left -= taken;
            self.members[k] += taken;
            for j in 0..self.j {
                if pattern & (1 << j) != 0 {
                    self.on_list[k][j] += taken;
                }
            }
        }
    }

    fn sweep(&mut self) {
        self.members.iter_mut().for_each(|m| *m = 0);
        self.on_list.iter_mut().flatten().for_each(|m| *m = 0);
        let mut w = vec![0.0; self.k];
        // 1. the observed among the classes.
        for c in 0..self.cells.len() {
            let (pattern, n) = self.cells[c];
            self.weights(pattern, &mut w);
            self.share(n, &w, pattern);
        }
        // 2. the unseen: n₀ ~ NegBin(n, 1 − p₀), as Poisson(Gamma(n, p₀ / (1 − p₀))).
        self.weights(0, &mut w);
        let p0: f64 = w.iter().sum::<f64>().clamp(1e-12, 1.0 - 1e-12);
        let scale = p0 / (1.0 - p0);
        let rate = Gamma::new(self.observed as f64, scale).map_or(0.0, |g| g.sample(&mut self.rng));
        self.n0 = if rate > 0.0 {
            Poisson::new(rate).map_or(0, |p| p.sample(&mut self.rng) as u64)
        } else {
            0
        };
        // 3. the unseen among the classes.
        let n0 = self.n0;
        self.share(n0, &w, 0);
        // 4. each class's chance of being on each list.
        for k in 0..self.k {
            for j in 0..self.j {
                let on = self.on_list[k][j] as f64;
                let off = (self.members[k] - self.on_list[k][j]) as f64;
                self.lambda[k][j] = Beta::new(1.0 + on, 1.0 + off)
                    .map_or(0.5, |d| d.sample(&mut self.rng))
                    .clamp(1e-12, 1.0 - 1e-12);
            }
        }
        // 5. the sticks and the weights.
        let mut after: u64 = self.members.iter().sum();
        let mut rest = 1.0;
        let mut log_rest = 0.0;
        for k in 0..self.k {
            after -= self.members[k];
            let v = if k + 1 == self.k {
                1.0
            } else {
                Beta::new(1.0 + self.members[k] as f64, self.alpha + after as f64)
                    .map_or(0.5, |d| d.sample(&mut self.rng))
                    .clamp(1e-12, 1.0 - 1e-12)
            };
            self.pi[k] = rest * v;
            rest *= 1.0 - v;
            if k + 1 < self.k {
                log_rest += (1.0 - v).ln();
            }
        }
        // 6. the concentration.
        let shape = self.a + self.k as f64 - 1.0;
        let rate = self.b - log_rest;
        self.alpha = Gamma::new(shape, 1.0 / rate)
            .map_or(1.0, |g| g.sample(&mut self.rng))
            .max(1e-6);
    }
}
