//! Locking out: wrong passwords lock an account only from the address they came from, for
//! longer each time, so a stranger elsewhere cannot keep the owner out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use vigilia_app::sessions::{self, FAILURES_BEFORE_LOCK, LOCKED_FOR, SignInRefused};
use vigilia_core::clock::FixedClock;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger};

fn ledger(dir: &tempfile::TempDir) -> Ledger {
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap()
}

/// Begins a sign-in of `ana` from `address` at `at`, and settles it as wrong.
fn wrong(l: &mut Ledger, address: &str, at: Timestamp) -> Result<(), SignInRefused> {
    let begun =
        vigilia_app::write(l, |tx| sessions::begin_sign_in(tx, "ana", address, at)).unwrap();
    let attempt = begun?;
    vigilia_app::write(l, |tx| {
        sessions::settle_sign_in(tx, "ana", address, attempt, None, at)
    })
    .unwrap()
    .map(|_| ())
}

#[test]
fn wrong_passwords_lock_an_account_only_from_where_they_came_and_longer_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir);
    let t0: Timestamp = "2026-11-20T15:00:00Z".parse().unwrap();
    let attacker = "203.0.113.7";
    for _ in 0..FAILURES_BEFORE_LOCK {
        assert_eq!(wrong(&mut l, attacker, t0), Err(SignInRefused::Wrong));
    }
    assert_eq!(wrong(&mut l, attacker, t0), Err(SignInRefused::Locked));
    // The owner, from home, is not locked out: their attempt is checked (and wrong here).
    assert_eq!(
        wrong(&mut l, "198.51.100.20", t0),
        Err(SignInRefused::Wrong)
    );
    // After the first lock, the attacker may try again; the next lock lasts twice as long.
    let t1 = t0 + SignedDuration::from_secs(LOCKED_FOR.as_secs() + 1);
    for _ in 0..FAILURES_BEFORE_LOCK {
        assert_eq!(wrong(&mut l, attacker, t1), Err(SignInRefused::Wrong));
    }
    let still = t1 + SignedDuration::from_secs(LOCKED_FOR.as_secs() + 1);
    assert_eq!(wrong(&mut l, attacker, still), Err(SignInRefused::Locked));
    let after = t1 + SignedDuration::from_secs(2 * LOCKED_FOR.as_secs() + 1);
    assert_eq!(wrong(&mut l, attacker, after), Err(SignInRefused::Wrong));
}

/// A refused sign-in of an existing account is an audit fact only when it begins a series from
/// an address, or locks it; the others are counted: a guesser cannot fill the chain with
/// facts, and the owner still learns that someone tried, from where, and that it was locked.
#[test]
fn a_series_of_wrong_passwords_is_recorded_once_and_its_lock_once() {
    use vigilia_core::fact::{Audit, Change};
    use vigilia_core::ids::{Kind, Subject};
    use vigilia_core::model::Role;
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir);
    vigilia_app::write(&mut l, |tx| {
        vigilia_app::accounts::demo_account(tx, "ana", Role::Volunteer, "x".into(), None)
    })
    .unwrap();
    let t0: Timestamp = "2026-11-20T15:00:00Z".parse().unwrap();
    for _ in 0..FAILURES_BEFORE_LOCK + 3 {
        let _ = wrong(&mut l, "203.0.113.7", t0);
    }
    let _ = wrong(&mut l, "198.51.100.20", t0);
    let account = match l.by_reference(Kind::Account, "ana").unwrap() {
        Some(vigilia_core::fold::Record::Account(a)) => Subject::from(a.id),
        other => panic!("{other:?}"),
    };
    let refused = l
        .history(account)
        .unwrap()
        .into_iter()
        .filter(|f| {
            matches!(
                f.change,
                Change::Audited {
                    what: Audit::SignInRefused,
                    ..
                }
            )
        })
        .count();
    // The attacker's first, the one that locked, and the owner's first from elsewhere.
    assert_eq!(refused, 3);
}

/// Attempts made at the same moment (all counted before any is settled) still write their
/// series down once: whether a refusal is noted is decided by each attempt's own count, not by
/// the shared count read when it is settled (four parallel guesses wrote nothing).
#[test]
fn wrong_passwords_sent_at_once_are_still_written_down() {
    use vigilia_core::fact::{Audit, Change};
    use vigilia_core::ids::{Kind, Subject};
    use vigilia_core::model::Role;
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir);
    vigilia_app::write(&mut l, |tx| {
        vigilia_app::accounts::demo_account(tx, "ana", Role::Volunteer, "x".into(), None)
    })
    .unwrap();
    let t0: Timestamp = "2026-11-20T15:00:00Z".parse().unwrap();
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            vigilia_app::write(&mut l, |tx| {
                sessions::begin_sign_in(tx, "ana", "203.0.113.7", t0)
            })
            .unwrap()
            .unwrap()
        })
        .collect();
    for attempt in attempts {
        let settled = vigilia_app::write(&mut l, |tx| {
            sessions::settle_sign_in(tx, "ana", "203.0.113.7", attempt, None, t0)
        })
        .unwrap();
        assert_eq!(settled.map(|_| ()), Err(SignInRefused::Wrong));
    }
    let account = match l.by_reference(Kind::Account, "ana").unwrap() {
        Some(vigilia_core::fold::Record::Account(a)) => Subject::from(a.id),
        other => panic!("{other:?}"),
    };
    let refused = l
        .history(account)
        .unwrap()
        .into_iter()
        .filter(|f| {
            matches!(
                f.change,
                Change::Audited {
                    what: Audit::SignInRefused,
                    ..
                }
            )
        })
        .count();
    assert_eq!(refused, 1);
}
