//! `GET /oauth2/userinfo` (OIDC Core §5.3, CONTRACT.md §13): the signed-in user of a Bearer
//! access token issued by the authorization code grant. The token check reads the directory,
//! so a user deactivated by SCIM gets `invalid_token` here at once (RFC 6750 §3.1).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use crate::issuer::access_token::{check, org_admin_subject, AccessToken};
use crate::issuer::client_auth::{authorization, AuthorizationHeader};
use crate::state::AppState;

/// RFC 6750 §3: the challenge names the error; the body repeats it as JSON.
fn bearer_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let challenge =
        format!("Bearer realm=\"axid\", error=\"{error}\", error_description=\"{description}\"");
    HttpResponse::build(status)
        .insert_header(("WWW-Authenticate", challenge))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({"error": error, "error_description": description}))
}

pub async fn userinfo(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let token = match authorization(&req) {
        Ok(AuthorizationHeader::Bearer(token)) => token,
        Ok(AuthorizationHeader::None) => {
            // RFC 6750 §3.1: no credential at all gets a bare challenge.
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer realm=\"axid\""))
                .insert_header(("Cache-Control", "no-store"))
                .json(json!({"error": "invalid_token", "error_description": "send the access token as a Bearer credential"}));
        }
        Ok(_) | Err(_) => {
            return bearer_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "send the access token as one Bearer credential",
            )
        }
    };
    let checked = match check(&state, &token).await {
        Ok(Ok(t)) if !t.is_client => t,
        Ok(Ok(_)) => {
            return bearer_error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "the token names a client, not a signed-in user",
            )
        }
        Ok(Err(refusal)) => {
            let description = format!("the access token is not valid ({})", refusal.as_str());
            return bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", &description);
        }
        Err(e) => {
            tracing::warn!(error = %e, "userinfo: database error");
            return HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "5"))
                .json(json!({"error": "temporarily_unavailable", "error_description": "try again shortly"}));
        }
    };
    match claims_of(&state, &checked).await {
        Ok(body) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(body),
        Err(e) => {
            tracing::warn!(error = %e, "userinfo: database error");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "5"))
                .json(json!({"error": "temporarily_unavailable", "error_description": "try again shortly"}))
        }
    }
}

/// `sub`, `org_id`, `roles` from the token; `email` and `name` from the directory now.
async fn claims_of(state: &AppState, t: &AccessToken) -> crate::store::StoreResult<Value> {
    let mut out = Map::new();
    out.insert("sub".into(), json!(t.subject));
    out.insert("org_id".into(), json!(t.org.as_str()));
    out.insert("roles".into(), json!(t.roles));
    if t.subject != org_admin_subject(&t.org) {
        if let Some(user) = state.store.get_user(&t.org, &t.subject).await? {
            if let Some(email) = user.email_lc {
                out.insert("email".into(), json!(email));
                out.insert("email_verified".into(), json!(true));
            }
            if let Some(name) = user.display_name {
                out.insert("name".into(), json!(name));
            }
        }
    }
    Ok(Value::Object(out))
}
