-- The board's page version is the newest leaf of the kinds its pages show
-- (disclosures, their redactions, the community's catalog items), found by
-- one index seek per kind. Since questions and their steps are leaves
-- too, the newest leaf of any kind would change with every question and
-- make the page cache render the board again for each one.
CREATE INDEX tlog_leaves_community_kind ON tlog_leaves(community_id, kind, idx);
