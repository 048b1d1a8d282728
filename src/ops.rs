//! Operations endpoints (CONTRACT.md §11): liveness, readiness and metrics, unauthenticated.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics));
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// 200 while the database answers, 503 otherwise.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "unavailable", "reason": "database_unavailable"}))
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut text = state.metrics.render();
    if let Some(stats) = state.store.write_queue_stats() {
        write_queue_metrics(&mut text, stats);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}

/// The SQLite writer thread's counters (store/write_queue.rs): plans per batch is how much
/// group commit saves.
fn write_queue_metrics(text: &mut String, stats: &crate::store::WriteQueueStats) {
    use std::sync::atomic::Ordering::Relaxed;
    for (name, help, value) in [
        (
            "axid_sqlite_write_batches_total",
            "Transactions the SQLite writer thread committed.",
            stats.batches.load(Relaxed),
        ),
        (
            "axid_sqlite_write_plans_total",
            "Write plans the SQLite writer thread ran.",
            stats.plans.load(Relaxed),
        ),
    ] {
        text.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        ));
    }
}
