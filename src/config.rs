//! Settings: everything axid reads from its environment, parsed and checked once at start.

use std::collections::HashMap;
use std::net::IpAddr;

/// A configuration value that must never be printed (admin key, SMTP password).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentMode {
    Community,
    Eval,
    Enterprise,
    Saas,
}

impl DeploymentMode {
    fn parse(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "community" => Ok(Self::Community),
            "eval" => Ok(Self::Eval),
            "enterprise" => Ok(Self::Enterprise),
            "saas" => Ok(Self::Saas),
            other => Err(format!(
                "DEPLOYMENT_MODE={other:?} is not one of community, eval, enterprise, saas"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP, for a relay on the same host or network.
    None,
    /// STARTTLS upgrade (port 587).
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    pub tls: SmtpTls,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub database_max_connections: u32,
    pub database_acquire_timeout_secs: u64,
    /// The time budget of every database statement (DATABASE_STATEMENT_TIMEOUT_MS, default
    /// 5000); a statement over it ends, and its request answers 503.
    pub database_statement_timeout_ms: u64,
    /// SCIM list and search queries one organization may run at once
    /// (SCIM_LIST_CONCURRENCY_PER_ORG, default 4; later ones wait their turn).
    pub scim_list_concurrency_per_org: usize,
    pub public_url: String,
    pub host: String,
    pub port: u16,
    pub admin_api_key: Option<Secret>,
    pub deployment_mode: DeploymentMode,
    pub session_idle_timeout_secs: i64,
    pub session_absolute_timeout_secs: i64,
    pub login_rate_limit_per_minute: i64,
    /// Login (and, separately, forgot-password) attempts per organization per minute from
    /// all clients together (LOGIN_RATE_LIMIT_PER_ORG_PER_MINUTE, default 30).
    pub login_rate_limit_per_org_per_minute: i64,
    /// Requests per client and minute on the unauthenticated SSO browser routes
    /// (SSO_RATE_LIMIT_PER_MINUTE, default 600; counted per replica).
    pub sso_rate_limit_per_minute: i64,
    /// How long audit events are kept (AUDIT_RETENTION_DAYS, default 365).
    pub audit_retention_days: i64,
    pub trusted_proxies: Vec<IpAddr>,
    pub smtp: Option<SmtpSettings>,
    pub log_json: bool,
    /// Days the SCIM request log keeps its entries (SCIM_REQUEST_LOG_RETENTION_DAYS, default 30).
    pub scim_log_retention_days: i64,
    /// AES-256-GCM data key (base64 of 32 bytes) for SSO secrets and SP private keys.
    pub sso_data_key: Option<Secret>,
    /// Where the generated data key lives when `SSO_DATA_KEY` is unset (community mode).
    pub sso_data_key_file: Option<String>,
    /// Lets server-side fetches (IdP metadata, OIDC discovery) reach private, loopback and
    /// link-local addresses and plain http. Off by default; tests turn it on.
    pub sso_fetch_allow_private: bool,
    /// Days events are kept for `GET /api/v1/events` (EVENT_RETENTION_DAYS, default 30).
    pub event_retention_days: i64,
    /// Lets webhook URLs be plain http and reach private, loopback and link-local addresses
    /// (WEBHOOK_ALLOW_PRIVATE). Off by default; tests turn it on.
    pub webhook_allow_private: bool,
    /// Lets OIDC providers be reached over plain http. Off by default; tests turn it on.
    pub oidc_allow_http: bool,
    /// An unknown `kid` refetches an organization's JWKS at most once per this many seconds.
    pub oidc_jwks_min_refetch_secs: i64,
    /// SQLite only: SCIM's hot reads run inline on the request thread (store/inline_reads.rs).
    /// On by default; SQLITE_INLINE_READS=off sends every read through the pool.
    pub sqlite_inline_reads: bool,
    /// SQLite only: write plans (a sign-in, a SCIM create) are committed by one writer
    /// thread, many per transaction (store/write_queue.rs). On by default;
    /// SQLITE_GROUP_COMMIT=off runs them as sqlx transactions like every other write.
    pub sqlite_group_commit: bool,
    /// A request body must have arrived this many seconds after its head
    /// (REQUEST_BODY_TIMEOUT_SECS, default 30); later, the request ends with 408.
    pub request_body_timeout_secs: u64,
    /// How long a signing key signs before the next one takes over
    /// (SIGNING_KEY_ROTATION_PERIOD: seconds, or a number with s/m/h/d; default 90d).
    pub signing_key_rotation_secs: i64,
    /// `Cache-Control: max-age` of `/oauth2/jwks` (JWKS_MAX_AGE_SECS, default 300); a next
    /// key is published at least twice this long before it signs.
    pub jwks_max_age_secs: i64,
    /// Whether a repeated client credentials request gets the token it got before while
    /// more than a fifth of its lifetime remains (ACCESS_TOKEN_REUSE, default true; false:
    /// every request signs a new token with its own `jti`).
    pub access_token_reuse: bool,
    /// Community mode: the organization whose context `/auth/verify` answers with when a
    /// request carries no credential (COMMUNITY_DEFAULT_ORG; unset: 401).
    pub community_default_org: Option<String>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/axid.db";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_map(&std::env::vars().collect())
    }

    /// Reads settings from a variable map (the environment, or a test's own map).
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Self, String> {
        let get = |name: &str| {
            vars.get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let settings = Self {
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            database_max_connections: parse_num(&get, "DATABASE_MAX_CONNECTIONS", 10)?,
            database_acquire_timeout_secs: parse_num(&get, "DATABASE_ACQUIRE_TIMEOUT_SECS", 3)?,
            database_statement_timeout_ms: parse_num(&get, "DATABASE_STATEMENT_TIMEOUT_MS", 5_000)?,
            scim_list_concurrency_per_org: parse_num(&get, "SCIM_LIST_CONCURRENCY_PER_ORG", 4)?,
            public_url: get("PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            host: get("AXID_HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: parse_num(&get, "AXID_PORT", 8080)?,
            admin_api_key: get("ADMIN_API_KEY").map(Secret::new),
            deployment_mode: DeploymentMode::parse(
                &get("DEPLOYMENT_MODE").unwrap_or_else(|| "community".into()),
            )?,
            session_idle_timeout_secs: parse_num(&get, "SESSION_IDLE_TIMEOUT_SECS", 3_600)?,
            session_absolute_timeout_secs: parse_num(
                &get,
                "SESSION_ABSOLUTE_TIMEOUT_SECS",
                43_200,
            )?,
            login_rate_limit_per_minute: parse_num(&get, "LOGIN_RATE_LIMIT_PER_MINUTE", 5)?,
            login_rate_limit_per_org_per_minute: parse_num(
                &get,
                "LOGIN_RATE_LIMIT_PER_ORG_PER_MINUTE",
                30,
            )?,
            sso_rate_limit_per_minute: parse_num(&get, "SSO_RATE_LIMIT_PER_MINUTE", 600)?,
            audit_retention_days: parse_num(&get, "AUDIT_RETENTION_DAYS", 365)?,
            trusted_proxies: parse_proxies(get("TRUSTED_PROXIES").as_deref())?,
            smtp: parse_smtp(&get)?,
            log_json: get("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            scim_log_retention_days: parse_num(&get, "SCIM_REQUEST_LOG_RETENTION_DAYS", 30)?,
            sso_data_key: get("SSO_DATA_KEY").map(Secret::new),
            sso_data_key_file: get("SSO_DATA_KEY_FILE"),
            sso_fetch_allow_private: parse_flag(&get, "SSO_FETCH_ALLOW_PRIVATE"),
            oidc_allow_http: parse_flag(&get, "OIDC_ALLOW_HTTP"),
            event_retention_days: parse_num(&get, "EVENT_RETENTION_DAYS", 30)?,
            webhook_allow_private: parse_flag(&get, "WEBHOOK_ALLOW_PRIVATE"),
            oidc_jwks_min_refetch_secs: parse_num(&get, "OIDC_JWKS_MIN_REFETCH_SECS", 30)?,
            sqlite_inline_reads: !is_off(get("SQLITE_INLINE_READS")),
            sqlite_group_commit: !is_off(get("SQLITE_GROUP_COMMIT")),
            request_body_timeout_secs: parse_num(&get, "REQUEST_BODY_TIMEOUT_SECS", 30)?,
            signing_key_rotation_secs: parse_period(
                get("SIGNING_KEY_ROTATION_PERIOD").as_deref(),
                90 * 86_400,
            )?,
            jwks_max_age_secs: parse_num(&get, "JWKS_MAX_AGE_SECS", 300)?,
            access_token_reuse: get("ACCESS_TOKEN_REUSE").is_none()
                || parse_flag(&get, "ACCESS_TOKEN_REUSE"),
            community_default_org: get("COMMUNITY_DEFAULT_ORG"),
        };
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        url::Url::parse(&self.public_url).map_err(|e| format!("PUBLIC_URL is not a URL: {e}"))?;
        if self.admin_api_key.is_none() && self.deployment_mode != DeploymentMode::Community {
            return Err(
                "ADMIN_API_KEY is required outside community mode: set it, or DEPLOYMENT_MODE=community".into(),
            );
        }
        if self
            .admin_api_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 16)
        {
            return Err("ADMIN_API_KEY must be at least 16 characters".into());
        }
        if self.sso_data_key.is_none()
            && self.sso_data_key_file.is_none()
            && self.deployment_mode != DeploymentMode::Community
        {
            return Err(
                "SSO_DATA_KEY (or SSO_DATA_KEY_FILE) is required outside community mode: it encrypts SSO secrets at rest".into(),
            );
        }
        if self.session_idle_timeout_secs <= 0 || self.session_absolute_timeout_secs <= 0 {
            return Err("session timeouts must be positive".into());
        }
        if self.event_retention_days <= 0 {
            return Err("EVENT_RETENTION_DAYS must be positive".into());
        }
        if self.scim_log_retention_days <= 0 {
            return Err("SCIM_REQUEST_LOG_RETENTION_DAYS must be positive".into());
        }
        if self.login_rate_limit_per_minute <= 0 {
            return Err("LOGIN_RATE_LIMIT_PER_MINUTE must be positive".into());
        }
        if self.sso_rate_limit_per_minute <= 0 || self.audit_retention_days <= 0 {
            return Err(
                "SSO_RATE_LIMIT_PER_MINUTE and AUDIT_RETENTION_DAYS must be positive".into(),
            );
        }
        if self.login_rate_limit_per_org_per_minute <= 0 {
            return Err("LOGIN_RATE_LIMIT_PER_ORG_PER_MINUTE must be positive".into());
        }
        if !(10..=600_000).contains(&self.database_statement_timeout_ms) {
            return Err("DATABASE_STATEMENT_TIMEOUT_MS must be between 10 and 600000".into());
        }
        if !(1..=1_000).contains(&self.scim_list_concurrency_per_org) {
            return Err("SCIM_LIST_CONCURRENCY_PER_ORG must be between 1 and 1000".into());
        }
        if !(1..=3_600).contains(&self.request_body_timeout_secs) {
            return Err("REQUEST_BODY_TIMEOUT_SECS must be between 1 and 3600".into());
        }
        if !(1..=86_400).contains(&self.jwks_max_age_secs) {
            return Err("JWKS_MAX_AGE_SECS must be between 1 and 86400".into());
        }
        // The next key is published 2 x max-age + one refresh before it signs; a period
        // must hold that lead twice over.
        if self.signing_key_rotation_secs < 2 * self.signing_key_publish_lead_secs() {
            return Err(format!(
                "SIGNING_KEY_ROTATION_PERIOD must be at least {} s: twice the publish lead of 2 x JWKS_MAX_AGE_SECS + one refresh",
                2 * self.signing_key_publish_lead_secs()
            ));
        }
        if let Some(org) = &self.community_default_org {
            if crate::domain::OrgId::parse(org).is_err() {
                return Err(format!(
                    "COMMUNITY_DEFAULT_ORG={org:?} is not an organization id"
                ));
            }
        }
        if !(1..=3_600).contains(&self.oidc_jwks_min_refetch_secs) {
            return Err("OIDC_JWKS_MIN_REFETCH_SECS must be between 1 and 3600".into());
        }
        Ok(())
    }

    /// How often each replica reloads the key ring (and runs the rotation job).
    pub fn signing_key_refresh_secs(&self) -> i64 {
        self.jwks_max_age_secs.clamp(1, 60)
    }

    /// How long before it signs a next key is in the JWKS: two cache lifetimes and a refresh.
    pub fn signing_key_publish_lead_secs(&self) -> i64 {
        2 * self.jwks_max_age_secs + self.signing_key_refresh_secs()
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Cookies get `Secure` when the service is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of PUBLIC_URL, compared with a browser's `Origin` header.
    pub fn public_origin(&self) -> String {
        url::Url::parse(&self.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

fn parse_num<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, String> {
    match get(name) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("{name}={text:?} is not a valid number")),
    }
}

/// A switch that is on unless set to 0, false, no or off.
fn is_off(value: Option<String>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        )
    })
}

fn parse_flag(get: &impl Fn(&str) -> Option<String>, name: &str) -> bool {
    get(name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// `90d`, `12h`, `30m`, `45s` or plain seconds.
fn parse_period(text: Option<&str>, default: i64) -> Result<i64, String> {
    let Some(text) = text else {
        return Ok(default);
    };
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, 's'),
    };
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => 0,
    };
    digits
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("SIGNING_KEY_ROTATION_PERIOD={text:?} is not a period like 90d"))
}

fn parse_proxies(text: Option<&str>) -> Result<Vec<IpAddr>, String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("TRUSTED_PROXIES entry {s:?} is not an IP address"))
        })
        .collect()
}

