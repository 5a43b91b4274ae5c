//! Detentions as rows of the detentions CSV (`vigilia demo`): a Venezuela-like registry,
//! 2014–2026. How the rows are drawn is told in the crate's README; each step of a row is one
//! method of [`Generator`], called in the order the random numbers are drawn.

use std::io;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigilia_app::import::rows::{RowSource, Unreadable};
use vigilia_core::date::Day;
use vigilia_core::exchange::Column;

use crate::Error;
use crate::names::{FACILITIES, FEMALE, FEMALE_SECOND, MALE, MALE_SECOND, STATES, SURNAMES};

/// The last day of generated data (kept fixed so a seed always gives the same rows): a
/// registry must be on or after it to hold them.
pub const LAST_DAY: Day = jiff::civil::date(2026, 11, 15);

/// The first day of the post-election wave of 2024: after it, more arrests are still held.
const WAVE_2024: Day = jiff::civil::date(2024, 7, 29);

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

/// How people write some facilities, besides their register name: the ones the register
/// resolves ("Boleíta", "Zona 7 PNB Boleita"), one it cannot tell ("Rodeo": I or II?) and one
/// it does not have (a police station's cells), for the coordinator's list of unresolved places.
const WRITTEN: &[(&str, &[&str])] = &[
    (
        "Zona 7 Boleíta",
        &[
            "Boleíta",
            "Zona 7 PNB Boleita",
            "zona 7",
            "calabozos de Zona 7",
        ],
    ),
    (
        "El Helicoide",
        &["Helicoide", "el helicoide sebin", "SEBIN Helicoide"],
    ),
    ("Rodeo I", &["Rodeo", "Rodeo 1", "El Rodeo"]),
    ("Tocorón", &["Tocoron", "Centro Penitenciario de Aragua"]),
    ("Yare I", &["Yare", "Yare 1"]),
    (
        "INOF",
        &[
            "INOF Los Teques",
            "Instituto Nacional de Orientación Femenina",
        ],
    ),
    ("La Pica", &["La Pica Maturín", "Calabozos PNB La Yaguara"]),
];

/// A wave of arrests: its first and last day, its context tag, and its share of all arrests.
#[derive(Debug)]
pub struct Wave {
    pub from: Day,
    pub to: Day,
    /// The detention's `context` cell ("" for the background).
    pub context: &'static str,
    pub weight: f64,
}

/// The waves, in the order an arrest is drawn from them; the last is the background of
/// arrests every week from 2014 to [`LAST_DAY`]. The weights add up to 1.
pub const WAVES: &[Wave] = &[
    Wave {
        from: jiff::civil::date(2014, 2, 12),
        to: jiff::civil::date(2014, 6, 30),
        context: "protestas 2014",
        weight: 0.20,
    },
    Wave {
        from: jiff::civil::date(2017, 4, 1),
        to: jiff::civil::date(2017, 7, 31),
        context: "protestas 2017",
        weight: 0.25,
    },
    Wave {
        from: jiff::civil::date(2019, 1, 21),
        to: jiff::civil::date(2019, 1, 31),
        context: "enero 2019",
        weight: 0.07,
    },
    Wave {
        from: jiff::civil::date(2019, 4, 30),
        to: jiff::civil::date(2019, 5, 15),
        context: "30 de abril 2019",
        weight: 0.02,
    },
    Wave {
        from: WAVE_2024,
        to: jiff::civil::date(2024, 8, 15),
        context: "poselectoral 2024",
        weight: 0.17,
    },
    Wave {
        from: jiff::civil::date(2014, 1, 1),
        to: LAST_DAY,
        context: "",
        weight: 0.29,
    },
];

/// Generates detentions as rows of the detentions CSV: the same seed gives the same rows.
#[derive(Debug)]
pub struct Generator {
    rng: ChaCha8Rng,
    /// The seed, for the case's own draws (see [`Generator::case`]).
    seed: u64,
    header: Vec<String>,
    total: u64,
    made: u64,
    until: Day,
    /// Persons already made, to arrest some of them again.
    persons: Vec<Known>,
    next_person: u64,
}

