//! A form's errors, field by field: what is wrong with what was typed, said by
//! [`crate::messages`].

use std::collections::BTreeMap;

use vigilia_core::date::{DateError, Day, PartialDate};

/// The longest one-line field.
pub const LINE: usize = 200;

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A date the form needs is missing.
    WhenMissing,
    BadDate(DateError),
    DateAfterToday {
        date: PartialDate,
        today: Day,
    },
    TooLong {
        max: usize,
    },
    ChooseWhatHappened,
    ChooseHowItEnded,
    EndBeforeArrest,
    /// A range whose end comes before its start.
    RangeReversed,
    ChooseDecision,
    BadCategory,
    ExplainDecision,
    BadNationalId(vigilia_core::national_id::NationalIdError),
    ChooseAnOption,
    /// More marks over one letter than accents make, or a letter struck through
    /// (`vigilia_core::text::marks_fit`).
    Marks,
    /// Not one of the values a form's list offers (as a file writes them).
    OneOf(Vec<&'static str>),
    /// Not a state of the registry's country profile.
    NotAState(String),
    /// Not a whole number of people (1 or more).
    NotACount,
    /// A publication's movements not of the week before its date: a shorter period, or one a
    /// day longer than another's, dates a single release or death.
    NotTheWeek {
        first: Day,
    },
    /// A publication "as known on" a past day: the public is told what is known when it is
    /// published.
    PublishedAsKnownNow,
    /// A publication dated a few days from another: subtracting the two dates a release.
    TooCloseToPublished {
        number: u64,
        as_of: Day,
    },
    /// A publication, list or release dated a few days from a certified list.
    TooCloseToCertified {
        version: u64,
        as_of: Day,
    },
    /// A publication, list, release or estimate off the week of a published estimate.
    TooCloseToEstimate {
        version: u64,
        as_of: Day,
    },
    /// A publication, list or release dated a few days from an open-data release.
    TooCloseToReleased {
        version: u64,
        as_of: Day,
    },
    /// The same figures for the same day already published, with another note.
    AlreadyPublished {
        number: u64,
    },
    /// A second publication of one date, with no note saying what it corrects.
    CorrectionWithoutNote {
        number: u64,
    },
    /// A second publication of one date, with the note of publication `number` of that date.
    CorrectionSameNote {
        number: u64,
    },
    /// Fewer people than a group already has identified.
    CountTooSmall {
        at_least: u32,
    },
    /// Neither a name, a surname nor a cédula of the person detained.
    NoOneNamed,
    /// A row of a file with another number of cells than its header: a comma too many or too
    /// few moves every cell after it into the next column.
    Width {
        expected: usize,
        found: usize,
    },
    /// A name with characters no name has (digits, signs): letters, spaces, apostrophes, dots
    /// and hyphens only.
    NotAName,
    /// A line of the other people named that has neither a name nor a cédula to read (its
    /// number, from 1), or whose cédula cannot be read.
    OtherLine {
        line: usize,
    },
    /// More people named than the report says were detained.
    FewerThanNamed {
        named: u32,
    },
    /// More lines of other people than a report takes.
    TooManyNamed {
        max: usize,
    },
    /// The report does not say when the arrest was.
    WhenArrested,
    ChooseConsent,
    /// Two records merged had different consents: which one stands.
    ChooseWhichConsent,
    /// A decision recorded without saying why.
    SayWhy,
    /// "Only these states" with none ticked.
    ChooseStates,
    /// A link that is not a web address (`javascript:`, `data:`).
    NotALink,
    /// A file that is not kept (too large, not a photo or a PDF), and why.
    FileRefused(vigilia_core::attachment::AttachmentError),
    /// A source with neither a title, a link nor a file.
    NoSource,
    /// A form that says nothing to record (no charge, no court, no measure ticked).
    NothingToRecord,
    /// A correction that changes nothing of what is recorded.
    NothingChanged,
    /// A correction of a person's data sent from a form opened before another correction.
    ChangedMeanwhile,
    /// A rank for a person recorded as a civilian.
    RankOfCivilian,
    /// A cédula already another person's: that person, when the account may see them all.
    NationalIdTaken {
        person: Option<u64>,
    },
    /// A birth date that makes a person `years` old at an arrest (under 10, over 110).
    AgeAtArrest {
        arrested: PartialDate,
        years: i16,
    },
    /// Not a whole number of days between 1 and `max`.
    NotADayCount {
        max: u32,
    },
    /// Not a whole number (of people, of places).
    NotANumber,
    /// A place of detention the register does not have.
    NotAPlace(String),
    /// A place whose name is another place's already.
    PlaceExists(String),
    /// Days between presentations typed, but "periodic presentation" not ticked.
    TickPresentation,
    /// Measures recorded with none ticked or written.
    TickAMeasure,
    /// Measures lifted that are not in force on that day.
    NotInForce,
    /// A step dated before the arrest.
    BeforeArrest,
    /// An observation without what was observed.
    WriteObservation,
    /// A hearing deferred without saying why.
    SayWhyDeferred,
    /// A consent that publishes more than the one in force, typed by someone who is not a
    /// coordinator.
    RaiseByCoordinator,
    /// Not a whole number from `min` to `max`.
    OutOfRange {
        min: u64,
        max: u64,
    },
}

