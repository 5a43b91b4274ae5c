//! A balance: the figures of `foro-penal-1` for one date, as known now or on a past day.

use std::collections::BTreeMap;

use serde::Serialize;
use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::EndType;

use crate::index::{
    Case, DayNo, Dim, FALSE, GroupCase, Index, NO_END, Span, TRUE, UNKNOWN, day_no,
};
use crate::totals::{self, Layout};

/// The name of the rule set these figures follow.
pub const RULES: &str = "foro-penal-1";

/// Days from the arrest after which a detainee held is a political prisoner (48 hours).
pub const PRISONER_AFTER_DAYS: DayNo = 2;

/// A stock with its breakdowns. `total` is the certain count (`lower`); every breakdown counts
/// the same detentions as `total`, so a single-valued breakdown sums to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub total: u64,
    pub lower: u64,
    pub upper: u64,
    pub by: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

/// A count that may be uncertain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub total: u64,
    pub lower: u64,
    pub upper: u64,
}

impl Count {
    fn add(&mut self, (certain, possible): (bool, bool)) {
        self.lower += u64::from(certain);
        self.total = self.lower;
        self.upper += u64::from(possible);
    }
}

/// Movements in the period (from, to].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    /// Political detentions in the period, unidentified members of group detentions included.
    pub political_detentions: u64,
    /// Group detentions (events where people were detained together) in the period.
    pub events: u64,
    pub new_prisoners: u64,
    pub releases: u64,
    pub prisoner_releases: u64,
    pub deaths: u64,
    pub ends_by_type: BTreeMap<&'static str, u64>,
    /// The period's political detentions by the dimensions that do not change with the date.
    pub by: BTreeMap<&'static str, BTreeMap<String, u64>>,
    /// The period's events by state, agency and context.
    pub events_by: BTreeMap<&'static str, BTreeMap<String, u64>>,
    /// The same figures counting every uncertain date the way that counts it.
    pub upper: PeriodUpper,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PeriodUpper {
    pub political_detentions: u64,
    pub events: u64,
    pub new_prisoners: u64,
    pub releases: u64,
    pub prisoner_releases: u64,
    pub deaths: u64,
    pub ends_by_type: BTreeMap<&'static str, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cumulative {
    pub political_detentions: u64,
    pub political_detentions_upper: u64,
}

/// The balance for one date (see `docs/balance.md` for the JSON it is written as).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub as_of: String,
    pub known_on: Option<String>,
    pub rules: &'static str,
    pub ledger_head: String,
    pub political_prisoners: Figure,
    pub held: Figure,
    pub period: Period,
    pub cumulative: Cumulative,
    pub under_study: Count,
}

impl Balance {
    /// The balance as JSON: the stable interface of `docs/balance.md`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Whether a detention was held at `d`: (certainly, possibly). House arrest and whereabouts
/// unknown are held; any end is an end.
pub fn held(c: &Case, d: DayNo) -> (bool, bool) {
    let (ended_certain, ended_possible) = match &c.end {
        None => (false, false),
        Some((end, _)) => (end.last <= d, end.first <= d),
    };
    (
        c.arrest.last <= d && !ended_possible,
        c.arrest.first <= d && !ended_certain,
    )
}

/// Held at `d` and held at least 48 hours (arrest + 2 ≤ d): (certainly, possibly).
pub fn prisoner(c: &Case, d: DayNo) -> (bool, bool) {
    let (h_c, h_p) = held(c, d);
    (
        h_c && c.arrest.last + PRISONER_AFTER_DAYS <= d,
        h_p && c.arrest.first + PRISONER_AFTER_DAYS <= d,
    )
}

/// Whether a span falls in the period (p, d]: (certainly, possibly).
fn within(s: Span, p: DayNo, d: DayNo) -> (bool, bool) {
    (s.first > p && s.last <= d, s.last > p && s.first <= d)
}

fn is_release(t: EndType) -> bool {
    matches!(t, EndType::Released | EndType::ReleasedUnderMeasures)
}

/// The value of a dimension for a detention on day `d`.
pub fn value(c: &Case, dim: Dim, d: DayNo) -> u32 {
    match dim {
        // By the birth date when there is one; else by this detention's own flag (under 18 at
        // this arrest), never another detention's.
        Dim::Age => match (c.adult_from, c.minor) {
            (Some(a), _) if d < a.first => 2,
            (Some(a), _) if d >= a.last => 1,
            (Some(_), _) => UNKNOWN,
            (None, Some(true)) => 2,
            (None, Some(false)) => 1,
            (None, None) => UNKNOWN,
        },
        Dim::Convicted => match c.convicted {
            Some(s) if s.last <= d => TRUE,
            Some(s) if s.first <= d => UNKNOWN,
            _ => FALSE,
        },
        Dim::WhereaboutsUnknown => {
            let mut v = false;
            for (from, unknown) in &c.whereabouts {
                if *from <= d {
                    v = *unknown;
                }
            }
            if v { TRUE } else { FALSE }
        }
        Dim::HouseArrest => {
            let mut v = false;
            for s in &c.custody {
                if s.from <= d {
                    v = s.house_arrest;
                }
            }
            if v { TRUE } else { FALSE }
        }
        Dim::Facility => {
            let mut v = UNKNOWN;
            for s in &c.custody {
                if s.from <= d
                    && let Some(f) = s.facility
                {
                    v = f;
                }
            }
            v
        }
        Dim::Charge | Dim::Context => c.values(dim).first().copied().unwrap_or(UNKNOWN),
        _ => c.fixed.get(dim),
    }
}

impl Case {
    /// The values of a multi-valued dimension (charges, context).
    pub fn values(&self, dim: Dim) -> &[u32] {
        match dim {
            Dim::Charge => &self.charges,
            Dim::Context => &self.context,
            _ => &[],
        }
    }
}

/// Counts per dimension value, for one figure.
#[derive(Clone)]
struct Tally {
    counts: Vec<Vec<u64>>,
}

impl Tally {
    fn new(index: &Index) -> Tally {
        Tally {
            counts: Dim::ALL
                .iter()
                .map(|d| vec![0; index.names.count(*d)])
                .collect(),
        }
    }

