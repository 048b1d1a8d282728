//! Newtypes that parse and normalise input once, so the core never sees raw strings.

mod email;
mod fold;
mod nul;
mod org_id;
mod password;
mod role;
mod token;

pub use email::Email;
pub use fold::fold_identity;
pub use nul::{json_holds_nul, json_text_may_hold_nul};
pub use org_id::OrgId;
pub use password::{
    hash_password, verify_password, NewPassword, PasswordError, DUMMY_PASSWORD_HASH,
};
pub use role::{Role, BUILTIN_ROLES};
pub use token::{generate_secret, hash_secret, SecretKind};
