//! A failed browser SSO flow (CONTRACT.md §2): 4xx, a short HTML page naming the error code
//! and which side must fix it (JSON when `Accept` prefers it), an audit event with the typed
//! reason, a metrics count, and never a session cookie.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::NewAuditEvent;

pub use crate::protocol::FixSide;

/// One refused login, as the browser and the audit feed see it.
#[derive(Debug, Clone)]
pub struct SsoFailure {
    pub status: StatusCode,
    pub code: &'static str,
    pub side: FixSide,
    pub message: String,
}

impl SsoFailure {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        side: FixSide,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            side,
            message: message.into(),
        }
    }

    pub fn service_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            FixSide::User,
            "the service is temporarily unavailable; try again shortly",
        )
    }
}

pub fn side_text(side: FixSide) -> (&'static str, &'static str) {
    match side {
        FixSide::IdentityProvider => ("identity_provider", "Your identity provider's configuration (or the response it sent) must be fixed by your IT administrator."),
        FixSide::ServiceConfiguration => ("service_configuration", "This organization's SSO configuration in axid must be fixed by its administrator."),
        FixSide::User => ("user", "Start the sign-in again; if it keeps failing, contact your administrator."),
    }
}

pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// True when the request's Accept header ranks JSON above HTML.
pub fn prefers_json(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let q_of = |media: &str| {
        accept
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let name = pieces.next()?.trim().to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                (name == media).then_some(q)
            })
            .fold(None, |best: Option<f32>, q| {
                Some(best.map_or(q, |b| b.max(q)))
            })
    };
    match (q_of("application/json"), q_of("text/html")) {
        (Some(j), Some(h)) => j > h,
        (Some(j), None) => j > 0.0,
        _ => false,
    }
}

/// The response for the browser; it never carries a Set-Cookie.
pub fn render(req: &HttpRequest, failure: &SsoFailure) -> HttpResponse {
    render_referenced(req, failure, None)
}

/// A short code for one refused sign-in: shown to the user, kept in the audit entry, so an
/// admin finds the entry from what the user reports (`/ui/audit?reference=`). 40 random
/// bits in Crockford base32 (no I, L, O, U to misread).
pub fn new_reference() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 5];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    (0..8)
        .rev()
        .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
        .collect()
}

/// `render`, with the reference of the audit entry that recorded the refusal.
pub fn render_referenced(
    req: &HttpRequest,
    failure: &SsoFailure,
    reference: Option<&str>,
) -> HttpResponse {
    let (side, advice) = side_text(failure.side);
    let mut builder = HttpResponse::build(failure.status);
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    if prefers_json(req) {
        let mut body = json!({"error": failure.code, "message": failure.message, "fix_by": side});
        if let Some(r) = reference {
            body["reference"] = json!(r);
        }
        return builder.json(body);
    }
    let reference = reference
        .map(|r| format!("<p>Reference: <code>{r}</code> (give it to your administrator)</p>"))
        .unwrap_or_default();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>\
         <body><h1>Sign-in failed</h1><p>Error code: <code>{code}</code></p><p>{msg}</p>\
         <p>Who must fix it: <strong>{side}</strong>. {advice}</p>{reference}</body></html>",
        code = failure.code,
        msg = html_escape(&failure.message),
    );
    builder
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .body(page)
}

/// Counts an SSO outcome in `/metrics` (reason None: a success).
pub fn count_outcome(state: &AppState, protocol: &str, reason: Option<&str>) {
    let outcome = if reason.is_some() {
        "failure"
    } else {
        "success"
    };
    state
        .metrics
        .sso_outcomes
        .with_label_values(&[protocol, outcome, reason.unwrap_or("none")])
        .inc();
}

/// The audit row of an SSO outcome; `event_name` is `{protocol}_login`.
pub fn outcome_audit<'a>(
    event_name: &'a str,
    reason: Option<&'a str>,
    principal: Option<&'a str>,
    ip: &'a str,
    detail: Option<serde_json::Value>,
) -> NewAuditEvent<'a> {
    NewAuditEvent {
        event: event_name,
        outcome: if reason.is_some() {
            "failure"
        } else {
            "success"
        },
        reason,
        principal,
        ip: Some(ip),
        detail: detail.map(|d| d.to_string()),
    }
}

/// Records the outcome of an SSO login in the audit feed and metrics in a transaction of
/// its own: refusals, whose reason is known before any session. A success is written with
/// its session (`login::sign_in`). A refusal's reference (`new_reference`) is returned, to
/// show on its error page.
pub async fn record_outcome(
    state: &AppState,
    org: &OrgId,
    protocol: &str,
    reason: Option<&str>,
    principal: Option<&str>,
    ip: &str,
    detail: Option<serde_json::Value>,
) -> Option<String> {
    count_outcome(state, protocol, reason);
    let event_name = format!("{protocol}_login");
    let reference = reason.map(|_| new_reference());
    let detail = match (detail, &reference) {
        (Some(serde_json::Value::Object(mut map)), Some(r)) => {
            map.insert("reference".into(), json!(r));
            Some(serde_json::Value::Object(map))
        }
        (None, Some(r)) => Some(json!({ "reference": r })),
        (other, _) => other,
    };
    let event = outcome_audit(&event_name, reason, principal, ip, detail);
    // A refused sign-in is also an outbox event (CONTRACT.md §15); successes are the
    // `session.created` of the session they issue.
    let failed = reason.map(|r| crate::store::NewEvent {
        kind: "login.failed",
        actor_type: "user",
        actor_id: principal,
        data: serde_json::json!({"auth_method": protocol, "reason": r, "principal": principal,
                                 "ip": ip, "reference": reference}),
    });
    state.record_audit(org, &event, failed.as_ref()).await;
    reference
}