    fn bump(counts: &mut [u64], v: u32, n: u64) {
        if let Some(x) = counts.get_mut(v as usize) {
            *x += n;
        }
    }

    /// One detention under the values already worked out for it (`values[dim]` for the
    /// single-valued dimensions; multi-valued ones read from the case).
    fn add_values(&mut self, c: &Case, values: &[u32; 13]) {
        for (dim, counts) in Dim::ALL.iter().zip(self.counts.iter_mut()) {
            if dim.is_multi() {
                let vs = c.values(*dim);
                if vs.is_empty() {
                    Self::bump(counts, UNKNOWN, 1);
                }
                for v in vs {
                    Self::bump(counts, *v, 1);
                }
            } else {
                Self::bump(
                    counts,
                    values.get(*dim as usize).copied().unwrap_or(UNKNOWN),
                    1,
                );
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            for (x, y) in mine.iter_mut().zip(theirs) {
                *x += y;
            }
        }
    }

    fn into_by(
        self,
        index: &Index,
        dims: &[Dim],
        zeros: bool,
    ) -> BTreeMap<&'static str, BTreeMap<String, u64>> {
        Dim::ALL
            .iter()
            .zip(self.counts)
            .filter(|(dim, _)| dims.contains(dim))
            .map(|(dim, counts)| {
                let values = counts
                    .iter()
                    .enumerate()
                    .filter(|(id, n)| **n > 0 || (zeros && dim_lists_zero(*dim, *id)))
                    .map(|(id, n)| (index.names.name(*dim, id as u32).to_string(), *n))
                    .collect();
                (dim.name(), values)
            })
            .collect()
    }
}

/// Fixed vocabularies (sex, yes/no, …) show every value, zeros included; open ones (places,
/// agencies) only the values that occur.
fn dim_lists_zero(dim: Dim, id: usize) -> bool {
    match dim {
        Dim::Sex => id < 4,
        Dim::CivilianMilitary
        | Dim::Age
        | Dim::Convicted
        | Dim::WhereaboutsUnknown
        | Dim::HouseArrest => id < 3,
        Dim::Nationality | Dim::Category => id < 4,
        _ => false,
    }
}

/// The dimensions a period's movements are broken down by: those fixed for a detention.
pub const PERIOD_DIMS: [Dim; 8] = [
    Dim::Sex,
    Dim::CivilianMilitary,
    Dim::Nationality,
    Dim::State,
    Dim::Agency,
    Dim::Category,
    Dim::Charge,
    Dim::Context,
];

/// Adds `n` under a case's (or group's) values of `dims` in `by`.
fn add_by(
    by: &mut BTreeMap<&'static str, BTreeMap<String, u64>>,
    index: &Index,
    dims: &[Dim],
    fixed: &crate::index::Fixed,
    multi: impl Fn(Dim) -> Vec<u32>,
    n: u64,
) {
    for dim in dims {
        let values = if dim.is_multi() {
            multi(*dim)
        } else {
            vec![fixed.get(*dim)]
        };
        let values = if values.is_empty() {
            vec![UNKNOWN]
        } else {
            values
        };
        let entry = by.entry(dim.name()).or_default();
        for v in values {
            *entry
                .entry(index.names.name(*dim, v).to_string())
                .or_insert(0) += n;
        }
    }
}

/// Everything a balance counts, for part of the detentions; parts are merged.
#[derive(Clone)]
pub(crate) struct Acc {
    held: Count,
    prisoners: Count,
    under_study: Count,
    cumulative: (u64, u64),
    detentions: (u64, u64),
    new_prisoners: (u64, u64),
    releases: (u64, u64),
    prisoner_releases: (u64, u64),
    deaths: (u64, u64),
    ends: [(u64, u64); 6],
    held_tally: Tally,
    prisoner_tally: Tally,
    period_tally: Tally,
}

fn add2(x: &mut (u64, u64), (c, p): (bool, bool)) {
    x.0 += u64::from(c);
    x.1 += u64::from(p);
}

fn add_count(x: &mut Count, other: Count) {
    x.lower += other.lower;
    x.upper += other.upper;
    x.total = x.lower;
}

impl Acc {
    fn new(index: &Index) -> Acc {
        Acc {
            held: Count::default(),
            prisoners: Count::default(),
            under_study: Count::default(),
            cumulative: (0, 0),
            detentions: (0, 0),
            new_prisoners: (0, 0),
            releases: (0, 0),
            prisoner_releases: (0, 0),
            deaths: (0, 0),
            ends: [(0, 0); 6],
            held_tally: Tally::new(index),
            prisoner_tally: Tally::new(index),
            period_tally: Tally::new(index),
        }
    }

