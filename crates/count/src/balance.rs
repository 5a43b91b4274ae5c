//! A balance: the figures of `foro-penal-1` for one date, as known now or on a past day.

use std::collections::BTreeMap;

use serde::Serialize;
use vigilia_core::date::Day;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::{EndType, RecognitionStatus};

use crate::index::{Case, DayNo, Dim, FALSE, Index, Span, TRUE, UNKNOWN, day_no};

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

    fn add(&mut self, c: &Case, d: DayNo) {
        for (dim, counts) in Dim::ALL.iter().zip(self.counts.iter_mut()) {
            if dim.is_multi() {
                let values = c.values(*dim);
                if values.is_empty()
                    && let Some(x) = counts.get_mut(UNKNOWN as usize)
                {
                    *x += 1;
                }
                for v in values {
                    if let Some(x) = counts.get_mut(*v as usize) {
                        *x += 1;
                    }
                }
            } else if let Some(x) = counts.get_mut(value(c, *dim, d) as usize) {
                *x += 1;
            }
        }
    }

    fn into_by(self, index: &Index) -> BTreeMap<&'static str, BTreeMap<String, u64>> {
        Dim::ALL
            .iter()
            .zip(self.counts)
            .map(|(dim, counts)| {
                let values = counts
                    .iter()
                    .enumerate()
                    .filter(|(id, n)| **n > 0 || dim_lists_zero(*dim, *id))
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

/// Counts the balance at `as_of`, as known on `known_on`, with movements since `since`.
pub fn balance(index: &Index, as_of: Day, known_on: KnownOn, since: Day) -> Balance {
    let d = day_no(as_of);
    let p = day_no(since);
    let mut held_tally = Tally::new(index);
    let mut prisoner_tally = Tally::new(index);
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
    let (mut held_count, mut prisoner_count) = (Count::default(), Count::default());
    for c in index.cases(known_on) {
        match c.status {
            Some(RecognitionStatus::Recognised) => {}
            Some(RecognitionStatus::UnderStudy) => {
                b.under_study.add(held(c, d));
                continue;
            }
            _ => continue,
        }
        let h = held(c, d);
        held_count.add(h);
        if h.0 {
            held_tally.add(c, d);
        }
        let pr = prisoner(c, d);
        prisoner_count.add(pr);
        if pr.0 {
            prisoner_tally.add(c, d);
        }
        let (arrested_c, arrested_p) = (c.arrest.last <= d, c.arrest.first <= d);
        b.cumulative.political_detentions += u64::from(arrested_c);
        b.cumulative.political_detentions_upper += u64::from(arrested_p);
        let (in_c, in_p) = within(c.arrest, p, d);
        b.period.political_detentions += u64::from(in_c);
        b.period.upper.political_detentions += u64::from(in_p);
        if in_c {
            add_by(
                &mut b.period.by,
                index,
                &PERIOD_DIMS,
                &c.fixed,
                |dim| c.values(dim).to_vec(),
                1,
            );
        }
        // Became a prisoner in the period: the day arrest + 2 falls in it, still held that day.
        let becomes = Span {
            first: c.arrest.first + PRISONER_AFTER_DAYS,
            last: c.arrest.last + PRISONER_AFTER_DAYS,
        };
        let (b_c, b_p) = within(becomes, p, d);
        let (still_c, still_p) = match &c.end {
            None => (true, true),
            Some((end, _)) => (end.first > becomes.last, end.last > becomes.first),
        };
        b.period.new_prisoners += u64::from(b_c && still_c);
        b.period.upper.new_prisoners += u64::from(b_p && still_p);
        if let Some((end, kind)) = &c.end {
            let (e_c, e_p) = within(*end, p, d);
            if e_c {
                *b.period.ends_by_type.entry(kind.name()).or_insert(0) += 1;
            }
            if e_p {
                *b.period.upper.ends_by_type.entry(kind.name()).or_insert(0) += 1;
            }
            let (was_c, was_p) = (
                end.first - c.arrest.last > PRISONER_AFTER_DAYS,
                end.last - c.arrest.first > PRISONER_AFTER_DAYS,
            );
            if is_release(*kind) {
                b.period.releases += u64::from(e_c);
                b.period.upper.releases += u64::from(e_p);
                b.period.prisoner_releases += u64::from(e_c && was_c);
                b.period.upper.prisoner_releases += u64::from(e_p && was_p);
            }
            if *kind == EndType::DiedInCustody {
                b.period.deaths += u64::from(e_c);
                b.period.upper.deaths += u64::from(e_p);
            }
        }
    }
    for g in index.groups(known_on) {
        let (arrested_c, arrested_p) = (g.arrest.last <= d, g.arrest.first <= d);
        b.cumulative.political_detentions += g.unidentified * u64::from(arrested_c);
        b.cumulative.political_detentions_upper += g.unidentified * u64::from(arrested_p);
        let (in_c, in_p) = within(g.arrest, p, d);
        let is_event = u64::from(g.count > 0);
        b.period.events += is_event * u64::from(in_c);
        b.period.upper.events += is_event * u64::from(in_p);
        b.period.political_detentions += g.unidentified * u64::from(in_c);
        b.period.upper.political_detentions += g.unidentified * u64::from(in_p);
        if in_c {
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
    b.held = Figure {
        total: held_count.lower,
        lower: held_count.lower,
        upper: held_count.upper,
        by: held_tally.into_by(index),
    };
    b.political_prisoners = Figure {
        total: prisoner_count.lower,
        lower: prisoner_count.lower,
        upper: prisoner_count.upper,
        by: prisoner_tally.into_by(index),
    };
    b
}
