//! The SQLite writer thread: write plans (write_plan.rs) queue here and one thread commits
//! them, many per transaction (group commit). Through sqlx a sign-in's transaction held
//! the one writer connection across six round trips, each a hop to sqlx's worker thread
//! and a wait for the request's task to be polled again on a busy worker, so the writes of
//! all requests queued behind that idle time (issue 16: 746–964 sign-ins/s, every one
//! waiting on the writer). Here a plan's statements run back to back on this thread, and
//! the plans waiting when a batch starts share its BEGIN and COMMIT.
//!
//! Each plan runs inside a SAVEPOINT of the batch: a plan that fails (a unique index) or
//! stops (a replay) is rolled back alone and the others are kept. Every plan of a batch is
//! answered after the COMMIT, so an answer means committed, as before.
//!
//! The batch holds the sqlx writer pool's one connection while it runs: that pool stays
//! the single gate of every SQLite write, so this thread and the interactive sqlx
//! transactions never wait on each other's file lock; they take turns in one queue.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::inline_reads::bind_numbered;
use super::write_plan::{PlanOutcome, WritePlan};
use super::{StoreError, StoreResult};

/// Plans committed together at most; a batch of this many sign-ins is well under 10 ms.
const MAX_BATCH: usize = 128;
/// Plans that may wait; past this a writer waits to queue (backpressure, not memory).
const QUEUE_DEPTH: usize = 4096;
/// Distinct statements kept prepared (plans are of a few shapes).
const STATEMENT_CACHE: usize = 64;

struct Job {
    plan: WritePlan,
    reply: oneshot::Sender<StoreResult<PlanOutcome>>,
}

/// Batches and plans committed so far, for /metrics.
#[derive(Debug, Default)]
pub struct WriteQueueStats {
    pub batches: AtomicU64,
    pub plans: AtomicU64,
}

pub(super) struct WriteQueue {
    jobs: mpsc::Sender<Job>,
    stats: Arc<WriteQueueStats>,
}

impl std::fmt::Debug for WriteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteQueue").finish_non_exhaustive()
    }
}

