//! The register of places against a state adversary's questions: a lawyer of some states asks
//! for a place "as known on" a day before a case left their states; a place page of a past day
//! shows neither who came later nor names corrected later; a one-click alias takes the text
//! whole; a places file adds only to the place it names exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use vigilia_app::places::{self, Register, Resolution};
use vigilia_app::{Actor, AppError, write};
use vigilia_core::clock::FixedClock;
use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{Change, Draft};
use vigilia_core::fold::KnownOn;
use vigilia_core::ids::{DetentionId, FacilityId, PersonId};
use vigilia_core::model::{Arrest, Custody, Dated, Identity, Role, Step};
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger};

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

fn date(s: &str) -> PartialDate {
    PartialDate::parse(s).unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    ledger: Ledger,
    coordinator: Actor,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-12-10T15:00:00Z".parse().unwrap()));
    let mut ledger = Ledger::create(&url, clock, Profile::venezuela().unwrap(), "test").unwrap();
    let coordinator = Actor::operator("test");
    write(&mut ledger, |tx| places::seed(tx, &coordinator)).unwrap();
    World {
        _dir: dir,
        ledger,
        coordinator,
    }
}

/// Appends a fact recorded on `on`.
fn fact(l: &mut Ledger, on: &str, subject: impl Into<vigilia_core::ids::Subject>, change: Change) {
    let subject = subject.into();
    write(l, |tx| {
        tx.append(Draft {
            recorded_on: day(on),
            actor: "test".into(),
            subject,
            change: change.clone(),
            sources: Vec::new(),
        })?;
        Ok(())
    })
    .unwrap();
}

fn arrest(on: &str, state: &str) -> Arrest {
    Arrest {
        date: date(on),
        state: Some(state.into()),
        municipality: None,
        agency: None,
        circumstances: None,
        context: Vec::new(),
        minor: None,
    }
}

/// A person `name` arrested on `on` in `state`, held at `place`, recorded on `on`.
fn detention(l: &mut Ledger, n: u64, name: &str, on: &str, state: &str, place: &str) {
    fact(
        l,
        on,
        PersonId(n),
        Change::PersonStated {
            reference: None,
            identity: Identity {
                given_names: Some(name.into()),
                ..Identity::default()
            },
            disclosure: None,
            cleared: Vec::new(),
            reason: None,
        },
    );
    fact(
        l,
        on,
        DetentionId(n),
        Change::DetentionOpened {
            person: PersonId(n),
            reference: Some(format!("D-{n}")),
            arrest: arrest(on, state),
            steps: vec![Dated {
                date: Some(date(on)),
                what: Step::Custody(Custody::Held {
                    facility: Some(place.into()),
                }),
            }],
            recognition: None,
            notes: None,
            group: None,
            previous: None,
        },
    );
}

fn lawyer_of(states: &[&str]) -> Actor {
    Actor {
        account: 0,
        name: "abogada".into(),
        role: Role::Lawyer,
        regions: states.iter().map(|s| s.to_string()).collect(),
    }
}

