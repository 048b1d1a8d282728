//! IdP metadata refresh (CONTRACT.md §17): `saml.metadata_url` is refetched on a schedule
//! (24 h, or the metadata's `cacheDuration`/`validUntil` within 1 h .. 7 d), at once when a
//! response is signed by a certificate not in the set (at most every 5 minutes), and when
//! an admin asks. Conditional GETs; new certificates are added and departed ones kept 7
//! days (`metadata_merge`); a changed entity id is never applied; a failure keeps the
//! configuration as it was and is recorded (`last_error`, `sso.metadata_refresh_failed`
//! when the error is new).

use serde_json::{json, Value};

use super::config::{validate_saml, SsoConfig};
use super::metadata_merge::{merge_certificates, CertMerge};
use crate::clock::Millis;
use crate::domain::OrgId;
use crate::net::document::{fetch_document, Fetched, Validators};
use crate::protocol::saml::idp_metadata::{parse_idp_metadata, IdpMetadata};
use crate::state::AppState;
use crate::store::{FetchRecord, NewAuditEvent, NewEvent, StoreError};

const HOUR_MS: i64 = 3_600_000;
pub const DEFAULT_PERIOD_MS: i64 = 24 * HOUR_MS;
const MIN_PERIOD_MS: i64 = HOUR_MS;
const MAX_PERIOD_MS: i64 = 7 * 24 * HOUR_MS;
/// After a failure the next try comes sooner than a full period.
const RETRY_AFTER_FAILURE_MS: i64 = HOUR_MS;
/// A response signed by an unknown certificate refetches at most this often per org.
pub const UNKNOWN_CERT_GAP_MS: i64 = 5 * 60_000;
/// A claimed refresh is held this long; a replica that died mid-fetch is replaced after.
const CLAIM_HOLD_MS: i64 = 10 * 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    UnknownCertificate,
    Admin,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::UnknownCertificate => "unknown_certificate",
            Self::Admin => "admin",
        }
    }
}

/// What one refresh did.
#[derive(Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// Not a SAML configuration with `metadata_url` and `metadata_refresh`.
    NotApplicable,
    NotModified,
    Unchanged,
    /// The certificate set or the SSO URL changed, or a certificate departed.
    Updated(Value),
    Failed {
        reason: &'static str,
        message: String,
    },
}

impl Refreshed {
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::NotApplicable => "not_applicable",
            Self::NotModified => "not_modified",
            Self::Unchanged => "unchanged",
            Self::Updated(_) => "updated",
            Self::Failed { .. } => "failed",
        }
    }
}

/// When the next scheduled fetch is due after a successful one.
pub fn next_period(md: &IdpMetadata, now: Millis) -> i64 {
    let mut period = md.cache_duration_ms.unwrap_or(DEFAULT_PERIOD_MS);
    if let Some(until) = md.valid_until {
        period = period.min(until - now);
    }
    period.clamp(MIN_PERIOD_MS, MAX_PERIOD_MS)
}

