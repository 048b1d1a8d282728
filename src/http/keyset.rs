//! Keyset page cursors over (time, id), as the audit feed and the SCIM request log hand
//! them out: opaque base64url of `at:id` (audit), or the plain `at.id` (SCIM log).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;

use crate::clock::Millis;

/// The opaque cursor after the entry at (`at`, `id`).
pub fn encode_cursor(at: Millis, id: &str) -> String {
    B64URL.encode(format!("{at}:{id}"))
}

/// What `encode_cursor` made; None for anything else.
pub fn decode_cursor(cursor: &str) -> Option<(Millis, String)> {
    let text = String::from_utf8(B64URL.decode(cursor).ok()?).ok()?;
    let (at, id) = text.split_once(':')?;
    Some((at.parse().ok()?, id.to_owned()))
}

/// A plain `at.id` cursor; None when it is not one.
pub fn parse_dotted_cursor(cursor: &str) -> Option<(Millis, &str)> {
    let (at, id) = cursor.split_once('.')?;
    Some((at.parse().ok()?, id))
}
