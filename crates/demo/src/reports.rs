//! Reports as they reach an organisation (`vigilia demo-reports`), with the truth (which person
//! each report is about), to measure matching. How they are written — the noise, the typos, the
//! repeated reports — is told in the crate's README.

use std::io;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigilia_core::text::fold;

use crate::Error;
use crate::names::{FACILITIES, FEMALE, FEMALE_SECOND, MALE, MALE_SECOND, STATES, SURNAMES};

/// The columns of the reports CSV.
pub const HEADER: [&str; 11] = [
    "report_id",
    "source",
    "given_names",
    "surnames",
    "cedula",
    "birth_date",
    "age",
    "sex",
    "state",
    "arrest_date",
    "facility",
];

/// The columns of the truth CSV: each report and the person it is about.
pub const TRUTH_HEADER: [&str; 2] = ["report_id", "person"];

const SYLLABLES: &[&str] = &[
    "a", "ba", "be", "bri", "ca", "cha", "co", "da", "di", "fa", "ga", "go", "gue", "la", "le",
    "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "no", "pa", "pe", "que", "ra", "re", "ri",
    "ro", "sa", "se", "ta", "te", "to", "va", "ve", "vi", "ya", "za", "zu",
];
const ENDINGS: &[&str] = &["", "n", "s", "l", "r", "z", "no", "do", "ño", "ra", "da"];
const NICKNAMES: &[(&str, &str)] = &[
    ("Gregorio", "Goyo"),
    ("Jesús", "Chucho"),
    ("Francisco", "Pancho"),
    ("José", "Pepe"),
    ("Rafael", "Rafa"),
    ("Luis", "Lucho"),
    ("Antonio", "Toño"),
    ("Alejandro", "Alex"),
];
const SOURCES: &[&str] = &["familia", "ong", "abogado", "prensa", "redes"];

/// One report: its cells in the order of [`HEADER`], and the person it is about (`P0000001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub cells: [String; 11],
    pub person: String,
}

impl Report {
    /// The report's id (`R0000001`), its first cell.
    pub fn id(&self) -> &str {
        let [id, ..] = &self.cells;
        id
    }
}

/// How many reports were written, about how many persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub reports: usize,
    pub persons: usize,
}

/// Generates `count` reports from a seed: the same seed and count give the same reports.
#[derive(Debug)]
pub struct Reports {
    g: Generator,
    count: usize,
    written: usize,
    persons: usize,
    /// The person being reported, and how many of their reports are still to come.
    current: Option<(Person, usize)>,
}

impl Reports {
    pub fn new(seed: u64, count: usize) -> Reports {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let tail = (0..4_000).map(|_| tail_surname(&mut rng)).collect();
        Reports {
            g: Generator { rng, tail },
            count,
            written: 0,
            persons: 0,
            current: None,
        }
    }

    /// How many reports and persons have been made so far.
    pub fn written(&self) -> Written {
        Written {
            reports: self.written,
            persons: self.persons,
        }
    }

    /// Writes every report left to `out` and who each is about to `truth`, with their headers.
    pub fn write_csv(
        &mut self,
        out: impl io::Write,
        truth: impl io::Write,
    ) -> Result<Written, Error> {
        let mut w = csv::Writer::from_writer(out);
        let mut t = csv::Writer::from_writer(truth);
        w.write_record(HEADER).map_err(Error::Reports)?;
        t.write_record(TRUTH_HEADER).map_err(Error::Truth)?;
        for report in self.by_ref() {
            w.write_record(&report.cells).map_err(Error::Reports)?;
            t.write_record([report.id(), &report.person])
                .map_err(Error::Truth)?;
        }
        w.flush().map_err(|e| Error::Reports(e.into()))?;
        t.flush().map_err(|e| Error::Truth(e.into()))?;
        Ok(self.written())
    }
}

impl Iterator for Reports {
    type Item = Report;

    fn next(&mut self) -> Option<Report> {
        if self.written >= self.count {
            return None;
        }
        let (person, left) = match self.current.take() {
            Some((person, left)) if left > 0 => (person, left),
            _ => {
                let person = self.g.person();
                self.persons += 1;
                let left = reports_per_person(&mut self.g.rng).min(self.count - self.written);
                (person, left)
            }
        };
        self.written += 1;
        let report = Report {
            cells: self.g.report(&person, format!("R{:07}", self.written)),
            person: format!("P{:07}", self.persons),
        };
        self.current = Some((person, left - 1));
        Some(report)
    }
}

