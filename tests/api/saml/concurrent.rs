//! Sign-ins arriving together: on SQLite the writer thread commits them in shared
//! transactions (store/write_queue.rs), and each keeps its own outcome.

use serde_json::json;

use super::*;
use crate::helpers::{json_of, Db, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    concurrent_sign_ins_each_commit_their_own_session_and_a_replay_among_them_is_refused
);

async fn concurrent_sign_ins_each_commit_their_own_session_and_a_replay_among_them_is_refused(
    app: TestApp,
) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let signed: Vec<String> = (0..12)
        .map(|i| {
            let spec = spec_for(&app, "acme", None, &format!("user{i}@acme.com"));
            idp().response_b64(&spec).expect("sign")
        })
        .collect();
    // The first response goes twice, all at once: exactly one of the two is accepted.
    let sends = signed
        .iter()
        .chain(std::iter::once(&signed[0]))
        .map(|r| post_response(&app, "acme", r, None));
    let answers = futures_util::future::join_all(sends).await;
    let mut accepted = 0;
    let mut replayed = 0;
    for res in answers {
        match res.status().as_u16() {
            303 => accepted += 1,
            403 => {
                assert_refused(res, 403, "replayed_assertion").await;
                replayed += 1;
            }
            other => panic!(
                "unexpected {other}: {}",
                res.text().await.unwrap_or_default()
            ),
        }
    }
    assert_eq!((accepted, replayed), (12, 1));
    // Every accepted sign-in is committed with its session event, and the replay left none.
    let events = json_of(
        app.get("/api/v1/events?types=session.created&limit=100")
            .await,
    )
    .await;
    let saml: Vec<&serde_json::Value> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["data"]["auth_method"] == "saml")
        .collect();
    let users: std::collections::BTreeSet<&str> = saml
        .iter()
        .filter_map(|e| e["data"]["principal"]["email"].as_str())
        .collect();
    assert_eq!((users.len(), saml.len()), (12, 12), "{events}");
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    let plans = metrics
        .lines()
        .find_map(|l| l.strip_prefix("axid_sqlite_write_plans_total "))
        .and_then(|v| v.parse::<u64>().ok());
    match app.db_kind {
        // Twelve sign-ins and the replay, which ran its plan and was stopped by it.
        Db::Sqlite => assert!(plans.is_some_and(|p| p >= 13), "{plans:?}"),
        Db::Postgres => assert_eq!(plans, None, "PostgreSQL has no writer thread"),
    }
}
