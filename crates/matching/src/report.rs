//! Reports as they arrive (`docs/formats/reports-csv.md`), read into comparable values. The
//! values are messy on purpose; reading them must understand them as they are: dates written
//! day first (`15/03/85`), an age instead of a birth date, cédulas with dots, letters and typos.

use rustc_hash::FxHashMap;
use vigilia_core::date::PartialDate;
use vigilia_core::model::{Identity, Sex};
use vigilia_core::national_id::NationalId;
use vigilia_core::profile::Profile;
use vigilia_core::text::{fold, non_empty};

use crate::name::{Name, parse, parse_whole};

/// A report's values, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub name: Name,
    pub cedula: Option<NationalId>,
    pub birth: Option<PartialDate>,
    pub age: Option<u8>,
    pub sex: Option<char>,
    pub state: Option<String>,
    pub arrest: Option<PartialDate>,
    pub facility: Option<String>,
}

impl Report {
    /// A registered person's identity as a report, to compare with others.
    pub fn of_identity(id: u64, identity: &Identity) -> Report {
        Report {
            id: id.to_string(),
            name: parse(
                identity.given_names.as_deref().unwrap_or(""),
                &identity.surnames(),
            ),
            cedula: identity.national_id,
            birth: identity.birth_date,
            sex: identity.sex.and_then(|s| match s {
                Sex::F => Some('F'),
                Sex::M => Some('M'),
                Sex::X => None,
            }),
            ..Report::default()
        }
    }
}

/// A report that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("line 1: the reports CSV needs a report_id column")]
    NoIdColumn,
    #[error("line {line}, column report_id: empty")]
    EmptyId { line: u64 },
    #[error("line {line}, column report_id: {id:?} already appears on line {first}")]
    DuplicateId { line: u64, id: String, first: u64 },
}

/// Where each known column stands in a file.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    id: usize,
    given: Option<usize>,
    surnames: Option<usize>,
    cedula: Option<usize>,
    birth: Option<usize>,
    age: Option<usize>,
    sex: Option<usize>,
    state: Option<usize>,
    arrest: Option<usize>,
    facility: Option<usize>,
}

impl Columns {
    /// Reads the header; missing columns are unknown values, a missing `report_id` an error.
    pub fn parse<S: AsRef<str>>(header: &[S]) -> Result<Columns, ReportError> {
        let at = |name: &str| {
            header
                .iter()
                .position(|h| h.as_ref().trim_start_matches('\u{feff}').trim() == name)
        };
        Ok(Columns {
            id: at("report_id").ok_or(ReportError::NoIdColumn)?,
            given: at("given_names"),
            surnames: at("surnames"),
            cedula: at("cedula"),
            birth: at("birth_date"),
            age: at("age"),
            sex: at("sex"),
            state: at("state"),
            arrest: at("arrest_date"),
            facility: at("facility"),
        })
    }
}

/// A date as reporters write it: day first (`15/03/1985`, `15-03-85`, `15.03.1985`), or ISO
/// (`1985-03-15`), or a month or year alone. A two-digit year is 20xx when that is not after
/// `this_year`, else 19xx (`85` → 1985, `24` → 2024). Any four-digit year is read: a list
/// may be an archive's, and a birth in 1854 is evidence as much as one in 1985.
pub fn day_first(text: &str, this_year: i16) -> Option<PartialDate> {
    let t = text.trim();
    let parse = |t: &str| PartialDate::parse_within(t, 1..=9999).ok();
    if let Some(d) = parse(t) {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).map(str::trim).collect();
    let num = |s: &str| s.parse::<i16>().ok();
    let year = |s: &str| -> Option<i16> {
        let y = num(s)?;
        match s.len() {
            4 => Some(y),
            2 => Some(if 2000 + y <= this_year {
                2000 + y
            } else {
                1900 + y
            }),
            _ => None,
        }
    };
    let iso = match parts.as_slice() {
        [d, m, y] => format!("{:04}-{:02}-{:02}", year(y)?, num(m)?, num(d)?),
        [m, y] => format!("{:04}-{:02}", year(y)?, num(m)?),
        _ => return None,
    };
    parse(&iso)
}

fn sex(text: &str) -> Option<char> {
    match fold(text).as_str() {
        "m" | "masculino" | "hombre" | "varon" => Some('M'),
        "f" | "femenino" | "mujer" => Some('F'),
        _ => None,
    }
}

