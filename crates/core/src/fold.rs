//! The state of a record is a fold of its facts.
//!
//! Facts apply in ledger order. "As known on K" only filters: it sees the facts the organisation
//! had recorded on or before day K, so a balance computed for a past week can be reproduced as
//! it was published, and compared with what is known now.

use serde::{Deserialize, Serialize};

use crate::date::Day;
use crate::fact::{Change, Fact};
use crate::ids::{
    AccountId, DetentionId, FacilityId, GroupId, Kind, PersonId, ReportId, SourceId, Subject,
};
use crate::model::{
    Account, Addition, Detention, Facility, GroupDetention, Identity, Person, Report, Source,
};

/// "As known on": `None` is what is known now; `Some(K)` sees only facts recorded on or before K.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KnownOn(pub Option<Day>);

impl KnownOn {
    pub const NOW: KnownOn = KnownOn(None);

    pub fn sees(&self, fact: &Fact) -> bool {
        self.0.is_none_or(|k| fact.recorded_on <= k)
    }
}

/// The registry's own settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// The country profile, as TOML.
    pub profile: String,
    /// The age recipient (`age1…`) backups are encrypted to; its identity is kept offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_recipient: Option<String>,
    /// Public breakdowns name no value of fewer people than this (none: the default, 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_cells: Option<u64>,
    /// The certified lists made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certified: Vec<crate::fact::SignedFiles>,
    /// The open-data releases made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub released: Vec<crate::fact::SignedFiles>,
    /// The estimates of the undocumented published, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub estimates: Vec<crate::fact::EstimatePublication>,
}

/// Any record the ledger holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Registry(RegistryRecord),
    Person(Person),
    Detention(Detention),
    Report(Report),
    Source(Source),
    Facility(Facility),
    Group(GroupDetention),
    Publication(PublishedBalance),
    Account(Account),
}

/// A published balance, with its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedBalance {
    pub id: u64,
    /// The day it was published.
    pub published_on: Day,
    #[serde(flatten)]
    pub publication: crate::fact::Publication,
}

impl Record {
    /// Which record this is.
    pub fn subject(&self) -> Subject {
        match self {
            Record::Registry(_) => Subject::REGISTRY,
            Record::Person(p) => p.id.into(),
            Record::Detention(d) => d.id.into(),
            Record::Report(r) => r.id.into(),
            Record::Source(s) => s.id.into(),
            Record::Facility(f) => f.id.into(),
            Record::Group(g) => g.id.into(),
            Record::Publication(p) => Subject {
                kind: Kind::Publication,
                id: p.id,
            },
            Record::Account(a) => a.id.into(),
        }
    }

    /// The organisation's own reference, for records that have one.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Record::Person(p) => p.reference.as_deref(),
            Record::Detention(d) => d.reference.as_deref(),
            Record::Group(g) => g.reference.as_deref(),
            // An account is found by its name, a report by its receipt's hash.
            Record::Account(a) => Some(&a.name),
            Record::Report(r) => r.receipt.as_deref(),
            _ => None,
        }
    }

    /// The record this one belongs to: a detention's person, a matched report's detention, a
    /// source's report.
    pub fn parent(&self) -> Option<u64> {
        match self {
            Record::Detention(d) => Some(d.person.0),
            Record::Report(r) => r.matched_to.map(|d| d.0),
            Record::Source(s) => s.report.map(|r| r.0),
            _ => None,
        }
    }
}

/// What a place's entry states, over what it had.
fn apply_details(f: &mut Facility, d: crate::model::FacilityDetails) {
    f.state = d.state.or(f.state.take());
    f.kind = d.kind.or(f.kind);
    f.authority = d.authority.or(f.authority.take());
    f.capacity = d.capacity.or(f.capacity);
    for a in d.aliases {
        if a != f.name && !f.aliases.contains(&a) {
            f.aliases.push(a);
        }
    }
}

