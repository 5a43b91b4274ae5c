//! Comparing two reports field by field. Each field gets a level: 0 when one side does not know
//! it, 1 when they disagree, higher the more they agree. The levels are what the model weighs;
//! where two reports agree exactly on a name, how common that name is (its term frequency)
//! decides how much the agreement is worth: two `González` say less than two `Arocha`.

use std::collections::HashMap;

use vigilia_core::date::PartialDate;

use crate::phonetic::key;
use crate::report::{Report, cedula_similarity};

/// The fields compared, in this order.
pub const FIELDS: usize = 8;
/// Levels run from 0 (unknown) to `LEVELS - 1` (agree most).
pub const LEVELS: usize = 6;
/// The names of the fields, for explanations and `--pairs`.
pub const FIELD_NAMES: [&str; FIELDS] = [
    "cedula", "surnames", "given", "birth", "sex", "state", "arrest", "facility",
];
pub const CEDULA: usize = 0;
pub const SURNAMES: usize = 1;
pub const GIVEN: usize = 2;
pub const BIRTH: usize = 3;
pub const SEX: usize = 4;
pub const STATE: usize = 5;
pub const ARREST: usize = 6;
pub const FACILITY: usize = 7;

/// How common a name is taken to be before the reports say (one in a hundred)...
pub const NAME_SHARE: f64 = 0.01;
/// ...and how many reports that assumption counts for.
pub const NAME_REPORTS: f64 = 100.0;

/// A report prepared for many comparisons: phonetic keys computed once, names interned so
/// that their frequencies can be looked up.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// The phonetic keys of the surnames and given names, in order.
    pub surname_keys: Vec<String>,
    pub given_keys: Vec<String>,
    /// Interned ids of the first surname, the second, all given names, the first given name.
    pub names: [Option<u32>; 4],
    pub report: Report,
}

/// How often each interned name happens, as a share of the reports that have one.
#[derive(Clone, Debug, Default)]
pub struct Frequencies {
    /// Each kind's names and their ids.
    ids: [HashMap<String, u32>; 4],
    counts: Vec<u32>,
    totals: [u32; 4],
}

impl Frequencies {
    fn intern(&mut self, kind: usize, value: String) -> u32 {
        if let Some(t) = self.totals.get_mut(kind) {
            *t += 1;
        }
        let Some(ids) = self.ids.get_mut(kind) else {
            return 0;
        };
        let id = match ids.get(&value) {
            Some(id) => *id,
            None => {
                let next = self.counts.len() as u32;
                ids.insert(value, next);
                self.counts.push(0);
                next
            }
        };
        if let Some(c) = self.counts.get_mut(id as usize) {
            *c += 1;
        }
        id
    }

    /// The share of reports (with a value of that kind) that have the name `id`. A few reports
    /// say little about how common a name is: until there are many, the share leans towards
    /// one in a hundred ([`NAME_SHARE`] counted as [`NAME_REPORTS`] reports).
    pub fn share(&self, kind: usize, id: u32) -> f64 {
        let count = self.counts.get(id as usize).copied().unwrap_or(1);
        let total = self.totals.get(kind).copied().unwrap_or(1);
        (f64::from(count) + NAME_REPORTS * NAME_SHARE) / (f64::from(total) + NAME_REPORTS)
    }
}

/// The name values counted, by kind: first surname, second surname, all given names, the
/// first given name.
fn name_values(n: &crate::name::Name) -> [Option<String>; 4] {
    [
        n.surnames.first().cloned(),
        n.surnames.get(1).cloned(),
        (!n.given.is_empty()).then(|| n.given.join(" ")),
        n.given.first().cloned(),
    ]
}

impl Frequencies {
    /// Prepares a report for comparison and counts its names.
    pub fn add(&mut self, r: Report) -> Features {
        let mut names = [None; 4];
        for (kind, (slot, v)) in names.iter_mut().zip(name_values(&r.name)).enumerate() {
            *slot = v.map(|v| self.intern(kind, v));
        }
        Features::new(r, names)
    }

