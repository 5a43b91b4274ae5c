//! Dates as people know them: to the day, to the month, or only the year.
//!
//! "Detenido en agosto de 2024" is a fact with month precision. Vigilia keeps the precision it
//! was given, so that counts over uncertain dates can be reported as bounds instead of guesses.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lang::{Lang, Localize};

/// A whole calendar day (no time of day, no time zone).
pub type Day = jiff::civil::Date;

/// How much of a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Year,
    /// Somewhere between two days ("released between the arrest and 2020-07-27").
    Range,
}

/// A date known to the day, the month or the year, or only between two days: written
/// `2024-08-15`, `2024-08`, `2024`, or `2004-03/2020-07-27` (a range, as in ISO 8601 intervals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    first: Day,
    /// The last day, for a range (otherwise derived from `first` and the precision).
    last: Day,
    precision: Precision,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{0:?} is not a date (expected YYYY-MM-DD, YYYY-MM, YYYY or FROM/TO)")]
    Malformed(String),
    #[error("{0:?} does not exist in the calendar")]
    Impossible(String),
    #[error("{0:?} is outside the years {MIN_YEAR}–{MAX_YEAR}")]
    OutOfRange(String),
}

impl Localize for DateError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Malformed(s), Lang::Es) => {
                format!("«{s}» no es una fecha (se espera AAAA-MM-DD, AAAA-MM, AAAA o DESDE/HASTA)")
            }
            (Self::Impossible(s), Lang::Es) => format!("«{s}» no existe en el calendario."),
            (Self::OutOfRange(s), Lang::Es) => {
                format!("«{s}» está fuera de los años {MIN_YEAR}–{MAX_YEAR}.")
            }
            (_, Lang::En) => self.to_string(),
        }
    }
}

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(day: Day, lang: Lang) -> &'static str {
    let names = lang.pick_static(&MONTHS_ES, &MONTHS_EN);
    let i = usize::try_from(day.month() - 1).unwrap_or(0);
    names.get(i).copied().unwrap_or("")
}

/// A day as a person writes it: "5 de agosto de 2024", "5 August 2024".
pub fn spoken_day(day: Day, lang: Lang) -> String {
    match lang {
        Lang::Es => format!(
            "{} de {} de {}",
            day.day(),
            month_name(day, lang),
            day.year()
        ),
        Lang::En => format!("{} {} {}", day.day(), month_name(day, lang), day.year()),
    }
}

