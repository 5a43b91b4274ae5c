//! Running totals: every figure of a balance kept as a running total by day, so that a balance
//! reads a few rows of a table instead of counting every detention.
//!
//! Each version of a detention is turned into **items** ([`items`]): a *stock* is an interval
//! of days during which it adds one to a figure (held for certain from its latest possible
//! arrest to its earliest possible end; held under a facility from one custody step to the
//! next, …); a *span* is an event whose day is known to lie between two days (the arrest, the
//! end, becoming a prisoner), which adds one to the period's movements when it falls in the
//! period. A [`Table`] keeps, for every day on which something changes, the running totals of
//! every column: a stock's value on day `d` is its column on the row of `d`; for a span, the
//! table keeps how many had begun (`first ≤ d`) and how many had ended (`last ≤ d`), and the
//! period (p, d] holds for certain `ended(d) − begun(p) + covering(p, d)` of them and possibly
//! `begun(d) − ended(p)`, where `covering` counts the uncertain spans that run over the whole
//! period ([`Cover`]: only dates known to the month or the year can).
//!
//! "As known on K" is the bitemporal question: the versions in force on K are those recorded
//! on or before K and not replaced by then. Every change of version (a new version in, the
//! previous one out) is filed in a [`Block`] by the day it was recorded; a balance as known on
//! K adds the tables of the blocks recorded before K and counts directly the few changes of
//! the one block K falls in, from its nearer end. Blocks are a few thousand changes each.
//!
//! The totals are derived from the index and kept current with it ([`Totals::update`]); the
//! figures are those of the counting rules exactly — `totals::tests` compares them with
//! counting every detention, on data made to be hard.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vigilia_core::model::{EndType, RecognitionStatus};

use crate::balance::PRISONER_AFTER_DAYS;
use crate::index::{Case, DayNo, Dim, Index, NO_END};

/// Where each figure sits in a row of totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Layout {
    /// Where each dimension's values start in a tally (`[dim] + value`), and the tally's size.
    pub offsets: [u32; 13],
    pub tally: u32,
}

/// The stocks' columns (a stock is one column: its value on the day).
pub(crate) const HELD_C: u32 = 0;
pub(crate) const HELD_P: u32 = 1;
pub(crate) const PRIS_C: u32 = 2;
pub(crate) const PRIS_P: u32 = 3;
pub(crate) const STUDY_C: u32 = 4;
pub(crate) const STUDY_P: u32 = 5;
pub(crate) const CUM_C: u32 = 6;
pub(crate) const CUM_P: u32 = 7;
const STOCKS: u32 = 8;

/// The spans' kinds (a kind is two columns: begun and ended in a table; certain and possible
/// once read for a period).
pub(crate) const ARREST: u32 = 0;
pub(crate) const NEW_PRISONER_C: u32 = 1;
pub(crate) const NEW_PRISONER_P: u32 = 2;
/// Ends by type: `END + position in EndType::ALL`.
pub(crate) const END: u32 = 3;
pub(crate) const RELEASE: u32 = 9;
pub(crate) const PRISONER_RELEASE_C: u32 = 10;
pub(crate) const PRISONER_RELEASE_P: u32 = 11;
pub(crate) const DEATH: u32 = 12;
/// The period's political detentions by value: `BY_VALUE + tally position`.
pub(crate) const BY_VALUE: u32 = 13;

impl Layout {
    pub fn of(index: &Index) -> Layout {
        let mut offsets = [0u32; 13];
        let mut at = 0u32;
        for dim in Dim::ALL {
            if let Some(o) = offsets.get_mut(dim as usize) {
                *o = at;
            }
            at += index.names.count(dim) as u32;
        }
        Layout { offsets, tally: at }
    }

    /// The tally position of a value of a dimension.
    pub fn at(&self, dim: Dim, value: u32) -> u32 {
        self.offsets.get(dim as usize).copied().unwrap_or(0) + value
    }

    pub fn held_tally(&self, dim: Dim, value: u32) -> u32 {
        STOCKS + self.at(dim, value)
    }

    pub fn prisoner_tally(&self, dim: Dim, value: u32) -> u32 {
        STOCKS + self.tally + self.at(dim, value)
    }

    /// How many stock columns.
    pub fn stocks(&self) -> usize {
        (STOCKS + 2 * self.tally) as usize
    }

    /// How many span kinds.
    pub fn kinds(&self) -> usize {
        (BY_VALUE + self.tally) as usize
    }

    pub fn width(&self) -> usize {
        self.stocks() + 2 * self.kinds()
    }

    /// The column of a kind: its first (begun, certain) column; the next is (ended, possible).
    pub fn kind(&self, kind: u32) -> usize {
        self.stocks() + 2 * kind as usize
    }
}

/// A detention whose versions changed: its place in the index, its old versions (none for a
/// detention that is new) and its new ones.
pub(crate) type Changed<'a> = (u32, &'a [(DayNo, Case)], &'a [(DayNo, Case)]);

/// What one version of a detention adds to the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// One on every day of `from..to` (`to` = [`NO_END`]: from then on).
    Stock { col: u32, from: DayNo, to: DayNo },
    /// An event on one day of `first..=last`.
    Span {
        kind: u32,
        first: DayNo,
        last: DayNo,
    },
}

