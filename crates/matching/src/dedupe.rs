//! Deduplicating reports: candidate pairs from several blocking rules (so that recall does not
//! hang on one field), a Fellegi–Sunter model learned from the same reports (`model`), and
//! clusters: pairs sure enough are merged, pairs in between are kept for a person to review.

use crate::compare::{
    ARREST, BIRTH, CEDULA, Comparison, Features, Frequencies, GIVEN, STATE, SURNAMES, Word,
    compare, prepare,
};
use crate::model::{Model, Training};
use crate::report::Report;
use crate::{in_parallel, sort_in_parallel};

/// Random pairs compared to learn how often fields agree by chance.
const RANDOM_PAIRS: usize = 200_000;

/// Pairs per rule the model learns `m` from (taken evenly from all the rule's pairs).
const TRAINING_PAIRS: usize = 200_000;

/// Blocks larger than this are too common to pair within (the hundreds of José González); the
/// other rules still find their pairs.
pub const BLOCK_LIMIT: usize = 500;
/// The block limit of rules on one field alone, and of a surname and a given name: a common
/// pair of them (José González) makes blocks of hundreds of different people, whose pairs
/// would be most of the work and almost none of the matches; the rules that add the state, the
/// arrest's month or the second surname split those blocks.
pub const SMALL_BLOCK_LIMIT: usize = 50;

impl Rule {
    /// The largest block this rule pairs within.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// A blocking rule: reports with the same key are compared. `fields` are the fields the key is
/// made of, which the model leaves out when it learns from the rule's pairs.
#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub fields: &'static [usize],
    /// Whether the model learns from the rule's pairs: rules on one field alone find many
    /// pairs of different people (all the Pérez), which mislead EM; they are there for recall,
    /// and pair only within small blocks (where the value is rare).
    pub train: bool,
    /// The largest block the rule pairs within.
    limit: usize,
    key: fn(&Features) -> Option<u64>,
}

