//! The parts of the OpenAPI document every JSON surface shares: the credentials of
//! CONTRACT §1 as security schemes, and the §2 error body.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::ToSchema;

/// Which credential an operation takes (CONTRACT §1); each names the security schemes a
/// client may use, any one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No credential.
    Public,
    /// `X-Admin-API-Key`.
    Admin,
    /// The portal session cookie or a portal API key.
    Portal,
    /// The portal session cookie alone.
    Session,
    /// OAuth client credentials (Basic, or in the form).
    Client,
    /// A Bearer access token axid issued.
    AccessToken,
    /// What the forward-auth check accepts: an access token, client credentials or the
    /// session cookie (§14).
    Verify,
}

impl Auth {
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Auth::Public => &[],
            Auth::Admin => &["admin_key"],
            // API keys first: a client without a browser uses one, and a session's sign-out
            // does not end it.
            Auth::Portal => &["api_key_bearer", "api_key_header", "session"],
            Auth::Session => &["session"],
            Auth::Client => &["client_basic"],
            Auth::AccessToken => &["access_token"],
            Auth::Verify => &["access_token", "client_basic", "session"],
        }
    }
}

/// The security schemes the operations name, by name.
pub fn security_schemes() -> Vec<(&'static str, SecurityScheme)> {
    let header = |name: &str| SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(name)));
    let http = |scheme: HttpAuthScheme, about: &str| {
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(scheme)
                .description(Some(about))
                .build(),
        )
    };
    vec![
        ("admin_key", header("X-Admin-API-Key")),
        (
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("axonflow_session"))),
        ),
        (
            "api_key_bearer",
            http(HttpAuthScheme::Bearer, "A portal API key (`axk_…`)."),
        ),
        ("api_key_header", header("X-API-Key")),
        (
            "client_basic",
            http(
                HttpAuthScheme::Basic,
                "OAuth client id and secret (RFC 6749 §2.3.1).",
            ),
        ),
        (
            "access_token",
            http(
                HttpAuthScheme::Bearer,
                "An access token from `/oauth2/token`.",
            ),
        ),
    ]
}

/// CONTRACT §2: every `/api/*` error.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// A snake_case code a client can match on.
    #[schema(example = "invalid_org_id")]
    error: String,
    /// A sentence for a person.
    message: String,
}

/// RFC 6749 §5.2: the error body of `/oauth2/*` (token, introspection, userinfo).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_token`, ...
    #[schema(example = "invalid_client")]
    error: String,
    error_description: Option<String>,
}

/// The SSO protocols, as the SSO configuration and the sign-in availability both name them
/// (one schema, since the document keys schemas by name).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SsoProtocol {
    Saml,
    Oidc,
}