    fn merge(&mut self, o: Acc) {
        add_count(&mut self.held, o.held);
        add_count(&mut self.prisoners, o.prisoners);
        add_count(&mut self.under_study, o.under_study);
        for (x, y) in [
            (&mut self.cumulative, o.cumulative),
            (&mut self.detentions, o.detentions),
            (&mut self.new_prisoners, o.new_prisoners),
            (&mut self.releases, o.releases),
            (&mut self.prisoner_releases, o.prisoner_releases),
            (&mut self.deaths, o.deaths),
        ] {
            x.0 += y.0;
            x.1 += y.1;
        }
        for (x, y) in self.ends.iter_mut().zip(o.ends) {
            x.0 += y.0;
            x.1 += y.1;
        }
        self.held_tally.merge(o.held_tally);
        self.prisoner_tally.merge(o.prisoner_tally);
        self.period_tally.merge(o.period_tally);
    }

    /// The accumulated figures from running totals' figures (see `totals::Layout`).
    fn from_figures(layout: &Layout, fig: &[i64], index: &Index) -> Acc {
        let get = |col: usize| u64::try_from(fig.get(col).copied().unwrap_or(0)).unwrap_or(0);
        let pair = |kind: u32| (get(layout.kind(kind)), get(layout.kind(kind) + 1));
        let count = |c: u32, p: u32| Count {
            total: get(c as usize),
            lower: get(c as usize),
            upper: get(p as usize),
        };
        let mut acc = Acc::new(index);
        acc.held = count(totals::HELD_C, totals::HELD_P);
        acc.prisoners = count(totals::PRIS_C, totals::PRIS_P);
        acc.under_study = count(totals::STUDY_C, totals::STUDY_P);
        acc.cumulative = (get(totals::CUM_C as usize), get(totals::CUM_P as usize));
        acc.detentions = pair(totals::ARREST);
        acc.new_prisoners = (
            pair(totals::NEW_PRISONER_C).0,
            pair(totals::NEW_PRISONER_P).1,
        );
        acc.releases = pair(totals::RELEASE);
        acc.prisoner_releases = (
            pair(totals::PRISONER_RELEASE_C).0,
            pair(totals::PRISONER_RELEASE_P).1,
        );
        acc.deaths = pair(totals::DEATH);
        for (k, e) in acc.ends.iter_mut().enumerate() {
            *e = pair(totals::END + k as u32);
        }
        for dim in Dim::ALL {
            let d = dim as usize;
            let period = PERIOD_DIMS.contains(&dim);
            for v in 0..index.names.count(dim) as u32 {
                let set = |t: &mut Tally, n: u64| {
                    if let Some(x) = t.counts.get_mut(d).and_then(|c| c.get_mut(v as usize)) {
                        *x = n;
                    }
                };
                set(&mut acc.held_tally, get(layout.held_tally(dim, v) as usize));
                set(
                    &mut acc.prisoner_tally,
                    get(layout.prisoner_tally(dim, v) as usize),
                );
                if period {
                    set(
                        &mut acc.period_tally,
                        pair(totals::BY_VALUE + layout.at(dim, v)).0,
                    );
                }
            }
        }
        acc
    }

