//! Facts: the only thing Vigilia ever writes.
//!
//! Every change to the registry is a [`Fact`] appended to the ledger: who recorded it (`actor`),
//! the day the organisation learned it (`recorded_on`, the "as known on" axis), which record it
//! is about (`subject`), the date it took effect (`valid_on`), the sources it rests on, and the
//! [`Change`] itself. Each fact carries the hash of the one before, so any changed byte breaks
//! the chain. Nothing is updated in place: a correction is a new fact.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::confidential::{Confidential, Field};
use crate::date::{Day, PartialDate};
use crate::ids::{DetentionId, GroupId, PersonId, SourceId, Subject};
use crate::model::{
    Arrest, Channel, Dated, Disclosure, End, FacilityDetails, Identity, Observation, Recognition,
    Reliability, Reported, Role, Step,
};

/// A SHA-256 hash: 32 bytes, shown as 64 hex digits.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The hash that stands before the first fact.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// Reads 32 stored bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        bytes.try_into().ok().map(Hash)
    }

    /// Reads 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Hash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out)
            .ok()
            .map(|()| Hash(out))
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// One change to one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    // --- the registry itself
    /// The first fact of every ledger: the country profile it was made with (TOML text).
    RegistryCreated {
        profile: String,
    },
    /// Backups are encrypted to this age recipient from now on.
    BackupRecipientSet {
        recipient: String,
    },
    /// Public breakdowns name no value of fewer people than `below` from now on (each
    /// publication keeps the one it was made with).
    SmallCellsSet {
        below: u64,
    },

    // --- persons
    /// States (or corrects) who a person is; fields left out are unchanged.
    PersonStated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        identity: Identity,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disclosure: Option<Disclosure>,
        /// Fields found to be wrong and now unknown (`national_id`, `birth_date`, …).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cleared: Vec<String>,
        /// Why the person's data were corrected (a coordinator's or lawyer's correction).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The consent to publish, given or withdrawn (a lower level), and by whom; every output
    /// made after it follows it.
    DisclosureSet {
        level: Disclosure,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        given_by: Option<crate::model::ConsentGiver>,
    },
    /// This person is the same as `into`; undone by [`Change::MergeUndone`].
    MergedInto {
        into: PersonId,
        reason: String,
        /// The consent to publish of `into` before and after the merge, when a coordinator
        /// chose another one (the two persons' differed): a split gives the first back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent: Option<[Disclosure; 2]>,
    },
    MergeUndone {
        reason: String,
    },

    // --- detentions
    /// A new detention, with what was learned together with the arrest: its first custody and
    /// legal steps, the recognition decision and notes.
    DetentionOpened {
        person: PersonId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        arrest: Arrest,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        steps: Vec<Dated<Step>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recognition: Option<Recognition>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<Confidential>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<GroupId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<DetentionId>,
    },
    ArrestCorrected {
        arrest: Arrest,
    },
    StepRecorded(Dated<Step>),
    Ended {
        end: End,
    },
    /// The recorded end was wrong: the detention goes on.
    EndRetracted {
        reason: String,
    },
    RecognitionDecided(Recognition),
    NotesSet {
        notes: Confidential,
    },
    /// The record's confidential fields (a report's contact, a detention's notes) were erased:
    /// its data key was destroyed with this fact, so what earlier facts hold of them is
    /// ciphertext nobody can open any more.
    ConfidentialErased {
        reason: String,
    },

    // --- reports, sources, facilities, groups
    ReportReceived {
        channel: Channel,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact: Option<Confidential>,
        consent: Disclosure,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<Reported>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reporter: Option<String>,
        /// SHA-256 (hex) of the receipt code given to the reporter.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt: Option<String>,
        /// The external list it is a row of (another organisation's list, imported by name):
        /// estimating the undocumented counts each such list as a list of its own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        list: Option<String>,
    },
    /// The reporter added to their report.
    ReportAdded {
        text: String,
    },
    ReportAssigned {
        to: String,
    },
    ReportRejected {
        reason: String,
    },
    /// The report is about this group detention.
    ReportGrouped {
        group: GroupId,
    },
    ReportMatched {
        detention: DetentionId,
    },
    SourceRecorded {
        title: String,
        reliability: Reliability,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        report: Option<crate::ids::ReportId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<crate::model::Attachment>,
    },
    /// A place of detention enters the register.
    FacilityRecorded {
        name: String,
        #[serde(flatten)]
        details: FacilityDetails,
    },
    /// Corrects or adds to a place's entry (a new alias, its capacity).
    FacilityStated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(flatten)]
        details: FacilityDetails,
    },
    /// How many people a place held on a day.
    FacilityCounted(crate::model::Population),
    FacilityObserved(Observation),
    /// A group detention: `count` people detained together, identified or not.
    GroupRecorded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        arrest: Arrest,
        count: u32,
    },
    GroupCountCorrected {
        count: u32,
        /// Why, when a person corrected it (an import or a later report says it by itself).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    GroupMemberIdentified {
        detention: DetentionId,
    },

    // --- accounts
    /// An account invited with a role; `invitation` is the SHA-256 (hex) of the link's token.
    AccountCreated {
        name: String,
        role: Role,
        invitation: String,
    },
    /// A new invitation (the old one no longer works).
    InvitationRenewed {
        invitation: String,
    },
    /// The account's access restored by someone allowed to (a lost phone, a forgotten
    /// password): its password, second factor and API tokens stop working at once, and a new
    /// invitation sets them again.
    AccessReset {
        invitation: String,
    },
    /// Argon2id PHC string, encrypted under the account's data key, which is destroyed and made
    /// anew whenever credentials are set again or the account is revoked: the chain keeps no
    /// readable password hash but the current one (older facts hold it in the clear).
    PasswordSet {
        hash: Confidential,
    },
    /// The base32 TOTP secret, encrypted as the password's hash is.
    SecondFactorSet {
        secret: Confidential,
    },
    RoleChanged {
        role: Role,
    },
    /// The states whose cases the account sees (empty: every state).
    RegionsSet {
        states: Vec<String>,
    },
    /// SHA-256 (hex) of an API token.
    TokenIssued {
        hash: String,
    },
    AccountRevoked {
        reason: String,
    },

    // --- the audit trail
    /// Someone (the fact's actor) saw or took this record: who looked at a case, who signed
    /// in, who exported. It changes nothing in the record and carries none of its values.
    Audited {
        what: Audit,
        /// The records a list or a search returned (its subject is then the registry), in the
        /// order shown: who took which names is known without storing the names themselves.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        records: Vec<Subject>,
        /// What was searched for, as typed; encrypted like a contact (a query is a name or a
        /// cédula).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<Confidential>,
    },

    // --- published figures
    /// A balance as published: what it was computed from and the figures exactly as shown.
    BalancePublished(Publication),
    /// A certified list made (its files kept by their hashes; see `vigilia_app::certify`).
    ListCertified(SignedFiles),
    /// An open-data release made (its files kept by their hashes; see `vigilia_app::release`).
    DataReleased(SignedFiles),
    /// An estimate of the undocumented published as such by a coordinator (see
    /// `vigilia_app::estimates`).
    EstimatePublished(EstimatePublication),
}

