//! Comparing two reports field by field. Each field gets a level: 0 when one side does not know
//! it, 1 when they disagree, higher the more they agree. The levels are what the model weighs;
//! where two reports agree exactly on a name, how common that name is (its term frequency)
//! decides how much the agreement is worth: two `González` say less than two `Arocha`.
//!
//! Words are numbered once, as reports are prepared ([`Frequencies`]): a report's names, their
//! phonetic keys, its state and its facility are numbers held in the report itself ([`Words`]),
//! so that comparing tens of millions of pairs compares numbers rather than strings scattered
//! over the memory (reading those strings was most of the time of deduplicating a million
//! reports). A name's letters are read from the one table of words, which stays in the cache.

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Arc;

use vigilia_core::date::PartialDate;

use crate::cores;
use crate::name::Name;
use crate::phonetic::key;
use vigilia_core::national_id::NationalId;

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

/// A word's number among the words a [`Frequencies`] has seen: equal words, equal numbers.
pub type Word = u32;
/// In [`Words`]: no such word in the report.
pub const ABSENT: Word = Word::MAX;
/// In [`Words`]: a word of a report looked up (not counted) that no counted report has.
pub const UNKNOWN: Word = Word::MAX - 1;

/// How many surnames, and how many given names, a report's [`Words`] holds; a name with more
/// (rare, and mostly text put in the wrong column) is compared through its letters.
const HELD: usize = 3;

/// A report's words as numbers, in the report: its surnames and their phonetic keys, its given
/// names and theirs, its state and facility.
#[derive(Clone, Copy, Debug)]
pub struct Words {
    pub surnames: [Word; HELD],
    pub surname_keys: [Word; HELD],
    pub given: [Word; HELD],
    pub given_keys: [Word; HELD],
    /// The last surname's key (the last held, unless there are more).
    pub last_surname_key: Word,
    pub state: Word,
    pub facility: Word,
    surnames_len: u8,
    given_len: u8,
    /// Whether every word is held and known: only then are two reports compared by numbers.
    complete: bool,
}

impl Default for Words {
    fn default() -> Words {
        Words {
            surnames: [ABSENT; HELD],
            surname_keys: [ABSENT; HELD],
            given: [ABSENT; HELD],
            given_keys: [ABSENT; HELD],
            last_surname_key: ABSENT,
            state: ABSENT,
            facility: ABSENT,
            surnames_len: 0,
            given_len: 0,
            complete: true,
        }
    }
}

impl Words {
    /// Numbers a report's words with `number` (`None`: a word not known).
    fn of(r: &Report, keys: &Keys, mut number: impl FnMut(&str) -> Option<Word>) -> Words {
        let mut w = Words::default();
        let mut fill = |into: &mut [Word; HELD], from: &[String]| {
            for (slot, word) in into.iter_mut().zip(from) {
                *slot = number(word).unwrap_or(UNKNOWN);
            }
            from.len().min(HELD) as u8
        };
        w.surnames_len = fill(&mut w.surnames, &r.name.surnames);
        fill(&mut w.surname_keys, &keys.surnames);
        w.given_len = fill(&mut w.given, &r.name.given);
        fill(&mut w.given_keys, &keys.given);
        let mut one = |v: Option<&str>| v.map_or(ABSENT, |s| number(s).unwrap_or(UNKNOWN));
        w.last_surname_key = one(keys.surnames.last().map(String::as_str));
        w.state = one(r.state.as_deref());
        w.facility = one(r.facility.as_deref());
        let all = (w.surnames.iter().chain(&w.surname_keys).chain(&w.given))
            .chain(&w.given_keys)
            .chain([&w.state, &w.facility]);
        w.complete = Words::hold(&r.name) && all.into_iter().all(|n| *n != UNKNOWN);
        w
    }

    /// Whether the words of a name are all held.
    fn hold(n: &Name) -> bool {
        n.surnames.len() <= HELD && n.given.len() <= HELD
    }

