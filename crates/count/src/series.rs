//! A series: the figures at every step of a period (every day, week or month), computed in one
//! sweep over the detentions rather than one balance per step. Each detention adds its held and
//! prisoner intervals to day-difference arrays (certain and possible apart) and its arrest and
//! end to step-difference arrays; a running sum then reads every step. Cost: O(detentions +
//! days × groups), whatever the number of steps.

use std::collections::BTreeMap;

use serde::Serialize;
use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::EndType;

use crate::balance::PRISONER_AFTER_DAYS;
use crate::index::{DayNo, Dim, Index, NO_END, Span, UNKNOWN, day_no};

/// How far apart the steps are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Day,
    Week,
    Month,
}

/// One row: the step ending on `date`, for one combination of `--by` values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Step {
    pub date: String,
    pub by: BTreeMap<&'static str, String>,
    pub political_prisoners: u64,
    pub political_prisoners_lower: u64,
    pub political_prisoners_upper: u64,
    pub held: u64,
    pub political_detentions: u64,
    pub releases: u64,
    pub prisoner_releases: u64,
    pub deaths: u64,
}

/// The step end dates: `from`, `from + step`, … up to `to`.
pub fn steps(from: Day, to: Day, every: Every) -> Vec<Day> {
    let mut out = Vec::new();
    let mut n: i64 = 0;
    loop {
        let span = match every {
            Every::Day => jiff::Span::new().days(n),
            Every::Week => jiff::Span::new().days(7 * n),
            Every::Month => jiff::Span::new().months(n),
        };
        let Ok(d) = from.checked_add(span) else { break };
        if d > to {
            break;
        }
        out.push(d);
        n += 1;
    }
    out
}

/// Day-indexed and step-indexed difference arrays for one group of detentions.
#[derive(Clone)]
struct Sweep {
    held: Vec<i64>,
    prisoners_lower: Vec<i64>,
    prisoners_upper: Vec<i64>,
    detentions: Vec<i64>,
    releases: Vec<i64>,
    prisoner_releases: Vec<i64>,
    deaths: Vec<i64>,
}

impl Sweep {
    fn merge(&mut self, other: &Sweep) {
        for (mine, theirs) in [
            (&mut self.held, &other.held),
            (&mut self.prisoners_lower, &other.prisoners_lower),
            (&mut self.prisoners_upper, &other.prisoners_upper),
            (&mut self.detentions, &other.detentions),
            (&mut self.releases, &other.releases),
            (&mut self.prisoner_releases, &other.prisoner_releases),
            (&mut self.deaths, &other.deaths),
        ] {
            for (x, y) in mine.iter_mut().zip(theirs) {
                *x += y;
            }
        }
    }

    fn new(days: usize, steps: usize) -> Sweep {
        Sweep {
            held: vec![0; days + 1],
            prisoners_lower: vec![0; days + 1],
            prisoners_upper: vec![0; days + 1],
            detentions: vec![0; steps + 1],
            releases: vec![0; steps + 1],
            prisoner_releases: vec![0; steps + 1],
            deaths: vec![0; steps + 1],
        }
    }
}

/// Adds 1 over days [start, end) of `diff`, clipped to the range.
fn interval(diff: &mut [i64], base: DayNo, start: DayNo, end: Option<DayNo>) {
    let len = diff.len() as i64 - 1;
    let s = i64::from(start - base).clamp(0, len);
    let e = end.map_or(len, |e| i64::from(e - base).clamp(0, len));
    if s < e {
        if let Some(x) = diff.get_mut(s as usize) {
            *x += 1;
        }
        if let Some(x) = diff.get_mut(e as usize) {
            *x -= 1;
        }
    }
}

/// The step a day falls in: step i covers (ends[i-1], ends[i]]; `None` before the first
/// step's period or after the last step.
/// The steps of a series: their end days, the day before the first step's period, and the
/// stride when steps are evenly spaced (days, weeks), which makes finding a day's step arithmetic.
struct Steps<'a> {
    ends: &'a [DayNo],
    first_from: DayNo,
    stride: Option<DayNo>,
}

