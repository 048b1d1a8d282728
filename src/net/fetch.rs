//! The guard of every server-side fetch (IdP metadata, OIDC discovery and JWKS): the host
//! is resolved first and every address that is not globally reachable (the IANA
//! special-purpose registries of both families) is refused unless the operator allows it
//! (`SSO_FETCH_ALLOW_PRIVATE`); the connection is pinned to the checked address and never
//! goes through a proxy from the environment; https only (http too when private fetches
//! are allowed); no redirects; time and size limits.

use std::net::IpAddr;
use std::time::Duration;

pub const MAX_FETCH_BYTES: usize = 1024 * 1024;

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

/// IPv4 ranges that are not globally reachable: the IANA IPv4 Special-Purpose Address
/// Registry (RFC 6890 and its updates) wherever "Globally Reachable" is not True, plus
/// multicast (RFC 5771). 192.0.0.0/24 is refused whole: its two anycast /32s (PCP, TURN)
/// are never an IdP. The globally reachable AS112 and AMT ranges are public.
const V4_NON_PUBLIC: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" (RFC 791)"),
    ([10, 0, 0, 0], 8, "private-use (RFC 1918)"),
    (
        [100, 64, 0, 0],
        10,
        "shared address space / CGNAT (RFC 6598)",
    ),
    ([127, 0, 0, 0], 8, "loopback (RFC 1122)"),
    ([169, 254, 0, 0], 16, "link-local (RFC 3927)"),
    ([172, 16, 0, 0], 12, "private-use (RFC 1918)"),
    ([192, 0, 0, 0], 24, "IETF protocol assignments (RFC 6890)"),
    ([192, 0, 2, 0], 24, "documentation TEST-NET-1 (RFC 5737)"),
    (
        [192, 88, 99, 0],
        24,
        "deprecated 6to4 relay anycast (RFC 7526)",
    ),
    ([192, 168, 0, 0], 16, "private-use (RFC 1918)"),
    ([198, 18, 0, 0], 15, "benchmarking (RFC 2544)"),
    ([198, 51, 100, 0], 24, "documentation TEST-NET-2 (RFC 5737)"),
    ([203, 0, 113, 0], 24, "documentation TEST-NET-3 (RFC 5737)"),
    ([224, 0, 0, 0], 4, "multicast (RFC 5771)"),
    (
        [240, 0, 0, 0],
        4,
        "reserved, and limited broadcast (RFC 1112, RFC 919)",
    ),
];

/// IPv6 ranges inside global unicast 2000::/3 (RFC 4291 §2.4) that the IANA IPv6
/// Special-Purpose Address Registry marks not globally reachable, or that only name
/// something else: 2001::/23 whole (Teredo 2001::/32, benchmarking, ORCHID and ORCHIDv2
/// are identifiers, not locators; the anycast and AS112 entries are never an IdP).
const V6_NON_PUBLIC_IN_GLOBAL: &[([u16; 2], u8, &str)] = &[
    ([0x2001, 0x0db8], 32, "documentation (RFC 3849)"),
    (
        [0x2001, 0x0000],
        23,
        "IETF protocol assignments, Teredo, ORCHID (RFC 2928, RFC 4380, RFC 7343)",
    ),
    ([0x3fff, 0x0000], 20, "documentation (RFC 9637)"),
];

fn v4_in(ip: [u8; 4], net: [u8; 4], len: u8) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    u32::from_be_bytes(ip) & mask == u32::from_be_bytes(net) & mask
}

fn v6_in(ip: u128, high: [u16; 2], len: u8) -> bool {
    let net = (u128::from(high[0]) << 112) | (u128::from(high[1]) << 96);
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    ip & mask == net & mask
}

/// Why a server-side fetch must not reach `ip` by default, or None when it is public.
/// IPv6 forms that carry an IPv4 address the packet reaches in the end (IPv4-mapped,
/// the NAT64 well-known prefix, 6to4) are judged by that IPv4 address; every other
/// address outside 2000::/3 is refused (loopback, unspecified, IPv4-compatible ::/96,
/// discard 100::/64, local-use NAT64 64:ff9b:1::/48, SRv6 5f00::/16, unique local,
/// site-local, link-local, multicast, and all space IANA has not allocated).
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => V4_NON_PUBLIC
            .iter()
            .find(|(net, len, _)| v4_in(v4.octets(), *net, *len))
            .map(|(_, _, why)| *why),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let low_v4 = |shift: u32| IpAddr::V4(std::net::Ipv4Addr::from((bits >> shift) as u32));
            if bits >> 32 == 0xffff {
                // ::ffff:0:0/96, IPv4-mapped (RFC 4291 §2.5.5.2)
                return non_public_reason(low_v4(0));
            }
            if bits >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
                // 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052)
                return non_public_reason(low_v4(0));
            }
            if bits >> 112 == 0x2002 {
                // 2002::/16, 6to4 (RFC 3056): the IPv4 address is bits 16 to 48
                return non_public_reason(low_v4(80));
            }
            if bits >> 125 != 0b001 {
                return Some("not global unicast (outside 2000::/3, RFC 4291)");
            }
            V6_NON_PUBLIC_IN_GLOBAL
                .iter()
                .find(|(net, len, _)| v6_in(bits, *net, *len))
                .map(|(_, _, why)| *why)
        }
    }
}