/// An estimate of how many detentions no list documented, as published: the capture-history
/// table it came from, how it was computed (the seed included), and what it gave, so that it is
/// computed again to the same figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimatePublication {
    pub version: u64,
    pub as_of: Day,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_on: Option<Day>,
    /// The table, as CSV (counts by pattern of lists: no person).
    pub histories: String,
    /// `lcmcr` or `loglinear`.
    pub method: String,
    /// The sampler's settings and the guard rails, as JSON.
    pub settings: String,
    /// The estimate as computed, as JSON (figures, interval, model, assumption).
    pub result: String,
    pub ledger_seq: u64,
    pub ledger_head: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_on: Option<Day>,
}

/// What an audit fact records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audit {
    /// Its page or API answer was shown (a person, a detention, a report with its contact).
    Viewed,
    /// A file attached to this source was opened.
    FileOpened,
    /// Listed by name behind a figure.
    Listed,
    /// The account signed in.
    SignedIn,
    /// A sign-in with this account's name was refused.
    SignInRefused,
    /// The registry's records were exported (by the command line).
    Exported,
    /// Persons were searched by name or cédula (the records returned and the query are in the
    /// fact).
    Searched,
    /// A list of reports was shown (the triage queue, a volunteer's or lawyer's reports).
    ListedReports,
    /// A report was shown with the registered persons it may be about (triage).
    Compared,
    /// The account's password (and code) asked again before a change of accounts was wrong.
    ConfirmationRefused,
    /// A list of detentions was downloaded as a file (the records it held are in the fact).
    Downloaded,
    /// A person's case file was made, for use inside the organisation (full identity).
    Dossier,
    /// A person's case file was made to hand over (identity as consented).
    DossierHandover,
    /// Drafts of a habeas corpus and a UN urgent action (WGEID) were made from this detention.
    DraftedUrgentAction,
    /// A communication to the UN Working Group on Arbitrary Detention was drafted.
    DraftedWgad,
    /// A request for IACHR precautionary measures was drafted.
    DraftedIachr,
}

