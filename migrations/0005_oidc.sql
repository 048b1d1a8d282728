-- OIDC login flows: one row per started login, keyed by the SHA-256 of its `state`, so a
-- callback on any replica finds it. `binding_hash` is the SHA-256 of the HttpOnly cookie
-- value set in the browser that started the flow; `consumed_at` makes the state single-use.
CREATE TABLE oidc_flows (
    state_hash    TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    binding_hash  TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    return_to     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    consumed_at   BIGINT
);
CREATE INDEX oidc_flows_by_expiry ON oidc_flows (expires_at);
