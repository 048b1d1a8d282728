//! The connection pools of a store. SQLite allows one writer at a time: with writers spread
//! over a pool of ten connections they queued on SQLite's file lock, polling it through
//! `busy_timeout` (issue 16 measured p99 430 ms for SCIM creates at concurrency 16). So on
//! SQLite every write goes through one writer connection, whose pool is a fair FIFO queue,
//! and reads keep connections of their own that cannot write (`PRAGMA query_only`): a read
//! never waits for a write, and a write's latency is its own work plus the queue ahead of
//! it. PostgreSQL has row locks and MVCC: one pool serves both.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

use super::{statement_budget, Backend};
use crate::config::Settings;

/// The writer's queue is bounded by the acquire timeout like any pool; one connection.
const SQLITE_WRITERS: u32 = 1;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Reader,
    Writer,
}

pub(super) struct Pools {
    pub reader: AnyPool,
    pub writer: AnyPool,
}

/// Opens the pools lazily (the service starts while the database is down).
pub(super) fn open(settings: &Settings, backend: Backend, url: &str) -> Result<Pools, String> {
    // sqlx's own slow-statement warning prints the whole SQL text (kilobytes for a
    // batch insert) on every slow call; the statement budget's error and the request's
    // status and duration are what an operator acts on, so it is off.
    let options = AnyConnectOptions::from_str(url)
        .map_err(|e| format!("DATABASE_URL: {e}"))?
        .disable_statement_logging();
    let budget_ms = settings.database_statement_timeout_ms;
    if backend == Backend::Sqlite {
        statement_budget::install_sqlite(budget_ms);
    }
    let build = |role: Role, max: u32| {
        AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(settings.database_acquire_timeout_secs))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => sqlite_setup(conn, role).await,
                        Backend::Postgres => {
                            sqlx::query(statement_budget::postgres_statement(budget_ms))
                                .execute(&mut *conn)
                                .await
                                .map(|_| ())
                        }
                    }
                })
            })
            .connect_lazy_with(options.clone())
    };
    let reader = build(Role::Reader, settings.database_max_connections);
    let writer = match backend {
        Backend::Sqlite => build(Role::Writer, SQLITE_WRITERS),
        Backend::Postgres => reader.clone(),
    };
    Ok(Pools { reader, writer })
}

async fn sqlite_setup(conn: &mut sqlx::AnyConnection, role: Role) -> Result<(), sqlx::Error> {
    let pragmas = [
        // WAL lets readers run beside the one writer; NORMAL sync is durable in WAL.
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        // Statement journals (a multi-row INSERT under a foreign key keeps one) stay in
        // memory instead of a temporary file written per batch.
        "PRAGMA temp_store = MEMORY",
        // Another process (`axid` CLI commands) may hold the write lock for a moment.
        "PRAGMA busy_timeout = 5000",
        // Reads map the file instead of copying pages with read(2): every write (the SCIM
        // log's included) empties the readers' page caches.
        "PRAGMA mmap_size = 268435456",
    ];
    for pragma in pragmas {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    if role == Role::Reader {
        // Last: journal_mode above may have to write the header. A write sent to a reader
        // by mistake fails here at once instead of queueing on the file lock.
        sqlx::query("PRAGMA query_only = ON")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::{Backend, Store};
    use crate::config::Settings;

    /// A write sent to a reader connection by mistake must fail, not queue on the file lock
    /// beside the writer: this is what keeps reads and writes apart on SQLite.
    #[tokio::test]
    async fn sqlite_readers_refuse_writes_and_the_writer_takes_them() {
        let dir = std::env::temp_dir().join(format!("axid-pools-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/pools.db", dir.display());
        let vars = HashMap::from([("DATABASE_URL".to_owned(), url)]);
        let settings = Settings::from_map(&vars).expect("settings");
        let store = Store::connect_lazy(&settings).expect("store");
        store.migrate(Backend::Sqlite).await.expect("migrated");
        let insert =
            "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ('t', 0, 1)";
        let refused = sqlx::query(insert)
            .execute(store.pool())
            .await
            .expect_err("a reader wrote");
        assert!(refused.to_string().contains("readonly"), "{refused}");
        sqlx::query(insert)
            .execute(store.writer())
            .await
            .expect("the writer writes");
        let hits: i64 =
            sqlx::query_scalar("SELECT hits FROM rate_limit_windows WHERE bucket = 't'")
                .fetch_one(store.pool())
                .await
                .expect("a reader reads the write");
        assert_eq!(hits, 1);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