impl Audit {
    /// What was done, in words: Spanish, English.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Audit::Viewed => ("vio la ficha", "viewed the record"),
            Audit::FileOpened => ("abrió un archivo", "opened a file"),
            Audit::Listed => ("listó nombres", "listed names"),
            Audit::SignedIn => ("entró", "signed in"),
            Audit::SignInRefused => ("entrada rechazada", "sign-in refused"),
            Audit::Exported => ("exportó el registro", "exported the registry"),
            Audit::Searched => ("buscó personas", "searched persons"),
            Audit::ListedReports => ("listó reportes", "listed reports"),
            Audit::Compared => (
                "comparó un reporte con personas",
                "compared a report with persons",
            ),
            Audit::ConfirmationRefused => (
                "confirmación de contraseña rechazada",
                "password confirmation refused",
            ),
            Audit::Downloaded => ("descargó una lista", "downloaded a list"),
            Audit::Dossier => (
                "preparó la ficha interna para imprimir",
                "made the internal case file to print",
            ),
            Audit::DossierHandover => (
                "preparó la ficha para entregar",
                "made the case file to hand over",
            ),
            Audit::DraftedUrgentAction => (
                "preparó el hábeas corpus y la acción urgente ante la ONU",
                "drafted the habeas corpus and the UN urgent action",
            ),
            Audit::DraftedWgad => (
                "preparó una comunicación al Grupo de Trabajo sobre la Detención Arbitraria",
                "drafted a communication to the Working Group on Arbitrary Detention",
            ),
            Audit::DraftedIachr => (
                "preparó una solicitud de medidas cautelares a la CIDH",
                "drafted a request for IACHR precautionary measures",
            ),
        }
    }
}

/// Whether a stored change (its JSON, as the ledger keeps it) is an audit fact.
pub fn is_audit(change_json: &str) -> bool {
    change_json.starts_with(r#"{"type":"audited""#)
}

/// Files the organisation signs for those who do not trust it (a version of the certified
/// list, an open-data release): the day they are of, the ledger head they came from, the files
/// by name and SHA-256 (kept in the ledger's file store), and the public key of the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedFiles {
    /// Numbered from 1, each kind on its own.
    pub version: u64,
    pub as_of: Day,
    /// The day the figures are as known on, where it is not the day they were made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_on: Option<Day>,
    /// The day it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_on: Option<Day>,
    pub ledger_seq: u64,
    pub ledger_head: String,
    pub files: Vec<KeptFile>,
    pub public_key: String,
    /// The persons the files show by name or initials, and whether by name: a later
    /// withdrawal of their consent stops the files being given again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<Shown>,
}

/// A person shown in signed files, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub person: crate::ids::PersonId,
    pub named: bool,
}

/// One file of signed files, by its SHA-256 in the ledger's file store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFile {
    pub name: String,
    pub sha256: String,
}

/// A published balance: enough to recompute it from the ledger as it was, and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub rules: String,
    pub as_of: Day,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_on: Option<Day>,
    pub since: Day,
    /// The position and hash of the last fact the figures were computed from.
    pub ledger_seq: u64,
    pub ledger_head: String,
    /// The balance as JSON, byte for byte as published.
    pub figures: String,
    /// What the organisation says with it (shown with the figures on the public page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The smallest count its public breakdowns name (none: published before the
    /// organisation could set it, when it was 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld_below: Option<u64>,
}