    /// The first surname's key, the first given name's, the last surname's: `None` when the
    /// report has none, or it is a word no counted report has (for blocking).
    pub fn first_surname_key(&self) -> Option<Word> {
        known(self.surname_keys.first().copied())
    }
    pub fn second_surname_key(&self) -> Option<Word> {
        known(self.surname_keys.get(1).copied())
    }
    pub fn last_surname_key(&self) -> Option<Word> {
        known(Some(self.last_surname_key))
    }
    pub fn first_given_key(&self) -> Option<Word> {
        known(self.given_keys.first().copied())
    }
    pub fn state(&self) -> Option<Word> {
        known(Some(self.state))
    }
    pub fn surnames_len(&self) -> usize {
        usize::from(self.surnames_len)
    }

    fn parts(&self) -> Parts<'_, Word> {
        let (s, g) = (usize::from(self.surnames_len), usize::from(self.given_len));
        Parts {
            surnames: self.surnames.get(..s).unwrap_or(&[]),
            surname_keys: self.surname_keys.get(..s).unwrap_or(&[]),
            given: self.given.get(..g).unwrap_or(&[]),
            given_keys: self.given_keys.get(..g).unwrap_or(&[]),
        }
    }
}

fn known(w: Option<Word>) -> Option<Word> {
    w.filter(|w| *w != ABSENT && *w != UNKNOWN)
}

/// The phonetic keys of a name's surnames and given names, in order.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    pub surnames: Vec<String>,
    pub given: Vec<String>,
}

impl Keys {
    pub fn of(n: &Name) -> Keys {
        Keys {
            surnames: n.surnames.iter().map(|s| key(s)).collect(),
            given: n.given.iter().map(|s| key(s)).collect(),
        }
    }
}

/// What a report says besides its names and places, as it is compared.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Facts {
    pub cedula: Option<NationalId>,
    pub birth: Option<PartialDate>,
    pub age: Option<u8>,
    pub sex: Option<char>,
    pub arrest: Option<PartialDate>,
    /// The first initial written instead of a given name (`José G.` → `g`).
    pub initial: Option<char>,
}

impl Facts {
    fn of(r: &Report) -> Facts {
        Facts {
            cedula: r.cedula,
            birth: r.birth,
            age: r.age,
            sex: r.sex,
            arrest: r.arrest,
            initial: r.name.initials.first().copied(),
        }
    }
}

/// A report's names and places as written, with its names' phonetic keys.
#[derive(Clone, Debug, Default)]
pub struct Spelled {
    pub name: Name,
    pub keys: Keys,
    pub state: Option<String>,
    pub facility: Option<String>,
}

/// A report prepared for many comparisons: its words numbered, its names' numbers counted for
/// their frequencies, what else it says. The report's text is not kept (at a million reports
/// it was half the memory), unless its words are not all held as numbers. It takes two lines of
/// the processor's cache, aligned: comparing reads one report after another at random.
#[derive(Clone, Debug, Default)]
#[repr(align(64))]
pub struct Features {
    pub words: Words,
    /// The numbers of the first surname, the second, all given names, the first given name, as
    /// counted ([`ABSENT`]: none, or not counted).
    pub names: [Word; 4],
    pub facts: Facts,
    /// The report's text, kept when its words are compared by their letters.
    spelled: Option<Box<Spelled>>,
}

/// The numbered words of the reports, and how often each name happens, as a share of the
/// reports that have one.
#[derive(Clone, Debug, Default)]
pub struct Frequencies {
    /// Each word once, shared by its number and the table of numbers.
    numbers: FxHashMap<Arc<str>, Word>,
    words: Vec<Arc<str>>,
    /// Each word's [`Letters`], by its number.
    letters: Vec<Letters>,
    /// By kind of name, how many reports have each word ([`NEVER`]: no report ever had).
    counts: [Vec<u32>; 4],
    totals: [u32; 4],
}

/// In [`Frequencies`]' counts: a word never counted as that kind of name.
const NEVER: u32 = u32::MAX;

