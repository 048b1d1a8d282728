//! Server-side fetches for SSO (IdP metadata now, OIDC discovery and JWKS later): the host
//! is resolved first and private, loopback, link-local and other non-public addresses are
//! refused unless the operator allows them (`SSO_FETCH_ALLOW_PRIVATE`); the connection is
//! pinned to the checked address; https only (http too when private fetches are allowed);
//! no redirects; time and size limits.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub const MAX_FETCH_BYTES: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The URL is not an absolute http(s) URL, or http is not allowed.
    BadUrl(String),
    /// The host resolves to an address this service must not reach.
    Forbidden(String),
    /// DNS, connection, timeout, redirect, status or size failure.
    Failed(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadUrl(m) | Self::Forbidden(m) | Self::Failed(m) => f.write_str(m),
        }
    }
}

/// True for addresses a server-side fetch must not reach by default.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
        }
    }
}

/// GETs `url` under the guard and returns the body text.
pub async fn fetch_text(url: &str, allow_private: bool) -> Result<String, FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|_| FetchError::BadUrl("the URL is not valid".into()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(FetchError::BadUrl("only https URLs may be fetched".into())),
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| FetchError::BadUrl("the URL has no host".into()))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let lookup_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        TIMEOUT,
        tokio::net::lookup_host((lookup_host.as_str(), port)),
    )
    .await
    .map_err(|_| FetchError::Failed("DNS lookup timed out".into()))?
    .map_err(|_| FetchError::Failed(format!("cannot resolve {host}")))?
    .collect();
    let Some(addr) = addrs.first().copied() else {
        return Err(FetchError::Failed(format!("{host} has no address")));
    };
    if !allow_private && addrs.iter().any(|a| is_non_public(a.ip())) {
        return Err(FetchError::Forbidden(format!(
            "{host} resolves to a private, loopback or link-local address"
        )));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .resolve(&lookup_host, addr)
        .build()
        .map_err(|_| FetchError::Failed("HTTP client unavailable".into()))?;
    let response = client.get(parsed).send().await.map_err(|e| {
        FetchError::Failed(if e.is_timeout() {
            "the request timed out".into()
        } else {
            "the request failed".into()
        })
    })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(FetchError::Failed(format!(
            "the server answered a redirect ({status}); give the final URL"
        )));
    }
    if !status.is_success() {
        return Err(FetchError::Failed(format!("the server answered {status}")));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_FETCH_BYTES as u64)
    {
        return Err(FetchError::Failed(
            "the document is larger than 1 MiB".into(),
        ));
    }
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| FetchError::Failed("the response could not be read".into()))?
    {
        if body.len() + chunk.len() > MAX_FETCH_BYTES {
            return Err(FetchError::Failed(
                "the document is larger than 1 MiB".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| FetchError::Failed("the document is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        assert!(!is_non_public("93.184.216.34".parse().unwrap()));
    }

    #[tokio::test]
    async fn loopback_urls_are_refused_unless_allowed() {
        let err = fetch_text("https://127.0.0.1:9/metadata", false)
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Forbidden(_)), "{err:?}");
        let err = fetch_text("http://example.com/", false).await.unwrap_err();
        assert!(matches!(err, FetchError::BadUrl(_)), "{err:?}");
    }
}
