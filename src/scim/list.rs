//! List and search parameters (RFC 7644 §3.4.2, §3.4.3): filter, 1-based startIndex, count,
//! sortBy/sortOrder, attributes/excludedAttributes, from a query string or a `.search` body.

use serde_json::{json, Value};

use super::error::{ScimError, ScimResult};
use super::filter;
use super::schema::ResourceSchema;
use crate::store::ListQuery;

/// The page size when the client names none; Okta pages with count=100 as well.
pub const DEFAULT_COUNT: i64 = 100;
/// The largest page (ServiceProviderConfig `filter.maxResults`).
pub const MAX_RESULTS: i64 = 1000;
const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

#[derive(Debug, Default)]
pub struct ListParams {
    pub filter: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub attributes: Option<String>,
    pub excluded: Option<String>,
}

impl ListParams {
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        Self {
            filter: get("filter"),
            start_index: get("startIndex"),
            count: get("count"),
            sort_by: get("sortBy"),
            sort_order: get("sortOrder"),
            attributes: get("attributes"),
            excluded: get("excludedAttributes"),
        }
    }

    /// A SearchRequest body (RFC 7644 §3.4.3); `attributes` may be an array or a string.
    pub fn from_search(body: &Value) -> ScimResult<Self> {
        let Value::Object(obj) = body else {
            return Err(ScimError::invalid_syntax(
                "the search body must be a JSON object",
            ));
        };
        let get = |name: &str| -> ScimResult<Option<String>> {
            match obj
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
            {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(Value::Array(items)) => Ok(Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                Some(_) => Err(ScimError::invalid_value(format!(
                    "'{name}' has the wrong type"
                ))),
            }
        };
        Ok(Self {
            filter: get("filter")?,
            start_index: get("startIndex")?,
            count: get("count")?,
            sort_by: get("sortBy")?,
            sort_order: get("sortOrder")?,
            attributes: get("attributes")?,
            excluded: get("excludedAttributes")?,
        })
    }

    /// The store query; `startIndex < 1` counts as 1, `count < 0` as 0 (RFC 7644 §3.4.2.4).
    pub fn query(&self, schema: &ResourceSchema) -> ScimResult<(ListQuery, i64)> {
        let number = |v: &Option<String>, name: &str| -> ScimResult<Option<i64>> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(t) => t
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| ScimError::invalid_value(format!("'{name}' must be an integer"))),
            }
        };
        let start = number(&self.start_index, "startIndex")?.unwrap_or(1).max(1);
        let count = number(&self.count, "count")?
            .unwrap_or(DEFAULT_COUNT)
            .clamp(0, MAX_RESULTS);
        let cond = match self.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(filter::parse(schema, f)?),
        };
        let desc = match self.sort_order.as_deref() {
            None => false,
            Some(o) if o.eq_ignore_ascii_case("ascending") => false,
            Some(o) if o.eq_ignore_ascii_case("descending") => true,
            Some(_) => {
                return Err(ScimError::invalid_value(
                    "'sortOrder' must be ascending or descending",
                ))
            }
        };
        let sort = self
            .sort_by
            .as_deref()
            .and_then(|s| filter::sort_key(schema, s))
            .map(|k| (k, desc));
        Ok((
            ListQuery {
                cond,
                sort,
                offset: start - 1,
                limit: count,
            },
            start,
        ))
    }
}

pub fn list_response(total: i64, start: i64, count: i64, resources: Vec<Value>) -> Value {
    if count == 0 {
        // RFC 7644 §3.4.2.4: no resources, only totalResults; an empty `Resources` keeps
        // clients that always read it (scim-sanity, IDP_QUIRKS.md) happy.
        return json!({"schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start, "itemsPerPage": 0, "Resources": []});
    }
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}
