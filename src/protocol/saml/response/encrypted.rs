//! Checks 6b–6e for an EncryptedAssertion (SAML core §2.3.4, CONTRACT.md §17): the
//! Response signature first (it covers the ciphertext and does not verify after
//! decryption), then the allowed algorithms, the decryption with every SP key, and the
//! plaintext put back in place of the EncryptedAssertion so that every check of §7 runs on
//! it as on a plain assertion.

use base64::Engine;
use bergshamra::xml::uppsala::{Document, NodeId};
use quick_xml::escape::escape;
use rand::RngCore;

use super::decode;
use super::reason::Rejection;
use super::signature::{self, Located, TrustedKeys};
use crate::protocol::saml::xml::{all_named, attr, children_named, single_child, DSIG, SAML};
use crate::protocol::saml::xmlenc::{
    key_transport, unwrap_content_key, AlgorithmRefusal, ContentCipher, DecryptionKeys, WrappedKey,
    XENC, XENC11,
};

/// An IdP sends one EncryptedKey per recipient; more than this is not a real response.
const MAX_ENCRYPTED_KEYS: usize = 4;
const ELEMENT_TYPE: &str = "http://www.w3.org/2001/04/xmlenc#Element";

/// What decryption produced: the assertion's text and which SP key opened it.
#[derive(Debug)]
pub struct Decrypted {
    pub plaintext: String,
    pub key_id: String,
}

fn refusal(r: AlgorithmRefusal) -> Rejection {
    match r {
        AlgorithmRefusal::Weak => Rejection::WeakAlgorithm,
        AlgorithmRefusal::Disallowed => Rejection::DisallowedAlgorithm,
    }
}

/// Check 6b: the only signature outside the ciphertext may be the Response's enveloped
/// one; when present it must verify now (checks 8–10), before anything is decrypted.
/// Returns whether the Response signature covers the EncryptedAssertion.
pub fn check_6b_outer_signature(
    doc: &Document<'_>,
    xml: &str,
    response: NodeId,
    encrypted: NodeId,
    keys: &TrustedKeys,
) -> Result<bool, Rejection> {
    let all = all_named(doc, DSIG, "Signature");
    let on_response = children_named(doc, response, DSIG, "Signature");
    if on_response.len() > 1 || all.len() != on_response.len() {
        return Err(Rejection::SignatureMisplaced);
    }
    let Some(&sig) = on_response.first() else {
        return Ok(false);
    };
    signature::check_8_algorithms(doc, sig)?;
    signature::check_9_reference_target(doc, sig)?;
    let located = Located {
        response,
        assertion: encrypted,
        response_signature: Some(sig),
        assertion_signature: None,
    };
    signature::check_10_verify(doc, xml, &located, keys, false)?;
    Ok(true)
}

fn only_child(
    doc: &Document<'_>,
    node: NodeId,
    ns: &str,
    local: &str,
) -> Result<NodeId, Rejection> {
    single_child(doc, node, ns, local)
        .ok()
        .flatten()
        .ok_or(Rejection::DecryptionFailed)
}

fn cipher_value(doc: &Document<'_>, parent: NodeId) -> Result<Vec<u8>, Rejection> {
    let data = only_child(doc, parent, XENC, "CipherData")?;
    // A CipherReference would make axid fetch or transform bytes it was told about: never.
    if !children_named(doc, data, XENC, "CipherReference").is_empty() {
        return Err(Rejection::DisallowedAlgorithm);
    }
    let value = only_child(doc, data, XENC, "CipherValue")?;
    let text: Vec<u8> = doc
        .text_content_deep(value)
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| Rejection::DecryptionFailed)
}

fn method_uri(doc: &Document<'_>, parent: NodeId) -> Result<(NodeId, String), Rejection> {
    let method = only_child(doc, parent, XENC, "EncryptionMethod")?;
    let uri = attr(doc, method, "Algorithm").ok_or(Rejection::DisallowedAlgorithm)?;
    Ok((method, uri.to_owned()))
}

fn wrapped_key(doc: &Document<'_>, encrypted_key: NodeId) -> Result<WrappedKey, Rejection> {
    let (method, uri) = method_uri(doc, encrypted_key)?;
    let child_alg = |ns, local| {
        single_child(doc, method, ns, local)
            .ok()
            .flatten()
            .and_then(|n| attr(doc, n, "Algorithm"))
    };
    let algorithm = key_transport(
        &uri,
        child_alg(DSIG, "DigestMethod"),
        child_alg(XENC11, "MGF"),
    )
    .map_err(refusal)?;
    let label = match single_child(doc, method, XENC, "OAEPparams").ok().flatten() {
        Some(p) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(doc.text_content_deep(p).trim())
                .map_err(|_| Rejection::DecryptionFailed)?,
        ),
        None => None,
    };
    Ok(WrappedKey {
        algorithm,
        label,
        cipher: cipher_value(doc, encrypted_key)?,
    })
}

/// The EncryptedKeys of this EncryptedAssertion: in EncryptedData's KeyInfo, or beside
/// EncryptedData (SAML core §2.3.4 allows both).
fn encrypted_keys(
    doc: &Document<'_>,
    encrypted: NodeId,
    data: NodeId,
) -> Result<Vec<WrappedKey>, Rejection> {
    let mut nodes = children_named(doc, encrypted, XENC, "EncryptedKey");
    if let Some(info) = single_child(doc, data, DSIG, "KeyInfo").ok().flatten() {
        nodes.extend(children_named(doc, info, XENC, "EncryptedKey"));
    }
    if nodes.is_empty() || nodes.len() > MAX_ENCRYPTED_KEYS {
        return Err(Rejection::DecryptionFailed);
    }
    nodes.into_iter().map(|n| wrapped_key(doc, n)).collect()
}

