//! SAML benchmark driver (run by bench/saml/run.sh, not in CI):
//!   gen DIR N      write N Okta-shaped signed responses (base64, unsolicited) and the cert
//!   gen-encrypted DIR N  the same, the assertion encrypted (RSA-OAEP, AES-256-GCM) for the
//!                  SP key written beside them as sp.key / sp.crt
//!   validate DIR   µs per full in-process validation (every check, decryption first when
//!                  DIR has sp.key), one thread
//!   gen-acs FILE N USERS BASE ORG  N form bodies (`SAMLResponse=...`, one per line) for
//!                  the ACS of ORG at BASE, users user<i % USERS>@acme.com: wrk's input for
//!                  bench/writes (every assertion id unique, valid for five minutes)
//!   acs N C        ACS logins per second end to end over HTTP on a fresh SQLite database
//!                  (pool of DB_CONNS connections, default 1: SQLite has one writer),
//!                  IdP-initiated with unique assertion ids (the replay store is exercised)

use std::net::TcpListener;
use std::time::Instant;

use axid::clock::{Clock, SystemClock};
use axid::protocol::saml::response::{validate, TrustedKeys, ValidationContext};
use axid::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};
use axid::protocol::saml::test_idp_encrypt::Encryption;
use axid::protocol::saml::xmlenc::{DecryptionKey, DecryptionKeys};

/// The SP decryption key written by `gen-encrypted`, if DIR has one.
fn decryption_keys(dir: &str) -> Option<DecryptionKeys> {
    let pem = std::fs::read_to_string(format!("{dir}/sp.key")).ok()?;
    let der = axid::protocol::certs::private_key_pem_to_der(&pem).expect("sp.key");
    let key = DecryptionKey::from_pkcs8("spk_bench", &der).expect("sp key");
    Some(DecryptionKeys(vec![std::sync::Arc::new(key)]))
}

const KEY: &str = include_str!("../../tests/fixtures/saml/idp.key");
const SP_KEY: &str = include_str!("../../tests/fixtures/saml/idp2.key");
const SP_CERT: &str = include_str!("../../tests/fixtures/saml/idp2.crt");
const CERT: &str = include_str!("../../tests/fixtures/saml/idp.crt");
const IDP: &str = "https://idp.example.test/";
const SP: &str = "http://127.0.0.1:1/auth/saml/acme/metadata";
const ACS: &str = "http://127.0.0.1:1/auth/saml/acme/callback";

fn okta_spec(sp: &str, acs: &str, i: usize, now: i64) -> ResponseSpec {
    let mut spec = ResponseSpec::new(IDP, sp, acs, &format!("user{i}@acme.com"), now);
    spec.sign = SignMode::Assertion;
    spec.attributes = vec![
        ("email".into(), vec![format!("user{i}@acme.com")]),
        ("firstName".into(), vec!["Ada".into()]),
        ("lastName".into(), vec![format!("User{i}")]),
        (
            "groups".into(),
            vec!["Everyone".into(), "axid-admins".into()],
        ),
    ];
    spec
}

fn gen(dir: &str, n: usize, encrypted: bool) {
    std::fs::create_dir_all(dir).expect("dir");
    let idp = TestIdp::new(KEY, CERT);
    let now = SystemClock.now_ms();
    if encrypted {
        std::fs::write(format!("{dir}/sp.key"), SP_KEY).expect("write");
        std::fs::write(format!("{dir}/sp.crt"), SP_CERT).expect("write");
    }
    for i in 0..n {
        let mut spec = okta_spec(SP, ACS, i, now);
        if encrypted {
            spec.encryption = Some(Encryption::new(SP_CERT));
        }
        let b64 = idp.response_b64(&spec).expect("sign");
        std::fs::write(format!("{dir}/resp-{i:04}.b64"), b64).expect("write");
    }
    std::fs::write(format!("{dir}/idp.crt"), CERT).expect("write");
    println!("generated {n} responses in {dir}");
}