/// The problems of a form, at most one per field, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, Problem>);

impl FieldErrors {
    /// Notes a problem with `field` (the first one found stays).
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.entry(field).or_insert(problem);
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Problem)> {
        self.0.iter().map(|(f, p)| (*f, p))
    }

    /// Ok when nothing was found wrong.
    pub fn check(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// A date typed in a form as people type them (`12/03/1985`, `3/8/24`, `03/1985`, `1985`,
    /// or `1985-03-12`), not after today; `None` when empty or wrong (and then the problem is
    /// noted).
    pub fn date(&mut self, field: &'static str, text: &str, today: Day) -> Option<PartialDate> {
        let t = vigilia_core::text::known(text)?;
        match PartialDate::typed(t, today) {
            Ok(date) if date.first_day() > today => {
                self.add(field, Problem::DateAfterToday { date, today });
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.add(field, Problem::BadDate(e));
                None
            }
        }
    }

    /// A date the form needs that may be ahead of today (a hearing set for next week).
    pub fn any_date(&mut self, field: &'static str, text: &str, today: Day) -> Option<PartialDate> {
        let Some(t) = non_empty(text) else {
            self.add(field, Problem::WhenMissing);
            return None;
        };
        match PartialDate::typed(t, today) {
            Ok(d) => Some(d),
            Err(e) => {
                self.add(field, Problem::BadDate(e));
                None
            }
        }
    }

    /// A date the form needs: as [`FieldErrors::date`], and noted as missing when empty.
    pub fn required_date(
        &mut self,
        field: &'static str,
        text: &str,
        today: Day,
    ) -> Option<PartialDate> {
        let date = self.date(field, text, today);
        if date.is_none() && !self.has(field) {
            self.add(field, Problem::WhenMissing);
        }
        date
    }

    /// A cédula as people write it (`V-12.345.678`, `v12345678`); `None` when empty or wrong
    /// (and then the problem is noted).
    pub fn national_id(
        &mut self,
        field: &'static str,
        text: &str,
    ) -> Option<vigilia_core::national_id::NationalId> {
        let t = vigilia_core::text::known(text)?;
        match vigilia_core::national_id::NationalId::parse(t) {
            Ok(n) => Some(n),
            Err(err) => {
                self.add(field, Problem::BadNationalId(err));
                None
            }
        }
    }

    /// A sex as a form's list sends it: `F`, `M`, `X`, or empty when not known.
    pub fn sex(&mut self, field: &'static str, text: &str) -> Option<vigilia_core::model::Sex> {
        use vigilia_core::model::Sex;
        match text.trim() {
            "F" => Some(Sex::F),
            "M" => Some(Sex::M),
            "X" => Some(Sex::X),
            "" => None,
            _ => {
                self.add(field, Problem::ChooseAnOption);
                None
            }
        }
    }

    /// A link typed in a form: a web address (`https://`, `http://`), nothing else; `None`
    /// when empty.
    pub fn link(&mut self, field: &'static str, text: &str) -> Option<String> {
        let link = self.line(field, text)?;
        if !(link.starts_with("https://") || link.starts_with("http://")) {
            self.add(field, Problem::NotALink);
        }
        Some(link)
    }

    /// A person's name or surname: a line of letters (any accent), spaces, apostrophes, dots
    /// and hyphens (`María José`, `D'Amico`, `Pérez-Rojas`); `None` when empty.
    pub fn name(&mut self, field: &'static str, text: &str) -> Option<String> {
        let name = self.line(field, text)?;
        if !is_name(&name) {
            self.add(field, Problem::NotAName);
        }
        Some(name)
    }

    /// A one-line field of at most [`LINE`] characters, as it shows ([`one_line`]); `None`
    /// when empty or when it only says that the value is not known («No se sabe», «N/D»:
    /// [`vigilia_core::text::says_unknown`]), so that no place, agency or name is called so.
    pub fn line(&mut self, field: &'static str, text: &str) -> Option<String> {
        let line = one_line(text);
        let t = vigilia_core::text::known(&line)?;
        if t.chars().count() > LINE {
            self.add(field, Problem::TooLong { max: LINE });
        } else if !vigilia_core::text::marks_fit(t) {
            self.add(field, Problem::Marks);
        }
        Some(t.to_string())
    }
}

