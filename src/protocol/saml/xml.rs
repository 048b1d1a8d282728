//! Small read helpers over the one parsed DOM (uppsala, as bergshamra uses): namespaces of
//! SAML core §2–3 and XML-DSig, child lookups by namespace, and the full text of an element.

use bergshamra::xml::uppsala::{Document, NodeId, NodeKind};

/// SAML core §2: the assertion namespace.
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML core §3: the protocol namespace.
pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// XML-DSig namespace.
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// SAML metadata namespace (SAML metadata §2).
pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// True when `node` is an element named `local` in namespace `ns`.
pub fn is_element(doc: &Document<'_>, node: NodeId, ns: &str, local: &str) -> bool {
    doc.element(node)
        .is_some_and(|e| e.matches_name_ns(ns, local))
}

/// The element children of `node` named `local` in `ns`, in document order.
pub fn children_named(doc: &Document<'_>, node: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    doc.children_iter(node)
        .filter(|&c| is_element(doc, c, ns, local))
        .collect()
}

/// The child named `local` appears more than once where the schema allows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeated;

/// The single child named `local`, `Ok(None)` when absent, `Err(Repeated)` when repeated.
pub fn single_child(
    doc: &Document<'_>,
    node: NodeId,
    ns: &str,
    local: &str,
) -> Result<Option<NodeId>, Repeated> {
    let found = children_named(doc, node, ns, local);
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(Repeated),
    }
}

/// Every element in the document named `local` in `ns`.
pub fn all_named(doc: &Document<'_>, ns: &str, local: &str) -> Vec<NodeId> {
    doc.descendants(doc.root())
        .into_iter()
        .filter(|&n| is_element(doc, n, ns, local))
        .collect()
}

pub fn attr<'d>(doc: &'d Document<'_>, node: NodeId, name: &str) -> Option<&'d str> {
    doc.element(node).and_then(|e| {
        e.attributes
            .iter()
            .find(|a| a.name.namespace_uri.is_none() && *a.name.local_name == *name)
            .map(|a| &*a.value)
    })
}

/// How an element's content reads as an identity value.
#[derive(Debug, PartialEq, Eq)]
pub enum PlainText {
    /// Only text and CDATA children: their full concatenation.
    Text(String),
    /// A comment, processing instruction or child element sits inside the value: the
    /// comment-injection shape (a naive reader would see only part of the text).
    Mixed,
}

/// The full text of an element whose content must be character data only.
pub fn plain_text(doc: &Document<'_>, node: NodeId) -> PlainText {
    let mut text = String::new();
    for child in doc.children_iter(node) {
        match doc.node_kind(child) {
            Some(NodeKind::Text(t)) | Some(NodeKind::CData(t)) => text.push_str(t),
            _ => return PlainText::Mixed,
        }
    }
    PlainText::Text(text)
}

/// Trimmed full text of a simple element (Issuer, Audience, StatusCode values).
pub fn trimmed_text(doc: &Document<'_>, node: NodeId) -> Option<String> {
    match plain_text(doc, node) {
        PlainText::Text(t) => Some(t.trim().to_owned()),
        PlainText::Mixed => None,
    }
}
