//! Writes of the SSO configuration with the events they cause, in one transaction
//! (CONTRACT.md §15): `sso.config_created`, `sso.config_updated` or `sso.config_deleted`
//! showing the configuration as GET does (write-only secrets as `*_set` flags), and
//! `user.roles_changed` for each directory user whose mapped roles the change altered.

use serde_json::Value;

use super::api::config_json;
use crate::clock::Millis;
use crate::federation::config::SsoConfig;
use crate::federation::LoadedConfig;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::login::role_changes::{append_changes, Actor, Directory, RoleConfig};
use crate::state::AppState;
use crate::store::{DirTx, NewEvent};

/// What the caller asks for.
pub enum ConfigWrite<'a> {
    Create(&'a SsoConfig),
    Replace(&'a SsoConfig),
    Delete,
}

/// Runs the write; false when there was nothing to replace or delete, or a configuration to
/// create exists already.
pub async fn write(
    state: &AppState,
    caller: &PortalCaller,
    change: ConfigWrite<'_>,
) -> ApiResult<bool> {
    let org = &caller.org;
    let now = state.clock.now_ms();
    let mut tx = state.store.begin_dir().await?;
    let before = match &change {
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
    let (kind, shown) = match &change {
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
    let (actor_type, actor_id) = caller.actor();
    let event = NewEvent {
        kind,
        actor_type,
        actor_id: Some(actor_id),
        data: config_json(state, org, &shown),
    };
    tx.append_event(org, &event, now).await?;
    let old = before.as_ref().map(|b| RoleConfig::parse(&b.0));
    let new = match &change {
        ConfigWrite::Create(cfg) | ConfigWrite::Replace(cfg) => {
            Some(RoleConfig::parse(&serialize(cfg)?))
        }
        ConfigWrite::Delete => None,
    };
    let actor = Actor {
        kind: actor_type,
        id: Some(actor_id),
    };
    roles_changed(&mut tx, caller, old.as_ref(), new.as_ref(), actor, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Every directory user whose roles differ between the two configurations gets an event.
async fn roles_changed(
    tx: &mut DirTx,
    caller: &PortalCaller,
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
    let dir = Directory::read(tx, &caller.org, None).await?;
    let before = dir.roles(old);
    let after = dir.roles(new);
    append_changes(tx, &caller.org, &before, (&dir, &after), actor, now).await?;
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
