-- Leak response (issue 18, ADR 0013): the latest leak report about a token, kept on the token so every list
-- and page shows the marker without reading the audit trail. Never the secret: when and where it was seen.
-- Not in the change feed's trigger columns: a marker alone changes no verification (a cancel still fires it).
ALTER TABLE query_tokens ADD COLUMN leaked_at INTEGER NULL;
ALTER TABLE query_tokens ADD COLUMN leak_url TEXT NULL;
ALTER TABLE query_tokens ADD COLUMN leak_source TEXT NULL;
