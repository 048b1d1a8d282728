//! A small OpenID provider inside the test suite (actix on 127.0.0.1:0): discovery, JWKS,
//! an authorization endpoint that logs anyone in at once, and a token endpoint that checks
//! client_secret_basic, PKCE S256 and single-use codes, and mints the ID token the test
//! asks for, good or forged. It counts JWKS fetches.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "axid-client";
pub const CLIENT_SECRET: &str = "fake-provider-client-secret";

/// What the token endpoint puts in the next ID tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mint {
    Valid,
    WrongAud,
    WrongIss,
    Expired,
    WrongNonce,
    AlgNone,
    Hs256WithClientSecret,
    KeyNotInJwks,
}

fn keys() -> &'static [rsa::RsaPrivateKey; 3] {
    static KEYS: OnceLock<[rsa::RsaPrivateKey; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let k = || rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("rsa key");
        [k(), k(), k()]
    })
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    used: bool,
}

pub struct FakeState {
    pub issuer: String,
    mint: Mutex<Mint>,
    /// Index into `keys()` of the signing key; JWKS publishes these indexes.
    signing: Mutex<(usize, Vec<usize>)>,
    claims: Mutex<Value>,
    grants: Mutex<HashMap<String, Grant>>,
    pub jwks_fetches: AtomicUsize,
}

pub struct FakeProvider {
    pub issuer: String,
    pub state: Arc<FakeState>,
    handle: ServerHandle,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

fn kid(i: usize) -> String {
    format!("key-{i}")
}

impl FakeProvider {
    pub async fn start() -> Self {
        // Keys are generated before serving: never inside a request axid times out on.
        tokio::task::spawn_blocking(keys).await.expect("keys");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let issuer = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        let state = Arc::new(FakeState {
            issuer: issuer.clone(),
            mint: Mutex::new(Mint::Valid),
            signing: Mutex::new((0, vec![0])),
            claims: Mutex::new(json!({"email": "ann@acme.test", "email_verified": true,
                "name": "Ann Example", "groups": ["engineering", "axid-admins"]})),
            grants: Mutex::new(HashMap::new()),
            jwks_fetches: AtomicUsize::new(0),
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/jwks", web::get().to(jwks))
                .route("/authorize", web::get().to(authorize))
                .route("/token", web::post().to(token))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            issuer,
            state,
            handle,
        }
    }

    pub fn set_mint(&self, mint: Mint) {
        *self.state.mint.lock().unwrap() = mint;
    }

    /// Replaces the user claims of the next tokens (sub is "user-1" unless they name one).
    pub fn set_claims(&self, claims: Value) {
        *self.state.claims.lock().unwrap() = claims;
    }

    /// Signs with key `signing` from now on and publishes `published` in the JWKS.
    pub fn rotate(&self, signing: usize, published: &[usize]) {
        *self.state.signing.lock().unwrap() = (signing, published.to_vec());
    }

    pub fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }
}

async fn discovery(s: web::Data<FakeState>) -> HttpResponse {
    let i = &s.issuer;
    HttpResponse::Ok().json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(s: web::Data<FakeState>) -> HttpResponse {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let published = s.signing.lock().unwrap().1.clone();
    let mut list: Vec<Value> = published
        .iter()
        .map(|&i| {
            let public = keys()[i].to_public_key();
            json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid(i),
                "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())})
        })
        .collect();
    // A symmetric key holding the client secret: it must never be used.
    list.push(json!({"kty": "oct", "kid": "hmac", "k": URL_SAFE_NO_PAD.encode(CLIENT_SECRET)}));
    HttpResponse::Ok().json(json!({ "keys": list }))
}

async fn authorize(
    s: web::Data<FakeState>,
    q: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != CLIENT_ID || get("code_challenge_method") != "S256" {
        return HttpResponse::BadRequest().body("bad authorization request");
    }
    let code = axid::domain::generate_secret(axid::domain::SecretKind::Session);
    s.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            redirect_uri: get("redirect_uri"),
            used: false,
        },
    );
    let mut target = url::Url::parse(&get("redirect_uri")).expect("redirect_uri");
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &get("state"));
    HttpResponse::Found()
        .insert_header(("Location", target.to_string()))
        .finish()
}

fn invalid_grant() -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": "invalid_grant"}))
}

async fn token(
    s: web::Data<FakeState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let auth = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok());
    if auth != Some(expected.as_str()) {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_client"}));
    }
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let nonce = {
        let mut grants = s.grants.lock().unwrap();
        let Some(grant) = grants.get_mut(&get("code")) else {
            return invalid_grant();
        };
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
        if grant.used || challenge != grant.challenge || grant.redirect_uri != get("redirect_uri") {
            return invalid_grant();
        }
        grant.used = true;
        grant.nonce.clone()
    };
    let id_token = mint(&s, &nonce);
    HttpResponse::Ok()
        .json(json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}))
}

fn b64json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn mint(s: &FakeState, nonce: &str) -> String {
    use rsa::signature::{SignatureEncoding, Signer};
    let mode = *s.mint.lock().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = s.claims.lock().unwrap().clone();
    let fields = [
        ("iss", json!(s.issuer)),
        ("aud", json!(CLIENT_ID)),
        ("sub", json!("user-1")),
        ("iat", json!(now)),
        ("exp", json!(now + 300)),
        ("nonce", json!(nonce)),
    ];
    for (k, v) in fields {
        // A test may name another subject through set_claims.
        if k == "sub" && claims.get("sub").is_some() {
            continue;
        }
        claims[k] = v;
    }
    match mode {
        Mint::WrongAud => claims["aud"] = json!("another-client"),
        Mint::WrongIss => claims["iss"] = json!("https://evil.example"),
        Mint::Expired => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        Mint::WrongNonce => claims["nonce"] = json!("not-the-flows-nonce"),
        _ => {}
    }
    let signing = s.signing.lock().unwrap().0;
    let (alg, kid) = match mode {
        Mint::AlgNone => ("none", kid(signing)),
        Mint::Hs256WithClientSecret => ("HS256", "hmac".to_owned()),
        Mint::KeyNotInJwks => ("RS256", kid(2)),
        _ => ("RS256", kid(signing)),
    };
    let input = format!(
        "{}.{}",
        b64json(&json!({"alg": alg, "kid": kid, "typ": "JWT"})),
        b64json(&claims)
    );
    let sig = match mode {
        Mint::AlgNone => Vec::new(),
        Mint::Hs256WithClientSecret => {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).unwrap();
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => {
            let index = if mode == Mint::KeyNotInJwks {
                2
            } else {
                signing
            };
            rsa::pkcs1v15::SigningKey::<Sha256>::new(keys()[index].clone())
                .sign(input.as_bytes())
                .to_vec()
        }
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}
