-- The OpenID provider for web applications (CONTRACT.md §13): authorization codes and the
-- access tokens revoked because their code was redeemed twice (RFC 6749 §4.1.2, §10.5).
-- Timestamps are BIGINT milliseconds, as everywhere.

-- A code is stored as its SHA-256 only, bound to the client, the exact redirect URI and the
-- PKCE S256 challenge (RFC 7636 §4.4), and carries what the ID token asserts about the
-- sign-in. `used_at` marks redemption; `access_jti` names the access token issued from it,
-- so a second redemption can revoke it. A row outlives its 60 s validity by the longest
-- token lifetime, so a late replay is still recognised as one.
CREATE TABLE authorization_codes (
    code_hash      TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT,
    scope          TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    subject        TEXT NOT NULL,
    email          TEXT,
    name           TEXT,
    roles          TEXT NOT NULL,
    amr            TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    access_jti     TEXT
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);

-- Access tokens ended before their `exp` (by `jti`); checked for user tokens on
-- introspection, userinfo and verify. A row goes once the token would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);
