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

/// A new registry in `dir`, on 20 November 2026, with Venezuela's profile.
fn ledger(dir: &tempfile::TempDir) -> (Ledger, Profile) {
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display())).unwrap();
    let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
    let profile = Profile::venezuela().unwrap();
    let l = Ledger::create(&url, clock, profile.clone(), "test").unwrap();
    (l, profile)
}

#[test]
fn a_report_takes_bounded_additions_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (mut l, profile) = ledger(&dir);
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
    let (mut l, profile) = ledger(&dir);
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

/// Whatever a coordinator decides for each person one report named, in whatever order (accept
/// as new, attach to the detention already registered for that person, attach to that
/// person, reject), the arrest is one group detention, every detention the family made or
/// joined is identified in it once, and it counts the reporter's number, or, without one, the
/// people identified: nobody counted twice, no empty place left by a duplicate line.
#[test]
fn every_order_of_triage_of_a_family_counts_each_person_once() {
    use vigilia_app::triage::{self, AttachTo};
    use vigilia_core::fold::{KnownOn, Record};
    use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId};
    #[derive(Clone, Copy, Debug)]
    enum Decision {
        New,
        ToDetention,
        ToPerson,
        Reject,
    }
    let orders = [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ];
    let decisions = [
        Decision::New,
        Decision::ToDetention,
        Decision::ToPerson,
        Decision::Reject,
    ];
    for count in ["", "3"] {
        for order in orders {
            // Pedro (report 3) was already registered (report 4, accepted first: detention 1).
            for pedro in decisions {
                let dir = tempfile::tempdir().unwrap();
                let url =
                    DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("r.db").display()))
                        .unwrap();
                let clock = Arc::new(FixedClock("2026-11-20T15:00:00Z".parse().unwrap()));
                let profile = Profile::venezuela().unwrap();
                let mut l = Ledger::create(&url, clock, profile.clone(), "test").unwrap();
                let form = |given: &str, others: &str| ReportForm {
                    given_names: given.into(),
                    paternal_surname: "Pérez".into(),
                    arrest_date: "15/11/2026".into(),
                    consent: "initials".into(),
                    count: count.into(),
                    others: others.into(),
                    ..ReportForm::default()
                };
                let send = |l: &mut Ledger, form: ReportForm| {
                    let incoming = Incoming {
                        form,
                        channel: Channel::Volunteer,
                        reporter: Some("v".into()),
                        receipt: None,
                    };
                    write(l, |tx| intake::receive(tx, &incoming, &profile))
                        .unwrap()
                        .unwrap()
                };
                send(&mut l, form("Ana", "Berta Pérez\nPedro Pérez"));
                let op = vigilia_app::Actor::operator("c");
                let alone = send(
                    &mut l,
                    ReportForm {
                        count: String::new(),
                        ..form("Pedro", "")
                    },
                );
                assert_eq!(alone, ReportId(4));
                let pedro_detention = write(&mut l, |tx| triage::accept_new(tx, &op, alone))
                    .unwrap()
                    .unwrap();
                assert_eq!(pedro_detention, DetentionId(1));
                for n in order {
                    let id = ReportId(n);
                    let decision = if n == 3 { pedro } else { Decision::New };
                    write(&mut l, |tx| match decision {
                        Decision::New => triage::accept_new(tx, &op, id).map(|_| ()),
                        Decision::ToDetention => {
                            triage::attach(tx, &op, id, AttachTo::Detention(pedro_detention))
                                .map(|_| ())
                        }
                        Decision::ToPerson => {
                            triage::attach(tx, &op, id, AttachTo::Person(PersonId(1))).map(|_| ())
                        }
                        Decision::Reject => triage::reject(tx, &op, id, "duplicado"),
                    })
                    .unwrap();
                }
                let mut groups = Vec::new();
                l.fold_all(Kind::Group, KnownOn::NOW, &mut |r| {
                    if let Record::Group(g) = r {
                        groups.push(g);
                    }
                })
                .unwrap();
                let case = format!("count {count:?}, order {order:?}, Pedro {pedro:?}");
                assert_eq!(groups.len(), 1, "{case}");
                let g = &groups[0];
                let mut family_detentions = Vec::new();
                l.fold_all(Kind::Detention, KnownOn::NOW, &mut |r| {
                    if let Record::Detention(d) = r
                        && d.id != pedro_detention
                    {
                        family_detentions.push(d.id);
                    }
                })
                .unwrap();
                // Pedro's own earlier detention joins the group when his line is attached to it.
                if matches!(pedro, Decision::ToDetention) {
                    family_detentions.push(pedro_detention);
                }
                let mut identified = g.identified.clone();
                identified.sort();
                identified.dedup();
                assert_eq!(identified.len(), g.identified.len(), "{case}: twice");
                family_detentions.sort();
                assert_eq!(identified, family_detentions, "{case}");
                let people = g.identified.len() as u32;
                let expected = if count.is_empty() { people } else { 3 };
                assert_eq!(g.count, expected, "{case}");
            }
        }
    }
}

