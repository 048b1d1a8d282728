//! Protocol engines: SAML and OIDC parsing, validation and metadata, and X.509 helpers. Pure
//! code: no HTTP routes, no AppState, no store; time and fetchers come in as parameters.

pub mod binding;
pub mod certs;
pub mod oidc;
pub mod saml;

/// Which side has to act so the next login works (CONTRACT.md §2, browser-flow errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixSide {
    /// The identity provider's configuration (or whoever sent the response).
    IdentityProvider,
    /// This service's SSO configuration, set by the organization's admin.
    ServiceConfiguration,
    /// Nothing to fix: the user should start the login again.
    User,
}
