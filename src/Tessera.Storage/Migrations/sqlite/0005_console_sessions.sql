-- Console sessions that were signed out before their absolute end (ADR 0003, issue 13). A console cookie
-- is sealed and self-contained, so a copy saved before sign-out would stay valid until it expired; every
-- server refuses a session named here. session_id is the session's public id (ses_…, the actor id of the
-- audit trail), never the cookie. A row is needed only until expires_at, the session's absolute end: past
-- it the cookie is refused anyway, and sign-outs prune such rows in bounded batches.
CREATE TABLE revoked_console_sessions (
    session_id TEXT    NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL,
    revoked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ix_revoked_console_sessions_expires ON revoked_console_sessions (expires_at);
