-- Scoped license keys (API.md §8, ADR 0011). scopes: the key's scopes separated by single spaces, '*' for all
-- (what every key made before this migration holds, and the bootstrap key). workload_ids: the workloads the key
-- is bound to, separated by single spaces, NULL for every workload. expires_at: NULL for a key that never expires.
-- Fixed at creation: a key is replaced, never widened, so these columns are written once.
ALTER TABLE license_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '*';
ALTER TABLE license_keys ADD COLUMN workload_ids TEXT NULL;
ALTER TABLE license_keys ADD COLUMN expires_at INTEGER NULL;
