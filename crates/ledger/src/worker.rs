//! A database connection on a thread of its own, as both engines keep their writer: reads wait
//! for their answer; writes of facts and records are queued, and the caller goes on building the
//! next ones. A queued write that fails makes the next call that waits (at the latest, the
//! commit) fail, and is forgotten when the transaction is rolled back.

use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::LedgerError;
use crate::engine::Committed;

/// Work for the connection; the first failure of a queued write, if any.
type Job<C> = Box<dyn FnOnce(&mut C, &mut Option<LedgerError>) + Send>;

/// A connection `C` on its thread.
pub(crate) struct Worker<C> {
    jobs: Option<mpsc::Sender<Job<C>>>,
    thread: Option<JoinHandle<()>>,
    /// The thread's name, for the error when it has stopped.
    name: &'static str,
}

impl<C> std::fmt::Debug for Worker<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl<C: Send + 'static> Worker<C> {
    /// Moves `conn` to a thread named `name`.
    pub(crate) fn start(conn: C, name: &'static str) -> Result<Worker<C>, LedgerError> {
        let (jobs, queue) = mpsc::channel::<Job<C>>();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let mut conn = conn;
                let mut failed = None;
                for job in queue {
                    job(&mut conn, &mut failed);
                }
            })
            .map_err(|e| LedgerError::Stopped(format!("cannot start {name}: {e}")))?;
        Ok(Worker {
            jobs: Some(jobs),
            thread: Some(thread),
            name,
        })
    }

    /// Runs `f` on the connection and waits for its answer. A queued write that failed before
    /// it is reported here instead.
    pub(crate) fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut C) -> Result<R, LedgerError> + Send + 'static,
    ) -> Result<R, LedgerError> {
        let (answer, reply) = mpsc::sync_channel(1);
        self.send(Box::new(move |conn, failed| {
            let result = match failed.take() {
                Some(e) => Err(e),
                None => f(conn),
            };
            let _ = answer.send(result);
        }))?;
        reply.recv().map_err(|_| self.gone())?
    }

    /// Queues `f` without waiting. If an earlier queued job failed, `f` is skipped.
    pub(crate) fn stage(
        &self,
        f: impl FnOnce(&mut C) -> Result<(), LedgerError> + Send + 'static,
    ) -> Result<(), LedgerError> {
        self.send(Box::new(move |conn, failed| {
            if failed.is_none()
                && let Err(e) = f(conn)
            {
                *failed = Some(e);
            }
        }))
    }

    /// Runs `rollback` and waits for it, even after a queued write failed: that failure is
    /// what is being rolled back, and is forgotten.
    pub(crate) fn roll_back(
        &self,
        rollback: impl FnOnce(&mut C) -> Result<(), LedgerError> + Send + 'static,
    ) -> Result<(), LedgerError> {
        let (answer, reply) = mpsc::sync_channel(1);
        self.send(Box::new(move |conn, failed| {
            *failed = None;
            let _ = answer.send(rollback(conn));
        }))?;
        reply.recv().map_err(|_| self.gone())?
    }

    /// Queues `commit` behind the writes of its transaction and answers on the receiver once it
    /// is durable; if one of those writes failed, the answer is a copy of that failure, which
    /// stays for the next call that waits.
    pub(crate) fn commit_later(
        &self,
        commit: impl FnOnce(&mut C) -> Result<(), LedgerError> + Send + 'static,
    ) -> Result<Committed, LedgerError> {
        let (answer, reply) = mpsc::sync_channel(1);
        self.send(Box::new(move |conn, failed| {
            let result = match failed {
                Some(e) => Err(LedgerError::Stopped(e.to_string())),
                None => commit(conn).map_err(|e| {
                    let copy = LedgerError::Stopped(e.to_string());
                    *failed = Some(e);
                    copy
                }),
            };
            let _ = answer.send(result);
        }))?;
        Ok(reply)
    }

    fn send(&self, job: Job<C>) -> Result<(), LedgerError> {
        match &self.jobs {
            Some(jobs) => jobs.send(job).map_err(|_| self.gone()),
            None => Err(self.gone()),
        }
    }

    pub(crate) fn gone(&self) -> LedgerError {
        LedgerError::Stopped(format!("the connection's thread {} has stopped", self.name))
    }
}

/// The connection's thread finishes what it was given before the worker is gone.
impl<C> Drop for Worker<C> {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
