//! NUL (U+0000) in client text. PostgreSQL `text` cannot hold it, so before this rule a NUL
//! anywhere in a body, id or filter was a 500 there and stored as sent on SQLite. Every
//! surface now refuses it the same way on both databases (issue 10, item 8): its own 400,
//! or 404 where the text is an id.

use serde_json::Value;

/// Whether a JSON body may carry a NUL: JSON can only spell it as the escape `\u0000`
/// (a raw NUL byte is not valid JSON), so a body without that text needs no walk.
pub fn json_text_may_hold_nul(raw: &[u8]) -> bool {
    raw.windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'))
}

/// Whether any key or string of `value` holds a NUL.
pub fn json_holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(json_holds_nul),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains('\0') || json_holds_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_real_nul_counts() {
        let with = br#"{"a":["x\u0000"]}"#;
        assert!(json_text_may_hold_nul(with));
        let parsed: Value = serde_json::from_slice(with).expect("json");
        assert!(json_holds_nul(&parsed));
        // An escaped backslash before "u0000" is the text \u0000, not a NUL.
        let text: Value = serde_json::from_slice(br#"{"a":"\\u0000"}"#).expect("json");
        assert!(!json_holds_nul(&text));
        assert!(json_holds_nul(&serde_json::json!({"k\u{0}": 1})));
        assert!(!json_text_may_hold_nul(br#"{"a":"b"}"#));
    }
}
