//! Outbound HTTP to OpenID providers (discovery, JWKS, token endpoint): no redirects, time
//! and size limits, https only unless the operator allows http (`OIDC_ALLOW_HTTP`), and the
//! SSRF rule of DESIGN.md: the host is resolved first, private, loopback and link-local
//! addresses (`net::fetch::is_non_public`) are refused unless allowed
//! (`SSO_FETCH_ALLOW_PRIVATE`, shared with the SAML metadata fetcher), and the connection is
//! pinned to the address that was checked. Unlike `net::document::fetch_text` it also POSTs
//! (the token endpoint) and returns error bodies, which the token request needs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::Settings;
use crate::net::fetch::is_non_public;

/// Documents and token responses larger than this are refused.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);
/// Pinned clients kept for reuse; past this many (host, address) pairs the cache starts over.
const MAX_CACHED_CLIENTS: usize = 256;

/// What the operator allows outbound requests to reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    pub allow_http: bool,
    pub allow_private: bool,
}

impl OutboundPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            allow_http: settings.oidc_allow_http,
            allow_private: settings.sso_fetch_allow_private,
        }
    }

    /// Checks that `url` is absolute and its scheme is allowed; the error says why not.
    pub fn check_url(&self, url: &str) -> Result<url::Url, HttpError> {
        let parsed = url::Url::parse(url)
            .map_err(|_| HttpError::BadUrl(format!("{url:?} is not an absolute URL")))?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => {
                return Err(HttpError::BadUrl(format!(
                    "{url} is not https (http needs OIDC_ALLOW_HTTP)"
                )))
            }
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(HttpError::BadUrl(format!("{url} has no host")));
        }
        Ok(parsed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    BadUrl(String),
    /// The host resolves to an address this service must not reach.
    #[error("{0}")]
    Forbidden(String),
    /// DNS, connection, timeout, size or encoding failure.
    #[error("{0}")]
    Failed(String),
}

/// A response that arrived, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Clones share one cache of pinned clients, so repeated requests to a host reuse its
/// connections (and its TLS setup) instead of building a client each time.
#[derive(Clone, Debug, Default)]
pub struct OutboundHttp {
    pub policy: OutboundPolicy,
    clients: Arc<Mutex<HashMap<(String, SocketAddr), reqwest::Client>>>,
}

impl OutboundHttp {
    pub fn new(policy: OutboundPolicy) -> Self {
        Self {
            policy,
            clients: Arc::default(),
        }
    }

    /// GET that must answer 200; returns the body.
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, HttpError> {
        let (client, parsed) = self.client_for(url).await?;
        let reply = read_reply(client.get(parsed).header("Accept", "application/json")).await?;
        if reply.status != 200 {
            return Err(HttpError::Failed(format!(
                "{} answered HTTP {}",
                host_of(url),
                reply.status
            )));
        }
        Ok(reply.body)
    }

    /// POST of a form with HTTP Basic client authentication (RFC 6749 §2.3.1: both parts
    /// form-urlencoded first). Any status is returned; the caller reads the error body.
    pub async fn post_form(
        &self,
        url: &str,
        basic: (&str, &str),
        form: &[(&str, &str)],
    ) -> Result<Reply, HttpError> {
        let (client, parsed) = self.client_for(url).await?;
        let user: String = url::form_urlencoded::byte_serialize(basic.0.as_bytes()).collect();
        let pass: String = url::form_urlencoded::byte_serialize(basic.1.as_bytes()).collect();
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = client
            .post(parsed)
            .basic_auth(user, Some(pass))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body);
        read_reply(request).await
    }

    /// POST of a JSON body with extra headers (webhook deliveries); any status is returned.
    pub async fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Reply, HttpError> {
        let (client, parsed) = self.client_for(url).await?;
        let mut request = client
            .post(parsed)
            .header("Content-Type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        read_reply(request).await
    }

    /// Checks a URL as a request would (scheme, then the host's addresses), without sending.
    pub async fn check_reachable(&self, url: &str) -> Result<(), HttpError> {
        self.client_for(url).await.map(|_| ())
    }

    /// Resolves and checks the host, then builds a client pinned to the checked address.
    async fn client_for(&self, url: &str) -> Result<(reqwest::Client, url::Url), HttpError> {
        let parsed = self.policy.check_url(url)?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let addrs: Vec<SocketAddr> =
            tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((bare.as_str(), port)))
                .await
                .map_err(|_| HttpError::Failed(format!("resolving {host} timed out")))?
                .map_err(|_| HttpError::Failed(format!("cannot resolve {host}")))?
                .collect();
        let Some(addr) = addrs.first().copied() else {
            return Err(HttpError::Failed(format!("{host} has no address")));
        };
        if !self.policy.allow_private && addrs.iter().any(|a| is_non_public(a.ip())) {
            return Err(HttpError::Forbidden(format!(
                "{host} resolves to a private, loopback or link-local address"
            )));
        }
        Ok((self.pinned_client(&bare, addr)?, parsed))
    }

    /// A client that connects to `host` only at `addr`, the address just checked. Reusing it
    /// is safe: the check above runs on every request, and a pooled connection of this client
    /// can only lead to `addr`.
    fn pinned_client(&self, host: &str, addr: SocketAddr) -> Result<reqwest::Client, HttpError> {
        let key = (host.to_owned(), addr);
        let mut cache = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(client) = cache.get(&key) {
            return Ok(client.clone());
        }
        // No proxy from the environment: it would resolve the host past the check above.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .resolve(host, addr)
            .build()
            .map_err(|_| HttpError::Failed("HTTP client unavailable".into()))?;
        if cache.len() >= MAX_CACHED_CLIENTS {
            cache.clear();
        }
        cache.insert(key, client.clone());
        Ok(client)
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Sends, refuses redirects, and reads at most MAX_BODY_BYTES.
async fn read_reply(request: reqwest::RequestBuilder) -> Result<Reply, HttpError> {
    let mut response = request.send().await.map_err(|e| {
        HttpError::Failed(if e.is_timeout() {
            "the request timed out".into()
        } else {
            "the connection failed".into()
        })
    })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(HttpError::Failed(format!(
            "the provider answered a redirect ({status}); redirects are not followed"
        )));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(HttpError::Failed("the response is too large".into()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| HttpError::Failed("the response could not be read".into()))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(HttpError::Failed("the response is too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status: status.as_u16(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_are_refused_unless_the_operator_allows_them() {
        let strict = OutboundPolicy::default();
        assert!(matches!(
            strict.check_url("http://idp.example/x"),
            Err(HttpError::BadUrl(_))
        ));
        assert!(strict.check_url("https://idp.example/x").is_ok());
        let lax = OutboundPolicy {
            allow_http: true,
            allow_private: false,
        };
        assert!(lax.check_url("http://idp.example/x").is_ok());
        assert!(lax.check_url("ftp://idp.example/x").is_err());
    }

    #[tokio::test]
    async fn loopback_hosts_are_refused_before_connecting() {
        let http = OutboundHttp::new(OutboundPolicy {
            allow_http: true,
            allow_private: false,
        });
        let err = http.get("http://127.0.0.1:9/jwks").await.unwrap_err();
        assert!(matches!(err, HttpError::Forbidden(_)), "{err:?}");
    }
}
