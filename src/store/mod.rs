//! All SQL lives here (lldap's rule): portable queries over one `AnyPool`, written once for
//! SQLite and PostgreSQL. Every function that touches tenant data takes the org first.

mod audit;
mod auth_codes;
mod cert_warnings;
mod client_auth;
mod client_view;
mod clients;
mod credentials;
mod dir_list;
mod dir_query;
mod dir_roles;
mod dir_tx;
mod directory;
mod events;
mod inline_reads;
mod metadata_refresh;
mod migrations;
mod oidc_flows;
mod orgs;
mod pools;
mod rate_limit;
mod reset_tokens;
mod saml;
mod scim_log;
mod scim_read;
mod sessions;
mod setup_links;
mod sign_in;
mod signing_keys;
mod sp_keys;
mod sso_configs;
mod sso_drafts;
mod sso_users;
mod statement_budget;
mod user_create;
mod webhook_queue;
mod webhooks;
mod write_plan;
mod write_queue;

pub use audit::{AuditEvent, NewAuditEvent};
pub use auth_codes::{AuthCodeRecord, NewAuthCode};
pub use client_auth::ClientAuthRecord;
pub use client_view::ClientView;
pub use clients::{ClientPatch, ClientRecord, ClientSecretRecord, NewClient, NewClientSecret};
pub use credentials::{CredentialKind, CredentialRecord, NewCredential, PresentedCredential};
pub use dir_query::{filter_sql, Col, Cond, ElemCond, ListQuery, Op, SortKey, Table, Val};
pub use dir_tx::{DirTx, MemberAdd, NewMember};
pub use directory::{
    GroupRecord, GroupWrite, IndexValue, MemberRow, UserGroupRow, UserRecord, UserWrite,
};
pub use events::{types_match, EventRecord, NewEvent, Outbox};
pub use metadata_refresh::{FetchRecord, MetadataRefreshRecord};
pub use oidc_flows::{NewOidcFlow, OidcFlowRecord};
pub use orgs::{LicenseRecord, OrgPatch, OrgRecord};
pub use saml::{AuditFilter, FlowPurpose, NewSamlFlow, SamlFlow};
pub use scim_log::{ScimLogRecord, ScimRequestRow};
pub use scim_read::TokenCheck;
pub use sessions::{NewSession, SessionListing, SessionRecord, UserSessionGroups};
pub use setup_links::{NewSetupLink, SetupLinkRecord};
pub use sign_in::{ReplayEntry, SignInCommit, SignInWrites};
pub use signing_keys::{NewSigningKey, SigningKeyRecord};
pub use sp_keys::{KeyUse, NewSpKey, SpKeyRecord};
pub use sso_configs::SsoConfigRecord;
pub use sso_drafts::SsoDraftRecord;
pub use sso_users::{NewJitUser, SsoUserRecord};
pub use webhook_queue::{AttemptOutcome, ClaimedDelivery, DeliveryRecord, FinishedAttempt};
pub use webhooks::{EndpointPatch, EndpointRecord};
pub use write_queue::WriteQueueStats;

use std::sync::Arc;

use sqlx::AnyPool;

use crate::config::Settings;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached: callers answer 503 and retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness or foreign-key rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug or corrupt data; answered 500 without detail.
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An insert that a unique index may refuse because another replica got there first: true
/// when this one inserted, false on that conflict, an error otherwise.
pub(crate) fn inserted_unless_conflict<T>(done: Result<T, sqlx::Error>) -> StoreResult<bool> {
    match done {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from(e) {
            StoreError::Conflict(_) => Ok(false),
            other => Err(other),
        },
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &err {
            E::PoolTimedOut
            | E::PoolClosed
            | E::Io(_)
            | E::Tls(_)
            | E::WorkerCrashed
            | E::Protocol(_) => Self::Unavailable(err.to_string()),
            E::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                Self::Conflict(db.message().to_owned())
            }
            // SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention) and
            // 55000 (database does not allow connections) mean "down", not "bug".
            E::Database(db) if db.code().is_some_and(|c| is_unavailable_sqlstate(&c)) => {
                Self::Unavailable(db.message().to_owned())
            }
            // A statement over its time budget ends for this request alone (statement_budget.rs).
            E::Database(db) if statement_budget::is_sqlite_interrupt(db.code().as_deref()) => {
                Self::Unavailable("the statement ran past its time budget".into())
            }
            E::Database(db) if db.message().contains("database is locked") => {
                Self::Unavailable(db.message().to_owned())
            }
            _ => Self::Other(err.to_string()),
        }
    }
}

fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57")
        || code == "55000"
        || code == "3D000"
}

#[derive(Clone, Debug)]
pub struct Store {
    /// Reads (on SQLite these connections cannot write; pools.rs).
    pool: AnyPool,
    /// Writes and transactions: on SQLite one connection, on PostgreSQL the same pool.
    writer: AnyPool,
    /// SQLite file databases only: hot reads run inline on the request thread.
    inline: Option<Arc<inline_reads::InlineReader>>,
    /// SQLite file databases only: the writer thread that commits write plans.
    write_queue: Option<Arc<write_queue::WriteQueue>>,
    backend: Backend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err("DATABASE_URL must start with sqlite:, postgres:// or postgresql://".into())
        }
    }
}

impl Store {
    /// Opens the pool lazily: the service starts (and answers /health) while the database
    /// is down, and reconnects by itself when it is back.
    pub fn connect_lazy(settings: &Settings) -> Result<Self, String> {
        let backend = Backend::of_url(&settings.database_url)?;
        sqlx::any::install_default_drivers();
        let (url, inline, file) = match backend {
            Backend::Sqlite => {
                let url = prepare_sqlite_url(&settings.database_url)?;
                let (path, query) = sqlite_path_and_query(&settings.database_url);
                let inline = settings
                    .sqlite_inline_reads
                    .then(|| inline_reads::InlineReader::for_file(path, query))
                    .flatten()
                    .map(Arc::new);
                let file =
                    inline_reads::is_file(path, query).then(|| std::path::PathBuf::from(path));
                (url, inline, file)
            }
            Backend::Postgres => (settings.database_url.clone(), None, None),
        };
        let pools = pools::open(settings, backend, &url)?;
        let write_queue = file
            .filter(|_| settings.sqlite_group_commit)
            .and_then(|path| write_queue::WriteQueue::start(path, pools.writer.clone()))
            .map(Arc::new);
        Ok(Self {
            pool: pools.reader,
            writer: pools.writer,
            inline,
            write_queue,
            backend,
        })
    }

    /// Applies the migrations of this backend (at start, and by `axid migrate`).
    /// Migrations run without a statement budget (statement_budget.rs says why).
    pub async fn migrate(&self, backend: Backend) -> Result<(), String> {
        let failed = |e: sqlx::Error| format!("migration failed: {e}");
        let mut conn = self.writer.acquire().await.map_err(failed)?;
        if backend == Backend::Postgres {
            sqlx::query(statement_budget::postgres_statement(0))
                .execute(&mut *conn)
                .await
                .map_err(failed)?;
        }
        let run =
            statement_budget::without_sqlite_budget(migrations::migrator(backend).run(&mut *conn))
                .await
                .map_err(|e| format!("migration failed: {e}"));
        // The connection goes back to the pool with no budget: close it instead.
        conn.detach();
        run
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// True once `close` ran (the server stopped): background jobs end then.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool every write and transaction goes through (pools.rs).
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A write transaction. On SQLite it takes the write lock at BEGIN (IMMEDIATE): a
    /// deferred transaction that reads first and writes second cannot wait for another
    /// process's write (SQLITE_BUSY at once, not after busy_timeout), which replicas
    /// sharing one SQLite file would hit.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    /// The SQLite writer thread, if this store has one (see write_queue.rs).
    fn write_queue(&self) -> Option<&write_queue::WriteQueue> {
        self.write_queue.as_deref()
    }

    /// Batches and plans the SQLite writer thread committed (None without one).
    pub fn write_queue_stats(&self) -> Option<&WriteQueueStats> {
        self.write_queue().map(write_queue::WriteQueue::stats)
    }

    /// The inline SQLite reader, if this store has one (see inline_reads.rs).
    fn inline(&self) -> Option<&inline_reads::InlineReader> {
        self.inline.as_deref()
    }
}

/// The file path and the query string of a `sqlite:` URL.
fn sqlite_path_and_query(url: &str) -> (&str, &str) {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    rest.split_once('?').unwrap_or((rest, ""))
}

/// `sqlite://path` with the parent folder created and `mode=rwc`, so the first run makes the file.
fn prepare_sqlite_url(url: &str) -> Result<String, String> {
    let (path, query) = sqlite_path_and_query(url);
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".into()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Helper for optional JSON columns stored as TEXT.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