/// Signing is the IdP's cost, paid before the clock starts: on every core at once.
fn gen_acs(file: &str, n: usize, users: usize, base: &str, org: &str) {
    let sp = format!("{base}/auth/saml/{org}/metadata");
    let acs = format!("{base}/auth/saml/{org}/callback");
    let now = SystemClock.now_ms();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<Vec<String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (sp, acs) = (&sp, &acs);
                scope.spawn(move || {
                    let idp = TestIdp::new(KEY, CERT);
                    (t..n)
                        .step_by(threads)
                        .map(|i| {
                            let b64 = idp
                                .response_b64(&okta_spec(sp, acs, i % users, now))
                                .expect("sign");
                            url::form_urlencoded::Serializer::new(String::new())
                                .append_pair("SAMLResponse", &b64)
                                .finish()
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("signer"))
            .collect()
    });
    let mut out = String::new();
    for line in chunks.iter().flatten() {
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(file, out).expect("write");
    println!("generated {n} ACS form bodies for {users} users in {file}");
}

fn validate_dir(dir: &str) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "b64"))
        .collect();
    files.sort();
    let responses: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    let der = axid::protocol::certs::pem_to_der(CERT).expect("cert");
    let keys = TrustedKeys::from_der_certs(&[der]).expect("keys");
    let now = SystemClock.now_ms();
    let decryption = decryption_keys(dir);
    let ctx = ValidationContext {
        sp_entity_id: SP,
        acs_url: ACS,
        idp_entity_id: IDP,
        keys: &keys,
        expected_request_id: None,
        allow_unsolicited: true,
        clock_skew_ms: 120_000,
        now,
        decryption_keys: decryption.as_ref(),
    };
    for r in &responses {
        validate(r, &ctx).expect("valid response");
    }
    let rounds = 5;
    let start = Instant::now();
    for _ in 0..rounds {
        for r in &responses {
            let _ = std::hint::black_box(validate(r, &ctx));
        }
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / (rounds * responses.len()) as f64;
    println!(
        "axid in-process: {us:.1} us per validation ({} responses x {rounds})",
        responses.len()
    );
}

async fn acs(n: usize, concurrency: usize) {
    let dir = std::env::temp_dir().join(format!("axid-bench-{}", std::process::id()));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let vars: std::collections::HashMap<String, String> = [
        (
            "DATABASE_URL",
            format!("sqlite://{}/axid.db", dir.display()),
        ),
        ("PUBLIC_URL", base.clone()),
        ("ADMIN_API_KEY", "bench-admin-key-0123456789".into()),
        (
            "SSO_DATA_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
        ),
        (
            "DATABASE_MAX_CONNECTIONS",
            std::env::var("DB_CONNS").unwrap_or_else(|_| "1".into()),
        ),
        // Every login comes from this one address: lift the per-client SSO limit (600 a
        // minute by default), or the run measures 429s.
        ("SSO_RATE_LIMIT_PER_MINUTE", "1000000".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = axid::config::Settings::from_map(&vars).expect("settings");
    let app =
        axid::startup::Application::build_on(listener, settings, std::sync::Arc::new(SystemClock))
            .await
            .expect("app");
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    let admin = client.post(format!("{base}/api/v1/admin/organizations")).header("X-Admin-API-Key", "bench-admin-key-0123456789")
        .json(&serde_json::json!({"org_id": "acme", "name": "Acme", "password": "correct horse battery staple"})).send().await.expect("org");
    assert_eq!(admin.status(), 201);
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"org_id": "acme", "password": "correct horse battery staple"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let config = serde_json::json!({"protocol": "saml", "provider": "okta", "allow_idp_initiated": true, "default_role": "viewer",
        "saml": {"idp_entity_id": IDP, "idp_sso_url": "https://idp.example.test/sso", "idp_certificates": [CERT]}});
    assert_eq!(
        client
            .post(format!("{base}/api/v1/sso/config"))
            .json(&config)
            .send()
            .await
            .expect("config")
            .status(),
        201
    );
    let (sp, acs_url) = (
        format!("{base}/auth/saml/acme/metadata"),
        format!("{base}/auth/saml/acme/callback"),
    );
    let idp = TestIdp::new(KEY, CERT);
    let now = SystemClock.now_ms();
    // Signing is the IdP's cost: done before the clock starts. 50 users log in repeatedly.
    let bodies: Vec<String> = (0..n)
        .map(|i| {
            idp.response_b64(&okta_spec(&sp, &acs_url, i % 50, now))
                .expect("sign")
        })
        .collect();
    let bodies = std::sync::Arc::new(bodies);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (bodies, next, acs_url) = (bodies.clone(), next.clone(), acs_url.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let mut ok = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { return ok };
                let res = client
                    .post(&acs_url)
                    .form(&[("SAMLResponse", body.as_str())])
                    .send()
                    .await
                    .expect("post");
                ok += usize::from(res.status() == 303);
            }
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.expect("task");
    }
    let secs = start.elapsed().as_secs_f64();
    println!("axid ACS end to end: {:.0} logins/s ({ok}/{n} accepted, concurrency {concurrency}, SQLite)", ok as f64 / secs);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => gen(&args[2], args[3].parse().expect("N"), false),
        Some("gen-encrypted") => gen(&args[2], args[3].parse().expect("N"), true),
        Some("validate") => validate_dir(&args[2]),
        Some("gen-acs") => gen_acs(
            &args[2],
            args[3].parse().expect("N"),
            args[4].parse().expect("USERS"),
            &args[5],
            &args[6],
        ),
        Some("acs") => {
            acs(
                args[2].parse().expect("N"),
                args.get(3).and_then(|c| c.parse().ok()).unwrap_or(16),
            )
            .await
        }
        _ => eprintln!(
            "usage: saml_bench gen|gen-encrypted DIR N | validate DIR | gen-acs FILE N USERS BASE ORG | acs N [CONCURRENCY]"
        ),
    }
}
