//! Why a SAML response was refused: one variant per check, each with a stable snake_case
//! code (audit feed, metrics, error page) and the side that must fix it.

pub use crate::protocol::FixSide;

macro_rules! rejections {
    ($($variant:ident => $code:literal, $side:ident, $msg:literal;)*) => {
        /// A typed rejection reason of the SAML response validator.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Rejection { $($variant),* }

        impl Rejection {
            /// Every variant, for tests and documentation.
            pub const ALL: &'static [Rejection] = &[$(Rejection::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(Rejection::$variant => $code),* }
            }
            pub fn side(self) -> FixSide {
                match self { $(Rejection::$variant => FixSide::$side),* }
            }
            pub fn message(self) -> &'static str {
                match self { $(Rejection::$variant => $msg),* }
            }
        }
    };
}

rejections! {
    Oversized => "response_too_large", IdentityProvider, "the SAML response is larger than 256 KiB";
    MalformedEncoding => "malformed_encoding", IdentityProvider, "SAMLResponse is not valid base64 of UTF-8 XML";
    DtdForbidden => "dtd_forbidden", IdentityProvider, "the response contains a DTD, which SAML forbids";
    MalformedXml => "malformed_xml", IdentityProvider, "the response is not well-formed XML";
    NotAResponse => "not_a_response", IdentityProvider, "the document is not a SAML 2.0 protocol Response";
    WrongVersion => "wrong_version", IdentityProvider, "the response is not SAML version 2.0";
    StatusNotSuccess => "status_not_success", IdentityProvider, "the identity provider answered with a non-success status";
    EncryptedAssertion => "encrypted_assertion_unsupported", ServiceConfiguration, "this organization does not accept encrypted assertions; turn on saml.accept_encrypted_assertions or turn assertion encryption off at the IdP";
    DecryptionFailed => "decryption_failed", IdentityProvider, "the encrypted assertion does not decrypt with this organization's SP encryption keys; give the IdP the certificate from the current SP metadata";
    UnprotectedCbc => "unprotected_cbc", IdentityProvider, "AES-CBC encrypted assertions are accepted only inside a signed Response; sign the Response or use AES-GCM";
    AssertionCount => "assertion_count", IdentityProvider, "the response must contain exactly one assertion";
    AssertionMisplaced => "assertion_misplaced", IdentityProvider, "the assertion is not a direct child of the Response";
    SignatureMisplaced => "signature_misplaced", IdentityProvider, "a signature sits where neither the Response nor the Assertion signature may be";
    SignatureMissing => "signature_missing", IdentityProvider, "neither the response nor the assertion is signed";
    WeakAlgorithm => "weak_algorithm", IdentityProvider, "the signature or encryption uses a weak algorithm (SHA-1, RSA 1.5, 3DES); use SHA-256, RSA-OAEP and AES-GCM";
    DisallowedAlgorithm => "disallowed_algorithm", IdentityProvider, "the signature uses an algorithm, canonicalization or transform outside the allow-list";
    ReferenceCount => "reference_count", IdentityProvider, "a signature must have exactly one reference";
    DuplicateId => "duplicate_id", IdentityProvider, "two elements carry the same ID (a signature-wrapping shape)";
    ReferenceMismatch => "reference_mismatch", IdentityProvider, "the signature does not reference the element that encloses it";
    UntrustedSignature => "signature_invalid", ServiceConfiguration, "the signature does not verify with any configured IdP certificate";
    DigestMismatch => "digest_mismatch", IdentityProvider, "the signed content was changed after signing";
    WrongIssuer => "wrong_issuer", ServiceConfiguration, "the Issuer is not the configured IdP entity id";
    WrongDestination => "wrong_destination", IdentityProvider, "the Destination is not this organization's ACS URL";
    MissingInResponseTo => "missing_in_response_to", IdentityProvider, "the response answers no request of this login flow";
    WrongInResponseTo => "wrong_in_response_to", User, "the response answers another request than this login flow's";
    UnsolicitedNotAllowed => "unsolicited_response", ServiceConfiguration, "IdP-initiated login is not allowed for this organization";
    IssuedInFuture => "issued_in_future", IdentityProvider, "the response was issued in the future; check the IdP's clock";
    ResponseTooOld => "response_too_old", User, "the response was issued too long ago";
    NoBearerConfirmation => "no_bearer_confirmation", IdentityProvider, "the assertion has no usable bearer SubjectConfirmation";
    WrongRecipient => "wrong_recipient", IdentityProvider, "the SubjectConfirmation Recipient is not this organization's ACS URL";
    Expired => "expired", User, "the assertion has expired";
    NotYetValid => "not_yet_valid", IdentityProvider, "the assertion is not valid yet; check the IdP's clock";
    MissingAudience => "missing_audience", IdentityProvider, "the assertion has no AudienceRestriction";
    WrongAudience => "wrong_audience", IdentityProvider, "the Audience is not this organization's SP entity id";
    MissingNameId => "missing_name_id", IdentityProvider, "the assertion has no NameID";
    IdentityNotPlainText => "identity_not_plain_text", IdentityProvider, "an identity value contains a comment or markup (comment injection)";
    MissingAssertionId => "missing_assertion_id", IdentityProvider, "the assertion has no ID";
    Replay => "replayed_assertion", User, "this assertion was already used";
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_code_is_snake_case_and_distinct() {
        let mut seen = std::collections::BTreeSet::new();
        for r in Rejection::ALL {
            let code = r.code();
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate {code}");
        }
    }
}
