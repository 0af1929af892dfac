-- A community's search for a phrase of common bigrams (居民 会议) still
-- walked each bigram's posting list across the whole district to find the
-- community's few thousand documents (0009's scope column only filtered
-- them). The index now holds every token a second time with its community
-- in front (c123x居民 for community 123: 'c', the id, 'x', the token), in a
-- column of its own, so those posting lists are per community and a
-- community's search reads only its own. District-wide search keeps the
-- plain tokens column. The column is generated from tokens, so every writer
-- of disclosure_search (the services, bulk loaders) gets it for nothing and
-- it takes no room in the table; only the index grows.
ALTER TABLE disclosure_search ADD COLUMN ctokens TEXT GENERATED ALWAYS AS (
	CASE WHEN tokens = '' THEN '' ELSE 'c' || community_id || 'x' || replace(tokens, ' ', ' c' || community_id || 'x') END) VIRTUAL;
DROP TRIGGER disclosure_search_ai;
DROP TRIGGER disclosure_search_ad;
DROP TRIGGER disclosure_search_au;
DROP TABLE disclosure_fts;
ALTER TABLE disclosure_search DROP COLUMN scope;
CREATE VIRTUAL TABLE disclosure_fts USING fts5(tokens, ctokens, content='disclosure_search', content_rowid='disclosure_id', tokenize='unicode61 remove_diacritics 0');
CREATE TRIGGER disclosure_search_ai AFTER INSERT ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(rowid, tokens, ctokens) VALUES (new.disclosure_id, new.tokens, new.ctokens);
END;
CREATE TRIGGER disclosure_search_ad AFTER DELETE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens, ctokens) VALUES ('delete', old.disclosure_id, old.tokens, old.ctokens);
END;
CREATE TRIGGER disclosure_search_au AFTER UPDATE ON disclosure_search BEGIN
	INSERT INTO disclosure_fts(disclosure_fts, rowid, tokens, ctokens) VALUES ('delete', old.disclosure_id, old.tokens, old.ctokens);
	INSERT INTO disclosure_fts(rowid, tokens, ctokens) VALUES (new.disclosure_id, new.tokens, new.ctokens);
END;
INSERT INTO disclosure_fts(disclosure_fts) VALUES ('rebuild');
-- The rebuild leaves segment merges half done; the next publications would
-- finish them for it, tens of milliseconds each. One merge now instead.
INSERT INTO disclosure_fts(disclosure_fts) VALUES ('optimize');
