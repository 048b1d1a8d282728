-- SAML operations (CONTRACT.md §17): the SP key ring of each organization, the state of
-- its IdP metadata refresh, the certificate expiry warnings already sent, and the SAML
-- session identifiers kept on a session for a later single logout. BIGINT milliseconds.

-- The SP keys an organization owns, signing and encryption kept apart (`key_use`). States
-- as in the token key ring: `next` is published in the SP metadata before it is used,
-- `active` signs (and is the first decryption key), `retired` still decrypts what an IdP
-- encrypted before it saw the rotation. Private keys are PKCS#8 encrypted with the data key.
CREATE TABLE saml_sp_keys (
    key_id          TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    key_use         TEXT NOT NULL,
    state           TEXT NOT NULL,
    private_key_enc TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    not_after       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    activates_at    BIGINT NOT NULL,
    retired_at      BIGINT
);
-- At most one active and one next key per organization and use, even when replicas race.
CREATE UNIQUE INDEX saml_sp_keys_one_active ON saml_sp_keys (org_id, key_use) WHERE state = 'active';
CREATE UNIQUE INDEX saml_sp_keys_one_next ON saml_sp_keys (org_id, key_use) WHERE state = 'next';
CREATE INDEX saml_sp_keys_by_expiry ON saml_sp_keys (not_after);

-- The AuthnRequest signing keys of 0004 move into the ring as active signing keys; their
-- certificates were issued for 3,660 days.
INSERT INTO saml_sp_keys (key_id, org_id, key_use, state, private_key_enc, certificate_pem,
                          not_after, created_at, activates_at)
SELECT 'spk_' || org_id || '_signing', org_id, 'signing', 'active', private_key_enc,
       certificate_pem, created_at + 316224000000, created_at, created_at
FROM sso_sp_keys;
DROP TABLE sso_sp_keys;

-- One row per organization with a metadata URL: what the last fetch saw and when the next
-- is due. `due_at` is claimed with a conditional update, so one replica fetches per period.
CREATE TABLE saml_metadata_refresh (
    org_id             TEXT PRIMARY KEY REFERENCES organizations(org_id) ON DELETE CASCADE,
    etag               TEXT,
    last_modified      TEXT,
    last_fetched_at    BIGINT,
    last_error         TEXT,
    due_at             BIGINT NOT NULL,
    unknown_cert_at    BIGINT
);
CREATE INDEX saml_metadata_refresh_due ON saml_metadata_refresh (due_at);

-- An IdP certificate that left the metadata is kept 7 more days (CONTRACT.md §17).
CREATE TABLE saml_departed_certificates (
    org_id      TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    departed_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, fingerprint)
);

-- `sso.certificate_expiring` goes out once per certificate and threshold: the insert that
-- wins the primary key sends it, on whichever replica.
CREATE TABLE certificate_warnings (
    org_id         TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    fingerprint    TEXT NOT NULL,
    threshold_days BIGINT NOT NULL,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (org_id, fingerprint, threshold_days)
);

-- SAML core §3.7 LogoutRequest names the NameID and SessionIndex of the sign-in.
ALTER TABLE sessions ADD COLUMN saml_name_id TEXT;
ALTER TABLE sessions ADD COLUMN saml_session_index TEXT;
