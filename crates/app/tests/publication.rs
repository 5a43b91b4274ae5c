//! A publication is refused when the registry changed after its balance was counted, also by a
//! write batched before it in the same transaction (two servers' publishes at one moment both
//! landed on the same position).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::AppError;
use vigilia_core::clock::FixedClock;
use vigilia_core::fold::KnownOn;
use vigilia_core::profile::Profile;
use vigilia_count::Balance;
use vigilia_count::when::When;
use vigilia_ledger::{DatabaseUrl, Ledger};

/// A new registry whose today is 20/11/2026.
fn registry(dir: &tempfile::TempDir) -> Ledger {
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap()
}

#[test]
fn a_second_publication_in_the_same_batch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let head = l.content().unwrap();
    let b = Balance {
        as_of: "2026-11-20".into(),
        ledger_head: head.hash.to_string(),
        ..Balance::default()
    };
    let day = jiff::civil::date(2026, 11, 20);
    let when = When {
        as_of: day,
        known_on: KnownOn::NOW,
        since: jiff::civil::date(2026, 11, 13),
    };
    let (first, second) = vigilia_app::write(&mut l, |tx| {
        let first = vigilia_app::publication::publish(
            tx,
            &vigilia_app::Actor::operator("a"),
            &b,
            &when,
            None,
        )?;
        // Other figures, counted at the same position (another server's, a moment apart).
        let other = Balance {
            under_study: vigilia_count::balance::Count {
                total: 1,
                lower: 1,
                upper: 1,
            },
            ..b.clone()
        };
        Ok((
            first,
            vigilia_app::publication::publish(
                tx,
                &vigilia_app::Actor::operator("b"),
                &other,
                &when,
                Some("Otra cuenta"),
            ),
        ))
    })
    .unwrap();
    assert_eq!(first.0, 1);
    assert!(
        matches!(second, Err(AppError::CountedBeforeAChange)),
        "{second:?}"
    );
}

/// The same figures for the same dates, published again (the page sent twice), are the
/// publication already made: one publication, no second fact, no "the registry changed".
#[test]
fn publishing_the_same_balance_again_is_the_same_publication() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let day = jiff::civil::date(2026, 11, 20);
    let when = When {
        as_of: day,
        known_on: KnownOn::NOW,
        since: jiff::civil::date(2026, 11, 13),
    };
    // Both sends carry the balance as counted before the first: the publication the first
    // made moved the registry's position, and the second is still that publication.
    let b = Balance {
        as_of: "2026-11-20".into(),
        ledger_head: l.content().unwrap().hash.to_string(),
        ..Balance::default()
    };
    let publish = |l: &mut Ledger| {
        vigilia_app::write(l, |tx| {
            vigilia_app::publication::publish(
                tx,
                &vigilia_app::Actor::operator("a"),
                &b,
                &when,
                None,
            )
        })
        .unwrap()
    };
    let first = publish(&mut l);
    let facts = l.head().unwrap().facts;
    let again = publish(&mut l);
    assert_eq!(first, again);
    assert_eq!(
        l.head().unwrap().facts,
        facts,
        "nothing written the second time"
    );
}

/// Publishes a (blank) balance as of `as_of` with these dates and note, as the CLI and the web
/// both do: counted at the registry's head, then written.
fn try_publish(
    l: &mut Ledger,
    as_of: jiff::civil::Date,
    since: jiff::civil::Date,
    known_on: KnownOn,
    note: &str,
) -> Result<vigilia_core::ids::PublicationId, AppError> {
    let b = Balance {
        as_of: as_of.to_string(),
        ..Balance::default()
    };
    let when = When {
        as_of,
        known_on,
        since,
    };
    publish_counted(l, b, &when, note)
}

/// Publishes `b` as counted at the registry's head.
fn publish_counted(
    l: &mut Ledger,
    b: Balance,
    when: &When,
    note: &str,
) -> Result<vigilia_core::ids::PublicationId, AppError> {
    let b = Balance {
        ledger_head: l.content().unwrap().hash.to_string(),
        ..b
    };
    vigilia_app::write(l, |tx| {
        Ok(vigilia_app::publication::publish(
            tx,
            &vigilia_app::Actor::operator("a"),
            &b,
            when,
            Some(note),
        ))
    })
    .unwrap()
}

