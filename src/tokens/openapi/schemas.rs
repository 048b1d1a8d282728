//! The token service's response bodies and form bodies as the document shows them: each
//! mirrors the `json!` (or the form) its handler builds or reads, key for key.
// Doc-only types: they are never built, only their schemas are used.
#![allow(dead_code)]

use utoipa::ToSchema;

use crate::clients::input::{ClientSigningAlg, ClientType};

/// `grant_type` values `/oauth2/token` serves (`token_endpoint::GRANT_TYPES`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GrantType {
    ClientCredentials,
    AuthorizationCode,
}

/// The token request (RFC 6749 §4.4.2, §4.1.3). Each parameter at most once (a repeat is
/// `invalid_request`), an empty value counts as omitted, the body is at most 16 KiB.
#[derive(ToSchema)]
pub struct TokenRequest {
    grant_type: GrantType,
    /// `client_secret_post`: with `client_secret`, instead of Basic. With Basic it may be
    /// sent, and must then be Basic's client id.
    #[schema(required = false)]
    client_id: String,
    /// `client_secret_post` only; sending it with Basic is `invalid_request`.
    #[schema(required = false)]
    client_secret: String,
    /// `client_credentials`: space-separated roles of the client the token should carry
    /// (default: all of them); a role it lacks is `invalid_scope`.
    #[schema(required = false)]
    scope: String,
    /// `client_credentials`: one of the client's audiences (default: its first, else the
    /// issuer); another is `invalid_target`.
    #[schema(required = false)]
    audience: String,
    /// RFC 8707: the same as `audience` (at most one; if both are sent they must agree).
    #[schema(required = false)]
    resource: String,
    /// `authorization_code`: the code from `/oauth2/authorize`.
    #[schema(required = false)]
    code: String,
    /// `authorization_code`: the redirect URI the code was issued for.
    #[schema(required = false)]
    redirect_uri: String,
    /// `authorization_code`: the PKCE verifier (RFC 7636) of the S256 challenge.
    #[schema(required = false)]
    code_verifier: String,
}

#[derive(ToSchema)]
pub enum BearerTokenType {
    Bearer,
}

/// RFC 6749 §5.1 (and OIDC Core §3.1.3.3 for the code grant).
#[derive(ToSchema)]
pub struct TokenResponse {
    /// An RFC 9068 JWT (`typ` `at+jwt`).
    access_token: String,
    token_type: BearerTokenType,
    /// Seconds left: a reused token reports what it has left.
    expires_in: i64,
    /// The granted scope, space-separated (may be empty).
    scope: String,
    /// `authorization_code` only: the ID token.
    #[schema(required = false)]
    id_token: String,
}

/// RFC 7662 §2.1. The caller authenticates as a client (Basic or form fields).
#[derive(ToSchema)]
pub struct IntrospectionRequest {
    /// The access token to check.
    token: String,
    /// Accepted and ignored: only access tokens are introspected.
    #[schema(required = false)]
    token_type_hint: String,
    #[schema(required = false)]
    client_id: String,
    #[schema(required = false)]
    client_secret: String,
}

/// RFC 7662 §2.2: `{"active": false}` alone, or the token's claims with `active: true`.
#[derive(ToSchema)]
pub struct IntrospectionResponse {
    /// False for an invalid or expired token, one of another organization, or one whose
    /// client, secret or user was disabled, deleted or deactivated.
    active: bool,
    #[schema(required = false)]
    token_type: BearerTokenType,
    #[schema(required = false)]
    iss: String,
    /// The client id for a client's token, the axid user id for a user's.
    #[schema(required = false)]
    sub: String,
    #[schema(required = false)]
    aud: String,
    #[schema(required = false)]
    client_id: String,
    #[schema(required = false)]
    org_id: String,
    #[schema(required = false)]
    scope: String,
    #[schema(required = false)]
    roles: Vec<String>,
    /// Seconds since the epoch.
    #[schema(required = false)]
    iat: i64,
    #[schema(required = false)]
    exp: i64,
    #[schema(required = false)]
    jti: String,
}

