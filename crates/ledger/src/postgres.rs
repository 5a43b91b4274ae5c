//! The PostgreSQL engine, for an organisation that outgrows one machine. Same tables and the same
//! behaviour as SQLite (one conformance suite runs against both).
//!
//! Like SQLite's, the connection lives on its own thread: reads wait for their answer, writes of
//! facts and records are queued, and the caller goes on building the next ones, so an import
//! seals and hashes while the server stores. Facts go by `COPY … FROM STDIN BINARY` (no SQL to
//! parse, no parameter limit); large batches of records go the same way into a temporary table
//! and from there into `records` in one statement, small ones in one multi-row `INSERT`. A
//! queued write that fails makes the next call that waits (at the latest, the commit) fail.

use postgres::types::ToSql;
use postgres::{Client, NoTls};
use vigilia_core::fact::{FactRow, Hash};

use crate::LedgerError;
use crate::worker::Worker;
use vigilia_core::ids::{Kind, Subject};

use crate::engine::{Engine, RecordRow, check_schema, stored_hash, subject_columns};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_ledger.sql"),
    include_str!("../migrations/postgres/0002_snapshots.sql"),
    include_str!("../migrations/postgres/0003_children.sql"),
    include_str!("../migrations/postgres/0004_files.sql"),
    include_str!("../migrations/postgres/0005_keyring.sql"),
    include_str!("../migrations/postgres/0006_server_state.sql"),
    include_str!("../migrations/postgres/0007_kinds_changed.sql"),
    include_str!("../migrations/postgres/0008_changes_by_subject.sql"),
    include_str!("../migrations/postgres/0009_state_expires.sql"),
    include_str!("../migrations/postgres/0010_one_index_per_fact.sql"),
    include_str!("../migrations/postgres/0011_records_by_number_first.sql"),
    include_str!("../migrations/postgres/0012_number_kept.sql"),
    include_str!("../migrations/postgres/0013_changes_by_subject_again.sql"),
];

/// The advisory lock a migration of the schema holds ("vigilia" in ASCII).
const MIGRATION_LOCK: i64 = 0x0076_6967_696c_6961;

/// Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement.
const CHUNK: usize = 1000;

/// From this many records a batch goes by COPY through a temporary table.
const COPY_RECORDS_FROM: usize = 256;

/// The connection, on the engine's thread.
struct Conn {
    client: Client,
    /// A data key was destroyed in the open transaction: once it commits, the keyring is
    /// vacuumed, so the deleted row's bytes do not stay in the table's pages.
    keys_destroyed: bool,
    /// Whether this session's temporary table for records has been made.
    records_in: bool,
    /// Whether a transaction is open (between [`Conn::begin`] and its commit or rollback).
    in_transaction: bool,
}

/// A registry in a PostgreSQL database.
pub struct Postgres {
    worker: Worker<Conn>,
    /// A second connection for point reads of committed records: a transaction reads a record
    /// here only when it has not touched it, so committed state is the right one, and the read
    /// need not wait behind the writes queued on the engine's thread (as SQLite's reader).
    reader: Client,
    /// The reader's point read of a record, prepared once: an import reads every person
    /// arrested again, and these reads took the server 5–6 s of CPU in an import of a million
    /// detentions parsed and planned each time, about 3 s prepared.
    read_record: postgres::Statement,
    /// The server's process for the writing connection (to tell it from other sessions).
    writer_pid: i32,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Postgres")
    }
}

impl Postgres {
    /// Connects; with `create` false a database without a ledger is an error.
    pub fn open(url: &str, create: bool) -> Result<Postgres, LedgerError> {
        let mut conn = Conn::open(url, create)?;
        let writer_pid: i32 = conn
            .client
            .query_one("SELECT pg_backend_pid()", &[])?
            .get(0);
        let mut reader = Client::connect(url, NoTls)?;
        reader.batch_execute("SET default_transaction_read_only = on")?;
        let read_record = reader.prepare(
            "SELECT kind, id, reference, parent, state FROM records WHERE kind = $1 AND id = $2",
        )?;
        Ok(Postgres {
            worker: Worker::start(conn, "vigilia-postgres")?,
            reader,
            read_record,
            writer_pid,
        })
    }

    fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<R, LedgerError> + Send + 'static,
    ) -> Result<R, LedgerError> {
        self.worker.call(f)
    }

    fn stage(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<(), LedgerError> + Send + 'static,
    ) -> Result<(), LedgerError> {
        self.worker.stage(f)
    }
}

