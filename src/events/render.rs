//! The event JSON of CONTRACT.md §15, the same in the events API and in webhook bodies.

use serde_json::{json, Value};

use crate::clock::{rfc3339, Millis};
use crate::store::EventRecord;

pub struct EventView<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub org_id: &'a str,
    pub occurred_at: Millis,
    pub actor_type: &'a str,
    pub actor_id: Option<&'a str>,
    /// JSON text as stored.
    pub data: &'a str,
}

pub fn event_json(e: &EventView<'_>) -> Value {
    let data: Value = serde_json::from_str(e.data).unwrap_or(Value::Null);
    json!({
        "id": e.id,
        "type": e.kind,
        "org_id": e.org_id,
        "occurred_at": rfc3339(e.occurred_at),
        "actor": {"type": e.actor_type, "id": e.actor_id},
        "data": data,
    })
}

pub fn record_json(r: &EventRecord) -> Value {
    event_json(&EventView {
        id: &r.id,
        kind: &r.kind,
        org_id: &r.org_id,
        occurred_at: r.occurred_at,
        actor_type: &r.actor_type,
        actor_id: r.actor_id.as_deref(),
        data: &r.data,
    })
}
