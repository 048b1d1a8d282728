//! OpenID Connect relying-party engine: discovery and JWKS caches, ID token checks, the
//! authorization code flow's secrets, the token request and claims to an identity.

pub mod claims;
pub mod discovery;
pub mod flow;
pub mod id_token;
pub mod jwks;
pub mod keys;
pub mod reason;
pub mod runtime;
pub mod token;

#[cfg(test)]
mod test_support;

pub use reason::{FixSide, OidcReason};
