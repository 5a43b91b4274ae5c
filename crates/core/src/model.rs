//! The registry's records as they stand after folding their facts.
//!
//! None of these is written directly: each is the result of [`crate::fold`] over the facts about
//! it, and a change to any of them is a new fact (see [`crate::fact::Change`]).

use serde::{Deserialize, Serialize};

use crate::confidential::Confidential;
use crate::date::{Day, PartialDate};
use crate::ids::{AccountId, DetentionId, FacilityId, GroupId, PersonId, ReportId, SourceId};
use crate::national_id::NationalId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    F,
    M,
    X,
}

/// Civilian or military (with rank and branch for the military).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Civilian,
    Military,
}

/// What public outputs may show of a person, from the consent given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Named publicly.
    Named,
    /// Initials and state only.
    Initials,
    /// Counted, never named.
    #[default]
    CountOnly,
}

impl Disclosure {
    pub const ALL: [Disclosure; 3] = [
        Disclosure::Named,
        Disclosure::Initials,
        Disclosure::CountOnly,
    ];

    /// Its name in files and forms.
    pub fn name(self) -> &'static str {
        match self {
            Disclosure::Named => "named",
            Disclosure::Initials => "initials",
            Disclosure::CountOnly => "count_only",
        }
    }

    pub fn from_name(name: &str) -> Option<Disclosure> {
        Disclosure::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Who gave (or withdrew) the consent to publish a person's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentGiver {
    Family,
    /// The person themselves.
    Person,
    /// Their lawyer.
    Lawyer,
}

impl ConsentGiver {
    pub const ALL: [ConsentGiver; 3] = [
        ConsentGiver::Family,
        ConsentGiver::Person,
        ConsentGiver::Lawyer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConsentGiver::Family => "family",
            ConsentGiver::Person => "person",
            ConsentGiver::Lawyer => "lawyer",
        }
    }

    pub fn from_name(name: &str) -> Option<ConsentGiver> {
        ConsentGiver::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// The identity of a detainee. Every field may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    /// The organisation's own id for this person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(flatten)]
    pub identity: Identity,
    pub disclosure: Disclosure,
    /// Who gave the consent in force, and the day it was recorded (none: as reported, or
    /// from before consents were recorded so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_by: Option<ConsentGiver>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_on: Option<Day>,
    /// Set when this person was found to be the same as another and merged into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<PersonId>,
    /// The consent to publish the merge changed on the person it was merged into: before,
    /// after (see [`crate::fact::Change::MergedInto`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_consent: Option<[Disclosure; 2]>,
}

/// Who a person is, as stated by the facts. A stated field replaces the one before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paternal_surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maternal_surname: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<NationalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    /// Legacy: "under 18 at arrest" as registries stored it before each detention had its own
    /// flag: on the person, where the last row imported overwrote it for every detention. It still folds from those
    /// facts (stored as `minor`, so their bytes and hashes are untouched), nothing writes it
    /// any more, and counting reads it only for this person's detentions that have no flag of
    /// their own ([`Arrest::minor`]), which keeps balances published from such facts
    /// reproducible (docs/balance.md, "Age").
    #[serde(rename = "minor", default, skip_serializing_if = "Option::is_none")]
    pub legacy_minor: Option<bool>,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indigenous_people: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
}