/// An instant as people say it, at a UTC offset (the organisation's): "05/12/2026, 14:03".
pub fn moment(at: jiff::Timestamp, offset: jiff::tz::Offset, lang: Lang) -> String {
    let local = offset.to_datetime(at);
    format!(
        "{}, {:02}:{:02}",
        short_day(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// The day of the week of `day`, as a sentence says it: "viernes", "Friday".
pub fn weekday(day: Day, lang: Lang) -> &'static str {
    use jiff::civil::Weekday::*;
    let (es, en) = match day.weekday() {
        Monday => ("lunes", "Monday"),
        Tuesday => ("martes", "Tuesday"),
        Wednesday => ("miércoles", "Wednesday"),
        Thursday => ("jueves", "Thursday"),
        Friday => ("viernes", "Friday"),
        Saturday => ("sábado", "Saturday"),
        Sunday => ("domingo", "Sunday"),
    };
    lang.pick(es, en)
}

/// A day as a table shows it: "05/08/2024" in Spanish (day first, as Venezuelans write it),
/// "5 Aug 2024" in English (unambiguous).
pub fn short_day(day: Day, lang: Lang) -> String {
    match lang {
        Lang::Es => format!("{:02}/{:02}/{}", day.day(), day.month(), day.year()),
        Lang::En => format!(
            "{} {} {}",
            day.day(),
            month_name(day, lang).get(..3).unwrap_or(""),
            day.year()
        ),
    }
}

/// A day the counting wrote `AAAA-MM-DD`, as a table shows it (any year: the week before a
/// balance in January 1900 began in 1899); text that is not such a day is left as it is.
pub fn short_iso(iso: &str, lang: Lang) -> String {
    match iso.parse::<Day>() {
        Ok(day) => short_day(day, lang),
        Err(_) => iso.to_string(),
    }
}

impl PartialDate {
    /// The date as a table shows it, to its precision: "05/08/2024", "08/2024", "2024",
    /// "entre 01/03/2004 y 27/07/2020".
    pub fn short(&self, lang: Lang) -> String {
        match (self.precision, lang) {
            (Precision::Day, _) => short_day(self.first, lang),
            (Precision::Month, Lang::Es) => {
                format!("{:02}/{}", self.first.month(), self.first.year())
            }
            (Precision::Month, Lang::En) => {
                format!("{} {}", month_name(self.first, lang), self.first.year())
            }
            (Precision::Year, _) => self.first.year().to_string(),
            (Precision::Range, Lang::Es) => format!(
                "entre {} y {}",
                short_day(self.first, lang),
                short_day(self.last, lang)
            ),
            (Precision::Range, Lang::En) => format!(
                "between {} and {}",
                short_day(self.first, lang),
                short_day(self.last, lang)
            ),
        }
    }

    /// A date as a person types it in a form: day first with `/`, `-` or `.` (`12/03/1985`,
    /// `3/8/24`, `03-1985` for a month), or as Vigilia writes it (`1985-03-12`, `1985-03`,
    /// `1985`, a range `FROM/TO`). A two-digit year is the latest year ending so that is not
    /// after `today` (`24` is 2024 in 2026, `85` is 1985). The precision typed is kept.
    pub fn typed(text: &str, today: Day) -> Result<Self, DateError> {
        let s = text.trim();
        let iso_start = s.len() >= 4 && s.bytes().take(4).all(|b| b.is_ascii_digit());
        if iso_start || s.is_empty() {
            return Self::parse(s);
        }
        let malformed = || DateError::Malformed(s.to_string());
        let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
        let number = |p: &str| -> Result<i16, DateError> {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            p.parse::<i16>().map_err(|_| malformed())
        };
        let year = |p: &str| -> Result<i16, DateError> {
            let y = number(p)?;
            match p.len() {
                4 => Ok(y),
                2 => {
                    let this = today.year();
                    let century = this - this % 100;
                    Ok(if century + y <= this {
                        century + y
                    } else {
                        century - 100 + y
                    })
                }
                _ => Err(malformed()),
            }
        };
        let (y, m, d) = match parts.as_slice() {
            // A month: its year in full (`12/03` is a day without its year, not March 2003).
            [m, y] if y.len() == 4 => (year(y)?, number(m)?, None),
            [d, m, y] => (year(y)?, number(m)?, Some(number(d)?)),
            _ => return Err(malformed()),
        };
        let iso = match d {
            Some(d) => format!("{y:04}-{m:02}-{d:02}"),
            None => format!("{y:04}-{m:02}"),
        };
        Self::parse(&iso).map_err(|e| match e {
            DateError::Impossible(_) => DateError::Impossible(s.to_string()),
            DateError::OutOfRange(_) => DateError::OutOfRange(s.to_string()),
            _ => malformed(),
        })
    }

    /// The date as a person writes it, to its precision: "5 de agosto de 2024", "agosto de
    /// 2024", "2024", "entre el 1 de marzo de 2004 y el 27 de julio de 2020".
    pub fn spoken(&self, lang: Lang) -> String {
        match (self.precision, lang) {
            (Precision::Day, _) => spoken_day(self.first, lang),
            (Precision::Month, Lang::Es) => {
                format!("{} de {}", month_name(self.first, lang), self.first.year())
            }
            (Precision::Month, Lang::En) => {
                format!("{} {}", month_name(self.first, lang), self.first.year())
            }
            (Precision::Year, _) => self.first.year().to_string(),
            (Precision::Range, Lang::Es) => format!(
                "entre el {} y el {}",
                spoken_day(self.first, lang),
                spoken_day(self.last, lang)
            ),
            (Precision::Range, Lang::En) => format!(
                "between {} and {}",
                spoken_day(self.first, lang),
                spoken_day(self.last, lang)
            ),
        }
    }
}

/// The earliest year Vigilia accepts in a date (birth dates of elderly detainees included).
pub const MIN_YEAR: i16 = 1900;
/// The latest year Vigilia accepts in a date.
pub const MAX_YEAR: i16 = 2100;

impl PartialDate {
    /// An exact day.
    pub fn day(day: Day) -> Self {
        Self {
            first: day,
            last: day,
            precision: Precision::Day,
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or a range `FROM/TO` of two such dates
    /// (surrounding blanks ignored), in the years a registry's dates fall in
    /// ([`MIN_YEAR`]–[`MAX_YEAR`]).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        Self::parse_within(text, MIN_YEAR..=MAX_YEAR)
    }

    /// The same, in the years given: a list to be matched may hold the births of people long
    /// dead (an archive's, the historical figures of a linkage benchmark), and a birth date
    /// read as missing is evidence lost.
    pub fn parse_within(
        text: &str,
        years: std::ops::RangeInclusive<i16>,
    ) -> Result<Self, DateError> {
        let s = text.trim();
        if let Some((from, to)) = s.split_once('/') {
            let malformed = |_| DateError::Malformed(s.to_string());
            let (from, to) = (
                Self::parse_one(from, &years).map_err(malformed)?,
                Self::parse_one(to, &years).map_err(malformed)?,
            );
            if to.last_day() < from.first_day() {
                return Err(DateError::Malformed(s.to_string()));
            }
            return Ok(Self::between(from.first_day(), to.last_day()));
        }
        Self::parse_one(s, &years)
    }

    /// Somewhere from `first` to `last` (an exact day when they are equal).
    pub fn between(first: Day, last: Day) -> Self {
        let precision = if first == last {
            Precision::Day
        } else {
            Precision::Range
        };
        Self {
            first,
            last,
            precision,
        }
    }

    fn parse_one(text: &str, years: &std::ops::RangeInclusive<i16>) -> Result<Self, DateError> {
        let s = text.trim();
        let malformed = || DateError::Malformed(s.to_string());
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, len: usize| -> Result<i16, DateError> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            p.parse::<i16>().map_err(|_| malformed())
        };
        let (year, month, day, precision) = match parts.as_slice() {
            [y] => (number(y, 4)?, 1, 1, Precision::Year),
            [y, m] => (number(y, 4)?, number(m, 2)?, 1, Precision::Month),
            [y, m, d] => (number(y, 4)?, number(m, 2)?, number(d, 2)?, Precision::Day),
            _ => return Err(malformed()),
        };
        if !years.contains(&year) {
            return Err(DateError::OutOfRange(s.to_string()));
        }
        let first = Day::new(year, month as i8, day as i8)
            .map_err(|_| DateError::Impossible(s.to_string()))?;
        let last = match precision {
            Precision::Month => first.last_of_month(),
            Precision::Year => first.last_of_year(),
            Precision::Day | Precision::Range => first,
        };
        Ok(Self {
            first,
            last,
            precision,
        })
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn is_exact(&self) -> bool {
        self.precision == Precision::Day
    }

    /// The first day the date can be.
    pub fn first_day(&self) -> Day {
        self.first
    }

    /// The last day the date can be.
    pub fn last_day(&self) -> Day {
        self.last
    }

    /// True when every day this date can be comes before every day `other` can be.
    pub fn certainly_before(&self, other: &PartialDate) -> bool {
        self.last_day() < other.first_day()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first;
        match self.precision {
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Precision::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Precision::Year => write!(f, "{:04}", d.year()),
            Precision::Range => write!(f, "{}/{}", self.first, self.last),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An exact day as a person types it (`20/11/2026`, `20/11/26`, or `2026-11-20`; see
/// [`PartialDate::typed`]).
pub fn typed_day(text: &str, today: Day) -> Result<Day, DateError> {
    let d = PartialDate::typed(text, today)?;
    if d.is_exact() {
        Ok(d.first_day())
    } else {
        Err(DateError::Malformed(text.trim().to_string()))
    }
}

/// Parses an exact day `YYYY-MM-DD`, as command-line options take them.
pub fn parse_day(text: &str) -> Result<Day, DateError> {
    let d = PartialDate::parse(text)?;
    if d.is_exact() {
        Ok(d.first_day())
    } else {
        Err(DateError::Malformed(text.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_spoken_as_people_write_them() {
        let say = |t: &str, l| PartialDate::parse(t).unwrap().spoken(l);
        assert_eq!(say("2024-08-05", Lang::Es), "5 de agosto de 2024");
        assert_eq!(say("2024-08-05", Lang::En), "5 August 2024");
        assert_eq!(say("2024-12", Lang::Es), "diciembre de 2024");
        assert_eq!(say("2024-01", Lang::En), "January 2024");
        assert_eq!(say("2019", Lang::Es), "2019");
        assert_eq!(
            say("2004-03/2020-07-27", Lang::Es),
            "entre el 1 de marzo de 2004 y el 27 de julio de 2020"
        );
    }

    #[test]
    fn dates_are_read_as_people_type_them() {
        let today = Day::new(2026, 12, 5).unwrap();
        let read = |t: &str| PartialDate::typed(t, today).map(|d| d.to_string());
        assert_eq!(read("12/03/1985").unwrap(), "1985-03-12");
        assert_eq!(read("3/8/24").unwrap(), "2024-08-03");
        assert_eq!(read("3/8/85").unwrap(), "1985-08-03");
        assert_eq!(read("03-1985").unwrap(), "1985-03");
        assert_eq!(read("5.8.2024").unwrap(), "2024-08-05");
        assert_eq!(read("1985-03-12").unwrap(), "1985-03-12");
        assert_eq!(read("2004-03/2020-07-27").unwrap(), "2004-03-01/2020-07-27");
        assert!(matches!(read("31/02/2024"), Err(DateError::Impossible(t)) if t == "31/02/2024"));
        assert!(read("12/03").is_err());
        assert!(read("ayer").is_err());
        let short = |t: &str, l| PartialDate::parse(t).unwrap().short(l);
        assert_eq!(short("2024-08-05", Lang::Es), "05/08/2024");
        assert_eq!(short("2024-08", Lang::Es), "08/2024");
        assert_eq!(short("2024-08-05", Lang::En), "5 Aug 2024");
    }

    #[test]
    fn keeps_precision_and_bounds() {
        let m = PartialDate::parse("2024-02").unwrap();
        assert_eq!(m.to_string(), "2024-02");
        assert_eq!(m.first_day().to_string(), "2024-02-01");
        assert_eq!(m.last_day().to_string(), "2024-02-29");
        let y = PartialDate::parse(" 2019 ").unwrap();
        assert_eq!(y.last_day().to_string(), "2019-12-31");
        assert_eq!(y.precision(), Precision::Year);
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        assert!(matches!(
            PartialDate::parse("2024-02-31"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            PartialDate::parse("31/02/2024"),
            Err(DateError::Malformed(_))
        ));
        assert!(matches!(
            PartialDate::parse("2024-2-3"),
            Err(DateError::Malformed(_))
        ));
        assert!(matches!(
            PartialDate::parse("1850"),
            Err(DateError::OutOfRange(_))
        ));
        assert!(parse_day("2024-08").is_err());
    }

    #[test]
    fn a_range_is_any_day_between_two_dates() {
        let r = PartialDate::parse("2004-03/2020-07-27").unwrap();
        assert_eq!(r.precision(), Precision::Range);
        assert_eq!(r.first_day().to_string(), "2004-03-01");
        assert_eq!(r.last_day().to_string(), "2020-07-27");
        assert_eq!(r.to_string(), "2004-03-01/2020-07-27");
        assert_eq!(PartialDate::parse(&r.to_string()).unwrap(), r);
        assert!(PartialDate::parse("2020-01-01/2019-01-01").is_err());
        assert_eq!(
            PartialDate::parse("2020-01-05/2020-01-05")
                .unwrap()
                .precision(),
            Precision::Day
        );
    }

    #[test]
    fn certainly_before_respects_uncertainty() {
        let aug = PartialDate::parse("2024-08").unwrap();
        let d15 = PartialDate::parse("2024-08-15").unwrap();
        let sep = PartialDate::parse("2024-09-01").unwrap();
        assert!(!aug.certainly_before(&d15));
        assert!(aug.certainly_before(&sep));
    }
}
