//! Through an upstream OpenID provider (the suite's fake provider): authorize sends a browser
//! without a session to the organization's OIDC login with `prompt=login` and `login_hint`
//! passed on, and the browser comes back with a code whose ID token says `amr` `oidc`.

use serde_json::json;

use super::*;
use crate::helpers::{json_of, new_client, TestApp};
use crate::oidc::fake_provider::{FakeProvider, CLIENT_ID, CLIENT_SECRET};
use crate::oidc::http_support::configured;
use crate::oidc_both_dbs;
use crate::tokens::jwt_parts;

oidc_both_dbs!(a_browser_signs_in_through_the_upstream_oidc_provider_and_comes_back_with_a_code);

async fn a_browser_signs_in_through_the_upstream_oidc_provider_and_comes_back_with_a_code(
    app: TestApp,
) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let c = web_client(&app, "oidc-app").await;
    let browser = new_client();
    let path = authorize_query(&c, &[("prompt", "login"), ("login_hint", "ann@acme.test")]);
    let login = location(&get(&app, &browser, &path).await);
    assert!(login.starts_with("/auth/oidc/acme/login?"), "{login}");
    let res = get(&app, &browser, &login).await;
    assert_eq!(res.status(), 302);
    let upstream = location(&res);
    assert!(upstream.starts_with(&idp.issuer), "{upstream}");
    assert_eq!(param(&upstream, "prompt").as_deref(), Some("login"));
    assert_eq!(
        param(&upstream, "login_hint").as_deref(),
        Some("ann@acme.test")
    );
    let res = browser.get(&upstream).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let callback = location(&res);
    let res = browser.get(&callback).send().await.unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let back = location(&res);
    assert!(
        back.starts_with("/oauth2/authorize?") && !back.contains("prompt"),
        "{back}"
    );
    let res = get(&app, &browser, &back).await;
    let to = location(&res);
    assert!(to.starts_with(&format!("{REDIRECT}?")), "{to}");
    let code = param(&to, "code").unwrap();
    let body = json_of(redeem(&app, &c, &code, &[]).await).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id["amr"], json!(["oidc"]));
    assert_eq!(id["email"], "ann@acme.test");
    assert_eq!(id["name"], "Ann Example");
    assert_eq!(id["nonce"], "n-456");
    assert!(id["roles"].as_array().unwrap().contains(&json!("admin")));
    let info = json_of(userinfo(&app, body["access_token"].as_str().unwrap()).await).await;
    assert_eq!(info["sub"], id["sub"]);
    assert_eq!(info["email"], "ann@acme.test");
}
