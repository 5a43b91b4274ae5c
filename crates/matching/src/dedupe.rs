//! Deduplicating reports: candidate pairs from several blocking keys, Fellegi–Sunter weights
//! whose parameters are learned from the data by expectation–maximisation (not hand-tuned), and
//! clusters: pairs sure enough are merged, pairs in between are kept for a person to review.

use std::collections::HashMap;

use crate::phonetic::key;
use crate::report::{Report, cedula_similarity};

/// The fields compared, each at a level: 0 unknown on one side, 1 disagrees, higher agrees more.
const FIELDS: usize = 5;
const LEVELS: usize = 5;

/// Random pairs drawn to learn how often fields agree by chance.
const RANDOM_PAIRS: usize = 50_000;

/// Blocks larger than this are too common to pair within (the hundreds of José González); the
/// other keys still find their pairs.
const BLOCK_LIMIT: usize = 500;

fn first(v: &[String]) -> Option<&str> {
    v.first().map(String::as_str)
}

fn close(a: &str, b: &str) -> bool {
    strsim::jaro_winkler(a, b) >= 0.9
}

/// The comparison of two reports, field by field.
fn compare(a: &Report, b: &Report) -> [u8; FIELDS] {
    let cedula = match (&a.cedula, &b.cedula) {
        (Some(x), Some(y)) => match cedula_similarity(x, y) {
            s if s >= 1.0 => 3,
            s if s > 0.0 => 2,
            _ => 1,
        },
        _ => 0,
    };
    let surname = match (first(&a.name.surnames), first(&b.name.surnames)) {
        (Some(x), Some(y)) => {
            let swapped = a.name.surnames.len() > 1
                && b.name.surnames.len() > 1
                && a.name.surnames.first() == b.name.surnames.get(1)
                && a.name.surnames.get(1) == b.name.surnames.first();
            if x == y || swapped {
                4
            } else if key(x) == key(y) {
                3
            } else if close(x, y) {
                2
            } else {
                1
            }
        }
        _ => 0,
    };
    let given = match (first(&a.name.given), first(&b.name.given)) {
        (Some(x), Some(y)) if x == y => 4,
        (Some(x), Some(y)) if key(x) == key(y) => 3,
        (Some(x), Some(y)) if close(x, y) => 2,
        (Some(x), None) if b.name.initials.first() == x.chars().next().as_ref() => 2,
        (None, Some(y)) if a.name.initials.first() == y.chars().next().as_ref() => 2,
        (Some(_), Some(_)) => 1,
        _ => 0,
    };
    let birth = match (&a.birth, &b.birth) {
        (Some(x), Some(y)) if x == y => 4,
        (Some(x), Some(y))
            if x.is_exact() && y.is_exact() && {
                let (p, q) = (x.first_day(), y.first_day());
                p.year() == q.year()
                    && p.month() as i16 == q.day() as i16
                    && p.day() as i16 == q.month() as i16
            } =>
        {
            3
        }
        (Some(x), Some(y)) if x.first_day().year() == y.first_day().year() => 2,
        (Some(_), Some(_)) => 1,
        _ => 0,
    };
    let sex = match (a.sex, b.sex) {
        (Some(x), Some(y)) if x == y => 2,
        (Some(_), Some(_)) => 1,
        _ => 0,
    };
    [cedula, surname, given, birth, sex]
}

/// The blocking keys of a report: two reports sharing any key become a candidate pair.
fn blocking_keys(r: &Report) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(c) = &r.cedula {
        keys.push(format!("c:{}", c.number));
    }
    let surname = first(&r.name.surnames).map(key);
    let given = first(&r.name.given).map(key);
    let birth = r.birth.map(|b| b.to_string());
    if let (Some(s), Some(g)) = (&surname, &given) {
        keys.push(format!("n:{s}:{g}"));
    }
    if let (Some(s), Some(b)) = (&surname, &birth) {
        keys.push(format!("b:{s}:{b}"));
    }
    if let (Some(g), Some(b)) = (&given, &birth) {
        keys.push(format!("g:{g}:{b}"));
    }
    keys
}