/// Everything one version of a detention adds, by the rules of `balance` (see `Acc::count`,
/// which counts the same detention directly: the two are compared in the tests).
pub(crate) fn items(layout: &Layout, c: &Case, out: &mut impl FnMut(Item)) {
    let (af, al) = (c.arrest.first, c.arrest.last);
    let (ef, el) = c
        .end
        .as_ref()
        .map_or((NO_END, NO_END), |(s, _)| (s.first, s.last));
    let mut stock = |col: u32, from: DayNo, to: DayNo| {
        if from < to {
            out(Item::Stock { col, from, to });
        }
    };
    match c.status {
        Some(RecognitionStatus::UnderStudy) => {
            stock(STUDY_C, al, ef);
            stock(STUDY_P, af, el);
            return;
        }
        Some(RecognitionStatus::Recognised) => {}
        _ => return,
    }
    let after = |day: DayNo| day.saturating_add(PRISONER_AFTER_DAYS);
    stock(HELD_C, al, ef);
    stock(HELD_P, af, el);
    stock(PRIS_C, after(al), ef);
    stock(PRIS_P, after(af), el);
    stock(CUM_C, al, NO_END);
    stock(CUM_P, af, NO_END);
    // The breakdowns of the held and the prisoners, for certain: each dimension's value over
    // the pieces of the interval in which it does not change.
    let mut cuts = Vec::new();
    for dim in Dim::ALL {
        if dim.is_multi() {
            let values = c.values(dim);
            for v in values.iter().copied().chain(values.is_empty().then_some(0)) {
                stock(layout.held_tally(dim, v), al, ef);
                stock(layout.prisoner_tally(dim, v), after(al), ef);
            }
            continue;
        }
        cuts.clear();
        if !dim.is_static() {
            crate::series::change_days_into(&mut cuts, c, dim);
            cuts.sort_unstable();
            cuts.dedup();
        }
        for (held, from, to) in [(true, al, ef), (false, after(al), ef)] {
            // The pieces between the days the value may change, each under its value then.
            for (start, end) in crate::series::pieces(from, to, &cuts) {
                let v = crate::balance::value(c, dim, start);
                let col = if held {
                    layout.held_tally(dim, v)
                } else {
                    layout.prisoner_tally(dim, v)
                };
                stock(col, start, end);
            }
        }
    }
    let mut span = |kind: u32, first: DayNo, last: DayNo| out(Item::Span { kind, first, last });
    span(ARREST, af, al);
    let (bf, bl) = (after(af), after(al));
    if ef > bl {
        span(NEW_PRISONER_C, bf, bl);
    }
    if el > bf {
        span(NEW_PRISONER_P, bf, bl);
    }
    if let Some((_, kind)) = &c.end {
        let at = EndType::ALL.iter().position(|k| k == kind).unwrap_or(5) as u32;
        span(END + at, ef, el);
        if matches!(kind, EndType::Released | EndType::ReleasedUnderMeasures) {
            span(RELEASE, ef, el);
            if ef - al > PRISONER_AFTER_DAYS {
                span(PRISONER_RELEASE_C, ef, el);
            }
            if el - af > PRISONER_AFTER_DAYS {
                span(PRISONER_RELEASE_P, ef, el);
            }
        }
        if *kind == EndType::DiedInCustody {
            span(DEATH, ef, el);
        }
    }
    for dim in crate::balance::PERIOD_DIMS {
        if dim.is_multi() {
            let values = c.values(dim);
            for v in values.iter().copied().chain(values.is_empty().then_some(0)) {
                span(BY_VALUE + layout.at(dim, v), af, al);
            }
        } else {
            span(BY_VALUE + layout.at(dim, c.fixed.get(dim)), af, al);
        }
    }
}

/// One day's change to a column of a table.
type Event = (DayNo, u32, i32);

/// The running totals of every column on every day something changes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Table {
    days: Vec<DayNo>,
    width: usize,
    cells: Vec<i32>,
    /// The same cells in two bytes each, when they fit (a block's totals are small): the
    /// blocks are most of the memory the totals take.
    narrow: Option<Vec<i16>>,
}

impl Table {
    fn new(width: usize) -> Table {
        Table {
            days: Vec::new(),
            width,
            cells: Vec::new(),
            narrow: None,
        }
    }

    /// Adds the totals on day `d` (`sign` = -1: takes them away) into `out`, by column.
    fn add_into(&self, d: DayNo, sign: i64, out: &mut [i64]) {
        let Some(at) = self.days.partition_point(|x| *x <= d).checked_sub(1) else {
            return;
        };
        let cells = at * self.width..(at + 1) * self.width;
        match &self.narrow {
            Some(narrow) => {
                for (x, v) in out.iter_mut().zip(narrow.get(cells).unwrap_or_default()) {
                    *x += sign * i64::from(*v);
                }
            }
            None => {
                for (x, v) in out
                    .iter_mut()
                    .zip(self.cells.get(cells).unwrap_or_default())
                {
                    *x += sign * i64::from(*v);
                }
            }
        }
    }

    /// Keeps the cells in two bytes each when they all fit.
    fn narrow(&mut self) {
        if self.narrow.is_none() && self.cells.iter().all(|v| i16::try_from(*v).is_ok()) {
            self.narrow = Some(self.cells.iter().map(|v| *v as i16).collect());
            self.cells = Vec::new();
        }
    }

    /// Four bytes a cell again (before adding to it).
    fn widen(&mut self) {
        if let Some(narrow) = self.narrow.take() {
            self.cells = narrow.into_iter().map(i32::from).collect();
        }
    }

    /// Adds events: the days not yet in the table become rows (copies of the row before),
    /// then each column is bumped from its event's day on.
    fn add(&mut self, events: &mut [Event]) {
        if events.is_empty() {
            return;
        }
        self.widen();
        events.sort_unstable_by_key(|e| e.0);
        let mut new_days: Vec<DayNo> = events
            .iter()
            .map(|e| e.0)
            .filter(|d| self.days.binary_search(d).is_err())
            .collect();
        new_days.dedup();
        if !new_days.is_empty() {
            let mut days = Vec::with_capacity(self.days.len() + new_days.len());
            let mut cells = Vec::with_capacity((self.days.len() + new_days.len()) * self.width);
            let (mut i, mut j) = (0, 0);
            let zero = vec![0; self.width];
            while i < self.days.len() || j < new_days.len() {
                let old = self.days.get(i).copied();
                let new = new_days.get(j).copied();
                let take_old = match (old, new) {
                    (Some(o), Some(n)) => o < n,
                    (Some(_), None) => true,
                    _ => false,
                };
                if take_old {
                    days.push(old.unwrap_or_default());
                    cells.extend_from_slice(
                        self.cells
                            .get(i * self.width..(i + 1) * self.width)
                            .unwrap_or(&zero),
                    );
                    i += 1;
                } else {
                    days.push(new.unwrap_or_default());
                    let before = cells.len().checked_sub(self.width);
                    match before {
                        Some(b) => cells.extend_from_within(b..b + self.width),
                        None => cells.extend_from_slice(&zero),
                    }
                    j += 1;
                }
            }
            self.days = days;
            self.cells = cells;
        }
        // One pass from the first event's row: the running change of every touched column.
        let start = self
            .days
            .partition_point(|x| *x < events.first().map_or(0, |e| e.0));
        let mut running: BTreeMap<u32, i32> = BTreeMap::new();
        let mut next = 0;
        for (r, day) in self.days.iter().enumerate().skip(start) {
            while let Some(&(d, col, w)) = events.get(next) {
                if d > *day {
                    break;
                }
                *running.entry(col).or_insert(0) += w;
                next += 1;
            }
            let base = r * self.width;
            for (col, w) in &running {
                if let Some(x) = self.cells.get_mut(base + *col as usize) {
                    *x += w;
                }
            }
        }
    }

