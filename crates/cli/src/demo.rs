//! `vigilia demo`: a seeded generator of a Venezuela-like registry, 2014–2026, so a new user sees
//! a living registry at once. Nothing in it is about real people: names are drawn from common
//! Venezuelan given names and surnames, cédulas are random numbers.
//!
//! How it is made (the same seed always gives the same rows, on any machine):
//! - arrest dates follow the waves of political arrests the registry must handle — the 2014
//!   protests (February–June), the 2017 protests (April–July), January 2019, April–May 2019, the
//!   post-election wave of 29 July – 15 August 2024 (about 2,000 arrests in weeks at 12,000
//!   detentions), and a background of arrests every week in between;
//! - most detentions are short (released within 48 hours, or released under measures after
//!   days or weeks); some last years, end in house arrest, conviction, deportation (foreigners)
//!   or death in custody; the 2024 wave is mostly still held;
//! - about 6% of persons are arrested again (the revolving door: a new detention of the same person);
//! - about 5% of dates are known only to the month, 1% only to the year;
//! - the registry learns of an arrest days after it (the "as known on" lag), and of a release
//!   days or weeks after it, so that past balances differ from what is known now;
//! - recognition: mostly recognised with a category, some under study or not recognised.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigilia_core::date::Day;
use vigilia_core::exchange::Column;
use vigilia_core::model::RecognitionStatus;

use crate::Env;
use crate::failure::Failure;
use vigilia_app::import::detentions::{self, Options};
use vigilia_app::import::rows::{RowSource, Unreadable};

/// The last day of generated data (kept fixed so a seed always gives the same rows).
const UNTIL: (i16, i8, i8) = (2026, 11, 15);

pub fn run(env: &Env, seed: u64, detentions: u64, csv: Option<&Path>) -> Result<(), Failure> {
    let until = jiff::civil::date(UNTIL.0, UNTIL.1, UNTIL.2);
    let mut generator = Generator::new(seed, detentions, until);
    if let Some(path) = csv {
        let mut w = csv::Writer::from_path(path).map_err(|e| Failure::io(path, &e))?;
        w.write_record(generator.header())
            .map_err(|e| Failure::io(path, &e))?;
        while let Some(Ok((_, row))) = generator.next_row() {
            w.write_record(&row).map_err(|e| Failure::io(path, &e))?;
        }
        w.flush().map_err(|e| Failure::io(path, &e))?;
        eprintln!(
            "{}",
            env.lang.pick(
                &format!("{detentions} detenciones generadas en {}", path.display()),
                &format!("{detentions} detentions generated in {}", path.display())
            )
        );
        return Ok(());
    }
    let mut ledger = crate::registry::create(env, None)?;
    if ledger.today()? < until {
        return Err(Failure::bad(
            format!("los datos de demostración llegan hasta {until}, posterior a hoy"),
            format!("the demo data runs to {until}, which is after today"),
        ));
    }
    let options = Options {
        recognition: RecognitionStatus::UnderStudy,
        all_or_nothing: false,
        rejects: None,
    };
    let mut progress = crate::progress::Rows::new(env.lang, generator.position().1);
    let outcome = detentions::detentions(
        &mut ledger,
        &env.actor,
        &mut generator,
        &options,
        "demo",
        &mut progress,
    )?;
    crate::import::report(env.lang, &outcome, &options)?;
    crate::registry::print_summary(env, &mut ledger, Some(&until.to_string()), None)
}

