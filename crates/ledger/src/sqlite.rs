//! The embedded engine: one SQLite file in WAL mode, `synchronous = FULL` so that a committed
//! fact survives the process being killed (and the machine losing power) right after.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use vigilia_core::fact::FactRow;

use crate::LedgerError;
use vigilia_core::ids::Subject;

use crate::engine::{Engine, RecordRow, check_schema, hash_bytes, subject_columns};

const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_ledger.sql")];

/// A registry in one SQLite file.
#[derive(Debug)]
pub struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens the registry at `path`. With `create` false a missing file is an error: a typo in a
    /// path must never give an empty registry.
    pub fn open(path: &Path, create: bool) -> Result<Sqlite, LedgerError> {
        if !create && !path.exists() {
            return Err(LedgerError::NotFound(path.to_path_buf()));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Facts and records are rows of half a kilobyte: larger pages split less. Only a new,
        // empty file takes a page size, and only before WAL mode.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "cache_size", -262_144)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 && !create {
            return Err(LedgerError::NotARegistry(path.display().to_string()));
        }
        check_schema(version, MIGRATIONS.len() as i64)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Sqlite { conn })
    }
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
        prev_hash: hex::encode(r.get::<_, Vec<u8>>(8)?),
        hash: hex::encode(r.get::<_, Vec<u8>>(9)?),
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

impl Engine for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn begin(&mut self) -> Result<(), LedgerError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), LedgerError> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), LedgerError> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    fn head(&mut self) -> Result<Option<(u64, String)>, LedgerError> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq, hash FROM facts ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    hex::encode(r.get::<_, Vec<u8>>(1)?),
                ))
            })
            .optional()?)
    }

    fn insert_facts(&mut self, rows: &[FactRow]) -> Result<(), LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO facts (seq, appended_at, recorded_on, actor, subject_kind, subject_id, \
             valid_on, sources, change, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for f in rows {
            let (kind, id) = subject_columns(f);
            let (prev, hash) = (hash_bytes(&f.prev_hash)?, hash_bytes(&f.hash)?);
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
                &prev[..],
                &hash[..]
            ])?;
        }
        Ok(())
    }

    fn facts_after(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FACT_COLUMNS} FROM facts WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after as i64, limit as i64], fact_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn facts_by_subject_after(
        &mut self,
        after: Option<(Subject, u64)>,
        limit: usize,
    ) -> Result<Vec<FactRow>, LedgerError> {
        // "" sorts before every kind: no `after` is the very beginning.
        let (kind, id, seq) =
            after.map_or(("", 0, 0), |(s, q)| (s.kind.name(), s.id as i64, q as i64));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FACT_COLUMNS} FROM facts \
             WHERE (subject_kind, subject_id, seq) > (?1, ?2, ?3) \
             ORDER BY subject_kind, subject_id, seq LIMIT ?4"
        ))?;
        let args = params![kind, id, seq, limit as i64];
        let rows = stmt.query_map(args, fact_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn facts_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FACT_COLUMNS} FROM facts WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![subject.kind.name(), subject.id as i64], fact_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_records(&mut self, rows: &[RecordRow]) -> Result<(), LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO records (kind, id, reference, parent, state) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (kind, id) DO UPDATE SET reference = excluded.reference, \
             parent = excluded.parent, state = excluded.state",
        )?;
        for r in rows {
            stmt.execute(params![
                r.kind,
                r.id as i64,
                r.reference,
                r.parent.map(|p| p as i64),
                r.state
            ])?;
        }
        Ok(())
    }

    fn record(&mut self, kind: &str, id: u64) -> Result<Option<RecordRow>, LedgerError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT kind, id, reference, parent, state FROM records WHERE kind = ?1 AND id = ?2",
            )?
            .query_row(params![kind, id as i64], record_row)
            .optional()?)
    }

    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, id, reference, parent, state FROM records \
             WHERE kind = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![kind, after as i64, limit as i64], record_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reference, id FROM records WHERE kind = ?1 AND reference IS NOT NULL",
        )?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(id) FROM records WHERE kind = ?1")?
            .query_row([kind], |r| r.get(0))?;
        Ok(n.unwrap_or(0) as u64)
    }

    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1")?
            .query_row([kind], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn clear_records(&mut self) -> Result<(), LedgerError> {
        self.conn.execute("DELETE FROM records", [])?;
        Ok(())
    }
}