    /// A table of these events, built at once: the days they fall on numbered in order (a
    /// bitmap and its ranks), their changes added into one dense row per day, then each row
    /// added to the next. Days on which everything cancels out are left out.
    fn of(width: usize, events: &[Event]) -> Table {
        let Some(lo) = events.iter().map(|e| e.0).min() else {
            return Table::new(width);
        };
        let hi = events.iter().map(|e| e.0).max().unwrap_or(lo);
        let words = ((i64::from(hi) - i64::from(lo)) / 64 + 1) as usize;
        let mut bits = vec![0u64; words];
        let bit = |day: DayNo| {
            let off = (i64::from(day) - i64::from(lo)) as usize;
            (off / 64, off % 64)
        };
        for e in events {
            let (w, b) = bit(e.0);
            if let Some(x) = bits.get_mut(w) {
                *x |= 1 << b;
            }
        }
        let mut ranks = Vec::with_capacity(words);
        let mut n = 0usize;
        for w in &bits {
            ranks.push(n);
            n += w.count_ones() as usize;
        }
        let rank = |day: DayNo| {
            let (w, b) = bit(day);
            let below = bits
                .get(w)
                .map_or(0, |x| (x & ((1u64 << b) - 1)).count_ones());
            ranks.get(w).copied().unwrap_or(0) + below as usize
        };
        let mut cells = vec![0i32; n * width];
        for e in events {
            if let Some(x) = cells.get_mut(rank(e.0) * width + e.1 as usize) {
                *x += e.2;
            }
        }
        let mut days = Vec::with_capacity(n);
        for (w, word) in bits.iter().enumerate() {
            let mut word = *word;
            while word != 0 {
                let b = word.trailing_zeros() as i64;
                days.push((i64::from(lo) + w as i64 * 64 + b) as DayNo);
                word &= word - 1;
            }
        }
        // Running totals, keeping only the days on which something changed.
        let mut t = Table::new(width);
        let mut row = vec![0i32; width];
        for (day, diff) in days.iter().zip(cells.chunks_exact(width)) {
            if diff.iter().all(|x| *x == 0) {
                continue;
            }
            for (x, y) in row.iter_mut().zip(diff) {
                *x += y;
            }
            t.days.push(*day);
            t.cells.extend_from_slice(&row);
        }
        t
    }

    fn bytes(&self) -> usize {
        self.cells.len() * 4 + self.days.len() * 4 + self.narrow.as_ref().map_or(0, Vec::len) * 2
    }
}

/// The uncertain spans (first < last), counted by their days and kind: those that run over a
/// whole period are possible in it but certain in none of its days, which the table's two
/// columns cannot tell.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Cover {
    spans: BTreeMap<(DayNo, DayNo), Vec<(u32, i32)>>,
    longest: DayNo,
}

impl Cover {
    fn merge(&mut self, other: &Cover) {
        for ((f, l), kinds) in &other.spans {
            for (k, w) in kinds {
                self.add(*k, *f, *l, *w);
            }
        }
    }

    fn add(&mut self, kind: u32, first: DayNo, last: DayNo, w: i32) {
        // Only a span of three days or more can run over a period (p, d] with p < d.
        if last - first < 2 {
            return;
        }
        self.longest = self.longest.max(last - first);
        let kinds = self.spans.entry((first, last)).or_default();
        match kinds.binary_search_by_key(&kind, |(k, _)| *k) {
            Ok(at) => {
                if let Some(x) = kinds.get_mut(at) {
                    x.1 += w;
                    if x.1 == 0 {
                        kinds.remove(at);
                    }
                }
            }
            Err(at) => kinds.insert(at, (kind, w)),
        }
        if kinds.is_empty() {
            self.spans.remove(&(first, last));
        }
    }

    /// Adds to each kind's certain figure the spans that run over all of (p, d]: begun on or
    /// before `p`, ended after `d`. Kinds from `below` on are left out.
    fn apply(
        &self,
        p: DayNo,
        d: DayNo,
        (below, sign): (u32, i64),
        column: &dyn Fn(u32) -> usize,
        out: &mut [i64],
    ) {
        let from = d.saturating_add(1).saturating_sub(self.longest);
        if from > p {
            return;
        }
        for ((_, last), kinds) in self.spans.range((from, DayNo::MIN)..=(p, DayNo::MAX)) {
            if *last <= d {
                continue;
            }
            for (kind, w) in kinds {
                if *kind >= below {
                    break;
                }
                if let Some(x) = out.get_mut(column(*kind)) {
                    *x += sign * i64::from(*w);
                }
            }
        }
    }
}

/// A table and its cover, for some of the versions.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Part {
    table: Table,
    cover: Cover,
}

impl Part {
    fn new(width: usize) -> Part {
        Part {
            table: Table::new(width),
            cover: Cover::default(),
        }
    }

    /// Adds (w = 1) or takes away (w = -1) a version's items.
    fn collect(layout: &Layout, c: &Case, w: i32, events: &mut Vec<Event>, cover: &mut Cover) {
        items(layout, c, &mut |item| match item {
            Item::Stock { col, from, to } => {
                events.push((from, col, w));
                if to != NO_END {
                    events.push((to, col, -w));
                }
            }
            Item::Span { kind, first, last } => {
                let col = layout.kind(kind) as u32;
                events.push((first, col, w));
                events.push((last, col + 1, w));
                cover.add(kind, first, last, w);
            }
        });
    }

