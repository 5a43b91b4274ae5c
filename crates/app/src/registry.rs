//! Running use cases against the registry.
//!
//! A write runs inside one ledger transaction, so the checks it makes and the facts it appends
//! see the same state; it is committed only when the use case succeeded, and nothing of it is
//! written otherwise. A [`Registry`] serves many at once: reads run on connections of their own
//! (they never wait behind a write), and writes go to one writer, which takes every write
//! waiting into one transaction and answers each only once that transaction is durable.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Condvar, Mutex, MutexGuard};

use vigilia_ledger::{Ledger, LedgerError, Tx};

use crate::error::AppError;

/// Runs `work` in a write transaction and commits what it appended; an error leaves the
/// registry as it was.
pub fn write<T>(
    ledger: &mut Ledger,
    work: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut tx = ledger.begin()?;
    let out = work(&mut tx)?;
    if !tx.is_empty() {
        tx.commit()?;
    }
    Ok(out)
}

/// The most writes one transaction takes.
const BATCH: usize = 512;

/// A registry served to many: a pool of readers and one writer.
pub struct Registry {
    readers: Mutex<Vec<Ledger>>,
    returned: Condvar,
    /// `None` once the registry is dropped: the writer then finishes what it was given.
    jobs: Mutex<Option<Sender<Box<dyn Job>>>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Registry")
    }
}

/// Locks a mutex; a thread that panicked holding it leaves data that is still consistent
/// (every write is a ledger transaction), so the lock is taken anyway.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    /// Serves the registry `writer` is open on, with `readers` more connections for reads.
    pub fn new(writer: Ledger, readers: usize) -> Result<Registry, AppError> {
        let pool = (0..readers.max(1))
            .map(|_| writer.another())
            .collect::<Result<Vec<_>, _>>()?;
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        let writer = std::thread::Builder::new()
            .name("vigilia-writer".into())
            .spawn(move || writer_loop(writer, queue))
            .map_err(|e| AppError::Ledger(LedgerError::Stopped(e.to_string())))?;
        Ok(Registry {
            readers: Mutex::new(pool),
            returned: Condvar::new(),
            jobs: Mutex::new(Some(jobs)),
            writer: Some(writer),
        })
    }

    /// Runs `work` on a reader: the registry as last committed. Blocks while every reader is
    /// busy.
    pub fn read<T>(&self, work: impl FnOnce(&mut Ledger) -> T) -> T {
        let ledger = {
            let mut pool = lock(&self.readers);
            loop {
                if let Some(l) = pool.pop() {
                    break l;
                }
                pool = self.returned.wait(pool).unwrap_or_else(|e| e.into_inner());
            }
        };
        // Given back even if `work` panics, so a bug in one request cannot drain the pool.
        let mut lent = Lent {
            registry: self,
            ledger: Some(ledger),
        };
        match lent.ledger.as_mut() {
            Some(l) => work(l),
            None => unreachable_lent(),
        }
    }

    /// Runs `work` in a write transaction, with other writes waiting at the same moment, and
    /// returns once its facts are durable (or with why they were not written). `work` may run
    /// more than once: when a write before it in its transaction fails, it runs again in the
    /// next.
    pub fn write<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit(work, move |outcome| {
            let _ = reply.send(outcome);
        });
        answer.recv().map_err(|_| stopped())?
    }

    /// [`Registry::write`] without waiting: `done` is called, on the writer's thread, with the
    /// outcome once the facts are durable (or with why they were not written); it must not
    /// block. If the writer has stopped, `done` is dropped uncalled. A caller that waits
    /// asynchronously holds no thread while its write is queued, so every write waiting at one
    /// moment can join one transaction.
    pub fn submit<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
        done: impl FnOnce(Result<T, AppError>) + Send + 'static,
    ) {
        let job = Box::new(Write {
            work,
            out: None,
            done,
        });
        if let Some(jobs) = lock(&self.jobs).as_ref() {
            let _ = jobs.send(job);
        }
    }
}

/// Dropping the registry waits for its writer to commit what it was given and close its
/// connection. A writer left running could still be inside SQLCipher when the process exits,
/// and SQLCipher frees its memory at exit: the process would crash instead of ending.
impl Drop for Registry {
    fn drop(&mut self) {
        lock(&self.jobs).take();
        if let Some(writer) = self.writer.take()
            && writer.thread().id() != std::thread::current().id()
        {
            let _ = writer.join();
        }
    }
}

