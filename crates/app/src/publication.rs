//! Publication: a balance stored as published, with the ledger position it was computed at
//! and its figures byte for byte, so that it can be reproduced and compared later.

use vigilia_core::fact::{Change, Draft, Publication};
use vigilia_core::fold::{KnownOn, PublishedBalance, Record};
use vigilia_core::ids::{Kind, PublicationId};
use vigilia_count::Balance;
use vigilia_count::when::When;
use vigilia_ledger::Tx;

use crate::error::AppError;
use crate::fields::Problem;

/// The longest note a publication carries.
pub const NOTE_MAX: usize = 2_000;

/// Publishes `b`, computed for `when`: a balance as of a day not after today, as known now,
/// with the movements of the week before it, on the day of the week of what is already public
/// (see [`too_close_to`]; or on the same date, correcting it, with a note that says how). Refused when the registry changed between the
/// count and this transaction (the figures would not be those of the position recorded):
/// count again. Every check runs in the write's transaction.
pub fn publish(
    tx: &mut Tx<'_>,
    actor: &crate::actor::Actor,
    b: &Balance,
    when: &When,
    note: Option<&str>,
) -> Result<PublicationId, AppError> {
    let actor =
        &crate::actor::acting_as(tx, actor, &[vigilia_core::model::Role::Coordinator])?.name;
    let note = public_note(note);
    let note = note.as_deref();
    let mut errors = crate::fields::FieldErrors::default();
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        errors.add("note", Problem::TooLong { max: NOTE_MAX });
    }
    let today = tx.today()?;
    if when.as_of > today {
        let date = vigilia_core::date::PartialDate::day(when.as_of);
        errors.add("as_of", Problem::DateAfterToday { date, today });
    }
    // The public sees the week's movements: a shorter period, or two periods a day apart,
    // would date a single release or death.
    let week = vigilia_count::when::week_before(when.as_of);
    if when.since != week {
        let first = week.tomorrow().unwrap_or(week);
        errors.add("since", Problem::NotTheWeek { first });
    }
    if when.known_on != KnownOn::NOW {
        errors.add("known_on", Problem::PublishedAsKnownNow);
    }
    let withheld_below = small_cells_tx(tx)?;
    let mut published = Vec::new();
    tx.fold_all(Kind::Publication, KnownOn::NOW, &mut |r| {
        if let Record::Publication(p) = r {
            published.push(p);
        }
    })?;
    let signed = match tx.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => signed_days(r),
        _ => Vec::new(),
    };
    let standing = standing(&published, &signed, b, when, note, withheld_below);
    // Before the registry's position is compared: the publication a second click made moved
    // it, and the second click is that publication.
    if let Some(id) = standing.already.filter(|_| errors.is_empty()) {
        return Ok(PublicationId(id));
    }
    let head = tx.content()?;
    if errors.is_empty() && head.hash.to_string() != b.ledger_head {
        return Err(AppError::CountedBeforeAChange);
    }
    if let Some(number) = standing.republished {
        errors.add("note", Problem::AlreadyPublished { number });
    }
    if let Some((made, as_of)) = standing.close {
        errors.add("as_of", made.too_close(as_of));
    }
    // A note already published with this date (the form of the first sent again after the
    // registry changed) does not say what this one corrects; nor does one that reads the same
    // (the page shows runs of spaces as one).
    let words = |n: &str| n.split_whitespace().collect::<Vec<_>>().join(" ");
    let said_before = |n: &str| {
        (published.iter())
            .filter(|p| p.publication.as_of == when.as_of)
            .find(|p| p.publication.note.as_deref().map(words) == Some(words(n)))
            .map(|p| p.id)
    };
    if let Some(number) = standing.corrects {
        match note {
            None => errors.add("note", Problem::CorrectionWithoutNote { number }),
            Some(n) => {
                if let Some(earlier) = said_before(n) {
                    errors.add("note", Problem::CorrectionSameNote { number: earlier });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let publication = Publication {
        rules: b.rules.to_string(),
        as_of: when.as_of,
        known_on: when.known_on.0,
        since: when.since,
        ledger_seq: head.facts,
        ledger_head: head.hash.to_string(),
        figures: b.to_json(),
        note: note.map(str::to_string),
        withheld_below: Some(withheld_below),
    };
    let id = PublicationId(tx.new_id(Kind::Publication));
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: actor.to_string(),
        subject: id.into(),
        change: Change::BalancePublished(publication),
        sources: vec![],
    })?;
    Ok(id)
}

/// How a balance about to be published stands beside the publications already made.
#[derive(Debug, Default, PartialEq)]
pub struct Standing {
    /// A publication of the same figures, dates, rules and note: publishing again (a second
    /// click, the page sent again) is that publication.
    pub already: Option<u64>,
    /// A publication of the same figures, dates and rules with another note: refused rather
    /// than the note lost.
    pub republished: Option<u64>,
    /// A publication or an open-data release a few days from this date, and its date: refused,
    /// for subtracting the two would date a release or a death.
    pub close: Option<(Made, vigilia_core::date::Day)>,
    /// A publication of the same date with other figures: this one corrects it, and says in
    /// its note what it corrects (both stay in the public list).
    pub corrects: Option<u64>,
}

/// A publication's note as the public reads it: trimmed, without the characters a reader does
/// not see but that change how it reads or make an empty note look written (control and format
/// characters, direction marks among them, other than line breaks and tabs; line and paragraph
/// separators; the other characters Unicode says to ignore when not supported: fillers and
/// variation selectors; the blank Braille pattern and noncharacters); none when nothing is
/// left.
fn public_note(note: Option<&str>) -> Option<String> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let hidden = |c: char| match c.general_category() {
        GeneralCategory::Control => c != '\n' && c != '\t',
        GeneralCategory::Format
        | GeneralCategory::LineSeparator
        | GeneralCategory::ParagraphSeparator => true,
        _ => {
            matches!(
                c,
                '\u{034F}'
                    | '\u{115F}'
                    | '\u{1160}'
                    | '\u{17B4}'
                    | '\u{17B5}'
                    | '\u{180B}'..='\u{180F}'
                    | '\u{3164}'
                    | '\u{FE00}'..='\u{FE0F}'
                    | '\u{FFA0}'
                    | '\u{2800}'
                    | '\u{FDD0}'..='\u{FDEF}'
                    | '\u{E0000}'..='\u{E0FFF}'
            ) || (c as u32) & 0xFFFE == 0xFFFE
        }
    };
    let note: String = note?.chars().filter(|c| !hidden(*c)).collect();
    let note = note.trim();
    (!note.is_empty()).then(|| note.to_string())
}

