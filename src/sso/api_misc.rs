//! The rest of `/api/v1/sso` (CONTRACT.md §6): configuration test, audit feed, providers
//! and their defaults, this org's SP metadata, and the SSRF-guarded IdP metadata fetch.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::federation::config::Protocol;
use crate::federation::failure::prefers_json;
use crate::federation::{load_config, providers, sp_urls};
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::keyset::{decode_cursor, encode_cursor};
use crate::net::document::fetch_text;
use crate::net::fetch::FetchError;
use crate::protocol::certs::{der_to_pem, parse_certificate, pem_to_der};
use crate::protocol::saml::idp_metadata::parse_idp_metadata;
use crate::state::AppState;

fn check(name: &str, ok: bool, detail: impl Into<String>) -> Value {
    json!({"name": name, "ok": ok, "detail": detail.into()})
}

/// Runs the checks an admin wants before switching SSO on; never changes anything.
pub async fn test_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let mut checks = Vec::new();
    let Some(loaded) = load_config(&state.store, &caller.org).await? else {
        checks.push(check(
            "configuration_present",
            false,
            "no SSO configuration is saved",
        ));
        return Ok(HttpResponse::Ok().json(json!({"ok": false, "checks": checks})));
    };
    let cfg = &loaded.config;
    checks.push(check(
        "configuration_present",
        true,
        format!("protocol {}", cfg.protocol.as_str()),
    ));
    checks.push(check(
        "enabled",
        cfg.enabled,
        if cfg.enabled {
            "SSO is enabled"
        } else {
            "SSO is disabled"
        },
    ));
    let now = state.clock.now_ms();
    if let (Protocol::Saml, Some(saml)) = (cfg.protocol, &cfg.saml) {
        for (i, pem) in saml.idp_certificates.iter().enumerate() {
            let name = format!("idp_certificate_{i}");
            match parse_certificate(pem) {
                Ok(info) if info.not_after <= now => checks.push(check(
                    &name,
                    false,
                    format!("{} expired at {}", info.subject, rfc3339(info.not_after)),
                )),
                Ok(info) => {
                    let days = (info.not_after - now) / 86_400_000;
                    let note = if days < 30 { " (renew soon)" } else { "" };
                    checks.push(check(
                        &name,
                        true,
                        format!(
                            "{} valid until {}, {days} days left{note}",
                            info.subject,
                            rfc3339(info.not_after)
                        ),
                    ));
                }
                Err(e) => checks.push(check(&name, false, e)),
            }
        }
        let keys = state.sso.trusted_keys(
            caller.org.as_str(),
            loaded.updated_at,
            loaded.idp_certificates(),
        );
        checks.push(check(
            "signature_keys_load",
            keys.is_ok(),
            keys.err()
                .unwrap_or_else(|| "every certificate loads as a verification key".into()),
        ));
        if let Some(url) = saml.metadata_url.as_deref().filter(|u| !u.is_empty()) {
            let fetched = fetch_text(url, state.settings.sso_fetch_allow_private).await;
            let parsed = fetched
                .map_err(|e| e.to_string())
                .and_then(|xml| parse_idp_metadata(&xml));
            match parsed {
                Ok(md) => {
                    let same = Some(&md.entity_id) == saml.idp_entity_id.as_ref();
                    checks.push(check(
                        "metadata_url",
                        same,
                        if same {
                            "metadata fetched; entity id matches".to_owned()
                        } else {
                            format!("metadata now names entity id {}", md.entity_id)
                        },
                    ));
                }
                Err(e) => checks.push(check("metadata_url", false, e)),
            }
        }
    }
    if let (Protocol::Oidc, Some(oidc)) = (cfg.protocol, &cfg.oidc) {
        checks.extend(crate::federation::oidc_checks::test_checks(&state, oidc, now).await);
    }
    if cfg.default_role.is_none() && cfg.group_role_mappings.is_empty() {
        checks.push(check(
            "roles",
            false,
            "no default_role and no group_role_mappings: every login would be refused with no_role",
        ));
    } else {
        checks.push(check(
            "roles",
            true,
            "logins get mapped roles or the default role",
        ));
    }
    let ok = checks.iter().all(|c| c["ok"] == json!(true));
    Ok(HttpResponse::Ok().json(json!({"ok": ok, "checks": checks})))
}

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    /// `success` or `failure`.
    outcome: Option<String>,
    /// An exact reason code (`signature_invalid`, ...).
    reason: Option<String>,
    /// The reference a refused user was shown.
    reference: Option<String>,
}