/// A report attached to a registered person's detention withdraws a wider consent to publish
/// only when it comes from those who speak for the person (the family, on the phone or the
/// public form; their lawyer) and names the person as its own: not a press report's caution,
/// nor a partner's list, whose people never gave it theirs, nor another family's report that
/// names the person among others, nor a report that names nobody.
#[test]
fn only_those_who_speak_for_a_person_narrow_their_consent_by_a_report() {
    use vigilia_app::triage::{self, AttachTo};
    use vigilia_core::fact::{Change, Draft};
    use vigilia_core::fold::Record;
    use vigilia_core::ids::{DetentionId, Kind, PersonId, ReportId};
    use vigilia_core::model::Disclosure;
    let dir = tempfile::tempdir().unwrap();
    let (mut l, profile) = ledger(&dir);
    let form = |consent: &str| ReportForm {
        given_names: "Ana".into(),
        paternal_surname: "Pérez".into(),
        arrest_date: "15/11/2026".into(),
        consent: consent.into(),
        ..ReportForm::default()
    };
    let incoming = Incoming {
        form: form("named"),
        channel: Channel::Volunteer,
        reporter: Some("t-volunteer".into()),
        receipt: None,
    };
    write(&mut l, |tx| intake::receive(tx, &incoming, &profile))
        .unwrap()
        .unwrap();
    let operator = vigilia_app::Actor::operator("clave");
    write(&mut l, |tx| triage::accept_new(tx, &operator, ReportId(1))).unwrap();
    let disclosure = |l: &mut Ledger| match l.get(PersonId(1).into()).unwrap() {
        Some(Record::Person(p)) => p.disclosure,
        other => panic!("{other:?}"),
    };
    assert_eq!(disclosure(&mut l), Disclosure::Named);
    // A report as a channel other than the forms stores it, counted only, attached to her
    // detention.
    let counted_only = |l: &mut Ledger,
                        channel: Channel,
                        list: Option<&str>,
                        details: Option<vigilia_core::model::Reported>| {
        write(l, |tx| {
            let id = ReportId(tx.new_id(Kind::Report));
            let today = tx.today()?;
            tx.append(Draft {
                recorded_on: today,
                actor: "clave".into(),
                subject: id.into(),
                change: Change::ReportReceived {
                    channel,
                    text: "se llevaron a varios".into(),
                    contact: None,
                    consent: Disclosure::CountOnly,
                    details,
                    reporter: None,
                    receipt: None,
                    list: list.map(String::from),
                },
                sources: vec![],
            })?;
            triage::attach(tx, &operator, id, AttachTo::Detention(DetentionId(1)))
        })
        .unwrap();
    };
    let ana = vigilia_core::model::Reported {
        given_names: Some("Ana".into()),
        paternal_surname: Some("Pérez".into()),
        ..Default::default()
    };
    // A press report and a partner's list naming her: the family's consent stands.
    for (channel, list) in [(Channel::Press, None), (Channel::Official, Some("Lista X"))] {
        counted_only(&mut l, channel, list, Some(ana.clone()));
        assert_eq!(disclosure(&mut l), Disclosure::Named, "{channel:?}");
    }
    // A volunteer's report of Berta, which names Ana among those detained with her and asks
    // that all be counted only: Berta's family, whose word it took, does not speak for Ana.
    let berta = Incoming {
        form: ReportForm {
            given_names: "Berta".into(),
            paternal_surname: "Rojas".into(),
            others: "Ana Pérez".into(),
            ..form("count_only")
        },
        channel: Channel::Volunteer,
        reporter: Some("t-volunteer".into()),
        receipt: None,
    };
    write(&mut l, |tx| intake::receive(tx, &berta, &profile))
        .unwrap()
        .unwrap();
    let ana_named_by_berta = ReportId(5);
    write(&mut l, |tx| {
        triage::attach(
            tx,
            &operator,
            ana_named_by_berta,
            AttachTo::Detention(DetentionId(1)),
        )
    })
    .unwrap();
    assert_eq!(disclosure(&mut l), Disclosure::Named, "named among others");
    // A report that names nobody (a count, a text) does not say whom it speaks for.
    counted_only(&mut l, Channel::Family, None, None);
    assert_eq!(
        disclosure(&mut l),
        Disclosure::Named,
        "a report without a name"
    );
    // Her family calls again and asks for initials only: that stands now.
    let incoming = Incoming {
        form: form("initials"),
        ..incoming
    };
    write(&mut l, |tx| intake::receive(tx, &incoming, &profile))
        .unwrap()
        .unwrap();
    let last = ReportId(7);
    write(&mut l, |tx| {
        triage::attach(tx, &operator, last, AttachTo::Detention(DetentionId(1)))
    })
    .unwrap();
    assert_eq!(disclosure(&mut l), Disclosure::Initials);
}

