//! Single sign-on pieces shared by SAML and OIDC: the configuration API and model,
//! certificates, secret encryption, the SSRF-guarded fetcher and the after-login path.

pub mod certs;
