-- The audit trail (ADR 0008): one row per change, written by the store in the change's own transaction.
-- No foreign keys to the objects: a deleted token or workload keeps its history. account_id is null only
-- for a console sign-in that named no account (kept for operators, shown in no account's trail).
-- before_json/after_json hold the changed fields as JSON objects: never a secret, never a hash.
CREATE TABLE audit_entries (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NULL,
    occurred_at INTEGER NOT NULL,
    actor_type  TEXT    NOT NULL,
    actor_id    TEXT    NULL,
    action      TEXT    NOT NULL,
    object_id   TEXT    NULL,
    before_json TEXT    NULL,
    after_json  TEXT    NULL,
    client_ip   TEXT    NULL
);
-- The account's trail newest first, and one object's history (the console's Activity view).
CREATE INDEX ix_audit_entries_account ON audit_entries (account_id, occurred_at, id);
CREATE INDEX ix_audit_entries_object ON audit_entries (account_id, object_id, occurred_at, id);
-- Pruning takes the oldest rows first.
CREATE INDEX ix_audit_entries_occurred_at ON audit_entries (occurred_at);
