//! Backups: the whole registry (every fact as stored, every file) encrypted with age to the
//! registry's backup recipient, whose identity `init` writes for the organisation to keep
//! offline, or to a passphrase. A backup is useless without that identity or passphrase, and
//! a restore makes a new registry with a new key of its own.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use age::secrecy::{ExposeSecret, SecretString};
use vigilia_core::clock::Clock;
use vigilia_core::fact::Change;
use vigilia_core::fold::{KnownOn, Record};
use vigilia_core::ids::Subject;
use vigilia_ledger::{DatabaseUrl, Head, Ledger, backup, create_private};

use crate::error::AppError;
use crate::export::output;
use crate::import::InputError;
use crate::keys::KeySource;

/// The backup identity's file beside a SQLite registry (`vigilia.db` → `vigilia.backup-key`);
/// for PostgreSQL, in the current folder.
pub fn identity_path(url: &DatabaseUrl) -> PathBuf {
    match url {
        DatabaseUrl::Sqlite(db) => db.with_extension("backup-key"),
        DatabaseUrl::Postgres(_) => "vigilia.backup-key".into(),
    }
}

/// At `init`: a new age key pair; the identity to `path`, readable by its owner only, the
/// recipient into the registry (a fact, so nobody can quietly redirect backups).
pub fn make_recipient(ledger: &mut Ledger, actor: &str, path: &Path) -> Result<(), AppError> {
    let identity = age::x25519::Identity::generate();
    write_private(path, identity.to_string().expose_secret())?;
    ledger.record(
        actor,
        Subject::REGISTRY,
        Change::BackupRecipientSet {
            recipient: identity.to_public().to_string(),
        },
    )?;
    Ok(())
}

/// Writes a new file readable by its owner only (a key); never over an existing one.
pub fn write_private(path: &Path, text: &str) -> Result<(), AppError> {
    let written = create_private(path).and_then(|mut f| {
        writeln!(f, "{text}")?;
        f.sync_all()
    });
    written.map_err(|e| output(path, &e))
}

/// A backup written: the head it holds, and the recipient it was encrypted to (none for a
/// passphrase), to be shown so that a recipient changed behind the organisation's back is seen.
#[derive(Debug)]
pub struct Written {
    pub head: Head,
    pub recipient: Option<String>,
}

/// Writes an encrypted backup of the registry as it stands (the server may be running) to
/// `out`, whole or not at all ([`crate::export::Output`]).
/// Encrypted to the passphrase if one is given, else to the registry's recipient, as its facts
/// say (folded from them, never read from the current-state tables, which nothing verifies).
pub fn write(
    ledger: &mut Ledger,
    out: &Path,
    passphrase: Option<String>,
) -> Result<Written, AppError> {
    let mut to = None;
    let encryptor = match passphrase.filter(|p| !p.is_empty()) {
        Some(p) => age::Encryptor::with_user_passphrase(SecretString::from(p)),
        None => {
            let recipient = match ledger.as_known_on(Subject::REGISTRY, KnownOn::NOW)? {
                Some(Record::Registry(r)) => r.backup_recipient,
                _ => None,
            };
            to = recipient.clone();
            let recipient = recipient
                .as_deref()
                .and_then(|t| age::x25519::Recipient::from_str(t).ok())
                .ok_or(AppError::NoBackupRecipient)?;
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| AppError::Credential(e.to_string()))?
        }
    };
    let mut file = crate::export::Output::create(out)?;
    let mut writer = encryptor
        .wrap_output(file.writer())
        .map_err(|e| output(out, &e))?;
    let head = backup::write(ledger, &mut writer)?;
    writer.finish().map_err(|e| output(out, &e))?;
    file.finish()?;
    Ok(Written {
        head,
        recipient: to,
    })
}

/// How a backup is opened: the identity file `init` wrote (AGE-SECRET-KEY-…), or the
/// passphrase it was written with.
#[derive(Debug)]
pub enum Opener<'a> {
    Identity(&'a Path),
    Passphrase(String),
}

/// Restores the backup `file` into a registry that does not exist yet, with a new key of its
/// own (`keys`). Returns the head of the restored chain, verified.
pub fn restore(
    keys: &KeySource,
    clock: Arc<dyn Clock>,
    file: &Path,
    opener: Opener<'_>,
) -> Result<Head, AppError> {
    let input = std::fs::File::open(file).map_err(|e| InputError::Unreadable {
        path: file.to_path_buf(),
        detail: e.to_string(),
    })?;
    let decryptor =
        age::Decryptor::new_buffered(BufReader::new(input)).map_err(|e| AppError::NotABackup {
            path: file.to_path_buf(),
            detail: e.to_string(),
        })?;
    let refused = |e: age::DecryptError| AppError::BackupNotOpened {
        path: file.to_path_buf(),
        detail: e.to_string(),
    };
    let reader = match opener {
        Opener::Identity(path) => {
            let text = crate::import::read_text(path)?;
            let id = text
                .lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .and_then(|l| age::x25519::Identity::from_str(l.trim()).ok())
                .ok_or_else(|| AppError::NoIdentity(path.to_path_buf()))?;
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
        Opener::Passphrase(p) => {
            let id = age::scrypt::Identity::new(SecretString::from(p));
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
    }
    .map_err(refused)?;
    keys.create(|key| backup::restore(&keys.url, Some(key), clock, &mut BufReader::new(reader)))
}