/// True for addresses a server-side fetch must not reach by default.
pub fn is_non_public(ip: IpAddr) -> bool {
    non_public_reason(ip).is_some()
}

/// The outbound client every server-side fetch starts from: no redirects, time limits,
/// and no proxy from the environment. A proxy taken from HTTP(S)_PROXY or ALL_PROXY would
/// resolve the host itself and so bypass the address check and the pinning above.
pub fn outbound_client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::document::fetch_text;

    /// One row per registry entry (and the embedded-IPv4 forms): the address must be refused.
    const REFUSED: &[&str] = &[
        // IPv4 special-purpose registry, multicast, reserved, broadcast
        "0.0.0.0",
        "0.1.2.3",
        "10.1.2.3",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.1",
        "192.0.0.9",
        "192.0.0.170",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        // IPv6: loopback, unspecified, IPv4-compatible, IPv4-mapped of non-public v4
        "::1",
        "::",
        "::127.0.0.1",
        "::8.8.8.8",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        // NAT64 well-known prefix with a non-public v4; local-use NAT64 whatever it holds
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::808:808",
        "64:ff9b:1:ffff::1",
        // discard-only and dummy prefixes, SRv6 SIDs
        "100::1",
        "100::ffff:ffff:ffff:ffff",
        "100:0:0:1::1",
        "5f00::1",
        // 2001::/23: Teredo, PCP/TURN anycast, benchmarking, AMT, AS112, ORCHID, ORCHIDv2
        "2001::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:1::1",
        "2001:2::1",
        "2001:3::1",
        "2001:4:112::1",
        "2001:10::1",
        "2001:20::1",
        "2001:1ff::1",
        // documentation
        "2001:db8::1",
        "2001:db8:ffff::1",
        "3fff::1",
        "3fff:fff::1",
        // 6to4 with a non-public embedded v4
        "2002:7f00:1::1",
        "2002:a00:1::",
        "2002:c0a8:101::1",
        "2002:a9fe:a9fe::1",
        // unique local, site-local, link-local, multicast, unallocated
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "feff::1",
        "fe80::1",
        "ff02::1",
        "ff0e::1",
        "4000::1",
        "e000::1",
    ];

    /// Globally reachable addresses, including the embedded forms of a public v4.
    const ALLOWED: &[&str] = &[
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",
        "100.128.0.1",
        "172.32.0.1",
        "192.0.1.1",
        "192.31.196.1",
        "192.52.193.1",
        "192.175.48.1",
        "198.17.255.255",
        "198.20.0.1",
        "223.255.255.255",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82b::200e",
        "2001:200::1",
        "2620:4f:8000::1",
        "3fff:1000::1",
    ];

    #[test]
    fn every_special_purpose_address_is_refused() {
        for text in REFUSED {
            let ip: IpAddr = text.parse().unwrap();
            assert!(is_non_public(ip), "{text} must be refused");
        }
    }

    #[test]
    fn globally_reachable_addresses_are_allowed() {
        for text in ALLOWED {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(non_public_reason(ip), None, "{text} is public");
        }
    }

    #[tokio::test]
    async fn a_refusal_names_the_address_and_its_range() {
        let err = fetch_text("https://[64:ff9b::a9fe:a9fe]/metadata", false)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            FetchError::Forbidden(
                "[64:ff9b::a9fe:a9fe] resolves to 64:ff9b::a9fe:a9fe, which is not a public \
                 address: link-local (RFC 3927)"
                    .into()
            )
        );
    }

    /// A proxy from the environment would resolve the host itself, past the check and the
    /// pinning: the fetch must go straight to the checked address. (Environment changes are
    /// harmless here: nextest runs each test in its own process.)
    #[tokio::test]
    async fn proxy_variables_from_the_environment_are_ignored() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
        for name in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "all_proxy",
        ] {
            std::env::set_var(name, &proxy_url);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
        let serve = |listener: tokio::net::TcpListener, body: &'static str| async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes()).await;
        };
        let origin_port = origin.local_addr().unwrap().port();
        tokio::spawn(serve(proxy, "via the proxy"));
        tokio::spawn(serve(origin, "direct"));
        let url = format!("http://localhost:{origin_port}/metadata");
        assert_eq!(fetch_text(&url, true).await.unwrap(), "direct");
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
