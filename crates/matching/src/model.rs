//! The Fellegi–Sunter model: for each field and level, how often it happens between two reports
//! of the same person (`m`) and between two reports of different people (`u`), and how likely
//! two reports taken at random are the same person (`lambda`). A pair's match weight is the sum
//! over fields of `log2(m / u)`; its probability follows from the weight and `lambda`.
//!
//! Every parameter is learned from the data being matched, none is tuned by hand:
//! - `u` from comparisons of reports taken at random (almost all of different people);
//! - `m` by expectation–maximisation on the pairs each blocking rule finds, leaving out the
//!   fields that rule blocked on (inside a block those agree by construction, so they say
//!   nothing about `m`), then averaged over the rules;
//! - `lambda` as the fixed point where the expected number of matching pairs among the
//!   candidates, over all possible pairs, gives back `lambda` (the maximum-likelihood `lambda`
//!   for the learned `m` and `u`; pairs outside the candidates count as non-matches). Blocking
//!   selects pairs by their own values, so a candidate's probability with the global `lambda`
//!   and all its fields is still right.
//!
//! Where two reports agree exactly on a name, `u` is replaced by the share of reports with that
//! name (term frequency): agreeing on a rare surname weighs more than agreeing on `González`.

use crate::compare::{Comparison, FIELDS, LEVELS};

/// The probabilities of each level of each field.
type Table = [[f64; LEVELS]; FIELDS];

/// Expectation–maximisation rounds per blocking rule.
const ROUNDS: usize = 25;

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub m: Table,
    pub u: Table,
    pub lambda: f64,
}

/// What is assumed before any data, in the order of `compare::FIELD_NAMES`: how often each
/// level happens between two reports of the same person...
const PRIOR_M: Table = [
    [0.0, 0.02, 0.05, 0.93, 0.0, 0.0],
    [0.0, 0.03, 0.04, 0.08, 0.15, 0.70],
    [0.0, 0.05, 0.08, 0.07, 0.10, 0.70],
    [0.0, 0.05, 0.10, 0.08, 0.02, 0.75],
    [0.0, 0.02, 0.98, 0.0, 0.0, 0.0],
    [0.0, 0.20, 0.80, 0.0, 0.0, 0.0],
    [0.0, 0.30, 0.20, 0.10, 0.40, 0.0],
    [0.0, 0.30, 0.70, 0.0, 0.0, 0.0],
];
/// ...and between two reports of different people.
const PRIOR_U: Table = [
    [0.0, 0.9999, 0.00009, 0.00001, 0.0, 0.0],
    [0.0, 0.97, 0.01, 0.01, 0.005, 0.005],
    [0.0, 0.93, 0.02, 0.02, 0.01, 0.02],
    [0.0, 0.9775, 0.02, 0.0019, 0.00005, 0.00005],
    [0.0, 0.5, 0.5, 0.0, 0.0, 0.0],
    [0.0, 0.9, 0.1, 0.0, 0.0, 0.0],
    [0.0, 0.9, 0.05, 0.03, 0.02, 0.0],
    [0.0, 0.9, 0.1, 0.0, 0.0, 0.0],
];
/// How many pairs the assumptions count for: a handful of reports cannot learn a model, a
/// thousand can.
const PRIOR_M_PAIRS: f64 = 20.0;
const PRIOR_U_PAIRS: f64 = 1_000.0;

/// How often each level of each field happens among weighted comparisons, starting from `prior`
/// counted as `pairs` comparisons; unknown (level 0) is left out.
fn frequencies<'a>(
    weighted: impl Iterator<Item = (&'a [u8; FIELDS], f64)>,
    prior: &Table,
    pairs: f64,
) -> Table {
    let mut counts = *prior;
    for row in counts.iter_mut() {
        for c in row.iter_mut() {
            *c = *c * pairs + 1e-6;
        }
    }
    for (v, w) in weighted {
        for (row, &l) in counts.iter_mut().zip(v) {
            if l > 0
                && let Some(c) = row.get_mut(usize::from(l))
            {
                *c += w;
            }
        }
    }
    let mut out = [[0.0; LEVELS]; FIELDS];
    for (o, row) in out.iter_mut().zip(counts) {
        let total: f64 = row.iter().skip(1).sum();
        for (x, c) in o.iter_mut().zip(row).skip(1) {
            *x = c / total;
        }
    }
    out
}

/// The probability of level `l` of field `f` in a table.
fn at(t: &Table, f: usize, l: u8) -> f64 {
    t.get(f)
        .and_then(|r| r.get(usize::from(l)))
        .copied()
        .unwrap_or(1.0)
}

