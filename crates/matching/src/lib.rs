//! Vigilia's matching: one person, many reports (DESIGN.md, "Matching").
//!
//! Read top to bottom, a report goes through:
//! - [`name`]: Venezuelan names as they are written — accents, particles (`de la`, `De Freitas`),
//!   compound given names, abbreviations (`Ma.`, `José G.`), nicknames (`Goyo`, `Majo`), a
//!   married woman's `de <husband>`, the whole name in one field — read into comparable parts;
//! - [`phonetic`]: a key for Spanish spelling as heard (b/v, s/z/c, ll/y, silent h, j/g, x/j,
//!   `Jhon`/`Yon`), not English Soundex;
//! - [`report`]: a reports CSV row read into values (day-first dates, ages, cédulas, places
//!   through the country profile);
//! - [`compare`]: two reports compared field by field, with how common their names are;
//! - [`model`]: Fellegi–Sunter weights learned from the data (EM), and probabilities;
//! - [`dedupe`]: blocking rules, candidate pairs, clusters with two thresholds;
//! - [`index`]: the same rules as an index kept current, for one report's ranked candidates.
//!
//! The crate depends only on `vigilia-core`; merges it proposes are recorded by the ledger as
//! facts.

pub mod compare;
pub mod dedupe;
pub mod index;
pub mod model;
pub mod name;
pub mod phonetic;
pub mod report;

/// How many cores this machine has.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Maps `f` over `items` on all cores, keeping the order. Each core fills its own part of the
/// one output (no second copy to join: at a million reports that copy was the peak of memory).
pub(crate) fn in_parallel<I: Sync, O: Default + Send>(
    items: &[I],
    f: impl Fn(&I) -> O + Sync,
) -> Vec<O> {
    in_parallel_with(items, &mut vec![(); cores()], |_, item| f(item))
}

/// [`in_parallel`] in as many parts as `states`, each part with its own state (what its core
/// has already worked out).
pub(crate) fn in_parallel_with<I: Sync, O: Default + Send, S: Send>(
    items: &[I],
    states: &mut [S],
    f: impl Fn(&mut S, &I) -> O + Sync,
) -> Vec<O> {
    let chunk = items.len().div_ceil(states.len().max(1)).max(1);
    let mut out: Vec<O> = std::iter::repeat_with(O::default)
        .take(items.len())
        .collect();
    let f = &f;
    std::thread::scope(|s| {
        for ((part, into), own) in items.chunks(chunk).zip(out.chunks_mut(chunk)).zip(states) {
            s.spawn(move || {
                for (item, slot) in part.iter().zip(into) {
                    *slot = f(own, item);
                }
            });
        }
    });
    out
}

/// Sorts `items` on all cores, in place: split around a middle element (what is left of it is
/// no larger, what is right no smaller), each side sorted by its own core, halving again while
/// there are cores. At a million reports the tens of millions of candidate pairs took a second
/// to sort on one core.
pub(crate) fn sort_in_parallel<T: Ord + Send>(items: &mut [T]) {
    sort_on(items, cores());
}

fn sort_on<T: Ord + Send>(items: &mut [T], threads: usize) {
    if threads < 2 || items.len() < 100_000 {
        items.sort_unstable();
        return;
    }
    let middle = items.len() / 2;
    items.select_nth_unstable(middle);
    let (left, right) = items.split_at_mut(middle);
    std::thread::scope(|s| {
        s.spawn(|| sort_on(left, threads / 2));
        sort_on(right, threads - threads / 2);
    });
}