impl Conn {
    fn open(url: &str, create: bool) -> Result<Conn, LedgerError> {
        let mut client = Client::connect(url, NoTls)?;
        client.batch_execute(
            "SET client_min_messages = warning; \
             CREATE TABLE IF NOT EXISTS vigilia_schema (version BIGINT NOT NULL)",
        )?;
        let version: i64 = client
            .query_opt("SELECT max(version) FROM vigilia_schema", &[])?
            .and_then(|r| r.get::<_, Option<i64>>(0))
            .unwrap_or(0);
        if version == 0 && !create {
            return Err(LedgerError::NotARegistry(
                crate::DatabaseUrl::Postgres(url.into()).to_string(),
            ));
        }
        check_schema(version, MIGRATIONS.len() as i64)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let mut tx = client.transaction()?;
            // Processes of a new version started together on an older registry (several
            // servers) migrate it one at a time: each waits for this lock, then reads the
            // version again, and the others find the step done. Without it, two took each
            // other's locks on `facts` (one migration builds an index and drops another) and
            // one of them failed to start.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let now: i64 = tx
                .query_one("SELECT coalesce(max(version), 0) FROM vigilia_schema", &[])?
                .get(0);
            if now > i as i64 {
                tx.commit()?;
                continue;
            }
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO vigilia_schema (version) VALUES ($1)",
                &[&((i + 1) as i64)],
            )?;
            tx.commit()?;
        }
        Ok(Conn {
            client,
            keys_destroyed: false,
            records_in: false,
            in_transaction: false,
        })
    }
}

fn fact_row(r: &postgres::Row) -> Result<FactRow, LedgerError> {
    let seq: i64 = r.get(0);
    Ok(FactRow {
        seq: seq as u64,
        appended_at: r.get(1),
        recorded_on: r.get(2),
        actor: r.get(3),
        subject: r.get(4),
        valid_on: r.get(5),
        sources: r.get(6),
        change: r.get(7),
        prev_hash: stored_hash(seq, r.get(8))?,
        hash: stored_hash(seq, r.get(9))?,
    })
}

fn record_row(r: &postgres::Row) -> RecordRow {
    RecordRow {
        kind: r.get(0),
        id: r.get::<_, i64>(1) as u64,
        reference: r.get(2),
        parent: r.get::<_, Option<i64>>(3).map(|p| p as u64),
        state: r.get(4),
    }
}

/// The columns of a fact as read: the subject's two columns joined back into `kind:id`.
const FACT_COLUMNS: &str = "seq, appended_at, recorded_on, actor, subject_kind || ':' || subject_id, \
     valid_on, sources, change, prev_hash, hash";

/// Rows going to the server by `COPY … FROM STDIN BINARY`, in the format PostgreSQL documents
/// for it (COPY, "Binary Format"): a header; each row its number of fields, then each field
/// as its length and bytes (-1 for NULL; text as UTF-8, `bigint` as 8 bytes big-endian,
/// `bytea` as is); -1 at the end. The crate's `BinaryCopyInWriter` writes the same, but enters
/// its runtime for every row and sends 4 KiB at a time: the thread that sends took 1.4–1.5 s
/// of CPU for 200,000 detentions with it, 0.6–0.7 s with these rows sent 256 KiB at a time.
struct Copy<'a> {
    sink: postgres::CopyInWriter<'a>,
    buf: Vec<u8>,
}

impl<'a> Copy<'a> {
    const SLICE: usize = 256 * 1024;

