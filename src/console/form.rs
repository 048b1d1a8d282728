//! What every console form post shares.

/// A field of a urlencoded form body; a missing one is empty.
pub fn form_field(body: &str, name: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A comma-separated form field as its non-empty, trimmed items.
pub fn comma_list(body: &str, name: &str) -> Vec<String> {
    form_field(body, name)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
