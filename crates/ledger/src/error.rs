use std::path::PathBuf;

use vigilia_core::date::moment;
use vigilia_core::fact::ChainError;
use vigilia_core::fold::FoldError;
use vigilia_core::lang::{Lang, Localize};
use vigilia_core::profile::ProfileError;

/// What can go wrong storing or reading the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "{0:?} is not a database URL Vigilia knows: use sqlite://PATH or postgres://USER@HOST/DB"
    )]
    Url(String),
    #[error(
        "there is no registry at {0}: create one with `vigilia init` (Vigilia never creates an empty registry by itself)"
    )]
    NotFound(PathBuf),
    #[error("{0} is not a Vigilia registry (no ledger in it): create one with `vigilia init`")]
    NotARegistry(String),
    #[error("{0} already holds a registry; `init` only creates new ones")]
    AlreadyExists(String),
    #[error(
        "the registry was made by a newer Vigilia (schema version {found}; this one knows up to {known})"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("the ledger is broken: {0}")]
    Chain(#[from] ChainError),
    #[error("a fact does not fit its record: {0}")]
    Fold(#[from] FoldError),
    #[error("the transaction was abandoned after a refused fact ({0}); nothing of it was written")]
    Refused(String),
    /// An actor or a reference that one engine would store and another refuse.
    #[error("the {what} {value:?} {}: it is not stored", fault.localize(Lang::En))]
    Unstorable {
        what: &'static str,
        value: String,
        fault: vigilia_core::text::ReferenceFault,
    },
    #[error("the registry's storage stopped working: {0}")]
    Stopped(String),
    #[error("the registry's country profile cannot be read: {0}")]
    Profile(#[from] ProfileError),
    #[error("projection row {kind}:{id} is unreadable: {detail} (run `vigilia rebuild`)")]
    Projection {
        kind: String,
        id: u64,
        detail: String,
    },
    #[error(
        "the registry keeps fact {kept} as the last change to its {kind} records, but the facts say {facts} (run `vigilia rebuild`)"
    )]
    KindChanged {
        kind: &'static str,
        kept: u64,
        facts: u64,
    },
    #[error(
        "there is no key file at {0}: give the registry's key with --key-file or VIGILIA_KEY_FILE (`vigilia init` writes one beside the database)"
    )]
    NoKey(String),
    #[error("key file {path}: {detail}")]
    KeyFile { path: String, detail: String },
    #[error(
        "the key file {path} can be read by others (mode {mode:o}): run `chmod 600 {path}`, and consider who may have copied it"
    )]
    KeyExposed { path: String, mode: u32 },
    #[error(
        "{0} cannot be read with this key: the key is wrong, or the file is not an encrypted Vigilia registry (give the registry's key with --key-file or VIGILIA_KEY_FILE)"
    )]
    WrongKey(String),
    #[error(
        "{0} keeps reporters' contacts and notes encrypted: give its key with --key-file or VIGILIA_KEY_FILE (or VIGILIA_PASSPHRASE)"
    )]
    KeyNeeded(String),
    #[error("the file {0} no longer has the bytes its source recorded: it was changed")]
    FileChanged(String),
    #[error("line {line} of the backup: {en}")]
    BadBackup { line: usize, es: String, en: String },
    #[error(
        "the backup says it ends at fact {said_facts} ({said_head}), the restored ledger at {facts} ({head}): it is incomplete"
    )]
    BackupIncomplete {
        said_facts: String,
        said_head: String,
        facts: u64,
        head: String,
    },
    #[error("encryption failed: {0}")]
    Crypto(String),
    #[error("{0}")]
    Io(String),
    #[error(
        "the {field} of {subject} cannot be decrypted: its key was erased, the registry was opened without its key, or the stored value was changed"
    )]
    Unreadable {
        subject: String,
        field: &'static str,
    },
    #[error(
        "this clock reads {}, but the registry's last fact was written on {} (the organisation's time): nothing is written with an earlier time than what the registry already holds, not even the record of who looked at what (is --now or VIGILIA_NOW left set? is this machine's clock right? to look at the past, use --as-of and --known-on)",
        moment(*.now, *.offset, Lang::En),
        moment(*.last, *.offset, Lang::En)
    )]
    ClockBehind {
        now: jiff::Timestamp,
        last: jiff::Timestamp,
        /// The organisation's UTC offset, to say both in its time.
        offset: jiff::tz::Offset,
    },
    #[error("SQLite: {}", sqlite_says(.0, Lang::En))]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", server_says(.0))]
    Postgres(#[from] postgres::Error),
}

/// What the server said, where it said something: the driver's own text for an error the
/// server sent is only "db error" (a full disk looked like that). The server's detail is left
/// out: it can quote the values of a row.
fn server_says(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// What SQLite said, in words where it is a state a person can act on: the file held by another
/// process (an import that has it to itself, a restore) beyond the time a connection waits.
fn sqlite_says(e: &rusqlite::Error, lang: Lang) -> String {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        return match lang {
            Lang::Es => "el registro está ocupado por otro proceso (una importación que lo \
                         tiene para sí, una restauración): vuelva a intentarlo cuando termine"
                .to_string(),
            Lang::En => "the registry is busy with another process (an import that has it to \
                         itself, a restore): try again when it ends"
                .to_string(),
        };
    }
    e.to_string()
}

