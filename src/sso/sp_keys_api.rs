//! `/api/v1/sso/sp-keys`: this organization's SP key ring (CONTRACT.md §17) as an admin sees
//! it, certificates only (private keys never leave the store), and an early rotation.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::federation::sp_key_rotation::{rotate_now, Rotated};
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::state::AppState;
use crate::store::{KeyUse, SpKeyRecord};

fn key_json(k: &SpKeyRecord) -> Value {
    json!({
        "id": k.key_id,
        "use": k.key_use,
        "state": k.state,
        "certificate": k.certificate_pem,
        "not_after": rfc3339(k.not_after),
        "activates_at": rfc3339(k.activates_at),
        "retired_at": k.retired_at.map(rfc3339),
    })
}

async fn keys_json(state: &AppState, caller: &PortalCaller) -> ApiResult<Value> {
    let mut keys = Vec::new();
    for key_use in [KeyUse::Signing, KeyUse::Encryption] {
        keys.extend(state.store.list_sp_keys(&caller.org, key_use).await?);
    }
    Ok(json!({"keys": keys.iter().map(key_json).collect::<Vec<_>>()}))
}

/// GET: every SP key of the org, signing then encryption, newest first.
pub async fn list_keys(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    Ok(HttpResponse::Ok().json(keys_json(&state, &caller).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RotateSpKeyBody)]
pub struct RotateBody {
    /// Which key ring to rotate.
    #[serde(rename = "use")]
    #[schema(value_type = super::openapi::SpKeyUse)]
    key_use: String,
}

/// POST rotate: publishes a next key (active after the publish lead), or, when one is
/// already published, makes it active now; the old key keeps decrypting until it ends.
pub async fn rotate(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<RotateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let key_use = KeyUse::parse(&body.0.key_use).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_key_use",
            "use must be \"signing\" or \"encryption\"",
        )
    })?;
    let rotated = rotate_now(&state, &caller.org, key_use)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SP key rotation failed");
            ApiError::conflict("rotation_failed", e)
        })?;
    let (action, activates_at) = match rotated {
        Rotated::Published(at) => ("published_next", Some(rfc3339(at))),
        Rotated::Promoted => ("promoted_next", None),
    };
    let detail = json!({"action": action, "use": key_use.as_str()});
    super::api::audit_admin_action(&state, &caller, "sso_sp_key", detail).await;
    let mut body = keys_json(&state, &caller).await?;
    body["action"] = json!(action);
    body["activates_at"] = json!(activates_at);
    Ok(HttpResponse::Ok().json(body))
}