/// The URL to refresh from, when this configuration refreshes.
pub fn refresh_url(config: &SsoConfig) -> Option<&str> {
    config
        .saml
        .as_ref()
        .filter(|s| s.metadata_refresh)
        .and_then(|s| s.metadata_url.as_deref())
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

fn failed(reason: &'static str, message: impl Into<String>) -> Refreshed {
    Refreshed::Failed {
        reason,
        message: message.into(),
    }
}

/// Fetches and applies the org's metadata now (the caller claimed the turn).
pub async fn refresh_org(
    state: &AppState,
    org: &OrgId,
    trigger: Trigger,
) -> Result<Refreshed, StoreError> {
    let Some(loaded) = super::load_config(&state.store, org).await? else {
        return Ok(Refreshed::NotApplicable);
    };
    let Some(url) = refresh_url(&loaded.config).map(str::to_owned) else {
        return Ok(Refreshed::NotApplicable);
    };
    let now = state.clock.now_ms();
    let previous = state
        .store
        .metadata_refresh_state(org)
        .await?
        .unwrap_or_default();
    let validators = Validators {
        etag: previous.etag.as_deref(),
        last_modified: previous.last_modified.as_deref(),
    };
    let allow_private = state.settings.sso_fetch_allow_private;
    let outcome = match fetch_document(&url, allow_private, validators).await {
        Err(e) => failed("fetch_failed", format!("fetching {url} failed: {e}")),
        Ok(Fetched::NotModified) => {
            // Unchanged metadata still ends the 7 days of a departed certificate.
            let applied = apply(state, org, None, trigger, now).await?;
            let record = FetchRecord {
                validators: None,
                fetched_at: now,
                error: None,
                due_at: now + DEFAULT_PERIOD_MS,
            };
            state.store.record_metadata_fetch(org, &record).await?;
            match applied {
                Refreshed::Unchanged => Refreshed::NotModified,
                other => other,
            }
        }
        Ok(Fetched::Document {
            text,
            etag,
            last_modified,
        }) => match parse_idp_metadata(&text) {
            Err(e) => failed("invalid_metadata", e),
            Ok(md) => {
                let applied = apply(state, org, Some(&md), trigger, now).await?;
                if !matches!(applied, Refreshed::Failed { .. }) {
                    let record = FetchRecord {
                        validators: Some((etag.as_deref(), last_modified.as_deref())),
                        fetched_at: now,
                        error: None,
                        due_at: now + next_period(&md, now),
                    };
                    state.store.record_metadata_fetch(org, &record).await?;
                }
                applied
            }
        },
    };
    if let Refreshed::Failed { reason, message } = &outcome {
        record_failure(state, org, &url, trigger, (reason, message), now).await?;
    }
    finish(state, org, trigger, &outcome).await;
    Ok(outcome)
}

/// Applies fetched metadata to the stored configuration in one transaction with its event.
/// `None`: the server answered 304, so the metadata holds what the set holds less the
/// certificates recorded as departed.
async fn apply(
    state: &AppState,
    org: &OrgId,
    md: Option<&IdpMetadata>,
    trigger: Trigger,
    now: Millis,
) -> Result<Refreshed, StoreError> {
    let mut tx = state.store.begin_dir().await?;
    let Some((text, _, updated_at)) = tx.lock_sso_config(org).await? else {
        return Ok(Refreshed::NotApplicable);
    };
    let Some(mut config) = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| SsoConfig::from_json(v).ok())
    else {
        return Ok(Refreshed::NotApplicable);
    };
    let Some(saml) = config.saml.as_mut() else {
        return Ok(Refreshed::NotApplicable);
    };
    let configured = saml.idp_entity_id.clone().unwrap_or_default();
    if let Some(md) = md.filter(|md| md.entity_id != configured) {
        return Ok(failed(
            "entity_id_changed",
            format!(
                "the metadata names the entity id {:?}, the configuration {configured:?}; \
                 an entity id change is applied only when an admin saves it",
                md.entity_id
            ),
        ));
    }
    let departed = tx.departed_certificates(org).await?;
    let (published, sso_url) = match md {
        Some(md) => (md.certificates.clone(), md.sso_url.clone()),
        None => (
            still_published(&saml.idp_certificates, &departed),
            saml.idp_sso_url.clone().unwrap_or_default(),
        ),
    };
    let merge = merge_certificates(&saml.idp_certificates, &published, &departed, now);
    let url_changed = saml.idp_sso_url.as_deref() != Some(sso_url.as_str());
    if !merge.is_news() && !url_changed {
        return Ok(Refreshed::Unchanged);
    }
    saml.idp_certificates = merge.certificates.clone();
    saml.idp_sso_url = Some(sso_url.clone());
    if let Err(e) = validate_saml(saml, now) {
        return Ok(failed("invalid_metadata", e.message));
    }
    if merge.changes_set() || url_changed {
        let json = serde_json::to_string(&config).map_err(|e| StoreError::Other(e.to_string()))?;
        let (protocol, enabled, enforce) =
            (config.protocol.as_str(), config.enabled, config.enforce_sso);
        // The version must move even within one millisecond: parsed keys are cached by it.
        let version = now.max(updated_at + 1);
        tx.update_sso_config(org, protocol, enabled, enforce, &json, version)
            .await?;
    }
    record_departures(&mut tx, org, &merge, now).await?;
    let data = json!({
        "trigger": trigger.as_str(),
        "idp_sso_url": sso_url,
        "sso_url_changed": url_changed,
        "certificates_added": merge.added,
        "certificates_departed": merge.departed,
        "certificates_removed": merge.removed,
        "certificates_returned": merge.returned,
        "departed_kept_until": rfc3339_after(now, super::metadata_merge::DEPARTED_KEEP_MS),
    });
    let event = NewEvent {
        kind: "sso.metadata_refreshed",
        actor_type: "system",
        actor_id: None,
        data: data.clone(),
    };
    tx.append_event(org, &event, now).await?;
    tx.commit().await?;
    Ok(Refreshed::Updated(data))
}