    /// The raw rows on `d` and `p` added into `at_d` and `at_p` (or taken away: `sign`), and
    /// the cover of (p, d] into `covered`, for the kinds below `below`.
    fn read(
        &self,
        layout: &Layout,
        (p, d): (DayNo, DayNo),
        (below, sign): (u32, i64),
        (at_d, at_p, covered): (&mut [i64], &mut [i64], &mut [i64]),
    ) {
        self.table.add_into(d, sign, at_d);
        self.table.add_into(p, sign, at_p);
        self.cover
            .apply(p, d, (below, sign), &|k| layout.kind(k), covered);
    }
}

/// The changes recorded on some days: a new version in, the one it replaces out.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Block {
    /// The last day on which its changes were recorded.
    last: DayNo,
    part: Part,
    /// Each change: the day it was recorded, where its detention is in the index and which
    /// of its versions came in.
    changes: Vec<(DayNo, u32, u32)>,
}

/// About this many changes of version in a block: a balance as known on a day inside a block
/// counts that many detentions directly at most.
const BLOCK: usize = 4_096;

/// Every figure as running totals, as known now and (by blocks) on any past day.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    pub(crate) layout: Layout,
    now: Part,
    blocks: Vec<Block>,
    /// The totals of the series asked by some dimensions, built when first asked.
    #[serde(skip)]
    by: ByCache,
}

/// The figures of a balance as one vector: stocks, then for each kind its certain and
/// possible count in the period.
pub(crate) type Figures = Vec<i64>;

impl Totals {
    /// The totals of every version of every detention of `index`.
    pub fn of(index: &Index) -> Totals {
        Totals::in_blocks(index, BLOCK)
    }

    /// The same, with blocks of about `block` changes.
    pub(crate) fn in_blocks(index: &Index, block: usize) -> Totals {
        let layout = Layout::of(index);
        let width = layout.width();
        // Every change of version, by the day it was recorded.
        let mut changes: Vec<(DayNo, u32, u32)> = Vec::new();
        for (i, versions) in index.detentions.iter().enumerate() {
            for (at, (since, _)) in versions.iter().enumerate() {
                changes.push((*since, i as u32, at as u32));
            }
        }
        changes.sort_unstable();
        let mut blocks: Vec<Block> = Vec::new();
        let mut now_cover = Cover::default();
        let mut now_events: Vec<Event> = Vec::new();
        let mut events = Vec::new();
        let mut start = 0;
        while start < changes.len() {
            // A block ends on a day's last change once it holds `block` changes.
            let mut end = (start + block.max(1)).min(changes.len());
            let day = changes.get(end - 1).map_or(0, |c| c.0);
            while changes.get(end).is_some_and(|c| c.0 == day) {
                end += 1;
            }
            let slice = changes.get(start..end).unwrap_or_default();
            events.clear();
            let mut cover = Cover::default();
            for (_, i, at) in slice {
                change_events(
                    index,
                    &layout,
                    *i as usize,
                    *at as usize,
                    &mut events,
                    &mut cover,
                );
            }
            let mut table = Table::of(width, &events);
            // What the block adds on each of its days, for the table of every change.
            let mut before = vec![0i32; width];
            for (day, row) in table.days.iter().zip(table.cells.chunks_exact(width)) {
                for (col, (x, b)) in row.iter().zip(&before).enumerate() {
                    if x != b {
                        now_events.push((*day, col as u32, x - b));
                    }
                }
                before.copy_from_slice(row);
            }
            table.narrow();
            now_cover.merge(&cover);
            blocks.push(Block {
                last: day,
                part: Part { table, cover },
                changes: slice.to_vec(),
            });
            start = end;
        }
        Totals {
            layout,
            now: Part {
                table: Table::of(width, &now_events),
                cover: now_cover,
            },
            blocks,
            by: ByCache::default(),
        }
    }

    /// Memory held, in bytes (tables only).
    pub fn bytes(&self) -> usize {
        self.now.table.bytes()
            + self
                .blocks
                .iter()
                .map(|b| b.part.table.bytes())
                .sum::<usize>()
    }

    /// Their shape, for `bench/`: columns, days of the table of every change, blocks and the
    /// days of all their tables, uncertain spans kept.
    pub fn shape(&self) -> String {
        format!(
            "{} columns, {} days now, {} blocks of {} days in all, {} uncertain spans",
            self.layout.width(),
            self.now.table.days.len(),
            self.blocks.len(),
            self.blocks
                .iter()
                .map(|b| b.part.table.days.len())
                .sum::<usize>(),
            self.now.cover.spans.len()
        )
    }

    /// The figures of (p, d] from the tables, as known on `k` (`None`: now), and the changes
    /// recorded on or before `k` that the tables leave out: they are counted directly by the
    /// caller (`(detention id, version position)` pairs, with +1 for the version in and -1
    /// for the one it replaced).
    pub(crate) fn figures(
        &self,
        (p, d): (DayNo, DayNo),
        k: Option<DayNo>,
        below: u32,
    ) -> (Figures, Vec<(u32, u32, i8)>) {
        let width = self.layout.width();
        let (mut at_d, mut at_p, mut covered) =
            (vec![0i64; width], vec![0i64; width], vec![0i64; width]);
        let mut direct = Vec::new();
        let last = self.blocks.last().map_or(DayNo::MIN, |b| b.last);
        let mut read = |part: &Part, sign: i64| {
            part.read(
                &self.layout,
                (p, d),
                (below, sign),
                (&mut at_d, &mut at_p, &mut covered),
            );
        };
        match k {
            Some(k) if k < last => {
                // The blocks recorded by `k`: added up, or taken from every change when fewer
                // blocks come after.
                let whole = self.blocks.partition_point(|b| b.last <= k);
                let partial = self.blocks.get(whole);
                let in_k = partial.map_or(0, |b| b.changes.partition_point(|c| c.0 <= k));
                // The block `k` falls in: its changes up to `k` counted directly, or the block
                // read whole and its changes after `k` taken away, whichever is fewer.
                let whole_partial = partial.is_some_and(|b| in_k * 2 > b.changes.len());
                let upto = whole + usize::from(whole_partial);
                if upto * 2 <= self.blocks.len() {
                    for b in self.blocks.iter().take(upto) {
                        read(&b.part, 1);
                    }
                } else {
                    read(&self.now, 1);
                    for b in self.blocks.iter().skip(upto) {
                        read(&b.part, -1);
                    }
                }
                if let Some(b) = partial {
                    let (part, sign) = if whole_partial {
                        (b.changes.get(in_k..), -1)
                    } else {
                        (b.changes.get(..in_k), 1)
                    };
                    direct.extend(
                        part.unwrap_or_default()
                            .iter()
                            .map(|(_, id, at)| (*id, *at, sign)),
                    );
                }
            }
            _ => read(&self.now, 1),
        }
        let stocks = self.layout.stocks();
        let mut out = at_d.clone();
        for kind in 0..self.layout.kinds() {
            let col = self.layout.kind(kind as u32);
            let get = |v: &[i64], c: usize| v.get(c).copied().unwrap_or(0);
            let certain = get(&at_d, col + 1) - get(&at_p, col) + get(&covered, col);
            let possible = get(&at_d, col) - get(&at_p, col + 1);
            if let Some(x) = out.get_mut(col) {
                *x = certain;
            }
            if let Some(x) = out.get_mut(col + 1) {
                *x = possible;
            }
        }
        out.truncate(stocks + 2 * self.layout.kinds());
        (out, direct)
    }