impl Steps<'_> {
    /// The step a day falls in: step i covers (ends[i-1], ends[i]]; `None` before the first
    /// step's period or after the last step.
    fn of(&self, day: DayNo) -> Option<usize> {
        if day <= self.first_from {
            return None;
        }
        let i = match self.stride {
            Some(stride) => ((day - self.first_from - 1) / stride) as usize,
            None => self.ends.partition_point(|e| *e < day),
        };
        (i < self.ends.len()).then_some(i)
    }
}

/// Counts a span that lands in one step for certain (lower bound of the step figures).
fn add_event(diff: &mut [i64], steps: &Steps<'_>, span: Span) {
    add_events(diff, steps, span, 1);
}

/// Counts `n` for a span that lands in one step for certain.
fn add_events(diff: &mut [i64], steps: &Steps<'_>, span: Span, n: i64) {
    if let (Some(a), Some(b)) = (steps.of(span.first), steps.of(span.last))
        && a == b
        && let Some(x) = diff.get_mut(a)
    {
        *x += n;
    }
}

/// What the sweep reads of one detention.
struct Row {
    af: DayNo,
    al: DayNo,
    ef: DayNo,
    el: DayNo,
    kind: u8,
}

fn add_row(s: &mut Sweep, r: &Row, base: DayNo, steps: &Steps<'_>) {
    add_row_clipped(s, r, base, steps, (EARLIEST, LATEST));
}

/// Far enough before and after any date counted, with room for `+ 2` without overflow.
const EARLIEST: DayNo = DayNo::MIN / 2;
const LATEST: DayNo = DayNo::MAX / 2;

/// Adds the part of a detention that lies in days [from, to): its stock intervals cut to them,
/// and its arrest and end if they fall in them.
fn add_row_clipped(
    s: &mut Sweep,
    r: &Row,
    base: DayNo,
    steps: &Steps<'_>,
    (from, to): (DayNo, DayNo),
) {
    let cut = |start: DayNo, end: DayNo| -> Option<(DayNo, DayNo)> {
        let (a, b) = (start.max(from), end.min(to));
        (a < b).then_some((a, b))
    };
    let end_first = if r.ef != NO_END { r.ef } else { LATEST };
    let end_last = if r.el != NO_END { r.el } else { LATEST };
    let stocks = [
        (&mut s.held, r.al, end_first),
        (
            &mut s.prisoners_lower,
            r.al + PRISONER_AFTER_DAYS,
            end_first,
        ),
        (&mut s.prisoners_upper, r.af + PRISONER_AFTER_DAYS, end_last),
    ];
    for (diff, start, end) in stocks {
        if let Some((a, b)) = cut(start, end) {
            interval(diff, base, a, Some(b));
        }
    }
    let inside = |day: DayNo| from <= day && day < to;
    if inside(r.af) {
        add_event(
            &mut s.detentions,
            steps,
            Span {
                first: r.af,
                last: r.al,
            },
        );
    }
    if r.ef != NO_END && inside(r.ef) {
        let end = Span {
            first: r.ef,
            last: r.el,
        };
        let kind = EndType::ALL
            .get(r.kind as usize)
            .copied()
            .unwrap_or(EndType::Unknown);
        if matches!(kind, EndType::Released | EndType::ReleasedUnderMeasures) {
            add_event(&mut s.releases, steps, end);
            if r.ef - r.al > PRISONER_AFTER_DAYS {
                add_event(&mut s.prisoner_releases, steps, end);
            }
        }
        if kind == EndType::DiedInCustody {
            add_event(&mut s.deaths, steps, end);
        }
    }
}

/// Every key of `keys` extended by every value of `values` (the combinations of a group's
/// values, a multi-valued dimension adding one per value).
fn combine(keys: &[Vec<u32>], values: &[u32]) -> Vec<Vec<u32>> {
    keys.iter()
        .flat_map(|k| {
            values.iter().map(move |v| {
                let mut k = k.clone();
                k.push(*v);
                k
            })
        })
        .collect()
}