/// SSO logins (with typed reasons) and configuration changes, newest first.
pub async fn audit_feed(
    state: web::Data<AppState>,
    caller: PortalCaller,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let before =
        match query.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "the cursor is not valid")
            })?),
            None => None,
        };
    let events = state
        .store
        .list_sso_audit_events(
            &caller.org,
            crate::store::AuditFilter {
                outcome: query.outcome.as_deref().unwrap_or_default(),
                reason: query.reason.as_deref().unwrap_or_default(),
                reference: query.reference.as_deref().unwrap_or_default().trim(),
            },
            before.as_ref().map(|(at, id)| (*at, id.as_str())),
            limit + 1,
        )
        .await?;
    let more = events.len() as i64 > limit;
    let page: Vec<_> = events.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| page.last().map(|e| encode_cursor(e.at, &e.id)))
        .flatten();
    let events: Vec<Value> = page
        .iter()
        .map(|e| {
            json!({"id": e.id, "at": rfc3339(e.at), "event": e.event, "outcome": e.outcome, "reason": e.reason,
                   "principal": e.principal, "ip": e.ip,
                   "detail": e.detail.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok())})
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"events": events, "next_cursor": next_cursor})))
}

pub async fn list_providers(caller: PortalCaller) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    Ok(HttpResponse::Ok().json(providers::list_json()))
}

#[derive(Deserialize)]
pub struct ProviderQuery {
    provider: Option<String>,
}

pub async fn provider_defaults(
    caller: PortalCaller,
    query: web::Query<ProviderQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let id = query.provider.as_deref().unwrap_or("generic");
    let provider = providers::find(id).ok_or_else(|| ApiError::not_found("provider"))?;
    Ok(HttpResponse::Ok().json(providers::defaults_json(provider)))
}

/// This org's SP metadata XML, or its key URLs as JSON when Accept prefers JSON.
pub async fn sp_metadata(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let (entity_id, acs_url) = sp_urls(&state.settings, &caller.org);
    if prefers_json(&req) {
        return Ok(HttpResponse::Ok()
            .json(json!({"entity_id": entity_id, "acs_url": acs_url, "metadata_url": entity_id})));
    }
    let xml = crate::federation::sp_metadata::sp_metadata_for(&state, &caller.org).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            crate::federation::sp_metadata::CONTENT_TYPE,
        ))
        .body(xml))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = FetchIdpMetadataBody)]
pub struct FetchBody {
    /// The IdP's metadata URL; fetched under the SSRF guard (https, public addresses).
    url: String,
}

pub async fn fetch_metadata(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<FetchBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let xml = fetch_text(&body.0.url, state.settings.sso_fetch_allow_private)
        .await
        .map_err(|e| match e {
            FetchError::BadUrl(m) => ApiError::bad_request("invalid_url", m),
            FetchError::Forbidden(m) => ApiError::unprocessable("url_not_allowed", m),
            FetchError::Failed(m) => ApiError::unprocessable("metadata_fetch_failed", m),
        })?;
    let md =
        parse_idp_metadata(&xml).map_err(|e| ApiError::unprocessable("invalid_metadata", e))?;
    let certificates: Vec<String> = md
        .certificates
        .iter()
        .filter_map(|c| pem_to_der(c).ok())
        .map(|d| der_to_pem(&d))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"idp_entity_id": md.entity_id, "idp_sso_url": md.sso_url, "idp_certificates": certificates})))
}
