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
    // Who carries a cédula, as the web's index would say.
    let index = vigilia_app::search::SearchIndex::of(l).unwrap();
    let holders = |n: &vigilia_core::national_id::NationalId| index.with_national_id(n).to_vec();
    write(l, |tx| {
        identity::correct(tx, &operator(), PersonId(id), f, &holders)
    })
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
        sex: Some("F".into()),
        birth_date: Some("04/03/1990".into()),
        service: Some("military".into()),
        rank: Some("sargento".into()),
        maternal_surname: Some(String::new()),
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
        given_names: Some("Yusmary 2".into()),
        national_id: Some("V-12A".into()),
        birth_date: Some("31/02/1990".into()),
        sex: Some("mujer".into()),
        service: Some("policía".into()),
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
        given_names: Some(String::new()),
        paternal_surname: Some(String::new()),
        maternal_surname: Some(String::new()),
        national_id: Some(String::new()),
        reason: "no se sabe".into(),
        ..IdentityForm::of(&was.identity)
    };
    match correct(&mut l, 1, &nameless) {
        Err(AppError::Invalid(e)) => assert!(e.has("given_names")),
        other => panic!("{other:?}"),
    }
    // A birth date after today is a typing mistake.
    let future = IdentityForm {
        birth_date: Some("2027".into()),
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
        sex: Some("F".into()),
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

#[test]
fn a_form_opened_before_another_correction_does_not_undo_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let opened = IdentityForm::of(&person(&mut l, 1).identity);
    // Meanwhile a lawyer records her cédula as it is on her ID.
    let lawyer = IdentityForm {
        national_id: Some("V-30111222".into()),
        reason: "cédula vista".into(),
        ..IdentityForm::of(&person(&mut l, 1).identity)
    };
    correct(&mut l, 1, &lawyer).unwrap();
    let stale = IdentityForm {
        service: Some("military".into()),
        reason: "es militar".into(),
        ..opened
    };
    match correct(&mut l, 1, &stale) {
        Err(AppError::Invalid(e)) => assert!(matches!(
            e.iter().collect::<Vec<_>>().as_slice(),
            [("reason", Problem::ChangedMeanwhile)]
        )),
        other => panic!("{other:?}"),
    }
    let now = person(&mut l, 1);
    assert_eq!(now.identity.national_id.unwrap().to_string(), "V-30111222");
    assert_eq!(now.identity.service, None);
}

#[test]
fn a_body_that_names_one_field_changes_that_field_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let was = person(&mut l, 1);
    // As the API sends it: the fields it changes, nothing of what the form shows.
    let sex_only = IdentityForm {
        sex: Some("F".into()),
        reason: "la vi en la audiencia".into(),
        ..IdentityForm::default()
    };
    assert_eq!(correct(&mut l, 1, &sex_only).unwrap(), ["sex"]);
    let now = person(&mut l, 1);
    assert_eq!(now.identity.sex, Some(Sex::F));
    assert_eq!(now.identity.maternal_surname, was.identity.maternal_surname);
    assert_eq!(now.identity.national_id, was.identity.national_id);
}

#[test]
fn a_name_the_form_would_refuse_is_kept_when_another_field_is_corrected() {
    use vigilia_core::fact::Draft;
    use vigilia_core::model::Identity;
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    // Imported long ago, with a nickname in brackets and two spaces.
    write(&mut l, |tx| {
        let recorded_on = tx.today()?;
        tx.append(Draft {
            recorded_on,
            actor: "import".into(),
            subject: PersonId(1).into(),
            change: vigilia_core::fact::Change::PersonStated {
                reference: None,
                identity: Identity {
                    given_names: Some("Luis  (Cheo)".into()),
                    ..Identity::default()
                },
                disclosure: None,
                cleared: vec![],
                reason: None,
            },
            sources: vec![],
        })?;
        Ok(())
    })
    .unwrap();
    let form = IdentityForm {
        sex: Some("M".into()),
        reason: "lo dijo su madre".into(),
        ..IdentityForm::of(&person(&mut l, 1).identity)
    };
    assert_eq!(correct(&mut l, 1, &form).unwrap(), ["sex"]);
    assert_eq!(
        person(&mut l, 1).identity.given_names.as_deref(),
        Some("Luis  (Cheo)")
    );
}

#[test]
fn a_birth_date_that_makes_a_child_of_the_arrested_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let head = l.head().unwrap();
    // «24» is 2024: two years old at the arrest of November 2026.
    let form = IdentityForm {
        birth_date: Some("05/05/24".into()),
        reason: "la partida".into(),
        ..IdentityForm::of(&person(&mut l, 1).identity)
    };
    match correct(&mut l, 1, &form) {
        Err(AppError::Invalid(e)) => {
            let said: Vec<String> = e.iter().map(|(_, p)| p.localize(Lang::Es)).collect();
            assert_eq!(
                said,
                [
                    "Con esa fecha tendría 2 años en su detención del 15/11/2026: revise el año (con sus cuatro cifras, como 1990)."
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(l.head().unwrap(), head);
}

#[test]
fn a_cedula_that_is_another_persons_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = registry(&dir);
    let head = l.head().unwrap();
    let form = IdentityForm {
        national_id: Some("v-12.345.671".into()),
        reason: "la abogada la leyó".into(),
        ..IdentityForm::of(&person(&mut l, 1).identity)
    };
    match correct(&mut l, 1, &form) {
        Err(AppError::Invalid(e)) => assert!(matches!(
            e.iter().collect::<Vec<_>>().as_slice(),
            [("national_id", Problem::NationalIdTaken { person: Some(2) })]
        )),
        other => panic!("{other:?}"),
    }
    assert_eq!(l.head().unwrap(), head);
    // Once merged into her, it is the same person's.
    write(&mut l, |tx| {
        merges::merge(tx, &operator(), PersonId(2), PersonId(1), "la misma", None)
    })
    .unwrap();
    assert_eq!(correct(&mut l, 1, &form).unwrap(), ["national_id"]);
}
