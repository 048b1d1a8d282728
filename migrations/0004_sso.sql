-- SAML service provider state shared by every replica: outstanding AuthnRequests (one row
-- per login flow, consumed by the callback), the assertion replay store, and the
-- per-organization SP signing key (private key encrypted with the SSO data key).

CREATE TABLE saml_flows (
    relay_state_hash TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    request_id       TEXT NOT NULL,
    return_to        TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX saml_flows_by_expiry ON saml_flows (expires_at);

-- An assertion id is accepted once per organization, by any replica (the primary key is
-- the lock); rows are kept until the assertion could no longer be valid.
CREATE TABLE saml_replay (
    org_id       TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    assertion_id TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, assertion_id)
);
CREATE INDEX saml_replay_by_expiry ON saml_replay (expires_at);


CREATE TABLE sso_sp_keys (
    org_id          TEXT PRIMARY KEY REFERENCES organizations(org_id) ON DELETE CASCADE,
    private_key_enc TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
