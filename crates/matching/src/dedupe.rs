//! Deduplicating reports: candidate pairs from several blocking rules (so that recall does not
//! hang on one field), a Fellegi–Sunter model learned from the same reports (`model`), and
//! clusters: pairs sure enough are merged, pairs in between are kept for a person to review.

use crate::compare::{
    ARREST, BIRTH, CEDULA, Comparison, FIELDS, Features, Frequencies, GIVEN, STATE, SURNAMES,
    compare, prepare,
};
use crate::model::{Model, Training};
use crate::report::Report;

/// Random pairs compared to learn how often fields agree by chance.
const RANDOM_PAIRS: usize = 200_000;

/// Pairs per rule the model learns `m` from (taken evenly from all the rule's pairs).
const TRAINING_PAIRS: usize = 200_000;

/// Blocks larger than this are too common to pair within (the hundreds of José González); the
/// other rules still find their pairs.
pub const BLOCK_LIMIT: usize = 500;

/// A blocking rule: reports with the same key are compared. `fields` are the fields the key is
/// made of, which the model leaves out when it learns from the rule's pairs.
#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub fields: &'static [usize],
    /// Whether the model learns from the rule's pairs: rules on one field alone find many
    /// pairs of different people (all the Pérez), which mislead EM; they are there for recall.
    pub train: bool,
    key: fn(&Features) -> Option<u64>,
}

/// A 64-bit FNV-1a hash of a rule's parts.
fn hash<'a>(rule: u8, parts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(rule);
    h = h.wrapping_mul(0x0100_0000_01b3);
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn first(v: &[String]) -> Option<&str> {
    v.first().map(String::as_str)
}

fn date(d: Option<vigilia_core::date::PartialDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The blocking rules, each a different way two reports of one person can be found together.
pub const RULES: &[Rule] = &[
    Rule {
        name: "cedula",
        train: true,
        fields: &[CEDULA],
        key: |f| {
            f.report
                .cedula
                .map(|c| hash(0, [c.number.to_string().as_str()]))
        },
    },
    Rule {
        name: "surname+given",
        train: true,
        fields: &[SURNAMES, GIVEN],
        key: |f| Some(hash(1, [first(&f.surname_keys)?, first(&f.given_keys)?])),
    },
    Rule {
        name: "surnames",
        train: false,
        fields: &[SURNAMES],
        key: |f| match f.surname_keys.as_slice() {
            [a, b] => Some(hash(2, [a.as_str(), b.as_str()])),
            _ => None,
        },
    },
    Rule {
        name: "surname",
        train: false,
        fields: &[SURNAMES],
        key: |f| Some(hash(7, [first(&f.surname_keys)?])),
    },
    Rule {
        name: "given",
        train: false,
        fields: &[GIVEN],
        key: |f| Some(hash(8, [first(&f.given_keys)?])),
    },
    Rule {
        name: "birth",
        train: false,
        fields: &[BIRTH],
        key: |f| Some(hash(9, [date(f.report.birth)?.as_str()])),
    },
    Rule {
        name: "surname+birth",
        train: true,
        fields: &[SURNAMES, BIRTH],
        key: |f| Some(hash(3, [first(&f.surname_keys)?, &date(f.report.birth)?])),
    },
    Rule {
        name: "given+birth",
        train: true,
        fields: &[GIVEN, BIRTH],
        key: |f| Some(hash(4, [first(&f.given_keys)?, &date(f.report.birth)?])),
    },
    Rule {
        name: "surname+arrest",
        train: true,
        fields: &[SURNAMES, ARREST],
        key: |f| Some(hash(5, [first(&f.surname_keys)?, &date(f.report.arrest)?])),
    },
    Rule {
        name: "given+arrest+state",
        train: true,
        fields: &[GIVEN, ARREST, STATE],
        key: |f| {
            Some(hash(
                6,
                [
                    first(&f.given_keys)?,
                    &date(f.report.arrest)?,
                    f.report.state.as_deref()?,
                ],
            ))
        },
    },
];

/// The keys of one report, one per rule that applies, with the rule's number.
pub fn keys(f: &Features) -> impl Iterator<Item = (usize, u64)> + '_ {
    RULES
        .iter()
        .enumerate()
        .filter_map(|(r, rule)| (rule.key)(f).map(|k| (r, k)))
}

/// A candidate pair (indexes into the reports, smaller first) and the rules that found it (a
/// bit per rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub left: u32,
    pub right: u32,
    pub rules: u16,
}