pub(crate) const MALE: &[&str] = &[
    "José",
    "Luis",
    "Carlos",
    "Juan",
    "Jesús",
    "Pedro",
    "Miguel",
    "Rafael",
    "Antonio",
    "Francisco",
    "Jorge",
    "Manuel",
    "Ángel",
    "Daniel",
    "Alejandro",
    "Gabriel",
    "Ricardo",
    "Víctor",
    "Eduardo",
    "Andrés",
    "Héctor",
    "Ramón",
    "Wilmer",
    "Yonathan",
    "Jhonny",
    "Freddy",
    "Óscar",
    "Leonardo",
    "Gustavo",
    "Nelson",
];
pub(crate) const MALE_SECOND: &[&str] = &[
    "Gregorio", "Alberto", "Enrique", "Rafael", "David", "Antonio", "Javier", "Eduardo", "Manuel",
    "Alfonso",
];
pub(crate) const FEMALE: &[&str] = &[
    "María",
    "Ana",
    "Carmen",
    "Rosa",
    "Luisa",
    "Yolanda",
    "Marianela",
    "Gabriela",
    "Daniela",
    "Andrea",
    "Carolina",
    "Alejandra",
    "Yusmary",
    "Rocío",
    "Lisbeth",
    "Mariela",
    "Beatriz",
    "Nohely",
    "Zulay",
    "Milagros",
];
pub(crate) const FEMALE_SECOND: &[&str] = &[
    "José",
    "Fernanda",
    "Alejandra",
    "Isabel",
    "Teresa",
    "de los Ángeles",
    "Eugenia",
    "Victoria",
];
pub(crate) const SURNAMES: &[&str] = &[
    "González",
    "Rodríguez",
    "Pérez",
    "Hernández",
    "García",
    "Martínez",
    "López",
    "Díaz",
    "Sánchez",
    "Romero",
    "Ramírez",
    "Torres",
    "Flores",
    "Rojas",
    "Medina",
    "Morales",
    "Gutiérrez",
    "Castillo",
    "Suárez",
    "Mendoza",
    "Álvarez",
    "Marcano",
    "Guerrero",
    "Contreras",
    "Ortega",
    "Blanco",
    "Rivas",
    "Silva",
    "Acosta",
    "Moreno",
    "Vargas",
    "Chacón",
    "Briceño",
    "Paredes",
    "Salazar",
    "Villegas",
    "De Freitas",
    "Da Silva",
    "Quintero",
    "Bracho",
    "Colmenares",
    "Urdaneta",
    "Nava",
    "Petit",
    "Marín",
    "Zambrano",
    "Escalona",
    "Carrillo",
    "Ochoa",
    "Navas",
];
/// States by weight (the capital and the large western states have the most arrests).
pub(crate) const STATES: &[(&str, u32)] = &[
    ("Distrito Capital", 20),
    ("Miranda", 14),
    ("Zulia", 10),
    ("Carabobo", 8),
    ("Lara", 7),
    ("Táchira", 7),
    ("Mérida", 6),
    ("Aragua", 5),
    ("Anzoátegui", 4),
    ("Bolívar", 4),
    ("Monagas", 3),
    ("Nueva Esparta", 2),
    ("Barinas", 2),
    ("Falcón", 2),
    ("Sucre", 2),
    ("Portuguesa", 1),
    ("Trujillo", 1),
    ("Yaracuy", 1),
    ("Lara", 1),
    ("Guárico", 1),
    ("La Guaira", 1),
    ("Cojedes", 1),
    ("Apure", 1),
    ("Delta Amacuro", 1),
    ("Amazonas", 1),
];
const CIVIL_AGENCIES: &[(&str, u32)] = &[
    ("GNB", 30),
    ("PNB", 20),
    ("SEBIN", 15),
    ("Policía estadal", 12),
    ("CICPC", 8),
    ("FAES", 6),
    ("DGCIM", 5),
    ("Colectivos", 4),
];
pub(crate) const FACILITIES: &[&str] = &[
    "El Helicoide",
    "Rodeo I",
    "Tocorón",
    "Tocuyito",
    "Yare I",
    "Zona 7 Boleíta",
    "INOF",
    "La Pica",
    "Fénix Lara",
    "Centro Penitenciario de Occidente",
];
const MILITARY_FACILITIES: &[&str] = &["Ramo Verde", "DGCIM Boleíta", "Fuerte Tiuna"];
const CHARGES: &[&str] = &[
    "terrorismo",
    "incitación al odio",
    "instigación pública",
    "asociación para delinquir",
    "resistencia a la autoridad",
    "obstrucción de la vía pública",
    "daños a la propiedad",
    "financiamiento al terrorismo",
    "conspiración",
];
const MILITARY_CHARGES: &[&str] = &["rebelión", "traición a la patria", "ultraje al centinela"];

/// A wave of arrests: its first and last day, its context tag, and its share of all arrests.
struct Wave {
    from: (i16, i8, i8),
    to: (i16, i8, i8),
    context: &'static str,
    weight: f64,
}

