//! The registry's keys: where the key that opens it is (a key file, or a passphrase), a new
//! key for a new registry, re-encrypting the registry under a new key, and the new registry
//! itself (`init`, `restore`, `demo`), which is never made without its key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vigilia_core::clock::Clock;
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Head, Ledger, LedgerError, Secret};

use crate::error::AppError;

/// Where the key of the registry at `url` is.
#[derive(Debug, Clone)]
pub struct KeySource {
    pub url: DatabaseUrl,
    /// The key file: by default the database's path with `.key` (SQLite); on PostgreSQL it
    /// must be named.
    pub file: Option<PathBuf>,
    /// A passphrase instead of a key file (`VIGILIA_PASSPHRASE`).
    pub passphrase: Option<String>,
}

impl KeySource {
    /// The key file beside a SQLite database unless another is named.
    pub fn new(url: DatabaseUrl, file: Option<PathBuf>, passphrase: Option<String>) -> KeySource {
        let file = match (&url, file) {
            (_, Some(path)) => Some(path),
            (DatabaseUrl::Sqlite(db), None) => Some(db.with_extension("key")),
            (DatabaseUrl::Postgres(_), None) => None,
        };
        let passphrase = passphrase.filter(|p| !p.is_empty());
        KeySource {
            url,
            file,
            passphrase,
        }
    }

    /// A file to write, refused when it is one of the registry's own ([`KeySource::is_own_file`]):
    /// `--out vigilia.key` would destroy the key.
    pub fn output<'a>(&self, path: &'a Path) -> Result<&'a Path, AppError> {
        match self.is_own_file(path) {
            true => Err(AppError::OwnFile(path.to_path_buf())),
            false => Ok(path),
        }
    }

    /// Whether `path` is one of the registry's own files: the SQLite database and its journal,
    /// the key file, the backup identity beside it.
    pub fn is_own_file(&self, path: &Path) -> bool {
        let mut own: Vec<PathBuf> = self.file.iter().cloned().collect();
        own.push(crate::backup::identity_path(&self.url));
        if let DatabaseUrl::Sqlite(db) = &self.url {
            own.extend(sqlite_files(db));
        }
        own.iter().any(|o| same_file(o, path))
    }

    /// The files a command writes, refused before it starts when one is the registry's own
    /// ([`KeySource::output`]), the file it reads, another it writes, or not a file
    /// ([`crate::export::writable`]): `--out` and `--pairs` given the same name kept only the
    /// second, and `--out` given the input replaced it.
    pub fn outputs(&self, inputs: &[&Path], outputs: &[&Path]) -> Result<(), AppError> {
        for (n, out) in outputs.iter().enumerate() {
            self.output(out)?;
            crate::export::writable(out)?;
            let earlier = outputs.get(..n).unwrap_or_default();
            // An input is where its name leads (a link to the file read is the file read); an
            // output is the name it is given, which is what the finished file replaces.
            let target = named(out);
            let read = inputs.iter().map(|i| std::fs::canonicalize(i).ok());
            let written = earlier.iter().map(|o| named(o));
            if target.is_some() && read.chain(written).any(|other| other == target) {
                return Err(AppError::SameFile(out.to_path_buf()));
            }
        }
        Ok(())
    }

    /// Opens the registry.
    pub fn open(&self, clock: Arc<dyn Clock>) -> Result<Ledger, LedgerError> {
        Ledger::open_with(&self.url, self.key()?.as_ref(), clock)
    }

    /// The key to open the registry with: the passphrase, or the key file.
    pub fn key(&self) -> Result<Option<Secret>, LedgerError> {
        if let Some(p) = &self.passphrase {
            return Ok(Some(Secret::Passphrase(p.clone())));
        }
        match (&self.url, &self.file) {
            // No registry there: opening says so, which matters more than a missing key.
            (DatabaseUrl::Sqlite(db), _) if !db.exists() => Ok(None),
            (_, Some(path)) => Ok(Some(Secret::read_file(path)?)),
            (_, None) => Ok(None),
        }
    }

    /// A new key for a new registry, written to the key file (never over an existing one).
    fn new_key(&self) -> Result<Secret, AppError> {
        if let Some(p) = &self.passphrase {
            return Ok(Secret::Passphrase(p.clone()));
        }
        let Some(path) = &self.file else {
            return Err(AppError::KeyFileNeeded);
        };
        let key = Secret::generate()?;
        key.write_new(path)?;
        Ok(key)
    }

    /// Deletes the key [`KeySource::new_key`] wrote, when its registry could not be made.
    fn forget_new_key(&self) {
        if let (Some(path), None) = (&self.file, &self.passphrase) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Makes a new registry with a new key (`make` creates it with the key given); an existing
    /// SQLite registry is refused before any key is written, and the key is deleted again if
    /// the registry could not be made. A SQLite file is readable by its owner only.
    pub fn create<T>(
        &self,
        make: impl FnOnce(&Secret) -> Result<T, LedgerError>,
    ) -> Result<T, AppError> {
        if let DatabaseUrl::Sqlite(path) = &self.url
            && path.exists()
        {
            return Err(LedgerError::AlreadyExists(path.display().to_string()).into());
        }
        let key = self.new_key()?;
        let made = make(&key).inspect_err(|_| self.forget_new_key())?;
        // The database and the journals SQLite made beside it (left at the caller's umask),
        // readable by their owner only; later journals take the database's mode.
        #[cfg(unix)]
        if let DatabaseUrl::Sqlite(path) = &self.url {
            use std::os::unix::fs::PermissionsExt;
            for file in sqlite_files(path).iter().filter(|f| f.exists()) {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(
                    |e| AppError::Output {
                        path: file.display().to_string(),
                        detail: e.to_string(),
                    },
                )?;
            }
        }
        Ok(made)
    }

    /// Deletes a demo registry (`demo.db`, with its WAL files and its own key beside it), for
    /// `demo --replace` and `serve --demo`. Only a SQLite file named `demo.db` is ever
    /// deleted: pointed at another registry (a real one named by VIGILIA_DATABASE_URL), it is
    /// refused. Its key goes only with it, and a key file named elsewhere never does.
    pub fn remove_demo(&self) -> Result<(), AppError> {
        let DatabaseUrl::Sqlite(path) = &self.url else {
            return Err(AppError::NotADemo(self.url.to_string()));
        };
        if path.file_name() != Some(std::ffi::OsStr::new("demo.db")) {
            return Err(AppError::NotADemo(path.display().to_string()));
        }
        if !path.exists() {
            return Ok(());
        }
        let mut files = sqlite_files(path);
        let own = path.with_extension("key");
        if self.file.as_ref() == Some(&own) {
            files.push(own);
        }
        for p in files.iter().filter(|p| p.exists()) {
            std::fs::remove_file(p).map_err(|e| AppError::Output {
                path: p.display().to_string(),
                detail: e.to_string(),
            })?;
        }
        Ok(())
    }
}

