//! Export: the detentions CSV, one row per detention by id, so that it imports into an empty
//! registry and exports again byte for byte the same. Who took the whole registry, and when, is
//! an audit fact, durable before a single row is written.

use std::io::Write;
use std::path::Path;

use vigilia_core::confidential::{Confidential, Field};
use vigilia_core::exchange::{self, Column};
use vigilia_core::fact::Audit;
use vigilia_core::fold::Record;
use vigilia_core::ids::{Kind, Subject};
use vigilia_ledger::Ledger;

use crate::error::AppError;

/// Detentions read per page.
const PAGE: usize = 10_000;

/// Writes every detention to `out` as the detentions CSV, by `actor` (who holds the registry's
/// key: the notes are written in the clear); `progress` hears how many were written of how
/// many. Returns how many were written.
pub fn detentions(
    ledger: &mut Ledger,
    actor: &str,
    out: &mut dyn Write,
    label: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, AppError> {
    crate::registry::write(ledger, |tx| {
        crate::records::audit(tx, actor, Subject::REGISTRY, Audit::Exported)
    })?;
    let profile = ledger.profile()?.clone();
    let total = ledger.count(Kind::Detention)?;
    let fail = |e: &dyn std::fmt::Display| AppError::Output {
        path: label.to_string(),
        detail: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(out));
    w.write_record(Column::ALL.iter().map(|c| c.name()))
        .map_err(|e| fail(&e))?;
    let (mut after, mut written) = (0, 0u64);
    let mut person: Option<vigilia_core::model::Person> = None;
    loop {
        let page = ledger.page(Kind::Detention, after, PAGE)?;
        let Some(Record::Detention(last)) = page.last() else {
            break;
        };
        after = last.id.0;
        for record in page {
            let Record::Detention(mut d) = record else {
                continue;
            };
            if let Some(notes) = &d.notes {
                let text = ledger.reveal(d.id.into(), Field::Notes, notes)?;
                d.notes = Some(Confidential::Plain(text));
            }
            if person.as_ref().is_none_or(|p| p.id != d.person) {
                person = match ledger.get(d.person.into())? {
                    Some(Record::Person(p)) => Some(p),
                    _ => None,
                };
            }
            let Some(p) = &person else { continue };
            write_row(&mut w, &exchange::render(p, &d, &profile)).map_err(|e| fail(&e))?;
            written += 1;
        }
        progress(written, total);
    }
    w.flush().map_err(|e| fail(&e))?;
    Ok(written)
}

/// A file being written for `path`, whole or not at all: a new file beside it, readable by its
/// owner only (what Vigilia writes holds names and cédulas), created where nothing was (never
/// through a link another user left), and moved to `path` only when complete. Dropped before
/// [`Output::finish`], it leaves nothing behind; a run killed while writing leaves its partial
/// file, locked while it was written, and the next one for the same `path` removes what no
/// live writer still holds.
#[derive(Debug)]
pub struct Output {
    path: std::path::PathBuf,
    partial: std::path::PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    done: bool,
}

impl Output {
    pub fn create(path: &Path) -> Result<Output, AppError> {
        writable(path)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let random = crate::credentials::new_token()?.0;
        let tag = random.get(..12).unwrap_or(&random);
        remove_abandoned(path, &name);
        let partial = path.with_file_name(format!(".{name}.{tag}.partial"));
        let file = vigilia_ledger::create_private(&partial).map_err(|e| output(path, &e))?;
        // Held until the file is moved or removed: the mark of a writer still alive.
        file.try_lock()
            .map_err(|e| output(path, &std::io::Error::other(e)))?;
        Ok(Output {
            path: path.to_path_buf(),
            partial,
            file: std::io::BufWriter::new(file),
            done: false,
        })
    }

    /// Where to write.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<std::fs::File> {
        &mut self.file
    }

    /// Puts the complete file, on disk, in its place.
    pub fn finish(mut self) -> Result<(), AppError> {
        let written = self
            .file
            .flush()
            .and_then(|()| self.file.get_ref().sync_all());
        written.map_err(|e| output(&self.path, &e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| output(&self.path, &e))?;
        self.done = true;
        Ok(())
    }
}

/// Removes the partial files of `path` (`.NAME.TAG.partial` beside it) that no writer holds any
/// more: left by a run that was killed, they hold names and cédulas nobody will finish.
fn remove_abandoned(path: &Path, name: &str) {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(tag) = (file_name.to_str())
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".partial"))
        else {
            continue;
        };
        // Only our own names, and only files: never a link or a folder someone put there.
        let ours = tag.len() == 12 && tag.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if !ours || !file {
            continue;
        }
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(entry.path())
            && f.try_lock().is_ok()
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Refuses to write `path` when something other than a file or a link is there. What is there
/// is replaced when the new file is complete (a link too: it is never written through); a
/// device would be replaced by a file of names and cédulas, and a folder could not be.
pub fn writable(path: &Path) -> Result<(), AppError> {
    let special = |m: std::fs::Metadata| !m.is_file() && !m.file_type().is_symlink();
    match std::fs::symlink_metadata(path).is_ok_and(special) {
        true => Err(AppError::NotAFile(path.to_path_buf())),
        false => Ok(()),
    }
}

