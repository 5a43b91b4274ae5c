//! The counting index: every detention reduced to what the rules of `foro-penal-1` look at,
//! kept in memory, with one version per day on which what the organisation knew about it
//! changed — so that counting "as known on K" picks, for each detention, the last version
//! recorded on or before K, without touching the ledger.
//!
//! It is built from the ledger's facts (`IndexBuilder`), never from SQL, and is fully
//! determined by them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::Fact;
use vigilia_core::fold::{self, KnownOn, Record};
use vigilia_core::model::{
    Custody, Detention, EndType, Person, RecognitionStatus, Service, Sex, Step,
};
use vigilia_core::profile::Profile;

/// A whole day as a number (days since 1970-01-01), for fast comparisons.
pub type DayNo = i32;

pub fn day_no(d: Day) -> DayNo {
    let epoch = jiff::civil::date(1970, 1, 1);
    (d - epoch).get_days()
}

pub fn day_of(n: DayNo) -> Day {
    let epoch = jiff::civil::date(1970, 1, 1);
    epoch
        .checked_add(jiff::Span::new().days(i64::from(n)))
        .unwrap_or(epoch)
}

/// The days a partial date can be: `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub first: DayNo,
    pub last: DayNo,
}

impl Span {
    pub fn of(d: &PartialDate) -> Span {
        Span {
            first: day_no(d.first_day()),
            last: day_no(d.last_day()),
        }
    }
}

/// The breakdowns of a balance, with their stable names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dim {
    Sex,
    CivilianMilitary,
    Age,
    Nationality,
    Convicted,
    WhereaboutsUnknown,
    HouseArrest,
    State,
    Facility,
    Agency,
    Charge,
    Category,
    Context,
}

impl Dim {
    pub const ALL: [Dim; 13] = [
        Dim::Sex,
        Dim::CivilianMilitary,
        Dim::Age,
        Dim::Nationality,
        Dim::Convicted,
        Dim::WhereaboutsUnknown,
        Dim::HouseArrest,
        Dim::State,
        Dim::Facility,
        Dim::Agency,
        Dim::Charge,
        Dim::Category,
        Dim::Context,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dim::Sex => "sex",
            Dim::CivilianMilitary => "civilian_military",
            Dim::Age => "age",
            Dim::Nationality => "nationality",
            Dim::Convicted => "convicted",
            Dim::WhereaboutsUnknown => "whereabouts_unknown",
            Dim::HouseArrest => "house_arrest",
            Dim::State => "state",
            Dim::Facility => "facility",
            Dim::Agency => "agency",
            Dim::Charge => "charge",
            Dim::Category => "category",
            Dim::Context => "context",
        }
    }

    pub fn from_name(name: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Dimensions whose value for a detention does not change with the date counted.
    pub fn is_static(self) -> bool {
        matches!(
            self,
            Dim::Sex
                | Dim::CivilianMilitary
                | Dim::Nationality
                | Dim::State
                | Dim::Agency
                | Dim::Category
        )
    }

    /// Dimensions where a detention may have several values (counted once per value).
    pub fn is_multi(self) -> bool {
        matches!(self, Dim::Charge | Dim::Context)
    }
}

/// Value 0 of every dimension.
pub const UNKNOWN: u32 = 0;

/// The values of the dimensions that are names (states, facilities, agencies, charges,
/// contexts), each numbered once; `unknown` is 0 everywhere.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Names {
    values: Vec<Vec<String>>,
    #[serde(skip)]
    ids: Vec<HashMap<String, u32>>,
}

impl Names {
    pub(crate) fn new() -> Names {
        let mut n = Names {
            values: vec![Vec::new(); Dim::ALL.len()],
            ids: vec![HashMap::new(); Dim::ALL.len()],
        };
        for dim in Dim::ALL {
            let fixed: &[&str] = match dim {
                Dim::Sex => &["unknown", "F", "M", "X"],
                Dim::CivilianMilitary => &["unknown", "civilian", "military"],
                Dim::Age => &["unknown", "adult", "adolescent"],
                Dim::Nationality => &["unknown", "national", "dual", "foreign"],
                Dim::Convicted | Dim::WhereaboutsUnknown | Dim::HouseArrest => {
                    &["unknown", "true", "false"]
                }
                Dim::Category => &["unknown", "1", "2", "3"],
                _ => &["unknown"],
            };
            for v in fixed {
                n.id(dim, v);
            }
        }
        n
    }