/// A fact that cannot apply to the record it names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("fact {seq}: {subject} does not exist yet, and this change does not create it")]
    NotCreated { seq: u64, subject: Subject },
    #[error("fact {seq}: {subject} already exists")]
    AlreadyExists { seq: u64, subject: Subject },
    #[error("fact {seq}: this change does not apply to a {kind}")]
    WrongKind { seq: u64, kind: &'static str },
    #[error("fact {seq}: {detail}")]
    Invalid { seq: u64, detail: String },
}

/// Folds a record's facts (in ledger order) as known on `known_on`.
pub fn fold<'a>(
    facts: impl IntoIterator<Item = &'a Fact>,
    known_on: KnownOn,
) -> Result<Option<Record>, FoldError> {
    let mut record = None;
    for fact in facts {
        if known_on.sees(fact) {
            record = Some(apply(record, fact.clone())?);
        }
    }
    Ok(record)
}

/// Applies one fact to the record as it stands (`None` before its first fact).
pub fn apply(record: Option<Record>, fact: Fact) -> Result<Record, FoldError> {
    let seq = fact.seq;
    let subject = fact.subject;
    let recorded_on = fact.recorded_on;
    let wrong = |kind: Kind| FoldError::WrongKind {
        seq,
        kind: kind.name(),
    };
    let Some(record) = record else {
        return create(fact);
    };
    if let Change::Audited { .. } = fact.change {
        return Ok(record);
    }
    if fact.change.creates() && !matches!(fact.change, Change::PersonStated { .. }) {
        return Err(FoldError::AlreadyExists { seq, subject });
    }
    Ok(match (record, fact.change) {
        (
            Record::Person(mut p),
            Change::PersonStated {
                reference,
                identity,
                disclosure,
                cleared,
                ..
            },
        ) => {
            if let Some(level) = disclosure {
                p.disclosure = level;
            }
            if reference.is_some() {
                p.reference = reference;
            }
            merge_identity(&mut p.identity, identity);
            for field in &cleared {
                clear_field(&mut p.identity, field)
                    .map_err(|detail| FoldError::Invalid { seq, detail })?;
            }
            Record::Person(p)
        }
        (Record::Person(mut p), Change::DisclosureSet { level, given_by }) => {
            p.disclosure = level;
            p.consent_by = given_by;
            p.consent_on = Some(recorded_on);
            Record::Person(p)
        }
        (Record::Person(mut p), Change::MergedInto { into, consent, .. }) => {
            if into == p.id {
                return Err(FoldError::Invalid {
                    seq,
                    detail: "a person cannot be merged into itself".into(),
                });
            }
            if let Some(already) = p.merged_into {
                return Err(FoldError::Invalid {
                    seq,
                    detail: format!(
                        "person {} is already merged into person {}",
                        p.id.0, already.0
                    ),
                });
            }
            p.merged_into = Some(into);
            p.merge_consent = consent;
            Record::Person(p)
        }
        (Record::Person(mut p), Change::MergeUndone { .. }) => {
            if p.merged_into.is_none() {
                return Err(FoldError::Invalid {
                    seq,
                    detail: format!("person {} is not merged into anyone", p.id.0),
                });
            }
            p.merged_into = None;
            p.merge_consent = None;
            Record::Person(p)
        }
        (Record::Person(_), _) => return Err(wrong(Kind::Person)),

        (Record::Detention(mut d), Change::ArrestCorrected { arrest }) => {
            d.arrest = arrest;
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::StepRecorded(step)) => {
            d.steps.push(step);
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::Ended { end }) => {
            d.end = Some(end);
            d.end_recorded_on = Some(recorded_on);
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::EndRetracted { .. }) => {
            d.end = None;
            d.end_recorded_on = None;
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::RecognitionDecided(r)) => {
            d.recognition = Some(r);
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::NotesSet { notes }) => {
            d.notes = Some(notes);
            Record::Detention(d)
        }
        (Record::Detention(mut d), Change::ConfidentialErased { .. }) => {
            d.notes = None;
            Record::Detention(d)
        }
        (Record::Detention(_), _) => return Err(wrong(Kind::Detention)),

        (Record::Report(mut r), Change::ReportMatched { detention }) => {
            // A report becomes one detention's source once: a second match would count the
            // arrest it reports twice.
            if let Some(already) = r.matched_to {
                return Err(FoldError::Invalid {
                    seq,
                    detail: format!(
                        "report {} is already matched to detention {}",
                        r.id.0, already.0
                    ),
                });
            }
            r.matched_to = Some(detention);
            r.rejected = None;
            Record::Report(r)
        }
        (Record::Report(mut r), Change::ReportGrouped { group }) => {
            if let Some(already) = r.group {
                return Err(FoldError::Invalid {
                    seq,
                    detail: format!(
                        "report {} already opened group detention {}",
                        r.id.0, already.0
                    ),
                });
            }
            r.group = Some(group);
            r.rejected = None;
            Record::Report(r)
        }
        (Record::Report(mut r), Change::ConfidentialErased { .. }) => {
            r.contact = None;
            Record::Report(r)
        }
        (Record::Report(mut r), Change::ReportAdded { text }) => {
            r.additions.push(Addition {
                on: recorded_on,
                text,
            });
            Record::Report(r)
        }
        (Record::Report(mut r), Change::ReportAssigned { to }) => {
            r.assigned_to = Some(to);
            Record::Report(r)
        }
        (Record::Report(mut r), Change::ReportRejected { reason }) => {
            r.rejected = Some(reason);
            Record::Report(r)
        }
        (Record::Report(_), _) => return Err(wrong(Kind::Report)),
        (Record::Facility(mut f), Change::FacilityObserved(o)) => {
            f.observations.push(o);
            Record::Facility(f)
        }
        (Record::Facility(mut f), Change::FacilityCounted(p)) => {
            f.populations.push(p);
            Record::Facility(f)
        }
        (Record::Facility(mut f), Change::FacilityStated { name, details }) => {
            if let Some(n) = name {
                // The old name stays a way to find it.
                if !f.aliases.contains(&f.name) && n != f.name {
                    f.aliases.push(std::mem::replace(&mut f.name, n));
                } else {
                    f.name = n;
                }
            }
            apply_details(&mut f, details);
            Record::Facility(f)
        }
        (Record::Facility(_), _) => return Err(wrong(Kind::Facility)),
        (Record::Group(mut g), Change::GroupCountCorrected { count, .. }) => {
            g.count = count;
            Record::Group(g)
        }
        (Record::Group(mut g), Change::GroupMemberIdentified { detention }) => {
            if !g.identified.contains(&detention) {
                g.identified.push(detention);
            }
            Record::Group(g)
        }
        (Record::Group(_), _) => return Err(wrong(Kind::Group)),
        (Record::Source(_), _) => return Err(wrong(Kind::Source)),
        (Record::Registry(mut r), Change::SmallCellsSet { below }) => {
            r.small_cells = Some(below);
            Record::Registry(r)
        }
        (Record::Registry(mut r), Change::ListCertified(c)) => {
            r.certified.push(c);
            Record::Registry(r)
        }
        (Record::Registry(mut r), Change::DataReleased(c)) => {
            r.released.push(c);
            Record::Registry(r)
        }
        (Record::Registry(mut r), Change::EstimatePublished(e)) => {
            r.estimates.push(e);
            Record::Registry(r)
        }
        (Record::Registry(mut r), Change::BackupRecipientSet { recipient }) => {
            r.backup_recipient = Some(recipient);
            Record::Registry(r)
        }
        (Record::Registry(_), _) => return Err(wrong(Kind::Registry)),
        (Record::Publication(_), _) => return Err(wrong(Kind::Publication)),
        (Record::Account(mut a), change) => {
            match change {
                Change::InvitationRenewed { invitation } => {
                    // A renewed invitation lasts its days from the renewal.
                    a.invitation = Some(invitation);
                    a.invited_on = recorded_on;
                }
                Change::AccessReset { invitation } => {
                    a.password = None;
                    a.second_factor = None;
                    a.tokens.clear();
                    a.invitation = Some(invitation);
                    a.invited_on = recorded_on;
                }
                Change::PasswordSet { hash } => {
                    a.password = Some(hash);
                    a.invitation = None;
                    a.used = true;
                }
                Change::SecondFactorSet { secret } => a.second_factor = Some(secret),
                Change::RoleChanged { role } => a.role = role,
                Change::RegionsSet { states } => a.regions = states,
                Change::TokenIssued { hash } => a.tokens.push(hash),
                Change::AccountRevoked { reason } => {
                    a.revoked = Some(reason);
                    a.invitation = None;
                    a.tokens.clear();
                }
                _ => return Err(wrong(Kind::Account)),
            }
            Record::Account(a)
        }
    })
}