/// What made a day's figures public: a published balance (its number), a certified list, an
/// open-data release or an estimate (its version). Any, subtracted from another a few days
/// away, would date a release, a death or an arrest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    Balance(u64),
    Certified(u64),
    Release(u64),
    Estimate(u64),
}

impl Made {
    /// The problem of a date too close to this one, `as_of`.
    pub fn too_close(self, as_of: vigilia_core::date::Day) -> Problem {
        match self {
            Made::Balance(number) => Problem::TooCloseToPublished { number, as_of },
            Made::Certified(version) => Problem::TooCloseToCertified { version, as_of },
            Made::Release(version) => Problem::TooCloseToReleased { version, as_of },
            Made::Estimate(version) => Problem::TooCloseToEstimate { version, as_of },
        }
    }
}

/// The days of the certified lists, open-data releases and estimates made, as [`Made`], from
/// the registry's record.
pub fn signed_days(r: &vigilia_core::fold::RegistryRecord) -> Vec<(Made, vigilia_core::date::Day)> {
    (r.certified
        .iter()
        .map(|c| (Made::Certified(c.version), c.as_of)))
    .chain(
        r.released
            .iter()
            .map(|x| (Made::Release(x.version), x.as_of)),
    )
    .chain(
        r.estimates
            .iter()
            .map(|e| (Made::Estimate(e.version), e.as_of)),
    )
    .collect()
}

/// [`signed_days`] of the registry as committed.
pub fn signed_days_of(
    ledger: &mut vigilia_ledger::Ledger,
) -> Result<Vec<(Made, vigilia_core::date::Day)>, AppError> {
    Ok(match ledger.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => signed_days(&r),
        _ => Vec::new(),
    })
}

/// Every day made public: the publications', and the certified lists', releases' and estimates'
/// (`signed`).
fn public_days<'a>(
    published: &'a [PublishedBalance],
    signed: &'a [(Made, vigilia_core::date::Day)],
) -> impl Iterator<Item = (Made, vigilia_core::date::Day)> + 'a {
    (published.iter())
        .map(|p| (Made::Balance(p.id), p.publication.as_of))
        .chain(signed.iter().copied())
}