/// A key on several fields (cédula; surname and given name; either with the birth date): the
/// pairs it finds are mostly matches, and the model learns from them.
fn strict(key: &str) -> bool {
    matches!(key.get(..2), Some("c:" | "n:" | "b:" | "g:"))
}

/// The candidate pairs (indexes into `reports`, smaller first), each marked when a strict key
/// found it.
pub fn candidates(reports: &[Report]) -> Vec<(usize, usize, bool)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in reports.iter().enumerate() {
        for k in blocking_keys(r) {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut pairs: HashMap<(usize, usize), bool> = HashMap::new();
    for (key, members) in blocks
        .iter()
        .filter(|(_, m)| m.len() > 1 && m.len() <= BLOCK_LIMIT)
    {
        for (n, &i) in members.iter().enumerate() {
            for &j in members.iter().skip(n + 1) {
                let by_strict = pairs.entry((i.min(j), i.max(j))).or_insert(false);
                *by_strict |= strict(key);
            }
        }
    }
    let mut out: Vec<(usize, usize, bool)> =
        pairs.into_iter().map(|((i, j), s)| (i, j, s)).collect();
    out.sort_unstable();
    out
}

/// How often each level of field `f` happens among weighted comparisons (unknown left out;
/// every level starts at a small count, so none has probability zero).
fn frequencies<'a>(
    weighted: impl Iterator<Item = (&'a [u8; FIELDS], f64)>,
    f: usize,
) -> [f64; LEVELS] {
    let mut counts = [1e-3f64; LEVELS];
    for (v, w) in weighted {
        if let Some(c) = v
            .get(f)
            .filter(|l| **l > 0)
            .and_then(|l| counts.get_mut(*l as usize))
        {
            *c += w;
        }
    }
    let total: f64 = counts.iter().skip(1).sum();
    let mut out = [0.0; LEVELS];
    for (o, c) in out.iter_mut().zip(counts).skip(1) {
        *o = c / total;
    }
    out
}

/// Fellegi–Sunter parameters: the probability of each level among matches (`m`) and among
/// non-matches (`u`), and the share of matches among the candidate pairs.
#[derive(Clone, Debug)]
pub struct Model {
    m: [[f64; LEVELS]; FIELDS],
    u: [[f64; LEVELS]; FIELDS],
    prior: f64,
}

impl Model {
    /// Learns the parameters: `u` from random pairs (almost all non-matches, as in Splink),
    /// then `m` and the share of matches from the candidate pairs by expectation–maximisation.
    pub fn learn(vectors: &[[u8; FIELDS]], random: &[[u8; FIELDS]]) -> Model {
        let mut model = Model {
            m: [[0.0; LEVELS]; FIELDS],
            u: [[0.0; LEVELS]; FIELDS],
            prior: 0.1,
        };
        for f in 0..FIELDS {
            // u: how often each level happens between two reports taken at random.
            if let Some(u) = model.u.get_mut(f) {
                *u = frequencies(random.iter().map(|v| (v, 1.0)), f);
            }
            // m starts with matches at the field's top level; EM moves it from there.
            let top = match f {
                0 => 3,
                4 => 2,
                _ => LEVELS - 1,
            };
            if let Some(m) = model.m.get_mut(f) {
                for (l, x) in m.iter_mut().enumerate().skip(1) {
                    *x = if l == top {
                        0.8
                    } else {
                        0.2 / (LEVELS - 2) as f64
                    };
                }
            }
        }
        for _ in 0..30 {
            let weighted: Vec<(&[u8; FIELDS], f64)> =
                vectors.iter().map(|v| (v, model.probability(v))).collect();
            for f in 0..FIELDS {
                if let Some(m) = model.m.get_mut(f) {
                    *m = frequencies(weighted.iter().copied(), f);
                }
            }
            let sum: f64 = weighted.iter().map(|(_, g)| g).sum();
            model.prior = (sum / vectors.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        }
        model
    }

    /// Re-estimates the share of matches among `vectors` with `m` and `u` fixed: the pairs a
    /// model is applied to are not the ones it learned from.
    pub fn fit_prior(&mut self, vectors: &[[u8; FIELDS]]) {
        for _ in 0..30 {
            let sum: f64 = vectors.iter().map(|v| self.probability(v)).sum();
            self.prior = (sum / vectors.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        }
    }

    /// The match weight of a comparison: log2 of its Bayes factor (unknown fields count 0).
    pub fn weight(&self, v: &[u8; FIELDS]) -> f64 {
        v.iter()
            .enumerate()
            .filter(|(_, l)| **l > 0)
            .map(|(f, l)| {
                let m = self
                    .m
                    .get(f)
                    .and_then(|r| r.get(*l as usize))
                    .copied()
                    .unwrap_or(1.0);
                let u = self
                    .u
                    .get(f)
                    .and_then(|r| r.get(*l as usize))
                    .copied()
                    .unwrap_or(1.0);
                (m / u).log2()
            })
            .sum()
    }

    /// The probability that a pair with this comparison is a match.
    pub fn probability(&self, v: &[u8; FIELDS]) -> f64 {
        let odds = self.prior / (1.0 - self.prior) * self.weight(v).exp2();
        odds / (1.0 + odds)
    }
}

/// A scored candidate pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub left: usize,
    pub right: usize,
    pub probability: f64,
}

/// What deduplication found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Each report's cluster: the index of the first report of its cluster.
    pub clusters: Vec<usize>,
    /// Pairs at or above the review threshold, best first.
    pub pairs: Vec<Pair>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i) {
        if p == i {
            break;
        }
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(x) = parent.get_mut(i) {
            *x = grand;
        }
        i = grand;
    }
    i
}

