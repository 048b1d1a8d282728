//! A write plan: the statements of one transaction written down before it starts, with
//! their bound values, so that the transaction needs no round trip back to the request.
//! On PostgreSQL (and an in-memory SQLite) a plan runs as a sqlx transaction; on a SQLite
//! file it goes to the writer thread (write_queue.rs), which commits many plans at once.
//! The SQL text and the values are the same on both paths: the plan is written once.

use std::borrow::Cow;

use sqlx::{AnyConnection, AssertSqlSafe};

use super::dir_query::{bind_all, Bind};
use super::{Store, StoreResult};

/// One statement of a plan.
#[derive(Debug)]
pub(super) struct Stmt {
    pub sql: Cow<'static, str>,
    pub binds: Vec<Bind>,
    /// When true and the statement changes no row, the plan stops there and nothing of it
    /// is kept (an `INSERT ... ON CONFLICT DO NOTHING` that found the row: a replay).
    pub stop_unless_changed: bool,
}

impl Stmt {
    pub fn new(sql: impl Into<Cow<'static, str>>, binds: Vec<Bind>) -> Self {
        Self {
            sql: sql.into(),
            binds,
            stop_unless_changed: false,
        }
    }

    /// This statement must change a row, or the whole plan is rolled back.
    pub fn must_change(mut self) -> Self {
        self.stop_unless_changed = true;
        self
    }
}

/// The statements of one transaction, in order.
#[derive(Debug, Default)]
pub(super) struct WritePlan(pub Vec<Stmt>);

impl WritePlan {
    pub fn push(&mut self, stmt: Stmt) {
        self.0.push(stmt);
    }
}

/// How a plan ended; an error (a unique index refusing a row) is a `StoreError` instead.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum PlanOutcome {
    /// Every statement ran and the transaction committed.
    Applied,
    /// The statement at this index changed no row: nothing of the plan was kept.
    Stopped(usize),
}

/// Runs a plan's statements on a connection inside a transaction the caller owns; on
/// `Stopped` or an error the caller rolls back.
pub(super) async fn run_on(conn: &mut AnyConnection, plan: WritePlan) -> StoreResult<PlanOutcome> {
    for (index, stmt) in plan.0.into_iter().enumerate() {
        let must_change = stmt.stop_unless_changed;
        let query = bind_all!(
            sqlx::query(AssertSqlSafe(stmt.sql.into_owned())),
            stmt.binds
        );
        let done = query.execute(&mut *conn).await?;
        if must_change && done.rows_affected() == 0 {
            return Ok(PlanOutcome::Stopped(index));
        }
    }
    Ok(PlanOutcome::Applied)
}

/// Runs one statement on a connection (the sqlx functions that share a plan's statement).
pub(super) async fn run_stmt(conn: &mut AnyConnection, stmt: Stmt) -> StoreResult<u64> {
    let query = bind_all!(
        sqlx::query(AssertSqlSafe(stmt.sql.into_owned())),
        stmt.binds
    );
    Ok(query.execute(&mut *conn).await?.rows_affected())
}

impl Store {
    /// Commits `plan` as one transaction: through the SQLite writer thread when this store
    /// has one, else as a sqlx transaction on the writer pool. Returns once committed (or
    /// rolled back, for `Stopped` and errors).
    pub(super) async fn apply(&self, plan: WritePlan) -> StoreResult<PlanOutcome> {
        if let Some(queue) = self.write_queue() {
            return queue.apply(plan).await;
        }
        let mut tx = self.begin_write().await?;
        match run_on(&mut tx, plan).await {
            Ok(PlanOutcome::Applied) => {
                tx.commit().await?;
                Ok(PlanOutcome::Applied)
            }
            Ok(stopped) => {
                tx.rollback().await?;
                Ok(stopped)
            }
            // Dropping the transaction rolls it back.
            Err(e) => Err(e),
        }
    }
}
