-- The directory: users and groups of each organization, provisioned over SCIM or created
-- just in time by SSO logins, and group memberships (one row per member, so adding or
-- removing one member never rewrites a list).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    user_name     TEXT NOT NULL,
    user_name_lc  TEXT NOT NULL,
    external_id   TEXT,
    email_lc      TEXT,
    display_name  TEXT,
    active        BOOLEAN NOT NULL,
    source        TEXT NOT NULL,
    resource      TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- userName is unique per organization, case-insensitively (RFC 7643 §4.1.1), enforced here
-- so it holds under concurrent creates.
CREATE UNIQUE INDEX users_user_name ON users (org_id, user_name_lc);
CREATE INDEX users_external_id ON users (org_id, external_id);
CREATE INDEX users_email ON users (org_id, email_lc);
CREATE INDEX users_listing ON users (org_id, created_at, id);

CREATE TABLE groups (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    display_name     TEXT NOT NULL,
    display_name_lc  TEXT NOT NULL,
    external_id      TEXT,
    resource         TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_display_name ON groups (org_id, display_name_lc);
CREATE INDEX groups_external_id ON groups (org_id, external_id);
CREATE INDEX groups_listing ON groups (org_id, created_at, id);

CREATE TABLE group_members (
    org_id   TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);