/// The name values counted, by kind: first surname, second surname, all given names, the
/// first given name.
fn name_values(n: &Name) -> [Option<Cow<'_, str>>; 4] {
    [
        n.surnames.first().map(|s| Cow::Borrowed(s.as_str())),
        n.surnames.get(1).map(|s| Cow::Borrowed(s.as_str())),
        (!n.given.is_empty()).then(|| Cow::Owned(n.given.join(" "))),
        n.given.first().map(|s| Cow::Borrowed(s.as_str())),
    ]
}

impl Frequencies {
    fn number(&mut self, word: &str) -> Word {
        match self.numbers.get(word) {
            Some(n) => *n,
            None => self.add_word(Arc::from(word), Letters::of(word)),
        }
    }

    fn add_word(&mut self, word: Arc<str>, letters: Letters) -> Word {
        let n = self.words.len() as Word;
        self.letters.push(letters);
        self.words.push(Arc::clone(&word));
        self.numbers.insert(word, n);
        n
    }

    /// The word numbered `n`.
    pub fn word(&self, n: Word) -> &str {
        self.words.get(n as usize).map_or("", |w| w)
    }

    fn counted(&self, kind: usize, n: Word) -> Option<u32> {
        let c = *self.counts.get(kind)?.get(n as usize)?;
        (c != NEVER).then_some(c)
    }

    /// The share of reports (with a value of that kind) that have the name `n`. A few reports
    /// say little about how common a name is: until there are many, the share leans towards
    /// one in a hundred ([`NAME_SHARE`] counted as [`NAME_REPORTS`] reports).
    pub fn share(&self, kind: usize, n: Word) -> f64 {
        let count = self.counted(kind, n).unwrap_or(0);
        let total = self.totals.get(kind).copied().unwrap_or(1);
        (f64::from(count) + NAME_REPORTS * NAME_SHARE) / (f64::from(total) + NAME_REPORTS)
    }

    /// Prepares a report for comparison and counts its names.
    pub fn add(&mut self, r: Report) -> Features {
        let keys = Keys::of(&r.name);
        let mut names = [None; 4];
        for (kind, (slot, v)) in names.iter_mut().zip(name_values(&r.name)).enumerate() {
            let Some(v) = v else { continue };
            let n = self.number(&v);
            if let Some(counts) = self.counts.get_mut(kind) {
                if counts.len() <= n as usize {
                    counts.resize(n as usize + 1, NEVER);
                }
                if let Some(c) = counts.get_mut(n as usize) {
                    *c = if *c == NEVER { 1 } else { *c + 1 };
                }
            }
            if let Some(t) = self.totals.get_mut(kind) {
                *t += 1;
            }
            *slot = Some(n);
        }
        let words = Words::of(&r, &keys, |w| Some(self.number(w)));
        Features::new(words, names, r, &keys)
    }

    /// No longer counts the names of a report prepared by [`Frequencies::add`] (its words keep
    /// their numbers).
    pub fn remove(&mut self, f: &Features) {
        for (kind, n) in f.names.iter().enumerate().filter(|(_, n)| **n != ABSENT) {
            if let Some(c) = self
                .counts
                .get_mut(kind)
                .and_then(|c| c.get_mut(*n as usize))
                && *c != NEVER
            {
                *c = c.saturating_sub(1);
            }
            if let Some(t) = self.totals.get_mut(kind) {
                *t = t.saturating_sub(1);
            }
        }
    }

    /// Takes in the words and counts of `other`: returns, for each number `other` gave, this
    /// table's number for the same word.
    fn absorb(&mut self, other: Frequencies) -> Vec<Word> {
        // Its words are moved, not copied (a file of distinct names would hold each twice).
        drop(other.numbers);
        let remap: Vec<Word> = (other.words.into_iter().zip(other.letters))
            .map(|(w, letters)| match self.numbers.get(&*w) {
                Some(n) => *n,
                None => self.add_word(w, letters),
            })
            .collect();
        for (kind, counts) in other.counts.iter().enumerate() {
            let Some(into) = self.counts.get_mut(kind) else {
                continue;
            };
            for (n, c) in counts.iter().enumerate().filter(|(_, c)| **c != NEVER) {
                let at = remap.get(n).copied().unwrap_or(ABSENT) as usize;
                if into.len() <= at {
                    into.resize(at + 1, NEVER);
                }
                if let Some(x) = into.get_mut(at) {
                    *x = if *x == NEVER { *c } else { *x + c };
                }
            }
        }
        for (t, o) in self.totals.iter_mut().zip(other.totals) {
            *t += o;
        }
        remap
    }

