//! The migration history: one folder of portable DDL (`migrations/`), and a per-backend file
//! (`migrations/sqlite/`, `migrations/postgres/`) only where a statement must differ; such a
//! file replaces the portable one of the same version on its backend.
//!
//! A migration's checksum is that of its SQL text and its description comes from the file
//! name, so databases created when the history was kept twice (byte-identical copies per
//! backend) migrate on without a manual step.

use std::collections::BTreeMap;

use sqlx::migrate::Migrator;

use super::Backend;

/// The migrations this backend runs, in version order.
pub fn migrator(backend: Backend) -> Migrator {
    let portable = sqlx::migrate!("./migrations");
    let specific = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    let mut by_version: BTreeMap<i64, _> =
        portable.iter().map(|m| (m.version, m.clone())).collect();
    for m in specific.iter() {
        by_version.insert(m.version, m.clone());
    }
    Migrator::with_migrations(by_version.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_run_the_same_portable_history_today() {
        let versions = |b| migrator(b).iter().map(|m| m.version).collect::<Vec<_>>();
        assert_eq!(versions(Backend::Sqlite), versions(Backend::Postgres));
        assert_eq!(versions(Backend::Sqlite)[..5], [1, 2, 3, 4, 5]);
    }
}
