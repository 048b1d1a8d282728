//! `GET /api/v1/events`: SCIM writes and sign-ins as events in the order they happened,
//! the cursor seeing each event once, filters, roles and organizations, and on PostgreSQL
//! an event whose transaction commits late is neither skipped nor repeated.

use reqwest::Method;
use serde_json::json;

use super::{all_events, events_page, types_of};
use crate::both_dbs;
use crate::helpers::{json_of, new_client, spawn_app, Db, TestApp};
use crate::scim::{patch_body, Scim};

both_dbs!(
    scim_writes_come_out_in_the_order_the_idp_made_them,
    a_reader_following_next_cursor_sees_each_event_once,
    events_are_read_by_reader_roles_of_their_own_organization,
);

async fn scim_writes_come_out_in_the_order_the_idp_made_them(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let user = scim.user("bjensen@acme.test").await;
    let group = scim
        .post(
            "/Groups",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Engineering", "members": [{"value": user}]}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let off = patch_body(json!([{"op": "replace", "value": {"active": false}}]));
    scim.patch(&format!("/Users/{user}"), &off)
        .await
        .expect(200);
    let on = patch_body(json!([{"op": "replace", "path": "active", "value": true}]));
    scim.patch(&format!("/Users/{user}"), &on).await.expect(200);
    let rename = patch_body(json!([{"op": "replace", "path": "displayName", "value": "Eng"}]));
    scim.patch(&format!("/Groups/{group}"), &rename)
        .await
        .expect(200);
    let drop =
        patch_body(json!([{"op": "remove", "path": format!("members[value eq \"{user}\"]")}]));
    scim.patch(&format!("/Groups/{group}"), &drop)
        .await
        .expect(200);
    scim.delete(&format!("/Groups/{group}")).await.expect(204);
    scim.delete(&format!("/Users/{user}")).await.expect(204);

    let events = all_events(&app, &app.client).await;
    assert_eq!(
        types_of(&events),
        [
            "session.created",
            "scim_token.created",
            "user.created",
            "group.created",
            "group.member_added",
            "user.deactivated",
            "user.reactivated",
            "group.updated",
            "group.member_removed",
            "group.deleted",
            "user.deleted",
        ]
    );
    let created = &events[2];
    assert_eq!(created["org_id"], "acme");
    assert_eq!(created["actor"]["type"], "scim");
    assert_eq!(created["data"]["id"], user.as_str());
    assert_eq!(created["data"]["user_name"], "bjensen@acme.test");
    assert_eq!(events[4]["data"]["user"]["id"], user.as_str());
    assert_eq!(events[4]["data"]["group"]["display_name"], "Engineering");
    assert_eq!(events[5]["data"]["active"], false);
    assert_eq!(events[0]["data"]["auth_method"], "password");
    assert!(events
        .iter()
        .all(|e| e["id"].as_str().is_some_and(|id| id.starts_with("evt_"))));
    // The session event shows the session as GET /auth/session does: no cookie value.
    assert!(!events[0].to_string().contains("axonflow_session"));
}

async fn a_reader_following_next_cursor_sees_each_event_once(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    for i in 0..7 {
        scim.user(&format!("u{i}@acme.test")).await;
    }
    let first = all_events(&app, &app.client).await;
    let page = events_page(&app, &app.client, "limit=500").await;
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let mut ids: Vec<&str> = first
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 9, "one session, the SCIM token and seven users");
    ids.dedup();
    assert_eq!(ids.len(), 9);
    // Nothing new: an empty page and the same cursor.
    let again = events_page(&app, &app.client, &format!("after={cursor}")).await;
    assert_eq!(again["events"], json!([]));
    assert_eq!(again["next_cursor"], cursor.as_str());
    // A later event is the only one after the cursor.
    scim.user("late@acme.test").await;
    let next = events_page(&app, &app.client, &format!("after={cursor}")).await;
    assert_eq!(
        types_of(next["events"].as_array().expect("events")),
        ["user.created"]
    );
    assert_eq!(next["events"][0]["data"]["user_name"], "late@acme.test");
    // A type filter returns only those types and still moves the cursor past the rest.
    let sessions = events_page(&app, &app.client, "types=session.created").await;
    assert_eq!(
        types_of(sessions["events"].as_array().expect("events")),
        ["session.created"]
    );
    let after_filter = sessions["next_cursor"].as_str().expect("cursor");
    let rest = events_page(
        &app,
        &app.client,
        &format!("types=session.created&after={after_filter}"),
    )
    .await;
    assert_eq!(rest["events"], json!([]));
}

