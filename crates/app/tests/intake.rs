//! What the public can add to a report is bounded: each addition's length, and how many one
//! report takes (each is a permanent fact).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::intake::{self, Incoming, MAX_ADDITIONS, ReportForm};
use vigilia_app::{AppError, write};
use vigilia_core::clock::FixedClock;
use vigilia_core::model::Channel;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger};

#[test]
fn a_report_takes_bounded_additions_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let profile = Profile::venezuela().unwrap();
    let mut l = Ledger::create(&url, clock, profile.clone(), "test").unwrap();
    let incoming = Incoming {
        form: ReportForm {
            given_names: "María José".into(),
            paternal_surname: "Rodríguez".into(),
            arrest_date: "2026-11-01".into(),
            consent: "initials".into(),
            ..ReportForm::default()
        },
        channel: Channel::Family,
        reporter: None,
        receipt: None,
    };
    let id = write(&mut l, |tx| intake::receive(tx, &incoming, &profile))
        .unwrap()
        .unwrap();
    let add = |l: &mut Ledger, text: &str| write(l, |tx| intake::add_to_report(tx, id, text));
    assert!(matches!(add(&mut l, "   "), Err(AppError::AdditionLength)));
    assert!(matches!(
        add(&mut l, &"x".repeat(5001)),
        Err(AppError::AdditionLength)
    ));
    for i in 0..MAX_ADDITIONS {
        add(&mut l, &format!("novedad {i}")).unwrap();
    }
    let facts = l.head().unwrap().facts;
    let refused = add(&mut l, "una más").unwrap_err();
    assert!(matches!(refused, AppError::ReportFull));
    let said = vigilia_core::lang::Localize::localize(&refused, vigilia_core::lang::Lang::Es);
    assert!(said.contains("canales habituales"), "{said}");
    assert_eq!(l.head().unwrap().facts, facts, "nothing stored");
}

/// A count of people is read as people write it: "1.200" is a thousand two hundred.
#[test]
fn a_count_is_read_with_its_thousands_dot() {
    let profile = Profile::venezuela().unwrap();
    let today = jiff::civil::date(2026, 11, 20);
    let form = |count: &str| ReportForm {
        given_names: "Ana".into(),
        arrest_date: "12/11/2026".into(),
        consent: "initials".into(),
        count: count.into(),
        ..ReportForm::default()
    };
    let valid = form("1.200").check(&profile, today, true).unwrap();
    assert_eq!(valid.details.count, Some(1200));
    assert!(form("1,5").check(&profile, today, true).is_err());
}

/// Two people named in one report, accepted in one transaction (two coordinators' clicks
/// batched by the writer): the second sees the group the first made in the same transaction,
/// and joins it, so the arrest is one group, counted once.
#[test]
fn people_named_together_and_accepted_in_one_transaction_make_one_group() {
    use vigilia_core::fold::{KnownOn, Record};
    use vigilia_core::ids::{Kind, ReportId};
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let profile = Profile::venezuela().unwrap();
    let mut l = Ledger::create(&url, clock, profile.clone(), "test").unwrap();
    let incoming = Incoming {
        form: ReportForm {
            given_names: "Ana".into(),
            paternal_surname: "Pérez".into(),
            arrest_date: "15/11/2026".into(),
            consent: "initials".into(),
            count: "20".into(),
            others: "Berta Rojas\nCarla Díaz".into(),
            ..ReportForm::default()
        },
        channel: Channel::Volunteer,
        reporter: Some("t-volunteer".into()),
        receipt: None,
    };
    write(&mut l, |tx| intake::receive(tx, &incoming, &profile))
        .unwrap()
        .unwrap();
    let operator = vigilia_app::Actor::operator("clave");
    write(&mut l, |tx| {
        for n in [2, 3, 1] {
            vigilia_app::triage::accept_new(tx, &operator, ReportId(n))?;
        }
        Ok(())
    })
    .unwrap();
    let mut groups = Vec::new();
    l.fold_all(Kind::Group, KnownOn::NOW, &mut |r| {
        if let Record::Group(g) = r {
            groups.push((g.count, g.identified.len()));
        }
    })
    .unwrap();
    assert_eq!(groups, vec![(20, 3)]);
}
