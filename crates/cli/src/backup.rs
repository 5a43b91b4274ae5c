//! `vigilia backup` and `vigilia restore` (see `vigilia_app::backup`): the whole registry
//! encrypted to its backup recipient or to a passphrase (`VIGILIA_BACKUP_PASSPHRASE`).

use std::path::Path;

use vigilia_app::backup::{self, Opener};

use crate::Env;
use crate::failure::Failure;
use crate::registry::say;

fn passphrase() -> Option<String> {
    std::env::var("VIGILIA_BACKUP_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
}

/// Writes an encrypted backup of the registry as it stands (the server may be running).
pub fn backup(env: &Env, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let w = backup::write(&mut ledger, env.keys.output(out)?, passphrase())?;
    let (o, n, h) = (out.display(), env.lang.number(w.head.facts), w.head.hash);
    let to = w
        .recipient
        .unwrap_or_else(|| "VIGILIA_BACKUP_PASSPHRASE".into());
    say(
        env,
        format!("Copia cifrada en {o} para {to}: {n} hechos, cabeza {h}"),
        format!("Encrypted backup in {o} for {to}: {n} facts, head {h}"),
    );
    Ok(())
}

/// Restores a backup into a registry that does not exist yet (with a new key of its own).
pub fn restore(env: &Env, file: &Path, identity: Option<&Path>) -> Result<(), Failure> {
    let opener = match (identity, passphrase()) {
        (Some(path), _) => Opener::Identity(path),
        (None, Some(p)) => Opener::Passphrase(p),
        (None, None) => {
            return Err(Failure::bad(
                "dé la identidad de las copias con --identity ARCHIVO (o la frase con VIGILIA_BACKUP_PASSPHRASE)",
                "give the backup identity with --identity FILE (or the passphrase with VIGILIA_BACKUP_PASSPHRASE)",
            ));
        }
    };
    let head = backup::restore(&env.keys, env.clock.clone(), file, opener)?;
    let (u, n, h) = (&env.keys.url, env.lang.number(head.facts), head.hash);
    say(
        env,
        format!("Registro restaurado en {u}: {n} hechos, cabeza {h} (cadena verificada)"),
        format!("Registry restored at {u}: {n} facts, head {h} (chain verified)"),
    );
    Ok(())
}
