//! The embedded engine: one SQLite file in WAL mode, `synchronous = FULL` so that a committed
//! fact survives the process being killed (and the machine losing power) right after.
//!
//! The connection lives on its own thread. Reads wait for their answer; writes of facts and
//! records are queued and the caller goes on building the next ones, so on a two-core machine
//! an import parses, seals and writes at the same time. A queued write that fails makes the
//! next call that waits (at the latest, the commit) fail, and the transaction is rolled back.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use vigilia_core::fact::{FactRow, Hash};
use vigilia_core::ids::{Kind, Subject};

use crate::engine::{Engine, RecordRow, check_schema, subject_columns};
use crate::worker::Worker;
use crate::{LedgerError, Secret};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_ledger.sql"),
    include_str!("../migrations/sqlite/0002_snapshots.sql"),
    include_str!("../migrations/sqlite/0003_children.sql"),
    include_str!("../migrations/sqlite/0004_files.sql"),
    include_str!("../migrations/sqlite/0005_keyring.sql"),
    include_str!("../migrations/sqlite/0006_server_state.sql"),
    include_str!("../migrations/sqlite/0007_kinds_changed.sql"),
    include_str!("../migrations/sqlite/0008_changes_by_subject.sql"),
    include_str!("../migrations/sqlite/0009_state_expires.sql"),
];

/// A registry in one SQLite file.
#[derive(Debug)]
pub struct Sqlite {
    worker: Worker<Connection>,
    /// A second, read-only connection for point reads of committed records: a transaction
    /// reads a record here only when it has not touched it, so committed state is the right
    /// one, and the read need not wait behind the writes queued on the writer's thread.
    reader: Option<Connection>,
    path: PathBuf,
    key: Option<Secret>,
}

impl Sqlite {
    /// Opens the registry at `path`. With `create` false a missing file is an error: a typo in a
    /// path must never give an empty registry; with `create` true an existing file is one.
    pub fn open(path: &Path, key: Option<&Secret>, create: bool) -> Result<Sqlite, LedgerError> {
        if !create && !path.exists() {
            return Err(LedgerError::NotFound(path.to_path_buf()));
        }
        // Creating never writes into a file that is already there, a registry or not.
        if create && path.exists() {
            return Err(LedgerError::AlreadyExists(path.display().to_string()));
        }
        let conn = connect(path, key, create)?;
        let reader = open_reader(path, key)?;
        Ok(Sqlite {
            worker: Worker::start(conn, "vigilia-sqlite")?,
            reader: Some(reader),
            path: path.to_path_buf(),
            key: key.cloned(),
        })
    }

    fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, LedgerError> + Send + 'static,
    ) -> Result<R, LedgerError> {
        self.worker.call(f)
    }

    fn stage(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<(), LedgerError> + Send + 'static,
    ) -> Result<(), LedgerError> {
        self.worker.stage(f)
    }
}

/// Initializes SQLite once, on one thread, before any registry is opened. SQLite marks itself
/// initialized before it runs SQLCipher's own initialization, so a second thread opening a
/// database at that moment would find SQLCipher not ready and fail to set the key ("An error
/// occurred with PRAGMA key"). Opening a database here runs both to the end while any other
/// thread waits.
fn initialized() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = Connection::open_in_memory();
    });
}

fn open_reader(path: &Path, key: Option<&Secret>) -> Result<Connection, LedgerError> {
    initialized();
    let reader = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Set before the first read, so that every read waits (up to ten seconds) for a file
    // another process holds instead of failing at once.
    reader.busy_timeout(std::time::Duration::from_secs(10))?;
    unlock(&reader, path, key)?;
    Ok(reader)
}

