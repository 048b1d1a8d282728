//! The login and forgot-password limits (CONTRACT.md §4) beyond one exact address: an
//! organization's own budget across clients and replicas, and IPv6 clients by their /64.

use serde_json::{json, Value};

use crate::helpers::{spawn_replica, TestApp, ORG_PASSWORD};

/// Both databases, behind a trusted proxy (the loopback test client) so that each request
/// can name its client in X-Forwarded-For.
macro_rules! behind_proxy {
    ($vars:expr, $($name:ident),*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = crate::helpers::spawn_app_with(crate::helpers::Db::Sqlite, $vars).await.expect("app");
                super::$name(app).await;
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = crate::helpers::spawn_app_with(crate::helpers::Db::Postgres, $vars).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

const ORG_BUDGET: &[(&str, &str)] = &[
    ("TRUSTED_PROXIES", "127.0.0.1"),
    ("LOGIN_RATE_LIMIT_PER_ORG_PER_MINUTE", "3"),
];
const PER_CLIENT: &[(&str, &str)] = &[
    ("TRUSTED_PROXIES", "127.0.0.1"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "2"),
];

behind_proxy!(
    super::ORG_BUDGET,
    many_addresses_share_one_organizations_budget
);
behind_proxy!(super::PER_CLIENT, an_ipv6_client_is_counted_by_its_64);

/// Moves the clock to just after the start of a minute window.
fn align_to_window(app: &TestApp) {
    let now = axid::clock::Clock::now_ms(app.clock.as_ref());
    app.clock
        .advance_secs((60_000 - now.rem_euclid(60_000)) / 1000 + 1);
}

async fn post_from(app: &TestApp, path: &str, ip: &str, body: &Value) -> u16 {
    app.client
        .post(app.url(path))
        .header("x-forwarded-for", ip)
        .json(body)
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

async fn many_addresses_share_one_organizations_budget(app: TestApp) {
    let replica = spawn_replica(&app, ORG_BUDGET).await;
    app.create_org("acme").await;
    app.create_org("other").await;
    align_to_window(&app);
    let bad = json!({"org_id": "acme", "password": "wrong password!"});
    let login = "/api/v1/auth/login";
    for (i, ip) in ["198.51.100.1", "198.51.100.2", "2001:db8:9::1"]
        .iter()
        .enumerate()
    {
        let target = if i % 2 == 0 { &app } else { &replica };
        assert_eq!(post_from(target, login, ip, &bad).await, 401, "{ip}");
    }
    for (target, ip) in [(&replica, "198.51.100.4"), (&app, "2001:db8:a::1")] {
        assert_eq!(
            post_from(target, login, ip, &bad).await,
            429,
            "a fresh address still meets the organization's spent budget"
        );
    }
    let right = json!({"org_id": "other", "password": ORG_PASSWORD});
    assert_eq!(
        post_from(&app, login, "198.51.100.4", &right).await,
        200,
        "another organization keeps its own budget"
    );
    // An unknown organization is limited the same way, so 429 reveals nothing.
    let unknown = json!({"org_id": "nobody", "password": "wrong password!"});
    let mut answers = Vec::new();
    for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"] {
        answers.push(post_from(&app, login, ip, &unknown).await);
    }
    assert_eq!(answers, [401, 401, 401, 429]);

    let forgot = "/api/v1/auth/forgot-password";
    let body = json!({"org_id": "acme"});
    for ip in ["198.51.100.7", "198.51.100.8", "198.51.100.9"] {
        assert_eq!(post_from(&replica, forgot, ip, &body).await, 202, "{ip}");
    }
    assert_eq!(post_from(&app, forgot, "198.51.100.10", &body).await, 429);
    app.clock.advance_secs(61);
    assert_eq!(
        post_from(&app, login, "198.51.100.4", &bad).await,
        401,
        "a new window"
    );
}

async fn an_ipv6_client_is_counted_by_its_64(app: TestApp) {
    app.create_org("acme").await;
    align_to_window(&app);
    let bad = json!({"org_id": "acme", "password": "wrong password!"});
    let login = "/api/v1/auth/login";
    assert_eq!(post_from(&app, login, "2001:db8:1:2::1", &bad).await, 401);
    assert_eq!(post_from(&app, login, "2001:db8:1:2::2", &bad).await, 401);
    assert_eq!(
        post_from(&app, login, "2001:db8:1:2:ffff:1:2:3", &bad).await,
        429,
        "another address of the same /64 is the same client"
    );
    assert_eq!(
        post_from(&app, login, "2001:db8:1:3::1", &bad).await,
        401,
        "the next /64 is another client"
    );
    let forgot = json!({"org_id": "acme"});
    let path = "/api/v1/auth/forgot-password";
    assert_eq!(post_from(&app, path, "2001:db8:7:7::1", &forgot).await, 202);
    assert_eq!(post_from(&app, path, "2001:db8:7:7::2", &forgot).await, 202);
    assert_eq!(post_from(&app, path, "2001:db8:7:7::3", &forgot).await, 429);
}