/// A SQLite registry's files: the database and its journals.
fn sqlite_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut p = db.as_os_str().to_os_string();
            p.push(suffix);
            PathBuf::from(p)
        })
        .collect()
}

/// A new, empty registry with the country profile at `profile` (Venezuela's by default).
pub fn create(
    keys: &KeySource,
    clock: Arc<dyn Clock>,
    profile: Option<&Path>,
    actor: &str,
) -> Result<Ledger, AppError> {
    let profile = match profile {
        None => Profile::venezuela(),
        Some(path) => {
            let text = crate::import::read_text(path)?;
            Profile::from_toml(&text)
        }
    }
    .map_err(|e| AppError::BadProfile(e.to_string()))?;
    keys.create(|key| Ledger::create_with(&keys.url, Some(key), clock, profile, actor))
}

/// Re-encrypts the registry under a new key written to `new_key_file`; the old key stops
/// opening it. Returns the head of the chain, verified after.
pub fn rotate(ledger: &mut Ledger, new_key_file: &Path) -> Result<Head, AppError> {
    let key = Secret::generate()?;
    key.write_new(new_key_file)?;
    if let Err(e) = ledger.rekey(&key) {
        // Nothing was re-encrypted: the new key file would only mislead.
        let _ = std::fs::remove_file(new_key_file);
        return Err(e.into());
    }
    Ok(ledger.verify(&mut |_| {})?)
}

/// Whether two paths name the same file: the same name in the same folder ([`named`]).
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((named(a), named(b)), (Some(x), Some(y)) if x == y)
}

/// A file's name in its folder, the folder's links followed (not a link the name itself is:
/// what is written replaces the name, never what it links to).
fn named(p: &Path) -> Option<PathBuf> {
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()?;
    Some(dir.join(p.file_name()?))
}