/// The field a refused publication names, with its problem.
fn refused(r: Result<vigilia_core::ids::PublicationId, AppError>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Invalid(fields)) => fields
            .iter()
            .map(|(f, p)| (f.to_string(), format!("{p:?}")))
            .collect(),
        other => panic!("not refused: {other:?}"),
    }
}

/// What the public can subtract is what the organisation publishes anyway: the week's
/// movements. A period a day shorter or longer, two publications a few days apart, a balance
/// "as known on" a past day or dated after today are refused, in the write's transaction;
/// the same figures with another note are refused rather than the note lost.
#[test]
fn a_publication_dates_no_single_release() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let d = |day| jiff::civil::date(2026, 11, day);
    let now = KnownOn::NOW;
    try_publish(&mut l, d(20), d(13), now, "Semana del 14 al 20").unwrap();
    let facts = l.head().unwrap().facts;
    let problems = |r| refused(r).into_iter().map(|(f, p)| format!("{f}: {p}"));
    let all: Vec<Vec<String>> = vec![
        // A day longer than the week, and a day shorter.
        problems(try_publish(&mut l, d(13), d(5), now, "")).collect(),
        problems(try_publish(&mut l, d(13), d(7), now, "")).collect(),
        // Two days before the one published.
        problems(try_publish(&mut l, d(18), d(11), now, "")).collect(),
        // Ten days before: its chart's weekly points would fall 3 days after the 20th's week.
        problems(try_publish(&mut l, d(10), d(3), now, "")).collect(),
        // As known on a day before.
        problems(try_publish(&mut l, d(13), d(6), KnownOn(Some(d(14))), "")).collect(),
        // Tomorrow.
        problems(try_publish(&mut l, d(21), d(14), now, "")).collect(),
        // The same again with another note.
        problems(try_publish(&mut l, d(20), d(13), now, "Otra nota")).collect(),
    ];
    let expected = [
        "since: NotTheWeek",
        "since: NotTheWeek",
        "as_of: TooCloseToPublished { number: 1, as_of: 2026-11-20 }",
        "as_of: TooCloseToPublished { number: 1, as_of: 2026-11-20 }",
        "known_on: PublishedAsKnownNow",
        "as_of: DateAfterToday",
        "note: AlreadyPublished { number: 1 }",
    ];
    for (got, want) in all.iter().zip(expected) {
        assert!(got.iter().any(|g| g.starts_with(want)), "{want}: {got:?}");
    }
    assert_eq!(l.head().unwrap().facts, facts, "nothing written");
    // A week before: published.
    let earlier = try_publish(&mut l, d(13), d(6), now, "").unwrap();
    assert_eq!(earlier.0, 2);
}

/// The preview says what publishing would: `standing` is what `publish` checks in its
/// transaction. The same balance with its note is the publication made, with another note it
/// is refused, a date two days off is too close, and the same figures counted with another
/// threshold for small cells correct the publication (the preview once called them unchanged).
#[test]
fn the_preview_stands_where_publishing_would() {
    use vigilia_app::publication::{Standing, standing};
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let d = |day| jiff::civil::date(2026, 11, day);
    try_publish(&mut l, d(20), d(13), KnownOn::NOW, "Semana del 14 al 20").unwrap();
    let published = vigilia_app::counting::publications(&mut l).unwrap();
    let below = vigilia_app::publication::small_cells(&mut l).unwrap();
    let head = l.content().unwrap().hash.to_string();
    let at = |as_of: jiff::civil::Date| {
        let b = Balance {
            as_of: as_of.to_string(),
            ledger_head: head.clone(),
            ..Balance::default()
        };
        let when = When {
            as_of,
            known_on: KnownOn::NOW,
            since: as_of.checked_sub(jiff::Span::new().days(7)).unwrap(),
        };
        (b, when)
    };
    let (b, when) = at(d(20));
    assert_eq!(
        standing(
            &published,
            &[],
            &b,
            &when,
            Some(" Semana del 14 al 20 "),
            below
        ),
        Standing {
            already: Some(1),
            ..Standing::default()
        }
    );
    assert_eq!(
        standing(&published, &[], &b, &when, None, below),
        Standing {
            republished: Some(1),
            ..Standing::default()
        }
    );
    assert_eq!(
        standing(&published, &[], &b, &when, None, below + 2),
        Standing {
            corrects: Some(1),
            ..Standing::default()
        }
    );
    let (b, when) = at(d(18));
    assert_eq!(
        standing(&published, &[], &b, &when, None, below),
        Standing {
            close: Some((vigilia_app::publication::Made::Balance(1), d(20))),
            ..Standing::default()
        }
    );
}

