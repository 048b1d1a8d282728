-- Events and signed webhooks (CONTRACT.md §15). Timestamps are BIGINT milliseconds, flags
-- BIGINT 0/1, ids TEXT.
--
-- PostgreSQL copy: an identity column is how PostgreSQL numbers rows; SQLite's copy
-- (../sqlite/0008_events.sql) uses INTEGER PRIMARY KEY AUTOINCREMENT. Everything else is
-- the same.
--
-- Ordering: every event row gets `pos` when it is inserted, and `seq` (NULL until then) when
-- the sequencer (store/events.rs) sees it committed. The sequencer runs one at a time (it
-- locks the `event_sequence` row first) and only numbers rows its snapshot shows, so `seq`
-- follows commit order: a reader paging by `seq` never passes a transaction still in flight,
-- whichever transaction started first. `pos` only orders the rows one sequencer run finds.

CREATE TABLE events (
    pos         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT,
    data        TEXT NOT NULL,
    seq         BIGINT UNIQUE
);
CREATE INDEX events_unsequenced ON events (pos) WHERE seq IS NULL;
CREATE INDEX events_by_org_seq ON events (org_id, seq);
CREATE INDEX events_by_time ON events (occurred_at);

-- The last `seq` given out; its row lock serialises sequencer runs across replicas.
CREATE TABLE event_sequence (
    name TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO event_sequence (name, last) VALUES ('events', 0);

-- Webhook endpoints of an organization. `types` is a JSON array (empty: every type).
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    types           TEXT NOT NULL,
    enabled         BIGINT NOT NULL,
    disabled_reason TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, created_at, id);

-- Signing secrets, encrypted with the data key (data_key.rs `v1:` form). A live secret has
-- no `expires_at` or one in the future; rotation gives the previous one an `expires_at`.
CREATE TABLE webhook_secrets (
    id          TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);
CREATE INDEX webhook_secrets_by_endpoint ON webhook_secrets (endpoint_id, created_at);

-- The delivery queue: one row per (endpoint, event), made when the event is sequenced.
-- `status`: pending, delivered, failed (retries exhausted). A replica claims a due row by
-- setting `lease_until`; a crashed replica's lease runs out and another takes the row.
-- `payload` is set only for test deliveries, which have no event row.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(org_id) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_status     BIGINT,
    last_error      TEXT,
    lease_until     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
