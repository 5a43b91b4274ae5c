//! A series: the figures at every step of a period (every day, week or month), computed in one
//! sweep over the detentions rather than one balance per step. Each detention adds its held and
//! prisoner intervals to day-difference arrays (certain and possible apart) and its arrest and
//! end to step-difference arrays; a running sum then reads every step. Cost: O(detentions +
//! days × groups), whatever the number of steps.

use std::collections::BTreeMap;

use serde::Serialize;
use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::{EndType, RecognitionStatus};

use crate::balance::PRISONER_AFTER_DAYS;
use crate::index::{Case, DayNo, Dim, Index, Span, UNKNOWN, day_no};

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

/// Why a series cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeriesError {
    /// The dimension's value changes with the date counted (age, facility, …).
    NotStatic(Dim),
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
fn step_of(ends: &[DayNo], first_from: DayNo, day: DayNo) -> Option<usize> {
    if day <= first_from {
        return None;
    }
    let i = ends.partition_point(|e| *e < day);
    (i < ends.len()).then_some(i)
}

/// Counts a span that lands in one step for certain (lower bound of the step figures).
fn add_event(diff: &mut [i64], ends: &[DayNo], first_from: DayNo, span: Span) {
    add_events(diff, ends, first_from, span, 1);
}

/// Counts `n` for a span that lands in one step for certain.
fn add_events(diff: &mut [i64], ends: &[DayNo], first_from: DayNo, span: Span, n: i64) {
    if let (Some(a), Some(b)) = (
        step_of(ends, first_from, span.first),
        step_of(ends, first_from, span.last),
    ) && a == b
        && let Some(x) = diff.get_mut(a)
    {
        *x += n;
    }
}

fn add(s: &mut Sweep, c: &Case, base: DayNo, ends: &[DayNo], first_from: DayNo) {
    let end_first = c.end.as_ref().map(|(e, _)| e.first);
    let end_last = c.end.as_ref().map(|(e, _)| e.last);
    interval(&mut s.held, base, c.arrest.last, end_first);
    interval(
        &mut s.prisoners_lower,
        base,
        c.arrest.last + PRISONER_AFTER_DAYS,
        end_first,
    );
    interval(
        &mut s.prisoners_upper,
        base,
        c.arrest.first + PRISONER_AFTER_DAYS,
        end_last,
    );
    add_event(&mut s.detentions, ends, first_from, c.arrest);
    if let Some((end, kind)) = &c.end {
        if matches!(kind, EndType::Released | EndType::ReleasedUnderMeasures) {
            add_event(&mut s.releases, ends, first_from, *end);
            if end.first - c.arrest.last > PRISONER_AFTER_DAYS {
                add_event(&mut s.prisoner_releases, ends, first_from, *end);
            }
        }
        if *kind == EndType::DiedInCustody {
            add_event(&mut s.deaths, ends, first_from, *end);
        }
    }
}

/// The series from `from` to `to`, as known on `known_on`, grouped by static dimensions.
pub fn series(
    index: &Index,
    from: Day,
    to: Day,
    every: Every,
    by: &[Dim],
    known_on: KnownOn,
) -> Result<Vec<Step>, SeriesError> {
    if let Some(dim) = by.iter().find(|d| !d.is_static() && !d.is_multi()) {
        return Err(SeriesError::NotStatic(*dim));
    }
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
    let base = index
        .cases(known_on)
        .map(|c| c.arrest.first)
        .min()
        .unwrap_or(first_from)
        .min(first_from);
    let last = ends.last().copied().unwrap_or(base);
    let days = (last - base + 1).max(1) as usize;
    let mut groups: BTreeMap<Vec<u32>, Sweep> = BTreeMap::new();
    let mut keys: Vec<Vec<u32>> = Vec::new();
    for c in index.cases(known_on) {
        if c.status != Some(RecognitionStatus::Recognised) {
            continue;
        }
        // Every combination of the case's values (a multi-valued dimension adds one per value).
        keys.clear();
        keys.push(Vec::new());
        for dim in by {
            let values: Vec<u32> = if dim.is_multi() {
                let v = c.values(*dim);
                if v.is_empty() {
                    vec![UNKNOWN]
                } else {
                    v.to_vec()
                }
            } else {
                vec![c.fixed.get(*dim)]
            };
            keys = keys
                .iter()
                .flat_map(|k| {
                    values.iter().map(move |v| {
                        let mut k = k.clone();
                        k.push(*v);
                        k
                    })
                })
                .collect();
        }
        for key in &keys {
            let sweep = groups
                .entry(key.clone())
                .or_insert_with(|| Sweep::new(days, ends.len()));
            add(sweep, c, base, &ends, first_from);
        }
    }
    // Unidentified members of group detentions are political detentions of their step.
    for g in index.groups(known_on) {
        let mut keys: Vec<Vec<u32>> = vec![Vec::new()];
        for dim in by {
            let values = match dim {
                Dim::Context if !g.context.is_empty() => g.context.clone(),
                _ => vec![g.fixed.get(*dim)],
            };
            keys = keys
                .iter()
                .flat_map(|k| {
                    values.iter().map(move |v| {
                        let mut k = k.clone();
                        k.push(*v);
                        k
                    })
                })
                .collect();
        }
        for key in keys {
            let sweep = groups
                .entry(key)
                .or_insert_with(|| Sweep::new(days, ends.len()));
            add_events(
                &mut sweep.detentions,
                &ends,
                first_from,
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
    Ok(rows)
}
