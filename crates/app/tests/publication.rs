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

#[test]
fn a_second_publication_in_the_same_batch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let mut l = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
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
        Ok((
            first,
            vigilia_app::publication::publish(
                tx,
                &vigilia_app::Actor::operator("b"),
                &b,
                &when,
                None,
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
/// publication already made: one publication, no second fact.
#[test]
fn publishing_the_same_balance_again_is_the_same_publication() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let mut l = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
    let day = jiff::civil::date(2026, 11, 20);
    let when = When {
        as_of: day,
        known_on: KnownOn::NOW,
        since: jiff::civil::date(2026, 11, 13),
    };
    let publish = |l: &mut Ledger| {
        let b = Balance {
            as_of: "2026-11-20".into(),
            ledger_head: l.content().unwrap().hash.to_string(),
            ..Balance::default()
        };
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
