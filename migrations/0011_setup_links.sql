-- Setup links (CONTRACT.md §16): an organization hands its SSO and SCIM setup to its own IT
-- admin. The `axl_` token is stored as its SHA-256 only; a setup session is the cookie the
-- token is exchanged for. Deleting a link ends its sessions in the same statement.
CREATE TABLE setup_links (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    intents     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX setup_links_org ON setup_links (org_id, created_at);

CREATE TABLE setup_sessions (
    id_hash     TEXT PRIMARY KEY,
    link_id     TEXT NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX setup_sessions_link ON setup_sessions (link_id);