/// Writes a row of a CSV a spreadsheet may open: no cell is a formula
/// ([`exchange::for_spreadsheet`]); only a cell that needs it is copied.
pub fn write_row<W: Write, S: AsRef<str>>(w: &mut csv::Writer<W>, cells: &[S]) -> csv::Result<()> {
    let safe: Vec<std::borrow::Cow<'_, str>> = (cells.iter())
        .map(|c| exchange::for_spreadsheet(c.as_ref()))
        .collect();
    w.write_record(safe.iter().map(|c| c.as_bytes()))
}

/// A file that could not be written, as a use case says it.
pub fn output(path: &Path, e: &dyn std::fmt::Display) -> AppError {
    AppError::Output {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// Rows of a large CSV made and written a chunk at a time.
const CHUNK: usize = 1 << 16;

/// Writes a CSV (`header`, then `row(i)` for each of `count` rows) into `out`, not yet in its
/// place: files that go together are all written before any is put in place
/// ([`Output::finish`]). The rows are made on every core, a chunk at a time, in order.
/// Deduplicating a million reports writes a million and a half rows of pairs: made on one core,
/// and held as strings before the first was written, they took two seconds and two hundred
/// megabytes.
pub fn fill_csv_rows<S: AsRef<str>, R: AsRef<[S]>>(
    out: &mut Output,
    header: &[&str],
    count: usize,
    row: impl Fn(usize) -> R + Sync,
) -> Result<(), AppError> {
    let path = out.path.clone();
    let fail = |e: &dyn std::fmt::Display| output(&path, e);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut w = csv::Writer::from_writer(out.writer());
    w.write_record(header).map_err(|e| fail(&e))?;
    w.flush().map_err(|e| fail(&e))?;
    drop(w);
    for start in (0..count).step_by(CHUNK) {
        let end = count.min(start + CHUNK);
        let share = (end - start).div_ceil(cores);
        let (row, fail) = (&row, &fail);
        let written: Vec<Result<Vec<u8>, AppError>> = std::thread::scope(|s| {
            let parts: Vec<_> = (start..end)
                .step_by(share.max(1))
                .map(|from| {
                    s.spawn(move || {
                        let mut w = csv::Writer::from_writer(Vec::with_capacity(share * 128));
                        for i in from..end.min(from + share) {
                            write_row(&mut w, row(i).as_ref()).map_err(|e| fail(&e))?;
                        }
                        w.into_inner().map_err(|e| fail(&e.error()))
                    })
                })
                .collect();
            (parts.into_iter())
                .map(|p| {
                    p.join()
                        .unwrap_or_else(|_| Err(fail(&"a row could not be made")))
                })
                .collect()
        });
        for part in written {
            out.writer().write_all(&part?).map_err(|e| fail(&e))?;
        }
    }
    out.writer().flush().map_err(|e| fail(&e))
}

/// Writes a CSV whole or not at all ([`Output`]).
pub fn write_csv<R: AsRef<[String]> + Sync>(
    path: &Path,
    header: &[&str],
    rows: &[R],
) -> Result<(), AppError> {
    let mut out = Output::create(path)?;
    fill_csv_rows(&mut out, header, rows.len(), |i| {
        rows.get(i).map_or(&[][..], |r| r.as_ref())
    })?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::Output;
    use std::io::Write;

    #[test]
    fn a_killed_runs_partial_file_is_removed_by_the_next_and_a_live_ones_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let abandoned = dir.path().join(".out.csv.0123456789ab.partial");
        std::fs::write(&abandoned, "Ana Gómez,V-12345678\n").unwrap();
        let live = dir.path().join(".out.csv.ba9876543210.partial");
        let held = std::fs::File::create(&live).unwrap();
        held.lock().unwrap();
        let stranger = dir.path().join(".out.csv.not-ours.partial");
        std::fs::write(&stranger, "x").unwrap();
        // Vigilia's tags are in small letters: one in capitals is someone else's file.
        let capitals = dir.path().join(".out.csv.DEADBEEFCAFE.partial");
        std::fs::write(&capitals, "x").unwrap();
        let mut out = Output::create(&path).unwrap();
        writeln!(out.writer(), "a,b").unwrap();
        out.finish().unwrap();
        assert!(!abandoned.exists(), "what a killed run left is removed");
        assert!(live.exists(), "a writer still alive keeps its file");
        assert!(
            stranger.exists(),
            "a name Vigilia does not make is left alone"
        );
        assert!(
            capitals.exists(),
            "a tag Vigilia does not make is left alone"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        drop(held);
    }
}