/// A second publication of one date with other figures corrects the first, and both stay in
/// the public list: it is refused without a note saying what it corrects, published with one.
/// The dates offered instead of a refused one are free on both sides of every publication.
#[test]
fn a_correction_says_what_it_corrects_and_free_dates_are_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let d = |day| jiff::civil::date(2026, 11, day);
    try_publish(&mut l, d(20), d(13), KnownOn::NOW, "Semana del 14 al 20").unwrap();
    try_publish(
        &mut l,
        d(6),
        jiff::civil::date(2026, 10, 30),
        KnownOn::NOW,
        "",
    )
    .unwrap();
    let corrected = |l: &mut Ledger, note: &str| {
        let b = Balance {
            as_of: d(20).to_string(),
            under_study: vigilia_count::balance::Count {
                total: 1,
                lower: 1,
                upper: 1,
            },
            ..Balance::default()
        };
        let when = When {
            as_of: d(20),
            known_on: KnownOn::NOW,
            since: d(13),
        };
        publish_counted(l, b, &when, note)
    };
    // No note, a note nobody sees, and the first one's note again (its form sent after the
    // registry changed) say nothing of what is corrected.
    for (note, problem) in [
        ("  ", "CorrectionWithoutNote"),
        (
            "\u{200B}\u{200F}\u{FEFF}\u{2060}\u{2800}\u{FFFF}",
            "CorrectionWithoutNote",
        ),
        (" Semana  del\t14 al 20", "CorrectionSameNote"),
    ] {
        assert_eq!(
            refused(corrected(&mut l, note)),
            [("note".to_string(), format!("{problem} {{ number: 1 }}"))],
            "{note:?}"
        );
    }
    assert_eq!(
        corrected(&mut l, "Una excarcelación del 18/11 llegó tarde")
            .unwrap()
            .0,
        3
    );
    let published = vigilia_app::counting::publications(&mut l).unwrap();
    // 18/11 is off the week of both (Fridays): the nearest free days are the Fridays between
    // and after them.
    assert_eq!(
        vigilia_app::publication::free_dates(&published, &[], d(18)),
        (Some(d(13)), Some(d(27)))
    );
    // Whatever else was made public counts the same: a release on the 13th leaves the 6th
    // and the 27th.
    let released = [(vigilia_app::publication::Made::Release(1), d(13))];
    assert_eq!(
        vigilia_app::publication::free_dates(&published, &released, d(18)),
        (Some(jiff::civil::date(2026, 10, 30)), Some(d(27)))
    );
}

/// A note is published as written, less what a reader would not see but that changes how it
/// reads: control characters and the marks that reverse the direction of text (a note can be
/// made to read backwards on the public page and in the feed).
#[test]
fn a_notes_hidden_characters_are_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let d = |day| jiff::civil::date(2026, 11, day);
    let note = "  \u{202E}Semana\u{0007} del\u{200B} 14\u{2066} al\u{200F} 20\u{0000}\u{FE0F}\nCorrige la n.\u{00BA}\u{E0041} 1\t\u{2028}";
    try_publish(&mut l, d(20), d(13), KnownOn::NOW, note).unwrap();
    let note_of = |l: &mut Ledger, id: u64| {
        let published = vigilia_app::counting::publications(l).unwrap();
        let p = published.into_iter().find(|p| p.id == id).unwrap();
        p.publication.note
    };
    assert_eq!(
        note_of(&mut l, 1).as_deref(),
        Some("Semana del 14 al 20\nCorrige la n.\u{00BA} 1")
    );
    // Nothing but such characters is no note.
    try_publish(
        &mut l,
        d(13),
        d(6),
        KnownOn::NOW,
        "\u{202E}\u{0007} \u{200E}\u{3164}",
    )
    .unwrap();
    assert_eq!(note_of(&mut l, 2), None);
}