/// The configured certificates not recorded as departed: what an unchanged metadata holds.
fn still_published(current: &[String], departed: &[(String, Millis)]) -> Vec<String> {
    current
        .iter()
        .filter(|c| {
            crate::protocol::certs::parse_certificate(c)
                .is_ok_and(|i| !departed.iter().any(|(fp, _)| *fp == i.sha256_fingerprint))
        })
        .cloned()
        .collect()
}

fn rfc3339_after(now: Millis, ms: i64) -> String {
    crate::clock::rfc3339(now + ms)
}

async fn record_departures(
    tx: &mut crate::store::DirTx,
    org: &OrgId,
    merge: &CertMerge,
    now: Millis,
) -> Result<(), StoreError> {
    for fp in &merge.departed {
        tx.mark_certificate_departed(org, fp, now).await?;
    }
    for fp in merge.removed.iter().chain(&merge.returned) {
        tx.forget_departed_certificate(org, fp).await?;
    }
    Ok(())
}

/// Keeps the error and schedules a sooner retry; the event goes out when the error is new.
async fn record_failure(
    state: &AppState,
    org: &OrgId,
    url: &str,
    trigger: Trigger,
    (reason, message): (&'static str, &str),
    now: Millis,
) -> Result<(), StoreError> {
    // The validators go: the next fetch is a full one, never a 304 over a refused document.
    let record = FetchRecord {
        validators: Some((None, None)),
        fetched_at: now,
        error: Some(message),
        due_at: now + RETRY_AFTER_FAILURE_MS,
    };
    let before = state.store.record_metadata_fetch(org, &record).await?;
    if before.as_deref() != Some(message) {
        let event = NewEvent {
            kind: "sso.metadata_refresh_failed",
            actor_type: "system",
            actor_id: None,
            data: json!({
                "reason": reason,
                "message": message,
                "metadata_url": url,
                "trigger": trigger.as_str(),
            }),
        };
        state.store.append_event(org, &event, now).await?;
    }
    Ok(())
}

/// Metrics for every refresh; the SSO audit feed for those that changed or failed.
async fn finish(state: &AppState, org: &OrgId, trigger: Trigger, outcome: &Refreshed) {
    state
        .metrics
        .metadata_refreshes
        .with_label_values(&[trigger.as_str(), outcome.outcome()])
        .inc();
    let (result, reason, detail) = match outcome {
        Refreshed::Updated(data) => ("success", None, data.clone()),
        Refreshed::Failed { reason, message } => {
            ("failure", Some(*reason), json!({ "message": message }))
        }
        _ => return,
    };
    let audit = NewAuditEvent {
        event: "sso_metadata_refresh",
        outcome: result,
        reason,
        principal: None,
        ip: None,
        detail: Some(json!({ "trigger": trigger.as_str(), "detail": detail }).to_string()),
    };
    state.record_audit(org, &audit, None).await;
}

/// The scheduled pass every replica runs: each org whose refresh is due is claimed by one
/// replica and fetched. Returns how many were fetched.
pub async fn refresh_pass(state: &AppState) -> Result<usize, StoreError> {
    let mut fetched = 0;
    for (org_id, json) in state.store.list_sso_config_json().await? {
        let refreshes = serde_json::from_str::<Value>(&json)
            .ok()
            .and_then(|v| SsoConfig::from_json(v).ok())
            .is_some_and(|c| refresh_url(&c).is_some());
        let Ok(org) = OrgId::parse(&org_id) else {
            continue;
        };
        let now = state.clock.now_ms();
        if !refreshes
            || !state
                .store
                .claim_metadata_refresh(&org, now, now + CLAIM_HOLD_MS)
                .await?
        {
            continue;
        }
        refresh_org(state, &org, Trigger::Schedule).await?;
        fetched += 1;
    }
    Ok(fetched)
}

/// A response was signed by a certificate the configuration does not hold: refetch now,
/// unless this org did within `UNKNOWN_CERT_GAP_MS`. True when the set changed, so the
/// caller validates the response again with the new certificates.
pub async fn refetch_for_unknown_certificate(state: &AppState, org: &OrgId) -> bool {
    let now = state.clock.now_ms();
    match state
        .store
        .claim_unknown_certificate_refetch(org, now, UNKNOWN_CERT_GAP_MS)
        .await
    {
        Ok(true) => {}
        Ok(false) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "unknown-certificate refetch not claimed");
            return false;
        }
    }
    match refresh_org(state, org, Trigger::UnknownCertificate).await {
        Ok(Refreshed::Updated(data)) => data["certificates_added"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        Ok(_) => false,
        Err(e) => {
            tracing::warn!(error = %e, "unknown-certificate refetch failed");
            false
        }
    }
}
