-- SQLite's full-text index gained a community column in this step (see its
-- 0009). PostgreSQL needs nothing: a community's search already combines
-- the GIN index on tsv with the index on community_id.
SELECT 1;