const WAVES: &[Wave] = &[
    Wave {
        from: (2014, 2, 12),
        to: (2014, 6, 30),
        context: "protestas 2014",
        weight: 0.20,
    },
    Wave {
        from: (2017, 4, 1),
        to: (2017, 7, 31),
        context: "protestas 2017",
        weight: 0.25,
    },
    Wave {
        from: (2019, 1, 21),
        to: (2019, 1, 31),
        context: "enero 2019",
        weight: 0.07,
    },
    Wave {
        from: (2019, 4, 30),
        to: (2019, 5, 15),
        context: "30 de abril 2019",
        weight: 0.02,
    },
    Wave {
        from: (2024, 7, 29),
        to: (2024, 8, 15),
        context: "post-election 2024",
        weight: 0.17,
    },
    Wave {
        from: (2014, 1, 1),
        to: (2026, 11, 15),
        context: "",
        weight: 0.29,
    },
];

/// Generates detentions as rows of the detentions CSV.
pub struct Generator {
    rng: ChaCha8Rng,
    header: Vec<String>,
    total: u64,
    made: u64,
    until: Day,
    /// Persons already made, to arrest some of them again: (person_ref, the identity cells,
    /// the birth day the cells were drawn from).
    persons: Vec<(String, Vec<String>, Day)>,
    next_person: u64,
}

