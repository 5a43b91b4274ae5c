//! The rules of foro-penal-1 on small, hand-made histories whose figures can be counted by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use vigilia_core::date::PartialDate;
use vigilia_core::fold::KnownOn;
use vigilia_core::model::{Custody, Dated, EndType, RecognitionStatus, Sex, Step};
use vigilia_count::{Dim, Index, balance};

mod common;
use common::{Registry, day};

const R: RecognitionStatus = RecognitionStatus::Recognised;

/// Every row of a series equals the balance at its date, with the period the step before.
fn assert_series_equals_balance(index: &Index, rows: &[vigilia_count::series::Step], back: i64) {
    for row in rows {
        let d = day(&row.date);
        let b = balance(
            index,
            d,
            KnownOn::NOW,
            d.checked_sub(jiff::Span::new().days(back)).unwrap(),
        );
        let date = &row.date;
        assert_eq!(
            row.political_prisoners_lower, b.political_prisoners.lower,
            "{date}"
        );
        assert_eq!(
            row.political_prisoners_upper, b.political_prisoners.upper,
            "{date}"
        );
        assert_eq!(row.held, b.held.lower, "{date}");
        assert_eq!(
            row.political_detentions, b.period.political_detentions,
            "{date}"
        );
        assert_eq!(row.releases, b.period.releases, "{date}");
        assert_eq!(row.prisoner_releases, b.period.prisoner_releases, "{date}");
        assert_eq!(row.deaths, b.period.deaths, "{date}");
    }
}

#[test]
fn a_prisoner_is_a_recognised_detention_held_at_least_48_hours() {
    let mut r = Registry::new();
    r.detention(Sex::M, "2024-08-01", "2024-08-01", R, vec![]); // prisoner on 08-10
    r.detention(Sex::F, "2024-08-09", "2024-08-09", R, vec![]); // held, not 48 h yet
    let i = r.detention(Sex::M, "2024-08-01", "2024-08-01", R, vec![]);
    r.end(i, "2024-08-10", EndType::Released, "2024-08-10"); // ended on D: not held
    let i = r.detention(Sex::M, "2024-08-05", "2024-08-05", R, vec![]);
    r.end(
        i,
        "2024-08-07",
        EndType::ReleasedUnderMeasures,
        "2024-08-07",
    ); // 2 days: never a prisoner
    r.detention(
        Sex::M,
        "2024-08-05",
        "2024-08-05",
        RecognitionStatus::UnderStudy,
        vec![],
    );
    r.detention(
        Sex::M,
        "2024-08-05",
        "2024-08-05",
        RecognitionStatus::NotRecognised,
        vec![],
    );
    let b = balance(
        &r.index(),
        day("2024-08-10"),
        KnownOn::NOW,
        day("2024-08-03"),
    );
    assert_eq!(b.political_prisoners.total, 1);
    assert_eq!(b.held.total, 2);
    assert_eq!(b.under_study.total, 1);
    assert_eq!(b.cumulative.political_detentions, 4);
    // Period (08-03, 08-10]: arrests on 08-05 and 08-09; releases on 08-07 and 08-10, of which
    // the one on 08-10 had been a prisoner (9 days); new prisoners: the 08-01 arrests became
    // prisoners on 08-03 (not in the period), 08-05 would on 08-07 but ended that day.
    assert_eq!(b.period.political_detentions, 2);
    assert_eq!(b.period.releases, 2);
    assert_eq!(b.period.prisoner_releases, 1);
    assert_eq!(b.period.new_prisoners, 0);
    assert_eq!(b.period.ends_by_type.get("released"), Some(&1));
    assert_eq!(
        b.period.ends_by_type.get("released_under_measures"),
        Some(&1)
    );
}