    pub(crate) fn id(&mut self, dim: Dim, value: &str) -> u32 {
        let d = dim as usize;
        if let Some(&id) = self.ids.get(d).and_then(|m| m.get(value)) {
            return id;
        }
        let Some(values) = self.values.get_mut(d) else {
            return UNKNOWN;
        };
        let id = values.len() as u32;
        values.push(value.to_string());
        if let Some(m) = self.ids.get_mut(d) {
            m.insert(value.to_string(), id);
        }
        id
    }

    /// The name of a value.
    pub fn name(&self, dim: Dim, id: u32) -> &str {
        self.values
            .get(dim as usize)
            .and_then(|v| v.get(id as usize))
            .map_or("unknown", String::as_str)
    }

    /// How many values a dimension has (unknown included).
    pub fn count(&self, dim: Dim) -> usize {
        self.values.get(dim as usize).map_or(1, Vec::len)
    }

    /// The id of a value by its name, if the dimension has it.
    pub fn find(&self, dim: Dim, name: &str) -> Option<u32> {
        self.values
            .get(dim as usize)?
            .iter()
            .position(|v| v == name)
            .map(|i| i as u32)
    }
}

pub(crate) const TRUE: u32 = 1;
pub(crate) const FALSE: u32 = 2;

/// One custody step as counting sees it: from when it applies, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyAt {
    pub from: DayNo,
    /// Facility id, for a `held` step with a named facility.
    pub facility: Option<u32>,
    pub house_arrest: bool,
}

/// A detention as the rules see it, as known from some day on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub detention: u64,
    pub person: u64,
    pub arrest: Span,
    pub end: Option<(Span, EndType)>,
    pub status: Option<RecognitionStatus>,
    /// Values of the static dimensions (the others are worked out for the date counted).
    pub fixed: Fixed,
    /// The days the person can turn 18 (from the birth date, with its precision).
    pub adult_from: Option<Span>,
    /// Under 18 at this arrest, for when there is no birth date: the detention's own flag, or
    /// for a detention without one, its person's legacy flag (`Identity::legacy_minor`).
    pub minor: Option<bool>,
    pub charges: Vec<u32>,
    pub context: Vec<u32>,
    /// Custody steps in the order recorded.
    pub custody: Vec<CustodyAt>,
    /// Whereabouts unknown (true) or known again (false), from a day, in the order recorded.
    pub whereabouts: Vec<(DayNo, bool)>,
    pub convicted: Option<Span>,
}

/// Values of a detention's static dimensions, one slot per [`Dim`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed(pub [u32; 13]);

impl Fixed {
    pub fn get(&self, dim: Dim) -> u32 {
        self.0.get(dim as usize).copied().unwrap_or(UNKNOWN)
    }

    fn set(&mut self, dim: Dim, value: u32) {
        if let Some(slot) = self.0.get_mut(dim as usize) {
            *slot = value;
        }
    }
}

/// One detention's versions: `(first day it was known so, case)`, oldest first.
pub type Versions = Vec<(DayNo, Case)>;

/// The saved index's format: changed whenever [`Index`] or the rules change, so that an old
/// snapshot is rebuilt rather than misread.
const FORMAT: &[u8] = b"vigilia-count-index/7\n";

/// A group detention as counting sees it: people detained together, not all identified.
/// Its unidentified members count as political detentions on its date; the identified ones are
/// detentions of their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCase {
    pub group: u64,
    pub arrest: Span,
    /// How many were detained (a group corrected to 0 is no event).
    pub count: u32,
    pub unidentified: u64,
    /// State and agency (the other static dimensions are unknown for a group).
    pub fixed: Fixed,
    pub context: Vec<u32>,
}

