//! Application::build: settings to a running server (pool, migrations, routes, housekeeping).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::clock::{SharedClock, SystemClock};
use crate::config::{DeploymentMode, Settings};
use crate::mail::Mailer;
use crate::metrics::{Metrics, RecordMetrics};
use crate::state::flow_limit::FlowLimiter;
pub use crate::state::AppState;
use crate::store::{Backend, Store};
use crate::telemetry::PathOnlyRootSpan;
use crate::{ops, scim};

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// Opens the store and applies this backend's migrations.
pub async fn open_store(settings: &Settings) -> Result<Store, String> {
    let backend = Backend::of_url(&settings.database_url)?;
    let store = Store::connect_lazy(settings)?;
    store.migrate(backend).await?;
    Ok(store)
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, String> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(settings: Settings, clock: SharedClock) -> Result<Self, String> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", settings.host, settings.port))?;
        Self::build_on(listener, settings, clock).await
    }

    /// Serves on a listener the caller bound (tests bind port 0 first, to know PUBLIC_URL).
    pub async fn build_on(
        listener: TcpListener,
        settings: Settings,
        clock: SharedClock,
    ) -> Result<Self, String> {
        let store = open_store(&settings).await?;
        if settings.admin_api_key.is_none() && settings.deployment_mode == DeploymentMode::Community
        {
            tracing::warn!("ADMIN_API_KEY is not set: the admin API answers loopback clients only");
        }
        let mailer = Mailer::new(settings.smtp.as_ref())?;
        if !mailer.is_configured() {
            tracing::warn!("SMTP is not configured: password reset links are written to the log");
        }
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let metrics = Metrics::new().map_err(|e| format!("metrics: {e}"))?;
        let scim_log = crate::state::scim_log::ScimLog::start(
            store.clone(),
            clock.clone(),
            settings.scim_log_retention_days,
        );
        let sso = crate::state::sso::SsoRuntime::new(&settings)?;
        let oidc = crate::protocol::oidc::runtime::OidcRuntime::from_settings(&settings);
        let issuer = crate::state::issuer::Issuer::from_settings(&settings);
        let sso_flows = FlowLimiter::new(settings.sso_rate_limit_per_minute);
        let scim_lists =
            crate::state::tenant_gate::TenantGate::new(settings.scim_list_concurrency_per_org);
        let state = web::Data::new(AppState {
            store,
            settings,
            clock,
            mailer,
            metrics,
            scim_log,
            sso,
            oidc,
            sso_flows,
            issuer,
            scim_lists,
        });
        let server = run(listener, state.clone())?;
        tokio::spawn(housekeeping(state.clone()));
        tokio::spawn(crate::issuer::run_jobs(state.clone()));
        tokio::spawn(crate::events::run_jobs(state.clone()));
        tokio::spawn(crate::federation::jobs::run_jobs(state.clone()));
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT/SIGTERM (actix's signal handling), then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.state.store.close().await;
        result
    }
}

fn run(listener: TcpListener, state: web::Data<AppState>) -> Result<Server, String> {
    let metrics = state.metrics.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(
                crate::http::request_guard::guard,
            ))
            .wrap(crate::http::fallback_errors::json_error_bodies())
            .wrap(RecordMetrics(metrics.clone()))
            .wrap(TracingLogger::<PathOnlyRootSpan>::new())
            .app_data(state.clone())
            .configure(ops::configure)
            .configure(scim::configure)
            .configure(|cfg| crate::openapi::api_routes().register(cfg))
            .configure(crate::openapi::routes)
            .configure(crate::saml::configure)
            .configure(crate::oidc::routes::configure)
            .configure(crate::console::routes)
            .default_service(web::to(crate::http::fallback_errors::api_not_found))
    })
    // The request head must arrive within 5 s (actix's default, stated); the body has its
    // own deadline in http::request_guard.
    .client_request_timeout(Duration::from_secs(5))
    .listen(listener)
    .map_err(|e| e.to_string())?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// Removes expired sessions, rate-limit windows and reset tokens once a minute. Every
/// replica runs it; the deletes are idempotent.
async fn housekeeping(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = state.clock.now_ms();
        let idle_cutoff = now - state.settings.session_idle_timeout_secs * 1000;
        if let Err(e) = state.store.delete_dead_sessions(now, idle_cutoff).await {
            tracing::debug!(error = %e, "session cleanup skipped");
        }
        let _ = state.store.delete_reset_tokens_before(now).await;
        // Ended OIDC flows stay an hour, so a late replay is still named as one.
        let _ = state.store.delete_oidc_flows_before(now - 3_600_000).await;
        let _ = state.store.delete_expired_saml_state(now).await;
        let audit_cutoff = now - state.settings.audit_retention_days * 86_400_000;
        let _ = state.store.delete_audit_events_before(audit_cutoff).await;
        crate::http::rate_limit::prune(&state).await;
        if state.settings.is_sqlite() {
            if let Err(e) = state.store.sqlite_optimize().await {
                tracing::debug!(error = %e, "SQLite statistics refresh skipped");
            }
        }
    }
}
