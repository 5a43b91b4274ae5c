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
use crate::index::{Case, Columns, DayNo, Dim, Fixed, Index, NO_END, Span, UNKNOWN, day_no};

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

impl Row {
    /// The columns' values for the detention version at row `r`.
    fn at(cols: &Columns, r: usize) -> Row {
        let get = |v: &[DayNo]| v.get(r).copied().unwrap_or(NO_END);
        Row {
            af: get(&cols.a_first),
            al: get(&cols.a_last),
            ef: get(&cols.e_first),
            el: get(&cols.e_last),
            kind: cols.end_kind.get(r).copied().unwrap_or(255),
        }
    }
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
        change_days_into(&mut cuts, c, *dim);
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// `[from, to)` cut into pieces at the days of `cuts` (sorted) that fall inside it: within a
/// piece, a detention's values do not change.
pub(crate) fn pieces(from: DayNo, to: DayNo, cuts: &[DayNo]) -> Vec<(DayNo, DayNo)> {
    let inside = cuts.iter().copied().filter(|x| *x > from && *x < to);
    let bounds: Vec<DayNo> = std::iter::once(from)
        .chain(inside)
        .chain(std::iter::once(to))
        .collect();
    bounds
        .windows(2)
        .filter_map(|w| Some((*w.first()?, *w.get(1)?)))
        .collect()
}

/// The days on which a detention's value of `dim` may change, added to `cuts` (unsorted).
pub(crate) fn change_days_into(cuts: &mut Vec<DayNo>, c: &crate::index::Case, dim: Dim) {
    match dim {
        Dim::Age => cuts.extend(c.adult_from.iter().flat_map(|a| [a.first, a.last])),
        Dim::Convicted => cuts.extend(c.convicted.iter().flat_map(|s| [s.first, s.last])),
        Dim::WhereaboutsUnknown => cuts.extend(c.whereabouts.iter().map(|(d, _)| *d)),
        Dim::HouseArrest | Dim::Facility => cuts.extend(c.custody.iter().map(|s| s.from)),
        _ => {}
    }
}

/// Below this many detentions one thread sweeps faster than two.
const PARALLEL_FROM: usize = 50_000;

/// The series from `from` to `to`, as known on `known_on`, grouped by the dimensions `by`:
/// one sweep over the detentions fills each group's difference arrays, the unidentified
/// members of group detentions are added, and the arrays are read at every step.
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
    if let Some(totals) = index.totals.as_deref()
        && known_on.0.is_none()
    {
        let steps = Steps {
            ends: &ends,
            first_from: first_from(from, every),
            stride: match every {
                Every::Day => Some(1),
                Every::Week => Some(7),
                Every::Month => None,
            },
        };
        return from_totals(index, totals, by, &dates, &steps);
    }
    let frame = Frame::new(index, from, every, &ends);
    let sweeper = Sweeper {
        index,
        by,
        frame: &frame,
        k: known_on.0.map(day_no),
        multi: by.iter().any(|d| d.is_multi()),
        dynamic: by.iter().any(|d| !d.is_static() && !d.is_multi()),
    };
    let mut groups = sweeper.sweep_all();
    add_unidentified(&mut groups, index, by, known_on, &frame);
    if groups.is_empty() {
        groups.insert(vec![UNKNOWN; by.len()], frame.sweep());
    }
    rows(&groups, index, by, &dates, &frame)
}

/// The day before the first step's period.
fn first_from(from: Day, every: Every) -> DayNo {
    match every {
        Every::Day => day_no(from) - 1,
        Every::Week => day_no(from) - 7,
        Every::Month => from
            .checked_sub(jiff::Span::new().months(1))
            .map(day_no)
            .unwrap_or(0),
    }
}