/// How alike two cédulas are, digit by digit: 1 equal; 0.8 one typo away (a digit wrong, two
/// next to each other swapped, one left out or one added); 0 otherwise. Different letters (V/E)
/// with equal digits still count as 0.8.
pub fn cedula_similarity(a: &NationalId, b: &NationalId) -> f64 {
    if a == b {
        return 1.0;
    }
    let (x, y) = (digits(a.number), digits(b.number));
    if a.number == b.number || one_typo(x.digits(), y.digits()) {
        0.8
    } else {
        0.0
    }
}

/// A number's decimal digits, written without allocating (cédulas are compared by the million).
struct Digits([u8; 10], usize);

impl Digits {
    fn digits(&self) -> &[u8] {
        self.0.get(10 - self.1..).unwrap_or(&[])
    }
}

fn digits(mut n: u32) -> Digits {
    let mut d = Digits([0; 10], 0);
    loop {
        d.1 += 1;
        if let Some(x) = d.0.get_mut(10 - d.1) {
            *x = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            return d;
        }
    }
}

/// Whether two different strings are one keystroke apart: a character wrong, two next to each
/// other swapped, or one left out (either way).
fn one_typo(x: &[u8], y: &[u8]) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    // The first place they differ; after it, the rest must agree as the typo leaves it.
    let i = short.iter().zip(long).take_while(|(p, q)| p == q).count();
    let (s, l) = (short.get(i..).unwrap_or(&[]), long.get(i..).unwrap_or(&[]));
    match long.len() - short.len() {
        0 => {
            s.get(1..) == l.get(1..)
                || (s.len() >= 2
                    && s.first() == l.get(1)
                    && s.get(1) == l.first()
                    && s.get(2..) == l.get(2..))
        }
        1 => Some(s) == l.get(1..),
        _ => false,
    }
}

/// Why reading reports stopped: a row its source could not give, or a report that is wrong.
#[derive(Debug)]
pub enum Stopped<E> {
    Source(E),
    Report(ReportError),
}

/// Rows read and checked before they are read into values, on every core while the next rows
/// are read: a million rows held whole as text, beside their values, were the peak of memory.
const CHUNK: usize = 1 << 14;

/// Reads the rows of a reports file. `rows` yields each row's line and cells, or why the row
/// could not be read; the first mistake in the file is the one told, and nothing is returned
/// with it. States and facilities are read through the country profile's names and aliases
/// (`Edo. Zulia`, `Maracaibo` → `VE-V`); places it does not know are compared as written,
/// folded.
pub fn read<R: Cells + Send + Sync, E>(
    columns: &Columns,
    rows: impl IntoIterator<Item = Result<(u64, R), E>>,
    this_year: i16,
    profile: &Profile,
) -> Result<Vec<Report>, Stopped<E>> {
    let mut rows = rows.into_iter();
    let mut reports = Vec::new();
    let mut seen: FxHashMap<String, u64> = Default::default();
    let mut repeated: Vec<Repeated> = std::iter::repeat_with(Repeated::default)
        .take(crate::cores())
        .collect();
    std::thread::scope(|s| {
        type Read = (Vec<Report>, Vec<Repeated>);
        let mut reading: Option<std::thread::ScopedJoinHandle<'_, Read>> = None;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut unreadable = None;
            for row in rows.by_ref() {
                match row {
                    Ok(row) => chunk.push(row),
                    Err(e) => {
                        unreadable = Some(e);
                        break;
                    }
                }
                if chunk.len() == CHUNK {
                    break;
                }
            }
            // Every id first, in order...
            for (line, cells) in &chunk {
                let Some(id) = cells.cell(columns.id).and_then(non_empty) else {
                    return Err(Stopped::Report(ReportError::EmptyId { line: *line }));
                };
                if let Some(first) = seen.insert(id.to_string(), *line) {
                    return Err(Stopped::Report(ReportError::DuplicateId {
                        line: *line,
                        id: id.to_string(),
                        first,
                    }));
                }
            }
            if let Some(e) = unreadable {
                return Err(Stopped::Source(e));
            }
            if let Some(done) = reading.take() {
                let (done, kept) = done.join().unwrap_or_default();
                reports.extend(done);
                repeated = kept;
            }
            if chunk.is_empty() {
                return Ok(());
            }
            // ...then the values, on every core, while the next rows are read.
            let mut repeated = std::mem::take(&mut repeated);
            reading = Some(s.spawn(move || {
                let read = crate::in_parallel_with(&chunk, &mut repeated, |seen, (_, cells)| {
                    one(columns, cells, this_year, profile, seen)
                });
                (read, repeated)
            }));
        }
    })?;
    Ok(reports)
}

