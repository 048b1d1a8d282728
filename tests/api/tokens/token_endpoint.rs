//! `POST /oauth2/token` (CONTRACT.md §12): RFC 9068 tokens, and every RFC 6749 §5.2 error.

use reqwest::Method;
use serde_json::{json, Value};

use super::{basic, create_client, jwt_parts, service_client, token_response, HIGH_LIMIT};
use crate::helpers::{json_of, new_client, TestApp, ADMIN_KEY};
use crate::{both_dbs, both_dbs_with};

both_dbs_with!(HIGH_LIMIT;
    client_credentials_issue_rfc_9068_access_tokens,
    scope_and_audience_narrow_the_token_or_are_refused,
    every_rfc_6749_error_comes_with_its_status_and_never_a_500,
    disabled_clients_and_suspended_organizations_are_invalid_clients,
);
both_dbs!(failed_client_authentications_count_toward_the_per_ip_limit);

async fn client_credentials_issue_rfc_9068_access_tokens(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &["reader", "writer"]).await;
    let res = token_response(&app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = json_of(res).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["scope"], "reader writer");
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    assert!(header["kid"].is_string());
    assert_eq!(claims["iss"], app.address);
    assert_eq!(claims["sub"], c.client_id);
    assert_eq!(claims["client_id"], c.client_id);
    assert_eq!(claims["org_id"], "acme");
    assert_eq!(claims["aud"], app.address, "no audiences: PUBLIC_URL");
    assert_eq!(claims["roles"], json!(["reader", "writer"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
    assert!(claims["jti"].is_string());
    let jwks = json_of(app.get("/oauth2/jwks").await).await;
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kid"] == header["kid"]));
    // client_secret_post works as well as Basic.
    let post = new_client()
        .post(app.url("/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    for alg in ["ES256", "EdDSA"] {
        let chosen = create_client(
            &app,
            json!({"name": alg, "type": "service", "signing_alg": alg}),
        )
        .await;
        let body =
            json_of(token_response(&app, &chosen.client_id, &chosen.secret, &[]).await).await;
        let (header, _) = jwt_parts(body["access_token"].as_str().unwrap());
        assert_eq!(header["alg"], alg);
    }
    let jwks = json_of(app.get("/oauth2/jwks").await).await;
    let algs: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    for alg in ["RS256", "ES256", "EdDSA"] {
        assert!(algs.contains(&alg), "{alg} published: {algs:?}");
    }
}

async fn scope_and_audience_narrow_the_token_or_are_refused(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = create_client(
        &app,
        json!({"name": "x", "type": "service", "roles": ["reader", "writer"],
               "audiences": ["https://a.test", "https://b.test"]}),
    )
    .await;
    let claims = |body: Value| jwt_parts(body["access_token"].as_str().unwrap()).1;
    let body = json_of(token_response(&app, &c.client_id, &c.secret, &[]).await).await;
    assert_eq!(
        claims(body)["aud"],
        "https://a.test",
        "the first audience by default"
    );
    let body = json_of(
        token_response(
            &app,
            &c.client_id,
            &c.secret,
            &[("scope", "reader"), ("resource", "https://b.test")],
        )
        .await,
    )
    .await;
    assert_eq!(body["scope"], "reader");
    let got = claims(body);
    assert_eq!(got["aud"], "https://b.test");
    assert_eq!(got["roles"], json!(["reader"]));
    let body = json_of(
        token_response(
            &app,
            &c.client_id,
            &c.secret,
            &[("audience", "https://b.test")],
        )
        .await,
    )
    .await;
    assert_eq!(claims(body)["aud"], "https://b.test");
    for (form, error) in [
        (vec![("scope", "admin")], "invalid_scope"),
        (vec![("audience", "https://evil.test")], "invalid_target"),
        (
            vec![
                ("resource", "https://a.test"),
                ("resource", "https://b.test"),
            ],
            "invalid_target",
        ),
        (
            vec![
                ("audience", "https://a.test"),
                ("resource", "https://b.test"),
            ],
            "invalid_target",
        ),
    ] {
        let res = token_response(&app, &c.client_id, &c.secret, &form).await;
        assert_eq!(res.status(), 400, "{form:?}");
        assert_eq!(json_of(res).await["error"], error, "{form:?}");
    }
}

struct Case {
    what: &'static str,
    request: reqwest::RequestBuilder,
    status: u16,
    error: &'static str,
    basic_challenge: bool,
}

async fn every_rfc_6749_error_comes_with_its_status_and_never_a_500(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let web = create_client(
        &app,
        json!({"name": "w", "type": "web", "redirect_uris": ["https://app.test/cb"]}),
    )
    .await;
    let http = new_client();
    let url = app.url("/oauth2/token");
    let good = basic(&c.client_id, &c.secret);
    let grant = [("grant_type", "client_credentials")];
    let post = || http.post(&url);
    let with_auth = |value: String| post().header("authorization", value).form(&grant);
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    let cases = vec![
        Case {
            what: "no grant_type",
            request: post()
                .header("authorization", &good)
                .form(&[("scope", "x")]),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "repeated grant_type",
            request: post()
                .header("authorization", &good)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&grant_type=client_credentials"),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "JSON body",
            request: post()
                .header("authorization", &good)
                .json(&json!({"grant_type": "client_credentials"})),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "password grant",
            request: post()
                .header("authorization", &good)
                .form(&[("grant_type", "password")]),
            status: 400,
            error: "unsupported_grant_type",
            basic_challenge: false,
        },
        Case {
            what: "no colon",
            request: with_auth(format!("Basic {}", b64(&c.client_id))),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "bad base64",
            request: with_auth("Basic %%%%".into()),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "several schemes",
            request: with_auth(format!("{good}, Bearer abc")),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "two headers",
            request: post()
                .header("authorization", &good)
                .header("authorization", "Bearer x")
                .form(&grant),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "8 KiB header",
            request: with_auth(format!("Basic {}", "QUFB".repeat(2048))),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "Basic and client_secret",
            request: post().header("authorization", &good).form(&[
                ("grant_type", "client_credentials"),
                ("client_secret", c.secret.as_str()),
            ]),
            status: 400,
            error: "invalid_request",
            basic_challenge: false,
        },
        Case {
            what: "no client authentication",
            request: post().form(&grant),
            status: 401,
            error: "invalid_client",
            basic_challenge: false,
        },
        Case {
            what: "unknown client",
            request: with_auth(basic("axc_nobody", &c.secret)),
            status: 401,
            error: "invalid_client",
            basic_challenge: true,
        },
        Case {
            what: "wrong secret",
            request: with_auth(basic(&c.client_id, "axcs_wrong")),
            status: 401,
            error: "invalid_client",
            basic_challenge: true,
        },
        Case {
            what: "no secret",
            request: with_auth(basic(&c.client_id, "")),
            status: 401,
            error: "invalid_client",
            basic_challenge: true,
        },
        Case {
            what: "form client_id only",
            request: post().form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
            ]),
            status: 401,
            error: "invalid_client",
            basic_challenge: false,
        },
        Case {
            what: "Bearer scheme",
            request: with_auth("Bearer abc".into()),
            status: 401,
            error: "invalid_client",
            basic_challenge: true,
        },
        Case {
            what: "web client",
            request: with_auth(basic(&web.client_id, &web.secret)),
            status: 400,
            error: "unauthorized_client",
            basic_challenge: false,
        },
    ];
    for case in cases {
        let res = case.request.send().await.expect("send");
        let status = res.status().as_u16();
        let challenge = res
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        let no_store = res
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = res
            .json()
            .await
            .unwrap_or_else(|_| panic!("{}: JSON body", case.what));
        assert_eq!(status, case.status, "{}: {body}", case.what);
        assert_eq!(body["error"], case.error, "{}", case.what);
        assert!(body["error_description"].is_string(), "{}", case.what);
        assert_eq!(no_store.as_deref(), Some("no-store"), "{}", case.what);
        assert_eq!(
            challenge.is_some_and(|c| c.starts_with("Basic")),
            case.basic_challenge,
            "{}",
            case.what
        );
    }
    let get = http.get(&url).send().await.unwrap();
    assert_eq!(get.status(), 405);
}

async fn disabled_clients_and_suspended_organizations_are_invalid_clients(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let disable = |disabled: bool| {
        app.client
            .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
            .json(&json!({"disabled": disabled}))
            .send()
    };
    assert_eq!(disable(true).await.unwrap().status(), 200);
    let res = token_response(&app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_of(res).await["error"], "invalid_client");
    assert_eq!(disable(false).await.unwrap().status(), 200);
    assert_eq!(
        token_response(&app, &c.client_id, &c.secret, &[])
            .await
            .status(),
        200
    );
    let suspend = app
        .client
        .request(Method::PATCH, app.url("/api/v1/admin/organizations/acme"))
        .header("X-Admin-API-Key", ADMIN_KEY)
        .json(&json!({"status": "suspended"}))
        .send()
        .await
        .unwrap();
    assert_eq!(suspend.status(), 200);
    let res = token_response(&app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_of(res).await["error"], "invalid_client");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "axid_tokens_refused_total{error=\"invalid_client\",reason=\"client_disabled\"}"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("reason=\"org_suspended\""));
    assert!(
        metrics.contains("axid_tokens_issued_total{alg=\"RS256\",grant=\"client_credentials\"}")
    );
}

async fn failed_client_authentications_count_toward_the_per_ip_limit(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    assert_eq!(
        token_response(&app, &c.client_id, &c.secret, &[])
            .await
            .status(),
        200,
        "successes do not count"
    );
    // The login above and four failures use up the five attempts of the minute (§4).
    for _ in 0..4 {
        assert_eq!(
            token_response(&app, &c.client_id, "axcs_wrong", &[])
                .await
                .status(),
            401
        );
    }
    let limited = token_response(&app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(limited.status(), 429, "even the right secret waits");
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(json_of(limited).await["error"], "rate_limited");
    app.clock.advance_secs(61);
    assert_eq!(
        token_response(&app, &c.client_id, &c.secret, &[])
            .await
            .status(),
        200
    );
}
