//! Cross-tenant isolation: org B's token never sees org A's users or groups, by id, by
//! filter, by listing, nor through memberships.

use serde_json::json;

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(another_organizations_token_sees_nothing_of_this_one);

async fn another_organizations_token_sees_nothing_of_this_one(app: TestApp) {
    let a = Scim::new(&app, "org-a").await;
    let uid = a.user("shared@name.test").await;
    let gid = a.group("Admins").await;
    a.patch(
        &format!("/Groups/{gid}"),
        &patch_body(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])),
    )
    .await
    .expect(200);

    // Org B: logging in as its admin replaces the client's session; A's token stays valid.
    let b = Scim::new(&app, "org-b").await;
    b.get(&format!("/Users/{uid}")).await.error(404, None);
    b.get(&format!("/Groups/{gid}")).await.error(404, None);
    b.delete(&format!("/Users/{uid}")).await.error(404, None);
    b.put(&format!("/Users/{uid}"), &super::user_body("x"))
        .await
        .error(404, None);
    assert_eq!(b.get("/Users").await.expect(200)["totalResults"], 0);
    assert_eq!(
        b.filter("Users", r#"userName eq "shared@name.test""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    assert_eq!(
        b.filter("Users", &format!(r#"id eq "{uid}""#))
            .await
            .expect(200)["totalResults"],
        0
    );
    assert_eq!(
        b.filter("Users", r#"emails.value co "shared""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    assert_eq!(
        b.filter("Groups", &format!(r#"members eq "{uid}""#))
            .await
            .expect(200)["totalResults"],
        0
    );
    // B's group cannot take A's user as a member.
    let bg = b.group("Admins").await;
    let g = b
        .patch(
            &format!("/Groups/{bg}"),
            &patch_body(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])),
        )
        .await
        .expect(200);
    assert_eq!(g["members"], json!([]));
    // The same userName is free in B.
    b.user("shared@name.test").await;
    assert_eq!(a.get("/Users").await.expect(200)["totalResults"], 1);
}