    fn start(client: &'a mut Client, sql: &str) -> Result<Copy<'a>, LedgerError> {
        let sink = client.copy_in(sql)?;
        let mut buf = Vec::with_capacity(Self::SLICE + 64 * 1024);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // no header extension
        Ok(Copy { sink, buf })
    }

    fn row(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    fn int8(&mut self, value: Option<i64>) {
        match value {
            Some(v) => {
                self.buf.extend_from_slice(&8i32.to_be_bytes());
                self.buf.extend_from_slice(&v.to_be_bytes());
            }
            None => self.buf.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    /// A `text` or `bytea` field (the format's lengths stop at 2 GiB; the server's at 1 GiB).
    fn bytes(&mut self, value: Option<&[u8]>) -> Result<(), LedgerError> {
        match value {
            Some(v) => {
                let len = i32::try_from(v.len()).map_err(|_| {
                    LedgerError::Io(format!("a value of {} bytes cannot be stored", v.len()))
                })?;
                self.buf.extend_from_slice(&len.to_be_bytes());
                self.buf.extend_from_slice(v);
            }
            None => self.buf.extend_from_slice(&(-1i32).to_be_bytes()),
        }
        Ok(())
    }

    /// Sends what is written so far once it fills a slice.
    fn send_some(&mut self) -> Result<(), LedgerError> {
        if self.buf.len() >= Self::SLICE {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), LedgerError> {
        use std::io::Write;
        self.sink.write_all(&self.buf).map_err(copy_failed)?;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<(), LedgerError> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.send()?;
        self.sink.finish()?;
        Ok(())
    }
}

/// A write of COPY rows that failed: the server's error when it is one (the connection passes
/// it through `std::io`).
fn copy_failed(e: std::io::Error) -> LedgerError {
    let text = e.to_string();
    match e
        .into_inner()
        .map(|inner| inner.downcast::<postgres::Error>())
    {
        Some(Ok(server)) => LedgerError::Postgres(*server),
        _ => LedgerError::Io(text),
    }
}

/// The conditions of the two indexes by subject (migrations 0008 and 0010): a fact that is
/// not an audit fact, and one that is (its change starts with {"type":"audited", as
/// `vigilia_core::fact::is_audit` reads it). A query uses an index only when it says its
/// condition word for word.
const A_CHANGE: &str = r#"substr(change, 1, 17) <> '{"type":"audited"'"#;
const AN_AUDIT: &str = r#"substr(change, 1, 17) = '{"type":"audited"'"#;

/// A page of the walk through every history: the facts after a subject's kind (`$1`), number
/// (`$2`) and position (`$3`), at most `$4`, in (kind, number, position) order. A fact is in one
/// of the two indexes by subject, a change or an audit fact: each gives its next page in its
/// order, and the two are merged.
fn walk_sql() -> String {
    let page = |condition: &str| {
        format!(
            "(SELECT {FACT_COLUMNS}, subject_kind COLLATE \"C\" AS k, subject_id AS i FROM facts \
             WHERE (subject_kind COLLATE \"C\", subject_id, seq) > ($1 COLLATE \"C\", $2, $3) \
             AND {condition} ORDER BY subject_kind COLLATE \"C\", subject_id, seq LIMIT $4)"
        )
    };
    format!(
        "SELECT * FROM ({} UNION ALL {}) AS page ORDER BY k, i, seq LIMIT $4",
        page(A_CHANGE),
        page(AN_AUDIT)
    )
}

/// `($1, $2, …), ($k+1, …)` for `rows` rows of `cols` columns.
fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Conn {
    fn begin(&mut self) -> Result<(), LedgerError> {
        // One writer at a time extends the chain; readers are not blocked.
        self.in_transaction = true;
        self.client
            .batch_execute("BEGIN; LOCK TABLE facts IN EXCLUSIVE MODE")?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), LedgerError> {
        self.in_transaction = false;
        self.client.batch_execute("COMMIT")?;
        if std::mem::take(&mut self.keys_destroyed) {
            // Outside any transaction, as VACUUM must be. A snapshot still open elsewhere can
            // keep the old row until the next vacuum; the WAL and replicas keep it until they
            // are recycled (docs/security).
            let _ = self.client.batch_execute("VACUUM keyring");
        }
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), LedgerError> {
        self.keys_destroyed = false;
        self.in_transaction = false;
        self.client.batch_execute("ROLLBACK")?;
        Ok(())
    }

    fn head(&mut self) -> Result<Option<(u64, Hash)>, LedgerError> {
        let row = self
            .client
            .query_opt("SELECT seq, hash FROM facts ORDER BY seq DESC LIMIT 1", &[])?;
        row.map(|r| {
            let seq: i64 = r.get(0);
            Ok((seq as u64, stored_hash(seq, r.get(1))?))
        })
        .transpose()
    }

    fn last_appended_at(&mut self) -> Result<Option<String>, LedgerError> {
        let row = self.client.query_opt(
            "SELECT appended_at FROM facts ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn insert_facts(&mut self, rows: Vec<FactRow>) -> Result<(), LedgerError> {
        let mut copy = Copy::start(
            &mut self.client,
            "COPY facts (seq, appended_at, recorded_on, actor, subject_kind, subject_id, \
             valid_on, sources, change, prev_hash, hash) FROM STDIN BINARY",
        )?;
        for f in &rows {
            let (kind, id) = subject_columns(f);
            copy.row(11);
            copy.int8(Some(f.seq as i64));
            copy.bytes(Some(f.appended_at.as_bytes()))?;
            copy.bytes(Some(f.recorded_on.as_bytes()))?;
            copy.bytes(Some(f.actor.as_bytes()))?;
            copy.bytes(Some(kind.as_bytes()))?;
            copy.int8(Some(id));
            copy.bytes(f.valid_on.as_ref().map(|v| v.as_bytes()))?;
            copy.bytes(Some(f.sources.as_bytes()))?;
            copy.bytes(Some(f.change.as_bytes()))?;
            copy.bytes(Some(&f.prev_hash.0[..]))?;
            copy.bytes(Some(&f.hash.0[..]))?;
            copy.send_some()?;
        }
        copy.finish()
    }

    fn facts_after(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        let rows = self.client.query(
            &format!("SELECT {FACT_COLUMNS} FROM facts WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&(after as i64), &(limit as i64)],
        )?;
        rows.iter().map(fact_row).collect()
    }

    fn facts_by_subject_after(
        &mut self,
        after: Option<(Subject, u64)>,
        limit: usize,
    ) -> Result<Vec<FactRow>, LedgerError> {
        // "" sorts before every kind: no `after` is the very beginning.
        let (kind, id, seq) =
            after.map_or(("", 0, 0), |(s, q)| (s.kind.name(), s.id as i64, q as i64));
        let limit = limit as i64;
        let rows = self.in_index_order(|c| c.query(&walk_sql(), &[&kind, &id, &seq, &limit]))?;
        rows.iter().map(fact_row).collect()
    }

    /// Runs a page of a walk with the planner told to read in the indexes' order. Without the
    /// table's statistics (after a restore, or a rebuild just after an import, before
    /// autovacuum has read it), PostgreSQL read every fact after the page's start and sorted
    /// them, for each page of a few thousand: a walk grew with the square of the registry.
    /// Sorting and reading the whole table are then only a last resort, for this statement
    /// alone: the settings are the transaction's own (`SET LOCAL`), in a transaction of its
    /// own when none is open, so that no failure leaves them on the session (a server's
    /// connection serves every later page), nor on another client behind a pooler.
    fn in_index_order<R>(
        &mut self,
        read: impl FnOnce(&mut Client) -> Result<R, postgres::Error>,
    ) -> Result<R, LedgerError> {
        const LAST_RESORT: &str = "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; \
             SET LOCAL enable_seqscan = off";
        if self.in_transaction {
            self.client.batch_execute(LAST_RESORT)?;
            let read = read(&mut self.client);
            // A read that failed aborts the transaction, and its rollback takes the settings.
            let value = read?;
            self.client.batch_execute(
                "RESET enable_sort; RESET enable_bitmapscan; RESET enable_seqscan",
            )?;
            return Ok(value);
        }
        self.client
            .batch_execute(&format!("BEGIN; {LAST_RESORT}"))?;
        match read(&mut self.client) {
            Ok(value) => {
                self.client.batch_execute("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK");
                Err(e.into())
            }
        }
    }

    fn facts_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        // The indexes' kind is in the "C" collation: a comparison in the database's own
        // collation cannot use them, and would read the whole index. A record's changes and
        // its audit facts are in two indexes, read together.
        let rows = self.client.query(
            &format!(
                "SELECT {FACT_COLUMNS} FROM facts \
                 WHERE subject_kind COLLATE \"C\" = $1 AND subject_id = $2 AND {A_CHANGE} \
                 UNION ALL SELECT {FACT_COLUMNS} FROM facts \
                 WHERE subject_kind COLLATE \"C\" = $1 AND subject_id = $2 AND {AN_AUDIT} \
                 ORDER BY seq"
            ),
            &[&subject.kind.name(), &(subject.id as i64)],
        )?;
        rows.iter().map(fact_row).collect()
    }

    fn changes_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        let rows = self.client.query(
            &format!(
                "SELECT {FACT_COLUMNS} FROM facts \
                 WHERE subject_kind COLLATE \"C\" = $1 AND subject_id = $2 AND {A_CHANGE} \
                 ORDER BY seq"
            ),
            &[&subject.kind.name(), &(subject.id as i64)],
        )?;
        rows.iter().map(fact_row).collect()
    }

    fn views_of(&mut self, subject: Subject, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        let rows = self.client.query(
            &format!(
                "SELECT {FACT_COLUMNS} FROM facts \
                 WHERE subject_kind COLLATE \"C\" = $1 AND subject_id = $2 AND {AN_AUDIT} \
                 ORDER BY seq DESC LIMIT $3"
            ),
            &[&subject.kind.name(), &(subject.id as i64), &(limit as i64)],
        )?;
        rows.iter().map(fact_row).collect()
    }

    fn put_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        if rows.len() >= COPY_RECORDS_FROM {
            return self.copy_records(rows);
        }
        for chunk in rows.chunks(CHUNK) {
            let nums: Vec<(i64, Option<i64>)> = chunk
                .iter()
                .map(|r| (r.id as i64, r.parent.map(|p| p as i64)))
                .collect();
            let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(chunk.len() * 5);
            for (r, (id, parent)) in chunk.iter().zip(&nums) {
                params.extend_from_slice(&[&r.kind, id, &r.reference, parent, &r.state]);
            }
            let sql = format!(
                "INSERT INTO records (kind, id, reference, parent, state) VALUES {} \
                 ON CONFLICT (kind, id) DO UPDATE SET reference = excluded.reference, \
                 parent = excluded.parent, state = excluded.state",
                placeholders(chunk.len(), 5)
            );
            self.client.execute(&sql, &params)?;
        }
        Ok(())
    }

    /// Records by COPY into `table` (`records`, or the temporary `records_in`).
    fn copy_into(&mut self, table: &str, rows: &[RecordRow]) -> Result<(), LedgerError> {
        let mut copy = Copy::start(
            &mut self.client,
            &format!("COPY {table} (kind, id, reference, parent, state) FROM STDIN BINARY"),
        )?;
        for r in rows {
            copy.row(5);
            copy.bytes(Some(r.kind.as_bytes()))?;
            copy.int8(Some(r.id as i64));
            copy.bytes(r.reference.as_ref().map(|v| v.as_bytes()))?;
            copy.int8(r.parent.map(|p| p as i64));
            copy.bytes(Some(r.state.as_bytes()))?;
            copy.send_some()?;
        }
        copy.finish()
    }

    /// A large batch of records: by COPY into a temporary table, then into `records` in one
    /// statement (the last row of a record wins, as one `INSERT` after another would).
    fn copy_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        if !self.records_in {
            self.client.batch_execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS records_in \
                 (kind TEXT NOT NULL, id BIGINT NOT NULL, reference TEXT, parent BIGINT, state TEXT NOT NULL)",
            )?;
            self.records_in = true;
        }
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        let mut last: Vec<RecordRow> = rows
            .into_iter()
            .rev()
            .filter(|r| seen.insert((r.kind.clone(), r.id)))
            .collect();
        last.reverse();
        self.copy_into("records_in", &last)?;
        self.client.batch_execute(
            "INSERT INTO records (kind, id, reference, parent, state) \
             SELECT kind, id, reference, parent, state FROM records_in \
             ON CONFLICT (kind, id) DO UPDATE SET reference = excluded.reference, \
             parent = excluded.parent, state = excluded.state; \
             TRUNCATE records_in",
        )?;
        Ok(())
    }

    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError> {
        let rows = self.client.query(
            "SELECT kind, id, reference, parent, state FROM records \
             WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&kind, &(after as i64), &(limit as i64)],
        )?;
        Ok(rows.iter().map(record_row).collect())
    }

    fn by_reference(
        &mut self,
        kind: &str,
        reference: &str,
    ) -> Result<Option<RecordRow>, LedgerError> {
        // No reference holds a NUL (the ledger refuses one), and the server refuses it as a
        // parameter: a name typed with one is simply no one, as on SQLite.
        if reference.contains('\0') {
            return Ok(None);
        }
        Ok(self
            .client
            .query_opt(
                "SELECT kind, id, reference, parent, state FROM records \
                 WHERE kind = $1 AND reference = $2",
                &[&kind, &reference],
            )?
            .as_ref()
            .map(record_row))
    }

    fn children(&mut self, kind: &str, parent: u64) -> Result<Vec<RecordRow>, LedgerError> {
        let rows = self.client.query(
            "SELECT kind, id, reference, parent, state FROM records \
             WHERE kind = $1 AND parent = $2 ORDER BY id",
            &[&kind, &(parent as i64)],
        )?;
        Ok(rows.iter().map(record_row).collect())
    }

    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError> {
        let rows = self.client.query(
            "SELECT reference, id FROM records WHERE kind = $1 AND reference IS NOT NULL",
            &[&kind],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let row = self
            .client
            .query_one("SELECT max(id) FROM records WHERE kind = $1", &[&kind])?;
        Ok(row.get::<_, Option<i64>>(0).unwrap_or(0) as u64)
    }

    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let row = self
            .client
            .query_one("SELECT count(*) FROM records WHERE kind = $1", &[&kind])?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn changed(&mut self) -> Result<Vec<(Kind, u64)>, LedgerError> {
        let rows = self
            .client
            .query("SELECT kind, seq FROM kinds_changed", &[])?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let kind = Kind::from_name(r.get::<_, &str>(0))?;
                Some((kind, r.get::<_, i64>(1) as u64))
            })
            .collect())
    }

