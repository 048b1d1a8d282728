//! The overview page: SSO status, every certificate and when it ends, the latest failed
//! sign-ins with their reason and who must fix them, and the latest SCIM requests.

use actix_web::web;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::layout::{page, when};
use crate::clock::Millis;
use crate::federation::load_config;
use crate::protocol::certs::parse_certificate;
use crate::state::AppState;
use crate::store::{AuditEvent, AuditFilter, KeyUse, ScimRequestRow};

const DAY_MS: i64 = 86_400_000;

/// One certificate row.
struct CertRow {
    kind: String,
    subject: String,
    fingerprint: String,
    not_after: Millis,
}

/// Who must fix a refused sign-in, from its reason (SAML's typed reasons know their side).
pub fn fix_side(reason: &str) -> &'static str {
    use crate::protocol::saml::response::Rejection;
    use crate::protocol::FixSide;
    match Rejection::ALL
        .iter()
        .find(|r| r.code() == reason)
        .map(|r| r.side())
    {
        Some(FixSide::IdentityProvider) => "identity provider admin",
        Some(FixSide::ServiceConfiguration) => "this organization's SSO configuration",
        Some(FixSide::User) => "the user (start again)",
        None => match reason {
            "invalid_credentials" | "sso_required" => "the user",
            "org_suspended" => "the operator of axid",
            _ => "",
        },
    }
}

/// The reference a refused user was shown, from the audit entry's detail.
pub fn reference_of(e: &AuditEvent) -> String {
    e.detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|d| d["reference"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn sso_section(config: Option<&crate::federation::LoadedConfig>) -> Markup {
    html! {
        section aria-labelledby="sso-h" {
            h2 id="sso-h" { "Single sign-on" }
            @match config {
                None => p { "No SSO configuration yet." }
                Some(loaded) => {
                    @let c = &loaded.config;
                    table {
                        tr { th { "Protocol" } td { (c.protocol.as_str()) " · " (c.provider) } }
                        tr { th { "Status" } td {
                            @if c.enabled { span.ok { "enabled" } } @else { span.warn { "disabled" } }
                            @if c.enforce_sso { " · SSO enforced" }
                        } }
                        @if let Some(s) = &c.saml {
                            tr { th { "IdP entity id" } td.mono { (s.idp_entity_id.as_deref().unwrap_or("")) } }
                            @if let Some(url) = &s.metadata_url {
                                tr { th { "Metadata URL" } td.mono { (url) } }
                            }
                        }
                        tr { th { "Last changed" } td { (when(loaded.updated_at)) } }
                    }
                }
            }
        }
    }
}

fn certificates_section(rows: &[CertRow], now: Millis) -> Markup {
    html! {
        section aria-labelledby="certs-h" {
            h2 id="certs-h" { "Certificates" }
            @if rows.is_empty() { p { "No certificates." } } @else {
                table {
                    tr { th { "Kind" } th { "Subject" } th { "SHA-256" } th { "Ends" } }
                    @for r in rows {
                        @let days = (r.not_after - now).div_euclid(DAY_MS);
                        tr {
                            td { (r.kind) }
                            td { (r.subject) }
                            td.mono { (r.fingerprint.get(..16).unwrap_or(&r.fingerprint)) "…" }
                            td {
                                (when(r.not_after)) " "
                                @if days < 30 { span.bad { "(" (days) " days left)" } }
                                @else { span.muted { "(" (days) " days)" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn failures_section(events: &[AuditEvent]) -> Markup {
    html! {
        section aria-labelledby="fail-h" {
            h2 id="fail-h" { "Latest failed sign-ins" }
            @if events.is_empty() { p { "None." } } @else {
                table {
                    tr { th { "When" } th { "Sign-in" } th { "Reason" } th { "Who must fix it" } th { "Principal" } th { "Reference" } }
                    @for e in events {
                        @let reason = e.reason.as_deref().unwrap_or("");
                        tr {
                            td { (when(e.at)) }
                            td { (e.event) }
                            td { code { (reason) } }
                            td { (fix_side(reason)) }
                            td { (e.principal.as_deref().unwrap_or("")) }
                            td.mono { (reference_of(e)) }
                        }
                    }
                }
                p { a href="/ui/audit?outcome=failure" { "All failures" } }
            }
        }
    }
}

fn scim_section(rows: &[ScimRequestRow]) -> Markup {
    html! {
        section aria-labelledby="scim-h" {
            h2 id="scim-h" { "SCIM activity" }
            @if rows.is_empty() { p { "No SCIM requests yet." } } @else {
                table {
                    tr { th { "When" } th { "Request" } th { "Status" } th { "Detail" } }
                    @for r in rows {
                        tr {
                            td { (when(r.at)) }
                            td.mono { (r.method) " " (r.path) }
                            td { @if r.status >= 400 { span.bad { (r.status) } } @else { (r.status) } }
                            td { (r.detail.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

async fn certificates(
    state: &AppState,
    caller: &ConsoleCaller,
    config: Option<&crate::federation::LoadedConfig>,
) -> Result<Vec<CertRow>, ConsoleRefusal> {
    let mut rows: Vec<CertRow> = config
        .map(|c| c.idp_certificates())
        .unwrap_or_default()
        .iter()
        .filter_map(|pem| parse_certificate(pem).ok())
        .map(|i| CertRow {
            kind: "IdP signing".into(),
            subject: i.subject,
            fingerprint: i.sha256_fingerprint,
            not_after: i.not_after,
        })
        .collect();
    for key_use in [KeyUse::Signing, KeyUse::Encryption] {
        for key in state.store.list_sp_keys(&caller.org, key_use).await? {
            if key.state == "retired" {
                continue;
            }
            if let Ok(i) = parse_certificate(&key.certificate_pem) {
                rows.push(CertRow {
                    kind: format!("SP {} ({})", key_use.as_str(), key.state),
                    subject: i.subject,
                    fingerprint: i.sha256_fingerprint,
                    not_after: i.not_after,
                });
            }
        }
    }
    Ok(rows)
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
) -> Result<HttpResponse, ConsoleRefusal> {
    let now = state.clock.now_ms();
    let config = load_config(&state.store, &caller.org).await?;
    let certs = certificates(&state, &caller, config.as_ref()).await?;
    let failure = AuditFilter {
        outcome: "failure",
        ..AuditFilter::default()
    };
    let failures: Vec<AuditEvent> = state
        .store
        .list_sso_audit_events(&caller.org, failure, None, 50)
        .await?
        .into_iter()
        .filter(|e| e.event.ends_with("_login") || e.event == "password.login")
        .take(10)
        .collect();
    let scim = state.store.list_scim_requests(&caller.org, None, 5).await?;
    let body = html! {
        h1 { "Overview" }
        (sso_section(config.as_ref()))
        (certificates_section(&certs, now))
        (failures_section(&failures))
        (scim_section(&scim))
    };
    Ok(page("Overview", "/ui/", &caller.viewer(), body))
}