fn helicoide(l: &mut Ledger) -> FacilityId {
    match Register::load(l).unwrap().resolve("El Helicoide") {
        Resolution::Place(id) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_lawyer_of_some_states_sees_no_one_else_by_asking_a_past_day() {
    let mut w = world();
    detention(
        &mut w.ledger,
        1,
        "Zoraida",
        "2026-12-01",
        "VE-Z",
        "El Helicoide",
    );
    // Moved to Zulia on the 6th: out of the Amazonas lawyer's states.
    fact(
        &mut w.ledger,
        "2026-12-06",
        DetentionId(1),
        Change::ArrestCorrected {
            arrest: arrest("2026-12-01", "VE-V"),
        },
    );
    let id = helicoide(&mut w.ledger);
    let amazonas = lawyer_of(&["VE-Z"]);
    // A lawyer's account: an operator-like actor with account 0 is taken as given.
    for known_on in [KnownOn::NOW, KnownOn(Some(day("2026-12-05")))] {
        let page = places::page(&mut w.ledger, &amazonas, id, day("2026-12-10"), known_on).unwrap();
        assert!(
            page.held_now.is_empty(),
            "{known_on:?}: {:?}",
            page.held_now
        );
        let list = places::places(&mut w.ledger, &amazonas, day("2026-12-10"), known_on).unwrap();
        let row = list.rows.iter().find(|r| r.place.id == id).unwrap();
        assert_eq!(row.held, 0, "{known_on:?}");
    }
    let zulia = lawyer_of(&["VE-V"]);
    let page = places::page(&mut w.ledger, &zulia, id, day("2026-12-10"), KnownOn::NOW).unwrap();
    assert_eq!(page.held_now.len(), 1);
}

#[test]
fn a_place_on_a_past_day_is_as_it_was_then() {
    let mut w = world();
    detention(
        &mut w.ledger,
        1,
        "Zoraida",
        "2026-12-01",
        "VE-A",
        "El Helicoide",
    );
    // Transferred to Rodeo II on the 4th; her name corrected on the 7th.
    fact(
        &mut w.ledger,
        "2026-12-04",
        DetentionId(1),
        Change::StepRecorded(Dated {
            date: Some(date("2026-12-04")),
            what: Step::Custody(Custody::Held {
                facility: Some("Rodeo II".into()),
            }),
        }),
    );
    fact(
        &mut w.ledger,
        "2026-12-07",
        PersonId(1),
        Change::PersonStated {
            reference: None,
            identity: Identity {
                given_names: Some("Zoraida Corregida".into()),
                ..Identity::default()
            },
            disclosure: None,
            cleared: Vec::new(),
            reason: None,
        },
    );
    let rodeo = match Register::load(&mut w.ledger).unwrap().resolve("Rodeo II") {
        Resolution::Place(id) => id,
        other => panic!("{other:?}"),
    };
    let c = w.coordinator.clone();
    let before = places::page(&mut w.ledger, &c, rodeo, day("2026-12-02"), KnownOn::NOW).unwrap();
    assert!(
        before.held_before.is_empty() && before.held_now.is_empty(),
        "not there yet on the 2nd"
    );
    let then = places::page(
        &mut w.ledger,
        &c,
        rodeo,
        day("2026-12-05"),
        KnownOn(Some(day("2026-12-05"))),
    )
    .unwrap();
    assert_eq!(then.held_now.len(), 1);
    assert_eq!(then.held_now[0].name, "Zoraida", "the name as known then");
    // A count and an observation recorded on the 9th are not known on the 5th.
    write(&mut w.ledger, |tx| {
        places::count(
            tx,
            &c,
            rodeo,
            &places::CountForm {
                date: "03/12/2026".into(),
                count: "4321".into(),
            },
        )
    })
    .unwrap();
    let list = places::places(
        &mut w.ledger,
        &c,
        day("2026-12-05"),
        KnownOn(Some(day("2026-12-05"))),
    )
    .unwrap();
    let row = list.rows.iter().find(|r| r.place.id == rodeo).unwrap();
    assert!(row.place.population().is_none(), "counted later");
    let list = places::places(&mut w.ledger, &c, day("2026-12-02"), KnownOn::NOW).unwrap();
    let row = list.rows.iter().find(|r| r.place.id == rodeo).unwrap();
    assert!(
        row.place.population().is_none(),
        "a count of the 3rd is not one of the 2nd"
    );
}

#[test]
fn an_alias_is_taken_whole_and_a_file_adds_only_to_the_place_it_names() {
    let mut w = world();
    let c = w.coordinator.clone();
    let id = match Register::load(&mut w.ledger).unwrap().resolve("Zona 7") {
        Resolution::Place(id) => id,
        other => panic!("{other:?}"),
    };
    write(&mut w.ledger, |tx| {
        places::add_alias(tx, &c, id, "Calabozo La Trampa; SEBIN")
    })
    .unwrap();
    let r = Register::load(&mut w.ledger).unwrap();
    assert_eq!(
        r.resolve("Calabozo La Trampa; SEBIN"),
        Resolution::Place(id)
    );
    assert!(!matches!(r.resolve("SEBIN"), Resolution::Place(p) if p == id));
    // A name another place has is refused.
    let taken = write(&mut w.ledger, |tx| {
        places::add_alias(tx, &c, id, "Helicoide")
    });
    assert!(matches!(taken, Err(AppError::Invalid(_))), "{taken:?}");
    // "Yare II" is not Yare I: a new place.
    let done = write(&mut w.ledger, |tx| {
        places::import_places(
            tx,
            &c,
            std::path::Path::new("lugares.csv"),
            b"name,state,capacity,population,population_on\nYare II,Miranda,750,1200,2026-11-01\n",
        )
    })
    .unwrap();
    assert_eq!((done.added, done.updated), (1, 0));
    let r = Register::load(&mut w.ledger).unwrap();
    let yare_i = r.places.iter().find(|p| p.name == "Yare I").unwrap();
    assert!(yare_i.populations.is_empty());
}