    /// No longer counts the names of a report prepared by [`Frequencies::add`].
    pub fn remove(&mut self, f: &Features) {
        for (kind, id) in f.names.iter().enumerate() {
            if let Some(id) = id {
                if let Some(c) = self.counts.get_mut(*id as usize) {
                    *c = c.saturating_sub(1);
                }
                if let Some(t) = self.totals.get_mut(kind) {
                    *t = t.saturating_sub(1);
                }
            }
        }
    }

    /// Prepares a report for comparison without counting it (a query).
    pub fn look_up(&self, r: Report) -> Features {
        let mut names = [None; 4];
        for (kind, (slot, v)) in names.iter_mut().zip(name_values(&r.name)).enumerate() {
            *slot = v.and_then(|v| self.ids.get(kind)?.get(&v).copied());
        }
        Features::new(r, names)
    }
}

impl Features {
    fn new(r: Report, names: [Option<u32>; 4]) -> Features {
        let n = &r.name;
        Features {
            surname_keys: n.surnames.iter().map(|s| key(s)).collect(),
            given_keys: n.given.iter().map(|s| key(s)).collect(),
            names,
            report: r,
        }
    }

    /// The share of reports with this report's name of `kind` (0 when unknown).
    fn share(&self, freq: &Frequencies, kind: usize) -> f32 {
        self.names
            .get(kind)
            .copied()
            .flatten()
            .map_or(0.0, |id| freq.share(kind, id) as f32)
    }
}

/// Prepares reports for comparison and counts how often each name happens among them.
pub fn prepare(reports: Vec<Report>) -> (Vec<Features>, Frequencies) {
    let mut freq = Frequencies::default();
    let features = reports.into_iter().map(|r| freq.add(r)).collect();
    (features, freq)
}

/// The comparison of two reports: a level per field, and for exact name agreements the share
/// of reports with that name (0 where no term frequency applies).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Comparison {
    pub levels: [u8; FIELDS],
    pub shares: [f32; FIELDS],
}

/// Whether two names are spelled closely (Jaro–Winkler at least 0.88).
fn close(a: &str, b: &str) -> bool {
    // Most names compared are far apart; a bound rules them out before the whole measure.
    // Jaro–Winkler adds at most 0.4 × (1 − Jaro), so 0.88 needs Jaro ≥ 0.8, and Jaro is at most
    // (c/|a| + c/|b| + 1) / 3 with c the letters the two have in common, wherever they are.
    if a.is_ascii() && b.is_ascii() && !a.is_empty() && !b.is_empty() {
        let mut counts = [0u32; 32];
        for x in a.bytes() {
            if let Some(n) = counts.get_mut(usize::from(x & 31)) {
                *n = n.saturating_add(1);
            }
        }
        let mut common = 0usize;
        for y in b.bytes() {
            if let Some(n) = counts.get_mut(usize::from(y & 31))
                && *n > 0
            {
                *n -= 1;
                common += 1;
            }
        }
        let c = common as f64;
        if c / (a.len() as f64) + c / (b.len() as f64) < 1.4 - 1e-9 {
            return false;
        }
    }
    strsim::jaro_winkler(a, b) >= 0.88
}