impl Identity {
    /// The surnames as written, paternal first (`Pérez Rodríguez`).
    pub fn surnames(&self) -> String {
        [
            self.paternal_surname.as_deref(),
            self.maternal_surname.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Given names and surnames (`José Gregorio Pérez Rodríguez`).
    pub fn full_name(&self) -> String {
        let surnames = self.surnames();
        match self.given_names.as_deref() {
            Some(g) if !surnames.is_empty() => format!("{g} {surnames}"),
            Some(g) => g.to_string(),
            None => surnames,
        }
    }
}

/// The arrest that opens a detention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrest {
    pub date: PartialDate,
    /// ISO 3166-2 code from the country profile (`VE-V`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// Arresting body, by the profile's canonical name where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circumstances: Option<String>,
    /// Context tags (`post-election 2024`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// Under 18 at this arrest, for when no birth date is known: a fact of this detention,
    /// never of the person's other ones. Corrected by `ArrestCorrected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor: Option<bool>,
}

/// Where and how a detainee is held from a date on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "custody", rename_all = "snake_case")]
pub enum Custody {
    /// Held at a facility (a transfer is a new `held` state).
    Held {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// Family and lawyer do not know where the person is held (enforced disappearance).
    WhereaboutsUnknown,
    /// The place became known again after a time unknown.
    WhereaboutsKnown,
    /// Still deprived of liberty, at home.
    HouseArrest,
    /// In hospital under custody.
    Hospital {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
}

/// One dated step of a detention's legal and custody history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Custody(Custody),
    /// Presented before a court (due within 48 hours of the arrest).
    CourtPresentation {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        court: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        military_court: Option<bool>,
    },
    /// Charges, by the profile's canonical names where known.
    Charged {
        charges: Vec<String>,
    },
    /// Defence: private, a public defender imposed by the court, or none allowed.
    Defence {
        imposed: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        denied: bool,
    },
    /// The case entered this phase.
    CaseStage {
        phase: crate::case::Phase,
    },
    /// The court that has the case (on a transfer, the new one); what it leaves out stays.
    CourtAssigned {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        jurisdiction: Option<crate::case::Jurisdiction>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        court: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        judge: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_number: Option<String>,
    },
    /// A hearing on the step's date: set, held or deferred (and why).
    Hearing {
        outcome: crate::case::HearingOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Measures a court imposed (on release, they go on after the detention ends).
    MeasuresImposed {
        measures: Vec<crate::case::Measure>,
    },
    /// Measures lifted: these kinds, or every one when none is named.
    MeasuresLifted {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kinds: Vec<crate::case::MeasureKind>,
    },
    Convicted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sentence: Option<String>,
    },
    /// The family or a lawyer saw or spoke with the person (a visit, a call): what tells the
    /// registry the person is not held incommunicado.
    Contact {
        with: ContactWith,
    },
}

/// Who was in contact with a person held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactWith {
    Family,
    Lawyer,
}

/// A step with the date it took effect, when known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    #[serde(flatten)]
    pub what: T,
}

/// How a detention ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndType {
    Released,
    /// "Excarcelación": out of prison, charges not dismissed (presentation, travel ban, gag order).
    ReleasedUnderMeasures,
    Deported,
    DiedInCustody,
    Escaped,
    Unknown,
}

impl EndType {
    pub const ALL: [EndType; 6] = [
        EndType::Released,
        EndType::ReleasedUnderMeasures,
        EndType::Deported,
        EndType::DiedInCustody,
        EndType::Escaped,
        EndType::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EndType::Released => "released",
            EndType::ReleasedUnderMeasures => "released_under_measures",
            EndType::Deported => "deported",
            EndType::DiedInCustody => "died_in_custody",
            EndType::Escaped => "escaped",
            EndType::Unknown => "unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<EndType> {
        EndType::ALL.into_iter().find(|t| t.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    pub date: PartialDate,
    #[serde(rename = "type")]
    pub kind: EndType,
}

/// Whether a detention counts as political.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecognitionStatus {
    Recognised,
    UnderStudy,
    NotRecognised,
}

impl RecognitionStatus {
    pub fn name(self) -> &'static str {
        match self {
            RecognitionStatus::Recognised => "recognised",
            RecognitionStatus::UnderStudy => "under_study",
            RecognitionStatus::NotRecognised => "not_recognised",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Recognised, Self::UnderStudy, Self::NotRecognised]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// A dated decision on whether a detention is political.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub status: RecognitionStatus,
    /// Foro Penal's categories: 1 individual threat, 2 member of an intimidated group, 3 used for a narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
}

/// One episode of deprivation of liberty, from arrest to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detention {
    pub id: DetentionId,
    pub person: PersonId,
    /// The organisation's own id for this detention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub arrest: Arrest,
    /// Custody and legal steps in the order they were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Dated<Step>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<End>,
    /// The decision in force (the latest one recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognition: Option<Recognition>,
    /// The group detention this person was identified from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    /// An earlier detention of the same person (the revolving door).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<DetentionId>,
    /// Internal notes, never public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Confidential>,
    /// The day the organisation learned of the arrest (the first fact's recorded day).
    pub recorded_on: Day,
    /// The day the organisation learned of the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_recorded_on: Option<Day>,
}

impl Detention {
    /// Whether the person was under 18 at this arrest, for when no birth date is known: the
    /// detention's own flag, else the person's legacy one (see [`Identity::legacy_minor`]).
    pub fn minor(&self, legacy: Option<bool>) -> Option<bool> {
        self.arrest.minor.or(legacy)
    }

    /// The last facility the person was known to be held at.
    pub fn last_facility(&self) -> Option<&str> {
        self.steps.iter().rev().find_map(|s| match &s.what {
            Step::Custody(Custody::Held { facility }) => facility.as_deref(),
            _ => None,
        })
    }

    /// The custody the person was in on `as_of`: the last custody step dated by then (undated
    /// ones count, as the oldest: the registry cannot place them).
    pub fn custody_on(&self, as_of: Day) -> Option<&Custody> {
        self.steps
            .iter()
            .filter(|s| s.date.is_none_or(|x| x.first_day() <= as_of))
            .filter_map(|s| match &s.what {
                Step::Custody(c) => Some((s.date.map(|x| x.first_day()), c)),
                _ => None,
            })
            .max_by_key(|(on, _)| *on)
            .map(|(_, c)| c)
    }