/// Every detention and group detention, ready to count.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Index {
    pub names: Names,
    pub detentions: Vec<Versions>,
    pub groups: Vec<Vec<(DayNo, GroupCase)>>,
    /// The hot fields of every version, as flat arrays (derived; rebuilt after load).
    #[serde(skip)]
    pub cols: Columns,
    /// Every figure as running totals by day, for a process that counts often
    /// ([`Index::precompute`]; kept current by [`Index::update`]; saved with the index).
    pub totals: Option<Box<crate::totals::Totals>>,
}

/// No end, in the end columns.
pub const NO_END: DayNo = DayNo::MAX;

/// The fields counting reads for every detention, one entry per version, in flat arrays:
/// counting walks memory in order instead of following a pointer per detention.
/// Detention `i`'s versions are rows `offsets[i]..offsets[i + 1]`, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub offsets: Vec<u32>,
    pub since: Vec<DayNo>,
    pub a_first: Vec<DayNo>,
    pub a_last: Vec<DayNo>,
    pub e_first: Vec<DayNo>,
    pub e_last: Vec<DayNo>,
    /// `EndType::ALL` position, or 255 without an end.
    pub end_kind: Vec<u8>,
    /// 0 none, 1 recognised, 2 under study, 3 not recognised.
    pub status: Vec<u8>,
    pub fixed: Vec<Fixed>,
}

impl Columns {
    pub(crate) fn of(detentions: &[Versions]) -> Columns {
        let rows: usize = detentions.iter().map(Vec::len).sum();
        let mut c = Columns {
            offsets: Vec::with_capacity(detentions.len() + 1),
            ..Columns::default()
        };
        for v in [
            &mut c.since,
            &mut c.a_first,
            &mut c.a_last,
            &mut c.e_first,
            &mut c.e_last,
        ] {
            v.reserve(rows);
        }
        c.offsets.push(0);
        for versions in detentions {
            for (since, case) in versions {
                c.since.push(*since);
                c.a_first.push(case.arrest.first);
                c.a_last.push(case.arrest.last);
                c.e_first
                    .push(case.end.as_ref().map_or(NO_END, |(e, _)| e.first));
                c.e_last
                    .push(case.end.as_ref().map_or(NO_END, |(e, _)| e.last));
                c.end_kind.push(case.end.as_ref().map_or(255, |(_, k)| {
                    vigilia_core::model::EndType::ALL
                        .iter()
                        .position(|x| x == k)
                        .unwrap_or(5) as u8
                }));
                c.status.push(match case.status {
                    None => 0,
                    Some(RecognitionStatus::Recognised) => 1,
                    Some(RecognitionStatus::UnderStudy) => 2,
                    Some(RecognitionStatus::NotRecognised) => 3,
                });
                c.fixed.push(case.fixed);
            }
            c.offsets.push(c.since.len() as u32);
        }
        c
    }

    /// The row of detention `i` known on day `k` (the last one when `None`).
    #[inline]
    pub fn row(&self, i: usize, k: Option<DayNo>) -> Option<usize> {
        let start = *self.offsets.get(i)? as usize;
        let end = *self.offsets.get(i + 1)? as usize;
        match k {
            None => end.checked_sub(1).filter(|r| *r >= start),
            Some(k) => (start..end)
                .rev()
                .find(|r| self.since.get(*r).is_some_and(|s| *s <= k)),
        }
    }

    /// How many detentions.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Index {
    /// The full case of detention `i`'s version at `row` (a row of [`Columns`]).
    pub fn case_at(&self, i: usize, row: usize) -> Option<&Case> {
        let start = *self.cols.offsets.get(i)? as usize;
        self.detentions.get(i)?.get(row - start).map(|(_, c)| c)
    }

    /// The version of each detention known on `known_on` (the last one when `None`).
    pub fn cases(&self, known_on: KnownOn) -> impl Iterator<Item = &Case> {
        let k = known_on.0.map(day_no);
        self.detentions.iter().filter_map(move |versions| match k {
            None => versions.last().map(|(_, c)| c),
            Some(k) => versions
                .iter()
                .rev()
                .find(|(since, _)| *since <= k)
                .map(|(_, c)| c),
        })
    }

