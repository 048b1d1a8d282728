//! SQLite reads run inline, on the request's own thread, through a few read-only rusqlite
//! connections. The hot reads (SCIM's token check, a user or group by id, pages, counts,
//! group members; the portal session, a client's credentials and an access token's
//! client, asked by every session check and `/auth/verify`) are index lookups of tens of microseconds; through sqlx each one is handed to the
//! connection's worker thread and back, and those two thread switches cost more than the
//! query (bench/scim/README.md has the profile and the figures). The SQL is the same text
//! the pool runs, so the two paths cannot drift.
//!
//! An inline read never waits and never runs long: a busy database, a missing file, or a
//! query still running after `BUDGET` gives `None`, and the caller runs the same query on
//! the pool, off this thread. So a scan (a `co` filter over a
//! large organization) does not hold up the other requests this thread serves.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, Row};

use super::dir_query::Bind;
use super::directory::{GroupRecord, UserRecord};

/// How long a read may run inline before it is interrupted and handed to the pool.
const BUDGET: Duration = Duration::from_millis(2);
/// VM instructions between two looks at the clock (a few microseconds of work).
const PROGRESS_STEPS: i32 = 2_000;
/// Idle connections kept; one per request thread is enough, a few more cover bursts.
const MAX_IDLE: usize = 8;
/// Distinct statements kept prepared per connection (filters differ in shape).
const STATEMENT_CACHE: usize = 64;
/// Same as the pool's connections (store/mod.rs): map the file instead of read(2).
const MMAP_BYTES: i64 = 268_435_456;