impl Change {
    /// The organisation's reference this change gives its record, if it gives one.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Change::PersonStated { reference, .. }
            | Change::DetentionOpened { reference, .. }
            | Change::GroupRecorded { reference, .. } => reference.as_deref(),
            _ => None,
        }
    }

    /// The change's confidential field, if it has one: the ledger encrypts it before the fact
    /// is hashed into the chain.
    pub fn confidential_mut(&mut self) -> Option<(Field, &mut Confidential)> {
        match self {
            Change::ReportReceived {
                contact: Some(c), ..
            } => Some((Field::Contact, c)),
            Change::DetentionOpened { notes: Some(n), .. } => Some((Field::Notes, n)),
            Change::NotesSet { notes } => Some((Field::Notes, notes)),
            Change::Audited { query: Some(q), .. } => Some((Field::Query, q)),
            Change::FacilityObserved(Observation {
                reported_by: Some(r),
                ..
            }) => Some((Field::Contact, r)),
            Change::PasswordSet { hash } => Some((Field::Password, hash)),
            Change::SecondFactorSet { secret } => Some((Field::SecondFactor, secret)),
            _ => None,
        }
    }

    /// The date the change took effect, where it has one (its valid time).
    pub fn valid_on(&self) -> Option<PartialDate> {
        match self {
            Change::DetentionOpened { arrest, .. }
            | Change::ArrestCorrected { arrest }
            | Change::GroupRecorded { arrest, .. } => Some(arrest.date),
            Change::StepRecorded(step) => step.date,
            Change::Ended { end } => Some(end.date),
            Change::FacilityObserved(o) => Some(o.date),
            Change::FacilityCounted(p) => Some(p.on),
            _ => None,
        }
    }

    /// The changes that bring a new record into being.
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Change::RegistryCreated { .. }
                | Change::PersonStated { .. }
                | Change::DetentionOpened { .. }
                | Change::ReportReceived { .. }
                | Change::SourceRecorded { .. }
                | Change::FacilityRecorded { .. }
                | Change::GroupRecorded { .. }
                | Change::BalancePublished(_)
                | Change::AccountCreated { .. }
        )
    }
}

/// A fact before the ledger seals it with its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub recorded_on: Day,
    pub actor: String,
    pub subject: Subject,
    pub change: Change,
    pub sources: Vec<SourceId>,
}

/// The instant a transaction appends its facts at, with its text form (formatted once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendedAt(jiff::Timestamp, String);

impl AppendedAt {
    pub fn new(at: jiff::Timestamp) -> Self {
        AppendedAt(at, at.to_string())
    }

    pub fn timestamp(&self) -> jiff::Timestamp {
        self.0
    }
}

/// A fact as read back from the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub seq: u64,
    pub appended_at: jiff::Timestamp,
    pub recorded_on: Day,
    pub actor: String,
    pub subject: Subject,
    pub valid_on: Option<PartialDate>,
    pub sources: Vec<SourceId>,
    pub change: Change,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// A fact exactly as stored: every column as text, so that verification hashes the stored bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactRow {
    pub seq: u64,
    pub appended_at: String,
    pub recorded_on: String,
    pub actor: String,
    pub subject: String,
    pub valid_on: Option<String>,
    /// Source ids separated by commas.
    pub sources: String,
    /// The change as JSON.
    pub change: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// Why a stored fact cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("fact {seq}: column {column} is unreadable: {detail}")]
    Column {
        seq: u64,
        column: &'static str,
        detail: String,
    },
}

impl FactRow {
    /// Seals a draft at position `seq` after the fact whose hash is `prev_hash`: the row to
    /// store and the fact it reads back as.
    pub fn seal(draft: Draft, seq: u64, at: &AppendedAt, prev_hash: Hash) -> (Self, Fact) {
        let appended_at = at.0;
        let mut row = FactRow {
            seq,
            appended_at: at.1.clone(),
            recorded_on: draft.recorded_on.to_string(),
            actor: draft.actor.clone(),
            subject: draft.subject.to_string(),
            valid_on: draft.change.valid_on().map(|d| d.to_string()),
            sources: draft
                .sources
                .iter()
                .map(|s| s.0.to_string())
                .collect::<Vec<_>>()
                .join(","),
            // Serialising a plain enum of owned data cannot fail.
            change: serde_json::to_string(&draft.change).unwrap_or_default(),
            prev_hash,
            hash: Hash::GENESIS,
        };
        row.hash = row.compute_hash();
        let fact = Fact {
            seq,
            appended_at,
            recorded_on: draft.recorded_on,
            actor: draft.actor,
            subject: draft.subject,
            valid_on: draft.change.valid_on(),
            sources: draft.sources,
            change: draft.change,
            prev_hash: row.prev_hash,
            hash: row.hash,
        };
        (row, fact)
    }

