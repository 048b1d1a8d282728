//! The after-login path every sign-in shares (password, SAML, OIDC): issuing a session and
//! its cookie.

pub mod sessions;
