//! The per-replica jobs of the outbox: the sequencer (numbers committed events in commit
//! order and queues their deliveries; retention), and the delivery worker (claims due
//! deliveries under a lease, signs and POSTs them, records each answer). Both run beside the
//! request workers: a slow or dead receiver holds only a delivery slot, never a SCIM or
//! sign-in request.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::web;
use futures_util::future::join_all;
use tokio::sync::Notify;

use super::render::{event_json, EventView};
use crate::clock::{Clock, Millis, SystemClock};
use crate::domain::OrgId;
use crate::net::http::{HttpError, OutboundHttp};
use crate::state::AppState;
use crate::store::{AttemptOutcome, ClaimedDelivery, FinishedAttempt, NewEvent};
use crate::webhooks::outbound;
use crate::webhooks::signing::sign;
use crate::webhooks::types::WEBHOOK_DISABLED;

const TICK: Duration = Duration::from_millis(250);
const RETENTION_EVERY: Duration = Duration::from_secs(60);
/// Deliveries one claim takes at most (sent concurrently).
const CLAIM_BATCH: i64 = 32;
/// A claim outlives any attempt (the outbound timeout is 5 s); a replica that dies holding
/// it loses it after this and another replica retries.
const LEASE_MS: Millis = 60_000;
/// Delays before the 2nd, 3rd, ... attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about
/// 27 h in all, the Standard Webhooks retry schedule); then the delivery is `failed`.
const RETRY_DELAYS_SECS: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

fn wakeup() -> &'static Notify {
    static WAKE: OnceLock<Notify> = OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

/// Asks this replica's worker to look for due deliveries now rather than at its next tick.
pub fn wake(_state: &AppState) {
    wakeup().notify_one();
}

/// Spawned once per replica by startup; ends when the store is closed.
pub async fn run_jobs(state: web::Data<AppState>) {
    tokio::spawn(sequencer(state.clone()));
    deliver_loop(state).await;
}

async fn sequencer(state: web::Data<AppState>) {
    let mut last_retention = tokio::time::Instant::now();
    while !state.store.is_closed() {
        tokio::time::sleep(TICK).await;
        if let Err(e) = sequence_all(&state).await {
            tracing::debug!(error = %e, "event sequencing skipped");
        }
        if last_retention.elapsed() >= RETENTION_EVERY {
            last_retention = tokio::time::Instant::now();
            let cutoff = state.clock.now_ms() - state.settings.event_retention_days * 86_400_000;
            let _ = state.store.delete_events_before(cutoff).await;
        }
    }
}

async fn sequence_all(state: &AppState) -> crate::store::StoreResult<()> {
    while state.store.has_unsequenced_events().await? {
        if state.store.sequence_events(state.clock.now_ms()).await? > 0 {
            wakeup().notify_one();
        }
    }
    Ok(())
}

async fn deliver_loop(state: web::Data<AppState>) {
    let http = outbound(&state);
    while !state.store.is_closed() {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = wakeup().notified() => {}
        }
        loop {
            match claim(&state).await {
                Ok((lease, batch)) if !batch.is_empty() => {
                    deliver_batch(&state, &http, &batch, lease).await;
                }
                Ok(_) => break,
                Err(e) => {
                    tracing::debug!(error = %e, "webhook delivery skipped");
                    break;
                }
            }
        }
    }
}

async fn claim(state: &AppState) -> crate::store::StoreResult<(Millis, Vec<ClaimedDelivery>)> {
    let now = state.clock.now_ms();
    if !state.store.has_due_deliveries(now).await? {
        return Ok((0, Vec::new()));
    }
    let lease = now + LEASE_MS;
    Ok((
        lease,
        state
            .store
            .claim_deliveries(now, lease, CLAIM_BATCH)
            .await?,
    ))
}

/// The body of a delivery: the test body, or the event as the events API shows it.
fn body_of(d: &ClaimedDelivery) -> Option<String> {
    if let Some(p) = &d.payload {
        return Some(p.clone());
    }
    let view = EventView {
        id: &d.event_id,
        kind: &d.event_type,
        org_id: &d.org_id,
        occurred_at: d.occurred_at?,
        actor_type: d.actor_type.as_deref()?,
        actor_id: d.actor_id.as_deref(),
        data: d.data.as_deref()?,
    };
    Some(event_json(&view).to_string())
}

enum Answer {
    Status(u16),
    Error(String),
}

/// A claim's deliveries, sent concurrently; their results are recorded in one transaction.
async fn deliver_batch(
    state: &AppState,
    http: &OutboundHttp,
    batch: &[ClaimedDelivery],
    lease: Millis,
) {
    let secrets = secrets_by_endpoint(state, batch).await;
    let finished = join_all(batch.iter().map(|d| {
        let secrets = secrets.get(&d.endpoint_id).cloned();
        async move { attempt(state, http, d, secrets).await }
    }))
    .await;
    let result = state
        .store
        .finish_attempts(lease, &finished, state.clock.now_ms())
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "webhook attempts not recorded; they will be retried");
    }
}