/// A 64-bit FNV-1a hash of a rule's parts.
fn hash<'a>(rule: u8, parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(rule);
    h = h.wrapping_mul(0x0100_0000_01b3);
    for p in parts {
        for &b in p.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A word's number as a key's part.
fn w(n: Word) -> [u8; 4] {
    n.to_le_bytes()
}

/// A date as a key: its first and last days (two dates are the same key when they are the same
/// date, to the day, the month or the year). Written without allocating: keys are made for
/// every report by every rule.
fn date(d: Option<vigilia_core::date::PartialDate>) -> Option<[u8; 8]> {
    let d = d?;
    let (a, b) = (d.first_day(), d.last_day());
    let [y0, y1] = a.year().to_le_bytes();
    let [z0, z1] = b.year().to_le_bytes();
    Some([
        y0,
        y1,
        a.month() as u8,
        a.day() as u8,
        z0,
        z1,
        b.month() as u8,
        b.day() as u8,
    ])
}

/// The month of a date known to the day or the month.
fn month(d: Option<vigilia_core::date::PartialDate>) -> Option<[u8; 3]> {
    let d = d?;
    let (a, b) = (d.first_day(), d.last_day());
    let [y0, y1] = a.year().to_le_bytes();
    (a.month() == b.month() && a.year() == b.year()).then_some([y0, y1, a.month() as u8])
}

/// The blocking rules, each a different way two reports of one person can be found together.
pub const RULES: &[Rule] = &[
    Rule {
        name: "cedula",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[CEDULA],
        key: |f| {
            f.facts
                .cedula
                .map(|c| hash(0, [c.number.to_le_bytes().as_slice()]))
        },
    },
    Rule {
        name: "surname+given",
        train: true,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[SURNAMES, GIVEN],
        key: |f| {
            let (s, g) = (f.words.first_surname_key()?, f.words.first_given_key()?);
            Some(hash(1, [&w(s)[..], &w(g)[..]]))
        },
    },
    Rule {
        name: "surname+given+state",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[SURNAMES, GIVEN, STATE],
        key: |f| {
            let (s, g) = (f.words.first_surname_key()?, f.words.first_given_key()?);
            Some(hash(10, [&w(s)[..], &w(g)[..], &w(f.words.state()?)[..]]))
        },
    },
    Rule {
        name: "surname+given+arrest month",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[SURNAMES, GIVEN, ARREST],
        key: |f| {
            let (s, g) = (f.words.first_surname_key()?, f.words.first_given_key()?);
            Some(hash(
                11,
                [&w(s)[..], &w(g)[..], &month(f.facts.arrest)?[..]],
            ))
        },
    },
    Rule {
        // Known by the mother's surname alone (`Luisa González` for Luisa Pevino González).
        name: "given+last surname",
        train: false,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[GIVEN],
        key: |f| {
            let (g, s) = (f.words.first_given_key()?, f.words.last_surname_key()?);
            Some(hash(12, [&w(g)[..], &w(s)[..]]))
        },
    },
    Rule {
        name: "surnames",
        train: false,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[SURNAMES],
        key: |f| {
            let (a, b) = (f.words.first_surname_key()?, f.words.second_surname_key()?);
            (f.words.surnames_len() == 2).then(|| hash(2, [&w(a)[..], &w(b)[..]]))
        },
    },
    Rule {
        name: "surname",
        train: false,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[SURNAMES],
        key: |f| Some(hash(7, [&w(f.words.first_surname_key()?)[..]])),
    },
    Rule {
        name: "given",
        train: false,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[GIVEN],
        key: |f| Some(hash(8, [&w(f.words.first_given_key()?)[..]])),
    },
    Rule {
        name: "birth",
        train: false,
        limit: SMALL_BLOCK_LIMIT,
        fields: &[BIRTH],
        key: |f| Some(hash(9, [&date(f.facts.birth)?[..]])),
    },
    Rule {
        name: "surname+birth",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[SURNAMES, BIRTH],
        key: |f| {
            let s = f.words.first_surname_key()?;
            Some(hash(3, [&w(s)[..], &date(f.facts.birth)?[..]]))
        },
    },
    Rule {
        name: "given+birth",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[GIVEN, BIRTH],
        key: |f| {
            let g = f.words.first_given_key()?;
            Some(hash(4, [&w(g)[..], &date(f.facts.birth)?[..]]))
        },
    },
    Rule {
        name: "surname+arrest",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[SURNAMES, ARREST],
        key: |f| {
            let s = f.words.first_surname_key()?;
            Some(hash(5, [&w(s)[..], &date(f.facts.arrest)?[..]]))
        },
    },
    Rule {
        name: "given+arrest+state",
        train: true,
        limit: BLOCK_LIMIT,
        fields: &[GIVEN, ARREST, STATE],
        key: |f| {
            let (g, state) = (f.words.first_given_key()?, f.words.state()?);
            Some(hash(
                6,
                [&w(g)[..], &date(f.facts.arrest)?[..], &w(state)[..]],
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

/// A candidate pair, packed in 64 bits: the two reports (indexes, smaller first, 25 bits each)
/// and the rules that found it (a bit per rule). Packing keeps a million reports' millions of
/// candidate pairs in little memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate(u64);

/// Bits of a report's index in a candidate.
const INDEX_BITS: u32 = 25;
/// The most reports one run can pair (33 million).
pub const MAX_REPORTS: usize = 1 << INDEX_BITS;
const RULE_BITS: u32 = 14;
const _: () = assert!(RULES.len() <= RULE_BITS as usize && 2 * INDEX_BITS + RULE_BITS <= 64);

impl Candidate {
    fn new(left: u32, right: u32, rules: u64) -> Candidate {
        Candidate(
            (u64::from(left) << (INDEX_BITS + RULE_BITS)) | (u64::from(right) << RULE_BITS) | rules,
        )
    }
    pub fn left(self) -> u32 {
        (self.0 >> (INDEX_BITS + RULE_BITS)) as u32
    }
    pub fn right(self) -> u32 {
        ((self.0 >> RULE_BITS) & ((1 << INDEX_BITS) - 1)) as u32
    }
    /// The numbers of the rules that found the pair.
    pub fn rules(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0 & ((1 << RULE_BITS) - 1);
        std::iter::from_fn(move || {
            let r = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            (r < RULE_BITS as usize).then_some(r)
        })
    }
}

/// The candidate pairs: every two reports sharing a key, in blocks no larger than the rule's
/// limit; in a larger block, each report with its copies (the same fingerprint), so that a
/// report copied hundreds of times — passed on by many, or sent again and again — is still
/// compared with its copies rather than counted as hundreds of persons. At most
/// [`MAX_REPORTS`] reports.
pub fn candidates(features: &[Features], prints: &[u64]) -> Vec<Candidate> {
    // The rules on all cores, each rule's keys made and sorted one rule at a time (a million
    // reports' keys for every rule at once were the peak of memory).
    let rules: Vec<usize> = (0..RULES.len()).collect();
    let found = in_parallel(&rules, |r| found_by(*r, features, prints));
    let mut pairs: Vec<Candidate> = Vec::with_capacity(found.iter().map(Vec::len).sum());
    for f in found {
        pairs.extend(f);
    }
    sort_in_parallel(&mut pairs);
    // The same pair found by several rules: one candidate with all their bits (in place: at a
    // million reports there are tens of millions).
    pairs.dedup_by(|later, kept| {
        let same = later.0 >> RULE_BITS == kept.0 >> RULE_BITS;
        if same {
            kept.0 |= later.0;
        }
        same
    });
    pairs.shrink_to_fit();
    pairs
}

/// The pairs rule number `r` finds.
fn found_by(r: usize, features: &[Features], prints: &[u64]) -> Vec<Candidate> {
    let Some(rule) = RULES.get(r) else {
        return Vec::new();
    };
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(features.len().min(MAX_REPORTS));
    entries.extend(
        (features.iter().enumerate().take(MAX_REPORTS))
            .filter_map(|(i, f)| Some(((rule.key)(f)?, i as u32))),
    );
    entries.sort_unstable();
    let mut pairs = Vec::new();
    let mut copies: Vec<(u64, u32)> = Vec::new();
    for block in entries.chunk_by(|a, b| a.0 == b.0) {
        if block.len() <= rule.limit {
            continue;
        }
        copies.clear();
        let print = |i: u32| prints.get(i as usize).copied().unwrap_or_default();
        copies.extend(block.iter().map(|&(_, i)| (print(i), i)));
        copies.sort_unstable();
        for same in copies.chunk_by(|a, b| a.0 == b.0) {
            for w in same.windows(2) {
                if let [(_, i), (_, j)] = *w {
                    pairs.push(Candidate::new(i.min(j), i.max(j), 1 << r));
                }
            }
        }
    }
    let blocks = || {
        entries
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|b| (2..=rule.limit).contains(&b.len()))
    };
    pairs.reserve(blocks().map(|b| b.len() * (b.len() - 1) / 2).sum());
    for block in blocks() {
        for (n, &(_, i)) in block.iter().enumerate() {
            for &(_, j) in block.iter().skip(n + 1) {
                pairs.push(Candidate::new(i.min(j), i.max(j), 1 << r));
            }
        }
    }
    pairs
}

fn compare_at(features: &[Features], freq: &Frequencies, i: u32, j: u32) -> Comparison {
    match (features.get(i as usize), features.get(j as usize)) {
        (Some(a), Some(b)) => compare(a, b, freq),
        _ => Comparison::default(),
    }
}

/// Compares many pairs on all cores.
pub fn compare_all(
    features: &[Features],
    freq: &Frequencies,
    pairs: &[(u32, u32)],
) -> Vec<Comparison> {
    in_parallel(pairs, |&(i, j)| compare_at(features, freq, i, j))
}

/// Every report's [fingerprint], on all cores.
pub fn fingerprints(features: &[Features], freq: &Frequencies) -> Vec<u64> {
    in_parallel(features, |f| fingerprint(f, freq))
}

/// A report's fingerprint: a hash of what it says (not of where it stands in the file), so that
/// what is drawn at random is the same whatever the order of the rows.
fn fingerprint(f: &Features, freq: &Frequencies) -> u64 {
    let r = &f.facts;
    let keys = f.keys(freq);
    let cedula = r.cedula.map(|c| c.number.to_le_bytes()).unwrap_or_default();
    let dates = [date(r.birth), date(r.arrest)].map(Option::unwrap_or_default);
    let rest = f.places(freq).map(|p| p.unwrap_or("").as_bytes());
    let small = [r.age.unwrap_or(u8::MAX), r.sex.map_or(0, |c| c as u8)];
    hash(
        255,
        (keys.iter().map(|k| k.as_bytes()))
            .chain([cedula.as_slice(), &dates[0][..], &dates[1][..], &small[..]])
            .chain(rest),
    )
}

/// Reports taken at random, in pairs, from a fixed seed (the same reports give the same model,
/// in any order: they are drawn from the reports ordered by their fingerprints). Copies of one
/// report count once: a report sent six hundred times would otherwise make two reports taken
/// at random agree on everything, and agreement worth nothing.
fn random_pairs(fingerprints: &[u64], count: usize) -> Vec<(u32, u32)> {
    let mut order: Vec<(u64, u32)> = (fingerprints.iter().enumerate())
        .map(|(i, f)| (*f, i as u32))
        .collect();
    order.sort_unstable();
    order.dedup_by_key(|(f, _)| *f);
    let n = order.len();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = (state % n.max(1) as u64) as usize;
        order.get(at).map_or(0, |(_, i)| *i)
    };
    (0..count)
        .map(|_| (next(), next()))
        .filter(|(i, j)| i != j)
        .collect()
}

/// Learns `m` and `u` from the reports and their candidate pairs (with no candidates, `m` is the
/// prior). `lambda` is left for the caller: [`weigh`] finds it for deduplication, the online
/// index sets its own.
pub fn learn(
    features: &[Features],
    freq: &Frequencies,
    candidates: &[Candidate],
    fingerprints: &[u64],
) -> Model {
    let n = features.len();
    let random = compare_all(
        features,
        freq,
        &random_pairs(fingerprints, RANDOM_PAIRS.min(n * n.saturating_sub(1) / 2)),
    );
    let mut found = [0usize; RULE_BITS as usize];
    for c in candidates {
        for r in c.rules() {
            if let Some(n) = found.get_mut(r) {
                *n += 1;
            }
        }
    }
    // Each training rule's sample, taken in one pass: a pair is in it by what its two reports
    // say, not by where they stand.
    let step = found.map(|f| f.div_ceil(TRAINING_PAIRS).max(1) as u64);
    let fp = |i: u32| fingerprints.get(i as usize).copied().unwrap_or(0);
    let mut samples: Vec<Vec<(u32, u32)>> = (RULES.iter().zip(found.iter().zip(&step)))
        .map(|(rule, (f, s))| match rule.train {
            true => Vec::with_capacity((*f as u64).div_ceil(*s) as usize),
            false => Vec::new(),
        })
        .collect();
    for c in candidates {
        let h = (fp(c.left()) ^ fp(c.right())).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        for r in c.rules() {
            if RULES.get(r).is_some_and(|rule| rule.train)
                && step.get(r).is_some_and(|s| h % s == 0)
                && let Some(sample) = samples.get_mut(r)
            {
                sample.push((c.left(), c.right()));
            }
        }
    }
    let rules: Vec<Training> = (RULES.iter().zip(&samples))
        .filter(|(rule, _)| rule.train)
        .map(|(rule, sample)| Training {
            fixed: rule.fields,
            vectors: compare_all(features, freq, sample)
                .into_iter()
                .map(|c| c.levels)
                .collect(),
        })
        .collect();
    Model::learn(&random, &rules)
}

/// Every candidate's match weight, and `lambda` found from them (out of all the pairs the
/// reports make).
pub fn weigh(
    model: &mut Model,
    features: &[Features],
    freq: &Frequencies,
    candidates: &[Candidate],
) -> Vec<f32> {
    let weights = {
        let weight = model.weigher();
        in_parallel(candidates, |c| {
            weight(&compare_at(features, freq, c.left(), c.right())) as f32
        })
    };
    let n = features.len() as f64;
    model.lambda = model.fixed_point_lambda(&weights, (n * (n - 1.0) / 2.0).max(1.0));
    weights
}

/// A scored candidate pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub left: usize,
    pub right: usize,
    pub probability: f64,
    pub comparison: Comparison,
    /// Whether the two reports ended in one cluster (directly or through others); otherwise the
    /// pair is to review.
    pub merged: bool,
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

/// Whether two reports contradict each other on what identifies a person: two cédulas that are
/// not one typo apart, and given names that do not match in any way. The model weighs fields as
/// if they were independent, and for the relatives of one family arrested together they are
/// not: brothers share both surnames, the state, the day and the place of arrest, which outweigh
/// their different cédulas and names. Merging two brothers takes a political prisoner out of the
/// count, so such a pair is never merged on its own: it is left for a person to review, however
/// probable. (A cédula mistyped twice, with the name the same, is still merged.)
pub fn contradicted(c: &Comparison) -> bool {
    c.levels.get(CEDULA) == Some(&1) && c.levels.get(GIVEN) == Some(&1)
}

/// Clusters reports: pairs with probability ≥ `sure` are the same person (unless they
/// [contradict](contradicted) each other); pairs ≥ `review` are returned for a person to decide.
pub fn dedupe(reports: Vec<Report>, sure: f64, review: f64) -> Outcome {
    let (features, freq) = prepare(reports);
    let prints = fingerprints(&features, &freq);
    let found = candidates(&features, &prints);
    let mut model = learn(&features, &freq, &found, &prints);
    let weights = weigh(&mut model, &features, &freq, &found);
    let mut scored = Vec::new();
    // Pairs sure enough, and pairs that must never end in one cluster.
    let mut merges: Vec<(f32, u32, u32)> = Vec::new();
    let mut apart: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    // The weight under which a pair cannot reach `review` (less a margin for rounding), so that
    // the probability is computed only for the pairs that may.
    let lowest = review.min(sure);
    let odds = |p: f64| (p / (1.0 - p)).log2();
    let under = odds(lowest) - odds(model.lambda) - 1e-6;
    // Room for every pair that may reach review, at once (grown step by step, a million and a
    // half pairs were copied again and again).
    let above = weights.iter().filter(|w| f64::from(**w) >= under).count();
    scored.reserve(above);
    merges.reserve(above);
    for (c, w) in found.iter().zip(&weights) {
        if f64::from(*w) < under {
            continue;
        }
        let (i, j) = (c.left() as usize, c.right() as usize);
        let probability = model.probability_of_weight(f64::from(*w));
        if probability < lowest {
            continue;
        }
        let comparison = compare_at(&features, &freq, c.left(), c.right());
        if contradicted(&comparison) {
            apart.entry(i).or_default().push(j);
            apart.entry(j).or_default().push(i);
        } else if probability >= sure {
            merges.push((*w, c.left(), c.right()));
        }
        if probability >= review {
            scored.push(Pair {
                left: i,
                right: j,
                probability,
                comparison,
                merged: false,
            });
        }
    }
    // The surest first; a merge that would put two contradicting reports in one cluster (through
    // others: a report without a cédula between two brothers) is not made.
    merges.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut parent: Vec<usize> = (0..features.len()).collect();
    for (_, i, j) in merges {
        let (a, b) = (find(&mut parent, i as usize), find(&mut parent, j as usize));
        if a == b {
            continue;
        }
        let (small, large) = {
            let (la, lb) = (
                apart.get(&a).map_or(0, Vec::len),
                apart.get(&b).map_or(0, Vec::len),
            );
            if la <= lb { (a, b) } else { (b, a) }
        };
        let conflict = apart
            .get(&small)
            .is_some_and(|others| others.iter().any(|&o| find(&mut parent, o) == large));
        if conflict {
            continue;
        }
        let (root, child) = (a.min(b), a.max(b));
        if let Some(x) = parent.get_mut(child) {
            *x = root;
        }
        // The cluster keeps what its parts must stay apart from.
        if let Some(moved) = apart.remove(&child) {
            apart.entry(root).or_default().extend(moved);
        }
    }
    for p in &mut scored {
        p.merged = find(&mut parent, p.left) == find(&mut parent, p.right);
    }
    scored.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    let clusters = (0..features.len()).map(|i| find(&mut parent, i)).collect();
    Outcome {
        clusters,
        pairs: scored,
        model,
        compared: found.len(),
    }
}