    fn put_changed(&mut self, rows: Vec<(Kind, u64)>, replace: bool) -> Result<(), LedgerError> {
        if replace {
            self.client.execute("DELETE FROM kinds_changed", &[])?;
        }
        if rows.is_empty() {
            return Ok(());
        }
        let values: Vec<(&str, i64)> = rows.iter().map(|(k, s)| (k.name(), *s as i64)).collect();
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(values.len() * 2);
        for (kind, seq) in &values {
            params.extend_from_slice(&[kind, seq]);
        }
        let sql = format!(
            "INSERT INTO kinds_changed (kind, seq) VALUES {} \
             ON CONFLICT (kind) DO UPDATE SET seq = GREATEST(kinds_changed.seq, excluded.seq)",
            placeholders(values.len(), 2)
        );
        self.client.execute(&sql, &params)?;
        Ok(())
    }

    fn snapshot(&mut self, name: &str) -> Result<Option<(u64, Hash, Vec<u8>)>, LedgerError> {
        let row = self.client.query_opt(
            "SELECT seq, head, data FROM snapshots WHERE name = $1",
            &[&name],
        )?;
        row.map(|r| {
            let seq: i64 = r.get(0);
            Ok((seq as u64, stored_hash(seq, r.get(1))?, r.get(2)))
        })
        .transpose()
    }