type Secrets = Result<Vec<String>, String>;

/// The live secrets of each endpoint in the batch, read and decrypted once per endpoint.
async fn secrets_by_endpoint(
    state: &AppState,
    batch: &[ClaimedDelivery],
) -> HashMap<String, Secrets> {
    let now = state.clock.now_ms();
    let mut by_endpoint = HashMap::new();
    for d in batch {
        if by_endpoint.contains_key(&d.endpoint_id) {
            continue;
        }
        let secrets = match state.store.live_endpoint_secrets(&d.endpoint_id, now).await {
            Ok(sealed) => sealed.iter().map(|s| open_secret(state, s)).collect(),
            Err(e) => Err(format!("secrets unavailable: {e}")),
        };
        by_endpoint.insert(d.endpoint_id.clone(), secrets);
    }
    by_endpoint
}

fn open_secret(state: &AppState, sealed: &str) -> Result<String, String> {
    let raw = state.sso.keyring.decrypt(sealed)?;
    String::from_utf8(raw).map_err(|_| "stored webhook secret is malformed".to_owned())
}

async fn send(http: &OutboundHttp, d: &ClaimedDelivery, secrets: Option<Secrets>) -> Answer {
    let Some(body) = body_of(d) else {
        return Answer::Error("the event is past its retention".into());
    };
    let secrets = secrets.unwrap_or_else(|| Err("secrets unavailable".into()));
    // The receiver checks webhook-timestamp against its own clock (Standard Webhooks allows
    // five minutes), so it is the wall clock, not the service clock tests move.
    let timestamp = SystemClock.now_ms() / 1000;
    let signature = match secrets.and_then(|s| sign(&s, &d.event_id, timestamp, body.as_bytes())) {
        Ok(sig) => sig,
        Err(e) => return Answer::Error(e),
    };
    let headers = [
        ("webhook-id", d.event_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
        ("User-Agent", "axid-webhooks".to_owned()),
    ];
    match http.post_json(&d.url, &headers, body.into_bytes()).await {
        Ok(reply) => Answer::Status(reply.status),
        Err(HttpError::BadUrl(m) | HttpError::Forbidden(m) | HttpError::Failed(m)) => {
            Answer::Error(m)
        }
    }
}

async fn attempt(
    state: &AppState,
    http: &OutboundHttp,
    d: &ClaimedDelivery,
    secrets: Option<Secrets>,
) -> FinishedAttempt {
    let answer = send(http, d, secrets).await;
    let now = state.clock.now_ms();
    let (outcome, code, error, label) = match answer {
        Answer::Status(s) if (200..300).contains(&s) => {
            (AttemptOutcome::Delivered, Some(s), None, "delivered")
        }
        Answer::Status(410) => {
            disable(state, d, now).await;
            (
                AttemptOutcome::GaveUp,
                Some(410),
                Some("410 Gone: the endpoint was disabled".to_owned()),
                "disabled",
            )
        }
        Answer::Status(s) => {
            let (o, l) = next_try(d.attempts, now);
            (o, Some(s), Some(format!("answered HTTP {s}")), l)
        }
        Answer::Error(e) => {
            let (o, l) = next_try(d.attempts, now);
            (o, None, Some(e), l)
        }
    };
    state
        .metrics
        .webhook_deliveries
        .with_label_values(&[label])
        .inc();
    FinishedAttempt {
        id: d.id.clone(),
        outcome,
        answer: code.map(i64::from),
        error,
    }
}

/// After attempt number `attempts + 1` failed: the next time, or give up.
fn next_try(attempts: i64, now: Millis) -> (AttemptOutcome, &'static str) {
    match usize::try_from(attempts)
        .ok()
        .and_then(|i| RETRY_DELAYS_SECS.get(i))
    {
        Some(delay) => (AttemptOutcome::Retry(now + delay * 1000), "retry"),
        None => (AttemptOutcome::GaveUp, "failed"),
    }
}

async fn disable(state: &AppState, d: &ClaimedDelivery, now: Millis) {
    let Ok(org) = OrgId::parse(&d.org_id) else {
        return;
    };
    let reason = "the endpoint answered 410 Gone";
    let event = NewEvent {
        kind: WEBHOOK_DISABLED,
        actor_type: "system",
        actor_id: None,
        data: serde_json::json!({"id": d.endpoint_id, "url": d.url, "disabled_reason": reason}),
    };
    if let Err(e) = state
        .store
        .disable_endpoint(&org, &d.endpoint_id, reason, &event, now)
        .await
    {
        tracing::warn!(error = %e, "webhook endpoint not disabled after 410");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_grow_for_about_a_day_then_stop() {
        let total: i64 = RETRY_DELAYS_SECS.iter().sum();
        assert!((86_400..=2 * 86_400).contains(&total));
        assert!(RETRY_DELAYS_SECS.windows(2).all(|w| w[0] <= w[1]));
        assert!(matches!(next_try(0, 0).0, AttemptOutcome::Retry(5_000)));
        assert!(matches!(next_try(7, 0).0, AttemptOutcome::GaveUp));
    }
}
