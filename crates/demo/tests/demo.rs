//! What a user of `vigilia demo` and `vigilia demo-reports` sees: the same seed gives the same
//! files, every generated detention is one the registry takes, the waves are in the dates, the
//! revolving door and the 2024 wave's prisoners are there, and reports repeat persons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use vigilia_app::import::Quiet;
use vigilia_app::import::detentions::{self, Options};
use vigilia_core::clock::FixedClock;
use vigilia_core::model::RecognitionStatus;
use vigilia_core::profile::Profile;
use vigilia_demo::{Generator, LAST_DAY, Reports};
use vigilia_ledger::{DatabaseUrl, Ledger};

/// The detentions CSV of `count` rows from `seed`, as text.
fn detentions_csv(seed: u64, count: u64) -> String {
    let mut out = Vec::new();
    let rows = Generator::new(seed, count).write_csv(&mut out).unwrap();
    assert_eq!(rows, count);
    String::from_utf8(out).unwrap()
}

/// The rows of a detentions CSV, each as column name → cell.
fn rows(csv_text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_detentions_and_another_seed_others() {
    let first = detentions_csv(3, 500);
    assert_eq!(first, detentions_csv(3, 500));
    assert_ne!(first, detentions_csv(4, 500));
    // A shorter run is the start of a longer one: asking for more rows changes none of the first.
    let longer = detentions_csv(3, 800);
    assert!(longer.starts_with(&first));
    assert_eq!(first.lines().count(), 501, "a header and 500 rows");
}

#[test]
fn every_generated_detention_is_stored_without_a_rejected_row_or_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("d.db").display())).unwrap();
    // The day after the data ends, as `vigilia demo` requires.
    let clock = Arc::new(FixedClock("2026-11-16T12:00:00Z".parse().unwrap()));
    let mut ledger = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
    let options = Options {
        recognition: RecognitionStatus::UnderStudy,
        all_or_nothing: false,
        rejects: None,
    };
    let mut generator = Generator::new(5, 3_000);
    let outcome = detentions::detentions(
        &mut ledger,
        "test",
        &mut generator,
        &options,
        "demo",
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(outcome.rows, 3_000);
    assert_eq!(outcome.changed, 3_000, "every row is stored");
    assert!(
        outcome.rejected.is_empty(),
        "{:?}",
        outcome.rejected.first()
    );
    assert!(
        outcome.conflicts.is_empty(),
        "{:?}",
        outcome.conflicts.first()
    );
}

#[test]
fn the_waves_are_in_the_dates_and_the_2024_wave_is_mostly_still_held() {
    let rows = rows(&detentions_csv(1, 12_000));
    let wave: Vec<_> = rows
        .iter()
        .filter(|r| r["context"] == "poselectoral 2024")
        .collect();
    // 17% of arrests, between 29 July and 15 August 2024.
    assert!((1_700..2_400).contains(&wave.len()), "{}", wave.len());
    // Some dates are known only to the month or the year.
    for r in &wave {
        let arrest = r["arrest_date"].as_str();
        assert!(
            arrest == "2024" || ("2024-07"..="2024-08-15").contains(&arrest),
            "{arrest}"
        );
    }
    let held = wave.iter().filter(|r| r["end_date"].is_empty()).count();
    assert!(held * 2 > wave.len(), "{held} of {} still held", wave.len());
    for context in [
        "protestas 2014",
        "protestas 2017",
        "enero 2019",
        "30 de abril 2019",
    ] {
        assert!(rows.iter().any(|r| r["context"] == context), "{context}");
    }
    // Nothing is arrested, or known, after the last day of the data.
    let last = LAST_DAY.to_string();
    assert!(
        rows.iter()
            .all(|r| r["recorded_on"] <= last && r["arrest_date"] <= last)
    );
}

#[test]
fn some_persons_are_arrested_again() {
    let rows = rows(&detentions_csv(2, 5_000));
    let mut detentions_of: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *detentions_of.entry(r["person_ref"].as_str()).or_default() += 1;
    }
    let again = detentions_of.values().filter(|n| **n > 1).count();
    // About 6% of arrests are of a person arrested before.
    assert!(
        (150..500).contains(&again),
        "{again} persons arrested again"
    );
}

#[test]
fn reports_repeat_persons_and_the_truth_says_whose_each_is() {
    let (mut out, mut truth) = (Vec::new(), Vec::new());
    let written = Reports::new(3, 2_000)
        .write_csv(&mut out, &mut truth)
        .unwrap();
    assert_eq!(written.reports, 2_000);
    // One person for every 2.5 reports, roughly.
    assert!((600..1_100).contains(&written.persons), "{written:?}");
    let (out, truth) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(truth).unwrap(),
    );
    assert!(out.starts_with("report_id,source,given_names,surnames,cedula,"));
    assert_eq!(out.lines().count(), 2_001);
    assert_eq!(truth.lines().next(), Some("report_id,person"));
    let persons: std::collections::HashSet<&str> = truth
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert_eq!(persons.len(), written.persons);

    // The same seed and count give the same reports; each report's id is in its truth line.
    let again: Vec<_> = Reports::new(3, 2_000).collect();
    for (report, line) in again.iter().zip(truth.lines().skip(1)) {
        assert_eq!(line, format!("{},{}", report.id(), report.person));
    }
    assert_ne!(again, Reports::new(9, 2_000).collect::<Vec<_>>());
}

#[test]
fn reports_of_one_person_are_written_differently() {
    let reports: Vec<_> = Reports::new(1, 3_000).collect();
    let mut by_person: HashMap<&str, Vec<&[String; 11]>> = HashMap::new();
    for r in &reports {
        by_person
            .entry(r.person.as_str())
            .or_default()
            .push(&r.cells);
    }
    // Of persons reported several times, most are not reported the same way twice (the id and
    // the source aside): a name, a cédula or a date is written differently.
    let several: Vec<_> = by_person.values().filter(|v| v.len() > 2).collect();
    let differ = several
        .iter()
        .filter(|v| {
            let first = &v[0][2..];
            v.iter().skip(1).any(|c| &c[2..] != first)
        })
        .count();
    assert!(
        differ * 10 > several.len() * 9,
        "{differ} of {}",
        several.len()
    );
}