    /// Prepares a report for comparison without counting it (a query).
    pub fn look_up(&self, r: Report) -> Features {
        let mut names = [None; 4];
        for (kind, (slot, v)) in names.iter_mut().zip(name_values(&r.name)).enumerate() {
            *slot = v
                .and_then(|v| self.numbers.get(v.as_ref()).copied())
                .filter(|n| self.counted(kind, *n).is_some());
        }
        let keys = Keys::of(&r.name);
        let words = Words::of(&r, &keys, |w| self.numbers.get(w).copied());
        Features::new(words, names, r, &keys)
    }
}

impl Features {
    fn new(words: Words, names: [Option<Word>; 4], r: Report, keys: &Keys) -> Features {
        let facts = Facts::of(&r);
        let spelled = (!words.complete).then(|| {
            Box::new(Spelled {
                keys: keys.clone(),
                state: r.state,
                facility: r.facility,
                name: r.name,
            })
        });
        Features {
            words,
            names: names.map(|n| n.unwrap_or(ABSENT)),
            facts,
            spelled,
        }
    }

    /// Gives the report's words the numbers `remap` gives them (see [`Frequencies::absorb`]).
    fn renumber(&mut self, remap: &[Word]) {
        let new = |n: &mut Word| {
            if let Some(m) = remap.get(*n as usize) {
                *n = *m;
            }
        };
        let w = &mut self.words;
        (w.surnames.iter_mut().chain(&mut w.surname_keys))
            .chain(&mut w.given)
            .chain(&mut w.given_keys)
            .chain([&mut w.last_surname_key, &mut w.state, &mut w.facility])
            .chain(&mut self.names)
            .for_each(new);
    }

    /// The report's names, keys and places as written: kept, or spelled again from the words'
    /// numbers.
    pub fn spelled(&self, freq: &Frequencies) -> Cow<'_, Spelled> {
        if let Some(s) = &self.spelled {
            return Cow::Borrowed(s);
        }
        let spell = |numbers: &[Word]| -> Vec<String> {
            numbers.iter().map(|n| freq.word(*n).to_string()).collect()
        };
        let parts = self.words.parts();
        let [state, facility] = self.places(freq).map(|p| p.map(String::from));
        Cow::Owned(Spelled {
            name: Name {
                surnames: spell(parts.surnames),
                given: spell(parts.given),
                initials: self.facts.initial.into_iter().collect(),
                married: None,
            },
            keys: Keys {
                surnames: spell(parts.surname_keys),
                given: spell(parts.given_keys),
            },
            state,
            facility,
        })
    }

    /// The phonetic keys of the names, surnames first.
    pub fn keys<'a>(&'a self, freq: &'a Frequencies) -> Vec<&'a str> {
        match &self.spelled {
            Some(s) => (s.keys.surnames.iter().chain(&s.keys.given))
                .map(String::as_str)
                .collect(),
            None => {
                let parts = self.words.parts();
                (parts.surname_keys.iter().chain(parts.given_keys))
                    .map(|n| freq.word(*n))
                    .collect()
            }
        }
    }

    /// The state and the facility, as written (folded).
    pub fn places<'a>(&'a self, freq: &'a Frequencies) -> [Option<&'a str>; 2] {
        match &self.spelled {
            Some(s) => [s.state.as_deref(), s.facility.as_deref()],
            None => {
                [self.words.state, self.words.facility].map(|n| (n != ABSENT).then(|| freq.word(n)))
            }
        }
    }

    /// The share of reports with this report's name of `kind` (0 when unknown).
    fn share(&self, freq: &Frequencies, kind: usize) -> f32 {
        self.names
            .get(kind)
            .filter(|n| **n != ABSENT)
            .map_or(0.0, |n| freq.share(kind, *n) as f32)
    }
}

