//! Commands about the registry as a whole: `init`, `keys rotate`, `erase`, `checkpoint`,
//! `verify`, `rebuild`, `summary`.

use std::path::Path;

use vigilia_core::ids::{Kind, Subject};
use vigilia_ledger::{DatabaseUrl, Ledger, LedgerError};

use crate::Env;
use crate::failure::Failure;
use crate::progress::Progress;

pub fn init(env: &Env, profile: Option<&Path>) -> Result<(), Failure> {
    let mut ledger = create(env, profile)?;
    let identity = vigilia_app::backup::identity_path(&env.keys.url);
    vigilia_app::backup::make_recipient(&mut ledger, &env.actor, &identity)?;
    drop(ledger);
    let (url, i) = (&env.keys.url, identity.display());
    say(
        env,
        format!("Registro creado en {url}"),
        format!("Registry created at {url}"),
    );
    say(
        env,
        format!(
            "Identidad de las copias de seguridad en {i}: llévela fuera de esta máquina (una memoria guardada aparte); sin ella ninguna copia se puede leer."
        ),
        format!(
            "Backup identity in {i}: take it off this machine (a drive kept apart); without it no backup can be read."
        ),
    );
    let (Some(key), None) = (&env.keys.file, &env.keys.passphrase) else {
        return Ok(());
    };
    let k = key.display();
    let (es, en) = match url {
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
    say(
        env,
        format!(
            "{es}: guarde una copia fuera de esta máquina, y no la deje junto a la base de datos en un equipo que pueda ser incautado."
        ),
        format!(
            "{en}: keep a copy off this machine, and do not leave it beside the database on a machine that may be seized."
        ),
    );
    Ok(())
}

/// Prints a line in the user's language.
pub fn say(env: &Env, es: impl AsRef<str>, en: impl AsRef<str>) {
    crate::say!("{}", env.lang.pick(es.as_ref(), en.as_ref()));
}

/// Tells the user something on standard error (beside what is printed), in their language.
pub fn tell(env: &Env, es: impl AsRef<str>, en: impl AsRef<str>) {
    let line = env.lang.pick(es.as_ref(), en.as_ref());
    eprintln!("{}", vigilia_core::text::only_text(line));
}

/// Creates the registry (refusing an existing one), with a new key, and its register of places
/// of detention started with the profile's.
pub fn create(env: &Env, profile: Option<&Path>) -> Result<Ledger, Failure> {
    let clock = env.clock.clone();
    let mut ledger = vigilia_app::keys::create(&env.keys, clock, profile, &env.actor)?;
    let actor = vigilia_app::Actor::operator(&env.actor);
    vigilia_app::write(&mut ledger, |tx| vigilia_app::places::seed(tx, &actor))?;
    Ok(ledger)
}

/// Re-encrypts the registry under a new key written to `new_key_file`.
pub fn rotate(env: &Env, new_key_file: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let head = vigilia_app::keys::rotate(&mut ledger, new_key_file)?;
    let old = (env.keys.file.as_ref())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "VIGILIA_PASSPHRASE".into());
    let (new, n) = (new_key_file.display(), env.lang.number(head.facts));
    say(
        env,
        format!(
            "Registro cifrado de nuevo con la clave de {new} ({n} hechos, cadena íntegra). La clave anterior ({old}) ya no lo abre: destrúyala junto con sus copias, y use --key-file {new} (o renombre el archivo)."
        ),
        format!(
            "Registry encrypted again with the key in {new} ({n} facts, chain intact). The old key ({old}) no longer opens it: destroy it and its copies, and use --key-file {new} (or rename the file)."
        ),
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
    let f = ledger.head()?.facts;
    say(
        env,
        format!(
            "Borrado para siempre lo confidencial de {record} (hecho {f}): su clave fue destruida; la cadena sigue íntegra."
        ),
        format!(
            "Erased for good the confidential fields of {record} (fact {f}): its key was destroyed; the chain still verifies."
        ),
    );
    Ok(())
}

/// Writes a signed checkpoint of the registry's head (making the signing key first if need be).
pub fn checkpoint(env: &Env, signing_key: &Path, out: &Path) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let now = env.clock.now();
    let done =
        vigilia_app::anchors::checkpoint(&mut ledger, signing_key, env.keys.output(out)?, now)?;
    if let Some(public) = done.new_key {
        let p = signing_key.display();
        say(
            env,
            format!(
                "Nueva clave de firma en {p}: guárdela lejos del registro. Su clave pública: {public}"
            ),
            format!(
                "New signing key in {p}: keep it away from the registry. Its public key: {public}"
            ),
        );
    }
    let (o, n, h) = (
        out.display(),
        env.lang.number(done.head.facts),
        done.head.hash,
    );
    say(
        env,
        format!(
            "Punto de control en {o}: {n} hechos, cabeza {h}. Entréguelo a un aliado o imprímalo."
        ),
        format!("Checkpoint in {o}: {n} facts, head {h}. Hand it to a partner or print it."),
    );
    Ok(())
}

