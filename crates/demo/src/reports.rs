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
    ("Manuel", "Manolo"),
    ("Eduardo", "Lalo"),
    ("Enrique", "Kike"),
    ("Ricardo", "Richard"),
    ("Rosa", "Rosita"),
    ("Carmen", "Carmencita"),
    ("Milagros", "Mila"),
    ("Gabriela", "Gaby"),
    ("Alejandra", "Ale"),
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
    /// The person reported before, whose relative the next one may be.
    last: Option<Person>,
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
            last: None,
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
                // One family reports several relatives, arrested together: brothers and
                // sisters share both surnames, a father and his son the first and often the
                // given name. They are different persons a matcher must keep apart.
                let person = match self.last.take() {
                    Some(last) if self.g.chance(0.12) => self.g.relative(&last),
                    _ => self.g.person(),
                };
                self.last = Some(person.clone());
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

#[derive(Debug, Clone)]
struct Person {
    given: Vec<&'static str>,
    surnames: [String; 2],
    /// A married woman's husband's surname, which some reports write (`de Martínez`).
    married: Option<String>,
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
        let married = (female && birth.year() < 1996 && self.chance(0.5)).then(|| self.surname());
        Person {
            given,
            surnames: [self.surname(), self.surname()],
            married,
            female,
            cedula,
            birth,
            state: self.pick(&states).unwrap_or("Zulia"),
            arrest,
            facility: self.pick(FACILITIES).unwrap_or("El Helicoide"),
        }
    }

    /// A relative of `p`, reported by the same family: a brother or sister (both surnames, born
    /// within ten years) or a son or daughter (the first surname; a son often has his father's
    /// given name), in the same state, most arrested the same day in the same place.
    fn relative(&mut self, p: &Person) -> Person {
        let mut r = self.person();
        let sibling = self.chance(0.6);
        let years = if sibling {
            self.rng.random_range(-10..=10)
        } else {
            self.rng.random_range(20..36)
        };
        r.birth = p
            .birth
            .checked_add(jiff::Span::new().days(years * 365 + self.rng.random_range(-180..180)))
            .unwrap_or(p.birth);
        if sibling {
            r.surnames = p.surnames.clone();
        } else {
            let ([first, _], [father, _]) = (&mut r.surnames, &p.surnames);
            first.clone_from(father);
            if !r.female && !p.female && self.chance(0.4) {
                r.given = p.given.clone();
            }
        }
        if r.married.is_some() && r.birth.year() >= 1996 {
            r.married = None;
        }
        r.state = p.state;
        if self.chance(0.7) {
            r.arrest = p.arrest;
            r.facility = p.facility;
        }
        r
    }

    /// A word spelled as heard over a telephone, or typed in a hurry: one or two of the
    /// confusions of Venezuelan Spanish (b/v, s/z/c, ll/y, silent h, j/g/x, a final s or a d
    /// between vowels swallowed, r/l), or a letter dropped, doubled or two swapped.
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
            ("ge", "je"),
            ("gi", "ji"),
            ("j", "g"),
            ("x", "j"),
            ("qu", "k"),
            ("rr", "r"),
            ("ñ", "ni"),
            ("ado", "ao"),
            ("ez", "e"),
            ("es", "e"),
            ("rl", "l"),
            ("rt", "lt"),
            ("cc", "c"),
        ];
        let mut lower = word.to_lowercase();
        for _ in 0..self.rng.random_range(1..3) {
            let found: Vec<&(&str, &str)> =
                SWAPS.iter().filter(|(a, _)| lower.contains(a)).collect();
            lower = match self.pick(&found) {
                Some((a, b)) if self.chance(0.75) => lower.replacen(a, b, 1),
                _ => self.typo(&lower),
            };
        }
        capitalised(lower)
    }

    /// A letter dropped, doubled, or swapped with the next (never the first letter).
    fn typo(&mut self, word: &str) -> String {
        let mut c: Vec<char> = word.chars().collect();
        if c.len() < 4 {
            return word.to_string();
        }
        let i = self.rng.random_range(1..c.len() - 1);
        match self.rng.random_range(0..3) {
            0 => {
                c.remove(i);
            }
            1 => {
                let x = c.get(i).copied().unwrap_or('a');
                c.insert(i, x);
            }
            _ => c.swap(i, i + 1),
        }
        c.into_iter().collect()
    }

    /// A date as a source writes it: day first or ISO, sometimes only the month or the year
    /// (5% each), day and month swapped (3%), the year one off or a digit of the day wrong
    /// (3% each).
    fn date(&mut self, d: jiff::civil::Date) -> String {
        let (mut y, m, mut day) = (d.year(), d.month(), d.day());
        let (m, day) = if self.chance(0.03) && day <= 12 {
            (day, m)
        } else {
            if self.chance(0.03) {
                y += if self.chance(0.5) { 1 } else { -1 };
            } else if self.chance(0.03) {
                day = if day > 10 { day - 10 } else { day + 10 }.min(28);
            }
            (m, day)
        };
        match self.rng.random_range(0..100) {
            0..5 => return format!("{y:04}"),
            5..10 => return format!("{m:02}/{y:04}"),
            _ => {}
        }
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
        if self.chance(0.05) {
            surnames.reverse();
        }
        match self.rng.random_range(0..100) {
            0..25 => surnames.truncate(1),
            // Known by the mother's surname alone.
            25..28 => {
                surnames.remove(0);
            }
            _ => {}
        }
        for s in surnames.iter_mut() {
            if self.chance(0.08) {
                *s = self.as_heard(s);
            }
        }
        // A married woman: `García de Martínez`, `García Flores de Martínez`, or her husband's
        // surname alone.
        if let Some(husband) = &p.married {
            match self.rng.random_range(0..100) {
                0..25 => {
                    surnames.truncate(1);
                    surnames.push(format!("de {husband}"));
                }
                25..35 => surnames.push(format!("de {husband}")),
                35..40 => surnames = vec![husband.clone()],
                _ => {}
            }
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
        // Known by the second given name alone.
        if given.len() > 1 && self.chance(0.05) {
            given.remove(0);
        }
        for (n, name) in given.iter_mut().enumerate() {
            if let Some((_, nick)) = NICKNAMES.iter().find(|(g, _)| g == name)
                && n == 0
                && self.chance(0.1)
            {
                *name = nick.to_string();
            } else if self.chance(0.08) {
                *name = self.as_heard(name);
            }
        }
        if self.chance(0.05)
            && let Some(second) = given.get_mut(1)
        {
            *second = format!("{}.", second.chars().next().unwrap_or('J'));
        }
        given
    }

    /// The cédula, missing in 30%, in one of four ways of writing it, with a typo in 8% (a digit
    /// wrong, two next to each other swapped, one dropped or added) and `E` for `V` in 1%.
    fn cedula(&mut self, p: &Person) -> String {
        match p.cedula {
            Some((mut letter, mut n)) if !self.chance(0.3) => {
                if self.chance(0.08) {
                    n = self.cedula_typo(n);
                }
                if self.chance(0.01) {
                    letter = if letter == 'V' { 'E' } else { 'V' };
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

    fn cedula_typo(&mut self, n: u32) -> u32 {
        let mut d: Vec<u8> = n.to_string().bytes().collect();
        let i = self.rng.random_range(0..d.len());
        match self.rng.random_range(0..4) {
            0 => {
                if let Some(x) = d.get_mut(i) {
                    *x = b'0' + (*x - b'0' + self.rng.random_range(1..10)) % 10;
                }
            }
            1 if i + 1 < d.len() => d.swap(i, i + 1),
            2 if d.len() > 6 => {
                d.remove(i);
            }
            _ => d.insert(i, b'0' + self.rng.random_range(0..10)),
        }
        std::str::from_utf8(&d)
            .ok()
            .and_then(|t| t.parse().ok())
            .filter(|x| *x > 0)
            .unwrap_or(n)
    }

    /// The birth date, or an age instead (at the arrest, or a year off: the age at the report,
    /// or counted from the years alone), or neither.
    fn birth_or_age(&mut self, p: &Person) -> (String, String) {
        match self.rng.random_range(0..100) {
            0..40 => (String::new(), String::new()),
            40..55 => {
                let off = if self.chance(0.3) { 1 } else { 0 };
                let age = p.arrest.year() - p.birth.year() - off;
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
        let off = match self.rng.random_range(0..100) {
            0..15 => self.rng.random_range(-2..=2),
            // The day the family learned of it, or a month off.
            15..18 => self.rng.random_range(-31..=31),
            _ => 0,
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