/// The series read from the index's running totals (as known now): each step's figures are
/// two rows of the totals by `by`, and the unidentified members of group detentions are added
/// to the step of their arrest as the sweep does.
fn from_totals(
    index: &Index,
    totals: &crate::totals::Totals,
    by: &[Dim],
    dates: &[Day],
    steps: &Steps<'_>,
) -> Vec<Step> {
    let table = totals.by(index, by);
    let mut keys: BTreeMap<Vec<u32>, (Option<usize>, Vec<i64>)> = BTreeMap::new();
    for (n, key) in table.keys.iter().enumerate() {
        if table.uses.get(n).is_some_and(|u| *u > 0) {
            keys.insert(key.clone(), (Some(n), vec![0; dates.len()]));
        }
    }
    for g in index.groups(KnownOn::NOW) {
        for key in group_keys(g, by) {
            let (_, extra) = keys
                .entry(key)
                .or_insert_with(|| (None, vec![0; dates.len()]));
            add_events(extra, steps, g.arrest, g.unidentified as i64);
        }
    }
    if keys.is_empty() {
        keys.insert(vec![UNKNOWN; by.len()], (None, vec![0; dates.len()]));
    }
    let figures: Vec<Vec<crate::totals::StepFigures>> = steps
        .ends
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = match i.checked_sub(1) {
                Some(j) => steps.ends.get(j).copied().unwrap_or(steps.first_from),
                None => steps.first_from,
            };
            table.step(p, *d)
        })
        .collect();
    let mut rows = Vec::with_capacity(dates.len() * keys.len());
    for (key, (number, extra)) in &keys {
        let by_names: BTreeMap<&'static str, String> = by
            .iter()
            .zip(key)
            .map(|(d, v)| (d.name(), index.names.name(*d, *v).to_string()))
            .collect();
        for (i, date) in dates.iter().enumerate() {
            let f = number
                .and_then(|n| figures.get(i).and_then(|f| f.get(n)))
                .copied()
                .unwrap_or_default();
            let n = |x: i64| x.max(0) as u64;
            rows.push(Step {
                date: date.to_string(),
                by: by_names.clone(),
                political_prisoners: n(f[1]),
                political_prisoners_lower: n(f[1]),
                political_prisoners_upper: n(f[2]),
                held: n(f[0]),
                political_detentions: n(f[3] + extra.get(i).copied().unwrap_or(0)),
                releases: n(f[4]),
                prisoner_releases: n(f[5]),
                deaths: n(f[6]),
            });
        }
    }
    rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.by.cmp(&b.by)));
    rows
}

/// Each group's difference arrays, by the group's values of the `--by` dimensions.
type Groups = BTreeMap<Vec<u32>, Sweep>;

/// Where a series' arrays stand: its steps, the first day of the day arrays (the earliest
/// arrest of any version, or the day before the first step's period) and how many days they
/// hold (up to the last step's end).
struct Frame<'a> {
    steps: Steps<'a>,
    base: DayNo,
    days: usize,
}

impl<'a> Frame<'a> {
    /// The frame of steps ending on `ends`, the first ending on `from`, every `every`.
    fn new(index: &Index, from: Day, every: Every, ends: &'a [DayNo]) -> Frame<'a> {
        let first_from = first_from(from, every);
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
        Frame {
            steps: Steps {
                ends,
                first_from,
                stride,
            },
            base,
            days: (last - base + 1).max(1) as usize,
        }
    }

    /// Empty arrays for one group.
    fn sweep(&self) -> Sweep {
        Sweep::new(self.days, self.steps.ends.len())
    }
}

/// The sweep over the identified detentions, shared by the threads that each take a part.
struct Sweeper<'a> {
    index: &'a Index,
    by: &'a [Dim],
    frame: &'a Frame<'a>,
    /// "As known on", as a day number; `None` for now.
    k: Option<DayNo>,
    /// Some dimension of `by` is multi-valued (charges, context).
    multi: bool,
    /// Some dimension of `by` changes with the date: a detention is cut where it may change.
    dynamic: bool,
}