/// Surnames: 5 all equal (or the two swapped), 4 the first equal, 3 one surname in common or
/// sounding the same, 2 spelled closely, 1 different.
fn surnames(fa: &Features, fb: &Features, freq: &Frequencies) -> (u8, f32) {
    let (a, b) = (&fa.report.name, &fb.report.name);
    let (Some(x), Some(y)) = (a.surnames.first(), b.surnames.first()) else {
        return (0, 0.0);
    };
    let share = |kind: usize| fa.share(freq, kind);
    let swapped = a.surnames.len() == 2
        && b.surnames.len() == 2
        && a.surnames.first() == b.surnames.get(1)
        && a.surnames.get(1) == b.surnames.first();
    // Paternal and maternal surnames come down two different families: the chance that two
    // people share both is the product of their shares. (Brothers and sisters share both;
    // their given names tell them apart.)
    if a.surnames == b.surnames {
        let second = if a.surnames.len() > 1 { share(1) } else { 1.0 };
        return (5, share(0) * second);
    }
    if swapped {
        return (5, 0.0);
    }
    if x == y {
        // The second surname missing on one side counts as agreeing on what is known.
        if a.surnames.len() == 1 || b.surnames.len() == 1 {
            return (4, share(0));
        }
        let second = (a.surnames.get(1), b.surnames.get(1));
        let near = match second {
            (Some(p), Some(q)) => fa.surname_keys.get(1) == fb.surname_keys.get(1) || close(p, q),
            _ => false,
        };
        return if near { (4, 0.0) } else { (3, 0.0) };
    }
    let sounds = fa.surname_keys.first() == fb.surname_keys.first()
        && (a.surnames.len() == 1
            || b.surnames.len() == 1
            || fa.surname_keys.get(1) == fb.surname_keys.get(1));
    if sounds {
        return (4, 0.0);
    }
    if a.surnames.iter().any(|s| b.surnames.contains(s))
        || fa.surname_keys.first() == fb.surname_keys.first()
    {
        return (3, 0.0);
    }
    if close(x, y) {
        return (2, 0.0);
    }
    (1, 0.0)
}

/// Given names: 5 all equal, 4 the first equal, 3 sounding the same, 2 close or an initial
/// that fits, 1 different.
fn given(fa: &Features, fb: &Features, freq: &Frequencies) -> (u8, f32) {
    let (a, b) = (&fa.report.name, &fb.report.name);
    let share = |kind: usize| fa.share(freq, kind);
    match (a.given.first(), b.given.first()) {
        (Some(_), Some(_)) if a.given == b.given => (5, share(2)),
        (Some(x), Some(y)) if x == y => (4, share(3)),
        (Some(_), Some(_)) if fa.given_keys.first() == fb.given_keys.first() => (3, 0.0),
        (Some(x), Some(y)) if close(x, y) || a.given.contains(y) || b.given.contains(x) => (2, 0.0),
        (Some(x), None) if b.initials.first() == x.chars().next().as_ref() => (2, 0.0),
        (None, Some(y)) if a.initials.first() == y.chars().next().as_ref() => (2, 0.0),
        (Some(_), Some(_)) => (1, 0.0),
        _ => (0, 0.0),
    }
}

/// The year a report implies its person was born: from the birth date, or from the age at
/// arrest.
fn birth_year(r: &Report) -> Option<i16> {
    match (r.birth, r.age, r.arrest) {
        (Some(b), _, _) => Some(b.first_day().year()),
        (None, Some(age), Some(arrest)) => Some(arrest.first_day().year() - i16::from(age)),
        _ => None,
    }
}

/// Birth: 5 the same day, 4 day and month swapped, 3 two of year, month and day equal, 2 the
/// same year (or an age that fits), 1 different.
fn birth(a: &Report, b: &Report) -> u8 {
    if let (Some(x), Some(y)) = (a.birth, b.birth) {
        if x == y {
            return if x.is_exact() { 5 } else { 2 };
        }
        let (p, q) = (x.first_day(), y.first_day());
        if x.is_exact() && y.is_exact() {
            if p.year() == q.year() && p.month() == q.day() && p.day() == q.month() {
                return 4;
            }
            let same = [
                p.year() == q.year(),
                p.month() == q.month(),
                p.day() == q.day(),
            ];
            if same.iter().filter(|s| **s).count() == 2 {
                return 3;
            }
        }
        if overlaps(&x, &y) || p.year() == q.year() {
            return 2;
        }
        return 1;
    }
    match (birth_year(a), birth_year(b)) {
        (Some(x), Some(y)) if (x - y).abs() <= 1 => 2,
        (Some(_), Some(_)) => 1,
        _ => match (a.age, b.age) {
            (Some(x), Some(y)) if x.abs_diff(y) <= 1 => 2,
            (Some(_), Some(_)) => 1,
            _ => 0,
        },
    }
}