/// The days on which a detention's value of one of `by` may change: between two of them every
/// value is the same.
fn change_days(c: &crate::index::Case, by: &[Dim]) -> Vec<DayNo> {
    let mut cuts = Vec::new();
    for dim in by {
        match dim {
            Dim::Age => cuts.extend(c.adult_from.iter().flat_map(|a| [a.first, a.last])),
            Dim::Convicted => cuts.extend(c.convicted.iter().flat_map(|s| [s.first, s.last])),
            Dim::WhereaboutsUnknown => cuts.extend(c.whereabouts.iter().map(|(d, _)| *d)),
            Dim::HouseArrest | Dim::Facility => cuts.extend(c.custody.iter().map(|s| s.from)),
            _ => {}
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Below this many detentions one thread sweeps faster than two.
const PARALLEL_FROM: usize = 50_000;

/// The series from `from` to `to`, as known on `known_on`, grouped by static dimensions.
pub fn series(
    index: &Index,
    from: Day,
    to: Day,
    every: Every,
    by: &[Dim],
    known_on: KnownOn,
) -> Vec<Step> {
    let dates = steps(from, to, every);
    let ends: Vec<DayNo> = dates.iter().map(|d| day_no(*d)).collect();
    let first_from = match every {
        Every::Day => day_no(from) - 1,
        Every::Week => day_no(from) - 7,
        Every::Month => from
            .checked_sub(jiff::Span::new().months(1))
            .map(day_no)
            .unwrap_or(0),
    };
    // The earliest arrest of any version: the day arrays start there (or at the first step).
    let base = index
        .cols
        .a_first
        .iter()
        .copied()
        .min()
        .unwrap_or(first_from)
        .min(first_from);
    let last = ends.last().copied().unwrap_or(base);
    let stride = match every {
        Every::Day => Some(1),
        Every::Week => Some(7),
        Every::Month => None,
    };
    let steps = Steps {
        ends: &ends,
        first_from,
        stride,
    };
    let days = (last - base + 1).max(1) as usize;
    let k = known_on.0.map(day_no);
    let n = index.cols.len();
    let multi = by.iter().any(|d| d.is_multi());
    // Dimensions whose value changes with the date: a detention is cut where they may change.
    let dynamic = by.iter().any(|d| !d.is_static() && !d.is_multi());
    let count_part = |range: std::ops::Range<usize>| -> BTreeMap<Vec<u32>, Sweep> {
        let cols = &index.cols;
        let mut groups: BTreeMap<Vec<u32>, Sweep> = BTreeMap::new();
        let mut key: Vec<u32> = Vec::with_capacity(by.len());
        let mut keys: Vec<Vec<u32>> = Vec::new();
        for i in range {
            let Some(r) = cols.row(i, k) else { continue };
            if cols.status.get(r) != Some(&1) {
                continue;
            }
            let get = |v: &[DayNo]| v.get(r).copied().unwrap_or(NO_END);
            let row = Row {
                af: get(&cols.a_first),
                al: get(&cols.a_last),
                ef: get(&cols.e_first),
                el: get(&cols.e_last),
                kind: cols.end_kind.get(r).copied().unwrap_or(255),
            };
            let fixed = cols.fixed.get(r).copied().unwrap_or_default();
            if !multi && !dynamic {
                key.clear();
                key.extend(by.iter().map(|d| fixed.get(*d)));
                match groups.get_mut(key.as_slice()) {
                    Some(sweep) => add_row(sweep, &row, base, &steps),
                    None => {
                        let mut sweep = Sweep::new(days, ends.len());
                        add_row(&mut sweep, &row, base, &steps);
                        groups.insert(key.clone(), sweep);
                    }
                }
                continue;
            }
            let Some(case) = index.case_at(i, r) else {
                continue;
            };
            let cuts = if dynamic {
                change_days(case, by)
            } else {
                Vec::new()
            };
            let edges: Vec<DayNo> = std::iter::once(EARLIEST)
                .chain(cuts)
                .chain(std::iter::once(LATEST))
                .collect();
            for segment in edges.windows(2) {
                let (Some(&from), Some(&to)) = (segment.first(), segment.get(1)) else {
                    continue;
                };
                // Every combination of the values in this segment (a multi-valued dimension
                // adds one per value).
                keys.clear();
                keys.push(Vec::new());
                for dim in by {
                    let values: Vec<u32> = if dim.is_multi() {
                        match case.values(*dim) {
                            v if !v.is_empty() => v.to_vec(),
                            _ => vec![UNKNOWN],
                        }
                    } else {
                        vec![crate::balance::value(case, *dim, from)]
                    };
                    keys = combine(&keys, &values);
                }
                for key in &keys {
                    let sweep = groups
                        .entry(key.clone())
                        .or_insert_with(|| Sweep::new(days, ends.len()));
                    add_row_clipped(sweep, &row, base, &steps, (from, to));
                }
            }
        }
        groups
    };
    let mut groups = if n < PARALLEL_FROM {
        count_part(0..n)
    } else {
        let half = n / 2;
        let (mut mine, theirs) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| count_part(half..n));
            let mine = count_part(0..half);
            (mine, handle.join().ok())
        });
        let theirs = theirs.unwrap_or_else(|| count_part(half..n));
        for (key, sweep) in theirs {
            match mine.get_mut(&key) {
                Some(s) => s.merge(&sweep),
                None => {
                    mine.insert(key, sweep);
                }
            }
        }
        mine
    };
    // Unidentified members of group detentions are political detentions of their step.
    for g in index.groups(known_on) {
        let mut keys: Vec<Vec<u32>> = vec![Vec::new()];
        for dim in by {
            let values = match dim {
                Dim::Context if !g.context.is_empty() => g.context.clone(),
                _ => vec![g.fixed.get(*dim)],
            };
            keys = combine(&keys, &values);
        }
        for key in keys {
            let sweep = groups
                .entry(key)
                .or_insert_with(|| Sweep::new(days, ends.len()));
            add_events(
                &mut sweep.detentions,
                &steps,
                g.arrest,
                g.unidentified as i64,
            );
        }
    }
    if groups.is_empty() {
        groups.insert(vec![UNKNOWN; by.len()], Sweep::new(days, ends.len()));
    }
    let mut rows = Vec::with_capacity(dates.len() * groups.len());
    for (key, s) in &groups {
        let at = |diff: &[i64]| -> Vec<u64> {
            let mut run = 0i64;
            let mut out = vec![0u64; ends.len()];
            let mut next = 0usize;
            for (day, delta) in diff.iter().enumerate() {
                run += delta;
                while let Some(e) = ends.get(next) {
                    if i64::from(*e - base) == day as i64 {
                        if let Some(o) = out.get_mut(next) {
                            *o = run.max(0) as u64;
                        }
                        next += 1;
                    } else {
                        break;
                    }
                }
            }
            out
        };
        let (held, lower, upper) = (at(&s.held), at(&s.prisoners_lower), at(&s.prisoners_upper));
        let by_names: BTreeMap<&'static str, String> = by
            .iter()
            .zip(key)
            .map(|(d, v)| (d.name(), index.names.name(*d, *v).to_string()))
            .collect();
        for (i, date) in dates.iter().enumerate() {
            let n = |v: &[u64]| v.get(i).copied().unwrap_or(0);
            let e = |v: &[i64]| v.get(i).copied().unwrap_or(0).max(0) as u64;
            rows.push(Step {
                date: date.to_string(),
                by: by_names.clone(),
                political_prisoners: n(&lower),
                political_prisoners_lower: n(&lower),
                political_prisoners_upper: n(&upper),
                held: n(&held),
                political_detentions: e(&s.detentions),
                releases: e(&s.releases),
                prisoner_releases: e(&s.prisoner_releases),
                deaths: e(&s.deaths),
            });
        }
    }
    rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.by.cmp(&b.by)));
    rows
}
