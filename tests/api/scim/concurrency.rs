//! Concurrency: uniqueness and memberships hold under parallel requests on both databases
//! (SQLite writers wait on busy_timeout; nothing answers 500).

use std::sync::Arc;

use serde_json::json;

use super::{patch_body, user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    twenty_parallel_creates_of_one_user_name_give_one_201,
    fifty_parallel_member_additions_leave_fifty_members
);

async fn twenty_parallel_creates_of_one_user_name_give_one_201(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let url = app.url("/scim/v2/Users");
    let token = Arc::new(scim.token.clone());
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (client, url, token) = (app.client.clone(), url.clone(), token.clone());
        // Different case each time: uniqueness is case-insensitive.
        let name = if i % 2 == 0 {
            "Racer@acme.test"
        } else {
            "racer@ACME.test"
        };
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token.as_str())
                .header("content-type", "application/scim+json")
                .body(user_body(name).to_string())
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.expect("json");
            (status, body)
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.expect("task");
        match status {
            201 => created += 1,
            409 => {
                assert_eq!(body["scimType"], "uniqueness");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, conflicts), (1, 19));
    assert_eq!(scim.get("/Users").await.expect(200)["totalResults"], 1);
}

async fn fifty_parallel_member_additions_leave_fifty_members(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let gid = scim.group("Everyone").await;
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(scim.user(&format!("m{i}@acme.test")).await);
    }
    let url = app.url(&format!("/scim/v2/Groups/{gid}?excludedAttributes=members"));
    let token = Arc::new(scim.token.clone());
    let mut tasks = Vec::new();
    for uid in users {
        let (client, url, token) = (app.client.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let body =
                patch_body(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]));
            let res = client
                .patch(url)
                .bearer_auth(token.as_str())
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
                .await
                .expect("request");
            res.status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 200);
    }
    let g = scim.get(&format!("/Groups/{gid}")).await.expect(200);
    assert_eq!(g["members"].as_array().map(Vec::len), Some(50));
    assert_eq!(g["meta"]["version"], "W/\"51\"");
}
