//! Commands about the registry as a whole: `init`, `verify`, `rebuild`, `summary`.

use std::path::Path;

use vigilia_core::ids::{Kind, Subject};
use vigilia_core::profile::Profile;
use vigilia_ledger::{DatabaseUrl, Ledger, LedgerError};

use crate::Env;
use crate::failure::Failure;
use crate::progress::Progress;

pub fn init(env: &Env, profile: Option<&Path>) -> Result<(), Failure> {
    let mut ledger = create(env, profile)?;
    crate::backup::make_recipient(env, &mut ledger)?;
    drop(ledger);
    crate::say!(
        "{}",
        env.lang.pick(
            &format!("Registro creado en {}", env.url),
            &format!("Registry created at {}", env.url)
        )
    );
    if let (Some(key), None) = (&env.key_file, &env.passphrase) {
        let k = key.display();
        let (es, en) = match env.url {
            DatabaseUrl::Sqlite(_) => (
                format!(
                    "Cifrado con la clave de {k} (solo su dueño puede leerla). Sin ella el registro es ilegible"
                ),
                format!(
                    "Encrypted with the key in {k} (readable by its owner only). Without it the registry is unreadable"
                ),
            ),
            DatabaseUrl::Postgres(_) => (
                format!(
                    "Los contactos de quienes reportan y las notas se cifran con la clave de {k} (solo su dueño puede leerla). Sin ella no se pueden leer"
                ),
                format!(
                    "Reporters' contacts and notes are encrypted with the key in {k} (readable by its owner only). Without it they cannot be read"
                ),
            ),
        };
        crate::say!(
            "{}",
            env.lang.pick(
                &format!("{es}: guarde una copia fuera de esta máquina, y no la deje junto a la base de datos en un equipo que pueda ser incautado."),
                &format!("{en}: keep a copy off this machine, and do not leave it beside the database on a machine that may be seized.")
            )
        );
    }
    Ok(())
}

/// Creates the registry (refusing an existing one); a SQLite file is readable by its owner only.
pub fn create(env: &Env, profile: Option<&Path>) -> Result<Ledger, Failure> {
    let profile = match profile {
        None => Profile::venezuela(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?;
            Profile::from_toml(&text)
        }
    }
    .map_err(|e| {
        Failure::bad(
            format!("perfil de país: {e}"),
            format!("country profile: {e}"),
        )
    })?;
    refuse_existing(env)?;
    let key = env.new_key()?;
    let ledger = Ledger::create_with(&env.url, Some(&key), env.clock.clone(), profile, &env.actor)
        .inspect_err(|_| env.forget_new_key())?;
    #[cfg(unix)]
    if let DatabaseUrl::Sqlite(path) = &env.url {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Failure::io(path, &e))?;
    }
    Ok(ledger)
}

/// Re-encrypts the registry under a new key written to `new_key_file`.
pub fn rotate(env: &Env, new_key_file: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let key = vigilia_ledger::Secret::generate()?;
    key.write_new(new_key_file)?;
    if let Err(e) = ledger.rekey(&key) {
        // Nothing was re-encrypted: the new key file would only mislead.
        let _ = std::fs::remove_file(new_key_file);
        return Err(e.into());
    }
    let head = ledger.verify(&mut |_| {})?;
    let old = env
        .key_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "VIGILIA_PASSPHRASE".into());
    crate::say!(
        "{}",
        env.lang.pick(
            &format!(
                "Registro cifrado de nuevo con la clave de {new} ({} hechos, cadena íntegra). La clave anterior ({old}) ya no lo abre: destrúyala junto con sus copias, y use --key-file {new} (o renombre el archivo).",
                env.lang.number(head.facts),
                new = new_key_file.display()
            ),
            &format!(
                "Registry encrypted again with the key in {new} ({} facts, chain intact). The old key ({old}) no longer opens it: destroy it and its copies, and use --key-file {new} (or rename the file).",
                env.lang.number(head.facts),
                new = new_key_file.display()
            )
        )
    );
    Ok(())
}

/// Erases a report's contact or a detention's notes for good.
pub fn erase(env: &Env, record: &str, reason: &str) -> Result<(), Failure> {
    let subject = Subject::parse(record).ok_or_else(|| {
        Failure::bad(
            format!(
                "{record:?}: nombre un reporte o una detención, p. ej. report:12 o detention:5"
            ),
            format!("{record:?}: name a report or a detention, e.g. report:12 or detention:5"),
        )
    })?;
    let mut ledger = env.open()?;
    vigilia_app::write(&mut ledger, |tx| {
        vigilia_app::records::erase(tx, &env.actor, subject, reason)
    })?;
    let head = ledger.head()?;
    crate::say!(
        "{}",
        env.lang.pick(
            &format!("Borrado para siempre lo confidencial de {record} (hecho {}): su clave fue destruida; la cadena sigue íntegra.", head.facts),
            &format!("Erased for good the confidential fields of {record} (fact {}): its key was destroyed; the chain still verifies.", head.facts)
        )
    );
    Ok(())
}

/// An existing SQLite registry is refused before a key is written for a new one.
pub fn refuse_existing(env: &Env) -> Result<(), Failure> {
    if let DatabaseUrl::Sqlite(path) = &env.url
        && path.exists()
    {
        return Err(LedgerError::AlreadyExists(path.display().to_string()).into());
    }
    Ok(())
}