#[test]
fn every_single_valued_breakdown_sums_to_its_total() {
    let mut r = Registry::new();
    for k in 0..40 {
        let sex = [Sex::M, Sex::F, Sex::X][k % 3];
        let steps = match k % 4 {
            0 => vec![Dated {
                date: Some(PartialDate::parse("2024-08-20").unwrap()),
                what: Step::Custody(Custody::HouseArrest),
            }],
            1 => vec![
                Dated {
                    date: None,
                    what: Step::Custody(Custody::Held {
                        facility: Some("Tocorón".into()),
                    }),
                },
                Dated {
                    date: None,
                    what: Step::Charged {
                        charges: vec!["terrorismo".into(), "incitación al odio".into()],
                    },
                },
            ],
            2 => vec![Dated {
                date: Some(PartialDate::parse("2024-08-02").unwrap()),
                what: Step::Custody(Custody::WhereaboutsUnknown),
            }],
            _ => vec![],
        };
        let arrest = if k % 5 == 0 { "2024-07" } else { "2024-07-30" };
        r.detention(sex, arrest, "2024-08-01", R, steps);
    }
    let b = balance(
        &r.index(),
        day("2024-09-01"),
        KnownOn::NOW,
        day("2024-08-25"),
    );
    for figure in [&b.political_prisoners, &b.held] {
        assert_eq!(figure.by.len(), 13);
        for dim in Dim::ALL {
            let sum: u64 = figure.by[dim.name()].values().sum();
            if dim.is_multi() {
                assert!(sum >= figure.total, "{}", dim.name());
            } else {
                assert_eq!(sum, figure.total, "{} sums to the total", dim.name());
            }
        }
    }
    assert_eq!(b.political_prisoners.by["house_arrest"]["true"], 10);
    assert_eq!(b.political_prisoners.by["whereabouts_unknown"]["true"], 10);
    assert_eq!(b.political_prisoners.by["charge"]["terrorismo"], 10);
    assert_eq!(b.political_prisoners.by["facility"]["Tocorón"], 10);
    assert_eq!(b.political_prisoners.by["state"]["Zulia"], 40);
    assert_eq!(b.political_prisoners.by["sex"]["F"], 13);
}

/// Adolescent, adult and unknown political prisoners on 2024-09-01.
fn ages(r: &Registry) -> (u64, u64, u64) {
    let b = balance(
        &r.index(),
        day("2024-09-01"),
        KnownOn::NOW,
        day("2024-08-25"),
    );
    let age = &b.political_prisoners.by["age"];
    (age["adolescent"], age["adult"], age["unknown"])
}

#[test]
fn without_a_birth_date_each_detention_counts_by_its_own_minor_flag() {
    // Arrested at 17 and again at 18, no birth date known, both still held.
    let mut r = Registry::new();
    let p = r.person(Sex::M, None, "2023-05-02");
    r.open(p, "2023-05-01", Some(true), "2023-05-02", R, vec![]);
    r.open(p, "2024-08-01", Some(false), "2024-08-02", R, vec![]);
    assert_eq!(ages(&r), (1, 1, 0), "one adolescent, one adult");

    // A person as an old registry stored them, with `minor` on the person: it stands for the
    // detentions with no flag of their own (so that balances published then reproduce), and
    // not for one that has its own.
    let mut old = Registry::new();
    let p = old.person(Sex::F, Some(true), "2024-08-02");
    old.open(p, "2024-08-01", None, "2024-08-02", R, vec![]);
    assert_eq!(ages(&old), (1, 0, 0));
    old.open(p, "2024-08-03", Some(false), "2024-08-04", R, vec![]);
    old.open(p, "2024-08-05", None, "2024-08-06", R, vec![]);
    assert_eq!(ages(&old), (2, 1, 0));
}

#[test]
fn uncertain_dates_give_bounds_not_guesses() {
    let mut r = Registry::new();
    let i = r.detention(Sex::M, "2024-08", "2024-09-01", R, vec![]);
    r.end(i, "2024-08-20", EndType::Released, "2024-09-01");
    let index = r.index();
    let b = balance(&index, day("2024-08-15"), KnownOn::NOW, day("2024-08-08"));
    assert_eq!((b.held.lower, b.held.upper), (0, 1));
    assert_eq!(
        (b.political_prisoners.lower, b.political_prisoners.upper),
        (0, 1)
    );
    assert_eq!(
        (
            b.period.political_detentions,
            b.period.upper.political_detentions
        ),
        (0, 1)
    );
    let b = balance(&index, day("2024-09-01"), KnownOn::NOW, day("2024-08-25"));
    assert_eq!((b.held.lower, b.held.upper), (0, 0));
    assert_eq!(
        (
            b.cumulative.political_detentions,
            b.cumulative.political_detentions_upper
        ),
        (1, 1)
    );
}