/// A reader lent to one read, returned to the pool when dropped.
struct Lent<'a> {
    registry: &'a Registry,
    ledger: Option<Ledger>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.ledger.take() {
            lock(&self.registry.readers).push(l);
            self.registry.returned.notify_one();
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_lent() -> ! {
    panic!("a lent reader is present until it is dropped")
}

fn stopped() -> AppError {
    AppError::Ledger(LedgerError::Stopped(
        "the registry's writer has stopped".into(),
    ))
}

/// One write waiting for the writer.
trait Job: Send {
    /// Appends its facts to `tx`.
    fn run(&mut self, tx: &mut Tx<'_>) -> Result<(), AppError>;
    /// Answers: its result once committed, or why it was not.
    fn answer(self: Box<Self>, outcome: Result<(), AppError>);
}

struct Write<T, F, D> {
    work: F,
    out: Option<T>,
    done: D,
}

impl<T, F, D> Job for Write<T, F, D>
where
    T: Send,
    F: FnMut(&mut Tx<'_>) -> Result<T, AppError> + Send,
    D: FnOnce(Result<T, AppError>) + Send,
{
    fn run(&mut self, tx: &mut Tx<'_>) -> Result<(), AppError> {
        self.out = Some((self.work)(tx)?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), AppError>) {
        let Write { out, done, .. } = *self;
        done(outcome.and_then(|()| out.ok_or_else(stopped)));
    }
}

/// The writer: takes every write waiting, runs them in one transaction and commits once.
///
/// A write refused before it changed anything (most refusals: not found, not allowed, a form's
/// errors) is answered with its error and the others go on in the same transaction. When one
/// fails after it changed something, it alone is answered with its error (it ran after the
/// writes before it, as it would have alone), once the writes before it have run again and
/// been committed together; those after it wait for the next transaction. Only a failure that
/// belongs to no write (the commit itself) runs each write again alone.
fn writer_loop(mut ledger: Ledger, queue: Receiver<Box<dyn Job>>) {
    let mut waiting: VecDeque<Box<dyn Job>> = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match queue.recv() {
                Ok(job) => waiting.push_back(job),
                Err(_) => return,
            }
        }
        while waiting.len() < BATCH
            && let Ok(more) = queue.try_recv()
        {
            waiting.push_back(more);
        }
        let mut jobs: Vec<Box<dyn Job>> = waiting.drain(..).collect();
        match guarded(&mut ledger, &mut jobs) {
            Ok(refused) => answer(jobs, refused),
            Err(Failed {
                at: Some(at),
                error,
            }) => {
                let after = jobs.split_off(at + 1);
                let failed = jobs.pop();
                if !jobs.is_empty() {
                    match guarded(&mut ledger, &mut jobs) {
                        Ok(refused) => answer(jobs, refused),
                        Err(_) => each_alone(&mut ledger, jobs),
                    }
                }
                if let Some(failed) = failed {
                    failed.answer(Err(error));
                }
                waiting.extend(after);
            }
            Err(Failed { at: None, .. }) => each_alone(&mut ledger, jobs),
        }
    }
}

/// Answers each job of a committed transaction: its result, or why it was refused.
fn answer(jobs: Vec<Box<dyn Job>>, refused: Vec<Option<AppError>>) {
    for (j, r) in jobs.into_iter().zip(refused) {
        j.answer(r.map_or(Ok(()), Err));
    }
}

/// Runs each job in a transaction of its own.
fn each_alone(ledger: &mut Ledger, jobs: Vec<Box<dyn Job>>) {
    for mut j in jobs {
        let outcome = match guarded(ledger, std::slice::from_mut(&mut j)) {
            Ok(mut refused) => refused.pop().flatten().map_or(Ok(()), Err),
            Err(f) => Err(f.error),
        };
        j.answer(outcome);
    }
}

/// Why a transaction of jobs was not committed: which job failed (none when beginning or
/// committing the transaction failed), and how.
struct Failed {
    at: Option<usize>,
    error: AppError,
}

/// Runs every job in one transaction and commits it; returns, for each job, why it was refused
/// if it was refused before it changed anything. On any other failure nothing is written. A
/// job that panics (a bug) fails only this transaction: the writer goes on serving the others.
fn guarded(
    ledger: &mut Ledger,
    jobs: &mut [Box<dyn Job>],
) -> Result<Vec<Option<AppError>>, Failed> {
    let mut at = None;
    let run = std::panic::AssertUnwindSafe(|| {
        let mut tx = ledger.begin()?;
        let mut refused = Vec::with_capacity(jobs.len());
        for (i, j) in jobs.iter_mut().enumerate() {
            at = Some(i);
            let before = tx.writes();
            match j.run(&mut tx) {
                Ok(()) => refused.push(None),
                Err(e) if tx.writes() == before => refused.push(Some(e)),
                Err(e) => return Err(e),
            }
        }
        at = None;
        if !tx.is_empty() {
            tx.commit()?;
        }
        Ok(refused)
    });
    let outcome = std::panic::catch_unwind(run).unwrap_or_else(|_| {
        Err(AppError::Ledger(LedgerError::Stopped(
            "a write failed unexpectedly; nothing of it was stored".into(),
        )))
    });
    outcome.map_err(|error| Failed { at, error })
}
