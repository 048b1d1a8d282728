-- Foundation: organizations, licenses, portal sessions, rate limits, reset tokens,
-- portal API keys and SCIM tokens, audit events and the per-organization SSO settings.
-- Timestamps are BIGINT milliseconds since the epoch in both databases.

CREATE TABLE organizations (
    org_id        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active',
    contact_email TEXT,
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE licenses (
    org_id     TEXT PRIMARY KEY REFERENCES organizations(org_id) ON DELETE CASCADE,
    tier       TEXT NOT NULL,
    seats      BIGINT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    principal_type TEXT NOT NULL,
    principal_id   TEXT NOT NULL,
    email          TEXT,
    name           TEXT,
    roles          TEXT NOT NULL,
    auth_method    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX sessions_by_principal ON sessions (org_id, principal_type, principal_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE rate_limit_windows (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Portal API keys (kind 'portal_key', with a role) and SCIM tokens (kind 'scim_token'):
-- one table, and every lookup names the kind, so a credential of one surface is never
-- accepted on another.
CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    role         TEXT,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT
);
CREATE INDEX credentials_by_org ON credentials (org_id, kind, created_at);

CREATE TABLE audit_events (
    id        TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    at        BIGINT NOT NULL,
    event     TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    reason    TEXT,
    principal TEXT,
    ip        TEXT,
    detail    TEXT
);
CREATE INDEX audit_events_by_org_time ON audit_events (org_id, at, id);

CREATE TABLE sso_configs (
    org_id      TEXT PRIMARY KEY REFERENCES organizations(org_id) ON DELETE CASCADE,
    protocol    TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    enforce_sso BOOLEAN NOT NULL,
    config      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
