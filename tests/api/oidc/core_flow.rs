//! The relying-party core (begin, finish) against the fake provider, on both databases:
//! a good login, every forged token with its typed reason, replayed state and code, a
//! callback from another browser, an expired flow, and JWKS refetch on rotation.

use axid::clock::Clock;
use axid::config::Secret;
use axid::domain::OrgId;
use axid::oidc::login::{begin, finish, CallbackQuery, Completed, LoginError, RelyingParty};
use axid::protocol::oidc::claims::{ClaimMapping, ClaimPolicy, Provider};
use axid::protocol::oidc::runtime::OidcRuntime;
use axid::protocol::oidc::OidcReason;

use super::fake_provider::{FakeProvider, Mint, CLIENT_ID, CLIENT_SECRET};
use crate::helpers::TestApp;
use crate::oidc_both_dbs;

/// One organization's relying party against one provider.
pub struct Rp {
    pub org: OrgId,
    pub client_id: String,
    pub issuer: String,
    pub secret: Secret,
    pub scopes: Vec<String>,
    pub mapping: ClaimMapping,
    pub domains: Vec<String>,
    pub redirect_uri: String,
    pub rt: OidcRuntime,
}

impl Rp {
    pub async fn new(app: &TestApp, org: &str, issuer: &str) -> Self {
        app.create_org(org).await;
        let org = OrgId::parse(org).unwrap();
        Self {
            redirect_uri: axid::protocol::oidc::flow::redirect_uri(&app.state.settings, &org),
            org,
            client_id: CLIENT_ID.to_owned(),
            issuer: issuer.to_owned(),
            secret: Secret::new(CLIENT_SECRET),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            mapping: ClaimMapping::defaults(Provider::Generic),
            domains: vec!["acme.test".into()],
            rt: OidcRuntime::from_settings(&app.state.settings),
        }
    }

    pub fn party(&self) -> RelyingParty<'_> {
        RelyingParty {
            org: &self.org,
            issuer: &self.issuer,
            client_id: &self.client_id,
            client_secret: &self.secret,
            scopes: &self.scopes,
            redirect_uri: &self.redirect_uri,
            skew_secs: 60,
            claims: ClaimPolicy {
                provider: Provider::Generic,
                mapping: &self.mapping,
                allowed_email_domains: &self.domains,
                issuer: &self.issuer,
            },
        }
    }
}

/// A started flow after the provider answered: the callback query and the binding cookie.
pub struct Callback {
    pub query: String,
    pub binding: String,
}

/// begin, then a fresh browser's visit to the provider, following its redirects (with its
/// cookies) until it sends the browser back to our callback.
async fn start_as(app: &TestApp, rp: &Rp, login_hint: Option<&str>) -> Callback {
    let now = app.clock.now_ms();
    let started = begin(&rp.rt, &app.state.store, &rp.party(), Some("/dash"), now)
        .await
        .unwrap_or_else(|e| panic!("begin: {e:?}"));
    let mut url = url::Url::parse(&started.authorization_url).unwrap();
    if let Some(hint) = login_hint {
        url.query_pairs_mut().append_pair("login_hint", hint);
    }
    let browser = crate::helpers::new_client();
    for _ in 0..10 {
        let res = browser.get(url.clone()).send().await.unwrap();
        assert!(res.status().is_redirection(), "{} at {url}", res.status());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        url = url.join(&location).unwrap();
        if url.as_str().starts_with(&rp.redirect_uri) {
            return Callback {
                query: url.query().unwrap_or_default().to_owned(),
                binding: started.binding,
            };
        }
    }
    panic!("the provider never redirected back to the callback");
}

async fn start(app: &TestApp, rp: &Rp) -> Callback {
    start_as(app, rp, None).await
}

async fn complete(
    app: &TestApp,
    rp: &Rp,
    cb: &Callback,
    binding: Option<&str>,
) -> Result<Completed, OidcReason> {
    let q = CallbackQuery::parse(&cb.query)?;
    let now = app.clock.now_ms();
    match finish(&rp.rt, &app.state.store, &rp.party(), &q, binding, now).await {
        Ok(done) => Ok(done),
        Err(LoginError::Refused { reason, detail }) => {
            assert!(
                !detail.contains(&cb.binding) && !detail.contains(CLIENT_SECRET),
                "{detail}"
            );
            Err(reason)
        }
        Err(LoginError::Store(e)) => panic!("store: {e}"),
    }
}

async fn login(app: &TestApp, rp: &Rp) -> Result<Completed, OidcReason> {
    let cb = start(app, rp).await;
    complete(app, rp, &cb, Some(&cb.binding)).await
}

async fn a_valid_login_yields_the_identity_and_uses_the_cached_jwks(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    let done = login(&app, &rp).await.expect("login");
    assert_eq!(done.identity.subject, "user-1");
    assert_eq!(done.identity.email.as_deref(), Some("ann@acme.test"));
    assert_eq!(done.identity.groups, ["engineering", "axid-admins"]);
    assert_eq!(done.return_to, "/dash");
    login(&app, &rp).await.expect("second login");
    assert_eq!(idp.jwks_fetches(), 1, "the JWKS is cached per organization");
}