    /// The inverse of [`Acc::from_figures`].
    fn to_figures(&self, layout: &Layout) -> Vec<i64> {
        let mut fig = vec![0i64; layout.width()];
        let mut set = |col: usize, n: u64| {
            if let Some(x) = fig.get_mut(col) {
                *x = i64::try_from(n).unwrap_or(i64::MAX);
            }
        };
        let pairs = [
            (totals::ARREST, self.detentions),
            (totals::NEW_PRISONER_C, self.new_prisoners),
            (totals::NEW_PRISONER_P, self.new_prisoners),
            (totals::RELEASE, self.releases),
            (totals::PRISONER_RELEASE_C, self.prisoner_releases),
            (totals::PRISONER_RELEASE_P, self.prisoner_releases),
            (totals::DEATH, self.deaths),
        ];
        for (kind, (c, p)) in pairs.into_iter().chain(
            self.ends
                .iter()
                .enumerate()
                .map(|(k, e)| (totals::END + k as u32, *e)),
        ) {
            set(layout.kind(kind), c);
            set(layout.kind(kind) + 1, p);
        }
        for (col, n) in [
            (totals::HELD_C, self.held.lower),
            (totals::HELD_P, self.held.upper),
            (totals::PRIS_C, self.prisoners.lower),
            (totals::PRIS_P, self.prisoners.upper),
            (totals::STUDY_C, self.under_study.lower),
            (totals::STUDY_P, self.under_study.upper),
            (totals::CUM_C, self.cumulative.0),
            (totals::CUM_P, self.cumulative.1),
        ] {
            set(col as usize, n);
        }
        for dim in Dim::ALL {
            let counts = |t: &Tally| t.counts.get(dim as usize).cloned().unwrap_or_default();
            for (v, n) in counts(&self.held_tally).into_iter().enumerate() {
                set(layout.held_tally(dim, v as u32) as usize, n);
            }
            for (v, n) in counts(&self.prisoner_tally).into_iter().enumerate() {
                set(layout.prisoner_tally(dim, v as u32) as usize, n);
            }
            if PERIOD_DIMS.contains(&dim) {
                for (v, n) in counts(&self.period_tally).into_iter().enumerate() {
                    set(layout.kind(totals::BY_VALUE + layout.at(dim, v as u32)), n);
                }
            }
        }
        fig
    }

    /// Counts detentions `range` of the index from its columns; the full case is read only
    /// for the detentions that enter a breakdown.
    fn count(
        &mut self,
        index: &Index,
        range: std::ops::Range<usize>,
        d: DayNo,
        p: DayNo,
        k: Option<DayNo>,
    ) {
        for i in range {
            if let Some(r) = index.cols.row(i, k) {
                self.count_row(index, i, r, d, p);
            }
        }
    }

