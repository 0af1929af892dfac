-- Placeholder so that migration 0014 can be tested on the accounts branch
-- before 0013 (reserved for another branch) is merged. The lead drops this
-- file when merging if 0013 exists.
SELECT 1;