/// Gives SQLCipher the key before anything else is read, and checks that it opens the file: a
/// wrong key (or none, for an encrypted file) fails here with a message that says so.
fn unlock(conn: &Connection, path: &Path, key: Option<&Secret>) -> Result<(), LedgerError> {
    if let Some(key) = key {
        // A wrong key is reported by the error below, not by SQLCipher's own log on stderr.
        conn.execute_batch(&format!(
            "PRAGMA cipher_log_level = NONE; PRAGMA key = {};",
            key.pragma()
        ))?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(LedgerError::WrongKey(path.display().to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The writer's page cache (negative: KiB). It bounds what SQLite keeps in memory however long
/// a server runs and however large the ledger grows; a bulk load takes the larger one.
const CACHE_KIB: i64 = -65_536;
const BULK_CACHE_KIB: i64 = -262_144;

fn connect(path: &Path, key: Option<&Secret>, create: bool) -> Result<Connection, LedgerError> {
    initialized();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    unlock(&conn, path, key)?;
    // Facts and records are rows of half a kilobyte: larger pages split less. Only a new,
    // empty file takes a page size, and only before WAL mode (SQLCipher keeps its own page
    // size, 4 KiB, which every opening must repeat: an encrypted file keeps that).
    if key.is_none() {
        conn.pragma_update(None, "page_size", 16384)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == 0 && !create {
        return Err(LedgerError::NotARegistry(path.display().to_string()));
    }
    check_schema(version, MIGRATIONS.len() as i64)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        // Processes of a new version started together on an older registry migrate it one at
        // a time: each takes the write lock first, then reads the version again, and the
        // others find the step done.
        let tx =
            rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// A hash from its 32 stored bytes.
fn blob_hash(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Hash> {
    let bytes: Vec<u8> = r.get(idx)?;
    Hash::from_slice(&bytes).ok_or_else(|| {
        let detail = format!("{} bytes where a hash has 32", bytes.len());
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Blob, detail.into())
    })
}

fn fact_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FactRow> {
    Ok(FactRow {
        seq: r.get::<_, i64>(0)? as u64,
        appended_at: r.get(1)?,
        recorded_on: r.get(2)?,
        actor: r.get(3)?,
        subject: r.get(4)?,
        valid_on: r.get(5)?,
        sources: r.get(6)?,
        change: r.get(7)?,
        prev_hash: blob_hash(r, 8)?,
        hash: blob_hash(r, 9)?,
    })
}

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        kind: r.get(0)?,
        id: r.get::<_, i64>(1)? as u64,
        reference: r.get(2)?,
        parent: r.get::<_, Option<i64>>(3)?.map(|p| p as u64),
        state: r.get(4)?,
    })
}

/// The columns of a fact as read: the subject's two columns joined back into `kind:id`.
const FACT_COLUMNS: &str = "seq, appended_at, recorded_on, actor, subject_kind || ':' || subject_id, \
     valid_on, sources, change, prev_hash, hash";

fn query_facts(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<FactRow>, LedgerError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, fact_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn query_records(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<RecordRow>, LedgerError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, record_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Engine for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn begin(&mut self) -> Result<(), LedgerError> {
        self.call(|c| Ok(c.execute_batch("BEGIN IMMEDIATE")?))
    }

    fn commit(&mut self) -> Result<(), LedgerError> {
        self.call(|c| Ok(c.execute_batch("COMMIT")?))
    }

    fn begin_after(&mut self, head: Option<(u64, Hash)>) -> Result<(), LedgerError> {
        self.stage(move |c| {
            c.execute_batch("BEGIN IMMEDIATE")?;
            let found = c
                .prepare_cached("SELECT seq, hash FROM facts ORDER BY seq DESC LIMIT 1")?
                .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, blob_hash(r, 1)?)))
                .optional()?;
            if found != head {
                return Err(crate::engine::moved());
            }
            Ok(())
        })
    }

    fn commit_later(&mut self) -> Result<crate::engine::Committed, LedgerError> {
        self.worker.commit_later(|c| Ok(c.execute_batch("COMMIT")?))
    }

    fn rollback(&mut self) -> Result<(), LedgerError> {
        self.worker.roll_back(|conn| {
            if conn.is_autocommit() {
                Ok(())
            } else {
                Ok(conn.execute_batch("ROLLBACK")?)
            }
        })
    }

    fn head(&mut self) -> Result<Option<(u64, Hash)>, LedgerError> {
        self.call(|c| {
            Ok(
                c.prepare_cached("SELECT seq, hash FROM facts ORDER BY seq DESC LIMIT 1")?
                    .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, blob_hash(r, 1)?)))
                    .optional()?,
            )
        })
    }

    fn last_appended_at(&mut self) -> Result<Option<String>, LedgerError> {
        self.call(|c| {
            Ok(
                c.prepare_cached("SELECT appended_at FROM facts ORDER BY seq DESC LIMIT 1")?
                    .query_row([], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn insert_facts(&mut self, rows: Vec<FactRow>) -> Result<(), LedgerError> {
        self.stage(move |c| {
            let mut stmt = c.prepare_cached(
                "INSERT INTO facts (seq, appended_at, recorded_on, actor, subject_kind, subject_id, \
                 valid_on, sources, change, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for f in &rows {
                let (kind, id) = subject_columns(f);
                stmt.execute(params![
                    f.seq as i64,
                    f.appended_at,
                    f.recorded_on,
                    f.actor,
                    kind,
                    id,
                    f.valid_on,
                    f.sources,
                    f.change,
                    &f.prev_hash.0[..],
                    &f.hash.0[..]
                ])?;
            }
            Ok(())
        })
    }

    fn facts_after(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| {
            query_facts(
                c,
                &format!("SELECT {FACT_COLUMNS} FROM facts WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
                params![after as i64, limit as i64],
            )
        })
    }

    fn facts_by_subject_after(
        &mut self,
        after: Option<(Subject, u64)>,
        limit: usize,
    ) -> Result<Vec<FactRow>, LedgerError> {
        // "" sorts before every kind: no `after` is the very beginning.
        let (kind, id, seq) =
            after.map_or(("", 0, 0), |(s, q)| (s.kind.name(), s.id as i64, q as i64));
        self.call(move |c| {
            query_facts(
                c,
                &format!(
                    "SELECT {FACT_COLUMNS} FROM facts \
                     WHERE (subject_kind, subject_id, seq) > (?1, ?2, ?3) \
                     ORDER BY subject_kind, subject_id, seq LIMIT ?4"
                ),
                params![kind, id, seq, limit as i64],
            )
        })
    }

    fn facts_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| {
            query_facts(
                c,
                &format!(
                    "SELECT {FACT_COLUMNS} FROM facts WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY seq"
                ),
                params![subject.kind.name(), subject.id as i64],
            )
        })
    }

    fn changes_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| {
            query_facts(
                c,
                &format!(
                    "SELECT {FACT_COLUMNS} FROM facts INDEXED BY facts_changes_by_subject \
                     WHERE subject_kind = ?1 AND subject_id = ?2 \
                     AND substr(change, 1, 17) <> '{{\"type\":\"audited\"' ORDER BY seq"
                ),
                params![subject.kind.name(), subject.id as i64],
            )
        })
    }

    fn views_of(&mut self, subject: Subject, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| {
            query_facts(
                c,
                &format!(
                    "SELECT {FACT_COLUMNS} FROM facts INDEXED BY facts_by_subject \
                     WHERE subject_kind = ?1 AND subject_id = ?2 \
                     AND substr(change, 1, 17) = '{{\"type\":\"audited\"' \
                     ORDER BY seq DESC LIMIT ?3"
                ),
                params![subject.kind.name(), subject.id as i64, limit as i64],
            )
        })
    }

    fn put_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        self.stage(move |c| {
            let mut stmt = c.prepare_cached(
                "INSERT INTO records (kind, id, reference, parent, state) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (kind, id) DO UPDATE SET reference = excluded.reference, \
                 parent = excluded.parent, state = excluded.state",
            )?;
            for r in &rows {
                stmt.execute(params![r.kind, r.id as i64, r.reference, r.parent.map(|p| p as i64), r.state])?;
            }
            Ok(())
        })
    }

    fn record(&mut self, kind: &str, id: u64) -> Result<Option<RecordRow>, LedgerError> {
        let reader = self.reader.as_ref().ok_or_else(|| self.worker.gone())?;
        Ok(query_records(
            reader,
            "SELECT kind, id, reference, parent, state FROM records WHERE kind = ?1 AND id = ?2",
            params![kind, id as i64],
        )?
        .pop())
    }

    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| {
            query_records(
                c,
                "SELECT kind, id, reference, parent, state FROM records \
                 WHERE kind = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                params![kind, after as i64, limit as i64],
            )
        })
    }

    fn by_reference(
        &mut self,
        kind: &str,
        reference: &str,
    ) -> Result<Option<RecordRow>, LedgerError> {
        let (kind, reference) = (kind.to_string(), reference.to_string());
        self.call(move |c| {
            Ok(query_records(
                c,
                "SELECT kind, id, reference, parent, state FROM records \
                 WHERE kind = ?1 AND reference = ?2",
                params![kind, reference],
            )?
            .pop())
        })
    }

    fn children(&mut self, kind: &str, parent: u64) -> Result<Vec<RecordRow>, LedgerError> {
        let kind = kind.to_string();
        // Named: without statistics SQLite's planner prefers the primary key (kind, id), which
        // reads every record of the kind (every report, for a detention's reports).
        self.call(move |c| {
            query_records(
                c,
                "SELECT kind, id, reference, parent, state FROM records \
                 INDEXED BY records_by_parent WHERE kind = ?1 AND parent = ?2 ORDER BY id",
                params![kind, parent as i64],
            )
        })
    }

    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT reference, id FROM records WHERE kind = ?1 AND reference IS NOT NULL",
            )?;
            let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| {
            let n: Option<i64> = c
                .prepare_cached("SELECT max(id) FROM records WHERE kind = ?1")?
                .query_row([kind], |r| r.get(0))?;
            Ok(n.unwrap_or(0) as u64)
        })
    }

    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| {
            let n: i64 = c
                .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1")?
                .query_row([kind], |r| r.get(0))?;
            Ok(n as u64)
        })
    }

    fn changed(&mut self) -> Result<Vec<(Kind, u64)>, LedgerError> {
        self.call(|c| {
            let mut q = c.prepare_cached("SELECT kind, seq FROM kinds_changed")?;
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let rows: Vec<(String, i64)> = rows.collect::<Result<_, _>>()?;
            Ok(rows
                .into_iter()
                .filter_map(|(kind, seq)| Some((Kind::from_name(&kind)?, seq as u64)))
                .collect())
        })
    }

    fn put_changed(&mut self, rows: Vec<(Kind, u64)>, replace: bool) -> Result<(), LedgerError> {
        self.stage(move |c| {
            if replace {
                c.execute("DELETE FROM kinds_changed", [])?;
            }
            let mut stmt = c.prepare_cached(
                "INSERT INTO kinds_changed (kind, seq) VALUES (?1, ?2) \
                 ON CONFLICT (kind) DO UPDATE SET seq = max(seq, excluded.seq)",
            )?;
            for (kind, seq) in rows {
                stmt.execute(params![kind.name(), seq as i64])?;
            }
            Ok(())
        })
    }

    fn snapshot(&mut self, name: &str) -> Result<Option<(u64, Hash, Vec<u8>)>, LedgerError> {
        let name = name.to_string();
        self.call(move |c| {
            Ok(
                c.prepare_cached("SELECT seq, head, data FROM snapshots WHERE name = ?1")?
                    .query_row([name], |r| {
                        Ok((
                            r.get::<_, i64>(0)? as u64,
                            blob_hash(r, 1)?,
                            r.get::<_, Vec<u8>>(2)?,
                        ))
                    })
                    .optional()?,
            )
        })
    }

    fn put_snapshot(
        &mut self,
        name: &str,
        seq: u64,
        head: Hash,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        let name = name.to_string();
        self.call(move |c| {
            c.prepare_cached(
                "INSERT INTO snapshots (name, seq, head, data) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, head = excluded.head, data = excluded.data",
            )?
            .execute(params![name, seq as i64, &head.0[..], data])?;
            Ok(())
        })
    }

    fn put_file(
        &mut self,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        let (sha256, media_type) = (sha256.to_string(), media_type.to_string());
        self.call(move |c| {
            c.prepare_cached(
                "INSERT INTO files (sha256, media_type, data) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )?
            .execute(params![sha256, media_type, data])?;
            Ok(())
        })
    }

    fn file(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, LedgerError> {
        let sha256 = sha256.to_string();
        self.call(move |c| {
            Ok(
                c.prepare_cached("SELECT media_type, data FROM files WHERE sha256 = ?1")?
                    .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })
    }

    fn clear_records(&mut self) -> Result<(), LedgerError> {
        self.call(|c| Ok(c.execute("DELETE FROM records", []).map(|_| ())?))
    }

    fn state_get(&mut self, key: &str, now: i64) -> Result<Option<String>, LedgerError> {
        let key = key.to_string();
        self.call(move |c| {
            Ok(
                c.prepare_cached("SELECT value FROM server_state WHERE key = ?1 AND expires > ?2")?
                    .query_row(params![key, now], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn state_put(
        &mut self,
        key: &str,
        value: Option<(&str, i64)>,
        now: i64,
    ) -> Result<(), LedgerError> {
        let key = key.to_string();
        let value = value.map(|(v, e)| (v.to_string(), e));
        self.call(move |c| {
            match value {
                Some((v, expires)) => c
                    .prepare_cached(
                        "INSERT OR REPLACE INTO server_state (key, value, expires) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![key, v, expires])?,
                None => c
                    .prepare_cached("DELETE FROM server_state WHERE key = ?1")?
                    .execute([key])?,
            };
            c.prepare_cached("DELETE FROM server_state WHERE expires <= ?1")?
                .execute([now])?;
            Ok(())
        })
    }

    fn key_get(&mut self, name: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        let name = name.to_string();
        self.call(move |c| {
            Ok(
                c.prepare_cached("SELECT value FROM keyring WHERE name = ?1")?
                    .query_row([name], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn key_put(&mut self, rows: Vec<(String, Vec<u8>)>, replace: bool) -> Result<(), LedgerError> {
        self.call(move |c| {
            let mut insert = c.prepare_cached(if replace {
                "INSERT OR REPLACE INTO keyring (name, value) VALUES (?1, ?2)"
            } else {
                "INSERT OR IGNORE INTO keyring (name, value) VALUES (?1, ?2)"
            })?;
            for (name, value) in rows {
                insert.execute(params![name, value])?;
            }
            Ok(())
        })
    }

    fn key_delete(&mut self, name: &str) -> Result<(), LedgerError> {
        let name = name.to_string();
        // Overwritten before it is deleted, so the freed page does not keep the wrapped key
        // (secure_delete zeroes freed content too).
        self.call(move |c| {
            c.execute_batch("PRAGMA secure_delete = ON;")?;
            c.execute(
                "UPDATE keyring SET value = zeroblob(length(value)) WHERE name = ?1",
                [&name],
            )?;
            c.execute("DELETE FROM keyring WHERE name = ?1", [&name])?;
            Ok(())
        })
    }

    fn keys(&mut self) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
        self.call(|c| {
            let mut q = c.prepare_cached("SELECT name, value FROM keyring ORDER BY name")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Every page is rewritten under the new key (the WAL is folded in first), and the
    /// reader reopens with it.
    fn rekey(&mut self, key: &Secret) -> Result<(), LedgerError> {
        self.reader = None;
        let pragma = key.pragma();
        let result = self.call(move |c| {
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
            c.execute_batch(&format!("PRAGMA rekey = {pragma};"))?;
            Ok(())
        });
        if result.is_ok() {
            self.key = Some(key.clone());
        }
        self.reader = Some(open_reader(&self.path, self.key.as_ref())?);
        result
    }

    /// A bulk load writes each new page once with a rollback journal, twice in WAL mode (WAL,
    /// then checkpoint). The switch is made only when no other connection has the file open
    /// (SQLite refuses otherwise, and the load simply stays in WAL, not alone); every open sets
    /// WAL again.
    fn bulk(&mut self, on: bool) -> Result<bool, LedgerError> {
        let (mode, cache) = if on {
            ("DELETE", BULK_CACHE_KIB)
        } else {
            ("WAL", CACHE_KIB)
        };
        // Our own reader would count as another connection: close it for the switch.
        self.reader = None;
        let switched = self.call(move |c| {
            c.pragma_update(None, "cache_size", cache)?;
            let _: String =
                c.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| r.get(0))?;
            Ok(())
        });
        self.reader = Some(open_reader(&self.path, self.key.as_ref())?);
        match switched {
            Ok(()) => Ok(on),
            // Someone else has the file open: the load goes on in WAL mode.
            Err(LedgerError::Sqlite(e))
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