    /// The version of each group detention known on `known_on`.
    pub fn groups(&self, known_on: KnownOn) -> impl Iterator<Item = &GroupCase> {
        let k = known_on.0.map(day_no);
        self.groups.iter().filter_map(move |versions| match k {
            None => versions.last().map(|(_, g)| g),
            Some(k) => versions
                .iter()
                .rev()
                .find(|(since, _)| *since <= k)
                .map(|(_, g)| g),
        })
    }

    /// The index as bytes, to be saved beside the ledger (see `vigilia_ledger::Ledger::save_snapshot`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = FORMAT.to_vec();
        out.extend(postcard::to_allocvec(self).unwrap_or_default());
        out
    }

    /// Reads an index saved by [`Index::to_bytes`]; `None` if it is of another format.
    pub fn from_bytes(bytes: &[u8]) -> Option<Index> {
        let body = bytes.strip_prefix(FORMAT)?;
        let mut index: Index = postcard::from_bytes(body).ok()?;
        index.after_load();
        Some(index)
    }

    /// Brings the index up to date with records that changed: `persons` and `detentions` are
    /// the whole histories of the persons and detentions touched since it was built, and of
    /// every detention of a touched person (see [`Index::detentions_of`]).
    pub fn update(
        &mut self,
        profile: Profile,
        persons: &[Vec<Fact>],
        detentions: &[Vec<Fact>],
        groups: &[Vec<Fact>],
    ) {
        let mut builder = IndexBuilder::resume(profile, self);
        for p in persons {
            builder.add_person(p);
        }
        for d in detentions {
            builder.add_detention(d);
        }
        for g in groups {
            builder.add_group(g);
        }
        self.names = builder.names;
        for (id, versions) in builder.groups {
            let at = self
                .groups
                .partition_point(|v| v.first().is_some_and(|(_, g)| g.group < id));
            let found = self
                .groups
                .get(at)
                .and_then(|v| v.first())
                .is_some_and(|(_, g)| g.group == id);
            match self.groups.get_mut(at) {
                Some(slot) if found => *slot = versions,
                _ => self.groups.insert(at, versions),
            }
        }
        let mut changed: Vec<(u64, Versions)> = Vec::new();
        for (id, versions) in builder.detentions {
            let at = self
                .detentions
                .partition_point(|v| v.first().is_some_and(|(_, c)| c.detention < id));
            let found = self
                .detentions
                .get(at)
                .and_then(|v| v.first())
                .is_some_and(|(_, c)| c.detention == id);
            let old = if found {
                self.detentions
                    .get_mut(at)
                    .map(|slot| std::mem::replace(slot, versions))
                    .unwrap_or_default()
            } else {
                if let Some(t) = self.totals.as_mut()
                    && at < self.detentions.len()
                {
                    t.inserted(at);
                }
                self.detentions.insert(at, versions);
                Vec::new()
            };
            if self.totals.is_some() {
                changed.push((id, old));
            }
        }
        self.cols = Columns::of(&self.detentions);
        if let Some(mut totals) = self.totals.take() {
            if totals.layout == crate::totals::Layout::of(self) {
                let with_new: Vec<crate::totals::Changed<'_>> = changed
                    .iter()
                    .filter_map(|(id, old)| {
                        let at = self.position_of(*id)?;
                        Some((
                            at as u32,
                            old.as_slice(),
                            self.detentions.get(at)?.as_slice(),
                        ))
                    })
                    .collect();
                totals.update(&with_new);
                self.totals = Some(totals);
            } else {
                // A value never seen before (a new facility, a new charge): a column more.
                self.precompute();
            }
        }
    }

    /// Keeps every figure as running totals from now on: a balance then reads a few rows
    /// rather than every detention (worth it in a process that counts more than once).
    pub fn precompute(&mut self) {
        self.totals = Some(Box::new(crate::totals::Totals::of(self)));
    }

    /// Where the detention `id` is in the index (its row in [`Columns::offsets`]).
    pub fn position_of(&self, id: u64) -> Option<usize> {
        let at = self
            .detentions
            .partition_point(|v| v.first().is_some_and(|(_, c)| c.detention < id));
        self.detentions
            .get(at)
            .filter(|v| v.first().is_some_and(|(_, c)| c.detention == id))
            .map(|_| at)
    }

    fn with_columns(mut self) -> Index {
        self.cols = Columns::of(&self.detentions);
        self
    }

    /// The detentions whose person is one of `persons`.
    pub fn detentions_of(&self, persons: &std::collections::HashSet<u64>) -> Vec<u64> {
        self.detentions
            .iter()
            .filter_map(|v| v.last())
            .filter(|(_, c)| persons.contains(&c.person))
            .map(|(_, c)| c.detention)
            .collect()
    }

    /// Rebuilds the lookup tables that are not serialised.
    fn after_load(&mut self) {
        self.cols = Columns::of(&self.detentions);
        self.names.ids = self
            .names
            .values
            .iter()
            .map(|vals| {
                vals.iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i as u32))
                    .collect()
            })
            .collect();
    }
}

