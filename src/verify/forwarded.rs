//! The original request as the proxy describes it (`X-Forwarded-Proto`, `-Host`, `-Uri`,
//! or nginx's `X-Original-URI`), believed only from TRUSTED_PROXIES (CONTRACT.md §14).

use actix_web::HttpRequest;

use crate::config::Settings;

pub struct Original {
    pub host: Option<String>,
    /// `scheme://host/uri`, when the proxy named all three parts.
    pub url: Option<url::Url>,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

pub fn original(req: &HttpRequest, settings: &Settings) -> Original {
    let trusted = req
        .peer_addr()
        .is_some_and(|peer| settings.trusted_proxies.contains(&peer.ip()));
    if !trusted {
        return Original {
            host: header(req, "host").map(str::to_owned),
            url: None,
        };
    }
    let host = header(req, "x-forwarded-host").or_else(|| header(req, "host"));
    let proto = header(req, "x-forwarded-proto").unwrap_or("https");
    let uri = header(req, "x-forwarded-uri").or_else(|| header(req, "x-original-uri"));
    let url = match (host, uri) {
        (Some(h), Some(u)) if u.starts_with('/') && matches!(proto, "http" | "https") => {
            url::Url::parse(&format!("{proto}://{h}{u}")).ok()
        }
        _ => None,
    };
    Original {
        host: host.map(str::to_owned),
        url,
    }
}

/// Whether `url` is on PUBLIC_URL's site: the same scheme and host, or a sibling host under
/// PUBLIC_URL's parent domain (auth.example.com and app.example.com). Without a public
/// suffix list a two-label parent (example.com for auth.example.com) is the widest site
/// accepted; IP addresses and single-label hosts must match exactly.
pub fn same_site(url: &url::Url, public: &url::Url) -> bool {
    let (Some(host), Some(public_host)) = (url.host_str(), public.host_str()) else {
        return false;
    };
    if url.scheme() != public.scheme() {
        return false;
    }
    if host.eq_ignore_ascii_case(public_host) {
        return true;
    }
    let is_name = matches!(public.host(), Some(url::Host::Domain(_)));
    let labels: Vec<&str> = public_host.split('.').collect();
    if !is_name || labels.len() < 3 {
        return false;
    }
    let parent = labels[1..].join(".");
    host.to_ascii_lowercase()
        .ends_with(&format!(".{}", parent.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn sites_are_the_public_host_or_its_siblings_never_a_bare_suffix() {
        let public = u("https://auth.example.com");
        assert!(same_site(&u("https://app.example.com/x"), &public));
        assert!(same_site(&u("https://auth.example.com:8443/x"), &public));
        assert!(!same_site(&u("http://app.example.com/x"), &public));
        assert!(!same_site(&u("https://example.com.evil.test/"), &public));
        assert!(!same_site(&u("https://evilexample.com/"), &public));
        assert!(!same_site(
            &u("https://other.com/"),
            &u("https://example.com")
        ));
        assert!(same_site(
            &u("http://127.0.0.1:9/x"),
            &u("http://127.0.0.1:8080")
        ));
        assert!(!same_site(
            &u("http://127.0.0.2/x"),
            &u("http://127.0.0.1:8080")
        ));
    }
}