    /// A detention was inserted at position `at` of the index: those after it move up one.
    pub(crate) fn inserted(&mut self, at: usize) {
        for block in &mut self.blocks {
            for c in &mut block.changes {
                if c.1 as usize >= at {
                    c.1 += 1;
                }
            }
        }
    }

    /// Brings the totals up to date with detentions whose versions changed: each
    /// `(position in the index, old, new)` (`old` empty for a detention that is new).
    pub(crate) fn update(&mut self, changed: &[Changed<'_>]) {
        let layout = self.layout.clone();
        let width = layout.width();
        if self.blocks.is_empty() {
            self.blocks.push(Block {
                last: DayNo::MIN,
                part: Part::new(width),
                changes: Vec::new(),
            });
        }
        let last_block = self.blocks.len() - 1;
        let block_of = |blocks: &[Block], since: DayNo| {
            blocks.partition_point(|b| b.last < since).min(last_block)
        };
        // Each change of version filed in its block: the old ones out, the new ones in.
        let mut per_block: BTreeMap<usize, (Vec<Event>, Cover)> = BTreeMap::new();
        for (_, old, new) in changed {
            for (versions, w) in [(*old, -1), (*new, 1)] {
                for (at, (since, case)) in versions.iter().enumerate() {
                    let (events, cover) =
                        per_block.entry(block_of(&self.blocks, *since)).or_default();
                    Part::collect(&layout, case, w, events, cover);
                    if let Some((_, prev)) = at.checked_sub(1).and_then(|i| versions.get(i)) {
                        Part::collect(&layout, prev, -w, events, cover);
                    }
                }
            }
        }
        let mut now_events = Vec::new();
        for (b, (events, cover)) in per_block {
            let Some(block) = self.blocks.get_mut(b) else {
                continue;
            };
            now_events.extend_from_slice(&events);
            block.part.table.add(&mut net(events));
            for ((f, l), kinds) in &cover.spans {
                for (k, w) in kinds {
                    block.part.cover.add(*k, *f, *l, *w);
                    self.now.cover.add(*k, *f, *l, *w);
                }
            }
        }
        self.now.table.add(&mut net(now_events));
        self.by.update(changed);
        let ids: std::collections::HashSet<u32> = changed.iter().map(|c| c.0).collect();
        for block in &mut self.blocks {
            block.changes.retain(|c| !ids.contains(&c.1));
        }
        for (id, _, new) in changed {
            for (at, (since, _)) in new.iter().enumerate() {
                let b = block_of(&self.blocks, *since);
                if let Some(block) = self.blocks.get_mut(b) {
                    let pos = block.changes.partition_point(|c| c.0 <= *since);
                    block.changes.insert(pos, (*since, *id, at as u32));
                    if b == last_block {
                        block.last = block.last.max(*since);
                    }
                }
            }
        }
    }
}

/// The series' totals already built, by the dimensions they break down by.
#[derive(Debug, Default)]
struct ByCache(std::sync::Mutex<Vec<std::sync::Arc<ByTable>>>);

impl Clone for ByCache {
    fn clone(&self) -> ByCache {
        ByCache(std::sync::Mutex::new(self.lock().clone()))
    }
}

impl ByCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<std::sync::Arc<ByTable>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Brings every table up to date with changed detentions (their latest version out, the
    /// new one in); a table that would need a combination it lacks is dropped (built again
    /// when asked).
    fn update(&self, changed: &[Changed<'_>]) {
        let mut tables = self.lock();
        tables.retain_mut(|t| {
            let t = std::sync::Arc::make_mut(t);
            let mut events = Vec::new();
            let mut cover = Cover::default();
            for (_, old, new) in changed {
                for (versions, w) in [(*old, -1), (*new, 1)] {
                    if let Some((_, c)) = versions.last()
                        && !t.collect(c, w, &mut events, &mut cover, false)
                    {
                        return false;
                    }
                }
            }
            t.part.table.add(&mut net(events));
            t.part.cover.merge(&cover);
            true
        });
    }
}

impl Totals {
    /// The running totals of the series by `by` (as known now), built the first time.
    pub(crate) fn by(&self, index: &Index, by: &[Dim]) -> std::sync::Arc<ByTable> {
        if let Some(t) = self.by.lock().iter().find(|t| t.by == by) {
            return t.clone();
        }
        let t = std::sync::Arc::new(ByTable::of(index, by));
        let mut tables = self.by.lock();
        // A few at most: each is one series' breakdown.
        if tables.len() >= 8 {
            tables.remove(0);
        }
        tables.push(t.clone());
        t
    }
}

/// A series' running totals by some dimensions, as known now: for each combination of their
/// values (a key), the held, the political prisoners certain and possible, and the arrests,
/// releases, releases of prisoners and deaths, as spans (see the module's documentation).
#[derive(Clone, Debug)]
pub(crate) struct ByTable {
    pub by: Vec<Dim>,
    /// The combinations met, numbered in the order met.
    pub keys: Vec<Vec<u32>>,
    numbers: std::collections::HashMap<Vec<u32>, u32>,
    /// How many detention pieces each combination has (a combination with none is no row).
    pub uses: Vec<i64>,
    part: Part,
}

/// Columns of a key: held, prisoners certain, prisoners possible; then arrests, releases,
/// prisoner releases and deaths as (begun, ended).
pub(crate) const BY_COLUMNS: usize = 11;
pub(crate) const BY_HELD: usize = 0;
pub(crate) const BY_PRIS_C: usize = 1;
pub(crate) const BY_PRIS_P: usize = 2;
pub(crate) const BY_ARREST: u32 = 0;
pub(crate) const BY_RELEASE: u32 = 1;
pub(crate) const BY_PRISONER_RELEASE: u32 = 2;
pub(crate) const BY_DEATH: u32 = 3;

/// A step's figures of one key: held, prisoners certain and possible, then arrests,
/// releases, prisoner releases and deaths certainly in the step.
pub(crate) type StepFigures = [i64; 7];

impl ByTable {
    fn of(index: &Index, by: &[Dim]) -> ByTable {
        let mut t = ByTable {
            by: by.to_vec(),
            keys: Vec::new(),
            numbers: std::collections::HashMap::new(),
            uses: Vec::new(),
            part: Part::default(),
        };
        let mut events = Vec::new();
        let mut cover = Cover::default();
        for versions in &index.detentions {
            if let Some((_, c)) = versions.last() {
                t.collect(c, 1, &mut events, &mut cover, true);
            }
        }
        t.part = Part {
            table: Table::of(t.keys.len() * BY_COLUMNS, &events),
            cover,
        };
        t
    }

    fn column(key: u32, col: usize) -> usize {
        key as usize * BY_COLUMNS + col
    }

    fn kind_column(kind: u32) -> usize {
        (kind / 4) as usize * BY_COLUMNS + 3 + 2 * (kind % 4) as usize
    }

    /// A detention's latest version in (w = 1) or out (w = -1): the same pieces, stocks and
    /// events as `series` sweeps. A combination not met before is numbered when `grow`,
    /// otherwise it makes this return false.
    fn collect(
        &mut self,
        c: &Case,
        w: i32,
        events: &mut Vec<Event>,
        cover: &mut Cover,
        grow: bool,
    ) -> bool {
        if c.status != Some(RecognitionStatus::Recognised) {
            return true;
        }
        let (af, al) = (c.arrest.first, c.arrest.last);
        let (ef, el) = c
            .end
            .as_ref()
            .map_or((NO_END, NO_END), |(s, _)| (s.first, s.last));
        let mut edges = vec![DayNo::MIN];
        if self.by.iter().any(|d| !d.is_static() && !d.is_multi()) {
            let mut cuts = Vec::new();
            for dim in &self.by {
                crate::series::change_days_into(&mut cuts, c, *dim);
            }
            cuts.sort_unstable();
            cuts.dedup();
            edges.extend(cuts);
        }
        edges.push(NO_END);
        let mut keys = Vec::new();
        for seg in edges.windows(2) {
            let (Some(&from), Some(&to)) = (seg.first(), seg.get(1)) else {
                continue;
            };
            crate::series::segment_keys(&mut keys, c, &self.by, from);
            for key in &keys {
                let number = match self.numbers.get(key) {
                    Some(n) => *n,
                    None if grow => {
                        let n = self.keys.len() as u32;
                        self.keys.push(key.clone());
                        self.numbers.insert(key.clone(), n);
                        self.uses.push(0);
                        n
                    }
                    None => return false,
                };
                if let Some(u) = self.uses.get_mut(number as usize) {
                    *u += i64::from(w);
                }
                let after = |day: DayNo| day.saturating_add(PRISONER_AFTER_DAYS);
                for (col, start, end) in [
                    (BY_HELD, al, ef),
                    (BY_PRIS_C, after(al), ef),
                    (BY_PRIS_P, after(af), el),
                ] {
                    let (a, b) = (start.max(from), end.min(to));
                    if a < b {
                        let col = Self::column(number, col) as u32;
                        events.push((a, col, w));
                        if b != NO_END {
                            events.push((b, col, -w));
                        }
                    }
                }
                let inside = |day: DayNo| from <= day && day < to;
                let mut span = |kind: u32, first: DayNo, last: DayNo| {
                    let kind = number * 4 + kind;
                    let col = Self::kind_column(kind) as u32;
                    events.push((first, col, w));
                    events.push((last, col + 1, w));
                    cover.add(kind, first, last, w);
                };
                if inside(af) {
                    span(BY_ARREST, af, al);
                }
                if let Some((_, kind)) = &c.end
                    && inside(ef)
                {
                    if matches!(kind, EndType::Released | EndType::ReleasedUnderMeasures) {
                        span(BY_RELEASE, ef, el);
                        if ef - al > PRISONER_AFTER_DAYS {
                            span(BY_PRISONER_RELEASE, ef, el);
                        }
                    }
                    if *kind == EndType::DiedInCustody {
                        span(BY_DEATH, ef, el);
                    }
                }
            }
        }
        true
    }

    /// Every key's figures for the step (p, d].
    pub fn step(&self, p: DayNo, d: DayNo) -> Vec<StepFigures> {
        let width = self.keys.len() * BY_COLUMNS;
        let (mut at_d, mut at_p, mut covered) =
            (vec![0i64; width], vec![0i64; width], vec![0i64; width]);
        self.part.table.add_into(d, 1, &mut at_d);
        self.part.table.add_into(p, 1, &mut at_p);
        self.part
            .cover
            .apply(p, d, (u32::MAX, 1), &Self::kind_column, &mut covered);
        let get = |v: &[i64], c: usize| v.get(c).copied().unwrap_or(0);
        (0..self.keys.len() as u32)
            .map(|key| {
                let stock = |col: usize| get(&at_d, Self::column(key, col));
                let certain = |kind: u32| {
                    let col = Self::kind_column(key * 4 + kind);
                    get(&at_d, col + 1) - get(&at_p, col) + get(&covered, col)
                };
                [
                    stock(BY_HELD),
                    stock(BY_PRIS_C),
                    stock(BY_PRIS_P),
                    certain(BY_ARREST),
                    certain(BY_RELEASE),
                    certain(BY_PRISONER_RELEASE),
                    certain(BY_DEATH),
                ]
            })
            .collect()
    }
}

/// The events of one change of version: the version at `at` in, the one before it out.
fn change_events(
    index: &Index,
    layout: &Layout,
    i: usize,
    at: usize,
    events: &mut Vec<Event>,
    cover: &mut Cover,
) {
    let Some(versions) = index.detentions.get(i) else {
        return;
    };
    if let Some((_, case)) = versions.get(at) {
        Part::collect(layout, case, 1, events, cover);
    }
    if let Some((_, case)) = at.checked_sub(1).and_then(|i| versions.get(i)) {
        Part::collect(layout, case, -1, events, cover);
    }
}

/// Events added up by day and column, those that cancel left out.
fn net(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for (d, c, w) in events {
        match out.last_mut() {
            Some(last) if last.0 == d && last.1 == c => last.2 += w,
            _ => out.push((d, c, w)),
        }
    }
    out.retain(|e| e.2 != 0);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    //! The running totals against counting every detention, on registries made to be harder
    //! than real ones: dates known to the day, the month, the year or any stretch; ends
    //! before arrests; custody steps out of order and before the arrest; statuses that come
    //! and go; several versions of a detention recorded on the same day or years apart.

    use super::*;
    use crate::index::{CustodyAt, Fixed, Names, Span, UNKNOWN};
    use crate::{Balance, balance};
    use vigilia_core::fold::KnownOn;

    /// A small deterministic generator (xorshift), so that a failure is reproducible.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
    }

    const START: DayNo = 19_000; // 2022-01-08
    const DAYS: u64 = 1_200;

    fn span(rng: &mut Rng) -> Span {
        let first = START + rng.below(DAYS) as DayNo;
        let len = match rng.below(10) {
            0..=5 => 0,
            6 => 27 + rng.below(4) as DayNo,
            7 => 364,
            8 => 1 + rng.below(3) as DayNo,
            _ => rng.below(200) as DayNo,
        };
        Span {
            first,
            last: first + len,
        }
    }

    fn names() -> Names {
        let mut n = Names::new();
        for (dim, values) in [
            (Dim::State, &["Zulia", "Lara", "Caracas"][..]),
            (
                Dim::Facility,
                &["Rodeo I", "Helicoide", "Tocorón", "Yare"][..],
            ),
            (Dim::Agency, &["SEBIN", "DGCIM"][..]),
            (Dim::Charge, &["terrorismo", "traición", "incitación"][..]),
            (Dim::Context, &["protesta", "elecciones"][..]),
        ] {
            for v in values {
                n.id(dim, v);
            }
        }
        n
    }

    fn case(rng: &mut Rng, names: &Names, id: u64, person: u64) -> Case {
        let arrest = span(rng);
        let end = rng.chance(55).then(|| {
            let mut e = span(rng);
            if rng.chance(80) {
                let shift = arrest.first - e.first + rng.below(400) as DayNo;
                e.first += shift;
                e.last += shift;
            }
            (
                e,
                EndType::ALL[rng.below(EndType::ALL.len() as u64) as usize],
            )
        });
        let status = match rng.below(10) {
            0 => None,
            1 | 2 => Some(RecognitionStatus::UnderStudy),
            3 => Some(RecognitionStatus::NotRecognised),
            _ => Some(RecognitionStatus::Recognised),
        };
        let mut fixed = Fixed([UNKNOWN; 13]);
        for dim in Dim::ALL {
            if dim.is_static() {
                fixed.0[dim as usize] = rng.below(names.count(dim) as u64) as u32;
            }
        }
        let some = |rng: &mut Rng, dim: Dim| -> Vec<u32> {
            (0..rng.below(3))
                .map(|_| 1 + rng.below(names.count(dim) as u64 - 1) as u32)
                .collect()
        };
        let near = |rng: &mut Rng| arrest.first - 30 + rng.below(500) as DayNo;
        Case {
            detention: id,
            person,
            arrest,
            end,
            status,
            fixed,
            adult_from: rng.chance(40).then(|| {
                let s = span(rng);
                Span {
                    first: s.first - 200,
                    last: s.last - 200,
                }
            }),
            minor: [None, Some(true), Some(false)][rng.below(3) as usize],
            charges: some(rng, Dim::Charge),
            context: some(rng, Dim::Context),
            custody: (0..rng.below(4))
                .map(|_| CustodyAt {
                    from: near(rng),
                    facility: rng
                        .chance(70)
                        .then(|| rng.below(names.count(Dim::Facility) as u64) as u32),
                    house_arrest: rng.chance(25),
                })
                .collect(),
            whereabouts: (0..rng.below(3))
                .map(|_| (near(rng), rng.chance(50)))
                .collect(),
            convicted: rng.chance(20).then(|| {
                let d = near(rng);
                Span {
                    first: d,
                    last: d + rng.below(40) as DayNo,
                }
            }),
        }
    }

    fn versions(rng: &mut Rng, names: &Names, id: u64) -> Vec<(DayNo, Case)> {
        let mut since = START + rng.below(DAYS) as DayNo;
        (0..1 + rng.below(4))
            .map(|_| {
                since += rng.below(120) as DayNo;
                (since, case(rng, names, id, id))
            })
            .collect()
    }

    fn index(seed: u64, n: u64) -> Index {
        let mut rng = Rng(seed);
        let names = names();
        let detentions = (1..=n).map(|id| versions(&mut rng, &names, id)).collect();
        // Group detentions, some of whose members nobody identified.
        let groups = (1..=n / 50)
            .map(|id| {
                let mut fixed = Fixed([UNKNOWN; 13]);
                fixed.0[Dim::State as usize] = rng.below(4) as u32;
                let count = rng.below(30) as u32;
                vec![(
                    START + rng.below(DAYS) as DayNo,
                    crate::index::GroupCase {
                        group: id,
                        arrest: span(&mut rng),
                        count,
                        unidentified: rng.below(u64::from(count) + 1),
                        fixed,
                        context: (0..rng.below(2)).map(|_| 1 + rng.below(2) as u32).collect(),
                    },
                )]
            })
            .collect();
        let mut index = Index {
            names,
            detentions,
            groups,
            ..Index::default()
        };
        index.cols = crate::index::Columns::of(&index.detentions);
        index
    }

    fn asked(rng: &mut Rng) -> (DayNo, DayNo, Option<DayNo>) {
        let d = START - 10 + rng.below(DAYS + 600) as DayNo;
        let p = d - [1, 7, 7, 30, 365, 2, 0][rng.below(7) as usize];
        let k = rng
            .chance(60)
            .then(|| START - 10 + rng.below(DAYS + 600) as DayNo);
        (d, p, k)
    }

    fn both(
        scan: &Index,
        fast: &Index,
        (d, p, k): (DayNo, DayNo, Option<DayNo>),
    ) -> (Balance, Balance) {
        let day = crate::index::day_of;
        let known = KnownOn(k.map(day));
        // The totals are read whenever the period ends after it starts.
        assert_eq!(
            crate::balance::from_totals(fast, d, p, k).is_some(),
            p < d,
            "totals not read"
        );
        (
            balance(scan, day(d), known, day(p)),
            balance(fast, day(d), known, day(p)),
        )
    }

    #[test]
    fn running_totals_give_every_figure_of_counting_each_detention() {
        for (seed, n, block) in [(7, 400, 16), (11, 2_000, 97), (13, 1_500, 4_096)] {
            let scan = index(seed, n);
            let mut fast = scan.clone();
            fast.totals = Some(Box::new(Totals::in_blocks(&fast, block)));
            let mut rng = Rng(seed * 31);
            let mut seen = (0u64, 0u64, 0u64);
            for _ in 0..300 {
                let q = asked(&mut rng);
                let (a, b) = both(&scan, &fast, q);
                assert_eq!(
                    a, b,
                    "seed {seed}, day {}, from {}, known on {:?}",
                    q.0, q.1, q.2
                );
                seen.0 += a.held.total;
                seen.1 += a.period.political_detentions;
                seen.2 += a.held.upper - a.held.lower;
            }
            // Figures that were not all zero, uncertain ones among them.
            assert!(seen.0 > 1_000 && seen.1 > 100 && seen.2 > 100, "{seen:?}");
        }
    }

    /// A series counted by sweeping every detention and read from running totals.
    fn same_series(scan: &Index, fast: &Index, rng: &mut Rng) {
        use crate::series::{Every, series};
        let dims = [
            &[][..],
            &[Dim::Sex],
            &[Dim::Sex, Dim::CivilianMilitary],
            &[Dim::Facility],
            &[Dim::Charge, Dim::Age],
            &[Dim::HouseArrest, Dim::State],
            &[Dim::Context],
            &[Dim::WhereaboutsUnknown, Dim::Convicted],
        ];
        for by in dims {
            let every = [Every::Day, Every::Week, Every::Month][rng.below(3) as usize];
            let from = START - 30 + rng.below(DAYS) as DayNo;
            let to = from + rng.below(700) as DayNo;
            let day = crate::index::day_of;
            let a = series(scan, day(from), day(to), every, by, KnownOn::NOW);
            let b = series(fast, day(from), day(to), every, by, KnownOn::NOW);
            assert_eq!(a.len(), b.len(), "{by:?} {every:?} {from} {to}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "{by:?} {every:?} {from} {to}");
            }
        }
    }

    #[test]
    fn an_index_saved_with_its_totals_loads_them_and_counts_the_same() {
        let scan = index(23, 600);
        let mut fast = scan.clone();
        fast.totals = Some(Box::new(Totals::in_blocks(&fast, 50)));
        let loaded = Index::from_bytes(&fast.to_bytes()).unwrap();
        assert!(loaded.totals.is_some(), "the totals were not saved");
        let mut rng = Rng(29);
        for _ in 0..100 {
            let q = asked(&mut rng);
            let (a, b) = both(&scan, &loaded, q);
            assert_eq!(a, b, "day {}, from {}, known on {:?}", q.0, q.1, q.2);
        }
        // Saved without totals, loaded without.
        assert!(
            Index::from_bytes(&scan.to_bytes())
                .unwrap()
                .totals
                .is_none()
        );
    }

    #[test]
    fn series_from_running_totals_equal_series_swept() {
        for seed in [3, 17] {
            let scan = index(seed, 1_500);
            let mut fast = scan.clone();
            fast.precompute();
            let mut rng = Rng(seed + 1);
            for _ in 0..6 {
                same_series(&scan, &fast, &mut rng);
            }
        }
    }

    #[test]
    fn running_totals_kept_current_equal_totals_built_again() {
        let mut rng = Rng(99);
        let scan_before = index(5, 800);
        let mut fast = scan_before.clone();
        fast.totals = Some(Box::new(Totals::in_blocks(&fast, 40)));
        // Series tables built before the change, to be kept current with it.
        same_series(&scan_before, &fast, &mut rng);
        // Change some detentions, add new ones: as `Index::update` does.
        let names = fast.names.clone();
        let mut changed = Vec::new();
        for id in (1..=900u64).filter(|i| i % 7 == 0 || *i > 800) {
            let new = versions(&mut rng, &names, id);
            let old = match fast.position_of(id) {
                Some(_) => {
                    let at = fast.detentions.partition_point(|v| v[0].1.detention < id);
                    std::mem::replace(&mut fast.detentions[at], new)
                }
                None => {
                    fast.detentions.push(new);
                    Vec::new()
                }
            };
            changed.push((id, old));
        }
        fast.cols = crate::index::Columns::of(&fast.detentions);
        let mut totals = fast.totals.take().unwrap();
        let with_new: Vec<Changed<'_>> = changed
            .iter()
            .map(|(id, old)| {
                let at = fast.position_of(*id).unwrap();
                (at as u32, old.as_slice(), fast.detentions[at].as_slice())
            })
            .collect();
        totals.update(&with_new);
        fast.totals = Some(totals);
        let mut scan = fast.clone();
        scan.totals = None;
        for _ in 0..300 {
            let q = asked(&mut rng);
            let (a, b) = both(&scan, &fast, q);
            assert_eq!(a, b, "day {}, from {}, known on {:?}", q.0, q.1, q.2);
        }
        same_series(&scan, &fast, &mut rng);
    }
}
