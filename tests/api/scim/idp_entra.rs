//! Microsoft Entra ID, with and without the `aadOptscim062020` flag (IDP_QUIRKS.md "Entra").

use serde_json::{json, Value};

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    entra_user_sequence_without_the_flag,
    entra_user_sequence_with_the_flag,
    entra_group_sequence
);

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn entra_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "displayName": "Entra Person",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Entra Person", "familyName": "Person", "givenName": "Entra"},
        "title": null,
        "preferredLanguage": null,
        ENT: {"employeeNumber": "100", "department": null}
    })
}

async fn entra_user_sequence_without_the_flag(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    // Test Connection and lookups before create.
    let probe = scim
        .filter(
            "Users",
            r#"userName eq "0f9a3c1e-7d1b-4f53-9a3b-2b9d1f0e7c55""#,
        )
        .await
        .expect(200);
    assert_eq!(
        (probe["totalResults"].clone(), probe["Resources"].clone()),
        (json!(0), json!([]))
    );
    assert_eq!(
        scim.filter("Users", r#"externalId eq "e-1""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    assert_eq!(
        scim.filter(
            "Users",
            r#"emails[type eq "work"].value eq "ada@contoso.test""#
        )
        .await
        .expect(200)["totalResults"],
        0
    );
    let manager = scim.user("boss@contoso.test").await;
    let created = scim
        .post("/Users", &entra_user("ada@contoso.test", "e-1"))
        .await
        .expect(201);
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created[ENT], json!({"employeeNumber": "100"}));
    assert!(created.get("title").is_none());
    for f in [
        r#"externalId eq "e-1""#,
        r#"emails[type eq "work"].value eq "ADA@contoso.test""#,
        r#"emails.value eq "ada@contoso.test""#,
    ] {
        assert_eq!(
            scim.filter("Users", f).await.expect(200)["totalResults"],
            1,
            "{f}"
        );
    }
    // Updates: capitalised ops, string booleans, several ops in one request.
    let ops = patch_body(json!([
        {"op": "Replace", "path": "userName", "value": "ada.l@contoso.test"},
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada.l@contoso.test"},
        {"op": "Replace", "path": "name.familyName", "value": "Lovelace"},
        {"op": "Add", "path": format!("{ENT}:employeeNumber"), "value": "101"},
        {"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "12 St James's Sq"},
        {"op": "Add", "path": format!("{ENT}:manager"), "value": [{"value": manager}]},
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+44 1"}
    ]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(u["userName"], "ada.l@contoso.test");
    assert_eq!(u["active"], true);
    assert_eq!(u["emails"][0]["value"], "ada.l@contoso.test");
    assert_eq!(u["name"]["familyName"], "Lovelace");
    assert_eq!(u[ENT]["employeeNumber"], "101");
    assert_eq!(u[ENT]["manager"]["value"], manager.as_str());
    assert_eq!(
        u["addresses"],
        json!([{"type": "work", "formatted": "12 St James's Sq"}])
    );
    assert_eq!(
        u["phoneNumbers"],
        json!([{"type": "mobile", "value": "+44 1"}])
    );
    // Deactivate: stays readable.
    let off = patch_body(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    assert_eq!(
        scim.patch(&format!("/Users/{id}"), &off).await.expect(200)["active"],
        false
    );
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.expect(200)["active"],
        false
    );
}

async fn entra_user_sequence_with_the_flag(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let created = scim
        .post("/Users", &entra_user("kay@contoso.test", "e-2"))
        .await
        .expect(201);
    let id = created["id"].as_str().expect("id").to_owned();
    let ops = patch_body(json!([
        {"op": "replace", "value": {"name.givenName": "K", format!("{ENT}:employeeNumber"): "7", "active": false}},
        {"op": "add", "path": "title", "value": "Engineer"}
    ]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(u["name"]["givenName"], "K");
    assert_eq!(u[ENT]["employeeNumber"], "7");
    assert_eq!(u["active"], false);
    assert_eq!(u["title"], "Engineer");
}

async fn entra_group_sequence(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let u1 = scim.user("g1@contoso.test").await;
    let u2 = scim.user("g2@contoso.test").await;
    let lookup = scim
        .get(&format!(
            "/Groups?excludedAttributes=members&filter={}",
            enc(r#"displayName eq "Contoso Admins""#)
        ))
        .await
        .expect(200);
    assert_eq!(lookup["totalResults"], 0);
    let g = scim
        .post("/Groups", &json!({"schemas": ["http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Contoso Admins", "meta": {"resourceType": "Group"}}))
        .await
        .expect(201);
    let gid = g["id"].as_str().expect("id").to_owned();
    let lookup = scim
        .get(&format!(
            "/Groups?excludedAttributes=members&filter={}",
            enc(r#"displayName eq "contoso admins""#)
        ))
        .await
        .expect(200);
    assert_eq!(lookup["totalResults"], 1);
    assert!(lookup["Resources"][0].get("members").is_none());
    let add = patch_body(
        json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": u1}, {"$ref": null, "value": u2}]}]),
    );
    scim.patch(&format!("/Groups/{gid}"), &add)
        .await
        .expect(200);
    let member_test = |uid: &str| format!(r#"id eq "{gid}" and members eq "{uid}""#);
    assert_eq!(
        scim.filter("Groups", &member_test(&u1)).await.expect(200)["totalResults"],
        1
    );
    // Without the flag: remove with a value array.
    let rm = patch_body(json!([{"op": "Remove", "path": "members", "value": [{"value": u1}]}]));
    scim.patch(&format!("/Groups/{gid}"), &rm).await.expect(200);
    assert_eq!(
        scim.filter("Groups", &member_test(&u1)).await.expect(200)["totalResults"],
        0
    );
    assert_eq!(
        scim.filter("Groups", &member_test(&u2)).await.expect(200)["totalResults"],
        1
    );
    // With the flag: a filtered path.
    let rm = patch_body(json!([{"op": "remove", "path": format!("members[value eq \"{u2}\"]")}]));
    scim.patch(&format!("/Groups/{gid}"), &rm).await.expect(200);
    assert_eq!(
        scim.filter("Groups", &member_test(&u2)).await.expect(200)["totalResults"],
        0
    );
    let rename =
        patch_body(json!([{"op": "Replace", "path": "displayName", "value": "Contoso Admins 2"}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{gid}"), &rename)
            .await
            .expect(200)["displayName"],
        "Contoso Admins 2"
    );
    assert_eq!(scim.delete(&format!("/Groups/{gid}")).await.status, 204);
}

fn enc(f: &str) -> String {
    url::form_urlencoded::byte_serialize(f.as_bytes()).collect()
}
