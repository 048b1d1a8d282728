//! Filters (RFC 7644 §3.4.2.2) answered by SQL: operators, logic, value paths, extension
//! attributes, escapes; unsupported or malformed filters get 400 invalidFilter.

use serde_json::json;

use super::{user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    operators_and_logic_select_the_right_users,
    bad_filters_are_400_never_an_unfiltered_list
);

async fn seed(scim: &Scim<'_>) {
    let people = [
        (
            "alice",
            "Alice Smith",
            "Engineer",
            true,
            "alice@corp.test",
            "work",
            "E1",
        ),
        (
            "bob",
            "Bob Stone",
            "Manager",
            false,
            "bob@home.test",
            "home",
            "E2",
        ),
        (
            "carol_x",
            "Carol 100%",
            "Engineer",
            true,
            "carol@corp.test",
            "work",
            "auth0|77",
        ),
    ];
    for (user, display, title, active, email, kind, ext) in people {
        let mut body = user_body(user);
        body["displayName"] = json!(display);
        body["title"] = json!(title);
        body["active"] = json!(active);
        body["externalId"] = json!(ext);
        body["emails"] = json!([{"value": email, "type": kind}]);
        scim.post("/Users", &body).await.expect(201);
    }
}

async fn names(scim: &Scim<'_>, filter: &str) -> Vec<String> {
    let body = scim.filter("Users", filter).await.expect(200);
    let mut out: Vec<String> = body["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|u| u["userName"].as_str().map(str::to_owned))
        .collect();
    out.sort();
    assert_eq!(body["totalResults"], out.len(), "{filter}");
    out
}

async fn operators_and_logic_select_the_right_users(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    seed(&scim).await;
    let cases: &[(&str, &[&str])] = &[
        (r#"userName eq "ALICE""#, &["alice"]),
        (r#"userName ne "alice""#, &["bob", "carol_x"]),
        (r#"userName sw "a""#, &["alice"]),
        (r#"userName ew "_x""#, &["carol_x"]),
        (r#"userName co "_""#, &["carol_x"]),
        (r#"displayName co "100%""#, &["carol_x"]),
        (
            r#"title eq "engineer" and active eq true"#,
            &["alice", "carol_x"],
        ),
        (
            r#"title eq "engineer" and not (userName eq "alice")"#,
            &["carol_x"],
        ),
        (
            r#"userName eq "bob" or displayName sw "carol""#,
            &["bob", "carol_x"],
        ),
        (r#"active eq false"#, &["bob"]),
        (r#"emails.value eq "BOB@home.test""#, &["bob"]),
        (r#"emails eq "bob@home.test""#, &["bob"]),
        (
            r#"emails[type eq "work" and value co "corp"]"#,
            &["alice", "carol_x"],
        ),
        (
            r#"emails[type eq "work"].value eq "alice@corp.test""#,
            &["alice"],
        ),
        (r#"emails[type eq "home"].value eq "alice@corp.test""#, &[]),
        (r#"externalId eq "auth0\u007c77""#, &["carol_x"]),
        (r#"externalId eq "auth0|77""#, &["carol_x"]),
        (r#"externalId eq "AUTH0|77""#, &[]),
        (r#"title pr"#, &["alice", "bob", "carol_x"]),
        (r#"nickName pr"#, &[]),
        (
            r#"meta.created gt "2000-01-01T00:00:00Z""#,
            &["alice", "bob", "carol_x"],
        ),
        (r#"meta.lastModified lt "2000-01-01T00:00:00Z""#, &[]),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob""#,
            &["bob"],
        ),
        (r#"USERNAME EQ "bob""#, &["bob"]),
    ];
    for (filter, want) in cases {
        assert_eq!(names(&scim, filter).await, want.to_vec(), "{filter}");
    }
    // Entra's Test Connection: a random guid matches nothing, 200 with an empty list.
    let res = scim
        .filter(
            "Users",
            r#"externalId eq "5c8b0b1e-1c43-4a8b-9c1e-1f2d3c4b5a69""#,
        )
        .await
        .expect(200);
    assert_eq!(res["totalResults"], 0);
    assert_eq!(res["Resources"], json!([]));
}

async fn bad_filters_are_400_never_an_unfiltered_list(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    seed(&scim).await;
    for f in [
        "userName",
        r#"userName eq"#,
        r#"userName xx "a""#,
        r#"(userName eq "a""#,
        r#"noSuchAttr eq "a""#,
        r#"password eq "x""#,
        r#"active gt true"#,
        r#"meta.created gt "yesterday""#,
        r#"name eq "x""#,
        r#"userName eq null"#,
        "userName eq \"a\" and",
    ] {
        let body = scim
            .filter("Users", f)
            .await
            .error(400, Some("invalidFilter"));
        assert!(body.get("Resources").is_none(), "{f}");
    }
    scim.filter("Groups", r#"members[display eq "x"]"#)
        .await
        .error(400, Some("invalidFilter"));
    scim.filter("Groups", r#"title eq "x""#)
        .await
        .error(400, Some("invalidFilter"));
}
