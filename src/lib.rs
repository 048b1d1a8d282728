//! axid: a standalone, multi-tenant SSO (SAML 2.0, OIDC) and SCIM 2.0 identity service.

pub mod clock;
pub mod config;
pub mod data_key;
pub mod domain;
pub mod federation;
pub mod http;
pub mod issuer;
pub mod jose;
pub mod login;
pub mod mail;
pub mod metrics;
pub mod net;
pub mod oidc;
pub mod ops;
pub mod portal;
pub mod protocol;
pub mod roles;
pub mod saml;
pub mod scim;
pub mod sso;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod verify;