/// Clusters reports: pairs with probability ≥ `sure` are the same person; pairs ≥ `review`
/// are returned for a person to decide.
pub fn dedupe(reports: &[Report], sure: f64, review: f64) -> Outcome {
    let pairs = candidates(reports);
    let vectors: Vec<[u8; FIELDS]> = pairs
        .iter()
        .map(|&(i, j, _)| match (reports.get(i), reports.get(j)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => [0; FIELDS],
        })
        .collect();
    // Reports taken at random, to learn how often fields agree by chance.
    let n = reports.len();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let random: Vec<[u8; FIELDS]> = (0..RANDOM_PAIRS.min(n * n / 2))
        .filter_map(|_| {
            let (i, j) = (next(), next());
            (i != j).then(|| match (reports.get(i), reports.get(j)) {
                (Some(a), Some(b)) => compare(a, b),
                _ => [0; FIELDS],
            })
        })
        .collect();
    let training: Vec<[u8; FIELDS]> = pairs
        .iter()
        .zip(&vectors)
        .filter(|((_, _, strict), _)| *strict)
        .map(|(_, v)| *v)
        .collect();
    let mut model = Model::learn(&training, &random);
    model.fit_prior(&vectors);
    let mut parent: Vec<usize> = (0..reports.len()).collect();
    let mut scored = Vec::new();
    for (&(i, j, _), v) in pairs.iter().zip(&vectors) {
        let probability = model.probability(v);
        if probability >= sure {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            if let Some(x) = parent.get_mut(a.max(b)) {
                *x = a.min(b);
            }
        }
        if probability >= review {
            scored.push(Pair {
                left: i,
                right: j,
                probability,
            });
        }
    }
    scored.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    let clusters = (0..reports.len()).map(|i| find(&mut parent, i)).collect();
    Outcome {
        clusters,
        pairs: scored,
    }
}
