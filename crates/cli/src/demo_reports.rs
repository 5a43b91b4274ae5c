//! `vigilia demo-reports`: a seeded generator of reports as they reach an organisation, with
//! the truth (which person each report is about), to measure matching. Nothing in it is about
//! real people.
//!
//! How it is made (the same seed and count give the same files, on any machine):
//! - persons: one for every 2.5 reports; given names from common Venezuelan ones (a second given
//!   name for 40%), two surnames each drawn 60% from the 50 most common surnames and 40% from
//!   a tail of 4,000 made of Spanish syllables (`Arocha`, `Belandria`-like), so that namesakes
//!   happen as they do; a cédula for 97% (E- for 3%), a birth date 1950–2006, a state, an
//!   arrest between 2014 and 2026 and a facility;
//! - each person is reported 1 to 8 times (40% once), by a family member, an NGO, a lawyer,
//!   the press or social media, each writing what they know their own way:
//!   - cédula missing in 30% of reports, written `V-12.345.678`, `12345678`, `C.I. 12345678` or
//!     `v-12345678`, with a one-digit typo or two digits swapped in 3%;
//!   - given names: only the first (20%), a nickname (`Goyo`, 5%), the second as an initial
//!     (`José G.`, 5%), upper case (15%), accents dropped (20%), spelled as heard (b/v, s/z,
//!     ll/y, silent h: 4%);
//!   - surnames: only the first (25%), swapped (3%), spelled as heard (4%); the whole name in
//!     the given-names column (8%);
//!   - birth date missing (40%) or replaced by the age at arrest (15%), written day first
//!     (`15/03/1985`, `15-03-85`) or ISO, day and month swapped in 3%;
//!   - sex missing in 20%, written `M`, `Masculino`, `Hombre`…; state missing in 10%, written
//!     `Edo. Zulia`, `Estado Zulia` or `Zulia`; arrest date missing in 10%, a day or two off in
//!     15%.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigilia_core::text::fold;

use crate::Env;
use crate::demo::{FACILITIES, FEMALE, FEMALE_SECOND, MALE, MALE_SECOND, STATES, SURNAMES};
use crate::failure::Failure;

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
            Some((a, b)) => {
                let out = lower.replacen(a, b, 1);
                let mut c = out.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or(out)
            }
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

    fn report(&mut self, p: &Person) -> [String; 11] {
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
        let cedula = match p.cedula {
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
        };
        let (birth, age) = match self.rng.random_range(0..100) {
            0..40 => (String::new(), String::new()),
            40..55 => {
                let age = p.arrest.year() - p.birth.year();
                (String::new(), age.to_string())
            }
            _ => (self.date(p.birth), String::new()),
        };
        let sex = if self.chance(0.2) {
            ""
        } else if p.female {
            self.pick(&["F", "Femenino", "Mujer"]).unwrap_or("F")
        } else {
            self.pick(&["M", "Masculino", "Hombre"]).unwrap_or("M")
        };
        let state = if self.chance(0.1) {
            String::new()
        } else {
            match self.rng.random_range(0..3) {
                0 => format!("Edo. {}", p.state),
                1 => format!("Estado {}", p.state),
                _ => p.state.to_string(),
            }
        };
        let arrest = if self.chance(0.1) {
            String::new()
        } else {
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
        };
        [
            String::new(),
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

pub fn run(env: &Env, seed: u64, count: usize, out: &Path, truth: &Path) -> Result<(), Failure> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tail = (0..4_000)
        .map(|_| {
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
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or(s)
        })
        .collect();
    let mut g = Generator { rng, tail };
    let mut w = csv::Writer::from_path(out).map_err(|e| Failure::io(out, &e))?;
    let mut t = csv::Writer::from_path(truth).map_err(|e| Failure::io(truth, &e))?;
    w.write_record([
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
    ])
    .map_err(|e| Failure::io(out, &e))?;
    t.write_record(["report_id", "person"])
        .map_err(|e| Failure::io(truth, &e))?;
    let (mut written, mut person) = (0usize, 0usize);
    while written < count {
        let p = g.person();
        person += 1;
        for _ in 0..reports_per_person(&mut g.rng).min(count - written) {
            written += 1;
            let mut row = g.report(&p);
            row[0] = format!("R{written:07}");
            w.write_record(&row).map_err(|e| Failure::io(out, &e))?;
            t.write_record([row[0].as_str(), &format!("P{person:07}")])
                .map_err(|e| Failure::io(truth, &e))?;
        }
    }
    w.flush().map_err(|e| Failure::io(out, &e))?;
    t.flush().map_err(|e| Failure::io(truth, &e))?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "{written} reportes de {person} personas en {}",
                out.display()
            ),
            &format!("{written} reports of {person} persons in {}", out.display())
        )
    );
    Ok(())
}
