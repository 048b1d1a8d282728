//! Every database statement has a time budget (DATABASE_STATEMENT_TIMEOUT_MS), so that no
//! request of one tenant can hold a connection, and with it the other tenants' requests, for
//! longer than that (issue 10, item 1). A statement over budget ends with an error the
//! surfaces answer as 503 for that request alone.
//!
//! - PostgreSQL: `SET statement_timeout` on every connection of the pool (SQLSTATE 57014
//!   when it fires, class 57: "unavailable" in `StoreError`).
//! - SQLite has no such setting. sqlx's Any driver gives no access to the raw connection, so
//!   the budget is installed on every connection the process opens through SQLite's
//!   auto-extension hook (<https://sqlite.org/c3ref/auto_extension.html>): a trace callback
//!   notes when each statement begins (`SQLITE_TRACE_STMT`) and a progress handler, called
//!   every few thousand VM instructions, interrupts the statement once it has run longer
//!   than the budget (`SQLITE_INTERRUPT`, "interrupted").
//!
//! Migrations run without a budget: they run before the service answers, and an index built
//! over a large table may take longer than any request should.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Instant;

use rusqlite::ffi;

/// The SQLite budget in milliseconds (0: none). One value per process: every store of the
/// process is built from the same settings.
static SQLITE_BUDGET_MS: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();
/// VM instructions between two looks at the clock (a few microseconds of work).
const PROGRESS_STEPS: c_int = 4_000;

/// Installs the SQLite hook (once per process) and sets the budget of every statement.
pub fn install_sqlite(budget_ms: u64) {
    SQLITE_BUDGET_MS.store(budget_ms, Ordering::Relaxed);
    INSTALL.call_once(|| {
        // SAFETY: the entry point opens no database, closes none and never touches the
        // extension list (rusqlite::auto_extension's three rules).
        let registered = unsafe { rusqlite::auto_extension::register_auto_extension(entry_point) };
        if let Err(err) = registered {
            tracing::warn!(%err, "SQLite statement budget not installed");
        }
    });
}

/// Runs `work` with the SQLite budget lifted (migrations), and puts it back after.
pub async fn without_sqlite_budget<T, F: std::future::Future<Output = T>>(work: F) -> T {
    let saved = SQLITE_BUDGET_MS.swap(0, Ordering::Relaxed);
    let out = work.await;
    SQLITE_BUDGET_MS.store(saved, Ordering::Relaxed);
    out
}

/// The PostgreSQL statement that sets a connection's budget (0 lifts it). SET takes no
/// bind parameters; the value is a number formatted here, so the text is safe.
pub fn postgres_statement(budget_ms: u64) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("SET statement_timeout = {budget_ms}"))
}

/// Whether an SQLite error is this module's interrupt (result code SQLITE_INTERRUPT, 9).
pub fn is_sqlite_interrupt(code: Option<&str>) -> bool {
    code == Some("9")
}

/// When the connection's current statement began, in nanoseconds since `epoch()` (0: none).
struct ConnectionClock {
    started: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    u64::try_from(epoch().elapsed().as_nanos())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Called by SQLite for every connection it opens: gives the connection its clock, freed
/// when the connection closes (`SQLITE_TRACE_CLOSE`).
unsafe extern "C" fn entry_point(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    let clock = Box::into_raw(Box::new(ConnectionClock {
        started: AtomicU64::new(0),
    }))
    .cast::<c_void>();
    let mask = (ffi::SQLITE_TRACE_STMT | ffi::SQLITE_TRACE_CLOSE) as c_uint;
    ffi::sqlite3_trace_v2(db, mask, Some(on_trace), clock);
    ffi::sqlite3_progress_handler(db, PROGRESS_STEPS, Some(on_progress), clock);
    ffi::SQLITE_OK
}

unsafe extern "C" fn on_trace(
    event: c_uint,
    ctx: *mut c_void,
    _p: *mut c_void,
    x: *mut c_void,
) -> c_int {
    let clock = ctx.cast::<ConnectionClock>();
    if event == ffi::SQLITE_TRACE_CLOSE as c_uint {
        // SAFETY: `ctx` came from Box::into_raw in entry_point, and CLOSE comes once, last.
        drop(Box::from_raw(clock));
        return 0;
    }
    // A trigger's statements report themselves as "-- ..." comments: they belong to the
    // statement already running, whose clock keeps going.
    let text = x.cast::<c_char>();
    if !text.is_null() && *text == b'-' as c_char && *text.add(1) == b'-' as c_char {
        return 0;
    }
    (*clock).started.store(now_nanos(), Ordering::Relaxed);
    0
}

unsafe extern "C" fn on_progress(ctx: *mut c_void) -> c_int {
    let budget_ms = SQLITE_BUDGET_MS.load(Ordering::Relaxed);
    if budget_ms == 0 {
        return 0;
    }
    let started = (*ctx.cast::<ConnectionClock>())
        .started
        .load(Ordering::Relaxed);
    let over = started != 0 && now_nanos().saturating_sub(started) > budget_ms * 1_000_000;
    c_int::from(over)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT count(*) FROM n";

    #[test]
    fn a_statement_past_its_budget_is_interrupted_and_the_next_one_runs() {
        install_sqlite(50);
        // Every connection the process opens gets the budget, whichever library opens it.
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let started = Instant::now();
        let err = conn
            .query_row(ENDLESS, [], |r| r.get::<_, i64>(0))
            .expect_err("interrupted");
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
        assert!(
            started.elapsed().as_secs() < 10,
            "ended near its budget, not at its end"
        );
        let one: i64 = conn
            .query_row("SELECT 1", [], |r| r.get(0))
            .expect("next statement");
        assert_eq!(one, 1);
    }
}