async fn events_are_read_by_reader_roles_of_their_own_organization(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.user("bjensen@acme.test").await;
    let anonymous = new_client()
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), 401);
    // Another organization's admin sees only its own sign-in.
    let other = new_client();
    app.create_org("globex").await;
    let res = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "globex", "password": crate::helpers::ORG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let theirs = all_events(&app, &other).await;
    assert_eq!(types_of(&theirs), ["session.created"]);
    assert!(theirs.iter().all(|e| e["org_id"] == "globex"));
    // A viewer API key may read events but not manage webhooks.
    let key = app
        .post_json("/api/v1/keys", &json!({"name": "reader", "role": "viewer"}))
        .await;
    assert_eq!(key.status(), 201);
    let key = json_of(key).await["key"].as_str().expect("key").to_owned();
    let read = new_client()
        .get(app.url("/api/v1/events"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("send");
    assert_eq!(read.status(), 200);
    let hooks = new_client()
        .request(Method::GET, app.url("/api/v1/webhooks"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("send");
    assert_eq!(hooks.status(), 403);
    assert_eq!(json_of(hooks).await["error"], "forbidden");
    // Bad input is a 400 naming the problem.
    let bad = app.get("/api/v1/events?after=-4").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json_of(bad).await["error"], "invalid_cursor");
    let bad = app
        .get("/api/v1/events?types=user.created,user.exploded")
        .await;
    assert_eq!(bad.status(), 400);
    let body = json_of(bad).await;
    assert_eq!(body["error"], "invalid_types");
    assert!(body["message"]
        .as_str()
        .expect("message")
        .contains("user.exploded"));
}

/// PostgreSQL: a transaction that wrote an event and is still open when a later one
/// commits. A reader polling meanwhile gets the later event; once the first commits, the
/// reader's next page has it; nothing is skipped or repeated, and the order is the commit
/// order.
#[cfg_attr(
    not(axid_pg_tests),
    ignore = "TEST_DATABASE_URL was not set when the tests were built"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_cursor_never_moves_past_a_transaction_in_flight() {
    let Some(app) = spawn_app(Db::Postgres).await else {
        return;
    };
    let scim = Scim::new(&app, "acme").await;
    let start = events_page(&app, &app.client, "limit=500").await["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let mut held = <sqlx::PgConnection as sqlx::Connection>::connect(&app.db.url)
        .await
        .expect("connect");
    sqlx::Executor::execute(&mut held, "BEGIN")
        .await
        .expect("begin");
    sqlx::Executor::execute(
        &mut held,
        "INSERT INTO events (id, org_id, type, occurred_at, actor_type, data) \
         VALUES ('evt_early', 'acme', 'group.created', 1, 'scim', '{}')",
    )
    .await
    .expect("insert early event");
    // A later transaction commits while the first is open.
    let user = scim.user("later@acme.test").await;
    let page = events_page(&app, &app.client, &format!("after={start}")).await;
    let seen = page["events"].as_array().expect("events").clone();
    assert_eq!(types_of(&seen), ["user.created"]);
    assert_eq!(seen[0]["data"]["id"], user.as_str());
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    // Polling again while the first is still open returns nothing new.
    let idle = events_page(&app, &app.client, &format!("after={cursor}")).await;
    assert_eq!(idle["events"], json!([]));
    let cursor = idle["next_cursor"].as_str().expect("cursor").to_owned();
    sqlx::Executor::execute(&mut held, "COMMIT")
        .await
        .expect("commit");
    let page = events_page(&app, &app.client, &format!("after={cursor}")).await;
    let late = page["events"].as_array().expect("events");
    assert_eq!(late.len(), 1, "the early transaction's event, once");
    assert_eq!(late[0]["id"], "evt_early");
    // A reader starting from the beginning sees both, in commit order, each once.
    let all = all_events(&app, &app.client).await;
    let ids: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] != "session.created" && e["type"] != "scim_token.created")
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [seen[0]["id"].as_str().expect("id"), "evt_early"]);
}