/// What made public a day that `as_of` is off the week of, if any: what [`publish`],
/// [`crate::certify::certify`] and [`crate::release::release`] refuse. Two public figures
/// subtracted give the movements between their days, and each comes with its weeks back from
/// its day (the public page's chart, a release's series): unless both days fall on the same
/// day of the week, some two of those are fewer than 7 days apart and would date a release or
/// a death. So a date is refused unless it is whole weeks from the latest day made public
/// (the same day is a correction) and from every other day within a week of it (a registry
/// whose earlier publications fell on other days of the week is not locked by them).
pub fn too_close_to(
    published: &[PublishedBalance],
    signed: &[(Made, vigilia_core::date::Day)],
    as_of: vigilia_core::date::Day,
) -> Option<(Made, vigilia_core::date::Day)> {
    let latest = public_days(published, signed).max_by_key(|(_, day)| *day);
    latest
        .filter(|(_, day)| !whole_weeks(*day, as_of))
        .or_else(|| {
            public_days(published, signed)
                .filter(|(_, day)| too_close(*day, as_of))
                .max_by_key(|(_, day)| *day)
        })
}

/// The last day figures were made public: a balance published, a list certified, data
/// released, an estimate (as known on the day it was published unless it says another). What
/// the registry knew before it is public: an import may not record anything as known on an
/// earlier day. Read in the import's transaction, so that a publication made meanwhile counts.
pub fn last_public_day(tx: &mut Tx<'_>) -> Result<Option<vigilia_core::date::Day>, AppError> {
    let mut days = Vec::new();
    tx.fold_all(Kind::Publication, KnownOn::NOW, &mut |r| {
        if let Record::Publication(p) = r {
            days.push(p.published_on);
        }
    })?;
    if let Some(Record::Registry(r)) = tx.get(vigilia_core::ids::Subject::REGISTRY)? {
        let signed = r.certified.iter().chain(&r.released);
        days.extend(signed.map(|s| s.made_on.unwrap_or(s.as_of)));
        days.extend(r.estimates.iter().map(|e| e.known_on.unwrap_or(e.as_of)));
    }
    Ok(days.into_iter().max())
}

/// Whether a fact dated as recorded on `day` would change what the registry said it knew on a
/// day already made public (`published`, the last): any day before it, or that day itself once
/// it has ended (`today` is later).
pub fn recorded_too_early(
    day: vigilia_core::date::Day,
    published: vigilia_core::date::Day,
    today: vigilia_core::date::Day,
) -> bool {
    day < published || (day == published && day < today)
}

/// Refuses a certified list, a release or an estimate of `as_of` off the week of what is
/// already public ([`too_close_to`]). (Read before the files are made; the registry's position
/// is checked again when they are written, so anything made public meanwhile refuses them.)
pub fn far_enough(
    ledger: &mut vigilia_ledger::Ledger,
    as_of: vigilia_core::date::Day,
) -> Result<(), AppError> {
    let published = crate::counting::publications(ledger)?;
    let signed = signed_days_of(ledger)?;
    match too_close_to(&published, &signed, as_of) {
        Some((made, day)) => {
            let mut errors = crate::fields::FieldErrors::default();
            errors.add("as_of", made.too_close(day));
            Err(AppError::Invalid(errors))
        }
        None => Ok(()),
    }
}

/// How `b`, counted for `when`, stands beside `published` and `signed` (the latest
/// publication wherever several apply): what [`publish`] checks in its transaction, and what
/// the preview says before a note is written.
pub fn standing(
    published: &[PublishedBalance],
    signed: &[(Made, vigilia_core::date::Day)],
    b: &Balance,
    when: &When,
    note: Option<&str>,
    withheld_below: u64,
) -> Standing {
    let figures = b.to_json();
    let note = public_note(note);
    let note = note.as_deref();
    let mut s = Standing {
        close: too_close_to(published, signed, when.as_of),
        ..Standing::default()
    };
    let latest = |kept: Option<u64>, id: u64| kept.is_none_or(|k| id > k);
    for p in published {
        let q = &p.publication;
        if q.as_of == when.as_of && latest(s.corrects, p.id) {
            s.corrects = Some(p.id);
        }
        let same = (q.as_of, q.known_on, q.since, q.withheld_below)
            == (
                when.as_of,
                when.known_on.0,
                when.since,
                Some(withheld_below),
            )
            && q.rules == b.rules
            && same_figures(&q.figures, &figures);
        if !same {
            continue;
        }
        let kept = match q.note.as_deref() == note {
            true => &mut s.already,
            false => &mut s.republished,
        };
        if latest(*kept, p.id) {
            *kept = Some(p.id);
        }
    }
    if s.already.or(s.republished).is_some() {
        s.corrects = None;
    }
    s
}