    /// SHA-256 over every column but `hash`, each length-prefixed so no two rows share an
    /// encoding; the previous hash enters as its 32 bytes.
    pub fn compute_hash(&self) -> Hash {
        let mut h = Sha256::new();
        let seq = self.seq.to_string();
        let valid_on = self.valid_on.as_deref().unwrap_or("");
        for field in [
            seq.as_str(),
            &self.appended_at,
            &self.recorded_on,
            &self.actor,
            &self.subject,
            valid_on,
            &self.sources,
            &self.change,
        ] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field.as_bytes());
        }
        h.update((self.prev_hash.0.len() as u64).to_le_bytes());
        h.update(self.prev_hash.0);
        Hash(h.finalize().into())
    }

    /// Reads the stored text back into a fact.
    pub fn decode(&self) -> Result<Fact, DecodeError> {
        let err = |column: &'static str, detail: String| DecodeError::Column {
            seq: self.seq,
            column,
            detail,
        };
        let appended_at = self
            .appended_at
            .parse()
            .map_err(|e: jiff::Error| err("appended_at", e.to_string()))?;
        let recorded_on = self
            .recorded_on
            .parse()
            .map_err(|e: jiff::Error| err("recorded_on", e.to_string()))?;
        let subject = Subject::parse(&self.subject)
            .ok_or_else(|| err("subject", format!("{:?} is not kind:id", self.subject)))?;
        let valid_on = match &self.valid_on {
            Some(v) => Some(PartialDate::parse(v).map_err(|e| err("valid_on", e.to_string()))?),
            None => None,
        };
        let mut sources = Vec::new();
        for s in self.sources.split(',').filter(|s| !s.is_empty()) {
            let id = s.parse().map_err(|_| err("sources", format!("{s:?}")))?;
            sources.push(SourceId(id));
        }
        let change: Change =
            serde_json::from_str(&self.change).map_err(|e| err("change", e.to_string()))?;
        Ok(Fact {
            seq: self.seq,
            appended_at,
            recorded_on,
            actor: self.actor.clone(),
            subject,
            valid_on,
            sources,
            change,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// What went wrong walking the chain, naming the first broken fact.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "fact {seq}: expected position {expected} in the chain (a fact is missing or was inserted)"
    )]
    Gap { seq: u64, expected: u64 },
    #[error(
        "fact {seq}: it names {found} as the previous hash, but the previous fact's hash is {expected}"
    )]
    BrokenLink {
        seq: u64,
        expected: Hash,
        found: Hash,
    },
    #[error(
        "fact {seq}: its content does not match its hash (it was changed after it was written)"
    )]
    Tampered { seq: u64 },
    /// The chain holds together but is not the one an outside anchor vouched for.
    #[error("fact {seq}: {why}")]
    Anchor { seq: u64, why: String },
    #[error(transparent)]
    Unreadable(#[from] DecodeError),
}

impl ChainError {
    /// The position of the first broken fact.
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::Gap { seq, .. }
            | ChainError::BrokenLink { seq, .. }
            | ChainError::Tampered { seq }
            | ChainError::Anchor { seq, .. } => *seq,
            ChainError::Unreadable(DecodeError::Column { seq, .. }) => *seq,
        }
    }
}

/// Walks a chain one fact at a time, in order.
#[derive(Clone, Debug, Default)]
pub struct ChainCheck {
    count: u64,
    head: Hash,
}

impl ChainCheck {
    /// Checks the next stored fact: its position, its link to the one before, its hash, and
    /// that it can be read.
    pub fn check(&mut self, row: &FactRow) -> Result<(), ChainError> {
        let expected = self.count + 1;
        if row.seq != expected {
            return Err(ChainError::Gap {
                seq: row.seq,
                expected,
            });
        }
        if row.prev_hash != self.head {
            return Err(ChainError::BrokenLink {
                seq: row.seq,
                expected: self.head,
                found: row.prev_hash,
            });
        }
        if row.compute_hash() != row.hash {
            return Err(ChainError::Tampered { seq: row.seq });
        }
        row.decode()?;
        self.count = row.seq;
        self.head = row.hash;
        Ok(())
    }

    /// Facts checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last fact checked (the ledger head).
    pub fn head(&self) -> Hash {
        self.head
    }
}
