-- The audit trail (ADR 0008), twin of sqlite/0003_audit.sql: one row per change, written by the store in the
-- change's own transaction. No foreign keys to the objects: a deleted token or workload keeps its history.
-- Ids compare in byte order ("C"), as on SQLite, so keyset paging orders alike on both.
CREATE TABLE audit_entries (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  TEXT COLLATE "C" NULL,
    occurred_at BIGINT NOT NULL,
    actor_type  TEXT   NOT NULL,
    actor_id    TEXT   NULL,
    action      TEXT COLLATE "C" NOT NULL,
    object_id   TEXT COLLATE "C" NULL,
    before_json TEXT   NULL,
    after_json  TEXT   NULL,
    client_ip   TEXT   NULL
);
CREATE INDEX ix_audit_entries_account ON audit_entries (account_id, occurred_at, id);
CREATE INDEX ix_audit_entries_object ON audit_entries (account_id, object_id, occurred_at, id);
CREATE INDEX ix_audit_entries_occurred_at ON audit_entries (occurred_at);