fn parse_smtp(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpSettings>, String> {
    let Some(host) = get("SMTP_HOST") else {
        return Ok(None);
    };
    let tls = match get("SMTP_TLS")
        .unwrap_or_else(|| "starttls".into())
        .to_ascii_lowercase()
        .as_str()
    {
        "none" => SmtpTls::None,
        "starttls" => SmtpTls::StartTls,
        "tls" => SmtpTls::Tls,
        other => {
            return Err(format!(
                "SMTP_TLS={other:?} is not one of none, starttls, tls"
            ))
        }
    };
    let default_port = match tls {
        SmtpTls::None => 25,
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
    };
    Ok(Some(SmtpSettings {
        host,
        port: parse_num(get, "SMTP_PORT", default_port)?,
        username: get("SMTP_USERNAME"),
        password: get("SMTP_PASSWORD").map(Secret::new),
        from: get("SMTP_FROM").unwrap_or_else(|| "axid <no-reply@localhost>".into()),
        tls,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_community_mode_on_embedded_sqlite() {
        let s = Settings::from_map(&vars(&[])).unwrap();
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.deployment_mode, DeploymentMode::Community);
        assert!(s.admin_api_key.is_none());
        assert_eq!(s.public_origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn enterprise_mode_without_admin_key_refuses_to_start() {
        let err = Settings::from_map(&vars(&[("DEPLOYMENT_MODE", "enterprise")])).unwrap_err();
        assert!(err.contains("ADMIN_API_KEY is required"), "{err}");
    }

    #[test]
    fn rotation_periods_take_a_unit_and_must_outlast_the_jwks_cache() {
        let s = Settings::from_map(&vars(&[])).unwrap();
        assert_eq!(s.signing_key_rotation_secs, 90 * 86_400);
        let s = Settings::from_map(&vars(&[("SIGNING_KEY_ROTATION_PERIOD", "12h")])).unwrap();
        assert_eq!(s.signing_key_rotation_secs, 43_200);
        let err =
            Settings::from_map(&vars(&[("SIGNING_KEY_ROTATION_PERIOD", "600s")])).unwrap_err();
        assert!(err.contains("at least"), "{err}");
        assert!(Settings::from_map(&vars(&[("SIGNING_KEY_ROTATION_PERIOD", "soon")])).is_err());
    }

    #[test]
    fn secrets_are_never_debug_printed() {
        let s = Settings::from_map(&vars(&[("ADMIN_API_KEY", "super-secret-admin-key")])).unwrap();
        assert!(!format!("{s:?}").contains("super-secret-admin-key"));
    }
}
