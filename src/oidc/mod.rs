//! OpenID Connect relying party (CONTRACT.md §8): discovery, JWKS, ID token checks, the
//! authorization code flow with state, nonce and PKCE, and claims to a federated identity.

pub mod discovery;
pub mod http;
pub mod id_token;
pub mod jwks;
pub mod keys;
pub mod reason;

#[cfg(test)]
mod test_support;

pub use reason::{FixSide, OidcReason};
