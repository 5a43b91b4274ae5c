//! Vigilia's counting engine: the rules of `foro-penal-1` (DESIGN.md, "Counting rules").
//!
//! This is the start of it: the stock at a date (held, political prisoners, under study) and
//! cumulative political detentions, each as a pair of bounds — certain (lower) and possible
//! (upper) — so that dates known only to the month or the year are never silently rounded.
//! Balances, periods, breakdowns and series build on these rules.

use vigilia_core::date::{Day, PartialDate};
use vigilia_core::model::{Detention, RecognitionStatus};

/// A figure as bounds: equal when every date behind it is exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    /// Counted for certain.
    pub lower: u64,
    /// Counted if every uncertain date falls the way that counts it.
    pub upper: u64,
}

impl Bounds {
    fn add(&mut self, certain: bool, possible: bool) {
        self.lower += u64::from(certain);
        self.upper += u64::from(possible);
    }
}

/// The stock at one date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stock {
    /// Recognised detentions still in custody at D (house arrest and whereabouts unknown included).
    pub held: Bounds,
    /// Held at D, recognised, and held at least 48 hours (arrest + 2 ≤ D).
    pub political_prisoners: Bounds,
    /// Held at D while the recognition is still under study.
    pub under_study: Bounds,
    /// Recognised detentions with arrest date ≤ D.
    pub cumulative_political_detentions: Bounds,
}

/// Whether a date that may be any day of `date` is on or before `day`: (certainly, possibly).
fn on_or_before(date: &PartialDate, day: Day) -> (bool, bool) {
    (date.last_day() <= day, date.first_day() <= day)
}

/// Whether a detention was held at `day`: (certainly, possibly).
pub fn held_at(d: &Detention, day: Day) -> (bool, bool) {
    let (arrested_certain, arrested_possible) = on_or_before(&d.arrest.date, day);
    let (ended_certain, ended_possible) = match &d.end {
        None => (false, false),
        Some(end) => on_or_before(&end.date, day),
    };
    (
        arrested_certain && !ended_possible,
        arrested_possible && !ended_certain,
    )
}

/// Whether a detention held at `day` had lasted the 48 hours that make a prisoner: (certainly, possibly).
fn lasted_48_hours(d: &Detention, day: Day) -> (bool, bool) {
    let plus2 = |x: Day| x.checked_add(jiff::Span::new().days(2)).ok();
    let certain = plus2(d.arrest.date.last_day()).is_some_and(|x| x <= day);
    let possible = plus2(d.arrest.date.first_day()).is_some_and(|x| x <= day);
    (certain, possible)
}

/// Counts the stock at `day` over detentions as they are known (fold them as known on K first
/// for "as known on").
pub fn stock<'a>(detentions: impl IntoIterator<Item = &'a Detention>, day: Day) -> Stock {
    let mut s = Stock::default();
    for d in detentions {
        let status = d.recognition.as_ref().map(|r| r.status);
        let (held_c, held_p) = held_at(d, day);
        match status {
            Some(RecognitionStatus::Recognised) => {
                let (arr_c, arr_p) = on_or_before(&d.arrest.date, day);
                s.cumulative_political_detentions.add(arr_c, arr_p);
                s.held.add(held_c, held_p);
                let (l_c, l_p) = lasted_48_hours(d, day);
                s.political_prisoners.add(held_c && l_c, held_p && l_p);
            }
            Some(RecognitionStatus::UnderStudy) => s.under_study.add(held_c, held_p),
            Some(RecognitionStatus::NotRecognised) | None => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigilia_core::ids::{DetentionId, PersonId};
    use vigilia_core::model::{Arrest, End, EndType, Recognition};

    fn det(arrest: &str, end: Option<&str>, status: RecognitionStatus) -> Detention {
        Detention {
            id: DetentionId(1),
            person: PersonId(1),
            reference: None,
            arrest: Arrest {
                date: PartialDate::parse(arrest).unwrap(),
                state: None,
                municipality: None,
                agency: None,
                circumstances: None,
                context: vec![],
            },
            steps: vec![],
            end: end.map(|e| End {
                date: PartialDate::parse(e).unwrap(),
                kind: EndType::Released,
            }),
            recognition: Some(Recognition {
                status,
                category: None,
                reviewer: None,
                reason: None,
                criteria: vec![],
            }),
            group: None,
            previous: None,
            notes: None,
            recorded_on: "2024-01-01".parse().unwrap(),
            end_recorded_on: None,
        }
    }

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn a_prisoner_is_held_and_has_lasted_48_hours() {
        let r = RecognitionStatus::Recognised;
        let ds = [
            det("2024-08-01", None, r),               // prisoner on 08-10
            det("2024-08-09", None, r),               // held, not yet 48 h on 08-10
            det("2024-08-01", Some("2024-08-10"), r), // ended on D: not held
            det("2024-08-01", Some("2024-08-03"), r), // ended before
            det("2024-08-05", None, RecognitionStatus::UnderStudy),
            det("2024-08-05", None, RecognitionStatus::NotRecognised),
        ];
        let s = stock(&ds, day("2024-08-10"));
        assert_eq!(s.held, Bounds { lower: 2, upper: 2 });
        assert_eq!(s.political_prisoners, Bounds { lower: 1, upper: 1 });
        assert_eq!(s.under_study, Bounds { lower: 1, upper: 1 });
        assert_eq!(
            s.cumulative_political_detentions,
            Bounds { lower: 4, upper: 4 }
        );
    }

    #[test]
    fn month_precision_gives_bounds_not_guesses() {
        let r = RecognitionStatus::Recognised;
        // Arrested some day in August 2024, released 2024-08-20.
        let ds = [det("2024-08", Some("2024-08-20"), r)];
        let s = stock(&ds, day("2024-08-15"));
        assert_eq!(s.held, Bounds { lower: 0, upper: 1 });
        let s = stock(&ds, day("2024-08-25"));
        assert_eq!(s.held, Bounds { lower: 0, upper: 0 });
        let s = stock(&ds, day("2024-09-01"));
        assert_eq!(
            s.cumulative_political_detentions,
            Bounds { lower: 1, upper: 1 }
        );
    }
}