/// Read-only connections to one SQLite file, lent to one read at a time.
pub(super) struct InlineReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for InlineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl InlineReader {
    /// A reader for a file database (`path` and `query` of its URL); None for an in-memory
    /// one, whose tables another connection could not see.
    pub(super) fn for_file(path: &str, query: &str) -> Option<Self> {
        if !is_file(path, query) {
            return None;
        }
        Some(Self {
            path: PathBuf::from(path),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The rows of `sql` with `$n` bound to `binds[n-1]`, each mapped by `map`; None when
    /// the read could not be done inline (see the module comment).
    pub(super) fn rows<T>(
        &self,
        sql: &str,
        binds: &[Bind],
        mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Vec<T>> {
        let conn = self.take()?;
        let result = run(&conn, sql, binds, &mut map);
        match result {
            Ok(rows) => {
                self.give_back(conn);
                Some(rows)
            }
            Err(e) => {
                // A column of another type or a missing parameter is a mapping bug, not a
                // condition of the database: tests fail on it; a release falls back.
                debug_assert!(!is_mapping_bug(&e), "inline SQLite read: {e} in {sql}");
                tracing::debug!(error = %e, "inline SQLite read handed to the pool");
                // A connection whose read failed for an unexpected reason is not reused.
                if is_expected(&e) {
                    self.give_back(conn);
                }
                None
            }
        }
    }

    fn take(&self) -> Option<Connection> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(conn) => Some(conn),
            None => open(&self.path)
                .map_err(|e| tracing::debug!(error = %e, "inline SQLite reader not opened"))
                .ok(),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}

/// A `sqlite:` URL's path and query name a file, which other connections can open too (an
/// in-memory database is the pool's alone).
pub(super) fn is_file(path: &str, query: &str) -> bool {
    !(path.is_empty() || path == ":memory:" || query.contains("mode=memory"))
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // The query planner stability guarantee: a plan never depends on a bound value. Without
    // it SQLite marks a statement whose plan looked at a parameter (`LIMIT $3` does) and
    // compiles it again each time that parameter is bound, which is every time: a full
    // parse and plan per request (counted with sqlite3_stmt_status REPREPARE).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // busy_timeout stays 0: a busy database is the pool's to wait for, not this thread's.
    conn.pragma_update(None, "query_only", 1)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
}

/// Busy, interrupted (over budget) and a mapping bug leave the connection sound.
fn is_expected(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode as C;
    match e {
        rusqlite::Error::SqliteFailure(f, _) => matches!(
            f.code,
            C::DatabaseBusy | C::DatabaseLocked | C::OperationInterrupted
        ),
        _ => is_mapping_bug(e),
    }
}

fn is_mapping_bug(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::InvalidColumnIndex(_)
            | rusqlite::Error::InvalidColumnName(_)
            | rusqlite::Error::InvalidParameterCount(..)
    )
}

fn run<T>(
    conn: &Connection,
    sql: &str,
    binds: &[Bind],
    map: &mut impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let deadline = Instant::now() + BUDGET;
    conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() > deadline))?;
    let mut stmt = conn.prepare_cached(sql)?;
    bind_numbered(&mut stmt, binds)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// Binds `$n` to `binds[n-1]` wherever `$n` stands in the text: the pool's SQL, unchanged
/// (the writer thread, write_queue.rs, binds the same way).
pub(super) fn bind_numbered(
    stmt: &mut rusqlite::Statement<'_>,
    binds: &[Bind],
) -> rusqlite::Result<()> {
    for index in 1..=stmt.parameter_count() {
        let value = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| binds.get(n.checked_sub(1)?))
            .map(sql_value)
            .ok_or(rusqlite::Error::InvalidParameterCount(index, binds.len()))?;
        stmt.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

fn sql_value(bind: &Bind) -> SqlValue {
    match bind {
        Bind::Text(t) => SqlValue::Text(t.clone()),
        // SQLite has no boolean type: sqlx binds a bool as the integer 0 or 1 too.
        Bind::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Bind::Int(i) => SqlValue::Integer(*i),
        Bind::Null => SqlValue::Null,
    }
}

/// A record read by position from the row's columns `first..`.
pub(super) trait FromInline: Sized {
    fn from_inline(row: &Row<'_>, first: usize) -> rusqlite::Result<Self>;
}

/// USER_COLUMNS' order (store/directory.rs). By position: looking eleven names up costs
/// more than the read.
impl FromInline for UserRecord {
    fn from_inline(row: &Row<'_>, first: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(first)?,
            user_name: row.get(first + 1)?,
            external_id: row.get(first + 2)?,
            display_name: row.get(first + 3)?,
            email_lc: row.get(first + 4)?,
            active_flag: row.get(first + 5)?,
            source: row.get(first + 6)?,
            resource: row.get(first + 7)?,
            version: row.get(first + 8)?,
            created_at: row.get(first + 9)?,
            updated_at: row.get(first + 10)?,
        })
    }
}

/// GROUP_COLUMNS' order (store/directory.rs).
impl FromInline for GroupRecord {
    fn from_inline(row: &Row<'_>, first: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(first)?,
            display_name: row.get(first + 1)?,
            external_id: row.get(first + 2)?,
            resource: row.get(first + 3)?,
            version: row.get(first + 4)?,
            created_at: row.get(first + 5)?,
            updated_at: row.get(first + 6)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader_with_table() -> (tempfile_dir::Dir, InlineReader) {
        let dir = tempfile_dir::Dir::new();
        let path = dir.0.join("t.db");
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t (id TEXT, n BIGINT); \
             INSERT INTO t VALUES ('a', 1), ('b', 2);",
        )
        .expect("seed");
        let reader = InlineReader::for_file(path.to_str().expect("utf-8 path"), "").expect("file");
        (dir, reader)
    }

    /// A throwaway folder removed on drop (no tempfile dependency for one test module).
    mod tempfile_dir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let p = std::env::temp_dir().join(format!("axid-inline-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&p).expect("temp dir");
                Self(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn dollar_parameters_bind_by_number_whatever_their_order_in_the_text() {
        let (_dir, reader) = reader_with_table();
        let rows = reader.rows(
            "SELECT id FROM t WHERE n = $2 OR id = $1 ORDER BY id",
            &[Bind::Text("a".into()), Bind::Int(2)],
            |r| r.get::<_, String>(0),
        );
        assert_eq!(rows, Some(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn a_read_over_budget_is_interrupted_and_left_to_the_pool() {
        let (_dir, reader) = reader_with_table();
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                       SELECT COUNT(*) FROM c";
        assert_eq!(reader.rows(endless, &[], |r| r.get::<_, i64>(0)), None);
        // The connection is still good for the next read.
        let next = reader.rows("SELECT COUNT(*) FROM t", &[], |r| r.get::<_, i64>(0));
        assert_eq!(next, Some(vec![2]));
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn a_value_of_another_type_is_left_to_the_pool_not_guessed() {
        let (_dir, reader) = reader_with_table();
        assert_eq!(
            reader.rows("SELECT n FROM t", &[], |r| r.get::<_, String>(0)),
            None
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "inline SQLite read")]
    fn a_mapping_bug_fails_the_tests_instead_of_falling_back_quietly() {
        let (_dir, reader) = reader_with_table();
        let _ = reader.rows("SELECT n FROM t", &[], |r| r.get::<_, String>(0));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "inline SQLite read")]
    fn a_missing_parameter_is_refused_not_bound_as_null() {
        let (_dir, reader) = reader_with_table();
        let _ = reader.rows(
            "SELECT id FROM t WHERE id = $2",
            &[Bind::Text("a".into())],
            |r| r.get::<_, String>(0),
        );
    }

    #[test]
    fn the_connections_cannot_write() {
        let (_dir, reader) = reader_with_table();
        assert_eq!(
            reader.rows("DELETE FROM t RETURNING id", &[], |r| r.get::<_, String>(0)),
            None
        );
    }

    #[test]
    fn an_in_memory_database_has_no_inline_reader() {
        assert!(InlineReader::for_file(":memory:", "").is_none());
        assert!(InlineReader::for_file("", "").is_none());
        assert!(InlineReader::for_file("shared", "mode=memory&cache=shared").is_none());
    }
}
