//! The one boundary error of the command: what went wrong, in Spanish and English, and the exit
//! code a script can rely on — 1 when the registry or the machine failed, 2 for bad input
//! (a wrong option, a bad file, rows that could not be read), 3 when `verify` finds the ledger
//! broken or `verify-release` a file that differs from what was signed, 4 when `verify-release`
//! found everything in agreement but was given no trusted key to check the signer.

use vigilia_core::lang::{Lang, Localize};
use vigilia_ledger::LedgerError;

#[derive(Debug)]
pub enum Failure {
    /// The input was wrong: exit code 2.
    BadInput {
        es: String,
        en: String,
    },
    /// The ledger's chain is broken: exit code 3.
    Broken(LedgerError),
    /// A signed folder differs from what was signed: exit code 3.
    Differs {
        es: String,
        en: String,
    },
    /// A signed folder agrees with itself, but its key was not checked against a trusted one:
    /// exit code 4.
    Unchecked {
        es: String,
        en: String,
    },
    /// Storage or the system failed: exit code 1.
    Ledger(LedgerError),
    Io {
        es: String,
        en: String,
    },
}

impl Failure {
    pub fn bad(es: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure::BadInput {
            es: es.into(),
            en: en.into(),
        }
    }

    pub fn io(path: &std::path::Path, e: &dyn std::fmt::Display) -> Failure {
        Failure::Io {
            es: format!("{}: {e}", path.display()),
            en: format!("{}: {e}", path.display()),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Failure::BadInput { es, en }
            | Failure::Io { es, en }
            | Failure::Differs { es, en }
            | Failure::Unchecked { es, en } => lang.pick(es, en).to_string(),
            Failure::Broken(e) | Failure::Ledger(e) => e.localize(lang),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::BadInput { .. } => 2,
            Failure::Broken(_) | Failure::Differs { .. } => 3,
            Failure::Unchecked { .. } => 4,
            Failure::Ledger(
                LedgerError::Url(_)
                | LedgerError::NotFound(_)
                | LedgerError::NoKey(_)
                | LedgerError::KeyFile { .. }
                | LedgerError::KeyExposed { .. }
                | LedgerError::WrongKey(_)
                | LedgerError::KeyNeeded(_)
                | LedgerError::BadBackup { .. }
                | LedgerError::BackupIncomplete { .. },
            ) => 2,
            Failure::Ledger(_) | Failure::Io { .. } => 1,
        }
    }
}

/// What a use case refuses is bad input here; a storage failure stays one.
impl From<vigilia_app::AppError> for Failure {
    fn from(e: vigilia_app::AppError) -> Failure {
        use vigilia_app::import::InputError;
        match e {
            vigilia_app::AppError::Ledger(e) => Failure::Ledger(e),
            differs @ vigilia_app::AppError::Differs { .. } => Failure::Differs {
                es: differs.localize(Lang::Es),
                en: differs.localize(Lang::En),
            },
            unreadable @ (vigilia_app::AppError::Input(InputError::Unreadable { .. })
            | vigilia_app::AppError::Output { .. }) => Failure::Io {
                es: unreadable.localize(Lang::Es),
                en: unreadable.localize(Lang::En),
            },
            other => Failure::bad(other.localize(Lang::Es), other.localize(Lang::En)),
        }
    }
}

/// What the web's shared operations refuse is bad input here; a storage failure stays one.
impl From<vigilia_web::WebError> for Failure {
    fn from(e: vigilia_web::WebError) -> Failure {
        match e {
            vigilia_web::WebError::App(e) => e.into(),
            other => Failure::bad(other.message(Lang::Es), other.message(Lang::En)),
        }
    }
}

impl From<vigilia_count::when::WhenError> for Failure {
    fn from(e: vigilia_count::when::WhenError) -> Failure {
        Failure::bad(e.localize(Lang::Es), e.localize(Lang::En))
    }
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Failure {
        Failure::Ledger(e)
    }
}