/// What one blocking rule gives the model to learn from.
#[derive(Clone, Debug)]
pub struct Training<'a> {
    /// The fields the rule blocks on.
    pub fixed: &'a [usize],
    /// The comparisons of those pairs (all of them, or a sample taken evenly).
    pub vectors: Vec<[u8; FIELDS]>,
}

impl Model {
    /// Learns `m` and `u`. `random` are comparisons of reports taken at random; `rules` what the
    /// training rules found. `lambda` is found afterwards, from every candidate's weight
    /// ([`Model::fixed_point_lambda`]).
    pub fn learn(random: &[Comparison], rules: &[Training]) -> Model {
        let u = frequencies(
            random.iter().map(|c| (&c.levels, 1.0)),
            &PRIOR_U,
            PRIOR_U_PAIRS,
        );
        // m starts from the prior; EM moves it from there.
        let start = frequencies(std::iter::empty(), &PRIOR_M, PRIOR_M_PAIRS);
        let mut sum = [[0.0; LEVELS]; FIELDS];
        let mut estimates = [0u32; FIELDS];
        for rule in rules.iter().filter(|r| !r.vectors.is_empty()) {
            let m = em(&start, &u, rule.fixed, &rule.vectors);
            for f in (0..FIELDS).filter(|f| !rule.fixed.contains(f)) {
                if let (Some(s), Some(row), Some(n)) =
                    (sum.get_mut(f), m.get(f), estimates.get_mut(f))
                {
                    for (a, b) in s.iter_mut().zip(row) {
                        *a += b;
                    }
                    *n += 1;
                }
            }
        }
        let mut m = start;
        for ((row, s), n) in m.iter_mut().zip(sum).zip(estimates) {
            if n > 0 {
                for (x, y) in row.iter_mut().zip(s) {
                    *x = y / f64::from(n);
                }
            }
        }
        Model { m, u, lambda: 1e-6 }
    }

    /// The fixed point where the expected number of matching pairs among the candidates, over
    /// all pairs, gives back `lambda`.
    /// `weights` are the candidates' match weights.
    pub fn fixed_point_lambda(&self, weights: &[f32], total_pairs: f64) -> f64 {
        let weights: Vec<f64> = weights.iter().map(|w| f64::from(*w).exp2()).collect();
        let mut lambda = self.lambda;
        for _ in 0..500 {
            let odds = lambda / (1.0 - lambda);
            let expected: f64 = weights.iter().map(|b| odds * b / (1.0 + odds * b)).sum();
            let next = (expected / total_pairs).clamp(1e-12, 0.5);
            let done = (next - lambda).abs() <= lambda * 1e-6;
            lambda = next;
            if done {
                break;
            }
        }
        lambda
    }

    /// The weight of one field's level in a comparison (term frequency applied).
    pub fn field_weight(&self, c: &Comparison, f: usize) -> f64 {
        let l = c.levels.get(f).copied().unwrap_or(0);
        if l == 0 {
            return 0.0;
        }
        // Where the name's share applies, it replaces u.
        let share = f64::from(c.shares.get(f).copied().unwrap_or(0.0));
        let u = if share > 0.0 {
            share
        } else {
            at(&self.u, f, l)
        };
        (at(&self.m, f, l) / u).log2()
    }

    /// The match weight of a comparison (log2 of its Bayes factor: the sum of
    /// [`Model::field_weight`] over the fields), as a function made once for many comparisons:
    /// `log2 m` and `log2 (m / u)` of each level are taken once, not a logarithm per field per
    /// pair.
    pub fn weigher(&self) -> impl Fn(&Comparison) -> f64 + Sync + '_ {
        let mut log_m = [[0.0; LEVELS]; FIELDS];
        let mut log_mu = [[0.0; LEVELS]; FIELDS];
        for f in 0..FIELDS {
            for l in 1..LEVELS {
                let (m, u) = (at(&self.m, f, l as u8), at(&self.u, f, l as u8));
                if let (Some(a), Some(b)) = (
                    log_m.get_mut(f).and_then(|r| r.get_mut(l)),
                    log_mu.get_mut(f).and_then(|r| r.get_mut(l)),
                ) {
                    *a = m.log2();
                    *b = (m / u).log2();
                }
            }
        }
        move |c: &Comparison| {
            let mut w = 0.0;
            for (f, (&l, &share)) in c.levels.iter().zip(&c.shares).enumerate() {
                let at = |t: &Table| t.get(f).and_then(|r| r.get(usize::from(l))).copied();
                w += match (l, share > 0.0) {
                    (0, _) => 0.0,
                    (_, true) => at(&log_m).unwrap_or(0.0) - f64::from(share).log2(),
                    (_, false) => at(&log_mu).unwrap_or(0.0),
                };
            }
            w
        }
    }

    /// The probability of a match with this match weight.
    pub fn probability_of_weight(&self, weight: f64) -> f64 {
        let odds = self.lambda / (1.0 - self.lambda) * weight.exp2();
        if odds.is_infinite() {
            return 1.0;
        }
        odds / (1.0 + odds)
    }
}

