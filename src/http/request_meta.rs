//! What a request says about where it came from: the client IP (behind trusted proxies
//! only) and the browser's cross-site signals for the CSRF rule of CONTRACT.md §4.

use std::net::IpAddr;

use actix_web::http::Method;
use actix_web::HttpRequest;

use super::error::ApiError;
use crate::config::Settings;

/// The TCP peer, or, when the peer is a configured trusted proxy, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy. Anyone else's header is ignored.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !settings.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !settings.trusted_proxies.contains(ip))
            .unwrap_or(peer),
    )
}

pub fn client_ip_text(req: &HttpRequest, settings: &Settings) -> String {
    client_ip(req, settings)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn is_unsafe_method(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Refuses a cookie-authenticated unsafe request that a browser marked as coming from
/// another site: an `Origin` other than PUBLIC_URL's, or `Sec-Fetch-Site: cross-site`.
pub fn check_same_origin(req: &HttpRequest, settings: &Settings) -> Result<(), ApiError> {
    if !is_unsafe_method(req.method()) {
        return Ok(());
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let origin_mismatch = header("origin").is_some_and(|origin| origin != settings.public_origin());
    let cross_site = header("sec-fetch-site").is_some_and(|v| v.eq_ignore_ascii_case("cross-site"));
    if origin_mismatch || cross_site {
        return Err(ApiError::forbidden("cross-site request refused").with_code("csrf"));
    }
    Ok(())
}

impl ApiError {
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
}
