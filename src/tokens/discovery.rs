//! `GET /oauth2/jwks` (RFC 7517 §5, with `Cache-Control: max-age` and an ETag) and the
//! discovery documents (RFC 8414; OpenID Connect Discovery 1.0 §3).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::oauth_error::OAuthError;
use super::token_endpoint::GRANT_TYPES;
use crate::jose::Alg;
use crate::state::AppState;

pub async fn jwks(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let jwks = state
        .issuer
        .keyring
        .jwks(&state.store, state.clock.now_ms())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "JWKS unavailable");
            OAuthError::unavailable()
        })?;
    let cache = format!("public, max-age={}", state.settings.jwks_max_age_secs);
    if if_none_match(&req, &jwks.etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, jwks.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, jwks.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(jwks.body.clone()))
}

/// RFC 9110 §13.1.2: `*` or any listed tag, weak or strong, matches.
fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

fn metadata(state: &AppState) -> serde_json::Value {
    let base = &state.settings.public_url;
    let algs: Vec<&str> = Alg::ALL.iter().map(|a| a.as_str()).collect();
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "introspection_endpoint": format!("{base}/oauth2/introspect"),
        "userinfo_endpoint": format!("{base}/oauth2/userinfo"),
        "jwks_uri": format!("{base}/oauth2/jwks"),
        "grant_types_supported": GRANT_TYPES,
        "response_types_supported": ["code"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "response_modes_supported": ["query"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "id_token_signing_alg_values_supported": algs,
        "access_token_signing_alg_values_supported": algs,
        "subject_types_supported": ["public"],
        "scopes_supported": ["openid", "email", "profile"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr",
                             "email", "email_verified", "name", "org_id", "roles"],
    })
}

pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={}", state.settings.jwks_max_age_secs),
        ))
        .json(metadata(&state))
}