fn overlaps(x: &PartialDate, y: &PartialDate) -> bool {
    x.first_day() <= y.last_day() && y.first_day() <= x.last_day()
}

/// Arrest: 4 the same day, 3 within a week, 2 dates that may be the same (a month written for a
/// day), 1 different.
fn arrest(a: &Report, b: &Report) -> u8 {
    let (Some(x), Some(y)) = (a.arrest, b.arrest) else {
        return 0;
    };
    if x == y && x.is_exact() {
        return 4;
    }
    if x.is_exact()
        && y.is_exact()
        && (x.first_day().duration_since(y.first_day()).as_hours().abs() <= 7 * 24)
    {
        return 3;
    }
    if overlaps(&x, &y) { 2 } else { 1 }
}

/// Compares two prepared reports.
pub fn compare(a: &Features, b: &Features, freq: &Frequencies) -> Comparison {
    let (ra, rb) = (&a.report, &b.report);
    let cedula = match (&ra.cedula, &rb.cedula) {
        (Some(x), Some(y)) => match cedula_similarity(x, y) {
            s if s >= 1.0 => 3,
            s if s > 0.0 => 2,
            _ => 1,
        },
        _ => 0,
    };
    let (surname, surname_share) = surnames(a, b, freq);
    let (given, given_share) = given(a, b, freq);
    fn equal<T: PartialEq>(x: &Option<T>, y: &Option<T>) -> u8 {
        match (x, y) {
            (Some(p), Some(q)) if p == q => 2,
            (Some(_), Some(_)) => 1,
            _ => 0,
        }
    }
    let mut shares = [0.0; FIELDS];
    if let Some(s) = shares.get_mut(SURNAMES) {
        *s = surname_share;
    }
    if let Some(s) = shares.get_mut(GIVEN) {
        *s = given_share;
    }
    Comparison {
        levels: [
            cedula,
            surname,
            given,
            birth(ra, rb),
            equal(&ra.sex, &rb.sex),
            equal(&ra.state, &rb.state),
            arrest(ra, rb),
            equal(&ra.facility, &rb.facility),
        ],
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::{arrest, close};
    use crate::report::Report;
    use vigilia_core::date::PartialDate;

    #[test]
    fn the_bound_rules_out_only_names_that_are_not_close() {
        let words = [
            "gonzalez",
            "gonsales",
            "rodriguez",
            "rodrigues",
            "perez",
            "peres",
            "pena",
            "marcano",
            "marcnao",
            "quintero",
            "quintreo",
            "escalona",
            "ana",
            "nana",
            "an",
            "a",
            "jose",
            "josue",
            "migguel",
            "miguel",
            "de la cruz",
            "delacruz",
            "x",
            "zz",
            "aa",
            "yanotar",
        ];
        for a in words {
            for b in words {
                assert_eq!(close(a, b), strsim::jaro_winkler(a, b) >= 0.88, "{a} / {b}");
            }
        }
    }

    #[test]
    fn arrests_a_week_apart_are_near_across_months_and_leap_days() {
        let on = |d: &str| Report {
            arrest: Some(PartialDate::parse(d).unwrap()),
            ..Report::default()
        };
        assert_eq!(arrest(&on("2024-02-27"), &on("2024-03-04")), 3, "six days");
        assert_eq!(
            arrest(&on("2024-03-04"), &on("2024-02-27")),
            3,
            "either way"
        );
        assert_eq!(
            arrest(&on("2023-12-29"), &on("2024-01-05")),
            3,
            "seven days"
        );
        assert_eq!(
            arrest(&on("2024-02-20"), &on("2024-02-28")),
            1,
            "eight days"
        );
        assert_eq!(arrest(&on("2024-02-20"), &on("2024-02")), 2, "a month");
    }
}
