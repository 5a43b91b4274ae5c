//! The registry's key: what SQLCipher encrypts a SQLite registry with, page by page. It lives
//! outside the database — a key file (`vigilia init` writes one, readable by its owner only)
//! or a passphrase — so a copied database file is unreadable without it.

use std::io::Write;
use std::path::Path;

use crate::LedgerError;

/// A key file's first word: the format, so another can follow.
const FORMAT: &str = "vigilia-key-1";

/// The key a registry is opened with. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// 32 random bytes, used as SQLCipher's raw key.
    Key([u8; 32]),
    /// A passphrase, stretched by SQLCipher (PBKDF2-HMAC-SHA512, 256,000 rounds, salted).
    Passphrase(String),
}

/// Wiped when dropped (zeroize's writes are volatile: the optimiser cannot drop them as dead
/// stores), so a freed key does not linger in memory a core dump or swap could show. Copies made
/// on the way to SQLCipher's PRAGMA are its own to keep.
impl Drop for Secret {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        match self {
            Secret::Key(bytes) => bytes.zeroize(),
            Secret::Passphrase(text) => text.zeroize(),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Key(_) => f.write_str("Secret::Key(…)"),
            Secret::Passphrase(_) => f.write_str("Secret::Passphrase(…)"),
        }
    }
}

impl Secret {
    /// A new random key.
    pub fn generate() -> Result<Secret, LedgerError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| LedgerError::Crypto(format!("no randomness for a new key: {e}")))?;
        Ok(Secret::Key(bytes))
    }

    /// Writes a new key file readable by its owner only; an existing file is never replaced.
    pub fn write_new(&self, path: &Path) -> Result<(), LedgerError> {
        let Secret::Key(bytes) = self else {
            return Err(key_file(path, "a passphrase is not written to a file"));
        };
        let mut file = create_private(path).map_err(|e| key_file(path, &e.to_string()))?;
        writeln!(file, "{FORMAT} {}", hex::encode(bytes))
            .and_then(|()| file.sync_all())
            .map_err(|e| key_file(path, &e.to_string()))
    }

    /// Reads a key file, refusing one that others than its owner can read.
    pub fn read_file(path: &Path) -> Result<Secret, LedgerError> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LedgerError::NoKey(path.display().to_string()),
            _ => key_file(path, &e.to_string()),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(LedgerError::KeyExposed {
                    path: path.display().to_string(),
                    mode,
                });
            }
        }
        let _ = meta;
        let text = std::fs::read_to_string(path).map_err(|e| key_file(path, &e.to_string()))?;
        let hex_key = text
            .trim()
            .strip_prefix(FORMAT)
            .map(str::trim)
            .ok_or_else(|| key_file(path, &format!("it does not start with {FORMAT}")))?;
        let bytes = hex::decode(hex_key)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| key_file(path, "the key is not 64 hexadecimal digits"))?;
        Ok(Secret::Key(bytes))
    }

    /// The value of SQLCipher's `PRAGMA key`.
    pub(crate) fn pragma(&self) -> String {
        match self {
            Secret::Key(bytes) => format!("\"x'{}'\"", hex::encode(bytes)),
            Secret::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
        }
    }
}

/// A new file readable by its owner only (mode 0600), for keys and backups; an existing file
/// is never opened.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn key_file(path: &Path, detail: &str) -> LedgerError {
    LedgerError::KeyFile {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_written_once_for_its_owner_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.key");
        let key = Secret::generate().unwrap();
        key.write_new(&path).unwrap();
        assert_eq!(Secret::read_file(&path).unwrap(), key);
        assert!(matches!(
            key.write_new(&path),
            Err(LedgerError::KeyFile { .. })
        ));
        assert_eq!(format!("{key:?}"), "Secret::Key(…)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = Secret::read_file(&path).unwrap_err();
            assert!(e.to_string().contains("chmod 600"), "{e}");
        }
    }
}
