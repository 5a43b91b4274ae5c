//! The registry served to many: writes from many threads at once are each committed once and
//! answered after commit; a write refused for its own reason does not take others down with it;
//! a bug in one request (a panic) neither stops the writer nor loses a reader.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::{AppError, Registry};
use vigilia_core::clock::FixedClock;
use vigilia_core::fact::{Change, Draft};
use vigilia_core::ids::{Kind, PersonId};
use vigilia_core::model::Identity;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger, Tx};

fn registry(dir: &tempfile::TempDir) -> Registry {
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let ledger = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
    Registry::new(ledger, 2).unwrap()
}

/// A new person named `name`.
fn person(tx: &mut Tx<'_>, name: &str) -> Result<u64, AppError> {
    let id = tx.new_id(Kind::Person);
    let recorded_on = tx.today()?;
    tx.append(Draft {
        recorded_on,
        actor: "test".into(),
        subject: PersonId(id).into(),
        change: Change::PersonStated {
            reference: None,
            identity: Identity {
                given_names: Some(name.into()),
                ..Identity::default()
            },
            disclosure: None,
            cleared: vec![],
            reason: None,
        },
        sources: vec![],
    })?;
    Ok(id)
}

#[test]
fn many_writes_at_once_are_each_stored_once_and_a_refused_one_alone_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = Arc::new(registry(&dir));
    let writers: Vec<_> = (0..40)
        .map(|i| {
            let r = r.clone();
            std::thread::spawn(move || {
                r.write(move |tx| {
                    if i % 10 == 3 {
                        // Refused by the fold: a person merged into itself.
                        let id = person(tx, "self")?;
                        let recorded_on = tx.today()?;
                        tx.append(Draft {
                            recorded_on,
                            actor: "test".into(),
                            subject: PersonId(id).into(),
                            change: Change::MergedInto {
                                into: PersonId(id),
                                reason: "x".into(),
                                consent: None,
                            },
                            sources: vec![],
                        })?;
                    }
                    person(tx, &format!("P{i}"))
                })
            })
        })
        .collect();
    let answers: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let refused = answers.iter().filter(|a| a.is_err()).count();
    assert_eq!(refused, 4, "only the four bad writes are refused");
    let mut ids: Vec<u64> = answers.into_iter().filter_map(Result::ok).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 36, "every good write has its own person");
    let stored = r.read(|l| l.count(Kind::Person)).unwrap();
    assert_eq!(stored, 36, "and nothing of the refused ones was stored");
}

#[test]
fn a_bug_in_one_request_stops_neither_the_writer_nor_the_readers() {
    let dir = tempfile::tempdir().unwrap();
    let r = Arc::new(registry(&dir));
    for _ in 0..3 {
        let r2 = r.clone();
        let panicked = std::thread::spawn(move || r2.read(|_| panic!("a bug while reading")));
        assert!(panicked.join().is_err());
    }
    let failed = r.write(|_| -> Result<(), AppError> { panic!("a bug while writing") });
    assert!(
        failed.is_err(),
        "the panicking write is answered with an error"
    );
    let id = r.write(|tx| person(tx, "after")).unwrap();
    assert_eq!(id, 1, "the writer still writes");
    assert_eq!(
        r.read(|l| l.count(Kind::Person)).unwrap(),
        1,
        "the readers still read"
    );
}

/// A clock a second later at every reading: each transaction's facts carry the instant it
/// began, so the instants stored tell how many transactions committed.
#[derive(Debug)]
struct Ticking(std::sync::atomic::AtomicI64);

impl vigilia_core::clock::Clock for Ticking {
    fn now(&self) -> jiff::Timestamp {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        jiff::Timestamp::from_second(1_795_000_000 + n).unwrap()
    }
}

/// 60 writes queued at once behind a held writer, every third refused (before it wrote
/// anything, or after it appended a person); checks each answer and what was stored, and returns
/// how many transactions committed the 40 good writes (counted by the instants of their facts).
fn transactions_for_40_good_writes(refused_after_appending: bool) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(Ticking(std::sync::atomic::AtomicI64::new(0)));
    let ledger = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
    let r = Arc::new(Registry::new(ledger, 2).unwrap());
    // The writer is held busy while the 60 writes queue up, so that they meet in one batch.
    let (hold, release) = std::sync::mpsc::channel::<()>();
    let release = std::sync::Mutex::new(release);
    let blocker = {
        let r = r.clone();
        std::thread::spawn(move || {
            r.write(move |tx| {
                let _ = release.lock().unwrap().recv();
                person(tx, "first")
            })
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let writers: Vec<_> = (0..60)
        .map(|i| {
            let r = r.clone();
            let w = std::thread::spawn(move || {
                r.write(move |tx| {
                    if i % 3 == 1 && !refused_after_appending {
                        return Err(AppError::ReasonNeeded);
                    }
                    let id = person(tx, &format!("P{i}"))?;
                    if i % 3 == 1 {
                        // Appended, then refused: nothing of it may be stored.
                        return Err(AppError::ReasonNeeded);
                    }
                    Ok(id)
                })
            });
            std::thread::sleep(std::time::Duration::from_millis(5));
            w
        })
        .collect();
    hold.send(()).unwrap();
    blocker.join().unwrap().unwrap();
    let answers: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.is_err(), i % 3 == 1, "write {i}: {a:?}");
    }
    let ids: Vec<u64> = answers.into_iter().filter_map(Result::ok).collect();
    let stored = r.read(|l| l.count(Kind::Person)).unwrap();
    assert_eq!(
        stored,
        1 + 40,
        "the good writes, once each, and none of the refused ones"
    );
    let mut instants = std::collections::BTreeSet::new();
    for id in ids {
        for f in r.read(|l| l.history(PersonId(id).into())).unwrap() {
            instants.insert(f.appended_at);
        }
    }
    instants.len()
}

/// A write refused after it appended (an invalid request, a lost race) is answered alone, and
/// the writes that shared its transaction are not then committed one by one: a stream of bad
/// requests cannot turn every good one into a transaction (a disk flush) of its own.
#[test]
fn a_refused_write_does_not_split_the_others_into_a_transaction_each() {
    // 20 refusals split the 40 good writes into at most 21 transactions (one by one: 40).
    let n = transactions_for_40_good_writes(true);
    assert!(n <= 25, "{n} transactions for 40 good writes");
}

/// A write refused before it wrote anything (not found, not allowed, a form's errors: most
/// refusals) leaves the others in their one transaction.
#[test]
fn a_write_refused_before_writing_leaves_the_others_together() {
    let n = transactions_for_40_good_writes(false);
    assert!(n <= 3, "{n} transactions for 40 good writes");
}