/// A person made earlier: the reference, the identity cells, the birth day they were drawn from.
#[derive(Debug, Clone)]
struct Known {
    person_ref: String,
    identity: Identity,
    birth: Day,
}

/// What belongs to the person, the same at every arrest but `minor` (of this arrest).
#[derive(Debug, Clone)]
struct Identity {
    given: String,
    paternal: String,
    maternal: String,
    cedula: String,
    sex: &'static str,
    nationality: String,
    service: &'static str,
    birth_date: String,
    minor: String,
    disclosure: String,
}

/// How a detention ends: the days it lasts as drawn, and its end (none while still held).
#[derive(Debug)]
struct End {
    days: i64,
    date: Option<Day>,
    kind: &'static str,
}

/// What happened in custody: house arrest, whereabouts unknown then known, a conviction.
#[derive(Debug)]
struct Custody {
    house_arrest: Option<Day>,
    unknown_since: Option<Day>,
    known_since: Option<Day>,
    convicted: Option<Day>,
}

/// Where and by whom, and the charges.
#[derive(Debug)]
struct Place {
    state: &'static str,
    agency: &'static str,
    facility: &'static str,
    charges: Vec<&'static str>,
}

/// One detention as drawn, before it is written as cells.
#[derive(Debug)]
struct Detention {
    person_ref: String,
    identity: Identity,
    context: &'static str,
    end: End,
    custody: Custody,
    place: Place,
    recognition: &'static str,
    category: &'static str,
    recorded: Day,
    end_recorded: Option<Day>,
    arrest_text: String,
    end_text: Option<String>,
    case: Case,
}

/// The case and the contacts: the court presentation, the court, the measures of a release
/// under measures, the last visits of family and lawyer.
#[derive(Debug, Default)]
struct Case {
    /// The facility as this row writes it: mostly its register name, sometimes as families
    /// and volunteers write it.
    facility: String,
    presented_on: Option<Day>,
    court: String,
    jurisdiction: &'static str,
    case_number: String,
    measures: String,
    family: Option<Day>,
    lawyer: Option<Day>,
}

