//! Small registries built fact by fact for the counting tests.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use vigilia_core::date::{Day, PartialDate};
use vigilia_core::fact::{AppendedAt, Change, Draft, Fact, FactRow, Hash};
use vigilia_core::ids::{DetentionId, PersonId, Subject};
use vigilia_core::model::{
    Arrest, Dated, End, EndType, Identity, Recognition, RecognitionStatus, Service, Sex, Step,
};
use vigilia_core::profile::Profile;
use vigilia_count::{Index, IndexBuilder};

pub fn day(s: &str) -> Day {
    s.parse().unwrap()
}

pub struct Registry {
    seq: u64,
    pub persons: Vec<Vec<Fact>>,
    pub detentions: Vec<Vec<Fact>>,
}

impl Registry {
    pub fn new() -> Self {
        Registry {
            seq: 0,
            persons: vec![],
            detentions: vec![],
        }
    }

    pub fn fact(&mut self, subject: Subject, recorded_on: &str, change: Change) -> Fact {
        self.seq += 1;
        let draft = Draft {
            recorded_on: day(recorded_on),
            actor: "t".into(),
            subject,
            change,
            sources: vec![],
        };
        FactRow::seal(
            draft,
            self.seq,
            &AppendedAt::new("2026-01-01T00:00:00Z".parse().unwrap()),
            Hash::GENESIS,
        )
        .1
    }

    /// A person with one detention; returns the detention's index for later facts.
    pub fn detention(
        &mut self,
        sex: Sex,
        arrest: &str,
        recorded: &str,
        status: RecognitionStatus,
        steps: Vec<Dated<Step>>,
    ) -> usize {
        let pid = self.person(sex, None, recorded);
        self.open(pid, arrest, None, recorded, status, steps)
    }

    /// A person; `legacy_minor` is the person-level flag that registries stored before each
    /// detention had its own.
    pub fn person(&mut self, sex: Sex, legacy_minor: Option<bool>, recorded: &str) -> PersonId {
        let pid = PersonId(self.persons.len() as u64 + 1);
        let identity = Identity {
            sex: Some(sex),
            service: Some(Service::Civilian),
            nationalities: vec!["VE".into()],
            legacy_minor,
            ..Identity::default()
        };
        let pf = self.fact(
            pid.into(),
            recorded,
            Change::PersonStated {
                reference: None,
                identity,
                disclosure: None,
                cleared: vec![],
                reason: None,
            },
        );
        self.persons.push(vec![pf]);
        pid
    }

    /// A detention of `person`, marked minor (under 18 at this arrest) or not, or neither.
    pub fn open(
        &mut self,
        person: PersonId,
        arrest: &str,
        minor: Option<bool>,
        recorded: &str,
        status: RecognitionStatus,
        steps: Vec<Dated<Step>>,
    ) -> usize {
        let did = DetentionId(self.detentions.len() as u64 + 1);
        let arrest = Arrest {
            date: PartialDate::parse(arrest).unwrap(),
            state: Some("VE-V".into()),
            municipality: None,
            agency: Some("SEBIN".into()),
            circumstances: None,
            context: vec!["post-election 2024".into()],
            minor,
        };
        let recognition = Some(Recognition {
            status,
            category: Some(2),
            reviewer: None,
            reason: None,
            criteria: vec![],
        });
        let df = self.fact(
            did.into(),
            recorded,
            Change::DetentionOpened {
                person,
                reference: None,
                arrest,
                steps,
                recognition,
                notes: None,
                group: None,
                previous: None,
            },
        );
        self.detentions.push(vec![df]);
        self.detentions.len() - 1
    }

    pub fn end(&mut self, i: usize, date: &str, kind: EndType, recorded: &str) {
        let did = DetentionId(i as u64 + 1);
        let f = self.fact(
            did.into(),
            recorded,
            Change::Ended {
                end: End {
                    date: PartialDate::parse(date).unwrap(),
                    kind,
                },
            },
        );
        self.detentions[i].push(f);
    }

    pub fn index(&self) -> Index {
        let mut b = IndexBuilder::new(Profile::venezuela().unwrap());
        for p in &self.persons {
            b.add_person(p);
        }
        for d in &self.detentions {
            b.add_detention(d);
        }
        b.finish()
    }
}