    /// The date of the last step matching `pred`.
    pub fn last_step_date(&self, pred: impl Fn(&Step) -> bool) -> Option<PartialDate> {
        self.steps
            .iter()
            .rev()
            .find(|s| pred(&s.what))
            .and_then(|s| s.date)
    }

    /// Every charge, in the order first recorded, once each.
    pub fn charges(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.steps {
            if let Step::Charged { charges } = &s.what {
                for c in charges {
                    if !out.contains(&c.as_str()) {
                        out.push(c);
                    }
                }
            }
        }
        out
    }
}

/// The channel a report came in by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Family,
    Volunteer,
    Lawyer,
    Press,
    SocialMedia,
    Official,
}

impl Channel {
    /// Where a report came from, in words: Spanish, English.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Channel::Family => ("familia (formulario público)", "family (public form)"),
            Channel::Volunteer => ("voluntariado", "volunteer"),
            Channel::Lawyer => ("abogado o abogada", "lawyer"),
            Channel::Press => ("prensa", "press"),
            Channel::SocialMedia => ("redes sociales", "social media"),
            Channel::Official => ("fuente oficial", "official source"),
        }
    }
}

/// What came in, before it is matched to a person and a detention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub id: ReportId,
    pub channel: Channel,
    /// What the reporter said, as they said it (names, dates, places).
    pub text: String,
    /// The reporter's contact, sealed (opened only for the roles that need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Confidential>,
    pub consent: Disclosure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_to: Option<DetentionId>,
    /// What the reporter said, field by field, where a form asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Reported>,
    /// The account that reported it (none for a family's report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    /// The account it is assigned to, to follow up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// SHA-256 (hex) of the receipt code the reporter was given; the code itself is not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The external list it is a row of, imported by name (`vigilia import list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// The day it came in.
    pub received_on: Day,
    /// What the reporter added later, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additions: Vec<Addition>,
    /// Why it was rejected in triage, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// The group detention it reported or was filed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
}

impl Report {
    /// Where the report stands in triage.
    pub fn status(&self) -> ReportStatus {
        if self.matched_to.is_some() || self.group.is_some() {
            ReportStatus::Accepted
        } else if self.rejected.is_some() {
            ReportStatus::Rejected
        } else {
            ReportStatus::New
        }
    }
}

/// Where a report stands in triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    New,
    Accepted,
    Rejected,
}

/// Something a reporter added to their report later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addition {
    pub on: Day,
    pub text: String,
}

/// What a form asked the reporter, field by field; every field may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paternal_surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maternal_surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<NationalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrest_date: Option<PartialDate>,
    /// ISO 3166-2 code from the country profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Where, in the reporter's words (town, street, event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// By whom, by the profile's canonical name where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Where held now, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// For a group detention: how many were detained in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Named in the same report as this one, the first person of a report that named several
    /// people of one arrest: triage files them all under one group detention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_with: Option<crate::ids::ReportId>,
    /// This report named other people of its arrest, each a report `named_with` it: what
    /// triage knows without looking through every report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub names_others: bool,
}

impl Reported {
    /// Whether the report names someone (by a given name, a surname or a cédula), not only
    /// a group's count: whom triage makes a person of, and for whom it speaks.
    pub fn names_someone(&self) -> bool {
        self.given_names.is_some() || self.paternal_surname.is_some() || self.national_id.is_some()
    }

    /// The identity the report states, as a person's identity.
    pub fn identity(&self) -> Identity {
        Identity {
            given_names: self.given_names.clone(),
            paternal_surname: self.paternal_surname.clone(),
            maternal_surname: self.maternal_surname.clone(),
            national_id: self.national_id,
            sex: self.sex,
            birth_date: self.birth_date,
            ..Identity::default()
        }
    }
}

/// What an account may do. Staff roles must sign in with a second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Lawyer,
    Volunteer,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Coordinator,
        Role::Lawyer,
        Role::Volunteer,
        Role::Analyst,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Lawyer => "lawyer",
            Role::Volunteer => "volunteer",
            Role::Analyst => "analyst",
        }
    }

    /// The role in words: Spanish, English.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Role::Admin => ("administración", "administration"),
            Role::Coordinator => ("coordinación", "coordinator"),
            Role::Lawyer => ("abogado o abogada", "lawyer"),
            Role::Volunteer => ("voluntario o voluntaria", "volunteer"),
            Role::Analyst => ("análisis de cifras", "figures analyst"),
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Staff see more than their own reports, so a password alone is not enough.
    pub fn needs_second_factor(self) -> bool {
        self != Role::Volunteer
    }
}

