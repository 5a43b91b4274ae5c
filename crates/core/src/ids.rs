//! Typed identifiers: a person id cannot be passed where a detention id is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The kind of record this id names, as written in a fact's subject.
            pub const KIND: Kind = $kind;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}:{}", Self::KIND.name(), self.0)
            }
        }

        impl From<$name> for Subject {
            fn from(id: $name) -> Subject {
                Subject { kind: $kind, id: id.0 }
            }
        }
    };
}

/// The kinds of record the ledger holds facts about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Detention,
    Report,
    Source,
    Facility,
    Group,
    Publication,
    Registry,
    Account,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Person,
        Kind::Detention,
        Kind::Report,
        Kind::Source,
        Kind::Facility,
        Kind::Group,
        Kind::Publication,
        Kind::Registry,
        Kind::Account,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Detention => "detention",
            Kind::Report => "report",
            Kind::Source => "source",
            Kind::Facility => "facility",
            Kind::Group => "group",
            Kind::Publication => "publication",
            Kind::Registry => "registry",
            Kind::Account => "account",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

typed_id!(/// A detainee.
    PersonId, Kind::Person);
typed_id!(/// One episode of deprivation of liberty.
    DetentionId, Kind::Detention);
typed_id!(/// What came in from a family, volunteer, lawyer, the press or an official statement.
    ReportId, Kind::Report);
typed_id!(/// A document or report a fact rests on.
    SourceId, Kind::Source);
typed_id!(/// A prison or detention centre.
    FacilityId, Kind::Facility);
typed_id!(/// A group detention: a count of people not all identified yet.
    GroupId, Kind::Group);
typed_id!(/// A published balance.
    PublicationId, Kind::Publication);
typed_id!(/// Someone who signs in: a volunteer, lawyer, coordinator, analyst or admin.
    AccountId, Kind::Account);

/// What a fact is about: `person:12`, `detention:7`, `registry:0` (the registry itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    pub kind: Kind,
    pub id: u64,
}

impl Subject {
    /// The registry itself: its configuration and published balances.
    pub const REGISTRY: Subject = Subject {
        kind: Kind::Registry,
        id: 0,
    };

    /// Reads `kind:id`.
    pub fn parse(text: &str) -> Option<Subject> {
        let (kind, id) = text.split_once(':')?;
        Some(Subject {
            kind: Kind::from_name(kind)?,
            id: id.parse().ok()?,
        })
    }
}

/// Written as `kind:id`, as it is shown.
impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Subject::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a record: {text:?}")))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.id)
    }
}
