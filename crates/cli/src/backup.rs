//! `vigilia backup` and `vigilia restore`: the whole registry (every fact as stored, every
//! file) encrypted with age to the registry's backup recipient, whose identity `init` wrote for
//! the organisation to keep offline, or to a passphrase (`VIGILIA_BACKUP_PASSPHRASE`). A
//! backup is useless without that identity or passphrase.

use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use vigilia_core::fact::Change;
use vigilia_core::fold::Record;
use vigilia_core::ids::Subject;
use vigilia_ledger::{DatabaseUrl, Ledger, backup, create_private};

use crate::Env;
use crate::failure::Failure;

/// The backup identity's file beside a SQLite registry (`vigilia.db` → `vigilia.backup-key`);
/// for PostgreSQL, in the current folder.
fn identity_path(env: &Env) -> std::path::PathBuf {
    match &env.url {
        DatabaseUrl::Sqlite(db) => db.with_extension("backup-key"),
        DatabaseUrl::Postgres(_) => "vigilia.backup-key".into(),
    }
}

/// At `init`: a new age key pair; the identity to a file readable by its owner only, the
/// recipient into the registry (a fact, so nobody can quietly redirect backups).
pub fn make_recipient(env: &Env, ledger: &mut Ledger) -> Result<(), Failure> {
    let identity = age::x25519::Identity::generate();
    let path = identity_path(env);
    write_private(&path, identity.to_string().expose_secret())?;
    ledger.record(
        &env.actor,
        Subject::REGISTRY,
        Change::BackupRecipientSet {
            recipient: identity.to_public().to_string(),
        },
    )?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "Identidad de las copias de seguridad en {p}: llévela fuera de esta máquina (una memoria guardada aparte); sin ella ninguna copia se puede leer.",
                p = path.display()
            ),
            &format!(
                "Backup identity in {p}: take it off this machine (a drive kept apart); without it no backup can be read.",
                p = path.display()
            )
        )
    );
    Ok(())
}

/// Writes a new file readable by its owner only (a key); never over an existing one.
pub fn write_private(path: &Path, text: &str) -> Result<(), Failure> {
    let mut f = create_private(path).map_err(|e| Failure::io(path, &e))?;
    writeln!(f, "{text}")
        .and_then(|()| f.sync_all())
        .map_err(|e| Failure::io(path, &e))
}

fn passphrase() -> Option<SecretString> {
    std::env::var("VIGILIA_BACKUP_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
}

/// Writes an encrypted backup of the registry as it stands (the server may be running).
pub fn backup(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let encryptor = match passphrase() {
        Some(p) => age::Encryptor::with_user_passphrase(p),
        None => {
            let Some(Record::Registry(r)) = ledger.get(Subject::REGISTRY)? else {
                return Err(Failure::bad(
                    "el registro no tiene su primer hecho",
                    "the registry lacks its first fact",
                ));
            };
            let recipient = r
                .backup_recipient
                .as_deref()
                .and_then(|t| age::x25519::Recipient::from_str(t).ok())
                .ok_or_else(|| {
                    Failure::bad(
                        "este registro no tiene destinatario de copias: dé una frase con VIGILIA_BACKUP_PASSPHRASE",
                        "this registry has no backup recipient: give a passphrase with VIGILIA_BACKUP_PASSPHRASE",
                    )
                })?;
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| Failure::bad(e.to_string(), e.to_string()))?
        }
    };
    let partial = out.with_extension("partial");
    // What an interrupted backup left behind is replaced.
    let _ = std::fs::remove_file(&partial);
    let file = create_private(&partial).map_err(|e| Failure::io(&partial, &e))?;
    let mut writer = encryptor
        .wrap_output(BufWriter::new(file))
        .map_err(|e| Failure::io(&partial, &e))?;
    let head = backup::write(&mut ledger, &mut writer)?;
    writer
        .finish()
        .and_then(|mut w| w.flush().map(|()| w))
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| f.sync_all())
        .map_err(|e| Failure::io(&partial, &e))?;
    std::fs::rename(&partial, out).map_err(|e| Failure::io(out, &e))?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "Copia cifrada en {}: {} hechos, cabeza {}",
                out.display(),
                env.lang.number(head.facts),
                head.hash
            ),
            &format!(
                "Encrypted backup in {}: {} facts, head {}",
                out.display(),
                env.lang.number(head.facts),
                head.hash
            )
        )
    );
    Ok(())
}

/// Restores a backup into a registry that does not exist yet (with a new key of its own).
pub fn restore(env: &Env, file: &Path, identity: Option<&Path>) -> Result<(), Failure> {
    let input = std::fs::File::open(file).map_err(|e| Failure::io(file, &e))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(input)).map_err(|e| {
        Failure::bad(
            format!(
                "{}: no es una copia cifrada de Vigilia ({e})",
                file.display()
            ),
            format!("{}: not an encrypted Vigilia backup ({e})", file.display()),
        )
    })?;
    let refused = |e: age::DecryptError| {
        Failure::bad(
            format!(
                "{}: no se puede abrir con esa identidad o frase ({e})",
                file.display()
            ),
            format!(
                "{}: cannot be opened with that identity or passphrase ({e})",
                file.display()
            ),
        )
    };
    let reader = match (identity, passphrase()) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?;
            let id = text
                .lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .and_then(|l| age::x25519::Identity::from_str(l.trim()).ok())
                .ok_or_else(|| {
                    Failure::bad(
                        format!(
                            "{}: no contiene una identidad age (AGE-SECRET-KEY-…)",
                            path.display()
                        ),
                        format!(
                            "{}: holds no age identity (AGE-SECRET-KEY-…)",
                            path.display()
                        ),
                    )
                })?;
            decryptor
                .decrypt(std::iter::once(&id as &dyn age::Identity))
                .map_err(refused)?
        }
        (None, Some(p)) => {
            let id = age::scrypt::Identity::new(p);
            decryptor
                .decrypt(std::iter::once(&id as &dyn age::Identity))
                .map_err(refused)?
        }
        (None, None) => {
            return Err(Failure::bad(
                "dé la identidad de las copias con --identity ARCHIVO (o la frase con VIGILIA_BACKUP_PASSPHRASE)",
                "give the backup identity with --identity FILE (or the passphrase with VIGILIA_BACKUP_PASSPHRASE)",
            ));
        }
    };
    crate::registry::refuse_existing(env)?;
    let key = env.new_key()?;
    let head = backup::restore(
        &env.url,
        Some(&key),
        env.clock.clone(),
        &mut BufReader::new(reader),
    )
    .inspect_err(|_| env.forget_new_key())?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "Registro restaurado en {}: {} hechos, cabeza {} (cadena verificada)",
                env.url,
                env.lang.number(head.facts),
                head.hash
            ),
            &format!(
                "Registry restored at {}: {} facts, head {} (chain verified)",
                env.url,
                env.lang.number(head.facts),
                head.hash
            )
        )
    );
    Ok(())
}
