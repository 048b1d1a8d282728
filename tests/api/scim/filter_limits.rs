//! Issue 10, items 1a, 7 and 13: a filter's cost is bounded before it runs (400
//! invalidFilter naming the limit), a 1,000-term filter is a 400 on both databases, and
//! Entra's `attr[F].sub op v` dialect keeps the meaning of an `or` inside the brackets.

use serde_json::json;

use super::{user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    expensive_filters_are_refused_before_they_run,
    entra_or_inside_a_value_path_means_what_it_says
);

fn or_chain(n: usize, term: impl Fn(usize) -> String) -> String {
    (0..n).map(term).collect::<Vec<_>>().join(" or ")
}

async fn expensive_filters_are_refused_before_they_run(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.user("alice@acme.test").await;
    let value_path = or_chain(100, |i| format!(r#"value co "z0_{i}""#));
    let cases = [
        // The issue's filter: two value paths of 100 substring terms each.
        (
            format!("emails[{value_path}] or emails[{value_path}]"),
            "has 100 terms; at most 8 are allowed",
        ),
        // Item 7: about 1,000 `or` terms (SQLite's "Expression tree is too large").
        (
            or_chain(1000, |i| format!(r#"userName eq "u{i}""#)),
            "longer than 8192 characters",
        ),
        (
            or_chain(1000, |_| "a pr".to_owned()),
            "has 1000 terms; at most 64 are allowed",
        ),
        (
            or_chain(65, |i| format!(r#"userName eq "u{i}""#)),
            "has 65 terms; at most 64 are allowed",
        ),
        (
            or_chain(5, |i| format!(r#"title co "t{i}""#)),
            "at most 4 are allowed",
        ),
    ];
    for (filter, reason) in &cases {
        let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                            "filter": filter});
        let body = scim
            .post("/Users/.search", &search)
            .await
            .error(400, Some("invalidFilter"));
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(reason), "{detail}");
        scim.post("/Groups/.search", &search)
            .await
            .error(400, Some("invalidFilter"));
    }
    // What IdPs send, and a 64-term batch lookup, still answer.
    let batch = or_chain(64, |i| format!(r#"userName eq "u{i}@acme.test""#));
    let body = scim.filter("Users", &batch).await.expect(200);
    assert_eq!(body["totalResults"], 0);
    let body = scim
        .filter(
            "Users",
            r#"emails[type eq "work"].value eq "alice@acme.test""#,
        )
        .await
        .expect(200);
    assert_eq!(body["totalResults"], 1);
}

async fn entra_or_inside_a_value_path_means_what_it_says(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    for (user, email, kind) in [
        ("a", "x@acme.test", "work"),
        ("b", "x@acme.test", "home"),
        ("c", "z@acme.test", "work"),
        ("d", "x@acme.test", "other"),
    ] {
        let mut body = user_body(user);
        body["emails"] = json!([{"value": email, "type": kind}]);
        scim.post("/Users", &body).await.expect(201);
    }
    let body = scim
        .filter(
            "Users",
            r#"emails[type eq "work" or type eq "home"].value eq "x@acme.test""#,
        )
        .await
        .expect(200);
    let mut names: Vec<&str> = body["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|u| u["userName"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(body["totalResults"], 2);
}