impl Sweeper<'_> {
    /// Sweeps every detention; above [`PARALLEL_FROM`] in two halves on two threads, whose
    /// groups are then merged.
    fn sweep_all(&self) -> Groups {
        let n = self.index.cols.len();
        if n < PARALLEL_FROM {
            return self.sweep(0..n);
        }
        let half = n / 2;
        let (mut mine, theirs) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| self.sweep(half..n));
            let mine = self.sweep(0..half);
            (mine, handle.join().ok())
        });
        let theirs = theirs.unwrap_or_else(|| self.sweep(half..n));
        for (key, sweep) in theirs {
            match mine.get_mut(&key) {
                Some(s) => s.merge(&sweep),
                None => {
                    mine.insert(key, sweep);
                }
            }
        }
        mine
    }

    /// Sweeps detentions `range` of the index: each recognised as political, in the version
    /// known on `k`, is added to the arrays of its group (or groups).
    fn sweep(&self, range: std::ops::Range<usize>) -> Groups {
        let cols = &self.index.cols;
        let mut groups = Groups::new();
        // Buffers reused from one detention to the next.
        let mut key: Vec<u32> = Vec::with_capacity(self.by.len());
        let mut keys: Vec<Vec<u32>> = Vec::new();
        for i in range {
            let Some(r) = cols.row(i, self.k) else {
                continue;
            };
            if cols.status.get(r) != Some(&1) {
                continue;
            }
            let row = Row::at(cols, r);
            if !self.multi && !self.dynamic {
                let fixed = cols.fixed.get(r).copied().unwrap_or_default();
                self.add_whole(&mut groups, &mut key, &fixed, &row);
                continue;
            }
            let Some(case) = self.index.case_at(i, r) else {
                continue;
            };
            self.add_segments(&mut groups, &mut keys, case, &row);
        }
        groups
    }

    /// Adds a detention whole to its one group, when every dimension of `by` is static and
    /// single-valued: the group is its fixed values.
    fn add_whole(&self, groups: &mut Groups, key: &mut Vec<u32>, fixed: &Fixed, row: &Row) {
        let Frame { steps, base, .. } = self.frame;
        key.clear();
        key.extend(self.by.iter().map(|d| fixed.get(*d)));
        match groups.get_mut(key.as_slice()) {
            Some(sweep) => add_row(sweep, row, *base, steps),
            None => {
                let mut sweep = self.frame.sweep();
                add_row(&mut sweep, row, *base, steps);
                groups.insert(key.clone(), sweep);
            }
        }
    }

    /// Adds a detention cut at the days its values may change: each segment to the group of
    /// every combination of its values in the segment (a multi-valued dimension adds one per
    /// value).
    fn add_segments(&self, groups: &mut Groups, keys: &mut Vec<Vec<u32>>, case: &Case, row: &Row) {
        let Frame { steps, base, .. } = self.frame;
        let cuts = if self.dynamic {
            change_days(case, self.by)
        } else {
            Vec::new()
        };
        for (from, to) in pieces(EARLIEST, LATEST, &cuts) {
            segment_keys(keys, case, self.by, from);
            for key in keys.iter() {
                let sweep = groups
                    .entry(key.clone())
                    .or_insert_with(|| self.frame.sweep());
                add_row_clipped(sweep, row, *base, steps, (from, to));
            }
        }
    }
}

/// Every combination of a detention's values of `by` in a segment starting on `from`, into
/// `keys` (a multi-valued dimension adds one per value, or unknown without any).
pub(crate) fn segment_keys(keys: &mut Vec<Vec<u32>>, case: &Case, by: &[Dim], from: DayNo) {
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
        *keys = combine(keys, &values);
    }
}

/// Every combination of a group detention's values of `by`: its state and agency, each of its
/// contexts (or unknown without any), the other dimensions unknown.
fn group_keys(g: &crate::index::GroupCase, by: &[Dim]) -> Vec<Vec<u32>> {
    let mut keys: Vec<Vec<u32>> = vec![Vec::new()];
    for dim in by {
        let values = match dim {
            Dim::Context if !g.context.is_empty() => g.context.clone(),
            _ => vec![g.fixed.get(*dim)],
        };
        keys = combine(&keys, &values);
    }
    keys
}

/// Unidentified members of group detentions are political detentions of their step, under
/// their group's values (state, agency, context; the others unknown).
fn add_unidentified(
    groups: &mut Groups,
    index: &Index,
    by: &[Dim],
    known_on: KnownOn,
    frame: &Frame<'_>,
) {
    for g in index.groups(known_on) {
        for key in group_keys(g, by) {
            let sweep = groups.entry(key).or_insert_with(|| frame.sweep());
            add_events(
                &mut sweep.detentions,
                &frame.steps,
                g.arrest,
                g.unidentified as i64,
            );
        }
    }
}

/// The rows of the series: every group's figures at every step, by date and then by group.
fn rows(groups: &Groups, index: &Index, by: &[Dim], dates: &[Day], frame: &Frame<'_>) -> Vec<Step> {
    let mut rows = Vec::with_capacity(dates.len() * groups.len());
    for (key, s) in groups {
        let at = |diff: &[i64]| at_steps(diff, frame.steps.ends, frame.base);
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

/// A stock at the end of every step: the running sum of its day-difference array (which
/// starts on day `base`) read on each step's end day.
fn at_steps(diff: &[i64], ends: &[DayNo], base: DayNo) -> Vec<u64> {
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
}