/// The shares of matches EM starts from: EM finds a local optimum, and among a rule's pairs
/// matches can be most of them (cédula) or a few in a thousand (surname and year), so it starts
/// from several and keeps the most likely.
const STARTS: [f64; 3] = [0.5, 0.05, 0.005];

/// Expectation–maximisation on the pairs of one blocking rule: `u` fixed, the fields in `fixed`
/// left out; returns `m`.
fn em(start: &Table, u: &Table, fixed: &[usize], vectors: &[[u8; FIELDS]]) -> Table {
    // Pairs with the same levels get the same posterior: EM runs on each distinct vector once,
    // counted as many times as it happens (a few thousand instead of hundreds of thousands).
    let mut sorted = vectors.to_vec();
    sorted.sort_unstable();
    let counted: Vec<([u8; FIELDS], f64)> = sorted
        .chunk_by(|a, b| a == b)
        .filter_map(|same| Some((*same.first()?, same.len() as f64)))
        .collect();
    STARTS
        .iter()
        .map(|&share| em_from(start, share, u, fixed, &counted))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(*start, |(m, _)| m)
}

/// One EM run from a starting share of matches, on distinct vectors and how many pairs have
/// each; returns `m` and the log-likelihood.
fn em_from(
    start: &Table,
    mut share: f64,
    u: &Table,
    fixed: &[usize],
    counted: &[([u8; FIELDS], f64)],
) -> (Table, f64) {
    let mut m = *start;
    let probabilities = |m: &Table, v: &[u8; FIELDS]| -> (f64, f64) {
        let mut pm = 1.0;
        let mut pu = 1.0;
        for (f, &l) in v.iter().enumerate() {
            if l > 0 && !fixed.contains(&f) {
                pm *= at(m, f, l);
                pu *= at(u, f, l);
            }
        }
        (pm, pu)
    };
    let pairs: f64 = counted.iter().map(|(_, n)| n).sum::<f64>().max(1.0);
    for _ in 0..ROUNDS {
        let posterior: Vec<f64> = counted
            .iter()
            .map(|(v, _)| {
                let (pm, pu) = probabilities(&m, v);
                let (a, b) = (share * pm, (1.0 - share) * pu);
                if a + b > 0.0 { a / (a + b) } else { 0.0 }
            })
            .collect();
        m = frequencies(
            counted.iter().zip(&posterior).map(|((v, n), p)| (v, n * p)),
            &PRIOR_M,
            PRIOR_M_PAIRS,
        );
        let matches: f64 = counted
            .iter()
            .zip(&posterior)
            .map(|((_, n), p)| n * p)
            .sum();
        share = (matches / pairs).clamp(1e-6, 1.0 - 1e-6);
    }
    let likelihood = counted
        .iter()
        .map(|(v, n)| {
            let (pm, pu) = probabilities(&m, v);
            n * (share * pm + (1.0 - share) * pu)
                .max(f64::MIN_POSITIVE)
                .ln()
        })
        .sum();
    (m, likelihood)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weigher made once for many pairs and the weight field by field (the evidence shown
    /// to a reviewer) say the same, with and without a name's share.
    #[test]
    fn the_weigher_adds_up_the_fields_weights() {
        let model = Model::learn(&[], &[]);
        let weight = model.weigher();
        for levels in [
            [3, 5, 4, 2, 1, 2, 3, 1],
            [1, 1, 1, 1, 0, 0, 0, 0],
            [0, 4, 2, 5, 2, 1, 4, 2],
        ] {
            for shares in [[0.0; FIELDS], [0.0, 0.003, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0]] {
                let c = Comparison { levels, shares };
                let fields: f64 = (0..FIELDS).map(|f| model.field_weight(&c, f)).sum();
                assert!((weight(&c) - fields).abs() < 1e-9, "{levels:?} {shares:?}");
            }
        }
    }
}