/// Prepares reports for comparison and counts how often each name happens among them, on every
/// core: each core numbers the words of its share of the reports in a table of its own, a part
/// of the reports at a time (their text is freed as they are prepared); the tables are then
/// merged into one and each core's numbers renumbered. (Words are only ever compared for
/// equality, so which number a word gets changes nothing found.)
pub fn prepare(reports: Vec<Report>) -> (Vec<Features>, Frequencies) {
    let mut tables: Vec<Frequencies> = (0..cores()).map(|_| Frequencies::default()).collect();
    let mut features: Vec<Features> = Vec::with_capacity(reports.len());
    // Which table numbered which reports.
    let mut numbered_by: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    let mut reports = reports.into_iter();
    loop {
        let mut part: Vec<Report> = reports.by_ref().take(1 << 16).collect();
        if part.is_empty() {
            break;
        }
        let start = features.len();
        let share = part.len().div_ceil(tables.len());
        features.resize_with(start + part.len(), Features::default);
        let (_, into) = features.split_at_mut(start);
        std::thread::scope(|s| {
            for (((reports, into), table), t) in
                (part.chunks_mut(share).zip(into.chunks_mut(share)))
                    .zip(&mut tables)
                    .zip(0..)
            {
                let first = start + t * share;
                numbered_by.push((first..first + reports.len(), t));
                s.spawn(move || {
                    for (r, slot) in reports.iter_mut().zip(into) {
                        *slot = table.add(std::mem::take(r));
                    }
                });
            }
        });
    }
    let mut tables = tables.into_iter();
    let mut freq = tables.next().unwrap_or_default();
    let remaps: Vec<Vec<Word>> = std::iter::once(Vec::new())
        .chain(tables.map(|t| freq.absorb(t)))
        .collect();
    for (range, t) in numbered_by {
        if let (Some(remap), Some(features)) = (remaps.get(t), features.get_mut(range))
            && t > 0
        {
            for f in features {
                f.renumber(remap);
            }
        }
    }
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
fn close<W: Spelling>(x: &W, y: &W, freq: &Frequencies) -> bool {
    x.letters(freq).may_be_close(&y.letters(freq))
        && strsim::jaro_winkler(x.spelled(freq), y.spelled(freq)) >= 0.88
}

/// How many times a word has each letter (by its five low bits), and its length: what bounds
/// how closely two words can be spelled without reading them. Kept for each numbered word
/// (counting them at each comparison was 8% of deduplicating a million reports).
#[derive(Clone, Copy, Debug, Default)]
pub struct Letters {
    counts: [u8; 32],
    /// The length; 0 when the bound does not apply (empty, not ASCII, or longer than 255).
    len: u8,
}

impl Letters {
    fn of(word: &str) -> Letters {
        let mut l = Letters::default();
        if !word.is_ascii() || word.is_empty() || word.len() > usize::from(u8::MAX) {
            return l;
        }
        for x in word.bytes() {
            if let Some(n) = l.counts.get_mut(usize::from(x & 31)) {
                *n = n.saturating_add(1);
            }
        }
        l.len = word.len() as u8;
        l
    }

    /// Most names compared are far apart; this bound rules them out before the whole measure.
    /// Jaro–Winkler adds at most 0.4 × (1 − Jaro), so 0.88 needs Jaro ≥ 0.8, and Jaro is at
    /// most (c/|a| + c/|b| + 1) / 3 with c the letters the two have in common, wherever they
    /// are.
    fn may_be_close(&self, other: &Letters) -> bool {
        if self.len == 0 || other.len == 0 {
            return true;
        }
        let common: u32 = (self.counts.iter().zip(&other.counts))
            .map(|(a, b)| u32::from(*a.min(b)))
            .sum();
        let c = f64::from(common);
        c / f64::from(self.len) + c / f64::from(other.len) >= 1.4 - 1e-9
    }
}

/// A report's names as the comparisons read them: as words, or as their numbers.
struct Parts<'a, W> {
    surnames: &'a [W],
    surname_keys: &'a [W],
    given: &'a [W],
    given_keys: &'a [W],
}

