-- The name search's trigram index (0007) without GIN's pending list (issue 23, ADR 0012). With fastupdate on, new
-- names first go to an unsorted list of up to gin_pending_list_limit (4 MB) that every search reads whole, until a
-- vacuum, an autoanalyze or an insert past the limit merges it. The planner prices that list too, so the same search
-- on the same rows switched between the index and a scan of the table with the list's size at that moment (seen at
-- 22,000 tokens: 193 pending pages priced the index above the scan; merged, the index won by 6x). Each insert now
-- goes into the index itself: a dozen trigram entries more per token written, and searches cost the same at any time.
ALTER INDEX ix_query_tokens_name_trigrams SET (fastupdate = off);
SELECT gin_clean_pending_list('ix_query_tokens_name_trigrams'::regclass);
