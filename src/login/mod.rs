//! The after-login path every sign-in shares: issuing a session and its cookie (password,
//! SAML, OIDC), and turning a federated identity into a linked or JIT user with roles.

pub mod federated;
pub mod password;
pub mod role_changes;
pub mod saml_start;
pub mod saml_validate;
pub mod session_roles;
pub mod sessions;
pub mod sign_in;