/// How a word of a name is spelled: a string is its spelling, a number is looked up.
trait Spelling: PartialEq {
    fn spelled<'a>(&'a self, freq: &'a Frequencies) -> &'a str;
    fn letters(&self, freq: &Frequencies) -> Letters;
}

impl Spelling for String {
    fn spelled<'a>(&'a self, _: &'a Frequencies) -> &'a str {
        self
    }
    fn letters(&self, _: &Frequencies) -> Letters {
        Letters::of(self)
    }
}

impl Spelling for Word {
    fn spelled<'a>(&'a self, freq: &'a Frequencies) -> &'a str {
        freq.word(*self)
    }
    fn letters(&self, freq: &Frequencies) -> Letters {
        freq.letters
            .get(*self as usize)
            .copied()
            .unwrap_or_default()
    }
}

impl<'a> Parts<'a, String> {
    fn of(n: &'a Name, k: &'a Keys) -> Parts<'a, String> {
        Parts {
            surnames: &n.surnames,
            surname_keys: &k.surnames,
            given: &n.given,
            given_keys: &k.given,
        }
    }
}

/// Which names two reports agree on exactly, for the term frequency of the agreement.
#[derive(Clone, Copy, PartialEq)]
enum Agreed {
    Not,
    All,
    First,
}

/// Surnames: 5 all equal (or the two swapped), 4 the first equal, 3 one surname in common or
/// sounding the same, 2 spelled closely, 1 different.
fn surnames<W: Spelling>(a: &Parts<W>, b: &Parts<W>, freq: &Frequencies) -> (u8, Agreed) {
    let (Some(x), Some(y)) = (a.surnames.first(), b.surnames.first()) else {
        return (0, Agreed::Not);
    };
    // Paternal and maternal surnames come down two different families: the chance that two
    // people share both is the product of their shares. (Brothers and sisters share both;
    // their given names tell them apart.)
    if a.surnames == b.surnames {
        return (5, Agreed::All);
    }
    let swapped = a.surnames.len() == 2
        && b.surnames.len() == 2
        && a.surnames.first() == b.surnames.get(1)
        && a.surnames.get(1) == b.surnames.first();
    if swapped {
        return (5, Agreed::Not);
    }
    if x == y {
        // The second surname missing on one side counts as agreeing on what is known.
        if a.surnames.len() == 1 || b.surnames.len() == 1 {
            return (4, Agreed::First);
        }
        let near = match (a.surnames.get(1), b.surnames.get(1)) {
            (Some(p), Some(q)) => {
                a.surname_keys.get(1) == b.surname_keys.get(1) || close(p, q, freq)
            }
            _ => false,
        };
        return (if near { 4 } else { 3 }, Agreed::Not);
    }
    let first_sounds = a.surname_keys.first() == b.surname_keys.first();
    let sounds = first_sounds
        && (a.surnames.len() == 1
            || b.surnames.len() == 1
            || a.surname_keys.get(1) == b.surname_keys.get(1));
    if sounds {
        return (4, Agreed::Not);
    }
    if first_sounds || a.surnames.iter().any(|s| b.surnames.contains(s)) {
        return (3, Agreed::Not);
    }
    if close(x, y, freq) {
        return (2, Agreed::Not);
    }
    (1, Agreed::Not)
}

