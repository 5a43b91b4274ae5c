//! What can go wrong in a use case. Each variant names one thing; [`crate::messages`] says it
//! to a person in Spanish and English.

use std::path::PathBuf;

use vigilia_core::date::Day;
use vigilia_core::ids::{PersonId, ReportId, Subject};
use vigilia_count::when::WhenError;
use vigilia_ledger::LedgerError;
use vigilia_matching::report::ReportError;

use crate::anchors::AnchorProblem;
use crate::import::rows::Unreadable;

use crate::fields::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0} does not exist")]
    NotFound(Subject),
    #[error("this account may not see or change {0}")]
    Forbidden(Subject),
    #[error("{0} was already reviewed")]
    AlreadyReviewed(ReportId),
    #[error("{0} does not say when the arrest was")]
    NoArrestDate(ReportId),
    #[error("{0} keeps no confidential field (reports and detentions do)")]
    NothingConfidential(Subject),
    #[error("no reason was given")]
    ReasonNeeded,
    #[error("neither a person nor a detention was chosen")]
    NothingChosen,
    #[error("{0} cannot be merged into itself")]
    MergeIntoItself(PersonId),
    #[error("{person} is already merged into {into}")]
    AlreadyMerged { person: PersonId, into: PersonId },
    #[error("{person} is merged into {into}")]
    TargetMerged { person: PersonId, into: PersonId },
    #[error("{0} is not merged into anyone")]
    NotMerged(PersonId),
    #[error(
        "{detention} belongs to another group detention ({group}) than the arrest its report names"
    )]
    InAnotherGroup {
        detention: vigilia_core::ids::DetentionId,
        group: vigilia_core::ids::GroupId,
    },
    #[error(
        "{0} has other persons merged into it: split them first, or merge them into the same person"
    )]
    HasMergedPersons(PersonId),
    #[error("there is no active account named {0:?}")]
    NoActiveAccount(String),
    #[error("{0:?}: an account name has 1 to 64 unaccented letters, digits, '.', '-' or '_'")]
    BadAccountName(String),
    #[error("the account {0:?} already exists")]
    AccountExists(String),
    #[error("there is no account named {0:?}")]
    NoAccount(String),
    #[error("the invitation does not exist, was used, or expired")]
    InvitationExpired,
    #[error("{typed:?} is not a state of the registry's profile")]
    NotAState { typed: String, known: Vec<String> },
    #[error("too many reports came from this address in the last hour")]
    TooManyReports,
    #[error("this form was already sent")]
    FormAlreadySent,
    #[error("the registry changed after the balance was counted")]
    CountedBeforeAChange,
    /// The figures counted now are not those the person saw and asked to publish, or another
    /// write came between the count and the publication.
    #[error("something was recorded after the figures were shown")]
    FiguresChanged,
    #[error("credentials could not be made: {0}")]
    Credential(String),
    #[error(transparent)]
    Input(#[from] crate::import::InputError),
    #[error("{path}: cannot be written: {detail}")]
    Output { path: String, detail: String },
    #[error("the form has errors: {0:?}")]
    Invalid(FieldErrors),
    #[error("{}: it is one of the registry's own files (the database, its key or the backup identity); write elsewhere", .0.display())]
    OwnFile(PathBuf),
    #[error("{}: named twice, as what is read and what is written or as two files written; write each to a file of its own", .0.display())]
    SameFile(PathBuf),
    #[error("{}: not a plain file (a device or a folder); write to a file", .0.display())]
    NotAFile(PathBuf),
    #[error(
        "this registry has the demo accounts ({0}, …), whose passwords were printed on screen: serve it with --demo, or revoke them first (vigilia user revoke {0})"
    )]
    DemoAccountsLeft(String),
    #[error("coordinators and lawyers are invited from the command line (vigilia user add)")]
    StaffFromCommandLine,
    #[error("write what you want to add (up to 5000 characters)")]
    AdditionLength,
    #[error("this report cannot take more additions")]
    ReportFull,
    #[error("a registry on PostgreSQL needs its key file named")]
    KeyFileNeeded,
    #[error("{0}: only a demo registry (a SQLite file named demo.db) is replaced")]
    NotADemo(String),
    #[error("country profile: {0}")]
    BadProfile(String),
    #[error("this registry has no backup recipient")]
    NoBackupRecipient,
    #[error("{}: not an encrypted Vigilia backup ({detail})", path.display())]
    NotABackup { path: PathBuf, detail: String },
    #[error("{}: cannot be opened with that identity or passphrase ({detail})", path.display())]
    BackupNotOpened { path: PathBuf, detail: String },
    #[error("{}: holds no age identity (AGE-SECRET-KEY-…)", .0.display())]
    NoIdentity(PathBuf),
    #[error("{}: not a Vigilia signing key", .0.display())]
    NotASigningKey(PathBuf),
    #[error("{}: not an anchor: {problem:?}", path.display())]
    BadAnchor {
        path: PathBuf,
        problem: AnchorProblem,
    },
    #[error("--from {from} must be before --to {to}")]
    FromNotBeforeTo { from: Day, to: Day },
    #[error("{0:?} is not a dimension")]
    NotADimension(String),
    #[error(transparent)]
    When(#[from] WhenError),
    #[error("{}: {error}", path.display())]
    Reports { path: PathBuf, error: ReportError },
    #[error("{}: line {}: {}", path.display(), row.line, row.en)]
    BadRow { path: PathBuf, row: Box<Unreadable> },
    #[error("the file cannot be read: {0}")]
    BadFile(String),
    #[error("the file has no column {0:?}")]
    NoColumn(&'static str),
    #[error("{day} is after today ({today})")]
    AfterToday { day: Day, today: Day },
    #[error(
        "the outputs signed so far (certified lists, releases) were signed with the key {0}; say --new-key to sign with another"
    )]
    OtherSigningKey(String),
    #[error("there is no certified list number {0}")]
    NoCertifiedList(u64),
    #[error(
        "there is no list {0:?}: the lists are family, volunteer, lawyer, press, social_media, official and the lists imported by name"
    )]
    UnknownList(String),
    #[error(
        "{0:?} cannot name a list: give a name of at most 60 characters (letters, digits, spaces and .-_()/'º°, starting with a letter or digit) that is not one of the channels (family, volunteer, lawyer, press, social_media, official)"
    )]
    ListName(String),
    #[error("the list {name:?} was already imported on {on}: a list is imported once")]
    ListImported { name: String, on: Day },
    #[error("the period starts on {from}, after its end ({to})")]
    PeriodBackwards { from: Day, to: Day },
    #[error(transparent)]
    Histories(#[from] vigilia_estimate::table::TableError),
    #[error(
        "{people} people shown in version {version} have since withdrawn their consent: its files with names are not given again"
    )]
    ConsentWithdrawn { version: u64, people: usize },
    #[error("a release as of {as_of} cannot be as known on {known_on}, an earlier day")]
    KnownBeforeAsOf { as_of: Day, known_on: Day },
    #[error("the estimate is not published: {0:?}")]
    Unpublishable(crate::estimates::Unpublishable),
    #[error("there is no published estimate number {0}")]
    NoEstimate(u64),
    #[error("there is no open-data release number {0}")]
    NoRelease(u64),
    #[error("{}: not a certified list nor a release ({why})", dir.display())]
    NotSignedFiles { dir: PathBuf, why: String },
    /// A signed folder that does not verify: the first file that differs, and how.
    #[error("{file} differs: {how:?}")]
    Differs {
        file: String,
        how: crate::signed::Differs,
    },
    #[error("the digest was not sent: {0}")]
    Mail(String),
    #[error("lines of the file cannot be read: {0:?}")]
    BadLines(Vec<crate::places::LineErrors>),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl AppError {
    /// Whether the registry failed (rather than the request being wrong): worth logging.
    /// Whether this is a mistake in what a person typed (a field, a missing reason, an account
    /// that is not one): a form answers it beside its field.
    pub fn is_mistake(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_) | AppError::ReasonNeeded | AppError::NoActiveAccount(_)
        )
    }

    pub fn is_failure(&self) -> bool {
        match self {
            AppError::Credential(_) | AppError::Output { .. } => true,
            AppError::Ledger(e) => !matches!(e, LedgerError::Refused(_) | LedgerError::Fold(_)),
            _ => false,
        }
    }

    /// Whether the request lost a race with another write (the state it relied on changed).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            AppError::AlreadyReviewed(_)
                | AppError::AlreadyMerged { .. }
                | AppError::TargetMerged { .. }
                | AppError::NotMerged(_)
                | AppError::AccountExists(_)
                | AppError::CountedBeforeAChange
                | AppError::FiguresChanged
                | AppError::FormAlreadySent
                | AppError::Ledger(LedgerError::Refused(_) | LedgerError::Fold(_))
        )
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> AppError {
        AppError::Invalid(e)
    }
}
