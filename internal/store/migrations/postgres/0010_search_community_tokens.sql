-- SQLite's full-text index gained community-prefixed tokens in this step
-- (see its 0010). PostgreSQL needs nothing: a community's search combines
-- the GIN index on tsv with the index on community_id.
SELECT 1;
