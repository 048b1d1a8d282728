//! Discovery endpoints (RFC 7644 §4): truthful ServiceProviderConfig, Schemas, ResourceTypes.

use reqwest::Method;
use serde_json::json;

use super::Scim;
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    service_provider_config_tells_what_is_implemented,
    schemas_include_the_enterprise_extension_and_answer_by_id,
    resource_types_list_users_and_groups,
    other_methods_on_discovery_get_405
);

async fn service_provider_config_tells_what_is_implemented(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let res = scim.get("/ServiceProviderConfig").await;
    assert_eq!(
        res.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(super::SCIM_JSON)
    );
    let body = res.expect(200);
    assert_eq!(body["patch"]["supported"], true);
    assert_eq!(body["bulk"]["supported"], false);
    assert_eq!(body["filter"]["supported"], true);
    assert_eq!(body["sort"]["supported"], true);
    assert_eq!(body["etag"]["supported"], true);
    assert_eq!(body["changePassword"]["supported"], false);
    assert_eq!(body["authenticationSchemes"][0]["type"], "oauthbearertoken");
}

async fn schemas_include_the_enterprise_extension_and_answer_by_id(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let body = scim.get("/Schemas").await.expect(200);
    let ids: Vec<&str> = body["Resources"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:Group",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ]
    );
    let user = scim
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await
        .expect(200);
    let user_name = user["attributes"]
        .as_array()
        .expect("attrs")
        .iter()
        .find(|a| a["name"] == "userName")
        .expect("userName");
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["required"], true);
    let password = user["attributes"]
        .as_array()
        .expect("attrs")
        .iter()
        .find(|a| a["name"] == "password")
        .expect("pw");
    assert_eq!(password["returned"], "never");
    scim.get("/Schemas/urn:nope").await.error(404, None);
}

async fn resource_types_list_users_and_groups(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let body = scim.get("/ResourceTypes").await.expect(200);
    assert_eq!(body["totalResults"], 2);
    let user = scim.get("/ResourceTypes/User").await.expect(200);
    assert_eq!(user["endpoint"], "/Users");
    assert_eq!(
        user["schemaExtensions"],
        json!([{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}])
    );
    scim.get("/ResourceTypes/Nope").await.error(404, None);
}

async fn other_methods_on_discovery_get_405(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    for path in [
        "/ServiceProviderConfig",
        "/Schemas",
        "/ResourceTypes",
        "/ResourceTypes/User",
    ] {
        scim.send(Method::POST, path, Some(&json!({})))
            .await
            .error(405, None);
        scim.send(Method::DELETE, path, None).await.error(405, None);
    }
}