/// Two records merged by mistake, the stricter consent published for both while they were one:
/// split again, neither is published more than while merged (a family that asked for the
/// stricter meanwhile, by a report that changed nothing then, is not undone by the split).
#[test]
fn a_split_publishes_neither_person_more_than_while_they_were_merged() {
    use vigilia_app::{merges, triage};
    use vigilia_core::fold::Record;
    use vigilia_core::ids::{PersonId, ReportId};
    use vigilia_core::model::Disclosure;
    let dir = tempfile::tempdir().unwrap();
    let (mut l, profile) = ledger(&dir);
    let operator = vigilia_app::Actor::operator("clave");
    for (n, (given, consent)) in [("Ángel", "named"), ("Ana", "count_only")]
        .iter()
        .enumerate()
    {
        let incoming = Incoming {
            form: ReportForm {
                given_names: (*given).into(),
                paternal_surname: "Bracho".into(),
                arrest_date: "15/11/2026".into(),
                consent: (*consent).into(),
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
        write(&mut l, |tx| triage::accept_new(tx, &operator, id)).unwrap();
    }
    let disclosure = |l: &mut Ledger, id: u64| match l.get(PersonId(id).into()).unwrap() {
        Some(Record::Person(p)) => p.disclosure,
        other => panic!("{other:?}"),
    };
    write(&mut l, |tx| {
        let count_only = Some(Disclosure::CountOnly);
        merges::merge(
            tx,
            &operator,
            PersonId(1),
            PersonId(2),
            "la misma",
            count_only,
        )
    })
    .unwrap();
    let stricter_stays = write(&mut l, |tx| {
        merges::unmerge(tx, &operator, PersonId(1), "eran primos")
    })
    .unwrap();
    assert!(stricter_stays);
    assert_eq!(
        disclosure(&mut l, 1),
        Disclosure::CountOnly,
        "the one merged away"
    );
    assert_eq!(disclosure(&mut l, 2), Disclosure::CountOnly, "the one kept");
}
