//! What every console form post shares.

/// A field of a urlencoded form body; a missing one is empty.
pub fn form_field(body: &str, name: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
