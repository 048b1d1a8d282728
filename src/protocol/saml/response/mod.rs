//! SAML Response validation (CONTRACT.md §7): parse once into one DOM, verify the
//! signatures with bergshamra, then read values only from the node the signature covered.
//! Every check is a small numbered function with its own typed [`Rejection`].

pub mod checks;
pub mod decode;
pub mod encrypted;
pub mod identity;
pub mod reason;
pub mod signature;

pub use identity::AssertionIdentity;
pub use reason::{FixSide, Rejection};
pub use signature::TrustedKeys;

use bergshamra::xml::uppsala::{Document, NodeId};

use crate::clock::Millis;
use crate::protocol::saml::xmlenc::DecryptionKeys;
use signature::FoundAssertion;

/// Everything the validator compares against; `now` is injected, never read from a clock.
#[derive(Debug)]
pub struct ValidationContext<'a> {
    pub sp_entity_id: &'a str,
    pub acs_url: &'a str,
    pub idp_entity_id: &'a str,
    pub keys: &'a TrustedKeys,
    /// The outstanding AuthnRequest id of this flow, when the browser came through /login.
    pub expected_request_id: Option<&'a str>,
    pub allow_unsolicited: bool,
    pub clock_skew_ms: Millis,
    pub now: Millis,
    /// The organization's SP decryption keys; None when it does not accept encrypted
    /// assertions (CONTRACT.md §17 `saml.accept_encrypted_assertions`).
    pub decryption_keys: Option<&'a DecryptionKeys>,
}

/// A response that passed every check (the replay check runs in the store afterwards).
#[derive(Clone, Debug)]
pub struct ValidatedResponse {
    pub identity: AssertionIdentity,
    pub issuer: String,
    /// Until when the assertion id must be remembered to refuse replays.
    pub replay_until: Millis,
    /// The SP key that decrypted the assertion, when it came encrypted.
    pub decrypted_with: Option<String>,
}

/// Runs checks 1–18 in order; the first failure is the reason. An encrypted assertion
/// takes checks 6b–6e (outer signature, algorithms, decryption, splice) and then the same
/// checks 3–18 on the document with the plaintext in its place.
pub fn validate(
    encoded: &str,
    ctx: &ValidationContext<'_>,
) -> Result<ValidatedResponse, Rejection> {
    decode::check_1_size(encoded)?;
    let xml = decode::check_2_base64(encoded)?;
    decode::check_3_no_dtd(&xml)?;
    let doc = decode::check_4_parse(&xml)?;
    let response = checks::check_5_response_root(&doc)?;
    checks::check_5b_status(&doc, response)?;
    let encrypted = match signature::check_6_one_assertion(&doc, response)? {
        FoundAssertion::Plain(assertion) => {
            return validate_assertion(&doc, &xml, response, assertion, ctx, None)
        }
        FoundAssertion::Encrypted(node) => node,
    };
    let keys = ctx.decryption_keys.ok_or(Rejection::EncryptedAssertion)?;
    let outer_signed =
        encrypted::check_6b_outer_signature(&doc, &xml, response, encrypted, ctx.keys)?;
    let decrypted = encrypted::check_6c_decrypt(&doc, encrypted, keys, outer_signed)?;
    // Both halves of `spliced` already passed check 3 (the response above, the plaintext in 6e).
    let spliced = encrypted::check_6e_splice(&doc, &xml, encrypted, &decrypted.plaintext)?;
    let doc = decode::check_4_parse(&spliced)?;
    let response = checks::check_5_response_root(&doc)?;
    let FoundAssertion::Plain(assertion) = signature::check_6_one_assertion(&doc, response)? else {
        return Err(Rejection::AssertionCount);
    };
    let opened = Opened {
        outer_signed,
        key_id: decrypted.key_id,
    };
    validate_assertion(&doc, &spliced, response, assertion, ctx, Some(opened))
}

/// How an encrypted assertion was opened: whether the Response signature covered it.
struct Opened {
    outer_signed: bool,
    key_id: String,
}

/// Checks 7–18 on one plain assertion of `doc`.
fn validate_assertion(
    doc: &Document<'_>,
    xml: &str,
    response: NodeId,
    assertion: NodeId,
    ctx: &ValidationContext<'_>,
    opened: Option<Opened>,
) -> Result<ValidatedResponse, Rejection> {
    let outer_signed = opened.as_ref().is_some_and(|o| o.outer_signed);
    let located = signature::check_7_signature_placement(doc, response, assertion)?;
    for sig in [located.response_signature, located.assertion_signature]
        .into_iter()
        .flatten()
    {
        signature::check_8_algorithms(doc, sig)?;
        signature::check_9_reference_target(doc, sig)?;
    }
    if !(outer_signed && located.assertion_signature.is_none()) {
        signature::check_10_verify(doc, xml, &located, ctx.keys, outer_signed)?;
    }
    // From here on, `assertion` is covered: by its own signature or by the Response's,
    // which encloses it (or its ciphertext: check 6b), as checks 6, 9 and 10 tie each
    // signature to its parent.
    let issuer = checks::check_11_issuer(doc, response, assertion, ctx)?;
    checks::check_12_destination(doc, response, ctx)?;
    checks::check_13_in_response_to(doc, response, ctx)?;
    let issued_at = checks::check_14_issue_instant(doc, [response, assertion], ctx)?;
    let subject = identity::subject_of(doc, assertion)?;
    let confirmed_until = checks::check_15_subject_confirmation(doc, subject, ctx)?;
    let conditions_until = checks::check_16_conditions(doc, assertion, ctx)?;
    checks::check_17_age(issued_at, ctx)?;
    let identity = identity::check_18_identity(doc, assertion, subject)?;
    let replay_until = conditions_until
        .unwrap_or(confirmed_until)
        .max(confirmed_until)
        + ctx.clock_skew_ms;
    Ok(ValidatedResponse {
        identity,
        issuer,
        replay_until,
        decrypted_with: opened.map(|o| o.key_id),
    })
}

#[cfg(test)]
mod encrypted_tests;
#[cfg(test)]
mod tests;
