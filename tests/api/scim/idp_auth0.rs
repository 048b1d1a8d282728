//! Auth0's outbound SCIM action: externalId correlation with `|`, 409 then lookup, partial
//! PUT (unasserted attributes kept), blocked users, DELETE with 404 as "already gone".

use serde_json::json;

use super::Scim;
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(auth0_sequence);

async fn auth0_sequence(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "jo@auth0.test",
        "externalId": "auth0|65f0c1", "name": {"givenName": "Jo", "familyName": "Doe"},
        "emails": [{"value": "jo@auth0.test", "primary": true}], "active": true});
    let created = scim.post("/Users", &body).await.expect(201);
    assert!(created["id"].is_string());
    let id = created["id"].as_str().expect("id").to_owned();
    // A retry gets a proper SCIM 409, then Auth0 looks the user up by externalId.
    scim.post("/Users", &body)
        .await
        .error(409, Some("uniqueness"));
    let found = scim
        .filter("Users", r#"externalId eq "auth0\u007c65f0c1""#)
        .await
        .expect(200);
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let found = scim
        .filter("Users", r#"externalId eq "auth0|65f0c1""#)
        .await
        .expect(200);
    assert_eq!(found["totalResults"], 1);
    // Partial PUT: what is not asserted is kept.
    let partial = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "jo@auth0.test", "displayName": "Jo D"});
    let u = scim
        .put(&format!("/Users/{id}"), &partial)
        .await
        .expect(200);
    assert_eq!(u["displayName"], "Jo D");
    assert_eq!(u["externalId"], "auth0|65f0c1");
    assert_eq!(u["name"]["givenName"], "Jo");
    // Blocked: active false inside a PUT.
    let blocked = json!({"userName": "jo@auth0.test", "active": false});
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &blocked)
            .await
            .expect(200)["active"],
        false
    );
    assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
    scim.delete(&format!("/Users/{id}")).await.error(404, None);
}