/// The candidate pairs: every two reports sharing a key, in blocks of at most [`BLOCK_LIMIT`].
pub fn candidates(features: &[Features]) -> Vec<Candidate> {
    let mut entries: Vec<(u64, u8, u32)> = Vec::with_capacity(features.len() * RULES.len());
    for (i, f) in features.iter().enumerate() {
        for (r, k) in keys(f) {
            entries.push((k, r as u8, i as u32));
        }
    }
    entries.sort_unstable();
    let mut pairs: Vec<(u64, u16)> = Vec::new();
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        if block.len() < 2 || block.len() > BLOCK_LIMIT {
            continue;
        }
        let bit = block.first().map_or(0, |(_, r, _)| 1u16 << r);
        for (n, &(_, _, i)) in block.iter().enumerate() {
            for &(_, _, j) in block.iter().skip(n + 1) {
                if i != j {
                    pairs.push(((u64::from(i.min(j)) << 32) | u64::from(i.max(j)), bit));
                }
            }
        }
    }
    pairs.sort_unstable();
    let mut out: Vec<Candidate> = Vec::with_capacity(pairs.len());
    for (code, bit) in pairs {
        let (left, right) = ((code >> 32) as u32, code as u32);
        match out.last_mut() {
            Some(last) if last.left == left && last.right == right => last.rules |= bit,
            _ => out.push(Candidate {
                left,
                right,
                rules: bit,
            }),
        }
    }
    out
}

/// Compares many pairs on all cores.
pub fn compare_all(
    features: &[Features],
    freq: &Frequencies,
    pairs: &[(u32, u32)],
) -> Vec<Comparison> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pairs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(
                            |&(i, j)| match (features.get(i as usize), features.get(j as usize)) {
                                (Some(a), Some(b)) => compare(a, b, freq),
                                _ => Comparison::default(),
                            },
                        )
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Reports taken at random, in pairs, from a fixed seed (the same file gives the same model).
fn random_pairs(n: usize, count: usize) -> Vec<(u32, u32)> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as u32
    };
    (0..count)
        .map(|_| (next(), next()))
        .filter(|(i, j)| i != j)
        .collect()
}

/// Learns the model from the reports and their candidate pairs.
pub fn learn(
    features: &[Features],
    freq: &Frequencies,
    candidates: &[Candidate],
    compared: &[Comparison],
) -> Model {
    let n = features.len();
    let random = compare_all(
        features,
        freq,
        &random_pairs(n, RANDOM_PAIRS.min(n * n.saturating_sub(1) / 2)),
    );
    let rules: Vec<Training> = RULES
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.train)
        .map(|(r, rule)| {
            let found: Vec<[u8; FIELDS]> = candidates
                .iter()
                .zip(compared)
                .filter(|(c, _)| c.rules & (1 << r) != 0)
                .map(|(_, v)| v.levels)
                .collect();
            let step = found.len().div_ceil(TRAINING_PAIRS).max(1);
            Training {
                fixed: rule.fields,
                vectors: found.into_iter().step_by(step).collect(),
            }
        })
        .collect();
    let total = n as f64 * (n as f64 - 1.0) / 2.0;
    Model::learn(&random, &rules, compared, total)
}

/// A scored candidate pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub left: usize,
    pub right: usize,
    pub probability: f64,
    pub comparison: Comparison,
}

/// What deduplication found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Each report's cluster: the index of the first report of its cluster.
    pub clusters: Vec<usize>,
    /// Pairs at or above the review threshold, best first.
    pub pairs: Vec<Pair>,
    /// The model learned, to explain the scores.
    pub model: Model,
    /// How many candidate pairs were compared.
    pub compared: usize,
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
pub fn dedupe(reports: Vec<Report>, sure: f64, review: f64) -> Outcome {
    let (features, freq) = prepare(reports);
    let found = candidates(&features);
    let pairs: Vec<(u32, u32)> = found.iter().map(|c| (c.left, c.right)).collect();
    let compared = compare_all(&features, &freq, &pairs);
    let model = learn(&features, &freq, &found, &compared);
    let mut parent: Vec<usize> = (0..features.len()).collect();
    let mut scored = Vec::new();
    for (&(i, j), c) in pairs.iter().zip(&compared) {
        let (i, j) = (i as usize, j as usize);
        let probability = model.probability(c);
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
                comparison: *c,
            });
        }
    }
    scored.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    let clusters = (0..features.len()).map(|i| find(&mut parent, i)).collect();
    Outcome {
        clusters,
        pairs: scored,
        model,
        compared: pairs.len(),
    }
}
