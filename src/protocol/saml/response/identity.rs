//! Check 18: the identity read from the signed Assertion only: its ID, the Subject's NameID
//! and the attribute values, each the full text of its element (CONTRACT.md §7).

use bergshamra::xml::uppsala::{Document, NodeId};

use super::reason::Rejection;
use crate::protocol::saml::xml::{attr, children_named, plain_text, single_child, PlainText, SAML};

/// What a validated assertion says about the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertionIdentity {
    pub assertion_id: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    /// Attribute name to values, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
}

impl AssertionIdentity {
    /// The values of the first attribute whose Name (or FriendlyName) equals `name`.
    pub fn values(&self, name: &str) -> Option<&[String]> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

fn full_text(doc: &Document<'_>, node: NodeId) -> Result<String, Rejection> {
    match plain_text(doc, node) {
        PlainText::Text(t) => Ok(t),
        PlainText::Mixed => Err(Rejection::IdentityNotPlainText),
    }
}

/// The Subject element (SAML core §2.4.1), exactly one.
pub fn subject_of(doc: &Document<'_>, assertion: NodeId) -> Result<NodeId, Rejection> {
    single_child(doc, assertion, SAML, "Subject")
        .ok()
        .flatten()
        .ok_or(Rejection::MissingNameId)
}

pub fn check_18_identity(
    doc: &Document<'_>,
    assertion: NodeId,
    subject: NodeId,
) -> Result<AssertionIdentity, Rejection> {
    let assertion_id = attr(doc, assertion, "ID")
        .filter(|id| !id.trim().is_empty())
        .ok_or(Rejection::MissingAssertionId)?
        .to_owned();
    let name_id_node = single_child(doc, subject, SAML, "NameID")
        .ok()
        .flatten()
        .ok_or(Rejection::MissingNameId)?;
    let name_id = full_text(doc, name_id_node)?;
    if name_id.trim().is_empty() {
        return Err(Rejection::MissingNameId);
    }
    let session_index = children_named(doc, assertion, SAML, "AuthnStatement")
        .first()
        .and_then(|s| attr(doc, *s, "SessionIndex"))
        .map(str::to_owned);
    let mut attributes = Vec::new();
    for statement in children_named(doc, assertion, SAML, "AttributeStatement") {
        for attribute in children_named(doc, statement, SAML, "Attribute") {
            let values = children_named(doc, attribute, SAML, "AttributeValue")
                .into_iter()
                .map(|v| full_text(doc, v))
                .collect::<Result<Vec<_>, _>>()?;
            for name in [
                attr(doc, attribute, "Name"),
                attr(doc, attribute, "FriendlyName"),
            ]
            .into_iter()
            .flatten()
            {
                attributes.push((name.to_owned(), values.clone()));
            }
        }
    }
    Ok(AssertionIdentity {
        assertion_id,
        name_id: name_id.trim().to_owned(),
        name_id_format: attr(doc, name_id_node, "Format").map(str::to_owned),
        session_index,
        attributes,
    })
}
