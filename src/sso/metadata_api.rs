//! The metadata refresh as the SSO API shows it (CONTRACT.md §17): its state inside the
//! `saml` object of every configuration read, and `POST /api/v1/sso/metadata/refresh` to
//! refetch now (admin).

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::domain::OrgId;
use crate::federation::config::SsoConfig;
use crate::federation::metadata_refresh::{refresh_org, refresh_url, Refreshed, Trigger};
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Adds the refresh state to a configuration read (only when the configuration refreshes).
pub async fn with_refresh_state(
    state: &AppState,
    org: &OrgId,
    config: &SsoConfig,
    mut body: Value,
) -> ApiResult<Value> {
    if refresh_url(config).is_none() {
        return Ok(body);
    }
    let record = state.store.metadata_refresh_state(org).await?;
    if let Some(saml) = body.get_mut("saml").and_then(Value::as_object_mut) {
        let r = record.unwrap_or_default();
        saml.insert(
            "last_fetched_at".into(),
            json!(r.last_fetched_at.map(rfc3339)),
        );
        saml.insert("last_error".into(), json!(r.last_error));
        saml.insert(
            "next_fetch_at".into(),
            json!((r.due_at > 0).then(|| rfc3339(r.due_at))),
        );
    }
    Ok(body)
}

/// `POST /api/v1/sso/metadata/refresh`: fetch and apply now; answers what happened.
pub async fn refresh_now(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let outcome = refresh_org(&state, &caller.org, Trigger::Admin).await?;
    let body = match &outcome {
        Refreshed::NotApplicable => {
            return Err(ApiError::unprocessable(
                "metadata_refresh_off",
                "this organization has no SAML configuration with saml.metadata_url and saml.metadata_refresh",
            ))
        }
        Refreshed::Updated(changes) => json!({"outcome": "updated", "changes": changes}),
        Refreshed::Failed { reason, message } => {
            json!({"outcome": "failed", "reason": reason, "message": message})
        }
        other => json!({"outcome": other.outcome()}),
    };
    Ok(HttpResponse::Ok().json(body))
}
