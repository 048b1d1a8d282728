//! Checks 6–10: where the assertion and signatures may sit, the algorithm and transform
//! allow-list, what each signature references, and the cryptographic verification by
//! bergshamra against the organization's configured certificates only (never KeyInfo).

use bergshamra::core::algorithm as alg;
use bergshamra::xml::uppsala::{Document, NodeId};
use bergshamra::{DsigContext, Key, KeysManager, VerifyResult};

use super::reason::Rejection;
use crate::protocol::saml::xml::{
    all_named, attr, children_named, is_element, single_child, DSIG, SAML,
};

/// The nodes the later checks read: found once, by position, never by ID lookup.
#[derive(Clone, Copy, Debug)]
pub struct Located {
    pub response: NodeId,
    pub assertion: NodeId,
    pub response_signature: Option<NodeId>,
    pub assertion_signature: Option<NodeId>,
}

/// What check 6 found: the one assertion, plain or encrypted.
#[derive(Clone, Copy, Debug)]
pub enum FoundAssertion {
    Plain(NodeId),
    Encrypted(NodeId),
}

/// Check 6: exactly one assertion, plain or encrypted together, a direct child of the
/// Response (SAML core §3.3.3 allows several; this service accepts one, so there is never a
/// question of which one was signed, and no signed plain assertion rides beside an
/// encrypted one).
pub fn check_6_one_assertion(
    doc: &Document<'_>,
    response: NodeId,
) -> Result<FoundAssertion, Rejection> {
    let plain = all_named(doc, SAML, "Assertion");
    let encrypted = all_named(doc, SAML, "EncryptedAssertion");
    let (node, found) = match (plain.as_slice(), encrypted.as_slice()) {
        ([a], []) => (*a, FoundAssertion::Plain(*a)),
        ([], [e]) => (*e, FoundAssertion::Encrypted(*e)),
        _ => return Err(Rejection::AssertionCount),
    };
    if doc.parent(node) != Some(response) {
        return Err(Rejection::AssertionMisplaced);
    }
    Ok(found)
}

/// Check 7: every ds:Signature is the enveloped signature of the Response or of the
/// Assertion (SAML core §5.4.1), at most one each, and at least one exists.
pub fn check_7_signature_placement(
    doc: &Document<'_>,
    response: NodeId,
    assertion: NodeId,
) -> Result<Located, Rejection> {
    let all = all_named(doc, DSIG, "Signature");
    let on_response = children_named(doc, response, DSIG, "Signature");
    let on_assertion = children_named(doc, assertion, DSIG, "Signature");
    if on_response.len() > 1
        || on_assertion.len() > 1
        || all.len() != on_response.len() + on_assertion.len()
    {
        return Err(Rejection::SignatureMisplaced);
    }
    if all.is_empty() {
        return Err(Rejection::SignatureMissing);
    }
    Ok(Located {
        response,
        assertion,
        response_signature: on_response.first().copied(),
        assertion_signature: on_assertion.first().copied(),
    })
}

fn algorithm_of(doc: &Document<'_>, parent: NodeId, local: &str) -> Result<String, Rejection> {
    let node = single_child(doc, parent, DSIG, local)
        .map_err(|_| Rejection::DisallowedAlgorithm)?
        .ok_or(Rejection::DisallowedAlgorithm)?;
    attr(doc, node, "Algorithm")
        .map(str::to_owned)
        .ok_or(Rejection::DisallowedAlgorithm)
}

const WEAK: &[&str] = &[
    alg::SHA1,
    alg::RSA_SHA1,
    alg::DSA_SHA1,
    alg::ECDSA_SHA1,
    alg::SHA224,
];
const SIGNATURE_METHODS: &[&str] = &[
    alg::RSA_SHA256,
    alg::RSA_SHA384,
    alg::RSA_SHA512,
    alg::ECDSA_SHA256,
    alg::ECDSA_SHA384,
    alg::ECDSA_SHA512,
];
const DIGEST_METHODS: &[&str] = &[alg::SHA256, alg::SHA384, alg::SHA512];
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

fn allowed(uri: &str, list: &[&str]) -> Result<(), Rejection> {
    if list.contains(&uri) {
        Ok(())
    } else if WEAK.contains(&uri) {
        Err(Rejection::WeakAlgorithm)
    } else {
        Err(Rejection::DisallowedAlgorithm)
    }
}

