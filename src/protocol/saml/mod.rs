//! SAML 2.0 engine: response validation (response/), AuthnRequest building, IdP metadata
//! parsing, SP metadata writing and the XML helpers they share.

pub mod authn_request;
pub mod idp_metadata;
pub mod response;
pub mod sp_metadata;
#[doc(hidden)]
pub mod test_idp;
#[doc(hidden)]
pub mod test_idp_encrypt;
pub mod xml;
pub mod xmlenc;