impl Generator {
    pub fn new(seed: u64, total: u64, until: Day) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            header: Column::ALL.iter().map(|c| c.name().to_string()).collect(),
            total,
            made: 0,
            until,
            persons: Vec::new(),
            next_person: 0,
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.rng.random_range(0..items.len()))
            .copied()
            .unwrap_or("")
    }

    fn weighted<'a>(&mut self, items: &[(&'a str, u32)]) -> &'a str {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut n = self.rng.random_range(0..total.max(1));
        for (item, w) in items {
            if n < *w {
                return item;
            }
            n -= w;
        }
        ""
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn day_between(&mut self, from: Day, to: Day) -> Day {
        let span = (to - from).get_days().max(0);
        let offset = self.rng.random_range(0..=span);
        from.checked_add(jiff::Span::new().days(offset))
            .unwrap_or(from)
    }

    fn add_days(day: Day, days: i64) -> Day {
        day.checked_add(jiff::Span::new().days(days)).unwrap_or(day)
    }

    fn arrest(&mut self) -> (Day, &'static str) {
        let mut r: f64 = self.rng.random();
        for w in WAVES {
            if r < w.weight {
                let from = jiff::civil::date(w.from.0, w.from.1, w.from.2);
                let to = jiff::civil::date(w.to.0, w.to.1, w.to.2).min(self.until);
                return (self.day_between(from, to), w.context);
            }
            r -= w.weight;
        }
        (self.until, "")
    }

    /// Given names, surnames, cédula, sex, nationality, civilian/military, birth date, minor,
    /// disclosure: what belongs to the person, the same at every arrest but `minor`, which is
    /// under 18 at this arrest (see [`Generator::minor_at`]); and the birth day.
    fn identity(&mut self, military: bool, arrest: Day) -> (Vec<String>, Day) {
        let female = !military && self.chance(0.12);
        let given = if female {
            let first = self.pick(FEMALE);
            if self.chance(0.4) {
                format!("{first} {}", self.pick(FEMALE_SECOND))
            } else {
                first.to_string()
            }
        } else {
            let first = self.pick(MALE);
            if self.chance(0.4) {
                format!("{first} {}", self.pick(MALE_SECOND))
            } else {
                first.to_string()
            }
        };
        let paternal = self.pick(SURNAMES).to_string();
        let maternal = if self.chance(0.9) {
            self.pick(SURNAMES).to_string()
        } else {
            String::new()
        };
        let foreign = self.chance(0.03);
        let cedula = if self.chance(0.8) {
            if foreign {
                format!("E-{}", self.rng.random_range(80_000_000..85_000_000))
            } else {
                format!("V-{}", self.rng.random_range(4_000_000..33_000_000))
            }
        } else {
            String::new()
        };
        let nationality = if foreign {
            self.pick(&["CO", "ES", "PE", "US", "CO;VE", "PT;VE"])
                .to_string()
        } else if self.chance(0.9) {
            "VE".to_string()
        } else {
            String::new()
        };
        let sex = if female { "F" } else { "M" };
        // Age: mostly adults; a few adolescents, some known only as "minor".
        let age: i64 = if self.chance(0.03) {
            self.rng.random_range(14..18)
        } else {
            self.rng.random_range(18..70)
        };
        let birth = Self::add_days(arrest, -(age * 365 + self.rng.random_range(0..365)));
        let (birth_date, minor) = match self.rng.random_range(0..10) {
            0..=5 => (birth.to_string(), String::new()),
            6 => (format!("{:04}", birth.year()), String::new()),
            7 => (String::new(), Self::minor_at(birth, arrest).to_string()),
            _ => (String::new(), String::new()),
        };
        let service = if military { "military" } else { "civilian" };
        let disclosure = self
            .pick(&["named", "named", "initials", "count_only", "count_only"])
            .to_string();
        let cells = vec![
            given,
            paternal,
            maternal,
            cedula,
            sex.to_string(),
            nationality,
            service.to_string(),
            birth_date,
            minor,
            disclosure,
        ];
        (cells, birth)
    }

    /// Under 18 at `arrest`, in the generator's years of 365 days.
    fn minor_at(birth: Day, arrest: Day) -> bool {
        (arrest - birth).get_days() < 18 * 365
    }

    fn row(&mut self) -> Vec<String> {
        self.made += 1;
        let (arrest, wave) = self.arrest();
        let post_2024 = arrest >= jiff::civil::date(2024, 7, 29);
        let military = self.chance(if post_2024 { 0.06 } else { 0.08 });

        // The revolving door: sometimes a person arrested before is arrested again.
        let again = !self.persons.is_empty() && self.chance(0.06);
        let (person_ref, identity) = if again {
            let i = self.rng.random_range(0..self.persons.len());
            let Some((person_ref, mut identity, birth)) = self.persons.get(i).cloned() else {
                return Vec::new();
            };
            // Known only as "minor": the flag is of this arrest (a minor then, maybe not now).
            if let Some(minor) = identity.get_mut(8).filter(|m| !m.is_empty()) {
                *minor = Self::minor_at(birth, arrest).to_string();
            }
            (person_ref, identity)
        } else {
            self.next_person += 1;
            let (identity, birth) = self.identity(military, arrest);
            let p = (format!("P-{:07}", self.next_person), identity, birth);
            if self.persons.len() < 200_000 {
                self.persons.push(p.clone());
            } else {
                let i = self.rng.random_range(0..self.persons.len());
                if let Some(slot) = self.persons.get_mut(i) {
                    *slot = p.clone();
                }
            }
            (p.0, p.1)
        };
        let military = identity.get(6).is_some_and(|m| m == "military");

        // How long it lasts, and how it ends.
        let still_held_p = if post_2024 {
            0.55
        } else if arrest.year() >= 2019 {
            0.05
        } else {
            0.01
        };
        let days: i64 = if self.chance(0.45) {
            self.rng.random_range(0..3)
        } else if self.chance(0.6) {
            self.rng.random_range(3..60)
        } else {
            self.rng.random_range(60..1800)
        };
        let end_day = Self::add_days(arrest, days);
        let ongoing = self.chance(still_held_p) || end_day > self.until;
        let (end_date, end_type) = if ongoing {
            (None, "")
        } else {
            let kind = match self.rng.random_range(0..1000) {
                0..=1 => "died_in_custody",
                2..=4 => "escaped",
                5..=15 => "deported",
                16..=20 => "unknown",
                21..=450 => "released",
                _ => "released_under_measures",
            };
            (Some(end_day), kind)
        };
        let last_day = end_date.unwrap_or(self.until);
        let long = (last_day - arrest).get_days() > 30;
        let house_arrest = (long && self.chance(0.12))
            .then(|| self.day_between(Self::add_days(arrest, 20), last_day));
        let disappeared = (post_2024 || military) && self.chance(0.08);
        let (unknown_since, known_since) = if disappeared {
            let since = Self::add_days(arrest, self.rng.random_range(0..3));
            let known = Self::add_days(since, self.rng.random_range(5..120));
            (
                Some(since.min(last_day)),
                (known < last_day).then_some(known),
            )
        } else {
            (None, None)
        };
        let convicted = (long && self.chance(0.25))
            .then(|| self.day_between(Self::add_days(arrest, 30), last_day));

        let state = if military {
            "Distrito Capital"
        } else {
            self.weighted(STATES)
        };
        let agency = if military {
            "DGCIM"
        } else {
            self.weighted(CIVIL_AGENCIES)
        };
        let facility = if days < 3 && end_date.is_some() {
            String::new()
        } else if military {
            self.pick(MILITARY_FACILITIES).to_string()
        } else {
            self.pick(FACILITIES).to_string()
        };
        let n_charges = self.rng.random_range(0..4);
        let mut charges: Vec<&str> = Vec::new();
        for _ in 0..n_charges {
            let c = if military {
                self.pick(MILITARY_CHARGES)
            } else {
                self.pick(CHARGES)
            };
            if !charges.contains(&c) {
                charges.push(c);
            }
        }

        let recognition = match self.rng.random_range(0..100) {
            0..=3 => "not_recognised",
            4..=9 => "under_study",
            _ => "recognised",
        };
        let category = if recognition == "recognised" {
            self.pick(&["1", "2", "2", "2", "3"]).to_string()
        } else {
            String::new()
        };

        // What was known when: the arrest learned days later, the end days or weeks later.
        let lag = |rng: &mut ChaCha8Rng, max: i64| -> i64 {
            (rng.random::<f64>().powi(3) * max as f64) as i64
        };
        let recorded = Self::add_days(arrest, lag(&mut self.rng, 20)).min(self.until);
        let end_recorded = end_date.map(|e| {
            Self::add_days(e, lag(&mut self.rng, 45))
                .min(self.until)
                .max(recorded)
        });

        // Dates known only to the month or the year.
        let fmt = |rng: &mut ChaCha8Rng, d: Day| -> String {
            match rng.random_range(0..100) {
                0..=4 => format!("{:04}-{:02}", d.year(), d.month()),
                5 => format!("{:04}", d.year()),
                _ => d.to_string(),
            }
        };
        let arrest_text = fmt(&mut self.rng, arrest);
        let end_text = end_date.map(|e| {
            if arrest_text.len() < 10 {
                format!("{:04}-{:02}", e.year(), e.month()).max(arrest_text.clone())
            } else {
                e.to_string()
            }
        });
        let opt = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let id = |i: usize| identity.get(i).cloned().unwrap_or_default();

        let cells: Vec<String> = Column::ALL
            .iter()
            .map(|c| match c {
                Column::DetentionRef => format!("D-{:07}", self.made),
                Column::PersonRef => person_ref.clone(),
                Column::GivenNames => id(0),
                Column::PaternalSurname => id(1),
                Column::MaternalSurname => id(2),
                Column::NationalId => id(3),
                Column::Sex => id(4),
                Column::BirthDate => id(7),
                Column::Minor => id(8),
                Column::CivilianMilitary => id(6),
                Column::Nationality => id(5),
                Column::ArrestDate => arrest_text.clone(),
                Column::ArrestState => state.to_string(),
                Column::ArrestMunicipality => String::new(),
                Column::Agency => agency.to_string(),
                Column::Facility => facility.clone(),
                Column::Charges => charges.join(";"),
                Column::Context => wave.to_string(),
                Column::WhereaboutsUnknownSince => opt(unknown_since),
                Column::WhereaboutsKnownSince => opt(known_since),
                Column::HouseArrestSince => opt(house_arrest),
                Column::ConvictedOn => opt(convicted),
                Column::EndDate => end_text.clone().unwrap_or_default(),
                Column::EndType => end_type.to_string(),
                Column::Recognition => recognition.to_string(),
                Column::Category => category.clone(),
                Column::RecordedOn => recorded.to_string(),
                Column::EndRecordedOn => opt(end_recorded),
                Column::Disclosure => id(9),
                Column::Notes => String::new(),
            })
            .collect();
        cells
    }
}

impl RowSource for Generator {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn next_row(&mut self) -> Option<Result<(u64, csv::StringRecord), Unreadable>> {
        (self.made < self.total).then(|| {
            let line = self.made + 2;
            Ok((line, csv::StringRecord::from(self.row())))
        })
    }

    fn position(&self) -> (u64, u64) {
        (self.made, self.total)
    }
}
