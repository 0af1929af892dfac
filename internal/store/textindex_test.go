package store_test

import (
	"context"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestTextIndexBulkLoad: a bulk load defers the full-text index's merges
// and the compaction after it puts FTS5's own merge settings back, so the
// index is not left without merging for the writes that follow.
func TestTextIndexBulkLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		merging := func() map[string]int {
			t.Helper()
			got := map[string]int{}
			if db.Dialect == store.Postgres {
				return got
			}
			rows, err := db.Query(ctx, `SELECT k, v FROM disclosure_fts_config WHERE k IN ('automerge', 'crisismerge')`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				var v int
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				got[k] = v
			}
			return got
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeferTextIndexMerges(ctx, "disclosure_fts") }); err != nil {
			t.Fatal(err)
		}
		if got := merging(); db.Dialect == store.SQLite && (got["automerge"] != 0 || got["crisismerge"] != 64) {
			t.Fatalf("during the load: %v", got)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.CompactTextIndex(ctx, "disclosure_fts", "disclosure_search_tsv")
		}); err != nil {
			t.Fatal(err)
		}
		if got := merging(); db.Dialect == store.SQLite && (got["automerge"] != 4 || got["crisismerge"] != 16) {
			t.Fatalf("after the compaction: %v", got)
		}
	})
}