/// A surname of the tail: two or three Spanish syllables and an ending (`Arocha`-like).
fn tail_surname(rng: &mut ChaCha8Rng) -> String {
    let n = rng.random_range(2..4);
    let mut s: String = (0..n)
        .filter_map(|_| SYLLABLES.get(rng.random_range(0..SYLLABLES.len())))
        .copied()
        .collect();
    s.push_str(
        ENDINGS
            .get(rng.random_range(0..ENDINGS.len()))
            .unwrap_or(&""),
    );
    capitalised(s)
}

/// `s` with its first letter upper case.
fn capitalised(s: String) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or(s)
}

#[derive(Debug)]
struct Person {
    given: Vec<&'static str>,
    surnames: [String; 2],
    female: bool,
    cedula: Option<(char, u32)>,
    birth: jiff::civil::Date,
    state: &'static str,
    arrest: jiff::civil::Date,
    facility: &'static str,
}

#[derive(Debug)]
struct Generator {
    rng: ChaCha8Rng,
    tail: Vec<String>,
}

impl Generator {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.rng.random_range(0..items.len())).copied()
    }

    fn surname(&mut self) -> String {
        if self.chance(0.6) {
            self.pick(SURNAMES).unwrap_or("Pérez").to_string()
        } else {
            let i = self.rng.random_range(0..self.tail.len());
            self.tail.get(i).cloned().unwrap_or_default()
        }
    }

    fn person(&mut self) -> Person {
        let female = self.chance(0.15);
        let (first, second) = if female {
            (FEMALE, FEMALE_SECOND)
        } else {
            (MALE, MALE_SECOND)
        };
        let mut given = vec![self.pick(first).unwrap_or("Ana")];
        if self.chance(0.4) {
            given.push(self.pick(second).unwrap_or("José"));
        }
        let birth = jiff::civil::date(1950, 1, 1)
            .checked_add(jiff::Span::new().days(self.rng.random_range(0..20_800)))
            .unwrap_or_default();
        let arrest = jiff::civil::date(2014, 1, 1)
            .checked_add(jiff::Span::new().days(self.rng.random_range(0..4_700)))
            .unwrap_or_default();
        let cedula = if self.chance(0.97) {
            let letter = if self.chance(0.03) { 'E' } else { 'V' };
            let base = (2_000_000 + (i32::from(birth.year()) - 1950) * 550_000).max(1) as u32;
            Some((letter, base + self.rng.random_range(0..500_000)))
        } else {
            None
        };
        let states: Vec<&str> = STATES.iter().map(|(s, _)| *s).collect();
        Person {
            given,
            surnames: [self.surname(), self.surname()],
            female,
            cedula,
            birth,
            state: self.pick(&states).unwrap_or("Zulia"),
            arrest,
            facility: self.pick(FACILITIES).unwrap_or("El Helicoide"),
        }
    }

    /// A word spelled as heard: one of the confusions of Venezuelan Spanish.
    fn as_heard(&mut self, word: &str) -> String {
        const SWAPS: &[(&str, &str)] = &[
            ("v", "b"),
            ("b", "v"),
            ("z", "s"),
            ("s", "z"),
            ("ll", "y"),
            ("y", "ll"),
            ("h", ""),
            ("ce", "se"),
            ("ci", "si"),
        ];
        let lower = word.to_lowercase();
        let found: Vec<&(&str, &str)> = SWAPS.iter().filter(|(a, _)| lower.contains(a)).collect();
        match self.pick(&found) {
            Some((a, b)) => capitalised(lower.replacen(a, b, 1)),
            None => word.to_string(),
        }
    }

    fn date(&mut self, d: jiff::civil::Date) -> String {
        let (y, m, day) = (d.year(), d.month(), d.day());
        let (m, day) = if self.chance(0.03) && day <= 12 {
            (day, m)
        } else {
            (m, day)
        };
        match self.rng.random_range(0..4) {
            0 => format!("{y:04}-{m:02}-{day:02}"),
            1 => format!("{day:02}-{m:02}-{:02}", y % 100),
            _ => format!("{day:02}/{m:02}/{y:04}"),
        }
    }

    /// A report of `p` with the id `id`, each cell written the way its source would.
    fn report(&mut self, p: &Person, id: String) -> [String; 11] {
        let (given, surnames) = self.name(p);
        let cedula = self.cedula(p);
        let (birth, age) = self.birth_or_age(p);
        let sex = self.sex(p);
        let state = self.state(p);
        let arrest = self.arrest(p);
        [
            id,
            self.pick(SOURCES).unwrap_or("ong").to_string(),
            given,
            surnames,
            cedula,
            birth,
            age,
            sex.to_string(),
            state,
            arrest,
            p.facility.to_string(),
        ]
    }

    /// The given names and the surnames as a source writes them.
    fn name(&mut self, p: &Person) -> (String, String) {
        let given = self.given_names(p);
        let mut surnames: Vec<String> = p.surnames.to_vec();
        if self.chance(0.03) {
            surnames.reverse();
        }
        if self.chance(0.25) {
            surnames.truncate(1);
        }
        if self.chance(0.04)
            && let Some(s) = surnames.first_mut()
        {
            *s = self.as_heard(s);
        }
        let (mut given, mut surnames) = (given.join(" "), surnames.join(" "));
        if self.chance(0.08) {
            given = format!("{given} {surnames}");
            surnames.clear();
        }
        if self.chance(0.15) {
            given = given.to_uppercase();
            surnames = surnames.to_uppercase();
        }
        if self.chance(0.2) {
            given = strip_accents(&given);
            surnames = strip_accents(&surnames);
        }
        (given, surnames)
    }

    /// The given names: only the first, a nickname, spelled as heard, the second as an initial.
    fn given_names(&mut self, p: &Person) -> Vec<String> {
        let mut given: Vec<String> = p.given.iter().map(|g| g.to_string()).collect();
        if given.len() > 1 && self.chance(0.2) {
            given.truncate(1);
        }
        if let Some(first) = given.first_mut() {
            if let Some((_, nick)) = NICKNAMES.iter().find(|(n, _)| n == first)
                && self.chance(0.05)
            {
                *first = nick.to_string();
            } else if self.chance(0.04) {
                *first = self.as_heard(first);
            }
        }
        if self.chance(0.05)
            && let Some(second) = given.get_mut(1)
        {
            *second = format!("{}.", second.chars().next().unwrap_or('J'));
        }
        given
    }

    /// The cédula, missing in 30%, in one of four ways of writing it, with a typo in 3%.
    fn cedula(&mut self, p: &Person) -> String {
        match p.cedula {
            Some((letter, mut n)) if !self.chance(0.3) => {
                if self.chance(0.03) {
                    n ^= 1 << self.rng.random_range(0..3);
                }
                let dotted = format!(
                    "{}.{:03}.{:03}",
                    n / 1_000_000,
                    n / 1_000 % 1_000,
                    n % 1_000
                );
                match self.rng.random_range(0..4) {
                    0 => format!("{letter}-{dotted}"),
                    1 => n.to_string(),
                    2 => format!("C.I. {n}"),
                    _ => format!("{}-{n}", letter.to_ascii_lowercase()),
                }
            }
            _ => String::new(),
        }
    }

    /// The birth date, or the age at arrest instead, or neither.
    fn birth_or_age(&mut self, p: &Person) -> (String, String) {
        match self.rng.random_range(0..100) {
            0..40 => (String::new(), String::new()),
            40..55 => {
                let age = p.arrest.year() - p.birth.year();
                (String::new(), age.to_string())
            }
            _ => (self.date(p.birth), String::new()),
        }
    }

    fn sex(&mut self, p: &Person) -> &'static str {
        if self.chance(0.2) {
            ""
        } else if p.female {
            self.pick(&["F", "Femenino", "Mujer"]).unwrap_or("F")
        } else {
            self.pick(&["M", "Masculino", "Hombre"]).unwrap_or("M")
        }
    }

    fn state(&mut self, p: &Person) -> String {
        if self.chance(0.1) {
            return String::new();
        }
        match self.rng.random_range(0..3) {
            0 => format!("Edo. {}", p.state),
            1 => format!("Estado {}", p.state),
            _ => p.state.to_string(),
        }
    }

    /// The arrest date, missing in 10%, a day or two off in 15% of the others.
    fn arrest(&mut self, p: &Person) -> String {
        if self.chance(0.1) {
            return String::new();
        }
        let off = if self.chance(0.15) {
            self.rng.random_range(-2..=2)
        } else {
            0
        };
        let d = p
            .arrest
            .checked_add(jiff::Span::new().days(off))
            .unwrap_or(p.arrest);
        self.date(d)
    }
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match fold(&c.to_string()).chars().next() {
            Some(f) if c.is_lowercase() || !c.is_alphabetic() => f,
            Some(f) => f.to_ascii_uppercase(),
            None => c,
        })
        .collect()
}

/// How many reports a person gets: 40% one, then fewer and fewer, up to eight.
fn reports_per_person(rng: &mut ChaCha8Rng) -> usize {
    match rng.random_range(0..100) {
        0..40 => 1,
        40..65 => 2,
        65..80 => 3,
        80..89 => 4,
        89..94 => 5,
        94..97 => 6,
        97..99 => 7,
        _ => 8,
    }
}
