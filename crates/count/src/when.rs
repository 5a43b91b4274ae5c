//! The dates a figure is asked for, as typed (`--as-of`, `--known-on`, `--since`, or the same
//! fields of a web form): read, checked against today, and refused with a message that names
//! the option.

use vigilia_core::date::{DateError, Day, typed_day};
use vigilia_core::fold::KnownOn;
use vigilia_core::lang::{Lang, Localize};

/// A date option that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("--{option}: {error}")]
    Date { option: String, error: DateError },
    #[error("--{option} {day} is after today ({today})")]
    AfterToday {
        option: String,
        day: Day,
        today: Day,
    },
    #[error("--since {since} must be before --as-of {as_of}")]
    SinceNotBefore { since: Day, as_of: Day },
}

impl WhenError {
    /// The form field it is about (`as_of`, `known_on`, `since`).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Date { option, .. } | Self::AfterToday { option, .. } => match option.as_str() {
                "known-on" => "known_on",
                "since" => "since",
                _ => "as_of",
            },
            Self::SinceNotBefore { .. } => "since",
        }
    }
}

impl Localize for WhenError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Date { option, error }, Lang::Es) => {
                format!("--{option}: {}", error.localize(lang))
            }
            (Self::AfterToday { option, day, today }, Lang::Es) => {
                format!("--{option} {day} es posterior a hoy ({today})")
            }
            (Self::SinceNotBefore { since, as_of }, Lang::Es) => {
                format!("--since {since} debe ser anterior a --as-of {as_of}")
            }
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl WhenError {
    /// The mistake as a page says it to a person: the field by its label, days as people write
    /// them (the command line names its options instead).
    pub fn for_people(&self, lang: Lang) -> String {
        use vigilia_core::date::short_day;
        let field = |option: &str| match option {
            "as-of" => lang.pick("Fecha del balance", "Date of the balance"),
            "known-on" => lang.pick("Según lo conocido el", "As known on"),
            "since" => lang.pick("Movimientos posteriores al", "Movements after"),
            _ => lang.pick("Fecha", "Date"),
        };
        match self {
            Self::Date { option, .. } | Self::AfterToday { option, .. } => {
                format!("{}: {}", field(option), self.wrong_day(lang))
            }
            Self::SinceNotBefore { since, as_of } => format!(
                "{}: {} {} ({} {}).",
                field("since"),
                lang.pick("debe ser anterior al", "must be before"),
                short_day(*as_of, lang),
                lang.pick("se escribió el", "it says"),
                short_day(*since, lang),
            ),
        }
    }

    /// What is wrong with a day typed in a form, without the field's label (a page that labels
    /// its fields otherwise puts its own before it).
    pub fn wrong_day(&self, lang: Lang) -> String {
        use vigilia_core::date::short_day;
        match self {
            Self::Date { error, .. } => match error {
                DateError::Malformed(text) => format!(
                    "«{text}» {}",
                    lang.pick(
                        "no es un día: escríbalo como 15/08/2024",
                        "is not a day: write it as 15/08/2024"
                    )
                ),
                DateError::Impossible(text) => format!(
                    "«{text}» {}",
                    lang.pick(
                        "no existe en el calendario",
                        "does not exist in the calendar"
                    )
                ),
                DateError::OutOfRange(text) => format!(
                    "«{text}» {}",
                    lang.pick(
                        "está fuera de los años que el registro cuenta",
                        "is outside the years the registry counts"
                    )
                ),
            },
            Self::AfterToday { day, today, .. } => format!(
                "{} {} ({})",
                short_day(*day, lang),
                lang.pick("es posterior a hoy", "is after today"),
                short_day(*today, lang)
            ),
            Self::SinceNotBefore { .. } => self.localize(lang),
        }
    }
}

/// A date option (`YYYY-MM-DD`, or day first as people type it: `20/11/2026`), not after
/// today; none when not given.
pub fn day_option(option: &str, text: Option<&str>, today: Day) -> Result<Option<Day>, WhenError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let day = typed_day(text, today).map_err(|error| WhenError::Date {
        option: option.to_string(),
        error,
    })?;
    if day > today {
        return Err(WhenError::AfterToday {
            option: option.to_string(),
            day,
            today,
        });
    }
    Ok(Some(day))
}

/// The default start of a balance's period: a week before.
pub fn week_before(day: Day) -> Day {
    day.checked_sub(jiff::Span::new().days(7)).unwrap_or(day)
}

/// The dates a balance is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct When {
    pub as_of: Day,
    pub known_on: KnownOn,
    /// The period's movements are counted in (since, as_of].
    pub since: Day,
}

impl When {
    /// As of today by default, as known now, since a week before `as_of`.
    pub fn parse(
        today: Day,
        as_of: Option<&str>,
        known_on: Option<&str>,
        since: Option<&str>,
    ) -> Result<When, WhenError> {
        let as_of = day_option("as-of", as_of, today)?.unwrap_or(today);
        let known_on = KnownOn(day_option("known-on", known_on, today)?);
        let since = match since.map(str::trim).filter(|t| !t.is_empty()) {
            None => week_before(as_of),
            Some(text) => typed_day(text, today).map_err(|error| WhenError::Date {
                option: "since".into(),
                error,
            })?,
        };
        if since >= as_of {
            return Err(WhenError::SinceNotBefore { since, as_of });
        }
        Ok(When {
            as_of,
            known_on,
            since,
        })
    }
}
