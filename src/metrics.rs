//! Prometheus metrics: requests by route and status, latency, SSO outcomes, SCIM operations,
//! tokens issued and refused, forward-auth verify outcomes. Every label value comes from a
//! fixed set (method names, route patterns, status codes, typed reasons' `as_str`): a value
//! a client chooses would add a series per request, for good.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::time::Instant;

use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{Method, StatusCode};
use futures_util::future::LocalBoxFuture;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub sso_outcomes: IntCounterVec,
    scim_operations: IntCounterVec,
    /// Access tokens issued, by grant and algorithm (token service, CONTRACT.md §12).
    pub tokens_issued: IntCounterVec,
    /// Token requests refused, by the RFC 6749 error and axid's reason.
    pub tokens_refused: IntCounterVec,
    /// `/auth/verify` answers by outcome and credential kind (§14).
    pub verify_outcomes: IntCounterVec,
    /// OpenID provider outcomes (§13) by stage (authorize, token), outcome and reason.
    pub op_outcomes: IntCounterVec,
    /// Webhook delivery attempts by outcome (delivered, retry, failed, disabled; §15).
    pub webhook_deliveries: IntCounterVec,
    /// IdP metadata refreshes by trigger and outcome (§17).
    pub metadata_refreshes: IntCounterVec,
    /// Setup links by action (created, opened, refused, deleted; §16).
    pub setup_links: IntCounterVec,
    /// Draft SSO configurations by action (saved, activated, discarded, tested; §16) and
    /// outcome (success, or the test's refusal reason).
    pub sso_drafts: IntCounterVec,
}

/// The label of a request's method: the RFC 9110 §9 methods and PATCH by name, anything
/// else (a client may send any token as a method) `other`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}

/// Requests no route matched share one label, whatever their path.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The label of a status: `StatusCode` only holds codes 100 to 999, so the set is bounded.
fn status_label(status: StatusCode) -> String {
    status.as_u16().to_string()
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "axid_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new(
                "axid_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )?;
        let sso_outcomes = IntCounterVec::new(
            Opts::new(
                "axid_sso_outcomes_total",
                "SSO logins by protocol, outcome and reason",
            ),
            &["protocol", "outcome", "reason"],
        )?;
        let scim_operations = IntCounterVec::new(
            Opts::new(
                "axid_scim_operations_total",
                "SCIM operations by resource, method and status",
            ),
            &["resource", "method", "status"],
        )?;
        let tokens_issued = IntCounterVec::new(
            Opts::new(
                "axid_tokens_issued_total",
                "Access tokens issued by grant and algorithm",
            ),
            &["grant", "alg"],
        )?;
        let tokens_refused = IntCounterVec::new(
            Opts::new(
                "axid_tokens_refused_total",
                "Token endpoint refusals by OAuth error and reason",
            ),
            &["error", "reason"],
        )?;
        let verify_outcomes = IntCounterVec::new(
            Opts::new(
                "axid_verify_outcomes_total",
                "Forward-auth verify answers by outcome, credential and reason",
            ),
            &["outcome", "credential", "reason"],
        )?;
        let op_outcomes = IntCounterVec::new(
            Opts::new(
                "axid_op_outcomes_total",
                "OpenID provider authorize and code redemption outcomes by stage and reason",
            ),
            &["stage", "outcome", "reason"],
        )?;
        registry.register(Box::new(op_outcomes.clone()))?;
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "axid_webhook_deliveries_total",
                "Webhook delivery attempts by outcome",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(webhook_deliveries.clone()))?;
        let metadata_refreshes = IntCounterVec::new(
            Opts::new(
                "axid_saml_metadata_refreshes_total",
                "IdP metadata refreshes by trigger (schedule, unknown_certificate, admin) and outcome",
            ),
            &["trigger", "outcome"],
        )?;
        registry.register(Box::new(metadata_refreshes.clone()))?;
        let setup_links = IntCounterVec::new(
            Opts::new(
                "axid_setup_links_total",
                "Setup links created, opened, refused (unknown, expired or revoked) and deleted",
            ),
            &["action"],
        )?;
        registry.register(Box::new(setup_links.clone()))?;
        let sso_drafts = IntCounterVec::new(
            Opts::new(
                "axid_sso_drafts_total",
                "Draft SSO configurations saved, activated, discarded and tested, by outcome",
            ),
            &["action", "outcome"],
        )?;
        registry.register(Box::new(sso_drafts.clone()))?;
        registry.register(Box::new(tokens_issued.clone()))?;
        registry.register(Box::new(tokens_refused.clone()))?;
        registry.register(Box::new(verify_outcomes.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(sso_outcomes.clone()))?;
        registry.register(Box::new(scim_operations.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_latency,
            sso_outcomes,
            scim_operations,
            tokens_issued,
            tokens_refused,
            verify_outcomes,
            op_outcomes,
            webhook_deliveries,
            metadata_refreshes,
            setup_links,
            sso_drafts,
        })
    }

    /// Counts one SCIM operation; `resource` is one of the fixed names the dispatcher uses.
    pub fn count_scim_operation(
        &self,
        resource: &'static str,
        method: &Method,
        status: StatusCode,
    ) {
        self.scim_operations
            .with_label_values(&[resource, method_label(method), &status_label(status)])
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// Middleware that counts every request under its route pattern (never the raw path, so
/// ids and secrets in paths do not become label values).
pub struct RecordMetrics(pub Metrics);

impl<S, B> Transform<S, ServiceRequest> for RecordMetrics
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RecordMetricsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RecordMetricsService {
            service: Rc::new(service),
            metrics: self.0.clone(),
        }))
    }
}

pub struct RecordMetricsService<S> {
    service: Rc<S>,
    metrics: Metrics,
}

impl<S, B> Service<ServiceRequest> for RecordMetricsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let method = method_label(req.method());
        let service = self.service.clone();
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let result = service.call(req).await;
            if let Ok(response) = &result {
                let route = response
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| UNMATCHED_ROUTE.into());
                let status = status_label(response.status());
                metrics
                    .http_requests
                    .with_label_values(&[&route, method, &status])
                    .inc();
                metrics
                    .http_latency
                    .with_label_values(&[&route])
                    .observe(started.elapsed().as_secs_f64());
            }
            result
        })
    }
}
