//! The writer thread keeps each plan's outcome its own inside a shared transaction, and
//! answers only once the batch is committed.

use std::collections::HashMap;

use super::super::dir_query::Bind;
use super::super::write_plan::{PlanOutcome, Stmt, WritePlan};
use super::super::{Backend, Store, StoreError};
use crate::config::Settings;

const INSERT: &str =
    "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ($1, 0, $2)";
const INSERT_ONCE: &str = "INSERT INTO rate_limit_windows (bucket, window_start, hits) \
                           VALUES ($1, 0, 1) ON CONFLICT (bucket, window_start) DO NOTHING";

async fn store(dir: &std::path::Path) -> Store {
    let url = format!("sqlite://{}/queue.db", dir.display());
    let vars = HashMap::from([("DATABASE_URL".to_owned(), url)]);
    let store = Store::connect_lazy(&Settings::from_map(&vars).expect("settings")).expect("store");
    store.migrate(Backend::Sqlite).await.expect("migrated");
    assert!(
        store.write_queue_stats().is_some(),
        "a SQLite file has a writer thread"
    );
    store
}

/// Two rows in bucket `b`, the second named `second` (a duplicate of the first fails it).
fn plan(b: &str, second: &str) -> WritePlan {
    WritePlan(vec![
        Stmt::new(INSERT, vec![Bind::from(b), Bind::Int(1)]),
        Stmt::new(INSERT, vec![Bind::from(second), Bind::Int(2)]),
    ])
}

async fn hits(store: &Store, bucket: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT hits FROM rate_limit_windows WHERE bucket = $1")
        .bind(bucket)
        .fetch_optional(store.pool())
        .await
        .expect("read")
}

#[tokio::test]
async fn each_plan_of_a_batch_keeps_its_own_outcome_and_is_committed_when_answered() {
    let dir = std::env::temp_dir().join(format!("axid-queue-{}", uuid::Uuid::new_v4()));
    let store = store(&dir).await;
    // Sent at once, so the thread finds most of them waiting and commits them together.
    let plans = (0..48).map(|i| {
        let store = store.clone();
        async move {
            let p = match i % 3 {
                0 => plan(&format!("ok{i}"), &format!("ok{i}-b")),
                // The second statement repeats the first row's key: this plan fails alone.
                1 => plan(&format!("dup{i}"), &format!("dup{i}")),
                _ => {
                    let mut p = plan(&format!("stop{i}"), &format!("stop{i}-b"));
                    p.push(
                        Stmt::new(INSERT_ONCE, vec![Bind::from(format!("stop{i}").as_str())])
                            .must_change(),
                    );
                    p
                }
            };
            (i, store.apply(p).await)
        }
    });
    for (i, answer) in futures_util::future::join_all(plans).await {
        match i % 3 {
            0 => {
                assert_eq!(answer.expect("applied"), PlanOutcome::Applied);
                // Answered means committed: another connection reads it at once.
                assert_eq!(hits(&store, &format!("ok{i}-b")).await, Some(2));
            }
            1 => {
                assert!(matches!(answer, Err(StoreError::Conflict(_))), "{answer:?}");
                assert_eq!(
                    hits(&store, &format!("dup{i}")).await,
                    None,
                    "rolled back alone"
                );
            }
            _ => {
                assert_eq!(answer.expect("stopped"), PlanOutcome::Stopped(2));
                assert_eq!(
                    hits(&store, &format!("stop{i}")).await,
                    None,
                    "nothing kept"
                );
            }
        }
    }
    let stats = store.write_queue_stats().expect("stats");
    assert_eq!(stats.plans.load(std::sync::atomic::Ordering::Relaxed), 48);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A batch takes its turn after a sqlx write transaction in flight (the writer pool's one
/// connection is the turn), then commits; neither is lost nor deadlocked.
#[tokio::test]
async fn a_batch_waits_its_turn_behind_an_open_write_transaction() {
    let dir = std::env::temp_dir().join(format!("axid-queue-{}", uuid::Uuid::new_v4()));
    let store = store(&dir).await;
    let mut tx = store.begin_write().await.expect("begin");
    sqlx::query(INSERT)
        .bind("tx")
        .bind(7_i64)
        .execute(&mut *tx)
        .await
        .expect("insert");
    let queued = tokio::spawn({
        let store = store.clone();
        async move { store.apply(plan("queued", "queued-b")).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !queued.is_finished(),
        "the batch ran beside an open write transaction"
    );
    tx.commit().await.expect("commit");
    let answer = queued.await.expect("task").expect("applied");
    assert_eq!(answer, PlanOutcome::Applied);
    assert_eq!(hits(&store, "tx").await, Some(7));
    assert_eq!(hits(&store, "queued-b").await, Some(2));
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