/// What counting needs of a person.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PersonDims {
    sex: u32,
    service: u32,
    nationality: u32,
    birth: Option<Span>,
    /// An old registry's person-level "minor" (see `Identity::legacy_minor`).
    legacy_minor: Option<bool>,
}

/// Builds an [`Index`] from record histories: all persons first, then the detentions.
#[derive(Debug)]
pub struct IndexBuilder {
    profile: Profile,
    names: Names,
    persons: HashMap<u64, Vec<(DayNo, PersonDims)>>,
    detentions: Vec<(u64, Versions)>,
    groups: Vec<(u64, Vec<(DayNo, GroupCase)>)>,
}

/// Folds a history into one state per distinct recorded day: what was known from that day on.
fn versions<T>(facts: &[Fact], mut pick: impl FnMut(Record) -> Option<T>) -> Vec<(DayNo, T)> {
    let mut days: Vec<Day> = facts.iter().map(|f| f.recorded_on).collect();
    days.sort();
    days.dedup();
    if days.len() == 1 {
        return fold::fold(facts, KnownOn::NOW)
            .ok()
            .flatten()
            .and_then(pick)
            .map(|t| (days.iter().map(|d| day_no(*d)).next().unwrap_or(0), t))
            .into_iter()
            .collect();
    }
    days.into_iter()
        .filter_map(|d| {
            let record = fold::fold(facts, KnownOn(Some(d))).ok()??;
            pick(record).map(|t| (day_no(d), t))
        })
        .collect()
}

