-- Pruning of the deliveries log (issue 14, ADR 0015): finished deliveries (succeeded or failed) by their last attempt,
-- so each bounded prune batch reads only rows it deletes; pending deliveries are not in it and are never pruned.
CREATE INDEX ix_webhook_deliveries_finished ON webhook_deliveries (last_attempt_at) WHERE status <> 'pending';