    /// Counts the version at row `r` of the columns, of detention `i`.
    fn count_row(&mut self, index: &Index, i: usize, r: usize, d: DayNo, p: DayNo) {
        let cols = &index.cols;
        let get = |v: &[DayNo], r: usize| v.get(r).copied().unwrap_or(NO_END);
        {
            let status = cols.status.get(r).copied().unwrap_or(0);
            if status != 1 && status != 2 {
                return;
            }
            let (af, al) = (get(&cols.a_first, r), get(&cols.a_last, r));
            let (ef, el) = (get(&cols.e_first, r), get(&cols.e_last, r));
            let held = (al <= d && ef > d, af <= d && el > d);
            if status == 2 {
                add2_count(&mut self.under_study, held);
                return;
            }
            add2_count(&mut self.held, held);
            let prisoner = (
                held.0 && al + PRISONER_AFTER_DAYS <= d,
                held.1 && af + PRISONER_AFTER_DAYS <= d,
            );
            add2_count(&mut self.prisoners, prisoner);
            add2(&mut self.cumulative, (al <= d, af <= d));
            let arrested_in = (af > p && al <= d, al > p && af <= d);
            add2(&mut self.detentions, arrested_in);
            let (bf, bl) = (af + PRISONER_AFTER_DAYS, al + PRISONER_AFTER_DAYS);
            let becomes = (bf > p && bl <= d, bl > p && bf <= d);
            add2(
                &mut self.new_prisoners,
                (becomes.0 && ef > bl, becomes.1 && el > bf),
            );
            if ef != NO_END {
                let ended_in = (ef > p && el <= d, el > p && ef <= d);
                let kind = cols.end_kind.get(r).copied().unwrap_or(255) as usize;
                if let Some(e) = self.ends.get_mut(kind) {
                    add2(e, ended_in);
                }
                let kind = EndType::ALL.get(kind).copied().unwrap_or(EndType::Unknown);
                if is_release(kind) {
                    add2(&mut self.releases, ended_in);
                    let was = (ef - al > PRISONER_AFTER_DAYS, el - af > PRISONER_AFTER_DAYS);
                    add2(
                        &mut self.prisoner_releases,
                        (ended_in.0 && was.0, ended_in.1 && was.1),
                    );
                }
                if kind == EndType::DiedInCustody {
                    add2(&mut self.deaths, ended_in);
                }
            }
            if held.0 || prisoner.0 || arrested_in.0 {
                let Some(c) = index.case_at(i, r) else {
                    return;
                };
                if held.0 {
                    // Every value once, for both the held and the prisoners' breakdowns.
                    let mut values = [UNKNOWN; 13];
                    for dim in Dim::ALL {
                        if !dim.is_multi()
                            && let Some(v) = values.get_mut(dim as usize)
                        {
                            *v = value(c, dim, d);
                        }
                    }
                    self.held_tally.add_values(c, &values);
                    if prisoner.0 {
                        self.prisoner_tally.add_values(c, &values);
                    }
                }
                if arrested_in.0 {
                    // The period's breakdowns are of dimensions fixed for a detention.
                    self.period_tally.add_values(c, &c.fixed.0);
                }
            }
        }
    }
}

fn add2_count(x: &mut Count, (c, p): (bool, bool)) {
    x.add((c, p));
}

/// Below this many detentions one thread counts faster than two.
const PARALLEL_FROM: usize = 50_000;

/// Counts the balance at `as_of`, as known on `known_on`, with movements since `since`: the
/// identified detentions first, then the unidentified members of group detentions.
pub fn balance(index: &Index, as_of: Day, known_on: KnownOn, since: Day) -> Balance {
    let d = day_no(as_of);
    let p = day_no(since);
    let k = known_on.0.map(day_no);
    let acc = from_totals(index, d, p, k).unwrap_or_else(|| count_detentions(index, d, p, k));
    let mut b = Balance {
        as_of: as_of.to_string(),
        known_on: known_on.0.map(|k| k.to_string()),
        rules: RULES,
        period: Period {
            from: since.to_string(),
            to: as_of.to_string(),
            ..Period::default()
        },
        ..Balance::default()
    };
    b.under_study = acc.under_study;
    b.cumulative.political_detentions = acc.cumulative.0;
    b.cumulative.political_detentions_upper = acc.cumulative.1;
    add_movements(&mut b.period, &acc);
    b.period.by = acc.period_tally.into_by(index, &PERIOD_DIMS, false);
    for g in index.groups(known_on) {
        add_group(&mut b, index, g, p, d);
    }
    b.held = figure(acc.held, acc.held_tally, index);
    b.political_prisoners = figure(acc.prisoners, acc.prisoner_tally, index);
    b
}

/// The figures of (p, d] as known on `k` read from the index's running totals, when it keeps
/// them and they apply: a period that ends after it starts, and the values they were laid
/// out for. The changes the totals leave out (inside the block `k` falls in) are counted
/// directly.
pub(crate) fn from_totals(index: &Index, d: DayNo, p: DayNo, k: Option<DayNo>) -> Option<Acc> {
    let t = index.totals.as_deref()?;
    if p >= d || t.layout != Layout::of(index) {
        return None;
    }
    let (mut fig, direct) = t.figures((p, d), k, u32::MAX);
    // The changes left out, counted directly: a version in, the one it replaced out (or the
    // other way round for changes the tables hold but `k` does not).
    let (mut plus, mut minus) = (Acc::new(index), Acc::new(index));
    for (i, at, sign) in direct {
        let i = i as usize;
        let first = *index.cols.offsets.get(i)? as usize;
        let (added, taken) = if sign > 0 {
            (&mut plus, &mut minus)
        } else {
            (&mut minus, &mut plus)
        };
        added.count_row(index, i, first + at as usize, d, p);
        if at > 0 {
            taken.count_row(index, i, first + at as usize - 1, d, p);
        }
    }
    for ((x, a), b) in fig
        .iter_mut()
        .zip(plus.to_figures(&t.layout))
        .zip(minus.to_figures(&t.layout))
    {
        *x += a - b;
    }
    Some(Acc::from_figures(&t.layout, &fig, index))
}

/// Counts every detention of the index at `d`, with movements in (p, d], as known on `k`;
/// above [`PARALLEL_FROM`] in two halves on two threads, then merged.
fn count_detentions(index: &Index, d: DayNo, p: DayNo, k: Option<DayNo>) -> Acc {
    let n = index.cols.len();
    let mut acc = Acc::new(index);
    if n < PARALLEL_FROM {
        acc.count(index, 0..n, d, p, k);
        return acc;
    }
    let half = n / 2;
    let other = std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let mut a = Acc::new(index);
            a.count(index, half..n, d, p, k);
            a
        });
        acc.count(index, 0..half, d, p, k);
        handle.join().ok()
    });
    match other {
        Some(o) => acc.merge(o),
        // A counting thread cannot panic short of a bug; count its half here rather than lose it.
        None => acc.count(index, half..n, d, p, k),
    }
    acc
}

