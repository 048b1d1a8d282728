//! Outbound HTTP: the SSRF guard every server-side fetch goes through (IdP metadata, OIDC
//! discovery, JWKS and token requests), with its size, time and redirect limits.

pub mod document;
pub mod fetch;
pub mod http;
