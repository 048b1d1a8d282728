//! SAML 2.0 service provider (CONTRACT.md §7): SP metadata, AuthnRequests over
//! HTTP-Redirect, and the assertion consumer service with strict response validation.

pub mod response;
pub mod test_idp;
pub mod xml;