async fn every_forged_token_is_refused_with_its_reason(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    let cases = [
        (Mint::WrongAud, OidcReason::AudienceMismatch),
        (Mint::WrongIss, OidcReason::IssuerMismatch),
        (Mint::Expired, OidcReason::TokenExpired),
        (Mint::WrongNonce, OidcReason::NonceMismatch),
        (Mint::AlgNone, OidcReason::AlgNotAllowed),
        (Mint::Hs256WithClientSecret, OidcReason::AlgNotAllowed),
        (Mint::KeyNotInJwks, OidcReason::KidUnknown),
    ];
    for (mint, reason) in cases {
        idp.set_mint(mint);
        assert_eq!(login(&app, &rp).await.unwrap_err(), reason, "{mint:?}");
    }
    idp.set_mint(Mint::Valid);
    idp.set_claims(serde_json::json!({"email": "eve@evil.test", "email_verified": true}));
    assert_eq!(
        login(&app, &rp).await.unwrap_err(),
        OidcReason::EmailDomainNotAllowed
    );
    idp.set_claims(serde_json::json!({"email": "ann@acme.test", "email_verified": false}));
    assert_eq!(
        login(&app, &rp).await.unwrap_err(),
        OidcReason::EmailNotVerified
    );
}

async fn replayed_state_and_replayed_code_are_refused(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    let first = start(&app, &rp).await;
    complete(&app, &rp, &first, Some(&first.binding))
        .await
        .expect("login");
    let again = complete(&app, &rp, &first, Some(&first.binding)).await;
    assert_eq!(again.unwrap_err(), OidcReason::StateReplayed);
    // The stolen code under a fresh flow: the provider refuses it (used, and PKCE differs).
    let fresh = start(&app, &rp).await;
    let old_code = first
        .query
        .split('&')
        .find(|p| p.starts_with("code="))
        .unwrap();
    let new_state = fresh
        .query
        .split('&')
        .find(|p| p.starts_with("state="))
        .unwrap();
    let forged = Callback {
        query: format!("{old_code}&{new_state}"),
        binding: fresh.binding.clone(),
    };
    let replay = complete(&app, &rp, &forged, Some(&fresh.binding)).await;
    assert_eq!(replay.unwrap_err(), OidcReason::CodeRejected);
}

async fn a_callback_in_another_browser_is_refused_and_does_not_burn_the_flow(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    let cb = start(&app, &rp).await;
    let stranger = axid::protocol::binding::new_binding();
    for binding in [None, Some(stranger.as_str())] {
        assert_eq!(
            complete(&app, &rp, &cb, binding).await.unwrap_err(),
            OidcReason::BrowserMismatch
        );
    }
    complete(&app, &rp, &cb, Some(&cb.binding))
        .await
        .expect("the real browser completes");
    for (query, reason) in [
        ("code=x", OidcReason::StateMissing),
        ("code=x&state=nope", OidcReason::StateUnknown),
        ("state=a&state=b", OidcReason::BadRequest),
        ("error=access_denied", OidcReason::IdpError),
    ] {
        let bad = Callback {
            query: query.into(),
            binding: cb.binding.clone(),
        };
        assert_eq!(
            complete(&app, &rp, &bad, Some(&cb.binding))
                .await
                .unwrap_err(),
            reason,
            "{query}"
        );
    }
}

async fn a_flow_expires_after_ten_minutes(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    let cb = start(&app, &rp).await;
    app.clock.advance_secs(601);
    let late = complete(&app, &rp, &cb, Some(&cb.binding)).await;
    assert_eq!(late.unwrap_err(), OidcReason::StateExpired);
}

async fn a_rotated_key_is_fetched_once_and_forged_kids_are_rate_limited(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rp = Rp::new(&app, "acme", &idp.issuer).await;
    login(&app, &rp).await.expect("login with key 0");
    assert_eq!(idp.jwks_fetches(), 1);
    // A kid the provider never published: one refetch per 30 s at most, then kid_unknown.
    idp.set_mint(Mint::KeyNotInJwks);
    app.clock.advance_secs(31);
    assert_eq!(login(&app, &rp).await.unwrap_err(), OidcReason::KidUnknown);
    assert_eq!(idp.jwks_fetches(), 2);
    for _ in 0..3 {
        app.clock.advance_secs(5);
        assert_eq!(login(&app, &rp).await.unwrap_err(), OidcReason::KidUnknown);
    }
    assert_eq!(
        idp.jwks_fetches(),
        2,
        "forged kids do not hammer the provider"
    );
    let after_forgeries = idp.jwks_fetches();
    // The provider rotates to key 1: the next login refetches once and succeeds.
    idp.set_mint(Mint::Valid);
    idp.rotate(1, &[0, 1]);
    app.clock.advance_secs(31);
    login(&app, &rp).await.expect("login with the rotated key");
    login(&app, &rp).await.expect("and again from the cache");
    assert_eq!(idp.jwks_fetches(), after_forgeries + 1);
}

async fn discovery_checks_the_issuer_exactly(app: TestApp) {
    let idp = FakeProvider::start().await;
    let rt = OidcRuntime::from_settings(&app.state.settings);
    let now = app.clock.now_ms();
    assert!(rt.discover_now(&idp.issuer, now).await.is_ok());
    let err = rt
        .discover_now(&format!("{}/", idp.issuer), now)
        .await
        .unwrap_err();
    assert!(err.0.contains("not exactly the configured issuer"), "{err}");
    let strict = OidcRuntime::from_settings(&axid::config::Settings {
        oidc_allow_http: false,
        sso_fetch_allow_private: false,
        ..app.state.settings.clone()
    });
    let err = strict.discover_now(&idp.issuer, now).await.unwrap_err();
    assert!(err.0.contains("OIDC_ALLOW_HTTP"), "{err}");
}

oidc_both_dbs!(
    a_valid_login_yields_the_identity_and_uses_the_cached_jwks,
    every_forged_token_is_refused_with_its_reason,
    replayed_state_and_replayed_code_are_refused,
    a_callback_in_another_browser_is_refused_and_does_not_burn_the_flow,
    a_flow_expires_after_ten_minutes,
    a_rotated_key_is_fetched_once_and_forged_kids_are_rate_limited,
    discovery_checks_the_issuer_exactly,
);