pub fn verify(
    env: &Env,
    anchors: &[std::path::PathBuf],
    trusted: &[String],
) -> Result<(), Failure> {
    let anchors = vigilia_app::anchors::read_all(anchors, trusted)?;
    let mut ledger = env.open()?;
    let total = ledger.head()?.facts;
    let mut progress = Progress::new(env.lang.pick("verificando", "verifying"), total);
    let result =
        vigilia_app::anchors::verify(&mut ledger, &anchors, &mut |done| progress.set(done, ""));
    progress.finish();
    if !anchors.is_empty() && result.is_ok() {
        let n = anchors.len();
        let signers: std::collections::BTreeSet<String> = (anchors.iter())
            .filter_map(|a| a.signer.as_deref().map(vigilia_app::anchors::fingerprint))
            .collect();
        let keys = signers.into_iter().collect::<Vec<_>>().join(", ");
        let (es, en) = match keys.is_empty() {
            true => (String::new(), String::new()),
            false => (
                format!(" (puntos de control firmados con la clave {keys})"),
                format!(" (checkpoints signed with the key {keys})"),
            ),
        };
        say(
            env,
            format!("Coincide con {n} anclas externas{es}."),
            format!("Matches {n} outside anchors{en}."),
        );
    }
    match result {
        Ok(head) => {
            let (n, h) = (env.lang.number(head.facts), head.hash);
            say(
                env,
                format!("Cadena íntegra: {n} hechos; cabeza {h}"),
                format!("Chain intact: {n} facts; head {h}"),
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
    let (n, before, after) = (env.lang.number(r.records), r.digest_before, r.digest_after);
    say(
        env,
        format!("Proyección reconstruida: {n} registros; huella {after}"),
        format!("Projection rebuilt: {n} records; digest {after}"),
    );
    if before == after {
        say(
            env,
            "Idéntica a la anterior.",
            "Identical to the one before.",
        );
    } else {
        say(
            env,
            format!("La anterior ({before}) difería del libro de hechos y fue reemplazada."),
            format!("The one before ({before}) differed from the ledger and was replaced."),
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
    let (index, content) = vigilia_count::stored::index_and_head(ledger)?;
    let balance = crate::count::compute(&index, &when, &content);
    let n = |x: u64| lang.number(x);
    let (engine, url) = (ledger.engine_name(), &env.keys.url);
    let profile = &ledger.profile()?.name;
    let (f, h, p, d) = (n(head.facts), head.hash, n(persons), n(detentions));
    say(
        env,
        format!(
            "Registro {url} ({engine}, perfil {profile})\n  hechos: {f} · cabeza del libro: {h}\n  personas: {p} · detenciones: {d}"
        ),
        format!(
            "Registry {url} ({engine}, profile {profile})\n  facts: {f} · ledger head: {h}\n  persons: {p} · detentions: {d}"
        ),
    );
    crate::say!("{}", vigilia_count::text::balance(&balance, lang));
    Ok(())
}

/// `vigilia settings --small-cells N`: public breakdowns name no value of fewer people than N
/// from now on (balances published before keep theirs).
pub fn small_cells(env: &Env, below: u64) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = vigilia_app::Actor::operator(&env.actor);
    vigilia_app::write(&mut ledger, |tx| {
        vigilia_app::publication::set_small_cells(tx, &actor, below)
    })?;
    say(
        env,
        format!(
            "Desde ahora, las cifras públicas no muestran grupos de menos de {below} personas."
        ),
        format!("From now on, public figures show no group of fewer than {below} people."),
    );
    Ok(())
}