#[test]
fn as_known_on_sees_the_past_as_it_was_recorded() {
    let mut r = Registry::new();
    let i = r.detention(Sex::F, "2024-07-30", "2024-08-02", R, vec![]);
    r.end(i, "2024-08-12", EndType::Released, "2024-08-20");
    let index = r.index();
    // Published on 2024-08-14, for 2024-08-14: the release was not known yet.
    let then = balance(
        &index,
        day("2024-08-14"),
        KnownOn(Some(day("2024-08-14"))),
        day("2024-08-07"),
    );
    assert_eq!(then.political_prisoners.total, 1);
    let now = balance(&index, day("2024-08-14"), KnownOn::NOW, day("2024-08-07"));
    assert_eq!(now.political_prisoners.total, 0);
    assert_eq!(now.period.releases, 1);
    // Before the arrest was recorded, it was not counted at all.
    let before = balance(
        &index,
        day("2024-08-01"),
        KnownOn(Some(day("2024-08-01"))),
        day("2024-07-25"),
    );
    assert_eq!(before.cumulative.political_detentions, 0);
}

#[test]
fn every_step_of_a_series_equals_the_balance_at_that_date() {
    use vigilia_count::series::{Every, series};
    let mut r = Registry::new();
    let arrests = [
        "2024-07-01",
        "2024-07-15",
        "2024-07",
        "2024-08-03",
        "2024-08-20",
        "2024",
        "2024-06-30",
        "2024-09-02",
    ];
    for (k, arrest) in arrests.iter().cycle().take(64).enumerate() {
        let status = if k % 7 == 0 {
            RecognitionStatus::UnderStudy
        } else {
            R
        };
        let sex = if k % 3 == 0 { Sex::F } else { Sex::M };
        let at = |date: &str| Some(PartialDate::parse(date).unwrap());
        let steps = match k % 5 {
            0 => vec![Dated {
                date: at("2024-08-20"),
                what: Step::Custody(Custody::HouseArrest),
            }],
            1 => vec![
                Dated {
                    date: None,
                    what: Step::Custody(Custody::Held {
                        facility: Some("Tocorón".into()),
                    }),
                },
                Dated {
                    date: at("2024-09-10"),
                    what: Step::Custody(Custody::Held {
                        facility: Some("Rodeo I".into()),
                    }),
                },
            ],
            2 => vec![
                Dated {
                    date: at("2024-08-05"),
                    what: Step::Custody(Custody::WhereaboutsUnknown),
                },
                Dated {
                    date: at("2024-09-01"),
                    what: Step::Custody(Custody::WhereaboutsKnown),
                },
            ],
            3 => vec![Dated {
                date: at("2024-09"),
                what: Step::Convicted { sentence: None },
            }],
            _ => vec![],
        };
        let i = r.detention(sex, arrest, "2024-06-01", status, steps);
        match k % 5 {
            0 => r.end(i, "2024-08-10", EndType::Released, "2024-08-12"),
            1 => r.end(i, "2024-09", EndType::ReleasedUnderMeasures, "2024-10-01"),
            2 => r.end(i, "2024-09-15", EndType::DiedInCustody, "2024-09-16"),
            _ => {}
        }
    }
    let index = r.index();
    let (from, to) = (day("2024-07-01"), day("2024-10-31"));
    for (every, back) in [(Every::Week, 7), (Every::Day, 1)] {
        let rows = series(&index, from, to, every, &[], KnownOn::NOW);
        assert!(rows.len() > 10);
        assert_series_equals_balance(&index, &rows, back);
    }
    // Grouped by sex, the groups add up to the whole.
    let all = series(&index, from, to, Every::Week, &[], KnownOn::NOW);
    let by_sex = series(&index, from, to, Every::Week, &[Dim::Sex], KnownOn::NOW);
    for row in &all {
        let sum: u64 = by_sex
            .iter()
            .filter(|s| s.date == row.date)
            .map(|s| s.political_prisoners)
            .sum();
        assert_eq!(sum, row.political_prisoners, "{}", row.date);
    }
    // Dimensions whose value changes with the date: each step's groups are the balance's
    // breakdown of that date.
    for dim in [
        Dim::HouseArrest,
        Dim::WhereaboutsUnknown,
        Dim::Facility,
        Dim::Age,
        Dim::Convicted,
    ] {
        let rows = series(&index, from, to, Every::Week, &[dim], KnownOn::NOW);
        for date in rows
            .iter()
            .map(|r| r.date.clone())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let d = day(&date);
            let b = balance(
                &index,
                d,
                KnownOn::NOW,
                d.checked_sub(jiff::Span::new().days(7)).unwrap(),
            );
            for row in rows.iter().filter(|r| r.date == date) {
                let value = &row.by[dim.name()];
                let expected = b.political_prisoners.by[dim.name()]
                    .get(value)
                    .copied()
                    .unwrap_or(0);
                assert_eq!(
                    row.political_prisoners,
                    expected,
                    "{date} {}={value}",
                    dim.name()
                );
                let held = b.held.by[dim.name()].get(value).copied().unwrap_or(0);
                assert_eq!(row.held, held, "{date} {}={value} held", dim.name());
            }
            let total: u64 = rows
                .iter()
                .filter(|r| r.date == date)
                .map(|r| r.political_detentions)
                .sum();
            assert_eq!(
                total,
                b.period.political_detentions,
                "{date} {}: arrests",
                dim.name()
            );
        }
    }
}