    fn put_snapshot(
        &mut self,
        name: &str,
        seq: u64,
        head: Hash,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        self.client.execute(
            "INSERT INTO snapshots (name, seq, head, data) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, head = excluded.head, data = excluded.data",
            &[&name, &(seq as i64), &&head.0[..], &data],
        )?;
        Ok(())
    }

    fn put_file(
        &mut self,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        self.client.execute(
            "INSERT INTO files (sha256, media_type, data) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256) DO NOTHING",
            &[&sha256, &media_type, &data],
        )?;
        Ok(())
    }

    fn file(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, LedgerError> {
        let row = self.client.query_opt(
            "SELECT media_type, data FROM files WHERE sha256 = $1",
            &[&sha256],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn clear_records(&mut self) -> Result<(), LedgerError> {
        self.client.execute("DELETE FROM records", &[])?;
        Ok(())
    }

    fn state_get(&mut self, key: &str, now: i64) -> Result<Option<String>, LedgerError> {
        let row = self.client.query_opt(
            "SELECT value FROM server_state WHERE key = $1 AND expires > $2",
            &[&key, &now],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn state_put(
        &mut self,
        key: &str,
        value: Option<(&str, i64)>,
        now: i64,
    ) -> Result<(), LedgerError> {
        match value {
            Some((v, expires)) => self.client.execute(
                "INSERT INTO server_state (key, value, expires) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                &[&key, &v, &expires],
            )?,
            None => self
                .client
                .execute("DELETE FROM server_state WHERE key = $1", &[&key])?,
        };
        self.client
            .execute("DELETE FROM server_state WHERE expires <= $1", &[&now])?;
        Ok(())
    }

    fn key_get(&mut self, name: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        let row = self
            .client
            .query_opt("SELECT value FROM keyring WHERE name = $1", &[&name])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn key_put(&mut self, rows: Vec<(String, Vec<u8>)>, replace: bool) -> Result<(), LedgerError> {
        let sql = if replace {
            "INSERT INTO keyring (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        } else {
            "INSERT INTO keyring (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
        };
        let statement = self.client.prepare(sql)?;
        for (name, value) in rows {
            self.client.execute(&statement, &[&name, &value])?;
        }
        Ok(())
    }

    fn key_delete(&mut self, name: &str) -> Result<(), LedgerError> {
        self.client
            .execute("DELETE FROM keyring WHERE name = $1", &[&name])?;
        self.keys_destroyed = true;
        Ok(())
    }

    fn keys(&mut self) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
        let rows = self
            .client
            .query("SELECT name, value FROM keyring ORDER BY name", &[])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

impl Engine for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn begin(&mut self) -> Result<(), LedgerError> {
        self.call(Conn::begin)
    }
    fn commit(&mut self) -> Result<(), LedgerError> {
        self.call(Conn::commit)
    }
    fn commit_later(&mut self) -> Result<crate::engine::Committed, LedgerError> {
        self.worker.commit_later(Conn::commit)
    }
    fn begin_after(&mut self, head: Option<(u64, Hash)>) -> Result<(), LedgerError> {
        self.stage(move |c| {
            c.begin()?;
            if c.head()? != head {
                return Err(crate::engine::moved());
            }
            Ok(())
        })
    }
    fn rollback(&mut self) -> Result<(), LedgerError> {
        self.worker.roll_back(Conn::rollback)
    }
    fn head(&mut self) -> Result<Option<(u64, Hash)>, LedgerError> {
        self.call(Conn::head)
    }
    fn last_appended_at(&mut self) -> Result<Option<String>, LedgerError> {
        self.call(Conn::last_appended_at)
    }
    fn insert_facts(&mut self, rows: Vec<FactRow>) -> Result<(), LedgerError> {
        self.stage(move |c| c.insert_facts(rows))
    }
    fn facts_after(&mut self, after: u64, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| c.facts_after(after, limit))
    }
    fn facts_by_subject_after(
        &mut self,
        after: Option<(Subject, u64)>,
        limit: usize,
    ) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| c.facts_by_subject_after(after, limit))
    }
    fn facts_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| c.facts_of(subject))
    }
    fn changes_of(&mut self, subject: Subject) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| c.changes_of(subject))
    }
    fn views_of(&mut self, subject: Subject, limit: usize) -> Result<Vec<FactRow>, LedgerError> {
        self.call(move |c| c.views_of(subject, limit))
    }
    fn put_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        self.stage(move |c| c.put_records(rows))
    }
    fn insert_records(&mut self, rows: Vec<RecordRow>) -> Result<(), LedgerError> {
        if rows.len() < COPY_RECORDS_FROM {
            return self.put_records(rows);
        }
        self.stage(move |c| c.copy_into("records", &rows))
    }
    fn record(&mut self, kind: &str, id: u64) -> Result<Option<RecordRow>, LedgerError> {
        Ok(self
            .reader
            .query_opt(&self.read_record, &[&kind, &(id as i64)])?
            .as_ref()
            .map(record_row))
    }
    fn records(&mut self, kind: &str, ids: &[u64]) -> Result<Vec<RecordRow>, LedgerError> {
        let ids: Vec<i64> = ids.iter().map(|&id| id as i64).collect();
        let rows = self.reader.query(
            "SELECT kind, id, reference, parent, state FROM records WHERE kind = $1 AND id = ANY($2)",
            &[&kind, &ids],
        )?;
        Ok(rows.iter().map(record_row).collect())
    }
    fn records_after(
        &mut self,
        kind: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordRow>, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| c.records_after(&kind, after, limit))
    }
    fn by_reference(
        &mut self,
        kind: &str,
        reference: &str,
    ) -> Result<Option<RecordRow>, LedgerError> {
        let (kind, reference) = (kind.to_string(), reference.to_string());
        self.call(move |c| c.by_reference(&kind, &reference))
    }
    fn children(&mut self, kind: &str, parent: u64) -> Result<Vec<RecordRow>, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| c.children(&kind, parent))
    }
    fn references(&mut self, kind: &str) -> Result<Vec<(String, u64)>, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| c.references(&kind))
    }
    fn max_id(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| c.max_id(&kind))
    }
    fn count_records(&mut self, kind: &str) -> Result<u64, LedgerError> {
        let kind = kind.to_string();
        self.call(move |c| c.count_records(&kind))
    }
    fn clear_records(&mut self) -> Result<(), LedgerError> {
        self.call(Conn::clear_records)
    }
    fn changed(&mut self) -> Result<Vec<(Kind, u64)>, LedgerError> {
        self.call(Conn::changed)
    }
    fn put_changed(&mut self, rows: Vec<(Kind, u64)>, replace: bool) -> Result<(), LedgerError> {
        self.stage(move |c| c.put_changed(rows, replace))
    }
    fn snapshot(&mut self, name: &str) -> Result<Option<(u64, Hash, Vec<u8>)>, LedgerError> {
        let name = name.to_string();
        self.call(move |c| c.snapshot(&name))
    }
    fn put_snapshot(
        &mut self,
        name: &str,
        seq: u64,
        head: Hash,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        let name = name.to_string();
        self.call(move |c| c.put_snapshot(&name, seq, head, data))
    }
    fn put_file(
        &mut self,
        sha256: &str,
        media_type: &str,
        data: Vec<u8>,
    ) -> Result<(), LedgerError> {
        let (sha256, media_type) = (sha256.to_string(), media_type.to_string());
        self.call(move |c| c.put_file(&sha256, &media_type, data))
    }
    fn file(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, LedgerError> {
        let sha256 = sha256.to_string();
        self.call(move |c| c.file(&sha256))
    }
    fn key_get(&mut self, name: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        let name = name.to_string();
        self.call(move |c| c.key_get(&name))
    }
    fn key_put(&mut self, rows: Vec<(String, Vec<u8>)>, replace: bool) -> Result<(), LedgerError> {
        self.call(move |c| c.key_put(rows, replace))
    }
    fn keys(&mut self) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
        self.call(Conn::keys)
    }
    fn key_delete(&mut self, name: &str) -> Result<(), LedgerError> {
        let name = name.to_string();
        self.call(move |c| c.key_delete(&name))
    }
    fn state_get(&mut self, key: &str, now: i64) -> Result<Option<String>, LedgerError> {
        let key = key.to_string();
        self.call(move |c| c.state_get(&key, now))
    }
    /// Whether no other session is connected to the database (this engine's two aside): a
    /// bulk load may then commit without waiting.
    fn bulk(&mut self, on: bool) -> Result<bool, LedgerError> {
        if !on {
            return Ok(false);
        }
        let reader = self
            .reader
            .query_one("SELECT pg_backend_pid()", &[])?
            .get::<_, i32>(0);
        let others: i64 = self
            .reader
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> $1 AND pid <> $2",
                &[&reader, &self.writer_pid],
            )?
            .get(0);
        Ok(others == 0)
    }
    fn state_put(
        &mut self,
        key: &str,
        value: Option<(&str, i64)>,
        now: i64,
    ) -> Result<(), LedgerError> {
        let key = key.to_string();
        let value = value.map(|(v, e)| (v.to_string(), e));
        self.call(move |c| c.state_put(&key, value.as_ref().map(|(v, e)| (v.as_str(), *e)), now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fact as stored, enough for the planner (its hashes are not checked here).
    fn fact(seq: u64, subject: &str, audited: bool) -> FactRow {
        let change = if audited {
            r#"{"type":"audited","action":"viewed"}"#
        } else {
            r#"{"type":"notes_set","notes":""}"#
        };
        FactRow {
            seq,
            appended_at: "2026-01-01T00:00:00Z".into(),
            recorded_on: "2026-01-01".into(),
            actor: "test".into(),
            subject: subject.into(),
            valid_on: None,
            sources: String::new(),
            change: change.into(),
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        }
    }

    /// A query's plan: the facts read only through the indexes named, and (`in_order`) in the
    /// index's order, with no sort of what they gave.
    fn assert_read_through(
        plan: Result<Vec<postgres::Row>, impl std::fmt::Debug>,
        indexes: &[&str],
        in_order: bool,
        when: &str,
    ) {
        let plan: Vec<String> = plan.unwrap().iter().map(|r| r.get(0)).collect();
        let through = |line: &str| {
            indexes.iter().any(|i| {
                line.contains(&format!("Index Scan using {i} on facts"))
                    || (!in_order && line.contains(&format!("Bitmap Index Scan on {i}")))
            })
        };
        let mut scans = 0;
        for line in &plan {
            let node = line.trim_start().trim_start_matches("->  ");
            if line.contains("Scan") && !node.starts_with("Bitmap Heap Scan on facts") {
                scans += 1;
                assert!(through(line), "{when}: {line} in {plan:#?}");
            }
            if in_order {
                assert!(
                    !node.starts_with("Sort  (") && !node.starts_with("Incremental Sort  ("),
                    "{when}: {line} in {plan:#?}"
                );
            }
        }
        assert!(scans > 0, "{when}: {plan:#?}");
    }

    fn the_walk_is_through_the_indexes(url: &str) {
        let mut conn = Conn::open(url, true).unwrap();
        conn.client
            .batch_execute("ALTER TABLE facts SET (autovacuum_enabled = off)")
            .unwrap();
        // Detentions with two changes and a view each, persons with one change, a few places:
        // more than a page of a walk, numbered like an import numbers them.
        let mut rows = Vec::new();
        let mut seq = 0;
        let mut next = |subject: String, audited: bool, rows: &mut Vec<FactRow>| {
            seq += 1;
            rows.push(fact(seq, &subject, audited));
        };
        for i in 1..=20_000 {
            next(format!("person:{}", i / 2 + 1), false, &mut rows);
            next(format!("detention:{i}"), false, &mut rows);
            next(format!("detention:{i}"), false, &mut rows);
            next(format!("detention:{i}"), true, &mut rows);
            if i % 1000 == 0 {
                next(format!("facility:{}", i / 1000), false, &mut rows);
            }
        }
        conn.insert_facts(rows).unwrap();
        let both = ["facts_changes_by_subject", "facts_views_by_subject"];
        for when in ["before statistics", "after ANALYZE"] {
            for (kind, id, seq) in [
                ("", 0i64, 0i64),
                ("detention", 0, 0),
                ("detention", 9_000, 0),
                ("facility", 0, 0),
                ("person", 500, 0),
            ] {
                let walk = format!("EXPLAIN {}", walk_sql());
                let limit = 20_000i64;
                let plan = conn.in_index_order(|c| c.query(&walk, &[&kind, &id, &seq, &limit]));
                assert_read_through(plan, &both, true, when);
            }
            conn.client.batch_execute("ANALYZE facts").unwrap();
        }
        // And the walk gives every fact once, by kind's name, number and position.
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = conn.facts_by_subject_after(after, 7_000).unwrap();
            let Some(last) = page.last() else { break };
            after = Some((Subject::parse(&last.subject).unwrap(), last.seq));
            walked.extend(page.iter().map(|f| (f.subject.clone(), f.seq)));
        }
        let key = |(subject, seq): &(String, u64)| {
            let s = Subject::parse(subject).unwrap();
            (s.kind.name(), s.id, *seq)
        };
        let mut expected = walked.clone();
        expected.sort_by_key(key);
        expected.dedup();
        assert_eq!(walked.len(), 20_000 * 4 + 20);
        assert_eq!(walked, expected);
    }

    /// The walk through every history (a rebuild, the counting index, an export) reads the
    /// facts through the indexes in their order, also before PostgreSQL has statistics of the
    /// table (after a restore, or a rebuild just after an import): a plan that reads and sorts
    /// every remaining fact for each page makes a rebuild grow with the square of the
    /// registry, with the writer's lock held.
    #[test]
    fn the_walk_reads_through_its_indexes_with_or_without_statistics() {
        in_a_database("walk", the_walk_is_through_the_indexes);
    }

    /// A registry opened by a build of aac298a (schema 12 then: indexes of each kind's changes,
    /// no facts_changes_by_subject) is opened by this one, and gets the index it reads by.
    #[test]
    fn a_registry_left_with_indexes_per_kind_gets_its_index_of_changes_back() {
        in_a_database("schema12", |url| {
            let indexes = |conn: &mut Conn| -> Vec<String> {
                (conn.client)
                    .query(
                        "SELECT indexname::text FROM pg_indexes WHERE tablename = 'facts' \
                         ORDER BY 1",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect()
            };
            let mut conn = Conn::open(url, true).unwrap();
            let made = indexes(&mut conn);
            conn.client
                .batch_execute(
                    "CREATE INDEX facts_changes_of_detentions ON facts (subject_id, seq) \
                     WHERE subject_kind = 'detention'; \
                     CREATE INDEX facts_changes_of_persons ON facts (subject_id, seq) \
                     WHERE subject_kind = 'person'; \
                     CREATE INDEX facts_changes_of_other_kinds ON facts (subject_kind, subject_id, seq); \
                     DROP INDEX facts_changes_by_subject; \
                     DELETE FROM vigilia_schema WHERE version > 12",
                )
                .unwrap();
            drop(conn);
            let mut conn = Conn::open(url, false).unwrap();
            assert_eq!(indexes(&mut conn), made);
            assert!(made.contains(&"facts_changes_by_subject".to_string()));
        });
    }

    /// Runs `check` on a fresh database of the test server, dropped afterwards whatever
    /// happens.
    fn in_a_database(name: &str, check: impl FnOnce(&str) + std::panic::UnwindSafe) {
        let Ok(admin) = std::env::var("VIGILIA_TEST_POSTGRES_URL") else {
            eprintln!("skipped: set VIGILIA_TEST_POSTGRES_URL to run it");
            return;
        };
        let name = format!("{name}_{}", std::process::id());
        let mut server = Client::connect(&admin, NoTls).unwrap();
        server
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let checked = std::panic::catch_unwind(|| check(&url));
        server
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        if let Err(panic) = checked {
            std::panic::resume_unwind(panic);
        }
    }
}