impl Localize for LedgerError {
    fn localize(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Self::Url(u) => format!(
                "{u:?} no es una URL de base de datos que Vigilia conozca: use sqlite://RUTA o postgres://USUARIO@SERVIDOR/BD"
            ),
            Self::NotFound(p) => format!(
                "no hay un registro en {}: cree uno con `vigilia init` (Vigilia nunca crea un registro vacío por su cuenta)",
                p.display()
            ),
            Self::NotARegistry(w) => format!(
                "{w} no es un registro de Vigilia (no tiene libro de hechos): cree uno con `vigilia init`"
            ),
            Self::AlreadyExists(w) => {
                format!("{w} ya contiene un registro; `init` solo crea registros nuevos")
            }
            Self::NewerSchema { found, known } => format!(
                "el registro fue creado por una versión más nueva de Vigilia (esquema {found}; esta conoce hasta {known})"
            ),
            Self::Chain(e) => format!("el libro de hechos está roto: {e}"),
            Self::Fold(e) => format!("un hecho no corresponde a su registro: {e}"),
            Self::Refused(e) => format!(
                "la transacción se abandonó tras un hecho rechazado ({e}); no se escribió nada de ella"
            ),
            Self::Unstorable { what, value, fault } => {
                let what = if *what == "actor" {
                    "el usuario"
                } else {
                    "la referencia"
                };
                format!("{what} {value:?} {}: no se guarda", fault.localize(lang))
            }
            Self::Stopped(e) => format!("el almacenamiento del registro dejó de funcionar: {e}"),
            Self::Profile(e) => format!("no se puede leer el perfil de país del registro: {e}"),
            Self::Projection { kind, id, detail } => format!(
                "la fila de proyección {kind}:{id} no se puede leer: {detail} (ejecute `vigilia rebuild`)"
            ),
            Self::KindChanged { kind, kept, facts } => format!(
                "el registro guarda el hecho {kept} como el último cambio de sus registros {kind}, pero los hechos dicen {facts} (ejecute `vigilia rebuild`)"
            ),
            Self::NoKey(p) => format!(
                "no hay archivo de clave en {p}: indique la clave del registro con --key-file o VIGILIA_KEY_FILE (`vigilia init` escribe una junto a la base de datos)"
            ),
            Self::KeyFile { path, detail } => format!("archivo de clave {path}: {detail}"),
            Self::KeyExposed { path, mode } => format!(
                "otros pueden leer el archivo de clave {path} (modo {mode:o}): ejecute `chmod 600 {path}` y piense quién pudo copiarlo"
            ),
            Self::WrongKey(p) => format!(
                "{p} no se puede leer con esta clave: la clave es otra, o el archivo no es un registro cifrado de Vigilia (indique la clave del registro con --key-file o VIGILIA_KEY_FILE)"
            ),
            Self::KeyNeeded(u) => format!(
                "{u} guarda cifrados los contactos de quienes reportan y las notas: indique su clave con --key-file o VIGILIA_KEY_FILE (o VIGILIA_PASSPHRASE)"
            ),
            Self::BadBackup { line, es, .. } => format!("línea {line} de la copia: {es}"),
            Self::BackupIncomplete {
                said_facts,
                said_head,
                facts,
                head,
            } => format!(
                "la copia dice que termina en el hecho {said_facts} ({said_head}), el registro restaurado en {facts} ({head}): está incompleta"
            ),
            Self::Crypto(e) => format!("falló el cifrado: {e}"),
            Self::Io(e) => format!("error de lectura o escritura: {e}"),
            Self::FileChanged(h) => format!(
                "el archivo {h} ya no tiene los bytes que registró su fuente: fue modificado"
            ),
            Self::Unreadable { subject, field } => format!(
                "no se puede descifrar el campo {field} de {subject}: su clave fue borrada, el registro se abrió sin su clave, o el valor guardado fue modificado"
            ),
            Self::ClockBehind { now, last, offset } => format!(
                "este reloj marca el {}, pero el último hecho del registro se escribió el {} (hora de la organización): no se escribe nada con una hora anterior a lo que el registro ya tiene, tampoco el registro de quién consultó qué (¿quedó puesto --now o VIGILIA_NOW? ¿está bien el reloj de esta máquina? para mirar el pasado, use --as-of y --known-on)",
                moment(*now, *offset, lang),
                moment(*last, *offset, lang)
            ),
            Self::Sqlite(e) => format!("SQLite: {}", sqlite_says(e, lang)),
            Self::Postgres(e) => format!("PostgreSQL: {}", server_says(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry held by another process is said in words a coordinator can act on, in both
    /// languages, not as SQLite's «database is locked».
    #[test]
    fn a_busy_registry_is_said_in_words() {
        let busy = LedgerError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        ));
        assert!(busy.localize(Lang::Es).contains("ocupado por otro proceso"));
        assert!(
            busy.localize(Lang::En)
                .contains("busy with another process")
        );
        assert!(!busy.localize(Lang::En).contains("locked"));
    }
}