#[test]
fn counting_on_two_threads_gives_the_same_figures_as_the_rules_case_by_case() {
    use vigilia_count::balance::{held, prisoner};
    use vigilia_count::index::day_no;
    use vigilia_count::series::{Every, series};
    // More detentions than the threshold at which counting splits the work in two.
    let mut r = Registry::new();
    let arrests = [
        "2024-07-01",
        "2024-07-15",
        "2024-07",
        "2024-08-03",
        "2024-08-20",
        "2024",
        "2023-12-30",
        "2024-09-02",
        "2024-08-14",
    ];
    for k in 0..60_000usize {
        let status = if k % 11 == 0 {
            RecognitionStatus::UnderStudy
        } else {
            R
        };
        let sex = if k % 3 == 0 { Sex::F } else { Sex::M };
        let i = r.detention(
            sex,
            arrests[k % arrests.len()],
            "2023-12-01",
            status,
            vec![],
        );
        match k % 7 {
            0 => r.end(i, "2024-08-10", EndType::Released, "2024-08-12"),
            1 => r.end(i, "2024-09", EndType::ReleasedUnderMeasures, "2024-10-01"),
            2 => r.end(i, "2024-08-16", EndType::DiedInCustody, "2024-08-17"),
            _ => {}
        }
    }
    let index = r.index();
    let d = day("2024-08-15");
    let b = balance(&index, d, KnownOn::NOW, day("2024-08-08"));
    let dn = day_no(d);
    let recognised = || index.cases(KnownOn::NOW).filter(|c| c.status == Some(R));
    assert_eq!(
        b.political_prisoners.lower,
        recognised().filter(|c| prisoner(c, dn).0).count() as u64
    );
    assert_eq!(
        b.political_prisoners.upper,
        recognised().filter(|c| prisoner(c, dn).1).count() as u64
    );
    assert_eq!(
        b.held.lower,
        recognised().filter(|c| held(c, dn).0).count() as u64
    );
    let sum: u64 = b.political_prisoners.by["sex"].values().sum();
    assert_eq!(sum, b.political_prisoners.total);
    let rows = series(
        &index,
        day("2024-07-01"),
        day("2024-10-31"),
        Every::Week,
        &[],
        KnownOn::NOW,
    );
    assert_series_equals_balance(&index, &rows, 7);
    let by_sex = series(
        &index,
        day("2024-07-01"),
        day("2024-10-31"),
        Every::Week,
        &[Dim::Sex],
        KnownOn::NOW,
    );
    for row in &rows {
        let sum: u64 = by_sex
            .iter()
            .filter(|s| s.date == row.date)
            .map(|s| s.political_prisoners)
            .sum();
        assert_eq!(sum, row.political_prisoners, "{}", row.date);
    }
}
