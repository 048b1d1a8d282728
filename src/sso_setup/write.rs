//! Writes of the SSO configuration with the events they cause, in one transaction
//! (CONTRACT.md §15): `sso.config_created`, `sso.config_updated` or `sso.config_deleted`
//! showing the configuration as GET does (write-only secrets as `*_set` flags), and
//! `user.roles_changed` for each directory user whose mapped roles the change altered;
//! then the sessions follow the new configuration and the change is audited.

use serde_json::{json, Value};

use crate::clock::{rfc3339, Millis};
use crate::credentials::ChangedBy;
use crate::domain::OrgId;
use crate::federation::config::{read_view, SsoConfig};
use crate::federation::metadata_refresh::{refresh_url, DEFAULT_PERIOD_MS};
use crate::federation::{sp_urls, LoadedConfig};
use crate::http::error::{ApiError, ApiResult};
use crate::login::role_changes::{append_changes, Actor, Directory, RoleConfig};
use crate::login::session_roles::{refresh_user_sessions, RolePolicy};
use crate::state::AppState;
use crate::store::{DirTx, NewAuditEvent, NewEvent};

/// The configuration as every read shows it, with the SP side and timestamps.
pub fn config_json(state: &AppState, org: &OrgId, loaded: &LoadedConfig) -> Value {
    let mut body = read_view(&loaded.config);
    let (entity_id, acs_url) = sp_urls(&state.settings, org);
    body["sp"] = json!({"entity_id": entity_id, "acs_url": acs_url, "metadata_url": entity_id});
    body["created_at"] = json!(rfc3339(loaded.created_at));
    body["updated_at"] = json!(rfc3339(loaded.updated_at));
    body
}