impl Generator {
    /// `total` detentions from `seed`, arrested from 2014 to [`LAST_DAY`].
    pub fn new(seed: u64, total: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            header: Column::ALL.iter().map(|c| c.name().to_string()).collect(),
            total,
            made: 0,
            until: LAST_DAY,
            persons: Vec::new(),
            next_person: 0,
        }
    }

    /// Writes every row left, with the header, as the detentions CSV; returns how many rows.
    pub fn write_csv(&mut self, out: impl io::Write) -> Result<u64, Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.header).map_err(Error::Detentions)?;
        let mut rows = 0;
        while self.made < self.total {
            w.write_record(self.row()).map_err(Error::Detentions)?;
            rows += 1;
        }
        w.flush().map_err(|e| Error::Detentions(e.into()))?;
        Ok(rows)
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

    /// Under 18 at `arrest`, in the generator's years of 365 days.
    fn minor_at(birth: Day, arrest: Day) -> bool {
        (arrest - birth).get_days() < 18 * 365
    }

    /// The next detention, as cells in the order of [`Column::ALL`].
    fn row(&mut self) -> Vec<String> {
        self.made += 1;
        let (arrest, context) = self.arrest();
        let post_2024 = arrest >= WAVE_2024;
        let military = self.chance(if post_2024 { 0.06 } else { 0.08 });
        let Some((person_ref, identity)) = self.person(military, arrest) else {
            return Vec::new();
        };
        let military = identity.service == "military";
        let end = self.end(arrest, post_2024);
        let custody = self.custody(arrest, &end, post_2024 || military);
        let place = self.place(military, &end);
        let (recognition, category) = self.recognition();
        let (recorded, end_recorded) = self.recorded(arrest, &end);
        let (arrest_text, end_text) = self.date_texts(arrest, &end);
        let case = self.case(arrest, &end, &place, military, arrest_text.len() == 10);
        let detention = Detention {
            person_ref,
            identity,
            context,
            end,
            custody,
            place,
            recognition,
            category,
            recorded,
            end_recorded,
            arrest_text,
            end_text,
            case,
        };
        detention.cells(self.made)
    }

    /// The arrest day, drawn from a wave, and the wave's context.
    fn arrest(&mut self) -> (Day, &'static str) {
        let mut r: f64 = self.rng.random();
        for w in WAVES {
            if r < w.weight {
                let to = w.to.min(self.until);
                return (self.day_between(w.from, to), w.context);
            }
            r -= w.weight;
        }
        (self.until, "")
    }

    /// Who is arrested: a new person, or (the revolving door) one arrested before.
    fn person(&mut self, military: bool, arrest: Day) -> Option<(String, Identity)> {
        let again = !self.persons.is_empty() && self.chance(0.06);
        if again {
            let i = self.rng.random_range(0..self.persons.len());
            let Known {
                person_ref,
                mut identity,
                birth,
            } = self.persons.get(i).cloned()?;
            // Known only as "minor": the flag is of this arrest (a minor then, maybe not now).
            if !identity.minor.is_empty() {
                identity.minor = Self::minor_at(birth, arrest).to_string();
            }
            return Some((person_ref, identity));
        }
        self.next_person += 1;
        let (identity, birth) = self.identity(military, arrest);
        let known = Known {
            person_ref: format!("P-{:07}", self.next_person),
            identity,
            birth,
        };
        if self.persons.len() < 200_000 {
            self.persons.push(known.clone());
        } else {
            let i = self.rng.random_range(0..self.persons.len());
            if let Some(slot) = self.persons.get_mut(i) {
                *slot = known.clone();
            }
        }
        Some((known.person_ref, known.identity))
    }

    /// A new person's given names: a first, and a second for 40%.
    fn given_names(&mut self, female: bool) -> String {
        let (firsts, seconds) = if female {
            (FEMALE, FEMALE_SECOND)
        } else {
            (MALE, MALE_SECOND)
        };
        let first = self.pick(firsts);
        if self.chance(0.4) {
            format!("{first} {}", self.pick(seconds))
        } else {
            first.to_string()
        }
    }

    /// A new person arrested on `arrest`, and the birth day their cells were drawn from.
    fn identity(&mut self, military: bool, arrest: Day) -> (Identity, Day) {
        let female = !military && self.chance(0.12);
        let given = self.given_names(female);
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
        let disclosure = self
            .pick(&["named", "named", "initials", "count_only", "count_only"])
            .to_string();
        let identity = Identity {
            given,
            paternal,
            maternal,
            cedula,
            sex: if female { "F" } else { "M" },
            nationality,
            service: if military { "military" } else { "civilian" },
            birth_date,
            minor,
            disclosure,
        };
        (identity, birth)
    }

    /// How long the detention lasts and how it ends; the 2024 wave is mostly still held.
    fn end(&mut self, arrest: Day, post_2024: bool) -> End {
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
        if ongoing {
            return End {
                days,
                date: None,
                kind: "",
            };
        }
        let kind = match self.rng.random_range(0..1000) {
            0..=1 => "died_in_custody",
            2..=4 => "escaped",
            5..=15 => "deported",
            16..=20 => "unknown",
            21..=450 => "released",
            _ => "released_under_measures",
        };
        End {
            days,
            date: Some(end_day),
            kind,
        }
    }

    /// House arrest and conviction in long detentions; whereabouts unknown for a while in some
    /// of the 2024 wave's and the military's (`may_disappear`).
    fn custody(&mut self, arrest: Day, end: &End, may_disappear: bool) -> Custody {
        let last_day = end.date.unwrap_or(self.until);
        let long = (last_day - arrest).get_days() > 30;
        let house_arrest = (long && self.chance(0.12))
            .then(|| self.day_between(Self::add_days(arrest, 20), last_day));
        let disappeared = may_disappear && self.chance(0.08);
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
        Custody {
            house_arrest,
            unknown_since,
            known_since,
            convicted,
        }
    }

    /// The state, the agency, the facility (none for a release within three days) and up to
    /// three charges; the military's are tried in Caracas by the DGCIM.
    fn place(&mut self, military: bool, end: &End) -> Place {
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
        let facility = if end.days < 3 && end.date.is_some() {
            ""
        } else if military {
            self.pick(MILITARY_FACILITIES)
        } else {
            self.pick(FACILITIES)
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
        Place {
            state,
            agency,
            facility,
            charges,
        }
    }

    /// The case, drawn from a generator of its own (seeded from the seed and the row's number),
    /// so that the rows' other cells are the ones the same seed always gave. A detention held
    /// past three days: presented to a court 1 to 4 days after the arrest (85%; none recorded
    /// for the others), before a court of the state's circuit (a terrorism court in Caracas
    /// for terrorism charges, a military court for the military) with a case number; a
    /// release under measures with 1 to 3 of the usual measures (presentations every 8, 15 or
    /// 30 days); the last family visit (70%) and lawyer visit (50%) on a day while held.
    fn case(&self, arrest: Day, end: &End, place: &Place, military: bool, exact: bool) -> Case {
        let mut rng =
            ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.made);
        if place.facility.is_empty() {
            return Case::default();
        }
        let facility = match WRITTEN.iter().find(|(f, _)| *f == place.facility) {
            Some((_, ways)) if rng.random_bool(0.15) => ways
                .get(rng.random_range(0..ways.len()))
                .copied()
                .unwrap_or(place.facility),
            _ => place.facility,
        }
        .to_string();
        let last = end.date.unwrap_or(self.until);
        let presented_on = (exact && rng.random_bool(0.85))
            .then(|| Self::add_days(arrest, rng.random_range(1..5)).min(last));
        let n = rng.random_range(1..=50);
        let (court, jurisdiction) = if military {
            (
                format!("Tribunal Militar {n}.º de Control de Caracas"),
                "military",
            )
        } else if place.charges.iter().any(|c| c.contains("terrorismo")) {
            (
                format!(
                    "Tribunal {}.º de Control con competencia en terrorismo, Caracas",
                    n % 4 + 1
                ),
                "civilian",
            )
        } else {
            (
                format!(
                    "Tribunal {n}.º de Control del Circuito Judicial Penal de {}",
                    place.state
                ),
                "civilian",
            )
        };
        let case_number = format!("{n}C-{:05}-{}", rng.random_range(1..100_000), arrest.year());
        let measures = if end.kind == "released_under_measures"
            && end.date.is_some_and(|d| d.year() >= 2019)
        {
            let every = [8, 15, 30]
                .get(rng.random_range(0..3))
                .copied()
                .unwrap_or(30);
            let mut m = vec![format!("presentación cada {every} días ante {court}")];
            if rng.random_bool(0.6) {
                m.push("prohibición de salida del país".into());
            }
            if rng.random_bool(0.3) {
                m.push("prohibición de declarar a la prensa".into());
            }
            m.join("; ")
        } else {
            String::new()
        };
        let visit = |rng: &mut ChaCha8Rng, p: f64| {
            (rng.random_bool(p) && last > arrest).then(|| {
                let span = i64::from((last - arrest).get_days().max(1));
                Self::add_days(arrest, rng.random_range(0..span))
            })
        };
        let family = visit(&mut rng, 0.7);
        let lawyer = visit(&mut rng, 0.5);
        Case {
            facility,
            presented_on,
            court,
            jurisdiction,
            case_number,
            measures,
            family,
            lawyer,
        }
    }

    /// Mostly recognised with a category, some under study or not recognised.
    fn recognition(&mut self) -> (&'static str, &'static str) {
        let recognition = match self.rng.random_range(0..100) {
            0..=3 => "not_recognised",
            4..=9 => "under_study",
            _ => "recognised",
        };
        let category = if recognition == "recognised" {
            self.pick(&["1", "2", "2", "2", "3"])
        } else {
            ""
        };
        (recognition, category)
    }

    /// What was known when: the arrest learned days later, the end days or weeks later.
    fn recorded(&mut self, arrest: Day, end: &End) -> (Day, Option<Day>) {
        let lag = |rng: &mut ChaCha8Rng, max: i64| -> i64 {
            (rng.random::<f64>().powi(3) * max as f64) as i64
        };
        let recorded = Self::add_days(arrest, lag(&mut self.rng, 20)).min(self.until);
        let end_recorded = end.date.map(|e| {
            Self::add_days(e, lag(&mut self.rng, 45))
                .min(self.until)
                .max(recorded)
        });
        (recorded, end_recorded)
    }

    /// The arrest and end dates as written: some known only to the month or the year (an end
    /// then only to the month, never before the arrest).
    fn date_texts(&mut self, arrest: Day, end: &End) -> (String, Option<String>) {
        let arrest_text = match self.rng.random_range(0..100) {
            0..=4 => format!("{:04}-{:02}", arrest.year(), arrest.month()),
            5 => format!("{:04}", arrest.year()),
            _ => arrest.to_string(),
        };
        let end_text = end.date.map(|e| {
            if arrest_text.len() < 10 {
                format!("{:04}-{:02}", e.year(), e.month()).max(arrest_text.clone())
            } else {
                e.to_string()
            }
        });
        (arrest_text, end_text)
    }
}