/// Checks 6c–6d: allowed algorithms (RSA-OAEP; AES-GCM, or AES-CBC only under a verified
/// Response signature, since CBC has no integrity of its own), then decryption with every
/// SP key. Every failure past the algorithm checks is `decryption_failed`, and a key that
/// does not unwrap still runs the content decryption (with a random key) so the time spent
/// does not tell which step failed.
pub fn check_6c_decrypt(
    doc: &Document<'_>,
    encrypted: NodeId,
    keys: &DecryptionKeys,
    outer_signed: bool,
) -> Result<Decrypted, Rejection> {
    let data = only_child(doc, encrypted, XENC, "EncryptedData")?;
    if attr(doc, data, "Type").is_some_and(|t| t != ELEMENT_TYPE) {
        return Err(Rejection::DecryptionFailed);
    }
    let (_, content_uri) = method_uri(doc, data)?;
    let content = ContentCipher::parse(&content_uri).map_err(refusal)?;
    if matches!(content, ContentCipher::Cbc(_)) && !outer_signed {
        return Err(Rejection::UnprotectedCbc);
    }
    let wrapped = encrypted_keys(doc, encrypted, data)?;
    let ciphertext = cipher_value(doc, data)?;
    let unwrapped = unwrap_content_key(keys, &wrapped, content.key_len());
    let (cek, key_id) = unwrapped.clone().unwrap_or_else(|| {
        let mut random = vec![0u8; content.key_len()];
        rand::rngs::OsRng.fill_bytes(&mut random);
        (random, String::new())
    });
    let plain = content.decrypt(&cek, &ciphertext);
    match (unwrapped, plain) {
        (Some(_), Some(bytes)) => Ok(Decrypted {
            plaintext: String::from_utf8(bytes).map_err(|_| Rejection::DecryptionFailed)?,
            key_id,
        }),
        _ => Err(Rejection::DecryptionFailed),
    }
}

/// The namespace declarations in scope at `node` (nearest first).
fn namespaces_in_scope(doc: &Document<'_>, node: NodeId) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut at = Some(node);
    while let Some(n) = at {
        for (prefix, uri) in doc
            .element(n)
            .map_or(&[][..], |e| &e.namespace_declarations)
        {
            if !found.iter().any(|(p, _)| p == prefix) {
                found.push((prefix.to_string(), uri.to_string()));
            }
        }
        at = doc.parent(n);
    }
    found
}

fn declarations(namespaces: &[(String, String)]) -> String {
    namespaces
        .iter()
        .map(|(prefix, uri)| match prefix.as_str() {
            "" => format!(" xmlns=\"{}\"", escape(uri.as_str())),
            p => format!(" xmlns:{p}=\"{}\"", escape(uri.as_str())),
        })
        .collect()
}

/// Check 6e: the plaintext is exactly one saml:Assertion element (read in the namespaces
/// the EncryptedAssertion had), and the Response text is rebuilt with it in the
/// EncryptedAssertion's place. The declarations the plaintext relied on are written onto
/// its root, which exclusive c14n does not see (it renders only used namespaces).
pub fn check_6e_splice(
    doc: &Document<'_>,
    xml: &str,
    encrypted: NodeId,
    plaintext: &str,
) -> Result<String, Rejection> {
    decode::check_3_no_dtd(plaintext)?;
    let in_scope = namespaces_in_scope(doc, encrypted);
    let open = format!("<axid-wrapper{}>", declarations(&in_scope));
    let wrapped = format!("{open}{plaintext}</axid-wrapper>");
    let wrapper = decode::check_4_parse(&wrapped)?;
    let root = wrapper.document_element().ok_or(Rejection::MalformedXml)?;
    let mut elements = wrapper
        .children_iter(root)
        .filter(|&c| wrapper.element(c).is_some());
    let (Some(assertion), None) = (elements.next(), elements.next()) else {
        return Err(Rejection::AssertionCount);
    };
    let only_whitespace = wrapper
        .children_iter(root)
        .filter(|&c| c != assertion)
        .all(|c| wrapper.text_content(c).is_some_and(|t| t.trim().is_empty()));
    if !crate::protocol::saml::xml::is_element(&wrapper, assertion, SAML, "Assertion")
        || !only_whitespace
    {
        return Err(Rejection::AssertionCount);
    }
    let element = wrapper.element(assertion).ok_or(Rejection::MalformedXml)?;
    let own = namespaces_in_scope(&wrapper, assertion);
    let missing: Vec<(String, String)> = own
        .into_iter()
        .filter(|(p, _)| !element.namespace_declarations.iter().any(|(q, _)| q == p))
        .collect();
    let range = wrapper
        .node_range(assertion)
        .ok_or(Rejection::MalformedXml)?;
    let name_end = range.start + 1 + element.name.prefixed_name().len();
    let (Some(head), Some(tail)) = (
        wrapped.get(range.start..name_end),
        wrapped.get(name_end..range.end),
    ) else {
        return Err(Rejection::MalformedXml);
    };
    let outer = doc.node_range(encrypted).ok_or(Rejection::MalformedXml)?;
    let (Some(before), Some(after)) = (xml.get(..outer.start), xml.get(outer.end..)) else {
        return Err(Rejection::MalformedXml);
    };
    Ok(format!(
        "{before}{head}{}{tail}{after}",
        declarations(&missing)
    ))
}