/// Someone who signs in. Secrets are kept only as hashes (password, invitation, API tokens);
/// the second factor's shared secret must be kept to check codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub role: Role,
    /// Argon2id PHC string (encrypted, see `Change::PasswordSet`); none until the invitation
    /// is taken up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<crate::confidential::Confidential>,
    /// Base32 TOTP secret (encrypted), once enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<crate::confidential::Confidential>,
    /// SHA-256 (hex) of the open invitation's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
    pub invited_on: Day,
    /// SHA-256 (hex) of each API token issued and not revoked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// The states (profile codes) whose cases a lawyer sees, besides the cases assigned to
    /// them; empty: every state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Whether the account was ever taken up (a password set): an open invitation of such an
    /// account is a restored access, never renewed by an invitation to a new account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub used: bool,
}

/// How far a source can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// A court document, an official record, a lawyer's first-hand account.
    Confirmed,
    Probable,
    Unverified,
}

/// A document or report a fact rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub title: String,
    pub reliability: Reliability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Attachment>,
}

/// A file kept with a source (a photo, a document), named by the SHA-256 of its bytes: the fact
/// that records the source carries the hash, so the chain vouches for the file too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub sha256: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub media_type: String,
    pub bytes: u64,
}

/// A dated observation of the conditions in a place of detention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub date: PartialDate,
    /// One of [`Observation::ASPECTS`]: `family_visits`, `lawyer_access`, `food`, …
    pub aspect: String,
    pub note: String,
    /// What a family visit costs (transport, fees, what guards ask for), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    /// Who reported it (a relative, a released detainee, a lawyer): sealed like a reporter's
    /// contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<Confidential>,
    /// Whether the person who reported it agreed that it be passed on (to the UN, the press).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_pass_on: Option<bool>,
    /// What the organisation did about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
}

impl Observation {
    /// The aspects of conditions an observation is about.
    pub const ASPECTS: [&'static str; 9] = [
        "family_visits",
        "lawyer_access",
        "food",
        "water",
        "health_care",
        "isolation",
        "death",
        "torture",
        "other",
    ];
}

/// What kind of place a place of detention is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityType {
    Prison,
    PoliceCell,
    /// An intelligence service's headquarters (SEBIN, DGCIM).
    Intelligence,
    Military,
    Other,
}

impl FacilityType {
    pub const ALL: [FacilityType; 5] = [
        FacilityType::Prison,
        FacilityType::PoliceCell,
        FacilityType::Intelligence,
        FacilityType::Military,
        FacilityType::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FacilityType::Prison => "prison",
            FacilityType::PoliceCell => "police_cell",
            FacilityType::Intelligence => "intelligence",
            FacilityType::Military => "military",
            FacilityType::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<FacilityType> {
        FacilityType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// How many people a place held on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Population {
    pub on: PartialDate,
    pub count: u32,
}

/// A place of detention in the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facility {
    pub id: FacilityId,
    pub name: String,
    /// ISO 3166-2 code from the country profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Other names people write for it ("Zona 7", "Zona 7 PNB Boleita").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<FacilityType>,
    /// The body that runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// How many people it was built for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Its population as counted on each day, in the order recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub populations: Vec<Population>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// The day it entered the register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_on: Option<Day>,
}

impl Facility {
    /// The last population counted, with its day.
    pub fn population(&self) -> Option<&Population> {
        self.populations.iter().max_by_key(|p| p.on.first_day())
    }

    /// Occupancy as a percentage of capacity, from the last count.
    pub fn occupancy(&self) -> Option<u32> {
        let (cap, pop) = (self.capacity?, self.population()?);
        (cap > 0).then(|| {
            let percent = (u64::from(pop.count) * 100 + u64::from(cap) / 2) / u64::from(cap);
            u32::try_from(percent).unwrap_or(u32::MAX)
        })
    }

    /// The day of the last observation of its conditions.
    pub fn last_observed(&self) -> Option<Day> {
        self.observations.iter().map(|o| o.date.last_day()).max()
    }

    /// Its name and every alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// What a place's entry in the register states; what it leaves out is unchanged (or, for a new
/// place, unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Names to add to its aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(
        default,
        rename = "facility_type",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<FacilityType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// "47 people detained at a rally in Margarita, 8 identified so far."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetention {
    pub id: GroupId,
    /// The organisation's own id for this group (an event's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub arrest: Arrest,
    /// How many people were detained, identified or not.
    pub count: u32,
    /// The detentions identified so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identified: Vec<DetentionId>,
}

impl GroupDetention {
    /// People detained in the group who are not identified yet.
    pub fn unidentified(&self) -> u32 {
        self.count.saturating_sub(self.identified.len() as u32)
    }
}