/// The dates nearest `as_of` that a publication may have, one before it and one after: nothing
/// public on them yet, and not refused by [`too_close_to`] (the preview offers them when a date
/// is refused). At most a year each way.
pub fn free_dates(
    published: &[PublishedBalance],
    signed: &[(Made, vigilia_core::date::Day)],
    as_of: vigilia_core::date::Day,
) -> (
    Option<vigilia_core::date::Day>,
    Option<vigilia_core::date::Day>,
) {
    let free = |d: &vigilia_core::date::Day| {
        !public_days(published, signed).any(|(_, day)| day == *d)
            && too_close_to(published, signed, *d).is_none()
    };
    let step = |days: i64| {
        (1..=366)
            .filter_map(move |n| as_of.checked_add(jiff::Span::new().days(n * days)).ok())
            .find(free)
    };
    (step(-1), step(1))
}

/// Whether two publications' dates are too close: 1 to 6 days apart, subtracting the two
/// would date a release or a death (the same date again is a correction).
pub fn too_close(a: vigilia_core::date::Day, b: vigilia_core::date::Day) -> bool {
    (1..7).contains(&days_apart(a, b))
}

/// Whether two days are the same day of the week (or the same day).
fn whole_weeks(a: vigilia_core::date::Day, b: vigilia_core::date::Day) -> bool {
    days_apart(a, b) % 7 == 0
}

fn days_apart(a: vigilia_core::date::Day, b: vigilia_core::date::Day) -> i32 {
    (a.since(b).map(|s| s.get_days().abs())).unwrap_or(0)
}

/// Whether two balances' figures say the same, leaving aside the ledger head they were counted
/// at (which a publication moves).
pub fn same_figures(a: &str, b: &str) -> bool {
    let figures = |json: &str| {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("ledger_head");
        }
        v
    };
    figures(a) == figures(b)
}

/// The smallest count the public breakdowns name: the organisation's setting, or 3.
pub fn small_cells(ledger: &mut vigilia_ledger::Ledger) -> Result<u64, AppError> {
    Ok(match ledger.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => r.small_cells,
        _ => None,
    }
    .unwrap_or(vigilia_count::disclosure::SMALLEST_SHOWN))
}

fn small_cells_tx(tx: &mut Tx<'_>) -> Result<u64, AppError> {
    Ok(match tx.get(vigilia_core::ids::Subject::REGISTRY)? {
        Some(Record::Registry(r)) => r.small_cells,
        _ => None,
    }
    .unwrap_or(vigilia_count::disclosure::SMALLEST_SHOWN))
}

/// The fewest people a public breakdown may name.
pub const SMALL_CELLS_RANGE: std::ops::RangeInclusive<u64> = 2..=50;

/// Sets the smallest count the public breakdowns name from now on (coordinators): 2 to 50.
/// Each publication keeps the one it was made with, so a balance published before reads the
/// same.
pub fn set_small_cells(
    tx: &mut Tx<'_>,
    actor: &crate::actor::Actor,
    below: u64,
) -> Result<(), AppError> {
    let actor = crate::actor::acting_as(tx, actor, &[vigilia_core::model::Role::Coordinator])?;
    if !SMALL_CELLS_RANGE.contains(&below) {
        let mut errors = crate::fields::FieldErrors::default();
        errors.add(
            "small_cells",
            crate::fields::Problem::OutOfRange {
                min: *SMALL_CELLS_RANGE.start(),
                max: *SMALL_CELLS_RANGE.end(),
            },
        );
        return Err(AppError::Invalid(errors));
    }
    crate::records::record(
        tx,
        &actor,
        vigilia_core::ids::Subject::REGISTRY,
        Change::SmallCellsSet { below },
    )
}