/// Given names: 5 all equal, 4 the first equal, 3 sounding the same, 2 close or an initial
/// that fits, 1 different.
fn given<W: Spelling>(
    (a, a_initial): (&Parts<W>, Option<&char>),
    (b, b_initial): (&Parts<W>, Option<&char>),
    freq: &Frequencies,
) -> (u8, Agreed) {
    let initial = |w: &W| w.spelled(freq).chars().next();
    match (a.given.first(), b.given.first()) {
        (Some(_), Some(_)) if a.given == b.given => (5, Agreed::All),
        (Some(x), Some(y)) if x == y => (4, Agreed::First),
        (Some(_), Some(_)) if a.given_keys.first() == b.given_keys.first() => (3, Agreed::Not),
        (Some(x), Some(y)) if close(x, y, freq) || a.given.contains(y) || b.given.contains(x) => {
            (2, Agreed::Not)
        }
        (Some(x), None) if b_initial.is_some() && b_initial.copied() == initial(x) => {
            (2, Agreed::Not)
        }
        (None, Some(y)) if a_initial.is_some() && a_initial.copied() == initial(y) => {
            (2, Agreed::Not)
        }
        (Some(_), Some(_)) => (1, Agreed::Not),
        _ => (0, Agreed::Not),
    }
}

/// The year a report implies its person was born: from the birth date, or from the age at
/// arrest.
fn birth_year(r: &Facts) -> Option<i16> {
    match (r.birth, r.age, r.arrest) {
        (Some(b), _, _) => Some(b.first_day().year()),
        (None, Some(age), Some(arrest)) => Some(arrest.first_day().year() - i16::from(age)),
        _ => None,
    }
}