/// Deletes a SQLite registry file (with its WAL files), for `demo --replace`. Refused for
/// PostgreSQL: Vigilia does not drop server databases.
pub fn remove_sqlite(env: &Env) -> Result<(), Failure> {
    let DatabaseUrl::Sqlite(path) = &env.url else {
        return Err(Failure::bad(
            "--replace solo borra registros SQLite; en PostgreSQL use una base de datos vacía",
            "--replace only deletes SQLite registries; on PostgreSQL use an empty database",
        ));
    };
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| Failure::io(&p, &e))?;
        }
    }
    // The replaced registry's own key (beside it) goes with it; a new one is made with the
    // new registry. A key file given elsewhere is never deleted.
    let own = path.with_extension("key");
    if let Some(key) = &env.key_file
        && *key == own
        && key.exists()
    {
        std::fs::remove_file(key).map_err(|e| Failure::io(key, &e))?;
    }
    Ok(())
}

pub fn verify(env: &Env, anchors: &[std::path::PathBuf]) -> Result<(), Failure> {
    let mut read = Vec::new();
    for path in anchors {
        read.extend(crate::checkpoint::read(path)?);
    }
    let mut ledger = env.open()?;
    let total = ledger.head()?.facts;
    let mut progress = Progress::new(env.lang.pick("verificando", "verifying"), total);
    let result = ledger.verify(&mut |done| progress.set(done, ""));
    progress.finish();
    let result = result.and_then(|head| {
        for anchor in &read {
            crate::checkpoint::check(&mut ledger, anchor).map_err(LedgerError::Chain)?;
        }
        Ok(head)
    });
    if !read.is_empty() && result.is_ok() {
        crate::say!(
            "{}",
            env.lang.pick(
                &format!("Coincide con {} anclas externas.", read.len()),
                &format!("Matches {} outside anchors.", read.len())
            )
        );
    }
    match result {
        Ok(head) => {
            crate::say!(
                "{}",
                env.lang.pick(
                    &format!(
                        "Cadena íntegra: {} hechos; cabeza {}",
                        env.lang.number(head.facts),
                        head.hash
                    ),
                    &format!(
                        "Chain intact: {} facts; head {}",
                        env.lang.number(head.facts),
                        head.hash
                    ),
                )
            );
            Ok(())
        }
        Err(e @ LedgerError::Chain(_)) => Err(Failure::Broken(e)),
        Err(e) => Err(e.into()),
    }
}

pub fn rebuild(env: &Env) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let total = ledger.head()?.facts;
    let mut progress = Progress::new(env.lang.pick("reconstruyendo", "rebuilding"), total);
    let r = ledger.rebuild(&mut |done| progress.set(done, ""))?;
    progress.finish();
    let lang = env.lang;
    crate::say!(
        "{}",
        lang.pick(
            &format!(
                "Proyección reconstruida: {} registros; huella {}",
                lang.number(r.records),
                r.digest_after
            ),
            &format!(
                "Projection rebuilt: {} records; digest {}",
                lang.number(r.records),
                r.digest_after
            ),
        )
    );
    if r.digest_before == r.digest_after {
        crate::say!(
            "{}",
            lang.pick("Idéntica a la anterior.", "Identical to the one before.")
        );
    } else {
        crate::say!(
            "{}",
            lang.pick(
                &format!(
                    "La anterior ({}) difería del libro de hechos y fue reemplazada.",
                    r.digest_before
                ),
                &format!(
                    "The one before ({}) differed from the ledger and was replaced.",
                    r.digest_before
                ),
            )
        );
    }
    Ok(())
}

/// What the registry holds, and its balance at a date as known now or on a past day.
pub fn summary(env: &Env, as_of: Option<&str>, known_on: Option<&str>) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    print_summary(env, &mut ledger, as_of, known_on)
}

pub fn print_summary(
    env: &Env,
    ledger: &mut Ledger,
    as_of: Option<&str>,
    known_on: Option<&str>,
) -> Result<(), Failure> {
    let lang = env.lang;
    let when = vigilia_count::when::When::parse(ledger.today()?, as_of, known_on, None)?;
    let head = ledger.head()?;
    let persons = ledger.count(Kind::Person)?;
    let detentions = ledger.count(Kind::Detention)?;
    let index = vigilia_count::stored::current_index(ledger)?;
    let balance = crate::count::compute(ledger, &index, &when)?;
    let n = |x: u64| lang.number(x);
    let profile = ledger.profile()?.name.clone();
    let pick = |es: &'static str, en: &'static str| lang.pick(es, en);
    let engine = ledger.engine_name();
    crate::say!(
        "{} {} ({engine}, {} {profile})",
        pick("Registro", "Registry"),
        env.url,
        pick("perfil", "profile")
    );
    crate::say!(
        "  {}: {} · {}: {}",
        pick("hechos", "facts"),
        n(head.facts),
        pick("cabeza del libro", "ledger head"),
        head.hash
    );
    crate::say!(
        "  {}: {} · {}: {}",
        pick("personas", "persons"),
        n(persons),
        pick("detenciones", "detentions"),
        n(detentions)
    );
    crate::say!("{}", crate::count::to_text(lang, &balance));
    Ok(())
}