/// A published estimate is made public like a balance: it falls on the day of the week of what
/// is public already, and what follows falls on its day. (Its figure is given: what is tested
/// is where it may be dated, not the estimate.)
#[test]
fn an_estimate_is_dated_on_the_weekday_of_everything_public() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let d = |day| jiff::civil::date(2026, 11, day);
    let table = vigilia_estimate::table::Table::from_csv(
        include_str!("../../estimate/tests/kosovo.csv").as_bytes(),
    )
    .unwrap();
    let estimate = vigilia_estimate::Estimate {
        observed: 4400,
        estimate: 10_000.0,
        lower: 9_000.0,
        upper: 12_000.0,
        method: vigilia_estimate::Method::Lcmcr,
        model: "latent classes".into(),
        lists: Vec::new(),
        overlaps: Vec::new(),
        assumption_es: String::new(),
        assumption_en: String::new(),
        posterior: None,
        loglinear: None,
    };
    let publish = |l: &mut Ledger, as_of| {
        let head = l.content().unwrap();
        vigilia_app::estimates::publish(
            l,
            &vigilia_app::Actor::operator("a"),
            head,
            &table,
            as_of,
            KnownOn::NOW,
            vigilia_estimate::Method::Lcmcr,
            &vigilia_estimate::lcmcr::Settings::default(),
            &vigilia_estimate::Rules::default(),
            &estimate,
            0,
        )
    };
    // The first thing made public sets the day: a Friday.
    assert_eq!(publish(&mut l, d(13)).unwrap(), 1);
    let facts = l.head().unwrap().facts;
    // The same estimate again (a second click, the page computed again after publishing) is
    // refused, naming the publication it would repeat; nothing is written.
    assert!(
        matches!(
            publish(&mut l, d(13)),
            Err(AppError::Unpublishable(
                vigilia_app::estimates::Unpublishable::AlreadyPublished { version: 1 }
            ))
        ),
        "published twice"
    );
    assert_eq!(l.head().unwrap().facts, facts, "nothing written");
    // A balance three days after it, and another estimate two days after, are refused, naming
    // the estimate; nothing is written.
    let balance = refused(try_publish(&mut l, d(16), d(9), KnownOn::NOW, ""));
    assert!(
        balance.contains(&(
            "as_of".into(),
            format!("TooCloseToEstimate {{ version: 1, as_of: {} }}", d(13))
        )),
        "{balance:?}"
    );
    match publish(&mut l, d(15)) {
        Err(AppError::Invalid(fields)) => {
            let named: Vec<String> = fields.iter().map(|(_, p)| format!("{p:?}")).collect();
            assert!(
                named.iter().any(|p| p.starts_with("TooCloseToEstimate")),
                "{named:?}"
            );
        }
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!(l.head().unwrap().facts, facts, "nothing written");
    // A week after it, a balance is published; an estimate then falls on the balance's day.
    try_publish(&mut l, d(20), d(13), KnownOn::NOW, "").unwrap();
    assert!(matches!(publish(&mut l, d(18)), Err(AppError::Invalid(_))));
    assert_eq!(publish(&mut l, d(20)).unwrap(), 2);
}

/// A published estimate, computed again at once, gives the same figures: reading its figures
/// back from the ledger's text is exact to the last bit (a figure such as 52.632664581699316
/// was read back one unit in its last place off, and `--reproduce` said it did not reproduce).
#[test]
fn a_published_estimate_reproduces_to_the_last_bit() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let table = vigilia_estimate::table::Table::from_csv(
        include_str!("../../estimate/tests/kosovo.csv").as_bytes(),
    )
    .unwrap();
    for (n, method) in [
        vigilia_estimate::Method::Loglinear,
        vigilia_estimate::Method::Lcmcr,
    ]
    .into_iter()
    .enumerate()
    {
        let settings = vigilia_estimate::lcmcr::Settings::default();
        let rules = vigilia_estimate::Rules::default();
        let estimate = vigilia_app::estimates::estimate(&table, method, &rules, &settings).unwrap();
        let head = l.content().unwrap();
        let version = vigilia_app::estimates::publish(
            &mut l,
            &vigilia_app::Actor::operator("a"),
            head,
            &table,
            jiff::civil::date(2026, 11, 13),
            KnownOn::NOW,
            method,
            &settings,
            &rules,
            &estimate,
            0,
        )
        .unwrap();
        assert_eq!(version, n as u64 + 1);
        let (again, same) = vigilia_app::estimates::reproduce(&mut l, version).unwrap();
        assert!(same, "{method:?} did not reproduce");
        assert_eq!(again.estimate.to_bits(), estimate.estimate.to_bits());
    }
}