/// A row's cells, by column.
pub trait Cells {
    fn cell(&self, i: usize) -> Option<&str>;
}

impl<S: AsRef<str>> Cells for Vec<S> {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
}

impl<C: Cells> Cells for &C {
    fn cell(&self, i: usize) -> Option<&str> {
        (*self).cell(i)
    }
}

/// One row's values (its id already checked).
/// Values that many rows repeat as written (given names, surnames, a state, a facility, the
/// day of a mass arrest), each read once by each core: reading them was most of the time of
/// reading a row.
#[derive(Default)]
struct Repeated {
    given: FxHashMap<String, Name>,
    surnames: FxHashMap<String, Name>,
    states: FxHashMap<String, String>,
    facilities: FxHashMap<String, String>,
    arrests: FxHashMap<String, Option<PartialDate>>,
}

/// The most values of one kind kept as read, per core.
const REPEATED: usize = 1 << 16;

/// `read(text)`, or what it gave for the same text before.
fn once<T: Clone>(seen: &mut FxHashMap<String, T>, text: &str, read: impl FnOnce(&str) -> T) -> T {
    if let Some(v) = seen.get(text) {
        return v.clone();
    }
    if seen.len() >= REPEATED {
        seen.clear();
    }
    let v = read(text);
    seen.insert(text.to_string(), v.clone());
    v
}

