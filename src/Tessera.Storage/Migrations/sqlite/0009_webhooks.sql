-- Lifecycle events and webhooks (issue 14, ADR 0015). An event is written by the store in the change's own
-- transaction (an outbox), together with one delivery per enabled endpoint of the account subscribed to its type,
-- so a change is never delivered without having committed nor lost once it has. Events of accounts without a
-- subscribed endpoint are not written: nobody could ever receive them.
CREATE TABLE webhook_endpoints (
    id                    TEXT    NOT NULL PRIMARY KEY,
    account_id            TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url                   TEXT    NOT NULL,
    -- ' token.created token.cancelled ' (space-delimited, so one portable LIKE tests a type) or '*'.
    event_types           TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    enabled               INTEGER NOT NULL,
    -- whsec_ secrets, encrypted with the server's Data Protection keys; the previous one signs beside the
    -- current one until previous_secret_until (a rotation).
    secret                TEXT    NOT NULL,
    previous_secret       TEXT    NULL,
    previous_secret_until INTEGER NULL,
    -- The first failed attempt since the last success; DisableAfter beyond it disables the endpoint.
    failing_since         INTEGER NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    version               INTEGER NOT NULL
);
CREATE INDEX ix_webhook_endpoints_account ON webhook_endpoints (account_id, id);

CREATE TABLE events (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    -- The payload's data object: the object of the change (never a secret, never a hash) plus accountId.
    data_json   TEXT    NOT NULL
);
CREATE INDEX ix_events_occurred_at ON events (occurred_at);

CREATE TABLE webhook_deliveries (
    id                   TEXT    NOT NULL PRIMARY KEY,
    account_id           TEXT    NOT NULL,
    endpoint_id          TEXT    NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id             TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    type                 TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    attempts             INTEGER NOT NULL,
    last_response_status INTEGER NULL,
    last_attempt_at      INTEGER NULL,
    next_attempt_at      INTEGER NULL,
    -- A server attempting this delivery holds it until then (a lease: a server that dies mid-attempt frees it).
    claimed_until        INTEGER NULL,
    created_at           INTEGER NOT NULL
);
-- The worker's claim: due pending deliveries, oldest due first.
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
-- One endpoint's deliveries log, newest first.
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);

-- Expiry warnings (API.md §7): one row per token, threshold and expiry value, inserted by whichever server's
-- scan gets there first; the unique key makes every warning an event once, and a renewal (a new expiry) re-arms it.
-- threshold_ms 0 is token.expired.
CREATE TABLE token_expiry_warnings (
    token_id     TEXT    NOT NULL,
    threshold_ms INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (token_id, threshold_ms, expires_at)
);
-- The scan finds tokens by expiry across accounts.
CREATE INDEX ix_query_tokens_expires_at ON query_tokens (expires_at);
