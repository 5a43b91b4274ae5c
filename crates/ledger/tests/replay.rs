//! Property: the registry's state depends on each record's own facts in their order, not on
//! how the records' facts were interleaved in the ledger. Two registries fed the same facts in
//! two different interleavings (each record's facts in order, a person before its detentions)
//! end with the same projection, byte for byte, and both chains verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use proptest::prelude::*;
use vigilia_core::clock::FixedClock;
use vigilia_core::date::PartialDate;
use vigilia_core::fact::Change;
use vigilia_core::ids::{DetentionId, PersonId, Subject};
use vigilia_core::model::{Arrest, Custody, Dated, End, EndType, Identity, Step};
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger};

/// One detention: arrest day, the steps (day, held or whereabouts unknown), an end.
type Case = (u8, Vec<(u8, bool)>, Option<(u8, bool)>);

fn date(day: u8) -> PartialDate {
    let d = jiff::civil::date(2024, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap();
    PartialDate::parse(&d.to_string()).unwrap()
}

/// Each person's facts, in order: who they are, then each detention's facts.
fn groups(persons: &[(String, Vec<Case>)]) -> Vec<Vec<(Subject, Change)>> {
    let mut next_detention = 0;
    let mut out = Vec::new();
    for (i, (name, cases)) in persons.iter().enumerate() {
        let p = PersonId(i as u64 + 1);
        let mut facts = vec![(
            p.into(),
            Change::PersonStated {
                reference: Some(format!("P{i}")),
                identity: Identity {
                    given_names: Some(name.clone()),
                    ..Identity::default()
                },
                disclosure: None,
                cleared: vec![],
                reason: None,
            },
        )];
        for (arrest, steps, end) in cases {
            next_detention += 1;
            let d = DetentionId(next_detention);
            facts.push((
                d.into(),
                Change::DetentionOpened {
                    person: p,
                    reference: Some(format!("D{next_detention}")),
                    arrest: Arrest {
                        date: date(*arrest),
                        state: Some("VE-V".into()),
                        municipality: None,
                        agency: None,
                        circumstances: None,
                        context: vec![],
                        minor: None,
                    },
                    steps: vec![],
                    recognition: None,
                    notes: None,
                    group: None,
                    previous: None,
                },
            ));
            for (after, unknown) in steps {
                let custody = if *unknown {
                    Custody::WhereaboutsUnknown
                } else {
                    Custody::Held {
                        facility: Some("El Helicoide".into()),
                    }
                };
                facts.push((
                    d.into(),
                    Change::StepRecorded(Dated {
                        date: Some(date(arrest.saturating_add(*after))),
                        what: Step::Custody(custody),
                    }),
                ));
            }
            if let Some((after, died)) = end {
                facts.push((
                    d.into(),
                    Change::Ended {
                        end: End {
                            date: date(arrest.saturating_add(*after)),
                            kind: if *died {
                                EndType::DiedInCustody
                            } else {
                                EndType::Released
                            },
                        },
                    },
                ));
            }
        }
        out.push(facts);
    }
    out
}

/// Replays the groups in the interleaving the picks choose; returns the projection digest.
fn replay(groups: &[Vec<(Subject, Change)>], picks: &[usize]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock("2024-12-31T00:00:00Z".parse().unwrap()));
    let mut ledger = Ledger::create(
        &DatabaseUrl::Sqlite(dir.path().join("r.db")),
        clock,
        Profile::venezuela().unwrap(),
        "t",
    )
    .unwrap();
    let mut next = vec![0; groups.len()];
    let mut picks = picks.iter().cycle();
    while next.iter().zip(groups).any(|(n, g)| *n < g.len()) {
        let open: Vec<usize> = (0..groups.len())
            .filter(|&g| next[g] < groups[g].len())
            .collect();
        let g = open[picks.next().unwrap() % open.len()];
        let (subject, change) = groups[g][next[g]].clone();
        ledger.record("t", subject, change).unwrap();
        next[g] += 1;
    }
    ledger.verify(&mut |_| {}).unwrap();
    ledger.projection_digest().unwrap()
}

fn case() -> impl Strategy<Value = Case> {
    (
        0u8..200,
        prop::collection::vec((0u8..40, any::<bool>()), 0..3),
        prop::option::of((0u8..60, any::<bool>())),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_interleaving_that_keeps_each_records_order_gives_the_same_state(
        persons in prop::collection::vec(("[A-Z][a-z]{2,8}", prop::collection::vec(case(), 1..3)), 1..5),
        first in prop::collection::vec(0usize..8, 1..20),
        second in prop::collection::vec(0usize..8, 1..20),
    ) {
        let groups = groups(&persons);
        prop_assert_eq!(replay(&groups, &first), replay(&groups, &second));
    }
}
