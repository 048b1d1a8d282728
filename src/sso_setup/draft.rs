//! The draft SSO configuration (CONTRACT.md §16): saved through the same preparation as the
//! live one (metadata parsed, secrets encrypted, every check), tested, then activated into
//! the live configuration by the same save as `PUT /api/v1/sso/config`, or discarded.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use super::prepare::prepare;
use super::write::{save, ConfigWrite};
use crate::clock::Millis;
use crate::credentials::ChangedBy;
use crate::domain::OrgId;
use crate::federation::config::SsoConfig;
use crate::federation::load_config;
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::NewAuditEvent;

/// A stored draft, parsed, with the result of the test of this very version.
pub struct Draft {
    pub config: SsoConfig,
    pub updated_by: String,
    pub updated_at: Millis,
    pub test: Option<Value>,
}

pub fn no_draft() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_draft",
        "this organization has no draft SSO configuration; save one first",
    )
}

pub async fn load(state: &AppState, org: &OrgId) -> ApiResult<Option<Draft>> {
    let Some(record) = state.store.get_sso_draft(org).await? else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(&record.config).map_err(|_| ApiError::internal())?;
    let config = SsoConfig::from_json(value).map_err(|_| ApiError::internal())?;
    let test = record
        .test_result
        .filter(|_| record.tested_version == Some(record.updated_at))
        .and_then(|t| serde_json::from_str(&t).ok());
    Ok(Some(Draft {
        config,
        updated_by: record.updated_by,
        updated_at: record.updated_at,
        test,
    }))
}

/// Validates and stores `input` as the draft. A write-only secret left out keeps the
/// draft's, else the live configuration's.
pub async fn save_draft(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    input: Value,
) -> ApiResult<Draft> {
    let previous = match load(state, org).await? {
        Some(d) => Some(d.config),
        None => load_config(&state.store, org).await?.map(|l| l.config),
    };
    let config = prepare(state, input, previous.as_ref()).await?;
    let text = serde_json::to_string(&config).map_err(|_| ApiError::internal())?;
    let now = state.clock.now_ms();
    let updated_at = state
        .store
        .put_sso_draft(org, &text, by.principal, now)
        .await?;
    audit(state, org, by, "saved").await;
    Ok(Draft {
        config,
        updated_by: by.principal.to_owned(),
        updated_at,
        test: None,
    })
}

/// The draft becomes the live configuration, enabled; the draft is gone afterwards.
pub async fn activate(state: &AppState, org: &OrgId, by: &ChangedBy<'_>) -> ApiResult<()> {
    let mut draft = load(state, org).await?.ok_or_else(no_draft)?;
    draft.config.enabled = true;
    let live = state.store.get_sso_config(org).await?.is_some();
    let change = if live {
        ConfigWrite::Replace(&draft.config)
    } else {
        ConfigWrite::Create(&draft.config)
    };
    if !save(state, org, by, change, "activated").await? {
        return Err(ApiError::conflict(
            "config_changed",
            "the live configuration changed meanwhile; review the draft and activate again",
        ));
    }
    state.store.delete_sso_draft(org).await?;
    audit(state, org, by, "activated").await;
    Ok(())
}

pub async fn discard(state: &AppState, org: &OrgId, by: &ChangedBy<'_>) -> ApiResult<()> {
    if !state.store.delete_sso_draft(org).await? {
        return Err(no_draft());
    }
    audit(state, org, by, "discarded").await;
    Ok(())
}

async fn audit(state: &AppState, org: &OrgId, by: &ChangedBy<'_>, action: &'static str) {
    state
        .metrics
        .sso_drafts
        .with_label_values(&[action, "success"])
        .inc();
    let entry = NewAuditEvent {
        event: "sso_draft",
        outcome: "success",
        reason: None,
        principal: Some(by.principal),
        ip: (!by.ip.is_empty()).then_some(by.ip),
        detail: Some(json!({ "action": action, "actor_type": by.actor_type }).to_string()),
    };
    state.record_audit(org, &entry, None).await;
}
