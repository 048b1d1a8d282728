//! Validation of the clients API's bodies (CONTRACT.md §12) and the client JSON.

use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::domain::Role;
use crate::http::error::{ApiError, ApiResult};
use crate::jose::Alg;
use crate::state::keyring::MAX_TOKEN_TTL_SECS;
use crate::store::{ClientRecord, ClientSecretRecord};

pub const DEFAULT_TOKEN_TTL_SECS: i64 = 600;
const MIN_TOKEN_TTL_SECS: i64 = 60;
const MAX_LIST: usize = 50;

/// A client's `type` (the document's closed set; the body carries it as text).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ClientType {
    /// Machines: the client credentials grant.
    Service,
    /// Web applications: the authorization code flow of the OpenID provider.
    Web,
}

/// The algorithm a client's tokens are signed with (`jose::Alg`'s names).
#[derive(ToSchema)]
pub enum ClientSigningAlg {
    #[schema(rename = "RS256")]
    Rs256,
    #[schema(rename = "ES256")]
    Es256,
    #[schema(rename = "EdDSA")]
    EdDsa,
}

// The schema names say "client": other surfaces have request types of the same Rust names.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateClientBody)]
pub struct CreateBody {
    /// 1 to 100 characters.
    pub name: String,
    #[serde(rename = "type")]
    #[schema(value_type = ClientType)]
    pub client_type: String,
    /// The client's roles, which are also the scopes it may ask for (at most 50; each 1 to
    /// 64 of `a-z 0-9 _ . : -`).
    pub roles: Option<Vec<String>>,
    /// The audiences its tokens may name (at most 50); the first is the default.
    pub audiences: Option<Vec<String>>,
    /// `web` clients: the exact redirect URIs (https, or http on loopback; at most 50).
    pub redirect_uris: Option<Vec<String>>,
    /// Access token lifetime, 60 to 3600 (default 600).
    #[schema(minimum = 60, maximum = 3600)]
    pub token_ttl_secs: Option<i64>,
    /// Default `RS256`.
    #[schema(value_type = Option<ClientSigningAlg>)]
    pub signing_alg: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PatchClientBody)]
pub struct PatchBody {
    pub name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub audiences: Option<Vec<String>>,
    pub redirect_uris: Option<Vec<String>>,
    #[schema(minimum = 60, maximum = 3600)]
    pub token_ttl_secs: Option<i64>,
    #[schema(value_type = Option<ClientSigningAlg>)]
    pub signing_alg: Option<String>,
    /// A disabled client's tokens and credentials stop working at once.
    pub disabled: Option<bool>,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RotateClientSecretBody)]
pub struct RotateBody {
    /// How long the newest earlier secret keeps working, 0 to 2592000 (default 86400).
    #[schema(minimum = 0, maximum = 2592000)]
    pub previous_secret_ttl_secs: Option<i64>,
}

pub fn name(text: &str) -> ApiResult<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_name",
            "name must be 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

pub fn client_type(text: &str) -> ApiResult<&'static str> {
    match text {
        "service" => Ok("service"),
        "web" => Ok("web"),
        _ => Err(ApiError::bad_request(
            "invalid_type",
            "type must be \"service\" or \"web\"",
        )),
    }
}

fn bounded(list: &[String], field: &str) -> ApiResult<()> {
    if list.len() > MAX_LIST {
        return Err(ApiError::bad_request(
            "invalid_request",
            format!("{field} holds at most {MAX_LIST} values"),
        ));
    }
    Ok(())
}

pub fn roles(list: &[String]) -> ApiResult<String> {
    bounded(list, "roles")?;
    let mut roles: Vec<String> = Vec::new();
    for r in list {
        let role = Role::parse(r).map_err(|m| ApiError::bad_request("invalid_role", m))?;
        if !roles.iter().any(|x| x == role.as_str()) {
            roles.push(role.as_str().to_owned());
        }
    }
    Ok(json!(roles).to_string())
}

/// An audience is what resource servers compare `aud` with: a URI or a plain name, without
/// spaces or control characters.
pub fn audiences(list: &[String]) -> ApiResult<String> {
    bounded(list, "audiences")?;
    for a in list {
        if a.is_empty() || a.len() > 512 || a.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ApiError::bad_request(
                "invalid_audience",
                "each audience must be 1 to 512 characters without spaces",
            ));
        }
    }
    Ok(json!(list).to_string())
}

/// RFC 6749 §3.1.2: absolute, no fragment; https, or http on a loopback host (RFC 8252 §7.3).
pub fn redirect_uris(list: &[String]) -> ApiResult<String> {
    bounded(list, "redirect_uris")?;
    for uri in list {
        let parsed = url::Url::parse(uri)
            .ok()
            .filter(|u| u.fragment().is_none() && u.has_host());
        let ok = parsed.is_some_and(|u| {
            u.scheme() == "https"
                || (u.scheme() == "http"
                    && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
        });
        if !ok || uri.len() > 2048 {
            return Err(ApiError::bad_request(
                "invalid_redirect_uri",
                "redirect URIs must be absolute https URLs without a fragment (http only on loopback)",
            ));
        }
    }
    Ok(json!(list).to_string())
}

pub fn token_ttl(secs: i64) -> ApiResult<i64> {
    if !(MIN_TOKEN_TTL_SECS..=MAX_TOKEN_TTL_SECS).contains(&secs) {
        return Err(ApiError::unprocessable(
            "invalid_token_ttl",
            format!("token_ttl_secs must be between {MIN_TOKEN_TTL_SECS} and {MAX_TOKEN_TTL_SECS}"),
        ));
    }
    Ok(secs)
}

pub fn signing_alg(text: &str) -> ApiResult<Alg> {
    Alg::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_signing_alg",
            "signing_alg must be RS256, ES256 or EdDSA",
        )
    })
}

/// At most 30 days: an older secret that lives longer than that is a second credential.
pub fn previous_secret_ttl(secs: Option<i64>) -> ApiResult<i64> {
    let secs = secs.unwrap_or(86_400);
    if !(0..=30 * 86_400).contains(&secs) {
        return Err(ApiError::unprocessable(
            "invalid_previous_secret_ttl",
            "previous_secret_ttl_secs must be between 0 and 2592000",
        ));
    }
    Ok(secs)
}

fn list_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!([]))
}

pub fn secret_json(s: &ClientSecretRecord) -> Value {
    json!({
        "id": s.id,
        "prefix": s.prefix,
        "created_at": rfc3339(s.created_at),
        "expires_at": s.expires_at.map(rfc3339),
        "last_used_at": s.last_used_at.map(rfc3339),
    })
}

pub fn client_json(c: &ClientRecord, secrets: &[ClientSecretRecord]) -> Value {
    let secrets: Vec<Value> = secrets
        .iter()
        .filter(|s| s.client_ref == c.id)
        .map(secret_json)
        .collect();
    json!({
        "id": c.id,
        "client_id": c.client_id,
        "name": c.name,
        "type": c.client_type,
        "roles": list_of(&c.roles),
        "audiences": list_of(&c.audiences),
        "redirect_uris": list_of(&c.redirect_uris),
        "token_ttl_secs": c.token_ttl_secs,
        "signing_alg": c.signing_alg,
        "disabled": c.disabled,
        "created_at": rfc3339(c.created_at),
        "last_used_at": c.last_used_at.map(rfc3339),
        "secrets": secrets,
    })
}