fn create(fact: Fact) -> Result<Record, FoldError> {
    let seq = fact.seq;
    let subject = fact.subject;
    let id = subject.id;
    let kind_matches = |kind: Kind| {
        if subject.kind == kind {
            Ok(())
        } else {
            Err(FoldError::WrongKind {
                seq,
                kind: subject.kind.name(),
            })
        }
    };
    Ok(match fact.change {
        Change::RegistryCreated { profile } => {
            kind_matches(Kind::Registry)?;
            Record::Registry(RegistryRecord {
                profile,
                backup_recipient: None,
                small_cells: None,
                certified: Vec::new(),
                released: Vec::new(),
                estimates: Vec::new(),
            })
        }
        Change::PersonStated {
            reference,
            identity,
            disclosure,
            ..
        } => {
            kind_matches(Kind::Person)?;
            Record::Person(Person {
                id: PersonId(id),
                reference,
                identity,
                disclosure: disclosure.unwrap_or_default(),
                consent_by: None,
                consent_on: None,
                merged_into: None,
                merge_consent: None,
            })
        }
        Change::DetentionOpened {
            person,
            reference,
            arrest,
            steps,
            recognition,
            notes,
            group,
            previous,
        } => {
            kind_matches(Kind::Detention)?;
            Record::Detention(Detention {
                id: DetentionId(id),
                person,
                reference,
                arrest,
                steps,
                end: None,
                recognition,
                group,
                previous,
                notes,
                recorded_on: fact.recorded_on,
                end_recorded_on: None,
            })
        }
        Change::ReportReceived {
            channel,
            text,
            contact,
            consent,
            details,
            reporter,
            receipt,
            list,
        } => {
            kind_matches(Kind::Report)?;
            Record::Report(Report {
                id: ReportId(id),
                channel,
                text,
                contact,
                consent,
                matched_to: None,
                details,
                reporter,
                assigned_to: None,
                receipt,
                list,
                received_on: fact.recorded_on,
                additions: Vec::new(),
                rejected: None,
                group: None,
            })
        }
        Change::AccountCreated {
            name,
            role,
            invitation,
        } => {
            kind_matches(Kind::Account)?;
            Record::Account(Account {
                id: AccountId(id),
                name,
                role,
                password: None,
                second_factor: None,
                invitation: Some(invitation),
                invited_on: fact.recorded_on,
                tokens: Vec::new(),
                revoked: None,
                regions: Vec::new(),
                used: false,
            })
        }
        Change::SourceRecorded {
            title,
            reliability,
            report,
            link,
            file,
        } => {
            kind_matches(Kind::Source)?;
            Record::Source(Source {
                id: SourceId(id),
                title,
                reliability,
                report,
                link,
                file,
            })
        }
        Change::FacilityRecorded { name, details } => {
            kind_matches(Kind::Facility)?;
            let mut f = Facility {
                id: FacilityId(id),
                name,
                state: None,
                aliases: Vec::new(),
                kind: None,
                authority: None,
                capacity: None,
                populations: Vec::new(),
                observations: Vec::new(),
                recorded_on: Some(fact.recorded_on),
            };
            apply_details(&mut f, details);
            Record::Facility(f)
        }
        Change::GroupRecorded {
            reference,
            arrest,
            count,
        } => {
            kind_matches(Kind::Group)?;
            Record::Group(GroupDetention {
                id: GroupId(id),
                reference,
                arrest,
                count,
                identified: Vec::new(),
            })
        }
        Change::BalancePublished(publication) => {
            kind_matches(Kind::Publication)?;
            Record::Publication(PublishedBalance {
                id,
                published_on: fact.recorded_on,
                publication,
            })
        }
        _ => return Err(FoldError::NotCreated { seq, subject }),
    })
}