impl IndexBuilder {
    pub fn new(profile: Profile) -> IndexBuilder {
        IndexBuilder {
            profile,
            names: Names::new(),
            persons: HashMap::new(),
            detentions: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// A builder that goes on numbering values where `index` left off, to update it.
    fn resume(profile: Profile, index: &mut Index) -> IndexBuilder {
        IndexBuilder {
            profile,
            names: std::mem::take(&mut index.names),
            persons: HashMap::new(),
            detentions: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Takes one person's history. Add every person before the detentions.
    pub fn add_person(&mut self, facts: &[Fact]) {
        let Some(first) = facts.first() else { return };
        let code = self.profile.code.clone();
        let v = versions(facts, |r| match r {
            Record::Person(p) => Some(person_dims(&p, &code)),
            _ => None,
        });
        self.persons.insert(first.subject.id, v);
    }

    /// Takes one detention's history.
    pub fn add_detention(&mut self, facts: &[Fact]) {
        let Some(first) = facts.first() else { return };
        let dversions = versions(facts, |r| match r {
            Record::Detention(d) => Some(d),
            _ => None,
        });
        let Some((_, latest)) = dversions.last() else {
            return;
        };
        let pversions = self
            .persons
            .get(&latest.person.0)
            .cloned()
            .unwrap_or_default();
        // A new version wherever the detention or its person changed.
        let mut days: Vec<DayNo> = dversions.iter().map(|(d, _)| *d).collect();
        let start = days.first().copied().unwrap_or(0);
        days.extend(pversions.iter().map(|(d, _)| *d).filter(|d| *d > start));
        days.sort_unstable();
        days.dedup();
        let mut out: Versions = Vec::with_capacity(days.len());
        for day in days {
            let Some((_, d)) = dversions.iter().rev().find(|(since, _)| *since <= day) else {
                continue;
            };
            let p = pversions
                .iter()
                .rev()
                .find(|(since, _)| *since <= day)
                .map(|(_, p)| p);
            let case = self.case(d, p);
            if out.last().is_none_or(|(_, c)| *c != case) {
                out.push((day, case));
            }
        }
        self.detentions.push((first.subject.id, out));
    }

    /// Takes one group detention's history.
    pub fn add_group(&mut self, facts: &[Fact]) {
        let Some(first) = facts.first() else { return };
        let profile = &self.profile;
        let names = &mut self.names;
        let versions = versions(facts, |r| match r {
            Record::Group(g) => {
                let mut fixed = Fixed([UNKNOWN; 13]);
                if let Some(code) = &g.arrest.state {
                    fixed.set(
                        Dim::State,
                        names.id(Dim::State, profile.state_name(code).unwrap_or(code)),
                    );
                }
                if let Some(a) = &g.arrest.agency {
                    fixed.set(Dim::Agency, names.id(Dim::Agency, a));
                }
                Some(GroupCase {
                    group: g.id.0,
                    arrest: Span::of(&g.arrest.date),
                    count: g.count,
                    unidentified: u64::from(g.unidentified()),
                    fixed,
                    context: g
                        .arrest
                        .context
                        .iter()
                        .map(|c| names.id(Dim::Context, c))
                        .collect(),
                })
            }
            _ => None,
        });
        self.groups.push((first.subject.id, versions));
    }

    pub fn finish(mut self) -> Index {
        self.detentions.sort_by_key(|(id, _)| *id);
        self.groups.sort_by_key(|(id, _)| *id);
        Index {
            names: self.names,
            detentions: self.detentions.into_iter().map(|(_, v)| v).collect(),
            groups: self.groups.into_iter().map(|(_, v)| v).collect(),
            cols: Columns::default(),
            totals: None,
        }
        .with_columns()
    }

    /// One version of a detention reduced to what the rules look at, with its person as
    /// known on the same day (`p`): the static values, arrest and end as day spans (no later
    /// than the days they were recorded), and the dated custody steps the date-dependent
    /// breakdowns are read from. Names are numbered in the order met: state, agency,
    /// facilities, charges, context.
    fn case(&mut self, d: &Detention, p: Option<&PersonDims>) -> Case {
        let fixed = self.fixed(d, p);
        // What was recorded cannot have happened after it was recorded: an arrest known only
        // to the year 2020 and recorded on 2020-07-27 happened by 2020-07-27.
        let arrest = clip(Span::of(&d.arrest.date), d.recorded_on);
        let end = d.end.as_ref().map(|e| {
            (
                clip(
                    Span::of(&e.date),
                    d.end_recorded_on.unwrap_or(d.recorded_on),
                ),
                e.kind,
            )
        });
        let course = Course::of(&mut self.names, d, arrest);
        let names = &mut self.names;
        Case {
            detention: d.id.0,
            person: d.person.0,
            arrest,
            end,
            status: d.recognition.as_ref().map(|r| r.status),
            fixed,
            adult_from: p.and_then(|p| p.birth).map(|b| Span {
                first: plus_18_years(b.first),
                last: plus_18_years(b.last),
            }),
            minor: d.minor(p.and_then(|p| p.legacy_minor)),
            charges: d
                .charges()
                .iter()
                .map(|c| names.id(Dim::Charge, c))
                .collect(),
            context: d
                .arrest
                .context
                .iter()
                .map(|c| names.id(Dim::Context, c))
                .collect(),
            custody: course.custody,
            whereabouts: course.whereabouts,
            convicted: course.convicted,
        }
    }

    /// The values of a detention's static dimensions: sex, civilian or military and
    /// nationality from its person; state and agency of the arrest; recognition category.
    fn fixed(&mut self, d: &Detention, p: Option<&PersonDims>) -> Fixed {
        let names = &mut self.names;
        let mut fixed = Fixed([UNKNOWN; 13]);
        if let Some(p) = p {
            fixed.set(Dim::Sex, p.sex);
            fixed.set(Dim::CivilianMilitary, p.service);
            fixed.set(Dim::Nationality, p.nationality);
        }
        fixed.set(
            Dim::State,
            match &d.arrest.state {
                Some(code) => names.id(Dim::State, self.profile.state_name(code).unwrap_or(code)),
                None => UNKNOWN,
            },
        );
        fixed.set(
            Dim::Agency,
            d.arrest
                .agency
                .as_deref()
                .map_or(UNKNOWN, |a| names.id(Dim::Agency, a)),
        );
        fixed.set(
            Dim::Category,
            d.recognition
                .as_ref()
                .and_then(|r| r.category)
                .map_or(UNKNOWN, u32::from),
        );
        fixed
    }
}

/// A detention's custody course, from its steps in the order recorded: where it was held (or
/// under house arrest) from which day, whereabouts unknown or known again, and conviction.
struct Course {
    custody: Vec<CustodyAt>,
    whereabouts: Vec<(DayNo, bool)>,
    convicted: Option<Span>,
}

impl Course {
    /// Reads the steps of `d`; an undated step counts from the `arrest`.
    fn of(names: &mut Names, d: &Detention, arrest: Span) -> Course {
        let mut course = Course {
            custody: Vec::new(),
            whereabouts: Vec::new(),
            convicted: None,
        };
        for step in &d.steps {
            let from = step
                .date
                .as_ref()
                .map_or(arrest.first, |date| Span::of(date).first);
            match &step.what {
                Step::Custody(Custody::Held { facility })
                | Step::Custody(Custody::Hospital { facility }) => {
                    let facility = facility.as_deref().map(|f| names.id(Dim::Facility, f));
                    course.custody.push(CustodyAt {
                        from,
                        facility,
                        house_arrest: false,
                    });
                }
                Step::Custody(Custody::HouseArrest) => {
                    course.custody.push(CustodyAt {
                        from,
                        facility: None,
                        house_arrest: true,
                    });
                }
                Step::Custody(Custody::WhereaboutsUnknown) => course.whereabouts.push((from, true)),
                Step::Custody(Custody::WhereaboutsKnown) => course.whereabouts.push((from, false)),
                Step::Convicted { .. } => {
                    course.convicted = Some(step.date.as_ref().map_or(arrest, Span::of))
                }
                _ => {}
            }
        }
        course
    }
}

/// A span no later than the day it was recorded (an uncertain date's possible days end there).
fn clip(span: Span, recorded_on: Day) -> Span {
    let r = day_no(recorded_on);
    Span {
        first: span.first.min(r),
        last: span.last.min(r).max(span.first.min(r)),
    }
}

fn plus_18_years(day: DayNo) -> DayNo {
    let d = day_of(day);
    day_no(d.checked_add(jiff::Span::new().years(18)).unwrap_or(d))
}

fn person_dims(p: &Person, country: &str) -> PersonDims {
    let i = &p.identity;
    PersonDims {
        sex: match i.sex {
            Some(Sex::F) => 1,
            Some(Sex::M) => 2,
            Some(Sex::X) => 3,
            None => UNKNOWN,
        },
        service: match i.service {
            Some(Service::Civilian) => 1,
            Some(Service::Military) => 2,
            None => UNKNOWN,
        },
        nationality: if i.nationalities.is_empty() {
            UNKNOWN
        } else {
            let own = i.nationalities.iter().any(|c| c == country);
            match (own, i.nationalities.len()) {
                (true, 1) => 1,
                (true, _) => 2,
                (false, _) => 3,
            }
        },
        birth: i.birth_date.as_ref().map(Span::of),
        legacy_minor: i.legacy_minor,
    }
}