/// Birth: 5 the same day, 4 day and month swapped, 3 two of year, month and day equal, 2 the
/// same year (or an age that fits), 1 different.
fn birth(a: &Facts, b: &Facts) -> u8 {
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
fn arrest(a: &Facts, b: &Facts) -> u8 {
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
    let (ra, rb) = (&a.facts, &b.facts);
    let cedula = match (&ra.cedula, &rb.cedula) {
        (Some(x), Some(y)) => match cedula_similarity(x, y) {
            s if s >= 1.0 => 3,
            s if s > 0.0 => 2,
            _ => 1,
        },
        _ => 0,
    };
    fn equal<T: PartialEq>(x: Option<T>, y: Option<T>) -> u8 {
        match (x, y) {
            (Some(p), Some(q)) if p == q => 2,
            (Some(_), Some(_)) => 1,
            _ => 0,
        }
    }
    let initials = (ra.initial.as_ref(), rb.initial.as_ref());
    let (wa, wb) = (&a.words, &b.words);
    let ((surname, by_surname), (given, by_given), state, facility) = if wa.complete && wb.complete
    {
        let (pa, pb) = (wa.parts(), wb.parts());
        let place = |w: Word| (w != ABSENT).then_some(w);
        (
            surnames(&pa, &pb, freq),
            given((&pa, initials.0), (&pb, initials.1), freq),
            equal(place(wa.state), place(wb.state)),
            equal(place(wa.facility), place(wb.facility)),
        )
    } else {
        // A name too long to hold, or a word no counted report has: by its letters.
        let (sa, sb) = (a.spelled(freq), b.spelled(freq));
        let (pa, pb) = (Parts::of(&sa.name, &sa.keys), Parts::of(&sb.name, &sb.keys));
        (
            surnames(&pa, &pb, freq),
            given((&pa, initials.0), (&pb, initials.1), freq),
            equal(sa.state.as_ref(), sb.state.as_ref()),
            equal(sa.facility.as_ref(), sb.facility.as_ref()),
        )
    };
    let share = |kind: usize| a.share(freq, kind);
    let mut shares = [0.0; FIELDS];
    if let Some(s) = shares.get_mut(SURNAMES) {
        *s = match by_surname {
            Agreed::All if a.words.surnames_len() > 1 => share(0) * share(1),
            Agreed::All | Agreed::First => share(0),
            Agreed::Not => 0.0,
        };
    }
    if let Some(s) = shares.get_mut(GIVEN) {
        *s = match by_given {
            Agreed::All => share(2),
            Agreed::First => share(3),
            Agreed::Not => 0.0,
        };
    }
    Comparison {
        levels: [
            cedula,
            surname,
            given,
            birth(ra, rb),
            equal(ra.sex, rb.sex),
            state,
            arrest(ra, rb),
            facility,
        ],
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::{Facts, Features, Frequencies, Word, arrest, close, compare, prepare};
    use crate::name::{parse, parse_whole};
    use crate::report::Report;
    use vigilia_core::date::PartialDate;

    /// The same report, compared through the letters of its words rather than their numbers.
    fn by_letters(f: &Features) -> Features {
        let mut f = f.clone();
        f.words.complete = false;
        f
    }

    #[test]
    fn numbers_and_letters_compare_alike() {
        let names = [
            ("José Gregorio", "Pérez Rodríguez"),
            ("Jose G.", "Perez"),
            ("Goyo", "PEREZ RODRIGUEZ"),
            ("José", "Rodríguez Pérez"),
            ("Jhon", "Gonzales"),
            ("Yon", "González de la Cruz"),
            ("María de los Ángeles", "De Freitas"),
            ("Ma. de los Angeles", "de freitas"),
            ("Mafe", "Gómez"),
            ("María Fernanda", "Gómez Gómez"),
            ("Luis Alberto José Miguel Ángel", "Sosa"),
            ("Luis", "Sosa Pérez Gil Rojas Mora"),
            ("", "Carmen Rosa Díaz de Martínez"),
            ("A.", "Díaz"),
            ("Ana", ""),
            ("", ""),
        ];
        let places = [(Some("VE-V"), Some("el helicoide")), (None, None)];
        let reports: Vec<Report> = (names.iter().enumerate())
            .map(|(i, (given, surnames))| {
                let (state, facility) = places[i % 2];
                Report {
                    name: if surnames.is_empty() {
                        parse_whole(given)
                    } else {
                        parse(given, surnames)
                    },
                    state: state.map(String::from),
                    facility: facility.map(String::from),
                    ..Report::default()
                }
            })
            .collect();
        let (features, freq) = prepare(reports.clone());
        assert!(
            features.iter().filter(|f| !f.words.complete).count() == 2,
            "the two names too long to hold are compared by their letters"
        );
        for a in &features {
            for b in &features {
                let numbers = compare(a, b, &freq);
                assert_eq!(numbers, compare(&by_letters(a), b, &freq), "{a:?}\n{b:?}");
                assert_eq!(numbers, compare(a, &by_letters(b), &freq), "{a:?}\n{b:?}");
            }
        }
        // A report looked up, with words no counted report has, against the counted ones: the
        // same levels as when it is counted too (then by numbers).
        let mut counted = Frequencies::default();
        let persons: Vec<Features> = reports.iter().map(|r| counted.add(r.clone())).collect();
        let asked = Report {
            name: parse("Gregorio José", "Peres Rodrigues"),
            state: Some("VE-X".into()),
            ..Report::default()
        };
        let query = counted.look_up(asked.clone());
        assert!(!query.words.complete);
        let mut with_query = counted.clone();
        let added = with_query.add(asked);
        assert!(added.words.complete);
        for p in persons.iter().filter(|p| p.words.complete) {
            assert_eq!(
                compare(p, &query, &counted).levels,
                compare(p, &added, &with_query).levels,
                "{p:?}"
            );
        }
    }

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
            "muñoz",
            "munoz",
        ];
        let mut freq = Frequencies::default();
        for a in words {
            for b in words {
                let exact = strsim::jaro_winkler(a, b) >= 0.88;
                let (x, y) = (a.to_string(), b.to_string());
                assert_eq!(close(&x, &y, &freq), exact, "{a} / {b}");
                let (x, y): (Word, Word) = (freq.number(a), freq.number(b));
                assert_eq!(close(&x, &y, &freq), exact, "{a} / {b}, numbered");
            }
        }
    }

    #[test]
    fn arrests_a_week_apart_are_near_across_months_and_leap_days() {
        let on = |d: &str| Facts {
            arrest: Some(PartialDate::parse(d).unwrap()),
            ..Facts::default()
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
