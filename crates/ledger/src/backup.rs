//! A registry's whole content as one stream of lines, and back: every fact exactly as stored
//! (so the restored chain ends at the same head, hash for hash), every kept file, and the
//! records' data keys (unwrapped: the new registry wraps them under its own key). The stream
//! is plain; the command line encrypts it (age) before it touches a disk.
//!
//! Written while the registry is in use, it is consistent: facts are only ever appended, so
//! the facts up to the head read at the start are a ledger as it stood; files are only ever
//! added, and a file is stored in the transaction of the fact that names it.

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use vigilia_core::fact::{FactRow, Hash};
use vigilia_core::fold::Record;
use vigilia_core::ids::Kind;

use crate::ledger::{Head, Ledger};
use crate::{DatabaseUrl, LedgerError, Secret};

const FORMAT: &str = "vigilia-backup-1";
const PAGE: usize = 5_000;

/// Writes the registry as it stands now; returns the head it ends at.
pub fn write(ledger: &mut Ledger, out: &mut dyn Write) -> Result<Head, LedgerError> {
    let head = ledger.head()?;
    let io = |e: std::io::Error| LedgerError::Io(format!("writing the backup: {e}"));
    writeln!(
        out,
        "{}",
        json!({"format": FORMAT, "facts": head.facts, "head": head.hash.to_string()})
    )
    .map_err(io)?;
    let mut after = 0;
    while after < head.facts {
        let want = PAGE.min((head.facts - after) as usize);
        let rows = ledger.raw_facts(after, want)?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for r in rows.iter().filter(|r| r.seq <= head.facts) {
            writeln!(out, "{}", fact_line(r)).map_err(io)?;
        }
    }
    let mut hashes = Vec::new();
    ledger.fold_all(Kind::Source, vigilia_core::fold::KnownOn::NOW, &mut |r| {
        if let Record::Source(s) = r
            && let Some(f) = s.file
        {
            hashes.push(f.sha256);
        }
    })?;
    hashes.sort();
    hashes.dedup();
    for sha in hashes {
        if let Some((media_type, data)) = ledger.file(&sha)? {
            let line = json!({"file": sha, "media_type": media_type, "data": hex::encode(data)});
            writeln!(out, "{line}").map_err(io)?;
        }
    }
    // The records' data keys, unwrapped: the restored registry wraps them under its own key.
    for (name, key) in ledger.data_keys()? {
        writeln!(out, "{}", json!({"key": name, "data": hex::encode(key)})).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(head)
}

/// Creates a registry at `url` from a backup stream: the facts as they were, the files, then
/// the projection rebuilt and the chain verified. The new registry must not exist yet.
pub fn restore(
    url: &DatabaseUrl,
    key: Option<&Secret>,
    clock: std::sync::Arc<dyn vigilia_core::clock::Clock>,
    input: &mut dyn BufRead,
) -> Result<Head, LedgerError> {
    let bad = |line: usize, es: &str, en: &str| LedgerError::BadBackup {
        line,
        es: es.to_string(),
        en: en.to_string(),
    };
    let mut lines = input.lines().enumerate();
    let (_, first) = lines
        .next()
        .ok_or_else(|| bad(1, "está vacía", "it is empty"))?;
    let header: Value = first
        .ok()
        .and_then(|l| serde_json::from_str(&l).ok())
        .ok_or_else(|| bad(1, "no es una copia de Vigilia", "not a Vigilia backup"))?;
    if field(&header, "format").as_str() != Some(FORMAT) {
        return Err(bad(
            1,
            &format!("no es una copia {FORMAT}"),
            &format!("not a {FORMAT} backup"),
        ));
    }
    let mut ledger = Ledger::create_empty(url, key, clock)?;
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    for (i, line) in lines {
        let line = line.map_err(|e| bad(i + 1, &e.to_string(), &e.to_string()))?;
        let v: Value =
            serde_json::from_str(&line).map_err(|e| bad(i + 1, &e.to_string(), &e.to_string()))?;
        if let Some(name) = field(&v, "key").as_str() {
            let data = field(&v, "data")
                .as_str()
                .and_then(|d| hex::decode(d).ok())
                .and_then(|d| <[u8; 32]>::try_from(d).ok())
                .ok_or_else(|| {
                    bad(
                        i + 1,
                        "una clave de registro que no tiene 32 bytes",
                        "a record key that is not 32 bytes",
                    )
                })?;
            keys.push((name.to_string(), data));
        } else if let Some(sha) = field(&v, "file").as_str() {
            let data = field(&v, "data")
                .as_str()
                .and_then(|d| hex::decode(d).ok())
                .ok_or_else(|| {
                    bad(
                        i + 1,
                        "un archivo sin sus bytes",
                        "a file without its bytes",
                    )
                })?;
            let media_type = field(&v, "media_type").as_str().unwrap_or_default();
            ledger.restore_file(sha, media_type, data)?;
        } else {
            rows.push(fact_row(&v).ok_or_else(|| bad(i + 1, "no es un hecho", "not a fact"))?);
            if rows.len() >= PAGE {
                ledger.restore_facts(std::mem::take(&mut rows))?;
            }
        }
    }
    ledger.restore_facts(rows)?;
    ledger.restore_data_keys(keys)?;
    ledger.rebuild(&mut |_| {})?;
    let head = ledger.verify(&mut |_| {})?;
    if field(&header, "head").as_str() != Some(head.hash.to_string().as_str())
        || field(&header, "facts").as_u64() != Some(head.facts)
    {
        return Err(LedgerError::BackupIncomplete {
            said_facts: field(&header, "facts").to_string(),
            said_head: field(&header, "head").to_string(),
            facts: head.facts,
            head: head.hash.to_string(),
        });
    }
    Ok(head)
}

/// A field of a JSON line (null when it is missing).
fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get(name).unwrap_or(&Value::Null)
}

fn fact_line(r: &FactRow) -> Value {
    json!({
        "seq": r.seq,
        "appended_at": r.appended_at,
        "recorded_on": r.recorded_on,
        "actor": r.actor,
        "subject": r.subject,
        "valid_on": r.valid_on,
        "sources": r.sources,
        "change": r.change,
        "prev_hash": r.prev_hash.to_string(),
        "hash": r.hash.to_string(),
    })
}

fn fact_row(v: &Value) -> Option<FactRow> {
    let text = |k: &str| field(v, k).as_str().map(str::to_string);
    let hash = |k: &str| {
        let bytes = hex::decode(field(v, k).as_str()?).ok()?;
        Some(Hash(bytes.try_into().ok()?))
    };
    Some(FactRow {
        seq: field(v, "seq").as_u64()?,
        appended_at: text("appended_at")?,
        recorded_on: text("recorded_on")?,
        actor: text("actor")?,
        subject: text("subject")?,
        valid_on: text("valid_on"),
        sources: text("sources")?,
        change: text("change")?,
        prev_hash: hash("prev_hash")?,
        hash: hash("hash")?,
    })
}