impl WriteQueue {
    /// Starts the thread for the SQLite file at `path`; `gate` is the writer pool. The
    /// thread ends when the store (every sender) is dropped. None outside a Tokio runtime
    /// (the pool's connection is returned by a task of the runtime the store was made in).
    pub(super) fn start(path: PathBuf, gate: AnyPool) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        let stats = Arc::new(WriteQueueStats::default());
        let counted = stats.clone();
        let started = std::thread::Builder::new()
            .name("axid-sqlite-writer".into())
            .spawn(move || Writer::new(path, gate, counted).run(queue, &runtime));
        if let Err(e) = started {
            tracing::warn!(error = %e, "no SQLite writer thread; writes go through the pool");
            return None;
        }
        Some(Self { jobs, stats })
    }

    pub(super) fn stats(&self) -> &WriteQueueStats {
        &self.stats
    }

    pub(super) async fn apply(&self, plan: WritePlan) -> StoreResult<PlanOutcome> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Unavailable("the SQLite writer stopped".into());
        self.jobs
            .send(Job { plan, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

struct Writer {
    path: PathBuf,
    gate: AnyPool,
    conn: Option<Connection>,
    stats: Arc<WriteQueueStats>,
}

impl Writer {
    fn new(path: PathBuf, gate: AnyPool, stats: Arc<WriteQueueStats>) -> Self {
        Self {
            path,
            gate,
            conn: None,
            stats,
        }
    }

    fn run(mut self, mut queue: mpsc::Receiver<Job>, runtime: &tokio::runtime::Handle) {
        // Dropping a pool connection spawns the task that returns it to the pool.
        let _context = runtime.enter();
        while let Some(first) = queue.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let (plans, replies): (Vec<WritePlan>, Vec<_>) =
                batch.into_iter().map(|j| (j.plan, j.reply)).unzip();
            let answers = match runtime.block_on(self.gate.acquire()) {
                // The turn of the one writer connection: no other write runs meanwhile.
                Ok(_turn) => self.commit(plans),
                Err(e) => plans.iter().map(|_| Err(unavailable(&e))).collect(),
            };
            self.stats.batches.fetch_add(1, Ordering::Relaxed);
            let n = replies.len() as u64;
            self.stats.plans.fetch_add(n, Ordering::Relaxed);
            for (reply, answer) in replies.into_iter().zip(answers) {
                // A request that gave up waiting dropped its receiver: nothing to tell.
                let _ = reply.send(answer);
            }
        }
    }

    /// One transaction for `plans`; the answers in the same order.
    fn commit(&mut self, plans: Vec<WritePlan>) -> Vec<StoreResult<PlanOutcome>> {
        let n = plans.len();
        let conn = match self.connection() {
            Ok(conn) => conn,
            Err(e) => return (0..n).map(|_| Err(store_error(&e))).collect(),
        };
        match run_batch(conn, plans) {
            Ok(answers) => answers,
            Err(e) => {
                // The batch failed as a whole (BEGIN, COMMIT or a savepoint): nothing of it
                // is kept, and the connection is opened afresh for the next batch.
                let _ = conn.execute_batch("ROLLBACK");
                self.conn = None;
                (0..n).map(|_| Err(store_error(&e))).collect()
            }
        }
    }

    fn connection(&mut self) -> rusqlite::Result<&Connection> {
        match &mut self.conn {
            Some(conn) => Ok(conn),
            none => Ok(none.insert(open(&self.path)?)),
        }
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    // The pool created the file and the migrations its tables; this thread only writes.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // The pool's connections' settings (pools.rs), so a write means the same on both paths.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA busy_timeout = 5000;",
    )?;
    Ok(conn)
}

fn run_batch(
    conn: &Connection,
    plans: Vec<WritePlan>,
) -> rusqlite::Result<Vec<StoreResult<PlanOutcome>>> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let mut answers = Vec::with_capacity(plans.len());
    for plan in plans {
        conn.prepare_cached("SAVEPOINT plan")?.execute([])?;
        let answer = run_plan(conn, &plan);
        if !matches!(answer, Ok(PlanOutcome::Applied)) {
            conn.prepare_cached("ROLLBACK TO plan")?.execute([])?;
        }
        conn.prepare_cached("RELEASE plan")?.execute([])?;
        answers.push(answer.map_err(|e| store_error(&e)));
    }
    conn.prepare_cached("COMMIT")?.execute([])?;
    Ok(answers)
}

fn run_plan(conn: &Connection, plan: &WritePlan) -> rusqlite::Result<PlanOutcome> {
    for (index, stmt) in plan.0.iter().enumerate() {
        let mut prepared = conn.prepare_cached(&stmt.sql)?;
        bind_numbered(&mut prepared, &stmt.binds)?;
        let changed = prepared.raw_execute()?;
        if stmt.stop_unless_changed && changed == 0 {
            return Ok(PlanOutcome::Stopped(index));
        }
    }
    Ok(PlanOutcome::Applied)
}

fn unavailable(e: &sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The sqlx path's classification (store/mod.rs) for rusqlite's errors.
fn store_error(e: &rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    let rusqlite::Error::SqliteFailure(failure, _) = e else {
        return StoreError::Other(e.to_string());
    };
    match failure.code {
        C::ConstraintViolation
            if matches!(
                failure.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    | rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            ) =>
        {
            StoreError::Conflict(e.to_string())
        }
        C::DatabaseBusy
        | C::DatabaseLocked
        | C::CannotOpen
        | C::SystemIoFailure
        | C::DiskFull
        | C::OutOfMemory => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Other(e.to_string()),
    }
}

#[cfg(test)]
#[path = "write_queue_tests.rs"]
mod tests;
