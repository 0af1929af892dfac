-- Search within one community read every match of the whole district from
-- the full-text index and threw away the other communities' rows: with a
-- thousand communities, a common word cost seconds. Each index row now
-- carries its community as a token in a column of its own (scope, 'c' and
-- the community id), so a community's search is an AND of the query with
-- that token inside FTS5 and touches only the community's documents.
ALTER TABLE disclosure_search ADD COLUMN scope TEXT GENERATED ALWAYS AS ('c' || community_id) VIRTUAL;
DROP TRIGGER disclosure_search_ai;
DROP TRIGGER disclosure_search_ad;
DROP TRIGGER disclosure_search_au;
DROP TABLE disclosure_fts;
CREATE VIRTUAL TABLE disclosure_fts USING fts5(tokens, scope, content='disclosure_search', content_rowid='disclosure_id', tokenize='unicode61 remove_diacritics 0');
CREATE TRIGGER disclosure_search_ai AFTER INSERT ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(rowid, tokens, scope) VALUES (new.disclosure_id, new.tokens, 'c' || new.community_id);
END;
CREATE TRIGGER disclosure_search_ad AFTER DELETE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens, scope) VALUES ('delete', old.disclosure_id, old.tokens, 'c' || old.community_id);
END;
CREATE TRIGGER disclosure_search_au AFTER UPDATE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens, scope) VALUES ('delete', old.disclosure_id, old.tokens, 'c' || old.community_id);
	INSERT INTO disclosure_fts(rowid, tokens, scope) VALUES (new.disclosure_id, new.tokens, 'c' || new.community_id);
END;
INSERT INTO disclosure_fts(disclosure_fts) VALUES ('rebuild');
