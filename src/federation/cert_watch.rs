//! The certificate watch (CONTRACT.md §17): `sso.certificate_expiring` at 90, 60, 30, 14, 7
//! and 1 days before a certificate ends, once per threshold, for each organization's IdP
//! signing certificates and its own SP signing and encryption keys (active and next). Every
//! replica runs the pass; the warning row written with the event makes it once in all.

use serde_json::json;

use crate::clock::{rfc3339, Millis};
use crate::domain::OrgId;
use crate::protocol::certs::{parse_certificate, CertInfo};
use crate::state::AppState;
use crate::store::NewEvent;

use super::config::SsoConfig;

pub const THRESHOLDS_DAYS: [i64; 6] = [90, 60, 30, 14, 7, 1];
const DAY_MS: i64 = 86_400_000;

/// The threshold a certificate is within now: the smallest one at or above the days it has
/// left (a certificate first seen 29 days before its end gets the 30-day warning only).
pub fn threshold_for(not_after: Millis, now: Millis) -> Option<i64> {
    if not_after <= now {
        return None;
    }
    let days_left = (not_after - now).div_euclid(DAY_MS);
    THRESHOLDS_DAYS
        .iter()
        .rev()
        .copied()
        .find(|t| days_left < *t)
}

/// One certificate under watch and whose it is.
struct Watched {
    org: OrgId,
    kind: &'static str,
    info: CertInfo,
    rotates_automatically: bool,
}

fn idp_certificates(org_id: &str, config_json: &str) -> Vec<Watched> {
    let (Ok(org), Ok(value)) = (
        OrgId::parse(org_id),
        serde_json::from_str::<serde_json::Value>(config_json),
    ) else {
        return Vec::new();
    };
    let Ok(config) = SsoConfig::from_json(value) else {
        return Vec::new();
    };
    config
        .saml
        .map(|s| s.idp_certificates)
        .unwrap_or_default()
        .iter()
        .filter_map(|pem| parse_certificate(pem).ok())
        .map(|info| Watched {
            org: org.clone(),
            kind: "idp_signing",
            info,
            rotates_automatically: false,
        })
        .collect()
}

async fn watched(state: &AppState) -> Result<Vec<Watched>, String> {
    let configs = state
        .store
        .list_sso_config_json()
        .await
        .map_err(|e| e.to_string())?;
    let mut all: Vec<Watched> = configs
        .iter()
        .flat_map(|(org, json)| idp_certificates(org, json))
        .collect();
    let keys = state
        .store
        .list_all_sp_keys()
        .await
        .map_err(|e| e.to_string())?;
    for k in keys.iter().filter(|k| k.state != "retired") {
        let (Ok(org), Ok(info)) = (
            OrgId::parse(&k.org_id),
            parse_certificate(&k.certificate_pem),
        ) else {
            continue;
        };
        let kind = if k.key_use == "signing" {
            "sp_signing"
        } else {
            "sp_encryption"
        };
        all.push(Watched {
            org,
            kind,
            info,
            rotates_automatically: true,
        });
    }
    Ok(all)
}

/// One pass: every certificate within a threshold not yet warned about gets its event.
/// Returns how many events this replica wrote.
pub async fn watch_pass(state: &AppState) -> Result<usize, String> {
    let now = state.clock.now_ms();
    let mut sent = 0;
    for w in watched(state).await? {
        let Some(threshold) = threshold_for(w.info.not_after, now) else {
            continue;
        };
        let event = NewEvent {
            kind: "sso.certificate_expiring",
            actor_type: "system",
            actor_id: None,
            data: json!({
                "certificate": {
                    "kind": w.kind,
                    "subject": w.info.subject,
                    "sha256_fingerprint": w.info.sha256_fingerprint,
                    "not_after": rfc3339(w.info.not_after),
                },
                "threshold_days": threshold,
                "days_left": (w.info.not_after - now).div_euclid(DAY_MS),
                "rotates_automatically": w.rotates_automatically,
            }),
        };
        let recorded = state
            .store
            .warn_certificate_once(&w.org, &w.info.sha256_fingerprint, threshold, &event, now)
            .await
            .map_err(|e| e.to_string())?;
        if recorded {
            tracing::warn!(org = %w.org, kind = w.kind, threshold, "certificate expiring");
            sent += 1;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_certificate_is_in_one_threshold_at_a_time() {
        let end = 1000 * DAY_MS;
        let at = |days_left: i64| threshold_for(end, end - days_left * DAY_MS - 1);
        assert_eq!(at(120), None);
        assert_eq!(at(89), Some(90));
        assert_eq!(at(60), Some(90));
        assert_eq!(at(59), Some(60));
        assert_eq!(at(29), Some(30));
        assert_eq!(at(13), Some(14));
        assert_eq!(at(0), Some(1));
        assert_eq!(threshold_for(end, end), None, "ended: nothing more to warn");
    }
}
