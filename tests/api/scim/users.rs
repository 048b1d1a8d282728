//! /Users CRUD, listing, paging, sorting, projections and ETags (RFC 7644 §3.3-3.6, §3.9, §3.14).

use reqwest::Method;
use serde_json::json;

use super::{user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    create_answers_201_with_location_meta_and_etag,
    user_names_are_unique_case_insensitively,
    list_pages_are_stable_and_one_based,
    sort_and_projections_follow_the_query,
    put_replaces_and_if_match_guards_writes,
    search_endpoint_takes_a_search_request
);

async fn create_answers_201_with_location_meta_and_etag(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let mut body = user_body("bjensen@acme.test");
    body["password"] = json!("t1meMa$heen");
    body["groups"] = json!([]);
    body["meta"] = json!({"resourceType": "User", "created": "2001-01-01T00:00:00Z"});
    body["nickName"] = json!(null);
    let res = scim.post("/Users", &body).await;
    let location = res
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let etag = res
        .headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_owned();
    let user = res.expect(201);
    let id = user["id"].as_str().expect("id");
    assert_eq!(location, app.url(&format!("/scim/v2/Users/{id}")));
    assert_eq!(user["meta"]["location"], location);
    assert_eq!(user["meta"]["resourceType"], "User");
    assert_eq!(user["meta"]["version"], etag);
    assert_ne!(user["meta"]["created"], "2001-01-01T00:00:00Z");
    assert!(user.get("password").is_none(), "password is never returned");
    assert!(user.get("nickName").is_none());
    assert_eq!(user["name"]["familyName"], "Jensen");
    let got = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(
        got.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    assert_eq!(got.expect(200), user);
}

async fn user_names_are_unique_case_insensitively(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.user("Alice@Acme.test").await;
    scim.post("/Users", &user_body("alice@acme.TEST"))
        .await
        .error(409, Some("uniqueness"));
    let list = scim
        .filter("Users", r#"userName eq "ALICE@acme.test""#)
        .await
        .expect(200);
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["userName"], "Alice@Acme.test");
}

async fn list_pages_are_stable_and_one_based(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(scim.user(&format!("u{i}@acme.test")).await);
    }
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let page = scim
            .get(&format!("/Users?startIndex={start}&count=3"))
            .await
            .expect(200);
        assert_eq!(page["totalResults"], 7);
        assert_eq!(page["startIndex"], start);
        let items = page["Resources"].as_array().expect("Resources").clone();
        assert_eq!(page["itemsPerPage"], items.len());
        if items.is_empty() {
            break;
        }
        seen.extend(
            items
                .iter()
                .map(|u| u["id"].as_str().expect("id").to_owned()),
        );
        start += 3;
    }
    let all = scim.get("/Users?count=100").await.expect(200);
    let one_page: Vec<String> = all["Resources"]
        .as_array()
        .expect("r")
        .iter()
        .map(|u| u["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(seen, one_page, "paging order is stable");
    let mut sorted = seen.clone();
    sorted.sort();
    ids.sort();
    assert_eq!(sorted, ids, "every user exactly once");
    let zero = scim.get("/Users?count=0").await.expect(200);
    assert_eq!(zero["totalResults"], 7);
    assert_eq!(zero["Resources"], json!([]));
    let neg = scim.get("/Users?startIndex=-4&count=1").await.expect(200);
    assert_eq!(neg["startIndex"], 1);
    assert_eq!(neg["Resources"][0]["id"], one_page[0].as_str());
    let empty = scim
        .filter("Users", r#"userName eq "nobody""#)
        .await
        .expect(200);
    assert_eq!(empty["Resources"], json!([]));
    assert_eq!(empty["totalResults"], 0);
}

async fn sort_and_projections_follow_the_query(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    for name in ["carol", "alice", "bob"] {
        let mut body = user_body(name);
        body["title"] = json!(format!("title-{name}"));
        scim.post("/Users", &body).await.expect(201);
    }
    let asc = scim
        .get("/Users?sortBy=userName&sortOrder=ascending")
        .await
        .expect(200);
    let names: Vec<&str> = asc["Resources"]
        .as_array()
        .expect("r")
        .iter()
        .filter_map(|u| u["userName"].as_str())
        .collect();
    assert_eq!(names, ["alice", "bob", "carol"]);
    let desc = scim
        .get("/Users?sortBy=title&sortOrder=descending")
        .await
        .expect(200);
    assert_eq!(desc["Resources"][0]["userName"], "carol");
    let only = scim
        .get("/Users?attributes=userName,name.givenName&count=1")
        .await
        .expect(200);
    let u = &only["Resources"][0];
    assert!(u.get("id").is_some() && u.get("userName").is_some());
    assert_eq!(u["name"], json!({"givenName": "Barbara"}));
    assert!(u.get("emails").is_none() && u.get("title").is_none());
    let excl = scim
        .get("/Users?excludedAttributes=emails,name&count=1")
        .await
        .expect(200);
    let u = &excl["Resources"][0];
    assert!(u.get("emails").is_none() && u.get("name").is_none() && u.get("userName").is_some());
}

async fn put_replaces_and_if_match_guards_writes(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let created = scim.post("/Users", &user_body("dave")).await.expect(201);
    let id = created["id"].as_str().expect("id");
    let v1 = created["meta"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let mut body = created.clone();
    body["displayName"] = json!("Dave D");
    body["name"] = json!({"givenName": "Dave"});
    let res = scim
        .send_with(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(&body),
            &[("if-match", &v1)],
        )
        .await;
    let updated = res.expect(200);
    assert_eq!(updated["displayName"], "Dave D");
    assert_eq!(updated["name"], json!({"givenName": "Dave"}));
    assert_ne!(updated["meta"]["version"], v1);
    // The stale version is refused now.
    scim.send_with(
        Method::PUT,
        &format!("/Users/{id}"),
        Some(&body),
        &[("if-match", &v1)],
    )
    .await
    .error(412, None);
    let ops = super::patch_body(json!([{"op": "replace", "path": "title", "value": "x"}]));
    scim.send_with(
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(&ops),
        &[("if-match", &v1)],
    )
    .await
    .error(412, None);
    scim.send_with(
        Method::DELETE,
        &format!("/Users/{id}"),
        None,
        &[("if-match", &v1)],
    )
    .await
    .error(412, None);
    let current = updated["meta"]["version"].as_str().expect("v").to_owned();
    let res = scim
        .send_with(
            Method::DELETE,
            &format!("/Users/{id}"),
            None,
            &[("if-match", &current)],
        )
        .await;
    assert_eq!(res.status, 204);
}

async fn search_endpoint_takes_a_search_request(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.user("erin").await;
    scim.user("frank").await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"er\"", "attributes": ["userName"], "startIndex": 1, "count": 10});
    let res = scim.post("/Users/.search", &body).await.expect(200);
    assert_eq!(res["totalResults"], 1);
    assert_eq!(res["Resources"][0]["userName"], "erin");
    assert!(res["Resources"][0].get("emails").is_none());
    scim.post("/Users/.search", &json!({"filter": "userName zz \"a\""}))
        .await
        .error(400, Some("invalidFilter"));
}