/// The text without surrounding blanks, or `None` when nothing is left.
pub fn non_empty(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// A one-line field (a name, a place, a court) as pasted from a messaging app or a word
/// processor, as it shows: its other spaces (no-break, thin, a tab, a line break) as plain
/// spaces, a run of them as one, and the characters that show nothing or are not text left out
/// (a zero-width space, a soft hyphen, a byte-order mark, a direction override that would show
/// `El Helicoide` for what is stored backwards, an escape). A name refused for them was told
/// «letters and spaces only» of what shows as letters and spaces; a line break in a field of
/// one line made the registry's own export a file it refused.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if vigilia_core::text::invisible(c) || vigilia_core::text::not_text(c) {
            continue;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().to_string()
}

/// Whether text reads as a name: letters with their marks, of any script (the vowel signs of
/// `श्रीमती` or `ကျော်` are marks, not letters), spaces, apostrophes, dots, hyphens and the
/// Catalan middle dot (`Marinel·lo`), with at least one letter.
pub fn is_name(text: &str) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    let signs = |c: char| matches!(c, '-' | '\'' | '’' | '·');
    vigilia_core::text::marks_fit(text)
        && text.chars().any(char::is_alphabetic)
        && text
            .split(' ')
            .all(|w| !w.starts_with(signs) && !w.ends_with(signs))
        && text.chars().all(|c| {
            c.is_alphabetic()
                || c.general_category_group() == GeneralCategoryGroup::Mark
                || matches!(c, ' ' | '\'' | '’' | '.' | '-' | '·')
        })
}

#[cfg(test)]
mod tests {
    use super::{is_name, one_line};

    #[test]
    fn a_name_is_what_shows_and_carries_its_accents_not_a_stack_of_them() {
        assert!(
            is_name("María José") && is_name("Pe\u{301}rez") && is_name("Nguyê\u{302}\u{301}n")
        );
        // Names of every script, and the Catalan middle dot (the real Catalonia list).
        for name in ["श्रीमती", "ကျော် ဖြိုး", "தமிழ்செல்வி", "Marinel·lo", "NEL·LO"]
        {
            assert!(is_name(name), "{name}");
        }
        assert!(!is_name("·Ana") && !is_name("Ana 123"));
        assert!(!is_name(&format!("Ana{}", "\u{301}".repeat(150))));
        assert!(!is_name(&format!("Ana{}", "\u{1dda}".repeat(20))));
        assert!(!is_name("A\u{336}n\u{336}a\u{336}"));
        // Any one-line field (a place's name, a court), not only names.
        let mut e = super::FieldErrors::default();
        assert!(e.line("facility", "Rodeo I").is_some() && e.is_empty());
        e.line("facility", "R\u{336}o\u{336}d\u{336}e\u{336}o\u{336} I");
        assert!(!e.is_empty());
        assert_eq!(
            one_line("Ana\u{a0}\u{a0}Mar\u{ad}ía\u{200b}\u{3164}\t\u{202e}Gómez\n"),
            "Ana María Gómez"
        );
    }
}