/// The algorithms the key ring signs with (`jose::Alg`).
#[derive(ToSchema)]
pub enum JwsAlg {
    #[schema(rename = "RS256")]
    Rs256,
    #[schema(rename = "ES256")]
    Es256,
    #[schema(rename = "EdDSA")]
    EdDsa,
}

#[derive(ToSchema)]
pub enum JwkKeyType {
    #[schema(rename = "RSA")]
    Rsa,
    #[schema(rename = "EC")]
    Ec,
    #[schema(rename = "OKP")]
    Okp,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum JwkUse {
    Sig,
}

/// RFC 7517 §4 public key: `n`/`e` for RSA, `crv` `P-256` with `x`/`y` for EC, `crv`
/// `Ed25519` with `x` for OKP.
#[derive(ToSchema)]
pub struct Jwk {
    kty: JwkKeyType,
    kid: String,
    alg: JwsAlg,
    #[schema(rename = "use")]
    key_use: JwkUse,
    #[schema(required = false)]
    n: String,
    #[schema(required = false)]
    e: String,
    #[schema(required = false)]
    crv: String,
    #[schema(required = false)]
    x: String,
    #[schema(required = false)]
    y: String,
}

/// RFC 7517 §5: every key a valid token may name (next, active and retiring keys).
#[derive(ToSchema)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

/// RFC 8414 §2 / OpenID Connect Discovery 1.0 §3 (`discovery::metadata`).
#[derive(ToSchema)]
pub struct ProviderMetadata {
    /// `PUBLIC_URL`.
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    introspection_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    grant_types_supported: Vec<GrantType>,
    response_types_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    introspection_endpoint_auth_methods_supported: Vec<String>,
    code_challenge_methods_supported: Vec<String>,
    response_modes_supported: Vec<String>,
    authorization_response_iss_parameter_supported: bool,
    request_parameter_supported: bool,
    request_uri_parameter_supported: bool,
    id_token_signing_alg_values_supported: Vec<JwsAlg>,
    access_token_signing_alg_values_supported: Vec<JwsAlg>,
    subject_types_supported: Vec<String>,
    scopes_supported: Vec<String>,
    claims_supported: Vec<String>,
}

/// A client secret as lists show it: its prefix, never the secret.
#[derive(ToSchema)]
pub struct OAuthClientSecret {
    id: String,
    /// `axcs_` and the next 8 characters.
    prefix: String,
    #[schema(format = DateTime)]
    created_at: String,
    /// Set once a newer secret replaced it; null while it is the newest.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
}

/// CONTRACT §12's client JSON (`clients::input::client_json`).
#[derive(ToSchema)]
pub struct OAuthClient {
    id: String,
    /// `axc_` + random.
    client_id: String,
    name: String,
    #[schema(rename = "type")]
    client_type: ClientType,
    roles: Vec<String>,
    audiences: Vec<String>,
    redirect_uris: Vec<String>,
    token_ttl_secs: i64,
    signing_alg: ClientSigningAlg,
    disabled: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    /// Its live secrets.
    secrets: Vec<OAuthClientSecret>,
}

#[derive(ToSchema)]
pub struct OAuthClientList {
    clients: Vec<OAuthClient>,
}

/// The client as GET shows it, and its first secret: shown this once, only its SHA-256 is
/// stored.
#[derive(ToSchema)]
pub struct CreatedOAuthClient {
    #[serde(flatten)]
    client: OAuthClient,
    /// `axcs_` + 256 random bits. Shown once.
    client_secret: String,
}

/// The new secret as lists show it, and the secret itself: shown this once.
#[derive(ToSchema)]
pub struct RotatedClientSecret {
    #[serde(flatten)]
    secret: OAuthClientSecret,
    /// `axcs_` + 256 random bits. Shown once.
    client_secret: String,
}
