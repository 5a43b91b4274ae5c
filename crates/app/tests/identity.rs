//! Correcting who a person is: only what differs is written, with its reason; a wrong form
//! says every problem at once and writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::fields::Problem;
use vigilia_app::identity::{self, IdentityForm};
use vigilia_app::intake::{self, Incoming, ReportForm};
use vigilia_app::{Actor, AppError, merges, triage, write};
use vigilia_core::clock::FixedClock;
use vigilia_core::fold::Record;
use vigilia_core::ids::{PersonId, ReportId};
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::model::{Channel, Person, Service, Sex};
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger};

/// A registry on 20 November 2026 with two persons accepted from volunteers' reports, which
/// say neither sex nor whether they are military.
fn registry(dir: &tempfile::TempDir) -> Ledger {
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let profile = Profile::venezuela().unwrap();
    let mut l = Ledger::create(&url, clock, profile.clone(), "test").unwrap();
    for (n, given) in ["Yusmary", "Ana"].iter().enumerate() {
        let incoming = Incoming {
            form: ReportForm {
                given_names: (*given).into(),
                paternal_surname: "Bracho".into(),
                maternal_surname: "Ochoa".into(),
                national_id: format!("V-1234567{n}"),
                arrest_date: "15/11/2026".into(),
                consent: "named".into(),
                ..ReportForm::default()
            },
            channel: Channel::Volunteer,
            reporter: Some("t-volunteer".into()),
            receipt: None,
        };
        write(&mut l, |tx| intake::receive(tx, &incoming, &profile))
            .unwrap()
            .unwrap();
        let id = ReportId(n as u64 + 1);
        write(&mut l, |tx| triage::accept_new(tx, &operator(), id)).unwrap();
    }
    l
}

fn operator() -> Actor {
    Actor::operator("clave")
}

fn person(l: &mut Ledger, id: u64) -> Person {
    match l.get(PersonId(id).into()).unwrap() {
        Some(Record::Person(p)) => p,
        other => panic!("{other:?}"),
    }
}

fn correct(l: &mut Ledger, id: u64, f: &IdentityForm) -> Result<Vec<&'static str>, AppError> {
    write(l, |tx| identity::correct(tx, &operator(), PersonId(id), f))
}

#[test]
fn a_correction_writes_what_differs_with_its_reason_and_empties_what_was_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let before = person(&mut l, 1);
    assert_eq!(before.identity.sex, None);
    assert_eq!(before.identity.service, None);
    // The form as the page fills it: what is recorded, then the lawyer's corrections.
    let form = IdentityForm {
        sex: "F".into(),
        birth_date: "04/03/1990".into(),
        service: "military".into(),
        rank: "sargento".into(),
        maternal_surname: String::new(),
        reason: "cédula vista por la abogada".into(),
        ..IdentityForm::of(&before.identity)
    };
    let changed = correct(&mut l, 1, &form).unwrap();
    assert_eq!(
        changed,
        ["maternal_surname", "sex", "birth_date", "service", "rank"]
    );
    let after = person(&mut l, 1);
    assert_eq!(after.identity.sex, Some(Sex::F));
    assert_eq!(after.identity.service, Some(Service::Military));
    assert_eq!(after.identity.rank.as_deref(), Some("sargento"));
    assert_eq!(after.identity.maternal_surname, None, "emptied: not known");
    assert_eq!(
        after.identity.national_id, before.identity.national_id,
        "left as it was"
    );
    assert_eq!(after.identity.full_name(), "Yusmary Bracho");
    // The history says what was set, what was emptied, and why, in words.
    let last = l.changes(PersonId(1).into()).unwrap().pop().unwrap();
    assert_eq!(last.actor, "clave");
    assert_eq!(
        last.change.localize(Lang::Es),
        "datos corregidos: sexo: mujer; nacimiento: 04/03/1990; militar; grado: sargento; \
         sin dato: segundo apellido (cédula vista por la abogada)"
    );
    // The same form again changes nothing, and says so instead of writing a second line.
    let head = l.head().unwrap();
    let again = IdentityForm {
        reason: "otra vez".into(),
        ..IdentityForm::of(&after.identity)
    };
    match correct(&mut l, 1, &again) {
        Err(AppError::Invalid(e)) => {
            assert!(matches!(
                e.iter().collect::<Vec<_>>().as_slice(),
                [("reason", Problem::NothingChanged)]
            ))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(l.head().unwrap(), head, "nothing written");
}

#[test]
fn a_wrong_correction_says_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let head = l.head().unwrap();
    let was = person(&mut l, 1);
    let form = IdentityForm {
        given_names: "Yusmary 2".into(),
        national_id: "V-12A".into(),
        birth_date: "31/02/1990".into(),
        sex: "mujer".into(),
        service: "policía".into(),
        reason: "  ".into(),
        ..IdentityForm::of(&was.identity)
    };
    match correct(&mut l, 1, &form) {
        Err(AppError::Invalid(e)) => {
            let fields: Vec<&str> = e.iter().map(|(f, _)| f).collect();
            assert_eq!(
                fields,
                [
                    "birth_date",
                    "given_names",
                    "national_id",
                    "reason",
                    "service",
                    "sex"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    // A person left without a name, a surname or a cédula could not be found again.
    let nameless = IdentityForm {
        given_names: String::new(),
        paternal_surname: String::new(),
        maternal_surname: String::new(),
        national_id: String::new(),
        reason: "no se sabe".into(),
        ..IdentityForm::of(&was.identity)
    };
    match correct(&mut l, 1, &nameless) {
        Err(AppError::Invalid(e)) => assert!(e.has("given_names")),
        other => panic!("{other:?}"),
    }
    // A birth date after today is a typing mistake.
    let future = IdentityForm {
        birth_date: "2027".into(),
        reason: "r".into(),
        ..IdentityForm::of(&was.identity)
    };
    match correct(&mut l, 1, &future) {
        Err(AppError::Invalid(e)) => assert!(e.has("birth_date")),
        other => panic!("{other:?}"),
    }
    assert_eq!(l.head().unwrap(), head, "nothing written");
    assert_eq!(person(&mut l, 1), was);
}

#[test]
fn a_person_merged_into_another_is_corrected_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    write(&mut l, |tx| {
        merges::merge(tx, &operator(), PersonId(2), PersonId(1), "la misma", None)
    })
    .unwrap();
    let was = person(&mut l, 2);
    let form = IdentityForm {
        sex: "F".into(),
        reason: "vista".into(),
        ..IdentityForm::of(&was.identity)
    };
    match correct(&mut l, 2, &form) {
        Err(AppError::AlreadyMerged { person, into }) => {
            assert_eq!((person, into), (PersonId(2), PersonId(1)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(person(&mut l, 2), was);
}