impl Detention {
    /// The cells of the `number`th detention, in the order of [`Column::ALL`].
    fn cells(self, number: u64) -> Vec<String> {
        let opt = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let id = &self.identity;
        Column::ALL
            .iter()
            .map(|c| match c {
                Column::DetentionRef => format!("D-{number:07}"),
                Column::PersonRef => self.person_ref.clone(),
                Column::GivenNames => id.given.clone(),
                Column::PaternalSurname => id.paternal.clone(),
                Column::MaternalSurname => id.maternal.clone(),
                Column::NationalId => id.cedula.clone(),
                Column::Sex => id.sex.to_string(),
                Column::BirthDate => id.birth_date.clone(),
                Column::Minor => id.minor.clone(),
                Column::CivilianMilitary => id.service.to_string(),
                Column::Nationality => id.nationality.clone(),
                Column::ArrestDate => self.arrest_text.clone(),
                Column::ArrestState => self.place.state.to_string(),
                Column::ArrestMunicipality => String::new(),
                Column::Agency => self.place.agency.to_string(),
                Column::Facility => self.case.facility.clone(),
                Column::Charges => self.place.charges.join(";"),
                Column::Context => self.context.to_string(),
                Column::WhereaboutsUnknownSince => opt(self.custody.unknown_since),
                Column::WhereaboutsKnownSince => opt(self.custody.known_since),
                Column::HouseArrestSince => opt(self.custody.house_arrest),
                Column::ConvictedOn => opt(self.custody.convicted),
                Column::EndDate => self.end_text.clone().unwrap_or_default(),
                Column::EndType => self.end.kind.to_string(),
                Column::Recognition => self.recognition.to_string(),
                Column::Category => self.category.to_string(),
                Column::RecordedOn => self.recorded.to_string(),
                Column::EndRecordedOn => opt(self.end_recorded),
                Column::Disclosure => id.disclosure.clone(),
                Column::Notes => String::new(),
                Column::PresentedOn => opt(self.case.presented_on),
                Column::Court => self.case.court.clone(),
                Column::Jurisdiction => self.case.jurisdiction.to_string(),
                Column::CaseNumber => self.case.case_number.clone(),
                Column::Measures => self.case.measures.clone(),
                Column::LastFamilyContact => opt(self.case.family),
                Column::LastLawyerContact => opt(self.case.lawyer),
            })
            .collect()
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