/// The period's movements of the identified detentions: political detentions, new
/// prisoners, releases, prisoner releases, deaths and ends by type, certain and possible.
fn add_movements(period: &mut Period, acc: &Acc) {
    period.political_detentions = acc.detentions.0;
    period.upper.political_detentions = acc.detentions.1;
    period.new_prisoners = acc.new_prisoners.0;
    period.upper.new_prisoners = acc.new_prisoners.1;
    period.releases = acc.releases.0;
    period.upper.releases = acc.releases.1;
    period.prisoner_releases = acc.prisoner_releases.0;
    period.upper.prisoner_releases = acc.prisoner_releases.1;
    period.deaths = acc.deaths.0;
    period.upper.deaths = acc.deaths.1;
    for (kind, (c, u)) in EndType::ALL.iter().zip(acc.ends) {
        if c > 0 {
            period.ends_by_type.insert(kind.name(), c);
        }
        if u > 0 {
            period.upper.ends_by_type.insert(kind.name(), u);
        }
    }
}

/// Adds a group detention: its unidentified members to the cumulative political detentions
/// and, arrested in (p, d], to the period's (with their breakdowns); the group itself as an
/// event of the period when anyone was detained in it.
fn add_group(b: &mut Balance, index: &Index, g: &GroupCase, p: DayNo, d: DayNo) {
    let (arrested_c, arrested_p) = (g.arrest.last <= d, g.arrest.first <= d);
    b.cumulative.political_detentions += g.unidentified * u64::from(arrested_c);
    b.cumulative.political_detentions_upper += g.unidentified * u64::from(arrested_p);
    let (in_c, in_p) = within(g.arrest, p, d);
    let is_event = u64::from(g.count > 0);
    b.period.events += is_event * u64::from(in_c);
    b.period.upper.events += is_event * u64::from(in_p);
    b.period.political_detentions += g.unidentified * u64::from(in_c);
    b.period.upper.political_detentions += g.unidentified * u64::from(in_p);
    if in_c && g.count > 0 {
        let context = |dim: Dim| {
            if dim == Dim::Context {
                g.context.clone()
            } else {
                Vec::new()
            }
        };
        add_by(
            &mut b.period.by,
            index,
            &PERIOD_DIMS,
            &g.fixed,
            context,
            g.unidentified,
        );
        add_by(
            &mut b.period.events_by,
            index,
            &[Dim::State, Dim::Agency, Dim::Context],
            &g.fixed,
            context,
            1,
        );
    }
}

/// A stock (held, political prisoners) with its breakdown by every dimension.
fn figure(count: Count, tally: Tally, index: &Index) -> Figure {
    Figure {
        total: count.lower,
        lower: count.lower,
        upper: count.upper,
        by: tally.into_by(index, &Dim::ALL, true),
    }
}
