-- Sessions keep the groups the IdP asserted at sign-in, so roles recomputed after a SCIM
-- membership or SSO configuration change use both sources (CONTRACT.md §5). JSON array;
-- NULL for password sessions.
ALTER TABLE sessions ADD COLUMN idp_groups TEXT;

-- A SAML flow is bound to the browser that started it: the SHA-256 of a cookie set at
-- /login, checked at the ACS (login CSRF).
ALTER TABLE saml_flows ADD COLUMN binding_hash TEXT;

-- An OIDC identity, once linked to a user, is found by its issuer and subject.
CREATE TABLE federated_identities (
    org_id     TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, issuer, subject)
);
CREATE INDEX federated_identities_user ON federated_identities (org_id, user_id);

-- The replay store outlives its organization: deleting an organization and creating it
-- again must not make its accepted assertions acceptable once more (no foreign key, no
-- cascade; rows go when the assertion could no longer be valid).
CREATE TABLE assertion_replay (
    org_id       TEXT NOT NULL,
    assertion_id TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, assertion_id)
);
CREATE INDEX assertion_replay_by_expiry ON assertion_replay (expires_at);
INSERT INTO assertion_replay (org_id, assertion_id, expires_at)
    SELECT org_id, assertion_id, expires_at FROM saml_replay;
DROP TABLE saml_replay;
