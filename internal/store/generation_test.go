package store_test

import (
	"context"
	"testing"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestGeneration: the number moves with every commit, from any
// connection, and stands still otherwise; PostgreSQL says it cannot tell.
func TestGeneration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g1, ok := db.Generation(ctx)
		if db.Dialect == store.Postgres {
			if ok {
				t.Fatal("PostgreSQL claims a generation")
			}
			return
		}
		if !ok {
			t.Fatal("SQLite has no generation")
		}
		if g, _ := db.Generation(ctx); g != g1 {
			t.Fatalf("generation moved without a commit: %d, %d", g1, g)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM org_units`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if g, _ := db.Generation(ctx); g != g1 {
			t.Fatalf("generation moved after a read: %d, %d", g1, g)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `CREATE TABLE generation_probe (n INTEGER)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		g1, _ = db.Generation(ctx)
		for i := 0; i < 3; i++ {
			if err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO generation_probe (n) VALUES (?)`, i)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			g, ok := db.Generation(ctx)
			if !ok || g == g1 {
				t.Fatalf("commit %d left the generation at %d", i, g)
			}
			g1 = g
		}
	})
}