/// Copies every field `stated` knows onto `identity`.
pub fn merge_identity(identity: &mut Identity, stated: Identity) {
    macro_rules! take {
        ($($f:ident),*) => {$(
            if stated.$f.is_some() {
                identity.$f = stated.$f;
            }
        )*};
    }
    take!(
        given_names,
        paternal_surname,
        maternal_surname,
        national_id,
        sex,
        birth_date,
        legacy_minor,
        service,
        rank,
        branch,
        indigenous_people,
        disability,
        occupation
    );
    if !stated.aliases.is_empty() {
        identity.aliases = stated.aliases;
    }
    if !stated.nationalities.is_empty() {
        identity.nationalities = stated.nationalities;
    }
}

fn clear_field(identity: &mut Identity, field: &str) -> Result<(), String> {
    match field {
        "given_names" => identity.given_names = None,
        "paternal_surname" => identity.paternal_surname = None,
        "maternal_surname" => identity.maternal_surname = None,
        "aliases" => identity.aliases.clear(),
        "national_id" => identity.national_id = None,
        "sex" => identity.sex = None,
        "birth_date" => identity.birth_date = None,
        "minor" => identity.legacy_minor = None,
        "nationalities" => identity.nationalities.clear(),
        "service" => identity.service = None,
        "rank" => identity.rank = None,
        "branch" => identity.branch = None,
        "indigenous_people" => identity.indigenous_people = None,
        "disability" => identity.disability = None,
        "occupation" => identity.occupation = None,
        other => return Err(format!("{other:?} is not a field of a person")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::PartialDate;
    use crate::fact::{AppendedAt, Draft, FactRow, Hash};
    use crate::model::{Arrest, Channel, Disclosure};

    fn fact(seq: u64, subject: Subject, recorded_on: &str, change: Change) -> Fact {
        let draft = Draft {
            recorded_on: recorded_on.parse().unwrap(),
            actor: "t".into(),
            subject,
            change,
            sources: vec![],
        };
        FactRow::seal(
            draft,
            seq,
            &AppendedAt::new("2024-09-01T00:00:00Z".parse().unwrap()),
            Hash::GENESIS,
        )
        .1
    }

    fn arrest() -> Arrest {
        Arrest {
            date: PartialDate::parse("2024-08-03").unwrap(),
            state: Some("VE-O".into()),
            municipality: Some("Porlamar".into()),
            agency: None,
            circumstances: None,
            context: vec![],
            minor: None,
        }
    }

    #[test]
    fn an_audit_fact_changes_nothing_and_is_known_as_one_by_its_json() {
        let g = Subject::from(GroupId(1));
        let created = fact(
            1,
            g,
            "2024-08-03",
            Change::GroupRecorded {
                reference: None,
                arrest: arrest(),
                count: 47,
            },
        );
        let seen = fact(
            2,
            g,
            "2024-08-04",
            Change::Audited {
                what: crate::fact::Audit::Viewed,
                records: Vec::new(),
                query: None,
            },
        );
        let before = fold([&created], KnownOn::NOW).unwrap();
        assert_eq!(fold([&created, &seen], KnownOn::NOW).unwrap(), before);
        // Nobody can be "seen" before they exist.
        assert!(fold([&seen], KnownOn::NOW).is_err());
        let json = |f: &Fact| serde_json::to_string(&f.change).unwrap();
        assert!(crate::fact::is_audit(&json(&seen)));
        assert!(!crate::fact::is_audit(&json(&created)));
    }

    #[test]
    fn minor_is_a_fact_of_each_detention_and_an_old_persons_flag_still_folds() {
        // A person as stored before detentions had a flag of their own: `minor` in the identity.
        let stored =
            r#"{"type":"person_stated","reference":"P1","identity":{"sex":"F","minor":true}}"#;
        let change: Change = serde_json::from_str(stored).unwrap();
        assert_eq!(
            serde_json::to_string(&change).unwrap(),
            stored,
            "an old fact reads and writes back byte for byte"
        );
        let p = Subject::from(PersonId(1));
        let Some(Record::Person(person)) =
            fold(&[fact(1, p, "2024-08-03", change)], KnownOn::NOW).unwrap()
        else {
            panic!()
        };
        assert_eq!(person.identity.legacy_minor, Some(true));

        let opened = |seq, d: u64, minor| {
            let arrest = Arrest { minor, ..arrest() };
            fact(
                seq,
                Subject::from(DetentionId(d)),
                "2024-08-03",
                Change::DetentionOpened {
                    person: PersonId(1),
                    reference: None,
                    arrest,
                    steps: vec![],
                    recognition: None,
                    notes: None,
                    group: None,
                    previous: None,
                },
            )
        };
        let detention = |facts: &[Fact]| match fold(facts, KnownOn::NOW).unwrap() {
            Some(Record::Detention(d)) => d,
            other => panic!("{other:?}"),
        };
        let first = opened(2, 1, Some(true));
        let corrected = fact(
            3,
            Subject::from(DetentionId(1)),
            "2024-08-10",
            Change::ArrestCorrected {
                arrest: Arrest {
                    minor: Some(false),
                    ..arrest()
                },
            },
        );
        let d1 = detention(std::slice::from_ref(&first));
        assert_eq!(d1.minor(person.identity.legacy_minor), Some(true));
        assert_eq!(
            detention(&[first, corrected]).minor(Some(true)),
            Some(false),
            "a correction changes the detention's own flag, which wins over the legacy one"
        );
        let unflagged = detention(&[opened(4, 2, None)]);
        assert_eq!(unflagged.minor(person.identity.legacy_minor), Some(true));
        assert_eq!(unflagged.minor(None), None);
    }

    #[test]
    fn a_group_detention_is_resolved_into_persons_as_they_are_identified() {
        let g = Subject::from(GroupId(1));
        let facts = [
            fact(
                1,
                g,
                "2024-08-03",
                Change::GroupRecorded {
                    reference: None,
                    arrest: arrest(),
                    count: 47,
                },
            ),
            fact(
                2,
                g,
                "2024-08-05",
                Change::GroupMemberIdentified {
                    detention: DetentionId(10),
                },
            ),
            fact(
                3,
                g,
                "2024-08-06",
                Change::GroupMemberIdentified {
                    detention: DetentionId(11),
                },
            ),
            fact(
                4,
                g,
                "2024-08-06",
                Change::GroupMemberIdentified {
                    detention: DetentionId(11),
                },
            ),
            fact(
                5,
                g,
                "2024-08-09",
                Change::GroupCountCorrected {
                    count: 45,
                    reason: None,
                },
            ),
        ];
        let Some(Record::Group(now)) = fold(&facts, KnownOn::NOW).unwrap() else {
            panic!()
        };
        assert_eq!(
            (now.count, now.identified.len(), now.unidentified()),
            (45, 2, 43)
        );
        let Some(Record::Group(then)) =
            fold(&facts, KnownOn(Some("2024-08-05".parse().unwrap()))).unwrap()
        else {
            panic!()
        };
        assert_eq!((then.count, then.unidentified()), (47, 46));
    }

    #[test]
    fn reports_are_matched_and_merges_can_be_undone() {
        let r = Subject::from(ReportId(1));
        let facts = [
            fact(
                1,
                r,
                "2024-08-03",
                Change::ReportReceived {
                    channel: Channel::Family,
                    text: "mi hijo José".into(),
                    contact: None,
                    consent: Disclosure::Initials,
                    details: None,
                    reporter: None,
                    receipt: None,
                    list: None,
                },
            ),
            fact(
                2,
                r,
                "2024-08-04",
                Change::ReportMatched {
                    detention: DetentionId(5),
                },
            ),
        ];
        let Some(Record::Report(report)) = fold(&facts, KnownOn::NOW).unwrap() else {
            panic!()
        };
        assert_eq!(report.matched_to, Some(DetentionId(5)));

        let p = Subject::from(PersonId(2));
        let stated = Change::PersonStated {
            reference: None,
            identity: Identity::default(),
            disclosure: None,
            cleared: vec![],
            reason: None,
        };
        let merged = [
            fact(1, p, "2024-08-03", stated),
            fact(
                2,
                p,
                "2024-08-04",
                Change::MergedInto {
                    into: PersonId(1),
                    reason: "misma cédula".into(),
                    consent: None,
                },
            ),
            fact(
                3,
                p,
                "2024-08-05",
                Change::MergeUndone {
                    reason: "hermanos, no la misma persona".into(),
                },
            ),
        ];
        let Some(Record::Person(after)) = fold(&merged, KnownOn::NOW).unwrap() else {
            panic!()
        };
        assert_eq!(after.merged_into, None);
        let Some(Record::Person(during)) =
            fold(&merged, KnownOn(Some("2024-08-04".parse().unwrap()))).unwrap()
        else {
            panic!()
        };
        assert_eq!(during.merged_into, Some(PersonId(1)));

        // What must never happen twice is refused by the fold itself, whoever appends it: a
        // second match would count the reported arrest twice; a merge of a merged person (or
        // an undo of no merge) would leave the persons in a state nobody decided.
        let again = fact(
            3,
            r,
            "2024-08-05",
            Change::ReportMatched {
                detention: DetentionId(6),
            },
        );
        let err = apply(Some(Record::Report(report)), again).unwrap_err();
        assert!(
            err.to_string().contains("already matched to detention 5"),
            "{err}"
        );
        let Some(merged_once) = fold(&merged[..2], KnownOn::NOW).unwrap() else {
            panic!()
        };
        let twice = fact(
            3,
            p,
            "2024-08-05",
            Change::MergedInto {
                into: PersonId(3),
                reason: "otra".into(),
                consent: None,
            },
        );
        let err = apply(Some(merged_once), twice).unwrap_err();
        assert!(
            err.to_string().contains("already merged into person 1"),
            "{err}"
        );
        let undo = fact(
            4,
            p,
            "2024-08-06",
            Change::MergeUndone { reason: "x".into() },
        );
        let err = apply(Some(Record::Person(after)), undo).unwrap_err();
        assert!(err.to_string().contains("not merged"), "{err}");
    }

    #[test]
    fn a_fact_for_the_wrong_kind_or_an_absent_record_is_refused() {
        let d = Subject::from(DetentionId(1));
        let err = apply(
            None,
            fact(
                1,
                d,
                "2024-08-03",
                Change::EndRetracted { reason: "x".into() },
            ),
        )
        .unwrap_err();
        assert!(matches!(err, FoldError::NotCreated { .. }));
        let p = Subject::from(PersonId(1));
        let err = apply(
            None,
            fact(
                1,
                p,
                "2024-08-03",
                Change::GroupRecorded {
                    reference: None,
                    arrest: arrest(),
                    count: 3,
                },
            ),
        )
        .unwrap_err();
        assert!(matches!(err, FoldError::WrongKind { .. }));
    }
}