/// One row's values (its id already checked).
fn one(
    columns: &Columns,
    cells: &impl Cells,
    this_year: i16,
    profile: &Profile,
    seen: &mut Repeated,
) -> Report {
    let cell = |i: Option<usize>| cells.cell(i?).and_then(non_empty);
    let (given, surnames) = (
        cell(columns.given).unwrap_or(""),
        cell(columns.surnames).unwrap_or(""),
    );
    // Given names and surnames are read apart (see `name::parse`).
    let name = if surnames.is_empty() {
        parse_whole(given)
    } else {
        let g = once(&mut seen.given, given, |g| parse(g, ""));
        let s = once(&mut seen.surnames, surnames, |s| parse("", s));
        Name {
            given: g.given,
            initials: g.initials,
            surnames: s.surnames,
            married: s.married,
        }
    };
    let state = |s: &str| {
        (profile.state(s))
            .and_then(|n| n.code.clone())
            .unwrap_or_else(|| fold(s))
    };
    let facility = |f: &str| fold(&Profile::canonical(&profile.facilities, f));
    Report {
        id: cell(Some(columns.id)).unwrap_or_default().to_string(),
        name,
        cedula: cell(columns.cedula).and_then(|c| NationalId::parse(c).ok()),
        birth: cell(columns.birth).and_then(|d| day_first(d, this_year)),
        age: cell(columns.age).and_then(|a| a.parse().ok()),
        sex: cell(columns.sex).and_then(sex),
        state: cell(columns.state).map(|s| once(&mut seen.states, s, state)),
        arrest: cell(columns.arrest)
            .and_then(|d| once(&mut seen.arrests, d, |d| day_first(d, this_year))),
        facility: cell(columns.facility).map(|f| once(&mut seen.facilities, f, facility)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ve() -> Profile {
        Profile::venezuela().unwrap()
    }

    fn read_all(cols: &Columns, rows: Vec<(u64, Vec<&str>)>) -> Result<Vec<Report>, ReportError> {
        let rows = rows.into_iter().map(Ok::<_, std::convert::Infallible>);
        read(cols, rows, 2026, &ve()).map_err(|stopped| match stopped {
            Stopped::Report(e) => e,
            Stopped::Source(never) => match never {},
        })
    }

    #[test]
    fn the_first_mistake_in_the_file_is_the_one_told() {
        let cols = Columns::parse(&["report_id", "given_names"]).unwrap();
        // Thousands of good rows, a row read twice, then a row that cannot be read: the twice
        // is told; without it, the unreadable row is, and no report is returned with either.
        let rows = |twice: bool| {
            (0..40_000u64).map(move |i| match i {
                30_000 if twice => Ok((i + 2, vec!["7".to_string(), "Ana".into()])),
                35_000 => Err(format!("line {}: not UTF-8", i + 2)),
                _ => Ok((i + 2, vec![i.to_string(), "Ana".into()])),
            })
        };
        match read(&cols, rows(true), 2026, &ve()) {
            Err(Stopped::Report(ReportError::DuplicateId { line, first, .. })) => {
                assert_eq!((line, first), (30_002, 9))
            }
            other => panic!("{:?}", other.map(|r| r.len())),
        }
        match read(&cols, rows(false), 2026, &ve()) {
            Err(Stopped::Source(e)) => assert_eq!(e, "line 35002: not UTF-8"),
            other => panic!("{:?}", other.map(|r| r.len())),
        }
        let all = (0..40_000u64).map(|i| Ok::<_, String>((i + 2, vec![i.to_string()])));
        let reports = read(&cols, all, 2026, &ve()).unwrap();
        assert_eq!(reports.len(), 40_000, "every chunk, in order");
        assert_eq!(reports.last().map(|r| r.id.as_str()), Some("39999"));
    }

    #[test]
    fn dates_as_reporters_write_them() {
        for written in [
            "15/03/1985",
            "1985-03-15",
            "15-03-1985",
            "15/03/85",
            "15.03.1985",
        ] {
            assert_eq!(
                day_first(written, 2026).map(|d| d.to_string()).as_deref(),
                Some("1985-03-15"),
                "{written}"
            );
        }
        assert_eq!(
            day_first("03/2024", 2026).map(|d| d.to_string()).as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            day_first("15/03/24", 2026)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2024-03-15")
        );
        // An archive's births are read like any other.
        assert_eq!(
            day_first("28/07/1774", 2026)
                .map(|d| d.to_string())
                .as_deref(),
            Some("1774-07-28")
        );
        assert_eq!(day_first("31/02/2024", 2026), None);
        assert_eq!(day_first("ayer", 2026), None);
    }

    #[test]
    fn cedulas_with_typos_are_close_not_equal() {
        let c = |s: &str| NationalId::parse(s).unwrap();
        assert_eq!(cedula_similarity(&c("V-12.345.678"), &c("12345678")), 1.0);
        assert_eq!(
            cedula_similarity(&c("V-12345678"), &c("V-12345679")),
            0.8,
            "one digit"
        );
        assert_eq!(
            cedula_similarity(&c("V-12345678"), &c("V-12354678")),
            0.8,
            "two swapped"
        );
        assert_eq!(
            cedula_similarity(&c("V-1234567"), &c("V-12345678")),
            0.8,
            "one left out"
        );
        assert_eq!(
            cedula_similarity(&c("V-12345678"), &c("V-123445678")),
            0.8,
            "one added"
        );
        assert_eq!(cedula_similarity(&c("V-12345678"), &c("V-87654321")), 0.0);
        assert_eq!(cedula_similarity(&c("V-12345678"), &c("V-12346687")), 0.0);
        assert_eq!(cedula_similarity(&c("V-1234567"), &c("V-12354687")), 0.0);
    }

    #[test]
    fn reading_a_file_refuses_missing_duplicate_and_empty_ids() {
        assert_eq!(
            Columns::parse(&["nombre"]).unwrap_err(),
            ReportError::NoIdColumn
        );
        let cols = Columns::parse(&[
            "report_id",
            "given_names",
            "surnames",
            "cedula",
            "birth_date",
            "sex",
        ])
        .unwrap();
        let rows = vec![
            (
                2,
                vec![
                    "r1",
                    "JOSE G.",
                    "PEREZ",
                    "C.I. 12.345.678",
                    "15/03/85",
                    "Masculino",
                ],
            ),
            (
                3,
                vec![
                    "r2",
                    "José Gregorio Pérez Rodríguez",
                    "",
                    "v-12345678",
                    "1985-03-15",
                    "M",
                ],
            ),
        ];
        let reports = read_all(&cols, rows).unwrap();
        assert_eq!(reports[0].cedula, reports[1].cedula);
        assert_eq!(reports[0].birth, reports[1].birth);
        assert_eq!(
            reports[1].name.surnames,
            vec!["perez".to_string(), "rodriguez".to_string()]
        );
        let dup = vec![
            (2, vec!["r1", "", "", "", "", ""]),
            (3, vec!["r1", "", "", "", "", ""]),
        ];
        assert_eq!(
            read_all(&cols, dup).unwrap_err(),
            ReportError::DuplicateId {
                line: 3,
                id: "r1".into(),
                first: 2
            }
        );
        let empty = vec![(2, vec!["", "", "", "", "", ""])];
        assert_eq!(
            read_all(&cols, empty).unwrap_err(),
            ReportError::EmptyId { line: 2 }
        );
    }
}
