-- The tokens' dead index entries are cleared after 1% of the table changed, not 20% (issue 23, ADR 0012 "Dead entries").
-- Every UPDATE of a token writes a new entry in each index whose key changes, and the old one stays until VACUUM: the
-- expiry marker moves every expiring token from the active to the expired part of its expiry day, and the usage flush
-- moves used tokens in the last-use indexes. At a million tokens, after the marker's pass over 50,000 tokens that had
-- expired at one instant, a usable page read by days walked their 50,000 dead entries in the active part of today's
-- expiry day: 15-21 ms and 2,175 buffers, against 2-4 ms and 312 after a VACUUM. PostgreSQL's default vacuums a table
-- once a fifth of its rows are dead (200,000 at a million tokens), so it never came; at 1% (11,000 with the threshold)
-- autovacuum came two minutes after that pass, and a VACUUM of the million tokens with their indexes takes about 7 s.
ALTER TABLE query_tokens SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