/// What the caller asks for.
pub enum ConfigWrite<'a> {
    Create(&'a SsoConfig),
    Replace(&'a SsoConfig),
    Delete,
}

/// The whole save: the write with its events, then the sessions and the metadata refresh
/// state follow, and the SSO audit records `action`. False when there was nothing to
/// replace or delete, or a configuration to create exists already.
pub async fn save(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    change: ConfigWrite<'_>,
    action: &str,
) -> ApiResult<bool> {
    if !write(state, org, by, &change).await? {
        return Ok(false);
    }
    let saved = match &change {
        ConfigWrite::Create(cfg) | ConfigWrite::Replace(cfg) => Some(*cfg),
        ConfigWrite::Delete => None,
    };
    follow_sessions(state, org, saved).await?;
    if let Some(cfg) = saved {
        reset_after_save(state, org, cfg).await?;
    }
    let detail = json!({ "action": action }).to_string();
    let audit = NewAuditEvent {
        event: "sso_config",
        outcome: "success",
        reason: None,
        principal: Some(by.principal),
        ip: (!by.ip.is_empty()).then_some(by.ip),
        detail: Some(detail),
    };
    state.record_audit(org, &audit, None).await;
    Ok(true)
}

/// Sessions follow the configuration that granted them: a disabled or deleted one ends
/// every SSO session; otherwise each session's roles are recomputed with the new mappings.
async fn follow_sessions(state: &AppState, org: &OrgId, cfg: Option<&SsoConfig>) -> ApiResult<()> {
    match cfg.filter(|c| c.enabled) {
        None => {
            state.store.delete_org_sso_sessions(org).await?;
        }
        Some(cfg) => {
            let policy = RolePolicy {
                mappings: cfg.role_mappings(),
                default_role: cfg.default_role.clone(),
            };
            refresh_user_sessions(state, org, &policy, None).await?;
        }
    }
    Ok(())
}

/// After a save the metadata was fetched by the save itself, so the refresh state starts
/// over from there.
async fn reset_after_save(state: &AppState, org: &OrgId, config: &SsoConfig) -> ApiResult<()> {
    if refresh_url(config).is_some() {
        let now = state.clock.now_ms();
        state
            .store
            .reset_metadata_refresh(org, now, now + DEFAULT_PERIOD_MS)
            .await?;
    }
    Ok(())
}

async fn write(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    change: &ConfigWrite<'_>,
) -> ApiResult<bool> {
    let now = state.clock.now_ms();
    let mut tx = state.store.begin_dir().await?;
    let before = match change {
        ConfigWrite::Create(cfg) => {
            if !tx
                .insert_sso_config(
                    org,
                    cfg.protocol.as_str(),
                    cfg.enabled,
                    cfg.enforce_sso,
                    &serialize(cfg)?,
                    now,
                )
                .await?
            {
                return Ok(false);
            }
            None
        }
        ConfigWrite::Replace(_) | ConfigWrite::Delete => match tx.lock_sso_config(org).await? {
            Some(locked) => Some(locked),
            None => return Ok(false),
        },
    };
    let (kind, shown) = match change {
        ConfigWrite::Create(cfg) => ("sso.config_created", loaded(cfg, now, now)),
        ConfigWrite::Replace(cfg) => {
            let created_at = before.as_ref().map_or(now, |b| b.1);
            tx.update_sso_config(
                org,
                cfg.protocol.as_str(),
                cfg.enabled,
                cfg.enforce_sso,
                &serialize(cfg)?,
                now,
            )
            .await?;
            ("sso.config_updated", loaded(cfg, created_at, now))
        }
        ConfigWrite::Delete => {
            tx.delete_sso_config(org).await?;
            let (text, created_at, updated_at) = before.clone().ok_or_else(ApiError::internal)?;
            ("sso.config_deleted", parsed(&text, created_at, updated_at)?)
        }
    };
    let (actor_type, actor_id) = (by.actor_type, by.actor_id);
    let event = NewEvent {
        kind,
        actor_type,
        actor_id: Some(actor_id),
        data: config_json(state, org, &shown),
    };
    tx.append_event(org, &event, now).await?;
    let old = before.as_ref().map(|b| RoleConfig::parse(&b.0));
    let new = match change {
        ConfigWrite::Create(cfg) | ConfigWrite::Replace(cfg) => {
            Some(RoleConfig::parse(&serialize(cfg)?))
        }
        ConfigWrite::Delete => None,
    };
    let actor = Actor {
        kind: actor_type,
        id: Some(actor_id),
    };
    roles_changed(&mut tx, org, old.as_ref(), new.as_ref(), actor, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Every directory user whose roles differ between the two configurations gets an event.
async fn roles_changed(
    tx: &mut DirTx,
    org: &OrgId,
    old: Option<&RoleConfig>,
    new: Option<&RoleConfig>,
    actor: Actor<'_>,
    now: Millis,
) -> ApiResult<()> {
    let same = match (old, new) {
        (None, None) => true,
        (Some(a), Some(b)) => a.mappings == b.mappings && a.default_role == b.default_role,
        _ => false,
    };
    if same {
        return Ok(());
    }
    let dir = Directory::read(tx, org, None).await?;
    let before = dir.roles(old);
    let after = dir.roles(new);
    append_changes(tx, org, &before, (&dir, &after), actor, now).await?;
    Ok(())
}

fn serialize(cfg: &SsoConfig) -> ApiResult<String> {
    serde_json::to_string(cfg).map_err(|_| ApiError::internal())
}

fn loaded(cfg: &SsoConfig, created_at: Millis, updated_at: Millis) -> LoadedConfig {
    LoadedConfig {
        config: cfg.clone(),
        created_at,
        updated_at,
    }
}

fn parsed(text: &str, created_at: Millis, updated_at: Millis) -> ApiResult<LoadedConfig> {
    let value: Value = serde_json::from_str(text).map_err(|_| ApiError::internal())?;
    let config = SsoConfig::from_json(value).map_err(|_| ApiError::internal())?;
    Ok(loaded(&config, created_at, updated_at))
}
