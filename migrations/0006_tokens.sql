-- The token service (CONTRACT.md §12, §14): the signing key ring shared by replicas, the
-- lease that lets one replica at a time rotate it, OAuth clients and their secrets.
-- Timestamps are BIGINT milliseconds; flags are BIGINT 0/1 (the Any driver reads both the
-- same way on SQLite and PostgreSQL).

-- Signing keys: `next` is published in the JWKS before it signs (from `activates_at`),
-- `active` signs, `retired` stays published until `expires_at` (every token it signed has
-- expired by then) and is then deleted. `private_key` is the PKCS#8 DER encrypted with the
-- data key (sso/secrets.rs `v1:` form); `public_jwk` is the JSON object the JWKS lists.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    alg          TEXT NOT NULL,
    state        TEXT NOT NULL,
    public_jwk   TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retired_at   BIGINT,
    expires_at   BIGINT
);
-- At most one active and one next key per algorithm, even when two replicas race.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (alg) WHERE state = 'active';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (alg) WHERE state = 'next';

-- Leases for jobs that must run on one replica at a time (key rotation): a replica holds
-- `name` until `expires_at`; taking it is one conditional upsert.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- OAuth clients of an organization. `client_id` (axc_...) is what the client presents;
-- `id` is the API's handle. roles, audiences and redirect_uris are JSON arrays.
CREATE TABLE oauth_clients (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    client_type    TEXT NOT NULL,
    roles          TEXT NOT NULL,
    audiences      TEXT NOT NULL,
    redirect_uris  TEXT NOT NULL,
    token_ttl_secs BIGINT NOT NULL,
    signing_alg    TEXT NOT NULL,
    disabled       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX oauth_clients_by_org ON oauth_clients (org_id, created_at, id);

-- Client secrets (axcs_...): SHA-256 only. A live secret has no `expires_at` or one in the
-- future; rotation gives the previous one an `expires_at`, revocation deletes the row.
CREATE TABLE oauth_client_secrets (
    id           TEXT PRIMARY KEY,
    client_ref   TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX oauth_client_secrets_by_client ON oauth_client_secrets (client_ref, created_at);
