-- SCIM: searchable attribute values and the per-organization SCIM request log.

-- One row per (resource, attribute path, element) for attributes that have no column of
-- their own (RFC 7644 §3.4.2.2 filters on any attribute are answered from this index, never
-- by loading resources). `attr` is the lowercased path ("emails.value", "name.familyname",
-- "urn:...:enterprise:2.0:user:employeenumber"); multi-valued complex attributes also get a
-- marker row (attr = "emails", value_lc = '') per element, so a bracketed value filter can
-- correlate sub-attributes of the same element through `elem`.
CREATE TABLE scim_values (
    org_id      TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL,
    attr        TEXT NOT NULL,
    elem        BIGINT NOT NULL,
    value_lc    TEXT NOT NULL
);
CREATE INDEX scim_values_lookup ON scim_values (org_id, attr, value_lc);
CREATE INDEX scim_values_by_resource ON scim_values (resource_id, attr, elem);

CREATE TABLE scim_requests (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      BIGINT NOT NULL,
    scim_type   TEXT,
    detail      TEXT,
    duration_ms BIGINT NOT NULL,
    body        TEXT
);
CREATE INDEX scim_requests_by_org_time ON scim_requests (org_id, at, id);
CREATE INDEX scim_requests_by_time ON scim_requests (at);

-- members[].type and members[].display as the client sent them (echoed back, RFC 7643 §4.2).
ALTER TABLE group_members ADD COLUMN member_type TEXT;
ALTER TABLE group_members ADD COLUMN member_display TEXT;
