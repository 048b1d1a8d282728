-- Draft SSO configurations (CONTRACT.md §16): edited by an admin or a setup link, tested,
-- then activated; the live configuration in sso_configs is untouched until then. One draft
-- per organization, stored prepared (metadata parsed, secrets encrypted) like sso_configs.
-- The last test sign-in's result is kept with the draft version it tested.
CREATE TABLE sso_drafts (
    org_id          TEXT PRIMARY KEY REFERENCES organizations(org_id) ON DELETE CASCADE,
    config          TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    test_result     TEXT,
    tested_version  BIGINT
);

-- What a SAML flow is for: 'login', or 'test' for a draft's test sign-in, whose response
-- is validated against the draft and changes nothing (no user, session or replay entry).
ALTER TABLE saml_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