/// Check 8: exclusive c14n without comments, SHA-256 or stronger for signature and digest,
/// exactly one Reference whose transforms are enveloped-signature and exclusive c14n only
/// (SAML core §5.4.3–5.4.4). Read from the Signature before any cryptography runs.
pub fn check_8_algorithms(doc: &Document<'_>, signature: NodeId) -> Result<(), Rejection> {
    let signed_info = single_child(doc, signature, DSIG, "SignedInfo")
        .map_err(|_| Rejection::DisallowedAlgorithm)?
        .ok_or(Rejection::DisallowedAlgorithm)?;
    allowed(
        &algorithm_of(doc, signed_info, "CanonicalizationMethod")?,
        &[alg::EXC_C14N],
    )?;
    allowed(
        &algorithm_of(doc, signed_info, "SignatureMethod")?,
        SIGNATURE_METHODS,
    )?;
    let references = children_named(doc, signed_info, DSIG, "Reference");
    let [reference] = references.as_slice() else {
        return Err(Rejection::ReferenceCount);
    };
    allowed(
        &algorithm_of(doc, *reference, "DigestMethod")?,
        DIGEST_METHODS,
    )?;
    if let Some(transforms) = single_child(doc, *reference, DSIG, "Transforms")
        .map_err(|_| Rejection::DisallowedAlgorithm)?
    {
        for t in doc
            .children_iter(transforms)
            .filter(|&t| doc.element(t).is_some())
        {
            if !is_element(doc, t, DSIG, "Transform")
                || doc.children_iter(t).any(|c| doc.element(c).is_some())
            {
                return Err(Rejection::DisallowedAlgorithm);
            }
            allowed(
                attr(doc, t, "Algorithm").unwrap_or_default(),
                &[ENVELOPED, alg::EXC_C14N],
            )?;
        }
    }
    Ok(())
}

/// Check 9: the single Reference is `#ID` of the element the signature sits in
/// (SAML core §5.4.2); `URI=""` (the whole document) and other elements are refused.
pub fn check_9_reference_target(doc: &Document<'_>, signature: NodeId) -> Result<(), Rejection> {
    let parent = doc.parent(signature).ok_or(Rejection::ReferenceMismatch)?;
    let id = attr(doc, parent, "ID")
        .filter(|id| !id.is_empty())
        .ok_or(Rejection::ReferenceMismatch)?;
    let uri = single_child(doc, signature, DSIG, "SignedInfo")
        .ok()
        .flatten()
        .and_then(|si| children_named(doc, si, DSIG, "Reference").first().copied())
        .and_then(|r| attr(doc, r, "URI"))
        .ok_or(Rejection::ReferenceMismatch)?;
    if uri.strip_prefix('#') == Some(id) {
        Ok(())
    } else {
        Err(Rejection::ReferenceMismatch)
    }
}

/// The organization's trusted IdP keys, parsed once per configuration.
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys(pub Vec<Key>);

impl TrustedKeys {
    /// From DER certificates; a certificate bergshamra cannot load is an error.
    pub fn from_der_certs(certs: &[Vec<u8>]) -> Result<Self, String> {
        certs
            .iter()
            .map(|der| bergshamra::keys::loader::load_x509_cert_der(der).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

/// Check 10: every present signature verifies with a configured certificate (strict
/// position mode, inline keys ignored) and its verified reference resolved to its parent.
/// `response_verified`: the Response signature already verified over the ciphertext of a
/// decrypted assertion (check 6b), and cannot verify over the plaintext; it is skipped.
pub fn check_10_verify(
    doc: &Document<'_>,
    xml: &str,
    located: &Located,
    keys: &TrustedKeys,
    response_verified: bool,
) -> Result<(), Rejection> {
    if keys.0.is_empty() {
        return Err(Rejection::UntrustedSignature);
    }
    let mut manager = KeysManager::new();
    manager.add_keys(keys.0.iter().cloned());
    let ctx = DsigContext::new(manager)
        .with_trusted_keys_only(true)
        .with_strict_verification(true)
        .with_verify_keys(false);
    let results =
        match bergshamra::dsig::verify::verify_all_document_with_source(&ctx, doc, Some(xml)) {
            Ok(results) => results,
            Err(bergshamra::Error::XmlStructure(msg)) if msg.contains("duplicate ID") => {
                return Err(Rejection::DuplicateId)
            }
            Err(_) => return Err(Rejection::MalformedXml),
        };
    // Check 7 left only our signatures, so results follow them in document order.
    let ordered = all_named(doc, DSIG, "Signature");
    let ours = [located.response_signature, located.assertion_signature];
    if ordered.len() != results.len() || ordered.iter().any(|s| !ours.contains(&Some(*s))) {
        return Err(Rejection::SignatureMisplaced);
    }
    for (sig, result) in ordered.iter().zip(results) {
        if response_verified && located.response_signature == Some(*sig) {
            continue;
        }
        match result {
            VerifyResult::Valid {
                signature_node,
                references,
                ..
            } => {
                let parent = doc.parent(*sig);
                let covers_parent = references.len() == 1
                    && references[0].digest_verified
                    && references[0].resolved_node == parent;
                if signature_node != *sig || !covers_parent {
                    return Err(Rejection::ReferenceMismatch);
                }
            }
            VerifyResult::Invalid { reason } => {
                return Err(if reason.contains("digest") || reason.contains("Digest") {
                    Rejection::DigestMismatch
                } else {
                    Rejection::UntrustedSignature
                });
            }
        }
    }
    Ok(())
}
